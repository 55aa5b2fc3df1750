use super::super::test_support::{bytes, codes, fields};
use super::*;
use axum::http::StatusCode;
use serde_json::json;

struct Org {
    lists: Vec<Value>,
    queues: Vec<QueueData>,
    scripts: Vec<(Value, bool)>,
    sites: Vec<Value>,
    response_sets: Vec<Value>,
}

impl Org {
    fn new() -> Self {
        Self {
            lists: vec![json!({"id": "list-1", "name": "Renewals",
                "columnNames": ["Name", "Cell", "Home"],
                "phoneColumns": [{"columnName": "Cell", "type": "cell"},
                                 {"columnName": "Home", "type": "home"}]})],
            queues: vec![QueueData::for_test("queue-1", "Sales")],
            scripts: vec![
                (json!({"id": "script-1", "name": "Outreach"}), true),
                (json!({"id": "script-draft", "name": "Draft"}), false),
            ],
            sites: vec![json!({"id": "site-1", "name": "Indy"})],
            response_sets: vec![json!({"id": "rs-1", "name": "Live to agent"})],
        }
    }

    fn catalog(&self) -> Catalog<'_> {
        Catalog {
            contact_lists: &self.lists,
            queues: &self.queues,
            scripts: &self.scripts,
            sites: &self.sites,
            response_sets: &self.response_sets,
        }
    }
}

fn good() -> Value {
    json!({
        "name": "Spring renewals",
        "dialingMode": "preview",
        "campaignStatus": "off",
        "contactList": {"id": "list-1"},
        "queue": {"id": "queue-1"},
        "script": {"id": "script-1"},
        "callerName": "Acme",
        "callerAddress": "+1 (317) 555-0100",
        "phoneColumns": [{"columnName": "Cell", "type": "cell"}],
    })
}

fn check(body: Value) -> Result<(), ApiError> {
    let org = Org::new();
    campaign(&bytes(body), &org.catalog()).map(|_| ())
}

/// The 400 for `good()` with one edit: (errorCode, fieldName) pairs and the message.
fn refusal(edit: impl FnOnce(&mut Map<String, Value>)) -> (Vec<(String, String)>, String) {
    let mut body = good();
    edit(body.as_object_mut().unwrap());
    let e = check(body).unwrap_err();
    assert_eq!(
        (e.status, e.code),
        (StatusCode::BAD_REQUEST, "invalid.value")
    );
    (e.details, e.message)
}

fn one(code: &str, field: &str) -> Vec<(String, String)> {
    vec![(code.to_string(), field.to_string())]
}

#[test]
fn a_complete_body_resolves_its_references() {
    let org = Org::new();
    let v = campaign(&bytes(good()), &org.catalog()).unwrap();
    assert_eq!(v.contact_list["name"], "Renewals");
    assert_eq!(v.queue.map(|q| q.name.as_str()), Some("Sales"));
    assert_eq!(v.script.map(|s| &s["name"]), Some(&json!("Outreach")));
    assert_eq!(v.fields["callerName"], "Acme");
    // A draft script is still a script the campaign may name.
    let mut body = good();
    body["script"] = json!({"id": "script-draft"});
    assert!(check(body).is_ok());
}

/// `good()` as a campaign of `mode` with everything that mode requires.
fn good_for(mode: &str) -> Value {
    let mut body = good();
    body["dialingMode"] = json!(mode);
    if mode != "preview" {
        body["site"] = json!({"id": "site-1"});
        body["callAnalysisResponseSet"] = json!({"id": "rs-1"});
    }
    if matches!(mode, "progressive" | "power" | "predictive") {
        body["abandonRate"] = json!(5.0);
    }
    if mode == "agentless" {
        body["outboundLineCount"] = json!(2);
    }
    body
}

#[test]
fn each_mode_requires_its_fields_and_names_the_missing_one() {
    let org = Org::new();
    let required: [(&str, &[&str]); 4] = [
        ("preview", &["queue", "script"]),
        (
            "progressive",
            &[
                "queue",
                "script",
                "site",
                "callAnalysisResponseSet",
                "abandonRate",
            ],
        ),
        (
            "power",
            &[
                "queue",
                "script",
                "site",
                "callAnalysisResponseSet",
                "abandonRate",
            ],
        ),
        (
            "predictive",
            &[
                "queue",
                "script",
                "site",
                "callAnalysisResponseSet",
                "abandonRate",
            ],
        ),
    ];
    for (mode, fields) in required {
        let v = campaign(&bytes(good_for(mode)), &org.catalog()).unwrap();
        assert_eq!(v.site.is_some(), mode != "preview", "{mode}");
        assert_eq!(v.response_set.is_some(), mode != "preview", "{mode}");
        for field in fields {
            let mut body = good_for(mode);
            body.as_object_mut().unwrap().remove(*field);
            let e = campaign(&bytes(body), &org.catalog()).unwrap_err();
            assert!(
                fields_of(&e).contains(field),
                "{mode} without {field}: {:?} {}",
                e.details,
                e.message
            );
            assert_eq!(
                codes(&e),
                vec!["FIELD_REQUIRED"; fields_of(&e).len()],
                "{mode}"
            );
        }
    }
}

fn fields_of(e: &ApiError) -> Vec<&str> {
    fields(e)
}

#[test]
fn a_missing_site_names_edge_group_and_site_with_the_mode() {
    let mut body = good_for("power");
    body.as_object_mut().unwrap().remove("site");
    let e = check(body).unwrap_err();
    assert_eq!(fields(&e), ["edgeGroup", "site"]);
    assert_eq!(
        e.message,
        "edgeGroup (or site in its place) is required for power campaigns"
    );
    let mut body = good_for("predictive");
    body.as_object_mut().unwrap().remove("abandonRate");
    let e = check(body).unwrap_err();
    assert_eq!(
        e.message,
        "abandonRate is required for predictive campaigns (the target abandon percentage, e.g. 5)"
    );
}

#[test]
fn dialer_references_must_exist_and_preview_may_still_name_them() {
    assert_refusals_of(
        "progressive",
        vec![
            (
                Set("site", json!({"id": "site-9"})),
                "ENTITY_NOT_FOUND",
                "site",
                "site site-9 does not exist",
            ),
            (
                Set("callAnalysisResponseSet", json!({"id": "rs-9"})),
                "ENTITY_NOT_FOUND",
                "callAnalysisResponseSet",
                "callAnalysisResponseSet rs-9 does not exist",
            ),
            (
                Set("edgeGroup", json!({"id": "eg-1"})),
                "ENTITY_NOT_FOUND",
                "edgeGroup",
                "edgeGroup eg-1 does not exist",
            ),
        ],
    );
    let mut body = good();
    body["site"] = json!({"id": "site-1"});
    body["callAnalysisResponseSet"] = json!({"id": "rs-1"});
    assert!(
        check(body).is_ok(),
        "preview may name a site and response set"
    );
}

#[test]
fn agentless_needs_a_line_count() {
    let mut body = good_for("agentless");
    body.as_object_mut().unwrap().remove("outboundLineCount");
    let e = check(body).unwrap_err();
    assert_eq!(e.details, one("FIELD_REQUIRED", "outboundLineCount"));
    let mut body = good_for("agentless");
    body["outboundLineCount"] = json!(0);
    let e = check(body).unwrap_err();
    assert_eq!(e.details, one("INVALID_VALUE", "outboundLineCount"));
}

/// Like [`assert_refusals`], on `good_for(mode)`.
fn assert_refusals_of(mode: &str, cases: Vec<(Edit, &str, &str, &str)>) {
    for (edit, code, field, message) in cases {
        let mut body = good_for(mode);
        let o = body.as_object_mut().unwrap();
        match edit {
            Set(k, v) => {
                o.insert(k.into(), v);
            }
            Drop(k) => {
                o.remove(k);
            }
        }
        let e = check(body).unwrap_err();
        assert_eq!(e.details, one(code, field), "{message}");
        assert_eq!(e.message, message);
    }
}

#[test]
fn agentless_needs_no_queue_or_script_but_checks_them_when_given() {
    let mut body = good_for("agentless");
    let o = body.as_object_mut().unwrap();
    o.remove("queue");
    o.remove("script");
    let org = Org::new();
    let v = campaign(&bytes(body.clone()), &org.catalog()).unwrap();
    assert!(v.queue.is_none() && v.script.is_none());
    body["queue"] = json!({"id": "nope"});
    let e = check(body).unwrap_err();
    assert_eq!(e.details, one("ENTITY_NOT_FOUND", "queue"));
    assert_eq!(e.message, "queue nope does not exist");
}

#[test]
fn nulls_are_absent_fields() {
    let (details, msg) = refusal(|o| {
        o.insert("name".into(), Value::Null);
    });
    assert_eq!(details, one("FIELD_REQUIRED", "name"));
    assert_eq!(msg, "name is required");
    // An optional null is simply unset.
    let mut body = good();
    body["campaignStatus"] = Value::Null;
    body["abandonRate"] = Value::Null;
    assert!(check(body).is_ok());
}

/// One edit of `good()`: set a property, or remove it.
enum Edit {
    Set(&'static str, Value),
    Drop(&'static str),
}
use Edit::{Drop, Set};

/// Each case: the edit, then the single `details[]` entry and the message of the 400.
fn assert_refusals(cases: Vec<(Edit, &str, &str, &str)>) {
    for (edit, code, field, message) in cases {
        let (details, msg) = refusal(|o| match edit {
            Set(k, v) => {
                o.insert(k.into(), v);
            }
            Drop(k) => {
                o.remove(k);
            }
        });
        assert_eq!(details, one(code, field), "{message}");
        assert_eq!(msg, message);
    }
}

const MODES: &str = "agentless, preview, power, predictive, progressive, external";

#[test]
fn bad_plain_fields_are_named_with_code_and_message() {
    assert_refusals(vec![
        (
            Drop("callerName"),
            "FIELD_REQUIRED",
            "callerName",
            "callerName is required",
        ),
        (
            Set("callerName", json!("  ")),
            "INVALID_VALUE",
            "callerName",
            "callerName must be a non-empty string",
        ),
        (
            Set("callerAddress", json!("call me")),
            "INVALID_VALUE",
            "callerAddress",
            "callerAddress \"call me\" is not a phone number (e.g. +13175550100)",
        ),
        (
            Set("callerAddress", json!("+1 555 01")),
            "INVALID_VALUE",
            "callerAddress",
            "callerAddress \"+1 555 01\" is not a phone number (e.g. +13175550100)",
        ),
        (
            Drop("dialingMode"),
            "FIELD_REQUIRED",
            "dialingMode",
            &format!("dialingMode is required: one of {MODES}"),
        ),
        (
            Set("dialingMode", json!("draft")),
            "INVALID_VALUE",
            "dialingMode",
            &format!("dialingMode \"draft\" is not one of {MODES}"),
        ),
        (
            Set("campaignStatus", json!("draft")),
            "INVALID_VALUE",
            "campaignStatus",
            "campaignStatus \"draft\" is not one of on, stopping, off, complete, invalid, forced_off, forced_stopping (there is no draft status; use off)",
        ),
        (
            Set("abandonRate", json!(250)),
            "INVALID_VALUE",
            "abandonRate",
            "abandonRate 250 must be a percentage from 0 to 100",
        ),
        (
            Set("abandonRate", json!("5")),
            "INVALID_VALUE",
            "abandonRate",
            "abandonRate \"5\" must be a percentage from 0 to 100",
        ),
    ]);
}

#[test]
fn bad_contact_list_and_phone_columns_are_named() {
    assert_refusals(vec![
        (
            Drop("contactList"),
            "FIELD_REQUIRED",
            "contactList",
            "contactList is required ({\"id\": \"...\"})",
        ),
        (
            Set("contactList", json!({"id": "list-9"})),
            "ENTITY_NOT_FOUND",
            "contactList",
            "contactList list-9 does not exist",
        ),
        (
            Set("contactList", json!("list-1")),
            "INVALID_VALUE",
            "contactList",
            "contactList must be an object with an \"id\"",
        ),
        (
            Drop("phoneColumns"),
            "FIELD_REQUIRED",
            "phoneColumns",
            "phoneColumns is required: [{\"columnName\": \"Cell\", \"type\": \"cell\"}]",
        ),
        (
            Set("phoneColumns", json!([])),
            "INVALID_VALUE",
            "phoneColumns",
            "phoneColumns must be a non-empty list of {columnName, type}",
        ),
        (
            Set("phoneColumns", json!([{"columnName": "Cell"}])),
            "INVALID_VALUE",
            "phoneColumns",
            "phoneColumns[0] needs a columnName and a type (e.g. cell)",
        ),
        (
            Set(
                "phoneColumns",
                json!([{"columnName": "Cell", "type": "cell"}, {"columnName": "Fax", "type": "cell"}]),
            ),
            "INVALID_VALUE",
            "phoneColumns",
            "phoneColumns[1].columnName \"Fax\" is not a column of contact list \"Renewals\"",
        ),
        (
            Set(
                "phoneColumns",
                json!([{"columnName": "Home", "type": "cell"}]),
            ),
            "INVALID_VALUE",
            "phoneColumns",
            "phoneColumns[0].type \"cell\" is not the type of \"Home\" in contact list \"Renewals\", which is \"home\"",
        ),
    ]);
}

#[test]
fn missing_or_unknown_queue_and_script_are_named() {
    assert_refusals(vec![
        (
            Drop("queue"),
            "FIELD_REQUIRED",
            "queue",
            "queue is required ({\"id\": \"...\"})",
        ),
        (
            Set("queue", json!({"id": "no-such-queue"})),
            "ENTITY_NOT_FOUND",
            "queue",
            "queue no-such-queue does not exist",
        ),
        (
            Drop("script"),
            "FIELD_REQUIRED",
            "script",
            "script is required ({\"id\": \"...\"})",
        ),
        (
            Set("script", json!({"id": "s9"})),
            "ENTITY_NOT_FOUND",
            "script",
            "script s9 does not exist",
        ),
    ]);
}

#[test]
fn an_unknown_contact_list_skips_the_column_check() {
    let (details, _) = refusal(|o| {
        o.insert("contactList".into(), json!({"id": "list-9"}));
        o.insert(
            "phoneColumns".into(),
            json!([{"columnName": "Fax", "type": "cell"}]),
        );
    });
    assert_eq!(details, one("ENTITY_NOT_FOUND", "contactList"));
}

#[test]
fn every_problem_of_a_sparse_body_is_named_in_order() {
    let e = check(json!({"name": "x"})).unwrap_err();
    assert_eq!(
        fields(&e),
        [
            "callerName",
            "callerAddress",
            "dialingMode",
            "contactList",
            "phoneColumns",
            "queue",
            "script"
        ]
    );
    assert!(codes(&e).iter().all(|c| *c == "FIELD_REQUIRED"));
    assert!(
        e.message.starts_with(
            "the campaign is invalid: callerName is required; callerAddress is required; "
        ),
        "{}",
        e.message
    );
}

#[test]
fn non_objects_and_broken_json_are_plain_bad_requests() {
    for body in [b"[]".as_slice(), b"{\"name\": ".as_slice()] {
        let org = Org::new();
        let e = campaign(body, &org.catalog()).unwrap_err();
        assert_eq!((e.status, e.code), (StatusCode::BAD_REQUEST, "bad.request"));
        assert!(e.message.contains("(a Campaign)"), "{}", e.message);
    }
}
