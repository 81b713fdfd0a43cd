//! Files that appear whole or not at all: written to a temporary name in the target folder,
//! flushed, then renamed over the final name.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use crate::Error;

/// Writes `path` through `fill`, atomically: readers see the old file or the complete new one.
pub fn write_atomic(
    path: &Path,
    fill: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
) -> Result<(), Error> {
    let mut batch = Batch::default();
    batch.stage(path, fill)?;
    batch.commit().map(|_| ())
}

/// Files that replace their predecessors together: each is written in full under a temporary
/// name, and only once all are complete are they renamed into place, so a failure part-way
/// leaves the previous results untouched rather than a mix of old and new files. Temporary
/// files not committed are removed when the batch is dropped.
#[derive(Debug, Default)]
pub struct Batch {
    staged: Vec<(PathBuf, PathBuf)>,
}

impl Batch {
    /// Writes `path`'s new contents through `fill` to its temporary name, which it returns:
    /// the complete file can be read there until the batch is committed or dropped.
    pub fn stage(
        &mut self,
        path: &Path,
        fill: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
    ) -> Result<PathBuf, Error> {
        let tmp = temp_name(path);
        // Registered first, so that a failed write is cleaned up on drop.
        self.staged.push((tmp.clone(), path.to_path_buf()));
        let written = (|| {
            let mut w = BufWriter::new(File::create(&tmp)?);
            fill(&mut w)?;
            w.into_inner().map_err(|e| e.into_error())?.sync_all()
        })();
        written.map(|()| tmp).map_err(|source| Error::Write {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Renames every staged file into place, then makes the renames durable (each folder
    /// synced once, not once a file: a run's seven files waited on seven syncs of one
    /// folder); returns the final paths.
    pub fn commit(mut self) -> Result<Vec<PathBuf>, Error> {
        let staged = std::mem::take(&mut self.staged);
        let mut done: Vec<PathBuf> = Vec::with_capacity(staged.len());
        for (i, (tmp, path)) in staged.iter().enumerate() {
            if let Err(source) = std::fs::rename(tmp, path) {
                self.staged = staged[i..].to_vec();
                return Err(Error::Write {
                    path: path.clone(),
                    source,
                });
            }
            done.push(path.clone());
        }
        for (i, path) in done.iter().enumerate() {
            let seen = done[..i].iter().any(|p| p.parent() == path.parent());
            if !seen {
                sync_dir(path).map_err(|source| Error::Write {
                    path: path.clone(),
                    source,
                })?;
            }
        }
        Ok(done)
    }
}

impl Drop for Batch {
    fn drop(&mut self) {
        for (tmp, _) in &self.staged {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

/// Makes a rename in `path`'s folder durable (on Unix; elsewhere renames need no help).
fn sync_dir(path: &Path) -> std::io::Result<()> {
    match path.parent().filter(|_| cfg!(unix)) {
        Some(dir) if !dir.as_os_str().is_empty() => File::open(dir)?.sync_all(),
        _ => Ok(()),
    }
}

/// `dir/.stem.tmp-<pid>-<n>.ext` for `dir/stem.ext`: hidden, never mistaken for a finished
/// output file, unique to this process and call (two writers never share one), and with the
/// final extension (the PNG encoder picks its format from it).
pub(crate) fn temp_name(path: &Path) -> PathBuf {
    let part = |p: Option<&std::ffi::OsStr>| p.unwrap_or_default().to_string_lossy().into_owned();
    let unique = format!(
        "tmp-{}-{}",
        std::process::id(),
        super::folder::next_number()
    );
    let name = match path.extension() {
        Some(ext) => format!(".{}.{unique}.{}", part(path.file_stem()), part(Some(ext))),
        None => format!(".{}.{unique}", part(path.file_name())),
    };
    path.with_file_name(name)
}

/// Creates `dir` (and its parents) for output.
pub fn create_dir(dir: &Path) -> Result<(), Error> {
    let result = if dir.exists() && !dir.is_dir() {
        Err(std::io::Error::other("it exists and is not a folder"))
    } else {
        std::fs::create_dir_all(dir)
    };
    result.map_err(|source| Error::Write {
        path: dir.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("summary.csv");
        write_atomic(&path, |w| w.write_all(b"old")).unwrap();
        let failed = write_atomic(&path, |w| {
            w.write_all(b"half")?;
            Err(std::io::Error::other("disk full"))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_batch_that_fails_part_way_changes_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("summary.csv"), dir.path().join("risk.csv"));
        write_atomic(&a, |w| w.write_all(b"old a")).unwrap();
        write_atomic(&b, |w| w.write_all(b"old b")).unwrap();
        let mut batch = Batch::default();
        batch.stage(&a, |w| w.write_all(b"new a")).unwrap();
        let failed = batch.stage(&b, |_| Err(std::io::Error::other("disk full")));
        assert!(failed.is_err());
        drop(batch);
        assert_eq!(std::fs::read(&a).unwrap(), b"old a");
        assert_eq!(std::fs::read(&b).unwrap(), b"old b");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn temporary_names_are_unique_and_keep_the_extension() {
        let (a, b) = (
            temp_name(Path::new("d/x.png")),
            temp_name(Path::new("d/x.png")),
        );
        assert_ne!(a, b);
        assert_eq!(a.extension().unwrap(), "png");
        assert!(a
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with(".x.tmp-"));
    }

    #[test]
    fn an_output_folder_that_is_a_file_is_refused_clearly() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("out");
        std::fs::write(&file, "not a folder").unwrap();
        let err = create_dir(&file).unwrap_err().to_string();
        assert!(err.contains("exists and is not a folder"), "{err}");
    }
}
