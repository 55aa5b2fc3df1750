//! `queuecast sandbox`.

use super::{CliError, CommandResult};
use crate::cli::{GlobalArgs, SandboxArgs};

pub async fn run(_global: &GlobalArgs, _args: SandboxArgs) -> CommandResult {
    Err(CliError::usage(color_eyre::eyre::eyre!(
        "`queuecast sandbox` is not built yet"
    )))
}
