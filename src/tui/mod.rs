//! The dashboard: one state (`app`), keys → commands (`keymap`) → messages (`action`),
//! a pure `update`, draw functions (`ui`), and the runtime that does the I/O.

pub mod action;
pub mod app;
pub mod chart;
pub mod keymap;
pub mod runtime;
pub mod theme;
pub mod ui;
pub mod update;
pub mod view;
