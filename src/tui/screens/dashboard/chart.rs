//! The dashboard's chart: history and forecast with its band, the cursor readout above, the
//! window strip and time labels below. The axis arithmetic is `ChartView`'s.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Chart, Dataset, GraphType, Paragraph, Wrap};

use crate::forecast::ForecastPoint;
use crate::tui::app::{App, ChartView, Session, Stage};
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

    /// The y range: zero (or the lowest band edge) to 5 % over the highest value.
    fn y_bounds(&self) -> (f64, f64) {
        let y_max = self
            .history
            .iter()
            .map(|p| p.1)
            .chain(self.future.iter().map(|p| p.yhat_upper))
            .fold(1.0_f64, f64::max)
            * 1.05;
        let y_min = self
            .future
            .iter()
            .map(|p| p.yhat_lower)
            .fold(0.0_f64, f64::min);
        (y_min, y_max)
    }
}

pub fn draw(f: &mut Frame, app: &App, s: &Session, area: Rect) {
    let title = format!(
        " {} · history + forecast ({}) ",
        s.queue.name,
        app.tz.name()
    );
    let b = block(app, title);
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
    let [readout, graph, strip, labels] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    let data = Visible::of(s, v);
    plot(f, app, v, &data, graph);
    draw_strip(f, app, s, v, strip);
    draw_time_labels(f, app, v, labels);
    draw_readout(f, app, v, &data, readout);
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

fn plot(f: &mut Frame, app: &App, v: ChartView, data: &Visible, area: Rect) {
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
    let cursor = [(v.cursor, y_min), (v.cursor, y_max)];
    let line = |style, points| {
        Dataset::default()
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(style)
            .data(points)
    };
    let datasets = vec![
        Dataset::default()
            .marker(t.band_marker)
            .graph_type(GraphType::Line)
            .style(t.band)
            .data(&band),
        line(t.cursor, &cursor),
        line(t.history, &data.history),
        line(t.forecast, &yhat),
    ];
    let ylab = |y: f64| format!("{:>w$.0}", y, w = Y_LABEL_WIDTH as usize);
    let chart = Chart::new(datasets)
        .x_axis(Axis::default().bounds([v.start, v.end]))
        .y_axis(Axis::default().bounds([y_min, y_max]).style(t.dim).labels([
            ylab(y_min),
            ylab((y_min + y_max) / 2.0),
            ylab(y_max),
        ]));
    f.render_widget(chart, area);
}

/// The values at the cursor.
fn draw_readout(f: &mut Frame, app: &App, v: ChartView, data: &Visible, area: Rect) {
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
    if let Some(a) = actual {
        spans.push(Span::styled("  actual ", t.dim));
        spans.push(Span::styled(format!("{a:.0}"), t.history));
    }
    if let Some(p) = fp {
        spans.push(Span::styled("  yhat ", t.dim));
        spans.push(Span::styled(format!("{:.1}", p.yhat), t.forecast));
        spans.push(Span::styled(
            format!("  95% [{:.1} – {:.1}]", p.yhat_lower, p.yhat_upper),
            t.dim,
        ));
    }
    if actual.is_none() && fp.is_none() {
        spans.push(Span::styled("  no data here", t.dim));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// A row under the graph: `#` over selected windows, `·` over deselected ones, `^` the cursor.
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
                Some((i, _)) if s.selected.get(i).copied().unwrap_or(false) => ("#", t.window),
                Some(_) => ("·", t.dim),
                None => ("─", t.dim),
            }
        };
        spans.push(Span::styled(ch, style));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// Evenly spaced local-time labels (the axis labels ratatui spreads evenly anyway).
fn draw_time_labels(f: &mut Frame, app: &App, v: ChartView, area: Rect) {
    let x0 = Y_LABEL_WIDTH + 1;
    let w = area.width.saturating_sub(x0) as usize;
    let span = v.span();
    let fmt = if span <= 3.0 * 86400.0 {
        "%a %H:%M"
    } else {
        "%a %m-%d"
    };
    let n = if w >= 100 { 5 } else { 4 };
    let mut row = vec![' '; w];
    for i in 0..n {
        let frac = i as f64 / (n - 1) as f64;
        let label: Vec<char> = local(app.tz, v.start + frac * span)
            .format(fmt)
            .to_string()
            .chars()
            .collect();
        let col = (frac * (w.saturating_sub(1)) as f64).round() as usize;
        let start = if i == n - 1 {
            (col + 1).saturating_sub(label.len())
        } else if i == 0 {
            col
        } else {
            col.saturating_sub(label.len() / 2)
        };
        for (j, ch) in label.iter().enumerate() {
            if let Some(cell) = row.get_mut(start + j) {
                *cell = *ch;
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
