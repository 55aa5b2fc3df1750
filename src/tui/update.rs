//! `update(&mut App, Msg) -> Vec<Effect>`: every state change, no I/O, unit-tested. Keys go
//! to the screen or popup that has focus (`screens`); each background result goes to the
//! screen it belongs to.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::tui::action::{Effect, Msg};
use crate::tui::app::{App, Level, Overlay, Pending, Retrier};
use crate::tui::keymap::{Command, Context, Key};
use crate::tui::screens::{self, board, dashboard, export, help, review};

pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) => on_key(app, key),
        // Like keys: nothing goes into a field the analyst cannot see.
        Msg::Paste(_) if !app.fits_screen() => vec![],
        Msg::Paste(text) => screens::paste(app, &text),
        Msg::Tick => {
            tick(app);
            vec![]
        }
        Msg::Clock(now) => set_clock(app, now),
        Msg::Resize { width, height } => {
            app.size = (width, height);
            board::keep_visible(app);
            vec![]
        }
        Msg::Terminate => screens::quit(app),
        Msg::OrgLoaded(result) => {
            org_loaded(app, result);
            vec![]
        }
        Msg::QueuesLoaded(result) => board::queues_loaded(app, result),
        Msg::QueueMedia(media) => {
            board::queue_media(app, media);
            vec![]
        }
        Msg::BoardRow {
            job,
            queue_id,
            result,
        } => {
            board::row_finished(app, job, queue_id, result);
            vec![]
        }
        Msg::HistoryProgress { job, done, total } => {
            dashboard::history_progress(app, job, done, total);
            vec![]
        }
        Msg::HistoryLoaded { job, result } => dashboard::history_loaded(app, job, result),
        Msg::ForecastReady { job, output } => {
            dashboard::forecast_ready(app, job, output);
            vec![]
        }
        Msg::FitFailed { job, message } => {
            dashboard::fit_failed(app, job, message);
            vec![]
        }
        Msg::PhoneColumns(map) => {
            app.phone_columns = map;
            vec![]
        }
        Msg::ContactListsLoaded(r) => {
            review::contact_lists_loaded(app, r);
            vec![]
        }
        Msg::ScriptsLoaded(r) => {
            review::scripts_loaded(app, r);
            vec![]
        }
        Msg::DialerPrereqsLoaded {
            sites,
            default_site_id,
            response_sets,
        } => {
            review::dialer_prereqs_loaded(app, sites, default_site_id, response_sets);
            vec![]
        }
        Msg::SubmitFinished { job, outcome } => {
            review::submit_finished(app, job, outcome);
            vec![]
        }
        Msg::PendingLoaded { queue_id, result } => {
            review::pending_loaded(app, &queue_id, result);
            vec![]
        }
        Msg::ExportExists { path, format } => {
            export::exists(app, path, format);
            vec![]
        }
        Msg::Retrying { job, text } => {
            retrying(app, Retrier(job), text);
            vec![]
        }
        Msg::RetryOver(job) => {
            app.toasts.retain(|t| t.retry != Some(Retrier(job)));
            vec![]
        }
        Msg::JobCrashed { what, message } => {
            app.toast(Level::Error, format!("{what}: {message}"));
            vec![]
        }
        Msg::ZoneSaved(result) => screens::zone_picker::saved(app, result),
        Msg::ExportFinished(result) => {
            export::finished(app, result);
            vec![]
        }
    }
}

/// The org's name for the status bar (a blank name keeps the one configured).
fn org_loaded(app: &mut App, result: Result<String, String>) {
    match result {
        Ok(name) if !name.trim().is_empty() => app.org.name = name,
        Ok(_) => {}
        Err(e) => app.toast(Level::Error, format!("organization: {e}")),
    }
}

/// A request is being retried: one notice per job, its newest replacing its last, and the
/// board's loading line shows it too, where the analyst is looking.
fn retrying(app: &mut App, who: Retrier, text: String) {
    app.toasts.retain(|t| t.retry != Some(who));
    app.toast(Level::Progress, format!("waiting: {text}"));
    if let Some(t) = app.toasts.last_mut() {
        t.retry = Some(who);
    }
    app.board.retry_note = Some(text);
}

/// Spinner frame and toast expiry.
fn tick(app: &mut App) {
    app.spinner = app.spinner.wrapping_add(1);
    for t in &mut app.toasts {
        t.ttl = t.ttl.saturating_sub(1);
    }
    app.toasts.retain(|t| t.ttl > 0);
}

fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    if key.kind == KeyEventKind::Release {
        return vec![];
    }
    // Ctrl-C quits even while typing, but asks first, as `q` does, when a draft would be lost.
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        if matches!(app.overlay, Some(Overlay::Confirm { .. })) {
            app.overlay = None;
            return vec![];
        }
        return command(app, Context::Global, Command::Quit);
    }
    let k = Key::from_event(&key);
    if !app.fits_screen() {
        // Nothing is drawn but "too small": a key could answer a confirm or type into a
        // field the analyst cannot see. Only quit acts (the draft prompt still guards it).
        return match app.keymap.lookup(app.context(), k) {
            Some(Command::Quit) => command(app, app.context(), Command::Quit),
            _ => vec![],
        };
    }
    if matches!(app.overlay, Some(Overlay::Help)) {
        let cmd = app.keymap.lookup(app.context(), k);
        return help::command(app, cmd);
    }
    if let Some(effects) = screens::text_input(app, &key) {
        return effects;
    }
    let ctx = app.context();
    match app.keymap.lookup(ctx, k) {
        Some(cmd) => command(app, ctx, cmd),
        None => vec![],
    }
}

/// Quit (asking first when a draft would be lost) and help work everywhere; the rest is the
/// focused screen's or popup's.
fn command(app: &mut App, ctx: Context, cmd: Command) -> Vec<Effect> {
    match cmd {
        Command::Quit if ctx != Context::Confirm && screens::unsent_draft(app) => {
            app.overlay = Some(Overlay::Confirm {
                text: "The campaign draft has not been submitted. Quit and discard it?".into(),
                pending: Pending::Quit,
            });
            vec![]
        }
        Command::Quit => screens::quit(app),
        Command::Help => {
            app.overlay = Some(Overlay::Help);
            vec![]
        }
        _ => screens::command(app, ctx, cmd),
    }
}

/// The runtime's wall clock, kept for what the confirm says about windows under way.
fn set_clock(app: &mut App, now: chrono::DateTime<chrono::Utc>) -> Vec<Effect> {
    app.now = Some(now);
    vec![]
}
