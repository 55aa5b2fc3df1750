//! The binary's headless commands run as processes, as scripts and cron run them.

#[path = "../common/mod.rs"]
mod common;

mod corpus;
mod doctor;
mod forecast;
mod forecast_many;
mod genesys;
mod staffing;
