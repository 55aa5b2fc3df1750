//! Interval history as a regular series in the contact centre's time zone.
//!
//! Models need a gap-free grid, but neither source gives one: Genesys omits buckets with no
//! conversations, and CSV files have holes and DST quirks. Everything that turns raw buckets
//! into a [`Series`] lives here so the API path and the offline path agree bucket for bucket.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, LocalResult, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

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

/// Reads a `ds,y` CSV (the seed's format) with zero fill; see [`read_csv_with`].
pub fn read_csv(path: &Path, tz: Tz) -> Result<(Series, SeriesSummary), HistoryError> {
    read_csv_with(path, tz, FillMode::Zero, None)
}

/// Reads a `ds,y` CSV into a regular series.
///
/// `ds` is ISO-8601 with an offset (`Z`, `+01:00`) or without one, in which case it is local
/// wall-clock time in `tz`. A local time that doesn't exist (spring-forward gap) is an error;
/// an ambiguous one (fall-back hour) is the earlier instant the first time it appears and the
/// later instant when it repeats, which is how a local-clock log of that night reads.
/// Comma or semicolon separated; granularity is inferred from the smallest step. Every bad row is
/// an error naming the file, line and reason: nothing is silently dropped.
///
/// `last_days` keeps only the file's last that many days (as `--days` does for the API): the
/// summary then describes that window, gaps and all.
pub fn read_csv_with(
    path: &Path,
    tz: Tz,
    fill: FillMode,
    last_days: Option<u32>,
) -> Result<(Series, SeriesSummary), HistoryError> {
    let bytes = std::fs::read(path).map_err(|source| HistoryError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_csv(&bytes, path, tz, fill, last_days)
}

/// [`read_csv_with`] on bytes already in memory; `path` only names the source in errors.
pub fn parse_csv(
    bytes: &[u8],
    path: &Path,
    tz: Tz,
    fill: FillMode,
    last_days: Option<u32>,
) -> Result<(Series, SeriesSummary), HistoryError> {
    let file_err = |reason: String| HistoryError::File {
        path: path.to_path_buf(),
        reason,
    };
    let row_err = |line: u64, reason: String| HistoryError::Row {
        path: path.to_path_buf(),
        line,
        reason,
    };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first_line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let delimiter = if first_line.contains(&b';') && !first_line.contains(&b',') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| file_err(format!("cannot read the header: {e}")))?
        .clone();
    let names: Vec<String> = headers.iter().map(|h| h.to_ascii_lowercase()).collect();
    if names != ["ds", "y"] {
        return Err(row_err(
            1,
            format!(
                "header is {:?}; expected exactly `ds,y` (or `ds;y`): ds = bucket start, y = count",
                headers
                    .iter()
                    .collect::<Vec<_>>()
                    .join(&(delimiter as char).to_string())
            ),
        ));
    }

    let mut rows: Vec<(u64, DateTime<Utc>, f64)> = Vec::new();
    // Local wall-clock times seen so far, to resolve a repeated ambiguous hour to its second instant.
    let mut local_seen: BTreeMap<NaiveDateTime, u64> = BTreeMap::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            row_err(line, format!("unreadable row: {e}"))
        })?;
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(str::is_empty) {
            return Err(row_err(
                line,
                "empty row; remove it (blank lines inside the data are not skipped)".into(),
            ));
        }
        if record.len() != 2 {
            return Err(row_err(
                line,
                format!(
                    "expected 2 fields (ds, y), found {}; is the separator `{}`?",
                    record.len(),
                    delimiter as char
                ),
            ));
        }
        let ds = &record[0];
        let ts = parse_timestamp(ds, tz, &mut local_seen).map_err(|r| row_err(line, r))?;
        let raw_y = &record[1];
        let y: f64 = raw_y.parse().map_err(|_| {
            row_err(
                line,
                format!("y = {raw_y:?} is not a number (use a dot as the decimal separator)"),
            )
        })?;
        if !y.is_finite() {
            return Err(row_err(
                line,
                format!("y = {raw_y:?} is not a finite number"),
            ));
        }
        if y < 0.0 {
            return Err(row_err(
                line,
                format!("y = {raw_y} is negative; contact volumes cannot be below zero"),
            ));
        }
        rows.push((line, ts, y));
    }
    if rows.len() < 2 {
        return Err(file_err(format!(
            "{} data row(s); at least two are needed to tell the bucket size",
            rows.len()
        )));
    }

    let mut by_ts: BTreeMap<DateTime<Utc>, (u64, f64)> = BTreeMap::new();
    for &(line, ts, y) in &rows {
        if let Some((first_line, _)) = by_ts.insert(ts, (line, y)) {
            return Err(row_err(
                line,
                format!(
                    "duplicate timestamp {} (already on line {first_line}); each bucket must appear once",
                    ts.with_timezone(&tz).to_rfc3339()
                ),
            ));
        }
    }
    let sorted: Vec<(&DateTime<Utc>, &(u64, f64))> = by_ts.iter().collect();
    let (step_secs, a, b) = sorted
        .windows(2)
        .map(|w| ((*w[1].0 - *w[0].0).num_seconds(), w[0].1.0, w[1].1.0))
        .min_by_key(|(s, _, _)| *s)
        .expect("at least two rows");
    let granularity = if step_secs % 60 == 0 {
        Granularity::from_minutes(step_secs / 60)
    } else {
        None
    };
    let Some(granularity) = granularity else {
        return Err(file_err(format!(
            "cannot tell the bucket size: the smallest step is {} (lines {a} and {b}); \
             queuecast needs 15-, 30- or 60-minute buckets",
            human_duration(step_secs)
        )));
    };
    for (ts, (line, _)) in &sorted {
        if !is_aligned(**ts, granularity, tz) {
            return Err(row_err(
                *line,
                format!(
                    "{} is not on the {granularity} grid in {tz}; bucket starts must be whole \
                     {} minute marks",
                    ts.with_timezone(&tz).to_rfc3339(),
                    granularity.minutes()
                ),
            ));
        }
    }
    let first = *sorted[0].0;
    let end = *sorted[sorted.len() - 1].0 + granularity.duration();
    let mut starts = grid(first, end, granularity, tz);
    if let Some(days) = last_days {
        let from = end - chrono::TimeDelta::days(i64::from(days.max(1)));
        starts.retain(|&t| t >= from);
    }
    let seen: BTreeMap<DateTime<Utc>, f64> = by_ts.into_iter().map(|(t, (_, y))| (t, y)).collect();
    Ok(assemble(&starts, &seen, granularity, tz, fill, 0))
}

fn human_duration(secs: i64) -> String {
    if secs % 60 == 0 {
        format!("{} min", secs / 60)
    } else {
        format!("{secs} s")
    }
}

/// Parses one `ds` value; the error is the reason only (the caller adds file and line).
fn parse_timestamp(
    ds: &str,
    tz: Tz,
    local_seen: &mut BTreeMap<NaiveDateTime, u64>,
) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(ds) {
        return Ok(t.with_timezone(&Utc));
    }
    for fmt in [
        "%Y-%m-%d %H:%M:%S%.f%:z",
        "%Y-%m-%d %H:%M%:z",
        "%Y-%m-%dT%H:%M%:z",
    ] {
        if let Ok(t) = DateTime::parse_from_str(ds, fmt) {
            return Ok(t.with_timezone(&Utc));
        }
    }
    let naive = [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|fmt| NaiveDateTime::parse_from_str(ds, fmt).ok())
    .or_else(|| {
        chrono::NaiveDate::parse_from_str(ds, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
    });
    let Some(naive) = naive else {
        return Err(format!(
            "ds = {ds:?} is not an ISO-8601 date-time (e.g. 2024-05-06T14:00:00Z, \
             2024-05-06T14:00:00+01:00 or 2024-05-06 14:00 as local time in {tz})"
        ));
    };
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
        LocalResult::None => Err(format!(
            "ds = {ds:?} does not exist in {tz} (clocks skip that hour when DST starts); \
             write it with its UTC offset or remove the row"
        )),
        LocalResult::Ambiguous(earlier, later) => {
            let count = local_seen.entry(naive).or_insert(0);
            *count += 1;
            match *count {
                1 => Ok(earlier.with_timezone(&Utc)),
                2 => Ok(later.with_timezone(&Utc)),
                _ => Err(format!(
                    "ds = {ds:?} occurs more than twice; it is ambiguous in {tz} (clocks go back) \
                     and can be at most two buckets; add UTC offsets to tell them apart"
                )),
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use chrono::{TimeZone, Utc};

    use super::{Point, Series};
    use crate::granularity::Granularity;

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

    fn parse(text: &str, tz: Tz) -> Result<(Series, SeriesSummary), HistoryError> {
        parse_csv(
            text.as_bytes(),
            Path::new("calls.csv"),
            tz,
            FillMode::Zero,
            None,
        )
    }

    #[test]
    fn last_days_keeps_the_end_of_the_file_and_counts_only_its_gaps() {
        // Five days hourly; a gap on day 1 (outside the window) and one on day 5 (inside).
        let mut text = String::from("ds,y\n");
        for h in 0..5 * 24 {
            if h == 10 || h == 4 * 24 + 5 {
                continue;
            }
            let t = utc("2024-05-06T00:00:00Z") + chrono::TimeDelta::hours(h);
            text += &format!("{},{}\n", t.to_rfc3339(), h % 7 + 1);
        }
        let (all, all_sum) = parse(&text, Tz::UTC).unwrap();
        assert_eq!((all.points.len(), all_sum.gaps_filled), (120, 2));
        let last_days = |days| {
            parse_csv(
                text.as_bytes(),
                Path::new("calls.csv"),
                Tz::UTC,
                FillMode::Zero,
                Some(days),
            )
            .unwrap()
        };
        let (s, sum) = last_days(2);
        assert_eq!(s.points.len(), 48);
        assert_eq!(sum.start, utc("2024-05-09T00:00:00Z"));
        assert_eq!(sum.end, utc("2024-05-11T00:00:00Z"));
        assert_eq!(sum.buckets, 48);
        assert_eq!(sum.gaps_filled, 1, "only the window's own gap");
        assert_eq!(s.points, all.points[72..]);
        // Asking for more days than the file has keeps the whole file.
        let (s, _) = last_days(30);
        assert_eq!(s.points, all.points);
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

    #[test]
    fn csv_with_offsets_gaps_and_semicolons() {
        let (s, sum) = parse(
            "ds;y\n2024-05-06T00:00:00Z;3\n2024-05-06T01:00:00+00:00;4.5\n2024-05-06T03:00:00Z;1\n",
            Tz::UTC,
        )
        .unwrap();
        assert_eq!(s.granularity, Granularity::Pt1h);
        assert_eq!(s.values(), vec![3.0, 4.5, 0.0, 1.0]);
        assert_eq!(sum.gaps_filled, 1);
        assert_eq!(sum.end, utc("2024-05-06T04:00:00Z"));
    }

    #[test]
    fn csv_infers_granularity_and_sorts() {
        let (s, _) = parse(
            "DS,Y\n2024-05-06 00:30,2\n2024-05-06 00:00,1\n2024-05-06 00:15,5\n",
            Tz::UTC,
        )
        .unwrap();
        assert_eq!(s.granularity, Granularity::Pt15m);
        assert_eq!(s.values(), vec![1.0, 5.0, 2.0]);
        let err = parse(
            "ds,y\n2024-05-06T00:00:00Z,1\n2024-05-06T00:10:00Z,1\n",
            Tz::UTC,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("10 min") && err.contains("lines 2 and 3"),
            "{err}"
        );
    }

    #[test]
    fn naive_local_times_follow_the_zone_across_dst() {
        let tz = ny();
        let mut text = String::from("ds,y\n");
        // Spring-forward day written on the local clock: 02:00 does not exist.
        for h in [0, 1, 3, 4] {
            text.push_str(&format!("2024-03-10T{h:02}:00:00,{h}\n"));
        }
        let (s, sum) = parse(&text, tz).unwrap();
        assert_eq!(s.values(), vec![0.0, 1.0, 3.0, 4.0]);
        assert_eq!(sum.gaps_filled, 0);
        // Fall-back night: 01:00 twice is two buckets, an hour apart.
        let (s, _) = parse(
            "ds,y\n2024-11-03T00:00:00,1\n2024-11-03T01:00:00,2\n2024-11-03T01:00:00,3\n2024-11-03T02:00:00,4\n",
            tz,
        )
        .unwrap();
        assert_eq!(s.values(), vec![1.0, 2.0, 3.0, 4.0]);
        assert_eq!(s.points[2].ts - s.points[1].ts, chrono::TimeDelta::hours(1));
    }

    #[test]
    fn csv_local_clock_days_across_dst_have_23_and_25_buckets() {
        let tz = ny();
        let day = |date: &str, hours: &[u32]| {
            let mut text = String::from("ds,y\n");
            for h in hours {
                text.push_str(&format!("{date} {h:02}:00,1\n"));
            }
            parse(&text, tz).unwrap()
        };
        let spring: Vec<u32> = (0..24).filter(|h| *h != 2).collect();
        let (s, sum) = day("2024-03-10", &spring);
        assert_eq!((s.points.len(), sum.gaps_filled), (23, 0));
        let mut fall: Vec<u32> = (0..24).collect();
        fall.insert(2, 1);
        let (s, sum) = day("2024-11-03", &fall);
        assert_eq!((s.points.len(), sum.gaps_filled), (25, 0));
        assert_eq!(sum.end - sum.start, chrono::TimeDelta::hours(25));
    }

    #[test]
    fn nonexistent_local_time_is_an_error_with_line() {
        let err = parse("ds,y\n2024-03-10T01:00:00,1\n2024-03-10T02:00:00,1\n", ny())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("calls.csv, line 3") && err.contains("does not exist"),
            "{err}"
        );
    }

    #[test]
    fn csv_row_errors_name_file_line_and_reason() {
        let cases = [
            (
                "ds,y\n2024-05-06T00:00:00Z,1\nnot-a-date,2\n",
                "line 3",
                "not an ISO-8601",
            ),
            (
                "ds,y\n2024-05-06T00:00:00Z,1\n2024-05-06T01:00:00Z,-2\n",
                "line 3",
                "negative",
            ),
            (
                "ds,y\n2024-05-06T00:00:00Z,abc\n2024-05-06T01:00:00Z,2\n",
                "line 2",
                "not a number",
            ),
            (
                "ds,y\n2024-05-06T00:00:00Z,1\n2024-05-06T01:00:00Z,2\n2024-05-06T00:00:00Z,3\n",
                "line 4",
                "duplicate timestamp",
            ),
            (
                "time,calls\n2024-05-06T00:00:00Z,1\n",
                "line 1",
                "expected exactly `ds,y`",
            ),
            (
                "ds,y\n2024-05-06T00:00:00Z,1,9\n2024-05-06T01:00:00Z,2\n",
                "line 2",
                "2 fields",
            ),
            (
                "ds,y\n2024-05-06T00:00:00Z,1\n,\n2024-05-06T01:00:00Z,2\n",
                "line 3",
                "empty row",
            ),
        ];
        for (text, line, reason) in cases {
            let err = parse(text, Tz::UTC).unwrap_err().to_string();
            assert!(
                err.contains("calls.csv") && err.contains(line) && err.contains(reason),
                "{text:?} gave {err}"
            );
        }
        let dup = parse(
            "ds,y\n2024-05-06T00:00:00Z,1\n2024-05-06T01:00:00+01:00,1\n",
            Tz::UTC,
        )
        .unwrap_err()
        .to_string();
        assert!(dup.contains("line 3") && dup.contains("line 2"), "{dup}");
    }

    #[test]
    fn too_few_rows_and_missing_file_are_clear() {
        let err = parse("ds,y\n2024-05-06T00:00:00Z,1\n", Tz::UTC)
            .unwrap_err()
            .to_string();
        assert!(err.contains("at least two"), "{err}");
        let err = read_csv(Path::new("/nonexistent/x.csv"), Tz::UTC)
            .unwrap_err()
            .to_string();
        assert!(err.contains("/nonexistent/x.csv"), "{err}");
    }

    #[test]
    fn summary_display_names_span_and_fill() {
        let (_, sum) = parse(
            "ds,y\n2024-05-06T00:00:00Z,3\n2024-05-06T01:00:00Z,0\n2024-05-06T03:00:00Z,2\n",
            Tz::UTC,
        )
        .unwrap();
        let text = sum.to_string();
        assert!(text.contains("2024-05-06 00:00 UTC"), "{text}");
        assert!(
            text.contains("4 buckets of PT1H")
                && text.contains("2 zero")
                && text.contains("1 gaps zero-filled"),
            "{text}"
        );
    }
}
