//! Messages into `update` (keys already mapped, and background results) and effects out of it.
//! Both carry their data, so the runtime keeps no state of its own.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crossterm::event::KeyEvent;

use crate::export::ExportFormat;
use crate::forecast::pipeline::PipelineOutput;
pub use crate::history::History;
use crate::refs::NamedRef;
use crate::tui::board_view::RowData;

pub use crate::service::submit::{ApiFailure, SubmitOutcome, SubmitRequest};

/// Identifies one background job; results carrying an older id are stale and dropped.
pub type JobId = u64;

/// Everything that can change the state.
#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    /// Text pasted into the terminal (bracketed paste): typed into the field being edited,
    /// never read as commands.
    Paste(String),
    /// Spinner frame and toast expiry; only sent while something is pending.
    Tick,
    /// The wall clock, from the runtime every half minute: `update` stays pure, and the
    /// confirm can say when a window already under way will really start.
    Clock(chrono::DateTime<chrono::Utc>),
    /// The terminal's new size, columns × rows: while it is under the minimum nothing but
    /// quit acts, because nothing can be seen (a confirm would be answered blind).
    Resize {
        width: u16,
        height: u16,
    },
    /// SIGTERM or SIGHUP (the SSH session dropped): quit now, no questions.
    Terminate,
    /// `GET /api/v2/organizations/me` answered: the org's name for the status bar.
    OrgLoaded(Result<String, String>),
    QueuesLoaded(Result<Vec<NamedRef>, String>),
    /// Each listed queue's media (by id), sent just before the list.
    QueueMedia(HashMap<String, Vec<String>>),
    /// One queue's forecast for the board finished, in whatever order they finish.
    BoardRow {
        /// The board forecast it belongs to: a row of a cancelled one (a zone was saved since)
        /// is dropped.
        job: JobId,
        queue_id: String,
        result: Result<Arc<RowData>, String>,
    },
    HistoryProgress {
        job: JobId,
        done: usize,
        total: usize,
    },
    HistoryLoaded {
        job: JobId,
        result: Result<Arc<History>, String>,
    },
    ForecastReady {
        job: JobId,
        output: Arc<PipelineOutput>,
    },
    FitFailed {
        job: JobId,
        message: String,
    },
    /// Phone columns (name, type) per contact list id; sent just before the lists.
    PhoneColumns(HashMap<String, Vec<(String, String)>>),
    ContactListsLoaded(Result<Vec<NamedRef>, String>),
    ScriptsLoaded(Result<Vec<NamedRef>, String>),
    /// Sites (with the org's default site id) and call analysis response sets.
    DialerPrereqsLoaded {
        sites: Result<Vec<NamedRef>, String>,
        default_site_id: Option<String>,
        response_sets: Result<Vec<NamedRef>, String>,
    },
    SubmitFinished {
        job: JobId,
        outcome: SubmitOutcome,
    },
    /// A submission of `queue_id` left unresolved by an earlier run (data dir), if any.
    PendingLoaded {
        queue_id: String,
        result: Result<Option<Box<SubmitRequest>>, String>,
    },
    /// The export target exists: ask before overwriting.
    ExportExists {
        path: PathBuf,
        format: ExportFormat,
    },
    ExportFinished(Result<PathBuf, String>),
    /// The picked zone was saved into config.toml and applied (`Ok(zone)`), or why not.
    ZoneSaved(Result<String, String>),
    /// A request of `job` (`None`: outside any job) is waiting to retry: "429, retry 3 in
    /// 12 s, 2:10 left".
    Retrying {
        job: Option<JobId>,
        text: String,
    },
    /// A request of `job` that waited for a retry has ended (answered or given up): its
    /// notice goes.
    RetryOver(Option<JobId>),
    /// A background job panicked: `what` it was doing, and the line to show.
    JobCrashed {
        what: &'static str,
        message: String,
    },
}

/// Work for the runtime; `update` never does I/O itself.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    LoadOrg,
    LoadQueues,
    /// Forecast `queues` for the board in the background (histories many per request, fits
    /// bounded by cores), each result a [`Msg::BoardRow`].
    ForecastQueues {
        job: JobId,
        queues: Vec<NamedRef>,
        /// Each queue's media by id, so a queue is counted by the media it serves.
        media: HashMap<String, Vec<String>>,
    },
    SaveLastQueue(NamedRef),
    FetchHistory {
        job: JobId,
        queue: NamedRef,
        /// The queue's media (analytics names; empty when unknown).
        media: Vec<String>,
    },
    /// Fit `model` (`auto` or a name) on `history`: a fresh fetch, or the open queue's last
    /// one again when the analyst switches model.
    Fit {
        job: JobId,
        model: String,
        history: Arc<History>,
    },
    /// Cancel a job the user moved away from.
    Cancel(JobId),
    LoadContactLists,
    LoadScripts,
    /// Sites, the default site and call analysis response sets (dialing modes need them).
    LoadDialerPrereqs,
    /// Read the unresolved submission of this queue, if an earlier run left one.
    LoadPending(String),
    Submit {
        job: JobId,
        request: Box<SubmitRequest>,
    },
    /// Write `forecast`; with `overwrite: false` an existing file is reported back as
    /// `Msg::ExportExists` instead of being replaced. The CSV also gets the history's actuals
    /// and the windows' toggles (`selected`, by index into the forecast's windows).
    Export {
        path: PathBuf,
        format: ExportFormat,
        overwrite: bool,
        forecast: Arc<PipelineOutput>,
        history: Option<Arc<History>>,
        selected: Vec<bool>,
        /// The windows `selected` indexes, as on screen (rule and what-if applied).
        windows: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    },
    /// Save `zone` as `[history] time_zone` in config.toml and use it from now on.
    SaveZone {
        zone: String,
    },
    Quit,
}
