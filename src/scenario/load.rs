//! Reading a scenario's TOML chain (`extends`) into one raw table, remembering which file and
//! line every key came from so that later errors can point at it.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use toml::de::DeTable;
use toml::Table;

use super::changes::{Change, Located};
use super::error::{line_at, quoted};
use super::raw::ScenarioFile;
use super::ScenarioError;

/// The merged raw scenario and what is needed to locate and fingerprint it.
pub struct LoadedFiles {
    /// The file named on the command line.
    pub root: PathBuf,
    /// The merged raw scenario.
    pub raw: ScenarioFile,
    /// Where each key was set.
    pub origins: Origins,
    /// Running SHA-256 over every file read, in load order.
    pub hasher: Sha256,
    /// The `[[changes]]` of the chain, parents' first, then those given by the caller.
    pub changes: Vec<Located>,
    /// The TOML files of the `extends` chain, parents first.
    pub chain: Vec<PathBuf>,
}

/// Where each dotted key path (`births.rho`) was last set in the `extends` chain.
pub struct Origins {
    root: PathBuf,
    keys: HashMap<String, (PathBuf, usize)>,
    /// Keys set by a `set` change, which a message about them names.
    set_by: HashMap<String, Located>,
}

impl Origins {
    /// An error about `key`, located at the file and line that set it (or its nearest parent);
    /// a key set by a change is blamed on the change.
    ///
    /// A change set its key's whole value after every file was read, so it is blamed even
    /// where a file set a key below it (`births.index.2025`, replaced by a `set` of
    /// `births.index`) or above it (`stages`, when the change made `stages.nursery`).
    pub fn error(&self, key: &str, message: impl Into<String>) -> ScenarioError {
        if let Some(at) = prefixes(key).find_map(|k| self.set_by.get(k)) {
            return at.error(message.into());
        }
        for k in prefixes(key) {
            if let Some((file, line)) = self.keys.get(k) {
                return ScenarioError::at_line(file, *line, message);
            }
            let below = |set: &&String| set.strip_prefix(k).is_some_and(|r| r.starts_with('.'));
            if let Some(set) = self.set_by.keys().filter(below).min() {
                return self.set_by[set].error(message.into());
            }
        }
        ScenarioError::in_file(&self.root, message)
    }
}

/// `key` and each table above it, deepest first: `a.b.c`, `a.b`, `a`.
fn prefixes(key: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(Some(key), |k| k.rfind('.').map(|i| &k[..i]))
}

/// Reads `path` and its `extends` ancestors, merging child over parent, then applies the
/// `set` changes of the chain and of `extra` (changes not in any file, e.g. from `serve`).
pub fn load_files(path: &Path, extra: &[Change]) -> Result<LoadedFiles, ScenarioError> {
    let mut chain = Vec::new();
    let mut hasher = Sha256::new();
    let mut table = load_chain(path, &mut Vec::new(), &mut chain, &mut hasher)?;
    let mut keys = HashMap::new();
    let mut changes = Vec::new();
    for (file, text, list) in &chain {
        record_key_lines(file, text, &mut keys);
        changes.extend(located_changes(file, text, list.clone())?);
    }
    for (i, change) in extra.iter().enumerate() {
        let json = serde_json::to_string(change).expect("a change serializes");
        hasher.update(json.as_bytes());
        changes.push(Located {
            change: change.clone(),
            file: path.to_path_buf(),
            line: None,
            label: format!("change #{}", i + 1),
        });
    }
    super::changes::set_keys(&mut table, &changes)?;
    let set_by = changes
        .iter()
        .filter_map(|at| match &at.change {
            Change::Set { key, .. } => Some((key.clone(), at.clone())),
            _ => None,
        })
        .collect();
    let raw: ScenarioFile = table
        .try_into()
        .map_err(|e: toml::de::Error| ScenarioError::in_file(path, e.message().to_string()))?;
    Ok(LoadedFiles {
        root: path.to_path_buf(),
        raw,
        origins: Origins {
            root: path.to_path_buf(),
            keys,
            set_by,
        },
        hasher,
        changes,
        chain: chain.into_iter().map(|(file, ..)| file).collect(),
    })
}

/// The `[[changes]]` of one file (`list`, taken from its table), checked and located.
fn located_changes(
    file: &Path,
    text: &str,
    list: Vec<toml::Value>,
) -> Result<Vec<Located>, ScenarioError> {
    let lines = change_lines(text);
    list.into_iter()
        .enumerate()
        .map(|(i, value)| {
            let line = lines.get(i).copied();
            let raw = value.try_into().map_err(|e: toml::de::Error| {
                ScenarioError::in_file(file, format!("[[changes]] #{}: {}", i + 1, e.message()))
            })?;
            Located::read(raw, file, line, i + 1)
        })
        .collect()
}

/// The line of each `[[changes]]` entry of `text`, in order.
fn change_lines(text: &str) -> Vec<usize> {
    let Ok(table) = DeTable::parse(text) else {
        return Vec::new();
    };
    let Some(array) = table
        .get_ref()
        .get("changes")
        .and_then(|v| v.get_ref().as_array())
    else {
        return Vec::new();
    };
    array
        .iter()
        .map(|item| line_at(text, item.span().start))
        .collect()
}

/// A file of the `extends` chain: its path, text and `[[changes]]`.
type ChainFile = (PathBuf, String, Vec<toml::Value>);

/// Loads one file and, recursively, its parents. `visiting` holds the files of the chain
/// being followed (to refuse loops); `chain` receives every file read, parents first.
fn load_chain(
    path: &Path,
    visiting: &mut Vec<PathBuf>,
    chain: &mut Vec<ChainFile>,
    hasher: &mut Sha256,
) -> Result<Table, ScenarioError> {
    let text = read_text(path)?;
    check_schema(path, &text)?;
    let mut table: Table =
        toml::from_str(&text).map_err(|e| ScenarioError::in_file(path, e.message().to_string()))?;
    let dir = path.parent().unwrap_or(Path::new(""));
    resolve_data_paths(&mut table, dir);
    let changes = match table.remove("changes") {
        Some(toml::Value::Array(list)) => list,
        _ => Vec::new(),
    };
    visiting.push(canonical(path));
    let mut merged = match take_extends(&mut table) {
        Some(rel) => {
            let child = ScenarioError {
                file: path.to_path_buf(),
                line: key_line(&text, "scenario.extends"),
                message: format!("[scenario] extends = \"{rel}\""),
            };
            if rel.trim().is_empty() {
                return Err(ScenarioError {
                    message: format!(
                        "{}: give the path of the parent scenario's TOML file (relative to \
                         this file), or leave the key out",
                        child.message
                    ),
                    ..child
                });
            }
            load_parent(child, &dir.join(&rel), visiting, chain, hasher)?
        }
        None => Table::new(),
    };
    visiting.pop();
    hasher.update(text.as_bytes());
    hasher.update([0u8]);
    merge_into(&mut merged, table);
    chain.push((path.to_path_buf(), text, changes));
    Ok(merged)
}

/// Loads the parent named by `[scenario] extends`; `child` locates that key, its message
/// quoting it.
fn load_parent(
    child: ScenarioError,
    parent: &Path,
    visiting: &mut Vec<PathBuf>,
    chain: &mut Vec<ChainFile>,
    hasher: &mut Sha256,
) -> Result<Table, ScenarioError> {
    let extends_error = |what: &str| ScenarioError {
        message: format!("{}: {what}", child.message),
        ..child.clone()
    };
    if !parent.is_file() {
        let what = match parent.exists() {
            true => "is not a file: name the parent scenario's TOML file",
            false => "does not exist (the path is relative to this file)",
        };
        return Err(extends_error(&format!("{} {what}", parent.display())));
    }
    if visiting.contains(&canonical(parent)) {
        return Err(extends_error(
            "the extends chain loops back to a file already in it",
        ));
    }
    load_chain(parent, visiting, chain, hasher)
}

/// The line where `key` (a dotted path) is set in `text`, if it parses.
fn key_line(text: &str, key: &str) -> Option<usize> {
    let table = DeTable::parse(text).ok()?;
    let entry = entries(table.get_ref())
        .into_iter()
        .find(|e| e.path == key)?;
    Some(line_at(text, entry.key_span.start))
}

fn canonical(p: &Path) -> PathBuf {
    p.canonicalize().unwrap_or_else(|_| p.to_path_buf())
}

/// Reads a UTF-8 text file, with a clear error for a missing, unreadable or non-UTF-8 file.
pub fn read_text(path: &Path) -> Result<String, ScenarioError> {
    super::encoding::utf8(path, read_bytes(path)?, super::encoding::NOT_UTF8)
}

/// The bytes of `path`, with a clear error for a missing or unreadable file.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, ScenarioError> {
    std::fs::read(path)
        .map_err(|e| ScenarioError::in_file(path, format!("cannot read the file: {e}")))
}

/// Checks one file alone against the schema, so that syntax errors, unknown keys and wrong
/// types are reported at their own file and line, naming the key.
fn check_schema(path: &Path, text: &str) -> Result<(), ScenarioError> {
    let Err(e) = toml::from_str::<ScenarioFile>(text) else {
        return Ok(());
    };
    let raw = e.message().trim_end();
    let Some(span) = e.span() else {
        return Err(ScenarioError::in_file(path, raw));
    };
    let message = match DeTable::parse(text) {
        Ok(table) => schema_message(raw, text, span.clone(), table.get_ref()),
        Err(_) => return Err(syntax_error(path, raw, text, span.start)),
    };
    Err(ScenarioError::at_offset(path, text, span.start, message))
}

/// A TOML syntax error at `offset`, told in a planner's words where the parser's are
/// misleading: an unclosed array is blamed on the line that opened it (the parser stumbles on
/// the next key), and a mistyped number is called that, not told to be quoted.
fn syntax_error(path: &Path, raw: &str, text: &str, offset: usize) -> ScenarioError {
    if let Some(open) = unclosed_bracket(text, offset) {
        let (bracket, close) = match text.as_bytes()[open] {
            b'{' => ('{', '}'),
            _ => ('[', ']'),
        };
        let message = format!(
            "TOML syntax error: this `{bracket}` is never closed: add `{close}` after the last \
             value\n    | {}",
            line_text(text, open)
        );
        return ScenarioError::at_offset(path, text, open, message);
    }
    let line = line_text(text, offset);
    let (key, value) = line.split_once('=').unwrap_or((line, ""));
    let (key, value) = (key.trim(), value.split('#').next().unwrap_or("").trim());
    let about_value = [
        "must be quoted",
        "invalid float",
        "invalid integer",
        "unexpected key",
    ]
    .iter()
    .any(|m| raw.contains(m));
    let mistyped_number = about_value
        && value.starts_with(|c: char| c.is_ascii_digit() || "+-.".contains(c))
        && value.parse::<f64>().is_err();
    let what = if about_value && value.is_empty() && line.contains('=') {
        format!("{key} has no value: write one after `=`")
    } else if mistyped_number {
        format!(
            "{key} = {}: not a number: write digits with an optional decimal point and \
             exponent (2000, 0.05, 1e-3), without units, spaces or thousands separators",
            quoted(value)
        )
    } else {
        raw.to_string()
    };
    let message = format!("TOML syntax error: {what}\n    | {line}");
    ScenarioError::at_offset(path, text, offset, message)
}

/// Where the array or inline table that is still open at `offset` began, if the line of
/// `offset` starts a new key (the parser met the next key before the closing bracket).
fn unclosed_bracket(text: &str, offset: usize) -> Option<usize> {
    let line = line_text(text, offset).trim_start();
    let starts_key = line
        .split_once('=')
        .is_some_and(|(k, _)| !k.trim().is_empty() && !k.contains(['[', '{', '"', ',']));
    if !starts_key {
        return None;
    }
    let mut opened = Vec::new();
    let mut quote = None;
    let mut line_start = true;
    let mut comment = false;
    for (i, c) in text[..offset.min(text.len())].char_indices() {
        match (c, quote) {
            ('\n', _) => {
                comment = false;
                line_start = true;
                continue;
            }
            _ if comment => {}
            (q, Some(open)) if q == open => quote = None,
            (_, Some(_)) => {}
            ('"' | '\'', None) => quote = Some(c),
            ('#', None) => comment = true,
            // A table header, not an array.
            ('[', None) if line_start && opened.is_empty() => comment = true,
            ('[' | '{', None) => opened.push(i),
            (']' | '}', None) => {
                opened.pop();
            }
            _ => {}
        }
        if !c.is_whitespace() {
            line_start = false;
        }
    }
    let line_start = text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    opened.first().copied().filter(|&open| open < line_start)
}

/// A serde message about the value or key at `span`, rewritten to name the key, quote the
/// bad value and say what is valid in a planner's words.
fn schema_message(raw: &str, text: &str, span: Range<usize>, table: &DeTable<'_>) -> String {
    let entries = entries(table);
    let key = entries.iter().find(|e| e.key_span.contains(&span.start));
    if let (Some(key), Some(rest)) = (key, raw.strip_prefix("unknown field ")) {
        let (name, expected) = rest.split_once(", ").unwrap_or((rest, ""));
        return match key.path.rsplit_once('.') {
            Some((table, _)) => format!("unknown key {name} in [{table}]: {expected}"),
            None if key.is_table => format!("unknown table [{}]: {expected}", key.path),
            None => format!("unknown top-level key {name}: {expected}"),
        };
    }
    let holder = entries
        .iter()
        .filter(|e| e.value_span.contains(&span.start))
        .max_by_key(|e| e.path.len());
    let first_line = text
        .get(span.clone())
        .unwrap_or("")
        .lines()
        .next()
        .unwrap_or("");
    let Some(h) = holder else {
        return raw.to_string();
    };
    // A dotted key (`rho.x = 0.7`) makes a table whose span is the key's name: show the line.
    let value = match h.is_table && !first_line.starts_with(['{', '[']) {
        true => format!("a table ({})", quoted(line_text(text, span.start).trim())),
        false => quoted(first_line),
    };
    match raw.split_once(", expected ") {
        Some(_) if value.starts_with("[[") => format!(
            "{value} makes {0} an array of tables, but {0} is one table: write [{0}]",
            h.path
        ),
        Some((found, expected))
            if found.ends_with(" as i128") || found.starts_with("invalid value: integer") =>
        {
            format!(
                "{} = {value}: beyond the whole numbers TOML holds ({} to {}); must be {}",
                h.path,
                i64::MIN,
                i64::MAX,
                super::validate::valid_range(&h.path)
                    .unwrap_or_else(|| plain_type(expected, &h.path).to_string())
            )
        }
        Some((_, expected)) => format!(
            "{} = {value}: must be {}",
            h.path,
            plain_type(expected, &h.path)
        ),
        None if raw.contains("overflowed") => format!(
            "{} = {value}: beyond the largest number a 64-bit float holds (±{:e}); give a finite \
             number{}",
            h.path,
            f64::MAX,
            super::validate::valid_range(&h.path).map_or(String::new(), |r| format!(", {r}"))
        ),
        None => format!("{}: {raw}", h.path),
    }
}

/// A serde message about a value of the wrong type at `key`, in a planner's words.
pub(super) fn plain_message(raw: &str, key: &str) -> String {
    match raw.trim_end().split_once(", expected ") {
        Some((_, expected)) => format!("must be {}", plain_type(expected, key)),
        None => raw.trim_end().to_string(),
    }
}

/// serde's name for the type expected at `key`, in a planner's words.
fn plain_type<'a>(expected: &'a str, key: &str) -> &'a str {
    match expected {
        "f64" => "a number",
        "i64" => "a whole number",
        "a string" => "text in quotes",
        "a sequence" => array_example(key),
        t if t.starts_with("struct ") || t == "a map" => "a table",
        t => t,
    }
}

/// What an array at `key` looks like: an example of the wrong kind of array misleads.
fn array_example(key: &str) -> &'static str {
    let last = key.rsplit('.').next().unwrap_or(key);
    match last {
        "changes" => "an array of tables: write [[changes]] above each change",
        "survival" | "age_profile" | "yield" => {
            "an array of one value per age from 0, e.g. [0.995, 0.9996, …]"
        }
        "ages" => "an array of the first and last age, e.g. [6, 11]",
        "target_stages" => "an array of stage names, e.g. [\"primary\", \"junior\"]",
        _ => "an array in square brackets, e.g. [1, 2]",
    }
}

/// The text of the line holding byte `offset`.
fn line_text(text: &str, offset: usize) -> &str {
    let offset = (0..=offset.min(text.len()))
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    text[start..end].trim_end()
}

/// Makes `[data]` paths relative to the file that declares them.
fn resolve_data_paths(table: &mut Table, dir: &Path) {
    if let Some(toml::Value::Table(data)) = table.get_mut("data") {
        for (_, value) in data.iter_mut() {
            // An empty path stays empty so that validation says so (joined, it names a folder).
            match value {
                toml::Value::String(s) if !s.is_empty() => {
                    *s = dir.join(s.as_str()).to_string_lossy().into_owned();
                }
                _ => {}
            }
        }
    }
}

/// Removes and returns `[scenario] extends`, which belongs to one file and is not inherited.
fn take_extends(table: &mut Table) -> Option<String> {
    match table.get_mut("scenario") {
        Some(toml::Value::Table(s)) => match s.remove("extends") {
            Some(toml::Value::String(p)) => Some(p),
            _ => None,
        },
        _ => None,
    }
}

/// Deep merge: tables merge key by key, any other value replaces.
fn merge_into(base: &mut Table, child: Table) {
    for (key, value) in child {
        match (base.get_mut(&key), value) {
            // A distribution (DESIGN §2.6) replaces whatever was there, as a number would.
            (Some(toml::Value::Table(b)), toml::Value::Table(c))
                if !b.contains_key("dist") && !c.contains_key("dist") =>
            {
                merge_into(b, c)
            }
            (_, v) => {
                base.insert(key, v);
            }
        }
    }
}

/// Records the line of every key of `text`, overriding what earlier files set.
fn record_key_lines(file: &Path, text: &str, keys: &mut HashMap<String, (PathBuf, usize)>) {
    let Ok(table) = DeTable::parse(text) else {
        return;
    };
    for e in entries(table.get_ref()) {
        let line = line_at(text, e.key_span.start);
        keys.insert(e.path, (file.to_path_buf(), line));
    }
}

/// One key of a TOML file: its dotted path and where its name and value are.
struct Entry {
    path: String,
    key_span: Range<usize>,
    value_span: Range<usize>,
    is_table: bool,
}

/// Every key of `table`, tables before their contents.
fn entries(table: &DeTable<'_>) -> Vec<Entry> {
    let mut out = Vec::new();
    walk("", table, &mut out);
    out
}

fn walk(prefix: &str, table: &DeTable<'_>, out: &mut Vec<Entry>) {
    for (key, value) in table.iter() {
        let path = if prefix.is_empty() {
            key.get_ref().to_string()
        } else {
            format!("{prefix}.{}", key.get_ref())
        };
        out.push(Entry {
            path: path.clone(),
            key_span: key.span(),
            value_span: value.span(),
            is_table: value.get_ref().is_table(),
        });
        if let Some(inner) = value.get_ref().as_table() {
            walk(&path, inner, out);
        }
        // The tables of an array of tables (`[[changes]]`), so their keys are named too.
        for item in value
            .get_ref()
            .as_array()
            .into_iter()
            .flat_map(|a| a.iter())
        {
            if let Some(inner) = item.get_ref().as_table() {
                walk(&path, inner, out);
            }
        }
    }
}
