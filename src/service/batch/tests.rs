use super::*;

fn q(id: &str, name: &str) -> QueueRef {
    QueueRef {
        id: id.into(),
        name: name.into(),
    }
}

fn org() -> Vec<QueueRef> {
    vec![
        q("1", "Sales Voice"),
        q("2", "Sales Chat"),
        q("3", "Billing Voice"),
        q("4", "Support Voice"),
        q("5", "Presales"),
        q("6", "billing voice"),
    ]
}

fn names(r: Result<Vec<QueueRef>, String>) -> Vec<String> {
    r.unwrap().into_iter().map(|q| q.name).collect()
}

fn pats(p: &[&str]) -> Vec<String> {
    p.iter().map(|s| s.to_string()).collect()
}

#[test]
fn names_ids_and_wildcards_each_once_in_name_order() {
    assert_eq!(
        names(match_queues(
            &org(),
            &pats(&["Sales*", "Billing Voice", "4"]),
            false
        )),
        [
            "Billing Voice",
            "billing voice",
            "Sales Chat",
            "Sales Voice",
            "Support Voice"
        ]
    );
    assert_eq!(
        names(match_queues(
            &org(),
            &pats(&["*voice", "sales VOICE"]),
            false
        )),
        [
            "Billing Voice",
            "billing voice",
            "Sales Voice",
            "Support Voice"
        ]
    );
    assert_eq!(
        names(match_queues(&org(), &pats(&["*sales*"]), false)),
        ["Presales", "Sales Chat", "Sales Voice"]
    );
    assert_eq!(
        names(match_queues(&org(), &pats(&["S*s*Voice"]), false)),
        ["Sales Voice"]
    );
    assert_eq!(match_queues(&org(), &[], true).unwrap().len(), 6);
    assert_eq!(
        match_queues(&org(), &pats(&["Sales*"]), true)
            .unwrap()
            .len(),
        6
    );
}

#[test]
fn a_pattern_without_a_match_is_an_error_with_a_hint() {
    let e = match_queues(&org(), &pats(&["Sales*", "Salse"]), false).unwrap_err();
    assert_eq!(
        e,
        "--queue \"Salse\" matches no queue; run `queuecast queues` to list them"
    );
    let e = match_queues(&org(), &pats(&["Sales"]), false).unwrap_err();
    assert!(
        e.ends_with("did you mean \"Sales Voice\", \"Sales Chat\", \"Presales\"?"),
        "{e}"
    );
    assert!(match_queues(&org(), &pats(&[" "]), false).is_err());
}

use std::time::Duration;

use crate::genesys::ClientSettings;
use crate::sandbox::{self, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Faults, SandboxHandle};
use crate::service::history::fetch_history;

async fn sandbox_with(faults: Faults) -> SandboxHandle {
    sandbox::start(sandbox::SandboxOptions {
        faults,
        ..Default::default()
    })
    .await
    .expect("sandbox starts")
}

fn client_for(sb: &SandboxHandle) -> GenesysClient {
    let mut s = ClientSettings::for_base(&sb.base_url(), DEMO_CLIENT_ID, DEMO_CLIENT_SECRET);
    s.min_backoff = Duration::from_millis(10);
    s.max_backoff = Duration::from_millis(20);
    s.max_retries = 0;
    GenesysClient::new(s).unwrap()
}

fn small_config() -> Config {
    let mut c = Config::default();
    c.history.days = 21;
    c.history.time_zone = Some("Europe/London".into());
    c.forecast.model = "seasonal-naive".into();
    c.forecast.horizon_days = 1;
    c
}

/// Six of the sandbox's voice queues (the default history counts inbound voice only).
fn sandbox_queues(sb: &SandboxHandle) -> Vec<QueueRef> {
    sb.queues()
        .into_iter()
        .filter(|s| s.name.contains("Voice"))
        .take(6)
        .map(|s| q(&s.id, &s.name))
        .collect()
}

/// Everything `rx` sends until it closes.
/// Every queue of `queues` has exactly one outcome, and no other queue has any.
fn assert_each_once(outcomes: &[QueueOutcome], queues: &[QueueRef]) {
    let mut got: Vec<&str> = outcomes.iter().map(|o| o.queue.id.as_str()).collect();
    got.sort();
    let mut want: Vec<&str> = queues.iter().map(|q| q.id.as_str()).collect();
    want.sort();
    assert_eq!(got, want, "each queue once");
}

async fn drain(mut rx: mpsc::Receiver<QueueOutcome>) -> Vec<QueueOutcome> {
    let mut out = vec![];
    while let Some(o) = rx.recv().await {
        out.push(o);
    }
    out
}

#[tokio::test]
async fn fetch_many_equals_each_queue_fetched_alone_in_the_order_given() {
    let sb = sandbox_with(Faults::default()).await;
    let client = client_for(&sb);
    let config = small_config();
    let now = Utc::now();
    let mut queues = sandbox_queues(&sb);
    queues.reverse();
    // The token first, so both counts below are aggregates requests only.
    client.list_queues(None).await.unwrap();
    let before = sb.request_count();
    let many = fetch_many(&client, &queues, &config, now, None)
        .await
        .unwrap();
    let many_requests = sb.request_count() - before;
    assert_eq!(many.len(), queues.len());
    let before = sb.request_count();
    for (queue, (asked, got)) in queues.iter().zip(&many) {
        assert_eq!(asked, queue, "in the order given");
        let got = got.as_ref().unwrap();
        let alone = fetch_history(&client, queue.clone(), &config, now, None)
            .await
            .unwrap();
        assert_eq!(&got.queue, queue);
        assert_eq!(got.series, alone.series, "{}", queue.name);
        // A series starts at its first reported bucket: a quiet night at the start of the
        // 21 days (the run's time of day) shortens it by a few hours, never more than a day.
        let n = got.series.points.len();
        assert!((20 * 24..=21 * 24).contains(&n), "{n}");
    }
    // One query per chunk for all of them: no more requests than one queue alone costs
    // twice (the or-clause of queue ids), far fewer than one queue at a time.
    let alone_requests = sb.request_count() - before;
    let per_queue = alone_requests / queues.len() as u64;
    assert!(
        many_requests <= 2 * per_queue,
        "{many_requests} vs {per_queue} per queue"
    );
}

#[tokio::test]
async fn run_many_streams_every_queue_once_and_saves_each_forecast() {
    let sb = sandbox_with(Faults::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    let queues = sandbox_queues(&sb);
    let opts = ManyOptions {
        workers: 1,
        batch: 2,
        keep_history: true,
        ..ManyOptions::new()
    };
    let rx = run_many(
        client_for(&sb),
        store.clone(),
        queues.clone().into(),
        small_config(),
        Utc::now(),
        opts,
        CancellationToken::new(),
    );
    let outcomes = drain(rx).await;
    assert_each_once(&outcomes, &queues);
    for o in &outcomes {
        let done = o.result.as_ref().unwrap();
        assert_eq!(done.run.output.queue, o.queue);
        assert_eq!(done.run.output.forecast.future.len(), 24);
        let history = done.history.as_ref().unwrap();
        let n = history.series.points.len();
        assert!(
            (20 * 24..=21 * 24).contains(&n),
            "{n} (see fetch_many_equals_…)"
        );
        assert!(store.load_forecast(&o.queue.id).unwrap().is_some());
    }
}

/// A fetch limit smaller than a batch makes smaller batches, not failures.
#[tokio::test]
async fn run_many_fetches_fewer_queues_at_once_to_fit_max_fetch_buckets() {
    let sb = sandbox_with(Faults::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let queues = sandbox_queues(&sb);
    let mut config = small_config();
    config.limits.max_fetch_buckets = 21 * 24;
    let opts = ManyOptions {
        workers: 1,
        batch: 50,
        keep_history: false,
        ..ManyOptions::new()
    };
    let rx = run_many(
        client_for(&sb),
        Store::new(dir.path()),
        queues.clone().into(),
        config,
        Utc::now(),
        opts,
        CancellationToken::new(),
    );
    let outcomes = drain(rx).await;
    assert_eq!(outcomes.len(), queues.len());
    for o in &outcomes {
        assert!(
            o.result.is_ok(),
            "{}: {:?}",
            o.queue.name,
            o.result.as_ref().err()
        );
    }
}

#[tokio::test]
async fn a_failed_fetch_is_that_queues_outcome_and_the_channel_still_closes() {
    let sb = sandbox_with(Faults {
        error_rate: 1.0,
        ..Faults::default()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let queues = sandbox_queues(&sb);
    let rx = run_many(
        client_for(&sb),
        Store::new(dir.path()),
        queues.clone().into(),
        small_config(),
        Utc::now(),
        ManyOptions::new(),
        CancellationToken::new(),
    );
    let outcomes = drain(rx).await;
    assert_eq!(outcomes.len(), queues.len());
    for o in &outcomes {
        let f = o.result.as_ref().unwrap_err();
        assert_eq!(f.stage, Stage::Fetch);
        assert!(f.message.contains("503"), "{}", f.message);
    }
}

#[tokio::test]
async fn a_cancelled_run_starts_nothing() {
    let sb = sandbox_with(Faults::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let cancel = CancellationToken::new();
    cancel.cancel();
    let rx = run_many(
        client_for(&sb),
        Store::new(dir.path()),
        sandbox_queues(&sb).into(),
        small_config(),
        Utc::now(),
        ManyOptions::new(),
        cancel,
    );
    assert!(drain(rx).await.is_empty());
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none());
}

#[test]
fn glob_anchors_both_ends() {
    assert!(glob("a*", "abc"));
    assert!(!glob("b*", "abc"));
    assert!(glob("*c", "abc"));
    assert!(glob("a*b*c", "abc"));
    assert!(!glob("ab*bc", "abc"), "the two ends must not overlap");
    assert!(glob("*", ""));
    assert!(glob("a**c", "ac"));
}

/// The dashboard's own fit goes first: while a pause is held the fetched queues wait, none
/// is fitted or saved; dropping the guard lets every one through.
#[tokio::test]
async fn no_fit_starts_while_the_pause_is_held() {
    let sb = sandbox_with(Faults::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    let queues = sandbox_queues(&sb);
    let mut config = small_config();
    // No staffing requests: the count below settles once the histories are in.
    config.staffing.source = crate::config::SourceKind::Constant;
    let opts = ManyOptions::new();
    let held = opts.pause.hold();
    let mut rx = run_many(
        client_for(&sb),
        store.clone(),
        queues.clone().into(),
        config,
        Utc::now(),
        opts,
        CancellationToken::new(),
    );
    // Token, retention and the aggregates queries: wait until no request is added for a while.
    let mut last = u64::MAX;
    while sb.request_count() != last || last < 3 {
        last = sb.request_count();
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert!(rx.try_recv().is_err(), "an outcome arrived while paused");
    for q in &queues {
        assert!(store.load_forecast(&q.id).unwrap().is_none(), "{}", q.name);
    }
    drop(held);
    let outcomes = drain(rx).await;
    assert_eq!(outcomes.len(), queues.len());
    assert!(outcomes.iter().all(|o| o.result.is_ok()));
}

/// Queues serving none of the counted media are counted by their own, in their own requests.
#[tokio::test]
async fn a_chat_queue_in_the_list_is_counted_as_chat() {
    let sb = sandbox_with(Faults::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let mut list = QueueList::default();
    for s in sb.queues().into_iter().filter(|s| s.name.contains("Chat")) {
        list.media.insert(s.id.clone(), vec!["chat".into()]);
        list.queues.push(q(&s.id, &s.name));
    }
    assert!(!list.queues.is_empty());
    let n = list.queues.len();
    let rx = run_many(
        client_for(&sb),
        Store::new(dir.path()),
        list,
        small_config(),
        Utc::now(),
        ManyOptions::new(),
        CancellationToken::new(),
    );
    let outcomes = drain(rx).await;
    assert_eq!(outcomes.len(), n);
    for o in outcomes {
        let done = o
            .result
            .unwrap_or_else(|f| panic!("{}: {f:?}", o.queue.name));
        let counted = done.run.output.summary.counted.clone().unwrap();
        assert_eq!(counted.media_types, ["chat"], "{}", o.queue.name);
    }
}

/// A client that retries a 503 every 10–20 ms until `deadline` (then the halves of a failed
/// group get `split`), so a failing queue's batch is stuck for the whole deadline.
fn retrying_client(sb: &SandboxHandle, deadline: Duration, split: Duration) -> GenesysClient {
    let mut s = ClientSettings::for_base(&sb.base_url(), DEMO_CLIENT_ID, DEMO_CLIENT_SECRET);
    s.min_backoff = Duration::from_millis(10);
    s.max_backoff = Duration::from_millis(20);
    s.max_retries = 100_000;
    s.retry_deadline = deadline;
    s.split_deadline = split;
    GenesysClient::new(s).unwrap()
}

/// The sandbox's first voice queue fails every aggregates query that asks for it; it is the
/// first queue, so the first batch (`[failing, healthy]` with batches of two) is stuck.
async fn stuck_first_batch() -> (SandboxHandle, Vec<QueueRef>) {
    let probe = sandbox_with(Faults::default()).await;
    let failing = sandbox_queues(&probe)[0].name.clone();
    probe.shutdown().await;
    let sb = sandbox_with(Faults {
        fail_queues: vec![failing.clone()],
        ..Faults::default()
    })
    .await;
    let queues = sandbox_queues(&sb);
    assert_eq!(queues[0].name, failing);
    (sb, queues)
}

fn two_a_batch() -> ManyOptions {
    ManyOptions {
        workers: 1,
        batch: 2,
        ..ManyOptions::new()
    }
}

/// Issue: one stuck batch held back every later batch. With the failing queue's batch
/// retrying for a deadline far longer than the rest of the run, every later batch's queues
/// are fetched, fitted and reported while it is still stuck; cancelling then aborts the stuck
/// fetch (its retries stop) and reports nothing more.
#[tokio::test]
async fn a_batch_stuck_on_a_failing_queue_holds_back_no_later_batch() {
    let (sb, queues) = stuck_first_batch().await;
    let dir = tempfile::tempdir().unwrap();
    let cancel = CancellationToken::new();
    let deadline = Duration::from_secs(120);
    let mut rx = run_many(
        retrying_client(&sb, deadline, deadline),
        Store::new(dir.path()),
        queues.clone().into(),
        small_config(),
        Utc::now(),
        two_a_batch(),
        cancel.clone(),
    );
    let later: HashSet<&str> = queues[2..].iter().map(|q| q.id.as_str()).collect();
    let mut seen = HashSet::new();
    // A guard against a hang, far inside the stuck batch's deadline: no time is asserted.
    let all_later = tokio::time::timeout(Duration::from_secs(60), async {
        while seen.len() < later.len() {
            let o = rx
                .recv()
                .await
                .expect("the run ended before the later batches");
            assert!(
                later.contains(o.queue.id.as_str()),
                "{} first",
                o.queue.name
            );
            assert!(o.result.is_ok(), "{}: {:?}", o.queue.name, o.result.err());
            assert!(seen.insert(o.queue.id.clone()), "{} twice", o.queue.name);
        }
    });
    all_later
        .await
        .expect("the later batches waited for the stuck one");
    assert!(
        sb.stats().injected_errors > 0,
        "the failing queue was asked"
    );
    cancel.cancel();
    assert!(
        drain(rx).await.is_empty(),
        "the stuck batch reported after the cancel"
    );
    // The stuck fetch was aborted: its 10–20 ms retries stop.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let before = sb.request_count();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sb.request_count(), before, "the stuck fetch still retries");
}

/// With a short deadline the stuck batch ends too: every queue gets exactly one outcome,
/// the failing queue its 503 (pinned to it by the split) and its batch-mate its forecast.
#[tokio::test]
async fn every_queue_gets_one_outcome_when_the_stuck_batch_runs_out_of_time() {
    let (sb, queues) = stuck_first_batch().await;
    let dir = tempfile::tempdir().unwrap();
    let client = retrying_client(&sb, Duration::from_secs(1), Duration::from_millis(300));
    let rx = run_many(
        client,
        Store::new(dir.path()),
        queues.clone().into(),
        small_config(),
        Utc::now(),
        two_a_batch(),
        CancellationToken::new(),
    );
    let outcomes = drain(rx).await;
    assert_each_once(&outcomes, &queues);
    for o in &outcomes {
        if o.queue == queues[0] {
            let f = o.result.as_ref().unwrap_err();
            assert_eq!(f.stage, Stage::Fetch);
            assert!(f.message.contains("503"), "{}", f.message);
        } else {
            assert!(
                o.result.is_ok(),
                "{}: {:?}",
                o.queue.name,
                o.result.as_ref().err()
            );
        }
    }
}
