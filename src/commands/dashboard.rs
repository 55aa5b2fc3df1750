//! `queuecast dashboard`: the interactive front end over the same library as `forecast`.

use chrono::Utc;

use super::{CliError, CommandResult, load_config};
use crate::cli::{DashboardArgs, GlobalArgs};
use crate::config::{Config, Paths};
use crate::genesys::GenesysClient;
use crate::store::Store;
use crate::tui::app::{App, OrgInfo};
use crate::tui::keymap::Keymap;
use crate::tui::runtime::{self, Backend};
use crate::tui::theme::Theme;

pub async fn run(global: &GlobalArgs, args: DashboardArgs) -> CommandResult {
    crate::tui::runtime::mark_start();
    let (config, paths) = load_config(global)?;
    let settings = config.genesys.client_settings().map_err(CliError::usage)?;
    let region = config
        .genesys
        .region
        .clone()
        .filter(|r| !r.trim().is_empty())
        .unwrap_or_else(|| host_of(&settings.api_base));
    let client = GenesysClient::new(settings).map_err(CliError::api)?;
    // Replaced by the org's real name once `organizations/me` answers in the background.
    let org = OrgInfo {
        name: "Genesys Cloud".into(),
        region,
        sandbox: false,
    };
    let start = Start {
        queue: args.queue,
        preselect: None,
    };
    run_with(config, &paths, client, org, start).await
}

/// Where the dashboard starts.
#[derive(Debug, Clone, Default)]
pub struct Start {
    /// A queue name or id: its dashboard opens over the board (Esc shows the board).
    pub queue: Option<String>,
    /// A queue id selected on the board when the data dir remembers no last queue.
    pub preselect: Option<String>,
}

/// Starts the dashboard on an already-built client; `queuecast demo` calls this with the
/// sandbox's client and a SANDBOX org label.
pub async fn run_with(
    config: Config,
    paths: &Paths,
    client: GenesysClient,
    org: OrgInfo,
    start: Start,
) -> CommandResult {
    // Bad key bindings are a start-up error with file and line, before the screen switches.
    let keymap = Keymap::load(&paths.keybindings_file()).map_err(CliError::usage)?;
    let tz = config.time_zone().map_err(CliError::usage)?;
    let store = Store::new(&paths.data_dir);
    let mut app = App::new(keymap, org, tz, Utc::now().with_timezone(&tz).date_naive());
    app.theme = Theme::from_env();
    app.submission_salt = uuid::Uuid::new_v4().as_u64_pair().0;
    app.default_model = config.forecast.model.clone();
    app.schedule_margin = config.campaign.schedule_margin();
    app.last_queue = store
        .last_queue()
        .ok()
        .flatten()
        .map(|q| q.id)
        .or(start.preselect);
    app.initial_queue = start.queue;
    app.implicit_zone = implicit_zone(&config);
    let backend = Backend {
        client,
        config,
        store,
        config_file: paths.config_file.clone(),
    };
    runtime::run(app, backend).await.map_err(CliError::usage)?;
    Ok(super::exit::OK)
}

/// The queues with their own zone when no zone covers them all: the case in which
/// `Config::require_zone_for` (what the history fetch asks) refuses a queue's implicit UTC.
fn implicit_zone(config: &Config) -> Option<Vec<String>> {
    if config.time_zone_flag.is_some() || config.history.time_zone.is_some() {
        return None;
    }
    Some(
        config
            .queues
            .iter()
            .filter(|(_, q)| q.time_zone.is_some())
            .map(|(name, _)| name.clone())
            .collect(),
    )
}

/// `https://api.mypurecloud.ie/` → `api.mypurecloud.ie`: the part of a base URL worth showing.
pub fn host_of(base: &str) -> String {
    let rest = base.split_once("://").map_or(base, |(_, r)| r);
    rest.split('/').next().unwrap_or(rest).to_string()
}
