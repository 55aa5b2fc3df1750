//! The queue board's model: one compact row per queue (what a finished forecast says about
//! it), the sort columns, and the filtered, sorted order the board shows. Pure: no terminal,
//! no state of the app.

use std::cmp::Ordering;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::forecast::pipeline::PipelineOutput;
use crate::history::History;
use crate::refs::NamedRef;

/// Sparkline points per day: fine enough for the weekly shape, small enough that 500 rows
/// cost little (4 × 21 numbers each).
pub const SPARK_PER_DAY: usize = 4;

/// Days of history before the forecast week on the sparkline.
pub const SPARK_HISTORY_DAYS: i64 = 14;

/// What the board shows of one finished forecast. Built in the background from the run and
/// its history, then sent to `update`; the run itself is dropped (500 queues stay small).
#[derive(Debug, Clone, PartialEq)]
pub struct RowData {
    /// The model the forecast used (the tournament's pick under `auto`).
    pub model: String,
    /// The last two weeks of history, summed into [`SPARK_PER_DAY`] bins a day.
    pub recent: Vec<f64>,
    /// The forecast (yhat, at least 0), binned the same way.
    pub future: Vec<f64>,
    /// The first window the run offers (capacity windows in capacity mode, as the dashboard).
    pub next_window: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// Mean spare agents (staffed − required) during that window, where staffing is known.
    pub spare: Option<f64>,
    /// The chosen model's backtest error relative to the seasonal naive's (MASE).
    pub vs_naive: Option<f64>,
    pub wape: Option<f64>,
    /// The drift check's verdict; `None` without a previous forecast with actuals.
    pub retrain: Option<bool>,
}

impl RowData {
    /// The row of a finished run; `history` (kept by the batch) feeds the sparkline.
    pub fn of(out: &PipelineOutput, history: Option<&History>) -> Self {
        let bucket_secs = out.granularity.minutes() * 60;
        let per_bin = ((86_400 / SPARK_PER_DAY as i64) / bucket_secs.max(1)).max(1) as usize;
        let recent = history.map_or_else(Vec::new, |h| {
            let points = &h.series.points;
            let keep = (SPARK_HISTORY_DAYS * 86_400 / bucket_secs.max(1)) as usize;
            let from = points.len().saturating_sub(keep);
            bins(points[from..].iter().map(|p| p.y.max(0.0)), per_bin)
        });
        let future = bins(out.forecast.future.iter().map(|p| p.yhat.max(0.0)), per_bin);
        let next_window = out.offered_windows().first().copied();
        let spare = next_window.and_then(|(start, end)| {
            let plan = out.staffing.as_ref()?;
            let spare: Vec<f64> = plan
                .intervals
                .iter()
                .filter(|iv| iv.ts >= start && iv.ts < end)
                .filter_map(|iv| iv.spare_agents)
                .collect();
            (!spare.is_empty()).then(|| spare.iter().sum::<f64>() / spare.len() as f64)
        });
        let accuracy = out.accuracy.as_ref();
        Self {
            model: out.forecast.model.clone(),
            recent,
            future,
            next_window,
            spare,
            vs_naive: accuracy.and_then(|a| a.mase),
            wape: accuracy.and_then(|a| a.wape),
            retrain: out.drift.as_ref().map(|d| d.retrain_recommended),
        }
    }

    /// Contacts in the two weeks shown (the volume column's sort key).
    pub fn volume(&self) -> f64 {
        self.recent.iter().sum()
    }
}

/// Sums of consecutive runs of `per_bin` values (the last run may be shorter).
fn bins(values: impl Iterator<Item = f64>, per_bin: usize) -> Vec<f64> {
    let values: Vec<f64> = values.collect();
    values
        .chunks(per_bin.max(1))
        .map(|c| c.iter().sum())
        .collect()
}

/// Where one queue's row stands.
#[derive(Debug, Clone, PartialEq)]
pub enum RowState {
    /// Waiting for its history or its fit.
    Pending,
    Ready(Arc<RowData>),
    /// Why it has no forecast (`r` retries it).
    Failed(String),
}

/// The columns the board sorts by, in the order `s` cycles through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortColumn {
    #[default]
    Name,
    Media,
    /// The two weeks of history on the sparkline.
    Volume,
    NextWindow,
    Spare,
    Accuracy,
    Drift,
}

impl SortColumn {
    pub const ALL: [SortColumn; 7] = [
        SortColumn::Name,
        SortColumn::Media,
        SortColumn::Volume,
        SortColumn::NextWindow,
        SortColumn::Spare,
        SortColumn::Accuracy,
        SortColumn::Drift,
    ];

    /// The column's header, also shown as the sort key.
    pub fn label(self) -> &'static str {
        match self {
            SortColumn::Name => "queue",
            SortColumn::Media => "media",
            SortColumn::Volume => "2 weeks │ forecast",
            SortColumn::NextWindow => "next window",
            SortColumn::Spare => "spare",
            SortColumn::Accuracy => "vs naive",
            SortColumn::Drift => "drift",
        }
    }

    /// The next column `s` sorts by.
    pub fn next(self) -> Self {
        let i = Self::ALL.iter().position(|c| *c == self).unwrap_or(0);
        Self::ALL[(i + 1) % Self::ALL.len()]
    }
}

/// A queue's media for the board: `voice`, `chat`, or `voice+2` when it is set up for
/// several; empty when unknown.
pub fn media_label(media: &[String]) -> String {
    match media {
        [] => String::new(),
        [one] => one.clone(),
        [first, rest @ ..] => format!("{first}+{}", rest.len()),
    }
}

/// One queue as the board orders it.
pub struct Entry<'a> {
    pub queue: &'a NamedRef,
    pub media: String,
    pub state: Option<&'a RowState>,
}

/// The rows matching `filter` (case-insensitive substring of the name), sorted by `column`
/// (`descending` reverses it). Rows whose value is not known yet (pending, failed, no
/// window…) come last either way, in name order, so filling rows never push known ones down
/// in a reversed sort.
pub fn ordered<'a>(
    entries: Vec<Entry<'a>>,
    filter: &str,
    column: SortColumn,
    descending: bool,
) -> Vec<Entry<'a>> {
    let needle = filter.to_lowercase();
    let mut shown: Vec<Entry> = entries
        .into_iter()
        .filter(|e| needle.is_empty() || e.queue.name.to_lowercase().contains(&needle))
        .collect();
    shown.sort_by(|a, b| {
        let by_name = || name_order(a.queue, b.queue);
        match (key(a, column), key(b, column)) {
            (Some(x), Some(y)) => {
                let o = x.partial_cmp(&y).unwrap_or(Ordering::Equal);
                let o = if descending { o.reverse() } else { o };
                o.then_with(by_name)
            }
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => by_name(),
        }
    });
    shown
}

fn name_order(a: &NamedRef, b: &NamedRef) -> Ordering {
    a.name
        .to_lowercase()
        .cmp(&b.name.to_lowercase())
        .then_with(|| a.id.cmp(&b.id))
}

/// A sortable value of `e` in `column`; `None` when it is not known.
#[derive(Debug, PartialEq, PartialOrd)]
enum SortKey {
    Text(String),
    Number(f64),
}

fn key(e: &Entry, column: SortColumn) -> Option<SortKey> {
    let data = match e.state {
        Some(RowState::Ready(d)) => Some(d.as_ref()),
        _ => None,
    };
    match column {
        SortColumn::Name => Some(SortKey::Text(e.queue.name.to_lowercase())),
        SortColumn::Media => (!e.media.is_empty()).then(|| SortKey::Text(e.media.to_string())),
        SortColumn::Volume => data.map(|d| SortKey::Number(d.volume())),
        SortColumn::NextWindow => data
            .and_then(|d| d.next_window)
            .map(|(start, _)| SortKey::Number(start.timestamp() as f64)),
        SortColumn::Spare => data.and_then(|d| d.spare).map(SortKey::Number),
        SortColumn::Accuracy => data.and_then(|d| d.vs_naive).map(SortKey::Number),
        SortColumn::Drift => data
            .and_then(|d| d.retrain)
            .map(|r| SortKey::Number(if r { 0.0 } else { 1.0 })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(id: &str, name: &str) -> NamedRef {
        NamedRef {
            id: id.into(),
            name: name.into(),
        }
    }

    fn ready(volume: f64, vs_naive: Option<f64>) -> RowState {
        RowState::Ready(Arc::new(RowData {
            model: "m".into(),
            recent: vec![volume],
            future: vec![],
            next_window: None,
            spare: None,
            vs_naive,
            wape: None,
            retrain: None,
        }))
    }

    fn names(v: &[Entry]) -> Vec<String> {
        v.iter().map(|e| e.queue.name.clone()).collect()
    }

    #[test]
    fn unknown_values_sort_last_in_both_directions() {
        let qs = [q("1", "b"), q("2", "a"), q("3", "c"), q("4", "d")];
        let states = [ready(5.0, Some(0.9)), RowState::Pending, ready(9.0, None)];
        let entries = || {
            qs.iter()
                .enumerate()
                .map(|(i, queue)| Entry {
                    queue,
                    media: String::new(),
                    state: states.get(i),
                })
                .collect::<Vec<_>>()
        };
        let up = ordered(entries(), "", SortColumn::Volume, false);
        assert_eq!(names(&up), ["b", "c", "a", "d"]);
        let down = ordered(entries(), "", SortColumn::Volume, true);
        assert_eq!(names(&down), ["c", "b", "a", "d"]);
        let acc = ordered(entries(), "", SortColumn::Accuracy, true);
        assert_eq!(names(&acc), ["b", "a", "c", "d"]);
        let filtered = ordered(entries(), "C", SortColumn::Name, false);
        assert_eq!(names(&filtered), ["c"]);
    }

    #[test]
    fn bins_sum_runs_and_keep_a_short_tail() {
        assert_eq!(
            bins([1.0, 2.0, 3.0, 4.0, 5.0].into_iter(), 2),
            [3.0, 7.0, 5.0]
        );
        assert_eq!(SortColumn::Drift.next(), SortColumn::Name);
    }
}
