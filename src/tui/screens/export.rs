//! The export prompt: a path and a format; an existing file is only replaced after a yes.

use std::path::PathBuf;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::Typed;
use crate::export::ExportFormat;
use crate::tui::action::Effect;
use crate::tui::app::{App, ExportPrompt, Level, Overlay, Pending};
use crate::tui::keymap::{Command, Context};
use crate::tui::widgets::{block, centered};

pub fn draw(f: &mut Frame, app: &App, area: Rect, p: &ExportPrompt) {
    let t = &app.theme;
    let r = centered(area, 70, 7);
    f.render_widget(Clear, r);
    let format = match p.format {
        ExportFormat::Json => "JSON",
        ExportFormat::Csv => "CSV",
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

/// Letters edit the path (not while a write is pending).
pub fn text_input(app: &mut App, key: Typed) -> Option<Vec<Effect>> {
    let Some(Overlay::Export(p)) = &mut app.overlay else {
        return None;
    };
    if p.writing {
        return None;
    }
    match key {
        Typed::Char(c) => p.path.push(c),
        Typed::Backspace => {
            p.path.pop();
        }
        _ => return None,
    }
    p.error = None;
    Some(vec![])
}

/// A paste into the path (not while a write is pending); `false` when it was not taken.
pub fn paste(app: &mut App, line: &str) -> bool {
    let Some(Overlay::Export(p)) = &mut app.overlay else {
        return false;
    };
    if p.writing {
        return false;
    }
    p.path.push_str(line);
    p.error = None;
    true
}

pub fn command(app: &mut App, cmd: Command) -> Vec<Effect> {
    let Some(Overlay::Export(p)) = &mut app.overlay else {
        return vec![];
    };
    match cmd {
        Command::Back => app.overlay = None,
        Command::ToggleFormat => {
            let (format, from, to) = match p.format {
                ExportFormat::Json => (ExportFormat::Csv, ".json", ".csv"),
                ExportFormat::Csv => (ExportFormat::Json, ".csv", ".json"),
            };
            p.format = format;
            if let Some(stem) = p.path.strip_suffix(from) {
                p.path = format!("{stem}{to}");
            }
        }
        Command::Accept => {
            if p.writing {
                return vec![];
            }
            if p.path.trim().is_empty() {
                p.error = Some("enter a file path".into());
                return vec![];
            }
            let (path, format) = (PathBuf::from(p.path.trim()), p.format);
            let Some(effect) = export(app, path, format, false) else {
                return vec![];
            };
            if let Some(Overlay::Export(p)) = &mut app.overlay {
                p.writing = true;
            }
            return vec![effect];
        }
        _ => {}
    }
    vec![]
}

/// The overwrite the analyst confirmed: the prompt shows the write in progress.
pub fn write(app: &mut App, path: PathBuf, format: ExportFormat, overwrite: bool) -> Vec<Effect> {
    app.overlay = Some(Overlay::Export(ExportPrompt {
        path: path.display().to_string(),
        format,
        error: None,
        writing: true,
    }));
    export(app, path, format, overwrite).into_iter().collect()
}

/// Writing the forecast on screen; without one, the prompt says so.
fn export(app: &mut App, path: PathBuf, format: ExportFormat, overwrite: bool) -> Option<Effect> {
    let session = app.session.as_ref();
    match session.and_then(|s| s.output.clone()) {
        Some(forecast) => Some(Effect::Export {
            path,
            format,
            overwrite,
            forecast,
            history: session.and_then(|s| s.history.clone()),
            selected: session.map(|s| s.selected.clone()).unwrap_or_default(),
            windows: session
                .and_then(|s| s.forecast.as_ref())
                .map(|f| f.windows.iter().map(|w| (w.start, w.end)).collect())
                .unwrap_or_default(),
        }),
        None => {
            finished(app, Err("no forecast yet".into()));
            None
        }
    }
}

/// The target exists: ask before replacing it.
pub fn exists(app: &mut App, path: PathBuf, format: ExportFormat) {
    if let Some(Overlay::Export(p)) = &mut app.overlay {
        p.writing = false;
    }
    app.overlay = Some(Overlay::Confirm {
        text: format!("{} exists. Overwrite it?", path.display()),
        pending: Pending::Overwrite { path, format },
    });
}

pub fn finished(app: &mut App, result: Result<PathBuf, String>) {
    match result {
        Ok(path) => {
            if matches!(app.overlay, Some(Overlay::Export(_))) {
                app.overlay = None;
            }
            app.toast(Level::Info, format!("exported to {}", path.display()));
        }
        Err(e) => {
            if let Some(Overlay::Export(p)) = &mut app.overlay {
                p.writing = false;
                p.error = Some(e.clone());
            }
            app.toast(Level::Error, format!("export failed: {e}"));
        }
    }
}
