//! Average handle time (AHT) per bucket: a robust weekly profile with fallbacks, and its
//! rolling-origin backtest.
//!
//! Input is what Genesys' `tHandle` metric gives per bucket: the sum of handle times (ms) and
//! the number of handled contacts. Each bucket of the week (local wall clock, so 09:00 stays
//! 09:00 across DST) gets the **count-weighted median** of that bucket's average over the last
//! `aht_weeks` weeks:
//! - a median, not the pooled mean, so one anomalous week (an outage, a system change that made
//!   every call long) moves it little;
//! - weighted by contacts, not a plain median of averages, so a week with 2 calls at 40 minutes
//!   does not get the same vote as a week with 200 calls.
//!
//! The profile is then smoothed with a small triangular kernel over neighbouring buckets (AHT
//! moves slowly through the day; single buckets are noisy), only among buckets with enough
//! data. A bucket of the week with fewer than `aht_min_contacts` handled contacts over the
//! window falls back to the bucket of the day (all weekdays pooled), then to the overall mean,
//! then to `fallback_aht_s` when there is no handle-time data at all.

use chrono::{DateTime, Datelike, TimeDelta, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::StaffingSettings;
use crate::granularity::Granularity;

/// One bucket of handle-time history (`tHandle`): `sum_ms` over `count` handled contacts.
/// Buckets Genesys omits (no contacts) simply carry no information here.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HandleBucket {
    pub ts: DateTime<Utc>,
    pub sum_ms: f64,
    pub count: f64,
}

impl HandleBucket {
    fn aht_s(&self) -> Option<f64> {
        (self.count > 0.0 && self.sum_ms.is_finite() && self.sum_ms >= 0.0)
            .then(|| self.sum_ms / 1000.0 / self.count)
    }
}

/// Which level of the fallback chain gave a bucket its AHT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AhtBasis {
    /// Its own bucket of the week.
    Week,
    /// The same bucket of the day, all days pooled.
    Day,
    /// The mean over the whole window.
    Overall,
    /// `fallback_aht_s`: no handle-time data.
    Default,
}

/// AHT for one bucket of the week.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AhtSlot {
    pub aht_s: f64,
    pub basis: AhtBasis,
    /// Handled contacts behind this bucket of the week over the window.
    pub contacts: f64,
}

/// Local bucket of the week, 0 at Monday 00:00: weekday × buckets per day + bucket of day.
pub fn bucket_of_week(ts: DateTime<Utc>, tz: Tz, g: Granularity) -> usize {
    let day = ts.with_timezone(&tz).weekday().num_days_from_monday() as usize;
    day * g.per_day() + g.bucket_of_day(ts, tz)
}

/// The weekly AHT profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AhtProfile {
    pub granularity: Granularity,
    pub tz: Tz,
    /// `7 × per_day` slots, Monday 00:00 first.
    pub slots: Vec<AhtSlot>,
    /// Contact-weighted mean AHT over the window (the last fallback before the default).
    pub overall_s: f64,
}

/// Per-slot observations: (bucket average, contacts).
type Observations = Vec<Vec<(f64, f64)>>;

impl AhtProfile {
    /// Builds the profile from `history` before `end` (exclusive), using the last
    /// `settings.aht_weeks` weeks.
    pub fn fit(
        history: &[HandleBucket],
        end: DateTime<Utc>,
        g: Granularity,
        tz: Tz,
        settings: &StaffingSettings,
    ) -> AhtProfile {
        let from = end - TimeDelta::weeks(i64::from(settings.aht_weeks.max(1)));
        let per_day = g.per_day();
        let mut week: Observations = vec![Vec::new(); 7 * per_day];
        let mut day: Observations = vec![Vec::new(); per_day];
        let (mut sum_s, mut count) = (0.0, 0.0);
        for b in history.iter().filter(|b| b.ts >= from && b.ts < end) {
            let Some(aht) = b.aht_s() else { continue };
            week[bucket_of_week(b.ts, tz, g)].push((aht, b.count));
            day[g.bucket_of_day(b.ts, tz)].push((aht, b.count));
            sum_s += b.sum_ms / 1000.0;
            count += b.count;
        }
        let min = settings.aht_min_contacts;
        let week_vals = smooth(&robust(&week, min), g);
        let day_vals = smooth(&robust(&day, min), g);
        let (overall_s, overall_basis) = if count > 0.0 {
            (sum_s / count, AhtBasis::Overall)
        } else {
            (settings.fallback_aht_s, AhtBasis::Default)
        };
        let slots = week_vals
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let contacts = week[i].iter().map(|o| o.1).sum();
                let (aht_s, basis) = match (w, day_vals[i % per_day]) {
                    (Some(v), _) => (*v, AhtBasis::Week),
                    (None, Some(v)) => (v, AhtBasis::Day),
                    (None, None) => (overall_s, overall_basis),
                };
                AhtSlot {
                    aht_s,
                    basis,
                    contacts,
                }
            })
            .collect();
        AhtProfile {
            granularity: g,
            tz,
            slots,
            overall_s,
        }
    }

    /// The slot that covers bucket `ts`.
    pub fn slot(&self, ts: DateTime<Utc>) -> &AhtSlot {
        &self.slots[bucket_of_week(ts, self.tz, self.granularity)]
    }

    /// AHT in seconds for the bucket starting at `ts`.
    pub fn aht_at(&self, ts: DateTime<Utc>) -> f64 {
        self.slot(ts).aht_s
    }

    /// AHT for each bucket start, in order.
    pub fn predict(&self, ts: impl IntoIterator<Item = DateTime<Utc>>) -> Vec<f64> {
        ts.into_iter().map(|t| self.aht_at(t)).collect()
    }
}

/// Count-weighted median per slot, `None` where the slot has fewer than `min` contacts.
fn robust(obs: &Observations, min: f64) -> Vec<Option<f64>> {
    obs.iter()
        .map(|o| {
            let total: f64 = o.iter().map(|x| x.1).sum();
            (total >= min && total > 0.0).then(|| weighted_median(o))
        })
        .collect()
}

/// Weighted median of `(value, weight)` pairs: the value where the cumulative weight reaches
/// half; midway between two values when it lands exactly on half.
pub fn weighted_median(obs: &[(f64, f64)]) -> f64 {
    let mut v: Vec<(f64, f64)> = obs.iter().copied().filter(|o| o.1 > 0.0).collect();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let half = v.iter().map(|o| o.1).sum::<f64>() / 2.0;
    let mut cum = 0.0;
    for (i, &(x, w)) in v.iter().enumerate() {
        cum += w;
        if (cum - half).abs() <= 1e-12 * half.max(1.0) {
            return v.get(i + 1).map_or(x, |next| 0.5 * (x + next.0));
        }
        if cum > half {
            return x;
        }
    }
    v.last().map_or(f64::NAN, |o| o.0)
}

/// Triangular smoothing over ±h neighbouring slots (circular: the week and the day wrap),
/// among slots that have a value. h is 2 buckets at 15 minutes, 1 otherwise (about ±30 min).
fn smooth(values: &[Option<f64>], g: Granularity) -> Vec<Option<f64>> {
    let h = (30 / g.minutes()).max(1) as isize;
    let n = values.len() as isize;
    (0..n)
        .map(|i| {
            values[i as usize]?;
            let (mut num, mut den) = (0.0, 0.0);
            for k in -h..=h {
                if let Some(v) = values[(i + k).rem_euclid(n) as usize] {
                    let w = (h + 1 - k.abs()) as f64;
                    num += w * v;
                    den += w;
                }
            }
            Some(num / den)
        })
        .collect()
}

/// How well the AHT profile predicted the weeks after each origin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AhtBacktest {
    /// Contact-weighted WAPE of AHT: Σ|actual handle s − contacts × predicted AHT| / Σ actual
    /// handle s (the error in workload with the contacts known). `None` without test data.
    pub wape: Option<f64>,
    /// The same for a flat AHT (the training window's mean), the number to beat.
    pub baseline_wape: Option<f64>,
    /// Folds that had both training and test data.
    pub folds: usize,
    /// Handled contacts in the test weeks.
    pub contacts: f64,
}

/// Rolling-origin backtest: origins at `end − k` weeks for k = 1..=`aht_backtest_folds`, each
/// fitting on the data before the origin and scoring the week after it.
pub fn backtest(
    history: &[HandleBucket],
    end: DateTime<Utc>,
    g: Granularity,
    tz: Tz,
    settings: &StaffingSettings,
) -> AhtBacktest {
    let (mut err, mut base_err, mut actual, mut contacts, mut folds) = (0.0, 0.0, 0.0, 0.0, 0);
    for k in 1..=i64::from(settings.aht_backtest_folds) {
        let origin = end - TimeDelta::weeks(k);
        let test_end = origin + TimeDelta::weeks(1);
        let train_has_data = history.iter().any(|b| b.ts < origin && b.aht_s().is_some());
        let test: Vec<&HandleBucket> = history
            .iter()
            .filter(|b| b.ts >= origin && b.ts < test_end && b.aht_s().is_some())
            .collect();
        if !train_has_data || test.is_empty() {
            continue;
        }
        let profile = AhtProfile::fit(history, origin, g, tz, settings);
        for b in test {
            let handled_s = b.sum_ms / 1000.0;
            err += (handled_s - b.count * profile.aht_at(b.ts)).abs();
            base_err += (handled_s - b.count * profile.overall_s).abs();
            actual += handled_s;
            contacts += b.count;
        }
        folds += 1;
    }
    let ratio = |e: f64| (actual > 0.0).then(|| e / actual);
    AhtBacktest {
        wape: ratio(err),
        baseline_wape: ratio(base_err),
        folds,
        contacts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Timelike};

    fn settings(weeks: u32, min: f64) -> StaffingSettings {
        StaffingSettings {
            aht_weeks: weeks,
            aht_min_contacts: min,
            ..Default::default()
        }
    }

    /// Hourly handle buckets from Monday 2024-01-01 00:00 UTC for `weeks` weeks, with
    /// `f(week, hour_of_week) -> (contacts, aht_s)`; zero-contact buckets are left out as
    /// Genesys leaves them out.
    fn hourly(weeks: usize, f: impl Fn(usize, usize) -> (f64, f64)) -> Vec<HandleBucket> {
        let t0 = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        (0..weeks * 168)
            .filter_map(|i| {
                let (count, aht) = f(i / 168, i % 168);
                (count > 0.0).then(|| HandleBucket {
                    ts: t0 + TimeDelta::hours(i as i64),
                    sum_ms: count * aht * 1000.0,
                    count,
                })
            })
            .collect()
    }

    fn end_of(weeks: usize) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap() + TimeDelta::weeks(weeks as i64)
    }

    #[test]
    fn weighted_median_resists_small_and_anomalous_weeks() {
        assert_eq!(
            weighted_median(&[(100.0, 1.0), (200.0, 1.0), (900.0, 1.0)]),
            200.0
        );
        // A 2-call week at 40 minutes does not outvote two busy weeks.
        assert_eq!(
            weighted_median(&[(2400.0, 2.0), (300.0, 100.0), (310.0, 120.0)]),
            310.0
        );
        // Exactly half the weight on each side: midway.
        assert_eq!(weighted_median(&[(300.0, 50.0), (320.0, 50.0)]), 310.0);
        assert!(weighted_median(&[]).is_nan());
    }

    #[test]
    fn weekly_profile_uses_the_weighted_median_per_bucket_of_week() {
        // Monday 10:00 (hour 10) is 300 s in three weeks and 900 s in an outage week; other
        // open hours are a flat 200 s. Smoothing mixes only trusted neighbours, so use a slot
        // whose neighbours are closed: 10:00 alone is open on Mondays.
        let history = hourly(4, |w, h| match h {
            10 => (50.0, if w == 2 { 900.0 } else { 300.0 }),
            h if h >= 24 && h % 24 >= 8 && h % 24 < 18 => (40.0, 200.0),
            _ => (0.0, 0.0),
        });
        let p = AhtProfile::fit(
            &history,
            end_of(4),
            Granularity::Pt1h,
            Tz::UTC,
            &settings(4, 30.0),
        );
        let monday_10 = end_of(4) + TimeDelta::hours(10);
        let slot = p.slot(monday_10);
        assert_eq!(
            (slot.aht_s, slot.basis, slot.contacts),
            (300.0, AhtBasis::Week, 200.0)
        );
        // Tuesday 12:00 is 200 s (its neighbours are 200 s too).
        assert_eq!(p.aht_at(monday_10 + TimeDelta::hours(26)), 200.0);
        // The pooled mean would have been pulled to 450 s by the outage week.
        assert!((p.overall_s - 200.0).abs() > 1.0);
    }

    #[test]
    fn smoothing_blends_neighbouring_buckets() {
        // Every weekday hour 08-17 open; AHT alternates 200 / 400 s by hour.
        let history = hourly(3, |_, h| {
            let hod = h % 24;
            if (8..18).contains(&hod) {
                (60.0, if hod % 2 == 0 { 200.0 } else { 400.0 })
            } else {
                (0.0, 0.0)
            }
        });
        let p = AhtProfile::fit(
            &history,
            end_of(3),
            Granularity::Pt1h,
            Tz::UTC,
            &settings(3, 30.0),
        );
        let monday = end_of(3);
        // 12:00 (200) with neighbours 11:00 and 13:00 (400): (400 + 2·200 + 400) / 4.
        assert_eq!(p.aht_at(monday + TimeDelta::hours(12)), 300.0);
        // 08:00 is the first open hour: (2·200 + 400) / 3.
        assert!((p.aht_at(monday + TimeDelta::hours(8)) - 800.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn thin_buckets_fall_back_to_day_then_overall_then_default() {
        // Saturday 09:00 sees 5 contacts a week (too few for its own slot); 09:00 on weekdays
        // is busy at 240 s. Sunday 03:00 never sees a contact, nor does any 03:00.
        let history = hourly(4, |_, h| {
            let (day, hod) = (h / 24, h % 24);
            match (day, hod) {
                (0..=4, 9) => (50.0, 240.0),
                (5, 9) => (5.0, 600.0),
                (0..=4, 14) => (50.0, 360.0),
                _ => (0.0, 0.0),
            }
        });
        let s = settings(4, 30.0);
        let p = AhtProfile::fit(&history, end_of(4), Granularity::Pt1h, Tz::UTC, &s);
        let monday = end_of(4);
        let sat9 = p.slot(monday + TimeDelta::hours(5 * 24 + 9));
        assert_eq!(sat9.basis, AhtBasis::Day);
        // Day slot 09:00 pools 4×(5×50 at 240) and 4×5 at 600: weighted median 240.
        assert_eq!(sat9.aht_s, 240.0);
        let sun3 = p.slot(monday + TimeDelta::hours(6 * 24 + 3));
        assert_eq!(sun3.basis, AhtBasis::Overall);
        let want = (4.0 * (5.0 * 50.0 * 240.0 + 5.0 * 600.0 + 5.0 * 50.0 * 360.0))
            / (4.0 * (5.0 * 50.0 + 5.0 + 5.0 * 50.0));
        assert!((sun3.aht_s - want).abs() < 1e-9, "{} vs {want}", sun3.aht_s);
        let none = AhtProfile::fit(&[], monday, Granularity::Pt1h, Tz::UTC, &s);
        assert!(
            none.slots
                .iter()
                .all(|x| x.basis == AhtBasis::Default && x.aht_s == 300.0)
        );
    }

    #[test]
    fn only_the_last_weeks_count() {
        // 300 s for 6 weeks, then 200 s for the last 2: a 2-week window sees only 200 s.
        let history = hourly(8, |w, _| (40.0, if w < 6 { 300.0 } else { 200.0 }));
        let p = AhtProfile::fit(
            &history,
            end_of(8),
            Granularity::Pt1h,
            Tz::UTC,
            &settings(2, 30.0),
        );
        assert!(
            p.slots
                .iter()
                .all(|s| s.aht_s == 200.0 && s.basis == AhtBasis::Week)
        );
    }

    #[test]
    fn bucket_of_week_is_local_and_dst_safe() {
        let tz: Tz = "Europe/London".parse().unwrap();
        // Monday 09:00 local in winter (UTC) and in summer (BST, 08:00 UTC): same slot.
        let winter = Utc.with_ymd_and_hms(2024, 1, 8, 9, 0, 0).unwrap();
        let summer = Utc.with_ymd_and_hms(2024, 7, 8, 8, 0, 0).unwrap();
        assert_eq!(bucket_of_week(winter, tz, Granularity::Pt1h), 9);
        assert_eq!(bucket_of_week(summer, tz, Granularity::Pt1h), 9);
        assert_eq!(bucket_of_week(summer, tz, Granularity::Pt15m), 36);
        // Sunday 23:45 is the last 15-minute slot of the week.
        let sun = Utc.with_ymd_and_hms(2024, 1, 14, 23, 45, 0).unwrap();
        assert_eq!(bucket_of_week(sun, tz, Granularity::Pt15m), 7 * 96 - 1);
        // A profile fitted in winter predicts summer 09:00 local from winter 09:00 local.
        let history: Vec<HandleBucket> = (0..28 * 24)
            .map(|i| {
                let ts = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap() + TimeDelta::hours(i);
                let aht = if ts.with_timezone(&tz).hour() == 9 {
                    500.0
                } else {
                    250.0
                };
                HandleBucket {
                    ts,
                    sum_ms: 40.0 * aht * 1000.0,
                    count: 40.0,
                }
            })
            .collect();
        let end = Utc.with_ymd_and_hms(2024, 1, 29, 0, 0, 0).unwrap();
        let p = AhtProfile::fit(&history, end, Granularity::Pt1h, tz, &settings(4, 30.0));
        let nine_bst = p.aht_at(summer);
        let ten_bst = p.aht_at(summer + TimeDelta::hours(1));
        assert!(
            nine_bst > ten_bst,
            "09:00 local should carry the long calls: {nine_bst} vs {ten_bst}"
        );
    }

    #[test]
    fn fifteen_minute_profile() {
        // 15-minute buckets, one week of 08:00-10:00 weekday traffic: AHT 200 s before 09:00
        // and 400 s after, smoothed over ±2 buckets with weights 1,2,3,2,1.
        let t0 = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        let history: Vec<HandleBucket> = (0..7 * 96)
            .filter_map(|i| {
                let (day, q) = (i / 96, i % 96);
                (day < 5 && (32..40).contains(&q)).then(|| {
                    let aht = if q < 36 { 200.0 } else { 400.0 };
                    HandleBucket {
                        ts: t0 + TimeDelta::minutes(15 * i as i64),
                        sum_ms: 30.0 * aht * 1000.0,
                        count: 30.0,
                    }
                })
            })
            .collect();
        let end = t0 + TimeDelta::weeks(1);
        let p = AhtProfile::fit(
            &history,
            end,
            Granularity::Pt15m,
            Tz::UTC,
            &settings(1, 30.0),
        );
        let at = |min: i64| p.aht_at(end + TimeDelta::minutes(min));
        // 08:00: itself 200 (w3), 08:15 200 (w2), 08:30 200 (w1); 07:45/07:30 closed.
        assert_eq!(at(8 * 60), 200.0);
        // 08:45: 08:15 (1), 08:30 (2), 08:45 (3) at 200; 09:00 (2), 09:15 (1) at 400.
        assert!((at(8 * 60 + 45) - (6.0 * 200.0 + 3.0 * 400.0) / 9.0).abs() < 1e-9);
        assert_eq!(at(9 * 60 + 45), 400.0);
    }

    #[test]
    fn backtest_scores_the_profile_against_a_flat_mean() {
        // A stable daily shape (calls shorten from 480 s at 08:00 to 210 s at 17:00) with a
        // little weekly noise: the profile must beat a flat AHT, and its WAPE must be small.
        let history = hourly(12, |w, h| {
            let hod = h % 24;
            if !(8..18).contains(&hod) {
                return (0.0, 0.0);
            }
            let base = 480.0 - 30.0 * (hod - 8) as f64;
            let wiggle = 1.0 + 0.02 * (((w * 7 + h) % 5) as f64 - 2.0);
            (60.0, base * wiggle)
        });
        let s = StaffingSettings {
            aht_backtest_folds: 4,
            ..settings(8, 30.0)
        };
        let bt = backtest(&history, end_of(12), Granularity::Pt1h, Tz::UTC, &s);
        assert_eq!(bt.folds, 4);
        assert_eq!(bt.contacts, 4.0 * 7.0 * 10.0 * 60.0);
        let wape = bt.wape.unwrap();
        let base = bt.baseline_wape.unwrap();
        assert!(wape < 0.05, "profile WAPE {wape}");
        assert!(
            base > 0.15 && wape < base / 3.0,
            "baseline {base}, profile {wape}"
        );
        let empty = backtest(&[], end_of(12), Granularity::Pt1h, Tz::UTC, &s);
        assert_eq!((empty.folds, empty.wape), (0, None));
    }
}
