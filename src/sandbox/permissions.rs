//! Which permission each sandbox operation needs, and the 403 an OAuth client without it gets
//! (`--deny-permission`), so `queuecast doctor` and the client's 403 handling are tested over
//! real HTTP.
//!
//! Permissions per operation as the official Python SDK documents them ("Requires ANY
//! permissions" in `build/docs/{OutboundApi,RoutingApi,ScriptsApi,ConversationsApi,
//! AnalyticsApi}.md`, 257.1.0); `organizations/me` and the sites listing require none. The 403 body
//! (`missing.any.permissions`, "Unable to perform the requested action. You must have at least
//! one of the following permissions assigned: …") is the shape third-party Genesys clients quote
//! (e.g. gildas/go-purecloud `errors.go`); the official docs do not document it, so the client
//! never relies on its wording.

use axum::http::{Method, StatusCode};
use serde_json::json;

use super::wire::ApiError;

/// (method, path with `{}` for one id segment, any one of these permissions suffices).
const REQUIRED: &[(&str, &str, &[&str])] = &[
    ("GET", "/api/v2/routing/queues", &["routing:queue:view"]),
    ("GET", "/api/v2/routing/queues/{}", &["routing:queue:view"]),
    (
        "GET",
        "/api/v2/routing/queues/{}/members",
        &[
            "routing:queue:view",
            "routing:queue:edit",
            "routing:queue:readonly",
            "routing:queueMember:manage",
        ],
    ),
    (
        "POST",
        "/api/v2/analytics/conversations/aggregates/query",
        &["analytics:conversationAggregate:view"],
    ),
    (
        "GET",
        "/api/v2/analytics/dataretention/settings",
        &["analytics:dataRetention:view"],
    ),
    (
        "POST",
        "/api/v2/analytics/users/aggregates/query",
        &["analytics:userAggregate:view"],
    ),
    (
        "GET",
        "/api/v2/outbound/contactlists",
        &["outbound:contactList:view"],
    ),
    ("GET", "/api/v2/scripts", &["scripter:script:view"]),
    (
        "GET",
        "/api/v2/scripts/published",
        &["scripter:publishedScript:view"],
    ),
    (
        "GET",
        "/api/v2/outbound/callanalysisresponsesets",
        &["outbound:responseSet:view"],
    ),
    (
        "GET",
        "/api/v2/outbound/campaigns",
        &["outbound:campaign:view"],
    ),
    (
        "POST",
        "/api/v2/outbound/campaigns",
        &["outbound:campaign:add"],
    ),
    (
        "GET",
        "/api/v2/outbound/campaigns/{}",
        &["outbound:campaign:view"],
    ),
    (
        "GET",
        "/api/v2/outbound/schedules/campaigns/{}",
        &["outbound:schedule:view", "outbound:campaign:viewSchedule"],
    ),
    (
        "GET",
        "/api/v2/outbound/schedules/campaigns",
        &["outbound:schedule:view", "outbound:campaign:viewSchedule"],
    ),
    (
        "PUT",
        "/api/v2/outbound/schedules/campaigns/{}",
        &["outbound:schedule:edit", "outbound:campaign:editSchedule"],
    ),
];

/// Whether `path` matches `pattern`, where `{}` stands for one non-empty path segment.
fn matches(pattern: &str, path: &str) -> bool {
    let (mut p, mut q) = (pattern.split('/'), path.trim_end_matches('/').split('/'));
    loop {
        match (p.next(), q.next()) {
            (None, None) => return true,
            (Some("{}"), Some(seg)) if !seg.is_empty() => {}
            (Some(a), Some(b)) if a == b => {}
            _ => return false,
        }
    }
}

/// The permissions (any one suffices) an operation needs; empty = none.
pub(crate) fn required(method: &Method, path: &str) -> &'static [&'static str] {
    REQUIRED
        .iter()
        .find(|(m, p, _)| *m == method.as_str() && matches(p, path))
        .map_or(&[], |(_, _, perms)| *perms)
}

/// The 403 for a client that holds none of the permissions `method path` needs, given the
/// permissions it lacks; `None` when it may go ahead.
pub(crate) fn check(method: &Method, path: &str, denied: &[String]) -> Option<ApiError> {
    let needed = required(method, path);
    if needed.is_empty() || needed.iter().any(|p| !denied.iter().any(|d| d == p)) {
        return None;
    }
    let list = format!("[{}]", needed.join(", "));
    let mut e = ApiError::new(
        StatusCode::FORBIDDEN,
        "missing.any.permissions",
        format!(
            "Unable to perform the requested action. You must have at least one of the following permissions assigned: {list}"
        ),
    );
    e.message_params = Some(Box::new(json!({"permissions": list})));
    Some(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_one_segment_per_placeholder() {
        assert!(matches(
            "/api/v2/outbound/campaigns",
            "/api/v2/outbound/campaigns"
        ));
        assert!(matches(
            "/api/v2/outbound/campaigns/{}",
            "/api/v2/outbound/campaigns/c1"
        ));
        assert!(!matches(
            "/api/v2/outbound/campaigns/{}",
            "/api/v2/outbound/campaigns"
        ));
        assert!(!matches(
            "/api/v2/outbound/campaigns",
            "/api/v2/outbound/campaigns/c1"
        ));
        assert!(!matches("/api/v2/scripts", "/api/v2/scripts/published"));
    }

    #[test]
    fn each_operation_needs_its_documented_permission() {
        let post = Method::POST;
        let get = Method::GET;
        assert_eq!(
            required(&post, "/api/v2/outbound/campaigns"),
            ["outbound:campaign:add"]
        );
        assert_eq!(
            required(&get, "/api/v2/outbound/campaigns"),
            ["outbound:campaign:view"]
        );
        assert_eq!(
            required(&Method::PUT, "/api/v2/outbound/schedules/campaigns/x"),
            ["outbound:schedule:edit", "outbound:campaign:editSchedule"]
        );
        assert!(required(&get, "/api/v2/organizations/me").is_empty());
        assert!(required(&get, "/api/v2/telephony/providers/edges/sites").is_empty());
    }

    #[test]
    fn a_denied_permission_gives_a_genesys_shaped_403_only_where_needed() {
        let denied = vec!["outbound:campaign:add".to_string()];
        let e = check(&Method::POST, "/api/v2/outbound/campaigns", &denied).unwrap();
        assert_eq!(
            (e.status, e.code),
            (StatusCode::FORBIDDEN, "missing.any.permissions")
        );
        assert_eq!(
            e.message,
            "Unable to perform the requested action. You must have at least one of the following permissions assigned: [outbound:campaign:add]"
        );
        assert!(check(&Method::GET, "/api/v2/outbound/campaigns", &denied).is_none());
        // Any one of several suffices: denying one of two leaves the other.
        let one = vec!["outbound:schedule:edit".to_string()];
        let put = "/api/v2/outbound/schedules/campaigns/c1";
        assert!(check(&Method::PUT, put, &one).is_none());
        let both = vec![
            "outbound:schedule:edit".to_string(),
            "outbound:campaign:editSchedule".to_string(),
        ];
        assert!(check(&Method::PUT, put, &both).is_some());
    }
}
