//! The dashboard binary in a real pseudo-terminal, under the faults a careful user meets: a
//! paste that contains keys, a panic in a background job, a panic of the UI itself, and
//! SIGINT from another process. Checked on the screen, the terminal modes left behind and the
//! sandbox's stored campaigns.

use std::time::Duration;

use queuecast::sandbox::{self, SandboxOptions};

use super::pty::Term;

/// The fast model, so a forecast is ready soon.
const CONFIG: &str = "[forecast]\nmodel = \"seasonal-naive\"\n";

fn dashboard(base: &str, env: &[(&str, &str)]) -> Term {
    Term::dashboard(base, 30, 100, CONFIG, env)
}

/// The sandbox with only its three public series (`--queues 0`): small and quick to list.
fn sandbox() -> (tokio::runtime::Runtime, sandbox::SandboxHandle) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let opts = SandboxOptions {
        queue_count: 0,
        ..SandboxOptions::default()
    };
    let handle = rt.block_on(sandbox::start(opts)).unwrap();
    (rt, handle)
}

/// Issue 17 acceptance: pasting `x⏎sy` into a review field types `xsy` into it; the line
/// break does not end the edit and `s`, `y` do not submit. A paste with no field being edited
/// (where `s` would open the confirm and `y` answer it) is dropped. No campaign is created.
#[test]
fn a_paste_into_the_review_creates_no_campaign() {
    let (rt, handle) = sandbox();
    let before = handle.campaigns().len();
    let mut t = dashboard(&handle.base_url(), &[]);
    t.open_first_queue(3);
    t.send("c");
    t.wait_for("Campaign review", 10);
    t.wait_for("◀ choose", 30);
    // Contact list and script: the first of each, then the caller name field.
    for k in ["j", "l", "j", "l", "j", "j", "\r"] {
        t.send(k);
    }
    t.paste("x\nsy");
    t.send("\r");
    t.wait_for("xsy", 10);
    assert!(!t.text().contains("Confirm"), "{}", t.text());
    // Not editing now: a pasted `sy` would submit if it were read as keys.
    t.paste("sy");
    t.send("j");
    t.paste("\r");
    std::thread::sleep(Duration::from_millis(500));
    let screen = t.text();
    assert!(!screen.contains("Confirm"), "{screen}");
    assert!(!screen.contains("created"), "{screen}");
    assert_eq!(handle.campaigns().len(), before, "{screen}");
    t.send("q");
    // The draft was edited: quitting asks, and Enter does not answer.
    t.wait_for("draft has not been submitted", 10);
    t.send("\r");
    assert!(
        t.child.try_wait().unwrap().is_none(),
        "Enter answered the confirm"
    );
    t.send("y");
    assert!(t.wait_exit(10).success());
    t.assert_restored("quit");
    assert_eq!(handle.campaigns().len(), before);
    rt.block_on(handle.shutdown());
}

/// A model that panics in its background job: an error on screen, the payload in the log,
/// the dashboard still on its screen and answering keys.
#[test]
#[cfg_attr(
    not(debug_assertions),
    ignore = "QUEUECAST_TEST_PANIC acts in debug builds only"
)]
fn a_panic_in_a_fit_leaves_the_dashboard_responsive() {
    let (rt, handle) = sandbox();
    let mut t = dashboard(&handle.base_url(), &[("QUEUECAST_TEST_PANIC", "fit")]);
    t.wait_for("of 3 queues", 60);
    t.send("\r");
    t.wait_for("crashed", 120);
    assert!(t.parser.lock().unwrap().screen().alternate_screen());
    t.send("?");
    t.wait_for("keys from keybindings", 10);
    t.send("\x1b");
    t.send("q");
    assert!(t.wait_exit(10).success());
    t.assert_restored("quit after a job panicked");
    rt.block_on(handle.shutdown());
}

/// A panic of the event loop itself stops the app and gives the terminal back.
#[test]
#[cfg_attr(
    not(debug_assertions),
    ignore = "QUEUECAST_TEST_PANIC acts in debug builds only"
)]
fn a_panic_of_the_ui_restores_the_terminal_and_exits() {
    let (rt, handle) = sandbox();
    let mut t = dashboard(&handle.base_url(), &[("QUEUECAST_TEST_PANIC", "loop")]);
    t.wait_for("of 3 queues", 60);
    t.send("j");
    let status = t.wait_exit(10);
    assert!(!status.success(), "{status:?}");
    t.assert_restored("panic");
    rt.block_on(handle.shutdown());
}

/// An abort inside the process (`std::process::abort()` in the event loop, the test-only
/// `QUEUECAST_TEST_PANIC=abort` of debug builds) runs no hook and no destructor; the SIGABRT
/// action gives the PTY its cooked termios back and the output ends by leaving the alternate
/// screen and showing the cursor.
#[test]
#[cfg_attr(
    not(debug_assertions),
    ignore = "QUEUECAST_TEST_PANIC acts in debug builds only"
)]
fn an_abort_inside_the_process_restores_the_terminal() {
    let (rt, handle) = sandbox();
    let mut t = dashboard(&handle.base_url(), &[("QUEUECAST_TEST_PANIC", "abort")]);
    t.wait_for("of 3 queues", 60);
    assert_eq!(t.cooked(), (false, false), "the dashboard runs in raw mode");
    t.send("j");
    let status = t.wait_exit(10);
    assert!(!status.success(), "{status:?}");
    assert_eq!(
        t.cooked(),
        (true, true),
        "echo and icanon back on after the abort"
    );
    let raw = t.raw_text();
    let tail: String = raw
        .chars()
        .skip(raw.chars().count().saturating_sub(80))
        .collect();
    assert!(
        raw.ends_with("\u{1b}[?1049l\u{1b}[?25h"),
        "the output does not end with leave-alternate-screen, show-cursor: {tail:?}"
    );
    t.assert_restored("abort");
    rt.block_on(handle.shutdown());
}

/// SIGINT from another process (in raw mode Ctrl-C is a key, so this is `kill -INT`): quits
/// like SIGTERM, terminal restored.
#[test]
fn sigint_from_another_process_restores_the_terminal() {
    let (rt, handle) = sandbox();
    let mut t = dashboard(&handle.base_url(), &[]);
    t.wait_for("of 3 queues", 60);
    t.kill("INT");
    assert!(t.wait_exit(10).success());
    t.assert_restored("SIGINT");
    let raw = t.raw_text();
    assert!(
        raw.contains("\u{1b}[?2004h"),
        "bracketed paste was never on"
    );
    rt.block_on(handle.shutdown());
}

/// SIGQUIT and SIGABRT from another process (a supervisor, `kill -ABRT`) quit like SIGTERM and
/// leave the terminal restored, not in the alternate screen with the cursor hidden.
#[test]
fn sigquit_and_sigabrt_from_another_process_restore_the_terminal() {
    let (rt, handle) = sandbox();
    for signal in ["QUIT", "ABRT"] {
        let mut t = dashboard(&handle.base_url(), &[]);
        t.wait_for("of 3 queues", 60);
        t.kill(signal);
        assert!(t.wait_exit(10).success(), "SIG{signal}");
        t.assert_restored(&format!("SIG{signal}"));
    }
    rt.block_on(handle.shutdown());
}

/// Issue 17: a passing outage (the first three history queries answered 503) shows the retry
/// progress on the dashboard ("waiting: 503, retry 1 in 0.5 s, 2:59 left"), then the history
/// loads as if nothing had happened.
#[test]
fn a_passing_outage_shows_the_retry_notice_then_the_history_loads() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let opts = SandboxOptions {
        queue_count: 0,
        faults: sandbox::Faults {
            unavailable_aggregates: 3,
            ..sandbox::Faults::default()
        },
        ..SandboxOptions::default()
    };
    let handle = rt.block_on(sandbox::start(opts)).unwrap();
    let mut t = dashboard(&handle.base_url(), &[]);
    t.wait_for("of 3 queues", 60);
    t.send("\r");
    let screen = t.wait_for("waiting: 503, retry", 60);
    let line = screen
        .lines()
        .find(|l| l.contains("waiting: 503, retry"))
        .unwrap();
    assert!(line.contains(" s, ") && line.contains(" left"), "{line}");
    // Still under way: no tick before it.
    assert!(line.contains("… waiting: 503"), "{line}");
    assert!(!line.contains('✓'), "{line}");
    t.wait_for("refreshed", 120);
    t.send("q");
    assert!(t.wait_exit(10).success());
    rt.block_on(handle.shutdown());
}
