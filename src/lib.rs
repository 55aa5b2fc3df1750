//! queuecast: Genesys Cloud queue history → forecast → low-volume windows → outbound campaign drafts.
//!
//! Data flows `genesys` (API client) → `history` (series) → `forecast` (models, windows, drift)
//! → `campaign` / `export` → `tui`. The headless commands and the dashboard share all of it.

pub mod campaign;
pub mod cli;
pub mod commands;
pub mod config;
pub mod export;
pub mod forecast;
pub mod fsutil;
pub mod genesys;
pub mod granularity;
pub mod history;
pub mod logging;
pub mod refs;
pub mod sandbox;
pub mod service;
pub mod store;
pub mod tui;
