//! Erlang C (M/M/c) for contact-centre staffing: probability of waiting, service level, ASA,
//! occupancy, and the agents a traffic load needs.
//!
//! Written by hand because no maintained crate on crates.io does Erlang C staffing (the one
//! call-centre crate, opencct 0.1.0, is an undocumented work in progress): the formula is a few
//! lines, and getting the few lines numerically right is the whole job. The textbook
//! form `A^N / N!` overflows `f64` from about 170 agents, so everything here goes through the
//! Erlang B recursion `B(0) = 1, B(n) = A·B(n−1) / (n + A·B(n−1))`, whose terms stay in
//! (0, 1] for any size, and takes C from B: `C = n·B / (n − A·(1 − B))`. Searching the
//! required agents walks the same recursion upwards, so finding 300 agents costs 300
//! multiply-divides, and each candidate above the first costs one more step.
//!
//! Units: traffic `A` in erlangs (contacts per second × AHT seconds), times in seconds.

/// Erlang B (blocking probability of the loss system) for `agents` servers offered `traffic`
/// erlangs, by the stable recursion. `1.0` for zero agents.
pub fn erlang_b(traffic: f64, agents: u32) -> f64 {
    let mut b = 1.0;
    for n in 1..=agents {
        b = next_b(traffic, b, n);
    }
    b
}

/// One step of the recursion: B(n) from B(n − 1).
fn next_b(traffic: f64, prev: f64, n: u32) -> f64 {
    let ab = traffic * prev;
    ab / (f64::from(n) + ab)
}

/// Erlang C from Erlang B for the same `(traffic, agents)`; `1.0` when the queue is unstable
/// (`agents ≤ traffic`: every contact waits, and the wait grows without bound).
fn c_from_b(traffic: f64, agents: u32, b: f64) -> f64 {
    let n = f64::from(agents);
    if traffic <= 0.0 {
        return 0.0;
    }
    if n <= traffic {
        return 1.0;
    }
    (n * b / (n - traffic * (1.0 - b))).clamp(0.0, 1.0)
}

/// Erlang C: the probability that a contact waits at all (all `agents` busy on arrival).
pub fn erlang_c(traffic: f64, agents: u32) -> f64 {
    c_from_b(traffic, agents, erlang_b(traffic, agents))
}

/// The queue's steady state for one `(traffic, agents)` pair.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QueueStats {
    pub traffic: f64,
    pub agents: u32,
    /// Erlang C: P(wait > 0).
    pub wait_probability: f64,
    /// P(wait ≤ `answer_within_s`).
    pub service_level: f64,
    /// Average speed of answer over all contacts (seconds); infinite when unstable.
    pub asa_s: f64,
    /// Fraction of agent time spent handling contacts: `A / agents`, capped at 1.
    pub occupancy: f64,
}

/// Service level, ASA and occupancy from an Erlang C value.
fn stats_from_c(traffic: f64, agents: u32, c: f64, aht_s: f64, answer_within_s: f64) -> QueueStats {
    let n = f64::from(agents);
    let stable = n > traffic;
    let (service_level, asa_s) = if traffic <= 0.0 {
        (1.0, 0.0)
    } else if stable {
        // FIFO M/M/c: P(W > t) = C · exp(−(n − A) · t / AHT).
        let sl = 1.0 - c * (-(n - traffic) * answer_within_s / aht_s).exp();
        (sl.clamp(0.0, 1.0), c * aht_s / (n - traffic))
    } else {
        (0.0, f64::INFINITY)
    };
    QueueStats {
        traffic,
        agents,
        wait_probability: c,
        service_level,
        asa_s,
        occupancy: if agents == 0 {
            if traffic > 0.0 { 1.0 } else { 0.0 }
        } else {
            (traffic / n).min(1.0)
        },
    }
}

/// Everything Erlang C says about `agents` agents serving `traffic` erlangs of contacts whose
/// mean handle time is `aht_s`, with the service level measured at `answer_within_s`.
pub fn queue_stats(traffic: f64, agents: u32, aht_s: f64, answer_within_s: f64) -> QueueStats {
    stats_from_c(
        traffic,
        agents,
        erlang_c(traffic, agents),
        aht_s,
        answer_within_s,
    )
}

/// P(wait ≤ `answer_within_s`).
pub fn service_level(traffic: f64, agents: u32, aht_s: f64, answer_within_s: f64) -> f64 {
    queue_stats(traffic, agents, aht_s, answer_within_s).service_level
}

/// Average speed of answer (seconds) over all contacts, answered at once or not.
pub fn asa(traffic: f64, agents: u32, aht_s: f64) -> f64 {
    queue_stats(traffic, agents, aht_s, 0.0).asa_s
}

/// Agent occupancy `A / agents` (capped at 1).
pub fn occupancy(traffic: f64, agents: u32) -> f64 {
    queue_stats(traffic, agents, 1.0, 0.0).occupancy
}

/// What a bucket's staffing must achieve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ServiceGoal {
    /// Target fraction answered within `answer_within_s`, e.g. 0.80.
    pub service_level: f64,
    pub answer_within_s: f64,
    /// Upper limit of `A / agents`, e.g. 0.85: above it agents burn out even when the service
    /// level is met (large centres meet 80/20 at 95 % occupancy).
    pub max_occupancy: f64,
}

/// Agents beyond which the search gives up: a bucket needing more is a data error, not a plan.
pub const MAX_AGENTS: u32 = 100_000;

/// The smallest number of agents on queue that meets `goal` for `traffic` erlangs of contacts
/// with mean handle time `aht_s`, with its queue statistics. Zero traffic needs zero agents.
///
/// The search starts at the larger of ⌊A⌋ + 1 (stability) and ⌈A / max_occupancy⌉, computes
/// Erlang B there by the recursion, then steps up one agent at a time, each step one more
/// recursion term. `None` when more than [`MAX_AGENTS`] would be needed or the inputs are not
/// finite and positive.
pub fn required_agents(traffic: f64, aht_s: f64, goal: &ServiceGoal) -> Option<QueueStats> {
    if !(traffic.is_finite() && aht_s.is_finite() && aht_s > 0.0) || traffic < 0.0 {
        return None;
    }
    if traffic == 0.0 {
        return Some(stats_from_c(0.0, 0, 0.0, aht_s, goal.answer_within_s));
    }
    let stable = traffic.floor() + 1.0;
    let by_occupancy = if goal.max_occupancy > 0.0 {
        // A hair of tolerance so A = 8.5 at 0.85 asks for 10, not 11, after rounding noise.
        (traffic / goal.max_occupancy - 1e-9).ceil()
    } else {
        stable
    };
    let start = stable.max(by_occupancy);
    if start > f64::from(MAX_AGENTS) {
        return None;
    }
    let mut n = start as u32;
    let mut b = erlang_b(traffic, n);
    loop {
        let stats = stats_from_c(
            traffic,
            n,
            c_from_b(traffic, n, b),
            aht_s,
            goal.answer_within_s,
        );
        if stats.service_level >= goal.service_level {
            return Some(stats);
        }
        if n >= MAX_AGENTS {
            return None;
        }
        n += 1;
        b = next_b(traffic, b, n);
    }
}

/// The largest traffic (erlangs) `agents` agents can take with P(wait > 0) ≤ `wait_probability`:
/// the inverse that printed Erlang C tables list. Bisection on A ∈ (0, agents), where C rises
/// monotonically from 0 to 1.
pub fn traffic_for_wait_probability(agents: u32, wait_probability: f64) -> f64 {
    let (mut lo, mut hi) = (0.0, f64::from(agents));
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if erlang_c(mid, agents) <= wait_probability {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

/// Agents to schedule so that `on_queue` are on queue after `shrinkage` (breaks, training,
/// absence: the fraction of paid time not on queue): ⌈on_queue / (1 − shrinkage)⌉.
pub fn scheduled_agents(on_queue: u32, shrinkage: f64) -> u32 {
    if on_queue == 0 {
        return 0;
    }
    let keep = (1.0 - shrinkage).clamp(f64::MIN_POSITIVE, 1.0);
    (f64::from(on_queue) / keep - 1e-9).ceil() as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;
    use rand_distr::{Distribution, Exp};

    fn close(got: f64, want: f64, tol: f64, what: &str) {
        assert!(
            (got - want).abs() <= tol,
            "{what}: got {got}, want {want} ± {tol}"
        );
    }

    /// Call Centre Helper's worked example "Erlang C formula – made simple" (100 calls per
    /// 30 min, AHT 180 s, so A = 10 erlangs; 80 % in 20 s), as printed to 7 digits in the
    /// README of the CRAN package ErlangC 0.1.0 (Damonsoul/ErlangC, `calculate_agents` example,
    /// `$process` table): agents, P(wait), service level, ASA (s), occupancy.
    const CALL_CENTRE_HELPER: [(u32, f64, f64, f64, f64); 4] = [
        (11, 0.6821182, 0.3896138, 122.78127684408, 0.9090909),
        (12, 0.4493882, 0.640158, 40.4449401868444, 0.8333333),
        (13, 0.2852705, 0.7955948, 17.1162271821896, 0.7692308),
        (14, 0.1741319, 0.88835, 7.83593701177724, 0.7142857),
    ];

    #[test]
    fn matches_the_published_call_centre_helper_table() {
        for (agents, pw, sl, asa_s, occ) in CALL_CENTRE_HELPER {
            let s = queue_stats(10.0, agents, 180.0, 20.0);
            close(
                s.wait_probability,
                pw,
                5e-8,
                &format!("P(wait) at {agents}"),
            );
            close(s.service_level, sl, 5e-7, &format!("SL at {agents}"));
            close(s.asa_s, asa_s, 1e-9, &format!("ASA at {agents}"));
            close(s.occupancy, occ, 5e-8, &format!("occupancy at {agents}"));
        }
        // The same source's answer for 80/20, and its shrinkage step: 14 on queue at 30 %
        // shrinkage is 20 to schedule (`$agents_shrinked`).
        let goal = ServiceGoal {
            service_level: 0.8,
            answer_within_s: 20.0,
            max_occupancy: 0.85,
        };
        let need = required_agents(10.0, 180.0, &goal).unwrap();
        assert_eq!(need.agents, 14);
        assert_eq!(scheduled_agents(need.agents, 0.3), 20);
    }

    /// Dunlop, Girma & Irvine, "Digital Mobile Communications and the TETRA System" (Wiley,
    /// 1999), Appendix A.4 "Erlang C table (for blocked-calls-queued)", worked example: the
    /// table gives 3.87 E for 8 channels at 5 % probability of queueing and 4.08 E for 10
    /// channels at 1 %; at 3.87 E the share of queued calls waiting longer than one holding
    /// time is 0.016 with 8 channels and 0.0022 with 10.
    #[test]
    fn matches_the_published_tetra_erlang_c_table() {
        for (channels, p, table_erlangs) in [(8, 0.05, 3.87), (10, 0.01, 4.08)] {
            let a = traffic_for_wait_probability(channels, p);
            close(
                a,
                table_erlangs,
                0.005,
                &format!("traffic for {channels} at {p}"),
            );
            close(erlang_c(a, channels), p, 1e-9, "inverse round trip");
        }
        // Each to the precision printed: ± half a unit in its last digit.
        for (channels, published, tol) in [(8u32, 0.016, 0.0005), (10, 0.0022, 0.00005)] {
            // P(W > T | W > 0) = exp(−(C − A)·t/T) at t = T.
            let a = 3.87;
            let s = queue_stats(a, channels, 1.0, 1.0);
            let beyond = (1.0 - s.service_level) / s.wait_probability;
            close(
                beyond,
                published,
                tol,
                &format!("queued beyond T, {channels} ch"),
            );
        }
    }

    /// Large centres, where `A^N/N!` overflows f64 (A = 180, N = 200 is ~1e451): reference
    /// values from tools/erlang_reference.py, the closed form summed directly at 80 digits with
    /// mpmath (independent of the recursion used here). Printed tables stop below 200 agents.
    /// (traffic, agents, AHT s, within s, P(wait), SL, ASA s)
    const LARGE: [(f64, u32, f64, f64, f64, f64, f64); 6] = [
        (
            48.0,
            55,
            240.0,
            15.0,
            0.238700936378009,
            0.84588309217058,
            8.18403210438889,
        ),
        (
            180.0,
            200,
            300.0,
            20.0,
            0.0944712181775908,
            0.975097657254081,
            1.41706827266386,
        ),
        (
            230.0,
            250,
            300.0,
            20.0,
            0.130808068720835,
            0.965519367442743,
            1.96212103081253,
        ),
        (
            275.5,
            300,
            180.0,
            20.0,
            0.0957051234828491,
            0.993709443052409,
            0.703139682731136,
        ),
        (
            440.0,
            470,
            420.0,
            30.0,
            0.103417844411674,
            0.987867104734357,
            1.44784982176343,
        ),
        (
            900.0,
            940,
            300.0,
            20.0,
            0.123299238061551,
            0.991432743406342,
            0.924744285461629,
        ),
    ];

    #[test]
    fn exact_for_hundreds_of_agents() {
        for (a, n, aht, t, pw, sl, asa_s) in LARGE {
            let s = queue_stats(a, n, aht, t);
            let what = format!("A = {a}, N = {n}");
            close(s.wait_probability, pw, 1e-12, &what);
            close(s.service_level, sl, 1e-12, &what);
            close(s.asa_s, asa_s, 1e-10, &what);
        }
    }

    #[test]
    fn required_agents_match_the_reference_search() {
        // (traffic, AHT, SL goal, within, max occupancy, agents) from tools/erlang_reference.py.
        let cases = [
            (10.0, 180.0, 0.8, 20.0, 1.0, 14),
            (10.0, 180.0, 0.8, 20.0, 0.85, 14),
            (48.0, 240.0, 0.8, 15.0, 1.0, 55),
            (230.0, 300.0, 0.8, 20.0, 1.0, 241),
            (230.0, 300.0, 0.8, 20.0, 0.85, 271),
            (900.0, 300.0, 0.95, 10.0, 1.0, 936),
        ];
        for (a, aht, sl, t, occ, want) in cases {
            let goal = ServiceGoal {
                service_level: sl,
                answer_within_s: t,
                max_occupancy: occ,
            };
            let got = required_agents(a, aht, &goal).unwrap();
            assert_eq!(got.agents, want, "A = {a}, goal {sl}/{t}, occupancy {occ}");
            assert!(got.service_level >= sl && got.occupancy <= occ);
            if occ == 1.0 {
                // Minimal: one agent fewer misses the goal.
                assert!(service_level(a, want - 1, aht, t) < sl);
            }
        }
    }

    #[test]
    fn edge_cases() {
        let goal = ServiceGoal {
            service_level: 0.8,
            answer_within_s: 20.0,
            max_occupancy: 0.85,
        };
        assert_eq!(required_agents(0.0, 300.0, &goal).unwrap().agents, 0);
        // A trickle still needs one agent.
        assert_eq!(required_agents(0.01, 300.0, &goal).unwrap().agents, 1);
        assert!(required_agents(f64::NAN, 300.0, &goal).is_none());
        assert!(required_agents(5.0, 0.0, &goal).is_none());
        assert!(required_agents(1e6, 300.0, &goal).is_none());
        // Unstable: everyone waits forever.
        let s = queue_stats(12.0, 12, 300.0, 20.0);
        assert_eq!((s.wait_probability, s.service_level), (1.0, 0.0));
        assert!(s.asa_s.is_infinite());
        assert_eq!(erlang_b(5.0, 0), 1.0);
        close(erlang_b(1.0, 1), 0.5, 1e-15, "B(1, 1)");
        close(occupancy(8.5, 10), 0.85, 1e-15, "occupancy");
        close(asa(10.0, 14, 180.0), 7.83593701177724, 1e-9, "asa");
        assert_eq!(scheduled_agents(0, 0.3), 0);
        assert_eq!(scheduled_agents(7, 0.3), 10);
        assert_eq!(scheduled_agents(10, 0.0), 10);
    }

    /// Batch means of P(wait ≤ t) in a FIFO M/M/c simulation (service time unit = AHT 1).
    /// With FIFO and identical servers, each arrival takes the server that frees first.
    fn simulate_service_level(
        traffic: f64,
        agents: usize,
        within: f64,
        batches: usize,
        per_batch: usize,
        seed: u64,
    ) -> Vec<f64> {
        let mut rng = StdRng::seed_from_u64(seed);
        let inter = Exp::new(traffic).unwrap();
        let service = Exp::new(1.0).unwrap();
        let mut free_at = vec![0.0f64; agents];
        let mut now = 0.0;
        let warmup = per_batch;
        let mut out = Vec::with_capacity(batches);
        let mut hits = 0usize;
        for i in 0..warmup + batches * per_batch {
            now += inter.sample(&mut rng);
            let (k, &first_free) = free_at
                .iter()
                .enumerate()
                .min_by(|a, b| a.1.total_cmp(b.1))
                .unwrap();
            let start = first_free.max(now);
            free_at[k] = start + service.sample(&mut rng);
            if i >= warmup {
                hits += usize::from(start - now <= within);
                if (i - warmup + 1).is_multiple_of(per_batch) {
                    out.push(hits as f64 / per_batch as f64);
                    hits = 0;
                }
            }
        }
        out
    }

    #[test]
    fn simulation_of_m_m_c_agrees_within_its_confidence_interval() {
        // (traffic, agents, within as a fraction of AHT): a small team and a mid-size one.
        for (traffic, agents, within) in [(8.0, 10u32, 0.1), (45.0, 50, 0.05)] {
            let batches = simulate_service_level(traffic, agents as usize, within, 20, 25_000, 7);
            let n = batches.len() as f64;
            let mean = batches.iter().sum::<f64>() / n;
            let var = batches.iter().map(|b| (b - mean).powi(2)).sum::<f64>() / (n - 1.0);
            // 99 % two-sided Student t with 19 degrees of freedom.
            let half = 2.861 * (var / n).sqrt();
            let formula = service_level(traffic, agents, 1.0, within);
            assert!(
                (mean - formula).abs() <= half,
                "A = {traffic}, N = {agents}: simulated {mean:.4} ± {half:.4}, formula {formula:.4}"
            );
            // The interval is tight enough to tell Erlang C from a wrong model: treating the
            // queue as Erlang B (blocked = waiting) gives a service level outside it.
            let wrong =
                1.0 - erlang_b(traffic, agents) * (-(f64::from(agents) - traffic) * within).exp();
            assert!(
                (mean - wrong).abs() > half,
                "CI too wide to discriminate: ±{half}"
            );
        }
    }
}
