//! `queuecast forecast`.

use super::{CliError, CommandResult};
use crate::cli::{ForecastArgs, GlobalArgs};

pub async fn run(_global: &GlobalArgs, _args: ForecastArgs) -> CommandResult {
    Err(CliError::usage(color_eyre::eyre::eyre!(
        "`queuecast forecast` is not built yet"
    )))
}
