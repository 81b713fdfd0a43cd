//! What a planner calls each uncertain input and city shock series (`[labels]`): a Chinese and an
//! English name for the tornado and wherever a driver is shown, instead of a key path such as
//! `private_share.kindergarten.2025`. Every driver has a default built from what it sets; a
//! scenario may override it for a draw label (`"trend"`), a shock (`"shock:delay-common"`), an
//! input's key path or any key-path prefix of one (`"private_share.kindergarten"`):
//!
//! ```toml
//! [labels]
//! "private_share.kindergarten" = { zh = "民办幼儿园在园占比", en = "Private kindergarten share" }
//! ```

use std::collections::BTreeMap;

use super::raw::LabelRaw;
use super::uncertain::{PathId, Target, Uncertain, SHOCK_PREFIX};
use super::validate::Validator;
use super::{Scenario, ScenarioError};

/// The city shock series a driver may name, with their default names.
const SHOCKS: [(&str, &str, &str); 3] = [
    ("births-city", "全市出生波动", "City-wide births shock"),
    (
        "migration-city",
        "全市迁移波动",
        "City-wide migration shock",
    ),
    (
        "delay-common",
        "项目共同延期",
        "Delay common to all projects",
    ),
];

/// A name in Chinese and in English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    /// The Chinese name.
    pub zh: String,
    /// The English name.
    pub en: String,
}

/// The scenario's `[labels]`: overridden names by key, each key checked to name a driver.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Labels(BTreeMap<String, Name>);

impl Validator<'_> {
    /// Checks `[labels]` against the scenario's uncertain inputs: every key names a draw label,
    /// a shock series, or an input's key path or a prefix of one; names are not blank.
    pub(super) fn labels(
        &self,
        raw: Option<BTreeMap<String, LabelRaw>>,
        inputs: &[Uncertain],
    ) -> Result<Labels, ScenarioError> {
        let mut out = BTreeMap::new();
        for (key, label) in raw.unwrap_or_default() {
            let at = format!("labels.{key}");
            if !names_a_driver(&key, inputs) {
                return Err(self.err(&at, unknown_key(&key, inputs)));
            }
            let name = |text: Option<String>, which: &str| match text {
                Some(t) if t.trim().is_empty() => Err(self.err(
                    &at,
                    format!("[labels] \"{key}\": {which} is blank; give a name or leave it out"),
                )),
                other => Ok(other),
            };
            let (zh, en) = (name(label.zh, "zh")?, name(label.en, "en")?);
            if zh.is_none() && en.is_none() {
                return Err(self.err(
                    &at,
                    format!("[labels] \"{key}\": give zh = \"…\", en = \"…\" or both"),
                ));
            }
            let fallback = default_name(&key, inputs);
            out.insert(
                key,
                Name {
                    zh: zh.unwrap_or(fallback.zh),
                    en: en.unwrap_or(fallback.en),
                },
            );
        }
        Ok(Labels(out))
    }
}

/// Whether `key` is a draw label, a shock series or a key-path prefix of an input.
fn names_a_driver(key: &str, inputs: &[Uncertain]) -> bool {
    let shock = key
        .strip_prefix(SHOCK_PREFIX)
        .is_some_and(|s| SHOCKS.iter().any(|(id, ..)| *id == s));
    shock
        || inputs
            .iter()
            .any(|i| i.label == key || is_prefix(key, &i.key))
}

/// Whether `pattern` is `key` or a prefix of it ending at a `.`.
fn is_prefix(pattern: &str, key: &str) -> bool {
    key.strip_prefix(pattern)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
}

/// The error for a `[labels]` key that names no driver, with what would be valid.
fn unknown_key(key: &str, inputs: &[Uncertain]) -> String {
    let mut valid: Vec<String> = Vec::new();
    for input in inputs {
        for k in [&input.label, &input.key] {
            if !valid.contains(k) {
                valid.push(k.clone());
            }
        }
    }
    valid.extend(SHOCKS.iter().map(|(id, ..)| format!("{SHOCK_PREFIX}{id}")));
    format!(
        "[labels] \"{key}\": names no uncertain input or shock series of this scenario; valid keys: {} (or a key-path prefix such as \"private_share.primary\")",
        valid.join(", ")
    )
}

impl Labels {
    /// The override for driver `driver` whose inputs are `inputs`: its own key first, then the
    /// longest key-path prefix of its first input.
    fn find(&self, driver: &str, inputs: &[&Uncertain]) -> Option<&Name> {
        if let Some(name) = self.0.get(driver) {
            return Some(name);
        }
        let key = &inputs.first()?.key;
        self.0
            .iter()
            .filter(|(pattern, _)| is_prefix(pattern, key))
            .max_by_key(|(pattern, _)| pattern.len())
            .map(|(_, name)| name)
    }
}

impl Scenario {
    /// The name of driver `driver` (a draw label or `shock:<series>`): the scenario's
    /// `[labels]`, else a default from what the driver sets.
    pub fn driver_name(&self, driver: &str) -> Name {
        let inputs: Vec<&Uncertain> = self.inputs.iter().filter(|i| i.label == driver).collect();
        match self.labels.find(driver, &inputs) {
            Some(name) => name.clone(),
            None => default_name(driver, &self.inputs),
        }
    }
}

/// The default name of a driver, or of a `[labels]` key: a shock series by its name, else from
/// the inputs it covers (what they set, the stages and the years).
fn default_name(driver: &str, inputs: &[Uncertain]) -> Name {
    if let Some((_, zh, en)) = driver
        .strip_prefix(SHOCK_PREFIX)
        .and_then(|s| SHOCKS.iter().find(|(id, ..)| *id == s))
    {
        return Name {
            zh: zh.to_string(),
            en: en.to_string(),
        };
    }
    if let Some(name) = driver
        .strip_prefix(SHOCK_PREFIX)
        .and_then(|s| s.strip_prefix("drift-"))
        .and_then(drift_name)
    {
        return name;
    }
    let covered: Vec<&Uncertain> = inputs
        .iter()
        .filter(|i| i.label == driver || is_prefix(driver, &i.key))
        .collect();
    let Some(first) = covered.first() else {
        return Name {
            zh: driver.to_string(),
            en: driver.to_string(),
        };
    };
    let (zh, en) = what(&first.target);
    let stages: Vec<&str> = unique(covered.iter().filter_map(|i| stage_of(&i.target)));
    let years: Vec<i32> = unique(covered.iter().filter_map(|i| year_of(&i.target)));
    let mut name = Name {
        zh: zh.to_string(),
        en: en.to_string(),
    };
    if !stages.is_empty() {
        let zh: Vec<&str> = stages.iter().map(|s| stage_zh(s)).collect();
        name.zh = format!("{}{}", zh.join("、"), name.zh);
        name.en = format!("{}, {}", name.en, stages.join(", "));
    }
    let span = match (years.iter().min(), years.iter().max()) {
        (Some(a), Some(b)) if a == b => Some(a.to_string()),
        (Some(a), Some(b)) => Some(format!("{a}–{b}")),
        _ => None,
    };
    if let Some(span) = span {
        name.zh = format!("{}（{span}年）", name.zh);
        name.en = format!("{}, {span}", name.en);
    }
    name
}

/// The default name of `[drift]` series `key` (`enrolment.<stage>`, `private_share.<stage>`,
/// `trend`).
fn drift_name(key: &str) -> Option<Name> {
    let (zh, en, stage) = match key.split_once('.') {
        Some(("enrolment", stage)) => ("入学率漂移", "Enrolment rate drift", Some(stage)),
        Some(("private_share", stage)) => ("民办学校占比漂移", "Private share drift", Some(stage)),
        None if key == "trend" => ("流动人口趋势漂移", "Migration trend drift", None),
        _ => return None,
    };
    Some(match stage {
        Some(stage) => Name {
            zh: format!("{}{zh}", stage_zh(stage)),
            en: format!("{en}, {stage}"),
        },
        None => Name {
            zh: zh.to_string(),
            en: en.to_string(),
        },
    })
}

/// The distinct items of `items`, in order of first appearance.
fn unique<T: PartialEq>(items: impl Iterator<Item = T>) -> Vec<T> {
    let mut out = Vec::new();
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

/// What an input sets, in Chinese and English.
fn what(target: &Target) -> (&'static str, &'static str) {
    match target {
        Target::Path(PathId::BirthsIndex, _) => ("出生人数指数", "Births index"),
        Target::Path(PathId::Trend, _) => ("流动人口趋势", "Migration trend"),
        Target::Path(PathId::Enrolment(_), _) => ("入学率", "Enrolment rate"),
        Target::Path(PathId::PrivateShare(_), _) => ("民办学校占比", "Private school share"),
        Target::MigrantStay => ("随迁子女留居比例", "Share of migrant children who stay"),
        Target::InflowScale => ("迁入规模系数", "Inflow scale"),
        Target::RateScale => ("迁移率系数", "Migration rate scale"),
        Target::HousingYield(_) => ("新建住宅每户带来的儿童数", "Children per new dwelling"),
        Target::HousingType(_) => ("住宅类型系数", "Housing type multiplier"),
    }
}

/// The stage an input's path belongs to, if any.
fn stage_of(target: &Target) -> Option<&str> {
    match target {
        Target::Path(PathId::Enrolment(s) | PathId::PrivateShare(s), _) => Some(s),
        _ => None,
    }
}

/// The year of an input's knot, if it is a knot of a path by year.
fn year_of(target: &Target) -> Option<i32> {
    match target {
        Target::Path(_, y) if y.0 != 0 => Some(y.0),
        _ => None,
    }
}

/// The Chinese name of a stage with a well-known id, else the id.
pub fn stage_zh(id: &str) -> &str {
    match id {
        "kindergarten" => "幼儿园",
        "primary" => "小学",
        "junior" => "初中",
        "senior" => "高中",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Dist, Year};

    fn input(key: &str, label: &str, target: Target) -> Uncertain {
        Uncertain {
            key: key.into(),
            label: label.into(),
            dist: Dist::Uniform {
                low: 0.1,
                high: 0.2,
            },
            target,
        }
    }

    fn inputs() -> Vec<Uncertain> {
        let share = |st: &str, y| Target::Path(PathId::PrivateShare(st.into()), Year(y));
        vec![
            input(
                "private_share.kindergarten.2025",
                "private_share.kindergarten.2025",
                share("kindergarten", 2025),
            ),
            input(
                "private_share.primary.2020",
                "compulsory",
                share("primary", 2020),
            ),
            input(
                "private_share.junior.2020",
                "compulsory",
                share("junior", 2020),
            ),
            input(
                "migration.trend.2023",
                "trend",
                Target::Path(PathId::Trend, Year(2023)),
            ),
            input(
                "migration.trend.2030",
                "trend",
                Target::Path(PathId::Trend, Year(2030)),
            ),
            input(
                "migration.migrant_stay",
                "migration.migrant_stay",
                Target::MigrantStay,
            ),
        ]
    }

    #[test]
    fn defaults_name_what_the_input_sets_its_stages_and_years() {
        let all = inputs();
        let name = |d: &str| default_name(d, &all);
        assert_eq!(
            name("private_share.kindergarten.2025"),
            Name {
                zh: "幼儿园民办学校占比（2025年）".into(),
                en: "Private school share, kindergarten, 2025".into()
            }
        );
        assert_eq!(
            name("compulsory").en,
            "Private school share, primary, junior, 2020"
        );
        assert_eq!(name("trend").zh, "流动人口趋势（2023–2030年）");
        assert_eq!(
            name("migration.migrant_stay").en,
            "Share of migrant children who stay"
        );
        assert_eq!(name("shock:delay-common").zh, "项目共同延期");
        assert_eq!(name("shock:drift-enrolment.primary").zh, "小学入学率漂移");
        assert_eq!(name("shock:drift-trend").en, "Migration trend drift");
    }

    #[test]
    fn keys_must_name_a_label_a_shock_or_a_key_path_prefix() {
        let all = inputs();
        for good in [
            "trend",
            "shock:births-city",
            "private_share.kindergarten",
            "private_share",
            "migration.trend.2023",
        ] {
            assert!(names_a_driver(good, &all), "{good}");
        }
        for bad in [
            "tren",
            "private_share.kinder",
            "shock:births",
            "births.index",
        ] {
            assert!(!names_a_driver(bad, &all), "{bad}");
        }
        let message = unknown_key("tren", &all);
        assert!(
            message.contains("\"tren\"") && message.contains("trend"),
            "{message}"
        );
    }

    #[test]
    fn an_override_by_label_beats_the_longest_matching_prefix() {
        let all = inputs();
        let name = |zh: &str| Name {
            zh: zh.into(),
            en: zh.into(),
        };
        let labels = Labels(BTreeMap::from([
            ("private_share".to_string(), name("A")),
            ("private_share.kindergarten".to_string(), name("B")),
            ("compulsory".to_string(), name("C")),
        ]));
        let of = |d: &str| {
            let covered: Vec<&Uncertain> = all.iter().filter(|i| i.label == d).collect();
            labels.find(d, &covered).map(|n| n.zh.clone())
        };
        assert_eq!(of("private_share.kindergarten.2025").as_deref(), Some("B"));
        assert_eq!(of("compulsory").as_deref(), Some("C"));
        assert_eq!(of("trend"), None);
    }
}
