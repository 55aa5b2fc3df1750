//! A simulated mid-size US contact centre: the sandbox org's queues, their contacts per
//! quarter hour, and the agents who answer them. Pure library code: no I/O, no clock, no
//! server; [`ContactCentre`] answers for any calendar range, deterministically from a seed.
//!
//! Hand-written rather than taken from a crate: no crate simulates contact-centre traffic
//! with rosters; the random variates come from `rand_distr`.
//!
//! # The queues
//!
//! 24 templates, in this order (index = position in [`ContactCentre::queues`]). Local times
//! are in the org zone (America/New_York for the sandbox). Volume is mean contacts on a
//! Wednesday at level 1; AHT is the mean inbound handle time before the hour multiplier.
//!
//! | # | queue | media | division | open (local) | volume | AHT s | outbound campaign |
//! |---|---|---|---|---|---|---|---|
//! | 0 | Support Voice | voice | Customer Care | 24/7 | 2600 | 390 | |
//! | 1 | Billing Voice | voice | Finance | Mon–Fri 08–18 | 800 | 300 | |
//! | 2 | Sales Voice | voice | Sales | Mon–Sat 08–20 | 1200 | 360 | Mon–Fri 16:00–19:30 |
//! | 3 | Sales Chat | chat | Sales | Mon–Sat 08–20 | 500 | 560 | |
//! | 4 | Retention Voice | voice | Sales | Mon–Sat 09–19 | 400 | 380 | Mon–Sat 10–12, 17–19 |
//! | 5 | Renewals Voice | voice | Sales | Mon–Fri 09–18 | 150 | 360 | Mon–Fri 09–12, 13–17 |
//! | 6 | Onboarding Voice | voice | Sales | Mon–Fri 09–17 | 300 | 380 | |
//! | 7 | Onboarding Chat | chat | Sales | Mon–Fri 09–17 | 150 | 620 | |
//! | 8 | Support Chat | chat | Customer Care | daily 07–23 | 1100 | 600 | |
//! | 9 | Support Email | email | Customer Care | Mon–Fri 08–18, Sat 09–13 | 600 | 480 | |
//! | 10 | Support Message | message | Customer Care | Mon–Sat 08–22, Sun 09–21 | 450 | 720 | |
//! | 11 | Technical Voice | voice | Customer Care | 24/7 | 900 | 400 | |
//! | 12 | Technical Chat | chat | Customer Care | daily 07–23 | 400 | 660 | |
//! | 13 | Spanish Support Voice | voice | Customer Care | Mon–Sat 08–20 | 350 | 390 | |
//! | 14 | Complaints Email | email | Customer Care | Mon–Fri 09–17 | 80 | 540 | |
//! | 15 | Appointments Voice | voice | Customer Care | Mon–Fri 08–18, Sat 09–14 | 500 | 310 | Mon–Fri 10–12 |
//! | 16 | Billing Email | email | Finance | Mon–Fri 08–18 | 250 | 450 | |
//! | 17 | Collections Voice | voice | Finance | Mon–Sat 08–21 | 450 | 330 | Mon–Sat 08–11, 17–21 |
//! | 18 | Collections Message | message | Finance | Mon–Sat 08–20 | 200 | 600 | |
//! | 19 | Business Accounts Voice | voice | Finance | Mon–Fri 08–18 | 350 | 360 | |
//! | 20 | Business Accounts Email | email | Finance | Mon–Fri 09–17 | 120 | 500 | |
//! | 21 | Claims Voice | voice | Claims & Risk | Mon–Fri 08–20, Sat 09–13 | 700 | 370 | |
//! | 22 | Claims Email | email | Claims & Risk | Mon–Fri 09–17 | 300 | 520 | |
//! | 23 | Fraud Voice | voice | Claims & Risk | 24/7 | 260 | 380 | |
//!
//! Queue 24 onwards are variants: template `i mod 24` named "<template> East", "… West", …
//! (20 region names, then a number), with the template's media, hours, division and campaign,
//! and volume ×e^U(−1, 0.7) (0.37–2.0), intraday bumps moved by U(−45, +45) min, AHT
//! ×U(0.9, 1.1) and growth U(−5 %, +12 %) a year, drawn from the seed and the queue id.
//! Billing's variants use the ordinary voice profile and a generated roster. Queue `i` is the
//! same whatever the queue count (counts only add queues at the end).
//!
//! Ids are UUID v5 of the name ([`crate::sandbox::queue_id`]), divisions UUID v5 of
//! "division/<name>", agents UUID v5 of "<queue id>/agents/<index>".
//!
//! # Arrivals
//!
//! A doubly stochastic Poisson process (Brown et al. 2005, "Statistical analysis of a telephone
//! call center: a queueing-science perspective", JASA 100(469): arrivals are an inhomogeneous
//! Poisson process whose rate itself varies randomly from day to day; Avramidis, Deslauriers &
//! L'Ecuyer 2004 and Ibrahim et al. 2016, "Modeling and forecasting call center arrivals: a
//! literature survey", use a gamma day factor for that). Contacts in a local quarter hour `s`
//! of date `d` are Poisson with mean
//!
//! `volume × weekly[weekday] × level(d) × holiday(d) × incident(d) × G_org(d) × G_queue(d) × w[weekday][s]`
//!
//! | parameter | value | shape from |
//! |---|---|---|
//! | `G_org`, `G_queue` | gamma, mean 1, CV 7 % ([`calendar::ORG_DAY_CV`]) and 10 % ([`traffic::QUEUE_DAY_CV`]) | day-level overdispersion (Brown et al. 2005; Avramidis et al. 2004) |
//! | `weekly` voice | Mon 1.18, Tue 1.05, Wed 1.0, Thu 0.98, Fri 0.92, Sat 0.45, Sun 0.30 | Monday peak, quiet weekends (Ibrahim et al. 2016) |
//! | `weekly` chat/message | 1.10, 1.04, 1.0, 1.0, 0.95, 0.65, 0.55 | digital channels flatter over the week |
//! | `weekly` e-mail | 1.25, 1.05, 1.0, 0.98, 0.90, 0.35, 0.30 | Monday catch-up |
//! | `weekly` 24/7 voice (not Support) | 1.05, 1.0, 1.0, 1.0, 1.0, 0.8, 0.75 | fraud/technical calls come any day |
//! | `w` weekday voice | floor 0.02 + plateau 07:30–21:00 (0.25) + bumps at 10:30 (1.0, σ 1.3 h) and 14:30 (0.8, σ 1.5 h) | the weekday double peak with a lunchtime dip (Brown et al. 2005) |
//! | `w` weekend voice | one broad hump at 12:00 (Sat) / 13:00 (Sun) | weekends lower and flatter |
//! | `w` chat | bumps 11:00, 15:00 and 20:00 | evening use after work |
//! | `w` e-mail | floor 0.12, bumps 10:00 and 14:30 | written round the clock |
//! | `w` message | bumps 12:30 and 19:30 | evening peak |
//! | `w` Billing Voice | hourly 08–18: 7, 11, 13, 13, 10, 10, 10, 10, 9, 7 % | designed (flat 14–16, see below) |
//! | `level` | e^(growth · years since 2025-01-06) × (1 + A cos(2π(doy − peak)/365.25)) | slow trend (growth 0–15 %/yr) and a yearly season (A 0–15 %) |
//!
//! `w` is normalised per weekday over the slots where contacts can arrive: open slots for
//! voice, chat and messaging (nothing is offered while closed: the IVR or the web widget turns
//! customers away), every slot for e-mail (e-mail arrives anyway and waits).
//!
//! **Holidays**: the US federal holidays (5 U.S.C. § 6103), computed by rule with the
//! observed-date shift (Saturday → Friday, Sunday → Monday), Juneteenth from 2021
//! ([`calendar::federal_holidays`]). Major ones (New Year's Day, Memorial Day, Independence
//! Day, Labor Day, Thanksgiving, Christmas): business-hours queues close (no contacts, no
//! agents; e-mail arrives at 50 % and waits), 24/7 queues run at 40 %. Minor ones (MLK,
//! Washington's Birthday, Juneteenth, Columbus, Veterans Day): everything open at 75 %.
//!
//! **Incidents** ([`calendar::incidents_between`]), anchored to calendar blocks from Monday
//! 2025-01-06 so every 90-day window has at least two of each: a voice outage once per 42 days
//! (a Tue–Thu, not next to a holiday; voice ×0.02 that day, chat/message ×1.3, voice ×1.2 the
//! next day) and a marketing spike once per 35 days (Mon–Wed, Sales division ×1.9, ×1.45, ×1.15).
//!
//! # Service
//!
//! | media | handle time | log-σ | concurrency | abandon at normal load | mean patience |
//! |---|---|---|---|---|---|
//! | voice | 300–420 s by queue | 0.8 | 1 | 3.5 % | 75 s |
//! | chat | 560–660 s | 0.7 | 2 | 5 % | 120 s |
//! | e-mail | 450–540 s | 0.9 | 1 | 0 | – |
//! | message | 600–720 s | 0.9 | 3 | 2 % | 300 s |
//! | outbound voice | 150–330 s by campaign | 0.7 | 1 | 0 | – |
//!
//! Handle times are lognormal (Brown et al. 2005: log service times are close to normal). The
//! hour multiplier is 1 + 0.08·exp(−(h − 12)²/12.5), −6 % before 07:00 and from 21:00 (a mild
//! midday hump; Brown et al. report that mean service time varies with the time of day; the
//! exact curve is ours). Billing Voice is flat (300 s at every hour). Sums of more than 12
//! handle times use the normal approximation (`traffic::handles`).
//!
//! **When timers post.** Genesys posts `tHandle` in the bucket where handling ends (see
//! `../shared/genesys-api/README.md`). Simplification: voice, chat and messaging contacts
//! post in their arrival quarter hour (the shift is under one AHT); e-mails that arrive
//! while the queue is closed post when they are answered, spread evenly over the first eight
//! open quarter hours of the next open day.
//!
//! **Abandonment**: Binomial(offered, p) with p = base × e^(3(ρ − 0.8)) above 80 % occupancy
//! ρ = offered × AHT ÷ (on-queue agents × 900 s × concurrency), at most 60 %, and 60 % when no
//! agent is on queue. Time to abandon is gamma (sum of exponentials of the patience mean).
//!
//! **Outbound**: campaign queues dial inside their windows (all within 08:00–21:00, the TCPA
//! calling hours of 47 CFR § 64.1200(c)(1)), on their days, never on a holiday, never while
//! the queue is closed or nobody is on it: attempts Poisson(attempts per hour ÷ 4) per
//! quarter hour, connected Binomial(attempts, connect rate); connected calls are the queue's
//! outbound conversations (`offered` and `handled`, never abandoned).
//!
//! # Agents
//!
//! Each agent belongs to one queue and works a weekly pattern (same shifts every week; none on
//! a holiday the queue closes for). Generated rosters ([`roster`]): agents needed per quarter
//! hour by square-root staffing ⌈a + √a⌉ (a = offered load in Erlangs including outbound;
//! Borst, Mandelbaum & Reiman 2004), at least one while open and two on 24/7 queues; on
//! weekdays (Mon–Fri) every open quarter hour from 18:00 to 21:00 needs at least the most of
//! 16:00–18:00 (`roster::hold_late_shift`: a real centre's late shift is hired for the late
//! afternoon and stays through the quiet evening, so evenings are overstaffed; our simple
//! stand-in for shift-length and labour-rule slack, which is where a centre finds idle agents
//! for outbound); walking
//! the open quarter hours in order, shifts start until each is spanned by as many as it needs,
//! each as long as it is still needed (8 h 30, 6 h or 4 h, the longest whose quarter hours are
//! at least 75 % short of cover; never past closing); a shift of 6 h or more has a 15-min break
//! 2 h in and lunch 4 h in (30 min, 60 min for every third agent), plus a 15-min break 6 h 30 in
//! when it lasts that long, a shorter one a single break; breaks are then moved by up to 45 min
//! to where most agents above the requirement remain; each agent works at most five days a week.
//!
//! **The designed queue (issue 14's acceptance), Billing Voice**, Mon–Fri 08:00–18:00, closed
//! Saturdays and Sundays, 28 agents ([`roster::BILLING`]):
//! - Weekday 14:00–16:00 (non-holiday): mean 80 calls/h ([`DESIGN_CALLS_PER_HOUR`]), AHT
//!   300 s ([`DESIGN_AHT_S`]) → 6.67 Erlangs; Erlang C at 80 % in 20 s needs 10 agents
//!   ([`DESIGN_REQUIRED_AGENTS`]; 9 answer 73.2 %, 10 answer 86.0 %).
//! - On queue 14:00–16:00: exactly 15 in every quarter hour ([`DESIGN_ON_QUEUE_14_16`]) = 10
//!   full/part-timers + 5 blended agents who leave back office for the queue only then
//!   ([`DESIGN_IDLE_AGENTS`]); no break or shift change inside that window.
//! - Elsewhere within one agent of the requirement per hour (08 → 8, 09 → 10.25, 10 → 11.25,
//!   11 → 12, 12 → 10.75, 13 → 10.5, 16 → 9.25, 17 → 8 against 8, 11, 12, 12, 10, 10, 9, 8);
//!   13:45 has 11 and 16:00 has 10. On-queue counts are net of breaks (shrinkage is already
//!   out), so spare = on-queue − required, without a further shrinkage factor.
//! - Trend and season are off and Mon–Fri volumes are equal, so the design holds every week;
//!   holidays and incidents still apply (minor holidays: 75 % volume, same roster).
//!
//! **States** per agent and quarter hour ([`status`]): outside a shift OFFLINE / OFF_QUEUE
//! (whether Genesys accrues OFF_QUEUE while a user is offline is not documented; we do, so
//! routing and presence times each sum to the bucket); on queue ON_QUEUE with INTERACTING for
//! the queue's handled work ÷ concurrency shared evenly over the on-queue agents (capped at the
//! slot) and IDLE for the rest; on shift while the queue is closed AVAILABLE; back office BUSY;
//! breaks BREAK; lunch MEAL; all three OFF_QUEUE. NOT_RESPONDING and COMMUNICATING never occur.
//!
//! # Time and determinism
//!
//! Every draw is keyed by (seed, queue id, local date, stream) (`rng.rs`; `StdRng` = ChaCha12,
//! pinned by Cargo.lock; bit for bit on one build and platform, since libm's `exp`/`ln` may
//! differ in the last bit elsewhere), so a day's data never depend on the requested range, the
//! queue count, or "now": moving `now` by a week moves the served window by a week over the same data.
//! Data stop at the [`ContactCentre::horizon`], `now` floored to the local hour; the last
//! complete hour is the last served one. Slots are 15 minutes; coarser buckets are sums of
//! them, so hourly = sum of quarter hours exactly. Local days are laid on UTC slots with DST
//! handled (92 slots on spring-forward days, 100 on fall-back days, the repeated hour twice).
//!
//! Cost: the org calendar (holidays, incidents, org day factors, DST slot layouts) is computed
//! once per centre for 800 days before and 400 after the horizon; a queue-day is then one
//! Poisson draw per open quarter hour, a binomial and a handle-time draw per busy one. 500
//! queues × 90 days hourly take ~0.6 s of CPU (`benches/contact_centre.rs`).
//!
//! # How it is meant to be served (for the engineer wiring it into the sandbox)
//!
//! - `GET /api/v2/routing/queues[/{id}]`: [`QueueSpec`] `id`, `name`, `division {id, name}`,
//!   `memberCount` = `agents(q).len()`. Keep the bundled public series as extra queues in a
//!   "Public data" division, clearly named.
//! - `POST /api/v2/analytics/conversations/aggregates/query`: per queue, buckets from
//!   [`ContactCentre::queue_buckets`] (fixed steps) or [`ContactCentre::queue_buckets_at`]
//!   (local-day `P1D` bounds across DST). Metrics: `nOffered` = `offered`, `tHandle` =
//!   {count `handled`, sum/min/max ms}, `tAbandon` = {count `abandoned`, sum ms},
//!   `nOutboundAttempted` = `outbound_attempted`, `nOutboundConnected` = `outbound.offered`.
//!   Dimensions: `queueId`, `mediaType` (`QueueSpec::media.as_str()`), `direction` and
//!   `originatingDirection` (`inbound` flow vs `outbound` flow; for these contacts both
//!   dimensions agree). Omit empty buckets and groups, as Genesys does.
//! - `POST /api/v2/analytics/users/aggregates/query`: [`ContactCentre::members_status`] per
//!   queue (one traffic simulation for all its agents) or [`ContactCentre::agent_status`];
//!   `tAgentRoutingStatus` grouped by `routingStatus` ([`RoutingStatus::as_str`]),
//!   `tSystemPresence` by `systemPresence`, `tOrganizationPresence` by
//!   `organizationPresenceId` ([`SystemPresence::organization_presence_id`]); filter by
//!   `userId` = [`Agent::id`]. Values are `stats.sum` in ms; omit zeros.
//! - `GET /api/v2/routing/queues/{id}/members`: one `QueueMember` per [`Agent`] (`id`, `name`,
//!   `user {id, name, email}`, `joined: true`, `memberBy: "user"`, `routingStatus` from the
//!   agent's state at the horizon, QueueMember.md / RoutingStatus.md in the Python SDK).
//! - Staffing oracles for tests: [`ContactCentre::scheduled_on_queue`] gives average agents on
//!   queue per bucket straight from the roster (not clipped at the horizon).

pub mod calendar;
pub mod profiles;
pub mod queues;
mod rng;
pub mod roster;
pub mod status;
pub mod traffic;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

pub use calendar::{Holiday, HolidayKind, Incident, IncidentKind};
pub use queues::{
    CampaignPattern, DEFAULT_QUEUE, DESIGN_QUEUE, Division, Media, OpeningHours, QueueSpec,
};
pub use roster::{
    Activity, Agent, DESIGN_AHT_S, DESIGN_CALLS_PER_HOUR, DESIGN_IDLE_AGENTS,
    DESIGN_ON_QUEUE_14_16, DESIGN_REQUIRED_AGENTS, DayShift,
};
pub use status::{AgentBucket, RoutingStatus, SystemPresence};
pub use traffic::{BucketStats, Flow};

use calendar::{OrgCalendar, SLOT_SECS, SLOTS_PER_DAY};
use traffic::{DayPlan, QueueCtx};

/// The seed `queuecast sandbox` and `queuecast demo` use unless told otherwise.
pub const DEFAULT_SEED: u64 = 0x00c0_ffee_2025;

/// A request the centre cannot answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CentreError {
    #[error("the contact centre needs at least one queue (got a queue count of 0)")]
    NoQueues,
    #[error("no queue with index {index}: the centre has {count} queues (0..{count})")]
    NoQueue { index: usize, count: usize },
    #[error("no agent with index {index} in queue {queue}: it has {count} agents")]
    NoAgent {
        queue: usize,
        index: usize,
        count: usize,
    },
    #[error("bucket length of {secs} s is not a positive multiple of 15 minutes (900 s)")]
    Step { secs: i64 },
    #[error("{at} is not on a quarter-hour boundary; the centre's data are in 15-minute slots")]
    Unaligned { at: DateTime<Utc> },
    #[error("bucket bounds must increase, but {next} does not come after {prev}")]
    Bounds {
        prev: DateTime<Utc>,
        next: DateTime<Utc>,
    },
}

/// The simulated centre: queues, rosters and a horizon; traffic is generated on request.
#[derive(Debug, Clone)]
pub struct ContactCentre {
    seed: u64,
    tz: Tz,
    horizon: DateTime<Utc>,
    queues: Vec<QueueSpec>,
    keys: Vec<u64>,
    weights: Vec<[[f64; SLOTS_PER_DAY]; 7]>,
    on_queue: Vec<[[u16; SLOTS_PER_DAY]; 7]>,
    agents: Vec<Vec<Agent>>,
    /// (queue index, agent index) by user id: user queries name agents by id.
    by_id: HashMap<String, (usize, usize)>,
    calendar: Arc<OrgCalendar>,
}

/// Days before and after the horizon whose org calendar is precomputed.
const CALENDAR_BEFORE_DAYS: i64 = 800;
const CALENDAR_AFTER_DAYS: i64 = 400;

/// `now` floored to the start of its local hour.
fn floor_to_local_hour(tz: Tz, now: DateTime<Utc>) -> DateTime<Utc> {
    let local = now.with_timezone(&tz);
    now - Duration::minutes(i64::from(local.minute()))
        - Duration::seconds(i64::from(local.second()))
        - Duration::nanoseconds(i64::from(local.nanosecond()))
}

fn check_aligned(t: DateTime<Utc>) -> Result<i64, CentreError> {
    if t.timestamp().rem_euclid(SLOT_SECS) != 0 || t.timestamp_subsec_nanos() != 0 {
        return Err(CentreError::Unaligned { at: t });
    }
    Ok(t.timestamp())
}

fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).expect("timestamp in range")
}

/// Bucket starts `start, start + step, …` before `end` (the last bucket may be shorter), then
/// `end` itself as the closing bound.
fn step_bounds(start: i64, end: i64, step: i64) -> Vec<i64> {
    let mut b: Vec<i64> = (0..)
        .map(|k| start + k * step)
        .take_while(|&t| t < end)
        .collect();
    if !b.is_empty() {
        b.push(end);
    }
    b
}

impl ContactCentre {
    /// A centre of `queue_count` queues (≥ 1; the first 24 are the templates) in zone `tz`,
    /// with data up to `now` floored to the local hour.
    pub fn new(
        seed: u64,
        queue_count: usize,
        tz: Tz,
        now: DateTime<Utc>,
    ) -> Result<Self, CentreError> {
        if queue_count == 0 {
            return Err(CentreError::NoQueues);
        }
        let queues = queues::build(seed, queue_count);
        let keys = queues.iter().map(|q| rng::key(&q.id)).collect();
        let weights: Vec<_> = queues.iter().map(queues::slot_weights).collect();
        let mut agents = Vec::with_capacity(queues.len());
        let mut on_queue = Vec::with_capacity(queues.len());
        let mut numbered = 0;
        for (i, (q, w)) in queues.iter().zip(&weights).enumerate() {
            let weeks = roster::weeks(q, w);
            on_queue.push(roster::on_queue_table(q, &weeks));
            let list = weeks
                .into_iter()
                .enumerate()
                .map(|(k, week)| {
                    let name = roster::agent_name(numbered + k);
                    Agent {
                        id: Uuid::new_v5(
                            &Uuid::NAMESPACE_URL,
                            format!("https://queuecast.invalid/sandbox/{}/agents/{k}", q.id)
                                .as_bytes(),
                        )
                        .to_string(),
                        email: format!(
                            "{}@sandbox.queuecast.invalid",
                            name.to_lowercase().replace(' ', ".")
                        ),
                        name,
                        queue: i,
                        week,
                    }
                })
                .collect::<Vec<_>>();
            numbered += list.len();
            agents.push(list);
        }
        let horizon = floor_to_local_hour(tz, now);
        let today = calendar::local_date(tz, horizon);
        let calendar = Arc::new(OrgCalendar::new(
            seed,
            tz,
            today - Duration::days(CALENDAR_BEFORE_DAYS),
            today + Duration::days(CALENDAR_AFTER_DAYS),
        ));
        let by_id = agents
            .iter()
            .enumerate()
            .flat_map(|(q, list)| {
                list.iter()
                    .enumerate()
                    .map(move |(i, a)| (a.id.clone(), (q, i)))
            })
            .collect();
        Ok(Self {
            seed,
            tz,
            horizon,
            queues,
            keys,
            weights,
            on_queue,
            agents,
            by_id,
            calendar,
        })
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn time_zone(&self) -> Tz {
        self.tz
    }

    /// End of the data: `now` floored to the local hour (exclusive).
    pub fn horizon(&self) -> DateTime<Utc> {
        self.horizon
    }

    pub fn queues(&self) -> &[QueueSpec] {
        &self.queues
    }

    /// Index of the queue with this id or (exact) name.
    pub fn queue_index(&self, id_or_name: &str) -> Option<usize> {
        self.queues
            .iter()
            .position(|q| q.id == id_or_name || q.name == id_or_name)
    }

    /// The queue's agents (its members), in roster order.
    pub fn agents(&self, queue: usize) -> Result<&[Agent], CentreError> {
        self.check_queue(queue)?;
        Ok(&self.agents[queue])
    }

    /// (queue index, agent index) of the agent with this user id.
    pub fn agent_index(&self, user_id: &str) -> Option<(usize, usize)> {
        self.by_id.get(user_id).copied()
    }

    /// Incidents starting between two local dates (inclusive).
    pub fn incidents(&self, from: NaiveDate, to: NaiveDate) -> Vec<Incident> {
        calendar::incidents_between(self.seed, from, to)
    }

    fn check_queue(&self, queue: usize) -> Result<(), CentreError> {
        if queue >= self.queues.len() {
            return Err(CentreError::NoQueue {
                index: queue,
                count: self.queues.len(),
            });
        }
        Ok(())
    }

    fn ctx(&self, queue: usize) -> QueueCtx<'_> {
        QueueCtx {
            seed: self.seed,
            spec: &self.queues[queue],
            key: self.keys[queue],
            weights: &self.weights[queue],
            on_queue: &self.on_queue[queue],
            calendar: &self.calendar,
        }
    }

    /// Validated bounds for `[start, end)` in `step`s, clipped at `limit`.
    fn bounds(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        step: Duration,
        limit: Option<DateTime<Utc>>,
    ) -> Result<Vec<i64>, CentreError> {
        let secs = step.num_seconds();
        if secs <= 0 || secs % SLOT_SECS != 0 || step.subsec_nanos() != 0 {
            return Err(CentreError::Step { secs });
        }
        let (a, b) = (check_aligned(start)?, check_aligned(end)?);
        let b = limit.map_or(b, |l| b.min(l.timestamp()));
        Ok(step_bounds(a, b, secs))
    }

    fn local_dates(&self, from: i64, to: i64) -> impl Iterator<Item = NaiveDate> + use<> {
        let first = calendar::local_date(self.tz, at(from));
        let last = calendar::local_date(self.tz, at(to - 1));
        first.iter_days().take_while(move |d| *d <= last)
    }

    /// Buckets `[start, start + step)`, … up to `end` or the horizon, whichever is first; every
    /// bucket is returned, empty ones as zeros. `start` and `end` on quarter hours; `step` a
    /// multiple of 15 minutes.
    pub fn queue_buckets(
        &self,
        queue: usize,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        step: Duration,
    ) -> Result<Vec<BucketStats>, CentreError> {
        self.check_queue(queue)?;
        let bounds = self.bounds(start, end, step, Some(self.horizon))?;
        Ok(self.fold_traffic(queue, &bounds))
    }

    /// Buckets between consecutive `bounds` (quarter hours, increasing), e.g. local midnights
    /// for `P1D` across DST; clipped at the horizon.
    pub fn queue_buckets_at(
        &self,
        queue: usize,
        bounds: &[DateTime<Utc>],
    ) -> Result<Vec<BucketStats>, CentreError> {
        self.check_queue(queue)?;
        let mut secs = Vec::with_capacity(bounds.len());
        for w in bounds.windows(2) {
            if w[1] <= w[0] {
                return Err(CentreError::Bounds {
                    prev: w[0],
                    next: w[1],
                });
            }
        }
        let limit = self.horizon.timestamp();
        for &b in bounds {
            let s = check_aligned(b)?;
            if s >= limit {
                secs.push(limit);
                break;
            }
            secs.push(s);
        }
        secs.dedup();
        if secs.len() < 2 {
            return Ok(Vec::new());
        }
        Ok(self.fold_traffic(queue, &secs))
    }

    fn fold_traffic(&self, queue: usize, bounds: &[i64]) -> Vec<BucketStats> {
        let mut out: Vec<BucketStats> = bounds[..bounds.len().saturating_sub(1)]
            .iter()
            .map(|&s| BucketStats::empty(at(s)))
            .collect();
        let Some((&first, &last)) = bounds.first().zip(bounds.last()) else {
            return out;
        };
        if first >= last {
            return out;
        }
        let ctx = self.ctx(queue);
        let mut k = 0;
        for date in self.local_dates(first, last) {
            let (plan, slots) = traffic::simulate_day(&ctx, date);
            for (i, slot) in slots.iter().enumerate() {
                let t = plan.day().slot_utc(i);
                if t < first || t >= last {
                    continue;
                }
                // Slots come in time order, so the bucket index only moves forward.
                while bounds[k + 1] <= t {
                    k += 1;
                }
                out[k].add_slot(slot);
            }
        }
        out
    }

    /// Average agents on queue per bucket from the roster alone (the WFM schedule): not
    /// clipped at the horizon, no randomness. Equals on-queue time ÷ bucket length of
    /// [`Self::members_status`] before the horizon.
    pub fn scheduled_on_queue(
        &self,
        queue: usize,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        step: Duration,
    ) -> Result<Vec<(DateTime<Utc>, f64)>, CentreError> {
        self.check_queue(queue)?;
        let bounds = self.bounds(start, end, step, None)?;
        let mut sums = vec![0u64; bounds.len().saturating_sub(1)];
        if let Some((&first, &last)) = bounds.first().zip(bounds.last()) {
            let ctx = self.ctx(queue);
            for date in self.local_dates(first, last) {
                let plan = DayPlan::new(&ctx, date);
                for i in 0..plan.day().local_slots.len() {
                    let t = plan.day().slot_utc(i);
                    if t >= first && t < last {
                        let k = bounds.partition_point(|&b| b <= t) - 1;
                        sums[k] += u64::from(plan.agents(&ctx, i));
                    }
                }
            }
        }
        Ok(sums
            .iter()
            .enumerate()
            .map(|(k, &n)| {
                let len = (bounds[k + 1] - bounds[k]) as f64;
                (at(bounds[k]), n as f64 * SLOT_SECS as f64 / len)
            })
            .collect())
    }

    /// Every agent of the queue, state times per bucket, up to `end` or the horizon: the data
    /// behind `tAgentRoutingStatus`, `tSystemPresence` and `tOrganizationPresence`.
    pub fn members_status(
        &self,
        queue: usize,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        step: Duration,
    ) -> Result<Vec<Vec<AgentBucket>>, CentreError> {
        self.check_queue(queue)?;
        let bounds = self.bounds(start, end, step, Some(self.horizon))?;
        let all: Vec<usize> = (0..self.agents[queue].len()).collect();
        Ok(self.fold_status(queue, &all, &bounds))
    }

    /// One agent's state times per bucket (see [`Self::members_status`]).
    pub fn agent_status(
        &self,
        queue: usize,
        agent: usize,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        step: Duration,
    ) -> Result<Vec<AgentBucket>, CentreError> {
        self.check_queue(queue)?;
        let count = self.agents[queue].len();
        if agent >= count {
            return Err(CentreError::NoAgent {
                queue,
                index: agent,
                count,
            });
        }
        let bounds = self.bounds(start, end, step, Some(self.horizon))?;
        Ok(self
            .fold_status(queue, &[agent], &bounds)
            .pop()
            .unwrap_or_default())
    }

    fn fold_status(&self, queue: usize, which: &[usize], bounds: &[i64]) -> Vec<Vec<AgentBucket>> {
        let empty: Vec<AgentBucket> = bounds[..bounds.len().saturating_sub(1)]
            .iter()
            .map(|&s| AgentBucket::empty(at(s)))
            .collect();
        let mut out = vec![empty; which.len()];
        let Some((&first, &last)) = bounds.first().zip(bounds.last()) else {
            return out;
        };
        let ctx = self.ctx(queue);
        for date in self.local_dates(first, last) {
            let (plan, slots) = traffic::simulate_day(&ctx, date);
            for (i, slot) in slots.iter().enumerate() {
                let t = plan.day().slot_utc(i);
                if t < first || t >= last {
                    continue;
                }
                let k = bounds.partition_point(|&b| b <= t) - 1;
                let occupancy = status::occupancy(&ctx, &plan, i, slot);
                for (o, &a) in out.iter_mut().zip(which) {
                    let agent = &self.agents[queue][a];
                    o[k].add(&status::slot_state(&ctx, &plan, i, agent, occupancy));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests;
