//! Client for the real Genesys Cloud Platform API v2: OAuth, retries, queues, aggregates, outbound.

pub mod models;

pub use models::*;
