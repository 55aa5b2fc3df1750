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
    fn forecast(&self, series: &Series, horizon: usize) -> Result<ModelForecast, ForecastError> {
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
    // Far behind on the latest fold, `flat` was stopped there: listed last, with that
    // fold's score, and named in the reason.
    assert!(
        t.rows[1].stopped && t.rows[1].model == "flat",
        "{:?}",
        t.rows
    );
    assert_eq!(t.rows[0].folds, 4);
    assert_eq!(t.rows[1].folds, 1);
    assert!(
        t.reason
            .contains("stopped after the latest fold, clearly behind: flat"),
        "{}",
        t.reason
    );
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

/// A backtest row with only a name and a WAPE (what [`choice`] reads).
fn scored(model: &str, wape: f64) -> BacktestRun {
    BacktestRun {
        score: BacktestScore {
            model: model.into(),
            wape,
            mase: None,
            coverage: 0.0,
            mape: None,
            msis: None,
            stopped: false,
            fit_time: std::time::Duration::ZERO,
            folds: 4,
        },
        folds: vec![],
    }
}

#[test]
fn the_combination_is_kept_unless_a_single_model_is_clearly_better() {
    // Fold winners disagree and the best single model is 3 % ahead on the pooled WAPE: noise,
    // the combination is taken.
    let close = [
        scored("mstl-ets", 0.100),
        scored("seasonal-median", 0.101),
        scored(combine::NAME, 0.103),
        scored("seasonal-naive", 0.2),
    ];
    assert_eq!(choice(&close), 2);
    // 10 % ahead: the single model wins.
    let clear = [
        scored("mstl-ets", 0.090),
        scored(combine::NAME, 0.100),
        scored("seasonal-naive", 0.2),
    ];
    assert_eq!(choice(&clear), 0);
    // No combination (fewer than two models beat the naive): the lowest WAPE.
    assert_eq!(
        choice(&[scored("mstl-ets", 0.1), scored("seasonal-naive", 0.2)]),
        0
    );
}
