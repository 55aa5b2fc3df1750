//! End to end through a real pseudo-terminal: the dashboard binary against an in-process
//! sandbox org, driven by keystrokes, checked on the sandbox's stored state and the export.

use std::time::{Duration, Instant};

use queuecast::sandbox::{self, SandboxOptions};

use super::pty::Term;

const QUARTILE: &str = "[staffing]\nwindows = \"quartile\"\n";

/// Opens the campaign review and fills every field (preview mode).
fn fill_review(s: &mut Term) {
    s.send("c");
    s.wait_for("Campaign review", 10);
    s.wait_for("◀ choose", 30);
    // Contact list, script: pick the first of each.
    s.send("j");
    s.send("l");
    s.send("j");
    s.send("l");
    // Dialing mode stays preview; caller name, caller address.
    s.send("j");
    s.send("j");
    s.send("\r");
    s.send("Acme Renewals");
    s.send("\r");
    s.send("j");
    s.send("\r");
    s.send("+13175550100");
    s.send("\r");
}

#[test]
fn demo_flow_creates_one_campaign_and_exports() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let handle = rt
        .block_on(sandbox::start(SandboxOptions::default()))
        .unwrap();
    let base = handle.base_url();
    let before = handle.campaigns().len();
    // Quartile windows: the first queue's sandbox roster leaves no capacity window to select.
    let mut s = Term::dashboard(&base, 30, 100, QUARTILE, &[]);

    s.open_first_queue(handle.queues().len());
    // Take the second window out of the schedule.
    s.send("j");
    s.send(" ");
    fill_review(&mut s);
    s.send("s");
    s.wait_for("Confirm", 10);
    // A window already under way (or starting within the margin) is scheduled from the
    // submit time plus the margin ([campaign] schedule_margin_min), never before; one left
    // shorter than the minimum window is dropped. The submit happens between these two clocks.
    let margin = chrono::TimeDelta::minutes(queuecast::config::DEFAULT_SCHEDULE_MARGIN_MIN as i64);
    // Rounded up to the whole minute, as the clip does.
    let local = |t: chrono::DateTime<chrono::Utc>| {
        let t = queuecast::campaign::ceil_minute(t + margin);
        t.with_timezone(&sandbox::DEFAULT_TIME_ZONE).naive_local()
    };
    let earliest_clip = local(chrono::Utc::now());
    s.send("y");
    let screen = s.wait_for("✓ created", 30);
    let latest_clip = local(chrono::Utc::now());
    // Submitting again is refused, not sent.
    s.send("s");
    s.send("\x1b");
    s.send("e");
    s.wait_for("Export forecast", 10);
    s.send("\r");
    let exported = s.wait_for("exported to", 30);
    // The toast names where the file went: the absolute path, not the bare file name.
    let dir_name = s.dir().display().to_string();
    assert!(
        exported.contains(&format!("exported to {dir_name}/")),
        "{exported}"
    );
    s.send("q");
    assert!(s.wait_exit(10).success(), "q quits");

    // Exactly one new campaign, status off, with the schedule of the selected windows.
    let campaigns = handle.campaigns();
    assert_eq!(campaigns.len(), before + 1, "{campaigns:#?}\n{screen}");
    let c = campaigns.last().unwrap();
    assert_eq!(c["campaignStatus"], "off", "{c}");
    assert_eq!(c["callerName"], "Acme Renewals");
    let id = c["id"].as_str().unwrap();
    let schedule = handle.schedule(id).expect("schedule stored");
    assert_eq!(schedule["timeZone"], sandbox::DEFAULT_TIME_ZONE.name());

    let export_path = std::fs::read_dir(s.dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "json"))
        .expect("export written in the working directory");
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&export_path).unwrap()).unwrap();
    let windows = doc["lowVolumeWindows"].as_array().unwrap();
    assert!(windows.len() >= 2, "{windows:?}");
    let at = |v: &serde_json::Value| {
        chrono::NaiveDateTime::parse_from_str(&v.as_str().unwrap()[..19], "%Y-%m-%dT%H:%M:%S")
            .unwrap()
    };
    let min_len = queuecast::campaign::MIN_WINDOW;
    let selected: Vec<_> = windows
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 1)
        .map(|(_, w)| (at(&w["start"]), at(&w["end"])))
        .collect();
    let got: Vec<_> = schedule["intervals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|iv| (at(&iv["start"]), at(&iv["end"])))
        .collect();
    // Every selected window that outlasts the latest clip by the minimum is sent; one that
    // cannot outlast even the earliest clip is not; each sent interval is a selected window,
    // clipped to no later than the latest clip.
    for (start, end) in &selected {
        let sent = got.iter().find(|g| g.1 == *end);
        if *end - (*start).max(latest_clip) >= min_len {
            assert!(sent.is_some(), "{got:?}\n{selected:?}");
        }
        if *end - (*start).max(earliest_clip) < min_len {
            assert!(sent.is_none(), "{got:?}\n{selected:?}");
        }
    }
    for g in &got {
        let e = selected.iter().find(|e| e.1 == g.1);
        let e = e.unwrap_or_else(|| panic!("{g:?} not selected: {selected:?}"));
        let clipped = e.0 < g.0 && earliest_clip <= g.0 && g.0 <= latest_clip;
        assert!(g.0 == e.0 || clipped, "{got:?}\n{selected:?}");
    }
    // The export covers the whole horizon: 7 days of hourly buckets after the history.
    let intervals = doc["intervals"].as_array().unwrap();
    assert_eq!(intervals.len(), 7 * 24);
    rt.block_on(handle.shutdown());
}

/// Issue 16: a key must never act on a screen the analyst cannot see. Fill the review on a
/// big terminal, shrink it under the minimum, press `s` `y`, grow it again: nothing was
/// created and no confirm is open; the same keys on the visible screen open the confirm.
#[test]
fn keys_on_a_too_small_terminal_submit_nothing() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let handle = rt
        .block_on(sandbox::start(SandboxOptions::default()))
        .unwrap();
    let before = handle.campaigns().len();
    let mut s = Term::dashboard(&handle.base_url(), 50, 200, QUARTILE, &[]);
    s.open_first_queue(handle.queues().len());
    fill_review(&mut s);
    s.resize(20, 60);
    s.wait_for("terminal too small", 10);
    s.send("s");
    s.send("y");
    s.resize(50, 200);
    let screen = s.wait_for("Campaign review", 10);
    assert!(!screen.contains("Confirm"), "{screen}");
    assert_eq!(handle.campaigns().len(), before, "{screen}");
    s.send("s");
    s.wait_for("Confirm", 10);
    s.send("n");
    s.send("q");
    s.wait_for("has not been submitted", 10);
    s.send("y");
    assert!(s.wait_exit(10).success(), "q, y quits");
    assert_eq!(handle.campaigns().len(), before);
    rt.block_on(handle.shutdown());
}

/// A kill or a dropped SSH session must still leave the terminal usable: the app quits
/// cleanly (exit 0) and leaves the alternate screen on SIGTERM and SIGHUP alike.
#[test]
fn sigterm_and_sighup_quit_and_restore_the_terminal() {
    for signal in ["TERM", "HUP"] {
        let mut t = Term::spawn(&["demo"], 24, 80, "", &[]);
        // The demo opens straight on the contact centre's default queue.
        let deadline = Instant::now() + Duration::from_secs(30);
        while !t.raw_text().contains(sandbox::DEFAULT_QUEUE) {
            assert!(Instant::now() < deadline, "no queue: {}", t.raw_text());
            std::thread::sleep(Duration::from_millis(50));
        }
        let before = t.raw.lock().unwrap().len();
        t.kill(signal);
        let exit = t.wait_exit(10);
        assert!(exit.success(), "SIG{signal}: {exit:?}");
        let after = t.raw.lock().unwrap()[before..].to_vec();
        let after = String::from_utf8_lossy(&after);
        assert!(
            after.contains("\u{1b}[?1049l"),
            "SIG{signal}: the alternate screen was not left: {after:?}"
        );
    }
}

/// Issue 13 item 4: `queuecast demo` opens on the queue board listing the contact centre's
/// queues (at least 20), rows fill in while the keys work, Enter opens the selected queue's
/// dashboard and Esc brings the board back with its filter and selection.
#[test]
fn demo_opens_on_the_board_and_esc_comes_back_to_it() {
    let mut t = Term::spawn(&["demo"], 40, 120, "", &[]);
    let screen = t.wait_for("Queue board", 60);
    let listed = t.wait_for("queues · forecast", 60);
    let total: usize = listed
        .split(" of ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no queue count: {listed}"));
    assert!(total >= 20, "{total} queues:\n{screen}");
    // The default queue is selected; typing before the forecasts finish still works.
    t.wait_for(&format!("▶ {}", sandbox::DEFAULT_QUEUE), 30);
    t.send("/billing voice");
    t.send("\r");
    let filtered = t.wait_for("1 of ", 10);
    assert!(filtered.contains("▶ Billing Voice"), "{filtered}");
    t.send("\r");
    t.wait_for("windows", 30);
    let dash = t.wait_for("refreshed", 120);
    assert!(dash.contains("Billing Voice"), "{dash}");
    t.send("\x1b");
    let back = t.wait_for("Queue board", 10);
    assert!(
        back.contains("Filter: billing voice") && back.contains("▶ Billing Voice"),
        "the board as it was left:\n{back}"
    );
    // Every row finishes in the background: the header counts them all.
    t.wait_for(&format!("forecast {total}/{total}"), 180);
    t.send("q");
    assert!(t.wait_exit(10).success(), "q quits from the board");
}

/// The count in the windows table's title (`Capacity windows · 3/5 in schedule`): windows.
fn capacity_count(screen: &str) -> usize {
    let line = screen
        .lines()
        .find(|l| l.contains("Capacity windows ·"))
        .unwrap_or_else(|| panic!("no capacity title:\n{screen}"));
    line.split("in schedule")
        .next()
        .and_then(|s| s.rsplit('/').next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no count in {line:?}"))
}

/// Issue 14 item 5: in `queuecast demo` the dashboard shows capacity windows from the
/// sandbox's roster; a what-if of 500 staffed agents for the whole forecast changes them on
/// screen (no refit), and `A` brings the roster's windows back.
#[test]
fn demo_what_if_staffed_agents_changes_the_windows_on_screen() {
    let mut t = Term::spawn(&["demo"], 40, 120, "", &[]);
    t.wait_for(&format!("▶ {}", sandbox::DEFAULT_QUEUE), 60);
    t.send("\r");
    t.wait_for("refreshed", 120);
    let before = t.wait_for("Capacity windows ·", 30);
    assert!(
        before.contains("agents") && before.contains("need"),
        "{before}"
    );
    let n_before = capacity_count(&before);
    t.send("a");
    let prompt = t.wait_for("What-if: staffed agents", 10);
    if !prompt.contains("the whole forecast") {
        t.send("\t");
        t.wait_for("the whole forecast", 10);
    }
    t.send("500");
    t.wait_for("Agents 500", 10);
    t.send("\r");
    let after = t.wait_for("what-if 500", 10);
    assert!(after.contains("WHAT-IF 500 (all)"), "{after}");
    let n_after = capacity_count(&after);
    assert!(
        n_after > 0,
        "500 agents leave every calling hour spare:\n{after}"
    );
    assert_ne!(
        (n_before, before.contains("13h00")),
        (n_after, after.contains("13h00")),
        "the windows changed:\n{before}\n{after}"
    );
    t.send("A");
    let cleared = t.wait_for("what-if cleared", 10);
    assert_eq!(capacity_count(&cleared), n_before, "{cleared}");
    assert!(!cleared.contains("· what-if 500"), "{cleared}");
    t.send("q");
    assert!(t.wait_exit(10).success());
}

/// The demo takes the user's `[genesys]` retry limits (a failing queue's notice counts down
/// from the configured 20 s, not the 180 s default) and never the user's access token: with
/// `GENESYSCLOUD_ACCESS_TOKEN` set, the sandbox, which refuses tokens it did not issue, still
/// serves the queues.
#[test]
fn the_demo_honours_retry_settings_and_never_sends_the_users_token() {
    let config = "[genesys]\nretry_deadline_secs = 20\n";
    let env = [("GENESYSCLOUD_ACCESS_TOKEN", "the-users-real-token")];
    let args = ["demo", "--fail-queue", "Billing Voice"];
    let t = Term::spawn(&args, 24, 80, config, &env);
    let screen = t.wait_for(" left", 60);
    let line = screen.lines().find(|l| l.contains(" left")).unwrap();
    let clock = line
        .split(" left")
        .next()
        .unwrap()
        .rsplit(' ')
        .next()
        .unwrap();
    let (m, s) = clock.split_once(':').unwrap_or_else(|| panic!("{line}"));
    let secs: u64 = m.parse::<u64>().unwrap() * 60 + s.parse::<u64>().unwrap();
    assert!(secs <= 20, "{line}");
    // A forecast row ("0.70×" against the naive) means the sandbox answered.
    t.wait_for("×", 60);
}
