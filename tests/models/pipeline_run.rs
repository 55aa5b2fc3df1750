//! The pipeline end to end in-process: a series → forecast → windows → accuracy → drift → export.

use chrono::{DateTime, TimeDelta, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use queuecast::config::Config;
use queuecast::export;
use queuecast::forecast::drift::SavedForecast;
use queuecast::forecast::pipeline::{PipelineInput, QueueRef, run_forecast, run_forecast_named};
use queuecast::forecast::{ForecastError, ForecastPoint, Forecaster, ModelForecast};
use queuecast::granularity::Granularity;
use queuecast::history::{self, FillMode, Series, SeriesSummary};

/// "Same bucket yesterday", band ±2: exact on a purely daily-periodic series.
struct DailyNaive;

impl Forecaster for DailyNaive {
    fn name(&self) -> &str {
        "daily-naive"
    }
    fn forecast(&self, series: &Series, horizon: usize) -> Result<ModelForecast, ForecastError> {
        let day = series.granularity.per_day();
        let n = series.points.len();
        if n < day {
            return Err(ForecastError::Model {
                model: "daily-naive".into(),
                message: "less than a day".into(),
            });
        }
        let start = series.end().unwrap();
        let future = (0..horizon)
            .map(|i| {
                let y = series.points[n - day + i % day].y;
                ForecastPoint {
                    ts: start + series.granularity.duration() * i as i32,
                    yhat: y,
                    yhat_lower: y - 2.0,
                    yhat_upper: y + 2.0,
                }
            })
            .collect();
        Ok(ModelForecast {
            model: "daily-naive".into(),
            future,
            warnings: vec!["test model".into()],
        })
    }
}

/// Returns one bucket too few: the pipeline must refuse it.
struct Broken;

impl Forecaster for Broken {
    fn name(&self) -> &str {
        "broken"
    }
    fn forecast(&self, series: &Series, horizon: usize) -> Result<ModelForecast, ForecastError> {
        let mut f = DailyNaive.forecast(series, horizon)?;
        f.future.pop();
        f.model = "broken".into();
        Ok(f)
    }
}

/// Quiet at night, busy midday, a dip at 13:00 local: hourly, `days` days, starting Monday.
fn contact_centre(days: i64, tz: Tz) -> (Series, SeriesSummary) {
    let start = tz
        .with_ymd_and_hms(2024, 4, 1, 0, 0, 0)
        .unwrap()
        .with_timezone(&Utc);
    let end = start + TimeDelta::days(days);
    let buckets: Vec<(DateTime<Utc>, f64)> = history::grid(start, end, Granularity::Pt1h, tz)
        .into_iter()
        .map(|ts| {
            let h = ts.with_timezone(&tz).hour();
            let y = match h {
                0..=6 => 1.0,
                7..=8 | 19..=21 => 20.0,
                13 => 30.0,
                9..=18 => 80.0,
                _ => 5.0,
            };
            (ts, y)
        })
        .collect();
    history::from_buckets(&buckets, start, end, Granularity::Pt1h, tz, FillMode::Zero).unwrap()
}

/// The same shape with deterministic noise, so weekly-naive errors (MASE scale) are not zero.
fn noisy_contact_centre(days: i64) -> (Series, SeriesSummary) {
    let (mut series, _) = contact_centre(days, Tz::UTC);
    let mut state: u64 = 12345;
    for p in &mut series.points {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let noise = ((state >> 33) % 11) as f64 - 5.0;
        p.y = (p.y + noise).max(0.0);
    }
    let buckets: Vec<_> = series.points.iter().map(|p| (p.ts, p.y)).collect();
    let start = series.points[0].ts;
    let end = series.end().unwrap();
    history::from_buckets(
        &buckets,
        start,
        end,
        Granularity::Pt1h,
        Tz::UTC,
        FillMode::Zero,
    )
    .unwrap()
}

fn input(series: Series, summary: SeriesSummary, config: Config) -> PipelineInput {
    PipelineInput {
        series,
        summary,
        queue: QueueRef {
            id: "q-1".into(),
            name: "Sales".into(),
        },
        config,
        previous: None,
    }
}

fn ny() -> Tz {
    "America/New_York".parse().unwrap()
}

#[test]
fn forecast_windows_and_holdout_accuracy() {
    let (series, summary) = contact_centre(30, ny());
    let end = series.end().unwrap();
    let out = run_forecast(input(series, summary, Config::default()), &DailyNaive).unwrap();
    assert_eq!(out.horizon, 168);
    assert_eq!(out.forecast.future.len(), 168);
    assert_eq!(out.forecast.future[0].ts, end);
    let acc = out.accuracy.as_ref().unwrap();
    assert_eq!((acc.method.as_str(), acc.buckets), ("holdout", 168));
    assert_eq!(
        acc.wape,
        Some(0.0),
        "daily naive is exact on a daily-periodic series"
    );
    assert_eq!(acc.coverage, Some(1.0));
    assert!(out.warnings.iter().any(|w| w == "test model"));
    // Calling hours 08-21 Mon-Sat: every window lies inside them and holds no busy bucket.
    let th = out.windows.threshold.unwrap();
    assert!((20.0..=30.0).contains(&th), "threshold {th}");
    for w in &out.windows.windows {
        let s = w.start.with_timezone(&ny());
        let e = w.end.with_timezone(&ny());
        assert!(
            s.hour() >= 8 && (e.hour() <= 21 && e.date_naive() == s.date_naive()),
            "{w:?}"
        );
        assert_ne!(s.format("%a").to_string(), "Sun", "{w:?}");
        for p in out
            .forecast
            .future
            .iter()
            .filter(|p| p.ts >= w.start && p.ts < w.end)
        {
            assert!(p.yhat <= th, "busy bucket inside window {w:?}");
        }
    }
    // In calling hours each day has three 20s, one 30 and nine 80s: over six days the 25th
    // percentile (index 19.25 of 78 sorted values) is 30. So each calling day has three windows:
    // 08:00-09:00, 13:00-14:00 (the lunch dip) and 19:00-21:00, never one spanning the afternoon.
    assert_eq!(th, 30.0);
    assert_eq!(out.windows.windows.len(), 18, "{:#?}", out.windows.windows);
    let first: Vec<(u32, u32)> = out.windows.windows[..3]
        .iter()
        .map(|w| {
            (
                w.start.with_timezone(&ny()).hour(),
                w.end.with_timezone(&ny()).hour(),
            )
        })
        .collect();
    assert_eq!(first, vec![(8, 9), (13, 14), (19, 21)]);
    assert!(out.selection.is_none());
}

#[test]
fn forecast_across_dst_follows_the_local_grid() {
    // 30 days from 2024-10-06 in New York: the 7-day horizon crosses the 25 h day of Nov 3.
    let tz = ny();
    let start = tz
        .with_ymd_and_hms(2024, 10, 6, 0, 0, 0)
        .unwrap()
        .with_timezone(&Utc);
    let end = tz
        .with_ymd_and_hms(2024, 10, 30, 0, 0, 0)
        .unwrap()
        .with_timezone(&Utc);
    let buckets: Vec<_> = history::grid(start, end, Granularity::Pt1h, tz)
        .into_iter()
        .map(|t| (t, 10.0))
        .collect();
    let (series, summary) =
        history::from_buckets(&buckets, start, end, Granularity::Pt1h, tz, FillMode::Zero).unwrap();
    let out = run_forecast(input(series, summary, Config::default()), &DailyNaive).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&export::to_json(&out).unwrap()).unwrap();
    let ds: Vec<&str> = json["intervals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["ds"].as_str().unwrap())
        .collect();
    assert_eq!(ds[0], "2024-10-30T00:00:00-04:00");
    assert!(ds.contains(&"2024-11-03T01:00:00-04:00") && ds.contains(&"2024-11-03T01:00:00-05:00"));
    assert_eq!(
        ds[167], "2024-11-05T22:00:00-05:00",
        "168 hours from EDT midnight end at 22:00 EST"
    );
}

#[test]
fn drift_against_the_previous_forecast() {
    let (series, summary) = contact_centre(30, Tz::UTC);
    // A "previous" forecast for the last day that was 50 % too high everywhere.
    let n = series.points.len();
    let previous = SavedForecast {
        queue: QueueRef {
            id: "q-1".into(),
            name: "Sales".into(),
        },
        generated_at: series.points[n - 24].ts,
        model: "old".into(),
        granularity: Granularity::Pt1h,
        time_zone: "UTC".into(),
        future: series.points[n - 24..]
            .iter()
            .map(|p| ForecastPoint {
                ts: p.ts,
                yhat: p.y * 1.5,
                yhat_lower: p.y,
                yhat_upper: p.y * 2.0,
            })
            .collect(),
        drift: None,
    };
    let mut inp = input(series, summary, Config::default());
    inp.previous = Some(previous);
    let out = run_forecast(inp, &DailyNaive).unwrap();
    let d = out.drift.as_ref().unwrap();
    assert_eq!(d.buckets_compared, 24);
    assert!((d.wape.unwrap() - 0.5).abs() < 1e-12);
    assert!(d.retrain_recommended);
    // The new forecast is what gets saved next.
    let saved = out.to_saved();
    assert_eq!(saved.future, out.forecast.future);
    assert_eq!(saved.queue.id, "q-1");
}

#[test]
fn export_json_and_csv_carry_future_only_with_offsets() {
    let (series, summary) = contact_centre(30, ny());
    let first_future = series.end().unwrap();
    let out = run_forecast(input(series, summary, Config::default()), &DailyNaive).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&export::to_json(&out).unwrap()).unwrap();
    assert_eq!(json["confidenceLevel"], 0.95);
    assert_eq!(json["queue"]["id"], "q-1");
    assert_eq!(json["queue"]["name"], "Sales");
    assert_eq!(json["granularity"], "PT1H");
    assert_eq!(json["timeZone"], "America/New_York");
    assert_eq!(json["model"]["name"], "daily-naive");
    assert_eq!(json["model"]["options"]["interval_width"], 0.95);
    assert_eq!(json["threshold"], 30.0);
    assert!(json["generatedAt"].as_str().unwrap().len() >= 25);
    let intervals = json["intervals"].as_array().unwrap();
    assert_eq!(intervals.len(), 168);
    let first = &intervals[0];
    assert_eq!(
        first["ds"].as_str().unwrap(),
        export::local_iso(first_future, ny())
    );
    assert!(first["ds"].as_str().unwrap().ends_with("-04:00"));
    for key in ["yhat", "yhat_lower", "yhat_upper"] {
        assert!(first[key].is_f64(), "{key}");
    }
    let windows = json["lowVolumeWindows"].as_array().unwrap();
    assert_eq!(windows.len(), out.windows.windows.len());
    assert_eq!(
        windows[0]["start"],
        export::local_iso(out.windows.windows[0].start, ny())
    );
    assert_eq!(json["accuracy"]["method"], "holdout");

    let csv = String::from_utf8(export::to_csv(&out, Default::default()).unwrap()).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 169);
    assert_eq!(
        lines[0],
        "ds,yhat,yhat_lower,yhat_upper,actual,in_window,selected"
    );
    assert!(lines[1].starts_with(&export::local_iso(first_future, ny())));
}

/// Issue 16: the CSV read back: history rows with their actuals, then the forecast rounded
/// to two decimals, each forecast row flagged when in a window and when that window is in the
/// analyst's schedule.
#[test]
fn the_csv_reads_back_with_actuals_window_and_selected_flags() {
    let (series, summary) = contact_centre(30, Tz::UTC);
    let actuals = series.points.clone();
    let out = run_forecast(input(series, summary, Config::default()), &DailyNaive).unwrap();
    assert!(out.windows.windows.len() >= 2, "the fixture has windows");
    let mut selected = vec![true; out.windows.windows.len()];
    selected[0] = false;
    let extras = export::CsvExtras {
        actuals: &actuals,
        selected: Some(&selected),
        windows: None,
    };
    let bytes = export::render_with(&out, export::ExportFormat::Csv, extras).unwrap();
    let mut r = csv::Reader::from_reader(&bytes[..]);
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "ds",
            "yhat",
            "yhat_lower",
            "yhat_upper",
            "actual",
            "in_window",
            "selected"
        ]
    );
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), actuals.len() + out.forecast.future.len());
    // History first: actual only, equal to the series.
    let h = &rows[0];
    assert_eq!(&h[0], export::local_iso(actuals[0].ts, Tz::UTC));
    assert_eq!((&h[1], &h[4]), ("", &*format!("{}", actuals[0].y)));
    // Then the forecast: at most two decimals, no actual.
    let future = &rows[actuals.len()..];
    for (row, p) in future.iter().zip(&out.forecast.future) {
        for col in 1..4 {
            let v = &row[col];
            let decimals = v.split('.').nth(1).map_or(0, str::len);
            assert!(decimals <= 2, "{v}");
        }
        let yhat: f64 = row[1].parse().unwrap();
        assert!((yhat - p.yhat).abs() <= 0.005, "{yhat} vs {}", p.yhat);
        assert_eq!(&row[4], "");
    }
    let flagged = |w: &queuecast::forecast::windows::Window| {
        future
            .iter()
            .zip(&out.forecast.future)
            .filter(|(_, p)| w.start <= p.ts && p.ts < w.end)
            .map(|(row, _)| (row[5].to_string(), row[6].to_string()))
            .collect::<Vec<_>>()
    };
    let first = flagged(&out.windows.windows[0]);
    assert!(!first.is_empty());
    assert!(
        first.iter().all(|f| f == &("1".into(), "0".into())),
        "left out: {first:?}"
    );
    let second = flagged(&out.windows.windows[1]);
    assert!(
        second.iter().all(|f| f == &("1".into(), "1".into())),
        "{second:?}"
    );
    let outside = future.iter().filter(|r| &r[5] == "0").count();
    assert!(outside > 0 && future.iter().filter(|r| &r[5] == "0").all(|r| &r[6] == "0"));
}

#[test]
fn short_history_skips_accuracy_with_a_warning() {
    let (series, summary) = contact_centre(8, Tz::UTC);
    let out = run_forecast(input(series, summary, Config::default()), &DailyNaive).unwrap();
    assert!(out.accuracy.is_none());
    assert!(
        out.warnings
            .iter()
            .any(|w| w.contains("accuracy not measured")),
        "{:?}",
        out.warnings
    );
}

#[test]
fn wrong_shaped_model_output_is_refused() {
    let (series, summary) = contact_centre(30, Tz::UTC);
    let err = run_forecast(input(series, summary, Config::default()), &Broken)
        .unwrap_err()
        .to_string();
    assert!(err.contains("broken") && err.contains("167"), "{err}");
}

#[test]
fn bad_calling_hours_are_a_config_error() {
    let (series, summary) = contact_centre(30, Tz::UTC);
    let mut cfg = Config::default();
    cfg.windows.calling_hours = "9 to 5".into();
    let err = run_forecast(input(series, summary, cfg), &DailyNaive)
        .unwrap_err()
        .to_string();
    assert!(err.contains("windows.calling_hours"), "{err}");
}

#[test]
fn named_model_is_backtested_and_calibrated() {
    let (series, summary) = noisy_contact_centre(60);
    let mut cfg = Config::default();
    cfg.forecast.model = "seasonal-naive".into();
    let out = run_forecast_named(input(series, summary, cfg)).unwrap();
    assert_eq!(out.forecast.model, "seasonal-naive");
    let acc = out.accuracy.as_ref().unwrap();
    assert_eq!(
        (acc.method.as_str(), acc.folds, acc.buckets),
        ("backtest", 4, 4 * 168)
    );
    let sel = out.selection.as_ref().unwrap();
    assert_eq!(sel.backtest.len(), 1);
    assert!(sel.calibration.is_some());
    let json: serde_json::Value = serde_json::from_slice(&export::to_json(&out).unwrap()).unwrap();
    assert_eq!(
        json["model"]["selection"]["backtest"][0]["model"],
        "seasonal-naive"
    );
}

#[test]
fn auto_with_short_history_uses_fewer_folds_and_says_so() {
    // 4 weeks: room for 2 one-week folds after the two-week minimum training span.
    let (series, summary) = noisy_contact_centre(28);
    let out = run_forecast_named(input(series, summary, Config::default())).unwrap();
    let sel = out.selection.as_ref().unwrap();
    assert_eq!(sel.requested, "auto");
    assert!(sel.reason.is_some());
    assert_eq!(out.accuracy.as_ref().unwrap().folds, 2);
    assert!(
        out.warnings
            .iter()
            .any(|w| w.contains("2 fold(s) instead of 4")),
        "{:?}",
        out.warnings
    );
}

#[test]
fn unknown_model_name_lists_valid_ones() {
    let (series, summary) = contact_centre(60, Tz::UTC);
    let mut cfg = Config::default();
    cfg.forecast.model = "arima".into();
    let err = run_forecast_named(input(series, summary, cfg))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("arima") && err.contains("seasonal-naive"),
        "{err}"
    );
}

#[test]
fn debug_output_never_shows_the_client_secret() {
    let (series, summary) = contact_centre(30, Tz::UTC);
    let mut cfg = Config::default();
    cfg.genesys.client_secret = Some("very-secret-value".into());
    let inp = input(series, summary, cfg);
    assert!(!format!("{inp:?}").contains("very-secret-value"));
    let out = run_forecast(inp, &DailyNaive).unwrap();
    let dbg = format!("{out:?}");
    assert!(!dbg.contains("very-secret-value") && dbg.contains("[REDACTED]"));
    let json = String::from_utf8(export::to_json(&out).unwrap()).unwrap();
    assert!(!json.contains("very-secret-value"));
}

#[test]
fn prophet_is_available_by_name_and_calibrated() {
    let (series, summary) = noisy_contact_centre(35);
    let end = series.end().unwrap();
    let mut cfg = Config::default();
    cfg.forecast.model = "prophet-seed".into();
    cfg.forecast.horizon_days = 2;
    let out = run_forecast_named(input(series, summary, cfg)).unwrap();
    assert_eq!(out.forecast.model, "prophet-seed");
    assert_eq!(out.forecast.future.len(), 48);
    assert_eq!(out.forecast.future[0].ts, end);
    let sel = out.selection.as_ref().unwrap();
    assert_eq!(sel.backtest[0].model, "prophet-seed");
    // A clean daily shape: Prophet should be far better than a flat guess.
    assert!(
        out.accuracy.as_ref().unwrap().wape.unwrap() < 0.3,
        "{:?}",
        out.accuracy
    );
}

/// The dashboard's windows (another rule, or a what-if) travel with its selection: the CSV's
/// `in_window` and `selected` flag those, not the run's quartile windows.
#[test]
fn the_csv_flags_the_windows_it_is_given() {
    let (series, summary) = contact_centre(30, Tz::UTC);
    let out = run_forecast(input(series, summary, Config::default()), &DailyNaive).unwrap();
    let future = &out.forecast.future;
    // Three buckets that no quartile window starts with: the fourth to sixth of the horizon.
    let shown = [(future[3].ts, future[6].ts)];
    let extras = export::CsvExtras {
        actuals: &[],
        selected: Some(&[true]),
        windows: Some(&shown),
    };
    let bytes = export::render_with(&out, export::ExportFormat::Csv, extras).unwrap();
    let mut r = csv::Reader::from_reader(&bytes[..]);
    let flags: Vec<(String, String)> = r
        .records()
        .map(|row| {
            let row = row.unwrap();
            (row[5].to_string(), row[6].to_string())
        })
        .collect();
    assert_eq!(flags.len(), future.len());
    for (i, f) in flags.iter().enumerate() {
        let inside = (3..6).contains(&i);
        let want = if inside { ("1", "1") } else { ("0", "0") };
        assert_eq!((f.0.as_str(), f.1.as_str()), want, "bucket {i}");
    }
}
