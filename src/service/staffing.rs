//! The staffing stage (issue 14): after the forecast, how many agents its contacts need, how
//! many are on queue, and the capacity windows where the difference is worth outbound calls.
//!
//! The arithmetic is pure and lives in [`crate::forecast::staffing`]; this file gathers what it
//! needs (the `[staffing]` source resolved to data, handle-time and on-queue history fetched
//! from the org) and attaches the resulting [`StaffingPlan`] to the pipeline output, so the
//! headless summary, the export and the dashboard all read the same plan.
//!
//! Failures here never cost the analyst the forecast: a staffing problem becomes a warning on
//! the output and the windows fall back to the quartile rule.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;

use crate::config::{Config, SourceKind, WindowsMode};
use crate::forecast::pipeline::PipelineOutput;
use crate::forecast::staffing::{
    self, AhtProfile, HandleBucket, OnQueueBucket, OnQueueProjection, StaffedSource, StaffingError,
    StaffingPlan, WeeklyPattern, capacity_windows, staff_intervals,
};
use crate::forecast::windows::WindowOptions;
use crate::genesys::{GenesysClient, GenesysError, UserStatusQuery};
use crate::granularity::Granularity;
use crate::history::{History, floor_to_bucket};

/// What the staffing stage knows beyond the forecast: handle-time and on-queue history.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StaffingData {
    /// `tHandle` sum and count per history bucket; empty: AHT is `fallback_aht_s`.
    pub handle: Vec<HandleBucket>,
    /// Agents' on-queue time over the queue's history, for `source = "history"`.
    pub on_queue: Option<OnQueueHistory>,
    /// Why some of it could not be fetched; shown as the run's warnings.
    pub warnings: Vec<String>,
}

/// On-queue time of a queue's members, summed over members, per bucket of `[start, end)`.
#[derive(Debug, Clone, PartialEq)]
pub struct OnQueueHistory {
    pub buckets: Vec<OnQueueBucket>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Members whose time was asked for (0: the queue has no members).
    pub members: usize,
}

/// The history's own `tHandle` sum and count per bucket (fetched in the same aggregates query
/// as `nOffered`), for the AHT profile; empty for a file history, which has none.
pub fn handle_buckets(history: &History) -> Vec<HandleBucket> {
    let Some(h) = &history.handle else {
        return Vec::new();
    };
    let pairs = h.handle_ms_sum.iter().zip(&h.handle_count);
    history
        .series
        .points
        .iter()
        .zip(pairs)
        .map(|(p, (&sum_ms, &count))| HandleBucket {
            ts: p.ts,
            sum_ms,
            count,
        })
        .collect()
}

/// The configured source as data, or `None` when it has nothing to say (history source
/// without an org). File problems are errors naming the file.
pub fn resolve_source(
    config: &Config,
    tz: Tz,
    g: Granularity,
    on_queue: Option<&OnQueueHistory>,
) -> Result<Option<StaffedSource>, StaffingError> {
    let s = &config.staffing;
    Ok(match s.source {
        SourceKind::Constant => Some(StaffedSource::Constant(s.constant_agents)),
        SourceKind::Pattern => Some(StaffedSource::Pattern(WeeklyPattern::parse(&s.pattern)?)),
        SourceKind::File => {
            let path = s.file.clone().unwrap_or_default();
            let text = std::fs::read_to_string(&path).map_err(|e| StaffingError::AgentsCsv {
                line: 0,
                problem: format!("cannot read {}: {e}", path.display()),
                hint: "set staffing.file to a readable ds,agents CSV".into(),
            })?;
            Some(StaffedSource::Series(staffing::roster::parse_agents_csv(
                &text, tz,
            )?))
        }
        SourceKind::History => on_queue.filter(|h| h.members > 0).map(|h| {
            StaffedSource::History(OnQueueProjection::from_history(
                &h.buckets,
                h.start,
                h.end,
                g,
                tz,
                s.history_weeks,
            ))
        }),
    })
}

/// The staffing plan for `out`'s forecast. Without a staffed source the intervals carry
/// required agents only and there are no capacity windows.
pub fn plan_for(out: &PipelineOutput, data: &StaffingData) -> Result<StaffingPlan, StaffingError> {
    let settings = &out.config.staffing;
    let (g, tz) = (out.granularity, out.tz);
    let opts = WindowOptions::from_config(&out.config.windows)?;
    let future = &out.forecast.future;
    let end = future.first().map_or(out.summary.end, |p| p.ts);
    let profile = AhtProfile::fit(&data.handle, end, g, tz, settings);
    let backtest = staffing::aht::backtest(&data.handle, end, g, tz, settings);
    let aht_backtest = (backtest.folds > 0).then_some(backtest);
    match resolve_source(&out.config, tz, g, data.on_queue.as_ref())? {
        Some(source) => staffing::plan(
            future,
            &profile,
            &source,
            g,
            tz,
            &opts,
            settings,
            aht_backtest,
        ),
        None => {
            settings.validate()?;
            let ts = future.iter().map(|p| p.ts);
            let aht = profile.predict(ts);
            let staffed = vec![None; future.len()];
            let intervals = staff_intervals(future, &aht, &staffed, g, settings)?;
            let windows = capacity_windows(&intervals, g, tz, &opts, settings);
            Ok(StaffingPlan {
                settings: settings.clone(),
                aht_backtest,
                intervals,
                windows,
            })
        }
    }
}

/// Runs the stage on `out` in place: the plan on success, a warning (and no plan) otherwise.
/// A history source whose queue has no members also warns: the analyst expected agents.
pub fn attach(out: &mut PipelineOutput, data: &StaffingData) {
    out.warnings.extend(data.warnings.iter().cloned());
    match plan_for(out, data) {
        Ok(plan) => {
            if let Some(h) = &data.on_queue
                && h.members == 0
                && out.config.staffing.source == SourceKind::History
            {
                out.warnings.push(format!(
                    "queue {} has no members, so no staffed agents (required agents only, \
                     quartile windows); set [staffing] source = \"constant\", \"pattern\" or \
                     \"file\" to plan against a roster",
                    out.queue.name
                ));
            }
            out.staffing = Some(plan);
        }
        Err(e) => out.warnings.push(format!(
            "staffing not computed: {e}; windows use the quartile rule"
        )),
    }
}

/// Whether a plan's capacity windows replace the quartile ones (`windows = "capacity"` and
/// staffed agents known).
pub fn capacity_mode(config: &Config, plan: Option<&StaffingPlan>) -> bool {
    config.staffing.windows == WindowsMode::Capacity && plan.is_some_and(StaffingPlan::has_staffed)
}

/// The granularity user aggregates are asked for: the forecast's, or 30 minutes (then split)
/// when the forecast is finer than the finest queuecast asks for.
fn query_granularity(g: Granularity) -> Granularity {
    if g.minutes() >= crate::genesys::MIN_GRANULARITY_MINUTES {
        g
    } else {
        Granularity::Pt30m
    }
}

/// What the staffing stage needs from the org for `queue_id`: on-queue history when
/// `[staffing] source = "history"` (a failure becomes a warning: the forecast still runs).
pub async fn fetch_staffing_data(
    client: &GenesysClient,
    queue_id: &str,
    config: &Config,
    now: DateTime<Utc>,
) -> StaffingData {
    let mut data = StaffingData::default();
    if config.staffing.source == SourceKind::History {
        match fetch_on_queue(client, queue_id, config, now).await {
            Ok(h) => data.on_queue = Some(h),
            Err(e) => data.warnings.push(format!(
                "staffed agents not fetched ({e}); required agents only, quartile windows. \
                 Reading agents needs routing:queue:view and analytics:userAggregate:view, \
                 or set [staffing] source = \"constant\", \"pattern\" or \"file\""
            )),
        }
    }
    data
}

/// On-queue time of `queue_id`'s joined members over the last `staffing.history_weeks` weeks
/// of complete buckets before `now`: the members listing, then `tAgentRoutingStatus` for them
/// (every status but `OFF_QUEUE` is on queue), summed per bucket.
pub async fn fetch_on_queue(
    client: &GenesysClient,
    queue_id: &str,
    config: &Config,
    now: DateTime<Utc>,
) -> Result<OnQueueHistory, GenesysError> {
    let tz = config
        .time_zone()
        .map_err(|e| GenesysError::InvalidRequest(e.to_string()))?;
    let g = config.history.granularity;
    let end = floor_to_bucket(now, g, tz);
    let start = end - TimeDelta::weeks(i64::from(config.staffing.history_weeks.max(1)));
    let members = client.list_queue_members(queue_id).await?;
    let mut user_ids: Vec<String> = members
        .iter()
        .filter_map(|m| m.user_id().map(str::to_string))
        .collect();
    user_ids.sort();
    user_ids.dedup();
    let qg = query_granularity(g);
    let query = UserStatusQuery {
        user_ids: user_ids.clone(),
        start,
        end,
        granularity: qg,
        time_zone: tz.name().to_string(),
        chunk_days: config.genesys.chunk_days,
        max_concurrency: config.genesys.max_concurrency,
        // Only the members' total is used: one group per bucket, not one per member.
        summed: true,
    };
    let rows = client.fetch_user_status(&query).await?;
    let mut per_bucket: BTreeMap<DateTime<Utc>, f64> = BTreeMap::new();
    for r in &rows {
        *per_bucket.entry(r.start).or_insert(0.0) += r.on_queue_ms() / 1000.0;
    }
    let buckets = split(per_bucket, qg, g);
    Ok(OnQueueHistory {
        buckets,
        start,
        end,
        members: user_ids.len(),
    })
}

/// Coarse buckets of `from` spread evenly over the `to` buckets they hold.
fn split(
    per_bucket: BTreeMap<DateTime<Utc>, f64>,
    from: Granularity,
    to: Granularity,
) -> Vec<OnQueueBucket> {
    let parts = (from.minutes() / to.minutes()).max(1);
    per_bucket
        .into_iter()
        .flat_map(|(ts, s)| {
            (0..parts).map(move |k| OnQueueBucket {
                ts: ts + to.duration() * k as i32,
                on_queue_s: s / parts as f64,
            })
        })
        .collect()
}

/// Required agents (mean, upper) over the buckets of `[start, end)`: the peak of each.
pub fn required_between(
    plan: &StaffingPlan,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> (u32, u32) {
    plan.intervals
        .iter()
        .filter(|iv| iv.ts >= start && iv.ts < end)
        .fold((0, 0), |(m, u), iv| {
            (m.max(iv.required_agents), u.max(iv.required_agents_upper))
        })
}

/// The headless summary's staffing lines: source and goal, AHT, agents.
pub fn summary_lines(plan: &StaffingPlan) -> Vec<(&'static str, String)> {
    let s = &plan.settings;
    let source = match s.source {
        SourceKind::Constant => format!("constant, {} agents", s.constant_agents),
        SourceKind::Pattern => "weekly pattern".to_string(),
        SourceKind::File => format!(
            "file {}",
            s.file
                .as_deref()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        ),
        SourceKind::History => format!("history (median of the last {} weeks)", s.history_weeks),
    };
    let basis = match s.staffed_basis {
        crate::config::StaffedBasis::OnQueue => "on queue",
        crate::config::StaffedBasis::Scheduled => "scheduled, less shrinkage",
    };
    let staffing = format!(
        "Erlang C, {:.0} % answered in {:.0} s, occupancy ≤ {:.0} %, shrinkage {:.0} %; staffed: {source} ({basis}); spare on the {}",
        s.service_level * 100.0,
        s.answer_within_s,
        s.max_occupancy * 100.0,
        s.shrinkage * 100.0,
        if s.use_upper_bound {
            "upper band"
        } else {
            "mean forecast"
        },
    );
    let ahts: Vec<f64> = plan.intervals.iter().map(|iv| iv.aht).collect();
    let (lo, hi) = min_max(&ahts);
    let mut aht = if data_free(plan) {
        format!("{lo:.0} s (fallback_aht_s: no handle-time history)")
    } else {
        format!("{lo:.0}–{hi:.0} s per bucket")
    };
    if let Some(b) = &plan.aht_backtest {
        aht.push_str(&format!(
            "; backtest WAPE {} over {} week(s) (flat mean {})",
            b.wape.map_or("n/a".into(), super::forecast::pct),
            b.folds,
            b.baseline_wape.map_or("n/a".into(), super::forecast::pct),
        ));
    }
    let req: Vec<f64> = plan
        .intervals
        .iter()
        .map(|iv| f64::from(iv.required_agents))
        .collect();
    let up: Vec<f64> = plan
        .intervals
        .iter()
        .map(|iv| f64::from(iv.required_agents_upper))
        .collect();
    let staffed: Vec<f64> = plan
        .intervals
        .iter()
        .filter_map(|iv| iv.staffed_agents)
        .collect();
    let mut agents = format!(
        "required {:.0}–{:.0} (mean), {:.0}–{:.0} (upper band) per bucket",
        min_max(&req).0,
        min_max(&req).1,
        min_max(&up).0,
        min_max(&up).1
    );
    if staffed.is_empty() && s.source == SourceKind::History {
        agents.push_str("; staffed unknown (source = \"history\" reads the org's agents)");
    } else if staffed.is_empty() {
        agents.push_str("; staffed unknown");
    } else {
        let (a, b) = min_max(&staffed);
        agents.push_str(&format!("; staffed {a:.1}–{b:.1}"));
    }
    vec![("Staffing", staffing), ("AHT", aht), ("Agents", agents)]
}

fn data_free(plan: &StaffingPlan) -> bool {
    plan.aht_backtest.is_none()
        && plan
            .intervals
            .iter()
            .all(|iv| iv.aht == plan.settings.fallback_aht_s)
}

fn min_max(v: &[f64]) -> (f64, f64) {
    v.iter()
        .fold((f64::NAN, f64::NAN), |(lo, hi), &x| (lo.min(x), hi.max(x)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn handle_time_comes_from_the_history_bucket_by_bucket() {
        use crate::history::test_support::history_of;
        use crate::history::{HandleTime, Point, Series};
        let t = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
        let points: Vec<Point> = (0..3)
            .map(|i| Point {
                ts: t + TimeDelta::hours(i),
                y: 2.0,
            })
            .collect();
        let series = Series {
            granularity: Granularity::Pt1h,
            tz: Tz::UTC,
            points,
        };
        let mut h = history_of("q", "Q", series);
        assert!(
            handle_buckets(&h).is_empty(),
            "a file history has no handle time"
        );
        h.handle = Some(HandleTime {
            handle_ms_sum: vec![600_000.0, 0.0, 360_000.0],
            handle_count: vec![2.0, 0.0, 1.0],
        });
        let b = handle_buckets(&h);
        assert_eq!(b.len(), 3);
        assert_eq!(
            (b[2].ts, b[2].sum_ms, b[2].count),
            (t + TimeDelta::hours(2), 360_000.0, 1.0)
        );
        assert_eq!((b[0].sum_ms, b[0].count), (600_000.0, 2.0));
    }

    #[test]
    fn finer_forecasts_ask_for_half_hours_and_split_them() {
        assert_eq!(query_granularity(Granularity::Pt15m), Granularity::Pt30m);
        assert_eq!(query_granularity(Granularity::Pt1h), Granularity::Pt1h);
        let t = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
        let got = split(
            BTreeMap::from([(t, 1800.0)]),
            Granularity::Pt30m,
            Granularity::Pt15m,
        );
        assert_eq!(
            got,
            [
                OnQueueBucket {
                    ts: t,
                    on_queue_s: 900.0
                },
                OnQueueBucket {
                    ts: t + TimeDelta::minutes(15),
                    on_queue_s: 900.0
                }
            ]
        );
    }

    #[test]
    fn history_source_without_an_org_or_members_has_no_staffed_agents() {
        let c = Config::default();
        assert_eq!(c.staffing.source, SourceKind::History);
        let none = resolve_source(&c, Tz::UTC, Granularity::Pt1h, None).unwrap();
        assert!(none.is_none());
        let empty = OnQueueHistory {
            buckets: vec![],
            start: Utc::now(),
            end: Utc::now(),
            members: 0,
        };
        assert!(
            resolve_source(&c, Tz::UTC, Granularity::Pt1h, Some(&empty))
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn a_missing_agents_file_is_named() {
        let mut c = Config::default();
        c.staffing.source = SourceKind::File;
        c.staffing.file = Some("/nonexistent/agents.csv".into());
        let e = resolve_source(&c, Tz::UTC, Granularity::Pt1h, None).unwrap_err();
        assert!(e.to_string().contains("/nonexistent/agents.csv"), "{e}");
    }
}
