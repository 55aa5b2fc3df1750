//! The confirmation popup. It holds the pending action and does it only on yes.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::{export, quit, review};
use crate::tui::action::Effect;
use crate::tui::app::{App, Overlay, Pending};
use crate::tui::keymap::{Command, Context};
use crate::tui::widgets::{block, centered, wrap};

/// Sized to its text (never cut: the question and the y/n under it are always whole), at
/// most 72 columns wide.
pub fn draw(f: &mut Frame, app: &App, area: Rect, text: &str) {
    let w = area.width.saturating_sub(4).min(72);
    let inner = w.saturating_sub(2) as usize;
    let mut lines: Vec<Line> = wrap(text, inner).into_iter().map(Line::raw).collect();
    let yes = app.keymap.hint(Context::Confirm, Command::Yes);
    let no = app.keymap.hint(Context::Confirm, Command::No);
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        Span::styled(yes, app.theme.key),
        Span::raw(" yes   "),
        Span::styled(no, app.theme.key),
        Span::raw(" no"),
    ]));
    let r = centered(area, w, lines.len() as u16 + 2);
    f.render_widget(Clear, r);
    f.render_widget(Paragraph::new(lines).block(block(app, " Confirm ")), r);
}

pub fn command(app: &mut App, cmd: Command) -> Vec<Effect> {
    let Some(Overlay::Confirm { pending, .. }) = app.overlay.clone() else {
        return vec![];
    };
    match cmd {
        Command::No | Command::Back => {
            app.overlay = None;
            vec![]
        }
        Command::Yes => {
            app.overlay = None;
            match pending {
                Pending::Submit => review::start_submit(app),
                Pending::CreateDraft => review::start_draft(app),
                Pending::Quit => quit(app),
                Pending::Overwrite { path, format } => export::write(app, path, format, true),
            }
        }
        _ => vec![],
    }
}
