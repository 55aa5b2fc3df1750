//! Low-volume windows: the quiet stretches of the forecast where outbound calls can be placed.
//!
//! The seed took the first and last low bucket and called everything in between a window, which
//! spans the busy afternoon. Here each maximal run of consecutive low buckets inside calling hours
//! is its own window, and nothing outside calling hours is ever offered.

use chrono::{DateTime, Datelike, NaiveTime, Timelike, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::ForecastPoint;
use crate::config::{ConfigError, WindowsConfig};
use crate::granularity::Granularity;

/// Local calling hours; `end` of `None` means midnight at the end of the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallingHours {
    pub start: NaiveTime,
    pub end: Option<NaiveTime>,
}

/// How windows are found, parsed once from the config.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowOptions {
    /// Quantile of future `yhat` (within calling hours) below which a bucket is low.
    pub quantile: f64,
    /// Shorter windows are dropped.
    pub min_window: chrono::TimeDelta,
    /// `None`: all day.
    pub calling_hours: Option<CallingHours>,
    /// Days on which calling is allowed.
    pub calling_days: Vec<Weekday>,
}

impl Default for WindowOptions {
    fn default() -> Self {
        Self::from_config(&WindowsConfig::default()).expect("default windows config is valid")
    }
}

impl WindowOptions {
    /// Parses calling hours and days; errors name the setting and the expected form.
    pub fn from_config(cfg: &WindowsConfig) -> Result<Self, ConfigError> {
        if !(0.0 < cfg.quantile && cfg.quantile < 1.0) {
            return Err(invalid(
                "windows.quantile",
                cfg.quantile.to_string(),
                "use a quantile between 0 and 1, e.g. 0.25",
            ));
        }
        let calling_hours = parse_calling_hours(&cfg.calling_hours)?;
        let mut calling_days = Vec::new();
        for d in &cfg.calling_days {
            let day: Weekday = d.trim().parse().map_err(|_| {
                invalid(
                    "windows.calling_days",
                    d.clone(),
                    "use day names such as mon, tue, wed, thu, fri, sat, sun",
                )
            })?;
            if !calling_days.contains(&day) {
                calling_days.push(day);
            }
        }
        Ok(Self {
            quantile: cfg.quantile,
            min_window: chrono::TimeDelta::minutes(i64::from(cfg.min_window_minutes)),
            calling_hours,
            calling_days,
        })
    }

    /// Whether the whole bucket `[ts, ts + g)` may be used for calling.
    pub fn allows(&self, ts: DateTime<Utc>, g: Granularity, tz: Tz) -> bool {
        let start = ts.with_timezone(&tz);
        if !self.calling_days.contains(&start.weekday()) {
            return false;
        }
        let Some(hours) = self.calling_hours else {
            return true;
        };
        let end = (ts + g.duration()).with_timezone(&tz);
        let start_t = start.time();
        if start_t < hours.start {
            return false;
        }
        match hours.end {
            // The bucket must end by `end` on the same local day.
            Some(limit) => end.date_naive() == start.date_naive() && end.time() <= limit,
            None => {
                end.date_naive() == start.date_naive()
                    || (end.time().num_seconds_from_midnight() == 0
                        && end.date_naive() == start.date_naive().succ_opt().unwrap_or_default())
            }
        }
    }
}

fn invalid(setting: &'static str, value: String, hint: &str) -> ConfigError {
    ConfigError::Invalid {
        setting,
        value,
        hint: hint.to_string(),
    }
}

fn parse_calling_hours(text: &str) -> Result<Option<CallingHours>, ConfigError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let err = || {
        invalid(
            "windows.calling_hours",
            text.to_string(),
            "use local HH:MM-HH:MM with the start before the end, e.g. 08:00-21:00, \
             or \"\" for all day",
        )
    };
    let (a, b) = text.split_once('-').ok_or_else(err)?;
    let start = NaiveTime::parse_from_str(a.trim(), "%H:%M").map_err(|_| err())?;
    let end = match b.trim() {
        "24:00" => None,
        b => Some(NaiveTime::parse_from_str(b, "%H:%M").map_err(|_| err())?),
    };
    if end.is_some_and(|e| e <= start) {
        return Err(err());
    }
    Ok(Some(CallingHours { start, end }))
}

/// One quiet stretch, in absolute time (labels convert to the zone).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Window {
    pub start: DateTime<Utc>,
    /// Exclusive: the end of the last bucket.
    pub end: DateTime<Utc>,
    pub mean_yhat: f64,
    /// Sum of `yhat` (negative predictions count as zero).
    pub expected_contacts: f64,
    pub buckets: usize,
}

/// The windows and the threshold that defined them.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct WindowSet {
    /// `None` when no forecast bucket falls inside calling hours.
    pub threshold: Option<f64>,
    pub windows: Vec<Window>,
}

/// Linear-interpolated quantile (numpy/pandas default), so thresholds match the seed's.
pub fn quantile(values: &[f64], q: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let pos = q.clamp(0.0, 1.0) * (v.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    Some(v[lo] + (v[hi] - v[lo]) * (pos - lo as f64))
}

/// Finds the low-volume windows of a forecast.
pub fn low_volume_windows(
    future: &[ForecastPoint],
    granularity: Granularity,
    tz: Tz,
    opts: &WindowOptions,
) -> WindowSet {
    let allowed: Vec<bool> = future
        .iter()
        .map(|p| opts.allows(p.ts, granularity, tz))
        .collect();
    let in_hours: Vec<f64> = future
        .iter()
        .zip(&allowed)
        .filter(|(_, a)| **a)
        .map(|(p, _)| p.yhat)
        .collect();
    let Some(threshold) = quantile(&in_hours, opts.quantile) else {
        return WindowSet::default();
    };
    let mut windows = Vec::new();
    let mut run: Vec<&ForecastPoint> = Vec::new();
    let flush = |run: &mut Vec<&ForecastPoint>, windows: &mut Vec<Window>| {
        if let (Some(first), Some(last)) = (run.first(), run.last()) {
            let end = last.ts + granularity.duration();
            if end - first.ts >= opts.min_window {
                let sum: f64 = run.iter().map(|p| p.yhat).sum();
                windows.push(Window {
                    start: first.ts,
                    end,
                    mean_yhat: sum / run.len() as f64,
                    expected_contacts: run.iter().map(|p| p.yhat.max(0.0)).sum(),
                    buckets: run.len(),
                });
            }
        }
        run.clear();
    };
    for (p, ok) in future.iter().zip(&allowed) {
        let low = *ok && p.yhat <= threshold;
        let contiguous = run
            .last()
            .is_none_or(|prev| prev.ts + granularity.duration() == p.ts);
        if !low || !contiguous {
            flush(&mut run, &mut windows);
        }
        if low {
            run.push(p);
        }
    }
    flush(&mut run, &mut windows);
    WindowSet {
        threshold: Some(threshold),
        windows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn opts(hours: &str, days: &[&str], min: u32, q: f64) -> WindowOptions {
        WindowOptions::from_config(&WindowsConfig {
            quantile: q,
            min_window_minutes: min,
            calling_hours: hours.into(),
            calling_days: days.iter().map(|d| d.to_string()).collect(),
        })
        .unwrap()
    }

    const ALL_DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

    /// Hourly points from Monday 2024-05-06 00:00 UTC with the given yhat.
    fn hourly(values: &[f64]) -> Vec<ForecastPoint> {
        let t0 = Utc.with_ymd_and_hms(2024, 5, 6, 0, 0, 0).unwrap();
        values
            .iter()
            .enumerate()
            .map(|(i, &y)| ForecastPoint {
                ts: t0 + chrono::TimeDelta::hours(i as i64),
                yhat: y,
                yhat_lower: y - 1.0,
                yhat_upper: y + 1.0,
            })
            .collect()
    }

    #[test]
    fn quantile_interpolates_like_numpy() {
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.25), Some(1.75));
        assert_eq!(quantile(&[5.0], 0.25), Some(5.0));
        assert_eq!(quantile(&[], 0.25), None);
    }

    #[test]
    fn separate_runs_are_separate_windows_never_spanning_busy_hours() {
        // Low at hours 1-2 and 6-8, busy in between: the seed would report 1..9 as one window.
        let v = [9.0, 1.0, 1.0, 9.0, 9.0, 9.0, 2.0, 1.0, 2.0, 9.0, 9.0, 9.0];
        let set = low_volume_windows(
            &hourly(&v),
            Granularity::Pt1h,
            Tz::UTC,
            &opts("", &ALL_DAYS, 60, 0.4),
        );
        let th = set.threshold.unwrap();
        assert!((2.0..9.0).contains(&th), "{th}");
        assert_eq!(set.windows.len(), 2);
        let w = &set.windows[0];
        assert_eq!(
            (
                w.start.format("%H").to_string(),
                w.end.format("%H").to_string()
            ),
            ("01".into(), "03".into())
        );
        assert_eq!(w.buckets, 2);
        assert_eq!(w.expected_contacts, 2.0);
        let w = &set.windows[1];
        assert_eq!(
            (
                w.start.format("%H").to_string(),
                w.end.format("%H").to_string()
            ),
            ("06".into(), "09".into())
        );
        assert!((w.mean_yhat - 5.0 / 3.0).abs() < 1e-12);
        for w in &set.windows {
            for p in hourly(&v)
                .iter()
                .filter(|p| p.ts >= w.start && p.ts < w.end)
            {
                assert!(p.yhat <= th, "window {w:?} contains busy bucket {p:?}");
            }
        }
    }

    #[test]
    fn short_runs_are_dropped() {
        let v = [9.0, 1.0, 9.0, 1.0, 1.0, 9.0, 9.0, 9.0];
        let set = low_volume_windows(
            &hourly(&v),
            Granularity::Pt1h,
            Tz::UTC,
            &opts("", &ALL_DAYS, 120, 0.4),
        );
        assert_eq!(set.windows.len(), 1);
        assert_eq!(set.windows[0].buckets, 2);
    }

    #[test]
    fn calling_hours_cut_windows_and_set_the_threshold() {
        // Night (00-08) is very quiet but outside calling hours; it must neither form a window
        // nor drag the threshold down.
        let mut v = vec![0.5; 8];
        v.extend([
            3.0, 3.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 3.0, 3.0, 3.0,
            3.0,
        ]);
        // In hours (08-21): three buckets of 3 and ten of 10 → 20th percentile 3 + 0.4 × 7.
        let o = opts("08:00-21:00", &ALL_DAYS, 60, 0.2);
        let set = low_volume_windows(&hourly(&v), Granularity::Pt1h, Tz::UTC, &o);
        assert!(
            (set.threshold.unwrap() - 5.8).abs() < 1e-9,
            "{:?}",
            set.threshold
        );
        let spans: Vec<(u32, u32)> = set
            .windows
            .iter()
            .map(|w| (w.start.hour(), w.end.hour()))
            .collect();
        // 08-10 and 20-21: the 21:00-24:00 low buckets are outside calling hours.
        assert_eq!(spans, vec![(8, 10), (20, 21)]);
    }

    #[test]
    fn calling_hours_follow_the_local_zone_and_days() {
        let tz: Tz = "America/New_York".parse().unwrap();
        // Monday 2024-05-06 00:00 UTC = Sunday 20:00 EDT. Flat forecast: everything is "low".
        let pts = hourly(&[1.0; 48]);
        let set = low_volume_windows(
            &pts,
            Granularity::Pt1h,
            tz,
            &opts("09:00-17:00", &["mon"], 60, 0.25),
        );
        assert_eq!(set.windows.len(), 1);
        let w = &set.windows[0];
        assert_eq!(
            w.start.with_timezone(&tz).format("%a %H:%M").to_string(),
            "Mon 09:00"
        );
        assert_eq!(
            w.end.with_timezone(&tz).format("%a %H:%M").to_string(),
            "Mon 17:00"
        );
        assert_eq!(w.buckets, 8);
    }

    #[test]
    fn bucket_must_fit_entirely_inside_calling_hours() {
        let o = opts("08:30-21:00", &ALL_DAYS, 0, 0.25);
        let t = Utc.with_ymd_and_hms(2024, 5, 6, 8, 0, 0).unwrap();
        assert!(!o.allows(t, Granularity::Pt1h, Tz::UTC));
        assert!(o.allows(
            t + chrono::TimeDelta::minutes(30),
            Granularity::Pt30m,
            Tz::UTC
        ));
        let all = opts("00:00-24:00", &ALL_DAYS, 0, 0.25);
        assert!(all.allows(t + chrono::TimeDelta::hours(15), Granularity::Pt1h, Tz::UTC));
    }

    #[test]
    fn gaps_in_the_forecast_break_runs() {
        let mut pts = hourly(&[1.0, 1.0, 1.0, 1.0]);
        pts.remove(2);
        let set = low_volume_windows(
            &pts,
            Granularity::Pt1h,
            Tz::UTC,
            &opts("", &ALL_DAYS, 60, 0.5),
        );
        assert_eq!(set.windows.len(), 2);
    }

    #[test]
    fn bad_settings_are_named() {
        for (hours, day) in [
            ("8-21", "mon"),
            ("21:00-08:00", "mon"),
            ("08:00-21:00", "monday?"),
        ] {
            let err = WindowOptions::from_config(&WindowsConfig {
                calling_hours: hours.into(),
                calling_days: vec![day.into()],
                ..Default::default()
            })
            .unwrap_err()
            .to_string();
            assert!(err.contains("windows.calling_"), "{err}");
        }
    }
}
