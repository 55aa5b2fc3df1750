//! Tracing to a daily-rotated file under the platform state dir; never to the terminal,
//! which belongs to the dashboard.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Lines the log writer's channel holds before it drops lines.
const LOG_BUFFER_LINES: usize = 4_096;

/// Starts file logging; keep the guard alive until exit so buffered lines are flushed.
/// `QUEUECAST_LOG` sets the filter (default `info`). Logging is best effort: if the directory
/// can't be created the app runs without a log rather than refusing to start.
pub fn init(log_dir: &Path) -> Option<WorkerGuard> {
    std::fs::create_dir_all(log_dir).ok()?;
    let appender = tracing_appender::rolling::daily(log_dir, "queuecast.log");
    // The channel allocates every slot up front: the default 128 000 lines took 4 MB of a
    // one-shot forecast's peak memory (heaptrack). A run logs a few dozen lines; a burst past
    // the limit drops lines (lossy) rather than blocking the forecast.
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(LOG_BUFFER_LINES)
        .finish(appender);
    let filter =
        EnvFilter::try_from_env("QUEUECAST_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .ok()?;
    Some(guard)
}
