//! The report's languages: Chinese first with English beside it for a city whose districts have
//! Chinese names, English alone otherwise.

use super::data::{Run, StageInfo, Warning};

/// Which languages the report is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Lang {
    /// Whether Chinese comes first, with English beside it.
    pub chinese: bool,
}

impl Lang {
    /// Chinese and English when any district of the run has a name in Chinese characters.
    pub fn of(run: &Run) -> Lang {
        let chinese = run
            .info
            .districts
            .iter()
            .any(|d| d.name.chars().any(is_cjk));
        Lang { chinese }
    }

    /// The page's `lang` attribute.
    pub fn html_lang(self) -> &'static str {
        if self.chinese {
            "zh-CN"
        } else {
            "en"
        }
    }

    /// A short label (HTML, already escaped): Chinese then English in grey, or English alone.
    pub fn label(self, zh: &str, en: &str) -> String {
        if self.chinese {
            format!("<span lang=\"zh-CN\">{zh}</span> <span lang=\"en\" class=\"en\">{en}</span>")
        } else {
            en.to_string()
        }
    }

    /// A paragraph (HTML, already escaped): Chinese and English side by side, or English alone.
    pub fn paragraph(self, zh: &str, en: &str) -> String {
        if self.chinese {
            format!("<div class=\"bi\"><p lang=\"zh-CN\">{zh}</p><p lang=\"en\">{en}</p></div>\n")
        } else {
            format!("<p>{en}</p>\n")
        }
    }
}

/// Whether `c` is a CJK ideograph (the unified block and its first extension).
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

/// The Chinese name of a stage with a well-known id, else the id itself.
pub(crate) fn stage_zh(stage: &StageInfo) -> &str {
    stage_zh_of(&stage.id)
}

/// The Chinese name of the stage `id` when it is a well-known one, else `id` itself.
pub(crate) fn stage_zh_of(id: &str) -> &str {
    crate::scenario::stage_zh(id)
}

/// The Chinese name of a warning level, e.g. "红色" for red.
pub(crate) fn warning_zh(level: Warning) -> &'static str {
    match level {
        Warning::Red => "红色",
        Warning::Amber => "黄色",
        Warning::Green => "绿色",
        Warning::Observed => "实测",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_ideographs_are_told_from_latin_and_punctuation() {
        assert!("中原区".chars().all(is_cjk));
        assert!(!"Zhongyuan – ≥ 90%".chars().any(is_cjk));
        assert!(!is_cjk('，'));
    }
}
