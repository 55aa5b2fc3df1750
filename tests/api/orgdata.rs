//! The service's history fetch (`service::history`) against the sandbox contact centre over
//! real loopback HTTP: many queues to a request, each queue's series as if fetched alone,
//! inbound voice by default, a failing queue costing only itself, and no invented zeros before
//! the org's retention horizon or a queue's first data.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use queuecast::config::{Config, DirectionSetting};
use queuecast::genesys::{ClientSettings, GenesysClient};
use queuecast::history::{History, StartReason};
use queuecast::refs::QueueRef;
use queuecast::sandbox::{self, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Faults, SandboxOptions};
use queuecast::service::history::{FetchError, fetch_history, fetch_many};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 15, 30, 0).unwrap()
}

async fn start(opts: SandboxOptions) -> sandbox::SandboxHandle {
    sandbox::start(SandboxOptions {
        now: Some(now()),
        ..opts
    })
    .await
    .expect("sandbox starts")
}

fn client(sb: &sandbox::SandboxHandle, max_retries: u32) -> GenesysClient {
    let mut s = ClientSettings::for_base(&sb.base_url(), DEMO_CLIENT_ID, DEMO_CLIENT_SECRET);
    s.min_backoff = Duration::from_millis(5);
    s.max_backoff = Duration::from_millis(20);
    s.max_retries = max_retries;
    GenesysClient::new(s).unwrap()
}

/// 90 days hourly in the sandbox's zone, as the `--time-zone` the sandbox prints would set.
fn config() -> Config {
    Config {
        time_zone_flag: Some(sandbox::DEFAULT_TIME_ZONE.name().to_string()),
        ..Config::default()
    }
}

fn refs(sb: &sandbox::SandboxHandle) -> Vec<QueueRef> {
    sb.queues()
        .into_iter()
        .map(|q| QueueRef {
            id: q.id,
            name: q.name,
        })
        .collect()
}

fn named(all: &[QueueRef], name: &str) -> QueueRef {
    all.iter()
        .find(|q| q.name == name)
        .unwrap_or_else(|| panic!("no queue {name}"))
        .clone()
}

fn total(h: &History) -> f64 {
    h.series.points.iter().map(|p| p.y).sum()
}

#[tokio::test]
async fn fifty_queues_cost_two_requests_per_chunk_and_each_equals_its_own_fetch() {
    let sb = start(SandboxOptions {
        queue_count: 50,
        ..Default::default()
    })
    .await;
    let all = refs(&sb);
    assert_eq!(all.len(), 53, "50 simulated + 3 public data series");
    let c = client(&sb, 3);
    // Every media type (inbound), so chat and e-mail queues have data too.
    let mut cfg = config();
    cfg.history.media_types.clear();

    // One queue alone: a token, the retention setting and 13 weekly chunks.
    let before = sb.stats().requests;
    let support = named(&all, sandbox::DEFAULT_QUEUE);
    let alone = fetch_history(&c, support.clone(), &cfg, now(), None)
        .await
        .unwrap();
    let one = sb.stats().requests - before;
    assert_eq!(one, 15, "token + retention + 13 chunks");

    // 53 queues: two groups (50 + 3) per chunk, one retention read, the token reused.
    let before = sb.stats().requests;
    let many = fetch_many(&c, &all, &cfg, now(), None).await.unwrap();
    let cost = sb.stats().requests - before;
    assert_eq!(cost, 1 + 2 * 13);
    assert!(
        cost <= 2 * one,
        "{cost} requests for 53 queues, {one} for one"
    );

    // Every queue came back, in the order asked, with data and handle time.
    assert_eq!(many.len(), all.len());
    for ((asked, (got, result)), info) in all.iter().zip(&many).zip(sb.queues()) {
        assert_eq!(asked, got);
        let h = result
            .as_ref()
            .unwrap_or_else(|e| panic!("{}: {e}", asked.name));
        assert!(total(h) > 0.0, "{} has no contacts", asked.name);
        let handle = h.handle.as_ref().expect("tHandle fetched with nOffered");
        assert_eq!(handle.handle_count.len(), h.series.points.len());
        if info.centre_index.is_some() {
            assert!(
                handle.handle_count.iter().sum::<f64>() > 0.0,
                "{}",
                asked.name
            );
        }
    }

    // A few queues of each kind: the series of the batch equals the one fetched alone,
    // bucket for bucket, and so does the handle time.
    let support_many = &many[all.iter().position(|q| *q == support).unwrap()].1;
    let support_many = support_many.as_ref().unwrap();
    assert_eq!(support_many.series.points, alone.series.points);
    assert_eq!(support_many.handle, alone.handle);
    for name in [
        "Sales Voice",
        "Sales Chat",
        "Public data: Bikeshare DC (rentals/h)",
    ] {
        let q = named(&all, name);
        let single = fetch_history(&c, q.clone(), &cfg, now(), None)
            .await
            .unwrap();
        let batch = many[all.iter().position(|r| *r == q).unwrap()]
            .1
            .as_ref()
            .unwrap();
        assert_eq!(batch.series.points, single.series.points, "{name}");
        assert_eq!(batch.handle, single.handle, "{name}");
        assert_eq!(batch.summary.to_string(), single.summary.to_string());
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn inbound_voice_by_default_and_the_direction_setting_counts_campaign_calls() {
    let sb = start(SandboxOptions::default()).await;
    let all = refs(&sb);
    let c = client(&sb, 3);
    // Sales Voice runs an outbound campaign on the same queue.
    let sales = vec![named(&all, "Sales Voice"), named(&all, "Sales Chat")];
    let mut cfg = config();
    let inbound = fetch_many(&c, &sales, &cfg, now(), None).await.unwrap();
    let voice_in = inbound[0].1.as_ref().unwrap();
    assert_eq!(
        voice_in.summary.counted.as_ref().unwrap().to_string(),
        "voice, inbound (originatingDirection)"
    );
    // A chat queue has no voice: nothing is counted, and the error says what was counted.
    let err = inbound[1].1.as_ref().unwrap_err().to_string();
    assert!(
        err.contains("voice, inbound") && err.contains("history.media_types"),
        "{err}"
    );

    cfg.history.direction = DirectionSetting::All;
    cfg.history.media_types.clear();
    let both = fetch_many(&c, &sales, &cfg, now(), None).await.unwrap();
    let voice_all = both[0].1.as_ref().unwrap();
    assert!(
        total(voice_all) > total(voice_in),
        "campaign calls add to all directions: {} vs {}",
        total(voice_all),
        total(voice_in)
    );
    assert!(total(both[1].1.as_ref().unwrap()) > 0.0, "chat counted");

    cfg.history.direction = DirectionSetting::Outbound;
    let out = fetch_many(&c, &sales[..1], &cfg, now(), None)
        .await
        .unwrap();
    let voice_out = out[0].1.as_ref().unwrap();
    // The groups partition the conversations: inbound + outbound = all, bucket by bucket
    // where both report.
    assert_eq!(total(voice_in) + total(voice_out), total(voice_all));
    sb.shutdown().await;
}

#[tokio::test]
async fn a_failing_queue_costs_only_itself() {
    let faults = Faults {
        fail_queues: vec![sandbox::DEFAULT_QUEUE.to_string()],
        ..Faults::default()
    };
    let sb = start(SandboxOptions {
        faults,
        ..Default::default()
    })
    .await;
    let healthy = start(SandboxOptions::default()).await;
    let all = refs(&sb);
    let mut cfg = config();
    cfg.history.media_types.clear();
    let got = fetch_many(&client(&sb, 1), &all, &cfg, now(), None)
        .await
        .expect("one bad queue does not fail the batch");
    let want = fetch_many(&client(&healthy, 1), &all, &cfg, now(), None)
        .await
        .unwrap();
    for ((q, g), (_, w)) in got.iter().zip(&want) {
        if q.name == sandbox::DEFAULT_QUEUE {
            let e = g.as_ref().unwrap_err();
            assert!(matches!(e, FetchError::Api(_)), "{e}");
            assert!(e.to_string().contains("503"), "{e}");
        } else {
            let (g, w) = (g.as_ref().unwrap(), w.as_ref().unwrap());
            assert_eq!(g.series.points, w.series.points, "{}", q.name);
        }
    }
    assert!(sb.stats().injected_errors > 0);
    sb.shutdown().await;
    healthy.shutdown().await;
}

#[tokio::test]
async fn the_series_starts_at_the_retention_horizon_or_the_first_data_never_with_zeros() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("new.csv");
    // A queue that opened three days before now: 72 hours of data.
    let mut text = String::from("ds,y\n");
    for h in 0..72 {
        let t = Utc.with_ymd_and_hms(2026, 11, 17, 9, 0, 0).unwrap() + chrono::Duration::hours(h);
        text.push_str(&format!(
            "{},{}\n",
            t.format("%Y-%m-%dT%H:%M:%S"),
            1 + h % 5
        ));
    }
    std::fs::write(&file, text).unwrap();
    let sb = start(SandboxOptions {
        retention_days: 30,
        extra_queues: vec![("New queue".into(), file)],
        ..Default::default()
    })
    .await;
    let all = refs(&sb);
    let c = client(&sb, 3);
    let cfg = config();
    let picked = vec![
        named(&all, sandbox::DEFAULT_QUEUE),
        named(&all, "New queue"),
    ];
    let got = fetch_many(&c, &picked, &cfg, now(), None).await.unwrap();

    // 90 days asked, 30 kept: the series starts at the retention horizon, and says so.
    let support = got[0].1.as_ref().unwrap();
    let late = support.summary.late_start.expect("late start recorded");
    assert_eq!(late.reason, StartReason::Retention { days: 30 });
    let first = support.series.points[0].ts;
    assert!(
        first >= sb.data_start(),
        "{first} before {}",
        sb.data_start()
    );
    assert!(first - sb.data_start() < chrono::Duration::hours(1));
    assert_eq!(
        late.requested,
        support.summary.end - chrono::Duration::days(90)
    );
    assert!(
        support
            .summary
            .to_string()
            .contains("30-day analytics retention"),
        "{}",
        support.summary
    );

    // The new queue starts at its first reported bucket: no zeros before it.
    let new = got[1].1.as_ref().unwrap();
    let late = new.summary.late_start.expect("late start recorded");
    assert_eq!(late.reason, StartReason::FirstData);
    let served = sb.series(&picked[1].id).unwrap();
    assert_eq!(new.series.points[0].ts, served[0].ts);
    assert!(new.series.points[0].y > 0.0);
    assert!(
        new.summary.to_string().contains("starts at the first data"),
        "{}",
        new.summary
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn data_retention_settings_are_served_and_read() {
    let sb = start(SandboxOptions {
        retention_days: 45,
        queue_count: 0,
        ..Default::default()
    })
    .await;
    assert_eq!(
        client(&sb, 0).data_retention_days().await.unwrap(),
        Some(45)
    );
    // The body is exactly the SDK's model (strict schema: no invented field).
    let http = reqwest::Client::new();
    let token: serde_json::Value = http
        .post(format!("{}/oauth/token", sb.base_url()))
        .basic_auth(DEMO_CLIENT_ID, Some(DEMO_CLIENT_SECRET))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let path = "/api/v2/analytics/dataretention/settings";
    let body: serde_json::Value = http
        .get(format!("{}{path}", sb.base_url()))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let model = crate::common::openapi::response_definition("get", path, "200").unwrap();
    assert_eq!(model, "AnalyticsDataRetentionResponse");
    crate::common::openapi::assert_valid(&model, &body);
    assert_eq!(body["retentionDays"], 45);
    sb.shutdown().await;
}
