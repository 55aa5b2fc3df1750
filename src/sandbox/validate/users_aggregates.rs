//! `UserAggregationQuery` bodies (`POST /api/v2/analytics/users/aggregates/query`): every
//! refusal is a 400 whose message says how to fix the query. Checks run in a fixed order
//! (interval, zone, granularity, metrics, groupBy, views, alternateTimeDimension, filter), like
//! the conversation aggregates' checks, whose interval, zone and granularity readers they share.
//!
//! The rules are the official ones (platform-client-sdk-python `build/docs/UserAggregationQuery.md`,
//! `UserAggregateQueryFilter.md`, `UserAggregateQueryClause.md`, `UserAggregateQueryPredicate.md`;
//! the list enums from platform-client-sdk-dotnet 270.0.0 `UserAggregationQuery.cs`):
//! - `interval` and `metrics` are required; metrics are `tAgentRoutingStatus`,
//!   `tOrganizationPresence` or `tSystemPresence` (`MetricsEnum`);
//! - `groupBy` and predicate dimensions are `userId` only (`GroupByEnum`, `DimensionEnum`; the
//!   developer centre's "User Status Aggregate query" page: "Filtering and group-by is limited to
//!   the userId dimension only"), so the status comes back as each metric's `qualifier`
//!   (`AggregateMetricData.md`), not as a group;
//! - "A single query may contain no more than 100 userId predicates" (same page);
//! - a filter and each clause need a `type` (`and`/`or`); a clause needs `predicates`.
//!
//! Sandbox limits, said as such: agent states are simulated in 15-minute slots, so the interval
//! must start and end on quarter hours and a fixed granularity be a multiple of 15 minutes;
//! `views` and non-dimension predicates are not simulated.

use chrono::{DateTime, FixedOffset};
use chrono_tz::Tz;
use serde::Deserialize;
use serde_json::Value;

use super::aggregates::{Gran, interval, parse_granularity, time_zone};
use crate::sandbox::wire::ApiError;

/// The documented cap on `userId` predicates per query.
pub(crate) const MAX_USER_PREDICATES: usize = 100;

/// The sandbox's agent-state slot, seconds.
const SLOT_SECS: i64 = 900;

/// The body as sent (serde's messages name the struct: `UserQuery`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserQuery {
    interval: Option<String>,
    granularity: Option<String>,
    time_zone: Option<String>,
    #[serde(default)]
    group_by: Vec<String>,
    filter: Option<raw::Filter>,
    #[serde(default)]
    metrics: Vec<String>,
    #[serde(default)]
    views: Vec<Value>,
    #[allow(dead_code)]
    flatten_multivalued_dimensions: Option<bool>,
    alternate_time_dimension: Option<String>,
}

/// The filter as sent (`UserAggregateQueryFilter`, `…Clause`, `…Predicate`).
mod raw {
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    pub struct Filter {
        #[serde(rename = "type")]
        pub kind: Option<String>,
        #[serde(default)]
        pub predicates: Vec<Predicate>,
        #[serde(default)]
        pub clauses: Vec<Clause>,
    }

    #[derive(Debug, Deserialize)]
    pub struct Clause {
        #[serde(rename = "type")]
        pub kind: Option<String>,
        pub predicates: Option<Vec<Predicate>>,
    }

    #[derive(Debug, Deserialize)]
    pub struct Predicate {
        #[serde(rename = "type")]
        pub kind: Option<String>,
        pub dimension: Option<String>,
        pub operator: Option<String>,
        pub value: Option<String>,
    }
}

/// The three user aggregate metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UserMetric {
    /// `tAgentRoutingStatus`, qualified by the routing status.
    RoutingStatus,
    /// `tSystemPresence`, qualified by the system presence.
    SystemPresence,
    /// `tOrganizationPresence`, qualified by the organization presence id.
    OrganizationPresence,
}

impl UserMetric {
    pub const ALL: [UserMetric; 3] = [
        UserMetric::RoutingStatus,
        UserMetric::OrganizationPresence,
        UserMetric::SystemPresence,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            UserMetric::RoutingStatus => "tAgentRoutingStatus",
            UserMetric::SystemPresence => "tSystemPresence",
            UserMetric::OrganizationPresence => "tOrganizationPresence",
        }
    }
}

/// A `userId` predicate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum UserPredicate {
    Matches(String),
    Exists,
    NotExists,
}

impl UserPredicate {
    /// Every simulated user has a `userId`.
    pub fn matches(&self, user_id: &str) -> bool {
        match self {
            UserPredicate::Matches(v) => v == user_id,
            UserPredicate::Exists => true,
            UserPredicate::NotExists => false,
        }
    }
}

/// A checked filter: predicates and clauses joined by "and" (`all`) or "or".
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UserFilter {
    pub all: bool,
    pub predicates: Vec<UserPredicate>,
    /// (`all`, predicates) per clause.
    pub clauses: Vec<(bool, Vec<UserPredicate>)>,
}

fn combine(all: bool, mut results: impl Iterator<Item = bool>) -> bool {
    if all {
        results.all(|b| b)
    } else {
        results.any(|b| b)
    }
}

impl UserFilter {
    /// The only user ids this filter can match, when its shape restricts it to some
    /// (`userId` equalities, as a members' query has: an "and" of one "or" clause of them);
    /// `None` when it could match other users too. Every user it matches has one of these
    /// ids, so a caller may look those up instead of testing every user of the org (and
    /// still calls [`Self::matches`] on them).
    pub fn only_ids(&self) -> Option<Vec<&str>> {
        fn single(p: &UserPredicate) -> Option<Vec<&str>> {
            match p {
                UserPredicate::Matches(v) => Some(vec![v.as_str()]),
                _ => None,
            }
        }
        fn clause(all: bool, ps: &[UserPredicate]) -> Option<Vec<&str>> {
            if all {
                ps.iter().find_map(single)
            } else {
                let each: Option<Vec<Vec<&str>>> = ps.iter().map(single).collect();
                each.map(|v| v.concat())
            }
        }
        let mut items = self
            .predicates
            .iter()
            .map(single)
            .chain(self.clauses.iter().map(|(all, ps)| clause(*all, ps)));
        if self.all {
            // Each item must match: any one that restricts restricts the whole.
            items.find_map(|i| i)
        } else {
            // One item is enough: all of them must restrict.
            let each: Option<Vec<Vec<&str>>> = items.collect();
            each.map(|v| v.concat())
        }
    }

    pub fn matches(&self, user_id: &str) -> bool {
        let predicates = self.predicates.iter().map(|p| p.matches(user_id));
        let clauses = self
            .clauses
            .iter()
            .map(|(all, ps)| combine(*all, ps.iter().map(|p| p.matches(user_id))));
        combine(self.all, predicates.chain(clauses))
    }
}

/// A query that passed every check.
#[derive(Debug)]
pub(crate) struct UsersQuery {
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
    pub time_zone: Tz,
    pub granularity: Option<(String, Gran)>,
    /// Non-empty, in the order asked, once each.
    pub metrics: Vec<UserMetric>,
    pub group_by_user: bool,
    pub filter: Option<UserFilter>,
}

/// Checks a user aggregates query body; `max_query_days` (0 = none) is the `--max-query-days`
/// fault, shared with the conversation aggregates.
pub(crate) fn users_aggregates_query(
    body: &[u8],
    max_query_days: u32,
) -> Result<UsersQuery, ApiError> {
    let q: UserQuery = serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request(format!("the body is not a valid UserAggregationQuery: {e}"))
    })?;
    let (start, end) = interval(q.interval.as_deref(), max_query_days)?;
    on_slots(q.interval.as_deref().unwrap_or_default(), start, end)?;
    let time_zone = time_zone(q.time_zone.as_deref())?;
    let granularity = match q.granularity {
        None => None,
        Some(g) => {
            let gran = parse_granularity(&g)?;
            if let Gran::Fixed(secs) = gran
                && secs % SLOT_SECS != 0
            {
                return Err(ApiError::bad_request(format!(
                    "granularity {g:?} is not a multiple of 15 minutes, the slot agent states \
                     are simulated in by the sandbox; use PT30M, PT1H or P1D"
                )));
            }
            Some((g, gran))
        }
    };
    let metrics = metrics(&q.metrics)?;
    let group_by_user = group_by(&q.group_by)?;
    if !q.views.is_empty() {
        return Err(ApiError::bad_request(
            "views are not simulated by the sandbox",
        ));
    }
    if let Some(t) = q.alternate_time_dimension.as_deref()
        && t != "eventTime"
    {
        return Err(ApiError::bad_request(format!(
            "alternateTimeDimension {t:?} is not one of eventTime"
        )));
    }
    let filter = q.filter.map(filter).transpose()?;
    Ok(UsersQuery {
        start,
        end,
        time_zone,
        granularity,
        metrics,
        group_by_user,
        filter,
    })
}

fn on_slots(
    text: &str,
    start: DateTime<FixedOffset>,
    end: DateTime<FixedOffset>,
) -> Result<(), ApiError> {
    let aligned = |t: DateTime<FixedOffset>| {
        t.timestamp().rem_euclid(SLOT_SECS) == 0 && t.timestamp_subsec_nanos() == 0
    };
    if aligned(start) && aligned(end) {
        return Ok(());
    }
    Err(ApiError::bad_request(format!(
        "interval {text:?} does not start and end on quarter hours; the sandbox simulates agent \
         states in 15-minute slots"
    )))
}

/// `metrics`: required, each one of the three user aggregate metrics.
fn metrics(sent: &[String]) -> Result<Vec<UserMetric>, ApiError> {
    if sent.is_empty() {
        return Err(ApiError::invalid_field(
            "bad.request",
            "FIELD_REQUIRED",
            "metrics",
            "metrics is required, e.g. [\"tAgentRoutingStatus\"]",
        ));
    }
    let mut out = Vec::new();
    for m in sent {
        let metric = UserMetric::ALL
            .into_iter()
            .find(|u| u.as_str() == m)
            .ok_or_else(|| {
                ApiError::bad_request(format!(
                    "metric {m:?} is not a user aggregate metric; use tAgentRoutingStatus, \
                     tOrganizationPresence or tSystemPresence (conversation metrics such as \
                     tHandle belong to /api/v2/analytics/conversations/aggregates/query)"
                ))
            })?;
        if !out.contains(&metric) {
            out.push(metric);
        }
    }
    Ok(out)
}

/// `groupBy`: `userId` only; true when grouping by user.
fn group_by(dims: &[String]) -> Result<bool, ApiError> {
    for g in dims {
        if g != "userId" {
            return Err(ApiError::bad_request(format!(
                "groupBy {g:?} is not a user aggregate dimension: only userId can be grouped by \
                 (each metric's qualifier carries the status)"
            )));
        }
    }
    Ok(!dims.is_empty())
}

/// `"and"` → true, `"or"` → false; the type is required on filters and clauses.
fn combinator(kind: Option<&str>, what: &str) -> Result<bool, ApiError> {
    match kind {
        Some("and") => Ok(true),
        Some("or") => Ok(false),
        Some(other) => Err(ApiError::bad_request(format!(
            "{what} type {other:?} is not \"and\" or \"or\""
        ))),
        None => Err(ApiError::bad_request(format!(
            "{what} has no type; use \"and\" or \"or\""
        ))),
    }
}

/// Checks a filter in reading order (its predicates, each clause, its own type) and the cap on
/// `userId` predicates.
fn filter(sent: raw::Filter) -> Result<UserFilter, ApiError> {
    let predicates = sent
        .predicates
        .into_iter()
        .map(predicate)
        .collect::<Result<Vec<_>, _>>()?;
    let mut clauses = Vec::new();
    for c in sent.clauses {
        let ps = c.predicates.ok_or_else(|| {
            ApiError::bad_request(
                "a filter clause has no predicates; a clause needs a type and its predicates",
            )
        })?;
        let ps = ps
            .into_iter()
            .map(predicate)
            .collect::<Result<Vec<_>, _>>()?;
        clauses.push((combinator(c.kind.as_deref(), "filter clause")?, ps));
    }
    let all = combinator(sent.kind.as_deref(), "filter")?;
    let count = predicates.len() + clauses.iter().map(|c| c.1.len()).sum::<usize>();
    if count > MAX_USER_PREDICATES {
        return Err(ApiError::bad_request(format!(
            "the filter has {count} userId predicates; a query may contain no more than \
             {MAX_USER_PREDICATES}: split the users into several queries"
        )));
    }
    Ok(UserFilter {
        all,
        predicates,
        clauses,
    })
}

fn predicate(p: raw::Predicate) -> Result<UserPredicate, ApiError> {
    match p.kind.as_deref() {
        None | Some("dimension") => {}
        Some(k @ ("property" | "metric")) => {
            return Err(ApiError::bad_request(format!(
                "filter predicate type {k:?} is not simulated by the sandbox; use dimension \
                 predicates on userId"
            )));
        }
        Some(k) => {
            return Err(ApiError::bad_request(format!(
                "filter predicate type {k:?} is not one of dimension, property, metric"
            )));
        }
    }
    let dimension = p.dimension.ok_or_else(|| {
        ApiError::bad_request("a filter predicate has no dimension (use \"userId\")")
    })?;
    if dimension != "userId" {
        return Err(ApiError::bad_request(format!(
            "filter dimension {dimension:?} is not a user aggregate dimension: only userId can be \
             filtered on"
        )));
    }
    match p.operator.as_deref().unwrap_or("matches") {
        "matches" => p.value.map(UserPredicate::Matches).ok_or_else(|| {
            ApiError::bad_request(
                "filter predicate on userId uses operator matches but has no value",
            )
        }),
        "exists" => Ok(UserPredicate::Exists),
        "notExists" => Ok(UserPredicate::NotExists),
        other => Err(ApiError::bad_request(format!(
            "filter operator {other:?} is not one of matches, exists, notExists"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{bytes, fields};
    use super::*;
    use axum::http::StatusCode;
    use serde_json::json;

    fn good() -> Value {
        json!({
            "interval": "2026-11-16T05:00:00.000Z/2026-11-20T05:00:00.000Z",
            "granularity": "PT30M",
            "timeZone": "America/New_York",
            "groupBy": ["userId"],
            "filter": {"type": "and", "clauses": [{"type": "or", "predicates": [
                {"type": "dimension", "dimension": "userId", "operator": "matches", "value": "u1"},
                {"dimension": "userId", "value": "u2"}]}]},
            "metrics": ["tAgentRoutingStatus", "tSystemPresence"],
        })
    }

    fn check(body: Value) -> Result<UsersQuery, ApiError> {
        users_aggregates_query(&bytes(body), 0)
    }

    /// The 400 message for `good()` with `patch` merged in.
    fn refusal(patch: Value) -> String {
        let mut body = good();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let e = check(body).unwrap_err();
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        e.message
    }

    /// Only filters that can match nothing but the listed ids give them; the rest, none.
    #[test]
    fn only_ids_are_given_for_filters_restricted_to_them() {
        let m = |v: &str| UserPredicate::Matches(v.into());
        let f = |all, predicates, clauses| UserFilter {
            all,
            predicates,
            clauses,
        };
        let members = check(good()).unwrap().filter.unwrap();
        assert_eq!(members.only_ids(), Some(vec!["u1", "u2"]));
        let ab = f(false, vec![m("a"), m("b")], vec![]);
        assert_eq!(ab.only_ids(), Some(vec!["a", "b"]));
        let with_exists = vec![m("a"), UserPredicate::Exists];
        assert_eq!(f(false, with_exists.clone(), vec![]).only_ids(), None);
        assert_eq!(f(true, with_exists, vec![]).only_ids(), Some(vec!["a"]));
        let clause_c = vec![(false, vec![m("c")])];
        let exists = vec![UserPredicate::Exists];
        assert_eq!(f(true, exists, clause_c).only_ids(), Some(vec!["c"]));
        assert_eq!(f(true, vec![], vec![]).only_ids(), None, "matches everyone");
        let and_clause = vec![(true, vec![m("d"), m("e")])];
        assert_eq!(f(false, vec![], and_clause).only_ids(), Some(vec!["d"]));
    }

    #[test]
    fn a_good_query_is_read_in_full() {
        let q = check(good()).unwrap();
        assert_eq!(q.start.to_rfc3339(), "2026-11-16T05:00:00+00:00");
        assert_eq!(q.time_zone, chrono_tz::America::New_York);
        assert_eq!(q.granularity, Some(("PT30M".into(), Gran::Fixed(1800))));
        assert_eq!(
            q.metrics,
            [UserMetric::RoutingStatus, UserMetric::SystemPresence]
        );
        assert!(q.group_by_user);
        let f = q.filter.unwrap();
        assert_eq!(
            f.clauses,
            [(
                false,
                vec![
                    UserPredicate::Matches("u1".into()),
                    UserPredicate::Matches("u2".into())
                ]
            )]
        );
        assert!(f.matches("u2") && !f.matches("u3"));
    }

    #[test]
    fn defaults_and_filters_without_clauses() {
        let q = check(
            json!({"interval": "2026-11-16T05:00:00Z/2026-11-16T06:00:00Z",
            "metrics": ["tOrganizationPresence", "tOrganizationPresence"]}),
        )
        .unwrap();
        assert_eq!(q.metrics, [UserMetric::OrganizationPresence]);
        assert!(!q.group_by_user && q.filter.is_none() && q.granularity.is_none());
        assert_eq!(q.time_zone, chrono_tz::UTC);
        let mut body = good();
        body["filter"] = json!({"type": "or", "predicates": [
            {"dimension": "userId", "operator": "exists"}]});
        assert!(check(body).unwrap().filter.unwrap().matches("anyone"));
        let mut body = good();
        body["filter"] = json!({"type": "and", "predicates": [
            {"dimension": "userId", "operator": "notExists"}]});
        assert!(!check(body).unwrap().filter.unwrap().matches("anyone"));
    }

    #[test]
    fn missing_interval_and_metrics_name_the_field() {
        for field in ["interval", "metrics"] {
            let mut body = good();
            body.as_object_mut().unwrap().remove(field);
            let e = check(body).unwrap_err();
            assert_eq!(fields(&e), [field]);
            assert_eq!(e.details[0].0, "FIELD_REQUIRED");
        }
    }

    #[test]
    fn each_bad_part_is_refused_with_how_to_fix_it() {
        let cases = [
            (
                json!({"interval": "2026-11-16T05:10:00Z/2026-11-16T06:00:00Z"}),
                "interval \"2026-11-16T05:10:00Z/2026-11-16T06:00:00Z\" does not start and end \
                 on quarter hours; the sandbox simulates agent states in 15-minute slots",
            ),
            (
                json!({"granularity": "PT10M"}),
                "granularity \"PT10M\" is not a multiple of 15 minutes, the slot agent states \
                 are simulated in by the sandbox; use PT30M, PT1H or P1D",
            ),
            (
                json!({"metrics": ["tAgentRoutingStatus", "tHandle"]}),
                "metric \"tHandle\" is not a user aggregate metric; use tAgentRoutingStatus, \
                 tOrganizationPresence or tSystemPresence (conversation metrics such as tHandle \
                 belong to /api/v2/analytics/conversations/aggregates/query)",
            ),
            (
                json!({"groupBy": ["userId", "routingStatus"]}),
                "groupBy \"routingStatus\" is not a user aggregate dimension: only userId can be \
                 grouped by (each metric's qualifier carries the status)",
            ),
            (
                json!({"views": [{"name": "x"}]}),
                "views are not simulated by the sandbox",
            ),
            (
                json!({"alternateTimeDimension": "startTime"}),
                "alternateTimeDimension \"startTime\" is not one of eventTime",
            ),
            (
                json!({"filter": {"type": "and", "predicates": [
                    {"dimension": "queueId", "value": "q"}]}}),
                "filter dimension \"queueId\" is not a user aggregate dimension: only userId can \
                 be filtered on",
            ),
            (
                json!({"filter": {"predicates": [{"dimension": "userId", "value": "u"}]}}),
                "filter has no type; use \"and\" or \"or\"",
            ),
            (
                json!({"filter": {"type": "and", "clauses": [{"predicates": []}]}}),
                "filter clause has no type; use \"and\" or \"or\"",
            ),
            (
                json!({"filter": {"type": "and", "clauses": [{"type": "or"}]}}),
                "a filter clause has no predicates; a clause needs a type and its predicates",
            ),
            (
                json!({"filter": {"type": "and", "predicates": [
                    {"type": "metric", "dimension": "userId"}]}}),
                "filter predicate type \"metric\" is not simulated by the sandbox; use \
                 dimension predicates on userId",
            ),
            (
                json!({"filter": {"type": "and", "predicates": [{"dimension": "userId"}]}}),
                "filter predicate on userId uses operator matches but has no value",
            ),
            (
                json!({"filter": {"type": "and", "predicates": [
                    {"dimension": "userId", "operator": "like", "value": "u"}]}}),
                "filter operator \"like\" is not one of matches, exists, notExists",
            ),
        ];
        for (patch, message) in cases {
            assert_eq!(refusal(patch), message);
        }
        let msg = refusal(json!({"groupBy": "userId"}));
        assert!(
            msg.starts_with("the body is not a valid UserAggregationQuery: invalid type"),
            "{msg}"
        );
    }

    #[test]
    fn at_most_100_user_predicates() {
        let users = |n: usize| -> Vec<Value> {
            (0..n)
                .map(|i| json!({"dimension": "userId", "value": format!("u{i}")}))
                .collect()
        };
        let mut body = good();
        body["filter"] = json!({"type": "or", "predicates": users(60),
            "clauses": [{"type": "or", "predicates": users(40)}]});
        assert!(check(body.clone()).is_ok());
        body["filter"]["clauses"][0]["predicates"] = json!(users(41));
        let e = check(body).unwrap_err();
        assert_eq!(
            e.message,
            "the filter has 101 userId predicates; a query may contain no more than 100: split \
             the users into several queries"
        );
    }

    #[test]
    fn checks_run_in_a_fixed_order() {
        let msg = refusal(json!({"timeZone": "Mars/Olympus", "metrics": ["x"]}));
        assert!(msg.starts_with("timeZone"), "{msg}");
        let msg = refusal(json!({"metrics": ["x"], "groupBy": ["queueId"]}));
        assert!(msg.starts_with("metric"), "{msg}");
        let msg = refusal(json!({"groupBy": ["queueId"], "filter": {"type": "xor"}}));
        assert!(msg.starts_with("groupBy"), "{msg}");
    }

    #[test]
    fn the_interval_cap_is_shared_with_the_conversation_aggregates() {
        let body = bytes(good());
        assert!(users_aggregates_query(&body, 4).is_ok());
        let e = users_aggregates_query(&body, 3).unwrap_err();
        assert!(e.message.contains("--max-query-days"), "{}", e.message);
    }
}
