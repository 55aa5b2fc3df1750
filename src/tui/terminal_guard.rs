//! The terminal given back on every way out of the dashboard: a normal return, an error, a
//! panic of the event loop (a panic hook), and an abort inside the process (a SIGABRT action).
//!
//! A panic hook runs ordinary code, so it uses crossterm's restore. An abort does not unwind and
//! runs no hook: `abort()` raises SIGABRT, and only a signal handler runs before the process
//! dies. A handler may do only async-signal-safe work (POSIX `signal-safety(7)`), so it cannot
//! use crossterm (which locks stdout and allocates). Instead it does two system calls:
//! `tcsetattr` with the termios saved *before* raw mode was entered (kept in a static that is
//! filled before the handler is installed) and one `write(2)` of the escape sequences that leave
//! the modes the dashboard set. Then it re-raises SIGABRT with the default action
//! (`signal_hook::low_level::emulate_default_handler`: SIG_DFL, unblock, raise), so the process
//! still dies by SIGABRT as the caller of `abort()` meant.
//!
//! Why `signal_hook_registry::register_sigaction` rather than a raw `sigaction` (libc/nix): tokio
//! (the runtime's SIGTERM…SIGABRT streams) and crossterm already hold their handlers through
//! signal-hook-registry, which keeps one real handler per signal and runs every registered
//! action; a raw `sigaction` would replace theirs, or be replaced by the next one installed. The
//! `sigaction` form passes the `siginfo_t`, which tells an abort inside the process (sent by our
//! own pid) from `kill -ABRT` by another process: that one is left to the runtime, which quits
//! the way `q` does.

use std::sync::OnceLock;

use ratatui::DefaultTerminal;

/// Leaves what the dashboard turns on: bracketed paste, mouse reporting (never enabled, but a
/// crashed predecessor may have), the alternate screen, then shows the cursor.
#[cfg_attr(not(unix), allow(dead_code))]
const LEAVE: &[u8] = b"\x1b[?2004l\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?1049l\x1b[?25h";

/// Holds the terminal while the dashboard runs; dropping it gives the terminal back.
pub struct TerminalGuard {
    #[cfg(unix)]
    on_abort: Option<signal_hook_registry::SigId>,
}

impl TerminalGuard {
    /// Saves the cooked termios, installs the abort action, enters raw mode and the alternate
    /// screen (`ratatui::init`), turns bracketed paste on and installs the panic hook.
    ///
    /// A panic in a background job is *not* a way out: it is logged here, reported by its job
    /// as an error, and the dashboard keeps the screen (restoring it there would leave the app
    /// drawing over the shell).
    pub fn enter() -> (Self, DefaultTerminal) {
        #[cfg(unix)]
        let on_abort = abort::install();
        let terminal = ratatui::init();
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableBracketedPaste);
        let ui = std::thread::current().id();
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if std::thread::current().id() == ui {
                leave_terminal();
                previous(info);
            } else {
                tracing::error!("background job panicked: {info}");
            }
        }));
        let guard = Self {
            #[cfg(unix)]
            on_abort,
        };
        (guard, terminal)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        leave_terminal();
        #[cfg(unix)]
        if let Some(id) = self.on_abort.take() {
            signal_hook_registry::unregister(id);
        }
    }
}

/// Bracketed paste off, then ratatui's restore (raw mode off, main screen), then the cursor.
fn leave_terminal() {
    use crossterm::{cursor::Show, event::DisableBracketedPaste};
    let _ = crossterm::execute!(std::io::stdout(), DisableBracketedPaste);
    ratatui::restore();
    let _ = crossterm::execute!(std::io::stdout(), Show);
}

/// The termios in force before raw mode, and the descriptor it belongs to.
#[cfg(unix)]
struct Saved {
    fd: libc::c_int,
    termios: libc::termios,
}

#[cfg(unix)]
static SAVED: OnceLock<Saved> = OnceLock::new();

#[cfg(unix)]
mod abort {
    use super::{LEAVE, SAVED, Saved};

    /// Saves the current (cooked) termios, then registers the SIGABRT action. Without a
    /// terminal to save, or if the registry refuses, the dashboard runs without it (an abort
    /// then leaves the terminal as crossterm set it, as before) and the log says so.
    pub(super) fn install() -> Option<signal_hook_registry::SigId> {
        if SAVED.get().is_none() {
            let saved = save()?;
            let _ = SAVED.set(saved);
        }
        // SAFETY: the action does only async-signal-safe work (getpid, tcsetattr, write and
        // emulate_default_handler, documented as async-signal-safe), reads SAVED (an atomic
        // load: it was set above, before the action exists) and never allocates or locks.
        let id = unsafe { signal_hook_registry::register_sigaction(libc::SIGABRT, on_abort) };
        id.inspect_err(|e| tracing::warn!("no SIGABRT action, an abort may leave raw mode: {e}"))
            .ok()
    }

    /// The terminal's termios, read where crossterm sets raw mode: stdin if it is a terminal,
    /// else `/dev/tty` (whose descriptor stays open for the action).
    fn save() -> Option<Saved> {
        // SAFETY: isatty/open/tcgetattr on a descriptor we own, into a zeroed termios (a plain
        // C struct for which all-zero is a valid value).
        unsafe {
            let fd = if libc::isatty(libc::STDIN_FILENO) == 1 {
                libc::STDIN_FILENO
            } else {
                libc::open(c"/dev/tty".as_ptr(), libc::O_RDWR | libc::O_CLOEXEC)
            };
            let mut termios: libc::termios = std::mem::zeroed();
            if fd < 0 || libc::tcgetattr(fd, &mut termios) != 0 {
                tracing::warn!("no terminal attributes to restore on abort");
                return None;
            }
            Some(Saved { fd, termios })
        }
    }

    /// The SIGABRT action: for an abort inside the process, cooked mode and the main screen
    /// back, then the default action (the process dies by SIGABRT). `kill -ABRT` from another
    /// process (another sender pid) is left to the runtime's graceful quit.
    fn on_abort(info: &libc::siginfo_t) {
        // SAFETY: si_pid is filled for signals sent by kill/tgkill (SI_USER, SI_TKILL), which
        // is how both `abort()` and another process send SIGABRT; getpid is async-signal-safe.
        let (sender, me) = unsafe { (info.si_pid(), libc::getpid()) };
        if sender != 0 && sender != me {
            return;
        }
        restore_now();
        let _ = signal_hook::low_level::emulate_default_handler(libc::SIGABRT);
    }

    /// Two async-signal-safe system calls: the saved termios back, the leave sequences out.
    fn restore_now() {
        if let Some(s) = SAVED.get() {
            // SAFETY: tcsetattr on the descriptor the termios was read from.
            unsafe { libc::tcsetattr(s.fd, libc::TCSANOW, &s.termios) };
        }
        // SAFETY: write(2) of a static buffer to stdout, where the dashboard draws.
        unsafe { libc::write(libc::STDOUT_FILENO, LEAVE.as_ptr().cast(), LEAVE.len()) };
    }
}

#[cfg(test)]
mod tests {
    use super::LEAVE;

    /// The PTY test reads the end of the output: the sequences must end by leaving the
    /// alternate screen and showing the cursor, and turn bracketed paste off before that.
    #[test]
    fn the_abort_sequences_end_with_the_main_screen_and_the_cursor() {
        let s = std::str::from_utf8(LEAVE).unwrap();
        assert!(s.ends_with("\x1b[?1049l\x1b[?25h"), "{s:?}");
        assert!(s.starts_with("\x1b[?2004l"), "{s:?}");
    }
}
