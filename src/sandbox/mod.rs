//! The embedded sandbox org: a simulated Genesys Cloud on loopback, so `queuecast demo` and the
//! tests need no credentials and no real org. Its queues are a simulated mid-size contact centre
//! ([`contact_centre`], deterministic from a seed) plus the bundled real public series in a
//! "Public data" division.
//!
//! It speaks the subset of Platform API v2 queuecast uses (OAuth client credentials, queues,
//! conversation aggregates, analytics data retention, outbound contact lists / scripts /
//! response sets / campaigns / schedules, telephony sites, queue members, user aggregates) with
//! the real wire shapes, and can inject faults (latency, 503s, 429s, short tokens, interval
//! limits, a failing queue, denied permissions, late create answers, failing lookups) so the
//! client's retry, chunking and create-once paths are exercised over real HTTP.
//!
//! Like Genesys, it finishes a request it has received even when the client hangs up before the
//! answer (each request runs in its own task), so a create that timed out on the client may
//! still exist.
//!
//! Layout: `server` routes each request and admits it (token, permissions, rate limit, injected
//! errors); `validate` checks bodies and query strings (pure functions, one module per
//! resource); `outbound`, `telephony`, `routing` and `aggregates` store and render what passed;
//! `users` (user aggregates) and `members` (queue members) serve the contact centre's agents;
//! `permissions` says what each operation needs; `data` builds the org's queues (the centre's
//! and the replayed series laid out on today's calendar); `faults` holds the fault settings and
//! their command-line flags.
//! Nothing here imports the client (`genesys`) or the CLI: the sandbox is the client's oracle.

mod aggregates;
pub mod contact_centre;
mod data;
mod faults;
mod members;
mod outbound;
pub(crate) mod permissions;
mod routing;
mod server;
mod telephony;
mod users;
mod validate;
mod wire;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use rand::SeedableRng;
use rand::rngs::StdRng;

use crate::granularity::Granularity;
use crate::history::Point;

pub use contact_centre::{ContactCentre, DEFAULT_QUEUE, DEFAULT_SEED};
pub use data::queue_id;
pub use faults::{FaultArgs, Faults, LookupFault, LookupFaults, OrgArgs};

/// The demo OAuth client id; public on purpose (printed by `queuecast sandbox`), never a real org's.
pub const DEMO_CLIENT_ID: &str = "queuecast-sandbox-demo";
/// The demo OAuth client secret; public on purpose, it only opens the local sandbox.
pub const DEMO_CLIENT_SECRET: &str = "sandbox-not-a-real-secret";
/// The zone the bundled series' local clocks are read in when none is given.
pub const DEFAULT_TIME_ZONE: Tz = chrono_tz::America::New_York;
/// Seed of the error-rate RNG, fixed so a fault run is reproducible.
pub const DEFAULT_FAULT_SEED: u64 = 0x5eed_0003;
/// The sandbox org's analytics data retention (`GET /api/v2/analytics/dataretention/settings`):
/// its own setting, chosen to cover two years of the simulated centre; not a Genesys default.
pub const DEFAULT_RETENTION_DAYS: u32 = 730;

/// Queues of the simulated centre unless told otherwise: its hand-written templates.
pub fn default_queue_count() -> usize {
    contact_centre::queues::template_count()
}

/// How to start a sandbox.
#[derive(Debug, Clone)]
pub struct SandboxOptions {
    /// Loopback with port 0 (any free port) by default.
    pub bind: SocketAddr,
    pub faults: Faults,
    /// Extra queues from the user's own `ds,y` files: (name, path).
    pub extra_queues: Vec<(String, PathBuf)>,
    /// Pins "now" for the data timeline (tests); `None` = the real clock at start.
    pub now: Option<DateTime<Utc>>,
    /// Zone the series' wall clocks are read in, and the contact centre's zone.
    pub time_zone: Tz,
    /// Seed of the simulated contact centre.
    pub seed: u64,
    /// Queues of the simulated contact centre (0 = only the replayed series).
    pub queue_count: usize,
    /// The org's analytics retention in days: nothing older is served.
    pub retention_days: u32,
}

impl Default for SandboxOptions {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            faults: Faults::default(),
            extra_queues: Vec::new(),
            now: None,
            time_zone: DEFAULT_TIME_ZONE,
            seed: DEFAULT_SEED,
            queue_count: default_queue_count(),
            retention_days: DEFAULT_RETENTION_DAYS,
        }
    }
}

impl SandboxOptions {
    /// The defaults with "now" pinned (tests: a fixed data timeline).
    pub fn at(now: DateTime<Utc>) -> Self {
        Self {
            now: Some(now),
            ..Self::default()
        }
    }
}

/// Why the sandbox could not start.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error(
        "cannot listen on {addr} (is the port in use? try another --port, or 0 for any free one)"
    )]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read queue file {}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}:{line}: {message}", path.display())]
    Series {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{0}")]
    QueueSpec(String),
    #[error("invalid fault setting: {0}")]
    Faults(String),
}

/// What the sandbox has served so far, so tests and figures can show which faults really fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SandboxStats {
    /// Every HTTP request, including refused ones.
    pub requests: u64,
    pub tokens_issued: u64,
    /// 401s on `/api/v2` (missing, unknown or expired bearer token).
    pub unauthorized: u64,
    /// 429s from `--rate-limit`.
    pub rate_limited: u64,
    /// 503s from `--error-rate`.
    pub injected_errors: u64,
}

/// One sandbox queue as the embedding code sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct SandboxQueueInfo {
    pub id: String,
    pub name: String,
    pub division: String,
    /// Genesys `mediaType` of its conversations.
    pub media: String,
    /// Native bucket size; finer aggregates queries get a 400.
    pub granularity: Granularity,
    /// Index in [`SandboxHandle::centre`]'s queues, for a simulated queue.
    pub centre_index: Option<usize>,
    /// For a replayed series: (non-empty buckets served, sum of their counts).
    pub replayed: Option<(usize, u64)>,
}

pub(crate) struct TokenInfo {
    pub expires: Instant,
    pub window_start: Instant,
    pub window_count: u32,
}

/// Everything created at run time; one lock, held only briefly and never across an await.
pub(crate) struct Store {
    pub tokens: HashMap<String, TokenInfo>,
    pub campaigns: Vec<serde_json::Value>,
    /// The body of every accepted campaign create, exactly as received.
    pub create_bodies: Vec<serde_json::Value>,
    pub schedules: HashMap<String, serde_json::Value>,
    /// Campaign lookups served so far (indexes `Faults::lookup_faults`).
    pub lookups: usize,
    /// Conversation aggregates queries refused so far (`Faults::unavailable_aggregates`).
    pub aggregates_refused: u32,
    pub rng: StdRng,
}

/// The sandbox's "now": the start time (pinned or real) plus the time elapsed since, plus
/// whatever a test moved it on by. Schedules start and stop campaigns against it.
pub(crate) struct Clock {
    base: DateTime<Utc>,
    started: Instant,
    skew: Mutex<chrono::TimeDelta>,
}

impl Clock {
    fn new(base: DateTime<Utc>) -> Self {
        Self {
            base,
            started: Instant::now(),
            skew: Mutex::new(chrono::TimeDelta::zero()),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        let elapsed = chrono::TimeDelta::from_std(self.started.elapsed()).unwrap_or_default();
        let skew = *self.skew.lock().unwrap_or_else(|e| e.into_inner());
        self.base + elapsed + skew
    }

    fn advance(&self, by: chrono::TimeDelta) {
        *self.skew.lock().unwrap_or_else(|e| e.into_inner()) += by;
    }
}

pub(crate) struct State {
    pub faults: Faults,
    pub started: DateTime<Utc>,
    /// The simulated contact centre behind the `Source::Centre` queues.
    pub centre: Option<Arc<ContactCentre>>,
    /// Sorted by name.
    pub queues: Vec<data::QueueData>,
    /// The analytics retention in days, and its first instant (epoch seconds): nothing older
    /// is served.
    pub retention_days: u32,
    pub data_start: i64,
    pub contact_lists: Vec<serde_json::Value>,
    /// (script, published)
    pub scripts: Vec<(serde_json::Value, bool)>,
    pub sites: Vec<serde_json::Value>,
    pub response_sets: Vec<serde_json::Value>,
    pub clock: Clock,
    pub store: Mutex<Store>,
    pub requests: AtomicU64,
    pub tokens_issued: AtomicU64,
    pub unauthorized: AtomicU64,
    pub rate_limited: AtomicU64,
    pub injected_errors: AtomicU64,
}

impl State {
    /// The org's resources a request may refer to, for `validate`.
    pub fn catalog(&self) -> validate::Catalog<'_> {
        validate::Catalog {
            contact_lists: &self.contact_lists,
            queues: &self.queues,
            scripts: &self.scripts,
            sites: &self.sites,
            response_sets: &self.response_sets,
        }
    }

    pub fn lock(&self) -> std::sync::MutexGuard<'_, Store> {
        // A panic while holding the lock cannot leave the store half-updated in a harmful way.
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A running sandbox; dropping it without `shutdown` leaves the server running until the runtime ends.
pub struct SandboxHandle {
    addr: SocketAddr,
    state: Arc<State>,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for SandboxHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxHandle")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl SandboxHandle {
    /// Base URL for both `/oauth/token` and `/api/v2/...`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The queues in name order, as `GET /api/v2/routing/queues` lists them.
    pub fn queues(&self) -> Vec<SandboxQueueInfo> {
        self.state
            .queues
            .iter()
            .map(|q| SandboxQueueInfo {
                id: q.id.clone(),
                name: q.name.clone(),
                division: q.division.name.clone(),
                media: q.media.to_string(),
                granularity: Granularity::from_minutes(q.step_minutes())
                    .unwrap_or(Granularity::Pt1h),
                centre_index: match q.source {
                    data::Source::Centre(i) => Some(i),
                    data::Source::Series(_) => None,
                },
                replayed: q.series().map(|s| (s.points.len(), s.total())),
            })
            .collect()
    }

    /// The simulated contact centre, so tests can compute what a simulated queue must serve
    /// straight from the generator.
    pub fn centre(&self) -> Option<&ContactCentre> {
        self.state.centre.as_deref()
    }

    /// The first instant the org still has analytics data for (now − retention).
    pub fn data_start(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.state.data_start, 0).unwrap_or_default()
    }

    /// The exact served series of a replayed queue (nOffered per native bucket, empty buckets
    /// absent), so tests can compare what the client fetched with what the sandbox holds.
    /// `None` for a simulated queue (see [`Self::centre`]).
    pub fn series(&self, queue_id: &str) -> Option<Vec<Point>> {
        let q = self.state.queues.iter().find(|q| q.id == queue_id)?;
        Some(
            q.series()?
                .points
                .iter()
                .filter_map(|(ts, y)| {
                    Some(Point {
                        ts: DateTime::from_timestamp(*ts, 0)?,
                        y: *y as f64,
                    })
                })
                .collect(),
        )
    }

    /// The simulated contact centre behind the agents (rosters, states), the tests' oracle;
    /// `None` with `--queues 0` (only replayed series).
    pub fn contact_centre(&self) -> Option<&contact_centre::ContactCentre> {
        self.state.centre.as_deref()
    }

    /// Campaigns created so far, as the API returns them.
    pub fn campaigns(&self) -> Vec<serde_json::Value> {
        self.state.lock().campaigns.clone()
    }

    /// The body of every accepted campaign create, exactly as the client sent it.
    pub fn create_bodies(&self) -> Vec<serde_json::Value> {
        self.state.lock().create_bodies.clone()
    }

    /// The sandbox's "now" (schedules start and stop campaigns against it).
    pub fn now(&self) -> DateTime<Utc> {
        self.state.clock.now()
    }

    /// Moves the sandbox's clock on (tests: a schedule's window arrives, then passes).
    pub fn advance_clock(&self, by: chrono::TimeDelta) {
        self.state.clock.advance(by);
    }

    /// The stored schedule of a campaign, if one was PUT.
    pub fn schedule(&self, campaign_id: &str) -> Option<serde_json::Value> {
        self.state.lock().schedules.get(campaign_id).cloned()
    }

    /// HTTP requests received so far (all paths, including refused ones).
    pub fn request_count(&self) -> u64 {
        self.state.requests.load(Ordering::Relaxed)
    }

    /// Request and fault counters.
    pub fn stats(&self) -> SandboxStats {
        let s = &self.state;
        SandboxStats {
            requests: s.requests.load(Ordering::Relaxed),
            tokens_issued: s.tokens_issued.load(Ordering::Relaxed),
            unauthorized: s.unauthorized.load(Ordering::Relaxed),
            rate_limited: s.rate_limited.load(Ordering::Relaxed),
            injected_errors: s.injected_errors.load(Ordering::Relaxed),
        }
    }

    /// Stops accepting connections and waits for in-flight requests to finish.
    pub async fn shutdown(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

/// Builds the contact centre and the queues, binds, and serves in a background task.
pub async fn start(opts: SandboxOptions) -> Result<SandboxHandle, SandboxError> {
    opts.faults.check()?;
    let now = opts.now.unwrap_or_else(Utc::now);
    let data_start = (now - chrono::Duration::days(i64::from(opts.retention_days))).timestamp();
    let o = opts.clone();
    // Rosters and ~30k CSV rows are CPU work; keep them off the async workers.
    let (centre, mut queues) = tokio::task::spawn_blocking(move || {
        let centre = match o.queue_count {
            0 => None,
            n => Some(Arc::new(
                ContactCentre::new(o.seed, n, o.time_zone, now)
                    .map_err(|e| SandboxError::QueueSpec(e.to_string()))?,
            )),
        };
        let queues = data::build_queues(&data::OrgSpec {
            centre: centre.as_deref(),
            extra: &o.extra_queues,
            tz: o.time_zone,
            now,
            data_start,
        })?;
        Ok::<_, SandboxError>((centre, queues))
    })
    .await
    .map_err(|e| SandboxError::QueueSpec(format!("loading queue data failed: {e}")))??;
    queues.sort_by_key(|q| q.name.to_lowercase());
    opts.faults.check_queues(&queues)?;

    let state = Arc::new(State {
        faults: opts.faults.clone(),
        started: Utc::now(),
        centre,
        queues,
        retention_days: opts.retention_days,
        data_start,
        contact_lists: outbound::seed_contact_lists(),
        scripts: outbound::seed_scripts(),
        sites: match opts.faults.no_sites {
            true => Vec::new(),
            false => telephony::seed_sites(),
        },
        response_sets: match opts.faults.no_response_sets {
            true => Vec::new(),
            false => outbound::seed_response_sets(),
        },
        clock: Clock::new(now),
        store: Mutex::new(Store {
            tokens: HashMap::new(),
            campaigns: Vec::new(),
            create_bodies: Vec::new(),
            schedules: HashMap::new(),
            lookups: 0,
            aggregates_refused: 0,
            rng: StdRng::seed_from_u64(opts.faults.seed),
        }),
        requests: AtomicU64::new(0),
        tokens_issued: AtomicU64::new(0),
        unauthorized: AtomicU64::new(0),
        rate_limited: AtomicU64::new(0),
        injected_errors: AtomicU64::new(0),
    });

    let listener = tokio::net::TcpListener::bind(opts.bind)
        .await
        .map_err(|source| SandboxError::Bind {
            addr: opts.bind,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| SandboxError::Bind {
        addr: opts.bind,
        source,
    })?;
    let app = server::router(state.clone());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
        if let Err(e) = served {
            tracing::error!("sandbox server stopped: {e}");
        }
    });
    tracing::info!(%addr, queues = state.queues.len(), "sandbox listening");
    Ok(SandboxHandle {
        addr,
        state,
        stop,
        task,
    })
}
