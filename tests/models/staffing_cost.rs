//! What the staffing stage adds to a 365-day forecast (issue 14: at most 10 %). Ignored by
//! default (it fits a real model); run with
//! `cargo test --test models staffing_cost -- --ignored --nocapture`
//! and `QUEUECAST_BENCH_MODEL` to pick the model (default `auto`, the configured default).

use std::time::Instant;

use chrono_tz::Tz;
use queuecast::config::{Config, SourceKind};
use queuecast::forecast::pipeline::{PipelineInput, run_forecast_named};
use queuecast::forecast::staffing::HandleBucket;
use queuecast::history::read_csv;
use queuecast::refs::QueueRef;
use queuecast::service::staffing::{StaffingData, plan_for};

#[test]
#[ignore = "measurement: fits a model on 365 days"]
fn staffing_stage_cost_against_a_365_day_forecast() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/synthetic_contact_centre_365d_hourly.csv");
    let (series, summary) = read_csv(&path, Tz::UTC).unwrap();
    let mut config = Config::default();
    config.forecast.model = std::env::var("QUEUECAST_BENCH_MODEL").unwrap_or("auto".into());
    config.staffing.source = SourceKind::Constant;
    config.staffing.constant_agents = 40.0;
    // Handle-time history for every bucket of the year: the AHT fit and its 4-fold backtest
    // at their most expensive.
    let handle: Vec<HandleBucket> = series
        .points
        .iter()
        .map(|p| HandleBucket {
            ts: p.ts,
            sum_ms: p.y * 300_000.0,
            count: p.y,
        })
        .collect();
    let input = PipelineInput {
        series,
        summary,
        queue: QueueRef {
            id: "q".into(),
            name: "bench".into(),
        },
        config,
        previous: None,
    };
    let t = Instant::now();
    let out = run_forecast_named(input).unwrap();
    let forecast_s = t.elapsed().as_secs_f64();
    let data = StaffingData {
        handle,
        ..Default::default()
    };
    let runs = 5;
    let t = Instant::now();
    for _ in 0..runs {
        let plan = plan_for(&out, &data).unwrap();
        assert_eq!(plan.intervals.len(), out.forecast.future.len());
    }
    let staffing_s = t.elapsed().as_secs_f64() / f64::from(runs);
    println!(
        "model {} on {} buckets: forecast {forecast_s:.3} s, staffing stage {staffing_s:.4} s \
         ({:.2} % of the forecast)",
        out.forecast.model,
        out.summary.buckets,
        100.0 * staffing_s / forecast_s
    );
    // The bound is for the forecast as configured by default (`auto`); the cheapest
    // model (seasonal naive, a few ms) is printed but not held to it.
    if out.config.forecast.model == "auto" {
        assert!(staffing_s <= 0.10 * forecast_s);
    }
}
