//! Band calibration: a 95 % band that covers 70 % of what happened misleads the analyst about
//! how sure the low-volume windows are. When the backtest shows the band is off, it is rescaled
//! from the backtest's own out-of-sample residuals (split-conformal, per bucket of the day, so
//! the busy midday and the quiet night each get their own width).

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::backtest::BacktestRun;
use super::{ModelForecast, clamp_nonnegative};
use crate::granularity::Granularity;

/// How a band was adjusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CalibrationMethod {
    /// The model's own band was kept (its coverage was in range, or recalibrating would not
    /// have helped).
    None,
    /// Half-widths multiplied by a per-bucket-of-day conformal factor.
    SplitConformalByBucketOfDay,
    /// Half-widths multiplied by one conformal factor (steadier when weeks differ).
    SplitConformalPooled,
}

/// What was done to the band, for the export and the dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    pub method: CalibrationMethod,
    /// The band's nominal coverage (`forecast.interval_width`).
    pub nominal: f64,
    /// Backtest coverage of the model's own band.
    pub coverage_before: f64,
    /// Backtest coverage with the calibration applied, each fold calibrated from the others
    /// only (cross-conformal), so it is an out-of-sample estimate (in-sample with one fold).
    /// Equals `coverage_before` when the band was in range.
    pub coverage_after: f64,
    /// Median of `factors`: 1 = unchanged, 2 = band twice as wide.
    pub factor: f64,
    /// Half-width multiplier per local bucket of the day (empty when not applied).
    pub factors: Vec<f64>,
    /// Added to each half-width before scaling (1 % of the mean actual), so a zero-width band
    /// at a quiet hour can still be widened.
    pub offset: f64,
}

impl Calibration {
    /// True when the band was changed.
    pub fn applied(&self) -> bool {
        self.method != CalibrationMethod::None
    }

    /// The line shown to the analyst and written to the export's warnings.
    pub fn warning(&self, granularity: Granularity) -> Option<String> {
        let pct = |x: f64| format!("{:.0} %", x * 100.0);
        let unit = match granularity {
            Granularity::Pt1h => "hour",
            Granularity::Pt30m => "half-hour",
            Granularity::Pt15m => "quarter-hour",
        };
        let how = match self.method {
            CalibrationMethod::SplitConformalPooled => {
                "split-conformal, one factor for all day".into()
            }
            _ => format!("split-conformal per {unit} of day"),
        };
        match self.method {
            CalibrationMethod::SplitConformalByBucketOfDay
            | CalibrationMethod::SplitConformalPooled => Some(format!(
                "{} band recalibrated: backtest coverage was {} instead of {}; {} ×{:.2} \
                 ({how}), cross-validated coverage now {}",
                pct(self.nominal),
                pct(self.coverage_before),
                pct(self.nominal),
                if self.factor >= 1.0 {
                    "widened"
                } else {
                    "narrowed"
                },
                self.factor,
                pct(self.coverage_after),
            )),
            CalibrationMethod::None if !in_range(self.coverage_before, self.nominal) => {
                Some(format!(
                    "{} band covered {} of backtest actuals; recalibration would not help \
                     (cross-validated {}), so the model's own band is shown",
                    pct(self.nominal),
                    pct(self.coverage_before),
                    pct(self.coverage_after),
                ))
            }
            CalibrationMethod::None => None,
        }
    }
}

/// Acceptable backtest coverage for a band of nominal width `nominal`: 90–98 % for 95 %.
pub fn acceptable_range(nominal: f64) -> (f64, f64) {
    (nominal - 0.05, (nominal + 0.03).min(1.0))
}

fn in_range(coverage: f64, nominal: f64) -> bool {
    let (lo, hi) = acceptable_range(nominal);
    (lo..=hi).contains(&coverage)
}

/// One backtest point reduced to what calibration needs.
struct Scored {
    fold: usize,
    bucket: usize,
    actual: f64,
    yhat: f64,
    lower: f64,
    upper: f64,
}

/// Decides whether and how to recalibrate the band from a backtest.
pub fn plan(run: &BacktestRun, tz: Tz, g: Granularity, nominal: f64) -> Calibration {
    let points: Vec<Scored> = run
        .folds
        .iter()
        .enumerate()
        .flat_map(|(k, f)| {
            f.actual.iter().zip(&f.forecast).map(move |(&a, p)| Scored {
                fold: k,
                bucket: g.bucket_of_day(p.ts, tz),
                actual: a,
                yhat: p.yhat,
                lower: p.yhat_lower,
                upper: p.yhat_upper,
            })
        })
        .collect();
    let before = run.score.coverage;
    let keep = |after: f64| Calibration {
        method: CalibrationMethod::None,
        nominal,
        coverage_before: before,
        coverage_after: after,
        factor: 1.0,
        factors: Vec::new(),
        offset: 0.0,
    };
    if in_range(before, nominal) || points.is_empty() {
        return keep(before);
    }
    let mean_abs = points.iter().map(|p| p.actual.abs()).sum::<f64>() / points.len() as f64;
    let offset = 0.01 * mean_abs.max(f64::MIN_POSITIVE);
    let per_day = g.per_day();
    let folds = run.folds.len();
    let covered = |factors: &[f64], p: &Scored| {
        let (lo, hi) = scaled(p.yhat, p.lower, p.upper, factors[p.bucket], offset);
        lo <= p.actual && p.actual <= hi
    };
    // Cross-conformal estimate: calibrate each fold from the others only. With one fold there
    // is nothing to hold out, so the estimate is in-sample.
    let estimate = |by_bucket: bool| {
        if folds < 2 {
            let f = factors_from(points.iter(), per_day, offset, nominal, by_bucket);
            return points.iter().filter(|p| covered(&f, p)).count() as f64 / points.len() as f64;
        }
        let inside: usize = (0..folds)
            .map(|k| {
                let f = factors_from(
                    points.iter().filter(|p| p.fold != k),
                    per_day,
                    offset,
                    nominal,
                    by_bucket,
                );
                points
                    .iter()
                    .filter(|p| p.fold == k && covered(&f, p))
                    .count()
            })
            .sum();
        inside as f64 / points.len() as f64
    };
    // Per bucket of day follows the daily rhythm of the errors (a wide band at the busy hours,
    // a narrow one at night); one pooled factor is steadier when the weeks differ, so it is
    // used only when the per-bucket band misses the range held out and the pooled one does
    // better.
    let per_bucket = estimate(true);
    let (by_bucket, after) = if in_range(per_bucket, nominal) {
        (true, per_bucket)
    } else {
        let pooled = estimate(false);
        if (pooled - nominal).abs() < (per_bucket - nominal).abs() {
            (false, pooled)
        } else {
            (true, per_bucket)
        }
    };
    if (after - nominal).abs() >= (before - nominal).abs() {
        return keep(after);
    }
    let factors = factors_from(points.iter(), per_day, offset, nominal, by_bucket);
    let mut sorted = factors.clone();
    sorted.sort_by(f64::total_cmp);
    Calibration {
        method: if by_bucket {
            CalibrationMethod::SplitConformalByBucketOfDay
        } else {
            CalibrationMethod::SplitConformalPooled
        },
        nominal,
        coverage_before: before,
        coverage_after: after,
        factor: super::naive::quantile(&sorted, 0.5),
        factors,
        offset,
    }
}

/// Applies a calibration to a forecast's band and notes it in the warnings.
pub fn apply(
    cal: &Calibration,
    forecast: &mut ModelForecast,
    tz: Tz,
    g: Granularity,
    nonnegative: bool,
) {
    if cal.applied() {
        for p in &mut forecast.future {
            let f = cal.factors[g.bucket_of_day(p.ts, tz)];
            let (lo, hi) = scaled(p.yhat, p.yhat_lower, p.yhat_upper, f, cal.offset);
            p.yhat_lower = lo;
            p.yhat_upper = hi;
        }
        if nonnegative {
            clamp_nonnegative(&mut forecast.future);
        }
    }
    if let Some(w) = cal.warning(g) {
        forecast.warnings.push(w);
    }
}

fn scaled(yhat: f64, lower: f64, upper: f64, factor: f64, offset: f64) -> (f64, f64) {
    (
        yhat - factor * ((yhat - lower).max(0.0) + offset),
        yhat + factor * ((upper - yhat).max(0.0) + offset),
    )
}

/// Nonconformity score: the residual in units of the band's half-width on its side.
fn score(p: &Scored, offset: f64) -> f64 {
    let hw = if p.actual >= p.yhat {
        p.upper - p.yhat
    } else {
        p.yhat - p.lower
    };
    (p.actual - p.yhat).abs() / (hw.max(0.0) + offset)
}

/// Per-bucket conformal factors (or one pooled factor repeated); buckets with too few scores
/// for the level use the pooled one.
fn factors_from<'a>(
    points: impl Iterator<Item = &'a Scored>,
    per_day: usize,
    offset: f64,
    nominal: f64,
    by_bucket: bool,
) -> Vec<f64> {
    let mut buckets: Vec<Vec<f64>> = vec![Vec::new(); per_day];
    let mut all = Vec::new();
    for p in points {
        let s = score(p, offset);
        buckets[p.bucket].push(s);
        all.push(s);
    }
    let min_n = (nominal / (1.0 - nominal)).ceil() as usize;
    let pooled = conformal_quantile(&mut all, nominal);
    buckets
        .iter_mut()
        .map(|s| {
            if !by_bucket || s.len() < min_n {
                pooled
            } else {
                conformal_quantile(s, nominal)
            }
        })
        .collect()
}

/// The ⌈(n+1)·level⌉-th smallest score: the split-conformal quantile with finite-sample
/// coverage of at least `level` under exchangeability (the largest score if n is too small).
fn conformal_quantile(scores: &mut [f64], level: f64) -> f64 {
    if scores.is_empty() {
        return 1.0;
    }
    scores.sort_by(f64::total_cmp);
    let n = scores.len();
    let k = (((n + 1) as f64) * level).ceil() as usize;
    scores[k.clamp(1, n) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forecast::ForecastPoint;
    use crate::forecast::backtest::{BacktestScore, Fold, score_folds};
    use chrono::{TimeZone, Utc};
    use std::time::Duration;

    /// A backtest whose band is ±1 around a perfect-on-average forecast while the actual
    /// residuals are uniform on ±(1 + 3·bucket/23): far too narrow, worst in the evening.
    fn overconfident_run(folds: usize) -> BacktestRun {
        let t0 = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        let mut out = Vec::new();
        for k in 0..folds {
            let mut actual = Vec::new();
            let mut forecast = Vec::new();
            for h in 0..168usize {
                let i = k * 168 + h;
                let bucket = h % 24;
                let spread = 1.0 + 3.0 * bucket as f64 / 23.0;
                // Deterministic, evenly spread residuals in (−spread, spread).
                let u = ((i * 37 + k * 11) % 101) as f64 / 100.0 * 2.0 - 1.0;
                let yhat = 50.0;
                actual.push(yhat + u * spread);
                forecast.push(ForecastPoint {
                    ts: t0 + chrono::TimeDelta::hours(i as i64),
                    yhat,
                    yhat_lower: yhat - 1.0,
                    yhat_upper: yhat + 1.0,
                });
            }
            out.push(Fold {
                origin: 1000 + k * 168,
                actual,
                forecast,
                scale: Some(1.0),
                fit_time: Duration::from_millis(1),
            });
        }
        score_folds("test", out).unwrap()
    }

    fn coverage_with(run: &BacktestRun, cal: &Calibration) -> f64 {
        let mut inside = 0;
        let mut total = 0;
        for f in &run.folds {
            let mut mf = ModelForecast {
                model: "test".into(),
                future: f.forecast.clone(),
                warnings: vec![],
            };
            apply(cal, &mut mf, chrono_tz::UTC, Granularity::Pt1h, true);
            for (a, p) in f.actual.iter().zip(&mf.future) {
                total += 1;
                if p.yhat_lower <= *a && *a <= p.yhat_upper {
                    inside += 1;
                }
            }
        }
        inside as f64 / total as f64
    }

    #[test]
    fn too_narrow_band_is_widened_into_range_and_says_so() {
        let run = overconfident_run(4);
        assert!(run.score.coverage < 0.6, "{}", run.score.coverage);
        let cal = plan(&run, chrono_tz::UTC, Granularity::Pt1h, 0.95);
        assert_eq!(cal.method, CalibrationMethod::SplitConformalByBucketOfDay);
        assert!(cal.factor > 1.5, "{}", cal.factor);
        // Evening buckets get wider bands than night ones.
        assert!(cal.factors[23] > cal.factors[0] * 2.0, "{:?}", cal.factors);
        assert!(
            (0.90..=0.98).contains(&cal.coverage_after),
            "cross-validated {}",
            cal.coverage_after
        );
        let applied = coverage_with(&run, &cal);
        assert!((0.93..=1.0).contains(&applied), "{applied}");
        let mut mf = ModelForecast {
            model: "test".into(),
            future: run.folds[0].forecast.clone(),
            warnings: vec![],
        };
        apply(&cal, &mut mf, chrono_tz::UTC, Granularity::Pt1h, true);
        assert!(mf.warnings[0].contains("recalibrated"), "{:?}", mf.warnings);
        assert!(mf.warnings[0].contains("widened"), "{:?}", mf.warnings);
    }

    #[test]
    fn too_wide_band_is_narrowed() {
        let mut run = overconfident_run(4);
        for f in &mut run.folds {
            for p in &mut f.forecast {
                p.yhat_lower = p.yhat - 40.0;
                p.yhat_upper = p.yhat + 40.0;
            }
        }
        run.score.coverage = 1.0;
        let cal = plan(&run, chrono_tz::UTC, Granularity::Pt1h, 0.95);
        assert!(cal.applied());
        assert!(cal.factor < 0.2, "{}", cal.factor);
        assert!(
            (0.90..=0.98).contains(&cal.coverage_after),
            "{}",
            cal.coverage_after
        );
    }

    #[test]
    fn band_in_range_is_left_alone() {
        let run = BacktestRun {
            score: BacktestScore {
                coverage: 0.95,
                ..overconfident_run(2).score
            },
            folds: overconfident_run(2).folds,
        };
        let cal = plan(&run, chrono_tz::UTC, Granularity::Pt1h, 0.95);
        assert!(!cal.applied());
        assert_eq!(cal.warning(Granularity::Pt1h), None);
        let before = run.folds[0].forecast.clone();
        let mut mf = ModelForecast {
            model: "t".into(),
            future: before.clone(),
            warnings: vec![],
        };
        apply(&cal, &mut mf, chrono_tz::UTC, Granularity::Pt1h, true);
        assert_eq!(mf.future, before);
        assert!(mf.warnings.is_empty());
    }

    #[test]
    fn conformal_quantile_is_the_ceil_rank() {
        let mut s: Vec<f64> = (1..=19).map(f64::from).collect();
        // ⌈20 · 0.95⌉ = 19 → the largest.
        assert_eq!(conformal_quantile(&mut s, 0.95), 19.0);
        let mut s: Vec<f64> = (1..=99).map(f64::from).collect();
        assert_eq!(conformal_quantile(&mut s, 0.9), 90.0);
    }
}
