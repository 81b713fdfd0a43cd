//! Writing figures and files: every figure is drawn once, as SVG, and the PNG is rasterised from
//! that SVG by resvg with the embedded fonts (so both files show the same thing, Chinese
//! included, on a machine without fonts); each file goes to a temporary name beside its final
//! name and is then renamed.

use std::fs;
use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingAreaErrorKind, DrawingBackend};
use plotters::prelude::{IntoDrawingArea, SVGBackend};
use resvg::{tiny_skia, usvg};

use super::font;
use super::PlotError;

/// What drawing on a plotters area returns.
pub(crate) type DrawResult<DB> =
    Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// A chart that can be drawn on any plotters backend.
pub(crate) trait Figure {
    /// File name without extension, e.g. `heat_p_shortfall_primary`.
    fn stem(&self) -> String;
    /// Width and height in pixels.
    fn size(&self) -> (u32, u32);
    /// Draws the figure on `root`.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB>;
}

/// The two files of a figure.
#[derive(Debug, Clone)]
pub(crate) struct Written {
    pub png: PathBuf,
    pub svg: PathBuf,
}

/// Draws `figure` into `dir` as `<stem>.svg` and, rasterised from it, `<stem>.png`.
pub(crate) fn write_figure(dir: &Path, figure: &impl Figure) -> Result<Written, PlotError> {
    let stem = figure.stem();
    let written = Written {
        png: dir.join(format!("{stem}.png")),
        svg: dir.join(format!("{stem}.svg")),
    };
    let svg = svg(figure).map_err(|message| PlotError::Draw {
        path: written.svg.clone(),
        message,
    })?;
    let png = rasterise(&svg).map_err(|message| PlotError::Draw {
        path: written.png.clone(),
        message,
    })?;
    write_atomic(&written.svg, svg.as_bytes())?;
    write_atomic(&written.png, &png)?;
    Ok(written)
}

/// The SVG text of `figure`.
pub(crate) fn svg(figure: &impl Figure) -> Result<String, String> {
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, figure.size()).into_drawing_area();
        figure
            .draw(&root)
            .and_then(|()| root.present())
            .map_err(|e| e.to_string())?;
    }
    Ok(text)
}

/// The PNG of an SVG drawing: its text shaped and drawn from the embedded fonts alone.
pub(crate) fn rasterise(svg: &str) -> Result<Vec<u8>, String> {
    let options = usvg::Options {
        fontdb: font::database(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| e.to_string())?;
    let size = tree.size().to_int_size();
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or_else(|| format!("cannot draw an image of {size:?}"))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    encode_png(&pixmap).map_err(|e| e.to_string())
}

/// The PNG of an opaque pixmap, as RGB with fast compression.
fn encode_png(pixmap: &tiny_skia::Pixmap) -> Result<Vec<u8>, png::EncodingError> {
    // On an opaque pixmap premultiplied RGBA is plain RGBA: drop the alpha.
    let rgb: Vec<u8> = pixmap
        .data()
        .chunks_exact(4)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect();
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&rgb)?;
    writer.finish()?;
    Ok(out)
}

/// Writes `bytes` to a temporary file beside `path` and renames it to `path`.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), PlotError> {
    let temp = crate::report::temp_name(path);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The pixels of one line of `text` rasterised by [`rasterise`].
    fn drawn(text: &str) -> Vec<u8> {
        let svg = format!(
            r#"<svg width="120" height="40" xmlns="http://www.w3.org/2000/svg"><text x="4" y="30" font-family="{}" font-size="24">{text}</text></svg>"#,
            font::FAMILY
        );
        let png = rasterise(&svg).expect("draws");
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let mut reader = decoder.read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        reader.next_frame(&mut pixels).unwrap();
        pixels
    }

    #[test]
    fn chinese_is_drawn_from_the_embedded_fonts_glyph_by_glyph() {
        let blank = drawn("");
        let (jia, yi) = (drawn("甲区"), drawn("乙区"));
        assert!(blank.iter().all(|&c| c == 255), "a white page");
        assert_ne!(jia, blank, "甲区 leaves ink");
        // Two different characters, not two missing-glyph boxes.
        assert_ne!(jia, yi);
        assert_ne!(drawn("Jinshui"), blank);
    }
}
