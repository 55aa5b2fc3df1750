//! Prophet's objective from sufficient statistics, for additive models with a linear or flat
//! trend.
//!
//! There the mean is linear in `θ = (k, m, δ.., β..)`: `μ = Aθ` with a design `A` fixed by the
//! data (columns `t`, `1`, `(t − c_j)·[t ≥ c_j]` per changepoint, `s_a·X` per feature; a flat
//! trend zeroes the `t` and changepoint columns). The likelihood needs only the residual sum of
//! squares `‖y − Aθ‖²`, a quadratic in `θ`, so a fit builds `G = AᵀA` once (O(T·K²)) and each of
//! its ~450 evaluations of value and gradient costs O(P²) instead of a pass over all T points.
//! Logistic trends and multiplicative features are not linear in `θ` and keep the streaming
//! path, which is also the reference this one is tested against.
//!
//! # Numerics
//!
//! The textbook form `yᵀy − 2θᵀAᵀy + θᵀGθ` cancels where the residual is a small part of `y`,
//! and so does its gradient `Gθ − Aᵀy`. Instead the quadratic is expanded around a point `θ₀`
//! whose residual `r₀ = y − Aθ₀` is computed once, point by point:
//!
//! `‖y − Aθ‖² = ‖r₀‖² − 2dᵀ(Aᵀr₀) + dᵀGd`, `d = θ − θ₀`, gradient `Gd − Aᵀr₀`.
//!
//! Its rounding error is about `ε·|d|ᵀ|G||d|`, so `θ₀` must be near where the fit ends, not
//! merely near the least-squares fit: the first version took least squares, whose changepoint
//! rates swing far along the nearly collinear hinge columns (|δ| up to 3 where the optimum has
//! 0.3), and measured *worse* than the textbook form (7.7e-14 against 8.1e-15 on the 90-day
//! synthetic series; 1.3e-12 on the Victorian electricity series). `θ₀` is now a dozen reweighted ridge solves of `G` (P³/3 flops each):
//! the priors as Gaussians at the least-squares noise level, the Laplace prior on each `δ` by
//! its quadratic majorant at the current `δ`, which lands close to the MAP optimum.
//!
//! Measured at the optimum of the 7 series (`measured_cancellation` in the tests, relative error
//! of `‖y − Aθ‖²` against a double-double evaluation): this form 1.4e-16 .. 1.3e-15, the
//! streaming sum 1.8e-16 .. 5.7e-15, the textbook form 3.5e-15 .. 8.9e-13 (the electricity
//! series, where the residual is 0.2-1 % of `yᵀy`), and on a clean signal whose residual is
//! 1e-8 of `yᵀy` 1.4e-13, 1.3e-13 and 7.2e-9. Alternatives: a Householder QR of `[A y]` is
//! accurate whatever `θ₀` but costs 2·T·P² flops, ~20x the structured Gram below (35,040
//! points: 1.2e8 against 5.6e6); compensated (double-double) evaluation of the textbook form
//! would also need `G`, `Aᵀy` and `yᵀy` accumulated in double-double, since the cancellation
//! amplifies the rounding of every entry, ~10x the set-up for the accuracy this form has.
//!
//! # The Gram matrix
//!
//! On each changepoint segment every trend column is `a·(t − origin) + b` with `a, b ≥ 0`, so
//! `t`-moments per segment (about the segment's first point, which keeps the sums free of
//! cancellation) give the trend block in O(S³) and the trend × feature block in O(T·K); only
//! the feature block needs K²/2 dot products over T.

use augurs_prophet::TrendIndicator;

use super::{IDELTA, IK, IM, IU, Model, dot4};

/// Moments of `t' = t − origin` per changepoint segment (segment `s` holds the points after
/// exactly `s` changepoints).
#[derive(Debug, Clone)]
struct Segments {
    origin: Vec<f64>,
    n: Vec<f64>,
    m1: Vec<f64>,
    m2: Vec<f64>,
}

/// The residual sum of squares as a quadratic around `θ₀` (see the module doc).
#[derive(Debug, Clone)]
pub(super) struct Quadratic {
    /// Length of `θ` (the model's parameters without `log sigma_obs`).
    p: usize,
    /// `G = AᵀA`, row-major, both triangles stored so `G·d` is contiguous row dot products.
    g: Vec<f64>,
    theta0: Vec<f64>,
    /// `Aᵀr₀`.
    b0: Vec<f64>,
    /// `‖r₀‖²`.
    ss0: f64,
}

/// Index in the model's parameter vector `[k, m, log sigma_obs, δ.., β..]` of `θ[q]`.
fn x_index(q: usize) -> usize {
    if q < IU { q } else { q + 1 }
}

impl Quadratic {
    /// `‖y − Aθ‖²` for the `θ` inside `x`, and `h = −Aᵀ(y − Aθ)` (half its gradient).
    fn ss_grad(&self, x: &[f64], h: &mut [f64]) -> f64 {
        let p = self.p;
        let d: Vec<f64> = (0..p).map(|q| x[x_index(q)] - self.theta0[q]).collect();
        let (mut quad, mut lin) = (0.0, 0.0);
        for (q, row) in self.g.chunks_exact(p).enumerate() {
            let gd = dot4(row, &d);
            h[q] = gd - self.b0[q];
            quad += d[q] * gd;
            lin += d[q] * self.b0[q];
        }
        // dᵀGd >= 0 and ‖r₀‖² >= 0: rounding must not make a sum of squares negative.
        (self.ss0 + (quad - 2.0 * lin)).max(0.0)
    }
}

impl Model {
    /// Whether this model evaluates its objective from sufficient statistics.
    pub fn uses_sufficient_statistics(&self) -> bool {
        self.quad.is_some()
    }

    /// The quadratic form of the data term, for models whose mean is linear in the parameters.
    pub(super) fn build_quadratic(&self) -> Option<Quadratic> {
        if self.has_mult || self.trend == TrendIndicator::Logistic || self.t.is_empty() {
            return None;
        }
        let seg = self.segments();
        let p = self.n_trend_cols() + self.k_feat;
        let g = self.gram(&seg);
        let aty = self.design_t(&seg, &self.y);
        let residual = |theta: &[f64]| -> Vec<f64> {
            let fitted = self.design(&seg, theta);
            self.y.iter().zip(&fitted).map(|(y, f)| y - f).collect()
        };
        let theta0 = ridge_solve(&g, p, &aty, &vec![0.0; p])
            .and_then(|ls| {
                let r = residual(&ls);
                self.approximate_optimum(&g, &aty, &ls, dot4(&r, &r))
            })
            .unwrap_or_else(|| vec![0.0; p]);
        let r0 = residual(&theta0);
        Some(Quadratic {
            p,
            b0: self.design_t(&seg, &r0),
            ss0: dot4(&r0, &r0),
            g,
            theta0,
        })
    }

    /// Near the optimum for `θ`, cheaply: iteratively reweighted ridge regressions, each prior
    /// a Gaussian in units of the residual sum of squares at the current noise level, the
    /// Laplace prior on each `δ` as its quadratic majorant at the current `δ` (`|δ| <=
    /// δ²/(2|δ₀|) + |δ₀|/2`). `ls` is the least-squares fit and `ss_ls` its residual sum of
    /// squares.
    fn approximate_optimum(
        &self,
        g: &[f64],
        aty: &[f64],
        ls: &[f64],
        ss_ls: f64,
    ) -> Option<Vec<f64>> {
        const STEPS: usize = 12;
        let (p, n, nt) = (aty.len(), self.t.len() as f64, self.n_trend_cols());
        let mut theta = ls.to_vec();
        // The first step gives each δ the Laplace prior's variance, 2τ².
        let mut delta_scale = vec![self.tau; nt - 2];
        for _ in 0..STEPS {
            let d: Vec<f64> = theta.iter().zip(ls).map(|(a, b)| a - b).collect();
            let gd: Vec<f64> = g.chunks_exact(p).map(|row| dot4(row, &d)).collect();
            let noise = (ss_ls + dot4(&d, &gd)) / n;
            let mut ridge = vec![noise / 25.0; 2];
            ridge.extend(
                delta_scale
                    .iter()
                    .map(|s| 2.0 * noise / (self.tau * s.max(1e-6 * self.tau))),
            );
            ridge.extend(self.inv_sigma2.iter().map(|w| noise * w));
            theta = ridge_solve(g, p, aty, &ridge)?;
            for (s, t) in delta_scale.iter_mut().zip(&theta[2..nt]) {
                *s = 2.0 * t.abs();
            }
        }
        Some(theta)
    }

    /// Negative log posterior and gradient from the quadratic form (same terms as the
    /// streaming `value_grad`).
    pub(super) fn value_grad_quadratic(&self, q: &Quadratic, x: &[f64], grad: &mut [f64]) -> f64 {
        let mut h = vec![0.0; q.p];
        let ss = q.ss_grad(x, &mut h);
        let sigma2 = (2.0 * x[IU]).exp();
        let f = self.prior_value_grad(x, ss, grad);
        for (qi, hq) in h.iter().enumerate() {
            grad[x_index(qi)] += hq / sigma2;
        }
        f
    }

    /// `k`, `m` and one column per changepoint.
    fn n_trend_cols(&self) -> usize {
        2 + self.t_change.len()
    }

    /// Trend column `q` on segment `s` as `(a, b)`: its value there is `a·(t − origin) + b`.
    fn trend_col(&self, q: usize, s: usize, origin: f64) -> (f64, f64) {
        let flat = self.trend == TrendIndicator::Flat;
        match q {
            IM => (0.0, 1.0),
            _ if flat => (0.0, 0.0),
            IK => (1.0, origin),
            _ => {
                let c = q - (IDELTA - 1);
                if c < s {
                    (1.0, origin - self.t_change[c])
                } else {
                    (0.0, 0.0)
                }
            }
        }
    }

    fn segments(&self) -> Segments {
        let ns = self.t_change.len() + 1;
        let mut origin = vec![None; ns];
        for (&t, &s) in self.t.iter().zip(&self.seg) {
            origin[s].get_or_insert(t);
        }
        let origin: Vec<f64> = origin.into_iter().map(|o| o.unwrap_or(0.0)).collect();
        let (mut n, mut m1, mut m2) = (vec![0.0; ns], vec![0.0; ns], vec![0.0; ns]);
        for (&t, &s) in self.t.iter().zip(&self.seg) {
            let tp = t - origin[s];
            n[s] += 1.0;
            m1[s] += tp;
            m2[s] += tp * tp;
        }
        Segments { origin, n, m1, m2 }
    }

    /// Per-segment sums of `v` and `t'·v`.
    fn segment_sums(&self, seg: &Segments, v: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let ns = seg.origin.len();
        let (mut v0, mut v1) = (vec![0.0; ns], vec![0.0; ns]);
        for ((&vi, &t), &s) in v.iter().zip(&self.t).zip(&self.seg) {
            v0[s] += vi;
            v1[s] += (t - seg.origin[s]) * vi;
        }
        (v0, v1)
    }

    /// `Σ_s a·v1[s] + b·v0[s]` for trend column `q`: its inner product with `v`.
    fn trend_dot(&self, seg: &Segments, q: usize, v0: &[f64], v1: &[f64]) -> f64 {
        (0..seg.origin.len())
            .map(|s| {
                let (a, b) = self.trend_col(q, s, seg.origin[s]);
                a * v1[s] + b * v0[s]
            })
            .sum()
    }

    /// The feature columns of the design (`s_a·X`), unscaled, with their scale `s_a`.
    fn feature_cols(&self) -> impl Iterator<Item = (f64, &[f64])> {
        let n = self.t.len().max(1);
        self.sa.iter().copied().zip(self.xt.chunks_exact(n))
    }

    /// `Aᵀv`.
    fn design_t(&self, seg: &Segments, v: &[f64]) -> Vec<f64> {
        let (v0, v1) = self.segment_sums(seg, v);
        let mut out: Vec<f64> = (0..self.n_trend_cols())
            .map(|q| self.trend_dot(seg, q, &v0, &v1))
            .collect();
        out.extend(self.feature_cols().map(|(sa, col)| sa * dot4(col, v)));
        out
    }

    /// `Aθ`.
    fn design(&self, seg: &Segments, theta: &[f64]) -> Vec<f64> {
        let nt = self.n_trend_cols();
        let lines: Vec<(f64, f64)> = (0..seg.origin.len())
            .map(|s| {
                (0..nt).fold((0.0, 0.0), |(sl, ic), q| {
                    let (a, b) = self.trend_col(q, s, seg.origin[s]);
                    (sl + theta[q] * a, ic + theta[q] * b)
                })
            })
            .collect();
        let mut out: Vec<f64> = self
            .t
            .iter()
            .zip(&self.seg)
            .map(|(&t, &s)| lines[s].0 * (t - seg.origin[s]) + lines[s].1)
            .collect();
        for ((sa, col), th) in self.feature_cols().zip(&theta[nt..]) {
            super::axpy(&mut out, th * sa, col);
        }
        out
    }

    /// `AᵀA`, row-major.
    fn gram(&self, seg: &Segments) -> Vec<f64> {
        let nt = self.n_trend_cols();
        let p = nt + self.k_feat;
        let mut g = vec![0.0; p * p];
        let mut set = |i: usize, j: usize, v: f64| {
            g[i * p + j] = v;
            g[j * p + i] = v;
        };
        for q in 0..nt {
            for r in q..nt {
                let v = (0..seg.origin.len())
                    .map(|s| {
                        let o = seg.origin[s];
                        let ((a1, b1), (a2, b2)) =
                            (self.trend_col(q, s, o), self.trend_col(r, s, o));
                        a1 * a2 * seg.m2[s] + (a1 * b2 + a2 * b1) * seg.m1[s] + b1 * b2 * seg.n[s]
                    })
                    .sum();
                set(q, r, v);
            }
        }
        let cols: Vec<(f64, &[f64])> = self.feature_cols().collect();
        for (j, &(sa, col)) in cols.iter().enumerate() {
            let (f0, f1) = self.segment_sums(seg, col);
            for q in 0..nt {
                set(q, nt + j, sa * self.trend_dot(seg, q, &f0, &f1));
            }
            for (l, &(sl, cl)) in cols.iter().enumerate().skip(j) {
                set(nt + j, nt + l, sa * sl * dot4(col, cl));
            }
        }
        g
    }
}

/// Solves `(G + diag(ridge) + λI)θ = rhs` by Cholesky, with the smallest jitter `λ` (from 1e-10
/// of the largest diagonal entry up) for which the factor exists, so zero columns (a flat
/// trend's) and nearly collinear changepoint columns still give a finite `θ₀`.
fn ridge_solve(g: &[f64], p: usize, rhs: &[f64], ridge: &[f64]) -> Option<Vec<f64>> {
    let scale = (0..p).map(|i| g[i * p + i]).fold(0.0, f64::max);
    if scale <= 0.0 || !scale.is_finite() {
        return None;
    }
    let mut lambda = 1e-10 * scale;
    for _ in 0..8 {
        let diag: Vec<f64> = ridge.iter().map(|r| r + lambda).collect();
        if let Some(l) = cholesky(g, p, &diag) {
            return Some(cholesky_solve(&l, p, rhs));
        }
        lambda *= 100.0;
    }
    None
}

/// Lower Cholesky factor of `G + diag(add)` (row-major), or None when it is not positive
/// definite.
fn cholesky(g: &[f64], p: usize, add: &[f64]) -> Option<Vec<f64>> {
    let mut l = vec![0.0; p * p];
    for i in 0..p {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i * p + k] * l[j * p + k]).sum();
            if i == j {
                let d = g[i * p + i] + add[i] - s;
                if d <= 0.0 || !d.is_finite() {
                    return None;
                }
                l[i * p + i] = d.sqrt();
            } else {
                l[i * p + j] = (g[i * p + j] - s) / l[j * p + j];
            }
        }
    }
    Some(l)
}

/// `x` with `L Lᵀ x = b`.
fn cholesky_solve(l: &[f64], p: usize, b: &[f64]) -> Vec<f64> {
    let mut z = vec![0.0; p];
    for i in 0..p {
        let s: f64 = (0..i).map(|k| l[i * p + k] * z[k]).sum();
        z[i] = (b[i] - s) / l[i * p + i];
    }
    let mut x = vec![0.0; p];
    for i in (0..p).rev() {
        let s: f64 = (i + 1..p).map(|k| l[k * p + i] * x[k]).sum();
        x[i] = (z[i] - s) / l[i * p + i];
    }
    x
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};
    use std::sync::{Arc, Mutex};

    use augurs_prophet::optimizer::{Data, InitialParams, OptimizeOpts, OptimizedParams};
    use augurs_prophet::{Optimizer, Prophet, ProphetOptions, SeasonalityOption, TrainingData};
    use chrono::NaiveDateTime;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    use super::*;
    use crate::forecast::optimizer::{axpy, canonical_columns, minimise, permute_columns};

    /// Keeps the data augurs hands to the optimizer and stops the fit there.
    #[derive(Debug, Clone, Default)]
    struct Recorder(Arc<Mutex<Option<Data>>>);

    impl Optimizer for Recorder {
        fn optimize(
            &self,
            _: &InitialParams,
            data: &Data,
            _: &OptimizeOpts,
        ) -> Result<OptimizedParams, augurs_prophet::optimizer::Error> {
            *self.0.lock().unwrap() = Some(data.clone());
            Err(augurs_prophet::optimizer::Error::static_str("recorded"))
        }
    }

    /// The committed synthetic series and every shared dataset found (read in place, from
    /// `../shared/datasets` beside the repo or `QUEUECAST_SHARED_DATASETS`).
    fn series_files() -> Vec<PathBuf> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = vec![
            root.join("tests/fixtures/synthetic_contact_centre_90d_hourly.csv"),
            root.join("tests/fixtures/synthetic_contact_centre_365d_hourly.csv"),
        ];
        let shared = std::env::var_os("QUEUECAST_SHARED_DATASETS")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("../shared/datasets"));
        match std::fs::read_dir(&shared) {
            Ok(dir) => {
                let mut csv: Vec<PathBuf> = dir
                    .map(|e| e.unwrap().path())
                    .filter(|p| p.extension().is_some_and(|e| e == "csv"))
                    .collect();
                csv.sort();
                files.extend(csv);
            }
            Err(_) => println!("SKIP shared datasets: {} not found", shared.display()),
        }
        files
    }

    /// Prophet's model data (the seed's settings: additive daily + weekly, linear trend) for a
    /// `ds,y` file.
    fn prophet_data(path: &Path) -> Data {
        let text = std::fs::read_to_string(path).unwrap();
        let (mut ds, mut y) = (Vec::new(), Vec::new());
        for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
            let (d, v) = line.split_once(',').unwrap();
            let ts = NaiveDateTime::parse_from_str(d.trim_end_matches('Z'), "%Y-%m-%dT%H:%M:%S")
                .unwrap_or_else(|e| panic!("{}: {d:?}: {e}", path.display()));
            ds.push(ts.and_utc().timestamp());
            y.push(v.trim().parse::<f64>().unwrap());
        }
        let opts = ProphetOptions {
            daily_seasonality: SeasonalityOption::Manual(true),
            weekly_seasonality: SeasonalityOption::Manual(true),
            yearly_seasonality: SeasonalityOption::Manual(false),
            ..ProphetOptions::default()
        };
        let rec = Recorder::default();
        let mut m = Prophet::new(opts, rec.clone());
        let _ = m.fit(TrainingData::new(ds, y).unwrap(), OptimizeOpts::default());
        let data = rec
            .0
            .lock()
            .unwrap()
            .take()
            .expect("augurs called the optimizer");
        // augurs orders the columns through a HashMap: fix the order so runs repeat.
        permute_columns(&data, &canonical_columns(&data))
    }

    /// A parameter vector of the sizes and signs Prophet's fits visit (some deltas at the
    /// Laplace kink, where both paths take the same one-sided derivative).
    fn random_x(model: &Model, rng: &mut StdRng) -> Vec<f64> {
        let delta: Vec<f64> = (0..model.t_change.len())
            .map(|_| {
                if rng.random::<f64>() < 0.2 {
                    0.0
                } else {
                    rng.random_range(-0.3..0.3)
                }
            })
            .collect();
        let beta: Vec<f64> = (0..model.k_feat)
            .map(|_| rng.random_range(-0.3..0.3))
            .collect();
        model.pack(
            rng.random_range(-1.0..1.0),
            rng.random_range(-0.5..1.0),
            rng.random_range(-4.0f64..0.5).exp(),
            &delta,
            &beta,
        )
    }

    /// `‖y − Aθ‖²` by the streaming model's own trend and features.
    fn streaming_ss(model: &Model, x: &[f64]) -> f64 {
        let mut fitted = model.trend(x);
        for (j, col) in model.xt.chunks_exact(model.t.len()).enumerate() {
            axpy(&mut fitted, x[model.beta_offset() + j] * model.sa[j], col);
        }
        model
            .y
            .iter()
            .zip(&fitted)
            .map(|(y, f)| (y - f) * (y - f))
            .sum()
    }

    /// Differences of value and gradient between the two paths at `x`: the value's relative to
    /// the size of its terms (the likelihood's `n·|u| + SS/2σ²` can nearly cancel at a random
    /// point), the gradient's relative to its largest component.
    fn disagreement(quad: &Model, stream: &Model, x: &[f64]) -> (f64, f64) {
        let (mut gq, mut gs) = (vec![0.0; x.len()], vec![0.0; x.len()]);
        let fq = quad.value_grad(x, &mut gq);
        let fs = stream.value_grad_streaming(x, &mut gs);
        let u = x[IU];
        let fscale = fs.abs()
            + stream.t.len() as f64 * u.abs()
            + streaming_ss(stream, x) / (2.0 * (2.0 * u).exp());
        let gscale = gs.iter().fold(0.0f64, |a, v| a.max(v.abs()));
        let gdiff = gq
            .iter()
            .zip(&gs)
            .fold(0.0f64, |a, (q, s)| a.max((q - s).abs()));
        ((fq - fs).abs() / fscale.max(1.0), gdiff / gscale.max(1.0))
    }

    /// Value and gradient agree with the streaming path on random parameters and at the
    /// optimum, for a linear and a flat trend, with and without the Jacobian term, on every
    /// series.
    #[test]
    fn matches_the_streaming_path_on_real_series() {
        let mut rng = StdRng::seed_from_u64(18);
        let (mut worst_f, mut worst_g) = (0.0f64, 0.0f64);
        for path in series_files() {
            let mut data = prophet_data(&path);
            for (trend, jacobian) in [
                (TrendIndicator::Linear, false),
                (TrendIndicator::Linear, true),
                (TrendIndicator::Flat, true),
            ] {
                data.trend_indicator = trend;
                let quad = Model::new(&data, jacobian).unwrap();
                let stream = Model::new_streaming(&data, jacobian).unwrap();
                assert!(quad.uses_sufficient_statistics());
                assert!(!stream.uses_sufficient_statistics());
                let mut points: Vec<Vec<f64>> =
                    (0..12).map(|_| random_x(&quad, &mut rng)).collect();
                let opt = minimise(&stream, start(&stream), &OptimizeOpts::default()).unwrap();
                points.push(opt.x);
                for x in &points {
                    let (df, dg) = disagreement(&quad, &stream, x);
                    assert!(
                        df < 1e-13 && dg < 2e-10,
                        "{} {trend:?} jacobian={jacobian}: value differs by {df:.2e}, gradient by {dg:.2e} (relative)",
                        path.display()
                    );
                    worst_f = worst_f.max(df);
                    worst_g = worst_g.max(dg);
                }
            }
        }
        println!("worst relative difference: value {worst_f:.2e}, gradient {worst_g:.2e}");
    }

    /// A double-double number: `hi + lo` with `|lo| <= ulp(hi) / 2`.
    #[derive(Debug, Clone, Copy, Default)]
    struct Dd(f64, f64);

    impl Dd {
        fn norm(s: f64, e: f64) -> Self {
            let hi = s + e;
            Dd(hi, e - (hi - s))
        }
        fn add(self, o: Dd) -> Dd {
            let s = self.0 + o.0;
            let bb = s - self.0;
            let e = (self.0 - (s - bb)) + (o.0 - bb);
            Dd::norm(s, e + self.1 + o.1)
        }
        fn mul(self, o: Dd) -> Dd {
            let p = self.0 * o.0;
            let e = self.0.mul_add(o.0, -p) + (self.0 * o.1 + self.1 * o.0);
            Dd::norm(p, e)
        }
        fn f(v: f64) -> Dd {
            Dd(v, 0.0)
        }
    }

    /// `‖y − Aθ‖²` in double-double arithmetic from the design's definition.
    fn exact_ss(model: &Model, x: &[f64]) -> f64 {
        let s = model.t_change.len();
        let bo = model.beta_offset();
        let n = model.t.len();
        let linear = model.trend == TrendIndicator::Linear;
        let mut ss = Dd::default();
        for i in 0..n {
            let t = model.t[i];
            let mut mu = Dd::f(x[IM]);
            if linear {
                mu = mu.add(Dd::f(x[IK]).mul(Dd::f(t)));
                for c in 0..s.min(model.seg[i]) {
                    let d = Dd::f(t).add(Dd::f(-model.t_change[c]));
                    mu = mu.add(Dd::f(x[IDELTA + c]).mul(d));
                }
            }
            for j in 0..model.k_feat {
                let xij = model.xt[j * n + i] * model.sa[j];
                mu = mu.add(Dd::f(x[bo + j]).mul(Dd::f(xij)));
            }
            let r = Dd::f(model.y[i]).add(Dd(-mu.0, -mu.1));
            ss = ss.add(r.mul(r));
        }
        ss.0 + ss.1
    }

    /// The residual sum of squares at the optimum three ways against the double-double value:
    /// the streaming pass, this module's form around `θ₀`, and the textbook
    /// `yᵀy − 2θᵀAᵀy + θᵀGθ` (the figures quoted in the module doc; `--nocapture`).
    #[test]
    fn measured_cancellation() {
        let mut cases: Vec<(String, Data, Option<Vec<f64>>)> = series_files()
            .iter()
            .map(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into();
                (name, prophet_data(p), None)
            })
            .collect();
        let (clean, x_clean) = clean_signal(&cases[0].1);
        cases.push(("clean signal".into(), clean, Some(x_clean)));
        for (name, data, at) in cases {
            let model = Model::new(&data, true).unwrap();
            let q = model.quad.as_ref().unwrap();
            // At the optimum (the clean signal's is too ill-conditioned for L-BFGS on either
            // path: at the parameters that generated it).
            let x = at.unwrap_or_else(|| {
                minimise(&model, start(&model), &OptimizeOpts::default())
                    .unwrap()
                    .x
            });
            let exact = exact_ss(&model, &x);
            let rel = |v: f64| (v - exact).abs() / exact;
            let ours = q.ss_grad(&x, &mut vec![0.0; q.p]);
            let stream = streaming_ss(&model, &x);
            let theta: Vec<f64> = (0..q.p).map(|i| x[x_index(i)]).collect();
            let aty = model.design_t(&model.segments(), &model.y);
            let gtheta: Vec<f64> = q.g.chunks_exact(q.p).map(|row| dot4(row, &theta)).collect();
            let yy = dot4(&model.y, &model.y);
            let textbook = yy - 2.0 * dot4(&theta, &aty) + dot4(&theta, &gtheta);
            println!(
                "{name}: SS/yᵀy {:.1e}; relative error of SS: streaming {:.1e}, around θ₀ {:.1e}, \
                 textbook {:.1e}",
                exact / yy,
                rel(stream),
                rel(ours),
                rel(textbook)
            );
            // As accurate as the streaming sum (whose floor is forming each residual).
            assert!(
                rel(ours) <= 1e-14f64.max(10.0 * rel(stream)),
                "{name}: {:.2e} (streaming {:.2e})",
                rel(ours),
                rel(stream)
            );
        }
    }

    /// The start the tests minimise from (Prophet's own starts k, m from the end points).
    fn start(model: &Model) -> Vec<f64> {
        model.pack(
            0.1,
            0.4,
            0.3,
            &vec![0.0; model.t_change.len()],
            &vec![0.0; model.k_feat],
        )
    }

    /// `data`'s design with `y` an exact trend + seasonality plus 1e-4 noise (a residual that is
    /// a tiny part of `y`, where the textbook form cancels most), and the parameters used.
    fn clean_signal(data: &Data) -> (Data, Vec<f64>) {
        let model = Model::new_streaming(data, true).unwrap();
        let delta: Vec<f64> = (0..model.t_change.len())
            .map(|c| if c % 5 == 2 { 0.1 } else { 0.0 })
            .collect();
        let beta: Vec<f64> = (0..model.k_feat).map(|j| 0.05 / (1.0 + j as f64)).collect();
        let x = model.pack(0.2, 0.4, 1.0, &delta, &beta);
        let mut y = model.trend(&x);
        for (j, col) in model.xt.chunks_exact(model.t.len()).enumerate() {
            axpy(&mut y, beta[j] * model.sa[j], col);
        }
        for (i, v) in y.iter_mut().enumerate() {
            *v += 1e-4 * (((i * 7919) % 101) as f64 / 50.0 - 1.0);
        }
        (Data { y, ..data.clone() }, x)
    }
}
