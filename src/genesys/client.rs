//! The client: one shared `reqwest::Client`, one token cache, and the retry loop. Bearer auth with one refresh on 401, `Retry-After` on 429,
//! capped exponential backoff with jitter on 502/503/504 and connection errors, typed errors
//! with the correlation id, and path-naming decode errors.

use std::sync::Arc;
use std::time::{Duration, Instant};

use backon::BackoffBuilder;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;

use super::auth::{self, IssuedToken, TokenCache};
use super::error::GenesysError;
use super::models::{EntityListing, Organization};
use super::secret::Secret;
use super::settings::ClientSettings;
use super::transport::{
    Auth, Body, CORRELATION_HEADER, Call, Response, header_str, header_u64, method_name,
    parse_error_body,
};

/// Listings are fetched at the largest page size the outbound endpoints document.
pub(crate) const PAGE_SIZE: u32 = 100;
/// Stops a server that always reports another page from looping forever.
const MAX_PAGES: u32 = 10_000;

/// Genesys Cloud Platform API v2 client. Cheap to clone: all clones share one connection
/// pool and one token cache.
#[derive(Clone)]
pub struct GenesysClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    settings: ClientSettings,
    tokens: TokenCache,
}

impl std::fmt::Debug for GenesysClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GenesysClient")
            .field("api_base", &self.inner.settings.api_base)
            .finish_non_exhaustive()
    }
}

impl GenesysClient {
    pub fn new(settings: ClientSettings) -> Result<Self, GenesysError> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("queuecast/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.request_timeout)
            .build()
            .map_err(|e| GenesysError::Setup(e.to_string()))?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                settings,
                tokens: TokenCache::default(),
            }),
        })
    }

    pub fn api_base(&self) -> &str {
        &self.inner.settings.api_base
    }

    /// A bearer call to `path` on this client's API base.
    pub(crate) fn call(&self, method: Method, path: impl Into<String>) -> Call {
        Call::new(&self.inner.settings.api_base, method, path)
    }

    /// The cheapest authenticated call: proves credentials, region and network all work.
    pub async fn organization_me(&self) -> Result<Organization, GenesysError> {
        self.get(self.call(Method::GET, "/api/v2/organizations/me"))
            .await
    }

    /// GET + decode.
    pub(crate) async fn get<T: DeserializeOwned>(&self, call: Call) -> Result<T, GenesysError> {
        self.execute(&call).await?.decode(&call)
    }

    /// Every entity of a paged listing, following `pageNumber` until `pageCount`.
    pub(crate) async fn get_all_pages<T: DeserializeOwned>(
        &self,
        path: &str,
        query: Vec<(&'static str, String)>,
    ) -> Result<Vec<T>, GenesysError> {
        let mut all = Vec::new();
        let mut page = 1;
        loop {
            let mut call = self
                .call(Method::GET, path)
                .query("pageSize", PAGE_SIZE.to_string())
                .query("pageNumber", page.to_string());
            call.query.extend(query.iter().cloned());
            let listing: EntityListing<T> = self.get(call).await?;
            let got = listing.entities.len();
            all.extend(listing.entities);
            let more = match listing.page_count {
                Some(count) => (page as i64) < count as i64,
                None => listing.next_uri.is_some(),
            };
            if !more || got == 0 || page >= MAX_PAGES {
                break;
            }
            page += 1;
        }
        Ok(all)
    }

    /// Sends `call` with auth and retries; returns the body of a 2xx or a typed error.
    pub(crate) async fn execute(&self, call: &Call) -> Result<Response, GenesysError> {
        let s = &self.inner.settings;
        let mut backoff = backon::ExponentialBuilder::default()
            .with_min_delay(s.min_backoff)
            .with_max_delay(s.max_backoff)
            .with_max_times(s.max_retries as usize)
            .with_jitter()
            .build();
        let mut throttled = 0u32;
        let mut retries = 0u32;
        let mut refreshed = false;
        let method = method_name(&call.method);
        loop {
            let mut token_generation = None;
            let mut req = self
                .inner
                .http
                .request(call.method.clone(), &call.url)
                .header(reqwest::header::ACCEPT, "application/json");
            if !call.query.is_empty() {
                req = req.query(&call.query);
            }
            match call.auth {
                Auth::Bearer => {
                    let issued = self.bearer().await?;
                    token_generation = Some(issued.generation);
                    req = req.bearer_auth(issued.token.expose());
                }
                Auth::Basic => {
                    req = req.basic_auth(&s.client_id, Some(s.client_secret.expose()));
                }
            }
            req = match &call.body {
                Body::None => req,
                Body::Json(bytes) => req
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(bytes.clone()),
                Body::Form(fields) => req.form(fields),
            };

            let started = Instant::now();
            let resp = match req.send().await {
                Ok(r) => r,
                Err(e) => {
                    let retryable = e.is_connect() || (call.idempotent && e.is_timeout());
                    tracing::debug!(
                        method,
                        path = %call.path,
                        elapsed_ms = started.elapsed().as_millis() as u64,
                        error = %e,
                        "genesys request failed without a response"
                    );
                    if retryable && let Some(delay) = backoff.next() {
                        retries += 1;
                        tracing::warn!(method, path = %call.path, delay_ms = delay.as_millis() as u64,
                            "connection problem; retrying");
                        tokio::time::sleep(delay).await;
                        continue;
                    }
                    return Err(GenesysError::Transport {
                        method,
                        url: call.url.clone(),
                        attempts: retries + 1,
                        source: e.without_url(),
                    });
                }
            };
            let status = resp.status();
            let headers = resp.headers().clone();
            let correlation_id = header_str(&headers, CORRELATION_HEADER);
            tracing::debug!(
                method,
                path = %call.path,
                status = status.as_u16(),
                correlation_id = correlation_id.as_deref().unwrap_or("-"),
                elapsed_ms = started.elapsed().as_millis() as u64,
                "genesys request"
            );
            let body = match resp.bytes().await {
                Ok(b) => b.to_vec(),
                Err(e) => {
                    if call.idempotent
                        && let Some(delay) = backoff.next()
                    {
                        retries += 1;
                        tokio::time::sleep(delay).await;
                        continue;
                    }
                    return Err(GenesysError::Transport {
                        method,
                        url: call.url.clone(),
                        attempts: retries + 1,
                        source: e.without_url(),
                    });
                }
            };
            if status.is_success() {
                return Ok(Response {
                    body,
                    correlation_id,
                });
            }

            if status == StatusCode::UNAUTHORIZED
                && call.auth == Auth::Bearer
                && !refreshed
                && let Some(generation) = token_generation
            {
                refreshed = true;
                tracing::debug!(method, path = %call.path, "401: refreshing the token once");
                self.inner.tokens.invalidate(generation).await;
                continue;
            }

            if status == StatusCode::TOO_MANY_REQUESTS {
                let wait = header_u64(&headers, "Retry-After")
                    .or_else(|| header_u64(&headers, "inin-ratelimit-reset"))
                    .map(Duration::from_secs);
                if let Some(wait) = wait
                    && wait > s.max_retry_after
                {
                    let err = parse_error_body(&body);
                    return Err(GenesysError::RetryAfterTooLong {
                        method,
                        path: call.path.clone(),
                        retry_after_secs: wait.as_secs(),
                        cap_secs: s.max_retry_after.as_secs(),
                        code: err.code,
                        correlation_id: correlation_id.or(err.context_id),
                    });
                }
                if throttled < s.max_retries {
                    throttled += 1;
                    retries += 1;
                    let delay = wait.or_else(|| backoff.next()).unwrap_or(s.max_backoff);
                    tracing::warn!(method, path = %call.path, delay_ms = delay.as_millis() as u64,
                        "rate limited (429); waiting as asked");
                    tokio::time::sleep(delay).await;
                    continue;
                }
            }

            let transient = match status.as_u16() {
                503 => true,
                502 | 504 => call.idempotent,
                _ => false,
            };
            if transient && let Some(delay) = backoff.next() {
                retries += 1;
                tracing::warn!(method, path = %call.path, status = status.as_u16(),
                    delay_ms = delay.as_millis() as u64, "server busy; backing off");
                tokio::time::sleep(delay).await;
                continue;
            }

            let err = parse_error_body(&body);
            return Err(GenesysError::Api {
                method,
                path: call.path.clone(),
                status: status.as_u16(),
                code: err.code.clone(),
                message: err
                    .message
                    .clone()
                    .or_else(|| err.message_with_params.clone()),
                correlation_id: correlation_id.or_else(|| err.context_id.clone()),
                body: Some(Box::new(err)),
                retries,
            });
        }
    }

    /// A valid bearer token, fetched through [`Self::execute`] (Basic auth) when needed.
    async fn bearer(&self) -> Result<IssuedToken, GenesysError> {
        self.inner.tokens.get_or_fetch(|| self.fetch_token()).await
    }

    async fn fetch_token(&self) -> Result<(Secret, Duration), GenesysError> {
        let call = auth::token_call(&self.inner.settings.token_url);
        // Boxed: `execute` asks for a bearer token, which is fetched through `execute`.
        let resp = Box::pin(self.execute(&call))
            .await
            .map_err(|e| auth::refused(e, &call.url))?;
        auth::read_token(&resp, &call)
    }
}
