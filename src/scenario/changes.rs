//! `[[changes]]` (DESIGN §4): what-if edits of an inherited scenario — drop, delay, resize or
//! add a project, or set one key — applied in order after the `extends` chain. The same
//! [`Change`] is what `seatsim serve` reads from JSON (DESIGN §10), so a what-if from the page
//! and one saved as a file mean exactly the same thing.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::error::did_you_mean;
use super::table::Fields;
use super::{DelayProfile, Scenario, ScenarioError, Year};

/// One what-if edit.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(try_from = "ChangeRaw", into = "ChangeRaw")]
pub enum Change {
    /// The project no longer happens.
    Drop(String),
    /// The project is planned `years` later (earlier if negative); its delay risk still applies.
    Delay {
        /// The project.
        id: String,
        /// Years added to its planned year.
        years: i64,
    },
    /// The project has `classes` classes.
    Resize {
        /// The project.
        id: String,
        /// Its new number of classes.
        classes: i64,
    },
    /// A project added to the pipeline, given as a row of `projects.csv`.
    Add(Box<ProjectRow>),
    /// A scenario key (dotted path, e.g. `births.sigma_city`) set to `value`.
    Set {
        /// The key path.
        key: String,
        /// Its value, as TOML would hold it.
        value: toml::Value,
    },
}

/// A change's keys as written in a `[[changes]]` table or a JSON object; exactly one of `drop`,
/// `delay`, `resize`, `add`, `set` names the kind.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeRaw {
    #[serde(skip_serializing_if = "Option::is_none")]
    drop: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    delay: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    years: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resize: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    classes: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    add: Option<ProjectRow>,
    #[serde(skip_serializing_if = "Option::is_none")]
    set: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<toml::Value>,
}

impl ChangeRaw {
    /// The change's first key and value, as a message names it: `delay = "p9"`.
    fn summary(&self) -> String {
        let named = [
            ("drop", &self.drop),
            ("delay", &self.delay),
            ("resize", &self.resize),
            ("set", &self.set),
        ];
        match named.iter().find_map(|(k, v)| v.as_ref().map(|v| (k, v))) {
            Some((k, v)) => format!("{k} = \"{}\"", super::quoted(v)),
            None => match &self.add {
                Some(row) => format!("add = \"{}\"", super::quoted(row.raw("id"))),
                None => "empty".into(),
            },
        }
    }
}

/// The keys of the change kinds, for messages.
const KINDS: &str = "drop, delay (with years), resize (with classes), add or set (with value)";

impl TryFrom<ChangeRaw> for Change {
    type Error = String;

    fn try_from(raw: ChangeRaw) -> Result<Self, String> {
        let ChangeRaw {
            drop,
            delay,
            years,
            resize,
            classes,
            add,
            set,
            value,
        } = raw;
        let kinds = [drop.is_some(), delay.is_some(), resize.is_some()]
            .into_iter()
            .chain([add.is_some(), set.is_some()])
            .filter(|&k| k)
            .count();
        if kinds != 1 {
            return Err(format!("a change needs exactly one of {KINDS}"));
        }
        let stray = |key: &str, allowed: bool, present: bool| match present && !allowed {
            true => Err(format!("`{key}` does not belong to this kind of change")),
            false => Ok(()),
        };
        stray("years", delay.is_some(), years.is_some())?;
        stray("classes", resize.is_some(), classes.is_some())?;
        stray("value", set.is_some(), value.is_some())?;
        let needs = |key: &str, example: &str| format!("missing `{key}`: e.g. {example}");
        Ok(match (drop, delay, resize, add, set) {
            (Some(id), ..) => Change::Drop(id),
            (_, Some(id), ..) => Change::Delay {
                years: years.ok_or_else(|| needs("years", "years = 1"))?,
                id,
            },
            (_, _, Some(id), ..) => Change::Resize {
                classes: classes.ok_or_else(|| needs("classes", "classes = 24"))?,
                id,
            },
            (_, _, _, Some(row), _) => Change::Add(Box::new(row)),
            (.., Some(key)) => Change::Set {
                value: value.ok_or_else(|| needs("value", "value = 0.08"))?,
                key,
            },
            _ => unreachable!("exactly one kind is present"),
        })
    }
}

impl From<Change> for ChangeRaw {
    fn from(c: Change) -> Self {
        match c {
            Change::Drop(id) => ChangeRaw {
                drop: Some(id),
                ..Default::default()
            },
            Change::Delay { id, years } => ChangeRaw {
                delay: Some(id),
                years: Some(years),
                ..Default::default()
            },
            Change::Resize { id, classes } => ChangeRaw {
                resize: Some(id),
                classes: Some(classes),
                ..Default::default()
            },
            Change::Add(row) => ChangeRaw {
                add: Some(*row),
                ..Default::default()
            },
            Change::Set { key, value } => ChangeRaw {
                set: Some(key),
                value: Some(value),
                ..Default::default()
            },
        }
    }
}

/// A project as a `projects.csv` row: its columns, each written as text or a number.
#[derive(Debug, Default, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectRow {
    id: Option<Cell>,
    name: Option<Cell>,
    district: Option<Cell>,
    stage: Option<Cell>,
    kind: Option<Cell>,
    classes: Option<Cell>,
    planned_year: Option<Cell>,
    status: Option<Cell>,
    on_time: Option<Cell>,
    one_year: Option<Cell>,
    two_years: Option<Cell>,
    never: Option<Cell>,
}

impl ProjectRow {
    /// The text of `column`, as a CSV cell would hold it (empty when absent).
    fn raw(&self, column: &str) -> &str {
        let cell = match column {
            "id" => &self.id,
            "name" => &self.name,
            "district" => &self.district,
            "stage" => &self.stage,
            "kind" => &self.kind,
            "classes" => &self.classes,
            "planned_year" => &self.planned_year,
            "status" => &self.status,
            "on_time" => &self.on_time,
            "one_year" => &self.one_year,
            "two_years" => &self.two_years,
            "never" => &self.never,
            _ => &None,
        };
        cell.as_ref().map_or("", |c| c.0.as_str())
    }
}

/// One field of a project row: text, or a number kept as the text that reads back as it.
#[derive(Debug, Default, Clone, PartialEq)]
struct Cell(String);

impl Serialize for Cell {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.parse::<i64>() {
            Ok(n) => s.serialize_i64(n),
            Err(_) => s.serialize_str(&self.0),
        }
    }
}

impl<'de> Deserialize<'de> for Cell {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct CellVisitor;
        impl Visitor<'_> for CellVisitor {
            type Value = Cell;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("text in quotes or a number")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Cell, E> {
                Ok(Cell(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Cell, E> {
                Ok(Cell(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Cell, E> {
                Ok(Cell(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Cell, E> {
                Ok(Cell(v.to_string()))
            }
        }
        d.deserialize_any(CellVisitor)
    }
}

/// A change and where it was written, for messages that name it.
#[derive(Debug, Clone)]
pub struct Located {
    /// The change.
    pub change: Change,
    /// The file that holds it (the scenario, for a change sent by `serve`).
    pub file: PathBuf,
    /// Its line, when it is in a file.
    pub line: Option<usize>,
    /// How a message names it: `[[changes]] #3`.
    pub label: String,
}

impl Located {
    /// `raw`, the `number`th `[[changes]]` of `file` at `line`, checked into a change.
    pub fn read(
        raw: ChangeRaw,
        file: &Path,
        line: Option<usize>,
        number: usize,
    ) -> Result<Self, ScenarioError> {
        let label = format!("[[changes]] #{number}");
        let summary = raw.summary();
        let change = Change::try_from(raw).map_err(|e| ScenarioError {
            file: file.to_path_buf(),
            line,
            message: format!("{label} ({summary}): {e}"),
        })?;
        Ok(Self {
            change,
            file: file.to_path_buf(),
            line,
            label,
        })
    }

    /// An error about this change.
    pub fn error(&self, message: impl fmt::Display) -> ScenarioError {
        let summary = ChangeRaw::from(self.change.clone()).summary();
        ScenarioError {
            file: self.file.clone(),
            line: self.line,
            message: format!("{} ({summary}): {message}", self.label),
        }
    }
}

/// A project row of an `add` change, whose errors name the change.
struct AddedRow<'a> {
    row: &'a ProjectRow,
    at: &'a Located,
}

impl Fields for AddedRow<'_> {
    fn error(&self, message: impl Into<String>) -> ScenarioError {
        self.at.error(message.into())
    }

    fn raw(&self, column: &str) -> &str {
        self.row.raw(column)
    }
}

/// Applies the pipeline changes of `changes` to `s`, in order (`set` changes were applied to
/// the keys before validation). `default` is the delay profile of an added project without
/// its own.
pub fn apply(
    s: &mut Scenario,
    changes: &[Located],
    default: DelayProfile,
) -> Result<(), ScenarioError> {
    for (k, at) in changes.iter().enumerate() {
        let position = |s: &Scenario, id: &str| position(s, id, at, &changes[..k]);
        match &at.change {
            Change::Drop(id) => {
                let i = position(s, id)?;
                s.projects.remove(i);
            }
            Change::Delay { id, years } => {
                let i = position(s, id)?;
                let (first, last) = super::validate::project_years(s);
                let year = i64::from(s.projects[i].planned_year.0).saturating_add(*years);
                if !(first..=last).contains(&year) {
                    return Err(at.error(format!(
                        "years = {years} moves it from {} to {year}: a project must be planned \
                         from {first} (after the base year) to {last}",
                        s.projects[i].planned_year
                    )));
                }
                s.projects[i].planned_year = Year(year as i32);
            }
            Change::Resize { id, classes } => {
                let i = position(s, id)?;
                let max = super::validate::MAX_PROJECT_CLASSES;
                if !(1..=max).contains(classes) {
                    return Err(at.error(format!(
                        "classes = {classes}: must be a whole number from 1 to {max} (drop the \
                         project to remove it)"
                    )));
                }
                s.projects[i].classes = *classes as u32;
            }
            Change::Add(row) => {
                let fields = AddedRow { row, at };
                let project = super::validate::project(s, &fields, default)?;
                if s.projects.iter().any(|p| p.id == project.id) {
                    return Err(at.error(format!(
                        "id = {}: the pipeline already has a project with this id",
                        project.id
                    )));
                }
                s.projects.push(project);
            }
            Change::Set { .. } => continue,
        }
        super::validate::check_pipeline(s).map_err(|m| at.error(m))?;
    }
    Ok(())
}

/// The position of project `id` in the pipeline, or an error naming the change (and the
/// `earlier` change that dropped it, if one did).
fn position(
    s: &Scenario,
    id: &str,
    at: &Located,
    earlier: &[Located],
) -> Result<usize, ScenarioError> {
    s.projects.iter().position(|p| p.id == id).ok_or_else(|| {
        let dropped = earlier
            .iter()
            .rev()
            .find(|c| matches!(&c.change, Change::Drop(d) if d == id));
        let hint = match dropped {
            Some(c) if c.file != at.file => {
                format!(": {} of {} dropped it", c.label, c.file.display())
            }
            Some(c) => format!(": {} dropped it", c.label),
            None => did_you_mean(id, s.projects.iter().map(|p| p.id.as_str())),
        };
        at.error(format!(
            "no project \"{}\" in the pipeline{hint}",
            super::quoted(id)
        ))
    })
}

/// Sets the keys of the `set` changes in `table` (the merged scenario), after checking each
/// alone against the schema; returns the key paths set, for locating later errors.
pub fn set_keys(table: &mut toml::Table, changes: &[Located]) -> Result<(), ScenarioError> {
    for at in changes {
        let Change::Set { key, value } = &at.change else {
            continue;
        };
        let parts: Vec<&str> = key.split('.').collect();
        if parts.iter().any(|p| p.is_empty()) || matches!(parts[0], "data" | "changes") {
            return Err(at.error(format!(
                "set = \"{}\": give the dotted path of a key outside [data], e.g. \
                 \"births.sigma_city\"",
                super::quoted(key)
            )));
        }
        // The chain is followed before any change is applied: setting it would do nothing.
        if key == "scenario.extends" {
            return Err(at.error(
                "set = \"scenario.extends\": the extends chain is read before the changes; \
                 write extends in [scenario]",
            ));
        }
        let mut alone = toml::Table::new();
        insert(&mut alone, &parts, value.clone());
        if let Err(e) = alone.try_into::<super::raw::ScenarioFile>() {
            let message = e.message().trim_end();
            return Err(at.error(match message.starts_with("unknown field") {
                true => format!("not a scenario key: {message}"),
                false => format!(
                    "value = {value}: {}",
                    super::load::plain_message(message, key)
                ),
            }));
        }
        insert(table, &parts, value.clone());
    }
    Ok(())
}

/// Puts `value` at the key path `parts` of `table`, creating tables on the way (a value in the
/// way — a plain number where the path goes deeper — is replaced by a table).
fn insert(table: &mut toml::Table, parts: &[&str], value: toml::Value) {
    let (last, path) = parts.split_last().expect("a key path has a part");
    let mut t = table;
    for part in path {
        let entry = t
            .entry(part.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        if !entry.is_table() {
            *entry = toml::Value::Table(toml::Table::new());
        }
        t = entry.as_table_mut().expect("made a table above");
    }
    t.insert(last.to_string(), value);
}

impl Scenario {
    /// A note naming the projects planned after the horizon (accepted: a pipeline file may
    /// hold the whole programme; they never open within the run), if there are any.
    pub fn after_horizon_note(&self) -> Option<String> {
        let late: Vec<String> = self
            .projects
            .iter()
            .filter(|p| p.planned_year > self.horizon)
            .map(|p| format!("{} ({})", p.id, p.planned_year))
            .collect();
        (!late.is_empty()).then(|| {
            format!(
                "note: {} project(s) planned after the horizon {} never open within the run: {}",
                late.len(),
                self.horizon,
                late.join(", ")
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from_json(json: &str) -> Result<Vec<Change>, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn the_json_of_serve_reads_as_the_toml_of_a_file() {
        let json = r#"[{"drop": "p3"}, {"delay": "p4", "years": 1}, {"resize": "p1", "classes": 24},
            {"add": {"id": "x1", "name": "新建小学", "district": "a", "stage": "primary",
                     "kind": "new", "classes": 24, "planned_year": 2024}},
            {"set": "births.sigma_city", "value": 0.08}]"#;
        let toml = r#"
            [[changes]]
            drop = "p3"
            [[changes]]
            delay = "p4"
            years = 1
            [[changes]]
            resize = "p1"
            classes = 24
            [[changes]]
            add = { id = "x1", name = "新建小学", district = "a", stage = "primary", kind = "new", classes = 24, planned_year = 2024 }
            [[changes]]
            set = "births.sigma_city"
            value = 0.08
        "#;
        #[derive(Deserialize)]
        struct File {
            changes: Vec<Change>,
        }
        let from_toml = toml::from_str::<File>(toml).unwrap().changes;
        let changes = from_json(json).unwrap();
        assert_eq!(changes, from_toml);
        assert_eq!(
            changes[1],
            Change::Delay {
                id: "p4".into(),
                years: 1
            }
        );
        let Change::Add(row) = &changes[3] else {
            panic!("{:?}", changes[3]);
        };
        assert_eq!((row.raw("classes"), row.raw("name")), ("24", "新建小学"));
        // Written back, each reads as itself: what a saved what-if relies on.
        let again = serde_json::to_string(&changes).unwrap();
        assert_eq!(from_json(&again).unwrap(), changes);
        assert!(
            again.starts_with(r#"[{"drop":"p3"},{"delay":"p4","years":1}"#),
            "{again}"
        );
    }

    #[test]
    fn a_change_of_no_kind_two_kinds_or_a_stray_key_is_refused_in_words() {
        let e = from_json(r#"[{"years": 1}]"#).unwrap_err();
        assert!(e.contains("exactly one of drop, delay"), "{e}");
        let e = from_json(r#"[{"drop": "a", "delay": "b", "years": 1}]"#).unwrap_err();
        assert!(e.contains("exactly one of"), "{e}");
        let e = from_json(r#"[{"drop": "a", "years": 1}]"#).unwrap_err();
        assert!(e.contains("`years` does not belong"), "{e}");
        let e = from_json(r#"[{"delay": "a"}]"#).unwrap_err();
        assert!(e.contains("missing `years`"), "{e}");
        let e = from_json(r#"[{"dorp": "a"}]"#).unwrap_err();
        assert!(e.contains("unknown field `dorp`"), "{e}");
        let e = from_json(r#"[{"add": {"id": "x", "colour": "red"}}]"#).unwrap_err();
        assert!(e.contains("unknown field `colour`"), "{e}");
    }

    #[test]
    fn set_puts_a_key_at_its_path_and_checks_its_type() {
        let at = |change| Located {
            change,
            file: PathBuf::from("s.toml"),
            line: Some(9),
            label: "[[changes]] #1".into(),
        };
        let mut table: toml::Table = toml::from_str("[births]\nrho = 0.5\n").unwrap();
        let set = |key: &str, value: toml::Value| {
            at(Change::Set {
                key: key.into(),
                value,
            })
        };
        set_keys(&mut table, &[set("births.sigma_city", 0.08.into())]).unwrap();
        assert_eq!(table["births"]["sigma_city"].as_float(), Some(0.08));
        assert_eq!(table["births"]["rho"].as_float(), Some(0.5));
        let e = set_keys(&mut table, &[set("births.rho", "high".into())]).unwrap_err();
        assert_eq!(e.line, Some(9));
        assert!(
            e.message.starts_with(
                "[[changes]] #1 (set = \"births.rho\"): value = \"high\": must be a number"
            ),
            "{e}"
        );
        let e = set_keys(&mut table, &[set("births.rh", 0.1.into())]).unwrap_err();
        assert!(e.message.contains("unknown field `rh`"), "{e}");
        let e = set_keys(&mut table, &[set("data.districts", "x.csv".into())]).unwrap_err();
        assert!(e.message.contains("outside [data]"), "{e}");
    }
}
