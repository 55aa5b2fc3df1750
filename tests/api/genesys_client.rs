//! The Genesys client against a real HTTP server on loopback (wiremock).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use queuecast::genesys::{
    AggregateQuery, Campaign, CampaignSchedule, ClientSettings, DialingMode, DomainEntityRef,
    FetchProgress, GenesysClient, GenesysError, Metric, PhoneColumn, ScheduleInterval,
};
use queuecast::granularity::Granularity;
use serde_json::{Value, json};
use wiremock::matchers::{bearer_token, body_string, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const CLIENT_ID: &str = "test-client-id";
const SECRET: &str = "sup3r-s3cret-value";
const QUEUE_ID: &str = "4b8f0c4e-1111-4c55-9a2e-0c0ffee00001";
const AGG_PATH: &str = "/api/v2/analytics/conversations/aggregates/query";

pub(crate) fn settings(server: &MockServer) -> ClientSettings {
    let mut s = ClientSettings::for_base(&server.uri(), CLIENT_ID, SECRET);
    s.min_backoff = Duration::from_millis(10);
    s.max_backoff = Duration::from_millis(50);
    s
}

fn client(server: &MockServer) -> GenesysClient {
    GenesysClient::new(settings(server)).unwrap()
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// Hands out `tok-1`, `tok-2`, … so tests can tell tokens apart.
struct TokenSeq {
    issued: Arc<AtomicUsize>,
    expires_in: u64,
}

impl Respond for TokenSeq {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
        ResponseTemplate::new(200).set_body_json(json!({
            "access_token": format!("tok-{n}"), "token_type": "bearer", "expires_in": self.expires_in
        }))
    }
}

/// Mounts the token endpoint; returns the counter of tokens issued.
pub(crate) async fn mount_token(server: &MockServer, expires_in: u64) -> Arc<AtomicUsize> {
    let issued = Arc::new(AtomicUsize::new(0));
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(wiremock::matchers::basic_auth(CLIENT_ID, SECRET))
        .and(body_string("grant_type=client_credentials"))
        .respond_with(TokenSeq {
            issued: issued.clone(),
            expires_in,
        })
        .mount(server)
        .await;
    issued
}

fn org() -> Value {
    json!({"id": "org-1", "name": "Acme", "version": 4})
}

async fn requests_to(server: &MockServer, p: &str) -> Vec<Request> {
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path() == p)
        .collect()
}

#[tokio::test]
async fn token_is_fetched_once_and_reused_with_user_agent() {
    let server = MockServer::start().await;
    let issued = mount_token(&server, 3600).await;
    Mock::given(method("GET"))
        .and(path("/api/v2/organizations/me"))
        .and(bearer_token("tok-1"))
        .and(header(
            "user-agent",
            concat!("queuecast/", env!("CARGO_PKG_VERSION")),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(org()))
        .expect(5)
        .mount(&server)
        .await;
    let c = client(&server);
    for _ in 0..5 {
        assert_eq!(c.organization_me().await.unwrap().name, "Acme");
    }
    assert_eq!(issued.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn token_is_refreshed_before_it_expires() {
    let server = MockServer::start().await;
    // expires_in 2 s: inside the 60 s margin, so the token is kept for half its life (1 s).
    let issued = mount_token(&server, 2).await;
    Mock::given(method("GET"))
        .and(path("/api/v2/organizations/me"))
        .respond_with(ResponseTemplate::new(200).set_body_json(org()))
        .mount(&server)
        .await;
    let c = client(&server);
    c.organization_me().await.unwrap();
    c.organization_me().await.unwrap();
    assert_eq!(issued.load(Ordering::SeqCst), 1, "reused while fresh");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    c.organization_me().await.unwrap();
    assert_eq!(
        issued.load(Ordering::SeqCst),
        2,
        "renewed once half-life passed"
    );
    let auths: Vec<String> = requests_to(&server, "/api/v2/organizations/me")
        .await
        .iter()
        .map(|r| r.headers["authorization"].to_str().unwrap().to_string())
        .collect();
    assert_eq!(auths, ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]);
}

#[tokio::test]
async fn unauthorized_refreshes_the_token_once_and_retries() {
    let server = MockServer::start().await;
    let issued = mount_token(&server, 3600).await;
    Mock::given(method("GET"))
        .and(path("/api/v2/organizations/me"))
        .and(bearer_token("tok-1"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"code": "bad.credentials"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/organizations/me"))
        .and(bearer_token("tok-2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(org()))
        .expect(1)
        .mount(&server)
        .await;
    assert_eq!(client(&server).organization_me().await.unwrap().id, "org-1");
    assert_eq!(issued.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_second_401_is_returned_not_looped() {
    let server = MockServer::start().await;
    let issued = mount_token(&server, 3600).await;
    Mock::given(method("GET"))
        .and(path("/api/v2/organizations/me"))
        .respond_with(
            ResponseTemplate::new(401)
                .insert_header("ININ-Correlation-Id", "corr-401")
                .set_body_json(
                    json!({"code": "bad.credentials", "message": "Invalid login credentials."}),
                ),
        )
        .expect(2)
        .mount(&server)
        .await;
    let err = client(&server).organization_me().await.unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert!(err.to_string().contains("corr-401"), "{err}");
    assert_eq!(issued.load(Ordering::SeqCst), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_callers_share_one_token_request() {
    let server = MockServer::start().await;
    let issued = Arc::new(AtomicUsize::new(0));
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(DelayedTokens(issued.clone()))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/organizations/me"))
        .respond_with(ResponseTemplate::new(200).set_body_json(org()))
        .expect(12)
        .mount(&server)
        .await;
    let c = client(&server);
    let calls = (0..12).map(|_| {
        let c = c.clone();
        tokio::spawn(async move { c.organization_me().await })
    });
    for r in futures::future::join_all(calls).await {
        r.unwrap().unwrap();
    }
    assert_eq!(issued.load(Ordering::SeqCst), 1);
}

/// A slow token endpoint, so concurrent callers really overlap the refresh.
struct DelayedTokens(Arc<AtomicUsize>);

impl Respond for DelayedTokens {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        ResponseTemplate::new(200)
            .set_delay(Duration::from_millis(300))
            .set_body_json(json!({"access_token": format!("tok-{n}"), "expires_in": 3600}))
    }
}

#[tokio::test]
async fn rate_limit_waits_retry_after_then_succeeds() {
    let server = MockServer::start().await;
    mount_token(&server, 3600).await;
    Mock::given(method("GET"))
        .and(path("/api/v2/organizations/me"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "1")
                .set_body_json(json!({"code": "too.many.requests.retry.after", "status": 429})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/organizations/me"))
        .respond_with(ResponseTemplate::new(200).set_body_json(org()))
        .mount(&server)
        .await;
    let started = Instant::now();
    client(&server).organization_me().await.unwrap();
    // It must have honoured the 1 s (backoff alone is 10–50 ms here).
    assert!(started.elapsed() >= Duration::from_millis(950));
    assert_eq!(
        requests_to(&server, "/api/v2/organizations/me").await.len(),
        2
    );
}

/// Requests `organizations/me` took when the server answers `status` twice, then 200.
async fn requests_until_success_after_two(status: u16) -> usize {
    let server = MockServer::start().await;
    mount_token(&server, 3600).await;
    Mock::given(method("GET"))
        .and(path("/api/v2/organizations/me"))
        .respond_with(ResponseTemplate::new(status))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/organizations/me"))
        .respond_with(ResponseTemplate::new(200).set_body_json(org()))
        .mount(&server)
        .await;
    client(&server).organization_me().await.unwrap();
    requests_to(&server, "/api/v2/organizations/me").await.len()
}

#[tokio::test]
async fn rate_limit_without_retry_after_falls_back_to_backoff() {
    assert_eq!(requests_until_success_after_two(429).await, 3);
}

#[tokio::test]
async fn retry_after_beyond_the_cap_fails_clearly_without_waiting() {
    let server = MockServer::start().await;
    mount_token(&server, 3600).await;
    Mock::given(method("GET"))
        .and(path("/api/v2/organizations/me"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "3600")
                .insert_header("ININ-Correlation-Id", "corr-429")
                .set_body_json(json!({"code": "too.many.requests.retry.after"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server).organization_me().await.unwrap_err();
    assert!(matches!(
        err,
        GenesysError::RetryAfterTooLong {
            retry_after_secs: 3600,
            cap_secs: 180,
            ..
        }
    ));
    let msg = err.to_string();
    for needle in ["3600", "180", "max_retry_after_secs", "corr-429"] {
        assert!(msg.contains(needle), "{needle} missing from: {msg}");
    }
}

#[tokio::test]
async fn service_unavailable_backs_off_then_succeeds() {
    assert_eq!(requests_until_success_after_two(503).await, 3);
}

#[tokio::test]
async fn persistent_bad_gateway_gives_up_after_max_retries() {
    let server = MockServer::start().await;
    mount_token(&server, 3600).await;
    Mock::given(method("GET"))
        .and(path("/api/v2/organizations/me"))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>Bad Gateway</html>"))
        .mount(&server)
        .await;
    let mut s = settings(&server);
    s.max_retries = 2;
    let err = GenesysClient::new(s)
        .unwrap()
        .organization_me()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(502));
    assert!(err.to_string().contains("after 2 retries"), "{err}");
    assert_eq!(
        requests_to(&server, "/api/v2/organizations/me").await.len(),
        3
    );
}

#[tokio::test]
async fn connection_refused_is_retried_then_reported() {
    // Bind and drop a listener: the port is then (almost certainly) closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut s = ClientSettings::for_base(&format!("http://127.0.0.1:{port}"), CLIENT_ID, SECRET);
    s.min_backoff = Duration::from_millis(5);
    s.max_backoff = Duration::from_millis(10);
    s.max_retries = 2;
    let err = GenesysClient::new(s)
        .unwrap()
        .organization_me()
        .await
        .unwrap_err();
    match &err {
        GenesysError::Transport { attempts, url, .. } => {
            assert_eq!(*attempts, 3);
            assert_eq!(url, &format!("http://127.0.0.1:{port}/oauth/token"));
        }
        other => panic!("expected a transport error, got {other:?}"),
    }
}

#[tokio::test]
async fn bad_request_fails_at_once_with_code_message_and_correlation_id() {
    let server = MockServer::start().await;
    mount_token(&server, 3600).await;
    Mock::given(method("GET"))
        .and(path(format!("/api/v2/routing/queues/{QUEUE_ID}")))
        .respond_with(
            ResponseTemplate::new(400)
                .insert_header("ININ-Correlation-Id", "7f3c2a10-corr")
                .set_body_json(json!({
                    "message": "The request could not be understood by the server due to malformed syntax.",
                    "code": "bad.request", "status": 400, "contextId": "ctx-1",
                    "details": [{"errorCode": "FIELD_REQUIRED", "fieldName": "callerAddress"}], "errors": []
                })),
        )
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server).get_queue(QUEUE_ID).await.unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.code(), Some("bad.request"));
    assert_eq!(err.correlation_id(), Some("7f3c2a10-corr"));
    assert_eq!(
        err.to_string(),
        format!(
            "GET /api/v2/routing/queues/{QUEUE_ID} failed: HTTP 400 bad.request: The request could not be \
             understood by the server due to malformed syntax. (correlation id 7f3c2a10-corr)"
        )
    );
    let GenesysError::Api {
        body: Some(body), ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(body.details[0].field_name.as_deref(), Some("callerAddress"));
}

#[tokio::test]
async fn rejected_client_credentials_name_the_env_vars() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(401).set_body_json(
            json!({"error": "invalid_client", "description": "client authentication failed"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server).organization_me().await.unwrap_err();
    assert!(
        matches!(err, GenesysError::Auth { status: 401, .. }),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("invalid_client") && msg.contains("GENESYSCLOUD_OAUTHCLIENT_ID"),
        "{msg}"
    );
}

fn queue_page(names: &[&str], page: u32, page_count: u32) -> Value {
    let entities: Vec<Value> = names
        .iter()
        .map(|n| json!({"id": format!("id-{n}"), "name": n, "memberCount": 3}))
        .collect();
    json!({"entities": entities, "pageSize": 100, "pageNumber": page, "total": 7, "pageCount": page_count})
}

#[tokio::test]
async fn queues_are_paged_with_the_name_filter() {
    let server = MockServer::start().await;
    mount_token(&server, 3600).await;
    let pages = [
        &["Sales A", "Sales B", "Sales C"][..],
        &["Sales D", "Sales E"],
        &["Sales F", "Sales G"],
    ];
    for (i, names) in pages.iter().enumerate() {
        let n = i as u32 + 1;
        Mock::given(method("GET"))
            .and(path("/api/v2/routing/queues"))
            .and(query_param("pageNumber", n.to_string()))
            .and(query_param("pageSize", "100"))
            .and(query_param("name", "Sales*"))
            .respond_with(ResponseTemplate::new(200).set_body_json(queue_page(names, n, 3)))
            .expect(1)
            .mount(&server)
            .await;
    }
    let queues = client(&server).list_queues(Some("Sales*")).await.unwrap();
    let names: Vec<&str> = queues.iter().map(|q| q.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Sales A", "Sales B", "Sales C", "Sales D", "Sales E", "Sales F", "Sales G"
        ]
    );
    assert_eq!(queues[6].id, "id-Sales G");
}

#[tokio::test]
async fn malformed_listing_names_the_offending_field() {
    let server = MockServer::start().await;
    mount_token(&server, 3600).await;
    Mock::given(method("GET"))
        .and(path("/api/v2/routing/queues"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("ININ-Correlation-Id", "corr-bad")
                .set_body_json(json!({"entities": [{"id": "ok", "name": "A"}, {"id": 17, "name": "B"}], "pageCount": 1})),
        )
        .mount(&server)
        .await;
    let err = client(&server).list_queues(None).await.unwrap_err();
    match &err {
        GenesysError::Decode {
            field,
            correlation_id,
            ..
        } => {
            assert_eq!(field, "entities[1].id");
            assert_eq!(correlation_id.as_deref(), Some("corr-bad"));
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    assert!(err.to_string().contains("entities[1].id"), "{err}");
}

#[tokio::test]
async fn non_json_success_body_is_a_typed_error() {
    let server = MockServer::start().await;
    mount_token(&server, 3600).await;
    Mock::given(method("GET"))
        .and(path("/api/v2/organizations/me"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{\"id\": \"org\", \"name\": "))
        .mount(&server)
        .await;
    let err = client(&server).organization_me().await.unwrap_err();
    assert!(matches!(err, GenesysError::Decode { .. }), "{err:?}");
    assert!(
        err.to_string().contains("/api/v2/organizations/me"),
        "{err}"
    );
}

/// Answers an aggregates query with one voice bucket at the chunk's first hour.
struct EchoAggregates;

impl Respond for EchoAggregates {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&req.body).unwrap();
        let start = body["interval"]
            .as_str()
            .unwrap()
            .split('/')
            .next()
            .unwrap()
            .to_string();
        ResponseTemplate::new(200).set_body_json(json!({"results": [{
            "group": {"queueId": QUEUE_ID, "mediaType": "voice"},
            "data": [{"interval": format!("{start}/x"), "metrics": [{"metric": "nOffered", "stats": {"count": 2}}]}]
        }]}))
    }
}

#[tokio::test]
async fn ninety_days_are_split_into_weekly_chunks_at_local_midnight() {
    let server = MockServer::start().await;
    mount_token(&server, 3600).await;
    Mock::given(method("POST"))
        .and(path(AGG_PATH))
        .respond_with(EchoAggregates)
        .expect(13)
        .mount(&server)
        .await;
    // Dublin: local midnight is 00:00Z in winter and 23:00Z the day before in summer
    // (DST starts 2024-03-31). 90 days = 12 full weeks + 6 days = 13 queries.
    let mut q = AggregateQuery::new(
        QUEUE_ID,
        utc("2024-03-01T00:00:00Z"),
        utc("2024-05-29T23:00:00Z"),
        Granularity::Pt30m,
        "Europe/Dublin",
    );
    q.media_types = vec!["voice".into()];
    q.metrics = vec![Metric::NOffered, Metric::NHandled];
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let buckets = client(&server)
        .fetch_aggregates(&q, Some(tx))
        .await
        .unwrap();

    let bodies: Vec<Value> = requests_to(&server, AGG_PATH)
        .await
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    let mut intervals: Vec<String> = bodies
        .iter()
        .map(|b| b["interval"].as_str().unwrap().to_string())
        .collect();
    intervals.sort();
    assert_eq!(intervals.len(), 13);
    assert_eq!(
        intervals[0],
        "2024-03-01T00:00:00.000Z/2024-03-08T00:00:00.000Z"
    );
    assert_eq!(
        intervals[3],
        "2024-03-22T00:00:00.000Z/2024-03-29T00:00:00.000Z"
    );
    assert_eq!(
        intervals[4],
        "2024-03-29T00:00:00.000Z/2024-04-04T23:00:00.000Z"
    );
    assert_eq!(
        intervals[12],
        "2024-05-23T23:00:00.000Z/2024-05-29T23:00:00.000Z"
    );
    for pair in intervals.windows(2) {
        let end_of_first = pair[0].split('/').nth(1).unwrap();
        assert_eq!(
            end_of_first,
            pair[1].split('/').next().unwrap(),
            "chunks must tile the range"
        );
    }
    for body in &bodies {
        crate::common::openapi::assert_valid("ConversationAggregationQuery", body);
        assert_eq!(body["granularity"], "PT30M");
        assert_eq!(body["timeZone"], "Europe/Dublin");
        assert_eq!(body["groupBy"], json!(["queueId", "mediaType"]));
        assert_eq!(body["metrics"], json!(["nOffered", "tHandle"]));
        assert_eq!(
            body["filter"],
            json!({"type": "and", "clauses": [
                {"type": "or", "predicates": [
                    {"type": "dimension", "dimension": "queueId", "operator": "matches", "value": QUEUE_ID}]},
                {"type": "or", "predicates": [
                    {"type": "dimension", "dimension": "mediaType", "operator": "matches", "value": "voice"}]}]})
        );
    }
    assert_eq!(buckets.len(), 13);
    assert!(
        buckets
            .iter()
            .all(|b| b.n_offered == 2.0 && b.n_handled == Some(0.0))
    );

    let mut seen = Vec::new();
    while let Ok(p) = rx.try_recv() {
        seen.push(p);
    }
    assert_eq!(seen.first(), Some(&FetchProgress { done: 0, total: 13 }));
    assert_eq!(
        seen.last(),
        Some(&FetchProgress {
            done: 13,
            total: 13
        })
    );
    assert_eq!(seen.len(), 14);
}

#[tokio::test]
async fn out_of_order_chunks_and_media_groups_merge_sorted_and_summed() {
    let server = MockServer::start().await;
    mount_token(&server, 3600).await;
    // Chunk 1 answers slowly so it finishes last; its buckets are also out of order.
    Mock::given(method("POST"))
        .and(path(AGG_PATH))
        .and(wiremock::matchers::body_partial_json(
            json!({"interval": "2024-05-06T00:00:00.000Z/2024-05-07T00:00:00.000Z"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_millis(300)).set_body_json(json!({
            "results": [
                {"group": {"queueId": QUEUE_ID, "mediaType": "voice"}, "data": [
                    {"interval": "2024-05-06T14:00:00.000Z/2024-05-06T15:00:00.000Z", "metrics": [
                        {"metric": "nOffered", "stats": {"count": 14}},
                        {"metric": "tHandle", "stats": {"max": 612000, "min": 95000, "count": 11, "sum": 3301000}}]},
                    {"interval": "2024-05-06T09:00:00.000Z/2024-05-06T10:00:00.000Z", "metrics": [
                        {"metric": "nOffered", "stats": {"count": 5}}]}]},
                {"group": {"queueId": QUEUE_ID, "mediaType": "callback"}, "data": [
                    {"interval": "2024-05-06T14:00:00.000Z/2024-05-06T15:00:00.000Z", "metrics": [
                        {"metric": "nOffered", "stats": {"count": 1}},
                        {"metric": "tHandle", "stats": {"max": 700000, "min": 50000, "count": 1, "sum": 700000}}]}]},
                {"group": {"queueId": QUEUE_ID, "mediaType": "chat"}}
            ]})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(AGG_PATH))
        .and(wiremock::matchers::body_partial_json(
            json!({"interval": "2024-05-07T00:00:00.000Z/2024-05-08T00:00:00.000Z"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"results": [
            {"group": {"queueId": QUEUE_ID, "mediaType": "voice"}, "data": [
                {"interval": "2024-05-07T08:00:00.000Z/2024-05-07T09:00:00.000Z", "metrics": [
                    {"metric": "nOffered", "stats": {"count": 3}}]}]}]})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(AGG_PATH))
        .and(wiremock::matchers::body_partial_json(
            json!({"interval": "2024-05-08T00:00:00.000Z/2024-05-09T00:00:00.000Z"}),
        ))
        // A day with no traffic at all: Genesys leaves `results` out.
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&server)
        .await;
    let mut q = AggregateQuery::new(
        QUEUE_ID,
        utc("2024-05-06T00:00:00Z"),
        utc("2024-05-09T00:00:00Z"),
        Granularity::Pt1h,
        "UTC",
    );
    q.chunk_days = 1;
    q.metrics = vec![Metric::NHandled, Metric::THandle];
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let buckets = client(&server)
        .fetch_aggregates(&q, Some(tx))
        .await
        .unwrap();
    let starts: Vec<String> = buckets.iter().map(|b| b.start.to_rfc3339()).collect();
    assert_eq!(
        starts,
        [
            "2024-05-06T09:00:00+00:00",
            "2024-05-06T14:00:00+00:00",
            "2024-05-07T08:00:00+00:00"
        ]
    );
    let peak = &buckets[1];
    assert_eq!(peak.n_offered, 15.0);
    assert_eq!(peak.n_handled, Some(12.0));
    let t = peak.t_handle.unwrap();
    assert_eq!(
        (t.count, t.sum_ms, t.min_ms, t.max_ms),
        (12.0, 4_001_000.0, Some(50_000.0), Some(700_000.0))
    );
    assert_eq!(buckets[0].n_handled, Some(0.0));
    assert_eq!(buckets[0].t_handle.unwrap().mean_ms(), None);
    // The slow first chunk finished last, yet every chunk was reported.
    let mut seen = Vec::new();
    while let Ok(p) = rx.try_recv() {
        seen.push(p.done);
    }
    assert_eq!(seen, [0, 1, 2, 3]);
}

#[tokio::test]
async fn a_400_on_a_multi_day_chunk_is_retried_day_by_day() {
    let server = MockServer::start().await;
    mount_token(&server, 3600).await;
    Mock::given(method("POST"))
        .and(path(AGG_PATH))
        .and(wiremock::matchers::body_partial_json(
            json!({"interval": "2024-05-06T00:00:00.000Z/2024-05-09T00:00:00.000Z"}),
        ))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"code": "bad.request"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(AGG_PATH))
        .respond_with(EchoAggregates)
        .expect(3)
        .mount(&server)
        .await;
    let mut q = AggregateQuery::new(
        QUEUE_ID,
        utc("2024-05-06T00:00:00Z"),
        utc("2024-05-09T00:00:00Z"),
        Granularity::Pt1h,
        "UTC",
    );
    q.chunk_days = 7;
    let buckets = client(&server).fetch_aggregates(&q, None).await.unwrap();
    let starts: Vec<String> = buckets.iter().map(|b| b.start.to_rfc3339()).collect();
    assert_eq!(
        starts,
        [
            "2024-05-06T00:00:00+00:00",
            "2024-05-07T00:00:00+00:00",
            "2024-05-08T00:00:00+00:00"
        ]
    );
}

#[tokio::test]
async fn a_400_that_persists_for_one_day_is_returned_after_two_requests() {
    let server = MockServer::start().await;
    mount_token(&server, 3600).await;
    Mock::given(method("POST"))
        .and(path(AGG_PATH))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"code": "invalid.value", "message": "queueId is not valid"})),
        )
        .expect(2)
        .mount(&server)
        .await;
    let q = AggregateQuery::new(
        "not-a-queue",
        utc("2024-05-06T00:00:00Z"),
        utc("2024-05-09T00:00:00Z"),
        Granularity::Pt1h,
        "UTC",
    );
    let err = client(&server)
        .fetch_aggregates(&q, None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("invalid.value"));
}

#[tokio::test]
async fn malformed_aggregate_interval_names_the_field() {
    let server = MockServer::start().await;
    mount_token(&server, 3600).await;
    Mock::given(method("POST"))
        .and(path(AGG_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"results": [
            {"group": {"queueId": QUEUE_ID}, "data": [{"interval": "yesterday", "metrics": []}]}]})))
        .mount(&server)
        .await;
    let q = AggregateQuery::new(
        QUEUE_ID,
        utc("2024-05-06T00:00:00Z"),
        utc("2024-05-07T00:00:00Z"),
        Granularity::Pt1h,
        "UTC",
    );
    let err = client(&server)
        .fetch_aggregates(&q, None)
        .await
        .unwrap_err();
    match &err {
        GenesysError::Decode { field, reason, .. } => {
            assert_eq!(field, "results[0].data[0].interval");
            assert!(reason.contains("yesterday"), "{reason}");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

fn draft_campaign() -> Campaign {
    Campaign {
        id: Some("should-not-be-sent".into()),
        queue: Some(DomainEntityRef::new(QUEUE_ID)),
        script: Some(DomainEntityRef::new("5e6f7a8b-0000-4000-8000-00000000d001")),
        ..Campaign::draft(
            "Spring renewals",
            DomainEntityRef::new("9c1d2e3f-0000-4000-8000-00000000c001"),
            DialingMode::Preview,
            vec![PhoneColumn {
                column_name: "Cell".into(),
                column_type: "cell".into(),
            }],
            "Acme Renewals",
            "+13175550100",
        )
    }
}

#[tokio::test]
async fn create_campaign_sends_a_valid_body_and_reads_the_200() {
    let server = MockServer::start().await;
    mount_token(&server, 3600).await;
    Mock::given(method("POST"))
        .and(path("/api/v2/outbound/campaigns"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "0a1b2c3d-0000-4000-8000-00000000e001", "name": "Spring renewals", "dialingMode": "preview",
            "campaignStatus": "off", "contactList": {"id": "9c1d2e3f-0000-4000-8000-00000000c001", "name": "Renewals"},
            "queue": {"id": QUEUE_ID}, "script": {"id": "5e6f7a8b-0000-4000-8000-00000000d001"},
            "callerName": "Acme Renewals", "callerAddress": "+13175550100",
            "phoneColumns": [{"columnName": "Cell", "type": "cell"}], "version": 1,
            "dateCreated": "2024-05-06T15:04:05.000Z", "selfUri": "/api/v2/outbound/campaigns/0a1b2c3d-0000-4000-8000-00000000e001",
            "errors": [], "maxCallsPerAgent": 2
        })))
        .expect(1)
        .mount(&server)
        .await;
    let created = client(&server)
        .create_campaign(&draft_campaign())
        .await
        .unwrap();
    assert_eq!(
        created.id.as_deref(),
        Some("0a1b2c3d-0000-4000-8000-00000000e001")
    );
    assert_eq!(created.version, Some(1));
    assert_eq!(created.contact_list.name.as_deref(), Some("Renewals"));
    let sent: Value =
        serde_json::from_slice(&requests_to(&server, "/api/v2/outbound/campaigns").await[0].body)
            .unwrap();
    crate::common::openapi::assert_valid("Campaign", &sent);
    assert!(
        sent.get("id").is_none(),
        "read-only id must not be sent: {sent}"
    );
    assert_eq!(sent["campaignStatus"], "off");
}

#[tokio::test]
async fn create_campaign_is_not_retried_after_a_gateway_error() {
    let server = MockServer::start().await;
    mount_token(&server, 3600).await;
    Mock::given(method("POST"))
        .and(path("/api/v2/outbound/campaigns"))
        .respond_with(ResponseTemplate::new(504))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .create_campaign(&draft_campaign())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(504));
}

fn schedule(version: Option<i32>) -> CampaignSchedule {
    CampaignSchedule {
        id: None,
        name: None,
        version,
        intervals: vec![ScheduleInterval {
            start: "2024-06-03T09:00:00.000".into(),
            end: "2024-06-03T17:00:00.000".into(),
        }],
        recurrences: None,
        time_zone: Some("America/Chicago".into()),
        campaign: DomainEntityRef::new("camp-1"),
        self_uri: None,
    }
}

const SCHEDULE_PATH: &str = "/api/v2/outbound/schedules/campaigns/camp-1";

#[tokio::test]
async fn schedule_put_without_existing_schedule_sends_no_version() {
    let server = MockServer::start().await;
    mount_token(&server, 3600).await;
    Mock::given(method("GET"))
        .and(path(SCHEDULE_PATH))
        .respond_with(
            ResponseTemplate::new(404).set_body_json(json!({"code": "not.found", "status": 404})),
        )
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(SCHEDULE_PATH))
        .respond_with(|req: &Request| {
            let mut body: Value = serde_json::from_slice(&req.body).unwrap();
            body["version"] = json!(1);
            body["id"] = json!("sched-1");
            ResponseTemplate::new(200).set_body_json(body)
        })
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    assert_eq!(c.get_campaign_schedule("camp-1").await.unwrap(), None);
    let saved = c.put_campaign_schedule(&schedule(Some(99))).await.unwrap();
    assert_eq!(saved.version, Some(1));
    let puts: Vec<Value> = requests_to(&server, SCHEDULE_PATH)
        .await
        .iter()
        .filter(|r| r.method.as_str() == "PUT")
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    crate::common::openapi::assert_valid("CampaignSchedule", &puts[0]);
    assert!(puts[0].get("version").is_none(), "{}", puts[0]);
}

/// The server's schedule: its version moves on every GET until the client has re-read once,
/// simulating an edit elsewhere between the client's read and write.
struct VersionedSchedule {
    gets: Arc<AtomicUsize>,
}

impl Respond for VersionedSchedule {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        if req.method.as_str() == "GET" {
            let n = self.gets.fetch_add(1, Ordering::SeqCst) as i32;
            let mut s = serde_json::to_value(schedule(Some(3 + n))).unwrap();
            s["id"] = json!("sched-1");
            return ResponseTemplate::new(200).set_body_json(s);
        }
        let body: Value = serde_json::from_slice(&req.body).unwrap();
        let current = 3 + self.gets.load(Ordering::SeqCst) as i32 - 1;
        if body["version"] == json!(current) && self.gets.load(Ordering::SeqCst) >= 2 {
            let mut saved = body.clone();
            saved["version"] = json!(current + 1);
            ResponseTemplate::new(200).set_body_json(saved)
        } else {
            ResponseTemplate::new(409).set_body_json(json!({"code": "conflict", "status": 409,
                "message": "The request conflicts with the current state of the target resource."}))
        }
    }
}

#[tokio::test]
async fn schedule_version_conflict_is_reread_and_retried_once() {
    let server = MockServer::start().await;
    mount_token(&server, 3600).await;
    let gets = Arc::new(AtomicUsize::new(0));
    Mock::given(path(SCHEDULE_PATH))
        .respond_with(VersionedSchedule { gets: gets.clone() })
        .mount(&server)
        .await;
    let saved = client(&server)
        .put_campaign_schedule(&schedule(None))
        .await
        .unwrap();
    assert_eq!(saved.version, Some(5));
    let puts: Vec<Value> = requests_to(&server, SCHEDULE_PATH)
        .await
        .iter()
        .filter(|r| r.method.as_str() == "PUT")
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    let versions: Vec<&Value> = puts.iter().map(|p| &p["version"]).collect();
    assert_eq!(versions, [&json!(3), &json!(4)]);
    for p in &puts {
        crate::common::openapi::assert_valid("CampaignSchedule", p);
        assert!(p.get("id").is_none(), "read-only id sent: {p}");
    }
    assert_eq!(gets.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn schedule_version_400_message_also_triggers_one_retry_only() {
    let server = MockServer::start().await;
    mount_token(&server, 3600).await;
    Mock::given(method("GET"))
        .and(path(SCHEDULE_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::to_value(schedule(Some(7))).unwrap()),
        )
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(SCHEDULE_PATH))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(json!({"code": "bad.request", "status": 400,
            "message": "Version 7 does not match the current version 8"})),
        )
        .expect(2)
        .mount(&server)
        .await;
    let err = client(&server)
        .put_campaign_schedule(&schedule(None))
        .await
        .unwrap_err();
    assert!(err.is_version_mismatch(), "{err}");
}

#[tokio::test]
async fn outbound_listings_follow_pages() {
    let server = MockServer::start().await;
    mount_token(&server, 3600).await;
    Mock::given(method("GET"))
        .and(path("/api/v2/outbound/contactlists"))
        .and(query_param("pageNumber", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"entities": [
            {"id": "cl1", "name": "Renewals", "columnNames": ["Name", "Cell"],
             "phoneColumns": [{"columnName": "Cell", "type": "cell"}]}], "pageCount": 2, "pageNumber": 1})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/outbound/contactlists"))
        .and(query_param("pageNumber", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"entities": [
            {"id": "cl2", "name": "Winback", "columnNames": ["Home"], "phoneColumns": []}], "pageCount": 2, "pageNumber": 2})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/scripts/published"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"entities": [
            {"id": "s1", "name": "Renewal script"}], "pageCount": 1})),
        )
        .mount(&server)
        .await;
    let c = client(&server);
    let lists = c.list_contact_lists().await.unwrap();
    assert_eq!(
        lists.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(),
        ["cl1", "cl2"]
    );
    assert_eq!(lists[0].phone_columns[0].column_type, "cell");
    let scripts = c.list_published_scripts().await.unwrap();
    assert_eq!(scripts[0].name, "Renewal script");
}
