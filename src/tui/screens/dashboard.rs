//! The dashboard of one queue: chart, low-volume windows table and model panel; the keys that
//! move through them; and the history and forecast results that fill them.

mod chart;
mod marks;
mod panels;
mod staffing;
pub mod what_if;

use std::collections::HashMap;

use std::sync::Arc;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};

use super::review;
use crate::campaign::NamedRef;
use crate::export::ExportFormat;
use crate::forecast::pipeline::{ModelSelection, PipelineOutput};
use crate::tui::action::{Effect, History, JobId};
use crate::tui::app::{
    AUTO_MODEL, App, ExportPrompt, ForecastView, Level, Overlay, Screen, Session, Stage,
    SubmitState, WindowRule,
};
use crate::tui::keymap::Command;
use crate::tui::view::keep_tournament;

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let Some(s) = &app.session else { return };
    let table_h = if area.height >= 34 { 12 } else { 9 };
    let [chart, bottom] =
        Layout::vertical([Constraint::Min(8), Constraint::Length(table_h)]).areas(area);
    let [table, panel] =
        Layout::horizontal([Constraint::Percentage(62), Constraint::Percentage(38)]).areas(bottom);
    chart::draw(f, app, s, chart);
    panels::draw_windows(f, app, s, table);
    panels::draw_panel(f, app, s, panel);
}

/// The campaign this queue's forecast already has, for the windows panel: name, id and what
/// its schedule is (a placeholder the dashboard slice may restyle).
pub fn campaign_status(app: &App) -> Option<String> {
    let s = app.session.as_ref()?;
    let r = app
        .review
        .as_ref()
        .filter(|r| r.form.queue.id == s.queue.id)?;
    match &r.submit {
        SubmitState::Done {
            id,
            scheduled: false,
            ..
        } => Some(format!(
            "campaign \"{}\" {id} · no schedule: will not dial until one is attached",
            r.form.full_name()
        )),
        SubmitState::Done { id, .. } => {
            let sent = r.sent.as_ref().map_or(0, |q| q.schedule.intervals.len());
            let changed = r.sent.as_ref().map(|q| &q.schedule.intervals)
                != Some(&r.form.schedule("").intervals);
            Some(format!(
                "campaign \"{}\" {id} · scheduled, {sent} window(s){}",
                r.form.full_name(),
                if changed {
                    " · selection changed: submit to update"
                } else {
                    ""
                }
            ))
        }
        SubmitState::Unknown { .. } => Some(format!(
            "campaign \"{}\": creation unknown, check again in the review",
            r.form.full_name()
        )),
        _ => None,
    }
}

pub fn command(app: &mut App, cmd: Command) -> Vec<Effect> {
    let Some(s) = app.session.as_mut() else {
        app.screen = Screen::Board;
        return vec![];
    };
    match cmd {
        Command::Up => s.table_row = s.table_row.saturating_sub(1),
        Command::Down => {
            let n = s.forecast.as_ref().map_or(0, |f| f.windows.len());
            s.table_row = (s.table_row + 1).min(n.saturating_sub(1));
        }
        Command::ToggleWindow => {
            if let Some(f) = s.selected.get_mut(s.table_row) {
                *f = !*f;
            }
            review::follow_selection(app);
        }
        Command::PrevWindow | Command::NextWindow => jump_to_window(s, cmd == Command::NextWindow),
        Command::WindowRule => toggle_rule(app),
        Command::WhatIf => what_if::open(app),
        Command::ClearWhatIf => what_if::clear(app),
        Command::CursorLeft
        | Command::CursorRight
        | Command::CursorDayBack
        | Command::CursorDayForward
        | Command::CursorPageBack
        | Command::CursorPageForward
        | Command::CursorFirst
        | Command::CursorLast
        | Command::PanLeft
        | Command::PanRight
        | Command::ZoomIn
        | Command::ZoomOut => move_view(s, cmd),
        Command::ResetView => s.reset_view(),
        Command::Refresh => return refresh(app),
        // The board comes back as it was left: its filter, sort, selection and scroll.
        Command::PickQueue | Command::Back => app.screen = Screen::Board,
        Command::Review => return review::open(app),
        Command::Models => open_models(app),
        Command::Export => open_export(app),
        _ => {}
    }
    vec![]
}

/// Capacity ↔ quartile windows; without staffed agents it says why it stays on quartile.
fn toggle_rule(app: &mut App) {
    let Some(fc) = app.session.as_ref().and_then(|s| s.forecast.as_ref()) else {
        return;
    };
    if !fc.capacity_available() {
        app.toast(
            Level::Info,
            "no staffed agents: quartile windows only (set [staffing] source, or a what-if)",
        );
        return;
    }
    let next = match fc.rule {
        WindowRule::Capacity => WindowRule::Quartile,
        WindowRule::Quartile => WindowRule::Capacity,
    };
    rewindow(app, |fc| fc.set_rule(next));
}

/// Changes the windows on screen (rule or what-if), keeping the analyst's toggles of windows
/// that still exist (new ones start selected); the review's schedule follows.
pub fn rewindow(app: &mut App, change: impl FnOnce(&mut ForecastView)) {
    let Some(s) = app.session.as_mut() else {
        return;
    };
    let Some(fc) = s.forecast.as_mut() else {
        return;
    };
    let previous: HashMap<_, bool> = fc
        .windows
        .iter()
        .map(|w| (w.start, w.end))
        .zip(s.selected.iter().copied())
        .collect();
    change(fc);
    s.selected = fc
        .windows
        .iter()
        .map(|w| previous.get(&(w.start, w.end)).copied().unwrap_or(true))
        .collect();
    s.table_row = s.table_row.min(fc.windows.len().saturating_sub(1));
    review::follow_selection(app);
}

/// Cursor, pan and zoom keys on the chart.
fn move_view(s: &mut Session, cmd: Command) {
    let (Some(e), Some(v)) = (s.extent(), s.view.as_mut()) else {
        return;
    };
    match cmd {
        Command::CursorLeft => v.step_cursor(false, e),
        Command::CursorRight => v.step_cursor(true, e),
        Command::CursorDayBack => v.set_cursor(v.cursor - DAY, e),
        Command::CursorDayForward => v.set_cursor(v.cursor + DAY, e),
        Command::CursorPageBack => v.set_cursor(v.cursor - v.span(), e),
        Command::CursorPageForward => v.set_cursor(v.cursor + v.span(), e),
        Command::CursorFirst => v.set_cursor(e.lo, e),
        Command::CursorLast => v.set_cursor(e.hi, e),
        Command::PanLeft => v.pan(false, e),
        Command::PanRight => v.pan(true, e),
        Command::ZoomIn => v.zoom(true, e),
        Command::ZoomOut => v.zoom(false, e),
        _ => {}
    }
}

const DAY: f64 = 86_400.0;

/// The next (or previous) window after (before) the cursor: the table selects it and the
/// cursor goes to its first bucket; at the last (first) window nothing moves.
fn jump_to_window(s: &mut Session, forward: bool) {
    let (Some(e), Some(f)) = (s.extent(), s.forecast.as_ref()) else {
        return;
    };
    let Some(v) = s.view.as_mut() else {
        return;
    };
    let starts = f.windows.iter().map(|w| w.start.timestamp() as f64);
    let found = if forward {
        starts.enumerate().find(|&(_, t)| t > v.cursor)
    } else {
        starts.enumerate().rev().find(|&(_, t)| t < v.cursor)
    };
    if let Some((row, t)) = found {
        s.table_row = row;
        v.set_cursor(t, e);
    }
}

/// Re-fetches the open queue's history (the fit follows), unless work is already running.
fn refresh(app: &mut App) -> Vec<Effect> {
    let busy = |s: &Session| matches!(s.stage, Stage::Fetching { .. } | Stage::Fitting);
    if app.session.as_ref().is_none_or(busy) {
        return vec![];
    }
    fetch_open_queue(app)
}

/// Starts the open queue's history fetch under a new job, counted by the queue's media.
pub fn fetch_open_queue(app: &mut App) -> Vec<Effect> {
    let job = app.next_job;
    let Some(s) = app.session.as_mut() else {
        return vec![];
    };
    app.next_job += 1;
    s.job = job;
    s.stage = Stage::Fetching { done: 0, total: 0 };
    let media = app
        .board
        .media
        .get(&s.queue.id)
        .cloned()
        .unwrap_or_default();
    vec![Effect::FetchHistory {
        job,
        queue: s.queue.clone(),
        media,
    }]
}

fn open_models(app: &mut App) {
    let Some(f) = app.session.as_ref().and_then(|s| s.forecast.as_ref()) else {
        app.toast(Level::Error, "no models yet: wait for the forecast");
        return;
    };
    let row = f
        .tournament
        .iter()
        .position(|r| r.model == f.model)
        .unwrap_or(0);
    app.overlay = Some(Overlay::Models { row });
}

fn open_export(app: &mut App) {
    let Some(s) = app.session.as_ref().filter(|s| s.forecast.is_some()) else {
        app.toast(Level::Error, "nothing to export yet: wait for the forecast");
        return;
    };
    let slug: String = s
        .queue
        .name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    app.overlay = Some(Overlay::Export(ExportPrompt {
        path: format!("./forecast_{slug}_{}.json", app.today.format("%Y-%m-%d")),
        format: ExportFormat::Json,
        error: None,
        writing: false,
    }));
}

/// Starts (or returns to) a queue; anything running for another queue is cancelled.
pub fn open_queue(app: &mut App, queue: NamedRef) -> Vec<Effect> {
    app.screen = Screen::Dashboard;
    if let Some(s) = &app.session
        && s.queue.id == queue.id
        && !matches!(s.stage, Stage::Failed(_))
    {
        return vec![];
    }
    let mut fx = Vec::new();
    if let Some(s) = &app.session
        && !matches!(s.stage, Stage::Ready | Stage::Failed(_))
    {
        fx.push(Effect::Cancel(s.job));
    }
    if app
        .review
        .as_ref()
        .is_some_and(|r| r.form.queue.id != queue.id)
    {
        app.review = None;
    }
    let job = app.next_job;
    app.next_job += 1;
    app.last_queue = Some(queue.id.clone());
    fx.push(Effect::SaveLastQueue(queue.clone()));
    if app.needs_zone(&queue.name) {
        // The fetch waits for the picker's answer (see `zone_picker`).
        super::zone_picker::open(app);
    } else {
        fx.push(Effect::FetchHistory {
            job,
            queue: queue.clone(),
            media: app.board.media.get(&queue.id).cloned().unwrap_or_default(),
        });
    }
    app.session = Some(Session::new(queue, job, app.default_model.clone()));
    fx
}

/// The session for `job`, or `None` when the result is stale (the user moved on).
fn live_session(app: &mut App, job: JobId) -> Option<&mut Session> {
    app.session.as_mut().filter(|s| s.job == job)
}

pub fn history_progress(app: &mut App, job: JobId, done: usize, total: usize) {
    if let Some(s) = live_session(app, job)
        && matches!(s.stage, Stage::Fetching { .. })
    {
        s.stage = Stage::Fetching { done, total };
    }
}

/// History arrived: show it and fit the session's model on it.
pub fn history_loaded(
    app: &mut App,
    job: JobId,
    result: Result<Arc<History>, String>,
) -> Vec<Effect> {
    let Some(s) = live_session(app, job) else {
        return vec![];
    };
    match result {
        Ok(history) => {
            // A refresh of the same queue keeps the view; a first load sets one up.
            let refresh = s.history.is_some() && s.view.is_some();
            s.history = Some(history.clone());
            s.stage = Stage::Fitting;
            s.keep_view = refresh;
            if refresh {
                s.clamp_view();
            } else {
                s.reset_view();
            }
            vec![Effect::Fit {
                job,
                model: s.model.clone(),
                history,
            }]
        }
        Err(e) => {
            s.stage = Stage::Failed(e.clone());
            app.toast(Level::Error, format!("history: {e}"));
            vec![]
        }
    }
}

/// A fit finished: keep the run for the export, show its view, keep the analyst's toggles of
/// windows that still exist (new ones start selected) and their pan and zoom when asked to.
pub fn forecast_ready(app: &mut App, job: JobId, output: Arc<PipelineOutput>) {
    let Some(s) = live_session(app, job) else {
        return;
    };
    let (output, kept) = with_tournament(&mut s.auto_selection, output);
    let mut forecast = ForecastView::of(&output, kept.as_ref());
    // A refit keeps the analyst's rule and what-if.
    if let Some(prev) = &s.forecast {
        if let Some(o) = prev.staffing.as_ref().and_then(|st| st.override_) {
            forecast.set_override(Some(o));
        }
        forecast.set_rule(prev.rule);
    }
    let previous: HashMap<_, bool> = s
        .forecast
        .iter()
        .flat_map(|f| f.windows.iter().map(|w| (w.start, w.end)))
        .zip(s.selected.iter().copied())
        .collect();
    s.selected = forecast
        .windows
        .iter()
        .map(|w| previous.get(&(w.start, w.end)).copied().unwrap_or(true))
        .collect();
    s.table_row = s.table_row.min(forecast.windows.len().saturating_sub(1));
    s.model = forecast.requested.clone();
    s.forecast = Some(forecast);
    s.output = Some(output);
    s.stage = Stage::Ready;
    if std::mem::take(&mut s.keep_view) && s.view.is_some() {
        s.clamp_view();
    } else {
        s.reset_view();
    }
    review::follow_selection(app);
}

/// Remembers an `auto` run's selection; a named model's run gets the remembered table (the
/// one place that keeps it, for the screen and the export alike). Returns the run and, if
/// the table was kept, the selection it came from.
fn with_tournament(
    auto: &mut Option<ModelSelection>,
    mut output: Arc<PipelineOutput>,
) -> (Arc<PipelineOutput>, Option<ModelSelection>) {
    let Some(sel) = output.selection.as_ref() else {
        return (output, None);
    };
    if sel.requested == AUTO_MODEL {
        *auto = Some(sel.clone());
        return (output, None);
    }
    let Some(a) = auto.as_ref() else {
        return (output, None);
    };
    let kept = keep_tournament(a, Arc::make_mut(&mut output));
    (output, kept.then(|| a.clone()))
}

pub fn fit_failed(app: &mut App, job: JobId, message: String) {
    let Some(s) = live_session(app, job) else {
        return;
    };
    s.stage = Stage::Failed(message.clone());
    s.keep_view = false;
    // The forecast on screen is still the earlier model's: refresh with that one.
    if let Some(f) = &s.forecast {
        s.model = f.requested.clone();
    }
    app.toast(Level::Error, format!("forecast failed: {message}"));
}
