//! `[campaign]`: how a campaign's schedule is sent.

use serde::{Deserialize, Serialize};

use super::ConfigError;

/// The margin's default, in minutes.
pub const DEFAULT_SCHEDULE_MARGIN_MIN: f64 = 15.0;
/// A day: a larger margin would only ever drop the first day's windows.
pub const MAX_SCHEDULE_MARGIN_MIN: f64 = 1440.0;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct CampaignConfig {
    /// How soon a scheduled window may start, in minutes from the submit: Genesys refuses a
    /// schedule entry that starts in the past, and one starting within minutes may be past by
    /// the time the request arrives. Earlier windows are clipped to start then.
    pub schedule_margin_min: f64,
}

impl Default for CampaignConfig {
    fn default() -> Self {
        Self {
            schedule_margin_min: DEFAULT_SCHEDULE_MARGIN_MIN,
        }
    }
}

impl CampaignConfig {
    /// The margin as a duration, to the second (validated: finite and in range).
    pub fn schedule_margin(&self) -> chrono::TimeDelta {
        chrono::TimeDelta::seconds((self.schedule_margin_min * 60.0).round() as i64)
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        let m = self.schedule_margin_min;
        if m.is_finite() && (1.0..=MAX_SCHEDULE_MARGIN_MIN).contains(&m) {
            return Ok(());
        }
        Err(ConfigError::Invalid {
            setting: "campaign.schedule_margin_min",
            value: m.to_string(),
            hint: format!(
                "use 1 to {MAX_SCHEDULE_MARGIN_MIN} minutes, e.g. {DEFAULT_SCHEDULE_MARGIN_MIN}: \
                 Genesys refuses a schedule that starts in the past"
            ),
        })
    }
}
