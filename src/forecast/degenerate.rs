//! Series no statistical model should be fitted to, found before any fit: all zero, constant,
//! or with magnitudes no contact centre has (an optimizer on 1e300 overflows or spins until
//! its iteration cap, several times per backtest fold). Each is forecast by the obvious model,
//! with a note that says so; none is an error (an all-zero queue is a zero forecast).

use super::{ForecastPoint, ModelForecast};
use crate::history::Series;

/// Above this per bucket a value is not a contact count (a billion calls in 15 minutes).
pub const HUGE: f64 = 1e9;

/// Model names these forecasts carry in exports and the model table.
pub const CONSTANT: &str = "constant";
pub const REPEAT_LAST_WEEK: &str = "repeat-last-week";

/// Why a series is not worth (or not safe) fitting.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Degenerate {
    /// Every bucket is zero: the queue had no traffic.
    AllZero,
    /// Every bucket has this same value.
    Constant(f64),
    /// Some bucket is above [`HUGE`]; `max` is the largest.
    Huge { max: f64 },
}

/// What kind of degenerate series `series` is, if any.
pub fn detect(series: &Series) -> Option<Degenerate> {
    let first = series.points.first()?.y;
    if series.points.iter().all(|p| p.y == first) {
        return Some(if first == 0.0 {
            Degenerate::AllZero
        } else {
            Degenerate::Constant(first)
        });
    }
    let max = series.points.iter().map(|p| p.y).fold(0.0, f64::max);
    (max > HUGE).then_some(Degenerate::Huge { max })
}

impl Degenerate {
    /// The note shown with the forecast.
    pub fn note(self, buckets: usize) -> String {
        match self {
            Degenerate::AllZero => format!(
                "all {buckets} buckets of the history are zero: the forecast is zero \
                 (no model was fitted)"
            ),
            Degenerate::Constant(v) => format!(
                "all {buckets} buckets of the history are {}: the forecast is that constant \
                 (no model was fitted)",
                short_number(v)
            ),
            Degenerate::Huge { max } => format!(
                "the history reaches {} per bucket, beyond any contact volume (over {}); the \
                 statistical models cannot fit such values, so the forecast repeats the last \
                 week, without a band or accuracy",
                short_number(max),
                short_number(HUGE)
            ),
        }
    }

    /// The obvious forecast: the constant with a zero-width band, or the last week (the last
    /// day when there is less than a week) repeated.
    pub fn forecast(self, series: &Series, horizon: usize) -> ModelForecast {
        let ts = series.future_timestamps(horizon);
        let (model, future) = match self {
            Degenerate::AllZero | Degenerate::Constant(_) => {
                let v = series.points.first().map_or(0.0, |p| p.y);
                (CONSTANT, ts.into_iter().map(|t| flat(t, v)).collect())
            }
            Degenerate::Huge { .. } => {
                let n = series.points.len();
                let week = series.granularity.per_week();
                let season = if n >= week {
                    week
                } else {
                    series.granularity.per_day().min(n)
                };
                let last = &series.points[n - season..];
                let future = ts
                    .into_iter()
                    .enumerate()
                    .map(|(i, t)| flat(t, last[i % season].y))
                    .collect();
                (REPEAT_LAST_WEEK, future)
            }
        };
        ModelForecast {
            model: model.to_string(),
            future,
            warnings: Vec::new(),
        }
    }
}

fn flat(ts: chrono::DateTime<chrono::Utc>, v: f64) -> ForecastPoint {
    ForecastPoint {
        ts,
        yhat: v,
        yhat_lower: v,
        yhat_upper: v,
    }
}

/// A number for a note: plain up to a million, scientific beyond (never 300 digits).
pub fn short_number(v: f64) -> String {
    if v.abs() < 1e6 {
        format!("{}", (v * 1000.0).round() / 1000.0)
    } else {
        format!("{v:.3e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::test_support::hourly;

    #[test]
    fn kinds_are_told_apart() {
        assert_eq!(detect(&hourly(&[0.0; 48])), Some(Degenerate::AllZero));
        assert_eq!(detect(&hourly(&[7.0; 48])), Some(Degenerate::Constant(7.0)));
        let mut v = vec![3.0; 48];
        v[5] = 1e300;
        assert_eq!(detect(&hourly(&v)), Some(Degenerate::Huge { max: 1e300 }));
        v[5] = 4.0;
        assert_eq!(detect(&hourly(&v)), None);
    }

    #[test]
    fn constant_forecast_is_flat_and_the_huge_one_repeats_the_last_week() {
        let s = hourly(&[5.0; 200]);
        let f = Degenerate::Constant(5.0).forecast(&s, 24);
        assert_eq!(f.future.len(), 24);
        assert!(
            f.future
                .iter()
                .all(|p| p.yhat == 5.0 && p.yhat_upper == 5.0)
        );
        assert_eq!(f.future[0].ts, s.end().unwrap());
        let v: Vec<f64> = (0..336)
            .map(|i| if i == 300 { 1e300 } else { i as f64 })
            .collect();
        let s = hourly(&v);
        let f = Degenerate::Huge { max: 1e300 }.forecast(&s, 168);
        assert_eq!(f.model, REPEAT_LAST_WEEK);
        assert_eq!(f.future[0].yhat, 168.0);
        assert_eq!(f.future[300 - 168].yhat, 1e300);
    }

    #[test]
    fn notes_never_print_hundreds_of_digits() {
        let note = Degenerate::Constant(1e300).note(10);
        assert!(note.contains("1.000e300") && note.len() < 200, "{note}");
        assert!(Degenerate::AllZero.note(3).contains("forecast is zero"));
    }
}
