//! The event loop and the effect executor: the only part of the TUI that does I/O.
//!
//! One `tokio::select!` over terminal events, background results and a tick that runs only
//! while something is pending. A frame is drawn only after a message changed the state, so an
//! idle dashboard writes nothing to the terminal.

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use crossterm::event::{Event, EventStream};
use futures::StreamExt;
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};
use tokio_util::sync::CancellationToken;

use crate::campaign::{NamedRef, schedule_body};
use crate::config::Config;
use crate::forecast::pipeline::{ModelSelection, PipelineOutput, QueueRef};
use crate::genesys::{Campaign, CampaignSchedule, FetchProgress, GenesysClient, GenesysError};
use crate::history::{Series, SeriesSummary};
use crate::store::Store;
use crate::tui::action::{ApiFailure, Effect, JobId, Msg, SubmitOutcome, SubmitRequest};
use crate::tui::app::{AUTO_MODEL, App, ForecastView, HistoryView, ModelRow, WindowRow};
use crate::tui::update::{open_queue, update};

static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// Marks the command's start, so the log can say how long the first frame took.
pub fn mark_start() {
    STARTED.get_or_init(std::time::Instant::now);
}

fn since_start_ms() -> u128 {
    STARTED
        .get_or_init(std::time::Instant::now)
        .elapsed()
        .as_millis()
}

/// How long a campaign create may take before the outcome counts as unknown.
const SUBMIT_TIMEOUT: Duration = Duration::from_secs(30);

/// What the runtime needs to do the work `update` asks for.
pub struct Backend {
    pub client: GenesysClient,
    pub config: Config,
    pub store: Store,
}

#[derive(Default)]
struct Shared {
    /// History delivered per job, waiting for its fit.
    histories: HashMap<JobId, (Series, SeriesSummary, QueueRef)>,
    /// The last finished run, for exports.
    output: Option<PipelineOutput>,
    /// The history of the last fit started, so a model switch needs no re-fetch.
    fitted: Option<(Series, SeriesSummary, QueueRef)>,
    /// The last `auto` tournament per queue id, kept for the export when the analyst switches.
    auto_selection: HashMap<String, ModelSelection>,
}

struct Runtime {
    backend: Arc<Backend>,
    tx: UnboundedSender<Msg>,
    jobs: HashMap<JobId, CancellationToken>,
    shared: Arc<Mutex<Shared>>,
}

/// Runs the dashboard until the user quits. `initial_queue` (name or id) skips the picker.
pub async fn run(
    mut app: App,
    backend: Backend,
    initial_queue: Option<String>,
) -> color_eyre::Result<()> {
    let mut terminal = ratatui::init();
    let result = event_loop(&mut terminal, &mut app, backend, initial_queue).await;
    ratatui::restore();
    result
}

async fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    app: &mut App,
    backend: Backend,
    mut initial_queue: Option<String>,
) -> color_eyre::Result<()> {
    let (tx, mut rx) = unbounded_channel();
    let mut rt = Runtime {
        backend: Arc::new(backend),
        tx,
        jobs: HashMap::new(),
        shared: Arc::default(),
    };
    rt.exec(app, Effect::LoadOrg);
    rt.exec(app, Effect::LoadQueues);
    let mut events = EventStream::new();
    // A closed SSH session (SIGHUP) or a kill (SIGTERM) must still cancel work and restore the
    // terminal, like `q` does.
    let mut sigterm = Signal::new(SignalKindOf::Terminate)?;
    let mut sighup = Signal::new(SignalKindOf::Hangup)?;
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut dirty = true;
    let mut first_frame = true;
    // When history arrived, until the frame that shows its forecast is on screen.
    let mut history_at: Option<std::time::Instant> = None;
    let mut forecast_pending = false;
    loop {
        if dirty {
            draw(terminal, app)?;
            dirty = false;
            if first_frame {
                first_frame = false;
                tracing::info!(ms = since_start_ms(), "first frame drawn");
            }
            if forecast_pending && let Some(t) = history_at.take() {
                forecast_pending = false;
                tracing::info!(
                    ms = t.elapsed().as_millis(),
                    "forecast drawn after history arrived"
                );
            }
        }
        if app.quit {
            break;
        }
        let msg = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(Event::Key(k))) => Msg::Key(k),
                Some(Ok(Event::Resize(..))) => {
                    terminal.autoresize()?;
                    Msg::Resize
                }
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(e.into()),
                None => break,
            },
            Some(m) = rx.recv() => m,
            _ = tick.tick(), if app.needs_tick() => Msg::Tick,
            _ = sigterm.recv() => {
                tracing::info!("SIGTERM: quitting");
                Msg::Terminate
            }
            _ = sighup.recv() => {
                tracing::info!("SIGHUP (terminal gone): quitting");
                Msg::Terminate
            }
        };
        let queues_arrived = matches!(msg, Msg::QueuesLoaded(Ok(_)));
        match &msg {
            Msg::HistoryLoaded { result: Ok(_), .. } => {
                history_at = Some(std::time::Instant::now())
            }
            Msg::ForecastReady { .. } => forecast_pending = true,
            _ => {}
        }
        let mut effects = update(app, msg);
        if queues_arrived && let Some(wanted) = initial_queue.take() {
            let found = app.queues.ready().and_then(|qs| {
                qs.iter()
                    .find(|q| q.id == wanted || q.name.eq_ignore_ascii_case(&wanted))
                    .cloned()
            });
            match found {
                Some(q) => effects.extend(open_queue(app, q)),
                None => app.toast(
                    crate::tui::app::Level::Error,
                    format!("no queue named {wanted:?}; pick one from the list"),
                ),
            }
        }
        for e in effects {
            rt.exec(app, e);
        }
        // Quit before drawing: after a hangup there is no terminal to draw on.
        if app.quit {
            break;
        }
        dirty = true;
    }
    for token in rt.jobs.values() {
        token.cancel();
    }
    Ok(())
}

/// One frame inside a synchronized update, so SSH never shows a half-drawn screen.
fn draw(terminal: &mut ratatui::DefaultTerminal, app: &App) -> std::io::Result<()> {
    crossterm::execute!(
        std::io::stdout(),
        crossterm::terminal::BeginSynchronizedUpdate
    )?;
    terminal.draw(|f| crate::tui::ui::draw(f, app))?;
    crossterm::execute!(
        std::io::stdout(),
        crossterm::terminal::EndSynchronizedUpdate
    )?;
    std::io::stdout().flush()
}

fn failure(e: &GenesysError) -> ApiFailure {
    ApiFailure {
        message: e.to_string(),
        correlation_id: e.correlation_id().map(str::to_string),
    }
}

fn refs(items: impl IntoIterator<Item = (String, String)>) -> Vec<NamedRef> {
    let mut v: Vec<NamedRef> = items
        .into_iter()
        .map(|(id, name)| NamedRef { id, name })
        .collect();
    v.sort_by_key(|r| r.name.to_lowercase());
    v
}

impl Runtime {
    fn exec(&mut self, app: &App, effect: Effect) {
        let tx = self.tx.clone();
        let b = self.backend.clone();
        match effect {
            Effect::Quit => {
                for t in self.jobs.values() {
                    t.cancel();
                }
            }
            Effect::Cancel(job) => {
                if let Some(t) = self.jobs.remove(&job) {
                    t.cancel();
                }
                self.shared.lock().unwrap().histories.remove(&job);
            }
            Effect::LoadOrg => {
                tokio::spawn(async move {
                    let r = b
                        .client
                        .organization_me()
                        .await
                        .map(|o| o.name)
                        .map_err(|e| e.to_string());
                    let _ = tx.send(Msg::OrgLoaded(r));
                });
            }
            Effect::LoadQueues => {
                tokio::spawn(async move {
                    let r = b
                        .client
                        .list_queues(None)
                        .await
                        .map(|qs| refs(qs.into_iter().map(|q| (q.id, q.name))))
                        .map_err(|e| e.to_string());
                    let _ = tx.send(Msg::QueuesLoaded(r));
                });
            }
            Effect::SaveLastQueue(id) => {
                let name = app
                    .queues
                    .ready()
                    .and_then(|qs| qs.iter().find(|q| q.id == id))
                    .map(|q| q.name.clone())
                    .unwrap_or_default();
                if let Err(e) = b.store.set_last_queue(&QueueRef { id, name }) {
                    tracing::warn!("cannot remember the last queue: {e}");
                }
            }
            Effect::FetchHistory { job, queue_id } => {
                let token = CancellationToken::new();
                self.jobs.insert(job, token.clone());
                let name = app
                    .session
                    .as_ref()
                    .map(|s| s.queue.name.clone())
                    .unwrap_or_default();
                let shared = self.shared.clone();
                tokio::spawn(async move {
                    let work = fetch_history(&b, job, QueueRef { id: queue_id, name }, &tx);
                    let result = tokio::select! {
                        _ = token.cancelled() => return,
                        r = work => r,
                    };
                    let msg = match result {
                        Ok((series, summary, queue)) => {
                            let view = HistoryView {
                                granularity: series.granularity,
                                tz: series.tz,
                                points: series.points.clone(),
                                zero_filled: summary.zero_buckets,
                            };
                            shared
                                .lock()
                                .unwrap()
                                .histories
                                .insert(job, (series, summary, queue));
                            Ok(view)
                        }
                        Err(e) => Err(e),
                    };
                    let _ = tx.send(Msg::HistoryLoaded { job, result: msg });
                });
            }
            Effect::Fit { job, model } | Effect::Refit { job, model } => {
                let data = {
                    let mut shared = self.shared.lock().unwrap();
                    match shared.histories.remove(&job) {
                        Some(fresh) => {
                            shared.fitted = Some(fresh.clone());
                            Some(fresh)
                        }
                        // A model switch: the same history again, if it is this queue's.
                        None => shared.fitted.clone().filter(|(_, _, q)| {
                            app.session.as_ref().is_some_and(|s| s.queue.id == q.id)
                        }),
                    }
                };
                let Some((series, summary, queue)) = data else {
                    let _ = tx.send(Msg::FitFailed {
                        job,
                        message: "the fetched history is gone; refresh to fetch it again".into(),
                    });
                    return;
                };
                let token = self.jobs.entry(job).or_default().clone();
                let shared = self.shared.clone();
                tokio::spawn(async move {
                    let fit_shared = shared.clone();
                    let fit = tokio::task::spawn_blocking(move || {
                        fit(&b, &fit_shared, series, summary, queue, model)
                    });
                    let result = tokio::select! {
                        _ = token.cancelled() => return,
                        r = fit => r,
                    };
                    let msg = match result {
                        Ok(Ok(out)) => {
                            let view = forecast_view(&out);
                            shared.lock().unwrap().output = Some(out);
                            Msg::ForecastReady {
                                job,
                                forecast: Box::new(view),
                            }
                        }
                        Ok(Err(message)) => Msg::FitFailed { job, message },
                        Err(e) => Msg::FitFailed {
                            job,
                            message: format!("the model crashed: {e}"),
                        },
                    };
                    let _ = tx.send(msg);
                });
            }
            Effect::LoadContactLists => {
                tokio::spawn(async move {
                    let r = match b.client.list_contact_lists().await {
                        Ok(v) => {
                            let cols = v
                                .iter()
                                .map(|c| {
                                    let cols = c
                                        .phone_columns
                                        .iter()
                                        .map(|p| (p.column_name.clone(), p.column_type.clone()))
                                        .collect();
                                    (c.id.clone(), cols)
                                })
                                .collect();
                            let _ = tx.send(Msg::PhoneColumns(cols));
                            Ok(refs(v.into_iter().map(|c| (c.id, c.name))))
                        }
                        Err(e) => Err(e.to_string()),
                    };
                    let _ = tx.send(Msg::ContactListsLoaded(r));
                });
            }
            Effect::LoadScripts => {
                tokio::spawn(async move {
                    let r = b
                        .client
                        .list_published_scripts()
                        .await
                        .map(|v| refs(v.into_iter().map(|s| (s.id, s.name))))
                        .map_err(|e| e.to_string());
                    let _ = tx.send(Msg::ScriptsLoaded(r));
                });
            }
            Effect::Submit { job, request } => {
                tokio::spawn(async move {
                    let outcome = submit(&b.client, request).await;
                    let _ = tx.send(Msg::SubmitFinished { job, outcome });
                });
            }
            Effect::Export {
                path,
                format,
                overwrite,
            } => {
                let shared = self.shared.clone();
                tokio::task::spawn_blocking(move || {
                    if !overwrite && path.exists() {
                        let _ = tx.send(Msg::ExportExists { path, format });
                        return;
                    }
                    let guard = shared.lock().unwrap();
                    let Some(out) = guard.output.as_ref() else {
                        let _ = tx.send(Msg::ExportFinished(Err("no forecast yet".into())));
                        return;
                    };
                    let bytes = crate::export::render(out, format);
                    drop(guard);
                    let r = bytes
                        .and_then(|b| Ok(crate::fsutil::write_atomic(&path, &b)?))
                        .map(|_| path)
                        .map_err(|e| e.to_string());
                    let _ = tx.send(Msg::ExportFinished(r));
                });
            }
        }
    }
}

async fn fetch_history(
    b: &Backend,
    job: JobId,
    queue: QueueRef,
    tx: &UnboundedSender<Msg>,
) -> Result<(Series, SeriesSummary, QueueRef), String> {
    let (ptx, mut prx) = unbounded_channel::<FetchProgress>();
    let forward = {
        let tx = tx.clone();
        tokio::spawn(async move {
            while let Some(p) = prx.recv().await {
                let _ = tx.send(Msg::HistoryProgress {
                    job,
                    done: p.done,
                    total: p.total,
                });
            }
        })
    };
    // The same fetch the headless command uses, so both see identical series.
    let result =
        crate::service::history::fetch_history(&b.client, queue, &b.config, Utc::now(), Some(ptx))
            .await;
    let _ = forward.await;
    let h = result.map_err(|e| e.to_string())?;
    Ok((h.series, h.summary, h.queue))
}

fn fit(
    b: &Backend,
    shared: &Mutex<Shared>,
    series: Series,
    summary: SeriesSummary,
    queue: QueueRef,
    model: String,
) -> Result<PipelineOutput, String> {
    let mut config = b.config.clone();
    config.forecast.model = model;
    // Same load → run → save (`auto` tournament or a named model) as `queuecast forecast`.
    let history = crate::history::History {
        queue,
        series,
        summary,
    };
    let run = crate::service::forecast::run(&b.store, history, config).map_err(|e| {
        for note in &e.notes {
            tracing::warn!("{note}");
        }
        e.to_string()
    })?;
    for note in &run.notes {
        tracing::warn!("{note}");
    }
    let mut out = run.output;
    keep_tournament(&mut shared.lock().unwrap().auto_selection, &mut out);
    Ok(out)
}

/// Remembers an `auto` run's table; a later run of one named model on the same queue gets
/// that table in its selection, so the export shows what the analyst chose from.
fn keep_tournament(autos: &mut HashMap<String, ModelSelection>, out: &mut PipelineOutput) {
    let Some(sel) = out.selection.as_mut() else {
        return;
    };
    if sel.requested == AUTO_MODEL {
        autos.insert(out.queue.id.clone(), sel.clone());
        return;
    }
    let Some(auto) = autos.get(&out.queue.id) else {
        return;
    };
    if auto.backtest.len() > sel.backtest.len()
        && auto.backtest.iter().any(|r| r.model == sel.chosen)
    {
        sel.backtest = auto.backtest.clone();
        sel.failures = auto.failures.clone();
        sel.reason = Some(format!(
            "chosen by the analyst in the dashboard; auto picked {}{}",
            auto.chosen,
            auto.reason
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        ));
    }
}

/// The dashboard's view of a pipeline run.
pub fn forecast_view(out: &PipelineOutput) -> ForecastView {
    let f = &out.config.forecast;
    let (retrain, drift_note) = match &out.drift {
        Some(d) => (
            Some(d.retrain_recommended),
            format!(
                "{:?} {} vs {:.0}%",
                d.metric,
                d.value()
                    .map_or("n/a".into(), |v| format!("{:.1}%", v * 100.0)),
                d.threshold * 100.0
            ),
        ),
        None => (None, "no earlier forecast to check".into()),
    };
    let sel = out.selection.as_ref();
    let requested = sel.map_or_else(|| f.model.clone(), |s| s.requested.clone());
    ForecastView {
        model: out.forecast.model.clone(),
        tournament: sel
            .map(|s| {
                s.backtest
                    .iter()
                    .map(|r| ModelRow {
                        model: r.model.clone(),
                        wape: r.wape,
                        mase: r.mase,
                        coverage: r.coverage,
                        fit_secs: r.fit_time.as_secs_f64(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        auto_pick: sel
            .filter(|s| s.requested == AUTO_MODEL)
            .map(|s| s.chosen.clone()),
        reason: sel
            .filter(|s| s.requested == AUTO_MODEL)
            .and_then(|s| s.reason.clone()),
        calibration: sel
            .and_then(|s| s.calibration.as_ref())
            .and_then(|c| c.warning(out.granularity)),
        failures: sel
            .map(|s| {
                s.failures
                    .iter()
                    .map(|x| (x.model.clone(), x.error.clone()))
                    .collect()
            })
            .unwrap_or_default(),
        requested,
        future: out.forecast.future.clone(),
        threshold: out.windows.threshold.unwrap_or(0.0),
        windows: out
            .windows
            .windows
            .iter()
            .map(|w| WindowRow {
                start: w.start,
                end: w.end,
                mean_yhat: w.mean_yhat,
                expected_contacts: w.expected_contacts,
            })
            .collect(),
        wape: out.accuracy.as_ref().and_then(|a| a.wape),
        mape: out.accuracy.as_ref().and_then(|a| a.mape),
        options: vec![
            (
                "interval".into(),
                format!("{:.0}%", f.interval_width * 100.0),
            ),
            (
                "horizon".into(),
                format!("{} d, cps {}", f.horizon_days, f.changepoint_prior_scale),
            ),
        ],
        retrain,
        drift_note,
        warnings: out.warnings.clone(),
        refreshed_at: out.generated_at,
    }
}

/// Creates the campaign (never twice) and puts its schedule.
pub async fn submit(client: &GenesysClient, req: SubmitRequest) -> SubmitOutcome {
    let (id, self_uri) = match req.existing.clone() {
        Some(existing) => existing,
        None => match create_once(client, &req).await {
            Ok(v) => v,
            Err(outcome) => return outcome,
        },
    };
    let schedule: CampaignSchedule =
        match serde_json::from_value(schedule_body(&id, req.tz, &req.windows)) {
            Ok(s) => s,
            Err(e) => {
                return SubmitOutcome::ScheduleFailed {
                    id,
                    self_uri,
                    error: ApiFailure {
                        message: format!("cannot build the schedule: {e}"),
                        correlation_id: None,
                    },
                };
            }
        };
    match client.put_campaign_schedule(&schedule).await {
        Ok(_) => SubmitOutcome::Done { id, self_uri },
        Err(e) => SubmitOutcome::ScheduleFailed {
            id,
            self_uri,
            error: failure(&e),
        },
    }
}

async fn find_by_name(client: &GenesysClient, name: &str) -> Option<(String, String)> {
    let found = client.list_campaigns(Some(name)).await.ok()?;
    found.into_iter().find(|c| c.name == name).and_then(|c| {
        let id = c.id?;
        let uri = c
            .self_uri
            .unwrap_or_else(|| format!("/api/v2/outbound/campaigns/{id}"));
        Some((id, uri))
    })
}

async fn create_once(
    client: &GenesysClient,
    req: &SubmitRequest,
) -> Result<(String, String), SubmitOutcome> {
    if req.lookup_by_name_first
        && let Some(found) = find_by_name(client, &req.name).await
    {
        tracing::info!(
            "campaign {:?} already exists; not creating it again",
            req.name
        );
        return Ok(found);
    }
    let campaign: Campaign =
        serde_json::from_value(req.campaign.clone()).map_err(|e| SubmitOutcome::Failed {
            error: ApiFailure {
                message: format!("cannot build the campaign: {e}"),
                correlation_id: None,
            },
            timed_out: false,
        })?;
    let created = tokio::time::timeout(SUBMIT_TIMEOUT, client.create_campaign(&campaign)).await;
    match created {
        Ok(Ok(c)) => {
            let id = c.id.unwrap_or_default();
            let uri = c
                .self_uri
                .unwrap_or_else(|| format!("/api/v2/outbound/campaigns/{id}"));
            Ok((id, uri))
        }
        Ok(Err(e)) => {
            // No response at all: the server may still have created it.
            let uncertain = matches!(e, GenesysError::Transport { .. });
            if uncertain && let Some(found) = find_by_name(client, &req.name).await {
                return Ok(found);
            }
            Err(SubmitOutcome::Failed {
                error: failure(&e),
                timed_out: uncertain,
            })
        }
        Err(_) => {
            if let Some(found) = find_by_name(client, &req.name).await {
                return Ok(found);
            }
            Err(SubmitOutcome::Failed {
                error: ApiFailure {
                    message: format!(
                        "no answer within {} s; the campaign was not found by name, so submitting again is safe",
                        SUBMIT_TIMEOUT.as_secs()
                    ),
                    correlation_id: None,
                },
                timed_out: true,
            })
        }
    }
}

/// Which Unix signal to listen for.
enum SignalKindOf {
    Terminate,
    Hangup,
}

/// A Unix signal stream; elsewhere a stream that never fires.
struct Signal {
    #[cfg(unix)]
    inner: tokio::signal::unix::Signal,
}

impl Signal {
    fn new(kind: SignalKindOf) -> std::io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let k = match kind {
                SignalKindOf::Terminate => SignalKind::terminate(),
                SignalKindOf::Hangup => SignalKind::hangup(),
            };
            Ok(Self { inner: signal(k)? })
        }
        #[cfg(not(unix))]
        {
            let _ = kind;
            Ok(Self {})
        }
    }

    async fn recv(&mut self) {
        #[cfg(unix)]
        {
            if self.inner.recv().await.is_none() {
                std::future::pending::<()>().await;
            }
        }
        #[cfg(not(unix))]
        std::future::pending::<()>().await
    }
}
