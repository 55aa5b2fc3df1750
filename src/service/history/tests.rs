//! The fetch-size check: a history fetch larger than `[limits]` allows is refused before any
//! aggregates query is sent, naming the limit and how to change it.

use chrono::Utc;

use super::{FetchError, fetch_history, fetch_many};
use crate::config::Config;
use crate::genesys::{ClientSettings, GenesysClient};
use crate::granularity::Granularity;
use crate::refs::QueueRef;
use crate::sandbox::{self, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, SandboxHandle};

async fn sandbox() -> (SandboxHandle, GenesysClient) {
    let sb = sandbox::start(sandbox::SandboxOptions::default())
        .await
        .expect("sandbox starts");
    let s = ClientSettings::for_base(&sb.base_url(), DEMO_CLIENT_ID, DEMO_CLIENT_SECRET);
    let client = GenesysClient::new(s).unwrap();
    // The token first, so the request counts below are history requests only.
    client.list_queues(None).await.unwrap();
    (sb, client)
}

fn voice_queues(sb: &SandboxHandle, n: usize) -> Vec<QueueRef> {
    sb.queues()
        .into_iter()
        .filter(|s| s.name.contains("Voice"))
        .take(n)
        .map(|s| QueueRef {
            id: s.id,
            name: s.name,
        })
        .collect()
}

fn config(days: u32) -> Config {
    let mut c = Config::default();
    c.history.days = days;
    c.history.time_zone = Some("Europe/London".into());
    c
}

#[tokio::test]
async fn one_queue_over_max_buckets_is_refused_before_any_request() {
    let (sb, client) = sandbox().await;
    let queue = voice_queues(&sb, 1).remove(0);
    // 3000 days of 15-minute buckets: 288 000 > the default 200 000.
    let mut c = config(3000);
    c.history.granularity = Granularity::Pt15m;
    let before = sb.request_count();
    let err = fetch_history(&client, queue, &c, Utc::now(), None)
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::TooLarge(_)), "{err:?}");
    let msg = err.to_string();
    for part in [
        "288000 buckets a queue",
        "limits.max_buckets = 200000",
        "--days",
    ] {
        assert!(msg.contains(part), "{part:?} not in {msg}");
    }
    assert_eq!(sb.request_count(), before, "nothing sent");
}

#[tokio::test]
async fn many_queues_over_max_fetch_buckets_are_refused_and_fewer_are_fetched() {
    let (sb, client) = sandbox().await;
    let queues = voice_queues(&sb, 3);
    let mut c = config(14);
    // Two queues of 14 days of hours fit, three do not.
    c.limits.max_fetch_buckets = 2 * 14 * 24;
    let before = sb.request_count();
    let err = fetch_many(&client, &queues, &c, Utc::now(), None)
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("for 3 queues are 1008 buckets")
            && msg.contains("limits.max_fetch_buckets = 672"),
        "{msg}"
    );
    assert_eq!(sb.request_count(), before, "nothing sent");
    let two = fetch_many(&client, &queues[..2], &c, Utc::now(), None)
        .await
        .unwrap();
    assert!(two.iter().all(|(_, r)| r.is_ok()));
    assert!(sb.request_count() > before);
}

// How a queue is counted by the media it serves.

use super::{config_for_media, group_by_counted_media};

fn media(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

#[test]
fn a_queue_serving_none_of_the_counted_media_is_counted_by_its_own() {
    let cfg = Config::default();
    assert_eq!(
        cfg.history.media_types,
        media(&["voice"]),
        "the default counts voice"
    );
    let chat = config_for_media(&cfg, &media(&["chat"])).expect("chat queue gets its own media");
    assert_eq!(chat.history.media_types, media(&["chat"]));
    assert_eq!(
        chat.history.direction, cfg.history.direction,
        "only the media change"
    );
}

#[test]
fn a_queue_serving_a_counted_medium_or_of_unknown_media_keeps_the_settings() {
    let cfg = Config::default();
    assert!(config_for_media(&cfg, &media(&["voice", "callback"])).is_none());
    assert!(
        config_for_media(&cfg, &[]).is_none(),
        "no mediaSettings: keep the settings"
    );
    let mut all = Config::default();
    all.history.media_types.clear();
    assert!(
        config_for_media(&all, &media(&["email"])).is_none(),
        "empty counts every medium"
    );
}

#[test]
fn queues_counted_alike_share_a_group_in_first_seen_order() {
    let q = |id: &str| QueueRef {
        id: id.into(),
        name: format!("Q{id}"),
    };
    let of = |r: &QueueRef| match r.id.as_str() {
        "v1" | "v2" => Some(media(&["voice"])),
        "c1" | "c2" => Some(media(&["chat"])),
        "e1" => Some(media(&["email"])),
        _ => None,
    };
    let qs = ["v1", "c1", "x", "e1", "c2", "v2"].map(q).to_vec();
    let groups = group_by_counted_media(&Config::default(), qs, of);
    let shape: Vec<(Vec<String>, Vec<&str>)> = groups
        .iter()
        .map(|(c, qs)| {
            let ids = qs.iter().map(|q| q.id.as_str()).collect();
            (c.history.media_types.clone(), ids)
        })
        .collect();
    assert_eq!(
        shape,
        vec![
            (media(&["voice"]), vec!["v1", "x", "v2"]),
            (media(&["chat"]), vec!["c1", "c2"]),
            (media(&["email"]), vec!["e1"]),
        ],
        "voice and unknown media keep the settings; chat and email queues count their own"
    );
}
