//! `GET /api/v2/routing/queues` (paged, name filter) and `GET /api/v2/routing/queues/{id}`.

use reqwest::Method;

use super::client::GenesysClient;
use super::error::GenesysError;
use super::models::Queue;
use super::transport::seg;

impl GenesysClient {
    /// All queues (every page, 100 per page), sorted by name as the API returns them.
    /// `name` may start and/or end with `*` as a wildcard, e.g. `Sales*`.
    pub async fn list_queues(&self, name: Option<&str>) -> Result<Vec<Queue>, GenesysError> {
        let mut query = vec![("sortOrder", "asc".to_string())];
        if let Some(n) = name.map(str::trim).filter(|n| !n.is_empty()) {
            query.push(("name", n.to_string()));
        }
        self.get_all_pages("/api/v2/routing/queues", query).await
    }

    pub async fn get_queue(&self, id: &str) -> Result<Queue, GenesysError> {
        let call = self.call(Method::GET, format!("/api/v2/routing/queues/{}", seg(id)));
        self.get(call).await
    }
}
