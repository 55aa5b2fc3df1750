//! Command-line interface: one parser for the dashboard, the demo, the sandbox and headless runs.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::export::ExportFormat;
use crate::granularity::Granularity;
use crate::history::InputClock;
use crate::sandbox::{FaultArgs, OrgArgs};

#[derive(Debug, Parser)]
#[command(
    name = "queuecast",
    version,
    about = "Forecast Genesys Cloud queue volume and schedule outbound campaigns into the quiet hours"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Settings every subcommand accepts; they override config file and env vars.
#[derive(Debug, Args, Clone, Default)]
pub struct GlobalArgs {
    /// Any server that speaks the Genesys Cloud API (overrides region) [env: GENESYSCLOUD_API_BASE]
    #[arg(long, global = true, value_name = "URL")]
    pub api_base: Option<String>,
    /// Region domain or AWS region name [env: GENESYSCLOUD_REGION]
    #[arg(long, global = true)]
    pub region: Option<String>,
    /// Org and credentials from this profile of the official gc CLI (~/.gc/config.toml,
    /// read-only); GENESYSCLOUD_* env vars and --region/--api-base still win over it
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// Config file to use instead of the platform default [env: QUEUECAST_CONFIG]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Contact centre time zone (IANA name), overrides history.time_zone and [queues.…]
    /// time_zone; required against a real org unless configured
    #[arg(long, global = true, value_name = "ZONE")]
    pub time_zone: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the dashboard against the embedded sandbox org: no credentials needed
    Demo(DemoArgs),
    /// Serve the sandbox org (a simulated Genesys Cloud on loopback) until Ctrl-C
    Sandbox(SandboxArgs),
    /// Headless forecast for scripts and cron; prints a summary or writes an export
    Forecast(ForecastArgs),
    /// List queues (name, id): the first check that credentials work
    Queues(QueuesArgs),
    /// Show or print configuration
    Config(ConfigArgs),
    /// Check, against the configured org, each permission queuecast needs (one cheap read
    /// per API; writes are never sent, only listed)
    #[command(after_help = "Exit codes:
  0   every read check passed
  2   usage or config error
  3   sign-in or network failed: nothing was checked
  6   at least one check was not OK (a missing permission is named with the role permission \
that grants it)")]
    Doctor,
    /// Run the dashboard (the default when no subcommand is given)
    Dashboard(DashboardArgs),
}

#[derive(Debug, Args, Clone, Default)]
pub struct DashboardArgs {
    /// Queue to open directly (name or id) instead of the picker
    #[arg(long)]
    pub queue: Option<String>,
}

#[derive(Debug, Args, Clone, Default)]
pub struct DemoArgs {
    #[command(flatten)]
    pub dashboard: DashboardArgs,
    #[command(flatten)]
    pub org: OrgArgs,
    #[command(flatten)]
    pub faults: FaultArgs,
}

#[derive(Debug, Args, Clone)]
pub struct SandboxArgs {
    /// Port to listen on (0 = any free port)
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Address to bind; loopback by default so nothing outside this machine can reach it
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
    /// Add a queue from your own series: NAME=FILE.csv (header ds,y); repeatable
    #[arg(long = "queue", value_name = "NAME=FILE.csv")]
    pub queues: Vec<String>,
    #[command(flatten)]
    pub org: OrgArgs,
    #[command(flatten)]
    pub faults: FaultArgs,
}

/// Forecast queues (from the API, or a `ds,y` CSV with --input) and print a summary or exports.
#[derive(Debug, Args, Clone, Default)]
#[command(
    after_help = "Many queues: several --queue, a `*` wildcard, --all or --export-dir forecast \
each queue in parallel, write one export per queue plus index.json into --export-dir, and print \
a table (one line per queue). A queue that fails is listed with its error; the others go on.

Exit codes:
  0   ok
  2   usage or config error (bad flag, config value, queue name or path)
  3   API or network error
  4   data error (bad CSV row, too little history, model failure)
  5   many queues: at least one queue failed (the others were forecast; see the table/index.json)
  10  retraining recommended (only with --check-drift; many queues: for at least one queue)"
)]
pub struct ForecastArgs {
    /// Queue name, id, or name with `*` wildcards (e.g. 'Sales*'); repeatable (not needed with --input)
    #[arg(long, value_name = "NAME_OR_ID")]
    pub queue: Vec<String>,
    /// Forecast every queue of the org
    #[arg(long, conflicts_with = "input")]
    pub all: bool,
    /// Many queues: write one export per queue and index.json into this directory
    #[arg(long, value_name = "DIR", conflicts_with_all = ["input", "export"])]
    pub export_dir: Option<PathBuf>,
    /// Many queues: fits at once (default: the number of cores)
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Days of history to use: fetched from the API, or the last days of --input
    #[arg(long)]
    pub days: Option<u32>,
    /// Days to forecast
    #[arg(long)]
    pub horizon_days: Option<u32>,
    /// Bucket size: PT15M, PT30M or PT1H
    #[arg(long)]
    pub granularity: Option<Granularity>,
    /// Model: auto, prophet-seed, prophet-tuned, mstl-ets, seasonal-naive, seasonal-median
    #[arg(long)]
    pub model: Option<String>,
    /// Public-holiday calendar of the centre, e.g. US, GB-ENG, IL ("" = none)
    #[arg(long, value_name = "CODE")]
    pub holidays: Option<String>,
    /// Write the forecast here ("-" = stdout)
    #[arg(long, value_name = "PATH")]
    pub export: Option<PathBuf>,
    /// Export format [default: from --export's extension (.json, .csv), else json]
    #[arg(long, value_enum)]
    pub format: Option<ExportFormat>,
    /// Forecast a CSV file (header ds,y) instead of fetching from the API
    #[arg(long, value_name = "FILE.csv")]
    pub input: Option<PathBuf>,
    /// How --input's ds are read: auto (an offset or Z is an instant, none is local time),
    /// local (every ds is the centre's wall clock, any offset dropped) or utc (no offset = UTC)
    #[arg(long, value_enum, value_name = "CLOCK", requires = "input")]
    pub input_clock: Option<InputClock>,
    /// Compare the last saved forecast with the actuals since; exit 10 if retraining is recommended
    #[arg(long)]
    pub check_drift: bool,
    /// Also print to stderr the notes that are the same on every run (how the band was
    /// calibrated); by default they are one line of the summary, so cron mails only news.
    /// Over several queues: each queue's warnings and note, the queue named on each line
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// Missing buckets: zero (Genesys omits empty buckets) or ffill
    #[arg(long)]
    pub fill: Option<String>,
    /// Prophet changepoint prior scale
    #[arg(long)]
    pub changepoint_prior_scale: Option<f64>,
    /// Prediction interval width (0–1)
    #[arg(long)]
    pub interval_width: Option<f64>,
    /// additive or multiplicative
    #[arg(long)]
    pub seasonality_mode: Option<String>,
    /// Low-volume quantile of the forecast (0–1)
    #[arg(long)]
    pub quantile: Option<f64>,
    /// Local calling hours for windows, HH:MM-HH:MM ("" = all day)
    #[arg(long)]
    pub calling_hours: Option<String>,
    /// Uncertainty samples for the interval (0 = none)
    #[arg(long)]
    pub uncertainty_samples: Option<u32>,
}

#[derive(Debug, Args, Clone, Default)]
pub struct QueuesArgs {
    /// Name filter; `*` at the start and/or end is a wildcard (e.g. "Sales*")
    #[arg(long)]
    pub name: Option<String>,
}

#[derive(Debug, Args, Clone, Default)]
pub struct ConfigArgs {
    /// Print a commented default config.toml
    #[arg(long)]
    pub print_default: bool,
    /// Print where queuecast reads and writes its files
    #[arg(long)]
    pub paths: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn forecast_flags_parse() {
        let cli = Cli::try_parse_from([
            "queuecast",
            "forecast",
            "--queue",
            "Sales",
            "--granularity",
            "PT30M",
            "--export",
            "-",
            "--check-drift",
            "--api-base",
            "http://127.0.0.1:1",
        ])
        .unwrap();
        let Some(Command::Forecast(f)) = cli.command else {
            panic!("not forecast")
        };
        assert_eq!(f.granularity, Some(Granularity::Pt30m));
        assert!(f.check_drift);
        assert_eq!(cli.global.api_base.as_deref(), Some("http://127.0.0.1:1"));
    }
}
