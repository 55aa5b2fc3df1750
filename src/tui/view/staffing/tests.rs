use chrono::{Datelike, TimeDelta, TimeZone, Timelike};

use super::*;
use crate::config::{Config, SourceKind, WindowsMode};
use crate::forecast::ForecastPoint;
use crate::forecast::ModelForecast;
use crate::forecast::staffing::{AhtProfile, StaffedSource, plan};
use crate::forecast::windows::WindowSet;
use crate::history::{FillMode, SeriesSummary};
use crate::refs::QueueRef;
use crate::tui::view::ForecastView;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 6, 0, 0, 0).unwrap()
}

/// One hourly week from Monday 2024-05-06 (UTC): weekdays 08–18 get 40 contacts (upper 60),
/// all else none.
fn week() -> Vec<ForecastPoint> {
    (0..168)
        .map(|i| {
            let ts = t0() + TimeDelta::hours(i);
            let open = ts.weekday().num_days_from_monday() < 5 && (8..18).contains(&ts.hour());
            let (y, up) = if open { (40.0, 60.0) } else { (0.0, 0.0) };
            ForecastPoint {
                ts,
                yhat: y,
                yhat_lower: 0.0,
                yhat_upper: up,
            }
        })
        .collect()
}

/// A run whose staffing is `agents` constant agents on queue (`None`: no staffed source).
fn output(agents: Option<f64>) -> PipelineOutput {
    let mut config = Config::default();
    config.staffing.source = SourceKind::Constant;
    config.staffing.constant_agents = agents.unwrap_or(1.0);
    let (g, tz) = (Granularity::Pt1h, Tz::UTC);
    let future = week();
    let settings = config.staffing.clone();
    let opts = WindowOptions::from_config(&config.windows).unwrap();
    let profile = AhtProfile::fit(&[], t0(), g, tz, &settings);
    let mut p = plan(
        &future,
        &profile,
        &StaffedSource::Constant(agents.unwrap_or(1.0)),
        g,
        tz,
        &opts,
        &settings,
        None,
    )
    .unwrap();
    if agents.is_none() {
        for iv in &mut p.intervals {
            iv.staffed_agents = None;
            iv.spare_agents = None;
        }
        p.windows.clear();
    }
    PipelineOutput {
        queue: QueueRef {
            id: "q".into(),
            name: "Q".into(),
        },
        summary: SeriesSummary {
            start: t0() - TimeDelta::days(14),
            end: t0(),
            buckets: 14 * 24,
            zero_buckets: 0,
            gaps_filled: 0,
            duplicates_merged: 0,
            granularity: g,
            tz,
            fill: FillMode::Zero,
            late_start: None,
            counted: None,
        },
        generated_at: t0(),
        granularity: g,
        tz,
        horizon: 168,
        forecast: ModelForecast {
            model: "seasonal-naive".into(),
            future,
            warnings: vec![],
        },
        windows: WindowSet::default(),
        accuracy: None,
        drift: None,
        selection: None,
        config,
        warnings: vec![],
        staffing: Some(p),
    }
}

fn day(d: i64, h: i64) -> DateTime<Utc> {
    t0() + TimeDelta::hours(d * 24 + h)
}

fn spans(rows: &[WindowRow]) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    rows.iter().map(|w| (w.start, w.end)).collect()
}

#[test]
fn the_view_shows_the_plans_capacity_windows_with_spare_hours_and_calls() {
    let out = output(Some(12.0));
    let v = StaffingView::of(&out).unwrap();
    let plan = out.staffing.as_ref().unwrap();
    assert!(v.has_staffed());
    assert_eq!(
        v.intervals, plan.intervals,
        "no override: the plan's own numbers"
    );
    assert_eq!(v.capacity, plan.windows.iter().map(row).collect::<Vec<_>>());
    // 12 agents cover the open hours with spare: Mon–Sat 08–21 (calling hours), no Sunday.
    assert_eq!(v.capacity.len(), 6, "{:?}", spans(&v.capacity));
    assert_eq!(spans(&v.capacity)[0], (day(0, 8), day(0, 21)));
    let w = &plan.windows[0];
    assert_eq!(v.capacity[0].spare_agent_hours, Some(w.spare_agent_hours));
    assert_eq!(v.capacity[0].outbound_calls, Some(w.outbound_calls));
    assert!(w.outbound_calls > 0);
}

#[test]
fn a_week_override_recomputes_spare_and_windows_and_clearing_restores_them() {
    let out = output(Some(12.0));
    let mut v = StaffingView::of(&out).unwrap();
    let before = v.clone();
    let need_open = v.at(day(0, 9)).unwrap().required_agents_upper;
    // As many agents as the open hours need: no spare there, so only the closed hours inside
    // calling hours (18–21 on weekdays, all of Saturday's calling hours) stay windows.
    v.apply(Some(StaffedOverride {
        agents: f64::from(need_open),
        scope: Scope::Week,
    }));
    let iv = v.at(day(0, 9)).unwrap();
    assert_eq!(iv.staffed_agents, Some(f64::from(need_open)));
    assert_eq!(iv.spare_agents, Some(0.0));
    assert_eq!(spans(&v.capacity)[0], (day(0, 18), day(0, 21)));
    assert_eq!(spans(&v.capacity)[5], (day(5, 8), day(5, 21)));
    assert_eq!(
        v.capacity[0].outbound_calls,
        Some((3.0 * f64::from(need_open) * 3600.0 / 300.0).floor() as u64),
        "3 h × {need_open} spare agents ÷ 300 s per call"
    );
    v.apply(None);
    assert_eq!(v, before);
}

#[test]
fn a_window_override_changes_only_that_window() {
    let out = output(Some(12.0));
    let mut v = StaffingView::of(&out).unwrap();
    let before = v.capacity.clone();
    v.apply(Some(StaffedOverride {
        agents: 3.0,
        scope: Scope::Window {
            start: day(1, 8),
            end: day(1, 21),
        },
    }));
    assert_eq!(v.at(day(1, 19)).unwrap().staffed_agents, Some(3.0));
    assert_eq!(v.at(day(2, 19)).unwrap().staffed_agents, Some(12.0));
    // Tuesday: 3 agents leave 3 spare after 18:00 only; the other days are as they were.
    assert_eq!(spans(&v.capacity)[1], (day(1, 18), day(1, 21)));
    let mut others = v.capacity.clone();
    others.remove(1);
    let mut was = before;
    was.remove(1);
    assert_eq!(others, was);
}

#[test]
fn the_rule_line_is_the_most_contacts_that_leave_min_spare_agents_idle() {
    let out = output(Some(12.0));
    let v = StaffingView::of(&out).unwrap();
    let goal = v.settings.goal();
    let (ts, c) = v.rule_line[9];
    let c = c.unwrap();
    let iv = v.at(ts).unwrap();
    let agents = |contacts: f64| {
        required_agents(contacts * iv.aht / 3600.0, iv.aht, &goal)
            .unwrap()
            .agents
    };
    // 12 staffed, 2 to keep spare: at most 10 agents needed at c, 11 just above it.
    assert!(agents(c) <= 10, "{c}");
    assert_eq!(agents(c + 0.01), 11, "{c}");
    let none = StaffingView::of(&output(None)).unwrap();
    assert!(none.rule_line.iter().all(|(_, c)| c.is_none()));
}

#[test]
fn the_forecast_view_starts_on_capacity_only_when_staffed_agents_exist() {
    let staffed = ForecastView::of(&output(Some(12.0)), None);
    assert_eq!(staffed.rule, WindowRule::Capacity);
    assert_eq!(staffed.windows.len(), 6);
    let mut quartile_cfg = output(Some(12.0));
    quartile_cfg.config.staffing.windows = WindowsMode::Quartile;
    assert_eq!(
        ForecastView::of(&quartile_cfg, None).rule,
        WindowRule::Quartile,
        "windows = \"quartile\" in the config"
    );
    let mut bare = ForecastView::of(&output(None), None);
    assert_eq!(bare.rule, WindowRule::Quartile);
    bare.set_rule(WindowRule::Capacity);
    assert_eq!(
        bare.rule,
        WindowRule::Quartile,
        "no staffed agents to compare"
    );
    // A what-if supplies the staffed agents the source did not.
    assert!(bare.set_override(Some(StaffedOverride {
        agents: 12.0,
        scope: Scope::Week,
    })));
    assert_eq!(bare.rule, WindowRule::Capacity);
    assert_eq!(bare.windows.len(), 6);
}
