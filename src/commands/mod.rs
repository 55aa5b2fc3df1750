//! Subcommand front ends: thin edges over the library that map failures to documented exit codes.

use std::fmt;

/// Documented exit codes of `queuecast`.
pub mod exit {
    pub const OK: u8 = 0;
    /// Bad flags, config or input paths.
    pub const USAGE: u8 = 2;
    /// The API or network failed.
    pub const API: u8 = 3;
    /// The data could not be used (bad CSV, too little history).
    pub const DATA: u8 = 4;
    /// Many queues: at least one queue failed while the others were forecast.
    pub const SOME_FAILED: u8 = 5;
    /// `doctor`: at least one check was not OK (a missing permission, another API error, or
    /// a check that could not run).
    pub const CHECK_FAILED: u8 = 6;
    /// `forecast --check-drift`: the last forecast missed; retraining recommended.
    pub const RETRAIN: u8 = 10;
    /// Many queues: SIGINT or SIGTERM stopped the run (128 + SIGINT, as shells report it).
    pub const INTERRUPTED: u8 = 130;
}

/// A failed command: what to tell the user and which exit code to use.
pub struct CliError {
    pub code: u8,
    pub report: color_eyre::Report,
}

impl CliError {
    pub fn usage(e: impl Into<color_eyre::Report>) -> Self {
        Self {
            code: exit::USAGE,
            report: e.into(),
        }
    }
    pub fn api(e: impl Into<color_eyre::Report>) -> Self {
        Self {
            code: exit::API,
            report: e.into(),
        }
    }
    pub fn data(e: impl Into<color_eyre::Report>) -> Self {
        Self {
            code: exit::DATA,
            report: e.into(),
        }
    }
}

impl fmt::Debug for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.report)
    }
}

/// Writes `text` to stdout. A closed pipe (`queuecast forecast … | true`) or a full disk
/// (`> /dev/full`) is one error line and exit 2, not a panic in `print!` (exit 101).
pub fn print_out(text: &str) -> Result<(), CliError> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|_| out.flush())
        .map_err(stdout_error)
}

/// A failed write to stdout, said once and plainly.
pub fn stdout_error(e: std::io::Error) -> CliError {
    let why = match e.kind() {
        std::io::ErrorKind::BrokenPipe => "the reading end of the pipe was closed".to_string(),
        std::io::ErrorKind::StorageFull => "no space left on the device".to_string(),
        _ => e.to_string(),
    };
    CliError::usage(color_eyre::eyre::eyre!(
        "cannot write the output to stdout: {why}"
    ))
}

/// Headless runs say why they wait, on stderr: "GET /api/v2/…: 429, retry 3 in 12 s, 2:10 left".
pub fn show_retries(client: &crate::genesys::GenesysClient) {
    client.on_retry(|n| {
        eprintln!(
            "queuecast: {} {}: {n}",
            n.method,
            crate::text::clean(&n.path)
        )
    });
}

/// The error as one line, each cause once: many errors already quote their source in their
/// own text (`… cannot reach the server: tcp connect error: … (os error 111)`), and printing the
/// chain again after it doubled every OS error. Control characters are stripped: the text can
/// quote a server.
pub fn error_text(report: &color_eyre::Report) -> String {
    let mut text = String::new();
    for cause in report.chain() {
        let part = cause.to_string();
        if text.contains(&part) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&part);
    }
    crate::text::clean_lines(&text)
}

/// What a command returns: an exit code on success (0, or 10 for retraining recommended).
pub type CommandResult = Result<u8, CliError>;

pub mod config;
pub mod dashboard;
pub mod demo;
pub mod doctor;
pub mod forecast;
pub mod queues;
pub mod sandbox;

use crate::cli::{Cli, Command, GlobalArgs};
use crate::config::{Config, Paths};

/// Config file, `--profile`'s gc CLI profile, env, global flags: in that order of precedence
/// (last wins).
pub fn load_config(global: &GlobalArgs) -> Result<(Config, Paths), CliError> {
    let mut paths = Paths::discover();
    if let Some(file) = &global.config {
        // A file named on the command line must exist: a typo must not silently mean defaults.
        if !file.exists() {
            return Err(CliError::usage(color_eyre::eyre::eyre!(
                "--config {}: no such file (without --config the default location is used; \
                 `queuecast config --print-default` prints a starting point)",
                crate::text::clean(&file.display().to_string())
            )));
        }
        paths.config_file = file.clone();
    }
    let mut config = Config::load(&paths.config_file).map_err(CliError::usage)?;
    if let Some(name) = &global.profile {
        let path = crate::config::GcProfiles::default_path().ok_or_else(|| {
            CliError::usage(color_eyre::eyre::eyre!(
                "--profile {name}: no home directory to find ~/.gc/config.toml in (set HOME)"
            ))
        })?;
        config
            .use_gc_profile(name, &path, |k| std::env::var(k).ok())
            .map_err(CliError::usage)?;
    }
    if let Some(base) = &global.api_base {
        config.genesys.api_base = Some(base.clone());
    }
    if let Some(region) = &global.region {
        config.genesys.region = Some(region.clone());
    }
    if let Some(tz) = &global.time_zone {
        config.time_zone_flag = Some(tz.clone());
    }
    config.validate().map_err(CliError::usage)?;
    Ok((config, paths))
}

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> CommandResult {
    let global = cli.global;
    match cli.command {
        None => dashboard::run(&global, Default::default()).await,
        Some(Command::Dashboard(args)) => dashboard::run(&global, args).await,
        Some(Command::Demo(args)) => demo::run(&global, args).await,
        Some(Command::Sandbox(args)) => sandbox::run(&global, args).await,
        Some(Command::Forecast(args)) => forecast::run(&global, args).await,
        Some(Command::Queues(args)) => queues::run(&global, args).await,
        Some(Command::Config(args)) => config::run(&global, args).await,
        Some(Command::Doctor) => doctor::run(&global).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("GET /x: cannot reach the server: {0}")]
    struct Quoting(#[source] std::io::Error);

    #[test]
    fn each_cause_is_printed_once() {
        let os = std::io::Error::from_raw_os_error(111);
        let os_text = os.to_string();
        let report = color_eyre::Report::new(Quoting(os));
        let text = error_text(&report);
        assert_eq!(text.matches(&os_text).count(), 1, "{text}");
        let report = color_eyre::eyre::eyre!("outer \u{1b}[2J").wrap_err("context");
        assert_eq!(error_text(&report), "context: outer [2J");
    }
}
