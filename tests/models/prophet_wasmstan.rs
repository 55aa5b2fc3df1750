//! Cross-check against Stan itself (augurs' wasm build of Prophet's model, the same model Python
//! Prophet compiles) on every reference fixture's data. Only with `--features wasmstan` (pulls in
//! wasmtime).
//!
//! Stan's L-BFGS stalls beside the Laplace prior's kinks at `delta = 0`, and where it stalls
//! depends on floating-point summation order: the same data with the feature columns in another
//! order ends up to 2e-4 relative apart in log posterior (bikeshare), and its forecasts up to
//! 2.7 % of the mean apart from Python's (`stan_forecast_spread_against_python`). So "native >=
//! one Stan run - 1e-6" would test which column order a `HashMap` produced. The check here runs
//! Stan on five fixed column orders and requires the native optimum to be no worse than Stan's
//! own answers (>= the lowest - 1e-6 relative); it prints where native falls in Stan's range.
#![cfg(feature = "wasmstan")]

use std::path::Path;
use std::sync::{Arc, Mutex};

use augurs_prophet::optimizer::{Data, InitialParams, OptimizeOpts, OptimizedParams};
use augurs_prophet::wasmstan::WasmstanOptimizer;
use augurs_prophet::{Optimizer, Prophet, ProphetOptions, SeasonalityOption, TrainingData};
use chrono::NaiveDateTime;
use queuecast::forecast::optimizer::{
    NativeOptimizer, canonical_columns, log_posterior, permute_columns,
};

/// Column orders Stan is run with: augurs builds `X` from a `HashMap`, so Stan's own answer
/// depends on the process; several fixed orders show how far that alone moves it.
const STAN_ORDERS: usize = 5;

/// One fit: the data, native's answer, and Stan's log posteriors over the column orders.
#[derive(Debug)]
struct Run {
    data: Data,
    native: OptimizedParams,
    stan_lp: Vec<f64>,
    jacobian: bool,
}

type Runs = Arc<Mutex<Vec<Run>>>;

/// Runs both optimizers on every fit and keeps both answers.
#[derive(Debug)]
struct Both {
    wasm: WasmstanOptimizer,
    runs: Runs,
}

/// `data` and `init` with the feature columns in order `perm`.
fn permuted(data: &Data, init: &InitialParams, perm: &[usize]) -> (Data, InitialParams) {
    let init = InitialParams {
        beta: perm.iter().map(|&c| init.beta[c]).collect(),
        ..init.clone()
    };
    (permute_columns(data, perm), init)
}

impl Optimizer for Both {
    fn optimize(
        &self,
        init: &InitialParams,
        data: &Data,
        opts: &OptimizeOpts,
    ) -> Result<OptimizedParams, augurs_prophet::optimizer::Error> {
        let jacobian = opts.jacobian.unwrap_or(false);
        let mut stan_lp = Vec::new();
        for o in 0..STAN_ORDERS {
            let perm = order(o, data);
            let (d, i) = permuted(data, init, &perm);
            let stan = self.wasm.optimize(&i, &d, opts)?;
            stan_lp.push(log_posterior(&d, &stan, jacobian).unwrap());
        }
        let native = NativeOptimizer.optimize(init, data, opts)?;
        self.runs.lock().unwrap().push(Run {
            data: data.clone(),
            native: native.clone(),
            stan_lp,
            jacobian,
        });
        Ok(native)
    }
}

/// The window a reference fixture was fitted on (`tests/fixtures/reference/*.json`), so the
/// cross-check runs on exactly the agreement test's data.
#[derive(serde::Deserialize)]
struct Window {
    file: String,
    first_ds: String,
    last_ds: String,
}

fn naive_secs(s: &str) -> i64 {
    NaiveDateTime::parse_from_str(s.trim_end_matches('Z'), "%Y-%m-%dT%H:%M:%S")
        .unwrap_or_else(|e| panic!("bad timestamp {s:?}: {e}"))
        .and_utc()
        .timestamp()
}

/// The fixture's window of its input, or None when the input (a shared dataset) isn't here.
fn window(fixture: &Path) -> Option<(String, TrainingData, i64)> {
    #[derive(serde::Deserialize)]
    struct Fixture {
        name: String,
        input: Window,
    }
    let fx: Fixture = serde_json::from_str(&std::fs::read_to_string(fixture).unwrap()).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let direct = root.join(&fx.input.file);
    let path = if direct.exists() {
        direct
    } else {
        let dir = std::env::var_os("QUEUECAST_SHARED_DATASETS")?;
        let p = Path::new(&dir).join(Path::new(&fx.input.file).file_name()?);
        if !p.exists() {
            return None;
        }
        p
    };
    let (first, last) = (
        naive_secs(&fx.input.first_ds),
        naive_secs(&fx.input.last_ds),
    );
    let mut ds = Vec::new();
    let mut y = Vec::new();
    for rec in csv::Reader::from_path(&path).unwrap().records() {
        let rec = rec.unwrap();
        let t = naive_secs(&rec[0]);
        if (first..=last).contains(&t) {
            ds.push(t);
            y.push(rec[1].parse::<f64>().unwrap());
        }
    }
    let last = *ds.last()?;
    Some((fx.name, TrainingData::new(ds, y).unwrap(), last))
}

/// The reference fixtures, in name order.
fn fixtures() -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reference");
    let mut fixtures: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    fixtures.sort();
    fixtures
}

/// The seed's Prophet settings (as in the reference fixtures), point forecasts only.
fn seed_options() -> ProphetOptions {
    ProphetOptions {
        daily_seasonality: SeasonalityOption::Manual(true),
        weekly_seasonality: SeasonalityOption::Manual(true),
        yearly_seasonality: SeasonalityOption::Manual(false),
        changepoint_prior_scale: 0.05.try_into().unwrap(),
        uncertainty_samples: 0,
        ..ProphetOptions::default()
    }
}

#[test]
fn native_optimum_is_at_least_as_good_as_stans() {
    let fixtures = fixtures();
    let mut inputs = Vec::new();
    for f in &fixtures {
        match window(f) {
            Some(w) => inputs.push(w),
            None => println!("SKIP {}: input not found", f.display()),
        }
    }
    assert!(inputs.len() >= 2, "the synthetic series are committed");
    let runs: Runs = Default::default();
    for (name, data, _) in &inputs {
        let both = Both {
            wasm: WasmstanOptimizer::new(),
            runs: runs.clone(),
        };
        let mut m = Prophet::new(seed_options(), both);
        m.fit(data.clone(), OptimizeOpts::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    let runs = runs.lock().unwrap();
    assert_eq!(runs.len(), inputs.len());
    let mut worse = Vec::new();
    for (run, (name, ..)) in runs.iter().zip(&inputs) {
        let lp_native = log_posterior(&run.data, &run.native, run.jacobian).unwrap();
        let mut stan = run.stan_lp.clone();
        stan.sort_by(f64::total_cmp);
        let rel = |v: f64| (lp_native - v) / v.abs();
        println!(
            "{name}: lp native {lp_native:.4}; native - Stan in the same column order \
             {:+.2e}; Stan over {} column orders {:.4} .. {:.4} \
             (native - Stan: {:+.2e} vs the worst, {:+.2e} vs the median, {:+.2e} vs the best)",
            rel(run.stan_lp[0]),
            stan.len(),
            stan[0],
            stan[stan.len() - 1],
            rel(stan[0]),
            rel(stan[stan.len() / 2]),
            rel(stan[stan.len() - 1]),
        );
        if lp_native < stan[0] - 1e-6 * stan[0].abs() {
            worse.push(format!(
                "{name}: native {lp_native} < every Stan answer (lowest {}, {:+.3e})",
                stan[0],
                rel(stan[0])
            ));
        }
    }
    assert!(
        worse.is_empty(),
        "native optimum worse than Stan's: {worse:#?}"
    );
}

/// Stan with its feature columns in a fixed order (the result mapped back to augurs' order).
#[derive(Debug)]
struct StanInOrder {
    wasm: WasmstanOptimizer,
    order: usize,
}

/// Column order `o` of `data`'s: the canonical order the native optimizer uses (so the runs
/// don't depend on augurs' `HashMap`), then its reverse, then rotations of it.
fn order(o: usize, data: &Data) -> Vec<usize> {
    let base = canonical_columns(data);
    let k = base.len();
    let pick: Vec<usize> = match o {
        0 => (0..k).collect(),
        1 => (0..k).rev().collect(),
        _ => (0..k).map(|c| (c + o * k / STAN_ORDERS) % k).collect(),
    };
    pick.into_iter().map(|i| base[i]).collect()
}

impl Optimizer for StanInOrder {
    fn optimize(
        &self,
        init: &InitialParams,
        data: &Data,
        opts: &OptimizeOpts,
    ) -> Result<OptimizedParams, augurs_prophet::optimizer::Error> {
        let perm = order(self.order, data);
        let (d, i) = permuted(data, init, &perm);
        let mut out = self.wasm.optimize(&i, &d, opts)?;
        let mut beta = vec![0.0; perm.len()];
        for (j, &c) in perm.iter().enumerate() {
            beta[c] = out.beta[j];
        }
        out.beta = beta;
        Ok(out)
    }
}

/// How far Stan's own forecasts move with the column order, against Python's: the yardstick for
/// the 0.5 % agreement test. A measurement, not a check: `--ignored --nocapture`.
#[test]
#[ignore]
fn stan_forecast_spread_against_python() {
    #[derive(serde::Deserialize)]
    struct RefPoint {
        yhat: f64,
    }
    #[derive(serde::Deserialize)]
    struct Input {
        step_minutes: i64,
        mean_y: f64,
    }
    #[derive(serde::Deserialize)]
    struct Fixture {
        input: Input,
        forecast: Vec<RefPoint>,
    }
    let fixtures = fixtures();
    for f in &fixtures {
        let Some((name, data, last)) = window(f) else {
            continue;
        };
        let fx: Fixture = serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        let future: Vec<i64> = (1..=fx.forecast.len() as i64)
            .map(|i| last + i * fx.input.step_minutes * 60)
            .collect();
        let worst = |yhat: &[f64]| {
            yhat.iter()
                .zip(&fx.forecast)
                .map(|(a, r)| (a - r.yhat).abs() / fx.input.mean_y * 100.0)
                .fold(0.0f64, f64::max)
        };
        let mut line = format!("{name}: max |yhat - python| % of mean: Stan by column order");
        for o in 0..STAN_ORDERS {
            let mut m = Prophet::new(
                seed_options(),
                StanInOrder {
                    wasm: WasmstanOptimizer::new(),
                    order: o,
                },
            );
            m.fit(data.clone(), OptimizeOpts::default()).unwrap();
            let p = m
                .predict(augurs_prophet::PredictionData::new(future.clone()))
                .unwrap();
            line += &format!(" {:.3}", worst(&p.yhat.point));
        }
        let mut m = Prophet::new(seed_options(), NativeOptimizer);
        m.fit(data.clone(), OptimizeOpts::default()).unwrap();
        let p = m
            .predict(augurs_prophet::PredictionData::new(future.clone()))
            .unwrap();
        line += &format!("; native {:.3}", worst(&p.yhat.point));
        println!("{line}");
    }
}
