//! Agents and their weekly shifts: a hand-written roster for Billing Voice (the test oracle of
//! issue 14) and a generated one for every other queue.
//!
//! A roster is a weekly pattern: the same shifts every week, all boundaries on local quarter
//! hours, so the agents on queue in any slot follow exactly from it. Agents do not work on a
//! holiday their queue is closed for; on other holidays they work as usual.

use chrono::Weekday;

use super::calendar::SLOTS_PER_DAY;
use super::queues::{QueueSpec, RosterKind};

/// What a rostered agent is doing in a slot of their shift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Activity {
    /// On queue, taking contacts (while the queue is open; logged in but off queue otherwise).
    OnQueue,
    /// Logged in, off queue, on other work (blended agents' back office).
    BackOffice,
    /// Paid 15-minute break.
    Break,
    /// Lunch (30 or 60 minutes).
    Meal,
}

/// A part of a shift doing something other than the shift's default activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// Local quarter-hour slots `[start, end)`.
    pub start: u8,
    pub end: u8,
    pub activity: Activity,
}

/// One day's shift: local quarter-hour slots `[start, end)` (never past midnight).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayShift {
    pub start: u8,
    pub end: u8,
    /// What the agent does when no span says otherwise.
    pub default: Activity,
    pub spans: Vec<Span>,
}

impl DayShift {
    /// The activity at a local slot, `None` outside the shift.
    pub fn activity(&self, slot: u8) -> Option<Activity> {
        if slot < self.start || slot >= self.end {
            return None;
        }
        Some(
            self.spans
                .iter()
                .find(|s| s.start <= slot && slot < s.end)
                .map_or(self.default, |s| s.activity),
        )
    }

    /// `(start, end)` in minutes after local midnight.
    pub fn minutes(&self) -> (u16, u16) {
        (u16::from(self.start) * 15, u16::from(self.end) * 15)
    }
}

/// A weekly pattern: one optional shift per weekday, Monday first.
pub type Week = [Option<DayShift>; 7];

/// A simulated agent (a Genesys user who is a member of exactly one queue).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agent {
    /// Stable UUID (v5 of the queue id and the agent's index in it).
    pub id: String,
    pub name: String,
    pub email: String,
    /// Index of the agent's queue in `ContactCentre::queues()`.
    pub queue: usize,
    pub week: Week,
}

impl Agent {
    pub fn shift(&self, wd: Weekday) -> Option<&DayShift> {
        self.week[wd.num_days_from_monday() as usize].as_ref()
    }
}

/// Billing Voice's weekday on-queue agents from 14:00 to 16:00: the Erlang C requirement at the
/// design load ([`DESIGN_REQUIRED_AGENTS`]) plus [`DESIGN_IDLE_AGENTS`].
pub const DESIGN_ON_QUEUE_14_16: u16 = DESIGN_REQUIRED_AGENTS + DESIGN_IDLE_AGENTS;
/// Agents Erlang C requires for 80 calls/h with a 300 s AHT at 80 % in 20 s (traffic 6.67 Erl;
/// 9 agents answer 73.2 % in 20 s, 10 answer 86.0 %).
pub const DESIGN_REQUIRED_AGENTS: u16 = 10;
/// Idle agents the Billing Voice roster leaves on weekdays 14:00–16:00: five blended agents
/// who join the queue only then.
pub const DESIGN_IDLE_AGENTS: u16 = 5;
/// Billing Voice's mean weekday calls per hour from 14:00 to 16:00 (800 a day × 10 %).
pub const DESIGN_CALLS_PER_HOUR: f64 = 80.0;
/// Billing Voice's mean handle time at every hour, seconds.
pub const DESIGN_AHT_S: f64 = 300.0;

const fn tm(h: u8, m: u8) -> u8 {
    h * 4 + m / 15
}

/// One designed line: start, end, default activity, spans as (start, minutes, activity).
type Line = (u8, u8, Activity, &'static [(u8, u8, Activity)]);

const B: Activity = Activity::Break;
const M: Activity = Activity::Meal;
const Q: Activity = Activity::OnQueue;

/// Billing Voice (Mon–Fri 08:00–18:00), 28 agents, the same shift every weekday. On-queue
/// agents per hour: 08 → 8, 09 → 10.25, 10 → 11.25, 11 → 12, 12 → 10.75, 13 → 10.5,
/// 14 and 15 → exactly 15, 16 → 9.25, 17 → 8; within one agent of the Erlang C requirement
/// (8, 11, 12, 12, 10, 10, 10, 10, 9, 8) except 14:00–16:00, where it is the requirement + 5.
/// No break, lunch, shift start or shift end falls inside 14:00–16:00.
pub const BILLING: &[Line] = &[
    // Early full-timers 07:30–16:00 (on queue from opening at 08:00).
    (
        tm(7, 30),
        tm(16, 0),
        Q,
        &[(tm(9, 45), 15, B), (tm(11, 30), 30, M), (tm(13, 15), 15, B)],
    ),
    (
        tm(7, 30),
        tm(16, 0),
        Q,
        &[(tm(10, 0), 15, B), (tm(11, 45), 30, M), (tm(13, 30), 15, B)],
    ),
    (
        tm(7, 30),
        tm(16, 0),
        Q,
        &[(tm(10, 15), 15, B), (tm(12, 0), 30, M), (tm(13, 45), 15, B)],
    ),
    (
        tm(7, 30),
        tm(16, 0),
        Q,
        &[
            (tm(10, 30), 15, B),
            (tm(12, 15), 30, M),
            (tm(13, 15), 15, B),
        ],
    ),
    (
        tm(7, 30),
        tm(16, 0),
        Q,
        &[
            (tm(10, 45), 15, B),
            (tm(12, 30), 30, M),
            (tm(13, 30), 15, B),
        ],
    ),
    // Morning part-timers.
    (tm(8, 0), tm(12, 0), Q, &[(tm(9, 30), 15, B)]),
    (tm(8, 0), tm(12, 0), Q, &[(tm(9, 45), 15, B)]),
    (tm(8, 0), tm(12, 0), Q, &[(tm(10, 15), 15, B)]),
    (tm(9, 0), tm(13, 0), Q, &[(tm(10, 30), 15, B)]),
    (tm(9, 0), tm(13, 0), Q, &[(tm(10, 45), 15, B)]),
    (tm(9, 0), tm(12, 0), Q, &[(tm(11, 0), 15, B)]),
    (tm(10, 0), tm(14, 0), Q, &[(tm(12, 0), 15, B)]),
    (tm(10, 0), tm(14, 0), Q, &[(tm(12, 15), 15, B)]),
    // Late part-timers 12:00–18:00.
    (
        tm(12, 0),
        tm(18, 0),
        Q,
        &[(tm(12, 30), 15, B), (tm(16, 15), 15, B)],
    ),
    (
        tm(12, 0),
        tm(18, 0),
        Q,
        &[(tm(12, 45), 15, B), (tm(16, 30), 15, B)],
    ),
    (
        tm(12, 0),
        tm(18, 0),
        Q,
        &[(tm(13, 0), 15, B), (tm(16, 45), 15, B)],
    ),
    (
        tm(12, 0),
        tm(18, 0),
        Q,
        &[(tm(12, 30), 15, B), (tm(17, 0), 15, B)],
    ),
    (
        tm(12, 0),
        tm(18, 0),
        Q,
        &[(tm(12, 45), 15, B), (tm(17, 15), 15, B)],
    ),
    // Evening part-timers.
    (tm(16, 0), tm(18, 0), Q, &[]),
    (tm(16, 0), tm(18, 0), Q, &[]),
    (tm(16, 0), tm(18, 0), Q, &[]),
    (tm(16, 0), tm(17, 0), Q, &[]),
    (tm(16, 0), tm(17, 30), Q, &[]),
    // Blended: back office 09:00–17:30, on the queue 14:00–16:00 only.
    (
        tm(9, 0),
        tm(17, 30),
        Activity::BackOffice,
        &[(tm(12, 0), 30, M), (tm(14, 0), 120, Q)],
    ),
    (
        tm(9, 0),
        tm(17, 30),
        Activity::BackOffice,
        &[(tm(12, 0), 30, M), (tm(14, 0), 120, Q)],
    ),
    (
        tm(9, 0),
        tm(17, 30),
        Activity::BackOffice,
        &[(tm(12, 0), 30, M), (tm(14, 0), 120, Q)],
    ),
    (
        tm(9, 0),
        tm(17, 30),
        Activity::BackOffice,
        &[(tm(12, 0), 30, M), (tm(14, 0), 120, Q)],
    ),
    (
        tm(9, 0),
        tm(17, 30),
        Activity::BackOffice,
        &[(tm(12, 0), 30, M), (tm(14, 0), 120, Q)],
    ),
];

fn designed(lines: &[Line], hours: &super::queues::OpeningHours) -> Vec<Week> {
    lines
        .iter()
        .map(|&(start, end, default, spans)| {
            let shift = DayShift {
                start,
                end,
                default,
                spans: spans
                    .iter()
                    .map(|&(s, minutes, activity)| Span {
                        start: s,
                        end: s + minutes / 15,
                        activity,
                    })
                    .collect(),
            };
            std::array::from_fn(|d| {
                let wd = Weekday::try_from(d as u8).expect("weekday index");
                hours.slots(wd).map(|_| shift.clone())
            })
        })
        .collect()
}

/// Square-root staffing safety factor β: agents = ⌈a + β√a⌉ for offered load a (Borst,
/// Mandelbaum & Reiman 2004, "Dimensioning large call centers"; β = 1 serves roughly 80–90 %
/// of calls at once in the QED regime).
const BETA: f64 = 1.0;
/// A full shift: 8 h 30 min including a 30- or 60-minute lunch and two 15-minute breaks.
const FULL_SLOTS: u8 = 34;
/// The shortest shift (part-time, 4 h, one break).
const MIN_SLOTS: u8 = 16;

/// Agents rostered per weekday and local slot: square-root staffing of the queue's mean load
/// (level 1), with weekday evenings held at the late shift's level ([`hold_late_shift`]).
fn requirement(q: &QueueSpec, weights: &[[f64; SLOTS_PER_DAY]; 7]) -> [[u16; SLOTS_PER_DAY]; 7] {
    let mut req = [[0u16; SLOTS_PER_DAY]; 7];
    let p = q.media.params();
    // Round-the-clock queues never leave one agent alone (breaks need cover).
    let min_staff = if q.hours.is_24_7() { 2 } else { 1 };
    for (d, day) in req.iter_mut().enumerate() {
        let wd = Weekday::try_from(d as u8).expect("weekday index");
        let Some((open, close)) = q.hours.slots(wd) else {
            continue;
        };
        let daily = q.model.weekday_volume * q.model.weekly[d];
        let open_hours = f64::from(close - open) / 4.0;
        for s in open..close {
            let h = (f64::from(s) + 0.5) / 4.0;
            let per_hour = if p.arrives_when_closed {
                daily / open_hours
            } else {
                daily * weights[d][s as usize] * 4.0
            };
            let aht = q.model.aht_s * q.model.aht_shape.factor(h);
            let mut a = per_hour * aht / 3600.0 / p.concurrency;
            if let Some(c) = q.campaign.as_ref().filter(|c| c.dials_at(wd, s)) {
                a += c.attempts_per_hour * c.connect_rate * c.aht_s / 3600.0;
            }
            day[s as usize] = ((a + BETA * a.sqrt()).ceil() as u16).max(min_staff);
        }
        if d < 5 {
            hold_late_shift(day, open, close);
        }
    }
    req
}

/// Local slots of the weekday evening the late shift stays for: 18:00–21:00.
const EVENING: std::ops::Range<u8> = 72..84;
/// The late afternoon the late shift is sized for: 16:00–18:00.
const LATE_SHIFT_HOUR: std::ops::Range<u8> = 64..72;

/// A real centre overstaffs its quiet evenings: the late shift is hired for the late
/// afternoon and works until the evening's end, while calls fall away after 17:00 (the
/// evening roster follows shift lengths and labour rules, not the call curve). So on
/// weekdays every open slot from 18:00 to 21:00 keeps the largest need of 16:00–18:00 when
/// the queue is open then; those evenings are where the demo's capacity windows are.
fn hold_late_shift(day: &mut [u16; SLOTS_PER_DAY], open: u8, close: u8) {
    let late = LATE_SHIFT_HOUR.filter(|s| (open..close).contains(s));
    let Some(need) = late.map(|s| day[s as usize]).max() else {
        return;
    };
    for s in EVENING.filter(|s| (open..close).contains(s)) {
        day[s as usize] = day[s as usize].max(need);
    }
}

/// Breaks of the `k`-th shift starting in the same slot, staggered by `k mod 3` quarter hours:
/// from 6 h, a break 2 h in, lunch 4 h in (60 min for every third agent) and a break 6 h 30 in
/// if the shift lasts that long; shorter shifts one break 2 h in.
fn with_breaks(start: u8, end: u8, k: usize) -> DayShift {
    let stagger = (k % 3) as u8;
    let mut spans = Vec::new();
    let mut add = |offset: u8, len: u8, activity: Activity| {
        let s = start + offset + stagger;
        if s + len < end {
            spans.push(Span {
                start: s,
                end: s + len,
                activity,
            });
        }
    };
    let len = end - start;
    if len >= 24 {
        add(8, 1, Activity::Break);
        add(16, if k % 3 == 2 { 4 } else { 2 }, Activity::Meal);
        add(26, 1, Activity::Break);
    } else if len >= MIN_SLOTS {
        add(8, 1, Activity::Break);
    }
    DayShift {
        start,
        end,
        default: Activity::OnQueue,
        spans,
    }
}

/// Shift lengths on offer: 8 h 30 (full time), 6 h and 4 h (part time).
const LENGTHS: [u8; 3] = [FULL_SLOTS, 24, MIN_SLOTS];

/// End of a shift starting at `start`: the longest length whose slots are still mostly (≥ 75 %)
/// short of their requirement, so shifts do not run on into quiet evenings; never past closing.
fn shift_end(req: &[u16; SLOTS_PER_DAY], cover: &[u16; SLOTS_PER_DAY], start: u8, close: u8) -> u8 {
    let needed = |len: u8| {
        let end = (start + len).min(close);
        let short = (start..end)
            .filter(|&t| cover[t as usize] < req[t as usize])
            .count();
        short * 4 >= usize::from(end - start) * 3
    };
    let len = LENGTHS
        .into_iter()
        .find(|&l| needed(l))
        .unwrap_or(MIN_SLOTS);
    (start + len).min(close)
}

/// Greedy cover: walking the open slots in order, start shifts until the slot is spanned by
/// as many shifts as it requires (a shift that would pass closing becomes a part-time one
/// ending at closing). Breaks are placed afterwards, so on-queue agents dip below the
/// requirement during them, as in real rosters.
fn day_shifts(req: &[u16; SLOTS_PER_DAY], open: u8, close: u8) -> Vec<DayShift> {
    let mut cover = [0u16; SLOTS_PER_DAY];
    let mut starting = [0usize; SLOTS_PER_DAY];
    let mut out = Vec::new();
    for s in open..close {
        while cover[s as usize] < req[s as usize] {
            let start = if close - s >= MIN_SLOTS {
                s
            } else {
                close.saturating_sub(MIN_SLOTS).max(open)
            };
            let end = shift_end(req, &cover, start, close);
            out.push(with_breaks(start, end, starting[start as usize]));
            starting[start as usize] += 1;
            cover[start as usize..end as usize]
                .iter_mut()
                .for_each(|c| *c += 1);
        }
    }
    out
}

/// On-queue agents per slot of a day's shifts.
fn on_queue_count(shifts: &[DayShift]) -> [i32; SLOTS_PER_DAY] {
    let mut on = [0i32; SLOTS_PER_DAY];
    for sh in shifts {
        for s in sh.start..sh.end {
            if sh.activity(s) == Some(Activity::OnQueue) {
                on[s as usize] += 1;
            }
        }
    }
    on
}

/// Moves each break and lunch by up to 45 minutes to where the most agents above the
/// requirement remain (the nearest such place on ties), as WFM tools place breaks in troughs.
/// Spans stay inside their shift, never touch its first or last slot, and never overlap.
fn place_breaks(shifts: &mut [DayShift], req: &[u16; SLOTS_PER_DAY]) {
    let mut on = on_queue_count(shifts);
    for sh in shifts.iter_mut() {
        for j in 0..sh.spans.len() {
            let (a, b) = (sh.spans[j].start, sh.spans[j].end);
            (a..b).for_each(|s| on[s as usize] += 1);
            let fits =
                |o: i32| {
                    let (na, nb) = (i32::from(a) + o, i32::from(b) + o);
                    na > i32::from(sh.start)
                        && nb < i32::from(sh.end)
                        && sh.spans.iter().enumerate().all(|(k, x)| {
                            k == j || nb <= i32::from(x.start) || na >= i32::from(x.end)
                        })
                };
            let slack = |o: i32| {
                (i32::from(a) + o..i32::from(b) + o)
                    .map(|s| on[s as usize] - i32::from(req[s as usize]))
                    .min()
                    .unwrap_or(0)
            };
            let best = [0, -1, 1, -2, 2, -3, 3]
                .into_iter()
                .filter(|&o| fits(o))
                .max_by_key(|&o| (slack(o), -o.abs()))
                .unwrap_or(0);
            let span = &mut sh.spans[j];
            span.start = (i32::from(a) + best) as u8;
            span.end = (i32::from(b) + best) as u8;
            (span.start..span.end).for_each(|s| on[s as usize] -= 1);
        }
    }
}

/// Gives each day's shifts to agents working at most five days a week: Saturday and Sunday
/// first, then Monday to Friday, each shift to the agent with the fewest days so far (lowest
/// index on ties) who is free that day; a new agent when nobody is.
fn assign(days: [Vec<DayShift>; 7]) -> Vec<Week> {
    let mut agents: Vec<Week> = Vec::new();
    let worked = |w: &Week| w.iter().filter(|s| s.is_some()).count();
    for d in [5, 6, 0, 1, 2, 3, 4] {
        for shift in &days[d] {
            let pick = agents
                .iter()
                .enumerate()
                .filter(|(_, w)| w[d].is_none() && worked(w) < 5)
                .min_by_key(|(i, w)| (worked(w), *i))
                .map(|(i, _)| i);
            let i = pick.unwrap_or_else(|| {
                agents.push(Default::default());
                agents.len() - 1
            });
            agents[i][d] = Some(shift.clone());
        }
    }
    agents
}

/// The weekly shift patterns of a queue's agents.
pub fn weeks(q: &QueueSpec, weights: &[[f64; SLOTS_PER_DAY]; 7]) -> Vec<Week> {
    match q.model.roster {
        RosterKind::BillingDesign => designed(BILLING, &q.hours),
        RosterKind::Generated => {
            let req = requirement(q, weights);
            let days: [Vec<DayShift>; 7] = std::array::from_fn(|d| {
                let wd = Weekday::try_from(d as u8).expect("weekday index");
                q.hours
                    .slots(wd)
                    .map(|(open, close)| {
                        let mut shifts = day_shifts(&req[d], open, close);
                        place_breaks(&mut shifts, &req[d]);
                        shifts
                    })
                    .unwrap_or_default()
            });
            assign(days)
        }
    }
}

/// Agents on queue per weekday and local slot on a normal (non-closed) day.
pub fn on_queue_table(q: &QueueSpec, weeks: &[Week]) -> [[u16; SLOTS_PER_DAY]; 7] {
    let mut t = [[0u16; SLOTS_PER_DAY]; 7];
    for (d, day) in t.iter_mut().enumerate() {
        let wd = Weekday::try_from(d as u8).expect("weekday index");
        for (s, n) in day.iter_mut().enumerate() {
            if !q.hours.is_open(wd, s as u8) {
                continue;
            }
            *n = weeks
                .iter()
                .filter_map(|w| w[d].as_ref())
                .filter(|sh| sh.activity(s as u8) == Some(Activity::OnQueue))
                .count() as u16;
        }
    }
    t
}

const FIRST: [&str; 50] = [
    "Ava", "Liam", "Maya", "Noah", "Zoe", "Ethan", "Chloe", "Lucas", "Nora", "Mason", "Leah",
    "Caleb", "Ruby", "Owen", "Iris", "Diego", "Hana", "Omar", "Elena", "Jamal", "Priya", "Mateo",
    "Grace", "Ravi", "Sofia", "Kofi", "Julia", "Andre", "Mei", "Tariq", "Lena", "Marcus", "Ines",
    "Felix", "Amara", "Hugo", "Yara", "Dylan", "Nadia", "Samuel", "Keiko", "Victor", "Alma",
    "Jonah", "Selin", "Tomas", "Imani", "Erik", "Luz", "Arjun",
];
const LAST: [&str; 50] = [
    "Smith", "Garcia", "Nguyen", "Johnson", "Patel", "Brown", "Kim", "Lopez", "Okafor", "Miller",
    "Rossi", "Chen", "Davis", "Haddad", "Wilson", "Silva", "Moore", "Kowalski", "Taylor", "Tanaka",
    "Anderson", "Murphy", "Thomas", "Cohen", "Jackson", "Ali", "White", "Novak", "Harris",
    "Santos", "Martin", "Sato", "Clark", "Adeyemi", "Lewis", "Ivanova", "Walker", "Reyes", "Young",
    "Larsen", "King", "Mendes", "Wright", "Dubois", "Scott", "Yilmaz", "Green", "Hughes", "Baker",
    "Costa",
];

/// The `n`-th agent of the centre (0-based, counted over queues in order): unique names for the
/// first 2,500, then a number is added.
pub fn agent_name(n: usize) -> String {
    let (i, round) = (n % 2500, n / 2500);
    let first = FIRST[i % 50];
    let last = LAST[(i / 50 + 3 * (i % 50)) % 50];
    if round == 0 {
        format!("{first} {last}")
    } else {
        format!("{first} {last} {}", round + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::contact_centre::queues::{self, DESIGN_QUEUE};

    fn queue(name: &str) -> QueueSpec {
        queues::build(3, queues::template_count())
            .into_iter()
            .find(|q| q.name == name)
            .unwrap()
    }

    #[test]
    fn billing_on_queue_is_fifteen_from_two_to_four_and_near_the_requirement_elsewhere() {
        let q = queue(DESIGN_QUEUE);
        let w = weeks(&q, &queues::slot_weights(&q));
        assert_eq!(w.len(), 28);
        let t = on_queue_table(&q, &w);
        let requirement = [8.0, 11.0, 12.0, 12.0, 10.0, 10.0, 15.0, 15.0, 9.0, 8.0];
        for (d, day) in t.iter().enumerate().take(5) {
            assert!(
                day[56..64].iter().all(|&n| n == DESIGN_ON_QUEUE_14_16),
                "weekday {d}: {:?}",
                &day[56..64]
            );
            for (h, want) in (8..18).zip(requirement) {
                let hourly = day[h * 4..h * 4 + 4].iter().sum::<u16>() as f64 / 4.0;
                assert!((hourly - want).abs() <= 1.0, "{h}: {hourly}");
            }
            assert_eq!(
                day[55], 11,
                "13:45: one over the 10 required, not the extra 5"
            );
            assert_eq!(day[64], 10, "16:00 drops back");
        }
        assert!(
            t[5].iter().chain(t[6].iter()).all(|&n| n == 0),
            "closed weekends"
        );
    }

    #[test]
    fn generated_rosters_cover_every_open_slot_with_five_day_weeks() {
        for q in queues::build(3, queues::template_count()) {
            let w = weeks(&q, &queues::slot_weights(&q));
            assert!(
                w.iter().all(|a| a.iter().flatten().count() <= 5),
                "{}",
                q.name
            );
            let t = on_queue_table(&q, &w);
            for d in 0..7 {
                let wd = Weekday::try_from(d as u8).unwrap();
                let Some((open, close)) = q.hours.slots(wd) else {
                    assert!(
                        w.iter().all(|a| a[d].is_none()),
                        "{} works a closed day",
                        q.name
                    );
                    continue;
                };
                let staffed = (open..close).filter(|&s| t[d][s as usize] > 0).count();
                let open_slots = usize::from(close - open);
                // A lone agent's break can leave a small queue empty for 15 minutes; never
                // more than 5 % of the day, and never on a round-the-clock queue.
                assert!(
                    staffed * 20 >= open_slots * 19,
                    "{} {wd}: {staffed}/{open_slots}",
                    q.name
                );
                if q.hours.is_24_7() {
                    assert!(t[d].iter().all(|&n| n >= 1), "{} {wd}", q.name);
                }
            }
        }
    }

    /// Weekday evenings keep the late afternoon's largest need until 21:00 (the late shift
    /// stays), so a 24/7 queue has far more agents on at 20:00 than its calls need then,
    /// while weekend evenings follow the calls.
    #[test]
    fn weekday_evenings_keep_the_late_afternoon_cover() {
        let q = queue("Support Voice");
        let w = queues::slot_weights(&q);
        let req = requirement(&q, &w);
        let on = on_queue_table(&q, &weeks(&q, &w));
        let late = |d: usize| *req[d][64..72].iter().max().unwrap();
        for d in 0..5 {
            assert!(
                req[d][72..84].iter().all(|&n| n == late(d)),
                "{d}: {:?}",
                &req[d][68..84]
            );
            // Net of breaks, the evening's on-queue agents stay near that cover.
            let evening: u32 = on[d][72..84].iter().map(|&n| u32::from(n)).sum();
            assert!(
                evening * 10 >= u32::from(late(d)) * 12 * 9,
                "{d}: {:?}",
                &on[d][72..84]
            );
        }
        for (d, day) in req.iter().enumerate().skip(5) {
            assert!(day[80] < late(d), "weekend {d}: {:?}", &day[68..84]);
        }
    }

    #[test]
    fn generated_shifts_have_breaks_and_a_lunch() {
        let q = queue("Support Voice");
        let w = weeks(&q, &queues::slot_weights(&q));
        let full: Vec<&DayShift> = w
            .iter()
            .flatten()
            .flatten()
            .filter(|s| s.end - s.start == FULL_SLOTS)
            .collect();
        assert!(!full.is_empty());
        for s in full {
            let breaks = s
                .spans
                .iter()
                .filter(|x| x.activity == Activity::Break)
                .count();
            let meals: Vec<_> = s
                .spans
                .iter()
                .filter(|x| x.activity == Activity::Meal)
                .collect();
            assert_eq!(breaks, 2);
            assert_eq!(meals.len(), 1);
            assert!(matches!(meals[0].end - meals[0].start, 2 | 4));
        }
    }

    #[test]
    fn agent_names_are_unique() {
        let names: std::collections::HashSet<_> = (0..6000).map(agent_name).collect();
        assert_eq!(names.len(), 6000);
    }
}
