//! `queuecast forecast` with `[staffing]` (issue 14): required agents offline from a file with
//! a constant roster, checked against an Erlang C written here from the textbook formula (not
//! the crate's recursive form), and a bad staffing setting refused before any work.

use std::path::Path;
use std::process::{Command, Output};

use chrono::{DateTime, FixedOffset, TimeDelta, TimeZone, Timelike, Utc};

const BIN: &str = env!("CARGO_BIN_EXE_queuecast");

fn run(dir: &Path, config: &str, args: &[&str]) -> Output {
    let cfg = dir.join("config.toml");
    std::fs::write(&cfg, config).unwrap();
    Command::new(BIN)
        .arg("forecast")
        .args(args)
        .env("QUEUECAST_CONFIG", &cfg)
        .env("QUEUECAST_DATA_DIR", dir.join("data"))
        .env_remove("GENESYSCLOUD_OAUTHCLIENT_ID")
        .env_remove("GENESYSCLOUD_OAUTHCLIENT_SECRET")
        .env_remove("GENESYSCLOUD_REGION")
        .env_remove("GENESYSCLOUD_API_BASE")
        .output()
        .unwrap()
}

/// 21 days of hourly volume: 60/h from 09:00 to 18:00, 4/h otherwise (UTC).
fn write_series(path: &Path) {
    let start = Utc.with_ymd_and_hms(2024, 4, 1, 0, 0, 0).unwrap();
    let mut text = String::from("ds,y\n");
    for i in 0..21 * 24 {
        let ts = start + TimeDelta::hours(i);
        let y = if (9..18).contains(&ts.hour()) { 60 } else { 4 };
        text.push_str(&format!("{},{y}\n", ts.format("%Y-%m-%dT%H:%M:%SZ")));
    }
    std::fs::write(path, text).unwrap();
}

/// Smallest N with N > A, A/N ≤ occupancy and 1 − C(N, A)·e^{−(N−A)·t/AHT} ≥ goal, with
/// Erlang C from the closed form summed in f64 (fine for the few dozen agents here).
fn erlang_c_agents(contacts: f64, aht: f64, goal: f64, t: f64, occupancy: f64) -> u32 {
    if contacts == 0.0 {
        return 0;
    }
    let a = contacts * aht / 3600.0;
    let mut n = 1u32;
    loop {
        let nf = f64::from(n);
        if nf > a && a / nf <= occupancy + 1e-9 {
            let mut term = 1.0; // A^k / k!
            let mut sum = 0.0;
            for k in 0..n {
                sum += term;
                term *= a / f64::from(k + 1);
            }
            let top = term * nf / (nf - a); // A^N/N! · N/(N−A)
            let c = top / (sum + top);
            if 1.0 - c * (-(nf - a) * t / aht).exp() >= goal {
                return n;
            }
        }
        n += 1;
    }
}

#[test]
fn constant_roster_offline_prints_required_agents_per_window() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("calls.csv");
    write_series(&csv);
    let export = dir.path().join("fc.json");
    let o = run(
        dir.path(),
        "[staffing]\nsource = \"constant\"\nconstant_agents = 20\n",
        &[
            "--input",
            csv.to_str().unwrap(),
            "--model",
            "seasonal-naive",
            "--horizon-days",
            "2",
            "--export",
            export.to_str().unwrap(),
        ],
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(stdout.contains("capacity window(s)"), "{stdout}");
    assert!(
        stdout.contains("REQUIRED") && stdout.contains("OUTBOUND"),
        "{stdout}"
    );
    assert!(stdout.contains("AHT        300 s"), "{stdout}");

    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&export).unwrap()).unwrap();
    let st = &doc["staffing"];
    assert_eq!(st["windowsMode"], "capacity");
    assert_eq!(st["settings"]["source"], "constant");
    assert_eq!(st["settings"]["constant_agents"], 20.0);
    let intervals = doc["intervals"].as_array().unwrap();
    assert_eq!(intervals.len(), 48);
    for iv in intervals {
        let f = |k: &str| iv[k].as_f64().unwrap_or_else(|| panic!("{k} in {iv}"));
        let want = erlang_c_agents(f("yhat").max(0.0), 300.0, 0.8, 20.0, 0.85);
        let want_up = erlang_c_agents(f("yhat_upper").max(f("yhat")), 300.0, 0.8, 20.0, 0.85);
        assert_eq!(f("aht"), 300.0);
        assert_eq!(f("requiredAgents") as u32, want, "{iv}");
        assert_eq!(f("requiredAgentsUpper") as u32, want_up, "{iv}");
        assert_eq!(f("staffedAgents"), 20.0);
        assert_eq!(f("spareAgents"), 20.0 - f64::from(want_up), "{iv}");
    }
    // Busy hours (60/h at 300 s = 5 erlangs) need agents; every window is inside calling
    // hours (08:00-21:00, not Sunday) with at least 2 spare agents in every bucket.
    assert!(
        intervals
            .iter()
            .any(|iv| iv["requiredAgents"].as_u64() >= Some(7))
    );
    let windows = st["capacityWindows"].as_array().unwrap();
    assert!(!windows.is_empty());
    for w in windows {
        let start =
            DateTime::<FixedOffset>::parse_from_rfc3339(w["start"].as_str().unwrap()).unwrap();
        let end = DateTime::<FixedOffset>::parse_from_rfc3339(w["end"].as_str().unwrap()).unwrap();
        assert!(
            start.hour() >= 8 && (end.hour() <= 21 || end.hour() == 0),
            "{w}"
        );
        assert!(w["spareAgents"].as_f64().unwrap() >= 2.0, "{w}");
        let hours = w["spareAgentHours"].as_f64().unwrap();
        assert_eq!(
            w["outboundCalls"].as_u64().unwrap(),
            (hours * 12.0 + 1e-9) as u64
        );
        // The window's row in the summary shows its peak required agents.
        let row = format!("{}  {}", start.format("%H:%M"), end.format("%H:%M"));
        assert!(stdout.contains(&row), "{row} in {stdout}");
    }
}

#[test]
fn a_bad_staffing_setting_is_a_usage_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("calls.csv");
    write_series(&csv);
    let o = run(
        dir.path(),
        "[staffing]\nservice_level = 80\n",
        &["--input", csv.to_str().unwrap()],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("staffing.service_level"), "{err}");
    let o = run(
        dir.path(),
        "[staffing]\nsource = \"constant\"\n",
        &["--input", csv.to_str().unwrap()],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("staffing.constant_agents"), "{err}");
}
