use super::*;
use std::time::Duration;

use crate::genesys::ClientSettings;

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
    cfg.genesys.chunk_days = 3;
    cfg.genesys.queues_per_query = 20;
    let tz = chrono_tz::Europe::Dublin;
    let q = cfg.aggregate_query(vec!["q".into()], tz, Utc::now(), Utc::now());
    assert_eq!(q.time_zone, "Europe/Dublin");
    assert_eq!(q.media_types, ["voice"]);
    assert_eq!(
        q.direction,
        Some((DirectionDimension::OriginatingDirection, Direction::Inbound))
    );
    assert_eq!(
        (q.chunk_days, q.max_concurrency, q.queues_per_query),
        (3, 3, 20)
    );
    assert_eq!(q.granularity, Granularity::Pt1h);
    assert!(q.metrics.contains(&crate::genesys::Metric::THandle));
    cfg.history.direction = DirectionSetting::All;
    cfg.history.media_types.clear();
    let q = cfg.aggregate_query(vec!["q".into()], tz, Utc::now(), Utc::now());
    assert_eq!((q.direction, q.media_types.len()), (None, 0));
    assert_eq!(cfg.counted().to_string(), "all media, both directions");
}

#[test]
fn the_earlier_single_media_type_still_reads() {
    let cfg = Config::from_toml("[history]\nmedia_type = \"chat\"\n", Path::new("c")).unwrap();
    assert_eq!(cfg.history.media_types, ["chat"]);
    assert_eq!(cfg.history.legacy_media_type, None);
    let e = Config::from_toml("[history]\nmedia_type = \"fax\"\n", Path::new("c"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("history.media_types"), "{e}");
}

#[test]
fn history_filters_are_read_and_checked() {
    let cfg = Config::from_toml(
        "[history]\nmedia_types = [\"voice\", \"callback\"]\ndirection = \"outbound\"\ndirection_dimension = \"direction\"\n",
        Path::new("c.toml"),
    )
    .unwrap();
    assert_eq!(cfg.history.media_types, ["voice", "callback"]);
    assert_eq!(
        cfg.counted().to_string(),
        "voice+callback, outbound (direction)"
    );
    let e = Config::from_toml("[history]\nmedia_types = [\"phone\"]\n", Path::new("c"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("history.media_types") && e.contains("voice, chat"),
        "{e}"
    );
    let e = Config::from_toml("[history]\ndirection = \"sideways\"\n", Path::new("c"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("direction") && e.contains("inbound"), "{e}");
}

#[test]
fn zones_come_from_the_flag_the_queue_or_history_and_never_silently_utc() {
    let mut cfg = Config::from_toml(
        "[queues.\"Sales Inbound\"]\ntime_zone = \"America/Chicago\"\n",
        Path::new("c.toml"),
    )
    .unwrap();
    let zone = |cfg: &Config, q: &str| cfg.zone_for(q).unwrap();
    assert_eq!(
        zone(&cfg, "sales inbound"),
        ZoneChoice {
            tz: chrono_tz::America::Chicago,
            source: ZoneSource::Queue("Sales Inbound".into())
        }
    );
    assert_eq!(zone(&cfg, "Billing").source, ZoneSource::Implicit);
    let e = cfg.require_zone_for("Billing").unwrap_err().to_string();
    assert!(
        e.contains("no time zone for queue \"Billing\"")
            && e.contains("time_zone under [history]")
            && e.contains("--time-zone"),
        "{e}"
    );
    assert_eq!(
        cfg.require_zone_for("Sales Inbound").unwrap(),
        chrono_tz::America::Chicago
    );
    cfg.history.time_zone = Some("Europe/Dublin".into());
    assert_eq!(zone(&cfg, "Billing").source, ZoneSource::History);
    assert_eq!(zone(&cfg, "Sales Inbound").tz, chrono_tz::America::Chicago);
    cfg.time_zone_flag = Some("Asia/Tokyo".into());
    assert_eq!(
        zone(&cfg, "Sales Inbound"),
        ZoneChoice {
            tz: chrono_tz::Asia::Tokyo,
            source: ZoneSource::Flag
        }
    );
    assert_eq!(cfg.time_zone().unwrap(), chrono_tz::Asia::Tokyo);
    let e = Config::from_toml(
        "[queues.\"Sales Inbound\"]\ntime_zone = \"Mars/Olympus\"\n",
        Path::new("c.toml"),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("Mars/Olympus") && e.contains("Sales Inbound"),
        "{e}"
    );
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
fn an_access_token_from_the_env_replaces_client_credentials_and_is_never_printed() {
    let mut cfg = Config::default();
    cfg.genesys.region = Some("eu-west-1".into());
    assert!(
        cfg.genesys.client_settings().is_err(),
        "nothing to authenticate with"
    );
    cfg.apply_env(|k| (k == "GENESYSCLOUD_ACCESS_TOKEN").then(|| " tok-123 ".to_string()));
    let s = cfg.genesys.client_settings().unwrap();
    assert_eq!(s.access_token.as_ref().map(|t| t.expose()), Some("tok-123"));
    assert!(!format!("{:?}", cfg.genesys).contains("tok-123"));
    assert!(!format!("{s:?}").contains("tok-123"));
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

/// Issue 17 item 7: every numeric setting range-checked, nan and inf refused, each error
/// naming its setting.
#[test]
fn out_of_range_settings_are_refused_by_name() {
    let cases = [
        (
            "[forecast]\nchangepoint_prior_scale = nan",
            "forecast.changepoint_prior_scale",
        ),
        (
            "[forecast]\nchangepoint_prior_scale = inf",
            "forecast.changepoint_prior_scale",
        ),
        ("[drift]\nthreshold = nan", "drift.threshold"),
        ("[drift]\nthreshold = inf", "drift.threshold"),
        (
            "[forecast]\ninterval_width = nan",
            "forecast.interval_width",
        ),
        ("[windows]\nquantile = nan", "windows.quantile"),
        ("[forecast]\nbacktest_folds = 0", "forecast.backtest_folds"),
        (
            "[forecast]\nuncertainty_samples = 10000000",
            "forecast.uncertainty_samples",
        ),
        ("[history]\ndays = 100000000", "history.days"),
        ("[history]\ndays = 0", "history.days"),
        ("[genesys]\nmax_retries = 1000", "genesys.max_retries"),
        (
            "[genesys]\nrequest_timeout_secs = 0",
            "genesys.request_timeout_secs",
        ),
        ("[genesys]\nmax_concurrency = 0", "genesys.max_concurrency"),
        ("[windows]\ncalling_days = []", "windows.calling_days"),
        ("[limits]\nmax_buckets = 0", "limits.max_buckets"),
        (
            "[forecast]\nfit_max_iterations = 0",
            "forecast.fit_max_iterations",
        ),
        (
            "[forecast]\nfit_max_seconds = 0",
            "forecast.fit_max_seconds",
        ),
        (
            "[forecast]\nfit_max_seconds = 86400",
            "forecast.fit_max_seconds",
        ),
    ];
    for (text, setting) in cases {
        let e = Config::from_toml(text, Path::new("c.toml")).unwrap_err();
        assert!(
            matches!(&e, ConfigError::Invalid { setting: s, .. } if s.starts_with(setting)),
            "{text}: {e}"
        );
    }
    let e = Config::from_toml("[history]\ndays = 100000000", Path::new("c.toml")).unwrap_err();
    assert!(e.to_string().contains("use 1 to 3660"), "{e}");
    let ok = Config::from_toml(
        "[history]\ndays = 3660\n[limits]\nmax_gap_days = 0",
        Path::new("c.toml"),
    );
    assert!(ok.is_ok(), "{ok:?}");
}

#[test]
fn schedule_margin_is_a_range_checked_setting() {
    let cfg = Config::default();
    assert_eq!(
        cfg.campaign.schedule_margin(),
        chrono::TimeDelta::minutes(15)
    );
    let cfg =
        Config::from_toml("[campaign]\nschedule_margin_min = 40", Path::new("c.toml")).unwrap();
    assert_eq!(
        cfg.campaign.schedule_margin(),
        chrono::TimeDelta::minutes(40)
    );
    for bad in ["nan", "-5", "0", "inf", "1441"] {
        let text = format!("[campaign]\nschedule_margin_min = {bad}");
        let e = Config::from_toml(&text, Path::new("c.toml")).unwrap_err();
        assert!(
            matches!(&e, ConfigError::Invalid { setting, .. } if *setting == "campaign.schedule_margin_min"),
            "{bad}: {e}"
        );
        assert!(e.to_string().contains("use 1 to 1440 minutes"), "{e}");
    }
}
