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

use serde::{Deserialize, Serialize};

pub use aht::{AhtBacktest, AhtBasis, AhtProfile, HandleBucket};
pub use capacity::{
    CapacityWindow, IntervalStaffing, PacingSuggestion, StaffingPlan, capacity_windows, plan,
    staff_intervals, suggest_pacing,
};
pub use erlang::{QueueStats, ServiceGoal, required_agents, scheduled_agents};
pub use roster::{AgentSeries, OnQueueBucket, OnQueueProjection, StaffedSource, WeeklyPattern};

/// Where the staffed agents come from (`[staffing] source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// Agents on queue per bucket in the org's own history, projected as the median of the same
    /// bucket of the week over the last `history_weeks` weeks.
    #[default]
    History,
    /// A `ds,agents` CSV (`file`), or else the weekly `pattern`.
    File,
    /// `constant_agents` on queue at every bucket.
    Constant,
}

/// Whether a typed roster counts agents on queue or agents scheduled (before shrinkage).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffedBasis {
    #[default]
    OnQueue,
    Scheduled,
}

/// The `[staffing]` settings, spelled as the config file will spell them. Defaults follow the
/// industry's 80/20 goal and typical shrinkage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StaffingSettings {
    pub source: SourceKind,
    /// Agents on every bucket for `source = "constant"`.
    pub constant_agents: f64,
    /// `ds,agents` CSV for `source = "file"` (read by the caller; this module parses text).
    pub file: Option<std::path::PathBuf>,
    /// Weekly roster for `source = "file"` without `file`, e.g. `"Mon-Fri 08:00-18:00 = 12"`.
    pub pattern: String,
    /// What a typed roster counts; history is always on queue.
    pub staffed_basis: StaffedBasis,
    /// Fraction of contacts to answer within `answer_within_s`.
    pub service_level: f64,
    pub answer_within_s: f64,
    /// Upper limit on agent occupancy (A / agents).
    pub max_occupancy: f64,
    /// Fraction of scheduled time not on queue.
    pub shrinkage: f64,
    /// A window needs at least this many spare agents in every bucket.
    pub min_spare_agents: f64,
    /// Mean handle time of one outbound call, for the calls a window allows.
    pub outbound_handle_time_s: f64,
    /// Required agents at the upper band (true) or at the mean forecast (false).
    pub use_upper_bound: bool,
    /// Weeks of handle-time history behind the AHT profile.
    pub aht_weeks: u32,
    /// Handled contacts a bucket of the week needs (over `aht_weeks`) to get its own AHT.
    pub aht_min_contacts: f64,
    /// AHT when there is no handle-time history at all (e.g. `forecast --input file.csv`).
    pub fallback_aht_s: f64,
    /// Rolling-origin folds (one week each) of the AHT backtest.
    pub aht_backtest_folds: u32,
    /// Weeks of on-queue history behind the staffed projection.
    pub history_weeks: u32,
    /// Lines per spare agent when suggesting `outboundLineCount` for power/predictive dialing.
    pub max_calls_per_agent: f64,
}

impl Default for StaffingSettings {
    fn default() -> Self {
        Self {
            source: SourceKind::History,
            constant_agents: 0.0,
            file: None,
            pattern: String::new(),
            staffed_basis: StaffedBasis::OnQueue,
            service_level: 0.80,
            answer_within_s: 20.0,
            max_occupancy: 0.85,
            shrinkage: 0.30,
            min_spare_agents: 2.0,
            outbound_handle_time_s: 300.0,
            use_upper_bound: true,
            aht_weeks: 8,
            aht_min_contacts: 30.0,
            fallback_aht_s: 300.0,
            aht_backtest_folds: 4,
            history_weeks: 4,
            max_calls_per_agent: 1.0,
        }
    }
}

impl StaffingSettings {
    /// The Erlang C goal these settings ask for.
    pub fn goal(&self) -> ServiceGoal {
        ServiceGoal {
            service_level: self.service_level,
            answer_within_s: self.answer_within_s,
            max_occupancy: self.max_occupancy,
        }
    }

    /// Multiplier from a typed roster figure to agents on queue.
    pub fn on_queue_factor(&self) -> f64 {
        match self.staffed_basis {
            StaffedBasis::OnQueue => 1.0,
            StaffedBasis::Scheduled => 1.0 - self.shrinkage,
        }
    }

    /// Checks every number; the error names the setting and a valid example.
    pub fn validate(&self) -> Result<(), StaffingError> {
        let open01 = |v: f64| v > 0.0 && v < 1.0;
        let checks: [(&'static str, f64, bool, &str); 10] = [
            (
                "staffing.service_level",
                self.service_level,
                open01(self.service_level),
                "use a fraction between 0 and 1, e.g. 0.80 for 80 % answered in time",
            ),
            (
                "staffing.answer_within_s",
                self.answer_within_s,
                self.answer_within_s.is_finite() && self.answer_within_s >= 0.0,
                "use seconds, 0 or more, e.g. 20",
            ),
            (
                "staffing.max_occupancy",
                self.max_occupancy,
                self.max_occupancy > 0.0 && self.max_occupancy <= 1.0,
                "use a fraction above 0 and at most 1, e.g. 0.85",
            ),
            (
                "staffing.shrinkage",
                self.shrinkage,
                self.shrinkage >= 0.0 && self.shrinkage < 1.0,
                "use a fraction from 0 up to (not including) 1, e.g. 0.30",
            ),
            (
                "staffing.min_spare_agents",
                self.min_spare_agents,
                self.min_spare_agents.is_finite() && self.min_spare_agents > 0.0,
                "use a number of agents above 0, e.g. 2",
            ),
            (
                "staffing.outbound_handle_time_s",
                self.outbound_handle_time_s,
                self.outbound_handle_time_s.is_finite() && self.outbound_handle_time_s > 0.0,
                "use seconds above 0, e.g. 300",
            ),
            (
                "staffing.fallback_aht_s",
                self.fallback_aht_s,
                self.fallback_aht_s.is_finite() && self.fallback_aht_s > 0.0,
                "use seconds above 0, e.g. 300",
            ),
            (
                "staffing.constant_agents",
                self.constant_agents,
                self.constant_agents.is_finite() && self.constant_agents >= 0.0,
                "use a number of agents, 0 or more, e.g. 12",
            ),
            (
                "staffing.aht_min_contacts",
                self.aht_min_contacts,
                self.aht_min_contacts.is_finite() && self.aht_min_contacts >= 1.0,
                "use a count of contacts, at least 1, e.g. 30",
            ),
            (
                "staffing.max_calls_per_agent",
                self.max_calls_per_agent,
                self.max_calls_per_agent.is_finite() && self.max_calls_per_agent >= 1.0,
                "use a number of lines per agent, at least 1 (Genesys requires >= 1), e.g. 1.5",
            ),
        ];
        for (setting, value, ok, hint) in checks {
            if !ok {
                return Err(invalid(setting, value.to_string(), hint));
            }
        }
        for (setting, weeks) in [
            ("staffing.aht_weeks", self.aht_weeks),
            ("staffing.history_weeks", self.history_weeks),
        ] {
            if weeks == 0 {
                return Err(invalid(setting, "0".into(), "use at least 1 week, e.g. 4"));
            }
        }
        Ok(())
    }
}

fn invalid(setting: &'static str, value: String, hint: &str) -> StaffingError {
    StaffingError::Invalid {
        setting,
        value,
        hint: hint.to_string(),
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
    fn settings_deserialize_as_a_config_section_with_defaults() {
        let s: StaffingSettings = toml::from_str(
            "source = \"constant\"\nconstant_agents = 12\nmin_spare_agents = 3\n\
             staffed_basis = \"scheduled\"\n",
        )
        .unwrap();
        assert_eq!(s.source, SourceKind::Constant);
        assert_eq!(s.constant_agents, 12.0);
        assert_eq!(s.min_spare_agents, 3.0);
        assert_eq!(s.service_level, 0.80);
        assert_eq!(s.answer_within_s, 20.0);
        assert!((s.on_queue_factor() - 0.7).abs() < 1e-12);
        s.validate().unwrap();
        let empty: StaffingSettings = toml::from_str("").unwrap();
        assert_eq!(empty, StaffingSettings::default());
        assert_eq!(empty.goal().max_occupancy, 0.85);
    }

    #[test]
    fn unknown_keys_and_bad_values_are_named() {
        let err = toml::from_str::<StaffingSettings>("servicelevel = 0.8")
            .unwrap_err()
            .to_string();
        assert!(err.contains("servicelevel"), "{err}");
        let bad = StaffingSettings {
            service_level: 80.0,
            ..Default::default()
        };
        let msg = bad.validate().unwrap_err().to_string();
        assert!(
            msg.contains("staffing.service_level") && msg.contains("0.80"),
            "{msg}"
        );
        let bad = StaffingSettings {
            history_weeks: 0,
            ..Default::default()
        };
        assert!(
            bad.validate()
                .unwrap_err()
                .to_string()
                .contains("history_weeks")
        );
        let bad = StaffingSettings {
            shrinkage: 1.0,
            ..Default::default()
        };
        assert!(
            bad.validate()
                .unwrap_err()
                .to_string()
                .contains("shrinkage")
        );
    }
}
