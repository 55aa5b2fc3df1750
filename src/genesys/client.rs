//! The HTTP core: one shared `reqwest::Client`, bearer auth with one refresh on 401,
//! `Retry-After` on 429, capped exponential backoff with jitter on 502/503/504 and
//! connection errors, typed errors with the correlation id, and path-naming decode errors.

use std::sync::Arc;
use std::time::{Duration, Instant};

use backon::BackoffBuilder;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;

use super::auth::TokenState;
use super::error::GenesysError;
use super::models::{EntityListing, ErrorBody, Organization};
use super::settings::ClientSettings;

/// The response header Genesys support asks for.
pub const CORRELATION_HEADER: &str = "ININ-Correlation-Id";

/// Listings are fetched at the largest page size the outbound endpoints document.
pub(crate) const PAGE_SIZE: u32 = 100;
/// Stops a server that always reports another page from looping forever.
const MAX_PAGES: u32 = 10_000;

/// Genesys Cloud Platform API v2 client. Cheap to clone: all clones share one connection
/// pool and one token cache.
#[derive(Clone)]
pub struct GenesysClient {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) settings: ClientSettings,
    pub(crate) token: tokio::sync::Mutex<TokenState>,
}

impl std::fmt::Debug for GenesysClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GenesysClient")
            .field("api_base", &self.inner.settings.api_base)
            .finish_non_exhaustive()
    }
}

/// How a request authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Auth {
    /// `Authorization: Bearer <token>`; a 401 refreshes the token once and retries.
    Bearer,
    /// `Authorization: Basic base64(id:secret)`, for the token endpoint.
    Basic,
}

pub(crate) enum Body {
    None,
    Json(Vec<u8>),
    Form(&'static [(&'static str, &'static str)]),
}

/// One logical API call; rebuilt into a fresh request on every attempt.
pub(crate) struct Call {
    pub method: Method,
    pub url: String,
    /// For logs and errors: the path without query or host.
    pub path: String,
    pub query: Vec<(&'static str, String)>,
    pub body: Body,
    pub auth: Auth,
    /// Non-idempotent calls (creating a campaign) are retried only where the server surely
    /// did not act: connect errors, 429 and 503.
    pub idempotent: bool,
}

impl Call {
    pub(crate) fn new(client: &GenesysClient, method: Method, path: impl Into<String>) -> Self {
        let path = path.into();
        Self {
            url: format!("{}{}", client.inner.settings.api_base, path),
            method,
            path,
            query: Vec::new(),
            body: Body::None,
            auth: Auth::Bearer,
            idempotent: true,
        }
    }

    pub(crate) fn query(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.query.push((key, value.into()));
        self
    }

    pub(crate) fn json(mut self, body: &impl serde::Serialize) -> Result<Self, GenesysError> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| GenesysError::InvalidRequest(format!("cannot encode body: {e}")))?;
        self.body = Body::Json(bytes);
        Ok(self)
    }

    pub(crate) fn non_idempotent(mut self) -> Self {
        self.idempotent = false;
        self
    }
}

/// A successful response, read fully.
pub(crate) struct Response {
    pub body: Vec<u8>,
    pub correlation_id: Option<String>,
}

impl Response {
    /// Deserializes the body; a mismatch names the JSON path of the offending field.
    pub(crate) fn decode<T: DeserializeOwned>(&self, call: &Call) -> Result<T, GenesysError> {
        let mut de = serde_json::Deserializer::from_slice(&self.body);
        serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            GenesysError::Decode {
                method: method_name(&call.method),
                path: call.path.clone(),
                field: if path == "." { "(body)".into() } else { path },
                reason: e.into_inner().to_string(),
                correlation_id: self.correlation_id.clone(),
            }
        })
    }
}

/// Percent-encodes one path segment (ids come from users and config).
pub(crate) fn seg(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
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
                token: tokio::sync::Mutex::new(TokenState::default()),
            }),
        })
    }

    pub fn api_base(&self) -> &str {
        &self.inner.settings.api_base
    }

    /// The cheapest authenticated call: proves credentials, region and network all work.
    pub async fn organization_me(&self) -> Result<Organization, GenesysError> {
        let call = Call::new(self, Method::GET, "/api/v2/organizations/me");
        self.execute(&call).await?.decode(&call)
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
            let mut call = Call::new(self, Method::GET, path)
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
                    let issued = self.token().await?;
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
                self.invalidate_token(generation).await;
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
}

/// A `'static` method name, so errors stay small (clippy's large-error lint).
pub(crate) fn method_name(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::HEAD => "HEAD",
        _ => "HTTP",
    }
}

fn header_str(headers: &reqwest::header::HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

fn header_u64(headers: &reqwest::header::HeaderMap, name: &str) -> Option<u64> {
    header_str(headers, name).and_then(|s| s.parse().ok())
}

/// Reads a Genesys `ErrorBody`, an OAuth-style `{error, error_description}`, or plain text.
fn parse_error_body(body: &[u8]) -> ErrorBody {
    if let Ok(parsed) = serde_json::from_slice::<ErrorBody>(body)
        && (parsed.code.is_some() || parsed.message.is_some())
    {
        return parsed;
    }
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_slice(body) {
        let text = |k: &str| map.get(k).and_then(|v| v.as_str()).map(String::from);
        return ErrorBody {
            code: text("error"),
            message: text("error_description").or_else(|| text("description")),
            ..ErrorBody::default()
        };
    }
    let text = String::from_utf8_lossy(body);
    let text: String = text.chars().filter(|c| !c.is_control()).take(200).collect();
    ErrorBody {
        message: Some(text.trim().to_string()).filter(|t| !t.is_empty()),
        ..ErrorBody::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(seg("abc-123"), "abc-123");
        assert_eq!(seg("a/b c"), "a%2Fb%20c");
    }

    #[test]
    fn oauth_style_and_text_error_bodies_are_read() {
        let e = parse_error_body(br#"{"error":"invalid_client","description":"bad creds"}"#);
        assert_eq!(e.code.as_deref(), Some("invalid_client"));
        assert_eq!(e.message.as_deref(), Some("bad creds"));
        let e = parse_error_body(b"<html>Bad Gateway</html>");
        assert_eq!(e.message.as_deref(), Some("<html>Bad Gateway</html>"));
    }
}
