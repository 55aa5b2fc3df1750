//! Many queues at once: which queues `--queue` patterns and `--all` name, and the forecast of
//! each, streamed. Both `queuecast forecast --all` and the dashboard's queue board use
//! [`run_many`], so they fetch, fit and save alike.
//!
//! Memory stays bounded whatever the queue count: histories are fetched a batch at a time
//! (the next batch while the current one is fitted), each history goes to one of
//! `workers` fits and is dropped with it, and finished runs wait in a channel of `workers`
//! places for the caller, who writes and drops them. At most two batches of histories,
//! `workers` fits and `workers` finished runs exist at once.

use std::collections::HashSet;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::{Semaphore, mpsc};
use tokio_util::sync::CancellationToken;

use super::forecast::{ForecastRun, run};
use super::history::{FetchError, buckets_per_queue, fetch_many};
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

/// Lists the org's queues once and picks those the patterns (or `all`) name.
pub async fn select_queues(
    client: &GenesysClient,
    patterns: &[String],
    all: bool,
) -> Result<Vec<QueueRef>, FetchError> {
    let listed: Vec<QueueRef> = client
        .list_queues(None)
        .await?
        .into_iter()
        .map(|q| QueueRef {
            id: q.id,
            name: q.name,
        })
        .collect();
    match_queues(&listed, patterns, all).map_err(FetchError::Queue)
}

/// How [`run_many`] spreads the work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ManyOptions {
    /// Fits running at once (a pool of blocking tasks, never one thread per queue).
    pub workers: usize,
    /// Queues per history fetch.
    pub batch: usize,
    /// Keep each queue's history in its result (the board draws it; the CLI does not need it).
    pub keep_history: bool,
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

/// Forecasts `queues` in the background: histories fetched `opts.batch` queues at a time,
/// fits on at most `opts.workers` blocking threads, each queue's outcome sent on the
/// returned channel as it finishes (not in queue order). A queue that fails is reported and
/// the others go on. `cancel` stops starting new work (running fits finish, unseen); the
/// channel closes after the last outcome.
pub fn run_many(
    client: GenesysClient,
    store: Store,
    queues: Vec<QueueRef>,
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
    let batches: Vec<Vec<QueueRef>> = queues
        .chunks(opts.batch.min(fits).max(1))
        .map(<[QueueRef]>::to_vec)
        .collect();
    let job = Job {
        client,
        store,
        config: Arc::new(config),
        now,
        keep_history: opts.keep_history,
        permits: Arc::new(Semaphore::new(workers)),
        tx,
        cancel,
    };
    tokio::spawn(job.run(batches));
    rx
}

/// The state of one [`run_many`] call.
struct Job {
    client: GenesysClient,
    store: Store,
    config: Arc<Config>,
    now: DateTime<Utc>,
    keep_history: bool,
    permits: Arc<Semaphore>,
    tx: mpsc::Sender<QueueOutcome>,
    cancel: CancellationToken,
}

type Fetched = Vec<(QueueRef, Result<History, FetchError>)>;

impl Job {
    async fn run(self, batches: Vec<Vec<QueueRef>>) {
        let mut batches = batches.into_iter();
        let mut next = batches.next().map(|b| self.prefetch(b));
        while let Some(mut fetching) = next.take() {
            let fetched = tokio::select! {
                biased;
                _ = self.cancel.cancelled() => {
                    fetching.abort();
                    return;
                }
                f = &mut fetching => match f {
                    Ok(f) => f,
                    Err(e) => {
                        tracing::error!("history fetch task failed: {e}");
                        return;
                    }
                },
            };
            // The next batch downloads while this one is fitted.
            next = batches.next().map(|b| self.prefetch(b));
            for (queue, history) in fetched {
                if !self.dispatch(queue, history).await {
                    if let Some(prefetch) = &next {
                        prefetch.abort();
                    }
                    return;
                }
            }
        }
        // Each running fit holds a sender: the channel closes after the last outcome.
    }

    fn prefetch(&self, batch: Vec<QueueRef>) -> tokio::task::JoinHandle<Fetched> {
        let (client, config, now) = (self.client.clone(), self.config.clone(), self.now);
        tokio::spawn(async move {
            match fetch_many(&client, &batch, &config, now, None).await {
                Ok(fetched) => fetched,
                // The whole batch failed before any queue (e.g. the data-retention read):
                // every queue of it reports why.
                Err(e) => {
                    let why = e.to_string();
                    let fail = |q| (q, Err(FetchError::Queue(why.clone())));
                    batch.into_iter().map(fail).collect()
                }
            }
        })
    }

    /// Sends a failed fetch on, or starts the fit when a worker is free. `false` = stop.
    async fn dispatch(&self, queue: QueueRef, history: Result<History, FetchError>) -> bool {
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
        let permit = tokio::select! {
            biased;
            _ = self.cancel.cancelled() => return false,
            p = self.permits.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => return false,
            },
        };
        let (store, config, tx) = (self.store.clone(), self.config.clone(), self.tx.clone());
        let keep = self.keep_history;
        let cancel = self.cancel.clone();
        tokio::task::spawn_blocking(move || {
            let outcome = fit_one(&store, queue, history, &config, keep);
            if !cancel.is_cancelled() {
                let _ = tx.blocking_send(outcome);
            }
            drop(permit);
        });
        true
    }
}

/// Load previous → fit → save for one queue; a panic in a model is this queue's failure.
fn fit_one(
    store: &Store,
    queue: QueueRef,
    history: History,
    config: &Config,
    keep_history: bool,
) -> QueueOutcome {
    let kept = keep_history.then(|| Arc::new(history.clone()));
    let ran = std::panic::catch_unwind(AssertUnwindSafe(|| run(store, history, config.clone())));
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
mod tests {
    use super::*;

    fn q(id: &str, name: &str) -> QueueRef {
        QueueRef {
            id: id.into(),
            name: name.into(),
        }
    }

    fn org() -> Vec<QueueRef> {
        vec![
            q("1", "Sales Voice"),
            q("2", "Sales Chat"),
            q("3", "Billing Voice"),
            q("4", "Support Voice"),
            q("5", "Presales"),
            q("6", "billing voice"),
        ]
    }

    fn names(r: Result<Vec<QueueRef>, String>) -> Vec<String> {
        r.unwrap().into_iter().map(|q| q.name).collect()
    }

    fn pats(p: &[&str]) -> Vec<String> {
        p.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn names_ids_and_wildcards_each_once_in_name_order() {
        assert_eq!(
            names(match_queues(
                &org(),
                &pats(&["Sales*", "Billing Voice", "4"]),
                false
            )),
            [
                "Billing Voice",
                "billing voice",
                "Sales Chat",
                "Sales Voice",
                "Support Voice"
            ]
        );
        assert_eq!(
            names(match_queues(
                &org(),
                &pats(&["*voice", "sales VOICE"]),
                false
            )),
            [
                "Billing Voice",
                "billing voice",
                "Sales Voice",
                "Support Voice"
            ]
        );
        assert_eq!(
            names(match_queues(&org(), &pats(&["*sales*"]), false)),
            ["Presales", "Sales Chat", "Sales Voice"]
        );
        assert_eq!(
            names(match_queues(&org(), &pats(&["S*s*Voice"]), false)),
            ["Sales Voice"]
        );
        assert_eq!(match_queues(&org(), &[], true).unwrap().len(), 6);
        assert_eq!(
            match_queues(&org(), &pats(&["Sales*"]), true)
                .unwrap()
                .len(),
            6
        );
    }

    #[test]
    fn a_pattern_without_a_match_is_an_error_with_a_hint() {
        let e = match_queues(&org(), &pats(&["Sales*", "Salse"]), false).unwrap_err();
        assert_eq!(
            e,
            "--queue \"Salse\" matches no queue; run `queuecast queues` to list them"
        );
        let e = match_queues(&org(), &pats(&["Sales"]), false).unwrap_err();
        assert!(
            e.ends_with("did you mean \"Sales Voice\", \"Sales Chat\", \"Presales\"?"),
            "{e}"
        );
        assert!(match_queues(&org(), &pats(&[" "]), false).is_err());
    }

    use std::time::Duration;

    use crate::genesys::ClientSettings;
    use crate::sandbox::{self, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Faults, SandboxHandle};
    use crate::service::history::fetch_history;

    async fn sandbox_with(faults: Faults) -> SandboxHandle {
        sandbox::start(sandbox::SandboxOptions {
            faults,
            ..Default::default()
        })
        .await
        .expect("sandbox starts")
    }

    fn client_for(sb: &SandboxHandle) -> GenesysClient {
        let mut s = ClientSettings::for_base(&sb.base_url(), DEMO_CLIENT_ID, DEMO_CLIENT_SECRET);
        s.min_backoff = Duration::from_millis(10);
        s.max_backoff = Duration::from_millis(20);
        s.max_retries = 0;
        GenesysClient::new(s).unwrap()
    }

    fn small_config() -> Config {
        let mut c = Config::default();
        c.history.days = 21;
        c.history.time_zone = Some("Europe/London".into());
        c.forecast.model = "seasonal-naive".into();
        c.forecast.horizon_days = 1;
        c
    }

    /// Six of the sandbox's voice queues (the default history counts inbound voice only).
    fn sandbox_queues(sb: &SandboxHandle) -> Vec<QueueRef> {
        sb.queues()
            .into_iter()
            .filter(|s| s.name.contains("Voice"))
            .take(6)
            .map(|s| q(&s.id, &s.name))
            .collect()
    }

    /// Everything `rx` sends until it closes.
    async fn drain(mut rx: mpsc::Receiver<QueueOutcome>) -> Vec<QueueOutcome> {
        let mut out = vec![];
        while let Some(o) = rx.recv().await {
            out.push(o);
        }
        out
    }

    #[tokio::test]
    async fn fetch_many_equals_each_queue_fetched_alone_in_the_order_given() {
        let sb = sandbox_with(Faults::default()).await;
        let client = client_for(&sb);
        let config = small_config();
        let now = Utc::now();
        let mut queues = sandbox_queues(&sb);
        queues.reverse();
        // The token first, so both counts below are aggregates requests only.
        client.list_queues(None).await.unwrap();
        let before = sb.request_count();
        let many = fetch_many(&client, &queues, &config, now, None)
            .await
            .unwrap();
        let many_requests = sb.request_count() - before;
        assert_eq!(many.len(), queues.len());
        let before = sb.request_count();
        for (queue, (asked, got)) in queues.iter().zip(&many) {
            assert_eq!(asked, queue, "in the order given");
            let got = got.as_ref().unwrap();
            let alone = fetch_history(&client, queue.clone(), &config, now, None)
                .await
                .unwrap();
            assert_eq!(&got.queue, queue);
            assert_eq!(got.series, alone.series, "{}", queue.name);
            // A series starts at its first reported bucket: a quiet night at the start of the
            // 21 days (the run's time of day) shortens it by a few hours, never more than a day.
            let n = got.series.points.len();
            assert!((20 * 24..=21 * 24).contains(&n), "{n}");
        }
        // One query per chunk for all of them: no more requests than one queue alone costs
        // twice (the or-clause of queue ids), far fewer than one queue at a time.
        let alone_requests = sb.request_count() - before;
        let per_queue = alone_requests / queues.len() as u64;
        assert!(
            many_requests <= 2 * per_queue,
            "{many_requests} vs {per_queue} per queue"
        );
    }

    #[tokio::test]
    async fn run_many_streams_every_queue_once_and_saves_each_forecast() {
        let sb = sandbox_with(Faults::default()).await;
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let queues = sandbox_queues(&sb);
        let opts = ManyOptions {
            workers: 1,
            batch: 2,
            keep_history: true,
        };
        let rx = run_many(
            client_for(&sb),
            store.clone(),
            queues.clone(),
            small_config(),
            Utc::now(),
            opts,
            CancellationToken::new(),
        );
        let outcomes = drain(rx).await;
        let mut got: Vec<&str> = outcomes.iter().map(|o| o.queue.id.as_str()).collect();
        got.sort();
        let mut want: Vec<&str> = queues.iter().map(|q| q.id.as_str()).collect();
        want.sort();
        assert_eq!(got, want);
        for o in &outcomes {
            let done = o.result.as_ref().unwrap();
            assert_eq!(done.run.output.queue, o.queue);
            assert_eq!(done.run.output.forecast.future.len(), 24);
            let history = done.history.as_ref().unwrap();
            let n = history.series.points.len();
            assert!(
                (20 * 24..=21 * 24).contains(&n),
                "{n} (see fetch_many_equals_…)"
            );
            assert!(store.load_forecast(&o.queue.id).unwrap().is_some());
        }
    }

    /// A fetch limit smaller than a batch makes smaller batches, not failures.
    #[tokio::test]
    async fn run_many_fetches_fewer_queues_at_once_to_fit_max_fetch_buckets() {
        let sb = sandbox_with(Faults::default()).await;
        let dir = tempfile::tempdir().unwrap();
        let queues = sandbox_queues(&sb);
        let mut config = small_config();
        config.limits.max_fetch_buckets = 21 * 24;
        let opts = ManyOptions {
            workers: 1,
            batch: 50,
            keep_history: false,
        };
        let rx = run_many(
            client_for(&sb),
            Store::new(dir.path()),
            queues.clone(),
            config,
            Utc::now(),
            opts,
            CancellationToken::new(),
        );
        let outcomes = drain(rx).await;
        assert_eq!(outcomes.len(), queues.len());
        for o in &outcomes {
            assert!(
                o.result.is_ok(),
                "{}: {:?}",
                o.queue.name,
                o.result.as_ref().err()
            );
        }
    }

    #[tokio::test]
    async fn a_failed_fetch_is_that_queues_outcome_and_the_channel_still_closes() {
        let sb = sandbox_with(Faults {
            error_rate: 1.0,
            ..Faults::default()
        })
        .await;
        let dir = tempfile::tempdir().unwrap();
        let queues = sandbox_queues(&sb);
        let rx = run_many(
            client_for(&sb),
            Store::new(dir.path()),
            queues.clone(),
            small_config(),
            Utc::now(),
            ManyOptions::new(),
            CancellationToken::new(),
        );
        let outcomes = drain(rx).await;
        assert_eq!(outcomes.len(), queues.len());
        for o in &outcomes {
            let f = o.result.as_ref().unwrap_err();
            assert_eq!(f.stage, Stage::Fetch);
            assert!(f.message.contains("503"), "{}", f.message);
        }
    }

    #[tokio::test]
    async fn a_cancelled_run_starts_nothing() {
        let sb = sandbox_with(Faults::default()).await;
        let dir = tempfile::tempdir().unwrap();
        let cancel = CancellationToken::new();
        cancel.cancel();
        let rx = run_many(
            client_for(&sb),
            Store::new(dir.path()),
            sandbox_queues(&sb),
            small_config(),
            Utc::now(),
            ManyOptions::new(),
            cancel,
        );
        assert!(drain(rx).await.is_empty());
        assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none());
    }

    #[test]
    fn glob_anchors_both_ends() {
        assert!(glob("a*", "abc"));
        assert!(!glob("b*", "abc"));
        assert!(glob("*c", "abc"));
        assert!(glob("a*b*c", "abc"));
        assert!(!glob("ab*bc", "abc"), "the two ends must not overlap");
        assert!(glob("*", ""));
        assert!(glob("a**c", "ac"));
    }
}
