//! The bucket sizes queuecast queries and forecasts at.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, TimeDelta, Timelike, Utc};
use chrono_tz::Tz;
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

    /// Buckets in one week: the season of the weekly naive and of the MASE scale.
    pub fn per_week(self) -> usize {
        7 * self.per_day()
    }

    /// Local bucket of the day (0 ..per_day) of an instant, in the contact centre's zone.
    pub fn bucket_of_day(self, ts: DateTime<Utc>, tz: Tz) -> usize {
        let local = ts.with_timezone(&tz);
        let minutes = i64::from(local.hour()) * 60 + i64::from(local.minute());
        ((minutes / self.minutes()) as usize).min(self.per_day() - 1)
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
        assert_eq!(Granularity::Pt15m.per_week(), 672);
    }

    #[test]
    fn bucket_of_day_uses_local_time() {
        use chrono::TimeZone;
        let ts = Utc.with_ymd_and_hms(2024, 7, 1, 7, 30, 0).unwrap();
        // 07:30 UTC is 08:30 in Dublin (IST, UTC+1).
        let dublin = chrono_tz::Europe::Dublin;
        assert_eq!(Granularity::Pt1h.bucket_of_day(ts, dublin), 8);
        assert_eq!(Granularity::Pt30m.bucket_of_day(ts, dublin), 17);
    }
}
