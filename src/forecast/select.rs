//! Model registry and the `auto` tournament: every candidate is backtested on the same folds,
//! the lowest WAPE wins, and the winner is refitted on the whole history with a calibrated band.

use serde::{Deserialize, Serialize};

use super::backtest::{
    self, BacktestRun, BacktestScore, Fold, fold_origins, is_nonnegative, run_fold, run_parallel,
    score_folds,
};
use super::calibrate::{self, Calibration};
use super::mstl::MstlEts;
use super::naive::SeasonalNaive;
use super::{ForecastError, Forecaster, ModelForecast};
use crate::config::ForecastConfig;
use crate::history::Series;

/// The `--model` value that runs the tournament.
pub const AUTO: &str = "auto";

/// Every model `--model` accepts besides `auto`, in tournament order (ties go to the earlier).
pub const MODEL_NAMES: &[&str] = &[super::naive::NAME, super::mstl::NAME];

/// Builds a model by its `--model` name.
pub fn forecaster_by_name(
    name: &str,
    cfg: &ForecastConfig,
) -> Result<Box<dyn Forecaster>, ForecastError> {
    match name {
        super::naive::NAME => Ok(Box::new(SeasonalNaive::from_config(cfg))),
        super::mstl::NAME => Ok(Box::new(MstlEts::from_config(cfg))),
        _ => Err(ForecastError::UnknownModel {
            name: name.to_string(),
            valid: std::iter::once(AUTO)
                .chain(MODEL_NAMES.iter().copied())
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

/// A model that could not be backtested, and why (shown under the tournament table).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelFailure {
    pub model: String,
    pub error: String,
}

/// One model's backtest, refit and calibrated band.
#[derive(Debug, Clone)]
pub struct ModelRun {
    pub score: BacktestScore,
    /// Fitted on the whole history, band calibrated.
    pub forecast: ModelForecast,
    pub calibration: Calibration,
}

/// The outcome of `--model auto`.
#[derive(Debug, Clone)]
pub struct Tournament {
    /// One row per model that could be backtested, best WAPE first.
    pub rows: Vec<BacktestScore>,
    /// The winning model's name.
    pub chosen: String,
    /// One sentence for the analyst: which model and why.
    pub reason: String,
    /// The chosen model refitted on the whole history, band calibrated.
    pub forecast: ModelForecast,
    pub calibration: Calibration,
    pub failures: Vec<ModelFailure>,
    /// Buckets per fold and fold count, for the table's caption.
    pub horizon: usize,
    runs: Vec<BacktestRun>,
}

impl Tournament {
    /// Refits another model from the table (the analyst switched model) without repeating its
    /// backtest.
    pub fn forecast_for(
        &self,
        name: &str,
        series: &Series,
        cfg: &ForecastConfig,
    ) -> Result<ModelRun, ForecastError> {
        let model = forecaster_by_name(name, cfg)?;
        let run = self
            .runs
            .iter()
            .find(|r| r.score.model == name)
            .ok_or_else(|| ForecastError::Model {
                model: name.to_string(),
                message: "it was not backtested in this tournament (see the failures)".into(),
            })?;
        finish(model.as_ref(), run, series, self.horizon, cfg)
    }
}

/// Backtests and refits one named model (for an explicit `--model`).
pub fn run_model(
    name: &str,
    series: &Series,
    horizon: usize,
    cfg: &ForecastConfig,
) -> Result<ModelRun, ForecastError> {
    let model = forecaster_by_name(name, cfg)?;
    let run = backtest::backtest_run(model.as_ref(), series, horizon, folds(cfg))?;
    finish(model.as_ref(), &run, series, horizon, cfg)
}

fn folds(cfg: &ForecastConfig) -> usize {
    (cfg.backtest_folds as usize).max(1)
}

fn finish(
    model: &dyn Forecaster,
    run: &BacktestRun,
    series: &Series,
    horizon: usize,
    cfg: &ForecastConfig,
) -> Result<ModelRun, ForecastError> {
    let mut forecast = model.forecast(series, horizon)?;
    let calibration = calibrate::plan(run, series.tz, series.granularity, cfg.interval_width);
    calibrate::apply(
        &calibration,
        &mut forecast,
        series.tz,
        series.granularity,
        is_nonnegative(series),
    );
    Ok(ModelRun {
        score: run.score.clone(),
        forecast,
        calibration,
    })
}

/// Runs every registered model through the same backtest folds (in parallel), picks the
/// lowest WAPE and refits it on the whole history with a calibrated band.
pub fn tournament(
    series: &Series,
    horizon: usize,
    cfg: &ForecastConfig,
) -> Result<Tournament, ForecastError> {
    let models = MODEL_NAMES
        .iter()
        .map(|n| forecaster_by_name(n, cfg))
        .collect::<Result<Vec<_>, _>>()?;
    tournament_of(&models, series, horizon, cfg)
}

/// The tournament over an explicit candidate list (tests, benchmarks).
pub fn tournament_of(
    models: &[Box<dyn Forecaster>],
    series: &Series,
    horizon: usize,
    cfg: &ForecastConfig,
) -> Result<Tournament, ForecastError> {
    let origins = fold_origins(series, horizon, folds(cfg))?;
    let jobs: Vec<_> = models
        .iter()
        .flat_map(|m| {
            origins
                .iter()
                .map(move |&o| move || run_fold(m.as_ref(), series, o, horizon))
        })
        .collect();
    let mut results = run_parallel(jobs).into_iter();
    let mut runs = Vec::new();
    let mut failures = Vec::new();
    let mut first_error = None;
    for m in models {
        let folds: Result<Vec<Fold>, _> = results.by_ref().take(origins.len()).collect();
        match folds.and_then(|f| score_folds(m.name(), f)) {
            Ok(run) => runs.push(run),
            Err(e) => {
                tracing::warn!(model = m.name(), error = %e, "model dropped from the tournament");
                failures.push(ModelFailure {
                    model: m.name().to_string(),
                    error: e.to_string(),
                });
                first_error.get_or_insert(e);
            }
        }
    }
    if runs.is_empty() {
        return Err(first_error.unwrap_or_else(|| ForecastError::Model {
            model: AUTO.into(),
            message: "no candidate models".into(),
        }));
    }
    // Stable sort: ties keep registry order.
    runs.sort_by(|a, b| a.score.wape.total_cmp(&b.score.wape));
    let best = &runs[0];
    let model = models
        .iter()
        .find(|m| m.name() == best.score.model)
        .expect("the best run came from one of the models");
    let reason = reason(&runs, horizon, series);
    let ModelRun {
        forecast,
        calibration,
        ..
    } = finish(model.as_ref(), best, series, horizon, cfg)?;
    Ok(Tournament {
        rows: runs.iter().map(|r| r.score.clone()).collect(),
        chosen: best.score.model.clone(),
        reason,
        forecast,
        calibration,
        failures,
        horizon,
        runs,
    })
}

fn reason(runs: &[BacktestRun], horizon: usize, series: &Series) -> String {
    let best = &runs[0].score;
    let pct = |x: f64| format!("{:.1} %", x * 100.0);
    let others = runs[1..]
        .iter()
        .map(|r| format!("{} {}", r.score.model, pct(r.score.wape)))
        .collect::<Vec<_>>()
        .join(", ");
    let per_day = series.granularity.per_day();
    let span = if horizon % per_day == 0 {
        format!("{} days", horizon / per_day)
    } else {
        format!("{horizon} buckets")
    };
    let vs = if others.is_empty() {
        String::new()
    } else {
        format!(" (vs {others})")
    };
    let naive_note = if best.model == super::naive::NAME {
        "; no model beat same-bucket-last-week"
    } else {
        ""
    };
    format!(
        "{} has the lowest backtest WAPE, {}{vs}, over {} rolling folds of {span}; \
         MASE {:.2} vs the weekly naive's in-sample error{naive_note}",
        best.model,
        pct(best.wape),
        best.folds,
        best.mase,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_model_error_lists_valid_names() {
        let err = forecaster_by_name("arima", &ForecastConfig::default())
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("\"arima\""), "{err}");
        for name in ["auto", "seasonal-naive", "mstl-ets"] {
            assert!(err.contains(name), "{err}");
        }
    }

    #[test]
    fn every_registered_name_builds_a_model_of_that_name() {
        for name in MODEL_NAMES {
            let m = forecaster_by_name(name, &ForecastConfig::default()).unwrap();
            assert_eq!(m.name(), *name);
        }
    }
}
