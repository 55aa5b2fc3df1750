use super::*;

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

#[test]
fn chunks_break_at_local_midnight_across_dst() {
    // Chicago springs forward on 2024-03-10; midnight stays midnight local time.
    let mut q = AggregateQuery::new(
        "q",
        utc("2024-03-01T06:00:00Z"),
        utc("2024-03-15T05:00:00Z"),
        Granularity::Pt1h,
        "America/Chicago",
    );
    q.chunk_days = 7;
    let c = q.chunks().unwrap();
    assert_eq!(
        c,
        vec![
            (utc("2024-03-01T06:00:00Z"), utc("2024-03-08T06:00:00Z")),
            (utc("2024-03-08T06:00:00Z"), utc("2024-03-15T05:00:00Z")),
        ]
    );
}

#[test]
fn partial_first_chunk_and_bad_inputs() {
    let q = AggregateQuery::new(
        "q",
        utc("2024-05-06T12:00:00Z"),
        utc("2024-05-08T00:00:00Z"),
        Granularity::Pt15m,
        "UTC",
    );
    let q = AggregateQuery { chunk_days: 1, ..q };
    assert_eq!(q.chunks().unwrap().len(), 2);
    let bad = AggregateQuery {
        time_zone: "Mars/Base".into(),
        ..q.clone()
    };
    assert!(bad.chunks().unwrap_err().to_string().contains("Mars/Base"));
    let empty = AggregateQuery { end: q.start, ..q };
    assert!(empty.chunks().is_err());
}

#[test]
fn bodies_list_the_groups_queues_in_an_or_clause_with_media_and_direction() {
    let ids: Vec<String> = (0..5).map(|i| format!("q{i}")).collect();
    let mut q = AggregateQuery::for_queues(
        ids.clone(),
        utc("2024-05-06T00:00:00Z"),
        utc("2024-05-07T00:00:00Z"),
        Granularity::Pt1h,
        "UTC",
    );
    q.queues_per_query = 2;
    let groups = q.queue_groups();
    assert_eq!(groups.iter().map(Vec::len).collect::<Vec<_>>(), [2, 2, 1]);
    let range = (q.start, q.end);
    let body = serde_json::to_value(q.body(&groups[0], range)).unwrap();
    assert_eq!(
        body["filter"],
        serde_json::json!({"type": "and", "clauses": [{"type": "or", "predicates": [
            {"type": "dimension", "dimension": "queueId", "operator": "matches", "value": "q0"},
            {"type": "dimension", "dimension": "queueId", "operator": "matches", "value": "q1"}]}]})
    );
    q.media_types = vec!["voice".into(), "chat".into()];
    q.direction = Some((DirectionDimension::OriginatingDirection, Direction::Inbound));
    let body = serde_json::to_value(q.body(&groups[2], range)).unwrap();
    assert_eq!(
        body["filter"]["clauses"][1]["predicates"][1]["value"],
        "chat"
    );
    assert_eq!(
        body["filter"]["predicates"],
        serde_json::json!([{"type": "dimension", "dimension": "originatingDirection",
            "operator": "matches", "value": "inbound"}])
    );
    assert_eq!(body["groupBy"], serde_json::json!(["queueId", "mediaType"]));
}

#[test]
fn only_failures_that_may_belong_to_a_queue_are_split() {
    let api = |status| GenesysError::Api {
        method: "POST",
        path: "/x".into(),
        status,
        code: None,
        message: None,
        correlation_id: None,
        body: None,
        retries: 0,
    };
    assert!(splittable(&api(400)) && splittable(&api(503)) && splittable(&api(403)));
    assert!(!splittable(&api(401)) && !splittable(&api(429)));
    assert!(!splittable(&GenesysError::InvalidRequest("x".into())));
}

fn deadline(last_status: Option<u16>) -> GenesysError {
    GenesysError::Deadline {
        method: "POST",
        path: "/x".into(),
        elapsed_secs: 180,
        deadline_secs: 180,
        attempts: 9,
        last: "HTTP 503".into(),
        last_status,
        shortened: false,
    }
}

#[test]
fn a_retry_deadline_is_split_like_the_answer_its_last_attempt_got() {
    assert!(splittable(&deadline(Some(503))) && splittable(&deadline(Some(500))));
    assert!(!splittable(&deadline(Some(401))) && !splittable(&deadline(Some(429))));
    // Cut off while waiting, or never connected: the server, not a queue.
    assert!(!splittable(&deadline(None)));
}

/// Once a group used the whole deadline, its halves get a shorter budget for failures (never
/// longer than the configured deadline) but keep the whole deadline for throttle waits, and
/// an error under the shorter one says so.
#[test]
fn the_halves_of_a_timed_out_group_get_a_shorter_deadline() {
    let settings = |secs| {
        let mut s = crate::genesys::ClientSettings::for_base("http://127.0.0.1:9", "id", "s");
        s.retry_deadline = std::time::Duration::from_secs(secs);
        GenesysClient::new(s).unwrap()
    };
    let split = std::time::Duration::from_secs(30);
    let c = settings(180);
    assert_eq!(c.split_deadline(), split);
    let halves = c.failures_within(c.split_deadline());
    assert_eq!(halves.failure_deadline(), split);
    assert_eq!(halves.retry_deadline(), std::time::Duration::from_secs(180));
    let short = std::time::Duration::from_secs(2);
    let c = settings(2);
    assert_eq!(
        c.failures_within(c.split_deadline()).failure_deadline(),
        short
    );
    let mut e = deadline(Some(503));
    assert!(
        e.to_string()
            .contains("(the limit is genesys.retry_deadline_secs = 180)"),
        "{e}"
    );
    if let GenesysError::Deadline {
        shortened,
        deadline_secs,
        ..
    } = &mut e
    {
        (*shortened, *deadline_secs) = (true, 30);
    }
    let text = e.to_string();
    assert!(text.contains("(the limit is 30 s for part of a request that already failed for the whole genesys.retry_deadline_secs)"), "{text}");
}

#[test]
fn splitting_stops_when_every_group_times_out_and_nothing_was_answered() {
    let group = |id: &str| vec![id.to_string()];
    let one = vec![(group("a"), deadline(Some(503)))];
    let two = vec![
        (group("a"), deadline(Some(503))),
        (group("b"), deadline(Some(503))),
    ];
    // One group timing out may hold one bad queue: split it.
    assert!(!server_wide(&one, false));
    // Its halves (or several first groups) all timing out with no answer: an outage.
    assert!(server_wide(&two, false));
    // Once anything was answered, the others' failures are their own.
    assert!(!server_wide(&two, true));
    // Fast errors are cheap to split; only deadlines stop it.
    let fast = vec![
        (group("a"), deadline(Some(503))),
        (group("b"), GenesysError::InvalidRequest("x".into())),
    ];
    assert!(!server_wide(&fast, false));
}

#[test]
fn n_handled_is_requested_as_t_handle_once() {
    let mut q = AggregateQuery::new("q", Utc::now(), Utc::now(), Granularity::Pt1h, "UTC");
    q.metrics = vec![Metric::NHandled, Metric::THandle];
    assert_eq!(q.wire_metrics(), vec!["nOffered", "tHandle"]);
}
