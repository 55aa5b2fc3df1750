//! Forecast export (JSON and CSV), written with [`crate::fsutil::write_atomic`].
//!
//! The JSON keeps the seed script's fields (`generatedAt`, `confidenceLevel`, `intervals` with
//! `ds, yhat, yhat_lower, yhat_upper`) so its downstream consumers keep working, and adds what
//! they were missing: the queue, zone, model options, threshold and the windows themselves.
//! Timestamps carry the contact centre's UTC offset so a reader needs no zone database.

use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::forecast::drift::DriftReport;
use crate::forecast::pipeline::{Accuracy, ModelSelection, PipelineOutput};
use crate::fsutil::WriteError;
use crate::history::{Counted, FillMode, LateStart, Point};
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

/// `--export`'s path has an extension that names no format, and `--format` was not given.
#[derive(Debug, thiserror::Error)]
#[error(
    "cannot tell the export format of {path} from its extension .{ext}: \
     name the file .json or .csv, or pass --format json|csv"
)]
pub struct UnknownExtension {
    pub path: String,
    pub ext: String,
}

impl ExportFormat {
    /// `explicit` (`--format`) if given, else the path's extension (`.json`, `.csv`, any
    /// case): `--export out.csv` writes CSV. Stdout (`-`) and a path without an extension get
    /// the default, JSON; any other extension is refused rather than guessed.
    pub fn for_path(path: &Path, explicit: Option<Self>) -> Result<Self, UnknownExtension> {
        if let Some(f) = explicit {
            return Ok(f);
        }
        let Some(ext) = path.extension().and_then(|e| e.to_str()) else {
            return Ok(Self::default());
        };
        match ext.to_ascii_lowercase().as_str() {
            "json" => Ok(Self::Json),
            "csv" => Ok(Self::Csv),
            _ => Err(UnknownExtension {
                path: path.display().to_string(),
                ext: ext.to_string(),
            }),
        }
    }
}

/// What the CSV adds that the run alone does not hold: the history's actuals (a row each,
/// before the forecast's) and the analyst's selection of windows (the dashboard's toggles,
/// by index into the run's windows).
#[derive(Debug, Clone, Copy, Default)]
pub struct CsvExtras<'a> {
    pub actuals: &'a [Point],
    /// `None` outside the dashboard: every window counts as selected, as the dashboard starts.
    pub selected: Option<&'a [bool]>,
    /// The windows `in_window` and `selected` refer to, as `[start, end)`: the dashboard's, under
    /// its rule and any what-if, so the file flags what the analyst saw. `None`: the run's own
    /// ([`PipelineOutput::offered_windows`]).
    pub windows: Option<&'a [(DateTime<Utc>, DateTime<Utc>)]>,
}

/// The export document in `format`, without history rows or a selection.
pub fn render(out: &PipelineOutput, format: ExportFormat) -> Result<Vec<u8>, ExportError> {
    render_with(out, format, CsvExtras::default())
}

/// The export document in `format`; `extras` fill the CSV's `actual` and `selected` columns
/// (the JSON does not change with them).
pub fn render_with(
    out: &PipelineOutput,
    format: ExportFormat,
    extras: CsvExtras<'_>,
) -> Result<Vec<u8>, ExportError> {
    match format {
        ExportFormat::Json => to_json(out),
        ExportFormat::Csv => to_csv(out, extras),
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
    /// Required, staffed and spare agents (issue 14); absent when the stage did not run.
    #[serde(skip_serializing_if = "Option::is_none")]
    staffing: Option<StaffingOut<'a>>,
    intervals: Vec<IntervalOut>,
}

/// The staffing stage's settings, AHT check and capacity windows.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct StaffingOut<'a> {
    /// `capacity` when staffed agents are known and `[staffing] windows = "capacity"`, else
    /// `quartile` (the windows are then `lowVolumeWindows`).
    windows_mode: &'static str,
    settings: &'a crate::config::StaffingSettings,
    #[serde(skip_serializing_if = "Option::is_none")]
    aht_backtest: Option<&'a crate::forecast::staffing::AhtBacktest>,
    capacity_windows: Vec<CapacityWindowOut>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CapacityWindowOut {
    start: String,
    end: String,
    buckets: usize,
    expected_contacts: f64,
    aht: f64,
    required_agents: u32,
    required_agents_upper: u32,
    staffed_agents: f64,
    spare_agents: f64,
    spare_agent_hours: f64,
    outbound_calls: u64,
    /// `outboundLineCount` to set on a power or predictive campaign dialing in this window
    /// (`forecast::staffing::suggest_pacing`); absent when under one line.
    #[serde(skip_serializing_if = "Option::is_none")]
    suggested_outbound_line_count: Option<u32>,
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
    /// Which conversations were counted (media types, direction), for API history.
    #[serde(skip_serializing_if = "Option::is_none")]
    counted: Option<Counted>,
    /// Set when the series starts later than asked (retention horizon or first data).
    #[serde(skip_serializing_if = "Option::is_none")]
    late_start: Option<LateStart>,
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
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    staffing: Option<IntervalStaffingOut>,
}

/// Per-interval staffing, named as issue 14 names it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct IntervalStaffingOut {
    /// Forecast average handle time, seconds.
    aht: f64,
    required_agents: u32,
    required_agents_upper: u32,
    /// `null` where the staffing source does not cover the bucket.
    staffed_agents: Option<f64>,
    spare_agents: Option<f64>,
}

/// The staffing of bucket `ts`, when the plan has it.
fn interval_staffing(
    out: &PipelineOutput,
    i: usize,
    ts: DateTime<Utc>,
) -> Option<IntervalStaffingOut> {
    let iv = out
        .staffing
        .as_ref()?
        .intervals
        .get(i)
        .filter(|iv| iv.ts == ts)?;
    Some(IntervalStaffingOut {
        aht: iv.aht,
        required_agents: iv.required_agents,
        required_agents_upper: iv.required_agents_upper,
        staffed_agents: iv.staffed_agents,
        spare_agents: iv.spare_agents,
    })
}

fn staffing_out(out: &PipelineOutput) -> Option<StaffingOut<'_>> {
    let plan = out.staffing.as_ref()?;
    Some(StaffingOut {
        windows_mode: if out.in_capacity_mode() {
            "capacity"
        } else {
            "quartile"
        },
        settings: &plan.settings,
        aht_backtest: plan.aht_backtest.as_ref(),
        capacity_windows: plan
            .windows
            .iter()
            .map(|w| CapacityWindowOut {
                start: local_iso(w.start, out.tz),
                end: local_iso(w.end, out.tz),
                buckets: w.buckets,
                expected_contacts: w.expected_contacts,
                aht: w.aht,
                required_agents: w.required_agents,
                required_agents_upper: w.required_agents_upper,
                staffed_agents: w.staffed_agents,
                spare_agents: w.spare_agents,
                spare_agent_hours: w.spare_agent_hours,
                outbound_calls: w.outbound_calls,
                suggested_outbound_line_count: crate::forecast::staffing::suggest_pacing(
                    "power",
                    w,
                    &plan.settings,
                )
                .map(|p| p.value),
            })
            .collect(),
    })
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
            counted: out.summary.counted.clone(),
            late_start: out.summary.late_start,
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
        staffing: staffing_out(out),
        intervals: out
            .forecast
            .future
            .iter()
            .enumerate()
            .map(|(i, p)| IntervalOut {
                ds: local_iso(p.ts, tz),
                yhat: p.yhat,
                yhat_lower: p.yhat_lower,
                yhat_upper: p.yhat_upper,
                staffing: interval_staffing(out, i, p.ts),
            })
            .collect(),
    };
    let mut bytes =
        serde_json::to_vec_pretty(&doc).map_err(|e| ExportError::Encode(e.to_string()))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// `x` with at most `decimals` decimals and no trailing zeros: `12.5`, `3`, `0.25`.
fn num(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" { "0".into() } else { s }
}

/// Which of `windows` (by index) holds the bucket starting at `ts`.
fn window_of(windows: &[(DateTime<Utc>, DateTime<Utc>)], ts: DateTime<Utc>) -> Option<usize> {
    windows.iter().position(|w| w.0 <= ts && ts < w.1)
}

/// The history and the forecast as one timeline in CSV: `ds,yhat,yhat_lower,yhat_upper`, then,
/// when the staffing stage ran, `aht,requiredAgents,requiredAgentsUpper,staffedAgents,
/// spareAgents`, then `actual,in_window,selected`. History rows (from `extras.actuals`) have
/// only `ds` and `actual`; forecast rows have `actual` where the history covers them. Counts
/// have two decimals, AHT one, staffed and spare agents two; empty means unknown.
pub fn to_csv(out: &PipelineOutput, extras: CsvExtras<'_>) -> Result<Vec<u8>, ExportError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let enc = |e: csv::Error| ExportError::Encode(e.to_string());
    let staffing = out.staffing.is_some();
    let mut header = vec!["ds", "yhat", "yhat_lower", "yhat_upper"];
    if staffing {
        header.extend([
            "aht",
            "requiredAgents",
            "requiredAgentsUpper",
            "staffedAgents",
            "spareAgents",
        ]);
    }
    header.extend(["actual", "in_window", "selected"]);
    w.write_record(&header).map_err(enc)?;
    let first = out.forecast.future.first().map(|p| p.ts);
    let blanks = if staffing { 8 } else { 3 };
    for p in extras
        .actuals
        .iter()
        .filter(|p| first.is_none_or(|f| p.ts < f))
    {
        let mut row = vec![local_iso(p.ts, out.tz)];
        row.extend(std::iter::repeat_n(String::new(), blanks));
        row.extend([num(p.y, 2), "0".into(), "0".into()]);
        w.write_record(&row).map_err(enc)?;
    }
    let actual: std::collections::HashMap<DateTime<Utc>, f64> =
        extras.actuals.iter().map(|p| (p.ts, p.y)).collect();
    let opt = |v: Option<f64>| v.map(|x| num(x, 2)).unwrap_or_default();
    let flag = |b: bool| if b { "1" } else { "0" }.to_string();
    let own;
    let windows = match extras.windows {
        Some(w) => w,
        None => {
            own = out.offered_windows();
            &own[..]
        }
    };
    for (i, p) in out.forecast.future.iter().enumerate() {
        let mut row = vec![
            local_iso(p.ts, out.tz),
            num(p.yhat, 2),
            num(p.yhat_lower, 2),
            num(p.yhat_upper, 2),
        ];
        if staffing {
            match interval_staffing(out, i, p.ts) {
                Some(s) => row.extend([
                    num(s.aht, 1),
                    s.required_agents.to_string(),
                    s.required_agents_upper.to_string(),
                    opt(s.staffed_agents),
                    opt(s.spare_agents),
                ]),
                None => row.extend(std::iter::repeat_n(String::new(), 5)),
            }
        }
        let win = window_of(windows, p.ts);
        let selected = win.is_some_and(|k| extras.selected.is_none_or(|s| s.get(k) == Some(&true)));
        row.extend([
            opt(actual.get(&p.ts).copied()),
            flag(win.is_some()),
            flag(selected),
        ]);
        w.write_record(&row).map_err(enc)?;
    }
    w.into_inner()
        .map_err(|e| ExportError::Encode(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_comes_from_the_flag_then_the_extension() {
        let f = |p: &str, x| ExportFormat::for_path(Path::new(p), x);
        assert_eq!(f("a/b.csv", None).unwrap(), ExportFormat::Csv);
        assert_eq!(f("b.Json", None).unwrap(), ExportFormat::Json);
        assert_eq!(f("-", None).unwrap(), ExportFormat::Json);
        assert_eq!(f("forecast", None).unwrap(), ExportFormat::Json);
        assert_eq!(
            f("b.csv", Some(ExportFormat::Json)).unwrap(),
            ExportFormat::Json
        );
        assert_eq!(
            f("b.xlsx", Some(ExportFormat::Csv)).unwrap(),
            ExportFormat::Csv
        );
        let e = f("out/b.xlsx", None).unwrap_err().to_string();
        assert!(e.contains("out/b.xlsx") && e.contains(".xlsx"), "{e}");
    }

    #[test]
    fn numbers_are_rounded_without_trailing_zeros() {
        assert_eq!(num(12.345_678_901_234, 2), "12.35");
        assert_eq!(num(3.0, 2), "3");
        assert_eq!(num(2.50, 2), "2.5");
        assert_eq!(num(-0.001, 2), "0");
        assert_eq!(num(300.04, 1), "300");
    }

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
