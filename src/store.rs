//! The data dir: the last forecast per queue (for drift checks) and the last queue opened.
//!
//! Files are small JSON documents written atomically, so a crash or a full disk never leaves
//! a half-written file that would break the next run.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::forecast::drift::SavedForecast;
use crate::fsutil::{WriteError, create_parent_dir, write_atomic};
use crate::refs::QueueRef;

/// Why the data dir could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error("{} is not a valid queuecast file ({message}); delete it to start afresh", path.display())]
    Corrupt { path: PathBuf, message: String },
}

/// Saved state under one data dir.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct Versioned<T> {
    version: u32,
    #[serde(flatten)]
    body: T,
}

const VERSION: u32 = 1;

impl Store {
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: data_dir.into(),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the last forecast of `queue_id` lives; ids are escaped so any id is a safe file name.
    pub fn forecast_path(&self, queue_id: &str) -> PathBuf {
        let mut name = String::with_capacity(queue_id.len());
        for b in queue_id.bytes() {
            if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
                name.push(b as char);
            } else {
                name.push_str(&format!("%{b:02X}"));
            }
        }
        self.dir.join("forecasts").join(format!("{name}.json"))
    }

    fn last_queue_path(&self) -> PathBuf {
        self.dir.join("last_queue.json")
    }

    /// Replaces the saved forecast of its queue.
    pub fn save_forecast(&self, f: &SavedForecast) -> Result<PathBuf, StoreError> {
        let path = self.forecast_path(&f.queue.id);
        write_json(&path, f)?;
        Ok(path)
    }

    /// The last forecast saved for `queue_id`, if any.
    pub fn load_forecast(&self, queue_id: &str) -> Result<Option<SavedForecast>, StoreError> {
        read_json(&self.forecast_path(queue_id))
    }

    pub fn last_queue(&self) -> Result<Option<QueueRef>, StoreError> {
        read_json(&self.last_queue_path())
    }

    pub fn set_last_queue(&self, q: &QueueRef) -> Result<(), StoreError> {
        write_json(&self.last_queue_path(), q)
    }
}

fn write_json<T: Serialize>(path: &Path, body: &T) -> Result<(), StoreError> {
    let doc = Versioned {
        version: VERSION,
        body,
    };
    let bytes = serde_json::to_vec_pretty(&doc).map_err(|e| StoreError::Corrupt {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    create_parent_dir(path)?;
    write_atomic(path, &bytes)?;
    Ok(())
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Option<T>, StoreError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(StoreError::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let doc: Versioned<T> = serde_json::from_slice(&bytes).map_err(|e| StoreError::Corrupt {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    if doc.version != VERSION {
        return Err(StoreError::Corrupt {
            path: path.to_path_buf(),
            message: format!("format version {}, expected {VERSION}", doc.version),
        });
    }
    Ok(Some(doc.body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forecast::ForecastPoint;
    use crate::granularity::Granularity;
    use chrono::{TimeZone, Utc};

    fn saved(id: &str) -> SavedForecast {
        SavedForecast {
            queue: QueueRef {
                id: id.into(),
                name: "Sales".into(),
            },
            generated_at: Utc.with_ymd_and_hms(2024, 5, 6, 0, 0, 0).unwrap(),
            model: "prophet-seed".into(),
            granularity: Granularity::Pt1h,
            time_zone: "Europe/Dublin".into(),
            future: vec![ForecastPoint {
                ts: Utc.with_ymd_and_hms(2024, 5, 6, 1, 0, 0).unwrap(),
                yhat: 3.5,
                yhat_lower: 1.0,
                yhat_upper: 6.0,
            }],
            drift: None,
        }
    }

    #[test]
    fn forecasts_round_trip_per_queue() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().join("nested"));
        assert_eq!(store.load_forecast("a").unwrap(), None);
        store.save_forecast(&saved("a")).unwrap();
        let mut b = saved("../b/c");
        b.model = "seasonal-naive".into();
        let path = store.save_forecast(&b).unwrap();
        assert!(
            path.starts_with(dir.path().join("nested/forecasts")),
            "{path:?}"
        );
        assert_eq!(store.load_forecast("a").unwrap(), Some(saved("a")));
        assert_eq!(store.load_forecast("../b/c").unwrap(), Some(b));
    }

    #[test]
    fn last_queue_round_trips_and_corruption_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        assert_eq!(store.last_queue().unwrap(), None);
        let q = QueueRef {
            id: "id-1".into(),
            name: "Support".into(),
        };
        store.set_last_queue(&q).unwrap();
        assert_eq!(store.last_queue().unwrap(), Some(q));
        std::fs::write(dir.path().join("last_queue.json"), b"{not json").unwrap();
        let err = store.last_queue().unwrap_err().to_string();
        assert!(
            err.contains("last_queue.json") && err.contains("delete it"),
            "{err}"
        );
    }
}
