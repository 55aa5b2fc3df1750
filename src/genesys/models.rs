//! Wire types of the Genesys Cloud Platform API v2 that queuecast uses.
//!
//! Field names and types follow `openapi-subset.json`. Every optional field is skipped when
//! `None`, so request bodies never carry `null`s or fields the real API does not define.
//! Unknown response fields are ignored (Genesys adds fields over time).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

/// A reference to another entity by id (`DomainEntityRef`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DomainEntityRef {
    #[serde(default)]
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
}

impl DomainEntityRef {
    /// A bare `{id}` reference, which is all a request body needs.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            name: None,
            self_uri: None,
        }
    }
}

/// `Division`: the access-control partition an entity lives in.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Division {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
}

/// `GET /api/v2/organizations/me`: the cheap "do my credentials work" call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_country_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
    /// The site campaigns dial from by default (`Organization.defaultSiteId`, SDK
    /// `build/docs/Organization.md`); absent or empty in orgs without telephony.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_site_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
}

/// A call analysis response set (`ResponseSet`, SDK `build/docs/ResponseSet.md`): what the
/// dialer does with a live person, a machine, a busy signal…; every non-preview campaign
/// names one (`Campaign.callAnalysisResponseSet`). Only what the picker shows is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResponseSet {
    pub id: String,
    #[serde(default)]
    pub name: String,
    /// `beepDetectionEnabled`: answering machine beep detection (SDK model docs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beep_detection_enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
}

/// A telephony site (`Site`, SDK `build/docs/Site.md`): "can be set in place of an edge
/// group" on a campaign (`Campaign.site`). Only what the picker shows is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Site {
    pub id: String,
    #[serde(default)]
    pub name: String,
    /// `active`, `inactive` or `deleted` (SDK: "Indicates if the resource is active, inactive,
    /// or deleted").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
}

/// A routing queue (`Queue`), reduced to what a picker and the aggregates query need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Queue {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub division: Option<Division>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_count: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_created: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_modified: Option<DateTime<Utc>>,
    /// "The media settings for the queue" (`Queue.md`): which media it is set up for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_settings: Option<QueueMediaSettings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
}

/// `QueueMediaSettings` (Python SDK `QueueMediaSettings.md`): one optional `MediaSettings`
/// per media (`call`, `callback`, `chat`, `email`, `message`). Only which are present is
/// read (the queue board's media column), so their contents stay raw JSON.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct QueueMediaSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chat: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<serde_json::Value>,
}

impl QueueMediaSettings {
    /// The media the queue is set up for, as the analytics `mediaType` values name them
    /// (`call` is `voice` there).
    pub fn media(&self) -> Vec<&'static str> {
        [
            (&self.call, "voice"),
            (&self.callback, "callback"),
            (&self.chat, "chat"),
            (&self.email, "email"),
            (&self.message, "message"),
        ]
        .into_iter()
        .filter(|(v, _)| v.is_some())
        .map(|(_, name)| name)
        .collect()
    }
}

/// `GET /api/v2/analytics/dataretention/settings` (`AnalyticsDataRetentionResponse.md` in the
/// Python SDK: `retentionDays` "Analytics data retention period in days for the organization",
/// `dateCreated`, `dateModified`; permission `analytics:dataRetention:view`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalyticsDataRetentionResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_days: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_created: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_modified: Option<DateTime<Utc>>,
}

/// One page of a paged listing (`QueueEntityListing`, `ScriptEntityListing`, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntityListing<T> {
    #[serde(default = "Vec::new")]
    pub entities: Vec<T>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_size: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_number: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_count: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_uri: Option<String>,
}

/// A phone column of a contact list (`ContactPhoneNumberColumn`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactPhoneNumberColumn {
    pub column_name: String,
    /// `cell`, `home`, `work`… (free text in the API).
    #[serde(rename = "type")]
    pub column_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callable_time_column: Option<String>,
}

/// An outbound contact list (`ContactList`): the campaign review offers these.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactList {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub column_names: Vec<String>,
    #[serde(default)]
    pub phone_columns: Vec<ContactPhoneNumberColumn>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub division: Option<DomainEntityRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
}

/// A published agent script (`Script`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Script {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub division: Option<Division>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_date: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
}

/// How an outbound campaign dials (`Campaign.dialingMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DialingMode {
    Agentless,
    Preview,
    Power,
    Predictive,
    Progressive,
    External,
}

impl DialingMode {
    pub const ALL: [DialingMode; 6] = [
        DialingMode::Agentless,
        DialingMode::Preview,
        DialingMode::Power,
        DialingMode::Predictive,
        DialingMode::Progressive,
        DialingMode::External,
    ];

    /// The API spelling, for labels and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            DialingMode::Agentless => "agentless",
            DialingMode::Preview => "preview",
            DialingMode::Power => "power",
            DialingMode::Predictive => "predictive",
            DialingMode::Progressive => "progressive",
            DialingMode::External => "external",
        }
    }

    /// Every mode except agentless routes calls to agents, so needs a queue and a script.
    pub fn needs_queue_and_script(self) -> bool {
        self != DialingMode::Agentless
    }

    /// Every mode except preview places calls itself, so needs an edge group/site and a
    /// call-analysis response set.
    pub fn needs_edge_and_call_analysis(self) -> bool {
        self != DialingMode::Preview
    }

    /// Power, predictive and progressive pace by a target abandon rate.
    pub fn needs_abandon_rate(self) -> bool {
        matches!(
            self,
            DialingMode::Power | DialingMode::Predictive | DialingMode::Progressive
        )
    }
}

impl std::fmt::Display for DialingMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `Campaign.campaignStatus`. There is no `draft`: `Off` is a saved campaign that does not dial.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CampaignStatus {
    On,
    Off,
    Stopping,
    Complete,
    Invalid,
    ForcedOff,
    ForcedStopping,
}

/// A phone column used by a campaign (`PhoneColumn`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PhoneColumn {
    pub column_name: String,
    #[serde(rename = "type")]
    pub column_type: String,
}

/// A validation problem the API reports on a saved campaign (`RestErrorDetail`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RestErrorDetail {
    pub error: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
}

/// An outbound campaign (`Campaign`). Read-only fields (`id`, dates, `selfUri`, `errors`) are
/// `None` on create and filled in by the server's 200 response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Campaign {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub name: String,
    pub contact_list: DomainEntityRef,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<DomainEntityRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script: Option<DomainEntityRef>,
    pub dialing_mode: DialingMode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign_status: Option<CampaignStatus>,
    pub phone_columns: Vec<PhoneColumn>,
    pub caller_name: String,
    pub caller_address: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abandon_rate: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outbound_line_count: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edge_group: Option<DomainEntityRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<DomainEntityRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_analysis_response_set: Option<DomainEntityRef>,
    /// Legal calling hours enforced by the dialer itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callable_time_set: Option<DomainEntityRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dnc_lists: Option<Vec<DomainEntityRef>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub division: Option<DomainEntityRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<RestErrorDetail>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_created: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_modified: Option<DateTime<Utc>>,
}

impl Campaign {
    /// A new campaign with only the fields the API requires, created `off` so it exists but
    /// never dials until someone turns it on. Set `queue`/`script` and the rest with struct
    /// update syntax.
    pub fn draft(
        name: impl Into<String>,
        contact_list: DomainEntityRef,
        dialing_mode: DialingMode,
        phone_columns: Vec<PhoneColumn>,
        caller_name: impl Into<String>,
        caller_address: impl Into<String>,
    ) -> Self {
        Self {
            id: None,
            name: name.into(),
            contact_list,
            queue: None,
            script: None,
            dialing_mode,
            campaign_status: Some(CampaignStatus::Off),
            phone_columns,
            caller_name: caller_name.into(),
            caller_address: caller_address.into(),
            abandon_rate: None,
            outbound_line_count: None,
            edge_group: None,
            site: None,
            call_analysis_response_set: None,
            callable_time_set: None,
            dnc_lists: None,
            division: None,
            priority: None,
            version: None,
            errors: None,
            self_uri: None,
            date_created: None,
            date_modified: None,
        }
    }
}

/// One window of a campaign schedule (`ScheduleInterval`): local wall-clock times in the
/// schedule's `timeZone`, formatted `yyyy-MM-ddTHH:mm:ss.SSS`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleInterval {
    pub start: String,
    pub end: String,
}

/// The wall-clock format Genesys uses for schedule intervals.
pub const LOCAL_DATE_TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.3f";

impl ScheduleInterval {
    /// Builds an interval from local wall-clock times (in the schedule's time zone).
    pub fn from_local(start: NaiveDateTime, end: NaiveDateTime) -> Self {
        Self {
            start: start.format(LOCAL_DATE_TIME_FORMAT).to_string(),
            end: end.format(LOCAL_DATE_TIME_FORMAT).to_string(),
        }
    }

    /// Parses both ends as local times; accepts a trailing `Z` or offset (the SDK text
    /// documents one, the UI sends none) by ignoring it.
    pub fn to_local(&self) -> Option<(NaiveDateTime, NaiveDateTime)> {
        Some((parse_local(&self.start)?, parse_local(&self.end)?))
    }
}

fn parse_local(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    let s = s.strip_suffix('Z').unwrap_or(s);
    // Drop a numeric offset such as +01:00 after the seconds.
    let s = match s.get(19..).and_then(|tail| tail.find(['+', '-'])) {
        Some(pos) => &s[..19 + pos],
        None => s,
    };
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").ok()
}

/// The dialing schedule of one campaign (`CampaignSchedule`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CampaignSchedule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Must equal the server's current version on update; `None` creates the schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
    #[serde(default)]
    pub intervals: Vec<ScheduleInterval>,
    /// Kept as raw JSON so a read-modify-write never drops recurrence details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurrences: Option<Vec<serde_json::Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    pub campaign: DomainEntityRef,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
}

/// One field-level problem inside an [`ErrorBody`] (`Detail`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorDetail {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_name: Option<String>,
}

/// The rate limit a 429 hit (`Limit`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Limit {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<i64>,
}

/// The body of every Genesys 4xx/5xx (`ErrorBody`). All fields are optional in practice.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_with_params: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_params: Option<BTreeMap<String, serde_json::Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_name: Option<String>,
    #[serde(default)]
    pub details: Vec<ErrorDetail>,
    #[serde(default)]
    pub errors: Vec<ErrorBody>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<Limit>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn campaign_create_body_has_no_nulls_or_read_only_fields() {
        let c = Campaign {
            queue: Some(DomainEntityRef::new("q1")),
            script: Some(DomainEntityRef::new("s1")),
            ..Campaign::draft(
                "Spring renewals",
                DomainEntityRef::new("cl1"),
                DialingMode::Preview,
                vec![PhoneColumn {
                    column_name: "Cell".into(),
                    column_type: "cell".into(),
                }],
                "Acme",
                "+13175550100",
            )
        };
        let v = serde_json::to_value(&c).unwrap();
        assert_eq!(
            v,
            json!({"name":"Spring renewals","contactList":{"id":"cl1"},"queue":{"id":"q1"},
                   "script":{"id":"s1"},"dialingMode":"preview","campaignStatus":"off",
                   "phoneColumns":[{"columnName":"Cell","type":"cell"}],
                   "callerName":"Acme","callerAddress":"+13175550100"})
        );
    }

    #[test]
    fn campaign_status_uses_snake_case() {
        let s: CampaignStatus = serde_json::from_value(json!("forced_stopping")).unwrap();
        assert_eq!(s, CampaignStatus::ForcedStopping);
        assert!(serde_json::from_value::<CampaignStatus>(json!("draft")).is_err());
    }

    #[test]
    fn schedule_interval_round_trips_local_times() {
        let start =
            NaiveDateTime::parse_from_str("2024-06-03T09:00:00", "%Y-%m-%dT%H:%M:%S").unwrap();
        let end = start + chrono::TimeDelta::hours(8);
        let i = ScheduleInterval::from_local(start, end);
        assert_eq!(i.start, "2024-06-03T09:00:00.000");
        assert_eq!(i.end, "2024-06-03T17:00:00.000");
        assert_eq!(i.to_local(), Some((start, end)));
        let z = ScheduleInterval {
            start: "2024-06-03T09:00:00.000Z".into(),
            end: "2024-06-03T17:00:00.000+02:00".into(),
        };
        assert_eq!(z.to_local(), Some((start, end)));
    }

    #[test]
    fn error_body_parses_the_documented_example() {
        let e: ErrorBody = serde_json::from_value(json!({"message":"bad","code":"bad.request",
            "status":400,"messageWithParams":"bad","messageParams":{},"contextId":"ctx",
            "details":[{"errorCode":"FIELD_REQUIRED","fieldName":"callerAddress"}],"errors":[]}))
        .unwrap();
        assert_eq!(e.code.as_deref(), Some("bad.request"));
        assert_eq!(e.details[0].field_name.as_deref(), Some("callerAddress"));
    }
}
