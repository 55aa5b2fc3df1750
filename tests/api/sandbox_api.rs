//! The sandbox over real loopback HTTP with a plain HTTP client: auth, queues, aggregates,
//! outbound, faults. Every body is checked against the OpenAPI subset (strict: no invented fields).

use std::collections::BTreeMap;
use std::time::Duration;

use crate::common::openapi::assert_valid;
use chrono::{DateTime, Days, TimeZone, Utc};
use chrono_tz::Tz;
use queuecast::sandbox::{
    self, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Faults, SandboxHandle, SandboxOptions,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A change that makes a valid campaign body invalid in one field.
type BodyEdit = Box<dyn Fn(&mut Value)>;

const TZ: Tz = chrono_tz::America::New_York;

/// 90 days back from here crosses the 2026-11-01 fall-back.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 15, 30, 0).unwrap()
}

async fn start_with(faults: Faults) -> SandboxHandle {
    sandbox::start(SandboxOptions {
        faults,
        now: Some(now()),
        ..Default::default()
    })
    .await
    .expect("sandbox starts")
}

async fn start() -> SandboxHandle {
    start_with(Faults::default()).await
}

fn http() -> reqwest::Client {
    reqwest::Client::new()
}

async fn token(base: &str) -> String {
    let resp = http()
        .post(format!("{base}/oauth/token"))
        .basic_auth(DEMO_CLIENT_ID, Some(DEMO_CLIENT_SECRET))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let v: Value = resp.json().await.unwrap();
    v["access_token"].as_str().unwrap().to_string()
}

/// GET with a bearer token; returns status, correlation id and JSON body.
async fn get(base: &str, tok: &str, path: &str) -> (StatusCode, String, Value) {
    let resp = http()
        .get(format!("{base}{path}"))
        .bearer_auth(tok)
        .send()
        .await
        .unwrap();
    unpack(resp).await
}

async fn send(
    base: &str,
    tok: &str,
    method: reqwest::Method,
    path: &str,
    body: &Value,
) -> (StatusCode, String, Value) {
    let resp = http()
        .request(method, format!("{base}{path}"))
        .bearer_auth(tok)
        .json(body)
        .send()
        .await
        .unwrap();
    unpack(resp).await
}

async fn unpack(resp: reqwest::Response) -> (StatusCode, String, Value) {
    let status = resp.status();
    let cid = resp
        .headers()
        .get("ININ-Correlation-Id")
        .expect("every response carries ININ-Correlation-Id")
        .to_str()
        .unwrap()
        .to_string();
    uuid::Uuid::parse_str(&cid).expect("correlation id is a uuid");
    let body: Value = resp.json().await.unwrap();
    (status, cid, body)
}

fn assert_error(status: StatusCode, cid: &str, body: &Value, expected: StatusCode) {
    assert_eq!(status, expected, "{body:#}");
    assert_valid("ErrorBody", body);
    assert_eq!(body["status"], expected.as_u16());
    assert_eq!(body["contextId"], cid, "contextId is the correlation id");
    assert!(!body["message"].as_str().unwrap().is_empty());
}

#[tokio::test]
async fn token_flow_and_401s() {
    let sb = start().await;
    let base = sb.base_url();
    assert!(base.starts_with("http://127.0.0.1:"));

    let resp = http()
        .post(format!("{base}/oauth/token"))
        .basic_auth(DEMO_CLIENT_ID, Some(DEMO_CLIENT_SECRET))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    let (status, _, v) = unpack(resp).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["token_type"], "bearer");
    assert_eq!(v["expires_in"], 86_400);
    let tok = v["access_token"].as_str().unwrap();
    assert!(tok.len() >= 32);

    // Wrong secret, no Basic header, wrong grant.
    let resp = http()
        .post(format!("{base}/oauth/token"))
        .basic_auth(DEMO_CLIENT_ID, Some("wrong"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    let (s, cid, body) = unpack(resp).await;
    assert_error(s, &cid, &body, StatusCode::UNAUTHORIZED);
    assert!(!body.to_string().contains(DEMO_CLIENT_SECRET));
    let resp = http()
        .post(format!("{base}/oauth/token"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    let (s, cid, body) = unpack(resp).await;
    assert_error(s, &cid, &body, StatusCode::UNAUTHORIZED);
    let resp = http()
        .post(format!("{base}/oauth/token"))
        .basic_auth(DEMO_CLIENT_ID, Some(DEMO_CLIENT_SECRET))
        .form(&[("grant_type", "password")])
        .send()
        .await
        .unwrap();
    let (s, cid, body) = unpack(resp).await;
    assert_error(s, &cid, &body, StatusCode::BAD_REQUEST);
    assert_eq!(body["details"][0]["fieldName"], "grant_type");

    // /api/v2 needs a known bearer token.
    let resp = http()
        .get(format!("{base}/api/v2/organizations/me"))
        .send()
        .await
        .unwrap();
    let (s, cid, body) = unpack(resp).await;
    assert_error(s, &cid, &body, StatusCode::UNAUTHORIZED);
    let (s, cid, body) = get(&base, "not-a-token", "/api/v2/organizations/me").await;
    assert_error(s, &cid, &body, StatusCode::UNAUTHORIZED);
    let (s, _, org) = get(&base, tok, "/api/v2/organizations/me").await;
    assert_eq!(s, StatusCode::OK);
    assert_valid("Organization", &org);
    assert!(org["name"].as_str().unwrap().contains("SANDBOX"));

    // Unknown path: a Genesys-style 404, still with a correlation id.
    let (s, cid, body) = get(&base, tok, "/api/v2/nope").await;
    assert_error(s, &cid, &body, StatusCode::NOT_FOUND);
    assert_eq!(sb.stats().unauthorized, 2);
    sb.shutdown().await;
}

#[tokio::test]
async fn queues_paging_wildcard_and_lookup() {
    // Only the three replayed series (no simulated centre), so two pages of two.
    let sb = sandbox::start(SandboxOptions {
        now: Some(now()),
        queue_count: 0,
        ..Default::default()
    })
    .await
    .unwrap();
    let base = sb.base_url();
    let tok = token(&base).await;

    let (s, _, p1) = get(&base, &tok, "/api/v2/routing/queues?pageSize=2").await;
    assert_eq!(s, StatusCode::OK);
    assert_valid("QueueEntityListing", &p1);
    assert_eq!(p1["total"], 3);
    assert_eq!(p1["pageCount"], 2);
    assert_eq!(p1["pageNumber"], 1);
    assert_eq!(p1["entities"].as_array().unwrap().len(), 2);
    assert!(p1.get("previousUri").is_none());
    let next = p1["nextUri"].as_str().expect("nextUri on page 1");
    let (_, _, p2) = get(&base, &tok, next).await;
    assert_valid("QueueEntityListing", &p2);
    assert_eq!(p2["pageNumber"], 2);
    assert_eq!(p2["entities"].as_array().unwrap().len(), 1);
    assert!(p2.get("nextUri").is_none());

    let names: Vec<String> = p1["entities"]
        .as_array()
        .unwrap()
        .iter()
        .chain(p2["entities"].as_array().unwrap())
        .map(|q| q["name"].as_str().unwrap().to_string())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(names, sorted, "sorted by name");
    let expected: Vec<String> = sb.queues().into_iter().map(|q| q.name).collect();
    assert_eq!(names, expected);

    let (_, _, desc) = get(&base, &tok, "/api/v2/routing/queues?sortOrder=desc").await;
    assert_eq!(
        desc["entities"][0]["name"].as_str().unwrap(),
        names.last().unwrap()
    );

    for (filter, count) in [
        ("Public data: Electricity*", 1),
        ("Electricity*", 0),
        ("*NYC*", 1),
        ("*(rentals/h)", 1),
        ("Public data*", 3),
        ("Bikeshare", 0),
        ("public data: bikeshare dc (rentals/h)", 1),
    ] {
        let url = format!(
            "/api/v2/routing/queues?name={}",
            filter
                .replace('*', "%2A")
                .replace(' ', "%20")
                .replace('/', "%2F")
        );
        let (s, _, v) = get(&base, &tok, &url).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v["total"], count, "{filter}");
    }

    let info = &sb.queues()[0];
    assert_eq!(info.id, sandbox::queue_id(&info.name), "stable uuid v5 id");
    let (s, _, q) = get(&base, &tok, &format!("/api/v2/routing/queues/{}", info.id)).await;
    assert_eq!(s, StatusCode::OK);
    assert_valid("Queue", &q);
    assert_eq!(q["name"], info.name.as_str());
    let (s, cid, body) = get(&base, &tok, "/api/v2/routing/queues/does-not-exist").await;
    assert_error(s, &cid, &body, StatusCode::NOT_FOUND);
    let (s, cid, body) = get(&base, &tok, "/api/v2/routing/queues?pageSize=0").await;
    assert_error(s, &cid, &body, StatusCode::BAD_REQUEST);
    assert_eq!(body["details"][0]["fieldName"], "pageSize");
    sb.shutdown().await;
}

fn agg_query(queue_id: &str, start: DateTime<Utc>, end: DateTime<Utc>, gran: &str) -> Value {
    json!({
        "interval": format!("{}/{}", start.format("%Y-%m-%dT%H:%M:%S%.3fZ"), end.format("%Y-%m-%dT%H:%M:%S%.3fZ")),
        "granularity": gran,
        "timeZone": "America/New_York",
        "groupBy": ["queueId", "mediaType"],
        "filter": {"type": "and", "predicates": [
            {"type": "dimension", "dimension": "queueId", "operator": "matches", "value": queue_id},
            {"type": "dimension", "dimension": "mediaType", "operator": "matches", "value": "voice"}]},
        "metrics": ["nOffered", "tHandle"],
    })
}

/// Local-midnight boundaries every 7 days, as a chunking client does.
fn weekly_chunks(start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let first = start.with_timezone(&TZ).date_naive();
    let mut out = Vec::new();
    let mut cur = start;
    let mut k = 1;
    loop {
        let d = first.checked_add_days(Days::new(7 * k)).unwrap();
        let b = TZ
            .from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap())
            .earliest()
            .unwrap()
            .with_timezone(&Utc);
        if b >= end {
            out.push((cur, end));
            return out;
        }
        out.push((cur, b));
        cur = b;
        k += 1;
    }
}

fn interval_start(data: &Value) -> DateTime<Utc> {
    let iv = data["interval"].as_str().unwrap();
    DateTime::parse_from_rfc3339(iv.split('/').next().unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

/// Fetches `[start, end)` at PT1H in weekly chunks; returns bucket start → nOffered.
async fn fetch_hourly(
    base: &str,
    tok: &str,
    queue_id: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> BTreeMap<DateTime<Utc>, u64> {
    let mut got = BTreeMap::new();
    for (s, e) in weekly_chunks(start, end) {
        let (status, _, v) = send(
            base,
            tok,
            reqwest::Method::POST,
            "/api/v2/analytics/conversations/aggregates/query",
            &agg_query(queue_id, s, e, "PT1H"),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{v:#}");
        assert_valid("ConversationAggregateQueryResponse", &v);
        let results = v["results"].as_array().cloned().unwrap_or_default();
        assert!(results.len() <= 1);
        for r in results {
            assert_eq!(r["group"]["queueId"], queue_id);
            assert_eq!(r["group"]["mediaType"], "voice");
            for d in r["data"].as_array().unwrap() {
                let t = interval_start(d);
                assert!(t >= s && t < e, "bucket {t} outside chunk {s}..{e}");
                let offered = d["metrics"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|m| m["metric"] == "nOffered")
                    .expect("a served bucket has nOffered")["stats"]["count"]
                    .as_u64()
                    .unwrap();
                assert!(offered > 0, "empty buckets are omitted");
                if let Some(th) = d["metrics"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|m| m["metric"] == "tHandle")
                {
                    let st = &th["stats"];
                    let count = st["count"].as_u64().unwrap();
                    assert!(count <= offered && count > 0);
                    let mean = st["sum"].as_f64().unwrap() / count as f64;
                    assert!((180_000.0..=300_000.0).contains(&mean), "{mean}");
                    assert!(st["min"].as_f64().unwrap() <= st["max"].as_f64().unwrap());
                }
                assert!(got.insert(t, offered).is_none(), "bucket {t} served twice");
            }
        }
    }
    got
}

#[tokio::test]
async fn ninety_days_hourly_in_weekly_chunks_is_exactly_the_bundled_data() {
    let sb = start().await;
    let base = sb.base_url();
    let tok = token(&base).await;
    let end = now() - chrono::Duration::minutes(30); // 15:00Z, the current hour's start
    let start = end - chrono::Duration::days(90);

    let queues = sb.queues();
    let bike = queues
        .iter()
        .find(|q| q.name.contains("Bikeshare"))
        .unwrap();
    let series = sb.series(&bike.id).unwrap();
    let expected: BTreeMap<DateTime<Utc>, u64> = series
        .iter()
        .filter(|p| p.ts >= start && p.ts < end && p.y > 0.0)
        .map(|p| (p.ts, p.y as u64))
        .collect();
    let zeros = series
        .iter()
        .filter(|p| p.ts >= start && p.ts < end && p.y == 0.0)
        .count();
    // The 2012 series' last 90 days hold the Hurricane Sandy shutdown: real zero hours.
    assert!(zeros >= 36, "expected zero hours in range, got {zeros}");
    assert_eq!(series.last().unwrap().ts, end - chrono::Duration::hours(1));

    let got = fetch_hourly(&base, &tok, &bike.id, start, end).await;
    assert_eq!(got.len(), expected.len());
    assert_eq!(got, expected);
    assert_eq!(
        got.values().sum::<u64>(),
        expected.values().sum::<u64>(),
        "sum of counts"
    );

    // The half-hourly queue at PT1H: each hour is the sum of its two half-hours.
    let ew = queues.iter().find(|q| q.name.contains("E&W")).unwrap();
    let mut hourly: BTreeMap<DateTime<Utc>, u64> = BTreeMap::new();
    for p in sb.series(&ew.id).unwrap() {
        if p.ts >= start && p.ts < end {
            let h = DateTime::from_timestamp(p.ts.timestamp() / 3600 * 3600, 0).unwrap();
            *hourly.entry(h).or_default() += p.y as u64;
        }
    }
    hourly.retain(|_, v| *v > 0);
    let got = fetch_hourly(&base, &tok, &ew.id, start, end).await;
    assert_eq!(got, hourly);
    sb.shutdown().await;
}

async fn query(sb: &SandboxHandle, tok: &str, body: &Value) -> (StatusCode, String, Value) {
    send(
        &sb.base_url(),
        tok,
        reqwest::Method::POST,
        "/api/v2/analytics/conversations/aggregates/query",
        body,
    )
    .await
}

#[tokio::test]
async fn aggregate_granularity_zone_and_filter_rules() {
    let sb = start().await;
    let tok = token(&sb.base_url()).await;
    let queues = sb.queues();
    let bike = queues
        .iter()
        .find(|q| q.name.contains("Bikeshare"))
        .unwrap();
    let ew = queues.iter().find(|q| q.name.contains("E&W")).unwrap();
    let end = Utc.with_ymd_and_hms(2026, 11, 20, 5, 0, 0).unwrap(); // local midnight
    let start = end - chrono::Duration::days(3);

    // Finer than native: 400 naming the granularity and the queue.
    let (s, cid, body) = query(&sb, &tok, &agg_query(&bike.id, start, end, "PT15M")).await;
    assert_error(s, &cid, &body, StatusCode::BAD_REQUEST);
    let msg = body["message"].as_str().unwrap();
    assert!(
        msg.contains("PT15M") && msg.contains("finer") && msg.contains(&bike.name),
        "{msg}"
    );
    let (s, cid, body) = query(&sb, &tok, &agg_query(&bike.id, start, end, "PT90M")).await;
    assert_error(s, &cid, &body, StatusCode::BAD_REQUEST);
    assert!(body["message"].as_str().unwrap().contains("multiple"));
    let (s, _, v) = query(&sb, &tok, &agg_query(&ew.id, start, end, "PT30M")).await;
    assert_eq!(s, StatusCode::OK);
    assert_valid("ConversationAggregateQueryResponse", &v);

    // P1D: local days, each the sum of its hours.
    let series = sb.series(&bike.id).unwrap();
    let (s, _, v) = query(&sb, &tok, &agg_query(&bike.id, start, end, "P1D")).await;
    assert_eq!(s, StatusCode::OK);
    let days = v["results"][0]["data"].as_array().unwrap();
    assert_eq!(days.len(), 3);
    for d in days {
        let t0 = interval_start(d);
        let t1 = t0 + chrono::Duration::days(1);
        let want: f64 = series
            .iter()
            .filter(|p| p.ts >= t0 && p.ts < t1)
            .map(|p| p.y)
            .sum();
        assert_eq!(d["metrics"][0]["stats"]["count"].as_f64().unwrap(), want);
        assert_eq!(t0.with_timezone(&TZ).format("%H:%M").to_string(), "00:00");
    }

    // No granularity: one bucket over the whole interval; group without mediaType.
    let mut q = agg_query(&bike.id, start, end, "PT1H");
    q.as_object_mut().unwrap().remove("granularity");
    q["groupBy"] = json!(["queueId"]);
    let (_, _, v) = query(&sb, &tok, &q).await;
    let total: f64 = series
        .iter()
        .filter(|p| p.ts >= start && p.ts < end)
        .map(|p| p.y)
        .sum();
    assert_eq!(v["results"][0]["data"].as_array().unwrap().len(), 1);
    assert_eq!(
        v["results"][0]["data"][0]["metrics"][0]["stats"]["count"]
            .as_f64()
            .unwrap(),
        total
    );
    assert!(v["results"][0]["group"].get("mediaType").is_none());

    // Response intervals use the request's offset.
    let mut q = agg_query(&bike.id, start, end, "PT1H");
    q["interval"] = json!("2026-11-17T00:00:00.000-05:00/2026-11-18T00:00:00.000-05:00");
    let (_, _, v) = query(&sb, &tok, &q).await;
    let iv = v["results"][0]["data"][0]["interval"].as_str().unwrap();
    assert!(
        iv.ends_with("-05:00") && iv.contains("/2026-11-17T"),
        "{iv}"
    );

    // mediaType chat has no data: no results at all (Genesys omits empty groups).
    let mut q = agg_query(&bike.id, start, end, "PT1H");
    q["filter"]["predicates"][1]["value"] = json!("chat");
    let (s, _, v) = query(&sb, &tok, &q).await;
    assert_eq!(s, StatusCode::OK);
    assert_valid("ConversationAggregateQueryResponse", &v);
    assert!(
        v.get("results")
            .is_none_or(|r| r.as_array().unwrap().is_empty())
    );

    // An "or" clause over two queues, grouped by queue: two groups.
    let q = json!({
        "interval": format!("{}/{}", start.to_rfc3339(), end.to_rfc3339()),
        "granularity": "PT1H", "groupBy": ["queueId"],
        "filter": {"type": "and", "clauses": [{"type": "or", "predicates": [
            {"dimension": "queueId", "value": bike.id}, {"dimension": "queueId", "value": ew.id}]}]},
        "metrics": ["nOffered"]});
    let (_, _, v) = query(&sb, &tok, &q).await;
    assert_valid("ConversationAggregateQueryResponse", &v);
    assert_eq!(v["results"].as_array().unwrap().len(), 2);

    // Bad requests name the problem.
    for (patch, needle) in [
        (json!({"interval": "yesterday"}), "interval"),
        (
            json!({"interval": format!("{}/{}", end.to_rfc3339(), start.to_rfc3339())}),
            "ends before",
        ),
        (json!({"timeZone": "Mars/Olympus"}), "timeZone"),
        (json!({"metrics": ["nOfered"]}), "nOfered"),
        (json!({"granularity": "P1M"}), "granularity"),
        (json!({"groupBy": ["userId"]}), "userId"),
    ] {
        let mut q = agg_query(&bike.id, start, end, "PT1H");
        for (k, v) in patch.as_object().unwrap() {
            q[k] = v.clone();
        }
        let (s, cid, body) = query(&sb, &tok, &q).await;
        assert_error(s, &cid, &body, StatusCode::BAD_REQUEST);
        assert!(
            body["message"].as_str().unwrap().contains(needle),
            "{body:#}"
        );
    }
    sb.shutdown().await;
}

fn campaign_body(sb_queue: &str, list: &Value, script: &Value) -> Value {
    json!({
        "name": "Spring renewals - quiet hours",
        "dialingMode": "preview",
        "campaignStatus": "off",
        "contactList": {"id": list["id"]},
        "queue": {"id": sb_queue},
        "script": {"id": script["id"]},
        "callerName": "Acme Renewals",
        "callerAddress": "+13175550100",
        "phoneColumns": [{"columnName": "Cell", "type": "cell"}],
    })
}

#[tokio::test]
async fn outbound_lists_campaigns_and_validation() {
    let sb = start().await;
    let base = sb.base_url();
    let tok = token(&base).await;

    let (s, _, lists) = get(
        &base,
        &tok,
        "/api/v2/outbound/contactlists?includeSize=true",
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_valid("ContactListEntityListing", &lists);
    let list = lists["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"].as_str().unwrap().starts_with("Spring"))
        .unwrap()
        .clone();
    assert!(!list["phoneColumns"].as_array().unwrap().is_empty());
    assert!(list["size"].as_i64().unwrap() > 0);
    let (_, _, published) = get(&base, &tok, "/api/v2/scripts/published").await;
    assert_valid("ScriptEntityListing", &published);
    let (_, _, all) = get(&base, &tok, "/api/v2/scripts").await;
    assert_valid("ScriptEntityListing", &all);
    assert_eq!(published["total"], 2);
    assert_eq!(all["total"], 3);
    let script = published["entities"][0].clone();
    let queue = sb.queues()[0].id.clone();

    let body = campaign_body(&queue, &list, &script);
    let (s, _, created) = send(
        &base,
        &tok,
        reqwest::Method::POST,
        "/api/v2/outbound/campaigns",
        &body,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{created:#}");
    assert_valid("Campaign", &created);
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["version"], 1);
    assert_eq!(
        created["selfUri"],
        format!("/api/v2/outbound/campaigns/{id}")
    );
    assert_eq!(created["campaignStatus"], "off");
    assert_eq!(created["contactList"]["name"], list["name"]);
    DateTime::parse_from_rfc3339(created["dateCreated"].as_str().unwrap()).unwrap();

    let (s, _, fetched) = get(&base, &tok, &format!("/api/v2/outbound/campaigns/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(fetched, created);
    let (_, _, listed) = get(&base, &tok, "/api/v2/outbound/campaigns?name=spring").await;
    assert_valid("CampaignEntityListing", &listed);
    assert_eq!(listed["total"], 1);
    assert_eq!(listed["entities"][0]["id"], id.as_str());
    let (_, _, none) = get(&base, &tok, "/api/v2/outbound/campaigns?name=autumn").await;
    assert_eq!(none["total"], 0);
    assert_eq!(sb.campaigns(), vec![created.clone()]);
    let (s, cid, body) = get(&base, &tok, "/api/v2/outbound/campaigns/nope").await;
    assert_error(s, &cid, &body, StatusCode::NOT_FOUND);

    // Agentless needs neither queue nor script.
    let mut agentless = campaign_body(&queue, &list, &script);
    agentless["dialingMode"] = json!("agentless");
    agentless["name"] = json!("Reminder blast");
    // …but an outbound line count (Campaign.md: "only required for agentless").
    agentless["outboundLineCount"] = json!(2);
    // …and, like every mode but preview, a site and a call analysis response set.
    let (_, _, sites) = get(&base, &tok, "/api/v2/telephony/providers/edges/sites").await;
    let (_, _, sets) = get(&base, &tok, "/api/v2/outbound/callanalysisresponsesets").await;
    agentless["site"] = json!({"id": sites["entities"][0]["id"]});
    agentless["callAnalysisResponseSet"] = json!({"id": sets["entities"][0]["id"]});
    let o = agentless.as_object_mut().unwrap();
    o.remove("queue");
    o.remove("script");
    let (s, _, v) = send(
        &base,
        &tok,
        reqwest::Method::POST,
        "/api/v2/outbound/campaigns",
        &agentless,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v:#}");

    // Invalid bodies: 400 naming the field.
    let cases: Vec<(&str, BodyEdit)> = vec![
        (
            "callerAddress",
            Box::new(|b| {
                b.as_object_mut().unwrap().remove("callerAddress");
            }),
        ),
        (
            "callerAddress",
            Box::new(|b| b["callerAddress"] = json!("call me")),
        ),
        ("callerName", Box::new(|b| b["callerName"] = json!(""))),
        (
            "name",
            Box::new(|b| {
                b.as_object_mut().unwrap().remove("name");
            }),
        ),
        (
            "dialingMode",
            Box::new(|b| b["dialingMode"] = json!("draft")),
        ),
        (
            "dialingMode",
            Box::new(|b| {
                b.as_object_mut().unwrap().remove("dialingMode");
            }),
        ),
        (
            "campaignStatus",
            Box::new(|b| b["campaignStatus"] = json!("draft")),
        ),
        (
            "contactList",
            Box::new(|b| b["contactList"] = json!({"id": "00000000-0000-0000-0000-000000000000"})),
        ),
        (
            "contactList",
            Box::new(|b| {
                b.as_object_mut().unwrap().remove("contactList");
            }),
        ),
        (
            "queue",
            Box::new(|b| {
                b.as_object_mut().unwrap().remove("queue");
            }),
        ),
        (
            "queue",
            Box::new(|b| b["queue"] = json!({"id": "no-such-queue"})),
        ),
        (
            "script",
            Box::new(|b| {
                b.as_object_mut().unwrap().remove("script");
            }),
        ),
        ("phoneColumns", Box::new(|b| b["phoneColumns"] = json!([]))),
        (
            "phoneColumns",
            Box::new(|b| b["phoneColumns"] = json!([{"columnName": "Fax", "type": "cell"}])),
        ),
        ("abandonRate", Box::new(|b| b["abandonRate"] = json!(250))),
    ];
    for (field, mutate) in cases {
        let mut b = campaign_body(&queue, &list, &script);
        mutate(&mut b);
        let (s, cid, err) = send(
            &base,
            &tok,
            reqwest::Method::POST,
            "/api/v2/outbound/campaigns",
            &b,
        )
        .await;
        assert_error(s, &cid, &err, StatusCode::BAD_REQUEST);
        let fields: Vec<&str> = err["details"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["fieldName"].as_str().unwrap())
            .collect();
        assert_eq!(fields, vec![field], "{err:#}");
        assert!(err["message"].as_str().unwrap().contains(field), "{err:#}");
    }
    // Several problems at once are all named.
    let (s, _, err) = send(
        &base,
        &tok,
        reqwest::Method::POST,
        "/api/v2/outbound/campaigns",
        &json!({"name": "x"}),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(err["details"].as_array().unwrap().len() >= 5);
    let resp = http()
        .post(format!("{base}/api/v2/outbound/campaigns"))
        .bearer_auth(&tok)
        .body("{not json")
        .send()
        .await
        .unwrap();
    let (s, cid, err) = unpack(resp).await;
    assert_error(s, &cid, &err, StatusCode::BAD_REQUEST);
    assert_eq!(sb.campaigns().len(), 2, "invalid bodies stored nothing");
    sb.shutdown().await;
}

#[tokio::test]
async fn schedules_create_update_and_conflict() {
    let sb = start().await;
    let base = sb.base_url();
    let tok = token(&base).await;
    let (_, _, lists) = get(&base, &tok, "/api/v2/outbound/contactlists").await;
    let (_, _, scripts) = get(&base, &tok, "/api/v2/scripts/published").await;
    let body = campaign_body(
        &sb.queues()[1].id,
        &lists["entities"][1],
        &scripts["entities"][0],
    );
    let mut body = body;
    body["phoneColumns"] = lists["entities"][1]["phoneColumns"].clone();
    let (s, _, c) = send(
        &base,
        &tok,
        reqwest::Method::POST,
        "/api/v2/outbound/campaigns",
        &body,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{c:#}");
    let id = c["id"].as_str().unwrap().to_string();
    let path = format!("/api/v2/outbound/schedules/campaigns/{id}");

    let (s, cid, err) = get(&base, &tok, &path).await;
    assert_error(s, &cid, &err, StatusCode::NOT_FOUND);
    let sched = json!({
        "campaign": {"id": id}, "timeZone": "America/New_York",
        "intervals": [{"start": "2026-11-23T09:00:00.000", "end": "2026-11-23T11:00:00.000"}]});
    let (s, _, v1) = send(&base, &tok, reqwest::Method::PUT, &path, &sched).await;
    assert_eq!(s, StatusCode::OK, "{v1:#}");
    assert_valid("CampaignSchedule", &v1);
    assert_eq!(v1["version"], 1);

    let mut update = sched.clone();
    update["version"] = v1["version"].clone();
    update["intervals"] =
        json!([{"start": "2026-11-24T13:00:00.000", "end": "2026-11-24T15:00:00.000"}]);
    let (s, _, v2) = send(&base, &tok, reqwest::Method::PUT, &path, &update).await;
    assert_eq!(s, StatusCode::OK, "{v2:#}");
    assert_valid("CampaignSchedule", &v2);
    assert_eq!(v2["version"], 2);

    // Stale and missing versions conflict and change nothing.
    let (s, cid, err) = send(&base, &tok, reqwest::Method::PUT, &path, &update).await;
    assert_error(s, &cid, &err, StatusCode::CONFLICT);
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("does not match the current version")
    );
    let (s, cid, err) = send(&base, &tok, reqwest::Method::PUT, &path, &sched).await;
    assert_error(s, &cid, &err, StatusCode::CONFLICT);
    let (s, _, got) = get(&base, &tok, &path).await;
    assert_eq!(s, StatusCode::OK);
    assert_valid("CampaignSchedule", &got);
    assert_eq!(got, v2);
    assert_eq!(sb.schedule(&id), Some(v2.clone()));
    assert_eq!(got["intervals"][0]["start"], "2026-11-24T13:00:00.000");

    // Body problems name the field; unknown campaigns are 404.
    let mut wrong = update.clone();
    wrong["campaign"]["id"] = json!("someone-else");
    let (s, cid, err) = send(&base, &tok, reqwest::Method::PUT, &path, &wrong).await;
    assert_error(s, &cid, &err, StatusCode::BAD_REQUEST);
    assert_eq!(err["details"][0]["fieldName"], "campaign");
    let mut wrong = update.clone();
    wrong["intervals"] =
        json!([{"start": "2026-11-24T15:00:00.000", "end": "2026-11-24T13:00:00.000"}]);
    let (s, cid, err) = send(&base, &tok, reqwest::Method::PUT, &path, &wrong).await;
    assert_error(s, &cid, &err, StatusCode::BAD_REQUEST);
    assert_eq!(err["details"][0]["fieldName"], "intervals");
    let (s, cid, err) = send(
        &base,
        &tok,
        reqwest::Method::PUT,
        "/api/v2/outbound/schedules/campaigns/nope",
        &sched,
    )
    .await;
    assert_error(s, &cid, &err, StatusCode::NOT_FOUND);
    sb.shutdown().await;
}

#[tokio::test]
async fn faults_rate_limit_errors_ttl_and_interval_cap() {
    // Rate limit with a 2 s window so Retry-After stays small.
    let sb = start_with(Faults {
        rate_limit: 3,
        rate_limit_window: Duration::from_secs(2),
        ..Faults::default()
    })
    .await;
    let base = sb.base_url();
    let tok = token(&base).await;
    for i in 1..=3 {
        let resp = http()
            .get(format!("{base}/api/v2/organizations/me"))
            .bearer_auth(&tok)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(
            resp.headers()["inin-ratelimit-count"],
            i.to_string().as_str()
        );
        assert_eq!(resp.headers()["inin-ratelimit-allowed"], "3");
    }
    let resp = http()
        .get(format!("{base}/api/v2/organizations/me"))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry));
    assert!(resp.headers().contains_key("inin-ratelimit-reset"));
    let (s, cid, body) = unpack(resp).await;
    assert_error(s, &cid, &body, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["code"], "too.many.requests.retry.after");
    assert_eq!(body["limit"]["value"], 3);
    tokio::time::sleep(Duration::from_secs(retry)).await;
    let (s, _, _) = get(&base, &tok, "/api/v2/organizations/me").await;
    assert_eq!(s, StatusCode::OK, "the window reset after Retry-After");
    assert_eq!(sb.stats().rate_limited, 1);
    sb.shutdown().await;

    // Every request fails at error rate 1.0; the token endpoint is never faulted.
    let sb = start_with(Faults {
        error_rate: 1.0,
        ..Faults::default()
    })
    .await;
    let tok = token(&sb.base_url()).await;
    let (s, cid, body) = get(&sb.base_url(), &tok, "/api/v2/routing/queues").await;
    assert_error(s, &cid, &body, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(sb.stats().injected_errors, 1);
    sb.shutdown().await;

    // Latency applies to every request, the token endpoint included.
    let sb = start_with(Faults {
        latency: Duration::from_millis(150),
        ..Faults::default()
    })
    .await;
    let t0 = std::time::Instant::now();
    let tok = token(&sb.base_url()).await;
    let (s, _, _) = get(&sb.base_url(), &tok, "/api/v2/organizations/me").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        t0.elapsed() >= Duration::from_millis(300),
        "two delayed requests"
    );
    sb.shutdown().await;

    // Short tokens expire; longer aggregate intervals are refused.
    let sb = start_with(Faults {
        token_ttl: Duration::from_secs(1),
        max_query_days: 7,
        ..Faults::default()
    })
    .await;
    let base = sb.base_url();
    let tok = token(&base).await;
    let (s, _, _) = get(&base, &tok, "/api/v2/organizations/me").await;
    assert_eq!(s, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (s, cid, body) = get(&base, &tok, "/api/v2/organizations/me").await;
    assert_error(s, &cid, &body, StatusCode::UNAUTHORIZED);
    assert!(body["message"].as_str().unwrap().contains("expired"));
    let tok = token(&base).await;
    let id = sb.queues()[0].id.clone();
    let end = Utc.with_ymd_and_hms(2026, 11, 20, 5, 0, 0).unwrap();
    let (s, _, _) = query(
        &sb,
        &tok,
        &agg_query(&id, end - chrono::Duration::days(7), end, "PT1H"),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, cid, body) = query(
        &sb,
        &tok,
        &agg_query(&id, end - chrono::Duration::days(8), end, "PT1H"),
    )
    .await;
    assert_error(s, &cid, &body, StatusCode::BAD_REQUEST);
    assert!(body["message"].as_str().unwrap().contains("max-query-days"));
    sb.shutdown().await;
}

#[tokio::test]
async fn extra_queue_files_and_bad_file_errors() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("mine.csv");
    std::fs::write(
        &good,
        "ds,y\n2026-11-12T09:00:00Z,5\n2026-11-12T10:00:00Z,7\n2026-11-12T11:00:00Z,0\n",
    )
    .unwrap();
    let sb = sandbox::start(SandboxOptions {
        extra_queues: vec![("My queue".into(), good.clone())],
        now: Some(now()),
        ..Default::default()
    })
    .await
    .unwrap();
    let mine = sb
        .queues()
        .into_iter()
        .find(|q| q.name == "My queue")
        .unwrap();
    assert_eq!(mine.replayed.map(|r| r.1), Some(12));
    assert_eq!(mine.granularity, queuecast::granularity::Granularity::Pt1h);
    // Shifted by whole weeks: still a Thursday 09:00 local.
    let first = sb.series(&mine.id).unwrap()[0].ts.with_timezone(&TZ);
    assert_eq!(first.format("%a %H:%M").to_string(), "Thu 09:00");
    sb.shutdown().await;

    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "ds,y\n2026-11-16T09:00:00Z,5\n2026-11-16T10:00:00Z,lots\n",
    )
    .unwrap();
    let err = sandbox::start(SandboxOptions {
        extra_queues: vec![("Bad".into(), bad.clone())],
        ..Default::default()
    })
    .await
    .unwrap_err()
    .to_string();
    assert!(
        err.contains(&format!("{}:3", bad.display())) && err.contains("lots"),
        "{err}"
    );
    let err = sandbox::start(SandboxOptions {
        extra_queues: vec![("Public data: Taxi NYC (passengers/100 per h)".into(), good)],
        ..Default::default()
    })
    .await
    .unwrap_err()
    .to_string();
    assert!(err.contains("already used"), "{err}");
}

/// Issue 12 acceptance, per dialing mode: the body the review form builds (the exact body the
/// dashboard sends) is accepted by the sandbox, validates against the official `Campaign`
/// schema, carries the mode's required fields; and removing any one of them gives the
/// sandbox's 400 naming it in `details[].fieldName`.
#[tokio::test]
async fn each_dialing_mode_is_accepted_with_its_required_fields_and_refused_without_each() {
    use queuecast::campaign::{CampaignForm, DIALING_MODES, NamedRef};
    let sb = start().await;
    let base = sb.base_url();
    let tok = token(&base).await;
    let named = |v: &Value| NamedRef {
        id: v["id"].as_str().unwrap().into(),
        name: v["name"].as_str().unwrap().into(),
    };
    let (_, _, lists) = get(&base, &tok, "/api/v2/outbound/contactlists").await;
    let (_, _, scripts) = get(&base, &tok, "/api/v2/scripts/published").await;
    let (_, _, sites) = get(&base, &tok, "/api/v2/telephony/providers/edges/sites").await;
    let (_, _, sets) = get(&base, &tok, "/api/v2/outbound/callanalysisresponsesets").await;
    let (_, _, org) = get(&base, &tok, "/api/v2/organizations/me").await;
    assert_valid("SiteEntityListing", &sites);
    assert_valid("ResponseSetEntityListing", &sets);
    assert_valid("Organization", &org);
    assert_eq!(
        org["defaultSiteId"], sites["entities"][0]["id"],
        "the org names its default site"
    );
    let list = lists["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"].as_str().unwrap().starts_with("Spring"))
        .unwrap()
        .clone();
    let lists = [named(&list)];
    let scripts = [named(&scripts["entities"][0])];
    let q = &sb.queues()[0];
    let tz: Tz = "America/New_York".parse().unwrap();
    let mut form = CampaignForm::new(
        NamedRef {
            id: q.id.clone(),
            name: q.name.clone(),
        },
        now().date_naive(),
        tz,
        vec![],
    );
    form.contact_list = Some(0);
    form.script = Some(0);
    form.caller_name = "Acme".into();
    form.caller_address = "+13175550100".into();
    form.phone_column = list["phoneColumns"][0]["columnName"]
        .as_str()
        .unwrap()
        .into();
    form.site = Some(named(&sites["entities"][0]));
    form.response_set = Some(named(&sets["entities"][0]));
    for (i, mode) in DIALING_MODES.iter().enumerate() {
        form.dialing_mode = i;
        form.marker = format!("mode{i}");
        let body = serde_json::to_value(form.campaign(&lists, &scripts)).unwrap();
        assert_valid("Campaign", &body);
        let required: &[&str] = match mode.as_str() {
            "preview" => &["queue", "script"],
            _ => &[
                "queue",
                "script",
                "site",
                "callAnalysisResponseSet",
                "abandonRate",
            ],
        };
        for k in required {
            assert!(body.get(*k).is_some(), "{mode} sends {k}: {body}");
        }
        let post = |b: Value| {
            let (base, tok) = (base.clone(), tok.clone());
            async move {
                send(
                    &base,
                    &tok,
                    reqwest::Method::POST,
                    "/api/v2/outbound/campaigns",
                    &b,
                )
                .await
            }
        };
        let (s, _, created) = post(body.clone()).await;
        assert_eq!(s, StatusCode::OK, "{mode}: {created:#}");
        assert_valid("Campaign", &created);
        assert_eq!(created["dialingMode"], mode.as_str());
        assert_eq!(sb.create_bodies().last(), Some(&body), "sent as built");
        for k in required {
            let mut without = body.clone();
            without.as_object_mut().unwrap().remove(*k);
            let (s, cid, e) = post(without).await;
            assert_error(s, &cid, &e, StatusCode::BAD_REQUEST);
            let fields: Vec<&str> = e["details"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["fieldName"].as_str().unwrap())
                .collect();
            assert!(fields.contains(k), "{mode} without {k}: {e:#}");
        }
    }
    assert_eq!(
        sb.campaigns().len(),
        DIALING_MODES.len(),
        "one per mode, no more"
    );
}

/// A schedule starts and stops its campaign (Resource Center, "Add schedule entry"): the
/// sandbox shows `campaignStatus` `on` while its clock is inside an interval and `off` before
/// and after; an interval starting in the past is refused naming `intervals`.
#[tokio::test]
async fn schedules_start_and_stop_the_campaign_and_past_starts_are_refused() {
    let sb = start().await;
    let base = sb.base_url();
    let tok = token(&base).await;
    let (_, _, lists) = get(&base, &tok, "/api/v2/outbound/contactlists").await;
    let (_, _, scripts) = get(&base, &tok, "/api/v2/scripts/published").await;
    let mut body = campaign_body(
        &sb.queues()[1].id,
        &lists["entities"][1],
        &scripts["entities"][0],
    );
    body["phoneColumns"] = lists["entities"][1]["phoneColumns"].clone();
    let (s, _, c) = send(
        &base,
        &tok,
        reqwest::Method::POST,
        "/api/v2/outbound/campaigns",
        &body,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{c:#}");
    let id = c["id"].as_str().unwrap().to_string();
    let path = format!("/api/v2/outbound/schedules/campaigns/{id}");
    let campaign = format!("/api/v2/outbound/campaigns/{id}");

    // The sandbox's now is 2026-11-20 10:30 in New York: 10:00 that day is past.
    let past = json!({"campaign": {"id": id}, "timeZone": "America/New_York",
        "intervals": [{"start": "2026-11-20T10:00:00.000", "end": "2026-11-20T12:00:00.000"}]});
    let (s, cid, err) = send(&base, &tok, reqwest::Method::PUT, &path, &past).await;
    assert_error(s, &cid, &err, StatusCode::BAD_REQUEST);
    assert_eq!(err["details"][0]["fieldName"], "intervals");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("starts in the past"),
        "{err:#}"
    );

    let sched = json!({"campaign": {"id": id}, "timeZone": "America/New_York",
        "intervals": [{"start": "2026-11-23T09:00:00.000", "end": "2026-11-23T11:00:00.000"}]});
    let (s, _, v) = send(&base, &tok, reqwest::Method::PUT, &path, &sched).await;
    assert_eq!(s, StatusCode::OK, "{v:#}");
    let status = |v: &Value| v["campaignStatus"].as_str().unwrap().to_string();
    let (_, _, now) = get(&base, &tok, &campaign).await;
    assert_eq!(status(&now), "off", "before the window");
    // 2026-11-23 09:30 New York (EST) = 14:30Z: inside.
    sb.advance_clock(
        Utc.with_ymd_and_hms(2026, 11, 23, 14, 30, 0).unwrap() - sb.now()
            + chrono::TimeDelta::seconds(1),
    );
    let (_, _, inside) = get(&base, &tok, &campaign).await;
    assert_eq!(status(&inside), "on", "the schedule started it");
    assert_valid("Campaign", &inside);
    let (_, _, listed) = get(&base, &tok, "/api/v2/outbound/campaigns?name=spring").await;
    assert_eq!(listed["entities"][0]["campaignStatus"], "on");
    sb.advance_clock(chrono::TimeDelta::hours(2));
    let (_, _, after) = get(&base, &tok, &campaign).await;
    assert_eq!(status(&after), "off", "and stopped it at the end");
    sb.shutdown().await;
}

/// `--deny-permission`: the operations needing that permission answer a Genesys-shaped 403
/// naming it; the others still work.
#[tokio::test]
async fn a_denied_permission_gives_403_naming_it_only_where_needed() {
    let sb = start_with(Faults {
        denied_permissions: vec!["outbound:campaign:add".into()],
        ..Faults::default()
    })
    .await;
    let base = sb.base_url();
    let tok = token(&base).await;
    let (s, _, _) = get(&base, &tok, "/api/v2/outbound/campaigns").await;
    assert_eq!(s, StatusCode::OK, "viewing needs another permission");
    let (s, cid, err) = send(
        &base,
        &tok,
        reqwest::Method::POST,
        "/api/v2/outbound/campaigns",
        &json!({}),
    )
    .await;
    assert_error(s, &cid, &err, StatusCode::FORBIDDEN);
    assert_eq!(err["code"], "missing.any.permissions");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .ends_with("[outbound:campaign:add]"),
        "{err:#}"
    );
    assert!(sb.campaigns().is_empty());
    sb.shutdown().await;
}

/// `--no-sites` / `--no-response-sets`: an org that cannot run dialing modes other than
/// preview serves empty (still valid) listings, and a dialing create is refused as before.
#[tokio::test]
async fn an_org_without_sites_or_response_sets_serves_empty_listings() {
    let sb = start_with(Faults {
        no_sites: true,
        no_response_sets: true,
        ..Faults::default()
    })
    .await;
    let base = sb.base_url();
    let tok = token(&base).await;
    let (s, _, sites) = get(&base, &tok, "/api/v2/telephony/providers/edges/sites").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(sites["entities"], json!([]), "{sites}");
    assert_eq!(sites["total"], json!(0), "{sites}");
    let (s, _, sets) = get(&base, &tok, "/api/v2/outbound/callanalysisresponsesets").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(sets["entities"], json!([]), "{sets}");
    // The seeded org still has both.
    let sb = start().await;
    let tok = token(&sb.base_url()).await;
    let (_, _, sites) = get(
        &sb.base_url(),
        &tok,
        "/api/v2/telephony/providers/edges/sites",
    )
    .await;
    assert!(!sites["entities"].as_array().unwrap().is_empty());
}
