//! Additive-error exponential smoothing (ANN, AAN, AAdN) chosen by AICc: MSTL's trend model,
//! our own formulation of what `augurs_ets::AutoETS::new(1, "AZN")` fits.
//!
//! Why not augurs-ets itself: its likelihood takes a logarithm of the one-step forecast at
//! every step of every evaluation (`lik2`, used only for multiplicative errors), computes
//! `nmse` forecasts per step where the likelihood needs one, and writes every step's state
//! into a `T × states` buffer; the profile put the ETS likelihood at 34 % of a 90-day
//! `auto` run, `ln` alone at 14 %. For additive errors the Gaussian likelihood is
//! `T · ln(SSE)` (Hyndman et al., *Forecasting with Exponential Smoothing*, 2008, §5.2), so
//! one pass keeping the level and slope in registers and one `ln` per evaluation suffice.
//!
//! The search is the same as augurs-ets 0.10's so the answers agree (tests compare the two to
//! a tolerance): the same candidates in the same order, the same starting parameters, bounds
//! and initial states (R `forecast::ets`'s heuristics: the mean or a least-squares line over
//! the first ten points), and the Nelder–Mead variant of statsforecast's `ets` (adaptive
//! coefficients of Gao & Han 2012, parameters clamped to their bounds, stopped when the
//! simplex's cost values have a standard deviation under 1e-4, at most 2 000 iterations).
//! Prediction intervals are the class-1 analytic variances of Hyndman et al. (2008),
//! Table 6.1.

use std::borrow::Cow;

use augurs_core::{Forecast, ForecastIntervals};
use augurs_mstl::{FittedTrendModel, TrendModel};

type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Most Nelder–Mead iterations per candidate (augurs-ets' and statsforecast's default).
const MAX_ITER: usize = 2_000;
/// The simplex has converged when its costs' standard deviation is below this.
const TOL_STD: f64 = 1e-4;
/// Bounds of alpha, beta and phi (R's and augurs' "usual" bounds).
const ALPHA: (f64, f64) = (1e-4, 0.9999);
const BETA_LOWER: f64 = 1e-4;
const PHI: (f64, f64) = (0.8, 0.98);

/// The trend shapes tried, in augurs' order (a tie goes to the earlier).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// ANN: level only.
    Level,
    /// AAdN: level and a damped slope.
    Damped,
    /// AAN: level and slope.
    Linear,
}

impl Kind {
    const ALL: [Kind; 3] = [Kind::Level, Kind::Damped, Kind::Linear];

    fn has_slope(self) -> bool {
        self != Kind::Level
    }
}

/// Smoothing parameters; `beta` is 0 and `phi` 1 where the shape has none.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    pub alpha: f64,
    pub beta: f64,
    pub phi: f64,
}

/// The AICc-best additive-error ETS model, as an MSTL trend model.
#[derive(Debug, Clone, Copy, Default)]
pub struct AutoEts;

impl TrendModel for AutoEts {
    fn name(&self) -> Cow<'_, str> {
        Cow::Borrowed("ETS(A,Z,N)")
    }

    fn fit(&self, y: &[f64]) -> Result<Box<dyn FittedTrendModel + Sync + Send>, BoxError> {
        Ok(Box::new(fit_auto(y)?))
    }
}

/// Why no model could be fitted.
#[derive(Debug, thiserror::Error)]
pub enum EtsError {
    #[error("exponential smoothing needs more than {need} points, got {have}")]
    NotEnoughData { have: usize, need: usize },
    #[error("no exponential smoothing model could be fitted (every candidate's AICc was NaN)")]
    NoModel,
}

/// A fitted model: its shape, parameters, final state and fit statistics.
#[derive(Debug, Clone)]
pub struct Fitted {
    pub kind: Kind,
    pub params: Params,
    /// Level and slope after the last observation.
    pub level: f64,
    pub slope: f64,
    /// Sum of squared one-step errors, and the one-step fitted values.
    pub sse: f64,
    pub fitted: Vec<f64>,
    /// Estimated parameters and initial states (augurs' `n_params`).
    pub n_params: usize,
    pub aicc: f64,
}

/// Fits ANN, AAdN and AAN and keeps the lowest AICc.
pub fn fit_auto(y: &[f64]) -> Result<Fitted, EtsError> {
    // augurs' guard for an "AZN" search: alpha, l0 and four spare points.
    if y.len() <= 6 {
        return Err(EtsError::NotEnoughData {
            have: y.len(),
            need: 6,
        });
    }
    let mut best: Option<Fitted> = None;
    for kind in Kind::ALL {
        let Some(f) = fit_kind(y, kind) else { continue };
        if f.aicc.is_nan() {
            continue;
        }
        if best.as_ref().is_none_or(|b| f.aicc < b.aicc) {
            best = Some(f);
        }
    }
    best.ok_or(EtsError::NoModel)
}

/// Where the optimizer's vector keeps each quantity, and its bounds.
struct Layout {
    kind: Kind,
    /// Bounds of the smoothing parameters; the initial states are unbounded.
    lower: Vec<f64>,
    upper: Vec<f64>,
}

impl Layout {
    fn new(kind: Kind, alpha0: f64) -> Self {
        let (mut lower, mut upper) = (vec![ALPHA.0], vec![ALPHA.1]);
        if kind.has_slope() {
            // beta < alpha: the upper bound is the starting alpha, as in R and augurs.
            lower.push(BETA_LOWER);
            upper.push(alpha0.min(ALPHA.1));
        }
        if kind == Kind::Damped {
            lower.push(PHI.0);
            upper.push(PHI.1);
        }
        let states = 1 + usize::from(kind.has_slope());
        lower.extend(std::iter::repeat_n(f64::NEG_INFINITY, states));
        upper.extend(std::iter::repeat_n(f64::INFINITY, states));
        Self { kind, lower, upper }
    }

    /// Parameters and initial (level, slope) from an optimizer vector.
    fn unpack(&self, x: &[f64]) -> (Params, f64, f64) {
        match self.kind {
            Kind::Level => (
                Params {
                    alpha: x[0],
                    beta: 0.0,
                    phi: 1.0,
                },
                x[1],
                0.0,
            ),
            Kind::Linear => (
                Params {
                    alpha: x[0],
                    beta: x[1],
                    phi: 1.0,
                },
                x[2],
                x[3],
            ),
            Kind::Damped => (
                Params {
                    alpha: x[0],
                    beta: x[1],
                    phi: x[2],
                },
                x[3],
                x[4],
            ),
        }
    }

    fn clamp(&self, x: &mut [f64]) {
        for ((v, &lo), &hi) in x.iter_mut().zip(&self.lower).zip(&self.upper) {
            *v = v.clamp(lo, hi);
        }
    }
}

/// One pass of the recursions: the sum of squared one-step errors and the final state. The
/// level-only model is the same recursion with a zero slope.
fn pass(
    y: &[f64],
    p: Params,
    l0: f64,
    b0: f64,
    mut fitted: Option<&mut Vec<f64>>,
) -> (f64, f64, f64) {
    let (mut l, mut b, mut sse) = (l0, b0, 0.0);
    let ratio = p.beta / p.alpha;
    for &yi in y {
        let phi_b = p.phi * b;
        let f = l + phi_b;
        if let Some(out) = fitted.as_deref_mut() {
            out.push(f);
        }
        let e = yi - f;
        sse += e * e;
        let new_l = f + p.alpha * (yi - f);
        b = phi_b + ratio * ((new_l - l) - phi_b);
        l = new_l;
    }
    (sse, l, b)
}

/// [`pass`]'s sum of squared errors for four parameter sets at once. Each recursion is a
/// chain of about ten dependent operations per point, so one runs at the latency of the
/// arithmetic; four independent chains interleaved run in about the same time. Each chain's
/// arithmetic is `pass`'s, in the same order, so its sum is bitwise the same.
// Five per-chain arrays are indexed together; iterators would obscure the recursion.
#[allow(clippy::needless_range_loop)]
fn pass4(y: &[f64], runs: [(Params, f64, f64); 4]) -> [f64; 4] {
    let mut l = runs.map(|r| r.1);
    let mut b = runs.map(|r| r.2);
    let mut sse = [0.0; 4];
    let alpha = runs.map(|r| r.0.alpha);
    let phi = runs.map(|r| r.0.phi);
    let ratio = runs.map(|r| r.0.beta / r.0.alpha);
    for &yi in y {
        for k in 0..4 {
            let phi_b = phi[k] * b[k];
            let f = l[k] + phi_b;
            let e = yi - f;
            sse[k] += e * e;
            let new_l = f + alpha[k] * (yi - f);
            b[k] = phi_b + ratio[k] * ((new_l - l[k]) - phi_b);
            l[k] = new_l;
        }
    }
    sse
}

/// `T · ln(SSE)`: twice the negative Gaussian log-likelihood up to a constant.
fn likelihood(n: usize, sse: f64) -> f64 {
    let s = if sse > 0.0 { sse } else { sse + 1e-8 };
    n as f64 * s.ln()
}

/// Starting parameters and states (R's `ets` heuristics), as the optimizer's vector.
fn start(y: &[f64], kind: Kind) -> Vec<f64> {
    let alpha = ALPHA.0 + 0.2 * (ALPHA.1 - ALPHA.0);
    let mut x = vec![alpha];
    if kind.has_slope() {
        let beta_upper = alpha.min(ALPHA.1);
        x.push(BETA_LOWER + 0.1 * (beta_upper - BETA_LOWER));
    }
    if kind == Kind::Damped {
        x.push(PHI.0 + 0.99 * (PHI.1 - PHI.0));
    }
    let m = y.len().min(10);
    let head = &y[..m];
    if kind.has_slope() {
        // Least-squares line over t = 1..m.
        let mean_t = (m as f64 + 1.0) / 2.0;
        let mean_y = head.iter().sum::<f64>() / m as f64;
        let (mut sty, mut stt) = (0.0, 0.0);
        for (i, v) in head.iter().enumerate() {
            let dt = (i + 1) as f64 - mean_t;
            sty += dt * (v - mean_y);
            stt += dt * dt;
        }
        let b = sty / stt;
        let (mut l, mut b) = (mean_y - b * mean_t, b);
        if (l + b).abs() < 1e-8 {
            l *= 1.0 + 1e-3;
            b *= 1.0 + 1e-3;
        }
        x.extend([l, b]);
    } else {
        x.push(head.iter().sum::<f64>() / m as f64);
    }
    x
}

fn fit_kind(y: &[f64], kind: Kind) -> Option<Fitted> {
    let x0 = start(y, kind);
    if x0.len() >= y.len() - 1 {
        return None;
    }
    let layout = Layout::new(kind, x0[0]);
    let cost = |xs: [&[f64]; 4]| {
        pass4(y, xs.map(|x| layout.unpack(x))).map(|sse| likelihood(y.len(), sse))
    };
    let best = nelder_mead(&layout, x0, cost);
    let (params, l0, b0) = layout.unpack(&best);
    let mut fitted = Vec::with_capacity(y.len());
    let (sse, level, slope) = pass(y, params, l0, b0, Some(&mut fitted));
    let n_params = best.len();
    Some(Fitted {
        kind,
        params,
        level,
        slope,
        sse,
        fitted,
        n_params,
        aicc: aicc(y.len(), likelihood(y.len(), sse), n_params),
    })
}

/// AICc as augurs-ets counts it (the variance as one more parameter).
fn aicc(n: usize, lik: f64, n_params: usize) -> f64 {
    let aic = lik + 2.0 * n_params as f64;
    let k = n_params + 1;
    match n.checked_sub(k + 1) {
        Some(d) if d > 0 => aic + 2.0 * k as f64 * (k as f64 + 1.0) / d as f64,
        _ => f64::INFINITY,
    }
}

/// Population standard deviation.
fn std_dev(v: &[f64]) -> f64 {
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    (v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / v.len() as f64).sqrt()
}

/// The costs of `xs`, four at a time (the last four padded with copies of the first).
fn costs(xs: &[&[f64]], cost4: &impl Fn([&[f64]; 4]) -> [f64; 4]) -> Vec<f64> {
    xs.chunks(4)
        .flat_map(|c| {
            let pick = |i: usize| c.get(i).copied().unwrap_or(c[0]);
            let f = cost4([pick(0), pick(1), pick(2), pick(3)]);
            f.into_iter().take(c.len())
        })
        .collect()
}

/// Nelder–Mead with adaptive coefficients, the parameters clamped to their bounds. `cost4`
/// costs four points at once: each iteration costs its reflection together with the three
/// points it may try next (expansion, outside and inside contraction), so the path, and
/// every cost on it, is that of costing them one by one as needed.
fn nelder_mead(
    layout: &Layout,
    mut x0: Vec<f64>,
    cost4: impl Fn([&[f64]; 4]) -> [f64; 4],
) -> Vec<f64> {
    layout.clamp(&mut x0);
    let d = x0.len();
    let n = d as f64;
    let (gamma, rho, sigma) = (1.0 + 2.0 / n, 0.75 - 1.0 / (2.0 * n), 1.0 - 1.0 / n);
    let mut simplex = vec![x0; d + 1];
    for (i, row) in simplex.iter_mut().take(d).enumerate() {
        row[i] = if row[i].abs() < 1e-8 {
            1e-4
        } else {
            row[i] * 1.05
        };
        layout.clamp(row);
    }
    let mut f = costs(&simplex.iter().map(|x| &x[..]).collect::<Vec<_>>(), &cost4);
    let mut order: Vec<usize> = (0..=d).collect();
    let mut best = 0;
    let mut centroid = vec![0.0; d];
    let along = |c: &[f64], x: &[f64], t: f64| -> Vec<f64> {
        let mut v: Vec<f64> = c.iter().zip(x).map(|(c, x)| c + t * (x - c)).collect();
        layout.clamp(&mut v);
        v
    };
    for _ in 0..MAX_ITER {
        order.iter_mut().enumerate().for_each(|(i, o)| *o = i);
        order.sort_by(|&a, &b| f[a].partial_cmp(&f[b]).unwrap_or(std::cmp::Ordering::Equal));
        best = order[0];
        let (worst, second) = (order[d], order[d - 1]);
        if std_dev(&f) < TOL_STD {
            break;
        }
        centroid.fill(0.0);
        for (_, x) in simplex.iter().enumerate().filter(|&(i, _)| i != worst) {
            for (c, v) in centroid.iter_mut().zip(x) {
                *c += v;
            }
        }
        centroid.iter_mut().for_each(|c| *c /= n);
        // Reflection: the centroid plus (centroid − worst).
        let xr = along(&centroid, &simplex[worst], -1.0);
        let (xe, xoc, xic) = (
            along(&centroid, &xr, gamma),
            along(&centroid, &xr, rho),
            along(&centroid, &xr, -rho),
        );
        let [fr, fe, foc, fic] = cost4([&xr, &xe, &xoc, &xic]);
        if f[best] <= fr && fr < f[second] {
            (simplex[worst], f[worst]) = (xr, fr);
            continue;
        }
        if fr < f[best] {
            (simplex[worst], f[worst]) = if fe < fr { (xe, fe) } else { (xr, fr) };
            continue;
        }
        if f[second] <= fr && fr < f[worst] {
            if foc <= fr {
                (simplex[worst], f[worst]) = (xoc, foc);
                continue;
            }
        } else if fic < f[worst] {
            (simplex[worst], f[worst]) = (xic, fic);
            continue;
        }
        // Shrink towards the best point (convex combinations of in-bounds points stay in).
        let anchor = simplex[best].clone();
        for i in (0..=d).filter(|&i| i != best) {
            for (x, a) in simplex[i].iter_mut().zip(&anchor) {
                *x = a + sigma * (*x - a);
            }
        }
        let moved: Vec<usize> = (0..=d).filter(|&i| i != best).collect();
        let points: Vec<&[f64]> = moved.iter().map(|&i| &simplex[i][..]).collect();
        for (i, fi) in moved.iter().zip(costs(&points, &cost4)) {
            f[*i] = fi;
        }
    }
    simplex.swap_remove(best)
}

impl Fitted {
    /// Point forecasts `h = 1..=horizon` steps ahead. The damped slope's multiplier grows by
    /// `phi^h` after step `h`, as augurs-ets (after R's `etsforecast`) accumulates it, so the
    /// two give the same forecasts.
    pub fn point(&self, horizon: usize) -> Vec<f64> {
        let phi = self.params.phi;
        let mut phi_sum = phi;
        (1..=horizon)
            .map(|h| {
                let v = self.level + phi_sum * self.slope;
                phi_sum += if (phi - 1.0).abs() < 1e-10 {
                    1.0
                } else {
                    phi.powi(h as i32)
                };
                v
            })
            .collect()
    }

    /// The h-step forecast variance, class-1 formulas of Hyndman et al. (2008), Table 6.1,
    /// with the residual variance on `T − n_params − 2` degrees of freedom (as augurs).
    pub fn variances(&self, horizon: usize) -> Vec<f64> {
        let s2 = self.sse / (self.fitted.len() as f64 - self.n_params as f64 - 2.0);
        let Params { alpha, beta, phi } = self.params;
        let a2 = alpha * alpha;
        (1..=horizon)
            .map(|h| {
                let h = h as f64;
                let factor = match self.kind {
                    Kind::Level => 1.0 + (h - 1.0) * a2,
                    Kind::Linear => {
                        1.0 + (h - 1.0)
                            * (a2 + alpha * beta * h + beta * beta * h * (2.0 * h - 1.0) / 6.0)
                    }
                    Kind::Damped => {
                        let phi_h = phi.powi(h as i32);
                        let one_phi2 = (1.0 - phi) * (1.0 - phi);
                        1.0 + a2 * (h - 1.0)
                            + (beta * phi * h) / one_phi2 * (2.0 * alpha * (1.0 - phi) + beta * phi)
                            - (beta * phi * (1.0 - phi_h)) / (one_phi2 * (1.0 - phi * phi))
                                * (2.0 * alpha * (1.0 - phi * phi)
                                    + beta * phi * (1.0 + 2.0 * phi - phi_h))
                    }
                };
                factor * s2
            })
            .collect()
    }
}

/// The standard normal quantile for a central interval of `level`.
fn z(level: f64) -> f64 {
    distrs::Normal::ppf(0.5 + level / 2.0, 0.0, 1.0)
}

impl FittedTrendModel for Fitted {
    fn predict_inplace(
        &self,
        horizon: usize,
        level: Option<f64>,
        forecast: &mut Forecast,
    ) -> Result<(), BoxError> {
        if horizon == 0 {
            return Ok(());
        }
        forecast.point = self.point(horizon);
        if let Some(level) = level {
            let z = z(level);
            let (lower, upper) = forecast
                .point
                .iter()
                .zip(self.variances(horizon))
                .map(|(p, v)| (p - z * v.sqrt(), p + z * v.sqrt()))
                .unzip();
            forecast.intervals = Some(ForecastIntervals {
                level,
                lower,
                upper,
            });
        }
        Ok(())
    }

    fn predict_in_sample_inplace(
        &self,
        level: Option<f64>,
        forecast: &mut Forecast,
    ) -> Result<(), BoxError> {
        forecast.point = self.fitted.clone();
        if let Some(level) = level {
            let n = self.fitted.len() as f64;
            let sd = (self.sse / (n - self.n_params as f64 - 1.0)).sqrt();
            let z = z(level);
            let (lower, upper) = self.fitted.iter().map(|p| (p - z * sd, p + z * sd)).unzip();
            forecast.intervals = Some(ForecastIntervals {
                level,
                lower,
                upper,
            });
        }
        Ok(())
    }

    fn training_data_size(&self) -> Option<usize> {
        Some(self.fitted.len())
    }
}

#[cfg(test)]
mod tests;
