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

/// What to tell a user who wrote `given` where one of `options` was expected: the closest
/// option within a few typing slips (`; did you mean "centre"?`), else the options themselves
/// when they are few (`; valid: a, b, c`), else nothing.
pub(crate) fn did_you_mean<'a>(given: &str, options: impl IntoIterator<Item = &'a str>) -> String {
    const LISTED: usize = 12;
    let options: Vec<&str> = options.into_iter().collect();
    match closest(given, &options) {
        Some(o) => format!("; did you mean \"{o}\"?"),
        None if !options.is_empty() && options.len() <= LISTED => {
            format!("; valid: {}", options.join(", "))
        }
        None => String::new(),
    }
}

/// `; did you mean "x"?` when one of `options` is within a few typing slips of `given`, else
/// nothing (for messages that list the options already).
pub(crate) fn close_match<'a>(given: &str, options: impl IntoIterator<Item = &'a str>) -> String {
    let options: Vec<&str> = options.into_iter().collect();
    closest(given, &options).map_or_else(String::new, |o| format!("; did you mean \"{o}\"?"))
}

/// The option nearest `given` (case aside), if it is within a third of its length in edits
/// (at least two).
fn closest<'a>(given: &str, options: &[&'a str]) -> Option<&'a str> {
    let slips = |o: &str| edit_distance(&given.to_lowercase(), &o.to_lowercase());
    options
        .iter()
        .map(|o| (slips(o), *o))
        .filter(|(d, o)| *d <= 2.max(o.chars().count() / 3))
        .min()
        .map(|(_, o)| o)
}

/// Levenshtein distance between `a` and `b`, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (diagonal + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
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
        let message = short_numbers(&self.message);
        match self.line {
            Some(line) => write!(f, "{}:{}: {message}", self.file.display(), line),
            None => write!(f, "{}: {message}", self.file.display()),
        }
    }
}

/// Digits a number may take in a message before it is written in scientific notation.
const MAX_DIGITS: usize = 24;

/// `message` with every number that Rust's `{}` spelled out in hundreds of digits (`1e300`
/// as a 1 and 300 zeros, `1e-300` as `0.000…1`) written as `1e300`, `1e-300`: a message
/// states the bad value as the user wrote it, on one readable line.
pub fn short_numbers(message: &str) -> std::borrow::Cow<'_, str> {
    let is_num = |c: char| c.is_ascii_digit() || c == '.';
    let long = |token: &str| token.len() > MAX_DIGITS && token.parse::<f64>().is_ok();
    if !message.split(|c| !is_num(c)).any(long) {
        return message.into();
    }
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(start) = rest.find(is_num) {
        out.push_str(&rest[..start]);
        let len = rest[start..]
            .find(|c| !is_num(c))
            .unwrap_or(rest.len() - start);
        let token = &rest[start..start + len];
        match token.parse::<f64>() {
            Ok(x) if long(token) => out.push_str(&format!("{x:e}")),
            _ => out.push_str(token),
        }
        rest = &rest[start + len..];
    }
    out.push_str(rest);
    out.into()
}

impl std::error::Error for ScenarioError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_spelled_out_in_hundreds_of_digits_are_written_short() {
        let huge = format!("x = {}: must be ≤ {}", 1e300, 2.5e-200);
        assert_eq!(short_numbers(&huge), "x = 1e300: must be ≤ 2.5e-200");
        let everyday = "year = 2031 of 2020–2030; 0.0888; id 12345678901234567890";
        assert_eq!(short_numbers(everyday), everyday);
    }

    #[test]
    fn a_close_id_is_suggested_and_a_far_one_lists_the_few_valid() {
        let ids = ["centre", "north", "south"];
        assert_eq!(did_you_mean("centr", ids), "; did you mean \"centre\"?");
        assert_eq!(did_you_mean("Nrth", ids), "; did you mean \"north\"?");
        assert_eq!(did_you_mean("xyz", ids), "; valid: centre, north, south");
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        let many: Vec<String> = (0..20).map(|i| format!("district{i}")).collect();
        assert_eq!(did_you_mean("zzz", many.iter().map(String::as_str)), "");
    }

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
