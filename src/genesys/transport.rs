//! What one HTTP call is ([`Call`]), what a successful one returns ([`Response`]), and how
//! error bodies and headers are read. No retries and no token cache here, so both the client
//! and the token request build on it.

use reqwest::Method;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;

use super::error::GenesysError;
use super::models::ErrorBody;

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

pub(crate) fn header_str(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

pub(crate) fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    header_str(headers, name).and_then(|s| s.parse().ok())
}

/// Reads a Genesys `ErrorBody`, an OAuth-style `{error, error_description}`, or plain text.
pub(crate) fn parse_error_body(body: &[u8]) -> ErrorBody {
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
