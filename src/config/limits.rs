//! `[limits]` and the upper bounds of costly settings: what one input may cost before it is
//! refused with a clear error.

use serde::{Deserialize, Serialize};

use crate::history::InputLimits;

/// How much one input may cost (`[limits]`): a bad file or a typo in a date must end in a
/// clear error, not in minutes of work or gigabytes of memory.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsConfig {
    /// Largest `--input` file read, in MiB.
    pub max_file_mb: u64,
    /// Most buckets in one history (rows of a file, or a fetched range).
    pub max_buckets: usize,
    /// Longest run of missing days between two rows of a file.
    pub max_gap_days: u32,
    /// Most buckets one history fetch may ask for across its queues (days × buckets a day ×
    /// queues): all of them are in memory at once.
    pub max_fetch_buckets: usize,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        Self {
            max_file_mb: InputLimits::DEFAULT_MAX_FILE_MB,
            max_buckets: InputLimits::DEFAULT_MAX_BUCKETS,
            max_gap_days: InputLimits::DEFAULT_MAX_GAP_DAYS,
            max_fetch_buckets: Self::DEFAULT_MAX_FETCH_BUCKETS,
        }
    }
}

impl LimitsConfig {
    /// 50 queues (a batch of `forecast --all`) of a year of 15-minute buckets; about 150 MB.
    pub const DEFAULT_MAX_FETCH_BUCKETS: usize = 2_000_000;

    pub fn input_limits(&self) -> InputLimits {
        InputLimits {
            max_file_bytes: self.max_file_mb.saturating_mul(1024 * 1024),
            max_buckets: self.max_buckets,
            max_gap_days: self.max_gap_days,
        }
    }
}

/// Upper bounds of settings whose cost grows with their value: far above any real use, far
/// below a hang or an out-of-memory kill (issue 17: `--days 1e8` panicked in date arithmetic,
/// `--uncertainty-samples 1e7` took 24 GB).
pub mod bounds {
    /// Ten years of history.
    pub const MAX_HISTORY_DAYS: u32 = 3660;
    pub const MAX_UNCERTAINTY_SAMPLES: u32 = 10_000;
    pub const MAX_BACKTEST_FOLDS: u32 = 20;
    pub const MAX_RETRIES: u32 = 20;
    pub const MAX_TIMEOUT_SECS: u64 = 600;
    pub const MAX_CONCURRENCY: usize = 16;
    pub const MAX_CHUNK_DAYS: u32 = 366;
    pub const MAX_FILE_MB: u64 = 4096;
    pub const MAX_BUCKETS: usize = 2_000_000;
    pub const MAX_FETCH_BUCKETS: usize = 50_000_000;
    pub const MAX_FIT_ITERATIONS: u32 = 1_000_000;
    pub const MAX_FIT_SECONDS: u32 = 3600;
}
