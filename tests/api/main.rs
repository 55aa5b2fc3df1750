//! The API: the Genesys client against wiremock and the sandbox org, and the sandbox's wire format checked against the official schema.

#[path = "../common/mod.rs"]
mod common;

mod aggregates_split;
mod genesys_client;
mod genesys_secrets;
mod hostile_server;
mod openapi_schema;
mod orgdata;
mod sandbox_api;
mod sandbox_client;
mod staffing_sandbox;
mod staffing_wire;
