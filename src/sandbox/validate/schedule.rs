//! `CampaignSchedule` bodies (`PUT /api/v2/outbound/schedules/campaigns/{id}`, see
//! ../shared/genesys-api/README.md (g)): the first bad field is refused, an interval that
//! starts in the past is refused (Resource Center, "Schedule view": a start in the past is not
//! allowed), and a stale or missing `version` conflicts with the stored schedule.

use axum::http::StatusCode;
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde_json::{Map, Value};

use super::{FieldError, json_object};
use crate::sandbox::wire::ApiError;

/// A schedule body that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ValidSchedule {
    /// `(start, end)` as sent: local wall-clock times in `time_zone`, or instants with an offset.
    pub intervals: Vec<(String, String)>,
    /// An IANA zone; `UTC` when the body names none.
    pub time_zone: String,
    /// The version the client last read; `None` creates the schedule.
    pub version: Option<i64>,
    pub name: Option<String>,
    pub recurrences: Option<Vec<Value>>,
}

/// Checks a schedule body for the campaign `campaign_id` of the request path, at `now`.
pub(crate) fn schedule(
    body: &[u8],
    campaign_id: &str,
    now: DateTime<Utc>,
) -> Result<ValidSchedule, ApiError> {
    let o = json_object(body, "a CampaignSchedule")?;
    campaign_matches(&o, campaign_id)?;
    let intervals = intervals(&o)?;
    let time_zone = time_zone(&o)?;
    none_in_the_past(&intervals, &time_zone, now)?;
    let version = version(&o)?;
    Ok(ValidSchedule {
        intervals,
        time_zone,
        version,
        name: o.get("name").and_then(Value::as_str).map(str::to_string),
        recurrences: o.get("recurrences").and_then(Value::as_array).cloned(),
    })
}

/// The version the updated schedule gets, or the 409 for a stale or missing `version`
/// (optimistic concurrency: a client must GET the schedule before it replaces it).
pub(crate) fn next_schedule_version(
    current: Option<&Value>,
    sent: Option<i64>,
    campaign_id: &str,
) -> Result<i64, ApiError> {
    let Some(cur) = current else {
        return Ok(1);
    };
    let current = cur["version"].as_i64().unwrap_or_default();
    let msg = match sent {
        Some(v) if cur["version"].as_i64() == Some(v) => return Ok(v + 1),
        None => format!(
            "version is required to update the schedule of campaign {campaign_id}; the current version is {current} (GET it first)"
        ),
        Some(v) => format!(
            "version {v} does not match the current version {current} of this schedule; GET it and retry"
        ),
    };
    let mut e = ApiError::new(StatusCode::CONFLICT, "conflict", msg);
    e.details
        .push(("VERSION_MISMATCH".into(), "version".into()));
    Err(e)
}

/// `campaign.id`: required, and the campaign of the path.
fn campaign_matches(o: &Map<String, Value>, campaign_id: &str) -> Result<(), FieldError> {
    match o
        .get("campaign")
        .and_then(|c| c.get("id"))
        .and_then(Value::as_str)
    {
        None => Err(FieldError::required(
            "campaign",
            "campaign is required ({\"id\": \"<campaign id>\"})",
        )),
        Some(id) if id != campaign_id => Err(FieldError::invalid(
            "campaign",
            format!("campaign.id {id} does not match the campaign {campaign_id} in the path"),
        )),
        Some(_) => Ok(()),
    }
}

/// `intervals`: a non-empty list of `{start, end}` that each end after they start.
fn intervals(o: &Map<String, Value>) -> Result<Vec<(String, String)>, FieldError> {
    let list = match o.get("intervals") {
        Some(Value::Array(list)) if !list.is_empty() => list,
        Some(Value::Array(_)) | None | Some(Value::Null) => {
            return Err(FieldError::required(
                "intervals",
                "intervals is required: a non-empty list of {start, end}",
            ));
        }
        Some(_) => {
            return Err(FieldError::invalid(
                "intervals",
                "intervals must be a list of {start, end}",
            ));
        }
    };
    list.iter()
        .enumerate()
        .map(|(i, iv)| interval(i, iv))
        .collect()
}

fn interval(i: usize, iv: &Value) -> Result<(String, String), FieldError> {
    let s = iv.get("start").and_then(Value::as_str);
    let e = iv.get("end").and_then(Value::as_str);
    let (Some(s), Some(e)) = (s, e) else {
        return Err(FieldError::required(
            "intervals",
            format!("intervals[{i}] needs start and end"),
        ));
    };
    match (parse_schedule_time(s), parse_schedule_time(e)) {
        (Some(a), Some(b)) if a < b => Ok((s.to_string(), e.to_string())),
        (Some(_), Some(_)) => Err(FieldError::invalid(
            "intervals",
            format!("intervals[{i}] ends ({e}) before it starts ({s})"),
        )),
        _ => Err(FieldError::invalid(
            "intervals",
            format!(
                "intervals[{i}] times must look like 2024-06-03T09:00:00.000 (local to timeZone)"
            ),
        )),
    }
}

/// No interval may start before `now`.
fn none_in_the_past(
    intervals: &[(String, String)],
    zone: &str,
    now: DateTime<Utc>,
) -> Result<(), FieldError> {
    let tz: Tz = zone.parse().unwrap_or(Tz::UTC);
    for (i, (start, _)) in intervals.iter().enumerate() {
        if schedule_instant(start, tz).is_some_and(|t| t < now) {
            let local = now.with_timezone(&tz).format("%Y-%m-%dT%H:%M:%S");
            return Err(FieldError::invalid(
                "intervals",
                format!(
                    "intervals[{i}] starts in the past ({start} {zone}; it is now {local} there): \
                     a schedule entry must start in the future"
                ),
            ));
        }
    }
    Ok(())
}

/// The instant a schedule time names: a local wall-clock time read in `tz` (the earlier one
/// when a DST fall-back repeats it), or an instant with an offset as sent.
pub(crate) fn schedule_instant(s: &str, tz: Tz) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    let local = parse_schedule_time(s)?;
    tz.from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// A schedule time: local wall-clock (`2024-06-03T09:00:00.000`) or an instant with offset.
fn parse_schedule_time(s: &str) -> Option<NaiveDateTime> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.naive_utc());
    }
    [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
}

/// `timeZone`: optional (UTC), an IANA zone name.
fn time_zone(o: &Map<String, Value>) -> Result<String, FieldError> {
    match o.get("timeZone") {
        None | Some(Value::Null) => Ok("UTC".to_string()),
        Some(Value::String(z)) if z.parse::<Tz>().is_ok() => Ok(z.clone()),
        Some(z) => Err(FieldError::invalid(
            "timeZone",
            format!("timeZone {z} is not an IANA zone name (e.g. America/Chicago)"),
        )),
    }
}

/// `version`: optional, an integer.
fn version(o: &Map<String, Value>) -> Result<Option<i64>, FieldError> {
    match o.get("version") {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v.as_i64().map(Some).ok_or_else(|| {
            FieldError::invalid("version", format!("version {v} must be an integer"))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::bytes;
    use super::*;
    use serde_json::json;

    /// 2026-11-20 10:30 in New York, before the intervals of `good()`.
    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 20, 15, 30, 0).unwrap()
    }

    fn good() -> Value {
        json!({"campaign": {"id": "c1"}, "timeZone": "America/New_York",
            "intervals": [{"start": "2026-11-23T09:00:00.000", "end": "2026-11-23T11:00:00.000"}]})
    }

    /// (status, code, details, message) of the refusal of `good()` after `edit`.
    fn refusal(
        edit: impl FnOnce(&mut Value),
    ) -> (StatusCode, &'static str, Vec<(String, String)>, String) {
        let mut body = good();
        edit(&mut body);
        let e = schedule(&bytes(body), "c1", now()).unwrap_err();
        (e.status, e.code, e.details, e.message)
    }

    fn bad(
        code: &str,
        field: &str,
        message: &str,
    ) -> (StatusCode, &'static str, Vec<(String, String)>, String) {
        (
            StatusCode::BAD_REQUEST,
            "invalid.value",
            vec![(code.to_string(), field.to_string())],
            message.to_string(),
        )
    }

    #[test]
    fn a_good_body_is_read_as_sent() {
        let mut body = good();
        body["version"] = json!(3);
        body["name"] = json!("quiet hours");
        body["recurrences"] = json!([]);
        body["intervals"] = json!([
            {"start": "2026-11-23T09:00:00.000", "end": "2026-11-23T11:00:00.000"},
            {"start": "2026-11-24T14:00:00Z", "end": "2026-11-24T15:30"},
        ]);
        let v = schedule(&bytes(body), "c1", now()).unwrap();
        assert_eq!(
            v,
            ValidSchedule {
                intervals: vec![
                    (
                        "2026-11-23T09:00:00.000".into(),
                        "2026-11-23T11:00:00.000".into()
                    ),
                    ("2026-11-24T14:00:00Z".into(), "2026-11-24T15:30".into()),
                ],
                time_zone: "America/New_York".into(),
                version: Some(3),
                name: Some("quiet hours".into()),
                recurrences: Some(vec![]),
            }
        );
        let mut body = good();
        body.as_object_mut().unwrap().remove("timeZone");
        body["version"] = Value::Null;
        let v = schedule(&bytes(body), "c1", now()).unwrap();
        assert_eq!((v.time_zone.as_str(), v.version), ("UTC", None));
    }

    /// Asserts `good()` after `edit` is refused naming `field` with `code` and `message`.
    fn assert_refused(edit: impl FnOnce(&mut Value), code: &str, field: &str, message: &str) {
        assert_eq!(refusal(edit), bad(code, field, message));
    }

    #[test]
    fn campaign_zone_and_version_are_checked() {
        assert_refused(
            |b| b["campaign"] = json!({"name": "x"}),
            "FIELD_REQUIRED",
            "campaign",
            "campaign is required ({\"id\": \"<campaign id>\"})",
        );
        assert_refused(
            |b| b["campaign"]["id"] = json!("someone-else"),
            "INVALID_VALUE",
            "campaign",
            "campaign.id someone-else does not match the campaign c1 in the path",
        );
        assert_refused(
            |b| b["timeZone"] = json!("Mars/Olympus"),
            "INVALID_VALUE",
            "timeZone",
            "timeZone \"Mars/Olympus\" is not an IANA zone name (e.g. America/Chicago)",
        );
        assert_refused(
            |b| b["version"] = json!("2"),
            "INVALID_VALUE",
            "version",
            "version \"2\" must be an integer",
        );
    }

    #[test]
    fn intervals_must_be_a_list_of_forward_local_times() {
        let (required, invalid) = ("FIELD_REQUIRED", "INVALID_VALUE");
        let list = "intervals is required: a non-empty list of {start, end}";
        assert_refused(|b| b["intervals"] = json!([]), required, "intervals", list);
        assert_refused(
            |b| {
                b.as_object_mut().unwrap().remove("intervals");
            },
            required,
            "intervals",
            list,
        );
        assert_refused(
            |b| b["intervals"] = json!({"start": "x"}),
            invalid,
            "intervals",
            "intervals must be a list of {start, end}",
        );
        assert_refused(
            |b| b["intervals"][0].as_object_mut().unwrap().clear(),
            required,
            "intervals",
            "intervals[0] needs start and end",
        );
        for end in ["2026-11-23T08:00:00.000", "2026-11-23T09:00:00.000"] {
            assert_refused(
                |b| b["intervals"][0]["end"] = json!(end),
                invalid,
                "intervals",
                &format!("intervals[0] ends ({end}) before it starts (2026-11-23T09:00:00.000)"),
            );
        }
        assert_refused(
            |b| b["intervals"][0]["start"] = json!("Monday 9am"),
            invalid,
            "intervals",
            "intervals[0] times must look like 2024-06-03T09:00:00.000 (local to timeZone)",
        );
    }

    #[test]
    fn an_interval_starting_before_now_is_refused_in_the_schedules_zone() {
        // 10:29 New York is 15:29Z, a minute before now.
        assert_refused(
            |b| b["intervals"][0]["start"] = json!("2026-11-20T10:29:00.000"),
            "INVALID_VALUE",
            "intervals",
            "intervals[0] starts in the past (2026-11-20T10:29:00.000 America/New_York; it is now \
             2026-11-20T10:30:00 there): a schedule entry must start in the future",
        );
        // The second interval is checked too, and an instant with an offset is read as such.
        assert_refused(
            |b| {
                b["intervals"] = json!([
                    {"start": "2026-11-23T09:00:00.000", "end": "2026-11-23T11:00:00.000"},
                    {"start": "2026-11-20T15:00:00Z", "end": "2026-11-20T17:00:00Z"}]);
            },
            "INVALID_VALUE",
            "intervals",
            "intervals[1] starts in the past (2026-11-20T15:00:00Z America/New_York; it is now \
             2026-11-20T10:30:00 there): a schedule entry must start in the future",
        );
        // The same wall-clock time is in the future further west.
        let mut body = good();
        body["timeZone"] = json!("America/Los_Angeles");
        body["intervals"][0]["start"] = json!("2026-11-20T10:29:00.000");
        assert!(schedule(&bytes(body), "c1", now()).is_ok());
        // Starting exactly now is not in the past.
        let mut body = good();
        body["intervals"][0]["start"] = json!("2026-11-20T10:30:00.000");
        assert!(schedule(&bytes(body), "c1", now()).is_ok());
    }

    #[test]
    fn schedule_instants_read_local_times_in_the_zone() {
        let ny: Tz = "America/New_York".parse().unwrap();
        assert_eq!(
            schedule_instant("2026-11-23T09:00:00.000", ny),
            Some(Utc.with_ymd_and_hms(2026, 11, 23, 14, 0, 0).unwrap())
        );
        assert_eq!(
            schedule_instant("2026-11-23T09:00:00+01:00", ny),
            Some(Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap())
        );
        // 01:30 on the fall-back night happens twice: the earlier (EDT) one.
        assert_eq!(
            schedule_instant("2026-11-01T01:30:00.000", ny),
            Some(Utc.with_ymd_and_hms(2026, 11, 1, 5, 30, 0).unwrap())
        );
        assert_eq!(schedule_instant("soon", ny), None);
    }

    #[test]
    fn the_first_bad_field_is_the_one_named() {
        let (_, _, details, _) = refusal(|b| {
            b["campaign"] = json!({});
            b["timeZone"] = json!("Mars/Olympus");
        });
        assert_eq!(
            details,
            [("FIELD_REQUIRED".to_string(), "campaign".to_string())]
        );
    }

    #[test]
    fn versions_create_bump_or_conflict() {
        let stored = json!({"version": 2});
        assert_eq!(next_schedule_version(None, None, "c1").unwrap(), 1);
        assert_eq!(next_schedule_version(None, Some(7), "c1").unwrap(), 1);
        assert_eq!(
            next_schedule_version(Some(&stored), Some(2), "c1").unwrap(),
            3
        );
        for (sent, needle) in [
            (
                Some(1),
                "version 1 does not match the current version 2 of this schedule; GET it and retry",
            ),
            (
                None,
                "version is required to update the schedule of campaign c1; the current version is 2 (GET it first)",
            ),
        ] {
            let e = next_schedule_version(Some(&stored), sent, "c1").unwrap_err();
            assert_eq!(
                (e.status, e.code, e.message.as_str()),
                (StatusCode::CONFLICT, "conflict", needle)
            );
            assert_eq!(
                e.details,
                [("VERSION_MISMATCH".to_string(), "version".to_string())]
            );
        }
    }
}
