//! History → forecast → windows → accuracy → drift, in one call the dashboard and the headless
//! command share. No terminal I/O here: the dashboard runs it on a blocking task.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::drift::{DriftReport, SavedForecast, check_drift};
use super::windows::{WindowOptions, WindowSet, low_volume_windows};
use super::{ForecastError, Forecaster, ModelForecast, metrics};
use crate::config::{Config, ConfigError};
use crate::granularity::Granularity;
use crate::history::{Series, SeriesSummary, grid};
pub use crate::store::QueueRef;

/// Everything one forecast run needs.
#[derive(Debug, Clone)]
pub struct PipelineInput {
    pub series: Series,
    pub summary: SeriesSummary,
    pub queue: QueueRef,
    pub config: Config,
    /// The last forecast saved for this queue, to check drift against the new actuals.
    pub previous: Option<SavedForecast>,
}

/// Accuracy of the model on the last horizon of the history it was not fitted on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Accuracy {
    /// How it was measured, e.g. `holdout` (one fold) or `backtest` (rolling origin).
    pub method: String,
    pub buckets: usize,
    pub wape: Option<f64>,
    pub mape: Option<f64>,
    /// Against the in-sample weekly naive error (daily when under two weeks of history).
    pub mase: Option<f64>,
    /// Share of actuals inside the prediction band.
    pub coverage: Option<f64>,
}

/// Result of one run.
#[derive(Debug, Clone)]
pub struct PipelineOutput {
    pub queue: QueueRef,
    pub summary: SeriesSummary,
    pub generated_at: DateTime<Utc>,
    pub granularity: Granularity,
    pub tz: Tz,
    /// Forecast buckets (horizon days × buckets per day).
    pub horizon: usize,
    pub forecast: ModelForecast,
    pub windows: WindowSet,
    /// `None` when the history is too short to hold out a horizon (a warning says so).
    pub accuracy: Option<Accuracy>,
    /// `None` without a previous forecast, or when none of its buckets has actuals yet.
    pub drift: Option<DriftReport>,
    /// The settings the run used, for the export.
    pub config: Config,
    /// The model's warnings plus the pipeline's own.
    pub warnings: Vec<String>,
}

impl PipelineOutput {
    /// What to keep in the data dir for the next drift check.
    pub fn to_saved(&self) -> SavedForecast {
        SavedForecast {
            queue: self.queue.clone(),
            generated_at: self.generated_at,
            model: self.forecast.model.clone(),
            granularity: self.granularity,
            time_zone: self.tz.name().to_string(),
            future: self.forecast.future.clone(),
        }
    }
}

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Forecast(#[from] ForecastError),
    #[error(transparent)]
    Config(#[from] ConfigError),
}

/// Smallest training set the holdout fit is attempted on.
const MIN_FIT_POINTS: usize = 48;

/// Fits `model` on the whole history (and, in parallel, on the history minus the last horizon
/// to measure accuracy), then finds windows and checks drift.
pub fn run_forecast(
    input: PipelineInput,
    model: &dyn Forecaster,
) -> Result<PipelineOutput, PipelineError> {
    let PipelineInput {
        series,
        summary,
        queue,
        config,
        previous,
    } = input;
    let window_opts = WindowOptions::from_config(&config.windows)?;
    let g = series.granularity;
    let tz = series.tz;
    let horizon = config.forecast.horizon_days as usize * g.per_day();
    let generated_at = Utc::now();
    let mut warnings = Vec::new();

    let holdout_len = series.points.len().saturating_sub(horizon);
    let do_holdout = holdout_len >= MIN_FIT_POINTS.max(horizon);
    let (full, holdout) = std::thread::scope(|s| {
        let holdout = do_holdout.then(|| {
            let train = series.head(holdout_len);
            s.spawn(move || model.forecast(&train, horizon))
        });
        let full = model.forecast(&series, horizon);
        let holdout = holdout.map(|h| {
            h.join().unwrap_or_else(|_| {
                Err(ForecastError::Model {
                    model: model.name().to_string(),
                    message: "panicked during the holdout fit".into(),
                })
            })
        });
        (full, holdout)
    });
    let forecast = full?;
    check_shape(&forecast, &series, horizon, model.name())?;
    warnings.extend(forecast.warnings.iter().cloned());

    let accuracy = match holdout {
        None => {
            warnings.push(format!(
                "accuracy not measured: holding out the last {} buckets would leave {} to fit on \
                 (need {}); fetch more history",
                horizon,
                holdout_len,
                MIN_FIT_POINTS.max(horizon)
            ));
            None
        }
        Some(Err(e)) => {
            warnings.push(format!("accuracy not measured: {e}"));
            None
        }
        Some(Ok(h)) => Some(score_holdout(&series, holdout_len, &h)),
    };

    let windows = low_volume_windows(&forecast.future, g, tz, &window_opts);
    let drift = previous
        .as_ref()
        .and_then(|p| check_drift(p, &series, &config.drift));
    if let Some(p) = &previous
        && drift.is_none()
    {
        tracing::info!(
            queue = %queue.id,
            saved_at = %p.generated_at,
            "no actuals yet for the saved forecast; drift not checked"
        );
    }
    tracing::info!(
        queue = %queue.id,
        model = %forecast.model,
        buckets = series.points.len(),
        horizon,
        windows = windows.windows.len(),
        "forecast finished"
    );
    Ok(PipelineOutput {
        queue,
        summary,
        generated_at,
        granularity: g,
        tz,
        horizon,
        forecast,
        windows,
        accuracy,
        drift,
        config,
        warnings,
    })
}

/// A model that returns the wrong buckets would silently mislabel every window; refuse it.
fn check_shape(
    f: &ModelForecast,
    series: &Series,
    horizon: usize,
    model: &str,
) -> Result<(), ForecastError> {
    let Some(start) = series.end() else {
        return Err(ForecastError::Model {
            model: model.into(),
            message: "empty history".into(),
        });
    };
    let expected = grid(
        start,
        start + series.granularity.duration() * (horizon as i32 + 2),
        series.granularity,
        series.tz,
    );
    let bad = f.future.len() != horizon
        || f.future
            .iter()
            .zip(&expected)
            .any(|(p, &ts)| p.ts != ts || !p.yhat.is_finite());
    if bad {
        return Err(ForecastError::Model {
            model: model.into(),
            message: format!(
                "returned {} buckets starting {:?}, expected {horizon} finite buckets starting {start}",
                f.future.len(),
                f.future.first().map(|p| p.ts)
            ),
        });
    }
    Ok(())
}

fn score_holdout(series: &Series, train_len: usize, h: &ModelForecast) -> Accuracy {
    let actual: Vec<f64> = series.points[train_len..].iter().map(|p| p.y).collect();
    let n = actual.len().min(h.future.len());
    let actual = &actual[..n];
    let yhat: Vec<f64> = h.future[..n].iter().map(|p| p.yhat).collect();
    let lower: Vec<f64> = h.future[..n].iter().map(|p| p.yhat_lower).collect();
    let upper: Vec<f64> = h.future[..n].iter().map(|p| p.yhat_upper).collect();
    let insample: Vec<f64> = series.points[..train_len].iter().map(|p| p.y).collect();
    let per_day = series.granularity.per_day();
    let season = if insample.len() > 14 * per_day {
        7 * per_day
    } else {
        per_day
    };
    Accuracy {
        method: "holdout".into(),
        buckets: n,
        wape: metrics::wape(actual, &yhat),
        mape: metrics::mape(actual, &yhat),
        mase: metrics::mase(actual, &yhat, &insample, season),
        coverage: metrics::coverage(actual, &lower, &upper),
    }
}
