//! Request validation, one pure function per resource: a body (or query string) in, either the
//! request in a checked form or the exact 400 (or 409) the handler sends.
//!
//! No I/O, no store, no clock: what a check needs (the org's contact lists, queues and scripts as a
//! [`Catalog`], a stored schedule, the current time once a rule needs it) is passed in, so every
//! rule is unit-tested with `serde_json::json!` bodies.
//! New rules go into the resource's module; handlers only store and render what passed.
//!
//! - [`campaign`]: `POST /api/v2/outbound/campaigns` (every bad field named at once).
//! - [`schedule`], [`next_schedule_version`]: `PUT /api/v2/outbound/schedules/campaigns/{id}`
//!   (the clock is passed in: an interval may not start in the past).
//! - [`aggregates_query`], [`granularity_fits`]: `POST /api/v2/analytics/conversations/aggregates/query`.
//! - [`listing`]: paging, name filters and sort orders of the listings.
//! - [`users_aggregates_query`]: `POST /api/v2/analytics/users/aggregates/query`.

mod aggregates;
mod campaign;
pub(crate) mod listing;
mod schedule;
mod users_aggregates;

use serde_json::{Map, Value};

use super::data::QueueData;
use super::wire::ApiError;

pub(crate) use aggregates::{
    AggregatesQuery, Filter, Gran, Predicate, PredicateOp, QueryLimits, aggregates_query,
    granularity_fits,
};
pub(crate) use campaign::campaign;
pub(crate) use schedule::{next_schedule_version, schedule, schedule_instant};
pub(crate) use users_aggregates::{UserMetric, UsersQuery, users_aggregates_query};

/// What the org already holds that a request may refer to by id.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Catalog<'a> {
    pub contact_lists: &'a [Value],
    pub queues: &'a [QueueData],
    /// (script, published)
    pub scripts: &'a [(Value, bool)],
    /// Telephony sites (`Campaign.site`).
    pub sites: &'a [Value],
    /// Call analysis response sets (`Campaign.callAnalysisResponseSet`).
    pub response_sets: &'a [Value],
}

/// One bad field of a request body, as Genesys names it in `details[]`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FieldError {
    /// `details[].errorCode`: `FIELD_REQUIRED`, `INVALID_VALUE` or `ENTITY_NOT_FOUND`.
    pub code: &'static str,
    /// `details[].fieldName`: the top-level property of the body.
    pub field: String,
    /// A second `details[]` entry for a property that may stand in for `field` (`site` for
    /// `edgeGroup`), so removing either names it.
    pub alternative: Option<String>,
    /// Says what is wrong and how to fix it.
    pub message: String,
}

impl FieldError {
    pub fn required(field: &str, message: impl Into<String>) -> Self {
        Self::new("FIELD_REQUIRED", field, message)
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::new("INVALID_VALUE", field, message)
    }

    pub fn not_found(field: &str, message: impl Into<String>) -> Self {
        Self::new("ENTITY_NOT_FOUND", field, message)
    }

    /// `field` or `alternative` is required and neither was given.
    pub fn required_either(field: &str, alternative: &str, message: impl Into<String>) -> Self {
        Self {
            alternative: Some(alternative.to_string()),
            ..Self::required(field, message)
        }
    }

    fn new(code: &'static str, field: &str, message: impl Into<String>) -> Self {
        Self {
            code,
            field: field.to_string(),
            alternative: None,
            message: message.into(),
        }
    }

    /// The `details[]` entries: (errorCode, fieldName).
    fn details(&self) -> Vec<(String, String)> {
        std::iter::once(&self.field)
            .chain(self.alternative.as_ref())
            .map(|f| (self.code.to_string(), f.clone()))
            .collect()
    }
}

/// A single bad field: `400 invalid.value` naming it.
impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        let mut out = ApiError::bad_request(e.message.clone());
        out.code = "invalid.value";
        out.details = e.details();
        out
    }
}

/// The field problems of one body, in the order found; the validators collect all of them so
/// one 400 names every bad field, as the real outbound API does.
#[derive(Debug, Default)]
pub(crate) struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    pub fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }

    /// `Ok` when nothing was found; else `400 invalid.value` with one `details[]` entry per
    /// problem, whose message is the only problem's, or "the {what} is invalid: a; b; …".
    pub fn into_result(mut self, what: &str) -> Result<(), ApiError> {
        if self.0.len() <= 1 {
            return self.0.pop().map_or(Ok(()), |e| Err(e.into()));
        }
        let messages: Vec<&str> = self.0.iter().map(|e| e.message.as_str()).collect();
        let mut e =
            ApiError::bad_request(format!("the {what} is invalid: {}", messages.join("; ")));
        e.code = "invalid.value";
        e.details = self.0.iter().flat_map(FieldError::details).collect();
        Err(e)
    }
}

/// A JSON object body with explicit nulls dropped: serialisers of optional fields often send
/// `null` for "not set", and the real API reads it that way.
pub(crate) fn json_object(body: &[u8], what: &str) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(o)) => Ok(o.into_iter().filter(|(_, v)| !v.is_null()).collect()),
        Ok(_) => Err(ApiError::bad_request(format!(
            "the body must be a JSON object ({what})"
        ))),
        Err(e) => Err(ApiError::bad_request(format!(
            "the body is not valid JSON ({what}): {e}"
        ))),
    }
}

/// A required non-blank string property.
fn required_str<'a>(
    o: &'a Map<String, Value>,
    field: &str,
    errs: &mut FieldErrors,
) -> Option<&'a str> {
    match o.get(field) {
        None | Some(Value::Null) => {
            errs.push(FieldError::required(field, format!("{field} is required")));
            None
        }
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s),
        Some(_) => {
            errs.push(FieldError::invalid(
                field,
                format!("{field} must be a non-empty string"),
            ));
            None
        }
    }
}

/// The id of a required `{"id": "..."}` reference property.
fn ref_id<'a>(o: &'a Map<String, Value>, field: &str, errs: &mut FieldErrors) -> Option<&'a str> {
    match o.get(field) {
        None | Some(Value::Null) => {
            errs.push(FieldError::required(
                field,
                format!("{field} is required ({{\"id\": \"...\"}})"),
            ));
            None
        }
        Some(v) => match v.get("id").and_then(Value::as_str) {
            Some(id) if !id.is_empty() => Some(id),
            _ => {
                errs.push(FieldError::invalid(
                    field,
                    format!("{field} must be an object with an \"id\""),
                ));
                None
            }
        },
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use serde_json::Value;

    use crate::sandbox::wire::ApiError;

    /// The request body as the client sends it.
    pub fn bytes(v: Value) -> Vec<u8> {
        serde_json::to_vec(&v).unwrap()
    }

    /// `details[].fieldName` of an error, in order.
    pub fn fields(e: &ApiError) -> Vec<&str> {
        e.details.iter().map(|(_, f)| f.as_str()).collect()
    }

    /// `details[].errorCode` of an error, in order.
    pub fn codes(e: &ApiError) -> Vec<&str> {
        e.details.iter().map(|(c, _)| c.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;
    use serde_json::json;

    #[test]
    fn one_problem_is_that_problem() {
        let mut errs = FieldErrors::default();
        errs.push(FieldError::required("name", "name is required"));
        let e = errs.into_result("campaign").unwrap_err();
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        assert_eq!(e.code, "invalid.value");
        assert_eq!(e.message, "name is required");
        assert_eq!(
            e.details,
            vec![("FIELD_REQUIRED".to_string(), "name".to_string())]
        );
    }

    #[test]
    fn several_problems_are_all_named() {
        let mut errs = FieldErrors::default();
        errs.push(FieldError::required("name", "name is required"));
        errs.push(FieldError::not_found("queue", "queue q does not exist"));
        let e = errs.into_result("campaign").unwrap_err();
        assert_eq!(e.code, "invalid.value");
        assert_eq!(
            e.message,
            "the campaign is invalid: name is required; queue q does not exist"
        );
        assert_eq!(test_support::fields(&e), ["name", "queue"]);
        assert_eq!(
            test_support::codes(&e),
            ["FIELD_REQUIRED", "ENTITY_NOT_FOUND"]
        );
        assert!(FieldErrors::default().into_result("campaign").is_ok());
    }

    #[test]
    fn bodies_must_be_json_objects_and_nulls_mean_unset() {
        let o = json_object(br#"{"a": 1, "b": null}"#, "a Thing").unwrap();
        assert_eq!(o.len(), 1);
        assert_eq!(o["a"], json!(1));
        let e = json_object(b"[1]", "a Thing").unwrap_err();
        assert_eq!(
            (e.status, e.code, e.message.as_str()),
            (
                StatusCode::BAD_REQUEST,
                "bad.request",
                "the body must be a JSON object (a Thing)"
            )
        );
        let e = json_object(b"{not json", "a Thing").unwrap_err();
        assert!(
            e.message
                .starts_with("the body is not valid JSON (a Thing): "),
            "{}",
            e.message
        );
        assert!(e.details.is_empty());
    }

    #[test]
    fn required_strings_and_references() {
        let o = json_object(
            &test_support::bytes(json!({"s": "x", "blank": " ", "n": 3,
                "r": {"id": "abc"}, "noid": {"name": "x"}, "emptyid": {"id": ""}})),
            "x",
        )
        .unwrap();
        let mut errs = FieldErrors::default();
        assert_eq!(required_str(&o, "s", &mut errs), Some("x"));
        assert_eq!(required_str(&o, "blank", &mut errs), None);
        assert_eq!(required_str(&o, "n", &mut errs), None);
        assert_eq!(required_str(&o, "missing", &mut errs), None);
        assert_eq!(ref_id(&o, "r", &mut errs), Some("abc"));
        assert_eq!(ref_id(&o, "noid", &mut errs), None);
        assert_eq!(ref_id(&o, "emptyid", &mut errs), None);
        assert_eq!(ref_id(&o, "gone", &mut errs), None);
        let got: Vec<(&str, &str, &str)> = errs
            .0
            .iter()
            .map(|e| (e.code, e.field.as_str(), e.message.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("INVALID_VALUE", "blank", "blank must be a non-empty string"),
                ("INVALID_VALUE", "n", "n must be a non-empty string"),
                ("FIELD_REQUIRED", "missing", "missing is required"),
                (
                    "INVALID_VALUE",
                    "noid",
                    "noid must be an object with an \"id\""
                ),
                (
                    "INVALID_VALUE",
                    "emptyid",
                    "emptyid must be an object with an \"id\""
                ),
                (
                    "FIELD_REQUIRED",
                    "gone",
                    "gone is required ({\"id\": \"...\"})"
                ),
            ]
        );
    }
}
