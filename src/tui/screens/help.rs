//! The `?` overlay: the keys of the screen underneath and the global ones, read from the
//! loaded keymap so it can't drift from what the keys do.

use ratatui::Frame;
use ratatui::layout::Rect;
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
        Screen::Picker => Context::Picker,
        Screen::Dashboard => Context::Dashboard,
        Screen::Review => Context::Review,
    };
    let mut lines = Vec::new();
    for ctx in [screen_ctx, Context::Global] {
        lines.push(Line::styled(format!("[{}]", ctx.name()), t.title));
        for (cmd, keys) in app.keymap.entries(ctx) {
            let keys = keys
                .iter()
                .map(|k| k.to_string())
                .collect::<Vec<_>>()
                .join(" ");
            lines.push(Line::from(vec![
                Span::styled(format!("  {keys:<14}"), t.key),
                Span::raw(cmd.describe()),
            ]));
        }
    }
    if screen_ctx == Context::Picker {
        lines.push(Line::styled(
            "  letters filter the list; backspace deletes",
            t.dim,
        ));
    }
    if screen_ctx == Context::Review {
        lines.push(Line::styled(
            "  while editing, type; enter/esc/tab ends the edit",
            t.dim,
        ));
    }
    let h = (lines.len() as u16 + 2).min(area.height);
    let r = centered(area, 64, h);
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(lines).block(block(app, " Help · keys from keybindings.toml ")),
        r,
    );
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
