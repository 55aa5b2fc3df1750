//! `queuecast dashboard`.

use super::{CliError, CommandResult};
use crate::cli::{DashboardArgs, GlobalArgs};

pub async fn run(_global: &GlobalArgs, _args: DashboardArgs) -> CommandResult {
    Err(CliError::usage(color_eyre::eyre::eyre!(
        "`queuecast dashboard` is not built yet"
    )))
}
