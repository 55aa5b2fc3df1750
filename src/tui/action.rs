//! Messages into `update` (keys already mapped, and background results) and effects out of it.

use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;

use crate::campaign::NamedRef;
use crate::cli::ExportFormat;
use crate::tui::app::{ForecastView, HistoryView};
use std::path::PathBuf;

pub use crate::service::submit::{ApiFailure, SubmitOutcome, SubmitRequest};

/// Identifies one background job; results carrying an older id are stale and dropped.
pub type JobId = u64;

/// Everything that can change the state.
#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    /// Spinner frame and toast expiry; only sent while something is pending.
    Tick,
    Resize,
    /// SIGTERM or SIGHUP (the SSH session dropped): quit now, no questions.
    Terminate,
    /// `GET /api/v2/organizations/me` answered: the org's name for the status bar.
    OrgLoaded(Result<String, String>),
    QueuesLoaded(Result<Vec<NamedRef>, String>),
    HistoryProgress {
        job: JobId,
        done: usize,
        total: usize,
    },
    HistoryLoaded {
        job: JobId,
        result: Result<HistoryView, String>,
    },
    ForecastReady {
        job: JobId,
        forecast: Box<ForecastView>,
    },
    FitFailed {
        job: JobId,
        message: String,
    },
    /// Phone columns (name, type) per contact list id; sent just before the lists.
    PhoneColumns(std::collections::HashMap<String, Vec<(String, String)>>),
    ContactListsLoaded(Result<Vec<NamedRef>, String>),
    ScriptsLoaded(Result<Vec<NamedRef>, String>),
    SubmitFinished {
        job: JobId,
        outcome: SubmitOutcome,
    },
    /// The export target exists: ask before overwriting.
    ExportExists {
        path: PathBuf,
        format: ExportFormat,
    },
    ExportFinished(Result<PathBuf, String>),
}

/// Work for the runtime; `update` never does I/O itself.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    LoadOrg,
    LoadQueues,
    SaveLastQueue(String),
    FetchHistory {
        job: JobId,
        queue_id: String,
    },
    /// Fit `model` (`auto` or a name) on the history already delivered for `job`.
    Fit {
        job: JobId,
        model: String,
    },
    /// Fit `model` again on the open queue's last fitted history, without re-fetching.
    Refit {
        job: JobId,
        model: String,
    },
    /// Cancel a job the user moved away from.
    Cancel(JobId),
    LoadContactLists,
    LoadScripts,
    Submit {
        job: JobId,
        request: Box<SubmitRequest>,
    },
    /// Write the current forecast; with `overwrite: false` an existing file is reported back
    /// as `Msg::ExportExists` instead of being replaced.
    Export {
        path: PathBuf,
        format: ExportFormat,
        overwrite: bool,
    },
    Quit,
}

/// When something finished, for "refreshed HH:MM" in the status bar.
pub type Stamp = DateTime<Utc>;
