//! `queuecast doctor`: against the configured org, one cheap read per API the product uses
//! (the table in `genesys/permissions.rs`), each answered with OK or the permission the role
//! lacks. Writes are never sent: they are listed with the permission they need.

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use serde_json::{Value, json};

use crate::genesys::{GenesysClient, GenesysError, OPERATIONS, Operation, Probe, iso_instant};

/// How one operation fared.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    Ok,
    /// A 403: the role needs one of the operation's permissions.
    Missing,
    /// Any other failure, as one line.
    Failed(String),
    /// Not tried, and why (no queue to try a per-queue call with).
    Skipped(String),
    /// A write: never sent.
    Write,
}

/// One row of the report.
#[derive(Debug, Clone)]
pub struct Check {
    pub op: &'static Operation,
    pub status: Status,
}

/// The whole report: the org's name and a row per operation, in table order.
#[derive(Debug, Clone)]
pub struct Report {
    pub org: String,
    pub checks: Vec<Check>,
}

impl Report {
    /// Whether every read that was tried passed and none was skipped.
    pub fn all_ok(&self) -> bool {
        self.checks
            .iter()
            .all(|c| matches!(c.status, Status::Ok | Status::Write))
    }
}

/// What earlier probes found that later ones need.
#[derive(Default)]
struct Found {
    queue_id: Option<String>,
    user_id: Option<String>,
}

/// Signs in (`organizations/me`; its failure is the error) and probes every operation.
pub async fn run(client: &GenesysClient, now: DateTime<Utc>) -> Result<Report, GenesysError> {
    let org = client.organization_me().await?;
    let mut checks: Vec<Check> = Vec::with_capacity(OPERATIONS.len());
    let mut found = Found::default();
    for op in OPERATIONS {
        let status = match op.probe {
            Probe::Write => Status::Write,
            Probe::Covered => covered_status(op, &checks),
            _ if op.path == "/api/v2/organizations/me" => Status::Ok,
            _ => probe(client, op, &mut found, now).await,
        };
        checks.push(Check { op, status });
    }
    Ok(Report {
        org: org.name,
        checks,
    })
}

/// The status of the probed row with the same permissions (e.g. `GET …/queues/{queueId}`
/// is covered by the queue listing).
fn covered_status(op: &Operation, done: &[Check]) -> Status {
    done.iter()
        .find(|c| {
            c.op.permissions == op.permissions
                && !matches!(c.op.probe, Probe::Covered | Probe::Write)
        })
        .map_or_else(
            || Status::Skipped("no probe of the same permission".into()),
            |c| c.status.clone(),
        )
}

async fn probe(
    client: &GenesysClient,
    op: &'static Operation,
    found: &mut Found,
    now: DateTime<Utc>,
) -> Status {
    let queue_id = match op.probe {
        Probe::GetForQueue => match &found.queue_id {
            Some(id) => Some(id.clone()),
            None => return Status::Skipped("no queue visible to try it on".into()),
        },
        _ => None,
    };
    let body = (op.probe == Probe::Query).then(|| query_body(op, found, now));
    match client.probe(op, queue_id.as_deref(), body.as_ref()).await {
        Ok(v) => {
            remember(op, &v, found);
            Status::Ok
        }
        Err(e) if e.status() == Some(403) => Status::Missing,
        Err(e) => Status::Failed(crate::text::clean(&e.to_string()).into_owned()),
    }
}

/// The first queue's id (from the queue listing) and the first member's user id.
fn remember(op: &Operation, v: &Value, found: &mut Found) {
    let first_id = || v["entities"][0]["id"].as_str().map(str::to_string);
    match op.path {
        "/api/v2/routing/queues" => found.queue_id = first_id(),
        "/api/v2/routing/queues/{queueId}/members" => found.user_id = first_id(),
        _ => {}
    }
}

/// A query over the last whole hour, narrowed to the queue or user found earlier so the org
/// does as little work as possible.
fn query_body(op: &Operation, found: &Found, now: DateTime<Utc>) -> Value {
    let end = now
        .duration_trunc(TimeDelta::hours(1))
        .unwrap_or(now - TimeDelta::hours(1));
    let interval = format!(
        "{}/{}",
        iso_instant(end - TimeDelta::hours(1)),
        iso_instant(end)
    );
    let narrowed = |dimension: &str, id: &Option<String>| {
        id.as_ref()
            .map(|id| json!({"type": "or", "predicates": [{"dimension": dimension, "value": id}]}))
    };
    let (metric, filter) = if op.path.contains("/users/") {
        ("tAgentRoutingStatus", narrowed("userId", &found.user_id))
    } else {
        ("nOffered", narrowed("queueId", &found.queue_id))
    };
    let mut body = json!({"interval": interval, "metrics": [metric]});
    if let Some(f) = filter {
        body["filter"] = f;
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn query_bodies_cover_the_last_whole_hour_and_name_what_was_found() {
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 10, 40, 0).unwrap();
        let conv = OPERATIONS
            .iter()
            .find(|o| o.path.contains("conversations/aggregates"))
            .unwrap();
        let found = Found {
            queue_id: Some("q1".into()),
            user_id: None,
        };
        let b = query_body(conv, &found, now);
        assert_eq!(
            b["interval"],
            "2026-12-01T09:00:00.000Z/2026-12-01T10:00:00.000Z"
        );
        assert_eq!(b["metrics"], json!(["nOffered"]));
        assert_eq!(b["filter"]["predicates"][0]["value"], "q1");
        let users = OPERATIONS
            .iter()
            .find(|o| o.path.contains("users/aggregates"))
            .unwrap();
        let b = query_body(users, &found, now);
        assert_eq!(b["metrics"], json!(["tAgentRoutingStatus"]));
        assert!(b.get("filter").is_none(), "{b}");
    }

    #[test]
    fn every_read_is_probed_or_covered_by_a_probe_of_the_same_permissions() {
        for op in OPERATIONS {
            if op.probe == Probe::Covered {
                let by = OPERATIONS.iter().find(|o| {
                    o.permissions == op.permissions
                        && !matches!(o.probe, Probe::Covered | Probe::Write)
                });
                assert!(by.is_some(), "{} is covered by nothing", op.call_text());
            }
            if op.method != "GET" && op.probe != Probe::Write {
                assert_eq!(op.probe, Probe::Query, "{}", op.call_text());
            }
        }
    }

    /// The sandbox (the test oracle) keeps its own table in raw strings; it must ask for the
    /// same permissions as the client's table says, or the doctor's tests prove nothing.
    #[test]
    fn the_sandbox_asks_for_the_permissions_the_table_names() {
        use axum::http::Method;
        for op in OPERATIONS {
            let path = op
                .path
                .replace("{queueId}", "q1")
                .replace("{campaignId}", "c1");
            let method = Method::from_bytes(op.method.as_bytes()).unwrap();
            assert_eq!(
                crate::sandbox::permissions::required(&method, &path),
                op.permissions,
                "{}",
                op.call_text()
            );
        }
    }
}
