//! Cross-check against Stan itself (augurs' wasm build of Prophet's model): at the same data and
//! start, the native optimum's log posterior must be at least the wasm optimizer's minus 1e-6
//! relative. Only with `--features wasmstan` (pulls in wasmtime).
#![cfg(feature = "wasmstan")]

use std::path::Path;
use std::sync::{Arc, Mutex};

use augurs_prophet::optimizer::{Data, InitialParams, OptimizeOpts, OptimizedParams};
use augurs_prophet::wasmstan::WasmstanOptimizer;
use augurs_prophet::{Optimizer, Prophet, ProphetOptions, SeasonalityOption, TrainingData};
use chrono::NaiveDateTime;
use queuecast::forecast::optimizer::{NativeOptimizer, log_posterior};

type Runs = Arc<Mutex<Vec<(Data, OptimizedParams, OptimizedParams, bool)>>>;

/// Runs both optimizers on every fit and keeps both answers.
#[derive(Debug)]
struct Both {
    wasm: WasmstanOptimizer,
    runs: Runs,
}

impl Optimizer for Both {
    fn optimize(
        &self,
        init: &InitialParams,
        data: &Data,
        opts: &OptimizeOpts,
    ) -> Result<OptimizedParams, augurs_prophet::optimizer::Error> {
        let wasm = self.wasm.optimize(init, data, opts)?;
        let native = NativeOptimizer.optimize(init, data, opts)?;
        self.runs.lock().unwrap().push((
            data.clone(),
            native.clone(),
            wasm,
            opts.jacobian.unwrap_or(false),
        ));
        Ok(native)
    }
}

fn series(path: &Path, last_rows: usize) -> TrainingData {
    let mut ds = Vec::new();
    let mut y = Vec::new();
    for rec in csv::Reader::from_path(path).unwrap().records() {
        let rec = rec.unwrap();
        let t = NaiveDateTime::parse_from_str(rec[0].trim_end_matches('Z'), "%Y-%m-%dT%H:%M:%S")
            .unwrap();
        ds.push(t.and_utc().timestamp());
        y.push(rec[1].parse::<f64>().unwrap());
    }
    let skip = ds.len().saturating_sub(last_rows);
    TrainingData::new(ds[skip..].to_vec(), y[skip..].to_vec()).unwrap()
}

#[test]
fn native_optimum_is_at_least_as_good_as_stans() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut inputs = vec![root.join("tests/fixtures/synthetic_contact_centre_90d_hourly.csv")];
    let shared = std::env::var_os("QUEUECAST_SHARED_DATASETS")
        .map(Into::into)
        .unwrap_or_else(|| root.join("../shared/datasets"));
    for f in [
        "bikeshare_dc_2012_hourly.csv",
        "callcentre_il_bank_1999_hourly.csv",
        "electricity_vic_2014_hourly.csv",
        "taxi_nyc_2014_hourly.csv",
    ] {
        let p: std::path::PathBuf = Path::new(&shared).join(f);
        if p.exists() {
            inputs.push(p);
        } else {
            println!("SKIP {}: not found", p.display());
        }
    }
    let runs: Runs = Default::default();
    for input in &inputs {
        let opts = ProphetOptions {
            daily_seasonality: SeasonalityOption::Manual(true),
            weekly_seasonality: SeasonalityOption::Manual(true),
            yearly_seasonality: SeasonalityOption::Manual(false),
            changepoint_prior_scale: 0.05.try_into().unwrap(),
            uncertainty_samples: 0,
            ..ProphetOptions::default()
        };
        let both = Both {
            wasm: WasmstanOptimizer::new(),
            runs: runs.clone(),
        };
        let mut m = Prophet::new(opts, both);
        m.fit(series(input, 90 * 24), OptimizeOpts::default())
            .unwrap_or_else(|e| panic!("{}: {e}", input.display()));
    }
    let runs = runs.lock().unwrap();
    assert_eq!(runs.len(), inputs.len());
    for ((data, native, wasm, jac), input) in runs.iter().zip(&inputs) {
        let lp_native = log_posterior(data, native, *jac).unwrap();
        let lp_wasm = log_posterior(data, wasm, *jac).unwrap();
        println!(
            "{}: lp native {lp_native:.6}, wasm {lp_wasm:.6}",
            input.display()
        );
        assert!(
            lp_native >= lp_wasm - 1e-6 * lp_wasm.abs(),
            "{}: native {lp_native} < wasm {lp_wasm}",
            input.display()
        );
    }
}
