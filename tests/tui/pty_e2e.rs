//! End to end through a real pseudo-terminal: the dashboard binary against an in-process
//! sandbox org, driven by keystrokes, checked on the sandbox's stored state and the export.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use queuecast::sandbox::{self, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, SandboxOptions};

struct Screen {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
}

impl Screen {
    fn text(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    fn wait_for(&self, needle: &str, secs: u64) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let t = self.text();
            if t.contains(needle) {
                return t;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {needle:?}; screen:\n{t}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn send(&mut self, s: &str) {
        self.writer.write_all(s.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        // Let the app process each chunk like a person typing.
        std::thread::sleep(Duration::from_millis(120));
    }
}

#[test]
fn demo_flow_creates_one_campaign_and_exports() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let handle = rt
        .block_on(sandbox::start(SandboxOptions::default()))
        .unwrap();
    let base = handle.base_url();
    let dir = tempfile::tempdir().unwrap();
    let before = handle.campaigns().len();

    let pty = native_pty_system()
        .openpty(PtySize {
            rows: 30,
            cols: 100,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_queuecast"));
    cmd.args([
        "dashboard",
        "--api-base",
        &base,
        "--time-zone",
        sandbox::DEFAULT_TIME_ZONE.name(),
    ]);
    cmd.cwd(dir.path());
    cmd.env("TERM", "xterm-256color");
    cmd.env("GENESYSCLOUD_OAUTHCLIENT_ID", DEMO_CLIENT_ID);
    cmd.env("GENESYSCLOUD_OAUTHCLIENT_SECRET", DEMO_CLIENT_SECRET);
    cmd.env_remove("GENESYSCLOUD_REGION");
    cmd.env_remove("GENESYSCLOUD_API_BASE");
    cmd.env_remove("NO_COLOR");
    cmd.env("QUEUECAST_DATA_DIR", dir.path().join("data"));
    cmd.env("QUEUECAST_CONFIG", dir.path().join("config.toml"));
    let mut child = pty.slave.spawn_command(cmd).unwrap();
    drop(pty.slave);
    let parser = Arc::new(Mutex::new(vt100::Parser::new(30, 100, 0)));
    let mut reader = pty.master.try_clone_reader().unwrap();
    {
        let parser = parser.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                parser.lock().unwrap().process(&buf[..n]);
            }
        });
    }
    let mut s = Screen {
        parser,
        writer: pty.master.take_writer().unwrap(),
    };

    s.wait_for("Choose a queue", 30);
    s.wait_for("of 3 queues", 30);
    s.send("\r");
    s.wait_for("refreshed", 120);
    // Take the second window out of the schedule.
    s.send("j");
    s.send(" ");
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
    s.send("s");
    s.wait_for("Confirm", 10);
    s.send("y");
    let screen = s.wait_for("✓ created", 30);
    // Submitting again is refused, not sent.
    s.send("s");
    s.send("\x1b");
    s.send("e");
    s.wait_for("Export forecast", 10);
    s.send("\r");
    s.wait_for("exported to", 30);
    s.send("q");
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "did not quit on q");
        std::thread::sleep(Duration::from_millis(50));
    }

    // Exactly one new campaign, status off, with the schedule of the selected windows.
    let campaigns = handle.campaigns();
    assert_eq!(campaigns.len(), before + 1, "{campaigns:#?}\n{screen}");
    let c = campaigns.last().unwrap();
    assert_eq!(c["campaignStatus"], "off", "{c}");
    assert_eq!(c["callerName"], "Acme Renewals");
    let id = c["id"].as_str().unwrap();
    let schedule = handle.schedule(id).expect("schedule stored");
    assert_eq!(schedule["timeZone"], sandbox::DEFAULT_TIME_ZONE.name());

    let export_path = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "json"))
        .expect("export written in the working directory");
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&export_path).unwrap()).unwrap();
    let windows = doc["lowVolumeWindows"].as_array().unwrap();
    assert!(windows.len() >= 2, "{windows:?}");
    let expected: Vec<(String, String)> = windows
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 1)
        .map(|(_, w)| {
            let cut = |v: &serde_json::Value| v.as_str().unwrap()[..19].to_string();
            (cut(&w["start"]), cut(&w["end"]))
        })
        .collect();
    let got: Vec<(String, String)> = schedule["intervals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|iv| {
            let cut = |v: &serde_json::Value| v.as_str().unwrap()[..19].to_string();
            (cut(&iv["start"]), cut(&iv["end"]))
        })
        .collect();
    assert_eq!(got, expected);
    // The export covers the whole horizon: 7 days of hourly buckets after the history.
    let intervals = doc["intervals"].as_array().unwrap();
    assert_eq!(intervals.len(), 7 * 24);
    rt.block_on(handle.shutdown());
}

/// A kill or a dropped SSH session must still leave the terminal usable: the app quits
/// cleanly (exit 0) and leaves the alternate screen on SIGTERM and SIGHUP alike.
#[test]
fn sigterm_and_sighup_quit_and_restore_the_terminal() {
    for signal in ["TERM", "HUP"] {
        let dir = tempfile::tempdir().unwrap();
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: 24,
                cols: 80,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_queuecast"));
        cmd.arg("demo");
        cmd.cwd(dir.path());
        cmd.env("TERM", "xterm-256color");
        cmd.env("QUEUECAST_DATA_DIR", dir.path().join("data"));
        cmd.env("QUEUECAST_CONFIG", dir.path().join("config.toml"));
        let mut child = pty.slave.spawn_command(cmd).unwrap();
        drop(pty.slave);
        let raw = Arc::new(Mutex::new(Vec::<u8>::new()));
        let mut reader = pty.master.try_clone_reader().unwrap();
        {
            let raw = raw.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 8192];
                while let Ok(n) = reader.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    raw.lock().unwrap().extend_from_slice(&buf[..n]);
                }
            });
        }
        let text = || String::from_utf8_lossy(&raw.lock().unwrap()).to_string();
        let deadline = Instant::now() + Duration::from_secs(30);
        while !text().contains("Bikeshare") {
            assert!(Instant::now() < deadline, "no picker: {}", text());
            std::thread::sleep(Duration::from_millis(50));
        }
        let before = raw.lock().unwrap().len();
        let pid = child.process_id().expect("child pid").to_string();
        let status = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &pid])
            .status()
            .unwrap();
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(10);
        let exit = loop {
            if let Some(s) = child.try_wait().unwrap() {
                break s;
            }
            assert!(Instant::now() < deadline, "SIG{signal} did not quit");
            std::thread::sleep(Duration::from_millis(50));
        };
        assert!(exit.success(), "SIG{signal}: {exit:?}");
        std::thread::sleep(Duration::from_millis(200));
        let after = raw.lock().unwrap()[before..].to_vec();
        let after = String::from_utf8_lossy(&after);
        assert!(
            after.contains("\u{1b}[?1049l"),
            "SIG{signal}: the alternate screen was not left: {after:?}"
        );
    }
}
