//! Staffed agents on queue per forecast bucket, from one of four sources: a constant, a weekly
//! pattern typed in the config, a `ds,agents` series, or the org's own on-queue history.
//!
//! Typed rosters (pattern, series) are step functions of local wall-clock time; a bucket gets
//! their time-weighted mean over its span, so `08:30-17:00 = 10` gives an hourly 08:00 bucket 5
//! agents. History is measured: agents = on-queue seconds ÷ bucket seconds, projected forward as
//! the median of the same bucket of the week over the last `history_weeks` weeks (a median, so
//! one week of training or a holiday does not set next week's capacity).
//!
//! The `ds,agents` reader is separate from the `ds,y` history reader on purpose: rows may be
//! sparse (a value holds until the next row, as rosters are written), and a gap is not zero.

use chrono::{DateTime, Datelike, LocalResult, NaiveDateTime, TimeDelta, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::StaffingError;
use super::aht::bucket_of_week;
use crate::granularity::Granularity;
use crate::history::grid;

const MINUTES_PER_WEEK: usize = 7 * 24 * 60;

/// Where staffed agents come from, resolved to data.
#[derive(Debug, Clone, PartialEq)]
pub enum StaffedSource {
    Constant(f64),
    Pattern(WeeklyPattern),
    Series(AgentSeries),
    History(OnQueueProjection),
}

impl StaffedSource {
    /// Agents on queue for each bucket start (`None`: the source does not cover the bucket).
    /// `on_queue_factor` converts a typed roster (constant, pattern, series) counted as
    /// scheduled agents to agents on queue; history is on queue already and ignores it.
    pub fn staffed(
        &self,
        ts: &[DateTime<Utc>],
        g: Granularity,
        tz: Tz,
        on_queue_factor: f64,
    ) -> Vec<Option<f64>> {
        let typed = |v: Option<f64>| v.map(|a| a * on_queue_factor);
        ts.iter()
            .map(|&t| match self {
                StaffedSource::Constant(a) => typed(Some(*a)),
                StaffedSource::Pattern(p) => typed(Some(p.agents(t, g, tz))),
                StaffedSource::Series(s) => typed(s.agents(t, g)),
                StaffedSource::History(h) => h.agents(t),
            })
            .collect()
    }
}

/// A weekly roster: agents on each local minute of the week (Monday 00:00 first).
#[derive(Clone, PartialEq)]
pub struct WeeklyPattern {
    minutes: Vec<f64>,
}

impl std::fmt::Debug for WeeklyPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let peak = self.minutes.iter().copied().fold(0.0, f64::max);
        write!(f, "WeeklyPattern {{ peak: {peak} }}")
    }
}

const PATTERN_HINT: &str = "write one rule per line as `<days> <HH:MM-HH:MM>[, <HH:MM-HH:MM>…] \
     = <agents>`, e.g. `Mon-Fri 08:00-12:00, 13:00-18:00 = 12` or `Sat,Sun 09:00-13:00 = 4`";

impl WeeklyPattern {
    /// Parses rules such as `Mon-Fri 08:00-18:00 = 12`, one per line; `#` starts a comment.
    /// Later lines override earlier ones where they overlap (a lunch dip after the day shift);
    /// minutes no rule covers have 0 agents.
    pub fn parse(text: &str) -> Result<WeeklyPattern, StaffingError> {
        let mut minutes = vec![0.0; MINUTES_PER_WEEK];
        let mut rules = 0;
        for (i, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let err = |problem: String, hint: &str| StaffingError::Pattern {
                line: i + 1,
                text: raw.trim().to_string(),
                problem,
                hint: hint.to_string(),
            };
            let (lhs, rhs) = line
                .split_once('=')
                .ok_or_else(|| err("no `= <agents>`".into(), PATTERN_HINT))?;
            let agents: f64 = rhs.trim().parse().map_err(|_| {
                err(
                    format!("agents {:?} is not a number", rhs.trim()),
                    "put a number of agents after `=`, e.g. `= 12` or `= 7.5`",
                )
            })?;
            if !(agents.is_finite() && agents >= 0.0) {
                return Err(err(
                    format!("agents {agents} is not a count"),
                    "use 0 or more agents",
                ));
            }
            let split = lhs
                .find(|c: char| c.is_ascii_digit())
                .ok_or_else(|| err("no time range".into(), PATTERN_HINT))?;
            let days = parse_days(&lhs[..split]).map_err(|p| {
                err(
                    p,
                    "use day names Mon Tue Wed Thu Fri Sat Sun, ranges such as Mon-Fri, \
                     lists such as Sat,Sun, or `daily`",
                )
            })?;
            let ranges = parse_ranges(&lhs[split..]).map_err(|(p, h)| err(p, h))?;
            for day in days {
                for &(start, end) in &ranges {
                    let base = day * 24 * 60;
                    minutes[base + start..base + end].fill(agents);
                }
            }
            rules += 1;
        }
        if rules == 0 {
            return Err(StaffingError::Pattern {
                line: 0,
                text: String::new(),
                problem: "the pattern has no rules".into(),
                hint: PATTERN_HINT.into(),
            });
        }
        Ok(WeeklyPattern { minutes })
    }

    /// Time-weighted mean agents over the bucket `[ts, ts + g)` on the local clock.
    pub fn agents(&self, ts: DateTime<Utc>, g: Granularity, tz: Tz) -> f64 {
        let local = ts.with_timezone(&tz);
        let m0 = local.weekday().num_days_from_monday() as usize * 24 * 60
            + (local.hour() * 60 + local.minute()) as usize;
        let len = g.minutes() as usize;
        (0..len)
            .map(|k| self.minutes[(m0 + k) % MINUTES_PER_WEEK])
            .sum::<f64>()
            / len as f64
    }
}

/// Day indices (Monday = 0) for `Mon-Fri`, `Sat,Sun`, `Fri-Mon` (wraps), `daily`.
fn parse_days(spec: &str) -> Result<Vec<usize>, String> {
    let spec: String = spec.chars().filter(|c| !c.is_whitespace()).collect();
    if spec.is_empty() {
        return Err("no days before the time range".into());
    }
    if ["daily", "all", "mon-sun"].contains(&spec.to_ascii_lowercase().as_str()) {
        return Ok((0..7).collect());
    }
    let day = |s: &str| {
        s.parse::<chrono::Weekday>()
            .map(|d| d.num_days_from_monday() as usize)
            .map_err(|_| format!("unknown day {s:?}"))
    };
    let mut out = Vec::new();
    for part in spec.split(',').filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (day(a)?, day(b)?);
                let mut d = a;
                loop {
                    out.push(d);
                    if d == b {
                        break;
                    }
                    d = (d + 1) % 7;
                }
            }
            None => out.push(day(part)?),
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// Minute ranges `[start, end)` of the day for `08:00-12:00, 13:00-24:00`.
fn parse_ranges(spec: &str) -> Result<Vec<(usize, usize)>, (String, &'static str)> {
    const RANGE_HINT: &str = "write local times as HH:MM-HH:MM with the start before the end \
         (24:00 ends at midnight); split an overnight shift at midnight, e.g. \
         `Mon-Fri 22:00-24:00 = 3` and `Tue-Sat 00:00-06:00 = 3`";
    let minute = |s: &str| -> Option<usize> {
        let (h, m) = s.trim().split_once(':')?;
        let (h, m): (usize, usize) = (h.parse().ok()?, m.parse().ok()?);
        (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
    };
    spec.split(',')
        .map(|r| {
            let r = r.trim();
            let bad = |what: &str| (format!("{what} {r:?}"), RANGE_HINT);
            let (a, b) = r.split_once('-').ok_or_else(|| bad("time range"))?;
            let (start, end) = match (minute(a), minute(b)) {
                (Some(s), Some(e)) => (s, e),
                _ => return Err(bad("unreadable time range")),
            };
            if end <= start {
                return Err(bad("time range ends before it starts:"));
            }
            Ok((start, end))
        })
        .collect()
}

/// A `ds,agents` series: each row's agents hold from its `ds` until the next row; the last row
/// holds for one step (the smallest gap between rows).
#[derive(Debug, Clone, PartialEq)]
pub struct AgentSeries {
    rows: Vec<(DateTime<Utc>, f64)>,
    step: TimeDelta,
}

impl AgentSeries {
    /// From rows sorted by time, each a bucket start and agents (finite, ≥ 0).
    pub fn new(mut rows: Vec<(DateTime<Utc>, f64)>, step: TimeDelta) -> AgentSeries {
        rows.sort_by_key(|r| r.0);
        AgentSeries { rows, step }
    }

    /// Time-weighted mean over `[ts, ts + g)`; `None` unless the series covers all of it.
    pub fn agents(&self, ts: DateTime<Utc>, g: Granularity) -> Option<f64> {
        let end = ts + g.duration();
        let last = self.rows.last()?;
        if ts < self.rows[0].0 || end > last.0 + self.step {
            return None;
        }
        let i = self.rows.partition_point(|r| r.0 <= ts) - 1;
        let mut acc = 0.0;
        for (j, &(start, agents)) in self.rows.iter().enumerate().skip(i) {
            let until = self.rows.get(j + 1).map_or(last.0 + self.step, |r| r.0);
            let overlap = until.min(end) - start.max(ts);
            if overlap > TimeDelta::zero() {
                acc += agents * overlap.num_seconds() as f64;
            }
            if until >= end {
                break;
            }
        }
        Some(acc / g.duration().num_seconds() as f64)
    }
}

/// Parses a `ds,agents` CSV: `ds` an ISO-8601 date-time with offset, or local time in `tz`
/// (`2024-05-06 08:00`); `agents` a number of agents, 0 or more.
pub fn parse_agents_csv(text: &str, tz: Tz) -> Result<AgentSeries, StaffingError> {
    let err = |line: u64, problem: String, hint: &str| StaffingError::AgentsCsv {
        line,
        problem,
        hint: hint.to_string(),
    };
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().map_err(|e| {
        err(
            1,
            format!("unreadable header: {e}"),
            "start with `ds,agents`",
        )
    })?;
    let names: Vec<String> = headers.iter().map(str::to_ascii_lowercase).collect();
    if names != ["ds", "agents"] {
        return Err(err(
            1,
            format!(
                "header is {:?}",
                headers.iter().collect::<Vec<_>>().join(",")
            ),
            "the first line must be exactly `ds,agents`",
        ));
    }
    let mut rows: Vec<(DateTime<Utc>, f64)> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            err(
                line,
                format!("unreadable row: {e}"),
                "write `ds,agents` rows",
            )
        })?;
        let line = record.position().map_or(0, |p| p.line());
        if record.len() != 2 {
            return Err(err(
                line,
                format!("{} fields", record.len()),
                "each row is `ds,agents`, e.g. `2024-05-06 08:00,12`",
            ));
        }
        let ts = parse_local_or_offset(&record[0], tz).map_err(|p| {
            err(
                line,
                p,
                "use ISO-8601 with an offset (2024-05-06T08:00:00+02:00) or local time \
                 (2024-05-06 08:00)",
            )
        })?;
        let agents: f64 = record[1]
            .parse()
            .ok()
            .filter(|a: &f64| a.is_finite() && *a >= 0.0)
            .ok_or_else(|| {
                err(
                    line,
                    format!("agents {:?} is not a count", &record[1]),
                    "use a number of agents, 0 or more, with a dot for decimals",
                )
            })?;
        if let Some(prev) = rows.last()
            && prev.0 >= ts
        {
            return Err(err(
                line,
                format!("{} is not after the row before it", &record[0]),
                "sort the rows by time, each time once",
            ));
        }
        rows.push((ts, agents));
    }
    let step = rows
        .windows(2)
        .map(|w| w[1].0 - w[0].0)
        .min()
        .ok_or_else(|| {
            err(
                rows.len() as u64 + 1,
                format!("{} data row(s)", rows.len()),
                "give at least two rows so the step between them is known",
            )
        })?;
    Ok(AgentSeries::new(rows, step))
}

fn parse_local_or_offset(ds: &str, tz: Tz) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(ds) {
        return Ok(t.with_timezone(&Utc));
    }
    let naive = [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(ds, f).ok())
    .ok_or_else(|| format!("ds {ds:?} is not a date-time"))?;
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
        LocalResult::None => Err(format!("{ds} does not exist in {tz} (DST skips it)")),
        LocalResult::Ambiguous(..) => Err(format!("{ds} happens twice in {tz} (DST ends)")),
    }
}

/// One bucket of on-queue time for the queue's agents, summed over agents.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OnQueueBucket {
    pub ts: DateTime<Utc>,
    pub on_queue_s: f64,
}

/// Agents on queue projected from history: per bucket of the week, the median of the last
/// weeks' averages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OnQueueProjection {
    pub granularity: Granularity,
    pub tz: Tz,
    /// `7 × per_day` slots; `None` where the window never saw that bucket of the week.
    pub slots: Vec<Option<f64>>,
}

impl OnQueueProjection {
    /// Builds the projection from on-queue time in `[start, end)`. Buckets Genesys left out had
    /// nobody on queue and count as zero agents.
    pub fn from_history(
        buckets: &[OnQueueBucket],
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        g: Granularity,
        tz: Tz,
        weeks: u32,
    ) -> OnQueueProjection {
        let from = start.max(end - TimeDelta::weeks(i64::from(weeks.max(1))));
        let bucket_s = g.duration().num_seconds() as f64;
        let seen: std::collections::HashMap<DateTime<Utc>, f64> = buckets
            .iter()
            .map(|b| (b.ts, b.on_queue_s))
            .fold(Default::default(), |mut m, (t, s)| {
                *m.entry(t).or_insert(0.0) += s;
                m
            });
        let mut per_slot: Vec<Vec<f64>> = vec![Vec::new(); 7 * g.per_day()];
        for t in grid(from, end, g, tz) {
            let agents = seen.get(&t).copied().unwrap_or(0.0) / bucket_s;
            per_slot[bucket_of_week(t, tz, g)].push(agents);
        }
        OnQueueProjection {
            granularity: g,
            tz,
            slots: per_slot.into_iter().map(median).collect(),
        }
    }

    /// Projected agents on queue for the bucket starting at `ts`.
    pub fn agents(&self, ts: DateTime<Utc>) -> Option<f64> {
        self.slots[bucket_of_week(ts, self.tz, self.granularity)]
    }
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[mid]
    } else {
        0.5 * (v[mid - 1] + v[mid])
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// Monday 2024-05-06 00:00 UTC.
    fn monday() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 5, 6, 0, 0, 0).unwrap()
    }

    fn at(day: i64, hh: i64, mm: i64) -> DateTime<Utc> {
        monday() + TimeDelta::days(day) + TimeDelta::hours(hh) + TimeDelta::minutes(mm)
    }

    #[test]
    fn pattern_with_several_lines_ranges_and_overrides() {
        let p = WeeklyPattern::parse(
            "# weekday day shift, lunch dip, Saturday morning\n\
             Mon-Fri 08:00-12:00, 13:00-18:00 = 12\n\
             Mon-Fri 12:00-13:00 = 7   # lunch\n\
             \n\
             Sat 09:00-13:00 = 4\n\
             wed 17:00-24:00 = 2.5\n",
        )
        .unwrap();
        let g = Granularity::Pt1h;
        let utc = Tz::UTC;
        assert_eq!(p.agents(at(0, 7, 0), g, utc), 0.0);
        assert_eq!(p.agents(at(0, 8, 0), g, utc), 12.0);
        assert_eq!(p.agents(at(4, 12, 0), g, utc), 7.0);
        assert_eq!(p.agents(at(2, 17, 0), g, utc), 2.5);
        assert_eq!(p.agents(at(2, 23, 0), g, utc), 2.5);
        assert_eq!(p.agents(at(5, 10, 0), g, utc), 4.0);
        assert_eq!(p.agents(at(6, 10, 0), g, utc), 0.0);
        // A 15-minute bucket inside the hour, and an hour half covered.
        assert_eq!(p.agents(at(1, 12, 45), Granularity::Pt15m, utc), 7.0);
        let half = WeeklyPattern::parse("daily 08:30-17:00 = 10").unwrap();
        assert_eq!(half.agents(at(3, 8, 0), g, utc), 5.0);
        assert_eq!(half.agents(at(6, 9, 0), g, utc), 10.0);
    }

    #[test]
    fn pattern_days_wrap_and_lists() {
        let p = WeeklyPattern::parse("Fri-Mon 10:00-11:00 = 3\nTue, Thu 10:00-11:00 = 1").unwrap();
        let got: Vec<f64> = (0..7)
            .map(|d| p.agents(at(d, 10, 0), Granularity::Pt1h, Tz::UTC))
            .collect();
        assert_eq!(got, [3.0, 1.0, 0.0, 1.0, 3.0, 3.0, 3.0]);
    }

    #[test]
    fn pattern_is_local_time() {
        let tz: Tz = "America/New_York".parse().unwrap();
        let p = WeeklyPattern::parse("Mon 09:00-10:00 = 6").unwrap();
        // 09:00 EDT is 13:00 UTC.
        assert_eq!(p.agents(at(0, 13, 0), Granularity::Pt1h, tz), 6.0);
        assert_eq!(p.agents(at(0, 9, 0), Granularity::Pt1h, tz), 0.0);
    }

    #[test]
    fn pattern_errors_say_what_where_and_how() {
        let cases = [
            (
                "Mon-Fri 08:00-18:00 = 12\nMon-Fry 08:00-18:00 = 12",
                2,
                "unknown day \"Fry\"",
            ),
            ("Mon-Fri 08:00-18:00", 1, "no `= <agents>`"),
            ("Mon-Fri 08:00-18:00 = twelve", 1, "not a number"),
            ("Mon-Fri 22:00-06:00 = 3", 1, "ends before it starts"),
            ("Mon-Fri 8-18 = 3", 1, "unreadable time range"),
            ("Mon-Fri 08:00-25:00 = 3", 1, "unreadable time range"),
            ("= 3", 1, "no time range"),
            ("08:00-18:00 = 3", 1, "no days"),
            ("Mon 08:00-18:00 = -1", 1, "not a count"),
            ("# nothing\n", 0, "no rules"),
        ];
        for (text, line, problem) in cases {
            let err = WeeklyPattern::parse(text).unwrap_err();
            let StaffingError::Pattern { line: l, .. } = &err else {
                panic!("{err:?}");
            };
            let msg = err.to_string();
            assert_eq!(*l, line, "{msg}");
            assert!(msg.contains(problem), "{text:?}: {msg}");
            assert!(
                msg.contains("e.g.") || msg.contains("use"),
                "no fix in: {msg}"
            );
        }
        let overnight = WeeklyPattern::parse("Mon-Fri 22:00-06:00 = 3").unwrap_err();
        assert!(overnight.to_string().contains("split an overnight shift"));
    }

    #[test]
    fn agents_csv_holds_values_until_the_next_row() {
        let tz: Tz = "Europe/Paris".parse().unwrap();
        let s = parse_agents_csv(
            "ds,agents\n2024-05-06 08:00,10\n2024-05-06 09:00,14\n2024-05-06T10:00:00+02:00,6\n",
            tz,
        )
        .unwrap();
        let local = |h: u32, m: u32| {
            tz.with_ymd_and_hms(2024, 5, 6, h, m, 0)
                .unwrap()
                .with_timezone(&Utc)
        };
        assert_eq!(s.agents(local(8, 0), Granularity::Pt1h), Some(10.0));
        assert_eq!(s.agents(local(9, 30), Granularity::Pt15m), Some(14.0));
        // Hourly series, 30-minute bucket straddling two rows: 15 min at 10 and 15 at 14.
        assert_eq!(s.agents(local(8, 45), Granularity::Pt30m), Some(12.0));
        // The last row holds one step (1 h); beyond it and before the first row: unknown.
        assert_eq!(s.agents(local(10, 0), Granularity::Pt1h), Some(6.0));
        assert_eq!(s.agents(local(11, 0), Granularity::Pt1h), None);
        assert_eq!(s.agents(local(7, 0), Granularity::Pt1h), None);
    }

    #[test]
    fn agents_csv_errors_name_the_line() {
        let tz = Tz::UTC;
        let cases = [
            ("ds,y\n2024-05-06 08:00,1\n", 1, "ds,agents"),
            (
                "ds,agents\n2024-05-06 08:00,1\n2024-05-06 07:00,1\n",
                3,
                "sort the rows",
            ),
            (
                "ds,agents\n2024-05-06 08:00,1\nmonday,1\n",
                3,
                "not a date-time",
            ),
            (
                "ds,agents\n2024-05-06 08:00,-2\n2024-05-06 09:00,1\n",
                2,
                "not a count",
            ),
            ("ds,agents\n2024-05-06 08:00,1\n", 2, "at least two rows"),
        ];
        for (text, line, needle) in cases {
            let err = parse_agents_csv(text, tz).unwrap_err();
            let StaffingError::AgentsCsv { line: l, .. } = &err else {
                panic!("{err:?}");
            };
            assert_eq!(*l, line, "{err}");
            assert!(err.to_string().contains(needle), "{err}");
        }
        let paris: Tz = "Europe/Paris".parse().unwrap();
        let gap = parse_agents_csv("ds,agents\n2024-03-31 02:30,1\n2024-03-31 04:00,1\n", paris)
            .unwrap_err();
        assert!(gap.to_string().contains("does not exist"), "{gap}");
    }

    #[test]
    fn history_projects_the_median_of_the_same_bucket_of_the_week() {
        // Four weeks of hourly on-queue seconds: Monday 10:00 has 5, 6, 30 (a training week)
        // and 7 agents; Genesys omits the buckets where nobody was on queue.
        let g = Granularity::Pt1h;
        let start = monday();
        let mut buckets = Vec::new();
        for (w, agents) in [5.0, 6.0, 30.0, 7.0].into_iter().enumerate() {
            buckets.push(OnQueueBucket {
                ts: start + TimeDelta::weeks(w as i64) + TimeDelta::hours(10),
                on_queue_s: agents * 3600.0,
            });
        }
        // Two half-hour records for the same bucket add up (e.g. two agents).
        buckets.push(OnQueueBucket {
            ts: start + TimeDelta::hours(11),
            on_queue_s: 1800.0,
        });
        buckets.push(OnQueueBucket {
            ts: start + TimeDelta::hours(11),
            on_queue_s: 1800.0,
        });
        let end = start + TimeDelta::weeks(4);
        let p = OnQueueProjection::from_history(&buckets, start, end, g, Tz::UTC, 4);
        let next_monday = end;
        assert_eq!(p.agents(next_monday + TimeDelta::hours(10)), Some(6.5));
        // 11:00: one week at 1 agent, three omitted weeks at 0: median 0.
        assert_eq!(p.agents(next_monday + TimeDelta::hours(11)), Some(0.0));
        // Only the last two weeks: 30 and 7.
        let p2 = OnQueueProjection::from_history(&buckets, start, end, g, Tz::UTC, 2);
        assert_eq!(p2.agents(next_monday + TimeDelta::hours(10)), Some(18.5));
        // Less than a week of history leaves the unseen buckets unknown.
        let short = OnQueueProjection::from_history(
            &buckets,
            start,
            start + TimeDelta::days(1),
            g,
            Tz::UTC,
            4,
        );
        assert_eq!(short.agents(next_monday + TimeDelta::hours(10)), Some(5.0));
        assert_eq!(short.agents(next_monday + TimeDelta::days(2)), None);
    }

    #[test]
    fn sources_apply_the_on_queue_factor_to_typed_rosters_only() {
        let g = Granularity::Pt1h;
        let ts = [at(0, 10, 0)];
        assert_eq!(
            StaffedSource::Constant(10.0).staffed(&ts, g, Tz::UTC, 0.7),
            [Some(7.0)]
        );
        let p = WeeklyPattern::parse("Mon 10:00-11:00 = 20").unwrap();
        assert_eq!(
            StaffedSource::Pattern(p).staffed(&ts, g, Tz::UTC, 0.5),
            [Some(10.0)]
        );
        let h = OnQueueProjection {
            granularity: g,
            tz: Tz::UTC,
            slots: vec![Some(4.0); 168],
        };
        assert_eq!(
            StaffedSource::History(h).staffed(&ts, g, Tz::UTC, 0.5),
            [Some(4.0)]
        );
    }
}
