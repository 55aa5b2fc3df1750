use std::process::ExitCode;

use clap::Parser;

use queuecast::cli::Cli;
use queuecast::commands;

fn main() -> ExitCode {
    return_large_blocks_on_free();
    // Installed before any terminal setup so ratatui's panic hook chains onto it.
    let _ = color_eyre::install();
    let cli = Cli::parse();
    if let Err(msg) = queuecast::forecast::prophet::Engine::from_env() {
        eprintln!("queuecast: {msg}");
        return ExitCode::from(commands::exit::USAGE);
    }
    let paths = queuecast::config::Paths::discover();
    let _log_guard = queuecast::logging::init(&paths.log_dir);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("queuecast: cannot start the async runtime: {e}");
            return ExitCode::from(commands::exit::USAGE);
        }
    };
    let outcome = runtime.block_on(commands::run(cli));
    // Don't wait for background tasks that are stuck on the network.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            let text = commands::error_text(&err.report);
            tracing::error!("{text}");
            eprintln!("queuecast: {text}");
            ExitCode::from(err.code)
        }
    }
}

/// glibc keeps freed blocks in its arenas and, after the first large block is freed, raises its
/// mmap threshold towards 32 MB, so the feature matrices every Prophet fit allocates and frees
/// (2-6 MB each at a year of 15-minute buckets) ended up in arenas that never shrink: the
/// process's peak RSS sat 25-35 MB above its live heap and varied run to run (issue 18: 47-62 MB
/// against a 23 MB heap peak). A fixed threshold (which also turns the adjustment off, see
/// mallopt(3)) gives every block over 128 KiB its own mapping, returned on free: 36-40 MB. The
/// 90-day hourly run allocates few such blocks, so its time does not change.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn return_large_blocks_on_free() {
    // SAFETY: mallopt only sets an allocator parameter; called first in main, on one thread.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn return_large_blocks_on_free() {}
