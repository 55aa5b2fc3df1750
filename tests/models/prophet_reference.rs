//! queuecast's Prophet agrees with Python Prophet (PyPI `prophet`, fixtures written by
//! `tools/reference_forecast.py`) on every shared dataset and the synthetic contact-centre series.
//!
//! Point forecasts: `|yhat - yhat_ref| <= 0.5 %` of the history's mean at EVERY forecast point.
//!
//! Bands: the MEAN width of the 95 % band over the whole horizon must be within 5 % of the
//! reference's mean width. Both sides draw the band from 1000 Monte-Carlo samples (different
//! RNGs), so a single point's 2.5 % / 97.5 % quantiles carry about 3 % sampling noise each side
//! and per-point widths differ by up to ~12 % even when the models are identical (measured on the
//! synthetic series); averaging over the horizon's 168-336 points removes that noise while still
//! catching a wrong sigma_obs or trend-uncertainty model. As a looser sanity check every single
//! point's width must also be within 25 % of the reference's.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDateTime, Utc};
use queuecast::config::ForecastConfig;
use queuecast::forecast::prophet::{ProphetSettings, fit_predict_raw};
use queuecast::granularity::Granularity;
use queuecast::history::{Point, Series};
use serde::Deserialize;

#[derive(Deserialize)]
struct Fixture {
    name: String,
    input: Input,
    settings: Settings,
    forecast: Vec<RefPoint>,
}

#[derive(Deserialize)]
struct Input {
    file: String,
    step_minutes: i64,
    first_ds: String,
    last_ds: String,
    rows: usize,
    mean_y: f64,
}

#[derive(Deserialize)]
struct Settings {
    daily_seasonality: bool,
    weekly_seasonality: bool,
    seasonality_mode: String,
    interval_width: f64,
    changepoint_prior_scale: f64,
    uncertainty_samples: u32,
    horizon_days: usize,
}

#[derive(Deserialize)]
struct RefPoint {
    ds: String,
    yhat: f64,
    yhat_lower: f64,
    yhat_upper: f64,
}

fn naive(s: &str) -> DateTime<Utc> {
    NaiveDateTime::parse_from_str(s.trim_end_matches('Z'), "%Y-%m-%dT%H:%M:%S")
        .unwrap_or_else(|e| panic!("bad timestamp {s:?}: {e}"))
        .and_utc()
}

/// Inputs named `../shared/datasets/X` are read from beside the repo (never copied into it);
/// `QUEUECAST_SHARED_DATASETS` points elsewhere (git worktrees).
fn input_path(file: &str) -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let direct = root.join(file);
    if direct.exists() {
        return Some(direct);
    }
    let name = Path::new(file).file_name()?;
    let dir = std::env::var_os("QUEUECAST_SHARED_DATASETS")?;
    let p = Path::new(&dir).join(name);
    p.exists().then_some(p)
}

fn load_series(path: &Path, input: &Input) -> Series {
    let (first, last) = (naive(&input.first_ds), naive(&input.last_ds));
    let mut points = Vec::new();
    for rec in csv::Reader::from_path(path).unwrap().records() {
        let rec = rec.unwrap();
        // The shared files write local wall-clock time with a `Z`: a UTC series is exactly that.
        let ts = naive(&rec[0]);
        if ts >= first && ts <= last {
            points.push(Point {
                ts,
                y: rec[1].parse().unwrap(),
            });
        }
    }
    assert_eq!(points.len(), input.rows, "{} window rows", path.display());
    Series {
        granularity: Granularity::from_minutes(input.step_minutes).unwrap(),
        tz: chrono_tz::UTC,
        points,
    }
}

fn check(fixture_path: &Path) -> bool {
    let fx: Fixture =
        serde_json::from_str(&std::fs::read_to_string(fixture_path).unwrap()).unwrap();
    let Some(input) = input_path(&fx.input.file) else {
        println!(
            "SKIP {}: input {} not found (set QUEUECAST_SHARED_DATASETS to the shared datasets dir)",
            fx.name, fx.input.file
        );
        return false;
    };
    let series = load_series(&input, &fx.input);
    let settings = ProphetSettings::seed(&ForecastConfig::default());
    // The fixture must have been made with the settings we compare against.
    assert!(fx.settings.daily_seasonality && settings.daily);
    assert!(fx.settings.weekly_seasonality && settings.weekly);
    assert_eq!(fx.settings.seasonality_mode, "additive");
    assert_eq!(fx.settings.interval_width, settings.interval_width);
    assert_eq!(
        fx.settings.changepoint_prior_scale,
        settings.changepoint_prior_scale
    );
    assert_eq!(
        fx.settings.uncertainty_samples,
        settings.uncertainty_samples
    );
    let horizon = fx.settings.horizon_days * series.granularity.per_day();
    assert_eq!(fx.forecast.len(), horizon, "{}", fx.name);

    let raw =
        fit_predict_raw(&series, horizon, &settings).unwrap_or_else(|e| panic!("{}: {e}", fx.name));
    assert_eq!(raw.future.len(), horizon);
    let tol = 0.005 * fx.input.mean_y;
    let mut worst = 0.0f64;
    let (mut w_ours, mut w_ref) = (0.0, 0.0);
    for (ours, r) in raw.future.iter().zip(&fx.forecast) {
        assert_eq!(ours.ts, naive(&r.ds), "{}: forecast timestamps", fx.name);
        let diff = (ours.yhat - r.yhat).abs();
        worst = worst.max(diff / fx.input.mean_y);
        assert!(
            diff <= tol,
            "{} at {}: yhat {} vs reference {} (diff {diff:.4} > 0.5 % of mean {:.4})",
            fx.name,
            r.ds,
            ours.yhat,
            r.yhat,
            fx.input.mean_y
        );
        let (wo, wr) = (
            ours.yhat_upper - ours.yhat_lower,
            r.yhat_upper - r.yhat_lower,
        );
        assert!(
            (wo / wr - 1.0).abs() <= 0.25,
            "{} at {}: band width {wo:.4} vs reference {wr:.4}",
            fx.name,
            r.ds
        );
        w_ours += wo;
        w_ref += wr;
    }
    let ratio = w_ours / w_ref;
    println!(
        "{}: max |yhat diff| = {:.4} % of mean; mean band width ratio {ratio:.4}",
        fx.name,
        worst * 100.0
    );
    assert!(
        (ratio - 1.0).abs() <= 0.05,
        "{}: mean 95 % band width {:.4} vs reference {:.4}",
        fx.name,
        w_ours / horizon as f64,
        w_ref / horizon as f64
    );
    true
}

#[test]
fn agrees_with_python_prophet_on_every_fixture() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reference");
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    fixtures.sort();
    assert!(
        fixtures.len() >= 7,
        "expected the 5 shared datasets + the synthetic 90- and 365-day series"
    );
    let checked = fixtures.iter().filter(|p| check(p)).count();
    // The synthetic series are committed, so those two always run.
    assert!(checked >= 2);
}
