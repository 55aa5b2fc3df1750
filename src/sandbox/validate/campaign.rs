//! `Campaign` bodies (`POST /api/v2/outbound/campaigns`), checked the way the real service
//! documents them (see ../shared/genesys-api/README.md (f)): every bad field is collected so
//! one 400 names them all in `details[]`.
//!
//! Per dialing mode, from the field descriptions of the official SDK's `build/docs/Campaign.md`
//! (the Terraform provider's `resource_genesyscloud_outbound_campaign_schema.go` repeats them):
//! - `queue`, `script`: "Required for all dialing modes except agentless."
//! - `edgeGroup`: "Required for all dialing modes except preview"; `site` "can be set in place
//!   of an edge group" (so either one satisfies the rule, and a 400 names both).
//! - `callAnalysisResponseSet`: "Required for all dialing modes except preview."
//! - `abandonRate`: "Required for progressive, power, and predictive campaigns."
//! - `outboundLineCount`: "only required for agentless."

use serde_json::{Map, Value};

use super::{Catalog, FieldError, FieldErrors, json_object, ref_id, required_str};
use crate::sandbox::data::QueueData;
use crate::sandbox::wire::ApiError;

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

/// A campaign body that passed every check, its references resolved in the org.
#[derive(Debug)]
pub(crate) struct ValidCampaign<'a> {
    /// The request's properties, explicit nulls dropped.
    pub fields: Map<String, Value>,
    pub contact_list: &'a Value,
    /// Absent only for agentless campaigns that name no queue.
    pub queue: Option<&'a QueueData>,
    /// Absent only for agentless campaigns that name no script.
    pub script: Option<&'a Value>,
    /// The site the campaign dials from, when it names one.
    pub site: Option<&'a Value>,
    /// Absent only for preview campaigns that name none.
    pub response_set: Option<&'a Value>,
}

/// Checks a campaign create body against the org's contact lists, queues and scripts.
pub(crate) fn campaign<'a>(body: &[u8], org: &Catalog<'a>) -> Result<ValidCampaign<'a>, ApiError> {
    let o = json_object(body, "a Campaign")?;
    let mut errs = FieldErrors::default();
    required_str(&o, "name", &mut errs);
    required_str(&o, "callerName", &mut errs);
    caller_address(&o, &mut errs);
    let mode = dialing_mode(&o, &mut errs);
    campaign_status(&o, &mut errs);
    abandon_rate(&o, &mut errs);
    let contact_list = contact_list(&o, org, &mut errs);
    phone_columns(&o, contact_list, &mut errs);
    let (queue, script) = agent_refs(&o, mode, org, &mut errs);
    let (site, response_set) = dialer_refs(&o, mode, org, &mut errs);
    mode_numbers(&o, mode, &mut errs);
    errs.into_result("campaign")?;
    // A missing or unknown contact list is one of the errors above, so this cannot fire.
    let contact_list = contact_list
        .ok_or_else(|| FieldError::required("contactList", "contactList is required"))?;
    Ok(ValidCampaign {
        fields: o,
        contact_list,
        queue,
        script,
        site,
        response_set,
    })
}

/// `callerAddress`: required, and a phone number of 7–15 digits.
fn caller_address(o: &Map<String, Value>, errs: &mut FieldErrors) {
    let Some(addr) = required_str(o, "callerAddress", errs) else {
        return;
    };
    let digits = addr.chars().filter(char::is_ascii_digit).count();
    let phone_chars = addr
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    if !phone_chars || !(7..=15).contains(&digits) {
        errs.push(FieldError::invalid(
            "callerAddress",
            format!("callerAddress {addr:?} is not a phone number (e.g. +13175550100)"),
        ));
    }
}

/// `dialingMode`: required, one of the real modes; the mode when it is valid.
fn dialing_mode<'a>(o: &'a Map<String, Value>, errs: &mut FieldErrors) -> Option<&'a str> {
    match o.get("dialingMode") {
        None | Some(Value::Null) => {
            errs.push(FieldError::required(
                "dialingMode",
                format!(
                    "dialingMode is required: one of {}",
                    DIALING_MODES.join(", ")
                ),
            ));
            None
        }
        Some(Value::String(m)) if DIALING_MODES.contains(&m.as_str()) => Some(m.as_str()),
        Some(other) => {
            errs.push(FieldError::invalid(
                "dialingMode",
                format!(
                    "dialingMode {other} is not one of {}",
                    DIALING_MODES.join(", ")
                ),
            ));
            None
        }
    }
}

/// `campaignStatus`: optional, one of the real statuses (there is no draft).
fn campaign_status(o: &Map<String, Value>, errs: &mut FieldErrors) {
    if let Some(status) = o.get("campaignStatus")
        && !status
            .as_str()
            .is_some_and(|s| CAMPAIGN_STATUSES.contains(&s))
    {
        errs.push(FieldError::invalid(
            "campaignStatus",
            format!(
                "campaignStatus {status} is not one of {} (there is no draft status; use off)",
                CAMPAIGN_STATUSES.join(", ")
            ),
        ));
    }
}

/// `abandonRate`: optional, a percentage.
fn abandon_rate(o: &Map<String, Value>, errs: &mut FieldErrors) {
    if let Some(rate) = o.get("abandonRate")
        && !rate.as_f64().is_some_and(|r| (0.0..=100.0).contains(&r))
    {
        errs.push(FieldError::invalid(
            "abandonRate",
            format!("abandonRate {rate} must be a percentage from 0 to 100"),
        ));
    }
}

/// `contactList`: required, an existing list.
fn contact_list<'a>(
    o: &Map<String, Value>,
    org: &Catalog<'a>,
    errs: &mut FieldErrors,
) -> Option<&'a Value> {
    let id = ref_id(o, "contactList", errs)?;
    let found = org
        .contact_lists
        .iter()
        .find(|c| c["id"].as_str() == Some(id));
    if found.is_none() {
        errs.push(FieldError::not_found(
            "contactList",
            format!("contactList {id} does not exist"),
        ));
    }
    found
}

/// `phoneColumns`: a non-empty list of `{columnName, type}` naming columns of the contact list
/// (checked against the list only when the list itself is valid).
fn phone_columns(o: &Map<String, Value>, list: Option<&Value>, errs: &mut FieldErrors) {
    let cols = match o.get("phoneColumns") {
        Some(Value::Array(cols)) if !cols.is_empty() => cols,
        None | Some(Value::Null) => {
            errs.push(FieldError::required(
                "phoneColumns",
                "phoneColumns is required: [{\"columnName\": \"Cell\", \"type\": \"cell\"}]",
            ));
            return;
        }
        Some(_) => {
            errs.push(FieldError::invalid(
                "phoneColumns",
                "phoneColumns must be a non-empty list of {columnName, type}",
            ));
            return;
        }
    };
    let list_columns = list
        .and_then(|l| l["columnNames"].as_array())
        .map(Vec::as_slice)
        .unwrap_or_default();
    for (i, c) in cols.iter().enumerate() {
        let name = c.get("columnName").and_then(Value::as_str).unwrap_or("");
        let kind = c.get("type").and_then(Value::as_str).unwrap_or("");
        if name.is_empty() || kind.is_empty() {
            errs.push(FieldError::invalid(
                "phoneColumns",
                format!("phoneColumns[{i}] needs a columnName and a type (e.g. cell)"),
            ));
        } else if let Some(list) = list
            && !list_columns.iter().any(|v| v.as_str() == Some(name))
        {
            errs.push(FieldError::invalid(
                "phoneColumns",
                format!(
                    "phoneColumns[{i}].columnName {name:?} is not a column of contact list {:?}",
                    list["name"].as_str().unwrap_or_default()
                ),
            ));
        } else if let Some(want) = list_phone_type(list, name)
            && want != kind
        {
            errs.push(FieldError::invalid(
                "phoneColumns",
                format!(
                    "phoneColumns[{i}].type {kind:?} is not the type of {name:?} in contact list \
                     {:?}, which is {want:?}",
                    list.map(|l| l["name"].as_str().unwrap_or_default())
                        .unwrap_or_default()
                ),
            ));
        }
    }
}

/// The type the contact list gives phone column `name` (`ContactList.phoneColumns[]`,
/// `ContactPhoneNumberColumn.type`), when it lists that column as a phone column.
fn list_phone_type<'a>(list: Option<&'a Value>, name: &str) -> Option<&'a str> {
    list?["phoneColumns"]
        .as_array()?
        .iter()
        .find(|p| p["columnName"].as_str() == Some(name))?["type"]
        .as_str()
}

/// `queue` and `script`: required unless the mode is agentless; checked whenever present.
fn agent_refs<'a>(
    o: &Map<String, Value>,
    mode: Option<&str>,
    org: &Catalog<'a>,
    errs: &mut FieldErrors,
) -> (Option<&'a QueueData>, Option<&'a Value>) {
    let needs_agents = mode != Some("agentless");
    let mut queue = None;
    let mut script = None;
    if needs_agents || o.contains_key("queue") {
        queue = ref_id(o, "queue", errs).and_then(|id| {
            let q = org.queues.iter().find(|q| q.id == id);
            if q.is_none() {
                errs.push(FieldError::not_found(
                    "queue",
                    format!("queue {id} does not exist"),
                ));
            }
            q
        });
    }
    if needs_agents || o.contains_key("script") {
        script = ref_id(o, "script", errs).and_then(|id| {
            let s = org
                .scripts
                .iter()
                .find(|(s, _)| s["id"].as_str() == Some(id));
            if s.is_none() {
                errs.push(FieldError::not_found(
                    "script",
                    format!("script {id} does not exist"),
                ));
            }
            s.map(|(s, _)| s)
        });
    }
    (queue, script)
}

/// A reference property, when present, must name an entity of `list` (by `id`).
fn existing<'a>(
    o: &Map<String, Value>,
    field: &str,
    list: &'a [Value],
    errs: &mut FieldErrors,
) -> Option<&'a Value> {
    let id = ref_id(o, field, errs)?;
    let found = list.iter().find(|v| v["id"].as_str() == Some(id));
    if found.is_none() {
        errs.push(FieldError::not_found(
            field,
            format!("{field} {id} does not exist"),
        ));
    }
    found
}

/// `edgeGroup`/`site` and `callAnalysisResponseSet`: required for every mode except preview
/// (a mode that is itself invalid is not held to them); checked whenever present.
fn dialer_refs<'a>(
    o: &Map<String, Value>,
    mode: Option<&str>,
    org: &Catalog<'a>,
    errs: &mut FieldErrors,
) -> (Option<&'a Value>, Option<&'a Value>) {
    let dials = mode.is_some_and(|m| m != "preview");
    let m = mode.unwrap_or_default();
    if dials && !o.contains_key("edgeGroup") && !o.contains_key("site") {
        errs.push(FieldError::required_either(
            "edgeGroup",
            "site",
            format!("edgeGroup (or site in its place) is required for {m} campaigns"),
        ));
    }
    if o.contains_key("edgeGroup") {
        // The sandbox org has no edge groups; campaigns name its site instead.
        existing(o, "edgeGroup", &[], errs);
    }
    let site = o
        .contains_key("site")
        .then(|| existing(o, "site", org.sites, errs))
        .flatten();
    let response_set = if dials || o.contains_key("callAnalysisResponseSet") {
        if dials && !o.contains_key("callAnalysisResponseSet") {
            errs.push(FieldError::required(
                "callAnalysisResponseSet",
                format!("callAnalysisResponseSet is required for {m} campaigns"),
            ));
            None
        } else {
            existing(o, "callAnalysisResponseSet", org.response_sets, errs)
        }
    } else {
        None
    };
    (site, response_set)
}

/// `abandonRate` for progressive, power and predictive; `outboundLineCount` for agentless.
fn mode_numbers(o: &Map<String, Value>, mode: Option<&str>, errs: &mut FieldErrors) {
    let Some(m) = mode else { return };
    if matches!(m, "progressive" | "power" | "predictive") && !o.contains_key("abandonRate") {
        errs.push(FieldError::required(
            "abandonRate",
            format!(
                "abandonRate is required for {m} campaigns (the target abandon percentage, e.g. 5)"
            ),
        ));
    }
    match o.get("outboundLineCount") {
        None if m == "agentless" => errs.push(FieldError::required(
            "outboundLineCount",
            "outboundLineCount is required for agentless campaigns",
        )),
        Some(n) if n.as_i64().is_none_or(|n| n < 1) => errs.push(FieldError::invalid(
            "outboundLineCount",
            format!("outboundLineCount {n} must be a whole number of at least 1"),
        )),
        _ => {}
    }
}

#[cfg(test)]
mod tests;
