//! The queue picker: type to filter, move, open. Also where the queue list arrives, and with
//! it the queue named on the command line.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState, Paragraph, Wrap};

use super::{Typed, dashboard};
use crate::campaign::NamedRef;
use crate::tui::action::Effect;
use crate::tui::app::{App, Level, Loadable, Screen};
use crate::tui::keymap::{Command, Context};
use crate::tui::widgets::{block, spinner};

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let b = block(app, " Choose a queue ");
    let inner = b.inner(area);
    f.render_widget(b, area);
    let [filter, list] = Layout::vertical([Constraint::Length(2), Constraint::Min(1)]).areas(inner);
    let total = app.queues.ready().map_or(0, Vec::len);
    let shown = app.filtered_queues();
    f.render_widget(
        Paragraph::new(vec![
            Line::from(vec![
                Span::styled("Filter: ", app.theme.dim),
                Span::raw(app.picker.filter.as_str()),
                Span::styled("▏", app.theme.dim),
            ]),
            Line::styled(
                format!(
                    "{} of {total} queues · type to filter, {} to open",
                    shown.len(),
                    app.keymap.hint(Context::Picker, Command::Select)
                ),
                app.theme.dim,
            ),
        ]),
        filter,
    );
    match &app.queues {
        Loadable::Loading => f.render_widget(
            Paragraph::new(format!("{} loading queues…", spinner(app))),
            list,
        ),
        Loadable::Failed(e) => f.render_widget(
            Paragraph::new(format!("could not load queues: {e}"))
                .style(app.theme.error)
                .wrap(Wrap { trim: true }),
            list,
        ),
        Loadable::Ready(_) => draw_list(f, app, &shown, list),
    }
}

fn draw_list(f: &mut Frame, app: &App, shown: &[&NamedRef], area: Rect) {
    let items: Vec<ListItem> = shown
        .iter()
        .map(|q| {
            let last = app.last_queue.as_deref() == Some(q.id.as_str());
            ListItem::new(Line::from(vec![
                Span::raw(q.name.clone()),
                Span::styled(if last { "  (last used)" } else { "" }, app.theme.dim),
            ]))
        })
        .collect();
    let mut state = ListState::default()
        .with_selected((!shown.is_empty()).then(|| app.picker.row.min(shown.len() - 1)));
    f.render_stateful_widget(
        List::new(items)
            .highlight_style(app.theme.selected)
            .highlight_symbol("▶ "),
        area,
        &mut state,
    );
}

/// Letters go into the filter.
pub fn text_input(app: &mut App, key: Typed) -> Option<Vec<Effect>> {
    match key {
        Typed::Char(c) => app.picker.filter.push(c),
        Typed::Backspace => {
            app.picker.filter.pop();
        }
        _ => return None,
    }
    app.picker.row = 0;
    Some(vec![])
}

/// A paste into the filter.
pub fn paste(app: &mut App, line: &str) -> bool {
    app.picker.filter.push_str(line);
    app.picker.row = 0;
    true
}

pub fn command(app: &mut App, cmd: Command) -> Vec<Effect> {
    let n = app.filtered_queues().len();
    match cmd {
        Command::Up => app.picker.row = app.picker.row.saturating_sub(1),
        Command::Down => app.picker.row = (app.picker.row + 1).min(n.saturating_sub(1)),
        Command::Back => {
            if !app.picker.filter.is_empty() {
                app.picker.filter.clear();
                app.picker.row = 0;
            } else if app.session.is_some() {
                app.screen = Screen::Dashboard;
            }
        }
        Command::Select => {
            let Some(q) = app
                .filtered_queues()
                .get(app.picker.row)
                .map(|q| (*q).clone())
            else {
                return vec![];
            };
            return dashboard::open_queue(app, q);
        }
        _ => {}
    }
    vec![]
}

/// The queue list arrived: sorted, the last used one preselected, and the queue named on the
/// command line opened (or a toast saying there is none by that name).
pub fn queues_loaded(app: &mut App, result: Result<Vec<NamedRef>, String>) -> Vec<Effect> {
    let mut queues = match result {
        Ok(q) => q,
        Err(e) => {
            app.toast(Level::Error, format!("could not load queues: {e}"));
            app.queues = Loadable::Failed(e);
            return vec![];
        }
    };
    queues.sort_by_key(|q| q.name.to_lowercase());
    let row = app
        .last_queue
        .as_ref()
        .and_then(|id| queues.iter().position(|q| &q.id == id))
        .unwrap_or(0);
    app.queues = Loadable::Ready(queues);
    app.picker.row = row;
    let Some(wanted) = app.initial_queue.take() else {
        return vec![];
    };
    let found = app.queues.ready().and_then(|qs| {
        qs.iter()
            .find(|q| q.id == wanted || q.name.eq_ignore_ascii_case(&wanted))
            .cloned()
    });
    match found {
        Some(q) => dashboard::open_queue(app, q),
        None => {
            app.toast(
                Level::Error,
                format!("no queue named {wanted:?}; pick one from the list"),
            );
            vec![]
        }
    }
}
