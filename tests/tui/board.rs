//! The queue board (issue 13 item 4): pure `update` flows (sort, filter only after `/`, rows
//! filling in out of order, retry, Esc from a dashboard back to the board as it was left) and
//! snapshots at 80×23, 80×24 and 120×40.

use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use queuecast::campaign::NamedRef;
use queuecast::tui::action::{Effect, Msg};
use queuecast::tui::app::{App, Loadable, OrgInfo, Overlay, Screen};
use queuecast::tui::board_view::{RowData, RowState, SortColumn};
use queuecast::tui::keymap::Keymap;
use queuecast::tui::update::update;

fn app() -> App {
    App::new(
        Keymap::defaults(),
        OrgInfo {
            name: "Acme".into(),
            region: "mypurecloud.ie".into(),
            sandbox: true,
        },
        "America/Chicago".parse().unwrap(),
        NaiveDate::from_ymd_opt(2024, 6, 1).unwrap(),
    )
}

fn key(a: &mut App, code: KeyCode) -> Vec<Effect> {
    update(a, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn keys(a: &mut App, s: &str) {
    for c in s.chars() {
        key(a, KeyCode::Char(c));
    }
}

fn q(id: &str, name: &str) -> NamedRef {
    NamedRef {
        id: id.into(),
        name: name.into(),
    }
}

/// Four queues, listed out of name order (the board sorts them).
fn queues() -> Vec<NamedRef> {
    vec![
        q("s", "Sales Voice"),
        q("b", "Billing Voice"),
        q("c", "Support Chat"),
        q("t", "Technical Voice"),
    ]
}

fn loaded(qs: Vec<NamedRef>) -> App {
    let mut a = app();
    let media = qs
        .iter()
        .map(|q| {
            let m = if q.name.contains("Chat") {
                "chat"
            } else {
                "voice"
            };
            (q.id.clone(), vec![m.to_string()])
        })
        .collect();
    update(&mut a, Msg::QueueMedia(media));
    update(&mut a, Msg::QueuesLoaded(Ok(qs)));
    a
}

/// A finished row: `volume` spread over two weeks of a weekday pattern, a window starting
/// `hour` (UTC) on 2024-06-03, error `vs_naive` × the naive's.
fn row(volume: f64, hour: u32, vs_naive: f64, retrain: Option<bool>) -> Arc<RowData> {
    let recent: Vec<f64> = (0..56)
        .map(|i| {
            let weekend = (i / 4) % 7 >= 5;
            let day_part = [0.2, 1.0, 1.4, 0.6][i % 4];
            volume / 56.0 * day_part * if weekend { 0.3 } else { 1.0 }
        })
        .collect();
    let start = Utc.with_ymd_and_hms(2024, 6, 3, hour, 0, 0).unwrap();
    Arc::new(RowData {
        model: "mstl-ets".into(),
        future: recent[28..].to_vec(),
        recent,
        next_window: Some((start, start + chrono::TimeDelta::hours(3))),
        spare: None,
        vs_naive: Some(vs_naive),
        wape: Some(0.12),
        retrain,
    })
}

fn finish(a: &mut App, id: &str, result: Result<Arc<RowData>, String>) {
    let job = *a.board.jobs.last().expect("a board forecast is running");
    update(
        a,
        Msg::BoardRow {
            job,
            queue_id: id.into(),
            result,
        },
    );
}

fn names(a: &App) -> Vec<String> {
    a.board_rows()
        .iter()
        .map(|e| e.queue.name.clone())
        .collect()
}

fn selected(a: &App) -> String {
    a.board_rows()[a.board_row()].queue.name.clone()
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
fn the_list_starts_every_forecast_in_one_background_job() {
    let mut a = app();
    let fx = update(&mut a, Msg::QueuesLoaded(Ok(queues())));
    let [Effect::ForecastQueues { queues: sent, .. }] = &fx[..] else {
        panic!("{fx:?}")
    };
    assert_eq!(sent.len(), 4, "every queue, in one effect");
    assert_eq!(a.board.progress(), (0, 4));
    assert_eq!(
        names(&a),
        [
            "Billing Voice",
            "Sales Voice",
            "Support Chat",
            "Technical Voice"
        ]
    );
    assert_eq!(
        selected(&a),
        "Billing Voice",
        "no last queue: the first row"
    );
    assert_eq!(a.busy().as_deref(), Some("forecasting 0/4 queues"));
}

#[test]
fn rows_fill_in_out_of_order_and_the_selection_follows_its_queue() {
    let mut a = loaded(queues());
    key(&mut a, KeyCode::Down);
    assert_eq!(selected(&a), "Sales Voice");
    // Sort by volume: nothing is known yet, so name order.
    keys(&mut a, "ss");
    assert_eq!(a.board.sort, SortColumn::Volume);
    finish(&mut a, "t", Ok(row(100.0, 14, 0.8, None)));
    finish(&mut a, "c", Err("history: 503".into()));
    finish(&mut a, "s", Ok(row(900.0, 9, 1.1, Some(true))));
    assert_eq!(a.board.progress(), (3, 4));
    assert_eq!(
        names(&a),
        [
            "Technical Voice",
            "Sales Voice",
            "Billing Voice",
            "Support Chat"
        ],
        "known volumes first, then the rest by name"
    );
    assert_eq!(
        selected(&a),
        "Sales Voice",
        "the selection moved with its row"
    );
    // A second result for a finished row, and one for an unknown queue, change nothing.
    finish(&mut a, "t", Err("late".into()));
    finish(&mut a, "nope", Err("x".into()));
    assert!(matches!(a.board.rows["t"], RowState::Ready(_)));
    finish(&mut a, "b", Ok(row(300.0, 20, 0.9, Some(false))));
    assert_eq!(a.board.progress(), (4, 4));
    assert_eq!(a.busy(), None, "nothing left to show as busy");
}

#[test]
fn s_cycles_the_sort_column_and_capital_s_reverses_it() {
    let mut a = loaded(queues());
    finish(&mut a, "t", Ok(row(100.0, 14, 0.8, None)));
    finish(&mut a, "s", Ok(row(900.0, 9, 1.1, Some(true))));
    finish(&mut a, "b", Ok(row(300.0, 20, 0.9, Some(false))));
    finish(&mut a, "c", Ok(row(50.0, 2, 0.7, None)));
    key(&mut a, KeyCode::Char('S'));
    assert_eq!(names(&a)[0], "Technical Voice", "name, reversed");
    let mut seen = vec![];
    for _ in 0..SortColumn::ALL.len() {
        key(&mut a, KeyCode::Char('s'));
        assert!(!a.board.descending, "a new column sorts ascending");
        seen.push(a.board.sort);
    }
    assert_eq!(seen.last(), Some(&SortColumn::Name), "wraps around");
    assert_eq!(seen.len(), 7, "every column");
    while a.board.sort != SortColumn::NextWindow {
        key(&mut a, KeyCode::Char('s'));
    }
    assert_eq!(names(&a)[0], "Support Chat", "02:00 is the earliest window");
    key(&mut a, KeyCode::Char('S'));
    assert_eq!(names(&a)[0], "Billing Voice", "20:00, the latest");
    let screen = render(&a, 120, 40);
    assert!(screen.contains("sorted by next window ▼"), "{screen}");
    assert!(
        screen.contains("next window▼"),
        "the column is marked: {screen}"
    );
    while a.board.sort != SortColumn::Drift {
        key(&mut a, KeyCode::Char('s'));
    }
    assert_eq!(names(&a)[0], "Sales Voice", "retrain first");
    while a.board.sort != SortColumn::Accuracy {
        key(&mut a, KeyCode::Char('s'));
    }
    assert_eq!(
        names(&a)[0],
        "Support Chat",
        "smallest error vs naive first"
    );
}

#[test]
fn typing_filters_only_after_slash() {
    let mut a = loaded(queues());
    // Without `/`: `?` is help, `q` quits, letters are keys.
    key(&mut a, KeyCode::Char('?'));
    assert_eq!(a.overlay, Some(Overlay::Help));
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.overlay, None);
    keys(&mut a, "/voi");
    assert!(a.board.filtering);
    assert_eq!(a.board_rows().len(), 3);
    keys(&mut a, "q?");
    assert!(!a.quit && a.overlay.is_none(), "typed into the filter");
    assert_eq!(a.board.filter, "voiq?");
    key(&mut a, KeyCode::Backspace);
    key(&mut a, KeyCode::Backspace);
    key(&mut a, KeyCode::Enter);
    assert!(!a.board.filtering, "enter keeps the filter and ends typing");
    assert_eq!(a.board.filter, "voi");
    key(&mut a, KeyCode::Down);
    assert_eq!(selected(&a), "Sales Voice");
    // Esc outside typing clears the filter; the selection stays on its queue.
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.board.filter, "");
    assert_eq!(selected(&a), "Sales Voice");
    // Esc while typing clears it too.
    keys(&mut a, "/zzz");
    assert!(a.board_rows().is_empty());
    let screen = render(&a, 80, 24);
    assert!(
        screen.contains("no queue name contains \"zzz\""),
        "{screen}"
    );
    assert!(key(&mut a, KeyCode::Down).is_empty());
    key(&mut a, KeyCode::Esc);
    assert!(!a.board.filtering && a.board.filter.is_empty());
    key(&mut a, KeyCode::Char('q'));
    assert!(a.quit, "q quits when not typing");
}

#[test]
fn enter_on_an_empty_filter_result_is_inert() {
    let mut a = loaded(queues());
    keys(&mut a, "/zzz");
    key(&mut a, KeyCode::Enter);
    assert!(key(&mut a, KeyCode::Enter).is_empty());
    assert_eq!(a.screen, Screen::Board);
}

#[test]
fn esc_on_the_dashboard_returns_to_the_board_as_it_was_left() {
    let many: Vec<NamedRef> = (0..40)
        .map(|i| q(&format!("q{i:02}"), &format!("Queue {i:02}")))
        .collect();
    let mut a = loaded(many);
    update(
        &mut a,
        Msg::Resize {
            width: 80,
            height: 23,
        },
    );
    for i in (0..40).step_by(3) {
        let id = format!("q{i:02}");
        finish(&mut a, &id, Ok(row(10.0 * i as f64, 9, 1.0, None)));
    }
    keys(&mut a, "ssS/Queue");
    key(&mut a, KeyCode::Enter);
    for _ in 0..20 {
        key(&mut a, KeyCode::Down);
    }
    assert!(a.board.offset > 0, "scrolled: {:?}", a.board.offset);
    let before = a.board.clone();
    let chosen = selected(&a);
    let fx = key(&mut a, KeyCode::Enter);
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::FetchHistory { queue, .. } if queue.name == chosen)),
        "{fx:?}"
    );
    assert_eq!(a.screen, Screen::Dashboard);
    // Rows keep arriving while the dashboard is up.
    finish(&mut a, "q01", Ok(row(5.0, 9, 1.0, None)));
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.screen, Screen::Board);
    assert_eq!(
        (
            &a.board.filter,
            a.board.sort,
            a.board.descending,
            &a.board.selected
        ),
        (
            &before.filter,
            before.sort,
            before.descending,
            &before.selected
        )
    );
    assert_eq!(selected(&a), chosen);
    let screen = render(&a, 80, 23);
    assert!(screen.contains(&format!("▶ {chosen}")), "{screen}");
    // Esc on the board (filter kept) goes back to the open dashboard.
    a.board.filter.clear();
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.screen, Screen::Dashboard);
}

#[test]
fn the_list_scrolls_to_the_selection_and_says_what_is_hidden() {
    let many: Vec<NamedRef> = (0..30)
        .map(|i| q(&format!("q{i:02}"), &format!("Queue {i:02}")))
        .collect();
    let mut a = loaded(many);
    update(
        &mut a,
        Msg::Resize {
            width: 80,
            height: 23,
        },
    );
    let top = render(&a, 80, 23);
    assert!(top.contains("↓ 14 more"), "16 rows shown of 30: {top}");
    key(&mut a, KeyCode::End);
    let end = render(&a, 80, 23);
    assert!(
        end.contains("▶ Queue 29") && end.contains("↑ 14 above"),
        "{end}"
    );
    key(&mut a, KeyCode::PageUp);
    assert_eq!(selected(&a), "Queue 13");
    key(&mut a, KeyCode::Home);
    assert_eq!((selected(&a).as_str(), a.board.offset), ("Queue 00", 0));
}

#[test]
fn r_retries_a_failed_row_or_a_failed_list() {
    let mut a = app();
    let text = "503, retry 2/5 in 4 s".into();
    update(&mut a, Msg::Retrying { job: None, text });
    let screen = render(&a, 80, 24);
    assert!(
        screen.contains("loading queues… 503, retry 2/5 in 4 s"),
        "{screen}"
    );
    update(
        &mut a,
        Msg::QueuesLoaded(Err("503 Service Unavailable".into())),
    );
    // The toasts say it too; the board's own line is what is checked here.
    a.toasts.clear();
    let screen = render(&a, 80, 24);
    assert!(screen.contains("could not load queues: 503"), "{screen}");
    assert!(screen.contains("r retries"), "{screen}");
    assert_eq!(key(&mut a, KeyCode::Char('r')), vec![Effect::LoadQueues]);
    assert_eq!(a.queues, Loadable::Loading);
    update(&mut a, Msg::QueuesLoaded(Ok(queues())));
    finish(&mut a, "b", Err("history: 503 after 5 tries".into()));
    assert_eq!(selected(&a), "Billing Voice");
    a.toasts.clear();
    let screen = render(&a, 80, 24);
    assert!(
        screen.contains("✗ Billing Voice: history: 503 after 5 tries · r retries"),
        "{screen}"
    );
    let fx = key(&mut a, KeyCode::Char('r'));
    let [Effect::ForecastQueues { queues: sent, .. }] = &fx[..] else {
        panic!("{fx:?}")
    };
    assert_eq!(sent, &vec![q("b", "Billing Voice")], "only that queue");
    assert_eq!(a.board.rows["b"], RowState::Pending);
    assert!(
        key(&mut a, KeyCode::Char('r')).is_empty(),
        "a pending row is not retried twice"
    );
    finish(&mut a, "b", Ok(row(10.0, 9, 1.0, None)));
    assert!(matches!(a.board.rows["b"], RowState::Ready(_)));
}

/// Pending, failed and finished rows side by side, as the board looks mid-way.
fn mid_way() -> App {
    let mut a = loaded(queues());
    finish(&mut a, "t", Ok(row(100.0, 14, 0.82, None)));
    finish(&mut a, "s", Ok(row(900.0, 9, 1.13, Some(true))));
    finish(&mut a, "c", Err("no conversations were reported".into()));
    key(&mut a, KeyCode::Down);
    a
}

#[test]
fn snapshots_at_80x23_80x24_100x30_and_120x40() {
    for (w, h) in [(80, 23), (80, 24), (100, 30), (120, 40)] {
        let mut a = mid_way();
        update(
            &mut a,
            Msg::Resize {
                width: w,
                height: h,
            },
        );
        let screen = render(&a, w, h);
        assert!(screen.contains("Queue board · 4 of 4 queues"), "{screen}");
        assert!(screen.contains("forecast 3/4"), "{screen}");
        insta::assert_snapshot!(format!("board_{w}x{h}"), screen);
    }
    // Without colour the history and the forecast stay apart (`│`), and the selection is
    // marked by a glyph, not only by reverse video.
    let mut a = mid_way();
    a.theme = queuecast::tui::theme::Theme::monochrome();
    let screen = render(&a, 80, 24);
    assert!(screen.contains("▶ Sales Voice"), "{screen}");
    assert!(screen.contains('│'), "{screen}");
}

/// The board's background runs have the staffing stage (issue 13: spare agents once capacity
/// exists): with `[staffing] source = "history"` each queue costs five or six more requests
/// than with a constant roster (its members listing, then the user aggregates queries for up
/// to 100 agents over four weeks in 7-day chunks); the rows then know the spare agents in
/// their next window. A constant roster costs no request and gives spare agents too.
#[tokio::test]
async fn board_rows_get_spare_agents_from_the_staffing_stage_at_six_requests_a_queue() {
    use queuecast::config::{Config, SourceKind};
    use queuecast::genesys::{ClientSettings, GenesysClient};
    use queuecast::sandbox::{self, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, SandboxOptions};
    use queuecast::service::batch::{ManyOptions, QueueList, run_many};
    use queuecast::store::Store;

    let sb = sandbox::start(SandboxOptions {
        queue_count: 24,
        ..Default::default()
    })
    .await
    .unwrap();
    let queues: Vec<NamedRef> = sb
        .queues()
        .into_iter()
        .filter(|s| s.name.contains("Voice"))
        .take(4)
        .map(|s| q(&s.id, &s.name))
        .collect();
    assert_eq!(queues.len(), 4);
    let now = Utc::now();
    let mut requests = vec![];
    for source in [SourceKind::Constant, SourceKind::History] {
        let mut config = Config::default();
        config.history.days = 28;
        config.history.time_zone = Some(sandbox::DEFAULT_TIME_ZONE.name().into());
        config.forecast.model = "seasonal-naive".into();
        config.forecast.horizon_days = 2;
        config.staffing.source = source;
        config.staffing.constant_agents = 30.0;
        let settings = ClientSettings::for_base(&sb.base_url(), DEMO_CLIENT_ID, DEMO_CLIENT_SECRET);
        let client = GenesysClient::new(settings).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let opts = ManyOptions {
            keep_history: true,
            ..ManyOptions::new()
        };
        let list = QueueList::from(queues.clone());
        let before = sb.request_count();
        let mut rx = run_many(
            client,
            Store::new(dir.path()),
            list,
            config,
            now,
            opts,
            Default::default(),
        );
        let mut with_window = 0;
        while let Some(o) = rx.recv().await {
            let done = o
                .result
                .unwrap_or_else(|f| panic!("{}: {f:?}", o.queue.name));
            let plan = done.run.output.staffing.as_ref().expect("a staffing plan");
            assert!(plan.has_staffed(), "{source:?} {}", o.queue.name);
            let row = RowData::of(&done.run.output, done.history.as_deref());
            // In capacity mode the next window is a capacity window, as on the dashboard:
            // its agents are free (spare ≥ min_spare_agents), not merely its volume low.
            assert_eq!(
                row.next_window,
                plan.windows.first().map(|w| (w.start, w.end)),
                "{source:?} {}",
                o.queue.name
            );
            if row.next_window.is_some() {
                with_window += 1;
                let spare = row.spare.expect("spare agents in the window");
                assert!(spare >= 2.0 - 1e-9, "{source:?} {}: {row:?}", o.queue.name);
            }
        }
        if source == SourceKind::Constant {
            assert!(with_window > 0, "30 agents leave no queue a window");
        }
        requests.push(sb.request_count() - before);
    }
    // Five weekly chunks when the four weeks start mid-day (the usual case), four at midnight.
    let extra = requests[1] - requests[0];
    assert!((4 * 5..=4 * 6).contains(&extra), "{requests:?}");
    sb.shutdown().await;
}
