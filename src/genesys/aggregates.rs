//! `POST /api/v2/analytics/conversations/aggregates/query` for one queue's interval history.
//!
//! Long ranges are split into chunks at local midnights (no documented maximum range exists,
//! so the chunk size is configurable), queried with bounded concurrency, and merged.

use std::collections::BTreeMap;

use chrono::{DateTime, Days, NaiveDate, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use futures::StreamExt;
use reqwest::Method;
use serde::{Deserialize, Deserializer, Serialize};
use tokio::sync::mpsc::UnboundedSender;

use super::client::GenesysClient;
use super::error::GenesysError;
use crate::granularity::Granularity;

/// A `[start, end)` range of instants.
pub type TimeRange = (DateTime<Utc>, DateTime<Utc>);

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

/// One queue's history request.
#[derive(Debug, Clone, PartialEq)]
pub struct AggregateQuery {
    pub queue_id: String,
    /// `voice`, `chat`, … ; `None` = all media types summed.
    pub media_type: Option<String>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub granularity: Granularity,
    /// IANA zone that buckets and chunk boundaries line up with.
    pub time_zone: String,
    /// `NOffered` is always fetched; add `NHandled`/`THandle` to get those too.
    pub metrics: Vec<Metric>,
    pub chunk_days: u32,
    pub max_concurrency: usize,
}

impl AggregateQuery {
    /// A query with the config defaults: `nOffered` only, 7-day chunks, 3 in flight.
    pub fn new(
        queue_id: impl Into<String>,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        granularity: Granularity,
        time_zone: impl Into<String>,
    ) -> Self {
        Self {
            queue_id: queue_id.into(),
            media_type: None,
            start,
            end,
            granularity,
            time_zone: time_zone.into(),
            metrics: vec![Metric::NOffered],
            chunk_days: 7,
            max_concurrency: 3,
        }
    }

    /// The `[start, end)` UTC ranges that are queried, one request each: boundaries at local
    /// midnight in `time_zone` every `chunk_days` days from the start's local date.
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
}

/// Chunks finished so far, for a progress bar.
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

impl GenesysClient {
    /// A queue's interval history: chunks queried concurrently (at most `max_concurrency`
    /// at once), media-type groups summed per bucket, sorted by start with unique starts.
    /// `progress` receives `{done: 0, total}` and then one message per finished chunk.
    pub async fn fetch_aggregates(
        &self,
        q: &AggregateQuery,
        progress: Option<UnboundedSender<FetchProgress>>,
    ) -> Result<Vec<AggregateBucket>, GenesysError> {
        let chunks = q.chunks()?;
        let total = chunks.len();
        let send = |done| {
            if let Some(tx) = &progress {
                // The receiver may have gone (screen closed); the fetch result still matters.
                let _ = tx.send(FetchProgress { done, total });
            }
        };
        send(0);
        let mut stream = futures::stream::iter(chunks)
            .map(|(start, end)| self.query_range(q, start, end))
            .buffer_unordered(q.max_concurrency.max(1));
        let mut merged: BTreeMap<DateTime<Utc>, AggregateBucket> = BTreeMap::new();
        let mut done = 0;
        while let Some(result) = stream.next().await {
            for bucket in result? {
                merge_bucket(&mut merged, bucket);
            }
            done += 1;
            send(done);
        }
        Ok(merged.into_values().collect())
    }

    /// One chunk; a 400 on a multi-day chunk is retried day by day, since Genesys documents
    /// no maximum range and a too-long query is one cause of 400. If the first day fails too,
    /// the query itself is bad and that error is returned (two requests, not one per day).
    async fn query_range(
        &self,
        q: &AggregateQuery,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<AggregateBucket>, GenesysError> {
        let err = match self.query_chunk(q, start, end).await {
            Err(e) if e.status() == Some(400) => e,
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
        let mut out = Vec::new();
        for (day_start, day_end) in days {
            out.extend(self.query_chunk(q, day_start, day_end).await?);
        }
        Ok(out)
    }

    async fn query_chunk(
        &self,
        q: &AggregateQuery,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<AggregateBucket>, GenesysError> {
        let mut predicates = vec![Predicate::matches("queueId", &q.queue_id)];
        if let Some(media) = q.media_type.as_deref().filter(|m| !m.is_empty()) {
            predicates.push(Predicate::matches("mediaType", media));
        }
        let body = QueryBody {
            interval: format!("{}/{}", iso_instant(start), iso_instant(end)),
            granularity: q.granularity.as_iso(),
            time_zone: &q.time_zone,
            group_by: ["queueId", "mediaType"],
            filter: Filter {
                kind: "and",
                predicates,
            },
            metrics: q.wire_metrics(),
        };
        let call = self
            .call(
                Method::POST,
                "/api/v2/analytics/conversations/aggregates/query",
            )
            .json(&body)?;
        let resp: AggregateResponse = self.execute(&call).await?.decode(&call)?;
        Ok(buckets_from_response(q, resp))
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

fn buckets_from_response(q: &AggregateQuery, resp: AggregateResponse) -> Vec<AggregateBucket> {
    let mut merged = BTreeMap::new();
    for group in resp.results.unwrap_or_default() {
        let other_queue = group
            .group
            .as_ref()
            .and_then(|g| g.get("queueId"))
            .and_then(|v| v.as_str())
            .is_some_and(|id| id != q.queue_id);
        if other_queue {
            continue;
        }
        for point in group.data.unwrap_or_default() {
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
            merge_bucket(&mut merged, bucket);
        }
    }
    merged.into_values().collect()
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

#[derive(Serialize)]
struct Filter<'a> {
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
fn interval_start<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn chunks_break_at_local_midnight_across_dst() {
        // Chicago springs forward on 2024-03-10; midnight stays midnight local time.
        let mut q = AggregateQuery::new(
            "q",
            utc("2024-03-01T06:00:00Z"),
            utc("2024-03-15T05:00:00Z"),
            Granularity::Pt1h,
            "America/Chicago",
        );
        q.chunk_days = 7;
        let c = q.chunks().unwrap();
        assert_eq!(
            c,
            vec![
                (utc("2024-03-01T06:00:00Z"), utc("2024-03-08T06:00:00Z")),
                (utc("2024-03-08T06:00:00Z"), utc("2024-03-15T05:00:00Z")),
            ]
        );
    }

    #[test]
    fn partial_first_chunk_and_bad_inputs() {
        let q = AggregateQuery::new(
            "q",
            utc("2024-05-06T12:00:00Z"),
            utc("2024-05-08T00:00:00Z"),
            Granularity::Pt15m,
            "UTC",
        );
        let q = AggregateQuery { chunk_days: 1, ..q };
        assert_eq!(q.chunks().unwrap().len(), 2);
        let bad = AggregateQuery {
            time_zone: "Mars/Base".into(),
            ..q.clone()
        };
        assert!(bad.chunks().unwrap_err().to_string().contains("Mars/Base"));
        let empty = AggregateQuery { end: q.start, ..q };
        assert!(empty.chunks().is_err());
    }

    #[test]
    fn n_handled_is_requested_as_t_handle_once() {
        let mut q = AggregateQuery::new("q", Utc::now(), Utc::now(), Granularity::Pt1h, "UTC");
        q.metrics = vec![Metric::NHandled, Metric::THandle];
        assert_eq!(q.wire_metrics(), vec!["nOffered", "tHandle"]);
    }
}
