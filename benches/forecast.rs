//! Prophet fit and predict on synthetic hourly contact-centre series (90 and 365 days).
//!
//! `cargo bench --bench forecast`. Targets (issue 6): fit alone <= 30 ms at 90 days.

use std::hint::black_box;

use augurs_prophet::optimizer::OptimizeOpts;
use augurs_prophet::{PredictionData, Prophet, ProphetOptions, SeasonalityOption, TrainingData};
use chrono::{Duration, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use queuecast::config::ForecastConfig;
use queuecast::forecast::optimizer::NativeOptimizer;
use queuecast::forecast::prophet::{ProphetSettings, fit_predict_raw};
use queuecast::granularity::Granularity;
use queuecast::history::{Point, Series};

/// Deterministic contact-centre shape: weekday 08-20 peaks, quiet Saturday, closed Sunday,
/// slow growth, pseudo-random noise from a fixed LCG.
fn synthetic(days: usize) -> Series {
    let start = Utc.with_ymd_and_hms(2025, 1, 6, 0, 0, 0).unwrap();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let points = (0..days * 24)
        .map(|i| {
            let (h, dow) = ((i % 24) as f64, (i / 24) % 7);
            let weekday = if (8.0..20.0).contains(&h) {
                60.0 + 55.0 * (-(h - 10.5f64).powi(2) / 4.0).exp()
                    + 40.0 * (-(h - 14.5f64).powi(2) / 3.0).exp()
            } else {
                3.0
            };
            let base = match dow {
                0..=4 => weekday,
                5 if (9.0..17.0).contains(&h) => 35.0,
                _ => 2.0,
            };
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let noise = ((state >> 33) as f64 / (1u64 << 31) as f64 - 0.5) * 2.0 * base.sqrt();
            let trend = 1.0 + 0.15 * i as f64 / (days * 24) as f64;
            Point {
                ts: start + Duration::hours(i as i64),
                y: (base * trend + noise).max(0.0).round(),
            }
        })
        .collect();
    Series {
        granularity: Granularity::Pt1h,
        tz: chrono_tz::UTC,
        points,
    }
}

fn prophet_opts() -> ProphetOptions {
    ProphetOptions {
        daily_seasonality: SeasonalityOption::Manual(true),
        weekly_seasonality: SeasonalityOption::Manual(true),
        yearly_seasonality: SeasonalityOption::Manual(false),
        changepoint_prior_scale: 0.05.try_into().unwrap(),
        uncertainty_samples: 0,
        ..ProphetOptions::default()
    }
}

fn training(series: &Series) -> TrainingData {
    let ds = series.points.iter().map(|p| p.ts.timestamp()).collect();
    let y = series.points.iter().map(|p| p.y).collect();
    TrainingData::new(ds, y).unwrap()
}

fn bench(c: &mut Criterion) {
    let settings = ProphetSettings::seed(&ForecastConfig::default());
    for days in [90usize, 365] {
        let series = synthetic(days);
        let data = training(&series);
        c.bench_function(&format!("fit/{days}d"), |b| {
            b.iter(|| {
                let mut m = Prophet::new(prophet_opts(), NativeOptimizer);
                m.fit(black_box(data.clone()), OptimizeOpts::default())
                    .unwrap();
                m
            })
        });
        let mut fitted = Prophet::new(prophet_opts(), NativeOptimizer);
        fitted.fit(data.clone(), OptimizeOpts::default()).unwrap();
        let last = series.points.last().unwrap().ts.timestamp();
        let future: Vec<i64> = (1..=7 * 24).map(|i| last + 3600 * i).collect();
        c.bench_function(&format!("predict_point/{days}d"), |b| {
            b.iter(|| {
                fitted
                    .predict(PredictionData::new(black_box(future.clone())))
                    .unwrap()
            })
        });
        c.bench_function(&format!("fit_predict_with_band/{days}d"), |b| {
            b.iter(|| fit_predict_raw(black_box(&series), 7 * 24, &settings).unwrap())
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
