//! The queue board, the first screen: one row per queue with its last two weeks and forecast
//! week, next quiet window, spare agents there, accuracy and drift, filled in as the
//! background forecasts finish. Sort by any column, `/` to filter by name, Enter opens the
//! queue's dashboard; everything set here survives the visit (the state is `App::board`).

use std::collections::HashMap;
use std::sync::Arc;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table, TableState, Wrap};

use super::{Typed, dashboard};
use crate::campaign::NamedRef;
use crate::tui::action::{Effect, JobId};
use crate::tui::app::{App, Level, Loadable, Screen};
use crate::tui::board_view::{Entry, RowData, RowState, SortColumn};
use crate::tui::keymap::{Command, Context};
use crate::tui::widgets::{block, ellipsize, local, spinner};

/// Rows of the frame that are not board rows: status bar, two borders, the filter line, the
/// column header and the two detail lines.
const CHROME_ROWS: u16 = 7;

/// Board rows visible in a terminal `height` rows high.
pub fn page_rows(height: u16) -> usize {
    height.saturating_sub(CHROME_ROWS).max(1) as usize
}

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let rows = app.board_rows();
    let b = block(app, title(app, rows.len(), area.width as usize));
    let b = match scroll_note(app, rows.len()) {
        Some(note) => b.title_bottom(Line::styled(note, app.theme.dim).right_aligned()),
        None => b,
    };
    let inner = b.inner(area);
    f.render_widget(b, area);
    let [top, table, detail] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(2),
    ])
    .areas(inner);
    f.render_widget(Paragraph::new(filter_line(app)), top);
    match &app.queues {
        Loadable::Loading => {
            let mut text = format!("{} loading queues…", spinner(app));
            if let Some(n) = &app.board.retry_note {
                text.push_str(&format!(" {n}"));
            }
            f.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), table);
        }
        Loadable::Failed(e) => f.render_widget(
            Paragraph::new(format!(
                "could not load queues: {e} · {} retries",
                app.keymap.hint(Context::Board, Command::Retry)
            ))
            .style(app.theme.error)
            .wrap(Wrap { trim: true }),
            table,
        ),
        Loadable::Ready(_) => draw_table(f, app, &rows, table),
    }
    // Two lines, wrapped: an error message is read whole, not cut.
    f.render_widget(
        Paragraph::new(detail_line(app, &rows)).wrap(Wrap { trim: true }),
        detail,
    );
}

/// "Queue board · 12 of 24 queues · forecast 9/24 · sorted by spare ▼", the prefix dropped
/// when the frame is narrow.
fn title(app: &App, shown: usize, width: usize) -> String {
    let total = app.queues.ready().map_or(0, Vec::len);
    let (done, all) = app.board.progress();
    let mut parts = vec![format!("{shown} of {total} queues")];
    if all > 0 {
        let spin = if done < all {
            format!(" {}", spinner(app))
        } else {
            String::new()
        };
        parts.push(format!("forecast {done}/{all}{spin}"));
    }
    let arrow = if app.board.descending { "▼" } else { "▲" };
    parts.push(format!("sorted by {} {arrow}", sort_name(app.board.sort)));
    let long = format!(" Queue board · {} ", parts.join(" · "));
    if long.chars().count() + 2 <= width {
        long
    } else {
        format!(" {} ", parts.join(" · "))
    }
}

fn sort_name(c: SortColumn) -> &'static str {
    match c {
        SortColumn::Volume => "volume",
        other => other.label(),
    }
}

/// "↑ 3 above · ↓ 12 more" when the list continues past the frame.
fn scroll_note(app: &App, len: usize) -> Option<String> {
    let page = page_rows(app.size.1);
    let offset = offset(app, len);
    let below = len.saturating_sub(offset + page);
    let mut parts = Vec::new();
    if offset > 0 {
        parts.push(format!("↑ {offset} above"));
    }
    if below > 0 {
        parts.push(format!("↓ {below} more"));
    }
    (!parts.is_empty()).then(|| format!(" {} ", parts.join(" · ")))
}

/// The first row shown: the state's, pulled back so a shorter list still fills the frame.
fn offset(app: &App, len: usize) -> usize {
    app.board
        .offset
        .min(len.saturating_sub(page_rows(app.size.1)))
}

fn filter_line(app: &App) -> Line<'static> {
    let t = &app.theme;
    let b = &app.board;
    let key = |c| app.keymap.hint(Context::Board, c);
    if b.filtering {
        return Line::from(vec![
            Span::styled("Filter: ", t.dim),
            Span::raw(b.filter.clone()),
            Span::styled("▏", t.key),
            Span::styled("  enter keeps · esc clears", t.dim),
        ]);
    }
    if !b.filter.is_empty() {
        return Line::from(vec![
            Span::styled("Filter: ", t.dim),
            Span::raw(b.filter.clone()),
            Span::styled(
                format!("  {} edits · esc clears", key(Command::Filter)),
                t.dim,
            ),
        ]);
    }
    Line::styled(
        format!(
            "{} filter · {} sort column · {} reverse · {} open · {} retry a failed row",
            key(Command::Filter),
            key(Command::Sort),
            key(Command::SortReverse),
            key(Command::Select),
            key(Command::Retry),
        ),
        t.dim,
    )
}

/// Columns after the name and the sparkline: media, next window, spare, vs naive, drift.
const FIXED: [u16; 5] = [7, 14, 5, 8, 7];

fn draw_table(f: &mut Frame, app: &App, rows: &[Entry], area: Rect) {
    let t = &app.theme;
    // Highlight mark (2) and the gaps between seven columns (6).
    let rest = area.width.saturating_sub(2 + 6 + FIXED.iter().sum::<u16>());
    let spark_w = (rest * 9 / 20).clamp(12, 44);
    let name_w = rest.saturating_sub(spark_w).max(8);
    let widths = [
        name_w, FIXED[0], spark_w, FIXED[1], FIXED[2], FIXED[3], FIXED[4],
    ];
    let header = Row::new(header_cells(app, spark_w as usize)).style(t.dim);
    let page = page_rows(app.size.1);
    let offset = offset(app, rows.len());
    let body: Vec<Row> = rows
        .iter()
        .skip(offset)
        .take(page)
        .map(|e| row(app, e, name_w as usize, spark_w as usize))
        .collect();
    let selected = app.board_row();
    let mut state = TableState::default()
        .with_selected((!rows.is_empty()).then(|| selected.saturating_sub(offset)));
    let table = Table::new(body, widths.map(Constraint::Length))
        .header(header)
        .row_highlight_style(t.selected)
        .highlight_symbol("▶ ");
    f.render_stateful_widget(table, area, &mut state);
    if rows.is_empty() {
        let r = Rect {
            y: area.y + 1,
            height: 1,
            ..area
        };
        let text = if app.board.filter.is_empty() {
            "the organization has no queues".to_string()
        } else {
            format!("no queue name contains {:?}", app.board.filter)
        };
        f.render_widget(Paragraph::new(text).style(t.dim), r);
    }
}

/// Column headers in table order, the sort column marked with its direction; the
/// sparkline's shortened when its column is narrow, never cut mid-word.
fn header_cells(app: &App, spark_w: usize) -> Vec<String> {
    let cols = [
        SortColumn::Name,
        SortColumn::Media,
        SortColumn::Volume,
        SortColumn::NextWindow,
        SortColumn::Spare,
        SortColumn::Accuracy,
        SortColumn::Drift,
    ];
    cols.iter()
        .map(|c| {
            let mut label = c.label().to_string();
            if *c == SortColumn::Volume && label.chars().count() + 1 > spark_w {
                label = "2 wk │ fcst".into();
            }
            if *c == app.board.sort {
                label.push(if app.board.descending { '▼' } else { '▲' });
            }
            label
        })
        .collect()
}

fn row<'a>(app: &App, e: &Entry, name_w: usize, spark_w: usize) -> Row<'a> {
    let t = &app.theme;
    let name = ellipsize(&e.queue.name, name_w);
    let media = if e.media.is_empty() { "—" } else { &e.media };
    let mut cells: Vec<Line> = vec![Line::raw(name), Line::raw(media.to_string())];
    match e.state {
        Some(RowState::Ready(d)) => {
            cells.push(sparkline(app, d, spark_w));
            cells.extend(data_cells(app, d));
        }
        Some(RowState::Failed(_)) => {
            cells.push(Line::styled("✗ failed", t.error));
            cells.extend((0..4).map(|_| Line::styled("—", t.dim)));
        }
        _ => {
            cells.push(Line::styled(format!("{} running", spinner(app)), t.dim));
            cells.extend((0..4).map(|_| Line::styled("…", t.dim)));
        }
    }
    Row::new(cells)
}

/// Next window, spare agents, error vs naive, drift.
fn data_cells<'a>(app: &App, d: &RowData) -> Vec<Line<'a>> {
    let t = &app.theme;
    let dash = || Line::styled("—", t.dim);
    let window = match d.next_window {
        Some((start, end)) => {
            let st = local(app.tz, start.timestamp() as f64);
            let hours = (end - start).num_minutes() as f64 / 60.0;
            Line::styled(
                format!("{} {}", st.format("%a %H:%M"), hours_text(hours)),
                t.window,
            )
        }
        None => Line::styled("none", t.dim),
    };
    let spare = d.spare.map_or_else(dash, |s| Line::raw(format!("{s:+.0}")));
    let acc = d
        .vs_naive
        .map_or_else(dash, |m| Line::raw(format!("{m:.2}×")));
    let drift = match d.retrain {
        Some(true) => Line::styled("RETRAIN", t.error),
        Some(false) => Line::styled("ok", t.ok),
        None => dash(),
    };
    vec![window, spare, acc, drift]
}

/// `3h`, `1.5h`.
fn hours_text(h: f64) -> String {
    if (h - h.round()).abs() < 0.01 {
        format!("{h:.0}h")
    } else {
        format!("{h:.1}h")
    }
}

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// Two weeks of history, `│`, the forecast week; bars on one scale, a blank where nothing
/// happened (a closed day stays visible).
pub fn sparkline<'a>(app: &App, d: &RowData, width: usize) -> Line<'a> {
    let inner = width.saturating_sub(1);
    let hist_w = (inner * 2).div_ceil(3).min(inner);
    let past = rebin(&d.recent, hist_w);
    let future = rebin(&d.future, inner - hist_w);
    let max = past.iter().chain(&future).fold(0.0_f64, |a, b| a.max(*b));
    let bars = |v: &[f64]| -> String {
        v.iter()
            .map(|x| {
                if *x <= 0.0 || max <= 0.0 {
                    ' '
                } else {
                    BARS[((x / max) * 7.0).round().clamp(0.0, 7.0) as usize]
                }
            })
            .collect()
    };
    Line::from(vec![
        Span::styled(bars(&past), app.theme.history),
        Span::styled("│", app.theme.dim),
        Span::styled(bars(&future), app.theme.forecast),
    ])
}

/// `values` as `n` means of equal runs (nearest-index spread when there are fewer values).
fn rebin(values: &[f64], n: usize) -> Vec<f64> {
    if n == 0 || values.is_empty() {
        return vec![0.0; n];
    }
    (0..n)
        .map(|i| {
            let lo = i * values.len() / n;
            let hi = ((i + 1) * values.len() / n).max(lo + 1).min(values.len());
            values[lo..hi].iter().sum::<f64>() / (hi - lo) as f64
        })
        .collect()
}

/// What the selected row holds beyond the columns: the model and its error, or why it
/// failed and how to retry.
fn detail_line(app: &App, rows: &[Entry]) -> Line<'static> {
    let t = &app.theme;
    let Some(e) = rows.get(app.board_row()) else {
        return Line::default();
    };
    let text = match e.state {
        Some(RowState::Ready(d)) => {
            let wape = d
                .wape
                .map_or("n/a".into(), |w| format!("{:.1}%", w * 100.0));
            let vs = d
                .vs_naive
                .map_or(String::new(), |m| format!(" · error {m:.2}× the naive's"));
            format!("{} · {} · WAPE {wape}{vs}", e.queue.name, d.model)
        }
        Some(RowState::Failed(why)) => {
            let retry = app.keymap.hint(Context::Board, Command::Retry);
            let line = format!("✗ {}: {why} · {retry} retries", e.queue.name);
            return Line::styled(line, t.error);
        }
        _ => format!("{}: forecast running…", e.queue.name),
    };
    Line::styled(text, t.dim)
}

/// Typing into the filter, only after `/`: Enter keeps it, Esc clears it.
pub fn text_input(app: &mut App, key: Typed, esc: bool) -> Option<Vec<Effect>> {
    if !app.board.filtering {
        return None;
    }
    match key {
        Typed::Char(c) => app.board.filter.push(c),
        Typed::Backspace => {
            app.board.filter.pop();
        }
        Typed::Done => {
            app.board.filtering = false;
            if esc {
                app.board.filter.clear();
            }
        }
        Typed::Other => return None,
    }
    keep_visible(app);
    Some(vec![])
}

/// A paste goes into the filter while it is being edited.
pub fn paste(app: &mut App, line: &str) -> bool {
    if !app.board.filtering {
        return false;
    }
    app.board.filter.push_str(line);
    keep_visible(app);
    true
}

pub fn command(app: &mut App, cmd: Command) -> Vec<Effect> {
    let page = page_rows(app.size.1);
    match cmd {
        Command::Up => move_by(app, -1),
        Command::Down => move_by(app, 1),
        Command::PageUp => move_by(app, -(page as isize)),
        Command::PageDown => move_by(app, page as isize),
        Command::First => move_by(app, isize::MIN / 2),
        Command::Last => move_by(app, isize::MAX / 2),
        Command::Filter => app.board.filtering = true,
        Command::Sort => {
            app.board.sort = app.board.sort.next();
            app.board.descending = false;
            keep_visible(app);
        }
        Command::SortReverse => {
            app.board.descending = !app.board.descending;
            keep_visible(app);
        }
        Command::Retry => return retry(app),
        Command::Back => {
            if !app.board.filter.is_empty() {
                app.board.filter.clear();
                keep_visible(app);
            } else if app.session.is_some() {
                app.screen = Screen::Dashboard;
            }
        }
        Command::Select => {
            let rows = app.board_rows();
            let Some(q) = rows.get(app.board_row()).map(|e| e.queue.clone()) else {
                return vec![];
            };
            return dashboard::open_queue(app, q);
        }
        _ => {}
    }
    vec![]
}

/// Moves the selection `delta` rows, clamped to the list.
fn move_by(app: &mut App, delta: isize) {
    let rows = app.board_rows();
    if rows.is_empty() {
        return;
    }
    let at = app.board_row() as isize;
    let to = at.saturating_add(delta).clamp(0, rows.len() as isize - 1) as usize;
    app.board.selected = Some(rows[to].queue.id.clone());
    keep_visible(app);
}

/// Keeps a selection on the list (the first row if the selected queue is filtered out) and
/// scrolls so it is on screen.
pub fn keep_visible(app: &mut App) {
    let rows = app.board_rows();
    let sel = app.board.selected.as_deref();
    let found = rows.iter().position(|e| Some(e.queue.id.as_str()) == sel);
    let first = rows.first().map(|e| e.queue.id.clone());
    let len = rows.len();
    let idx = found.unwrap_or(0);
    if found.is_none() && first.is_some() {
        app.board.selected = first;
    }
    let page = page_rows(app.size.1);
    let b = &mut app.board;
    if idx < b.offset {
        b.offset = idx;
    } else if idx >= b.offset + page {
        b.offset = idx + 1 - page;
    }
    b.offset = b.offset.min(len.saturating_sub(page));
}

/// `r`: the queue list again when it failed, else the selected row when it failed.
fn retry(app: &mut App) -> Vec<Effect> {
    if matches!(app.queues, Loadable::Failed(_)) {
        app.queues = Loadable::Loading;
        app.board.retry_note = None;
        return vec![Effect::LoadQueues];
    }
    let rows = app.board_rows();
    let Some(e) = rows.get(app.board_row()) else {
        return vec![];
    };
    if !matches!(e.state, Some(RowState::Failed(_))) {
        return vec![];
    }
    let queue = e.queue.clone();
    app.board.rows.insert(queue.id.clone(), RowState::Pending);
    forecast(app, vec![queue])
}

/// Forecasts every listed queue again (a zone was just saved: the rows' windows were cut in
/// the old one): the board's running forecasts are cancelled, every row waits for its new one.
pub fn reforecast_all(app: &mut App) -> Vec<Effect> {
    let Some(queues) = app.queues.ready().cloned() else {
        return vec![];
    };
    let mut fx: Vec<Effect> = app.board.jobs.drain(..).map(Effect::Cancel).collect();
    for q in &queues {
        app.board.rows.insert(q.id.clone(), RowState::Pending);
    }
    fx.extend(forecast(app, queues));
    fx
}

/// Starts the background forecast of `queues`.
fn forecast(app: &mut App, queues: Vec<NamedRef>) -> Vec<Effect> {
    let job = app.next_job;
    app.next_job += 1;
    app.board.jobs.push(job);
    let media = queues
        .iter()
        .filter_map(|q| Some((q.id.clone(), app.board.media.get(&q.id)?.clone())))
        .collect();
    vec![Effect::ForecastQueues { job, queues, media }]
}

/// The queue list arrived: the board lists every queue (the last used one selected), their
/// forecasts start in the background, and the queue named on the command line opens (or a
/// toast says there is none by that name).
pub fn queues_loaded(app: &mut App, result: Result<Vec<NamedRef>, String>) -> Vec<Effect> {
    app.board.retry_note = None;
    let mut queues = match result {
        Ok(q) => q,
        Err(e) => {
            app.toast(Level::Error, format!("could not load queues: {e}"));
            app.queues = Loadable::Failed(e);
            return vec![];
        }
    };
    queues.sort_by_key(|q| q.name.to_lowercase());
    app.board.rows = queues
        .iter()
        .map(|q| (q.id.clone(), RowState::Pending))
        .collect();
    let last = app.last_queue.as_ref();
    app.board.selected = last
        .filter(|id| queues.iter().any(|q| &q.id == *id))
        .cloned();
    let mut fx = forecast(app, queues.clone());
    app.queues = Loadable::Ready(queues);
    keep_visible(app);
    let Some(wanted) = app.initial_queue.take() else {
        return fx;
    };
    let found = app.queues.ready().and_then(|qs| {
        qs.iter()
            .find(|q| q.id == wanted || q.name.eq_ignore_ascii_case(&wanted))
            .cloned()
    });
    match found {
        Some(q) => {
            app.board.selected = Some(q.id.clone());
            keep_visible(app);
            fx.extend(dashboard::open_queue(app, q));
        }
        None => app.toast(
            Level::Error,
            format!("no queue named {wanted:?}; pick one from the board"),
        ),
    }
    fx
}

/// The queues' media arrived with the list.
pub fn queue_media(app: &mut App, media: HashMap<String, Vec<String>>) {
    app.board.media = media;
}

/// One queue's forecast finished; a result for a queue not waiting for one (the list was
/// reloaded) is dropped.
pub fn row_finished(
    app: &mut App,
    job: JobId,
    queue_id: String,
    result: Result<Arc<RowData>, String>,
) {
    if !app.board.jobs.contains(&job) {
        return;
    }
    let Some(row) = app.board.rows.get_mut(&queue_id) else {
        return;
    };
    if !matches!(row, RowState::Pending) {
        return;
    }
    *row = match result {
        Ok(d) => RowState::Ready(d),
        Err(e) => RowState::Failed(crate::text::clean(&e).into_owned()),
    };
    keep_visible(app);
}
