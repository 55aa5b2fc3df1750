//! Forecasting: models, low-volume windows, drift and backtests.

pub mod backtest;
pub mod calibrate;
pub mod clean;
pub mod combine;
pub mod degenerate;
pub mod drift;
pub mod ets;
pub mod holiday_rule;
pub mod metrics;
pub mod mstl;
pub mod naive;
pub mod optimizer;
pub mod pipeline;
pub mod prophet;
pub mod select;
pub mod staffing;
pub mod windows;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::granularity::Granularity;
use crate::history::Series;

/// One forecast bucket with its prediction interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ForecastPoint {
    pub ts: DateTime<Utc>,
    pub yhat: f64,
    pub yhat_lower: f64,
    pub yhat_upper: f64,
}

/// What a model predicts for the buckets after the end of the history.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelForecast {
    /// The model's name as `--model` spells it.
    pub model: String,
    /// Exactly `horizon` buckets, starting one bucket after the last history point.
    pub future: Vec<ForecastPoint>,
    /// Things the analyst should know (seasonality switched off, band recalibrated, …).
    pub warnings: Vec<String>,
}

/// Why a forecast could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ForecastError {
    #[error(
        "not enough history to forecast: {have} buckets of {granularity}, need at least {need} \
         ({more} more, about {more_hours:.0} h); fetch more days (--days) or use a finer granularity"
    )]
    TooShort {
        have: usize,
        need: usize,
        more: usize,
        more_hours: f64,
        granularity: Granularity,
    },
    #[error("the {model} model failed: {message}")]
    Model { model: String, message: String },
    #[error("unknown model {name:?}: use one of {valid}")]
    UnknownModel { name: String, valid: String },
}

impl ForecastError {
    /// The standard "not enough history" error for `have` of `need` buckets.
    pub fn too_short(have: usize, need: usize, g: Granularity) -> Self {
        let more = need.saturating_sub(have);
        ForecastError::TooShort {
            have,
            need,
            more,
            more_hours: more as f64 * g.minutes() as f64 / 60.0,
            granularity: g,
        }
    }
}

/// Clamps point and band at zero (for count series).
pub fn clamp_nonnegative(points: &mut [ForecastPoint]) {
    for p in points {
        p.yhat = p.yhat.max(0.0);
        p.yhat_lower = p.yhat_lower.max(0.0);
        p.yhat_upper = p.yhat_upper.max(p.yhat);
    }
}

/// Every model behind one interface, so the backtest, the dashboard and the headless command
/// treat them alike.
pub trait Forecaster: Send + Sync {
    /// The name `--model` accepts.
    fn name(&self) -> &str;
    /// Fit on `series` and predict the next `horizon` buckets.
    fn forecast(&self, series: &Series, horizon: usize) -> Result<ModelForecast, ForecastError>;
}
