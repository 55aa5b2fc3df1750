use std::process::ExitCode;

use clap::Parser;

use queuecast::cli::Cli;
use queuecast::commands;

fn main() -> ExitCode {
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
