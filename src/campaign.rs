//! Outbound campaign drafts: the review form, its validation, and the typed request bodies.
//!
//! The campaign is always created with `campaignStatus: "off"` (Genesys has no draft status;
//! `off` exists but does not dial), then its schedule is PUT with the selected low-volume
//! windows as local wall-clock intervals in the contact centre's time zone.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::genesys::{
    Campaign, CampaignSchedule, DialingMode, DomainEntityRef, PhoneColumn, ScheduleInterval,
};

/// The dialing modes the form offers; `agentless` is left out because it needs no queue and
/// an outbound line count the form does not ask for.
pub const DIALING_MODES: [DialingMode; 4] = [
    DialingMode::Preview,
    DialingMode::Progressive,
    DialingMode::Power,
    DialingMode::Predictive,
];
/// Phone column types Genesys accepts.
pub const PHONE_TYPES: [&str; 3] = ["cell", "home", "work"];

/// Something the user can pick (queue, contact list, script).
pub use crate::refs::NamedRef;

/// One schedule interval: a low-volume window in UTC.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScheduleWindow {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// The review form's fields, in display order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Name,
    ContactList,
    Script,
    DialingMode,
    CallerName,
    CallerAddress,
    PhoneColumn,
    PhoneType,
}

impl Field {
    pub const ALL: [Field; 8] = [
        Field::Name,
        Field::ContactList,
        Field::Script,
        Field::DialingMode,
        Field::CallerName,
        Field::CallerAddress,
        Field::PhoneColumn,
        Field::PhoneType,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Field::Name => "Name",
            Field::ContactList => "Contact list",
            Field::Script => "Script",
            Field::DialingMode => "Dialing mode",
            Field::CallerName => "Caller name",
            Field::CallerAddress => "Caller address",
            Field::PhoneColumn => "Phone column",
            Field::PhoneType => "Phone type",
        }
    }

    /// Free-text fields are edited; the others cycle through options.
    pub fn is_text(self) -> bool {
        matches!(
            self,
            Field::Name | Field::CallerName | Field::CallerAddress | Field::PhoneColumn
        )
    }
}

/// What the analyst fills in on the review screen.
#[derive(Debug, Clone, PartialEq)]
pub struct CampaignForm {
    pub name: String,
    pub queue: NamedRef,
    /// Index into the loaded contact lists.
    pub contact_list: Option<usize>,
    /// Index into the loaded scripts.
    pub script: Option<usize>,
    pub dialing_mode: usize,
    pub caller_name: String,
    pub caller_address: String,
    pub phone_column: String,
    pub phone_type: usize,
    pub tz: Tz,
    pub windows: Vec<ScheduleWindow>,
    /// Phone columns of the chosen contact list, when the API told us; empty = unknown.
    pub allowed_phone_columns: Vec<String>,
}

impl CampaignForm {
    /// A form with sensible defaults: "<queue> quiet hours <date>", preview dialing, `Cell`.
    pub fn new(queue: NamedRef, today: NaiveDate, tz: Tz, windows: Vec<ScheduleWindow>) -> Self {
        Self {
            name: default_name(&queue.name, today),
            queue,
            contact_list: None,
            script: None,
            dialing_mode: 0,
            caller_name: String::new(),
            caller_address: String::new(),
            phone_column: "Cell".into(),
            phone_type: 0,
            tz,
            windows,
            allowed_phone_columns: Vec::new(),
        }
    }

    pub fn text_mut(&mut self, field: Field) -> Option<&mut String> {
        match field {
            Field::Name => Some(&mut self.name),
            Field::CallerName => Some(&mut self.caller_name),
            Field::CallerAddress => Some(&mut self.caller_address),
            Field::PhoneColumn => Some(&mut self.phone_column),
            _ => None,
        }
    }

    pub fn dialing_mode(&self) -> DialingMode {
        DIALING_MODES[self.dialing_mode % DIALING_MODES.len()]
    }

    pub fn phone_type(&self) -> &'static str {
        PHONE_TYPES[self.phone_type % PHONE_TYPES.len()]
    }

    /// Every problem, per field, phrased as what to do; empty means ready to submit.
    pub fn validate(
        &self,
        contact_lists: &[NamedRef],
        scripts: &[NamedRef],
    ) -> Vec<(Field, String)> {
        let mut out = Vec::new();
        let name = self.name.trim();
        if name.is_empty() {
            out.push((Field::Name, "enter a campaign name".into()));
        } else if name.chars().count() > 200 {
            out.push((Field::Name, "use at most 200 characters".into()));
        }
        if self
            .contact_list
            .and_then(|i| contact_lists.get(i))
            .is_none()
        {
            out.push((
                Field::ContactList,
                if contact_lists.is_empty() {
                    "no contact lists in this org: create one in Genesys Cloud first".into()
                } else {
                    "choose a contact list (←/→)".into()
                },
            ));
        }
        if self.script.and_then(|i| scripts.get(i)).is_none() {
            out.push((
                Field::Script,
                if scripts.is_empty() {
                    "no published scripts in this org: publish one first".into()
                } else {
                    "choose a script (←/→)".into()
                },
            ));
        }
        if self.caller_name.trim().is_empty() {
            out.push((Field::CallerName, "enter the caller ID name".into()));
        }
        if !is_phone_number(&self.caller_address) {
            out.push((
                Field::CallerAddress,
                "enter the caller ID number in E.164 form, e.g. +13175550100".into(),
            ));
        }
        if self.phone_column.trim().is_empty() {
            out.push((
                Field::PhoneColumn,
                "enter the contact list column that holds the number".into(),
            ));
        } else if !self.allowed_phone_columns.is_empty()
            && !self
                .allowed_phone_columns
                .iter()
                .any(|c| c == self.phone_column.trim())
        {
            out.push((
                Field::PhoneColumn,
                format!(
                    "not a phone column of this contact list; use one of: {}",
                    self.allowed_phone_columns.join(", ")
                ),
            ));
        }
        if self.windows.is_empty() {
            out.push((
                Field::Name,
                "no windows selected: go back and toggle at least one low-volume window".into(),
            ));
        }
        out
    }

    /// The `POST /api/v2/outbound/campaigns` body, exactly as it will be sent. An unchosen
    /// contact list or script is an empty id (the preview shows it; validation blocks it).
    pub fn campaign(&self, contact_lists: &[NamedRef], scripts: &[NamedRef]) -> Campaign {
        let id_of = |list: &[NamedRef], i: Option<usize>| {
            DomainEntityRef::new(
                i.and_then(|i| list.get(i))
                    .map(|r| r.id.clone())
                    .unwrap_or_default(),
            )
        };
        Campaign {
            queue: Some(DomainEntityRef::new(self.queue.id.clone())),
            script: Some(id_of(scripts, self.script)),
            ..Campaign::draft(
                self.name.trim(),
                id_of(contact_lists, self.contact_list),
                self.dialing_mode(),
                vec![PhoneColumn {
                    column_name: self.phone_column.trim().to_string(),
                    column_type: self.phone_type().to_string(),
                }],
                self.caller_name.trim(),
                self.caller_address.trim(),
            )
        }
    }

    /// The `PUT /api/v2/outbound/schedules/campaigns/{id}` body; `campaign_id` is unknown until
    /// the campaign exists, so the preview shows a placeholder.
    pub fn schedule(&self, campaign_id: &str) -> CampaignSchedule {
        schedule(campaign_id, self.tz, &self.windows)
    }
}

/// Schedule intervals as local wall-clock times in `tz` (`yyyy-MM-ddTHH:mm:ss.SSS`), one per
/// selected window in time order, so the schedule reads exactly like the windows table.
pub fn schedule(campaign_id: &str, tz: Tz, windows: &[ScheduleWindow]) -> CampaignSchedule {
    let local = |t: DateTime<Utc>| t.with_timezone(&tz).naive_local();
    let mut sorted = windows.to_vec();
    sorted.sort_by_key(|w| w.start);
    CampaignSchedule {
        id: None,
        name: None,
        version: None,
        intervals: sorted
            .iter()
            .map(|w| ScheduleInterval::from_local(local(w.start), local(w.end)))
            .collect(),
        recurrences: None,
        time_zone: Some(tz.name().to_string()),
        campaign: DomainEntityRef::new(campaign_id),
        self_uri: None,
    }
}

/// `<queue> quiet hours <yyyy-mm-dd>`: unique enough per day, and says what it is.
pub fn default_name(queue: &str, today: NaiveDate) -> String {
    format!("{queue} quiet hours {}", today.format("%Y-%m-%d"))
}

fn is_phone_number(s: &str) -> bool {
    let s = s.trim();
    let digits = s.strip_prefix('+').unwrap_or(s);
    (7..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    fn form() -> CampaignForm {
        let tz: Tz = "America/Chicago".parse().unwrap();
        let w = |h0: u32, h1: u32| ScheduleWindow {
            start: Utc.with_ymd_and_hms(2024, 6, 3, h0, 0, 0).unwrap(),
            end: Utc.with_ymd_and_hms(2024, 6, 3, h1, 0, 0).unwrap(),
        };
        CampaignForm::new(
            NamedRef {
                id: "q1".into(),
                name: "Sales".into(),
            },
            NaiveDate::from_ymd_opt(2024, 6, 1).unwrap(),
            tz,
            vec![w(16, 18), w(14, 16), w(20, 21)],
        )
    }

    #[test]
    fn defaults_and_validation_name_each_missing_field() {
        let f = form();
        assert_eq!(f.name, "Sales quiet hours 2024-06-01");
        let lists = [NamedRef {
            id: "cl".into(),
            name: "L".into(),
        }];
        let errs = f.validate(&lists, &[]);
        let fields: Vec<Field> = errs.iter().map(|e| e.0).collect();
        assert_eq!(
            fields,
            [
                Field::ContactList,
                Field::Script,
                Field::CallerName,
                Field::CallerAddress
            ]
        );
        assert!(errs[1].1.contains("no published scripts"));
    }

    #[test]
    fn bodies_are_off_and_schedule_is_local_and_sorted() {
        let mut f = form();
        f.contact_list = Some(0);
        f.script = Some(0);
        f.caller_name = "Acme".into();
        f.caller_address = "+13175550100".into();
        let r = [NamedRef {
            id: "x".into(),
            name: "X".into(),
        }];
        assert!(f.validate(&r, &r).is_empty());
        // What goes on the wire, field by field.
        let c = serde_json::to_value(f.campaign(&r, &r)).unwrap();
        assert_eq!(
            c,
            json!({"name": "Sales quiet hours 2024-06-01", "dialingMode": "preview",
                   "campaignStatus": "off", "contactList": {"id": "x"}, "queue": {"id": "q1"},
                   "script": {"id": "x"}, "callerName": "Acme", "callerAddress": "+13175550100",
                   "phoneColumns": [{"columnName": "Cell", "type": "cell"}]})
        );
        let s = serde_json::to_value(f.schedule("cid")).unwrap();
        assert_eq!(s["timeZone"], "America/Chicago");
        assert_eq!(s["campaign"], json!({"id": "cid"}));
        assert!(s.get("version").is_none(), "{s}");
        let iv = s["intervals"].as_array().unwrap();
        assert_eq!(iv.len(), 3, "{s}");
        // 14:00Z = 09:00 CDT; sorted by start.
        assert_eq!(iv[0]["start"], "2024-06-03T09:00:00.000");
        assert_eq!(iv[0]["end"], "2024-06-03T11:00:00.000");
        assert_eq!(iv[2]["start"], "2024-06-03T15:00:00.000");
    }

    #[test]
    fn unchosen_pickers_and_padded_text_in_the_body() {
        let mut f = form();
        f.name = "  Sales evening  ".into();
        f.caller_address = " +13175550100 ".into();
        f.dialing_mode = 3;
        f.phone_type = 1;
        let c = f.campaign(&[], &[]);
        assert_eq!(c.name, "Sales evening");
        assert_eq!(c.caller_address, "+13175550100");
        assert_eq!(
            c.contact_list.id, "",
            "unchosen: empty id, blocked by validation"
        );
        assert_eq!(c.script.as_ref().map(|s| s.id.as_str()), Some(""));
        assert_eq!(c.dialing_mode, DialingMode::Predictive);
        assert_eq!(c.phone_columns[0].column_type, "home");
    }
}
