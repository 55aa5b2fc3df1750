use super::*;

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
