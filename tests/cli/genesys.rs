//! `queuecast queues` and `queuecast config` as a user runs them: the built binary, env
//! credentials, and a wiremock server standing in for Genesys Cloud.

use std::process::{Command, Output};

use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SECRET: &str = "cli-secret-3e8d1c";

/// Runs the binary with a hermetic environment: no inherited Genesys settings, a temp
/// config path and data dir.
fn queuecast(args: &[&str], env: &[(&str, &str)]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_queuecast"));
    cmd.args(args)
        .env_remove("GENESYSCLOUD_OAUTHCLIENT_ID")
        .env_remove("GENESYSCLOUD_OAUTHCLIENT_SECRET")
        .env_remove("GENESYSCLOUD_REGION")
        .env_remove("GENESYSCLOUD_API_BASE")
        .env("QUEUECAST_CONFIG", dir.path().join("config.toml"))
        .env("QUEUECAST_DATA_DIR", dir.path().join("data"));
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

async fn run(args: Vec<String>, env: Vec<(&'static str, &'static str)>) -> Output {
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        queuecast(&args, &env)
    })
    .await
    .unwrap()
}

const CREDS: [(&str, &str); 2] = [
    ("GENESYSCLOUD_OAUTHCLIENT_ID", "cli-client"),
    ("GENESYSCLOUD_OAUTHCLIENT_SECRET", SECRET),
];

async fn mock_genesys() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(wiremock::matchers::basic_auth("cli-client", SECRET))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "cli-token", "expires_in": 86400})),
        )
        .mount(&server)
        .await;
    server
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queues_lists_name_and_id_from_any_server_speaking_the_api() {
    let server = mock_genesys().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/routing/queues"))
        .and(query_param("pageNumber", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "entities": [{"id": "4b8f0c4e-1111-4c55-9a2e-0c0ffee00001", "name": "Sales"},
                         {"id": "4b8f0c4e-2222-4c55-9a2e-0c0ffee00002", "name": "Billing Support"}],
            "pageSize": 100, "pageNumber": 1, "total": 2, "pageCount": 1})))
        .expect(1)
        .mount(&server)
        .await;
    let out = run(
        vec!["queues".into(), "--api-base".into(), server.uri()],
        CREDS.to_vec(),
    )
    .await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout,
        "NAME             ID\n\
         Sales            4b8f0c4e-1111-4c55-9a2e-0c0ffee00001\n\
         Billing Support  4b8f0c4e-2222-4c55-9a2e-0c0ffee00002\n\
         2 queues\n"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queues_name_filter_is_passed_through() {
    let server = mock_genesys().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/routing/queues"))
        .and(query_param("name", "Sal*"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "entities": [{"id": "q1", "name": "Sales"}], "pageCount": 1})))
        .expect(1)
        .mount(&server)
        .await;
    let out = run(
        vec![
            "queues".into(),
            "--name".into(),
            "Sal*".into(),
            "--api-base".into(),
            server.uri(),
        ],
        CREDS.to_vec(),
    )
    .await;
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 queue\n"));
}

/// Issue 16: `queues --name nomatch` exited 0; a script must see it, with the fix.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queues_name_without_a_match_exits_2_with_a_hint() {
    let server = mock_genesys().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/routing/queues"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "entities": [], "pageCount": 0})))
        .mount(&server)
        .await;
    let args = ["queues", "--name", "Sales", "--api-base", &server.uri()];
    let out = run(args.map(String::from).to_vec(), CREDS.to_vec()).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("\"Sales*\""), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_failure_exits_3_with_the_correlation_id_and_no_secret() {
    let server = mock_genesys().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/routing/queues"))
        .respond_with(
            ResponseTemplate::new(403)
                .insert_header("ININ-Correlation-Id", "corr-cli-403")
                .set_body_json(
                    json!({"code": "missing.permissions", "message": "Missing routing:queue:view"}),
                ),
        )
        .mount(&server)
        .await;
    let out = run(
        vec!["queues".into(), "--api-base".into(), server.uri()],
        CREDS.to_vec(),
    )
    .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("corr-cli-403") && stderr.contains("missing.permissions"),
        "{stderr}"
    );
    assert!(
        !stderr.contains(SECRET) && !stderr.contains("cli-token"),
        "{stderr}"
    );
}

#[test]
fn queues_without_credentials_exits_2_naming_the_env_vars() {
    let out = queuecast(&["queues", "--api-base", "http://127.0.0.1:9"], &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("GENESYSCLOUD_OAUTHCLIENT_ID")
            && stderr.contains("GENESYSCLOUD_OAUTHCLIENT_SECRET"),
        "{stderr}"
    );
}

#[test]
fn queues_with_an_unknown_region_lists_the_valid_ones() {
    let out = queuecast(&["queues", "--region", "us.genesyscloud.com"], &CREDS);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("us.genesyscloud.com") && stderr.contains("mypurecloud.ie (eu-west-1)"),
        "{stderr}"
    );
}

#[test]
fn config_print_default_is_the_commented_default_file() {
    let out = queuecast(&["config", "--print-default"], &[]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        queuecast::config::DEFAULT_CONFIG_TOML
    );
}

#[test]
fn config_shows_effective_settings_with_the_secret_redacted() {
    let out = queuecast(&["config", "--region", "eu-west-1"], &CREDS);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!stdout.contains(SECRET), "{stdout}");
    assert!(
        stdout.contains("client_secret = \"[REDACTED]\""),
        "{stdout}"
    );
    assert!(
        stdout.contains("region = \"eu-west-1\"") && stdout.contains("client_id = \"cli-client\""),
        "{stdout}"
    );
}

#[test]
fn config_paths_honour_the_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("my.toml");
    // A file named with --config must exist (a typo must not silently mean defaults).
    let out = queuecast(
        &["config", "--paths", "--config", cfg.to_str().unwrap()],
        &[],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("no such file") && stderr.contains("my.toml"),
        "{stderr}"
    );
    std::fs::write(&cfg, "").unwrap();
    let out = queuecast(
        &["config", "--paths", "--config", cfg.to_str().unwrap()],
        &[],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout.contains(&format!("config file: {}", cfg.display())),
        "{stdout}"
    );
    assert!(
        stdout.contains("data dir:") && stdout.contains("log dir:"),
        "{stdout}"
    );
}

/// Issue 17: a server can put escape sequences in a queue name or an error message; the CLI
/// prints neither raw (no retitled or cleared terminal), and the error is printed once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn escape_sequences_from_the_server_never_reach_the_terminal() {
    let server = mock_genesys().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/routing/queues"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "entities": [{"id": "q1", "name": "\u{1b}]0;owned\u{7}Sales\u{1b}[2J"}],
            "pageCount": 1})))
        .mount(&server)
        .await;
    let args = ["queues", "--api-base", &server.uri()];
    let out = run(args.map(String::from).to_vec(), CREDS.to_vec()).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("Sales"), "{stdout}");
    assert!(!stdout.contains(['\u{1b}', '\u{7}']), "{stdout:?}");

    let server = mock_genesys().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/routing/queues"))
        .respond_with(ResponseTemplate::new(403).set_body_json(
            json!({"code": "missing.permissions", "message": "\u{1b}[2JMissing routing:queue:view"}),
        ))
        .mount(&server)
        .await;
    let args = ["queues", "--api-base", &server.uri()];
    let out = run(args.map(String::from).to_vec(), CREDS.to_vec()).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
    assert_eq!(
        stderr.matches("Missing routing:queue:view").count(),
        1,
        "printed once: {stderr}"
    );
}

/// Issue 17: a headless run says on stderr why it waits ("GET /api/v2/routing/queues: 503,
/// retry 1 in … s, … left"), then succeeds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_headless_run_says_on_stderr_why_it_waits() {
    let server = mock_genesys().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/routing/queues"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/routing/queues"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "entities": [{"id": "q1", "name": "Sales"}], "pageCount": 1})))
        .mount(&server)
        .await;
    let args = ["queues", "--api-base", &server.uri()];
    let out = run(args.map(String::from).to_vec(), CREDS.to_vec()).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let line = stderr
        .lines()
        .find(|l| l.contains("GET /api/v2/routing/queues: 503, retry 1 in "))
        .unwrap_or_else(|| panic!("no retry notice on stderr: {stderr}"));
    assert!(line.ends_with(" left"), "{line}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 queue\n"));
}
