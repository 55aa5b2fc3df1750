//! The one `ds,y` reader: `forecast --input`, the sandbox's `--queue NAME=FILE.csv` and its
//! bundled series all go through it, in three phases that each name the file and line of a
//! problem:
//!
//! 1. decode: drop a UTF-8 BOM and sniff the delimiter (`,`, or `;` when the header has no
//!    comma);
//! 2. rows: the `ds,y` header, then one [`CsvRow`] per data line (blank lines skipped), its `ds`
//!    parsed as written ([`Stamp`]) and its `y` a finite, non-negative number;
//! 3. grid: rows resolved to instants ([`to_instants`]) and put in order on one bucket grid
//!    ([`on_grid`]): duplicates refused, the bucket size inferred from the smallest step, every
//!    start checked to lie on it.
//!
//! CSV syntax (quoting, trimming) is the `csv` crate's; what a row means is decided here.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, FixedOffset, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::limits::{self, InputLimits, human_bytes};
use super::{FillMode, HistoryError, Series, SeriesSummary, assemble, grid, is_aligned};
use crate::granularity::Granularity;

/// A `ds` value as written: an instant (it carried a UTC offset or `Z`) or a local wall-clock
/// time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stamp {
    At(DateTime<FixedOffset>),
    Local(NaiveDateTime),
}

impl Stamp {
    /// The clock reading as written, any offset dropped.
    pub fn wall_clock(self) -> NaiveDateTime {
        match self {
            Stamp::At(t) => t.naive_local(),
            Stamp::Local(t) => t,
        }
    }
}

/// One data row: its line in the file, its `ds` (parsed, and as written) and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvRow {
    pub line: u64,
    pub ds: Stamp,
    pub ds_text: String,
    pub y: f64,
}

/// Which clock a grid is laid on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// Real instants, bucketed on the local grid of this zone.
    Zone(Tz),
    /// Wall-clock readings carried as if they were UTC (the sandbox places them on today's
    /// calendar itself).
    Wall,
}

impl Clock {
    fn tz(self) -> Tz {
        match self {
            Clock::Zone(tz) => tz,
            Clock::Wall => Tz::UTC,
        }
    }

    fn show(self, ts: DateTime<Utc>) -> String {
        match self {
            Clock::Zone(tz) => ts.with_timezone(&tz).to_rfc3339(),
            Clock::Wall => ts.naive_utc().to_string(),
        }
    }

    fn place(self) -> String {
        match self {
            Clock::Zone(tz) => format!("in {tz}"),
            Clock::Wall => "of the local clock".into(),
        }
    }
}

/// How `forecast --input` reads a `ds` (`--input-clock`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum InputClock {
    /// As written: a `ds` with an offset or `Z` is that instant, one without is local time.
    #[default]
    Auto,
    /// Every `ds` is a wall-clock reading in the contact centre's zone, an offset or `Z` (as
    /// some exports stamp local times) dropped.
    Local,
    /// A `ds` without an offset is UTC.
    Utc,
}

/// Rows on one bucket grid: the bucket size, and every start with its line and value, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct GridRows {
    pub granularity: Granularity,
    pub rows: BTreeMap<DateTime<Utc>, (u64, f64)>,
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
/// Comma or semicolon separated, rows in any order, blank lines skipped; granularity is
/// inferred from the smallest step. Every bad row is an error naming the file, line and reason:
/// nothing is silently dropped.
///
/// `last_days` keeps only the file's last that many days (as `--days` does for the API): the
/// summary then describes that window, gaps and all. The default [`InputLimits`] apply.
pub fn read_csv_with(
    path: &Path,
    tz: Tz,
    fill: FillMode,
    last_days: Option<u32>,
) -> Result<(Series, SeriesSummary), HistoryError> {
    read_csv_limited(
        path,
        tz,
        fill,
        last_days,
        &InputLimits::default(),
        InputClock::Auto,
    )
}

/// [`read_csv_with`] under `limits` (a file over the size limit is refused before it is read),
/// reading `ds` on `clock` (`--input-clock`).
pub fn read_csv_limited(
    path: &Path,
    tz: Tz,
    fill: FillMode,
    last_days: Option<u32>,
    limits: &InputLimits,
    clock: InputClock,
) -> Result<(Series, SeriesSummary), HistoryError> {
    let bytes = read_capped(path, limits.max_file_bytes)?;
    parse_csv_limited(&bytes, path, tz, fill, last_days, limits, clock)
}

/// The whole file, or an error once it passes `max` bytes (a pipe or device has no size to
/// check up front, so the read itself stops).
fn read_capped(path: &Path, max: u64) -> Result<Vec<u8>, HistoryError> {
    use std::io::Read;
    let io = |source| HistoryError::Io {
        path: path.to_path_buf(),
        source,
    };
    let too_big = |size: String| HistoryError::File {
        path: path.to_path_buf(),
        reason: format!(
            "the file is {size}, over the {} limit (limits.max_file_mb); forecast a shorter \
             extract, or raise the limit",
            human_bytes(max)
        ),
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    if size > max {
        return Err(too_big(human_bytes(size)));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(max + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > max {
        return Err(too_big(format!("over {}", human_bytes(max))));
    }
    Ok(bytes)
}

/// [`read_csv_with`] on bytes already in memory; `path` only names the source in errors.
pub fn parse_csv(
    bytes: &[u8],
    path: &Path,
    tz: Tz,
    fill: FillMode,
    last_days: Option<u32>,
) -> Result<(Series, SeriesSummary), HistoryError> {
    parse_csv_limited(
        bytes,
        path,
        tz,
        fill,
        last_days,
        &InputLimits::default(),
        InputClock::Auto,
    )
}

/// [`parse_csv`] under `limits`, reading `ds` on `clock`.
pub fn parse_csv_limited(
    bytes: &[u8],
    path: &Path,
    tz: Tz,
    fill: FillMode,
    last_days: Option<u32>,
    limits: &InputLimits,
    clock: InputClock,
) -> Result<(Series, SeriesSummary), HistoryError> {
    let mut rows = csv_rows_limited(bytes, path, tz, limits)?;
    for r in &mut rows {
        r.ds = match (clock, r.ds) {
            (InputClock::Local, stamp) => Stamp::Local(stamp.wall_clock()),
            (InputClock::Utc, Stamp::Local(t)) => Stamp::At(t.and_utc().fixed_offset()),
            (_, stamp) => stamp,
        };
    }
    let instants = to_instants(&rows, tz, path)?;
    drop(rows);
    let window = Window {
        last_days,
        limits: *limits,
    };
    let (GridRows { granularity, rows }, span) =
        on_grid_within(&instants, Clock::Zone(tz), path, &window)?;
    let starts = grid(span.0, span.1, granularity, tz);
    let seen: BTreeMap<DateTime<Utc>, f64> = rows.into_iter().map(|(t, (_, y))| (t, y)).collect();
    Ok(assemble(&starts, &seen, granularity, tz, fill, 0))
}

/// Phase 1: the bytes without a UTF-8 BOM, and the delimiter the header uses; UTF-16 and
/// binary files are named as such instead of failing as a "bad header".
fn decode(bytes: &[u8]) -> Result<(&[u8], u8), String> {
    if let Some(kind) = foreign_encoding(bytes) {
        return Err(kind);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let header = bytes
        .split(|&b| b == b'\n')
        .find(|l| !l.trim_ascii().is_empty())
        .unwrap_or_default();
    let delimiter = if header.contains(&b';') && !header.contains(&b',') {
        b';'
    } else {
        b','
    };
    Ok((bytes, delimiter))
}

/// What a file that is not UTF-8 text is, from its first bytes: UTF-16 (with a byte-order
/// mark, or ASCII with every other byte zero, as Excel's "Unicode Text" writes), or binary.
fn foreign_encoding(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(4096)];
    let utf16 = |order: &str| {
        format!(
            "the file is UTF-16 ({order}) text; save it as UTF-8 (in Excel: \"CSV UTF-8\") \
             and try again"
        )
    };
    if head.starts_with(b"\xFF\xFE") {
        return Some(utf16("little-endian"));
    }
    if head.starts_with(b"\xFE\xFF") {
        return Some(utf16("big-endian"));
    }
    let zeros = |parity: usize| {
        head.iter()
            .enumerate()
            .filter(|(i, b)| i % 2 == parity && **b == 0)
            .count()
    };
    let pairs = head.len() / 2;
    if pairs >= 2 && zeros(1) * 10 >= pairs * 9 && zeros(0) == 0 {
        return Some(utf16("little-endian, no byte-order mark"));
    }
    if pairs >= 2 && zeros(0) * 10 >= pairs * 9 && zeros(1) == 0 {
        return Some(utf16("big-endian, no byte-order mark"));
    }
    head.contains(&0)
        .then(|| "the file contains NUL bytes: it is binary, not a `ds,y` text file".to_string())
}

/// Phases 1 and 2: the data rows of a `ds,y` file, in file order (at least two). `tz` only
/// names, in errors, the zone local times will be read in. The default [`InputLimits`] apply.
pub fn csv_rows(bytes: &[u8], path: &Path, tz: Tz) -> Result<Vec<CsvRow>, HistoryError> {
    csv_rows_limited(bytes, path, tz, &InputLimits::default())
}

/// [`csv_rows`], refusing more than `limits.max_buckets` rows as soon as the next one is read.
pub fn csv_rows_limited(
    bytes: &[u8],
    path: &Path,
    tz: Tz,
    limits: &InputLimits,
) -> Result<Vec<CsvRow>, HistoryError> {
    let row_err = |line: u64, reason: String| HistoryError::Row {
        path: path.to_path_buf(),
        line,
        reason,
    };
    let (bytes, delimiter) = decode(bytes).map_err(|reason| HistoryError::File {
        path: path.to_path_buf(),
        reason,
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let mut lines = Lines {
        bytes,
        at: 0,
        line: 1,
    };
    let mut header_seen = false;
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| lines.of(p.byte()));
            row_err(line, format!("unreadable row: {e}"))
        })?;
        let line = record.position().map_or(0, |p| lines.of(p.byte()));
        if record.len() == 1 && record[0].is_empty() {
            continue; // a blank line
        }
        if !header_seen {
            check_header(&record, delimiter).map_err(|r| row_err(line, r))?;
            header_seen = true;
            continue;
        }
        if rows.len() >= limits.max_buckets {
            return Err(row_err(
                line,
                format!(
                    "more than {} data rows (limits.max_buckets); forecast a shorter extract \
                     (--days keeps the last days of a file that fits), or raise the limit",
                    limits.max_buckets
                ),
            ));
        }
        let (ds, y) = parse_row(&record, delimiter, tz).map_err(|r| row_err(line, r))?;
        rows.push(CsvRow {
            line,
            ds,
            ds_text: record[0].to_string(),
            y,
        });
    }
    if !header_seen {
        return Err(row_err(
            1,
            "the file is empty; expected a header `ds,y`".into(),
        ));
    }
    if rows.len() < 2 {
        return Err(HistoryError::File {
            path: path.to_path_buf(),
            reason: format!(
                "{} data row(s); at least two are needed to tell the bucket size",
                rows.len()
            ),
        });
    }
    Ok(rows)
}

/// Line numbers from byte offsets. The `csv` crate places a record that follows skipped blank
/// lines at the first of them, so the line is counted up to the record's first byte that is
/// not a line break.
struct Lines<'a> {
    bytes: &'a [u8],
    /// Offset counted up to, and the line it is on.
    at: usize,
    line: u64,
}

impl Lines<'_> {
    /// The line of the record starting at or after `offset` (offsets only grow).
    fn of(&mut self, offset: u64) -> u64 {
        let mut start = (offset as usize).clamp(self.at, self.bytes.len());
        while self
            .bytes
            .get(start)
            .is_some_and(|b| matches!(b, b'\n' | b'\r'))
        {
            start += 1;
        }
        let breaks = self.bytes[self.at..start].iter().filter(|&&b| b == b'\n');
        self.line += breaks.count() as u64;
        self.at = start;
        self.line
    }
}

fn check_header(record: &csv::StringRecord, delimiter: u8) -> Result<(), String> {
    let names: Vec<String> = record.iter().map(|h| h.to_ascii_lowercase()).collect();
    if names == ["ds", "y"] {
        return Ok(());
    }
    Err(format!(
        "header is {:?}; expected exactly `ds,y` (or `ds;y`): ds = bucket start, y = count",
        record
            .iter()
            .collect::<Vec<_>>()
            .join(&(delimiter as char).to_string())
    ))
}

/// One data row's `ds` and `y`; the error is the reason only (the caller adds file and line).
fn parse_row(record: &csv::StringRecord, delimiter: u8, tz: Tz) -> Result<(Stamp, f64), String> {
    if record.iter().all(str::is_empty) {
        return Err("empty row (separators only); remove it".into());
    }
    if record.len() != 2 {
        return Err(format!(
            "expected 2 fields (ds, y), found {}; is the separator `{}`?",
            record.len(),
            delimiter as char
        ));
    }
    // No date or count needs more; a longer field is not echoed, and not parsed (a float of a
    // million digits takes minutes to parse).
    const MAX_FIELD: usize = 64;
    for (name, field) in [("ds", &record[0]), ("y", &record[1])] {
        if field.len() > MAX_FIELD {
            return Err(format!(
                "{name} is {} characters long, more than a {name} value can be ({MAX_FIELD})",
                field.len()
            ));
        }
    }
    let ds = &record[0];
    let stamp = parse_stamp(ds).ok_or_else(|| {
        format!(
            "ds = {ds:?} is not an ISO-8601 date-time (e.g. 2024-05-06T14:00:00Z, \
             2024-05-06T14:00:00+01:00 or 2024-05-06 14:00 as local time in {tz})"
        )
    })?;
    let raw_y = &record[1];
    let y: f64 = raw_y.parse().map_err(|_| {
        format!("y = {raw_y:?} is not a number (use a dot as the decimal separator)")
    })?;
    if !y.is_finite() {
        return Err(format!("y = {raw_y:?} is not a finite number"));
    }
    if y < 0.0 {
        return Err(format!(
            "y = {raw_y} is negative; contact volumes cannot be below zero"
        ));
    }
    Ok((stamp, y))
}

const NAIVE_FORMATS: [&str; 4] = [
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
];

/// A `ds` as written: RFC 3339 or a space-separated time with an offset, `Z` after any of the
/// local forms, or a local date-time (a bare date is its midnight).
fn parse_stamp(ds: &str) -> Option<Stamp> {
    if let Ok(t) = DateTime::parse_from_rfc3339(ds) {
        return Some(Stamp::At(t));
    }
    for fmt in [
        "%Y-%m-%d %H:%M:%S%.f%:z",
        "%Y-%m-%d %H:%M%:z",
        "%Y-%m-%dT%H:%M%:z",
    ] {
        if let Ok(t) = DateTime::parse_from_str(ds, fmt) {
            return Some(Stamp::At(t));
        }
    }
    let naive = |s: &str| {
        NAIVE_FORMATS
            .iter()
            .find_map(|fmt| NaiveDateTime::parse_from_str(s, fmt).ok())
    };
    if let Some(t) = naive(ds) {
        return Some(Stamp::Local(t));
    }
    if let Some(t) = ds.strip_suffix(['Z', 'z']).and_then(naive) {
        return Some(Stamp::At(t.and_utc().fixed_offset()));
    }
    chrono::NaiveDate::parse_from_str(ds, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(Stamp::Local)
}

/// Phase 3a: every row's instant, local times read in `tz`. A local time that does not exist
/// is an error; an ambiguous one is its earlier instant the first time and its later one the
/// second (a local-clock log of the fall-back night), a third time an error.
pub fn to_instants(
    rows: &[CsvRow],
    tz: Tz,
    path: &Path,
) -> Result<Vec<(u64, DateTime<Utc>, f64)>, HistoryError> {
    let mut local_seen: BTreeMap<NaiveDateTime, u64> = BTreeMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let ts =
            match r.ds {
                Stamp::At(t) => t.with_timezone(&Utc),
                Stamp::Local(naive) => resolve_local(naive, &r.ds_text, tz, &mut local_seen)
                    .map_err(|reason| HistoryError::Row {
                        path: path.to_path_buf(),
                        line: r.line,
                        reason,
                    })?,
            };
        out.push((r.line, ts, r.y));
    }
    Ok(out)
}

fn resolve_local(
    naive: NaiveDateTime,
    ds: &str,
    tz: Tz,
    local_seen: &mut BTreeMap<NaiveDateTime, u64>,
) -> Result<DateTime<Utc>, String> {
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

/// The `[start, end)` of a grid.
pub type Span = (DateTime<Utc>, DateTime<Utc>);

/// Which part of a file is kept, and under which limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Window {
    /// Keep only the last that many days (`--days`); `None` keeps the whole file.
    pub last_days: Option<u32>,
    pub limits: InputLimits,
}

/// Phase 3b: `rows` (line, start, value; at least two) in order on one grid of `clock`: each
/// start once, the bucket size the smallest step, every start on a bucket boundary, dated
/// between 1970 and 2200, no gap over the default limit and no more buckets than it allows.
pub fn on_grid(
    rows: &[(u64, DateTime<Utc>, f64)],
    clock: Clock,
    path: &Path,
) -> Result<GridRows, HistoryError> {
    on_grid_within(rows, clock, path, &Window::default()).map(|(g, _)| g)
}

/// [`on_grid`] for the rows inside `window`, with the `[start, end)` of the grid they span
/// (a `--days` window starts where the window does, so a leading gap counts as one).
pub fn on_grid_within(
    rows: &[(u64, DateTime<Utc>, f64)],
    clock: Clock,
    path: &Path,
    window: &Window,
) -> Result<(GridRows, Span), HistoryError> {
    let row_err = |line: u64, reason: String| HistoryError::Row {
        path: path.to_path_buf(),
        line,
        reason,
    };
    let (earliest, latest) = limits::date_range();
    let mut by_ts: BTreeMap<DateTime<Utc>, (u64, f64)> = BTreeMap::new();
    for &(line, ts, y) in rows {
        if ts < earliest || ts >= latest {
            return Err(row_err(
                line,
                format!(
                    "{} is outside {}–{}; a typo in the year?",
                    clock.show(ts),
                    earliest.format("%Y"),
                    latest.format("%Y")
                ),
            ));
        }
        if let Some((first_line, _)) = by_ts.insert(ts, (line, y)) {
            return Err(row_err(
                line,
                format!(
                    "duplicate timestamp {} (already on line {first_line}); each bucket must appear once",
                    clock.show(ts)
                ),
            ));
        }
    }
    let granularity = infer_granularity(&by_ts).map_err(|reason| HistoryError::File {
        path: path.to_path_buf(),
        reason,
    })?;
    let (Some(&first), Some(&last)) = (by_ts.keys().next(), by_ts.keys().next_back()) else {
        unreachable!("infer_granularity needs two rows");
    };
    let end = last + granularity.duration();
    let start = match window.last_days {
        Some(days) => chrono::TimeDelta::try_days(i64::from(days.max(1)))
            .and_then(|d| end.checked_sub_signed(d))
            .map_or(first, |from| from.max(first)),
        None => first,
    };
    by_ts.retain(|ts, _| *ts >= start);
    for (ts, (line, _)) in &by_ts {
        if !is_aligned(*ts, granularity, clock.tz()) {
            return Err(row_err(
                *line,
                format!(
                    "{} is not on the {granularity} grid {}; bucket starts must be whole \
                     {} minute marks",
                    clock.show(*ts),
                    clock.place(),
                    granularity.minutes()
                ),
            ));
        }
    }
    check_gaps(&by_ts, granularity, clock, &window.limits).map_err(|(line, r)| row_err(line, r))?;
    check_span(start, end, granularity, &window.limits).map_err(|reason| HistoryError::File {
        path: path.to_path_buf(),
        reason,
    })?;
    Ok((
        GridRows {
            granularity,
            rows: by_ts,
        },
        (start, end),
    ))
}

/// No two consecutive rows further apart than `limits.max_gap_days`. The line named is the
/// row on the lonelier side of the gap: the one with the year typo, most of the time.
fn check_gaps(
    by_ts: &BTreeMap<DateTime<Utc>, (u64, f64)>,
    g: Granularity,
    clock: Clock,
    limits: &InputLimits,
) -> Result<(), (u64, String)> {
    let max = chrono::TimeDelta::days(i64::from(limits.max_gap_days));
    let sorted: Vec<(&DateTime<Utc>, &(u64, f64))> = by_ts.iter().collect();
    for (i, w) in sorted.windows(2).enumerate() {
        let ((a, (line_a, _)), (b, (line_b, _))) = (w[0], w[1]);
        let missing = *b - *a - g.duration();
        if missing <= max {
            continue;
        }
        let before = i + 1;
        let after = sorted.len() - before;
        let line = if before < after { *line_a } else { *line_b };
        return Err((
            line,
            format!(
                "gap of {} days at line {line}: nothing between {} (line {line_a}) and {} \
                 (line {line_b}); a typo in the date? Fix it, or raise limits.max_gap_days \
                 ({}) if the queue was really closed that long",
                missing.num_days(),
                clock.show(*a),
                clock.show(*b),
                limits.max_gap_days
            ),
        ));
    }
    Ok(())
}

/// The grid `[start, end)` holds at most `limits.max_buckets` buckets; counted before it is
/// built.
fn check_span(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    g: Granularity,
    limits: &InputLimits,
) -> Result<(), String> {
    let buckets = (end - start).num_seconds() / (g.minutes() * 60);
    if buckets <= limits.max_buckets as i64 {
        return Ok(());
    }
    Err(format!(
        "the rows span {:.0} days, {buckets} buckets of {g}, more than {} (limits.max_buckets); \
         use --days to forecast the last part, or raise the limit",
        (end - start).num_hours() as f64 / 24.0,
        limits.max_buckets
    ))
}

/// The bucket size: the smallest step between consecutive starts, if queuecast supports it.
fn infer_granularity(by_ts: &BTreeMap<DateTime<Utc>, (u64, f64)>) -> Result<Granularity, String> {
    let sorted: Vec<(&DateTime<Utc>, &(u64, f64))> = by_ts.iter().collect();
    let Some((step_secs, a, b)) = sorted
        .windows(2)
        .map(|w| ((*w[1].0 - *w[0].0).num_seconds(), w[0].1.0, w[1].1.0))
        .min_by_key(|(s, _, _)| *s)
    else {
        return Err("at least two rows are needed to tell the bucket size".into());
    };
    let found = if step_secs % 60 == 0 {
        Granularity::from_minutes(step_secs / 60)
    } else {
        None
    };
    found.ok_or_else(|| {
        format!(
            "cannot tell the bucket size: the smallest step is {} (lines {a} and {b}); \
             queuecast needs 15-, 30- or 60-minute buckets",
            human_duration(step_secs)
        )
    })
}

fn human_duration(secs: i64) -> String {
    if secs % 60 == 0 {
        format!("{} min", secs / 60)
    } else {
        format!("{secs} s")
    }
}

#[cfg(test)]
mod tests;
