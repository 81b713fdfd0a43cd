//! District maps per stage: a choropleth of `p_shortfall` in one year, with functional zones
//! (districts with no boundary of their own) as marked circles inside their host district.
//! Features are filled largest first, so an enclave drawn later stays visible; holes are outlined
//! but not cut out.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::{self, Item, Key, GREY};
use super::colour;
use super::data::{DistrictInfo, MapKind, Run, StageInfo};
use super::fan::run_line;
use super::font::{can_draw, text_width};
use super::geo::{self, Feature, Point, Projection, Shape};
use super::labels::{self, percent, Form};
use super::output::{file_id, DrawResult, Figure, Script};

/// Figure width in pixels.
const WIDTH: u32 = 1400;
/// Height of the title block.
const HEAD: i32 = 100;
/// Width of the legend column on the right.
const SIDE: i32 = 340;
/// Radius of a functional-zone circle.
const ZONE: f64 = 15.0;
/// Label text size.
const LABEL: f64 = 14.0;

/// A box in pixels: left, top, right, bottom.
type Rect = (f64, f64, f64, f64);

/// The map of one stage in one year.
pub(crate) struct DistrictMap<'a> {
    /// The run.
    pub run: &'a Run,
    /// The stage.
    pub stage: &'a StageInfo,
    /// The school year shown.
    pub year: i32,
    /// The boundaries, from `map.geojson`.
    pub features: &'a [Feature],
}

/// A functional zone placed on the map.
struct Zone<'a> {
    district: &'a DistrictInfo,
    centre: Point,
}

impl<'a> DistrictMap<'a> {
    /// `p_shortfall` of a district in the map's year.
    fn probability(&self, id: &str) -> Option<f64> {
        self.run.risk_at(id, &self.stage.id, self.year)?.p_shortfall
    }

    /// The polygon district drawn as feature `f`, if any.
    fn owner(&self, f: &Feature) -> Option<&'a DistrictInfo> {
        self.run.info.districts.iter().find(|d| {
            d.map_kind != Some(MapKind::Point) && d.map_feature.as_deref().is_some_and(|k| f.matches(k))
        })
    }

    /// Districts of the scenario that have no place on the map.
    fn missing(&self) -> Vec<&'a DistrictInfo> {
        let on_map = |d: &&DistrictInfo| {
            d.map_feature.as_deref().is_some_and(|k| self.features.iter().any(|f| f.matches(k)))
        };
        self.run.info.districts.iter().filter(|d| !on_map(d)).collect()
    }

    /// Fills and outlines every feature; returns the shapes in pixels.
    fn draw_shapes<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        projection: &Projection,
    ) -> Result<Vec<Shape>, DrawingAreaErrorKind<DB::ErrorType>> {
        let shapes: Vec<Shape> = self.features.iter().map(|f| projection.shape(&f.shape)).collect();
        let mut order: Vec<usize> = (0..shapes.len()).collect();
        order.sort_by(|&a, &b| geo::area(&shapes[b]).total_cmp(&geo::area(&shapes[a])));
        for &i in &order {
            let p = self.owner(&self.features[i]).and_then(|d| self.probability(&d.id));
            let fill = p.map_or(colour::NO_DATA, colour::probability);
            for ring in shapes[i].iter().filter_map(|poly| poly.first()) {
                area.draw(&Polygon::new(pixels(ring), fill.filled()))?;
            }
        }
        for ring in shapes.iter().flatten().flatten() {
            let mut closed = pixels(ring);
            closed.extend(closed.first().copied());
            area.draw(&PathElement::new(closed, RGBColor(60, 60, 60).stroke_width(1)))?;
        }
        Ok(shapes)
    }

    /// The map frame: left, top, width, height in pixels, as tall as the map's shape needs.
    fn frame(&self) -> (f64, f64, f64, f64) {
        let width = f64::from(WIDTH as i32 - SIDE - 40);
        let height = (width / geo::aspect(self.features)).clamp(520.0, 1100.0);
        (20.0, f64::from(HEAD + 20), width, height)
    }

    /// Places every functional zone inside its host feature, apart from the others.
    fn place_zones(&self, shapes: &[Shape], anchors: &[Point], placer: &mut Placer) -> Vec<Zone<'a>> {
        let mut zones = Vec::new();
        for district in self.run.info.districts.iter().filter(|d| d.map_kind == Some(MapKind::Point)) {
            let key = district.map_feature.as_deref().unwrap_or_default();
            let Some(host) = self.features.iter().position(|f| f.matches(key)) else {
                continue;
            };
            let size = (2.0 * ZONE + 8.0, 2.0 * ZONE + 8.0);
            let inside = |r: &Rect| disc_inside(&shapes[host], centre(r), ZONE + 4.0);
            let spots = candidates(anchors[host], size, 2.0 * ZONE).filter(inside);
            if let Some(rect) = placer.place(spots) {
                zones.push(Zone { district, centre: centre(&rect) });
            }
        }
        zones
    }

    /// Draws the label of every feature at its anchor (the district's name and probability,
    /// or for a feature without a district its name where the script can show it).
    fn draw_feature_labels<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        anchors: &[Point],
        placer: &mut Placer,
        script: Script,
    ) -> DrawResult<DB> {
        for (f, anchor) in self.features.iter().zip(anchors) {
            let lines = match self.owner(f) {
                Some(d) => self.label_lines(d, script),
                None => f.name.iter().filter(|n| script == Script::Any || can_draw(n)).cloned().collect(),
            };
            label(area, placer, &lines, *anchor, 0.0)?;
        }
        Ok(())
    }

    /// Draws each zone's circle and its label beside it.
    fn draw_zones<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        zones: &[Zone],
        placer: &mut Placer,
        script: Script,
    ) -> DrawResult<DB> {
        for zone in zones {
            let fill = self.probability(&zone.district.id).map_or(colour::NO_DATA, colour::probability);
            canvas::zone_marker(area, pixel(zone.centre), ZONE as i32, fill)?;
            label(area, placer, &self.label_lines(zone.district, script), zone.centre, ZONE + 6.0)?;
        }
        Ok(())
    }

    /// Name and probability of a district.
    fn label_lines(&self, d: &DistrictInfo, script: Script) -> Vec<String> {
        let name = labels::district(self.run, &d.id, script, Form::Short);
        let p = self.probability(&d.id).map_or_else(|| "n/a".to_string(), percent);
        vec![name, p]
    }

    /// The legend column.
    fn draw_legend<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, script: Script) -> DrawResult<DB> {
        let width = f64::from(SIDE - 40);
        let heading = format!("% of trials with a seat shortfall in {}", self.year);
        let y = canvas::colour_bar(area, &heading, (16, HEAD + 10), width)?;
        let mut items = vec![
            Item::new(Key::Zone(colour::probability(0.5)), "Functional zone with no boundary of its own: a circle inside the district that hosts it, coloured by the zone's own risk; the host's colour is the host's own risk."),
            Item::new(Key::Fill(colour::NO_DATA.to_rgba()), "No data for this stage and year"),
        ];
        let missing: Vec<String> = self.missing().iter().map(|d| labels::district(self.run, &d.id, script, Form::Short)).collect();
        if !missing.is_empty() {
            items.push(Item::new(Key::Note, format!("Not on the map (no map feature): {}.", missing.join(", "))));
        }
        canvas::legend(area, &items, (16, y), width).map(drop)
    }
}

impl Figure for DistrictMap<'_> {
    fn stem(&self) -> String {
        format!("map_p_shortfall_{}_{}", file_id(&self.stage.id), self.year)
    }

    fn size(&self) -> (u32, u32) {
        let (_, top, _, height) = self.frame();
        (WIDTH, (top + height + 30.0).max(720.0) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, script: Script) -> DrawResult<DB> {
        root.fill(&WHITE)?;
        let title = format!("Probability of a seat shortfall by district, {} – {}", self.year, labels::stage(self.stage));
        let subtitle = format!(
            "Colour: % of trials in which the district has more pupils than public seats in school year {} (p_shortfall in risk.csv). {}",
            self.year,
            run_line(self.run)
        );
        canvas::title(root, &title, &subtitle)?;
        let frame = self.frame();
        let projection = Projection::fit(self.features, frame);
        let shapes = self.draw_shapes(root, &projection)?;
        let anchors: Vec<Point> = self
            .features
            .iter()
            .zip(&shapes)
            .map(|(f, s)| geo::interior_point(s, f.hint.map(|h| projection.point(h))))
            .collect();
        let mut placer = Placer::new((frame.0, frame.1, frame.0 + frame.2, frame.1 + frame.3));
        self.draw_feature_labels(root, &anchors, &mut placer, script)?;
        let zones = self.place_zones(&shapes, &anchors, &mut placer);
        self.draw_zones(root, &zones, &mut placer, script)?;
        let (_, side) = root.split_horizontally(WIDTH as i32 - SIDE);
        self.draw_legend(&side, script)
    }
}

/// Draws a label of `lines` near `at`, clear of `clearance` pixels around it and of earlier
/// labels, with a leader line when it had to move away.
fn label<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    placer: &mut Placer,
    lines: &[String],
    at: Point,
    clearance: f64,
) -> DrawResult<DB> {
    if lines.is_empty() {
        return Ok(());
    }
    let width = lines.iter().map(|l| text_width(l, LABEL)).fold(0.0, f64::max) + 8.0;
    let height = lines.len() as f64 * (LABEL + 2.0) + 4.0;
    let Some(rect) = placer.place(candidates(at, (width, height), clearance)) else {
        return Ok(());
    };
    let near = (at.0.clamp(rect.0, rect.2), at.1.clamp(rect.1, rect.3));
    if (near.0 - at.0).hypot(near.1 - at.1) > clearance + 4.0 {
        area.draw(&PathElement::new(vec![pixel(at), pixel(near)], GREY.stroke_width(1)))?;
    }
    let (x0, y0) = pixel((rect.0, rect.1));
    area.draw(&Rectangle::new([(x0, y0), pixel((rect.2, rect.3))], WHITE.mix(0.8).filled()))?;
    let style = canvas::style(LABEL, BLACK, HPos::Center, VPos::Top);
    for (i, line) in lines.iter().enumerate() {
        let y = y0 + 3 + (i as f64 * (LABEL + 2.0)) as i32;
        canvas::text(area, line, (((rect.0 + rect.2) / 2.0) as i32, y), &style)?;
    }
    Ok(())
}

/// Boxes of `size` around `at`, nearest first: centred (when `clearance` is 0), then to the
/// right, left, below, above and diagonally, `clearance` pixels away and further.
fn candidates(at: Point, (w, h): (f64, f64), clearance: f64) -> impl Iterator<Item = Rect> {
    const DIRECTIONS: [(f64, f64); 9] = [
        (0.0, 0.0), (1.0, 0.0), (-1.0, 0.0), (0.0, 1.0), (0.0, -1.0),
        (1.0, 1.0), (-1.0, 1.0), (1.0, -1.0), (-1.0, -1.0),
    ];
    (0..12).flat_map(move |step| {
        let reach = clearance + f64::from(step) * 10.0;
        DIRECTIONS.into_iter().map(move |(dx, dy)| {
            let cx = at.0 + dx * (reach + w / 2.0);
            let cy = at.1 + dy * (reach + h / 2.0);
            (cx - w / 2.0, cy - h / 2.0, cx + w / 2.0, cy + h / 2.0)
        })
    })
}

/// Keeps track of the boxes already used so that nothing drawn later overlaps them.
struct Placer {
    bounds: Rect,
    taken: Vec<Rect>,
}

impl Placer {
    /// A placer for boxes inside `bounds`.
    fn new(bounds: Rect) -> Placer {
        Placer { bounds, taken: Vec::new() }
    }

    /// Takes the first of `options` inside the bounds and clear of earlier boxes.
    fn place(&mut self, mut options: impl Iterator<Item = Rect>) -> Option<Rect> {
        let b = self.bounds;
        let fits = |r: &Rect| r.0 >= b.0 && r.1 >= b.1 && r.2 <= b.2 && r.3 <= b.3;
        let free = |r: &Rect| !self.taken.iter().any(|t| r.0 < t.2 && t.0 < r.2 && r.1 < t.3 && t.1 < r.3);
        let chosen = options.find(|r| fits(r) && free(r))?;
        self.taken.push(chosen);
        Some(chosen)
    }
}

/// Whether a disc of `radius` around `c` lies inside `shape` (its centre and eight rim points).
fn disc_inside(shape: &Shape, c: Point, radius: f64) -> bool {
    let rim = (0..8).map(|k| {
        let a = f64::from(k) * std::f64::consts::FRAC_PI_4;
        (c.0 + radius * a.cos(), c.1 + radius * a.sin())
    });
    std::iter::once(c).chain(rim).all(|p| geo::contains(shape, p))
}

/// The centre of a box.
fn centre(r: &Rect) -> Point {
    ((r.0 + r.2) / 2.0, (r.1 + r.3) / 2.0)
}

/// A point as whole pixels.
fn pixel(p: Point) -> (i32, i32) {
    (p.0.round() as i32, p.1.round() as i32)
}

/// A ring as whole pixels.
fn pixels(ring: &[Point]) -> Vec<(i32, i32)> {
    ring.iter().map(|p| pixel(*p)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placer_never_overlaps_and_stays_in_bounds() {
        let mut placer = Placer::new((0.0, 0.0, 200.0, 200.0));
        let placed: Vec<Rect> = (0..6)
            .filter_map(|_| placer.place(candidates((100.0, 100.0), (40.0, 20.0), 0.0)))
            .collect();
        assert_eq!(placed.len(), 6);
        for (i, a) in placed.iter().enumerate() {
            assert!(a.0 >= 0.0 && a.1 >= 0.0 && a.2 <= 200.0 && a.3 <= 200.0);
            for b in &placed[i + 1..] {
                assert!(a.2 <= b.0 || b.2 <= a.0 || a.3 <= b.1 || b.3 <= a.1, "{a:?} overlaps {b:?}");
            }
        }
    }
}
