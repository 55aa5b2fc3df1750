//! Weekly seasonal naive: "same bucket last week", the baseline every other model must beat
//! (often a hard one for contact-centre volumes), and its robust sibling "the median of the same
//! bucket over the last k weeks", which one odd week (a closed day, an outage, a spike) cannot
//! move.

use super::{ForecastError, ForecastPoint, Forecaster, ModelForecast, clamp_nonnegative};
use crate::config::ForecastConfig;
use crate::history::Series;

/// The name `--model` accepts.
pub const NAME: &str = "seasonal-naive";
/// The median-of-k-weeks variant's name.
pub const MEDIAN_NAME: &str = "seasonal-median";

/// Weeks of week-over-week differences the band is estimated from: recent enough to follow a
/// change in volatility, long enough for stable tail quantiles per bucket of the day.
const RESIDUAL_WEEKS: usize = 8;

/// Fewest residuals per bucket of the day for a per-bucket band; below it the band is pooled.
const MIN_PER_BUCKET: usize = 12;

/// Repeats the last week (or, with `weeks` > 1, the median of the same bucket over the last
/// `weeks` weeks); the band comes from how far each bucket of the day was from that forecast
/// one week ahead in the recent history.
#[derive(Debug, Clone)]
pub struct SeasonalNaive {
    interval_width: f64,
    weeks: usize,
}

impl SeasonalNaive {
    /// The plain weekly naive.
    pub fn new(interval_width: f64) -> Self {
        Self {
            interval_width,
            weeks: 1,
        }
    }

    /// The median of the last `weeks` weeks (at least 1; fewer when the history is shorter).
    pub fn median_of(interval_width: f64, weeks: usize) -> Self {
        Self {
            interval_width,
            weeks: weeks.max(1),
        }
    }

    pub fn from_config(cfg: &ForecastConfig) -> Self {
        Self::new(cfg.interval_width)
    }

    /// `seasonal-median` with `forecast.naive_weeks` weeks.
    pub fn median_from_config(cfg: &ForecastConfig) -> Self {
        Self::median_of(cfg.interval_width, cfg.naive_weeks as usize)
    }

    /// The point forecast for bucket `t` (which may lie past the end of `y`) from the weeks
    /// before `t`, skipping forecast values for buckets not yet seen: the median of
    /// `y[t − j·season]` for the `weeks` most recent `j` with `t − j·season < end`.
    fn point(&self, y: &[f64], end: usize, t: usize, season: usize, scratch: &mut Vec<f64>) -> f64 {
        scratch.clear();
        let mut j = 1;
        while scratch.len() < self.weeks && j * season <= t {
            let i = t - j * season;
            if i < end {
                scratch.push(y[i]);
            }
            j += 1;
        }
        median(scratch)
    }
}

impl Forecaster for SeasonalNaive {
    fn name(&self) -> &str {
        if self.weeks == 1 { NAME } else { MEDIAN_NAME }
    }

    fn forecast(&self, series: &Series, horizon: usize) -> Result<ModelForecast, ForecastError> {
        let g = series.granularity;
        let season = g.per_week();
        let n = series.points.len();
        // One week to repeat and at least one more to learn the week-over-week spread.
        if n < 2 * season {
            return Err(ForecastError::too_short(n, 2 * season, g));
        }
        let y: Vec<f64> = series.points.iter().map(|p| p.y).collect();
        let per_day = g.per_day();
        let first = season.max(n.saturating_sub(RESIDUAL_WEEKS * season));
        let mut by_bucket: Vec<Vec<f64>> = vec![Vec::new(); per_day];
        let mut pooled = Vec::with_capacity(n - first);
        let mut scratch = Vec::with_capacity(self.weeks);
        for t in first..n {
            let e = y[t] - self.point(&y, t, t, season, &mut scratch);
            by_bucket[g.bucket_of_day(series.points[t].ts, series.tz)].push(e);
            pooled.push(e);
        }
        let lo_q = (1.0 - self.interval_width) / 2.0;
        let hi_q = 1.0 - lo_q;
        pooled.sort_by(f64::total_cmp);
        let pooled_band = (quantile(&pooled, lo_q), quantile(&pooled, hi_q));
        let bands: Vec<(f64, f64)> = by_bucket
            .iter_mut()
            .map(|r| {
                if r.len() < MIN_PER_BUCKET {
                    pooled_band
                } else {
                    r.sort_by(f64::total_cmp);
                    (quantile(r, lo_q), quantile(r, hi_q))
                }
            })
            .collect();
        let mut future: Vec<ForecastPoint> = series
            .future_timestamps(horizon)
            .into_iter()
            .enumerate()
            .map(|(h, ts)| {
                let yhat = self.point(&y, n, n + h % season, season, &mut scratch);
                // Errors of a k-weeks-ahead naive add up like a random walk's.
                let widen = ((h / season + 1) as f64).sqrt();
                let (lo, hi) = bands[g.bucket_of_day(ts, series.tz)];
                ForecastPoint {
                    ts,
                    yhat,
                    yhat_lower: yhat + lo.min(0.0) * widen,
                    yhat_upper: yhat + hi.max(0.0) * widen,
                }
            })
            .collect();
        if series.is_nonnegative() {
            clamp_nonnegative(&mut future);
        }
        Ok(ModelForecast {
            model: self.name().to_string(),
            future,
            warnings: Vec::new(),
        })
    }
}

/// The median of `v` (reordered in place); NaN when empty.
pub(crate) fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    quantile(v, 0.5)
}

/// Linear-interpolation quantile of sorted values (R type 7); NaN when empty.
pub(crate) fn quantile(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let pos = q.clamp(0.0, 1.0) * (n - 1) as f64;
            let i = pos.floor() as usize;
            let frac = pos - i as f64;
            if i + 1 < n {
                sorted[i] + frac * (sorted[i + 1] - sorted[i])
            } else {
                sorted[n - 1]
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::test_support::hourly;

    fn weekly_pattern(weeks: usize, noise: impl Fn(usize) -> f64) -> Vec<f64> {
        (0..weeks * 168)
            .map(|i| {
                let hour = i % 24;
                let day = (i / 24) % 7;
                let base = if (8..18).contains(&hour) { 100.0 } else { 5.0 };
                let weekend = if day >= 5 { 0.3 } else { 1.0 };
                base * weekend + noise(i)
            })
            .collect()
    }

    #[test]
    fn repeats_last_week_bucket_by_bucket_and_wraps_after_a_week() {
        let y = weekly_pattern(3, |i| (i / 168) as f64);
        let s = hourly(&y);
        let fc = SeasonalNaive::new(0.95).forecast(&s, 200).unwrap();
        assert_eq!(fc.future.len(), 200);
        let n = y.len();
        for (h, p) in fc.future.iter().enumerate() {
            assert_eq!(p.yhat, y[n - 168 + h % 168], "step {h}");
            assert_eq!(
                p.ts,
                s.points[n - 1].ts + chrono::TimeDelta::hours(h as i64 + 1)
            );
        }
        // Every week is one more than the last, so the band is exactly [+1, +1] above yhat;
        // it is widened by √2 in the second week.
        assert!((fc.future[0].yhat_upper - fc.future[0].yhat - 1.0).abs() < 1e-12);
        assert_eq!(fc.future[0].yhat_lower, fc.future[0].yhat);
        let w2 = fc.future[170].yhat_upper - fc.future[170].yhat;
        assert!((w2 - 2f64.sqrt()).abs() < 1e-12, "{w2}");
    }

    #[test]
    fn band_reflects_week_over_week_spread_and_never_goes_negative() {
        // Alternating ±10 noise by week at every bucket.
        let y = weekly_pattern(9, |i| if (i / 168) % 2 == 0 { 10.0 } else { -4.0 });
        let s = hourly(&y);
        let fc = SeasonalNaive::new(0.95).forecast(&s, 24).unwrap();
        for p in &fc.future {
            assert!(p.yhat_lower >= 0.0 && p.yhat >= 0.0);
            assert!(p.yhat_upper - p.yhat > 13.0, "{p:?}");
        }
    }

    #[test]
    fn needs_two_weeks() {
        let s = hourly(&vec![1.0; 300]);
        let err = SeasonalNaive::new(0.95).forecast(&s, 24).unwrap_err();
        assert!(
            matches!(err, ForecastError::TooShort { need: 336, .. }),
            "{err}"
        );
    }

    #[test]
    fn quantile_interpolates() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quantile(&v, 0.5), 3.0);
        assert!((quantile(&v, 0.1) - 1.4).abs() < 1e-12);
        assert_eq!(quantile(&v, 1.0), 5.0);
    }
}
