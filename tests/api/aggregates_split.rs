//! Splitting a failing group of queues (`fetch_each_queue`) against wiremock on loopback:
//! the halves of a group that ran out of the retry deadline get a short budget for failures,
//! and a throttle answer there is waited out as asked instead of failing the fetch.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use queuecast::genesys::{AggregateQuery, GenesysClient, GenesysError, PerQueue};
use queuecast::granularity::Granularity;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::genesys_client::{mount_token, settings};

const AGG_PATH: &str = "/api/v2/analytics/conversations/aggregates/query";
const BAD: &str = "qbad";
const GOOD: [&str; 3] = ["qgood-1", "qgood-2", "qgood-3"];
/// `Retry-After` is whole seconds: the shortest wait a 429 can ask for.
const RETRY_AFTER_SECS: u64 = 1;

/// A server on which one queue fails every query that asks for it (503, as a stuck queue
/// does), and the first query for exactly `[GOOD[1], GOOD[2]]` (the good half of the
/// split) is throttled with `Retry-After: 1`; anything else gets 3 offered per queue.
#[derive(Default)]
struct Script {
    /// When each query for the throttled half came in.
    throttled_half: Mutex<Vec<Instant>>,
}

fn queue_ids(body: &Value) -> Vec<String> {
    body["filter"]["clauses"][0]["predicates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["value"].as_str().unwrap().to_string())
        .collect()
}

/// A 200 answer giving each of `ids` three offered calls in the query's first bucket.
fn answered(body: &Value, ids: &[String]) -> ResponseTemplate {
    let start = body["interval"]
        .as_str()
        .unwrap()
        .split('/')
        .next()
        .unwrap();
    let results: Vec<Value> = ids
        .iter()
        .map(|id| {
            json!({"group": {"queueId": id, "mediaType": "voice"}, "data": [
            {"interval": format!("{start}/x"), "metrics": [
                {"metric": "nOffered", "stats": {"count": 3}}]}]})
        })
        .collect();
    ResponseTemplate::new(200).set_body_json(json!({ "results": results }))
}

impl Respond for Script {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&req.body).unwrap();
        crate::common::openapi::assert_valid("ConversationAggregationQuery", &body);
        let ids = queue_ids(&body);
        if ids.iter().any(|id| id == BAD) {
            return ResponseTemplate::new(503).set_body_json(json!({"status": 503,
                "code": "service.unavailable", "message": "The service is currently unavailable"}));
        }
        if ids == GOOD[1..] {
            let mut seen = self.throttled_half.lock().unwrap();
            seen.push(Instant::now());
            if seen.len() == 1 {
                // The rate-limit answer as the current swagger words it
                // (shared/genesys-api/README.md, "429 response text").
                let message = format!(
                    "Rate limit exceeded the maximum. Retry the request in [{RETRY_AFTER_SECS}] seconds"
                );
                return ResponseTemplate::new(429)
                    .insert_header("Retry-After", RETRY_AFTER_SECS.to_string())
                    .set_body_json(json!({"status": 429,
                        "code": "too.many.requests.retry.after", "message": message}));
            }
        }
        answered(&body, &ids)
    }
}

/// `ids`' one day of history from a server answering as `responder`, with retries bounded
/// only by the `(retry, split)` deadlines in milliseconds.
async fn fetch_split(
    responder: impl Respond + 'static,
    (retry_ms, split_ms): (u64, u64),
    ids: Vec<String>,
) -> Result<PerQueue, GenesysError> {
    let server = MockServer::start().await;
    mount_token(&server, 3600).await;
    Mock::given(method("POST"))
        .and(path(AGG_PATH))
        .respond_with(responder)
        .mount(&server)
        .await;
    let mut s = settings(&server);
    s.max_retries = 100_000;
    s.retry_deadline = Duration::from_millis(retry_ms);
    s.split_deadline = Duration::from_millis(split_ms);
    let q = AggregateQuery::for_queues(
        ids,
        utc("2024-05-06T00:00:00Z"),
        utc("2024-05-07T00:00:00Z"),
        Granularity::Pt1h,
        "UTC",
    );
    GenesysClient::new(s)
        .unwrap()
        .fetch_each_queue(&q, None)
        .await
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// Issue: a 429 whose `Retry-After` is longer than the split deadline failed the whole
/// fetch. The four queues' group fails (503) for the whole 2 s deadline and is split; its
/// good half is then throttled for 1 s, longer than the halves' 0.5 s budget for failures:
/// the wait is the org's rate limit, so it is waited as asked and the half then answered,
/// while the bad half keeps failing and is split down to the bad queue alone.
#[tokio::test]
async fn a_throttled_half_waits_retry_after_past_the_split_deadline_and_is_fetched() {
    let script = Arc::new(Script::default());
    let ids: Vec<String> = std::iter::once(BAD).chain(GOOD).map(String::from).collect();
    let per_queue = fetch_split(Shared(script.clone()), (2000, 500), ids)
        .await
        .expect("a throttled half does not fail the fetch");

    for id in GOOD {
        let buckets = per_queue[id].as_ref().unwrap();
        assert_eq!(buckets.len(), 1, "{id}");
        assert_eq!(buckets[0].n_offered, 3.0, "{id}");
    }
    match &per_queue[BAD] {
        Err(GenesysError::Deadline {
            last_status: Some(503),
            shortened: true,
            ..
        }) => {}
        other => panic!("{BAD}: {other:?}"),
    }
    let seen = script.throttled_half.lock().unwrap();
    assert_eq!(seen.len(), 2, "throttled once, then answered");
    assert!(
        seen[1] - seen[0] >= Duration::from_secs(RETRY_AFTER_SECS),
        "asked again before Retry-After"
    );
}

/// The script behind an `Arc`, so the test reads what it saw.
struct Shared(Arc<Script>);

impl Respond for Shared {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        self.0.respond(req)
    }
}

/// A group of queues is answered 503 twice, then not at all (the third attempt hangs past
/// the deadline); the bad queue alone gets 503, the good one alone its data.
#[derive(Default)]
struct HangsAfter503s {
    group_attempts: AtomicUsize,
}

impl Respond for HangsAfter503s {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&req.body).unwrap();
        let ids = queue_ids(&body);
        let unavailable = ResponseTemplate::new(503).set_body_json(json!({"status": 503,
            "code": "service.unavailable", "message": "The service is currently unavailable"}));
        if ids.len() > 1 {
            let n = self.group_attempts.fetch_add(1, Ordering::SeqCst);
            return match n {
                0 | 1 => unavailable,
                _ => unavailable.set_delay(Duration::from_secs(30)),
            };
        }
        if ids[0] == BAD {
            return unavailable;
        }
        answered(&body, &ids)
    }
}

/// A group whose call ran out of its deadline while an attempt was still waiting, after
/// the server had answered 503, is split like a 503 (the failure may be one queue's), not
/// taken for a silent server that fails the whole fetch.
#[tokio::test]
async fn a_group_cut_off_mid_attempt_after_503s_is_still_split() {
    let ids = vec![BAD.to_string(), GOOD[0].to_string()];
    let per_queue = fetch_split(HangsAfter503s::default(), (1000, 300), ids)
        .await
        .expect("the group is split, not given up on");
    assert_eq!(per_queue[GOOD[0]].as_ref().unwrap()[0].n_offered, 3.0);
    match per_queue[BAD].as_ref().unwrap_err() {
        GenesysError::Deadline {
            last_status: Some(503),
            ..
        } => {}
        other => panic!("{BAD}: {other:?}"),
    }
}
