//! `queuecast forecast`: the forecast service for scripts and cron, with documented exit codes.

use std::io::Write;
use std::path::Path;

use color_eyre::eyre::eyre;

use super::{CliError, CommandResult, exit};
use crate::cli::{ForecastArgs, GlobalArgs};
use crate::config::{Config, SeasonalityMode};
use crate::export;
use crate::forecast::ForecastError;
use crate::forecast::pipeline::PipelineError;
use crate::forecast::select;
use crate::forecast::windows::WindowOptions;
use crate::genesys::GenesysClient;
use crate::history::{FillMode, History, HistoryError};
use crate::service::forecast::{self as service, ForecastRun, Summary, pct};
use crate::service::history::{FetchError, fetch_history, read_file, resolve_queue};
use crate::store::Store;

pub async fn run(global: &GlobalArgs, args: ForecastArgs) -> CommandResult {
    let (mut config, paths) = super::load_config(global)?;
    apply_flags(&mut config, &args)?;
    let history = load_history(&mut config, &args).await?;
    let store = Store::new(&paths.data_dir);
    let result = tokio::task::spawn_blocking(move || service::run(&store, history, config))
        .await
        .map_err(|e| CliError::data(eyre!("the forecast task failed: {e}")))?;
    let run = match result {
        Ok(run) => run,
        Err(e) => {
            for note in &e.notes {
                eprintln!("queuecast: warning: {note}");
            }
            return Err(pipeline_error(e.error));
        }
    };
    for w in run.warnings() {
        eprintln!("queuecast: warning: {w}");
    }
    write_output(&args, &run)?;
    Ok(if args.check_drift {
        drift_exit(&run)
    } else {
        exit::OK
    })
}

/// The history to forecast: `--input`'s file, or `--queue`'s fetched from the API. With a file,
/// its bucket size becomes the configured granularity.
async fn load_history(config: &mut Config, args: &ForecastArgs) -> Result<History, CliError> {
    let tz = config.time_zone().map_err(CliError::usage)?;
    if let Some(path) = &args.input {
        let fill = config.history.fill;
        let history = read_file(path, args.queue.as_deref(), tz, fill, args.days).map_err(|e| {
            match e {
                // The path itself is wrong: a usage error, not bad data.
                HistoryError::Io { .. } => CliError::usage(e),
                _ => CliError::data(e),
            }
        })?;
        let found = history.series.granularity;
        if let Some(g) = args.granularity
            && g != found
        {
            return Err(CliError::usage(eyre!(
                "--granularity {g} does not match {}, which has {found} buckets; drop the flag \
                 (the file's bucket size is used)",
                path.display(),
            )));
        }
        config.history.granularity = found;
        return Ok(history);
    }
    let Some(wanted) = &args.queue else {
        return Err(CliError::usage(eyre!(
            "say which queue to forecast: --queue NAME_OR_ID (see `queuecast queues`), \
             or forecast a file with --input FILE.csv"
        )));
    };
    let settings = config.genesys.client_settings().map_err(CliError::usage)?;
    let client = GenesysClient::new(settings).map_err(CliError::api)?;
    let queue = resolve_queue(&client, wanted).await.map_err(fetch_error)?;
    fetch_history(&client, queue, config, chrono::Utc::now(), None)
        .await
        .map_err(fetch_error)
}

/// The export (to a file or stdout) and, unless the export went to stdout, the summary.
fn write_output(args: &ForecastArgs, run: &ForecastRun) -> Result<(), CliError> {
    let format = args.format.unwrap_or_default();
    let out = &run.output;
    let export = match args.export.as_deref() {
        Some(p) if p == Path::new("-") => {
            let bytes = export::render(out, format).map_err(CliError::data)?;
            let mut stdout = std::io::stdout().lock();
            return stdout
                .write_all(&bytes)
                .and_then(|_| stdout.flush())
                .map_err(|e| CliError::usage(eyre!("cannot write to stdout: {e}")));
        }
        Some(path) => {
            let bytes = export::render(out, format).map_err(CliError::data)?;
            crate::fsutil::write_atomic(path, &bytes).map_err(CliError::usage)?;
            Some(path)
        }
        None => None,
    };
    let summary = Summary {
        output: out,
        saved_to: run.saved_to.as_deref(),
        export,
    };
    print!("{summary}");
    Ok(())
}

/// `--check-drift`: exit code 10 when the last forecast drifted past the threshold.
fn drift_exit(run: &ForecastRun) -> u8 {
    match &run.output.drift {
        Some(d) if d.retrain_recommended => {
            eprintln!(
                "queuecast: retraining recommended: {} over {} buckets is {} (threshold {})",
                d.metric.label(),
                d.buckets_compared,
                d.value()
                    .map_or("undefined (no volume arrived)".into(), pct),
                pct(d.threshold)
            );
            return exit::RETRAIN;
        }
        Some(_) => {}
        None if run.had_previous => eprintln!(
            "queuecast: drift not checked: no actuals have arrived yet for the saved forecast"
        ),
        None => eprintln!(
            "queuecast: drift not checked: no earlier forecast saved for this queue \
             (this run's forecast is saved for the next check)"
        ),
    }
    exit::OK
}

/// Flags override config file and env; every value is checked before anything is fetched.
fn apply_flags(config: &mut Config, a: &ForecastArgs) -> Result<(), CliError> {
    if let Some(d) = a.days {
        config.history.days = d;
    }
    if let Some(h) = a.horizon_days {
        config.forecast.horizon_days = h;
    }
    if let Some(g) = a.granularity {
        config.history.granularity = g;
    }
    if let Some(m) = &a.model {
        config.forecast.model = m.trim().to_string();
    }
    if let Some(f) = &a.fill {
        config.history.fill = match f.trim().to_ascii_lowercase().as_str() {
            "zero" => FillMode::Zero,
            "ffill" => FillMode::Ffill,
            other => {
                return Err(CliError::usage(eyre!(
                    "--fill {other:?}: use zero (Genesys omits empty buckets) or ffill"
                )));
            }
        };
    }
    if let Some(v) = a.changepoint_prior_scale {
        config.forecast.changepoint_prior_scale = v;
    }
    if let Some(v) = a.interval_width {
        config.forecast.interval_width = v;
    }
    if let Some(m) = &a.seasonality_mode {
        config.forecast.seasonality_mode = match m.trim().to_ascii_lowercase().as_str() {
            "additive" => SeasonalityMode::Additive,
            "multiplicative" => SeasonalityMode::Multiplicative,
            other => {
                return Err(CliError::usage(eyre!(
                    "--seasonality-mode {other:?}: use additive or multiplicative"
                )));
            }
        };
    }
    if let Some(q) = a.quantile {
        config.windows.quantile = q;
    }
    if let Some(h) = &a.calling_hours {
        config.windows.calling_hours = h.clone();
    }
    if let Some(n) = a.uncertainty_samples {
        config.forecast.uncertainty_samples = n;
    }
    config.validate().map_err(CliError::usage)?;
    WindowOptions::from_config(&config.windows).map_err(CliError::usage)?;
    select::check_model_name(&config.forecast.model).map_err(CliError::usage)?;
    Ok(())
}

fn fetch_error(e: FetchError) -> CliError {
    match e {
        FetchError::Api(_) => CliError::api(e),
        FetchError::History(_) => CliError::data(e),
        FetchError::Config(_) | FetchError::Queue(_) => CliError::usage(e),
    }
}

fn pipeline_error(e: PipelineError) -> CliError {
    match e {
        PipelineError::Config(_) | PipelineError::Forecast(ForecastError::UnknownModel { .. }) => {
            CliError::usage(e)
        }
        PipelineError::Forecast(_) => CliError::data(e),
    }
}
