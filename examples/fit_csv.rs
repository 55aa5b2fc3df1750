//! Fits Prophet (seed settings, native optimizer) on a `ds,y` CSV and writes the forecast as
//! JSON: a stand-in for `queuecast forecast --input` when timing whole processes.
//!
//! `cargo run --release --example fit_csv -- INPUT.csv OUT.json`

use std::time::Instant;

use chrono::{DateTime, Utc};
use queuecast::config::ForecastConfig;
use queuecast::forecast::prophet::{ProphetSettings, fit_predict_raw};
use queuecast::granularity::Granularity;
use queuecast::history::{Point, Series};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, input, output] = args.as_slice() else {
        return Err("usage: fit_csv INPUT.csv OUT.json".into());
    };
    let mut points = Vec::new();
    for (line, rec) in csv::Reader::from_path(input)?.records().enumerate() {
        let rec = rec?;
        let ts: DateTime<Utc> = rec[0]
            .parse()
            .map_err(|e| format!("{input}:{}: bad ds {:?}: {e}", line + 2, &rec[0]))?;
        let y: f64 = rec[1]
            .parse()
            .map_err(|e| format!("{input}:{}: bad y {:?}: {e}", line + 2, &rec[1]))?;
        points.push(Point { ts, y });
    }
    let step = (points[1].ts - points[0].ts).num_minutes();
    let granularity = Granularity::from_minutes(step).ok_or("unsupported step")?;
    let series = Series {
        granularity,
        tz: chrono_tz::UTC,
        points,
    };
    let horizon = 7 * granularity.per_day();
    let started = Instant::now();
    let raw = fit_predict_raw(
        &series,
        horizon,
        &ProphetSettings::seed(&ForecastConfig::default()),
    )?;
    let elapsed = started.elapsed();
    let intervals: Vec<_> = raw
        .future
        .iter()
        .map(|p| {
            serde_json::json!({"ds": p.ts.to_rfc3339(), "yhat": p.yhat,
                "yhat_lower": p.yhat_lower, "yhat_upper": p.yhat_upper})
        })
        .collect();
    let doc = serde_json::json!({"confidenceLevel": 0.95, "intervals": intervals});
    std::fs::write(output, serde_json::to_string(&doc)?)?;
    eprintln!("fit+predict {:.1} ms", elapsed.as_secs_f64() * 1e3);
    Ok(())
}
