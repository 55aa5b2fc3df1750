//! When a failed group of queues is split in halves, and when splitting stops: the failure
//! may belong to one queue of the group, or to the server.
//!
//! Once a group has failed for the whole retry deadline, its halves (and theirs) each get
//! `ClientSettings::split_deadline` (30 s by default, a few backoff retries of a 5xx) to keep
//! failing, so pinning one bad queue among 50 costs about six of these rather than six full
//! deadlines. The waits a 429 asks for are not counted against it
//! (`GenesysClient::failures_within`): throttling is the org's rate limit, and a half
//! throttled with a `Retry-After` longer than the split deadline waits as asked, within
//! `genesys.retry_deadline_secs` like any call, instead of failing the whole fetch.

use super::GenesysError;

/// Whether a failed group of queues is worth splitting: the failure may belong to one queue
/// or to the request's size. Auth, throttling, unreachable or silent servers are not. A call
/// that ran out of its retry deadline (`genesys.retry_deadline_secs`, 180 s by default, which a
/// queue answered with 5xx on every attempt reaches before the retries run out) counts as
/// what its last attempt got: an HTTP answer is split like that answer would be.
pub(super) fn splittable(e: &GenesysError) -> bool {
    let answered = |status: u16| !matches!(status, 401 | 429);
    match e {
        GenesysError::Api { status, .. } => answered(*status),
        GenesysError::Deadline {
            last_status: Some(status),
            ..
        } => answered(*status),
        GenesysError::Decode { .. } => true,
        _ => false,
    }
}

/// Whether splitting should stop because the server, not a queue, is failing: no request of
/// the fetch has been answered yet and more than one group has now run out of retry time. A
/// group that times out is split once (one bad queue may be in it); when its halves, or the
/// groups of the first pass, all time out too, a full outage would otherwise cost one retry
/// deadline per halving.
pub(super) fn server_wide(failed: &[(Vec<String>, GenesysError)], answered: bool) -> bool {
    !answered
        && failed.len() > 1
        && failed
            .iter()
            .all(|(_, e)| matches!(e, GenesysError::Deadline { .. }))
}
