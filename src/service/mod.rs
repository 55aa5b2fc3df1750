//! Use cases shared by the headless commands and the dashboard, over `genesys`, `history` and
//! `forecast`. Front ends call these; these never know about a terminal.

pub mod submit;
