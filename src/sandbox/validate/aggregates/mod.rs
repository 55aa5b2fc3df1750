//! `ConversationAggregationQuery` bodies (`POST /api/v2/analytics/conversations/aggregates/query`):
//! every refusal is a 400 whose message says how to fix the query. The checks run in a fixed
//! order (interval, zone, granularity, metrics, groupBy, views, queryType, filter), so a body with
//! several problems always gets the same answer.

use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime};
use chrono_tz::Tz;
use serde::Deserialize;
use serde_json::Value;

use crate::sandbox::data::QueueData;
use crate::sandbox::wire::ApiError;

mod filter;
mod metrics;

pub(crate) use filter::{DIMENSIONS, Filter, Predicate, PredicateOp};

/// The dimensions the sandbox groups by; its conversations have values for these only.
pub(crate) const GROUP_DIMENSIONS: [&str; 4] =
    ["queueId", "mediaType", "direction", "originatingDirection"];

/// Sandbox-only caps on a query (fault settings; 0 = none). Neither is a documented Genesys limit.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct QueryLimits {
    /// `--max-query-days`: longest interval.
    pub max_query_days: u32,
    /// `--max-predicates`: longest predicate list in a filter or clause.
    pub max_predicates: u32,
}

/// The body as sent, before any check. (Serde's messages name the struct: `Query`.)
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Query {
    interval: Option<String>,
    granularity: Option<String>,
    time_zone: Option<String>,
    #[serde(default)]
    group_by: Vec<String>,
    filter: Option<filter::raw::Filter>,
    #[serde(default)]
    metrics: Vec<String>,
    #[serde(default)]
    views: Vec<Value>,
    query_type: Option<String>,
}

/// Bucket length: fixed (PTnHnM…) or whole local days (PnD / PnW), aligned in the query zone.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Gran {
    /// Seconds.
    Fixed(i64),
    Days(i64),
}

/// A query that passed every check.
#[derive(Debug)]
pub(crate) struct AggregatesQuery {
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
    /// Zone of day-long buckets; UTC when the body names none.
    pub time_zone: Tz,
    /// The `granularity` as sent (for messages) and as read; `None` is one bucket over the interval.
    pub granularity: Option<(String, Gran)>,
    /// Non-empty, each a real metric name.
    pub metrics: Vec<String>,
    /// Dimensions to group by, in the order sent, each one of [`GROUP_DIMENSIONS`] once.
    pub group_by: Vec<&'static str>,
    pub filter: Option<Filter>,
}

/// Checks an aggregates query body against the schema's rules and the sandbox's `limits`.
pub(crate) fn aggregates_query(
    body: &[u8],
    limits: QueryLimits,
) -> Result<AggregatesQuery, ApiError> {
    let q: Query = serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request(format!(
            "the body is not a valid ConversationAggregationQuery: {e}"
        ))
    })?;
    let (start, end) = interval(q.interval.as_deref(), limits.max_query_days)?;
    let time_zone = time_zone(q.time_zone.as_deref())?;
    let granularity = match q.granularity {
        None => None,
        Some(g) => {
            let gran = parse_granularity(&g)?;
            Some((g, gran))
        }
    };
    metrics::check(&q.metrics)?;
    let group_by = group_by(&q.group_by)?;
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
    let filter = q
        .filter
        .map(|f| filter::check(f, limits.max_predicates))
        .transpose()?;
    Ok(AggregatesQuery {
        start,
        end,
        time_zone,
        granularity,
        metrics: q.metrics,
        group_by,
        filter,
    })
}

/// A fixed granularity must be a whole multiple of the native bucket of every queue it reads
/// (day granularities always are).
pub(crate) fn granularity_fits(q: &AggregatesQuery, queues: &[&QueueData]) -> Result<(), ApiError> {
    let Some((text, Gran::Fixed(g))) = &q.granularity else {
        return Ok(());
    };
    for queue in queues {
        let step = queue.step_minutes();
        let native = step * 60;
        if g % native != 0 {
            let what = if *g < native {
                "finer than"
            } else {
                "not a multiple of"
            };
            return Err(ApiError::bad_request(format!(
                "granularity {text} is {what} the {step}-minute buckets queue {:?} ({}) has; use PT{step}M or a multiple of it",
                queue.name, queue.id
            )));
        }
    }
    Ok(())
}

/// `interval`: required, `start/end` ISO-8601 instants, start before end, within the day cap.
pub(super) fn interval(
    interval: Option<&str>,
    max_days: u32,
) -> Result<(DateTime<FixedOffset>, DateTime<FixedOffset>), ApiError> {
    let interval = interval.ok_or_else(|| {
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
    let (Some(start), Some(end)) = (parse_instant(s), parse_instant(e)) else {
        return Err(ApiError::bad_request(format!(
            "interval {interval:?} has an instant that is not ISO-8601 (e.g. 2024-05-06T00:00:00.000Z)"
        )));
    };
    if end <= start {
        return Err(ApiError::bad_request(format!(
            "interval {interval:?} ends before it starts"
        )));
    }
    if max_days > 0 && (end - start) > Duration::days(i64::from(max_days)) {
        return Err(ApiError::bad_request(format!(
            "interval {interval:?} spans {:.1} days; this sandbox accepts at most {max_days} days per query (--max-query-days); split the range",
            (end - start).num_seconds() as f64 / 86_400.0
        )));
    }
    Ok((start, end))
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

/// `timeZone`: optional (UTC), an IANA zone name.
pub(super) fn time_zone(name: Option<&str>) -> Result<Tz, ApiError> {
    match name {
        None => Ok(chrono_tz::UTC),
        Some(name) => name.parse().map_err(|_| {
            ApiError::bad_request(format!(
                "timeZone {name:?} is not an IANA zone name (e.g. America/Chicago)"
            ))
        }),
    }
}

pub(super) fn parse_granularity(s: &str) -> Result<Gran, ApiError> {
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

/// `groupBy`: dimensions of the schema's enum; the sandbox groups by [`GROUP_DIMENSIONS`].
fn group_by(dims: &[String]) -> Result<Vec<&'static str>, ApiError> {
    let mut out: Vec<&'static str> = Vec::new();
    for g in dims {
        match GROUP_DIMENSIONS.iter().find(|d| **d == g) {
            Some(d) if !out.contains(d) => out.push(d),
            Some(_) => {
                return Err(ApiError::bad_request(format!(
                    "groupBy names {g:?} twice; name each dimension once"
                )));
            }
            None if DIMENSIONS.contains(&g.as_str()) && g != "canonicalExternalContactId" => {
                return Err(ApiError::bad_request(format!(
                    "groupBy {g:?} is not simulated by the sandbox; use {}",
                    GROUP_DIMENSIONS.join(", ")
                )));
            }
            None => {
                return Err(ApiError::bad_request(format!(
                    "groupBy {g:?} is not a conversation aggregate dimension (e.g. queueId, mediaType)"
                )));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{bytes, fields};
    use super::*;
    use axum::http::StatusCode;
    use serde_json::json;

    fn good() -> Value {
        json!({
            "interval": "2026-11-17T05:00:00.000Z/2026-11-20T05:00:00.000Z",
            "granularity": "PT1H",
            "timeZone": "America/New_York",
            "groupBy": ["queueId", "mediaType"],
            "filter": {"type": "and", "predicates": [
                {"type": "dimension", "dimension": "queueId", "operator": "matches", "value": "q1"},
                {"dimension": "mediaType", "value": "voice"}]},
            "metrics": ["nOffered", "tHandle"],
        })
    }

    fn check(body: Value) -> Result<AggregatesQuery, ApiError> {
        aggregates_query(&bytes(body), QueryLimits::default())
    }

    fn days(max_query_days: u32) -> QueryLimits {
        QueryLimits {
            max_query_days,
            ..QueryLimits::default()
        }
    }

    /// The 400 message for `good()` with `patch` merged in.
    fn refusal(patch: Value) -> String {
        let mut body = good();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let e = check(body).unwrap_err();
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        assert_eq!(e.code, "bad.request");
        e.message
    }

    fn queue(name: &str, step_minutes: i64) -> QueueData {
        let mut q = QueueData::for_test(&format!("id-{name}"), name);
        if let crate::sandbox::data::Source::Series(s) = &mut q.source {
            s.step_minutes = step_minutes;
        }
        q
    }

    #[test]
    fn a_good_query_is_read_in_full() {
        let q = check(good()).unwrap();
        assert_eq!(q.start.to_rfc3339(), "2026-11-17T05:00:00+00:00");
        assert_eq!(q.end - q.start, Duration::days(3));
        assert_eq!(q.time_zone, chrono_tz::America::New_York);
        assert_eq!(q.granularity, Some(("PT1H".to_string(), Gran::Fixed(3600))));
        assert_eq!(q.metrics, ["nOffered", "tHandle"]);
        assert_eq!(q.group_by, ["queueId", "mediaType"]);
        let m = |d: &str, v: &str| Predicate {
            dimension: d.into(),
            op: PredicateOp::Matches(v.into()),
        };
        assert_eq!(
            q.filter,
            Some(Filter {
                all: true,
                predicates: vec![m("queueId", "q1"), m("mediaType", "voice")],
                clauses: vec![],
            })
        );
    }

    #[test]
    fn defaults_offsets_and_bare_times() {
        let q = check(json!({
            "interval": "2026-11-17T00:00:00.000-05:00/2026-11-18T00:00",
            "metrics": ["nOffered"]}))
        .unwrap();
        assert_eq!(q.start.offset().local_minus_utc(), -5 * 3600);
        // No offset: read as UTC.
        assert_eq!(q.end.to_rfc3339(), "2026-11-18T00:00:00+00:00");
        assert_eq!(q.time_zone, chrono_tz::UTC);
        assert_eq!(q.granularity, None);
        assert!(q.group_by.is_empty() && q.filter.is_none());
    }

    #[test]
    fn missing_interval_and_metrics_name_the_field() {
        for field in ["interval", "metrics"] {
            let mut body = good();
            body.as_object_mut().unwrap().remove(field);
            let e = check(body).unwrap_err();
            assert_eq!((e.status, e.code), (StatusCode::BAD_REQUEST, "bad.request"));
            assert_eq!(fields(&e), [field]);
            assert_eq!(e.details[0].0, "FIELD_REQUIRED");
            assert!(
                e.message.starts_with(&format!("{field} is required, e.g.")),
                "{}",
                e.message
            );
        }
        let e =
            check(json!({"interval": "2026-11-17T05:00:00Z/2026-11-18T05:00:00Z", "metrics": []}))
                .unwrap_err();
        assert_eq!(fields(&e), ["metrics"]);
    }

    #[test]
    fn each_bad_part_is_refused_with_how_to_fix_it() {
        let cases = [
            (
                json!({"interval": "yesterday"}),
                "interval \"yesterday\" must be two ISO-8601 instants joined by '/'",
            ),
            (
                json!({"interval": "2026-11-17/2026-11-18"}),
                "interval \"2026-11-17/2026-11-18\" has an instant that is not ISO-8601 (e.g. 2024-05-06T00:00:00.000Z)",
            ),
            (
                json!({"interval": "2026-11-18T00:00:00Z/2026-11-18T00:00:00Z"}),
                "interval \"2026-11-18T00:00:00Z/2026-11-18T00:00:00Z\" ends before it starts",
            ),
            (
                json!({"timeZone": "Mars/Olympus"}),
                "timeZone \"Mars/Olympus\" is not an IANA zone name (e.g. America/Chicago)",
            ),
            (
                json!({"granularity": "P1M"}),
                "granularity \"P1M\" is not an ISO-8601 duration the sandbox supports (e.g. PT30M, PT1H, P1D, P7D)",
            ),
            (
                json!({"granularity": "P1DT1H"}),
                "granularity \"P1DT1H\" mixes days and hours; the sandbox supports either PTnH/PTnM or PnD/PnW",
            ),
            (
                json!({"metrics": ["nOffered", "nOfered"]}),
                "metric \"nOfered\" is not a conversation aggregate metric (the sandbox simulates nOffered, tHandle, tAbandon, nOutboundAttempted, nOutboundConnected)",
            ),
            (
                json!({"metrics": ["nOffered", "nHandled"]}),
                "metric \"nHandled\" is not a conversation aggregate metric (the sandbox simulates nOffered, tHandle, tAbandon, nOutboundAttempted, nOutboundConnected)",
            ),
            (
                json!({"groupBy": ["userId"]}),
                "groupBy \"userId\" is not simulated by the sandbox; use queueId, mediaType, direction, originatingDirection",
            ),
            (
                json!({"groupBy": ["queue"]}),
                "groupBy \"queue\" is not a conversation aggregate dimension (e.g. queueId, mediaType)",
            ),
            (
                json!({"groupBy": ["queueId", "queueId"]}),
                "groupBy names \"queueId\" twice; name each dimension once",
            ),
            (
                json!({"views": [{"name": "x"}]}),
                "views are not simulated by the sandbox",
            ),
            (
                json!({"queryType": "detail"}),
                "queryType \"detail\" is not simulated by the sandbox; use groupBy",
            ),
        ];
        for (patch, message) in cases {
            assert_eq!(refusal(patch), message);
        }
        let msg = refusal(json!({"metrics": "nOffered"}));
        assert!(
            msg.starts_with("the body is not a valid ConversationAggregationQuery: invalid type: string \"nOffered\", expected a sequence"),
            "{msg}"
        );
    }

    #[test]
    fn shape_errors_name_the_wire_structs() {
        let msg = |b: &[u8]| {
            aggregates_query(b, QueryLimits::default())
                .unwrap_err()
                .message
        };
        let prefix = "the body is not a valid ConversationAggregationQuery: ";
        for (body, needle) in [
            (b"[]".as_slice(), "expected struct Query with 8 elements"),
            (
                br#"{"filter": []}"#,
                "expected struct Filter with 3 elements",
            ),
            (
                br#"{"filter": {"type": "and", "clauses": [[]]}}"#,
                "expected struct Clause",
            ),
            (
                br#"{"filter": {"type": "and", "predicates": [[]]}}"#,
                "expected struct Predicate",
            ),
        ] {
            let m = msg(body);
            assert!(m.starts_with(prefix) && m.contains(needle), "{m}");
        }
    }

    #[test]
    fn checks_run_in_a_fixed_order() {
        // Bad zone and bad metric: the zone is named (it is checked first).
        let msg = refusal(json!({"timeZone": "Mars/Olympus", "metrics": ["x"]}));
        assert!(msg.starts_with("timeZone"), "{msg}");
        let msg = refusal(json!({"queryType": "detail", "filter": {"type": "xor"}}));
        assert!(msg.starts_with("queryType"), "{msg}");
    }

    #[test]
    fn the_interval_cap_is_a_fault_setting() {
        let body = bytes(good());
        assert!(aggregates_query(&body, days(3)).is_ok());
        let e = aggregates_query(&body, days(2)).unwrap_err();
        assert!(
            e.message.ends_with("spans 3.0 days; this sandbox accepts at most 2 days per query (--max-query-days); split the range"),
            "{}",
            e.message
        );
    }

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
    fn granularity_must_fit_every_queue_read() {
        let (hourly, half) = (queue("Bike", 60), queue("Power", 30));
        let with = |g: &str| {
            let mut body = good();
            body["granularity"] = json!(g);
            check(body).unwrap()
        };
        assert!(granularity_fits(&with("PT30M"), &[&half]).is_ok());
        assert!(granularity_fits(&with("PT2H"), &[&hourly, &half]).is_ok());
        assert!(granularity_fits(&with("P1D"), &[&hourly]).is_ok());
        let e = granularity_fits(&with("PT30M"), &[&half, &hourly]).unwrap_err();
        assert_eq!(
            e.message,
            "granularity PT30M is finer than the 60-minute buckets queue \"Bike\" (id-Bike) has; use PT60M or a multiple of it"
        );
        let e = granularity_fits(&with("PT90M"), &[&hourly]).unwrap_err();
        assert!(
            e.message.contains("is not a multiple of the 60-minute"),
            "{}",
            e.message
        );
        let mut whole = good();
        whole.as_object_mut().unwrap().remove("granularity");
        assert!(granularity_fits(&check(whole).unwrap(), &[&hourly]).is_ok());
    }
}
