//! Forecast export (JSON and CSV), written with [`crate::fsutil::write_atomic`].
//!
//! The JSON keeps the seed script's fields (`generatedAt`, `confidenceLevel`, `intervals` with
//! `ds, yhat, yhat_lower, yhat_upper`) so its downstream consumers keep working, and adds what
//! they were missing: the queue, zone, model options, threshold and the windows themselves.
//! Timestamps carry the contact centre's UTC offset so a reader needs no zone database.

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::forecast::drift::DriftReport;
use crate::forecast::pipeline::{Accuracy, ModelSelection, PipelineOutput};
use crate::fsutil::WriteError;
use crate::history::FillMode;
use crate::refs::QueueRef;

/// The export could not be encoded or written; the message names the path and what was being done.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error("cannot encode the export: {0}")]
    Encode(String),
}

/// What `--format` and the dashboard's export prompt offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum ExportFormat {
    #[default]
    Json,
    Csv,
}

/// The export document in `format`.
pub fn render(out: &PipelineOutput, format: ExportFormat) -> Result<Vec<u8>, ExportError> {
    match format {
        ExportFormat::Json => to_json(out),
        ExportFormat::Csv => to_csv(out),
    }
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
    queue: &'a QueueRef,
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
    fill: FillMode,
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
}
