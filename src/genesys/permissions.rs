//! Every Platform API operation this client calls, what queuecast uses it for, and the
//! permission a role needs for it: the one table behind `queuecast doctor` and the README's
//! permission list (a test keeps the README equal to [`permissions_markdown`]).
//!
//! Permissions as the official Python SDK documents them under "Requires ANY permissions"
//! (MyPureCloud/platform-client-sdk-python 257.1.0 `build/docs/{RoutingApi,AnalyticsApi,
//! OutboundApi,ScriptsApi,TelephonyProvidersEdgeApi,OrganizationApi}.md`); any one of an
//! operation's permissions suffices. `GET /api/v2/organizations/me` and the sites listing
//! document none.

use reqwest::Method;
use serde_json::Value;

use super::client::GenesysClient;
use super::error::GenesysError;
use super::transport::seg;

/// How `queuecast doctor` tries an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Probe {
    /// A GET with `pageSize=1` where the operation pages, or as is.
    Get,
    /// A GET on the first queue's id (`{queueId}` in the path).
    GetForQueue,
    /// A POST of a one-hour query built by the doctor.
    Query,
    /// Covered by the probe of another row with the same permissions (same path family).
    Covered,
    /// A write: never sent by the doctor ("nothing is sent that the analyst did not confirm").
    Write,
}

/// One operation of the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// What queuecast uses it for, as the README's first column says it.
    pub used_for: &'static str,
    pub method: &'static str,
    /// The path as the official docs write it.
    pub path: &'static str,
    /// Any one of these suffices; empty = none documented.
    pub permissions: &'static [&'static str],
    /// Whether the call pages (`pageSize`, `pageNumber`).
    pub paged: bool,
    pub probe: Probe,
}

const fn op(
    used_for: &'static str,
    method: &'static str,
    path: &'static str,
    permissions: &'static [&'static str],
    paged: bool,
    probe: Probe,
) -> Operation {
    Operation {
        used_for,
        method,
        path,
        permissions,
        paged,
        probe,
    }
}

const SCHEDULE_VIEW: &[&str] = &["outbound:schedule:view", "outbound:campaign:viewSchedule"];

/// The operations, in the order the product uses them.
pub const OPERATIONS: &[Operation] = &[
    op(
        "sign-in check",
        "GET",
        "/api/v2/organizations/me",
        &[],
        false,
        Probe::Get,
    ),
    op(
        "queues",
        "GET",
        "/api/v2/routing/queues",
        &["routing:queue:view"],
        true,
        Probe::Get,
    ),
    op(
        "queue by id",
        "GET",
        "/api/v2/routing/queues/{queueId}",
        &["routing:queue:view"],
        false,
        Probe::Covered,
    ),
    op(
        "history",
        "POST",
        "/api/v2/analytics/conversations/aggregates/query",
        &["analytics:conversationAggregate:view"],
        false,
        Probe::Query,
    ),
    op(
        "history start",
        "GET",
        "/api/v2/analytics/dataretention/settings",
        &["analytics:dataRetention:view"],
        false,
        Probe::Get,
    ),
    op(
        "staffing (queue members)",
        "GET",
        "/api/v2/routing/queues/{queueId}/members",
        &[
            "routing:queue:view",
            "routing:queue:edit",
            "routing:queue:readonly",
            "routing:queueMember:manage",
        ],
        true,
        Probe::GetForQueue,
    ),
    op(
        "staffing (agents on queue)",
        "POST",
        "/api/v2/analytics/users/aggregates/query",
        &["analytics:userAggregate:view"],
        false,
        Probe::Query,
    ),
    op(
        "campaign form",
        "GET",
        "/api/v2/outbound/contactlists",
        &["outbound:contactList:view"],
        true,
        Probe::Get,
    ),
    op(
        "campaign form",
        "GET",
        "/api/v2/scripts/published",
        &["scripter:publishedScript:view"],
        true,
        Probe::Get,
    ),
    op(
        "campaign form (dialing modes)",
        "GET",
        "/api/v2/outbound/callanalysisresponsesets",
        &["outbound:responseSet:view"],
        true,
        Probe::Get,
    ),
    op(
        "campaign form (dialing modes)",
        "GET",
        "/api/v2/telephony/providers/edges/sites",
        &[],
        true,
        Probe::Get,
    ),
    op(
        "submit (create-once lookup)",
        "GET",
        "/api/v2/outbound/campaigns",
        &["outbound:campaign:view"],
        true,
        Probe::Get,
    ),
    op(
        "submit (campaign state)",
        "GET",
        "/api/v2/outbound/campaigns/{campaignId}",
        &["outbound:campaign:view"],
        false,
        Probe::Covered,
    ),
    op(
        "submit",
        "POST",
        "/api/v2/outbound/campaigns",
        &["outbound:campaign:add"],
        false,
        Probe::Write,
    ),
    op(
        "submit (schedule view; the doctor's probe)",
        "GET",
        "/api/v2/outbound/schedules/campaigns",
        SCHEDULE_VIEW,
        false,
        Probe::Get,
    ),
    op(
        "submit (schedule version)",
        "GET",
        "/api/v2/outbound/schedules/campaigns/{campaignId}",
        SCHEDULE_VIEW,
        false,
        Probe::Covered,
    ),
    op(
        "submit (schedule)",
        "PUT",
        "/api/v2/outbound/schedules/campaigns/{campaignId}",
        &["outbound:schedule:edit", "outbound:campaign:editSchedule"],
        false,
        Probe::Write,
    ),
];

impl Operation {
    /// `GET /api/v2/routing/queues`.
    pub fn call_text(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// "`a` or `b`", or "none" when the docs name no permission.
    pub fn permissions_text(&self) -> String {
        if self.permissions.is_empty() {
            return "none".into();
        }
        let quoted: Vec<String> = self.permissions.iter().map(|p| format!("`{p}`")).collect();
        quoted.join(" or ")
    }
}

/// The README's permission table, one row per operation.
pub fn permissions_markdown() -> String {
    let mut out = String::from("| for | permission (any one) | call |\n|---|---|---|\n");
    for o in OPERATIONS {
        out.push_str(&format!(
            "| {} | {} | `{}` |\n",
            o.used_for,
            o.permissions_text(),
            o.call_text()
        ));
    }
    out
}

impl GenesysClient {
    /// One cheap request for `queuecast doctor`: `op` with `queue_id` in its path (when it has
    /// one), `pageSize=1` when it pages, and `body` for a POST. Refuses a [`Probe::Write`].
    pub async fn probe(
        &self,
        op: &Operation,
        queue_id: Option<&str>,
        body: Option<&Value>,
    ) -> Result<Value, GenesysError> {
        if op.probe == Probe::Write {
            return Err(GenesysError::InvalidRequest(format!(
                "{} is a write; the doctor never sends one",
                op.call_text()
            )));
        }
        let path = match queue_id {
            Some(id) => op.path.replace("{queueId}", &seg(id)),
            None => op.path.to_string(),
        };
        let method = if op.method == "POST" {
            Method::POST
        } else {
            Method::GET
        };
        let mut call = self.call(method, path);
        if op.paged {
            call = call.query("pageSize", "1");
        }
        if let Some(b) = body {
            call = call.json(b)?;
        }
        self.get(call).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README's list is the table: regenerate it from `permissions_markdown()` when this
    /// fails.
    #[test]
    fn the_readme_lists_exactly_the_table() {
        let readme = include_str!("../../README.md");
        let start = readme
            .find("<!-- permissions: generated")
            .expect("README has the permissions marker");
        let body = &readme[start..];
        let body = &body[body.find('\n').unwrap() + 1..];
        let end = body.find("<!-- permissions: end -->").unwrap();
        assert_eq!(
            &body[..end],
            permissions_markdown(),
            "README's permission table differs from src/genesys/permissions.rs"
        );
    }

    #[test]
    fn each_operation_is_listed_once_and_writes_are_never_probed() {
        for (i, a) in OPERATIONS.iter().enumerate() {
            assert!(
                OPERATIONS[i + 1..]
                    .iter()
                    .all(|b| (a.method, a.path) != (b.method, b.path)),
                "{} twice",
                a.call_text()
            );
            if matches!(a.method, "PUT" | "DELETE" | "PATCH")
                || a.path == "/api/v2/outbound/campaigns" && a.method == "POST"
            {
                assert_eq!(a.probe, Probe::Write, "{}", a.call_text());
            }
        }
        assert!(permissions_markdown().contains(
            "| history | `analytics:conversationAggregate:view` | `POST /api/v2/analytics/conversations/aggregates/query` |"
        ));
    }
}
