//! The windows table and the model panel under the chart.

use chrono::{DateTime, Datelike, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Margin, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table, TableState, Wrap};

use super::campaign_status;
use crate::tui::app::{AUTO_MODEL, App, ForecastView, Session, WindowRow, WindowRule};
use crate::tui::widgets::{block, ellipsize, local, wrap};

fn fmt_duration(secs: i64) -> String {
    format!("{}h{:02}", secs / 3600, (secs % 3600) / 60)
}

pub fn draw_windows(f: &mut Frame, app: &App, s: &Session, area: Rect) {
    let t = &app.theme;
    let Some(fc) = &s.forecast else {
        let b = block(app, " Low-volume windows ");
        f.render_widget(
            Paragraph::new(Line::styled("waiting for the forecast…", t.dim)).block(b),
            area,
        );
        return;
    };
    let capacity = fc.rule == WindowRule::Capacity;
    let inner_w = usize::from(area.width.saturating_sub(3));
    // Capacity rows carry spare agents, agent-hours and outbound calls: the duration goes
    // first when the table is narrow (start and end say it).
    let with_dur = !capacity || inner_w >= 55;
    let rows: Vec<Row> = fc
        .windows
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let on = s.selected.get(i).copied().unwrap_or(false);
            Row::new(window_cells(app, fc, w, on, with_dur)).style(if on {
                t.window
            } else {
                t.base
            })
        })
        .collect();
    let empty = rows.is_empty();
    let (widths, header) = columns(capacity, with_dur);
    let title = windows_title(fc, s, usize::from(area.width));
    // Rows the table cannot show are counted in its border, never silently cut (issue 16).
    let room = usize::from(area.height.saturating_sub(3));
    let hidden = fc.windows.len().saturating_sub(room);
    let mut b = match campaign_status(app) {
        // Cut with a mark, never mid-word without one (issue 16); the panel has it whole.
        Some(c) => {
            let reserve = if hidden > 0 { 16 } else { 4 };
            let c = ellipsize(&c, (area.width as usize).saturating_sub(reserve));
            block(app, title).title_bottom(Line::styled(format!(" {c} "), t.ok))
        }
        None => block(app, title),
    };
    if hidden > 0 {
        b = b.title_bottom(Line::styled(format!(" +{hidden} more ↕ "), t.dim).right_aligned());
    }
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(t.dim))
        .row_highlight_style(t.selected)
        // The focused row is marked by a glyph too, the same window the chart draws `█` under.
        .highlight_symbol("▶")
        .block(b);
    let mut state = TableState::default().with_selected((!empty).then_some(s.table_row));
    f.render_stateful_widget(table, area, &mut state);
    if empty {
        // The rows' room, so a narrow table wraps the sentence instead of cutting it.
        let inner = Rect {
            y: area.y + 2,
            height: area.height.saturating_sub(3),
            ..area.inner(Margin::new(1, 0))
        };
        let text = if capacity {
            "no window with enough spare agents (w: low volume)"
        } else {
            "no low-volume windows inside calling hours"
        };
        let text = Paragraph::new(text).style(t.dim).wrap(Wrap { trim: true });
        f.render_widget(text, inner);
    }
}

/// One table row: in schedule, start, end, (duration,) then the rule's numbers.
fn window_cells(app: &App, fc: &ForecastView, w: &WindowRow, on: bool, dur: bool) -> Vec<String> {
    let st = local(app.tz, w.start.timestamp() as f64);
    let en = local(app.tz, w.end.timestamp() as f64);
    let end = if st.date_naive() == en.date_naive() {
        en.format("%H:%M").to_string()
    } else {
        en.format("%a %H:%M").to_string()
    };
    let mut cells = vec![
        if on { "[x]" } else { "[ ]" }.to_string(),
        st.format("%a %m-%d %H:%M").to_string(),
        end,
    ];
    if dur {
        cells.push(fmt_duration((w.end - w.start).num_seconds()));
    }
    if fc.rule == WindowRule::Capacity {
        let spare = spare_of(fc, w.start, w.end);
        cells.push(spare.map_or("n/a".into(), |x| format!("{x:.1}")));
        cells.push(format!("{:.1}", w.spare_agent_hours.unwrap_or(0.0)));
        cells.push(w.outbound_calls.unwrap_or(0).to_string());
    } else {
        cells.push(format!("{:.1}", w.mean_yhat));
        cells.push(format!("{:.0}", w.expected_contacts));
    }
    cells
}

/// Column widths and headers for the rule's table.
fn columns(capacity: bool, dur: bool) -> (Vec<Constraint>, Vec<&'static str>) {
    let mut widths = vec![
        Constraint::Length(3),
        Constraint::Length(15),
        Constraint::Length(9),
    ];
    let mut header = vec!["in", "start", "end"];
    if dur {
        widths.push(Constraint::Length(5));
        header.push("dur");
    }
    if capacity {
        widths.extend([Constraint::Length(5); 3]);
        header.extend(["spare", "ag·h", "out"]);
    } else {
        widths.extend([Constraint::Length(5); 2]);
        header.extend(["mean", "calls"]);
    }
    (widths, header)
}

/// The lowest spare agents over `[start, end)`: what is safe throughout the window.
fn spare_of(fc: &ForecastView, start: DateTime<Utc>, end: DateTime<Utc>) -> Option<f64> {
    fc.staffing
        .as_ref()?
        .intervals
        .iter()
        .filter(|iv| iv.ts >= start && iv.ts < end)
        .filter_map(|iv| iv.spare_agents)
        .reduce(f64::min)
}

/// The table's title names the rule (and a what-if in force); the rule's number matters more
/// than the wording, so narrow screens shorten the words first.
fn windows_title(fc: &ForecastView, s: &Session, width: usize) -> String {
    let n_sel = s.selected.iter().filter(|x| **x).count();
    let n = fc.windows.len();
    let what_if = fc
        .staffing
        .as_ref()
        .and_then(|st| st.override_)
        .map_or(String::new(), |o| format!(" · what-if {}", o.agents));
    let (long, short) = match (fc.rule, &fc.staffing) {
        (WindowRule::Capacity, Some(st)) => {
            let rule = format!("spare ≥ {}", st.settings.min_spare_agents);
            (
                format!(" Capacity windows · {n_sel}/{n} in schedule · {rule}{what_if} "),
                format!(" Capacity · {n_sel}/{n} · {rule}{what_if} "),
            )
        }
        _ => {
            let rule = format!("yhat ≤ {:.1}", fc.threshold);
            (
                format!(" Low-volume windows · {n_sel}/{n} in schedule · {rule} "),
                format!(" Windows · {n_sel}/{n} scheduled · {rule} "),
            )
        }
    };
    if long.chars().count() + 2 <= width {
        long
    } else {
        short
    }
}

/// The model panel: each value wraps under its label; what does not fit ends in a line saying
/// how much more there is and where to see it.
pub fn draw_panel(f: &mut Frame, app: &App, s: &Session, area: Rect) {
    let t = &app.theme;
    // The model first: it is what the panel is for; the history's facts follow.
    let mut rows = match &s.forecast {
        Some(fc) => model_rows(app, fc, area),
        None => vec![],
    };
    rows.extend(history_rows(app, s));
    let inner_w = usize::from(area.width.saturating_sub(2));
    let mut lines: Vec<Line> = rows
        .into_iter()
        .flat_map(|(k, v, style)| kv(app, &k, &v, style, inner_w))
        .collect();
    let room = usize::from(area.height.saturating_sub(2));
    if lines.len() > room && room > 0 {
        let more = lines.len() - (room - 1);
        lines.truncate(room - 1);
        lines.push(Line::styled(
            format!("+{more} more lines · m models"),
            t.dim,
        ));
    }
    f.render_widget(Paragraph::new(lines).block(block(app, " Model ")), area);
}

/// A panel row: a dim label, then the value wrapped to the panel, continuation lines indented.
fn kv<'a>(app: &App, k: &str, v: &str, style: Style, width: usize) -> Vec<Line<'a>> {
    let value_w = width.saturating_sub(LABEL_W).max(8);
    wrap(v, value_w)
        .into_iter()
        .enumerate()
        .map(|(i, part)| {
            let label = if i == 0 { k } else { "" };
            Line::from(vec![
                Span::styled(format!("{label:<LABEL_W$}"), app.theme.dim),
                Span::styled(part, style),
            ])
        })
        .collect()
}

const LABEL_W: usize = 9;

/// A panel row before wrapping: label, value, the value's style.
type Row3 = (String, String, Style);

fn history_rows(app: &App, s: &Session) -> Vec<Row3> {
    let Some(h) = &s.history else { return vec![] };
    let points = &h.series.points;
    let (Some(a), Some(b)) = (points.first(), points.last()) else {
        return vec![];
    };
    let days = (b.ts - a.ts).num_hours() as f64 / 24.0;
    let (a, b) = (a.ts.with_timezone(&app.tz), b.ts.with_timezone(&app.tz));
    // The year only when the span crosses one: `12-01→12-01` alone reads as no history.
    let fmt = if a.year() == b.year() {
        "%m-%d"
    } else {
        "%Y-%m-%d"
    };
    let base = app.theme.base;
    let mut rows = vec![
        (
            "history".into(),
            format!("{}→{} ({days:.0} d)", a.format(fmt), b.format(fmt)),
            base,
        ),
        (
            "buckets".into(),
            format!(
                "{}×{}, {} zero",
                points.len(),
                h.series.granularity,
                h.summary.zero_buckets
            ),
            base,
        ),
    ];
    // What the API history counts (inbound voice by default), so a low series is explained.
    if let Some(c) = &h.summary.counted {
        rows.push(("counted".into(), c.to_string(), base));
    }
    rows
}

fn model_rows(app: &App, fc: &ForecastView, area: Rect) -> Vec<Row3> {
    let t = &app.theme;
    let auto = fc.requested == AUTO_MODEL;
    let how = if auto { "auto picked" } else { "your choice" };
    let inner_w = area.width.saturating_sub(2) as usize;
    // Narrow panel: the label itself says who picked the model.
    let mut rows: Vec<Row3> = vec![
        if LABEL_W + fc.model.chars().count() + how.len() + 3 <= inner_w {
            ("model".into(), format!("{} ({how})", fc.model), t.title)
        } else {
            (
                if auto { "auto" } else { "manual" }.into(),
                fc.model.clone(),
                t.title,
            )
        },
    ];
    let mase = fc
        .tournament
        .iter()
        .find(|r| r.model == fc.model)
        .and_then(|r| r.mase)
        .map_or(String::new(), |m| format!(" MASE {m:.2}"));
    let label = if fc.tournament.is_empty() {
        "holdout"
    } else {
        "backtest"
    };
    let wape = match fc.wape {
        Some(w) if inner_w < 30 => format!("{:.0}%", w * 100.0),
        Some(w) => format!("{:.1}%", w * 100.0),
        None => "n/a".to_string(),
    };
    rows.push((label.into(), format!("WAPE {wape}{mase}"), t.base));
    if let Some(aht) = &fc.aht {
        rows.push(("aht".into(), aht.clone(), t.base));
    }
    let (text, style) = match fc.retrain {
        Some(true) => (format!("RETRAIN · {}", fc.drift_note), t.error),
        Some(false) => (format!("ok · {}", fc.drift_note), t.ok),
        None => (fc.drift_note.clone(), t.dim),
    };
    rows.push(("drift".into(), text, style));
    for (k, v) in &fc.options {
        let v = if k == "interval" {
            // The band's honest label: nominal level and, when different, measured coverage.
            match &fc.calibration {
                Some(_) => format!("{}, recalibrated", fc.band),
                None => fc.band.clone(),
            }
        } else {
            v.clone()
        };
        rows.push((k.clone(), v, t.base));
    }
    rows
}
