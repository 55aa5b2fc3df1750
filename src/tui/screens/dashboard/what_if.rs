//! The what-if prompt (issue 14): the analyst types a number of staffed agents for the window
//! the table's cursor is on or for the whole forecast; spare agents and capacity windows are
//! recomputed from the run's required agents (no refit, no network) until cleared.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::rewindow;
use crate::tui::action::Effect;
use crate::tui::app::{App, Level, Overlay, Scope, StaffedOverride, WhatIfPrompt};
use crate::tui::keymap::{Command, Context};
use crate::tui::widgets::{block, centered, local};

/// The most agents a what-if takes: more is a typo, not a plan.
const MAX_AGENTS: f64 = 10_000.0;

/// Opens the prompt for the focused window (or the whole forecast when there is none).
pub fn open(app: &mut App) {
    let Some(s) = app.session.as_ref() else {
        return;
    };
    let Some(fc) = s.forecast.as_ref() else {
        app.toast(Level::Error, "no forecast yet: wait for it");
        return;
    };
    if fc.staffing.is_none() {
        app.toast(
            Level::Error,
            "no staffing for this run: required agents were not computed (see the warnings)",
        );
        return;
    }
    let window = fc.windows.get(s.table_row).map(|w| (w.start, w.end));
    app.overlay = Some(Overlay::WhatIf(WhatIfPrompt {
        text: String::new(),
        week: window.is_none(),
        window,
        error: None,
    }));
}

/// Removes the override: staffed agents are the source's again.
pub fn clear(app: &mut App) {
    let active = app
        .session
        .as_ref()
        .and_then(|s| s.forecast.as_ref())
        .and_then(|f| f.staffing.as_ref())
        .is_some_and(|st| st.override_.is_some());
    if active {
        rewindow(app, |fc| {
            fc.set_override(None);
        });
        app.toast(
            Level::Info,
            "what-if cleared: staffed agents from the source",
        );
    }
}

/// Every key goes to the prompt: digits and `.` type, Backspace deletes, Tab switches between
/// the window and the whole forecast, Enter applies, Esc cancels.
pub fn key(app: &mut App, key: &KeyEvent) -> Vec<Effect> {
    let Some(Overlay::WhatIf(p)) = &mut app.overlay else {
        return vec![];
    };
    if key
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
    {
        return vec![];
    }
    match key.code {
        KeyCode::Char(c) if c.is_ascii_digit() || c == '.' => {
            if p.text.len() < 8 {
                p.text.push(c);
            }
            p.error = None;
        }
        KeyCode::Backspace => {
            p.text.pop();
            p.error = None;
        }
        KeyCode::Tab | KeyCode::BackTab if p.window.is_some() => p.week = !p.week,
        KeyCode::Esc => app.overlay = None,
        KeyCode::Enter => accept(app),
        _ => {}
    }
    vec![]
}

/// A paste types its digits (anything else is dropped); `false` without the prompt.
pub fn paste(app: &mut App, line: &str) -> bool {
    let Some(Overlay::WhatIf(p)) = &mut app.overlay else {
        return false;
    };
    p.text.extend(
        line.chars()
            .filter(|c| c.is_ascii_digit() || *c == '.')
            .take(8usize.saturating_sub(p.text.len())),
    );
    true
}

/// Parses the typed number: agents on queue, at least 0.
pub fn parse_agents(text: &str) -> Result<f64, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("type a number of agents, e.g. 12".into());
    }
    match t.parse::<f64>() {
        Ok(n) if n.is_finite() && (0.0..=MAX_AGENTS).contains(&n) => Ok(n),
        Ok(_) => Err(format!("use 0 to {MAX_AGENTS:.0} agents")),
        Err(_) => Err(format!("{t:?} is not a number; type e.g. 12 or 7.5")),
    }
}

fn accept(app: &mut App) {
    let Some(Overlay::WhatIf(p)) = &mut app.overlay else {
        return;
    };
    let agents = match parse_agents(&p.text) {
        Ok(n) => n,
        Err(e) => {
            p.error = Some(e);
            return;
        }
    };
    let scope = match (p.week, p.window) {
        (false, Some((start, end))) => Scope::Window { start, end },
        _ => Scope::Week,
    };
    app.overlay = None;
    let o = StaffedOverride { agents, scope };
    rewindow(app, |fc| {
        fc.set_override(Some(o));
    });
}

pub fn draw(f: &mut Frame, app: &App, area: Rect, p: &WhatIfPrompt) {
    let t = &app.theme;
    let r = centered(area, 64, 8);
    f.render_widget(Clear, r);
    let basis = app
        .session
        .as_ref()
        .and_then(|s| s.forecast.as_ref())
        .and_then(|f| f.staffing.as_ref())
        .map(|st| st.settings.staffed_basis);
    let what = match basis {
        Some(crate::config::StaffedBasis::Scheduled) => "scheduled (less shrinkage)",
        _ => "on queue",
    };
    let scope = match (p.week, p.window) {
        (false, Some((a, b))) => {
            let a = local(app.tz, a.timestamp() as f64);
            let b = local(app.tz, b.timestamp() as f64);
            format!(
                "window {}–{}",
                a.format("%a %m-%d %H:%M"),
                b.format("%H:%M")
            )
        }
        _ => "the whole forecast".to_string(),
    };
    let mut lines = vec![
        Line::from(vec![
            Span::styled("Agents ", t.dim),
            Span::raw(p.text.clone()),
            Span::styled("▏", t.title),
            Span::styled(format!(" {what}"), t.dim),
        ]),
        Line::from(vec![
            Span::styled("For    ", t.dim),
            Span::styled(scope, t.title),
            Span::styled(
                if p.window.is_some() {
                    "  (tab switches)"
                } else {
                    ""
                },
                t.dim,
            ),
        ]),
    ];
    if let Some(e) = &p.error {
        lines.push(Line::styled(format!("✗ {e}"), t.error));
    }
    lines.push(Line::styled(
        format!(
            "enter apply · {} cancel · later {} clears it",
            app.keymap.hint(Context::Global, Command::Back),
            app.keymap.hint(Context::Dashboard, Command::ClearWhatIf)
        ),
        t.dim,
    ));
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block(app, " What-if: staffed agents ")),
        r,
    );
}
