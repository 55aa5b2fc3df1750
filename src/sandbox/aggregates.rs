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

use chrono::{DateTime, Duration, FixedOffset, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde_json::{Value, json};

use super::State;
use super::data::QueueData;
use super::validate::{self, AggregatesQuery, Filter, Gran, Predicate, PredicateOp};
use super::wire::ApiError;

/// Refuse queries that would build absurd bucket lists (a sandbox safeguard, not a Genesys limit).
const MAX_BUCKETS: usize = 200_000;

/// The dimension values of one sandbox group of conversations.
struct Dims<'a> {
    queue_id: &'a str,
    media_type: &'a str,
}

impl Dims<'_> {
    fn get(&self, dimension: &str) -> Option<&str> {
        match dimension {
            "queueId" => Some(self.queue_id),
            "mediaType" => Some(self.media_type),
            _ => None,
        }
    }
}

impl Predicate {
    fn matches(&self, d: &Dims) -> bool {
        let actual = d.get(&self.dimension);
        match &self.op {
            PredicateOp::Matches(v) => actual == Some(v.as_str()),
            PredicateOp::Exists => actual.is_some(),
            PredicateOp::NotExists => actual.is_none(),
        }
    }
}

fn combine(all: bool, mut results: impl Iterator<Item = bool>) -> bool {
    if all {
        results.all(|b| b)
    } else {
        results.any(|b| b)
    }
}

impl Filter {
    fn matches(&self, d: &Dims) -> bool {
        let predicates = self.predicates.iter().map(|p| p.matches(d));
        let clauses = self
            .clauses
            .iter()
            .map(|c| combine(c.all, c.predicates.iter().map(|p| p.matches(d))));
        combine(self.all, predicates.chain(clauses))
    }
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
    let q = validate::aggregates_query(body, state.faults.max_query_days)?;
    let selected = select(&state.queues, q.filter.as_ref());
    validate::granularity_fits(&q, &selected)?;
    let (start, end) = (q.start.timestamp(), q.end.timestamp());
    let starts = bucket_starts(start, end, q.granularity.as_ref().map(|g| g.1), q.time_zone)?;
    let groups = accumulate(&selected, &starts, (start, end), q.group_by_queue);
    Ok(render(&q, &starts, groups))
}

/// The queues the filter keeps (all media is voice in the sandbox).
fn select<'a>(queues: &'a [QueueData], filter: Option<&Filter>) -> Vec<&'a QueueData> {
    queues
        .iter()
        .filter(|queue| {
            let dims = Dims {
                queue_id: &queue.id,
                media_type: "voice",
            };
            filter.is_none_or(|f| f.matches(&dims))
        })
        .collect()
}

/// Per group (the queue id when grouping by queue), the sums of each non-empty bucket by index.
type Groups = BTreeMap<Option<String>, BTreeMap<usize, Acc>>;

/// Sums the native buckets of `[start, end)` into the query's buckets.
fn accumulate(
    queues: &[&QueueData],
    starts: &[i64],
    (start, end): (i64, i64),
    group_queue: bool,
) -> Groups {
    let mut groups = Groups::new();
    for queue in queues {
        let key = group_queue.then(|| queue.id.clone());
        let seed = seed_of(&queue.id);
        let buckets = groups.entry(key).or_default();
        for &(ts, y) in queue.range(start, end) {
            if y == 0 {
                continue;
            }
            let idx = starts.partition_point(|b| *b <= ts) - 1;
            buckets.entry(idx).or_default().add(native(seed, ts, y));
        }
    }
    groups
}

/// The response body: buckets and groups without data left out, as Genesys does.
fn render(q: &AggregatesQuery, starts: &[i64], groups: Groups) -> Value {
    let offset = *q.start.offset();
    let end = q.end.timestamp();
    let mut results = Vec::new();
    for (key, buckets) in groups {
        let data: Vec<Value> = buckets
            .into_iter()
            .filter_map(|(idx, acc)| {
                let metrics: Vec<Value> = q
                    .metrics
                    .iter()
                    .filter_map(|m| metric_json(m, &acc))
                    .collect();
                let b_end = starts.get(idx + 1).copied().unwrap_or(end);
                (!metrics.is_empty()).then(|| {
                    json!({
                        "interval": format!("{}/{}", fmt_instant(starts[idx], offset), fmt_instant(b_end, offset)),
                        "metrics": metrics,
                    })
                })
            })
            .collect();
        if data.is_empty() {
            continue;
        }
        let mut group = serde_json::Map::new();
        if let Some(id) = key {
            group.insert("queueId".into(), json!(id));
        }
        if q.group_by_media {
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
        return json!({});
    }
    json!({ "results": results })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn queue(id: &str) -> QueueData {
        QueueData {
            id: id.into(),
            name: format!("Queue {id}"),
            step_minutes: 60,
            points: Vec::new(),
        }
    }

    fn filter(v: serde_json::Value) -> Option<Filter> {
        let body = json!({"interval": "2026-01-01T00:00:00Z/2026-01-02T00:00:00Z",
            "metrics": ["nOffered"], "filter": v});
        validate::aggregates_query(&serde_json::to_vec(&body).unwrap(), 0)
            .unwrap()
            .filter
    }

    fn ids(selected: &[&QueueData]) -> Vec<String> {
        selected.iter().map(|q| q.id.clone()).collect()
    }

    #[test]
    fn filters_select_queues() {
        let queues = [queue("a"), queue("b"), queue("c")];
        let pick = |v| ids(&select(&queues, filter(v).as_ref()));
        assert_eq!(ids(&select(&queues, None)), ["a", "b", "c"]);
        let or_clause = json!({"type": "and", "clauses": [{"type": "or", "predicates": [
            {"dimension": "queueId", "value": "a"}, {"dimension": "queueId", "value": "c"}]}]});
        assert_eq!(pick(or_clause), ["a", "c"]);
        let chat = json!({"type": "and", "predicates": [
            {"dimension": "queueId", "value": "a"}, {"dimension": "mediaType", "value": "chat"}]});
        assert!(pick(chat).is_empty());
        let either = json!({"type": "or", "predicates": [
            {"dimension": "queueId", "value": "b"}, {"dimension": "mediaType", "value": "chat"}]});
        assert_eq!(pick(either), ["b"]);
        // Dimensions the sandbox has no values for never exist.
        let no_user = json!({"type": "and", "predicates": [
            {"dimension": "userId", "operator": "notExists"},
            {"dimension": "queueId", "operator": "exists"}]});
        assert_eq!(pick(no_user), ["a", "b", "c"]);
        let user =
            json!({"type": "or", "predicates": [{"dimension": "userId", "operator": "exists"}]});
        assert!(pick(user).is_empty());
        assert!(
            pick(json!({"type": "or"})).is_empty(),
            "an empty or matches nothing"
        );
        assert_eq!(
            pick(json!({"type": "and"})).len(),
            3,
            "an empty and matches all"
        );
    }

    #[test]
    fn buckets_group_and_render_without_empty_ones() {
        let mut a = queue("a");
        a.points = vec![(0, 5), (3600, 0), (7200, 3)];
        let mut b = queue("b");
        b.points = vec![(3600, 2)];
        let starts = [0, 7200];
        let groups = accumulate(&[&a, &b], &starts, (0, 10_800), true);
        let offered = |k: &str| -> Vec<(usize, u64)> {
            groups[&Some(k.to_string())]
                .iter()
                .map(|(i, acc)| (*i, acc.offered))
                .collect()
        };
        assert_eq!(offered("a"), [(0, 5), (1, 3)]);
        assert_eq!(offered("b"), [(0, 2)]);
        let merged = accumulate(&[&a, &b], &starts, (0, 10_800), false);
        assert_eq!(merged[&None][&0].offered, 7);

        let body = json!({"interval": "1970-01-01T01:00:00+01:00/1970-01-01T04:00:00+01:00",
            "granularity": "PT2H", "groupBy": ["queueId"], "metrics": ["nOffered"]});
        let q = validate::aggregates_query(&serde_json::to_vec(&body).unwrap(), 0).unwrap();
        let v = render(&q, &starts, groups);
        assert_eq!(v["results"][0]["group"], json!({"queueId": "a"}));
        assert_eq!(
            v["results"][0]["data"][1]["interval"],
            "1970-01-01T03:00:00.000+01:00/1970-01-01T04:00:00.000+01:00",
            "the last bucket ends at the interval end, in the request's offset"
        );
        assert_eq!(
            v["results"][1]["data"][0]["metrics"][0]["stats"]["count"],
            2
        );
        assert_eq!(render(&q, &starts, Groups::new()), json!({}));
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
