//! Interval history as a regular series in the contact centre's time zone.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::granularity::Granularity;

/// One bucket: its start instant and the count (or value) in it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub ts: DateTime<Utc>,
    pub y: f64,
}

/// A regular, sorted, gap-free series at one granularity.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub granularity: Granularity,
    pub tz: Tz,
    pub points: Vec<Point>,
}
