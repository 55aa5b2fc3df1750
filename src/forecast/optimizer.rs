//! Native MAP optimizer for Prophet's Stan model.
//!
//! augurs-prophet leaves the optimizer to the caller; its own wasm build of the Stan model costs
//! about a CPU-second of module compilation per process and a 7-minute wasmtime build. The model
//! is small (a piecewise trend plus a linear regression on Fourier features), so we evaluate its
//! log posterior and analytic gradient directly and minimise by L-BFGS with Stan's stopping
//! rules, so results match `prophet` from PyPI. The L-BFGS loop is our own rather than argmin's:
//! argmin's line searches abort on a non-finite trial value, and Prophet's first long steps
//! routinely overflow `sigma_obs = exp(u)` (measured: every real series failed at iteration 2).
//!
//! For an additive model with a linear or flat trend (the seed and tuned settings) the objective
//! is evaluated from sufficient statistics built once per fit (`suffstats`); other models stream
//! over every point on each evaluation.

use augurs_prophet::optimizer::{Data, InitialParams, OptimizeOpts, OptimizedParams};
use augurs_prophet::{Optimizer, TrendIndicator};

use crate::config::ForecastConfig;

#[cfg(test)]
mod budget_tests;
mod columns;
mod suffstats;

pub use columns::{canonical_columns, column_key, permute_columns};

/// Stan's defaults (`cmdstan optimize`), used when `OptimizeOpts` leaves a field unset.
const STAN_TOL_OBJ: f64 = 1e-12;
const STAN_TOL_REL_OBJ: f64 = 1e4;
const STAN_TOL_GRAD: f64 = 1e-8;
const STAN_TOL_REL_GRAD: f64 = 1e7;
const STAN_TOL_PARAM: f64 = 1e-8;
const STAN_HISTORY: u32 = 5;
/// Python Prophet passes `iter=1e4` to Stan.
const DEFAULT_ITER: u32 = 10_000;
/// A restart after convergence must improve the objective by less than this (relative).
const CONFIRM_REL: f64 = 1e-9;
/// Stan's first step length.
const STAN_INIT_ALPHA: f64 = 1e-3;

/// The native Prophet optimizer: plug into `augurs_prophet::Prophet::new(opts, NativeOptimizer)`.
/// Through the `Optimizer` trait a fit that runs out of its budget is an error (Stan's
/// behaviour); [`NativeOptimizer::optimize_within`] returns the best point instead and says so.
#[derive(Debug, Clone, Copy, Default)]
pub struct NativeOptimizer;

/// What one fit may spend: an iteration cap and a wall-clock budget. A pathological series
/// (issue 17: constant, 1e300, year typos) must not keep a fit, or the dashboard, busy for
/// minutes; the defaults are far above what a real series needs, so they never change a result.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FitBudget {
    pub max_iterations: u32,
    pub max_time: std::time::Duration,
}

impl FitBudget {
    /// The budget `[forecast]` sets.
    pub fn from_config(cfg: &ForecastConfig) -> Self {
        Self {
            max_iterations: cfg.fit_max_iterations,
            max_time: std::time::Duration::from_secs(u64::from(cfg.fit_max_seconds)),
        }
    }
}

impl Default for FitBudget {
    fn default() -> Self {
        Self::from_config(&ForecastConfig::default())
    }
}

/// Which limit of a [`FitBudget`] stopped a fit before Stan's tests said it had converged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BudgetHit {
    Iterations(u64),
    Time { seconds: f64, iterations: u64 },
}

impl std::fmt::Display for BudgetHit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BudgetHit::Iterations(n) => write!(f, "its cap of {n} iterations"),
            BudgetHit::Time {
                seconds,
                iterations,
            } => write!(
                f,
                "its time budget of {seconds:.0} s (after {iterations} iterations)"
            ),
        }
    }
}

/// Parameter layout in the unconstrained vector: `[k, m, log sigma_obs, delta.., beta..]`.
const IK: usize = 0;
const IM: usize = 1;
const IU: usize = 2;
const IDELTA: usize = 3;

/// Prophet's Stan model with the data pre-digested for fast repeated evaluation.
#[derive(Debug, Clone)]
pub struct Model {
    t: Vec<f64>,
    y: Vec<f64>,
    cap: Vec<f64>,
    /// Column-major `K x T` (each feature's column contiguous, so the products vectorise);
    /// empty when the objective comes from sufficient statistics.
    xt: Vec<f64>,
    k_feat: usize,
    sa: Vec<f64>,
    sm: Vec<f64>,
    has_mult: bool,
    inv_sigma2: Vec<f64>,
    tau: f64,
    t_change: Vec<f64>,
    /// Number of changepoints at or before each point (Stan's changepoint matrix row sum).
    seg: Vec<usize>,
    trend: TrendIndicator,
    jacobian: bool,
    /// The data term as a quadratic in the parameters, when the mean is linear in them.
    quad: Option<suffstats::Quadratic>,
}

/// Why the native optimizer gave up.
#[derive(Debug, thiserror::Error)]
pub enum NativeOptimizerError {
    #[error("invalid Prophet model data: {0}")]
    Data(String),
    #[error(
        "the fit did not converge within {iter} iterations (objective {cost:.6}, gradient norm {grad:.3e}); \
         the series may be degenerate (constant or with extreme outliers)"
    )]
    NotConverged { iter: u64, cost: f64, grad: f64 },
    #[error("the fit stopped without converging: {0}")]
    Failed(String),
}

impl Model {
    /// Checks the shapes augurs hands over and precomputes what evaluations need: the
    /// changepoint segments, and for an additive model with a linear or flat trend the
    /// sufficient statistics (`suffstats`).
    pub fn new(data: &Data, jacobian: bool) -> Result<Self, NativeOptimizerError> {
        let identity: Vec<usize> = (0..data.s_a.len()).collect();
        Self::with_columns(data, jacobian, &identity)
    }

    /// [`Model::new`] with the feature columns in the order `cols` (indices into `data`'s), as
    /// if built from `permute_columns(data, cols)` but without copying the data.
    pub fn with_columns(
        data: &Data,
        jacobian: bool,
        cols: &[usize],
    ) -> Result<Self, NativeOptimizerError> {
        let mut model = Self::streaming_with_columns(data, jacobian, cols)?;
        // Built straight from augurs' row-major `X`: the transposed copy (8.6 MB at a year of
        // 15-minute buckets) is only made for the models that stream.
        model.quad = model.build_quadratic(&suffstats::Rows::new(&data.X, k_of(data), cols));
        if model.quad.is_none() {
            model.xt = transposed(data, cols);
        }
        Ok(model)
    }

    /// A model that always evaluates by a pass over every point: the reference the
    /// sufficient-statistics path is tested against, and what `log_posterior` judges with.
    pub fn new_streaming(data: &Data, jacobian: bool) -> Result<Self, NativeOptimizerError> {
        let identity: Vec<usize> = (0..data.s_a.len()).collect();
        let mut model = Self::streaming_with_columns(data, jacobian, &identity)?;
        model.xt = transposed(data, &identity);
        Ok(model)
    }

    /// Checks the data and builds everything but the feature matrix (`xt` is left empty).
    fn streaming_with_columns(
        data: &Data,
        jacobian: bool,
        cols: &[usize],
    ) -> Result<Self, NativeOptimizerError> {
        let n = usize::try_from(data.T).map_err(|_| NativeOptimizerError::Data("T < 0".into()))?;
        let k_feat =
            usize::try_from(data.K).map_err(|_| NativeOptimizerError::Data("K < 0".into()))?;
        let s = usize::try_from(data.S).map_err(|_| NativeOptimizerError::Data("S < 0".into()))?;
        let bad = |what: &str, got: usize, want: usize| {
            NativeOptimizerError::Data(format!("{what} has length {got}, expected {want}"))
        };
        if data.y.len() != n {
            return Err(bad("y", data.y.len(), n));
        }
        if data.t.len() != n {
            return Err(bad("t", data.t.len(), n));
        }
        if data.X.len() != n * k_feat {
            return Err(bad("X", data.X.len(), n * k_feat));
        }
        if data.t_change.len() != s {
            return Err(bad("t_change", data.t_change.len(), s));
        }
        if data.s_a.len() != k_feat || data.s_m.len() != k_feat || data.sigmas.len() != k_feat {
            return Err(NativeOptimizerError::Data(format!(
                "s_a/s_m/sigmas must have length K = {k_feat}"
            )));
        }
        if data.trend_indicator == TrendIndicator::Logistic && data.cap.len() != n {
            return Err(bad("cap", data.cap.len(), n));
        }
        if data
            .y
            .iter()
            .chain(&data.t)
            .chain(&data.X)
            .any(|v| !v.is_finite())
        {
            return Err(NativeOptimizerError::Data(
                "y, t and X must be finite".into(),
            ));
        }
        // Same walk as Stan's get_changepoint_matrix (assumes sorted t and t_change).
        let mut seg = Vec::with_capacity(n);
        let mut cp = 0;
        for &ti in &data.t {
            while cp < s && ti >= data.t_change[cp] {
                cp += 1;
            }
            seg.push(cp);
        }
        let mut seen = vec![false; k_feat];
        if cols.len() != k_feat
            || cols
                .iter()
                .any(|&c| c >= k_feat || std::mem::replace(&mut seen[c], true))
        {
            return Err(NativeOptimizerError::Data(format!(
                "column order {cols:?} is not a permutation of the K = {k_feat} features"
            )));
        }
        let sm: Vec<f64> = cols.iter().map(|&c| f64::from(data.s_m[c])).collect();
        Ok(Self {
            t: data.t.clone(),
            y: data.y.clone(),
            cap: data.cap.clone(),
            xt: Vec::new(),
            k_feat,
            sa: cols.iter().map(|&c| f64::from(data.s_a[c])).collect(),
            has_mult: sm.iter().any(|&v| v != 0.0),
            sm,
            inv_sigma2: cols
                .iter()
                .map(|&c| 1.0 / (*data.sigmas[c] * *data.sigmas[c]))
                .collect(),
            tau: *data.tau,
            t_change: data.t_change.clone(),
            seg,
            trend: data.trend_indicator,
            jacobian,
            quad: None,
        })
    }

    /// Length of the unconstrained parameter vector.
    pub fn dim(&self) -> usize {
        IDELTA + self.t_change.len() + self.k_feat
    }

    /// Packs parameters into the unconstrained vector (sigma_obs on the log scale, as Stan does).
    pub fn pack(&self, k: f64, m: f64, sigma_obs: f64, delta: &[f64], beta: &[f64]) -> Vec<f64> {
        let mut x = Vec::with_capacity(self.dim());
        x.extend([k, m, sigma_obs.ln()]);
        x.extend_from_slice(delta);
        x.extend_from_slice(beta);
        x
    }

    fn beta_offset(&self) -> usize {
        IDELTA + self.t_change.len()
    }

    /// The trend at every history point, in the model's scaled units.
    pub fn trend(&self, x: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; self.t.len()];
        self.trend_into(x, &mut out, None);
        out
    }

    /// Forward trend; with `logistic_state` also returns what the logistic backward pass needs.
    fn trend_into(&self, x: &[f64], out: &mut [f64], logistic_state: Option<&mut LogisticState>) {
        let (k, m) = (x[IK], x[IM]);
        let delta = &x[IDELTA..self.beta_offset()];
        match self.trend {
            TrendIndicator::Linear => {
                let s = self.t_change.len();
                // Rate and offset after j changepoints.
                let mut rate = Vec::with_capacity(s + 1);
                let mut off = Vec::with_capacity(s + 1);
                let (mut r, mut o) = (k, m);
                rate.push(r);
                off.push(o);
                for (d, c) in delta.iter().zip(&self.t_change) {
                    r += d;
                    o -= c * d;
                    rate.push(r);
                    off.push(o);
                }
                for ((o_i, &t), &sg) in out.iter_mut().zip(&self.t).zip(&self.seg) {
                    *o_i = rate[sg] * t + off[sg];
                }
            }
            TrendIndicator::Flat => out.fill(m),
            TrendIndicator::Logistic => {
                let st = logistic_forward(k, m, delta, &self.t_change);
                for (i, o_i) in out.iter_mut().enumerate() {
                    let sg = self.seg[i];
                    let z = st.ks[sg] * (self.t[i] - st.mpr[sg]);
                    *o_i = self.cap[i] * sigmoid(z);
                }
                if let Some(dst) = logistic_state {
                    *dst = st;
                }
            }
        }
    }

    /// Negative log posterior (Stan's `lp__` up to a constant, negated) and its gradient.
    pub fn value_grad(&self, x: &[f64], grad: &mut [f64]) -> f64 {
        match &self.quad {
            Some(q) => self.value_grad_quadratic(q, x, grad),
            None => self.value_grad_streaming(x, grad),
        }
    }

    /// The priors, the noise scale and the likelihood given the residual sum of squares `ss`;
    /// writes their gradient, to which the caller adds the data term's `dF/dθ`.
    fn prior_value_grad(&self, x: &[f64], ss: f64, grad: &mut [f64]) -> f64 {
        let n = self.t.len();
        let bo = self.beta_offset();
        let (k, m, u) = (x[IK], x[IM], x[IU]);
        let delta = &x[IDELTA..bo];
        let beta = &x[bo..];
        let sigma2 = (2.0 * u).exp();
        let mut f = (k * k + m * m) / 50.0
            + delta.iter().map(|d| d.abs()).sum::<f64>() / self.tau
            + 2.0 * sigma2
            + 0.5
                * beta
                    .iter()
                    .zip(&self.inv_sigma2)
                    .map(|(b, w)| b * b * w)
                    .sum::<f64>()
            + n as f64 * u
            + ss / (2.0 * sigma2);
        if self.jacobian {
            f -= u;
        }
        grad.fill(0.0);
        grad[IU] = n as f64 - ss / sigma2 + 4.0 * sigma2 - if self.jacobian { 1.0 } else { 0.0 };
        for (j, d) in delta.iter().enumerate() {
            grad[IDELTA + j] = sign(*d) / self.tau;
        }
        for (j, (b, w)) in beta.iter().zip(&self.inv_sigma2).enumerate() {
            grad[bo + j] = b * w;
        }
        grad[IK] = k / 25.0;
        grad[IM] = m / 25.0;
        f
    }

    /// `value_grad` by a pass over every point; works for every trend and feature mode.
    // Several parallel per-point arrays are indexed together; iterators would obscure the maths.
    #[allow(clippy::needless_range_loop)]
    pub fn value_grad_streaming(&self, x: &[f64], grad: &mut [f64]) -> f64 {
        let n = self.t.len();
        let kf = self.k_feat;
        let s = self.t_change.len();
        let bo = self.beta_offset();
        let beta = &x[bo..];
        let sigma2 = (2.0 * x[IU]).exp();
        debug_assert_eq!(
            self.xt.len(),
            n * kf,
            "a sufficient-statistics model streamed"
        );

        let mut trend = vec![0.0; n];
        let mut lst = LogisticState::default();
        self.trend_into(x, &mut trend, Some(&mut lst));

        // Additive and multiplicative feature effects, a column at a time.
        let mut xa = vec![0.0; n];
        let mut xm = vec![0.0; if self.has_mult { n } else { 0 }];
        for (j, col) in self.xt.chunks_exact(n.max(1)).take(kf).enumerate() {
            axpy(&mut xa, beta[j] * self.sa[j], col);
            if self.has_mult {
                axpy(&mut xm, beta[j] * self.sm[j], col);
            }
        }
        let mut resid = vec![0.0; n];
        let mut ss = 0.0;
        for i in 0..n {
            let mu = if self.has_mult {
                trend[i] * (1.0 + xm[i]) + xa[i]
            } else {
                trend[i] + xa[i]
            };
            let r = self.y[i] - mu;
            resid[i] = r;
            ss += r * r;
        }

        let f = self.prior_value_grad(x, ss, grad);
        // w_i = dF/dmu_i; wt_i = dF/dtrend_i.
        let w: Vec<f64> = resid.iter().map(|r| -r / sigma2).collect();
        let w_trend: Vec<f64> = if self.has_mult {
            w.iter().zip(&trend).map(|(a, b)| a * b).collect()
        } else {
            Vec::new()
        };
        for (j, col) in self.xt.chunks_exact(n.max(1)).take(kf).enumerate() {
            grad[bo + j] += self.sa[j] * dot4(col, &w);
            if self.has_mult {
                grad[bo + j] += self.sm[j] * dot4(col, &w_trend);
            }
        }
        let wt: Vec<f64> = if self.has_mult {
            w.iter().zip(&xm).map(|(a, b)| a * (1.0 + b)).collect()
        } else {
            w
        };

        match self.trend {
            TrendIndicator::Flat => grad[IM] += wt.iter().sum::<f64>(),
            TrendIndicator::Linear => {
                // Per-segment sums, then suffix sums over segments after each changepoint.
                let mut w_seg = vec![0.0; s + 1];
                let mut wt_seg = vec![0.0; s + 1];
                for i in 0..n {
                    w_seg[self.seg[i]] += wt[i];
                    wt_seg[self.seg[i]] += wt[i] * self.t[i];
                }
                grad[IK] += wt_seg.iter().sum::<f64>();
                grad[IM] += w_seg.iter().sum::<f64>();
                let (mut sw, mut swt) = (0.0, 0.0);
                for j in (0..s).rev() {
                    sw += w_seg[j + 1];
                    swt += wt_seg[j + 1];
                    grad[IDELTA + j] += swt - self.t_change[j] * sw;
                }
            }
            TrendIndicator::Logistic => {
                let mut r_bar = vec![0.0; s + 1];
                let mut o_bar = vec![0.0; s + 1];
                for i in 0..n {
                    let sg = self.seg[i];
                    let (r, o) = (lst.ks[sg], lst.mpr[sg]);
                    let p = sigmoid(r * (self.t[i] - o));
                    let d = wt[i] * self.cap[i] * p * (1.0 - p);
                    r_bar[sg] += d * (self.t[i] - o);
                    o_bar[sg] -= d * r;
                }
                // Reverse through k_s[j+1] = k_s[j] + delta_j and
                // m_pr[j+1] = m_pr[j] + gamma_j, gamma_j = (c_j - m_pr[j]) (1 - k_s[j] / k_s[j+1]).
                for j in (0..s).rev() {
                    let g_bar = o_bar[j + 1];
                    o_bar[j] += o_bar[j + 1];
                    let (kj, kj1) = (lst.ks[j], lst.ks[j + 1]);
                    let c = self.t_change[j] - lst.mpr[j];
                    o_bar[j] -= g_bar * (1.0 - kj / kj1);
                    r_bar[j] -= g_bar * c / kj1;
                    r_bar[j + 1] += g_bar * c * kj / (kj1 * kj1);
                    grad[IDELTA + j] += r_bar[j + 1];
                    r_bar[j] += r_bar[j + 1];
                }
                grad[IK] += r_bar[0];
                grad[IM] += o_bar[0];
            }
        }
        f
    }
}

/// Number of feature columns of well-formed `data` (`K`, checked by `streaming_with_columns`).
fn k_of(data: &Data) -> usize {
    usize::try_from(data.K).unwrap_or(0)
}

/// `data.X` column-major in the order `cols`, allocated once at its exact size.
fn transposed(data: &Data, cols: &[usize]) -> Vec<f64> {
    let k = k_of(data).max(1);
    let mut xt = Vec::with_capacity(data.X.len());
    for &c in cols {
        xt.extend(data.X.iter().skip(c).step_by(k));
    }
    xt
}

#[derive(Debug, Default)]
struct LogisticState {
    ks: Vec<f64>,
    mpr: Vec<f64>,
}

fn logistic_forward(k: f64, m: f64, delta: &[f64], t_change: &[f64]) -> LogisticState {
    let mut ks = Vec::with_capacity(delta.len() + 1);
    let mut mpr = Vec::with_capacity(delta.len() + 1);
    ks.push(k);
    mpr.push(m);
    for (j, (d, c)) in delta.iter().zip(t_change).enumerate() {
        ks.push(ks[j] + d);
        let gamma = (c - mpr[j]) * (1.0 - ks[j] / ks[j + 1]);
        mpr.push(mpr[j] + gamma);
    }
    LogisticState { ks, mpr }
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// Stan's derivative of `fabs`: zero at zero.
fn sign(v: f64) -> f64 {
    if v > 0.0 {
        1.0
    } else if v < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// The log posterior (up to Stan's dropped constants) of `params`; used to compare optimizers.
pub fn log_posterior(
    data: &Data,
    params: &OptimizedParams,
    jacobian: bool,
) -> Result<f64, NativeOptimizerError> {
    let model = Model::new_streaming(data, jacobian)?;
    let x = model.pack(
        params.k,
        params.m,
        *params.sigma_obs,
        &params.delta,
        &params.beta,
    );
    let mut g = vec![0.0; x.len()];
    Ok(-model.value_grad(&x, &mut g))
}

/// Stan's convergence tests (`stan::optimization::BFGSMinimizer`), as set in `OptimizeOpts`.
#[derive(Debug, Clone, Copy)]
struct Tolerances {
    obj: f64,
    rel_obj: f64,
    grad: f64,
    rel_grad: f64,
    param: f64,
}

impl Tolerances {
    fn from_opts(o: &OptimizeOpts) -> Self {
        Self {
            obj: o.tol_obj.unwrap_or(STAN_TOL_OBJ),
            rel_obj: o.tol_rel_obj.unwrap_or(STAN_TOL_REL_OBJ),
            grad: o.tol_grad.unwrap_or(STAN_TOL_GRAD),
            rel_grad: o.tol_rel_grad.unwrap_or(STAN_TOL_REL_GRAD),
            param: o.tol_param.unwrap_or(STAN_TOL_PARAM),
        }
    }
}

/// `y += a * x`.
fn axpy(y: &mut [f64], a: f64, x: &[f64]) {
    if a != 0.0 {
        y.iter_mut().zip(x).for_each(|(yi, xi)| *yi += a * xi);
    }
}

/// A dot product over four interleaved partial sums, which the compiler can keep in one vector
/// register (a single running sum has to stay in order and doesn't vectorise).
fn dot4(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0; 4];
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let tail: f64 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for l in 0..4 {
            acc[l] += x[l] * y[l];
        }
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Outcome of one optimisation, for diagnostics and benchmarks.
#[derive(Debug, Clone)]
pub struct FitReport {
    pub x: Vec<f64>,
    pub cost: f64,
    pub iterations: u64,
    pub evaluations: u64,
    /// Which of Stan's tests ended the fit.
    pub converged_by: &'static str,
    /// Set when the budget ran out first: `x` is then the best point found, not an optimum.
    pub budget_hit: Option<BudgetHit>,
    /// Gradient norm at `x`.
    pub grad_norm: f64,
}

/// Limited-memory inverse-Hessian approximation (Nocedal & Wright, algorithm 7.4).
struct History {
    cap: usize,
    s: std::collections::VecDeque<Vec<f64>>,
    y: std::collections::VecDeque<Vec<f64>>,
}

impl History {
    fn push(&mut self, s: Vec<f64>, y: Vec<f64>) {
        // Skip pairs without positive curvature; they would break the two-loop recursion.
        if dot(&s, &y) <= 1e-12 * dot(&y, &y).sqrt() * dot(&s, &s).sqrt() {
            return;
        }
        if self.s.len() == self.cap {
            self.s.pop_front();
            self.y.pop_front();
        }
        self.s.push_back(s);
        self.y.push_back(y);
    }

    fn clear(&mut self) {
        self.s.clear();
        self.y.clear();
    }

    /// `H * g` by the two-loop recursion.
    #[allow(clippy::needless_range_loop)]
    fn apply(&self, g: &[f64]) -> Vec<f64> {
        let mut q = g.to_vec();
        let m = self.s.len();
        let mut alpha = vec![0.0; m];
        for i in (0..m).rev() {
            let rho = 1.0 / dot(&self.y[i], &self.s[i]);
            alpha[i] = rho * dot(&self.s[i], &q);
            for (qj, yj) in q.iter_mut().zip(&self.y[i]) {
                *qj -= alpha[i] * yj;
            }
        }
        if let (Some(s), Some(y)) = (self.s.back(), self.y.back()) {
            let gamma = dot(s, y) / dot(y, y);
            q.iter_mut().for_each(|v| *v *= gamma);
        }
        for i in 0..m {
            let rho = 1.0 / dot(&self.y[i], &self.s[i]);
            let beta = rho * dot(&self.y[i], &q);
            for (qj, sj) in q.iter_mut().zip(&self.s[i]) {
                *qj += (alpha[i] - beta) * sj;
            }
        }
        q
    }
}

/// A point on the search line: step, value, directional derivative, plus the full evaluation.
#[derive(Clone)]
struct Trial {
    a: f64,
    f: f64,
    d: f64,
    x: Vec<f64>,
    g: Vec<f64>,
}

/// Minimiser of the cubic through two points with known slopes (clamped into the bracket).
fn cubic_min(lo: &Trial, hi: &Trial) -> f64 {
    let (a0, a1) = (lo.a, hi.a);
    let d1 = lo.d + hi.d - 3.0 * (lo.f - hi.f) / (a0 - a1);
    let disc = d1 * d1 - lo.d * hi.d;
    let (left, right) = (a0.min(a1), a0.max(a1));
    let width = right - left;
    if disc >= 0.0 {
        let d2 = (a1 - a0).signum() * disc.sqrt();
        let a = a1 - (a1 - a0) * (hi.d + d2 - d1) / (hi.d - lo.d + 2.0 * d2);
        if a.is_finite() && a > left + 0.1 * width && a < right - 0.1 * width {
            return a;
        }
    }
    0.5 * (a0 + a1)
}

/// Strong-Wolfe line search (Nocedal & Wright algorithms 3.5/3.6) that treats a non-finite
/// objective as "step too long", which argmin's More-Thuente rejects outright: Prophet's
/// `sigma_obs = exp(u)` overflows on the long trial steps of the first iterations.
fn line_search(
    model: &Model,
    x: &[f64],
    f0: f64,
    g0: &[f64],
    dir: &[f64],
    a_init: f64,
    evals: &mut u64,
) -> Option<Trial> {
    const C1: f64 = 1e-4;
    const C2: f64 = 0.9;
    const MAX_EVALS: usize = 60;
    let d0 = dot(g0, dir);
    if d0 >= 0.0 || !d0.is_finite() {
        return None;
    }
    let eval = |a: f64, evals: &mut u64| -> Trial {
        *evals += 1;
        let xa: Vec<f64> = x.iter().zip(dir).map(|(xi, di)| xi + a * di).collect();
        let mut g = vec![0.0; xa.len()];
        let f = model.value_grad(&xa, &mut g);
        let d = dot(&g, dir);
        Trial { a, f, d, x: xa, g }
    };
    let start = Trial {
        a: 0.0,
        f: f0,
        d: d0,
        x: x.to_vec(),
        g: g0.to_vec(),
    };
    let mut prev = start.clone();
    let mut a = a_init;
    let mut bracket: Option<(Trial, Trial)> = None;
    for _ in 0..MAX_EVALS {
        let cur = eval(a, evals);
        if !cur.f.is_finite() || !cur.d.is_finite() {
            a = prev.a + 0.1 * (a - prev.a);
            continue;
        }
        if cur.f > f0 + C1 * a * d0 || cur.f >= prev.f && prev.a > 0.0 {
            bracket = Some((prev, cur));
            break;
        }
        if cur.d.abs() <= -C2 * d0 {
            return Some(cur);
        }
        if cur.d >= 0.0 {
            bracket = Some((cur, prev));
            break;
        }
        prev = cur;
        a *= 4.0;
    }
    let (mut lo, mut hi) = bracket?;
    for _ in 0..MAX_EVALS {
        let a = cubic_min(&lo, &hi);
        if (hi.a - lo.a).abs() < 1e-16 * lo.a.abs().max(1e-300) {
            break;
        }
        let cur = eval(a, evals);
        if !cur.f.is_finite() || cur.f > f0 + C1 * a * d0 || cur.f >= lo.f {
            if cur.f.is_finite() {
                hi = cur;
            } else {
                hi.a = a;
                hi.f = f64::INFINITY;
            }
            continue;
        }
        if cur.d.abs() <= -C2 * d0 {
            return Some(cur);
        }
        if cur.d * (hi.a - lo.a) >= 0.0 {
            hi = lo;
        }
        lo = cur;
    }
    // Sufficient decrease without the curvature condition still makes progress.
    (lo.a > 0.0 && lo.f < f0).then_some(lo)
}

/// Minimises the negative log posterior from `x0` by L-BFGS under Stan's stopping rules; running
/// out of `opts.iter` iterations is an error.
pub fn minimise(
    model: &Model,
    x0: Vec<f64>,
    opts: &OptimizeOpts,
) -> Result<FitReport, NativeOptimizerError> {
    let budget = FitBudget {
        max_iterations: opts.iter.unwrap_or(DEFAULT_ITER),
        max_time: std::time::Duration::MAX,
    };
    let fit = minimise_within(model, x0, opts, &budget)?;
    match fit.budget_hit {
        None => Ok(fit),
        Some(_) => Err(NativeOptimizerError::NotConverged {
            iter: fit.iterations,
            cost: fit.cost,
            grad: fit.grad_norm,
        }),
    }
}

/// [`minimise`] that stops at the first limit of `budget` (or `opts.iter`, if lower) and then
/// returns the best point so far (L-BFGS only accepts steps that lower the objective) with
/// `budget_hit` set.
pub fn minimise_within(
    model: &Model,
    x0: Vec<f64>,
    opts: &OptimizeOpts,
    budget: &FitBudget,
) -> Result<FitReport, NativeOptimizerError> {
    let started = std::time::Instant::now();
    let tol = Tolerances::from_opts(opts);
    let max_iter = u64::from(
        opts.iter
            .map_or(budget.max_iterations, |i| i.min(budget.max_iterations)),
    );
    let init_alpha = opts.init_alpha.unwrap_or(STAN_INIT_ALPHA);
    let mut hist = History {
        cap: opts.history_size.unwrap_or(STAN_HISTORY).max(1) as usize,
        s: Default::default(),
        y: Default::default(),
    };
    let mut x = x0;
    let mut g = vec![0.0; x.len()];
    let mut f = model.value_grad(&x, &mut g);
    let mut evals = 1u64;
    if !f.is_finite() || g.iter().any(|v| !v.is_finite()) {
        return Err(NativeOptimizerError::Failed(
            "the objective is not finite at the initial point".into(),
        ));
    }
    let eps = f64::EPSILON;
    let mut just_reset = true;
    let mut confirmed_at: Option<f64> = None;
    let mut confirming: Option<&'static str> = None;
    let mut iter = 0u64;
    let hit = loop {
        if iter >= max_iter {
            break BudgetHit::Iterations(iter);
        }
        if started.elapsed() > budget.max_time {
            break BudgetHit::Time {
                seconds: budget.max_time.as_secs_f64(),
                iterations: iter,
            };
        }
        iter += 1;
        let dir: Vec<f64> = hist.apply(&g).iter().map(|v| -v).collect();
        // Stan's first step (and the first after a reset) is init_alpha along -g.
        let a0 = if hist.s.is_empty() {
            init_alpha
                .min(1.0 / dot(&g, &g).sqrt().max(1e-300))
                .max(init_alpha * 1e-6)
        } else {
            1.0
        };
        let Some(step) = line_search(model, &x, f, &g, &dir, a0, &mut evals) else {
            if let Some(by) = confirming.filter(|_| just_reset) {
                // Already converged once and a fresh start cannot move: that is the optimum.
                return Ok(FitReport {
                    grad_norm: dot(&g, &g).sqrt(),
                    x,
                    cost: f,
                    iterations: iter,
                    evaluations: evals,
                    converged_by: by,
                    budget_hit: None,
                });
            }
            if just_reset {
                return Err(NativeOptimizerError::Failed(format!(
                    "line search failed to decrease the objective after {iter} iterations \
                     (objective {f:.6}, gradient norm {:.3e})",
                    dot(&g, &g).sqrt()
                )));
            }
            hist.clear();
            just_reset = true;
            continue;
        };
        just_reset = false;
        let s: Vec<f64> = step.x.iter().zip(&x).map(|(a, b)| a - b).collect();
        let yv: Vec<f64> = step.g.iter().zip(&g).map(|(a, b)| a - b).collect();
        let df = (f - step.f).abs();
        let f_prev = f;
        hist.push(s.clone(), yv);
        x = step.x;
        g = step.g;
        f = step.f;
        let converged_by = if df < tol.obj {
            Some("absolute objective change")
        } else if df / f_prev.abs().max(f.abs()).max(eps) < tol.rel_obj * eps {
            Some("relative objective change")
        } else if dot(&g, &g).sqrt() < tol.grad {
            Some("gradient norm")
        } else if dot(&g, &hist.apply(&g)) / f.abs().max(eps) < tol.rel_grad * eps {
            Some("relative gradient")
        } else if dot(&s, &s).sqrt() < tol.param {
            Some("parameter change")
        } else {
            None
        };
        let Some(by) = converged_by else { continue };
        // The Laplace prior's kinks at delta = 0 can stall L-BFGS with a curvature history
        // that no longer fits; confirm a convergence by restarting from scratch once more
        // and accept when the restart gains (almost) nothing.
        if let Some(f_conv) = confirmed_at
            && f_conv - f <= CONFIRM_REL * f.abs().max(1.0)
        {
            return Ok(FitReport {
                grad_norm: dot(&g, &g).sqrt(),
                x,
                cost: f,
                iterations: iter,
                evaluations: evals,
                converged_by: by,
                budget_hit: None,
            });
        }
        confirmed_at = Some(f);
        confirming = Some(by);
        hist.clear();
        just_reset = true;
    };
    Ok(FitReport {
        grad_norm: dot(&g, &g).sqrt(),
        x,
        cost: f,
        iterations: iter,
        evaluations: evals,
        converged_by: "budget",
        budget_hit: Some(hit),
    })
}

impl NativeOptimizer {
    /// Fits under `budget`; when it runs out, the best point so far and which limit hit.
    pub fn optimize_within(
        &self,
        init: &InitialParams,
        data: &Data,
        opts: &OptimizeOpts,
        budget: &FitBudget,
    ) -> Result<(OptimizedParams, Option<BudgetHit>), NativeOptimizerError> {
        let k = data.s_a.len();
        if init.beta.len() != k || init.delta.len() != data.t_change.len() {
            return Err(NativeOptimizerError::Data(format!(
                "initial parameters have {} coefficients and {} rate changes for {k} features \
                 and {} changepoints",
                init.beta.len(),
                init.delta.len(),
                data.t_change.len()
            )));
        }
        // Model::with_columns reports malformed data; only order well-formed columns.
        let shape_ok = data.K as usize == k
            && data.s_m.len() == k
            && data.sigmas.len() == k
            && data.X.len() == data.y.len() * k;
        let perm: Vec<usize> = if shape_ok {
            canonical_columns(data)
        } else {
            (0..k).collect()
        };
        let beta0: Vec<f64> = perm.iter().map(|&c| init.beta[c]).collect();
        let model = Model::with_columns(data, opts.jacobian.unwrap_or(false), &perm)?;
        let x0 = model.pack(init.k, init.m, *init.sigma_obs, &init.delta, &beta0);
        let started = std::time::Instant::now();
        let fit = minimise_within(&model, x0, opts, budget)?;
        tracing::debug!(
            iterations = fit.iterations,
            evaluations = fit.evaluations,
            converged_by = fit.converged_by,
            cost = fit.cost,
            elapsed_ms = started.elapsed().as_secs_f64() * 1e3,
            "native Prophet fit ended"
        );
        let x = &fit.x;
        let bo = model.beta_offset();
        let sigma_obs = x[IU]
            .exp()
            .try_into()
            .map_err(|_| NativeOptimizerError::Failed("sigma_obs underflowed to zero".into()))?;
        let mut beta = vec![0.0; perm.len()];
        for (j, &c) in perm.iter().enumerate() {
            beta[c] = x[bo + j];
        }
        let params = OptimizedParams {
            k: x[IK],
            m: x[IM],
            sigma_obs,
            delta: x[IDELTA..bo].to_vec(),
            beta,
            trend: model.trend(x),
        };
        Ok((params, fit.budget_hit))
    }
}

impl Optimizer for NativeOptimizer {
    fn optimize(
        &self,
        init: &InitialParams,
        data: &Data,
        opts: &OptimizeOpts,
    ) -> Result<OptimizedParams, augurs_prophet::optimizer::Error> {
        let budget = FitBudget {
            max_iterations: opts.iter.unwrap_or(DEFAULT_ITER),
            max_time: std::time::Duration::MAX,
        };
        let err = |e: NativeOptimizerError| augurs_prophet::optimizer::Error::string(e.to_string());
        match self
            .optimize_within(init, data, opts, &budget)
            .map_err(err)?
        {
            (params, None) => Ok(params),
            (_, Some(hit)) => Err(augurs_prophet::optimizer::Error::string(format!(
                "the fit did not converge within {hit}; the series may be degenerate \
                 (constant or with extreme outliers)"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use augurs_prophet::PositiveFloat;

    pub(super) fn pf(v: f64) -> PositiveFloat {
        v.try_into().unwrap()
    }

    /// A small model with two additive and one multiplicative feature and three changepoints.
    pub(super) fn data(trend: TrendIndicator) -> Data {
        let n = 60;
        let t: Vec<f64> = (0..n).map(|i| i as f64 / (n - 1) as f64).collect();
        let mut x = Vec::new();
        for &ti in &t {
            let a = (ti * 40.0).sin();
            x.extend([a, (ti * 40.0).cos(), (ti * 13.0).sin()]);
        }
        let y: Vec<f64> = t
            .iter()
            .enumerate()
            .map(|(i, ti)| {
                0.3 + 0.2 * ti + 0.1 * (ti * 40.0).sin() + 0.01 * ((i * 7919) % 13) as f64
            })
            .collect();
        Data {
            T: n as i32,
            y,
            t,
            cap: vec![1.5; n],
            S: 3,
            t_change: vec![0.2, 0.45, 0.7],
            trend_indicator: trend,
            K: 3,
            s_a: vec![1, 1, 0],
            s_m: vec![0, 0, 1],
            X: x,
            sigmas: vec![pf(10.0), pf(10.0), pf(2.0)],
            tau: pf(0.05),
        }
    }

    /// `data(trend)` with every feature additive: the sufficient-statistics path.
    pub(super) fn additive_data(trend: TrendIndicator) -> Data {
        Data {
            s_a: vec![1, 1, 1],
            s_m: vec![0, 0, 0],
            ..data(trend)
        }
    }

    fn check_gradient(d: &Data, jacobian: bool) {
        let trend = d.trend_indicator;
        let model = Model::new(d, jacobian).unwrap();
        let additive = d.s_m.iter().all(|&m| m == 0);
        assert_eq!(
            model.uses_sufficient_statistics(),
            additive && trend != TrendIndicator::Logistic
        );
        // Away from delta = 0 so the Laplace kink does not confuse the difference quotient.
        let x = model.pack(0.8, 0.2, 0.3, &[0.05, -0.1, 0.07], &[0.02, -0.03, 0.15]);
        let mut g = vec![0.0; x.len()];
        model.value_grad(&x, &mut g);
        let mut scratch = vec![0.0; x.len()];
        for i in 0..x.len() {
            let h = 1e-6 * x[i].abs().max(1.0);
            let (mut xp, mut xm) = (x.clone(), x.clone());
            xp[i] += h;
            xm[i] -= h;
            let fd = (model.value_grad(&xp, &mut scratch) - model.value_grad(&xm, &mut scratch))
                / (2.0 * h);
            let tol = 1e-5 * fd.abs().max(1.0);
            assert!(
                (fd - g[i]).abs() < tol,
                "{trend:?} additive={additive} jacobian={jacobian} param {i}: analytic {} vs finite difference {fd}",
                g[i]
            );
        }
    }

    #[test]
    fn gradient_matches_finite_differences_for_every_trend() {
        for trend in [
            TrendIndicator::Linear,
            TrendIndicator::Logistic,
            TrendIndicator::Flat,
        ] {
            for d in [data(trend), additive_data(trend)] {
                check_gradient(&d, false);
                check_gradient(&d, true);
            }
        }
    }

    #[test]
    fn jacobian_adds_log_sigma_to_the_log_posterior() {
        let d = data(TrendIndicator::Linear);
        let params = OptimizedParams {
            k: 0.1,
            m: 0.2,
            sigma_obs: pf(0.5),
            delta: vec![0.0; 3],
            beta: vec![0.0; 3],
            trend: vec![],
        };
        let without = log_posterior(&d, &params, false).unwrap();
        let with = log_posterior(&d, &params, true).unwrap();
        assert!((with - without - 0.5f64.ln()).abs() < 1e-12);
    }

    /// No small move in any coordinate may improve the optimum by more than 1e-5 relative. Stan's
    /// relative-gradient test stops once `g'Hg / |f|` (about twice the remaining relative gap on
    /// a smooth problem) is below 2e-9, but the Laplace kinks at `delta = 0` of this tiny,
    /// nearly collinear problem loosen that in practice (for Stan as well).
    #[test]
    fn optimum_is_a_local_minimum_for_every_trend() {
        for trend in [
            TrendIndicator::Linear,
            TrendIndicator::Logistic,
            TrendIndicator::Flat,
        ] {
            check_local_minimum(&data(trend));
            // The sufficient-statistics path (logistic trends always stream).
            if trend != TrendIndicator::Logistic {
                check_local_minimum(&additive_data(trend));
            }
        }
    }

    fn check_local_minimum(d: &Data) {
        let trend = d.trend_indicator;
        // Logistic needs k != 0 (its offsets divide by the rates), as Prophet's init ensures.
        let init = InitialParams {
            k: 0.5,
            m: 0.3,
            delta: vec![0.0; 3],
            beta: vec![0.0; 3],
            sigma_obs: pf(1.0),
        };
        let p = NativeOptimizer
            .optimize(&init, d, &OptimizeOpts::default())
            .unwrap_or_else(|e| panic!("{trend:?}: {e}"));
        // Judged by the streaming evaluation, whichever path the fit took.
        let model = Model::new_streaming(d, false).unwrap();
        let x = model.pack(p.k, p.m, *p.sigma_obs, &p.delta, &p.beta);
        let mut g = vec![0.0; x.len()];
        let f = model.value_grad(&x, &mut g);
        for i in 0..x.len() {
            for h in [1e-4, -1e-4] {
                let mut xx = x.clone();
                xx[i] += h;
                let fi = model.value_grad(&xx, &mut vec![0.0; x.len()]);
                assert!(
                    fi >= f - 1e-5 * f.abs(),
                    "{trend:?}: moving param {i} by {h} lowers {f} to {fi}"
                );
            }
        }
        assert_eq!(p.trend.len(), d.y.len());
    }

    #[test]
    fn recovers_a_clean_linear_signal() {
        let mut d = data(TrendIndicator::Linear);
        d.s_m = vec![0, 0, 0];
        d.s_a = vec![1, 1, 1];
        d.y =
            d.t.iter()
                .enumerate()
                .map(|(i, t)| {
                    0.5 + 0.25 * t + 0.1 * (t * 40.0).sin() + 0.002 * (((i * 37) % 11) as f64 - 5.0)
                })
                .collect();
        let init = InitialParams {
            k: 0.0,
            m: 0.0,
            delta: vec![0.0; 3],
            beta: vec![0.0; 3],
            sigma_obs: pf(1.0),
        };
        let p = NativeOptimizer
            .optimize(&init, &d, &OptimizeOpts::default())
            .unwrap();
        let slope = p.k;
        assert!((p.m - 0.5).abs() < 1e-3, "m = {}", p.m);
        assert!((slope - 0.25).abs() < 1e-2, "k = {slope}");
        assert!((p.beta[0] - 0.1).abs() < 1e-3, "beta0 = {}", p.beta[0]);
        assert!(*p.sigma_obs < 2e-2, "sigma = {}", *p.sigma_obs);
    }

    #[test]
    fn too_few_iterations_is_an_error_not_a_result() {
        let d = data(TrendIndicator::Linear);
        let init = InitialParams {
            k: 0.0,
            m: 0.0,
            delta: vec![0.0; 3],
            beta: vec![0.0; 3],
            sigma_obs: pf(1.0),
        };
        let opts = OptimizeOpts {
            iter: Some(2),
            ..Default::default()
        };
        let err = NativeOptimizer.optimize(&init, &d, &opts).unwrap_err();
        assert!(err.to_string().contains("did not converge"), "{err}");
    }

    #[test]
    fn column_order_does_not_change_the_fit() {
        let d = data(TrendIndicator::Linear);
        let init = InitialParams {
            k: 0.0,
            m: 0.3,
            delta: vec![0.0; 3],
            beta: vec![0.0; 3],
            sigma_obs: pf(1.0),
        };
        let a = NativeOptimizer
            .optimize(&init, &d, &OptimizeOpts::default())
            .unwrap();
        let swapped = permute_columns(&d, &[2, 0, 1]);
        let b = NativeOptimizer
            .optimize(&init, &swapped, &OptimizeOpts::default())
            .unwrap();
        assert_eq!(a.k, b.k);
        assert_eq!(a.delta, b.delta);
        assert_eq!(vec![a.beta[2], a.beta[0], a.beta[1]], b.beta);
    }

    #[test]
    fn mismatched_shapes_are_rejected() {
        let mut d = data(TrendIndicator::Linear);
        d.X.pop();
        let err = Model::new(&d, false).unwrap_err().to_string();
        assert!(err.contains("X has length"), "{err}");
    }
}
