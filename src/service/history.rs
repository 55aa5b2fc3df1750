//! Which queue, and its history: resolved and fetched from the API (one queue or many, many
//! queues to a request), or read from a `ds,y` file.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use tokio::sync::mpsc::UnboundedSender;

use crate::config::{Config, ConfigError};
use crate::genesys::{AggregateBucket, FetchProgress, GenesysClient, GenesysError, Queue};
use crate::history::{
    self, FillMode, HandleTime, History, HistoryError, InputClock, InputLimits, LateStart,
    StartReason, ceil_to_bucket, floor_to_bucket, from_buckets,
};
use crate::refs::QueueRef;

/// Why history could not be fetched.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// Boxed: `GenesysError` is large and this error travels through every per-queue result.
    #[error(transparent)]
    Api(Box<GenesysError>),
    #[error(transparent)]
    History(#[from] HistoryError),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Queue(String),
    /// A fetch larger than `[limits]` allows, refused before any aggregates query is sent.
    #[error("{0}")]
    TooLarge(String),
}

impl From<GenesysError> for FetchError {
    fn from(e: GenesysError) -> Self {
        FetchError::Api(Box::new(e))
    }
}

/// One queue's history, or why it could not be had; `fetch_many` returns one per queue asked.
pub type QueueHistory = (QueueRef, Result<History, FetchError>);

/// The settings to count a queue serving `queue_media` (analytics `mediaType` names, from its
/// `mediaSettings`) with: the configured `history.media_types` when the queue serves any of
/// them, else the queue's own media. A chat queue counted as voice has no conversations at
/// all; counting its own media is what the analyst means, and the model panel's "counted"
/// line says which media were counted. Unknown media (empty) keep the settings.
pub fn config_for_media(config: &Config, queue_media: &[String]) -> Option<Config> {
    let configured = &config.history.media_types;
    let served = |m: &String| queue_media.contains(m);
    if queue_media.is_empty() || configured.is_empty() || configured.iter().any(served) {
        return None;
    }
    let mut own = config.clone();
    own.history.media_types = queue_media.to_vec();
    Some(own)
}

/// The settings `history` was counted with, when they differ from `config`: its counted
/// media in place of the configured ones, as [`config_for_media`] chose them for the fetch.
/// A fit or a staffing fetch of that history then uses what the fetch used.
pub fn config_counted_as(config: &Config, history: &History) -> Option<Config> {
    let counted = history.summary.counted.as_ref()?;
    config_for_media(config, &counted.media_types)
}

/// `queues` grouped by the settings each is counted with ([`config_for_media`], media from
/// `media_of`), in first-seen order, so queues counted alike still share aggregates queries.
pub fn group_by_counted_media(
    config: &Config,
    queues: Vec<QueueRef>,
    media_of: impl Fn(&QueueRef) -> Option<Vec<String>>,
) -> Vec<(Config, Vec<QueueRef>)> {
    let mut groups: Vec<(Option<Vec<String>>, Config, Vec<QueueRef>)> = Vec::new();
    for q in queues {
        let own = media_of(&q).and_then(|m| config_for_media(config, &m));
        let key = own.as_ref().map(|c| c.history.media_types.clone());
        match groups.iter_mut().find(|g| g.0 == key) {
            Some(g) => g.2.push(q),
            None => groups.push((key, own.unwrap_or_else(|| config.clone()), vec![q])),
        }
    }
    groups.into_iter().map(|(_, c, q)| (c, q)).collect()
}

/// Fetches the last `config.history.days` of complete buckets before `now` for `queue` (see
/// [`fetch_many`]). `progress` gets request counts.
pub async fn fetch_history(
    client: &GenesysClient,
    queue: QueueRef,
    config: &Config,
    now: DateTime<Utc>,
    progress: Option<UnboundedSender<FetchProgress>>,
) -> Result<History, FetchError> {
    let mut all = fetch_many(client, std::slice::from_ref(&queue), config, now, progress).await?;
    match all.pop() {
        Some((_, result)) => result,
        None => Err(FetchError::Queue(format!(
            "no history came back for {}",
            queue.name
        ))),
    }
}

/// The history of every queue in `queues` (in that order), each over the last
/// `config.history.days` of complete buckets before `now` in its own zone
/// ([`Config::require_zone_for`]: an implicit UTC is that queue's error):
///
/// - one `GET …/dataretention/settings`, then aggregates queries of up to
///   `genesys.queues_per_query` queues each (`groupBy queueId`, an or-clause of their ids),
///   chunked in time; `nOffered` and `tHandle` in the same requests;
/// - only what `history.media_types` / `history.direction` count (inbound voice by default);
/// - no invented zeros before the data: a series starts at the org's retention horizon when
///   that is later than the requested start, and at its first reported bucket when that is
///   later still, and the summary says so.
///
/// A queue whose requests fail gets its own error; an error no queue escapes (credentials,
/// network) is returned as `Err`.
pub async fn fetch_many(
    client: &GenesysClient,
    queues: &[QueueRef],
    config: &Config,
    now: DateTime<Utc>,
    progress: Option<UnboundedSender<FetchProgress>>,
) -> Result<Vec<QueueHistory>, FetchError> {
    check_fetch_size(config, queues.len())?;
    let mut results: Vec<Option<Result<History, FetchError>>> =
        queues.iter().map(|_| None).collect();
    let mut by_zone: BTreeMap<&str, (Tz, Vec<usize>)> = BTreeMap::new();
    for (i, q) in queues.iter().enumerate() {
        match config.require_zone_for(&q.name) {
            Ok(tz) => by_zone
                .entry(tz.name())
                .or_insert((tz, Vec::new()))
                .1
                .push(i),
            Err(e) => results[i] = Some(Err(e.into())),
        }
    }
    if !by_zone.is_empty() {
        let retention = client.data_retention_days().await?;
        for (tz, members) in by_zone.into_values() {
            let chosen: Vec<&QueueRef> = members.iter().map(|&i| &queues[i]).collect();
            let fetched = fetch_zone(
                client,
                &chosen,
                config,
                tz,
                now,
                retention,
                progress.clone(),
            )
            .await?;
            for (i, r) in members.into_iter().zip(fetched) {
                results[i] = Some(r);
            }
        }
    }
    Ok(queues
        .iter()
        .cloned()
        .zip(results)
        .map(|(q, r)| {
            let r =
                r.unwrap_or_else(|| Err(FetchError::Queue(format!("{} was not fetched", q.name))));
            (q, r)
        })
        .collect())
}

/// Buckets one queue's history asks for: `history.days` × buckets a day (a DST day more or
/// less does not matter to a limit).
pub fn buckets_per_queue(config: &Config) -> usize {
    (config.history.days as usize).saturating_mul(config.history.granularity.per_day())
}

/// Refuses, before anything is sent, a fetch of `queues` queues whose buckets exceed
/// `limits.max_buckets` for one queue or `limits.max_fetch_buckets` for all of them, as the
/// CSV reader refuses a file (issue 17: bounded work on any input).
pub fn check_fetch_size(config: &Config, queues: usize) -> Result<(), FetchError> {
    let (days, g, l) = (
        config.history.days,
        config.history.granularity,
        &config.limits,
    );
    let one = buckets_per_queue(config);
    if one > l.max_buckets {
        return Err(FetchError::TooLarge(format!(
            "{days} days of {g} buckets are {one} buckets a queue, more than limits.max_buckets \
             = {}; fetch fewer days (--days), a coarser granularity, or raise \
             limits.max_buckets in the config file",
            l.max_buckets
        )));
    }
    let all = one.saturating_mul(queues);
    if all > l.max_fetch_buckets {
        return Err(FetchError::TooLarge(format!(
            "{days} days of {g} buckets for {queues} queues are {all} buckets, more than \
             limits.max_fetch_buckets = {}; fetch fewer queues or days at once, or raise \
             limits.max_fetch_buckets in the config file",
            l.max_fetch_buckets
        )));
    }
    Ok(())
}

/// The requested range in `tz`, clipped to the retention horizon: (asked start, start, end).
fn range(
    config: &Config,
    tz: Tz,
    now: DateTime<Utc>,
    retention: Option<u32>,
) -> (DateTime<Utc>, DateTime<Utc>, DateTime<Utc>) {
    let g = config.history.granularity;
    let end = floor_to_bucket(now, g, tz);
    let asked = end - TimeDelta::days(i64::from(config.history.days));
    let start = match retention {
        Some(days) => asked.max(ceil_to_bucket(
            now - TimeDelta::days(i64::from(days)),
            g,
            tz,
        )),
        None => asked,
    };
    (asked, start, end)
}

/// The queues of one zone, fetched together.
async fn fetch_zone(
    client: &GenesysClient,
    queues: &[&QueueRef],
    config: &Config,
    tz: Tz,
    now: DateTime<Utc>,
    retention: Option<u32>,
    progress: Option<UnboundedSender<FetchProgress>>,
) -> Result<Vec<Result<History, FetchError>>, FetchError> {
    let (asked, start, end) = range(config, tz, now, retention);
    if start >= end {
        return Ok(queues
            .iter()
            .map(|_| Err(HistoryError::EmptyRange { start, end }.into()))
            .collect());
    }
    let ids = queues.iter().map(|q| q.id.clone()).collect();
    let query = config.aggregate_query(ids, tz, start, end);
    let mut per_queue = client.fetch_each_queue(&query, progress).await?;
    let span = Span {
        asked,
        start,
        end,
        tz,
        retention,
    };
    Ok(queues
        .iter()
        .map(|q| match per_queue.remove(&q.id) {
            Some(Ok(buckets)) => build(q, &buckets, config, &span),
            Some(Err(e)) => Err(e.into()),
            None => Err(FetchError::Queue(format!(
                "no history came back for {}",
                q.name
            ))),
        })
        .collect())
}

/// The range a zone's queues were fetched over.
struct Span {
    asked: DateTime<Utc>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    tz: Tz,
    retention: Option<u32>,
}

/// One queue's history from its buckets: started at its first reported bucket if that is
/// later than the fetched start, with the handle time laid on the same grid.
fn build(
    queue: &QueueRef,
    buckets: &[AggregateBucket],
    config: &Config,
    span: &Span,
) -> Result<History, FetchError> {
    let g = config.history.granularity;
    let counted = config.counted();
    let Some(first) = buckets.iter().map(|b| b.start).min() else {
        return Err(HistoryError::NoData {
            start: span.start,
            end: span.end,
            counted: counted.to_string(),
        }
        .into());
    };
    let start = span.start.max(first);
    let raw: Vec<_> = buckets.iter().map(|b| (b.start, b.n_offered)).collect();
    let (series, mut summary) =
        from_buckets(&raw, start, span.end, g, span.tz, config.history.fill)?;
    summary.late_start = (summary.start > span.asked).then(|| LateStart {
        requested: span.asked,
        reason: match span.retention {
            Some(days) if summary.start == span.start => StartReason::Retention { days },
            _ => StartReason::FirstData,
        },
    });
    summary.counted = Some(counted);
    let handled: Vec<_> = buckets
        .iter()
        .filter_map(|b| b.t_handle.map(|t| (b.start, t.sum_ms, t.count)))
        .collect();
    let handle = HandleTime::aligned(&series, &handled);
    Ok(History {
        queue: queue.clone(),
        series,
        summary,
        handle: Some(handle),
    })
}

/// Reads a `ds,y` file (see [`history::read_csv_limited`]) as the history of a queue named
/// `queue`, or, without one, of a queue named after the file (`file-<stem>` as its id).
pub fn read_file(
    path: &Path,
    queue: Option<&str>,
    tz: Tz,
    fill: FillMode,
    last_days: Option<u32>,
    clock: InputClock,
) -> Result<History, HistoryError> {
    read_file_limited(
        path,
        queue,
        tz,
        fill,
        last_days,
        &InputLimits::default(),
        clock,
    )
}

/// [`read_file`] under `limits` (`[limits]` in the config).
pub fn read_file_limited(
    path: &Path,
    queue: Option<&str>,
    tz: Tz,
    fill: FillMode,
    last_days: Option<u32>,
    limits: &InputLimits,
    clock: InputClock,
) -> Result<History, HistoryError> {
    let (series, summary) = history::read_csv_limited(path, tz, fill, last_days, limits, clock)?;
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
        handle: None,
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

#[cfg(test)]
mod tests;
