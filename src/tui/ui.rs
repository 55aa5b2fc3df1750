//! The frame: the current screen and its popup (see `screens`), the status bar, the toasts.
//! Draw functions read `&App` and render; they never change state.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::tui::app::{App, Level, Screen, SubmitState};
use crate::tui::keymap::{Command, Context};
use crate::tui::screens;
use crate::tui::widgets::{ellipsize, spinner, wrap_hard};

pub use crate::tui::app::{MIN_HEIGHT, MIN_WIDTH};

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
    screens::draw(f, app, main);
    draw_status(f, app, status);
    draw_toasts(f, app, main);
}

/// Toasts stack down the right edge, newest first, each in its own bordered box so it never
/// reads as part of the screen under it; a long message wraps (ids and paths unmarked, so they
/// copy whole) instead of being cut. Those that no longer fit wait for the ones above to go.
fn draw_toasts(f: &mut Frame, app: &App, area: Rect) {
    let inner = area.width.saturating_sub(4).max(8) as usize;
    let mut y = area.y + 1;
    for toast in app.toasts.iter().rev() {
        let (mark, style) = match toast.level {
            Level::Info => ("✓ ", app.theme.ok),
            Level::Progress => ("… ", app.theme.dim),
            Level::Error => ("✗ ", app.theme.error),
        };
        let lines = wrap_hard(&format!("{mark}{}", toast.text), inner);
        let w = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0) as u16 + 2;
        let h = lines.len() as u16 + 2;
        if y + h > area.bottom() {
            break;
        }
        let r = Rect::new(area.right().saturating_sub(w + 1), y, w, h);
        let text: Vec<Line> = lines.into_iter().map(Line::from).collect();
        f.render_widget(Clear, r);
        f.render_widget(
            Paragraph::new(text)
                .style(app.theme.base)
                .block(Block::bordered().border_style(style)),
            r,
        );
        y += h;
    }
}

/// The status bar's key hints for what has focus now: in the review, only the keys that can
/// act (no `edit` on a read-only form, no `submit` when nothing would be sent).
fn hints(app: &App) -> Vec<(Context, Command)> {
    let ctx = app.context();
    let mut out = context_hints(ctx).to_vec();
    if let (Context::Review, Some(r)) = (ctx, &app.review) {
        out.retain(|(_, cmd)| match cmd {
            Command::Edit => !r.locked(),
            Command::Submit => screens::review::submit_would_send(r),
            _ => true,
        });
        if matches!(r.submit, SubmitState::Idle) {
            out.push((Context::Review, Command::CreateDraft));
        }
    }
    out
}

/// The status bar's key hints per context, most important first.
fn context_hints(ctx: Context) -> &'static [(Context, Command)] {
    match ctx {
        Context::Board => &[
            (Context::Global, Command::Help),
            (Context::Board, Command::Select),
            (Context::Board, Command::Filter),
            (Context::Board, Command::Sort),
            (Context::Global, Command::Quit),
        ],
        Context::Dashboard => &[
            (Context::Global, Command::Help),
            (Context::Dashboard, Command::ToggleWindow),
            (Context::Dashboard, Command::Review),
            (Context::Dashboard, Command::Models),
            (Context::Dashboard, Command::Export),
            (Context::Dashboard, Command::Refresh),
            (Context::Dashboard, Command::WindowRule),
            (Context::Dashboard, Command::WhatIf),
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
    }
}

/// Status-bar word for a command; once the review's campaign exists, its submit only
/// attaches or updates the schedule.
fn short(app: &App, cmd: Command) -> &'static str {
    let exists = app.review.as_ref().is_some_and(|r| r.campaign().is_some());
    match cmd {
        Command::Submit if exists && app.screen == Screen::Review => "schedule",
        Command::CreateDraft => "no-schedule draft",
        Command::Select => "open",
        Command::Filter => "filter",
        Command::Sort => "sort",
        Command::Help => "help",
        Command::Quit => "quit",
        Command::Back => "back",
        Command::ToggleWindow => "toggle",
        Command::Review => "review",
        Command::Export => "export",
        Command::Refresh => "refresh",
        Command::WindowRule => "rule",
        Command::WhatIf => "what-if",
        Command::Edit => "edit",
        Command::Submit => "submit",
        Command::Models => "models",
        Command::UseModel => "use model",
        _ => "",
    }
}

/// The first this many hints stay even if names have to be cut; the rest only show when
/// everything else fits too.
const ESSENTIAL_HINTS: usize = 4;

fn draw_status(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let hints = hints(app);
    let hint = |(c, cmd): &(Context, Command)| {
        [
            Span::styled(format!(" {}", app.keymap.hint(*c, *cmd)), t.key),
            Span::styled(format!(" {}", short(app, *cmd)), t.dim),
        ]
    };
    let widths: Vec<usize> = hints.iter().map(|h| width(&hint(h))).collect();
    let info = StatusInfo::of(app);
    let layout = fit_status(&info, &widths, ESSENTIAL_HINTS, area.width as usize);
    let mut spans: Vec<Span> = left(&info, layout.fit)
        .into_iter()
        .map(|(text, tone)| {
            let style = match tone {
                Tone::Badge => t.sandbox,
                Tone::Plain => Style::new(),
                Tone::Dim => t.dim,
                Tone::Error => t.error,
            };
            Span::styled(text, style)
        })
        .collect();
    if let Some(pad) = layout.pad {
        spans.push(Span::raw(" ".repeat(pad)));
        // Reading order: the screen's own keys first, help last.
        let is_help = |i: &usize| hints[*i].1 == Command::Help;
        let ordered = layout.hints.iter().filter(|i| !is_help(i));
        for &i in ordered.chain(layout.hints.iter().filter(|i| is_help(i))) {
            spans.extend(hint(&hints[i]));
        }
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn width(spans: &[Span]) -> usize {
    spans.iter().map(Span::width).sum()
}

/// What the left of the status bar can say, taken from the App.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StatusInfo {
    /// The embedded sandbox: a SANDBOX badge so nobody mistakes it for production.
    pub sandbox: bool,
    pub queue: Option<String>,
    pub retrain: bool,
    /// `refreshed HH:MM`, once a forecast is on screen.
    pub refreshed: Option<String>,
    /// Spinner and what is running.
    pub busy: Option<String>,
    /// The open queue's draft became a campaign: "campaign scheduled", "campaign draft, no
    /// schedule", …
    pub campaign: Option<String>,
    pub org: String,
    pub region: String,
}

impl StatusInfo {
    pub fn of(app: &App) -> Self {
        let forecast = app.session.as_ref().and_then(|s| s.forecast.as_ref());
        Self {
            sandbox: app.org.sandbox,
            queue: app.session.as_ref().map(|s| s.queue.name.clone()),
            retrain: forecast.is_some_and(|f| f.retrain == Some(true)),
            refreshed: forecast.map(|f| {
                let at = f.refreshed_at.with_timezone(&app.tz);
                format!("refreshed {}", at.format("%H:%M"))
            }),
            busy: app.busy().map(|b| format!("{} {b}", spinner(app))),
            campaign: screens::campaign_panel::status_note(app),
            org: app.org.name.clone(),
            region: app.org.region.clone(),
        }
    }
}

/// How much of the status bar's left side to show; tried from most to least complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusFit {
    /// Columns for "org · region"; `None` hides it.
    pub org: Option<usize>,
    /// Columns for the queue name.
    pub queue: usize,
    pub refreshed: bool,
    pub busy: bool,
    /// The campaign note in full ("campaign draft, no schedule"); else just "▣ campaign".
    pub campaign_full: bool,
}

/// Below this many columns a cut name says nothing.
const MIN_NAME: usize = 12;

/// How a piece of the status bar is styled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Badge,
    Plain,
    Dim,
    Error,
}

/// The left side's pieces for `fit`.
pub fn left(info: &StatusInfo, fit: StatusFit) -> Vec<(String, Tone)> {
    let sep = || (" │ ".to_string(), Tone::Dim);
    let mut out = Vec::new();
    if info.sandbox {
        out.push((" SANDBOX ".to_string(), Tone::Badge));
    }
    out.push((" ".to_string(), Tone::Plain));
    if let Some(queue) = &info.queue {
        out.push((ellipsize(queue, fit.queue), Tone::Plain));
        if info.retrain {
            out.push(sep());
            out.push(("retrain recommended".to_string(), Tone::Error));
        }
        if let Some(c) = &info.campaign {
            out.push(sep());
            let text = if fit.campaign_full {
                format!("▣ {c}")
            } else {
                "▣ campaign".into()
            };
            out.push((text, Tone::Plain));
        }
        if fit.refreshed
            && let Some(r) = &info.refreshed
        {
            out.push(sep());
            out.push((r.clone(), Tone::Dim));
        }
    }
    let busy = info.busy.as_ref().filter(|_| fit.busy);
    if let Some(b) = busy {
        if info.queue.is_some() {
            out.push(sep());
        }
        out.push((b.clone(), Tone::Plain));
    }
    if let Some(max) = fit.org {
        if info.queue.is_some() || busy.is_some() {
            out.push(sep());
        }
        out.push((org_text(info, max), Tone::Dim));
    }
    out
}

/// "org · region" in `max` columns. The region says which org more surely than a cut name:
/// cut the name first.
fn org_text(info: &StatusInfo, max: usize) -> String {
    let region = &info.region;
    let room = max.saturating_sub(region.chars().count() + 3);
    if info.org.chars().count() <= room {
        format!("{} · {region}", info.org)
    } else if room >= MIN_NAME / 2 {
        format!("{} · {region}", ellipsize(&info.org, room))
    } else {
        ellipsize(region, max)
    }
}

fn left_width(info: &StatusInfo, fit: StatusFit) -> usize {
    left(info, fit)
        .iter()
        .map(|(text, _)| Span::raw(text.as_str()).width())
        .sum()
}

/// The status bar's plan: what the left side shows, which hints (indices into the hint list),
/// and the padding between them (`None` when the hints do not fit at all).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusLayout {
    pub fit: StatusFit,
    pub hints: Vec<usize>,
    pub pad: Option<usize>,
}

/// Fits the left side and the hints (their widths, most important first) into `width`
/// columns. The first `essential` hints stay unless even a minimal left side leaves no room;
/// then the left side gives way in this order: cut the org, drop it, cut the queue, drop the
/// refresh time, drop the busy note, cut the queue to what is left. Further hints only show
/// when everything else fits.
pub fn fit_status(
    info: &StatusInfo,
    hint_widths: &[usize],
    essential: usize,
    width: usize,
) -> StatusLayout {
    let hints_width = |shown: &[usize]| shown.iter().map(|&i| hint_widths[i]).sum::<usize>() + 1;
    let left_w = |fit: StatusFit| left_width(info, fit);
    let queue_len = info.queue.as_ref().map_or(0, |q| q.chars().count());
    let mut shown: Vec<usize> = (0..hint_widths.len().min(essential)).collect();
    let minimal = StatusFit {
        org: None,
        queue: queue_len.min(MIN_NAME),
        refreshed: false,
        busy: false,
        campaign_full: false,
    };
    while shown.len() > 1 && left_w(minimal) + hints_width(&shown) > width {
        shown.pop();
    }
    let room = width.saturating_sub(hints_width(&shown));
    let fit = fit_left(info, room);
    let used = left_w(fit);
    if shown.len() == hint_widths.len().min(essential) {
        for (i, w) in hint_widths.iter().enumerate().skip(essential) {
            if used + hints_width(&shown) + w > width {
                break;
            }
            shown.push(i);
        }
    }
    let total = used + hints_width(&shown);
    StatusLayout {
        fit,
        pad: (total <= width).then(|| width - total + 1),
        hints: shown,
    }
}

/// The most complete left side that fits in `room` columns.
fn fit_left(info: &StatusInfo, room: usize) -> StatusFit {
    let left_w = |fit: StatusFit| left_width(info, fit);
    let queue_len = info.queue.as_ref().map_or(0, |q| q.chars().count());
    let org_len = info.org.chars().count() + info.region.chars().count() + 3;
    let full = StatusFit {
        org: Some(org_len),
        queue: queue_len,
        refreshed: true,
        busy: true,
        campaign_full: true,
    };
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
    // Every step with the campaign note in full, then every step again with it shortened
    // to "▣ campaign"; the queue is cut to what the step leaves.
    let short = |fit: StatusFit| StatusFit {
        campaign_full: false,
        ..fit
    };
    let steps = [
        (full, false),
        (cut_org, false),
        (no_org, false),
        (no_org, true),
        (no_refresh, true),
        (no_busy, true),
    ];
    let candidates: Vec<StatusFit> = [false, true]
        .into_iter()
        .flat_map(|shorten| {
            steps.map(|(fit, cut)| {
                let f = if shorten { short(fit) } else { fit };
                if cut { cut_queue(f) } else { f }
            })
        })
        .collect();
    let last = candidates.len() - 1;
    candidates
        .into_iter()
        .enumerate()
        .find(|(i, c)| {
            let org_ok = c.org.is_none_or(|n| *i == 0 || n >= MIN_NAME);
            let queue_ok = c.queue >= queue_len.min(MIN_NAME) || *i == last;
            org_ok && queue_ok && left_w(*c) <= room
        })
        .map_or(cut_queue(short(no_busy)), |(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The dashboard's default hints: ? help, space toggle, c review, m models, e export,
    /// r refresh.
    const DASHBOARD: [usize; 6] = [7, 13, 9, 9, 9, 10];

    fn info(queue: &str) -> StatusInfo {
        StatusInfo {
            sandbox: true,
            queue: Some(queue.into()),
            retrain: false,
            refreshed: Some("refreshed 09:05".into()),
            busy: None,
            campaign: None,
            org: "Acme Contact Centre".into(),
            region: "mypurecloud.ie".into(),
        }
    }

    fn text(info: &StatusInfo, fit: StatusFit) -> String {
        left(info, fit).into_iter().map(|(t, _)| t).collect()
    }

    #[test]
    fn everything_shows_when_there_is_room() {
        let i = StatusInfo {
            org: "Acme".into(),
            ..info("Sales")
        };
        let l = fit_status(&i, &DASHBOARD, 4, 120);
        assert_eq!(l.hints, [0, 1, 2, 3, 4, 5]);
        assert_eq!(
            text(&i, l.fit),
            " SANDBOX  Sales │ refreshed 09:05 │ Acme · mypurecloud.ie"
        );
        let hints: usize = DASHBOARD.iter().sum();
        assert_eq!(
            left_width(&i, l.fit) + l.pad.unwrap() + hints,
            120,
            "the bar is filled exactly"
        );
    }

    #[test]
    fn the_org_name_is_cut_first_then_dropped() {
        let i = info("Sales");
        let l = fit_status(&i, &DASHBOARD, 4, 100);
        assert_eq!(l.hints, [0, 1, 2, 3], "further hints wait for the org");
        assert_eq!(
            text(&i, l.fit),
            " SANDBOX  Sales │ refreshed 09:05 │ Acme Co… · mypurecloud.ie"
        );
        let l = fit_status(&i, &DASHBOARD, 4, 80);
        assert_eq!(l.hints, [0, 1, 2, 3], "the four essential hints");
        assert_eq!(text(&i, l.fit), " SANDBOX  Sales │ refreshed 09:05");
    }

    #[test]
    fn a_long_queue_name_is_cut_before_the_refresh_time_goes() {
        let i = info("Electricity E&W (MW/100 per 30 min) overflow");
        let l = fit_status(&i, &DASHBOARD, 4, 80);
        assert_eq!(l.hints, [0, 1, 2, 3]);
        assert_eq!(text(&i, l.fit), " SANDBOX  Electricity … │ refreshed 09:05");
        assert_eq!(l.pad, Some(1), "41 + 39 columns: full");
        // With less room the time goes, then the name is cut to what is left.
        let l = fit_status(&i, &DASHBOARD, 4, 60);
        assert_eq!(l.hints, [0, 1, 2], "the fourth hint gave way first");
        assert_eq!(text(&i, l.fit), " SANDBOX  Electricity E&W (MW…");
        assert_eq!(l.pad, Some(1));
    }

    #[test]
    fn the_busy_note_outlasts_the_refresh_time() {
        let mut i = info("Sales");
        i.busy = Some("⠋ backtesting models".into());
        let l = fit_status(&i, &DASHBOARD, 4, 80);
        assert_eq!(text(&i, l.fit), " SANDBOX  Sales │ ⠋ backtesting models");
        // A long name is worth more than the note.
        i.queue = Some("Electricity E&W (MW/100 per 30 min) overflow".into());
        let l = fit_status(&i, &DASHBOARD, 4, 80);
        assert!(!l.fit.busy && l.fit.queue == 31, "{l:?}");
    }

    #[test]
    fn a_narrow_bar_keeps_one_hint_and_never_overflows() {
        let i = info("Electricity E&W (MW/100 per 30 min) overflow");
        let l = fit_status(&i, &DASHBOARD, 4, 40);
        assert_eq!(l.hints, [0], "{l:?}");
        assert_eq!(left_width(&i, l.fit) + 7 + 1, 40);
        assert_eq!(l.pad, Some(1));
    }

    /// Issue 16: the dashboard says a campaign exists for this forecast: in full where there
    /// is room, as "▣ campaign" at 80 columns with all four essential hints.
    #[test]
    fn the_campaign_note_stays_at_80_columns() {
        let i = StatusInfo {
            campaign: Some("campaign draft, no schedule".into()),
            ..info("Sales Inbound North America")
        };
        let l = fit_status(&i, &DASHBOARD, 4, 120);
        let t = text(&i, l.fit);
        assert!(
            t.contains("… │ ▣ campaign draft, no schedule │ refreshed"),
            "{t}"
        );
        let l = fit_status(&i, &DASHBOARD, 4, 80);
        let t = text(&i, l.fit);
        assert_eq!(t, " SANDBOX  Sales Inbound Nor… │ ▣ campaign");
        assert_eq!(l.hints, [0, 1, 2, 3], "{t}");
        assert!(l.pad.is_some(), "fits: {t}");
    }

    #[test]
    fn without_a_session_only_the_org_is_on_the_left() {
        let i = StatusInfo {
            queue: None,
            refreshed: None,
            ..info("")
        };
        let l = fit_status(&i, &[7, 9], 4, 80);
        assert_eq!(
            text(&i, l.fit),
            " SANDBOX  Acme Contact Centre · mypurecloud.ie"
        );
        // A very long org name in little room: just the region.
        assert_eq!(org_text(&i, 20), "mypurecloud.ie");
        assert_eq!(org_text(&i, 26), "Acme Con… · mypurecloud.ie");
    }
}
