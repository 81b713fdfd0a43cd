//! What a chart calls a district or a stage: the scenario's own (e.g. Chinese) name with its
//! romanised name, in PNG as much of it as the embedded fonts can draw.

use super::data::{DistrictInfo, Run, StageInfo, ALL};
use super::font::can_draw;
use super::output::Script;

/// How much of a district's name to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    /// Name and romanised name where both can be shown ("中原区 Zhongyuan").
    Full,
    /// One name only, for crowded places such as the map.
    Short,
}

/// The label of district `id` (or the city total) in `script`.
pub(crate) fn district(run: &Run, id: &str, script: Script, form: Form) -> String {
    match run.district(id) {
        _ if id == ALL => "City total".to_string(),
        Some(d) => district_name(d, script, form),
        None => id.to_string(),
    }
}

/// The label of a district the scenario describes: in PNG the fullest of name and romanised
/// name, name alone, romanised name alone, or id that the embedded fonts can draw.
fn district_name(d: &DistrictInfo, script: Script, form: Form) -> String {
    let roman = d
        .name_en
        .as_deref()
        .filter(|en| !en.is_empty() && *en != d.name);
    let full = match roman {
        Some(en) if form == Form::Full => Some(format!("{} {en}", d.name)),
        _ => None,
    };
    let choices = full
        .into_iter()
        .chain([d.name.clone()])
        .chain(roman.map(str::to_string));
    match script {
        Script::Any => choices.into_iter().next().unwrap_or_else(|| d.id.clone()),
        Script::Embedded => choices
            .into_iter()
            .find(|name| can_draw(name))
            .unwrap_or_else(|| d.id.clone()),
    }
}

/// "Scenario “…”, 10,000 Monte Carlo trials; school year 2020 observed, 2021–2035 projected."
pub(crate) fn run_line(run: &Run, script: Script) -> String {
    let info = &run.info;
    let trials = match info.trials {
        Some(n) => format!("{} Monte Carlo trials", thousands(n as f64)),
        None => "Monte Carlo trials".to_string(),
    };
    format!(
        "{}, {trials}; school year {} observed, {}–{} projected.",
        scenario(run, script),
        info.base_year,
        info.base_year + 1,
        info.horizon
    )
}

/// "Scenario “name”", or in PNG, when the font lacks the name's glyphs, the scenario's file name.
fn scenario(run: &Run, script: Script) -> String {
    let scenario = &run.info.scenario;
    let file = scenario
        .file
        .as_deref()
        .map(|f| f.rsplit(['/', '\\']).next().unwrap_or(f));
    match (script, file) {
        (Script::Embedded, _) if can_draw(&scenario.name) => {
            format!("Scenario “{}”", scenario.name)
        }
        (Script::Embedded, Some(file)) if can_draw(file) => format!("Scenario {file}"),
        (Script::Embedded, _) => "Scenario".to_string(),
        (Script::Any, _) => format!("Scenario “{}”", scenario.name),
    }
}

/// A stage with its ages, e.g. "primary (ages 6–11)".
pub(crate) fn stage(s: &StageInfo) -> String {
    match s.ages {
        Some([a0, a1]) => format!("{} (ages {a0}–{a1})", s.id),
        None => s.id.clone(),
    }
}

/// A whole number with thousands separated by commas, e.g. "12,345".
pub(crate) fn thousands(v: f64) -> String {
    let digits = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if v.round() < 0.0 {
        format!("-{out}")
    } else {
        out
    }
}

/// A probability as a whole percentage, e.g. "37%".
pub(crate) fn percent(p: f64) -> String {
    format!("{:.0}%", p * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A district named `name` with an optional romanised name.
    fn district_info(name: &str, name_en: Option<&str>) -> DistrictInfo {
        DistrictInfo {
            id: "zhongyuan".into(),
            name: name.into(),
            name_en: name_en.map(str::to_string),
            map_feature: None,
            map_kind: None,
        }
    }

    #[test]
    fn png_labels_show_chinese_names_and_fall_back_to_drawable_ones() {
        let both = district_info("中原区", Some("Zhongyuan"));
        for script in [Script::Embedded, Script::Any] {
            assert_eq!(district_name(&both, script, Form::Full), "中原区 Zhongyuan");
            assert_eq!(district_name(&both, script, Form::Short), "中原区");
        }
        let unknown = district_info("東京都", Some("Tokyo"));
        assert_eq!(
            district_name(&unknown, Script::Embedded, Form::Full),
            "Tokyo"
        );
        assert_eq!(
            district_name(&unknown, Script::Any, Form::Full),
            "東京都 Tokyo"
        );
        let chinese_only = district_info("東京都", None);
        assert_eq!(
            district_name(&chinese_only, Script::Embedded, Form::Full),
            "zhongyuan"
        );
        let latin = district_info("Zürich-Nord", Some("Zurich North"));
        assert_eq!(
            district_name(&latin, Script::Embedded, Form::Short),
            "Zürich-Nord"
        );
    }

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(999.4), "999");
        assert_eq!(thousands(1234567.0), "1,234,567");
        assert_eq!(thousands(-4500.0), "-4,500");
    }
}
