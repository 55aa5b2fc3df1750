//! Where and how the client talks to Genesys Cloud: the API and login hosts, credentials,
//! timeouts and retry limits. Reading them from config files and env vars is `config`'s job;
//! this module only knows what a valid set looks like.

use std::time::Duration;

use reqwest::Url;

use super::regions;
use super::secret::Secret;

/// Env var names shared with Genesys' own tooling (CLI, Terraform provider), so an analyst who
/// already exports them needs nothing else. Named here because the client's errors cite them.
pub const ENV_CLIENT_ID: &str = "GENESYSCLOUD_OAUTHCLIENT_ID";
pub const ENV_CLIENT_SECRET: &str = "GENESYSCLOUD_OAUTHCLIENT_SECRET";
pub const ENV_REGION: &str = "GENESYSCLOUD_REGION";
pub const ENV_API_BASE: &str = "GENESYSCLOUD_API_BASE";
/// A ready access token, used as the bearer instead of client credentials; the official `gc`
/// CLI honours the same variable (`applyEnvironmentVariableOverrides`,
/// MyPureCloud/platform-client-sdk-cli `build/gc/config/config.go`).
pub const ENV_ACCESS_TOKEN: &str = "GENESYSCLOUD_ACCESS_TOKEN";

/// Where and how to talk to Genesys Cloud. Built from config by `config::GenesysConfig::client_settings`;
/// tests build it with [`ClientSettings::for_base`] and shorten the backoff.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    /// `https://api.<domain>` or an override, without a trailing slash.
    pub api_base: String,
    /// `https://login.<domain>/oauth/token`, or `{api_base}/oauth/token` for an override.
    pub token_url: String,
    pub client_id: String,
    pub client_secret: Secret,
    /// A ready bearer token (`GENESYSCLOUD_ACCESS_TOKEN` or a `gc` profile's `access_token`):
    /// used as is, never refreshed, so the client credentials are not needed; a 401 means it
    /// expired and is reported as [`GenesysError::AccessTokenRejected`](super::GenesysError).
    pub access_token: Option<Secret>,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    /// Longest `Retry-After` honoured; longer waits fail with
    /// [`GenesysError::RetryAfterTooLong`](super::GenesysError::RetryAfterTooLong).
    pub max_retry_after: Duration,
    /// Most retries of 429s (counted on their own), and most backoff waits, shared by
    /// 502/503/504, connection errors and 429s without `Retry-After`.
    pub max_retries: u32,
    /// First backoff delay; doubles per retry up to `max_backoff`, with jitter.
    pub min_backoff: Duration,
    pub max_backoff: Duration,
    /// Total time for one call, attempts and waits together: no retry starts past it and an
    /// attempt still running at it is cut off (the official SDKs bound retries by total time).
    pub retry_deadline: Duration,
    /// How long part of a request that already failed for the whole `retry_deadline` (the
    /// halves of a group of queues) may keep failing, never more than `retry_deadline`; the
    /// waits a 429 asks for are not counted. Not a config key: tests shorten it.
    pub split_deadline: Duration,
    /// Largest response body read; a longer one is refused as it streams, never held whole.
    pub max_body_bytes: usize,
}

impl ClientSettings {
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
    pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
    /// The official SDKs wait up to 3 minutes.
    pub const DEFAULT_MAX_RETRY_AFTER: Duration = Duration::from_secs(180);
    /// With the backoff below, ten waits span about two and a half minutes: a 503 storm is
    /// ridden out, and the deadline ends it first.
    pub const DEFAULT_MAX_RETRIES: u32 = 10;
    /// Three minutes, like the official SDKs' wait limit.
    pub const DEFAULT_RETRY_DEADLINE: Duration = Duration::from_secs(180);
    /// A few backoff retries of a 5xx: pinning one bad queue among 50 costs about six of these
    /// rather than six full deadlines.
    pub const DEFAULT_SPLIT_DEADLINE: Duration = Duration::from_secs(30);
    /// Far above any page or aggregate answer queuecast asks for.
    pub const DEFAULT_MAX_BODY_BYTES: usize = 128 * 1024 * 1024;
    pub const DEFAULT_MIN_BACKOFF: Duration = Duration::from_millis(500);
    pub const DEFAULT_MAX_BACKOFF: Duration = Duration::from_secs(30);

    /// Settings for `endpoints` with the default timeouts and retry limits.
    pub fn new(
        endpoints: Endpoints,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        Self {
            api_base: endpoints.api_base,
            token_url: endpoints.token_url,
            client_id: client_id.into(),
            client_secret: Secret::new(client_secret.into()),
            access_token: None,
            connect_timeout: Self::DEFAULT_CONNECT_TIMEOUT,
            request_timeout: Self::DEFAULT_REQUEST_TIMEOUT,
            max_retry_after: Self::DEFAULT_MAX_RETRY_AFTER,
            max_retries: Self::DEFAULT_MAX_RETRIES,
            min_backoff: Self::DEFAULT_MIN_BACKOFF,
            max_backoff: Self::DEFAULT_MAX_BACKOFF,
            retry_deadline: Self::DEFAULT_RETRY_DEADLINE,
            split_deadline: Self::DEFAULT_SPLIT_DEADLINE,
            max_body_bytes: Self::DEFAULT_MAX_BODY_BYTES,
        }
    }

    /// Settings for an explicit base that serves both the API and `/oauth/token` (sandbox, tests).
    pub fn for_base(
        api_base: &str,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        Self::new(Endpoints::single(api_base), client_id, client_secret)
    }

    /// Settings that authenticate with a ready access token instead of client credentials.
    pub fn with_access_token(endpoints: Endpoints, token: impl Into<String>) -> Self {
        Self {
            access_token: Some(Secret::new(token.into())),
            ..Self::new(endpoints, "", "")
        }
    }
}

/// The API base and the token URL of one Genesys Cloud org (or of a server standing in for it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// Without a trailing slash.
    pub api_base: String,
    pub token_url: String,
}

/// Why a region or base URL names no usable endpoint; `hint` says how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{hint}")]
pub struct EndpointError {
    pub hint: String,
}

impl EndpointError {
    fn new(hint: impl Into<String>) -> Self {
        Self { hint: hint.into() }
    }
}

impl Endpoints {
    /// A base that serves both the API and `/oauth/token`, taken as given.
    pub fn single(api_base: &str) -> Self {
        let base = api_base.trim_end_matches('/').to_string();
        Self {
            token_url: format!("{base}/oauth/token"),
            api_base: base,
        }
    }

    /// `api.<domain>` and `login.<domain>` for a region domain or AWS region name.
    pub fn for_region(region: &str) -> Result<Self, EndpointError> {
        let domain = regions::resolve_region(region)
            .ok_or_else(|| EndpointError::new(regions::valid_regions_hint()))?;
        Ok(Self {
            api_base: format!("https://api.{domain}"),
            token_url: format!("https://login.{domain}/oauth/token"),
        })
    }

    /// Splits an override base into (api base, token URL). A pasted real API host gets its
    /// login host; anything else (sandbox, proxy) serves `/oauth/token` itself. Plain http is
    /// only accepted on loopback, because the client secret travels in the token request.
    pub fn for_api_base(base: &str) -> Result<Self, EndpointError> {
        let url = Url::parse(base.trim()).map_err(|_| {
            EndpointError::new(
                "use a full URL such as https://api.mypurecloud.ie or http://127.0.0.1:8080",
            )
        })?;
        let host = url
            .host_str()
            .ok_or_else(|| EndpointError::new("the URL has no host"))?
            .to_string();
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&host) => {}
            "http" => {
                return Err(EndpointError::new(
                    "plain http is only allowed for 127.0.0.1/localhost (the client secret would travel unencrypted); use https://",
                ));
            }
            _ => return Err(EndpointError::new("use an http(s):// URL")),
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(EndpointError::new("remove the query string / fragment"));
        }
        let api_base = url.as_str().trim_end_matches('/').to_string();
        let token_url = match regions::login_host_for(&host) {
            Some(login) => format!("https://{login}/oauth/token"),
            None => format!("{api_base}/oauth/token"),
        };
        Ok(Self {
            api_base,
            token_url,
        })
    }
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_on_loopback() {
        for ok in [
            "http://127.0.0.1:4010",
            "http://localhost:8080/",
            "http://[::1]:9",
        ] {
            let e = Endpoints::for_api_base(ok).unwrap();
            assert_eq!(e.token_url, format!("{}/oauth/token", e.api_base), "{ok}");
        }
        for (bad, hint) in [
            ("http://10.0.0.7", "only allowed for 127.0.0.1/localhost"),
            ("ftp://127.0.0.1", "use an http(s):// URL"),
            ("https://proxy.example/?org=1", "remove the query string"),
            ("api.mypurecloud.ie", "use a full URL"),
        ] {
            let e = Endpoints::for_api_base(bad).unwrap_err();
            assert!(e.hint.contains(hint), "{bad}: {e}");
        }
    }

    #[test]
    fn single_base_trims_the_slash_and_serves_the_token() {
        let e = Endpoints::single("http://127.0.0.1:1/");
        assert_eq!(e.api_base, "http://127.0.0.1:1");
        assert_eq!(e.token_url, "http://127.0.0.1:1/oauth/token");
    }

    #[test]
    fn unknown_region_lists_the_valid_ones() {
        let e = Endpoints::for_region("mygen.com").unwrap_err();
        assert!(e.hint.contains("mypurecloud.ie (eu-west-1)"), "{e}");
    }
}
