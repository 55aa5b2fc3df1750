//! The one-time time-zone picker: shown when a queue is opened against a real org and no zone
//! is configured (no `--time-zone`, no `[queues."…"] time_zone`, no `[history] time_zone`), the
//! case in which the history fetch refuses to assume UTC. Typing filters the IANA names,
//! Enter saves the pick as `[history] time_zone` (the runtime writes config.toml and applies
//! it) and refetches the queue; Esc lets the fetch fail with its usual error naming the fix.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use crate::tui::action::Effect;
use crate::tui::app::{App, Level, Overlay, ZonePicker};
use crate::tui::screens::board;
use crate::tui::screens::dashboard::fetch_open_queue;
use crate::tui::widgets::{block, centered, ellipsize};

/// Rows a PgUp/PgDn moves.
const PAGE: usize = 10;

/// The IANA names matching `filter`: case-insensitive, a space matching the `_` of names like
/// `America/New_York`.
pub fn matches(filter: &str) -> Vec<&'static str> {
    let needle = filter.trim().to_lowercase().replace(' ', "_");
    chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| tz.name())
        .filter(|name| name.to_lowercase().contains(&needle))
        .collect()
}

/// Opens the picker for the open queue (its fetch waits for the answer).
pub fn open(app: &mut App) {
    app.zone_asked = true;
    app.overlay = Some(Overlay::ZonePicker(ZonePicker::default()));
}

/// Every key goes to the picker while it is open (Ctrl-C, handled before, still quits).
pub fn key(app: &mut App, key: &KeyEvent) -> Vec<Effect> {
    let Some(Overlay::ZonePicker(p)) = &mut app.overlay else {
        return vec![];
    };
    let count = matches(&p.filter).len();
    let last = count.saturating_sub(1);
    match key.code {
        KeyCode::Esc => {
            app.overlay = None;
            return fetch_open_queue(app);
        }
        KeyCode::Enter => {
            let Some(zone) = matches(&p.filter).get(p.row).map(|z| z.to_string()) else {
                return vec![];
            };
            app.overlay = None;
            return vec![Effect::SaveZone { zone }];
        }
        KeyCode::Up => p.row = p.row.saturating_sub(1),
        KeyCode::Down => p.row = (p.row + 1).min(last),
        KeyCode::PageUp => p.row = p.row.saturating_sub(PAGE),
        KeyCode::PageDown => p.row = (p.row + PAGE).min(last),
        KeyCode::Home => p.row = 0,
        KeyCode::End => p.row = last,
        KeyCode::Backspace => {
            p.filter.pop();
            p.row = 0;
        }
        KeyCode::Char(c)
            if !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
        {
            p.filter.push(c);
            p.row = 0;
        }
        _ => {}
    }
    vec![]
}

/// A paste goes into the filter.
pub fn paste(app: &mut App, line: &str) -> bool {
    let Some(Overlay::ZonePicker(p)) = &mut app.overlay else {
        return false;
    };
    p.filter.push_str(line);
    p.row = 0;
    true
}

/// The runtime saved (or failed to save) the zone: use it, then fetch the open queue and,
/// once saved, forecast the board's rows again in it.
pub fn saved(app: &mut App, result: Result<String, String>) -> Vec<Effect> {
    let saved_ok = result.is_ok();
    match result {
        Ok(zone) => {
            app.implicit_zone = None;
            if let Ok(tz) = zone.parse() {
                app.tz = tz;
            }
            app.toast(
                Level::Info,
                format!("time zone {zone} saved as [history] time_zone in config.toml"),
            );
        }
        Err(e) => app.toast(Level::Error, format!("time zone not saved: {e}")),
    }
    // The board's rows were forecast in the old zone (their windows at the wrong hours):
    // forecast them again in the saved one, as well as the open queue.
    let mut fx = fetch_open_queue(app);
    if saved_ok {
        fx.extend(board::reforecast_all(app));
    }
    fx
}

pub fn draw(f: &mut Frame, app: &App, area: Rect, p: &ZonePicker) {
    let t = &app.theme;
    let w = area.width.saturating_sub(4).min(60);
    let h = area.height.saturating_sub(2).min(22);
    let r = centered(area, w, h);
    f.render_widget(Clear, r);
    let inner_w = w.saturating_sub(2) as usize;
    let names = matches(&p.filter);
    let mut lines = vec![
        Line::raw(ellipsize(
            "No time zone is configured for this org. Pick the contact",
            inner_w,
        )),
        Line::raw(ellipsize(
            "centre's zone; it is saved as [history] time_zone.",
            inner_w,
        )),
        Line::from(vec![
            Span::styled("filter: ", t.dim),
            Span::raw(p.filter.clone()),
            Span::styled("▏", t.cursor),
            Span::styled(
                format!("  {} of {}", names.len(), chrono_tz::TZ_VARIANTS.len()),
                t.dim,
            ),
        ]),
    ];
    // Borders, the three lines above and the key line below.
    let list_h = (h as usize).saturating_sub(6).max(1);
    let top = p.row.saturating_sub(list_h - 1);
    for (i, name) in names.iter().enumerate().skip(top).take(list_h) {
        lines.push(if i == p.row {
            Line::styled(ellipsize(&format!("> {name}"), inner_w), t.selected)
        } else {
            Line::raw(ellipsize(&format!("  {name}"), inner_w))
        });
    }
    if names.is_empty() {
        lines.push(Line::styled("  no zone matches: Backspace", t.dim));
    }
    while lines.len() < list_h + 3 {
        lines.push(Line::raw(""));
    }
    lines.push(Line::from(vec![
        Span::styled("↑↓ PgUp PgDn", t.key),
        Span::raw(" move  "),
        Span::styled("Enter", t.key),
        Span::raw(" pick  "),
        Span::styled("Esc", t.key),
        Span::raw(" cancel"),
    ]));
    f.render_widget(Paragraph::new(lines).block(block(app, " Time zone ")), r);
}
