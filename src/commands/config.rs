//! `queuecast config`: show the default file, where files live, or the effective settings.

use super::{CliError, CommandResult, exit};
use crate::cli::{ConfigArgs, GlobalArgs};
use crate::config::{Config, DEFAULT_CONFIG_TOML};

pub async fn run(global: &GlobalArgs, args: ConfigArgs) -> CommandResult {
    if args.print_default {
        super::print_out(DEFAULT_CONFIG_TOML)?;
        return Ok(exit::OK);
    }
    let (config, paths) = super::load_config(global)?;
    if args.paths {
        super::print_out(&format!(
            "config file: {}\ndata dir:    {}\nlog dir:     {}\n",
            paths.config_file.display(),
            paths.data_dir.display(),
            paths.log_dir.display()
        ))?;
        return Ok(exit::OK);
    }
    let text = effective_toml(&config)
        .map_err(|e| CliError::usage(color_eyre::eyre::eyre!("cannot render config: {e}")))?;
    super::print_out(&text)?;
    Ok(exit::OK)
}

/// The merged settings (file + env + flags) as TOML, with the client secret redacted.
fn effective_toml(config: &Config) -> Result<String, toml::ser::Error> {
    let mut shown = config.clone();
    if shown.genesys.client_secret.is_some() {
        shown.genesys.client_secret = Some("[REDACTED]".into());
    }
    toml::to_string(&shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn effective_config_redacts_the_secret_and_round_trips() {
        let mut cfg = Config::default();
        cfg.genesys.client_id = Some("my-client".into());
        cfg.genesys.client_secret = Some("s3cr3t-value".into());
        let text = effective_toml(&cfg).unwrap();
        assert!(!text.contains("s3cr3t-value"), "{text}");
        assert!(
            text.contains("[REDACTED]") && text.contains("my-client"),
            "{text}"
        );
        let back = Config::from_toml(&text, std::path::Path::new("x")).unwrap();
        assert_eq!(back.forecast, cfg.forecast);
    }
}
