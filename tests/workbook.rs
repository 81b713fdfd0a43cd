//! The spreadsheet round trip: a `districts.csv` saved by Excel on Chinese Windows (GB18030)
//! runs with its names intact, and `results.xlsx` holds the run's tables with bilingual
//! headers, district names and numbers as numbers (read back with calamine).

use calamine::{open_workbook, Data, Reader, Xlsx};

use crate::support::{read_rows, Fixture};

/// The broken-corpus base with Chinese district names, its districts.csv saved as GB18030.
fn chinese_names_in_gb18030() -> Fixture {
    let fx = Fixture::copy_of("tests/broken/base");
    let text = std::fs::read_to_string(fx.path("districts.csv")).unwrap();
    let text = text
        .replace("centre,Centre,", "centre,中原区,")
        .replace("north,North,", "north,金水区,")
        .replace("south,South,", "south,新郑市,");
    let (bytes, _, unmappable) = encoding_rs::GB18030.encode(&text);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the fixture must not be UTF-8"
    );
    std::fs::write(fx.path("districts.csv"), bytes).unwrap();
    fx
}

/// Every row of sheet `name`.
fn sheet(book: &mut Xlsx<std::io::BufReader<std::fs::File>>, name: &str) -> Vec<Vec<Data>> {
    let range = book.worksheet_range(name).unwrap();
    range.rows().map(<[Data]>::to_vec).collect()
}

#[test]
fn a_gb18030_districts_file_runs_with_its_chinese_names() {
    let fx = chinese_names_in_gb18030();
    let check = fx.seatsim(&["check", "scenario.toml"]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let said = String::from_utf8_lossy(&check.stdout);
    assert!(said.contains("districts.csv (read as GB18030)"), "{said}");
    assert!(said.contains("population.csv (read as UTF-8)"), "{said}");
    let o = fx.seatsim(&[
        "run",
        "scenario.toml",
        "--out",
        "out",
        "--trials",
        "20",
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = fx.path("out");
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(["中原区", "金水区", "新郑市"]
        .iter()
        .all(|n| report.contains(n)));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap();
    let names: Vec<&str> = json["districts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["中原区", "金水区", "新郑市"]);
}

#[test]
fn a_utf8_file_with_a_byte_order_mark_reads_as_without() {
    let fx = Fixture::copy_of("tests/broken/base");
    let plain = fx.run("scenario.toml", "plain", &["--deterministic"]);
    let text = std::fs::read(fx.path("capacity.csv")).unwrap();
    std::fs::write(
        fx.path("capacity.csv"),
        [b"\xEF\xBB\xBF".as_slice(), &text].concat(),
    )
    .unwrap();
    let check = fx.seatsim(&["check", "scenario.toml"]);
    assert!(
        String::from_utf8_lossy(&check.stdout).contains("capacity.csv (read as UTF-8 with BOM)")
    );
    let bom = fx.run("scenario.toml", "bom", &["--deterministic"]);
    assert_eq!(
        std::fs::read(plain.join("summary.csv")).unwrap(),
        std::fs::read(bom.join("summary.csv")).unwrap()
    );
}

#[test]
fn results_xlsx_holds_every_table_with_bilingual_headers_names_and_numbers() {
    let fx = chinese_names_in_gb18030();
    let out = fx.run("scenario.toml", "out", &["--trials", "20"]);
    let mut book: Xlsx<_> = open_workbook(out.join("results.xlsx")).unwrap();
    assert_eq!(
        book.sheet_names(),
        ["risk", "summary", "sensitivity", "tornado"]
    );
    for (name, csv) in [("risk", "risk.csv"), ("summary", "summary.csv")] {
        let rows = sheet(&mut book, name);
        let table = read_rows(&out.join(csv));
        assert_eq!(rows.len(), table.len() + 1, "{name}: one row per CSV row");
        let header: Vec<String> = rows[0].iter().map(ToString::to_string).collect();
        assert_eq!(
            header[..4],
            [
                "区县 district",
                "区县名称 district_name",
                "学段 stage",
                "年份 year"
            ]
        );
        for (row, record) in rows[1..].iter().zip(&table) {
            assert_eq!(row[0], Data::String(record["district"].clone()));
            let name = match record["district"].as_str() {
                "centre" => "中原区",
                "north" => "金水区",
                "south" => "新郑市",
                _ => "全市 city",
            };
            assert_eq!(row[1], Data::String(name.into()));
            assert_eq!(row[3], Data::Float(record["year"].parse().unwrap()));
        }
    }
    let risk = sheet(&mut book, "risk");
    assert_eq!(risk[0][4].to_string(), "学位不足概率 p_shortfall");
    let table = read_rows(&out.join("risk.csv"));
    assert!(risk[1..]
        .iter()
        .zip(&table)
        .all(|(row, record)| { row[4] == Data::Float(record["p_shortfall"].parse().unwrap()) }));
}

#[test]
fn compare_folders_get_a_workbook_of_their_tables() {
    let fx = Fixture::copy_of("tests/broken/base");
    let o = fx.seatsim(&[
        "compare",
        "scenario.toml",
        "scenario.toml",
        "--trials",
        "20",
        "--out",
        "cmp",
        "--quiet",
        "--no-plots",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut book: Xlsx<_> = open_workbook(fx.path("cmp/results.xlsx")).unwrap();
    assert_eq!(book.sheet_names(), ["compare", "compare_risk"]);
    let rows = sheet(&mut book, "compare");
    assert_eq!(rows.len(), read_rows(&fx.path("cmp/compare.csv")).len() + 1);
    assert_eq!(rows[0][5].to_string(), "基准均值 base_mean");
}

/// openpyxl (what the acceptance check opens the file with), where it is installed:
/// the header row is frozen and filtered.
#[test]
fn openpyxl_sees_a_frozen_filtered_header_where_it_is_installed() {
    let probe = std::process::Command::new("python3")
        .args(["-c", "import openpyxl"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!("python3 with openpyxl not found: skipped");
        return;
    }
    let fx = Fixture::copy_of("tests/broken/base");
    let out = fx.run("scenario.toml", "out", &["--trials", "20"]);
    let script = "import sys, openpyxl\n\
                  ws = openpyxl.load_workbook(sys.argv[1])['risk']\n\
                  print(ws.freeze_panes, ws.auto_filter.ref, ws['A1'].value)";
    let o = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(out.join("results.xlsx"))
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&o.stdout);
    let rows = read_rows(&out.join("risk.csv")).len() + 1;
    assert_eq!(said.trim(), format!("A2 A1:M{rows} 区县 district"));
}

/// What the workbook holds for a CSV cell of `column`: nothing for an empty cell, text for a
/// word column or a cell that is not a number, the number otherwise.
fn expected_cell(column: &str, cell: &str) -> Data {
    const WORDS: [&str; 6] = [
        "district", "stage", "metric", "warning", "input", "label_en",
    ];
    match cell.parse::<f64>() {
        _ if cell.is_empty() => Data::Empty,
        Ok(x) if x.is_finite() && !WORDS.contains(&column) => Data::Float(x),
        _ => Data::String(cell.to_string()),
    }
}

/// `run` builds the workbook on a thread of its own while the tables are written: every sheet,
/// in order, still holds every cell of its table, the district names beside.
#[test]
fn every_cell_of_a_runs_workbook_is_its_tables() {
    let fx = chinese_names_in_gb18030();
    let out = fx.run("scenario.toml", "out", &["--trials", "50"]);
    let mut book: Xlsx<_> = open_workbook(out.join("results.xlsx")).unwrap();
    let names = book.sheet_names();
    assert_eq!(names, ["risk", "summary", "sensitivity", "tornado"]);
    for name in names {
        let rows = sheet(&mut book, &name);
        let mut table = csv::Reader::from_path(out.join(format!("{name}.csv"))).unwrap();
        let columns: Vec<String> = table.headers().unwrap().iter().map(Into::into).collect();
        let mut n = 0;
        for (row, record) in rows[1..].iter().zip(table.records()) {
            let record = record.unwrap();
            let mut cells: Vec<Data> = columns
                .iter()
                .zip(record.iter())
                .map(|(column, cell)| expected_cell(column, cell))
                .collect();
            if let Some(d) = columns.iter().position(|c| c == "district") {
                cells.insert(d + 1, row[d + 1].clone());
                assert_ne!(row[d + 1], Data::Empty, "{name}: a district's name");
            }
            cells.resize(row.len(), Data::Empty);
            assert_eq!(*row, cells, "{name}, row {}", n + 1);
            n += 1;
        }
        assert_eq!(rows.len(), n + 1, "{name}: one row per record");
    }
}

/// A workbook that cannot be built (here: no temporary folder for its sheets) fails the run
/// with the usual write error naming the workbook, and the previous results stay whole.
#[test]
fn a_workbook_that_cannot_be_built_fails_the_run_and_keeps_the_old_results() {
    let fx = chinese_names_in_gb18030();
    let out = fx.run("scenario.toml", "out", &["--trials", "5"]);
    let before = std::fs::read(out.join("summary.csv")).unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_seatsim"))
        .args([
            "run",
            "scenario.toml",
            "--quiet",
            "--no-plots",
            "--out",
            "out",
        ])
        .args(["--trials", "20"])
        .env("TMPDIR", fx.path("no-such-folder"))
        .current_dir(fx.dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("results.xlsx"), "{stderr}");
    assert_eq!(std::fs::read(out.join("summary.csv")).unwrap(), before);
    let names: Vec<_> = std::fs::read_dir(fx.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names.iter().any(|n| n.contains("seatsim-new")),
        "{names:?}"
    );
}
