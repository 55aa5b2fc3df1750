//! Contacts of one queue on one local day, per quarter-hour slot: arrivals, abandonment,
//! handle times and outbound calls. Everything here is a pure function of the queue, the date
//! and the seed.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use rand::Rng;
use rand::rngs::StdRng;
use rand_distr::{Binomial, Distribution, Gamma, Normal, Poisson, StandardNormal};

use std::sync::Arc;

use super::calendar::{self, HolidayKind, OrgCalendar, OrgDay, SLOTS_PER_DAY};
use super::queues::{Media, QueueSpec};
use super::rng::{self, Stream};

/// Counts and timers of one direction in one bucket, as Genesys aggregates report them:
/// `nOffered` = `offered`; `tAbandon` = (`abandoned`, `abandon_ms_sum`); `tHandle` = (`handled`,
/// `handle_ms_sum`, `handle_ms_min`, `handle_ms_max`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flow {
    pub offered: u32,
    pub abandoned: u32,
    pub abandon_ms_sum: u64,
    pub handled: u32,
    pub handle_ms_sum: u64,
    /// Meaningful only when `handled > 0`.
    pub handle_ms_min: u64,
    pub handle_ms_max: u64,
}

impl Flow {
    pub fn merge(&mut self, o: &Flow) {
        if o.handled > 0 {
            self.handle_ms_min = if self.handled == 0 {
                o.handle_ms_min
            } else {
                self.handle_ms_min.min(o.handle_ms_min)
            };
            self.handle_ms_max = self.handle_ms_max.max(o.handle_ms_max);
        }
        self.offered += o.offered;
        self.abandoned += o.abandoned;
        self.abandon_ms_sum += o.abandon_ms_sum;
        self.handled += o.handled;
        self.handle_ms_sum += o.handle_ms_sum;
    }

    /// Average handle time in seconds (`tHandle` sum / count).
    pub fn aht_s(&self) -> Option<f64> {
        (self.handled > 0).then(|| self.handle_ms_sum as f64 / 1000.0 / f64::from(self.handled))
    }

    pub fn is_empty(&self) -> bool {
        self.offered == 0 && self.handled == 0 && self.abandoned == 0
    }
}

/// One bucket of one queue. Empty buckets are returned too (all zero); Genesys omits them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BucketStats {
    pub start: DateTime<Utc>,
    /// Customer-initiated contacts (`direction` = `originatingDirection` = inbound).
    pub inbound: Flow,
    /// Campaign calls connected to an agent of the queue (`direction` outbound); never abandoned.
    pub outbound: Flow,
    /// Dial attempts of the campaign (`nOutboundAttempted`); `outbound.offered` of them connected.
    pub outbound_attempted: u32,
}

impl BucketStats {
    pub fn empty(start: DateTime<Utc>) -> Self {
        Self {
            start,
            inbound: Flow::default(),
            outbound: Flow::default(),
            outbound_attempted: 0,
        }
    }

    pub fn merge(&mut self, o: &BucketStats) {
        self.inbound.merge(&o.inbound);
        self.outbound.merge(&o.outbound);
        self.outbound_attempted += o.outbound_attempted;
    }

    pub(crate) fn add_slot(&mut self, s: &Slot) {
        self.inbound.merge(&s.inbound);
        self.outbound.merge(&s.outbound);
        self.outbound_attempted += s.attempted;
    }

    /// `nOffered` over both directions (what an unfiltered aggregates query counts).
    pub fn offered(&self) -> u32 {
        self.inbound.offered + self.outbound.offered
    }

    pub fn is_empty(&self) -> bool {
        self.inbound.is_empty() && self.outbound.is_empty() && self.outbound_attempted == 0
    }
}

/// Coefficient of variation of the queue's own gamma day factor.
pub const QUEUE_DAY_CV: f64 = 0.10;
/// Abandonment share when no agent is on queue in an open slot.
const ABANDON_UNSTAFFED: f64 = 0.6;
/// E-mails waiting at opening are answered over the first this many open slots.
const BACKLOG_SLOTS: usize = 8;

/// Everything about a queue the day simulation reads.
pub(crate) struct QueueCtx<'a> {
    pub seed: u64,
    pub spec: &'a QueueSpec,
    /// `rng::key` of the queue id.
    pub key: u64,
    pub weights: &'a [[f64; SLOTS_PER_DAY]; 7],
    pub on_queue: &'a [[u16; SLOTS_PER_DAY]; 7],
    pub calendar: &'a OrgCalendar,
}

/// What one local day means for a queue before any randomness.
pub(crate) struct DayPlan {
    pub org: Arc<OrgDay>,
    pub wd: Weekday,
    /// A holiday the queue is closed for (business-hours queues on major holidays).
    pub closed: bool,
    /// Expected contacts of the day at day factor 1.
    pub volume: f64,
}

/// Trend × season at `date`: exp(growth · years since the epoch) × (1 + A cos(2π (doy − peak) / 365.25)).
pub(crate) fn level(spec: &QueueSpec, date: NaiveDate) -> f64 {
    let years = (date - calendar::epoch()).num_days() as f64 / 365.25;
    let (amp, peak) = spec.model.season;
    let phase = 2.0 * std::f64::consts::PI * (f64::from(date.ordinal()) - f64::from(peak)) / 365.25;
    (spec.model.growth_per_year * years).exp() * (1.0 + amp * phase.cos())
}

impl DayPlan {
    pub fn new(ctx: &QueueCtx, date: NaiveDate) -> Self {
        let spec = ctx.spec;
        let org = ctx.calendar.day(date);
        let wd = org.day.weekday();
        let holiday = org.holiday;
        let always = spec.hours.is_24_7();
        let closed = holiday == Some(HolidayKind::Major) && !always;
        let holiday_factor = match holiday {
            None => 1.0,
            Some(HolidayKind::Minor) => 0.75,
            Some(HolidayKind::Major) if always => 0.4,
            Some(HolidayKind::Major) if spec.media.params().arrives_when_closed => 0.5,
            Some(HolidayKind::Major) => 0.0,
        };
        let fx = org.effect;
        let incident = match spec.media {
            Media::Voice => fx.voice,
            Media::Chat | Media::Message => fx.digital,
            Media::Email => 1.0,
        } * if spec.division.name == "Sales" {
            fx.sales
        } else {
            1.0
        };
        let volume = spec.model.weekday_volume
            * spec.model.weekly[wd.num_days_from_monday() as usize]
            * level(spec, date)
            * holiday_factor
            * incident;
        Self {
            org,
            wd,
            closed,
            volume,
        }
    }

    pub fn day(&self) -> &calendar::LocalDay {
        &self.org.day
    }

    /// Whether the queue takes contacts in the day's `i`-th slot.
    pub fn open(&self, ctx: &QueueCtx, i: usize) -> bool {
        !self.closed && ctx.spec.hours.is_open(self.wd, self.day().local_slots[i])
    }

    /// Agents on queue in the day's `i`-th slot.
    pub fn agents(&self, ctx: &QueueCtx, i: usize) -> u16 {
        if self.closed {
            return 0;
        }
        ctx.on_queue[self.wd.num_days_from_monday() as usize][self.day().local_slots[i] as usize]
    }

    fn hour(&self, i: usize) -> f64 {
        (f64::from(self.day().local_slots[i]) + 0.5) / 4.0
    }
}

fn poisson(r: &mut StdRng, lambda: f64) -> u32 {
    if lambda <= 0.0 {
        return 0;
    }
    Poisson::new(lambda).map_or(0, |p| p.sample(r) as u32)
}

fn binomial(r: &mut StdRng, n: u32, p: f64) -> u32 {
    if n == 0 || p <= 0.0 {
        return 0;
    }
    Binomial::new(u64::from(n), p.min(1.0)).map_or(0, |b| b.sample(r) as u32)
}

/// Inbound arrivals per slot of a day: a doubly stochastic Poisson process whose day-level
/// rate is the plan's volume × the org and queue gamma day factors.
pub(crate) fn arrivals(ctx: &QueueCtx, plan: &DayPlan) -> Vec<u32> {
    let day_no = plan.day().date.num_days_from_ce();
    let mut r = rng::day_rng(ctx.seed, ctx.key, day_no, Stream::Arrivals);
    let factor = plan.org.factor * r.sample(rng::gamma_unit_mean(QUEUE_DAY_CV));
    let w = &ctx.weights[plan.wd.num_days_from_monday() as usize];
    let anytime = ctx.spec.media.params().arrives_when_closed;
    (0..plan.day().local_slots.len())
        .map(|i| {
            if !anytime && !plan.open(ctx, i) {
                return 0;
            }
            let lambda = plan.volume * factor * w[plan.day().local_slots[i] as usize];
            poisson(&mut r, lambda)
        })
        .collect()
}

/// Sum, min and max (ms) of `n` lognormal handle times with mean `mean_s` and log-σ `sigma`.
/// Up to 12 contacts are drawn one by one; above that the sum is normal with the exact mean and
/// variance, and min/max are the lognormal quantiles at the expected extremes of `n` normals
/// (z ≈ √(2 ln n) − (ln ln n + ln 4π) / (2√(2 ln n))), so cost does not grow with volume.
pub(crate) fn handles(r: &mut StdRng, n: u32, mean_s: f64, sigma: f64) -> (u64, u64, u64) {
    if n == 0 {
        return (0, 0, 0);
    }
    let mu = mean_s.ln() - sigma * sigma / 2.0;
    if n <= 12 {
        let (mut sum, mut min, mut max) = (0u64, u64::MAX, 0u64);
        for _ in 0..n {
            let z: f64 = r.sample(StandardNormal);
            let ms = ((mu + sigma * z).exp() * 1000.0).round().max(1000.0) as u64;
            sum += ms;
            min = min.min(ms);
            max = max.max(ms);
        }
        return (sum, min, max);
    }
    let nf = f64::from(n);
    let sd = mean_s * ((sigma * sigma).exp() - 1.0).sqrt();
    let total = Normal::new(nf * mean_s, nf.sqrt() * sd)
        .expect("finite normal")
        .sample(r)
        .max(0.5 * nf * mean_s);
    let a = (2.0 * nf.ln()).sqrt();
    let z = a - (nf.ln().ln() + (4.0 * std::f64::consts::PI).ln()) / (2.0 * a);
    let sum = (total * 1000.0).round() as u64;
    let avg = sum / u64::from(n);
    let min = ((mu - sigma * z).exp() * 1000.0).round().max(1000.0) as u64;
    let max = ((mu + sigma * z).exp() * 1000.0).round() as u64;
    (sum, min.min(avg), max.max(avg))
}

/// Abandonment share at occupancy ρ (offered work ÷ on-queue capacity in the slot): the media's
/// base rate, growing as exp(3 (ρ − 0.8)) past 80 %, at most 60 %; 60 % with nobody on queue.
fn abandon_share(base: f64, agents: u16, rho: f64) -> f64 {
    if agents == 0 {
        return ABANDON_UNSTAFFED;
    }
    (base * (3.0 * (rho - 0.8).max(0.0)).exp()).min(ABANDON_UNSTAFFED)
}

/// E-mails waiting when the day's first open slot starts: those that arrived before it today,
/// after the last open slot of the previous open day, and on the closed days in between.
fn email_backlog(ctx: &QueueCtx, plan: &DayPlan, today: &[u32]) -> u32 {
    let Some(first) = (0..today.len()).position(|i| plan.open(ctx, i)) else {
        return 0;
    };
    let mut total: u32 = today[..first].iter().sum();
    for back in 1..=14 {
        let prev = DayPlan::new(ctx, plan.day().date - Duration::days(back));
        let offered = arrivals(ctx, &prev);
        match (0..offered.len()).rposition(|i| prev.open(ctx, i)) {
            Some(last) => {
                total += offered[last + 1..].iter().sum::<u32>();
                break;
            }
            None => total += offered.iter().sum::<u32>(),
        }
    }
    total
}

/// Inbound flows of every slot of the day.
fn inbound(ctx: &QueueCtx, plan: &DayPlan, offered: &[u32]) -> Vec<Flow> {
    let spec = ctx.spec;
    let p = spec.media.params();
    let mut r = rng::day_rng(
        ctx.seed,
        ctx.key,
        plan.day().date.num_days_from_ce(),
        Stream::Service,
    );
    let backlog = if p.arrives_when_closed {
        email_backlog(ctx, plan, offered)
    } else {
        0
    };
    let open_count = (0..offered.len()).filter(|&i| plan.open(ctx, i)).count();
    let spread = open_count.clamp(1, BACKLOG_SLOTS) as u32;
    let (share, extra) = (backlog / spread, backlog % spread);
    let mut opened = 0u32;
    let mut out = vec![Flow::default(); offered.len()];
    for (i, flow) in out.iter_mut().enumerate() {
        flow.offered = offered[i];
        let open = plan.open(ctx, i);
        let aht = spec.model.aht_s * spec.model.aht_shape.factor(plan.hour(i));
        let to_handle = if p.arrives_when_closed {
            if !open {
                continue;
            }
            let from_backlog = if opened < spread {
                share + u32::from(opened < extra)
            } else {
                0
            };
            opened += 1;
            offered[i] + from_backlog
        } else {
            let agents = plan.agents(ctx, i);
            let capacity = f64::from(agents) * 900.0 * p.concurrency;
            let rho = f64::from(offered[i]) * aht / capacity.max(1.0);
            flow.abandoned = binomial(&mut r, offered[i], abandon_share(p.abandon, agents, rho));
            if flow.abandoned > 0 {
                let g = Gamma::new(f64::from(flow.abandoned), p.patience_s).expect("gamma");
                flow.abandon_ms_sum = (r.sample(g) * 1000.0).round() as u64;
            }
            offered[i] - flow.abandoned
        };
        let (sum, min, max) = handles(&mut r, to_handle, aht, p.sigma);
        flow.handled = to_handle;
        (flow.handle_ms_sum, flow.handle_ms_min, flow.handle_ms_max) = (sum, min, max);
    }
    out
}

/// Outbound campaign calls per slot (dial attempts, and connected calls with handle times).
fn outbound(ctx: &QueueCtx, plan: &DayPlan) -> Vec<(u32, Flow)> {
    let n = plan.day().local_slots.len();
    let Some(c) = &ctx.spec.campaign else {
        return vec![(0, Flow::default()); n];
    };
    let mut r = rng::day_rng(
        ctx.seed,
        ctx.key,
        plan.day().date.num_days_from_ce(),
        Stream::Outbound,
    );
    (0..n)
        .map(|i| {
            let dials = plan.org.holiday.is_none()
                && plan.open(ctx, i)
                && plan.agents(ctx, i) > 0
                && c.dials_at(plan.wd, plan.day().local_slots[i]);
            if !dials {
                return (0, Flow::default());
            }
            let attempts = poisson(&mut r, c.attempts_per_hour / 4.0);
            let connected = binomial(&mut r, attempts, c.connect_rate);
            let (sum, min, max) = handles(&mut r, connected, c.aht_s, 0.7);
            let flow = Flow {
                offered: connected,
                handled: connected,
                handle_ms_sum: sum,
                handle_ms_min: min,
                handle_ms_max: max,
                ..Flow::default()
            };
            (attempts, flow)
        })
        .collect()
}

/// One quarter hour of one queue; it starts at the day's `slot_utc(i)`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Slot {
    pub inbound: Flow,
    pub outbound: Flow,
    pub attempted: u32,
}

/// Every slot of one local day, in UTC order (92, 96 or 100 slots), with the day's plan.
pub(crate) fn simulate_day(ctx: &QueueCtx, date: NaiveDate) -> (DayPlan, Vec<Slot>) {
    let plan = DayPlan::new(ctx, date);
    let offered = arrivals(ctx, &plan);
    let inbound = inbound(ctx, &plan, &offered);
    let outbound = outbound(ctx, &plan);
    let slots = inbound
        .into_iter()
        .zip(outbound)
        .map(|(inbound, (attempted, outbound))| Slot {
            inbound,
            outbound,
            attempted,
        })
        .collect();
    (plan, slots)
}
