//! The model registry (the only place a model name is mapped to a model) and the `auto`
//! tournament: every candidate is backtested on the same folds, the lowest WAPE wins, and the
//! winner is refitted on the whole history with a calibrated band.
//!
//! A new model: implement [`Forecaster`], then add its name to [`MODEL_NAMES`] and an arm to
//! [`forecaster_by_name`]; `--model`, `auto`, the dashboard's model table and the export follow.

use serde::{Deserialize, Serialize};

use super::backtest::{
    self, BacktestRun, BacktestScore, Fold, fold_origins, run_fold, run_parallel, score_folds,
};
use super::calibrate::{self, Calibration};
use super::mstl::MstlEts;
use super::naive::SeasonalNaive;
use super::prophet::ProphetForecaster;
use super::{ForecastError, Forecaster, ModelForecast};
use crate::config::ForecastConfig;
use crate::history::Series;

/// The `--model` value that runs the tournament (the CLI's, the config's and the dashboard's).
pub const AUTO: &str = "auto";

/// The seed script's Prophet (additive daily + weekly), kept for comparison.
pub const PROPHET_SEED: &str = "prophet-seed";
/// Prophet with weekday/weekend daily profiles on log1p counts.
pub const PROPHET_TUNED: &str = "prophet-tuned";

/// Every model `--model` accepts besides `auto`, in tournament order (ties go to the earlier,
/// so the baseline wins a tie: a fancier model must do strictly better).
pub const MODEL_NAMES: &[&str] = &[
    super::naive::NAME,
    super::mstl::NAME,
    PROPHET_TUNED,
    PROPHET_SEED,
];

/// What `auto` fits when the history is too short to backtest any model: the seed script's
/// Prophet, which needs the least history.
pub const AUTO_FALLBACK: &str = PROPHET_SEED;

/// Builds a model by its `--model` name.
pub fn forecaster_by_name(
    name: &str,
    cfg: &ForecastConfig,
) -> Result<Box<dyn Forecaster>, ForecastError> {
    match name {
        super::naive::NAME => Ok(Box::new(SeasonalNaive::from_config(cfg))),
        super::mstl::NAME => Ok(Box::new(MstlEts::from_config(cfg))),
        PROPHET_SEED => Ok(Box::new(ProphetForecaster::seed(cfg))),
        PROPHET_TUNED => Ok(Box::new(ProphetForecaster::tuned(cfg))),
        _ => Err(unknown(name)),
    }
}

/// Checks a `--model` value (`auto` or a registered name) before any work is done.
pub fn check_model_name(name: &str) -> Result<(), ForecastError> {
    if name == AUTO || MODEL_NAMES.contains(&name) {
        Ok(())
    } else {
        Err(unknown(name))
    }
}

fn unknown(name: &str) -> ForecastError {
    ForecastError::UnknownModel {
        name: name.to_string(),
        valid: std::iter::once(AUTO)
            .chain(MODEL_NAMES.iter().copied())
            .collect::<Vec<_>>()
            .join(", "),
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
        series.is_nonnegative(),
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
        // Take this model's results in full before looking for errors, or a failed fold would
        // leave its siblings to be read as the next model's.
        let mine: Vec<_> = results.by_ref().take(origins.len()).collect();
        let folds: Result<Vec<Fold>, _> = mine.into_iter().collect();
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
    let span = if horizon.is_multiple_of(per_day) {
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
    let mase = best
        .mase
        .map(|m| format!("; MASE {m:.2} against the weekly naive's in-sample error"))
        .unwrap_or_default();
    format!(
        "{} has the lowest backtest WAPE, {}{vs}, over {} rolling folds of {span}{mase}{naive_note}",
        best.model,
        pct(best.wape),
        best.folds,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forecast::ForecastPoint;
    use crate::history::test_support::hourly;

    /// Predicts a constant; `fail` makes it error instead.
    struct Constant {
        name: &'static str,
        value: f64,
        fail: bool,
    }

    impl Forecaster for Constant {
        fn name(&self) -> &str {
            self.name
        }
        fn forecast(
            &self,
            series: &Series,
            horizon: usize,
        ) -> Result<ModelForecast, ForecastError> {
            if self.fail {
                return Err(ForecastError::Model {
                    model: self.name.into(),
                    message: "deliberate".into(),
                });
            }
            Ok(ModelForecast {
                model: self.name.into(),
                future: series
                    .future_timestamps(horizon)
                    .into_iter()
                    .map(|ts| ForecastPoint {
                        ts,
                        yhat: self.value,
                        yhat_lower: self.value - 1.0,
                        yhat_upper: self.value + 1.0,
                    })
                    .collect(),
                warnings: vec![],
            })
        }
    }

    fn weekly(weeks: usize) -> Series {
        let y: Vec<f64> = (0..weeks * 168)
            .map(|i| {
                let busy = (8..18).contains(&(i % 24)) && (i / 24) % 7 < 5;
                (if busy { 80.0 } else { 3.0 }) + ((i * 31) % 11) as f64
            })
            .collect();
        hourly(&y)
    }

    #[test]
    fn lowest_wape_wins_failures_are_listed_and_the_reason_names_the_winner() {
        let s = weekly(6);
        let models: Vec<Box<dyn Forecaster>> = vec![
            Box::new(Constant {
                name: "flat",
                value: 30.0,
                fail: false,
            }),
            Box::new(Constant {
                name: "broken",
                value: 0.0,
                fail: true,
            }),
            Box::new(SeasonalNaive::new(0.95)),
        ];
        let t = tournament_of(&models, &s, 24, &ForecastConfig::default()).unwrap();
        assert_eq!(t.chosen, "seasonal-naive", "{:?}", t.rows);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0].model, "seasonal-naive");
        assert!(t.rows[0].wape < t.rows[1].wape);
        assert_eq!(t.failures.len(), 1);
        assert!(t.failures[0].error.contains("deliberate"));
        assert!(t.reason.starts_with("seasonal-naive"), "{}", t.reason);
        assert!(t.reason.contains("flat"), "{}", t.reason);
        assert_eq!(t.forecast.model, "seasonal-naive");
        assert_eq!(t.forecast.future.len(), 24);
        // The analyst can switch to another row without a new backtest.
        let other = t.forecast_for("flat", &s, &ForecastConfig::default());
        assert!(other.is_err(), "flat is not a registered model name");
    }

    #[test]
    fn an_exactly_weekly_history_still_forecasts_without_a_mase() {
        let y: Vec<f64> = (0..6 * 168).map(|i| ((i % 168) % 24) as f64).collect();
        let t = tournament(&hourly(&y), 24, &ForecastConfig::default()).unwrap();
        let naive = t.rows.iter().find(|r| r.model == "seasonal-naive").unwrap();
        assert_eq!(naive.mase, None);
        assert_eq!(naive.wape, 0.0);
        assert!(!t.reason.contains("MASE"), "{}", t.reason);
    }

    #[test]
    fn all_models_failing_returns_the_first_error() {
        let s = weekly(6);
        let models: Vec<Box<dyn Forecaster>> = vec![Box::new(Constant {
            name: "broken",
            value: 0.0,
            fail: true,
        })];
        let err = tournament_of(&models, &s, 24, &ForecastConfig::default()).unwrap_err();
        assert!(err.to_string().contains("deliberate"), "{err}");
    }

    #[test]
    fn run_model_backtests_refits_and_switching_matches_it() {
        let s = weekly(6);
        let cfg = ForecastConfig::default();
        let direct = run_model("seasonal-naive", &s, 24, &cfg).unwrap();
        assert_eq!(direct.score.folds, 4);
        let t = tournament(&s, 24, &cfg).unwrap();
        let switched = t.forecast_for("seasonal-naive", &s, &cfg).unwrap();
        assert_eq!(switched.forecast.future, direct.forecast.future);
        let key = |r: &BacktestScore| (r.wape, r.mase, r.coverage);
        assert_eq!(key(&switched.score), key(&direct.score));
    }

    #[test]
    fn unknown_model_error_lists_valid_names() {
        let err = forecaster_by_name("arima", &ForecastConfig::default())
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("\"arima\""), "{err}");
        for name in [
            "auto",
            "seasonal-naive",
            "mstl-ets",
            "prophet-seed",
            "prophet-tuned",
        ] {
            assert!(err.contains(name), "{err}");
        }
    }

    #[test]
    fn every_registered_name_builds_a_model_of_that_name() {
        for name in MODEL_NAMES {
            let m = forecaster_by_name(name, &ForecastConfig::default()).unwrap();
            assert_eq!(m.name(), *name);
            check_model_name(name).unwrap();
        }
        assert!(MODEL_NAMES.contains(&AUTO_FALLBACK));
    }

    #[test]
    fn auto_is_the_default_and_the_name_check_agrees_with_the_registry() {
        assert_eq!(ForecastConfig::default().model, AUTO);
        check_model_name(AUTO).unwrap();
        let by_check = check_model_name("arima").unwrap_err().to_string();
        let by_build = forecaster_by_name("arima", &ForecastConfig::default())
            .err()
            .unwrap()
            .to_string();
        assert_eq!(by_check, by_build);
    }
}
