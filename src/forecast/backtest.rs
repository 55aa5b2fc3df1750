//! Rolling-origin backtest: how each model would have done on the weeks we already know.
//!
//! Fold `i` of `k` fits on the history up to origin `n − (k − i)·horizon` and is scored on the
//! next `horizon` buckets, so the last fold ends exactly at the end of the history. One harness
//! for the dashboard, the headless command and the tests, so their numbers agree.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::metrics;
use super::{ForecastError, ForecastPoint, Forecaster};
use crate::granularity::Granularity;
use crate::history::Series;

/// Default number of rolling-origin folds.
pub const DEFAULT_FOLDS: usize = 4;

/// One model's backtest summary: a row of the tournament table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacktestScore {
    /// The model's name as `--model` spells it.
    pub model: String,
    /// Σ|actual − forecast| / Σ|actual| over all folds pooled: the selection criterion.
    pub wape: f64,
    /// Mean over folds of MAE / in-sample weekly-naive MAE; below 1 beats "same bucket last
    /// week". `None` when the history repeats exactly week after week (no scale to divide by).
    pub mase: Option<f64>,
    /// Share of actuals inside the model's own (uncalibrated) nominal band, all folds pooled.
    pub coverage: f64,
    /// Mean absolute percentage error over non-zero actuals; `None` if every actual is zero.
    pub mape: Option<f64>,
    /// Interval score of the model's own band (MSIS at the configured level), mean over folds
    /// of the fold's score divided by its weekly-naive scale; lower is better.
    #[serde(default)]
    pub msis: Option<f64>,
    /// Stopped after the latest fold because it was clearly behind (its scores are that
    /// fold's): it costs no more fits and cannot be chosen.
    #[serde(default)]
    pub stopped: bool,
    /// Mean wall time of one fit + forecast.
    #[serde(with = "duration_secs")]
    pub fit_time: Duration,
    /// How many folds were scored.
    pub folds: usize,
}

/// One scored fold, kept so the band can be recalibrated from real out-of-sample residuals.
#[derive(Debug, Clone, PartialEq)]
pub struct Fold {
    /// Index of the first scored bucket (= number of buckets the model was fitted on).
    pub origin: usize,
    pub actual: Vec<f64>,
    pub forecast: Vec<ForecastPoint>,
    /// In-sample weekly-naive MAE of the training part (the MASE denominator).
    pub scale: Option<f64>,
    pub fit_time: Duration,
}

/// A backtest with its folds.
#[derive(Debug, Clone, PartialEq)]
pub struct BacktestRun {
    pub score: BacktestScore,
    pub folds: Vec<Fold>,
}

/// Scores `model` on `folds` rolling origins of `horizon` buckets each.
pub fn backtest(
    model: &dyn Forecaster,
    series: &Series,
    horizon: usize,
    folds: usize,
) -> Result<BacktestScore, ForecastError> {
    backtest_run(model, series, horizon, folds).map(|r| r.score)
}

/// Like [`backtest`] but keeps the per-fold forecasts (for calibration).
pub fn backtest_run(
    model: &dyn Forecaster,
    series: &Series,
    horizon: usize,
    folds: usize,
) -> Result<BacktestRun, ForecastError> {
    let origins = fold_origins(series, horizon, folds)?;
    let jobs: Vec<_> = origins
        .iter()
        .map(|&origin| move || run_fold(model, series, origin, horizon))
        .collect();
    let folds = run_parallel(jobs)
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;
    score_folds(model.name(), folds)
}

/// Fold origins (first scored index of each fold), oldest first. Errors when the first fold
/// would have less than two weeks to learn from (the weekly naive needs one week, its
/// residual band and the MASE scale another).
pub fn fold_origins(
    series: &Series,
    horizon: usize,
    folds: usize,
) -> Result<Vec<usize>, ForecastError> {
    let n = series.points.len();
    if horizon == 0 || folds == 0 {
        return Err(ForecastError::Model {
            model: "backtest".into(),
            message: format!(
                "horizon ({horizon}) and folds ({folds}) must both be at least 1; \
                 check forecast.horizon_days and forecast.backtest_folds"
            ),
        });
    }
    let need = folds * horizon + min_train(series.granularity);
    if n < need {
        return Err(ForecastError::too_short(n, need, series.granularity));
    }
    Ok((0..folds).map(|i| n - (folds - i) * horizon).collect())
}

/// Shortest training history a fold may have: two weeks.
pub fn min_train(g: Granularity) -> usize {
    2 * g.per_week()
}

pub(crate) fn run_fold(
    model: &dyn Forecaster,
    series: &Series,
    origin: usize,
    horizon: usize,
) -> Result<Fold, ForecastError> {
    let train = series.head(origin);
    run_fold_with(model.name(), series, origin, horizon, || {
        model.forecast(&train, horizon)
    })
}

/// Scores the forecast `fit` makes from the history before `origin` (whatever it was fitted
/// on) against the next `horizon` actuals.
pub(crate) fn run_fold_with(
    name: &str,
    series: &Series,
    origin: usize,
    horizon: usize,
    fit: impl FnOnce() -> Result<super::ModelForecast, ForecastError>,
) -> Result<Fold, ForecastError> {
    let start = Instant::now();
    let fc = fit()?;
    let fit_time = start.elapsed();
    if fc.future.len() != horizon {
        return Err(ForecastError::Model {
            model: name.to_string(),
            message: format!(
                "returned {} buckets for a horizon of {horizon}",
                fc.future.len()
            ),
        });
    }
    let actual: Vec<f64> = series.points[origin..origin + horizon]
        .iter()
        .map(|p| p.y)
        .collect();
    let insample: Vec<f64> = series.points[..origin].iter().map(|p| p.y).collect();
    let scale = naive_scale(&insample, series.granularity.per_week());
    Ok(Fold {
        origin,
        actual,
        forecast: fc.future,
        scale,
        fit_time,
    })
}

/// In-sample MAE of the seasonal naive forecast with period `season`.
fn naive_scale(insample: &[f64], season: usize) -> Option<f64> {
    if insample.len() <= season {
        return None;
    }
    let s = insample
        .iter()
        .zip(&insample[season..])
        .map(|(a, b)| (b - a).abs())
        .sum::<f64>()
        / (insample.len() - season) as f64;
    (s > 0.0).then_some(s)
}

/// Pools fold results into one score row.
pub fn score_folds(model: &str, folds: Vec<Fold>) -> Result<BacktestRun, ForecastError> {
    score_folds_at(model, folds, 0.95)
}

/// [`score_folds`] with the band's nominal level (for its MSIS).
pub fn score_folds_at(
    model: &str,
    folds: Vec<Fold>,
    nominal: f64,
) -> Result<BacktestRun, ForecastError> {
    let undefined = |what: &str| ForecastError::Model {
        model: model.to_string(),
        message: format!(
            "backtest {what} is undefined: the scored buckets are all zero; \
             fetch a longer or busier history"
        ),
    };
    let actual: Vec<f64> = folds.iter().flat_map(|f| f.actual.clone()).collect();
    let yhat: Vec<f64> = folds
        .iter()
        .flat_map(|f| f.forecast.iter().map(|p| p.yhat))
        .collect();
    let lower: Vec<f64> = folds
        .iter()
        .flat_map(|f| f.forecast.iter().map(|p| p.yhat_lower))
        .collect();
    let upper: Vec<f64> = folds
        .iter()
        .flat_map(|f| f.forecast.iter().map(|p| p.yhat_upper))
        .collect();
    let wape = metrics::wape(&actual, &yhat).ok_or_else(|| undefined("WAPE"))?;
    let mases: Vec<f64> = folds
        .iter()
        .filter_map(|f| {
            let mae = f
                .actual
                .iter()
                .zip(&f.forecast)
                .map(|(a, p)| (a - p.yhat).abs())
                .sum::<f64>()
                / f.actual.len() as f64;
            f.scale.map(|s| mae / s)
        })
        .collect();
    let mase = (!mases.is_empty()).then(|| mases.iter().sum::<f64>() / mases.len() as f64);
    let coverage =
        metrics::coverage(&actual, &lower, &upper).ok_or_else(|| undefined("coverage"))?;
    let mape = metrics::mape(&actual, &yhat);
    let msis: Vec<f64> = folds
        .iter()
        .filter_map(|f| {
            let lo: Vec<f64> = f.forecast.iter().map(|p| p.yhat_lower).collect();
            let hi: Vec<f64> = f.forecast.iter().map(|p| p.yhat_upper).collect();
            let is = metrics::interval_score(&f.actual, &lo, &hi, 1.0 - nominal)?;
            f.scale.map(|s| is / s)
        })
        .collect();
    let msis = (!msis.is_empty()).then(|| msis.iter().sum::<f64>() / msis.len() as f64);
    let fit_time = folds.iter().map(|f| f.fit_time).sum::<Duration>() / folds.len() as u32;
    Ok(BacktestRun {
        score: BacktestScore {
            model: model.to_string(),
            wape,
            mase,
            coverage,
            mape,
            msis,
            stopped: false,
            fit_time,
            folds: folds.len(),
        },
        folds,
    })
}

/// Helper threads the backtest runners of the whole process are using right now.
static HELPERS: AtomicUsize = AtomicUsize::new(0);

/// Claims up to `want` helper threads from the process-wide budget of `cores − 1` (the
/// calling thread is the last core); returns how many it got.
fn claim_helpers(want: usize, cores: usize) -> usize {
    let budget = cores.saturating_sub(1);
    let mut busy = HELPERS.load(Ordering::Acquire);
    loop {
        let got = want.min(budget.saturating_sub(busy));
        if got == 0 {
            return 0;
        }
        match HELPERS.compare_exchange(busy, busy + got, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => return got,
            Err(now) => busy = now,
        }
    }
}

/// Gives one helper back to the budget when dropped.
struct Release;

impl Drop for Release {
    fn drop(&mut self) {
        HELPERS.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Runs jobs on the calling thread plus as many helper threads as the machine has spare
/// cores, returning results in job order. The helpers come from one budget for the whole
/// process, so runners started from several threads at once (many queues forecast in
/// parallel, a runner inside a runner's job) never oversubscribe the cores, and a runner that
/// finds no spare core simply works alone: no thread ever waits for another to free a core.
pub fn run_parallel<T, F>(jobs: Vec<F>) -> Vec<T>
where
    T: Send,
    F: FnOnce() -> T + Send,
{
    let n = jobs.len();
    let cores = std::thread::available_parallelism()
        .map(|p| p.get())
        .unwrap_or(1);
    let helpers = if n > 1 {
        claim_helpers(n - 1, cores)
    } else {
        0
    };
    if helpers == 0 {
        return jobs.into_iter().map(|j| j()).collect();
    }
    let queue: Mutex<Vec<Option<F>>> = Mutex::new(jobs.into_iter().map(Some).collect());
    let results: Mutex<Vec<Option<T>>> = Mutex::new((0..n).map(|_| None).collect());
    let next = AtomicUsize::new(0);
    let work = || {
        loop {
            let i = next.fetch_add(1, Ordering::SeqCst);
            if i >= n {
                break;
            }
            let job = queue.lock().expect("job queue poisoned")[i]
                .take()
                .expect("each job runs once");
            let out = job();
            results.lock().expect("results poisoned")[i] = Some(out);
        }
    };
    std::thread::scope(|s| {
        for _ in 0..helpers {
            s.spawn(|| {
                // Returned to the budget even if a job panics.
                let _release = Release;
                work();
            });
        }
        work();
    });
    results
        .into_inner()
        .expect("results poisoned")
        .into_iter()
        .map(|r| r.expect("every job produced a result"))
        .collect()
}

mod duration_secs {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(d.as_secs_f64())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let secs = f64::deserialize(d)?;
        Duration::try_from_secs_f64(secs).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forecast::ModelForecast;
    use crate::history::test_support::hourly;

    /// Predicts the last training value, and records how long each training set was.
    struct LastValue {
        seen: Mutex<Vec<usize>>,
    }

    impl Forecaster for LastValue {
        fn name(&self) -> &str {
            "last-value"
        }
        fn forecast(
            &self,
            series: &Series,
            horizon: usize,
        ) -> Result<ModelForecast, ForecastError> {
            self.seen.lock().unwrap().push(series.points.len());
            let last = series.points.last().unwrap().y;
            Ok(ModelForecast {
                model: "last-value".into(),
                future: series
                    .future_timestamps(horizon)
                    .into_iter()
                    .map(|ts| ForecastPoint {
                        ts,
                        yhat: last,
                        yhat_lower: last - 1.0,
                        yhat_upper: last + 1.0,
                    })
                    .collect(),
                warnings: vec![],
            })
        }
    }

    #[test]
    fn folds_end_at_the_end_of_history_and_do_not_overlap() {
        let s = hourly(&vec![1.0; 24 * 7 * 3]);
        let o = fold_origins(&s, 24, 4).unwrap();
        let n = s.points.len();
        assert_eq!(o, vec![n - 96, n - 72, n - 48, n - 24]);
    }

    #[test]
    fn too_little_history_is_a_too_short_error_with_counts() {
        let s = hourly(&vec![1.0; 24 * 14]);
        let err = fold_origins(&s, 24, 4).unwrap_err();
        match err {
            ForecastError::TooShort { have, need, .. } => {
                assert_eq!(have, 336);
                assert_eq!(need, 336 + 96);
            }
            other => panic!("expected TooShort, got {other}"),
        }
    }

    #[test]
    fn each_fold_sees_only_history_before_its_origin_and_scores_the_next_horizon() {
        // y = index, so the last-value forecast at origin o is o − 1 and the error at step h is h.
        let n = 24 * 7 * 3;
        let values: Vec<f64> = (0..n).map(|i| i as f64).collect();
        let s = hourly(&values);
        let model = LastValue {
            seen: Mutex::new(vec![]),
        };
        let run = backtest_run(&model, &s, 10, 3).unwrap();
        let mut seen = model.seen.lock().unwrap().clone();
        seen.sort();
        assert_eq!(seen, vec![n - 30, n - 20, n - 10]);
        for f in &run.folds {
            assert_eq!(f.actual[0], f.origin as f64);
            assert_eq!(f.forecast[0].yhat, f.origin as f64 - 1.0);
            assert_eq!(f.forecast[0].ts, s.points[f.origin].ts);
        }
        // Errors 1..=10 in each fold; the weekly naive in-sample error is 168 everywhere.
        let mae = 5.5;
        assert!((run.score.mase.unwrap() - mae / 168.0).abs() < 1e-12);
        // Band ±1 covers only the first step of each fold.
        assert!((run.score.coverage - 0.1).abs() < 1e-12);
        assert_eq!(run.score.folds, 3);
    }

    #[test]
    fn parallel_runner_keeps_job_order() {
        let jobs: Vec<_> = (0..17).map(|i| move || i * 2).collect();
        assert_eq!(
            run_parallel(jobs),
            (0..17).map(|i| i * 2).collect::<Vec<_>>()
        );
    }
}
