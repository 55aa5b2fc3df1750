//! Settings: embedded defaults, overlaid by the user's `config.toml`, then env vars, then flags.
//!
//! Credentials come from the variables Genesys' own tools use, so an analyst who already has
//! them exported for the CLI or Terraform needs nothing else.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::genesys::{AggregateQuery, ClientSettings, Endpoints};
use crate::granularity::Granularity;
use crate::history::FillMode;

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
}

#[derive(Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct GenesysConfig {
    /// Region domain (`mypurecloud.ie`) or AWS region name (`eu-west-1`).
    pub region: Option<String>,
    /// Full base URL overriding the region (sandbox, proxy); login is served from the same base.
    pub api_base: Option<String>,
    pub client_id: Option<String>,
    /// Prefer the env var; a secret in a file is accepted but never written back or printed.
    pub client_secret: Option<String>,
    pub connect_timeout_secs: u64,
    pub request_timeout_secs: u64,
    /// Longest `Retry-After` honoured before giving up (the official SDKs use 3 minutes).
    pub max_retry_after_secs: u64,
    /// Retries for 502/503/504 and connection errors.
    pub max_retries: u32,
    /// Days per aggregates query when a long range is split.
    pub chunk_days: u32,
    /// Aggregates queries in flight at once.
    pub max_concurrency: usize,
}

impl Default for GenesysConfig {
    fn default() -> Self {
        Self {
            region: None,
            api_base: None,
            client_id: None,
            client_secret: None,
            connect_timeout_secs: ClientSettings::DEFAULT_CONNECT_TIMEOUT.as_secs(),
            request_timeout_secs: ClientSettings::DEFAULT_REQUEST_TIMEOUT.as_secs(),
            max_retry_after_secs: ClientSettings::DEFAULT_MAX_RETRY_AFTER.as_secs(),
            max_retries: ClientSettings::DEFAULT_MAX_RETRIES,
            chunk_days: 7,
            max_concurrency: 3,
        }
    }
}

impl GenesysConfig {
    /// The client's settings: hosts from `api_base` (which wins) or `region`, the credentials
    /// (required), timeouts of at least a second, and the retry limits.
    pub fn client_settings(&self) -> Result<ClientSettings, ConfigError> {
        let non_empty = |v: &Option<String>| v.as_ref().filter(|s| !s.trim().is_empty()).cloned();
        let (Some(client_id), Some(client_secret)) =
            (non_empty(&self.client_id), non_empty(&self.client_secret))
        else {
            return Err(ConfigError::MissingCredentials);
        };
        let endpoints = if let Some(base) = non_empty(&self.api_base) {
            Endpoints::for_api_base(&base).map_err(|e| ConfigError::Invalid {
                setting: "genesys.api_base (GENESYSCLOUD_API_BASE / --api-base)",
                value: base,
                hint: e.hint,
            })?
        } else if let Some(region) = non_empty(&self.region) {
            Endpoints::for_region(&region).map_err(|e| ConfigError::Invalid {
                setting: "genesys.region (GENESYSCLOUD_REGION)",
                value: region,
                hint: e.hint,
            })?
        } else {
            return Err(ConfigError::MissingRegion);
        };
        Ok(ClientSettings {
            connect_timeout: Duration::from_secs(self.connect_timeout_secs.max(1)),
            request_timeout: Duration::from_secs(self.request_timeout_secs.max(1)),
            max_retry_after: Duration::from_secs(self.max_retry_after_secs),
            max_retries: self.max_retries,
            ..ClientSettings::new(endpoints, client_id.trim(), client_secret.trim())
        })
    }
}

/// Redacts the client secret: configs end up in logs and panic messages.
impl std::fmt::Debug for GenesysConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GenesysConfig")
            .field("region", &self.region)
            .field("api_base", &self.api_base)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[REDACTED]"),
            )
            .field("connect_timeout_secs", &self.connect_timeout_secs)
            .field("request_timeout_secs", &self.request_timeout_secs)
            .field("max_retry_after_secs", &self.max_retry_after_secs)
            .field("max_retries", &self.max_retries)
            .field("chunk_days", &self.chunk_days)
            .field("max_concurrency", &self.max_concurrency)
            .finish()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct HistoryConfig {
    /// Days of history to fetch.
    pub days: u32,
    pub granularity: Granularity,
    /// The contact centre's IANA time zone; buckets, windows and labels are in it.
    pub time_zone: String,
    /// Restrict to one media type (voice, chat, email, callback, message…); none = all.
    pub media_type: Option<String>,
    pub fill: FillMode,
}

impl Default for HistoryConfig {
    fn default() -> Self {
        Self {
            days: 90,
            granularity: Granularity::Pt1h,
            time_zone: "UTC".into(),
            media_type: None,
            fill: FillMode::Zero,
        }
    }
}

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
        let cfg: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
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
        Ok(cfg)
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
        if let Some(v) = non_empty(ENV_REGION) {
            self.genesys.region = Some(v);
        }
        if let Some(v) = non_empty(ENV_API_BASE) {
            self.genesys.api_base = Some(v);
        }
    }

    /// An aggregates query using the configured granularity, time zone, media type and chunking.
    pub fn aggregate_query(
        &self,
        queue_id: impl Into<String>,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> AggregateQuery {
        AggregateQuery {
            media_type: self.history.media_type.clone(),
            chunk_days: self.genesys.chunk_days,
            max_concurrency: self.genesys.max_concurrency,
            ..AggregateQuery::new(
                queue_id,
                start,
                end,
                self.history.granularity,
                self.history.time_zone.clone(),
            )
        }
    }

    /// The time zone of the contact centre.
    pub fn time_zone(&self) -> Result<Tz, ConfigError> {
        parse_time_zone(&self.history.time_zone)
    }

    /// Checks values a parse alone can't; each error names the setting and a fix.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.time_zone()?;
        let f = &self.forecast;
        if !(0.0 < f.interval_width && f.interval_width < 1.0) {
            return Err(invalid(
                "forecast.interval_width",
                f.interval_width,
                "use a probability between 0 and 1, e.g. 0.95",
            ));
        }
        if f.changepoint_prior_scale <= 0.0 {
            return Err(invalid(
                "forecast.changepoint_prior_scale",
                f.changepoint_prior_scale,
                "use a positive number, e.g. 0.05",
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
        let g = &self.genesys;
        if g.chunk_days == 0 {
            return Err(invalid("genesys.chunk_days", g.chunk_days, "use 1 or more"));
        }
        if g.max_concurrency == 0 {
            return Err(invalid(
                "genesys.max_concurrency",
                g.max_concurrency,
                "use 1 or more",
            ));
        }
        if self.history.days == 0 {
            return Err(invalid("history.days", self.history.days, "use 1 or more"));
        }
        if self.drift.threshold <= 0.0 {
            return Err(invalid(
                "drift.threshold",
                self.drift.threshold,
                "use a positive error ratio, e.g. 0.15",
            ));
        }
        Ok(())
    }
}

fn invalid(setting: &'static str, value: impl ToString, hint: &str) -> ConfigError {
    ConfigError::Invalid {
        setting,
        value: value.to_string(),
        hint: hint.to_string(),
    }
}

/// Parses an IANA zone name with an error that says how to fix it.
pub fn parse_time_zone(name: &str) -> Result<Tz, ConfigError> {
    name.parse::<Tz>().map_err(|_| ConfigError::Invalid {
        setting: "history.time_zone",
        value: name.to_string(),
        hint: "use an IANA time zone name such as Europe/Dublin or America/Chicago".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_default_file_equals_code_defaults() {
        let cfg = Config::from_toml(DEFAULT_CONFIG_TOML, Path::new("default-config.toml")).unwrap();
        assert_eq!(cfg, Config::default());
    }

    #[test]
    fn unknown_key_is_rejected_with_its_name() {
        let err = Config::from_toml("[forecast]\nhorizon = 3\n", Path::new("c.toml")).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("c.toml") && msg.contains("horizon"), "{msg}");
    }

    #[test]
    fn bad_time_zone_names_setting_and_fix() {
        let err = Config::from_toml(
            "[history]\ntime_zone = \"Mars/Olympus\"\n",
            Path::new("c.toml"),
        )
        .unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("history.time_zone") && msg.contains("IANA"),
            "{msg}"
        );
    }

    #[test]
    fn env_overrides_file_and_ignores_empty_values() {
        let mut cfg =
            Config::from_toml("[genesys]\nregion = \"mypurecloud.de\"\n", Path::new("c")).unwrap();
        cfg.apply_env(|k| match k {
            ENV_REGION => Some("eu-west-1".into()),
            ENV_CLIENT_ID => Some("  ".into()),
            _ => None,
        });
        assert_eq!(cfg.genesys.region.as_deref(), Some("eu-west-1"));
        assert_eq!(cfg.genesys.client_id, None);
    }

    #[test]
    fn debug_output_never_shows_the_secret() {
        let mut cfg = Config::default();
        cfg.genesys.client_secret = Some("s3cr3t-value".into());
        let shown = format!("{cfg:?} {cfg:#?}");
        assert!(!shown.contains("s3cr3t-value"), "{shown}");
        assert!(shown.contains("[REDACTED]"));
    }

    #[test]
    fn out_of_range_values_are_rejected() {
        let err = Config::from_toml("[windows]\nquantile = 1.5\n", Path::new("c")).unwrap_err();
        assert!(err.to_string().contains("windows.quantile"));
    }

    #[test]
    fn aggregate_query_takes_history_and_chunk_settings() {
        let mut cfg = Config::default();
        cfg.history.time_zone = "Europe/Dublin".into();
        cfg.history.media_type = Some("voice".into());
        cfg.genesys.chunk_days = 3;
        let q = cfg.aggregate_query("q", Utc::now(), Utc::now());
        assert_eq!(q.time_zone, "Europe/Dublin");
        assert_eq!(q.media_type.as_deref(), Some("voice"));
        assert_eq!((q.chunk_days, q.max_concurrency), (3, 3));
        assert_eq!(q.granularity, Granularity::Pt1h);
    }

    fn creds() -> GenesysConfig {
        GenesysConfig {
            client_id: Some("id".into()),
            client_secret: Some("secret".into()),
            ..GenesysConfig::default()
        }
    }

    #[test]
    fn region_domain_or_aws_name_gives_api_and_login_hosts() {
        for region in ["mypurecloud.ie", "eu-west-1"] {
            let s = GenesysConfig {
                region: Some(region.into()),
                ..creds()
            }
            .client_settings()
            .unwrap();
            assert_eq!(s.api_base, "https://api.mypurecloud.ie");
            assert_eq!(s.token_url, "https://login.mypurecloud.ie/oauth/token");
        }
    }

    #[test]
    fn api_base_override_serves_token_too_unless_it_is_a_real_api_host() {
        let s = GenesysConfig {
            api_base: Some("http://127.0.0.1:4010/".into()),
            region: Some("mypurecloud.de".into()),
            ..creds()
        }
        .client_settings()
        .unwrap();
        assert_eq!(s.api_base, "http://127.0.0.1:4010");
        assert_eq!(s.token_url, "http://127.0.0.1:4010/oauth/token");
        let s = GenesysConfig {
            api_base: Some("https://api.mypurecloud.jp".into()),
            ..creds()
        }
        .client_settings()
        .unwrap();
        assert_eq!(s.token_url, "https://login.mypurecloud.jp/oauth/token");
    }

    #[test]
    fn missing_or_bad_settings_are_specific() {
        let e = GenesysConfig {
            region: Some("eu-west-1".into()),
            ..GenesysConfig::default()
        }
        .client_settings()
        .unwrap_err();
        assert!(matches!(e, ConfigError::MissingCredentials));
        let e = creds().client_settings().unwrap_err();
        assert!(matches!(e, ConfigError::MissingRegion));
        let e = GenesysConfig {
            region: Some("mygen.com".into()),
            ..creds()
        }
        .client_settings()
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("mygen.com") && e.contains("mypurecloud.ie (eu-west-1)"),
            "{e}"
        );
        let e = GenesysConfig {
            api_base: Some("http://proxy.corp.example".into()),
            ..creds()
        }
        .client_settings()
        .unwrap_err()
        .to_string();
        assert!(e.contains("https"), "{e}");
    }

    #[test]
    fn client_settings_trim_credentials_and_floor_timeouts() {
        let s = GenesysConfig {
            region: Some("eu-west-1".into()),
            client_id: Some(" id ".into()),
            client_secret: Some(" secret\n".into()),
            connect_timeout_secs: 0,
            max_retries: 2,
            ..GenesysConfig::default()
        }
        .client_settings()
        .unwrap();
        assert_eq!(
            (s.client_id.as_str(), s.client_secret.expose()),
            ("id", "secret")
        );
        assert_eq!(s.connect_timeout, Duration::from_secs(1));
        assert_eq!(s.request_timeout, ClientSettings::DEFAULT_REQUEST_TIMEOUT);
        assert_eq!(s.max_retries, 2);
        assert_eq!(s.min_backoff, ClientSettings::DEFAULT_MIN_BACKOFF);
    }
}
