//! Issue 14 item 5 on the dashboard: capacity windows when staffed agents exist, the rule
//! toggle, the staffing row, the what-if override of staffed agents; and issue 16's "now"
//! marker under the cursor. Pure `update()` flows and TestBackend snapshots.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use crossterm::event::KeyCode;

use queuecast::config::SourceKind;
use queuecast::forecast::pipeline::PipelineOutput;
use queuecast::forecast::staffing::{
    AhtProfile, IntervalStaffing, StaffedSource, capacity_windows, plan,
};
use queuecast::forecast::windows::WindowOptions;
use queuecast::tui::action::Msg;
use queuecast::tui::app::{App, Overlay, Scope, WindowRule};
use queuecast::tui::update::update;

use super::update::{app, arrive, history, key, keys, open_queue, queues, render, run_of};

/// Agents on queue in every bucket of the fixture's staffing.
const STAFFED: f64 = 8.0;

/// The `auto` fixture run with the staffing stage run on it: constant 8 agents on queue,
/// the default AHT (no handle-time history), the default goal and calling hours.
fn staffed_run() -> PipelineOutput {
    let mut out = run_of(None);
    out.config.staffing.source = SourceKind::Constant;
    out.config.staffing.constant_agents = STAFFED;
    let settings = out.config.staffing.clone();
    let opts = WindowOptions::from_config(&out.config.windows).unwrap();
    let end = out.forecast.future[0].ts;
    let profile = AhtProfile::fit(&[], end, out.granularity, out.tz, &settings);
    out.staffing = Some(
        plan(
            &out.forecast.future,
            &profile,
            &StaffedSource::Constant(STAFFED),
            out.granularity,
            out.tz,
            &opts,
            &settings,
            None,
        )
        .unwrap(),
    );
    out
}

/// Board → Sales → history → the staffed run; returns the run.
fn staffed_dashboard(a: &mut App) -> Arc<PipelineOutput> {
    update(a, Msg::QueuesLoaded(Ok(queues())));
    let (job, _) = open_queue(a, "sal");
    let out = Arc::new(staffed_run());
    arrive(a, job, history(), out.clone());
    out
}

type Span = (DateTime<Utc>, DateTime<Utc>);

fn on_screen(a: &App) -> Vec<Span> {
    let f = a.session.as_ref().unwrap().forecast.as_ref().unwrap();
    f.windows.iter().map(|w| (w.start, w.end)).collect()
}

/// The capacity windows of the run's intervals with `staffed` agents on queue where `covers`
/// says, computed here from the library's pieces rather than the dashboard's.
fn expected_with(
    out: &PipelineOutput,
    staffed: f64,
    covers: impl Fn(DateTime<Utc>) -> bool,
) -> Vec<Span> {
    let plan = out.staffing.as_ref().unwrap();
    let ivs: Vec<IntervalStaffing> = plan
        .intervals
        .iter()
        .map(|iv| {
            if covers(iv.ts) {
                IntervalStaffing {
                    staffed_agents: Some(staffed),
                    spare_agents: Some(staffed - f64::from(iv.required_agents_upper)),
                    ..*iv
                }
            } else {
                *iv
            }
        })
        .collect();
    let opts = WindowOptions::from_config(&out.config.windows).unwrap();
    capacity_windows(&ivs, out.granularity, out.tz, &opts, &plan.settings)
        .iter()
        .map(|w| (w.start, w.end))
        .collect()
}

#[test]
fn staffed_agents_make_capacity_windows_the_dashboards_and_w_toggles_the_rule() {
    let mut a = app();
    let out = staffed_dashboard(&mut a);
    let plan = out.staffing.as_ref().unwrap();
    let capacity: Vec<Span> = plan.windows.iter().map(|w| (w.start, w.end)).collect();
    let quartile: Vec<Span> = out
        .windows
        .windows
        .iter()
        .map(|w| (w.start, w.end))
        .collect();
    assert!(!capacity.is_empty() && capacity != quartile, "{capacity:?}");
    let s = a.session.as_ref().unwrap();
    assert_eq!(s.forecast.as_ref().unwrap().rule, WindowRule::Capacity);
    assert_eq!(on_screen(&a), capacity);
    assert_eq!(s.selected, vec![true; capacity.len()]);
    // The table gains spare agent-hours and outbound calls, the plan's own.
    let rows = &s.forecast.as_ref().unwrap().windows;
    assert_eq!(
        rows[0].spare_agent_hours,
        Some(plan.windows[0].spare_agent_hours)
    );
    assert_eq!(rows[0].outbound_calls, Some(plan.windows[0].outbound_calls));

    assert!(
        key(&mut a, KeyCode::Char('w')).is_empty(),
        "no effect: pure"
    );
    assert_eq!(on_screen(&a), quartile, "the seed's rule, one key away");
    let screen = render(&a, 120, 40);
    assert!(screen.contains("Low-volume windows ·"), "{screen}");
    key(&mut a, KeyCode::Char('w'));
    assert_eq!(on_screen(&a), capacity);
    let screen = render(&a, 120, 40);
    assert!(
        screen.contains("Capacity windows ·") && screen.contains("spare ≥ 2"),
        "{screen}"
    );
}

#[test]
fn without_staffed_agents_the_rule_stays_quartile_and_says_why() {
    let mut a = app();
    update(&mut a, Msg::QueuesLoaded(Ok(queues())));
    let (job, _) = open_queue(&mut a, "sal");
    arrive(&mut a, job, history(), Arc::new(run_of(None)));
    let before = on_screen(&a);
    key(&mut a, KeyCode::Char('w'));
    assert_eq!(on_screen(&a), before);
    assert!(a.toasts.last().unwrap().text.contains("no staffed agents"));
    // No staffing at all: the what-if has nothing to override either.
    key(&mut a, KeyCode::Char('a'));
    assert!(a.overlay.is_none());
}

#[test]
fn a_what_if_for_the_week_recomputes_the_windows_and_clearing_restores_them() {
    let mut a = app();
    let out = staffed_dashboard(&mut a);
    let before = on_screen(&a);
    assert!(key(&mut a, KeyCode::Char('a')).is_empty());
    let Some(Overlay::WhatIf(p)) = &a.overlay else {
        panic!("{:?}", a.overlay)
    };
    assert!(!p.week, "a focused window: the prompt starts on it");
    key(&mut a, KeyCode::Tab);
    // Letters are not agents; an empty number is refused with a hint.
    keys(&mut a, "x");
    key(&mut a, KeyCode::Enter);
    let Some(Overlay::WhatIf(p)) = &a.overlay else {
        panic!("an empty number keeps the prompt")
    };
    assert!(p.week);
    assert!(
        p.error.as_deref().unwrap().contains("type a number"),
        "{p:?}"
    );
    keys(&mut a, "5");
    assert!(
        key(&mut a, KeyCode::Enter).is_empty(),
        "no refit, no network"
    );
    assert!(a.overlay.is_none());
    let want = expected_with(&out, 5.0, |_| true);
    assert!(!want.is_empty(), "5 agents still leave some quiet hours");
    assert_ne!(want, before);
    assert_eq!(on_screen(&a), want);
    let s = a.session.as_ref().unwrap();
    assert_eq!(s.selected, vec![true; want.len()]);
    let screen = render(&a, 120, 40);
    assert!(screen.contains("what-if 5"), "the table says so:\n{screen}");
    assert!(
        screen.contains("WHAT-IF 5 (all)"),
        "and the chart:\n{screen}"
    );
    // A clears it: the source's staffing and windows again.
    key(&mut a, KeyCode::Char('A'));
    assert_eq!(on_screen(&a), before);
    let screen = render(&a, 120, 40);
    assert!(
        !screen.contains("· what-if") && !screen.contains("WHAT-IF"),
        "{screen}"
    );
}

#[test]
fn a_what_if_for_the_focused_window_changes_only_that_window() {
    let mut a = app();
    let out = staffed_dashboard(&mut a);
    let before = on_screen(&a);
    key(&mut a, KeyCode::Char('j'));
    let (start, end) = before[1];
    key(&mut a, KeyCode::Char('a'));
    keys(&mut a, "2");
    key(&mut a, KeyCode::Enter);
    let st = a.session.as_ref().unwrap().forecast.as_ref().unwrap();
    let o = st.staffing.as_ref().unwrap().override_.unwrap();
    assert_eq!(o.scope, Scope::Window { start, end });
    let want = expected_with(&out, 2.0, |ts| start <= ts && ts < end);
    assert_eq!(on_screen(&a), want);
    assert!(
        !want.contains(&(start, end)),
        "2 agents leave no window there"
    );
    let mut others = before.clone();
    others.remove(1);
    assert_eq!(want, others, "every other window as it was");
    // Esc in the prompt changes nothing.
    key(&mut a, KeyCode::Char('a'));
    keys(&mut a, "99");
    key(&mut a, KeyCode::Esc);
    assert_eq!(on_screen(&a), want);
}

#[test]
fn the_now_marker_stays_visible_when_the_cursor_is_on_it() {
    let mut a = app();
    staffed_dashboard(&mut a);
    let screen = render(&a, 120, 40);
    assert!(screen.contains('╏') && screen.contains('│'), "{screen}");
    assert!(!screen.contains("(now)"));
    // The run was made at 14:05 UTC: its bucket is 14 hours after the forecast's start.
    let s = a.session.as_ref().unwrap();
    let now = s.forecast.as_ref().unwrap().refreshed_at.timestamp() as f64;
    let steps = ((now - s.view.unwrap().cursor) / 3600.0).floor() as usize;
    for _ in 0..steps {
        key(&mut a, KeyCode::Char('l'));
    }
    let screen = render(&a, 120, 40);
    assert!(
        screen.contains('┃'),
        "both marks in one heavy line:\n{screen}"
    );
    assert!(screen.contains("(now)"), "{screen}");
}

#[test]
fn dashboard_with_the_staffing_row_at_three_sizes() {
    for (w, h) in [(80, 23), (80, 24), (120, 40)] {
        let mut a = app();
        a.size = (w, h);
        staffed_dashboard(&mut a);
        let screen = render(&a, w, h);
        assert!(
            screen.contains("agents") && screen.contains("need"),
            "{screen}"
        );
        insta::assert_snapshot!(format!("staffing_dashboard_{w}x{h}"), screen);
    }
    let mut a = app();
    a.size = (120, 40);
    a.theme = queuecast::tui::theme::Theme::monochrome();
    staffed_dashboard(&mut a);
    key(&mut a, KeyCode::Char('a'));
    keys(&mut a, "12");
    insta::assert_snapshot!(
        "staffing_what_if_prompt_no_color_120x40",
        render(&a, 120, 40)
    );
    key(&mut a, KeyCode::Enter);
    insta::assert_snapshot!("staffing_what_if_no_color_120x40", render(&a, 120, 40));
}

/// Issue 16 at 80×23: with no capacity window the table's sentence wraps inside it, whole,
/// instead of being cut at the border ("…(w: low volum").
#[test]
fn no_capacity_window_says_so_whole_at_80x23() {
    let mut a = app();
    staffed_dashboard(&mut a);
    key(&mut a, KeyCode::Char('a'));
    key(&mut a, KeyCode::Tab);
    keys(&mut a, "0");
    key(&mut a, KeyCode::Enter);
    assert!(on_screen(&a).is_empty(), "no agent, no window");
    let screen = render(&a, 80, 23);
    // The table's column: each row up to the border it shares with the model panel.
    let table: Vec<&str> = screen
        .lines()
        .filter_map(|l| {
            l.split_once("││")
                .map(|(t, _)| t.trim_start_matches('│').trim())
        })
        .collect();
    let said = table.join(" ");
    assert!(
        said.contains("no window with enough spare agents (w: low volume)"),
        "{screen}"
    );
}
