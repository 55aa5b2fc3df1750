//! queuecast: Genesys Cloud queue history → forecast → low-volume windows → outbound campaign drafts.
//!
//! # Layers
//!
//! Data flows up through these top-level modules, low → high. A module imports only modules of
//! a strictly lower layer; modules sharing a layer are peers and do not import each other. The
//! `layering` unit test checks this (and that there is no import cycle) on every `cargo test`,
//! naming the file and line of an offending path.
//!
//! | layer | modules | holds |
//! |---|---|---|
//! | 0 | `granularity`, `fsutil`, `refs`, `logging`, `text`, `holidays` | shared vocabulary: bucket sizes, atomic writes, `{id, name}` refs, the log file, outside text made safe to print, public-holiday calendars |
//! | 1 | `genesys` | the Genesys Cloud API client and its typed models |
//! | 2 | `history` | regular series: from API buckets or the one `ds,y` CSV reader |
//! | 3 | `config`, `sandbox` | settings (above `genesys` and `history`: it aggregates theirs); the local stand-in for the Genesys API (raw JSON, none of the client's types, so it can test the client; service tests run against it) |
//! | 4 | `forecast` | pure models, the registry (`select`), backtests, windows, drift |
//! | 5 | `store`, `export`, `campaign` | the data dir, forecast exports, campaign drafts |
//! | 6 | `service` | use cases both front ends call: fetch history, load → run → save a forecast |
//! | 7 | `cli`, `tui` | the argument parser; the dashboard |
//! | 8 | `commands` | the binary's commands, wiring the parser to services, dashboard and sandbox |

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
pub mod holidays;
#[cfg(test)]
mod layering;
pub mod logging;
pub mod refs;
pub mod sandbox;
pub mod service;
pub mod store;
pub mod text;
pub mod tui;
