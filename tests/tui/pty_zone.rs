//! The time-zone picker through the real binary: `queuecast dashboard` against the sandbox
//! with no `--time-zone` and no zone in config.toml, which the service treats like a real org
//! (it refuses the implicit UTC). Picking a zone saves it into the analyst's config.toml,
//! keeping their comments, and the queue's forecast follows.

use queuecast::sandbox::{self, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, SandboxOptions};

use super::pty::Term;

const CONFIG: &str = "# my settings\n[forecast]\nmodel = \"seasonal-naive\" # fast\n";

/// The sandbox, and the dashboard at `rows`×`cols` against it with no zone anywhere, its first
/// queue opened so the zone picker is showing.
fn picker_open(rows: u16, cols: u16) -> (tokio::runtime::Runtime, sandbox::SandboxHandle, Term) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let opts = SandboxOptions {
        queue_count: 0,
        ..SandboxOptions::default()
    };
    let handle = rt.block_on(sandbox::start(opts)).unwrap();
    let base = handle.base_url();
    let env = [
        ("GENESYSCLOUD_OAUTHCLIENT_ID", DEMO_CLIENT_ID),
        ("GENESYSCLOUD_OAUTHCLIENT_SECRET", DEMO_CLIENT_SECRET),
    ];
    let mut t = Term::spawn(
        &["dashboard", "--api-base", &base],
        rows,
        cols,
        CONFIG,
        &env,
    );
    t.wait_for("of 3 queues", 60);
    t.send("\r");
    t.wait_for("No time zone is configured", 10);
    (rt, handle, t)
}

#[test]
fn picking_a_zone_saves_it_and_the_queue_is_forecast() {
    let (rt, handle, mut t) = picker_open(24, 80);
    t.send("dublin");
    t.wait_for("> Europe/Dublin", 10);
    t.send("\r");
    t.wait_for("Europe/Dublin saved", 10);
    let saved = std::fs::read_to_string(t.dir().join("config.toml")).unwrap();
    assert!(saved.contains("# my settings"), "{saved}");
    assert!(
        saved.contains("model = \"seasonal-naive\" # fast"),
        "{saved}"
    );
    assert!(
        saved.contains("[history]\ntime_zone = \"Europe/Dublin\""),
        "{saved}"
    );
    // The models popup opens only once the forecast is ready.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while !t.text().contains("Models · backtest") {
        assert!(
            std::time::Instant::now() < deadline,
            "no forecast:\n{}",
            t.text()
        );
        assert!(!t.text().contains("no time zone for queue"), "{}", t.text());
        t.send("m");
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    t.send("\x1b");
    t.send("q");
    assert!(t.wait_exit(10).success());
    rt.block_on(handle.shutdown());
}

#[test]
fn esc_leaves_the_queue_with_the_error_that_names_the_fix() {
    let (rt, handle, mut t) = picker_open(30, 100);
    t.send("\x1b");
    t.wait_for("time_zone", 30);
    assert!(!t.text().contains("No time zone is configured"));
    let kept = std::fs::read_to_string(t.dir().join("config.toml")).unwrap();
    assert_eq!(kept, CONFIG, "Esc writes nothing");
    t.send("q");
    assert!(t.wait_exit(10).success());
    rt.block_on(handle.shutdown());
}
