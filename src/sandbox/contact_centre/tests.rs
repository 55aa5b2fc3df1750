//! Cross-cutting tests of the simulated centre (each file has its own unit tests too).

use std::collections::HashSet;

use chrono::{Datelike, TimeZone, Weekday};

use super::*;

const TZ: Tz = chrono_tz::America::New_York;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 15, 17, 34, 12).unwrap()
}

fn centre() -> ContactCentre {
    ContactCentre::new(42, 24, TZ, now()).unwrap()
}

fn local(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    TZ.with_ymd_and_hms(y, m, d, h, 0, 0)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn hourly(c: &ContactCentre, q: usize, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<BucketStats> {
    c.queue_buckets(q, from, to, Duration::hours(1)).unwrap()
}

fn quarter(
    c: &ContactCentre,
    q: usize,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<BucketStats> {
    c.queue_buckets(q, from, to, Duration::minutes(15)).unwrap()
}

fn q(c: &ContactCentre, name: &str) -> usize {
    c.queue_index(name).unwrap()
}

fn local_of(b: &BucketStats) -> chrono::DateTime<Tz> {
    b.start.with_timezone(&TZ)
}

/// Inbound offered on one local day.
fn day_offered(c: &ContactCentre, q: usize, d: NaiveDate) -> f64 {
    let from = local(d.year(), d.month(), d.day(), 0);
    let next = d + Duration::days(1);
    let to = local(next.year(), next.month(), next.day(), 0);
    hourly(c, q, from, to)
        .iter()
        .map(|b| f64::from(b.inbound.offered))
        .sum()
}

/// Days with nothing special around them: no holiday, no outage, not the day after one.
fn is_plain(c: &ContactCentre, d: NaiveDate) -> bool {
    let special = c.incidents(d - Duration::days(1), d);
    calendar::holiday_on(d).is_none()
        && !special.iter().any(|i| i.kind == IncidentKind::VoiceOutage)
}

/// Mean inbound offered of the plain same-weekday days one and two weeks either side.
fn reference(c: &ContactCentre, q: usize, d: NaiveDate) -> f64 {
    let days: Vec<NaiveDate> = [-14, -7, 7, 14]
        .iter()
        .map(|w| d + Duration::days(*w))
        .filter(|x| is_plain(c, *x))
        .collect();
    assert!(days.len() >= 2, "too few reference days around {d}");
    days.iter().map(|x| day_offered(c, q, *x)).sum::<f64>() / days.len() as f64
}

#[test]
fn same_seed_gives_the_same_data_bit_for_bit_and_another_seed_does_not() {
    let (a, b) = (
        ContactCentre::new(42, 30, TZ, now()).unwrap(),
        ContactCentre::new(42, 30, TZ, now()).unwrap(),
    );
    let (from, to) = (a.horizon() - Duration::days(60), a.horizon());
    for i in [0, 9, 17, 29] {
        assert_eq!(hourly(&a, i, from, to), hourly(&b, i, from, to));
        assert_eq!(a.agents(i).unwrap(), b.agents(i).unwrap());
    }
    let c = ContactCentre::new(43, 30, TZ, now()).unwrap();
    assert_ne!(hourly(&a, 0, from, to), hourly(&c, 0, from, to));
}

#[test]
fn data_end_at_the_current_local_hour() {
    let c = centre();
    assert_eq!(
        c.horizon(),
        Utc.with_ymd_and_hms(2026, 1, 15, 17, 0, 0).unwrap()
    );
    let from = local(2026, 1, 14, 0);
    let far = local(2026, 2, 1, 0);
    let h = hourly(&c, 0, from, far);
    assert_eq!(h.last().unwrap().start, c.horizon() - Duration::hours(1));
    assert_eq!(h.len(), 24 + 12, "Jan 14 and Jan 15 00:00–12:00 EST");
    let m = quarter(&c, 0, from, far);
    assert_eq!(m.last().unwrap().start, c.horizon() - Duration::minutes(15));
    // A half-hour zone floors to its own hour: 17:34Z is 23:04 in Kolkata → 23:00 = 17:30Z.
    let k = ContactCentre::new(42, 1, chrono_tz::Asia::Kolkata, now()).unwrap();
    assert_eq!(
        k.horizon(),
        Utc.with_ymd_and_hms(2026, 1, 15, 17, 30, 0).unwrap()
    );
}

#[test]
fn ranges_at_or_after_the_horizon_are_empty_and_the_centre_can_be_shared() {
    fn shareable<T: Send + Sync>(_: &T) {}
    let c = centre();
    shareable(&c);
    let h = c.horizon();
    for (from, to) in [(h, h + Duration::hours(3)), (h + Duration::hours(1), h)] {
        assert_eq!(hourly(&c, 0, from, to), vec![]);
        let members = c.members_status(1, from, to, Duration::hours(1)).unwrap();
        assert!(members.iter().all(|a| a.is_empty()));
    }
    assert_eq!(
        c.queue_buckets_at(0, &[h, h + Duration::days(1)]).unwrap(),
        vec![]
    );
    let ahead = c
        .scheduled_on_queue(1, h, h + Duration::days(7), Duration::hours(1))
        .unwrap();
    assert_eq!(ahead.len(), 7 * 24, "the roster is known ahead of the data");
}

#[test]
fn moving_now_by_a_week_moves_the_window_over_the_same_data() {
    let a = centre();
    let b = ContactCentre::new(42, 24, TZ, now() + Duration::days(7)).unwrap();
    let from = a.horizon() - Duration::days(30);
    for i in [0, 2, 9] {
        let old = hourly(&a, i, from, b.horizon());
        let new = hourly(&b, i, from, b.horizon());
        assert_eq!(new.len(), old.len() + 7 * 24);
        assert_eq!(&new[..old.len()], &old[..]);
    }
}

#[test]
fn weekday_voice_has_a_late_morning_and_an_early_afternoon_peak() {
    let c = centre();
    let support = q(&c, DEFAULT_QUEUE);
    let h = hourly(&c, support, local(2025, 9, 15, 0), local(2025, 11, 10, 0));
    let (mut weekday, mut weekend) = ([0.0f64; 24], 0.0);
    let mut weekdays = HashSet::new();
    for b in &h {
        let t = local_of(b);
        if !is_plain(&c, t.date_naive()) {
            continue;
        }
        let y = f64::from(b.inbound.offered);
        if matches!(t.weekday(), Weekday::Sat | Weekday::Sun) {
            weekend += y;
        } else {
            weekday[t.hour() as usize] += y;
            weekdays.insert(t.date_naive());
        }
    }
    let argmax = |r: std::ops::RangeInclusive<usize>| {
        r.max_by(|&x, &y| weekday[x].total_cmp(&weekday[y]))
            .unwrap()
    };
    let (morning, afternoon) = (argmax(8..=12), argmax(13..=17));
    assert!(
        matches!(morning, 10 | 11),
        "morning peak at {morning}: {weekday:?}"
    );
    assert!(
        matches!(afternoon, 14 | 15),
        "afternoon peak at {afternoon}: {weekday:?}"
    );
    let dip = weekday[12].min(weekday[13]);
    assert!(dip < 0.93 * weekday[afternoon] && weekday[afternoon] < weekday[morning]);
    assert!(weekday[3] < 0.1 * weekday[morning], "nights are quiet");
    let per_weekday = weekday.iter().sum::<f64>() / weekdays.len() as f64;
    assert!(weekend / 16.0 < 0.6 * per_weekday, "weekends are lower");
}

#[test]
fn nothing_is_offered_or_handled_while_a_queue_is_closed() {
    let c = centre();
    let (from, to) = (local(2025, 10, 6, 0), local(2025, 11, 3, 0));
    for (i, spec) in c.queues().iter().enumerate() {
        let email = spec.media == Media::Email;
        let mut closed_arrivals = 0;
        for b in quarter(&c, i, from, to) {
            let t = local_of(&b);
            let slot = (t.hour() * 4 + t.minute() / 15) as u8;
            if spec.hours.is_open(t.weekday(), slot) {
                continue;
            }
            assert_eq!(b.inbound.handled, 0, "{} {t}", spec.name);
            assert_eq!(b.outbound_attempted, 0, "{} {t}", spec.name);
            assert_eq!(b.outbound, Flow::default(), "{} {t}", spec.name);
            if email {
                closed_arrivals += b.inbound.offered;
            } else {
                assert_eq!(b.inbound.offered, 0, "{} {t}", spec.name);
            }
        }
        assert_eq!(
            email,
            closed_arrivals > 0,
            "{}: e-mail arrives while closed",
            spec.name
        );
    }
    let billing = q(&c, DESIGN_QUEUE);
    let sat = day_offered(&c, billing, day(2025, 10, 11));
    let sun_sales = day_offered(&c, q(&c, "Sales Voice"), day(2025, 10, 12));
    assert_eq!((sat, sun_sales), (0.0, 0.0));
}

#[test]
fn holidays_close_business_queues_and_lower_the_rest() {
    let c = centre();
    let (billing, support) = (q(&c, DESIGN_QUEUE), q(&c, DEFAULT_QUEUE));
    let thanksgiving = day(2025, 11, 27);
    assert_eq!(day_offered(&c, billing, thanksgiving), 0.0);
    let on_queue = c
        .scheduled_on_queue(
            billing,
            local(2025, 11, 27, 0),
            local(2025, 11, 28, 0),
            Duration::hours(1),
        )
        .unwrap();
    assert!(
        on_queue.iter().all(|(_, n)| *n == 0.0),
        "nobody works a closed holiday"
    );
    for d in [thanksgiving, day(2025, 12, 25)] {
        let ratio = day_offered(&c, support, d) / reference(&c, support, d);
        assert!((0.25..0.55).contains(&ratio), "24/7 queue on {d}: {ratio}");
    }
    let veterans = day(2025, 11, 11);
    let ratio = day_offered(&c, billing, veterans) / reference(&c, billing, veterans);
    assert!((0.55..0.95).contains(&ratio), "minor holiday: {ratio}");
}

#[test]
fn an_outage_day_has_almost_no_voice_and_more_chat() {
    let c = centre();
    let outages: Vec<_> = c
        .incidents(day(2025, 9, 1), day(2025, 12, 31))
        .into_iter()
        .filter(|i| i.kind == IncidentKind::VoiceOutage)
        .collect();
    assert!(outages.len() >= 2);
    let (voice, chat) = (q(&c, DEFAULT_QUEUE), q(&c, "Support Chat"));
    for o in outages {
        let v = day_offered(&c, voice, o.date) / reference(&c, voice, o.date);
        assert!(v < 0.05, "voice on outage day {}: {v}", o.date);
        let ch = day_offered(&c, chat, o.date) / reference(&c, chat, o.date);
        assert!(ch > 1.05, "chat on outage day {}: {ch}", o.date);
        let next = o.date + Duration::days(1);
        let after = day_offered(&c, voice, next) / reference(&c, voice, next);
        assert!(after > 1.0, "callers come back the next day: {after}");
    }
}

#[test]
fn handle_times_by_media_are_in_their_ranges_and_vary_by_hour() {
    let c = centre();
    let (from, to) = (local(2025, 10, 6, 0), local(2025, 11, 3, 0));
    for (i, spec) in c.queues().iter().enumerate() {
        let mut total = Flow::default();
        let mut out = Flow::default();
        for b in hourly(&c, i, from, to) {
            total.merge(&b.inbound);
            out.merge(&b.outbound);
            for f in [&b.inbound, &b.outbound]
                .into_iter()
                .filter(|f| f.handled > 0)
            {
                let avg = f.handle_ms_sum / u64::from(f.handled);
                assert!(
                    f.handle_ms_min <= avg && avg <= f.handle_ms_max,
                    "{}",
                    spec.name
                );
            }
        }
        let aht = total.aht_s().unwrap();
        let range = match spec.media {
            Media::Voice => 300.0..420.0,
            Media::Chat => 480.0..720.0,
            Media::Email => 360.0..600.0,
            Media::Message => 540.0..900.0,
        };
        assert!(range.contains(&aht), "{}: {aht}", spec.name);
        if spec.is_campaign_queue() {
            let o = out.aht_s().unwrap();
            assert!((120.0..360.0).contains(&o), "{} outbound {o}", spec.name);
        }
    }
    let support = q(&c, DEFAULT_QUEUE);
    let mut by_hour = vec![Flow::default(); 24];
    for b in hourly(&c, support, from, to) {
        by_hour[local_of(&b).hour() as usize].merge(&b.inbound);
    }
    let (morning, noon) = (by_hour[8].aht_s().unwrap(), by_hour[12].aht_s().unwrap());
    assert!(
        noon > 1.02 * morning,
        "midday calls are longer: {morning} vs {noon}"
    );
}

/// Erlang C probability of waiting for `n` agents at `a` Erlangs, via the Erlang B recursion.
fn erlang_c(n: u32, a: f64) -> f64 {
    let b = (1..=n).fold(1.0, |b, k| a * b / (f64::from(k) + a * b));
    f64::from(n) * b / (f64::from(n) - a * (1.0 - b))
}

/// Fewest agents answering `target` of calls within `t` seconds.
fn erlang_c_agents(calls_per_hour: f64, aht: f64, t: f64, target: f64) -> u32 {
    let a = calls_per_hour * aht / 3600.0;
    (a.floor() as u32 + 1..)
        .find(|&n| 1.0 - erlang_c(n, a) * (-(f64::from(n) - a) * t / aht).exp() >= target)
        .unwrap()
}

#[test]
fn billing_roster_leaves_five_idle_agents_from_two_to_four_on_weekdays() {
    // The design load needs 10 agents at 80 % in 20 s; published Erlang C tables agree
    // (e.g. 6.67 Erl, 10 agents: P(wait) ≈ 0.21).
    let required = erlang_c_agents(DESIGN_CALLS_PER_HOUR, DESIGN_AHT_S, 20.0, 0.8);
    assert_eq!(required, u32::from(DESIGN_REQUIRED_AGENTS));
    let c = centre();
    let billing = q(&c, DESIGN_QUEUE);
    let (from, to) = (local(2025, 10, 13, 0), local(2025, 11, 10, 0));
    let members = c
        .members_status(billing, from, to, Duration::hours(1))
        .unwrap();
    let schedule = c
        .scheduled_on_queue(billing, from, to, Duration::hours(1))
        .unwrap();
    let traffic = hourly(&c, billing, from, to);
    let (mut calls, mut idle, mut handled, mut n) = (0.0, 0.0, Flow::default(), 0.0);
    for (k, (start, scheduled)) in schedule.iter().enumerate() {
        let t = start.with_timezone(&TZ);
        let on_queue: u64 = members.iter().map(|a| a[k].on_queue_ms()).sum();
        assert_eq!(on_queue as f64 / 3.6e6, *scheduled, "{t}");
        let weekday = !matches!(t.weekday(), Weekday::Sat | Weekday::Sun);
        if !weekday || calendar::holiday_on(t.date_naive()).is_some() {
            continue;
        }
        let expected = match t.hour() {
            13 => 10.5,
            14 | 15 => f64::from(DESIGN_ON_QUEUE_14_16),
            16 => 9.25,
            _ => continue,
        };
        assert_eq!(*scheduled, expected, "{t}");
        if matches!(t.hour(), 14 | 15) && is_plain(&c, t.date_naive()) {
            calls += f64::from(traffic[k].inbound.offered);
            handled.merge(&traffic[k].inbound);
            idle += members
                .iter()
                .map(|a| a[k].routing(RoutingStatus::Idle))
                .sum::<u64>() as f64
                / 3.6e6;
            n += 1.0;
        }
    }
    let (calls, idle) = (calls / n, idle / n);
    assert!((70.0..90.0).contains(&calls), "mean calls/h 14–16: {calls}");
    let aht = handled.aht_s().unwrap();
    assert!((285.0..315.0).contains(&aht), "AHT 14–16: {aht}");
    assert!((6.0..10.0).contains(&idle), "idle agents 14–16: {idle}");
}

#[test]
fn state_times_fill_every_bucket_and_match_the_schedule() {
    let c = centre();
    let (from, to) = (local(2025, 10, 20, 0), local(2025, 10, 27, 0));
    for name in [
        DEFAULT_QUEUE,
        "Sales Voice",
        "Support Email",
        "Support Chat",
    ] {
        let i = q(&c, name);
        let members = c.members_status(i, from, to, Duration::hours(1)).unwrap();
        let schedule = c
            .scheduled_on_queue(i, from, to, Duration::hours(1))
            .unwrap();
        assert_eq!(members.len(), c.agents(i).unwrap().len());
        let mut interacting = 0;
        for (k, (_, scheduled)) in schedule.iter().enumerate() {
            let mut on_queue = 0;
            for a in &members {
                assert_eq!(a[k].routing_ms.iter().sum::<u64>(), 3_600_000);
                assert_eq!(a[k].presence_ms.iter().sum::<u64>(), 3_600_000);
                assert_eq!(a[k].on_queue_ms(), a[k].presence(SystemPresence::OnQueue));
                on_queue += a[k].on_queue_ms();
                interacting += a[k].routing(RoutingStatus::Interacting);
            }
            assert_eq!(on_queue as f64 / 3.6e6, *scheduled, "{name} bucket {k}");
        }
        assert!(interacting > 0, "{name}: agents do take contacts");
        let one = c.agent_status(i, 0, from, to, Duration::hours(1)).unwrap();
        assert_eq!(one, members[0]);
    }
}

#[test]
fn outbound_happens_only_on_campaign_queues_inside_their_windows() {
    let c = centre();
    let (from, to) = (local(2025, 11, 3, 0), local(2025, 12, 1, 0));
    for (i, spec) in c.queues().iter().enumerate() {
        let mut connected = 0;
        for b in quarter(&c, i, from, to) {
            if b.outbound_attempted == 0 {
                assert_eq!(b.outbound, Flow::default());
                continue;
            }
            let campaign = spec.campaign.as_ref().expect("only campaign queues dial");
            let t = local_of(&b);
            let slot = (t.hour() * 4 + t.minute() / 15) as u8;
            assert!(campaign.dials_at(t.weekday(), slot), "{} {t}", spec.name);
            assert!((8..21).contains(&t.hour()), "TCPA hours: {} {t}", spec.name);
            assert!(
                calendar::holiday_on(t.date_naive()).is_none(),
                "{} {t}",
                spec.name
            );
            assert!(b.outbound.offered <= b.outbound_attempted);
            assert_eq!(b.outbound.abandoned, 0);
            connected += b.outbound.offered;
        }
        assert_eq!(spec.is_campaign_queue(), connected > 0, "{}", spec.name);
    }
}

#[test]
fn coarser_buckets_are_sums_of_quarter_hours() {
    let c = centre();
    let (from, to) = (local(2025, 10, 17, 0), local(2025, 10, 21, 0));
    for i in [q(&c, "Support Email"), q(&c, "Sales Voice")] {
        let quarters = quarter(&c, i, from, to);
        let hours = hourly(&c, i, from, to);
        assert_eq!(quarters.len(), 4 * hours.len());
        for (h, four) in hours.iter().zip(quarters.chunks(4)) {
            let mut sum = BucketStats::empty(h.start);
            four.iter().for_each(|x| sum.merge(x));
            assert_eq!(*h, sum);
        }
    }
}

#[test]
fn daily_buckets_across_dst_follow_local_midnights() {
    let c = centre();
    let support = q(&c, DEFAULT_QUEUE);
    let bounds: Vec<_> = (1..=4).map(|d| local(2025, 11, d, 0)).collect();
    let days = c.queue_buckets_at(support, &bounds).unwrap();
    assert_eq!(days.len(), 3);
    for (w, d) in bounds.windows(2).zip(&days) {
        let hours = hourly(&c, support, w[0], w[1]);
        let mut sum = BucketStats::empty(w[0]);
        hours.iter().for_each(|x| sum.merge(x));
        assert_eq!(*d, sum);
    }
    assert_eq!(
        hourly(&c, support, bounds[1], bounds[2]).len(),
        25,
        "fall-back day"
    );
}

#[test]
fn e_mail_waiting_over_the_weekend_is_answered_on_monday_morning() {
    let c = centre();
    let email = q(&c, "Support Email");
    // Support Email handles Mon–Fri 08–18 and Sat 09–13; 2025-10-20 is a plain Monday.
    let waiting: u32 = quarter(&c, email, local(2025, 10, 18, 13), local(2025, 10, 20, 8))
        .iter()
        .map(|b| b.inbound.offered)
        .sum();
    let monday = quarter(&c, email, local(2025, 10, 20, 8), local(2025, 10, 20, 10));
    let handled: u32 = monday.iter().map(|b| b.inbound.handled).sum();
    let arrived: u32 = monday.iter().map(|b| b.inbound.offered).sum();
    assert!(waiting > 50);
    assert_eq!(handled, waiting + arrived);
}

#[test]
fn bad_requests_get_specific_errors() {
    let c = centre();
    let t = local(2025, 10, 20, 8);
    assert_eq!(
        c.queue_buckets(0, t, t + Duration::hours(2), Duration::minutes(10)),
        Err(CentreError::Step { secs: 600 })
    );
    let odd = t + Duration::minutes(7);
    assert_eq!(
        c.queue_buckets(0, odd, t + Duration::hours(2), Duration::hours(1)),
        Err(CentreError::Unaligned { at: odd })
    );
    assert_eq!(
        c.agents(24).map(|a| a.len()),
        Err(CentreError::NoQueue {
            index: 24,
            count: 24
        })
    );
    assert_eq!(
        c.queue_buckets_at(0, &[t, t]),
        Err(CentreError::Bounds { prev: t, next: t })
    );
    assert!(matches!(
        c.agent_status(1, 999, t, t + Duration::hours(1), Duration::hours(1)),
        Err(CentreError::NoAgent {
            queue: 1,
            index: 999,
            ..
        })
    ));
    assert_eq!(
        ContactCentre::new(1, 0, TZ, now()).err(),
        Some(CentreError::NoQueues)
    );
    let msg = CentreError::Step { secs: 600 }.to_string();
    assert!(msg.contains("600 s") && msg.contains("15 minutes"), "{msg}");
}

#[test]
fn the_module_doc_lists_every_template_queue() {
    let doc = include_str!("mod.rs");
    for (i, spec) in centre().queues().iter().enumerate() {
        let row = format!("//! | {i} | {} | {} |", spec.name, spec.media.as_str());
        assert!(doc.contains(&row), "missing doc row: {row}");
    }
}

#[test]
fn five_hundred_queues_have_unique_agents_and_data() {
    let c = ContactCentre::new(42, 500, TZ, now()).unwrap();
    assert_eq!(c.queues().len(), 500);
    let ids: HashSet<&str> = (0..500)
        .flat_map(|i| c.agents(i).unwrap().iter().map(|a| a.id.as_str()))
        .collect();
    let total: usize = (0..500).map(|i| c.agents(i).unwrap().len()).sum();
    assert_eq!(ids.len(), total);
    assert!(total > 5000, "{total} agents");
    let last = hourly(&c, 499, local(2025, 10, 20, 0), local(2025, 10, 27, 0));
    assert!(last.iter().map(|b| b.inbound.offered).sum::<u32>() > 0);
    let small = centre();
    assert_eq!(c.queues()[..24], small.queues()[..]);
    assert_eq!(c.agents(5).unwrap(), small.agents(5).unwrap());
}
