//! How much one input may cost, so no file (or API range) can hang the process or exhaust
//! memory: file size, buckets, the longest gap, and the dates a row may carry. The defaults are
//! far beyond any contact centre's history and far below what hurts a laptop; `[limits]` in the
//! config raises them (`config::LimitsConfig` names the settings in errors).

use chrono::{DateTime, Utc};

/// Bounds on one `ds,y` file or one history range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputLimits {
    /// Largest file read, checked before reading a byte.
    pub max_file_bytes: u64,
    /// Most rows in a file, and most buckets in a series (rows and gaps alike).
    pub max_buckets: usize,
    /// Longest run of missing buckets between two rows: longer is a year typo far more often
    /// than a real closure.
    pub max_gap_days: u32,
}

impl InputLimits {
    pub const DEFAULT_MAX_FILE_MB: u64 = 64;
    /// Ten years of hourly buckets, five and a half of 15-minute ones.
    pub const DEFAULT_MAX_BUCKETS: usize = 200_000;
    pub const DEFAULT_MAX_GAP_DAYS: u32 = 31;
}

impl Default for InputLimits {
    fn default() -> Self {
        Self {
            max_file_bytes: Self::DEFAULT_MAX_FILE_MB * 1024 * 1024,
            max_buckets: Self::DEFAULT_MAX_BUCKETS,
            max_gap_days: Self::DEFAULT_MAX_GAP_DAYS,
        }
    }
}

/// The earliest and (exclusive) latest bucket start a row may have: outside them a date is a
/// typo, and near chrono's limits adding a bucket would overflow.
pub fn date_range() -> (DateTime<Utc>, DateTime<Utc>) {
    let at = |y| {
        chrono::NaiveDate::from_ymd_opt(y, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc())
            .expect("a valid new year")
    };
    (at(1970), at(2200))
}

/// A byte count for messages: `1.5 GB`, `64 MB`, `812 kB`.
pub fn human_bytes(n: u64) -> String {
    const MB: f64 = 1024.0 * 1024.0;
    let x = n as f64;
    if x >= 1024.0 * MB {
        format!("{:.1} GB", x / (1024.0 * MB))
    } else if x >= MB {
        format!("{:.0} MB", x / MB)
    } else {
        format!("{:.0} kB", (x / 1024.0).ceil())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_read_as_people_write_them() {
        assert_eq!(human_bytes(3 * 1024 * 1024 / 2 * 1024), "1.5 GB");
        assert_eq!(human_bytes(64 * 1024 * 1024), "64 MB");
        assert_eq!(human_bytes(1000), "1 kB");
    }
}
