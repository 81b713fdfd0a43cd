//! What a chart calls a district or a stage: the scenario's own (e.g. Chinese) name with its
//! romanised name in SVG and HTML, and in PNG only names the embedded font can draw.

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

/// The label of a district the scenario describes.
fn district_name(d: &DistrictInfo, script: Script, form: Form) -> String {
    let roman = d
        .name_en
        .as_deref()
        .filter(|en| !en.is_empty() && *en != d.name);
    match (script, roman) {
        (Script::Any, Some(en)) if form == Form::Full => format!("{} {en}", d.name),
        (Script::Any, _) => d.name.clone(),
        (Script::Embedded, _) if can_draw(&d.name) => d.name.clone(),
        (Script::Embedded, Some(en)) if can_draw(en) => en.to_string(),
        (Script::Embedded, _) => d.id.clone(),
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
    fn png_labels_fall_back_to_drawable_names_svg_shows_both() {
        let both = district_info("中原区", Some("Zhongyuan"));
        assert_eq!(
            district_name(&both, Script::Embedded, Form::Full),
            "Zhongyuan"
        );
        assert_eq!(
            district_name(&both, Script::Any, Form::Full),
            "中原区 Zhongyuan"
        );
        assert_eq!(district_name(&both, Script::Any, Form::Short), "中原区");
        let chinese_only = district_info("中原区", None);
        assert_eq!(
            district_name(&chinese_only, Script::Embedded, Form::Full),
            "zhongyuan"
        );
        let latin = district_info("Zürich-Nord", Some("Zurich North"));
        assert_eq!(
            district_name(&latin, Script::Embedded, Form::Full),
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
