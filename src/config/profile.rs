//! `--profile NAME`: credentials from the official `gc` CLI's profiles, read-only.
//!
//! The file and its field names are the gc CLI's own (MyPureCloud/platform-client-sdk-cli
//! `build/gc/config/config.go`, `writeConfig`/`GetConfig`; `build/gc/cmd/root.go` reads
//! `~/.gc/config.toml` through viper and selects the section with `-p/--profile`, default
//! `DEFAULT`): one TOML table per profile with `environment` (a region domain or AWS region
//! name), `client_credentials` (which holds the OAuth *client id*), `client_secret`,
//! `access_token` and `grant_type` (`"0"` none/ready token, `"1"` client credentials,
//! `"2"` implicit, `"3"` PKCE, `build/gc/cmd/profiles/createprofile.go`). Viper matches keys
//! without regard to case (and writes them lowercased), so `DEFAULT` finds `[default]`.
//! The gc CLI reads no environment variable naming the profile, so neither does queuecast.
//!
//! Precedence, as the gc CLI applies it (`applyEnvironmentVariableOverrides`): flags, then
//! the `GENESYSCLOUD_*` environment variables, then the profile, then queuecast's own
//! `config.toml`. A profile names the org: it replaces every `[genesys]` credential and
//! location of the file (`api_base` too), so a file's settings never mix with a profile's.

use std::path::{Path, PathBuf};

use super::GenesysConfig;

/// A gc CLI profile's connection settings. The secret and token are redacted from `Debug`.
#[derive(Clone, Default, PartialEq)]
pub struct GcProfile {
    /// The section name as written in the file.
    pub name: String,
    pub environment: Option<String>,
    /// `client_credentials` in the file.
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub access_token: Option<String>,
    pub grant_type: Option<String>,
}

impl std::fmt::Debug for GcProfile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redacted = |v: &Option<String>| v.as_ref().map(|_| "[REDACTED]");
        f.debug_struct("GcProfile")
            .field("name", &self.name)
            .field("environment", &self.environment)
            .field("client_id", &self.client_id)
            .field("client_secret", &redacted(&self.client_secret))
            .field("access_token", &redacted(&self.access_token))
            .field("grant_type", &self.grant_type)
            .finish()
    }
}

/// The profiles of one gc CLI config file, sorted by name without regard to case.
#[derive(Debug, Clone)]
pub struct GcProfiles {
    pub path: PathBuf,
    pub profiles: Vec<GcProfile>,
}

/// A profile that cannot be used; each says what, where and how to fix it.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error(
        "--profile {name}: no gc CLI config file at {path} (the official `gc` CLI writes it \
         with `gc profiles new`); or set GENESYSCLOUD_OAUTHCLIENT_ID, \
         GENESYSCLOUD_OAUTHCLIENT_SECRET and GENESYSCLOUD_REGION instead"
    )]
    NoFile { name: String, path: PathBuf },
    #[error("--profile {name}: cannot read {path}: {source}")]
    Read {
        name: String,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("--profile {name}: {path} is not a gc CLI config file: {message}")]
    Parse {
        name: String,
        path: PathBuf,
        message: String,
    },
    #[error("no profile {name:?} in {path}; the profiles there are: {}", list(.existing))]
    NotFound {
        name: String,
        path: PathBuf,
        existing: Vec<String>,
    },
    #[error(
        "profile {name:?} in {path}: environment = {value:?} is not a Genesys Cloud region; {hint}"
    )]
    Environment {
        name: String,
        path: PathBuf,
        value: String,
        hint: String,
    },
    #[error(
        "profile {name:?} in {path} uses the gc CLI's {grant} grant (a browser login), which \
         queuecast cannot perform; use a client-credentials profile (grant_type 1), or set \
         GENESYSCLOUD_ACCESS_TOKEN to a token"
    )]
    BrowserGrant {
        name: String,
        path: PathBuf,
        grant: &'static str,
    },
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

impl GcProfiles {
    /// Where the gc CLI keeps its profiles under `home`.
    pub fn path_in(home: &Path) -> PathBuf {
        home.join(".gc").join("config.toml")
    }

    /// The gc CLI's file in the user's home directory (`$HOME` on Unix).
    pub fn default_path() -> Option<PathBuf> {
        directories::BaseDirs::new().map(|d| Self::path_in(d.home_dir()))
    }

    /// Reads the file at `path`; `wanted` only names the profile in errors.
    pub fn read(path: &Path, wanted: &str) -> Result<Self, ProfileError> {
        let text = std::fs::read_to_string(path).map_err(|source| {
            if source.kind() == std::io::ErrorKind::NotFound {
                ProfileError::NoFile {
                    name: wanted.into(),
                    path: path.into(),
                }
            } else {
                ProfileError::Read {
                    name: wanted.into(),
                    path: path.into(),
                    source,
                }
            }
        })?;
        Self::parse(&text, path, wanted)
    }

    /// Parses a gc CLI config file: every table is a profile; other keys are ignored, as the
    /// gc CLI keeps more (logging, proxy, output format) than queuecast needs.
    pub fn parse(text: &str, path: &Path, wanted: &str) -> Result<Self, ProfileError> {
        let table: toml::Table =
            text.parse()
                .map_err(|e: toml::de::Error| ProfileError::Parse {
                    name: wanted.into(),
                    path: path.into(),
                    message: e.message().to_string(),
                })?;
        let mut profiles: Vec<GcProfile> = table
            .iter()
            .filter_map(|(name, v)| v.as_table().map(|t| profile_of(name, t)))
            .collect();
        profiles.sort_by_key(|p| p.name.to_ascii_lowercase());
        Ok(Self {
            path: path.into(),
            profiles,
        })
    }

    /// The profile named `name`, matched without regard to case as the gc CLI (viper) does.
    pub fn get(&self, name: &str) -> Result<&GcProfile, ProfileError> {
        self.profiles
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| ProfileError::NotFound {
                name: name.into(),
                path: self.path.clone(),
                existing: self.profiles.iter().map(|p| p.name.clone()).collect(),
            })
    }
}

/// One table's fields by the gc CLI's names (keys matched without regard to case; a number
/// is read as its digits, for a hand-written `grant_type = 1`).
fn profile_of(name: &str, t: &toml::Table) -> GcProfile {
    let field = |key: &str| {
        t.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .and_then(|(_, v)| match v {
                toml::Value::String(s) => Some(s.trim().to_string()),
                toml::Value::Integer(i) => Some(i.to_string()),
                _ => None,
            })
            .filter(|s| !s.is_empty())
    };
    GcProfile {
        name: name.to_string(),
        environment: field("environment"),
        client_id: field("client_credentials"),
        client_secret: field("client_secret"),
        access_token: field("access_token"),
        grant_type: field("grant_type"),
    }
}

impl GcProfile {
    /// Puts this profile's org and credentials in place of the file's `[genesys]` ones;
    /// `path` names the file in errors.
    pub fn apply(&self, g: &mut GenesysConfig, path: &Path) -> Result<(), ProfileError> {
        let grant = match self.grant_type.as_deref() {
            Some("2") => Some("implicit"),
            Some("3") => Some("PKCE"),
            _ => None,
        };
        if let Some(grant) = grant
            && self.access_token.is_none()
        {
            return Err(ProfileError::BrowserGrant {
                name: self.name.clone(),
                path: path.into(),
                grant,
            });
        }
        if let Some(env) = &self.environment
            && crate::genesys::regions::resolve_region(env).is_none()
        {
            return Err(ProfileError::Environment {
                name: self.name.clone(),
                path: path.into(),
                value: env.clone(),
                hint: crate::genesys::regions::valid_regions_hint(),
            });
        }
        g.region = self.environment.clone();
        g.api_base = None;
        // A browser grant keeps a client id but no secret: only its token is usable.
        let client = grant.is_none();
        g.client_id = self.client_id.clone().filter(|_| client);
        g.client_secret = self.client_secret.clone().filter(|_| client);
        g.access_token = self.access_token.clone();
        Ok(())
    }
}

impl super::Config {
    /// `--profile NAME`: the gc CLI profile `name` from `path` replaces the file's org and
    /// credentials, and the environment (`get`) is applied again on top, as the gc CLI does.
    pub fn use_gc_profile(
        &mut self,
        name: &str,
        path: &Path,
        get: impl Fn(&str) -> Option<String>,
    ) -> Result<(), ProfileError> {
        let profiles = GcProfiles::read(path, name)?;
        let profile = profiles.get(name)?;
        profile.apply(&mut self.genesys, path)?;
        self.apply_env(get);
        self.gc_profile = Some((profile.name.clone(), path.to_path_buf()));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    const FILE: &str = r#"[default]
  client_credentials = 'id-default'
  client_secret = 'secret-default-1'
  environment = 'mypurecloud.com'
  grant_type = '1'

[Prod]
  client_credentials = 'id-prod'
  client_secret = 'secret-prod-2'
  environment = 'eu_central_2'
  grant_type = '1'
  proxy_protocol = 'https'

[token]
  access_token = 'tok-prod-3'
  environment = 'eu-west-1'
  grant_type = 0

[browser]
  client_credentials = 'id-browser'
  environment = 'mypurecloud.ie'
  grant_type = '3'
  oauth_token_data = '{"AccessToken":"x"}'
"#;

    fn profiles() -> GcProfiles {
        GcProfiles::parse(FILE, Path::new("/h/.gc/config.toml"), "x").unwrap()
    }

    #[test]
    fn fields_are_read_by_the_gc_cli_names_and_profiles_matched_without_case() {
        let p = profiles();
        let prod = p.get("prod").unwrap();
        assert_eq!(prod.name, "Prod");
        assert_eq!(prod.client_id.as_deref(), Some("id-prod"));
        assert_eq!(prod.client_secret.as_deref(), Some("secret-prod-2"));
        assert_eq!(prod.environment.as_deref(), Some("eu_central_2"));
        assert_eq!(
            p.get("DEFAULT").unwrap().client_id.as_deref(),
            Some("id-default")
        );
        assert_eq!(p.get("token").unwrap().grant_type.as_deref(), Some("0"));
        let debug = format!("{p:?}");
        assert!(
            !debug.contains("secret-prod-2") && !debug.contains("tok-prod-3"),
            "{debug}"
        );
    }

    #[test]
    fn an_unknown_name_lists_the_profiles_there() {
        let e = profiles().get("staging").unwrap_err().to_string();
        assert_eq!(
            e,
            "no profile \"staging\" in /h/.gc/config.toml; the profiles there are: browser, default, Prod, token"
        );
        let none = GcProfiles::parse("", Path::new("f"), "x").unwrap();
        assert!(
            none.get("a")
                .unwrap_err()
                .to_string()
                .ends_with("are: none")
        );
        let bad = GcProfiles::parse("[a", Path::new("f"), "a").unwrap_err();
        assert!(
            bad.to_string()
                .starts_with("--profile a: f is not a gc CLI config file")
        );
    }

    #[test]
    fn a_profile_replaces_the_files_org_and_the_environment_wins_over_it() {
        let mut cfg = Config::default();
        cfg.genesys.api_base = Some("http://127.0.0.1:8080".into());
        cfg.genesys.client_id = Some("file-id".into());
        cfg.genesys.client_secret = Some("file-secret".into());
        let path = Path::new("/h/.gc/config.toml");
        profiles()
            .get("prod")
            .unwrap()
            .apply(&mut cfg.genesys, path)
            .unwrap();
        assert_eq!(cfg.genesys.api_base, None);
        assert_eq!(cfg.genesys.region.as_deref(), Some("eu_central_2"));
        assert_eq!(cfg.genesys.client_id.as_deref(), Some("id-prod"));
        let s = cfg.genesys.client_settings().unwrap();
        assert_eq!(s.api_base, "https://api.euc2.pure.cloud");
        // Env after the profile: its values win, field by field, as in the gc CLI.
        cfg.apply_env(|k| (k == "GENESYSCLOUD_OAUTHCLIENT_ID").then(|| "env-id".to_string()));
        assert_eq!(cfg.genesys.client_id.as_deref(), Some("env-id"));
        assert_eq!(cfg.genesys.client_secret.as_deref(), Some("secret-prod-2"));
    }

    #[test]
    fn a_token_profile_signs_in_with_its_token_and_a_browser_grant_is_refused() {
        let p = profiles();
        let path = Path::new("/h/.gc/config.toml");
        let mut cfg = Config::default();
        p.get("token")
            .unwrap()
            .apply(&mut cfg.genesys, path)
            .unwrap();
        let s = cfg.genesys.client_settings().unwrap();
        assert_eq!(
            s.access_token.as_ref().map(|t| t.expose()),
            Some("tok-prod-3")
        );
        let e = p
            .get("browser")
            .unwrap()
            .apply(&mut cfg.genesys, path)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("PKCE grant") && e.contains("GENESYSCLOUD_ACCESS_TOKEN"),
            "{e}"
        );
        let odd = GcProfiles::parse("[x]\nenvironment = 'mygen.com'", path, "x").unwrap();
        let e = odd
            .get("x")
            .unwrap()
            .apply(&mut cfg.genesys, path)
            .unwrap_err();
        assert!(
            e.to_string().starts_with("profile \"x\" in /h/.gc/config.toml: environment = \"mygen.com\" is not a Genesys Cloud region"),
            "{e}"
        );
    }

    #[test]
    fn use_gc_profile_reads_the_file_and_records_where_from() {
        let dir = tempfile::tempdir().unwrap();
        let path = GcProfiles::path_in(dir.path());
        let mut cfg = Config::default();
        let e = cfg.use_gc_profile("prod", &path, |_| None).unwrap_err();
        assert!(matches!(e, ProfileError::NoFile { .. }), "{e}");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, FILE).unwrap();
        cfg.use_gc_profile("prod", &path, |_| None).unwrap();
        assert_eq!(cfg.gc_profile, Some(("Prod".to_string(), path)));
        assert_eq!(cfg.genesys.client_id.as_deref(), Some("id-prod"));
    }
}
