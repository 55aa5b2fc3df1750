//! Use cases both front ends call. The headless commands (`commands/`) and the dashboard
//! (`tui/`) go through these and never assemble the lower layers themselves, so the two cannot
//! drift apart: the same queue lookup, the same fetch, the same load → run → save, the same
//! create-once submit.
//!
//! A service may do I/O (the API, the data dir) but never touches the terminal: what went
//! wrong along the way comes back as data for the caller to show.

pub mod batch;
pub mod doctor;
pub mod forecast;
pub mod history;
pub mod index;
pub mod staffing;
pub mod submit;
