//! Writing figures and files: every figure is drawn once as PNG (embedded font only) and once as
//! SVG (any text), each to a temporary name beside its final name and then renamed.

use std::fs;
use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::{BitMapBackend, DrawingArea, DrawingAreaErrorKind, DrawingBackend};
use plotters::prelude::{IntoDrawingArea, SVGBackend};

use super::glyphs::Glyphs;
use super::PlotError;

/// What drawing on a plotters area returns.
pub(crate) type DrawResult<DB> =
    Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// Which text a backend can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Script {
    /// Only what the embedded font has glyphs for (PNG).
    Embedded,
    /// Any Unicode text; the viewer's fonts draw it (SVG).
    Any,
}

/// A chart that can be drawn on any plotters backend.
pub(crate) trait Figure {
    /// File name without extension, e.g. `heat_p_shortfall_primary`.
    fn stem(&self) -> String;
    /// Width and height in pixels.
    fn size(&self) -> (u32, u32);
    /// Draws the figure on `root`, using only text that `script` allows.
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        script: Script,
    ) -> DrawResult<DB>;
}

/// The two files of a figure.
#[derive(Debug, Clone)]
pub(crate) struct Written {
    pub png: PathBuf,
    pub svg: PathBuf,
}

/// Draws `figure` into `dir` as `<stem>.png` and `<stem>.svg`.
pub(crate) fn write_figure(dir: &Path, figure: &impl Figure) -> Result<Written, PlotError> {
    let stem = figure.stem();
    let written = Written {
        png: dir.join(format!("{stem}.png")),
        svg: dir.join(format!("{stem}.svg")),
    };
    write_png(&written.png, figure)?;
    write_svg(&written.svg, figure)?;
    Ok(written)
}

/// Draws `figure` as a PNG at `path`.
fn write_png(path: &Path, figure: &impl Figure) -> Result<(), PlotError> {
    let temp = temp_path(path);
    let drawn = {
        let root = Glyphs(BitMapBackend::new(&temp, figure.size())).into_drawing_area();
        figure
            .draw(&root, Script::Embedded)
            .and_then(|()| root.present())
            .map_err(|e| e.to_string())
    };
    match drawn {
        Ok(()) => rename(&temp, path),
        Err(message) => {
            // Best effort: the temporary file may not exist, and the draw error matters more.
            let _ = fs::remove_file(&temp);
            Err(PlotError::Draw {
                path: path.to_path_buf(),
                message,
            })
        }
    }
}

/// Draws `figure` as an SVG at `path`.
fn write_svg(path: &Path, figure: &impl Figure) -> Result<(), PlotError> {
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, figure.size()).into_drawing_area();
        figure
            .draw(&root, Script::Any)
            .and_then(|()| root.present())
            .map_err(|e| PlotError::Draw {
                path: path.to_path_buf(),
                message: e.to_string(),
            })?;
    }
    write_atomic(path, text.as_bytes())
}

/// Writes `bytes` to a temporary file beside `path` and renames it to `path`.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), PlotError> {
    let temp = temp_path(path);
    fs::write(&temp, bytes).map_err(|source| PlotError::Write {
        path: temp.clone(),
        source,
    })?;
    rename(&temp, path)
}

/// Renames a finished temporary file to its final name.
fn rename(temp: &Path, path: &Path) -> Result<(), PlotError> {
    fs::rename(temp, path).map_err(|source| PlotError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// An id made safe for a file name: ASCII letters, digits, `-` and `_`; anything else becomes `_`.
pub(crate) fn file_id(id: &str) -> String {
    id.chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '-' | '_' => c,
            _ => '_',
        })
        .collect()
}

/// `dir/.name.tmp.ext` for `dir/name.ext`: hidden, same folder, same extension (the PNG
/// encoder picks its format from the extension).
fn temp_path(path: &Path) -> PathBuf {
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    let ext = path.extension().unwrap_or_default().to_string_lossy();
    path.with_file_name(format!(".{stem}.tmp.{ext}"))
}
