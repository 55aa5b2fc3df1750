//! What a many-queue forecast reports: one `index.json` entry per queue (model, accuracy,
//! windows, drift, or the error), export file names that any queue name is safe in, and the
//! summary table `queuecast forecast --all` prints.

use std::collections::{HashMap, HashSet};
use std::fmt;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::batch::{QueueFailure, Stage};
use super::forecast::{ForecastRun, pct};
use crate::export::{ExportFormat, local_iso};
use crate::forecast::drift::DriftReport;
use crate::forecast::pipeline::{Accuracy, PipelineOutput};
use crate::refs::QueueRef;

/// Longest slug of a queue name in a file name.
const MAX_SLUG: usize = 48;

/// A file name per queue, unique among `queues` and safe on every platform: the name as
/// lower-case ASCII letters, digits and `-` (at most 48), then the first 8 letters or
/// digits of the id, and a counter in the rare case two still collide. Assigned in the
/// order given, so the same queues always get the same names.
pub fn export_file_names(queues: &[QueueRef], format: ExportFormat) -> HashMap<String, String> {
    let ext = match format {
        ExportFormat::Json => "json",
        ExportFormat::Csv => "csv",
    };
    let mut taken = HashSet::new();
    // `index.json` is ours.
    taken.insert("index".to_string());
    let mut out = HashMap::new();
    for q in queues {
        let id: String =
            q.id.chars()
                .filter(char::is_ascii_alphanumeric)
                .take(8)
                .collect::<String>()
                .to_ascii_lowercase();
        let base = match (slug(&q.name), id.is_empty()) {
            (s, true) => s,
            (s, false) => format!("{s}-{id}"),
        };
        let mut stem = base.clone();
        let mut n = 2;
        while !taken.insert(stem.clone()) {
            stem = format!("{base}-{n}");
            n += 1;
        }
        out.insert(q.id.clone(), format!("{stem}.{ext}"));
    }
    out
}

/// `Sales / Voice (EU)` → `sales-voice-eu`; `queue` when nothing is left.
fn slug(name: &str) -> String {
    let mut s = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.is_empty() && !s.ends_with('-') {
            s.push('-');
        }
        if s.len() >= MAX_SLUG {
            break;
        }
    }
    let s = s.trim_end_matches('-');
    if s.is_empty() {
        "queue".into()
    } else {
        s.to_string()
    }
}

/// One window as `index.json` lists it: local times with their offset.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IndexWindow {
    pub start: String,
    pub end: String,
    pub mean_yhat: f64,
    pub expected_contacts: f64,
}

/// Why a queue has no export.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndexError {
    pub stage: Stage,
    pub message: String,
}

/// One queue in `index.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IndexEntry {
    pub queue: QueueRef,
    /// `ok` or `failed`.
    pub status: &'static str,
    /// The export, relative to the index.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accuracy: Option<Accuracy>,
    pub windows: Vec<IndexWindow>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drift: Option<DriftReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<IndexError>,
    pub warnings: Vec<String>,
    /// The first window's start in the queue's zone, for the summary table.
    #[serde(skip)]
    pub next_window: Option<String>,
}

impl IndexEntry {
    /// A finished run, exported to `file` (if any).
    pub fn done(run: &ForecastRun, file: Option<String>) -> Self {
        let out: &PipelineOutput = &run.output;
        let tz = out.tz;
        let windows: Vec<IndexWindow> = out
            .windows
            .windows
            .iter()
            .map(|w| IndexWindow {
                start: local_iso(w.start, tz),
                end: local_iso(w.end, tz),
                mean_yhat: w.mean_yhat,
                expected_contacts: w.expected_contacts,
            })
            .collect();
        let next_window = out.windows.windows.first().map(|w| {
            let hours = (w.end - w.start).num_minutes() as f64 / 60.0;
            format!(
                "{} {hours:.1} h",
                w.start.with_timezone(&tz).format("%a %m-%d %H:%M")
            )
        });
        Self {
            queue: out.queue.clone(),
            status: "ok",
            file,
            model: Some(out.forecast.model.clone()),
            time_zone: Some(tz.name().to_string()),
            accuracy: out.accuracy.clone(),
            windows,
            drift: out.drift.clone(),
            error: None,
            warnings: run.warnings(),
            next_window,
        }
    }

    /// A queue that has no forecast, and why.
    pub fn failed(queue: QueueRef, f: &QueueFailure) -> Self {
        Self {
            queue,
            status: "failed",
            file: None,
            model: None,
            time_zone: None,
            accuracy: None,
            windows: vec![],
            drift: None,
            error: Some(IndexError {
                stage: f.stage,
                message: f.message.clone(),
            }),
            warnings: f.notes.clone(),
            next_window: None,
        }
    }

    pub fn is_ok(&self) -> bool {
        self.error.is_none()
    }

    /// Retraining recommended by the drift check.
    pub fn retrain(&self) -> bool {
        self.drift.as_ref().is_some_and(|d| d.retrain_recommended)
    }
}

/// `index.json`: every queue asked for, in name order, with counts up front.
///
/// `run` says whether the list is whole: `complete`; `interrupted` (SIGINT or SIGTERM: `queues`
/// holds the queues that finished, `notRun` the ones never forecast); `running` (written when
/// the run starts, so a run killed outright never leaves an earlier run's index looking current).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Index<'a> {
    pub generated_at: DateTime<Utc>,
    pub run: RunState,
    pub format: &'static str,
    pub queues_total: usize,
    pub succeeded: usize,
    pub failed: usize,
    pub queues: &'a [IndexEntry],
    pub not_run: &'a [QueueRef],
}

/// How far the run an index describes got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RunState {
    Running,
    Complete,
    Interrupted,
}

impl<'a> Index<'a> {
    /// The index of a finished run.
    pub fn new(entries: &'a [IndexEntry], format: ExportFormat, at: DateTime<Utc>) -> Self {
        Self::partial(entries, &[], RunState::Complete, format, at)
    }

    /// The index of a run that is `run`, with `entries` finished and `not_run` left.
    pub fn partial(
        entries: &'a [IndexEntry],
        not_run: &'a [QueueRef],
        run: RunState,
        format: ExportFormat,
        at: DateTime<Utc>,
    ) -> Self {
        let succeeded = entries.iter().filter(|e| e.is_ok()).count();
        Self {
            generated_at: at,
            run,
            format: match format {
                ExportFormat::Json => "json",
                ExportFormat::Csv => "csv",
            },
            queues_total: entries.len() + not_run.len(),
            succeeded,
            failed: entries.len() - succeeded,
            queues: entries,
            not_run,
        }
    }

    pub fn to_json(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).expect("the index is plain data");
        v.push(b'\n');
        v
    }
}

/// The summary table: one line per queue, failures marked, then the counts.
pub struct Table<'a>(pub &'a [IndexEntry]);

impl fmt::Display for Table<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name_w = self
            .0
            .iter()
            .map(|e| e.queue.name.chars().count())
            .max()
            .unwrap_or(5)
            .clamp(5, 40);
        writeln!(
            f,
            "{:<name_w$}  {:<16} {:>7} {:>7}  {:<22} DRIFT",
            "QUEUE", "MODEL", "WAPE", "WINDOWS", "NEXT WINDOW"
        )?;
        for e in self.0 {
            let name = cut(&e.queue.name, name_w);
            if let Some(err) = &e.error {
                let stage = match err.stage {
                    Stage::Fetch => "history",
                    Stage::Forecast => "forecast",
                    Stage::Export => "export",
                };
                let message = err.message.replace(['\n', '\r'], " ");
                writeln!(f, "{name:<name_w$}  FAILED {stage}: {message}")?;
                continue;
            }
            let wape = e
                .accuracy
                .as_ref()
                .and_then(|a| a.wape)
                .map_or_else(|| "n/a".into(), pct);
            let drift = match &e.drift {
                Some(d) if d.retrain_recommended => "RETRAIN",
                Some(_) => "ok",
                None => "-",
            };
            writeln!(
                f,
                "{name:<name_w$}  {:<16} {wape:>7} {:>7}  {:<22} {drift}",
                cut(e.model.as_deref().unwrap_or("-"), 16),
                e.windows.len(),
                e.next_window.as_deref().unwrap_or("none"),
            )?;
        }
        let failed = self.0.iter().filter(|e| !e.is_ok()).count();
        let retrain = self.0.iter().filter(|e| e.retrain()).count();
        write!(
            f,
            "{} queue(s): {} forecast, {failed} failed",
            self.0.len(),
            self.0.len() - failed
        )?;
        if retrain > 0 {
            write!(f, ", {retrain} with retraining recommended")?;
        }
        writeln!(f)
    }
}

fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(id: &str, name: &str) -> QueueRef {
        QueueRef {
            id: id.into(),
            name: name.into(),
        }
    }

    #[test]
    fn file_names_are_safe_unique_and_stable() {
        let queues = vec![
            q("5f3c9a7e-1111-4bbb-8ccc-000000000001", "Sales / Voice (EU)"),
            q("5f3c9a7e-1111-4bbb-8ccc-000000000002", "Sales / Voice (EU)"),
            q("a1", "../../etc/passwd"),
            q("b2", "CON"),
            q("", "日本語"),
            q("c3", &"x".repeat(300)),
            q("i", "Index"),
        ];
        let names = export_file_names(&queues, ExportFormat::Json);
        let got: Vec<&str> = queues.iter().map(|x| names[&x.id].as_str()).collect();
        assert_eq!(
            &got[..5],
            [
                "sales-voice-eu-5f3c9a7e.json",
                "sales-voice-eu-5f3c9a7e-2.json",
                "etc-passwd-a1.json",
                "con-b2.json",
                "queue.json",
            ]
        );
        assert_eq!(got[5], format!("{}-c3.json", "x".repeat(48)));
        assert_eq!(got[6], "index-i.json");
        for n in &got {
            assert!(
                n.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-.".contains(c)),
                "{n}"
            );
            assert!(!n.starts_with('.') && !n.starts_with('-'), "{n}");
        }
        let again = export_file_names(&queues, ExportFormat::Csv);
        assert_eq!(again[&queues[1].id], "sales-voice-eu-5f3c9a7e-2.csv");
        // The index's own name is never given to a queue.
        let names = export_file_names(&[q("", "index")], ExportFormat::Json);
        assert_eq!(names[""], "index-2.json");
    }

    /// Issue 13: an interrupted run's index says so, counts every queue asked for, and names
    /// the queues never run apart from the finished ones.
    #[test]
    fn an_interrupted_index_lists_finished_and_not_run_queues() {
        let f = QueueFailure {
            stage: Stage::Fetch,
            message: "API error 503".into(),
            notes: vec![],
        };
        let done = [IndexEntry::failed(q("q1", "Sales"), &f)];
        let left = [q("q2", "Support"), q("q3", "Billing")];
        let doc = Index::partial(
            &done,
            &left,
            RunState::Interrupted,
            ExportFormat::Csv,
            Utc::now(),
        );
        let v: serde_json::Value = serde_json::from_slice(&doc.to_json()).unwrap();
        assert_eq!(v["run"], "interrupted");
        assert_eq!(v["queuesTotal"], 3);
        assert_eq!(v["failed"], 1);
        assert_eq!(v["queues"].as_array().unwrap().len(), 1);
        assert_eq!(v["notRun"][1]["name"], "Billing");
        let whole = Index::new(&done, ExportFormat::Csv, Utc::now());
        let v: serde_json::Value = serde_json::from_slice(&whole.to_json()).unwrap();
        assert_eq!(v["run"], "complete");
        assert_eq!(v["notRun"], serde_json::json!([]));
    }

    #[test]
    fn a_failed_queue_is_in_the_index_and_the_table() {
        let f = QueueFailure {
            stage: Stage::Fetch,
            message: "API error 503".into(),
            notes: vec![],
        };
        let e = IndexEntry::failed(q("q1", "Sales"), &f);
        let doc = Index::new(std::slice::from_ref(&e), ExportFormat::Json, Utc::now());
        let v: serde_json::Value = serde_json::from_slice(&doc.to_json()).unwrap();
        assert_eq!(v["failed"], 1);
        assert_eq!(v["succeeded"], 0);
        assert_eq!(v["queues"][0]["status"], "failed");
        assert_eq!(v["queues"][0]["error"]["stage"], "fetch");
        assert_eq!(v["queues"][0]["error"]["message"], "API error 503");
        assert!(v["queues"][0].get("file").is_none());
        let table = Table(std::slice::from_ref(&e)).to_string();
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines[1], "Sales  FAILED history: API error 503");
        assert_eq!(lines[2], "1 queue(s): 0 forecast, 1 failed");
    }
}
