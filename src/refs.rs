//! References to things in the org by id and name: the lowest layer, so the API client, the
//! data dir, exports and the dashboard all speak of a queue (or contact list, or script) alike.

use serde::{Deserialize, Serialize};

/// A queue (or any other pickable org object) as the analyst knows it: the id the API wants
/// and the name people say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueRef {
    pub id: String,
    pub name: String,
}

/// The same struct, named for contact lists and scripts, where "queue" would read wrong.
pub type NamedRef = QueueRef;
