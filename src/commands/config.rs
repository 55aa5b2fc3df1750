//! `queuecast config`: show the default file, where files live, or the effective settings.

use super::{CliError, CommandResult, exit};
use crate::cli::{ConfigArgs, GlobalArgs};
use crate::config::{Config, DEFAULT_CONFIG_TOML, GcProfiles};

pub async fn run(global: &GlobalArgs, args: ConfigArgs) -> CommandResult {
    if args.print_default {
        super::print_out(DEFAULT_CONFIG_TOML)?;
        return Ok(exit::OK);
    }
    let (config, paths) = super::load_config(global)?;
    if args.paths {
        let gc = GcProfiles::default_path()
            .map_or_else(|| "(no home directory)".into(), |p| p.display().to_string());
        super::print_out(&format!(
            "config file: {}\ndata dir:    {}\nlog dir:     {}\ngc profiles: {gc} (read with --profile NAME, never written)\n",
            paths.config_file.display(),
            paths.data_dir.display(),
            paths.log_dir.display()
        ))?;
        return Ok(exit::OK);
    }
    let text = effective_toml(&config)
        .map_err(|e| CliError::usage(color_eyre::eyre::eyre!("cannot render config: {e}")))?;
    super::print_out(&format!("{}{text}", header(&config)))?;
    Ok(exit::OK)
}

/// Where the `[genesys]` settings come from, as TOML comments.
fn header(config: &Config) -> String {
    let mut h = String::from(
        "# Effective settings. Precedence: flags > GENESYSCLOUD_* env vars > gc CLI profile \
         (--profile) > config file > defaults.\n",
    );
    if let Some((name, path)) = &config.gc_profile {
        h.push_str(&format!(
            "# [genesys] org and credentials from gc CLI profile {:?} in {} (read-only).\n",
            crate::text::clean(name),
            crate::text::clean(&path.display().to_string())
        ));
    }
    h
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
