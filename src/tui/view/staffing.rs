//! The dashboard's staffing (issue 14): the plan's intervals, a what-if override of staffed
//! agents, and the capacity windows recomputed from them. Pure and cheap: an override changes
//! staffed and spare agents only, so no refit, no Erlang C beyond the spare-capacity line, no
//! network.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::WindowRow;
use crate::forecast::pipeline::PipelineOutput;
use crate::forecast::staffing::{
    CapacityWindow, IntervalStaffing, StaffingSettings, capacity_windows, required_agents,
};
use crate::forecast::windows::WindowOptions;
use crate::granularity::Granularity;

/// Which rule picks the dashboard's windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowRule {
    /// Runs with at least `min_spare_agents` idle agents on queue (needs staffed agents).
    Capacity,
    /// The seed's rule: the bottom quantile of forecast contacts.
    Quartile,
}

/// Where a typed staffed-agents number applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every bucket of the forecast.
    Week,
    /// The buckets of `[start, end)` (the window the table's cursor is on).
    Window {
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    },
}

/// A what-if: `agents` staffed (as typed, in the `staffed_basis` of the config) over `scope`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StaffedOverride {
    pub agents: f64,
    pub scope: Scope,
}

/// The plan as the dashboard shows it, with the analyst's override applied.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffingView {
    /// The intervals the staffing stage computed.
    base: Vec<IntervalStaffing>,
    /// `base` with the override's staffed and spare agents.
    pub intervals: Vec<IntervalStaffing>,
    /// Capacity windows of `intervals`, as table rows.
    pub capacity: Vec<WindowRow>,
    /// Per bucket: the most contacts whose required agents (at the rule's bound) still leave
    /// `min_spare_agents` spare; `None` where nothing is staffed or the staff is under it.
    pub rule_line: Vec<(DateTime<Utc>, Option<f64>)>,
    pub settings: StaffingSettings,
    pub override_: Option<StaffedOverride>,
    opts: WindowOptions,
    g: Granularity,
    tz: Tz,
}

impl StaffingView {
    /// The run's staffing, or `None` when the stage did not run (or its windows settings are
    /// invalid, which the stage itself already reported).
    pub fn of(out: &PipelineOutput) -> Option<Self> {
        let plan = out.staffing.as_ref()?;
        let opts = WindowOptions::from_config(&out.config.windows).ok()?;
        let mut v = Self {
            base: plan.intervals.clone(),
            intervals: Vec::new(),
            capacity: Vec::new(),
            rule_line: Vec::new(),
            settings: plan.settings.clone(),
            override_: None,
            opts,
            g: out.granularity,
            tz: out.tz,
        };
        v.apply(None);
        Some(v)
    }

    /// Whether any bucket has staffed agents (so capacity windows mean something).
    pub fn has_staffed(&self) -> bool {
        self.intervals.iter().any(|iv| iv.staffed_agents.is_some())
    }

    /// Sets (or clears) the override and recomputes spare agents, windows and the rule line.
    pub fn apply(&mut self, o: Option<StaffedOverride>) {
        self.override_ = o;
        let factor = self.settings.on_queue_factor();
        let upper = self.settings.use_upper_bound;
        self.intervals = self
            .base
            .iter()
            .map(|iv| match o {
                Some(o) if o.scope.covers(iv.ts) => {
                    let staffed = o.agents * factor;
                    let need = if upper {
                        iv.required_agents_upper
                    } else {
                        iv.required_agents
                    };
                    IntervalStaffing {
                        staffed_agents: Some(staffed),
                        spare_agents: Some(staffed - f64::from(need)),
                        ..*iv
                    }
                }
                _ => *iv,
            })
            .collect();
        let windows =
            capacity_windows(&self.intervals, self.g, self.tz, &self.opts, &self.settings);
        self.capacity = windows.iter().map(row).collect();
        let bucket_s = self.g.duration().num_seconds() as f64;
        self.rule_line = self
            .intervals
            .iter()
            .map(|iv| (iv.ts, self.contacts_capacity(iv, bucket_s)))
            .collect();
    }

    /// The staffing of the bucket starting at `ts`.
    pub fn at(&self, ts: DateTime<Utc>) -> Option<&IntervalStaffing> {
        self.intervals.iter().find(|iv| iv.ts == ts)
    }

    /// The most contacts in a bucket that leave `min_spare_agents` of its staffed agents idle:
    /// the largest `c` with required(c) ≤ ⌊staffed − min_spare⌋, by bisection (required agents
    /// rise with contacts).
    fn contacts_capacity(&self, iv: &IntervalStaffing, bucket_s: f64) -> Option<f64> {
        let staffed = iv.staffed_agents?;
        let n = (staffed - self.settings.min_spare_agents + 1e-9).floor();
        if n < 0.0 || iv.aht <= 0.0 {
            return None;
        }
        let goal = self.settings.goal();
        let fits = |c: f64| {
            required_agents(c * iv.aht / bucket_s, iv.aht, &goal)
                .is_some_and(|s| f64::from(s.agents) <= n)
        };
        // n agents never carry n erlangs: the capacity is under n × bucket ÷ AHT contacts.
        let (mut lo, mut hi) = (0.0, n * bucket_s / iv.aht);
        for _ in 0..40 {
            let mid = (lo + hi) / 2.0;
            if fits(mid) { lo = mid } else { hi = mid }
        }
        Some(lo)
    }
}

impl Scope {
    fn covers(self, ts: DateTime<Utc>) -> bool {
        match self {
            Scope::Week => true,
            Scope::Window { start, end } => start <= ts && ts < end,
        }
    }
}

/// A capacity window as a table row.
pub fn row(w: &CapacityWindow) -> WindowRow {
    WindowRow {
        start: w.start,
        end: w.end,
        mean_yhat: w.expected_contacts / w.buckets.max(1) as f64,
        expected_contacts: w.expected_contacts,
        spare_agent_hours: Some(w.spare_agent_hours),
        outbound_calls: Some(w.outbound_calls),
    }
}

#[cfg(test)]
mod tests;
