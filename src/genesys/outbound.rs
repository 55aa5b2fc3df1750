//! The outbound calls the campaign review needs: contact lists, published scripts, call
//! analysis response sets, campaigns, and campaign schedules with optimistic-version handling.
//!
//! Operations and their permissions as the official Python SDK documents them
//! (`build/docs/OutboundApi.md`, `build/docs/ScriptsApi.md`).

use reqwest::Method;

use super::client::GenesysClient;
use super::error::GenesysError;
use super::models::{Campaign, CampaignSchedule, ContactList, ResponseSet, Script};
use super::transport::seg;

impl GenesysClient {
    /// Every contact list the OAuth client can see.
    pub async fn list_contact_lists(&self) -> Result<Vec<ContactList>, GenesysError> {
        self.get_all_pages("/api/v2/outbound/contactlists", Vec::new())
            .await
    }

    /// Published scripts only: a campaign should not reference an unpublished script.
    pub async fn list_published_scripts(&self) -> Result<Vec<Script>, GenesysError> {
        self.get_all_pages("/api/v2/scripts/published", Vec::new())
            .await
    }

    /// Call analysis response sets (`GET /api/v2/outbound/callanalysisresponsesets`,
    /// `ResponseSetEntityListing`, permission `outbound:responseSet:view`): every dialing
    /// mode except preview needs one (`Campaign.callAnalysisResponseSet`).
    pub async fn list_call_analysis_response_sets(&self) -> Result<Vec<ResponseSet>, GenesysError> {
        self.get_all_pages("/api/v2/outbound/callanalysisresponsesets", Vec::new())
            .await
    }

    /// One campaign (`GET /api/v2/outbound/campaigns/{campaignId}`, `outbound:campaign:view`).
    pub async fn get_campaign(&self, id: &str) -> Result<Campaign, GenesysError> {
        let call = self.call(
            Method::GET,
            format!("/api/v2/outbound/campaigns/{}", seg(id)),
        );
        self.get(call).await
    }

    /// Campaigns, optionally those whose name starts with `name` (the API's default
    /// `filterType=Prefix`; permission `outbound:campaign:view`).
    pub async fn list_campaigns(&self, name: Option<&str>) -> Result<Vec<Campaign>, GenesysError> {
        let mut query = Vec::new();
        if let Some(n) = name.map(str::trim).filter(|n| !n.is_empty()) {
            query.push(("name", n.to_string()));
        }
        self.get_all_pages("/api/v2/outbound/campaigns", query)
            .await
    }

    /// Creates a campaign (the API answers 200 with the stored campaign, including `id` and
    /// `version`). Not retried after the server may have acted on it, so a timeout cannot
    /// create a duplicate.
    pub async fn create_campaign(&self, c: &Campaign) -> Result<Campaign, GenesysError> {
        let mut body = c.clone();
        // Read-only fields are the server's to set.
        body.id = None;
        body.self_uri = None;
        body.date_created = None;
        body.date_modified = None;
        body.errors = None;
        let call = self
            .call(Method::POST, "/api/v2/outbound/campaigns")
            .json(&body)?
            .non_idempotent();
        self.execute(&call).await?.decode(&call)
    }

    /// The campaign's schedule, or `None` if it has none yet (404).
    pub async fn get_campaign_schedule(
        &self,
        campaign_id: &str,
    ) -> Result<Option<CampaignSchedule>, GenesysError> {
        let call = self.call(Method::GET, schedule_path(campaign_id));
        match self.get(call).await {
            Ok(s) => Ok(Some(s)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Creates or replaces a campaign's schedule. Reads the current `version` first (none →
    /// create); on a version conflict (409, or 400 "does not match the current version")
    /// re-reads and retries once, so a concurrent edit elsewhere doesn't fail the submit.
    pub async fn put_campaign_schedule(
        &self,
        s: &CampaignSchedule,
    ) -> Result<CampaignSchedule, GenesysError> {
        if s.campaign.id.trim().is_empty() {
            return Err(GenesysError::InvalidRequest(
                "a campaign schedule needs campaign.id".into(),
            ));
        }
        let mut body = s.clone();
        body.id = None;
        body.self_uri = None;
        body.version = self.current_schedule_version(&s.campaign.id).await?;
        match self.put_schedule_once(&body).await {
            Err(e) if e.is_version_mismatch() => {
                tracing::info!(
                    campaign_id = %s.campaign.id,
                    "schedule version changed on the server; re-reading and retrying once"
                );
                body.version = self.current_schedule_version(&s.campaign.id).await?;
                self.put_schedule_once(&body).await
            }
            other => other,
        }
    }

    async fn current_schedule_version(
        &self,
        campaign_id: &str,
    ) -> Result<Option<i32>, GenesysError> {
        Ok(self
            .get_campaign_schedule(campaign_id)
            .await?
            .and_then(|c| c.version))
    }

    async fn put_schedule_once(
        &self,
        body: &CampaignSchedule,
    ) -> Result<CampaignSchedule, GenesysError> {
        let call = self
            .call(Method::PUT, schedule_path(&body.campaign.id))
            .json(body)?;
        self.execute(&call).await?.decode(&call)
    }
}

fn schedule_path(campaign_id: &str) -> String {
    format!("/api/v2/outbound/schedules/campaigns/{}", seg(campaign_id))
}
