//! genesys
