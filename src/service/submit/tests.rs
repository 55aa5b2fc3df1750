//! Against the real sandbox on loopback; the faults are the sandbox's own.

use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;

use super::*;
use crate::genesys::{ClientSettings, DialingMode, DomainEntityRef, PhoneColumn, ScheduleInterval};
use crate::sandbox::{self, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Faults, SandboxHandle};

const NAME: &str = "Bikeshare quiet hours 2026-11-20 #k3f9q2";

async fn sandbox_with(faults: Faults) -> SandboxHandle {
    sandbox::start(sandbox::SandboxOptions {
        faults,
        ..Default::default()
    })
    .await
    .expect("sandbox starts")
}

fn client_for(base: &str) -> GenesysClient {
    let mut s = ClientSettings::for_base(base, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET);
    s.min_backoff = Duration::from_millis(10);
    s.max_backoff = Duration::from_millis(50);
    s.max_retries = 3;
    GenesysClient::new(s).unwrap()
}

/// Short limits so the fault tests take well under a second or two.
fn quick() -> Timeouts {
    Timeouts {
        create: Duration::from_millis(100),
        schedule_margin: chrono::TimeDelta::minutes(15),
        lookup: Duration::from_millis(400),
        lookup_budget: Duration::from_secs(3),
        lookup_pause: Duration::from_millis(20),
    }
}

/// 09:00–11:00 New York, three days after the sandbox's today (a schedule may not start
/// in the past).
fn future_day(sb: &SandboxHandle) -> NaiveDate {
    let ny: Tz = "America/New_York".parse().unwrap();
    let d = sb.now().with_timezone(&ny).date_naive() + chrono::Days::new(3);
    NaiveDate::from_ymd_opt(d.year(), d.month(), d.day()).unwrap()
}

fn schedule_on(day: NaiveDate) -> CampaignSchedule {
    let at = |h| day.and_hms_opt(h, 0, 0).unwrap();
    CampaignSchedule {
        id: None,
        name: None,
        version: None,
        intervals: vec![ScheduleInterval::from_local(at(9), at(11))],
        recurrences: None,
        time_zone: Some("America/New_York".into()),
        campaign: DomainEntityRef::new(""),
        self_uri: None,
    }
}

/// A valid request for the sandbox's first queue, contact list and published script.
async fn request(sb: &SandboxHandle, c: &GenesysClient) -> SubmitRequest {
    let queue = sb.queues().remove(0);
    let list = c.list_contact_lists().await.unwrap().remove(0);
    let script = c.list_published_scripts().await.unwrap().remove(0);
    let phone = &list.phone_columns[0];
    let campaign = Campaign {
        queue: Some(DomainEntityRef::new(queue.id)),
        script: Some(DomainEntityRef::new(script.id)),
        ..Campaign::draft(
            NAME,
            DomainEntityRef::new(list.id.clone()),
            DialingMode::Preview,
            vec![PhoneColumn {
                column_name: phone.column_name.clone(),
                column_type: phone.column_type.clone(),
            }],
            "Acme",
            "+13175550100",
        )
    };
    SubmitRequest {
        campaign,
        schedule: schedule_on(future_day(sb)),
        lookup_by_name_first: false,
        existing: None,
        check_only: false,
        without_schedule: false,
    }
}

/// Campaigns named [`NAME`], as the API lists them.
async fn listed(c: &GenesysClient) -> Vec<Campaign> {
    c.list_campaigns(Some(NAME)).await.unwrap()
}

#[tokio::test]
async fn happy_path_creates_exactly_one_campaign_with_its_schedule() {
    let sb = sandbox_with(Faults::default()).await;
    let c = client_for(&sb.base_url());
    let req = request(&sb, &c).await;
    let out = submit(&c, req.clone(), &Timeouts::default(), None).await;
    let SubmitOutcome::Done { id, self_uri, .. } = out else {
        panic!("not done: {out:?}")
    };
    assert_eq!(self_uri, format!("/api/v2/outbound/campaigns/{id}"));
    let found = listed(&c).await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].id.as_deref(), Some(id.as_str()));
    let stored = c.get_campaign_schedule(&id).await.unwrap().unwrap();
    assert_eq!(stored.intervals, req.schedule.intervals);
    assert_eq!(stored.time_zone.as_deref(), Some("America/New_York"));
    sb.shutdown().await;
}

/// Issue 12: "create without schedule" makes a true draft (a campaign, no schedule, so it
/// never dials); the later submit with windows attaches the schedule to that same campaign.
#[tokio::test]
async fn a_draft_has_no_schedule_until_a_later_submit_attaches_one_to_it() {
    let sb = sandbox_with(Faults::default()).await;
    let c = client_for(&sb.base_url());
    let req = SubmitRequest {
        without_schedule: true,
        ..request(&sb, &c).await
    };
    let out = submit(&c, req.clone(), &Timeouts::default(), None).await;
    let SubmitOutcome::Done {
        id,
        self_uri,
        scheduled: false,
        ..
    } = out
    else {
        panic!("not a draft: {out:?}")
    };
    assert_eq!(listed(&c).await.len(), 1);
    assert_eq!(
        c.get_campaign_schedule(&id).await.unwrap(),
        None,
        "no schedule"
    );
    assert!(sb.schedule(&id).is_none());
    let attach = SubmitRequest {
        without_schedule: false,
        existing: Some((id.clone(), self_uri)),
        ..req
    };
    let out = submit(&c, attach.clone(), &Timeouts::default(), None).await;
    assert!(
        matches!(&out, SubmitOutcome::Done { id: done, scheduled: true, .. } if *done == id),
        "{out:?}"
    );
    let found = listed(&c).await;
    assert_eq!(found.len(), 1, "exactly one campaign: {found:?}");
    assert_eq!(sb.campaigns().len(), 1);
    let stored = c.get_campaign_schedule(&id).await.unwrap().unwrap();
    assert_eq!(stored.intervals, attach.schedule.intervals);
    sb.shutdown().await;
}

/// `Campaign.errors[]` (`RestErrorDetail`) of the created campaign reach the outcome, read
/// back after the schedule; the sandbox reports them with `--campaign-error`.
#[tokio::test]
async fn the_campaigns_errors_come_back_with_the_outcome() {
    let sb = sandbox_with(Faults {
        campaign_errors: vec!["Contact list has no callable contacts: 0 of 1250 remain".into()],
        ..Faults::default()
    })
    .await;
    let c = client_for(&sb.base_url());
    let req = request(&sb, &c).await;
    for without_schedule in [true, false] {
        let req = SubmitRequest {
            without_schedule,
            campaign: Campaign {
                name: format!("{NAME}{without_schedule}"),
                ..req.campaign.clone()
            },
            ..req.clone()
        };
        let out = submit(&c, req, &Timeouts::default(), None).await;
        let SubmitOutcome::Done { errors, .. } = out else {
            panic!("{out:?}")
        };
        assert_eq!(
            errors,
            [RestErrorDetail {
                error: "Contact list has no callable contacts".into(),
                details: Some("0 of 1250 remain".into()),
            }],
            "without_schedule {without_schedule}"
        );
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn a_503_on_create_fails_for_sure_and_creates_nothing() {
    let sb = sandbox_with(Faults {
        error_rate: 1.0,
        ..Faults::default()
    })
    .await;
    let c = client_for(&sb.base_url());
    // The sandbox answers every API call 503, so the request is built by hand.
    let req = SubmitRequest {
        campaign: Campaign::draft(
            NAME,
            DomainEntityRef::new("cl"),
            DialingMode::Preview,
            vec![],
            "Acme",
            "+13175550100",
        ),
        schedule: schedule_on(future_day(&sb)),
        lookup_by_name_first: false,
        existing: None,
        check_only: false,
        without_schedule: false,
    };
    // The client's own retries of the 503 take longer than `quick()`'s create limit.
    let t = Timeouts {
        create: Duration::from_secs(20),
        ..quick()
    };
    let out = submit(&c, req, &t, None).await;
    let SubmitOutcome::Failed { error, timed_out } = out else {
        panic!("{out:?}")
    };
    assert!(!timed_out, "a 503 is an answer: nothing was created");
    assert!(error.message.contains("HTTP 503"), "{}", error.message);
    assert!(error.correlation_id.is_some(), "support needs the id");
    assert!(sb.campaigns().is_empty());
    assert_eq!(
        sb.stats().injected_errors,
        4,
        "the create and its 3 retries; no lookup after a sure failure"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn a_few_503s_on_create_are_retried_and_create_exactly_one() {
    let sb = sandbox_with(Faults {
        error_rate: 0.3,
        ..Faults::default()
    })
    .await;
    let mut s = ClientSettings::for_base(&sb.base_url(), DEMO_CLIENT_ID, DEMO_CLIENT_SECRET);
    s.min_backoff = Duration::from_millis(5);
    s.max_backoff = Duration::from_millis(20);
    s.max_retries = 12;
    let c = GenesysClient::new(s).unwrap();
    let req = request(&sb, &c).await;
    let out = submit(&c, req, &Timeouts::default(), None).await;
    assert!(matches!(out, SubmitOutcome::Done { .. }), "{out:?}");
    assert_eq!(listed(&c).await.len(), 1);
    assert_eq!(sb.campaigns().len(), 1);
    assert!(sb.stats().injected_errors > 0, "{:?}", sb.stats());
    sb.shutdown().await;
}

#[tokio::test]
async fn a_409_on_the_schedule_keeps_the_campaign_and_a_retry_only_puts_the_schedule() {
    let sb = sandbox_with(Faults::default()).await;
    let proxy = interposer::start(sb.base_url()).await;
    proxy.rival_saves_schedules(true);
    let c = client_for(&proxy.base_url);
    let req = request(&sb, &c).await;
    let out = submit(&c, req.clone(), &Timeouts::default(), None).await;
    let SubmitOutcome::ScheduleFailed {
        id,
        self_uri,
        error,
    } = out
    else {
        panic!("{out:?}")
    };
    assert!(error.message.contains("HTTP 409"), "{}", error.message);
    assert!(error.correlation_id.is_some());
    assert_eq!(listed(&c).await.len(), 1, "the campaign exists once");

    // The retry carries the campaign: no second create, only the schedule.
    proxy.rival_saves_schedules(false);
    let retry = SubmitRequest {
        existing: Some((id.clone(), self_uri)),
        ..req.clone()
    };
    let out = submit(&c, retry, &Timeouts::default(), None).await;
    assert!(
        matches!(&out, SubmitOutcome::Done { id: done, .. } if *done == id),
        "{out:?}"
    );
    assert_eq!(listed(&c).await.len(), 1, "still exactly one campaign");
    assert_eq!(sb.campaigns().len(), 1);
    let stored = c.get_campaign_schedule(&id).await.unwrap().unwrap();
    assert_eq!(stored.intervals, req.schedule.intervals);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_create_the_client_gave_up_on_is_completed_by_the_server_and_found() {
    // Every answer takes 250 ms; the create may take 100 ms. The client hangs up first,
    // the sandbox (like Genesys) completes the create anyway, and the lookup finds it.
    let sb = sandbox_with(Faults {
        latency: Duration::from_millis(250),
        ..Faults::default()
    })
    .await;
    let c = client_for(&sb.base_url());
    let req = request(&sb, &c).await;
    let out = submit(&c, req.clone(), &quick(), None).await;
    let SubmitOutcome::Done { id, .. } = out else {
        panic!("{out:?}")
    };
    assert_eq!(
        sb.campaigns().len(),
        1,
        "created once, by the hung-up request"
    );
    assert_eq!(sb.campaigns()[0]["id"], id.as_str());
    assert!(sb.schedule(&id).is_some(), "and its schedule was put");
    sb.shutdown().await;
}

/// Issue 17 acceptance: the create is answered after the client gave up, the lookups fail
/// (503, through all of the client's own retries), then one is slower than its limit,
/// then they work: exactly one campaign, with its schedule, and the pending record gone.
#[tokio::test]
async fn late_create_then_failing_then_slow_lookups_then_working_gives_exactly_one() {
    use crate::sandbox::LookupFault::{Slow, Unavailable};
    let mut lookups = vec![Unavailable; 4];
    lookups.push(Slow(Duration::from_millis(800)));
    let sb = sandbox_with(Faults {
        create_answer_delay: Duration::from_millis(700),
        lookup_faults: lookups,
        ..Faults::default()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let pending = PendingStore::new(dir.path());
    let c = client_for(&sb.base_url());
    let req = request(&sb, &c).await;
    let queue = queue_of(&req);
    let out = submit(&c, req.clone(), &quick(), Some(&pending)).await;
    let SubmitOutcome::Done { id, .. } = out else {
        panic!("{out:?}")
    };
    assert_eq!(sb.campaigns().len(), 1, "exactly one campaign");
    assert_eq!(
        sb.create_bodies().len(),
        1,
        "exactly one create was received"
    );
    assert_eq!(sb.campaigns()[0]["id"], id.as_str());
    assert!(sb.schedule(&id).is_some());
    assert_eq!(
        pending.load(&queue).unwrap(),
        None,
        "outcome known: record removed"
    );
    sb.shutdown().await;
}

/// While no lookup answers the outcome stays unknown, nothing is created again, and the
/// pending submission is on disk; "check again" once lookups work finds the campaign.
#[tokio::test]
async fn no_lookup_answering_leaves_it_unknown_and_check_again_finds_the_one_campaign() {
    let sb = sandbox_with(Faults {
        create_answer_delay: Duration::from_millis(600),
        lookup_faults: vec![crate::sandbox::LookupFault::Unavailable; 60],
        ..Faults::default()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let pending = PendingStore::new(dir.path());
    let c = client_for(&sb.base_url());
    let req = request(&sb, &c).await;
    let queue = queue_of(&req);
    let t = Timeouts {
        lookup_budget: Duration::from_millis(300),
        ..quick()
    };
    let out = submit(&c, req.clone(), &t, Some(&pending)).await;
    let SubmitOutcome::Unknown { error } = out else {
        panic!("{out:?}")
    };
    assert!(error.message.starts_with(&format!("unknown whether campaign {NAME:?} was created: the create got no answer within 100 ms; ")), "{}", error.message);
    assert!(error.message.contains("HTTP 503"), "{}", error.message);
    assert!(error.message.ends_with("check again"), "{}", error.message);
    // A restart finds the submission on disk, exactly as it was sent.
    let saved = pending
        .load(&queue)
        .unwrap()
        .expect("recorded before the create");
    assert_eq!(saved.campaign, req.campaign);
    assert_eq!(sb.create_bodies().len(), 1);

    // Checking again while lookups still fail: still unknown, still no second create.
    let check = SubmitRequest {
        check_only: true,
        ..saved
    };
    let out = submit(&c, check.clone(), &t, Some(&pending)).await;
    assert!(matches!(out, SubmitOutcome::Unknown { .. }), "{out:?}");
    assert_eq!(sb.create_bodies().len(), 1);

    // Once lookups answer (the scripted faults are used up), check again finds it.
    let patient = Timeouts {
        lookup_budget: Duration::from_secs(30),
        lookup_pause: Duration::from_millis(1),
        ..quick()
    };
    let out = submit(&c, check, &patient, Some(&pending)).await;
    let SubmitOutcome::Done { id, .. } = out else {
        panic!("{out:?}")
    };
    assert_eq!(sb.campaigns().len(), 1);
    assert_eq!(sb.create_bodies().len(), 1, "never a second create");
    assert!(sb.schedule(&id).is_some());
    assert_eq!(pending.load(&queue).unwrap(), None);
    sb.shutdown().await;
}

#[tokio::test]
async fn check_again_when_nothing_was_created_says_so_and_creates_nothing() {
    let sb = sandbox_with(Faults::default()).await;
    let c = client_for(&sb.base_url());
    let req = SubmitRequest {
        check_only: true,
        ..request(&sb, &c).await
    };
    let out = submit(&c, req, &quick(), None).await;
    let SubmitOutcome::Failed { error, timed_out } = out else {
        panic!("{out:?}")
    };
    assert!(timed_out, "the next submit still looks up first");
    assert_eq!(
        error.message,
        format!("checked: no campaign named {NAME:?} exists, so submitting again is safe")
    );
    assert!(sb.campaigns().is_empty());
    sb.shutdown().await;
}

#[test]
fn the_schedule_sent_is_clipped_to_now_plus_the_margin() {
    let day = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
    let at = |h, m| day.and_hms_opt(h, m, 0).unwrap();
    let s = CampaignSchedule {
        intervals: vec![
            ScheduleInterval::from_local(at(8, 0), at(9, 0)),
            ScheduleInterval::from_local(at(9, 0), at(11, 0)),
            ScheduleInterval::from_local(at(14, 0), at(15, 0)),
        ],
        ..schedule_on(day)
    };
    // 09:30 in New York (EST, UTC-5).
    let now = chrono::Utc
        .with_ymd_and_hms(2026, 12, 3, 14, 30, 0)
        .unwrap();
    let fifteen = chrono::TimeDelta::minutes(15);
    let out = clipped(&s, "c1", now, fifteen).unwrap();
    assert_eq!(out.campaign.id, "c1");
    assert_eq!(
        out.intervals,
        [
            ScheduleInterval::from_local(at(9, 45), at(11, 0)),
            ScheduleInterval::from_local(at(14, 0), at(15, 0)),
        ]
    );
    let late = chrono::Utc
        .with_ymd_and_hms(2026, 12, 3, 19, 50, 0)
        .unwrap();
    let e = clipped(&s, "c1", late, fifteen).unwrap_err();
    assert!(e.starts_with("no window is left to schedule: every selected window ends before Thu 12-03 14:50 America/New_York plus the 15-minute margin ([campaign] schedule_margin_min)"), "{e}");
    // A configured margin of an hour moves the clip: 09:30 + 60 min = 10:30.
    let hour = chrono::TimeDelta::minutes(60);
    let out = clipped(&s, "c1", now, hour).unwrap();
    assert_eq!(
        out.intervals[0],
        ScheduleInterval::from_local(at(10, 30), at(11, 0))
    );
}

/// The submit's clip and the review's preview (`CampaignForm::schedule_at`) are one
/// function: at a clock with seconds both send and show the same start, rounded up to the
/// whole minute (09:45:00, not 09:44:41.101).
#[test]
fn the_submit_sends_the_rounded_start_the_preview_shows() {
    let tz: Tz = "America/New_York".parse().unwrap();
    let utc = |h, m, s| chrono::Utc.with_ymd_and_hms(2026, 12, 3, h, m, s).unwrap();
    let window = |a, b| campaign::ScheduleWindow { start: a, end: b };
    let form = campaign::CampaignForm::new(
        campaign::NamedRef {
            id: "q1".into(),
            name: "Sales".into(),
        },
        NaiveDate::from_ymd_opt(2026, 12, 3).unwrap(),
        tz,
        // 09:00–11:00 and 14:00–15:00 in New York (EST, UTC-5).
        vec![
            window(utc(14, 0, 0), utc(16, 0, 0)),
            window(utc(19, 0, 0), utc(20, 0, 0)),
        ],
    );
    let now = utc(14, 29, 41) + chrono::TimeDelta::milliseconds(101);
    let fifteen = chrono::TimeDelta::minutes(15);
    let shown = form.schedule_at("c1", Some(now), fifteen);
    let sent = clipped(&form.schedule("c1"), "c1", now, fifteen).unwrap();
    assert_eq!(sent.intervals, shown.intervals);
    let day = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
    let at = |h, m| day.and_hms_opt(h, m, 0).unwrap();
    assert_eq!(
        sent.intervals[0],
        ScheduleInterval::from_local(at(9, 45), at(11, 0))
    );
}

#[test]
fn pending_files_are_per_queue_with_safe_names_and_corruption_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let p = PendingStore::new(dir.path());
    assert!(p.path("a/b c").ends_with("pending/a%2Fb%20c.json"));
    assert_eq!(p.load("q1").unwrap(), None);
    std::fs::create_dir_all(dir.path().join("pending")).unwrap();
    std::fs::write(p.path("q1"), b"{").unwrap();
    let e = p.load("q1").unwrap_err();
    assert!(e.contains("is not a pending submission"), "{e}");
}

/// A loopback proxy in front of the sandbox that plays what the sandbox's own faults
/// cannot: a rival who saves the same schedule just before each of ours reaches the
/// sandbox (so ours carries a stale version and gets the 409 Genesys sends when someone
/// else saved in between).
mod interposer {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    use axum::body::{Body, to_bytes};
    use axum::extract::{Request, State};
    use axum::http::{HeaderMap, Method, StatusCode, header};
    use axum::response::Response;

    #[derive(Default)]
    struct Behaviour {
        rival: AtomicBool,
    }

    #[derive(Clone)]
    struct Proxy {
        target: String,
        http: reqwest::Client,
        behaviour: Arc<Behaviour>,
    }

    pub struct Interposer {
        pub base_url: String,
        behaviour: Arc<Behaviour>,
    }

    impl Interposer {
        pub fn rival_saves_schedules(&self, on: bool) {
            self.behaviour.rival.store(on, Ordering::SeqCst);
        }
    }

    /// Serves on a free loopback port.
    pub async fn start(target: String) -> Interposer {
        let behaviour = Arc::new(Behaviour::default());
        let proxy = Proxy {
            target,
            http: reqwest::Client::new(),
            behaviour: behaviour.clone(),
        };
        let app = axum::Router::new().fallback(forward).with_state(proxy);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Interposer {
            base_url: format!("http://{addr}"),
            behaviour,
        }
    }

    async fn forward(State(p): State<Proxy>, req: Request) -> Response {
        let method = req.method().clone();
        let path = req
            .uri()
            .path_and_query()
            .map_or("/".to_string(), |x| x.to_string());
        let headers = req.headers().clone();
        let body = to_bytes(req.into_body(), usize::MAX).await.unwrap();
        let url = format!("{}{path}", p.target);
        if p.behaviour.rival.load(Ordering::SeqCst)
            && method == Method::PUT
            && path.starts_with("/api/v2/outbound/schedules/campaigns/")
        {
            rival_saves(&p, &url, &headers, &body).await;
        }
        let resp = send(&p, method.clone(), &url, &headers, body.to_vec()).await;
        let status = resp.status().as_u16();
        let mut out = Response::builder().status(status);
        for name in ["content-type", "retry-after", "inin-correlation-id"] {
            if let Some(v) = resp.headers().get(name) {
                out = out.header(name, v.as_bytes());
            }
        }
        let bytes = resp.bytes().await.unwrap();
        out.body(Body::from(bytes)).unwrap()
    }

    async fn send(
        p: &Proxy,
        method: Method,
        url: &str,
        headers: &HeaderMap,
        body: Vec<u8>,
    ) -> reqwest::Response {
        let method = reqwest::Method::from_bytes(method.as_str().as_bytes()).unwrap();
        let mut rb = p.http.request(method, url).body(body);
        for name in [header::AUTHORIZATION, header::CONTENT_TYPE] {
            if let Some(v) = headers.get(&name) {
                rb = rb.header(name.as_str(), v.as_bytes());
            }
        }
        rb.send().await.unwrap()
    }

    /// The rival: our body, with whatever version the sandbox holds now.
    async fn rival_saves(p: &Proxy, url: &str, headers: &HeaderMap, body: &[u8]) {
        let current = send(p, Method::GET, url, headers, Vec::new()).await;
        let version = if current.status() == StatusCode::OK {
            let v: serde_json::Value = current.json().await.unwrap();
            v.get("version").cloned()
        } else {
            None
        };
        let mut mine: serde_json::Value = serde_json::from_slice(body).unwrap();
        match version {
            Some(v) => mine["version"] = v,
            None => {
                mine.as_object_mut().unwrap().remove("version");
            }
        }
        let saved = send(p, Method::PUT, url, headers, mine.to_string().into_bytes()).await;
        assert_eq!(saved.status(), StatusCode::OK, "the rival's save");
    }
}
