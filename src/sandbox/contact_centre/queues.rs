//! The queues: 24 hand-written templates (a plausible mid-size US contact centre) and, past
//! those, parametrised variants of them for load tests.

use chrono::Weekday;
use rand::Rng;

use super::calendar::SLOTS_PER_DAY;
use super::profiles::{
    AhtShape, BILLING_HOURLY, CHAT, EMAIL, Intraday, MESSAGE, VOICE, VOICE_NIGHT, WEEK_DESIGN,
    WEEK_DIGITAL, WEEK_EMAIL, WEEK_FLAT, WEEK_VOICE,
};
use super::rng::{self, Stream};

/// Genesys `mediaType` of a queue (the values of the aggregates `mediaType` dimension).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Media {
    Voice,
    Chat,
    Email,
    Message,
}

/// Per-media service parameters (see the module doc's parameter table).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MediaParams {
    /// σ of log handle time (lognormal; Brown et al. 2005 find log service times ≈ normal).
    pub sigma: f64,
    /// Contacts one agent handles at once (chat and messaging are concurrent).
    pub concurrency: f64,
    /// Abandonment share at normal load.
    pub abandon: f64,
    /// Mean time to abandon, seconds (`tAbandon`).
    pub patience_s: f64,
    /// Whether contacts arrive while the queue is closed (and wait for the next opening).
    pub arrives_when_closed: bool,
}

impl Media {
    pub fn as_str(self) -> &'static str {
        match self {
            Media::Voice => "voice",
            Media::Chat => "chat",
            Media::Email => "email",
            Media::Message => "message",
        }
    }

    pub fn params(self) -> MediaParams {
        let p = |sigma, concurrency, abandon, patience_s, arrives_when_closed| MediaParams {
            sigma,
            concurrency,
            abandon,
            patience_s,
            arrives_when_closed,
        };
        match self {
            Media::Voice => p(0.8, 1.0, 0.035, 75.0, false),
            Media::Chat => p(0.7, 2.0, 0.05, 120.0, false),
            Media::Email => p(0.9, 1.0, 0.0, 0.0, true),
            Media::Message => p(0.9, 3.0, 0.02, 300.0, false),
        }
    }
}

/// Weekly opening hours in local time, as quarter-hour slots `[open, close)` per weekday
/// (Monday first); `None` = closed all day. Hours never cross midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpeningHours {
    days: [Option<(u8, u8)>; 7],
}

const fn hm(h: u8, m: u8) -> u8 {
    h * 4 + m / 15
}

const fn slots_of(x: Option<(u8, u8, u8, u8)>) -> Option<(u8, u8)> {
    match x {
        Some((a, b, c, d)) => Some((hm(a, b), hm(c, d))),
        None => None,
    }
}

impl OpeningHours {
    pub const ALWAYS: Self = Self {
        days: [Some((0, 96)); 7],
    };

    /// Monday–Friday, Saturday and Sunday hours as `(open_h, open_m, close_h, close_m)`.
    const fn new(
        weekdays: (u8, u8, u8, u8),
        sat: Option<(u8, u8, u8, u8)>,
        sun: Option<(u8, u8, u8, u8)>,
    ) -> Self {
        let w = Some((hm(weekdays.0, weekdays.1), hm(weekdays.2, weekdays.3)));
        Self {
            days: [w, w, w, w, w, slots_of(sat), slots_of(sun)],
        }
    }

    /// `[open, close)` slots on a weekday, if open at all.
    pub fn slots(&self, wd: Weekday) -> Option<(u8, u8)> {
        self.days[wd.num_days_from_monday() as usize]
    }

    /// `[open, close)` in minutes after local midnight (close may be 1440).
    pub fn minutes(&self, wd: Weekday) -> Option<(u16, u16)> {
        self.slots(wd)
            .map(|(a, b)| (u16::from(a) * 15, u16::from(b) * 15))
    }

    pub fn is_open(&self, wd: Weekday, slot: u8) -> bool {
        self.slots(wd).is_some_and(|(a, b)| a <= slot && slot < b)
    }

    pub fn is_24_7(&self) -> bool {
        *self == Self::ALWAYS
    }
}

/// An outbound campaign that has been dialling on a queue (its history carries outbound
/// conversations: `direction`/`originatingDirection` outbound).
#[derive(Debug, Clone, PartialEq)]
pub struct CampaignPattern {
    pub name: &'static str,
    /// Days it dials, Monday first (never on holidays, never while the queue is closed).
    pub days: [bool; 7],
    /// Local `[start, end)` minutes; all inside 08:00–21:00, the TCPA calling hours
    /// (47 CFR § 64.1200(c)(1)).
    pub windows: &'static [(u16, u16)],
    /// Dial attempts per hour while dialling.
    pub attempts_per_hour: f64,
    /// Share of attempts that connect to a person and reach an agent.
    pub connect_rate: f64,
    /// Mean outbound handle time, seconds.
    pub aht_s: f64,
}

impl CampaignPattern {
    /// Whether the campaign dials in local quarter hour `slot` of a `wd` (holidays aside).
    pub fn dials_at(&self, wd: Weekday, slot: u8) -> bool {
        let m = u16::from(slot) * 15;
        self.days[wd.num_days_from_monday() as usize]
            && self.windows.iter().any(|&(a, b)| a <= m && m < b)
    }
}

/// How a queue's agents are rostered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RosterKind {
    /// Greedy shift cover of a square-root-staffing requirement (`roster::generate`).
    Generated,
    /// The hand-written Billing Voice roster (`roster::BILLING`).
    BillingDesign,
}

/// The numbers behind one queue's traffic.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueModel {
    /// Mean contacts on a Wednesday at level 1 (before holidays, incidents and the day factor).
    pub weekday_volume: f64,
    pub weekly: [f64; 7],
    pub intraday: Intraday,
    /// Hours the intraday bumps are moved by (variants only).
    pub peak_shift_h: f64,
    /// Mean inbound handle time, seconds, before the hour multiplier.
    pub aht_s: f64,
    pub aht_shape: AhtShape,
    /// Volume growth per year (exponential), counted from the calendar epoch.
    pub growth_per_year: f64,
    /// Amplitude of the yearly cosine and its peak day of the year.
    pub season: (f64, u16),
    pub roster: RosterKind,
}

/// A division (Genesys `Division`: `id`, `name`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Division {
    pub id: String,
    pub name: &'static str,
}

/// One simulated queue.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueSpec {
    /// Stable UUID (v5 of the name, `crate::sandbox::queue_id`).
    pub id: String,
    pub name: String,
    pub division: Division,
    pub media: Media,
    pub hours: OpeningHours,
    /// Set on the outbound campaign queues.
    pub campaign: Option<CampaignPattern>,
    /// Index of the template it comes from, and 0 for the template itself, 1.. for variants.
    pub template: usize,
    pub variant: usize,
    pub model: QueueModel,
}

impl QueueSpec {
    pub fn is_campaign_queue(&self) -> bool {
        self.campaign.is_some()
    }
}

struct Template {
    name: &'static str,
    division: &'static str,
    media: Media,
    hours: OpeningHours,
    volume: f64,
    aht_s: f64,
    growth: f64,
    season: (f64, u16),
    campaign: Option<fn() -> CampaignPattern>,
}

const WEEKDAYS: [bool; 7] = [true, true, true, true, true, false, false];
const MON_SAT: [bool; 7] = [true, true, true, true, true, true, false];

fn sales_campaign() -> CampaignPattern {
    CampaignPattern {
        name: "Sales follow-up",
        days: WEEKDAYS,
        windows: &[(16 * 60, 19 * 60 + 30)],
        attempts_per_hour: 160.0,
        connect_rate: 0.3,
        aht_s: 270.0,
    }
}

fn retention_campaign() -> CampaignPattern {
    CampaignPattern {
        name: "Win-back",
        days: MON_SAT,
        windows: &[(10 * 60, 12 * 60), (17 * 60, 19 * 60)],
        attempts_per_hour: 90.0,
        connect_rate: 0.35,
        aht_s: 330.0,
    }
}

fn collections_campaign() -> CampaignPattern {
    CampaignPattern {
        name: "Early arrears",
        days: MON_SAT,
        windows: &[(8 * 60, 11 * 60), (17 * 60, 21 * 60)],
        attempts_per_hour: 200.0,
        connect_rate: 0.25,
        aht_s: 240.0,
    }
}

fn renewals_campaign() -> CampaignPattern {
    CampaignPattern {
        name: "Renewal reminders",
        days: WEEKDAYS,
        windows: &[(9 * 60, 12 * 60), (13 * 60, 17 * 60)],
        attempts_per_hour: 120.0,
        connect_rate: 0.4,
        aht_s: 300.0,
    }
}

fn appointments_campaign() -> CampaignPattern {
    CampaignPattern {
        name: "Appointment reminders",
        days: WEEKDAYS,
        windows: &[(10 * 60, 12 * 60)],
        attempts_per_hour: 100.0,
        connect_rate: 0.45,
        aht_s: 150.0,
    }
}

const H_247: OpeningHours = OpeningHours::ALWAYS;
const H_MON_FRI_8_18: OpeningHours = OpeningHours::new((8, 0, 18, 0), None, None);
const H_MON_FRI_9_17: OpeningHours = OpeningHours::new((9, 0, 17, 0), None, None);
const H_MON_FRI_9_18: OpeningHours = OpeningHours::new((9, 0, 18, 0), None, None);
const H_MON_SAT_8_20: OpeningHours = OpeningHours::new((8, 0, 20, 0), Some((8, 0, 20, 0)), None);
const H_MON_SAT_9_19: OpeningHours = OpeningHours::new((9, 0, 19, 0), Some((9, 0, 19, 0)), None);
const H_MON_SAT_8_21: OpeningHours = OpeningHours::new((8, 0, 21, 0), Some((8, 0, 21, 0)), None);
const H_MON_SAT_8_18: OpeningHours = OpeningHours::new((8, 0, 18, 0), Some((9, 0, 14, 0)), None);
const H_CLAIMS: OpeningHours = OpeningHours::new((8, 0, 20, 0), Some((9, 0, 13, 0)), None);
const H_DAILY_7_23: OpeningHours =
    OpeningHours::new((7, 0, 23, 0), Some((7, 0, 23, 0)), Some((7, 0, 23, 0)));
const H_DAILY_8_22: OpeningHours =
    OpeningHours::new((8, 0, 22, 0), Some((8, 0, 22, 0)), Some((9, 0, 21, 0)));
const H_SUPPORT_EMAIL: OpeningHours = OpeningHours::new((8, 0, 18, 0), Some((9, 0, 13, 0)), None);

const fn t(
    name: &'static str,
    division: &'static str,
    media: Media,
    hours: OpeningHours,
    volume: f64,
    aht_s: f64,
) -> Template {
    Template {
        name,
        division,
        media,
        hours,
        volume,
        aht_s,
        growth: 0.03,
        season: (0.05, 20),
        campaign: None,
    }
}

/// Name of the queue the demo should open on (a 24/7 voice queue with the double peak).
pub const DEFAULT_QUEUE: &str = "Support Voice";
/// The designed queue of issue 14's acceptance (see `roster::BILLING`).
pub const DESIGN_QUEUE: &str = "Billing Voice";

const SALES: &str = "Sales";
const CARE: &str = "Customer Care";
const FINANCE: &str = "Finance";
const CLAIMS: &str = "Claims & Risk";

/// The hand-written queues, in their served order.
const TEMPLATES: &[Template] = &[
    t(DEFAULT_QUEUE, CARE, Media::Voice, H_247, 2600.0, 390.0),
    Template {
        growth: 0.0,
        season: (0.0, 0),
        ..t(
            DESIGN_QUEUE,
            FINANCE,
            Media::Voice,
            H_MON_FRI_8_18,
            800.0,
            300.0,
        )
    },
    Template {
        campaign: Some(sales_campaign),
        growth: 0.08,
        ..t(
            "Sales Voice",
            SALES,
            Media::Voice,
            H_MON_SAT_8_20,
            1200.0,
            360.0,
        )
    },
    Template {
        growth: 0.12,
        ..t(
            "Sales Chat",
            SALES,
            Media::Chat,
            H_MON_SAT_8_20,
            500.0,
            560.0,
        )
    },
    Template {
        campaign: Some(retention_campaign),
        ..t(
            "Retention Voice",
            SALES,
            Media::Voice,
            H_MON_SAT_9_19,
            400.0,
            380.0,
        )
    },
    Template {
        campaign: Some(renewals_campaign),
        season: (0.15, 350),
        ..t(
            "Renewals Voice",
            SALES,
            Media::Voice,
            H_MON_FRI_9_18,
            150.0,
            360.0,
        )
    },
    t(
        "Onboarding Voice",
        SALES,
        Media::Voice,
        H_MON_FRI_9_17,
        300.0,
        380.0,
    ),
    t(
        "Onboarding Chat",
        SALES,
        Media::Chat,
        H_MON_FRI_9_17,
        150.0,
        620.0,
    ),
    t(
        "Support Chat",
        CARE,
        Media::Chat,
        H_DAILY_7_23,
        1100.0,
        600.0,
    ),
    t(
        "Support Email",
        CARE,
        Media::Email,
        H_SUPPORT_EMAIL,
        600.0,
        480.0,
    ),
    Template {
        growth: 0.15,
        ..t(
            "Support Message",
            CARE,
            Media::Message,
            H_DAILY_8_22,
            450.0,
            720.0,
        )
    },
    t("Technical Voice", CARE, Media::Voice, H_247, 900.0, 400.0),
    t(
        "Technical Chat",
        CARE,
        Media::Chat,
        H_DAILY_7_23,
        400.0,
        660.0,
    ),
    t(
        "Spanish Support Voice",
        CARE,
        Media::Voice,
        H_MON_SAT_8_20,
        350.0,
        390.0,
    ),
    t(
        "Complaints Email",
        CARE,
        Media::Email,
        H_MON_FRI_9_17,
        80.0,
        540.0,
    ),
    Template {
        campaign: Some(appointments_campaign),
        ..t(
            "Appointments Voice",
            CARE,
            Media::Voice,
            H_MON_SAT_8_18,
            500.0,
            310.0,
        )
    },
    Template {
        season: (0.10, 15),
        ..t(
            "Billing Email",
            FINANCE,
            Media::Email,
            H_MON_FRI_8_18,
            250.0,
            450.0,
        )
    },
    Template {
        campaign: Some(collections_campaign),
        season: (0.12, 30),
        ..t(
            "Collections Voice",
            FINANCE,
            Media::Voice,
            H_MON_SAT_8_21,
            450.0,
            330.0,
        )
    },
    t(
        "Collections Message",
        FINANCE,
        Media::Message,
        H_MON_SAT_8_20,
        200.0,
        600.0,
    ),
    t(
        "Business Accounts Voice",
        FINANCE,
        Media::Voice,
        H_MON_FRI_8_18,
        350.0,
        360.0,
    ),
    t(
        "Business Accounts Email",
        FINANCE,
        Media::Email,
        H_MON_FRI_9_17,
        120.0,
        500.0,
    ),
    Template {
        season: (0.12, 45),
        ..t("Claims Voice", CLAIMS, Media::Voice, H_CLAIMS, 700.0, 370.0)
    },
    t(
        "Claims Email",
        CLAIMS,
        Media::Email,
        H_MON_FRI_9_17,
        300.0,
        520.0,
    ),
    t("Fraud Voice", CLAIMS, Media::Voice, H_247, 260.0, 380.0),
];

/// Number of hand-written queues; a centre with fewer queues takes the first ones.
pub fn template_count() -> usize {
    TEMPLATES.len()
}

/// Suffixes of variant queues ("Support Voice East", …); past these a number is added.
const REGIONS: [&str; 20] = [
    "East", "West", "North", "South", "Central", "Pacific", "Mountain", "Atlantic", "Gulf",
    "Lakes", "Plains", "Coastal", "Metro", "Valley", "Harbor", "Summit", "Prairie", "Bay",
    "Desert", "River",
];

fn variant_name(base: &str, variant: usize) -> String {
    let region = REGIONS[(variant - 1) % REGIONS.len()];
    let round = (variant - 1) / REGIONS.len();
    if round == 0 {
        format!("{base} {region}")
    } else {
        format!("{base} {region} {}", round + 1)
    }
}

fn intraday_for(name: &str, media: Media, hours: &OpeningHours) -> Intraday {
    match (name, media) {
        (DESIGN_QUEUE, _) => Intraday::Hourly(&BILLING_HOURLY),
        (_, Media::Voice) if hours.is_24_7() && name != DEFAULT_QUEUE => VOICE_NIGHT,
        (_, Media::Voice) => VOICE,
        (_, Media::Chat) => CHAT,
        (_, Media::Email) => EMAIL,
        (_, Media::Message) => MESSAGE,
    }
}

fn weekly_for(name: &str, media: Media, hours: &OpeningHours) -> [f64; 7] {
    match media {
        _ if name == DESIGN_QUEUE => WEEK_DESIGN,
        Media::Voice if hours.is_24_7() && name != DEFAULT_QUEUE => WEEK_FLAT,
        Media::Voice => WEEK_VOICE,
        Media::Email => WEEK_EMAIL,
        Media::Chat | Media::Message => WEEK_DIGITAL,
    }
}

fn from_template(tpl: &Template, template: usize) -> QueueSpec {
    let design = tpl.name == DESIGN_QUEUE;
    QueueSpec {
        id: crate::sandbox::queue_id(tpl.name),
        name: tpl.name.to_string(),
        division: Division {
            id: crate::sandbox::queue_id(&format!("division/{}", tpl.division)),
            name: tpl.division,
        },
        media: tpl.media,
        hours: tpl.hours,
        campaign: tpl.campaign.map(|f| f()),
        template,
        variant: 0,
        model: QueueModel {
            weekday_volume: tpl.volume,
            weekly: weekly_for(tpl.name, tpl.media, &tpl.hours),
            intraday: intraday_for(tpl.name, tpl.media, &tpl.hours),
            peak_shift_h: 0.0,
            aht_s: tpl.aht_s,
            aht_shape: if design {
                AhtShape::Flat
            } else {
                AhtShape::Daytime
            },
            growth_per_year: tpl.growth,
            season: tpl.season,
            roster: if design {
                RosterKind::BillingDesign
            } else {
                RosterKind::Generated
            },
        },
    }
}

/// A variant: the template's hours, media and campaign, with volume ×0.37–2.0, bumps moved by
/// up to ±45 min, handle time ×0.9–1.1 and growth −5 %…+12 % a year, drawn from the seed.
fn variant_of(seed: u64, base: &QueueSpec, variant: usize) -> QueueSpec {
    let name = variant_name(&base.name, variant);
    let id = crate::sandbox::queue_id(&name);
    let mut r = rng::day_rng(seed, rng::key(&id), 0, Stream::Variant);
    let mut model = base.model.clone();
    model.weekday_volume *= r.random_range(-1.0f64..0.7).exp();
    model.peak_shift_h = r.random_range(-0.75..0.75);
    model.aht_s *= r.random_range(0.9..1.1);
    model.growth_per_year = r.random_range(-0.05..0.12);
    if base.name == DESIGN_QUEUE {
        model.intraday = VOICE;
        model.weekly = WEEK_VOICE;
        model.aht_shape = AhtShape::Daytime;
        model.roster = RosterKind::Generated;
    }
    QueueSpec {
        id,
        name,
        variant,
        model,
        ..base.clone()
    }
}

/// The first `count` queues: the templates in order, then variants round-robin over them.
/// Queue `i` is the same whatever `count` is (as long as `count > i`).
pub fn build(seed: u64, count: usize) -> Vec<QueueSpec> {
    let base: Vec<QueueSpec> = TEMPLATES
        .iter()
        .enumerate()
        .map(|(i, t)| from_template(t, i))
        .collect();
    (0..count)
        .map(|i| {
            let (tpl, variant) = (i % base.len(), i / base.len());
            if variant == 0 {
                base[tpl].clone()
            } else {
                variant_of(seed, &base[tpl], variant)
            }
        })
        .collect()
}

/// Relative arrival weight of each local quarter hour, per weekday (Monday first), normalised
/// to sum to 1 over the slots where contacts can arrive (open slots; every slot for e-mail).
pub fn slot_weights(q: &QueueSpec) -> [[f64; SLOTS_PER_DAY]; 7] {
    let mut out = [[0.0; SLOTS_PER_DAY]; 7];
    let anytime = q.media.params().arrives_when_closed;
    for (d, day) in out.iter_mut().enumerate() {
        let wd = Weekday::try_from(d as u8).expect("weekday index");
        for (s, w) in day.iter_mut().enumerate() {
            if !anytime && !q.hours.is_open(wd, s as u8) {
                continue;
            }
            let h = (s as f64 + 0.5) / 4.0;
            *w = match q.model.intraday {
                Intraday::Hourly(table) => table[s / 4],
                Intraday::Curves {
                    weekday,
                    saturday,
                    sunday,
                } => match wd {
                    Weekday::Sat => saturday,
                    Weekday::Sun => sunday,
                    _ => weekday,
                }
                .at(h, q.model.peak_shift_h),
            };
        }
        let total: f64 = day.iter().sum();
        if total > 0.0 {
            day.iter_mut().for_each(|w| *w /= total);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_least_twenty_queues_across_media_with_campaign_queues() {
        let qs = build(1, template_count());
        assert!(qs.len() >= 20);
        for m in [Media::Voice, Media::Chat, Media::Email, Media::Message] {
            assert!(qs.iter().any(|q| q.media == m), "{m:?}");
        }
        let campaigns: Vec<_> = qs.iter().filter(|q| q.is_campaign_queue()).collect();
        assert!(campaigns.len() >= 3);
        assert!(campaigns.iter().all(|q| q.media == Media::Voice));
        let names: std::collections::HashSet<_> = qs.iter().map(|q| &q.name).collect();
        assert_eq!(names.len(), qs.len(), "names are unique");
    }

    #[test]
    fn campaign_windows_lie_in_tcpa_hours_and_opening_hours() {
        for q in build(1, template_count()) {
            let Some(c) = &q.campaign else { continue };
            for (d, &on) in c.days.iter().enumerate() {
                if !on {
                    continue;
                }
                let wd = Weekday::try_from(d as u8).unwrap();
                let (open, close) = q.hours.minutes(wd).expect("dials only on open days");
                for &(a, b) in c.windows {
                    assert!(a >= 8 * 60 && b <= 21 * 60, "{}: {a}-{b}", q.name);
                    assert!(a >= open && b <= close, "{} {wd}: {a}-{b}", q.name);
                }
            }
        }
    }

    #[test]
    fn five_hundred_queues_have_unique_names_and_a_stable_prefix() {
        let big = build(9, 500);
        let small = build(9, 30);
        assert_eq!(&big[..30], &small[..]);
        let names: std::collections::HashSet<_> = big.iter().map(|q| q.name.as_str()).collect();
        assert_eq!(names.len(), 500);
        assert_eq!(big[24].name, "Support Voice East");
        assert_ne!(
            build(10, 30)[24].model,
            small[24].model,
            "variants depend on the seed"
        );
    }

    #[test]
    fn weights_are_zero_when_closed_and_sum_to_one() {
        let qs = build(1, template_count());
        let billing = qs.iter().find(|q| q.name == DESIGN_QUEUE).unwrap();
        let w = slot_weights(billing);
        assert!(
            w[5].iter().chain(w[6].iter()).all(|&x| x == 0.0),
            "closed weekends"
        );
        assert!((w[0].iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(w[0][..32].iter().all(|&x| x == 0.0), "nothing before 08:00");
        assert!(
            (w[2][14 * 4] - 0.025).abs() < 1e-12,
            "10 % of the day per hour at 14:00"
        );
        let email = qs.iter().find(|q| q.name == "Support Email").unwrap();
        assert!(
            slot_weights(email)[6][8] > 0.0,
            "e-mail arrives on a closed Sunday night"
        );
    }
}
