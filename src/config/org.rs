//! `[genesys]`: where the org is and how to reach it. The client secret and a ready token are
//! redacted from `Debug`, because configs end up in logs and panic messages.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::ConfigError;
use crate::genesys::{ClientSettings, DEFAULT_QUEUES_PER_QUERY, Endpoints};

#[derive(Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct GenesysConfig {
    /// Region domain (`mypurecloud.ie`) or AWS region name (`eu-west-1`).
    pub region: Option<String>,
    /// Full base URL overriding the region (sandbox, proxy); login is served from the same base.
    pub api_base: Option<String>,
    pub client_id: Option<String>,
    /// Prefer the env var; a secret in a file is accepted but never written back or printed.
    pub client_secret: Option<String>,
    pub connect_timeout_secs: u64,
    pub request_timeout_secs: u64,
    /// Longest `Retry-After` honoured before giving up (the official SDKs use 3 minutes).
    pub max_retry_after_secs: u64,
    /// Retries for 502/503/504 and connection errors.
    pub max_retries: u32,
    /// Total seconds for one request, attempts and waits together.
    pub retry_deadline_secs: u64,
    /// Days per aggregates query when a long range is split.
    pub chunk_days: u32,
    /// Aggregates queries in flight at once.
    pub max_concurrency: usize,
    /// A ready bearer token from `GENESYSCLOUD_ACCESS_TOKEN` (the variable the official `gc`
    /// CLI honours) or a gc profile's `access_token`: used instead of client credentials.
    /// Never read from or written to queuecast's own file, never printed.
    #[serde(skip)]
    pub access_token: Option<String>,
    /// Queues per aggregates query (the or-clause of queue ids). Genesys documents no limit on
    /// predicates per filter; this is a conservative choice (see `genesys/aggregates.rs`).
    pub queues_per_query: usize,
}

impl Default for GenesysConfig {
    fn default() -> Self {
        Self {
            region: None,
            api_base: None,
            client_id: None,
            client_secret: None,
            connect_timeout_secs: ClientSettings::DEFAULT_CONNECT_TIMEOUT.as_secs(),
            request_timeout_secs: ClientSettings::DEFAULT_REQUEST_TIMEOUT.as_secs(),
            max_retry_after_secs: ClientSettings::DEFAULT_MAX_RETRY_AFTER.as_secs(),
            max_retries: ClientSettings::DEFAULT_MAX_RETRIES,
            retry_deadline_secs: ClientSettings::DEFAULT_RETRY_DEADLINE.as_secs(),
            chunk_days: 7,
            max_concurrency: 3,
            access_token: None,
            queues_per_query: DEFAULT_QUEUES_PER_QUERY,
        }
    }
}

impl GenesysConfig {
    /// The client's settings: hosts from `api_base` (which wins) or `region`, the credentials
    /// (required), timeouts of at least a second, and the retry limits.
    pub fn client_settings(&self) -> Result<ClientSettings, ConfigError> {
        let non_empty = |v: &Option<String>| v.as_ref().filter(|s| !s.trim().is_empty()).cloned();
        let token = non_empty(&self.access_token);
        let (client_id, client_secret) =
            match (non_empty(&self.client_id), non_empty(&self.client_secret)) {
                (Some(id), Some(secret)) => (id, secret),
                // A ready token needs no client credentials.
                _ if token.is_some() => (String::new(), String::new()),
                _ => return Err(ConfigError::MissingCredentials),
            };
        let endpoints = if let Some(base) = non_empty(&self.api_base) {
            Endpoints::for_api_base(&base).map_err(|e| ConfigError::Invalid {
                setting: "genesys.api_base (GENESYSCLOUD_API_BASE / --api-base)",
                value: base,
                hint: e.hint,
            })?
        } else if let Some(region) = non_empty(&self.region) {
            Endpoints::for_region(&region).map_err(|e| ConfigError::Invalid {
                setting: "genesys.region (GENESYSCLOUD_REGION)",
                value: region,
                hint: e.hint,
            })?
        } else {
            return Err(ConfigError::MissingRegion);
        };
        Ok(ClientSettings {
            connect_timeout: Duration::from_secs(self.connect_timeout_secs.max(1)),
            request_timeout: Duration::from_secs(self.request_timeout_secs.max(1)),
            max_retry_after: Duration::from_secs(self.max_retry_after_secs),
            max_retries: self.max_retries,
            retry_deadline: Duration::from_secs(self.retry_deadline_secs),
            access_token: token.map(|t| crate::genesys::Secret::new(t.trim().to_string())),
            ..ClientSettings::new(endpoints, client_id.trim(), client_secret.trim())
        })
    }
}

/// Redacts the client secret: configs end up in logs and panic messages.
impl std::fmt::Debug for GenesysConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GenesysConfig")
            .field("region", &self.region)
            .field("api_base", &self.api_base)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[REDACTED]"),
            )
            .field("connect_timeout_secs", &self.connect_timeout_secs)
            .field("request_timeout_secs", &self.request_timeout_secs)
            .field("max_retry_after_secs", &self.max_retry_after_secs)
            .field("max_retries", &self.max_retries)
            .field("retry_deadline_secs", &self.retry_deadline_secs)
            .field("chunk_days", &self.chunk_days)
            .field("max_concurrency", &self.max_concurrency)
            .field(
                "access_token",
                &self.access_token.as_ref().map(|_| "[REDACTED]"),
            )
            .field("queues_per_query", &self.queues_per_query)
            .finish()
    }
}
