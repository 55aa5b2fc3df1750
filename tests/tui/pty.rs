//! One harness for every PTY test: the real binary in a pseudo-terminal, read through a vt100
//! parser (the screen) and as raw bytes (the modes it set and reset), driven like a person types.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, ExitStatus, MasterPty, PtySize, native_pty_system};
use queuecast::sandbox::{self, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};

pub struct Term {
    pub parser: Arc<Mutex<vt100::Parser>>,
    pub raw: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn Write + Send>,
    master: Box<dyn MasterPty + Send>,
    pub child: Box<dyn Child + Send + Sync>,
    dir: tempfile::TempDir,
}

fn size(rows: u16, cols: u16) -> PtySize {
    PtySize {
        rows,
        cols,
        pixel_width: 0,
        pixel_height: 0,
    }
}

impl Term {
    /// `queuecast dashboard` against the sandbox at `base` in the sandbox's zone, with
    /// `config` as its config.toml (none if empty) and `env` added.
    pub fn dashboard(base: &str, rows: u16, cols: u16, config: &str, env: &[(&str, &str)]) -> Term {
        let zone = sandbox::DEFAULT_TIME_ZONE.name();
        let args = ["dashboard", "--api-base", base, "--time-zone", zone];
        let mut all = vec![
            ("GENESYSCLOUD_OAUTHCLIENT_ID", DEMO_CLIENT_ID),
            ("GENESYSCLOUD_OAUTHCLIENT_SECRET", DEMO_CLIENT_SECRET),
        ];
        all.extend_from_slice(env);
        Term::spawn(&args, rows, cols, config, &all)
    }

    /// `queuecast <args>` in a `rows`×`cols` terminal, in a fresh directory holding its
    /// config (`config`, none if empty) and data dir.
    pub fn spawn(args: &[&str], rows: u16, cols: u16, config: &str, env: &[(&str, &str)]) -> Term {
        let dir = tempfile::tempdir().unwrap();
        if !config.is_empty() {
            std::fs::write(dir.path().join("config.toml"), config).unwrap();
        }
        let pty = native_pty_system().openpty(size(rows, cols)).unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_queuecast"));
        cmd.args(args);
        cmd.cwd(dir.path());
        cmd.env("TERM", "xterm-256color");
        for var in [
            "GENESYSCLOUD_REGION",
            "GENESYSCLOUD_API_BASE",
            "NO_COLOR",
            "QUEUECAST_TEST_PANIC",
        ] {
            cmd.env_remove(var);
        }
        cmd.env("QUEUECAST_DATA_DIR", dir.path().join("data"));
        cmd.env("QUEUECAST_CONFIG", dir.path().join("config.toml"));
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pty.slave.spawn_command(cmd).unwrap();
        drop(pty.slave);
        let parser = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let mut reader = pty.master.try_clone_reader().unwrap();
        {
            let (parser, raw) = (parser.clone(), raw.clone());
            std::thread::spawn(move || {
                let mut buf = [0u8; 8192];
                while let Ok(n) = reader.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    parser.lock().unwrap().process(&buf[..n]);
                    raw.lock().unwrap().extend_from_slice(&buf[..n]);
                }
            });
        }
        Term {
            parser,
            raw,
            writer: pty.master.take_writer().unwrap(),
            master: pty.master,
            child,
            dir,
        }
    }

    /// The working directory (relative exports land here).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn text(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Everything the app wrote so far, as text (escape sequences included).
    pub fn raw_text(&self) -> String {
        String::from_utf8_lossy(&self.raw.lock().unwrap()).to_string()
    }

    pub fn wait_for(&self, needle: &str, secs: u64) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let t = self.text();
            if t.contains(needle) {
                return t;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {needle:?}; screen:\n{t}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Types `s` and lets the app process it, like a person typing.
    pub fn send(&mut self, s: &str) {
        self.writer.write_all(s.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        std::thread::sleep(Duration::from_millis(150));
    }

    /// What the terminal would paste, framed as bracketed paste (the app asked for it).
    pub fn paste(&mut self, s: &str) {
        assert!(
            self.parser.lock().unwrap().screen().bracketed_paste(),
            "the dashboard did not turn bracketed paste on"
        );
        self.send(&format!("\x1b[200~{s}\x1b[201~"));
    }

    /// Resizes the terminal as a person dragging the window does (the app gets SIGWINCH).
    pub fn resize(&mut self, rows: u16, cols: u16) {
        self.parser
            .lock()
            .unwrap()
            .screen_mut()
            .set_size(rows, cols);
        self.master.resize(size(rows, cols)).unwrap();
        std::thread::sleep(Duration::from_millis(200));
    }

    /// Sends `signal` (e.g. "INT", "TERM") to the app, as another process would.
    pub fn kill(&self, signal: &str) {
        let pid = self.child.process_id().expect("child pid").to_string();
        let status = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &pid])
            .status()
            .unwrap();
        assert!(status.success());
    }

    pub fn wait_exit(&mut self, secs: u64) -> ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                // Let the reader drain the last bytes.
                std::thread::sleep(Duration::from_millis(200));
                return s;
            }
            assert!(Instant::now() < deadline, "did not exit:\n{}", self.text());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Whether the PTY echoes and reads lines (cooked mode), from its termios: `(ECHO, ICANON)`.
    pub fn cooked(&self) -> (bool, bool) {
        let fd = self.master.as_raw_fd().expect("the PTY's descriptor");
        // SAFETY: tcgetattr on the open master descriptor into a zeroed C struct.
        let t = unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            assert_eq!(libc::tcgetattr(fd, &mut t), 0, "tcgetattr on the PTY");
            t
        };
        (t.c_lflag & libc::ECHO != 0, t.c_lflag & libc::ICANON != 0)
    }

    /// The terminal modes after exit: main screen, cursor shown, bracketed paste off.
    pub fn assert_restored(&self, what: &str) {
        let p = self.parser.lock().unwrap();
        let s = p.screen();
        assert!(
            !s.alternate_screen(),
            "{what}: still on the alternate screen"
        );
        assert!(!s.hide_cursor(), "{what}: cursor left hidden");
        assert!(!s.bracketed_paste(), "{what}: bracketed paste left on");
    }

    /// Opens the first of the org's `queues` queues and waits for its forecast.
    pub fn open_first_queue(&mut self, queues: usize) {
        self.wait_for("Queue board", 60);
        self.wait_for(&format!("of {queues} queues"), 60);
        // The board opens with the first queue by name selected.
        self.send("\x1b[H");
        self.send("\r");
        self.wait_for("refreshed", 120);
    }
}
