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
            let mut points: Vec<Vec<f64>> = (0..12).map(|_| random_x(&quad, &mut rng)).collect();
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

/// Read in place from augurs' row-major matrix (in a shuffled column order, over a length
/// that leaves a tail past the last four rows), the statistics are bitwise those of
/// `dot4` and `segment_sums` over the transposed columns they were first built from.
#[test]
fn statistics_from_the_rows_are_bitwise_those_of_the_transposed_columns() {
    let full = prophet_data(&series_files()[0]);
    let n = full.y.len() - 3;
    let k = full.K as usize;
    let data = Data {
        T: n as i32,
        y: full.y[..n].to_vec(),
        t: full.t[..n].to_vec(),
        cap: full.cap[..n].to_vec(),
        X: full.X[..n * k].to_vec(),
        ..full.clone()
    };
    let perm: Vec<usize> = (0..k).rev().collect();
    let quad = Model::with_columns(&data, true, &perm).unwrap();
    let stream = Model::new_streaming(&permute_columns(&data, &perm), true).unwrap();
    assert!(
        quad.xt.is_empty(),
        "no transposed copy for the quadratic model"
    );
    let q = quad.quad.as_ref().unwrap();
    let seg = stream.segments();
    let nt = stream.n_trend_cols();
    let cols: Vec<&[f64]> = stream.xt.chunks_exact(n).collect();
    assert_eq!(cols.len(), k);
    for (j, cj) in cols.iter().enumerate() {
        let (f0, f1) = stream.segment_sums(&seg, cj);
        for qi in 0..nt {
            let want = stream.sa[j] * stream.trend_dot(&seg, qi, &f0, &f1);
            assert_eq!(
                q.g[qi * q.p + nt + j].to_bits(),
                want.to_bits(),
                "G[{qi}, {j}]"
            );
        }
        for (l, cl) in cols.iter().enumerate().skip(j) {
            let want = stream.sa[j] * stream.sa[l] * dot4(cj, cl);
            let got = q.g[(nt + j) * q.p + nt + l];
            assert_eq!(got.to_bits(), want.to_bits(), "G[{j}, {l}] (features)");
        }
    }
    let rows = Rows::new(&data.X, k, &perm);
    let aty = quad.design_t(&seg, &rows, &data.y);
    for (j, cj) in cols.iter().enumerate() {
        let want = stream.sa[j] * dot4(cj, &data.y);
        assert_eq!(aty[nt + j].to_bits(), want.to_bits(), "Aᵀy[{j}]");
    }
    let theta: Vec<f64> = (0..q.p).map(|i| 0.01 * i as f64 - 0.1).collect();
    let mut want = quad.design(
        &seg,
        &Rows::new(&[], 0, &[]),
        &theta[..nt]
            .iter()
            .chain(&vec![0.0; k])
            .copied()
            .collect::<Vec<_>>(),
    );
    for (j, cj) in cols.iter().enumerate() {
        axpy(&mut want, theta[nt + j] * stream.sa[j], cj);
    }
    let got = quad.design(&seg, &rows, &theta);
    assert!(
        got.iter()
            .zip(&want)
            .all(|(a, b)| a.to_bits() == b.to_bits()),
        "Aθ"
    );
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
        let stream = Model::new_streaming(&data, true).unwrap();
        let q = model.quad.as_ref().unwrap();
        // At the optimum (the clean signal's is too ill-conditioned for L-BFGS on either
        // path: at the parameters that generated it).
        let x = at.unwrap_or_else(|| {
            minimise(&model, start(&model), &OptimizeOpts::default())
                .unwrap()
                .x
        });
        let exact = exact_ss(&stream, &x);
        let rel = |v: f64| (v - exact).abs() / exact;
        let ours = q.ss_grad(&x, &mut vec![0.0; q.p]);
        let stream = streaming_ss(&stream, &x);
        let theta: Vec<f64> = (0..q.p).map(|i| x[x_index(i)]).collect();
        let cols: Vec<usize> = (0..model.k_feat).collect();
        let rows = Rows::new(&data.X, model.k_feat, &cols);
        let aty = model.design_t(&model.segments(), &rows, &model.y);
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
