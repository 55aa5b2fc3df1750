//! `queuecast sandbox`: serve the simulated org until Ctrl-C.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use color_eyre::eyre::{WrapErr, eyre};

use super::{CliError, CommandResult, exit};
use crate::cli::{GlobalArgs, SandboxArgs};
use crate::config::{ENV_API_BASE, ENV_CLIENT_ID, ENV_CLIENT_SECRET};
use crate::sandbox::{
    self, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Faults, SandboxHandle, SandboxOptions,
};

/// `NAME=FILE.csv` from `--queue`.
pub fn parse_queue_spec(spec: &str) -> Result<(String, PathBuf), String> {
    match spec.split_once('=') {
        Some((name, path)) if !name.trim().is_empty() && !path.trim().is_empty() => {
            Ok((name.trim().to_string(), PathBuf::from(path.trim())))
        }
        _ => Err(format!(
            "--queue {spec:?} must be NAME=FILE.csv, e.g. --queue \"Sales=./sales.csv\""
        )),
    }
}

/// The sandbox zone: `--time-zone` if given, else the default the bundled data is laid out in.
pub fn sandbox_zone(global: &GlobalArgs) -> Result<chrono_tz::Tz, CliError> {
    match &global.time_zone {
        None => Ok(sandbox::DEFAULT_TIME_ZONE),
        Some(z) => z.parse().map_err(|_| {
            CliError::usage(eyre!(
                "--time-zone {z:?} is not an IANA zone name (e.g. America/Chicago)"
            ))
        }),
    }
}

/// The server settings `queuecast sandbox` asks for; every bad flag is a usage error naming it.
pub fn sandbox_options(
    global: &GlobalArgs,
    args: &SandboxArgs,
) -> Result<SandboxOptions, CliError> {
    let ip: IpAddr = args.bind.trim().parse().map_err(|_| {
        CliError::usage(eyre!(
            "--bind {:?} is not an IP address (e.g. 127.0.0.1 or ::1)",
            args.bind
        ))
    })?;
    let extra_queues = args
        .queues
        .iter()
        .map(|s| parse_queue_spec(s))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| CliError::usage(eyre!(e)))?;
    Ok(SandboxOptions {
        bind: SocketAddr::new(ip, args.port),
        faults: Faults::from(&args.faults),
        extra_queues,
        now: None,
        time_zone: sandbox_zone(global)?,
        seed: args.org.seed,
        queue_count: args.org.queue_count,
        retention_days: args.org.retention_days,
    })
}

/// Queue lines printed in full up to this many queues; past it, the first ones and a count.
const LISTED: usize = 40;

/// What the user needs to point queuecast (or curl) at the running sandbox.
fn print_banner(handle: &SandboxHandle, opts: &SandboxOptions) {
    let base = handle.base_url();
    let tz = opts.time_zone;
    println!("queuecast SANDBOX org: a simulated Genesys Cloud, not a real org");
    println!("  base URL       {base}   (/oauth/token and /api/v2 on the same port)");
    println!("  client id      {DEMO_CLIENT_ID}");
    println!(
        "  client secret  {DEMO_CLIENT_SECRET}   (public demo credential; opens only this sandbox)"
    );
    println!("  time zone      {tz}   (the contact centre's; pass it as --time-zone)");
    println!(
        "  contact centre {} simulated queues, seed {}; retention {} days",
        opts.queue_count, opts.seed, opts.retention_days
    );
    let queues = handle.queues();
    println!("  queues ({}):", queues.len());
    let shown = if queues.len() > LISTED {
        24
    } else {
        queues.len()
    };
    for q in &queues[..shown] {
        let what = match q.replayed {
            Some((points, _)) => format!("{} replayed, {points} buckets", q.granularity),
            None => format!("{} simulated", q.media),
        };
        println!("    {:<44} {:<14} {}  {what}", q.name, q.division, q.id);
    }
    if shown < queues.len() {
        println!(
            "    … and {} more (`queuecast queues` lists them all)",
            queues.len() - shown
        );
    }
    if opts.faults != Faults::default() {
        println!("  faults         {}", opts.faults);
    }
    let ip = opts.bind.ip();
    if !ip.is_loopback() {
        println!(
            "  WARNING: bound to {ip}, not loopback: anyone who can reach this machine can use the demo credentials"
        );
    }
    println!();
    println!("Try it:");
    let env = format!(
        "{ENV_API_BASE}={base} {ENV_CLIENT_ID}={DEMO_CLIENT_ID} {ENV_CLIENT_SECRET}={DEMO_CLIENT_SECRET}"
    );
    println!("  {env} queuecast queues");
    if opts.queue_count > 0 {
        println!(
            "  {env} queuecast forecast --queue \"{}\" --time-zone {tz}",
            sandbox::DEFAULT_QUEUE
        );
    }
    println!("Ctrl-C stops the sandbox.");
}

pub async fn run(global: &GlobalArgs, args: SandboxArgs) -> CommandResult {
    let opts = sandbox_options(global, &args)?;
    let handle = sandbox::start(opts.clone()).await.map_err(|e| match e {
        sandbox::SandboxError::Series { .. } | sandbox::SandboxError::Io { .. } => CliError {
            code: exit::DATA,
            report: eyre!(e),
        },
        other => CliError::usage(other),
    })?;
    print_banner(&handle, &opts);
    tokio::signal::ctrl_c()
        .await
        .wrap_err("cannot listen for Ctrl-C")
        .map_err(CliError::usage)?;
    let stats = handle.stats();
    handle.shutdown().await;
    println!(
        "sandbox stopped after {} requests ({} tokens, {} 401, {} 429, {} injected 503)",
        stats.requests,
        stats.tokens_issued,
        stats.unauthorized,
        stats.rate_limited,
        stats.injected_errors
    );
    Ok(exit::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_specs() {
        assert_eq!(
            parse_queue_spec("Sales = ./s.csv").unwrap(),
            ("Sales".to_string(), PathBuf::from("./s.csv"))
        );
        assert_eq!(
            parse_queue_spec("A=b=c.csv").unwrap().1,
            PathBuf::from("b=c.csv")
        );
        let e = parse_queue_spec("sales.csv").unwrap_err();
        assert!(e.contains("NAME=FILE.csv"), "{e}");
        assert!(parse_queue_spec("=x.csv").is_err());
    }

    fn args(bind: &str, queues: &[&str]) -> SandboxArgs {
        SandboxArgs {
            port: 0,
            bind: bind.into(),
            queues: queues.iter().map(|q| q.to_string()).collect(),
            org: crate::sandbox::OrgArgs {
                queue_count: 3,
                ..Default::default()
            },
            faults: crate::sandbox::FaultArgs {
                latency_ms: 40,
                ..Default::default()
            },
        }
    }

    #[test]
    fn options_from_flags() {
        let global = GlobalArgs {
            time_zone: Some("Europe/Berlin".into()),
            ..GlobalArgs::default()
        };
        let opts = sandbox_options(&global, &args(" ::1 ", &["Sales=s.csv"])).unwrap();
        assert_eq!(opts.bind, "[::1]:0".parse::<SocketAddr>().unwrap());
        assert_eq!(opts.time_zone, chrono_tz::Europe::Berlin);
        assert_eq!(
            opts.extra_queues,
            vec![("Sales".to_string(), PathBuf::from("s.csv"))]
        );
        assert_eq!(opts.faults.latency, std::time::Duration::from_millis(40));
        assert_eq!(opts.now, None);
        assert_eq!(opts.queue_count, 3);
        assert_eq!(opts.seed, crate::sandbox::DEFAULT_SEED);
    }

    #[test]
    fn bad_flags_are_usage_errors_naming_the_flag() {
        let global = GlobalArgs::default();
        let cases = [
            (args("localhost", &[]), "--bind"),
            (args("127.0.0.1", &["sales.csv"]), "NAME=FILE.csv"),
        ];
        for (a, needle) in cases {
            let e = sandbox_options(&global, &a).unwrap_err();
            assert_eq!(e.code, exit::USAGE);
            assert!(e.report.to_string().contains(needle), "{}", e.report);
        }
        let mars = GlobalArgs {
            time_zone: Some("Mars/Olympus".into()),
            ..GlobalArgs::default()
        };
        let e = sandbox_options(&mars, &args("127.0.0.1", &[])).unwrap_err();
        assert!(e.report.to_string().contains("--time-zone"), "{}", e.report);
    }
}
