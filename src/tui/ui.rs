//! Draw functions: they read `&App` and render; they never change state.

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Axis, Block, Borders, Chart, Clear, Dataset, GraphType, List, ListItem, ListState, Paragraph,
    Row, Table, TableState, Wrap,
};

use crate::campaign::Field;
use crate::tui::app::{
    AUTO_MODEL, App, ChartView, Level, Loadable, Overlay, Screen, Session, Stage, SubmitState,
};
use crate::tui::keymap::{Command, Context};

pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;
const SPINNER: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/// Width of the y-axis labels, fixed so the strip and time labels line up with the graph.
const Y_LABEL_WIDTH: u16 = 6;

/// Renders the whole screen.
pub fn draw(f: &mut Frame, app: &App) {
    let area = f.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let msg = format!(
            "terminal too small ({}×{}, need {MIN_WIDTH}×{MIN_HEIGHT})",
            area.width, area.height
        );
        f.render_widget(Paragraph::new(msg).wrap(Wrap { trim: true }), area);
        return;
    }
    let [main, status] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
    match app.screen {
        Screen::Picker => draw_picker(f, app, main),
        Screen::Dashboard => draw_dashboard(f, app, main),
        Screen::Review => draw_review(f, app, main),
    }
    draw_status(f, app, status);
    match &app.overlay {
        Some(Overlay::Help) => draw_help(f, app, main),
        Some(Overlay::Confirm { text, .. }) => draw_confirm(f, app, main, text),
        Some(Overlay::Export(p)) => draw_export(f, app, main, p),
        Some(Overlay::Models { row }) => draw_models(f, app, main, *row),
        None => {}
    }
    draw_toasts(f, app, main);
}

fn local(tz: Tz, secs: f64) -> DateTime<Tz> {
    Utc.timestamp_opt(secs as i64, 0)
        .single()
        .unwrap_or_default()
        .with_timezone(&tz)
}

fn block<'a>(app: &App, title: impl Into<Line<'a>>) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(app.theme.dim)
        .title(title.into().style(app.theme.title))
}

fn draw_picker(f: &mut Frame, app: &App, area: Rect) {
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
            Paragraph::new(format!("{} loading queues…", SPINNER[app.spinner % 10])),
            list,
        ),
        Loadable::Failed(e) => f.render_widget(
            Paragraph::new(format!("could not load queues: {e}"))
                .style(app.theme.error)
                .wrap(Wrap { trim: true }),
            list,
        ),
        Loadable::Ready(_) => {
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
                list,
                &mut state,
            );
        }
    }
}

fn draw_dashboard(f: &mut Frame, app: &App, area: Rect) {
    let Some(s) = &app.session else { return };
    let table_h = if area.height >= 34 { 12 } else { 9 };
    let [chart, bottom] =
        Layout::vertical([Constraint::Min(8), Constraint::Length(table_h)]).areas(area);
    let [table, panel] =
        Layout::horizontal([Constraint::Percentage(62), Constraint::Percentage(38)]).areas(bottom);
    draw_chart(f, app, s, chart);
    draw_windows(f, app, s, table);
    draw_panel(f, app, s, panel);
}

fn value_at(points: &[(f64, f64)], x: f64) -> Option<f64> {
    points.iter().find(|p| (p.0 - x).abs() < 1.0).map(|p| p.1)
}

fn draw_chart(f: &mut Frame, app: &App, s: &Session, area: Rect) {
    let t = &app.theme;
    let title = format!(
        " {} · history + forecast ({}) ",
        s.queue.name,
        app.tz.name()
    );
    let b = block(app, title);
    let inner = b.inner(area);
    f.render_widget(b, area);
    let (Some(h), Some(v)) = (&s.history, s.view) else {
        let text = match &s.stage {
            Stage::Failed(e) => Line::styled(format!("✗ {e}"), t.error),
            _ => Line::raw(format!(
                "{} {}",
                SPINNER[app.spinner % 10],
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
    let g = h.granularity.minutes() as f64 * 60.0;
    let in_view = |x: f64| x >= v.start - g && x <= v.end + g;
    let hist: Vec<(f64, f64)> = h
        .points
        .iter()
        .map(|p| (p.ts.timestamp() as f64, p.y))
        .filter(|p| in_view(p.0))
        .collect();
    let fc = s.forecast.as_ref();
    let future: Vec<_> = fc
        .map(|f| {
            f.future
                .iter()
                .filter(|p| in_view(p.ts.timestamp() as f64))
                .copied()
                .collect()
        })
        .unwrap_or_default();
    let yhat: Vec<(f64, f64)> = future
        .iter()
        .map(|p| (p.ts.timestamp() as f64, p.yhat))
        .collect();
    let y_max = hist
        .iter()
        .map(|p| p.1)
        .chain(future.iter().map(|p| p.yhat_upper))
        .fold(1.0_f64, f64::max)
        * 1.05;
    let y_min = future.iter().map(|p| p.yhat_lower).fold(0.0_f64, f64::min);
    // The band: a zig-zag between lower and upper in half-column steps fills the area.
    let graph_w = graph.width.saturating_sub(Y_LABEL_WIDTH + 1).max(1) as f64;
    let step = (v.end - v.start) / graph_w / 2.0;
    let mut band = Vec::new();
    if future.len() >= 2 {
        let mut x = future[0].ts.timestamp() as f64;
        let last = future[future.len() - 1].ts.timestamp() as f64;
        let mut up = false;
        let mut i = 0;
        while x <= last && step > 0.0 {
            while i + 1 < future.len() && (future[i + 1].ts.timestamp() as f64) <= x {
                i += 1;
            }
            let a = future[i];
            let b = future[(i + 1).min(future.len() - 1)];
            let (xa, xb) = (a.ts.timestamp() as f64, b.ts.timestamp() as f64);
            let w = if xb > xa { (x - xa) / (xb - xa) } else { 0.0 };
            let lo = a.yhat_lower + w * (b.yhat_lower - a.yhat_lower);
            let hi = a.yhat_upper + w * (b.yhat_upper - a.yhat_upper);
            // A vertical stroke per half column, alternating direction, joined along the edges.
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
    }
    let cursor = [(v.cursor, y_min), (v.cursor, y_max)];
    let datasets = vec![
        Dataset::default()
            .marker(t.band_marker)
            .graph_type(GraphType::Line)
            .style(t.band)
            .data(&band),
        Dataset::default()
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(t.cursor)
            .data(&cursor),
        Dataset::default()
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(t.history)
            .data(&hist),
        Dataset::default()
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(t.forecast)
            .data(&yhat),
    ];
    let ylab = |y: f64| format!("{:>w$.0}", y, w = Y_LABEL_WIDTH as usize);
    let chart = Chart::new(datasets)
        .x_axis(Axis::default().bounds([v.start, v.end]))
        .y_axis(Axis::default().bounds([y_min, y_max]).style(t.dim).labels([
            ylab(y_min),
            ylab((y_min + y_max) / 2.0),
            ylab(y_max),
        ]));
    f.render_widget(chart, graph);
    draw_strip(f, app, s, v, strip);
    draw_time_labels(f, app, v, labels);
    // Readout at the cursor.
    let hist_pts: Vec<(f64, f64)> = hist.clone();
    let actual = value_at(&hist_pts, v.cursor);
    let fp = future
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
    f.render_widget(Paragraph::new(Line::from(spans)), readout);
}

/// A row under the graph: `#` over selected windows, `·` over deselected ones, `^` the cursor.
fn draw_strip(f: &mut Frame, app: &App, s: &Session, v: ChartView, area: Rect) {
    let t = &app.theme;
    let x0 = Y_LABEL_WIDTH + 1;
    let w = area.width.saturating_sub(x0);
    if w == 0 {
        return;
    }
    let span = v.end - v.start;
    let windows = s.forecast.as_ref().map(|f| &f.windows[..]).unwrap_or(&[]);
    let mut spans = vec![Span::styled(
        format!("{:>w$} ", "low", w = Y_LABEL_WIDTH as usize),
        t.dim,
    )];
    let cursor_col = ((v.cursor - v.start) / span * w as f64).floor() as i64;
    for c in 0..w {
        let a = v.start + span * c as f64 / w as f64;
        let b = v.start + span * (c + 1) as f64 / w as f64;
        let hit = windows.iter().enumerate().find(|(_, win)| {
            (win.start.timestamp() as f64) < b && (win.end.timestamp() as f64) > a
        });
        let (ch, style) = if c as i64 == cursor_col {
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
    let span = v.end - v.start;
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

fn fmt_duration(secs: i64) -> String {
    format!("{}h{:02}", secs / 3600, (secs % 3600) / 60)
}

fn draw_windows(f: &mut Frame, app: &App, s: &Session, area: Rect) {
    let t = &app.theme;
    let Some(fc) = &s.forecast else {
        let b = block(app, " Low-volume windows ");
        f.render_widget(
            Paragraph::new(Line::styled("waiting for the forecast…", t.dim)).block(b),
            area,
        );
        return;
    };
    let n_sel = s.selected.iter().filter(|x| **x).count();
    let long = format!(
        " Low-volume windows · {n_sel}/{} in schedule · yhat ≤ {:.1} ",
        fc.windows.len(),
        fc.threshold
    );
    // The threshold matters more than the wording: shorten the words first on narrow screens.
    let title = if long.chars().count() + 2 <= area.width as usize {
        long
    } else {
        format!(
            " Windows · {n_sel}/{} scheduled · yhat ≤ {:.1} ",
            fc.windows.len(),
            fc.threshold
        )
    };
    let rows: Vec<Row> = fc
        .windows
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let on = s.selected.get(i).copied().unwrap_or(false);
            let st = local(app.tz, w.start.timestamp() as f64);
            let en = local(app.tz, w.end.timestamp() as f64);
            let end = if st.date_naive() == en.date_naive() {
                en.format("%H:%M").to_string()
            } else {
                en.format("%a %H:%M").to_string()
            };
            Row::new(vec![
                if on { "[x]" } else { "[ ]" }.to_string(),
                st.format("%a %m-%d %H:%M").to_string(),
                end,
                fmt_duration((w.end - w.start).num_seconds()),
                format!("{:.1}", w.mean_yhat),
                format!("{:.0}", w.expected_contacts),
            ])
            .style(if on { t.window } else { t.base })
        })
        .collect();
    let empty = rows.is_empty();
    let table = Table::new(
        rows,
        [
            Constraint::Length(3),
            Constraint::Length(15),
            Constraint::Length(9),
            Constraint::Length(5),
            Constraint::Length(5),
            Constraint::Length(5),
        ],
    )
    .header(Row::new(["in", "start", "end", "dur", "mean", "calls"]).style(t.dim))
    .row_highlight_style(t.selected)
    .block(block(app, title));
    let mut state = TableState::default().with_selected((!empty).then_some(s.table_row));
    f.render_stateful_widget(table, area, &mut state);
    if empty {
        let inner = Rect {
            y: area.y + 2,
            height: 1,
            ..area.inner(ratatui::layout::Margin::new(1, 0))
        };
        f.render_widget(
            Paragraph::new("no low-volume windows inside calling hours").style(t.dim),
            inner,
        );
    }
}

fn draw_panel(f: &mut Frame, app: &App, s: &Session, area: Rect) {
    let t = &app.theme;
    let mut lines = Vec::new();
    let kv = |k: &str, v: String, style: Style| {
        Line::from(vec![
            Span::styled(format!("{k:<9}"), t.dim),
            Span::styled(v, style),
        ])
    };
    if let Some(h) = &s.history
        && let (Some(a), Some(b)) = (h.points.first(), h.points.last())
    {
        let days = (b.ts - a.ts).num_hours() as f64 / 24.0;
        lines.push(kv(
            "history",
            format!(
                "{}→{} ({days:.0} d)",
                a.ts.with_timezone(&app.tz).format("%m-%d"),
                b.ts.with_timezone(&app.tz).format("%m-%d")
            ),
            t.base,
        ));
        lines.push(kv(
            "buckets",
            format!(
                "{}×{}, {} zero",
                h.points.len(),
                h.granularity,
                h.zero_filled
            ),
            t.base,
        ));
    }
    if let Some(fc) = &s.forecast {
        let how = if fc.requested == AUTO_MODEL {
            "auto picked"
        } else {
            "your choice"
        };
        let auto = fc.requested == AUTO_MODEL;
        let inner_w = area.width.saturating_sub(2) as usize;
        // Narrow panel: the label itself says who picked the model.
        lines.push(if 9 + fc.model.chars().count() + how.len() + 3 <= inner_w {
            Line::from(vec![
                Span::styled(format!("{:<9}", "model"), t.dim),
                Span::styled(fc.model.clone(), t.title),
                Span::styled(format!(" ({how})"), t.dim),
            ])
        } else {
            Line::from(vec![
                Span::styled(
                    format!("{:<9}", if auto { "auto" } else { "manual" }),
                    t.dim,
                ),
                Span::styled(fc.model.clone(), t.title),
            ])
        });
        let pct = |x: Option<f64>| x.map_or("n/a".to_string(), |v| format!("{:.1}%", v * 100.0));
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
            w => pct(w),
        };
        lines.push(kv(label, format!("WAPE {wape}{mase}"), t.base));
        for (k, v) in fc
            .options
            .iter()
            .take(if area.height >= 12 { 2 } else { 1 })
        {
            let v = if k == "interval" && fc.calibration.is_some() {
                format!("{v}, recalibrated")
            } else {
                v.clone()
            };
            lines.push(kv(k, v, t.base));
        }
        let (text, style) = match fc.retrain {
            Some(true) => (format!("RETRAIN · {}", fc.drift_note), t.error),
            Some(false) => (format!("ok · {}", fc.drift_note), t.ok),
            None => (fc.drift_note.clone(), t.dim),
        };
        lines.push(kv("drift", text, style));
    }
    lines.push(Line::from(vec![
        Span::styled("# ", t.window),
        Span::styled("window  ", t.dim),
        Span::styled("━ ", t.history),
        Span::styled("actual  ", t.dim),
        Span::styled("━ ", t.forecast),
        Span::styled("yhat", t.dim),
    ]));
    f.render_widget(Paragraph::new(lines).block(block(app, " Model ")), area);
}

fn draw_review(f: &mut Frame, app: &App, area: Rect) {
    let Some(r) = &app.review else { return };
    let t = &app.theme;
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area);
    let lists = app.contact_lists.ready().map(Vec::as_slice).unwrap_or(&[]);
    let scripts = app.scripts.ready().map(Vec::as_slice).unwrap_or(&[]);
    let problems = r.form.validate(lists, scripts);
    let picker_value = |l: &Loadable<Vec<crate::campaign::NamedRef>>, i: Option<usize>| match l {
        Loadable::Loading => format!("{} loading…", SPINNER[app.spinner % 10]),
        Loadable::Failed(e) => format!("failed: {e}"),
        Loadable::Ready(v) => match i.and_then(|i| v.get(i)) {
            Some(x) => format!("◀ {} ▶", x.name),
            None if v.is_empty() => "(none available)".into(),
            None => format!("◀ choose ({}) ▶", v.len()),
        },
    };
    let mut lines = vec![Line::from(vec![
        Span::styled(format!("  {:<15}", "Queue"), t.dim),
        Span::raw(r.form.queue.name.clone()),
    ])];
    for (i, field) in Field::ALL.iter().enumerate() {
        let value = match field {
            Field::Name => r.form.name.clone(),
            Field::ContactList => picker_value(&app.contact_lists, r.form.contact_list),
            Field::Script => picker_value(&app.scripts, r.form.script),
            Field::DialingMode => format!("◀ {} ▶", r.form.dialing_mode()),
            Field::CallerName => r.form.caller_name.clone(),
            Field::CallerAddress => r.form.caller_address.clone(),
            Field::PhoneColumn => r.form.phone_column.clone(),
            Field::PhoneType => format!("◀ {} ▶", r.form.phone_type()),
        };
        let focused = i == r.focus;
        let bad = problems.iter().find(|p| p.0 == *field);
        let mark = if bad.is_some() { "✗ " } else { "  " };
        let mut spans = vec![
            Span::styled(mark, t.error),
            Span::styled(format!("{:<15}", field.label()), t.dim),
            Span::styled(value, if focused { t.selected } else { t.base }),
        ];
        if focused && r.editing {
            spans.push(Span::styled("▏", t.title));
        }
        lines.push(Line::from(spans));
        if let Some((_, msg)) = bad {
            lines.push(Line::styled(format!("    {msg}"), t.error));
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        format!(
            "Schedule ({}), {} window(s):",
            r.form.tz.name(),
            r.form.windows.len()
        ),
        t.title,
    ));
    for w in &r.form.windows {
        let st = w.start.with_timezone(&r.form.tz);
        let en = w.end.with_timezone(&r.form.tz);
        lines.push(Line::styled(
            format!(
                "  {} – {}",
                st.format("%a %Y-%m-%d %H:%M"),
                en.format("%H:%M")
            ),
            t.window,
        ));
    }
    let status = match &r.submit {
        SubmitState::Idle => Line::styled(
            format!(
                "{} submit (asks first) · {} back",
                app.keymap.hint(Context::Review, Command::Submit),
                app.keymap.hint(Context::Global, Command::Back)
            ),
            t.dim,
        ),
        SubmitState::InFlight { .. } => Line::raw(format!(
            "{} submitting… (submit is disabled until it answers)",
            SPINNER[app.spinner % 10]
        )),
        SubmitState::Done { id, self_uri } => {
            Line::styled(format!("✓ created {id} · {self_uri}"), t.ok)
        }
        SubmitState::Failed { error, .. } => Line::styled(
            format!(
                "✗ {} (correlation id {})",
                error.message,
                error.correlation_id.as_deref().unwrap_or("none")
            ),
            t.error,
        ),
    };
    let [form_area, status_area] = Layout::vertical([
        Constraint::Min(1),
        // Room for a full API error with its correlation id.
        Constraint::Length(if matches!(r.submit, SubmitState::Failed { .. }) {
            6
        } else {
            3
        }),
    ])
    .areas(left);
    f.render_widget(
        Paragraph::new(lines).block(block(app, " Campaign review ")),
        form_area,
    );
    f.render_widget(
        Paragraph::new(status)
            .wrap(Wrap { trim: true })
            .block(block(app, " Submit ")),
        status_area,
    );
    let campaign =
        serde_json::to_string_pretty(&r.form.campaign_body(lists, scripts)).unwrap_or_default();
    let id = match &r.submit {
        SubmitState::Done { id, .. } => id.clone(),
        _ => "<new campaign id>".into(),
    };
    let schedule = serde_json::to_string_pretty(&r.form.schedule_body(&id)).unwrap_or_default();
    let mut preview: Vec<Line> = vec![Line::styled("POST /api/v2/outbound/campaigns", t.title)];
    preview.extend(campaign.lines().map(|l| Line::raw(l.to_string())));
    preview.push(Line::styled(
        format!("PUT /api/v2/outbound/schedules/campaigns/{id}"),
        t.title,
    ));
    preview.extend(schedule.lines().map(|l| Line::raw(l.to_string())));
    f.render_widget(
        Paragraph::new(preview)
            .scroll((r.preview_scroll, 0))
            .block(block(app, " Request preview ")),
        right,
    );
}

fn spans_width(spans: &[Span]) -> usize {
    spans.iter().map(Span::width).sum()
}

/// Cuts a name to `max` columns with an ellipsis.
fn ellipsize(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// How much of the status bar's left side to show; tried from most to least complete.
#[derive(Clone, Copy)]
struct StatusFit {
    /// Columns for "org · region"; `None` hides it.
    org: Option<usize>,
    queue: usize,
    refreshed: bool,
    busy: bool,
}

/// Below this many columns a cut name says nothing.
const MIN_NAME: usize = 12;

fn status_left<'a>(app: &'a App, fit: StatusFit) -> Vec<Span<'a>> {
    let t = &app.theme;
    let sep = || Span::styled(" │ ", t.dim);
    let mut spans = Vec::new();
    if app.org.sandbox {
        spans.push(Span::styled(" SANDBOX ", t.sandbox));
        spans.push(Span::raw(" "));
    } else {
        spans.push(Span::raw(" "));
    }
    if let Some(s) = &app.session {
        spans.push(Span::raw(ellipsize(&s.queue.name, fit.queue)));
        if let Some(fc) = &s.forecast {
            if fc.retrain == Some(true) {
                spans.push(sep());
                spans.push(Span::styled("retrain recommended", t.error));
            }
            if fit.refreshed {
                spans.push(sep());
                spans.push(Span::styled(
                    format!(
                        "refreshed {}",
                        fc.refreshed_at.with_timezone(&app.tz).format("%H:%M")
                    ),
                    t.dim,
                ));
            }
        }
    }
    if fit.busy
        && let Some(b) = app.busy()
    {
        if app.session.is_some() {
            spans.push(sep());
        }
        spans.push(Span::raw(format!("{} {b}", SPINNER[app.spinner % 10])));
    }
    if let Some(max) = fit.org {
        if app.session.is_some() || (fit.busy && app.busy().is_some()) {
            spans.push(sep());
        }
        // The region says which org more surely than a cut name: cut the name first.
        let region = &app.org.region;
        let room = max.saturating_sub(region.chars().count() + 3);
        let text = if app.org.name.chars().count() <= room {
            format!("{} · {region}", app.org.name)
        } else if room >= MIN_NAME / 2 {
            format!("{} · {region}", ellipsize(&app.org.name, room))
        } else {
            ellipsize(region, max)
        };
        spans.push(Span::styled(text, t.dim));
    }
    spans
}

fn draw_status(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let width = area.width as usize;
    let ctx = app.context();
    // Most important first. The first `essential` hints stay even if names have to be cut;
    // the rest only show when everything else fits too.
    let essential = 4;
    let hints: &[(Context, Command)] = match ctx {
        Context::Picker => &[
            (Context::Global, Command::Help),
            (Context::Picker, Command::Select),
        ],
        Context::Dashboard => &[
            (Context::Global, Command::Help),
            (Context::Dashboard, Command::ToggleWindow),
            (Context::Dashboard, Command::Review),
            (Context::Dashboard, Command::Models),
            (Context::Dashboard, Command::Export),
            (Context::Dashboard, Command::Refresh),
        ],
        Context::Review => &[
            (Context::Global, Command::Help),
            (Context::Review, Command::Edit),
            (Context::Review, Command::Submit),
            (Context::Global, Command::Back),
        ],
        Context::Models => &[
            (Context::Models, Command::UseModel),
            (Context::Global, Command::Back),
        ],
        _ => &[(Context::Global, Command::Back)],
    };
    let hint = |(c, cmd): &(Context, Command)| {
        vec![
            Span::styled(format!(" {}", app.keymap.hint(*c, *cmd)), t.key),
            Span::styled(format!(" {}", short(*cmd)), t.dim),
        ]
    };
    let hints_width = |shown: &[&(Context, Command)]| -> usize {
        shown.iter().map(|h| spans_width(&hint(h))).sum::<usize>() + 1
    };
    let queue_len = app
        .session
        .as_ref()
        .map_or(0, |s| s.queue.name.chars().count());
    let org_len = app.org.name.chars().count() + app.org.region.chars().count() + 3;
    let full = StatusFit {
        org: Some(org_len),
        queue: queue_len,
        refreshed: true,
        busy: true,
    };
    let left_w = |fit: StatusFit| spans_width(&status_left(app, fit));
    let mut shown: Vec<&(Context, Command)> = hints.iter().take(essential).collect();
    let minimal = StatusFit {
        org: None,
        queue: queue_len.min(MIN_NAME),
        refreshed: false,
        busy: false,
    };
    while shown.len() > 1 && left_w(minimal) + hints_width(&shown) > width {
        shown.pop();
    }
    let room = width.saturating_sub(hints_width(&shown));
    // From most to least complete: cut the org, drop it, cut the queue, drop the refresh time,
    // drop the busy note, cut the queue to what is left.
    let no_org = StatusFit { org: None, ..full };
    let cut_org = StatusFit {
        org: Some(org_len.saturating_sub(left_w(full).saturating_sub(room))),
        ..full
    };
    let cut_queue = |fit: StatusFit| StatusFit {
        queue: queue_len
            .saturating_sub(left_w(fit).saturating_sub(room))
            .max(1),
        ..fit
    };
    let no_refresh = StatusFit {
        refreshed: false,
        ..no_org
    };
    let no_busy = StatusFit {
        busy: false,
        ..no_refresh
    };
    let candidates = [
        full,
        cut_org,
        no_org,
        cut_queue(no_org),
        cut_queue(no_refresh),
        cut_queue(no_busy),
    ];
    let fit = candidates
        .into_iter()
        .enumerate()
        .find(|(i, c)| {
            let org_ok = c.org.is_none_or(|n| *i == 0 || n >= MIN_NAME);
            let queue_ok = c.queue >= queue_len.min(MIN_NAME) || *i == candidates.len() - 1;
            org_ok && queue_ok && left_w(*c) <= room
        })
        .map_or(cut_queue(no_busy), |(_, c)| c);
    let mut spans = status_left(app, fit);
    let used = spans_width(&spans);
    if shown.len() == hints.len().min(essential) {
        for h in hints.iter().skip(essential) {
            if used + hints_width(&shown) + spans_width(&hint(h)) > width {
                break;
            }
            shown.push(h);
        }
    }
    let hint_w = hints_width(&shown);
    if used + hint_w <= width {
        spans.push(Span::raw(" ".repeat(width - used - hint_w + 1)));
        // Reading order: the screen's own keys first, help last.
        let mut ordered: Vec<&(Context, Command)> = shown
            .iter()
            .copied()
            .filter(|(_, c)| *c != Command::Help)
            .collect();
        ordered.extend(shown.iter().copied().filter(|(_, c)| *c == Command::Help));
        for h in ordered {
            spans.extend(hint(h));
        }
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// Status-bar word for a command.
fn short(cmd: Command) -> &'static str {
    match cmd {
        Command::Select => "open",
        Command::Help => "help",
        Command::Quit => "quit",
        Command::Back => "back",
        Command::ToggleWindow => "toggle",
        Command::Review => "review",
        Command::Export => "export",
        Command::Refresh => "refresh",
        Command::Edit => "edit",
        Command::Submit => "submit",
        Command::Models => "models",
        Command::UseModel => "use model",
        _ => "",
    }
}

fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

fn draw_help(f: &mut Frame, app: &App, area: Rect) {
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

fn draw_confirm(f: &mut Frame, app: &App, area: Rect, text: &str) {
    let r = centered(area, 60, 6);
    f.render_widget(Clear, r);
    let yes = app.keymap.hint(Context::Confirm, Command::Yes);
    let no = app.keymap.hint(Context::Confirm, Command::No);
    f.render_widget(
        Paragraph::new(vec![
            Line::raw(text.to_string()),
            Line::raw(""),
            Line::from(vec![
                Span::styled(yes, app.theme.key),
                Span::raw(" yes   "),
                Span::styled(no, app.theme.key),
                Span::raw(" no"),
            ]),
        ])
        .wrap(Wrap { trim: true })
        .block(block(app, " Confirm ")),
        r,
    );
}

fn draw_export(f: &mut Frame, app: &App, area: Rect, p: &crate::tui::app::ExportPrompt) {
    let t = &app.theme;
    let r = centered(area, 70, 7);
    f.render_widget(Clear, r);
    let format = match p.format {
        crate::export::ExportFormat::Json => "JSON",
        crate::export::ExportFormat::Csv => "CSV",
    };
    let mut lines = vec![
        Line::from(vec![
            Span::styled("Path   ", t.dim),
            Span::raw(p.path.clone()),
            Span::styled("▏", t.title),
        ]),
        Line::from(vec![
            Span::styled("Format ", t.dim),
            Span::styled(format, t.title),
            Span::styled(
                format!(
                    "  ({} switches)",
                    app.keymap.hint(Context::Export, Command::ToggleFormat)
                ),
                t.dim,
            ),
        ]),
    ];
    if let Some(e) = &p.error {
        lines.push(Line::styled(format!("✗ {e}"), t.error));
    } else if p.writing {
        lines.push(Line::raw("writing…"));
    }
    lines.push(Line::styled(
        format!(
            "{} write · {} cancel",
            app.keymap.hint(Context::Export, Command::Accept),
            app.keymap.hint(Context::Global, Command::Back)
        ),
        t.dim,
    ));
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block(app, " Export forecast ")),
        r,
    );
}

fn draw_toasts(f: &mut Frame, app: &App, area: Rect) {
    for (i, toast) in app.toasts.iter().rev().enumerate() {
        let w = (toast.text.chars().count() as u16 + 4).min(area.width.saturating_sub(2));
        let y = area.y + 1 + i as u16;
        if y >= area.bottom() {
            break;
        }
        let r = Rect::new(area.right().saturating_sub(w + 1), y, w, 1);
        let (mark, style) = match toast.level {
            Level::Info => ("✓ ", app.theme.ok),
            Level::Error => ("✗ ", app.theme.error),
        };
        f.render_widget(Clear, r);
        f.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(mark, style),
                Span::raw(toast.text.clone()),
            ]))
            .style(
                app.theme
                    .base
                    .add_modifier(ratatui::style::Modifier::REVERSED),
            ),
            r,
        );
    }
}

/// The backtest tournament: every model's scores on the same folds, the one in use marked.
fn draw_models(f: &mut Frame, app: &App, area: Rect, row: usize) {
    let t = &app.theme;
    let Some(fc) = app.session.as_ref().and_then(|s| s.forecast.as_ref()) else {
        return;
    };
    let w = area.width.saturating_sub(4).min(84);
    let inner_w = w.saturating_sub(2) as usize;
    let wrap = |text: &str| -> u16 {
        let n = text.chars().count().max(1);
        n.div_ceil(inner_w.max(1)) as u16
    };
    let mut notes: Vec<Line> = Vec::new();
    let pick = match (&fc.auto_pick, fc.requested == AUTO_MODEL) {
        (Some(p), true) => format!("auto picked {p}"),
        (Some(p), false) => format!("you chose {} (auto picked {p})", fc.model),
        (None, _) => format!("{} as configured (no tournament ran)", fc.model),
    };
    notes.push(Line::styled(pick, t.title));
    if let Some(r) = &fc.reason {
        notes.push(Line::raw(r.clone()));
    }
    match &fc.calibration {
        Some(c) => notes.push(Line::styled(c.clone(), t.dim)),
        None => notes.push(Line::styled("band kept as the model gave it", t.dim)),
    }
    for (m, e) in &fc.failures {
        notes.push(Line::styled(format!("{m} left out: {e}"), t.error));
    }
    notes.push(Line::styled(
        format!(
            "{} re-fits on the fetched history · {} close",
            app.keymap.hint(Context::Models, Command::UseModel),
            app.keymap.hint(Context::Global, Command::Back)
        ),
        t.dim,
    ));
    let notes_h: u16 = notes
        .iter()
        .map(|l| {
            wrap(
                &l.spans
                    .iter()
                    .map(|s| s.content.as_ref())
                    .collect::<String>(),
            )
        })
        .sum();
    let table_h = fc.tournament.len().max(1) as u16 + 1;
    let h = (table_h + notes_h + 3).min(area.height);
    let r = centered(area, w, h);
    f.render_widget(Clear, r);
    let b = block(app, " Models · backtest, same folds ");
    let inner = b.inner(r);
    f.render_widget(b, r);
    let [table_area, _, notes_area] = Layout::vertical([
        Constraint::Length(table_h),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(inner);
    if fc.tournament.is_empty() {
        f.render_widget(
            Paragraph::new("too little history to backtest: no table").style(t.dim),
            table_area,
        );
    } else {
        let rows: Vec<Row> = fc
            .tournament
            .iter()
            .map(|m| {
                let mut mark = String::new();
                if m.model == fc.model {
                    mark.push('●');
                }
                if fc.auto_pick.as_deref() == Some(m.model.as_str()) {
                    mark.push_str(" auto");
                }
                Row::new(vec![
                    mark.trim().to_string(),
                    m.model.clone(),
                    format!("{:.1}%", m.wape * 100.0),
                    m.mase.map_or("n/a".into(), |x| format!("{x:.2}")),
                    format!("{:.0}%", m.coverage * 100.0),
                    if m.fit_secs < 1.0 {
                        format!("{:.0} ms", m.fit_secs * 1000.0)
                    } else {
                        format!("{:.1} s", m.fit_secs)
                    },
                ])
                .style(if m.model == fc.model { t.title } else { t.base })
            })
            .collect();
        let table = Table::new(
            rows,
            [
                Constraint::Length(6),
                Constraint::Min(14),
                Constraint::Length(7),
                Constraint::Length(6),
                Constraint::Length(8),
                Constraint::Length(8),
            ],
        )
        .header(Row::new(["", "model", "WAPE", "MASE", "coverage", "fit"]).style(t.dim))
        .row_highlight_style(t.selected)
        .highlight_symbol("▶ ");
        let mut state = TableState::default().with_selected(Some(row));
        f.render_stateful_widget(table, table_area, &mut state);
    }
    f.render_widget(Paragraph::new(notes).wrap(Wrap { trim: true }), notes_area);
}
