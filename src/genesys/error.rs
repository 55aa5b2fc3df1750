//! Errors of the Genesys client, worded so an analyst can act on them or quote them to support.

use super::models::ErrorBody;
use super::settings::{ENV_ACCESS_TOKEN, ENV_CLIENT_ID, ENV_CLIENT_SECRET};

/// Everything that can go wrong talking to Genesys Cloud. Every variant that saw a response
/// carries the `ININ-Correlation-Id`, and `Display` ends with "(correlation id …)" so a user
/// can quote it to Genesys support.
#[derive(Debug, thiserror::Error)]
pub enum GenesysError {
    /// The API answered with an error status (after any retries that status allows).
    #[error("{method} {path} failed: HTTP {status}{}{}{}{}",
        code_message(code.as_deref(), message.as_deref()),
        retries_note(*retries),
        status_hint(*status),
        corr(correlation_id.as_deref()))]
    Api {
        method: &'static str,
        path: String,
        status: u16,
        code: Option<String>,
        message: Option<String>,
        correlation_id: Option<String>,
        /// The parsed error body, for field-level `details`.
        body: Option<Box<ErrorBody>>,
        /// How many times the request was retried before giving up.
        retries: u32,
    },

    /// A 429 asked for a longer wait than `genesys.max_retry_after_secs` allows; usually a
    /// daily quota, where waiting in the foreground makes no sense.
    #[error("{method} {path}: Genesys Cloud rate limit hit and it asks to retry after {retry_after_secs} s, \
             longer than the {cap_secs} s this client waits (genesys.max_retry_after_secs); \
             try again later{}{}",
        code_message(code.as_deref(), None),
        corr(correlation_id.as_deref()))]
    RetryAfterTooLong {
        method: &'static str,
        path: String,
        retry_after_secs: u64,
        cap_secs: u64,
        code: Option<String>,
        correlation_id: Option<String>,
    },

    /// The login host refused the client credentials.
    #[error("Genesys Cloud login ({url}) refused the OAuth client: HTTP {status}{} — check {ENV_CLIENT_ID} and \
             {ENV_CLIENT_SECRET}, the region, and that the OAuth client uses the client-credentials grant{}",
        code_message(code.as_deref(), message.as_deref()),
        corr(correlation_id.as_deref()))]
    Auth {
        url: String,
        status: u16,
        code: Option<String>,
        message: Option<String>,
        correlation_id: Option<String>,
    },

    /// The ready access token (`GENESYSCLOUD_ACCESS_TOKEN` or a `gc` profile's) got a 401: it
    /// expired or was revoked, and a given token cannot be refreshed.
    #[error("{method} {path}: Genesys Cloud refused the access token (HTTP 401{}): it has expired or was \
             revoked — get a new one and set {ENV_ACCESS_TOKEN} again, or use an OAuth client \
             ({ENV_CLIENT_ID} and {ENV_CLIENT_SECRET}){}",
        code_message(code.as_deref(), None),
        corr(correlation_id.as_deref()))]
    AccessTokenRejected {
        method: &'static str,
        path: String,
        code: Option<String>,
        correlation_id: Option<String>,
    },

    /// No HTTP response at all (DNS, connect, TLS, timeout), after retries.
    #[error(
        "{method} {url}: {} after {attempts} attempt(s): {}",
        transport_what(source),
        error_chain(source)
    )]
    Transport {
        method: &'static str,
        /// Full URL without query: which host was unreachable matters (region, proxy).
        url: String,
        attempts: u32,
        #[source]
        source: reqwest::Error,
    },

    /// The answer was longer than the client reads (`max_body_bytes`): refused while it
    /// streamed, so it never sat in memory.
    #[error("{method} {path}: the response body is over {limit_mb} MB, more than this client \
             reads; not a Genesys Cloud answer queuecast asked for{}", corr(correlation_id.as_deref()))]
    BodyTooLarge {
        method: &'static str,
        path: String,
        limit_mb: u64,
        correlation_id: Option<String>,
    },

    /// The call's total time (`genesys.retry_deadline_secs`) ran out before a usable answer;
    /// `last` is what the last attempt got.
    #[error(
        "{method} {path}: no usable answer within {elapsed_secs} s and {attempts} attempt(s) \
             ({}); last: {last}", deadline_limit(*deadline_secs, *shortened)
    )]
    Deadline {
        method: &'static str,
        path: String,
        elapsed_secs: u64,
        deadline_secs: u64,
        attempts: u32,
        last: String,
        /// The HTTP status of the last answer the call got (an attempt cut off at the deadline
        /// after it has none of its own); `None` when no attempt was answered (cut off or no
        /// connection every time). A status says the server answered, so the failure may
        /// belong to what was asked (a queue) rather than to the server.
        last_status: Option<u16>,
        /// The limit was shorter than `genesys.retry_deadline_secs`: the call retried part of
        /// a request that had already failed for the whole of it.
        shortened: bool,
    },

    /// A 2xx body that does not have the documented shape; `field` is the JSON path.
    #[error("{method} {path}: unexpected response body at `{field}`: {reason}{}", corr(correlation_id.as_deref()))]
    Decode {
        method: &'static str,
        path: String,
        field: String,
        reason: String,
        correlation_id: Option<String>,
    },

    /// The caller asked for something the client can't express (bad time zone, empty range…).
    #[error("invalid request: {0}")]
    InvalidRequest(String),

    /// The HTTP client could not be built (TLS backend, bad settings).
    #[error("cannot set up the HTTP client: {0}")]
    Setup(String),
}

fn deadline_limit(secs: u64, shortened: bool) -> String {
    if shortened {
        format!(
            "the limit is {secs} s for part of a request that already failed for the whole \
             genesys.retry_deadline_secs"
        )
    } else {
        format!("the limit is genesys.retry_deadline_secs = {secs}")
    }
}

impl GenesysError {
    /// HTTP status, if a response was received.
    pub fn status(&self) -> Option<u16> {
        match self {
            GenesysError::Api { status, .. } | GenesysError::Auth { status, .. } => Some(*status),
            GenesysError::AccessTokenRejected { .. } => Some(401),
            GenesysError::RetryAfterTooLong { .. } => Some(429),
            _ => None,
        }
    }

    /// The `ININ-Correlation-Id` of the failed response, for support tickets.
    pub fn correlation_id(&self) -> Option<&str> {
        match self {
            GenesysError::Api { correlation_id, .. }
            | GenesysError::RetryAfterTooLong { correlation_id, .. }
            | GenesysError::Auth { correlation_id, .. }
            | GenesysError::AccessTokenRejected { correlation_id, .. }
            | GenesysError::Decode { correlation_id, .. }
            | GenesysError::BodyTooLarge { correlation_id, .. } => correlation_id.as_deref(),
            _ => None,
        }
    }

    /// The Genesys error `code` (e.g. `bad.request`), if the body had one.
    pub fn code(&self) -> Option<&str> {
        match self {
            GenesysError::Api { code, .. }
            | GenesysError::RetryAfterTooLong { code, .. }
            | GenesysError::Auth { code, .. }
            | GenesysError::AccessTokenRejected { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    /// A 401 of an API call made with a given access token, reworded to say the token expired.
    pub(crate) fn into_access_token_rejected(self) -> Self {
        match self {
            GenesysError::Api {
                method,
                path,
                code,
                correlation_id,
                ..
            } => GenesysError::AccessTokenRejected {
                method,
                path,
                code,
                correlation_id,
            },
            other => other,
        }
    }

    pub fn is_not_found(&self) -> bool {
        matches!(self, GenesysError::Api { status: 404, .. })
    }

    /// A stale `version` on an update: 409, or a 400 whose message says so (both are seen;
    /// Genesys' Terraform provider checks for either).
    pub fn is_version_mismatch(&self) -> bool {
        match self {
            GenesysError::Api { status: 409, .. } => true,
            GenesysError::Api {
                status: 400,
                message,
                body,
                ..
            } => {
                let hit = |s: &str| s.contains("does not match the current version");
                message.as_deref().is_some_and(hit)
                    || body.as_ref().is_some_and(|b| {
                        b.message_with_params.as_deref().is_some_and(hit)
                            || b.errors
                                .iter()
                                .any(|e| e.message.as_deref().is_some_and(hit))
                    })
            }
            _ => false,
        }
    }
}

fn code_message(code: Option<&str>, message: Option<&str>) -> String {
    match (code, message) {
        (Some(c), Some(m)) => format!(" {c}: {m}"),
        (Some(c), None) => format!(" {c}"),
        (None, Some(m)) => format!(": {m}"),
        (None, None) => String::new(),
    }
}

fn retries_note(retries: u32) -> String {
    match retries {
        0 => String::new(),
        n => format!(" (after {n} retries)"),
    }
}

fn status_hint(status: u16) -> &'static str {
    match status {
        401 => " — the access token was rejected; check the OAuth client and region",
        403 => " — the OAuth client's role lacks a permission this call needs",
        _ => "",
    }
}

/// What kind of transport failure it was: only a failed connect is "cannot reach".
fn transport_what(e: &reqwest::Error) -> &'static str {
    if e.is_connect() {
        "cannot reach the server"
    } else if e.is_timeout() {
        "no answer in time (genesys.request_timeout_secs)"
    } else if e.is_body() || e.is_decode() {
        "the answer broke off before its end"
    } else {
        "the connection failed"
    }
}

fn corr(id: Option<&str>) -> String {
    id.map(|id| format!(" (correlation id {id})"))
        .unwrap_or_default()
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        out.push_str(": ");
        out.push_str(&s.to_string());
        src = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_error_display_names_call_code_and_correlation_id() {
        let e = GenesysError::Api {
            method: "POST",
            path: "/api/v2/outbound/campaigns".into(),
            status: 400,
            code: Some("bad.request".into()),
            message: Some("malformed".into()),
            correlation_id: Some("c-123".into()),
            body: None,
            retries: 0,
        };
        assert_eq!(
            e.to_string(),
            "POST /api/v2/outbound/campaigns failed: HTTP 400 bad.request: malformed (correlation id c-123)"
        );
        assert_eq!(e.correlation_id(), Some("c-123"));
        assert!(!e.is_version_mismatch());
    }

    #[test]
    fn version_mismatch_is_409_or_400_with_the_terraform_message() {
        let mk = |status, message: &str| GenesysError::Api {
            method: "PUT",
            path: "/x".into(),
            status,
            code: None,
            message: Some(message.into()),
            correlation_id: None,
            body: None,
            retries: 0,
        };
        assert!(mk(409, "conflict").is_version_mismatch());
        assert!(mk(400, "Version 3 does not match the current version 4").is_version_mismatch());
        assert!(!mk(400, "invalid.value").is_version_mismatch());
    }
}
