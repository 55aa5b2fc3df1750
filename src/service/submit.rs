//! Submitting a campaign draft: create the campaign once, then PUT its schedule.
//!
//! A create that got no answer may still have happened, so it is never simply repeated: the
//! campaign is looked up by name first (right after the timeout, and before the next try when
//! the analyst submits again). A campaign whose schedule failed is not created again either:
//! the next try only PUTs the schedule.

use std::time::Duration;

use crate::genesys::{Campaign, CampaignSchedule, DomainEntityRef, GenesysClient, GenesysError};

/// How long a campaign create may take before its outcome counts as unknown.
pub const CREATE_TIMEOUT: Duration = Duration::from_secs(30);

/// One submit attempt, with what is already known from earlier attempts.
#[derive(Debug, Clone, PartialEq)]
pub struct SubmitRequest {
    /// The `POST /api/v2/outbound/campaigns` body, exactly as the review showed it.
    pub campaign: Campaign,
    /// The schedule to PUT once the campaign exists; its `campaign.id` is set then.
    pub schedule: CampaignSchedule,
    /// Set after a create timed out: look the campaign up by name before creating again.
    pub lookup_by_name_first: bool,
    /// Set when the campaign exists already (id, self URI): only PUT the schedule.
    pub existing: Option<(String, String)>,
}

/// How a submit ended, as seen on the wire.
#[derive(Debug, Clone, PartialEq)]
pub enum SubmitOutcome {
    /// Campaign created (or found by name after a timeout) and its schedule stored.
    Done { id: String, self_uri: String },
    /// The campaign exists but its schedule failed; a retry only PUTs the schedule.
    ScheduleFailed {
        id: String,
        self_uri: String,
        error: ApiFailure,
    },
    /// Nothing is known to exist. `timed_out` means the create may have happened anyway.
    Failed { error: ApiFailure, timed_out: bool },
}

/// An API error as shown to the analyst: message plus the id support asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiFailure {
    pub message: String,
    pub correlation_id: Option<String>,
}

impl From<&GenesysError> for ApiFailure {
    fn from(e: &GenesysError) -> Self {
        Self {
            message: e.to_string(),
            correlation_id: e.correlation_id().map(str::to_string),
        }
    }
}

/// Creates the campaign (never twice) and puts its schedule. `create_timeout` bounds the
/// create alone ([`CREATE_TIMEOUT`] in the product; tests shorten it).
pub async fn submit(
    client: &GenesysClient,
    req: SubmitRequest,
    create_timeout: Duration,
) -> SubmitOutcome {
    let (id, self_uri) = match req.existing.clone() {
        Some(existing) => existing,
        None => match create_once(client, &req, create_timeout).await {
            Ok(v) => v,
            Err(outcome) => return outcome,
        },
    };
    let schedule = CampaignSchedule {
        campaign: DomainEntityRef::new(id.clone()),
        ..req.schedule
    };
    match client.put_campaign_schedule(&schedule).await {
        Ok(_) => SubmitOutcome::Done { id, self_uri },
        Err(e) => SubmitOutcome::ScheduleFailed {
            id,
            self_uri,
            error: ApiFailure::from(&e),
        },
    }
}

/// The campaign named exactly `name`, as (id, self URI). A failed lookup reads as not found.
async fn find_by_name(client: &GenesysClient, name: &str) -> Option<(String, String)> {
    let found = client.list_campaigns(Some(name)).await.ok()?;
    found.into_iter().find(|c| c.name == name).and_then(|c| {
        let id = c.id?;
        let uri = c.self_uri.unwrap_or_else(|| campaign_uri(&id));
        Some((id, uri))
    })
}

fn campaign_uri(id: &str) -> String {
    format!("/api/v2/outbound/campaigns/{id}")
}

async fn create_once(
    client: &GenesysClient,
    req: &SubmitRequest,
    create_timeout: Duration,
) -> Result<(String, String), SubmitOutcome> {
    let name = req.campaign.name.as_str();
    if req.lookup_by_name_first
        && let Some(found) = find_by_name(client, name).await
    {
        tracing::info!("campaign {name:?} already exists; not creating it again");
        return Ok(found);
    }
    let created = tokio::time::timeout(create_timeout, client.create_campaign(&req.campaign)).await;
    match created {
        Ok(Ok(c)) => {
            let id = c.id.unwrap_or_default();
            let uri = c.self_uri.unwrap_or_else(|| campaign_uri(&id));
            Ok((id, uri))
        }
        Ok(Err(e)) => {
            // No response at all: the server may still have created it.
            let uncertain = matches!(e, GenesysError::Transport { .. });
            if uncertain && let Some(found) = find_by_name(client, name).await {
                return Ok(found);
            }
            Err(SubmitOutcome::Failed {
                error: ApiFailure::from(&e),
                timed_out: uncertain,
            })
        }
        Err(_) => {
            if let Some(found) = find_by_name(client, name).await {
                return Ok(found);
            }
            Err(SubmitOutcome::Failed {
                error: ApiFailure {
                    message: format!(
                        "no answer within {}; the campaign was not found by name, so submitting again is safe",
                        seconds(create_timeout)
                    ),
                    correlation_id: None,
                },
                timed_out: true,
            })
        }
    }
}

/// `30 s`, or `50 ms` when it is not whole seconds.
fn seconds(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}

#[cfg(test)]
mod tests {
    //! Against the real sandbox on loopback; the faults are the sandbox's own.

    use chrono::NaiveDate;

    use super::*;
    use crate::genesys::{ClientSettings, DialingMode, PhoneColumn, ScheduleInterval};
    use crate::sandbox::{self, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Faults, SandboxHandle};

    const NAME: &str = "Bikeshare quiet hours 2026-11-20";

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
        let at = |h| {
            NaiveDate::from_ymd_opt(2026, 11, 23)
                .unwrap()
                .and_hms_opt(h, 0, 0)
                .unwrap()
        };
        let schedule = CampaignSchedule {
            id: None,
            name: None,
            version: None,
            intervals: vec![ScheduleInterval::from_local(at(9), at(11))],
            recurrences: None,
            time_zone: Some("America/New_York".into()),
            campaign: DomainEntityRef::new(""),
            self_uri: None,
        };
        SubmitRequest {
            campaign,
            schedule,
            lookup_by_name_first: false,
            existing: None,
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
        let SubmitOutcome::Done { id, self_uri } = submit(&c, req.clone(), CREATE_TIMEOUT).await
        else {
            panic!("not done")
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

    #[tokio::test]
    async fn a_5xx_on_create_fails_for_sure_and_creates_nothing() {
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
            schedule: request_schedule(),
            lookup_by_name_first: false,
            existing: None,
        };
        let out = submit(&c, req, CREATE_TIMEOUT).await;
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

    fn request_schedule() -> CampaignSchedule {
        CampaignSchedule {
            id: None,
            name: None,
            version: None,
            intervals: vec![ScheduleInterval {
                start: "2026-11-23T09:00:00.000".into(),
                end: "2026-11-23T11:00:00.000".into(),
            }],
            recurrences: None,
            time_zone: Some("America/New_York".into()),
            campaign: DomainEntityRef::new(""),
            self_uri: None,
        }
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
        let out = submit(&c, req, CREATE_TIMEOUT).await;
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
        let out = submit(&c, req.clone(), CREATE_TIMEOUT).await;
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
            ..req
        };
        let out = submit(&c, retry, CREATE_TIMEOUT).await;
        assert!(
            matches!(&out, SubmitOutcome::Done { id: done, .. } if *done == id),
            "{out:?}"
        );
        assert_eq!(listed(&c).await.len(), 1, "still exactly one campaign");
        assert_eq!(sb.campaigns().len(), 1);
        let stored = c.get_campaign_schedule(&id).await.unwrap().unwrap();
        assert_eq!(stored.intervals[0].start, "2026-11-23T09:00:00.000");
        sb.shutdown().await;
    }

    #[tokio::test]
    async fn a_create_slower_than_the_timeout_is_looked_up_and_not_found_then_made_once() {
        // Every answer takes 250 ms; the create may take 50 ms. The client hangs up first,
        // so the sandbox never stores it, and the lookup right after finds nothing.
        let sb = sandbox_with(Faults {
            latency: Duration::from_millis(250),
            ..Faults::default()
        })
        .await;
        let c = client_for(&sb.base_url());
        let req = request(&sb, &c).await;
        let out = submit(&c, req.clone(), Duration::from_millis(50)).await;
        let SubmitOutcome::Failed { error, timed_out } = out else {
            panic!("{out:?}")
        };
        assert!(timed_out, "the outcome is unknown");
        assert_eq!(
            error.message,
            "no answer within 50 ms; the campaign was not found by name, so submitting again is safe"
        );
        assert!(listed(&c).await.is_empty());
        // The next try (as the dashboard sends it after a timeout) looks up first, then creates.
        let retry = SubmitRequest {
            lookup_by_name_first: true,
            ..req
        };
        let out = submit(&c, retry, CREATE_TIMEOUT).await;
        assert!(matches!(out, SubmitOutcome::Done { .. }), "{out:?}");
        assert_eq!(listed(&c).await.len(), 1, "exactly one campaign");
        sb.shutdown().await;
    }

    #[tokio::test]
    async fn a_create_whose_answer_is_lost_is_found_by_name_not_made_twice() {
        // The sandbox stores the campaign at once; its answer reaches us after the timeout.
        let sb = sandbox_with(Faults::default()).await;
        let proxy = interposer::start(sb.base_url()).await;
        let c = client_for(&proxy.base_url);
        let req = request(&sb, &c).await;
        proxy.delay_create_answers(Duration::from_secs(2));
        let out = submit(&c, req.clone(), Duration::from_millis(100)).await;
        let SubmitOutcome::Done { id, .. } = out else {
            panic!("{out:?}")
        };
        let found = listed(&c).await;
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].id.as_deref(),
            Some(id.as_str()),
            "the one the lookup found"
        );
        assert!(sb.schedule(&id).is_some(), "and its schedule was put");
        // Submitting again after an unknown outcome finds it too, and creates nothing.
        let again = SubmitRequest {
            lookup_by_name_first: true,
            ..req
        };
        let out = submit(&c, again, Duration::from_millis(100)).await;
        assert!(
            matches!(&out, SubmitOutcome::Done { id: same, .. } if *same == id),
            "{out:?}"
        );
        assert_eq!(sb.campaigns().len(), 1);
        sb.shutdown().await;
    }

    /// A loopback proxy in front of the sandbox that plays what the sandbox's own faults
    /// cannot: a rival who saves the same schedule just before each of ours reaches the
    /// sandbox (so ours carries a stale version and gets the 409 Genesys sends when someone
    /// else saved in between), and a create whose answer is held back after the sandbox
    /// stored it.
    mod interposer {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
        use std::time::Duration;

        use axum::body::{Body, to_bytes};
        use axum::extract::{Request, State};
        use axum::http::{HeaderMap, Method, StatusCode, header};
        use axum::response::Response;

        #[derive(Default)]
        struct Behaviour {
            rival: AtomicBool,
            create_delay_ms: AtomicU64,
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

            pub fn delay_create_answers(&self, by: Duration) {
                let ms = u64::try_from(by.as_millis()).unwrap();
                self.behaviour.create_delay_ms.store(ms, Ordering::SeqCst);
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
            let b = &p.behaviour;
            if b.rival.load(Ordering::SeqCst)
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
            let delay = b.create_delay_ms.load(Ordering::SeqCst);
            if method == Method::POST && path == "/api/v2/outbound/campaigns" && delay > 0 {
                tokio::time::sleep(Duration::from_millis(delay)).await;
            }
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
}
