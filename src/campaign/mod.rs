//! Outbound campaign drafts: the review form, its validation, and the typed request bodies.
//!
//! The campaign is always created with `campaignStatus: "off"` (Genesys has no draft status;
//! `off` exists but does not dial), then its schedule is PUT with the selected low-volume
//! windows as local wall-clock intervals in the contact centre's time zone.

use chrono::{DateTime, DurationRound, NaiveDate, Utc};
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
/// Phone column types to choose from when the contact list does not say (the type is free
/// text: `ContactPhoneNumberColumn.type`, "For example, 'cell' or 'home'", official SDK
/// `build/docs/ContactPhoneNumberColumn.md`). A column the list names takes the list's type.
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
    /// Where a dialing campaign places its calls (`Campaign.site`, in place of `edgeGroup`).
    Site,
    /// `Campaign.callAnalysisResponseSet`.
    ResponseSet,
    /// `Campaign.abandonRate`, a percentage.
    AbandonRate,
}

impl Field {
    pub const ALL: [Field; 11] = [
        Field::Name,
        Field::ContactList,
        Field::Script,
        Field::DialingMode,
        Field::CallerName,
        Field::CallerAddress,
        Field::PhoneColumn,
        Field::PhoneType,
        Field::Site,
        Field::ResponseSet,
        Field::AbandonRate,
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
            Field::Site => "Site",
            Field::ResponseSet => "Call analysis",
            Field::AbandonRate => "Abandon rate %",
        }
    }

    /// Free-text fields are edited; the others cycle through options.
    pub fn is_text(self) -> bool {
        matches!(
            self,
            Field::Name
                | Field::CallerName
                | Field::CallerAddress
                | Field::PhoneColumn
                | Field::AbandonRate
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
    /// Phone columns (name and type) of the chosen contact list (`ContactList.phoneColumns`),
    /// when the API told us; empty = unknown.
    pub list_phone_columns: Vec<PhoneColumn>,
    /// A short code unique to this draft, appended to the name sent (`<name> #<marker>`), so
    /// the lookup after an ambiguous create finds exactly this submission's campaign and
    /// never an older one of the same name. Empty = none.
    pub marker: String,
    /// The site a dialing (non-preview) campaign places its calls from.
    pub site: Option<NamedRef>,
    /// The call analysis response set of a dialing campaign.
    pub response_set: Option<NamedRef>,
    /// The target abandon rate in percent, as typed (progressive, power, predictive).
    pub abandon_rate: String,
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
            list_phone_columns: Vec::new(),
            marker: String::new(),
            site: None,
            response_set: None,
            // 3 %: the abandoned-call ceiling of the US telemarketing rules (FTC TSR), a
            // conservative start the analyst can change.
            abandon_rate: "3".into(),
        }
    }

    /// The name as sent: the analyst's name, then ` #<marker>`.
    pub fn full_name(&self) -> String {
        match self.marker.as_str() {
            "" => self.name.trim().to_string(),
            m => format!("{} #{m}", self.name.trim()),
        }
    }

    pub fn text_mut(&mut self, field: Field) -> Option<&mut String> {
        match field {
            Field::Name => Some(&mut self.name),
            Field::CallerName => Some(&mut self.caller_name),
            Field::CallerAddress => Some(&mut self.caller_address),
            Field::PhoneColumn => Some(&mut self.phone_column),
            Field::AbandonRate => Some(&mut self.abandon_rate),
            _ => None,
        }
    }

    pub fn dialing_mode(&self) -> DialingMode {
        DIALING_MODES[self.dialing_mode % DIALING_MODES.len()]
    }

    /// The phone column's type: the contact list's own for a column it lists (a campaign's
    /// `phoneColumns` name "the ContactPhoneNumberColumns in the ContactList", SDK
    /// `Campaign.md`), else the one chosen from [`PHONE_TYPES`].
    pub fn phone_type(&self) -> String {
        self.list_phone_type()
            .unwrap_or(PHONE_TYPES[self.phone_type % PHONE_TYPES.len()])
            .to_string()
    }

    /// The type the contact list gives the chosen phone column, if it lists it.
    pub fn list_phone_type(&self) -> Option<&str> {
        let name = self.phone_column.trim();
        self.list_phone_columns
            .iter()
            .find(|c| c.column_name == name)
            .map(|c| c.column_type.as_str())
    }

    /// Takes the chosen contact list's phone columns; a phone column that is not one of them
    /// becomes the list's first, so the default is valid.
    pub fn set_list_phone_columns(&mut self, cols: Vec<PhoneColumn>) {
        if let Some(first) = cols.first()
            && !cols
                .iter()
                .any(|c| c.column_name == self.phone_column.trim())
        {
            self.phone_column = first.column_name.clone();
        }
        self.list_phone_columns = cols;
    }

    /// Every problem, per field, phrased as what to do; empty means ready to submit.
    pub fn validate(
        &self,
        contact_lists: &[NamedRef],
        scripts: &[NamedRef],
    ) -> Vec<(Field, String)> {
        let mut out = self.validate_campaign(contact_lists, scripts);
        if self.windows.is_empty() {
            out.push((
                Field::Name,
                "no windows selected: go back and toggle at least one low-volume window".into(),
            ));
        }
        out
    }

    /// The problems of the campaign body alone: a draft created without a schedule needs
    /// no windows.
    pub fn validate_campaign(
        &self,
        contact_lists: &[NamedRef],
        scripts: &[NamedRef],
    ) -> Vec<(Field, String)> {
        let mut out = Vec::new();
        let name = self.name.trim();
        if name.is_empty() {
            out.push((Field::Name, "enter a campaign name".into()));
        } else if self.full_name().chars().count() > 200 {
            let room = 200 - (self.full_name().chars().count() - name.chars().count());
            out.push((Field::Name, format!("use at most {room} characters")));
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
        } else if !self.list_phone_columns.is_empty() && self.list_phone_type().is_none() {
            let names: Vec<&str> = self
                .list_phone_columns
                .iter()
                .map(|c| c.column_name.as_str())
                .collect();
            out.push((
                Field::PhoneColumn,
                format!(
                    "not a phone column of this contact list; use one of: {}",
                    names.join(", ")
                ),
            ));
        }
        out.extend(self.mode_problems());
        out
    }

    /// What the chosen dialing mode requires and the form lacks. Per the official SDK's
    /// `build/docs/Campaign.md` (MyPureCloud/platform-client-sdk-python): `edgeGroup` (or
    /// `site`, which "can be set in place of an edge group") and `callAnalysisResponseSet`
    /// are "required for all dialing modes except preview"; `abandonRate` is "required for
    /// progressive, power, and predictive campaigns" (a percentage).
    fn mode_problems(&self) -> Vec<(Field, String)> {
        let mode = self.dialing_mode();
        let mut out = Vec::new();
        if mode.needs_edge_and_call_analysis() {
            if self.site.is_none() {
                out.push((
                    Field::Site,
                    format!("{mode} dialing places calls from a site: choose one (←/→)"),
                ));
            }
            if self.response_set.is_none() {
                out.push((
                    Field::ResponseSet,
                    format!("{mode} dialing needs a call analysis response set: choose one (←/→)"),
                ));
            }
        }
        if mode.needs_abandon_rate() && self.abandon_rate().is_none() {
            out.push((
                Field::AbandonRate,
                "enter the target abandon rate, a percentage above 0 and at most 100".into(),
            ));
        }
        out
    }

    /// The abandon rate typed, when it is a percentage in (0, 100].
    pub fn abandon_rate(&self) -> Option<f64> {
        self.abandon_rate
            .trim()
            .trim_end_matches('%')
            .parse::<f64>()
            .ok()
            .filter(|r| r.is_finite() && *r > 0.0 && *r <= 100.0)
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
        let mode = self.dialing_mode();
        let dials = mode.needs_edge_and_call_analysis();
        let chosen = |r: &Option<NamedRef>| {
            dials
                .then(|| DomainEntityRef::new(r.as_ref().map(|r| r.id.clone()).unwrap_or_default()))
        };
        Campaign {
            queue: Some(DomainEntityRef::new(self.queue.id.clone())),
            script: Some(id_of(scripts, self.script)),
            site: chosen(&self.site),
            call_analysis_response_set: chosen(&self.response_set),
            abandon_rate: if mode.needs_abandon_rate() {
                self.abandon_rate()
            } else {
                None
            },
            ..Campaign::draft(
                self.full_name(),
                id_of(contact_lists, self.contact_list),
                self.dialing_mode(),
                vec![PhoneColumn {
                    column_name: self.phone_column.trim().to_string(),
                    column_type: self.phone_type(),
                }],
                self.caller_name.trim(),
                self.caller_address.trim(),
            )
        }
    }

    /// What the confirm says will happen, in the centre's local time, without a clock.
    pub fn confirm_text(&self) -> String {
        self.confirm_text_at(None, chrono::TimeDelta::zero())
    }

    /// What the confirm says will happen, in the centre's local time. With `now`, the windows
    /// are the ones the submit will send ([`clip_windows`]: a window under way starts `margin`
    /// after now, one left too short is dropped), so the first start named is the real one.
    pub fn confirm_text_at(&self, now: Option<DateTime<Utc>>, margin: chrono::TimeDelta) -> String {
        let name = self.full_name();
        let windows = self.windows_at(now, margin);
        let fmt = |t: DateTime<Utc>| {
            format!(
                "{} {}",
                t.with_timezone(&self.tz).format("%a %m-%d %H:%M"),
                self.tz.name()
            )
        };
        let first = windows.iter().map(|w| w.start).min();
        let last = windows.iter().map(|w| w.end).max();
        let moved = match (first, self.windows.iter().map(|w| w.start).min()) {
            (Some(a), Some(b)) if a != b => format!(
                " (a window under way starts at least {} min after sending, on the minute, not in the past)",
                margin.num_minutes()
            ),
            _ => String::new(),
        };
        match (first, last) {
            (Some(a), Some(b)) => format!(
                "Create campaign \"{name}\" and its schedule? Genesys will start dialing \"{name}\" at {}{moved} and stop at {}; {} window(s).",
                fmt(a),
                fmt(b),
                windows.len()
            ),
            _ if !self.windows.is_empty() => format!(
                "None of the {} window(s) starts {} min or more from now: select later windows.",
                self.windows.len(),
                margin.num_minutes()
            ),
            _ => format!("Create campaign \"{name}\" (off, no schedule: it will not dial)?"),
        }
    }

    /// What the confirm of "create without schedule" says: no schedule, so nothing dials
    /// until one is attached.
    pub fn draft_confirm_text(&self) -> String {
        format!(
            "Create campaign \"{}\" WITHOUT a schedule? No schedule is created: the campaign \
             stays off and will not dial until a schedule is attached (submit with windows \
             later: it attaches to this same campaign).",
            self.full_name()
        )
    }

    /// The windows a submit at `now` sends: [`clip_windows`], as the submit does (the
    /// selected ones unchanged without a clock).
    pub fn windows_at(
        &self,
        now: Option<DateTime<Utc>>,
        margin: chrono::TimeDelta,
    ) -> Vec<ScheduleWindow> {
        match now {
            Some(now) => clip_windows(&self.windows, now, margin, MIN_WINDOW),
            None => self.windows.clone(),
        }
    }

    /// The schedule body a submit at `now` sends: the windows of [`Self::windows_at`].
    pub fn schedule_at(
        &self,
        campaign_id: &str,
        now: Option<DateTime<Utc>>,
        margin: chrono::TimeDelta,
    ) -> CampaignSchedule {
        schedule(campaign_id, self.tz, &self.windows_at(now, margin))
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

/// A window clipped shorter than this is dropped rather than sent.
pub const MIN_WINDOW: chrono::TimeDelta = chrono::TimeDelta::minutes(15);

/// The windows as they can still be scheduled at `now`: none starts before `now + margin`
/// (`[campaign] schedule_margin_min`: Genesys refuses a schedule entry that starts in the past)
/// rounded up to the next whole minute (a window already under way is clipped to start then:
/// `20:42:00.000`, not now's seconds), and one left shorter than `min_len` is dropped. The
/// preview and the submit both call this, so the preview shows what is sent.
pub fn clip_windows(
    windows: &[ScheduleWindow],
    now: DateTime<Utc>,
    margin: chrono::TimeDelta,
    min_len: chrono::TimeDelta,
) -> Vec<ScheduleWindow> {
    let earliest = ceil_minute(now + margin);
    windows
        .iter()
        .map(|w| ScheduleWindow {
            start: w.start.max(earliest),
            end: w.end,
        })
        .filter(|w| w.end - w.start >= min_len)
        .collect()
}

/// `t` rounded up to the next whole minute; a whole minute stays. Every zone in use today is
/// offset from UTC by whole minutes, so the local time is whole too.
pub fn ceil_minute(t: DateTime<Utc>) -> DateTime<Utc> {
    let minute = chrono::TimeDelta::minutes(1);
    let floor = t.duration_trunc(minute).unwrap_or(t);
    if floor == t { t } else { floor + minute }
}

/// Six lowercase letters and digits from `seed` (a per-run salt mixed with the draft's queue
/// and a counter): short enough to read in the confirm, 36^6 ≈ 2·10^9 values.
pub fn marker(seed: u64, queue_id: &str, counter: u64) -> String {
    // FNV-1a: stable across runs and platforms, unlike `DefaultHasher`.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
    for b in queue_id.bytes().chain(counter.to_le_bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    (0..6)
        .map(|_| {
            let c = ALPHABET[(h % 36) as usize] as char;
            h /= 36;
            c
        })
        .collect()
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
mod tests;
