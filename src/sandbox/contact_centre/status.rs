//! Agent states with the names Genesys Cloud's user analytics use.
//!
//! Sources (official Python SDK, MyPureCloud/platform-client-sdk-python,
//! `build/PureCloudPlatformClientV2/models/`):
//! - `analytics_routing_status_record.py`: `routing_status` ∈ OFF_QUEUE, IDLE, INTERACTING,
//!   NOT_RESPONDING, COMMUNICATING.
//! - `analytics_user_presence_record.py`: `system_presence` ∈ AVAILABLE, AWAY, BUSY, OFFLINE,
//!   IDLE, ON_QUEUE, MEAL, TRAINING, MEETING, BREAK.
//! - `user_aggregation_view.py`: metrics `tAgentRoutingStatus`, `tOrganizationPresence`,
//!   `tSystemPresence`; `user_aggregate_query_predicate.py`: dimensions
//!   `organizationPresenceId`, `routingStatus`, `systemPresence`, `userId`.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::calendar::SLOT_SECS;
use super::roster::{Activity, Agent};
use super::traffic::{DayPlan, QueueCtx, Slot};

const SLOT_MS: u64 = SLOT_SECS as u64 * 1000;

/// An agent's ACD routing status (`routingStatus` dimension, `tAgentRoutingStatus` metric).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RoutingStatus {
    OffQueue,
    Idle,
    Interacting,
    NotResponding,
    Communicating,
}

impl RoutingStatus {
    pub const ALL: [Self; 5] = [
        Self::OffQueue,
        Self::Idle,
        Self::Interacting,
        Self::NotResponding,
        Self::Communicating,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::OffQueue => "OFF_QUEUE",
            Self::Idle => "IDLE",
            Self::Interacting => "INTERACTING",
            Self::NotResponding => "NOT_RESPONDING",
            Self::Communicating => "COMMUNICATING",
        }
    }

    /// Every status but OFF_QUEUE means the agent is on queue.
    pub fn is_on_queue(self) -> bool {
        self != Self::OffQueue
    }
}

/// An agent's system presence (`systemPresence` dimension, `tSystemPresence` metric).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SystemPresence {
    Available,
    Away,
    Busy,
    Offline,
    Idle,
    OnQueue,
    Meal,
    Training,
    Meeting,
    Break,
}

impl SystemPresence {
    pub const ALL: [Self; 10] = [
        Self::Available,
        Self::Away,
        Self::Busy,
        Self::Offline,
        Self::Idle,
        Self::OnQueue,
        Self::Meal,
        Self::Training,
        Self::Meeting,
        Self::Break,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Available => "AVAILABLE",
            Self::Away => "AWAY",
            Self::Busy => "BUSY",
            Self::Offline => "OFFLINE",
            Self::Idle => "IDLE",
            Self::OnQueue => "ON_QUEUE",
            Self::Meal => "MEAL",
            Self::Training => "TRAINING",
            Self::Meeting => "MEETING",
            Self::Break => "BREAK",
        }
    }

    /// The sandbox org's presence definition for this system presence (one per system
    /// presence, as an org that never added its own): a stable UUID for the
    /// `organizationPresenceId` dimension and `tOrganizationPresence`.
    pub fn organization_presence_id(self) -> String {
        Uuid::new_v5(
            &Uuid::NAMESPACE_URL,
            format!(
                "https://queuecast.invalid/sandbox/presence/{}",
                self.as_str()
            )
            .as_bytes(),
        )
        .to_string()
    }
}

/// Time one agent spent in each state during one bucket, in milliseconds (Genesys timers are
/// milliseconds). Routing times and presence times each sum to the bucket's length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgentBucket {
    pub start: DateTime<Utc>,
    /// Indexed like [`RoutingStatus::ALL`].
    pub routing_ms: [u64; 5],
    /// Indexed like [`SystemPresence::ALL`].
    pub presence_ms: [u64; 10],
}

impl AgentBucket {
    pub fn empty(start: DateTime<Utc>) -> Self {
        Self {
            start,
            routing_ms: [0; 5],
            presence_ms: [0; 10],
        }
    }

    pub fn routing(&self, s: RoutingStatus) -> u64 {
        self.routing_ms[s as usize]
    }

    pub fn presence(&self, p: SystemPresence) -> u64 {
        self.presence_ms[p as usize]
    }

    /// Time on queue (every routing status but OFF_QUEUE).
    pub fn on_queue_ms(&self) -> u64 {
        RoutingStatus::ALL
            .iter()
            .filter(|s| s.is_on_queue())
            .map(|&s| self.routing(s))
            .sum()
    }

    pub(crate) fn add(&mut self, o: &AgentBucket) {
        for (a, b) in self.routing_ms.iter_mut().zip(o.routing_ms) {
            *a += b;
        }
        for (a, b) in self.presence_ms.iter_mut().zip(o.presence_ms) {
            *a += b;
        }
    }
}

/// Share of on-queue time spent interacting in the day's `i`-th slot: the slot's handled work
/// (inbound and outbound `tHandle` ÷ concurrency) over its on-queue agent time, at most 1.
pub(crate) fn occupancy(ctx: &QueueCtx, plan: &DayPlan, i: usize, slot: &Slot) -> f64 {
    let agents = plan.agents(ctx, i);
    if agents == 0 {
        return 0.0;
    }
    let work_ms = (slot.inbound.handle_ms_sum + slot.outbound.handle_ms_sum) as f64
        / ctx.spec.media.params().concurrency;
    (work_ms / (f64::from(agents) * SLOT_MS as f64)).min(1.0)
}

/// One agent's state times in the day's `i`-th slot (see the module doc of `contact_centre`).
pub(crate) fn slot_state(
    ctx: &QueueCtx,
    plan: &DayPlan,
    i: usize,
    agent: &Agent,
    occupancy: f64,
) -> AgentBucket {
    let activity = if plan.closed {
        None
    } else {
        agent
            .shift(plan.wd)
            .and_then(|s| s.activity(plan.day().local_slots[i]))
    };
    let (presence, on_queue) = match activity {
        None => (SystemPresence::Offline, false),
        Some(Activity::OnQueue) if plan.open(ctx, i) => (SystemPresence::OnQueue, true),
        Some(Activity::OnQueue) => (SystemPresence::Available, false),
        Some(Activity::BackOffice) => (SystemPresence::Busy, false),
        Some(Activity::Break) => (SystemPresence::Break, false),
        Some(Activity::Meal) => (SystemPresence::Meal, false),
    };
    let start = DateTime::from_timestamp(plan.day().slot_utc(i), 0).expect("in range");
    let mut b = AgentBucket::empty(start);
    b.presence_ms[presence as usize] = SLOT_MS;
    if on_queue {
        let busy = (SLOT_MS as f64 * occupancy).round() as u64;
        b.routing_ms[RoutingStatus::Interacting as usize] = busy;
        b.routing_ms[RoutingStatus::Idle as usize] = SLOT_MS - busy;
    } else {
        b.routing_ms[RoutingStatus::OffQueue as usize] = SLOT_MS;
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_match_all_and_presence_ids_are_distinct() {
        for (i, s) in RoutingStatus::ALL.iter().enumerate() {
            assert_eq!(*s as usize, i);
        }
        for (i, p) in SystemPresence::ALL.iter().enumerate() {
            assert_eq!(*p as usize, i);
        }
        let ids: std::collections::HashSet<_> = SystemPresence::ALL
            .iter()
            .map(|p| p.organization_presence_id())
            .collect();
        assert_eq!(ids.len(), 10);
    }
}
