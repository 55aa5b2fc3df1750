//! The campaign review: the form beside the exact requests it will send, the keys that edit
//! it, the submit (asked first, sent once), and the lists and outcome that arrive for it.

mod draw;
mod lists;
mod modes;

pub use draw::draw;
use lists::{apply_phone_columns, preselect_single};
pub use lists::{contact_lists_loaded, dialer_prereqs_loaded, scripts_loaded};
pub use modes::{ModeState, mode_state};

use super::Typed;
use crate::campaign::{CampaignForm, Field, NamedRef, PHONE_TYPES, marker};
use crate::tui::action::{ApiFailure, Effect, JobId, SubmitOutcome, SubmitRequest};
use crate::tui::app::{App, Level, Overlay, Pending, Review, Screen, SubmitState};
use crate::tui::keymap::Command;

fn lists(app: &App) -> &[NamedRef] {
    app.contact_lists.ready().map(Vec::as_slice).unwrap_or(&[])
}

fn scripts(app: &App) -> &[NamedRef] {
    app.scripts.ready().map(Vec::as_slice).unwrap_or(&[])
}

/// While a text field is being edited, keys type into it.
pub fn text_input(app: &mut App, key: Typed) -> Option<Vec<Effect>> {
    let r = app.review.as_mut()?;
    if !r.editing {
        return None;
    }
    let field = r.field();
    match key {
        Typed::Done => r.editing = false,
        Typed::Char(c) => {
            r.form.text_mut(field)?.push(c);
            r.edited = true;
        }
        Typed::Backspace => {
            let removed = r.form.text_mut(field)?.pop().is_some();
            r.edited |= removed;
        }
        Typed::Other => {}
    }
    Some(vec![])
}

/// A paste into the text field being edited; `false` when none is.
pub fn paste(app: &mut App, line: &str) -> bool {
    let Some(r) = app.review.as_mut() else {
        return false;
    };
    if !r.editing || r.locked() {
        return false;
    }
    let field = r.field();
    let Some(text) = r.form.text_mut(field) else {
        return false;
    };
    text.push_str(line);
    r.edited |= !line.is_empty();
    true
}

pub fn command(app: &mut App, cmd: Command) -> Vec<Effect> {
    let Some(r) = app.review.as_mut() else {
        app.screen = Screen::Dashboard;
        return vec![];
    };
    let n = Field::ALL.len();
    match cmd {
        Command::Back => app.screen = Screen::Dashboard,
        Command::ScrollDown => r.preview_scroll = r.preview_scroll.saturating_add(5),
        Command::ScrollUp => r.preview_scroll = r.preview_scroll.saturating_sub(5),
        Command::Up => r.focus = (r.focus + n - 1) % n,
        Command::Down => r.focus = (r.focus + 1) % n,
        Command::Edit | Command::PrevOption | Command::NextOption => edit(app, cmd),
        Command::Submit => return ask_to_submit(app),
        Command::CreateDraft => return ask_to_create_draft(app),
        _ => {}
    }
    vec![]
}

/// Enter starts typing into a text field; ←/→ cycle a choice.
fn edit(app: &mut App, cmd: Command) {
    let lists_len = lists(app).len();
    let scripts_len = scripts(app).len();
    let Some(r) = app.review.as_mut() else { return };
    if r.locked() {
        return;
    }
    let field = r.field();
    if field.is_text() {
        if cmd == Command::Edit {
            r.editing = true;
        }
        return;
    }
    let back = cmd == Command::PrevOption;
    r.edited = true;
    // A dialing mode skipped because the org cannot run it: said after the form is changed.
    let mut note = None;
    let f = &mut r.form;
    match field {
        Field::ContactList => {
            f.contact_list = cycle(f.contact_list, lists_len, back);
            let lists = app.contact_lists.ready().map(Vec::as_slice).unwrap_or(&[]);
            apply_phone_columns(r, lists, &app.phone_columns);
        }
        Field::Script => f.script = cycle(f.script, scripts_len, back),
        Field::DialingMode => {
            let (mode, skipped) =
                modes::next_mode(&app.sites, &app.response_sets, f.dialing_mode, back);
            f.dialing_mode = mode;
            note = skipped;
        }
        // A column the contact list names has the list's type: nothing to choose.
        Field::PhoneType if f.list_phone_type().is_some() => {}
        Field::PhoneType => {
            f.phone_type = cycle(Some(f.phone_type), PHONE_TYPES.len(), back).unwrap_or(0)
        }
        Field::Site => {
            let v = app.sites.ready().map(Vec::as_slice).unwrap_or(&[]);
            f.site = cycle_named(f.site.as_ref(), v, back);
        }
        Field::ResponseSet => {
            let v = app.response_sets.ready().map(Vec::as_slice).unwrap_or(&[]);
            f.response_set = cycle_named(f.response_set.as_ref(), v, back);
        }
        _ => {}
    }
    if let Some(note) = note {
        app.toast(Level::Info, note);
    }
}

/// The next (or previous) entry of `list` after `cur`.
fn cycle_named(cur: Option<&NamedRef>, list: &[NamedRef], back: bool) -> Option<NamedRef> {
    let at = cur.and_then(|c| list.iter().position(|x| x.id == c.id));
    cycle(at, list.len(), back).and_then(|i| list.get(i).cloned())
}

pub(super) fn cycle(cur: Option<usize>, len: usize, back: bool) -> Option<usize> {
    if len == 0 {
        return None;
    }
    Some(match (cur, back) {
        (None, false) => 0,
        (None, true) => len - 1,
        (Some(i), false) => (i + 1) % len,
        (Some(i), true) => (i + len - 1) % len,
    })
}

/// Validates, then asks for confirmation; the confirmation holds the submit.
fn ask_to_submit(app: &mut App) -> Vec<Effect> {
    let problems = match &app.review {
        None
        | Some(Review {
            submit: SubmitState::InFlight { .. },
            ..
        }) => return vec![],
        Some(
            r @ Review {
                submit: SubmitState::Done { id, scheduled, .. },
                ..
            },
        ) => {
            if !submit_would_send(r) {
                let text = format!("already created as {id} with this schedule; not sending again");
                app.toast(Level::Info, text);
                return vec![];
            }
            if r.form.windows.is_empty() {
                app.toast(
                    Level::Error,
                    "no windows selected: go back and toggle at least one low-volume window",
                );
                return vec![];
            }
            // The campaign exists: a submit with other windows only replaces its schedule
            // (version-checked PUT), or attaches one to a draft; never a second campaign.
            let verb = if *scheduled { "Update" } else { "Attach" };
            let text = format!(
                "{verb} the schedule of campaign {id}? {}",
                r.form
                    .confirm_text_at(app.now, app.schedule_margin)
                    .split_once("? ")
                    .map_or("", |(_, rest)| rest)
            );
            app.overlay = Some(Overlay::Confirm {
                text,
                pending: Pending::Submit,
            });
            return vec![];
        }
        Some(Review {
            submit: SubmitState::Unknown { .. },
            ..
        }) => {
            // A lookup creates nothing, so it needs no confirmation.
            return start_submit(app);
        }
        Some(r) => r.form.validate(lists(app), scripts(app)),
    };
    let Some(r) = &app.review else {
        return vec![];
    };
    let text = r.form.confirm_text_at(app.now, app.schedule_margin);
    confirm_unless_problems(app, &problems, "submitting", text, Pending::Submit)
}

/// With `problems`, focuses the first and says how many stand `before` the action; without,
/// opens the confirm for `pending` with `text`.
fn confirm_unless_problems<P>(
    app: &mut App,
    problems: &[(Field, P)],
    before: &str,
    text: String,
    pending: Pending,
) -> Vec<Effect> {
    let Some(r) = app.review.as_mut() else {
        return vec![];
    };
    if let Some((field, _)) = problems.first() {
        r.focus = Field::ALL.iter().position(|f| f == field).unwrap_or(0);
        let n = problems.len();
        app.toast(
            Level::Error,
            format!("{n} field(s) need attention before {before}"),
        );
        return vec![];
    }
    app.overlay = Some(Overlay::Confirm { text, pending });
    vec![]
}

/// "Create without schedule": validates the campaign alone (no windows needed), then asks
/// with a confirm that says nothing will dial; only before the campaign exists.
fn ask_to_create_draft(app: &mut App) -> Vec<Effect> {
    let Some(r) = &app.review else {
        return vec![];
    };
    if !matches!(
        r.submit,
        SubmitState::Idle | SubmitState::Failed { existing: None, .. }
    ) {
        let text = match r.campaign() {
            Some((id, _)) => format!("campaign {id} exists already: nothing more is created"),
            None => "a submit is under way or unresolved: nothing more is created".into(),
        };
        app.toast(Level::Info, text);
        return vec![];
    }
    let problems = r.form.validate_campaign(lists(app), scripts(app));
    let text = r.form.draft_confirm_text();
    let before = "creating the campaign";
    confirm_unless_problems(app, &problems, before, text, Pending::CreateDraft)
}

/// Whether the submit key would send something now: before the campaign exists, or once it
/// exists when it has no schedule yet or the selected windows differ from the stored ones.
pub fn submit_would_send(r: &Review) -> bool {
    match &r.submit {
        SubmitState::InFlight { .. } => false,
        SubmitState::Done {
            scheduled: false, ..
        } => true,
        SubmitState::Done { .. } => {
            r.sent.as_ref().map(|s| &s.schedule.intervals) != Some(&r.form.schedule("").intervals)
        }
        _ => true,
    }
}

/// Opens the review of the selected windows (the same draft when it is this queue's).
pub fn open(app: &mut App) -> Vec<Effect> {
    let Some(s) = &app.session else {
        return vec![];
    };
    if s.forecast.is_none() {
        app.toast(
            Level::Error,
            "no windows yet: wait for the forecast before reviewing a campaign",
        );
        return vec![];
    }
    let windows = s.selected_windows();
    let queue_id = s.queue.id.clone();
    let mut effects = Vec::new();
    match &mut app.review {
        Some(r) if r.form.queue.id == s.queue.id => {
            if r.follows_selection() {
                r.form.windows = windows;
            }
        }
        _ => {
            let mut form = CampaignForm::new(s.queue.clone(), app.today, app.tz, windows);
            form.marker = marker(app.submission_salt, &s.queue.id, app.next_job);
            app.next_job += 1;
            app.review = Some(Review {
                form,
                focus: 0,
                editing: false,
                edited: false,
                submit: SubmitState::Idle,
                sent: None,
                preview_scroll: 0,
            });
            // An earlier run may have left this queue's submission unresolved.
            effects.push(Effect::LoadPending(queue_id));
        }
    }
    app.screen = Screen::Review;
    preselect_single(app);
    if !app.pickers_requested {
        app.pickers_requested = true;
        effects.extend([
            Effect::LoadContactLists,
            Effect::LoadScripts,
            Effect::LoadDialerPrereqs,
        ]);
    }
    effects
}

/// An unresolved submission from an earlier run: the review shows the state as unknown and
/// the submit key checks again with exactly the request that was sent.
pub fn pending_loaded(
    app: &mut App,
    queue_id: &str,
    result: Result<Option<Box<SubmitRequest>>, String>,
) {
    let Some(r) = &mut app.review else { return };
    if r.form.queue.id != queue_id || !matches!(r.submit, SubmitState::Idle) {
        return;
    }
    let request = match result {
        Ok(None) => return,
        Ok(Some(req)) => req,
        Err(e) => {
            app.toast(Level::Error, e);
            return;
        }
    };
    let name = request.campaign.name.clone();
    r.submit = match request.existing.clone() {
        // The campaign exists; only its schedule is unconfirmed: a submit PUTs it again.
        Some(existing) => SubmitState::Failed {
            error: ApiFailure {
                message: format!(
                    "an earlier run created {name:?} but did not confirm its schedule; submit again to put it"
                ),
                correlation_id: None,
            },
            uncertain: false,
            existing: Some(existing),
        },
        None => SubmitState::Unknown {
            error: ApiFailure {
                message: format!(
                    "an earlier run sent {name:?} and never learned whether it was created"
                ),
                correlation_id: None,
            },
            request,
        },
    };
}

/// The draft's schedule follows the dashboard's selection until it is sent.
pub fn follow_selection(app: &mut App) {
    if let Some(r) = &mut app.review
        && r.follows_selection()
    {
        r.form.windows = app
            .session
            .as_ref()
            .map(|s| s.selected_windows())
            .unwrap_or_default();
    }
}

/// The confirmed submit: one request, carrying what earlier attempts learned.
pub fn start_submit(app: &mut App) -> Vec<Effect> {
    start(app, false)
}

/// The confirmed "create without schedule": the campaign alone, never its schedule.
pub fn start_draft(app: &mut App) -> Vec<Effect> {
    start(app, true)
}

fn start(app: &mut App, without_schedule: bool) -> Vec<Effect> {
    let job = app.next_job;
    let campaign = match &app.review {
        Some(r) => r.form.campaign(lists(app), scripts(app)),
        None => return vec![],
    };
    let Some(r) = app.review.as_mut() else {
        return vec![];
    };
    let request = match &r.submit {
        SubmitState::Idle => SubmitRequest {
            campaign,
            schedule: r.form.schedule(""),
            lookup_by_name_first: false,
            existing: None,
            check_only: false,
            without_schedule,
        },
        SubmitState::Failed {
            uncertain,
            existing,
            ..
        } => SubmitRequest {
            campaign,
            schedule: r.form.schedule(""),
            lookup_by_name_first: *uncertain,
            existing: existing.clone(),
            check_only: false,
            without_schedule: without_schedule && existing.is_none(),
        },
        // The campaign exists: only its schedule is PUT again.
        SubmitState::Done { .. } if without_schedule => return vec![],
        SubmitState::Done { id, self_uri, .. } => SubmitRequest {
            campaign,
            schedule: r.form.schedule(""),
            lookup_by_name_first: false,
            existing: Some((id.clone(), self_uri.clone())),
            check_only: false,
            without_schedule: false,
        },
        // Check again: exactly what was sent, looked up only.
        SubmitState::Unknown { request, .. } => SubmitRequest {
            check_only: true,
            ..(**request).clone()
        },
        // In flight or done: never send a second create.
        _ => return vec![],
    };
    app.next_job += 1;
    r.submit = SubmitState::InFlight { job };
    r.sent = Some(Box::new(request.clone()));
    r.editing = false;
    vec![Effect::Submit {
        job,
        request: Box::new(request),
    }]
}

pub fn submit_finished(app: &mut App, job: JobId, outcome: SubmitOutcome) {
    let Some(r) = &mut app.review else {
        return;
    };
    if r.submit != (SubmitState::InFlight { job }) {
        return;
    }
    let (level, text) = match outcome {
        SubmitOutcome::Done {
            id,
            self_uri,
            scheduled,
            errors,
        } => {
            let existed = r.sent.as_ref().is_some_and(|s| s.existing.is_some());
            let mut text = match (scheduled, existed) {
                (false, _) => format!("campaign created without schedule (will not dial): {id}"),
                (true, true) => format!("schedule of campaign {id} stored"),
                (true, false) => format!("campaign created (off) with its schedule: {id}"),
            };
            let level = if errors.is_empty() {
                Level::Info
            } else {
                text = format!("{text}; Genesys reports {} error(s)", errors.len());
                Level::Error
            };
            r.submit = SubmitState::Done {
                id,
                self_uri,
                scheduled,
                errors,
            };
            (level, text)
        }
        SubmitOutcome::ScheduleFailed {
            id,
            self_uri,
            error,
        } => {
            let text = format!(
                "campaign {id} created, schedule failed: {}; submit again to retry the schedule",
                error.message
            );
            r.submit = SubmitState::Failed {
                error,
                uncertain: false,
                existing: Some((id, self_uri)),
            };
            (Level::Error, text)
        }
        SubmitOutcome::Failed { error, timed_out } => {
            let text = format!("submit failed: {}", error.message);
            r.submit = SubmitState::Failed {
                error,
                uncertain: timed_out,
                existing: None,
            };
            (Level::Error, text)
        }
        SubmitOutcome::Unknown { error } => {
            let text = error.message.clone();
            let request = r.sent.take().map(|s| SubmitRequest {
                lookup_by_name_first: true,
                check_only: false,
                ..*s
            });
            r.submit = match request {
                Some(request) => SubmitState::Unknown {
                    error,
                    request: Box::new(request),
                },
                // Cannot happen (the request is kept while in flight); never re-enable a create.
                None => SubmitState::Unknown {
                    error,
                    request: Box::new(SubmitRequest {
                        campaign: r.form.campaign(&[], &[]),
                        schedule: r.form.schedule(""),
                        lookup_by_name_first: true,
                        existing: None,
                        check_only: true,
                        without_schedule: false,
                    }),
                },
            };
            (Level::Error, text)
        }
    };
    app.toast(level, text);
}
