//! Helpers shared by the integration test binaries (`tests/{api,cli,models,tui}/main.rs`);
//! each binary includes this module and uses what it needs.
#![allow(dead_code)]

pub mod datasets;
pub mod openapi;
