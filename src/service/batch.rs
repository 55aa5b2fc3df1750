//! Many queues at once: which queues `--queue` patterns and `--all` name, and the forecast of
//! each, streamed. Both `queuecast forecast --all` and the dashboard's queue board use
//! [`run_many`], so they fetch, fit and save alike.
//!
//! Memory stays bounded whatever the queue count: histories are fetched a batch at a time,
//! two batches in flight (each handed on as its fetch ends, so a batch stuck on a failing
//! queue holds back no other), each history goes to one of `2 × workers` tasks (its staffing
//! requests, then one of `workers` fits) and is dropped with it, and finished runs wait in a
//! channel of `workers` places for the caller, who writes and drops them. At most two
//! batches of histories, `2 × workers` queued fits and `workers` finished runs exist at once.

use std::collections::{HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::forecast::{ForecastRun, run_with};
use super::history::{FetchError, buckets_per_queue, fetch_many, group_by_counted_media};
use super::staffing::{StaffingData, fetch_staffing_data, handle_buckets};
use crate::config::Config;
use crate::genesys::GenesysClient;
use crate::history::History;
use crate::refs::QueueRef;
use crate::store::Store;

/// The queues `patterns` name among `queues`, plus every queue with `all`: sorted by name
/// (case-insensitive), each once.
///
/// A pattern is a queue id, a name (case-insensitive, every queue of that name), or a
/// name with `*` wildcards anywhere (`Sales*`, `*Voice`, `*Support*`). A pattern that
/// names no queue is an error, so a typo is not silently forecast as nothing.
pub fn match_queues(
    queues: &[QueueRef],
    patterns: &[String],
    all: bool,
) -> Result<Vec<QueueRef>, String> {
    let mut chosen: Vec<&QueueRef> = if all { queues.iter().collect() } else { vec![] };
    for raw in patterns {
        let p = raw.trim();
        if p.is_empty() {
            return Err(
                "--queue \"\" names no queue: give a name, an id or a pattern \
                        such as 'Sales*'"
                    .into(),
            );
        }
        let hits: Vec<&QueueRef> = queues.iter().filter(|q| matches(p, q)).collect();
        if hits.is_empty() {
            return Err(format!(
                "--queue {p:?} matches no queue; {}",
                near_misses(queues, p)
            ));
        }
        chosen.extend(hits);
    }
    let mut seen = HashSet::new();
    chosen.retain(|q| seen.insert(q.id.as_str()));
    let mut out: Vec<QueueRef> = chosen.into_iter().cloned().collect();
    out.sort_by_cached_key(|q| (q.name.to_lowercase(), q.id.clone()));
    Ok(out)
}

/// Whether pattern `p` (trimmed, non-empty) names `q`.
fn matches(p: &str, q: &QueueRef) -> bool {
    if q.id.eq_ignore_ascii_case(p) {
        return true;
    }
    if p.contains('*') {
        return glob(&p.to_lowercase(), &q.name.to_lowercase());
    }
    q.name.eq_ignore_ascii_case(p)
}

/// `*` matches any run of characters (also none); everything else matches itself.
fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if parts.len() == 1 {
        return pattern == text;
    }
    let fits = text.len() >= first.len() + last.len();
    if !fits || !text.starts_with(first) || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(i) => rest = &rest[i + middle.len()..],
            None => return false,
        }
    }
    true
}

/// Up to five queue names containing the pattern's words, as a hint.
fn near_misses(queues: &[QueueRef], p: &str) -> String {
    let words: Vec<String> = p
        .split('*')
        .map(|w| w.trim().to_lowercase())
        .filter(|w| w.len() >= 2)
        .collect();
    let near: Vec<String> = queues
        .iter()
        .filter(|q| {
            let name = q.name.to_lowercase();
            words.iter().any(|w| name.contains(w.as_str()))
        })
        .take(5)
        .map(|q| format!("{:?}", q.name))
        .collect();
    if near.is_empty() {
        "run `queuecast queues` to list them".into()
    } else {
        format!("did you mean {}?", near.join(", "))
    }
}

/// Queues to forecast, with the media each is set up for (analytics `mediaType` names from
/// its `mediaSettings`, keyed by queue id): [`run_many`] counts a queue that serves none of
/// `history.media_types` by its own media ([`config_for_media`]), as the dashboard does, so a
/// chat-only queue is forecast on its chats instead of failing with no voice calls.
///
/// [`config_for_media`]: super::history::config_for_media
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueueList {
    pub queues: Vec<QueueRef>,
    /// A queue missing here (or with no media) is counted with the settings as they are.
    pub media: HashMap<String, Vec<String>>,
}

impl From<Vec<QueueRef>> for QueueList {
    fn from(queues: Vec<QueueRef>) -> Self {
        Self {
            queues,
            media: HashMap::new(),
        }
    }
}

/// Lists the org's queues once and picks those the patterns (or `all`) name, with their media.
pub async fn select_queues(
    client: &GenesysClient,
    patterns: &[String],
    all: bool,
) -> Result<QueueList, FetchError> {
    let listed = client.list_queues(None).await?;
    let media = listed
        .iter()
        .map(|q| {
            let m = q.media_settings.as_ref().map(|m| m.media());
            let m = m.unwrap_or_default().into_iter().map(String::from);
            (q.id.clone(), m.collect())
        })
        .collect();
    let refs: Vec<QueueRef> = listed
        .into_iter()
        .map(|q| QueueRef {
            id: q.id,
            name: q.name,
        })
        .collect();
    let queues = match_queues(&refs, patterns, all).map_err(FetchError::Queue)?;
    Ok(QueueList { queues, media })
}

/// Holds the board's background fits back while the analyst's own fit runs, so the open
/// queue's forecast is not queued behind hundreds of others (issue 13). Fits already running
/// finish; no new one starts until every [`PauseGuard`] is dropped.
#[derive(Debug, Clone)]
pub struct Pause(Arc<watch::Sender<usize>>);

/// Pauses [`run_many`]'s fits until dropped.
#[derive(Debug)]
pub struct PauseGuard(Arc<watch::Sender<usize>>);

impl Pause {
    pub fn new() -> Self {
        Self(Arc::new(watch::Sender::new(0)))
    }

    /// Pauses until the guard is dropped.
    pub fn hold(&self) -> PauseGuard {
        self.0.send_modify(|n| *n += 1);
        PauseGuard(self.0.clone())
    }

    /// Returns once nothing holds the pause.
    async fn resumed(&self) {
        let mut rx = self.0.subscribe();
        let _ = rx.wait_for(|n| *n == 0).await;
    }
}

impl Default for Pause {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for PauseGuard {
    fn drop(&mut self) {
        self.0.send_modify(|n| *n = n.saturating_sub(1));
    }
}

/// How [`run_many`] spreads the work.
#[derive(Debug, Clone)]
pub struct ManyOptions {
    /// Fits running at once (a pool of blocking tasks, never one thread per queue).
    pub workers: usize,
    /// Queues per history fetch.
    pub batch: usize,
    /// Keep each queue's history in its result (the board draws it; the CLI does not need it).
    pub keep_history: bool,
    /// Fits wait while it is held (the dashboard's open queue goes first).
    pub pause: Pause,
}

/// Queues fetched together: one multi-queue aggregates query per chunk once the client has
/// it, and few enough histories in memory at once.
pub const DEFAULT_BATCH: usize = 50;

impl ManyOptions {
    /// One fit per core, [`DEFAULT_BATCH`] queues per fetch, histories dropped.
    pub fn new() -> Self {
        Self {
            workers: default_workers(),
            batch: DEFAULT_BATCH,
            keep_history: false,
            pause: Pause::new(),
        }
    }
}

impl Default for ManyOptions {
    fn default() -> Self {
        Self::new()
    }
}

/// One fit per core.
pub fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Where a queue's run stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// Resolving or fetching its history.
    Fetch,
    /// Fitting the model (or the tournament).
    Forecast,
    /// Writing its export.
    Export,
}

/// Why one queue has no forecast; the others go on.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueFailure {
    pub stage: Stage,
    pub message: String,
    /// Data-dir trouble noted before the run failed.
    pub notes: Vec<String>,
}

/// A queue's finished run.
#[derive(Debug, Clone)]
pub struct QueueDone {
    pub run: ForecastRun,
    /// With [`ManyOptions::keep_history`].
    pub history: Option<Arc<History>>,
}

/// One queue's result, sent as soon as it is known.
#[derive(Debug, Clone)]
pub struct QueueOutcome {
    pub queue: QueueRef,
    pub result: Result<Box<QueueDone>, QueueFailure>,
}

/// Forecasts `list`'s queues in the background: histories fetched `opts.batch` queues at a
/// time (queues counted by the same media together, see [`QueueList`]), two batches in
/// flight, each batch's queues handed to the fits as soon as its fetch ends, so a batch
/// whose failing queue spends the retry deadline and the split passes (minutes) does not
/// hold back the batches after it; fits on at most `opts.workers` blocking threads, each
/// queue's outcome sent on the returned channel as it finishes (not in queue order). A
/// queue that fails is reported and the others go on; every queue gets one outcome unless
/// the run is cancelled. `cancel` aborts the fetches in flight and stops starting new work
/// (running fits finish, unseen); the channel closes after the last outcome.
///
/// Each fit gets the staffing stage as `queuecast forecast --queue` does: the handle time
/// already in its history (no request), and for `[staffing] source = "history"` only the
/// on-queue time of its members (one total per bucket, not one row per member), at most
/// `2 × workers` queues at once and before a fit slot is taken, so other queues' fits run
/// meanwhile: one members listing (`pageSize` 100) plus ⌈members / 100⌉ ×
/// (⌈7 · `history_weeks` / `chunk_days`⌉, one more when the weeks start mid-day) user
/// aggregates queries: 6 requests for a queue of up to 100 agents with the defaults,
/// measured in `tests/tui/board.rs`. `constant`, `pattern` and `file` sources cost no
/// request.
pub fn run_many(
    client: GenesysClient,
    store: Store,
    list: QueueList,
    config: Config,
    now: DateTime<Utc>,
    opts: ManyOptions,
    cancel: CancellationToken,
) -> mpsc::Receiver<QueueOutcome> {
    let workers = opts.workers.max(1);
    let (tx, rx) = mpsc::channel(workers);
    // Few enough queues a fetch that `limits.max_fetch_buckets` holds; a single queue over
    // `limits.max_buckets` is still refused by `fetch_many`, naming the limit.
    let fits = config.limits.max_fetch_buckets / buckets_per_queue(&config).max(1);
    let size = opts.batch.min(fits).max(1);
    let QueueList { queues, media } = list;
    let groups = group_by_counted_media(&config, queues, |q| media.get(&q.id).cloned());
    let batches: Vec<Batch> = groups
        .into_iter()
        .flat_map(|(config, queues)| {
            let config = Arc::new(config);
            let chunks: Vec<Batch> = queues
                .chunks(size)
                .map(|c| (config.clone(), c.to_vec()))
                .collect();
            chunks
        })
        .collect();
    let job = Job {
        client,
        store,
        now,
        keep_history: opts.keep_history,
        pause: opts.pause,
        permits: Arc::new(Semaphore::new(workers)),
        ahead: Arc::new(Semaphore::new(2 * workers)),
        tx,
        cancel,
    };
    tokio::spawn(job.run(batches));
    rx
}

/// Queues fetched in one go, with the settings they are counted by.
type Batch = (Arc<Config>, Vec<QueueRef>);

/// The state of one [`run_many`] call.
struct Job {
    client: GenesysClient,
    store: Store,
    now: DateTime<Utc>,
    keep_history: bool,
    pause: Pause,
    permits: Arc<Semaphore>,
    /// Queues handed on to their fit task and not finished yet (see [`Job::dispatch`]).
    ahead: Arc<Semaphore>,
    tx: mpsc::Sender<QueueOutcome>,
    cancel: CancellationToken,
}

type Fetched = (Arc<Config>, Vec<(QueueRef, Result<History, FetchError>)>);

/// Batch fetches in flight at once: a batch stuck on a failing queue (retrying for
/// `genesys.retry_deadline_secs`, then split) holds back no other, and the request budget is
/// two fetches' worth of the client's own concurrency (`genesys.max_concurrency` each).
const FETCHES_IN_FLIGHT: usize = 2;

impl Job {
    /// Keeps [`FETCHES_IN_FLIGHT`] batch fetches going and hands each batch's queues on, in
    /// their order, as soon as its fetch ends, whichever ended first. A new fetch starts
    /// only once a batch is handed on, so at most two batches of histories are held.
    async fn run(self, batches: Vec<Batch>) {
        let mut batches = batches.into_iter();
        let mut fetching: JoinSet<Fetched> = JoinSet::new();
        // What each fetch task asked for, so a task that panicked still reports its queues.
        let mut asked: HashMap<tokio::task::Id, Batch> = HashMap::new();
        loop {
            while fetching.len() < FETCHES_IN_FLIGHT
                && let Some(batch) = batches.next()
            {
                let id = fetching.spawn(self.fetch(batch.clone())).id();
                asked.insert(id, batch);
            }
            let joined = tokio::select! {
                biased;
                _ = self.cancel.cancelled() => {
                    fetching.abort_all();
                    return;
                }
                j = fetching.join_next_with_id() => j,
            };
            // Nothing in flight and no batch left. Each running fit holds a sender: the
            // channel closes after the last outcome.
            let Some(joined) = joined else {
                return;
            };
            let (config, fetched) = match joined {
                Ok((id, fetched)) => {
                    asked.remove(&id);
                    fetched
                }
                Err(e) => {
                    tracing::error!("history fetch task failed: {e}");
                    let Some(batch) = asked.remove(&e.id()) else {
                        continue;
                    };
                    every_queue_failed(batch, &format!("the history fetch failed: {e}"))
                }
            };
            for (queue, history) in fetched {
                if !self.dispatch(&config, queue, history).await {
                    fetching.abort_all();
                    return;
                }
            }
        }
    }

    /// One batch's histories; a failure before any queue (e.g. the data-retention read) is
    /// every queue's outcome.
    fn fetch(&self, (config, batch): Batch) -> impl Future<Output = Fetched> + Send + 'static {
        let (client, now) = (self.client.clone(), self.now);
        async move {
            match fetch_many(&client, &batch, &config, now, None).await {
                Ok(fetched) => (config, fetched),
                Err(e) => every_queue_failed((config, batch), &e.to_string()),
            }
        }
    }

    /// Sends a failed fetch on, or hands the queue to a task that fetches its staffing data
    /// and then fits it when a worker is free and nothing holds the pause. Staffing requests
    /// go out before a worker is taken, so the fits of other queues run while they are
    /// answered (the workers never wait on the network). `false` = stop.
    async fn dispatch(
        &self,
        config: &Arc<Config>,
        queue: QueueRef,
        history: Result<History, FetchError>,
    ) -> bool {
        let history = match history {
            Ok(h) => h,
            Err(e) => {
                let outcome = QueueOutcome {
                    queue,
                    result: Err(QueueFailure {
                        stage: Stage::Fetch,
                        message: e.to_string(),
                        notes: vec![],
                    }),
                };
                return self.tx.send(outcome).await.is_ok();
            }
        };
        // Bounds the queues between their fetch and their fit (histories held, staffing
        // requests in flight) to two per worker.
        let ahead = tokio::select! {
            biased;
            _ = self.cancel.cancelled() => return false,
            p = self.ahead.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => return false,
            },
        };
        let (store, config, tx) = (self.store.clone(), config.clone(), self.tx.clone());
        let (client, now, keep) = (self.client.clone(), self.now, self.keep_history);
        let (cancel, permits, pause) = (
            self.cancel.clone(),
            self.permits.clone(),
            self.pause.clone(),
        );
        tokio::spawn(async move {
            let _ahead = ahead;
            let mut staffing = tokio::select! {
                biased;
                _ = cancel.cancelled() => return,
                s = fetch_staffing_data(&client, &queue.id, &config, now) => s,
            };
            staffing.handle = handle_buckets(&history);
            let permit = tokio::select! {
                biased;
                _ = cancel.cancelled() => return,
                p = permits.acquire_owned() => match p {
                    Ok(p) => p,
                    Err(_) => return,
                },
            };
            tokio::select! {
                biased;
                _ = cancel.cancelled() => return,
                () = pause.resumed() => {}
            }
            let fit = tokio::task::spawn_blocking(move || {
                fit_one(&store, queue, history, &config, keep, &staffing)
            });
            if let Ok(outcome) = fit.await
                && !cancel.is_cancelled()
            {
                let _ = tx.send(outcome).await;
            }
            drop(permit);
        });
        true
    }
}

/// Each queue of `batch` with the fetch error `why`.
fn every_queue_failed((config, queues): Batch, why: &str) -> Fetched {
    let fail = |q| (q, Err(FetchError::Queue(why.to_string())));
    (config, queues.into_iter().map(fail).collect())
}

/// Load previous → fit → staffing → save for one queue; a panic in a model is this queue's
/// failure.
fn fit_one(
    store: &Store,
    queue: QueueRef,
    history: History,
    config: &Config,
    keep_history: bool,
    staffing: &StaffingData,
) -> QueueOutcome {
    let kept = keep_history.then(|| Arc::new(history.clone()));
    let ran = std::panic::catch_unwind(AssertUnwindSafe(|| {
        run_with(store, history, config.clone(), staffing)
    }));
    let result = match ran {
        Ok(Ok(run)) => Ok(Box::new(QueueDone { run, history: kept })),
        Ok(Err(e)) => Err(QueueFailure {
            stage: Stage::Forecast,
            message: e.error.to_string(),
            notes: e.notes.iter().map(ToString::to_string).collect(),
        }),
        Err(panic) => Err(QueueFailure {
            stage: Stage::Forecast,
            message: format!("the model crashed: {}", panic_text(&panic)),
            notes: vec![],
        }),
    };
    QueueOutcome { queue, result }
}

fn panic_text(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into())
}

#[cfg(test)]
mod tests;
