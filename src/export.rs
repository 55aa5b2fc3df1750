//! Forecast export (JSON and CSV) and the atomic file write everything on disk goes through.
//!
//! The JSON keeps the seed script's fields (`generatedAt`, `confidenceLevel`, `intervals` with
//! `ds, yhat, yhat_lower, yhat_upper`) so its downstream consumers keep working, and adds what
//! they were missing: the queue, zone, model options, threshold and the windows themselves.
//! Timestamps carry the contact centre's UTC offset so a reader needs no zone database.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::forecast::drift::DriftReport;
use crate::forecast::pipeline::{Accuracy, ModelSelection, PipelineOutput};

/// A file could not be written; the message names the path and what was being done.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
        source: std::io::Error,
    },
    #[error("cannot write {}: it is a directory; give a file name", path.display())]
    IsDirectory { path: PathBuf },
    #[error("cannot encode the export: {0}")]
    Encode(String),
}

/// Writes `bytes` to `path` so that readers see either the old file or the new one, never a mix:
/// a temp file in the same directory, fsync, then rename over the target.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ExportError> {
    write_atomic_with(path, |f| f.write_all(bytes))
}

/// [`write_atomic`] with the content produced by `write` (streaming writers); if `write` fails,
/// the temp file is removed and the target is untouched.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> Result<(), ExportError> {
    if path.is_dir() {
        return Err(ExportError::IsDirectory {
            path: path.to_path_buf(),
        });
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let io = |action: &'static str| {
        move |source: std::io::Error| ExportError::Io {
            path: path.to_path_buf(),
            action,
            source,
        }
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".queuecast-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io("create a temporary file next to"))?;
    write(tmp.as_file_mut()).map_err(io("write"))?;
    tmp.as_file().sync_all().map_err(io("flush to disk"))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Keep an existing file's mode; new exports are readable by the consumers, like `>` would make them.
        let mode = std::fs::metadata(path)
            .map(|m| m.permissions().mode())
            .unwrap_or(0o644);
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))
            .map_err(io("set permissions on"))?;
    }
    tmp.persist(path).map_err(|e| io("replace")(e.error))?;
    if let Ok(d) = std::fs::File::open(dir) {
        // Makes the rename itself durable; not all platforms allow syncing a directory.
        let _ = d.sync_all();
    }
    Ok(())
}

/// `ds` with the contact centre's UTC offset, e.g. `2024-03-10T03:00:00-04:00`.
pub fn local_iso(ts: DateTime<Utc>, tz: Tz) -> String {
    ts.with_timezone(&tz)
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ExportDoc<'a> {
    generated_at: String,
    confidence_level: f64,
    queue: &'a crate::store::QueueRef,
    granularity: &'static str,
    time_zone: &'a str,
    model: ModelInfo<'a>,
    history: HistoryInfo,
    threshold: Option<f64>,
    low_volume_windows: Vec<WindowOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    accuracy: Option<&'a Accuracy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    drift: Option<&'a DriftReport>,
    warnings: &'a [String],
    intervals: Vec<IntervalOut>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ModelInfo<'a> {
    name: &'a str,
    /// What the user asked for (`auto` or a model name).
    requested: &'a str,
    options: &'a crate::config::ForecastConfig,
    horizon_buckets: usize,
    /// Backtest table, choice reason and calibration when the model came from the registry.
    #[serde(skip_serializing_if = "Option::is_none")]
    selection: Option<&'a ModelSelection>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct HistoryInfo {
    start: String,
    end: String,
    buckets: usize,
    zero_buckets: usize,
    gaps_filled: usize,
    duplicates_merged: usize,
    fill: crate::config::FillMode,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct WindowOut {
    start: String,
    end: String,
    mean_yhat: f64,
    expected_contacts: f64,
    buckets: usize,
}

#[derive(Debug, Serialize)]
struct IntervalOut {
    ds: String,
    yhat: f64,
    yhat_lower: f64,
    yhat_upper: f64,
}

/// The export document as JSON (pretty-printed; future buckets only).
pub fn to_json(out: &PipelineOutput) -> Result<Vec<u8>, ExportError> {
    let tz = out.tz;
    let doc = ExportDoc {
        generated_at: local_iso(out.generated_at, tz),
        confidence_level: out.config.forecast.interval_width,
        queue: &out.queue,
        granularity: out.granularity.as_iso(),
        time_zone: tz.name(),
        model: ModelInfo {
            name: &out.forecast.model,
            requested: &out.config.forecast.model,
            options: &out.config.forecast,
            horizon_buckets: out.horizon,
            selection: out.selection.as_ref(),
        },
        history: HistoryInfo {
            start: local_iso(out.summary.start, tz),
            end: local_iso(out.summary.end, tz),
            buckets: out.summary.buckets,
            zero_buckets: out.summary.zero_buckets,
            gaps_filled: out.summary.gaps_filled,
            duplicates_merged: out.summary.duplicates_merged,
            fill: out.summary.fill,
        },
        threshold: out.windows.threshold,
        low_volume_windows: out
            .windows
            .windows
            .iter()
            .map(|w| WindowOut {
                start: local_iso(w.start, tz),
                end: local_iso(w.end, tz),
                mean_yhat: w.mean_yhat,
                expected_contacts: w.expected_contacts,
                buckets: w.buckets,
            })
            .collect(),
        accuracy: out.accuracy.as_ref(),
        drift: out.drift.as_ref(),
        warnings: &out.warnings,
        intervals: out
            .forecast
            .future
            .iter()
            .map(|p| IntervalOut {
                ds: local_iso(p.ts, tz),
                yhat: p.yhat,
                yhat_lower: p.yhat_lower,
                yhat_upper: p.yhat_upper,
            })
            .collect(),
    };
    let mut bytes =
        serde_json::to_vec_pretty(&doc).map_err(|e| ExportError::Encode(e.to_string()))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// The same intervals as CSV: `ds,yhat,yhat_lower,yhat_upper`.
pub fn to_csv(out: &PipelineOutput) -> Result<Vec<u8>, ExportError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let enc = |e: csv::Error| ExportError::Encode(e.to_string());
    w.write_record(["ds", "yhat", "yhat_lower", "yhat_upper"])
        .map_err(enc)?;
    for p in &out.forecast.future {
        w.write_record([
            local_iso(p.ts, out.tz),
            p.yhat.to_string(),
            p.yhat_lower.to_string(),
            p.yhat_upper.to_string(),
        ])
        .map_err(enc)?;
    }
    w.into_inner()
        .map_err(|e| ExportError::Encode(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_iso_carries_the_offset_across_dst() {
        let tz: Tz = "America/New_York".parse().unwrap();
        let t = DateTime::parse_from_rfc3339("2024-03-10T06:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(local_iso(t, tz), "2024-03-10T01:00:00-05:00");
        assert_eq!(
            local_iso(t + chrono::TimeDelta::hours(1), tz),
            "2024-03-10T03:00:00-04:00"
        );
        assert_eq!(local_iso(t, Tz::UTC), "2024-03-10T06:00:00+00:00");
    }

    #[test]
    fn write_atomic_replaces_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        write_atomic(&path, b"first version, quite long").unwrap();
        write_atomic(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers.len(), 1, "temp file left behind: {leftovers:?}");
    }

    #[cfg(unix)]
    #[test]
    fn failed_write_leaves_existing_file_intact_and_names_path() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        std::fs::write(&path, b"old export").unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o555)).unwrap();
        let probe = dir.path().join("probe");
        let writable = std::fs::write(&probe, b"x").is_ok();
        let result = write_atomic(&path, b"new export");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        if writable {
            eprintln!("note: running as a user who can write read-only dirs (root); skipped");
            return;
        }
        let err = result.unwrap_err().to_string();
        assert!(err.contains(&path.display().to_string()), "{err}");
        assert!(
            err.contains("Permission denied") || err.contains("permission"),
            "{err}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), b"old export");
    }

    #[test]
    fn interrupted_write_leaves_the_old_file_and_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        std::fs::write(&path, b"old export").unwrap();
        let err = write_atomic_with(&path, |f| {
            f.write_all(b"new exp")?;
            Err(std::io::Error::other("disk full"))
        })
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("out.json") && err.contains("disk full"),
            "{err}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), b"old export");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn parent_that_is_a_file_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("plain");
        std::fs::write(&file, b"x").unwrap();
        let err = write_atomic(&file.join("out.json"), b"y")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("plain/out.json") && err.contains("cannot create a temporary file"),
            "{err}"
        );
    }

    #[test]
    fn missing_dir_and_directory_target_are_clear_errors() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no/such/dir/out.json");
        let err = write_atomic(&missing, b"x").unwrap_err().to_string();
        assert!(err.contains("no/such/dir/out.json"), "{err}");
        let err = write_atomic(dir.path(), b"x").unwrap_err().to_string();
        assert!(err.contains("is a directory"), "{err}");
    }
}
