//! Prophet as a queuecast [`Forecaster`], fitted in-process with the native optimizer.
//!
//! The model is fitted on local wall-clock time so a DST change does not smear the daily
//! pattern, and the prediction interval is sampled here with a seeded RNG (augurs samples with
//! `thread_rng`, which would make every run's band different).

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, OnceLock};

use augurs_prophet::optimizer::{Data, InitialParams, OptimizeOpts, OptimizedParams};
use augurs_prophet::{
    FeatureMode, Optimizer, PredictionData, Predictions, Prophet, ProphetOptions, Seasonality,
    SeasonalityOption, TrainingData,
};
use chrono::{DateTime, Datelike, Duration, Utc, Weekday};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Poisson, StandardNormal};

use crate::config::{ForecastConfig, SeasonalityMode};
use crate::forecast::optimizer::{BudgetHit, FitBudget, NativeOptimizer};
use crate::forecast::{ForecastError, ForecastPoint, Forecaster, ModelForecast};
use crate::history::Series;

/// Fewer points than this cannot support daily + weekly Fourier terms and 25 changepoints.
pub const MIN_POINTS: usize = 48;

/// The knobs of one Prophet variant.
#[derive(Debug, Clone, PartialEq)]
pub struct ProphetSettings {
    pub daily: bool,
    pub weekly: bool,
    pub mode: SeasonalityMode,
    pub interval_width: f64,
    pub changepoint_prior_scale: f64,
    pub uncertainty_samples: u32,
    pub seed: u64,
    /// Separate daily profiles for weekdays and weekends (conditional seasonalities).
    pub weekday_weekend_daily: bool,
    /// Fit on `log1p(y)` and back-transform, so counts stay positive and peaks scale.
    pub log1p: bool,
    /// Iterations and wall time one fit may spend (`forecast.fit_max_iterations`/`_seconds`).
    pub budget: FitBudget,
}

impl ProphetSettings {
    /// The seed script's model: additive daily + weekly, as configured.
    pub fn seed(cfg: &ForecastConfig) -> Self {
        Self {
            daily: cfg.daily_seasonality,
            weekly: cfg.weekly_seasonality,
            mode: cfg.seasonality_mode,
            interval_width: cfg.interval_width,
            changepoint_prior_scale: cfg.changepoint_prior_scale,
            uncertainty_samples: cfg.uncertainty_samples,
            seed: cfg.seed,
            weekday_weekend_daily: false,
            log1p: false,
            budget: FitBudget::from_config(cfg),
        }
    }

    /// Weekday and weekend daily profiles on `log1p` counts: expresses "Monday 10:00 is not
    /// Saturday 10:00" and never goes negative at night.
    pub fn tuned(cfg: &ForecastConfig) -> Self {
        Self {
            weekday_weekend_daily: true,
            log1p: true,
            ..Self::seed(cfg)
        }
    }
}

/// Prophet behind the common [`Forecaster`] interface.
#[derive(Debug, Clone)]
pub struct ProphetForecaster {
    pub name: String,
    pub settings: ProphetSettings,
}

impl ProphetForecaster {
    /// `prophet-seed`.
    pub fn seed(cfg: &ForecastConfig) -> Self {
        Self {
            name: "prophet-seed".into(),
            settings: ProphetSettings::seed(cfg),
        }
    }

    /// `prophet-tuned`.
    pub fn tuned(cfg: &ForecastConfig) -> Self {
        Self {
            name: "prophet-tuned".into(),
            settings: ProphetSettings::tuned(cfg),
        }
    }
}

impl Forecaster for ProphetForecaster {
    fn name(&self) -> &str {
        &self.name
    }

    fn forecast(&self, series: &Series, horizon: usize) -> Result<ModelForecast, ForecastError> {
        let raw = fit_predict_raw(series, horizon, &self.settings).map_err(|e| match e {
            ForecastError::Model { message, .. } => ForecastError::Model {
                model: self.name.clone(),
                message,
            },
            other => other,
        })?;
        let mut future = raw.future;
        // Counts are never negative; a band below zero says nothing an analyst can use.
        if series.points.iter().all(|p| p.y >= 0.0) {
            for p in &mut future {
                p.yhat = p.yhat.max(0.0);
                p.yhat_lower = p.yhat_lower.max(0.0);
                p.yhat_upper = p.yhat_upper.max(0.0);
            }
        }
        Ok(ModelForecast {
            model: self.name.clone(),
            future,
            warnings: raw.warnings,
        })
    }
}

/// Prophet's forecast before any clamping, for comparison with Python Prophet.
#[derive(Debug, Clone, PartialEq)]
pub struct RawProphet {
    pub future: Vec<ForecastPoint>,
    pub warnings: Vec<String>,
}

/// The changepoints' scaled times and the fitted parameters.
type Captured = (Vec<f64>, OptimizedParams);

/// Records what the optimizer saw and returned, so the band can be sampled with our own RNG,
/// and whether the fit ran out of its budget.
#[derive(Debug, Clone, Default)]
struct Capture {
    budget: FitBudget,
    /// The changepoints' scaled times (all the band needs of the optimizer's `Data`: a clone
    /// of the whole `Data` was a `T × K` copy, 6 MB at a year of 15-minute buckets) and the
    /// parameters.
    out: Arc<Mutex<Option<Captured>>>,
    hit: Arc<Mutex<Option<BudgetHit>>>,
}

impl Optimizer for Capture {
    fn optimize(
        &self,
        init: &InitialParams,
        data: &Data,
        opts: &OptimizeOpts,
    ) -> Result<OptimizedParams, augurs_prophet::optimizer::Error> {
        let params = match Engine::from_env().map_err(augurs_prophet::optimizer::Error::string)? {
            Engine::Native => {
                let (params, hit) = NativeOptimizer
                    .optimize_within(init, data, opts, &self.budget)
                    .map_err(|e| augurs_prophet::optimizer::Error::string(e.to_string()))?;
                if let Ok(mut slot) = self.hit.lock() {
                    *slot = hit;
                }
                params
            }
            #[cfg(feature = "wasmstan")]
            Engine::Wasmstan => {
                // Compiling the wasm module costs about a CPU-second: once per process.
                static STAN: std::sync::OnceLock<augurs_prophet::wasmstan::WasmstanOptimizer> =
                    std::sync::OnceLock::new();
                STAN.get_or_init(augurs_prophet::wasmstan::WasmstanOptimizer::new)
                    .optimize(init, data, opts)?
            }
        };
        if let Ok(mut slot) = self.out.lock() {
            *slot = Some((data.t_change.clone(), params.clone()));
        }
        Ok(params)
    }
}

/// The environment variable that picks the Prophet optimizer.
pub const ENGINE_ENV: &str = "QUEUECAST_PROPHET_ENGINE";

/// Which optimizer fits Prophet. The native one always; Stan's own model compiled to wasm
/// (augurs' `wasmstan`) only in a build with `--features wasmstan`, for cross-checks and
/// before/after benchmarks of the same binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Native,
    #[cfg(feature = "wasmstan")]
    Wasmstan,
}

impl Engine {
    /// The engine `QUEUECAST_PROPHET_ENGINE` names (unset or empty: native), read once per
    /// process: every fit asks, and the answer must not change between a run's fits.
    pub fn from_env() -> Result<Self, String> {
        static ENGINE: OnceLock<Result<Engine, String>> = OnceLock::new();
        ENGINE
            .get_or_init(|| Self::parse(&std::env::var(ENGINE_ENV).unwrap_or_default()))
            .clone()
    }

    /// An engine by name; an unknown or unavailable one is an error that says what this build
    /// offers.
    pub fn parse(value: &str) -> Result<Self, String> {
        match value.trim() {
            "" | "native" => Ok(Self::Native),
            #[cfg(feature = "wasmstan")]
            "wasmstan" => Ok(Self::Wasmstan),
            other => Err(format!(
                "{ENGINE_ENV}={other:?} is not a Prophet engine this build has; use \"native\"{}",
                if cfg!(feature = "wasmstan") {
                    " or \"wasmstan\""
                } else {
                    " (\"wasmstan\" needs a build with `--features wasmstan`)"
                }
            )),
        }
    }
}

fn model_err(message: impl ToString) -> ForecastError {
    ForecastError::Model {
        model: "prophet".into(),
        message: message.to_string(),
    }
}

/// Local wall-clock time of a UTC instant, as Prophet's naive `ds` seconds.
fn local_naive_secs(series: &Series, ts: DateTime<Utc>) -> i64 {
    ts.with_timezone(&series.tz)
        .naive_local()
        .and_utc()
        .timestamp()
}

fn is_weekend(series: &Series, ts: DateTime<Utc>) -> bool {
    matches!(
        ts.with_timezone(&series.tz).weekday(),
        Weekday::Sat | Weekday::Sun
    )
}

const WEEKDAY: &str = "is_weekday";
const WEEKEND: &str = "is_weekend";

fn conditions(series: &Series, ts: &[DateTime<Utc>]) -> HashMap<String, Vec<bool>> {
    let weekend: Vec<bool> = ts.iter().map(|&t| is_weekend(series, t)).collect();
    HashMap::from([
        (WEEKDAY.to_string(), weekend.iter().map(|w| !w).collect()),
        (WEEKEND.to_string(), weekend),
    ])
}

/// Fits Prophet on `series` and predicts the next `horizon` buckets, unclamped.
pub fn fit_predict_raw(
    series: &Series,
    horizon: usize,
    s: &ProphetSettings,
) -> Result<RawProphet, ForecastError> {
    check_history(series, s)?;
    let mut warnings = Vec::new();
    let h = Prepared::new(series, s, &mut warnings);
    let capture = Capture {
        budget: s.budget,
        ..Capture::default()
    };
    let model = fit(series, &h, s, capture.clone())?;
    if let Some(hit) = capture.hit.lock().ok().and_then(|g| *g) {
        warnings.push(budget_note(hit));
    }

    let step = series.granularity.duration();
    let last = *h.ts.last().expect("n >= MIN_POINTS");
    let future_ts: Vec<DateTime<Utc>> = (1..=horizon as i32).map(|i| last + step * i).collect();
    let future_ds: Vec<i64> = future_ts
        .iter()
        .map(|&t| local_naive_secs(series, t))
        .collect();
    let mut pred_data = PredictionData::new(future_ds.clone());
    if h.split_daily {
        pred_data = pred_data
            .with_seasonality_conditions(conditions(series, &future_ts))
            .map_err(model_err)?;
    }
    let pred = model.predict(pred_data).map_err(model_err)?;
    // The fitted model holds augurs' whole `T × K` feature matrix: gone before the band's draws.
    drop(model);
    let (t_change, params) = capture
        .out
        .lock()
        .ok()
        .and_then(|mut g| g.take())
        .ok_or_else(|| model_err("the optimizer did not report its result"))?;

    let (yhat, mult) = ordered_yhat(&pred, s.mode);
    let band = sample_band(
        &h.scaled_time(&future_ds),
        &yhat,
        &mult,
        &t_change,
        &params,
        h.y_scale(),
        s,
    );
    let back = |v: f64| if s.log1p { v.exp_m1() } else { v };
    let future = future_ts
        .iter()
        .zip(&yhat)
        .zip(band)
        .map(|((&ts, &yhat), (lo, hi))| ForecastPoint {
            ts,
            yhat: back(yhat),
            yhat_lower: back(lo),
            yhat_upper: back(hi),
        })
        .collect();
    Ok(RawProphet { future, warnings })
}

/// The note a fit stopped by its budget leaves in the summary and the model panel.
pub fn budget_note(hit: BudgetHit) -> String {
    format!(
        "the Prophet fit stopped at {hit} before converging; this forecast uses the best fit \
         found so far (raise forecast.fit_max_iterations or forecast.fit_max_seconds)"
    )
}

/// Refuses a history Prophet cannot be fitted on: too short, not numbers, or negative under
/// `log1p`.
fn check_history(series: &Series, s: &ProphetSettings) -> Result<(), ForecastError> {
    let n = series.points.len();
    if n < MIN_POINTS {
        return Err(ForecastError::too_short(n, MIN_POINTS, series.granularity));
    }
    if let Some((i, p)) = series
        .points
        .iter()
        .enumerate()
        .find(|(_, p)| !p.y.is_finite())
    {
        return Err(model_err(format!(
            "history value {} at {} (bucket {i}) is not a number",
            p.y, p.ts
        )));
    }
    if s.log1p
        && let Some(p) = series.points.iter().find(|p| p.y < 0.0)
    {
        return Err(model_err(format!(
            "the log1p transform needs non-negative history, but {} at {} is negative",
            p.y, p.ts
        )));
    }
    Ok(())
}

/// The history as Prophet is fitted on it, and the seasonalities it can support.
struct Prepared {
    ts: Vec<DateTime<Utc>>,
    /// Local wall-clock seconds.
    ds: Vec<i64>,
    /// `log1p`-transformed when the settings ask for it.
    y: Vec<f64>,
    daily: bool,
    weekly: bool,
    /// Separate weekday and weekend daily profiles instead of one daily seasonality.
    split_daily: bool,
}

impl Prepared {
    /// Switches off (with a warning) a seasonality the history is too short to show.
    fn new(series: &Series, s: &ProphetSettings, warnings: &mut Vec<String>) -> Self {
        let span = series.granularity.duration() * series.points.len() as i32;
        let mut daily = s.daily;
        let mut weekly = s.weekly;
        if weekly && span < Duration::days(14) {
            weekly = false;
            warnings.push(format!(
                "weekly seasonality switched off: only {:.1} days of history (needs 14)",
                span.num_minutes() as f64 / 1440.0
            ));
        }
        if daily && span < Duration::days(2) {
            daily = false;
            warnings.push(format!(
                "daily seasonality switched off: only {:.1} hours of history (needs 48)",
                span.num_minutes() as f64 / 60.0
            ));
        }
        let ts: Vec<DateTime<Utc>> = series.points.iter().map(|p| p.ts).collect();
        Self {
            ds: ts.iter().map(|&t| local_naive_secs(series, t)).collect(),
            y: series
                .points
                .iter()
                .map(|p| if s.log1p { p.y.ln_1p() } else { p.y })
                .collect(),
            ts,
            daily,
            weekly,
            split_daily: daily && s.weekday_weekend_daily,
        }
    }

    /// Prophet's y scaling: the absolute maximum (1 for an all-zero history).
    fn y_scale(&self) -> f64 {
        let m = self.y.iter().fold(0.0f64, |a, v| a.max(v.abs()));
        if m == 0.0 { 1.0 } else { m }
    }

    /// Prophet's t scaling of `ds`: 0 at the first point, 1 at the last.
    fn scaled_time(&self, ds: &[i64]) -> Vec<f64> {
        let (ds0, ds1) = (self.ds[0], *self.ds.last().expect("non-empty"));
        let t_scale = (ds1 - ds0) as f64;
        ds.iter().map(|&d| (d - ds0) as f64 / t_scale).collect()
    }
}

/// Builds and fits the model; `capture` records what the optimizer saw and returned.
fn fit(
    series: &Series,
    h: &Prepared,
    s: &ProphetSettings,
    capture: Capture,
) -> Result<Prophet<Capture>, ForecastError> {
    let opts = ProphetOptions {
        daily_seasonality: SeasonalityOption::Manual(h.daily && !h.split_daily),
        weekly_seasonality: SeasonalityOption::Manual(h.weekly),
        yearly_seasonality: SeasonalityOption::Manual(false),
        seasonality_mode: match s.mode {
            SeasonalityMode::Additive => FeatureMode::Additive,
            SeasonalityMode::Multiplicative => FeatureMode::Multiplicative,
        },
        interval_width: s.interval_width.try_into().map_err(model_err)?,
        changepoint_prior_scale: s.changepoint_prior_scale.try_into().map_err(model_err)?,
        // The band is sampled afterwards with a seeded RNG.
        uncertainty_samples: 0,
        ..ProphetOptions::default()
    };
    let mut model = Prophet::new(opts, capture);
    let mut train = TrainingData::new(h.ds.clone(), h.y.clone()).map_err(model_err)?;
    if h.split_daily {
        let order = NonZeroU32::new(4).expect("4 > 0");
        let period = 1.0.try_into().expect("1 > 0");
        for name in [WEEKDAY, WEEKEND] {
            model
                .add_seasonality(
                    format!("daily_{name}"),
                    Seasonality::new(period, order).with_condition(name.to_string()),
                )
                .map_err(model_err)?;
        }
        train = train
            .with_seasonality_conditions(conditions(series, &h.ts))
            .map_err(model_err)?;
    }
    model
        .fit(train, OptimizeOpts::default())
        .map_err(model_err)?;
    Ok(model)
}

/// Prophet's `yhat` and multiplicative share, with the seasonal components summed in name order.
///
/// augurs sums the components in its `HashMap`'s order, which differs from process to process,
/// so its `yhat` moved in the last bit between runs of the same fit; summing the per-component
/// predictions (each summed over its own columns in a fixed order) in name order makes
/// `prophet-seed` and `prophet-tuned` bitwise repeatable. Every seasonality has the model's
/// mode (we add no holidays or regressors to augurs' model).
fn ordered_yhat(pred: &Predictions, mode: SeasonalityMode) -> (Vec<f64>, Vec<f64>) {
    let n = pred.trend.point.len();
    let mut names: Vec<&String> = pred.seasonalities.keys().collect();
    names.sort();
    let mut sum = vec![0.0; n];
    for name in names {
        for (acc, v) in sum.iter_mut().zip(&pred.seasonalities[name].point) {
            *acc += v;
        }
    }
    let (add, mult) = match mode {
        SeasonalityMode::Additive => (sum, vec![0.0; n]),
        SeasonalityMode::Multiplicative => (vec![0.0; n], sum),
    };
    let yhat: Vec<f64> = pred
        .trend
        .point
        .iter()
        .zip(add.iter().zip(&mult))
        .map(|(t, (a, m))| t * (1.0 + m) + a)
        .collect();
    debug_assert!(
        pred.holidays.is_empty() && pred.regressors.is_empty(),
        "components outside the seasonalities"
    );
    debug_assert!(
        yhat.iter()
            .zip(&pred.yhat.point)
            .all(|(a, b)| (a - b).abs() <= 1e-9 * b.abs().max(1.0)),
        "the ordered sum differs from augurs' yhat"
    );
    (yhat, mult)
}

/// Prophet's predictive interval (new changepoints from a Poisson process with Laplace
/// deltas, plus Gaussian observation noise), drawn with a seeded RNG.
fn sample_band(
    t: &[f64],
    yhat: &[f64],
    mult: &[f64],
    t_change: &[f64],
    params: &OptimizedParams,
    y_scale: f64,
    s: &ProphetSettings,
) -> Vec<(f64, f64)> {
    let n = t.len();
    let samples = s.uncertainty_samples.max(1) as usize;
    let mut rng = StdRng::seed_from_u64(s.seed);
    let t_max = t.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let lambda =
        params.delta.iter().map(|d| d.abs()).sum::<f64>() / params.delta.len().max(1) as f64 + 1e-8;
    let sigma = *params.sigma_obs * y_scale;
    let lo = Rank::new((1.0 - s.interval_width) / 2.0, samples);
    let hi = Rank::new((1.0 + s.interval_width) / 2.0, samples);
    // Per point only the draws the two percentiles read, not all `n × samples` of them.
    let mut low = Extremes::new(n, lo.floor + 2, samples, std::cmp::Ordering::Less);
    let mut high = Extremes::new(n, samples - hi.floor, samples, std::cmp::Ordering::Greater);
    let mut cps: Vec<(f64, f64)> = Vec::new();
    for _ in 0..samples {
        cps.clear();
        if t_max > 1.0 {
            let rate = t_change.len() as f64 * (t_max - 1.0);
            let k = Poisson::new(rate).map_or(0.0, |p| rng.sample(p)) as usize;
            for _ in 0..k {
                let c = 1.0 + rng.random::<f64>() * (t_max - 1.0);
                cps.push((c, laplace(&mut rng, lambda)));
            }
        }
        for i in 0..n {
            let extra: f64 = cps
                .iter()
                .filter(|(c, _)| t[i] >= *c)
                .map(|(c, d)| d * (t[i] - c))
                .sum::<f64>()
                * y_scale;
            let m = mult.get(i).copied().unwrap_or(0.0);
            let v = yhat[i] + extra * (1.0 + m) + sigma * rng.sample::<f64, _>(StandardNormal);
            low.offer(i, v);
            high.offer(i, v);
        }
    }
    (0..n)
        .map(|i| {
            let (small, large) = (low.kept(i), high.kept(i));
            // `large` holds the sorted draws from `hi.floor` on, smallest first.
            (
                lo.interpolate(small[lo.floor], small.get(lo.floor + 1)),
                hi.interpolate(large[0], large.get(1)),
            )
        })
        .collect()
}

/// numpy's default (linear) percentile `p` of `samples` draws: the position in the sorted
/// draws it interpolates at.
#[derive(Debug, Clone, Copy)]
struct Rank {
    rank: f64,
    floor: usize,
}

impl Rank {
    fn new(p: f64, samples: usize) -> Self {
        let rank = p * (samples - 1) as f64;
        Self {
            rank,
            floor: rank.floor() as usize,
        }
    }

    /// Between the sorted draws at `floor` (`a`) and after it (`b`, absent for the last).
    fn interpolate(&self, a: f64, b: Option<&f64>) -> f64 {
        match b {
            // As numpy, and as the full sort this replaces, an infinite neighbour is not used.
            Some(&b) if b.is_finite() => a + (b - a) * (self.rank - self.floor as f64),
            _ => a,
        }
    }
}

/// The `keep` smallest (`Less`) or largest (`Greater`) draws of each point, sorted ascending
/// by `total_cmp`: what a percentile reads of the sorted draws, in `keep` slots a point
/// instead of one per sample (at a year of 15-minute buckets 0.3 MB instead of 5.4 MB).
struct Extremes {
    keep: usize,
    want: std::cmp::Ordering,
    vals: Vec<f64>,
    lens: Vec<usize>,
}

impl Extremes {
    fn new(n: usize, keep: usize, samples: usize, want: std::cmp::Ordering) -> Self {
        let keep = keep.clamp(1, samples);
        Self {
            keep,
            want,
            vals: vec![0.0; n * keep],
            lens: vec![0; n],
        }
    }

    fn offer(&mut self, i: usize, v: f64) {
        let len = self.lens[i];
        let slot = &mut self.vals[i * self.keep..][..self.keep];
        if len < self.keep {
            let at = slot[..len].partition_point(|x| x.total_cmp(&v).is_le());
            slot[at..=len].rotate_right(1);
            slot[at] = v;
            self.lens[i] = len + 1;
            return;
        }
        // Full: the least extreme kept draw makes room when `v` is more extreme.
        let less = self.want == std::cmp::Ordering::Less;
        let edge = if less { slot[len - 1] } else { slot[0] };
        if v.total_cmp(&edge) != self.want {
            return;
        }
        let at = slot.partition_point(|x| x.total_cmp(&v).is_le());
        if less {
            slot[at..].rotate_right(1);
            slot[at] = v;
        } else {
            slot[..at].rotate_left(1);
            slot[at - 1] = v;
        }
    }

    fn kept(&self, i: usize) -> &[f64] {
        &self.vals[i * self.keep..][..self.lens[i]]
    }
}

fn laplace(rng: &mut StdRng, scale: f64) -> f64 {
    let u: f64 = rng.random::<f64>() - 0.5;
    -scale * u.signum() * (1.0 - 2.0 * u.abs()).max(f64::MIN_POSITIVE).ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_names_parse_and_an_unknown_one_says_what_the_build_has() {
        assert_eq!(Engine::parse(""), Ok(Engine::Native));
        assert_eq!(Engine::parse(" native "), Ok(Engine::Native));
        let err = Engine::parse("stan").unwrap_err();
        assert!(
            err.starts_with("QUEUECAST_PROPHET_ENGINE=\"stan\" is not a Prophet engine")
                && err.contains("\"native\""),
            "{err}"
        );
        // Read once: the process's answer does not change between calls.
        assert_eq!(Engine::from_env(), Engine::from_env());
    }

    /// numpy's linear percentile by a full sort: the reference the kept extremes must equal.
    fn sorted_percentile(draws: &[f64], p: f64) -> f64 {
        let mut v = draws.to_vec();
        v.sort_by(f64::total_cmp);
        let rank = p * (v.len() - 1) as f64;
        let lo = rank.floor() as usize;
        match v.get(lo + 1) {
            Some(b) => v[lo] + (b - v[lo]) * (rank - lo as f64),
            None => v[lo],
        }
    }

    /// The band keeps per point only the draws its two percentiles read; on draws with ties,
    /// for sample counts down to one and widths from narrow to full, its bounds are bitwise
    /// those of sorting every draw.
    #[test]
    fn kept_extremes_give_the_percentiles_of_all_draws() {
        let mut rng = StdRng::seed_from_u64(5);
        for samples in [1, 2, 3, 7, 40, 1000] {
            for width in [0.0, 0.5, 0.8, 0.95, 1.0] {
                let (lo, hi) = (
                    Rank::new((1.0 - width) / 2.0, samples),
                    Rank::new((1.0 + width) / 2.0, samples),
                );
                let n = 3;
                let mut low = Extremes::new(n, lo.floor + 2, samples, std::cmp::Ordering::Less);
                let mut high =
                    Extremes::new(n, samples - hi.floor, samples, std::cmp::Ordering::Greater);
                let mut all = vec![Vec::new(); n];
                for _ in 0..samples {
                    for (i, draws) in all.iter_mut().enumerate() {
                        // Rounded to tenths so equal draws occur.
                        let v = (rng.sample::<f64, _>(StandardNormal) * 10.0).round() / 10.0;
                        low.offer(i, v);
                        high.offer(i, v);
                        draws.push(v);
                    }
                }
                for (i, draws) in all.iter().enumerate() {
                    let (small, large) = (low.kept(i), high.kept(i));
                    let got = (
                        lo.interpolate(small[lo.floor], small.get(lo.floor + 1)),
                        hi.interpolate(large[0], large.get(1)),
                    );
                    let want = (
                        sorted_percentile(draws, (1.0 - width) / 2.0),
                        sorted_percentile(draws, (1.0 + width) / 2.0),
                    );
                    assert_eq!(
                        (got.0.to_bits(), got.1.to_bits()),
                        (want.0.to_bits(), want.1.to_bits()),
                        "{samples} samples, width {width}, point {i}: {got:?} vs {want:?}"
                    );
                    assert!(small.len() <= lo.floor + 2 && large.len() <= samples - hi.floor);
                }
            }
        }
    }

    #[test]
    fn scaling_follows_prophet() {
        let series = crate::history::test_support::hourly(&[0.0, 3.0, -6.0, 2.0]);
        let mut warnings = Vec::new();
        let h = Prepared::new(
            &series,
            &ProphetSettings::seed(&ForecastConfig::default()),
            &mut warnings,
        );
        assert_eq!(h.y_scale(), 6.0);
        assert_eq!(
            h.scaled_time(&[h.ds[0], h.ds[3], h.ds[3] + 3600]),
            vec![0.0, 1.0, 4.0 / 3.0]
        );
        assert!(!h.daily && !h.weekly && !h.split_daily);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
    }
}
