//! What a chart calls a district or a stage: the scenario's own (e.g. Chinese) name with its
//! romanised name, as much of it as the embedded fonts can draw (the PNG is drawn with them).

use super::data::{DistrictInfo, Run, StageInfo, ALL};
use super::font::can_draw;

/// How much of a district's name to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    /// Name and romanised name where both can be shown ("中原区 Zhongyuan").
    Full,
    /// One name only, for crowded places such as the map.
    Short,
}

/// The label of district `id` (or the city total) in a chart.
pub(crate) fn district(run: &Run, id: &str, form: Form) -> String {
    match run.district(id) {
        _ if id == ALL => "全市 City total".to_string(),
        Some(d) => district_name(d, form),
        None => id.to_string(),
    }
}

/// The label of district `id` (or the city total) in a page, whose reader's fonts draw any
/// text: name and romanised name.
pub(crate) fn district_in_page(run: &Run, id: &str, form: Form) -> String {
    match run.district(id) {
        _ if id == ALL => "City total".to_string(),
        Some(d) => names(d, form).next().unwrap_or_else(|| d.id.clone()),
        None => id.to_string(),
    }
}

/// The label of a district the scenario describes: the fullest of name and romanised name, name
/// alone, romanised name alone, or id that the embedded fonts can draw.
fn district_name(d: &DistrictInfo, form: Form) -> String {
    names(d, form)
        .find(|name| can_draw(name))
        .unwrap_or_else(|| d.id.clone())
}

/// The names a district can be labelled with, fullest first.
fn names(d: &DistrictInfo, form: Form) -> impl Iterator<Item = String> {
    let roman = d
        .name_en
        .as_deref()
        .filter(|en| !en.is_empty() && *en != d.name);
    let full = match roman {
        Some(en) if form == Form::Full => Some(format!("{} {en}", d.name)),
        _ => None,
    };
    let roman = roman.map(str::to_string);
    full.into_iter().chain([d.name.clone()]).chain(roman)
}

/// "情景 Scenario “…”, 10,000 次模拟 Monte Carlo trials; 2020 实测 observed, 2021–2035 预测 projected."
pub(crate) fn run_line(run: &Run) -> String {
    let info = &run.info;
    let trials = match info.trials {
        Some(n) => format!("{} 次模拟 Monte Carlo trials", thousands(n as f64)),
        None => "蒙特卡洛模拟 Monte Carlo trials".to_string(),
    };
    format!(
        "{}, {trials}; {} 实测 observed, {}–{} 预测 projected.",
        scenario(run),
        info.base_year,
        info.base_year + 1,
        info.horizon
    )
}

/// "情景 Scenario “name”", or, when the fonts lack the name's glyphs, the scenario's file name.
fn scenario(run: &Run) -> String {
    let scenario = &run.info.scenario;
    let file = scenario
        .file
        .as_deref()
        .map(|f| f.rsplit(['/', '\\']).next().unwrap_or(f));
    match file {
        _ if can_draw(&scenario.name) => format!("情景 Scenario “{}”", scenario.name),
        Some(file) if can_draw(file) => format!("情景 Scenario {file}"),
        _ => "情景 Scenario".to_string(),
    }
}

/// A stage in English with its ages, e.g. "primary (ages 6–11)", for pages that put the
/// Chinese name beside it themselves.
pub(crate) fn stage_en(s: &StageInfo) -> String {
    match s.ages {
        Some([a0, a1]) => format!("{} (ages {a0}–{a1})", s.id),
        None => s.id.clone(),
    }
}

/// A stage in both languages with its ages, e.g. "小学 primary (6–11 岁 ages)".
pub(crate) fn stage(s: &StageInfo) -> String {
    let zh = super::lang::stage_zh(s);
    let both = if zh == s.id {
        s.id.clone()
    } else {
        format!("{zh} {}", s.id)
    };
    match s.ages {
        Some([a0, a1]) => format!("{both} ({a0}–{a1} 岁 ages)"),
        None => both,
    }
}

/// A band of two values, "6,985–65,970"; with a negative end "-21,223 … -6,485", since an en
/// dash before a minus sign reads as a double minus.
pub(crate) fn span(low: f64, high: f64) -> String {
    if low.round() < 0.0 || high.round() < 0.0 {
        format!("{} … {}", thousands(low), thousands(high))
    } else {
        format!("{}–{}", thousands(low), thousands(high))
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
    fn labels_show_chinese_names_and_fall_back_to_drawable_ones() {
        let both = district_info("中原区", Some("Zhongyuan"));
        assert_eq!(district_name(&both, Form::Full), "中原区 Zhongyuan");
        assert_eq!(district_name(&both, Form::Short), "中原区");
        let unknown = district_info("東京都", Some("Tokyo"));
        assert_eq!(district_name(&unknown, Form::Full), "Tokyo");
        let chinese_only = district_info("東京都", None);
        assert_eq!(district_name(&chinese_only, Form::Full), "zhongyuan");
        let latin = district_info("Zürich-Nord", Some("Zurich North"));
        assert_eq!(district_name(&latin, Form::Short), "Zürich-Nord");
    }

    #[test]
    fn a_span_with_a_negative_end_is_not_read_as_a_double_minus() {
        assert_eq!(span(6985.0, 65970.0), "6,985–65,970");
        assert_eq!(span(-21223.0, -6485.0), "-21,223 … -6,485");
        assert_eq!(span(-5.0, 3.0), "-5 … 3");
    }

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(999.4), "999");
        assert_eq!(thousands(1234567.0), "1,234,567");
        assert_eq!(thousands(-4500.0), "-4,500");
    }
}
