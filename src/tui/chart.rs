//! The chart's time axis: which part of the data is visible, where the cursor is, and how the
//! keys move them. Pure arithmetic on seconds since the epoch, unit-tested here; the dashboard
//! draws from it.

use crate::forecast::ForecastPoint;
use crate::history::Point;

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

#[cfg(test)]
mod tests {
    use chrono::{TimeDelta, TimeZone, Utc};

    use super::*;

    const H: f64 = 3600.0;

    /// 14 days of hourly history then 7 days of forecast, from t = 0.
    fn extent() -> Extent {
        Extent {
            lo: 0.0,
            hi: 21.0 * 24.0 * H,
            bucket: H,
        }
    }

    fn view(start: f64, end: f64, cursor: f64) -> ChartView {
        ChartView { start, end, cursor }
    }

    #[test]
    fn set_cursor_lands_on_the_bucket_inside_the_data_and_the_view_follows() {
        let e = extent();
        let mut v = view(7.0 * 24.0 * H, 14.0 * 24.0 * H, 10.0 * 24.0 * H);
        v.set_cursor(3.0 * 24.0 * H + 0.6 * H, e);
        assert_eq!(
            v.cursor,
            3.0 * 24.0 * H,
            "the bucket holding t, not the nearest"
        );
        assert_eq!((v.start, v.span()), (3.0 * 24.0 * H, 7.0 * 24.0 * H));
        v.set_cursor(-5.0 * H, e);
        assert_eq!((v.cursor, v.start), (0.0, 0.0));
        v.set_cursor(1e12, e);
        assert_eq!((v.cursor, v.end), (e.hi - H, e.hi));
        assert_eq!(v.span(), 7.0 * 24.0 * H, "the span is kept");
    }

    #[test]
    fn extent_runs_from_history_to_the_end_of_the_last_forecast_bucket() {
        let t0 = Utc.with_ymd_and_hms(2024, 6, 1, 0, 0, 0).unwrap();
        let p = |h: i64| Point {
            ts: t0 + TimeDelta::hours(h),
            y: 1.0,
        };
        let f = |h: i64| ForecastPoint {
            ts: t0 + TimeDelta::hours(h),
            yhat: 1.0,
            yhat_lower: 0.0,
            yhat_upper: 2.0,
        };
        let lo = t0.timestamp() as f64;
        let e = Extent::of(&[p(0), p(1)], &[f(2), f(3)], H).unwrap();
        assert_eq!((e.lo, e.hi), (lo, lo + 4.0 * H));
        let e = Extent::of(&[p(0), p(1)], &[], H).unwrap();
        assert_eq!(
            e.hi,
            lo + 2.0 * H,
            "without a forecast: the end of the history"
        );
        assert!(Extent::of(&[], &[f(2)], H).is_none());
    }

    #[test]
    fn reset_shows_the_forecast_and_twice_its_length_before_it() {
        let e = extent();
        let fc = 14.0 * 24.0 * H;
        assert_eq!(ChartView::reset(e, Some(fc)), view(0.0, e.hi, fc));
        // A 2-day forecast: 4 days of history before it.
        let two = e.hi - 2.0 * 24.0 * H;
        assert_eq!(
            ChartView::reset(e, Some(two)),
            view(e.hi - 6.0 * 24.0 * H, e.hi, two)
        );
        // No forecast yet: the last 3 weeks (all of it here), cursor on the last bucket.
        assert_eq!(ChartView::reset(e, None), view(0.0, e.hi, e.hi - H));
    }

    #[test]
    fn shift_stops_at_both_ends_of_the_data() {
        let e = extent();
        let mut v = view(10.0 * H, 20.0 * H, 15.0 * H);
        v.shift(-100.0 * H, e);
        assert_eq!((v.start, v.end), (0.0, 10.0 * H));
        v.shift(1e9, e);
        assert_eq!((v.start, v.end), (e.hi - 10.0 * H, e.hi));
    }

    #[test]
    fn clamp_pulls_a_view_back_into_shorter_data_and_keeps_the_cursor_in_it() {
        let mut v = view(0.0, 48.0 * H, 3.0 * H);
        let short = Extent {
            lo: 24.0 * H,
            hi: 200.0 * H,
            bucket: H,
        };
        v.clamp(short);
        assert_eq!(v, view(24.0 * H, 72.0 * H, 24.0 * H));
        // Wider than all the data: all of it.
        let mut v = view(0.0, 500.0 * H, 499.0 * H);
        v.clamp(short);
        assert_eq!(v, view(24.0 * H, 200.0 * H, 199.0 * H));
    }

    #[test]
    fn the_cursor_steps_by_a_bucket_and_drags_the_view_along() {
        let e = extent();
        let mut v = view(10.0 * H, 20.0 * H, 19.0 * H);
        v.step_cursor(true, e);
        assert_eq!(v, view(11.0 * H, 21.0 * H, 20.0 * H));
        let mut v = view(10.0 * H, 20.0 * H, 10.0 * H);
        v.step_cursor(false, e);
        assert_eq!(v, view(9.0 * H, 19.0 * H, 9.0 * H));
        // Never past the data.
        let mut v = view(0.0, 10.0 * H, 0.0);
        v.step_cursor(false, e);
        assert_eq!(v.cursor, 0.0);
        let mut v = view(e.hi - 10.0 * H, e.hi, e.hi - H);
        v.step_cursor(true, e);
        assert_eq!(v.cursor, e.hi - H);
    }

    #[test]
    fn pan_moves_a_quarter_span_and_snaps_the_cursor_into_view() {
        let e = extent();
        let mut v = view(100.0 * H, 140.0 * H, 101.0 * H);
        v.pan(true, e);
        assert_eq!((v.start, v.end), (110.0 * H, 150.0 * H));
        assert_eq!(v.cursor, 110.0 * H, "dragged to the new left edge");
        let mut v = view(100.0 * H, 140.0 * H, 139.0 * H);
        v.pan(false, e);
        assert_eq!(v, view(90.0 * H, 130.0 * H, 129.0 * H));
    }

    #[test]
    fn snapping_lands_on_the_bucket_grid_of_the_data() {
        let e = Extent {
            lo: 1800.0,
            hi: 100.0 * H,
            bucket: H,
        };
        let mut v = view(1800.0, 50.0 * H, 10.2 * H);
        v.snap_cursor(e);
        assert_eq!(v.cursor, 1800.0 + 10.0 * H);
    }

    #[test]
    fn zoom_keeps_the_cursor_in_place_within_limits() {
        let e = extent();
        let mut v = view(100.0 * H, 140.0 * H, 110.0 * H);
        v.zoom(true, e);
        assert_eq!(v, view(105.0 * H, 125.0 * H, 110.0 * H));
        v.zoom(true, e);
        v.zoom(true, e);
        assert_eq!(v.span(), MIN_SPAN_BUCKETS * H, "no closer than 12 buckets");
        let mut v = view(0.0, 300.0 * H, 10.0 * H);
        v.zoom(false, e);
        assert_eq!((v.start, v.end), (0.0, e.hi), "no wider than the data");
    }

    #[test]
    fn columns_map_to_instants_and_back() {
        let v = view(0.0, 100.0 * H, 50.0 * H);
        assert_eq!(v.column_span(0, 100), (0.0, H));
        assert_eq!(v.column_span(99, 100), (99.0 * H, 100.0 * H));
        assert_eq!(v.column_of(50.5 * H, 100), 50);
        assert_eq!(v.column_of(-H, 100), -1);
        assert!(v.shows(-0.5 * H, H) && !v.shows(-2.0 * H, H));
    }
}
