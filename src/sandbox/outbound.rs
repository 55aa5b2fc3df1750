//! Outbound resources: seeded contact lists and scripts, campaigns and campaign schedules,
//! validated the way the real service documents them (see ../shared/genesys-api/README.md (f), (g)).

use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::State;
use super::wire::{ApiError, Params, listing, timestamp, wildcard_match};

const DIALING_MODES: [&str; 6] = [
    "agentless",
    "preview",
    "power",
    "predictive",
    "progressive",
    "external",
];
const CAMPAIGN_STATUSES: [&str; 7] = [
    "on",
    "stopping",
    "off",
    "complete",
    "invalid",
    "forced_off",
    "forced_stopping",
];
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

fn stable_id(kind: &str, name: &str) -> String {
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

fn page_params(p: &Params, max: u64) -> Result<(u64, u64), ApiError> {
    Ok((
        p.int("pageSize", 25, 1, max)?,
        p.int("pageNumber", 1, 1, 1_000_000)?,
    ))
}

fn name_of(v: &Value) -> String {
    v["name"].as_str().unwrap_or_default().to_string()
}

fn sort_by_name(items: &mut [Value], p: &Params) -> Result<(), ApiError> {
    let desc = match p.get("sortOrder").map(str::to_ascii_lowercase).as_deref() {
        None | Some("ascending") | Some("asc") | Some("a") => false,
        Some("descending") | Some("desc") => true,
        Some(other) => {
            return Err(ApiError::invalid_field(
                "invalid.value",
                "INVALID_VALUE",
                "sortOrder",
                format!("sortOrder {other:?} must be ascending or descending"),
            ));
        }
    };
    items.sort_by_key(|v| name_of(v).to_lowercase());
    if desc {
        items.reverse();
    }
    Ok(())
}

type NameFilter = Box<dyn Fn(&str) -> bool>;

/// The outbound `name` + `filterType` filter (default Prefix), case-insensitive.
fn outbound_name_filter(p: &Params) -> Result<Option<NameFilter>, ApiError> {
    let Some(name) = p.get("name").map(str::to_lowercase) else {
        return Ok(None);
    };
    let kind = p.get("filterType").unwrap_or("Prefix").to_string();
    let f: NameFilter = match kind.as_str() {
        "Equals" => Box::new(move |n: &str| n.to_lowercase() == name),
        "Contains" => Box::new(move |n: &str| n.to_lowercase().contains(&name)),
        "Prefix" | "BeginsWith" => Box::new(move |n: &str| n.to_lowercase().starts_with(&name)),
        "EndsWith" => Box::new(move |n: &str| n.to_lowercase().ends_with(&name)),
        other => {
            return Err(ApiError::invalid_field(
                "invalid.value",
                "INVALID_VALUE",
                "filterType",
                format!(
                    "filterType {other:?} is not simulated by the sandbox; use Equals, Prefix, Contains or EndsWith"
                ),
            ));
        }
    };
    Ok(Some(f))
}

fn keep_params(p: &Params, keys: &[&str]) -> Vec<(String, String)> {
    p.0.iter()
        .filter(|(k, _)| keys.contains(&k.as_str()))
        .cloned()
        .collect()
}

pub(crate) fn list_contact_lists(state: &State, p: &Params) -> Result<Value, ApiError> {
    let (size, number) = page_params(p, 100)?;
    let filter = outbound_name_filter(p)?;
    let ids = p.all("id");
    let include_size = p.get("includeSize") == Some("true");
    let mut items: Vec<Value> = state
        .contact_lists
        .iter()
        .filter(|c| filter.as_ref().is_none_or(|f| f(&name_of(c))))
        .filter(|c| ids.is_empty() || ids.contains(&c["id"].as_str().unwrap_or_default()))
        .cloned()
        .map(|mut c| {
            if !include_size && let Some(o) = c.as_object_mut() {
                o.remove("size");
            }
            c
        })
        .collect();
    sort_by_name(&mut items, p)?;
    let keep = keep_params(p, &["name", "filterType", "id", "sortOrder", "includeSize"]);
    Ok(listing(
        &items,
        size,
        number,
        "/api/v2/outbound/contactlists",
        &keep,
    ))
}

pub(crate) fn list_scripts(
    state: &State,
    p: &Params,
    published_only: bool,
) -> Result<Value, ApiError> {
    let (size, number) = page_params(p, 100)?;
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
    sort_by_name(&mut items, p)?;
    let path = if published_only {
        "/api/v2/scripts/published"
    } else {
        "/api/v2/scripts"
    };
    Ok(listing(
        &items,
        size,
        number,
        path,
        &keep_params(p, &["name", "sortOrder"]),
    ))
}

pub(crate) fn list_campaigns(state: &State, p: &Params) -> Result<Value, ApiError> {
    let (size, number) = page_params(p, 100)?;
    let filter = outbound_name_filter(p)?;
    let ids = p.all("id");
    let contact_list = p.get("contactListId");
    let mut items: Vec<Value> = state
        .lock()
        .campaigns
        .iter()
        .filter(|c| filter.as_ref().is_none_or(|f| f(&name_of(c))))
        .filter(|c| ids.is_empty() || ids.contains(&c["id"].as_str().unwrap_or_default()))
        .filter(|c| contact_list.is_none_or(|id| c["contactList"]["id"].as_str() == Some(id)))
        .cloned()
        .collect();
    sort_by_name(&mut items, p)?;
    let keep = keep_params(
        p,
        &["name", "filterType", "id", "contactListId", "sortOrder"],
    );
    Ok(listing(
        &items,
        size,
        number,
        "/api/v2/outbound/campaigns",
        &keep,
    ))
}

pub(crate) fn get_campaign(state: &State, id: &str) -> Result<Value, ApiError> {
    state
        .lock()
        .campaigns
        .iter()
        .find(|c| c["id"].as_str() == Some(id))
        .cloned()
        .ok_or_else(|| ApiError::not_found(format!("campaign {id} was not found")))
}

fn parse_object(body: &[u8], what: &str) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(body) {
        // An explicit null means "not set", as serialisers of optional fields often send it.
        Ok(Value::Object(o)) => Ok(o.into_iter().filter(|(_, v)| !v.is_null()).collect()),
        Ok(_) => Err(ApiError::bad_request(format!(
            "the body must be a JSON object ({what})"
        ))),
        Err(e) => Err(ApiError::bad_request(format!(
            "the body is not valid JSON ({what}): {e}"
        ))),
    }
}

/// Field problems of a create request: (errorCode, fieldName, message).
type Problems = Vec<(&'static str, String, String)>;

fn required_str<'a>(
    o: &'a Map<String, Value>,
    field: &str,
    problems: &mut Problems,
) -> Option<&'a str> {
    match o.get(field) {
        None | Some(Value::Null) => {
            problems.push((
                "FIELD_REQUIRED",
                field.into(),
                format!("{field} is required"),
            ));
            None
        }
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s),
        Some(_) => {
            problems.push((
                "INVALID_VALUE",
                field.into(),
                format!("{field} must be a non-empty string"),
            ));
            None
        }
    }
}

fn ref_id<'a>(o: &'a Map<String, Value>, field: &str, problems: &mut Problems) -> Option<&'a str> {
    match o.get(field) {
        None | Some(Value::Null) => {
            problems.push((
                "FIELD_REQUIRED",
                field.into(),
                format!("{field} is required ({{\"id\": \"...\"}})"),
            ));
            None
        }
        Some(v) => match v.get("id").and_then(Value::as_str) {
            Some(id) if !id.is_empty() => Some(id),
            _ => {
                problems.push((
                    "INVALID_VALUE",
                    field.into(),
                    format!("{field} must be an object with an \"id\""),
                ));
                None
            }
        },
    }
}

fn entity_ref(kind_path: &str, id: &str, name: &str) -> Value {
    json!({"id": id, "name": name, "selfUri": format!("{kind_path}/{id}")})
}

/// Validates and stores a new campaign; the 400 names every bad field in `details[]`.
pub(crate) fn create_campaign(state: &State, body: &[u8]) -> Result<Value, ApiError> {
    let o = parse_object(body, "a Campaign")?;
    let mut problems: Problems = Vec::new();
    required_str(&o, "name", &mut problems);
    required_str(&o, "callerName", &mut problems);
    if let Some(addr) = required_str(&o, "callerAddress", &mut problems) {
        let digits = addr.chars().filter(char::is_ascii_digit).count();
        let phone_chars = addr
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c));
        if !phone_chars || !(7..=15).contains(&digits) {
            problems.push((
                "INVALID_VALUE",
                "callerAddress".into(),
                format!("callerAddress {addr:?} is not a phone number (e.g. +13175550100)"),
            ));
        }
    }
    let mode = match o.get("dialingMode") {
        None | Some(Value::Null) => {
            problems.push((
                "FIELD_REQUIRED",
                "dialingMode".into(),
                format!(
                    "dialingMode is required: one of {}",
                    DIALING_MODES.join(", ")
                ),
            ));
            None
        }
        Some(Value::String(m)) if DIALING_MODES.contains(&m.as_str()) => Some(m.as_str()),
        Some(other) => {
            problems.push((
                "INVALID_VALUE",
                "dialingMode".into(),
                format!(
                    "dialingMode {other} is not one of {}",
                    DIALING_MODES.join(", ")
                ),
            ));
            None
        }
    };
    if let Some(status) = o.get("campaignStatus")
        && !status
            .as_str()
            .is_some_and(|s| CAMPAIGN_STATUSES.contains(&s))
    {
        problems.push((
            "INVALID_VALUE",
            "campaignStatus".into(),
            format!(
                "campaignStatus {status} is not one of {} (there is no draft status; use off)",
                CAMPAIGN_STATUSES.join(", ")
            ),
        ));
    }
    if let Some(rate) = o.get("abandonRate")
        && !rate.as_f64().is_some_and(|r| (0.0..=100.0).contains(&r))
    {
        problems.push((
            "INVALID_VALUE",
            "abandonRate".into(),
            format!("abandonRate {rate} must be a percentage from 0 to 100"),
        ));
    }

    let contact_list = ref_id(&o, "contactList", &mut problems).and_then(|id| {
        let found = state
            .contact_lists
            .iter()
            .find(|c| c["id"].as_str() == Some(id));
        if found.is_none() {
            problems.push((
                "ENTITY_NOT_FOUND",
                "contactList".into(),
                format!("contactList {id} does not exist"),
            ));
        }
        found
    });

    match o.get("phoneColumns") {
        Some(Value::Array(cols)) if !cols.is_empty() => {
            for (i, c) in cols.iter().enumerate() {
                let name = c.get("columnName").and_then(Value::as_str).unwrap_or("");
                let kind = c.get("type").and_then(Value::as_str).unwrap_or("");
                if name.is_empty() || kind.is_empty() {
                    problems.push((
                        "INVALID_VALUE",
                        "phoneColumns".into(),
                        format!("phoneColumns[{i}] needs a columnName and a type (e.g. cell)"),
                    ));
                } else if let Some(list) = contact_list {
                    let cols = list["columnNames"].as_array().cloned().unwrap_or_default();
                    if !cols.iter().any(|v| v.as_str() == Some(name)) {
                        problems.push((
                            "INVALID_VALUE",
                            "phoneColumns".into(),
                            format!(
                                "phoneColumns[{i}].columnName {name:?} is not a column of contact list {:?}",
                                name_of(list)
                            ),
                        ));
                    }
                }
            }
        }
        None | Some(Value::Null) => problems.push((
            "FIELD_REQUIRED",
            "phoneColumns".into(),
            "phoneColumns is required: [{\"columnName\": \"Cell\", \"type\": \"cell\"}]".into(),
        )),
        Some(_) => problems.push((
            "INVALID_VALUE",
            "phoneColumns".into(),
            "phoneColumns must be a non-empty list of {columnName, type}".into(),
        )),
    }

    let needs_agents = mode != Some("agentless");
    let mut queue = None;
    let mut script = None;
    if needs_agents || o.contains_key("queue") {
        queue = ref_id(&o, "queue", &mut problems).and_then(|id| {
            let q = state.queues.iter().find(|q| q.id == id);
            if q.is_none() {
                problems.push((
                    "ENTITY_NOT_FOUND",
                    "queue".into(),
                    format!("queue {id} does not exist"),
                ));
            }
            q
        });
    }
    if needs_agents || o.contains_key("script") {
        script = ref_id(&o, "script", &mut problems).and_then(|id| {
            let s = state
                .scripts
                .iter()
                .find(|(s, _)| s["id"].as_str() == Some(id));
            if s.is_none() {
                problems.push((
                    "ENTITY_NOT_FOUND",
                    "script".into(),
                    format!("script {id} does not exist"),
                ));
            }
            s
        });
    }

    if !problems.is_empty() {
        let message = if problems.len() == 1 {
            problems[0].2.clone()
        } else {
            format!(
                "the campaign is invalid: {}",
                problems
                    .iter()
                    .map(|p| p.2.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        };
        let mut e = ApiError::bad_request(message);
        e.code = "invalid.value";
        e.details = problems
            .into_iter()
            .map(|p| (p.0.to_string(), p.1))
            .collect();
        return Err(e);
    }

    let id = Uuid::new_v4().to_string();
    let now = timestamp(Utc::now());
    let mut c = Map::new();
    for f in CAMPAIGN_FIELDS {
        if let Some(v) = o.get(*f) {
            c.insert((*f).to_string(), v.clone());
        }
    }
    if let Some(list) = contact_list {
        c.insert(
            "contactList".into(),
            entity_ref(
                "/api/v2/outbound/contactlists",
                list["id"].as_str().unwrap_or_default(),
                &name_of(list),
            ),
        );
    }
    if let Some(q) = queue {
        c.insert(
            "queue".into(),
            entity_ref("/api/v2/routing/queues", &q.id, &q.name),
        );
    }
    if let Some((s, _)) = script {
        c.insert(
            "script".into(),
            entity_ref(
                "/api/v2/scripts",
                s["id"].as_str().unwrap_or_default(),
                &name_of(s),
            ),
        );
    }
    c.entry("campaignStatus").or_insert_with(|| json!("off"));
    c.entry("division").or_insert_with(home_division);
    c.insert("id".into(), json!(id));
    c.insert("version".into(), json!(1));
    c.insert("dateCreated".into(), json!(now));
    c.insert("dateModified".into(), json!(now));
    c.insert("errors".into(), json!([]));
    c.insert(
        "selfUri".into(),
        json!(format!("/api/v2/outbound/campaigns/{id}")),
    );
    let c = Value::Object(c);
    state.lock().campaigns.push(c.clone());
    Ok(c)
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

/// A schedule time: local wall-clock (`2024-06-03T09:00:00.000`) or an instant with offset.
fn parse_schedule_time(s: &str) -> Option<NaiveDateTime> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.naive_utc());
    }
    [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
}

/// Creates (no version) or updates (current version) a campaign's schedule.
pub(crate) fn put_schedule(
    state: &State,
    campaign_id: &str,
    body: &[u8],
) -> Result<Value, ApiError> {
    let campaign = get_campaign(state, campaign_id)?;
    let o = parse_object(body, "a CampaignSchedule")?;
    let field =
        |f: &str, code: &str, msg: String| ApiError::invalid_field("invalid.value", code, f, msg);
    match o
        .get("campaign")
        .and_then(|c| c.get("id"))
        .and_then(Value::as_str)
    {
        None => {
            return Err(field(
                "campaign",
                "FIELD_REQUIRED",
                "campaign is required ({\"id\": \"<campaign id>\"})".into(),
            ));
        }
        Some(id) if id != campaign_id => {
            return Err(field(
                "campaign",
                "INVALID_VALUE",
                format!("campaign.id {id} does not match the campaign {campaign_id} in the path"),
            ));
        }
        Some(_) => {}
    }
    let intervals = match o.get("intervals") {
        Some(Value::Array(list)) if !list.is_empty() => list,
        Some(Value::Array(_)) | None | Some(Value::Null) => {
            return Err(field(
                "intervals",
                "FIELD_REQUIRED",
                "intervals is required: a non-empty list of {start, end}".into(),
            ));
        }
        Some(_) => {
            return Err(field(
                "intervals",
                "INVALID_VALUE",
                "intervals must be a list of {start, end}".into(),
            ));
        }
    };
    let mut clean = Vec::new();
    for (i, iv) in intervals.iter().enumerate() {
        let s = iv.get("start").and_then(Value::as_str);
        let e = iv.get("end").and_then(Value::as_str);
        let (Some(s), Some(e)) = (s, e) else {
            return Err(field(
                "intervals",
                "FIELD_REQUIRED",
                format!("intervals[{i}] needs start and end"),
            ));
        };
        match (parse_schedule_time(s), parse_schedule_time(e)) {
            (Some(a), Some(b)) if a < b => {}
            (Some(_), Some(_)) => {
                return Err(field(
                    "intervals",
                    "INVALID_VALUE",
                    format!("intervals[{i}] ends ({e}) before it starts ({s})"),
                ));
            }
            _ => {
                return Err(field(
                    "intervals",
                    "INVALID_VALUE",
                    format!(
                        "intervals[{i}] times must look like 2024-06-03T09:00:00.000 (local to timeZone)"
                    ),
                ));
            }
        }
        clean.push(json!({"start": s, "end": e}));
    }
    let tz = match o.get("timeZone") {
        None | Some(Value::Null) => "UTC".to_string(),
        Some(Value::String(z)) if z.parse::<Tz>().is_ok() => z.clone(),
        Some(z) => {
            return Err(field(
                "timeZone",
                "INVALID_VALUE",
                format!("timeZone {z} is not an IANA zone name (e.g. America/Chicago)"),
            ));
        }
    };
    let version = match o.get("version") {
        None | Some(Value::Null) => None,
        Some(v) => Some(v.as_i64().ok_or_else(|| {
            field(
                "version",
                "INVALID_VALUE",
                format!("version {v} must be an integer"),
            )
        })?),
    };

    let mut store = state.lock();
    let existing = store.schedules.get(campaign_id);
    let (new_version, created) = match (existing, version) {
        (None, _) => (1, timestamp(Utc::now())),
        (Some(cur), Some(v)) if cur["version"].as_i64() == Some(v) => (
            v + 1,
            cur["dateCreated"].as_str().unwrap_or_default().to_string(),
        ),
        (Some(cur), v) => {
            let current = cur["version"].as_i64().unwrap_or_default();
            let msg = match v {
                None => format!(
                    "version is required to update the schedule of campaign {campaign_id}; the current version is {current} (GET it first)"
                ),
                Some(v) => format!(
                    "version {v} does not match the current version {current} of this schedule; GET it and retry"
                ),
            };
            let mut e = ApiError::new(axum::http::StatusCode::CONFLICT, "conflict", msg);
            e.details
                .push(("VERSION_MISMATCH".into(), "version".into()));
            return Err(e);
        }
    };
    let mut s = json!({
        "id": stable_id("schedules", campaign_id),
        "dateCreated": created,
        "dateModified": timestamp(Utc::now()),
        "version": new_version,
        "intervals": clean,
        "timeZone": tz,
        "campaign": {"id": campaign_id, "name": campaign["name"], "selfUri": format!("/api/v2/outbound/campaigns/{campaign_id}")},
        "selfUri": format!("/api/v2/outbound/schedules/campaigns/{campaign_id}"),
    });
    if let Some(Value::String(n)) = o.get("name") {
        s["name"] = json!(n);
    }
    if let Some(Value::Array(r)) = o.get("recurrences") {
        s["recurrences"] = json!(r);
    }
    store.schedules.insert(campaign_id.to_string(), s.clone());
    Ok(s)
}

/// Queues listing with Genesys' `name` wildcard, `id` filter, sort and paging.
pub(crate) fn list_queues(state: &State, p: &Params) -> Result<Value, ApiError> {
    let (size, number) = page_params(p, 500)?;
    let name = p.get("name");
    let ids = p.all("id");
    let mut items: Vec<Value> = state
        .queues
        .iter()
        .filter(|q| name.is_none_or(|n| wildcard_match(n, &q.name)))
        .filter(|q| ids.is_empty() || ids.contains(&q.id.as_str()))
        .map(|q| queue_json(state, q))
        .collect();
    let desc = match p.get("sortOrder") {
        None | Some("asc") => false,
        Some("desc") => true,
        Some(other) => {
            return Err(ApiError::invalid_field(
                "invalid.value",
                "INVALID_VALUE",
                "sortOrder",
                format!("sortOrder {other:?} must be asc or desc"),
            ));
        }
    };
    items.sort_by_key(|v| name_of(v).to_lowercase());
    if desc {
        items.reverse();
    }
    let keep = keep_params(p, &["name", "id", "sortOrder"]);
    Ok(listing(
        &items,
        size,
        number,
        "/api/v2/routing/queues",
        &keep,
    ))
}

pub(crate) fn queue_json(state: &State, q: &super::data::QueueData) -> Value {
    let members = 8 + (q.total() % 17) as i64;
    json!({
        "id": q.id,
        "name": q.name,
        "description": format!("SANDBOX queue replaying real {}-minute data (see assets/README.md)", q.step_minutes),
        "division": home_division(),
        "dateCreated": timestamp(state.started),
        "dateModified": timestamp(state.started),
        "memberCount": members,
        "userMemberCount": members,
        "joinedMemberCount": members,
        "scoringMethod": "TimestampAndPriority",
        "skillEvaluationMethod": "ALL",
        "autoAnswerOnly": false,
        "enableTranscription": false,
        "enableManualAssignment": false,
        "selfUri": format!("/api/v2/routing/queues/{}", q.id),
    })
}
