//! The Prophet forecaster's contract: clear errors on short history, seasonalities switched off
//! with a warning, reproducible seeded bands, non-negative counts, local-time fitting.

use chrono::{Duration, TimeZone, Utc};
use queuecast::config::ForecastConfig;
use queuecast::forecast::prophet::{ProphetForecaster, ProphetSettings, fit_predict_raw};
use queuecast::forecast::{ForecastError, Forecaster};
use queuecast::granularity::Granularity;
use queuecast::history::{Point, Series};

/// Hourly contact-centre-like counts: busy 08-20 on weekdays, near zero at night.
fn series(hours: usize, tz: chrono_tz::Tz) -> Series {
    series_from(
        Utc.with_ymd_and_hms(2025, 3, 3, 0, 0, 0).unwrap(),
        hours,
        tz,
    )
}

fn series_from(start: chrono::DateTime<Utc>, hours: usize, tz: chrono_tz::Tz) -> Series {
    let points = (0..hours)
        .map(|i| {
            let ts = start + Duration::hours(i as i64);
            let h = i % 24;
            let day = (i / 24) % 7;
            let base = if (8..20).contains(&h) { 40.0 } else { 1.0 };
            let weekend = if day >= 5 { 0.3 } else { 1.0 };
            Point {
                ts,
                y: base * weekend + ((i * 7919) % 5) as f64,
            }
        })
        .collect();
    Series {
        granularity: Granularity::Pt1h,
        tz,
        points,
    }
}

#[test]
fn too_short_history_says_how_much_more_is_needed() {
    let f = ProphetForecaster::seed(&ForecastConfig::default());
    let err = f.forecast(&series(40, chrono_tz::UTC), 24).unwrap_err();
    assert!(matches!(
        err,
        ForecastError::TooShort {
            have: 40,
            need: 48,
            more: 8,
            ..
        }
    ));
    assert!(err.to_string().contains("8 more"), "{err}");
}

#[test]
fn weekly_off_with_warning_under_two_weeks() {
    let f = ProphetForecaster::seed(&ForecastConfig::default());
    let fc = f.forecast(&series(10 * 24, chrono_tz::UTC), 24).unwrap();
    assert_eq!(fc.future.len(), 24);
    assert!(
        fc.warnings
            .iter()
            .any(|w| w.contains("weekly seasonality switched off")),
        "{:?}",
        fc.warnings
    );
    assert!(!fc.warnings.iter().any(|w| w.contains("daily")));
}

#[test]
fn bands_are_reproducible_with_the_seed_and_change_with_it() {
    let s = series(28 * 24, chrono_tz::UTC);
    let cfg = ForecastConfig::default();
    let a = fit_predict_raw(&s, 48, &ProphetSettings::seed(&cfg)).unwrap();
    let b = fit_predict_raw(&s, 48, &ProphetSettings::seed(&cfg)).unwrap();
    // augurs orders its seasonality columns through a HashMap, so the floating-point sums of
    // two fits may differ in the last bits; anything beyond 1e-6 would be real randomness.
    let close = |x: f64, y: f64| (x - y).abs() <= 1e-6 * x.abs().max(1.0);
    for (p, q) in a.future.iter().zip(&b.future) {
        assert_eq!(p.ts, q.ts);
        assert!(close(p.yhat, q.yhat) && close(p.yhat_lower, q.yhat_lower));
        assert!(close(p.yhat_upper, q.yhat_upper), "{p:?} vs {q:?}");
    }
    let other = ProphetSettings {
        seed: cfg.seed + 1,
        ..ProphetSettings::seed(&cfg)
    };
    let c = fit_predict_raw(&s, 48, &other).unwrap();
    assert!(!close(a.future[0].yhat_lower, c.future[0].yhat_lower));
    assert!(close(a.future[0].yhat, c.future[0].yhat));
}

#[test]
fn forecasts_are_clamped_at_zero_for_counts_but_raw_is_not() {
    let s = series(28 * 24, chrono_tz::UTC);
    let cfg = ForecastConfig::default();
    let raw = fit_predict_raw(&s, 7 * 24, &ProphetSettings::seed(&cfg)).unwrap();
    assert!(
        raw.future.iter().any(|p| p.yhat_lower < 0.0),
        "the additive band dips below zero at night on this series"
    );
    let fc = ProphetForecaster::seed(&cfg).forecast(&s, 7 * 24).unwrap();
    assert!(
        fc.future
            .iter()
            .all(|p| p.yhat >= 0.0 && p.yhat_lower >= 0.0)
    );
    assert_eq!(fc.model, "prophet-seed");
}

#[test]
fn tuned_model_is_positive_and_separates_weekends() {
    let s = series(28 * 24, chrono_tz::UTC);
    let f = ProphetForecaster::tuned(&ForecastConfig::default());
    let fc = f.forecast(&s, 7 * 24).unwrap();
    assert_eq!(f.name(), "prophet-tuned");
    // 2025-03-31 is a Monday: history starts on a Monday and spans 4 whole weeks.
    let weekday_noon = fc.future[12].yhat;
    let saturday_noon = fc.future[5 * 24 + 12].yhat;
    assert!(
        saturday_noon < 0.6 * weekday_noon,
        "weekday {weekday_noon} vs saturday {saturday_noon}"
    );
    assert!(
        fc.future
            .iter()
            .all(|p| p.yhat_lower <= p.yhat && p.yhat <= p.yhat_upper)
    );
}

#[test]
fn future_buckets_follow_in_utc_across_a_dst_change() {
    // New York springs forward on 2025-03-09; history ends just before.
    let s = series(6 * 24 + 20, chrono_tz::America::New_York);
    let fc = fit_predict_raw(&s, 24, &ProphetSettings::seed(&ForecastConfig::default())).unwrap();
    let last = s.points.last().unwrap().ts;
    for (i, p) in fc.future.iter().enumerate() {
        assert_eq!(p.ts, last + Duration::hours(i as i64 + 1));
        assert!(p.yhat.is_finite());
    }
}

#[test]
fn fall_back_hour_in_history_keeps_the_daily_peak_at_local_noon() {
    // New York falls back on 2025-11-02: two UTC buckets share the local 01:00 wall-clock time.
    let tz = chrono_tz::America::New_York;
    let start = Utc.with_ymd_and_hms(2025, 10, 6, 4, 0, 0).unwrap(); // local midnight (EDT)
    let mut s = series_from(start, 35 * 24, tz);
    // Rebuild y on the LOCAL clock so the pattern is a local-time pattern.
    for p in &mut s.points {
        use chrono::Timelike;
        let h = p.ts.with_timezone(&tz).hour();
        p.y = if (8..20).contains(&h) { 40.0 } else { 1.0 } + f64::from(h % 3);
    }
    let fc = fit_predict_raw(&s, 48, &ProphetSettings::seed(&ForecastConfig::default())).unwrap();
    assert_eq!(fc.future.len(), 48);
    for p in &fc.future {
        use chrono::Timelike;
        let h = p.ts.with_timezone(&tz).hour();
        if (9..19).contains(&h) {
            assert!(p.yhat > 25.0, "local {h}:00 should be busy: {}", p.yhat);
        } else if !(7..21).contains(&h) {
            assert!(p.yhat < 15.0, "local {h}:00 should be quiet: {}", p.yhat);
        }
    }
}

/// Issue 17: a fit that runs out of its iteration budget still forecasts (from the best point
/// found) and says so, naming the settings that raise the budget; the default budget converges.
#[test]
fn a_tiny_fit_budget_is_hit_reported_and_still_forecasts() {
    let s = series(28 * 24, chrono_tz::UTC);
    let tiny = ForecastConfig {
        fit_max_iterations: 10,
        ..ForecastConfig::default()
    };
    let fc = ProphetForecaster::seed(&tiny).forecast(&s, 48).unwrap();
    assert_eq!(fc.future.len(), 48);
    assert!(fc.future.iter().all(|p| p.yhat.is_finite()));
    let note = fc
        .warnings
        .iter()
        .find(|w| w.contains("stopped at its cap of 10 iterations"))
        .unwrap_or_else(|| panic!("no budget note in {:?}", fc.warnings));
    assert!(note.contains("forecast.fit_max_iterations"), "{note}");
    let full = ProphetForecaster::seed(&ForecastConfig::default())
        .forecast(&s, 48)
        .unwrap();
    assert!(!full.warnings.iter().any(|w| w.contains("stopped at")));
}

/// Issue 15: `prophet-seed` and `prophet-tuned` are bitwise repeatable run to run, point and
/// band (every fit builds its own `HashMap`s, so repeated fits see different orders).
#[test]
fn seed_and_tuned_forecasts_are_bitwise_equal_run_to_run() {
    let cfg = ForecastConfig::default();
    let s = series(24 * 7 * 4, chrono_tz::UTC);
    for f in [
        ProphetForecaster::seed(&cfg),
        ProphetForecaster::tuned(&cfg),
    ] {
        let bits = || -> Vec<[u64; 3]> {
            f.forecast(&s, 168)
                .unwrap()
                .future
                .iter()
                .map(|p| {
                    [
                        p.yhat.to_bits(),
                        p.yhat_lower.to_bits(),
                        p.yhat_upper.to_bits(),
                    ]
                })
                .collect()
        };
        let first = bits();
        for _ in 0..5 {
            assert_eq!(bits(), first, "{} moved between runs", f.name());
        }
    }
}
