//! The dashboard's chart: history and forecast with its band, the cursor readout above, the
//! window strip and time labels below. The axis arithmetic is `ChartView`'s.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Chart, Dataset, GraphType, Paragraph, Wrap};

use super::{marks, staffing};
use crate::forecast::ForecastPoint;
use crate::tui::app::{App, ChartView, ForecastView, Session, Stage, WindowRule};
use crate::tui::chart::{per_bucket, row_of, y_label, y_ticks};
use crate::tui::widgets::{Y_LABEL_WIDTH, block, local, spinner};

/// What the chart plots: the data in view (plus a bucket either side, so lines reach the edges).
struct Visible {
    history: Vec<(f64, f64)>,
    future: Vec<ForecastPoint>,
}

impl Visible {
    fn of(s: &Session, v: ChartView) -> Self {
        let g = s.bucket_secs();
        let history = s
            .history
            .as_ref()
            .map(|h| {
                h.series
                    .points
                    .iter()
                    .map(|p| (p.ts.timestamp() as f64, p.y))
                    .filter(|p| v.shows(p.0, g))
                    .collect()
            })
            .unwrap_or_default();
        let future = s
            .forecast
            .as_ref()
            .map(|f| {
                f.future
                    .iter()
                    .filter(|p| v.shows(p.ts.timestamp() as f64, g))
                    .copied()
                    .collect()
            })
            .unwrap_or_default();
        Self { history, future }
    }

    /// The y range: zero to 5 % over the highest value. Counts are never negative, so a band
    /// edge under zero is cut at the axis.
    fn y_bounds(&self) -> (f64, f64) {
        let y_max = self
            .history
            .iter()
            .map(|p| p.1)
            .chain(self.future.iter().map(|p| p.yhat_upper))
            .fold(1.0_f64, f64::max)
            * 1.05;
        (0.0, y_max)
    }
}

pub fn draw(f: &mut Frame, app: &App, s: &Session, area: Rect) {
    let title = format!(
        " {} · history + forecast ({}) ",
        s.queue.name,
        app.tz.name()
    );
    let mut b = block(app, title);
    if let Some(fc) = &s.forecast {
        b = b.title_bottom(legend(app, fc, area.width.saturating_sub(4)));
    }
    let inner = b.inner(area);
    f.render_widget(b, area);
    let (Some(_), Some(v)) = (&s.history, s.view) else {
        let text = match &s.stage {
            Stage::Failed(e) => Line::styled(format!("✗ {e}"), app.theme.error),
            _ => Line::raw(format!(
                "{} {}",
                spinner(app),
                app.busy().unwrap_or_default()
            )),
        };
        f.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), inner);
        return;
    };
    // The staffing row takes two fifths of the plot height, at least two rows.
    let staffing_h = if staffing::shown(s) {
        (inner.height.saturating_sub(4) * 2 / 5).max(2)
    } else {
        0
    };
    let [readout, graph, agents_readout, agents, strip, labels] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(u16::from(staffing_h > 0)),
        Constraint::Length(staffing_h),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    let data = Visible::of(s, v);
    plot(f, app, s, v, &data, graph);
    // Before the other marks, so the names stop only at data and the marks fill around them.
    marks::draw_days_off(f, app, s, v, graph);
    marks::draw(f, app, s, v, graph);
    if staffing_h > 0 {
        staffing::draw(f, app, s, v, agents_readout, agents);
    }
    draw_strip(f, app, s, v, strip);
    draw_time_labels(f, app, v, labels);
    draw_readout(f, app, s, v, &data, readout);
}

/// The legend in the chart's bottom border: one glyph per thing drawn, as many as fit (an
/// ellipsis says some did not).
fn legend<'a>(app: &App, fc: &ForecastView, width: u16) -> Line<'a> {
    let t = &app.theme;
    let g = t.glyphs;
    let window = if t.colour { '█' } else { g.window };
    let items = [
        (g.history, t.history, "actual".to_string()),
        (g.forecast, t.forecast, "yhat".to_string()),
        (g.band, t.band, fc.band.clone()),
        (window, shade(t), "window".to_string()),
        ('┄', t.dim, rule_label(fc)),
        ('│', t.cursor, "cursor".to_string()),
        ('╏', t.dim, "now".to_string()),
    ];
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1;
    for (i, (glyph, style, text)) in items.iter().enumerate() {
        let w = text.chars().count() + 4;
        let room = usize::from(width).saturating_sub(if i + 1 < items.len() { 2 } else { 0 });
        if used + w > room {
            spans.push(Span::styled("… ", t.dim));
            break;
        }
        used += w;
        spans.push(Span::styled(glyph.to_string(), *style));
        spans.push(Span::styled(format!(" {text}  "), t.dim));
    }
    Line::from(spans)
}

/// The threshold line's legend: the quartile's yhat, or the contacts that leave
/// `min_spare_agents` idle.
fn rule_label(fc: &ForecastView) -> String {
    match (&fc.rule, &fc.staffing) {
        (WindowRule::Capacity, Some(st)) => {
            format!("spare ≥ {}", st.settings.min_spare_agents)
        }
        _ => format!("≤ {:.1}", fc.threshold),
    }
}

/// How window cells look in the legend: the shade in colour, the fill glyph's style without.
fn shade(t: &crate::tui::theme::Theme) -> ratatui::style::Style {
    if t.colour {
        t.window_shade.fg(ratatui::style::Color::Indexed(236))
    } else {
        t.window
    }
}

/// The band as one line: a vertical stroke between lower and upper every `step` seconds,
/// alternating direction and joined along the edges, so it fills the area between them.
fn band(future: &[ForecastPoint], step: f64) -> Vec<(f64, f64)> {
    let mut band = Vec::new();
    if future.len() < 2 || step <= 0.0 {
        return band;
    }
    let at = |i: usize| future[i].ts.timestamp() as f64;
    let mut x = at(0);
    let last = at(future.len() - 1);
    let mut up = false;
    let mut i = 0;
    while x <= last {
        while i + 1 < future.len() && at(i + 1) <= x {
            i += 1;
        }
        let (a, b) = (future[i], future[(i + 1).min(future.len() - 1)]);
        let (xa, xb) = (at(i), at((i + 1).min(future.len() - 1)));
        let w = if xb > xa { (x - xa) / (xb - xa) } else { 0.0 };
        let lo = a.yhat_lower + w * (b.yhat_lower - a.yhat_lower);
        let hi = a.yhat_upper + w * (b.yhat_upper - a.yhat_upper);
        if up {
            band.push((x, hi));
            band.push((x, lo));
        } else {
            band.push((x, lo));
            band.push((x, hi));
        }
        up = !up;
        x += step;
    }
    band
}

fn plot(f: &mut Frame, app: &App, s: &Session, v: ChartView, data: &Visible, area: Rect) {
    let t = &app.theme;
    let (y_min, y_max) = data.y_bounds();
    // Half-column steps fill the band.
    let graph_w = area.width.saturating_sub(Y_LABEL_WIDTH + 1).max(1) as f64;
    let band = band(&data.future, v.span() / graph_w / 2.0);
    let yhat: Vec<(f64, f64)> = data
        .future
        .iter()
        .map(|p| (p.ts.timestamp() as f64, p.yhat))
        .collect();
    let threshold = threshold_line(s, v, data);
    let line = |marker, style, points| {
        Dataset::default()
            .marker(marker)
            .graph_type(GraphType::Line)
            .style(style)
            .data(points)
    };
    let datasets = vec![
        line(t.band_marker, t.band, &band),
        line(Marker::Custom('┄'), t.dim, &threshold),
        line(Marker::Braille, t.history, &data.history),
        line(t.forecast_marker, t.forecast, &yhat),
    ];
    // Blank labels keep the label column; the ticks are drawn at their own rows below.
    let blank = " ".repeat(Y_LABEL_WIDTH as usize);
    let chart = Chart::new(datasets)
        .x_axis(Axis::default().bounds([v.start, v.end]))
        .y_axis(
            Axis::default()
                .bounds([y_min, y_max])
                .style(t.dim)
                .labels([blank.clone(), blank]),
        );
    f.render_widget(chart, area);
    draw_y_ticks(f, app, s, (y_min, y_max), area);
}

/// The quartile threshold across the forecast (below it a bucket can be in a window), or in
/// capacity mode the spare-capacity rule per bucket: the most contacts that still leave
/// `min_spare_agents` agents idle (compared with the upper band when spare is planned on it).
fn threshold_line(s: &Session, v: ChartView, data: &Visible) -> Vec<(f64, f64)> {
    let Some(fc) = &s.forecast else {
        return vec![];
    };
    if let (WindowRule::Capacity, Some(st)) = (fc.rule, &fc.staffing) {
        let g = s.bucket_secs();
        return st
            .rule_line
            .iter()
            .filter(|(ts, _)| v.shows(ts.timestamp() as f64, g))
            .filter_map(|(ts, c)| {
                let t = ts.timestamp() as f64;
                c.map(|c| [(t, c), (t + g, c)])
            })
            .flatten()
            .collect();
    }
    match data.future.first() {
        Some(first) if !fc.windows.is_empty() => {
            let from = (first.ts.timestamp() as f64).max(v.start);
            vec![(from, fc.threshold), (v.end, fc.threshold)]
        }
        _ => vec![],
    }
}

/// Round y values at their own rows, the top one with the unit (`40/h`).
fn draw_y_ticks(f: &mut Frame, app: &App, s: &Session, (lo, hi): (f64, f64), area: Rect) {
    let ticks = y_ticks(lo, hi, usize::from(area.height / 2).clamp(3, 5));
    let unit = per_bucket(s.bucket_secs());
    let w = Y_LABEL_WIDTH as usize;
    for (i, y) in ticks.iter().enumerate() {
        let top = i + 1 == ticks.len();
        let label = format!("{:>w$}", y_label(*y, top.then_some(unit.as_str()), w));
        let row = area.y + row_of(*y, lo, hi, area.height);
        let at = Rect::new(area.x, row, Y_LABEL_WIDTH, 1);
        f.render_widget(Paragraph::new(label).style(app.theme.dim), at);
    }
}

/// The values at the cursor.
fn draw_readout(f: &mut Frame, app: &App, s: &Session, v: ChartView, data: &Visible, area: Rect) {
    let t = &app.theme;
    let actual = data
        .history
        .iter()
        .find(|p| (p.0 - v.cursor).abs() < 1.0)
        .map(|p| p.1);
    let fp = data
        .future
        .iter()
        .find(|p| ((p.ts.timestamp() as f64) - v.cursor).abs() < 1.0);
    let mut spans = vec![Span::styled(
        local(app.tz, v.cursor)
            .format("%a %m-%d %H:%M %Z")
            .to_string(),
        t.title,
    )];
    // The cursor's bucket holds "now": the marker is under the cursor, so say it.
    let now = s
        .forecast
        .as_ref()
        .map(|f| f.refreshed_at.timestamp() as f64);
    if now.is_some_and(|n| v.cursor <= n && n < v.cursor + s.bucket_secs()) {
        spans.push(Span::styled(" (now)", t.title));
    }
    let date = local(app.tz, v.cursor).date_naive();
    let day_off = s.forecast.as_ref().and_then(|f| {
        f.holidays
            .iter()
            .find(|(d, _)| *d == date)
            .map(|(_, name)| name)
    });
    if let Some(name) = day_off {
        spans.push(Span::styled(format!(" {name}"), t.title));
    }
    if let Some(a) = actual {
        spans.push(Span::styled("  actual ", t.dim));
        spans.push(Span::styled(format!("{a:.0}"), t.history));
    }
    if let Some(p) = fp {
        spans.push(Span::styled("  yhat ", t.dim));
        spans.push(Span::styled(format!("{:.1}", p.yhat), t.forecast));
        let band = s.forecast.as_ref().map_or("band", |f| f.band.as_str());
        spans.push(Span::styled(
            format!("  {band} {:.1}–{:.1}", p.yhat_lower, p.yhat_upper),
            t.dim,
        ));
    }
    if actual.is_none() && fp.is_none() {
        spans.push(Span::styled("  no data here", t.dim));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// A row under the graph: `#` over windows in the schedule, `·` over the others, `█` over the
/// window the table's cursor is on, `^` the cursor.
fn draw_strip(f: &mut Frame, app: &App, s: &Session, v: ChartView, area: Rect) {
    let t = &app.theme;
    let x0 = Y_LABEL_WIDTH + 1;
    let w = area.width.saturating_sub(x0);
    if w == 0 {
        return;
    }
    let windows = s.forecast.as_ref().map(|f| &f.windows[..]).unwrap_or(&[]);
    let mut spans = vec![Span::styled(
        format!("{:>w$} ", "low", w = Y_LABEL_WIDTH as usize),
        t.dim,
    )];
    let cursor_col = v.column_of(v.cursor, w);
    for c in 0..w {
        let (a, b) = v.column_span(c, w);
        let hit = windows.iter().enumerate().find(|(_, win)| {
            (win.start.timestamp() as f64) < b && (win.end.timestamp() as f64) > a
        });
        let (ch, style) = if i64::from(c) == cursor_col {
            ("^", t.title)
        } else {
            match hit {
                Some((i, _)) if i == s.table_row => ("█", t.window),
                Some((i, _)) if s.selected.get(i).copied().unwrap_or(false) => ("#", t.window),
                Some(_) => ("·", t.dim),
                None => ("─", t.dim),
            }
        };
        spans.push(Span::styled(ch, style));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// Local-time labels on whole hours or days (`ChartView::time_ticks`), each starting at its
/// tick's column.
fn draw_time_labels(f: &mut Frame, app: &App, v: ChartView, area: Rect) {
    let x0 = Y_LABEL_WIDTH + 1;
    let w = area.width.saturating_sub(x0);
    let mut row = vec![' '; usize::from(w)];
    for tick in v.time_ticks(app.tz, w) {
        for (j, ch) in tick.label.chars().enumerate() {
            if let Some(cell) = row.get_mut(usize::from(tick.col) + j) {
                *cell = ch;
            }
        }
    }
    let text: String = std::iter::repeat_n(' ', x0 as usize).chain(row).collect();
    f.render_widget(Paragraph::new(text).style(app.theme.dim), area);
}

#[cfg(test)]
mod tests {
    use chrono::{TimeDelta, TimeZone, Utc};

    use super::*;

    #[test]
    fn the_band_zigzags_between_interpolated_edges() {
        let t0 = Utc.with_ymd_and_hms(2024, 6, 1, 0, 0, 0).unwrap();
        let p = |h: i64, lo: f64, hi: f64| ForecastPoint {
            ts: t0 + TimeDelta::hours(h),
            yhat: (lo + hi) / 2.0,
            yhat_lower: lo,
            yhat_upper: hi,
        };
        let x0 = t0.timestamp() as f64;
        let b = band(&[p(0, 0.0, 10.0), p(1, 2.0, 20.0)], 1800.0);
        assert_eq!(
            b,
            [
                (x0, 0.0),
                (x0, 10.0),
                (x0 + 1800.0, 15.0),
                (x0 + 1800.0, 1.0),
                (x0 + 3600.0, 2.0),
                (x0 + 3600.0, 20.0),
            ]
        );
        assert!(
            band(&[p(0, 0.0, 1.0)], 1800.0).is_empty(),
            "one point: no band"
        );
        assert!(band(&[p(0, 0.0, 1.0), p(1, 0.0, 1.0)], 0.0).is_empty());
    }
}
