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

/// [`form`] with every field a submit needs, and the one contact list / script it names.
fn complete_form() -> (CampaignForm, [NamedRef; 1]) {
    let mut f = form();
    f.contact_list = Some(0);
    f.script = Some(0);
    f.caller_name = "Acme".into();
    f.caller_address = "+13175550100".into();
    let r = [NamedRef {
        id: "x".into(),
        name: "X".into(),
    }];
    (f, r)
}

#[test]
fn bodies_are_off_and_schedule_is_local_and_sorted() {
    let (f, r) = complete_form();
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

#[test]
fn the_phone_type_comes_from_the_contact_list_when_it_lists_the_column() {
    let mut f = form();
    let col = |n: &str, t: &str| PhoneColumn {
        column_name: n.into(),
        column_type: t.into(),
    };
    f.set_list_phone_columns(vec![col("Mobile", "mobile"), col("Home", "home")]);
    assert_eq!(
        f.phone_column, "Mobile",
        "Cell is not a column: the first one"
    );
    assert_eq!(
        f.phone_type(),
        "mobile",
        "not one of PHONE_TYPES: the list's"
    );
    f.phone_type = 2;
    f.phone_column = "Home".into();
    let c = f.campaign(&[], &[]);
    assert_eq!(
        c.phone_columns,
        [col("Home", "home")],
        "the list wins over a choice"
    );
    f.phone_column = "Fax".into();
    assert_eq!(f.phone_type(), "work", "unknown column: the chosen type");
    assert!(f.validate(&[], &[]).contains(&(
        Field::PhoneColumn,
        "not a phone column of this contact list; use one of: Mobile, Home".into()
    )));
}

#[test]
fn each_dialing_mode_sends_what_it_requires_and_names_what_is_missing() {
    let (mut f, r) = complete_form();
    for (i, mode) in DIALING_MODES.iter().enumerate() {
        f.dialing_mode = i;
        f.site = None;
        f.response_set = None;
        f.abandon_rate = "3".into();
        let problems: Vec<Field> = f.validate(&r, &r).into_iter().map(|p| p.0).collect();
        let c = serde_json::to_value(f.campaign(&r, &r)).unwrap();
        if *mode == DialingMode::Preview {
            assert!(problems.is_empty(), "{problems:?}");
            for k in [
                "site",
                "callAnalysisResponseSet",
                "abandonRate",
                "edgeGroup",
            ] {
                assert!(c.get(k).is_none(), "preview sends no {k}: {c}");
            }
            continue;
        }
        assert_eq!(problems, [Field::Site, Field::ResponseSet], "{mode}");
        f.site = Some(NamedRef {
            id: "site-1".into(),
            name: "Indy".into(),
        });
        f.response_set = Some(NamedRef {
            id: "rs-1".into(),
            name: "Live".into(),
        });
        assert!(f.validate(&r, &r).is_empty(), "{mode}");
        let c = serde_json::to_value(f.campaign(&r, &r)).unwrap();
        assert_eq!(c["site"], json!({"id": "site-1"}), "{mode}");
        assert_eq!(
            c["callAnalysisResponseSet"],
            json!({"id": "rs-1"}),
            "{mode}"
        );
        assert_eq!(c["abandonRate"], json!(3.0), "{mode}");
        f.abandon_rate = "0".into();
        assert_eq!(f.validate(&r, &r)[0].0, Field::AbandonRate, "{mode}");
        f.abandon_rate = "5%".into();
        assert_eq!(f.abandon_rate(), Some(5.0));
    }
}

#[test]
fn windows_are_clipped_to_now_plus_margin_and_short_leftovers_dropped() {
    let at = |h: u32, m: u32| Utc.with_ymd_and_hms(2024, 6, 3, h, m, 0).unwrap();
    let w = |a, b| ScheduleWindow { start: a, end: b };
    let windows = [
        w(at(8, 0), at(9, 0)),    // over: dropped
        w(at(9, 0), at(10, 20)),  // under way: starts at 10:15, 5 min left: dropped
        w(at(9, 0), at(11, 0)),   // under way: clipped to 10:15–11:00
        w(at(10, 10), at(12, 0)), // starts inside the margin: clipped to 10:15
        w(at(14, 0), at(15, 0)),  // later: unchanged
    ];
    let now = at(10, 0);
    let margin = chrono::TimeDelta::minutes(15);
    let out = clip_windows(&windows, now, margin, MIN_WINDOW);
    assert_eq!(
        out,
        [
            w(at(10, 15), at(11, 0)),
            w(at(10, 15), at(12, 0)),
            w(at(14, 0), at(15, 0)),
        ]
    );
    assert!(out.iter().all(|w| w.start >= now + margin));
    // Exactly the minimum length is kept.
    let edge = clip_windows(&[w(at(10, 0), at(10, 30))], now, margin, MIN_WINDOW);
    assert_eq!(edge, [w(at(10, 15), at(10, 30))]);
}

/// A clipped start is now plus the margin rounded up to the whole minute, never now's
/// seconds; a window with less than the minimum left after the rounding is still dropped.
#[test]
fn a_clipped_start_is_rounded_up_to_the_whole_minute() {
    let at = |h: u32, m: u32, s: u32| Utc.with_ymd_and_hms(2024, 6, 3, h, m, s).unwrap();
    let w = |a, b| ScheduleWindow { start: a, end: b };
    let now = at(10, 0, 41) + chrono::TimeDelta::milliseconds(101);
    let margin = chrono::TimeDelta::minutes(15);
    let windows = [
        // 10:15:41 unrounded would leave 15:09; from 10:16 only 14:50: dropped.
        w(at(9, 0, 0), at(10, 30, 50)),
        w(at(9, 0, 0), at(11, 0, 0)),
        w(at(14, 0, 0), at(15, 0, 0)),
    ];
    let out = clip_windows(&windows, now, margin, MIN_WINDOW);
    assert_eq!(
        out,
        [
            w(at(10, 16, 0), at(11, 0, 0)),
            w(at(14, 0, 0), at(15, 0, 0))
        ]
    );
    assert_eq!(ceil_minute(at(10, 16, 0)), at(10, 16, 0));
    assert_eq!(
        ceil_minute(at(10, 15, 0) + chrono::TimeDelta::nanoseconds(1)),
        at(10, 16, 0)
    );
}

#[test]
fn the_confirm_says_genesys_will_dial_in_local_time() {
    let mut f = form();
    f.marker = "abc123".into();
    // Windows 14:00–16:00Z … 20:00–21:00Z on 2024-06-03 = 09:00 … 16:00 CDT (Monday).
    assert_eq!(
        f.confirm_text(),
        "Create campaign \"Sales quiet hours 2024-06-01 #abc123\" and its schedule? Genesys will start dialing \"Sales quiet hours 2024-06-01 #abc123\" at Mon 06-03 09:00 America/Chicago and stop at Mon 06-03 16:00 America/Chicago; 3 window(s)."
    );
    f.windows.clear();
    assert!(f.confirm_text().contains("no schedule: it will not dial"));
}

#[test]
fn with_a_clock_the_confirm_names_the_start_the_submit_will_send() {
    let mut f = form();
    f.marker = "abc123".into();
    let margin = chrono::TimeDelta::minutes(15);
    // 14:30Z is inside the first window (14:00–16:00Z): it is sent from 14:45Z = 09:45 CDT.
    let now = Utc.with_ymd_and_hms(2024, 6, 3, 14, 30, 0).unwrap();
    let text = f.confirm_text_at(Some(now), margin);
    assert!(
        text.contains(
            "at Mon 06-03 09:45 America/Chicago (a window under way starts at least 15 min after sending, on the minute"
        ),
        "{text}"
    );
    assert!(text.ends_with("3 window(s)."), "{text}");
    // Before every window, the clock changes nothing.
    let early = Utc.with_ymd_and_hms(2024, 6, 3, 9, 0, 0).unwrap();
    assert_eq!(f.confirm_text_at(Some(early), margin), f.confirm_text());
    // After them all, nothing would be scheduled, and the confirm says so.
    let late = Utc.with_ymd_and_hms(2024, 6, 4, 0, 0, 0).unwrap();
    let text = f.confirm_text_at(Some(late), margin);
    assert!(text.starts_with("None of the 3 window(s)"), "{text}");
}

#[test]
fn the_marker_goes_on_the_name_sent_and_counts_against_its_length() {
    let mut f = form();
    f.marker = marker(0, "q1", 1);
    assert_eq!(f.marker.len(), 6);
    assert!(
        f.marker
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    );
    assert_ne!(f.marker, marker(0, "q1", 2), "a new draft, a new marker");
    assert_ne!(f.marker, marker(7, "q1", 1), "another run, another marker");
    assert_eq!(f.marker, marker(0, "q1", 1), "deterministic for a seed");
    let c = f.campaign(&[], &[]);
    assert_eq!(
        c.name,
        format!("Sales quiet hours 2024-06-01 #{}", f.marker)
    );
    f.name = "x".repeat(192);
    assert!(
        !f.validate(&[], &[])
            .iter()
            .any(|p| p.0 == Field::Name && p.1.contains("at most"))
    );
    f.name = "x".repeat(193);
    assert!(
        f.validate(&[], &[])
            .contains(&(Field::Name, "use at most 192 characters".into()))
    );
}
