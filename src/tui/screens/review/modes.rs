//! Which dialing modes the org can run. Every mode but preview places calls, so it needs a
//! site (or edge group) and a call analysis response set (official SDK
//! `build/docs/Campaign.md`: both "required for all dialing modes except preview"); an org
//! without one cannot run those modes, and the review shows them disabled with the reason.
//! `abandonRate` is a number the analyst types, never something the org may lack.

use crate::campaign::{DIALING_MODES, NamedRef};
use crate::genesys::DialingMode;
use crate::tui::app::Loadable;

/// Whether a dialing mode can be chosen now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModeState {
    Ready,
    /// The sites or response sets are still loading: not known yet, never called disabled.
    Loading,
    /// The org lacks what the mode needs: the reason names what is missing.
    Disabled(String),
}

/// The state of `mode` given the org's sites and call analysis response sets.
pub fn mode_state(
    mode: DialingMode,
    sites: &Loadable<Vec<NamedRef>>,
    response_sets: &Loadable<Vec<NamedRef>>,
) -> ModeState {
    if !mode.needs_edge_and_call_analysis() {
        return ModeState::Ready;
    }
    let (mut absent, mut failed) = (Vec::new(), Vec::new());
    let mut loading = false;
    for (what, l) in [
        ("site", sites),
        ("call analysis response set", response_sets),
    ] {
        match l {
            Loadable::Loading => loading = true,
            Loadable::Failed(_) => failed.push(format!("the {what}s could not be loaded")),
            Loadable::Ready(v) if v.is_empty() => absent.push(format!("no {what}")),
            Loadable::Ready(_) => {}
        }
    }
    let mut reasons = Vec::new();
    if !absent.is_empty() {
        reasons.push(format!("the org has {}", absent.join(" and ")));
    }
    reasons.extend(failed);
    if !reasons.is_empty() {
        ModeState::Disabled(reasons.join("; "))
    } else if loading {
        ModeState::Loading
    } else {
        ModeState::Ready
    }
}

/// The one line under the dialing mode: which modes are disabled and why, or that their
/// prerequisites are still loading; `None` when every mode can be chosen.
pub fn note(
    sites: &Loadable<Vec<NamedRef>>,
    response_sets: &Loadable<Vec<NamedRef>>,
) -> Option<(bool, String)> {
    let mut loading = Vec::new();
    let mut disabled: Vec<(String, String)> = Vec::new();
    for mode in DIALING_MODES {
        match mode_state(mode, sites, response_sets) {
            ModeState::Ready => {}
            ModeState::Loading => loading.push(mode.to_string()),
            ModeState::Disabled(why) => disabled.push((mode.to_string(), why)),
        }
    }
    if let Some((_, why)) = disabled.first() {
        let names: Vec<&str> = disabled.iter().map(|(m, _)| m.as_str()).collect();
        return Some((true, format!("{} disabled: {why}", names.join(", "))));
    }
    (!loading.is_empty()).then(|| {
        (
            false,
            format!("{}: loading sites and response sets…", loading.join(", ")),
        )
    })
}

/// The mode after (or before) `cur`, skipping the disabled ones, and a note naming those
/// skipped and why.
pub fn next_mode(
    sites: &Loadable<Vec<NamedRef>>,
    response_sets: &Loadable<Vec<NamedRef>>,
    cur: usize,
    back: bool,
) -> (usize, Option<String>) {
    let n = DIALING_MODES.len();
    let mut at = cur % n;
    let mut skipped: Vec<(String, String)> = Vec::new();
    for _ in 0..n {
        at = super::cycle(Some(at), n, back).unwrap_or(0);
        match mode_state(DIALING_MODES[at], sites, response_sets) {
            ModeState::Disabled(why) => skipped.push((DIALING_MODES[at].to_string(), why)),
            _ => break,
        }
    }
    let note = skipped.first().map(|(_, why)| {
        let names: Vec<&str> = skipped.iter().map(|(m, _)| m.as_str()).collect();
        format!("{} skipped (disabled): {why}", names.join(", "))
    });
    (at, note)
}

/// The mode to use once the org's lists arrived: the chosen one if the org can run it, else
/// preview (it needs neither a site nor a response set), with a note saying why.
pub fn fall_back(
    sites: &Loadable<Vec<NamedRef>>,
    response_sets: &Loadable<Vec<NamedRef>>,
    cur: usize,
) -> Option<(usize, String)> {
    let mode = DIALING_MODES[cur % DIALING_MODES.len()];
    match mode_state(mode, sites, response_sets) {
        ModeState::Disabled(why) => Some((
            0,
            format!("{mode} dialing is disabled ({why}): the review uses preview"),
        )),
        _ => None,
    }
}
