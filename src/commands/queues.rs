//! `queuecast queues`.

use super::{CliError, CommandResult};
use crate::cli::{GlobalArgs, QueuesArgs};

pub async fn run(_global: &GlobalArgs, _args: QueuesArgs) -> CommandResult {
    Err(CliError::usage(color_eyre::eyre::eyre!(
        "`queuecast queues` is not built yet"
    )))
}
