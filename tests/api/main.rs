//! The API: the Genesys client against wiremock and the sandbox org, and the sandbox's wire format checked against the official schema.

#[path = "../common/mod.rs"]
mod common;

mod genesys_client;
mod genesys_secrets;
mod openapi_schema;
mod sandbox_api;
mod sandbox_client;
