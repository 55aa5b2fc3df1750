//! The client: one shared `reqwest::Client` and one token cache, and the retry loop that
//! sends a call once ([`transport::send_once`]), asks [`Retry::decide`] what next, and sleeps,
//! refreshes the token or returns. Bearer auth with one refresh on 401, `Retry-After` on 429,
//! capped exponential backoff with jitter on 5xx and connection errors, all inside one total
//! deadline per call (and, for part of a request that already failed, a shorter budget for
//! failures that throttle waits do not spend), typed errors with the correlation id, and
//! path-naming decode errors.

use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use serde::de::DeserializeOwned;

use super::auth::{self, IssuedToken, TokenCache};
use super::error::GenesysError;
use super::models::{EntityListing, Organization};
use super::retry::{Budget, Decision, Failure, GiveUp, Outcome, Retry, RetryPolicy, backoff};
use super::secret::Secret;
use super::settings::ClientSettings;
use super::transport::{self, Auth, Call, Credential, Response};

/// Listings are fetched at the largest page size the outbound endpoints document.
pub(crate) const PAGE_SIZE: u32 = 100;
/// Stops a server that always reports another page from looping forever.
const MAX_PAGES: u32 = 10_000;

/// Genesys Cloud Platform API v2 client. Cheap to clone: all clones share one connection
/// pool and one token cache.
#[derive(Clone)]
pub struct GenesysClient {
    inner: Arc<Inner>,
    /// Named in this clone's retry reports ([`Self::tagged`]).
    tag: Option<u64>,
    /// This clone's budget for failures per call, when shorter than the settings' deadline
    /// ([`Self::failures_within`]).
    failure_deadline: Option<Duration>,
}

/// Called before every retry wait (see [`GenesysClient::on_retry`]).
type RetryWatch = Box<dyn Fn(&RetryNotice) + Send + Sync>;
/// Called when a call that waited for a retry ends (see [`GenesysClient::on_retry_over`]).
type RetryOverWatch = Box<dyn Fn(Option<u64>) + Send + Sync>;

struct Inner {
    http: reqwest::Client,
    settings: ClientSettings,
    tokens: TokenCache,
    retry_watch: std::sync::OnceLock<RetryWatch>,
    retry_over_watch: std::sync::OnceLock<RetryOverWatch>,
}

impl std::fmt::Debug for GenesysClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GenesysClient")
            .field("api_base", &self.inner.settings.api_base)
            .finish_non_exhaustive()
    }
}

impl GenesysClient {
    pub fn new(settings: ClientSettings) -> Result<Self, GenesysError> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("queuecast/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.request_timeout)
            .build()
            .map_err(|e| GenesysError::Setup(e.to_string()))?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                settings,
                tokens: TokenCache::default(),
                retry_watch: std::sync::OnceLock::new(),
                retry_over_watch: std::sync::OnceLock::new(),
            }),
            tag: None,
            failure_deadline: None,
        })
    }

    /// The same client (pool, token, watchers) whose retry reports carry `tag`: a dashboard
    /// gives each background job its own, so a job's answer clears only its own notice.
    pub fn tagged(&self, tag: u64) -> Self {
        Self {
            tag: Some(tag),
            ..self.clone()
        }
    }

    /// The same client with the time each call spends failing (attempts and backoff waits)
    /// at most `deadline`: for a call whose like already failed for the whole configured
    /// deadline. The waits a 429 asks for are not counted: throttling is the org's rate
    /// limit, not the request's fault, so a throttled call still waits as asked, within the
    /// configured deadline as every call does.
    pub(crate) fn failures_within(&self, deadline: Duration) -> Self {
        Self {
            failure_deadline: Some(deadline.min(self.retry_deadline())),
            ..self.clone()
        }
    }

    /// Total time per call: `genesys.retry_deadline_secs`.
    pub(crate) fn retry_deadline(&self) -> Duration {
        self.inner.settings.retry_deadline
    }

    /// The time per call for failures: the total, or this clone's shorter budget.
    pub(crate) fn failure_deadline(&self) -> Duration {
        self.failure_deadline.unwrap_or(self.retry_deadline())
    }

    /// How long part of a request that already failed for the whole deadline may keep
    /// failing: `ClientSettings::split_deadline`, never more than the deadline.
    pub(crate) fn split_deadline(&self) -> Duration {
        self.inner
            .settings
            .split_deadline
            .min(self.retry_deadline())
    }

    pub fn api_base(&self) -> &str {
        &self.inner.settings.api_base
    }

    /// A bearer call to `path` on this client's API base.
    pub(crate) fn call(&self, method: Method, path: impl Into<String>) -> Call {
        Call::new(&self.inner.settings.api_base, method, path)
    }

    /// The cheapest authenticated call: proves credentials, region and network all work.
    pub async fn organization_me(&self) -> Result<Organization, GenesysError> {
        self.get(self.call(Method::GET, "/api/v2/organizations/me"))
            .await
    }

    /// GET + decode.
    pub(crate) async fn get<T: DeserializeOwned>(&self, call: Call) -> Result<T, GenesysError> {
        self.execute(&call).await?.decode(&call)
    }

    /// Every entity of a paged listing, following `pageNumber` until `pageCount`.
    pub(crate) async fn get_all_pages<T: DeserializeOwned>(
        &self,
        path: &str,
        query: Vec<(&'static str, String)>,
    ) -> Result<Vec<T>, GenesysError> {
        let mut all = Vec::new();
        let mut page = 1;
        loop {
            let mut call = self
                .call(Method::GET, path)
                .query("pageSize", PAGE_SIZE.to_string())
                .query("pageNumber", page.to_string());
            call.query.extend(query.iter().cloned());
            let listing: EntityListing<T> = self.get(call).await?;
            let got = listing.entities.len();
            all.extend(listing.entities);
            let more = match listing.page_count {
                Some(count) => (page as i64) < count as i64,
                None => listing.next_uri.is_some(),
            };
            if !more || got == 0 || page >= MAX_PAGES {
                break;
            }
            page += 1;
        }
        Ok(all)
    }

    /// Sends `call` with auth and retries; returns the body of a 2xx or a typed error. A call
    /// that waited for a retry reports its end, whichever way it ended.
    pub(crate) async fn execute(&self, call: &Call) -> Result<Response, GenesysError> {
        let mut retried = false;
        let result = self.attempts(call, &mut retried).await;
        if retried && let Some(watch) = self.inner.retry_over_watch.get() {
            watch(self.tag);
        }
        result
    }

    async fn attempts(&self, call: &Call, retried: &mut bool) -> Result<Response, GenesysError> {
        let s = &self.inner.settings;
        let policy = policy(s, call, self.retry_deadline(), self.failure_deadline());
        let mut retry = Retry::new(policy, backoff(s));
        let started = std::time::Instant::now();
        // The status of the latest attempt the server answered: an attempt cut off at the
        // deadline after 503s is still a call the server answered with 503, which splitting
        // a group of queues needs to know (`aggregates::split::splittable`).
        let mut answered: Option<u16> = None;
        loop {
            let bearer = match call.auth {
                Auth::Bearer => Some(self.bearer().await?),
                Auth::Basic => None,
            };
            let credential = match &bearer {
                Some(issued) => Credential::Bearer(&issued.token),
                None => Credential::Basic {
                    client_id: &s.client_id,
                    client_secret: &s.client_secret,
                },
            };
            let (left, budget) = retry.left(started.elapsed());
            let send = transport::send_once(&self.inner.http, call, credential, s.max_body_bytes);
            let Ok(attempt) = tokio::time::timeout(left, send).await else {
                let still = match answered {
                    Some(status) => format!("still waiting (the attempt before got HTTP {status})"),
                    None => "still waiting".to_string(),
                };
                let ran_out = (budget, started, retry.retries());
                return Err(self.deadline(call, ran_out, still, answered));
            };
            let outcome = attempt.outcome();
            if let Outcome::Answered { status, .. } = outcome {
                answered = Some(status);
            }
            match retry.decide_within(&outcome, started.elapsed()) {
                Decision::Retry(delay) => {
                    *retried = true;
                    log_retry(call, &outcome, delay);
                    let left = retry.left(started.elapsed() + delay).0;
                    self.report_retry(call, &outcome, retry.retries(), delay, left);
                    tokio::time::sleep(delay).await;
                }
                Decision::GiveUp(GiveUp::Deadline(budget)) => {
                    let (last, status) = match attempt.into_result(call, retry.retries()) {
                        Err(e) => (e.to_string(), e.status()),
                        Ok(_) => ("a success".into(), None),
                    };
                    let ran_out = (budget, started, retry.retries());
                    return Err(self.deadline(call, ran_out, last, status));
                }
                Decision::Refresh => {
                    tracing::debug!(method = transport::method_name(&call.method), path = %call.path,
                        "401: refreshing the token once");
                    if let Some(issued) = bearer {
                        self.inner.tokens.invalidate(issued.generation).await;
                    }
                }
                Decision::GiveUp(GiveUp::RetryAfterTooLong { wait, cap }) => {
                    return Err(attempt.retry_after_too_long(call, wait, cap));
                }
                Decision::Accept | Decision::GiveUp(_) => {
                    let result = attempt.into_result(call, retry.retries());
                    return match result {
                        Err(e) if s.access_token.is_some() && e.status() == Some(401) => {
                            Err(e.into_access_token_rejected())
                        }
                        other => other,
                    };
                }
            }
        }
    }

    /// The error of a call that ran out of `budget`, `started` and `retries` retries in.
    fn deadline(
        &self,
        call: &Call,
        (budget, started, retries): (Budget, std::time::Instant, u32),
        last: String,
        last_status: Option<u16>,
    ) -> GenesysError {
        let limit = match budget {
            Budget::Total => self.retry_deadline(),
            Budget::Failures => self.failure_deadline(),
        };
        GenesysError::Deadline {
            method: call.method_name(),
            path: call.path.clone(),
            elapsed_secs: started.elapsed().as_secs(),
            deadline_secs: limit.as_secs(),
            shortened: limit < self.inner.settings.retry_deadline,
            attempts: retries + 1,
            last,
            last_status,
        }
    }

    /// Tells the progress watcher, if any, that a retry is about to wait.
    fn report_retry(
        &self,
        call: &Call,
        outcome: &Outcome,
        retry: u32,
        wait: Duration,
        left: Duration,
    ) {
        let Some(watch) = self.inner.retry_watch.get() else {
            return;
        };
        watch(&RetryNotice {
            tag: self.tag,
            method: call.method_name(),
            path: call.path.clone(),
            cause: match *outcome {
                Outcome::Answered { status, .. } => status.to_string(),
                Outcome::Failed(Failure::Connect) => "cannot connect".into(),
                Outcome::Failed(Failure::Timeout) => "timed out".into(),
                Outcome::Failed(Failure::BodyInterrupted) => "answer cut off".into(),
                Outcome::Failed(Failure::Reset) => "connection reset".into(),
                Outcome::Failed(Failure::Other) => "failed".into(),
            },
            retry,
            wait,
            left,
        });
    }

    /// Calls `watch` before every retry wait, so a person sees why nothing happens (stderr
    /// for headless runs, the status bar in the dashboard). Set once; later calls are ignored.
    pub fn on_retry(&self, watch: impl Fn(&RetryNotice) + Send + Sync + 'static) {
        let _ = self.inner.retry_watch.set(Box::new(watch));
    }

    /// Calls `watch` with the client's tag when a call that waited for a retry has ended,
    /// answered or given up, so the notice of that wait can go. Set once, like `on_retry`.
    pub fn on_retry_over(&self, watch: impl Fn(Option<u64>) + Send + Sync + 'static) {
        let _ = self.inner.retry_over_watch.set(Box::new(watch));
    }

    /// A valid bearer token: the configured access token as is, or one fetched through
    /// [`Self::execute`] (Basic auth) when needed.
    async fn bearer(&self) -> Result<IssuedToken, GenesysError> {
        if let Some(token) = &self.inner.settings.access_token {
            return Ok(IssuedToken {
                token: token.clone(),
                generation: 0,
            });
        }
        self.inner.tokens.get_or_fetch(|| self.fetch_token()).await
    }

    async fn fetch_token(&self) -> Result<(Secret, Duration), GenesysError> {
        let call = auth::token_call(&self.inner.settings.token_url);
        // Boxed: `execute` asks for a bearer token, which is fetched through `execute`.
        let resp = Box::pin(self.execute(&call))
            .await
            .map_err(|e| auth::refused(e, &call.url))?;
        auth::read_token(&resp, &call)
    }
}

fn policy(
    settings: &ClientSettings,
    call: &Call,
    deadline: Duration,
    failure_deadline: Duration,
) -> RetryPolicy {
    RetryPolicy {
        max_retries: settings.max_retries,
        max_retry_after: settings.max_retry_after,
        max_backoff: settings.max_backoff,
        idempotent: call.idempotent,
        // A given access token cannot be refreshed: a 401 is final.
        refresh_on_401: call.auth == Auth::Bearer && settings.access_token.is_none(),
        deadline,
        failure_deadline,
    }
}

fn log_retry(call: &Call, outcome: &Outcome, delay: Duration) {
    let method = transport::method_name(&call.method);
    let delay_ms = delay.as_millis() as u64;
    match *outcome {
        Outcome::Failed(Failure::BodyInterrupted) => {
            tracing::warn!(method, path = %call.path, delay_ms, "response cut off; retrying");
        }
        Outcome::Failed(_) => {
            tracing::warn!(method, path = %call.path, delay_ms, "connection problem; retrying");
        }
        Outcome::Answered { status: 429, .. } => {
            tracing::warn!(method, path = %call.path, delay_ms,
                "rate limited (429); waiting as asked");
        }
        Outcome::Answered { status, .. } => {
            tracing::warn!(method, path = %call.path, status, delay_ms,
                "server busy; backing off");
        }
    }
}

/// A retry about to wait: what happened, which retry it is, the wait, and the time left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryNotice {
    /// The tag of the client that sent the call ([`GenesysClient::tagged`]).
    pub tag: Option<u64>,
    pub method: &'static str,
    pub path: String,
    /// The status (`429`, `503`) or the failure (`connection reset`).
    pub cause: String,
    pub retry: u32,
    pub wait: Duration,
    /// Of the call's deadline (or its shorter budget for failures), after this wait.
    pub left: Duration,
}

/// "429, retry 3 in 12 s, 2:10 left"
impl std::fmt::Display for RetryNotice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let wait = self.wait.as_secs_f64();
        let left = self.left.as_secs();
        write!(
            f,
            "{}, retry {} in {} s, {}:{:02} left",
            self.cause,
            self.retry,
            if wait < 10.0 {
                format!("{wait:.1}")
            } else {
                format!("{wait:.0}")
            },
            left / 60,
            left % 60
        )
    }
}
