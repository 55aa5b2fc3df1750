//! The retry decision, apart from the I/O: after each attempt, [`Retry::decide`] says whether to
//! accept it, send again after a wait, refresh the token first, or give up. No clock, no
//! sleep, no network: the backoff schedule is injected, so every status class is unit-tested.
//!
//! The rules, after the official SDKs (shared/genesys-api/README.md (d), (h): the .NET SDK's
//! `ApiClient.Retry` retries 429/502/503/504, waits `Retry-After` (3 s if absent) and gives up
//! past a total time; the `gc` CLI retries connection errors, 429 and every 5xx but 501): a 401
//! on a bearer call refreshes the token once; a 429 waits `Retry-After` (3 s without one) up to
//! `max_retries` times, and fails at once when asked to wait longer than `max_retry_after`;
//! 503 and connect errors back off; other 5xx (not 501), timeouts, resets and a body cut off
//! mid-read back off only for idempotent calls (the server may have acted); everything else
//! is final. Whatever the count, no wait starts that would end past the call's total
//! `deadline` ([`Retry::decide_within`]). A call may also have a shorter budget for failures
//! (`failure_deadline`: attempts and backoff waits, not the waits a 429 asked for): the rate
//! limit is the org's, not the request's, so waiting it out as asked never spends that budget
//! (the rate-limit guide, https://developer.genesys.cloud/platform/api/rate-limits: "wait the
//! number of seconds in the `Retry-After` header, then retry").

use std::time::Duration;

use backon::BackoffBuilder;

use super::settings::ClientSettings;

/// Why an attempt got no usable response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The connection was never made (DNS, refused, TLS): the server did not act.
    Connect,
    /// The request timed out after it may have reached the server.
    Timeout,
    /// The response started but its body broke off.
    BodyInterrupted,
    /// The connection broke (reset, closed) after the request may have been sent.
    Reset,
    /// Anything else (a redirect loop, a request that could not be built).
    Other,
}

/// One attempt, reduced to what the decision needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// `retry_after` is the wait the response asked for, if any (read on every status; only a
    /// 429's is used).
    Answered {
        status: u16,
        retry_after: Option<Duration>,
    },
    Failed(Failure),
}

/// What to do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// A 2xx: hand the body back.
    Accept,
    /// Wait this long, then send again.
    Retry(Duration),
    /// Drop the token the attempt was sent with and send again at once.
    Refresh,
    /// Report the attempt's error.
    GiveUp(GiveUp),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GiveUp {
    /// The outcome is never retried (a 4xx, or a failure the server may have acted on).
    NotRetryable,
    /// Retryable, but the retries are used up.
    Exhausted,
    /// A 429 asked for `wait`, longer than the `cap` this client waits.
    RetryAfterTooLong { wait: Duration, cap: Duration },
    /// The next wait would end past one of the call's deadlines.
    Deadline(Budget),
}

/// Which of a call's two time limits ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Budget {
    /// [`RetryPolicy::deadline`]: everything, throttle waits included.
    Total,
    /// [`RetryPolicy::failure_deadline`]: all but the waits a 429 asked for.
    Failures,
}

/// The wait after a 429 without `Retry-After`, as the official .NET SDK does.
pub(crate) const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(3);

/// The limits one call is retried under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RetryPolicy {
    /// Most 429 retries, and most backoff waits (429s without `Retry-After`, 5xx, failures).
    pub max_retries: u32,
    /// Longest `Retry-After` honoured.
    pub max_retry_after: Duration,
    /// The wait for a 429 without `Retry-After` once the backoff schedule is used up.
    pub max_backoff: Duration,
    /// Whether sending twice is harmless; a call that creates something is retried only
    /// where the server surely did not act.
    pub idempotent: bool,
    /// Bearer calls refresh the token once on a 401.
    pub refresh_on_401: bool,
    /// Total time for the call, attempts and waits together.
    pub deadline: Duration,
    /// Of `deadline`, the most spent on anything but the waits a 429 asked for: shorter than
    /// `deadline` for part of a request that already failed for the whole of it, so a
    /// failing queue is given up on sooner while a throttled request still waits as asked.
    pub failure_deadline: Duration,
}

/// Capped exponential backoff with jitter, `max_retries` waits long: `min_backoff` doubling up
/// to `max_backoff`, each wait lengthened by a random fraction of itself.
pub(crate) fn backoff(settings: &ClientSettings) -> impl Iterator<Item = Duration> + Send {
    backon::ExponentialBuilder::default()
        .with_min_delay(settings.min_backoff)
        .with_max_delay(settings.max_backoff)
        .with_max_times(settings.max_retries as usize)
        .with_jitter()
        .build()
}

/// The retry state of one call: what has been spent so far.
pub(crate) struct Retry<B> {
    policy: RetryPolicy,
    /// The backoff waits left; `None` once they are used up.
    backoff: B,
    retries: u32,
    throttled: u32,
    /// The waits 429s asked for so far: not counted against `failure_deadline`.
    throttle_waited: Duration,
    refreshed: bool,
}

impl<B: Iterator<Item = Duration>> Retry<B> {
    pub(crate) fn new(policy: RetryPolicy, backoff: B) -> Self {
        Self {
            policy,
            backoff,
            retries: 0,
            throttled: 0,
            throttle_waited: Duration::ZERO,
            refreshed: false,
        }
    }

    /// Retries so far (token refreshes not counted), for the error report.
    pub(crate) fn retries(&self) -> u32 {
        self.retries
    }

    /// [`Self::decide`], `elapsed` into the call: a retry whose wait would end past the
    /// total deadline, or (unless it is a wait a 429 asked for) past the failure budget, is
    /// not started.
    pub(crate) fn decide_within(&mut self, outcome: &Outcome, elapsed: Duration) -> Decision {
        let failing = elapsed.saturating_sub(self.throttle_waited);
        let throttle = matches!(outcome, Outcome::Answered { status: 429, .. });
        match self.decide(outcome) {
            Decision::Retry(wait) if elapsed + wait >= self.policy.deadline => {
                Decision::GiveUp(GiveUp::Deadline(Budget::Total))
            }
            Decision::Retry(wait) => {
                let spent = if throttle { failing } else { failing + wait };
                if spent >= self.policy.failure_deadline {
                    return Decision::GiveUp(GiveUp::Deadline(Budget::Failures));
                }
                if throttle {
                    self.throttle_waited += wait;
                }
                Decision::Retry(wait)
            }
            d => d,
        }
    }

    /// The time an attempt sent `elapsed` into the call may take, and the limit that ends it.
    pub(crate) fn left(&self, elapsed: Duration) -> (Duration, Budget) {
        let total = self.policy.deadline.saturating_sub(elapsed);
        let failing = elapsed.saturating_sub(self.throttle_waited);
        let failures = self.policy.failure_deadline.saturating_sub(failing);
        if failures < total {
            (failures, Budget::Failures)
        } else {
            (total, Budget::Total)
        }
    }

    pub(crate) fn decide(&mut self, outcome: &Outcome) -> Decision {
        let p = self.policy;
        match *outcome {
            Outcome::Failed(failure) => {
                let retryable = match failure {
                    Failure::Connect => true,
                    Failure::Timeout | Failure::BodyInterrupted | Failure::Reset => p.idempotent,
                    Failure::Other => false,
                };
                self.back_off_if(retryable)
            }
            Outcome::Answered { status, .. } if (200..300).contains(&status) => Decision::Accept,
            Outcome::Answered { status: 401, .. } if p.refresh_on_401 && !self.refreshed => {
                self.refreshed = true;
                Decision::Refresh
            }
            Outcome::Answered {
                status: 429,
                retry_after,
            } => self.throttled(retry_after),
            Outcome::Answered { status, .. } => {
                let transient = match status {
                    503 => true,
                    501 => false,
                    500..=599 => p.idempotent,
                    _ => false,
                };
                self.back_off_if(transient)
            }
        }
    }

    fn back_off_if(&mut self, retryable: bool) -> Decision {
        if !retryable {
            return Decision::GiveUp(GiveUp::NotRetryable);
        }
        match self.backoff.next() {
            Some(delay) => {
                self.retries += 1;
                Decision::Retry(delay)
            }
            None => Decision::GiveUp(GiveUp::Exhausted),
        }
    }

    /// A 429: waits as asked (else the next backoff, else the longest), `max_retries` times.
    fn throttled(&mut self, retry_after: Option<Duration>) -> Decision {
        let cap = self.policy.max_retry_after;
        if let Some(wait) = retry_after
            && wait > cap
        {
            return Decision::GiveUp(GiveUp::RetryAfterTooLong { wait, cap });
        }
        if self.throttled >= self.policy.max_retries {
            return Decision::GiveUp(GiveUp::Exhausted);
        }
        self.throttled += 1;
        self.retries += 1;
        Decision::Retry(retry_after.unwrap_or(DEFAULT_RETRY_AFTER))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// Two retries, a 10 s cap on `Retry-After`, an idempotent bearer call.
    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_retries: 2,
            max_retry_after: Duration::from_secs(10),
            max_backoff: ms(999),
            idempotent: true,
            refresh_on_401: true,
            deadline: Duration::from_secs(60),
            failure_deadline: Duration::from_secs(60),
        }
    }

    /// A fixed schedule as long as `max_retries`, like the real one but without jitter.
    fn retry(policy: RetryPolicy) -> Retry<std::vec::IntoIter<Duration>> {
        let schedule: Vec<_> = [ms(10), ms(20), ms(40)]
            .into_iter()
            .take(policy.max_retries as usize)
            .collect();
        Retry::new(policy, schedule.into_iter())
    }

    fn status(status: u16) -> Outcome {
        Outcome::Answered {
            status,
            retry_after: None,
        }
    }

    fn throttled(secs: u64) -> Outcome {
        Outcome::Answered {
            status: 429,
            retry_after: Some(Duration::from_secs(secs)),
        }
    }

    fn decisions<B: Iterator<Item = Duration>>(
        r: &mut Retry<B>,
        o: Outcome,
        n: usize,
    ) -> Vec<Decision> {
        (0..n).map(|_| r.decide(&o)).collect()
    }

    const NOT_RETRYABLE: Decision = Decision::GiveUp(GiveUp::NotRetryable);
    const EXHAUSTED: Decision = Decision::GiveUp(GiveUp::Exhausted);

    #[test]
    fn success_is_accepted() {
        for s in [200, 201, 204] {
            assert_eq!(retry(policy()).decide(&status(s)), Decision::Accept);
        }
    }

    #[test]
    fn unauthorized_refreshes_once_on_bearer_calls_only() {
        let mut r = retry(policy());
        assert_eq!(
            decisions(&mut r, status(401), 2),
            [Decision::Refresh, NOT_RETRYABLE]
        );
        assert_eq!(r.retries(), 0, "a refresh is not a retry");
        let basic = RetryPolicy {
            refresh_on_401: false,
            ..policy()
        };
        assert_eq!(retry(basic).decide(&status(401)), NOT_RETRYABLE);
    }

    #[test]
    fn rate_limit_waits_as_asked_without_spending_backoff() {
        let mut r = retry(policy());
        assert_eq!(r.decide(&throttled(3)), Decision::Retry(ms(3000)));
        assert_eq!(r.decide(&status(503)), Decision::Retry(ms(10)));
        assert_eq!(r.retries(), 2);
    }

    #[test]
    fn rate_limit_without_retry_after_backs_off_then_waits_the_longest() {
        let mut r = retry(policy());
        assert_eq!(r.decide(&status(503)), Decision::Retry(ms(10)));
        assert_eq!(
            decisions(&mut r, status(429), 3),
            [
                Decision::Retry(DEFAULT_RETRY_AFTER),
                Decision::Retry(DEFAULT_RETRY_AFTER),
                EXHAUSTED
            ]
        );
    }

    #[test]
    fn rate_limit_gives_up_after_max_retries() {
        let mut r = retry(policy());
        assert_eq!(
            decisions(&mut r, throttled(1), 3),
            [
                Decision::Retry(ms(1000)),
                Decision::Retry(ms(1000)),
                EXHAUSTED
            ]
        );
        assert_eq!(r.retries(), 2);
    }

    #[test]
    fn retry_after_over_the_cap_fails_at_once_and_the_cap_itself_is_waited() {
        let cap = Duration::from_secs(10);
        assert_eq!(
            retry(policy()).decide(&throttled(11)),
            Decision::GiveUp(GiveUp::RetryAfterTooLong {
                wait: Duration::from_secs(11),
                cap
            })
        );
        assert_eq!(retry(policy()).decide(&throttled(10)), Decision::Retry(cap));
    }

    #[test]
    fn gateway_errors_back_off_then_give_up() {
        for s in [500, 502, 503, 504, 599] {
            let mut r = retry(policy());
            assert_eq!(
                decisions(&mut r, status(s), 3),
                [Decision::Retry(ms(10)), Decision::Retry(ms(20)), EXHAUSTED],
                "{s}"
            );
            assert_eq!(r.retries(), 2);
        }
    }

    #[test]
    fn only_503_is_retried_for_a_call_that_creates_something() {
        let create = RetryPolicy {
            idempotent: false,
            ..policy()
        };
        assert_eq!(retry(create).decide(&status(503)), Decision::Retry(ms(10)));
        assert_eq!(retry(create).decide(&status(502)), NOT_RETRYABLE);
        assert_eq!(retry(create).decide(&status(500)), NOT_RETRYABLE);
        assert_eq!(retry(create).decide(&status(504)), NOT_RETRYABLE);
        assert_eq!(
            retry(create).decide(&throttled(1)),
            Decision::Retry(ms(1000))
        );
    }

    #[test]
    fn connection_errors_back_off_where_the_server_surely_did_not_act() {
        let create = RetryPolicy {
            idempotent: false,
            ..policy()
        };
        let connect = Outcome::Failed(Failure::Connect);
        let mut r = retry(create);
        assert_eq!(
            decisions(&mut r, connect, 3),
            [Decision::Retry(ms(10)), Decision::Retry(ms(20)), EXHAUSTED]
        );
        for f in [Failure::Timeout, Failure::BodyInterrupted, Failure::Reset] {
            assert_eq!(
                retry(policy()).decide(&Outcome::Failed(f)),
                Decision::Retry(ms(10)),
                "{f:?}"
            );
            assert_eq!(
                retry(create).decide(&Outcome::Failed(f)),
                NOT_RETRYABLE,
                "{f:?}"
            );
        }
        assert_eq!(
            retry(policy()).decide(&Outcome::Failed(Failure::Other)),
            NOT_RETRYABLE
        );
    }

    #[test]
    fn client_errors_and_501_are_final_and_spend_nothing() {
        let mut r = retry(policy());
        for s in [400, 403, 404, 409, 422, 501] {
            assert_eq!(r.decide(&status(s)), NOT_RETRYABLE, "{s}");
        }
        assert_eq!(r.retries(), 0);
        assert_eq!(r.decide(&status(503)), Decision::Retry(ms(10)));
    }

    #[test]
    fn no_wait_starts_that_would_end_past_the_deadline() {
        let mut r = retry(RetryPolicy {
            max_retries: 20,
            deadline: Duration::from_secs(10),
            failure_deadline: Duration::from_secs(10),
            ..policy()
        });
        assert_eq!(
            r.decide_within(&throttled(3), Duration::from_secs(6)),
            Decision::Retry(Duration::from_secs(3))
        );
        assert_eq!(
            r.decide_within(&throttled(3), Duration::from_secs(7)),
            Decision::GiveUp(GiveUp::Deadline(Budget::Total))
        );
        // A success or a final error is not a wait: the deadline does not turn it into one.
        assert_eq!(
            r.decide_within(&status(200), Duration::from_secs(99)),
            Decision::Accept
        );
        assert_eq!(
            r.decide_within(&status(404), Duration::from_secs(99)),
            NOT_RETRYABLE
        );
    }

    /// Part of a request that already failed for the whole deadline: 5xx are given up on after
    /// the short failure budget, but a 429's wait is the org's rate limit and is waited as
    /// asked, even past that budget, within the total deadline.
    #[test]
    fn throttle_waits_do_not_spend_the_failure_budget() {
        let split = RetryPolicy {
            max_retries: 20,
            max_retry_after: Duration::from_secs(180),
            deadline: Duration::from_secs(180),
            failure_deadline: Duration::from_secs(2),
            ..policy()
        };
        let mut r = retry(split);
        assert_eq!(r.left(ms(0)), (Duration::from_secs(2), Budget::Failures));
        assert_eq!(
            r.decide_within(&throttled(40), ms(500)),
            Decision::Retry(Duration::from_secs(40))
        );
        // 40.5 s in, of which 0.5 s on failures: 1.5 s of the budget is left for attempts.
        let after = ms(40_500);
        assert_eq!(r.left(after), (ms(1500), Budget::Failures));
        assert_eq!(
            r.decide_within(&status(503), after),
            Decision::Retry(ms(10))
        );
        assert_eq!(
            r.decide_within(&status(503), ms(42_000)),
            Decision::GiveUp(GiveUp::Deadline(Budget::Failures))
        );
        // A throttle wait is still bounded by the total deadline.
        let mut r = retry(split);
        assert_eq!(
            r.decide_within(&throttled(10), Duration::from_secs(175)),
            Decision::GiveUp(GiveUp::Deadline(Budget::Total))
        );
        // Without a separate budget, nothing changes: the total deadline is the one that ends.
        let mut r = retry(policy());
        assert_eq!(r.left(ms(1000)), (Duration::from_secs(59), Budget::Total));
        r.decide_within(&throttled(5), ms(1000));
        assert_eq!(r.left(ms(6000)), (Duration::from_secs(54), Budget::Total));
    }

    #[test]
    fn real_backoff_doubles_with_jitter_up_to_the_cap_max_retries_times() {
        let mut s = ClientSettings::for_base("http://127.0.0.1:1", "id", "secret");
        s.min_backoff = ms(100);
        s.max_backoff = ms(400);
        s.max_retries = 4;
        let waits: Vec<_> = backoff(&s).collect();
        assert_eq!(waits.len(), 4);
        for (wait, base) in waits.iter().zip([100, 200, 400, 400]) {
            assert!(
                (ms(base)..=ms(2 * base)).contains(wait),
                "{wait:?} not in {base}..={} ms",
                2 * base
            );
        }
    }
}
