//! `queuecast config`.

use super::{CliError, CommandResult};
use crate::cli::{ConfigArgs, GlobalArgs};

pub async fn run(_global: &GlobalArgs, _args: ConfigArgs) -> CommandResult {
    Err(CliError::usage(color_eyre::eyre::eyre!(
        "`queuecast config` is not built yet"
    )))
}
