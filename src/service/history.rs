//! Which queue, and its history: resolved and fetched from the API, or read from a `ds,y` file.

use std::path::Path;

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use tokio::sync::mpsc::UnboundedSender;

use crate::config::{Config, ConfigError};
use crate::genesys::{AggregateQuery, FetchProgress, GenesysClient, GenesysError, Metric, Queue};
use crate::history::{self, FillMode, History, HistoryError, floor_to_bucket, from_buckets};
use crate::refs::QueueRef;

/// Why history could not be fetched.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error(transparent)]
    Api(#[from] GenesysError),
    #[error(transparent)]
    History(#[from] HistoryError),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Queue(String),
}

/// Fetches the last `config.history.days` of complete buckets before `now` for `queue`
/// (`nOffered`, chunked as configured) and builds the series. `progress` gets chunk counts.
pub async fn fetch_history(
    client: &GenesysClient,
    queue: QueueRef,
    config: &Config,
    now: DateTime<Utc>,
    progress: Option<UnboundedSender<FetchProgress>>,
) -> Result<History, FetchError> {
    let tz = config.time_zone()?;
    let g = config.history.granularity;
    let end = floor_to_bucket(now, g, tz);
    let start = end - TimeDelta::days(i64::from(config.history.days));
    let query = AggregateQuery {
        queue_id: queue.id.clone(),
        media_type: config.history.media_type.clone(),
        start,
        end,
        granularity: g,
        time_zone: config.history.time_zone.clone(),
        metrics: vec![Metric::NOffered],
        chunk_days: config.genesys.chunk_days,
        max_concurrency: config.genesys.max_concurrency,
    };
    let buckets = client.fetch_aggregates(&query, progress).await?;
    let raw: Vec<_> = buckets.iter().map(|b| (b.start, b.n_offered)).collect();
    let (series, summary) = from_buckets(&raw, start, end, g, tz, config.history.fill)?;
    Ok(History {
        queue,
        series,
        summary,
    })
}

/// Reads a `ds,y` file (see [`history::read_csv_with`]) as the history of a queue named
/// `queue`, or, without one, of a queue named after the file (`file-<stem>` as its id).
pub fn read_file(
    path: &Path,
    queue: Option<&str>,
    tz: Tz,
    fill: FillMode,
    last_days: Option<u32>,
) -> Result<History, HistoryError> {
    let (series, summary) = history::read_csv_with(path, tz, fill, last_days)?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "input".into());
    let queue = QueueRef {
        id: queue.map_or_else(|| format!("file-{stem}"), str::to_string),
        name: queue.map_or(stem, str::to_string),
    };
    Ok(History {
        queue,
        series,
        summary,
    })
}

/// Finds a queue by id or by exact (case-insensitive) name, so scripts can say `--queue Sales`.
pub async fn resolve_queue(
    client: &GenesysClient,
    name_or_id: &str,
) -> Result<QueueRef, FetchError> {
    let wanted = name_or_id.trim();
    if looks_like_id(wanted) {
        match client.get_queue(wanted).await {
            Ok(q) => return Ok(to_ref(&q)),
            Err(GenesysError::Api { status: 404, .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let queues = client.list_queues(Some(wanted)).await?;
    let exact: Vec<_> = queues
        .iter()
        .filter(|q| q.name.eq_ignore_ascii_case(wanted))
        .collect();
    match exact.as_slice() {
        [q] => Ok(to_ref(q)),
        [] => Err(FetchError::Queue(format!(
            "no queue named or with id {wanted:?}; {}",
            near_miss_hint(client, wanted).await
        ))),
        many => Err(FetchError::Queue(format!(
            "{} queues are named {wanted:?}; use the id instead: {}",
            many.len(),
            many.iter()
                .map(|q| q.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

fn to_ref(q: &Queue) -> QueueRef {
    QueueRef {
        id: q.id.clone(),
        name: q.name.clone(),
    }
}

/// Up to five queue names containing `wanted`, as a "did you mean" hint.
async fn near_miss_hint(client: &GenesysClient, wanted: &str) -> String {
    let near = client
        .list_queues(Some(&format!("*{wanted}*")))
        .await
        .unwrap_or_default();
    if near.is_empty() {
        return "run `queuecast queues` to list them".to_string();
    }
    format!(
        "did you mean {}?",
        near.iter()
            .take(5)
            .map(|q| format!("{:?}", q.name))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// Genesys ids are UUIDs.
fn looks_like_id(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok()
}
