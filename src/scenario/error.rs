//! The one error type of scenario loading: where (file, line or key) and what is wrong.

use std::fmt;
use std::path::{Path, PathBuf};

/// A problem in a scenario file or one of its tables, located as precisely as possible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    /// The file the problem is in.
    pub file: PathBuf,
    /// 1-based line number, when known.
    pub line: Option<usize>,
    /// What is wrong, naming the key or column, the bad value and what would be valid.
    pub message: String,
}

impl ScenarioError {
    /// An error somewhere in `file` (no line known).
    pub fn in_file(file: &Path, message: impl Into<String>) -> Self {
        Self {
            file: file.to_path_buf(),
            line: None,
            message: message.into(),
        }
    }

    /// An error at `line` of `file`.
    pub fn at_line(file: &Path, line: usize, message: impl Into<String>) -> Self {
        Self {
            file: file.to_path_buf(),
            line: Some(line),
            message: message.into(),
        }
    }

    /// An error at byte offset `offset` of `text`, the contents of `file`.
    pub fn at_offset(file: &Path, text: &str, offset: usize, message: impl Into<String>) -> Self {
        Self::at_line(file, line_at(text, offset), message)
    }
}

/// Longest bad value quoted in a message, in characters.
const MAX_QUOTED: usize = 60;

/// `value` as a message quotes it: whole when short, else its first [`MAX_QUOTED`] characters
/// and how long it is, so that a 100,000-character field does not flood the terminal.
pub(crate) fn quoted(value: &str) -> String {
    let len = value.chars().count();
    if len <= MAX_QUOTED {
        return value.to_string();
    }
    let head: String = value.chars().take(MAX_QUOTED).collect();
    format!("{head}… ({len} characters)")
}

/// The 1-based line of byte `offset` in `text` (the last line if past the end).
pub(super) fn line_at(text: &str, offset: usize) -> usize {
    1 + text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file.display(), line, self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

impl std::error::Error for ScenarioError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_cut_and_say_how_long_they_were() {
        assert_eq!(quoted("2400"), "2400");
        let long = "9".repeat(100_000);
        let q = quoted(&long);
        assert!(
            q.starts_with(&"9".repeat(60)) && q.ends_with("… (100000 characters)"),
            "{q}"
        );
    }
}
