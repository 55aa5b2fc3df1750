//! Telephony sites (`GET /api/v2/telephony/providers/edges/sites`): one seeded site, the org's
//! default (`organizations/me` names it in `defaultSiteId`), so campaigns of every dialing mode
//! have a place to dial from.
//!
//! Shapes from the official Python SDK: `build/docs/Site.md` (`name` and `location` required),
//! `build/docs/SiteEntityListing.md`, and `build/docs/TelephonyProvidersEdgeApi.md` (paging,
//! `sortOrder` default `ASC`, "Requires no permissions").

use serde_json::{Value, json};

use super::State;
use super::outbound::home_division;
use super::validate::listing;
use super::wire::{self, ApiError, Params, keep_params, name_of, sort_by_name, wildcard_match};

/// The one seeded site's name.
pub(crate) const SITE_NAME: &str = "Indianapolis (sandbox)";

/// The seeded sites: one active site with a location, as a small real org has.
pub(crate) fn seed_sites() -> Vec<Value> {
    let id = super::outbound::stable_id("sites", SITE_NAME);
    let location = super::outbound::stable_id("locations", SITE_NAME);
    vec![json!({
        "id": id,
        "name": SITE_NAME,
        "division": home_division(),
        "description": "SANDBOX site; campaigns may name it as their site",
        "version": 1,
        "dateCreated": "2025-01-06T09:00:00.000Z",
        "dateModified": "2025-01-06T09:00:00.000Z",
        "state": "active",
        "managed": false,
        "coreSite": false,
        "mediaModel": "Cloud",
        "location": {"id": location, "name": "Indianapolis HQ (sandbox)",
            "selfUri": format!("/api/v2/locations/{location}")},
        "selfUri": format!("/api/v2/telephony/providers/edges/sites/{id}"),
    })]
}

/// The id of the org's default site, for `organizations/me`.
pub(crate) fn default_site_id(state: &State) -> String {
    state
        .sites
        .first()
        .and_then(|s| s["id"].as_str())
        .unwrap_or_default()
        .to_string()
}

/// `sortOrder`: `ASC` (default) or `DESC`, any case.
fn descending(p: &Params) -> Result<bool, ApiError> {
    match p.get("sortOrder").map(str::to_ascii_uppercase).as_deref() {
        None | Some("ASC") => Ok(false),
        Some("DESC") => Ok(true),
        Some(other) => Err(ApiError::invalid_field(
            "invalid.value",
            "INVALID_VALUE",
            "sortOrder",
            format!("sortOrder {other:?} must be ASC or DESC"),
        )),
    }
}

pub(crate) fn list_sites(state: &State, p: &Params) -> Result<Value, ApiError> {
    let page = listing::page(p, 500)?;
    let descending = descending(p)?;
    let name = p.get("name");
    let mut items: Vec<Value> = state
        .sites
        .iter()
        .filter(|s| name.is_none_or(|n| wildcard_match(n, &name_of(s))))
        .cloned()
        .collect();
    sort_by_name(&mut items, descending);
    let keep = keep_params(p, &["name", "sortBy", "sortOrder"]);
    Ok(wire::listing(
        &items,
        page.size,
        page.number,
        "/api/v2/telephony/providers/edges/sites",
        &keep,
    ))
}
