//! `queuecast demo`.

use super::{CliError, CommandResult};
use crate::cli::{DemoArgs, GlobalArgs};

pub async fn run(_global: &GlobalArgs, _args: DemoArgs) -> CommandResult {
    Err(CliError::usage(color_eyre::eyre::eyre!(
        "`queuecast demo` is not built yet"
    )))
}
