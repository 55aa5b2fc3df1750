//! The dashboard: one state (`app`), keys → commands (`keymap`) → messages (`action`), a pure
//! `update` that hands each key or result to its screen (`screens`, one file per screen or
//! popup, drawing and keys side by side), the frame and status bar (`ui`), and the runtime
//! that does the I/O and nothing else.
//!
//! Within `tui` the imports run one way, each module using only those before it: `keymap`,
//! `theme`, `chart`, `view`, `board_view` → `action` → `app` → `widgets` → `screens` → `update`, `ui` →
//! `terminal_guard` → `runtime`.

pub mod action;
pub mod app;
pub mod board_view;
pub mod chart;
pub mod keymap;
pub mod runtime;
pub mod screens;
pub mod terminal_guard;
pub mod theme;
pub mod ui;
pub mod update;
pub mod view;
pub mod widgets;
