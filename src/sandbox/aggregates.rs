//! `POST /api/v2/analytics/conversations/aggregates/query` over the sandbox org's queues.
//!
//! Every queue has conversation groups by direction: a simulated queue (the contact centre)
//! has inbound contacts and, on a campaign queue, outbound campaign calls; a replayed series is
//! inbound voice. A group's dimensions are `queueId`, `mediaType`, `direction` and
//! `originatingDirection` (the two agree for these conversations: a customer's call stays
//! inbound, a dialer call outbound). The filter is evaluated per group, so
//! `originatingDirection = inbound` keeps a campaign queue's inbound contacts and drops its
//! campaign calls.
//!
//! Metrics of a simulated queue come from the generator's 15-minute slots
//! ([`ContactCentre::queue_buckets`]), summed into the query's buckets: `nOffered` = offered,
//! `tHandle` = {count handled, sum, min, max} ms, `tAbandon` = {count abandoned, sum ms},
//! `nOutboundAttempted` = dial attempts and `nOutboundConnected` = connected campaign calls
//! (both in the outbound group). Metrics of a replayed series (deterministic, so every run and
//! every granularity agree):
//! - `nOffered` = the series value of each native bucket.
//! - Abandons: `round(offered × s)` with `s` in 2–6 %, drawn per (queue, bucket) from a hash;
//!   `tHandle.count` = offered − abandons (no `tAbandon`: the series has no abandon times).
//! - Handle time: per (queue, bucket) a mean of 180–300 s; `tHandle.sum` = handled × mean (ms);
//!   `min` = mean × 0.15–0.30, `max` = mean × 2.0–3.5 (min = max = sum for a single contact).
//!   Coarser buckets sum `count`/`sum` and take min of `min`, max of `max`.
//!
//! Nothing older than the org's retention is served. Buckets with no metric data are omitted,
//! and so are groups with no buckets, as Genesys does.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;

use axum::http::StatusCode;
use chrono::{DateTime, Duration, FixedOffset, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde_json::{Value, json};

use super::State;
use super::contact_centre::{ContactCentre, Flow};
use super::data::{QueueData, SeriesData, Source};
use super::validate::{self, AggregatesQuery, Filter, Gran, Predicate, PredicateOp, QueryLimits};
use super::wire::ApiError;

/// Refuse queries that would build absurd bucket lists (a sandbox safeguard, not a Genesys limit).
const MAX_BUCKETS: usize = 200_000;
/// The generator's slot length, seconds.
const SLOT: i64 = 900;

/// A conversation's direction; `originatingDirection` has the same value for every sandbox
/// conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Inbound,
    Outbound,
}

impl Direction {
    fn as_str(self) -> &'static str {
        match self {
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
        }
    }
}

/// The dimension values of one sandbox group of conversations.
struct Dims<'a> {
    queue_id: &'a str,
    media_type: &'a str,
    direction: Direction,
}

impl<'a> Dims<'a> {
    fn get(&self, dimension: &str) -> Option<&'a str> {
        match dimension {
            "queueId" => Some(self.queue_id),
            "mediaType" => Some(self.media_type),
            "direction" | "originatingDirection" => Some(self.direction.as_str()),
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
    abandoned: u64,
    abandon_ms: u64,
    attempted: u64,
    connected: u64,
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
        self.abandoned += o.abandoned;
        self.abandon_ms += o.abandon_ms;
        self.attempted += o.attempted;
        self.connected += o.connected;
    }

    fn from_flow(f: &Flow) -> Self {
        Self {
            offered: u64::from(f.offered),
            handled: u64::from(f.handled),
            sum_ms: f.handle_ms_sum,
            min_ms: f.handle_ms_min,
            max_ms: f.handle_ms_max,
            abandoned: u64::from(f.abandoned),
            abandon_ms: f.abandon_ms_sum,
            attempted: 0,
            connected: 0,
        }
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
        ..Acc::default()
    }
}

fn metric_json(name: &str, a: &Acc) -> Option<Value> {
    let count = |n: u64| (n > 0).then(|| json!({"metric": name, "stats": {"count": n}}));
    match name {
        "nOffered" => count(a.offered),
        "nOutboundAttempted" => count(a.attempted),
        "nOutboundConnected" => count(a.connected),
        "tHandle" if a.handled > 0 => Some(json!({"metric": "tHandle", "stats": {
            "max": a.max_ms as f64, "min": a.min_ms as f64, "count": a.handled, "sum": a.sum_ms as f64}})),
        "tAbandon" if a.abandoned > 0 => Some(json!({"metric": "tAbandon", "stats": {
            "count": a.abandoned, "sum": a.abandon_ms as f64}})),
        _ => None,
    }
}

/// Runs one aggregates query; every refusal is a 400 whose message says how to fix it, and a
/// query that keeps a `--fail-queue` queue is a 503.
pub(crate) fn run(state: &State, body: &[u8]) -> Result<Value, ApiError> {
    let limits = QueryLimits {
        max_query_days: state.faults.max_query_days,
        max_predicates: state.faults.max_predicates,
    };
    let q = validate::aggregates_query(body, limits)?;
    let selected = select(&state.queues, q.filter.as_ref());
    let queues: Vec<&QueueData> = selected.iter().map(|s| s.queue).collect();
    validate::granularity_fits(&q, &queues)?;
    if let Some(e) = injected_failure(state, &queues) {
        return Err(e);
    }
    let (start, end) = (q.start.timestamp(), q.end.timestamp());
    let starts = bucket_starts(start, end, q.granularity.as_ref().map(|g| g.1), q.time_zone)?;
    let range = (start.max(state.data_start), end);
    let groups = accumulate(
        state.centre.as_deref(),
        &selected,
        &starts,
        range,
        &q.group_by,
    )?;
    Ok(render(&q, &starts, groups))
}

/// `GET /api/v2/analytics/dataretention/settings`: `AnalyticsDataRetentionResponse`
/// (`retentionDays`, `dateCreated`, `dateModified`; `AnalyticsDataRetentionResponse.md` in the
/// Python SDK). The sandbox's setting dates from its start.
pub(crate) fn data_retention(state: &State) -> Value {
    let at = super::wire::timestamp(state.started);
    json!({"retentionDays": state.retention_days, "dateCreated": at, "dateModified": at})
}

/// The 503 of `--fail-queue` when the query keeps one of those queues.
fn injected_failure(state: &State, queues: &[&QueueData]) -> Option<ApiError> {
    let (queue, wanted) = queues
        .iter()
        .find_map(|q| state.faults.failing(q).map(|w| (q, w)))?;
    state.injected_errors.fetch_add(1, Ordering::Relaxed);
    Some(ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "service.unavailable",
        format!(
            "The sandbox injected this 503 for queue {:?} ({}) (--fail-queue {wanted:?}).",
            queue.name, queue.id
        ),
    ))
}

/// A queue the filter keeps, and which of its conversation groups it keeps.
struct Selected<'a> {
    queue: &'a QueueData,
    directions: Vec<Direction>,
}

/// The queues (and directions) the filter keeps. A replayed series has inbound conversations
/// only; a simulated queue has both groups (the outbound one is empty off a campaign queue).
fn select<'a>(queues: &'a [QueueData], filter: Option<&Filter>) -> Vec<Selected<'a>> {
    queues
        .iter()
        .filter_map(|queue| {
            let own: &[Direction] = match queue.source {
                Source::Centre(_) => &[Direction::Inbound, Direction::Outbound],
                Source::Series(_) => &[Direction::Inbound],
            };
            let directions: Vec<Direction> = own
                .iter()
                .copied()
                .filter(|&direction| {
                    let dims = Dims {
                        queue_id: &queue.id,
                        media_type: queue.media,
                        direction,
                    };
                    filter.is_none_or(|f| f.matches(&dims))
                })
                .collect();
            (!directions.is_empty()).then_some(Selected { queue, directions })
        })
        .collect()
}

/// Per group, the sums of each non-empty bucket by index.
type Groups<'a> = BTreeMap<Vec<(&'static str, &'a str)>, BTreeMap<usize, Acc>>;

fn group_key<'a>(
    group_by: &[&'static str],
    queue: &'a QueueData,
    direction: Direction,
) -> Vec<(&'static str, &'a str)> {
    group_by
        .iter()
        .map(|&d| {
            let dims = Dims {
                queue_id: &queue.id,
                media_type: queue.media,
                direction,
            };
            (d, dims.get(d).unwrap_or_default())
        })
        .collect()
}

/// Sums the data of `[from, end)` into the query's buckets, per group.
fn accumulate<'a>(
    centre: Option<&ContactCentre>,
    selected: &[Selected<'a>],
    starts: &[i64],
    (from, end): (i64, i64),
    group_by: &[&'static str],
) -> Result<Groups<'a>, ApiError> {
    let mut groups = Groups::new();
    let index = |ts: i64| starts.partition_point(|b| *b <= ts) - 1;
    for s in selected {
        match &s.queue.source {
            Source::Series(series) => {
                let buckets = groups
                    .entry(group_key(group_by, s.queue, Direction::Inbound))
                    .or_default();
                add_series(buckets, &s.queue.id, series, (from, end), index);
            }
            Source::Centre(i) => {
                let Some(centre) = centre else { continue };
                let slots = centre_slots(centre, *i, from, end)?;
                for &direction in &s.directions {
                    let buckets = groups
                        .entry(group_key(group_by, s.queue, direction))
                        .or_default();
                    for slot in &slots {
                        let acc = match direction {
                            Direction::Inbound => Acc::from_flow(&slot.inbound),
                            Direction::Outbound => Acc {
                                attempted: u64::from(slot.outbound_attempted),
                                connected: u64::from(slot.outbound.offered),
                                ..Acc::from_flow(&slot.outbound)
                            },
                        };
                        if acc.offered + acc.handled + acc.abandoned + acc.attempted > 0 {
                            buckets
                                .entry(index(slot.start.timestamp()))
                                .or_default()
                                .add(acc);
                        }
                    }
                }
            }
        }
    }
    Ok(groups)
}

fn add_series(
    buckets: &mut BTreeMap<usize, Acc>,
    queue_id: &str,
    series: &SeriesData,
    (from, end): (i64, i64),
    index: impl Fn(i64) -> usize,
) {
    let seed = seed_of(queue_id);
    for &(ts, y) in series.range(from, end) {
        if y > 0 {
            buckets
                .entry(index(ts))
                .or_default()
                .add(native(seed, ts, y));
        }
    }
}

/// The generator's quarter hours whose start lies in `[from, end)`.
fn centre_slots(
    centre: &ContactCentre,
    queue: usize,
    from: i64,
    end: i64,
) -> Result<Vec<super::contact_centre::BucketStats>, ApiError> {
    let ceil = |t: i64| t + (SLOT - t.rem_euclid(SLOT)) % SLOT;
    let (a, b) = (ceil(from), ceil(end));
    if a >= b {
        return Ok(Vec::new());
    }
    let at = |t: i64| DateTime::<Utc>::from_timestamp(t, 0).unwrap_or_default();
    centre
        .queue_buckets(queue, at(a), at(b), Duration::seconds(SLOT))
        .map_err(|e| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal.server.error",
                format!("the simulated contact centre could not answer: {e}"),
            )
        })
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
        let mut entry = json!({ "data": data });
        if !key.is_empty() {
            let group: serde_json::Map<String, Value> = key
                .iter()
                .map(|(d, v)| ((*d).to_string(), json!(v)))
                .collect();
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
    use crate::sandbox::data::DivisionRef;
    use chrono::TimeZone;

    fn queue(id: &str) -> QueueData {
        QueueData::for_test(id, &format!("Queue {id}"))
    }

    fn with_points(id: &str, points: Vec<(i64, u64)>) -> QueueData {
        let mut q = queue(id);
        q.source = Source::Series(SeriesData {
            step_minutes: 60,
            points,
        });
        q
    }

    fn simulated(c: &ContactCentre, name: &str) -> QueueData {
        let i = c.queue_index(name).unwrap();
        let spec = &c.queues()[i];
        QueueData {
            id: spec.id.clone(),
            name: spec.name.clone(),
            division: DivisionRef::named(spec.division.name),
            media: spec.media.as_str(),
            source: Source::Centre(i),
        }
    }

    fn parse(body: Value) -> AggregatesQuery {
        validate::aggregates_query(&serde_json::to_vec(&body).unwrap(), QueryLimits::default())
            .unwrap()
    }

    fn filter(v: Value) -> Option<Filter> {
        parse(
            json!({"interval": "2026-01-01T00:00:00Z/2026-01-02T00:00:00Z",
            "metrics": ["nOffered"], "filter": v}),
        )
        .filter
    }

    fn ids(selected: &[Selected]) -> Vec<String> {
        selected.iter().map(|s| s.queue.id.clone()).collect()
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
        // A replayed series is inbound only.
        let outbound = json!({"type": "and", "predicates": [
            {"dimension": "originatingDirection", "value": "outbound"}]});
        assert!(pick(outbound).is_empty());
    }

    #[test]
    fn direction_predicates_pick_a_queues_groups() {
        let now = Utc.with_ymd_and_hms(2026, 11, 20, 15, 30, 0).unwrap();
        let c = ContactCentre::new(7, 24, chrono_tz::America::New_York, now).unwrap();
        let queues = [simulated(&c, "Sales Voice"), simulated(&c, "Sales Chat")];
        let dirs = |v| -> Vec<(String, Vec<Direction>)> {
            select(&queues, filter(v).as_ref())
                .into_iter()
                .map(|s| (s.queue.name.clone(), s.directions))
                .collect()
        };
        let name = |n: &str| n.to_string();
        for dim in ["direction", "originatingDirection"] {
            let inbound =
                json!({"type": "and", "predicates": [{"dimension": dim, "value": "inbound"}]});
            assert_eq!(
                dirs(inbound),
                [
                    (name("Sales Voice"), vec![Direction::Inbound]),
                    (name("Sales Chat"), vec![Direction::Inbound])
                ]
            );
        }
        let voice_out = json!({"type": "and", "predicates": [
            {"dimension": "mediaType", "value": "voice"},
            {"dimension": "direction", "value": "outbound"}]});
        assert_eq!(
            dirs(voice_out),
            [(name("Sales Voice"), vec![Direction::Outbound])]
        );
        assert_eq!(
            dirs(json!({"type": "and"}))[0].1,
            [Direction::Inbound, Direction::Outbound]
        );
    }

    #[test]
    fn simulated_groups_sum_the_generators_quarter_hours() {
        let now = Utc.with_ymd_and_hms(2026, 11, 20, 15, 30, 0).unwrap();
        let c = ContactCentre::new(7, 24, chrono_tz::America::New_York, now).unwrap();
        let queues = [simulated(&c, "Sales Voice")];
        let day = Utc.with_ymd_and_hms(2026, 11, 18, 5, 0, 0).unwrap();
        let (from, to) = (day.timestamp(), day.timestamp() + 86_400);
        let starts: Vec<i64> = (0..24).map(|h| from + h * 3600).collect();
        let all = select(&queues, None);
        let by_dir = accumulate(Some(&c), &all, &starts, (from, to), &["direction"]).unwrap();
        let i = c.queue_index("Sales Voice").unwrap();
        let hourly = c
            .queue_buckets(i, day, day + Duration::days(1), Duration::hours(1))
            .unwrap();
        let got = |d: &str| -> Vec<(usize, u64, u64, u64)> {
            by_dir[&vec![("direction", d)]]
                .iter()
                .map(|(i, a)| (*i, a.offered, a.handled, a.sum_ms))
                .collect()
        };
        let want = |f: fn(&super::super::contact_centre::BucketStats) -> &Flow| {
            hourly
                .iter()
                .enumerate()
                .filter(|(_, b)| f(b).offered + f(b).handled > 0)
                .map(|(i, b)| {
                    let x = f(b);
                    (
                        i,
                        u64::from(x.offered),
                        u64::from(x.handled),
                        x.handle_ms_sum,
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(got("inbound"), want(|b| &b.inbound));
        assert_eq!(got("outbound"), want(|b| &b.outbound));
        assert!(
            !got("outbound").is_empty(),
            "Sales Voice dials on a Wednesday"
        );
        let attempted: u64 = by_dir[&vec![("direction", "outbound")]]
            .values()
            .map(|a| a.attempted)
            .sum();
        let want_attempted: u64 = hourly.iter().map(|b| u64::from(b.outbound_attempted)).sum();
        assert_eq!(attempted, want_attempted);
        // Retention: nothing before `from` is served, even if the buckets start earlier.
        let late = accumulate(Some(&c), &all, &starts, (from + 12 * 3600, to), &[]).unwrap();
        assert!(late[&vec![]].keys().all(|&i| i >= 12));
    }

    #[test]
    fn buckets_group_and_render_without_empty_ones() {
        let a = with_points("a", vec![(0, 5), (3600, 0), (7200, 3)]);
        let b = with_points("b", vec![(3600, 2)]);
        let queues = [a, b];
        let all = select(&queues, None);
        let starts = [0, 7200];
        let groups = accumulate(None, &all, &starts, (0, 10_800), &["queueId"]).unwrap();
        let offered = |k: &str| -> Vec<(usize, u64)> {
            groups[&vec![("queueId", k)]]
                .iter()
                .map(|(i, acc)| (*i, acc.offered))
                .collect()
        };
        assert_eq!(offered("a"), [(0, 5), (1, 3)]);
        assert_eq!(offered("b"), [(0, 2)]);
        let merged = accumulate(None, &all, &starts, (0, 10_800), &[]).unwrap();
        assert_eq!(merged[&vec![]][&0].offered, 7);

        let q = parse(
            json!({"interval": "1970-01-01T01:00:00+01:00/1970-01-01T04:00:00+01:00",
            "granularity": "PT2H", "groupBy": ["queueId", "direction"], "metrics": ["nOffered"]}),
        );
        let groups = accumulate(None, &all, &starts, (0, 10_800), &q.group_by).unwrap();
        let v = render(&q, &starts, groups);
        assert_eq!(
            v["results"][0]["group"],
            json!({"queueId": "a", "direction": "inbound"})
        );
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

    #[test]
    fn metrics_render_only_with_data() {
        let a = Acc {
            offered: 3,
            handled: 2,
            sum_ms: 700,
            min_ms: 200,
            max_ms: 500,
            abandoned: 1,
            abandon_ms: 40_000,
            ..Acc::default()
        };
        assert_eq!(
            metric_json("tAbandon", &a),
            Some(json!({"metric": "tAbandon", "stats": {"count": 1, "sum": 40000.0}}))
        );
        assert_eq!(metric_json("nOutboundAttempted", &a), None);
        assert_eq!(metric_json("tTalk", &a), None);
        assert_eq!(
            metric_json("tHandle", &a).unwrap()["stats"],
            json!({"max": 500.0, "min": 200.0, "count": 2, "sum": 700.0})
        );
    }
}
