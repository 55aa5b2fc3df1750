//! The staffing stage (issue 14) against the forecast it rides on: AHT profile and its
//! backtest, staffed-agents projection from on-queue history, Erlang C required agents at the
//! mean and the upper band for every forecast bucket, and the capacity windows.
//!
//! `cargo bench --bench staffing`. Target: the stage adds ≤ 10 % to a 365-day forecast; the
//! `peer/auto_tournament_365d_hourly` group times the forecast's own `auto` tournament on the
//! same series in the same run, so the ratio comes from one machine state.
//!
//! Volumes are a large centre's: up to ~2,300 contacts an hour at ~5 min AHT (~200 erlangs,
//! ~210 agents at the upper band) on weekdays, a quiet Saturday, a closed Sunday.

use std::hint::black_box;
use std::time::Duration;

use chrono::{DateTime, Datelike, TimeDelta, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use criterion::{Criterion, criterion_group, criterion_main};
use queuecast::config::{ForecastConfig, WindowsConfig};
use queuecast::forecast::ForecastPoint;
use queuecast::forecast::select::tournament;
use queuecast::forecast::staffing::aht::{self, AhtProfile, HandleBucket};
use queuecast::forecast::staffing::erlang::required_agents;
use queuecast::forecast::staffing::{
    OnQueueBucket, OnQueueProjection, StaffedSource, StaffingSettings, plan,
};
use queuecast::forecast::windows::WindowOptions;
use queuecast::granularity::Granularity;
use queuecast::history::{Point, Series};

const TZ: Tz = chrono_tz::Europe::London;

/// Contacts per hour at local time `t`: weekday peaks at 10:30 and 14:30.
fn contacts_per_hour(t: DateTime<Tz>) -> f64 {
    let h = f64::from(t.hour()) + f64::from(t.minute()) / 60.0;
    match t.weekday().num_days_from_monday() {
        0..=4 if (8.0..20.0).contains(&h) => {
            1200.0
                + 1100.0 * (-(h - 10.5f64).powi(2) / 4.0).exp()
                + 800.0 * (-(h - 14.5f64).powi(2) / 3.0).exp()
        }
        5 if (9.0..17.0).contains(&h) => 700.0,
        _ => 0.0,
    }
}

/// Deterministic noise in [−1, 1) from a fixed LCG.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as f64 / (1u64 << 31) as f64 * 2.0 - 1.0
    }
}

struct Fixture {
    g: Granularity,
    series: Series,
    handle: Vec<HandleBucket>,
    on_queue: Vec<OnQueueBucket>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    future: Vec<ForecastPoint>,
}

fn fixture(days: i64, g: Granularity) -> Fixture {
    let start = TZ
        .with_ymd_and_hms(2025, 1, 6, 0, 0, 0)
        .unwrap()
        .with_timezone(&Utc);
    let end = start + TimeDelta::days(days);
    let per_hour = 60.0 / g.minutes() as f64;
    let mut rng = Lcg(0x9E37_79B9_7F4A_7C15);
    let (mut points, mut handle, mut on_queue) = (Vec::new(), Vec::new(), Vec::new());
    for ts in queuecast::history::grid(start, end, g, TZ) {
        let local = ts.with_timezone(&TZ);
        let mean = contacts_per_hour(local) / per_hour;
        let y = (mean + rng.next() * mean.sqrt()).max(0.0).round();
        points.push(Point { ts, y });
        if y > 0.0 {
            // Longer calls in the morning, ±5 % noise.
            let aht = (330.0 - 6.0 * f64::from(local.hour())) * (1.0 + 0.05 * rng.next());
            handle.push(HandleBucket {
                ts,
                sum_ms: y * aht * 1000.0,
                count: y,
            });
            let erlangs = mean * 300.0 / (g.minutes() as f64 * 60.0);
            on_queue.push(OnQueueBucket {
                ts,
                on_queue_s: (erlangs * 1.15 + 8.0) * g.minutes() as f64 * 60.0,
            });
        }
    }
    let horizon = queuecast::history::grid(end, end + TimeDelta::days(7), g, TZ);
    let future = horizon
        .into_iter()
        .map(|ts| {
            let yhat = contacts_per_hour(ts.with_timezone(&TZ)) / per_hour;
            ForecastPoint {
                ts,
                yhat,
                yhat_lower: (yhat - 2.0 * yhat.sqrt()).max(0.0),
                yhat_upper: yhat + 2.0 * yhat.sqrt() + 0.05 * yhat,
            }
        })
        .collect();
    Fixture {
        g,
        series: Series {
            granularity: g,
            tz: TZ,
            points,
        },
        handle,
        on_queue,
        start,
        end,
        future,
    }
}

/// The whole stage as the pipeline will run it after a forecast.
fn stage(f: &Fixture, settings: &StaffingSettings, opts: &WindowOptions) -> usize {
    let profile = AhtProfile::fit(&f.handle, f.end, f.g, TZ, settings);
    let backtest = aht::backtest(&f.handle, f.end, f.g, TZ, settings);
    let staffed = OnQueueProjection::from_history(
        &f.on_queue,
        f.start,
        f.end,
        f.g,
        TZ,
        settings.history_weeks,
    );
    let out = plan(
        &f.future,
        &profile,
        &StaffedSource::History(staffed),
        f.g,
        TZ,
        opts,
        settings,
        Some(backtest),
    )
    .unwrap();
    out.windows.len()
}

fn bench(c: &mut Criterion) {
    let settings = StaffingSettings::default();
    let opts = WindowOptions::from_config(&WindowsConfig::default()).unwrap();
    let hourly = fixture(365, Granularity::Pt1h);
    let quarter = fixture(365, Granularity::Pt15m);
    let peak = hourly
        .future
        .iter()
        .map(|p| p.yhat_upper * 300.0 / 3600.0)
        .fold(0.0, f64::max);
    let need = required_agents(peak, 300.0, &settings.goal())
        .unwrap()
        .agents;
    eprintln!("peak upper-band traffic {peak:.0} erlangs needs {need} agents");
    assert!(stage(&hourly, &settings, &opts) > 0, "no capacity window");

    let mut group = c.benchmark_group("staffing_stage");
    group.sample_size(30);
    group.bench_function("365d_hourly_history_7d_horizon", |b| {
        b.iter(|| stage(black_box(&hourly), &settings, &opts))
    });
    group.bench_function("365d_15min_history_7d_horizon", |b| {
        b.iter(|| stage(black_box(&quarter), &settings, &opts))
    });
    // Required agents for every hour of a year at mean and upper band: the Erlang cost alone,
    // 52 times the 7-day horizon.
    let year: Vec<f64> = hourly.series.points.iter().map(|p| p.y).collect();
    group.bench_function("erlang_8760_hours_mean_and_upper", |b| {
        b.iter(|| {
            year.iter()
                .map(|&y| {
                    let a = y * 300.0 / 3600.0;
                    let up = (y + 2.0 * y.sqrt()) * 300.0 / 3600.0;
                    required_agents(a, 300.0, &settings.goal()).unwrap().agents
                        + required_agents(up, 300.0, &settings.goal()).unwrap().agents
                })
                .sum::<u32>()
        })
    });
    group.finish();

    let cfg = ForecastConfig::default();
    let mut peer = c.benchmark_group("peer");
    peer.sample_size(10)
        .measurement_time(Duration::from_secs(20));
    peer.bench_function("auto_tournament_365d_hourly", |b| {
        b.iter(|| tournament(black_box(&hourly.series), 7 * 24, &cfg).unwrap())
    });
    peer.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
