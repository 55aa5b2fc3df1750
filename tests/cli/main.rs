//! The binary's headless commands run as processes, as scripts and cron run them.

#[path = "../common/mod.rs"]
mod common;

mod forecast;
mod genesys;
