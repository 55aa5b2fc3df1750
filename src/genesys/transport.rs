//! One HTTP attempt: a [`Call`] built into a request with its credential, sent once, and the
//! response read fully into an [`Attempt`], which turns into the retry decision's
//! [`Outcome`], a [`Response`] or a typed error. No retries and no token cache here, so both
//! the client and the token request build on it.

use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;

use super::error::GenesysError;
use super::models::ErrorBody;
use super::retry::{Failure, Outcome};
use super::secret::Secret;

/// The response header Genesys support asks for.
pub const CORRELATION_HEADER: &str = "ININ-Correlation-Id";

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
    /// A bearer-authenticated, idempotent call to `path` under `api_base`.
    pub(crate) fn new(api_base: &str, method: Method, path: impl Into<String>) -> Self {
        let path = path.into();
        Self {
            url: format!("{api_base}{path}"),
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

    pub(crate) fn method_name(&self) -> &'static str {
        method_name(&self.method)
    }
}

/// What one attempt sends as `Authorization`.
pub(crate) enum Credential<'a> {
    Bearer(&'a Secret),
    Basic {
        client_id: &'a str,
        client_secret: &'a Secret,
    },
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
                method: call.method_name(),
                path: call.path.clone(),
                field: if path == "." { "(body)".into() } else { path },
                reason: if looks_like_html(&self.body) {
                    // A proxy's login page or an error page, not the API.
                    "the body is an HTML page, not JSON (a proxy or login page in the way?)".into()
                } else {
                    e.into_inner().to_string()
                },
                correlation_id: self.correlation_id.clone(),
            }
        })
    }
}

/// Whether a body is HTML rather than JSON, from its first non-blank bytes.
fn looks_like_html(body: &[u8]) -> bool {
    let start: Vec<u8> = body
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take(15)
        .map(u8::to_ascii_lowercase)
        .collect();
    start.starts_with(b"<!doctype html") || start.starts_with(b"<html")
}

/// What one attempt came back with.
pub(crate) enum Attempt {
    /// A status and the whole body.
    Answered {
        status: StatusCode,
        headers: HeaderMap,
        body: Vec<u8>,
        correlation_id: Option<String>,
    },
    /// No response, or one whose body broke off.
    Failed {
        error: reqwest::Error,
        failure: Failure,
    },
    /// A body longer than the client reads.
    TooLarge {
        limit: usize,
        correlation_id: Option<String>,
    },
}

/// Builds `call` into a request with `credential`, sends it once and reads the whole body.
pub(crate) async fn send_once(
    http: &reqwest::Client,
    call: &Call,
    credential: Credential<'_>,
    max_body: usize,
) -> Attempt {
    let method = call.method_name();
    let mut req = http
        .request(call.method.clone(), &call.url)
        .header(reqwest::header::ACCEPT, "application/json");
    if !call.query.is_empty() {
        req = req.query(&call.query);
    }
    req = match credential {
        Credential::Bearer(token) => req.bearer_auth(token.expose()),
        Credential::Basic {
            client_id,
            client_secret,
        } => req.basic_auth(client_id, Some(client_secret.expose())),
    };
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
        Err(error) => {
            tracing::debug!(
                method,
                path = %call.path,
                elapsed_ms = started.elapsed().as_millis() as u64,
                error = %error,
                "genesys request failed without a response"
            );
            let failure = if error.is_connect() {
                Failure::Connect
            } else if error.is_timeout() {
                Failure::Timeout
            } else if error.is_redirect() || error.is_builder() {
                Failure::Other
            } else {
                // Reset or closed after the request went out: the server may have acted.
                Failure::Reset
            };
            return Attempt::Failed { error, failure };
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
    match read_capped(resp, max_body).await {
        Ok(Some(body)) => Attempt::Answered {
            status,
            headers,
            body,
            correlation_id,
        },
        Ok(None) => Attempt::TooLarge {
            limit: max_body,
            correlation_id,
        },
        Err(error) => Attempt::Failed {
            error,
            failure: Failure::BodyInterrupted,
        },
    }
}

/// The body, or `None` as soon as it is known to pass `max` bytes (a declared length, or the
/// bytes streamed so far): a 1.5 GB answer costs `max`, not 1.5 GB.
async fn read_capped(
    mut resp: reqwest::Response,
    max: usize,
) -> Result<Option<Vec<u8>>, reqwest::Error> {
    if resp.content_length().is_some_and(|n| n > max as u64) {
        return Ok(None);
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        if body.len() + chunk.len() > max {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(body))
}

impl Attempt {
    /// What the retry decision needs to know.
    pub(crate) fn outcome(&self) -> Outcome {
        match self {
            Attempt::Answered {
                status, headers, ..
            } => Outcome::Answered {
                status: status.as_u16(),
                retry_after: retry_after(headers),
            },
            Attempt::Failed { failure, .. } => Outcome::Failed(*failure),
            Attempt::TooLarge { .. } => Outcome::Failed(Failure::Other),
        }
    }

    /// The attempt as the caller's answer: the body of a 2xx, or the error it carries.
    /// `retries` is how many attempts went before this one.
    pub(crate) fn into_result(self, call: &Call, retries: u32) -> Result<Response, GenesysError> {
        let method = call.method_name();
        match self {
            Attempt::Failed { error, .. } => Err(GenesysError::Transport {
                method,
                url: call.url.clone(),
                attempts: retries + 1,
                source: error.without_url(),
            }),
            Attempt::TooLarge {
                limit,
                correlation_id,
            } => Err(GenesysError::BodyTooLarge {
                method,
                path: call.path.clone(),
                limit_mb: (limit / (1024 * 1024)) as u64,
                correlation_id,
            }),
            Attempt::Answered {
                status,
                body,
                correlation_id,
                ..
            } if status.is_success() => Ok(Response {
                body,
                correlation_id,
            }),
            Attempt::Answered {
                status,
                body,
                correlation_id,
                ..
            } => {
                let err = parse_error_body(&body);
                Err(GenesysError::Api {
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
                })
            }
        }
    }

    /// The error for a 429 whose `Retry-After` (`wait`) is beyond `cap`.
    pub(crate) fn retry_after_too_long(
        self,
        call: &Call,
        wait: Duration,
        cap: Duration,
    ) -> GenesysError {
        let (body, correlation_id) = match self {
            Attempt::Answered {
                body,
                correlation_id,
                ..
            } => (body, correlation_id),
            Attempt::Failed { .. } | Attempt::TooLarge { .. } => (Vec::new(), None),
        };
        let err = parse_error_body(&body);
        GenesysError::RetryAfterTooLong {
            method: call.method_name(),
            path: call.path.clone(),
            retry_after_secs: wait.as_secs(),
            cap_secs: cap.as_secs(),
            code: err.code,
            correlation_id: correlation_id.or(err.context_id),
        }
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

/// The wait a 429 asks for: `Retry-After`, else Genesys' `inin-ratelimit-reset` (seconds).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    header_u64(headers, "Retry-After")
        .or_else(|| header_u64(headers, "inin-ratelimit-reset"))
        .map(Duration::from_secs)
}

fn header_str(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
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

    #[test]
    fn retry_after_falls_back_to_the_genesys_reset_header() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert("inin-ratelimit-reset", " 7 ".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        h.insert("Retry-After", "3".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(3)));
        h.insert(
            "Retry-After",
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
    }

    #[test]
    fn a_non_2xx_answer_becomes_an_api_error_with_the_body_code() {
        let call = Call::new("http://h", Method::GET, "/api/v2/x");
        let mut headers = HeaderMap::new();
        headers.insert(CORRELATION_HEADER, "c-9".parse().unwrap());
        let attempt = Attempt::Answered {
            status: StatusCode::NOT_FOUND,
            headers,
            body: br#"{"code":"not.found","message":"no such queue"}"#.to_vec(),
            correlation_id: Some("c-9".into()),
        };
        assert!(matches!(
            attempt.outcome(),
            Outcome::Answered { status: 404, .. }
        ));
        let Err(e) = attempt.into_result(&call, 2) else {
            panic!("a 404 is an error")
        };
        assert_eq!(
            e.to_string(),
            "GET /api/v2/x failed: HTTP 404 not.found: no such queue (after 2 retries) (correlation id c-9)"
        );
    }
}
