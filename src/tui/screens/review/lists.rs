//! The lists the review picks from, arriving in the background: contact lists (with their
//! phone columns), scripts, sites and call analysis response sets; a single choice is taken.

use std::collections::HashMap;

use crate::campaign::NamedRef;
use crate::genesys::PhoneColumn;
use crate::tui::app::{App, Level, Loadable, Review};

fn loaded<T>(r: Result<T, String>) -> Loadable<T> {
    match r {
        Ok(v) => Loadable::Ready(v),
        Err(e) => Loadable::Failed(e),
    }
}

pub fn contact_lists_loaded(app: &mut App, r: Result<Vec<NamedRef>, String>) {
    if let Err(e) = &r {
        app.toast(Level::Error, format!("contact lists: {e}"));
    }
    app.contact_lists = loaded(r);
    preselect_single(app);
}

pub fn scripts_loaded(app: &mut App, r: Result<Vec<NamedRef>, String>) {
    if let Err(e) = &r {
        app.toast(Level::Error, format!("scripts: {e}"));
    }
    app.scripts = loaded(r);
    preselect_single(app);
}

pub fn dialer_prereqs_loaded(
    app: &mut App,
    sites: Result<Vec<NamedRef>, String>,
    default_site_id: Option<String>,
    response_sets: Result<Vec<NamedRef>, String>,
) {
    for (what, r) in [
        ("sites", &sites),
        ("call analysis response sets", &response_sets),
    ] {
        if let Err(e) = r {
            app.toast(Level::Error, format!("{what}: {e}"));
        }
    }
    app.sites = loaded(sites);
    app.default_site_id = default_site_id;
    app.response_sets = loaded(response_sets);
    preselect_single(app);
    let fallback = app
        .review
        .as_ref()
        .and_then(|r| super::modes::fall_back(&app.sites, &app.response_sets, r.form.dialing_mode));
    if let (Some((mode, note)), Some(r)) = (fallback, app.review.as_mut()) {
        r.form.dialing_mode = mode;
        app.toast(Level::Info, note);
    }
}

/// With exactly one contact list or script there is nothing to choose: take it.
pub(super) fn preselect_single(app: &mut App) {
    let (Some(r), lists, scripts) = (
        app.review.as_mut(),
        app.contact_lists.ready(),
        app.scripts.ready(),
    ) else {
        return;
    };
    if r.form.contact_list.is_none() && lists.is_some_and(|l| l.len() == 1) {
        r.form.contact_list = Some(0);
        apply_phone_columns(
            r,
            lists.map(Vec::as_slice).unwrap_or(&[]),
            &app.phone_columns,
        );
    }
    if r.form.script.is_none() && scripts.is_some_and(|l| l.len() == 1) {
        r.form.script = Some(0);
    }
    // The org's default site (`organizations/me` `defaultSiteId`), else the only one.
    if r.form.site.is_none()
        && let Some(sites) = app.sites.ready()
    {
        r.form.site = app
            .default_site_id
            .as_ref()
            .and_then(|d| sites.iter().find(|s| &s.id == d))
            .or_else(|| (sites.len() == 1).then(|| &sites[0]))
            .cloned();
    }
    if r.form.response_set.is_none()
        && let Some(sets) = app.response_sets.ready()
        && sets.len() == 1
    {
        r.form.response_set = Some(sets[0].clone());
    }
}

/// The chosen list's phone columns (name and type) into the form: the phone column's type is
/// then the list's own (`ContactList.phoneColumns[].type`), never a guess.
pub(super) fn apply_phone_columns(
    r: &mut Review,
    lists: &[NamedRef],
    columns: &HashMap<String, Vec<(String, String)>>,
) {
    let cols = r
        .form
        .contact_list
        .and_then(|i| lists.get(i))
        .and_then(|l| columns.get(&l.id))
        .cloned()
        .unwrap_or_default();
    r.form.set_list_phone_columns(
        cols.into_iter()
            .map(|(column_name, column_type)| PhoneColumn {
                column_name,
                column_type,
            })
            .collect(),
    );
}
