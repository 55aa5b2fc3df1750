//! The event loop and the effect executor: the only part of the TUI that does I/O.
//!
//! One `tokio::select!` over terminal events, background results and a tick that runs only
//! while something is pending. A frame is drawn only after a message changed the state, so an
//! idle dashboard writes nothing to the terminal.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use crossterm::event::{Event, EventStream};
use futures::StreamExt;
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};
use tokio_util::sync::CancellationToken;

use crate::campaign::NamedRef;
use crate::config::Config;
use crate::export::ExportFormat;
use crate::forecast::pipeline::PipelineOutput;
use crate::genesys::{FetchProgress, GenesysClient};
use crate::refs::QueueRef;
use crate::service;
use crate::service::batch::{ManyOptions, Pause, QueueList, QueueOutcome, run_many};
use crate::service::staffing::{StaffingData, fetch_staffing_data, handle_buckets};
use crate::service::submit::{PendingStore, Timeouts, submit};
use crate::store::Store;
use crate::tui::action::{Effect, History, JobId, Msg};
use crate::tui::app::App;
use crate::tui::board_view::RowData;
use crate::tui::terminal_guard::TerminalGuard;
use crate::tui::update::update;

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

/// What the runtime needs to do the work `update` asks for.
pub struct Backend {
    pub client: GenesysClient,
    pub config: Config,
    pub store: Store,
    /// The user's config.toml (`Paths::config_file`), where a picked time zone is saved.
    pub config_file: PathBuf,
}

/// Executes effects and forwards their results as messages; holds no application state,
/// only the cancellation tokens of running jobs.
struct Runtime {
    backend: Arc<Backend>,
    tx: UnboundedSender<Msg>,
    jobs: HashMap<JobId, CancellationToken>,
    /// Held while the open queue's fit runs: the board's fits wait (the analyst's first).
    pause: Pause,
}

/// Runs the dashboard until the user quits (`app.initial_queue`, if set, opens that queue
/// over the board).
pub async fn run(mut app: App, backend: Backend) -> color_eyre::Result<()> {
    let (guard, mut terminal) = TerminalGuard::enter();
    let result = event_loop(&mut terminal, &mut app, backend).await;
    drop(guard);
    result
}

/// A test-only fault, so the PTY tests can prove a panic or an abort is contained:
/// `QUEUECAST_TEST_PANIC` set to `fit` makes every fit panic in its background job, `loop` the
/// event loop itself (at a key), and `abort` makes the event loop call `std::process::abort()`
/// at a key: that one only in debug builds (what the tests run), so no release binary aborts
/// because of an environment variable.
fn injected_panic(place: &str) {
    let Ok(fault) = std::env::var("QUEUECAST_TEST_PANIC") else {
        return;
    };
    if cfg!(debug_assertions) && place == "loop" && fault == "abort" {
        std::process::abort();
    }
    if fault == place {
        panic!("injected panic ({place}) for a test");
    }
}

/// When history arrived, until the frame that shows its forecast is on screen (for the log).
#[derive(Default)]
struct Timing {
    first_frame_logged: bool,
    history_at: Option<std::time::Instant>,
    forecast_pending: bool,
}

impl Timing {
    fn saw(&mut self, msg: &Msg) {
        match msg {
            Msg::HistoryLoaded { result: Ok(_), .. } => {
                self.history_at = Some(std::time::Instant::now())
            }
            Msg::ForecastReady { .. } => self.forecast_pending = true,
            _ => {}
        }
    }

    fn drew(&mut self) {
        if !self.first_frame_logged {
            self.first_frame_logged = true;
            tracing::info!(ms = since_start_ms(), "first frame drawn");
        }
        if self.forecast_pending
            && let Some(t) = self.history_at.take()
        {
            self.forecast_pending = false;
            tracing::info!(
                ms = t.elapsed().as_millis(),
                "forecast drawn after history arrived"
            );
        }
    }
}

async fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    app: &mut App,
    backend: Backend,
) -> color_eyre::Result<()> {
    let (tx, mut rx) = unbounded_channel();
    let mut rt = Runtime {
        backend: Arc::new(backend),
        tx,
        jobs: HashMap::new(),
        pause: Pause::new(),
    };
    {
        let tx = rt.tx.clone();
        rt.backend
            .client
            .on_retry(move |n| drop(tx.send(Msg::Retrying(n.to_string()))));
    }
    rt.exec(Effect::LoadOrg);
    rt.exec(Effect::LoadQueues);
    let size = terminal.size()?;
    for e in update(
        app,
        Msg::Resize {
            width: size.width,
            height: size.height,
        },
    ) {
        rt.exec(e);
    }
    let mut events = EventStream::new();
    let mut stops = Stops::new()?;
    // The first tick is at once: the confirm has a clock before the first key.
    let mut clock = tokio::time::interval(Duration::from_secs(30));
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut dirty = true;
    let mut timing = Timing::default();
    loop {
        if dirty {
            draw(terminal, app)?;
            dirty = false;
            timing.drew();
        }
        if app.quit {
            break;
        }
        let msg = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(Event::Key(k))) => Msg::Key(k),
                Some(Ok(Event::Paste(text))) => Msg::Paste(text),
                Some(Ok(Event::Resize(width, height))) => {
                    terminal.autoresize()?;
                    Msg::Resize { width, height }
                }
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(e.into()),
                None => break,
            },
            Some(m) = rx.recv() => m,
            _ = tick.tick(), if app.needs_tick() => Msg::Tick,
            _ = clock.tick() => Msg::Clock(Utc::now()),
            name = stops.recv() => {
                tracing::info!("{name}: quitting");
                Msg::Terminate
            }
        };
        if matches!(msg, Msg::Key(_)) {
            injected_panic("loop");
        }
        timing.saw(&msg);
        for e in update(app, msg) {
            rt.exec(e);
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

fn refs(items: impl IntoIterator<Item = (String, String)>) -> Vec<NamedRef> {
    let mut v: Vec<NamedRef> = items
        .into_iter()
        .map(|(id, name)| NamedRef {
            id,
            // Names come from the server: no control characters on the screen.
            name: crate::text::clean(&name).into_owned(),
        })
        .collect();
    v.sort_by_key(|r| r.name.to_lowercase());
    v
}

impl Runtime {
    fn exec(&mut self, effect: Effect) {
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
            }
            Effect::LoadOrg => self.load_org(),
            Effect::LoadQueues => self.load_queues(),
            Effect::ForecastQueues { job, queues, media } => {
                self.forecast_queues(job, queues, media)
            }
            Effect::SaveLastQueue(q) => {
                let q = QueueRef {
                    id: q.id,
                    name: q.name,
                };
                if let Err(e) = self.backend.store.set_last_queue(&q) {
                    tracing::warn!("cannot remember the last queue: {e}");
                }
            }
            Effect::FetchHistory { job, queue, media } => self.fetch_history(job, queue, media),
            Effect::SaveZone { zone } => self.save_zone(zone),
            Effect::Fit {
                job,
                model,
                history,
            } => self.fit(job, model, history),
            Effect::LoadContactLists => self.load_contact_lists(),
            Effect::LoadScripts => self.load_scripts(),
            Effect::LoadDialerPrereqs => self.load_dialer_prereqs(),
            Effect::LoadPending(queue_id) => {
                let result = PendingStore::new(self.backend.store.dir())
                    .load(&queue_id)
                    .map(|r| r.map(Box::new));
                let _ = self.tx.send(Msg::PendingLoaded { queue_id, result });
            }
            Effect::Submit { job, request } => {
                let (b, tx) = (self.backend.clone(), self.tx.clone());
                self.spawn("submitting", async move {
                    let pending = PendingStore::new(b.store.dir());
                    let limits = Timeouts::from_config(&b.config);
                    let outcome = submit(&b.client, *request, &limits, Some(&pending)).await;
                    let _ = tx.send(Msg::SubmitFinished { job, outcome });
                });
            }
            Effect::Export {
                path,
                format,
                overwrite,
                forecast,
                history,
                selected,
                windows,
            } => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let extras = crate::export::CsvExtras {
                        actuals: history.as_ref().map_or(&[][..], |h| &h.series.points[..]),
                        selected: Some(&selected),
                        windows: Some(&windows),
                    };
                    let _ = tx.send(export(path, format, overwrite, &forecast, extras));
                });
            }
        }
    }

    /// Spawns `job`; if it panics, the dashboard is told (a toast naming `what`) instead of
    /// waiting forever for its answer.
    fn spawn(&self, what: &'static str, job: impl Future<Output = ()> + Send + 'static) {
        let tx = self.tx.clone();
        tokio::spawn(async move {
            if let Err(e) = tokio::spawn(job).await
                && e.is_panic()
            {
                let _ = tx.send(Msg::JobCrashed {
                    what,
                    message: crashed(e),
                });
            }
        });
    }

    fn load_org(&self) {
        let (b, tx) = (self.backend.clone(), self.tx.clone());
        self.spawn("loading the organization", async move {
            let r = b.client.organization_me().await;
            let _ = tx.send(Msg::OrgLoaded(r.map(|o| o.name).map_err(|e| e.to_string())));
        });
    }

    fn load_queues(&self) {
        let (b, tx) = (self.backend.clone(), self.tx.clone());
        self.spawn("listing queues", async move {
            let r = match b.client.list_queues(None).await {
                Ok(qs) => {
                    let media = qs.iter().map(|q| (q.id.clone(), queue_media(q))).collect();
                    let _ = tx.send(Msg::QueueMedia(media));
                    Ok(refs(qs.into_iter().map(|q| (q.id, q.name))))
                }
                Err(e) => Err(e.to_string()),
            };
            let _ = tx.send(Msg::QueuesLoaded(r));
        });
    }

    /// The board's forecasts: the same streaming fetch → bounded fits as `forecast --all`
    /// ([`service::batch::run_many`]), each outcome turned into its compact row here, off the
    /// event loop, so only the row travels and the run is dropped.
    fn forecast_queues(
        &mut self,
        job: JobId,
        queues: Vec<NamedRef>,
        media: HashMap<String, Vec<String>>,
    ) {
        let token = CancellationToken::new();
        self.jobs.insert(job, token.clone());
        let (b, tx) = (self.backend.clone(), self.tx.clone());
        let opts = ManyOptions {
            keep_history: true,
            pause: self.pause.clone(),
            ..ManyOptions::new()
        };
        self.spawn("forecasting the board", async move {
            // A chat queue is counted as chat even when the settings count voice.
            let list = QueueList { queues, media };
            let (client, store, config) = (b.client.clone(), b.store.clone(), b.config.clone());
            let mut rx = run_many(client, store, list, config, Utc::now(), opts, token);
            while let Some(o) = rx.recv().await {
                if tx.send(board_row(job, o)).is_err() {
                    return;
                }
            }
        });
    }

    fn load_contact_lists(&self) {
        let (b, tx) = (self.backend.clone(), self.tx.clone());
        self.spawn("listing contact lists", async move {
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

    /// Sites (and the org's default site) and call analysis response sets, in the background
    /// like the contact lists.
    fn load_dialer_prereqs(&self) {
        let (b, tx) = (self.backend.clone(), self.tx.clone());
        tokio::spawn(async move {
            let (sites, org, sets) = tokio::join!(
                b.client.list_sites(),
                b.client.organization_me(),
                b.client.list_call_analysis_response_sets()
            );
            let default_site_id = org
                .ok()
                .and_then(|o| o.default_site_id)
                .filter(|s| !s.is_empty());
            let sites = sites
                .map(|v| {
                    refs(
                        v.into_iter()
                            .filter(|s| s.state.as_deref().is_none_or(|st| st == "active"))
                            .map(|s| (s.id, s.name)),
                    )
                })
                .map_err(|e| e.to_string());
            let response_sets = sets
                .map(|v| refs(v.into_iter().map(|r| (r.id, r.name))))
                .map_err(|e| e.to_string());
            let _ = tx.send(Msg::DialerPrereqsLoaded {
                sites,
                default_site_id,
                response_sets,
            });
        });
    }

    fn load_scripts(&self) {
        let (b, tx) = (self.backend.clone(), self.tx.clone());
        self.spawn("listing scripts", async move {
            let r = b
                .client
                .list_published_scripts()
                .await
                .map(|v| refs(v.into_iter().map(|s| (s.id, s.name))))
                .map_err(|e| e.to_string());
            let _ = tx.send(Msg::ScriptsLoaded(r));
        });
    }

    /// Saves the picked zone into config.toml, then uses it for every later job (running jobs
    /// keep the config they started with); the app hears back with `Msg::ZoneSaved`.
    fn save_zone(&mut self, zone: String) {
        let b = self.backend.clone();
        let result = crate::config::save_history_zone(&b.config_file, &zone)
            .map(|()| {
                let mut config = b.config.clone();
                config.history.time_zone = Some(zone.clone());
                self.backend = Arc::new(Backend {
                    client: b.client.clone(),
                    config,
                    store: b.store.clone(),
                    config_file: b.config_file.clone(),
                });
                zone
            })
            .map_err(|e| e.to_string());
        let _ = self.tx.send(Msg::ZoneSaved(result));
    }

    fn fetch_history(&mut self, job: JobId, queue: NamedRef, media: Vec<String>) {
        let token = CancellationToken::new();
        self.jobs.insert(job, token.clone());
        let (b, tx) = (self.backend.clone(), self.tx.clone());
        tokio::spawn(async move {
            let queue = QueueRef {
                id: queue.id,
                name: queue.name,
            };
            let result = tokio::select! {
                _ = token.cancelled() => return,
                r = fetch_history(&b, job, queue, &media, &tx) => r,
            };
            let _ = tx.send(Msg::HistoryLoaded {
                job,
                result: result.map(Arc::new),
            });
        });
    }

    fn fit(&mut self, job: JobId, model: String, history: Arc<History>) {
        let token = self.jobs.entry(job).or_default().clone();
        let (b, tx) = (self.backend.clone(), self.tx.clone());
        let paused = self.pause.hold();
        tokio::spawn(async move {
            // The board's fits wait until this one is done (however it ends).
            let _paused = paused;
            // Staffed agents and handle time for the capacity windows, as the headless
            // forecast has them; a failure is a warning in the run, never a lost forecast.
            let staffing = tokio::select! {
                _ = token.cancelled() => return,
                s = staffing_data(&b, &history) => s,
            };
            let fit = tokio::task::spawn_blocking(move || {
                injected_panic("fit");
                fit(&b, &history, model, &staffing)
            });
            let result = tokio::select! {
                _ = token.cancelled() => return,
                r = fit => r,
            };
            let msg = match result {
                Ok(Ok(out)) => Msg::ForecastReady {
                    job,
                    output: Arc::new(out),
                },
                Ok(Err(message)) => Msg::FitFailed { job, message },
                Err(e) => Msg::FitFailed {
                    job,
                    message: format!("the model {}", crashed(e)),
                },
            };
            let _ = tx.send(msg);
        });
    }
}

/// One finished queue of the board's batch as its compact row.
fn board_row(job: JobId, o: QueueOutcome) -> Msg {
    let result = match o.result {
        Ok(done) => Ok(Arc::new(RowData::of(
            &done.run.output,
            done.history.as_deref(),
        ))),
        Err(f) => Err(f.message),
    };
    Msg::BoardRow {
        job,
        queue_id: o.queue.id,
        result,
    }
}

/// The media a queue is set up for, by their analytics names (empty when the API gave none).
fn queue_media(q: &crate::genesys::Queue) -> Vec<String> {
    let media = q.media_settings.as_ref().map(|m| m.media());
    media
        .unwrap_or_default()
        .into_iter()
        .map(String::from)
        .collect()
}

/// A background job that died: the payload goes to the log, the screen gets a short line.
fn crashed(e: tokio::task::JoinError) -> String {
    let payload = if e.is_panic() {
        let p = e.into_panic();
        p.downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".into())
    } else {
        e.to_string()
    };
    tracing::error!("background job crashed: {payload}");
    "crashed (a bug in queuecast; details in the log); the rest of the dashboard still works".into()
}

/// Writes the forecast unless the file exists and `overwrite` is off (then asks back).
fn export(
    path: PathBuf,
    format: ExportFormat,
    overwrite: bool,
    out: &PipelineOutput,
    extras: crate::export::CsvExtras<'_>,
) -> Msg {
    if !overwrite && path.exists() {
        return Msg::ExportExists { path, format };
    }
    let r = crate::export::render_with(out, format, extras)
        .and_then(|b| crate::fsutil::write_atomic(&path, &b).map_err(Into::into))
        // The toast names the absolute path: the analyst may not know the dashboard's cwd.
        .map(|_| std::path::absolute(&path).unwrap_or(path))
        .map_err(|e| e.to_string());
    Msg::ExportFinished(r)
}

async fn fetch_history(
    b: &Backend,
    job: JobId,
    queue: QueueRef,
    media: &[String],
    tx: &UnboundedSender<Msg>,
) -> Result<History, String> {
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
    // The same fetch the headless command uses, so both see identical series; the queue is
    // counted by the media it serves, as on the board.
    let own = service::history::config_for_media(&b.config, media);
    let config = own.as_ref().unwrap_or(&b.config);
    let result =
        service::history::fetch_history(&b.client, queue, config, Utc::now(), Some(ptx)).await;
    let _ = forward.await;
    result.map_err(|e| e.to_string())
}

/// The same load previous → run → save as `queuecast forecast`, with `model` (`auto` or a
/// registered name); trouble with the data dir is logged, not fatal.
/// What `[staffing]` needs from the org for `history`'s queue, with its own handle time.
async fn staffing_data(b: &Backend, history: &History) -> StaffingData {
    let queue_id = &history.queue.id;
    let mut data = fetch_staffing_data(&b.client, queue_id, &b.config, Utc::now()).await;
    data.handle = handle_buckets(history);
    data
}

fn fit(
    b: &Backend,
    history: &History,
    model: String,
    staffing: &StaffingData,
) -> Result<PipelineOutput, String> {
    let mut config = b.config.clone();
    config.forecast.model = model;
    let run = service::forecast::run_with(&b.store, history.clone(), config, staffing);
    let run = run.map_err(|e| {
        for note in &e.notes {
            tracing::warn!("{note}");
        }
        e.to_string()
    })?;
    for note in &run.notes {
        tracing::warn!("{note}");
    }
    Ok(run.output)
}

/// The signals that stop the dashboard the way `q` does: work cancelled, terminal restored.
/// A closed SSH session (SIGHUP) or a kill (SIGTERM); in raw mode Ctrl-C and Ctrl-\ are keys,
/// so a SIGINT or SIGQUIT comes from another process (`kill -INT`, a supervisor); a SIGABRT
/// from another process likewise. (An abort inside the process is `terminal_guard`'s: its
/// synchronous SIGABRT action restores the terminal before the process dies.)
struct Stops(Vec<(&'static str, Signal)>);

impl Stops {
    fn new() -> std::io::Result<Self> {
        let kinds = [
            ("SIGTERM", SignalKindOf::Terminate),
            ("SIGHUP (terminal gone)", SignalKindOf::Hangup),
            ("SIGINT", SignalKindOf::Interrupt),
            ("SIGQUIT", SignalKindOf::Quit),
            ("SIGABRT", SignalKindOf::Abort),
        ];
        let signals = kinds.into_iter().map(|(n, k)| Ok((n, Signal::new(k)?)));
        Ok(Self(signals.collect::<std::io::Result<_>>()?))
    }

    /// The name of the next signal received.
    async fn recv(&mut self) -> &'static str {
        let waits = self.0.iter_mut().map(|(name, s)| {
            Box::pin(async move {
                s.recv().await;
                *name
            })
        });
        futures::future::select_all(waits).await.0
    }
}

/// Which Unix signal to listen for.
enum SignalKindOf {
    Terminate,
    Hangup,
    Interrupt,
    Quit,
    Abort,
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
                SignalKindOf::Interrupt => SignalKind::interrupt(),
                SignalKindOf::Quit => SignalKind::quit(),
                // SIGABRT is 6 on Linux, macOS and the BSDs; tokio names no constructor for it.
                SignalKindOf::Abort => SignalKind::from_raw(6),
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

#[cfg(test)]
mod tests;
