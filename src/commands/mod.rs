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
    /// `forecast --check-drift`: the last forecast missed; retraining recommended.
    pub const RETRAIN: u8 = 10;
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

/// What a command returns: an exit code on success (0, or 10 for retraining recommended).
pub type CommandResult = Result<u8, CliError>;

pub mod config;
pub mod dashboard;
pub mod demo;
pub mod forecast;
pub mod queues;
pub mod sandbox;

use crate::cli::{Cli, Command, GlobalArgs};
use crate::config::{Config, Paths};

/// Config file + env + global flags, in that order of precedence (last wins).
pub fn load_config(global: &GlobalArgs) -> Result<(Config, Paths), CliError> {
    let mut paths = Paths::discover();
    if let Some(file) = &global.config {
        paths.config_file = file.clone();
    }
    let mut config = Config::load(&paths.config_file).map_err(CliError::usage)?;
    if let Some(base) = &global.api_base {
        config.genesys.api_base = Some(base.clone());
    }
    if let Some(region) = &global.region {
        config.genesys.region = Some(region.clone());
    }
    if let Some(tz) = &global.time_zone {
        config.history.time_zone = tz.clone();
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
    }
}
