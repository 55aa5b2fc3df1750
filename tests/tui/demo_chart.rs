//! Issue 13's acceptance line "the default queue's chart shows the intraday double peak and a
//! holiday": the demo's default queue (Support Voice) fetched from the sandbox with a fixed
//! clock a few days after Thanksgiving 2026, run through the same service calls as the
//! dashboard, shown at 80×24 and 120×40 (and without colour), and the chart's own data read
//! back: a weekday with two intraday peaks and the holiday named over its day.

use std::sync::Arc;

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Timelike, Utc, Weekday};

use queuecast::campaign::NamedRef;
use queuecast::config::Config;
use queuecast::forecast::pipeline::PipelineOutput;
use queuecast::genesys::{ClientSettings, GenesysClient};
use queuecast::history::History;
use queuecast::refs::QueueRef;
use queuecast::sandbox::{self, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, SandboxOptions};
use queuecast::service;
use queuecast::store::Store;
use queuecast::tui::action::Msg;
use queuecast::tui::app::{App, OrgInfo};
use queuecast::tui::keymap::Keymap;
use queuecast::tui::update::update;

use super::update::{arrive, open_queue, render};

/// Tuesday 2026-12-01, 12:00 in New York: the chart's two weeks of history hold
/// Thanksgiving (Thursday 2026-11-26).
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 17, 0, 0).unwrap()
}

fn thanksgiving() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

/// The demo's settings for its sandbox (zone and holiday calendar as `queuecast demo` sets
/// them), with `seasonal-naive` instead of `auto` so the snapshot does not move with the
/// tournament's models (helpers tune those).
fn demo_config() -> Config {
    let mut config = Config::default();
    config.history.time_zone = Some(sandbox::DEFAULT_TIME_ZONE.name().into());
    config.forecast.holidays = queuecast::commands::demo::DEMO_HOLIDAYS.into();
    config.forecast.model = "seasonal-naive".into();
    config
}

/// Support Voice's history and its run, as the dashboard fetches and fits them.
async fn default_queue_run() -> (Arc<History>, Arc<PipelineOutput>) {
    let sb = sandbox::start(SandboxOptions {
        now: Some(now()),
        queue_count: 24,
        ..Default::default()
    })
    .await
    .unwrap();
    let info = sb
        .queues()
        .into_iter()
        .find(|q| q.name == sandbox::DEFAULT_QUEUE)
        .unwrap();
    let settings = ClientSettings::for_base(&sb.base_url(), DEMO_CLIENT_ID, DEMO_CLIENT_SECRET);
    let client = GenesysClient::new(settings).unwrap();
    let config = demo_config();
    let queue = QueueRef {
        id: info.id.clone(),
        name: info.name.clone(),
    };
    let history = service::history::fetch_history(&client, queue, &config, now(), None)
        .await
        .unwrap();
    let mut staffing =
        service::staffing::fetch_staffing_data(&client, &info.id, &config, now()).await;
    staffing.handle = service::staffing::handle_buckets(&history);
    let dir = tempfile::tempdir().unwrap();
    let run =
        service::forecast::run_with(&Store::new(dir.path()), history.clone(), config, &staffing)
            .unwrap();
    let mut out = run.output;
    // The run stamps the wall clock; the screen shows it.
    out.generated_at = now();
    sb.shutdown().await;
    (Arc::new(history), Arc::new(out))
}

fn app(tz: chrono_tz::Tz) -> App {
    App::new(
        Keymap::defaults(),
        OrgInfo {
            name: "queuecast sandbox".into(),
            region: "127.0.0.1".into(),
            sandbox: true,
        },
        tz,
        now().with_timezone(&tz).date_naive(),
    )
}

/// Board → Support Voice → its history → its forecast.
fn open(a: &mut App, history: &Arc<History>, out: &Arc<PipelineOutput>) {
    let q = NamedRef {
        id: history.queue.id.clone(),
        name: history.queue.name.clone(),
    };
    update(a, Msg::QueuesLoaded(Ok(vec![q])));
    let (job, _) = open_queue(a, "support");
    arrive(a, job, history.clone(), out.clone());
}

/// The history the chart plots in its default view, by local date: hourly values by hour.
fn plotted_days(a: &App) -> Vec<(NaiveDate, [f64; 24])> {
    let s = a.session.as_ref().unwrap();
    let (h, v) = (s.history.as_ref().unwrap(), s.view.unwrap());
    let mut days: Vec<(NaiveDate, [f64; 24])> = Vec::new();
    for p in &h.series.points {
        if !v.shows(p.ts.timestamp() as f64, 0.0) {
            continue;
        }
        let local = p.ts.with_timezone(&a.tz);
        let d = local.date_naive();
        if days.last().map(|x| x.0) != Some(d) {
            days.push((d, [f64::NAN; 24]));
        }
        days.last_mut().unwrap().1[local.hour() as usize] = p.y;
    }
    days
}

/// Hour of the largest value among `hours`.
fn peak_hour(day: &[f64; 24], hours: std::ops::Range<usize>) -> usize {
    hours.max_by(|&a, &b| day[a].total_cmp(&day[b])).unwrap()
}

#[tokio::test]
async fn the_default_queues_chart_shows_the_double_peak_and_thanksgiving() {
    let (history, out) = default_queue_run().await;
    let tz = out.tz;
    let mut a = app(tz);
    open(&mut a, &history, &out);
    let fc = a.session.as_ref().unwrap().forecast.as_ref().unwrap();
    assert!(
        fc.holidays
            .iter()
            .any(|(d, n)| *d == thanksgiving() && n.contains("Thanksgiving")),
        "{:?}",
        fc.holidays
    );
    let days = plotted_days(&a);
    assert!(days.iter().any(|d| d.0 == thanksgiving()), "in view");
    // Every complete Tuesday and Wednesday in view rises to a late-morning and an
    // early-afternoon peak with a lunchtime dip between them, well above the night.
    let ordinary: Vec<&(NaiveDate, [f64; 24])> = days
        .iter()
        .filter(|(d, y)| {
            matches!(d.weekday(), Weekday::Tue | Weekday::Wed)
                && *d != thanksgiving()
                && y.iter().all(|v| v.is_finite())
        })
        .collect();
    assert!(ordinary.len() >= 2, "{:?}", days.iter().map(|d| d.0));
    for (d, y) in &ordinary {
        let (morning, afternoon) = (peak_hour(y, 9..12), peak_hour(y, 13..17));
        let dip = (morning + 1..afternoon)
            .map(|h| y[h])
            .fold(f64::MAX, f64::min);
        assert!(
            dip < y[morning] && dip < y[afternoon],
            "{d}: peaks at {morning}:00 and {afternoon}:00, dip {dip} in {y:?}"
        );
        assert!(y[afternoon] > 5.0 * y[3], "{d}: {y:?}");
    }
    // The holiday (a 24/7 queue runs at 40 %) is far below the same weekday a week before.
    let total = |d: NaiveDate| -> f64 { days.iter().find(|x| x.0 == d).unwrap().1.iter().sum() };
    let week_before = thanksgiving() - chrono::TimeDelta::days(7);
    assert!(total(thanksgiving()) < 0.6 * total(week_before));

    for (w, h) in [(80, 24), (120, 40)] {
        a.size = (w, h);
        let screen = render(&a, w, h);
        assert!(
            screen.contains("Thank"),
            "no holiday name on the chart:\n{screen}"
        );
        insta::assert_snapshot!(format!("demo_default_queue_{w}x{h}"), screen);
    }
    a.theme = queuecast::tui::theme::Theme::monochrome();
    let screen = render(&a, 120, 40);
    assert!(screen.contains("Thanksgiving"), "{screen}");
    insta::assert_snapshot!("demo_default_queue_no_color_120x40", screen);
}
