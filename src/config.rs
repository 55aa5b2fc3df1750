//! Settings: embedded defaults, overlaid by the user's `config.toml`, then env vars, then flags.
//!
//! Credentials come from the variables Genesys' own tools use, so an analyst who already has
//! them exported for the CLI or Terraform needs nothing else.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::genesys::{AggregateQuery, Direction, DirectionDimension};
use crate::granularity::Granularity;
use crate::history::FillMode;

mod campaign;
pub use campaign::{CampaignConfig, DEFAULT_SCHEDULE_MARGIN_MIN};
mod limits;
mod org;
pub use limits::{LimitsConfig, bounds};
pub use org::GenesysConfig;
mod profile;
pub use profile::{GcProfile, GcProfiles, ProfileError};
mod staffing;
pub use staffing::{SourceKind, StaffedBasis, StaffingSettings, WindowsMode};
mod zone;
pub use zone::{ZoneSaveError, parse_time_zone, save_history_zone};

/// Env var names shared with Genesys' own tooling; genesys owns them because its errors cite them.
pub use crate::genesys::{ENV_API_BASE, ENV_CLIENT_ID, ENV_CLIENT_SECRET, ENV_REGION};
/// Points queuecast at another config file (tests, several orgs).
pub const ENV_CONFIG: &str = "QUEUECAST_CONFIG";
/// Overrides the data dir (saved forecasts, last queue, logs); tests use it to stay hermetic.
pub const ENV_DATA_DIR: &str = "QUEUECAST_DATA_DIR";

/// The commented default file printed by `queuecast config --print-default`.
pub const DEFAULT_CONFIG_TOML: &str = include_str!("../assets/default-config.toml");

/// Everything that can be configured. Field defaults equal `assets/default-config.toml`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub genesys: GenesysConfig,
    pub history: HistoryConfig,
    pub forecast: ForecastConfig,
    pub windows: WindowsConfig,
    pub drift: DriftConfig,
    pub staffing: StaffingSettings,
    pub campaign: CampaignConfig,
    pub limits: LimitsConfig,
    /// Per-queue settings by queue name: `[queues."Sales Inbound"] time_zone = "…"`.
    pub queues: BTreeMap<String, QueueConfig>,
    /// `--time-zone` for this run: wins over every zone in the file.
    #[serde(skip)]
    pub time_zone_flag: Option<String>,
    /// The gc CLI profile `[genesys]` came from (`--profile`): its name and file.
    #[serde(skip)]
    pub gc_profile: Option<(String, PathBuf)>,
}

/// Settings of one queue, overriding the `[history]` ones for it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct QueueConfig {
    /// The IANA zone of the centre this queue serves.
    pub time_zone: Option<String>,
}

/// Where a queue's time zone came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZoneSource {
    /// `--time-zone`.
    Flag,
    /// `[queues."<name>"] time_zone`.
    Queue(String),
    /// `[history] time_zone`.
    History,
    /// Nothing configured: UTC by default, which no real contact centre should rely on.
    Implicit,
}

/// A queue's time zone and why it is that one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneChoice {
    pub tz: Tz,
    pub source: ZoneSource,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct HistoryConfig {
    /// Days of history to fetch.
    pub days: u32,
    pub granularity: Granularity,
    /// The contact centre's IANA time zone; buckets, windows and labels are in it. Unset:
    /// refused against a real org (no silent UTC), UTC for a file.
    pub time_zone: Option<String>,
    /// Media types counted (voice, chat, email, callback, message, …); empty = all. WFM plans
    /// one media type per planning group, so the default is voice.
    pub media_types: Vec<String>,
    /// Direction counted: inbound (default: a campaign's own calls are not inbound demand),
    /// outbound, or all.
    pub direction: DirectionSetting,
    /// The dimension the direction is read from (`originatingDirection` or `direction`; see
    /// `genesys/aggregates.rs` for why the first is the default).
    pub direction_dimension: DirectionDimension,
    pub fill: FillMode,
    /// The earlier single `media_type = "voice"`, still read so existing files keep working:
    /// it becomes `media_types = ["voice"]` ([`Config::from_toml`]); never written.
    #[serde(rename = "media_type", skip_serializing)]
    pub legacy_media_type: Option<String>,
}

/// `history.direction`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum DirectionSetting {
    #[default]
    Inbound,
    Outbound,
    All,
}

impl DirectionSetting {
    pub fn direction(self) -> Option<Direction> {
        match self {
            DirectionSetting::Inbound => Some(Direction::Inbound),
            DirectionSetting::Outbound => Some(Direction::Outbound),
            DirectionSetting::All => None,
        }
    }
}

impl Default for HistoryConfig {
    fn default() -> Self {
        Self {
            days: 90,
            granularity: Granularity::Pt1h,
            time_zone: None,
            media_types: vec!["voice".into()],
            direction: DirectionSetting::Inbound,
            direction_dimension: DirectionDimension::OriginatingDirection,
            fill: FillMode::Zero,
            legacy_media_type: None,
        }
    }
}

/// The `mediaType` values of the aggregates dimension (`../shared/genesys-api/README.md` (c)).
pub const MEDIA_TYPES: [&str; 11] = [
    "voice",
    "chat",
    "email",
    "callback",
    "message",
    "cobrowse",
    "video",
    "screenshare",
    "screenmonitoring",
    "internalmessage",
    "unknown",
];

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum SeasonalityMode {
    #[default]
    Additive,
    Multiplicative,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ForecastConfig {
    /// `auto` (backtested choice) or a model name (`prophet-seed`, `seasonal-naive`, …).
    pub model: String,
    pub horizon_days: u32,
    pub interval_width: f64,
    pub changepoint_prior_scale: f64,
    pub seasonality_mode: SeasonalityMode,
    pub daily_seasonality: bool,
    pub weekly_seasonality: bool,
    pub uncertainty_samples: u32,
    /// Seed for everything random queuecast controls, so runs are reproducible.
    pub seed: u64,
    /// Rolling-origin folds in the backtest.
    pub backtest_folds: u32,
    /// Weeks the `seasonal-median` model takes the median over. Default 4, by measurement
    /// (tools/peer_benchmark.py --qc-config, 7 shared series, 4 one-week folds): geometric-mean
    /// MASE relative to the weekly naive 1.013 / 0.992 / 1.005 / 0.968 for k = 1 / 2 / 3 / 4,
    /// relative MSIS 0.994 / 0.798 / 0.833 / 0.775, beating the naive on 0 / 4 / 4 / 5 series.
    pub naive_weeks: u32,
    /// Public-holiday calendar of the contact centre (`US`, `GB-ENG`, `IL`, …; empty for none).
    pub holidays: String,
    /// The org's own closure days, one `YYYY-MM-DD` a line (relative to the config file).
    pub closures_file: String,
    /// The days read from `closures_file` when the config was loaded.
    #[serde(skip)]
    pub closure_days: Vec<chrono::NaiveDate>,
    /// Iteration cap of one model fit (Prophet's L-BFGS).
    pub fit_max_iterations: u32,
    /// Wall-clock budget of one model fit, in seconds.
    pub fit_max_seconds: u32,
}

impl Default for ForecastConfig {
    fn default() -> Self {
        Self {
            model: "auto".into(),
            horizon_days: 7,
            interval_width: 0.95,
            changepoint_prior_scale: 0.05,
            seasonality_mode: SeasonalityMode::Additive,
            daily_seasonality: true,
            weekly_seasonality: true,
            uncertainty_samples: 1000,
            seed: 42,
            backtest_folds: 4,
            naive_weeks: 4,
            holidays: String::new(),
            closures_file: String::new(),
            closure_days: Vec::new(),
            // Python Prophet's `iter=1e4`; a year of hours fits in <= 212 iterations and 41 ms.
            fit_max_iterations: 10_000,
            fit_max_seconds: 60,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct WindowsConfig {
    /// Low-volume threshold as a quantile of the future `yhat` within calling hours.
    pub quantile: f64,
    /// Windows shorter than this are dropped.
    pub min_window_minutes: u32,
    /// Local calling hours, `HH:MM-HH:MM`; empty string = all day.
    pub calling_hours: String,
    /// Days on which calling is allowed (mon…sun).
    pub calling_days: Vec<String>,
}

impl Default for WindowsConfig {
    fn default() -> Self {
        Self {
            quantile: 0.25,
            min_window_minutes: 60,
            calling_hours: "08:00-21:00".into(),
            calling_days: ["mon", "tue", "wed", "thu", "fri", "sat"]
                .map(String::from)
                .to_vec(),
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum DriftMetric {
    #[default]
    Wape,
    Mape,
}

impl DriftMetric {
    /// How reports spell the metric.
    pub fn label(self) -> &'static str {
        match self {
            DriftMetric::Wape => "WAPE",
            DriftMetric::Mape => "MAPE",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct DriftConfig {
    pub metric: DriftMetric,
    /// Error above which retraining is recommended.
    pub threshold: f64,
}

impl Default for DriftConfig {
    fn default() -> Self {
        Self {
            metric: DriftMetric::Wape,
            threshold: 0.15,
        }
    }
}

/// A configuration problem, phrased for the person who has to fix it.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid config file {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("invalid setting {setting} = {value:?}: {hint}")]
    Invalid {
        setting: &'static str,
        value: String,
        hint: String,
    },
    #[error(
        "no Genesys Cloud credentials: set {ENV_CLIENT_ID} and {ENV_CLIENT_SECRET} \
         (an OAuth client with the client-credentials grant), or run `queuecast demo` to try the sandbox"
    )]
    MissingCredentials,
    #[error(
        "no Genesys Cloud region: set {ENV_REGION} (e.g. mypurecloud.ie or eu-west-1), \
         or {ENV_API_BASE} / --api-base to a server URL"
    )]
    MissingRegion,
    #[error(
        "no time zone for queue {queue:?}: queuecast will not assume UTC for a real contact \
         centre (windows would land on the wrong hours). Set time_zone under [history] in \
         config.toml (e.g. time_zone = \"America/New_York\"), or [queues.\"{queue}\"] \
         time_zone = \"...\" for this queue, or pass --time-zone"
    )]
    ImplicitTimeZone { queue: String },
}

/// Where queuecast keeps its files.
#[derive(Debug, Clone)]
pub struct Paths {
    pub config_file: PathBuf,
    /// Saved forecasts, last queue.
    pub data_dir: PathBuf,
    /// Log files.
    pub log_dir: PathBuf,
}

impl Paths {
    /// Platform dirs, with `QUEUECAST_CONFIG` / `QUEUECAST_DATA_DIR` overrides.
    pub fn discover() -> Self {
        let dirs = directories::ProjectDirs::from("", "", "queuecast");
        let config_file = std::env::var_os(ENV_CONFIG)
            .map(PathBuf::from)
            .or_else(|| dirs.as_ref().map(|d| d.config_dir().join("config.toml")))
            .unwrap_or_else(|| PathBuf::from("queuecast.toml"));
        let data_dir = std::env::var_os(ENV_DATA_DIR)
            .map(PathBuf::from)
            .or_else(|| dirs.as_ref().map(|d| d.data_dir().to_path_buf()))
            .unwrap_or_else(|| PathBuf::from(".queuecast"));
        let log_dir = if std::env::var_os(ENV_DATA_DIR).is_some() {
            data_dir.join("logs")
        } else {
            dirs.as_ref()
                .and_then(|d| d.state_dir().map(Path::to_path_buf))
                .unwrap_or_else(|| data_dir.clone())
                .join("logs")
        };
        Self {
            config_file,
            data_dir,
            log_dir,
        }
    }

    /// Per-user keybinding overrides live beside the config file.
    pub fn keybindings_file(&self) -> PathBuf {
        self.config_file
            .parent()
            .map(|p| p.join("keybindings.toml"))
            .unwrap_or_else(|| PathBuf::from("keybindings.toml"))
    }
}

impl Config {
    /// Parse a config document; `path` only names the file in errors.
    pub fn from_toml(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let mut cfg: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        if let Some(m) = cfg.history.legacy_media_type.take() {
            cfg.history.media_types = vec![m];
        }
        cfg.validate()?;
        Ok(cfg)
    }

    /// Defaults overlaid by the file (if it exists) and then the env vars.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let mut cfg = match std::fs::read_to_string(path) {
            Ok(text) => Self::from_toml(&text, path)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Config::default(),
            Err(source) => {
                return Err(ConfigError::Read {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        cfg.apply_env(|k| std::env::var(k).ok());
        cfg.validate()?;
        cfg.read_closures(path)?;
        Ok(cfg)
    }

    /// Reads `forecast.closures_file` (relative to the config file's folder) into
    /// `forecast.closure_days`.
    pub fn read_closures(&mut self, config_path: &Path) -> Result<(), ConfigError> {
        let name = self.forecast.closures_file.trim();
        if name.is_empty() {
            return Ok(());
        }
        let path = config_path
            .parent()
            .map_or_else(|| PathBuf::from(name), |dir| dir.join(name));
        let text = std::fs::read_to_string(&path).map_err(|e| {
            invalid(
                "forecast.closures_file",
                path.display(),
                &format!("cannot read it ({e}); give a readable file or \"\" for none"),
            )
        })?;
        self.forecast.closure_days = crate::holidays::parse_closures(&text).map_err(|m| {
            invalid(
                "forecast.closures_file",
                path.display(),
                &format!("{m} (one closure day per line, `#` comments allowed)"),
            )
        })?;
        Ok(())
    }

    /// Env overrides; takes a lookup so tests don't touch the process environment.
    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) {
        let non_empty = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        if let Some(v) = non_empty(ENV_CLIENT_ID) {
            self.genesys.client_id = Some(v);
        }
        if let Some(v) = non_empty(ENV_CLIENT_SECRET) {
            self.genesys.client_secret = Some(v);
        }
        if let Some(v) = non_empty(crate::genesys::ENV_ACCESS_TOKEN) {
            self.genesys.access_token = Some(v);
        }
        if let Some(v) = non_empty(ENV_REGION) {
            self.genesys.region = Some(v);
        }
        if let Some(v) = non_empty(ENV_API_BASE) {
            self.genesys.api_base = Some(v);
        }
    }

    /// An aggregates query for `queue_ids` with the configured granularity, zone `tz`, media
    /// types, direction and chunking; `tHandle` comes with `nOffered` in the same requests.
    pub fn aggregate_query(
        &self,
        queue_ids: Vec<String>,
        tz: Tz,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> AggregateQuery {
        let h = &self.history;
        AggregateQuery {
            media_types: h.media_types.clone(),
            direction: h.direction.direction().map(|d| (h.direction_dimension, d)),
            metrics: vec![
                crate::genesys::Metric::NOffered,
                crate::genesys::Metric::THandle,
            ],
            chunk_days: self.genesys.chunk_days,
            max_concurrency: self.genesys.max_concurrency,
            queues_per_query: self.genesys.queues_per_query,
            ..AggregateQuery::for_queues(queue_ids, start, end, h.granularity, tz.name())
        }
    }

    /// What API history counts under these settings.
    pub fn counted(&self) -> crate::history::Counted {
        let h = &self.history;
        let direction = h.direction.direction();
        crate::history::Counted {
            media_types: h.media_types.clone(),
            direction,
            direction_dimension: direction.map(|_| h.direction_dimension),
        }
    }

    /// The contact centre's zone for everything not tied to one queue: `--time-zone`, else
    /// `history.time_zone`, else UTC.
    pub fn time_zone(&self) -> Result<Tz, ConfigError> {
        match self
            .time_zone_flag
            .as_deref()
            .or(self.history.time_zone.as_deref())
        {
            Some(name) => parse_time_zone(name),
            None => Ok(Tz::UTC),
        }
    }

    /// Whether any zone is configured (flag, `[history]` or any `[queues.…]`).
    pub fn has_time_zone(&self) -> bool {
        self.time_zone_flag.is_some()
            || self.history.time_zone.is_some()
            || self.queues.values().any(|q| q.time_zone.is_some())
    }

    /// The zone of the queue named `queue`: `--time-zone`, else `[queues."<queue>"]` (name
    /// matched without regard to case), else `[history]`, else an implicit UTC.
    pub fn zone_for(&self, queue: &str) -> Result<ZoneChoice, ConfigError> {
        let per_queue = self
            .queues
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(queue.trim()))
            .and_then(|(name, q)| q.time_zone.as_deref().map(|z| (name, z)));
        let (name, source) = match (&self.time_zone_flag, per_queue, &self.history.time_zone) {
            (Some(z), _, _) => (z.as_str(), ZoneSource::Flag),
            (None, Some((q, z)), _) => (z, ZoneSource::Queue(q.clone())),
            (None, None, Some(z)) => (z.as_str(), ZoneSource::History),
            (None, None, None) => {
                return Ok(ZoneChoice {
                    tz: Tz::UTC,
                    source: ZoneSource::Implicit,
                });
            }
        };
        Ok(ZoneChoice {
            tz: parse_time_zone(name)?,
            source,
        })
    }

    /// [`Self::zone_for`], refusing the implicit UTC: what a forecast or a schedule against a
    /// real org needs.
    pub fn require_zone_for(&self, queue: &str) -> Result<Tz, ConfigError> {
        let choice = self.zone_for(queue)?;
        if choice.source == ZoneSource::Implicit {
            return Err(ConfigError::ImplicitTimeZone {
                queue: queue.to_string(),
            });
        }
        Ok(choice.tz)
    }

    /// Checks values a parse alone can't; each error names the setting and a fix.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.time_zone()?;
        for (name, q) in &self.queues {
            if let Some(z) = &q.time_zone {
                parse_time_zone(z).map_err(|_| ConfigError::Invalid {
                    setting: "queues.<name>.time_zone",
                    value: format!("{z} (queue {name:?})"),
                    hint: "use an IANA time zone name such as Europe/Dublin or America/Chicago"
                        .into(),
                })?;
            }
        }
        for m in &self.history.media_types {
            if !MEDIA_TYPES.contains(&m.as_str()) {
                return Err(invalid(
                    "history.media_types",
                    m,
                    &format!("use media types from: {}", MEDIA_TYPES.join(", ")),
                ));
            }
        }
        let f = &self.forecast;
        if !(0.0 < f.interval_width && f.interval_width < 1.0) {
            return Err(invalid(
                "forecast.interval_width",
                f.interval_width,
                "use a probability between 0 and 1, e.g. 0.95",
            ));
        }
        if !(f.changepoint_prior_scale > 0.0 && f.changepoint_prior_scale.is_finite()) {
            return Err(invalid(
                "forecast.changepoint_prior_scale",
                f.changepoint_prior_scale,
                "use a positive number, e.g. 0.05",
            ));
        }
        if f.naive_weeks == 0 || f.naive_weeks > 12 {
            return Err(invalid(
                "forecast.naive_weeks",
                f.naive_weeks,
                "use 1 to 12 weeks",
            ));
        }
        if let Err(e) = crate::holidays::Calendar::new(&f.holidays, &[]) {
            return Err(invalid(
                "forecast.holidays",
                &f.holidays,
                &format!("use \"\" for none or one of {}", e.valid),
            ));
        }
        if f.horizon_days == 0 || f.horizon_days > 90 {
            return Err(invalid(
                "forecast.horizon_days",
                f.horizon_days,
                "use 1 to 90 days",
            ));
        }
        let w = &self.windows;
        if !(0.0 < w.quantile && w.quantile < 1.0) {
            return Err(invalid(
                "windows.quantile",
                w.quantile,
                "use a quantile between 0 and 1, e.g. 0.25",
            ));
        }
        self.validate_bounds()?;
        if !(self.drift.threshold > 0.0 && self.drift.threshold.is_finite()) {
            return Err(invalid(
                "drift.threshold",
                self.drift.threshold,
                "use a positive error ratio, e.g. 0.15",
            ));
        }
        self.campaign.validate()?;
        self.staffing.validate()
    }
}

impl Config {
    /// The settings whose cost grows with their value, each between 1 (or 0) and its bound.
    fn validate_bounds(&self) -> Result<(), ConfigError> {
        use bounds::*;
        let (f, g, l) = (&self.forecast, &self.genesys, &self.limits);
        within(
            "history.days (--days)",
            self.history.days,
            1,
            MAX_HISTORY_DAYS,
        )?;
        within(
            "forecast.uncertainty_samples (--uncertainty-samples)",
            f.uncertainty_samples,
            0,
            MAX_UNCERTAINTY_SAMPLES,
        )?;
        within(
            "forecast.backtest_folds",
            f.backtest_folds,
            1,
            MAX_BACKTEST_FOLDS,
        )?;
        within(
            "forecast.fit_max_iterations",
            f.fit_max_iterations,
            10,
            MAX_FIT_ITERATIONS,
        )?;
        within(
            "forecast.fit_max_seconds",
            f.fit_max_seconds,
            1,
            MAX_FIT_SECONDS,
        )?;
        within("genesys.max_retries", g.max_retries, 0, MAX_RETRIES)?;
        within(
            "genesys.retry_deadline_secs",
            g.retry_deadline_secs,
            1,
            MAX_TIMEOUT_SECS,
        )?;
        within(
            "genesys.connect_timeout_secs",
            g.connect_timeout_secs,
            1,
            MAX_TIMEOUT_SECS,
        )?;
        within(
            "genesys.request_timeout_secs",
            g.request_timeout_secs,
            1,
            MAX_TIMEOUT_SECS,
        )?;
        within(
            "genesys.max_retry_after_secs",
            g.max_retry_after_secs,
            0,
            MAX_TIMEOUT_SECS,
        )?;
        within("genesys.chunk_days", g.chunk_days, 1, MAX_CHUNK_DAYS)?;
        within(
            "genesys.max_concurrency",
            g.max_concurrency,
            1,
            MAX_CONCURRENCY,
        )?;
        within("genesys.queues_per_query", g.queues_per_query, 1, 1000)?;
        within(
            "windows.min_window_minutes",
            self.windows.min_window_minutes,
            0,
            24 * 60,
        )?;
        if self.windows.calling_days.is_empty() {
            return Err(invalid(
                "windows.calling_days",
                "[]",
                "name at least one day, e.g. [\"mon\", \"tue\"]; with no calling day there \
                 is no window to find",
            ));
        }
        within("limits.max_file_mb", l.max_file_mb, 1, MAX_FILE_MB)?;
        within("limits.max_buckets", l.max_buckets, 2, MAX_BUCKETS)?;
        within("limits.max_gap_days", l.max_gap_days, 0, MAX_HISTORY_DAYS)?;
        within(
            "limits.max_fetch_buckets",
            l.max_fetch_buckets,
            2,
            MAX_FETCH_BUCKETS,
        )?;
        Ok(())
    }
}

/// `value` of `setting` in `lo..=hi`, or an error naming both bounds.
fn within<T: PartialOrd + std::fmt::Display>(
    setting: &'static str,
    value: T,
    lo: T,
    hi: T,
) -> Result<(), ConfigError> {
    if lo <= value && value <= hi {
        return Ok(());
    }
    Err(invalid(setting, &value, &format!("use {lo} to {hi}")))
}

fn invalid(setting: &'static str, value: impl ToString, hint: &str) -> ConfigError {
    ConfigError::Invalid {
        setting,
        value: value.to_string(),
        hint: hint.to_string(),
    }
}

#[cfg(test)]
mod tests;
