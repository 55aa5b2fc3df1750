//! File-system helpers shared by every writer (exports, the data dir): one atomic write, so no
//! crash or full disk ever leaves a half-written file behind.

use std::io::Write;
use std::path::{Path, PathBuf};

/// A file could not be written; the message names the path and what was being done.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
        source: std::io::Error,
    },
    #[error("cannot write {}: it is a directory; give a file name", path.display())]
    IsDirectory { path: PathBuf },
}

/// Writes `bytes` to `path` so that readers see either the old file or the new one, never a mix:
/// a temp file in the same directory, fsync, then rename over the target.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    write_atomic_with(path, |f| f.write_all(bytes))
}

/// [`write_atomic`] with the content produced by `write` (streaming writers); if `write` fails,
/// the temp file is removed and the target is untouched.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> Result<(), WriteError> {
    if path.is_dir() {
        return Err(WriteError::IsDirectory {
            path: path.to_path_buf(),
        });
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let io = |action: &'static str| {
        move |source: std::io::Error| WriteError::Io {
            path: path.to_path_buf(),
            action,
            source,
        }
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".queuecast-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io("create a temporary file next to"))?;
    write(tmp.as_file_mut()).map_err(io("write"))?;
    tmp.as_file().sync_all().map_err(io("flush to disk"))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Keep an existing file's mode; new exports are readable by the consumers, like `>` would make them.
        let mode = std::fs::metadata(path)
            .map(|m| m.permissions().mode())
            .unwrap_or(0o644);
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))
            .map_err(io("set permissions on"))?;
    }
    tmp.persist(path).map_err(|e| io("replace")(e.error))?;
    if let Ok(d) = std::fs::File::open(dir) {
        // Makes the rename itself durable; not all platforms allow syncing a directory.
        let _ = d.sync_all();
    }
    Ok(())
}

/// Creates `path`'s parent directory (and its parents) if missing.
pub fn create_parent_dir(path: &Path) -> Result<(), WriteError> {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => {
            std::fs::create_dir_all(parent).map_err(|source| WriteError::Io {
                path: path.to_path_buf(),
                action: "create the directory for",
                source,
            })
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_atomic_replaces_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        write_atomic(&path, b"first version, quite long").unwrap();
        write_atomic(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers.len(), 1, "temp file left behind: {leftovers:?}");
    }

    #[cfg(unix)]
    #[test]
    fn failed_write_leaves_existing_file_intact_and_names_path() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        std::fs::write(&path, b"old export").unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o555)).unwrap();
        let probe = dir.path().join("probe");
        let writable = std::fs::write(&probe, b"x").is_ok();
        let result = write_atomic(&path, b"new export");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        if writable {
            eprintln!("note: running as a user who can write read-only dirs (root); skipped");
            return;
        }
        let err = result.unwrap_err().to_string();
        assert!(err.contains(&path.display().to_string()), "{err}");
        assert!(
            err.contains("Permission denied") || err.contains("permission"),
            "{err}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), b"old export");
    }

    #[test]
    fn interrupted_write_leaves_the_old_file_and_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        std::fs::write(&path, b"old export").unwrap();
        let err = write_atomic_with(&path, |f| {
            f.write_all(b"new exp")?;
            Err(std::io::Error::other("disk full"))
        })
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("out.json") && err.contains("disk full"),
            "{err}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), b"old export");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn parent_that_is_a_file_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("plain");
        std::fs::write(&file, b"x").unwrap();
        let err = write_atomic(&file.join("out.json"), b"y")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("plain/out.json") && err.contains("cannot create a temporary file"),
            "{err}"
        );
        let err = create_parent_dir(&file.join("deeper/out.json"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("deeper/out.json") && err.contains("cannot create the directory for"),
            "{err}"
        );
    }

    #[test]
    fn missing_dir_and_directory_target_are_clear_errors() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no/such/dir/out.json");
        let err = write_atomic(&missing, b"x").unwrap_err().to_string();
        assert!(err.contains("no/such/dir/out.json"), "{err}");
        create_parent_dir(&missing).unwrap();
        write_atomic(&missing, b"x").unwrap();
        assert_eq!(std::fs::read(&missing).unwrap(), b"x");
        let err = write_atomic(dir.path(), b"x").unwrap_err().to_string();
        assert!(err.contains("is a directory"), "{err}");
    }
}
