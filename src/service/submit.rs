//! Submitting a campaign draft: create the campaign once, then PUT its schedule.
//!
//! A create that got no sure answer (our timeout, a connection reset, a 500/502/504 after the
//! body was sent) may still have happened: Genesys finishes a create whose client hung up. So
//! it is never simply repeated. The campaign is looked up by its exact name (which carries a
//! per-submission marker, see `campaign::CampaignForm::marker`), and only a lookup that
//! *succeeded* may say "not found"; a lookup that failed or was too slow leaves the outcome
//! [`SubmitOutcome::Unknown`], and nothing but another lookup ("check again") is sent until one
//! answers. A campaign whose schedule failed is not created again either: the next try only
//! PUTs the schedule.
//!
//! The request is written to the data dir before the create is sent ([`PendingStore`]), and
//! removed only once the outcome is known, so a crash or a restart mid-create finds it and
//! checks again instead of creating a second campaign.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::campaign::{self, MIN_WINDOW, SCHEDULE_MARGIN, ScheduleWindow, clip_windows};
use crate::fsutil::{WriteError, create_parent_dir, write_atomic};
use crate::genesys::{Campaign, CampaignSchedule, GenesysClient, GenesysError};

/// How long a campaign create may take before its outcome counts as unknown.
pub const CREATE_TIMEOUT: Duration = Duration::from_secs(30);

/// The time limits of one submit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// The create alone; after it the outcome is unknown until a lookup answers.
    pub create: Duration,
    /// One lookup by name (the client's own retries included); a slower one counts as failed.
    pub lookup: Duration,
    /// No new lookup starts after this much time (so all of them end within it plus one
    /// `lookup`); then the outcome stays unknown.
    pub lookup_budget: Duration,
    /// The pause between two lookups.
    pub lookup_pause: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            create: CREATE_TIMEOUT,
            lookup: Duration::from_secs(15),
            lookup_budget: Duration::from_secs(60),
            lookup_pause: Duration::from_secs(2),
        }
    }
}

/// One submit attempt, with what is already known from earlier attempts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmitRequest {
    /// The `POST /api/v2/outbound/campaigns` body, exactly as the review showed it.
    pub campaign: Campaign,
    /// The schedule to PUT once the campaign exists; its `campaign.id` is set then.
    pub schedule: CampaignSchedule,
    /// Set after an ambiguous create: look the campaign up by name before creating again.
    pub lookup_by_name_first: bool,
    /// Set when the campaign exists already (id, self URI): only PUT the schedule.
    pub existing: Option<(String, String)>,
    /// "Check again": only look the campaign up (and PUT its schedule if found); never create.
    #[serde(default)]
    pub check_only: bool,
}

/// How a submit ended, as seen on the wire.
#[derive(Debug, Clone, PartialEq)]
pub enum SubmitOutcome {
    /// Campaign created (or found by name after an ambiguous create) and its schedule stored.
    Done { id: String, self_uri: String },
    /// The campaign exists but its schedule failed; a retry only PUTs the schedule.
    ScheduleFailed {
        id: String,
        self_uri: String,
        error: ApiFailure,
    },
    /// Nothing exists. `timed_out`: the create was ambiguous, but a lookup that answered found
    /// no campaign of this name, so the next submit looks it up first and then creates.
    Failed { error: ApiFailure, timed_out: bool },
    /// The create was ambiguous and no lookup has answered yet: the campaign may or may not
    /// exist. Only a lookup ("check again") may be sent; never a create.
    Unknown { error: ApiFailure },
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

impl ApiFailure {
    fn text(message: String) -> Self {
        Self {
            message,
            correlation_id: None,
        }
    }
}

/// The submissions whose outcome is not known yet, one JSON file per queue under
/// `<data dir>/pending/`, written atomically.
#[derive(Debug, Clone)]
pub struct PendingStore {
    dir: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct PendingFile {
    version: u32,
    request: SubmitRequest,
}

impl PendingStore {
    pub fn new(data_dir: &Path) -> Self {
        Self {
            dir: data_dir.join("pending"),
        }
    }

    /// The file of the submission for queue `queue_id` (ids escaped into a safe file name).
    pub fn path(&self, queue_id: &str) -> PathBuf {
        let name: String = queue_id
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        self.dir.join(format!("{name}.json"))
    }

    /// Records `req` (for the queue its campaign dials for) before anything is sent.
    pub fn save(&self, req: &SubmitRequest) -> Result<(), WriteError> {
        let path = self.path(&queue_of(req));
        let doc = PendingFile {
            version: 1,
            request: req.clone(),
        };
        let bytes = serde_json::to_vec_pretty(&doc).unwrap_or_default();
        create_parent_dir(&path)?;
        write_atomic(&path, &bytes)
    }

    /// The pending submission of `queue_id`, if any. An unreadable file is reported, never
    /// taken for "nothing pending".
    pub fn load(&self, queue_id: &str) -> Result<Option<SubmitRequest>, String> {
        let path = self.path(queue_id);
        match std::fs::read(&path) {
            Ok(b) => serde_json::from_slice::<PendingFile>(&b)
                .map(|d| Some(d.request))
                .map_err(|e| {
                    format!(
                        "{} is not a pending submission ({e}); check Genesys Cloud for the \
                         campaign before deleting it",
                        path.display()
                    )
                }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    /// Forgets the submission of `queue_id` (its outcome is known).
    pub fn clear(&self, queue_id: &str) {
        let path = self.path(queue_id);
        if let Err(e) = std::fs::remove_file(&path)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!("cannot remove {}: {e}", path.display());
        }
    }
}

fn queue_of(req: &SubmitRequest) -> String {
    req.campaign
        .queue
        .as_ref()
        .map(|q| q.id.clone())
        .unwrap_or_default()
}

/// Creates the campaign (never twice) and puts its schedule, recording the submission in
/// `pending` (when given) until its outcome is known.
pub async fn submit(
    client: &GenesysClient,
    req: SubmitRequest,
    timeouts: &Timeouts,
    pending: Option<&PendingStore>,
) -> SubmitOutcome {
    let journal = |r: &SubmitRequest| {
        if let Some(p) = pending
            && let Err(e) = p.save(r)
        {
            tracing::warn!("cannot record the pending submission: {e}");
        }
    };
    let queue = queue_of(&req);
    let (id, self_uri) = match req.existing.clone() {
        Some(existing) => existing,
        None => {
            journal(&req);
            match create_once(client, &req, timeouts).await {
                Ok(v) => v,
                Err(outcome) => {
                    if !matches!(outcome, SubmitOutcome::Unknown { .. })
                        && let Some(p) = pending
                    {
                        p.clear(&queue);
                    }
                    return outcome;
                }
            }
        }
    };
    journal(&SubmitRequest {
        existing: Some((id.clone(), self_uri.clone())),
        lookup_by_name_first: false,
        check_only: false,
        ..req.clone()
    });
    let schedule = match clipped(&req.schedule, &id, Utc::now()) {
        Ok(s) => s,
        Err(message) => {
            return SubmitOutcome::ScheduleFailed {
                id,
                self_uri,
                error: ApiFailure::text(message),
            };
        }
    };
    let out = match client.put_campaign_schedule(&schedule).await {
        Ok(_) => SubmitOutcome::Done { id, self_uri },
        Err(e) => SubmitOutcome::ScheduleFailed {
            id,
            self_uri,
            error: ApiFailure::from(&e),
        },
    };
    if matches!(out, SubmitOutcome::Done { .. })
        && let Some(p) = pending
    {
        p.clear(&queue);
    }
    out
}

/// The schedule for campaign `id` as it can still be sent at `now`: intervals clipped so none
/// starts before now plus [`SCHEDULE_MARGIN`] (Genesys refuses a start in the past), those
/// left shorter than [`MIN_WINDOW`] dropped; an error when none is left.
fn clipped(s: &CampaignSchedule, id: &str, now: DateTime<Utc>) -> Result<CampaignSchedule, String> {
    let zone = s.time_zone.as_deref().unwrap_or("UTC");
    let tz: Tz = zone
        .parse()
        .map_err(|_| format!("the schedule's time zone {zone:?} is not an IANA zone name"))?;
    let windows: Vec<ScheduleWindow> = s
        .intervals
        .iter()
        .filter_map(|iv| {
            let (a, b) = iv.to_local()?;
            let at = |t| {
                tz.from_local_datetime(&t)
                    .earliest()
                    .map(|t| t.with_timezone(&Utc))
            };
            Some(ScheduleWindow {
                start: at(a)?,
                end: at(b)?,
            })
        })
        .collect();
    let kept = clip_windows(&windows, now, SCHEDULE_MARGIN, MIN_WINDOW);
    if kept.is_empty() {
        return Err(format!(
            "no window is left to schedule: every selected window ends before {} {zone} plus \
             the {}-minute margin; select later windows and submit again",
            now.with_timezone(&tz).format("%a %m-%d %H:%M"),
            SCHEDULE_MARGIN.num_minutes()
        ));
    }
    Ok(CampaignSchedule {
        recurrences: s.recurrences.clone(),
        ..campaign::schedule(id, tz, &kept)
    })
}

/// The campaign named exactly `name`, as (id, self URI); `Ok(None)` only when the lookup
/// answered and no campaign has that name.
async fn find_by_name(
    client: &GenesysClient,
    name: &str,
    limit: Duration,
) -> Result<Option<(String, String)>, ApiFailure> {
    let found = match tokio::time::timeout(limit, client.list_campaigns(Some(name))).await {
        Ok(Ok(found)) => found,
        Ok(Err(e)) => return Err(ApiFailure::from(&e)),
        Err(_) => {
            return Err(ApiFailure::text(format!(
                "the lookup by name got no answer within {}",
                seconds(limit)
            )));
        }
    };
    Ok(found.into_iter().find(|c| c.name == name).and_then(|c| {
        let id = c.id?;
        let uri = c.self_uri.unwrap_or_else(|| campaign_uri(&id));
        Some((id, uri))
    }))
}

/// Looks the campaign up until a lookup answers or the budget is spent; the last failure
/// when none answered.
async fn lookup_until_answered(
    client: &GenesysClient,
    name: &str,
    t: &Timeouts,
) -> Result<Option<(String, String)>, ApiFailure> {
    let deadline = tokio::time::Instant::now() + t.lookup_budget;
    let mut tries = 0u32;
    loop {
        tries += 1;
        match find_by_name(client, name, t.lookup).await {
            Ok(found) => return Ok(found),
            Err(e) => {
                tracing::warn!(tries, "campaign lookup failed: {}", e.message);
                let now = tokio::time::Instant::now();
                if now + t.lookup_pause >= deadline {
                    return Err(ApiFailure {
                        message: format!("{} (after {tries} lookup(s))", e.message),
                        ..e
                    });
                }
                tokio::time::sleep(t.lookup_pause).await;
            }
        }
    }
}

fn campaign_uri(id: &str) -> String {
    format!("/api/v2/outbound/campaigns/{id}")
}

/// Why a create's outcome is unknown, or `None` when the answer is sure (a 4xx, a 503/429
/// the server sends before acting, or a success).
fn ambiguous(e: &GenesysError) -> bool {
    matches!(e, GenesysError::Transport { .. }) || matches!(e.status(), Some(500 | 502 | 504))
}

async fn create_once(
    client: &GenesysClient,
    req: &SubmitRequest,
    t: &Timeouts,
) -> Result<(String, String), SubmitOutcome> {
    let name = req.campaign.name.as_str();
    if req.lookup_by_name_first || req.check_only {
        match lookup_until_answered(client, name, t).await {
            Ok(Some(found)) => {
                tracing::info!("campaign {name:?} exists; not creating it again");
                return Ok(found);
            }
            Ok(None) if req.check_only => {
                return Err(SubmitOutcome::Failed {
                    error: ApiFailure::text(format!(
                        "checked: no campaign named {name:?} exists, so submitting again is safe"
                    )),
                    timed_out: true,
                });
            }
            Ok(None) => {}
            Err(e) => return Err(unknown(name, &e)),
        }
    }
    let created = tokio::time::timeout(t.create, client.create_campaign(&req.campaign)).await;
    let why = match created {
        Ok(Ok(c)) => {
            let id = c.id.unwrap_or_default();
            let uri = c.self_uri.unwrap_or_else(|| campaign_uri(&id));
            return Ok((id, uri));
        }
        Ok(Err(e)) if ambiguous(&e) => ApiFailure::from(&e),
        Ok(Err(e)) => {
            return Err(SubmitOutcome::Failed {
                error: ApiFailure::from(&e),
                timed_out: false,
            });
        }
        Err(_) => ApiFailure::text(format!(
            "the create got no answer within {}",
            seconds(t.create)
        )),
    };
    match lookup_until_answered(client, name, t).await {
        Ok(Some(found)) => Ok(found),
        Ok(None) => Err(SubmitOutcome::Failed {
            error: ApiFailure {
                message: format!(
                    "{}; a lookup found no campaign named {name:?}, so submitting again is safe \
                     (it looks the name up again first)",
                    why.message
                ),
                ..why
            },
            timed_out: true,
        }),
        Err(e) => Err(unknown(
            name,
            &ApiFailure {
                message: format!("{}; {}", why.message, e.message),
                ..e
            },
        )),
    }
}

fn unknown(name: &str, e: &ApiFailure) -> SubmitOutcome {
    SubmitOutcome::Unknown {
        error: ApiFailure {
            message: format!(
                "unknown whether campaign {name:?} was created: {}. Nothing more is created \
                 until a lookup answers: check again",
                e.message
            ),
            correlation_id: e.correlation_id.clone(),
        },
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

    use chrono::{Datelike, NaiveDate};
    use chrono_tz::Tz;

    use super::*;
    use crate::genesys::{
        ClientSettings, DialingMode, DomainEntityRef, PhoneColumn, ScheduleInterval,
    };
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
        let SubmitOutcome::Done { id, self_uri } = out else {
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
        let out = clipped(&s, "c1", now).unwrap();
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
        let e = clipped(&s, "c1", late).unwrap_err();
        assert!(e.starts_with("no window is left to schedule: every selected window ends before Thu 12-03 14:50 America/New_York plus the 15-minute margin"), "{e}");
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
}
