//! The campaign this draft became, kept on screen after the submit (issue 16): name, id,
//! selfUri, what its schedule is, and the `errors[]` Genesys reports on it; and the short
//! note the status bar shows on every screen while the queue has a campaign.

use chrono::NaiveDateTime;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::review::submit_would_send;
use crate::genesys::RestErrorDetail;
use crate::tui::app::{App, Review, SubmitState};
use crate::tui::keymap::{Command, Context};
use crate::tui::widgets::{block, wrap_hard};

/// Where the campaign stands, as the panel and the status bar tell it.
#[derive(Debug, Clone, PartialEq)]
pub struct CampaignInfo {
    pub name: String,
    pub id: String,
    pub self_uri: String,
    pub schedule: ScheduleState,
    pub errors: Vec<RestErrorDetail>,
}

/// The campaign's schedule, as far as this run knows it.
#[derive(Debug, Clone, PartialEq)]
pub enum ScheduleState {
    /// Stored: `windows` intervals from `first` to `last` (local wall clock of `zone`).
    Stored {
        windows: usize,
        first: Option<NaiveDateTime>,
        last: Option<NaiveDateTime>,
        zone: String,
        /// The selected windows differ from the stored ones: a submit would update it.
        changed: bool,
    },
    /// A draft created without a schedule: it stays off and never dials.
    None,
    /// A schedule PUT is on its way.
    Sending,
    /// The campaign exists but its schedule was not stored.
    Failed(String),
}

/// The campaign of the review `r`, once one exists (or its schedule is being sent).
pub fn info(r: &Review) -> Option<CampaignInfo> {
    let sent = r.sent.as_deref();
    let name = sent.map_or_else(|| r.form.full_name(), |s| s.campaign.name.clone());
    let (id, self_uri, schedule, errors) = match &r.submit {
        SubmitState::Done {
            id,
            self_uri,
            scheduled,
            errors,
        } => {
            let schedule = match (scheduled, sent) {
                (true, Some(s)) => {
                    let local: Vec<_> = s
                        .schedule
                        .intervals
                        .iter()
                        .filter_map(|iv| iv.to_local())
                        .collect();
                    ScheduleState::Stored {
                        windows: local.len(),
                        first: local.iter().map(|w| w.0).min(),
                        last: local.iter().map(|w| w.1).max(),
                        zone: s.schedule.time_zone.clone().unwrap_or_default(),
                        changed: submit_would_send(r),
                    }
                }
                _ => ScheduleState::None,
            };
            (id, self_uri, schedule, errors.clone())
        }
        SubmitState::Failed {
            existing: Some((id, self_uri)),
            error,
            ..
        } => (
            id,
            self_uri,
            ScheduleState::Failed(error.message.clone()),
            vec![],
        ),
        SubmitState::InFlight { .. } => {
            let (id, self_uri) = sent?.existing.as_ref()?;
            (id, self_uri, ScheduleState::Sending, vec![])
        }
        _ => return None,
    };
    Some(CampaignInfo {
        name,
        id: id.clone(),
        self_uri: self_uri.clone(),
        schedule,
        errors,
    })
}

/// "attach" for a draft without a schedule, else "update".
pub fn schedule_verb(r: &Review) -> &'static str {
    match r.submit {
        SubmitState::Done {
            scheduled: false, ..
        } => "attach",
        _ => "update",
    }
}

/// The status bar's note while the open queue's draft became a campaign.
pub fn status_note(app: &App) -> Option<String> {
    let s = app.session.as_ref()?;
    let r = app
        .review
        .as_ref()
        .filter(|r| r.form.queue.id == s.queue.id)?;
    if matches!(r.submit, SubmitState::Unknown { .. }) {
        return Some("campaign unknown: check again".into());
    }
    let c = info(r)?;
    let errors = match c.errors.len() {
        0 => String::new(),
        n => format!(", {n} error(s)"),
    };
    let state = match c.schedule {
        ScheduleState::Stored { changed: true, .. } => "scheduled, selection changed",
        ScheduleState::Stored { .. } => "scheduled",
        ScheduleState::None => "draft, no schedule",
        ScheduleState::Sending => "sending schedule",
        ScheduleState::Failed(_) => "schedule failed",
    };
    Some(format!("campaign {state}{errors}"))
}

/// Draws the panel at the top of `area` when the campaign exists; returns what is left.
pub fn draw(f: &mut Frame, app: &App, r: &Review, area: Rect) -> Rect {
    let Some(c) = info(r) else { return area };
    let inner_w = area.width.saturating_sub(2).max(1) as usize;
    let lines = lines(app, &c, inner_w);
    // Whole where it can be; the request preview keeps at least three rows under it.
    let h = (lines.len() as u16 + 2).min(area.height.saturating_sub(5).max(area.height / 2));
    let [top, rest] = Layout::vertical([Constraint::Length(h), Constraint::Min(0)]).areas(area);
    f.render_widget(Paragraph::new(lines).block(block(app, " Campaign ")), top);
    rest
}

/// Label column width.
const LABEL: usize = 9;

fn lines(app: &App, c: &CampaignInfo, width: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    // A label, then its value wrapped under itself (never cut: ids and URIs are copied).
    let row = |label: &str, value: String, style| -> Vec<Line<'static>> {
        wrap_hard(&value, width.saturating_sub(LABEL))
            .into_iter()
            .enumerate()
            .map(|(i, part)| {
                let label = if i == 0 { label } else { "" };
                Line::from(vec![
                    Span::styled(format!("{label:<LABEL$}"), t.dim),
                    Span::styled(part, style),
                ])
            })
            .collect()
    };
    let fmt =
        |d: Option<NaiveDateTime>| d.map_or("?".into(), |d| d.format("%a %m-%d %H:%M").to_string());
    let submit = app.keymap.hint(Context::Review, Command::Submit);
    let schedule = match &c.schedule {
        ScheduleState::Stored {
            windows,
            first,
            last,
            zone,
            changed,
        } => {
            let mut s = format!(
                "{windows} window(s): Genesys starts it {} and stops it {} {zone}",
                fmt(*first),
                fmt(*last)
            );
            if *changed {
                s.push_str(&format!("; selection changed: {submit} updates it"));
            }
            row("Schedule", s, t.ok)
        }
        ScheduleState::None => row(
            "Schedule",
            format!("none: it stays off and will not dial; {submit} attaches the selected windows"),
            t.base,
        ),
        ScheduleState::Sending => row("Schedule", "sending…".into(), t.base),
        ScheduleState::Failed(e) => row(
            "Schedule",
            format!("not stored: {e}; {submit} puts it again"),
            t.error,
        ),
    };
    let mut out: Vec<Line<'static>> = [
        row("Name", c.name.clone(), t.base),
        row("Id", c.id.clone(), t.base),
        row("selfUri", c.self_uri.clone(), t.base),
        schedule,
    ]
    .concat();
    if c.errors.is_empty() {
        out.extend(row("Errors", "none reported".into(), t.dim));
    }
    for e in &c.errors {
        let text = match &e.details {
            Some(d) => format!("✗ {}: {d}", e.error),
            None => format!("✗ {}", e.error),
        };
        out.extend(row(
            "Errors",
            crate::text::clean(&text).into_owned(),
            t.error,
        ));
    }
    out
}
