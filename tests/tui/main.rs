//! The dashboard: pure update() flows and snapshots, keybinding files, and the real binary in a PTY.

#[path = "../common/mod.rs"]
mod common;

mod board;

mod campaign_panel;
mod demo_chart;
mod keybindings;
mod pty;
mod pty_campaign;
mod pty_e2e;
mod pty_robust;
mod pty_zone;
mod review;
mod staffing;
mod update;
mod zone_picker;
