//! The repository documents itself: every relative link of README and `docs/` resolves (to a
//! file, and to a heading of it), no file has two headings of one anchor, no document the
//! repository lacks is named, and the glossary README and `docs/glossary.md` carry is the one
//! the pages print (`SEATSIM_BLESS=1` rewrites both copies from the code).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use seatsim::report::rules::glossary_markdown;

/// The repository's root.
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// README and every Markdown file under `docs/`.
fn documents() -> Vec<PathBuf> {
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .expect("a docs folder")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    docs.insert(0, root().join("README.md"));
    docs
}

/// The lines of a Markdown text outside fenced code blocks.
fn prose(text: &str) -> Vec<&str> {
    let mut fenced = false;
    text.lines()
        .filter(|line| {
            if line.trim_start().starts_with("```") {
                fenced = !fenced;
                return false;
            }
            !fenced
        })
        .collect()
}

/// GitHub's anchor of a heading: lower case, spaces to hyphens, punctuation dropped.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The anchors of a document's headings, each as many times as it occurs.
fn anchors(text: &str) -> Vec<String> {
    prose(text)
        .into_iter()
        .filter(|l| l.starts_with('#'))
        .map(|l| slug(l.trim_start_matches('#')))
        .collect()
}

/// A line without its inline code spans, where `a[s](t)` is a formula, not a link.
fn outside_code(line: &str) -> String {
    line.split('`').step_by(2).collect()
}

/// The relative link targets of a document.
fn links(text: &str) -> Vec<String> {
    prose(text)
        .into_iter()
        .map(outside_code)
        .flat_map(|line| {
            line.split("](")
                .skip(1)
                .filter_map(|rest| rest.split(')').next())
                .map(|target| target.split_whitespace().next().unwrap_or("").to_string())
                .collect::<Vec<_>>()
        })
        .filter(|t| !t.contains("://") && !t.starts_with("mailto:"))
        .collect()
}

#[test]
fn every_relative_link_resolves_and_no_heading_repeats() {
    let mut headings: HashMap<PathBuf, HashSet<String>> = HashMap::new();
    for doc in documents() {
        let text = std::fs::read_to_string(&doc).unwrap();
        let all = anchors(&text);
        let unique: HashSet<String> = all.iter().cloned().collect();
        let mut seen = HashSet::new();
        let repeated: Vec<&String> = all.iter().filter(|a| !seen.insert(*a)).collect();
        assert!(
            repeated.is_empty(),
            "{}: headings repeat: {repeated:?}",
            doc.display()
        );
        headings.insert(doc.canonicalize().unwrap(), unique);
    }
    for doc in documents() {
        let text = std::fs::read_to_string(&doc).unwrap();
        for link in links(&text) {
            let (file, anchor) = link.split_once('#').unwrap_or((&link, ""));
            let target = if file.is_empty() {
                doc.clone()
            } else {
                doc.parent().unwrap().join(file)
            };
            assert!(
                target.exists(),
                "{}: link {link} leads nowhere",
                doc.display()
            );
            if anchor.is_empty() || target.is_dir() {
                continue;
            }
            let target = target.canonicalize().unwrap();
            let text = std::fs::read_to_string(&target).unwrap();
            let known = headings
                .get(&target)
                .cloned()
                .unwrap_or_else(|| anchors(&text).into_iter().collect());
            assert!(
                known.contains(anchor),
                "{}: link {link}: no such heading",
                doc.display()
            );
        }
    }
}

#[test]
fn no_document_the_repository_lacks_is_named() {
    for doc in documents() {
        let text = std::fs::read_to_string(&doc).unwrap();
        assert!(
            !text.contains("DESIGN"),
            "{} names DESIGN, which the repository does not hold",
            doc.display()
        );
    }
}

#[test]
fn readme_first_screen_runs_the_default_scenario_and_the_tests() {
    let text = std::fs::read_to_string(root().join("README.md")).unwrap();
    let first: String = text.lines().take(30).collect::<Vec<_>>().join("\n");
    assert!(first.contains("cargo run --release -- run scenarios/zhengzhou.toml"));
    assert!(first.contains("cargo test"));
}

/// The text between the glossary markers of `path`.
fn glossary_in(path: &Path) -> (String, String, String) {
    let text = std::fs::read_to_string(path).unwrap();
    let (begin, end) = ("<!-- glossary:begin -->\n", "<!-- glossary:end -->");
    let (before, rest) = text.split_once(begin).expect("a glossary:begin marker");
    let (inside, after) = rest.split_once(end).expect("a glossary:end marker");
    (
        format!("{before}{begin}"),
        inside.to_string(),
        format!("{end}{after}"),
    )
}

#[test]
fn readme_and_docs_carry_the_glossary_the_pages_print() {
    let expected = glossary_markdown();
    for path in [root().join("README.md"), root().join("docs/glossary.md")] {
        let (before, inside, after) = glossary_in(&path);
        if std::env::var_os("SEATSIM_BLESS").is_some() {
            std::fs::write(&path, format!("{before}{expected}{after}")).unwrap();
            continue;
        }
        assert_eq!(
            inside,
            expected,
            "{}: run SEATSIM_BLESS=1 cargo test --test integration docs::",
            path.display()
        );
    }
}
