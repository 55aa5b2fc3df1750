//! From forecast contacts to agents: handle time, Erlang C staffing, staffed agents, and the
//! capacity windows where agents on queue sit idle (issue 14).
//!
//! Pure: no I/O, no Genesys types. The caller brings the forecast, the per-bucket handle-time
//! history (`tHandle` sum and count), and where the staffed agents come from; this module
//! returns per-interval staffing and the windows, ready for the export and the dashboard.
//!
//! # Conventions
//! - **Agents are agents on queue.** `required_agents` is the Erlang C answer: agents on queue
//!   (available or interacting) needed for the goal. Genesys' own staffed figure (time on queue
//!   per interval) is already net of shrinkage (breaks, meetings and absence are not on queue),
//!   so spare = staffed on queue − required on queue, with no shrinkage in between. Shrinkage
//!   applies only where a head count is *scheduled*: [`erlang::scheduled_agents`] turns on-queue
//!   agents into agents to roster, ⌈n / (1 − shrinkage)⌉, and a roster typed by the analyst
//!   (`constant`, a weekly pattern, a `ds,agents` file) counts on-queue agents unless
//!   `staffed_basis = "scheduled"`, in which case it is multiplied by (1 − shrinkage) first.
//! - **Spare at the upper band by default.** Outbound work placed on the mean forecast eats
//!   into inbound service half the time; `use_upper_bound = false` plans on the mean.
//! - **AHT is a count-weighted median**, see [`aht`].

pub mod aht;
pub mod capacity;
pub mod erlang;
pub mod roster;

pub use aht::{AhtBacktest, AhtBasis, AhtProfile, HandleBucket};
pub use capacity::{
    CapacityWindow, IntervalStaffing, PacingSuggestion, StaffingPlan, capacity_windows, plan,
    staff_intervals, suggest_pacing,
};
pub use erlang::{QueueStats, ServiceGoal, required_agents, scheduled_agents};
pub use roster::{AgentSeries, OnQueueBucket, OnQueueProjection, StaffedSource, WeeklyPattern};

use crate::config::ConfigError;
/// The `[staffing]` settings live in `config` (below `forecast`); the Erlang goal is added here.
pub use crate::config::{SourceKind, StaffedBasis, StaffingSettings, WindowsMode};

impl StaffingSettings {
    /// The Erlang C goal these settings ask for.
    pub fn goal(&self) -> ServiceGoal {
        ServiceGoal {
            service_level: self.service_level,
            answer_within_s: self.answer_within_s,
            max_occupancy: self.max_occupancy,
        }
    }
}

/// A settings problem found by [`StaffingSettings::validate`], as the staffing stage reports it.
impl From<ConfigError> for StaffingError {
    fn from(e: ConfigError) -> Self {
        match e {
            ConfigError::Invalid {
                setting,
                value,
                hint,
            } => StaffingError::Invalid {
                setting,
                value,
                hint,
            },
            other => StaffingError::Invalid {
                setting: "staffing",
                value: String::new(),
                hint: other.to_string(),
            },
        }
    }
}

/// Why staffing could not be worked out, phrased for the analyst who has to fix it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StaffingError {
    #[error("invalid setting {setting} = {value}: {hint}")]
    Invalid {
        setting: &'static str,
        value: String,
        hint: String,
    },
    #[error("staffing pattern, line {line} ({text:?}): {problem}; {hint}")]
    Pattern {
        line: usize,
        text: String,
        problem: String,
        hint: String,
    },
    #[error("staffed agents CSV, line {line}: {problem}; {hint}")]
    AgentsCsv {
        line: u64,
        problem: String,
        hint: String,
    },
    #[error(
        "{what} has {got} values for {want} forecast buckets; pass one value per bucket, \
         in forecast order"
    )]
    Length {
        what: &'static str,
        got: usize,
        want: usize,
    },
    #[error(
        "the bucket at {ts} needs more than {max} agents ({traffic:.0} erlangs of traffic from \
         {contacts:.0} contacts at AHT {aht_s:.0} s); check the forecast and the handle times",
        max = erlang::MAX_AGENTS
    )]
    Unstaffable {
        ts: chrono::DateTime<chrono::Utc>,
        traffic: f64,
        contacts: f64,
        aht_s: f64,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_goal_and_setting_errors_as_the_stage_reports_them() {
        let s = StaffingSettings {
            service_level: 0.9,
            answer_within_s: 15.0,
            ..Default::default()
        };
        assert_eq!(
            s.goal(),
            ServiceGoal {
                service_level: 0.9,
                answer_within_s: 15.0,
                max_occupancy: 0.85
            }
        );
        let bad = StaffingSettings {
            shrinkage: 1.0,
            ..Default::default()
        };
        let e = StaffingError::from(bad.validate().unwrap_err());
        let StaffingError::Invalid { setting, .. } = &e else {
            panic!("{e:?}");
        };
        assert_eq!(*setting, "staffing.shrinkage");
        assert!(e.to_string().contains("e.g. 0.30"), "{e}");
    }
}
