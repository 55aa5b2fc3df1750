//! `queuecast demo`: the embedded sandbox org, fetched through the real client. No config file,
//! env var or credential is read, so a real org can never be mixed in.
//!
//! Until the dashboard exists this prints a labelled summary instead of opening it.

use chrono::{DateTime, Duration, DurationRound, Timelike, Utc};
use color_eyre::eyre::eyre;

use super::{CliError, CommandResult, exit};
use crate::cli::{DemoArgs, GlobalArgs};
use crate::genesys::{AggregateQuery, ClientSettings, GenesysClient};
use crate::granularity::Granularity;
use crate::sandbox::{self, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Faults, SandboxOptions};

/// Days of history the demo summary covers (the config default).
const DEMO_DAYS: i64 = 90;

/// The label on every demo line, so nobody mistakes the output for their real org.
const LABEL: &str = "SANDBOX";

pub async fn run(global: &GlobalArgs, args: DemoArgs) -> CommandResult {
    let tz = super::sandbox::sandbox_zone(global)?;
    let handle = sandbox::start(SandboxOptions {
        faults: Faults::from(&args.faults),
        time_zone: tz,
        ..SandboxOptions::default()
    })
    .await
    .map_err(CliError::usage)?;
    let result = summarise(&handle, tz, args.dashboard.queue.as_deref()).await;
    handle.shutdown().await;
    result
}

async fn summarise(
    handle: &sandbox::SandboxHandle,
    tz: chrono_tz::Tz,
    wanted: Option<&str>,
) -> CommandResult {
    let client = GenesysClient::new(ClientSettings::for_base(
        &handle.base_url(),
        DEMO_CLIENT_ID,
        DEMO_CLIENT_SECRET,
    ))
    .map_err(CliError::api)?;
    let org = client.organization_me().await.map_err(CliError::api)?;
    println!(
        "{LABEL}  {} at {}: simulated data, not a real Genesys Cloud org",
        org.name,
        handle.base_url()
    );
    let queues = client.list_queues(None).await.map_err(CliError::api)?;
    println!("{LABEL}  {} queues:", queues.len());
    for q in &queues {
        println!("{LABEL}    {:<38} {}", q.name, q.id);
    }
    let queue = match wanted {
        None => queues.first(),
        Some(w) => queues
            .iter()
            .find(|q| q.id == w || q.name.eq_ignore_ascii_case(w)),
    }
    .ok_or_else(|| {
        CliError::usage(eyre!(
            "no sandbox queue named {:?}; pick one of the names above",
            wanted.unwrap_or_default()
        ))
    })?;

    let end = Utc::now()
        .duration_trunc(Duration::hours(1))
        .map_err(|e| CliError::usage(eyre!("clock error: {e}")))?;
    let start = end - Duration::days(DEMO_DAYS);
    let before = handle.request_count();
    let t0 = std::time::Instant::now();
    let query = AggregateQuery::new(queue.id.clone(), start, end, Granularity::Pt1h, tz.name());
    let buckets = client
        .fetch_aggregates(&query, None)
        .await
        .map_err(CliError::api)?;
    let requests = handle.request_count() - before;
    let hours = (end - start).num_hours();
    let total: f64 = buckets.iter().map(|b| b.n_offered).sum();
    println!(
        "{LABEL}  history of {:?}: last {DEMO_DAYS} days at PT1H in {tz}, {requests} requests in {:.2} s",
        queue.name,
        t0.elapsed().as_secs_f64()
    );
    println!(
        "{LABEL}    {} of {hours} hours had contacts (Genesys omits empty buckets); total {total:.0}, mean {:.1}/h",
        buckets.len(),
        total / hours as f64
    );
    if let Some(peak) = buckets.iter().max_by(|a, b| a.n_offered.total_cmp(&b.n_offered)) {
        println!(
            "{LABEL}    busiest hour: {} ({:.0})",
            local(peak.start, tz),
            peak.n_offered
        );
    }
    let mut by_hour = [0.0f64; 24];
    for b in &buckets {
        by_hour[b.start.with_timezone(&tz).hour() as usize] += b.n_offered;
    }
    let days = DEMO_DAYS as f64;
    let (quiet, busy) = by_hour.iter().enumerate().fold((0, 0), |(q, b), (h, v)| {
        (
            if *v < by_hour[q] { h } else { q },
            if *v > by_hour[b] { h } else { b },
        )
    });
    println!(
        "{LABEL}    hour of day: quietest {quiet:02}:00 (avg {:.1}), busiest {busy:02}:00 (avg {:.1})",
        by_hour[quiet] / days,
        by_hour[busy] / days
    );
    println!("{LABEL}  The dashboard is not built yet; this summary stands in for it.");
    Ok(exit::OK)
}

fn local(t: DateTime<Utc>, tz: chrono_tz::Tz) -> String {
    t.with_timezone(&tz).format("%a %Y-%m-%d %H:%M %Z").to_string()
}
