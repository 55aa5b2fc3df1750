//! The forecast use case: load the previous forecast → run the pipeline → save, written once
//! for the headless command and the dashboard. Trouble with the data dir is a [`Note`], never a
//! failure: a forecast is still worth showing when the last one cannot be read or this one
//! cannot be kept.

use std::fmt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::forecast::pipeline::{PipelineError, PipelineInput, PipelineOutput, run_forecast_named};
use crate::history::History;
use crate::store::Store;

use super::staffing::StaffingData;

/// Something that went wrong around the forecast without stopping it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// The saved forecast could not be read, so drift was not checked against it.
    PreviousIgnored(String),
    /// This forecast could not be saved, so the next run cannot check drift against it.
    NotSaved(String),
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::PreviousIgnored(e) => write!(f, "previous forecast ignored: {e}"),
            Note::NotSaved(e) => write!(f, "forecast not saved for the next drift check: {e}"),
        }
    }
}

/// One finished forecast run.
#[derive(Debug, Clone)]
pub struct ForecastRun {
    pub output: PipelineOutput,
    /// A previous forecast was loaded (drift `None` then means no actuals have arrived yet for
    /// it and it carried no check of its own).
    pub had_previous: bool,
    /// Where this forecast was saved; `None` when saving failed (a note says why) or the
    /// previous one was kept.
    pub saved_to: Option<PathBuf>,
    /// When the saved forecast that was kept as the drift baseline was made ([`run_with`]).
    pub baseline_kept: Option<DateTime<Utc>>,
    pub notes: Vec<Note>,
}

impl ForecastRun {
    /// Everything to warn about, in the order it happened: loading the previous forecast, the
    /// model and pipeline warnings, saving.
    /// The band's label is not among them: it is the same on every run with the same settings
    /// (cron would mail it daily), so the summary shows it on its own line ([`band_note`]).
    pub fn warnings(&self) -> Vec<String> {
        let (before, after): (Vec<&Note>, Vec<&Note>) = self
            .notes
            .iter()
            .partition(|n| matches!(n, Note::PreviousIgnored(_)));
        let band = band_note(&self.output);
        before
            .iter()
            .map(|n| n.to_string())
            .chain(
                self.output
                    .warnings
                    .iter()
                    .filter(|w| Some(*w) != band.as_ref())
                    .cloned(),
            )
            .chain(after.iter().map(|n| n.to_string()))
            .collect()
    }
}

/// The run failed; `notes` says what else went wrong before it did.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct RunError {
    pub error: PipelineError,
    pub notes: Vec<Note>,
}

/// Loads the queue's previous forecast (for drift), runs the model `config.forecast.model`
/// names (`auto` or a registered model) on `history`, and saves the result for the next
/// drift check. CPU-bound: async callers run it on a blocking task. Staffing uses only what
/// the config says (no handle-time or on-queue history); see [`run_with`].
pub fn run(store: &Store, history: History, config: Config) -> Result<ForecastRun, RunError> {
    run_with(store, history, config, &StaffingData::default())
}

/// [`run`], with the staffing stage fed `staffing` (handle-time and on-queue history).
///
/// The saved forecast is the next run's drift baseline, and it is replaced only once it has
/// been scored or can never be: a previous forecast that no actual has reached yet (its
/// future starts after the history ends, same granularity) is kept. Otherwise a second run
/// within the bucket (the board's background run, then the dashboard, or cron run twice)
/// would replace the forecast the next actuals should judge with one they cannot reach yet,
/// and drift would say "no actuals yet" every time. Drift therefore always compares the
/// actuals with the oldest forecast not yet scored.
pub fn run_with(
    store: &Store,
    history: History,
    config: Config,
    staffing: &StaffingData,
) -> Result<ForecastRun, RunError> {
    let History {
        queue,
        series,
        summary,
        ..
    } = history;
    let mut notes = Vec::new();
    let previous = store.load_forecast(&queue.id).unwrap_or_else(|e| {
        notes.push(Note::PreviousIgnored(e.to_string()));
        None
    });
    let had_previous = previous.is_some();
    let awaiting = previous.as_ref().map(|p| {
        let first = p.future.first().map(|f| f.ts);
        (p.generated_at, p.granularity, first)
    });
    let input = PipelineInput {
        series,
        summary,
        queue,
        config,
        previous,
    };
    let mut output = match run_forecast_named(input) {
        Ok(out) => out,
        Err(error) => return Err(RunError { error, notes }),
    };
    super::staffing::attach(&mut output, staffing);
    let baseline_kept = awaiting.and_then(|(made, g, first)| {
        // Scored = this run's drift report compares that very forecast (a report carried
        // over from it is about the one before).
        let scored = output
            .drift
            .as_ref()
            .is_some_and(|d| d.forecast_generated_at == made);
        let unscored = !scored && g == output.granularity;
        (unscored && first.is_some_and(|t| t >= output.summary.end)).then_some(made)
    });
    let saved_to = match baseline_kept {
        Some(made) => {
            tracing::info!(queue = %output.queue.id, %made, "drift baseline kept: no actuals yet");
            None
        }
        None => match store.save_forecast(&output.to_saved()) {
            Ok(p) => Some(p),
            Err(e) => {
                notes.push(Note::NotSaved(e.to_string()));
                None
            }
        },
    };
    Ok(ForecastRun {
        output,
        had_previous,
        saved_to,
        baseline_kept,
        notes,
    })
}

/// A share as a percentage with one decimal: `0.123` → `12.3 %`.
/// A share as a percentage; an absurd one (a forecast of 1e300 against real counts) in
/// scientific notation, never hundreds of digits.
pub fn pct(x: f64) -> String {
    let p = x * 100.0;
    if !p.is_finite() {
        "n/a".into()
    } else if p.abs() >= 1e6 {
        format!("{p:.2e} %")
    } else {
        format!("{p:.1} %")
    }
}

/// A per-bucket volume: one decimal, or scientific notation past a million.
fn volume(v: f64) -> String {
    if v.abs() >= 1e6 {
        format!("{v:.3e}")
    } else {
        format!("{v:.1}")
    }
}

fn opt_pct(x: Option<f64>) -> String {
    x.map_or_else(|| "n/a".into(), pct)
}

/// The headless command's short human report: history, model, accuracy, drift, windows and
/// where the files went.
pub struct Summary<'a> {
    pub output: &'a PipelineOutput,
    pub saved_to: Option<&'a Path>,
    /// When the kept drift baseline was made (this forecast was not saved over it).
    pub baseline_kept: Option<DateTime<Utc>>,
    pub export: Option<&'a Path>,
}

/// The band's label (nominal level, how it was made, measured coverage when different), when
/// the band was calibrated: one line of the summary, not a warning on every run.
pub fn band_note(out: &PipelineOutput) -> Option<String> {
    out.selection
        .as_ref()?
        .calibration
        .as_ref()?
        .warning(out.granularity)
}

impl fmt::Display for Summary<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let out = self.output;
        line(f, "Queue", format!("{} ({})", out.queue.name, out.queue.id))?;
        line(f, "History", out.summary.to_string())?;
        let model = match out.selection.as_ref().and_then(|s| s.reason.as_ref()) {
            Some(reason) => format!("{} (auto: {reason})", out.forecast.model),
            None => out.forecast.model.clone(),
        };
        line(f, "Model", model)?;
        line(f, "Accuracy", accuracy(out))?;
        if let Some(band) = band_note(out) {
            line(f, "Band", band)?;
        }
        if let Some(d) = drift(out) {
            line(f, "Drift", d)?;
        }
        if let (Some(first), Some(last)) = (out.forecast.future.first(), out.forecast.future.last())
        {
            let span = format!(
                "{} buckets, {} → {} ({})",
                out.forecast.future.len(),
                local(out, first.ts, "%a %Y-%m-%d %H:%M"),
                local(
                    out,
                    last.ts + out.granularity.duration(),
                    "%a %Y-%m-%d %H:%M"
                ),
                out.tz.name()
            );
            line(f, "Forecast", span)?;
        }
        if let Some(plan) = &out.staffing {
            for (key, value) in super::staffing::summary_lines(plan) {
                line(f, key, value)?;
            }
        }
        if super::staffing::capacity_mode(&out.config, out.staffing.as_ref()) {
            capacity_windows(f, out)?;
        } else {
            windows(f, out)?;
        }
        if let Some(p) = self.export {
            line(f, "Export", p.display().to_string())?;
        }
        if let Some(p) = self.saved_to {
            line(f, "Saved", p.display().to_string())?;
        }
        if let Some(made) = self.baseline_kept {
            let made = local(out, made, "%a %Y-%m-%d %H:%M");
            let why = format!(
                "not saved: the forecast of {made} has no actuals yet and stays the drift baseline"
            );
            line(f, "Saved", why)?;
        }
        Ok(())
    }
}

fn line(f: &mut fmt::Formatter<'_>, key: &str, value: String) -> fmt::Result {
    writeln!(f, "{key:<10} {value}")
}

fn local(out: &PipelineOutput, t: DateTime<Utc>, format: &str) -> String {
    t.with_timezone(&out.tz).format(format).to_string()
}

fn accuracy(out: &PipelineOutput) -> String {
    let Some(a) = &out.accuracy else {
        return "not measured (history too short)".into();
    };
    format!(
        "{} over {} bucket(s) in {} fold(s): WAPE {}, MAPE {}, MASE {}, {} band coverage {}",
        a.method,
        a.buckets,
        a.folds,
        opt_pct(a.wape),
        opt_pct(a.mape),
        a.mase.map_or_else(|| "n/a".into(), |m| format!("{m:.2}")),
        pct(out.config.forecast.interval_width),
        opt_pct(a.coverage),
    )
}

fn drift(out: &PipelineOutput) -> Option<String> {
    let d = out.drift.as_ref()?;
    Some(format!(
        "last forecast ({}) vs {} bucket(s) of actuals: WAPE {}, MAPE {}; threshold {} {}{}",
        local(out, d.forecast_generated_at, "%Y-%m-%d %H:%M"),
        d.buckets_compared,
        opt_pct(d.wape),
        opt_pct(d.mape),
        d.metric.label(),
        pct(d.threshold),
        if d.retrain_recommended {
            " → retraining recommended"
        } else {
            " → ok"
        }
    ))
}

fn windows(f: &mut fmt::Formatter<'_>, out: &PipelineOutput) -> fmt::Result {
    let w = &out.config.windows;
    let hours = if w.calling_hours.trim().is_empty() {
        "all day".to_string()
    } else {
        w.calling_hours.clone()
    };
    let Some(th) = out.windows.threshold else {
        return line(
            f,
            "Windows",
            format!("none: no forecast bucket falls inside calling hours ({hours})"),
        );
    };
    let found = &out.windows.windows;
    let head = format!(
        "{} low-volume window(s): yhat ≤ {} per bucket (the {:.0}th percentile \
         within calling hours {hours}, {}), at least {} min",
        found.len(),
        volume(th),
        w.quantile * 100.0,
        w.calling_days.join(" "),
        w.min_window_minutes,
    );
    line(f, "Windows", head)?;
    if !found.is_empty() {
        write!(
            f,
            "  {:<14} {:<5}  {:<5}  {:>5}  {:>9}  {:>9}",
            "DAY", "START", "END", "HOURS", "MEAN/BKT", "EXPECTED"
        )?;
        if out.staffing.is_some() {
            write!(f, "  {:>8}  {:>8}", "REQUIRED", "REQ UPPR")?;
        }
        writeln!(f)?;
    }
    for win in found {
        write!(
            f,
            "  {:<14} {:<5}  {:<5}  {:>5.1}  {:>9.1}  {:>9.0}",
            local(out, win.start, "%a %Y-%m-%d"),
            local(out, win.start, "%H:%M"),
            local(out, win.end, "%H:%M"),
            (win.end - win.start).num_minutes() as f64 / 60.0,
            win.mean_yhat,
            win.expected_contacts,
        )?;
        if let Some(plan) = &out.staffing {
            let (req, up) = super::staffing::required_between(plan, win.start, win.end);
            write!(f, "  {req:>8}  {up:>8}")?;
        }
        writeln!(f)?;
    }
    Ok(())
}

/// Capacity windows (staffed agents known, `windows = "capacity"`): where agents sit idle.
fn capacity_windows(f: &mut fmt::Formatter<'_>, out: &PipelineOutput) -> fmt::Result {
    let Some(plan) = &out.staffing else {
        return Ok(());
    };
    let s = &plan.settings;
    let w = &out.config.windows;
    let hours = if w.calling_hours.trim().is_empty() {
        "all day".to_string()
    } else {
        w.calling_hours.clone()
    };
    let head = format!(
        "{} capacity window(s): ≥ {} spare agents on queue in every bucket within calling \
         hours {hours} ({}), at least {} min; outbound calls at {:.0} s each",
        plan.windows.len(),
        s.min_spare_agents,
        w.calling_days.join(" "),
        w.min_window_minutes,
        s.outbound_handle_time_s,
    );
    line(f, "Windows", head)?;
    if !plan.windows.is_empty() {
        writeln!(
            f,
            "  {:<14} {:<5}  {:<5}  {:>5}  {:>8}  {:>5}  {:>8}  {:>8}  {:>7}  {:>5}  {:>7}  {:>8}",
            "DAY",
            "START",
            "END",
            "HOURS",
            "EXPECTED",
            "AHT S",
            "REQUIRED",
            "REQ UPPR",
            "STAFFED",
            "SPARE",
            "AGENT-H",
            "OUTBOUND"
        )?;
    }
    for win in &plan.windows {
        writeln!(
            f,
            "  {:<14} {:<5}  {:<5}  {:>5.1}  {:>8.0}  {:>5.0}  {:>8}  {:>8}  {:>7.1}  {:>5.1}  {:>7.1}  {:>8}",
            local(out, win.start, "%a %Y-%m-%d"),
            local(out, win.start, "%H:%M"),
            local(out, win.end, "%H:%M"),
            (win.end - win.start).num_minutes() as f64 / 60.0,
            win.expected_contacts,
            win.aht,
            win.required_agents,
            win.required_agents_upper,
            win.staffed_agents,
            win.spare_agents,
            win.spare_agent_hours,
            win.outbound_calls,
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absurd_shares_and_volumes_stay_short() {
        assert_eq!(pct(0.1234), "12.3 %");
        assert_eq!(pct(1e298), "1.00e300 %");
        assert_eq!(pct(f64::INFINITY), "n/a");
        assert_eq!(volume(1e20), "1.000e20");
        assert_eq!(volume(12.25), "12.2");
    }
    use crate::forecast::ForecastError;
    use crate::history::test_support::{history_of, hourly};

    /// `hours` of a weekly pattern (busy 08–18 UTC), so last week predicts this week exactly.
    fn history(hours: usize) -> History {
        let y: Vec<f64> = (0..hours)
            .map(|i| {
                let busy = (8..18).contains(&(i % 24));
                (if busy { 40.0 } else { 2.0 }) + (i % 7) as f64
            })
            .collect();
        history_of("q-1", "Sales", hourly(&y))
    }

    fn config(model: &str) -> Config {
        let mut c = Config::default();
        c.forecast.model = model.into();
        c.forecast.horizon_days = 2;
        c
    }

    #[test]
    fn a_run_is_saved_and_the_next_run_checks_drift_against_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let first = run(&store, history(4 * 168), config("seasonal-naive")).unwrap();
        assert!(first.notes.is_empty(), "{:?}", first.notes);
        assert!(!first.had_previous);
        assert!(first.output.drift.is_none());
        let saved = first.saved_to.clone().unwrap();
        assert_eq!(saved, store.forecast_path("q-1"));
        assert_eq!(
            store.load_forecast("q-1").unwrap(),
            Some(first.output.to_saved())
        );
        // Two more days of actuals: exactly what last week predicted.
        let second = run(&store, history(4 * 168 + 48), config("seasonal-naive")).unwrap();
        assert!(second.had_previous);
        let drift = second.output.drift.as_ref().unwrap();
        assert_eq!(drift.buckets_compared, 48);
        assert_eq!(drift.wape, Some(0.0));
        assert_eq!(drift.forecast_generated_at, first.output.generated_at);
    }

    /// The board's run then the dashboard's (or cron twice in an hour): the second run keeps
    /// the first forecast as the baseline, so the run after actuals arrive scores it, instead
    /// of every run saying "no actuals yet".
    #[test]
    fn an_unscored_baseline_is_kept_and_scored_once_actuals_arrive() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let first = run(&store, history(4 * 168), config("seasonal-naive")).unwrap();
        let again = run(&store, history(4 * 168), config("seasonal-naive")).unwrap();
        assert!(again.had_previous);
        assert!(again.output.drift.is_none(), "no actual reaches it yet");
        assert_eq!(again.saved_to, None);
        assert_eq!(again.baseline_kept, Some(first.output.generated_at));
        assert_eq!(
            store.load_forecast("q-1").unwrap(),
            Some(first.output.to_saved()),
            "the first forecast stays the baseline"
        );
        let text = lines(&Summary {
            output: &again.output,
            saved_to: None,
            baseline_kept: again.baseline_kept,
            export: None,
        });
        let kept = text.last().unwrap();
        assert!(
            kept.starts_with("Saved      not saved: the forecast of ")
                && kept.ends_with("has no actuals yet and stays the drift baseline"),
            "{kept}"
        );
        // A day later the kept forecast is scored against its 24 buckets, and replaced.
        let later = run(&store, history(4 * 168 + 24), config("seasonal-naive")).unwrap();
        let drift = later.output.drift.as_ref().unwrap();
        assert_eq!(drift.forecast_generated_at, first.output.generated_at);
        assert_eq!(drift.buckets_compared, 24);
        assert_eq!(later.baseline_kept, None);
        assert_eq!(
            store.load_forecast("q-1").unwrap(),
            Some(later.output.to_saved())
        );
    }

    /// The board scores the old forecast and saves its own; the queue opened from it a minute
    /// later shows that same check (not "not checked"), and keeps the board's forecast as the
    /// baseline for the next one.
    #[test]
    fn a_check_stands_until_the_next_forecast_has_actuals() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let old = run(&store, history(4 * 168), config("seasonal-naive")).unwrap();
        let board = run(&store, history(4 * 168 + 48), config("seasonal-naive")).unwrap();
        let checked = board.output.drift.clone().unwrap();
        assert_eq!(checked.forecast_generated_at, old.output.generated_at);
        let opened = run(&store, history(4 * 168 + 48), config("seasonal-naive")).unwrap();
        assert_eq!(opened.output.drift, Some(checked.clone()));
        assert_eq!(opened.baseline_kept, Some(board.output.generated_at));
        let saved = store.load_forecast("q-1").unwrap().unwrap();
        assert_eq!(saved.generated_at, board.output.generated_at);
        assert_eq!(saved.drift, Some(checked));
        // Once the board's forecast has actuals, it is the one scored.
        let later = run(&store, history(4 * 168 + 72), config("seasonal-naive")).unwrap();
        let drift = later.output.drift.unwrap();
        assert_eq!(drift.forecast_generated_at, board.output.generated_at);
        assert_eq!(later.baseline_kept, None);
    }

    /// A baseline that can never be scored (another granularity) is replaced, not kept forever.
    #[test]
    fn a_baseline_of_another_granularity_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let first = run(&store, history(4 * 168), config("seasonal-naive")).unwrap();
        let mut other = first.output.to_saved();
        other.granularity = crate::granularity::Granularity::Pt30m;
        store.save_forecast(&other).unwrap();
        let again = run(&store, history(4 * 168), config("seasonal-naive")).unwrap();
        assert_eq!(again.baseline_kept, None);
        assert_eq!(again.saved_to, Some(store.forecast_path("q-1")));
    }

    #[test]
    fn data_dir_trouble_is_a_note_in_order_not_a_failure() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("not-a-dir");
        std::fs::write(&file, b"x").unwrap();
        // A data dir below a plain file: nothing can be read from or written to it.
        let store = Store::new(file.join("data"));
        let out = run(&store, history(4 * 168), config("seasonal-naive")).unwrap();
        assert!(!out.had_previous);
        assert_eq!(out.saved_to, None);
        assert!(matches!(
            out.notes[..],
            [Note::PreviousIgnored(_), Note::NotSaved(_)]
        ));
        let warnings = out.warnings();
        let band = usize::from(band_note(&out.output).is_some());
        assert_eq!(warnings.len(), 2 + out.output.warnings.len() - band);
        assert!(warnings[0].starts_with("previous forecast ignored: cannot read"));
        let last = warnings.last().unwrap();
        assert!(
            last.starts_with("forecast not saved for the next drift check: ")
                && last.contains("not-a-dir/data"),
            "{last}"
        );
    }

    #[test]
    fn a_corrupt_previous_forecast_is_named_and_kept_when_the_run_fails() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let path = store.forecast_path("q-1");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, b"{not json").unwrap();
        let err = run(&store, history(4 * 168), config("arima")).unwrap_err();
        assert!(matches!(
            err.error,
            PipelineError::Forecast(ForecastError::UnknownModel { .. })
        ));
        assert_eq!(err.to_string(), err.error.to_string());
        let [Note::PreviousIgnored(why)] = &err.notes[..] else {
            panic!("{:?}", err.notes);
        };
        assert!(why.contains("delete it"), "{why}");
        // The corrupt file is left for the analyst to look at, not overwritten by a failed run.
        assert_eq!(std::fs::read(&path).unwrap(), b"{not json");
    }

    fn lines(s: &Summary<'_>) -> Vec<String> {
        s.to_string().lines().map(str::to_string).collect()
    }

    #[test]
    fn the_summary_reports_history_model_accuracy_windows_and_files() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        run(&store, history(4 * 168), config("seasonal-naive")).unwrap();
        let r = run(&store, history(4 * 168 + 48), config("seasonal-naive")).unwrap();
        let out = &r.output;
        let export = Path::new("out.json");
        let mut text = lines(&Summary {
            output: out,
            saved_to: r.saved_to.as_deref(),
            baseline_kept: r.baseline_kept,
            export: Some(export),
        });
        // The band's label: one summary line (after the accuracy), never a warning.
        let band = text.remove(4);
        assert!(
            band.starts_with("Band       95 % band from the backtest's errors"),
            "{band}"
        );
        assert!(
            !r.warnings().iter().any(|w| w.contains("band")),
            "{:?}",
            r.warnings()
        );
        assert_eq!(text[0], "Queue      Sales (q-1)");
        assert_eq!(text[1], format!("History    {}", out.summary));
        assert_eq!(text[2], "Model      seasonal-naive");
        assert!(
            text[3].starts_with("Accuracy   backtest over 192 bucket(s) in 4 fold(s): WAPE 0.0 %")
                // An exactly weekly history leaves the naive scale at zero: no MASE.
                && text[3].ends_with("MAPE 0.0 %, MASE n/a, 95.0 % band coverage 100.0 %"),
            "{}",
            text[3]
        );
        let saved_at = out.drift.as_ref().unwrap().forecast_generated_at;
        assert_eq!(
            text[4],
            format!(
                "Drift      last forecast ({}) vs 48 bucket(s) of actuals: WAPE 0.0 %, MAPE 0.0 %; \
                 threshold WAPE 15.0 % → ok",
                saved_at.format("%Y-%m-%d %H:%M")
            )
        );
        assert_eq!(
            text[5],
            "Forecast   48 buckets, Wed 2024-01-31 00:00 → Fri 2024-02-02 00:00 (UTC)"
        );
        // The staffing stage ran with the default (history) source and no org: required
        // agents at the default AHT, nobody known to be on queue, so quartile windows.
        assert!(
            text[6].starts_with("Staffing   Erlang C, 80 % answered in 20 s"),
            "{}",
            text[6]
        );
        assert_eq!(
            text[7],
            "AHT        300 s (fallback_aht_s: no handle-time history)"
        );
        assert!(
            text[8].starts_with("Agents     required ")
                && text[8]
                    .ends_with("; staffed unknown (source = \"history\" reads the org's agents)"),
            "{}",
            text[8]
        );
        let windows = &out.windows.windows;
        assert!(!windows.is_empty());
        assert!(
            text[9].starts_with(&format!(
                "Windows    {} low-volume window(s): yhat ≤ ",
                windows.len()
            )) && text[9].ends_with(
                "per bucket (the 25th percentile within calling hours 08:00-21:00, \
                 mon tue wed thu fri sat), at least 60 min"
            ),
            "{}",
            text[9]
        );
        assert_eq!(
            text[10],
            "  DAY            START  END    HOURS   MEAN/BKT   EXPECTED  REQUIRED  REQ UPPR"
        );
        let first = &text[11];
        assert!(first.starts_with("  Wed 2024-01-31 "), "{first}");
        let plan = out.staffing.as_ref().unwrap();
        let (req, up) =
            super::super::staffing::required_between(plan, windows[0].start, windows[0].end);
        assert!(first.ends_with(&format!("  {req:>8}  {up:>8}")), "{first}");
        let rest = &text[11 + windows.len()..];
        assert_eq!(rest[0], "Export     out.json");
        assert_eq!(
            rest[1],
            format!("Saved      {}", store.forecast_path("q-1").display())
        );
        assert_eq!(rest.len(), 2);
    }

    #[test]
    fn the_summary_says_when_no_bucket_is_in_calling_hours() {
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = config("seasonal-naive");
        // The two forecast days are a Monday and a Tuesday.
        cfg.windows.calling_days = vec!["sun".into()];
        let r = run(&Store::new(dir.path()), history(4 * 168), cfg).unwrap();
        let text = lines(&Summary {
            output: &r.output,
            saved_to: None,
            baseline_kept: None,
            export: None,
        });
        assert_eq!(
            text.last().unwrap(),
            "Windows    none: no forecast bucket falls inside calling hours (08:00-21:00)"
        );
        assert!(!text.iter().any(|l| l.starts_with("Drift")));
    }
}
