//! `GET /api/v2/routing/queues/{queueId}/members`: the contact centre's rosters as queue
//! members.
//!
//! Per the official docs (platform-client-sdk-python `build/docs/RoutingApi.md`,
//! `get_routing_queue_members`; `QueueMemberEntityListing.md`, `QueueMember.md`, `User.md`,
//! `RoutingStatus.md`): `pageSize` (max 100, default 25), `pageNumber` (default 1),
//! `sortOrder` `asc`|`desc` ("results are sorted by name"), `name` (contains-style), `memberBy`
//! `user`|`group`, `joined` `true`|`false`, `routingStatus` (repeatable), `expand` (repeatable;
//! `routingStatus` fills each member's `routingStatus`). The listing has no `total` or
//! `pageCount`: a client pages by `nextUri`. Each member is a user (`memberBy: "user"`, joined)
//! whose `user` carries `id`, `name`, `email`, `state`, `username`, `version` (required by
//! `User`) and `selfUri`. Queues of the bundled public series exist but have no simulated
//! agents, so their listing is empty; an unknown queue is a 404.
//!
//! Filters the sandbox does not simulate (`profileSkills`, `skills`, `languages`, `presence`)
//! are refused with a 400 rather than silently ignored.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State as AxState};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::State;
use super::contact_centre::{Agent, ContactCentre, RoutingStatus};
use super::validate::listing;
use super::wire::{ApiError, ApiResult, Params, encode_component, ok, timestamp};

/// The documented maximum `pageSize`.
const MAX_PAGE_SIZE: u64 = 100;

/// The `expand` values `get_routing_queue_members` documents.
const EXPANDS: &[&str] = &[
    "routingStatus",
    "presence",
    "integrationPresence",
    "conversationSummary",
    "outOfOffice",
    "geolocation",
    "station",
    "authorization",
    "lasttokenissued",
    "authorization.unusedRoles",
    "team",
    "workPlanBidRanks",
    "externalContactsSettings",
    "groups",
    "customAttributes",
    "profileSkills",
    "certifications",
    "locations",
    "skills",
    "languages",
    "languagePreference",
    "employerInfo",
    "biography",
    "dateLastLogin",
    "dateWelcomeSent",
];

/// The route handler.
pub(crate) async fn queue_members(
    st: AxState<Arc<State>>,
    Path(id): Path<String>,
    q: RawQuery,
) -> ApiResult {
    let state = st.0;
    let known = state.queues.iter().any(|q| q.id == id);
    ok(list(
        state.centre.as_deref(),
        &id,
        known,
        &Params::parse(q.0.as_deref()),
    )?)
}

/// Checked query parameters of the members listing.
#[derive(Debug)]
struct MembersQuery {
    page: listing::Page,
    descending: bool,
    name: Option<String>,
    /// `Some(false)` asks for unjoined members (the sandbox has none).
    joined: Option<bool>,
    /// `Some("group")` asks for group members (the sandbox has none).
    member_by: Option<String>,
    routing_status: Vec<String>,
    expand_routing_status: bool,
}

fn members_query(p: &Params) -> Result<MembersQuery, ApiError> {
    let page = listing::page(p, MAX_PAGE_SIZE)?;
    let descending = listing::routing_descending(p)?;
    let invalid = |field: &str, message: String| {
        ApiError::invalid_field("invalid.value", "INVALID_VALUE", field, message)
    };
    for unsimulated in ["profileSkills", "skills", "languages", "presence"] {
        if p.get(unsimulated).is_some() {
            return Err(invalid(
                unsimulated,
                format!("{unsimulated} filters are not simulated by the sandbox"),
            ));
        }
    }
    let joined = match p.get("joined") {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(v) => {
            return Err(invalid(
                "joined",
                format!("joined={v:?} must be true or false"),
            ));
        }
    };
    let member_by = match p.get("memberBy") {
        None => None,
        Some(v @ ("user" | "group")) => Some(v.to_string()),
        Some(v) => {
            return Err(invalid(
                "memberBy",
                format!("memberBy={v:?} must be user or group"),
            ));
        }
    };
    let mut routing_status = Vec::new();
    for v in p.all("routingStatus") {
        if !RoutingStatus::ALL.iter().any(|s| s.as_str() == v) {
            return Err(invalid(
                "routingStatus",
                format!(
                    "routingStatus={v:?} is not one of OFF_QUEUE, IDLE, INTERACTING, \
                     NOT_RESPONDING, COMMUNICATING"
                ),
            ));
        }
        routing_status.push(v.to_string());
    }
    let mut expand_routing_status = false;
    for v in p.all("expand") {
        if !EXPANDS.contains(&v) {
            return Err(invalid(
                "expand",
                format!("expand={v:?} is not a documented expansion (e.g. routingStatus)"),
            ));
        }
        expand_routing_status |= v == "routingStatus";
    }
    Ok(MembersQuery {
        page,
        descending,
        name: p.get("name").map(str::to_lowercase),
        joined,
        member_by,
        routing_status,
        expand_routing_status,
    })
}

/// One page of a queue's members. `known` says the queue exists in the org even when the
/// centre has no agents for it (a bundled series).
pub(crate) fn list(
    centre: Option<&ContactCentre>,
    queue_id: &str,
    known: bool,
    p: &Params,
) -> Result<Value, ApiError> {
    let query = members_query(p)?;
    let Some(centre) = centre else {
        // No simulated centre (`--queues 0`): the replayed queues have no agents.
        return match known {
            true => Ok(page_json(&[], queue_id, &query, p)),
            false => Err(ApiError::not_found(format!(
                "queue {queue_id} was not found"
            ))),
        };
    };
    let agents: &[Agent] = match centre.queue_index(queue_id) {
        Some(i) if centre.queues()[i].id == queue_id => centre.agents(i).unwrap_or_default(),
        _ if known => &[],
        _ => {
            return Err(ApiError::not_found(format!(
                "queue {queue_id} was not found"
            )));
        }
    };
    let now = centre.horizon();
    let statuses = statuses_at(centre, agents, now);
    let mut members: Vec<(&Agent, &'static str)> = agents
        .iter()
        .zip(statuses)
        .filter(|_| query.joined != Some(false) && query.member_by.as_deref() != Some("group"))
        .filter(|(a, _)| {
            query
                .name
                .as_ref()
                .is_none_or(|n| a.name.to_lowercase().contains(n))
        })
        .filter(|(_, s)| {
            query.routing_status.is_empty() || query.routing_status.iter().any(|r| r == s)
        })
        .collect();
    members.sort_by_key(|(a, _)| a.name.to_lowercase());
    if query.descending {
        members.reverse();
    }
    let entities: Vec<Value> = members
        .iter()
        .map(|(a, s)| member_json(a, s, now, query.expand_routing_status))
        .collect();
    Ok(page_json(&entities, queue_id, &query, p))
}

/// Each agent's routing status in the last complete quarter hour before `now`, in roster
/// order: one simulation of the queue's quarter hour for all its agents (`agents` are one
/// queue's, as `ContactCentre::agents` gives them).
fn statuses_at(centre: &ContactCentre, agents: &[Agent], now: DateTime<Utc>) -> Vec<&'static str> {
    let slot = chrono::Duration::minutes(15);
    let Some(queue) = agents.first().map(|a| a.queue) else {
        return Vec::new();
    };
    let table = centre
        .members_status(queue, now - slot, now, slot)
        .unwrap_or_default();
    (0..agents.len())
        .map(|i| {
            table
                .get(i)
                .and_then(|b| b.first())
                .and_then(|b| RoutingStatus::ALL.into_iter().max_by_key(|s| b.routing(*s)))
                .map_or("OFF_QUEUE", RoutingStatus::as_str)
        })
        .collect()
}

fn member_json(a: &Agent, status: &str, now: DateTime<Utc>, expand: bool) -> Value {
    let username = a.email.clone();
    let mut v = json!({
        "id": a.id,
        "name": a.name,
        "user": {
            "id": a.id,
            "name": a.name,
            "email": a.email,
            "state": "active",
            "username": username,
            "version": 1,
            "selfUri": format!("/api/v2/users/{}", a.id),
        },
        "ringNumber": 1,
        "joined": true,
        "memberBy": "user",
        "selfUri": format!("/api/v2/users/{}", a.id),
    });
    if expand {
        v["routingStatus"] = json!({"userId": a.id, "status": status, "startTime": timestamp(now)});
    }
    v
}

/// A `QueueMemberEntityListing` page: no `total`, `pageCount` or `lastUri` (the model has none).
fn page_json(entities: &[Value], queue_id: &str, q: &MembersQuery, p: &Params) -> Value {
    let (size, number) = (q.page.size, q.page.number);
    let from = ((number - 1) * size).min(entities.len() as u64) as usize;
    let to = (from as u64 + size).min(entities.len() as u64) as usize;
    let keep: Vec<(String, String)> =
        p.0.iter()
            .filter(|(k, _)| !matches!(k.as_str(), "pageSize" | "pageNumber"))
            .cloned()
            .collect();
    let uri = |n: u64| {
        let mut s = format!(
            "/api/v2/routing/queues/{}/members?pageSize={size}&pageNumber={n}",
            encode_component(queue_id)
        );
        for (k, v) in &keep {
            s.push_str(&format!("&{}={}", encode_component(k), encode_component(v)));
        }
        s
    };
    let mut v = json!({
        "entities": entities[from..to],
        "pageSize": size,
        "pageNumber": number,
        "firstUri": uri(1),
        "selfUri": uri(number),
    });
    if (to as u64) < entities.len() as u64 {
        v["nextUri"] = json!(uri(number + 1));
    }
    if number > 1 {
        v["previousUri"] = json!(uri(number - 1));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    use crate::sandbox::contact_centre::{DEFAULT_SEED, DESIGN_QUEUE};

    fn centre() -> ContactCentre {
        // Wednesday 15:30 New York: Billing Voice is open and staffed.
        let now = Utc.with_ymd_and_hms(2026, 11, 18, 20, 30, 0).unwrap();
        ContactCentre::new(DEFAULT_SEED, 24, chrono_tz::America::New_York, now).unwrap()
    }

    fn params(q: &str) -> Params {
        Params::parse(Some(q))
    }

    fn billing(c: &ContactCentre) -> String {
        c.queues()[c.queue_index(DESIGN_QUEUE).unwrap()].id.clone()
    }

    #[test]
    fn pages_follow_next_uri_through_every_agent_sorted_by_name() {
        let c = centre();
        let id = billing(&c);
        let roster = c.agents(c.queue_index(&id).unwrap()).unwrap();
        let mut seen = Vec::new();
        let mut query = "pageSize=10".to_string();
        loop {
            let v = list(Some(&c), &id, true, &params(&query)).unwrap();
            assert!(v.get("total").is_none() && v.get("pageCount").is_none());
            for m in v["entities"].as_array().unwrap() {
                assert_eq!(m["id"], m["user"]["id"]);
                assert_eq!(
                    (m["joined"].as_bool(), m["memberBy"].as_str()),
                    (Some(true), Some("user"))
                );
                assert!(
                    m.get("routingStatus").is_none(),
                    "only with expand=routingStatus"
                );
                seen.push(m["name"].as_str().unwrap().to_string());
            }
            match v.get("nextUri").and_then(Value::as_str) {
                Some(next) => query = next.split_once('?').unwrap().1.to_string(),
                None => break,
            }
        }
        assert_eq!(seen.len(), roster.len());
        let mut sorted = seen.clone();
        sorted.sort_by_key(|n| n.to_lowercase());
        assert_eq!(seen, sorted);
    }

    #[test]
    fn filters_and_expansion() {
        let c = centre();
        let id = billing(&c);
        let v = list(
            Some(&c),
            &id,
            true,
            &params(
                "pageSize=100&expand=routingStatus&routingStatus=IDLE&routingStatus=INTERACTING",
            ),
        )
        .unwrap();
        let on_queue = v["entities"].as_array().unwrap();
        // 15:15-15:30 on a Wednesday: the designed 15 agents are on queue.
        assert_eq!(on_queue.len(), 15);
        assert!(on_queue.iter().all(|m| {
            let s = m["routingStatus"]["status"].as_str().unwrap();
            s == "IDLE" || s == "INTERACTING"
        }));
        let none = list(Some(&c), &id, true, &params("joined=false")).unwrap();
        assert!(none["entities"].as_array().unwrap().is_empty());
        let name = c.agents(c.queue_index(&id).unwrap()).unwrap()[0]
            .name
            .clone();
        let part = &name[1..4];
        let found = list(
            Some(&c),
            &id,
            true,
            &params(&format!("name={}", encode_component(part))),
        )
        .unwrap();
        assert!(
            found["entities"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["name"] == name.as_str())
        );
    }

    #[test]
    fn unknown_queues_and_bad_parameters_are_refused() {
        let c = centre();
        let e = list(Some(&c), "no-such-queue", false, &params("")).unwrap_err();
        assert_eq!(e.status, axum::http::StatusCode::NOT_FOUND);
        let empty = list(Some(&c), "a-bundled-series", true, &params("")).unwrap();
        assert_eq!(empty["entities"], json!([]));
        let id = billing(&c);
        for (q, field) in [
            ("pageSize=101", "pageSize"),
            ("sortOrder=up", "sortOrder"),
            ("joined=yes", "joined"),
            ("memberBy=team", "memberBy"),
            ("routingStatus=BUSY", "routingStatus"),
            ("expand=everything", "expand"),
            ("skills=billing", "skills"),
        ] {
            let e = list(Some(&c), &id, true, &params(q)).unwrap_err();
            assert_eq!(e.details[0].1, field, "{q}: {}", e.message);
        }
    }
}
