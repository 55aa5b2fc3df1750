//! The campaign review (issues 12 and 16): dialing modes the org cannot run, the windows a
//! submit really sends, and the form at the four sizes with a long name being edited.

use chrono::{TimeZone, Utc};
use crossterm::event::KeyCode;

use queuecast::campaign::{DIALING_MODES, Field, NamedRef};
use queuecast::tui::action::Msg;
use queuecast::tui::app::{App, Overlay};
use queuecast::tui::screens::review::{ModeState, mode_state};
use queuecast::tui::update::update;

use super::update::{app, fill_and_confirm, filled_review, key, keys, render};

fn state(a: &App, mode: usize) -> ModeState {
    mode_state(DIALING_MODES[mode], &a.sites, &a.response_sets)
}

fn prereqs(sites: usize, sets: usize) -> Msg {
    let refs = |n: usize, what: &str| {
        (0..n)
            .map(|i| NamedRef {
                id: format!("{what}{i}"),
                name: format!("{what} {i}"),
            })
            .collect()
    };
    Msg::DialerPrereqsLoaded {
        sites: Ok(refs(sites, "site")),
        default_site_id: None,
        response_sets: Ok(refs(sets, "set")),
    }
}

/// Focus on the dialing mode (the fourth field) and cycle forward once.
fn next_mode(a: &mut App) {
    let at = Field::ALL
        .iter()
        .position(|f| *f == Field::DialingMode)
        .unwrap();
    a.review.as_mut().unwrap().focus = at;
    key(a, KeyCode::Char('l'));
}

/// Issue 12: while the sites and response sets load, the dialing modes say "loading" (and
/// can be chosen); once an org without sites answers, the chosen mode falls back to preview,
/// the others are shown disabled with the reason, and cycling skips them with a note.
#[test]
fn modes_the_org_cannot_run_are_disabled_with_the_reason() {
    let mut a = app();
    filled_review(&mut a);
    assert_eq!(state(&a, 2), ModeState::Loading);
    // Wide enough for the note on one line.
    let screen = render(&a, 160, 40);
    assert!(
        screen.contains("progressive, power, predictive: loading sites and response sets…"),
        "{screen}"
    );
    assert!(!screen.contains("disabled"), "{screen}");
    next_mode(&mut a);
    assert_eq!(
        a.review.as_ref().unwrap().form.dialing_mode,
        1,
        "loading is not disabled"
    );

    update(&mut a, prereqs(0, 1));
    assert_eq!(state(&a, 0), ModeState::Ready, "preview needs neither");
    for mode in 1..4 {
        assert_eq!(
            state(&a, mode),
            ModeState::Disabled("the org has no site".into())
        );
    }
    let r = a.review.as_ref().unwrap();
    assert_eq!(r.form.dialing_mode, 0, "falls back to preview");
    let toast = &a.toasts.last().unwrap().text;
    assert!(
        toast.contains("progressive dialing is disabled (the org has no site)"),
        "{toast}"
    );
    next_mode(&mut a);
    assert_eq!(
        a.review.as_ref().unwrap().form.dialing_mode,
        0,
        "nothing else to pick"
    );
    let toast = &a.toasts.last().unwrap().text;
    assert_eq!(
        toast,
        "progressive, power, predictive skipped (disabled): the org has no site"
    );
    let screen = render(&a, 160, 40);
    assert!(
        screen.contains("progressive, power, predictive disabled: the org has no site"),
        "{screen}"
    );
    assert!(screen.contains("◀ preview ▶"), "{screen}");
    // The toasts read above; the snapshot shows the form under them.
    a.toasts.clear();
    insta::assert_snapshot!("review_modes_disabled_120x40", render(&a, 120, 40));

    // No response set either: both are named; a failed load is a reason too.
    update(&mut a, prereqs(0, 0));
    assert_eq!(
        state(&a, 3),
        ModeState::Disabled("the org has no site and no call analysis response set".into())
    );
    update(
        &mut a,
        Msg::DialerPrereqsLoaded {
            sites: Err("503".into()),
            default_site_id: None,
            response_sets: Ok(vec![]),
        },
    );
    assert_eq!(
        state(&a, 1),
        ModeState::Disabled(
            "the org has no call analysis response set; the sites could not be loaded".into()
        )
    );
}

/// With both lists, every mode can be chosen and cycling goes through them in order.
#[test]
fn an_org_with_sites_and_response_sets_offers_every_mode() {
    let mut a = app();
    filled_review(&mut a);
    update(&mut a, prereqs(1, 1));
    for want in [1, 2, 3, 0] {
        next_mode(&mut a);
        assert_eq!(a.review.as_ref().unwrap().form.dialing_mode, want);
    }
    assert!(!render(&a, 120, 40).contains("disabled"));
}

/// Issue 12: with the clock inside the first selected window (Sat 06-01 15:00–18:00 UTC,
/// 10:00–13:00 America/Chicago), the confirm names the start the submit sends: now (11:00:41)
/// plus the 15-minute margin rounded up to the minute, 11:16; the request preview's
/// schedule starts there too, at 11:16:00.000 (not now's seconds).
#[test]
fn the_confirm_and_the_preview_name_the_clipped_start() {
    let mut a = app();
    let now = Utc.with_ymd_and_hms(2024, 6, 1, 16, 0, 41).unwrap();
    update(
        &mut a,
        Msg::Clock(now + chrono::TimeDelta::milliseconds(101)),
    );
    fill_and_confirm(&mut a);
    let Some(Overlay::Confirm { text, .. }) = &a.overlay else {
        panic!("{:?}", a.overlay)
    };
    assert!(
        text.contains(
            "start dialing \"Sales quiet hours 2024-06-01 #"
        ) && text.contains(
            "at Sat 06-01 11:16 America/Chicago (a window under way starts at least 15 min after sending, on the minute, not in the past)"
        ),
        "{text}"
    );
    assert!(text.ends_with("; 3 window(s)."), "{text}");
    key(&mut a, KeyCode::Char('n'));
    // A tall terminal shows the whole preview.
    let screen = render(&a, 160, 90);
    assert!(screen.contains("\"2024-06-01T11:16:00.000\""), "{screen}");
    assert!(!screen.contains("\"2024-06-01T10:00:00.000\""), "{screen}");

    // Later the first window is over: two are left, the first starting Sun 10:00.
    update(
        &mut a,
        Msg::Clock(Utc.with_ymd_and_hms(2024, 6, 1, 18, 0, 0).unwrap()),
    );
    key(&mut a, KeyCode::Char('s'));
    let Some(Overlay::Confirm { text, .. }) = &a.overlay else {
        panic!("{:?}", a.overlay)
    };
    assert!(
        text.contains("at Sun 06-02 10:00 America/Chicago"),
        "{text}"
    );
    assert!(text.ends_with("; 2 window(s)."), "{text}");
}

/// Characters next to a box's right border that are not a space, `…` or a border: a word cut
/// without a mark. (`▏` is the caret, `▶` the end of a choice, `)` of a note.)
fn cut_words(screen: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (y, line) in screen.lines().enumerate() {
        let chars: Vec<char> = line.chars().collect();
        for x in 1..chars.len() {
            if chars[x] == '│' && x + 1 < chars.len() && chars[x + 1] == '│' {
                // Two boxes side by side: the left one's border.
                let c = chars[x - 1];
                if !matches!(c, ' ' | '…' | '▏' | '▶' | ')' | '─' | '│') {
                    out.push(format!("row {y}: {line}"));
                }
            }
        }
    }
    out
}

/// Issue 16: the review with a 40-character name being edited, at 80×23, 80×24, 100×30 and
/// 120×40: the caret is in view, a value too long for its column ends in `…`, no word of
/// the form is cut at the border without a mark, and the schedule below the fold says so.
#[test]
fn the_review_with_a_long_name_being_edited_at_four_sizes() {
    let name = "Renewals outreach for lapsed members 202";
    assert_eq!(name.chars().count(), 40);
    for (w, h) in [(80, 23), (80, 24), (100, 30), (120, 40)] {
        let mut a = app();
        filled_review(&mut a);
        update(&mut a, prereqs(1, 1));
        key(&mut a, KeyCode::Enter);
        for _ in 0..60 {
            key(&mut a, KeyCode::Backspace);
        }
        keys(&mut a, name);
        let r = a.review.as_ref().unwrap();
        assert!(r.editing);
        assert_eq!(r.form.name, name);
        let screen = render(&a, w, h);
        let name_row = screen
            .lines()
            .find(|l| l.contains("Name"))
            .unwrap_or_else(|| panic!("{screen}"));
        assert!(
            name_row.contains('▏'),
            "caret in view at {w}×{h}: {name_row}"
        );
        assert!(
            name_row.contains("202▏"),
            "the end of the name is shown at {w}×{h}: {name_row}"
        );
        if w == 80 {
            assert!(name_row.contains('…'), "{name_row}");
            assert!(
                screen.contains("(not used by preview)"),
                "whole at 80 columns: {screen}"
            );
        }
        let cut = cut_words(&screen);
        assert!(
            cut.is_empty(),
            "cut without a mark at {w}×{h}: {cut:#?}\n{screen}"
        );
        if h < 30 {
            assert!(
                screen.contains("window(s)") && screen.contains("↓ +"),
                "{screen}"
            );
        }
        insta::assert_snapshot!(format!("review_long_name_{w}x{h}"), screen);
    }
}
