//! `[staffing]`: how forecast contacts become agents, where the staffed agents come from, and
//! which windows are offered (issue 14). The struct is the staffing core's settings
//! (`forecast::staffing` re-exports it and adds the Erlang goal); it lives here, with the rest
//! of the settings, because `config` sits below `forecast` in the layering.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::ConfigError;

/// Where the staffed agents come from (`[staffing] source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// Agents on queue per bucket in the org's own history (user aggregates of the queue's
    /// members), projected as the median of the same bucket of the week over the last
    /// `history_weeks` weeks. Needs an org; a file forecast has no staffed agents then.
    #[default]
    History,
    /// A `ds,agents` CSV (`file`).
    File,
    /// The weekly `pattern`, e.g. `Mon-Fri 08:00-18:00 = 12`.
    Pattern,
    /// `constant_agents` on queue at every bucket.
    Constant,
}

impl SourceKind {
    /// The config spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::History => "history",
            SourceKind::File => "file",
            SourceKind::Pattern => "pattern",
            SourceKind::Constant => "constant",
        }
    }
}

/// Whether a typed roster counts agents on queue or agents scheduled (before shrinkage).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffedBasis {
    #[default]
    OnQueue,
    Scheduled,
}

/// Which windows the headless summary, the export's `windows` and the dashboard offer first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WindowsMode {
    /// Runs with at least `min_spare_agents` idle agents; the quartile rule when there are no
    /// staffed agents to compare with.
    #[default]
    Capacity,
    /// The seed's rule: the bottom `windows.quantile` of forecast contacts.
    Quartile,
}

impl WindowsMode {
    pub fn as_str(self) -> &'static str {
        match self {
            WindowsMode::Capacity => "capacity",
            WindowsMode::Quartile => "quartile",
        }
    }
}

/// The `[staffing]` settings, spelled as the config file spells them. Defaults follow the
/// industry's 80/20 goal and typical shrinkage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StaffingSettings {
    pub source: SourceKind,
    /// Agents on every bucket for `source = "constant"`.
    pub constant_agents: f64,
    /// `ds,agents` CSV for `source = "file"`.
    pub file: Option<PathBuf>,
    /// Weekly roster for `source = "pattern"`, e.g. `"Mon-Fri 08:00-18:00 = 12"`.
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
    /// `capacity` (default) or `quartile`.
    pub windows: WindowsMode,
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
            windows: WindowsMode::Capacity,
        }
    }
}

fn invalid(setting: &'static str, value: impl ToString, hint: &str) -> ConfigError {
    ConfigError::Invalid {
        setting,
        value: value.to_string(),
        hint: hint.to_string(),
    }
}

impl StaffingSettings {
    /// Checks every number and that the chosen source has what it needs; the error names the
    /// setting and a valid example.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.validate_numbers()?;
        self.validate_weeks()?;
        self.validate_source()
    }

    fn validate_numbers(&self) -> Result<(), ConfigError> {
        let open01 = |v: f64| v > 0.0 && v < 1.0;
        let positive = |v: f64| v.is_finite() && v > 0.0;
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
                positive(self.min_spare_agents),
                "use a number of agents above 0, e.g. 2",
            ),
            (
                "staffing.outbound_handle_time_s",
                self.outbound_handle_time_s,
                positive(self.outbound_handle_time_s),
                "use seconds above 0, e.g. 300",
            ),
            (
                "staffing.fallback_aht_s",
                self.fallback_aht_s,
                positive(self.fallback_aht_s),
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
                return Err(invalid(setting, value, hint));
            }
        }
        Ok(())
    }

    fn validate_weeks(&self) -> Result<(), ConfigError> {
        for (setting, weeks) in [
            ("staffing.aht_weeks", self.aht_weeks),
            ("staffing.history_weeks", self.history_weeks),
        ] {
            if weeks == 0 || weeks > 52 {
                return Err(invalid(setting, weeks, "use 1 to 52 weeks, e.g. 4"));
            }
        }
        if self.aht_backtest_folds > 52 {
            return Err(invalid(
                "staffing.aht_backtest_folds",
                self.aht_backtest_folds,
                "use 0 (no backtest) to 52 one-week folds, e.g. 4",
            ));
        }
        Ok(())
    }

    /// The chosen source has its data: a file path, a pattern, a constant above zero.
    fn validate_source(&self) -> Result<(), ConfigError> {
        match self.source {
            SourceKind::File if self.file.as_ref().is_none_or(|f| f.as_os_str().is_empty()) => {
                Err(invalid(
                    "staffing.file",
                    "",
                    "source = \"file\" reads staffed agents from a ds,agents CSV: set \
                     file = \"/path/to/agents.csv\", or choose another source",
                ))
            }
            SourceKind::Pattern if self.pattern.trim().is_empty() => Err(invalid(
                "staffing.pattern",
                "",
                "source = \"pattern\" needs a weekly roster, e.g. \
                 pattern = \"Mon-Fri 08:00-18:00 = 12\"",
            )),
            SourceKind::Constant if self.constant_agents <= 0.0 => Err(invalid(
                "staffing.constant_agents",
                self.constant_agents,
                "source = \"constant\" needs the agents on queue at every bucket, e.g. \
                 constant_agents = 12",
            )),
            _ => Ok(()),
        }
    }

    /// Multiplier from a typed roster figure to agents on queue.
    pub fn on_queue_factor(&self) -> f64 {
        match self.staffed_basis {
            StaffedBasis::OnQueue => 1.0,
            StaffedBasis::Scheduled => 1.0 - self.shrinkage,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_deserialize_as_a_config_section_with_defaults() {
        let s: StaffingSettings = toml::from_str(
            "source = \"constant\"\nconstant_agents = 12\nmin_spare_agents = 3\n\
             staffed_basis = \"scheduled\"\nwindows = \"quartile\"\n",
        )
        .unwrap();
        assert_eq!(s.source, SourceKind::Constant);
        assert_eq!(s.constant_agents, 12.0);
        assert_eq!(s.min_spare_agents, 3.0);
        assert_eq!(s.windows, WindowsMode::Quartile);
        assert_eq!(s.service_level, 0.80);
        assert_eq!(s.answer_within_s, 20.0);
        assert!((s.on_queue_factor() - 0.7).abs() < 1e-12);
        s.validate().unwrap();
        let empty: StaffingSettings = toml::from_str("").unwrap();
        assert_eq!(empty, StaffingSettings::default());
        assert_eq!(empty.windows, WindowsMode::Capacity);
        empty.validate().unwrap();
    }

    #[test]
    fn unknown_keys_and_bad_values_are_named() {
        let err = toml::from_str::<StaffingSettings>("servicelevel = 0.8")
            .unwrap_err()
            .to_string();
        assert!(err.contains("servicelevel"), "{err}");
        let err = toml::from_str::<StaffingSettings>("source = \"roster\"")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("roster") && err.contains("pattern") && err.contains("constant"),
            "{err}"
        );
        let cases: [(StaffingSettings, &str, &str); 5] = [
            (
                StaffingSettings {
                    service_level: 80.0,
                    ..Default::default()
                },
                "staffing.service_level",
                "0.80",
            ),
            (
                StaffingSettings {
                    history_weeks: 0,
                    ..Default::default()
                },
                "staffing.history_weeks",
                "1 to 52",
            ),
            (
                StaffingSettings {
                    shrinkage: 1.0,
                    ..Default::default()
                },
                "staffing.shrinkage",
                "0.30",
            ),
            (
                StaffingSettings {
                    max_calls_per_agent: 0.5,
                    ..Default::default()
                },
                "staffing.max_calls_per_agent",
                ">= 1",
            ),
            (
                StaffingSettings {
                    aht_backtest_folds: 60,
                    ..Default::default()
                },
                "staffing.aht_backtest_folds",
                "52",
            ),
        ];
        for (s, setting, hint) in cases {
            let msg = s.validate().unwrap_err().to_string();
            assert!(msg.contains(setting) && msg.contains(hint), "{msg}");
        }
    }

    #[test]
    fn each_source_needs_its_data() {
        let msg = |s: StaffingSettings| s.validate().unwrap_err().to_string();
        let file = msg(StaffingSettings {
            source: SourceKind::File,
            ..Default::default()
        });
        assert!(
            file.contains("staffing.file") && file.contains("agents.csv"),
            "{file}"
        );
        let pattern = msg(StaffingSettings {
            source: SourceKind::Pattern,
            pattern: "  ".into(),
            ..Default::default()
        });
        assert!(pattern.contains("Mon-Fri 08:00-18:00 = 12"), "{pattern}");
        let constant = msg(StaffingSettings {
            source: SourceKind::Constant,
            ..Default::default()
        });
        assert!(constant.contains("constant_agents = 12"), "{constant}");
        for ok in [
            StaffingSettings {
                source: SourceKind::File,
                file: Some("agents.csv".into()),
                ..Default::default()
            },
            StaffingSettings {
                source: SourceKind::Pattern,
                pattern: "daily 00:00-24:00 = 3".into(),
                ..Default::default()
            },
        ] {
            ok.validate().unwrap();
        }
    }
}
