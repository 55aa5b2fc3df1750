//! `update()` flows without a terminal, plus TestBackend snapshots on fixed data.

use chrono::{NaiveDate, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use queuecast::campaign::NamedRef;
use queuecast::forecast::ForecastPoint;
use queuecast::genesys::CampaignStatus;
use queuecast::granularity::Granularity;
use queuecast::history::Point;
use queuecast::tui::action::{ApiFailure, Effect, Msg, SubmitOutcome};
use queuecast::tui::app::{
    App, ForecastView, HistoryView, ModelRow, OrgInfo, Overlay, Screen, Stage, SubmitState,
    WindowRow,
};
use queuecast::tui::keymap::Keymap;
use queuecast::tui::update::update;

fn tz() -> chrono_tz::Tz {
    "America/Chicago".parse().unwrap()
}

fn app() -> App {
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

fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn keys(app: &mut App, s: &str) {
    for c in s.chars() {
        key(app, KeyCode::Char(c));
    }
}

fn queues() -> Vec<NamedRef> {
    ["Sales", "Support", "Billing"]
        .iter()
        .enumerate()
        .map(|(i, n)| NamedRef {
            id: format!("q{i}"),
            name: n.to_string(),
        })
        .collect()
}

fn history() -> HistoryView {
    let start = Utc.with_ymd_and_hms(2024, 5, 18, 0, 0, 0).unwrap();
    HistoryView {
        granularity: Granularity::Pt1h,
        tz: tz(),
        points: (0..14 * 24)
            .map(|i| Point {
                ts: start + chrono::TimeDelta::hours(i),
                y: 20.0 + 15.0 * ((i % 24) as f64 / 24.0 * std::f64::consts::TAU).sin(),
            })
            .collect(),
        zero_filled: 3,
    }
}

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
        tournament: vec![
            row("seasonal-naive", 0.123, 0.71, 0.93, 0.01),
            row("mstl-ets", 0.131, 0.78, 0.88, 0.42),
            row("prophet-tuned", 0.150, 0.90, 0.91, 1.25),
            row("prophet-seed", 0.240, 1.52, 0.65, 0.98),
        ],
        auto_pick: Some("seasonal-naive".into()),
        reason: Some("seasonal-naive has the lowest backtest WAPE (12.3 %) over 4 folds".into()),
        calibration: Some(
            "95 % band recalibrated: backtest coverage was 84 % instead of 95 %; widened ×1.30"
                .into(),
        ),
        failures: vec![],
        future,
        threshold: 9.1,
        windows: vec![w(0, 15, 3), w(1, 15, 3), w(2, 16, 2)],
        wape: Some(0.123),
        mape: Some(0.2),
        options: vec![("interval".into(), "95%".into())],
        retrain: Some(false),
        drift_note: "Wape 8.0% vs 15%".into(),
        warnings: vec![],
        refreshed_at: Utc.with_ymd_and_hms(2024, 6, 1, 14, 5, 0).unwrap(),
    }
}

/// Picker → Sales → history → forecast, returning the job id.
/// Presses `r` and answers the fetch with `history`: the refresh's job and the effects.
fn refresh(app: &mut App, history: HistoryView) -> (u64, Vec<Effect>) {
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

fn ready_dashboard(app: &mut App) -> u64 {
    update(app, Msg::QueuesLoaded(Ok(queues())));
    keys(app, "sal");
    let fx = key(app, KeyCode::Enter);
    let job = match fx.iter().find(|e| matches!(e, Effect::FetchHistory { .. })) {
        Some(Effect::FetchHistory { job, queue_id }) => {
            assert_eq!(queue_id, "q0", "the only match for \"sal\" is Sales");
            *job
        }
        other => panic!("no fetch: {other:?}"),
    };
    let fx = update(
        app,
        Msg::HistoryLoaded {
            job,
            result: Ok(history()),
        },
    );
    assert_eq!(
        fx,
        vec![Effect::Fit {
            job,
            model: "auto".into()
        }]
    );
    update(
        app,
        Msg::ForecastReady {
            job,
            forecast: Box::new(forecast()),
        },
    );
    job
}

#[test]
fn select_queue_filters_and_remembers() {
    let mut a = app();
    a.last_queue = Some("q1".into());
    update(&mut a, Msg::QueuesLoaded(Ok(queues())));
    // Sorted: Billing, Sales, Support; the last used (Support, q1) is preselected.
    assert_eq!(a.picker.row, 2);
    keys(&mut a, "SUP");
    assert_eq!(a.filtered_queues().len(), 1);
    let fx = key(&mut a, KeyCode::Enter);
    assert!(fx.contains(&Effect::SaveLastQueue("q1".into())), "{fx:?}");
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
    let mut stale = forecast();
    stale.model = "stale".into();
    update(
        &mut a,
        Msg::ForecastReady {
            job: old,
            forecast: Box::new(stale),
        },
    );
    let s = a.session.as_ref().unwrap();
    assert_eq!(s.forecast.as_ref().unwrap().model, "seasonal-naive");
    assert!(matches!(s.stage, Stage::Fetching { .. }));
    // Switching queues cancels the running job.
    key(&mut a, KeyCode::Char('Q'));
    key(&mut a, KeyCode::Esc); // clear filter "sal"
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
    assert_eq!(fx, vec![Effect::LoadContactLists, Effect::LoadScripts]);
    assert_eq!(a.review.as_ref().unwrap().form.windows.len(), 2);
}

fn filled_review(a: &mut App) {
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

fn fill_and_confirm(a: &mut App) {
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
    assert_eq!(request.campaign.name, "Sales quiet hours 2024-06-01");
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
        },
    ] = fx.as_slice()
    else {
        panic!("{fx:?}")
    };
    assert_eq!(path.to_str(), Some("./forecast_Sales_2024-06-01.csv"));
    update(
        &mut a,
        Msg::ExportExists {
            path: path.clone(),
            format: *format,
        },
    );
    let fx = key(&mut a, KeyCode::Char('y'));
    assert!(matches!(
        fx.as_slice(),
        [Effect::Export {
            overwrite: true,
            ..
        }]
    ));
}

fn render(a: &App, w: u16, h: u16) -> String {
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
        update(&mut a, Msg::QueuesLoaded(Ok(queues())));
        insta::assert_snapshot!(format!("picker_{w}x{h}"), render(&a, w, h));
        ready_dashboard(&mut a);
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
    assert!(s.contains("terminal too small (60×20, need 80×24)"), "{s}");
}

#[test]
fn ctrl_c_quits_even_while_typing() {
    let mut a = app();
    update(&mut a, Msg::QueuesLoaded(Ok(queues())));
    keys(&mut a, "q");
    assert!(!a.quit, "q is filter text in the picker");
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

/// What the runtime sends after fitting one named model: a one-row table, no auto pick.
fn named_forecast(model: &str) -> ForecastView {
    let mut f = forecast();
    f.model = model.into();
    f.requested = model.into();
    f.tournament.retain(|r| r.model == model);
    f.auto_pick = None;
    f.reason = None;
    f
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
    let Some(Effect::Refit { job, model }) = fx.first().cloned() else {
        panic!("{fx:?}")
    };
    assert_eq!(fx.len(), 1, "no history fetch: {fx:?}");
    assert_eq!(model, "mstl-ets");
    assert_ne!(job, first);
    assert!(a.overlay.is_none());
    assert_eq!(a.busy().as_deref(), Some("fitting mstl-ets"));
    // The earlier job's late answer is stale.
    update(
        &mut a,
        Msg::ForecastReady {
            job: first,
            forecast: Box::new(forecast()),
        },
    );
    assert_eq!(a.session.as_ref().unwrap().stage, Stage::Fitting);
    update(
        &mut a,
        Msg::ForecastReady {
            job,
            forecast: Box::new(named_forecast("mstl-ets")),
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
    assert_eq!(s.view, view, "pan and zoom kept across a model switch");
    let screen = render(&a, 120, 40);
    assert!(screen.contains("mstl-ets (your choice)"), "{screen}");
    // Back to auto's pick means back to `auto`, so a refresh runs the tournament again.
    key(&mut a, KeyCode::Char('m'));
    assert_eq!(a.overlay, Some(Overlay::Models { row: 1 }));
    key(&mut a, KeyCode::Char('k'));
    let fx = key(&mut a, KeyCode::Enter);
    assert!(
        matches!(&fx[..], [Effect::Refit { model, .. }] if model == "auto"),
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
    let Some(Effect::Refit { job, model }) = fx.first().cloned() else {
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
    let Some(Effect::Refit { job, .. }) = fx.first().cloned() else {
        panic!("{fx:?}")
    };
    update(
        &mut a,
        Msg::ForecastReady {
            job,
            forecast: Box::new(named_forecast("mstl-ets")),
        },
    );
    let (job, fx) = refresh(&mut a, history());
    assert_eq!(
        fx,
        vec![Effect::Fit {
            job,
            model: "mstl-ets".into()
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
    let mut next = forecast();
    // Window 1 moved by an hour: it is a different window now. Window 0 is unchanged.
    next.windows[1].end += chrono::TimeDelta::hours(1);
    next.windows.push(WindowRow {
        start: next.windows[2].start + chrono::TimeDelta::days(1),
        end: next.windows[2].end + chrono::TimeDelta::days(1),
        mean_yhat: 8.0,
        expected_contacts: 16.0,
    });
    update(
        &mut a,
        Msg::ForecastReady {
            job,
            forecast: Box::new(next),
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
    update(
        &mut a,
        Msg::HistoryLoaded {
            job,
            result: Ok(history()),
        },
    );
    update(
        &mut a,
        Msg::ForecastReady {
            job,
            forecast: Box::new(forecast()),
        },
    );
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
    for (w, h) in [(80, 24), (120, 40)] {
        let mut a = app();
        ready_dashboard(&mut a);
        key(&mut a, KeyCode::Char('m'));
        let screen = render(&a, w, h);
        for needle in ["seasonal-naive", "prophet-seed", "recalibrated", "lowest"] {
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
            forecast: Box::new(forecast()),
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

#[test]
fn a_refresh_with_less_history_pulls_the_view_back_inside_the_data() {
    let mut a = app();
    ready_dashboard(&mut a);
    for _ in 0..6 {
        key(&mut a, KeyCode::Char('H'));
    }
    // The refetch comes back with only the last 3 days of history.
    let mut short = history();
    let keep = short.points.len() - 3 * 24;
    short.points.drain(..keep);
    let first = short.points[0].ts.timestamp() as f64;
    refresh(&mut a, short);
    let v = a.session.as_ref().unwrap().view.unwrap();
    assert!(v.start >= first, "{v:?} starts before the data at {first}");
    assert!(
        (v.start..v.end).contains(&v.cursor),
        "the cursor stays in view: {v:?}"
    );
}
