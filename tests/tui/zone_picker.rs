//! The one-time time-zone picker: `update()` flows (filter, pick, Esc, the saved zone
//! refetching the queue) and its snapshot at 80×24.

use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use queuecast::campaign::NamedRef;
use queuecast::tui::action::{Effect, Msg};
use queuecast::tui::app::{App, Overlay, Stage};
use queuecast::tui::screens::dashboard::open_queue;
use queuecast::tui::screens::zone_picker::matches;
use queuecast::tui::update::update;

use queuecast::tui::board_view::RowState;

use super::update::{app, key, keys, queues};

fn sales() -> NamedRef {
    NamedRef {
        id: "q0".into(),
        name: "Sales".into(),
    }
}

/// An app with no zone configured against a real org, `Sales` opened.
fn opened() -> (App, Vec<Effect>) {
    let mut a = app();
    a.org.sandbox = false;
    a.implicit_zone = Some(vec!["Billing".into()]);
    let fx = open_queue(&mut a, sales());
    (a, fx)
}

fn picker(a: &App) -> &queuecast::tui::app::ZonePicker {
    match &a.overlay {
        Some(Overlay::ZonePicker(p)) => p,
        other => panic!("no picker: {other:?}"),
    }
}

fn fetches(fx: &[Effect]) -> usize {
    fx.iter()
        .filter(|e| matches!(e, Effect::FetchHistory { .. }))
        .count()
}

#[test]
fn an_implicit_zone_asks_before_fetching() {
    let (a, fx) = opened();
    assert_eq!(fetches(&fx), 0, "no fetch while the picker is open: {fx:?}");
    assert_eq!(picker(&a).filter, "");
}

#[test]
fn a_configured_zone_or_a_queue_with_its_own_fetches_at_once() {
    let mut a = app();
    a.implicit_zone = Some(vec!["Sales".into()]);
    let fx = open_queue(&mut a, sales());
    assert_eq!(fetches(&fx), 1, "{fx:?}");
    assert!(a.overlay.is_none());
    let mut a = app();
    a.implicit_zone = None;
    assert_eq!(fetches(&open_queue(&mut a, sales())), 1);
}

#[test]
fn typing_filters_case_insensitively_with_spaces_for_underscores() {
    assert_eq!(matches("new york"), vec!["America/New_York"]);
    assert!(matches("").len() > 400, "every IANA name when empty");
    let (mut a, _) = opened();
    keys(&mut a, "DUBL");
    assert_eq!(picker(&a).filter, "DUBL");
    let fx = key(&mut a, KeyCode::Enter);
    assert_eq!(
        fx,
        vec![Effect::SaveZone {
            zone: "Europe/Dublin".into()
        }]
    );
    assert!(a.overlay.is_none());
}

#[test]
fn arrows_and_pages_move_within_the_matches() {
    let (mut a, _) = opened();
    keys(&mut a, "america/");
    let n = matches("america/").len();
    key(&mut a, KeyCode::Up);
    assert_eq!(picker(&a).row, 0, "Up stops at the top");
    key(&mut a, KeyCode::Down);
    key(&mut a, KeyCode::PageDown);
    assert_eq!(picker(&a).row, 11);
    key(&mut a, KeyCode::PageUp);
    assert_eq!(picker(&a).row, 1);
    for _ in 0..(n / 10 + 2) {
        key(&mut a, KeyCode::PageDown);
    }
    assert_eq!(picker(&a).row, n - 1, "PgDn stops at the last match");
    let zone = matches("america/")[n - 1].to_string();
    assert_eq!(key(&mut a, KeyCode::Enter), vec![Effect::SaveZone { zone }]);
}

#[test]
fn enter_with_no_match_does_nothing() {
    let (mut a, _) = opened();
    keys(&mut a, "zzzz");
    assert!(key(&mut a, KeyCode::Enter).is_empty());
    assert!(a.overlay.is_some());
    key(&mut a, KeyCode::Backspace);
    assert_eq!(picker(&a).filter, "zzz");
}

#[test]
fn esc_fetches_anyway_so_the_queue_shows_the_error_and_does_not_ask_again() {
    let (mut a, _) = opened();
    let fx = key(&mut a, KeyCode::Esc);
    assert!(a.overlay.is_none());
    let [Effect::FetchHistory { job, queue, .. }] = &fx[..] else {
        panic!("{fx:?}")
    };
    assert_eq!(queue.name, "Sales");
    assert_eq!(a.session.as_ref().unwrap().job, *job);
    key(&mut a, KeyCode::Esc);
    let other = NamedRef {
        id: "q1".into(),
        name: "Support".into(),
    };
    let fx = open_queue(&mut a, other);
    assert_eq!(fetches(&fx), 1, "asked once per run: {fx:?}");
    assert!(a.overlay.is_none());
}

#[test]
fn a_saved_zone_is_used_and_the_queue_refetched() {
    let (mut a, _) = opened();
    keys(&mut a, "tokyo");
    key(&mut a, KeyCode::Enter);
    let fx = update(&mut a, Msg::ZoneSaved(Ok("Asia/Tokyo".into())));
    assert_eq!(fetches(&fx), 1, "{fx:?}");
    assert_eq!(a.implicit_zone, None);
    assert_eq!(a.tz, chrono_tz::Asia::Tokyo);
    assert!(a.toasts.iter().any(|t| t.text.contains("Asia/Tokyo saved")));
    let s = a.session.as_ref().unwrap();
    assert!(matches!(s.stage, Stage::Fetching { .. }));
}

/// Issue 12: the board's rows were forecast in the old zone; once a zone is saved they are
/// forecast again in it (the running board forecast cancelled, every row waiting), beside the
/// open queue's refetch. A failed save forecasts nothing again.
#[test]
fn a_saved_zone_forecasts_the_board_again() {
    let mut a = app();
    a.org.sandbox = false;
    a.implicit_zone = Some(vec!["Billing".into()]);
    let fx = update(&mut a, Msg::QueuesLoaded(Ok(queues())));
    let [Effect::ForecastQueues { job: first, .. }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    let first = *first;
    a.board
        .rows
        .insert("q1".into(), RowState::Failed("no zone".into()));
    open_queue(&mut a, sales());
    keys(&mut a, "tokyo");
    key(&mut a, KeyCode::Enter);

    let failed = update(&mut a, Msg::ZoneSaved(Err("denied".into())));
    assert!(
        !failed
            .iter()
            .any(|e| matches!(e, Effect::ForecastQueues { .. } | Effect::Cancel(_))),
        "{failed:?}"
    );

    let fx = update(&mut a, Msg::ZoneSaved(Ok("Asia/Tokyo".into())));
    assert_eq!(fetches(&fx), 1, "the open queue is refetched: {fx:?}");
    assert!(fx.contains(&Effect::Cancel(first)), "{fx:?}");
    let again: Vec<_> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::ForecastQueues { job, queues, .. } => Some((*job, queues.clone())),
            _ => None,
        })
        .collect();
    let [(job, listed)] = again.as_slice() else {
        panic!("one board forecast: {fx:?}")
    };
    assert_ne!(*job, first);
    let mut names: Vec<&str> = listed.iter().map(|q| q.name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["Billing", "Sales", "Support"]);
    assert!(
        a.board
            .rows
            .values()
            .all(|r| matches!(r, RowState::Pending)),
        "{:?}",
        a.board.rows
    );
    assert_eq!(a.board.jobs, vec![*job]);
    // A row of the cancelled forecast that was already on its way is dropped; the new one fills.
    let row = |job| Msg::BoardRow {
        job,
        queue_id: "q1".into(),
        result: Err("cut in the old zone".into()),
    };
    update(&mut a, row(first));
    assert!(matches!(a.board.rows["q1"], RowState::Pending));
    update(&mut a, row(*job));
    assert!(matches!(a.board.rows["q1"], RowState::Failed(_)));
}

#[test]
fn a_failed_save_says_why_and_lets_the_fetch_fail_clearly() {
    let (mut a, _) = opened();
    keys(&mut a, "tokyo");
    key(&mut a, KeyCode::Enter);
    let fx = update(
        &mut a,
        Msg::ZoneSaved(Err("cannot write /x/config.toml: denied".into())),
    );
    assert_eq!(fetches(&fx), 1);
    assert!(a.implicit_zone.is_some(), "not applied when not saved");
    assert!(a.toasts.iter().any(|t| t.text.contains("not saved")));
}

fn render(a: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| queuecast::tui::ui::draw(f, a)).unwrap();
    let buf = t.backend().buffer().clone();
    (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>() + "\n")
        .collect()
}

#[test]
fn snapshot_at_80x24() {
    let (mut a, _) = opened();
    update(
        &mut a,
        Msg::Resize {
            width: 80,
            height: 24,
        },
    );
    keys(&mut a, "europe/");
    key(&mut a, KeyCode::Down);
    insta::assert_snapshot!("zone_picker_80x24", render(&a, 80, 24));
}
