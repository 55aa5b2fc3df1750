//! `queuecast demo`: the dashboard against the embedded sandbox org, no credentials needed.

use super::{CliError, CommandResult, load_config};
use crate::cli::{DemoArgs, GlobalArgs};
use crate::genesys::{ClientSettings, GenesysClient};
use crate::sandbox::{self, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, SandboxOptions};
use crate::tui::app::OrgInfo;

pub async fn run(global: &GlobalArgs, args: DemoArgs) -> CommandResult {
    crate::tui::runtime::mark_start();
    let (mut config, paths) = load_config(global)?;
    // The sandbox's data is recorded in its own zone; follow it unless the user chose one.
    if global.time_zone.is_none() {
        config.history.time_zone = sandbox::DEFAULT_TIME_ZONE.name().to_string();
    }
    // The sandbox lays its wall-clock data out in the same zone the dashboard reads it in, so
    // `--time-zone` moves both and the daily pattern stays on the right hours.
    let time_zone = config.time_zone().map_err(CliError::usage)?;
    let opts = SandboxOptions {
        faults: (&args.faults).into(),
        time_zone,
        ..SandboxOptions::default()
    };
    let handle = sandbox::start(opts).await.map_err(CliError::usage)?;
    let base = handle.base_url();
    // Never send the user's real credentials to the sandbox.
    config.genesys.api_base = Some(base.clone());
    config.genesys.client_id = Some(DEMO_CLIENT_ID.into());
    config.genesys.client_secret = Some(DEMO_CLIENT_SECRET.into());
    let settings = ClientSettings::for_base(&base, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET);
    let client = GenesysClient::new(settings).map_err(CliError::api)?;
    let org = OrgInfo {
        name: "queuecast sandbox".into(),
        region: super::dashboard::host_of(&base),
        sandbox: true,
    };
    let result =
        super::dashboard::run_with(config, &paths, client, org, args.dashboard.queue).await;
    handle.shutdown().await;
    result
}
