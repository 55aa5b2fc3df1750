use super::*;
use crate::genesys::ClientSettings;
use crate::history::test_support::hourly;
use crate::history::{Counted, FillMode, SeriesSummary};

/// Three weeks of hourly chats, counted as chat (what `config_for_media` fetches for a chat
/// queue while the settings count voice).
fn chat_history() -> History {
    let y: Vec<f64> = (0..21 * 24).map(|i| (i % 24) as f64).collect();
    let series = hourly(&y);
    let summary = SeriesSummary {
        start: series.points[0].ts,
        end: series.end().unwrap(),
        buckets: series.points.len(),
        zero_buckets: 0,
        gaps_filled: 0,
        duplicates_merged: 0,
        granularity: series.granularity,
        tz: series.tz,
        fill: FillMode::Zero,
        late_start: None,
        counted: Some(Counted {
            media_types: vec!["chat".into()],
            direction: None,
            direction_dimension: None,
        }),
    };
    History {
        queue: QueueRef {
            id: "chat-q".into(),
            name: "Support Chat".into(),
        },
        series,
        summary,
        handle: None,
    }
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
