//! Interval history as a regular series in the contact centre's time zone.
//!
//! Models need a gap-free grid, but neither source gives one: Genesys omits buckets with no
//! conversations, and CSV files have holes and DST quirks. Everything that turns raw buckets
//! into a [`Series`] lives here so the API path and the offline path agree bucket for bucket.

mod csv_reader;
pub mod limits;

pub use csv_reader::{
    Clock, CsvRow, GridRows, InputClock, Stamp, Window, csv_rows, csv_rows_limited, on_grid,
    on_grid_within, parse_csv, parse_csv_limited, read_csv, read_csv_limited, read_csv_with,
    to_instants,
};
pub use limits::InputLimits;

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use chrono::{DateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::genesys::{Direction, DirectionDimension};
use crate::granularity::Granularity;
use crate::refs::QueueRef;

/// How missing buckets are filled when the history series is built.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum FillMode {
    /// Genesys omits buckets with no conversations: a missing bucket is a real zero.
    #[default]
    Zero,
    /// The seed script's forward fill, kept as an option.
    Ffill,
}

/// A queue's history as the service hands it out: which queue, its regular series and what
/// was done to build it.
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    pub queue: QueueRef,
    pub series: Series,
    pub summary: SeriesSummary,
    /// Handle time per bucket of `series` (from the API's `tHandle`, fetched in the same
    /// query as `nOffered`); `None` for a file.
    pub handle: Option<HandleTime>,
}

/// `tHandle` per bucket, aligned with the series' points: the handle-time sum in
/// milliseconds and the number of contacts handled (its `count`). AHT = sum / count; a bucket
/// with count 0 has no AHT. Timers post when handling ends, so the last buckets lag.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HandleTime {
    pub handle_ms_sum: Vec<f64>,
    pub handle_count: Vec<f64>,
}

/// Which conversations an API history counts: its media types (empty = all) and direction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Counted {
    pub media_types: Vec<String>,
    /// `None` = both directions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    /// The dimension the direction was filtered on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction_dimension: Option<DirectionDimension>,
}

/// `voice, inbound (originatingDirection)`; `all media, both directions`.
impl fmt::Display for Counted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.media_types.is_empty() {
            f.write_str("all media")?;
        } else {
            f.write_str(&self.media_types.join("+"))?;
        }
        match (self.direction, self.direction_dimension) {
            (Some(d), Some(dim)) => write!(f, ", {} ({})", d.as_str(), dim.as_str()),
            (Some(d), None) => write!(f, ", {}", d.as_str()),
            (None, _) => f.write_str(", both directions"),
        }
    }
}

/// Why a series starts after the requested start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "reason")]
pub enum StartReason {
    /// Nothing was reported before this bucket (the queue is newer than the range, or the
    /// org's data begin later): missing buckets before it are not zeros.
    FirstData,
    /// The org's analytics retention ends here (`retentionDays`).
    Retention { days: u32 },
}

/// The series starts later than asked, and why (see [`StartReason`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LateStart {
    /// The start that was asked for.
    pub requested: DateTime<Utc>,
    #[serde(flatten)]
    pub reason: StartReason,
}

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

impl Series {
    /// The values alone, in time order (what the metrics take).
    pub fn values(&self) -> Vec<f64> {
        self.points.iter().map(|p| p.y).collect()
    }

    /// The first `n` points as a series of their own (holdouts, backtests).
    pub fn head(&self, n: usize) -> Series {
        Series {
            granularity: self.granularity,
            tz: self.tz,
            points: self.points[..n.min(self.points.len())].to_vec(),
        }
    }

    /// One bucket past the last point: where a forecast starts.
    pub fn end(&self) -> Option<DateTime<Utc>> {
        self.points
            .last()
            .map(|p| p.ts + self.granularity.duration())
    }

    /// The start instants of the `horizon` buckets after the last point.
    pub fn future_timestamps(&self, horizon: usize) -> Vec<DateTime<Utc>> {
        let Some(last) = self.points.last() else {
            return Vec::new();
        };
        let step = self.granularity.duration();
        (1..=horizon as i32).map(|h| last.ts + step * h).collect()
    }

    /// True when no value is negative: counts, whose forecast must not go below zero.
    pub fn is_nonnegative(&self) -> bool {
        self.points.iter().all(|p| p.y >= 0.0)
    }
}

/// What was done to the raw data, so the analyst can judge the series before trusting a forecast.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeriesSummary {
    /// First bucket start.
    pub start: DateTime<Utc>,
    /// End of the last bucket (exclusive).
    pub end: DateTime<Utc>,
    pub buckets: usize,
    /// Buckets whose value is zero (filled or reported).
    pub zero_buckets: usize,
    /// Buckets absent from the source and filled (zero or forward fill).
    pub gaps_filled: usize,
    /// Source rows for an already-seen bucket, summed into it.
    pub duplicates_merged: usize,
    pub granularity: Granularity,
    pub tz: Tz,
    pub fill: FillMode,
    /// Set when the series starts later than asked (no zeros are invented before the data).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub late_start: Option<LateStart>,
    /// Which conversations were counted, for API history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counted: Option<Counted>,
}

impl fmt::Display for SeriesSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fmt_local = |t: DateTime<Utc>| {
            t.with_timezone(&self.tz)
                .format("%Y-%m-%d %H:%M %Z")
                .to_string()
        };
        let fill = match self.fill {
            FillMode::Zero => "zero-filled",
            FillMode::Ffill => "forward-filled",
        };
        write!(
            f,
            "{} → {} ({} buckets of {}, {:.1} days); {} zero, {} gaps {}",
            fmt_local(self.start),
            fmt_local(self.end),
            self.buckets,
            self.granularity,
            (self.end - self.start).num_minutes() as f64 / 1440.0,
            self.zero_buckets,
            self.gaps_filled,
            fill,
        )?;
        if self.duplicates_merged > 0 {
            write!(f, ", {} duplicates merged", self.duplicates_merged)?;
        }
        if let Some(late) = &self.late_start {
            let asked = fmt_local(late.requested);
            match late.reason {
                StartReason::FirstData => {
                    write!(f, "; starts at the first data (asked from {asked})")?
                }
                StartReason::Retention { days } => write!(
                    f,
                    "; starts at the org's {days}-day analytics retention (asked from {asked})"
                )?,
            }
        }
        if let Some(c) = &self.counted {
            write!(f, "; {c}")?;
        }
        Ok(())
    }
}

/// Why raw data could not become a series; each variant says where and how to fix it.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {reason}", path.display())]
    File { path: PathBuf, reason: String },
    #[error("{}, line {line}: {reason}", path.display())]
    Row {
        path: PathBuf,
        line: u64,
        reason: String,
    },
    #[error("empty history range: start {start} is not before end {end}")]
    EmptyRange {
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    },
    #[error(
        "bucket {ts} is not on the {granularity} grid of time zone {tz}; \
         query with the same granularity and timeZone"
    )]
    Misaligned {
        ts: DateTime<Utc>,
        granularity: Granularity,
        tz: Tz,
    },
    #[error("bucket {ts} lies outside the requested range {start} – {end}")]
    OutOfRange {
        ts: DateTime<Utc>,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    },
    #[error("bucket {ts} has an invalid value {y}: counts must be finite and not negative")]
    BadValue { ts: DateTime<Utc>, y: f64 },
    #[error(
        "no conversations were reported between {start} and {end} for what was counted \
         ({counted}); check the queue, history.media_types and history.direction"
    )]
    NoData {
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        counted: String,
    },
}

/// Whether `ts` starts a bucket of `g` on the local clock of `tz` (handles :30/:45 offsets).
fn is_aligned(ts: DateTime<Utc>, g: Granularity, tz: Tz) -> bool {
    let offset = tz.offset_from_utc_datetime(&ts.naive_utc()).fix();
    let local_secs = ts.timestamp() + i64::from(offset.local_minus_utc());
    local_secs.rem_euclid(g.minutes() * 60) == 0
}

/// The first bucket start at or after `t`.
fn align_up(t: DateTime<Utc>, g: Granularity, tz: Tz) -> DateTime<Utc> {
    let step = g.minutes() * 60;
    let offset = tz.offset_from_utc_datetime(&t.naive_utc()).fix();
    let local = t.timestamp() + i64::from(offset.local_minus_utc());
    let rem = local.rem_euclid(step);
    let bump = if rem == 0 && t.timestamp_subsec_nanos() == 0 {
        0
    } else {
        step - rem
    };
    DateTime::from_timestamp(t.timestamp() + bump, 0).unwrap_or(t)
}

/// The first bucket start at or after `t` on the local grid of `tz`.
pub fn ceil_to_bucket(t: DateTime<Utc>, g: Granularity, tz: Tz) -> DateTime<Utc> {
    align_up(t, g, tz)
}

/// The start of the bucket containing `t`: the end of the last complete bucket at time `t`.
pub fn floor_to_bucket(t: DateTime<Utc>, g: Granularity, tz: Tz) -> DateTime<Utc> {
    let up = align_up(t, g, tz);
    if up == t {
        return t;
    }
    let down = up - g.duration();
    if is_aligned(down, g, tz) {
        down
    } else {
        // A DST shift inside this bucket; step back to the previous grid point.
        align_up(down - g.duration(), g, tz)
    }
}

/// The bucket starts in `[start, end)`, stepping in absolute time so a 23 h or 25 h local day
/// gets 23 or 25 hourly buckets.
pub fn grid(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    g: Granularity,
    tz: Tz,
) -> Vec<DateTime<Utc>> {
    let mut out = Vec::new();
    let mut t = align_up(start, g, tz);
    while t < end {
        out.push(t);
        t += g.duration();
        if !is_aligned(t, g, tz) {
            // A DST shift of less than the bucket size (e.g. Lord Howe's 30 min) moves the grid.
            t = align_up(t, g, tz);
        }
    }
    out
}

/// Builds the regular series for `[start, end)` from API buckets.
///
/// Genesys leaves out buckets with no conversations, so with [`FillMode::Zero`] a missing
/// bucket is a real zero; [`FillMode::Ffill`] repeats the last seen value (the seed script's
/// behaviour; leading gaps stay zero). Duplicate starts, as chunked queries can produce, are
/// summed. Buckets off the grid or outside the range are errors, never silently dropped.
pub fn from_buckets(
    buckets: &[(DateTime<Utc>, f64)],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    granularity: Granularity,
    tz: Tz,
    fill: FillMode,
) -> Result<(Series, SeriesSummary), HistoryError> {
    if start >= end {
        return Err(HistoryError::EmptyRange { start, end });
    }
    let starts = grid(start, end, granularity, tz);
    let (Some(&first), Some(&last)) = (starts.first(), starts.last()) else {
        return Err(HistoryError::EmptyRange { start, end });
    };
    let mut seen: BTreeMap<DateTime<Utc>, f64> = BTreeMap::new();
    let mut duplicates = 0;
    for &(ts, y) in buckets {
        if !y.is_finite() || y < 0.0 {
            return Err(HistoryError::BadValue { ts, y });
        }
        if ts < first || ts > last {
            return Err(HistoryError::OutOfRange { ts, start, end });
        }
        if !is_aligned(ts, granularity, tz) {
            return Err(HistoryError::Misaligned {
                ts,
                granularity,
                tz,
            });
        }
        match seen.get_mut(&ts) {
            Some(v) => {
                *v += y;
                duplicates += 1;
            }
            None => {
                seen.insert(ts, y);
            }
        }
    }
    Ok(assemble(&starts, &seen, granularity, tz, fill, duplicates))
}

fn assemble(
    starts: &[DateTime<Utc>],
    seen: &BTreeMap<DateTime<Utc>, f64>,
    granularity: Granularity,
    tz: Tz,
    fill: FillMode,
    duplicates_merged: usize,
) -> (Series, SeriesSummary) {
    let mut points = Vec::with_capacity(starts.len());
    let mut gaps = 0;
    let mut last_value = 0.0;
    for &ts in starts {
        let y = match seen.get(&ts) {
            Some(&y) => {
                last_value = y;
                y
            }
            None => {
                gaps += 1;
                match fill {
                    FillMode::Zero => 0.0,
                    FillMode::Ffill => last_value,
                }
            }
        };
        points.push(Point { ts, y });
    }
    let summary = SeriesSummary {
        start: starts[0],
        end: *starts.last().expect("non-empty grid") + granularity.duration(),
        buckets: points.len(),
        zero_buckets: points.iter().filter(|p| p.y == 0.0).count(),
        gaps_filled: gaps,
        duplicates_merged,
        granularity,
        tz,
        fill,
        late_start: None,
        counted: None,
    };
    (
        Series {
            granularity,
            tz,
            points,
        },
        summary,
    )
}

impl HandleTime {
    /// `(start, sum ms, count)` per reported bucket laid on `series`' points; buckets not
    /// reported are 0, reports off the series are ignored.
    pub fn aligned(series: &Series, reported: &[(DateTime<Utc>, f64, f64)]) -> Self {
        let by_start: BTreeMap<DateTime<Utc>, (f64, f64)> = reported
            .iter()
            .map(|&(t, sum, count)| (t, (sum, count)))
            .collect();
        let (handle_ms_sum, handle_count) = series
            .points
            .iter()
            .map(|p| by_start.get(&p.ts).copied().unwrap_or((0.0, 0.0)))
            .unzip();
        Self {
            handle_ms_sum,
            handle_count,
        }
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use chrono::{TimeZone, Utc};

    use super::{FillMode, History, Point, Series, SeriesSummary};
    use crate::granularity::Granularity;
    use crate::refs::QueueRef;

    /// An hourly UTC series starting on a Monday midnight.
    pub(crate) fn hourly(values: &[f64]) -> Series {
        let t0 = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        Series {
            granularity: Granularity::Pt1h,
            tz: chrono_tz::UTC,
            points: values
                .iter()
                .enumerate()
                .map(|(i, &y)| Point {
                    ts: t0 + chrono::TimeDelta::hours(i as i64),
                    y,
                })
                .collect(),
        }
    }

    /// A queue's history of `series` as a complete, zero-filled fetch would summarise it
    /// (no gaps, no duplicates, no handle times, media not recorded).
    pub(crate) fn history_of(id: &str, name: &str, series: Series) -> History {
        let summary = SeriesSummary {
            start: series.points[0].ts,
            end: series.end().expect("a non-empty series"),
            buckets: series.points.len(),
            zero_buckets: series.points.iter().filter(|p| p.y == 0.0).count(),
            gaps_filled: 0,
            duplicates_merged: 0,
            granularity: series.granularity,
            tz: series.tz,
            fill: FillMode::Zero,
            late_start: None,
            counted: None,
        };
        History {
            queue: QueueRef {
                id: id.into(),
                name: name.into(),
            },
            series,
            summary,
            handle: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn future_timestamps_continue_the_grid_and_sign_is_checked() {
        let s = test_support::hourly(&[1.0, 0.0, 2.0]);
        let f = s.future_timestamps(2);
        assert_eq!(
            f,
            vec![utc("2024-01-01T03:00:00Z"), utc("2024-01-01T04:00:00Z")]
        );
        assert_eq!(s.end(), Some(f[0]));
        assert!(s.is_nonnegative());
        assert!(!test_support::hourly(&[1.0, -0.5]).is_nonnegative());
        assert!(s.head(0).future_timestamps(3).is_empty());
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn ny() -> Tz {
        "America/New_York".parse().unwrap()
    }

    fn local_midnight(tz: Tz, y: i32, m: u32, d: u32) -> DateTime<Utc> {
        tz.with_ymd_and_hms(y, m, d, 0, 0, 0)
            .single()
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn zero_fill_vs_ffill() {
        let start = utc("2024-05-06T00:00:00Z");
        let end = utc("2024-05-06T05:00:00Z");
        let raw = [
            (utc("2024-05-06T01:00:00Z"), 4.0),
            (utc("2024-05-06T03:00:00Z"), 7.0),
        ];
        let (zero, s0) =
            from_buckets(&raw, start, end, Granularity::Pt1h, Tz::UTC, FillMode::Zero).unwrap();
        assert_eq!(zero.values(), vec![0.0, 4.0, 0.0, 7.0, 0.0]);
        assert_eq!((s0.buckets, s0.gaps_filled, s0.zero_buckets), (5, 3, 3));
        let (ff, s1) = from_buckets(
            &raw,
            start,
            end,
            Granularity::Pt1h,
            Tz::UTC,
            FillMode::Ffill,
        )
        .unwrap();
        assert_eq!(ff.values(), vec![0.0, 4.0, 4.0, 7.0, 7.0]);
        assert_eq!((s1.gaps_filled, s1.zero_buckets), (3, 1));
        assert_eq!(s1.end, end);
    }

    #[test]
    fn handle_time_lies_on_the_series_points() {
        let s = test_support::hourly(&[1.0, 0.0, 2.0]);
        let t = |h: i64| s.points[0].ts + chrono::TimeDelta::hours(h);
        let h = HandleTime::aligned(
            &s,
            &[
                (t(2), 600_000.0, 2.0),
                (t(0), 90_000.0, 1.0),
                (t(7), 1.0, 1.0),
            ],
        );
        assert_eq!(h.handle_ms_sum, [90_000.0, 0.0, 600_000.0]);
        assert_eq!(h.handle_count, [1.0, 0.0, 2.0]);
    }

    #[test]
    fn the_summary_says_why_a_series_starts_late_and_what_it_counts() {
        let (_, mut sum) = from_buckets(
            &[(utc("2024-05-06T02:00:00Z"), 4.0)],
            utc("2024-05-06T02:00:00Z"),
            utc("2024-05-06T05:00:00Z"),
            Granularity::Pt1h,
            Tz::UTC,
            FillMode::Zero,
        )
        .unwrap();
        sum.late_start = Some(LateStart {
            requested: utc("2024-05-01T00:00:00Z"),
            reason: StartReason::FirstData,
        });
        sum.counted = Some(Counted {
            media_types: vec!["voice".into()],
            direction: Some(Direction::Inbound),
            direction_dimension: Some(DirectionDimension::OriginatingDirection),
        });
        let text = sum.to_string();
        assert!(
            text.ends_with(
                "; starts at the first data (asked from 2024-05-01 00:00 UTC); voice, inbound (originatingDirection)"
            ),
            "{text}"
        );
        sum.late_start.as_mut().unwrap().reason = StartReason::Retention { days: 30 };
        sum.counted = Some(Counted {
            media_types: vec![],
            direction: None,
            direction_dimension: None,
        });
        let text = sum.to_string();
        assert!(
            text.contains("starts at the org's 30-day analytics retention")
                && text.ends_with("; all media, both directions"),
            "{text}"
        );
        let json = serde_json::to_value(sum.late_start).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"requested": "2024-05-01T00:00:00Z", "reason": "retention", "days": 30})
        );
    }

    #[test]
    fn duplicates_are_summed_and_order_restored() {
        let start = utc("2024-05-06T00:00:00Z");
        let end = utc("2024-05-06T01:00:00Z");
        let raw = [
            (utc("2024-05-06T00:30:00Z"), 2.0),
            (utc("2024-05-06T00:00:00Z"), 1.0),
            (utc("2024-05-06T00:30:00Z"), 3.0),
        ];
        let (s, sum) = from_buckets(
            &raw,
            start,
            end,
            Granularity::Pt30m,
            Tz::UTC,
            FillMode::Zero,
        )
        .unwrap();
        assert_eq!(s.values(), vec![1.0, 5.0]);
        assert_eq!(sum.duplicates_merged, 1);
        assert_eq!(sum.gaps_filled, 0);
    }

    #[test]
    fn dst_days_have_23_and_25_hourly_buckets() {
        let tz = ny();
        let spring = grid(
            local_midnight(tz, 2024, 3, 10),
            local_midnight(tz, 2024, 3, 11),
            Granularity::Pt1h,
            tz,
        );
        assert_eq!(spring.len(), 23);
        let fall = grid(
            local_midnight(tz, 2024, 11, 3),
            local_midnight(tz, 2024, 11, 4),
            Granularity::Pt1h,
            tz,
        );
        assert_eq!(fall.len(), 25);
        let fall15 = grid(
            local_midnight(tz, 2024, 11, 3),
            local_midnight(tz, 2024, 11, 4),
            Granularity::Pt15m,
            tz,
        );
        assert_eq!(fall15.len(), 100);
        // from_buckets over the 25 h day, with only the two 01:00 buckets reported.
        let first_one = tz
            .from_local_datetime(
                &chrono::NaiveDate::from_ymd_opt(2024, 11, 3)
                    .unwrap()
                    .and_hms_opt(1, 0, 0)
                    .unwrap(),
            )
            .earliest()
            .unwrap()
            .with_timezone(&Utc);
        let raw = [
            (first_one, 3.0),
            (first_one + chrono::TimeDelta::hours(1), 5.0),
        ];
        let (s, sum) = from_buckets(
            &raw,
            local_midnight(tz, 2024, 11, 3),
            local_midnight(tz, 2024, 11, 4),
            Granularity::Pt1h,
            tz,
            FillMode::Zero,
        )
        .unwrap();
        assert_eq!(sum.buckets, 25);
        assert_eq!(&s.values()[..4], &[0.0, 3.0, 5.0, 0.0]);
    }

    #[test]
    fn floor_to_bucket_uses_the_local_grid() {
        let t = utc("2024-05-06T10:47:13Z");
        assert_eq!(
            floor_to_bucket(t, Granularity::Pt1h, Tz::UTC),
            utc("2024-05-06T10:00:00Z")
        );
        assert_eq!(
            floor_to_bucket(t, Granularity::Pt15m, Tz::UTC),
            utc("2024-05-06T10:45:00Z")
        );
        let kolkata: Tz = "Asia/Kolkata".parse().unwrap();
        assert_eq!(
            floor_to_bucket(t, Granularity::Pt1h, kolkata),
            utc("2024-05-06T10:30:00Z")
        );
        let exact = utc("2024-05-06T10:00:00Z");
        assert_eq!(floor_to_bucket(exact, Granularity::Pt1h, Tz::UTC), exact);
    }

    #[test]
    fn half_hour_offset_zone_aligns_on_local_clock() {
        let tz: Tz = "Asia/Kolkata".parse().unwrap();
        // 00:00 UTC is 05:30 local: on the 30-min grid, not on the hourly one.
        let t = utc("2024-05-06T00:00:00Z");
        assert!(is_aligned(t, Granularity::Pt30m, tz));
        assert!(!is_aligned(t, Granularity::Pt1h, tz));
        let g = grid(t, t + chrono::TimeDelta::hours(3), Granularity::Pt1h, tz);
        assert_eq!(g[0], utc("2024-05-06T00:30:00Z"));
        assert_eq!(g.len(), 3);
    }

    #[test]
    fn from_buckets_rejects_off_grid_out_of_range_and_negative() {
        let start = utc("2024-05-06T00:00:00Z");
        let end = utc("2024-05-06T03:00:00Z");
        let g = Granularity::Pt1h;
        let off = from_buckets(
            &[(utc("2024-05-06T01:15:00Z"), 1.0)],
            start,
            end,
            g,
            Tz::UTC,
            FillMode::Zero,
        );
        assert!(matches!(off, Err(HistoryError::Misaligned { .. })));
        let out = from_buckets(
            &[(utc("2024-05-06T03:00:00Z"), 1.0)],
            start,
            end,
            g,
            Tz::UTC,
            FillMode::Zero,
        );
        assert!(matches!(out, Err(HistoryError::OutOfRange { .. })));
        let neg = from_buckets(&[(start, -1.0)], start, end, g, Tz::UTC, FillMode::Zero);
        assert!(matches!(neg, Err(HistoryError::BadValue { .. })));
        let empty = from_buckets(&[], end, start, g, Tz::UTC, FillMode::Zero);
        assert!(matches!(empty, Err(HistoryError::EmptyRange { .. })));
    }
}
