//! `GET /api/v2/telephony/providers/edges/sites`: the sites a campaign may dial from.
//!
//! Official Python SDK `build/docs/TelephonyProvidersEdgeApi.md`
//! (`get_telephony_providers_edges_sites`, returns `SiteEntityListing`, "Requires no
//! permissions"); `Campaign.site` "can be set in place of an edge group"
//! (`build/docs/Campaign.md`).

use super::client::GenesysClient;
use super::error::GenesysError;
use super::models::Site;

impl GenesysClient {
    /// Every site of the org, by name (the endpoint's default `sortBy=name`).
    pub async fn list_sites(&self) -> Result<Vec<Site>, GenesysError> {
        self.get_all_pages("/api/v2/telephony/providers/edges/sites", Vec::new())
            .await
    }
}
