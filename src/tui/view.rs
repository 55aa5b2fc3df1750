//! The dashboard's view of a forecast run, derived in pure code from the pipeline's output,
//! and the rule that keeps the `auto` tournament when the analyst switches model.

use chrono::{DateTime, NaiveDate, Utc};

use crate::forecast::ForecastPoint;
use crate::forecast::pipeline::{ModelSelection, PipelineOutput};
use crate::forecast::select::AUTO;

mod staffing;
pub use staffing::{Scope, StaffedOverride, StaffingView, WindowRule};

/// One low-volume window as the table shows it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WindowRow {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub mean_yhat: f64,
    pub expected_contacts: f64,
    /// Σ spare agents × hours (capacity windows only).
    pub spare_agent_hours: Option<f64>,
    /// Outbound calls the spare agents allow (capacity windows only).
    pub outbound_calls: Option<u64>,
}

/// One row of the backtest tournament table.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelRow {
    pub model: String,
    pub wape: f64,
    /// Against the weekly-naive scale; `None` when that scale is zero.
    pub mase: Option<f64>,
    /// Share of backtest actuals inside the model's own band.
    pub coverage: f64,
    /// Mean seconds per fit + forecast.
    pub fit_secs: f64,
}

/// The model's result as the dashboard shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ForecastView {
    pub model: String,
    /// What was asked for: `auto` (the tournament picked `model`) or the model name the
    /// analyst chose.
    pub requested: String,
    /// The backtest tournament, best WAPE first; empty when the history was too short.
    pub tournament: Vec<ModelRow>,
    /// The model `auto` picked, when a tournament ran (kept after the analyst switches).
    pub auto_pick: Option<String>,
    /// Why `auto` picked it.
    pub reason: Option<String>,
    /// Set when the band was recalibrated from the backtest.
    pub calibration: Option<String>,
    /// The band's short label: `95 % band`, with the backtest's measured coverage when it
    /// differs (`95 % band (measured 90 %)`).
    pub band: String,
    /// The combination's members and weights, when the forecast shown is the combination.
    pub combination: Option<String>,
    /// Models dropped from the tournament, with why.
    pub failures: Vec<(String, String)>,
    pub future: Vec<ForecastPoint>,
    /// The quartile rule's yhat threshold.
    pub threshold: f64,
    /// The windows of the active `rule`: the table, the chart marks and the campaign schedule.
    pub windows: Vec<WindowRow>,
    /// The quartile rule's windows, kept for the toggle.
    pub quartile: Vec<WindowRow>,
    pub rule: WindowRule,
    /// Required and staffed agents per bucket with the what-if override; `None` when the
    /// staffing stage did not run.
    pub staffing: Option<StaffingView>,
    /// Holdout accuracy, if a holdout was possible.
    pub wape: Option<f64>,
    pub mape: Option<f64>,
    /// Model options worth showing (name, value).
    pub options: Vec<(String, String)>,
    /// `Some(true)` when the drift check recommends retraining; `None` when there is nothing
    /// saved to compare with yet.
    pub retrain: Option<bool>,
    pub drift_note: String,
    pub warnings: Vec<String>,
    pub refreshed_at: DateTime<Utc>,
    /// The model panel's AHT line (issue 14): the forecast AHT and its backtest error, and
    /// the peak required agents; `None` when the staffing stage did not run.
    pub aht: Option<String>,
    /// Calendar days off the chart marks (issue 15 item 3): the history's flagged holidays
    /// and closures and the horizon's holidays, by local date, with their names.
    pub holidays: Vec<(NaiveDate, String)>,
}

/// A run of one named model backtests only that model. When the open queue's last `auto` run
/// (`auto`) scored it among others, that table is the one the analyst chose from: the run's
/// selection gets it (so the export shows it too), with a reason naming both choices.
/// Returns whether the table was kept.
pub fn keep_tournament(auto: &ModelSelection, out: &mut PipelineOutput) -> bool {
    let Some(sel) = out.selection.as_mut() else {
        return false;
    };
    if sel.requested == AUTO
        || auto.backtest.len() <= sel.backtest.len()
        || !auto.backtest.iter().any(|r| r.model == sel.chosen)
    {
        return false;
    }
    sel.backtest = auto.backtest.clone();
    sel.failures = auto.failures.clone();
    sel.reason = Some(format!(
        "chosen by the analyst in the dashboard; auto picked {}{}",
        auto.chosen,
        auto.reason
            .as_deref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default()
    ));
    true
}

impl ForecastView {
    /// The dashboard's view of a pipeline run. `kept_from` is the `auto` run whose table
    /// [`keep_tournament`] kept in it: its pick and reason stay on screen.
    pub fn of(out: &PipelineOutput, kept_from: Option<&ModelSelection>) -> Self {
        let f = &out.config.forecast;
        let sel = out.selection.as_ref();
        let auto = sel.filter(|s| s.requested == AUTO).or(kept_from);
        let (retrain, drift_note) = drift(out);
        let staffing = StaffingView::of(out);
        let capacity = crate::service::staffing::capacity_mode(&out.config, out.staffing.as_ref())
            && staffing.as_ref().is_some_and(StaffingView::has_staffed);
        let mut view = ForecastView {
            model: out.forecast.model.clone(),
            requested: sel.map_or_else(|| f.model.clone(), |s| s.requested.clone()),
            tournament: sel.map(tournament).unwrap_or_default(),
            auto_pick: auto.map(|s| s.chosen.clone()),
            reason: auto.and_then(|s| s.reason.clone()),
            calibration: sel
                .and_then(|s| s.calibration.as_ref())
                .and_then(|c| c.warning(out.granularity)),
            band: band_label(out),
            combination: sel
                .filter(|s| s.chosen == out.forecast.model)
                .and_then(|s| s.combination.as_ref())
                .filter(|_| out.forecast.model == crate::forecast::combine::NAME)
                .map(|c| format!("combination of {}", c.describe())),
            failures: sel
                .map(|s| {
                    s.failures
                        .iter()
                        .map(|x| (x.model.clone(), x.error.clone()))
                        .collect()
                })
                .unwrap_or_default(),
            future: out.forecast.future.clone(),
            threshold: out.windows.threshold.unwrap_or(0.0),
            windows: Vec::new(),
            quartile: windows(out),
            rule: WindowRule::Quartile,
            staffing,
            wape: out.accuracy.as_ref().and_then(|a| a.wape),
            mape: out.accuracy.as_ref().and_then(|a| a.mape),
            options: vec![
                (
                    "interval".into(),
                    format!("{:.0}%", f.interval_width * 100.0),
                ),
                (
                    "horizon".into(),
                    format!("{} d, cps {}", f.horizon_days, f.changepoint_prior_scale),
                ),
            ],
            retrain,
            drift_note,
            warnings: out.warnings.clone(),
            refreshed_at: out.generated_at,
            aht: out.staffing.as_ref().map(aht_line),
            holidays: sel.map(days_off).unwrap_or_default(),
        };
        view.set_rule(if capacity {
            WindowRule::Capacity
        } else {
            WindowRule::Quartile
        });
        view
    }

    /// Whether the capacity rule can be used: staffed agents are known for some bucket.
    pub fn capacity_available(&self) -> bool {
        self.staffing
            .as_ref()
            .is_some_and(StaffingView::has_staffed)
    }

    /// Shows `rule`'s windows (the quartile ones when capacity is asked for without staffed
    /// agents).
    pub fn set_rule(&mut self, rule: WindowRule) {
        self.rule = match rule {
            WindowRule::Capacity if self.capacity_available() => WindowRule::Capacity,
            _ => WindowRule::Quartile,
        };
        self.windows = match (self.rule, &self.staffing) {
            (WindowRule::Capacity, Some(st)) => st.capacity.clone(),
            _ => self.quartile.clone(),
        };
    }

    /// Applies (or clears) a what-if override of staffed agents and re-derives the windows.
    /// `false` when there is no staffing to override.
    pub fn set_override(&mut self, o: Option<StaffedOverride>) -> bool {
        let Some(st) = self.staffing.as_mut() else {
            return false;
        };
        st.apply(o);
        let rule = if o.is_some() {
            // An override is about capacity: show its windows.
            WindowRule::Capacity
        } else {
            self.rule
        };
        self.set_rule(rule);
        true
    }
}

/// The band's label from the run's calibration (nominal level, measured coverage).
/// The named days off among the run's marks, in date order, each once: history days flagged
/// as holidays or closures, then the horizon's calendar days.
fn days_off(s: &ModelSelection) -> Vec<(NaiveDate, String)> {
    use crate::forecast::clean::FlagKind;
    let flagged = s
        .marks
        .flagged
        .iter()
        .filter(|f| matches!(f.kind, FlagKind::Holiday | FlagKind::OrgClosure))
        .map(|f| {
            let name = f.name.clone().unwrap_or_else(|| "closed".into());
            (f.date, name)
        });
    let ahead = s.marks.holidays.iter().map(|h| (h.date, h.name.clone()));
    let mut days: Vec<(NaiveDate, String)> = flagged.chain(ahead).collect();
    days.sort();
    days.dedup_by_key(|d| d.0);
    days
}

fn band_label(out: &PipelineOutput) -> String {
    let cal = out.selection.as_ref().and_then(|s| s.calibration.as_ref());
    let nominal = cal.map_or(out.config.forecast.interval_width, |c| c.nominal);
    let measured = cal.map(|c| {
        if c.applied() {
            c.coverage_after
        } else {
            c.coverage_before
        }
    });
    band_text(nominal, measured)
}

/// `95 % band`, or `95 % band (measured 90 %)` when the measured coverage rounds to another
/// whole percent: the nominal level alone would overstate a band that covered less.
pub fn band_text(nominal: f64, measured: Option<f64>) -> String {
    let pct = |x: f64| (x * 100.0).round();
    match measured {
        Some(m) if pct(m) != pct(nominal) => {
            format!("{:.0} % band (measured {:.0} %)", pct(nominal), pct(m))
        }
        _ => format!("{:.0} % band", pct(nominal)),
    }
}

/// `300 s, WAPE 8.1%, req ≤ 19`: AHT over the forecast (a range when it varies), the AHT
/// backtest's WAPE (or `default` when there is no handle-time history), peak required agents
/// at the upper band.
fn aht_line(plan: &crate::forecast::staffing::StaffingPlan) -> String {
    let (lo, hi) = plan
        .intervals
        .iter()
        .fold((f64::INFINITY, 0.0_f64), |(lo, hi), iv| {
            (lo.min(iv.aht), hi.max(iv.aht))
        });
    let aht = if plan.intervals.is_empty() {
        "n/a".to_string()
    } else if (hi - lo).abs() < 0.5 {
        format!("{lo:.0} s")
    } else {
        format!("{lo:.0}-{hi:.0} s")
    };
    let err = match plan.aht_backtest.as_ref().and_then(|b| b.wape) {
        Some(w) => format!("WAPE {:.1}%", w * 100.0),
        None => "default".to_string(),
    };
    let peak = plan
        .intervals
        .iter()
        .map(|iv| iv.required_agents_upper)
        .max()
        .unwrap_or(0);
    format!("{aht}, {err}, req ≤ {peak}")
}

fn tournament(s: &ModelSelection) -> Vec<ModelRow> {
    s.backtest
        .iter()
        .map(|r| ModelRow {
            model: r.model.clone(),
            wape: r.wape,
            mase: r.mase,
            coverage: r.coverage,
            fit_secs: r.fit_time.as_secs_f64(),
        })
        .collect()
}

fn windows(out: &PipelineOutput) -> Vec<WindowRow> {
    out.windows
        .windows
        .iter()
        .map(|w| WindowRow {
            start: w.start,
            end: w.end,
            mean_yhat: w.mean_yhat,
            expected_contacts: w.expected_contacts,
            spare_agent_hours: None,
            outbound_calls: None,
        })
        .collect()
}

/// Whether to retrain, and the line that says why.
fn drift(out: &PipelineOutput) -> (Option<bool>, String) {
    match &out.drift {
        Some(d) => (
            Some(d.retrain_recommended),
            format!(
                "{:?} {} vs {:.0}%",
                d.metric,
                d.value()
                    .map_or("n/a".into(), |v| format!("{:.1}%", v * 100.0)),
                d.threshold * 100.0
            ),
        ),
        None => (None, "no earlier forecast to check".into()),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use chrono::{TimeDelta, TimeZone};

    use super::*;
    use crate::config::{Config, DriftMetric};
    use crate::forecast::ModelForecast;
    use crate::forecast::backtest::BacktestScore;
    use crate::forecast::calibrate::{Calibration, CalibrationMethod};
    use crate::forecast::drift::DriftReport;
    use crate::forecast::select::ModelFailure;
    use crate::forecast::windows::{Window, WindowSet};
    use crate::granularity::Granularity;
    use crate::history::{FillMode, SeriesSummary};
    use crate::refs::QueueRef;

    fn score(model: &str, wape: f64) -> BacktestScore {
        BacktestScore {
            model: model.into(),
            wape,
            mase: Some(wape * 5.0),
            coverage: 0.9,
            mape: None,
            msis: Some(wape * 40.0),
            stopped: false,
            fit_time: Duration::from_millis(420),
            folds: 4,
        }
    }

    fn selection(requested: &str, chosen: &str, rows: &[(&str, f64)]) -> ModelSelection {
        ModelSelection {
            requested: requested.into(),
            chosen: chosen.into(),
            reason: (requested == AUTO).then(|| format!("{chosen} has the lowest WAPE")),
            backtest: rows.iter().map(|(m, w)| score(m, *w)).collect(),
            failures: if requested == AUTO {
                vec![ModelFailure {
                    model: "prophet-seed".into(),
                    error: "diverged".into(),
                }]
            } else {
                vec![]
            },
            calibration: Some(Calibration {
                method: CalibrationMethod::Conformal,
                nominal: 0.95,
                coverage_before: 0.84,
                coverage_after: 0.93,
                msis_before: Some(9.0),
                msis_after: Some(6.0),
                band: None,
            }),
            combination: None,
            marks: Default::default(),
        }
    }

    fn auto() -> ModelSelection {
        selection(
            AUTO,
            "seasonal-naive",
            &[("seasonal-naive", 0.12), ("mstl-ets", 0.13)],
        )
    }

    /// A run of `sel`'s chosen model: one day of hourly forecast, one window, a drift check.
    fn output(sel: ModelSelection) -> PipelineOutput {
        let tz: chrono_tz::Tz = "America/Chicago".parse().unwrap();
        let t0 = Utc.with_ymd_and_hms(2024, 6, 1, 0, 0, 0).unwrap();
        let future = (0..24)
            .map(|h| ForecastPoint {
                ts: t0 + TimeDelta::hours(h),
                yhat: 10.0,
                yhat_lower: 4.0,
                yhat_upper: 16.0,
            })
            .collect();
        PipelineOutput {
            queue: QueueRef {
                id: "q0".into(),
                name: "Sales".into(),
            },
            summary: SeriesSummary {
                start: t0 - TimeDelta::days(14),
                end: t0,
                buckets: 14 * 24,
                zero_buckets: 3,
                gaps_filled: 3,
                duplicates_merged: 0,
                granularity: Granularity::Pt1h,
                tz,
                fill: FillMode::Zero,
                late_start: None,
                counted: None,
            },
            generated_at: Utc.with_ymd_and_hms(2024, 6, 1, 14, 5, 0).unwrap(),
            granularity: Granularity::Pt1h,
            tz,
            horizon: 24,
            forecast: ModelForecast {
                model: sel.chosen.clone(),
                future,
                warnings: vec!["w".into()],
            },
            windows: WindowSet {
                threshold: Some(9.1),
                windows: vec![Window {
                    start: t0 + TimeDelta::hours(15),
                    end: t0 + TimeDelta::hours(18),
                    mean_yhat: 7.5,
                    expected_contacts: 22.5,
                    buckets: 3,
                }],
            },
            accuracy: None,
            drift: Some(DriftReport {
                buckets_compared: 24,
                from: t0 - TimeDelta::days(1),
                to: t0,
                wape: Some(0.08),
                mape: None,
                threshold: 0.15,
                metric: DriftMetric::Wape,
                retrain_recommended: false,
                forecast_generated_at: t0 - TimeDelta::days(1),
            }),
            selection: Some(sel),
            config: Config::default(),
            warnings: vec!["w".into()],
            staffing: None,
        }
    }

    #[test]
    fn the_model_panel_gets_aht_its_error_and_peak_required_agents() {
        use crate::forecast::staffing::{AhtBacktest, IntervalStaffing, StaffingPlan};
        let mut out = output(auto());
        assert_eq!(ForecastView::of(&out, None).aht, None);
        let iv = |h: i64, aht: f64, up: u32| IntervalStaffing {
            ts: out.forecast.future[0].ts + TimeDelta::hours(h),
            contacts: 10.0,
            contacts_upper: 16.0,
            aht,
            required_agents: up - 1,
            required_agents_upper: up,
            staffed_agents: None,
            spare_agents: None,
        };
        let mut plan = StaffingPlan {
            settings: Default::default(),
            aht_backtest: None,
            intervals: vec![iv(0, 300.0, 4), iv(1, 300.0, 7)],
            windows: vec![],
        };
        out.staffing = Some(plan.clone());
        assert_eq!(
            ForecastView::of(&out, None).aht.as_deref(),
            Some("300 s, default, req ≤ 7")
        );
        plan.intervals[1].aht = 420.0;
        plan.aht_backtest = Some(AhtBacktest {
            wape: Some(0.081),
            baseline_wape: Some(0.2),
            folds: 4,
            contacts: 1000.0,
        });
        out.staffing = Some(plan);
        assert_eq!(
            ForecastView::of(&out, None).aht.as_deref(),
            Some("300-420 s, WAPE 8.1%, req ≤ 7")
        );
    }

    #[test]
    fn the_view_of_an_auto_run_shows_its_table_pick_and_reason() {
        let v = ForecastView::of(&output(auto()), None);
        assert_eq!(v.model, "seasonal-naive");
        assert_eq!(v.requested, AUTO);
        let models: Vec<_> = v.tournament.iter().map(|r| r.model.as_str()).collect();
        assert_eq!(models, ["seasonal-naive", "mstl-ets"]);
        assert_eq!(v.tournament[1].fit_secs, 0.42);
        assert_eq!(v.auto_pick.as_deref(), Some("seasonal-naive"));
        assert_eq!(
            v.reason.as_deref(),
            Some("seasonal-naive has the lowest WAPE")
        );
        assert_eq!(v.failures, [("prophet-seed".into(), "diverged".into())]);
        let band = v.calibration.unwrap();
        assert!(
            band.starts_with("95 % band from the backtest's errors"),
            "{band}"
        );
        // The label says what the band really covered when it is not the nominal level.
        assert!(
            band.ends_with("measured coverage 93.0 % in the backtest"),
            "{band}"
        );
        assert_eq!(v.band, "95 % band (measured 93 %)");
        assert_eq!(v.combination, None);
        assert_eq!(v.threshold, 9.1);
        assert_eq!(v.windows.len(), 1);
        assert_eq!(v.windows[0].expected_contacts, 22.5);
        assert_eq!(v.future.len(), 24);
        assert_eq!(
            (v.retrain, v.drift_note.as_str()),
            (Some(false), "Wape 8.0% vs 15%")
        );
        assert_eq!(v.options[0], ("interval".into(), "95%".into()));
        assert_eq!(v.options[1].0, "horizon");
        assert_eq!(
            v.refreshed_at,
            Utc.with_ymd_and_hms(2024, 6, 1, 14, 5, 0).unwrap()
        );
    }

    #[test]
    fn a_named_run_has_no_auto_pick_unless_a_table_was_kept() {
        let named = selection("mstl-ets", "mstl-ets", &[("mstl-ets", 0.13)]);
        let v = ForecastView::of(&output(named.clone()), None);
        assert_eq!((v.requested.as_str(), v.auto_pick), ("mstl-ets", None));
        assert_eq!(v.reason, None);
        let a = auto();
        let v = ForecastView::of(&output(named), Some(&a));
        assert_eq!(v.auto_pick.as_deref(), Some("seasonal-naive"));
        assert_eq!(
            v.reason.as_deref(),
            Some("seasonal-naive has the lowest WAPE")
        );
    }

    #[test]
    fn the_band_label_names_the_measured_coverage_only_when_it_differs() {
        assert_eq!(band_text(0.95, None), "95 % band");
        assert_eq!(band_text(0.95, Some(0.951)), "95 % band");
        assert_eq!(band_text(0.95, Some(0.90)), "95 % band (measured 90 %)");
        assert_eq!(band_text(0.8, Some(0.874)), "80 % band (measured 87 %)");
        let mut out = output(auto());
        out.selection.as_mut().unwrap().calibration = None;
        assert_eq!(ForecastView::of(&out, None).band, "95 % band");
    }

    #[test]
    fn no_drift_check_yet_says_so() {
        let mut out = output(auto());
        out.drift = None;
        let v = ForecastView::of(&out, None);
        assert_eq!(
            (v.retrain, v.drift_note.as_str()),
            (None, "no earlier forecast to check")
        );
    }

    #[test]
    fn a_switch_to_a_scored_model_keeps_the_auto_table_for_screen_and_export() {
        let mut out = output(selection("mstl-ets", "mstl-ets", &[("mstl-ets", 0.14)]));
        assert!(keep_tournament(&auto(), &mut out));
        let sel = out.selection.as_ref().unwrap();
        assert_eq!(sel.backtest.len(), 2);
        assert_eq!(sel.failures.len(), 1);
        assert_eq!(
            sel.reason.as_deref(),
            Some(
                "chosen by the analyst in the dashboard; auto picked seasonal-naive \
                 (seasonal-naive has the lowest WAPE)"
            )
        );
        assert_eq!(sel.requested, "mstl-ets", "still the analyst's choice");
    }

    #[test]
    fn the_table_is_not_kept_for_auto_runs_or_models_it_did_not_score() {
        let mut again = output(auto());
        assert!(!keep_tournament(&auto(), &mut again));
        assert_eq!(
            again.selection.unwrap().reason.as_deref(),
            Some("seasonal-naive has the lowest WAPE")
        );
        let mut other = output(selection(
            "prophet-tuned",
            "prophet-tuned",
            &[("prophet-tuned", 0.2)],
        ));
        assert!(!keep_tournament(&auto(), &mut other));
        assert_eq!(other.selection.unwrap().backtest.len(), 1);
        let mut bare = output(auto());
        bare.selection = None;
        assert!(!keep_tournament(&auto(), &mut bare));
    }
}
