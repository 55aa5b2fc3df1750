//! `ChartView` arithmetic: moves, columns, ticks.

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

fn chicago() -> Tz {
    "America/Chicago".parse().unwrap()
}

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> f64 {
    chicago()
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .timestamp() as f64
}

#[test]
fn time_ticks_land_on_whole_local_hours_even_when_zoomed_to_odd_minutes() {
    // 06:37 to 18:37 local over 60 columns: labels on whole hours, never on 06:37.
    let v = view(at(2024, 6, 3, 6, 37), at(2024, 6, 3, 18, 37), 0.0);
    let ticks = v.time_ticks(chicago(), 60);
    assert!(ticks.len() >= 3, "{ticks:?}");
    for k in &ticks {
        assert!(k.label.ends_with(":00"), "{k:?}");
        assert_eq!(k.t.rem_euclid(3600.0), 0.0, "{k:?}");
        assert!(k.t >= v.start && k.t < v.end);
    }
    assert_eq!(ticks[0].label, "Mon 09:00", "the first whole 3-hour step");
    // Labels never overlap and never run past the width.
    for p in ticks.windows(2) {
        assert!(p[0].col as usize + p[0].label.len() + 2 <= p[1].col as usize);
    }
    let last = ticks.last().unwrap();
    assert!(last.col as usize + last.label.len() <= 60);
}

#[test]
fn a_long_span_ticks_on_local_midnights_and_shows_years_across_new_year() {
    let v = view(at(2024, 12, 20, 0, 0), at(2025, 1, 10, 0, 0), 0.0);
    let ticks = v.time_ticks(chicago(), 73);
    assert!(v.crosses_year(chicago()));
    assert!(!ticks.is_empty());
    for k in &ticks {
        let local = local(chicago(), k.t);
        assert_eq!(local.format("%H:%M").to_string(), "00:00", "{k:?}");
        assert!(k.label.starts_with("202"), "year shown: {k:?}");
    }
    let week = view(at(2024, 6, 1, 0, 0), at(2024, 6, 8, 0, 0), 0.0);
    assert!(!week.crosses_year(chicago()));
    assert!(
        week.time_ticks(chicago(), 73)[0]
            .label
            .starts_with("Sat 06-01")
    );
}

#[test]
fn day_separators_only_when_a_day_is_wide_enough() {
    let v = view(at(2024, 6, 1, 12, 0), at(2024, 6, 4, 12, 0), 0.0);
    // Three days over 72 columns: midnights of the 2nd, 3rd, 4th at 12, 36, 60.
    assert_eq!(v.day_starts(chicago(), 72), [12, 36, 60]);
    assert!(
        v.day_starts(chicago(), 21).is_empty(),
        "7 columns a day: too close"
    );
    let long = view(at(2024, 1, 1, 0, 0), at(2024, 6, 1, 0, 0), 0.0);
    assert!(long.day_starts(chicago(), 72).is_empty());
}

#[test]
fn every_window_gets_a_column_even_when_narrower_than_one() {
    let v = view(0.0, 100.0 * H, 0.0);
    // 2 hours per column over 50 columns.
    let cols = v.window_columns(&[(10.0 * H, 11.0 * H), (11.0 * H, 16.0 * H)], 50);
    assert_eq!(cols[5], Some(0), "a 1-hour window keeps its column");
    assert_eq!(&cols[6..8], [Some(1), Some(1)]);
    assert_eq!(cols[4], None);
    assert_eq!(cols[8], None, "16:00 is the end, not in the window");
    assert_eq!(cols.iter().filter(|c| c.is_some()).count(), 3);
    // Windows outside the view mark nothing.
    assert!(
        v.window_columns(&[(-50.0 * H, -10.0 * H)], 50)
            .iter()
            .all(Option::is_none)
    );
}

#[test]
fn y_ticks_are_round_numbers_inside_the_range() {
    assert_eq!(y_ticks(0.0, 45.0, 4), [0.0, 20.0, 40.0]);
    assert_eq!(y_ticks(0.0, 45.0, 6), [0.0, 10.0, 20.0, 30.0, 40.0]);
    assert_eq!(
        y_ticks(0.0, 0.85, 5),
        [0.0, 0.2, 0.4, 0.6000000000000001, 0.8]
    );
    assert_eq!(y_ticks(0.0, 1234.0, 3), [0.0, 500.0, 1000.0]);
    assert_eq!(y_ticks(0.0, 45.0, 3), [0.0, 20.0, 40.0]);
    assert!(y_ticks(0.0, 45.0, 2).len() == 2, "never a lone tick");
    for max in 2..7 {
        let t = y_ticks(3.0, 97.0, max);
        assert!(t.len() <= max && t.len() >= 2, "{max}: {t:?}");
        assert!(t.iter().all(|y| (3.0..=97.0).contains(y)), "{t:?}");
    }
}

#[test]
fn rows_count_from_the_top() {
    assert_eq!(row_of(0.0, 0.0, 50.0, 11), 10);
    assert_eq!(row_of(50.0, 0.0, 50.0, 11), 0);
    assert_eq!(row_of(25.0, 0.0, 50.0, 11), 5);
    assert_eq!(row_of(-5.0, 0.0, 50.0, 11), 10, "clamped");
}

#[test]
fn y_labels_carry_the_unit_when_it_fits() {
    assert_eq!(per_bucket(3600.0), "/h");
    assert_eq!(per_bucket(900.0), "/15m");
    assert_eq!(per_bucket(86_400.0), "/d");
    assert_eq!(y_label(40.0, Some("/h"), 6), "40/h");
    assert_eq!(y_label(1200.0, Some("/15m"), 6), "1200");
    assert_eq!(y_label(25_000.0, None, 6), "25k");
    assert_eq!(y_label(0.5, None, 6), "0.5");
}
