//! The `?` overlay: the keys of the screen underneath and the global ones, read from the
//! loaded keymap so it can't drift from what the keys do.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::quit;
use crate::tui::action::Effect;
use crate::tui::app::{App, Screen};
use crate::tui::keymap::{Command, Context};
use crate::tui::widgets::{block, centered};

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let screen_ctx = match app.screen {
        Screen::Board => Context::Board,
        Screen::Dashboard => Context::Dashboard,
        Screen::Review => Context::Review,
    };
    let mut lines = Vec::new();
    for ctx in [screen_ctx, Context::Global] {
        lines.push(Line::styled(format!("[{}]", ctx.name()), t.title));
        for &cmd in ctx.commands() {
            let keys = app.keymap.keys(ctx, cmd);
            if keys.is_empty() {
                continue;
            }
            let keys = keys.iter().map(|k| k.to_string()).collect::<Vec<_>>();
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<10}", keys.join(" ")), t.key),
                Span::raw(cmd.describe()),
            ]));
        }
    }
    let note = match screen_ctx {
        Context::Board => Some("after / letters filter by name; enter keeps it, esc clears it"),
        Context::Review => Some("while editing, type; enter/esc/tab ends it"),
        _ => None,
    };
    if let Some(n) = note {
        lines.push(Line::styled(format!("  {n}"), t.dim));
    }
    draw_columns(f, app, area, lines);
}

/// One column sized to the content when it fits the height, else two side by side; what still
/// does not fit ends in a "+N more" line, never silently cut.
fn draw_columns(f: &mut Frame, app: &App, area: Rect, mut lines: Vec<Line<'static>>) {
    let inner_h = area.height.saturating_sub(2).max(1) as usize;
    let cols = if lines.len() <= inner_h { 1 } else { 2 };
    let per_col = lines.len().div_ceil(cols).min(inner_h);
    if lines.len() > per_col * cols {
        let hidden = lines.len() - (per_col * cols - 1);
        lines.truncate(per_col * cols - 1);
        lines.push(Line::styled(
            format!("  +{hidden} more: enlarge the terminal"),
            app.theme.dim,
        ));
    }
    let col_w = lines.iter().map(Line::width).max().unwrap_or(0) as u16 + 1;
    let w = col_w * cols as u16 + 2;
    let r = centered(area, w, per_col as u16 + 2);
    f.render_widget(Clear, r);
    let b = block(app, " Help · keys from keybindings.toml ");
    let inner = b.inner(r);
    f.render_widget(b, r);
    let areas = Layout::horizontal(vec![Constraint::Length(col_w); cols]).split(inner);
    for (chunk, a) in lines.chunks(per_col).zip(areas.iter()) {
        f.render_widget(Paragraph::new(chunk.to_vec()), *a);
    }
}

/// While help is up, only quit and close work (even over a text field).
pub fn command(app: &mut App, cmd: Option<Command>) -> Vec<Effect> {
    match cmd {
        Some(Command::Quit) => quit(app),
        Some(Command::Help | Command::Back) => {
            app.overlay = None;
            vec![]
        }
        _ => vec![],
    }
}
