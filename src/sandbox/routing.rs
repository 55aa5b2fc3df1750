//! Routing resources: the queues listing (Genesys' `name` wildcard, `id` filter, sort, paging)
//! and the queue entity.

use serde_json::{Value, json};

use super::State;
use super::data::{QueueData, Source};
use super::validate::listing;
use super::wire::{self, ApiError, Params, keep_params, sort_by_name, timestamp, wildcard_match};

pub(crate) fn list_queues(state: &State, p: &Params) -> Result<Value, ApiError> {
    let page = listing::page(p, 500)?;
    let descending = listing::routing_descending(p)?;
    let name = p.get("name");
    let ids = p.all("id");
    let mut items: Vec<Value> = state
        .queues
        .iter()
        .filter(|q| name.is_none_or(|n| wildcard_match(n, &q.name)))
        .filter(|q| ids.is_empty() || ids.contains(&q.id.as_str()))
        .map(|q| queue_json(state, q))
        .collect();
    sort_by_name(&mut items, descending);
    let keep = keep_params(p, &["name", "id", "sortOrder"]);
    Ok(wire::listing(
        &items,
        page.size,
        page.number,
        "/api/v2/routing/queues",
        &keep,
    ))
}

/// `GET /api/v2/routing/queues/{id}`.
pub(crate) fn get_queue(state: &State, id: &str) -> Result<Value, ApiError> {
    state
        .queues
        .iter()
        .find(|q| q.id == id)
        .map(|q| queue_json(state, q))
        .ok_or_else(|| ApiError::not_found(format!("queue {id} was not found")))
}

/// The `Queue` entity: its real division, and media settings for its one media type
/// (`QueueMediaSettings` keys: `call`, `chat`, `email`, `message`).
fn queue_json(state: &State, q: &QueueData) -> Value {
    let (description, members) = match &q.source {
        Source::Centre(i) => (
            format!(
                "SANDBOX simulated {} queue of the contact centre (see src/sandbox/contact_centre)",
                q.media
            ),
            state
                .centre
                .as_ref()
                .and_then(|c| c.agents(*i).ok())
                .map_or(0, |a| a.len() as i64),
        ),
        Source::Series(s) => (
            format!(
                "SANDBOX queue replaying a real {}-minute public series, not a contact centre (see assets/README.md)",
                s.step_minutes
            ),
            8 + (s.total() % 17) as i64,
        ),
    };
    let media_key = match q.media {
        "voice" => "call",
        other => other,
    };
    let division = &q.division;
    json!({
        "id": q.id,
        "name": q.name,
        "description": description,
        "division": {"id": division.id, "name": division.name,
            "selfUri": format!("/api/v2/authorization/divisions/{}", division.id)},
        "dateCreated": timestamp(state.started),
        "dateModified": timestamp(state.started),
        "memberCount": members,
        "userMemberCount": members,
        "joinedMemberCount": members,
        "mediaSettings": {media_key: {"alertingTimeoutSeconds": 8,
            "serviceLevel": {"percentage": 0.8, "durationMs": 20000}}},
        "scoringMethod": "TimestampAndPriority",
        "skillEvaluationMethod": "ALL",
        "autoAnswerOnly": false,
        "enableTranscription": false,
        "enableManualAssignment": false,
        "selfUri": format!("/api/v2/routing/queues/{}", q.id),
    })
}
