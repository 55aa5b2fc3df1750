//! `queuecast forecast` as a user runs it: the real binary, against the sandbox over HTTP or
//! offline with --input, checking outputs and exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chrono::{DateTime, TimeDelta, TimeZone, Timelike, Utc};
use queuecast::forecast::ForecastPoint;
use queuecast::forecast::drift::SavedForecast;
use queuecast::granularity::Granularity;
use queuecast::refs::QueueRef;
use queuecast::store::Store;

const BIN: &str = env!("CARGO_BIN_EXE_queuecast");

/// A hermetic environment: its own data dir and a config path that does not exist.
pub(crate) struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    pub(crate) fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub(crate) fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub(crate) fn run(&self, args: &[&str], extra_env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(BIN);
        cmd.arg("forecast")
            .args(args)
            .env("QUEUECAST_CONFIG", self.path("no-config.toml"))
            .env("QUEUECAST_DATA_DIR", self.data_dir())
            .env_remove("GENESYSCLOUD_OAUTHCLIENT_ID")
            .env_remove("GENESYSCLOUD_OAUTHCLIENT_SECRET")
            .env_remove("GENESYSCLOUD_REGION")
            .env_remove("GENESYSCLOUD_API_BASE");
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    }
}

pub(crate) fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `days` of hourly contact-centre-like volume (UTC) with deterministic noise.
pub(crate) fn write_series(path: &Path, days: i64) -> DateTime<Utc> {
    let start = Utc.with_ymd_and_hms(2024, 4, 1, 0, 0, 0).unwrap();
    let mut text = String::from("ds,y\n");
    let mut state: u64 = 7;
    let n = days * 24;
    for i in 0..n {
        let ts = start + TimeDelta::hours(i);
        let base = match ts.hour() {
            0..=6 => 2.0,
            7..=8 | 19..=21 => 25.0,
            9..=18 => 80.0,
            _ => 6.0,
        };
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let y = base + ((state >> 33) % 7) as f64;
        text.push_str(&format!("{},{y}\n", ts.format("%Y-%m-%dT%H:%M:%SZ")));
    }
    std::fs::write(path, text).unwrap();
    start + TimeDelta::hours(n)
}

pub(crate) fn intervals(json: &serde_json::Value) -> Vec<(DateTime<Utc>, f64)> {
    json["intervals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                DateTime::parse_from_rfc3339(i["ds"].as_str().unwrap())
                    .unwrap()
                    .with_timezone(&Utc),
                i["yhat"].as_f64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn against_the_sandbox_over_http_export_covers_exactly_the_horizon() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sandbox = rt
        .block_on(queuecast::sandbox::start(Default::default()))
        .unwrap();
    let queue = sandbox
        .queues()
        .into_iter()
        .find(|q| q.granularity == Granularity::Pt1h)
        .expect("an hourly sandbox queue");
    let env = Env::new();
    let out_path = env.path("out.json");
    let before = Utc::now();
    let o = env.run(
        &[
            "--queue",
            &queue.name,
            "--days",
            "60",
            "--horizon-days",
            "3",
            "--model",
            "seasonal-naive",
            "--time-zone",
            "America/New_York",
            "--export",
            out_path.to_str().unwrap(),
        ],
        &[
            ("GENESYSCLOUD_API_BASE", &sandbox.base_url()),
            (
                "GENESYSCLOUD_OAUTHCLIENT_ID",
                queuecast::sandbox::DEMO_CLIENT_ID,
            ),
            (
                "GENESYSCLOUD_OAUTHCLIENT_SECRET",
                queuecast::sandbox::DEMO_CLIENT_SECRET,
            ),
        ],
    );
    let after = Utc::now();
    assert_eq!(code(&o), 0, "stderr: {}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains(&queue.name) && stdout.contains("Windows"),
        "{stdout}"
    );
    assert!(
        !stdout.contains(queuecast::sandbox::DEMO_CLIENT_SECRET)
            && !stderr(&o).contains(queuecast::sandbox::DEMO_CLIENT_SECRET)
    );

    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out_path).unwrap()).unwrap();
    assert_eq!(json["queue"]["id"], queue.id.as_str());
    assert_eq!(json["timeZone"], "America/New_York");
    assert_eq!(json["granularity"], "PT1H");
    assert_eq!(json["confidenceLevel"], 0.95);
    let iv = intervals(&json);
    assert_eq!(iv.len(), 3 * 24, "exactly the horizon");
    for w in iv.windows(2) {
        assert_eq!(w[1].0 - w[0].0, TimeDelta::hours(1));
    }
    // The forecast starts at the end of the last complete hour: future only, no gap.
    let floor = |t: DateTime<Utc>| {
        t.with_minute(0)
            .unwrap()
            .with_second(0)
            .unwrap()
            .with_nanosecond(0)
            .unwrap()
    };
    assert!(
        iv[0].0 >= floor(before) && iv[0].0 <= floor(after),
        "{:?}",
        iv[0].0
    );
    let hist_end = DateTime::parse_from_rfc3339(json["history"]["end"].as_str().unwrap()).unwrap();
    assert_eq!(hist_end.with_timezone(&Utc), iv[0].0);
    assert_eq!(json["history"]["buckets"], 60 * 24);
    // What was counted: inbound voice by default; the series covers the whole range asked.
    assert_eq!(
        json["history"]["counted"],
        serde_json::json!({"mediaTypes": ["voice"], "direction": "inbound",
            "directionDimension": "originatingDirection"})
    );
    assert!(
        json["history"].get("lateStart").is_none(),
        "{}",
        json["history"]
    );
    assert!(iv.iter().all(|(_, y)| *y >= 0.0));
    // Offsets are the zone's, not UTC.
    let ds0 = json["intervals"][0]["ds"].as_str().unwrap();
    assert!(ds0.ends_with("-04:00") || ds0.ends_with("-05:00"), "{ds0}");
    // Saved for the next drift check.
    let saved = Store::new(env.data_dir())
        .load_forecast(&queue.id)
        .unwrap()
        .unwrap();
    assert_eq!(saved.future.len(), 72);
    assert!(
        sandbox.request_count() >= 3,
        "token, queue lookup and aggregates went over HTTP"
    );
}

#[test]
fn offline_input_exports_json_to_stdout() {
    let env = Env::new();
    let csv = env.path("calls.csv");
    let end = write_series(&csv, 42);
    let o = env.run(&["--input", csv.to_str().unwrap(), "--export", "-"], &[]);
    assert_eq!(code(&o), 0, "stderr: {}", stderr(&o));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("stdout is the JSON");
    let iv = intervals(&json);
    assert_eq!(iv.len(), 7 * 24);
    assert_eq!(iv[0].0, end);
    assert_eq!(json["queue"]["name"], "calls");
    assert_eq!(json["model"]["requested"], "auto");
    assert!(
        json["model"]["selection"]["backtest"]
            .as_array()
            .unwrap()
            .len()
            >= 2
    );
    assert!(json["accuracy"]["wape"].as_f64().unwrap() < 0.5);
    let windows = json["lowVolumeWindows"].as_array().unwrap();
    assert!(!windows.is_empty());
    for w in windows {
        let s = DateTime::parse_from_rfc3339(w["start"].as_str().unwrap()).unwrap();
        let e = DateTime::parse_from_rfc3339(w["end"].as_str().unwrap()).unwrap();
        assert!(s.hour() >= 8 && e.hour() <= 21 && e > s, "{w}");
    }
}

#[test]
fn csv_format_to_a_file_and_existing_file_replaced() {
    let env = Env::new();
    let csv = env.path("calls.csv");
    write_series(&csv, 30);
    let out = env.path("fc.csv");
    std::fs::write(&out, "old").unwrap();
    let o = env.run(
        &[
            "--input",
            csv.to_str().unwrap(),
            "--model",
            "seasonal-naive",
            "--horizon-days",
            "2",
            "--format",
            "csv",
            "--export",
            out.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code(&o), 0, "stderr: {}", stderr(&o));
    let text = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // A file forecast has required agents (default AHT) but no staffed agents to compare.
    assert_eq!(
        lines[0],
        "ds,yhat,yhat_lower,yhat_upper,aht,requiredAgents,requiredAgentsUpper,staffedAgents,\
         spareAgents,actual,in_window,selected"
    );
    // 30 days of history rows with their actuals, then 48 forecast rows.
    assert_eq!(lines.len(), 1 + 30 * 24 + 48);
    assert!(
        lines[1].starts_with("2024-04-01T00:00:00+00:00,,,,,,,,,"),
        "{}",
        lines[1]
    );
    let first_future = lines[1 + 30 * 24];
    // Staffed agents unknown (empty), no actual yet, and the window flags.
    assert!(first_future.contains(",,,,"), "{first_future}");
    assert!(
        first_future.ends_with(",0,0") || first_future.ends_with(",1,1"),
        "without a dashboard, every window is selected: {first_future}"
    );
    // Rounded: no 15-digit floats.
    assert!(lines.iter().all(|l| {
        l.split(',')
            .all(|f| f.split('.').nth(1).is_none_or(|d| d.len() <= 2))
    }));
    assert!(String::from_utf8_lossy(&o.stdout).contains("Export"));
}

/// Issue 16: `--export out.csv` writes CSV (it wrote JSON); `--format` still wins; an
/// extension that names no format is refused before any work, with the fix in the message.
#[test]
fn export_format_follows_the_extension_unless_format_says_otherwise() {
    let env = Env::new();
    let csv = env.path("calls.csv");
    write_series(&csv, 30);
    let run = |export: &str, format: Option<&str>| {
        let mut args = vec![
            "--input",
            csv.to_str().unwrap(),
            "--model",
            "seasonal-naive",
        ];
        args.extend(["--horizon-days", "1", "--export", export]);
        if let Some(f) = format {
            args.extend(["--format", f]);
        }
        env.run(&args, &[])
    };
    let as_csv = env.path("fc.CSV");
    let o = run(as_csv.to_str().unwrap(), None);
    assert_eq!(code(&o), 0, "stderr: {}", stderr(&o));
    let text = std::fs::read_to_string(&as_csv).unwrap();
    assert!(text.starts_with("ds,yhat,yhat_lower,yhat_upper"), "{text}");

    let forced = env.path("fc2.csv");
    let o = run(forced.to_str().unwrap(), Some("json"));
    assert_eq!(code(&o), 0, "stderr: {}", stderr(&o));
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&forced).unwrap()).expect("--format json wins");
    assert_eq!(doc["intervals"].as_array().unwrap().len(), 24);

    let odd = env.path("fc.txt");
    let o = run(odd.to_str().unwrap(), None);
    assert_eq!(code(&o), 2, "stderr: {}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(".txt") && err.contains("--format json|csv"),
        "{err}"
    );
    assert!(!odd.exists());
}

pub(crate) fn saved_for(id: &str, future: Vec<ForecastPoint>) -> SavedForecast {
    SavedForecast {
        queue: QueueRef {
            id: id.into(),
            name: id.into(),
        },
        generated_at: Utc.with_ymd_and_hms(2024, 4, 20, 0, 0, 0).unwrap(),
        model: "seasonal-naive".into(),
        granularity: Granularity::Pt1h,
        time_zone: "UTC".into(),
        future,
        drift: None,
    }
}

#[test]
fn check_drift_exits_10_only_when_the_last_forecast_missed() {
    let env = Env::new();
    let csv = env.path("calls.csv");
    write_series(&csv, 30);
    // Actuals of the last two days, read back from the file.
    let (series, _) = queuecast::history::read_csv(&csv, chrono_tz::Tz::UTC).unwrap();
    let last2: Vec<_> = series.points[series.points.len() - 48..].to_vec();
    let store = Store::new(env.data_dir());
    let args = |id: &'static str| {
        vec![
            "--input".to_string(),
            csv.to_str().unwrap().to_string(),
            "--queue".into(),
            id.to_string(),
            "--model".into(),
            "seasonal-naive".into(),
            "--check-drift".into(),
        ]
    };
    let run = |id: &'static str| {
        let a = args(id);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        env.run(&a, &[])
    };

    // A forecast that matched the actuals within 5 %: exit 0.
    store
        .save_forecast(&saved_for(
            "good",
            last2
                .iter()
                .map(|p| ForecastPoint {
                    ts: p.ts,
                    yhat: p.y * 1.05,
                    yhat_lower: 0.0,
                    yhat_upper: p.y * 2.0,
                })
                .collect(),
        ))
        .unwrap();
    let o = run("good");
    assert_eq!(code(&o), 0, "stderr: {}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("Drift"));

    // A forecast that was double the actuals: WAPE 100 % > 15 % → exit 10.
    store
        .save_forecast(&saved_for(
            "bad",
            last2
                .iter()
                .map(|p| ForecastPoint {
                    ts: p.ts,
                    yhat: p.y * 2.0,
                    yhat_lower: 0.0,
                    yhat_upper: p.y * 3.0,
                })
                .collect(),
        ))
        .unwrap();
    let o = run("bad");
    assert_eq!(code(&o), 10, "stderr: {}", stderr(&o));
    assert!(
        stderr(&o).contains("retraining recommended"),
        "{}",
        stderr(&o)
    );
    // The run replaced the saved forecast with its own.
    let now_saved = store.load_forecast("bad").unwrap().unwrap();
    assert!(now_saved.future[0].ts > last2.last().unwrap().ts);

    // No earlier forecast: exit 0 with a note.
    let o = run("fresh");
    assert_eq!(code(&o), 0);
    assert!(stderr(&o).contains("no earlier forecast"), "{}", stderr(&o));
}

#[test]
fn exit_codes_for_bad_input() {
    let env = Env::new();
    let bad = env.path("bad.csv");
    std::fs::write(
        &bad,
        "ds,y\n2024-05-06T00:00:00Z,1\n2024-05-06T01:00:00Z,-3\n",
    )
    .unwrap();
    let o = env.run(&["--input", bad.to_str().unwrap()], &[]);
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("bad.csv, line 3") && stderr(&o).contains("negative"),
        "{}",
        stderr(&o)
    );

    let short = env.path("short.csv");
    write_series(&short, 1);
    let o = env.run(&["--input", short.to_str().unwrap()], &[]);
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    assert!(stderr(&o).contains("more"), "{}", stderr(&o));

    let missing = env.path("missing.csv");
    let o = env.run(&["--input", missing.to_str().unwrap()], &[]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("missing.csv"), "{}", stderr(&o));

    let o = env.run(&[], &[]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--queue"), "{}", stderr(&o));

    let good = env.path("good.csv");
    write_series(&good, 30);
    let g = good.to_str().unwrap();
    for (args, needle) in [
        (vec!["--input", g, "--fill", "bfill"], "--fill"),
        (vec!["--input", g, "--model", "arima"], "arima"),
        (vec!["--input", g, "--quantile", "2"], "windows.quantile"),
        (
            vec!["--input", g, "--calling-hours", "nine-five"],
            "windows.calling_hours",
        ),
        (vec!["--input", g, "--granularity", "PT15M"], "PT1H"),
        (
            vec![
                "--input",
                g,
                "--export",
                env.path("no/such/dir/x.json").to_str().unwrap(),
            ],
            "no/such/dir/x.json",
        ),
    ] {
        let o = env.run(&args, &[]);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn unreachable_api_is_exit_3() {
    // Nothing listens on port 1 of loopback.
    let env = Env::new();
    let cfg = env.path("fast.toml");
    std::fs::write(
        &cfg,
        "[genesys]\nmax_retries = 0\nconnect_timeout_secs = 2\n[history]\ntime_zone = \"Europe/Dublin\"\n",
    )
    .unwrap();
    let o = env.run(
        &["--queue", "Sales", "--api-base", "http://127.0.0.1:1"],
        &[
            ("QUEUECAST_CONFIG", cfg.to_str().unwrap()),
            ("GENESYSCLOUD_OAUTHCLIENT_ID", "id"),
            ("GENESYSCLOUD_OAUTHCLIENT_SECRET", "s3cret-value"),
        ],
    );
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert!(!stderr(&o).contains("s3cret-value"));
}

#[test]
fn a_real_org_without_a_time_zone_is_exit_2_naming_time_zone() {
    // No zone anywhere: refused before any request (port 1 would be exit 3 if it were tried).
    let env = Env::new();
    let cfg = env.path("nozone.toml");
    std::fs::write(&cfg, "[genesys]\nmax_retries = 0\n").unwrap();
    let vars = [
        ("QUEUECAST_CONFIG", cfg.to_str().unwrap()),
        ("GENESYSCLOUD_OAUTHCLIENT_ID", "id"),
        ("GENESYSCLOUD_OAUTHCLIENT_SECRET", "s3cret-value"),
    ];
    let o = env.run(
        &["--queue", "Sales", "--api-base", "http://127.0.0.1:1"],
        &vars,
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("time_zone") && err.contains("--time-zone"),
        "{err}"
    );
    // --time-zone is enough to get past it (to the unreachable server).
    let o = env.run(
        &[
            "--queue",
            "Sales",
            "--api-base",
            "http://127.0.0.1:1",
            "--time-zone",
            "Europe/Dublin",
        ],
        &vars,
    );
    assert_eq!(code(&o), 3, "{}", stderr(&o));
}

#[test]
fn help_documents_exit_codes() {
    let o = Command::new(BIN)
        .args(["forecast", "--help"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    for needle in [
        "Exit codes",
        "10  retraining recommended",
        "4   data error",
        "5   many queues: at least one queue failed",
    ] {
        assert!(text.contains(needle), "{text}");
    }
}

#[test]
fn an_unknown_prophet_engine_is_refused_before_any_work() {
    let env = Env::new();
    let input = env.path("series.csv");
    write_series(&input, 21);
    let out = env.path("out.json");
    let o = env.run(
        &[
            "--input",
            input.to_str().unwrap(),
            "--export",
            out.to_str().unwrap(),
        ],
        &[("QUEUECAST_PROPHET_ENGINE", "stan")],
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("QUEUECAST_PROPHET_ENGINE=\"stan\"") && err.contains("\"native\""),
        "{err}"
    );
    assert!(
        !out.exists(),
        "nothing is exported when the engine is refused"
    );
    // The explicit default works.
    let o = env.run(
        &[
            "--input",
            input.to_str().unwrap(),
            "--export",
            out.to_str().unwrap(),
            "--model",
            "prophet-seed",
        ],
        &[("QUEUECAST_PROPHET_ENGINE", "native")],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(out.exists());
}

#[test]
fn days_with_input_uses_the_last_days_of_the_file() {
    let env = Env::new();
    let csv = env.path("calls.csv");
    let end = write_series(&csv, 42);
    let export = env.path("out.json");
    let o = env.run(
        &[
            "--input",
            csv.to_str().unwrap(),
            "--days",
            "28",
            "--model",
            "seasonal-naive",
            "--export",
            export.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code(&o), 0, "stderr: {}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("672 buckets of PT1H, 28.0 days"),
        "the summary describes the last 28 days: {out}"
    );
    assert!(!stderr(&o).contains("ignored"), "{}", stderr(&o));
    // The forecast still starts where the file ends.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&export).unwrap()).unwrap();
    assert_eq!(intervals(&json)[0].0, end);
}

#[test]
fn a_per_queue_time_zone_is_used_for_that_queue_and_the_flag_wins() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sandbox = rt
        .block_on(queuecast::sandbox::start(Default::default()))
        .unwrap();
    let env = Env::new();
    let cfg = env.path("zones.toml");
    std::fs::write(
        &cfg,
        "[queues.\"Support Voice\"]\ntime_zone = \"America/Chicago\"\n",
    )
    .unwrap();
    let base = sandbox.base_url();
    let vars = [
        ("QUEUECAST_CONFIG", cfg.to_str().unwrap()),
        ("GENESYSCLOUD_API_BASE", base.as_str()),
        (
            "GENESYSCLOUD_OAUTHCLIENT_ID",
            queuecast::sandbox::DEMO_CLIENT_ID,
        ),
        (
            "GENESYSCLOUD_OAUTHCLIENT_SECRET",
            queuecast::sandbox::DEMO_CLIENT_SECRET,
        ),
    ];
    let run = |extra: &[&str]| {
        let out = env.path("out.json");
        let mut args = vec![
            "--queue",
            "Support Voice",
            "--days",
            "28",
            "--horizon-days",
            "1",
            "--model",
            "seasonal-naive",
            "--export",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let o = env.run(&args, &vars);
        assert_eq!(code(&o), 0, "stderr: {}", stderr(&o));
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
        json["timeZone"].as_str().unwrap().to_string()
    };
    // Only the queue's own zone is configured: it is used, not refused, not UTC.
    assert_eq!(run(&[]), "America/Chicago");
    assert_eq!(run(&["--time-zone", "Europe/Dublin"]), "Europe/Dublin");
    rt.block_on(sandbox.shutdown());
}

/// Issue 17: a fit budget set in the config (`forecast.fit_max_iterations`) that a fit runs
/// out of still forecasts, and the note says so and names the setting; an out-of-range budget
/// is refused by name before any work.
#[test]
fn a_fit_budget_that_is_hit_is_reported_and_a_bad_one_refused() {
    let env = Env::new();
    let csv = env.path("calls.csv");
    write_series(&csv, 28);
    let cfg = env.path("budget.toml");
    std::fs::write(&cfg, "[forecast]\nfit_max_iterations = 10\n").unwrap();
    let args = ["--input", csv.to_str().unwrap(), "--model", "prophet-seed"];
    let o = env.run(&args, &[("QUEUECAST_CONFIG", cfg.to_str().unwrap())]);
    assert_eq!(code(&o), 0, "stderr: {}", stderr(&o));
    let all = format!("{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o));
    assert!(
        all.contains("stopped at its cap of 10 iterations")
            && all.contains("forecast.fit_max_iterations"),
        "{all}"
    );
    std::fs::write(&cfg, "[forecast]\nfit_max_seconds = 0\n").unwrap();
    let o = env.run(&args, &[("QUEUECAST_CONFIG", cfg.to_str().unwrap())]);
    assert_eq!(code(&o), 2, "stderr: {}", stderr(&o));
    assert!(
        stderr(&o).contains("forecast.fit_max_seconds"),
        "{}",
        stderr(&o)
    );
}

/// Issue 16 item 7: the band's label is the same on every run, so it is one line of the
/// summary and never a warning on stderr (cron mailed it every night).
#[test]
fn the_band_label_is_a_summary_line_not_a_warning_each_run() {
    let env = Env::new();
    let csv = env.path("calls.csv");
    write_series(&csv, 30);
    for _ in 0..2 {
        let o = env.run(
            &[csv.to_str().unwrap()]
                .iter()
                .flat_map(|p| ["--input", p])
                .chain(["--model", "seasonal-naive", "--horizon-days", "2"])
                .collect::<Vec<_>>(),
            &[],
        );
        assert_eq!(code(&o), 0, "stderr: {}", stderr(&o));
        let out = String::from_utf8_lossy(&o.stdout);
        let band: Vec<&str> = out.lines().filter(|l| l.starts_with("Band ")).collect();
        assert_eq!(band.len(), 1, "{out}");
        assert!(band[0].contains("95 % band"), "{}", band[0]);
        assert!(!stderr(&o).contains("band"), "stderr: {}", stderr(&o));
    }
}

/// Issue 16: a normal `forecast --input` run writes nothing to stderr (cron mails stderr);
/// the band's calibration, the same on every run, is a summary line, and `--verbose` also
/// prints it to stderr.
#[test]
fn a_normal_run_is_silent_on_stderr_and_verbose_shows_the_band_note() {
    let env = Env::new();
    let csv = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/synthetic_contact_centre_90d_hourly.csv"
    );
    let args = ["--input", csv, "--time-zone", "America/New_York"];
    let o = env.run(&args, &[]);
    assert_eq!(code(&o), 0, "stderr: {}", stderr(&o));
    assert_eq!(stderr(&o), "", "a default run says nothing on stderr");
    let out = String::from_utf8_lossy(&o.stdout);
    let band = out
        .lines()
        .find(|l| l.starts_with("Band "))
        .unwrap_or_else(|| panic!("the summary has the band line: {out}"));
    let note = band.trim_start_matches("Band").trim();
    assert!(note.contains("from the backtest's errors"), "{band}");

    let o = env.run(&[&args[..], &["--verbose"]].concat(), &[]);
    assert_eq!(code(&o), 0, "stderr: {}", stderr(&o));
    assert_eq!(stderr(&o), format!("queuecast: note: {note}\n"));
}

/// Issue 15: the Prophet models repeat bit for bit from one process to the next (each process
/// has its own `HashMap` order, which used to move the last bit of `yhat`). serde_json writes
/// every f64 in its shortest round-trip form, so equal JSON numbers are equal bits.
#[test]
fn prophet_models_are_bitwise_repeatable_across_processes() {
    let env = Env::new();
    let csv = env.path("calls.csv");
    write_series(&csv, 28);
    for model in ["prophet-seed", "prophet-tuned"] {
        let run = || {
            let o = env.run(
                &[
                    "--input",
                    csv.to_str().unwrap(),
                    "--model",
                    model,
                    "--export",
                    "-",
                ],
                &[],
            );
            assert_eq!(code(&o), 0, "{model}: {}", stderr(&o));
            let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
            json["intervals"].clone()
        };
        let first = run();
        assert_eq!(first.as_array().unwrap().len(), 7 * 24);
        for _ in 0..2 {
            assert_eq!(run(), first, "{model} differs between runs");
        }
    }
}
