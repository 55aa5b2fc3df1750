//! The single application state. Draw functions read it; only `update` changes it.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use chrono_tz::Tz;

use crate::campaign::{CampaignForm, Field, NamedRef, ScheduleWindow};
use crate::export::ExportFormat;
use crate::forecast::pipeline::{ModelSelection, PipelineOutput};
use crate::genesys::RestErrorDetail;
use crate::tui::action::{ApiFailure, History, JobId, SubmitRequest};
use crate::tui::board_view::{Entry, RowState, SortColumn, media_label, ordered};
use crate::tui::chart::Extent;
use crate::tui::keymap::{Context, Keymap};
use crate::tui::theme::Theme;

pub use crate::tui::chart::ChartView;
pub use crate::tui::view::{
    ForecastView, ModelRow, Scope, StaffedOverride, StaffingView, WindowRow, WindowRule,
};

/// Who we talk to, for the status bar.
#[derive(Debug, Clone, PartialEq)]
pub struct OrgInfo {
    pub name: String,
    pub region: String,
    /// The embedded sandbox: the status bar says SANDBOX so nobody mistakes it for production.
    pub sandbox: bool,
}

/// Something loaded in the background.
#[derive(Debug, Clone, PartialEq)]
pub enum Loadable<T> {
    Loading,
    Ready(T),
    Failed(String),
}

impl<T> Loadable<T> {
    pub fn ready(&self) -> Option<&T> {
        match self {
            Loadable::Ready(v) => Some(v),
            _ => None,
        }
    }
}

/// The value of `forecast.model` (and of a switch back from a named model) that runs the
/// tournament.
pub use crate::forecast::select::AUTO as AUTO_MODEL;

/// What is happening to the open queue right now.
#[derive(Debug, Clone, PartialEq)]
pub enum Stage {
    Fetching { done: usize, total: usize },
    Fitting,
    Ready,
    Failed(String),
}

/// The queue being looked at, with everything fetched and computed for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub queue: NamedRef,
    pub job: JobId,
    pub stage: Stage,
    /// The last fetched history: shown, and sent again to the fit when the analyst switches
    /// model.
    pub history: Option<Arc<History>>,
    pub forecast: Option<ForecastView>,
    /// The run `forecast` shows, for the export.
    pub output: Option<Arc<PipelineOutput>>,
    /// This queue's last `auto` model selection, kept in a named model's run (see
    /// [`keep_tournament`](crate::tui::view::keep_tournament)).
    pub auto_selection: Option<ModelSelection>,
    pub view: Option<ChartView>,
    /// One flag per window of `forecast.windows`: in the campaign schedule or not.
    pub selected: Vec<bool>,
    pub table_row: usize,
    /// The model fits use: [`AUTO_MODEL`] or the name the analyst picked from the table.
    pub model: String,
    /// The next forecast replaces one the analyst is already looking at (a model switch, or a
    /// refresh that only adds the newest buckets): keep their pan and zoom.
    pub keep_view: bool,
}

impl Session {
    /// A session for `queue` whose history `job` is fetching.
    pub fn new(queue: NamedRef, job: JobId, model: String) -> Self {
        Self {
            queue,
            job,
            stage: Stage::Fetching { done: 0, total: 0 },
            history: None,
            forecast: None,
            output: None,
            auto_selection: None,
            view: None,
            selected: Vec::new(),
            table_row: 0,
            model,
            keep_view: false,
        }
    }

    /// Bucket length in seconds (an hour until history arrives).
    pub fn bucket_secs(&self) -> f64 {
        self.history
            .as_ref()
            .map(|h| h.series.granularity.minutes() as f64 * 60.0)
            .unwrap_or(3600.0)
    }

    /// The chart's time axis: history start to the end of the forecast.
    pub fn extent(&self) -> Option<Extent> {
        let h = self.history.as_ref()?;
        let future = self.forecast.as_ref().map_or(&[][..], |f| &f.future[..]);
        Extent::of(&h.series.points, future, self.bucket_secs())
    }

    /// The default view of the data (nothing without history).
    pub fn reset_view(&mut self) {
        let Some(e) = self.extent() else { return };
        let start = self
            .forecast
            .as_ref()
            .and_then(|f| f.future.first())
            .map(|p| p.ts.timestamp() as f64);
        self.view = Some(ChartView::reset(e, start));
    }

    /// Keeps the analyst's span and position, moved back inside the data if it moved.
    pub fn clamp_view(&mut self) {
        if let (Some(e), Some(v)) = (self.extent(), self.view.as_mut()) {
            v.clamp(e);
        }
    }

    /// The windows the analyst left selected, in time order.
    pub fn selected_windows(&self) -> Vec<ScheduleWindow> {
        let Some(f) = &self.forecast else {
            return vec![];
        };
        f.windows
            .iter()
            .zip(&self.selected)
            .filter(|(_, on)| **on)
            .map(|(w, _)| ScheduleWindow {
                start: w.start,
                end: w.end,
            })
            .collect()
    }
}

/// The queue board's state: everything the analyst set on it survives a visit to a queue's
/// dashboard and back.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Board {
    pub filter: String,
    /// `/` was pressed: letters go into the filter until Enter or Esc.
    pub filtering: bool,
    pub sort: SortColumn,
    pub descending: bool,
    /// The selected queue's id: the selection follows the queue when rows re-sort as they
    /// fill in.
    pub selected: Option<String>,
    /// The first row shown (scroll position).
    pub offset: usize,
    /// Each queue's forecast so far, by id (absent = not started).
    pub rows: HashMap<String, RowState>,
    /// Each queue's media, by id, from the queue list (`mediaSettings`).
    pub media: HashMap<String, Vec<String>>,
    /// The latest "retry n/5 in 4 s" while the queue list is loading.
    pub retry_note: Option<String>,
    /// The background forecasts the board started, cancelled when it forecasts all again.
    pub jobs: Vec<JobId>,
}

impl Board {
    /// Forecasts finished (or failed) and all started.
    pub fn progress(&self) -> (usize, usize) {
        let done = self
            .rows
            .values()
            .filter(|r| !matches!(r, RowState::Pending))
            .count();
        (done, self.rows.len())
    }
}

/// Where a submit stands. Only `Idle`/`Failed` accept the submit key.
#[derive(Debug, Clone, PartialEq)]
pub enum SubmitState {
    Idle,
    InFlight {
        job: JobId,
    },
    /// The campaign exists: created, or found by name after an ambiguous create.
    Done {
        id: String,
        self_uri: String,
        /// Its schedule is stored; `false` for a draft created without one (it never dials).
        scheduled: bool,
        /// `Campaign.errors[]` as Genesys last reported them.
        errors: Vec<RestErrorDetail>,
    },
    Failed {
        error: ApiFailure,
        /// The create may have happened (timeout): the next try looks up by name first.
        uncertain: bool,
        /// The campaign exists (schedule failed): the next try only PUTs the schedule.
        existing: Option<(String, String)>,
    },
    /// The create may or may not have happened and no lookup has answered: the submit key
    /// only checks again (a lookup by the exact name of `request`); nothing is created.
    Unknown {
        error: ApiFailure,
        request: Box<SubmitRequest>,
    },
}

/// The campaign review screen.
#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    pub form: CampaignForm,
    pub focus: usize,
    /// Typing goes into the focused text field.
    pub editing: bool,
    /// The analyst changed a field: quitting would lose work, so it asks first.
    pub edited: bool,
    pub submit: SubmitState,
    /// The request of the submit in flight, kept so an unknown outcome can be checked again
    /// with exactly the name that was sent.
    pub sent: Option<Box<SubmitRequest>>,
    /// Lines scrolled in the JSON preview.
    pub preview_scroll: u16,
}

impl Review {
    pub fn field(&self) -> Field {
        Field::ALL[self.focus.min(Field::ALL.len() - 1)]
    }

    /// The schedule follows the dashboard's selection: before the submit, and after the
    /// campaign exists (a new submit then updates that campaign's schedule).
    pub fn follows_selection(&self) -> bool {
        matches!(
            self.submit,
            SubmitState::Idle | SubmitState::Failed { .. } | SubmitState::Done { .. }
        )
    }

    /// The campaign of this draft, once it exists (created, or created with its schedule
    /// failing): id and self URI.
    pub fn campaign(&self) -> Option<(&str, &str)> {
        match &self.submit {
            SubmitState::Done { id, self_uri, .. }
            | SubmitState::Failed {
                existing: Some((id, self_uri)),
                ..
            } => Some((id, self_uri)),
            _ => None,
        }
    }

    /// In flight, done or unknown: the form no longer changes and no create is sent.
    pub fn locked(&self) -> bool {
        matches!(
            self.submit,
            SubmitState::InFlight { .. } | SubmitState::Done { .. } | SubmitState::Unknown { .. }
        )
    }
}

/// What the confirmation popup will do on yes.
#[derive(Debug, Clone, PartialEq)]
pub enum Pending {
    Submit,
    /// Create the campaign without a schedule.
    CreateDraft,
    /// Quit although a campaign draft has not been submitted.
    Quit,
    Overwrite {
        path: std::path::PathBuf,
        format: ExportFormat,
    },
}

/// The export prompt.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportPrompt {
    pub path: String,
    pub format: ExportFormat,
    /// The last write failure, shown under the path until the next try.
    pub error: Option<String>,
    /// A write was requested and has not answered yet.
    pub writing: bool,
}

/// Popups over the current screen; at most one at a time.
#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    Help,
    /// The tournament table; `row` is the highlighted model.
    Models {
        row: usize,
    },
    Confirm {
        text: String,
        pending: Pending,
    },
    Export(ExportPrompt),
    /// No zone configured against a real org: pick one (see `screens::zone_picker`).
    ZonePicker(ZonePicker),
    /// A staffed-agents number for a what-if (see `screens::dashboard::what_if`).
    WhatIf(WhatIfPrompt),
}

/// The what-if prompt: the number typed so far and where it applies.
#[derive(Debug, Clone, PartialEq)]
pub struct WhatIfPrompt {
    pub text: String,
    /// The window the table's cursor was on when the prompt opened, if any.
    pub window: Option<(chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)>,
    /// Apply to the whole forecast instead of `window`.
    pub week: bool,
    pub error: Option<String>,
}

/// The time-zone picker's filter and highlighted row (an index into the matching names).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ZonePicker {
    pub filter: String,
    pub row: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Something done (marked ✓).
    Info,
    /// Something still under way, e.g. a retry being waited out: no tick, it has not succeeded.
    Progress,
    Error,
}

/// A notice that disappears by itself.
#[derive(Debug, Clone, PartialEq)]
pub struct Toast {
    pub text: String,
    pub level: Level,
    /// Ticks left before it disappears.
    pub ttl: u32,
    /// Set on a "waiting: …" retry notice: whose call waits, so its end clears only it.
    pub retry: Option<Retrier>,
}

/// The job whose call is retrying, or `None` for a call outside any job (the org, the
/// queue list): the board's batch and the open queue's fetch each clear only their own notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retrier(pub Option<JobId>);

/// Ticks (100 ms each) a toast stays up.
pub const TOAST_TICKS: u32 = 50;

/// The smallest terminal the screens are laid out for: 80×23 is an 80×24 terminal under tmux's
/// or screen's status line, the common jump-host setup.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 23;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// The queue board, the first screen.
    Board,
    Dashboard,
    Review,
}

/// The whole application state.
#[derive(Debug, Clone)]
pub struct App {
    /// The terminal's size (columns, rows), from the runtime; keys are ignored while it is
    /// under the minimum (see [`App::fits_screen`]).
    pub size: (u16, u16),
    /// The latest wall clock from the runtime (`None` until it arrives, and in tests that
    /// send none): where a window under way really starts.
    pub now: Option<chrono::DateTime<chrono::Utc>>,
    /// `[campaign] schedule_margin_min`: how soon after sending a scheduled window may start.
    pub schedule_margin: chrono::TimeDelta,
    pub keymap: Keymap,
    pub theme: Theme,
    pub org: OrgInfo,
    /// `forecast.model` from the config: what a newly opened queue is fitted with.
    pub default_model: String,
    pub tz: Tz,
    /// "Today" in the contact centre's zone, fixed at start so snapshots are deterministic.
    pub today: NaiveDate,
    pub screen: Screen,
    pub overlay: Option<Overlay>,
    pub queues: Loadable<Vec<NamedRef>>,
    pub board: Board,
    /// Preselected on the board (remembered from the last run).
    pub last_queue: Option<String>,
    /// Name or id given on the command line: opened as soon as the queues are listed.
    pub initial_queue: Option<String>,
    pub session: Option<Session>,
    pub review: Option<Review>,
    pub contact_lists: Loadable<Vec<NamedRef>>,
    /// Phone columns (name, type) per contact list id.
    pub phone_columns: std::collections::HashMap<String, Vec<(String, String)>>,
    pub scripts: Loadable<Vec<NamedRef>>,
    /// Telephony sites, for dialing (non-preview) campaigns.
    pub sites: Loadable<Vec<NamedRef>>,
    /// `organizations/me`'s `defaultSiteId`, preselected when present.
    pub default_site_id: Option<String>,
    /// Call analysis response sets, for dialing campaigns.
    pub response_sets: Loadable<Vec<NamedRef>>,
    pub toasts: Vec<Toast>,
    pub spinner: usize,
    pub next_job: JobId,
    /// Contact lists and scripts are fetched once, when the review first opens.
    pub pickers_requested: bool,
    /// Mixed into each draft's name marker; the runtime sets a random one, tests keep 0 so
    /// snapshots are stable.
    pub submission_salt: u64,
    /// `Some(queues with their own zone)` when neither `--time-zone` nor `[history] time_zone`
    /// is set against a real org: any other queue's fetch would refuse the implicit UTC.
    pub implicit_zone: Option<Vec<String>>,
    /// The zone picker was shown once this run (an Esc is not asked again).
    pub zone_asked: bool,
    pub quit: bool,
}

impl App {
    /// Whether the screens can be drawn at the terminal's size (else only "too small" is).
    pub fn fits_screen(&self) -> bool {
        self.size.0 >= MIN_WIDTH && self.size.1 >= MIN_HEIGHT
    }

    /// Whether opening `queue` should first ask for the zone (the fetch would refuse it).
    pub fn needs_zone(&self, queue: &str) -> bool {
        !self.zone_asked
            && self.implicit_zone.as_ref().is_some_and(|own| {
                !own.iter()
                    .any(|name| name.eq_ignore_ascii_case(queue.trim()))
            })
    }

    pub fn new(keymap: Keymap, org: OrgInfo, tz: Tz, today: NaiveDate) -> Self {
        Self {
            now: None,
            schedule_margin: chrono::TimeDelta::minutes(15),
            size: (MIN_WIDTH, MIN_HEIGHT),
            keymap,
            theme: Theme::indexed(),
            org,
            default_model: AUTO_MODEL.into(),
            tz,
            today,
            screen: Screen::Board,
            overlay: None,
            queues: Loadable::Loading,
            board: Board::default(),
            last_queue: None,
            initial_queue: None,
            session: None,
            review: None,
            contact_lists: Loadable::Loading,
            phone_columns: Default::default(),
            scripts: Loadable::Loading,
            sites: Loadable::Loading,
            default_site_id: None,
            response_sets: Loadable::Loading,
            toasts: Vec::new(),
            spinner: 0,
            next_job: 1,
            pickers_requested: false,
            submission_salt: 0,
            implicit_zone: None,
            zone_asked: false,
            quit: false,
        }
    }

    /// The board's rows: its filter and sort applied to the listed queues.
    pub fn board_rows(&self) -> Vec<Entry<'_>> {
        let Some(queues) = self.queues.ready() else {
            return vec![];
        };
        let b = &self.board;
        let entries = queues
            .iter()
            .map(|queue| Entry {
                queue,
                media: b
                    .media
                    .get(&queue.id)
                    .map_or_else(String::new, |m| media_label(m)),
                state: b.rows.get(&queue.id),
            })
            .collect();
        ordered(entries, &b.filter, b.sort, b.descending)
    }

    /// The selected row's index among [`App::board_rows`] (the first row when the selected
    /// queue is filtered out).
    pub fn board_row(&self) -> usize {
        let sel = self.board.selected.as_deref();
        self.board_rows()
            .iter()
            .position(|e| Some(e.queue.id.as_str()) == sel)
            .unwrap_or(0)
    }

    /// The key context of what has focus now.
    pub fn context(&self) -> Context {
        match &self.overlay {
            Some(Overlay::Confirm { .. }) => Context::Confirm,
            Some(Overlay::Export(_)) => Context::Export,
            Some(Overlay::Models { .. }) => Context::Models,
            _ => match self.screen {
                Screen::Board => Context::Board,
                Screen::Dashboard => Context::Dashboard,
                Screen::Review => Context::Review,
            },
        }
    }

    /// Whether the tick should run: a spinner to animate or a toast to expire.
    pub fn needs_tick(&self) -> bool {
        !self.toasts.is_empty() || self.busy().is_some()
    }

    /// What background work the status bar should show, if any.
    pub fn busy(&self) -> Option<String> {
        if let Some(r) = &self.review
            && matches!(r.submit, SubmitState::InFlight { .. })
        {
            return Some("submitting campaign".into());
        }
        if self.screen == Screen::Board {
            if matches!(self.queues, Loadable::Loading) {
                return Some("loading queues".into());
            }
            let (done, total) = self.board.progress();
            if done < total {
                return Some(format!("forecasting {done}/{total} queues"));
            }
        }
        match self.session.as_ref().map(|s| &s.stage) {
            Some(Stage::Fetching { done, total }) if *total > 0 => {
                Some(format!("history {done}/{total} chunks"))
            }
            Some(Stage::Fetching { .. }) => Some("fetching history".into()),
            Some(Stage::Fitting) => Some(match self.session.as_ref().map(|s| s.model.as_str()) {
                Some(AUTO_MODEL) | None => "backtesting models".into(),
                Some(m) => format!("fitting {m}"),
            }),
            _ => None,
        }
    }

    /// A notice; its text often quotes a server, so control characters are stripped (an
    /// escape sequence in an error must not reach the terminal).
    pub fn toast(&mut self, level: Level, text: impl Into<String>) {
        self.toasts.push(Toast {
            text: crate::text::clean(&text.into()).into_owned(),
            level,
            ttl: TOAST_TICKS,
            retry: None,
        });
        if self.toasts.len() > 3 {
            self.toasts.remove(0);
        }
    }
}
