//! Client for the real Genesys Cloud Platform API v2: OAuth client credentials on the login
//! host, retries that respect rate limits, queues, conversation aggregates (chunked and
//! merged), and the outbound calls the campaign review needs.
//!
//! Inside: `settings` (hosts, limits) and `transport` (one attempt) at the bottom; `retry`
//! (the pure decision) and `auth` (token request and cache) on them; `client` (the retry
//! loop) on all of those; the endpoint modules (`queues`, `aggregates`, `outbound`, `telephony`,
//! `members`, `users_aggregates`) on `client`; `permissions` lists every operation with the
//! permission it needs (the doctor's and the README's one table).

mod aggregates;
mod auth;
mod client;
mod error;
mod members;
pub mod models;
mod outbound;
pub mod permissions;
mod queues;
pub mod regions;
mod retry;
mod secret;
mod settings;
mod telephony;
mod transport;
mod users_aggregates;

pub use aggregates::{
    AggregateBucket, AggregateQuery, DEFAULT_QUEUES_PER_QUERY, Direction, DirectionDimension,
    FetchProgress, Metric, PerQueue, TimeRange, TimerStats, iso_instant,
};
pub use auth::EXPIRY_MARGIN;
pub use client::{GenesysClient, RetryNotice};
pub use error::GenesysError;
pub use members::{MemberUser, QueueMember};
pub use models::*;
pub use permissions::{OPERATIONS, Operation, Probe, permissions_markdown};
pub use secret::Secret;
pub use settings::{
    ClientSettings, ENV_ACCESS_TOKEN, ENV_API_BASE, ENV_CLIENT_ID, ENV_CLIENT_SECRET, ENV_REGION,
    EndpointError, Endpoints,
};
pub use transport::CORRELATION_HEADER;
pub use users_aggregates::{
    MAX_USERS_PER_QUERY, MIN_GRANULARITY_MINUTES, UserStatusBucket, UserStatusQuery,
};
