//! Messages into `update` (keys already mapped, and background results) and effects out of it.

use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;
use serde_json::Value;

use crate::campaign::{NamedRef, ScheduleWindow};
use crate::export::ExportFormat;
use crate::tui::app::{ForecastView, HistoryView};
use std::path::PathBuf;

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

/// How a submit ended, as the runtime saw it on the wire.
#[derive(Debug, Clone, PartialEq)]
pub enum SubmitOutcome {
    /// Campaign created (or found by name after a timeout) and its schedule stored.
    Done { id: String, self_uri: String },
    /// The campaign exists but its schedule failed; a retry only PUTs the schedule.
    ScheduleFailed {
        id: String,
        self_uri: String,
        error: ApiFailure,
    },
    /// Nothing is known to exist. `timed_out` means the create may have happened anyway.
    Failed { error: ApiFailure, timed_out: bool },
}

/// An API error as shown to the analyst: message plus the id support asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiFailure {
    pub message: String,
    pub correlation_id: Option<String>,
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
        request: SubmitRequest,
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

/// One submit attempt, with what is already known from earlier attempts.
#[derive(Debug, Clone, PartialEq)]
pub struct SubmitRequest {
    pub campaign: Value,
    pub name: String,
    pub tz: chrono_tz::Tz,
    pub windows: Vec<ScheduleWindow>,
    /// Set after a create timed out: look the campaign up by name before creating again.
    pub lookup_by_name_first: bool,
    /// Set when the campaign exists already: only PUT the schedule.
    pub existing: Option<(String, String)>,
}

/// When something finished, for "refreshed HH:MM" in the status bar.
pub type Stamp = DateTime<Utc>;
