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

use crate::campaign::{self, MIN_WINDOW, ScheduleWindow, clip_windows};
use crate::fsutil::{WriteError, create_parent_dir, write_atomic};
use crate::genesys::{Campaign, CampaignSchedule, GenesysClient, GenesysError, RestErrorDetail};

/// How long a campaign create may take before its outcome counts as unknown.
pub const CREATE_TIMEOUT: Duration = Duration::from_secs(30);

/// The time limits of one submit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// How soon a scheduled window may start (`[campaign] schedule_margin_min`): earlier
    /// windows are clipped to start then.
    pub schedule_margin: chrono::TimeDelta,
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

impl Timeouts {
    /// The defaults with the configured schedule margin.
    pub fn from_config(config: &crate::config::Config) -> Self {
        Self {
            schedule_margin: config.campaign.schedule_margin(),
            ..Self::default()
        }
    }
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            schedule_margin: chrono::TimeDelta::seconds(
                (crate::config::DEFAULT_SCHEDULE_MARGIN_MIN * 60.0) as i64,
            ),
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
    /// A true draft: create the campaign and attach no schedule, so it stays `off` and never
    /// dials; a later submit with `existing` set attaches the schedule to this same campaign.
    #[serde(default)]
    pub without_schedule: bool,
}

/// How a submit ended, as seen on the wire.
#[derive(Debug, Clone, PartialEq)]
pub enum SubmitOutcome {
    /// Campaign created (or found by name after an ambiguous create) and, unless the request
    /// was `without_schedule`, its schedule stored (`scheduled`). `errors`: the campaign's
    /// own `errors[]` as Genesys last reported them (read back after the schedule).
    Done {
        id: String,
        self_uri: String,
        scheduled: bool,
        errors: Vec<RestErrorDetail>,
    },
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
    let Found {
        id,
        self_uri,
        errors,
    } = match req.existing.clone() {
        Some((id, self_uri)) => Found {
            id,
            self_uri,
            errors: Vec::new(),
        },
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
    if req.without_schedule && req.existing.is_none() {
        if let Some(p) = pending {
            p.clear(&queue);
        }
        return SubmitOutcome::Done {
            id,
            self_uri,
            scheduled: false,
            errors,
        };
    }
    journal(&SubmitRequest {
        existing: Some((id.clone(), self_uri.clone())),
        lookup_by_name_first: false,
        check_only: false,
        ..req.clone()
    });
    let schedule = match clipped(&req.schedule, &id, Utc::now(), timeouts.schedule_margin) {
        Ok(s) => s,
        Err(message) => {
            return SubmitOutcome::ScheduleFailed {
                id,
                self_uri,
                error: ApiFailure::text(message),
            };
        }
    };
    if let Err(e) = client.put_campaign_schedule(&schedule).await {
        return SubmitOutcome::ScheduleFailed {
            id,
            self_uri,
            error: ApiFailure::from(&e),
        };
    }
    if let Some(p) = pending {
        p.clear(&queue);
    }
    let errors = errors_now(client, &id, timeouts.lookup)
        .await
        .unwrap_or(errors);
    SubmitOutcome::Done {
        id,
        self_uri,
        scheduled: true,
        errors,
    }
}

/// A campaign that exists: its id, self URI and the `errors[]` it came with.
struct Found {
    id: String,
    self_uri: String,
    errors: Vec<RestErrorDetail>,
}

impl Found {
    fn of(c: Campaign) -> Option<Self> {
        let id = c.id?;
        Some(Self {
            self_uri: c.self_uri.unwrap_or_else(|| campaign_uri(&id)),
            errors: c.errors.unwrap_or_default(),
            id,
        })
    }
}

/// The campaign's `errors[]` as `GET /api/v2/outbound/campaigns/{id}` reports them now (a
/// schedule may change them); `None` when the read fails or is slow: the submit is done
/// either way, so it only keeps the create's list.
async fn errors_now(
    client: &GenesysClient,
    id: &str,
    limit: Duration,
) -> Option<Vec<RestErrorDetail>> {
    match tokio::time::timeout(limit, client.get_campaign(id)).await {
        Ok(Ok(c)) => Some(c.errors.unwrap_or_default()),
        Ok(Err(e)) => {
            tracing::warn!("cannot read campaign {id} back: {e}");
            None
        }
        Err(_) => None,
    }
}

/// The schedule for campaign `id` as it can still be sent at `now`: intervals clipped so none
/// starts before now plus `margin` (Genesys refuses a start in the past), those left shorter
/// than [`MIN_WINDOW`] dropped; an error when none is left.
fn clipped(
    s: &CampaignSchedule,
    id: &str,
    now: DateTime<Utc>,
    margin: chrono::TimeDelta,
) -> Result<CampaignSchedule, String> {
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
    let kept = clip_windows(&windows, now, margin, MIN_WINDOW);
    if kept.is_empty() {
        return Err(format!(
            "no window is left to schedule: every selected window ends before {} {zone} plus \
             the {}-minute margin ([campaign] schedule_margin_min); select later windows and \
             submit again",
            now.with_timezone(&tz).format("%a %m-%d %H:%M"),
            margin.num_minutes()
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
) -> Result<Option<Found>, ApiFailure> {
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
    Ok(found
        .into_iter()
        .find(|c| c.name == name)
        .and_then(Found::of))
}

/// Looks the campaign up until a lookup answers or the budget is spent; the last failure
/// when none answered.
async fn lookup_until_answered(
    client: &GenesysClient,
    name: &str,
    t: &Timeouts,
) -> Result<Option<Found>, ApiFailure> {
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
) -> Result<Found, SubmitOutcome> {
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
            return Ok(Found {
                self_uri: c.self_uri.unwrap_or_else(|| campaign_uri(&id)),
                errors: c.errors.unwrap_or_default(),
                id,
            });
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
mod tests;
