//! Outbound resources: seeded contact lists, scripts and call analysis response sets,
//! campaigns and campaign schedules. The bodies are checked in `validate` (as the real service
//! documents them, see ../shared/genesys-api/README.md (f), (g), (h)); these handlers store
//! and render what passed.
//!
//! A schedule starts and stops its campaign by itself (Resource Center, "Add schedule entry":
//! entries define when a campaign automatically starts and stops), so a campaign is rendered
//! with `campaignStatus` `on` while the sandbox clock is inside one of its intervals
//! ([`scheduled_status`]).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::State;
use super::validate::{self, listing};
use super::wire::{self, ApiError, Params, keep_params, name_of, sort_by_name, timestamp};

/// `Campaign` properties; anything else in a request is dropped, as the real API ignores it.
const CAMPAIGN_FIELDS: &[&str] = &[
    "name",
    "contactList",
    "queue",
    "dialingMode",
    "script",
    "edgeGroup",
    "site",
    "campaignStatus",
    "phoneColumns",
    "abandonRate",
    "dncLists",
    "callableTimeSet",
    "callAnalysisResponseSet",
    "callerName",
    "callerAddress",
    "outboundLineCount",
    "ruleSets",
    "skipPreviewDisabled",
    "previewTimeOutSeconds",
    "alwaysRunning",
    "contactSort",
    "contactSorts",
    "noAnswerTimeout",
    "callAnalysisLanguage",
    "priority",
    "contactListFilters",
    "division",
    "agentOwnedColumn",
    "dynamicContactQueueingSettings",
    "skillColumns",
    "previewAutoEnd",
    "maxCallsPerAgent",
    "maxCallsPerAgentDecimal",
    "callbackAutoAnswer",
    "dynamicLineBalancingSettings",
    "diagnosticsSettings",
    "preciseDialingEnabled",
];

pub(crate) const HOME_DIVISION_ID: &str = "8c5e1b9a-0d2f-4e3a-9b7c-5a6d0e1f2a3b";

pub(crate) fn home_division() -> Value {
    json!({"id": HOME_DIVISION_ID, "name": "Home", "selfUri": format!("/api/v2/authorization/divisions/{HOME_DIVISION_ID}")})
}

pub(crate) fn stable_id(kind: &str, name: &str) -> String {
    Uuid::new_v5(
        &Uuid::NAMESPACE_URL,
        format!("https://queuecast.invalid/sandbox/{kind}/{name}").as_bytes(),
    )
    .to_string()
}

fn created_at() -> String {
    "2025-01-06T09:00:00.000Z".to_string()
}

/// Two realistic contact lists (columns, phone columns) so campaign drafts have something to use.
pub(crate) fn seed_contact_lists() -> Vec<Value> {
    let lists = [
        (
            "Spring renewals (sandbox)",
            vec![
                "FirstName",
                "LastName",
                "Cell",
                "Home",
                "TimeZone",
                "PolicyNo",
            ],
            vec![("Cell", "cell"), ("Home", "home")],
            1250,
        ),
        (
            "Lapsed customers Q3 (sandbox)",
            vec!["Name", "Phone", "LastOrder", "Region"],
            vec![("Phone", "cell")],
            430,
        ),
    ];
    lists
        .into_iter()
        .map(|(name, cols, phones, size)| {
            let id = stable_id("contactlists", name);
            json!({
                "id": id,
                "name": name,
                "dateCreated": created_at(),
                "dateModified": created_at(),
                "version": 1,
                "division": home_division(),
                "columnNames": cols,
                "phoneColumns": phones.iter().map(|(c, t)| json!({"columnName": c, "type": t})).collect::<Vec<_>>(),
                "previewModeColumnName": "",
                "previewModeAcceptedValues": [],
                "automaticTimeZoneMapping": false,
                "trimWhitespace": true,
                "size": size,
                "selfUri": format!("/api/v2/outbound/contactlists/{id}"),
            })
        })
        .collect()
}

/// Scripts: two published, one draft (only visible in `/api/v2/scripts`).
pub(crate) fn seed_scripts() -> Vec<(Value, bool)> {
    [
        ("Renewal outreach", true),
        ("Courtesy payment reminder", true),
        ("Win-back survey (draft)", false),
    ]
    .into_iter()
    .map(|(name, published)| {
        let id = stable_id("scripts", name);
        let mut s = json!({
            "id": id,
            "name": name,
            "division": home_division(),
            "versionId": stable_id("script-versions", name),
            "createdDate": created_at(),
            "modifiedDate": created_at(),
            "startPageId": stable_id("script-pages", name),
            "startPageName": "Start",
            "selfUri": format!("/api/v2/scripts/{id}"),
        });
        if published {
            s["publishedDate"] = json!(created_at());
        }
        (s, published)
    })
    .collect()
}

/// Call analysis response sets (`ResponseSet`, SDK `build/docs/ResponseSet.md`: `name` and
/// `responses` required, keyed by disposition as in its example
/// `disposition.classification.callable.person`; the Terraform provider's
/// `outbound_callanalysisresponseset` names the person, machine, busy and noanswer ones).
pub(crate) fn seed_response_sets() -> Vec<Value> {
    [
        ("Live person to agent (sandbox)", true),
        ("Agent for people and machines (sandbox)", false),
    ]
    .into_iter()
    .map(|(name, beep)| {
        let id = stable_id("callanalysisresponsesets", name);
        let machine = if beep { "hangup" } else { "transfer" };
        json!({
            "id": id,
            "name": name,
            "dateCreated": created_at(),
            "dateModified": created_at(),
            "version": 1,
            "responses": {
                "disposition.classification.callable.person": {"reactionType": "transfer"},
                "disposition.classification.callable.machine": {"reactionType": machine},
                "disposition.classification.callable.busy": {"reactionType": "hangup"},
                "disposition.classification.callable.noanswer": {"reactionType": "hangup"},
            },
            "beepDetectionEnabled": beep,
            "selfUri": format!("/api/v2/outbound/callanalysisresponsesets/{id}"),
        })
    })
    .collect()
}

/// `GET /api/v2/outbound/callanalysisresponsesets`: outbound paging, name filter and sort.
pub(crate) fn list_response_sets(state: &State, p: &Params) -> Result<Value, ApiError> {
    let page = listing::page(p, 100)?;
    let filter = listing::outbound_name_filter(p)?;
    let descending = listing::outbound_descending(p)?;
    let mut items: Vec<Value> = state
        .response_sets
        .iter()
        .filter(|c| filter.as_ref().is_none_or(|f| f.matches(&name_of(c))))
        .cloned()
        .collect();
    sort_by_name(&mut items, descending);
    let keep = keep_params(p, &["name", "filterType", "sortOrder"]);
    Ok(wire::listing(
        &items,
        page.size,
        page.number,
        "/api/v2/outbound/callanalysisresponsesets",
        &keep,
    ))
}

pub(crate) fn list_contact_lists(state: &State, p: &Params) -> Result<Value, ApiError> {
    let page = listing::page(p, 100)?;
    let filter = listing::outbound_name_filter(p)?;
    let descending = listing::outbound_descending(p)?;
    let ids = p.all("id");
    let include_size = p.get("includeSize") == Some("true");
    let mut items: Vec<Value> = state
        .contact_lists
        .iter()
        .filter(|c| filter.as_ref().is_none_or(|f| f.matches(&name_of(c))))
        .filter(|c| ids.is_empty() || ids.contains(&c["id"].as_str().unwrap_or_default()))
        .cloned()
        .map(|mut c| {
            if !include_size && let Some(o) = c.as_object_mut() {
                o.remove("size");
            }
            c
        })
        .collect();
    sort_by_name(&mut items, descending);
    let keep = keep_params(p, &["name", "filterType", "id", "sortOrder", "includeSize"]);
    Ok(wire::listing(
        &items,
        page.size,
        page.number,
        "/api/v2/outbound/contactlists",
        &keep,
    ))
}

pub(crate) fn list_scripts(
    state: &State,
    p: &Params,
    published_only: bool,
) -> Result<Value, ApiError> {
    let page = listing::page(p, 100)?;
    let descending = listing::outbound_descending(p)?;
    let name = p.get("name").map(str::to_lowercase);
    let mut items: Vec<Value> = state
        .scripts
        .iter()
        .filter(|(_, published)| *published || !published_only)
        .map(|(s, _)| s.clone())
        .filter(|s| {
            name.as_ref()
                .is_none_or(|n| name_of(s).to_lowercase().contains(n))
        })
        .collect();
    sort_by_name(&mut items, descending);
    let path = if published_only {
        "/api/v2/scripts/published"
    } else {
        "/api/v2/scripts"
    };
    Ok(wire::listing(
        &items,
        page.size,
        page.number,
        path,
        &keep_params(p, &["name", "sortOrder"]),
    ))
}

pub(crate) fn list_campaigns(state: &State, p: &Params) -> Result<Value, ApiError> {
    let page = listing::page(p, 100)?;
    let filter = listing::outbound_name_filter(p)?;
    let descending = listing::outbound_descending(p)?;
    let ids = p.all("id");
    let contact_list = p.get("contactListId");
    let now = state.clock.now();
    let store = state.lock();
    let mut items: Vec<Value> = store
        .campaigns
        .iter()
        .filter(|c| filter.as_ref().is_none_or(|f| f.matches(&name_of(c))))
        .filter(|c| ids.is_empty() || ids.contains(&c["id"].as_str().unwrap_or_default()))
        .filter(|c| contact_list.is_none_or(|id| c["contactList"]["id"].as_str() == Some(id)))
        .map(|c| rendered(c, &store.schedules, now))
        .collect();
    drop(store);
    sort_by_name(&mut items, descending);
    let keep = keep_params(
        p,
        &["name", "filterType", "id", "contactListId", "sortOrder"],
    );
    Ok(wire::listing(
        &items,
        page.size,
        page.number,
        "/api/v2/outbound/campaigns",
        &keep,
    ))
}

pub(crate) fn get_campaign(state: &State, id: &str) -> Result<Value, ApiError> {
    let now = state.clock.now();
    let store = state.lock();
    store
        .campaigns
        .iter()
        .find(|c| c["id"].as_str() == Some(id))
        .map(|c| rendered(c, &store.schedules, now))
        .ok_or_else(|| ApiError::not_found(format!("campaign {id} was not found")))
}

/// A stored campaign as the API shows it at `now`: its status follows its schedule.
fn rendered(
    c: &Value,
    schedules: &std::collections::HashMap<String, Value>,
    now: DateTime<Utc>,
) -> Value {
    let mut c = c.clone();
    let id = c["id"].as_str().unwrap_or_default();
    let stored = c["campaignStatus"].as_str().unwrap_or("off").to_string();
    let status = scheduled_status(&stored, schedules.get(id), now);
    c["campaignStatus"] = json!(status);
    c
}

/// The campaign's status at `now`: a campaign that is `off` is `on` while `now` is inside one
/// of its schedule's intervals (read in the schedule's `timeZone`); any other stored status
/// is shown as stored. Outside every interval a scheduled campaign is `off` again, as the
/// schedule stops it.
pub(crate) fn scheduled_status(
    stored: &str,
    schedule: Option<&Value>,
    now: DateTime<Utc>,
) -> &'static str {
    let fixed = match stored {
        "on" => "on",
        "stopping" => "stopping",
        "complete" => "complete",
        "invalid" => "invalid",
        "forced_off" => "forced_off",
        "forced_stopping" => "forced_stopping",
        _ => "off",
    };
    let Some(s) = schedule else { return fixed };
    if fixed != "off" {
        return fixed;
    }
    let tz: Tz = s["timeZone"]
        .as_str()
        .unwrap_or("UTC")
        .parse()
        .unwrap_or(Tz::UTC);
    let inside = s["intervals"].as_array().into_iter().flatten().any(|iv| {
        let at = |k: &str| {
            iv[k]
                .as_str()
                .and_then(|t| validate::schedule_instant(t, tz))
        };
        matches!((at("start"), at("end")), (Some(a), Some(b)) if a <= now && now < b)
    });
    if inside { "on" } else { "off" }
}

fn entity_ref(kind_path: &str, id: &str, name: &str) -> Value {
    json!({"id": id, "name": name, "selfUri": format!("{kind_path}/{id}")})
}

/// Stores a new campaign once `validate::campaign` passed it: the known properties as sent,
/// references expanded to `{id, name, selfUri}`, and the server-set fields.
pub(crate) fn create_campaign(state: &State, body: &[u8]) -> Result<Value, ApiError> {
    let valid = validate::campaign(body, &state.catalog())?;
    let sent: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let mut c: Map<String, Value> = CAMPAIGN_FIELDS
        .iter()
        .filter_map(|f| Some(((*f).to_string(), valid.fields.get(*f)?.clone())))
        .collect();
    // References to the catalog's JSON entities, expanded to `{id, name, selfUri}`.
    let stored = [
        (
            "contactList",
            "/api/v2/outbound/contactlists",
            Some(valid.contact_list),
        ),
        ("script", "/api/v2/scripts", valid.script),
        (
            "site",
            "/api/v2/telephony/providers/edges/sites",
            valid.site,
        ),
        (
            "callAnalysisResponseSet",
            "/api/v2/outbound/callanalysisresponsesets",
            valid.response_set,
        ),
    ];
    for (key, path, entity) in stored {
        if let Some(e) = entity {
            let id = e["id"].as_str().unwrap_or_default();
            c.insert(key.into(), entity_ref(path, id, &name_of(e)));
        }
    }
    if let Some(q) = valid.queue {
        c.insert(
            "queue".into(),
            entity_ref("/api/v2/routing/queues", &q.id, &q.name),
        );
    }
    let id = Uuid::new_v4().to_string();
    let now = timestamp(state.clock.now());
    c.entry("campaignStatus").or_insert_with(|| json!("off"));
    c.entry("division").or_insert_with(home_division);
    c.insert("id".into(), json!(id));
    c.insert("version".into(), json!(1));
    c.insert("dateCreated".into(), json!(now));
    c.insert("dateModified".into(), json!(now));
    c.insert(
        "errors".into(),
        campaign_errors(&state.faults.campaign_errors),
    );
    c.insert(
        "selfUri".into(),
        json!(format!("/api/v2/outbound/campaigns/{id}")),
    );
    let c = Value::Object(c);
    let mut store = state.lock();
    store.campaigns.push(c.clone());
    store.create_bodies.push(sent);
    Ok(c)
}

/// `GET /api/v2/outbound/schedules/campaigns`: every campaign schedule, as a plain JSON array
/// (`list[CampaignSchedule]` in the official SDK's `OutboundApi.md`, not a paged listing).
pub(crate) fn list_schedules(state: &State) -> Value {
    let store = state.lock();
    let mut all: Vec<&Value> = store.schedules.values().collect();
    all.sort_by_key(|s| s["campaign"]["id"].as_str().unwrap_or_default().to_string());
    Value::Array(all.into_iter().cloned().collect())
}

/// `errors[]` as `RestErrorDetail`s (official SDK `build/docs/Campaign.md`: "A list of current
/// error conditions associated with the campaign"; `RestErrorDetail.md`: `error` required,
/// `details` optional), from the `--campaign-error` texts `error` or `error: details`.
fn campaign_errors(texts: &[String]) -> Value {
    Value::Array(
        texts
            .iter()
            .map(|t| match t.split_once(':') {
                Some((e, d)) => json!({"error": e.trim(), "details": d.trim()}),
                None => json!({"error": t.trim()}),
            })
            .collect(),
    )
}

pub(crate) fn get_schedule(state: &State, campaign_id: &str) -> Result<Value, ApiError> {
    get_campaign(state, campaign_id)?;
    state
        .lock()
        .schedules
        .get(campaign_id)
        .cloned()
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "campaign {campaign_id} has no schedule yet; PUT one without a version to create it"
            ))
        })
}

/// Creates (no version) or updates (current version) a campaign's schedule.
pub(crate) fn put_schedule(
    state: &State,
    campaign_id: &str,
    body: &[u8],
) -> Result<Value, ApiError> {
    let campaign = get_campaign(state, campaign_id)?;
    let valid = validate::schedule(body, campaign_id, state.clock.now())?;
    let mut store = state.lock();
    let current = store.schedules.get(campaign_id);
    let version = validate::next_schedule_version(current, valid.version, campaign_id)?;
    let now = timestamp(state.clock.now());
    let created = current
        .map(|cur| cur["dateCreated"].as_str().unwrap_or_default().to_string())
        .unwrap_or_else(|| now.clone());
    let intervals: Vec<Value> = valid
        .intervals
        .iter()
        .map(|(start, end)| json!({"start": start, "end": end}))
        .collect();
    let mut s = json!({
        "id": stable_id("schedules", campaign_id),
        "dateCreated": created,
        "dateModified": now,
        "version": version,
        "intervals": intervals,
        "timeZone": valid.time_zone,
        "campaign": {"id": campaign_id, "name": campaign["name"], "selfUri": format!("/api/v2/outbound/campaigns/{campaign_id}")},
        "selfUri": format!("/api/v2/outbound/schedules/campaigns/{campaign_id}"),
    });
    if let Some(n) = valid.name {
        s["name"] = json!(n);
    }
    if let Some(r) = valid.recurrences {
        s["recurrences"] = json!(r);
    }
    store.schedules.insert(campaign_id.to_string(), s.clone());
    Ok(s)
}
