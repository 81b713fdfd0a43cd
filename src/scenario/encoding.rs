//! The text encodings a CSV table may arrive in: UTF-8 (with or without the byte-order mark
//! Excel writes) or, failing that, GB18030 — a superset of GBK, what Excel on Chinese Windows
//! saves as "CSV".

use std::fmt;
use std::path::{Path, PathBuf};

use super::ScenarioError;

/// How a table's bytes were decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8 without a byte-order mark.
    Utf8,
    /// UTF-8 after a byte-order mark (Excel's "CSV UTF-8").
    Utf8Bom,
    /// GB18030 (GBK, GB2312), where the bytes are not UTF-8.
    Gb18030,
}

impl fmt::Display for TextEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf8Bom => "UTF-8 with BOM",
            TextEncoding::Gb18030 => "GB18030",
        })
    }
}

/// One table file read, and how its text was decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableFile {
    /// The file.
    pub path: PathBuf,
    /// Its encoding.
    pub encoding: TextEncoding,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";
/// What a file that must be UTF-8 and is not is told.
pub const NOT_UTF8: &str = "the file is not valid UTF-8 (save it as UTF-8)";

/// Decodes `bytes`, the contents of `path`: UTF-8 (a leading BOM dropped), else GB18030;
/// bytes that are neither get the UTF-8 error at their line.
pub fn decode(path: &Path, bytes: Vec<u8>) -> Result<(String, TextEncoding), ScenarioError> {
    if let Some(rest) = bytes.strip_prefix(BOM) {
        return utf8(path, rest.to_vec(), NOT_UTF8).map(|t| (t, TextEncoding::Utf8Bom));
    }
    let bytes = match String::from_utf8(bytes) {
        Ok(text) => return Ok((text, TextEncoding::Utf8)),
        Err(e) => e.into_bytes(),
    };
    match encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(&bytes) {
        Some(text) => Ok((text.into_owned(), TextEncoding::Gb18030)),
        None => utf8(
            path,
            bytes,
            "the file is not valid UTF-8 nor GB18030 (save it as UTF-8)",
        )
        .map(|t| (t, TextEncoding::Utf8)),
    }
}

/// `bytes` as UTF-8, or `message` at the line of the first invalid byte.
pub fn utf8(path: &Path, bytes: Vec<u8>, message: &str) -> Result<String, ScenarioError> {
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(&e.into_bytes()[..offset]).into_owned();
        ScenarioError::at_offset(path, &text, offset, message)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(bytes: &[u8]) -> Result<(String, TextEncoding), ScenarioError> {
        decode(Path::new("t.csv"), bytes.to_vec())
    }

    #[test]
    fn utf8_with_and_without_bom_and_gb18030_are_read() {
        assert_eq!(
            decoded("id,name\na,中原区\n".as_bytes()).unwrap(),
            ("id,name\na,中原区\n".into(), TextEncoding::Utf8)
        );
        let with_bom = [BOM, "id\n".as_bytes()].concat();
        assert_eq!(
            decoded(&with_bom).unwrap(),
            ("id\n".into(), TextEncoding::Utf8Bom)
        );
        let (gbk, _, _) = encoding_rs::GB18030.encode("id,name\na,中原区\n");
        assert_eq!(
            decoded(&gbk).unwrap(),
            ("id,name\na,中原区\n".into(), TextEncoding::Gb18030)
        );
    }

    #[test]
    fn bytes_of_neither_are_refused_at_their_line() {
        // 0xFF is never a lead byte in GB18030 nor valid in UTF-8.
        let e = decoded(b"id\nok\n\xFF\xFF\n").unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("not valid UTF-8 nor GB18030"), "{e}");
    }
}
