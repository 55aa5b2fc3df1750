//! `POST /api/v2/analytics/users/aggregates/query`: time per ACD routing status per user and
//! bucket, the data behind "agents on queue".
//!
//! Sources (platform-client-sdk-python `build/docs/`, SDK 257; list enums from
//! platform-client-sdk-dotnet 270 `UserAggregationQuery.cs`):
//! - `AnalyticsApi.md` `post_analytics_users_aggregates_query`: body `UserAggregationQuery`,
//!   returns `UserAggregateQueryResponse`, permission `analytics:userAggregate:view`.
//! - `UserAggregationQuery.md`: `interval` and `metrics` required; `metrics` ∈
//!   `tAgentRoutingStatus`, `tOrganizationPresence`, `tSystemPresence`; `groupBy` ∈ `userId`.
//! - `UserAggregateQueryFilter.md` / `…Clause.md` / `…Predicate.md`: `type` and/or; predicate
//!   dimension `userId`, operator `matches`.
//! - `AggregateMetricData.md`: `metric`, `qualifier`, `stats` (`StatisticalSummary.md` `sum`);
//!   grouping is by `userId` only, so the routing status is each metric's `qualifier`
//!   (`RoutingStatus.md`: OFF_QUEUE, IDLE, INTERACTING, NOT_RESPONDING, COMMUNICATING). Timers
//!   are milliseconds, as for every `t*` metric.
//! - Developer centre, "User Status Aggregate query"
//!   (https://developer.genesys.cloud/analyticsdatamanagement/analytics/aggregate/user-query):
//!   "Filtering and group-by is limited to the userId dimension only. A single query may
//!   contain no more than 100 userId predicates. To retrieve data for more than 100 users simply
//!   break it up into multiple queries." The same section limits the granularity; its wording
//!   is not in our sources, so queries never go below 30 minutes (see
//!   [`MIN_GRANULARITY_MINUTES`]).
//!
//! Users are split into groups of at most 100 and the range into `chunk_days` chunks at local
//! midnights (as the conversation aggregates are: no maximum interval is documented), queried
//! with bounded concurrency and merged.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use futures::StreamExt;
use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::aggregates::{AggregateQuery, iso_instant};
use super::client::GenesysClient;
use super::error::GenesysError;
use crate::granularity::Granularity;

/// "A single query may contain no more than 100 userId predicates."
pub const MAX_USERS_PER_QUERY: usize = 100;

/// The finest granularity queuecast asks user aggregates for (the documented limit's wording
/// is unknown to us; 30 minutes is the finest that every reading of it allows).
pub const MIN_GRANULARITY_MINUTES: i64 = 30;

/// Routing-status time of users, per bucket.
#[derive(Debug, Clone, PartialEq)]
pub struct UserStatusQuery {
    pub user_ids: Vec<String>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// PT30M or PT1H: see [`MIN_GRANULARITY_MINUTES`].
    pub granularity: Granularity,
    /// IANA zone the buckets and chunk boundaries line up with.
    pub time_zone: String,
    pub chunk_days: u32,
    pub max_concurrency: usize,
    /// One total over all `user_ids` per bucket instead of one row per user: the query has
    /// no `groupBy`, which the API documents as aggregating "across the entire result set as
    /// if it were one group" (`group_by`, "Partitions resulting aggregate computations into
    /// distinct named subgroups rather than across the entire result set as if it were one
    /// group. [optional]", platform-client-sdk-python build/docs/UserAggregationQuery.md).
    /// For a queue's on-queue time that is all the staffing stage needs, at one group's
    /// response size instead of one per member.
    pub summed: bool,
}

/// One user's routing-status times in one bucket (buckets Genesys omitted are absent); with
/// [`UserStatusQuery::summed`], every user's together, with an empty `user_id`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UserStatusBucket {
    pub user_id: String,
    pub start: DateTime<Utc>,
    /// Milliseconds per routing status (`qualifier` of `tAgentRoutingStatus`).
    pub routing_ms: BTreeMap<String, f64>,
}

impl UserStatusBucket {
    /// Time on queue: every routing status but `OFF_QUEUE` (an agent who is idle, interacting,
    /// communicating or not responding is on queue).
    pub fn on_queue_ms(&self) -> f64 {
        self.routing_ms
            .iter()
            .filter(|(status, _)| status.as_str() != "OFF_QUEUE")
            .map(|(_, ms)| ms)
            .sum()
    }
}

impl GenesysClient {
    /// `tAgentRoutingStatus` per user and bucket, every (user group × chunk) query at most
    /// `max_concurrency` at once; sorted by user, then bucket.
    pub async fn fetch_user_status(
        &self,
        q: &UserStatusQuery,
    ) -> Result<Vec<UserStatusBucket>, GenesysError> {
        if q.granularity.minutes() < MIN_GRANULARITY_MINUTES {
            return Err(GenesysError::InvalidRequest(format!(
                "user aggregates are queried at {MIN_GRANULARITY_MINUTES} minutes or coarser, \
                 not {}",
                q.granularity.as_iso()
            )));
        }
        if q.user_ids.is_empty() {
            return Ok(Vec::new());
        }
        // The conversation aggregates' chunking: `chunk_days` local days per query.
        let chunks = AggregateQuery {
            chunk_days: q.chunk_days,
            ..AggregateQuery::new("", q.start, q.end, q.granularity, q.time_zone.clone())
        }
        .chunks()?;
        // Jobs as indices: stream items that borrow (`&[String]`) make the future not `Send`
        // (a higher-ranked lifetime rustc cannot prove), and the dashboard spawns it.
        let groups: Vec<&[String]> = q.user_ids.chunks(MAX_USERS_PER_QUERY).collect();
        let jobs: Vec<(usize, DateTime<Utc>, DateTime<Utc>)> = (0..groups.len())
            .flat_map(|g| chunks.iter().map(move |&(s, e)| (g, s, e)))
            .collect();
        let groups = &groups;
        let mut stream = futures::stream::iter(jobs)
            .map(|(g, s, e)| self.query_users(q, groups[g], s, e))
            .buffer_unordered(q.max_concurrency.max(1));
        let mut merged: BTreeMap<(String, DateTime<Utc>), UserStatusBucket> = BTreeMap::new();
        while let Some(result) = stream.next().await {
            for b in result? {
                let acc = merged
                    .entry((b.user_id.clone(), b.start))
                    .or_insert_with(|| UserStatusBucket {
                        user_id: b.user_id.clone(),
                        start: b.start,
                        routing_ms: BTreeMap::new(),
                    });
                for (status, ms) in b.routing_ms {
                    *acc.routing_ms.entry(status).or_insert(0.0) += ms;
                }
            }
        }
        Ok(merged.into_values().collect())
    }

    async fn query_users(
        &self,
        q: &UserStatusQuery,
        users: &[String],
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<UserStatusBucket>, GenesysError> {
        let body = QueryBody {
            interval: format!("{}/{}", iso_instant(start), iso_instant(end)),
            granularity: q.granularity.as_iso(),
            time_zone: &q.time_zone,
            group_by: if q.summed { &[] } else { &["userId"] },
            filter: Filter {
                kind: "and",
                clauses: [Clause {
                    kind: "or",
                    predicates: users
                        .iter()
                        .map(|id| Predicate {
                            kind: "dimension",
                            dimension: "userId",
                            operator: "matches",
                            value: id,
                        })
                        .collect(),
                }],
            },
            metrics: ["tAgentRoutingStatus"],
        };
        let call = self
            .call(Method::POST, "/api/v2/analytics/users/aggregates/query")
            .json(&body)?;
        let resp: Response = self.execute(&call).await?.decode(&call)?;
        Ok(buckets_from_response(resp, q.summed))
    }
}

/// The response's rows: per user, or with `summed` the one group without a `userId`.
fn buckets_from_response(resp: Response, summed: bool) -> Vec<UserStatusBucket> {
    let mut out = Vec::new();
    for group in resp.results.unwrap_or_default() {
        let user_id = group.group.and_then(|g| g.get("userId").cloned());
        let user_id = match (user_id, summed) {
            (Some(id), false) => id,
            (None, true) => String::new(),
            _ => continue,
        };
        for point in group.data.unwrap_or_default() {
            let mut b = UserStatusBucket {
                user_id: user_id.clone(),
                start: point.interval,
                routing_ms: BTreeMap::new(),
            };
            for m in point.metrics.unwrap_or_default() {
                if m.metric != "tAgentRoutingStatus" {
                    continue;
                }
                let (Some(status), Some(sum)) = (m.qualifier, m.stats.and_then(|s| s.sum)) else {
                    continue;
                };
                *b.routing_ms.entry(status).or_insert(0.0) += sum;
            }
            if !b.routing_ms.is_empty() {
                out.push(b);
            }
        }
    }
    out
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct QueryBody<'a> {
    interval: String,
    granularity: &'static str,
    time_zone: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    group_by: &'static [&'static str],
    filter: Filter<'a>,
    metrics: [&'static str; 1],
}

#[derive(Serialize)]
struct Filter<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    clauses: [Clause<'a>; 1],
}

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

/// `UserAggregateQueryResponse`; every level may be missing when there is no data.
#[derive(Deserialize)]
struct Response {
    #[serde(default)]
    results: Option<Vec<DataContainer>>,
}

#[derive(Deserialize)]
struct DataContainer {
    #[serde(default)]
    group: Option<BTreeMap<String, String>>,
    #[serde(default)]
    data: Option<Vec<StatisticalResponse>>,
}

#[derive(Deserialize)]
struct StatisticalResponse {
    #[serde(deserialize_with = "super::aggregates::interval_start")]
    interval: DateTime<Utc>,
    #[serde(default)]
    metrics: Option<Vec<MetricData>>,
}

#[derive(Deserialize)]
struct MetricData {
    metric: String,
    #[serde(default)]
    qualifier: Option<String>,
    #[serde(default)]
    stats: Option<Stats>,
}

#[derive(Deserialize)]
struct Stats {
    #[serde(default)]
    sum: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qualifiers_become_statuses_and_off_queue_is_not_on_queue() {
        let resp: Response = serde_json::from_str(
            r#"{"results":[{"group":{"userId":"u1"},"data":[{"interval":"2026-11-18T19:00:00.000Z/2026-11-18T19:30:00.000Z",
            "metrics":[{"metric":"tAgentRoutingStatus","qualifier":"IDLE","stats":{"sum":600000.0}},
                       {"metric":"tAgentRoutingStatus","qualifier":"INTERACTING","stats":{"sum":900000.0}},
                       {"metric":"tAgentRoutingStatus","qualifier":"OFF_QUEUE","stats":{"sum":300000.0}},
                       {"metric":"tSystemPresence","qualifier":"ON_QUEUE","stats":{"sum":1500000.0}}]}]},
            {"data":[{"interval":"2026-11-18T19:00:00.000Z/2026-11-18T19:30:00.000Z","metrics":[]}]}]}"#,
        )
        .unwrap();
        let b = buckets_from_response(resp, false);
        assert_eq!(b.len(), 1, "a result without a userId group is skipped");
        assert_eq!(b[0].user_id, "u1");
        assert_eq!(b[0].routing_ms.len(), 3);
        assert_eq!(b[0].on_queue_ms(), 1_500_000.0);
        let empty: Response = serde_json::from_str("{}").unwrap();
        assert!(buckets_from_response(empty, false).is_empty());
    }

    /// Without `groupBy` the one result has no group: it is every user's total, and a
    /// result that names a user (not asked for) is not mistaken for it.
    #[test]
    fn a_summed_query_reads_the_result_without_a_group() {
        let resp: Response = serde_json::from_str(
            r#"{"results":[{"data":[{"interval":"2026-11-18T19:00:00.000Z/2026-11-18T19:30:00.000Z",
            "metrics":[{"metric":"tAgentRoutingStatus","qualifier":"IDLE","stats":{"sum":600000.0}},
                       {"metric":"tAgentRoutingStatus","qualifier":"OFF_QUEUE","stats":{"sum":300000.0}}]}]},
            {"group":{"userId":"u1"},"data":[{"interval":"2026-11-18T19:00:00.000Z/2026-11-18T19:30:00.000Z",
            "metrics":[{"metric":"tAgentRoutingStatus","qualifier":"IDLE","stats":{"sum":1.0}}]}]}]}"#,
        )
        .unwrap();
        let b = buckets_from_response(resp, true);
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].user_id, "");
        assert_eq!(b[0].on_queue_ms(), 600_000.0);
        let body = QueryBody {
            interval: "a/b".into(),
            granularity: "PT30M",
            time_zone: "UTC",
            group_by: &[],
            filter: Filter {
                kind: "and",
                clauses: [Clause {
                    kind: "or",
                    predicates: vec![],
                }],
            },
            metrics: ["tAgentRoutingStatus"],
        };
        let v = serde_json::to_value(&body).unwrap();
        assert!(v.get("groupBy").is_none(), "{v}");
    }

    #[test]
    fn the_body_names_every_user_in_one_or_clause() {
        let body = QueryBody {
            interval: "a/b".into(),
            granularity: "PT30M",
            time_zone: "UTC",
            group_by: &["userId"],
            filter: Filter {
                kind: "and",
                clauses: [Clause {
                    kind: "or",
                    predicates: ["u1", "u2"]
                        .iter()
                        .map(|v| Predicate {
                            kind: "dimension",
                            dimension: "userId",
                            operator: "matches",
                            value: v,
                        })
                        .collect(),
                }],
            },
            metrics: ["tAgentRoutingStatus"],
        };
        let v = serde_json::to_value(&body).unwrap();
        assert_eq!(v["filter"]["clauses"][0]["predicates"][1]["value"], "u2");
        assert_eq!(v["groupBy"], serde_json::json!(["userId"]));
        assert_eq!(v["timeZone"], "UTC");
    }
}
