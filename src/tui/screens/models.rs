//! The tournament popup: every model's backtest scores on the same folds, the one in use
//! marked; the use key re-fits the highlighted model on the history already fetched.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph, Row, Table, TableState, Wrap};

use crate::tui::action::Effect;
use crate::tui::app::{AUTO_MODEL, App, ForecastView, Level, ModelRow, Overlay, Stage};
use crate::tui::keymap::{Command, Context};
use crate::tui::theme::Theme;
use crate::tui::widgets::{block, centered};

pub fn draw(f: &mut Frame, app: &App, area: Rect, row: usize) {
    let t = &app.theme;
    let Some(fc) = app.session.as_ref().and_then(|s| s.forecast.as_ref()) else {
        return;
    };
    let w = area.width.saturating_sub(4).min(84);
    let inner_w = w.saturating_sub(2) as usize;
    let notes = notes(app, fc);
    // Lines the notes take once wrapped.
    let notes_h: u16 = notes
        .iter()
        .map(|l| {
            let n = l
                .spans
                .iter()
                .map(|s| s.content.chars().count())
                .sum::<usize>();
            n.max(1).div_ceil(inner_w.max(1)) as u16
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
        let mut state = TableState::default().with_selected(Some(row));
        f.render_stateful_widget(table(t, fc), table_area, &mut state);
    }
    f.render_widget(Paragraph::new(notes).wrap(Wrap { trim: true }), notes_area);
}

/// Who picked the model and why, the band, the models left out, the keys.
fn notes<'a>(app: &App, fc: &ForecastView) -> Vec<Line<'a>> {
    let t = &app.theme;
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
    if let Some(c) = &fc.combination {
        notes.push(Line::raw(c.clone()));
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
    notes
}

fn table<'a>(t: &Theme, fc: &'a ForecastView) -> Table<'a> {
    let row = |m: &ModelRow| {
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
    };
    Table::new(
        fc.tournament.iter().map(row),
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
    .highlight_symbol("▶ ")
}

pub fn command(app: &mut App, cmd: Command) -> Vec<Effect> {
    let Some(Overlay::Models { row }) = app.overlay else {
        return vec![];
    };
    let Some(n) = app
        .session
        .as_ref()
        .and_then(|s| s.forecast.as_ref())
        .map(|f| f.tournament.len())
    else {
        app.overlay = None;
        return vec![];
    };
    match cmd {
        Command::Back | Command::Models => app.overlay = None,
        Command::Up => {
            app.overlay = Some(Overlay::Models {
                row: row.saturating_sub(1),
            })
        }
        Command::Down => {
            app.overlay = Some(Overlay::Models {
                row: (row + 1).min(n.saturating_sub(1)),
            })
        }
        Command::UseModel => return use_model(app, row),
        _ => {}
    }
    vec![]
}

/// Re-fits the open queue's fetched history with the model in `row` (cancelling a fit in
/// flight). Choosing the tournament's own pick means `auto`, so a refresh re-runs it.
fn use_model(app: &mut App, row: usize) -> Vec<Effect> {
    let job = app.next_job;
    let Some(s) = app.session.as_mut() else {
        return vec![];
    };
    let Some(f) = &s.forecast else {
        return vec![];
    };
    let Some(name) = f.tournament.get(row).map(|r| r.model.clone()) else {
        return vec![];
    };
    let target = if f.auto_pick.as_deref() == Some(name.as_str()) {
        AUTO_MODEL.to_string()
    } else {
        name.clone()
    };
    let fitting = match s.stage {
        Stage::Fetching { .. } => {
            app.toast(
                Level::Error,
                "history is being fetched: switch model after it",
            );
            return vec![];
        }
        Stage::Fitting => true,
        Stage::Ready | Stage::Failed(_) => false,
    };
    if !fitting && target == f.requested {
        app.overlay = None;
        app.toast(Level::Info, format!("already showing {name}"));
        return vec![];
    }
    let Some(history) = s.history.clone() else {
        app.toast(
            Level::Error,
            "the fetched history is gone; refresh to fetch it again",
        );
        return vec![];
    };
    let mut fx = Vec::new();
    if fitting {
        fx.push(Effect::Cancel(s.job));
    }
    app.next_job += 1;
    s.job = job;
    s.model = target.clone();
    s.stage = Stage::Fitting;
    s.keep_view = true;
    app.overlay = None;
    fx.push(Effect::Fit {
        job,
        model: target,
        history,
    });
    fx
}
