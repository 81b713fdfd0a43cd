//! A cheap check, before any work, that the output folder's file system has room for the
//! result set: better refused in a second than a disk full after the projection.

use std::path::Path;

use crate::Error;

/// Refuses when the file system holding `staging` has fewer than `need` bytes free for this
/// user; `shown` is the output folder as the user named it. Where the free space cannot be
/// read the write itself will tell.
pub fn check(staging: &Path, shown: &Path, need: u64) -> Result<(), Error> {
    let Ok(stat) = rustix::fs::statvfs(staging) else {
        return Ok(());
    };
    let free = stat.f_bavail.saturating_mul(stat.f_frsize);
    if need <= free {
        return Ok(());
    }
    Err(Error::Write {
        path: shown.to_path_buf(),
        source: std::io::Error::new(
            std::io::ErrorKind::StorageFull,
            format!(
                "the results need about {} and its file system has {} free; free some space \
                 or give another --out",
                megabytes(need),
                megabytes(free)
            ),
        ),
    })
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn more_than_the_disk_holds_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = check(dir.path(), Path::new("out"), u64::MAX)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("cannot write out: the results need about"),
            "{err}"
        );
        check(dir.path(), Path::new("out"), 1).unwrap();
    }
}
