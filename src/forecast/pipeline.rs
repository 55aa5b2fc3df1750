//! History → forecast → windows → accuracy → drift, in one call the dashboard and the headless
//! command share (through `service::forecast`). Pure: no network, no files, no terminal; the
//! dashboard runs it on a blocking task.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::backtest::{BacktestScore, min_train};
use super::calibrate::Calibration;
use super::combine::Combination;
use super::drift::{DriftReport, SavedForecast, check_drift};
use super::select::{self, Marks, ModelFailure};
use super::windows::{WindowOptions, WindowSet, low_volume_windows};
use super::{ForecastError, Forecaster, ModelForecast, degenerate, metrics};
use crate::config::{Config, ConfigError, ForecastConfig};
use crate::granularity::Granularity;
use crate::history::{Series, SeriesSummary, grid};
pub use crate::refs::QueueRef;

/// Everything one forecast run needs.
#[derive(Clone, Debug)]
pub struct PipelineInput {
    pub series: Series,
    pub summary: SeriesSummary,
    pub queue: QueueRef,
    pub config: Config,
    /// The last forecast saved for this queue, to check drift against the new actuals.
    pub previous: Option<SavedForecast>,
}

/// Accuracy of the model on history it was not fitted on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Accuracy {
    /// `holdout` (the last horizon) or `backtest` (rolling origin, `folds` horizons).
    pub method: String,
    pub folds: usize,
    /// Buckets scored.
    pub buckets: usize,
    pub wape: Option<f64>,
    pub mape: Option<f64>,
    /// Against the in-sample weekly naive error (daily when under two weeks of history).
    pub mase: Option<f64>,
    /// Share of actuals inside the prediction band as exported (after any calibration).
    pub coverage: Option<f64>,
}

/// How the model was chosen, when it came from the registry (`--model NAME` or `auto`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSelection {
    /// What was asked for: `auto` or a model name.
    pub requested: String,
    pub chosen: String,
    /// For `auto`: which model won and why.
    pub reason: Option<String>,
    /// One row per backtested model, best WAPE first.
    pub backtest: Vec<BacktestScore>,
    pub failures: Vec<ModelFailure>,
    /// `None` when the history was too short to backtest (no calibration possible).
    pub calibration: Option<Calibration>,
    /// Members and weights when the combination was chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub combination: Option<Combination>,
    /// Flagged history days and the horizon's holidays.
    #[serde(default)]
    pub marks: Marks,
}

/// Result of one run. Its `Debug` is safe to log: `Config`'s redacts the client secret.
#[derive(Clone, Debug, PartialEq)]
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
    /// How the saved forecast held up; when none of its buckets has actuals yet, the check
    /// made when it was saved ([`SavedForecast::drift`]); `None` without either.
    pub drift: Option<DriftReport>,
    /// Set when the model came from the registry (`run_forecast_named`).
    pub selection: Option<ModelSelection>,
    /// The settings the run used, for the export.
    pub config: Config,
    /// The model's warnings plus the pipeline's own.
    pub warnings: Vec<String>,
    /// Required, staffed and spare agents and the capacity windows; set by the service's
    /// staffing stage after the forecast (`None` until then, or when it could not run).
    pub staffing: Option<super::staffing::StaffingPlan>,
}

impl PipelineOutput {
    /// Capacity mode: `[staffing] windows = "capacity"` and staffed agents known, so the
    /// staffing plan's capacity windows replace the quartile ones.
    pub fn in_capacity_mode(&self) -> bool {
        self.config.staffing.windows == crate::config::WindowsMode::Capacity
            && self.staffing.as_ref().is_some_and(|p| p.has_staffed())
    }

    /// The windows the run offers, as `[start, end)`: the capacity windows in capacity mode,
    /// else the quartile windows. The summary, the board and the CSV's flags all use these.
    pub fn offered_windows(&self) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        match self.staffing.as_ref() {
            Some(plan) if self.in_capacity_mode() => {
                plan.windows.iter().map(|w| (w.start, w.end)).collect()
            }
            _ => self
                .windows
                .windows
                .iter()
                .map(|w| (w.start, w.end))
                .collect(),
        }
    }

    /// What to keep in the data dir for the next drift check.
    pub fn to_saved(&self) -> SavedForecast {
        SavedForecast {
            queue: self.queue.clone(),
            generated_at: self.generated_at,
            model: self.forecast.model.clone(),
            granularity: self.granularity,
            time_zone: self.tz.name().to_string(),
            future: self.forecast.future.clone(),
            drift: self.drift.clone(),
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
    let window_opts = WindowOptions::from_config(&input.config.windows)?;
    let series = &input.series;
    let horizon = input.config.forecast.horizon_days as usize * series.granularity.per_day();
    let generated_at = Utc::now();
    let mut warnings = Vec::new();

    let holdout_len = series.points.len().saturating_sub(horizon);
    let do_holdout = holdout_len >= MIN_FIT_POINTS.max(horizon);
    let (full, holdout) = std::thread::scope(|s| {
        let holdout = do_holdout.then(|| {
            let train = series.head(holdout_len);
            s.spawn(move || model.forecast(&train, horizon))
        });
        let full = model.forecast(series, horizon);
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
        Some(Ok(h)) => Some(score_holdout(series, holdout_len, &h)),
    };
    finish(
        input,
        Finished {
            forecast,
            accuracy,
            selection: None,
            warnings,
            generated_at,
            window_opts,
        },
    )
}

/// Runs the model `input.config.forecast.model` names, through the registry in
/// [`select`]: `auto` runs the backtest tournament, a name backtests that model; either way the
/// band is calibrated and the accuracy is the rolling-origin backtest. With too little history
/// for the configured folds, fewer folds are used; with too little for one, the model is fitted
/// untested (warned).
pub fn run_forecast_named(input: PipelineInput) -> Result<PipelineOutput, PipelineError> {
    let window_opts = WindowOptions::from_config(&input.config.windows)?;
    let generated_at = Utc::now();
    let series = &input.series;
    let g = series.granularity;
    let horizon = input.config.forecast.horizon_days as usize * g.per_day();
    if let Some(kind) = degenerate::detect(series) {
        return run_degenerate(input, kind, horizon, window_opts, generated_at);
    }
    let wanted = input.config.forecast.backtest_folds.max(1) as usize;
    let n = series.points.len();
    let fits = (0..=wanted)
        .rev()
        .find(|&k| k == 0 || n >= k * horizon + min_train(g))
        .unwrap_or(0);
    if fits == 0 {
        return run_untested(input, horizon);
    }
    let mut warnings = Vec::new();
    let mut fcfg = input.config.forecast.clone();
    if fits < wanted {
        warnings.push(format!(
            "backtest uses {fits} fold(s) instead of {wanted}: the history is too short for more"
        ));
        fcfg.backtest_folds = fits as u32;
    }
    let (forecast, score, selection) =
        choose(&input.config.forecast.model, series, horizon, &fcfg)?;
    let accuracy = backtest_accuracy(&score, &selection, horizon);
    finish(
        input,
        Finished {
            forecast,
            accuracy: Some(accuracy),
            selection: Some(selection),
            warnings,
            generated_at,
            window_opts,
        },
    )
}

/// A series no model should be fitted to (all zero, constant, huge values): the obvious
/// forecast at once, with a note, whatever model was asked for (a fit on a constant series
/// took 105 s, on 1e300 100 s, to say the same or nothing).
fn run_degenerate(
    input: PipelineInput,
    kind: degenerate::Degenerate,
    horizon: usize,
    window_opts: WindowOptions,
    generated_at: DateTime<Utc>,
) -> Result<PipelineOutput, PipelineError> {
    let note = kind.note(input.series.points.len());
    let forecast = kind.forecast(&input.series, horizon);
    let selection = ModelSelection {
        requested: input.config.forecast.model.clone(),
        chosen: forecast.model.clone(),
        reason: Some(note.clone()),
        backtest: Vec::new(),
        failures: Vec::new(),
        calibration: None,
        combination: None,
        marks: Default::default(),
    };
    finish(
        input,
        Finished {
            forecast,
            accuracy: None,
            selection: Some(selection),
            warnings: vec![note],
            generated_at,
            window_opts,
        },
    )
}

/// Too little history for one backtest fold: fit the requested model (for `auto`,
/// [`select::AUTO_FALLBACK`]) without selection or calibration, and say so.
fn run_untested(input: PipelineInput, horizon: usize) -> Result<PipelineOutput, PipelineError> {
    let requested = input.config.forecast.model.clone();
    let name = if requested == select::AUTO {
        select::AUTO_FALLBACK
    } else {
        requested.as_str()
    };
    let model = select::forecaster_by_name(name, &input.config.forecast)?;
    let n = input.series.points.len();
    let need = horizon + min_train(input.series.granularity);
    let mut out = run_forecast(input, model.as_ref())?;
    out.warnings.insert(
        0,
        format!(
            "too little history to backtest ({n} buckets, a fold needs {need}): {name} was \
             fitted without model selection or band calibration"
        ),
    );
    out.selection = Some(ModelSelection {
        requested,
        chosen: out.forecast.model.clone(),
        reason: None,
        backtest: Vec::new(),
        failures: Vec::new(),
        calibration: None,
        combination: None,
        marks: Marks::default(),
    });
    Ok(out)
}

/// `auto`: the tournament's winner; a name: that model, backtested. Either refitted with a
/// calibrated band.
fn choose(
    requested: &str,
    series: &Series,
    horizon: usize,
    cfg: &ForecastConfig,
) -> Result<(ModelForecast, BacktestScore, ModelSelection), ForecastError> {
    if requested == select::AUTO {
        let t = select::tournament(series, horizon, cfg)?;
        let score = t
            .rows
            .iter()
            .find(|r| r.model == t.chosen)
            .cloned()
            .expect("the chosen model has a backtest row");
        let sel = ModelSelection {
            requested: requested.to_string(),
            chosen: t.chosen.clone(),
            reason: Some(t.reason.clone()),
            backtest: t.rows.clone(),
            failures: t.failures.clone(),
            calibration: Some(t.calibration.clone()),
            combination: t.combination.clone(),
            marks: t.marks.clone(),
        };
        let mut forecast = t.forecast;
        forecast
            .warnings
            .extend(select::flagged_summary(&t.marks.flagged));
        return Ok((forecast, score, sel));
    }
    let run = select::run_model(requested, series, horizon, cfg)?;
    let sel = ModelSelection {
        requested: requested.to_string(),
        chosen: run.score.model.clone(),
        reason: None,
        backtest: vec![run.score.clone()],
        failures: Vec::new(),
        calibration: Some(run.calibration),
        combination: None,
        marks: run.marks.clone(),
    };
    let mut forecast = run.forecast;
    forecast
        .warnings
        .extend(select::flagged_summary(&run.marks.flagged));
    Ok((forecast, run.score, sel))
}

/// The backtest's pooled scores as the run's accuracy; coverage is the calibrated band's.
fn backtest_accuracy(
    score: &BacktestScore,
    selection: &ModelSelection,
    horizon: usize,
) -> Accuracy {
    Accuracy {
        method: "backtest".into(),
        folds: score.folds,
        buckets: score.folds * horizon,
        wape: Some(score.wape),
        mape: score.mape,
        mase: score.mase,
        coverage: selection
            .calibration
            .as_ref()
            .map(|c| c.coverage_after)
            .or(Some(score.coverage)),
    }
}

struct Finished {
    forecast: ModelForecast,
    accuracy: Option<Accuracy>,
    selection: Option<ModelSelection>,
    warnings: Vec<String>,
    generated_at: DateTime<Utc>,
    window_opts: WindowOptions,
}

fn finish(input: PipelineInput, done: Finished) -> Result<PipelineOutput, PipelineError> {
    let PipelineInput {
        series,
        summary,
        queue,
        config,
        previous,
    } = input;
    let Finished {
        forecast,
        accuracy,
        selection,
        warnings: pipeline_warnings,
        generated_at,
        window_opts,
    } = done;
    let g = series.granularity;
    let tz = series.tz;
    let horizon = config.forecast.horizon_days as usize * g.per_day();
    check_shape(&forecast, &series, horizon, &forecast.model)?;
    let mut warnings = forecast.warnings.clone();
    warnings.extend(pipeline_warnings);

    let windows = low_volume_windows(&forecast.future, g, tz, &window_opts);
    let checked = previous
        .as_ref()
        .and_then(|p| check_drift(p, &series, &config.drift));
    if let Some(p) = &previous
        && checked.is_none()
    {
        tracing::info!(
            queue = %queue.id,
            saved_at = %p.generated_at,
            "no actuals yet for the saved forecast; its own drift check stands"
        );
    }
    let drift = checked.or_else(|| previous.and_then(|p| p.drift));
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
        selection,
        config,
        warnings,
        staffing: None,
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
        folds: 1,
        buckets: n,
        wape: metrics::wape(actual, &yhat),
        mape: metrics::mape(actual, &yhat),
        mase: metrics::mase(actual, &yhat, &insample, season),
        coverage: metrics::coverage(actual, &lower, &upper),
    }
}
