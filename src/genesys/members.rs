//! `GET /api/v2/routing/queues/{queueId}/members`: who works a queue (the users whose on-queue
//! time is the queue's staffed agents).
//!
//! platform-client-sdk-python `build/docs/RoutingApi.md` (`get_routing_queue_members`): permission
//! any of `routing:queue:view`, `routing:queue:edit`, `routing:queue:readonly`,
//! `routing:queueMember:manage`; `pageSize` "Max value is 100"; `joined` filters by joined status.
//! `QueueMemberEntityListing.md` has no `total` or `pageCount`, so pages are followed by
//! `nextUri` ([`GenesysClient::get_all_pages`] does when `pageCount` is absent).

use serde::{Deserialize, Serialize};

use super::client::GenesysClient;
use super::error::GenesysError;
use super::transport::seg;

/// The user behind a queue member (`User.md`, reduced to what staffing needs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberUser {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
}

/// A queue member (`QueueMember.md`): every field is optional in the model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueMember {
    /// "The queue member's id."
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub user: Option<MemberUser>,
    #[serde(default)]
    pub joined: Option<bool>,
    /// `user` or `group` (the `memberBy` filter's values).
    #[serde(default)]
    pub member_by: Option<String>,
}

impl QueueMember {
    /// The member's user id: `user.id`, else the member's own `id`.
    pub fn user_id(&self) -> Option<&str> {
        self.user
            .as_ref()
            .map(|u| u.id.as_str())
            .or(self.id.as_deref())
            .filter(|id| !id.is_empty())
    }
}

impl GenesysClient {
    /// Every joined member of the queue (all pages, 100 per page), sorted by name.
    pub async fn list_queue_members(
        &self,
        queue_id: &str,
    ) -> Result<Vec<QueueMember>, GenesysError> {
        let path = format!("/api/v2/routing/queues/{}/members", seg(queue_id));
        let query = vec![
            ("sortOrder", "asc".to_string()),
            ("joined", "true".to_string()),
        ];
        self.get_all_pages(&path, query).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_id_prefers_the_user_and_skips_blanks() {
        let m: QueueMember = serde_json::from_str(
            r#"{"id":"m1","user":{"id":"u1","name":"Ann"},"joined":true,"memberBy":"user","ringNumber":1}"#,
        )
        .unwrap();
        assert_eq!(m.user_id(), Some("u1"));
        let bare: QueueMember = serde_json::from_str(r#"{"id":"u2"}"#).unwrap();
        assert_eq!(bare.user_id(), Some("u2"));
        let blank: QueueMember = serde_json::from_str(r#"{"id":""}"#).unwrap();
        assert_eq!(blank.user_id(), None);
    }
}
