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

    /// The quadratic form of the data term, for models whose mean is linear in the parameters;
    /// `rows` is the data's feature matrix in the model's column order.
    pub(super) fn build_quadratic(&self, rows: &Rows) -> Option<Quadratic> {
        if self.has_mult || self.trend == TrendIndicator::Logistic || self.t.is_empty() {
            return None;
        }
        let seg = self.segments();
        let p = self.n_trend_cols() + self.k_feat;
        let g = self.gram(&seg, rows);
        let aty = self.design_t(&seg, rows, &self.y);
        let residual = |theta: &[f64]| -> Vec<f64> {
            let fitted = self.design(&seg, rows, theta);
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
            b0: self.design_t(&seg, rows, &r0),
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

    /// `Aᵀv`.
    fn design_t(&self, seg: &Segments, rows: &Rows, v: &[f64]) -> Vec<f64> {
        let (v0, v1) = self.segment_sums(seg, v);
        let mut out: Vec<f64> = (0..self.n_trend_cols())
            .map(|q| self.trend_dot(seg, q, &v0, &v1))
            .collect();
        out.extend(self.sa.iter().zip(rows.col_dots(v)).map(|(sa, d)| sa * d));
        out
    }

    /// `Aθ`.
    fn design(&self, seg: &Segments, rows: &Rows, theta: &[f64]) -> Vec<f64> {
        let nt = self.n_trend_cols();
        let lines: Vec<(f64, f64)> = (0..seg.origin.len())
            .map(|s| {
                (0..nt).fold((0.0, 0.0), |(sl, ic), q| {
                    let (a, b) = self.trend_col(q, s, seg.origin[s]);
                    (sl + theta[q] * a, ic + theta[q] * b)
                })
            })
            .collect();
        let coef: Vec<f64> = self
            .sa
            .iter()
            .zip(&theta[nt..])
            .map(|(sa, th)| th * sa)
            .collect();
        let mut r = vec![0.0; coef.len()];
        self.t
            .iter()
            .zip(&self.seg)
            .enumerate()
            .map(|(i, (&t, &s))| {
                let mut out = lines[s].0 * (t - seg.origin[s]) + lines[s].1;
                rows.read(i, &mut r);
                // Column by column as `axpy` adds them, skipping its zero coefficients.
                for (c, x) in coef.iter().zip(&r) {
                    if *c != 0.0 {
                        out += c * x;
                    }
                }
                out
            })
            .collect()
    }

    /// `AᵀA`, row-major.
    fn gram(&self, seg: &Segments, rows: &Rows) -> Vec<f64> {
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
        let (f0, f1) = self.feature_segment_sums(seg, rows);
        let cross = rows.cross_dots();
        let (kf, ns) = (self.k_feat, seg.origin.len());
        for (j, &sa) in self.sa.iter().enumerate() {
            let col0: Vec<f64> = (0..ns).map(|s| f0[s * kf + j]).collect();
            let col1: Vec<f64> = (0..ns).map(|s| f1[s * kf + j]).collect();
            for q in 0..nt {
                set(q, nt + j, sa * self.trend_dot(seg, q, &col0, &col1));
            }
            for (l, &sl) in self.sa.iter().enumerate().skip(j) {
                set(nt + j, nt + l, sa * sl * cross[j * kf + l]);
            }
        }
        g
    }

    /// [`Model::segment_sums`] of every feature column in one pass over the rows (each sum
    /// still in row order): `[s·K + j]`.
    fn feature_segment_sums(&self, seg: &Segments, rows: &Rows) -> (Vec<f64>, Vec<f64>) {
        let (kf, ns) = (self.k_feat, seg.origin.len());
        let (mut f0, mut f1) = (vec![0.0; ns * kf], vec![0.0; ns * kf]);
        let mut r = vec![0.0; kf];
        for (i, (&t, &s)) in self.t.iter().zip(&self.seg).enumerate() {
            rows.read(i, &mut r);
            let tp = t - seg.origin[s];
            let (a0, a1) = (&mut f0[s * kf..][..kf], &mut f1[s * kf..][..kf]);
            for ((x, v0), v1) in r.iter().zip(a0).zip(a1) {
                *v0 += x;
                *v1 += tp * x;
            }
        }
        (f0, f1)
    }
}

/// augurs' feature matrix read in place (row-major `T × K`), its columns in the model's order.
/// The statistics are built from it row by row with the same partial sums, in the same
/// order, as `dot4`, `axpy` and `segment_sums` over transposed columns, so they are bitwise
/// those of the transposed copy this replaces.
pub(super) struct Rows<'a> {
    x: &'a [f64],
    k: usize,
    cols: &'a [usize],
}

impl<'a> Rows<'a> {
    pub(super) fn new(x: &'a [f64], k: usize, cols: &'a [usize]) -> Self {
        Self { x, k, cols }
    }

    fn len(&self) -> usize {
        self.x.len().checked_div(self.k).unwrap_or(0)
    }

    /// Row `i` in the model's column order, into `out`.
    fn read(&self, i: usize, out: &mut [f64]) {
        let row = &self.x[i * self.k..][..self.k];
        for (o, &c) in out.iter_mut().zip(self.cols) {
            *o = row[c];
        }
    }

    /// `dot4(column j, v)` for every `j`: four partial sums by row mod 4, then the rows past
    /// the last multiple of four.
    fn col_dots(&self, v: &[f64]) -> Vec<f64> {
        let kf = self.cols.len();
        let body = v.len() - v.len() % 4;
        let mut acc = vec![0.0; 4 * kf];
        let mut r = vec![0.0; kf];
        for (i, vi) in v.iter().enumerate().take(body) {
            self.read(i, &mut r);
            for (a, x) in acc[(i % 4) * kf..][..kf].iter_mut().zip(&r) {
                *a += x * vi;
            }
        }
        (0..kf)
            .map(|j| {
                let tail: f64 = (body..v.len())
                    .map(|i| self.x[i * self.k + self.cols[j]] * v[i])
                    .sum();
                (acc[j] + acc[kf + j]) + (acc[2 * kf + j] + acc[3 * kf + j]) + tail
            })
            .collect()
    }

    /// `dot4(column j, column l)` for `l >= j`, at `[j·K + l]`, as `col_dots`.
    fn cross_dots(&self) -> Vec<f64> {
        let kf = self.cols.len();
        let n = self.len();
        let body = n - n % 4;
        let mut acc = vec![0.0; 4 * kf * kf];
        let mut r = vec![0.0; kf];
        for i in 0..body {
            self.read(i, &mut r);
            let lane = &mut acc[(i % 4) * kf * kf..][..kf * kf];
            for (j, xj) in r.iter().enumerate() {
                for (a, xl) in lane[j * kf + j..(j + 1) * kf].iter_mut().zip(&r[j..]) {
                    *a += xj * xl;
                }
            }
        }
        let at = |i: usize, c: usize| self.x[i * self.k + self.cols[c]];
        let mut out = vec![0.0; kf * kf];
        for j in 0..kf {
            for l in j..kf {
                let tail: f64 = (body..n).map(|i| at(i, j) * at(i, l)).sum();
                let q = |lane: usize| acc[lane * kf * kf + j * kf + l];
                out[j * kf + l] = (q(0) + q(1)) + (q(2) + q(3)) + tail;
            }
        }
        out
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
mod tests;
