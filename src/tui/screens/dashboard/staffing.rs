//! The staffing row under the volume chart (issue 14): agents on queue against the agents the
//! forecast needs (at the mean and at the upper band), the spare capacity between them shaded,
//! the same window columns, now and cursor as the chart above, and a readout of the cursor's
//! bucket.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Chart, Dataset, GraphType, Paragraph};

use super::marks;
use crate::forecast::staffing::IntervalStaffing;
use crate::tui::app::{App, ChartView, Scope, Session, StaffingView};
use crate::tui::chart::{row_of, y_label, y_ticks};
use crate::tui::widgets::Y_LABEL_WIDTH;

/// Whether the session has a staffing row to draw.
pub fn shown(s: &Session) -> bool {
    s.forecast.as_ref().is_some_and(|f| f.staffing.is_some())
}

pub fn draw(f: &mut Frame, app: &App, s: &Session, v: ChartView, readout: Rect, graph: Rect) {
    let Some(st) = s.forecast.as_ref().and_then(|f| f.staffing.as_ref()) else {
        return;
    };
    let g = s.bucket_secs();
    let visible: Vec<&IntervalStaffing> = st
        .intervals
        .iter()
        .filter(|iv| v.shows(iv.ts.timestamp() as f64, g))
        .collect();
    plot(f, app, st, v, &visible, g, graph);
    marks::draw(f, app, s, v, graph);
    draw_readout(f, app, st, v, readout);
}

/// The y range: zero to 10 % over the most agents staffed or needed in view.
fn y_max(visible: &[&IntervalStaffing]) -> f64 {
    visible
        .iter()
        .map(|iv| f64::from(iv.required_agents_upper).max(iv.staffed_agents.unwrap_or(0.0)))
        .fold(1.0_f64, f64::max)
        * 1.1
}

/// A value per bucket as a step line: flat across each bucket.
fn steps(
    visible: &[&IntervalStaffing],
    g: f64,
    y: impl Fn(&IntervalStaffing) -> Option<f64>,
) -> Vec<(f64, f64)> {
    visible
        .iter()
        .filter_map(|iv| {
            let t = iv.ts.timestamp() as f64;
            y(iv).map(|y| [(t, y), (t + g, y)])
        })
        .flatten()
        .collect()
}

/// Points filling the area between the agents needed and the agents staffed where staffed is
/// more (the spare capacity), one per half column and row.
fn spare_fill(
    visible: &[&IntervalStaffing],
    g: f64,
    upper: bool,
    (dx, dy): (f64, f64),
) -> Vec<(f64, f64)> {
    let mut pts = Vec::new();
    if dx <= 0.0 || dy <= 0.0 {
        return pts;
    }
    for iv in visible {
        let Some(staffed) = iv.staffed_agents else {
            continue;
        };
        let need = f64::from(if upper {
            iv.required_agents_upper
        } else {
            iv.required_agents
        });
        if staffed <= need {
            continue;
        }
        let t0 = iv.ts.timestamp() as f64;
        let mut x = t0;
        while x < t0 + g {
            let mut y = need + dy / 2.0;
            while y < staffed {
                pts.push((x, y));
                y += dy;
            }
            x += dx;
        }
    }
    pts
}

fn plot(
    f: &mut Frame,
    app: &App,
    st: &StaffingView,
    v: ChartView,
    visible: &[&IntervalStaffing],
    g: f64,
    area: Rect,
) {
    let t = &app.theme;
    let hi = y_max(visible);
    let graph_w = f64::from(area.width.saturating_sub(Y_LABEL_WIDTH + 1).max(1));
    let cell = (v.span() / graph_w / 2.0, hi / f64::from(area.height.max(1)));
    let spare = spare_fill(visible, g, st.settings.use_upper_bound, cell);
    let staffed = steps(visible, g, |iv| iv.staffed_agents);
    let need = steps(visible, g, |iv| Some(f64::from(iv.required_agents)));
    let upper = steps(visible, g, |iv| Some(f64::from(iv.required_agents_upper)));
    let spare_marker = if t.colour {
        Marker::Block
    } else {
        Marker::Custom(t.glyphs.spare)
    };
    let need_marker = if t.colour {
        Marker::Braille
    } else {
        Marker::Custom(t.glyphs.required)
    };
    let ds = |marker, style, graph, points| {
        Dataset::default()
            .marker(marker)
            .graph_type(graph)
            .style(style)
            .data(points)
    };
    let datasets = vec![
        ds(spare_marker, t.spare, GraphType::Scatter, &spare[..]),
        ds(
            Marker::Custom(t.glyphs.required_upper),
            t.required,
            GraphType::Line,
            &upper[..],
        ),
        ds(need_marker, t.required, GraphType::Line, &need[..]),
        ds(Marker::Braille, t.staffed, GraphType::Line, &staffed[..]),
    ];
    let blank = " ".repeat(Y_LABEL_WIDTH as usize);
    let chart = Chart::new(datasets)
        .x_axis(Axis::default().bounds([v.start, v.end]))
        .y_axis(
            Axis::default()
                .bounds([0.0, hi])
                .style(t.dim)
                .labels([blank.clone(), blank]),
        );
    f.render_widget(chart, area);
    let w = Y_LABEL_WIDTH as usize;
    let ticks = y_ticks(0.0, hi, usize::from(area.height / 2).clamp(2, 4));
    for (i, y) in ticks.iter().enumerate() {
        let top = i + 1 == ticks.len();
        let label = format!("{:>w$}", y_label(*y, top.then_some("ag"), w));
        let at = Rect::new(
            area.x,
            area.y + row_of(*y, 0.0, hi, area.height),
            Y_LABEL_WIDTH,
            1,
        );
        f.render_widget(Paragraph::new(label).style(t.dim), at);
    }
}

/// `agents  need 3 · upper 4 · on queue 8.0 · spare 4.0 · AHT 312 s` for the cursor's bucket,
/// the what-if in force, and the row's legend when there is room.
fn draw_readout(f: &mut Frame, app: &App, st: &StaffingView, v: ChartView, area: Rect) {
    let t = &app.theme;
    let at = chrono::DateTime::from_timestamp(v.cursor as i64, 0);
    let mut spans = vec![Span::styled(
        format!("{:>w$} ", "agents", w = Y_LABEL_WIDTH as usize),
        t.dim,
    )];
    // The what-if first after the numbers: it must stay visible at 80 columns.
    let what_if = st.override_.map(|o| {
        let scope = match o.scope {
            Scope::Week => "all",
            Scope::Window { .. } => "window",
        };
        Span::styled(format!(" · WHAT-IF {} ({scope})", o.agents), t.error)
    });
    match at.and_then(|at| st.at(at)) {
        Some(iv) => {
            let num = |x: Option<f64>| x.map_or("n/a".to_string(), |x| format!("{x:.1}"));
            spans.extend([
                Span::styled("need ", t.dim),
                Span::styled(iv.required_agents.to_string(), t.required),
                Span::styled(" · upper ", t.dim),
                Span::styled(iv.required_agents_upper.to_string(), t.required),
                Span::styled(" · on queue ", t.dim),
                Span::styled(num(iv.staffed_agents), t.staffed),
                Span::styled(" · spare ", t.dim),
                Span::styled(num(iv.spare_agents), t.title),
            ]);
            spans.extend(what_if);
            spans.push(Span::styled(format!(" · AHT {:.0} s", iv.aht), t.dim));
        }
        None => {
            spans.push(Span::styled("no forecast here", t.dim));
            spans.extend(what_if);
        }
    }
    let used: usize = spans.iter().map(Span::width).sum();
    let g = t.glyphs;
    let legend = [
        (g.staffed, t.staffed, "on queue"),
        (g.required, t.required, "need"),
        (g.required_upper, t.required, "upper"),
        (g.spare, t.spare, "spare"),
    ];
    let legend_w: usize = legend.iter().map(|(_, _, s)| s.chars().count() + 4).sum();
    if used + legend_w + 2 <= usize::from(area.width) {
        spans.push(Span::raw(
            " ".repeat(usize::from(area.width) - used - legend_w),
        ));
        for (glyph, style, text) in legend {
            spans.push(Span::styled(format!("  {glyph}"), style));
            spans.push(Span::styled(format!(" {text}"), t.dim));
        }
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
