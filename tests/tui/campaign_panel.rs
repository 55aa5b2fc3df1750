//! Issue 12 "create without schedule" and issue 16's persistent campaign panel, as `update`
//! flows and TestBackend snapshots.

use crossterm::event::KeyCode;

use queuecast::genesys::RestErrorDetail;
use queuecast::tui::action::{Effect, Msg, SubmitOutcome};
use queuecast::tui::app::{App, Overlay, Screen};
use queuecast::tui::update::update;

use super::update::{app, fill_and_confirm, key, render, show_fixture_view};

const URI: &str = "/api/v2/outbound/campaigns/c1";

/// A filled review with no confirm open.
fn filled() -> App {
    let mut a = app();
    fill_and_confirm(&mut a);
    key(&mut a, KeyCode::Char('n'));
    assert!(a.overlay.is_none());
    a
}

fn confirm_text(a: &App) -> String {
    match &a.overlay {
        Some(Overlay::Confirm { text, .. }) => text.clone(),
        other => panic!("no confirm: {other:?}"),
    }
}

fn finish(a: &mut App, job: u64, scheduled: bool, errors: Vec<RestErrorDetail>) {
    update(
        a,
        Msg::SubmitFinished {
            job,
            outcome: SubmitOutcome::Done {
                id: "c1".into(),
                self_uri: URI.into(),
                scheduled,
                errors,
            },
        },
    );
}

fn no_contacts() -> Vec<RestErrorDetail> {
    vec![RestErrorDetail {
        error: "Contact list is empty".into(),
        details: Some("no callable contacts".into()),
    }]
}

/// `d` asks with a confirm that says no schedule is created and nothing dials, sends the
/// campaign alone; `s` afterwards attaches the schedule to that campaign, never a second one.
#[test]
fn create_without_schedule_then_attach_the_schedule_to_the_same_campaign() {
    let mut a = filled();
    key(&mut a, KeyCode::Char('d'));
    let text = confirm_text(&a);
    assert!(text.contains("WITHOUT a schedule"), "{text}");
    assert!(
        text.contains("will not dial until a schedule is attached"),
        "{text}"
    );
    let fx = key(&mut a, KeyCode::Char('y'));
    let [Effect::Submit { job, request }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert!(request.without_schedule, "the campaign alone");
    assert_eq!(request.existing, None);
    finish(&mut a, *job, false, no_contacts());
    // A second `d` creates nothing.
    assert!(key(&mut a, KeyCode::Char('d')).is_empty());
    assert!(a.overlay.is_none());
    assert!(a.toasts.last().unwrap().text.contains("c1 exists already"));
    key(&mut a, KeyCode::Char('s'));
    let text = confirm_text(&a);
    assert!(
        text.starts_with("Attach the schedule of campaign c1? Genesys will start dialing"),
        "{text}"
    );
    let fx = key(&mut a, KeyCode::Char('y'));
    let [Effect::Submit { job, request }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert_eq!(request.existing, Some(("c1".into(), URI.into())));
    assert!(!request.without_schedule);
    assert_eq!(request.schedule.intervals.len(), 3);
    finish(&mut a, *job, true, vec![]);
    // Stored and unchanged: the submit key has nothing to send.
    assert!(key(&mut a, KeyCode::Char('s')).is_empty());
    assert!(a.overlay.is_none());
}

/// A draft's `d` is validated like a submit, without needing windows.
#[test]
fn create_without_schedule_validates_the_campaign_first() {
    let mut a = app();
    fill_and_confirm(&mut a);
    key(&mut a, KeyCode::Char('n'));
    // Clear the caller name: the draft cannot be created.
    let r = a.review.as_mut().unwrap();
    r.form.caller_name.clear();
    r.form.windows.clear();
    assert!(key(&mut a, KeyCode::Char('d')).is_empty());
    assert!(a.overlay.is_none());
    assert_eq!(a.review.as_ref().unwrap().focus, 4, "focus on Caller name");
    a.review.as_mut().unwrap().form.caller_name = "Acme".into();
    key(&mut a, KeyCode::Char('d'));
    assert!(
        confirm_text(&a).contains("WITHOUT a schedule"),
        "no windows needed"
    );
}

/// Issue 16: after the submit the panel shows name, id, selfUri, schedule and errors; the
/// form is read-only and the status bar drops `enter edit` and `s submit`; the dashboard's
/// status line says a campaign exists.
#[test]
fn the_campaign_panel_persists_and_the_hints_follow() {
    let mut a = filled();
    let before = render(&a, 120, 40);
    assert!(before.contains("enter edit"), "{before}");
    assert!(before.contains("s submit"), "{before}");
    assert!(before.contains("d no-schedule draft"), "{before}");
    key(&mut a, KeyCode::Char('s'));
    let fx = key(&mut a, KeyCode::Char('y'));
    let [Effect::Submit { job, .. }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    finish(&mut a, *job, true, no_contacts());
    a.toasts.clear();
    for (w, h) in [(80, 24), (120, 40)] {
        let screen = render(&a, w, h);
        for needle in [
            "read-only",
            " Campaign ",
            "c1",
            "Errors",
            "✗ Contact list is empty",
        ] {
            assert!(screen.contains(needle), "{w}x{h}: no {needle:?}\n{screen}");
        }
        assert!(!screen.contains("enter edit"), "{w}x{h}\n{screen}");
        assert!(!screen.contains("s submit"), "{w}x{h}\n{screen}");
        insta::assert_snapshot!(format!("review_campaign_{w}x{h}"), screen);
    }
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.screen, Screen::Dashboard);
    show_fixture_view(&mut a);
    for (w, h) in [(80, 24), (120, 40)] {
        let screen = render(&a, w, h);
        let note = if w > 80 {
            "▣ campaign scheduled, 1 error(s)"
        } else {
            "▣ campaign"
        };
        assert!(screen.contains(note), "{w}x{h}\n{screen}");
        insta::assert_snapshot!(format!("dashboard_campaign_{w}x{h}"), screen);
    }
}
