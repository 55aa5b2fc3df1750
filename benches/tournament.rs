//! Time of a full `auto` tournament (every model × 4 backtest folds + refit + calibration) on
//! 365 days of hourly data: the dashboard runs it in the background, target ≤ 2 s.
//!
//! `cargo bench --bench tournament`

#[path = "../tests/common/datasets.rs"]
mod datasets;

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use queuecast::config::ForecastConfig;
use queuecast::forecast::select::tournament;

fn bench(c: &mut Criterion) {
    let cfg = ForecastConfig::default();
    let mut group = c.benchmark_group("auto_tournament_365d_hourly");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    let year = datasets::synthetic_contact_centre(365, 7);
    assert_eq!(year.points.len(), 365 * 24);
    let horizon = cfg.horizon_days as usize * 24;
    group.bench_function("synthetic_contact_centre", |b| {
        b.iter(|| tournament(black_box(&year), horizon, &cfg).unwrap())
    });
    if let Some(bank) = datasets::load(
        "callcentre_il_bank_1999_hourly.csv",
        queuecast::granularity::Granularity::Pt1h,
        None,
    ) {
        group.bench_function("callcentre_il_bank_1999", |b| {
            b.iter(|| tournament(black_box(&bank), horizon, &cfg).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
