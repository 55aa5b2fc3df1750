//! One file per screen and popup, each with its draw function and its key handling side by
//! side. This module is the one place that routes to them: a new popup is a variant of
//! [`Overlay`] (with its key [`Context`]), a file here, and a line in each `match` below.

pub mod board;

pub mod campaign_panel;
pub mod confirm;
pub mod dashboard;
pub mod export;
pub mod help;
pub mod models;
pub mod review;
pub mod zone_picker;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;

use crate::tui::action::Effect;
use crate::tui::app::{App, Overlay, Screen, Stage, SubmitState};
use crate::tui::keymap::{Command, Context};

/// Draws the current screen, then the popup over it.
pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    match app.screen {
        Screen::Board => board::draw(f, app, area),
        Screen::Dashboard => dashboard::draw(f, app, area),
        Screen::Review => review::draw(f, app, area),
    }
    match &app.overlay {
        Some(Overlay::Help) => help::draw(f, app, area),
        Some(Overlay::Confirm { text, .. }) => confirm::draw(f, app, area, text),
        Some(Overlay::Export(p)) => export::draw(f, app, area, p),
        Some(Overlay::Models { row }) => models::draw(f, app, area, *row),
        Some(Overlay::ZonePicker(p)) => zone_picker::draw(f, app, area, p),
        Some(Overlay::WhatIf(p)) => dashboard::what_if::draw(f, app, area, p),
        None => {}
    }
}

/// A command in the context that has focus (global commands are handled before).
pub fn command(app: &mut App, ctx: Context, cmd: Command) -> Vec<Effect> {
    match ctx {
        Context::Global | Context::Board => board::command(app, cmd),
        Context::Dashboard => dashboard::command(app, cmd),
        Context::Review => review::command(app, cmd),
        Context::Confirm => confirm::command(app, cmd),
        Context::Export => export::command(app, cmd),
        Context::Models => models::command(app, cmd),
    }
}

/// Typing into the board's filter (after `/`), a form field or the export path. `None` = not consumed.
pub fn text_input(app: &mut App, key: &KeyEvent) -> Option<Vec<Effect>> {
    let typed = typed(key);
    match &app.overlay {
        Some(Overlay::Export(_)) => export::text_input(app, typed),
        Some(Overlay::ZonePicker(_)) => Some(zone_picker::key(app, key)),
        Some(Overlay::WhatIf(_)) => Some(dashboard::what_if::key(app, key)),
        Some(_) => None,
        None => match app.screen {
            Screen::Board => board::text_input(app, typed, key.code == KeyCode::Esc),
            Screen::Review => review::text_input(app, typed),
            Screen::Dashboard => None,
        },
    }
}

/// Pasted text goes into the text field being edited (board filter being edited, form field being
/// edited, export path) as one line, control characters stripped, and never acts as keys: a
/// paste of `x⏎sy` must not end the edit, open the submit confirm and answer it. With no
/// field being edited it is dropped, with a note.
pub fn paste(app: &mut App, text: &str) -> Vec<Effect> {
    let line = crate::text::pasted_line(text);
    let typed_into = match &app.overlay {
        Some(Overlay::Export(_)) => export::paste(app, &line),
        Some(Overlay::ZonePicker(_)) => zone_picker::paste(app, &line),
        Some(Overlay::WhatIf(_)) => dashboard::what_if::paste(app, &line),
        Some(_) => false,
        None => match app.screen {
            Screen::Board => board::paste(app, &line),
            Screen::Review => review::paste(app, &line),
            Screen::Dashboard => false,
        },
    };
    if !typed_into && !line.is_empty() {
        app.toast(
            crate::tui::app::Level::Info,
            "paste ignored: no text field is being edited",
        );
    }
    vec![]
}

/// A key as text input: a plain character, or an editing key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Typed {
    Char(char),
    Backspace,
    /// Enter, Esc or Tab: ends editing a form field.
    Done,
    Other,
}

fn typed(key: &KeyEvent) -> Typed {
    match key.code {
        KeyCode::Char(c)
            if !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
        {
            Typed::Char(c)
        }
        KeyCode::Backspace => Typed::Backspace,
        KeyCode::Enter | KeyCode::Esc | KeyCode::Tab => Typed::Done,
        _ => Typed::Other,
    }
}

/// Quits now: cancels the open queue's running job first.
pub fn quit(app: &mut App) -> Vec<Effect> {
    app.quit = true;
    let mut fx = Vec::new();
    if let Some(s) = &app.session
        && !matches!(s.stage, Stage::Ready | Stage::Failed(_))
    {
        fx.push(Effect::Cancel(s.job));
    }
    fx.push(Effect::Quit);
    fx
}

/// A draft the analyst edited and has not submitted: quitting would lose it.
pub fn unsent_draft(app: &App) -> bool {
    app.review
        .as_ref()
        .is_some_and(|r| r.edited && !matches!(r.submit, SubmitState::Done { .. }))
}
