//! The strict schema helper itself must reject what the real API would not accept.

use crate::common::openapi;
use serde_json::json;

#[test]
fn documented_campaign_example_is_valid() {
    openapi::assert_valid(
        "Campaign",
        &json!({"name":"Spring renewals","dialingMode":"preview","campaignStatus":"off",
            "contactList":{"id":"9c1d2e3f-0000-4000-8000-00000000c001"},"queue":{"id":"4b8f0c4e-1111-4c55-9a2e-0c0ffee00001"},
            "script":{"id":"5e6f7a8b-0000-4000-8000-00000000d001"},"callerName":"Acme Renewals","callerAddress":"+13175550100",
            "phoneColumns":[{"columnName":"Cell","type":"cell"}]}),
    );
}

#[test]
fn tutorial_fields_are_rejected() {
    let errs = openapi::errors(
        "Campaign",
        &json!({"name":"x","dialingMode":"preview","contactList":{"id":"a"},"callerName":"n","callerAddress":"+1",
            "phoneColumns":[{"columnName":"Cell","type":"cell"}],"maxCallsPerHour":10}),
    );
    assert!(
        errs.iter().any(|e| e.contains("maxCallsPerHour")),
        "{errs:?}"
    );
    let errs = openapi::errors("Campaign", &json!({"name":"x","dialingMode":"draft"}));
    assert!(!errs.is_empty());
}

#[test]
fn response_definitions_come_from_paths() {
    assert_eq!(
        openapi::response_definition("post", "/api/v2/outbound/campaigns", "200").as_deref(),
        Some("Campaign")
    );
}
