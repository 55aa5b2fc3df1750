//! Required agents per forecast bucket (Erlang C at the mean and at the upper band), spare
//! agents against the staffed ones, and the capacity windows: runs of calling-hours buckets
//! where enough agents on queue are idle to make outbound calls without hurting inbound service.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::erlang::{ServiceGoal, required_agents};
use super::{StaffingError, StaffingSettings};
use crate::forecast::ForecastPoint;
use crate::forecast::windows::WindowOptions;
use crate::granularity::Granularity;

/// Staffing of one forecast bucket. Field names are the export's.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntervalStaffing {
    pub ts: DateTime<Utc>,
    /// Forecast contacts (yhat, at least 0).
    pub contacts: f64,
    /// Upper band of the forecast contacts.
    pub contacts_upper: f64,
    /// Forecast average handle time, seconds.
    pub aht: f64,
    /// Agents on queue Erlang C needs for the mean forecast.
    pub required_agents: u32,
    /// Agents on queue Erlang C needs for the upper band.
    pub required_agents_upper: u32,
    /// Agents on queue; `None` where the staffing source does not cover the bucket.
    pub staffed_agents: Option<f64>,
    /// Staffed − required (upper or mean, per `use_upper_bound`); `None` without staffed agents.
    pub spare_agents: Option<f64>,
}

/// Required and spare agents for each forecast bucket. `aht_s` and `staffed` hold one value per
/// bucket of `future`, in order.
pub fn staff_intervals(
    future: &[ForecastPoint],
    aht_s: &[f64],
    staffed: &[Option<f64>],
    g: Granularity,
    settings: &StaffingSettings,
) -> Result<Vec<IntervalStaffing>, StaffingError> {
    for (what, got) in [
        ("the AHT forecast", aht_s.len()),
        ("staffed agents", staffed.len()),
    ] {
        if got != future.len() {
            return Err(StaffingError::Length {
                what,
                got,
                want: future.len(),
            });
        }
    }
    let goal = settings.goal();
    let bucket_s = g.duration().num_seconds() as f64;
    future
        .iter()
        .zip(aht_s)
        .zip(staffed)
        .map(|((p, &aht), &staffed)| {
            let contacts = p.yhat.max(0.0);
            let contacts_upper = p.yhat_upper.max(contacts);
            let need = |c: f64| agents_for(p.ts, c, aht, bucket_s, &goal);
            let required = need(contacts)?;
            let required_upper = need(contacts_upper)?;
            let plan_on = if settings.use_upper_bound {
                required_upper
            } else {
                required
            };
            Ok(IntervalStaffing {
                ts: p.ts,
                contacts,
                contacts_upper,
                aht,
                required_agents: required,
                required_agents_upper: required_upper,
                staffed_agents: staffed,
                spare_agents: staffed.map(|s| s - f64::from(plan_on)),
            })
        })
        .collect()
}

fn agents_for(
    ts: DateTime<Utc>,
    contacts: f64,
    aht_s: f64,
    bucket_s: f64,
    goal: &ServiceGoal,
) -> Result<u32, StaffingError> {
    let traffic = contacts * aht_s / bucket_s;
    let unstaffable = || StaffingError::Unstaffable {
        ts,
        traffic,
        contacts,
        aht_s,
    };
    if contacts == 0.0 {
        return Ok(0);
    }
    required_agents(traffic, aht_s, goal)
        .map(|s| s.agents)
        .ok_or_else(unstaffable)
}

/// A run of calling-hours buckets with at least `min_spare_agents` spare in every bucket.
/// Staffing fields summarise the run the way a planner reads it: the peak requirement, the
/// lowest staffing and the lowest spare (what is safe throughout).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CapacityWindow {
    pub start: DateTime<Utc>,
    /// Exclusive: the end of the last bucket.
    pub end: DateTime<Utc>,
    pub buckets: usize,
    /// Forecast inbound contacts in the window.
    pub expected_contacts: f64,
    /// Contact-weighted mean AHT (plain mean when no contacts are forecast).
    pub aht: f64,
    pub required_agents: u32,
    pub required_agents_upper: u32,
    pub staffed_agents: f64,
    pub spare_agents: f64,
    /// Σ spare agents × bucket hours.
    pub spare_agent_hours: f64,
    /// ⌊spare agent-seconds ÷ `outbound_handle_time_s`⌋.
    pub outbound_calls: u64,
}

/// The capacity windows of staffed intervals: maximal runs of contiguous buckets inside calling
/// hours (the same rules as the low-volume windows) with spare ≥ `min_spare_agents`, at least
/// `opts.min_window` long.
pub fn capacity_windows(
    intervals: &[IntervalStaffing],
    g: Granularity,
    tz: Tz,
    opts: &WindowOptions,
    settings: &StaffingSettings,
) -> Vec<CapacityWindow> {
    let mut windows = Vec::new();
    let mut run: Vec<&IntervalStaffing> = Vec::new();
    for iv in intervals {
        let spare_enough = iv
            .spare_agents
            .is_some_and(|s| s >= settings.min_spare_agents);
        let ok = spare_enough && opts.allows(iv.ts, g, tz);
        let contiguous = run.last().is_none_or(|p| p.ts + g.duration() == iv.ts);
        if !ok || !contiguous {
            windows.extend(summarise(&run, g, opts, settings));
            run.clear();
        }
        if ok {
            run.push(iv);
        }
    }
    windows.extend(summarise(&run, g, opts, settings));
    windows
}

fn summarise(
    run: &[&IntervalStaffing],
    g: Granularity,
    opts: &WindowOptions,
    settings: &StaffingSettings,
) -> Option<CapacityWindow> {
    let (first, last) = (run.first()?, run.last()?);
    let end = last.ts + g.duration();
    if end - first.ts < opts.min_window {
        return None;
    }
    let bucket_s = g.duration().num_seconds() as f64;
    let contacts: f64 = run.iter().map(|iv| iv.contacts).sum();
    let aht = if contacts > 0.0 {
        run.iter().map(|iv| iv.contacts * iv.aht).sum::<f64>() / contacts
    } else {
        run.iter().map(|iv| iv.aht).sum::<f64>() / run.len() as f64
    };
    let spare = |iv: &&IntervalStaffing| iv.spare_agents.unwrap_or(0.0);
    let spare_s: f64 = run.iter().map(|iv| spare(iv) * bucket_s).sum();
    Some(CapacityWindow {
        start: first.ts,
        end,
        buckets: run.len(),
        expected_contacts: contacts,
        aht,
        required_agents: run.iter().map(|iv| iv.required_agents).max().unwrap_or(0),
        required_agents_upper: run
            .iter()
            .map(|iv| iv.required_agents_upper)
            .max()
            .unwrap_or(0),
        staffed_agents: run
            .iter()
            .filter_map(|iv| iv.staffed_agents)
            .fold(f64::INFINITY, f64::min),
        spare_agents: run.iter().map(spare).fold(f64::INFINITY, f64::min),
        spare_agent_hours: spare_s / 3600.0,
        outbound_calls: (spare_s / settings.outbound_handle_time_s + 1e-9).floor() as u64,
    })
}

/// A pacing value for the campaign's dialing mode, named as Genesys' `Campaign` names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PacingSuggestion {
    /// The `Campaign` field, e.g. `outboundLineCount`.
    pub field: String,
    pub value: u32,
    /// Why this value, for the review screen.
    pub reason: String,
}

/// Suggested pacing for a window, for the dialing modes that pace by lines: `power` and
/// `predictive` (Genesys' `dialingMode` spelling). Other modes get `None`: preview dials one
/// call per agent action, agentless uses no agents, and progressive is not asked for.
///
/// Genesys `Campaign` (platform-client-sdk-python `build/docs/Campaign.md`):
/// `outboundLineCount` is "the number of outbound lines to be concurrently dialed. Only
/// applicable to non-preview campaigns"; `maxCallsPerAgent` is "the maximum number of calls
/// that can be placed per agent on this campaign"; `abandonRate` ("the targeted compliance
/// abandon rate percentage. Required for power and predictive campaigns") is a compliance
/// choice, not a capacity figure, so it is not suggested. The Terraform provider's power
/// example sets all three (`terraform-provider-genesyscloud`,
/// `docs/resources/outbound_campaign.md`). The suggestion caps concurrent lines at what the
/// window's lowest spare agents can take: ⌊spare⌋ × `max_calls_per_agent`.
pub fn suggest_pacing(
    dialing_mode: &str,
    window: &CapacityWindow,
    settings: &StaffingSettings,
) -> Option<PacingSuggestion> {
    let mode = dialing_mode.trim().to_ascii_lowercase();
    if mode != "power" && mode != "predictive" {
        return None;
    }
    let agents = window.spare_agents.max(0.0).floor();
    let lines = (agents * settings.max_calls_per_agent).floor() as u32;
    (lines >= 1).then(|| PacingSuggestion {
        field: "outboundLineCount".into(),
        value: lines,
        reason: format!(
            "{agents:.0} spare agents on queue throughout the window × {} calls per agent",
            settings.max_calls_per_agent
        ),
    })
}

/// Everything the staffing stage produced, with the settings it used (for the export).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StaffingPlan {
    pub settings: StaffingSettings,
    pub aht_backtest: Option<super::AhtBacktest>,
    pub intervals: Vec<IntervalStaffing>,
    pub windows: Vec<CapacityWindow>,
}

impl StaffingPlan {
    /// Whether any forecast bucket has staffed agents (so spare and capacity windows mean
    /// something).
    pub fn has_staffed(&self) -> bool {
        self.intervals.iter().any(|iv| iv.staffed_agents.is_some())
    }
}

/// The whole stage for a forecast: AHT per bucket from `profile`, staffed agents from `source`,
/// required agents at mean and upper band, and the capacity windows.
#[allow(clippy::too_many_arguments)]
pub fn plan(
    future: &[ForecastPoint],
    profile: &super::AhtProfile,
    source: &super::StaffedSource,
    g: Granularity,
    tz: Tz,
    opts: &WindowOptions,
    settings: &StaffingSettings,
    aht_backtest: Option<super::AhtBacktest>,
) -> Result<StaffingPlan, StaffingError> {
    settings.validate()?;
    let ts: Vec<DateTime<Utc>> = future.iter().map(|p| p.ts).collect();
    let aht = profile.predict(ts.iter().copied());
    let staffed = source.staffed(&ts, g, tz, settings.on_queue_factor());
    let intervals = staff_intervals(future, &aht, &staffed, g, settings)?;
    let windows = capacity_windows(&intervals, g, tz, opts, settings);
    Ok(StaffingPlan {
        settings: settings.clone(),
        aht_backtest,
        intervals,
        windows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::WindowsConfig;
    use crate::forecast::staffing::{AhtProfile, StaffedSource, WeeklyPattern};
    use chrono::{Datelike, TimeDelta, TimeZone, Timelike};

    /// One week of hourly forecast from Monday 2024-05-06 00:00 in `tz`: weekdays 08-18 get
    /// 200 contacts (upper 300), everything else nothing (Saturday and Sunday closed).
    fn week(tz: Tz) -> Vec<ForecastPoint> {
        let t0 = tz
            .with_ymd_and_hms(2024, 5, 6, 0, 0, 0)
            .unwrap()
            .with_timezone(&Utc);
        (0..168)
            .map(|i| {
                let ts = t0 + TimeDelta::hours(i);
                let local = ts.with_timezone(&tz);
                let open =
                    local.weekday().num_days_from_monday() < 5 && (8..18).contains(&local.hour());
                let (y, up) = if open { (200.0, 300.0) } else { (0.0, 0.0) };
                ForecastPoint {
                    ts,
                    yhat: y,
                    yhat_lower: 0.0,
                    yhat_upper: up,
                }
            })
            .collect()
    }

    fn opts() -> WindowOptions {
        WindowOptions::from_config(&WindowsConfig {
            quantile: 0.25,
            min_window_minutes: 60,
            calling_hours: "08:00-21:00".into(),
            calling_days: ["mon", "tue", "wed", "thu", "fri", "sat"]
                .map(String::from)
                .to_vec(),
        })
        .unwrap()
    }

    /// AHT 180 s everywhere: a profile with no handle data and that fallback.
    fn flat_aht(tz: Tz) -> AhtProfile {
        let s = StaffingSettings {
            fallback_aht_s: 180.0,
            ..Default::default()
        };
        AhtProfile::fit(&[], Utc::now(), Granularity::Pt1h, tz, &s)
    }

    #[test]
    fn roster_with_five_idle_agents_from_14_to_16_gives_those_windows() {
        // 200 contacts/h at AHT 180 s is A = 10 erlangs: 14 agents for 80/20 (Call Centre
        // Helper's worked example); 300/h is A = 15: 19 agents (tools/erlang_reference.py).
        // The roster has 19 on queue all day and 24 from 14:00 to 16:00: 5 spare at the upper
        // band there, none elsewhere; nobody on Saturday.
        let tz: Tz = "Asia/Jerusalem".parse().unwrap();
        let future = week(tz);
        let pattern =
            WeeklyPattern::parse("Mon-Fri 08:00-18:00 = 19\nMon-Fri 14:00-16:00 = 24").unwrap();
        let settings = StaffingSettings::default();
        let plan = plan(
            &future,
            &flat_aht(tz),
            &StaffedSource::Pattern(pattern),
            Granularity::Pt1h,
            tz,
            &opts(),
            &settings,
            None,
        )
        .unwrap();
        let open = plan.intervals.iter().find(|iv| iv.contacts > 0.0).unwrap();
        assert_eq!((open.required_agents, open.required_agents_upper), (14, 19));
        assert_eq!(open.aht, 180.0);
        let spans: Vec<String> = plan
            .windows
            .iter()
            .map(|w| {
                let (s, e) = (w.start.with_timezone(&tz), w.end.with_timezone(&tz));
                format!(
                    "{} {}-{}",
                    s.format("%a"),
                    s.format("%H:%M"),
                    e.format("%H:%M")
                )
            })
            .collect();
        assert_eq!(
            spans,
            [
                "Mon 14:00-16:00",
                "Tue 14:00-16:00",
                "Wed 14:00-16:00",
                "Thu 14:00-16:00",
                "Fri 14:00-16:00"
            ]
        );
        for w in &plan.windows {
            assert_eq!(w.spare_agents, 5.0);
            assert_eq!(w.staffed_agents, 24.0);
            assert_eq!((w.required_agents, w.required_agents_upper), (14, 19));
            assert_eq!(w.spare_agent_hours, 10.0);
            // 5 agents × 7200 s ÷ 300 s per outbound call.
            assert_eq!(w.outbound_calls, 120);
            assert_eq!(w.expected_contacts, 400.0);
            assert_eq!(w.buckets, 2);
        }
        // Saturday: calling day, nothing forecast, nobody staffed: no window.
        assert!(
            plan.windows.iter().all(|w| w
                .start
                .with_timezone(&tz)
                .weekday()
                .num_days_from_monday()
                < 5)
        );
        let json = serde_json::to_value(plan.intervals[10]).unwrap();
        for key in [
            "aht",
            "requiredAgents",
            "requiredAgentsUpper",
            "staffedAgents",
            "spareAgents",
        ] {
            assert!(json.get(key).is_some(), "{key} missing from {json}");
        }
        assert_eq!(
            serde_json::to_value(&plan).unwrap()["settings"]["service_level"],
            0.8
        );
    }

    #[test]
    fn mean_or_upper_bound_and_min_spare() {
        let tz = Tz::UTC;
        let future = week(tz);
        let aht = vec![180.0; future.len()];
        let staffed = vec![Some(19.0); future.len()];
        let at_mean = StaffingSettings {
            use_upper_bound: false,
            ..Default::default()
        };
        let iv = staff_intervals(&future, &aht, &staffed, Granularity::Pt1h, &at_mean).unwrap();
        let open = &iv[8];
        assert_eq!(open.spare_agents, Some(5.0));
        // Closed hours: 19 staffed, 0 required.
        assert_eq!(iv[3].spare_agents, Some(19.0));
        let w = capacity_windows(&iv, Granularity::Pt1h, tz, &opts(), &at_mean);
        // Mon-Sat 08-21 (calling hours), every bucket has ≥ 2 spare: one window per day.
        assert_eq!(w.len(), 6);
        assert_eq!(w[0].spare_agents, 5.0);
        assert_eq!(w[0].staffed_agents, 19.0);
        assert_eq!(w[0].buckets, 13);
        let at_upper = StaffingSettings::default();
        let iv = staff_intervals(&future, &aht, &staffed, Granularity::Pt1h, &at_upper).unwrap();
        assert_eq!(iv[8].spare_agents, Some(0.0));
        let w = capacity_windows(&iv, Granularity::Pt1h, tz, &opts(), &at_upper);
        // Weekday windows only where closed for inbound (18-21) and Saturday's 08-21.
        assert_eq!(w.len(), 6);
        assert!(
            w[..5]
                .iter()
                .all(|w| w.start.hour() == 18 && w.buckets == 3)
        );
        let picky = StaffingSettings {
            min_spare_agents: 20.0,
            ..Default::default()
        };
        assert!(capacity_windows(&iv, Granularity::Pt1h, tz, &opts(), &picky).is_empty());
    }

    #[test]
    fn unknown_staffing_breaks_windows_and_lengths_are_checked() {
        let tz = Tz::UTC;
        let future = week(tz);
        let aht = vec![180.0; future.len()];
        let mut staffed = vec![Some(30.0); future.len()];
        staffed[10] = None;
        let iv = staff_intervals(
            &future,
            &aht,
            &staffed,
            Granularity::Pt1h,
            &Default::default(),
        )
        .unwrap();
        assert_eq!(iv[10].spare_agents, None);
        let w = capacity_windows(&iv, Granularity::Pt1h, tz, &opts(), &Default::default());
        assert_eq!((w[0].start.hour(), w[0].end.hour()), (8, 10));
        assert_eq!((w[1].start.hour(), w[1].end.hour()), (11, 21));
        let err = staff_intervals(
            &future,
            &aht[1..],
            &staffed,
            Granularity::Pt1h,
            &Default::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("167 values for 168"), "{err}");
        let mut huge = future.clone();
        huge[9].yhat_upper = 1e9;
        let err = staff_intervals(
            &huge,
            &aht,
            &staffed,
            Granularity::Pt1h,
            &Default::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("check the forecast"), "{err}");
    }

    #[test]
    fn fifteen_minute_windows_count_spare_seconds() {
        // 15-minute buckets, 50 contacts per bucket at 180 s: A = 10 again, 14 at the mean.
        let t0 = Utc.with_ymd_and_hms(2024, 5, 6, 8, 0, 0).unwrap();
        let future: Vec<ForecastPoint> = (0..8)
            .map(|i| ForecastPoint {
                ts: t0 + TimeDelta::minutes(15 * i),
                yhat: 50.0,
                yhat_lower: 40.0,
                yhat_upper: 50.0,
            })
            .collect();
        let aht = vec![180.0; 8];
        let staffed: Vec<Option<f64>> = (0..8)
            .map(|i| Some(if i < 5 { 17.5 } else { 14.0 }))
            .collect();
        let iv = staff_intervals(
            &future,
            &aht,
            &staffed,
            Granularity::Pt15m,
            &Default::default(),
        )
        .unwrap();
        assert_eq!(iv[0].required_agents_upper, 14);
        let w = capacity_windows(
            &iv,
            Granularity::Pt15m,
            Tz::UTC,
            &opts(),
            &Default::default(),
        );
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].buckets, 5);
        assert!((w[0].spare_agent_hours - 3.5 * 1.25).abs() < 1e-12);
        // 3.5 agents × 4500 s ÷ 300 s.
        assert_eq!(w[0].outbound_calls, 52);
    }

    #[test]
    fn pacing_for_power_and_predictive_only() {
        let w = CapacityWindow {
            start: Utc::now(),
            end: Utc::now(),
            buckets: 2,
            expected_contacts: 0.0,
            aht: 180.0,
            required_agents: 10,
            required_agents_upper: 12,
            staffed_agents: 17.6,
            spare_agents: 5.6,
            spare_agent_hours: 11.2,
            outbound_calls: 134,
        };
        let s = StaffingSettings {
            max_calls_per_agent: 1.5,
            ..Default::default()
        };
        let p = suggest_pacing("Power", &w, &s).unwrap();
        assert_eq!((p.field.as_str(), p.value), ("outboundLineCount", 7));
        assert!(p.reason.contains("5 spare agents"), "{}", p.reason);
        assert_eq!(
            suggest_pacing("predictive", &w, &Default::default())
                .unwrap()
                .value,
            5
        );
        for mode in ["preview", "agentless", "progressive", "external"] {
            assert!(suggest_pacing(mode, &w, &s).is_none(), "{mode}");
        }
        let thin = CapacityWindow {
            spare_agents: 0.5,
            ..w
        };
        assert!(suggest_pacing("power", &thin, &Default::default()).is_none());
    }
}
