//! `queuecast forecast`: the forecast service for scripts and cron, with documented exit codes.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::Path;

use color_eyre::eyre::eyre;

use super::{CliError, CommandResult, exit};
use crate::cli::{ForecastArgs, GlobalArgs};
use crate::config::{Config, ConfigError, SeasonalityMode};
use crate::export::{self, ExportFormat};
use crate::forecast::ForecastError;
use crate::forecast::pipeline::PipelineError;
use crate::forecast::select;
use crate::forecast::windows::WindowOptions;
use crate::genesys::GenesysClient;
use crate::history::{FillMode, History, HistoryError};
use crate::refs::QueueRef;
use crate::service::batch::{
    ManyOptions, QueueDone, QueueFailure, Stage, default_workers, run_many, select_queues,
};
use crate::service::forecast::{self as service, ForecastRun, Summary, pct};
use crate::service::history::{FetchError, fetch_history, read_file_limited, resolve_queue};
use crate::service::index::{Index, IndexEntry, RunState, Table, export_file_names};
use crate::service::staffing::{StaffingData, fetch_staffing_data, handle_buckets};
use crate::store::Store;

pub async fn run(global: &GlobalArgs, args: ForecastArgs) -> CommandResult {
    let (mut config, paths) = super::load_config(global)?;
    apply_flags(&mut config, &args)?;
    if args.input.is_none() && is_many(&args) {
        return run_many_queues(config, &paths.data_dir, &args).await;
    }
    // Before the fetch and the fit: a wrong extension should not cost a whole run.
    let format = match &args.export {
        Some(path) => ExportFormat::for_path(path, args.format).map_err(CliError::usage)?,
        None => args.format.unwrap_or_default(),
    };
    let (history, staffing) = load_history(&mut config, &args).await?;
    // The CSV starts with the history's actuals; the run consumes the history.
    let actuals = match format {
        ExportFormat::Csv => history.series.points.clone(),
        ExportFormat::Json => Vec::new(),
    };
    let store = Store::new(&paths.data_dir);
    let result =
        tokio::task::spawn_blocking(move || service::run_with(&store, history, config, &staffing))
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
    if args.verbose
        && let Some(band) = service::band_note(&run.output)
    {
        eprintln!("queuecast: note: {band}");
    }
    write_output(&args, &run, format, &actuals)?;
    Ok(if args.check_drift {
        drift_exit(&run)
    } else {
        exit::OK
    })
}

/// Several queues, a wildcard, `--all` or `--export-dir`: the many-queue run.
fn is_many(a: &ForecastArgs) -> bool {
    a.all || a.export_dir.is_some() || a.queue.len() > 1 || a.queue.iter().any(|q| q.contains('*'))
}

/// Forecasts every queue the patterns name, `jobs` fits at a time, streaming: each queue's
/// export is written as its forecast finishes and only its index entry is kept, so memory does
/// not grow with the queue count. Exit 5 when any queue failed (the others are still exported).
async fn run_many_queues(config: Config, data_dir: &Path, args: &ForecastArgs) -> CommandResult {
    if args.export.is_some() {
        return Err(CliError::usage(eyre!(
            "--export writes one queue's forecast; for several queues use --export-dir DIR"
        )));
    }
    let jobs = match args.jobs {
        Some(0) => return Err(CliError::usage(eyre!("--jobs 0: give at least 1"))),
        Some(n) => n,
        None => default_workers(),
    };
    let format = args.format.unwrap_or_default();
    if let Some(dir) = &args.export_dir {
        std::fs::create_dir_all(dir).map_err(|e| {
            CliError::usage(eyre!("cannot create --export-dir {}: {e}", dir.display()))
        })?;
    }
    let settings = config.genesys.client_settings().map_err(CliError::usage)?;
    let client = GenesysClient::new(settings).map_err(CliError::api)?;
    let list = select_queues(&client, &args.queue, args.all)
        .await
        .map_err(fetch_error)?;
    let queues = list.queues.clone();
    if queues.is_empty() {
        return Err(CliError::data(eyre!("the org has no queues to forecast")));
    }
    let names = export_file_names(&queues, format);
    let position: HashMap<String, usize> = queues
        .iter()
        .enumerate()
        .map(|(i, q)| (q.id.clone(), i))
        .collect();
    let opts = ManyOptions {
        workers: jobs,
        // Each CSV starts with its queue's actuals; dropped once that queue is written.
        keep_history: format == ExportFormat::Csv && args.export_dir.is_some(),
        ..ManyOptions::new()
    };
    let store = Store::new(data_dir);
    let cancel = tokio_util::sync::CancellationToken::new();
    let now = chrono::Utc::now();
    let mut stop = Interrupt::listen()?;
    if let Some(dir) = &args.export_dir {
        let running = Index::partial(&[], &queues, RunState::Running, format, now);
        write_index(dir, &running)?;
    }
    let mut rx = run_many(client, store, list, config, now, opts, cancel.clone());
    let bar = progress_bar(queues.len() as u64);
    let mut entries: Vec<Option<IndexEntry>> = vec![None; queues.len()];
    loop {
        let outcome = tokio::select! {
            o = rx.recv() => match o {
                Some(o) => o,
                None => break,
            },
            () = stop.recv() => {
                // Exports are written in this loop, one at a time: none is half done here.
                cancel.cancel();
                bar.finish_and_clear();
                return finish_interrupted(args, entries, queues, format, now);
            }
        };
        let entry = match outcome.result {
            Ok(done) => {
                if args.verbose {
                    bar.suspend(|| say_verbose(&outcome.queue, &done.run));
                }
                export_one(args, &names, outcome.queue, &done, format)
            }
            Err(f) => IndexEntry::failed(outcome.queue, &f),
        };
        bar.inc(1);
        if let Some(i) = position.get(&entry.queue.id) {
            entries[*i] = Some(entry);
        }
    }
    bar.finish_and_clear();
    let entries: Vec<IndexEntry> = entries
        .into_iter()
        .zip(queues)
        .map(|(e, q)| e.unwrap_or_else(|| IndexEntry::failed(q, &stopped())))
        .collect();
    finish_many(args, &entries, format, now)
}

/// `--verbose` over many queues: on stderr, per queue, what a one-queue run says there (its
/// warnings and, with `--verbose`, the band note), each line naming the queue. A default
/// many-queue run leaves them to the table and the index.
fn say_verbose(queue: &QueueRef, run: &ForecastRun) {
    let name = crate::text::clean(&queue.name);
    for w in run.warnings() {
        eprintln!("queuecast: warning: {name}: {w}");
    }
    if let Some(band) = service::band_note(&run.output) {
        eprintln!("queuecast: note: {name}: {band}");
    }
}

/// SIGINT (Ctrl-C) or SIGTERM: either stops a many-queue run between two queues.
struct Interrupt {
    #[cfg(unix)]
    signals: [tokio::signal::unix::Signal; 2],
}

impl Interrupt {
    /// Listens from now on: the default (die at once, index untouched) no longer applies.
    fn listen() -> Result<Self, CliError> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let on =
                |k| signal(k).map_err(|e| CliError::usage(eyre!("cannot listen for signals: {e}")));
            Ok(Self {
                signals: [on(SignalKind::interrupt())?, on(SignalKind::terminate())?],
            })
        }
        #[cfg(not(unix))]
        Ok(Self {})
    }

    async fn recv(&mut self) {
        #[cfg(unix)]
        {
            let [int, term] = &mut self.signals;
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
        }
        #[cfg(not(unix))]
        std::future::pending::<()>().await
    }
}

/// The end of an interrupted run: index.json says `interrupted`, lists the queues that
/// finished (their exports are whole: each was written atomically) and those never run; the
/// table shows the finished ones; exit 130, as a shell reports a Ctrl-C.
fn finish_interrupted(
    args: &ForecastArgs,
    entries: Vec<Option<IndexEntry>>,
    queues: Vec<QueueRef>,
    format: export::ExportFormat,
    now: chrono::DateTime<chrono::Utc>,
) -> CommandResult {
    let total = queues.len();
    let mut done = Vec::new();
    let mut not_run = Vec::new();
    for (e, q) in entries.into_iter().zip(queues) {
        match e {
            Some(e) => done.push(e),
            None => not_run.push(q),
        }
    }
    let listed = match &args.export_dir {
        Some(dir) => {
            let index = Index::partial(&done, &not_run, RunState::Interrupted, format, now);
            write_index(dir, &index)?;
            format!(
                "; {} lists them as interrupted",
                dir.join("index.json").display()
            )
        }
        None => String::new(),
    };
    print!("{}", Table(&done));
    eprintln!(
        "queuecast: interrupted: {} of {total} queue(s) finished, {} not forecast{listed}",
        done.len(),
        not_run.len()
    );
    Ok(exit::INTERRUPTED)
}

fn write_index(dir: &Path, index: &Index<'_>) -> Result<(), CliError> {
    crate::fsutil::write_atomic(&dir.join("index.json"), &index.to_json()).map_err(CliError::usage)
}

/// A queue whose run never reported back (its task was lost).
fn stopped() -> QueueFailure {
    QueueFailure {
        stage: Stage::Forecast,
        message: "the run stopped before this queue finished".into(),
        notes: vec![],
    }
}

/// A progress bar on stderr when it is a terminal; hidden otherwise (cron, pipes, tests).
fn progress_bar(len: u64) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{bar:30} {pos}/{len} queues  {elapsed} elapsed, ~{eta} left",
    ) {
        bar.set_style(style);
    }
    bar
}

/// Writes the queue's export (atomically) when there is an export dir; its index entry.
fn export_one(
    args: &ForecastArgs,
    names: &HashMap<String, String>,
    queue: QueueRef,
    done: &QueueDone,
    format: export::ExportFormat,
) -> IndexEntry {
    let (Some(dir), Some(name)) = (&args.export_dir, names.get(&queue.id)) else {
        return IndexEntry::done(&done.run, None);
    };
    let extras = export::CsvExtras {
        actuals: done
            .history
            .as_ref()
            .map_or(&[][..], |h| &h.series.points[..]),
        selected: None,
        windows: None,
    };
    let written = export::render_with(&done.run.output, format, extras)
        .map_err(|e| e.to_string())
        .and_then(|bytes| {
            crate::fsutil::write_atomic(&dir.join(name), &bytes).map_err(|e| e.to_string())
        });
    match written {
        Ok(()) => IndexEntry::done(&done.run, Some(name.clone())),
        Err(message) => IndexEntry::failed(
            queue,
            &QueueFailure {
                stage: Stage::Export,
                message,
                notes: done.run.warnings(),
            },
        ),
    }
}

/// index.json (atomically), the table on stdout, warnings and the exit code.
fn finish_many(
    args: &ForecastArgs,
    entries: &[IndexEntry],
    format: export::ExportFormat,
    now: chrono::DateTime<chrono::Utc>,
) -> CommandResult {
    if let Some(dir) = &args.export_dir {
        write_index(dir, &Index::new(entries, format, now))?;
    }
    print!("{}", Table(entries));
    let warned = entries.iter().filter(|e| !e.warnings.is_empty()).count();
    if warned > 0 {
        let see = match &args.export_dir {
            _ if args.verbose => "each printed above with its queue".into(),
            Some(dir) => format!("listed in {}", dir.join("index.json").display()),
            None => "run one queue alone, or add --export-dir, to see them".into(),
        };
        eprintln!("queuecast: warning: {warned} queue(s) have warnings, {see}");
    }
    let failed = entries.iter().filter(|e| !e.is_ok()).count();
    if failed > 0 {
        eprintln!(
            "queuecast: {failed} of {} queue(s) failed; the others were forecast",
            entries.len()
        );
        return Ok(exit::SOME_FAILED);
    }
    if args.check_drift && entries.iter().any(IndexEntry::retrain) {
        return Ok(exit::RETRAIN);
    }
    Ok(exit::OK)
}

/// The history to forecast: `--input`'s file, or `--queue`'s fetched from the API. With a file,
/// its bucket size becomes the configured granularity. With a queue, also what the staffing
/// stage reads from the org.
async fn load_history(
    config: &mut Config,
    args: &ForecastArgs,
) -> Result<(History, StaffingData), CliError> {
    let tz = config.time_zone().map_err(CliError::usage)?;
    if let Some(path) = &args.input {
        let fill = config.history.fill;
        let queue = match &args.queue[..] {
            [] => None,
            [q] if !q.contains('*') => Some(q.as_str()),
            _ => {
                return Err(CliError::usage(eyre!(
                    "--input forecasts one file: give at most one --queue (its name, no wildcards)"
                )));
            }
        };
        let limits = config.limits.input_limits();
        let clock = args.input_clock.unwrap_or_default();
        let history = read_file_limited(path, queue, tz, fill, args.days, &limits, clock).map_err(
            |e| match e {
                // The path itself is wrong: a usage error, not bad data.
                HistoryError::Io { .. } => CliError::usage(e),
                _ => CliError::data(e),
            },
        )?;
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
        return Ok((history, StaffingData::default()));
    }
    let Some(wanted) = args.queue.first() else {
        return Err(CliError::usage(eyre!(
            "say which queue to forecast: --queue NAME_OR_ID (see `queuecast queues`), \
             or forecast a file with --input FILE.csv"
        )));
    };
    // No zone anywhere: refuse before any request (a per-queue zone is checked once the queue
    // is resolved, since it may be named by id here).
    if !config.has_time_zone() {
        return Err(CliError::usage(ConfigError::ImplicitTimeZone {
            queue: wanted.trim().to_string(),
        }));
    }
    let settings = config.genesys.client_settings().map_err(CliError::usage)?;
    let client = GenesysClient::new(settings).map_err(CliError::api)?;
    super::show_retries(&client);
    let queue = resolve_queue(&client, wanted).await.map_err(fetch_error)?;
    let now = chrono::Utc::now();
    let queue_id = queue.id.clone();
    let history = fetch_history(&client, queue, config, now, None)
        .await
        .map_err(fetch_error)?;
    let mut staffing = fetch_staffing_data(&client, &queue_id, config, now).await;
    staffing.handle = handle_buckets(&history);
    Ok((history, staffing))
}

/// The export (to a file or stdout) and, unless the export went to stdout, the summary.
fn write_output(
    args: &ForecastArgs,
    run: &ForecastRun,
    format: ExportFormat,
    actuals: &[crate::history::Point],
) -> Result<(), CliError> {
    let out = &run.output;
    let extras = export::CsvExtras {
        actuals,
        selected: None,
        windows: None,
    };
    let export = match args.export.as_deref() {
        Some(p) if p == Path::new("-") => {
            let bytes = export::render_with(out, format, extras).map_err(CliError::data)?;
            let mut stdout = std::io::stdout().lock();
            return stdout
                .write_all(&bytes)
                .and_then(|_| stdout.flush())
                .map_err(super::stdout_error);
        }
        Some(path) => {
            let bytes = export::render_with(out, format, extras).map_err(CliError::data)?;
            crate::fsutil::write_atomic(path, &bytes).map_err(CliError::usage)?;
            Some(path)
        }
        None => None,
    };
    let summary = Summary {
        output: out,
        saved_to: run.saved_to.as_deref(),
        baseline_kept: run.baseline_kept,
        export,
    };
    super::print_out(&summary.to_string())
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
    if let Some(h) = &a.holidays {
        config.forecast.holidays = h.trim().to_string();
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
        FetchError::Config(_) | FetchError::Queue(_) | FetchError::TooLarge(_) => {
            CliError::usage(e)
        }
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
