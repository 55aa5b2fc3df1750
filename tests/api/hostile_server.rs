//! The client against a hostile server on loopback: a raw TCP listener that misbehaves in
//! every way issue 17 lists (hangs before the headers or mid-body, trickles, sends a huge or
//! truncated body, the wrong shape, HTML with 200, redirects, 401 and 429 forever, resets
//! mid-body). The client's limits are shortened through its settings so each case ends in
//! about a second; the test asserts the error's kind and text, with a generous timeout as the
//! only time bound.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use queuecast::genesys::{ClientSettings, GenesysClient, GenesysError, RetryNotice};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Clone, Copy, Debug)]
enum Misbehaviour {
    HangBeforeHeaders,
    HangMidBody,
    Trickle,
    HugeBody,
    Truncated,
    WrongShape,
    Html200,
    Redirect,
    Unauthorized,
    RateLimited,
    ResetMidBody,
}

const TOKEN: &str = r#"{"access_token":"t","token_type":"bearer","expires_in":3600}"#;

/// Reads one request head; returns its request line.
async fn read_head(s: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if s.read(&mut byte).await.ok()? == 0 {
            return None;
        }
        buf.push(byte[0]);
    }
    let text = String::from_utf8_lossy(&buf).into_owned();
    // The token request has a small form body; read it so the connection stays clean.
    if let Some(len) = text
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().to_string())
        })
        .and_then(|v| v.parse::<usize>().ok())
    {
        let mut body = vec![0u8; len];
        s.read_exact(&mut body).await.ok()?;
    }
    Some(text.lines().next().unwrap_or_default().to_string())
}

fn response(status: &str, content_type: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
}

async fn serve(mut s: TcpStream, how: Misbehaviour, hits: Arc<AtomicUsize>) {
    let Some(line) = read_head(&mut s).await else {
        return;
    };
    let token = line.contains("/oauth/token");
    if token && !matches!(how, Misbehaviour::Unauthorized) {
        let _ = s
            .write_all(response("200 OK", "application/json", TOKEN).as_bytes())
            .await;
        return;
    }
    if !token {
        hits.fetch_add(1, Ordering::SeqCst);
    }
    let forever = Duration::from_secs(3600);
    use Misbehaviour::*;
    match how {
        HangBeforeHeaders => tokio::time::sleep(forever).await,
        HangMidBody => {
            let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"na";
            let _ = s.write_all(head.as_bytes()).await;
            tokio::time::sleep(forever).await;
        }
        Trickle => {
            let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
            let _ = s.write_all(head.as_bytes()).await;
            loop {
                if s.write_all(b"1\r\n \r\n").await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
        HugeBody => {
            let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
            let _ = s.write_all(head.as_bytes()).await;
            let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, " ".repeat(64 * 1024));
            // Up to 1.5 GB, unless the client hangs up first (it should, at its cap).
            for _ in 0..(1536 * 16) {
                if s.write_all(chunk.as_bytes()).await.is_err() {
                    return;
                }
            }
        }
        Truncated => {
            let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\nconnection: close\r\n\r\n{\"id\":\"x\",";
            let _ = s.write_all(head.as_bytes()).await;
        }
        WrongShape => {
            let _ = s
                .write_all(
                    response("200 OK", "application/json", r#"{"id":42,"name":["no"]}"#).as_bytes(),
                )
                .await;
        }
        Html200 => {
            let _ = s
                .write_all(
                    response(
                        "200 OK",
                        "text/html",
                        "<html><body>Sign in to the proxy</body></html>",
                    )
                    .as_bytes(),
                )
                .await;
        }
        Redirect => {
            let r = "HTTP/1.1 302 Found\r\nlocation: /api/v2/organizations/me\r\ncontent-length: 0\r\n\r\n";
            let _ = s.write_all(r.as_bytes()).await;
        }
        Unauthorized => {
            let _ = s
                .write_all(
                    response(
                        "401 Unauthorized",
                        "application/json",
                        r#"{"message":"no","code":"bad.credentials","status":401}"#,
                    )
                    .as_bytes(),
                )
                .await;
        }
        RateLimited => {
            let body = r#"{"message":"Rate limit exceeded the maximum. Retry the request in [1] seconds","code":"too.many.requests.retry.after","status":429}"#;
            let r = format!(
                "HTTP/1.1 429 Too Many Requests\r\nretry-after: 1\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            );
            let _ = s.write_all(r.as_bytes()).await;
        }
        ResetMidBody => {
            let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n{\"id\":";
            let _ = s.write_all(head.as_bytes()).await;
            // SO_LINGER 0: close sends RST instead of FIN (and a zero linger never blocks,
            // which is why tokio deprecates the call).
            #[allow(deprecated)]
            let _ = s.set_linger(Some(Duration::ZERO));
            drop(s);
        }
    }
}

/// A server misbehaving `how`, the client pointed at it with short limits, and the count of
/// API (non-token) requests it saw.
async fn hostile(how: Misbehaviour) -> (GenesysClient, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    {
        let hits = hits.clone();
        tokio::spawn(async move {
            while let Ok((s, _)) = listener.accept().await {
                tokio::spawn(serve(s, how, hits.clone()));
            }
        });
    }
    let mut s = ClientSettings::for_base(&base, "id", "secret");
    s.request_timeout = Duration::from_millis(700);
    s.connect_timeout = Duration::from_millis(500);
    s.min_backoff = Duration::from_millis(20);
    s.max_backoff = Duration::from_millis(50);
    s.max_retries = 3;
    s.retry_deadline = Duration::from_secs(3);
    s.max_retry_after = Duration::from_secs(2);
    s.max_body_bytes = 1024 * 1024;
    (GenesysClient::new(s).unwrap(), hits)
}

async fn fails(how: Misbehaviour) -> (GenesysError, usize) {
    let (client, hits) = hostile(how).await;
    let Ok(answer) = tokio::time::timeout(Duration::from_secs(30), client.organization_me()).await
    else {
        panic!("{how:?}: the client hung");
    };
    let err = answer.expect_err("a hostile answer must be an error");
    (err, hits.load(Ordering::SeqCst))
}

#[tokio::test]
async fn hangs_and_trickles_end_at_the_request_timeout_and_say_so() {
    for how in [
        Misbehaviour::HangBeforeHeaders,
        Misbehaviour::HangMidBody,
        Misbehaviour::Trickle,
    ] {
        let (err, hits) = fails(how).await;
        let text = err.to_string();
        assert!(
            matches!(
                err,
                GenesysError::Transport { .. } | GenesysError::Deadline { .. }
            ),
            "{how:?}: {err:?}"
        );
        assert!(!text.contains("cannot reach"), "{how:?}: {text}");
        assert!(
            text.contains("in time") || text.contains("within"),
            "{how:?}: {text}"
        );
        // A GET is idempotent: retried, inside the deadline.
        assert!(hits >= 2, "{how:?}: {hits} request(s)");
    }
}

#[tokio::test]
async fn a_huge_body_is_refused_at_the_cap() {
    let (err, hits) = fails(Misbehaviour::HugeBody).await;
    assert!(
        matches!(err, GenesysError::BodyTooLarge { limit_mb: 1, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("over 1 MB"), "{err}");
    assert_eq!(hits, 1, "a body over the cap is not asked for again");
}

#[tokio::test]
async fn truncated_and_reset_bodies_are_retried_then_named() {
    for how in [Misbehaviour::Truncated, Misbehaviour::ResetMidBody] {
        let (err, hits) = fails(how).await;
        let text = err.to_string();
        assert!(
            matches!(err, GenesysError::Transport { .. }),
            "{how:?}: {err:?}"
        );
        assert!(
            text.contains("broke off") || text.contains("connection failed"),
            "{how:?}: {text}"
        );
        assert!(!text.contains("cannot reach"), "{how:?}: {text}");
        assert_eq!(hits, 4, "{how:?}: 1 + max_retries attempts");
    }
}

#[tokio::test]
async fn wrong_shapes_and_html_name_the_problem() {
    let (err, _) = fails(Misbehaviour::WrongShape).await;
    assert!(matches!(err, GenesysError::Decode { .. }), "{err:?}");
    let (err, _) = fails(Misbehaviour::Html200).await;
    assert!(matches!(err, GenesysError::Decode { .. }), "{err:?}");
    assert!(err.to_string().contains("HTML page"), "{err}");
    assert!(!err.to_string().contains("correlation id none"), "{err}");
}

#[tokio::test]
async fn a_redirect_loop_ends() {
    let (err, _) = fails(Misbehaviour::Redirect).await;
    assert!(matches!(err, GenesysError::Transport { .. }), "{err:?}");
}

#[tokio::test]
async fn unauthorized_forever_is_an_auth_error_at_once() {
    let (err, hits) = fails(Misbehaviour::Unauthorized).await;
    assert!(
        matches!(err, GenesysError::Auth { status: 401, .. }),
        "{err:?}"
    );
    assert_eq!(hits, 0, "no API call without a token");
}

/// 429 forever: retried with `Retry-After` until the deadline, each wait reported.
#[tokio::test]
async fn rate_limited_forever_ends_at_the_deadline_with_progress() {
    let (client, hits) = hostile(Misbehaviour::RateLimited).await;
    let seen = Arc::new(std::sync::Mutex::new(Vec::<RetryNotice>::new()));
    {
        let seen = seen.clone();
        client.on_retry(move |n| seen.lock().unwrap().push(n.clone()));
    }
    let err = tokio::time::timeout(Duration::from_secs(30), client.organization_me())
        .await
        .expect("the client hung")
        .unwrap_err();
    assert!(
        matches!(
            err,
            GenesysError::Deadline { .. } | GenesysError::Api { status: 429, .. }
        ),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(text.contains("429"), "{text}");
    let seen = seen.lock().unwrap();
    assert!(
        !seen.is_empty() && seen.len() + 1 == hits.load(Ordering::SeqCst),
        "{seen:?}"
    );
    let first = seen[0].to_string();
    assert!(first.starts_with("429, retry 1 in 1.0 s, 0:0"), "{first}");
}
