//! Forecast combination: the candidates that beat the weekly naive in the backtest, averaged.
//!
//! The M4 competition's lesson (Makridakis, Spiliotis & Assimakopoulos 2020, "The M4
//! Competition: 100,000 time series and 61 forecasting methods", IJF 36(1)) is that
//! combinations of a few decent methods beat picking one, because picking from a short backtest
//! is noisy; simple weights are hard to beat (the "forecast combination puzzle", Smith & Wallis
//! 2009), and inverse-error weights help when members differ a lot in skill. Here the members are
//! the models whose backtest WAPE beats the weekly seasonal naive (at most [`MAX_MEMBERS`], best
//! first), weighted by inverse squared WAPE, a compromise the peer benchmark chose over the
//! median and the equal mean (see `DEFAULT_METHOD`).
//!
//! The combination's backtest reuses the members' fold forecasts (no extra fits); each fold is
//! combined with members and weights chosen from the other folds only, so its score is as
//! out-of-sample as a single model's. A fold whose other folds have fewer than two models
//! beating the naive gets the best of them alone (what `auto` would have taken from those
//! folds), so one odd fold does not drop the combination from the tournament.

use serde::{Deserialize, Serialize};

use super::backtest::{BacktestRun, Fold};
use super::{ForecastPoint, ModelForecast, metrics};

/// The name the tournament table and the export give the combination.
pub const NAME: &str = "combination";

/// At most this many members, the best ones.
pub const MAX_MEMBERS: usize = 3;

/// How members are averaged.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Bucket by bucket median (equal weights).
    Median,
    /// Weighted mean, weights ∝ WAPE^(−power) (0 = equal).
    InverseError { power: f64 },
}

/// The method the tournament uses.
pub const DEFAULT_METHOD: Method = Method::InverseError { power: 2.0 };

/// One member and its weight (weights sum to 1; equal for the median).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub model: String,
    pub weight: f64,
}

/// Which members, how weighted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Combination {
    pub method: Method,
    pub members: Vec<Member>,
}

impl Combination {
    /// "mstl-ets 0.52, seasonal-median 0.48 (weighted by inverse squared backtest WAPE)".
    pub fn describe(&self) -> String {
        let members = self
            .members
            .iter()
            .map(|m| format!("{} {:.2}", m.model, m.weight))
            .collect::<Vec<_>>()
            .join(", ");
        let how = match self.method {
            Method::Median => "bucket-by-bucket median".to_string(),
            Method::InverseError { power: 0.0 } => "equal weights".to_string(),
            Method::InverseError { power: 2.0 } => {
                "weighted by inverse squared backtest WAPE".to_string()
            }
            Method::InverseError { power } => format!("weighted by backtest WAPE^-{power}"),
        };
        format!("{members} ({how})")
    }

    /// Combines the members' forecasts (given in any order, found by name) bucket by bucket.
    pub fn apply(&self, forecasts: &[&ModelForecast]) -> Option<ModelForecast> {
        let parts: Vec<(&ModelForecast, f64)> = self
            .members
            .iter()
            .map(|m| {
                forecasts
                    .iter()
                    .find(|f| f.model == m.model)
                    .map(|f| (*f, m.weight))
            })
            .collect::<Option<_>>()?;
        let n = parts.first()?.0.future.len();
        let future = (0..n)
            .map(|i| {
                let pts: Vec<(&ForecastPoint, f64)> =
                    parts.iter().map(|(f, w)| (&f.future[i], *w)).collect();
                combine_point(self.method, &pts)
            })
            .collect();
        let mut warnings: Vec<String> = Vec::new();
        for (f, _) in &parts {
            for w in &f.warnings {
                warnings.push(format!("{}: {w}", f.model));
            }
        }
        Some(ModelForecast {
            model: NAME.to_string(),
            future,
            warnings,
        })
    }
}

fn combine_point(method: Method, pts: &[(&ForecastPoint, f64)]) -> ForecastPoint {
    let ts = pts[0].0.ts;
    let pick = |f: fn(&ForecastPoint) -> f64| -> f64 {
        match method {
            Method::Median => {
                let mut v: Vec<f64> = pts.iter().map(|(p, _)| f(p)).collect();
                super::naive::median(&mut v)
            }
            Method::InverseError { .. } => pts.iter().map(|(p, w)| w * f(p)).sum(),
        }
    };
    ForecastPoint {
        ts,
        yhat: pick(|p| p.yhat),
        yhat_lower: pick(|p| p.yhat_lower),
        yhat_upper: pick(|p| p.yhat_upper),
    }
}

/// Pooled WAPE of `run` over its folds except `skip`.
fn wape_without(run: &BacktestRun, skip: Option<usize>) -> Option<f64> {
    let (mut a, mut f) = (Vec::new(), Vec::new());
    for (k, fold) in run.folds.iter().enumerate() {
        if Some(k) == skip {
            continue;
        }
        a.extend_from_slice(&fold.actual);
        f.extend(fold.forecast.iter().map(|p| p.yhat));
    }
    if a.is_empty() {
        return None;
    }
    metrics::wape(&a, &f)
}

/// Members and weights chosen on `runs`' folds except `skip`: the models beating `baseline`'s
/// WAPE, best first, at most [`MAX_MEMBERS`]; `None` with fewer than two.
pub fn choose(
    runs: &[&BacktestRun],
    baseline: &BacktestRun,
    method: Method,
    skip: Option<usize>,
) -> Option<Combination> {
    let bar = wape_without(baseline, skip)?;
    let mut scored: Vec<(&BacktestRun, f64)> = runs
        .iter()
        .filter_map(|r| wape_without(r, skip).map(|w| (*r, w)))
        .filter(|(_, w)| *w < bar)
        .collect();
    // Stable: ties keep the registry order.
    scored.sort_by(|a, b| a.1.total_cmp(&b.1));
    scored.truncate(MAX_MEMBERS);
    if scored.len() < 2 {
        return None;
    }
    let raw: Vec<f64> = scored
        .iter()
        .map(|(_, w)| match method {
            Method::Median => 1.0,
            Method::InverseError { power } => w.max(1e-9).powf(-power),
        })
        .collect();
    let total: f64 = raw.iter().sum();
    Some(Combination {
        method,
        members: scored
            .iter()
            .zip(raw)
            .map(|((r, _), w)| Member {
                model: r.score.model.clone(),
                weight: w / total,
            })
            .collect(),
    })
}

/// The single run with the lowest WAPE on the folds but `skip` (the baseline included), as a
/// one-member combination.
fn best_alone(
    runs: &[&BacktestRun],
    baseline: &BacktestRun,
    skip: Option<usize>,
) -> Option<Combination> {
    let best = runs
        .iter()
        .copied()
        .chain(std::iter::once(baseline))
        .filter_map(|r| wape_without(r, skip).map(|w| (r, w)))
        .min_by(|a, b| a.1.total_cmp(&b.1))?;
    Some(Combination {
        method: Method::InverseError { power: 0.0 },
        members: vec![Member {
            model: best.0.score.model.clone(),
            weight: 1.0,
        }],
    })
}

/// The combination's backtest folds from the members' fold forecasts: fold `k` combined with
/// the members and weights [`choose`] finds on the other folds (on all folds when there is only
/// one). `None` when some fold has no combination.
pub fn folds(runs: &[&BacktestRun], baseline: &BacktestRun, method: Method) -> Option<Vec<Fold>> {
    let n = baseline.folds.len();
    (0..n)
        .map(|k| {
            let skip = (n > 1).then_some(k);
            let combo = choose(runs, baseline, method, skip)
                .or_else(|| best_alone(runs, baseline, skip))?;
            let fcs: Vec<ModelForecast> = combo
                .members
                .iter()
                .map(|m| {
                    let r = runs.iter().find(|r| r.score.model == m.model)?;
                    Some(ModelForecast {
                        model: m.model.clone(),
                        future: r.folds.get(k)?.forecast.clone(),
                        warnings: Vec::new(),
                    })
                })
                .collect::<Option<_>>()?;
            let refs: Vec<&ModelForecast> = fcs.iter().collect();
            let combined = combo.apply(&refs)?;
            let base = &baseline.folds[k];
            Some(Fold {
                origin: base.origin,
                actual: base.actual.clone(),
                forecast: combined.future,
                scale: base.scale,
                fit_time: combo
                    .members
                    .iter()
                    .filter_map(|m| runs.iter().find(|r| r.score.model == m.model))
                    .map(|r| r.folds[k].fit_time)
                    .sum(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forecast::backtest::score_folds;
    use chrono::{TimeZone, Utc};
    use std::time::Duration;

    /// A run whose forecast is `actual + bias` in every fold.
    fn run(name: &str, actual: &[Vec<f64>], bias: &[f64]) -> BacktestRun {
        let t0 = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        let folds = actual
            .iter()
            .zip(bias)
            .enumerate()
            .map(|(k, (a, b))| Fold {
                origin: 100 + k * a.len(),
                actual: a.clone(),
                forecast: a
                    .iter()
                    .enumerate()
                    .map(|(i, y)| ForecastPoint {
                        ts: t0 + chrono::TimeDelta::hours((k * a.len() + i) as i64),
                        yhat: y + b,
                        yhat_lower: y + b - 1.0,
                        yhat_upper: y + b + 1.0,
                    })
                    .collect(),
                scale: Some(1.0),
                fit_time: Duration::from_millis(1),
            })
            .collect();
        score_folds(name, folds).unwrap()
    }

    #[test]
    fn members_beat_the_naive_and_weights_favour_the_better_one() {
        let actual = vec![vec![10.0; 4]; 3];
        let naive = run("naive", &actual, &[3.0, 3.0, 3.0]);
        let good = run("good", &actual, &[1.0, 1.0, 1.0]);
        let fair = run("fair", &actual, &[-2.0, -2.0, -2.0]);
        let bad = run("bad", &actual, &[5.0, 5.0, 5.0]);
        let all = [&good, &fair, &bad];
        let c = choose(&all, &naive, DEFAULT_METHOD, None).unwrap();
        let names: Vec<&str> = c.members.iter().map(|m| m.model.as_str()).collect();
        assert_eq!(names, ["good", "fair"]);
        // WAPE 0.1 and 0.2: weights 100 : 25.
        assert!((c.members[0].weight - 0.8).abs() < 1e-12, "{c:?}");
        assert!(
            c.describe().starts_with("good 0.80, fair 0.20"),
            "{}",
            c.describe()
        );
        // Combined fold forecast: 10 + 0.8·1 − 0.2·2 = 10.4, every fold, no new fits.
        let f = folds(&all, &naive, DEFAULT_METHOD).unwrap();
        assert_eq!(f.len(), 3);
        assert!((f[1].forecast[2].yhat - 10.4).abs() < 1e-12);
        // The median of two is their mean.
        let m = choose(&all, &naive, Method::Median, None).unwrap();
        assert_eq!(m.members[1].weight, 0.5);
    }

    #[test]
    fn each_fold_is_combined_from_the_other_folds_choice() {
        let actual = vec![vec![10.0; 4]; 3];
        let naive = run("naive", &actual, &[3.0, 3.0, 3.0]);
        // `lucky` is perfect in fold 0 only and worse than naive elsewhere: chosen on all folds
        // (WAPE 0.27 < 0.3) but not from folds 1–2, so fold 0 is not combined with it.
        let lucky = run("lucky", &actual, &[0.0, 4.0, 4.0]);
        let good = run("good", &actual, &[1.0, 1.0, 1.0]);
        let fair = run("fair", &actual, &[-2.0, -2.0, -2.0]);
        let all = [&lucky, &good, &fair];
        assert!(
            choose(&all, &naive, DEFAULT_METHOD, None)
                .unwrap()
                .members
                .iter()
                .any(|m| m.model == "lucky")
        );
        let f = folds(&all, &naive, DEFAULT_METHOD).unwrap();
        assert!(
            (f[0].forecast[0].yhat - 10.4).abs() < 1e-12,
            "{:?}",
            f[0].forecast[0]
        );
    }

    #[test]
    fn a_fold_whose_other_folds_have_one_member_gets_that_model_alone() {
        let actual = vec![vec![10.0; 4]; 3];
        let naive = run("naive", &actual, &[3.0, 3.0, 3.0]);
        let a = run("a", &actual, &[1.0, 1.0, 1.0]);
        // On all folds `b` beats the naive (WAPE 0.27 < 0.3), on folds 1–2 or 0–2 it ties it.
        let b = run("b", &actual, &[2.0, 2.0, 4.0]);
        let all = [&naive, &a, &b];
        assert_eq!(
            choose(&all, &naive, DEFAULT_METHOD, None)
                .unwrap()
                .members
                .len(),
            2
        );
        let f = folds(&all, &naive, DEFAULT_METHOD).unwrap();
        // Folds 0 and 1: `a` alone (10 + 1); fold 2: a 0.8, b 0.2 from folds 0–1 (WAPE 0.1
        // and 0.2), 0.8 · 11 + 0.2 · 14.
        assert_eq!(f[0].forecast[0].yhat, 11.0);
        assert_eq!(f[1].forecast[0].yhat, 11.0);
        assert!((f[2].forecast[0].yhat - 11.6).abs() < 1e-12, "{:?}", f[2]);
    }

    #[test]
    fn fewer_than_two_members_is_no_combination() {
        let actual = vec![vec![10.0; 4]; 2];
        let naive = run("naive", &actual, &[1.0, 1.0]);
        let good = run("good", &actual, &[0.5, 0.5]);
        let bad = run("bad", &actual, &[2.0, 2.0]);
        assert_eq!(choose(&[&good, &bad], &naive, DEFAULT_METHOD, None), None);
    }
}
