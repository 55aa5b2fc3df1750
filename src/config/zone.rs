//! Time zone names: parsing one from the config, and saving the zone the analyst picked in the
//! dashboard as `[history] time_zone` in config.toml. Saving uses `toml_edit` (the
//! format-preserving editor from the same project as `toml`) because re-serialising with
//! `toml` would drop the analyst's comments and reorder their settings; only that key changes.

use std::path::{Path, PathBuf};

use chrono_tz::Tz;
use toml_edit::{DocumentMut, Item, Table, value};

use super::ConfigError;
use crate::fsutil::{WriteError, write_atomic};

/// Parses an IANA zone name with an error that says how to fix it.
pub fn parse_time_zone(name: &str) -> Result<Tz, ConfigError> {
    name.parse::<Tz>().map_err(|_| ConfigError::Invalid {
        setting: "history.time_zone",
        value: name.to_string(),
        hint: "use an IANA time zone name such as Europe/Dublin or America/Chicago".into(),
    })
}

/// The picked zone could not be saved; the message names the file and the fix.
#[derive(Debug, thiserror::Error)]
pub enum ZoneSaveError {
    #[error("cannot read config file {}: {source}; fix its permissions or set time_zone by hand", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot save the time zone into {}: the file is not valid TOML ({message}); fix it or set time_zone by hand", path.display())]
    Parse { path: PathBuf, message: String },
    #[error("cannot save the time zone into {}: [history] is not a table; set time_zone by hand", path.display())]
    NotATable { path: PathBuf },
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// Sets `[history] time_zone = "<zone>"` in the config file at `path`, creating the file (and
/// its directory) when missing; everything else in the file is kept byte for byte.
pub fn save_history_zone(path: &Path, zone: &str) -> Result<(), ZoneSaveError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => {
            return Err(ZoneSaveError::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let mut doc: DocumentMut =
        text.parse()
            .map_err(|e: toml_edit::TomlError| ZoneSaveError::Parse {
                path: path.to_path_buf(),
                message: e.message().to_string(),
            })?;
    let history = doc
        .entry("history")
        .or_insert_with(|| Item::Table(Table::new()));
    let Some(table) = history.as_table_like_mut() else {
        return Err(ZoneSaveError::NotATable {
            path: path.to_path_buf(),
        });
    };
    table.insert("time_zone", value(zone));
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| ZoneSaveError::Read {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    write_atomic(path, doc.to_string().as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_comments_and_other_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let before = "# my org\n[genesys]\nregion = \"mypurecloud.ie\" # Dublin\n\n\
                      [history]\n# how far back\ndays = 90\n\n[queues.\"Sales\"]\nmin_agents = 2\n";
        std::fs::write(&path, before).unwrap();
        save_history_zone(&path, "Europe/Dublin").unwrap();
        let after = std::fs::read_to_string(&path).unwrap();
        for kept in [
            "# my org",
            "region = \"mypurecloud.ie\" # Dublin",
            "# how far back\ndays = 90",
            "[queues.\"Sales\"]\nmin_agents = 2",
        ] {
            assert!(after.contains(kept), "lost {kept:?}:\n{after}");
        }
        let parsed: toml::Table = toml::from_str(&after).unwrap();
        assert_eq!(
            parsed["history"]["time_zone"].as_str(),
            Some("Europe/Dublin")
        );
        assert_eq!(parsed["history"]["days"].as_integer(), Some(90));
    }

    #[test]
    fn replaces_an_existing_zone_and_creates_a_missing_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("config.toml");
        save_history_zone(&path, "America/New_York").unwrap();
        save_history_zone(&path, "Asia/Tokyo").unwrap();
        let parsed: toml::Table = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(parsed["history"]["time_zone"].as_str(), Some("Asia/Tokyo"));
    }

    #[test]
    fn refuses_a_broken_file_and_leaves_it_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "[history\n").unwrap();
        let e = save_history_zone(&path, "Asia/Tokyo")
            .unwrap_err()
            .to_string();
        assert!(e.contains("not valid TOML"), "{e}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "[history\n");
    }
}
