//! Prophet fit and predict on synthetic contact-centre series: 90 and 365 days hourly, and 365
//! days at 15 minutes (35,040 points, the same synthetic shape sampled every quarter hour:
//! Genesys WFM's interval).
//!
//! Beside fit, predict and fit + band: one evaluation of the objective streaming over every
//! point against one from sufficient statistics, with the statistics' set-up (once per fit).
//!
//! `cargo bench --bench forecast`. Targets (issue 6): fit alone <= 30 ms at 90 days.

use std::hint::black_box;
use std::sync::{Arc, Mutex};

use augurs_prophet::optimizer::{Data, InitialParams, OptimizeOpts, OptimizedParams};
use augurs_prophet::{
    Optimizer, PredictionData, Prophet, ProphetOptions, SeasonalityOption, TrainingData,
};
use chrono::{Duration, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use queuecast::config::ForecastConfig;
use queuecast::forecast::optimizer::{Model, NativeOptimizer};
use queuecast::forecast::prophet::{ProphetSettings, fit_predict_raw};
use queuecast::granularity::Granularity;
use queuecast::history::{Point, Series};

/// Deterministic contact-centre shape: weekday 08-20 peaks, quiet Saturday, closed Sunday,
/// slow growth, pseudo-random noise from a fixed LCG; one point every `step` minutes (a volume
/// per interval, so a quarter hour carries a quarter of the hour's calls).
fn synthetic(days: usize, granularity: Granularity) -> Series {
    let start = Utc.with_ymd_and_hms(2025, 1, 6, 0, 0, 0).unwrap();
    let step = granularity.minutes();
    let per_day = (24 * 60 / step) as usize;
    let share = step as f64 / 60.0;
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let points = (0..days * per_day)
        .map(|i| {
            let (h, dow) = ((i % per_day) as f64 * share, (i / per_day) % 7);
            let weekday = if (8.0..20.0).contains(&h) {
                60.0 + 55.0 * (-(h - 10.5f64).powi(2) / 4.0).exp()
                    + 40.0 * (-(h - 14.5f64).powi(2) / 3.0).exp()
            } else {
                3.0
            };
            let base = share
                * match dow {
                    0..=4 => weekday,
                    5 if (9.0..17.0).contains(&h) => 35.0,
                    _ => 2.0,
                };
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let noise = ((state >> 33) as f64 / (1u64 << 31) as f64 - 0.5) * 2.0 * base.sqrt();
            let trend = 1.0 + 0.15 * i as f64 / (days * per_day) as f64;
            Point {
                ts: start + Duration::minutes(step * i as i64),
                y: (base * trend + noise).max(0.0).round(),
            }
        })
        .collect();
    Series {
        granularity,
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

/// The native optimizer, keeping the model data and the optimum of the last fit.
#[derive(Debug, Clone, Default)]
struct Keep(Arc<Mutex<Option<(Data, OptimizedParams)>>>);

impl Optimizer for Keep {
    fn optimize(
        &self,
        init: &InitialParams,
        data: &Data,
        opts: &OptimizeOpts,
    ) -> Result<OptimizedParams, augurs_prophet::optimizer::Error> {
        let p = NativeOptimizer.optimize(init, data, opts)?;
        *self.0.lock().unwrap() = Some((data.clone(), p.clone()));
        Ok(p)
    }
}

/// One evaluation of the objective at the optimum, streaming over every point and from
/// sufficient statistics, and `Model::new`, which builds the statistics (once per fit).
fn bench_objective(c: &mut Criterion, name: &str, data: &TrainingData) {
    let keep = Keep::default();
    let mut m = Prophet::new(prophet_opts(), keep.clone());
    m.fit(data.clone(), OptimizeOpts::default()).unwrap();
    let (data, p) = keep.0.lock().unwrap().take().unwrap();
    let stream = Model::new_streaming(&data, true).unwrap();
    let quad = Model::new(&data, true).unwrap();
    let x = quad.pack(p.k, p.m, *p.sigma_obs, &p.delta, &p.beta);
    let mut g = vec![0.0; x.len()];
    c.bench_function(&format!("objective_streaming/{name}"), |b| {
        b.iter(|| stream.value_grad_streaming(black_box(&x), &mut g))
    });
    c.bench_function(&format!("objective_suffstats/{name}"), |b| {
        b.iter(|| quad.value_grad(black_box(&x), &mut g))
    });
    c.bench_function(&format!("suffstats_setup/{name}"), |b| {
        b.iter(|| Model::new(black_box(&data), true).unwrap())
    });
}

fn bench(c: &mut Criterion) {
    let settings = ProphetSettings::seed(&ForecastConfig::default());
    let cases = [
        ("90d", 90, Granularity::Pt1h),
        ("365d", 365, Granularity::Pt1h),
        ("365d-15min", 365, Granularity::Pt15m),
    ];
    for (name, days, granularity) in cases {
        let series = synthetic(days, granularity);
        let step = granularity.minutes() * 60;
        let horizon = 7 * granularity.per_day();
        let data = training(&series);
        c.bench_function(&format!("fit/{name}"), |b| {
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
        let future: Vec<i64> = (1..=horizon as i64).map(|i| last + step * i).collect();
        c.bench_function(&format!("predict_point/{name}"), |b| {
            b.iter(|| {
                fitted
                    .predict(PredictionData::new(black_box(future.clone())))
                    .unwrap()
            })
        });
        c.bench_function(&format!("fit_predict_with_band/{name}"), |b| {
            b.iter(|| fit_predict_raw(black_box(&series), horizon, &settings).unwrap())
        });
        bench_objective(c, name, &data);
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
