//! The bucket sizes queuecast queries and forecasts at.

use std::fmt;
use std::str::FromStr;

use chrono::TimeDelta;
use serde::{Deserialize, Serialize};

/// An aggregates-query granularity, spelled as Genesys spells it (ISO-8601 duration).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Granularity {
    #[serde(rename = "PT15M")]
    Pt15m,
    #[serde(rename = "PT30M")]
    Pt30m,
    #[serde(rename = "PT1H")]
    Pt1h,
}

impl Granularity {
    pub const ALL: [Granularity; 3] = [Granularity::Pt15m, Granularity::Pt30m, Granularity::Pt1h];

    /// The ISO-8601 spelling Genesys expects in `granularity`.
    pub fn as_iso(self) -> &'static str {
        match self {
            Granularity::Pt15m => "PT15M",
            Granularity::Pt30m => "PT30M",
            Granularity::Pt1h => "PT1H",
        }
    }

    pub fn minutes(self) -> i64 {
        match self {
            Granularity::Pt15m => 15,
            Granularity::Pt30m => 30,
            Granularity::Pt1h => 60,
        }
    }

    pub fn duration(self) -> TimeDelta {
        TimeDelta::minutes(self.minutes())
    }

    /// Buckets in one day (wall-clock day without DST change).
    pub fn per_day(self) -> usize {
        (24 * 60 / self.minutes()) as usize
    }

    /// The granularity whose bucket is exactly `minutes` long, if queuecast supports it.
    pub fn from_minutes(minutes: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.minutes() == minutes)
    }
}

impl fmt::Display for Granularity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_iso())
    }
}

/// Why a granularity string was rejected.
#[derive(Debug, thiserror::Error)]
#[error("unsupported granularity {0:?}: use PT15M, PT30M or PT1H")]
pub struct ParseGranularityError(pub String);

impl FromStr for Granularity {
    type Err = ParseGranularityError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            "PT15M" | "15M" | "15MIN" => Ok(Granularity::Pt15m),
            "PT30M" | "30M" | "30MIN" => Ok(Granularity::Pt30m),
            "PT1H" | "PT60M" | "1H" | "60M" => Ok(Granularity::Pt1h),
            _ => Err(ParseGranularityError(s.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_iso_and_short_forms() {
        assert_eq!("PT15M".parse::<Granularity>().unwrap(), Granularity::Pt15m);
        assert_eq!("pt1h".parse::<Granularity>().unwrap(), Granularity::Pt1h);
        assert_eq!("PT60M".parse::<Granularity>().unwrap(), Granularity::Pt1h);
        let err = "P1D".parse::<Granularity>().unwrap_err().to_string();
        assert!(err.contains("P1D") && err.contains("PT30M"), "{err}");
    }

    #[test]
    fn serde_uses_iso_spelling() {
        let json = serde_json::to_string(&Granularity::Pt30m).unwrap();
        assert_eq!(json, "\"PT30M\"");
        assert_eq!(Granularity::Pt30m.per_day(), 48);
    }
}
