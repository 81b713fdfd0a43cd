//! The lock on an output folder: `.<name>.lock` beside it, held with `flock` for as long as a
//! command writes the folder and holding the writer's pid. The kernel drops the lock of a
//! process that dies, so the file a killed run leaves behind is a stale lock that the next run
//! simply takes over.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use rustix::fs::{flock, FlockOperation};

use crate::Error;

/// A held lock on one output folder; released (and its file removed) when dropped.
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
    file: File,
}

impl Lock {
    /// Locks the output folder `target` (resolved; `shown` as the user named it), or refuses
    /// with the pid of the command that holds it.
    pub fn take(target: &Path, shown: &Path) -> Result<Self, Error> {
        let name = target.file_name().unwrap_or_default().to_string_lossy();
        let path = target.with_file_name(format!(".{name}.lock"));
        let write_error = |source| Error::Write {
            path: shown.to_path_buf(),
            source,
        };
        loop {
            let mut file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(write_error)?;
            if flock(&file, FlockOperation::NonBlockingLockExclusive).is_err() {
                return Err(write_error(std::io::Error::new(
                    std::io::ErrorKind::WouldBlock,
                    format!(
                        "{} is writing this folder; wait for it to finish, or give another --out",
                        holder(&mut file)
                    ),
                )));
            }
            // The previous holder removes the file before it lets go: a lock on a file no
            // longer at `path` guards nothing, so try again with the file now there.
            if same_file(&file, &path) {
                note_stale(&mut file, shown);
                file.set_len(0).map_err(write_error)?;
                file.rewind().map_err(write_error)?;
                writeln!(file, "{}", std::process::id()).map_err(write_error)?;
                return Ok(Self { path, file });
            }
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still held, so that no one locks the file after we let go of it.
        let _ = fs::remove_file(&self.path);
        let _ = flock(&self.file, FlockOperation::Unlock);
    }
}

/// Whether `file` is the file at `path`.
fn same_file(file: &File, path: &Path) -> bool {
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// The pid written in a lock file, if any.
fn recorded_pid(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.rewind().ok()?;
    file.read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

/// Who holds a lock, for the message refusing it.
fn holder(file: &mut File) -> String {
    recorded_pid(file).map_or_else(
        || "another seatsim".to_string(),
        |pid| format!("another seatsim (pid {pid})"),
    )
}

/// Says so when the lock taken was left by a run that ended without releasing it (killed).
fn note_stale(file: &mut File, shown: &Path) {
    if let Some(pid) = recorded_pid(file) {
        eprintln!(
            "note: {}: taking over the lock of seatsim pid {pid}, which ended without releasing it",
            shown.display()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_refused_with_the_holders_pid() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("run");
        let first = Lock::take(&out, &out).unwrap();
        let err = Lock::take(&out, Path::new("run")).unwrap_err().to_string();
        let pid = std::process::id();
        assert!(
            err.contains(&format!("another seatsim (pid {pid}) is writing")),
            "{err}"
        );
        drop(first);
        assert!(!root.path().join(".run.lock").exists());
        Lock::take(&out, &out).unwrap();
    }

    #[test]
    fn a_lock_file_left_by_a_dead_run_is_taken_over() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("run");
        fs::write(root.path().join(".run.lock"), "4194304\n").unwrap();
        let lock = Lock::take(&out, &out).unwrap();
        let text = fs::read_to_string(&lock.path).unwrap();
        assert_eq!(text.trim(), std::process::id().to_string());
    }
}
