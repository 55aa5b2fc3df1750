//! Wire helpers shared by the handlers: Genesys `ErrorBody` responses, query strings, paging.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

tokio::task_local! {
    /// The `ININ-Correlation-Id` of the request being served; error bodies carry it as `contextId`.
    pub static CORRELATION_ID: String;
}

/// A Genesys-style error: serialised as `ErrorBody` with the request's correlation id.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// `details[]` entries: (errorCode, fieldName).
    pub details: Vec<(String, String)>,
    pub headers: Vec<(&'static str, String)>,
    pub limit: Option<Box<Value>>,
    /// `messageParams`; `{}` when `None`.
    pub message_params: Option<Box<Value>>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details: Vec::new(),
            headers: Vec::new(),
            limit: None,
            message_params: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad.request", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not.found", message)
    }

    /// A 400 naming one request field, as outbound validation reports it.
    pub fn invalid_field(
        code: &'static str,
        error_code: &str,
        field: &str,
        message: impl Into<String>,
    ) -> Self {
        let mut e = Self::new(StatusCode::BAD_REQUEST, code, message);
        e.details.push((error_code.to_string(), field.to_string()));
        e
    }

    pub fn body(&self) -> Value {
        let context = CORRELATION_ID.try_with(|c| c.clone()).unwrap_or_default();
        let mut v = json!({
            "message": self.message,
            "code": self.code,
            "status": self.status.as_u16(),
            "messageWithParams": self.message,
            "messageParams": self.message_params.as_deref().cloned().unwrap_or_else(|| json!({})),
            "contextId": context,
            "details": self.details.iter().map(|(code, field)| json!({"errorCode": code, "fieldName": field})).collect::<Vec<_>>(),
            "errors": [],
        });
        if let Some(limit) = &self.limit {
            v["limit"] = (**limit).clone();
        }
        v
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = (self.status, axum::Json(self.body())).into_response();
        for (name, value) in &self.headers {
            if let Ok(v) = HeaderValue::from_str(value) {
                resp.headers_mut().insert(*name, v);
            }
        }
        resp
    }
}

pub type ApiResult = Result<Response, ApiError>;

pub fn ok(v: Value) -> ApiResult {
    Ok((StatusCode::OK, axum::Json(v)).into_response())
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// `application/x-www-form-urlencoded` decoding (query strings and the token form).
pub fn decode_component(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub fn encode_component(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'*' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// All `key=value` pairs in order; repeated keys (`id=a&id=b`) are kept.
#[derive(Debug, Default)]
pub struct Params(pub Vec<(String, String)>);

impl Params {
    pub fn parse(raw: Option<&str>) -> Self {
        Self(
            raw.unwrap_or("")
                .split('&')
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (k, v) = p.split_once('=').unwrap_or((p, ""));
                    (decode_component(k), decode_component(v))
                })
                .collect(),
        )
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn all(&self, key: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// An integer parameter within `lo..=hi`, or `default` if absent.
    pub fn int(&self, key: &str, default: u64, lo: u64, hi: u64) -> Result<u64, ApiError> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => match v.trim().parse::<u64>() {
                Ok(n) if (lo..=hi).contains(&n) => Ok(n),
                _ => Err(ApiError::invalid_field(
                    "invalid.value",
                    "INVALID_VALUE",
                    key,
                    format!("{key}={v:?} is invalid: expected a whole number from {lo} to {hi}"),
                )),
            },
        }
    }
}

/// One page of an entity listing with the Genesys paging fields and URIs.
pub fn listing(
    entities: &[Value],
    page_size: u64,
    page_number: u64,
    path: &str,
    keep: &[(String, String)],
) -> Value {
    let total = entities.len() as u64;
    let page_count = total.div_ceil(page_size);
    let from = ((page_number - 1) * page_size).min(total) as usize;
    let to = (from as u64 + page_size).min(total) as usize;
    let uri = |n: u64| {
        let mut q = format!("pageSize={page_size}&pageNumber={n}");
        for (k, v) in keep {
            q.push_str(&format!("&{}={}", encode_component(k), encode_component(v)));
        }
        format!("{path}?{q}")
    };
    let mut v = json!({
        "entities": entities[from..to],
        "pageSize": page_size,
        "pageNumber": page_number,
        "total": total,
        "pageCount": page_count,
        "firstUri": uri(1),
        "selfUri": uri(page_number),
        "lastUri": uri(page_count.max(1)),
    });
    if page_number < page_count {
        v["nextUri"] = json!(uri(page_number + 1));
    }
    if page_number > 1 && page_number <= page_count + 1 {
        v["previousUri"] = json!(uri(page_number - 1));
    }
    v
}

/// The query parameters of a listing that its paging URIs carry over.
pub fn keep_params(p: &Params, keys: &[&str]) -> Vec<(String, String)> {
    p.0.iter()
        .filter(|(k, _)| keys.contains(&k.as_str()))
        .cloned()
        .collect()
}

/// An entity's `name`, empty when it has none.
pub fn name_of(v: &Value) -> String {
    v["name"].as_str().unwrap_or_default().to_string()
}

/// Sorts a listing by name, case-insensitively.
pub fn sort_by_name(items: &mut [Value], descending: bool) {
    items.sort_by_key(|v| name_of(v).to_lowercase());
    if descending {
        items.reverse();
    }
}

/// Genesys date-time spelling: `2024-05-06T15:04:05.000Z`.
pub fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Name filter with `*` as a leading and/or trailing wildcard, case-insensitive.
pub fn wildcard_match(pattern: &str, name: &str) -> bool {
    let p = pattern.to_lowercase();
    let n = name.to_lowercase();
    let (lead, trail) = (p.starts_with('*'), p.len() > 1 && p.ends_with('*'));
    let core = p.trim_start_matches('*').trim_end_matches('*');
    match (lead, trail) {
        _ if core.is_empty() => true,
        (true, true) => n.contains(core),
        (true, false) => n.ends_with(core),
        (false, true) => n.starts_with(core),
        (false, false) => n == core,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_decoding_keeps_repeats() {
        let p = Params::parse(Some("id=a&id=b&name=Elec%2A+x&pageSize=5"));
        assert_eq!(p.all("id"), vec!["a", "b"]);
        assert_eq!(p.get("name"), Some("Elec* x"));
        assert_eq!(p.int("pageSize", 25, 1, 100).unwrap(), 5);
        assert!(p.int("pageSize", 25, 6, 100).is_err());
        assert_eq!(decode_component("100%"), "100%");
    }

    #[test]
    fn wildcards() {
        assert!(wildcard_match("Elec*", "Electricity VIC"));
        assert!(wildcard_match("*nyc*", "Taxi NYC (x)"));
        assert!(wildcard_match("*(rentals/h)", "Bikeshare DC (rentals/h)"));
        assert!(!wildcard_match("Elec", "Electricity VIC"));
        assert!(wildcard_match("taxi nyc (x)", "Taxi NYC (x)"));
        assert!(wildcard_match("*", "anything"));
    }

    #[test]
    fn listing_pages() {
        let items: Vec<Value> = (0..5).map(|i| json!({"id": i.to_string()})).collect();
        let v = listing(&items, 2, 3, "/x", &[]);
        assert_eq!(v["entities"].as_array().unwrap().len(), 1);
        assert_eq!(v["pageCount"], 3);
        assert!(v.get("nextUri").is_none());
        assert_eq!(v["previousUri"], "/x?pageSize=2&pageNumber=2");
    }
}
