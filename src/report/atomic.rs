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
    let tmp = temp_name(path);
    let io = |source| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    let result = (|| {
        let mut w = BufWriter::new(File::create(&tmp)?);
        fill(&mut w)?;
        let file = w.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)?;
        sync_dir(path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io)
}

/// Makes a rename in `path`'s folder durable (on Unix; elsewhere renames need no help).
fn sync_dir(path: &Path) -> std::io::Result<()> {
    match path.parent().filter(|_| cfg!(unix)) {
        Some(dir) if !dir.as_os_str().is_empty() => File::open(dir)?.sync_all(),
        _ => Ok(()),
    }
}

/// `dir/.name.tmp-<pid>`: hidden, and never mistaken for a finished output file.
fn temp_name(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(Default::default, |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
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
    fn an_output_folder_that_is_a_file_is_refused_clearly() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("out");
        std::fs::write(&file, "not a folder").unwrap();
        let err = create_dir(&file).unwrap_err().to_string();
        assert!(err.contains("exists and is not a folder"), "{err}");
    }
}
