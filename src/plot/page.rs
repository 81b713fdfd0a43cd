//! The frame every page shares (`report.html`, `compare.html`, `plan.html`): the head and its
//! styles with an A4 print layout, the title, a contents list of the page's sections, the
//! glossary, and figures inlined so that a page mailed alone keeps its charts.

use std::fmt::Write as _;

use super::lang::Lang;
use super::output::Written;
use super::PlotError;
use crate::report::rules::GLOSSARY;

/// A page being written: its sections' HTML and the contents list they make.
pub(crate) struct Page {
    /// The page's languages.
    pub lang: Lang,
    body: String,
    contents: Vec<(String, String)>,
}

impl Page {
    /// An empty page in `lang`.
    pub fn new(lang: Lang) -> Page {
        Page {
            lang,
            body: String::new(),
            contents: Vec::new(),
        }
    }

    /// Appends HTML to the page.
    pub fn push(&mut self, html: &str) {
        self.body.push_str(html);
    }

    /// Starts a section `id` with a bilingual `<h2>` and lists it in the contents.
    pub fn section(&mut self, id: &str, zh: &str, en: &str) {
        let label = self.lang.label(zh, en);
        let _ = writeln!(self.body, "<h2 id=\"{}\">{label}</h2>", esc(id));
        self.contents.push((id.to_string(), label));
    }

    /// A bilingual paragraph (HTML already).
    pub fn paragraph(&mut self, zh: &str, en: &str) {
        let p = self.lang.paragraph(zh, en);
        self.body.push_str(&p);
    }

    /// A chart as inline SVG under a bilingual caption (text, escaped here).
    pub fn figure(&mut self, w: &Written, zh: &str, en: &str) -> Result<(), PlotError> {
        let svg = std::fs::read_to_string(&w.svg).map_err(|source| PlotError::Read {
            path: w.svg.clone(),
            source,
        })?;
        let caption = self.lang.label(&esc(zh), &esc(en));
        let _ = writeln!(
            self.body,
            "<figure>\n{svg}<figcaption>{caption}</figcaption>\n</figure>"
        );
        Ok(())
    }

    /// The whole document: head, title and subtitle, contents, the sections, then the glossary.
    pub fn finish(mut self, title: &str, h1_zh: &str, h1_en: &str, sub: &str) -> String {
        self.section("glossary", "术语", "Glossary");
        let glossary = glossary(self.lang);
        self.body.push_str(&glossary);
        let lang = self.lang;
        let mut page = format!(
            "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n{STYLE}</head>\n<body>\n<main>\n<h1>{}</h1>\n<p class=\"sub\">{sub}</p>\n",
            lang.html_lang(),
            esc(title),
            lang.label(h1_zh, h1_en),
        );
        let _ = writeln!(
            page,
            "<nav class=\"contents\"><h2 class=\"toc\">{}</h2>\n<ol>",
            lang.label("目录", "Contents")
        );
        for (id, label) in &self.contents {
            let _ = writeln!(page, "<li><a href=\"#{}\">{label}</a></li>", esc(id));
        }
        page.push_str("</ol></nav>\n");
        page.push_str(&self.body);
        page.push_str("</main>\n</body>\n</html>\n");
        page
    }
}

/// The glossary as a table of terms and definitions.
fn glossary(lang: Lang) -> String {
    let mut out = String::from("<table class=\"glossary\">\n");
    for t in GLOSSARY {
        let _ = writeln!(
            out,
            "<tr><th>{}</th><td>{}</td></tr>",
            lang.label(&esc(t.zh), &esc(t.en)),
            lang.paragraph(&esc(t.zh_def), &esc(t.en_def)).trim_end()
        );
    }
    out.push_str("</table>\n");
    out
}

/// Page styles: readable type, tables, charts that shrink to the window, and A4 print.
pub(crate) const STYLE: &str = "<style>
@page{size:A4;margin:14mm 12mm}
body{font-family:system-ui,-apple-system,'Segoe UI','Noto Sans','Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif;margin:0;color:#222;background:#fafafa;font-size:16px;line-height:1.45}
main{max-width:1320px;margin:0 auto;padding:1em 1.5em}
h1{font-size:1.6em;margin:.2em 0}h2{margin-top:1.6em;border-bottom:1px solid #ccc}h3{margin:.8em 0 .4em}
.sub{color:#555;margin:.2em 0 1em}.en{color:#555;font-weight:normal}
nav.contents{background:#fff;border:1px solid #ddd;padding:.4em 1em;margin:1em 0}nav.contents h2{margin:.2em 0;border:0;font-size:1.1em}
nav.contents ol{columns:2;margin:.3em 0;padding-left:1.5em}nav.contents li{break-inside:avoid}
ul.districts{columns:4;padding-left:1.2em}
.bi{display:grid;grid-template-columns:1fr 1fr;gap:1.2em}.bi p{margin:.3em 0}.bi p[lang=en]{color:#444}
.stage{background:#fff;border:1px solid #ddd;border-left:6px solid #288c46;padding:.6em 1em;margin:.8em 0}.stage.short{border-left-color:#c81414}
section.district{background:#fff;border:1px solid #ddd;padding:.3em 1em;margin:1.2em 0}
table.overview{width:100%;font-size:.95em}table.district{font-size:.85em}table.overview td,table.overview th{padding:.3em .5em}
th .en,table.overview td:first-child .en{display:block;font-size:.9em}
table.overview tr.short td:first-child{box-shadow:inset 5px 0 #c81414}table.overview td:first-child{padding-left:.9em}
.scroll{overflow-x:auto}
table{border-collapse:collapse;margin:.8em 0;background:#fff}
td,th{border:1px solid #ddd;padding:.3em .7em;text-align:left;vertical-align:top}
table.years{font-size:.8em;width:100%}table.years td,table.years th{padding:.2em .3em}table.years tr>th:first-child{width:14em}
table.glossary th{width:14em}table.glossary .bi p{margin:0}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.pill{display:inline-block;border-radius:1em;padding:0 .7em;font-weight:bold}
figure{margin:1.5em 0;background:#fff;border:1px solid #ddd;padding:.5em}
figure svg{width:100%;height:auto;display:block}
.fans{display:grid;grid-template-columns:1fr 1fr;gap:0 1em}.fans figure{margin:.5em 0}
figcaption{color:#333;font-size:.9em;margin-top:.3em}
@media (max-width:1100px){.fans{grid-template-columns:1fr}ul.districts{columns:3}}
@media (max-width:900px){.bi{grid-template-columns:1fr}nav.contents ol{columns:1}ul.districts{columns:2}}
@media print{body{background:#fff;font-size:10.5pt}main{max-width:none;padding:0}figure,.stage,table,tr{break-inside:avoid}.scroll{overflow:visible}h2,h3{break-after:avoid}section.district{break-before:page}}
</style>
";

/// `text` escaped for HTML.
pub(crate) fn esc(text: &str) -> String {
    text.chars()
        .fold(String::with_capacity(text.len()), |mut out, c| {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&#39;"),
                _ => out.push(c),
            }
            out
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn esc_escapes_markup() {
        assert_eq!(
            esc("<a href=\"x\">R&D's</a>"),
            "&lt;a href=&quot;x&quot;&gt;R&amp;D&#39;s&lt;/a&gt;"
        );
        assert_eq!(esc("中原区"), "中原区");
    }

    #[test]
    fn a_page_lists_its_sections_prints_on_a4_and_ends_with_the_glossary() {
        let mut page = Page::new(Lang { chinese: true });
        page.section("a", "甲", "A");
        page.section("b", "乙", "B");
        let html = page.finish("t", "标题", "Title", "sub");
        assert!(html.contains("@page{size:A4"));
        for id in ["a", "b", "glossary"] {
            assert!(html.contains(&format!("<a href=\"#{id}\">")), "{id}");
            assert!(html.contains(&format!("<h2 id=\"{id}\">")), "{id}");
        }
        assert!(html.contains("预期缺口") && html.contains("expected shortfall"));
    }
}
