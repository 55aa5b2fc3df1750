//! `queuecast doctor` and `--profile` as a user runs them: the binary against the sandbox (the
//! test oracle, with permissions taken away by `Faults::denied_permissions`, the in-process
//! form of `queuecast sandbox --deny-permission`) and a temp HOME holding a gc CLI profile file.

use std::path::Path;
use std::process::{Command, Output};

use queuecast::sandbox::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Faults, SandboxOptions};

/// The binary with no inherited Genesys settings, a temp config, data dir and HOME.
fn queuecast(home: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_queuecast"));
    cmd.args(args)
        .env_remove("GENESYSCLOUD_OAUTHCLIENT_ID")
        .env_remove("GENESYSCLOUD_OAUTHCLIENT_SECRET")
        .env_remove("GENESYSCLOUD_REGION")
        .env_remove("GENESYSCLOUD_API_BASE")
        .env_remove("GENESYSCLOUD_ACCESS_TOKEN")
        .env("HOME", home)
        .env("QUEUECAST_CONFIG", home.join("queuecast.toml"))
        .env("QUEUECAST_DATA_DIR", home.join("data"));
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn sandbox_with(denied: &[&str]) -> (tokio::runtime::Runtime, queuecast::sandbox::SandboxHandle) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let opts = SandboxOptions {
        faults: Faults {
            denied_permissions: denied.iter().map(|s| s.to_string()).collect(),
            ..Faults::default()
        },
        ..SandboxOptions::default()
    };
    let sb = rt.block_on(queuecast::sandbox::start(opts)).unwrap();
    (rt, sb)
}

fn doctor(base: &str) -> Output {
    let home = tempfile::tempdir().unwrap();
    queuecast(
        home.path(),
        &["doctor", "--api-base", base],
        &[
            ("GENESYSCLOUD_OAUTHCLIENT_ID", DEMO_CLIENT_ID),
            ("GENESYSCLOUD_OAUTHCLIENT_SECRET", DEMO_CLIENT_SECRET),
        ],
    )
}

#[test]
fn doctor_with_every_permission_says_ok_for_each_read_and_sends_no_write() {
    let (rt, sb) = sandbox_with(&[]);
    let out = doctor(&sb.base_url());
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    for op in queuecast::genesys::OPERATIONS {
        let line = stdout
            .lines()
            .find(|l| l.contains(&op.call_text()))
            .unwrap_or_else(|| panic!("no line for {}: {stdout}", op.call_text()));
        let want = if op.probe == queuecast::genesys::Probe::Write {
            "NOT SENT"
        } else {
            "OK"
        };
        assert!(line.starts_with(want), "{line}");
    }
    assert!(
        stdout.contains("the role needs outbound:campaign:add"),
        "{stdout}"
    );
    assert!(sb.campaigns().is_empty() && sb.create_bodies().is_empty());
    assert!(!stdout.contains(DEMO_CLIENT_SECRET));
    rt.block_on(sb.shutdown());
}

#[test]
fn doctor_names_the_permission_the_sandbox_denied_and_exits_6() {
    let (rt, sb) = sandbox_with(&["analytics:conversationAggregate:view"]);
    let out = doctor(&sb.base_url());
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(6),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    let line = stdout
        .lines()
        .find(|l| l.contains("/api/v2/analytics/conversations/aggregates/query"))
        .unwrap();
    assert!(
        line.starts_with("MISSING")
            && line.ends_with("the role needs analytics:conversationAggregate:view"),
        "{line}"
    );
    // Only that one: the others still pass.
    let missing = stdout.lines().filter(|l| l.starts_with("MISSING")).count();
    assert_eq!(missing, 1, "{stdout}");
    rt.block_on(sb.shutdown());

    // One of several permissions that each suffice is not enough to fail the check.
    let (rt, sb) = sandbox_with(&["outbound:schedule:view"]);
    let out = doctor(&sb.base_url());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    rt.block_on(sb.shutdown());
    let (rt, sb) = sandbox_with(&["outbound:schedule:view", "outbound:campaign:viewSchedule"]);
    let out = doctor(&sb.base_url());
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(6), "{stdout}");
    assert!(
        stdout.contains("the role needs outbound:schedule:view or outbound:campaign:viewSchedule"),
        "{stdout}"
    );
    rt.block_on(sb.shutdown());
}

#[test]
fn doctor_with_refused_credentials_is_one_line_and_exit_3() {
    let (rt, sb) = sandbox_with(&[]);
    let home = tempfile::tempdir().unwrap();
    let out = queuecast(
        home.path(),
        &["doctor", "--api-base", &sb.base_url()],
        &[
            ("GENESYSCLOUD_OAUTHCLIENT_ID", DEMO_CLIENT_ID),
            ("GENESYSCLOUD_OAUTHCLIENT_SECRET", "wrong-secret-77"),
        ],
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("sign-in to") && stderr.contains("nothing was checked"),
        "{stderr}"
    );
    assert!(!stderr.contains("wrong-secret-77"), "{stderr}");
    assert!(text(&out.stdout).is_empty());
    rt.block_on(sb.shutdown());
}

/// A gc CLI file as `gc profiles new` writes it (viper lowercases section names).
const GC_FILE: &str = r#"[default]
  access_token = ''
  client_credentials = 'other-client'
  client_secret = 'other-secret-1'
  environment = 'mypurecloud.com'
  grant_type = '1'
  redirect_uri = ''
  secure_login_enabled = false

[prod]
  access_token = ''
  client_credentials = 'CLIENT_ID'
  client_secret = 'CLIENT_SECRET'
  environment = 'eu_central_2'
  grant_type = '1'
  logging_enabled = true
"#;

fn home_with_profiles() -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join(".gc")).unwrap();
    let file = GC_FILE
        .replace("CLIENT_ID", DEMO_CLIENT_ID)
        .replace("CLIENT_SECRET", DEMO_CLIENT_SECRET);
    std::fs::write(home.path().join(".gc/config.toml"), file).unwrap();
    home
}

#[test]
fn profile_credentials_reach_the_org_and_are_never_printed() {
    let (rt, sb) = sandbox_with(&[]);
    let home = home_with_profiles();
    // The profile's client signs in; --api-base (a flag) wins over its environment.
    let out = queuecast(
        home.path(),
        &["--profile", "PROD", "queues", "--api-base", &sb.base_url()],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("queues"),
        "{}",
        text(&out.stdout)
    );
    rt.block_on(sb.shutdown());

    let out = queuecast(home.path(), &["--profile", "prod", "config"], &[]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        stdout.contains("from gc CLI profile \"prod\"")
            && stdout.contains("region = \"eu_central_2\"")
            && stdout.contains(&format!("client_id = \"{DEMO_CLIENT_ID}\"")),
        "{stdout}"
    );
    assert!(!stdout.contains(DEMO_CLIENT_SECRET), "{stdout}");
    // The environment wins over the profile, as in the gc CLI.
    let out = queuecast(
        home.path(),
        &["--profile", "prod", "config"],
        &[("GENESYSCLOUD_REGION", "eu-west-1")],
    );
    assert!(text(&out.stdout).contains("region = \"eu-west-1\""));
    let out = queuecast(home.path(), &["config", "--paths"], &[]);
    let gc = home.path().join(".gc/config.toml");
    assert!(
        text(&out.stdout).contains(&format!("gc profiles: {}", gc.display())),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn an_unknown_profile_lists_the_ones_that_exist_and_a_missing_file_says_where() {
    let home = home_with_profiles();
    let out = queuecast(home.path(), &["--profile", "staging", "queues"], &[]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("no profile \"staging\"") && stderr.contains("default, prod"),
        "{stderr}"
    );
    let empty = tempfile::tempdir().unwrap();
    let out = queuecast(empty.path(), &["--profile", "prod", "queues"], &[]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(".gc/config.toml") && stderr.contains("gc profiles new"),
        "{stderr}"
    );
}
