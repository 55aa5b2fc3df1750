//! `queuecast forecast`: the pipeline for scripts and cron, with documented exit codes.

use std::io::Write;
use std::path::Path;

use color_eyre::eyre::eyre;

use super::{CliError, CommandResult, exit};
use crate::cli::{ForecastArgs, GlobalArgs};
use crate::config::{Config, SeasonalityMode};
use crate::export::{self, ExportFormat};
use crate::forecast::ForecastError;
use crate::forecast::pipeline::{
    FetchError, PipelineError, PipelineInput, PipelineOutput, QueueRef, fetch_history,
    resolve_queue, run_forecast_named,
};
use crate::forecast::select;
use crate::forecast::windows::WindowOptions;
use crate::genesys::GenesysClient;
use crate::history::{self, FillMode, HistoryError};
use crate::store::Store;

pub async fn run(global: &GlobalArgs, args: ForecastArgs) -> CommandResult {
    let (mut config, paths) = super::load_config(global)?;
    apply_flags(&mut config, &args)?;
    let tz = config.time_zone().map_err(CliError::usage)?;

    let (series, summary, queue) = match &args.input {
        Some(path) => {
            let (series, summary) = read_input(path, tz, config.history.fill, args.days)?;
            if let Some(g) = args.granularity
                && g != series.granularity
            {
                return Err(CliError::usage(eyre!(
                    "--granularity {g} does not match {}, which has {} buckets; drop the flag \
                     (the file's bucket size is used)",
                    path.display(),
                    series.granularity
                )));
            }
            config.history.granularity = series.granularity;
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "input".into());
            let queue = QueueRef {
                id: args.queue.clone().unwrap_or_else(|| format!("file-{stem}")),
                name: args.queue.clone().unwrap_or(stem),
            };
            (series, summary, queue)
        }
        None => {
            let Some(wanted) = &args.queue else {
                return Err(CliError::usage(eyre!(
                    "say which queue to forecast: --queue NAME_OR_ID (see `queuecast queues`), \
                     or forecast a file with --input FILE.csv"
                )));
            };
            let settings =
                GenesysClient::settings_from_config(&config.genesys).map_err(CliError::usage)?;
            let client = GenesysClient::new(settings).map_err(CliError::api)?;
            let queue = resolve_queue(&client, wanted).await.map_err(fetch_error)?;
            let (series, summary) =
                fetch_history(&client, &queue.id, &config, chrono::Utc::now(), None)
                    .await
                    .map_err(fetch_error)?;
            (series, summary, queue)
        }
    };

    let store = Store::new(&paths.data_dir);
    let previous = match store.load_forecast(&queue.id) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("queuecast: warning: previous forecast ignored: {e}");
            None
        }
    };
    let had_previous = previous.is_some();
    let input = PipelineInput {
        series,
        summary,
        queue,
        config,
        previous,
    };
    let output = tokio::task::spawn_blocking(move || run_forecast_named(input))
        .await
        .map_err(|e| CliError::data(eyre!("the forecast task failed: {e}")))?
        .map_err(pipeline_error)?;

    for w in &output.warnings {
        eprintln!("queuecast: warning: {w}");
    }
    let saved_to = match store.save_forecast(&output.to_saved()) {
        Ok(p) => Some(p),
        Err(e) => {
            eprintln!("queuecast: warning: forecast not saved for the next drift check: {e}");
            None
        }
    };

    let format = args.format.unwrap_or_default();
    let body = || match format {
        ExportFormat::Json => export::to_json(&output),
        ExportFormat::Csv => export::to_csv(&output),
    };
    match args.export.as_deref() {
        Some(p) if p == Path::new("-") => {
            let bytes = body().map_err(CliError::data)?;
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes)
                .and_then(|_| out.flush())
                .map_err(|e| CliError::usage(eyre!("cannot write to stdout: {e}")))?;
        }
        Some(path) => {
            let bytes = body().map_err(CliError::data)?;
            crate::fsutil::write_atomic(path, &bytes).map_err(CliError::usage)?;
            print_summary(&output, saved_to.as_deref(), Some(path));
        }
        None => print_summary(&output, saved_to.as_deref(), None),
    }

    if args.check_drift {
        match &output.drift {
            Some(d) if d.retrain_recommended => {
                eprintln!(
                    "queuecast: retraining recommended: {} over {} buckets is {} (threshold {})",
                    metric_name(d.metric),
                    d.buckets_compared,
                    d.value()
                        .map_or("undefined (no volume arrived)".into(), pct),
                    pct(d.threshold)
                );
                return Ok(exit::RETRAIN);
            }
            Some(_) => {}
            None if had_previous => eprintln!(
                "queuecast: drift not checked: no actuals have arrived yet for the saved forecast"
            ),
            None => eprintln!(
                "queuecast: drift not checked: no earlier forecast saved for this queue \
                 (this run's forecast is saved for the next check)"
            ),
        }
    }
    Ok(exit::OK)
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

fn read_input(
    path: &Path,
    tz: chrono_tz::Tz,
    fill: FillMode,
    last_days: Option<u32>,
) -> Result<(history::Series, history::SeriesSummary), CliError> {
    history::read_csv_with(path, tz, fill, last_days).map_err(|e| match e {
        // The path itself is wrong: a usage error, not bad data.
        HistoryError::Io { .. } => CliError::usage(e),
        _ => CliError::data(e),
    })
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

fn pct(x: f64) -> String {
    format!("{:.1} %", x * 100.0)
}

fn opt_pct(x: Option<f64>) -> String {
    x.map_or_else(|| "n/a".into(), pct)
}

fn metric_name(m: crate::config::DriftMetric) -> &'static str {
    match m {
        crate::config::DriftMetric::Wape => "WAPE",
        crate::config::DriftMetric::Mape => "MAPE",
    }
}

/// The short human report: history, model, accuracy, drift, windows.
fn print_summary(out: &PipelineOutput, saved: Option<&Path>, export: Option<&Path>) {
    let mut text = String::new();
    let tz = out.tz;
    let local =
        |t: chrono::DateTime<chrono::Utc>, f: &str| t.with_timezone(&tz).format(f).to_string();
    let line = |text: &mut String, k: &str, v: String| text.push_str(&format!("{k:<10} {v}\n"));
    line(
        &mut text,
        "Queue",
        format!("{} ({})", out.queue.name, out.queue.id),
    );
    line(&mut text, "History", out.summary.to_string());
    let model = match out.selection.as_ref().and_then(|s| s.reason.as_ref()) {
        Some(reason) => format!("{} (auto: {reason})", out.forecast.model),
        None => out.forecast.model.clone(),
    };
    line(&mut text, "Model", model);
    let accuracy = match &out.accuracy {
        Some(a) => format!(
            "{} over {} bucket(s) in {} fold(s): WAPE {}, MAPE {}, MASE {}, {} band coverage {}",
            a.method,
            a.buckets,
            a.folds,
            opt_pct(a.wape),
            opt_pct(a.mape),
            a.mase.map_or_else(|| "n/a".into(), |m| format!("{m:.2}")),
            pct(out.config.forecast.interval_width),
            opt_pct(a.coverage),
        ),
        None => "not measured (history too short)".into(),
    };
    line(&mut text, "Accuracy", accuracy);
    if let Some(d) = &out.drift {
        line(
            &mut text,
            "Drift",
            format!(
                "last forecast ({}) vs {} bucket(s) of actuals: WAPE {}, MAPE {}; threshold {} {}{}",
                local(d.forecast_generated_at, "%Y-%m-%d %H:%M"),
                d.buckets_compared,
                opt_pct(d.wape),
                opt_pct(d.mape),
                metric_name(d.metric),
                pct(d.threshold),
                if d.retrain_recommended {
                    " → retraining recommended"
                } else {
                    " → ok"
                }
            ),
        );
    }
    if let (Some(first), Some(last)) = (out.forecast.future.first(), out.forecast.future.last()) {
        line(
            &mut text,
            "Forecast",
            format!(
                "{} buckets, {} → {} ({})",
                out.forecast.future.len(),
                local(first.ts, "%a %Y-%m-%d %H:%M"),
                local(last.ts + out.granularity.duration(), "%a %Y-%m-%d %H:%M"),
                tz.name()
            ),
        );
    }
    let hours = if out.config.windows.calling_hours.trim().is_empty() {
        "all day".to_string()
    } else {
        out.config.windows.calling_hours.clone()
    };
    match out.windows.threshold {
        None => line(
            &mut text,
            "Windows",
            format!("none: no forecast bucket falls inside calling hours ({hours})"),
        ),
        Some(th) => {
            line(
                &mut text,
                "Windows",
                format!(
                    "{} low-volume window(s): yhat ≤ {th:.1} per bucket (the {:.0}th percentile \
                     within calling hours {hours}, {}), at least {} min",
                    out.windows.windows.len(),
                    out.config.windows.quantile * 100.0,
                    out.config.windows.calling_days.join(" "),
                    out.config.windows.min_window_minutes,
                ),
            );
            if !out.windows.windows.is_empty() {
                text.push_str(&format!(
                    "  {:<14} {:<5}  {:<5}  {:>5}  {:>9}  {:>9}\n",
                    "DAY", "START", "END", "HOURS", "MEAN/BKT", "EXPECTED"
                ));
            }
            for w in &out.windows.windows {
                text.push_str(&format!(
                    "  {:<14} {:<5}  {:<5}  {:>5.1}  {:>9.1}  {:>9.0}\n",
                    local(w.start, "%a %Y-%m-%d"),
                    local(w.start, "%H:%M"),
                    local(w.end, "%H:%M"),
                    (w.end - w.start).num_minutes() as f64 / 60.0,
                    w.mean_yhat,
                    w.expected_contacts,
                ));
            }
        }
    }
    if let Some(p) = export {
        line(&mut text, "Export", p.display().to_string());
    }
    if let Some(p) = saved {
        line(&mut text, "Saved", p.display().to_string());
    }
    print!("{text}");
}
