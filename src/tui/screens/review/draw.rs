//! The review's drawing: the form (each problem under its field), the submit line, and the
//! request preview.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::super::campaign_panel;
use super::modes::{self, ModeState};
use super::{lists, scripts, submit_would_send};
use crate::campaign::{Field, NamedRef};
use crate::tui::app::{App, Loadable, Review, SubmitState};
use crate::tui::keymap::{Command, Context};
use crate::tui::widgets::{block, ellipsize, spinner, wrap};

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let Some(r) = &app.review else { return };
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area);
    let [form_area, status_area] = Layout::vertical([
        Constraint::Min(1),
        // Room for a full API error with its correlation id.
        Constraint::Length(match r.submit {
            SubmitState::Failed { .. } | SubmitState::Unknown { .. } => 6,
            // Submit, create without schedule and back: two lines at 80 columns.
            SubmitState::Idle => 4,
            _ => 3,
        }),
    ])
    .areas(left);
    let title = if r.locked() {
        " Campaign review · read-only "
    } else {
        " Campaign review "
    };
    let inner = (
        form_area.width.saturating_sub(2),
        form_area.height.saturating_sub(2),
    );
    f.render_widget(
        Paragraph::new(form_lines(app, r, inner.0, inner.1)).block(block(app, title)),
        form_area,
    );
    f.render_widget(
        Paragraph::new(submit_line(app, r))
            .wrap(Wrap { trim: true })
            .block(block(app, " Submit ")),
        status_area,
    );
    let preview_area = campaign_panel::draw(f, app, r, right);
    let width = usize::from(preview_area.width.saturating_sub(2));
    let lines = preview(app, r, width);
    // The title says how much of the requests is below the pane, and the key that shows it.
    let rows = usize::from(preview_area.height.saturating_sub(2));
    let below = lines
        .len()
        .saturating_sub(usize::from(r.preview_scroll) + rows);
    let key = app.keymap.hint(Context::Review, Command::ScrollDown);
    let title = match below {
        0 => " Request preview ".to_string(),
        n => [
            format!(" Request preview · ↓ {n} more ({key}) "),
            format!(" Preview · ↓ {n} more ({key}) "),
        ]
        .into_iter()
        .find(|t| t.chars().count() + 2 <= width)
        .unwrap_or_else(|| format!(" ↓ {n} more ")),
    };
    f.render_widget(
        Paragraph::new(lines)
            .scroll((r.preview_scroll, 0))
            .block(block(app, title)),
        preview_area,
    );
}

/// The form, each problem under its field (wrapped to `width`: a cut hint loses the very
/// example the analyst needs), then the schedule it will send; fitted to `height` rows with
/// the focused field in view and a mark where lines continue.
fn form_lines<'a>(app: &App, r: &Review, width: u16, height: u16) -> Vec<Line<'a>> {
    let t = &app.theme;
    let width = usize::from(width);
    let problems = r.form.validate(lists(app), scripts(app));
    // Mark and label take 17 columns; the value gets the rest.
    let room = width.saturating_sub(17).max(2);
    let mut lines = vec![Line::from(vec![
        Span::styled(format!("  {:<15}", "Queue"), t.dim),
        Span::raw(ellipsize(&r.form.queue.name, room)),
    ])];
    let mut focus_line = 0;
    for (i, field) in Field::ALL.iter().enumerate() {
        let focused = i == r.focus;
        let value = field_value(app, r, *field);
        let bad = problems.iter().find(|p| p.0 == *field);
        let mark = if bad.is_some() { "✗ " } else { "  " };
        let mut spans = vec![
            Span::styled(mark, t.error),
            Span::styled(format!("{:<15}", field.label()), t.dim),
        ];
        if focused && r.editing {
            // The end of the text and the caret stay in view; `…` says more is to the left.
            spans.push(Span::styled(tail(&value, room - 1), t.selected));
            spans.push(Span::styled("▏", t.title));
        } else {
            let style = if focused { t.selected } else { t.base };
            spans.push(Span::styled(ellipsize(&value, room), style));
        }
        if focused {
            focus_line = lines.len();
        }
        lines.push(Line::from(spans));
        let sub = width.saturating_sub(4);
        if *field == Field::DialingMode
            && let Some((disabled, note)) = modes::note(&app.sites, &app.response_sets)
        {
            let style = if disabled { t.error } else { t.dim };
            lines.extend(
                wrap(&note, sub)
                    .into_iter()
                    .map(|p| Line::styled(format!("    {p}"), style)),
            );
        }
        if let Some((_, msg)) = bad {
            for part in wrap(msg, sub) {
                lines.push(Line::styled(format!("    {part}"), t.error));
            }
        }
    }
    lines.push(Line::raw(""));
    let head = format!(
        "Schedule ({}), {} window(s):",
        r.form.tz.name(),
        r.form.windows.len()
    );
    lines.extend(
        wrap(&head, width)
            .into_iter()
            .map(|p| Line::styled(p, t.title)),
    );
    let schedule_from = lines.len();
    for w in &r.form.windows {
        let st = w.start.with_timezone(&r.form.tz);
        let en = w.end.with_timezone(&r.form.tz);
        let text = format!(
            "  {} – {}",
            st.format("%a %Y-%m-%d %H:%M"),
            en.format("%H:%M")
        );
        lines.push(Line::styled(ellipsize(&text, width), t.window));
    }
    fit(app, lines, usize::from(height), focus_line, schedule_from)
}

/// `lines` cut to `height` rows around `focus`: `↑ N more` on top when lines are hidden above,
/// `↓ +N more window(s)` (or lines) at the bottom when they continue below.
fn fit<'a>(
    app: &App,
    mut lines: Vec<Line<'a>>,
    height: usize,
    focus: usize,
    schedule_from: usize,
) -> Vec<Line<'a>> {
    let len = lines.len();
    if len <= height || height < 4 {
        return lines;
    }
    // The focused line and the one after it (its problem) stay in view.
    let top = if focus + 2 < height {
        0
    } else {
        (focus + 4 - height).min(len - (height - 1))
    };
    let mut body = height - usize::from(top > 0);
    if top + body < len {
        body -= 1;
    }
    let mut out: Vec<Line<'a>> = Vec::with_capacity(height);
    if top > 0 {
        out.push(Line::styled(
            format!("  ↑ {top} more line(s)"),
            app.theme.dim,
        ));
    }
    let hidden = len - (top + body);
    let below_from = top + body;
    out.extend(lines.drain(top..below_from));
    if hidden > 0 {
        let text = if below_from >= schedule_from {
            format!("  ↓ +{hidden} more window(s)")
        } else {
            let windows = len - schedule_from;
            format!("  ↓ +{hidden} more line(s), {windows} window(s)")
        };
        out.push(Line::styled(text, app.theme.dim));
    }
    out
}

/// The last `max` columns of `text`, a leading `…` when it was cut.
fn tail(text: &str, max: usize) -> String {
    let n = text.chars().count();
    if n <= max {
        return text.to_string();
    }
    let keep = max.saturating_sub(1);
    std::iter::once('…')
        .chain(text.chars().skip(n - keep))
        .collect()
}

/// What a field shows: its text, or the chosen option between `◀ ▶`.
fn field_value(app: &App, r: &Review, field: Field) -> String {
    let picker_value = |l: &Loadable<Vec<NamedRef>>, i: Option<usize>| match l {
        Loadable::Loading => format!("{} loading…", spinner(app)),
        Loadable::Failed(e) => format!("failed: {e}"),
        Loadable::Ready(v) => match i.and_then(|i| v.get(i)) {
            Some(x) => format!("◀ {} ▶", x.name),
            None if v.is_empty() => "(none available)".into(),
            None => format!("◀ choose ({}) ▶", v.len()),
        },
    };
    match field {
        Field::Name => r.form.name.clone(),
        Field::ContactList => picker_value(&app.contact_lists, r.form.contact_list),
        Field::Script => picker_value(&app.scripts, r.form.script),
        Field::DialingMode => {
            let mode = r.form.dialing_mode();
            match modes::mode_state(mode, &app.sites, &app.response_sets) {
                ModeState::Disabled(_) => format!("◀ {mode} ▶ (disabled)"),
                _ => format!("◀ {mode} ▶"),
            }
        }
        Field::CallerName => r.form.caller_name.clone(),
        Field::CallerAddress => r.form.caller_address.clone(),
        Field::PhoneColumn => r.form.phone_column.clone(),
        Field::PhoneType => match r.form.list_phone_type() {
            Some(t) => format!("{t} (from the list)"),
            None => format!("◀ {} ▶", r.form.phone_type()),
        },
        Field::Site | Field::ResponseSet | Field::AbandonRate if !needed(r, field) => {
            format!("(not used by {})", r.form.dialing_mode())
        }
        Field::Site => named_value(app, &app.sites, r.form.site.as_ref()),
        Field::ResponseSet => named_value(app, &app.response_sets, r.form.response_set.as_ref()),
        Field::AbandonRate => r.form.abandon_rate.clone(),
    }
}

/// Whether the chosen dialing mode uses this per-mode field.
fn needed(r: &Review, field: Field) -> bool {
    let mode = r.form.dialing_mode();
    match field {
        Field::Site | Field::ResponseSet => mode.needs_edge_and_call_analysis(),
        Field::AbandonRate => mode.needs_abandon_rate(),
        _ => true,
    }
}

/// A picker that stores its choice by value; an org without any says why the mode cannot
/// be used.
fn named_value(app: &App, l: &Loadable<Vec<NamedRef>>, chosen: Option<&NamedRef>) -> String {
    match l {
        Loadable::Loading => format!("{} loading…", spinner(app)),
        Loadable::Failed(e) => format!("failed: {e}"),
        Loadable::Ready(v) if v.is_empty() => "(none in this org: use preview)".into(),
        Loadable::Ready(v) => match chosen {
            Some(x) => format!("◀ {} ▶", x.name),
            None => format!("◀ choose ({}) ▶", v.len()),
        },
    }
}

/// Where the submit stands, with the correlation id of a failure.
fn submit_line<'a>(app: &App, r: &Review) -> Line<'a> {
    let t = &app.theme;
    match &r.submit {
        SubmitState::Idle => Line::styled(
            format!(
                "{} submit (asks first) · {} create without schedule · {} back",
                app.keymap.hint(Context::Review, Command::Submit),
                app.keymap.hint(Context::Review, Command::CreateDraft),
                app.keymap.hint(Context::Global, Command::Back)
            ),
            t.dim,
        ),
        SubmitState::InFlight { .. } => Line::raw(format!(
            "{} submitting… (submit is disabled until it answers)",
            spinner(app)
        )),
        // The id and URI are in the campaign panel: here only what the submit key does now,
        // short enough for 80 columns.
        SubmitState::Done { .. } => {
            let next = if submit_would_send(r) {
                format!(
                    " · {} {}s the schedule",
                    app.keymap.hint(Context::Review, Command::Submit),
                    campaign_panel::schedule_verb(r)
                )
            } else {
                " · schedule up to date".into()
            };
            Line::styled(format!("✓ created{next}"), t.ok)
        }
        SubmitState::Failed { error, .. } => Line::styled(
            format!(
                "✗ {} (correlation id {})",
                error.message,
                error.correlation_id.as_deref().unwrap_or("none")
            ),
            t.error,
        ),
        SubmitState::Unknown { error, .. } => Line::styled(
            format!(
                "? state unknown — {} · {} check again (looks up only, never creates)",
                error.message,
                app.keymap.hint(Context::Review, Command::Submit),
            ),
            t.error,
        ),
    }
}

/// Both requests exactly as they will be sent: the typed bodies, serialized, the schedule
/// with the windows a submit now sends (clipped to now + `[campaign] schedule_margin_min`,
/// short ones dropped, as the submit does). Lines wider than `width` wrap with a `…` mark.
fn preview<'a>(app: &App, r: &Review, width: usize) -> Vec<Line<'a>> {
    let t = &app.theme;
    let id = match &r.submit {
        SubmitState::Done { id, .. } => id.clone(),
        _ => "<new campaign id>".into(),
    };
    // Through a `Value`, so the keys read in sorted order.
    let pretty = |v: serde_json::Result<serde_json::Value>| {
        v.and_then(|v| serde_json::to_string_pretty(&v))
            .unwrap_or_default()
    };
    let campaign = pretty(serde_json::to_value(
        r.form.campaign(lists(app), scripts(app)),
    ));
    let schedule = pretty(serde_json::to_value(r.form.schedule_at(
        &id,
        app.now,
        app.schedule_margin,
    )));
    let code = |text: &str| -> Vec<Line<'a>> {
        text.lines()
            .flat_map(|l| wrap_code(l, width))
            .map(Line::raw)
            .collect()
    };
    let title = |text: String| -> Vec<Line<'a>> {
        wrap_code(&text, width)
            .into_iter()
            .map(|l| Line::styled(l, t.title))
            .collect()
    };
    let mut lines = title("POST /api/v2/outbound/campaigns".into());
    lines.extend(code(&campaign));
    lines.extend(title(format!(
        "PUT /api/v2/outbound/schedules/campaigns/{id}"
    )));
    lines.extend(code(&schedule));
    lines
}

/// A line of code cut into pieces of `width` columns: each cut piece ends with `…` and the
/// next starts with one, at the line's indentation, so no cut goes unmarked.
fn wrap_code(line: &str, width: usize) -> Vec<String> {
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= width || width < 8 {
        return vec![line.to_string()];
    }
    let indent = chars
        .iter()
        .take_while(|c| **c == ' ')
        .count()
        .min(width / 2);
    let pad: String = " ".repeat(indent);
    let mut out = Vec::new();
    let mut rest: &[char] = &chars;
    let mut first = true;
    while !rest.is_empty() {
        let lead = if first {
            String::new()
        } else {
            format!("{pad}…")
        };
        let room = width - lead.chars().count();
        if rest.len() <= room {
            out.push(format!("{lead}{}", rest.iter().collect::<String>()));
            break;
        }
        let take = room - 1;
        out.push(format!(
            "{lead}{}…",
            rest[..take].iter().collect::<String>()
        ));
        rest = &rest[take..];
        first = false;
    }
    out
}
