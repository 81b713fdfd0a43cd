//! An output folder that always holds exactly one complete result set.
//!
//! A command never writes into its output folder `out`. It locks `out` (see [`super::lock`]),
//! writes every file of its result set — CSVs, JSON, map, charts, report — into a fresh hidden
//! sibling, `.<name>.seatsim-new-<pid>-<n>`, flushes it, and then switches the two folders in
//! one step (Linux `renameat2(RENAME_EXCHANGE)`; a plain rename when `out` does not exist yet).
//! The previous result set, now under the hidden name, is then deleted. So whoever opens
//! `out/summary.csv` gets one run's complete file, every file of `out` belongs to the same run,
//! and a file of an earlier run that this one does not write is gone with the old folder.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::lock::Lock;
use crate::Error;

/// Files whose presence marks a folder as seatsim's output, which it may replace whole.
const MARKERS: [&str; 6] = [
    "run.json",
    "compare.json",
    "shard.json",
    "backtest.csv",
    "backtest_summary.csv",
    "plan.json",
];
/// What a staging folder's name holds after `.<name>`, so that a killed run's leftover is
/// recognised and removed by the next run.
const STAGING: &str = ".seatsim-new-";

/// An output folder being rewritten: locked, with a staging folder where the new result set is
/// written. Dropped without [`OutputFolder::commit`], it leaves `out` as it was.
#[derive(Debug)]
pub struct OutputFolder {
    /// The folder as the user named it, for messages.
    shown: PathBuf,
    /// The folder itself, symlinks resolved.
    target: PathBuf,
    /// Where the new result set is written.
    staging: PathBuf,
    /// The outermost parent folder this command created for `out`, removed again (if still
    /// empty) when nothing is committed, so that a refused command leaves nothing behind.
    made_parents: Option<PathBuf>,
    /// Whether the new result set was switched in.
    committed: bool,
    /// Held until the folder is switched and the old result set removed.
    lock: Option<Lock>,
}

impl OutputFolder {
    /// Locks `out`, refuses a folder that holds anything but seatsim results, and creates the
    /// staging folder — so a folder that cannot be written is refused before any work, and
    /// `need` bytes (a rough size of the new result set) are checked against the free space.
    pub fn open(out: &Path, need: u64) -> Result<Self, Error> {
        let write_error = |source| Error::Write {
            path: out.to_path_buf(),
            source,
        };
        refuse_file_in_the_way(out)?;
        let made_parents = outermost_missing(out);
        let target = resolve(out).map_err(write_error)?;
        let lock = Lock::take(&target, out)?;
        refuse_foreign(&target, out)?;
        let parent = target.parent().unwrap_or(Path::new("/"));
        remove_leftovers(parent, &file_name(&target)).map_err(write_error)?;
        let staging = parent.join(format!(
            ".{}{STAGING}{}-{}",
            file_name(&target),
            std::process::id(),
            next_number()
        ));
        let folder = Self {
            shown: out.to_path_buf(),
            target,
            staging,
            made_parents,
            committed: false,
            lock: Some(lock),
        };
        fs::create_dir(&folder.staging).map_err(write_error)?;
        super::space::check(&folder.staging, out, need)?;
        test_hook::pause("opened");
        Ok(folder)
    }

    /// The folder where the new result set is written.
    pub fn staging(&self) -> &Path {
        &self.staging
    }

    /// Carries every file of the previous result set except those named in `except` over into
    /// the new one (hard links where the file system allows, copies otherwise): for a command
    /// that redraws part of a result set, such as `seatsim plot`.
    pub fn keep_all_except(&self, except: &[&str]) -> Result<(), Error> {
        let entries = fs::read_dir(&self.target).map_err(|source| Error::Read {
            path: self.shown.clone(),
            source,
        })?;
        for entry in entries {
            let entry = entry.map_err(|source| Error::Read {
                path: self.shown.clone(),
                source,
            })?;
            let name = entry.file_name();
            if !except.iter().any(|e| name == **e) {
                carry(&entry.path(), &self.staging.join(&name))?;
            }
        }
        Ok(())
    }

    /// Writes (part of) the new result set through `write`, given the staging folder; its
    /// errors name the files of the output folder they were for.
    pub fn fill<T, E: Into<Error>>(
        &self,
        write: impl FnOnce(&Path) -> Result<T, E>,
    ) -> Result<T, Error> {
        write(&self.staging).map_err(|e| self.name_files(e.into()))
    }

    /// `e` with any path inside the staging folder shown as the file of the output folder it
    /// is written to: a message names `out/plots/x.png`, not a hidden temporary folder.
    fn name_files(&self, e: Error) -> Error {
        use crate::plot::PlotError;
        let shown = |path: PathBuf| match path.strip_prefix(&self.staging) {
            Ok(inside) => self.shown.join(inside),
            Err(_) => path,
        };
        match e {
            Error::Write { path, source } => Error::Write {
                path: shown(path),
                source,
            },
            Error::Plot(PlotError::Write { path, source }) => Error::Plot(PlotError::Write {
                path: shown(path),
                source,
            }),
            Error::Plot(PlotError::Draw { path, message }) => Error::Plot(PlotError::Draw {
                path: shown(path),
                message,
            }),
            Error::Plot(PlotError::Read { path, source }) => Error::Plot(PlotError::Read {
                path: shown(path),
                source,
            }),
            Error::Plot(PlotError::Invalid {
                path,
                line,
                message,
            }) => Error::Plot(PlotError::Invalid {
                path: shown(path),
                line,
                message,
            }),
            Error::Plot(PlotError::MapYear {
                path,
                year,
                first,
                last,
            }) => Error::Plot(PlotError::MapYear {
                path: shown(path),
                year,
                first,
                last,
            }),
            e => e,
        }
    }

    /// Makes the staging folder durable and switches it in place of the output folder; the
    /// previous result set is then removed. Returns the output folder as the user named it.
    pub fn commit(mut self) -> Result<PathBuf, Error> {
        let write_error = |source| Error::Write {
            path: self.shown.clone(),
            source,
        };
        sync_tree(&self.staging).map_err(write_error)?;
        test_hook::pause("staged");
        still_ours(&self.target).map_err(write_error)?;
        switch(&self.staging, &self.target).map_err(write_error)?;
        self.committed = true;
        test_hook::pause("switched");
        // The old result set is out of sight already; failing to delete it loses nothing, and
        // the next run into this folder removes it.
        let _ = fs::remove_dir_all(&self.staging);
        Ok(self.shown.clone())
    }
}

impl Drop for OutputFolder {
    fn drop(&mut self) {
        // After a commit this removes the previous result set (already done, usually); before
        // one, the unfinished new result set. Either way not what a reader of `out` sees.
        let _ = fs::remove_dir_all(&self.staging);
        // Released before the parents go: its file lies in the innermost of them.
        drop(self.lock.take());
        if self.committed {
            return;
        }
        if let Some(outermost) = &self.made_parents {
            let mut dir = self.target.parent();
            // Each removal fails harmlessly where another command has put something since.
            while let Some(d) = dir.filter(|d| d.starts_with(outermost)) {
                let _ = fs::remove_dir(d);
                dir = d.parent();
            }
        }
    }
}

/// The outermost ancestor of `out` (not `out` itself) that does not exist yet, resolved.
fn outermost_missing(out: &Path) -> Option<PathBuf> {
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty())?;
    let missing = parent
        .ancestors()
        .take_while(|a| !a.as_os_str().is_empty() && !a.exists())
        .last()?;
    let base = missing
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    Some(base.canonicalize().ok()?.join(missing.file_name()?))
}

/// `out` with symlinks resolved (its parents created), so that the switch replaces the folder
/// a symlink points to rather than the symlink.
fn resolve(out: &Path) -> std::io::Result<PathBuf> {
    if out.exists() {
        if !out.is_dir() {
            return Err(std::io::Error::other("it exists and is not a folder"));
        }
        return out.canonicalize();
    }
    let name = out
        .file_name()
        .ok_or_else(|| std::io::Error::other("not a folder name"))?;
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    fs::create_dir_all(parent)?;
    Ok(parent.canonicalize()?.join(name))
}

/// Refuses an `out` that is, or lies inside, a file: the path given is wrong (a bad command
/// line), not a folder that could not be written.
pub fn refuse_file_in_the_way(out: &Path) -> Result<(), Error> {
    let is_file = out.exists() && !out.is_dir();
    let Some(file) = is_file.then_some(out).or_else(|| file_above(out)) else {
        return Ok(());
    };
    let what = match file == out {
        true => "is a file, not a folder".to_string(),
        false => format!("{} is a file, not a folder", file.display()),
    };
    Err(Error::Usage(format!(
        "{}: {what}; give a new or empty folder with --out",
        out.display()
    )))
}

/// The nearest folder above `path` that is in fact a file, if any: nothing can be written
/// at `path` then.
pub fn file_above(path: &Path) -> Option<&Path> {
    path.ancestors()
        .skip(1)
        .find(|a| !a.as_os_str().is_empty() && a.exists() && !a.is_dir())
}

/// Refuses to replace a folder that is not empty and holds no seatsim result: replacing it
/// would delete someone's files.
fn refuse_foreign(target: &Path, shown: &Path) -> Result<(), Error> {
    let Ok(mut entries) = fs::read_dir(target) else {
        return Ok(());
    };
    let empty = entries.next().is_none();
    if empty || MARKERS.iter().any(|m| target.join(m).is_file()) {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "{}: this folder holds files but no seatsim result ({}); seatsim replaces its output \
         folder whole, so give a new or empty folder with --out",
        shown.display(),
        MARKERS.join(", ")
    )))
}

/// Removes the staging folders that killed runs left beside `name` in `parent`. Called with the
/// lock held, so none of them belongs to a live run.
fn remove_leftovers(parent: &Path, name: &str) -> std::io::Result<()> {
    let prefix = format!(".{name}{STAGING}");
    for entry in fs::read_dir(parent)? {
        let entry = entry?;
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            fs::remove_dir_all(entry.path())?;
        }
    }
    Ok(())
}

/// Refuses to switch when `target` — absent or a folder when the command started — has since
/// become something else (a file saved under its name, say): exchanging would move that file
/// into the staging folder and delete it with the old result set.
fn still_ours(target: &Path) -> std::io::Result<()> {
    match fs::symlink_metadata(target) {
        Ok(meta) if !meta.is_dir() => Err(std::io::Error::other(
            "it was replaced by a file (or link) during the run; that file is left as it is and              no result was written: move it away and run again",
        )),
        _ => Ok(()),
    }
}

/// Puts `staging` in place of `target`: exchanged in one step when `target` exists.
fn switch(staging: &Path, target: &Path) -> std::io::Result<()> {
    if fs::symlink_metadata(target).is_err() {
        fs::rename(staging, target)?;
    } else {
        exchange(staging, target)?;
    }
    let parent = target.parent().unwrap_or(Path::new("/"));
    File::open(parent)?.sync_all()
}

/// Swaps two folders atomically (Linux); where the file system cannot, the old folder is moved
/// aside first, leaving an instant without `target` but never a mix of two runs.
fn exchange(staging: &Path, target: &Path) -> std::io::Result<()> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use rustix::fs::{renameat_with, RenameFlags, CWD};
        match renameat_with(CWD, staging, CWD, target, RenameFlags::EXCHANGE) {
            Ok(()) => return Ok(()),
            Err(e) if e != rustix::io::Errno::INVAL && e != rustix::io::Errno::NOSYS => {
                return Err(e.into())
            }
            Err(_) => {}
        }
    }
    let mut aside = staging.as_os_str().to_owned();
    aside.push("-old");
    fs::rename(target, &aside)?;
    fs::rename(staging, target)?;
    fs::rename(&aside, staging)
}

/// Flushes every file under `dir` and the folders themselves to disk, so that the switch
/// never publishes a folder whose files a crash could still empty.
fn sync_tree(dir: &Path) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            sync_tree(&path)?;
        } else {
            File::open(&path)?.sync_all()?;
        }
    }
    File::open(dir)?.sync_all()
}

/// Brings `from` (a file or folder of the previous result set) to `to` in the staging folder.
fn carry(from: &Path, to: &Path) -> Result<(), Error> {
    let copied = if from.is_dir() {
        fs::create_dir(to).and_then(|()| {
            fs::read_dir(from)?.try_for_each(|e| {
                let e = e?;
                carry(&e.path(), &to.join(e.file_name())).map_err(std::io::Error::other)
            })
        })
    } else {
        fs::hard_link(from, to).or_else(|_| fs::copy(from, to).map(drop))
    };
    copied.map_err(|source| Error::Write {
        path: to.to_path_buf(),
        source,
    })
}

/// The last component of a resolved folder path.
fn file_name(path: &Path) -> String {
    path.file_name()
        .map_or_else(Default::default, |n| n.to_string_lossy().into_owned())
}

/// A number unique within this process, for temporary names.
pub(crate) fn next_number() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Pauses at named points of a commit when `SEATSIM_TEST_PAUSE=<point>:<seconds>` is set, so
/// that the integration tests can kill a run at exactly that point. Read nowhere else.
mod test_hook {
    use std::time::Duration;

    /// Sleeps if the test hook names `point`, after saying so on stderr.
    pub fn pause(point: &str) {
        let Ok(setting) = std::env::var("SEATSIM_TEST_PAUSE") else {
            return;
        };
        let Some((at, seconds)) = setting.split_once(':') else {
            return;
        };
        if at == point {
            eprintln!("test hook: paused at {point}");
            let seconds = seconds.parse().unwrap_or(0.0);
            std::thread::sleep(Duration::from_secs_f64(seconds));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<_> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_commit_replaces_the_whole_folder() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("run");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("run.json"), "old").unwrap();
        fs::write(out.join("report.html"), "old").unwrap();
        let folder = OutputFolder::open(&out, 0).unwrap();
        fs::write(folder.staging().join("run.json"), "new").unwrap();
        folder.commit().unwrap();
        assert_eq!(names(&out), ["run.json"]);
        assert_eq!(fs::read(out.join("run.json")).unwrap(), b"new");
        assert_eq!(names(root.path()), ["run"]);
    }

    #[test]
    fn a_dropped_folder_leaves_the_old_results_and_no_leftover() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("run");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("run.json"), "old").unwrap();
        let folder = OutputFolder::open(&out, 0).unwrap();
        fs::write(folder.staging().join("run.json"), "new").unwrap();
        drop(folder);
        assert_eq!(fs::read(out.join("run.json")).unwrap(), b"old");
        assert_eq!(names(root.path()), ["run"]);
    }

    #[test]
    fn kept_files_survive_a_partial_redraw() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("run");
        fs::create_dir_all(out.join("plots")).unwrap();
        fs::write(out.join("run.json"), "run").unwrap();
        fs::write(out.join("plots/map_2035.png"), "old map").unwrap();
        let folder = OutputFolder::open(&out, 0).unwrap();
        folder.keep_all_except(&["plots"]).unwrap();
        folder.commit().unwrap();
        assert_eq!(names(&out), ["run.json"]);
    }

    #[test]
    fn parents_made_for_an_uncommitted_folder_are_removed() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("a/b/run");
        drop(OutputFolder::open(&out, 0).unwrap());
        assert!(names(root.path()).is_empty());
        let folder = OutputFolder::open(&out, 0).unwrap();
        fs::write(folder.staging().join("run.json"), "new").unwrap();
        folder.commit().unwrap();
        assert!(out.join("run.json").is_file());
    }

    #[test]
    fn a_folder_of_other_files_is_refused() {
        let root = tempfile::tempdir().unwrap();
        fs::write(root.path().join("notes.txt"), "mine").unwrap();
        let err = OutputFolder::open(root.path(), 0).unwrap_err().to_string();
        assert!(err.contains("holds files but no seatsim result"), "{err}");
        assert_eq!(names(root.path()), ["notes.txt"]);
    }

    #[test]
    fn a_symlinked_folder_is_replaced_behind_its_link() {
        let root = tempfile::tempdir().unwrap();
        let real = root.path().join("real");
        fs::create_dir(&real).unwrap();
        std::os::unix::fs::symlink(&real, root.path().join("link")).unwrap();
        let folder = OutputFolder::open(&root.path().join("link"), 0).unwrap();
        fs::write(folder.staging().join("run.json"), "new").unwrap();
        folder.commit().unwrap();
        assert!(fs::symlink_metadata(root.path().join("link"))
            .unwrap()
            .is_symlink());
        assert_eq!(fs::read(real.join("run.json")).unwrap(), b"new");
    }
}
