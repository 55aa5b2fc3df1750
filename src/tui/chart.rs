//! The chart's time axis: which part of the data is visible, where the cursor is, and how the
//! keys move them. Pure arithmetic on seconds since the epoch, unit-tested here; the dashboard
//! draws from it.

use chrono::{Datelike, Duration, NaiveDate, TimeZone};
use chrono_tz::Tz;

use crate::forecast::ForecastPoint;
use crate::history::Point;

const HOUR: f64 = 3600.0;
const DAY: f64 = 86_400.0;
/// Tick steps the time axis picks from: whole hours, then whole days.
const TICK_STEPS: [f64; 10] = [
    HOUR,
    2.0 * HOUR,
    3.0 * HOUR,
    6.0 * HOUR,
    12.0 * HOUR,
    DAY,
    2.0 * DAY,
    7.0 * DAY,
    14.0 * DAY,
    28.0 * DAY,
];
/// Blank columns kept between two time labels.
const LABEL_GAP: usize = 2;

/// A labelled mark on the time axis at a whole local hour or day.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeTick {
    pub col: u16,
    pub t: f64,
    pub label: String,
}

/// Smallest zoom: this many buckets across the chart.
pub const MIN_SPAN_BUCKETS: f64 = 12.0;

/// Everything the axis can show: history start to the end of the forecast's last bucket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Extent {
    pub lo: f64,
    pub hi: f64,
    /// Bucket length in seconds.
    pub bucket: f64,
}

impl Extent {
    /// From the history and the forecast after it; `None` without history.
    pub fn of(history: &[Point], future: &[ForecastPoint], bucket: f64) -> Option<Self> {
        let first = history.first()?.ts.timestamp() as f64;
        let last_hist = history.last()?.ts.timestamp() as f64;
        let last = future
            .last()
            .map(|p| p.ts.timestamp() as f64)
            .unwrap_or(last_hist);
        Some(Self {
            lo: first,
            hi: last + bucket,
            bucket,
        })
    }
}

/// The visible part of the time axis, in seconds since the epoch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChartView {
    pub start: f64,
    pub end: f64,
    /// The cursor's instant; snapped to a bucket start.
    pub cursor: f64,
}

impl ChartView {
    /// The default view: the forecast plus twice its length of history before it, the cursor
    /// on the first forecast bucket (or the last bucket, without a forecast: a week shown).
    pub fn reset(e: Extent, forecast_start: Option<f64>) -> Self {
        let (horizon, cursor) = match forecast_start {
            Some(start) => (e.hi - start, start),
            None => (7.0 * 86400.0, e.hi - e.bucket),
        };
        let start = (e.hi - 3.0 * horizon).max(e.lo);
        Self {
            start,
            end: e.hi,
            cursor,
        }
    }

    pub fn span(&self) -> f64 {
        self.end - self.start
    }

    /// Keeps the span and position, moved back inside the data if the data moved (a refresh).
    pub fn clamp(&mut self, e: Extent) {
        if self.span() > e.hi - e.lo {
            self.start = e.lo;
            self.end = e.hi;
        }
        self.shift(0.0, e);
        self.cursor = self
            .cursor
            .clamp(self.start, (self.end - e.bucket).max(self.start));
    }

    /// Moves the view by `by` seconds, kept inside the data.
    pub fn shift(&mut self, by: f64, e: Extent) {
        let span = self.span();
        let start = (self.start + by).clamp(e.lo, (e.hi - span).max(e.lo));
        self.start = start;
        self.end = start + span;
    }

    /// One bucket left or right; the view follows the cursor out of its edge.
    pub fn step_cursor(&mut self, forward: bool, e: Extent) {
        let g = e.bucket;
        self.set_cursor(self.cursor + if forward { g } else { -g }, e);
    }

    /// Puts the cursor on the bucket holding `t`, kept inside the data; the view keeps its
    /// span and follows the cursor out of its edge. Day, page, first/last and window jumps.
    pub fn set_cursor(&mut self, t: f64, e: Extent) {
        let g = e.bucket;
        let t = t.clamp(e.lo, (e.hi - g).max(e.lo));
        self.cursor = e.lo + ((t - e.lo) / g).floor() * g;
        if self.cursor < self.start {
            self.shift(self.cursor - self.start, e);
        } else if self.cursor >= self.end {
            self.shift(self.cursor + g - self.end, e);
        }
    }

    /// A quarter of the span left or right; the cursor stays in view, on a bucket start.
    pub fn pan(&mut self, forward: bool, e: Extent) {
        let quarter = self.span() / 4.0;
        self.shift(if forward { quarter } else { -quarter }, e);
        self.snap_cursor(e);
    }

    /// Brings the cursor into the view and onto the bucket grid that starts at the data.
    pub fn snap_cursor(&mut self, e: Extent) {
        let g = e.bucket;
        self.cursor = self
            .cursor
            .clamp(self.start, (self.end - g).max(self.start));
        self.cursor = e.lo + ((self.cursor - e.lo) / g).round() * g;
    }

    /// Halves or doubles the span around the cursor, between [`MIN_SPAN_BUCKETS`] buckets
    /// and all the data.
    pub fn zoom(&mut self, zoom_in: bool, e: Extent) {
        let span = self.span();
        let new_span = if zoom_in {
            (span / 2.0).max(MIN_SPAN_BUCKETS * e.bucket)
        } else {
            (span * 2.0).min(e.hi - e.lo)
        };
        let frac = ((self.cursor - self.start) / span).clamp(0.0, 1.0);
        self.start = self.cursor - frac * new_span;
        self.end = self.start + new_span;
        self.shift(0.0, e);
    }

    /// Whether `x` is in view or within `margin` of it (lines run on to the edge).
    pub fn shows(&self, x: f64, margin: f64) -> bool {
        x >= self.start - margin && x <= self.end + margin
    }

    /// The instants column `c` of `width` covers: `[from, to)`.
    pub fn column_span(&self, c: u16, width: u16) -> (f64, f64) {
        let w = f64::from(width);
        (
            self.start + self.span() * f64::from(c) / w,
            self.start + self.span() * f64::from(c + 1) / w,
        )
    }

    /// The column of `width` that shows instant `x` (negative or past the end when outside).
    pub fn column_of(&self, x: f64, width: u16) -> i64 {
        ((x - self.start) / self.span() * f64::from(width)).floor() as i64
    }
}

/// Seconds since the epoch as wall-clock time in `tz` (`widgets::local` would be an import
/// cycle: widgets → app → chart).
fn local(tz: Tz, secs: f64) -> chrono::DateTime<Tz> {
    chrono::Utc
        .timestamp_opt(secs as i64, 0)
        .single()
        .unwrap_or_default()
        .with_timezone(&tz)
}

/// Local midnights from the day before `from` to the day after `to`.
fn local_midnights(tz: Tz, from: f64, to: f64) -> impl Iterator<Item = (NaiveDate, f64)> {
    let day = |t: f64| local(tz, t).date_naive();
    let (first, last) = (day(from) - Duration::days(1), day(to) + Duration::days(1));
    first
        .iter_days()
        .take_while(move |d| *d <= last)
        .filter_map(move |d| {
            let t = tz
                .from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
                .earliest()?;
            Some((d, t.timestamp() as f64))
        })
}

impl ChartView {
    /// Instants on whole local hours (every `step` hours from midnight) or whole days (every
    /// `step` days: Mondays for weeks, else days since the epoch), inside the view.
    fn whole_instants(&self, tz: Tz, step: f64) -> Vec<f64> {
        let mut out = Vec::new();
        for (d, midnight) in local_midnights(tz, self.start, self.end) {
            if step < DAY {
                let every = (step / HOUR) as u32;
                for h in (0..24).step_by(every as usize) {
                    let t = d
                        .and_hms_opt(h, 0, 0)
                        .and_then(|n| tz.from_local_datetime(&n).earliest());
                    out.extend(t.map(|t| t.timestamp() as f64));
                }
            } else {
                let days = (step / DAY) as i64;
                let keep = if days == 7 {
                    d.weekday() == chrono::Weekday::Mon
                } else {
                    (d.num_days_from_ce() as i64).rem_euclid(days) == 0
                };
                if keep {
                    out.push(midnight);
                }
            }
        }
        out.retain(|t| *t >= self.start && *t < self.end);
        out
    }

    /// Whether the view crosses a new year in `tz` (labels then carry the year).
    pub fn crosses_year(&self, tz: Tz) -> bool {
        let y = |t: f64| local(tz, t).year();
        y(self.start) != y(self.end - 1.0)
    }

    /// Time labels on whole local hours or days, the finest step whose labels all fit in
    /// `width` columns with a gap between them; each label starts at its tick's column.
    pub fn time_ticks(&self, tz: Tz, width: u16) -> Vec<TimeTick> {
        let w = usize::from(width);
        for step in TICK_STEPS {
            let fmt = if step < DAY {
                "%a %H:%M"
            } else if self.crosses_year(tz) {
                "%Y-%m-%d"
            } else {
                "%a %m-%d"
            };
            let ticks: Vec<TimeTick> = self
                .whole_instants(tz, step)
                .into_iter()
                .map(|t| TimeTick {
                    col: self.column_of(t, width).clamp(0, i64::from(width)) as u16,
                    t,
                    label: local(tz, t).format(fmt).to_string(),
                })
                .filter(|k| usize::from(k.col) + k.label.chars().count() <= w)
                .collect();
            let fits = ticks.windows(2).all(|p| {
                usize::from(p[0].col) + p[0].label.chars().count() + LABEL_GAP
                    <= usize::from(p[1].col)
            });
            if fits && !ticks.is_empty() {
                return ticks;
            }
        }
        Vec::new()
    }

    /// Columns where a local day starts, when a day is at least eight columns wide (closer
    /// separators would hide the data).
    pub fn day_starts(&self, tz: Tz, width: u16) -> Vec<u16> {
        if DAY / self.span() * f64::from(width) < 8.0 {
            return Vec::new();
        }
        local_midnights(tz, self.start, self.end)
            .map(|(_, t)| t)
            .filter(|t| *t > self.start && *t < self.end)
            .map(|t| self.column_of(t, width) as u16)
            .collect()
    }

    /// For each of `width` columns, the first window (`[start, end)` in seconds) it overlaps.
    /// A window narrower than a column still gets the column its start falls in.
    pub fn window_columns(&self, windows: &[(f64, f64)], width: u16) -> Vec<Option<usize>> {
        let mut cols = vec![None; usize::from(width)];
        for (i, &(a, b)) in windows.iter().enumerate() {
            let first = self.column_of(a, width).max(0);
            let last = self.column_of(b - 1.0, width).min(i64::from(width) - 1);
            for c in first..=last {
                if let Some(cell) = cols.get_mut(c as usize)
                    && cell.is_none()
                {
                    *cell = Some(i);
                }
            }
        }
        cols
    }
}

/// Y ticks on the finest 1-2-5 step that puts 2 to `max` of them inside `[lo, hi]`: round numbers, drawn at their own height rather than spread evenly.
pub fn y_ticks(lo: f64, hi: f64, max: usize) -> Vec<f64> {
    let max = max.max(2);
    let range = (hi - lo).max(1e-9);
    let mag = 10f64.powf((range / max as f64).log10().floor());
    let inside = |step: f64| {
        let first = (lo / step - 1e-9).ceil() as i64;
        let last = (hi / step + 1e-9).floor() as i64;
        (first..=last)
            .map(|k| k as f64 * step)
            .collect::<Vec<f64>>()
    };
    [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0]
        .iter()
        .map(|m| inside(m * mag))
        .find(|t| t.len() <= max && t.len() >= 2)
        .unwrap_or_else(|| vec![lo, hi])
}

/// The row of `height` rows (0 at the top) that shows `y` on an axis from `lo` to `hi`.
pub fn row_of(y: f64, lo: f64, hi: f64, height: u16) -> u16 {
    let h = f64::from(height.max(1) - 1);
    let frac = ((y - lo) / (hi - lo).max(1e-9)).clamp(0.0, 1.0);
    (h - frac * h).round() as u16
}

/// What one value on the y axis counts: contacts per bucket, as `/h` or `/15m`.
pub fn per_bucket(bucket_secs: f64) -> String {
    if bucket_secs >= DAY && bucket_secs % DAY == 0.0 {
        format!("/{}d", (bucket_secs / DAY) as i64).replace("/1d", "/d")
    } else if bucket_secs >= HOUR && bucket_secs % HOUR == 0.0 {
        format!("/{}h", (bucket_secs / HOUR) as i64).replace("/1h", "/h")
    } else {
        format!("/{}m", (bucket_secs / 60.0) as i64)
    }
}

/// A y tick label in at most `width` columns: the number, with `k` past 9999, and the unit
/// when asked for and it fits.
pub fn y_label(y: f64, unit: Option<&str>, width: usize) -> String {
    let n = if y.abs() >= 10_000.0 {
        format!("{:.0}k", y / 1000.0)
    } else if y.fract().abs() > 1e-9 {
        format!("{y:.1}")
    } else {
        format!("{y:.0}")
    };
    match unit {
        Some(u) if n.chars().count() + u.chars().count() <= width => format!("{n}{u}"),
        _ => n,
    }
}

#[cfg(test)]
mod tests;
