//! OAuth client-credentials tokens: fetched on the login host, cached, refreshed single-flight.

use std::time::{Duration, Instant};

use serde::Deserialize;

use super::client::{Auth, Body, Call, GenesysClient};
use super::error::GenesysError;
use super::secret::Secret;

/// Tokens are treated as expired this long before `expires_in` says, so a request never
/// leaves with a token that dies in flight.
pub const EXPIRY_MARGIN: Duration = Duration::from_secs(60);

/// Used when the server omits `expires_in`: the shortest lifetime an OAuth client can have.
const FALLBACK_LIFETIME: Duration = Duration::from_secs(300);

/// The cached token and a generation counter, so a 401 only discards the token it was
/// actually sent with (not one another caller has just refreshed).
#[derive(Default)]
pub(crate) struct TokenState {
    current: Option<CachedToken>,
    generation: u64,
}

struct CachedToken {
    token: Secret,
    valid_until: Instant,
    generation: u64,
}

/// A token handed to one request, tagged with its generation.
pub(crate) struct IssuedToken {
    pub token: Secret,
    pub generation: u64,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

impl GenesysClient {
    /// A valid token, fetching one if needed. The mutex is held across the fetch, so
    /// concurrent callers wait for the one refresh in flight instead of starting their own.
    pub(crate) async fn token(&self) -> Result<IssuedToken, GenesysError> {
        let mut state = self.inner.token.lock().await;
        if let Some(t) = &state.current
            && Instant::now() < t.valid_until
        {
            return Ok(IssuedToken {
                token: t.token.clone(),
                generation: t.generation,
            });
        }
        let (token, lifetime) = self.request_token().await?;
        state.generation += 1;
        let generation = state.generation;
        state.current = Some(CachedToken {
            token: token.clone(),
            valid_until: Instant::now() + lifetime.saturating_sub(EXPIRY_MARGIN),
            generation,
        });
        Ok(IssuedToken { token, generation })
    }

    /// Drops the cached token if it is still the one a request was rejected with.
    pub(crate) async fn invalidate_token(&self, generation: u64) {
        let mut state = self.inner.token.lock().await;
        if state
            .current
            .as_ref()
            .is_some_and(|t| t.generation == generation)
        {
            state.current = None;
        }
    }

    async fn request_token(&self) -> Result<(Secret, Duration), GenesysError> {
        let url = self.inner.settings.token_url.clone();
        let call = Call {
            method: reqwest::Method::POST,
            url: url.clone(),
            path: "/oauth/token".into(),
            query: Vec::new(),
            body: Body::Form(&[("grant_type", "client_credentials")]),
            auth: Auth::Basic,
            idempotent: true,
        };
        // Boxed: `execute` calls `token`, which calls `execute` for the token request.
        let resp = match Box::pin(self.execute(&call)).await {
            Ok(r) => r,
            Err(GenesysError::Api {
                status,
                code,
                message,
                correlation_id,
                ..
            }) if (400..500).contains(&status) && status != 429 => {
                return Err(GenesysError::Auth {
                    url,
                    status,
                    code,
                    message,
                    correlation_id,
                });
            }
            Err(e) => return Err(e),
        };
        let parsed: TokenResponse = resp.decode(&call)?;
        if parsed.access_token.is_empty() {
            return Err(GenesysError::Decode {
                method: "POST",
                path: call.path,
                field: "access_token".into(),
                reason: "empty token".into(),
                correlation_id: resp.correlation_id,
            });
        }
        let lifetime = parsed
            .expires_in
            .map(Duration::from_secs)
            .unwrap_or(FALLBACK_LIFETIME);
        Ok((Secret::new(parsed.access_token), lifetime))
    }
}
