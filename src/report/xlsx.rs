//! `results.xlsx` (DESIGN §6): a result folder's CSV tables as one Excel workbook, for the
//! planners who live in spreadsheets — one sheet per table, a frozen bilingual header row
//! (`区县 district`) with an autofilter, each district's name beside its id, numbers as
//! numbers. Built from the CSV files written, so every command's tables (`run`, `compare`,
//! `plan`, whatever their columns) reach the workbook without a writer of their own; `run`
//! hands each over as soon as it is written, so that its sheet is built meanwhile.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{Format, FormatAlign, Workbook, Worksheet, XlsxError};

use super::write_atomic;
use crate::scenario::Scenario;
use crate::Error;

/// The workbook's file name.
pub const WORKBOOK: &str = "results.xlsx";

/// Tables in the order their sheets come; any other CSV of the folder follows, by name.
const ORDER: [&str; 7] = [
    "risk",
    "summary",
    "sensitivity",
    "compare",
    "compare_risk",
    "plan",
    "plan_summary",
];

/// Tables left out: `trials.csv` holds raw per-trial values, millions of rows for a spreadsheet
/// to choke on.
const LEFT_OUT: [&str; 1] = ["trials"];

/// Deflate level of the workbook's zip container. Level 6 (the default) spent 40% of a
/// 1-trial run compressing the sheets; level 1 takes a fifth of that time (10 ms against
/// 60 ms for 5,000 trials' sheets) for a file 1.6 times as large (1.7 MB against 1.1 MB).
const ZIP_LEVEL: u8 = 1;

/// Rows a worksheet holds (Excel's limit), header included.
const MAX_ROWS: usize = 1_048_576;

/// Columns holding ids or words, kept as text even when they look like numbers.
pub(crate) const TEXT_COLUMNS: [&str; 9] = [
    "district", "name", "stage", "metric", "id", "kind", "input", "warning", "status",
];

/// Chinese names of the columns seatsim writes; a prefix or suffix (`base_`, `_after`) is
/// named separately.
const CHINESE: [(&str, &str); 53] = [
    ("district", "区县"),
    ("name", "名称"),
    ("district_name", "区县名称"),
    ("stage", "学段"),
    ("year", "年份"),
    ("metric", "指标"),
    ("mean", "均值"),
    ("sd", "标准差"),
    ("p05", "5%分位"),
    ("p25", "25%分位"),
    ("p50", "中位数"),
    ("p75", "75%分位"),
    ("p95", "95%分位"),
    ("min", "最小值"),
    ("max", "最大值"),
    ("p_shortfall", "学位不足概率"),
    ("p_large_classes", "大班额概率"),
    ("p_super_large_classes", "超大班额概率"),
    ("p_underused", "学位闲置概率"),
    ("expected_shortfall", "预期学位缺口"),
    ("warning", "预警"),
    ("seats_for_p10", "不足概率降至10%所需学位"),
    ("severity", "严重程度"),
    ("rank", "排名"),
    ("input", "输入"),
    ("share", "方差占比"),
    ("id", "编号"),
    ("kind", "类型"),
    ("classes", "班数"),
    ("seats", "学位数"),
    ("planned_year", "计划年份"),
    ("cost", "投资（元）"),
    ("count", "数量"),
    ("shortfall_avoided", "避免的学位缺口"),
    ("surplus_added", "增加的闲置学位"),
    ("classes_added", "新增班数"),
    ("seats_added", "新增学位"),
    ("value", "数值"),
    ("trial", "试验"),
    ("status", "状态"),
    ("enrolled", "在校生"),
    ("demand", "公办学位需求"),
    ("capacity", "学位供给"),
    ("shortfall", "学位缺口"),
    ("label_zh", "中文名称"),
    ("label_en", "英文名称"),
    ("low_value", "低值"),
    ("high_value", "高值"),
    ("shortfall_low", "低值时学位缺口"),
    ("shortfall_high", "高值时学位缺口"),
    ("change", "变化"),
    ("cost_yuan", "投资（元）"),
    ("targeted", "是否目标单元"),
];

/// Chinese for a column's prefix or suffix.
const AFFIXES: [(&str, &str); 5] = [
    ("base_", "基准"),
    ("alt_", "方案"),
    ("delta_", "差值"),
    ("_before", "（规划前）"),
    ("_after", "（规划后）"),
];

/// The header of `column` in the workbook: Chinese, then the column's own name.
fn bilingual(column: &str) -> String {
    let zh = |c: &str| CHINESE.iter().find(|(k, _)| *k == c).map(|(_, v)| *v);
    let affixed = AFFIXES.iter().find_map(|(affix, word)| {
        if let Some(rest) = column.strip_prefix(affix) {
            zh(rest).map(|z| format!("{word}{z}"))
        } else {
            let rest = column.strip_suffix(affix)?;
            zh(rest).map(|z| format!("{z}{word}"))
        }
    });
    match zh(column).map(str::to_string).or(affixed) {
        Some(z) => format!("{z} {column}"),
        None => column.to_string(),
    }
}

/// District names by id (`ALL` is the city), for the column beside each `district`.
#[derive(Debug, Clone, Default)]
pub struct DistrictNames(HashMap<String, String>);

impl DistrictNames {
    /// The names of `s`'s districts.
    pub fn of(s: &Scenario) -> Self {
        let mut names: HashMap<_, _> = s
            .districts
            .iter()
            .map(|d| (d.id.clone(), d.name.clone()))
            .collect();
        names.insert("ALL".into(), "全市 city".into());
        Self(names)
    }
}

/// Writes `results.xlsx` into `dir` from the CSV tables there.
pub fn write_workbook(dir: &Path, names: &DistrictNames) -> Result<(), Error> {
    let path = dir.join(WORKBOOK);
    let bytes = workbook(&path, tables(dir), names)?;
    write_atomic(&path, |w| std::io::Write::write_all(w, &bytes))
}

/// The CSV tables of `dir`, in sheet order: (sheet name, path).
fn tables(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut found: Vec<_> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv") && p.is_file())
        .filter_map(|p| Some((p.file_stem()?.to_string_lossy().into_owned(), p)))
        .filter(|(name, _)| !LEFT_OUT.contains(&name.as_str()))
        .collect();
    let rank = |name: &str| ORDER.iter().position(|o| *o == name).unwrap_or(ORDER.len());
    found.sort_by(|(a, _), (b, _)| (rank(a), a).cmp(&(rank(b), b)));
    found
}

/// The bytes of the workbook (to be written to `path`, which errors name) of `tables`: each
/// a table's name (its CSV file's stem, the sheet's name) and a CSV file holding it, in the
/// order the sheets come. A writer can hand each table over as soon as it is written, from
/// another thread (see [`super::write_run`]); a file that cannot be read is left out.
pub fn workbook(
    path: &Path,
    tables: impl IntoIterator<Item = (String, PathBuf)>,
    names: &DistrictNames,
) -> Result<Vec<u8>, Error> {
    let built = (|| {
        let mut book = Workbook::new();
        book.set_zip_compression_level(ZIP_LEVEL);
        let header = Format::new().set_bold().set_align(FormatAlign::Center);
        for (name, csv) in tables {
            add_sheet(&mut book, &name, &csv, names, &header)?;
        }
        book.save_to_buffer()
    })();
    built.map_err(|e| Error::Write {
        path: path.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    })
}

/// Adds the sheet of table `name` from the CSV file at `path`, unless that cannot be read.
fn add_sheet(
    book: &mut Workbook,
    name: &str,
    path: &Path,
    names: &DistrictNames,
    header: &Format,
) -> Result<(), XlsxError> {
    let Ok(mut reader) = csv::Reader::from_path(path) else {
        return Ok(());
    };
    // Rows go straight to a temporary file: a national run's tables stay out of memory.
    let sheet = book.add_worksheet_with_constant_memory()?;
    // Excel allows 31 characters in a sheet name.
    sheet.set_name(name.chars().take(31).collect::<String>())?;
    match too_many_records(path) {
        Some(rows) => too_long(sheet, name, rows),
        None => fill_sheet(sheet, &mut reader, names, header),
    }
}

/// Records (rows after the header) of the CSV file at `path` if they are more than a sheet
/// holds; `None` if they fit (or the file cannot be read). Every record but the last ends in
/// a line break, so a file of fewer line breaks than a sheet's rows fits: counting them spares
/// parsing every table twice (`\r` counts too, for a file that ends its lines with it alone).
fn too_many_records(path: &Path) -> Option<usize> {
    let mut file = std::fs::File::open(path).ok()?;
    let mut buffer = vec![0u8; 1 << 16];
    let mut breaks = 0;
    loop {
        let n = std::io::Read::read(&mut file, &mut buffer).ok()?;
        if n == 0 {
            break;
        }
        breaks += buffer[..n]
            .iter()
            .filter(|&&b| b == b'\n' || b == b'\r')
            .count();
        if breaks >= MAX_ROWS {
            return records(path).filter(|&rows| rows + 1 > MAX_ROWS);
        }
    }
    None
}

/// Records (rows after the header) of the CSV file at `path`; `None` if it cannot be read.
fn records(path: &Path) -> Option<usize> {
    let mut reader = csv::Reader::from_path(path).ok()?;
    let mut record = csv::ByteRecord::new();
    let mut n = 0;
    while reader.read_byte_record(&mut record).ok()? {
        n += 1;
    }
    Some(n)
}

/// The sheet of a table longer than a sheet holds: a note sending the reader to its CSV
/// file. Its first million rows alone (a national `summary.csv` has 2.4 million) would be a
/// cut through one district's rows, and writing them took longer than the run's trials.
fn too_long(sheet: &mut Worksheet, name: &str, rows: usize) -> Result<(), XlsxError> {
    let file = format!("{name}.csv");
    sheet.write_string(
        0,
        0,
        format!(
            "此表共 {rows} 行，超过 Excel 每表 1,048,576 行的上限，完整数据见 {file} / \
             This table has {rows} rows, more than the 1,048,576 an Excel sheet holds: \
             the whole table is in {file}"
        ),
    )?;
    Ok(())
}

/// One table's sheet: the bilingual header, frozen and filtered, then its rows.
fn fill_sheet(
    sheet: &mut Worksheet,
    reader: &mut csv::Reader<std::fs::File>,
    names: &DistrictNames,
    header: &Format,
) -> Result<(), XlsxError> {
    let mut columns: Vec<String> = reader
        .headers()
        .map(|h| h.iter().map(str::to_string).collect())
        .unwrap_or_default();
    let district = columns.iter().position(|c| c == "district");
    if let Some(d) = district {
        columns.insert(d + 1, "district_name".into());
    }
    for (c, column) in columns.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, bilingual(column), header)?;
    }
    let text: Vec<bool> = columns
        .iter()
        .map(|c| TEXT_COLUMNS.contains(&c.as_str()) || c == "district_name")
        .collect();
    let mut rows = 0u32;
    let mut record = csv::StringRecord::new();
    loop {
        // A record that cannot be read is left out, and the rows after it kept.
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(_) => continue,
        }
        rows += 1;
        let mut cells: Vec<&str> = record.iter().collect();
        if let Some(d) = district {
            let id = cells.get(d).copied().unwrap_or("");
            cells.insert(d + 1, names.0.get(id).map_or("", String::as_str));
        }
        for (c, cell) in cells.iter().enumerate() {
            let number = match text.get(c).copied().unwrap_or(true) {
                true => None,
                false => cell.parse::<f64>().ok().filter(|x| x.is_finite()),
            };
            match number {
                Some(x) => sheet.write_number(rows, c as u16, x)?,
                None if cell.is_empty() => sheet,
                None => sheet.write_string(rows, c as u16, *cell)?,
            };
        }
    }
    let last = columns.len().saturating_sub(1) as u16;
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, rows, last)?;
    for (c, column) in columns.iter().enumerate() {
        let width = bilingual(column).chars().count().clamp(8, 40);
        sheet.set_column_width(c as u16, width as f64 * 1.2)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{bilingual, records, too_many_records, MAX_ROWS};

    #[test]
    fn a_tables_length_counts_records_not_lines() {
        let path = std::env::temp_dir().join(format!("seatsim-records-{}.csv", std::process::id()));
        std::fs::write(&path, "a,b\n1,\"two\nlines\"\n3,4\n").unwrap();
        assert_eq!(records(&path), Some(2));
        std::fs::remove_file(&path).unwrap();
        assert_eq!(records(&path), None);
    }

    #[test]
    fn a_table_is_too_long_for_a_sheet_by_its_records_whatever_its_line_breaks() {
        let dir = tempfile::tempdir().unwrap();
        let table = |name: &str, header: &str, records: usize, end: &str| {
            let path = dir.path().join(name);
            let mut text = format!("{header}{end}");
            text += &format!("1{end}").repeat(records);
            std::fs::write(&path, text).unwrap();
            path
        };
        // A sheet holds the header and MAX_ROWS - 1 records.
        assert_eq!(
            too_many_records(&table("a.csv", "a", MAX_ROWS - 1, "\n")),
            None
        );
        let over = table("b.csv", "a", MAX_ROWS, "\n");
        assert_eq!(too_many_records(&over), Some(MAX_ROWS));
        // Line breaks inside a quoted header are not records.
        let quoted = table("c.csv", "\"a\nb\"", MAX_ROWS - 1, "\n");
        assert_eq!(too_many_records(&quoted), None);
        // Nor are the two bytes of a Windows line end two records, or a lone `\r` none.
        assert_eq!(
            too_many_records(&table("d.csv", "a", MAX_ROWS - 1, "\r\n")),
            None
        );
        let old_mac = table("e.csv", "a", MAX_ROWS, "\r");
        assert_eq!(too_many_records(&old_mac), Some(MAX_ROWS));
        assert_eq!(too_many_records(&dir.path().join("missing.csv")), None);
    }

    #[test]
    fn headers_are_chinese_then_the_column() {
        assert_eq!(bilingual("district"), "区县 district");
        assert_eq!(
            bilingual("base_p_shortfall"),
            "基准学位不足概率 base_p_shortfall"
        );
        assert_eq!(bilingual("seats_after"), "学位数（规划后） seats_after");
        assert_eq!(bilingual("something_new"), "something_new");
    }
}
