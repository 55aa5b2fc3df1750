//! HTTP routing, the OAuth token endpoint, bearer and permission checks, and fault injection.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, Request, State as AxState};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use rand::Rng;
use serde_json::json;
use uuid::Uuid;

use super::faults::LookupFault;
use super::wire::{ApiError, ApiResult, CORRELATION_ID, Params, decode_component, ok};
use super::{
    DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Faults, State, TokenInfo, aggregates, members, outbound,
    permissions, routing, telephony, users,
};

type St = AxState<Arc<State>>;

pub(crate) fn router(state: Arc<State>) -> Router {
    Router::new()
        .route("/oauth/token", post(token))
        .route("/api/v2/organizations/me", get(org))
        .route("/api/v2/routing/queues", get(queues))
        .route("/api/v2/routing/queues/{id}", get(queue))
        .route(
            "/api/v2/routing/queues/{id}/members",
            get(members::queue_members),
        )
        .route(AGGREGATES_PATH, post(aggregates_query))
        .route(
            "/api/v2/analytics/users/aggregates/query",
            post(users::aggregates_query),
        )
        .route(
            "/api/v2/analytics/dataretention/settings",
            get(data_retention),
        )
        .route("/api/v2/outbound/contactlists", get(contact_lists))
        .route(
            "/api/v2/outbound/callanalysisresponsesets",
            get(response_sets),
        )
        .route("/api/v2/telephony/providers/edges/sites", get(sites))
        .route("/api/v2/scripts", get(scripts))
        .route("/api/v2/scripts/published", get(scripts_published))
        .route(
            "/api/v2/outbound/campaigns",
            get(campaigns).post(create_campaign),
        )
        .route("/api/v2/outbound/campaigns/{id}", get(campaign))
        .route("/api/v2/outbound/schedules/campaigns", get(schedules))
        .route(
            "/api/v2/outbound/schedules/campaigns/{id}",
            get(schedule).put(put_schedule),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), frame))
        .with_state(state)
}

/// Every request: count it, delay it, give it a correlation id; on `/api/v2`, check the bearer
/// token, the permissions, then the rate limit, then the injected error rate. The work runs in
/// its own task, so a client that hangs up does not cancel it: like Genesys, a create that was
/// received is completed even if nobody reads the answer.
async fn frame(st: St, req: Request, next: Next) -> Response {
    let state = st.0;
    state.requests.fetch_add(1, Ordering::Relaxed);
    let cid = Uuid::new_v4().to_string();
    let work = tokio::spawn(handle(state, cid.clone(), req, next));
    let mut resp = match work.await {
        Ok(resp) => resp,
        Err(e) => ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal.server.error",
            format!("the sandbox failed while serving this request: {e}"),
        )
        .into_response(),
    };
    if let Ok(v) = HeaderValue::from_str(&cid) {
        resp.headers_mut().insert("ININ-Correlation-Id", v);
    }
    resp
}

async fn handle(state: Arc<State>, cid: String, req: Request, next: Next) -> Response {
    CORRELATION_ID
        .scope(cid, async move {
            if !state.faults.latency.is_zero() {
                tokio::time::sleep(state.faults.latency).await;
            }
            if !req.uri().path().starts_with("/api/") {
                return next.run(req).await;
            }
            let rate_headers = match admit(&state, req.method(), req.uri().path(), req.headers()) {
                Ok(h) => h,
                Err(e) => {
                    let counter = match e.status {
                        StatusCode::UNAUTHORIZED => &state.unauthorized,
                        StatusCode::TOO_MANY_REQUESTS => &state.rate_limited,
                        _ => &state.injected_errors,
                    };
                    counter.fetch_add(1, Ordering::Relaxed);
                    return e.into_response();
                }
            };
            let mut resp = next.run(req).await;
            for (name, value) in rate_headers {
                if let Ok(v) = HeaderValue::from_str(&value) {
                    resp.headers_mut().insert(name, v);
                }
            }
            resp
        })
        .await
}

type RateHeaders = Vec<(&'static str, String)>;

const AGGREGATES_PATH: &str = "/api/v2/analytics/conversations/aggregates/query";

/// Bearer check, permissions, rate limit and error injection for one API request.
fn admit(
    state: &State,
    method: &axum::http::Method,
    path: &str,
    headers: &HeaderMap,
) -> Result<RateHeaders, ApiError> {
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let token = auth
        .strip_prefix("Bearer ")
        .or_else(|| auth.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "authentication.required",
                "No authentication bearer token specified in authorization header.",
            )
        })?;
    let now = Instant::now();
    let mut store = state.lock();
    let f = &state.faults;
    let info = store.tokens.get_mut(token).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "bad.credentials",
            "Invalid login credentials: the bearer token is unknown to this sandbox.",
        )
    })?;
    if now >= info.expires {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "bad.credentials",
            "The bearer token has expired; request a new one from /oauth/token.",
        ));
    }
    if let Some(denied) = permissions::check(method, path, &f.denied_permissions) {
        return Err(denied);
    }
    let out = rate_limit(f, info, now)?;
    if path == AGGREGATES_PATH && store.aggregates_refused < f.unavailable_aggregates {
        store.aggregates_refused += 1;
        let mut e = ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "service.unavailable",
            format!(
                "The sandbox injected this 503 ({} of --unavailable-aggregates {}); retry the \
                 request.",
                store.aggregates_refused, f.unavailable_aggregates
            ),
        );
        e.headers = out;
        return Err(e);
    }
    if f.error_rate > 0.0 && store.rng.random::<f64>() < f.error_rate {
        let mut e = ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "service.unavailable",
            format!(
                "The sandbox injected this 503 (--error-rate {}); retry the request.",
                f.error_rate
            ),
        );
        e.headers = out;
        return Err(e);
    }
    Ok(out)
}

/// Counts one request against the token's rate-limit window: the `inin-ratelimit-*` headers,
/// or the 429 (with `Retry-After`) once the window's allowance is spent. No limit, no headers.
fn rate_limit(f: &Faults, info: &mut TokenInfo, now: Instant) -> Result<RateHeaders, ApiError> {
    let mut out = Vec::new();
    if f.rate_limit == 0 {
        return Ok(out);
    }
    if now.duration_since(info.window_start) >= f.rate_limit_window {
        info.window_start = now;
        info.window_count = 0;
    }
    info.window_count += 1;
    let left = f
        .rate_limit_window
        .saturating_sub(now.duration_since(info.window_start));
    let reset = left.as_secs() + u64::from(left.subsec_nanos() > 0);
    let reset = reset.max(1);
    out.push((
        "inin-ratelimit-count",
        info.window_count.min(f.rate_limit).to_string(),
    ));
    out.push(("inin-ratelimit-allowed", f.rate_limit.to_string()));
    out.push(("inin-ratelimit-reset", reset.to_string()));
    if info.window_count > f.rate_limit {
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too.many.requests.retry.after",
            format!("Rate limit exceeded the maximum. Retry the request in [{reset}] seconds"),
        );
        e.limit = Some(Box::new(
            json!({"key": "token.rate.per.minute", "namespace": "platform.api", "value": f.rate_limit}),
        ));
        e.headers = out;
        e.headers.push(("Retry-After", reset.to_string()));
        return Err(e);
    }
    Ok(out)
}

fn new_token() -> String {
    let mut rng = rand::rng();
    format!("{:032x}{:032x}", rng.random::<u128>(), rng.random::<u128>())
}

/// `POST /oauth/token`: client credentials with HTTP Basic auth, as on the Genesys login host.
async fn token(st: St, headers: HeaderMap, body: Bytes) -> ApiResult {
    let unauthorized = |msg: &str| ApiError::new(StatusCode::UNAUTHORIZED, "bad.credentials", msg);
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let encoded = auth
        .strip_prefix("Basic ")
        .or_else(|| auth.strip_prefix("basic "))
        .ok_or_else(|| {
            unauthorized("Client credentials are required as HTTP Basic auth (Authorization: Basic base64(id:secret)).")
        })?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| {
            unauthorized("The Basic authorization header is not valid base64 of id:secret.")
        })?;
    let (id, secret) = decoded.split_once(':').unwrap_or((&decoded, ""));
    if id != DEMO_CLIENT_ID || secret != DEMO_CLIENT_SECRET {
        return Err(unauthorized(
            "Invalid client credentials for this sandbox org (use the demo client id and secret it printed).",
        ));
    }
    let form = String::from_utf8_lossy(&body);
    let grant = form
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| decode_component(k) == "grant_type")
        .map(|(_, v)| decode_component(v));
    if grant.as_deref() != Some("client_credentials") {
        return Err(ApiError::invalid_field(
            "bad.request",
            "INVALID_VALUE",
            "grant_type",
            "the form body must be grant_type=client_credentials",
        ));
    }
    let state = st.0;
    let ttl: Duration = state.faults.token_ttl;
    let token = new_token();
    let now = Instant::now();
    let mut store = state.lock();
    // Forget expired tokens so a long fault run doesn't grow the map.
    store.tokens.retain(|_, t| t.expires > now);
    store.tokens.insert(
        token.clone(),
        TokenInfo {
            expires: now + ttl,
            window_start: now,
            window_count: 0,
        },
    );
    drop(store);
    state.tokens_issued.fetch_add(1, Ordering::Relaxed);
    ok(json!({"access_token": token, "token_type": "bearer", "expires_in": ttl.as_secs()}))
}

async fn org(st: St) -> ApiResult {
    let id = "5a0d1c2b-3e4f-4a5b-8c6d-7e8f9a0b1c2d";
    ok(json!({
        "id": id,
        "name": "queuecast SANDBOX (simulated org, not Genesys Cloud)",
        "defaultLanguage": "en-us",
        "defaultCountryCode": "US",
        "thirdPartyOrgName": "queuecast-sandbox",
        "domain": "sandbox.queuecast.invalid",
        "version": 1,
        "state": "active",
        "defaultSiteId": telephony::default_site_id(&st.0),
        "voicemailEnabled": false,
        "productPlatform": "GenesysCloud",
        "features": {"sandbox": true},
        "selfUri": format!("/api/v2/organizations/{id}"),
    }))
}

async fn queues(st: St, q: RawQuery) -> ApiResult {
    ok(routing::list_queues(&st.0, &Params::parse(q.0.as_deref()))?)
}

async fn queue(st: St, Path(id): Path<String>) -> ApiResult {
    ok(routing::get_queue(&st.0, &id)?)
}

async fn aggregates_query(st: St, body: Bytes) -> ApiResult {
    let s = st.0;
    // Aggregating a long range is CPU work; keep it off the async workers.
    let result = tokio::task::spawn_blocking(move || aggregates::run(&s, &body))
        .await
        .map_err(|e| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal.server.error",
                format!("aggregation failed: {e}"),
            )
        })?;
    ok(result?)
}

async fn data_retention(st: St) -> ApiResult {
    ok(aggregates::data_retention(&st.0))
}

async fn contact_lists(st: St, q: RawQuery) -> ApiResult {
    ok(outbound::list_contact_lists(
        &st.0,
        &Params::parse(q.0.as_deref()),
    )?)
}

async fn scripts(st: St, q: RawQuery) -> ApiResult {
    ok(outbound::list_scripts(
        &st.0,
        &Params::parse(q.0.as_deref()),
        false,
    )?)
}

async fn scripts_published(st: St, q: RawQuery) -> ApiResult {
    ok(outbound::list_scripts(
        &st.0,
        &Params::parse(q.0.as_deref()),
        true,
    )?)
}

async fn response_sets(st: St, q: RawQuery) -> ApiResult {
    ok(outbound::list_response_sets(
        &st.0,
        &Params::parse(q.0.as_deref()),
    )?)
}

async fn sites(st: St, q: RawQuery) -> ApiResult {
    ok(telephony::list_sites(
        &st.0,
        &Params::parse(q.0.as_deref()),
    )?)
}

/// The campaigns listing, after the next scripted lookup fault (`--lookup-faults`), if any.
async fn campaigns(st: St, q: RawQuery) -> ApiResult {
    let state = st.0;
    let fault = {
        let mut store = state.lock();
        let fault = state.faults.lookup_faults.get(store.lookups).copied();
        store.lookups += 1;
        fault
    };
    match fault {
        Some(LookupFault::Unavailable) => {
            state.injected_errors.fetch_add(1, Ordering::Relaxed);
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "service.unavailable",
                "The sandbox injected this 503 on a campaign lookup (--lookup-faults); retry the request.",
            ));
        }
        Some(LookupFault::Slow(by)) => tokio::time::sleep(by).await,
        None => {}
    }
    ok(outbound::list_campaigns(
        &state,
        &Params::parse(q.0.as_deref()),
    )?)
}

/// Stores the campaign at once; with `--create-answer-delay-ms` the answer comes later.
async fn create_campaign(st: St, body: Bytes) -> ApiResult {
    let created = outbound::create_campaign(&st.0, &body)?;
    let delay = st.0.faults.create_answer_delay;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    ok(created)
}

async fn campaign(st: St, Path(id): Path<String>) -> ApiResult {
    ok(outbound::get_campaign(&st.0, &id)?)
}

async fn schedules(st: St) -> ApiResult {
    ok(outbound::list_schedules(&st.0))
}

async fn schedule(st: St, Path(id): Path<String>) -> ApiResult {
    ok(outbound::get_schedule(&st.0, &id)?)
}

async fn put_schedule(st: St, Path(id): Path<String>, body: Bytes) -> ApiResult {
    ok(outbound::put_schedule(&st.0, &id, &body)?)
}

async fn not_found(req: Request) -> Response {
    ApiError::not_found(format!(
        "{} {} is not an endpoint of the queuecast sandbox",
        req.method(),
        req.uri().path()
    ))
    .into_response()
}

async fn method_not_allowed(req: Request) -> Response {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method.not.allowed",
        format!("{} is not allowed on {}", req.method(), req.uri().path()),
    )
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limited(rate_limit: u32) -> Faults {
        Faults {
            rate_limit,
            rate_limit_window: Duration::from_secs(60),
            ..Faults::default()
        }
    }

    fn header<'a>(h: &'a RateHeaders, name: &str) -> &'a str {
        h.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
            .unwrap()
    }

    #[test]
    fn rate_limit_counts_per_window_then_refuses_with_retry_after() {
        let t0 = Instant::now();
        let mut info = TokenInfo {
            expires: t0 + Duration::from_secs(3600),
            window_start: t0,
            window_count: 0,
        };
        let f = limited(2);
        let h = rate_limit(&f, &mut info, t0 + Duration::from_secs(10)).unwrap();
        assert_eq!(header(&h, "inin-ratelimit-count"), "1");
        assert_eq!(header(&h, "inin-ratelimit-allowed"), "2");
        assert_eq!(header(&h, "inin-ratelimit-reset"), "50");
        rate_limit(&f, &mut info, t0 + Duration::from_millis(20_500)).unwrap();
        let e = rate_limit(&f, &mut info, t0 + Duration::from_millis(30_500)).unwrap_err();
        assert_eq!(e.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(e.code, "too.many.requests.retry.after");
        // 29.5 s left in the window: rounded up.
        assert_eq!(header(&e.headers, "Retry-After"), "30");
        assert_eq!(
            header(&e.headers, "inin-ratelimit-count"),
            "2",
            "capped at the allowance"
        );
        assert_eq!(e.limit.as_deref().unwrap()["value"], 2);
        // A new window starts counting again.
        let h = rate_limit(&f, &mut info, t0 + Duration::from_secs(60)).unwrap();
        assert_eq!(header(&h, "inin-ratelimit-count"), "1");
        assert_eq!(header(&h, "inin-ratelimit-reset"), "60");
    }

    #[test]
    fn no_rate_limit_no_headers() {
        let t0 = Instant::now();
        let mut info = TokenInfo {
            expires: t0,
            window_start: t0,
            window_count: 0,
        };
        for _ in 0..1000 {
            assert!(rate_limit(&limited(0), &mut info, t0).unwrap().is_empty());
        }
        assert_eq!(info.window_count, 0);
    }
}
