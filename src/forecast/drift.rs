//! Drift: did the last saved forecast hold up against the actuals that have arrived since?
//!
//! A model that was fine last week can go stale (a campaign, a new IVR route); comparing the
//! saved forecast with what really happened is the cheapest trigger for retraining.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::ForecastPoint;
use super::metrics;
use crate::config::{DriftConfig, DriftMetric};
use crate::granularity::Granularity;
use crate::history::Series;
use crate::refs::QueueRef;

/// A forecast as kept in the data dir, enough to score it later.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedForecast {
    pub queue: QueueRef,
    pub generated_at: DateTime<Utc>,
    pub model: String,
    pub granularity: Granularity,
    pub time_zone: String,
    pub future: Vec<ForecastPoint>,
    /// The drift check of the run that saved this forecast (how the one before it held up).
    /// Runs made before any of this forecast's buckets has an actual show it again, so a
    /// second look within the hour (the board, then the queue opened from it) says what the
    /// first said instead of "not checked".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drift: Option<DriftReport>,
}

/// How the saved forecast compares with the actuals for the same buckets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriftReport {
    /// Forecast buckets for which an actual has arrived.
    pub buckets_compared: usize,
    /// Span of the compared buckets.
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// `None` when the actuals sum to zero.
    pub wape: Option<f64>,
    /// `None` when every actual is zero.
    pub mape: Option<f64>,
    pub threshold: f64,
    pub metric: DriftMetric,
    pub retrain_recommended: bool,
    /// When the compared forecast was made.
    pub forecast_generated_at: DateTime<Utc>,
}

impl DriftReport {
    /// The value of the configured metric.
    pub fn value(&self) -> Option<f64> {
        match self.metric {
            DriftMetric::Wape => self.wape,
            DriftMetric::Mape => self.mape,
        }
    }
}

/// Contacts a forecast must have expected over the compared buckets before zero actuals count
/// as drift: ln 100 ≈ 4.6, the Poisson mean whose chance of no arrival at all is 1 %.
pub const SILENCE_EXPECTED: f64 = 4.605_170_185_988_092;

/// Compares `saved` with the actuals for the buckets both cover; `None` if none has arrived yet
/// (or the granularity changed, so buckets can't be matched).
///
/// If the configured metric is undefined because every actual is zero, retraining is recommended
/// when the forecast expected enough volume that silence is implausible: a queue that went
/// silent is drift too, but one closed hour against a forecast of 0.4 contacts is not
/// ([`SILENCE_EXPECTED`]).
pub fn check_drift(
    saved: &SavedForecast,
    actuals: &Series,
    cfg: &DriftConfig,
) -> Option<DriftReport> {
    if saved.granularity != actuals.granularity {
        return None;
    }
    let mut a = Vec::new();
    let mut f = Vec::new();
    let mut span: Option<(DateTime<Utc>, DateTime<Utc>)> = None;
    let mut j = 0;
    for p in &saved.future {
        // Both are sorted: walk them together.
        while j < actuals.points.len() && actuals.points[j].ts < p.ts {
            j += 1;
        }
        if let Some(actual) = actuals.points.get(j).filter(|x| x.ts == p.ts) {
            a.push(actual.y);
            f.push(p.yhat);
            let end = p.ts + saved.granularity.duration();
            span = Some(span.map_or((p.ts, end), |(s, _)| (s, end)));
        }
    }
    let (from, to) = span?;
    let wape = metrics::wape(&a, &f);
    let mape = metrics::mape(&a, &f);
    let value = match cfg.metric {
        DriftMetric::Wape => wape,
        DriftMetric::Mape => mape,
    };
    let retrain_recommended = match value {
        Some(v) => v > cfg.threshold,
        None => f.iter().sum::<f64>() > SILENCE_EXPECTED,
    };
    Some(DriftReport {
        buckets_compared: a.len(),
        from,
        to,
        wape,
        mape,
        threshold: cfg.threshold,
        metric: cfg.metric,
        retrain_recommended,
        forecast_generated_at: saved.generated_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::Point;
    use chrono::{TimeDelta, TimeZone};
    use chrono_tz::Tz;

    fn t(h: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 5, 6, 0, 0, 0).unwrap() + TimeDelta::hours(h)
    }

    fn saved(yhat: &[f64], from_hour: i64) -> SavedForecast {
        SavedForecast {
            queue: QueueRef {
                id: "q".into(),
                name: "Q".into(),
            },
            generated_at: t(from_hour),
            model: "test".into(),
            granularity: Granularity::Pt1h,
            time_zone: "UTC".into(),
            future: yhat
                .iter()
                .enumerate()
                .map(|(i, &y)| ForecastPoint {
                    ts: t(from_hour + i as i64),
                    yhat: y,
                    yhat_lower: 0.0,
                    yhat_upper: y * 2.0,
                })
                .collect(),
            drift: None,
        }
    }

    fn series(ys: &[f64], from_hour: i64) -> Series {
        Series {
            granularity: Granularity::Pt1h,
            tz: Tz::UTC,
            points: ys
                .iter()
                .enumerate()
                .map(|(i, &y)| Point {
                    ts: t(from_hour + i as i64),
                    y,
                })
                .collect(),
        }
    }

    #[test]
    fn only_overlapping_buckets_are_compared() {
        // Forecast hours 10..14; actuals 0..12 → hours 10 and 11 compared.
        let s = saved(&[10.0, 20.0, 30.0, 40.0], 10);
        let mut ys = vec![0.0; 10];
        ys.extend([12.0, 20.0]);
        let r = check_drift(&s, &series(&ys, 0), &DriftConfig::default()).unwrap();
        assert_eq!(r.buckets_compared, 2);
        assert_eq!((r.from, r.to), (t(10), t(12)));
        assert!((r.wape.unwrap() - 2.0 / 32.0).abs() < 1e-12);
        assert!(!r.retrain_recommended);
    }

    #[test]
    fn zeros_in_actuals_wape_counts_them_mape_skips_them() {
        let s = saved(&[5.0, 10.0], 0);
        let r = check_drift(&s, &series(&[0.0, 10.0], 0), &DriftConfig::default()).unwrap();
        assert!((r.wape.unwrap() - 0.5).abs() < 1e-12);
        assert_eq!(r.mape, Some(0.0));
        assert!(r.retrain_recommended, "WAPE 0.5 > 0.15");
        let cfg = DriftConfig {
            metric: DriftMetric::Mape,
            threshold: 0.15,
        };
        let r = check_drift(&s, &series(&[0.0, 10.0], 0), &cfg).unwrap();
        assert!(!r.retrain_recommended, "MAPE ignores the zero bucket");
        assert_eq!(r.value(), Some(0.0));
    }

    #[test]
    fn silent_queue_is_drift_when_volume_was_expected() {
        let r = check_drift(
            &saved(&[5.0, 5.0], 0),
            &series(&[0.0, 0.0], 0),
            &DriftConfig::default(),
        )
        .unwrap();
        assert_eq!((r.wape, r.mape), (None, None));
        assert!(r.retrain_recommended);
        let r = check_drift(
            &saved(&[0.0, 0.0], 0),
            &series(&[0.0, 0.0], 0),
            &DriftConfig::default(),
        )
        .unwrap();
        assert!(!r.retrain_recommended);
        // A closed hour against a small forecast (P(0) = e^-0.9 ≈ 41 %) is not drift; the same
        // silence against 4.7 expected contacts (P(0) < 1 %) is.
        let r = check_drift(
            &saved(&[0.4, 0.5], 0),
            &series(&[0.0, 0.0], 0),
            &DriftConfig::default(),
        )
        .unwrap();
        assert!(!r.retrain_recommended);
        let r = check_drift(
            &saved(&[2.3, 2.4], 0),
            &series(&[0.0, 0.0], 0),
            &DriftConfig::default(),
        )
        .unwrap();
        assert!(r.retrain_recommended);
    }

    #[test]
    fn nothing_to_compare_is_none() {
        assert!(
            check_drift(
                &saved(&[5.0], 20),
                &series(&[1.0; 10], 0),
                &DriftConfig::default()
            )
            .is_none()
        );
        let mut other = series(&[1.0; 30], 0);
        other.granularity = Granularity::Pt30m;
        assert!(check_drift(&saved(&[5.0], 20), &other, &DriftConfig::default()).is_none());
    }
}
