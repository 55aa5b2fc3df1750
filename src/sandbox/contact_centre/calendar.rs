//! The centre's calendar: US federal holidays by rule, calendar-anchored incidents, and the
//! mapping of a local day onto UTC quarter-hour slots (DST-aware).

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use rand::Rng;

use super::rng::{self, Stream};

/// Quarter-hour slots in a regular local day.
pub const SLOTS_PER_DAY: usize = 96;
/// Length of the generator's base slot.
pub const SLOT_SECS: i64 = 900;

/// How a public holiday changes the centre.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HolidayKind {
    /// Business-hours queues close; 24/7 queues stay open at reduced volume.
    Major,
    /// Every queue stays open at reduced volume.
    Minor,
}

/// One observed US federal holiday.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holiday {
    /// The day it is observed (the day the centre closes or runs reduced).
    pub date: NaiveDate,
    pub name: &'static str,
    pub kind: HolidayKind,
}

/// Observed-date rule of 5 U.S.C. § 6103(b) for fixed-date holidays: a Saturday holiday is
/// observed on the Friday before, a Sunday holiday on the Monday after.
fn observed(d: NaiveDate) -> NaiveDate {
    match d.weekday() {
        Weekday::Sat => d - Duration::days(1),
        Weekday::Sun => d + Duration::days(1),
        _ => d,
    }
}

fn nth(year: i32, month: u32, wd: Weekday, n: u8) -> NaiveDate {
    NaiveDate::from_weekday_of_month_opt(year, month, wd, n).expect("valid nth weekday")
}

fn last(year: i32, month: u32, wd: Weekday) -> NaiveDate {
    NaiveDate::from_weekday_of_month_opt(year, month, wd, 5)
        .unwrap_or_else(|| nth(year, month, wd, 4))
}

fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("valid date")
}

/// The US federal holidays of `year` (5 U.S.C. § 6103(a); Juneteenth from 2021), each on its
/// observed date. An observed date can fall in the previous year (New Year's Day on a Saturday
/// is observed on Friday 31 December), so [`holiday_on`] also looks at the next year's list.
pub fn federal_holidays(year: i32) -> Vec<Holiday> {
    use HolidayKind::{Major, Minor};
    let mut out = vec![
        (observed(ymd(year, 1, 1)), "New Year's Day", Major),
        (
            nth(year, 1, Weekday::Mon, 3),
            "Birthday of Martin Luther King, Jr.",
            Minor,
        ),
        (
            nth(year, 2, Weekday::Mon, 3),
            "Washington's Birthday",
            Minor,
        ),
        (last(year, 5, Weekday::Mon), "Memorial Day", Major),
        (observed(ymd(year, 7, 4)), "Independence Day", Major),
        (nth(year, 9, Weekday::Mon, 1), "Labor Day", Major),
        (nth(year, 10, Weekday::Mon, 2), "Columbus Day", Minor),
        (observed(ymd(year, 11, 11)), "Veterans Day", Minor),
        (nth(year, 11, Weekday::Thu, 4), "Thanksgiving Day", Major),
        (observed(ymd(year, 12, 25)), "Christmas Day", Major),
    ];
    if year >= 2021 {
        out.push((
            observed(ymd(year, 6, 19)),
            "Juneteenth National Independence Day",
            Minor,
        ));
    }
    let mut out: Vec<Holiday> = out
        .into_iter()
        .map(|(date, name, kind)| Holiday { date, name, kind })
        .collect();
    out.sort_by_key(|h| h.date);
    out
}

/// The holiday observed on `date`, if any.
pub fn holiday_on(date: NaiveDate) -> Option<Holiday> {
    [date.year(), date.year() + 1]
        .into_iter()
        .flat_map(federal_holidays)
        .find(|h| h.date == date)
}

/// What happened on a day, org-wide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncidentKind {
    /// The carrier lost inbound voice for the whole local day: voice offered ≈ 2 % of normal,
    /// chat and messaging +30 % (customers switch channels), voice +20 % the next day.
    VoiceOutage,
    /// A marketing campaign (Monday to Wednesday): Sales-division inbound ×1.9, ×1.45, ×1.15.
    MarketingSpike,
}

/// A calendar-anchored incident (see [`incidents_between`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Incident {
    /// First local day affected.
    pub date: NaiveDate,
    pub kind: IncidentKind,
}

/// Monday 2025-01-06: incident blocks, trend and season are counted from here, so data never
/// depend on "now".
pub fn epoch() -> NaiveDate {
    ymd(2025, 1, 6)
}

/// One voice outage per 42-day block: a Tuesday–Thursday, not a holiday, in days 14..35.
const OUTAGE_BLOCK_DAYS: i64 = 42;
/// One marketing spike per 35-day block, starting on one of the block's first four Mondays.
const SPIKE_BLOCK_DAYS: i64 = 35;

fn block_of(date: NaiveDate, len: i64) -> i64 {
    (date - epoch()).num_days().div_euclid(len)
}

fn block_start(block: i64, len: i64) -> NaiveDate {
    epoch() + Duration::days(block * len)
}

fn outage_in_block(seed: u64, block: i64) -> NaiveDate {
    let start = block_start(block, OUTAGE_BLOCK_DAYS);
    let candidates: Vec<NaiveDate> = (14..35)
        .map(|d| start + Duration::days(d))
        .filter(|d| matches!(d.weekday(), Weekday::Tue | Weekday::Wed | Weekday::Thu))
        .filter(|d| holiday_on(*d).is_none() && holiday_on(*d + Duration::days(1)).is_none())
        .collect();
    let pick = rng::mix(seed, rng::key("incident/outage"), block as u64);
    candidates[(pick % candidates.len() as u64) as usize]
}

fn spike_in_block(seed: u64, block: i64) -> NaiveDate {
    let pick = rng::mix(seed, rng::key("incident/spike"), block as u64);
    block_start(block, SPIKE_BLOCK_DAYS) + Duration::days(7 * (pick % 4) as i64)
}

/// Every incident starting in `[from, to]`, in date order. Anchored to calendar blocks from
/// [`epoch`], so any 90-day window holds at least two outages and two spikes.
pub fn incidents_between(seed: u64, from: NaiveDate, to: NaiveDate) -> Vec<Incident> {
    let mut out = Vec::new();
    for b in block_of(from, OUTAGE_BLOCK_DAYS)..=block_of(to, OUTAGE_BLOCK_DAYS) {
        let date = outage_in_block(seed, b);
        out.push(Incident {
            date,
            kind: IncidentKind::VoiceOutage,
        });
    }
    for b in block_of(from, SPIKE_BLOCK_DAYS)..=block_of(to, SPIKE_BLOCK_DAYS) {
        let date = spike_in_block(seed, b);
        out.push(Incident {
            date,
            kind: IncidentKind::MarketingSpike,
        });
    }
    out.retain(|i| i.date >= from && i.date <= to);
    out.sort_by_key(|i| (i.date, i.kind as u8));
    out
}

/// Volume multipliers of one local day from the incidents around it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IncidentEffect {
    pub voice: f64,
    pub digital: f64,
    pub sales: f64,
}

impl IncidentEffect {
    const NONE: Self = Self {
        voice: 1.0,
        digital: 1.0,
        sales: 1.0,
    };
}

/// The multipliers of `date` from a list of incidents that covers the three days before it.
fn effect_from(incidents: &[Incident], date: NaiveDate) -> IncidentEffect {
    let mut e = IncidentEffect::NONE;
    for i in incidents {
        match (i.kind, (date - i.date).num_days()) {
            (IncidentKind::VoiceOutage, 0) => {
                e.voice = 0.02;
                e.digital = 1.3;
            }
            (IncidentKind::VoiceOutage, 1) => e.voice = 1.2,
            (IncidentKind::MarketingSpike, k @ 0..=2) => e.sales = [1.9, 1.45, 1.15][k as usize],
            _ => {}
        }
    }
    e
}

/// The multipliers incidents put on `date` (1.0 when nothing happened).
pub fn incident_effect(seed: u64, date: NaiveDate) -> IncidentEffect {
    let mut e = IncidentEffect {
        voice: 1.0,
        digital: 1.0,
        sales: 1.0,
    };
    let outage = outage_in_block(seed, block_of(date, OUTAGE_BLOCK_DAYS));
    let prev_outage = outage_in_block(seed, block_of(date - Duration::days(1), OUTAGE_BLOCK_DAYS));
    if date == outage {
        e.voice = 0.02;
        e.digital = 1.3;
    } else if date - Duration::days(1) == prev_outage {
        e.voice = 1.2;
    }
    let spike = spike_in_block(seed, block_of(date, SPIKE_BLOCK_DAYS));
    e.sales = match (date - spike).num_days() {
        0 => 1.9,
        1 => 1.45,
        2 => 1.15,
        _ => 1.0,
    };
    e
}

/// A local day laid onto UTC quarter-hour slots.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalDay {
    pub date: NaiveDate,
    /// UTC start (epoch seconds) of the day's first slot.
    pub utc_start: i64,
    /// Local quarter-hour index (0..96) of each slot, in UTC order: 92 entries on a
    /// spring-forward day (the skipped hour is missing), 100 on a fall-back day (the repeated
    /// hour appears twice), 96 otherwise.
    pub local_slots: Vec<u8>,
}

/// First instant whose local date is `date` (local midnight, or the end of a gap at midnight).
pub fn local_day_start(tz: Tz, date: NaiveDate) -> DateTime<Utc> {
    let midnight = date.and_hms_opt(0, 0, 0).expect("midnight");
    for minutes in (0..24 * 60).step_by(15) {
        let t = midnight + Duration::minutes(minutes);
        if let Some(dt) = tz.from_local_datetime(&t).earliest() {
            return dt.with_timezone(&Utc);
        }
    }
    // No zone skips a whole day's quarter hours; fall back to reading the date as UTC.
    Utc.from_utc_datetime(&midnight)
}

impl LocalDay {
    pub fn new(tz: Tz, date: NaiveDate) -> Self {
        let start = local_day_start(tz, date);
        let next = local_day_start(tz, date + Duration::days(1));
        let n = ((next - start).num_seconds() / SLOT_SECS).max(0) as usize;
        let local_slots = if n == SLOTS_PER_DAY {
            (0..SLOTS_PER_DAY as u8).collect()
        } else {
            (0..n)
                .map(|i| {
                    let t = (start + Duration::seconds(i as i64 * SLOT_SECS)).with_timezone(&tz);
                    let minutes = (t.naive_local() - date.and_hms_opt(0, 0, 0).expect("midnight"))
                        .num_minutes()
                        .clamp(0, 24 * 60 - 1);
                    (minutes / 15) as u8
                })
                .collect()
        };
        Self {
            date,
            utc_start: start.timestamp(),
            local_slots,
        }
    }

    /// UTC start (epoch seconds) of the `i`-th slot of the day.
    pub fn slot_utc(&self, i: usize) -> i64 {
        self.utc_start + i as i64 * SLOT_SECS
    }

    pub fn weekday(&self) -> Weekday {
        self.date.weekday()
    }
}

/// Coefficient of variation of the org-wide gamma day factor shared by every queue.
pub const ORG_DAY_CV: f64 = 0.07;

/// Everything org-wide about one local day.
#[derive(Debug, Clone, PartialEq)]
pub struct OrgDay {
    pub day: LocalDay,
    pub holiday: Option<HolidayKind>,
    pub effect: IncidentEffect,
    /// The org-wide gamma day factor (mean 1, CV [`ORG_DAY_CV`]).
    pub factor: f64,
}

fn org_day(
    seed: u64,
    tz: Tz,
    date: NaiveDate,
    holiday: Option<HolidayKind>,
    effect: IncidentEffect,
) -> OrgDay {
    let mut r = rng::day_rng(seed, 0, date.num_days_from_ce(), Stream::Org);
    OrgDay {
        day: LocalDay::new(tz, date),
        holiday,
        effect,
        factor: r.sample(rng::gamma_unit_mean(ORG_DAY_CV)),
    }
}

/// Org days precomputed over a window (computed on the fly outside it), so that the 500 queues
/// of a centre do not each redo the holiday and incident rules for every day.
#[derive(Debug)]
pub struct OrgCalendar {
    seed: u64,
    tz: Tz,
    first: NaiveDate,
    days: Vec<Arc<OrgDay>>,
}

impl OrgCalendar {
    pub fn new(seed: u64, tz: Tz, from: NaiveDate, to: NaiveDate) -> Self {
        let holidays: HashMap<NaiveDate, HolidayKind> = (from.year() - 1..=to.year() + 1)
            .flat_map(federal_holidays)
            .map(|h| (h.date, h.kind))
            .collect();
        let incidents = incidents_between(seed, from - Duration::days(3), to);
        let days = from
            .iter_days()
            .take_while(|d| *d <= to)
            .map(|d| {
                let effect = effect_from(&incidents, d);
                Arc::new(org_day(seed, tz, d, holidays.get(&d).copied(), effect))
            })
            .collect();
        Self {
            seed,
            tz,
            first: from,
            days,
        }
    }

    pub fn day(&self, date: NaiveDate) -> Arc<OrgDay> {
        let k = (date - self.first).num_days();
        if let Some(d) = usize::try_from(k).ok().and_then(|k| self.days.get(k)) {
            return d.clone();
        }
        let holiday = holiday_on(date).map(|h| h.kind);
        Arc::new(org_day(
            self.seed,
            self.tz,
            date,
            holiday,
            incident_effect(self.seed, date),
        ))
    }
}

/// The local date an instant falls on.
pub fn local_date(tz: Tz, t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&tz).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(year: i32) -> Vec<(NaiveDate, &'static str)> {
        federal_holidays(year)
            .into_iter()
            .map(|h| (h.date, h.name))
            .collect()
    }

    #[test]
    fn federal_holidays_2025_match_the_opm_list() {
        // OPM's published 2025 federal holiday dates (opm.gov, "Federal Holidays").
        let got = names(2025);
        let want = [
            (ymd(2025, 1, 1), "New Year's Day"),
            (ymd(2025, 1, 20), "Birthday of Martin Luther King, Jr."),
            (ymd(2025, 2, 17), "Washington's Birthday"),
            (ymd(2025, 5, 26), "Memorial Day"),
            (ymd(2025, 6, 19), "Juneteenth National Independence Day"),
            (ymd(2025, 7, 4), "Independence Day"),
            (ymd(2025, 9, 1), "Labor Day"),
            (ymd(2025, 10, 13), "Columbus Day"),
            (ymd(2025, 11, 11), "Veterans Day"),
            (ymd(2025, 11, 27), "Thanksgiving Day"),
            (ymd(2025, 12, 25), "Christmas Day"),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn weekend_holidays_move_to_the_observed_weekday() {
        // 2026-07-04 is a Saturday (observed Fri 3rd); 2027-12-25 a Saturday (Fri 24th);
        // 2022-01-01 a Saturday, observed on Friday 2021-12-31; 2023-01-01 a Sunday (Mon 2nd).
        assert_eq!(
            holiday_on(ymd(2026, 7, 3)).map(|h| h.name),
            Some("Independence Day")
        );
        assert_eq!(holiday_on(ymd(2026, 7, 4)), None);
        assert_eq!(
            holiday_on(ymd(2027, 12, 24)).map(|h| h.name),
            Some("Christmas Day")
        );
        assert_eq!(
            holiday_on(ymd(2021, 12, 31)).map(|h| h.name),
            Some("New Year's Day")
        );
        assert_eq!(
            holiday_on(ymd(2023, 1, 2)).map(|h| h.name),
            Some("New Year's Day")
        );
        assert_eq!(
            holiday_on(ymd(2020, 6, 19)),
            None,
            "Juneteenth starts in 2021"
        );
    }

    #[test]
    fn dst_days_have_92_and_100_slots_and_keep_the_local_clock() {
        let tz = chrono_tz::America::New_York;
        let spring = LocalDay::new(tz, ymd(2025, 3, 9));
        assert_eq!(spring.local_slots.len(), 92);
        assert_eq!(
            spring.local_slots[8], 12,
            "02:00 does not exist: 01:45 is followed by 03:00"
        );
        let fall = LocalDay::new(tz, ymd(2025, 11, 2));
        assert_eq!(fall.local_slots.len(), 100);
        assert_eq!(&fall.local_slots[4..12], &[4, 5, 6, 7, 4, 5, 6, 7]);
        let plain = LocalDay::new(tz, ymd(2025, 6, 2));
        assert_eq!(plain.local_slots.len(), 96);
        // 2025-06-02 00:00 EDT = 04:00 UTC.
        assert_eq!(
            plain.utc_start,
            Utc.with_ymd_and_hms(2025, 6, 2, 4, 0, 0)
                .unwrap()
                .timestamp()
        );
    }

    #[test]
    fn every_90_day_window_has_two_outages_and_two_spikes_on_working_days() {
        for offset in (0..400).step_by(13) {
            let from = ymd(2025, 3, 1) + Duration::days(offset);
            let to = from + Duration::days(89);
            let all = incidents_between(7, from, to);
            let outages: Vec<_> = all
                .iter()
                .filter(|i| i.kind == IncidentKind::VoiceOutage)
                .collect();
            let spikes = all
                .iter()
                .filter(|i| i.kind == IncidentKind::MarketingSpike)
                .count();
            assert!(outages.len() >= 2, "{from}: {all:?}");
            assert!(spikes >= 2, "{from}: {all:?}");
            for o in outages {
                assert!(matches!(
                    o.date.weekday(),
                    Weekday::Tue | Weekday::Wed | Weekday::Thu
                ));
                assert!(holiday_on(o.date).is_none());
                assert_eq!(incident_effect(7, o.date).voice, 0.02);
            }
        }
    }

    #[test]
    fn the_precomputed_calendar_equals_the_rules_day_by_day() {
        let tz = chrono_tz::America::New_York;
        let cal = OrgCalendar::new(5, tz, ymd(2025, 1, 1), ymd(2026, 12, 31));
        let outside = OrgCalendar::new(5, tz, ymd(2030, 1, 1), ymd(2030, 1, 2));
        for d in ymd(2025, 1, 1).iter_days().take(730) {
            let (fast, slow) = (cal.day(d), outside.day(d));
            assert_eq!(fast, slow, "{d}");
            assert_eq!(fast.holiday, holiday_on(d).map(|h| h.kind));
            assert_eq!(fast.effect, incident_effect(5, d));
        }
    }

    #[test]
    fn incidents_depend_on_the_seed_but_not_on_the_window() {
        let a = incidents_between(1, ymd(2025, 1, 6), ymd(2025, 12, 31));
        let b = incidents_between(1, ymd(2025, 6, 1), ymd(2025, 12, 31));
        assert!(!b.is_empty() && b.iter().all(|i| a.contains(i)));
        assert_ne!(a, incidents_between(2, ymd(2025, 1, 6), ymd(2025, 12, 31)));
    }
}
