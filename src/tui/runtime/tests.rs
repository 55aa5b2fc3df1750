//! The runtime's own decisions (which settings a fit uses, when a test panic is injected),
//! then the runtime with the real `update()` and a sandbox, without a terminal: messages are
//! pumped from the runtime's channel through `update` and its effects executed, as the event
//! loop does.

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokio::sync::mpsc::UnboundedReceiver;

use super::*;
use crate::config::SourceKind;
use crate::genesys::ClientSettings;
use crate::history::Counted;
use crate::history::test_support::{history_of, hourly};
use crate::sandbox::{self, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, SandboxHandle, SandboxOptions};
use crate::service::batch::default_workers;
use crate::tui::app::OrgInfo;
use crate::tui::keymap::Keymap;

/// Three weeks of hourly chats, counted as chat (what `config_for_media` fetches for a chat
/// queue while the settings count voice).
fn chat_history() -> History {
    let y: Vec<f64> = (0..21 * 24).map(|i| (i % 24) as f64).collect();
    let mut h = history_of("chat-q", "Support Chat", hourly(&y));
    h.summary.counted = Some(Counted {
        media_types: vec!["chat".into()],
        direction: None,
        direction_dimension: None,
    });
    h
}

fn backend(dir: &std::path::Path) -> Backend {
    let mut config = Config::default();
    config.history.media_types = vec!["voice".into()];
    config.forecast.horizon_days = 1;
    let settings = ClientSettings::for_base("http://127.0.0.1:9", "id", "secret");
    Backend {
        client: GenesysClient::new(settings).unwrap(),
        config,
        store: Store::new(dir.join("data")),
        config_file: dir.join("config.toml"),
    }
}

/// The dashboard's fit of a chat queue runs with the settings its history was fetched with
/// (chat), not the global ones (voice), as the board's fit of the same queue does.
#[test]
fn a_chat_queues_dashboard_forecast_uses_the_chat_settings() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(dir.path());
    let staffing = StaffingData::default();
    let out = fit(&b, &chat_history(), "seasonal-naive".into(), &staffing).unwrap();
    assert_eq!(out.config.history.media_types, ["chat"]);
    assert_eq!(out.config.forecast.model, "seasonal-naive");
    // A voice history keeps the settings as they are.
    let mut voice = chat_history();
    voice.summary.counted.as_mut().unwrap().media_types = vec!["voice".into()];
    let out = fit(&b, &voice, "seasonal-naive".into(), &staffing).unwrap();
    assert_eq!(out.config.history.media_types, ["voice"]);
}

/// `QUEUECAST_TEST_PANIC` acts in debug builds only: a release binary neither panics nor
/// aborts because of it.
#[test]
fn test_panics_are_injected_in_debug_builds_only() {
    assert_eq!(injected("fit", Some("fit"), true), Some(Injected::Panic));
    assert_eq!(injected("loop", Some("loop"), true), Some(Injected::Panic));
    assert_eq!(injected("loop", Some("abort"), true), Some(Injected::Abort));
    assert_eq!(injected("fit", Some("abort"), true), None);
    assert_eq!(injected("fit", Some("loop"), true), None);
    assert_eq!(injected("fit", None, true), None);
    for (place, fault) in [("fit", "fit"), ("loop", "loop"), ("loop", "abort")] {
        assert_eq!(injected(place, Some(fault), false), None, "{place} {fault}");
    }
}

fn runtime(sb: &SandboxHandle, dir: &std::path::Path) -> (Runtime, UnboundedReceiver<Msg>) {
    let settings = ClientSettings::for_base(&sb.base_url(), DEMO_CLIENT_ID, DEMO_CLIENT_SECRET);
    let mut config = Config::default();
    config.history.days = 21;
    config.history.time_zone = Some(sandbox::DEFAULT_TIME_ZONE.name().into());
    // The board's fits are quick; the open queue's `auto` tournament is not.
    config.forecast.model = "seasonal-naive".into();
    config.forecast.horizon_days = 1;
    config.staffing.source = SourceKind::Constant;
    let backend = Backend {
        client: GenesysClient::new(settings).unwrap(),
        config,
        store: Store::new(dir),
        config_file: dir.join("config.toml"),
    };
    let (tx, rx) = unbounded_channel();
    let rt = Runtime {
        backend: Arc::new(backend),
        tx,
        jobs: HashMap::new(),
        pause: Pause::new(),
    };
    (rt, rx)
}

fn app() -> App {
    let org = OrgInfo {
        name: "queuecast sandbox".into(),
        region: "127.0.0.1".into(),
        sandbox: true,
    };
    let tz = sandbox::DEFAULT_TIME_ZONE;
    App::new(Keymap::defaults(), org, tz, Utc::now().date_naive())
}

fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

async fn next(rx: &mut UnboundedReceiver<Msg>) -> Msg {
    tokio::time::timeout(Duration::from_secs(600), rx.recv())
        .await
        .expect("a message within 10 minutes")
        .expect("the runtime's channel stays open")
}

/// The board's rows so far: fitted, or failed before any fit.
#[derive(Default)]
struct Rows {
    fitted: usize,
    failed: usize,
}

impl Rows {
    fn count(&mut self, msg: &Msg) {
        match msg {
            Msg::BoardRow { result: Ok(_), .. } => self.fitted += 1,
            Msg::BoardRow { result: Err(_), .. } => self.failed += 1,
            _ => {}
        }
    }
}

/// Opening a queue while the board's batch runs holds the batch's fits until the open
/// queue's forecast is in (issue 13): between the open queue's fit starting and its forecast
/// arriving, no board row is fitted beyond those already running or on their way (a few per
/// worker), though the board has every other queue's history waiting and fits it in
/// milliseconds; afterwards the rest arrive. Meaningful where the board lists more queues
/// than twice that bound plus ten, so the simulated org grows with the machine's cores
/// (24 simulated queues and 3 public ones on 2 cores, where the bound is 5).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opening_a_queue_holds_the_boards_fits_until_its_forecast_is_in() {
    let sb = sandbox::start(SandboxOptions {
        queue_count: 4 * default_workers() + 16,
        ..Default::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (mut rt, mut rx) = runtime(&sb, dir.path());
    let mut a = app();
    rt.exec(Effect::LoadQueues);
    // The board's batch is held back until the open queue's history is in, so the batch
    // has every queue waiting when the open queue's fit starts.
    let mut board = Vec::new();
    while a.queues.ready().is_none() {
        let msg = next(&mut rx).await;
        board.extend(update(&mut a, msg));
    }
    let listed = a.queues.ready().unwrap().len();
    assert!(
        board
            .iter()
            .any(|e| matches!(e, Effect::ForecastQueues { .. }))
    );
    for c in "/Support Voice".chars() {
        key(&mut a, KeyCode::Char(c));
    }
    key(&mut a, KeyCode::Enter);
    for e in key(&mut a, KeyCode::Enter) {
        rt.exec(e);
    }
    let fit = loop {
        let msg = next(&mut rx).await;
        let fx = update(&mut a, msg);
        if let Some(fit) = fx.iter().find(|e| matches!(e, Effect::Fit { .. })) {
            break fit.clone();
        }
        fx.into_iter().for_each(|e| rt.exec(e));
    };
    board.into_iter().for_each(|e| rt.exec(e));
    // The open queue's fit starts as soon as the board has fitted its first queue.
    let mut rows = Rows::default();
    while rows.fitted == 0 {
        let msg = next(&mut rx).await;
        rows.count(&msg);
        update(&mut a, msg).into_iter().for_each(|e| rt.exec(e));
    }
    // Rows already sent are not fits the pause could hold.
    while let Ok(msg) = rx.try_recv() {
        rows.count(&msg);
        update(&mut a, msg).into_iter().for_each(|e| rt.exec(e));
    }
    let before = rows.fitted;
    rt.exec(fit);
    loop {
        let msg = next(&mut rx).await;
        let done = matches!(msg, Msg::ForecastReady { .. } | Msg::FitFailed { .. });
        assert!(!matches!(msg, Msg::FitFailed { .. }), "{msg:?}");
        rows.count(&msg);
        update(&mut a, msg).into_iter().for_each(|e| rt.exec(e));
        if done {
            break;
        }
    }
    // Fits already running (one per worker) may finish, and finished ones may still be on
    // their way: `run_many`'s channel (one place per worker) and the task forwarding them.
    let in_flight = 2 * default_workers() + 1;
    let during = rows.fitted - before;
    assert!(
        during <= in_flight,
        "{during} board fits finished while the open queue's fit ran (at most {in_flight})"
    );
    let held = rows.fitted;
    while rows.fitted + rows.failed < listed {
        let msg = next(&mut rx).await;
        rows.count(&msg);
    }
    assert!(
        rows.fitted > held + 10,
        "the rest of the board is fitted after the open queue: {} of {listed}",
        rows.fitted
    );
}
