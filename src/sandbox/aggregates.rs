//! `POST /api/v2/analytics/conversations/aggregates/query` over the sandbox series.
//!
//! Metric model (deterministic, so every run and every granularity agree):
//! - `nOffered` = the series value of each native bucket (all media is `voice`).
//! - Abandons: `round(offered × s)` with `s` in 2–6 %, drawn per (queue, bucket) from a hash;
//!   `nHandled` and `tHandle.count` = offered − abandons.
//! - Handle time: per (queue, bucket) a mean of 180–300 s; `tHandle.sum` = handled × mean (ms);
//!   `min` = mean × 0.15–0.30, `max` = mean × 2.0–3.5 (min = max = sum for a single contact).
//!   Coarser buckets sum `count`/`sum` and take min of `min`, max of `max`.
//! - Buckets with no metric data are omitted, and so are groups with no buckets, as Genesys does.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use serde_json::{Value, json};

use super::State;
use super::data::QueueData;
use super::wire::ApiError;

/// Metrics the sandbox computes. `nHandled` is a sandbox convenience (real Genesys reports
/// handled contacts as `tHandle.count`).
const SIMULATED: [&str; 3] = ["nOffered", "nHandled", "tHandle"];

/// Real metric names (the OpenAPI subset's enum): accepted, but without data in the sandbox.
const REAL_METRICS: &[&str] = &[
    "nAgentDeclined",
    "nAlertExpired",
    "nBlindTransferred",
    "nBotInteractions",
    "nCallbackAttempts",
    "nCallbackOverSla",
    "nCallbackScheduled",
    "nCfcOffered",
    "nCobrowseSessions",
    "nConnected",
    "nConsult",
    "nConsultTransferred",
    "nConversations",
    "nError",
    "nOffered",
    "nOutbound",
    "nOutboundAbandoned",
    "nOutboundAttempted",
    "nOutboundConnected",
    "nOverSla",
    "nStateTransitionError",
    "nTakeover",
    "nTransferred",
    "oAudioMessageCount",
    "oCallbackServiceLevel",
    "oExternalAudioMessageCount",
    "oExternalMediaCount",
    "oMediaCount",
    "oMessageCount",
    "oMessageSegmentCount",
    "oMessageTurn",
    "oServiceLevel",
    "oServiceTarget",
    "oSkillExpressionApplications",
    "tAbandon",
    "tAcd",
    "tActiveCallback",
    "tActiveCallbackComplete",
    "tAcw",
    "tAgentResponseTime",
    "tAgentVideoConnected",
    "tAlert",
    "tAnswered",
    "tAverageAgentResponseTime",
    "tAverageCustomerResponseTime",
    "tBarging",
    "tCallbackAbandon",
    "tCallbackConnect",
    "tCallbackNotReached",
    "tCallbackVirtualWait",
    "tCfcAbandon",
    "tCfcAcd",
    "tCfcAnswered",
    "tCfcFlowOut",
    "tCoaching",
    "tCoachingComplete",
    "tConnected",
    "tContacting",
    "tDialing",
    "tFirstConnect",
    "tFirstDial",
    "tFirstEngagement",
    "tFirstResponse",
    "tFlowOut",
    "tHandle",
    "tHeld",
    "tHeldComplete",
    "tIvr",
    "tMonitoring",
    "tMonitoringComplete",
    "tNotResponding",
    "tPark",
    "tParkComplete",
    "tScreenMonitoring",
    "tShortAbandon",
    "tSnippetRecord",
    "tTalk",
    "tTalkComplete",
    "tTransmitting",
    "tUserResponseTime",
    "tVoicemail",
    "tWait",
];

/// Refuse queries that would build absurd bucket lists (a sandbox safeguard, not a Genesys limit).
const MAX_BUCKETS: usize = 200_000;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Query {
    interval: Option<String>,
    granularity: Option<String>,
    time_zone: Option<String>,
    #[serde(default)]
    group_by: Vec<String>,
    filter: Option<Filter>,
    #[serde(default)]
    metrics: Vec<String>,
    #[serde(default)]
    views: Vec<Value>,
    query_type: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Filter {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    predicates: Vec<Predicate>,
    #[serde(default)]
    clauses: Vec<Clause>,
}

#[derive(Debug, Deserialize)]
struct Clause {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    predicates: Vec<Predicate>,
}

#[derive(Debug, Deserialize)]
struct Predicate {
    #[serde(rename = "type")]
    kind: Option<String>,
    dimension: Option<String>,
    operator: Option<String>,
    value: Option<String>,
}

/// The dimension values of one sandbox group of conversations.
struct Dims<'a> {
    queue_id: &'a str,
    media_type: &'a str,
}

impl Predicate {
    fn eval(&self, d: &Dims) -> Result<bool, ApiError> {
        if let Some(k) = &self.kind
            && k != "dimension"
        {
            return Err(ApiError::bad_request(format!(
                "filter predicate type {k:?} is not simulated by the sandbox; use dimension predicates on queueId or mediaType"
            )));
        }
        let dim = self.dimension.as_deref().ok_or_else(|| {
            ApiError::bad_request("a filter predicate has no dimension (e.g. \"queueId\")")
        })?;
        let actual = match dim {
            "queueId" => Some(d.queue_id),
            "mediaType" => Some(d.media_type),
            _ => None,
        };
        match self.operator.as_deref().unwrap_or("matches") {
            "matches" => {
                let v = self.value.as_deref().ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "filter predicate on {dim} uses operator matches but has no value"
                    ))
                })?;
                Ok(actual == Some(v))
            }
            "exists" => Ok(actual.is_some()),
            "notExists" => Ok(actual.is_none()),
            other => Err(ApiError::bad_request(format!(
                "filter operator {other:?} is not one of matches, exists, notExists"
            ))),
        }
    }
}

fn combine(kind: &str, results: Vec<bool>) -> Result<bool, ApiError> {
    match kind {
        "and" => Ok(results.into_iter().all(|b| b)),
        "or" => Ok(results.into_iter().any(|b| b)),
        other => Err(ApiError::bad_request(format!(
            "filter type {other:?} is not \"and\" or \"or\""
        ))),
    }
}

impl Filter {
    fn eval(&self, d: &Dims) -> Result<bool, ApiError> {
        let mut results = Vec::new();
        for p in &self.predicates {
            results.push(p.eval(d)?);
        }
        for c in &self.clauses {
            let mut inner = Vec::new();
            for p in &c.predicates {
                inner.push(p.eval(d)?);
            }
            results.push(combine(&c.kind, inner)?);
        }
        combine(&self.kind, results)
    }
}

/// Bucket length: fixed (PTnHnM…) or whole local days (PnD / PnW), aligned in the query zone.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Gran {
    Fixed(i64),
    Days(i64),
}

fn parse_granularity(s: &str) -> Result<Gran, ApiError> {
    let bad = || {
        ApiError::bad_request(format!(
            "granularity {s:?} is not an ISO-8601 duration the sandbox supports (e.g. PT30M, PT1H, P1D, P7D)"
        ))
    };
    let rest = s.strip_prefix('P').ok_or_else(bad)?;
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (rest, None),
    };
    let mut days = 0i64;
    let mut secs = 0i64;
    let mut num = String::new();
    for c in date.chars() {
        match c {
            '0'..='9' => num.push(c),
            'D' | 'W' => {
                let n: i64 = num.parse().map_err(|_| bad())?;
                days += if c == 'W' { n * 7 } else { n };
                num.clear();
            }
            _ => return Err(bad()),
        }
    }
    if let Some(t) = time {
        if t.is_empty() {
            return Err(bad());
        }
        for c in t.chars() {
            match c {
                '0'..='9' => num.push(c),
                'H' | 'M' | 'S' => {
                    let n: i64 = num.parse().map_err(|_| bad())?;
                    secs += n * match c {
                        'H' => 3600,
                        'M' => 60,
                        _ => 1,
                    };
                    num.clear();
                }
                _ => return Err(bad()),
            }
        }
    }
    if !num.is_empty() {
        return Err(bad());
    }
    match (days, secs) {
        (0, 0) => Err(bad()),
        (0, s) => Ok(Gran::Fixed(s)),
        (d, 0) => Ok(Gran::Days(d)),
        _ => Err(ApiError::bad_request(format!(
            "granularity {s:?} mixes days and hours; the sandbox supports either PTnH/PTnM or PnD/PnW"
        ))),
    }
}

fn parse_instant(s: &str) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t);
    }
    // No offset given: read as UTC, as Genesys does.
    [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
    .map(|n| n.and_utc().fixed_offset())
}

/// The interval spelling of the response: the offset of the request interval, millisecond precision.
fn fmt_instant(ts: i64, offset: FixedOffset) -> String {
    let t = DateTime::<Utc>::from_timestamp(ts, 0)
        .unwrap_or_default()
        .with_timezone(&offset);
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn bucket_starts(start: i64, end: i64, gran: Option<Gran>, tz: Tz) -> Result<Vec<i64>, ApiError> {
    let too_many = || {
        ApiError::bad_request(format!(
            "the query would produce more than {MAX_BUCKETS} buckets; use a shorter interval or a coarser granularity"
        ))
    };
    let mut starts = vec![start];
    match gran {
        None => {}
        Some(Gran::Fixed(g)) => {
            if (end - start) / g > MAX_BUCKETS as i64 {
                return Err(too_many());
            }
            let mut t = start + g;
            while t < end {
                starts.push(t);
                t += g;
            }
        }
        Some(Gran::Days(n)) => {
            let local0 = DateTime::<Utc>::from_timestamp(start, 0)
                .unwrap_or_default()
                .with_timezone(&tz)
                .naive_local();
            let mut k = 1;
            loop {
                let local = local0 + Duration::days(n * k);
                let t = super::data::resolve_local(tz, local, Duration::minutes(30)).timestamp();
                if t >= end {
                    break;
                }
                starts.push(t);
                k += 1;
                if starts.len() > MAX_BUCKETS {
                    return Err(too_many());
                }
            }
        }
    }
    Ok(starts)
}

/// Per-bucket sums; combining native buckets gives the coarser ones.
#[derive(Debug, Clone, Copy, Default)]
struct Acc {
    offered: u64,
    handled: u64,
    sum_ms: u64,
    min_ms: u64,
    max_ms: u64,
}

impl Acc {
    fn add(&mut self, o: Acc) {
        if o.handled > 0 {
            self.min_ms = if self.handled == 0 {
                o.min_ms
            } else {
                self.min_ms.min(o.min_ms)
            };
            self.max_ms = self.max_ms.max(o.max_ms);
        }
        self.offered += o.offered;
        self.handled += o.handled;
        self.sum_ms += o.sum_ms;
    }
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn unit(x: u64) -> f64 {
    (x >> 11) as f64 / (1u64 << 53) as f64
}

fn seed_of(id: &str) -> u64 {
    // FNV-1a: stable across runs and platforms, unlike the std hasher.
    id.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3)
    })
}

/// The metric model of one native bucket (see the module doc).
fn native(seed: u64, ts: i64, offered: u64) -> Acc {
    let r1 = splitmix(seed ^ ts as u64);
    let r2 = splitmix(r1);
    let r3 = splitmix(r2);
    let r4 = splitmix(r3);
    let share = 0.02 + 0.04 * unit(r1);
    let abandoned = ((offered as f64 * share).round() as u64).min(offered);
    let handled = offered - abandoned;
    if handled == 0 {
        return Acc {
            offered,
            ..Acc::default()
        };
    }
    let mean_ms = (180.0 + 120.0 * unit(r2)) * 1000.0;
    let sum_ms = (handled as f64 * mean_ms).round() as u64;
    let (min_ms, max_ms) = if handled == 1 {
        (sum_ms, sum_ms)
    } else {
        (
            (mean_ms * (0.15 + 0.15 * unit(r3))).round() as u64,
            (mean_ms * (2.0 + 1.5 * unit(r4))).round() as u64,
        )
    };
    Acc {
        offered,
        handled,
        sum_ms,
        min_ms,
        max_ms,
    }
}

fn metric_json(name: &str, a: &Acc) -> Option<Value> {
    match name {
        "nOffered" if a.offered > 0 => {
            Some(json!({"metric": "nOffered", "stats": {"count": a.offered}}))
        }
        "nHandled" if a.handled > 0 => {
            Some(json!({"metric": "nHandled", "stats": {"count": a.handled}}))
        }
        "tHandle" if a.handled > 0 => Some(json!({"metric": "tHandle", "stats": {
            "max": a.max_ms as f64, "min": a.min_ms as f64, "count": a.handled, "sum": a.sum_ms as f64}})),
        _ => None,
    }
}

/// Runs one aggregates query; every refusal is a 400 whose message says how to fix it.
pub(crate) fn run(state: &State, body: &[u8]) -> Result<Value, ApiError> {
    let q: Query = serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request(format!(
            "the body is not a valid ConversationAggregationQuery: {e}"
        ))
    })?;
    let interval = q.interval.as_deref().ok_or_else(|| {
        ApiError::invalid_field(
            "bad.request",
            "FIELD_REQUIRED",
            "interval",
            "interval is required, e.g. \"2024-05-06T00:00:00.000Z/2024-05-07T00:00:00.000Z\"",
        )
    })?;
    let (s, e) = interval.split_once('/').ok_or_else(|| {
        ApiError::bad_request(format!(
            "interval {interval:?} must be two ISO-8601 instants joined by '/'"
        ))
    })?;
    let (start, end) = match (parse_instant(s), parse_instant(e)) {
        (Some(a), Some(b)) => (a, b),
        _ => {
            return Err(ApiError::bad_request(format!(
                "interval {interval:?} has an instant that is not ISO-8601 (e.g. 2024-05-06T00:00:00.000Z)"
            )));
        }
    };
    if end <= start {
        return Err(ApiError::bad_request(format!(
            "interval {interval:?} ends before it starts"
        )));
    }
    let max_days = state.faults.max_query_days;
    if max_days > 0 && (end - start) > Duration::days(i64::from(max_days)) {
        return Err(ApiError::bad_request(format!(
            "interval {interval:?} spans {:.1} days; this sandbox accepts at most {max_days} days per query (--max-query-days); split the range",
            (end - start).num_seconds() as f64 / 86_400.0
        )));
    }
    let tz: Tz = match q.time_zone.as_deref() {
        None => chrono_tz::UTC,
        Some(name) => name.parse().map_err(|_| {
            ApiError::bad_request(format!(
                "timeZone {name:?} is not an IANA zone name (e.g. America/Chicago)"
            ))
        })?,
    };
    let gran = q
        .granularity
        .as_deref()
        .map(parse_granularity)
        .transpose()?;
    if q.metrics.is_empty() {
        return Err(ApiError::invalid_field(
            "bad.request",
            "FIELD_REQUIRED",
            "metrics",
            "metrics is required, e.g. [\"nOffered\"]",
        ));
    }
    for m in &q.metrics {
        if !REAL_METRICS.contains(&m.as_str()) && !SIMULATED.contains(&m.as_str()) {
            return Err(ApiError::bad_request(format!(
                "metric {m:?} is not a conversation aggregate metric (the sandbox simulates {})",
                SIMULATED.join(", ")
            )));
        }
    }
    for g in &q.group_by {
        if g != "queueId" && g != "mediaType" {
            return Err(ApiError::bad_request(format!(
                "groupBy {g:?} is not simulated by the sandbox; use queueId and/or mediaType"
            )));
        }
    }
    if !q.views.is_empty() {
        return Err(ApiError::bad_request(
            "views are not simulated by the sandbox",
        ));
    }
    if let Some(t) = q.query_type.as_deref()
        && t != "groupBy"
    {
        return Err(ApiError::bad_request(format!(
            "queryType {t:?} is not simulated by the sandbox; use groupBy"
        )));
    }

    let mut selected: Vec<&QueueData> = Vec::new();
    for queue in &state.queues {
        let dims = Dims {
            queue_id: &queue.id,
            media_type: "voice",
        };
        let keep = match &q.filter {
            None => true,
            Some(f) => f.eval(&dims)?,
        };
        if keep {
            selected.push(queue);
        }
    }
    if let Some(Gran::Fixed(g)) = gran {
        for queue in &selected {
            let native = queue.step_minutes * 60;
            if g % native != 0 {
                let what = if g < native {
                    "finer than"
                } else {
                    "not a multiple of"
                };
                return Err(ApiError::bad_request(format!(
                    "granularity {} is {what} the {}-minute buckets queue {:?} ({}) has; use PT{}M or a multiple of it",
                    q.granularity.as_deref().unwrap_or_default(),
                    queue.step_minutes,
                    queue.name,
                    queue.id,
                    queue.step_minutes
                )));
            }
        }
    }

    let (s_ts, e_ts) = (start.timestamp(), end.timestamp());
    let starts = bucket_starts(s_ts, e_ts, gran, tz)?;
    let group_queue = q.group_by.iter().any(|g| g == "queueId");
    let group_media = q.group_by.iter().any(|g| g == "mediaType");
    let mut groups: BTreeMap<Option<String>, BTreeMap<usize, Acc>> = BTreeMap::new();
    for queue in &selected {
        let key = group_queue.then(|| queue.id.clone());
        let seed = seed_of(&queue.id);
        let buckets = groups.entry(key).or_default();
        for &(ts, y) in queue.range(s_ts, e_ts) {
            if y == 0 {
                continue;
            }
            let idx = starts.partition_point(|b| *b <= ts) - 1;
            buckets.entry(idx).or_default().add(native(seed, ts, y));
        }
    }

    let offset = *start.offset();
    let mut results = Vec::new();
    for (key, buckets) in groups {
        let mut data = Vec::new();
        for (idx, acc) in buckets {
            let metrics: Vec<Value> = q
                .metrics
                .iter()
                .filter_map(|m| metric_json(m, &acc))
                .collect();
            if metrics.is_empty() {
                continue;
            }
            let b_end = starts.get(idx + 1).copied().unwrap_or(e_ts);
            data.push(json!({
                "interval": format!("{}/{}", fmt_instant(starts[idx], offset), fmt_instant(b_end, offset)),
                "metrics": metrics,
            }));
        }
        if data.is_empty() {
            continue;
        }
        let mut group = serde_json::Map::new();
        if let Some(id) = key {
            group.insert("queueId".into(), json!(id));
        }
        if group_media {
            group.insert("mediaType".into(), json!("voice"));
        }
        let mut entry = json!({ "data": data });
        if !group.is_empty() {
            entry["group"] = Value::Object(group);
        }
        results.push(entry);
    }
    if results.is_empty() {
        // Genesys leaves `results` out entirely when nothing matched.
        return Ok(json!({}));
    }
    Ok(json!({ "results": results }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn granularity_parsing() {
        assert_eq!(parse_granularity("PT1H").unwrap(), Gran::Fixed(3600));
        assert_eq!(parse_granularity("PT30M").unwrap(), Gran::Fixed(1800));
        assert_eq!(parse_granularity("PT1H30M").unwrap(), Gran::Fixed(5400));
        assert_eq!(parse_granularity("P1D").unwrap(), Gran::Days(1));
        assert_eq!(parse_granularity("P1W").unwrap(), Gran::Days(7));
        for bad in ["1H", "PT", "P", "PT1X", "P1M", "P1DT1H", "PTH"] {
            assert!(parse_granularity(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn day_buckets_follow_local_midnight_across_dst() {
        let tz: Tz = "America/New_York".parse().unwrap();
        // 2026-03-07 00:00 EST .. 2026-03-10 00:00 EDT
        let s = Utc
            .with_ymd_and_hms(2026, 3, 7, 5, 0, 0)
            .unwrap()
            .timestamp();
        let e = Utc
            .with_ymd_and_hms(2026, 3, 10, 4, 0, 0)
            .unwrap()
            .timestamp();
        let b = bucket_starts(s, e, Some(Gran::Days(1)), tz).unwrap();
        assert_eq!(b.len(), 3);
        assert_eq!(b[1] - b[0], 86_400);
        assert_eq!(b[2] - b[1], 23 * 3600, "spring-forward day is 23 h");
    }

    #[test]
    fn metric_model_is_consistent() {
        for ts in [0i64, 3600, 7200, 1_700_000_000] {
            for offered in [1u64, 2, 10, 500] {
                let a = native(42, ts, offered);
                assert_eq!(a.offered, offered);
                assert!(a.handled <= offered && a.handled >= offered * 93 / 100);
                if a.handled > 1 {
                    let mean = a.sum_ms / a.handled;
                    assert!(a.min_ms < mean && mean < a.max_ms);
                    assert!((180_000..=300_000).contains(&mean));
                }
                assert_eq!(native(42, ts, offered).sum_ms, a.sum_ms, "deterministic");
            }
        }
    }
}
