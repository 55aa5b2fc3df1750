//! `POST /api/v2/analytics/conversations/aggregates/query` for the interval history of one or
//! many queues, and `GET /api/v2/analytics/dataretention/settings`.
//!
//! One request covers a chunk of time for a group of queues: `groupBy: ["queueId",
//! "mediaType"]` and a filter whose or-clause lists the group's queue ids (the example of
//! `../shared/genesys-api/README.md` (c)), so 50 queues cost what one does. Long ranges are
//! split at local midnights (no documented maximum range exists, so the chunk size is
//! configurable), queried with bounded concurrency, and merged per queue.
//!
//! **Queues per request.** `ConversationAggregateQueryFilter.md` / `…Clause.md` /
//! `…Predicate.md` (Python SDK) document no limit on predicates per filter or clause, only "up
//! to two-levels of nesting"; neither do the developer-center pages or the Terraform provider.
//! The one documented bound is the 512,000-byte request body (`request.bytes.max`), which a
//! predicate of ~100 bytes is far from. So the group size is a conservative, configurable
//! choice (`genesys.queues_per_query`, default 50), not a Genesys limit; and a group whose
//! request is refused (400, e.g. an undocumented limit) or fails (5xx after retries) is split
//! in halves until the failure is pinned to single queues, so one bad queue never costs the
//! others their history.
//!
//! **Which conversations.** `mediaType` predicates (an or-clause when several) and an optional
//! direction predicate. The direction dimension defaults to `originatingDirection` ("The
//! original direction of the conversation", `AnalyticsConversation`/`Session` models, enum
//! inbound/outbound) rather than `direction` ("The direction of the communication", per
//! session in `AnalyticsSession.md`): a campaign call is outbound from its start, so
//! `originatingDirection = inbound` drops the dialer's calls on a campaign queue while keeping
//! every customer-initiated contact, whatever happens to it later in the conversation.

use std::collections::{BTreeMap, HashSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, Days, NaiveDate, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use futures::StreamExt;
use reqwest::Method;
use serde::{Deserialize, Deserializer, Serialize};
use tokio::sync::mpsc::UnboundedSender;

use super::client::GenesysClient;
use super::error::GenesysError;
use super::models::AnalyticsDataRetentionResponse;
use crate::granularity::Granularity;
use split::{server_wide, splittable};

/// A `[start, end)` range of instants.
pub type TimeRange = (DateTime<Utc>, DateTime<Utc>);

/// Queues per request unless configured: a conservative choice, see the module doc.
pub const DEFAULT_QUEUES_PER_QUERY: usize = 50;

/// What to count per bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Metric {
    /// Conversations offered to the queue (always fetched).
    NOffered,
    /// Conversations handled. Genesys has no `nHandled` metric: it is the `count` of `tHandle`.
    NHandled,
    /// Handle time (talk + hold + wrap-up), in milliseconds.
    THandle,
}

impl Metric {
    /// The metric name sent on the wire.
    fn wire(self) -> &'static str {
        match self {
            Metric::NOffered => "nOffered",
            Metric::NHandled | Metric::THandle => "tHandle",
        }
    }
}

/// A conversation direction, as the `direction` / `originatingDirection` dimensions spell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Inbound,
    Outbound,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
        }
    }
}

/// Which dimension carries the direction filter (see the module doc for the default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum DirectionDimension {
    #[default]
    #[serde(rename = "originatingDirection")]
    OriginatingDirection,
    #[serde(rename = "direction")]
    Direction,
}

impl DirectionDimension {
    pub fn as_str(self) -> &'static str {
        match self {
            DirectionDimension::OriginatingDirection => "originatingDirection",
            DirectionDimension::Direction => "direction",
        }
    }
}

/// A history request for one or more queues.
#[derive(Debug, Clone, PartialEq)]
pub struct AggregateQuery {
    pub queue_ids: Vec<String>,
    /// `voice`, `chat`, …; empty = every media type, summed.
    pub media_types: Vec<String>,
    /// Only conversations of this direction; `None` = both, summed.
    pub direction: Option<(DirectionDimension, Direction)>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub granularity: Granularity,
    /// IANA zone that buckets and chunk boundaries line up with.
    pub time_zone: String,
    /// `NOffered` is always fetched; add `NHandled`/`THandle` to get those too (same request).
    pub metrics: Vec<Metric>,
    pub chunk_days: u32,
    pub max_concurrency: usize,
    /// Queue ids per request (the or-clause's length).
    pub queues_per_query: usize,
}

impl AggregateQuery {
    /// One queue with the config defaults: `nOffered` only, every media type and direction,
    /// 7-day chunks, 3 in flight.
    pub fn new(
        queue_id: impl Into<String>,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        granularity: Granularity,
        time_zone: impl Into<String>,
    ) -> Self {
        Self::for_queues(vec![queue_id.into()], start, end, granularity, time_zone)
    }

    /// Several queues, fetched `queues_per_query` to a request.
    pub fn for_queues(
        queue_ids: Vec<String>,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        granularity: Granularity,
        time_zone: impl Into<String>,
    ) -> Self {
        Self {
            queue_ids,
            media_types: Vec::new(),
            direction: None,
            start,
            end,
            granularity,
            time_zone: time_zone.into(),
            metrics: vec![Metric::NOffered],
            chunk_days: 7,
            max_concurrency: 3,
            queues_per_query: DEFAULT_QUEUES_PER_QUERY,
        }
    }

    /// The `[start, end)` UTC ranges that are queried, one request each per group of queues:
    /// boundaries at local midnight in `time_zone` every `chunk_days` days from the start's
    /// local date.
    pub fn chunks(&self) -> Result<Vec<TimeRange>, GenesysError> {
        let tz = self.tz()?;
        if self.end <= self.start {
            return Err(GenesysError::InvalidRequest(format!(
                "empty time range: end {} is not after start {}",
                self.end, self.start
            )));
        }
        if self.chunk_days == 0 {
            return Err(GenesysError::InvalidRequest(
                "chunk_days must be at least 1".into(),
            ));
        }
        let first_date = self.start.with_timezone(&tz).date_naive();
        let mut out = Vec::new();
        let mut cur = self.start;
        let mut k: u64 = 1;
        loop {
            let boundary = first_date
                .checked_add_days(Days::new(k * u64::from(self.chunk_days)))
                .map(|d| local_midnight(tz, d))
                .unwrap_or(self.end);
            if boundary >= self.end {
                out.push((cur, self.end));
                return Ok(out);
            }
            if boundary > cur {
                out.push((cur, boundary));
                cur = boundary;
            }
            k += 1;
        }
    }

    /// The queue ids in request-sized groups, in order.
    pub fn queue_groups(&self) -> Vec<Vec<String>> {
        self.queue_ids
            .chunks(self.queues_per_query.max(1))
            .map(<[String]>::to_vec)
            .collect()
    }

    fn tz(&self) -> Result<Tz, GenesysError> {
        self.time_zone.parse::<Tz>().map_err(|_| {
            GenesysError::InvalidRequest(format!(
                "unknown time zone {:?}: use an IANA name such as America/Chicago",
                self.time_zone
            ))
        })
    }

    fn wire_metrics(&self) -> Vec<&'static str> {
        let mut m = vec![Metric::NOffered.wire()];
        for metric in &self.metrics {
            if !m.contains(&metric.wire()) {
                m.push(metric.wire());
            }
        }
        m
    }

    fn wants(&self, metric: Metric) -> bool {
        self.metrics.contains(&metric)
    }

    /// The request body for one group of queues over one chunk.
    fn body<'a>(&'a self, ids: &'a [String], (start, end): TimeRange) -> QueryBody<'a> {
        let mut clauses = vec![Clause {
            kind: "or",
            predicates: ids
                .iter()
                .map(|id| Predicate::matches("queueId", id))
                .collect(),
        }];
        let media: Vec<&String> = self.media_types.iter().filter(|m| !m.is_empty()).collect();
        if !media.is_empty() {
            clauses.push(Clause {
                kind: "or",
                predicates: media
                    .into_iter()
                    .map(|m| Predicate::matches("mediaType", m))
                    .collect(),
            });
        }
        let predicates = self
            .direction
            .iter()
            .map(|(dim, dir)| Predicate::matches(dim.as_str(), dir.as_str()))
            .collect();
        QueryBody {
            interval: format!("{}/{}", iso_instant(start), iso_instant(end)),
            granularity: self.granularity.as_iso(),
            time_zone: &self.time_zone,
            group_by: ["queueId", "mediaType"],
            filter: Filter {
                kind: "and",
                clauses,
                predicates,
            },
            metrics: self.wire_metrics(),
        }
    }
}

/// Requests finished so far, for a progress bar. `total` grows when a failed group of queues
/// is split and asked again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FetchProgress {
    pub done: usize,
    pub total: usize,
}

/// Handle-time statistics of one bucket, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TimerStats {
    pub count: f64,
    pub sum_ms: f64,
    pub min_ms: Option<f64>,
    pub max_ms: Option<f64>,
}

impl TimerStats {
    /// Average handle time; `None` when nothing was handled.
    pub fn mean_ms(&self) -> Option<f64> {
        (self.count > 0.0).then(|| self.sum_ms / self.count)
    }

    fn merge(&mut self, other: &TimerStats) {
        self.count += other.count;
        self.sum_ms += other.sum_ms;
        self.min_ms = opt_fold(self.min_ms, other.min_ms, f64::min);
        self.max_ms = opt_fold(self.max_ms, other.max_ms, f64::max);
    }
}

fn opt_fold(a: Option<f64>, b: Option<f64>, f: fn(f64, f64) -> f64) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(f(a, b)),
        (a, b) => a.or(b),
    }
}

/// One bucket with data. Genesys omits buckets in which nothing happened, so missing starts
/// are real zeros (the history layer fills them).
#[derive(Debug, Clone, PartialEq)]
pub struct AggregateBucket {
    pub start: DateTime<Utc>,
    pub n_offered: f64,
    /// `Some` only when [`Metric::NHandled`] was asked for.
    pub n_handled: Option<f64>,
    /// `Some` only when [`Metric::THandle`] was asked for.
    pub t_handle: Option<TimerStats>,
}

/// Each queue's buckets, or the error that stopped its fetch.
pub type PerQueue = BTreeMap<String, Result<Vec<AggregateBucket>, GenesysError>>;

/// Counts finished requests and reports them.
struct Progress {
    tx: Option<UnboundedSender<FetchProgress>>,
    done: AtomicUsize,
    total: AtomicUsize,
}

impl Progress {
    fn new(tx: Option<UnboundedSender<FetchProgress>>, total: usize) -> Self {
        let p = Self {
            tx,
            done: AtomicUsize::new(0),
            total: AtomicUsize::new(total),
        };
        p.send();
        p
    }

    fn send(&self) {
        if let Some(tx) = &self.tx {
            // The receiver may have gone (screen closed); the fetch result still matters.
            let _ = tx.send(FetchProgress {
                done: self.done.load(Ordering::Relaxed),
                total: self.total.load(Ordering::Relaxed),
            });
        }
    }

    fn finished(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
        self.send();
    }

    /// Requests that will not be sent after all (their group already failed).
    fn skipped(&self, n: usize) {
        self.total.fetch_sub(n, Ordering::Relaxed);
        self.send();
    }

    fn more(&self, n: usize) {
        self.total.fetch_add(n, Ordering::Relaxed);
    }
}

/// What one pass over some groups of queues produced.
struct Pass {
    ok: BTreeMap<String, Vec<AggregateBucket>>,
    failed: Vec<(Vec<String>, GenesysError)>,
}

impl GenesysClient {
    /// The history of every queue of `q`, merged per queue (media-type groups summed per
    /// bucket, sorted by start with unique starts). A failing queue gets its own error and the
    /// others their data (see the module doc); only a failure no queue can escape (auth, rate
    /// limit beyond the cap, unreachable server, a bad query) is returned as `Err`.
    /// `progress` receives `{done: 0, total}` and then one message per finished request.
    pub async fn fetch_each_queue(
        &self,
        q: &AggregateQuery,
        progress: Option<UnboundedSender<FetchProgress>>,
    ) -> Result<PerQueue, GenesysError> {
        let chunks = q.chunks()?;
        let mut pending = q.queue_groups();
        let progress = Progress::new(progress, pending.len() * chunks.len());
        let mut out = PerQueue::new();
        let mut client = self.clone();
        while !pending.is_empty() {
            let mut pass = client.pass(q, &pending, &chunks, &progress).await;
            let answered = !pass.ok.is_empty() || out.values().any(Result::is_ok);
            if server_wide(&pass.failed, answered) {
                return Err(pass.failed.swap_remove(0).1);
            }
            out.extend(pass.ok.into_iter().map(|(id, b)| (id, Ok(b))));
            pending = Vec::new();
            for (ids, err) in pass.failed {
                if !splittable(&err) {
                    return Err(err);
                }
                match ids.as_slice() {
                    [one] => {
                        out.insert(one.clone(), Err(err));
                    }
                    _ => {
                        tracing::warn!(queues = ids.len(), error = %err,
                            "aggregates query for a group of queues failed; splitting it");
                        if matches!(err, GenesysError::Deadline { .. }) {
                            client = self.failures_within(self.split_deadline());
                        }
                        let (a, b) = ids.split_at(ids.len() / 2);
                        progress.more(2 * chunks.len());
                        pending.extend([a.to_vec(), b.to_vec()]);
                    }
                }
            }
        }
        Ok(out)
    }

    /// The history of all queues of `q` summed per bucket (one queue: its history); the first
    /// queue error fails the whole fetch.
    pub async fn fetch_aggregates(
        &self,
        q: &AggregateQuery,
        progress: Option<UnboundedSender<FetchProgress>>,
    ) -> Result<Vec<AggregateBucket>, GenesysError> {
        let mut merged = BTreeMap::new();
        for (_, result) in self.fetch_each_queue(q, progress).await? {
            for bucket in result? {
                merge_bucket(&mut merged, bucket);
            }
        }
        Ok(merged.into_values().collect())
    }

    /// The org's analytics retention in days (`GET /api/v2/analytics/dataretention/settings`);
    /// `None` when the setting is absent or this OAuth client may not read it (403, 404:
    /// `analytics:dataRetention:view` is not in every role).
    pub async fn data_retention_days(&self) -> Result<Option<u32>, GenesysError> {
        let call = self.call(Method::GET, "/api/v2/analytics/dataretention/settings");
        match self.get::<AnalyticsDataRetentionResponse>(call).await {
            Ok(r) => Ok(r.retention_days.and_then(|d| u32::try_from(d).ok())),
            Err(e) if matches!(e.status(), Some(403 | 404)) => {
                tracing::warn!(error = %e, "cannot read the analytics retention; not clipping history to it");
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Every chunk of every group, at most `max_concurrency` in flight; a group's remaining
    /// chunks are skipped once one of its requests failed.
    async fn pass(
        &self,
        q: &AggregateQuery,
        groups: &[Vec<String>],
        chunks: &[TimeRange],
        progress: &Progress,
    ) -> Pass {
        let failed_groups: Mutex<HashSet<usize>> = Mutex::new(HashSet::new());
        let is_failed = |g: &usize| {
            failed_groups
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .contains(g)
        };
        // Owned indices, not borrowed tuples: closures taking references as arguments make the
        // future not `Send` for every lifetime (rustc's higher-ranked closure limitation), and
        // the TUI spawns this future.
        let tasks: Vec<(usize, TimeRange)> = (0..groups.len())
            .flat_map(|g| chunks.iter().map(move |c| (g, *c)))
            .collect();
        let mut stream = futures::stream::iter(tasks)
            .map(|(g, (start, end))| {
                let skip = is_failed(&g);
                let ids = groups[g].as_slice();
                async move {
                    let result = if skip {
                        None
                    } else {
                        Some(self.query_range(q, ids, start, end).await)
                    };
                    (g, result)
                }
            })
            .buffer_unordered(q.max_concurrency.max(1));
        let mut per_queue: BTreeMap<String, BTreeMap<DateTime<Utc>, AggregateBucket>> =
            BTreeMap::new();
        let mut errors: BTreeMap<usize, GenesysError> = BTreeMap::new();
        while let Some((g, result)) = stream.next().await {
            match result {
                None => progress.skipped(1),
                Some(Ok(by_queue)) => {
                    for (id, buckets) in by_queue {
                        let into = per_queue.entry(id).or_default();
                        buckets.into_iter().for_each(|b| merge_bucket(into, b));
                    }
                    progress.finished();
                }
                Some(Err(e)) => {
                    failed_groups
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .insert(g);
                    errors.entry(g).or_insert(e);
                    progress.finished();
                }
            }
        }
        let mut ok = BTreeMap::new();
        for (g, ids) in groups.iter().enumerate() {
            if errors.contains_key(&g) {
                continue;
            }
            for id in ids {
                let buckets = per_queue.remove(id).unwrap_or_default();
                ok.insert(id.clone(), buckets.into_values().collect());
            }
        }
        let failed = errors
            .into_iter()
            .map(|(g, e)| (groups[g].clone(), e))
            .collect();
        Pass { ok, failed }
    }

    /// One chunk for one group. For a single queue, a 400 on a multi-day chunk is retried day
    /// by day, since Genesys documents no maximum range and a too-long query is one cause of
    /// 400; if the first day fails too, the query itself is bad and that error is returned
    /// (two requests, not one per day). A group's 400 goes back to be split instead.
    async fn query_range(
        &self,
        q: &AggregateQuery,
        ids: &[String],
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<BTreeMap<String, Vec<AggregateBucket>>, GenesysError> {
        let err = match self.query_chunk(q, ids, start, end).await {
            Err(e) if e.status() == Some(400) && ids.len() == 1 => e,
            other => return other,
        };
        let days = AggregateQuery {
            start,
            end,
            chunk_days: 1,
            ..q.clone()
        }
        .chunks()?;
        if days.len() < 2 {
            return Err(err);
        }
        tracing::warn!(
            interval = %format!("{}/{}", iso_instant(start), iso_instant(end)),
            days = days.len(),
            "aggregates query refused with 400; retrying one day at a time"
        );
        let mut out: BTreeMap<String, Vec<AggregateBucket>> = BTreeMap::new();
        for (day_start, day_end) in days {
            for (id, buckets) in self.query_chunk(q, ids, day_start, day_end).await? {
                out.entry(id).or_default().extend(buckets);
            }
        }
        Ok(out)
    }

    async fn query_chunk(
        &self,
        q: &AggregateQuery,
        ids: &[String],
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<BTreeMap<String, Vec<AggregateBucket>>, GenesysError> {
        let call = self
            .call(
                Method::POST,
                "/api/v2/analytics/conversations/aggregates/query",
            )
            .json(&q.body(ids, (start, end)))?;
        let resp: AggregateResponse = self.execute(&call).await?.decode(&call)?;
        Ok(buckets_from_response(q, ids, resp))
    }
}

/// `yyyy-MM-ddTHH:mm:ss.SSSZ`, the form the API documents for `interval`.
pub fn iso_instant(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// The first instant of `date` in `tz` (midnight, or the first minute after a DST gap).
fn local_midnight(tz: Tz, date: NaiveDate) -> DateTime<Utc> {
    let midnight = date.and_hms_opt(0, 0, 0).expect("00:00:00 is valid");
    (0..=24 * 60)
        .find_map(|m| {
            tz.from_local_datetime(&(midnight + TimeDelta::minutes(m)))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&midnight))
}

fn merge_bucket(into: &mut BTreeMap<DateTime<Utc>, AggregateBucket>, b: AggregateBucket) {
    match into.get_mut(&b.start) {
        None => {
            into.insert(b.start, b);
        }
        Some(acc) => {
            acc.n_offered += b.n_offered;
            acc.n_handled = opt_fold(acc.n_handled, b.n_handled, |x, y| x + y);
            match (&mut acc.t_handle, &b.t_handle) {
                (Some(a), Some(o)) => a.merge(o),
                (a @ None, Some(o)) => *a = Some(*o),
                _ => {}
            }
        }
    }
}

/// Each asked-for queue's buckets (media-type groups summed); groups of other queues, or
/// without a `queueId`, are ignored.
fn buckets_from_response(
    q: &AggregateQuery,
    ids: &[String],
    resp: AggregateResponse,
) -> BTreeMap<String, Vec<AggregateBucket>> {
    let mut merged: BTreeMap<String, BTreeMap<DateTime<Utc>, AggregateBucket>> = BTreeMap::new();
    for group in resp.results.unwrap_or_default() {
        let Some(id) = group
            .group
            .as_ref()
            .and_then(|g| g.get("queueId"))
            .and_then(|v| v.as_str())
            .filter(|id| ids.iter().any(|w| w == id))
        else {
            continue;
        };
        let into = merged.entry(id.to_string()).or_default();
        for point in group.data.unwrap_or_default() {
            merge_bucket(into, bucket_of(q, point));
        }
    }
    merged
        .into_iter()
        .map(|(id, b)| (id, b.into_values().collect()))
        .collect()
}

fn bucket_of(q: &AggregateQuery, point: StatisticalResponse) -> AggregateBucket {
    let mut bucket = AggregateBucket {
        start: point.interval,
        n_offered: 0.0,
        n_handled: q.wants(Metric::NHandled).then_some(0.0),
        t_handle: q.wants(Metric::THandle).then(TimerStats::default),
    };
    for m in point.metrics.unwrap_or_default() {
        let stats = m.stats.unwrap_or_default();
        match m.metric.as_str() {
            "nOffered" => bucket.n_offered += stats.count.unwrap_or(0.0),
            "tHandle" => {
                if let Some(n) = &mut bucket.n_handled {
                    *n += stats.count.unwrap_or(0.0);
                }
                if let Some(t) = &mut bucket.t_handle {
                    t.merge(&TimerStats {
                        count: stats.count.unwrap_or(0.0),
                        sum_ms: stats.sum.unwrap_or(0.0),
                        min_ms: stats.min,
                        max_ms: stats.max,
                    });
                }
            }
            _ => {}
        }
    }
    bucket
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct QueryBody<'a> {
    interval: String,
    granularity: &'static str,
    time_zone: &'a str,
    group_by: [&'static str; 2],
    filter: Filter<'a>,
    metrics: Vec<&'static str>,
}

/// `ConversationAggregateQueryFilter`.
#[derive(Serialize)]
struct Filter<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    clauses: Vec<Clause<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    predicates: Vec<Predicate<'a>>,
}

/// `ConversationAggregateQueryClause`: `type` and `predicates`, both required.
#[derive(Serialize)]
struct Clause<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    predicates: Vec<Predicate<'a>>,
}

#[derive(Serialize)]
struct Predicate<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    dimension: &'static str,
    operator: &'static str,
    value: &'a str,
}

impl<'a> Predicate<'a> {
    fn matches(dimension: &'static str, value: &'a str) -> Self {
        Self {
            kind: "dimension",
            dimension,
            operator: "matches",
            value,
        }
    }
}

/// `ConversationAggregateQueryResponse`; every level may be missing when there is no data.
#[derive(Deserialize)]
struct AggregateResponse {
    #[serde(default)]
    results: Option<Vec<DataContainer>>,
}

#[derive(Deserialize)]
struct DataContainer {
    #[serde(default)]
    group: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default)]
    data: Option<Vec<StatisticalResponse>>,
}

#[derive(Deserialize)]
struct StatisticalResponse {
    #[serde(deserialize_with = "interval_start")]
    interval: DateTime<Utc>,
    #[serde(default)]
    metrics: Option<Vec<MetricData>>,
}

#[derive(Deserialize)]
struct MetricData {
    metric: String,
    #[serde(default)]
    stats: Option<Stats>,
}

#[derive(Deserialize, Default)]
struct Stats {
    #[serde(default)]
    count: Option<f64>,
    #[serde(default)]
    sum: Option<f64>,
    #[serde(default)]
    min: Option<f64>,
    #[serde(default)]
    max: Option<f64>,
}

/// The start instant of an `"<start>/<end>"` interval.
pub(super) fn interval_start<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    let s = String::deserialize(d)?;
    let start = s.split('/').next().unwrap_or_default();
    DateTime::parse_from_rfc3339(start)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            serde::de::Error::custom(format!(
                "interval {s:?} is not \"<ISO-8601 start>/<end>\": {e}"
            ))
        })
}

mod split;
#[cfg(test)]
mod tests;
