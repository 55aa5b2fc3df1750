//! A filter that matches no queue must render (it once panicked on an empty list) and Enter
//! must do nothing.

use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use queuecast::campaign::NamedRef;
use queuecast::tui::action::Msg;
use queuecast::tui::app::{App, OrgInfo, Screen};
use queuecast::tui::keymap::Keymap;
use queuecast::tui::update::update;

fn screen_text(a: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    t.draw(|f| queuecast::tui::ui::draw(f, a)).unwrap();
    let buf = t.backend().buffer().clone();
    (0..24)
        .map(|y| (0..80).map(|x| buf[(x, y)].symbol()).collect::<String>() + "\n")
        .collect()
}

#[test]
fn filter_without_matches_renders_and_enter_is_inert() {
    let mut a = App::new(
        Keymap::defaults(),
        OrgInfo {
            name: "Acme".into(),
            region: "mypurecloud.ie".into(),
            sandbox: false,
        },
        "Europe/Dublin".parse().unwrap(),
        NaiveDate::from_ymd_opt(2024, 6, 1).unwrap(),
    );
    let queues = vec![NamedRef {
        id: "q1".into(),
        name: "Sales".into(),
    }];
    update(&mut a, Msg::QueuesLoaded(Ok(queues)));
    for c in "zzz".chars() {
        update(
            &mut a,
            Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        );
    }
    assert!(a.filtered_queues().is_empty());
    let text = screen_text(&a);
    assert!(text.contains("0 of 1 queues"), "{text}");
    let effects = update(
        &mut a,
        Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(a.screen, Screen::Picker);
}
