//! `update()` flows without a terminal, plus TestBackend snapshots on fixed data.

use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDate, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use queuecast::campaign::NamedRef;
use queuecast::config::{Config, DriftMetric};
use queuecast::forecast::backtest::BacktestScore;
use queuecast::forecast::calibrate::{Calibration, CalibrationMethod};
use queuecast::forecast::drift::DriftReport;
use queuecast::forecast::pipeline::{Accuracy, ModelSelection, PipelineOutput};
use queuecast::forecast::windows::{Window, WindowSet};
use queuecast::forecast::{ForecastPoint, ModelForecast};
use queuecast::genesys::CampaignStatus;
use queuecast::granularity::Granularity;
use queuecast::history::{FillMode, Point, Series, SeriesSummary};
use queuecast::refs::QueueRef;
use queuecast::tui::action::{ApiFailure, Effect, History, Msg, SubmitOutcome};
use queuecast::tui::app::{
    App, ForecastView, Level, ModelRow, OrgInfo, Overlay, Screen, Stage, SubmitState, WindowRow,
    WindowRule,
};
use queuecast::tui::keymap::Keymap;
use queuecast::tui::update::update;

fn tz() -> chrono_tz::Tz {
    "America/Chicago".parse().unwrap()
}

pub(super) fn app() -> App {
    App::new(
        Keymap::defaults(),
        OrgInfo {
            name: "Acme".into(),
            region: "mypurecloud.ie".into(),
            sandbox: true,
        },
        tz(),
        NaiveDate::from_ymd_opt(2024, 6, 1).unwrap(),
    )
}

pub(super) fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

pub(super) fn keys(app: &mut App, s: &str) {
    for c in s.chars() {
        key(app, KeyCode::Char(c));
    }
}

pub(super) fn queues() -> Vec<NamedRef> {
    ["Sales", "Support", "Billing"]
        .iter()
        .enumerate()
        .map(|(i, n)| NamedRef {
            id: format!("q{i}"),
            name: n.to_string(),
        })
        .collect()
}

pub(super) fn history() -> Arc<History> {
    let start = Utc.with_ymd_and_hms(2024, 5, 18, 0, 0, 0).unwrap();
    let points: Vec<Point> = (0..14 * 24)
        .map(|i| Point {
            ts: start + chrono::TimeDelta::hours(i),
            y: 20.0 + 15.0 * ((i % 24) as f64 / 24.0 * std::f64::consts::TAU).sin(),
        })
        .collect();
    Arc::new(History {
        queue: QueueRef {
            id: "q0".into(),
            name: "Sales".into(),
        },
        summary: SeriesSummary {
            start,
            end: start + chrono::TimeDelta::days(14),
            buckets: points.len(),
            zero_buckets: 3,
            gaps_filled: 3,
            duplicates_merged: 0,
            granularity: Granularity::Pt1h,
            tz: tz(),
            fill: FillMode::Zero,
            late_start: None,
            counted: None,
        },
        series: Series {
            granularity: Granularity::Pt1h,
            tz: tz(),
            points,
        },
        handle: None,
    })
}

/// The same history with only its last `days`.
fn last_days(days: usize) -> Arc<History> {
    let mut h = (*history()).clone();
    let keep = h.series.points.len() - days * 24;
    h.series.points.drain(..keep);
    Arc::new(h)
}

/// The tournament the fixtures share: (model, WAPE, MASE, coverage, seconds per fit).
const TOURNAMENT: [(&str, f64, f64, f64, f64); 4] = [
    ("seasonal-naive", 0.123, 0.71, 0.93, 0.01),
    ("mstl-ets", 0.131, 0.78, 0.88, 0.42),
    ("prophet-tuned", 0.150, 0.90, 0.91, 1.25),
    ("prophet-seed", 0.240, 1.52, 0.65, 0.98),
];

/// What the pipeline returns for `auto` (`model` = `None`) or one named model: a week of
/// hourly forecast, three low-volume windows, a drift check that says ok.
pub(super) fn run_of(model: Option<&str>) -> PipelineOutput {
    let view = forecast();
    let chosen = model.unwrap_or("seasonal-naive");
    let rows: Vec<BacktestScore> = TOURNAMENT
        .iter()
        .filter(|r| model.is_none_or(|m| m == r.0))
        .map(|&(model, wape, mase, coverage, secs)| BacktestScore {
            model: model.into(),
            wape,
            mase: Some(mase),
            coverage,
            mape: Some(0.2),
            msis: None,
            stopped: false,
            fit_time: Duration::from_millis((secs * 1000.0_f64).round() as u64),
            folds: 4,
        })
        .collect();
    let at =
        |h: i64| Utc.with_ymd_and_hms(2024, 6, 1, 0, 0, 0).unwrap() + chrono::TimeDelta::hours(h);
    PipelineOutput {
        queue: QueueRef {
            id: "q0".into(),
            name: "Sales".into(),
        },
        summary: history().summary.clone(),
        generated_at: view.refreshed_at,
        granularity: Granularity::Pt1h,
        tz: tz(),
        horizon: 7 * 24,
        forecast: ModelForecast {
            model: chosen.into(),
            future: view.future.clone(),
            warnings: vec![],
        },
        windows: WindowSet {
            threshold: Some(view.threshold),
            windows: view
                .windows
                .iter()
                .map(|w| Window {
                    start: w.start,
                    end: w.end,
                    mean_yhat: w.mean_yhat,
                    expected_contacts: w.expected_contacts,
                    buckets: ((w.end - w.start).num_hours()) as usize,
                })
                .collect(),
        },
        accuracy: Some(Accuracy {
            method: "backtest".into(),
            folds: 4,
            buckets: 4 * 7 * 24,
            wape: Some(0.123),
            mape: Some(0.2),
            mase: Some(0.71),
            coverage: Some(0.95),
        }),
        drift: Some(DriftReport {
            buckets_compared: 24,
            from: at(-24),
            to: at(0),
            wape: Some(0.08),
            mape: None,
            threshold: 0.15,
            metric: DriftMetric::Wape,
            retrain_recommended: false,
            forecast_generated_at: at(-24),
        }),
        selection: Some(ModelSelection {
            requested: model.unwrap_or("auto").into(),
            chosen: chosen.into(),
            reason: model.is_none().then(|| view.reason.clone().unwrap()),
            backtest: rows,
            failures: vec![],
            calibration: Some(Calibration {
                method: CalibrationMethod::Conformal,
                nominal: 0.95,
                coverage_before: 0.84,
                coverage_after: 0.95,
                msis_before: Some(9.0),
                msis_after: Some(6.0),
                band: None,
            }),
            combination: None,
            marks: Default::default(),
        }),
        config: Config::default(),
        warnings: vec![],
        staffing: None,
    }
}

/// The tournament run, as the runtime sends it.
fn auto_run() -> Arc<PipelineOutput> {
    Arc::new(run_of(None))
}

/// A run of one named model: a one-row table, no auto pick.
fn named_run(model: &str) -> Arc<PipelineOutput> {
    Arc::new(run_of(Some(model)))
}

/// The view the snapshots render. It is close to what `auto_run` derives to, but its band
/// note and options are the ones the snapshots were first taken with, so draw tests set it
/// directly (see `show_fixture_view`).
fn forecast() -> ForecastView {
    let start = Utc.with_ymd_and_hms(2024, 6, 1, 0, 0, 0).unwrap();
    let future: Vec<ForecastPoint> = (0..7 * 24)
        .map(|i| {
            let y = 20.0 + 15.0 * ((i % 24) as f64 / 24.0 * std::f64::consts::TAU).sin();
            ForecastPoint {
                ts: start + chrono::TimeDelta::hours(i),
                yhat: y,
                yhat_lower: y - 6.0,
                yhat_upper: y + 6.0,
            }
        })
        .collect();
    let w = |d: i64, h: i64, len: i64| WindowRow {
        start: start + chrono::TimeDelta::hours(d * 24 + h),
        end: start + chrono::TimeDelta::hours(d * 24 + h + len),
        mean_yhat: 7.5,
        expected_contacts: 7.5 * len as f64,
        spare_agent_hours: None,
        outbound_calls: None,
    };
    let row = |model: &str, wape: f64, mase: f64, coverage: f64, fit_secs: f64| ModelRow {
        model: model.into(),
        wape,
        mase: Some(mase),
        coverage,
        fit_secs,
    };
    ForecastView {
        model: "seasonal-naive".into(),
        requested: "auto".into(),
        tournament: TOURNAMENT
            .iter()
            .map(|&(m, wape, mase, coverage, secs)| row(m, wape, mase, coverage, secs))
            .collect(),
        auto_pick: Some("seasonal-naive".into()),
        reason: Some("seasonal-naive has the lowest backtest WAPE (12.3 %) over 4 folds".into()),
        calibration: Some("95 % band from the backtest's errors (conformal)".into()),
        band: "95 % band (measured 90 %)".into(),
        combination: None,
        failures: vec![],
        future,
        threshold: 9.1,
        windows: vec![w(0, 15, 3), w(1, 15, 3), w(2, 16, 2)],
        quartile: vec![w(0, 15, 3), w(1, 15, 3), w(2, 16, 2)],
        rule: WindowRule::Quartile,
        staffing: None,
        wape: Some(0.123),
        mape: Some(0.2),
        options: vec![("interval".into(), "95%".into())],
        retrain: Some(false),
        drift_note: "Wape 8.0% vs 15%".into(),
        warnings: vec![],
        refreshed_at: Utc.with_ymd_and_hms(2024, 6, 1, 14, 5, 0).unwrap(),
        aht: None,
        holidays: vec![],
    }
}

/// Presses `r` and answers the fetch with `history`: the refresh's job and the effects.
fn refresh(app: &mut App, history: Arc<History>) -> (u64, Vec<Effect>) {
    let fx = key(app, KeyCode::Char('r'));
    let Some(Effect::FetchHistory { job, .. }) = fx.first().cloned() else {
        panic!("{fx:?}")
    };
    let fx = update(
        app,
        Msg::HistoryLoaded {
            job,
            result: Ok(history),
        },
    );
    (job, fx)
}

/// The open queue's history and then its forecast arrive for `job`.
pub(super) fn arrive(app: &mut App, job: u64, history: Arc<History>, output: Arc<PipelineOutput>) {
    update(
        app,
        Msg::HistoryLoaded {
            job,
            result: Ok(history),
        },
    );
    update(app, Msg::ForecastReady { job, output });
}

/// On the board: `/filter`, Enter (ends the filter), Enter (opens the first match); returns
/// the history fetch's job and the queue it asks for.
pub(super) fn open_queue(app: &mut App, filter: &str) -> (u64, NamedRef) {
    keys(app, &format!("/{filter}"));
    assert!(key(app, KeyCode::Enter).is_empty(), "enter ends the filter");
    let fx = key(app, KeyCode::Enter);
    match fx.iter().find(|e| matches!(e, Effect::FetchHistory { .. })) {
        Some(Effect::FetchHistory { job, queue, .. }) => (*job, queue.clone()),
        other => panic!("no fetch: {other:?}"),
    }
}

/// Board → `/sal` → Sales → history → forecast, returning the job id.
pub(super) fn ready_dashboard(app: &mut App) -> u64 {
    update(app, Msg::QueuesLoaded(Ok(queues())));
    let (job, queue) = open_queue(app, "sal");
    assert_eq!(queue.id, "q0", "the only match for \"sal\" is Sales");
    let h = history();
    let fx = update(
        app,
        Msg::HistoryLoaded {
            job,
            result: Ok(h.clone()),
        },
    );
    assert_eq!(
        fx,
        vec![Effect::Fit {
            job,
            model: "auto".into(),
            history: h
        }]
    );
    update(
        app,
        Msg::ForecastReady {
            job,
            output: auto_run(),
        },
    );
    job
}

/// Draw tests render the fixed view the snapshots were taken with.
pub(super) fn show_fixture_view(app: &mut App) {
    app.session.as_mut().unwrap().forecast = Some(forecast());
}

#[test]
fn the_dashboard_shows_the_view_derived_from_the_run() {
    let mut a = app();
    ready_dashboard(&mut a);
    let s = a.session.as_ref().unwrap();
    let (derived, fixture) = (s.forecast.clone().unwrap(), forecast());
    // Everything but the band note's wording and the extra horizon option.
    assert_eq!(
        derived.calibration.as_deref(),
        Some("95 % band from the backtest's errors (conformal)")
    );
    assert_eq!(derived.options[0], fixture.options[0]);
    // Calibrated to its nominal 95 %: the label does not add a measured coverage.
    assert_eq!(derived.band, "95 % band");
    assert_eq!(
        ForecastView {
            calibration: fixture.calibration.clone(),
            band: fixture.band.clone(),
            options: fixture.options.clone(),
            ..derived
        },
        fixture
    );
    assert_eq!(
        s.output.as_deref(),
        Some(&*auto_run()),
        "kept for the export"
    );
}

#[test]
fn select_queue_filters_and_remembers() {
    let mut a = app();
    a.last_queue = Some("q1".into());
    update(&mut a, Msg::QueuesLoaded(Ok(queues())));
    // Sorted: Billing, Sales, Support; the last used (Support, q1) is preselected.
    assert_eq!(a.board_row(), 2);
    keys(&mut a, "/SUP");
    assert_eq!(a.board_rows().len(), 1);
    key(&mut a, KeyCode::Enter);
    let fx = key(&mut a, KeyCode::Enter);
    let support = NamedRef {
        id: "q1".into(),
        name: "Support".into(),
    };
    assert!(fx.contains(&Effect::SaveLastQueue(support)), "{fx:?}");
    assert_eq!(a.screen, Screen::Dashboard);
    assert!(matches!(
        a.session.as_ref().unwrap().stage,
        Stage::Fetching { .. }
    ));
}

#[test]
fn stale_results_for_a_queue_left_are_dropped() {
    let mut a = app();
    let old = ready_dashboard(&mut a);
    // Refresh starts a new job; the old job's late result must not replace anything.
    let fx = key(&mut a, KeyCode::Char('r'));
    let Some(Effect::FetchHistory { job: new, .. }) = fx.first().cloned() else {
        panic!("{fx:?}")
    };
    assert_ne!(new, old);
    let mut stale = run_of(None);
    stale.forecast.model = "stale".into();
    update(
        &mut a,
        Msg::ForecastReady {
            job: old,
            output: Arc::new(stale),
        },
    );
    let s = a.session.as_ref().unwrap();
    assert_eq!(s.forecast.as_ref().unwrap().model, "seasonal-naive");
    assert!(matches!(s.stage, Stage::Fetching { .. }));
    // Switching queues cancels the running job.
    key(&mut a, KeyCode::Char('Q'));
    key(&mut a, KeyCode::Esc); // clear filter "sal"; Sales stays selected
    key(&mut a, KeyCode::Home);
    let fx = key(&mut a, KeyCode::Enter); // Billing
    assert!(fx.contains(&Effect::Cancel(new)), "{fx:?}");
    let fx = update(
        &mut a,
        Msg::HistoryLoaded {
            job: new,
            result: Ok(history()),
        },
    );
    assert!(fx.is_empty());
    assert!(a.session.as_ref().unwrap().history.is_none());
}

#[test]
fn toggles_change_the_schedule() {
    let mut a = app();
    ready_dashboard(&mut a);
    assert_eq!(a.session.as_ref().unwrap().selected, vec![true, true, true]);
    key(&mut a, KeyCode::Char('j'));
    key(&mut a, KeyCode::Char(' '));
    assert_eq!(
        a.session.as_ref().unwrap().selected,
        vec![true, false, true]
    );
    let fx = key(&mut a, KeyCode::Char('c'));
    assert_eq!(
        fx,
        vec![
            Effect::LoadPending(a.review.as_ref().unwrap().form.queue.id.clone()),
            Effect::LoadContactLists,
            Effect::LoadScripts,
            Effect::LoadDialerPrereqs
        ]
    );
    assert_eq!(a.review.as_ref().unwrap().form.windows.len(), 2);
}

pub(super) fn filled_review(a: &mut App) {
    ready_dashboard(a);
    key(a, KeyCode::Char('c'));
    update(
        a,
        Msg::ContactListsLoaded(Ok(vec![NamedRef {
            id: "cl1".into(),
            name: "Renewals".into(),
        }])),
    );
    update(
        a,
        Msg::ScriptsLoaded(Ok(vec![
            NamedRef {
                id: "s1".into(),
                name: "A".into(),
            },
            NamedRef {
                id: "s2".into(),
                name: "B".into(),
            },
        ])),
    );
}

#[test]
fn validation_blocks_submit_and_marks_fields() {
    let mut a = app();
    filled_review(&mut a);
    let r = a.review.as_ref().unwrap();
    assert_eq!(r.form.contact_list, Some(0), "a single list is preselected");
    assert_eq!(r.form.script, None, "two scripts: the user chooses");
    let fx = key(&mut a, KeyCode::Char('s'));
    assert!(fx.is_empty());
    assert!(
        a.overlay.is_none(),
        "no confirmation while fields are invalid"
    );
    assert_eq!(a.review.as_ref().unwrap().focus, 2, "focus jumps to Script");
}

pub(super) fn fill_and_confirm(a: &mut App) {
    filled_review(a);
    // Script: next option.
    key(a, KeyCode::Char('j'));
    key(a, KeyCode::Char('j'));
    key(a, KeyCode::Char('l'));
    // Caller name (focus 4) and address (5).
    key(a, KeyCode::Char('j'));
    key(a, KeyCode::Char('j'));
    key(a, KeyCode::Enter);
    keys(a, "Acme");
    key(a, KeyCode::Enter);
    key(a, KeyCode::Char('j'));
    key(a, KeyCode::Enter);
    keys(a, "+13175550100");
    key(a, KeyCode::Enter);
    let r = a.review.as_ref().unwrap();
    assert_eq!(r.form.caller_name, "Acme");
    assert_eq!(r.form.script, Some(0));
    key(a, KeyCode::Char('s'));
    assert!(matches!(a.overlay, Some(Overlay::Confirm { .. })));
}

#[test]
fn submit_is_sent_once_and_double_submit_is_inert() {
    let mut a = app();
    fill_and_confirm(&mut a);
    let fx = key(&mut a, KeyCode::Char('y'));
    let [Effect::Submit { job, request }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert_eq!(request.campaign.campaign_status, Some(CampaignStatus::Off));
    assert_eq!(request.campaign.script.as_ref().unwrap().id, "s1");
    let marker = a.review.as_ref().unwrap().form.marker.clone();
    assert_eq!(marker.len(), 6, "each draft carries its own marker");
    assert_eq!(
        request.campaign.name,
        format!("Sales quiet hours 2024-06-01 #{marker}")
    );
    assert_eq!(request.schedule.intervals.len(), 3);
    assert_eq!(
        request.schedule.time_zone.as_deref(),
        Some("America/Chicago")
    );
    assert!(!request.lookup_by_name_first);
    assert!(request.existing.is_none());
    // Pressing submit again while in flight does nothing.
    assert!(key(&mut a, KeyCode::Char('s')).is_empty());
    assert!(a.overlay.is_none());
    // Editing is locked while in flight.
    key(&mut a, KeyCode::Enter);
    assert!(!a.review.as_ref().unwrap().editing);
    update(
        &mut a,
        Msg::SubmitFinished {
            job: *job,
            outcome: SubmitOutcome::Done {
                id: "c1".into(),
                self_uri: "/api/v2/outbound/campaigns/c1".into(),
                scheduled: true,
                errors: vec![],
            },
        },
    );
    assert!(matches!(
        a.review.as_ref().unwrap().submit,
        SubmitState::Done { .. }
    ));
    assert!(key(&mut a, KeyCode::Char('s')).is_empty(), "never twice");
}

#[test]
fn failed_submit_keeps_form_and_retry_after_timeout_looks_up_by_name() {
    let mut a = app();
    fill_and_confirm(&mut a);
    let fx = key(&mut a, KeyCode::Char('y'));
    let Some(Effect::Submit { job, .. }) = fx.first().cloned() else {
        panic!()
    };
    // A result for another job is ignored.
    update(
        &mut a,
        Msg::SubmitFinished {
            job: job + 100,
            outcome: SubmitOutcome::Done {
                id: "x".into(),
                self_uri: "x".into(),
                scheduled: true,
                errors: vec![],
            },
        },
    );
    assert!(matches!(
        a.review.as_ref().unwrap().submit,
        SubmitState::InFlight { .. }
    ));
    update(
        &mut a,
        Msg::SubmitFinished {
            job,
            outcome: SubmitOutcome::Failed {
                error: ApiFailure {
                    message: "timed out".into(),
                    correlation_id: Some("corr-1".into()),
                },
                timed_out: true,
            },
        },
    );
    assert_eq!(a.review.as_ref().unwrap().form.caller_name, "Acme");
    key(&mut a, KeyCode::Char('s'));
    let fx = key(&mut a, KeyCode::Char('y'));
    let [Effect::Submit { request, .. }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert!(request.lookup_by_name_first);
    assert!(
        !request.check_only,
        "a lookup answered: submitting again may create"
    );
}

/// Issue 17: after an ambiguous create whose lookups all failed, the state is unknown, the
/// form is locked, and the submit key only checks again (no confirm, never a create) with
/// exactly the request that was sent.
#[test]
fn unknown_outcome_disables_submit_and_only_checks_again() {
    let mut a = app();
    fill_and_confirm(&mut a);
    let fx = key(&mut a, KeyCode::Char('y'));
    let [Effect::Submit { job, request: sent }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    let (job, sent) = (*job, sent.clone());
    update(
        &mut a,
        Msg::SubmitFinished {
            job,
            outcome: SubmitOutcome::Unknown {
                error: ApiFailure {
                    message: "unknown whether campaign was created: HTTP 503".into(),
                    correlation_id: None,
                },
            },
        },
    );
    let r = a.review.as_ref().unwrap();
    assert!(matches!(r.submit, SubmitState::Unknown { .. }));
    assert!(r.locked(), "the name that was sent must not change");
    let before = r.form.name.clone();
    key(&mut a, KeyCode::Enter);
    keys(&mut a, "zz");
    assert_eq!(a.review.as_ref().unwrap().form.name, before);
    let fx = key(&mut a, KeyCode::Char('s'));
    assert!(a.overlay.is_none(), "a lookup needs no confirm");
    let [Effect::Submit { request, .. }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert!(request.check_only, "check again never creates");
    assert_eq!(
        request.campaign, sent.campaign,
        "the exact name that was sent"
    );
}

/// A submission an earlier run left unresolved (data dir) shows as unknown on opening.
#[test]
fn a_pending_submission_from_an_earlier_run_shows_as_unknown() {
    let mut a = app();
    fill_and_confirm(&mut a);
    let fx = key(&mut a, KeyCode::Char('y'));
    let [Effect::Submit { request, .. }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    let request = (**request).clone();
    // A fresh app (a restart) opening the same queue.
    let mut b = app();
    filled_review(&mut b);
    let queue_id = b.review.as_ref().unwrap().form.queue.id.clone();
    update(
        &mut b,
        Msg::PendingLoaded {
            queue_id,
            result: Ok(Some(Box::new(request.clone()))),
        },
    );
    let SubmitState::Unknown { request: kept, .. } = &b.review.as_ref().unwrap().submit else {
        panic!("{:?}", b.review.as_ref().unwrap().submit)
    };
    assert_eq!(kept.campaign.name, request.campaign.name);
    let fx = key(&mut b, KeyCode::Char('s'));
    let [Effect::Submit { request: check, .. }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert!(check.check_only);
}

#[test]
fn export_prompt_defaults_and_confirms_overwrite() {
    let mut a = app();
    ready_dashboard(&mut a);
    key(&mut a, KeyCode::Char('e'));
    let Some(Overlay::Export(p)) = &a.overlay else {
        panic!()
    };
    assert_eq!(p.path, "./forecast_Sales_2024-06-01.json");
    key(&mut a, KeyCode::Tab);
    let fx = key(&mut a, KeyCode::Enter);
    let [
        Effect::Export {
            path,
            format,
            overwrite: false,
            forecast,
            history,
            selected,
            windows,
        },
    ] = fx.as_slice()
    else {
        panic!("{fx:?}")
    };
    // The flags index the windows on screen, which the export carries with them.
    let shown = a.session.as_ref().unwrap().forecast.as_ref().unwrap();
    let shown: Vec<_> = shown.windows.iter().map(|w| (w.start, w.end)).collect();
    assert_eq!(windows, &shown);
    assert_eq!(windows.len(), selected.len());
    // The CSV's actuals and selected flags come with it.
    let s = a.session.as_ref().unwrap();
    assert!(
        history.is_some()
            && history.as_ref().map(|h| h.series.points.len())
                == s.history.as_ref().map(|h| h.series.points.len())
    );
    assert_eq!(selected, &s.selected);
    assert_eq!(path.to_str(), Some("./forecast_Sales_2024-06-01.csv"));
    let on_screen = a.session.as_ref().unwrap().output.clone().unwrap();
    assert!(
        Arc::ptr_eq(forecast, &on_screen),
        "the export writes the forecast the App shows"
    );
    update(
        &mut a,
        Msg::ExportExists {
            path: path.clone(),
            format: *format,
        },
    );
    let fx = key(&mut a, KeyCode::Char('y'));
    assert!(
        matches!(
            fx.as_slice(),
            [Effect::Export {
                overwrite: true,
                forecast,
                ..
            }] if Arc::ptr_eq(forecast, &on_screen)
        ),
        "{fx:?}"
    );
    assert!(matches!(&a.overlay, Some(Overlay::Export(p)) if p.writing));
    update(&mut a, Msg::ExportFinished(Err("disk full".into())));
    let Some(Overlay::Export(p)) = &a.overlay else {
        panic!("the prompt stays to retry")
    };
    assert_eq!((p.writing, p.error.as_deref()), (false, Some("disk full")));
    update(
        &mut a,
        Msg::ExportFinished(Ok("./forecast_Sales_2024-06-01.csv".into())),
    );
    assert!(a.overlay.is_none());
    assert_eq!(a.toasts.last().unwrap().level, Level::Info);
}

pub(super) fn render(a: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| queuecast::tui::ui::draw(f, a)).unwrap();
    let buf = t.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..h {
        for x in 0..w {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

#[test]
fn snapshots_at_80x24_and_120x40() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut a = app();
        ready_dashboard(&mut a);
        show_fixture_view(&mut a);
        let dash = render(&a, w, h);
        assert!(dash.contains("SANDBOX") && dash.contains('#'), "{dash}");
        insta::assert_snapshot!(format!("dashboard_{w}x{h}"), dash);
        key(&mut a, KeyCode::F(1));
        insta::assert_snapshot!(format!("help_{w}x{h}"), render(&a, w, h));
        key(&mut a, KeyCode::Esc);
        key(&mut a, KeyCode::Char('c'));
        update(&mut a, Msg::ContactListsLoaded(Ok(vec![])));
        let review = render(&a, w, h);
        assert!(review.contains("✗"), "invalid fields are marked");
        insta::assert_snapshot!(format!("review_{w}x{h}"), review);
    }
}

#[test]
fn too_small_terminal_says_so() {
    let a = app();
    let s = render(&a, 60, 20);
    assert!(s.contains("terminal too small (60×20, need 80×23)"), "{s}");
}

/// Issue 16: the help was a fixed 64 columns that cut lines and, with more keys, rows. At
/// 80×23 and 120×40 every dashboard and global key is listed with its whole description.
#[test]
fn help_lists_every_key_whole_at_80x23_and_120x40() {
    use queuecast::tui::keymap::Context;
    let mut a = app();
    update(&mut a, Msg::QueuesLoaded(Ok(queues())));
    ready_dashboard(&mut a);
    key(&mut a, KeyCode::F(1));
    for (w, h) in [(80, 23), (120, 40)] {
        let s = render(&a, w, h);
        assert!(!s.contains("more: enlarge"), "{s}");
        for ctx in [Context::Dashboard, Context::Global] {
            for cmd in ctx.commands() {
                assert!(s.contains(cmd.describe()), "{w}x{h}: {cmd:?} missing\n{s}");
            }
        }
    }
}

/// 80×23 is an 80×24 terminal under tmux's status line: the dashboard works there.
#[test]
fn the_dashboard_draws_at_80x23() {
    let mut a = app();
    update(&mut a, Msg::QueuesLoaded(Ok(queues())));
    ready_dashboard(&mut a);
    show_fixture_view(&mut a);
    let s = render(&a, 80, 23);
    assert!(
        !s.contains("too small") && s.contains("SANDBOX") && s.contains('#'),
        "{s}"
    );
}

/// While the terminal is under the minimum only "too small" is drawn, so no key but quit
/// acts: neither `s` nor a `y` answering a confirm nobody can see sends a campaign.
#[test]
fn keys_are_ignored_while_the_terminal_is_too_small() {
    let mut a = app();
    fill_and_confirm(&mut a);
    update(
        &mut a,
        Msg::Resize {
            width: 60,
            height: 20,
        },
    );
    assert!(key(&mut a, KeyCode::Char('y')).is_empty());
    update(
        &mut a,
        Msg::Resize {
            width: 200,
            height: 50,
        },
    );
    assert!(
        matches!(a.overlay, Some(Overlay::Confirm { .. })),
        "still open, unanswered"
    );
    key(&mut a, KeyCode::Char('n'));
    update(
        &mut a,
        Msg::Resize {
            width: 79,
            height: 40,
        },
    );
    assert!(key(&mut a, KeyCode::Char('s')).is_empty());
    assert!(a.overlay.is_none(), "s did not open a confirm off-screen");
    update(
        &mut a,
        Msg::Resize {
            width: 80,
            height: 23,
        },
    );
    key(&mut a, KeyCode::Char('s'));
    assert!(
        matches!(a.overlay, Some(Overlay::Confirm { .. })),
        "keys act again"
    );
}

#[test]
fn ctrl_c_quits_even_while_typing() {
    let mut a = app();
    update(&mut a, Msg::QueuesLoaded(Ok(queues())));
    keys(&mut a, "/q");
    assert!(!a.quit, "q is filter text while filtering");
    let fx = update(
        &mut a,
        Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    );
    assert!(a.quit && fx.contains(&Effect::Quit));
}

#[test]
fn quitting_with_an_unsent_draft_asks_first() {
    let mut a = app();
    fill_and_confirm(&mut a);
    key(&mut a, KeyCode::Char('n'));
    assert!(a.overlay.is_none());
    let fx = key(&mut a, KeyCode::Char('q'));
    assert!(fx.is_empty() && !a.quit, "asks instead of quitting");
    assert!(matches!(a.overlay, Some(Overlay::Confirm { .. })));
    let fx = key(&mut a, KeyCode::Char('y'));
    assert!(a.quit && fx.contains(&Effect::Quit));
}

#[test]
fn preview_scrolls_with_page_keys() {
    let mut a = app();
    filled_review(&mut a);
    key(&mut a, KeyCode::PageDown);
    key(&mut a, KeyCode::PageDown);
    key(&mut a, KeyCode::PageUp);
    assert_eq!(a.review.as_ref().unwrap().preview_scroll, 5);
}

#[test]
fn model_table_switches_model_without_refetching() {
    let mut a = app();
    let first = ready_dashboard(&mut a);
    key(&mut a, KeyCode::Char('H')); // pan: a switch must keep the analyst's view
    let view = a.session.as_ref().unwrap().view;
    key(&mut a, KeyCode::Char('m'));
    assert_eq!(
        a.overlay,
        Some(Overlay::Models { row: 0 }),
        "the model in use"
    );
    key(&mut a, KeyCode::Char('j'));
    let fx = key(&mut a, KeyCode::Enter);
    let Some(Effect::Fit {
        job,
        model,
        history,
    }) = fx.first().cloned()
    else {
        panic!("{fx:?}")
    };
    assert_eq!(fx.len(), 1, "no history fetch: {fx:?}");
    let fetched = a.session.as_ref().unwrap().history.clone().unwrap();
    assert!(Arc::ptr_eq(&history, &fetched), "the fetched history again");
    assert_eq!(model, "mstl-ets");
    assert_ne!(job, first);
    assert!(a.overlay.is_none());
    assert_eq!(a.busy().as_deref(), Some("fitting mstl-ets"));
    // The earlier job's late answer is stale.
    update(
        &mut a,
        Msg::ForecastReady {
            job: first,
            output: auto_run(),
        },
    );
    assert_eq!(a.session.as_ref().unwrap().stage, Stage::Fitting);
    update(
        &mut a,
        Msg::ForecastReady {
            job,
            output: named_run("mstl-ets"),
        },
    );
    let s = a.session.as_ref().unwrap();
    let f = s.forecast.as_ref().unwrap();
    assert_eq!(
        (f.model.as_str(), s.model.as_str()),
        ("mstl-ets", "mstl-ets")
    );
    assert_eq!(f.tournament.len(), 4, "the auto table stays to compare");
    assert_eq!(f.auto_pick.as_deref(), Some("seasonal-naive"));
    assert_eq!(f.reason, forecast().reason, "auto's reason stays on screen");
    // The same table goes into the export, with both choices named.
    let sel = s.output.as_ref().unwrap().selection.as_ref().unwrap();
    assert_eq!(sel.backtest.len(), 4);
    assert!(
        sel.reason
            .as_deref()
            .unwrap()
            .starts_with("chosen by the analyst in the dashboard; auto picked seasonal-naive"),
        "{sel:?}"
    );
    assert_eq!(s.view, view, "pan and zoom kept across a model switch");
    let screen = render(&a, 120, 40);
    assert!(screen.contains("mstl-ets (your choice)"), "{screen}");
    // Back to auto's pick means back to `auto`, so a refresh runs the tournament again.
    key(&mut a, KeyCode::Char('m'));
    assert_eq!(a.overlay, Some(Overlay::Models { row: 1 }));
    key(&mut a, KeyCode::Char('k'));
    let fx = key(&mut a, KeyCode::Enter);
    assert!(
        matches!(&fx[..], [Effect::Fit { model, .. }] if model == "auto"),
        "{fx:?}"
    );
}

#[test]
fn choosing_the_model_already_shown_does_nothing() {
    let mut a = app();
    ready_dashboard(&mut a);
    key(&mut a, KeyCode::Char('m'));
    let fx = key(&mut a, KeyCode::Enter);
    assert!(fx.is_empty(), "{fx:?}");
    assert!(a.overlay.is_none());
    assert_eq!(a.session.as_ref().unwrap().stage, Stage::Ready);
}

#[test]
fn refresh_refits_the_analysts_model_and_a_failed_switch_reverts() {
    let mut a = app();
    ready_dashboard(&mut a);
    key(&mut a, KeyCode::Char('m'));
    key(&mut a, KeyCode::Char('j'));
    key(&mut a, KeyCode::Char('j'));
    let fx = key(&mut a, KeyCode::Enter);
    let Some(Effect::Fit { job, model, .. }) = fx.first().cloned() else {
        panic!("{fx:?}")
    };
    assert_eq!(model, "prophet-tuned");
    update(
        &mut a,
        Msg::FitFailed {
            job,
            message: "boom".into(),
        },
    );
    let s = a.session.as_ref().unwrap();
    assert_eq!(s.model, "auto", "the forecast on screen is still auto's");
    // Switch successfully, then refresh: the fit after the fetch uses the analyst's model.
    key(&mut a, KeyCode::Char('m'));
    key(&mut a, KeyCode::Char('j'));
    let fx = key(&mut a, KeyCode::Enter);
    let Some(Effect::Fit { job, .. }) = fx.first().cloned() else {
        panic!("{fx:?}")
    };
    update(
        &mut a,
        Msg::ForecastReady {
            job,
            output: named_run("mstl-ets"),
        },
    );
    let fresh = history();
    let (job, fx) = refresh(&mut a, fresh.clone());
    assert_eq!(
        fx,
        vec![Effect::Fit {
            job,
            model: "mstl-ets".into(),
            history: fresh
        }]
    );
}

#[test]
fn refresh_keeps_toggles_of_windows_that_still_exist() {
    let mut a = app();
    ready_dashboard(&mut a);
    key(&mut a, KeyCode::Char(' ')); // window 0 off
    key(&mut a, KeyCode::Char('j'));
    key(&mut a, KeyCode::Char(' ')); // window 1 off
    let (job, _) = refresh(&mut a, history());
    let mut next = run_of(None);
    let w = &mut next.windows.windows;
    // Window 1 moved by an hour: it is a different window now. Window 0 is unchanged.
    w[1].end += chrono::TimeDelta::hours(1);
    w.push(Window {
        start: w[2].start + chrono::TimeDelta::days(1),
        end: w[2].end + chrono::TimeDelta::days(1),
        mean_yhat: 8.0,
        expected_contacts: 16.0,
        buckets: 2,
    });
    update(
        &mut a,
        Msg::ForecastReady {
            job,
            output: Arc::new(next),
        },
    );
    let s = a.session.as_ref().unwrap();
    assert_eq!(s.selected, vec![false, true, true, true]);
    assert_eq!(s.table_row, 1, "the table keeps its row");
}

#[test]
fn sigterm_or_sighup_quits_without_asking() {
    let mut a = app();
    filled_review(&mut a);
    key(&mut a, KeyCode::Enter); // edit the name
    keys(&mut a, "x");
    let fx = update(&mut a, Msg::Terminate);
    assert!(a.quit && fx.contains(&Effect::Quit), "{fx:?}");
}

#[test]
fn any_edit_of_the_draft_asks_before_quitting() {
    // Untouched: nothing to lose.
    let mut a = app();
    filled_review(&mut a);
    let fx = key(&mut a, KeyCode::Char('q'));
    assert!(a.quit && fx.contains(&Effect::Quit), "{fx:?}");
    // Only the dialing mode changed (focus 3).
    let mut a = app();
    filled_review(&mut a);
    for _ in 0..3 {
        key(&mut a, KeyCode::Char('j'));
    }
    key(&mut a, KeyCode::Char('l'));
    let fx = key(&mut a, KeyCode::Char('q'));
    assert!(fx.is_empty() && !a.quit, "{fx:?}");
    assert!(matches!(a.overlay, Some(Overlay::Confirm { .. })));
    // Only a character deleted from the default name.
    let mut a = app();
    filled_review(&mut a);
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Backspace);
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Char('q'));
    assert!(!a.quit && matches!(a.overlay, Some(Overlay::Confirm { .. })));
}

#[test]
fn status_bar_shows_org_and_keeps_hints_at_80_columns() {
    let mut a = app();
    update(&mut a, Msg::OrgLoaded(Ok("Acme Contact Centre".into())));
    update(&mut a, Msg::QueuesLoaded(Ok(queues())));
    let picker = render(&a, 120, 40);
    let last = picker.lines().last().unwrap();
    assert!(
        last.contains("Acme Contact Centre · mypurecloud.ie"),
        "{last}"
    );
    assert!(last.contains("SANDBOX"), "{last}");
    // A long queue name must not push the key hints off an 80-column screen.
    a.queues = queuecast::tui::app::Loadable::Ready(vec![NamedRef {
        id: "q0".into(),
        name: "Electricity E&W (MW/100 per 30 min) overflow".into(),
    }]);
    let fx = key(&mut a, KeyCode::Enter);
    let Some(Effect::FetchHistory { job, .. }) = fx.last().cloned() else {
        panic!("{fx:?}")
    };
    arrive(&mut a, job, history(), auto_run());
    let dash = render(&a, 80, 24);
    let last = dash.lines().last().unwrap();
    assert!(
        last.contains("SANDBOX") && last.contains("Electricity"),
        "{last}"
    );
    assert!(
        last.contains("space toggle") && last.contains("? help"),
        "{last}"
    );
    assert!(last.contains("m models"), "{last}");
    assert!(
        last.contains("refreshed 09:05"),
        "the name is cut before the time: {last}"
    );
    assert!(last.contains('…'), "{last}");
}

#[test]
fn model_table_snapshots() {
    for (w, h) in [(80, 23), (80, 24), (100, 30), (120, 40)] {
        let mut a = app();
        ready_dashboard(&mut a);
        show_fixture_view(&mut a);
        key(&mut a, KeyCode::Char('m'));
        let screen = render(&a, w, h);
        for needle in ["seasonal-naive", "prophet-seed", "conformal", "lowest"] {
            assert!(screen.contains(needle), "{needle}: {screen}");
        }
        insta::assert_snapshot!(format!("models_{w}x{h}"), screen);
    }
}

#[test]
fn refresh_keeps_the_analysts_pan_and_zoom_and_reset_still_resets() {
    let mut a = app();
    ready_dashboard(&mut a);
    let initial = a.session.as_ref().unwrap().view.unwrap();
    key(&mut a, KeyCode::Char('+'));
    key(&mut a, KeyCode::Char('H'));
    key(&mut a, KeyCode::Char('H'));
    let zoomed = a.session.as_ref().unwrap().view.unwrap();
    assert!(
        zoomed.end - zoomed.start < initial.end - initial.start && zoomed.end < initial.end,
        "{zoomed:?} vs {initial:?}"
    );
    let (job, _) = refresh(&mut a, history());
    assert_eq!(a.session.as_ref().unwrap().view.as_ref(), Some(&zoomed));
    update(
        &mut a,
        Msg::ForecastReady {
            job,
            output: auto_run(),
        },
    );
    assert_eq!(
        a.session.as_ref().unwrap().view.as_ref(),
        Some(&zoomed),
        "the refreshed forecast keeps the view the analyst chose"
    );
    key(&mut a, KeyCode::Char('0'));
    assert_eq!(a.session.as_ref().unwrap().view.as_ref(), Some(&initial));
}

/// Issue 16: a week was 168 presses. Day, page, first/last and window jumps move the cursor
/// in one key each, stay on the bucket grid and inside the data, and the view follows.
#[test]
fn the_cursor_jumps_by_day_page_window_and_to_either_end() {
    let mut a = app();
    ready_dashboard(&mut a);
    let view = |a: &App| a.session.as_ref().unwrap().view.unwrap();
    let e = a.session.as_ref().unwrap().extent().unwrap();
    let c0 = view(&a).cursor;
    key(&mut a, KeyCode::Char(']'));
    assert_eq!(view(&a).cursor, c0 + 86_400.0);
    key(&mut a, KeyCode::Char('['));
    key(&mut a, KeyCode::Char('['));
    assert_eq!(view(&a).cursor, c0 - 86_400.0);
    key(&mut a, KeyCode::Char('+'));
    key(&mut a, KeyCode::Char('+'));
    let span = view(&a).span();
    key(&mut a, KeyCode::PageUp);
    assert!(c0 - 86_400.0 - span > e.lo);
    assert_eq!(view(&a).cursor, c0 - 86_400.0 - span);
    key(&mut a, KeyCode::Home);
    let v = view(&a);
    assert_eq!(
        (v.cursor, v.start),
        (e.lo, e.lo),
        "the view followed to the start"
    );
    key(&mut a, KeyCode::PageUp);
    assert_eq!(view(&a).cursor, e.lo, "nothing before the data");
    key(&mut a, KeyCode::End);
    let v = view(&a);
    assert_eq!((v.cursor, v.end), (e.hi - e.bucket, e.hi));
    key(&mut a, KeyCode::PageDown);
    assert_eq!(view(&a).cursor, e.hi - e.bucket, "nothing after the data");

    let starts: Vec<f64> = a
        .session
        .as_ref()
        .unwrap()
        .forecast
        .as_ref()
        .unwrap()
        .windows
        .iter()
        .map(|w| w.start.timestamp() as f64)
        .collect();
    assert!(starts.len() >= 2, "{starts:?}");
    key(&mut a, KeyCode::Home);
    for (row, &t) in starts.iter().enumerate() {
        key(&mut a, KeyCode::Char('n'));
        assert_eq!(view(&a).cursor, t, "window {row}");
        assert_eq!(a.session.as_ref().unwrap().table_row, row);
    }
    key(&mut a, KeyCode::Char('n'));
    assert_eq!(
        view(&a).cursor,
        *starts.last().unwrap(),
        "no window after the last"
    );
    key(&mut a, KeyCode::Char('N'));
    assert_eq!(view(&a).cursor, starts[starts.len() - 2]);
    assert_eq!(a.session.as_ref().unwrap().table_row, starts.len() - 2);
}

#[test]
fn a_refresh_with_less_history_pulls_the_view_back_inside_the_data() {
    let mut a = app();
    ready_dashboard(&mut a);
    for _ in 0..6 {
        key(&mut a, KeyCode::Char('H'));
    }
    // The refetch comes back with only the last 3 days of history.
    let short = last_days(3);
    let first = short.series.points[0].ts.timestamp() as f64;
    refresh(&mut a, short);
    let v = a.session.as_ref().unwrap().view.unwrap();
    assert!(v.start >= first, "{v:?} starts before the data at {first}");
    assert!(
        (v.start..v.end).contains(&v.cursor),
        "the cursor stays in view: {v:?}"
    );
}

#[test]
fn the_queue_named_on_the_command_line_opens_when_the_list_arrives() {
    let mut a = app();
    a.initial_queue = Some("support".into());
    let fx = update(&mut a, Msg::QueuesLoaded(Ok(queues())));
    assert!(
        matches!(&fx[..], [Effect::ForecastQueues { .. }, Effect::SaveLastQueue(q),
            Effect::FetchHistory { queue, .. }] if q.id == "q1" && queue.name == "Support"),
        "{fx:?}"
    );
    assert_eq!(a.screen, Screen::Dashboard);
    assert_eq!(a.initial_queue, None, "used once");
    // By id too; an unknown name leaves the board up and says so.
    let mut a = app();
    a.initial_queue = Some("q2".into());
    let fx = update(&mut a, Msg::QueuesLoaded(Ok(queues())));
    assert!(
        matches!(&fx[..], [_, _, Effect::FetchHistory { queue, .. }] if queue.name == "Billing")
    );
    let mut a = app();
    a.initial_queue = Some("Sals".into());
    let fx = update(&mut a, Msg::QueuesLoaded(Ok(queues())));
    assert!(matches!(&fx[..], [Effect::ForecastQueues { .. }]), "{fx:?}");
    assert_eq!(a.screen, Screen::Board);
    let t = a.toasts.last().unwrap();
    assert_eq!(
        (t.level, t.text.as_str()),
        (
            Level::Error,
            "no queue named \"Sals\"; pick one from the board"
        )
    );
}

#[test]
fn a_model_switch_while_the_fresh_history_is_still_fitting_sends_that_history() {
    let mut a = app();
    ready_dashboard(&mut a);
    let fresh = last_days(10);
    let (job, _) = refresh(&mut a, fresh.clone());
    key(&mut a, KeyCode::Char('m'));
    key(&mut a, KeyCode::Char('j'));
    let fx = key(&mut a, KeyCode::Enter);
    let [
        Effect::Cancel(cancelled),
        Effect::Fit { history, model, .. },
    ] = &fx[..]
    else {
        panic!("{fx:?}")
    };
    assert_eq!(*cancelled, job, "the running fit is cancelled");
    assert_eq!(model, "mstl-ets");
    assert!(
        Arc::ptr_eq(history, &fresh),
        "the refreshed history, not the first one"
    );
}

#[test]
fn a_paste_types_into_the_field_and_never_submits() {
    let mut a = app();
    fill_and_confirm(&mut a);
    key(&mut a, KeyCode::Char('n'));
    assert!(a.overlay.is_none());
    // Edit the caller name (focus 4) and paste a line break, `s` and `y` into it.
    key(&mut a, KeyCode::Up);
    key(&mut a, KeyCode::Enter);
    let fx = update(&mut a, Msg::Paste("x\nsy\r\n\u{1b}[2J".into()));
    assert!(fx.is_empty(), "{fx:?}");
    assert!(a.overlay.is_none(), "{:?}", a.overlay);
    let r = a.review.as_ref().unwrap();
    assert_eq!(r.form.caller_name, "Acmexsy[2J");
    assert!(r.editing, "a pasted line break does not end the edit");
}

#[test]
fn a_paste_with_no_field_being_edited_is_dropped_with_a_note() {
    let mut a = app();
    fill_and_confirm(&mut a);
    // The confirm is open: a pasted `y` must not answer it.
    let fx = update(&mut a, Msg::Paste("y".into()));
    assert!(fx.is_empty(), "{fx:?}");
    assert!(matches!(a.overlay, Some(Overlay::Confirm { .. })));
    assert!(a.toasts.iter().any(|t| t.text.contains("paste ignored")));
    // The board's filter, once `/` opened it, takes a paste as one line.
    let mut a = app();
    update(&mut a, Msg::QueuesLoaded(Ok(queues())));
    keys(&mut a, "/");
    update(&mut a, Msg::Paste("Sup\nport\t".into()));
    assert_eq!(a.board.filter, "Support ");
}

#[test]
fn enter_does_not_confirm_only_y_does() {
    let mut a = app();
    fill_and_confirm(&mut a);
    let fx = key(&mut a, KeyCode::Enter);
    assert!(fx.is_empty(), "{fx:?}");
    assert!(matches!(a.overlay, Some(Overlay::Confirm { .. })));
    let fx = key(&mut a, KeyCode::Char('y'));
    assert!(matches!(fx.as_slice(), [Effect::Submit { .. }]), "{fx:?}");
}

#[test]
fn ctrl_c_with_an_unsent_draft_asks_like_q() {
    let ctrl_c = |a: &mut App| {
        update(
            a,
            Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
        )
    };
    let mut a = app();
    filled_review(&mut a);
    key(&mut a, KeyCode::Enter);
    keys(&mut a, " draft");
    // Even while typing into the field.
    let fx = ctrl_c(&mut a);
    assert!(fx.is_empty() && !a.quit, "{fx:?}");
    assert!(matches!(a.overlay, Some(Overlay::Confirm { .. })));
    // A second Ctrl-C answers no; the draft stays.
    ctrl_c(&mut a);
    assert!(a.overlay.is_none() && !a.quit);
    ctrl_c(&mut a);
    let fx = key(&mut a, KeyCode::Char('y'));
    assert!(a.quit && fx.contains(&Effect::Quit), "{fx:?}");
    // With nothing to lose Ctrl-C quits at once.
    let mut a = app();
    ready_dashboard(&mut a);
    let fx = ctrl_c(&mut a);
    assert!(a.quit && fx.contains(&Effect::Quit), "{fx:?}");
}

#[test]
fn server_text_in_a_toast_loses_its_escape_sequences() {
    let mut a = app();
    update(
        &mut a,
        Msg::OrgLoaded(Err("HTTP 500: \u{1b}]0;pwned\u{7}\u{1b}[2Jgone".into())),
    );
    let t = &a.toasts.last().unwrap().text;
    assert!(!t.contains('\u{1b}') && !t.contains('\u{7}'), "{t:?}");
    assert!(t.ends_with("HTTP 500: ]0;pwned[2Jgone"), "{t:?}");
}

/// Dialing modes other than preview need a site and a response set: the org's default site
/// (`organizations/me` `defaultSiteId`) and a single response set are preselected, and the
/// body then carries them with the abandon rate.
#[test]
fn dialing_modes_take_the_default_site_and_send_their_fields() {
    let mut a = app();
    fill_and_confirm(&mut a);
    a.overlay = None;
    let site = |id: &str| NamedRef {
        id: id.into(),
        name: format!("Site {id}"),
    };
    update(
        &mut a,
        Msg::DialerPrereqsLoaded {
            sites: Ok(vec![site("a"), site("b")]),
            default_site_id: Some("b".into()),
            response_sets: Ok(vec![NamedRef {
                id: "rs".into(),
                name: "Live to agent".into(),
            }]),
        },
    );
    let r = a.review.as_mut().unwrap();
    assert_eq!(r.form.site.as_ref().map(|s| s.id.as_str()), Some("b"));
    assert_eq!(
        r.form.response_set.as_ref().map(|s| s.id.as_str()),
        Some("rs")
    );
    // Progressive (the mode after preview).
    r.form.dialing_mode = 1;
    let fx = {
        key(&mut a, KeyCode::Char('s'));
        key(&mut a, KeyCode::Char('y'))
    };
    let [Effect::Submit { request, .. }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    let c = &request.campaign;
    assert_eq!(c.dialing_mode.as_str(), "progressive");
    assert_eq!(c.site.as_ref().map(|s| s.id.as_str()), Some("b"));
    assert_eq!(
        c.call_analysis_response_set.as_ref().map(|s| s.id.as_str()),
        Some("rs")
    );
    assert_eq!(c.abandon_rate, Some(3.0));
}

/// An org without sites cannot run a dialing mode: the review says so and blocks the submit.
#[test]
fn an_org_without_sites_blocks_dialing_modes_with_the_reason() {
    let mut a = app();
    fill_and_confirm(&mut a);
    a.overlay = None;
    update(
        &mut a,
        Msg::DialerPrereqsLoaded {
            sites: Ok(vec![]),
            default_site_id: None,
            response_sets: Ok(vec![]),
        },
    );
    a.review.as_mut().unwrap().form.dialing_mode = 2;
    let fx = key(&mut a, KeyCode::Char('s'));
    assert!(fx.is_empty());
    assert!(
        a.overlay.is_none(),
        "no confirm while the mode lacks its site"
    );
    let r = a.review.as_ref().unwrap();
    assert_eq!(
        queuecast::campaign::Field::ALL[r.focus],
        queuecast::campaign::Field::Site
    );
}

/// Issue 12: once the campaign exists, other windows and a submit replace *its* schedule
/// (the request carries the campaign, so the service only PUTs), never a second campaign.
#[test]
fn a_submit_after_the_campaign_exists_updates_its_schedule() {
    let mut a = app();
    fill_and_confirm(&mut a);
    let fx = key(&mut a, KeyCode::Char('y'));
    let [Effect::Submit { job, .. }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    let job = *job;
    update(
        &mut a,
        Msg::SubmitFinished {
            job,
            outcome: SubmitOutcome::Done {
                id: "c1".into(),
                self_uri: "/api/v2/outbound/campaigns/c1".into(),
                scheduled: true,
                errors: vec![],
            },
        },
    );
    // The dashboard says the campaign exists, with its id and schedule.
    let status = queuecast::tui::screens::dashboard::campaign_status(&a).unwrap();
    assert!(
        status.ends_with("\" c1 · scheduled, 3 window(s)"),
        "{status}"
    );
    // Same windows: nothing to send.
    assert!(key(&mut a, KeyCode::Char('s')).is_empty());
    assert!(a.overlay.is_none());
    // Back to the dashboard, drop the second window, review again.
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Char('j'));
    key(&mut a, KeyCode::Char(' '));
    key(&mut a, KeyCode::Char('c'));
    assert_eq!(a.review.as_ref().unwrap().form.windows.len(), 2);
    let status = queuecast::tui::screens::dashboard::campaign_status(&a).unwrap();
    assert!(
        status.ends_with("selection changed: submit to update"),
        "{status}"
    );
    key(&mut a, KeyCode::Char('s'));
    let Some(Overlay::Confirm { text, .. }) = &a.overlay else {
        panic!("{:?}", a.overlay)
    };
    assert!(
        text.starts_with("Update the schedule of campaign c1? Genesys will start dialing"),
        "{text}"
    );
    assert!(text.ends_with("; 2 window(s)."), "{text}");
    let fx = key(&mut a, KeyCode::Char('y'));
    let [Effect::Submit { request, .. }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert_eq!(
        request.existing,
        Some(("c1".into(), "/api/v2/outbound/campaigns/c1".into())),
        "the same campaign: only its schedule is sent"
    );
    assert_eq!(request.schedule.intervals.len(), 2);
}

/// The board's row of a finished run: two weeks of history and the forecast week binned for
/// the sparkline, the first window, the chosen model's error vs naive, the drift verdict, and
/// spare agents only where staffing covers the window.
#[test]
fn a_finished_run_becomes_a_compact_board_row() {
    use queuecast::forecast::staffing::{IntervalStaffing, StaffingPlan};
    use queuecast::tui::board_view::{RowData, SPARK_PER_DAY};
    let mut run = run_of(None);
    let h = history();
    let row = RowData::of(&run, Some(&h));
    assert_eq!(
        row.recent.len(),
        14 * SPARK_PER_DAY,
        "two weeks of 6-hour bins"
    );
    assert_eq!(row.future.len(), 7 * SPARK_PER_DAY);
    let first_six: f64 = h.series.points[..6].iter().map(|p| p.y).sum();
    assert!((row.recent[0] - first_six).abs() < 1e-9, "bins are sums");
    let w = &run.windows.windows[0];
    assert_eq!(row.next_window, Some((w.start, w.end)));
    assert_eq!((row.vs_naive, row.wape), (Some(0.71), Some(0.123)));
    assert_eq!(row.retrain, Some(false));
    assert_eq!(row.model, "seasonal-naive");
    assert_eq!(row.spare, None, "no staffing: the board shows —");
    // Staffing inside the window (2 and 4 spare) and outside it (100): the mean inside.
    let at = |ts, spare| IntervalStaffing {
        ts,
        contacts: 1.0,
        contacts_upper: 2.0,
        aht: 300.0,
        required_agents: 1,
        required_agents_upper: 2,
        staffed_agents: Some(5.0),
        spare_agents: Some(spare),
    };
    let hour = chrono::TimeDelta::hours(1);
    run.staffing = Some(StaffingPlan {
        settings: Default::default(),
        aht_backtest: None,
        intervals: vec![
            at(w.start - hour, 100.0),
            at(w.start, 2.0),
            at(w.start + hour, 4.0),
            at(w.end, 100.0),
        ],
        windows: vec![],
    });
    // Under the quartile rule the row's window is the quartile one, with its spare agents.
    run.config.staffing.windows = queuecast::config::WindowsMode::Quartile;
    assert_eq!(RowData::of(&run, Some(&h)).spare, Some(3.0));
    // In capacity mode it is the plan's first capacity window, as on the dashboard: none here.
    run.config.staffing.windows = queuecast::config::WindowsMode::Capacity;
    let row = RowData::of(&run, Some(&h));
    assert_eq!((row.next_window, row.spare), (None, None));
}

/// Issue 16 item 8: the dashboard and its help at the four sizes analysts use (tmux with a
/// status line gives 80×23). Nothing is cut without a mark: the band label is whole, and the
/// model panel either shows the drift line whole or says how much more there is.
#[test]
fn dashboard_and_help_at_four_sizes() {
    for (w, h) in [(80, 23), (80, 24), (100, 30), (120, 40)] {
        let mut a = app();
        update(&mut a, Msg::QueuesLoaded(Ok(queues())));
        ready_dashboard(&mut a);
        show_fixture_view(&mut a);
        let dash = render(&a, w, h);
        assert!(dash.contains("95 % band (measured 90 %)"), "{dash}");
        assert!(dash.contains("40/h"), "the top y tick has its unit: {dash}");
        assert!(
            dash.contains("▶[x]"),
            "the focused window is marked in the table"
        );
        assert!(
            dash.contains("vs 15%") || dash.contains("more lines · m models"),
            "{dash}"
        );
        insta::assert_snapshot!(format!("screen_dashboard_{w}x{h}"), dash);
        key(&mut a, KeyCode::F(1));
        insta::assert_snapshot!(format!("screen_help_{w}x{h}"), render(&a, w, h));
    }
}

/// Issue 16 items 1 and 2: without colour, windows, the focused window, the cursor, "now",
/// the threshold, the band and the forecast each have their own glyph in the plot, and the
/// legend shows them; the strip marks the focused window `█`.
#[test]
fn without_colour_every_mark_in_the_chart_has_its_own_glyph() {
    let mut a = app();
    a.theme = queuecast::tui::theme::Theme::monochrome();
    update(&mut a, Msg::QueuesLoaded(Ok(queues())));
    ready_dashboard(&mut a);
    show_fixture_view(&mut a);
    // Zoom to the forecast's first days so windows are several columns wide.
    keys(&mut a, "++");
    let screen = render(&a, 120, 40);
    let plot: String = screen
        .lines()
        .skip(2)
        .take(26)
        .collect::<Vec<_>>()
        .join("\n");
    for (glyph, what) in [
        ('·', "window fill"),
        (':', "focused window fill"),
        ('│', "cursor"),
        ('╏', "now"),
        ('┄', "threshold"),
        ('░', "band"),
        ('•', "forecast"),
    ] {
        assert!(plot.contains(glyph), "{what} ({glyph}) missing:\n{screen}");
    }
    for legend in [
        "⣀ actual",
        "• yhat",
        "░ 95 % band (measured 90 %)",
        "· window",
    ] {
        assert!(screen.contains(legend), "{legend}:\n{screen}");
    }
    let strip = screen.lines().find(|l| l.contains("low ")).unwrap();
    assert!(strip.contains('█') && strip.contains('#'), "{strip}");
    insta::assert_snapshot!("screen_dashboard_no_color_120x40", screen);
}

/// Issue 16: zoomed in, the time labels sit on whole hours (they landed on `06:37`).
#[test]
fn zoomed_time_labels_sit_on_whole_hours() {
    let mut a = app();
    update(&mut a, Msg::QueuesLoaded(Ok(queues())));
    ready_dashboard(&mut a);
    show_fixture_view(&mut a);
    keys(&mut a, "+++++");
    key(&mut a, KeyCode::Right);
    let screen = render(&a, 80, 24);
    let labels = screen.lines().nth(12).unwrap();
    let times: Vec<&str> = labels
        .split(|c: char| !(c.is_ascii_digit() || c == ':'))
        .filter(|t| t.contains(':'))
        .collect();
    assert!(times.len() >= 2, "{labels}\n{screen}");
    assert!(times.iter().all(|t| t.ends_with(":00")), "{labels}");
}

/// Issue 17: a retry being waited out is shown as under way ("… waiting: 503 …"), never with
/// the tick of something done; the next notice replaces it.
#[test]
fn a_retry_notice_carries_no_tick() {
    let mut a = app();
    retrying(&mut a, Some(7), "503, retry 1 in 0.5 s, 2:59 left");
    retrying(&mut a, Some(7), "503, retry 2 in 1 s, 2:58 left");
    let waiting: Vec<_> = a
        .toasts
        .iter()
        .filter(|t| t.text.starts_with("waiting: "))
        .collect();
    assert_eq!(waiting.len(), 1, "{:?}", a.toasts);
    assert_eq!(waiting[0].level, Level::Progress);
    let screen = render(&a, 120, 40);
    let line = screen
        .lines()
        .find(|l| l.contains("waiting: 503, retry 2"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(line.contains("… waiting: 503"), "{line}");
    assert!(!line.contains('✓'), "{line}");
}

fn retrying(a: &mut App, job: Option<u64>, text: &str) {
    let text = text.into();
    update(a, Msg::Retrying { job, text });
}

fn waiting(a: &App) -> Vec<String> {
    let w = a.toasts.iter().filter(|t| t.text.starts_with("waiting: "));
    w.map(|t| t.text.clone()).collect()
}

/// A retry notice goes when the call of its own job ends, not another job's: the board's
/// batch (job 3) and the open queue's fetch (job 8) each clear only their own, and a call
/// outside any job (the queue list) its own.
#[test]
fn a_retry_notice_goes_when_its_own_jobs_call_ends() {
    let mut a = app();
    retrying(&mut a, Some(3), "503, retry 1 in 0.5 s, 2:59 left");
    retrying(&mut a, Some(8), "429, retry 1 in 3.0 s, 2:57 left");
    retrying(&mut a, None, "cannot connect, retry 1 in 0.5 s, 2:59 left");
    assert_eq!(waiting(&a).len(), 3, "{:?}", a.toasts);
    update(&mut a, Msg::RetryOver(Some(8)));
    assert_eq!(
        waiting(&a),
        [
            "waiting: 503, retry 1 in 0.5 s, 2:59 left",
            "waiting: cannot connect, retry 1 in 0.5 s, 2:59 left"
        ]
    );
    // Another job's end, or a job with no notice, leaves the board's batch notice up.
    update(&mut a, Msg::RetryOver(Some(9)));
    update(&mut a, Msg::RetryOver(None));
    assert_eq!(waiting(&a), ["waiting: 503, retry 1 in 0.5 s, 2:59 left"]);
    // Other toasts are never cleared by it.
    a.toast(Level::Info, "exported");
    update(&mut a, Msg::RetryOver(Some(3)));
    assert!(waiting(&a).is_empty(), "{:?}", a.toasts);
    assert_eq!(a.toasts.len(), 1);
}

/// Issue 16: a toast is a bordered box over the screen, not a bare line that reads as part of
/// it, and a long one wraps with every character kept (a path or id copies whole), newest on
/// top.
#[test]
fn toasts_are_bordered_and_wrap_without_losing_a_character() {
    let mut a = app();
    ready_dashboard(&mut a);
    let path = format!("/srv/analysts/{}/forecast_Sales.csv", "x".repeat(70));
    a.toast(Level::Info, format!("exported to {path}"));
    a.toast(Level::Error, "fit failed");
    let screen = render(&a, 80, 24);
    let rows: Vec<&str> = screen.lines().collect();
    // Newest first: the error's box, then the export's box under it.
    let ruled = |r: &str, a: char, b: char| r.contains(&format!("{a}{}{b}", "─".repeat(12)));
    assert!(ruled(rows[1], '┌', '┐'), "{screen}");
    assert!(rows[2].contains("│✗ fit failed│"), "{screen}");
    assert!(ruled(rows[3], '└', '┘'), "{screen}");
    assert!(rows[4].contains("┌────"), "{screen}");
    // The export's box spans the columns of its top border; read its text rows inside them.
    let chars = |r: &str| r.chars().collect::<Vec<char>>();
    let top = chars(rows[4]);
    let left = top.iter().rposition(|&c| c == '┌').unwrap();
    let right = top.iter().rposition(|&c| c == '┐').unwrap();
    let mut text = String::new();
    for row in &rows[5..] {
        let row = chars(row);
        if row[left] != '│' {
            break;
        }
        assert_eq!(row[right], '│', "{screen}");
        let inner: String = row[left + 1..right].iter().collect();
        text.push_str(inner.trim_end());
    }
    assert_eq!(text, format!("✓ exported to{path}"), "{screen}");
}
