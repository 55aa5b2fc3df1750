//! Wire shapes of the staffing operations (issue 14 item 6), checked against the schema
//! transcribed from the SDK docs (`tests/fixtures/openapi-extra/users-members.json`): the sandbox's queue
//! members and users aggregates responses, and the client's users aggregates bodies (at most
//! 100 `userId` predicates per query, as the developer centre documents).

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use queuecast::genesys::{ClientSettings, GenesysClient, UserStatusQuery};
use queuecast::granularity::Granularity;
use queuecast::sandbox::{self, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, SandboxOptions};
use reqwest::StatusCode;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::openapi::{assert_valid, errors, response_definition};

const USERS_PATH: &str = "/api/v2/analytics/users/aggregates/query";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 15, 30, 0).unwrap()
}

async fn token(base: &str) -> String {
    let v: Value = reqwest::Client::new()
        .post(format!("{base}/oauth/token"))
        .basic_auth(DEMO_CLIENT_ID, Some(DEMO_CLIENT_SECRET))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["access_token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn sandbox_members_and_users_aggregates_match_the_schema() {
    let sb = sandbox::start(SandboxOptions::at(now())).await.unwrap();
    let base = sb.base_url();
    let tok = token(&base).await;
    let centre = sb
        .contact_centre()
        .expect("the default org has the contact centre");
    let billing = centre.queue_index("Billing Voice").unwrap();
    let queue_id = centre.queues()[billing].id.clone();
    let http = reqwest::Client::new();

    let members_path = format!("/api/v2/routing/queues/{queue_id}/members");
    assert_eq!(
        response_definition("get", "/api/v2/routing/queues/{queueId}/members", "200").as_deref(),
        Some("QueueMemberEntityListing")
    );
    let mut ids = Vec::new();
    let mut page = 1;
    loop {
        let resp = http
            .get(format!(
                "{base}{members_path}?pageSize=10&pageNumber={page}&expand=routingStatus"
            ))
            .bearer_auth(&tok)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let v: Value = resp.json().await.unwrap();
        assert_valid("QueueMemberEntityListing", &v);
        for m in v["entities"].as_array().unwrap() {
            ids.push(m["user"]["id"].as_str().unwrap().to_string());
        }
        if v.get("nextUri").is_none() {
            break;
        }
        page += 1;
    }
    assert_eq!(ids.len(), centre.agents(billing).unwrap().len());

    let body = json!({
        "interval": "2026-11-18T14:00:00.000Z/2026-11-18T16:00:00.000Z",
        "granularity": "PT1H",
        "timeZone": "America/New_York",
        "groupBy": ["userId"],
        "metrics": ["tAgentRoutingStatus", "tSystemPresence", "tOrganizationPresence"],
        "filter": {"type": "or", "predicates": ids.iter().map(|id| json!({
            "type": "dimension", "dimension": "userId", "operator": "matches", "value": id
        })).collect::<Vec<_>>()}
    });
    assert_valid("UserAggregationQuery", &body);
    let resp = http
        .post(format!("{base}{USERS_PATH}"))
        .bearer_auth(&tok)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let v: Value = resp.json().await.unwrap();
    assert_valid("UserAggregateQueryResponse", &v);
    assert!(!v["results"].as_array().unwrap().is_empty());

    // An invented metric is refused by the sandbox as the schema refuses it.
    let mut bad = body.clone();
    bad["metrics"] = json!(["tOnQueue"]);
    assert!(!errors("UserAggregationQuery", &bad).is_empty());
    let resp = http
        .post(format!("{base}{USERS_PATH}"))
        .bearer_auth(&tok)
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    sb.shutdown().await;
}

#[tokio::test]
async fn the_client_sends_at_most_100_users_per_valid_query_and_merges_chunks() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "tok", "token_type": "bearer", "expires_in": 3600
        })))
        .mount(&server)
        .await;
    let reply = json!({"results": [{
        "group": {"userId": "u-007"},
        "data": [{
            "interval": "2026-11-18T09:00:00.000-05:00/2026-11-18T10:00:00.000-05:00",
            "metrics": [
                {"metric": "tAgentRoutingStatus", "qualifier": "IDLE", "stats": {"sum": 600000.0}},
                {"metric": "tAgentRoutingStatus", "qualifier": "INTERACTING", "stats": {"sum": 2400000.0}},
                {"metric": "tAgentRoutingStatus", "qualifier": "OFF_QUEUE", "stats": {"sum": 600000.0}}
            ]
        }]
    }]});
    assert_valid("UserAggregateQueryResponse", &reply);
    Mock::given(method("POST"))
        .and(path(USERS_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(reply))
        .mount(&server)
        .await;
    let mut s = ClientSettings::for_base(&server.uri(), "id", "secret");
    s.min_backoff = Duration::from_millis(10);
    let client = GenesysClient::new(s).unwrap();
    let users: Vec<String> = (0..150).map(|i| format!("u-{i:03}")).collect();
    let q = UserStatusQuery {
        user_ids: users.clone(),
        start: Utc.with_ymd_and_hms(2026, 11, 17, 5, 0, 0).unwrap(),
        end: Utc.with_ymd_and_hms(2026, 11, 19, 5, 0, 0).unwrap(),
        granularity: Granularity::Pt1h,
        time_zone: "America/New_York".into(),
        chunk_days: 1,
        max_concurrency: 2,
        summed: false,
    };
    let got = client.fetch_user_status(&q).await.unwrap();
    // Four queries (2 user groups × 2 days) each answered with the same bucket: merged into
    // one row whose status times add up (a real org reports each user and bucket once, so
    // adding is right there); on queue = IDLE + INTERACTING, not OFF_QUEUE.
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].user_id, "u-007");
    assert_eq!(got[0].on_queue_ms(), 4.0 * 3_000_000.0);
    assert_eq!(got[0].routing_ms["OFF_QUEUE"], 4.0 * 600_000.0);

    let reqs: Vec<_> = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path() == USERS_PATH)
        .collect();
    assert_eq!(reqs.len(), 4);
    let mut seen = Vec::new();
    for r in &reqs {
        let body: Value = serde_json::from_slice(&r.body).unwrap();
        assert_valid("UserAggregationQuery", &body);
        assert_eq!(body["metrics"], json!(["tAgentRoutingStatus"]));
        assert_eq!(body["groupBy"], json!(["userId"]));
        let preds = body["filter"]["clauses"][0]["predicates"]
            .as_array()
            .unwrap();
        assert!(preds.len() <= 100, "{}", preds.len());
        seen.extend(
            preds
                .iter()
                .map(|p| p["value"].as_str().unwrap().to_string()),
        );
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen, users);
}

/// A summed query (no `groupBy`: one group over every user the filter keeps) gives, bucket
/// by bucket, exactly the per-user rows added up, for more than 100 members (two user groups
/// per chunk, totals of totals) over days with DST-free hourly buckets.
#[tokio::test]
async fn a_summed_query_equals_the_members_rows_added_up() {
    let sb = sandbox::start(SandboxOptions::at(now())).await.unwrap();
    let centre = sb.contact_centre().unwrap();
    // Two queues' members, so the users fill more than one 100-user group.
    let users: Vec<String> = ["Support Voice", "Technical Voice"]
        .iter()
        .flat_map(|name| centre.agents(centre.queue_index(name).unwrap()).unwrap())
        .map(|a| a.id.clone())
        .collect();
    assert!(users.len() > 100, "{} agents", users.len());
    let client = GenesysClient::new(ClientSettings::for_base(
        &sb.base_url(),
        DEMO_CLIENT_ID,
        DEMO_CLIENT_SECRET,
    ))
    .unwrap();
    let q = |summed| UserStatusQuery {
        user_ids: users.clone(),
        start: Utc.with_ymd_and_hms(2026, 11, 16, 5, 0, 0).unwrap(),
        end: Utc.with_ymd_and_hms(2026, 11, 19, 5, 0, 0).unwrap(),
        granularity: Granularity::Pt1h,
        time_zone: "America/New_York".into(),
        chunk_days: 2,
        max_concurrency: 2,
        summed,
    };
    let per_user = client.fetch_user_status(&q(false)).await.unwrap();
    let summed = client.fetch_user_status(&q(true)).await.unwrap();
    let mut added: std::collections::BTreeMap<DateTime<Utc>, f64> = Default::default();
    for r in &per_user {
        *added.entry(r.start).or_default() += r.on_queue_ms();
    }
    assert_eq!(summed.len(), 72, "one row per hour of three days");
    for r in &summed {
        assert_eq!(r.user_id, "");
        assert_eq!(r.on_queue_ms(), added[&r.start], "{}", r.start);
    }
    assert!(summed.iter().any(|r| r.on_queue_ms() > 0.0));
}
