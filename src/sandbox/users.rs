//! `POST /api/v2/analytics/users/aggregates/query` over the contact centre's agents
//! ([`super::contact_centre`]): time per routing status, system presence and organization
//! presence per bucket, from each agent's roster and the queue's simulated traffic.
//!
//! Wire shape (`UserAggregateQueryResponse.md`, `UserAggregateDataContainer.md`,
//! `StatisticalResponse.md`, `AggregateMetricData.md` in platform-client-sdk-python): one result
//! per user when grouped by `userId` (one result for all matched users otherwise); each bucket's
//! metrics are `{metric, qualifier, stats: {sum}}` with the status (or presence, or presence id)
//! as the `qualifier` and the time in milliseconds as `sum`. Zero times, empty buckets and empty
//! groups are left out, as Genesys leaves them out; `systemToOrganizationMappings` maps each
//! system presence to the sandbox's one organization presence for it whenever
//! `tOrganizationPresence` is asked for. Buckets after the centre's horizon ("now") are empty.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State as AxState;
use axum::http::StatusCode;
use chrono::{DateTime, Duration, FixedOffset, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

use super::State;
use super::contact_centre::{AgentBucket, ContactCentre, RoutingStatus, SystemPresence};
use super::validate::{self, Gran, UserMetric, UsersQuery};
use super::wire::{ApiError, ApiResult, ok};

/// Refuse queries that would build absurd tables (a sandbox safeguard, not a Genesys limit).
const MAX_CELLS: usize = 500_000;

/// The route handler: validation and simulation run off the async workers.
pub(crate) async fn aggregates_query(st: AxState<Arc<State>>, body: Bytes) -> ApiResult {
    let s = st.0;
    let result = tokio::task::spawn_blocking(move || {
        run(s.centre.as_deref(), s.faults.max_query_days, &body)
    })
    .await
    .map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal.server.error",
            format!("user aggregation failed: {e}"),
        )
    })?;
    ok(result?)
}

/// One simulated user: its queue, its index in the queue's roster and its id.
#[derive(Debug, Clone, Copy)]
struct UserRef<'a> {
    queue: usize,
    agent: usize,
    id: &'a str,
}

/// Runs one user aggregates query against `centre`.
pub(crate) fn run(
    centre: Option<&ContactCentre>,
    max_query_days: u32,
    body: &[u8],
) -> Result<Value, ApiError> {
    let q = validate::users_aggregates_query(body, max_query_days)?;
    let bounds = bucket_bounds(&q)?;
    // No simulated centre (`--queues 0`): no users, so no results, like an org without agents.
    let Some(centre) = centre else {
        return Ok(render(&q, &bounds, &[], Vec::new()));
    };
    let users = select(centre, &q);
    let buckets = bounds.len() - 1;
    if users.len().saturating_mul(buckets) > MAX_CELLS {
        return Err(ApiError::bad_request(format!(
            "the query asks for {} users × {buckets} buckets; the sandbox answers at most \
             {MAX_CELLS} cells: filter on fewer users or use a coarser granularity",
            users.len()
        )));
    }
    let per_user = states(centre, &users, &bounds)?;
    Ok(render(&q, &bounds, &users, per_user))
}

/// The users the filter keeps, in roster order (queue by queue). An "or" of user ids looks
/// those up rather than testing every agent of the org against every id.
fn select<'a>(centre: &'a ContactCentre, q: &UsersQuery) -> Vec<UserRef<'a>> {
    if let Some((f, ids)) = q.filter.as_ref().and_then(|f| Some((f, f.only_ids()?))) {
        let mut found: Vec<(usize, usize)> = ids
            .into_iter()
            .filter_map(|id| centre.agent_index(id))
            .collect();
        found.sort_unstable();
        found.dedup();
        return found
            .into_iter()
            .filter_map(|(queue, agent)| {
                let a = &centre.agents(queue).ok()?[agent];
                f.matches(&a.id).then_some(UserRef {
                    queue,
                    agent,
                    id: &a.id,
                })
            })
            .collect();
    }
    let mut out = Vec::new();
    for queue in 0..centre.queues().len() {
        let agents = centre.agents(queue).unwrap_or_default();
        for (agent, a) in agents.iter().enumerate() {
            if q.filter.as_ref().is_none_or(|f| f.matches(&a.id)) {
                out.push(UserRef {
                    queue,
                    agent,
                    id: &a.id,
                });
            }
        }
    }
    out
}

/// Bucket bounds of the query (starts, then the interval end): fixed steps from the start, or
/// local midnights in the query zone every n days; one bucket without a granularity.
fn bucket_bounds(q: &UsersQuery) -> Result<Vec<DateTime<Utc>>, ApiError> {
    let (start, end) = (q.start.with_timezone(&Utc), q.end.with_timezone(&Utc));
    let mut bounds = vec![start];
    let too_many = || {
        ApiError::bad_request(format!(
            "the query would produce more than {MAX_CELLS} buckets; use a shorter interval or a \
             coarser granularity"
        ))
    };
    match q.granularity.as_ref().map(|g| g.1) {
        None => {}
        Some(Gran::Fixed(secs)) => {
            if (end - start).num_seconds() / secs > MAX_CELLS as i64 {
                return Err(too_many());
            }
            let mut t = start + Duration::seconds(secs);
            while t < end {
                bounds.push(t);
                t += Duration::seconds(secs);
            }
        }
        Some(Gran::Days(n)) => {
            let local0 = start.with_timezone(&q.time_zone).naive_local();
            for k in 1.. {
                let t = super::data::resolve_local(
                    q.time_zone,
                    local0 + Duration::days(n * k),
                    Duration::minutes(15),
                );
                if t >= end {
                    break;
                }
                bounds.push(t);
                if bounds.len() > MAX_CELLS {
                    return Err(too_many());
                }
            }
        }
    }
    bounds.push(end);
    Ok(bounds)
}

/// State times per selected user and query bucket. A fixed granularity is one simulation per
/// queue; day buckets (whose lengths vary across DST) are simulated one bucket at a time.
fn states(
    centre: &ContactCentre,
    users: &[UserRef],
    bounds: &[DateTime<Utc>],
) -> Result<Vec<Vec<AgentBucket>>, ApiError> {
    let internal = |e: super::contact_centre::CentreError| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal.server.error",
            format!("the contact centre could not answer: {e}"),
        )
    };
    let mut by_queue: BTreeMap<usize, Vec<Vec<AgentBucket>>> = BTreeMap::new();
    for u in users {
        if by_queue.contains_key(&u.queue) {
            continue;
        }
        let (start, end) = (bounds[0], bounds[bounds.len() - 1]);
        let step = bounds[1] - bounds[0];
        let uniform = bounds.windows(2).rev().skip(1).all(|w| w[1] - w[0] == step);
        let table = if uniform {
            centre
                .members_status(u.queue, start, end, step)
                .map_err(internal)?
        } else {
            let mut table: Vec<Vec<AgentBucket>> =
                vec![Vec::new(); centre.agents(u.queue).map_err(internal)?.len()];
            for w in bounds.windows(2) {
                let one = centre
                    .members_status(u.queue, w[0], w[1], w[1] - w[0])
                    .map_err(internal)?;
                for (row, b) in table.iter_mut().zip(one) {
                    row.push(b.into_iter().next().unwrap_or(AgentBucket::empty(w[0])));
                }
            }
            table
        };
        by_queue.insert(u.queue, table);
    }
    Ok(users
        .iter()
        .map(|u| by_queue[&u.queue][u.agent].clone())
        .collect())
}

/// The interval spelling of the response: the offset of the request interval, in milliseconds.
fn fmt_instant(t: DateTime<Utc>, offset: FixedOffset) -> String {
    t.with_timezone(&offset)
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// `{metric, qualifier, stats: {sum}}` for every non-zero time of `b`.
fn metrics_json(metrics: &[UserMetric], b: &AgentBucket) -> Vec<Value> {
    let entry = |metric: &str, qualifier: String, ms: u64| json!({"metric": metric, "qualifier": qualifier, "stats": {"sum": ms as f64}});
    let mut out = Vec::new();
    for m in metrics {
        match m {
            UserMetric::RoutingStatus => {
                for s in RoutingStatus::ALL {
                    let ms = b.routing(s);
                    if ms > 0 {
                        out.push(entry(m.as_str(), s.as_str().into(), ms));
                    }
                }
            }
            UserMetric::SystemPresence | UserMetric::OrganizationPresence => {
                for p in SystemPresence::ALL {
                    let ms = b.presence(p);
                    if ms == 0 {
                        continue;
                    }
                    let qualifier = match m {
                        UserMetric::SystemPresence => p.as_str().to_string(),
                        _ => p.organization_presence_id(),
                    };
                    out.push(entry(m.as_str(), qualifier, ms));
                }
            }
        }
    }
    out
}

/// The response body (see the module doc).
fn render(
    q: &UsersQuery,
    bounds: &[DateTime<Utc>],
    users: &[UserRef],
    per_user: Vec<Vec<AgentBucket>>,
) -> Value {
    let groups: Vec<(Option<&str>, Vec<AgentBucket>)> = if q.group_by_user {
        users.iter().map(|u| Some(u.id)).zip(per_user).collect()
    } else {
        let mut total: Vec<AgentBucket> = bounds[..bounds.len() - 1]
            .iter()
            .map(|&t| AgentBucket::empty(t))
            .collect();
        for row in &per_user {
            for (acc, b) in total.iter_mut().zip(row) {
                acc.add(b);
            }
        }
        vec![(None, total)]
    };
    let offset = *q.start.offset();
    let mut results = Vec::new();
    for (user, row) in groups {
        let data: Vec<Value> = row
            .iter()
            .enumerate()
            .filter_map(|(k, b)| {
                let metrics = metrics_json(&q.metrics, b);
                (!metrics.is_empty()).then(|| {
                    json!({
                        "interval": format!("{}/{}", fmt_instant(bounds[k], offset),
                            fmt_instant(bounds[k + 1], offset)),
                        "metrics": metrics,
                    })
                })
            })
            .collect();
        if data.is_empty() {
            continue;
        }
        let mut entry = json!({ "data": data });
        if let Some(id) = user {
            entry["group"] = json!({ "userId": id });
        }
        results.push(entry);
    }
    let mut body = Map::new();
    if q.metrics.contains(&UserMetric::OrganizationPresence) {
        let mappings: Map<String, Value> = SystemPresence::ALL
            .iter()
            .map(|p| {
                (
                    p.as_str().to_string(),
                    json!([p.organization_presence_id()]),
                )
            })
            .collect();
        body.insert(
            "systemToOrganizationMappings".into(),
            Value::Object(mappings),
        );
    }
    if !results.is_empty() {
        body.insert("results".into(), Value::Array(results));
    }
    Value::Object(body)
}

/// The zone the sandbox's agents work in, for tests that build bodies.
#[cfg(test)]
fn zone(centre: &ContactCentre) -> chrono_tz::Tz {
    centre.time_zone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    use crate::sandbox::contact_centre::{DEFAULT_SEED, DESIGN_QUEUE};

    fn centre() -> ContactCentre {
        let now = Utc.with_ymd_and_hms(2026, 11, 20, 15, 30, 0).unwrap();
        ContactCentre::new(DEFAULT_SEED, 24, chrono_tz::America::New_York, now).unwrap()
    }

    fn body(v: Value) -> Vec<u8> {
        serde_json::to_vec(&v).unwrap()
    }

    #[test]
    fn routing_times_per_user_add_up_to_the_bucket_and_match_the_roster() {
        let c = centre();
        let q = c.queue_index(DESIGN_QUEUE).unwrap();
        let agents = c.agents(q).unwrap();
        let tz = zone(&c);
        // Wednesday 2026-11-18, 14:00-16:00 local, in half hours.
        let start = tz
            .with_ymd_and_hms(2026, 11, 18, 14, 0, 0)
            .unwrap()
            .with_timezone(&Utc);
        let end = start + Duration::hours(2);
        let preds: Vec<Value> = agents
            .iter()
            .map(|a| json!({"dimension": "userId", "value": a.id}))
            .collect();
        let v = run(
            Some(&c),
            0,
            &body(json!({
                "interval": format!("{}/{}", start.to_rfc3339(), end.to_rfc3339()),
                "granularity": "PT30M", "groupBy": ["userId"],
                "filter": {"type": "or", "predicates": preds},
                "metrics": ["tAgentRoutingStatus"]})),
        )
        .unwrap();
        let results = v["results"].as_array().unwrap();
        // Every result is one of the queue's agents; each bucket's times sum to 30 minutes.
        let mut on_queue_ms = [0.0; 4];
        for r in results {
            let id = r["group"]["userId"].as_str().unwrap();
            assert!(agents.iter().any(|a| a.id == id));
            for (k, d) in r["data"].as_array().unwrap().iter().enumerate() {
                let ms: Vec<(&str, f64)> = d["metrics"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|m| {
                        assert_eq!(m["metric"], "tAgentRoutingStatus");
                        (
                            m["qualifier"].as_str().unwrap(),
                            m["stats"]["sum"].as_f64().unwrap(),
                        )
                    })
                    .collect();
                assert_eq!(ms.iter().map(|m| m.1).sum::<f64>(), 1_800_000.0, "{d}");
                assert!(ms.iter().all(|m| m.1 > 0.0), "zeros are left out: {d}");
                let slot = k;
                on_queue_ms[slot] += ms
                    .iter()
                    .filter(|m| m.0 != "OFF_QUEUE")
                    .map(|m| m.1)
                    .sum::<f64>();
            }
        }
        let oracle = c
            .scheduled_on_queue(q, start, end, Duration::minutes(30))
            .unwrap();
        for (k, (_, agents_on)) in oracle.iter().enumerate() {
            assert_eq!(on_queue_ms[k] / 1_800_000.0, *agents_on);
        }
        assert_eq!(oracle[0].1, 15.0, "the designed 15 on queue");
    }

    #[test]
    fn without_group_by_one_group_sums_users_and_presence_ids_are_mapped() {
        let c = centre();
        let q = c.queue_index(DESIGN_QUEUE).unwrap();
        let ids: Vec<&str> = c.agents(q).unwrap()[..3]
            .iter()
            .map(|a| a.id.as_str())
            .collect();
        let tz = zone(&c);
        let start = tz
            .with_ymd_and_hms(2026, 11, 16, 0, 0, 0)
            .unwrap()
            .with_timezone(&Utc);
        let end = tz
            .with_ymd_and_hms(2026, 11, 18, 0, 0, 0)
            .unwrap()
            .with_timezone(&Utc);
        let v = run(
            Some(&c),
            0,
            &body(json!({
                "interval": format!("{}/{}", start.to_rfc3339(), end.to_rfc3339()),
                "granularity": "P1D", "timeZone": "America/New_York",
                "filter": {"type": "or", "predicates": ids.iter().map(|id|
                    json!({"dimension": "userId", "value": id})).collect::<Vec<_>>()},
                "metrics": ["tSystemPresence", "tOrganizationPresence"]})),
        )
        .unwrap();
        let results = v["results"].as_array().unwrap();
        assert_eq!(results.len(), 1);
        assert!(results[0].get("group").is_none());
        let days = results[0]["data"].as_array().unwrap();
        assert_eq!(days.len(), 2);
        assert_eq!(
            days[0]["interval"],
            "2026-11-16T05:00:00.000Z/2026-11-17T05:00:00.000Z"
        );
        // Three users' system presences over a day: 3 × 24 h, and the same again by id.
        for d in days {
            let sum = |metric: &str| -> f64 {
                d["metrics"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|m| m["metric"] == metric)
                    .map(|m| m["stats"]["sum"].as_f64().unwrap())
                    .sum()
            };
            assert_eq!(sum("tSystemPresence"), 3.0 * 86_400_000.0);
            assert_eq!(sum("tOrganizationPresence"), 3.0 * 86_400_000.0);
        }
        let map = v["systemToOrganizationMappings"].as_object().unwrap();
        assert_eq!(map.len(), 10);
        assert_eq!(
            map["ON_QUEUE"][0],
            SystemPresence::OnQueue.organization_presence_id()
        );
    }

    #[test]
    fn nothing_after_the_horizon_and_no_one_unmatched() {
        let c = centre();
        let start = c.horizon();
        let v = run(
            Some(&c),
            0,
            &body(json!({
                "interval": format!("{}/{}", start.to_rfc3339(), (start + Duration::days(1)).to_rfc3339()),
                "granularity": "PT1H", "groupBy": ["userId"],
                "filter": {"type": "or", "predicates": [{"dimension": "userId", "value": "nobody"}]},
                "metrics": ["tAgentRoutingStatus"]})),
        )
        .unwrap();
        assert_eq!(v, json!({}));
    }

    #[test]
    fn oversized_queries_are_refused() {
        let c = centre();
        let start = c.horizon() - Duration::days(365);
        let e = run(
            Some(&c),
            0,
            &body(json!({
                "interval": format!("{}/{}", start.to_rfc3339(), c.horizon().to_rfc3339()),
                "granularity": "PT15M", "groupBy": ["userId"],
                "metrics": ["tAgentRoutingStatus"]})),
        )
        .unwrap_err();
        assert!(e.message.contains("cells"), "{}", e.message);
    }
}
