//! `queuecast doctor`: does this OAuth client's role hold every permission queuecast needs?
//! One line per API operation; the permission to add where one is missing.

use super::{CliError, CommandResult, exit};
use crate::cli::GlobalArgs;
use crate::genesys::{GenesysClient, Probe};
use crate::service::doctor::{self, Report, Status};

pub async fn run(global: &GlobalArgs) -> CommandResult {
    let (config, _paths) = super::load_config(global)?;
    let settings = config.genesys.client_settings().map_err(CliError::usage)?;
    let client = GenesysClient::new(settings).map_err(CliError::api)?;
    super::show_retries(&client);
    let report = doctor::run(&client, chrono::Utc::now())
        .await
        .map_err(|e| {
            CliError::api(color_eyre::eyre::eyre!(
                "sign-in to {} failed, nothing was checked: {e}",
                client.api_base()
            ))
        })?;
    super::print_out(&render(&report, client.api_base()))?;
    Ok(if report.all_ok() {
        exit::OK
    } else {
        exit::CHECK_FAILED
    })
}

/// The report as the terminal shows it: a line per operation, then a summary.
pub fn render(report: &Report, api_base: &str) -> String {
    let mut out = format!(
        "org {:?} at {}\n",
        crate::text::clean(&report.org),
        crate::text::clean(api_base)
    );
    let width = report
        .checks
        .iter()
        .map(|c| c.op.used_for.len())
        .max()
        .unwrap_or(0);
    let (mut ok, mut bad, mut writes) = (0, 0, 0);
    for c in &report.checks {
        let (tag, note) = match &c.status {
            Status::Ok if c.op.probe == Probe::Covered => {
                ("OK", " (same permission as the read above it)".to_string())
            }
            Status::Ok => ("OK", String::new()),
            Status::Missing => (
                "MISSING",
                format!(
                    ": HTTP 403, the role needs {}",
                    c.op.permissions_text().replace('`', "")
                ),
            ),
            Status::Failed(e) => ("FAILED", format!(": {e}")),
            Status::Skipped(why) => ("SKIPPED", format!(": {why}")),
            Status::Write => (
                "NOT SENT",
                format!(
                    ": a write, never tried; the role needs {}",
                    c.op.permissions_text().replace('`', "")
                ),
            ),
        };
        match c.status {
            Status::Ok => ok += 1,
            Status::Write => writes += 1,
            _ => bad += 1,
        }
        out.push_str(&format!(
            "{tag:<8}  {:<width$}  {}{note}\n",
            c.op.used_for,
            c.op.call_text()
        ));
    }
    out.push_str(&format!(
        "{ok} OK, {bad} not OK, {writes} writes not tried (their permissions are listed above)\n"
    ));
    out
}
