//! OAuth client-credentials tokens: the token request, its answer, and a cache refreshed
//! single-flight. The request itself is sent by whoever owns the retry loop (the client), so
//! this module needs only the transport's [`Call`].

use std::future::Future;
use std::time::{Duration, Instant};

use serde::Deserialize;

use super::error::GenesysError;
use super::secret::Secret;
use super::transport::{Auth, Body, Call, Response};

/// Tokens are treated as expired this long before `expires_in` says, so a request never
/// leaves with a token that dies in flight.
pub const EXPIRY_MARGIN: Duration = Duration::from_secs(60);

/// How long a token is reused: `expires_in` less the margin, but never less than half the
/// lifetime, so a short-lived token (a test org, a sandbox with `--token-ttl 2`) is still reused
/// instead of being fetched again before every request.
fn usable_lifetime(lifetime: Duration) -> Duration {
    lifetime.saturating_sub(EXPIRY_MARGIN).max(lifetime / 2)
}

/// Used when the server omits `expires_in`: the shortest lifetime an OAuth client can have.
const FALLBACK_LIFETIME: Duration = Duration::from_secs(300);

/// The cached token and a generation counter, so a 401 only discards the token it was
/// actually sent with (not one another caller has just refreshed).
#[derive(Default)]
pub(crate) struct TokenCache {
    state: tokio::sync::Mutex<TokenState>,
}

#[derive(Default)]
struct TokenState {
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

impl TokenCache {
    /// A valid token, calling `fetch` for a new one (token and lifetime) if needed. The lock is
    /// held across the fetch, so concurrent callers wait for the one refresh in flight instead
    /// of starting their own.
    pub(crate) async fn get_or_fetch<F, Fut>(&self, fetch: F) -> Result<IssuedToken, GenesysError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(Secret, Duration), GenesysError>>,
    {
        let mut state = self.state.lock().await;
        if let Some(t) = &state.current
            && Instant::now() < t.valid_until
        {
            return Ok(IssuedToken {
                token: t.token.clone(),
                generation: t.generation,
            });
        }
        let (token, lifetime) = fetch().await?;
        state.generation += 1;
        let generation = state.generation;
        state.current = Some(CachedToken {
            token: token.clone(),
            valid_until: Instant::now() + usable_lifetime(lifetime),
            generation,
        });
        Ok(IssuedToken { token, generation })
    }

    /// Drops the cached token if it is still the one a request was rejected with.
    pub(crate) async fn invalidate(&self, generation: u64) {
        let mut state = self.state.lock().await;
        if state
            .current
            .as_ref()
            .is_some_and(|t| t.generation == generation)
        {
            state.current = None;
        }
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

/// The client-credentials token request (Basic auth with the client id and secret).
pub(crate) fn token_call(token_url: &str) -> Call {
    Call {
        method: reqwest::Method::POST,
        url: token_url.to_string(),
        path: "/oauth/token".into(),
        query: Vec::new(),
        body: Body::Form(&[("grant_type", "client_credentials")]),
        auth: Auth::Basic,
        idempotent: true,
    }
}

/// A 4xx other than 429 from the login host means the credentials were refused.
pub(crate) fn refused(err: GenesysError, token_url: &str) -> GenesysError {
    match err {
        GenesysError::Api {
            status,
            code,
            message,
            correlation_id,
            ..
        } if (400..500).contains(&status) && status != 429 => GenesysError::Auth {
            url: token_url.to_string(),
            status,
            code,
            message,
            correlation_id,
        },
        e => e,
    }
}

/// The token and its lifetime from the token response.
pub(crate) fn read_token(resp: &Response, call: &Call) -> Result<(Secret, Duration), GenesysError> {
    let parsed: TokenResponse = resp.decode(call)?;
    if parsed.access_token.is_empty() {
        return Err(GenesysError::Decode {
            method: "POST",
            path: call.path.clone(),
            field: "access_token".into(),
            reason: "empty token".into(),
            correlation_id: resp.correlation_id.clone(),
        });
    }
    let lifetime = parsed
        .expires_in
        .map(Duration::from_secs)
        .unwrap_or(FALLBACK_LIFETIME);
    Ok((Secret::new(parsed.access_token), lifetime))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_lifetimes_keep_half_instead_of_nothing() {
        assert_eq!(
            usable_lifetime(Duration::from_secs(86_400)),
            Duration::from_secs(86_340)
        );
        assert_eq!(
            usable_lifetime(Duration::from_secs(2)),
            Duration::from_secs(1)
        );
        assert_eq!(
            usable_lifetime(Duration::from_secs(100)),
            Duration::from_secs(50)
        );
    }

    fn issue(n: &str) -> Result<(Secret, Duration), GenesysError> {
        Ok((Secret::new(n), Duration::from_secs(3600)))
    }

    #[tokio::test]
    async fn a_stale_rejection_keeps_the_newer_token() {
        let cache = TokenCache::default();
        let first = cache.get_or_fetch(|| async { issue("a") }).await.unwrap();
        cache.invalidate(first.generation).await;
        let second = cache.get_or_fetch(|| async { issue("b") }).await.unwrap();
        assert_eq!((second.token.expose(), second.generation), ("b", 2));
        // A request sent with the first token is rejected late: the second must survive.
        cache.invalidate(first.generation).await;
        let again = cache
            .get_or_fetch(|| async { issue("unwanted") })
            .await
            .unwrap();
        assert_eq!((again.token.expose(), again.generation), ("b", 2));
    }

    #[test]
    fn missing_expiry_and_empty_token_are_handled() {
        let call = token_call("http://h/oauth/token");
        let resp = |body: &str| Response {
            body: body.as_bytes().to_vec(),
            correlation_id: Some("c-1".into()),
        };
        let (token, lifetime) = read_token(&resp(r#"{"access_token":"t"}"#), &call).unwrap();
        assert_eq!((token.expose(), lifetime), ("t", FALLBACK_LIFETIME));
        let e = read_token(&resp(r#"{"access_token":""}"#), &call).unwrap_err();
        assert!(e.to_string().contains("`access_token`: empty token"), "{e}");
    }

    #[test]
    fn client_errors_from_the_login_host_become_auth_errors_but_429_does_not() {
        let api = |status| GenesysError::Api {
            method: "POST",
            path: "/oauth/token".into(),
            status,
            code: Some("invalid_client".into()),
            message: None,
            correlation_id: None,
            body: None,
            retries: 0,
        };
        let url = "https://login.mypurecloud.ie/oauth/token";
        assert!(matches!(
            refused(api(401), url),
            GenesysError::Auth { status: 401, .. }
        ));
        assert!(matches!(
            refused(api(429), url),
            GenesysError::Api { status: 429, .. }
        ));
        assert!(matches!(
            refused(api(503), url),
            GenesysError::Api { status: 503, .. }
        ));
    }
}
