//! The sandbox's simulated contact centre: building 500 queues with their rosters, and
//! generating 90 days of traffic for all of them, hourly and at 15 minutes (issue 13's
//! benchmark org), plus one queue's agent states.
//!
//! `cargo bench --bench contact_centre`. Target: 500 queues × 90 days hourly well under 2 s.

use std::hint::black_box;

use chrono::{Duration, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use queuecast::sandbox::contact_centre::{ContactCentre, DESIGN_QUEUE};

const QUEUES: usize = 500;

fn centre() -> ContactCentre {
    let now = Utc.with_ymd_and_hms(2026, 1, 15, 17, 34, 0).unwrap();
    ContactCentre::new(7, QUEUES, chrono_tz::America::New_York, now).unwrap()
}

/// Inbound contacts of every queue over the last 90 days in `step` buckets.
fn all_queues(c: &ContactCentre, step: Duration) -> u64 {
    let end = c.horizon();
    let start = end - Duration::days(90);
    (0..c.queues().len())
        .map(|q| {
            c.queue_buckets(q, start, end, step)
                .unwrap()
                .iter()
                .map(|b| u64::from(b.inbound.offered))
                .sum::<u64>()
        })
        .sum()
}

fn benches(c: &mut Criterion) {
    c.bench_function("new_500_queues_with_rosters", |b| {
        b.iter(|| black_box(centre()))
    });
    let cc = centre();
    c.bench_function("traffic_500_queues_90d_hourly", |b| {
        b.iter(|| black_box(all_queues(&cc, Duration::hours(1))))
    });
    c.bench_function("traffic_500_queues_90d_15min", |b| {
        b.iter(|| black_box(all_queues(&cc, Duration::minutes(15))))
    });
    let billing = cc.queue_index(DESIGN_QUEUE).unwrap();
    let end = cc.horizon();
    c.bench_function("members_status_billing_90d_hourly", |b| {
        b.iter(|| {
            black_box(
                cc.members_status(billing, end - Duration::days(90), end, Duration::hours(1))
                    .unwrap(),
            )
        })
    });
}

criterion_group! {
    name = group;
    config = Criterion::default().sample_size(10);
    targets = benches
}
criterion_main!(group);
