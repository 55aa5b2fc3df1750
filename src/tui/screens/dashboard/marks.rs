//! Marks drawn into the plot's empty cells after the chart: window columns (a background
//! shade, or a dotted fill without colour), day separators, the "now" line, the cursor, and
//! the names of holidays and closures along the top row over their day (text, so it reads
//! without colour too; issue 15 item 3).
//! They only fill cells the data left empty, so no mark can look like a data point; in colour
//! the window shade also goes behind the data.

use chrono::{NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Tz;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;

use crate::tui::app::{App, ChartView, Session};
use crate::tui::widgets::Y_LABEL_WIDTH;

/// What one column of the plot is, besides data. Later variants win over earlier ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Column {
    Plain,
    /// A window left out of the schedule: shaded in colour only (the strip shows it `·`).
    Unscheduled,
    Window,
    /// The window the table's cursor is on.
    Focus,
}

/// Per column: the window kind, and which single-glyph line (if any) crosses it.
pub fn columns(
    s: &Session,
    v: ChartView,
    tz: chrono_tz::Tz,
    width: u16,
) -> Vec<(Column, Option<char>)> {
    let windows: Vec<(f64, f64)> = s
        .forecast
        .as_ref()
        .map(|f| {
            f.windows
                .iter()
                .map(|w| (w.start.timestamp() as f64, w.end.timestamp() as f64))
                .collect()
        })
        .unwrap_or_default();
    let mut cols: Vec<(Column, Option<char>)> = v
        .window_columns(&windows, width)
        .into_iter()
        .map(|w| {
            let kind = match w {
                None => Column::Plain,
                Some(i) if i == s.table_row => Column::Focus,
                Some(i) if s.selected.get(i).copied().unwrap_or(false) => Column::Window,
                Some(_) => Column::Unscheduled,
            };
            (kind, None)
        })
        .collect();
    let mut put = |t: f64, glyph: char| {
        let c = v.column_of(t, width);
        if (0..i64::from(width)).contains(&c) {
            cols[c as usize].1 = Some(glyph);
        }
    };
    for c in v.day_starts(tz, width) {
        put(v.column_span(c, width).0, '┊');
    }
    let now = s
        .forecast
        .as_ref()
        .map(|fc| fc.refreshed_at.timestamp() as f64);
    if let Some(now) = now {
        put(now, '╏');
    }
    // The cursor on the now column draws both in one heavy line, so neither disappears.
    let both = now.is_some_and(|n| v.column_of(n, width) == v.column_of(v.cursor, width));
    put(v.cursor, if both { '┃' } else { '│' });
    cols
}

/// The named days off in view: first plot column, the day's width in columns (at least
/// one), and the name, in date order.
pub fn days_off(s: &Session, v: ChartView, tz: Tz, width: u16) -> Vec<(u16, u16, String)> {
    let Some(fc) = &s.forecast else {
        return Vec::new();
    };
    let midnight = |d: NaiveDate| {
        tz.from_local_datetime(&d.and_time(NaiveTime::MIN))
            .earliest()
            .map(|t| t.timestamp() as f64)
    };
    fc.holidays
        .iter()
        .filter_map(|(date, name)| {
            let (a, b) = (midnight(*date)?, midnight(date.succ_opt()?)?);
            let first = v.column_of(a, width).max(0);
            let last = v.column_of(b, width).min(i64::from(width));
            (first < i64::from(width) && last > 0).then(|| {
                let cols = (last - first).max(1);
                (first as u16, cols as u16, name.clone())
            })
        })
        .collect()
}

/// Writes each day off's name along the plot's top row from the day's first column, over
/// empty cells only: it may run on past its day into empty space, and stops at the first
/// cell the data holds, so it never hides a point.
/// Called by the main chart only (right after its data, before [`draw`]), so the name
/// is on the volume chart, not repeated on the staffing row.
pub fn draw_days_off(f: &mut Frame, app: &App, s: &Session, v: ChartView, area: Rect) {
    let buf = f.buffer_mut();
    let x0 = area.x + Y_LABEL_WIDTH + 1;
    let width = area.width.saturating_sub(Y_LABEL_WIDTH + 1);
    for (first, _, name) in days_off(s, v, app.tz, width) {
        let room = usize::from(width - first);
        for (i, ch) in name.chars().take(room).enumerate() {
            let Some(cell) = buf.cell_mut((x0 + first + i as u16, area.y)) else {
                break;
            };
            if cell.symbol() != " " {
                break;
            }
            cell.set_char(ch).set_style(app.theme.title);
        }
    }
}

pub fn draw(f: &mut Frame, app: &App, s: &Session, v: ChartView, area: Rect) {
    let t = &app.theme;
    let x0 = area.x + Y_LABEL_WIDTH + 1;
    let width = area.width.saturating_sub(Y_LABEL_WIDTH + 1);
    let buf = f.buffer_mut();
    for (i, (kind, line)) in columns(s, v, app.tz, width).into_iter().enumerate() {
        let (fill, shade): (char, Style) = match kind {
            Column::Plain => (' ', Style::new()),
            Column::Unscheduled => (
                ' ',
                if t.colour {
                    t.window_shade
                } else {
                    Style::new()
                },
            ),
            Column::Window => (t.glyphs.window, t.window_shade),
            Column::Focus => (t.glyphs.focus, t.window_focus),
        };
        let x = x0 + i as u16;
        for y in area.y..area.y + area.height {
            let Some(cell) = buf.cell_mut((x, y)) else {
                continue;
            };
            let empty = cell.symbol() == " ";
            if t.colour && kind != Column::Plain {
                cell.set_bg(shade.bg.unwrap_or_default());
            }
            if !empty {
                continue;
            }
            match line {
                Some(c @ ('│' | '┃')) => {
                    cell.set_char(c).set_style(t.cursor);
                }
                Some(g) => {
                    cell.set_char(g).set_style(t.dim);
                }
                None if fill != ' ' => {
                    cell.set_char(fill).set_style(shade);
                }
                None => {}
            }
        }
    }
}
