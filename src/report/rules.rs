//! The words every view uses, each rule written once: the terminal summary, `report.html`, the
//! tables, the fan charts chosen for a page, `compare` and `plan` all call these, and the
//! glossary below (shown in the report, copied into README and `docs/glossary.md` by a test)
//! says what they mean.
//!
//! - **short**: a cell is short when P(shortfall beyond the tolerance) ≥ [`SHORT_FROM`];
//! - **at risk**: a cell carries a warning (red or amber) in `risk.csv`;
//! - **worst year**: the year of the largest expected shortfall;
//! - **rank**: `risk.csv`'s `rank` ([`super::rank`]);
//! - **the shortfall of a cell**: its expected value (`risk.csv`'s `expected_shortfall`, the
//!   mean of `summary.csv`), with P5–P95 beside it.

/// A cell is short from this probability of a shortfall beyond the tolerance: more likely than not.
pub const SHORT_FROM: f64 = 0.5;

/// The probability of a shortfall a planner aims under when seats are added ("seats for P10").
pub const TARGET_P: f64 = 0.1;

/// Whether a cell with this `p_shortfall` is short.
pub fn is_short(p_shortfall: f64) -> bool {
    p_shortfall >= SHORT_FROM
}

/// Whether a cell with this `risk.csv` warning is at risk (red or amber).
pub fn is_at_risk(warning: &str) -> bool {
    matches!(warning, "red" | "amber")
}

/// The first year short of `(year, p_shortfall)` pairs in year order, if any.
pub fn first_short_year(years: impl IntoIterator<Item = (i32, f64)>) -> Option<i32> {
    years
        .into_iter()
        .find(|&(_, p)| is_short(p))
        .map(|(y, _)| y)
}

/// The worst year of `(year, expected shortfall)` pairs: the largest expected shortfall, the
/// earliest year on a tie; none when no year has any shortfall.
pub fn worst_year(years: impl IntoIterator<Item = (i32, f64)>) -> Option<i32> {
    years
        .into_iter()
        .filter(|&(_, e)| e > 0.0)
        .fold(None, |best: Option<(i32, f64)>, (y, e)| match best {
            Some((_, b)) if b >= e => best,
            _ => Some((y, e)),
        })
        .map(|(y, _)| y)
}

/// Millions of yuan (the unit of `spending`) in one 亿元 (100 million yuan).
pub const MILLIONS_PER_YI: f64 = 100.0;

/// One term of the glossary: its Chinese and English name and definition.
#[derive(Debug, Clone, Copy)]
pub struct Term {
    /// Chinese name.
    pub zh: &'static str,
    /// English name.
    pub en: &'static str,
    /// Definition in Chinese.
    pub zh_def: &'static str,
    /// Definition in English.
    pub en_def: &'static str,
}

/// The glossary every page and README share.
pub const GLOSSARY: &[Term] = &[
    Term {
        zh: "缺口",
        en: "shortfall",
        zh_def: "某区某学段某年需要公办学位的学生数超过学位数的部分（每次模拟一个数）。",
        en_def: "Pupils needing a public seat beyond the seats of a district, stage and year (one number per trial).",
    },
    Term {
        zh: "预期缺口",
        en: "expected shortfall",
        zh_def: "各次模拟缺口的平均值；凡显示一个格子的缺口，都用这个数，并在旁边给出 P5–P95。",
        en_def: "The mean of the shortfall over the trials; wherever one number is shown for a cell's shortfall it is this one, with P5–P95 beside it.",
    },
    Term {
        zh: "P5–P95",
        en: "P5–P95",
        zh_def: "90% 的模拟落在此区间内：5% 的模拟更低，5% 更高。",
        en_def: "90% of the trials fall in this range: 5% lower, 5% higher.",
    },
    Term {
        zh: "缺口概率",
        en: "P(shortfall)",
        zh_def: "缺口超过需求容许比例（shortfall_tolerance，郑州为 1%）的模拟所占比例。",
        en_def: "The share of trials whose shortfall exceeds the tolerated share of demand (shortfall_tolerance, 1% in Zhengzhou).",
    },
    Term {
        zh: "短缺",
        en: "short",
        zh_def: "缺口概率 ≥ 50%（多数模拟短缺）的格子。",
        en_def: "A cell whose P(shortfall) is at least 50% (short in most trials).",
    },
    Term {
        zh: "预警",
        en: "at risk",
        zh_def: "risk.csv 中为红色或黄色预警的格子：缺口、大班额、超大班额或闲置的概率达到情景设定的阈值。",
        en_def: "A cell with a red or amber warning in risk.csv: the probability of a shortfall, large classes, super-large classes or under-use reaches the scenario's threshold.",
    },
    Term {
        zh: "最不利年份",
        en: "worst year",
        zh_def: "预期缺口最大的年份（并列时取最早的一年）。",
        en_def: "The year of the largest expected shortfall (the earliest on a tie).",
    },
    Term {
        zh: "排名",
        en: "rank",
        zh_def: "risk.csv 的 rank：按预期缺口从大到小排列各区（全市统筹学段为全市）各预测年份，1 为最严重；终端、报告和表格用同一排名。",
        en_def: "risk.csv's rank: the projected years of each district (the city for a city-wide stage) ordered by expected shortfall, 1 the most severe; the terminal, the report and the tables use this one ranking.",
    },
    Term {
        zh: "缺口概率 <10% 所需学位",
        en: "seats for P(shortfall) < 10%",
        zh_def: "缺口的第 90 百分位：增加这么多学位，缺口概率降到 10% 以下。",
        en_def: "The 90th percentile of the shortfall: adding this many seats brings P(shortfall) under 10%.",
    },
    Term {
        zh: "投资（亿元）",
        en: "spending (100 million yuan)",
        zh_def: "当年开办的项目的建设投资（班数 × 班额 × 每学位造价），1 亿元 = 100,000,000 元。",
        en_def: "Capital cost of the projects opening that year (classes × class size × cost per seat); 1 亿元 = 100 million yuan.",
    },
    Term {
        zh: "所需教师",
        en: "teachers needed",
        zh_def: "需要公办学位的学生数除以生师比（情景的 [teachers]）。",
        en_def: "Pupils needing a public seat divided by pupils per teacher (the scenario's [teachers]).",
    },
    Term {
        zh: "全市合计",
        en: "city total",
        zh_def: "分区就近入学的学段，全市缺口是各区缺口之和：一个区的空余学位不能容纳另一个区的学生。",
        en_def: "For a stage admitted by district, the city's shortfall is the sum of district shortfalls: empty seats in one district do not seat the pupils of another.",
    },
];

/// The glossary as a Markdown table, as README and `docs/glossary.md` carry it.
pub fn glossary_markdown() -> String {
    let mut out = String::from("| 术语 | term | 定义 | definition |\n|---|---|---|---|\n");
    for t in GLOSSARY {
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            t.zh,
            t.en,
            t.zh_def.replace('|', "\\|"),
            t.en_def.replace('|', "\\|")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_is_more_likely_than_not_from_half() {
        assert!(!is_short(0.499));
        assert!(is_short(0.5));
        assert_eq!(
            first_short_year([(2021, 0.2), (2022, 0.5), (2023, 0.9)]),
            Some(2022)
        );
        assert_eq!(first_short_year([(2021, 0.2)]), None);
    }

    #[test]
    fn worst_year_is_the_largest_expected_shortfall_earliest_on_a_tie() {
        assert_eq!(
            worst_year([(2021, 5.0), (2022, 9.0), (2023, 9.0), (2024, 1.0)]),
            Some(2022)
        );
        assert_eq!(worst_year([(2021, 0.0), (2022, 0.0)]), None);
    }

    #[test]
    fn at_risk_is_red_or_amber() {
        assert!(is_at_risk("red") && is_at_risk("amber"));
        assert!(!is_at_risk("green") && !is_at_risk("observed"));
    }
}
