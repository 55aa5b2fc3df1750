//! `queuecast demo`: the dashboard against the embedded sandbox org, no credentials needed.
//! It opens on the queue board with the contact centre's default queue selected (Support
//! Voice: 24/7 voice with the weekday double peak and the holidays of the simulated US
//! centre); `--queue` opens that queue's dashboard directly.

use super::{CliError, CommandResult, load_config};
use crate::cli::{DemoArgs, GlobalArgs};
use crate::genesys::GenesysClient;
use crate::sandbox::{self, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, SandboxOptions};
use crate::tui::app::OrgInfo;

/// The calendar of the sandbox's contact centre, for `forecast.holidays`.
pub const DEMO_HOLIDAYS: &str = "US";

pub async fn run(global: &GlobalArgs, args: DemoArgs) -> CommandResult {
    crate::tui::runtime::mark_start();
    let (mut config, paths) = load_config(global)?;
    let time_zone = super::sandbox::sandbox_zone(global)?;
    // The sandbox's centre lives in its own zone, so the demo needs no zone setting: it
    // passes that zone on as if it were `--time-zone` (the user's own flag is that zone).
    config.time_zone_flag = Some(time_zone.name().to_string());
    // The simulated centre keeps the US federal holidays (`sandbox::contact_centre`), so the
    // demo forecasts with that calendar and the chart names them, unless the user chose one.
    if config.forecast.holidays.is_empty() {
        config.forecast.holidays = DEMO_HOLIDAYS.into();
    }
    let opts = SandboxOptions {
        faults: (&args.faults).into(),
        time_zone,
        seed: args.org.seed,
        queue_count: args.org.queue_count,
        retention_days: args.org.retention_days,
        ..SandboxOptions::default()
    };
    let handle = sandbox::start(opts).await.map_err(CliError::usage)?;
    let base = handle.base_url();
    // Never send the user's real credentials or token to the sandbox; their `[genesys]`
    // timeouts and retry limits still apply, as against a real org.
    config.genesys.api_base = Some(base.clone());
    config.genesys.client_id = Some(DEMO_CLIENT_ID.into());
    config.genesys.client_secret = Some(DEMO_CLIENT_SECRET.into());
    config.genesys.access_token = None;
    let settings = config.genesys.client_settings().map_err(CliError::usage)?;
    let client = GenesysClient::new(settings).map_err(CliError::api)?;
    let org = OrgInfo {
        name: "queuecast sandbox".into(),
        region: super::dashboard::host_of(&base),
        sandbox: true,
    };
    let preselect = handle
        .queues()
        .into_iter()
        .find(|q| q.name == sandbox::DEFAULT_QUEUE)
        .map(|q| q.id);
    let start = super::dashboard::Start {
        queue: args.dashboard.queue,
        preselect,
    };
    let result = super::dashboard::run_with(config, &paths, client, org, start).await;
    handle.shutdown().await;
    result
}
