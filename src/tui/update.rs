//! `update(&mut App, Msg) -> Vec<Effect>`: every state change, no I/O, unit-tested.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::campaign::{CampaignForm, DIALING_MODES, Field, PHONE_TYPES, ScheduleWindow};
use crate::export::ExportFormat;
use crate::tui::action::{Effect, Msg, SubmitOutcome, SubmitRequest};
use crate::tui::app::{
    AUTO_MODEL, App, ChartView, ExportPrompt, ForecastView, Level, Loadable, Overlay, Pending,
    Review, Screen, Session, Stage, SubmitState,
};
use crate::tui::keymap::{Command, Context, Key};

/// Smallest zoom: this many buckets across the chart.
const MIN_SPAN_BUCKETS: f64 = 12.0;

pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) => on_key(app, key),
        Msg::Tick => {
            app.spinner = app.spinner.wrapping_add(1);
            for t in &mut app.toasts {
                t.ttl = t.ttl.saturating_sub(1);
            }
            app.toasts.retain(|t| t.ttl > 0);
            vec![]
        }
        Msg::Resize => vec![],
        Msg::Terminate => quit(app),
        Msg::OrgLoaded(Ok(name)) => {
            if !name.trim().is_empty() {
                app.org.name = name;
            }
            vec![]
        }
        Msg::OrgLoaded(Err(e)) => {
            app.toast(Level::Error, format!("organization: {e}"));
            vec![]
        }
        Msg::QueuesLoaded(Ok(mut queues)) => {
            queues.sort_by_key(|q| q.name.to_lowercase());
            let row = app
                .last_queue
                .as_ref()
                .and_then(|id| queues.iter().position(|q| &q.id == id))
                .unwrap_or(0);
            app.queues = Loadable::Ready(queues);
            app.picker.row = row;
            vec![]
        }
        Msg::QueuesLoaded(Err(e)) => {
            app.toast(Level::Error, format!("could not load queues: {e}"));
            app.queues = Loadable::Failed(e);
            vec![]
        }
        Msg::HistoryProgress { job, done, total } => {
            if let Some(s) = live_session(app, job)
                && matches!(s.stage, Stage::Fetching { .. })
            {
                s.stage = Stage::Fetching { done, total };
            }
            vec![]
        }
        Msg::HistoryLoaded { job, result } => {
            let Some(s) = live_session(app, job) else {
                return vec![];
            };
            match result {
                Ok(h) => {
                    // A refresh of the same queue keeps the view; a first load sets one up.
                    let refresh = s.history.is_some() && s.view.is_some();
                    s.history = Some(h);
                    s.stage = Stage::Fitting;
                    s.keep_view = refresh;
                    if refresh {
                        clamp_view(s);
                    } else {
                        reset_view(s);
                    }
                    vec![Effect::Fit {
                        job,
                        model: s.model.clone(),
                    }]
                }
                Err(e) => {
                    s.stage = Stage::Failed(e.clone());
                    app.toast(Level::Error, format!("history: {e}"));
                    vec![]
                }
            }
        }
        Msg::ForecastReady { job, forecast } => {
            let Some(s) = live_session(app, job) else {
                return vec![];
            };
            let mut forecast = *forecast;
            // Windows that still exist keep the analyst's toggle; new ones start selected.
            let previous: std::collections::HashMap<_, bool> = s
                .forecast
                .iter()
                .flat_map(|f| f.windows.iter().map(|w| (w.start, w.end)))
                .zip(s.selected.iter().copied())
                .collect();
            s.selected = forecast
                .windows
                .iter()
                .map(|w| previous.get(&(w.start, w.end)).copied().unwrap_or(true))
                .collect();
            s.table_row = s.table_row.min(forecast.windows.len().saturating_sub(1));
            if let Some(prev) = &s.forecast {
                carry_tournament(prev, &mut forecast);
            }
            s.model = forecast.requested.clone();
            s.forecast = Some(forecast);
            s.stage = Stage::Ready;
            if std::mem::take(&mut s.keep_view) && s.view.is_some() {
                clamp_view(s);
            } else {
                reset_view(s);
            }
            if let Some(r) = &mut app.review
                && !matches!(
                    r.submit,
                    SubmitState::InFlight { .. } | SubmitState::Done { .. }
                )
            {
                r.form.windows = selected_windows(app.session.as_ref());
            }
            vec![]
        }
        Msg::FitFailed { job, message } => {
            let Some(s) = live_session(app, job) else {
                return vec![];
            };
            s.stage = Stage::Failed(message.clone());
            s.keep_view = false;
            // The forecast on screen is still the earlier model's: refresh with that one.
            if let Some(f) = &s.forecast {
                s.model = f.requested.clone();
            }
            app.toast(Level::Error, format!("forecast failed: {message}"));
            vec![]
        }
        Msg::PhoneColumns(map) => {
            app.phone_columns = map;
            vec![]
        }
        Msg::ContactListsLoaded(r) => {
            if let Err(e) = &r {
                app.toast(Level::Error, format!("contact lists: {e}"));
            }
            app.contact_lists = loaded(r);
            preselect_single(app);
            vec![]
        }
        Msg::ScriptsLoaded(r) => {
            if let Err(e) = &r {
                app.toast(Level::Error, format!("scripts: {e}"));
            }
            app.scripts = loaded(r);
            preselect_single(app);
            vec![]
        }
        Msg::SubmitFinished { job, outcome } => {
            let Some(r) = &mut app.review else {
                return vec![];
            };
            if r.submit != (SubmitState::InFlight { job }) {
                return vec![];
            }
            let toast = match outcome {
                SubmitOutcome::Done { id, self_uri } => {
                    let t = (Level::Info, format!("campaign created (off): {id}"));
                    r.submit = SubmitState::Done { id, self_uri };
                    t
                }
                SubmitOutcome::ScheduleFailed {
                    id,
                    self_uri,
                    error,
                } => {
                    let t = (
                        Level::Error,
                        format!(
                            "campaign {id} created, schedule failed: {}; submit again to retry the schedule",
                            error.message
                        ),
                    );
                    r.submit = SubmitState::Failed {
                        error,
                        uncertain: false,
                        existing: Some((id, self_uri)),
                    };
                    t
                }
                SubmitOutcome::Failed { error, timed_out } => {
                    let t = (Level::Error, format!("submit failed: {}", error.message));
                    r.submit = SubmitState::Failed {
                        error,
                        uncertain: timed_out,
                        existing: None,
                    };
                    t
                }
            };
            app.toast(toast.0, toast.1);
            vec![]
        }
        Msg::ExportExists { path, format } => {
            if let Some(Overlay::Export(p)) = &mut app.overlay {
                p.writing = false;
            }
            app.overlay = Some(Overlay::Confirm {
                text: format!("{} exists. Overwrite it?", path.display()),
                pending: Pending::Overwrite { path, format },
            });
            vec![]
        }
        Msg::ExportFinished(Ok(path)) => {
            if matches!(app.overlay, Some(Overlay::Export(_))) {
                app.overlay = None;
            }
            app.toast(Level::Info, format!("exported to {}", path.display()));
            vec![]
        }
        Msg::ExportFinished(Err(e)) => {
            if let Some(Overlay::Export(p)) = &mut app.overlay {
                p.writing = false;
                p.error = Some(e.clone());
            }
            app.toast(Level::Error, format!("export failed: {e}"));
            vec![]
        }
    }
}

fn loaded<T>(r: Result<T, String>) -> Loadable<T> {
    match r {
        Ok(v) => Loadable::Ready(v),
        Err(e) => Loadable::Failed(e),
    }
}

/// A fit of one named model has a one-row table; the tournament from the earlier `auto` run
/// on this queue stays on screen so the analyst can compare and switch back.
fn carry_tournament(prev: &ForecastView, next: &mut ForecastView) {
    if next.requested == AUTO_MODEL
        || next.tournament.len() >= prev.tournament.len()
        || !prev.tournament.iter().any(|r| r.model == next.model)
    {
        return;
    }
    next.tournament = prev.tournament.clone();
    next.auto_pick = prev.auto_pick.clone();
    next.reason = prev.reason.clone();
    next.failures = prev.failures.clone();
}

/// The session for `job`, or `None` when the result is stale (the user moved on).
fn live_session(app: &mut App, job: u64) -> Option<&mut Session> {
    app.session.as_mut().filter(|s| s.job == job)
}

/// With exactly one contact list or script there is nothing to choose: take it.
fn preselect_single(app: &mut App) {
    let (Some(r), lists, scripts) = (
        app.review.as_mut(),
        app.contact_lists.ready(),
        app.scripts.ready(),
    ) else {
        return;
    };
    if r.form.contact_list.is_none() && lists.is_some_and(|l| l.len() == 1) {
        r.form.contact_list = Some(0);
        apply_phone_columns(
            r,
            lists.map(Vec::as_slice).unwrap_or(&[]),
            &app.phone_columns,
        );
    }
    if r.form.script.is_none() && scripts.is_some_and(|l| l.len() == 1) {
        r.form.script = Some(0);
    }
}

/// Points the phone column at the chosen list's first phone column, so the default is valid.
fn apply_phone_columns(
    r: &mut Review,
    lists: &[crate::campaign::NamedRef],
    columns: &std::collections::HashMap<String, Vec<(String, String)>>,
) {
    let cols = r
        .form
        .contact_list
        .and_then(|i| lists.get(i))
        .and_then(|l| columns.get(&l.id))
        .cloned()
        .unwrap_or_default();
    r.form.allowed_phone_columns = cols.iter().map(|c| c.0.clone()).collect();
    if let Some((name, kind)) = cols.first()
        && !r.form.allowed_phone_columns.contains(&r.form.phone_column)
    {
        r.form.phone_column = name.clone();
        if let Some(i) = PHONE_TYPES.iter().position(|t| t == kind) {
            r.form.phone_type = i;
        }
    }
}

fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    if key.kind == KeyEventKind::Release {
        return vec![];
    }
    let k = Key::from_event(&key);
    // Ctrl-C always quits, even while typing.
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        return quit(app);
    }
    if matches!(app.overlay, Some(Overlay::Help)) {
        return match app.keymap.lookup(app.context(), k) {
            Some(Command::Quit) => quit(app),
            Some(Command::Help | Command::Back) => {
                app.overlay = None;
                vec![]
            }
            _ => vec![],
        };
    }
    if let Some(effects) = text_input(app, &key) {
        return effects;
    }
    let ctx = app.context();
    match app.keymap.lookup(ctx, k) {
        Some(cmd) => command(app, ctx, cmd),
        None => vec![],
    }
}

/// Typing into the picker filter, a form field or the export path. `None` = not consumed.
fn text_input(app: &mut App, key: &KeyEvent) -> Option<Vec<Effect>> {
    let plain_char = match key.code {
        KeyCode::Char(c)
            if !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
        {
            Some(c)
        }
        _ => None,
    };
    if let Some(Overlay::Export(p)) = &mut app.overlay {
        if p.writing {
            return None;
        }
        match (plain_char, key.code) {
            (Some(c), _) => p.path.push(c),
            (_, KeyCode::Backspace) => {
                p.path.pop();
            }
            _ => return None,
        }
        p.error = None;
        return Some(vec![]);
    }
    if app.overlay.is_some() {
        return None;
    }
    match app.screen {
        Screen::Picker => {
            match (plain_char, key.code) {
                (Some(c), _) => app.picker.filter.push(c),
                (_, KeyCode::Backspace) => {
                    app.picker.filter.pop();
                }
                _ => return None,
            }
            app.picker.row = 0;
            Some(vec![])
        }
        Screen::Review => {
            let r = app.review.as_mut()?;
            if !r.editing {
                return None;
            }
            let field = r.field();
            match (plain_char, key.code) {
                (_, KeyCode::Enter | KeyCode::Esc | KeyCode::Tab) => r.editing = false,
                (Some(c), _) => {
                    r.form.text_mut(field)?.push(c);
                    r.edited = true;
                }
                (_, KeyCode::Backspace) => {
                    let removed = r.form.text_mut(field)?.pop().is_some();
                    r.edited |= removed;
                }
                _ => {}
            }
            Some(vec![])
        }
        Screen::Dashboard => None,
    }
}

fn quit(app: &mut App) -> Vec<Effect> {
    app.quit = true;
    let mut fx = Vec::new();
    if let Some(s) = &app.session
        && !matches!(s.stage, Stage::Ready | Stage::Failed(_))
    {
        fx.push(Effect::Cancel(s.job));
    }
    fx.push(Effect::Quit);
    fx
}

/// A draft the analyst edited and has not submitted: quitting would lose it.
fn unsent_draft(app: &App) -> bool {
    app.review
        .as_ref()
        .is_some_and(|r| r.edited && !matches!(r.submit, SubmitState::Done { .. }))
}

fn command(app: &mut App, ctx: Context, cmd: Command) -> Vec<Effect> {
    match cmd {
        Command::Quit if ctx != Context::Confirm && unsent_draft(app) => {
            app.overlay = Some(Overlay::Confirm {
                text: "The campaign draft has not been submitted. Quit and discard it?".into(),
                pending: Pending::Quit,
            });
            return vec![];
        }
        Command::Quit => return quit(app),
        Command::Help => {
            app.overlay = Some(Overlay::Help);
            return vec![];
        }
        _ => {}
    }
    match ctx {
        Context::Global | Context::Picker => picker_command(app, cmd),
        Context::Dashboard => dashboard_command(app, cmd),
        Context::Review => review_command(app, cmd),
        Context::Confirm => confirm_command(app, cmd),
        Context::Export => export_command(app, cmd),
        Context::Models => models_command(app, cmd),
    }
}

fn picker_command(app: &mut App, cmd: Command) -> Vec<Effect> {
    let n = app.filtered_queues().len();
    match cmd {
        Command::Up => app.picker.row = app.picker.row.saturating_sub(1),
        Command::Down => app.picker.row = (app.picker.row + 1).min(n.saturating_sub(1)),
        Command::Back => {
            if !app.picker.filter.is_empty() {
                app.picker.filter.clear();
                app.picker.row = 0;
            } else if app.session.is_some() {
                app.screen = Screen::Dashboard;
            }
        }
        Command::Select => {
            let Some(q) = app
                .filtered_queues()
                .get(app.picker.row)
                .map(|q| (*q).clone())
            else {
                return vec![];
            };
            return open_queue(app, q);
        }
        _ => {}
    }
    vec![]
}

/// Starts (or returns to) a queue; anything running for another queue is cancelled.
pub fn open_queue(app: &mut App, queue: crate::campaign::NamedRef) -> Vec<Effect> {
    app.screen = Screen::Dashboard;
    if let Some(s) = &app.session
        && s.queue.id == queue.id
        && !matches!(s.stage, Stage::Failed(_))
    {
        return vec![];
    }
    let mut fx = Vec::new();
    if let Some(s) = &app.session
        && !matches!(s.stage, Stage::Ready | Stage::Failed(_))
    {
        fx.push(Effect::Cancel(s.job));
    }
    if app
        .review
        .as_ref()
        .is_some_and(|r| r.form.queue.id != queue.id)
    {
        app.review = None;
    }
    let job = app.next_job;
    app.next_job += 1;
    app.last_queue = Some(queue.id.clone());
    fx.push(Effect::SaveLastQueue(queue.id.clone()));
    fx.push(Effect::FetchHistory {
        job,
        queue_id: queue.id.clone(),
    });
    app.session = Some(Session {
        queue,
        job,
        stage: Stage::Fetching { done: 0, total: 0 },
        history: None,
        forecast: None,
        view: None,
        selected: Vec::new(),
        table_row: 0,
        model: app.default_model.clone(),
        keep_view: false,
    });
    fx
}

fn bucket_secs(s: &Session) -> f64 {
    s.history
        .as_ref()
        .map(|h| h.granularity.minutes() as f64 * 60.0)
        .unwrap_or(3600.0)
}

/// First and last instant on the time axis (history start .. end of the forecast).
pub fn data_range(s: &Session) -> Option<(f64, f64)> {
    let g = bucket_secs(s);
    let h = s.history.as_ref()?;
    let first = h.points.first()?.ts.timestamp() as f64;
    let last_hist = h.points.last()?.ts.timestamp() as f64;
    let last = s
        .forecast
        .as_ref()
        .and_then(|f| f.future.last())
        .map(|p| p.ts.timestamp() as f64)
        .unwrap_or(last_hist);
    Some((first, last + g))
}

/// The default view: the forecast plus twice its length of history before it.
fn reset_view(s: &mut Session) {
    let Some((first, end)) = data_range(s) else {
        return;
    };
    let g = bucket_secs(s);
    let (horizon, cursor) = match s.forecast.as_ref().and_then(|f| f.future.first()) {
        Some(p) => {
            let start = p.ts.timestamp() as f64;
            (end - start, start)
        }
        None => (7.0 * 86400.0, end - g),
    };
    let start = (end - 3.0 * horizon).max(first);
    s.view = Some(ChartView { start, end, cursor });
}

/// Keeps the analyst's span and position, moved back inside the data if the data moved.
fn clamp_view(s: &mut Session) {
    let g = bucket_secs(s);
    let (Some((lo, hi)), Some(v)) = (data_range(s), s.view.as_mut()) else {
        return;
    };
    if v.end - v.start > hi - lo {
        v.start = lo;
        v.end = hi;
    }
    shift(v, 0.0, lo, hi);
    v.cursor = v.cursor.clamp(v.start, (v.end - g).max(v.start));
}

fn dashboard_command(app: &mut App, cmd: Command) -> Vec<Effect> {
    let Some(s) = app.session.as_mut() else {
        app.screen = Screen::Picker;
        return vec![];
    };
    let n_windows = s.forecast.as_ref().map_or(0, |f| f.windows.len());
    let g = bucket_secs(s);
    let range = data_range(s);
    match cmd {
        Command::Up => s.table_row = s.table_row.saturating_sub(1),
        Command::Down => s.table_row = (s.table_row + 1).min(n_windows.saturating_sub(1)),
        Command::ToggleWindow => {
            if let Some(f) = s.selected.get_mut(s.table_row) {
                *f = !*f;
            }
            if let Some(r) = &mut app.review
                && !matches!(
                    r.submit,
                    SubmitState::InFlight { .. } | SubmitState::Done { .. }
                )
            {
                r.form.windows = selected_windows(app.session.as_ref());
            }
        }
        Command::CursorLeft | Command::CursorRight | Command::PanLeft | Command::PanRight => {
            let (Some(v), Some((lo, hi))) = (s.view.as_mut(), range) else {
                return vec![];
            };
            let span = v.end - v.start;
            match cmd {
                Command::CursorLeft => v.cursor = (v.cursor - g).max(lo),
                Command::CursorRight => v.cursor = (v.cursor + g).min(hi - g),
                Command::PanLeft => shift(v, -span / 4.0, lo, hi),
                _ => shift(v, span / 4.0, lo, hi),
            }
            // Keep the cursor visible: follow it with the view, or bring it into the view.
            if matches!(cmd, Command::CursorLeft | Command::CursorRight) {
                if v.cursor < v.start {
                    shift(v, v.cursor - v.start, lo, hi);
                } else if v.cursor >= v.end {
                    shift(v, v.cursor + g - v.end, lo, hi);
                }
            } else {
                v.cursor = v.cursor.clamp(v.start, (v.end - g).max(v.start));
                v.cursor = lo + ((v.cursor - lo) / g).round() * g;
            }
        }
        Command::ZoomIn | Command::ZoomOut => {
            let (Some(v), Some((lo, hi))) = (s.view.as_mut(), range) else {
                return vec![];
            };
            let span = v.end - v.start;
            let new_span = if cmd == Command::ZoomIn {
                (span / 2.0).max(MIN_SPAN_BUCKETS * g)
            } else {
                (span * 2.0).min(hi - lo)
            };
            let frac = ((v.cursor - v.start) / span).clamp(0.0, 1.0);
            v.start = v.cursor - frac * new_span;
            v.end = v.start + new_span;
            shift(v, 0.0, lo, hi);
        }
        Command::ResetView => reset_view(s),
        Command::Refresh => {
            if matches!(s.stage, Stage::Fetching { .. } | Stage::Fitting) {
                return vec![];
            }
            let job = app.next_job;
            app.next_job += 1;
            s.job = job;
            s.stage = Stage::Fetching { done: 0, total: 0 };
            return vec![Effect::FetchHistory {
                job,
                queue_id: s.queue.id.clone(),
            }];
        }
        Command::PickQueue | Command::Back => {
            app.screen = Screen::Picker;
            let id = s.queue.id.clone();
            if let Some(i) = app.filtered_queues().iter().position(|q| q.id == id) {
                app.picker.row = i;
            }
        }
        Command::Review => return open_review(app),
        Command::Models => {
            let Some(f) = &s.forecast else {
                app.toast(Level::Error, "no models yet: wait for the forecast");
                return vec![];
            };
            let row = f
                .tournament
                .iter()
                .position(|r| r.model == f.model)
                .unwrap_or(0);
            app.overlay = Some(Overlay::Models { row });
        }
        Command::Export => {
            if s.forecast.is_none() {
                app.toast(Level::Error, "nothing to export yet: wait for the forecast");
                return vec![];
            }
            let slug: String = s
                .queue
                .name
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
            app.overlay = Some(Overlay::Export(ExportPrompt {
                path: format!("./forecast_{slug}_{}.json", app.today.format("%Y-%m-%d")),
                format: ExportFormat::Json,
                error: None,
                writing: false,
            }));
        }
        _ => {}
    }
    vec![]
}

/// Moves the view by `by` seconds, kept inside the data.
fn shift(v: &mut ChartView, by: f64, lo: f64, hi: f64) {
    let span = v.end - v.start;
    let start = (v.start + by).clamp(lo, (hi - span).max(lo));
    v.start = start;
    v.end = start + span;
}

/// The windows the user left selected, in time order.
pub fn selected_windows(s: Option<&Session>) -> Vec<ScheduleWindow> {
    let Some(s) = s else { return vec![] };
    let Some(f) = &s.forecast else { return vec![] };
    f.windows
        .iter()
        .zip(&s.selected)
        .filter(|(_, on)| **on)
        .map(|(w, _)| ScheduleWindow {
            start: w.start,
            end: w.end,
        })
        .collect()
}

fn open_review(app: &mut App) -> Vec<Effect> {
    let Some(s) = &app.session else {
        return vec![];
    };
    if s.forecast.is_none() {
        app.toast(
            Level::Error,
            "no windows yet: wait for the forecast before reviewing a campaign",
        );
        return vec![];
    }
    let windows = selected_windows(Some(s));
    match &mut app.review {
        Some(r) if r.form.queue.id == s.queue.id => {
            if !matches!(
                r.submit,
                SubmitState::InFlight { .. } | SubmitState::Done { .. }
            ) {
                r.form.windows = windows;
            }
        }
        _ => {
            app.review = Some(Review {
                form: CampaignForm::new(s.queue.clone(), app.today, app.tz, windows),
                focus: 0,
                editing: false,
                edited: false,
                submit: SubmitState::Idle,
                preview_scroll: 0,
            })
        }
    }
    app.screen = Screen::Review;
    preselect_single(app);
    if app.pickers_requested {
        return vec![];
    }
    app.pickers_requested = true;
    vec![Effect::LoadContactLists, Effect::LoadScripts]
}

fn review_locked(r: &Review) -> bool {
    matches!(
        r.submit,
        SubmitState::InFlight { .. } | SubmitState::Done { .. }
    )
}

fn review_command(app: &mut App, cmd: Command) -> Vec<Effect> {
    let lists_len = app.contact_lists.ready().map_or(0, Vec::len);
    let scripts_len = app.scripts.ready().map_or(0, Vec::len);
    let Some(r) = app.review.as_mut() else {
        app.screen = Screen::Dashboard;
        return vec![];
    };
    let n = Field::ALL.len();
    match cmd {
        Command::Back => app.screen = Screen::Dashboard,
        Command::ScrollDown => r.preview_scroll = r.preview_scroll.saturating_add(5),
        Command::ScrollUp => r.preview_scroll = r.preview_scroll.saturating_sub(5),
        Command::Up => r.focus = (r.focus + n - 1) % n,
        Command::Down => r.focus = (r.focus + 1) % n,
        Command::Edit | Command::PrevOption | Command::NextOption => {
            if review_locked(r) {
                return vec![];
            }
            let field = r.field();
            if field.is_text() {
                if cmd == Command::Edit {
                    r.editing = true;
                }
                return vec![];
            }
            let back = cmd == Command::PrevOption;
            r.edited = true;
            let f = &mut r.form;
            match field {
                Field::ContactList => {
                    f.contact_list = cycle(f.contact_list, lists_len, back);
                    let lists = app.contact_lists.ready().map(Vec::as_slice).unwrap_or(&[]);
                    apply_phone_columns(r, lists, &app.phone_columns);
                }
                Field::Script => f.script = cycle(f.script, scripts_len, back),
                Field::DialingMode => {
                    f.dialing_mode =
                        cycle(Some(f.dialing_mode), DIALING_MODES.len(), back).unwrap_or(0)
                }
                Field::PhoneType => {
                    f.phone_type = cycle(Some(f.phone_type), PHONE_TYPES.len(), back).unwrap_or(0)
                }
                _ => {}
            }
        }
        Command::Submit => {
            match &r.submit {
                SubmitState::InFlight { .. } => return vec![],
                SubmitState::Done { id, .. } => {
                    let id = id.clone();
                    app.toast(
                        Level::Info,
                        format!("already created as {id}; not sending again"),
                    );
                    return vec![];
                }
                _ => {}
            }
            let lists = app.contact_lists.ready().map(Vec::as_slice).unwrap_or(&[]);
            let scripts = app.scripts.ready().map(Vec::as_slice).unwrap_or(&[]);
            let problems = r.form.validate(lists, scripts);
            if let Some((field, _)) = problems.first() {
                r.focus = Field::ALL.iter().position(|f| f == field).unwrap_or(0);
                let n = problems.len();
                app.toast(
                    Level::Error,
                    format!("{n} field(s) need attention before submitting"),
                );
                return vec![];
            }
            app.overlay = Some(Overlay::Confirm {
                text: format!(
                    "Create campaign \"{}\" (status off) and schedule {} window(s)?",
                    r.form.name.trim(),
                    r.form.windows.len()
                ),
                pending: Pending::Submit,
            });
        }
        _ => {}
    }
    vec![]
}

fn cycle(cur: Option<usize>, len: usize, back: bool) -> Option<usize> {
    if len == 0 {
        return None;
    }
    Some(match (cur, back) {
        (None, false) => 0,
        (None, true) => len - 1,
        (Some(i), false) => (i + 1) % len,
        (Some(i), true) => (i + len - 1) % len,
    })
}

fn confirm_command(app: &mut App, cmd: Command) -> Vec<Effect> {
    let Some(Overlay::Confirm { pending, .. }) = app.overlay.clone() else {
        return vec![];
    };
    match cmd {
        Command::No | Command::Back => {
            app.overlay = None;
            vec![]
        }
        Command::Yes => {
            app.overlay = None;
            match pending {
                Pending::Submit => start_submit(app),
                Pending::Quit => quit(app),
                Pending::Overwrite { path, format } => {
                    app.overlay = Some(Overlay::Export(ExportPrompt {
                        path: path.display().to_string(),
                        format,
                        error: None,
                        writing: true,
                    }));
                    vec![Effect::Export {
                        path,
                        format,
                        overwrite: true,
                    }]
                }
            }
        }
        _ => vec![],
    }
}

fn start_submit(app: &mut App) -> Vec<Effect> {
    let lists = app.contact_lists.ready().cloned().unwrap_or_default();
    let scripts = app.scripts.ready().cloned().unwrap_or_default();
    let job = app.next_job;
    let Some(r) = app.review.as_mut() else {
        return vec![];
    };
    let (lookup, existing) = match &r.submit {
        SubmitState::Idle => (false, None),
        SubmitState::Failed {
            uncertain,
            existing,
            ..
        } => (*uncertain, existing.clone()),
        // In flight or done: never send a second create.
        _ => return vec![],
    };
    app.next_job += 1;
    r.submit = SubmitState::InFlight { job };
    r.editing = false;
    vec![Effect::Submit {
        job,
        request: SubmitRequest {
            campaign: r.form.campaign_body(&lists, &scripts),
            name: r.form.name.trim().to_string(),
            tz: r.form.tz,
            windows: r.form.windows.clone(),
            lookup_by_name_first: lookup,
            existing,
        },
    }]
}

fn export_command(app: &mut App, cmd: Command) -> Vec<Effect> {
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
            p.writing = true;
            return vec![Effect::Export {
                path: p.path.trim().into(),
                format: p.format,
                overwrite: false,
            }];
        }
        _ => {}
    }
    vec![]
}

/// The tournament popup: move through the models; the use key re-fits with the highlighted
/// one on the history already fetched.
fn models_command(app: &mut App, cmd: Command) -> Vec<Effect> {
    let Some(Overlay::Models { row }) = app.overlay else {
        return vec![];
    };
    let Some(s) = app.session.as_mut() else {
        app.overlay = None;
        return vec![];
    };
    let Some(f) = &s.forecast else {
        app.overlay = None;
        return vec![];
    };
    let n = f.tournament.len();
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
        Command::UseModel => {
            let Some(name) = f.tournament.get(row).map(|r| r.model.clone()) else {
                return vec![];
            };
            // Back to the tournament's own pick means back to `auto`, so a refresh re-runs it.
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
            let mut fx = Vec::new();
            if fitting {
                fx.push(Effect::Cancel(s.job));
            }
            let job = app.next_job;
            app.next_job += 1;
            s.job = job;
            s.model = target.clone();
            s.stage = Stage::Fitting;
            s.keep_view = true;
            app.overlay = None;
            fx.push(Effect::Refit { job, model: target });
            return fx;
        }
        _ => {}
    }
    vec![]
}
