//! The forecasting models: the pipeline, Prophet against Python and Stan, and the tournament on real series.

#[path = "../common/mod.rs"]
mod common;

mod acceptance;
mod fuzz;
mod pipeline_run;
mod prophet_forecaster;
mod prophet_reference;
mod prophet_wasmstan;
mod staffing_cost;
