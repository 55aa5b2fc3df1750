//! Days that should not teach a model what a normal day looks like: closures and outages (a
//! normally busy weekday at or near zero), days far outside the same weekday's recent range,
//! and the calendar's holidays. They are flagged (the export and the chart show them) and, in
//! the series the models are fitted on, replaced bucket by bucket with the median of the same
//! weekday's clean days around them, so no model copies a hole or a spike into the forecast.
//!
//! Day-level rules on purpose: a day's total is steady enough to compare with the same weekday a
//! few weeks either side, where single buckets are too noisy at night. Only whole local days are
//! judged (a history that ends mid-day leaves its last day alone).

use std::ops::Range;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::history::Series;
use crate::holidays::{Calendar, HolidayKind};

/// Same-weekday days either side a day is compared with (and repaired from).
const NEIGHBOUR_WEEKS: usize = 4;
/// A weekday is "normally busy" when its typical total is at least this share of the median
/// day's: a Saturday on which the centre is normally shut is not a closure.
const BUSY_SHARE: f64 = 0.2;
/// At or below this share of its typical total a busy day counts as closed.
const CLOSED_SHARE: f64 = 0.1;
/// Below this share (and above [`CLOSED_SHARE`]) a busy day is flagged low (an outage, a storm).
const LOW_SHARE: f64 = 0.5;
/// Above this multiple of its typical total a day is flagged high (a one-off spike).
const HIGH_MULTIPLE: f64 = 2.0;
/// Low days within this many days of the history's end that are repeated there
/// ([`RECENT_LOW_RUN`] or more) are not flagged.
const RECENT_DAYS: usize = 7;
/// An outage is one day; this many low days in the last [`RECENT_DAYS`] are a drop in level
/// (the season ending, the Christmas week), which the next week will most likely share. With
/// no later days to compare them with, repairing them made every model forecast the old level:
/// on the peer benchmark's bike share, the week after a low 22 and 24 December was forecast at
/// November's level (MSTL's MASE 1.79 against the weekly naive's 1.22). A closed day is still
/// flagged: a busy weekday at zero is a closure, not a level.
const RECENT_LOW_RUN: usize = 2;

/// Why a day was flagged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FlagKind {
    /// A normally busy weekday at or near zero.
    Closed,
    /// Far below the same weekday's recent range.
    Low,
    /// Far above it.
    High,
    /// A public holiday of the configured calendar.
    Holiday,
    /// A day in the org's closures file.
    OrgClosure,
}

/// One flagged local day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayFlag {
    pub date: NaiveDate,
    pub kind: FlagKind,
    /// The day's total.
    pub total: f64,
    /// The median total of the same weekday's unflagged days around it (`None` without any).
    pub typical: Option<f64>,
    /// The holiday's name, for calendar days.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The series' local days: date and point range, in order.
struct Days {
    dates: Vec<NaiveDate>,
    ranges: Vec<Range<usize>>,
    totals: Vec<f64>,
    complete: Vec<bool>,
}

impl Days {
    fn of(series: &Series) -> Self {
        let g = series.granularity;
        let mut dates: Vec<NaiveDate> = Vec::new();
        let mut ranges: Vec<Range<usize>> = Vec::new();
        for (i, p) in series.points.iter().enumerate() {
            let d = p.ts.with_timezone(&series.tz).date_naive();
            if dates.last() == Some(&d) {
                ranges.last_mut().expect("a range per date").end = i + 1;
            } else {
                dates.push(d);
                ranges.push(i..i + 1);
            }
        }
        let totals = ranges
            .iter()
            .map(|r| series.points[r.clone()].iter().map(|p| p.y).sum())
            .collect();
        // A whole day, a 23-hour DST day included.
        let need = (23 * 60 / g.minutes()) as usize;
        let complete = ranges
            .iter()
            .map(|r| r.len() >= need && g.bucket_of_day(series.points[r.start].ts, series.tz) == 0)
            .collect();
        Days {
            dates,
            ranges,
            totals,
            complete,
        }
    }

    /// Indices of the same weekday up to [`NEIGHBOUR_WEEKS`] either side of day `i`, nearest
    /// first, that are whole and pass `ok`.
    fn neighbours(&self, i: usize, ok: impl Fn(usize) -> bool) -> Vec<usize> {
        let mut out = Vec::new();
        for k in 1..=NEIGHBOUR_WEEKS {
            for j in [i.checked_sub(7 * k), Some(i + 7 * k)]
                .into_iter()
                .flatten()
            {
                if j < self.dates.len()
                    && self.complete[j]
                    && self.dates[j].weekday() == self.dates[i].weekday()
                    && ok(j)
                {
                    out.push(j);
                }
            }
        }
        out
    }
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    (!v.is_empty()).then(|| super::naive::median(&mut v))
}

/// Flags the series' unusual days and its calendar days, oldest first.
pub fn flag_days(series: &Series, calendar: &Calendar) -> Vec<DayFlag> {
    let days = Days::of(series);
    let on_calendar: Vec<bool> = days
        .dates
        .iter()
        .map(|d| calendar.get(*d).is_some())
        .collect();
    let whole: Vec<f64> = (0..days.dates.len())
        .filter(|&i| days.complete[i])
        .map(|i| days.totals[i])
        .collect();
    let Some(median_day) = median(whole) else {
        return Vec::new();
    };
    let mut flags = Vec::new();
    for i in 0..days.dates.len() {
        if !days.complete[i] {
            continue;
        }
        let near = days.neighbours(i, |j| !on_calendar[j]);
        let typical = if near.len() >= 2 {
            median(near.iter().map(|&j| days.totals[j]).collect())
        } else {
            None
        };
        let total = days.totals[i];
        let (kind, name) = if let Some(h) = calendar.get(days.dates[i]) {
            let kind = match h.kind {
                HolidayKind::Public => FlagKind::Holiday,
                HolidayKind::OrgClosure => FlagKind::OrgClosure,
            };
            (kind, Some(h.name.clone()))
        } else {
            let Some(m) = typical else { continue };
            let busy = m >= BUSY_SHARE * median_day && m > 0.0;
            let kind = if busy && total <= CLOSED_SHARE * m {
                FlagKind::Closed
            } else if busy && total < LOW_SHARE * m {
                FlagKind::Low
            } else if busy && total > HIGH_MULTIPLE * m {
                FlagKind::High
            } else {
                continue;
            };
            (kind, None)
        };
        flags.push(DayFlag {
            date: days.dates[i],
            kind,
            total,
            typical,
            name,
        });
    }
    keep_recent_level_drop(&mut flags, &days);
    flags
}

/// Unflags the low days of the last [`RECENT_DAYS`] when there are [`RECENT_LOW_RUN`] or more
/// of them: a level change, not an outage.
fn keep_recent_level_drop(flags: &mut Vec<DayFlag>, days: &Days) {
    let Some(&last) = days.dates.last() else {
        return;
    };
    let recent_low =
        |f: &DayFlag| f.kind == FlagKind::Low && (last - f.date).num_days() < RECENT_DAYS as i64;
    if flags.iter().filter(|f| recent_low(f)).count() >= RECENT_LOW_RUN {
        flags.retain(|f| !recent_low(f));
    }
}

/// The series with every flagged day replaced, bucket by bucket, by the median of the same
/// bucket on the same weekday's unflagged whole days up to [`NEIGHBOUR_WEEKS`] weeks either
/// side. A flagged day without such neighbours is kept as it is.
pub fn repaired(series: &Series, flags: &[DayFlag]) -> Series {
    let mut out = series.clone();
    if flags.is_empty() {
        return out;
    }
    let days = Days::of(series);
    let flagged: Vec<bool> = days
        .dates
        .iter()
        .map(|d| flags.iter().any(|f| f.date == *d))
        .collect();
    let g = series.granularity;
    for i in (0..days.dates.len()).filter(|&i| flagged[i]) {
        let near = days.neighbours(i, |j| !flagged[j]);
        if near.is_empty() {
            continue;
        }
        for t in days.ranges[i].clone() {
            let b = g.bucket_of_day(series.points[t].ts, series.tz);
            let same_bucket: Vec<f64> = near
                .iter()
                .filter_map(|&j| {
                    days.ranges[j]
                        .clone()
                        .find(|&u| g.bucket_of_day(series.points[u].ts, series.tz) == b)
                        .map(|u| series.points[u].y)
                })
                .collect();
            if let Some(v) = median(same_bucket) {
                out.points[t].y = v;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::test_support::hourly;

    /// Weekdays 08–18 at 50 (+ a little per week), weekends 2, nights 1; starts on a Monday.
    fn centre(weeks: usize) -> Vec<f64> {
        (0..weeks * 168)
            .map(|i| {
                let (h, d) = (i % 24, (i / 24) % 7);
                let open = (8..18).contains(&h) && d < 5;
                if open {
                    50.0 + (i / 168) as f64
                } else if d >= 5 {
                    2.0
                } else {
                    1.0
                }
            })
            .collect()
    }

    fn start_date(s: &Series) -> NaiveDate {
        s.points[0].ts.date_naive()
    }

    #[test]
    fn a_closed_weekday_in_the_last_week_is_flagged_and_repaired_from_its_weekday() {
        let mut y = centre(6);
        // Tuesday of the last week: closed all day.
        let tue = (5 * 7 + 1) * 24;
        for v in &mut y[tue..tue + 24] {
            *v = 0.0;
        }
        let s = hourly(&y);
        let flags = flag_days(&s, &Calendar::default());
        assert_eq!(flags.len(), 1, "{flags:?}");
        let f = &flags[0];
        assert_eq!(f.kind, FlagKind::Closed);
        assert_eq!(f.date, start_date(&s) + chrono::Days::new(36));
        assert_eq!(f.total, 0.0);
        // Median Tuesday of weeks 2–5: hours 8–17 at 51..54 → 10 × 52.5 + 14 nights.
        assert_eq!(f.typical, Some(10.0 * 52.5 + 14.0));
        let r = repaired(&s, &flags);
        assert_eq!(r.points[tue + 12].y, 52.5);
        assert_eq!(r.points[tue + 3].y, 1.0);
        // Nothing else moved.
        assert_eq!(r.points[tue - 1].y, y[tue - 1]);
        assert_eq!(r.points[..tue], s.points[..tue]);
    }

    #[test]
    fn normal_weeks_quiet_weekends_and_a_partial_last_day_are_not_flagged() {
        let y = centre(6);
        // Ends at noon of a Monday: the last day is partial (and looks low).
        let s = hourly(&y[..y.len() - 168 + 12]);
        assert_eq!(flag_days(&s, &Calendar::default()), vec![]);
    }

    #[test]
    fn two_low_days_in_the_last_week_are_a_level_drop_one_is_an_outage() {
        let scaled = |days: &[usize], by: f64| {
            let mut y = centre(6);
            for &d in days {
                for v in &mut y[d * 24..(d + 1) * 24] {
                    *v *= by;
                }
            }
            hourly(&y)
        };
        let kinds = |s: &Series| -> Vec<(i64, FlagKind)> {
            flag_days(s, &Calendar::default())
                .iter()
                .map(|f| ((f.date - start_date(s)).num_days(), f.kind))
                .collect()
        };
        // Wednesday and Friday of the last week at a third: kept as they are.
        assert_eq!(kinds(&scaled(&[37, 39], 1.0 / 3.0)), vec![]);
        // Wednesday alone: an outage, flagged (and repaired).
        assert_eq!(kinds(&scaled(&[37], 1.0 / 3.0)), vec![(37, FlagKind::Low)]);
        // The same pair three weeks earlier: two outages.
        assert_eq!(
            kinds(&scaled(&[16, 18], 1.0 / 3.0)),
            vec![(16, FlagKind::Low), (18, FlagKind::Low)]
        );
        // Closed days are closures wherever they fall.
        assert_eq!(
            kinds(&scaled(&[37, 39], 0.0)),
            vec![(37, FlagKind::Closed), (39, FlagKind::Closed)]
        );
    }

    #[test]
    fn an_outage_a_spike_and_a_calendar_day_are_told_apart() {
        let mut y = centre(6);
        let wed = (2 * 7 + 2) * 24; // Wednesday of week 3: a third of its calls
        for v in &mut y[wed..wed + 24] {
            *v /= 3.0;
        }
        let thu = (3 * 7 + 3) * 24; // Thursday of week 4: triple
        for v in &mut y[thu..thu + 24] {
            *v *= 3.0;
        }
        let s = hourly(&y);
        let mon = start_date(&s) + chrono::Days::new(7);
        let cal = Calendar::new("", &[mon]).unwrap();
        let flags = flag_days(&s, &cal);
        let kinds: Vec<(u64, FlagKind)> = flags
            .iter()
            .map(|f| ((f.date - start_date(&s)).num_days() as u64, f.kind))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (7, FlagKind::OrgClosure),
                (16, FlagKind::Low),
                (24, FlagKind::High)
            ]
        );
        assert_eq!(flags[0].name.as_deref(), Some("org closure"));
    }
}
