//! The client secret and access tokens never reach a log line (at any level, including the
//! HTTP stack's own trace output), an error's Display/Debug, or the client's Debug.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use queuecast::genesys::{ClientSettings, GenesysClient, GenesysError};
use serde_json::json;
use wiremock::matchers::{bearer_token, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SECRET: &str = "S3CRET-do-not-log-7f9a";
const TOKEN_1: &str = "TOKEN-first-4c1d9e";
const TOKEN_2: &str = "TOKEN-second-8b2f0a";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn assert_clean(what: &str, text: &str) {
    for needle in [SECRET, TOKEN_1, TOKEN_2] {
        assert!(!text.contains(needle), "{what} leaks {needle}:\n{text}");
    }
    // The Basic header is base64(id:secret); catch an encoded leak too.
    use base64::Engine;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("cid:{SECRET}"));
    assert!(!text.contains(&basic), "{what} leaks the Basic credentials");
}

// Current-thread runtime: the thread-local subscriber sees every task the client spawns.
#[tokio::test]
async fn secret_and_tokens_never_appear_in_logs_or_errors() {
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    let tokens = Arc::new(Mutex::new(vec![TOKEN_2, TOKEN_1]));
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(move |_: &wiremock::Request| {
            let t = tokens.lock().unwrap().pop().unwrap_or(TOKEN_2);
            ResponseTemplate::new(200).set_body_json(json!({"access_token": t, "expires_in": 3600}))
        })
        .mount(&server)
        .await;
    // First token is rejected (refresh path), the second works, then a 429 and a 400.
    Mock::given(method("GET"))
        .and(path("/api/v2/organizations/me"))
        .and(bearer_token(TOKEN_1))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/organizations/me"))
        .and(bearer_token(TOKEN_2))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/organizations/me"))
        .and(bearer_token(TOKEN_2))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "o", "name": "Acme"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/routing/queues/q1"))
        .respond_with(
            ResponseTemplate::new(400)
                .insert_header("ININ-Correlation-Id", "corr-1")
                .set_body_json(json!({"code": "bad.request", "message": "nope"})),
        )
        .mount(&server)
        .await;

    let mut settings = ClientSettings::for_base(&server.uri(), "cid", SECRET);
    settings.min_backoff = Duration::from_millis(5);
    assert_clean("ClientSettings Debug", &format!("{settings:?}"));
    let client = GenesysClient::new(settings).unwrap();
    assert_clean("GenesysClient Debug", &format!("{client:?}"));

    client.organization_me().await.unwrap();
    let err = client.get_queue("q1").await.unwrap_err();
    assert_clean("API error", &format!("{err} {err:?}"));

    // A refused login and an unreachable host: the other two error paths that see credentials.
    let refused = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": "invalid_client"})))
        .mount(&refused)
        .await;
    let err = GenesysClient::new(ClientSettings::for_base(&refused.uri(), "cid", SECRET))
        .unwrap()
        .organization_me()
        .await
        .unwrap_err();
    assert!(matches!(err, GenesysError::Auth { .. }));
    assert_clean("auth error", &format!("{err} {err:?}"));

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut s = ClientSettings::for_base(&format!("http://127.0.0.1:{port}"), "cid", SECRET);
    s.max_retries = 0;
    let err = GenesysClient::new(s)
        .unwrap()
        .organization_me()
        .await
        .unwrap_err();
    assert_clean("transport error", &format!("{err} {err:?}"));

    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    // The capture really worked: the client's own request lines are there.
    assert!(
        text.contains("genesys request"),
        "no client log lines captured:\n{text}"
    );
    assert!(
        text.contains("corr-1"),
        "correlation id should be logged:\n{text}"
    );
    assert_clean("log output", &text);
}
