//! District maps per stage: a choropleth of `p_shortfall` in one year, each district labelled
//! with its probability and expected shortfall in seats, with functional zones (districts with
//! no boundary of their own) as marked circles inside their host district. A stage pooled
//! city-wide is one colour over the whole city, with the city's numbers.
//! Features are filled largest first, so an enclave drawn later stays visible; holes are outlined
//! but not cut out.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::{self, Item, Key, GREY};
use super::colour;
use super::data::{DistrictInfo, MapKind, Run, StageInfo, Standards, ALL};
use super::font::{can_draw, text_width};
use super::geo::{self, Feature, Point, Projection, Shape};
use super::labels::{self, percent, thousands, Form};
use super::output::{file_id, DrawResult, Figure};

/// Figure width in pixels.
const WIDTH: u32 = 1400;
/// Height of the title block.
const HEAD: i32 = 100;
/// Width of the legend column on the right.
const SIDE: i32 = 340;
/// Radius of a functional-zone circle.
const ZONE: f64 = 15.0;
/// Preferred distance of a zone's circle from its host's label point.
const ZONE_REACH: f64 = 45.0;
/// Label text size: at least 12 px where the report shows the map 1,000 px wide.
const LABEL: f64 = 21.0;

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

/// Features in pixels, with the point where each one's label goes.
struct Layout {
    shapes: Vec<Shape>,
    anchors: Vec<Point>,
}

impl<'a> DistrictMap<'a> {
    /// `p_shortfall` of a district (or `ALL`) in the map's year.
    fn probability(&self, id: &str) -> Option<f64> {
        self.run.risk_at(id, &self.stage.id, self.year)?.p_shortfall
    }

    /// The fill of a district: its probability's colour, or grey without one; for a stage
    /// pooled city-wide, the city's colour everywhere.
    fn fill(&self, id: Option<&str>) -> RGBColor {
        let id = if self.stage.is_city_wide() {
            Some(ALL)
        } else {
            id
        };
        id.and_then(|id| self.probability(id))
            .map_or(colour::NO_DATA, colour::probability)
    }

    /// "62% · 3,210": the probability of a shortfall and the expected shortfall in seats of a
    /// district (or `ALL`) in the map's year.
    fn numbers(&self, id: &str) -> String {
        let row = self.run.risk_at(id, &self.stage.id, self.year);
        let p = row
            .and_then(|r| r.p_shortfall)
            .map_or_else(|| "n/a".to_string(), percent);
        match row.and_then(|r| r.expected_shortfall) {
            Some(e) => format!("{p} · {}", thousands(e)),
            None => p,
        }
    }

    /// The polygon district drawn as feature `f`, if any.
    fn owner(&self, f: &Feature) -> Option<&'a DistrictInfo> {
        self.run.info.districts.iter().find(|d| {
            d.map_kind != Some(MapKind::Point)
                && d.map_feature.as_deref().is_some_and(|k| f.matches(k))
        })
    }

    /// The feature hosting district `d`, if the map has it.
    fn host(&self, d: &DistrictInfo) -> Option<usize> {
        let key = d.map_feature.as_deref()?;
        self.features.iter().position(|f| f.matches(key))
    }

    /// The map frame: left, top, width, height in pixels, as tall as the map's shape needs.
    fn frame(&self) -> Rect {
        let width = f64::from(WIDTH as i32 - SIDE - 40);
        let height = (width / geo::aspect(self.features)).clamp(520.0, 1100.0);
        (20.0, f64::from(HEAD + 20), width, height)
    }

    /// Projects the features into the frame and finds their label points.
    fn layout(&self) -> Layout {
        let projection = Projection::fit(self.features, self.frame());
        let shapes: Vec<Shape> = self
            .features
            .iter()
            .map(|f| projection.shape(&f.shape))
            .collect();
        let anchors = self
            .features
            .iter()
            .zip(&shapes)
            .map(|(f, s)| geo::interior_point(s, f.hint.map(|h| projection.point(h))))
            .collect();
        Layout { shapes, anchors }
    }

    /// Fills every feature, largest first, and outlines them all.
    fn draw_shapes<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        shapes: &[Shape],
    ) -> DrawResult<DB> {
        let mut order: Vec<usize> = (0..shapes.len()).collect();
        order.sort_by(|&a, &b| geo::area(&shapes[b]).total_cmp(&geo::area(&shapes[a])));
        for i in order {
            let fill = self.fill(self.owner(&self.features[i]).map(|d| d.id.as_str()));
            for ring in shapes[i].iter().filter_map(|poly| poly.first()) {
                area.draw(&Polygon::new(pixels(ring), fill.filled()))?;
            }
        }
        for ring in shapes.iter().flatten().flatten() {
            let mut closed = pixels(ring);
            closed.extend(closed.first().copied());
            area.draw(&PathElement::new(
                closed,
                RGBColor(60, 60, 60).stroke_width(1),
            ))?;
        }
        Ok(())
    }

    /// Draws the label of every feature at its anchor: the district's name and numbers, or
    /// for a feature without a district its name where the fonts can draw it.
    fn draw_feature_labels<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        layout: &Layout,
        placer: &mut Placer,
    ) -> DrawResult<DB> {
        for (f, &anchor) in self.features.iter().zip(&layout.anchors) {
            let lines = match self.owner(f) {
                Some(d) => self.label_lines(d),
                None => f.name.iter().filter(|n| can_draw(n)).cloned().collect(),
            };
            if lines.is_empty() {
                continue;
            }
            if let Some(rect) = placer.place(candidates(anchor, label_size(&lines), 0.0)) {
                draw_label(area, &lines, rect, anchor, false)?;
            }
        }
        Ok(())
    }

    /// For a stage pooled city-wide, the city's numbers in a framed box at the map's top left.
    fn draw_city_box<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        placer: &mut Placer,
    ) -> DrawResult<DB> {
        if !self.stage.is_city_wide() {
            return Ok(());
        }
        let lines = vec!["全市统筹 Pooled city-wide".to_string(), self.numbers(ALL)];
        let (w, h) = label_size(&lines);
        let (x, y) = (placer.bounds.0, placer.bounds.1);
        let rect = (x, y, x + w, y + h);
        placer.taken.push(rect);
        draw_label(area, &lines, rect, (x, y), true)
    }

    /// Draws each functional zone: a circle inside its host feature, clear of other labels and
    /// circles, with its own label right beside it.
    fn draw_zones<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        layout: &Layout,
        placer: &mut Placer,
    ) -> DrawResult<DB> {
        let zones = self
            .run
            .info
            .districts
            .iter()
            .filter(|d| d.map_kind == Some(MapKind::Point));
        for zone in zones {
            let Some(host) = self.host(zone) else {
                continue;
            };
            let lines = self.label_lines(zone);
            let (shape, anchor) = (&layout.shapes[host], layout.anchors[host]);
            let spots = zone_spots(shape, anchor);
            let Some((centre, rect)) = placer.place_pair(spots, anchor, label_size(&lines)) else {
                continue;
            };
            canvas::zone_marker(area, pixel(centre), ZONE as i32, self.fill(Some(&zone.id)))?;
            draw_label(area, &lines, rect, centre, true)?;
        }
        Ok(())
    }

    /// Name and numbers of a district; its name alone for a stage pooled city-wide.
    fn label_lines(&self, d: &DistrictInfo) -> Vec<String> {
        let name = labels::district(self.run, &d.id, Form::Short);
        if self.stage.is_city_wide() {
            return vec![name];
        }
        vec![name, self.numbers(&d.id)]
    }

    /// The legend column.
    fn draw_legend<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let width = f64::from(SIDE - 40);
        let heading = format!(
            "{} 年出现学位缺口的模拟占比 % of trials with a seat shortfall in {}",
            self.year, self.year
        );
        let y = canvas::colour_bar(area, &heading, (16, HEAD + 10), width)?;
        let mut items = vec![
            Item::new(Key::Note, "标签：区名；缺口概率 · 预期缺口（学位） Labels: district; % of trials short · expected shortfall in seats (risk.csv)."),
            Item::new(Key::Zone(colour::probability(0.5)), "功能区（无独立边界）：所在区内的圆圈 Functional zone with no boundary of its own: a circle inside its host district, coloured by the zone's own risk."),
            Item::new(Key::Fill(colour::NO_DATA.to_rgba()), "无数据 No data for this stage and year"),
        ];
        if self.stage.is_city_wide() {
            items.insert(0, Item::new(Key::Note, "本学段全市统筹招生：全市一种颜色，数字为全市合计 This stage is pooled city-wide: one colour for the whole city, with the city's numbers."));
        }
        let missing: Vec<String> = self
            .run
            .info
            .districts
            .iter()
            .filter(|d| self.host(d).is_none())
            .map(|d| labels::district(self.run, &d.id, Form::Short))
            .collect();
        if !missing.is_empty() {
            let note = format!(
                "未上图 Not on the map (no map feature): {}.",
                missing.join(", ")
            );
            items.push(Item::new(Key::Note, note));
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
        // Tall enough for the legend column, badges and notes included.
        (WIDTH, (top + height + 30.0).max(840.0) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        root.fill(&WHITE)?;
        let title = format!(
            "{} 年各区学位缺口风险 Seat shortfall risk by district, {} – {}",
            self.year,
            self.year,
            labels::stage(self.stage)
        );
        // A stage pooled city-wide is short as a whole city, not district by district.
        let place = if self.stage.is_city_wide() {
            "the city"
        } else {
            "the district"
        };
        let subtitle = format!(
            "颜色：缺口概率，越红风险越高 Colour: % of trials in which {place} {} in school year {} (p_shortfall in risk.csv); the redder, the likelier. {}",
            Standards::shortfall_event(self.run.info.standards.as_ref()),
            self.year,
            labels::run_line(self.run)
        );
        canvas::title(root, &title, &subtitle)?;
        let layout = self.layout();
        self.draw_shapes(root, &layout.shapes)?;
        let frame = self.frame();
        let mut placer = Placer::new((frame.0, frame.1, frame.0 + frame.2, frame.1 + frame.3));
        self.draw_city_box(root, &mut placer)?;
        // Zones first: their circles must sit inside small hosts, whose own labels can move
        // aside with a leader line; the other way round a circle covers the host's numbers.
        self.draw_zones(root, &layout, &mut placer)?;
        self.draw_feature_labels(root, &layout, &mut placer)?;
        let (_, side) = root.split_horizontally(WIDTH as i32 - SIDE);
        self.draw_legend(&side)
    }
}

/// Width and height of a label box.
fn label_size(lines: &[String]) -> (f64, f64) {
    let width = lines
        .iter()
        .map(|l| text_width(l, LABEL))
        .fold(0.0, f64::max)
        + 8.0;
    (width, lines.len() as f64 * (LABEL + 2.0) + 4.0)
}

/// Draws a label box at `rect` for the thing at `at`, framed for a zone, with a leader line
/// when the box had to move away from it.
fn draw_label<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    lines: &[String],
    rect: Rect,
    at: Point,
    framed: bool,
) -> DrawResult<DB> {
    let near = (at.0.clamp(rect.0, rect.2), at.1.clamp(rect.1, rect.3));
    let gap = (near.0 - at.0).hypot(near.1 - at.1);
    let start = if framed { ZONE + 4.0 } else { 0.0 };
    if gap > start + 14.0 {
        let t = start / gap;
        let from = (at.0 + (near.0 - at.0) * t, at.1 + (near.1 - at.1) * t);
        area.draw(&PathElement::new(
            vec![pixel(from), pixel(near)],
            GREY.stroke_width(1),
        ))?;
    }
    let corners = [pixel((rect.0, rect.1)), pixel((rect.2, rect.3))];
    area.draw(&Rectangle::new(corners, WHITE.mix(0.8).filled()))?;
    if framed {
        area.draw(&Rectangle::new(corners, BLACK.stroke_width(1)))?;
    }
    let style = canvas::style(LABEL, BLACK, HPos::Center, VPos::Top);
    let x = ((rect.0 + rect.2) / 2.0).round() as i32;
    for (i, line) in lines.iter().enumerate() {
        let y = corners[0].1 + 3 + (i as f64 * (LABEL + 2.0)) as i32;
        canvas::text(area, line, (x, y), &style)?;
    }
    Ok(())
}

/// Boxes of `size` around `at`, nearest first: centred (when `clearance` is 0), then to the
/// right, left, below, above and diagonally, `clearance` pixels away and further.
fn candidates(at: Point, (w, h): (f64, f64), clearance: f64) -> impl Iterator<Item = Rect> {
    const DIRECTIONS: [(f64, f64); 9] = [
        (0.0, 0.0),
        (1.0, 0.0),
        (-1.0, 0.0),
        (0.0, 1.0),
        (0.0, -1.0),
        (1.0, 1.0),
        (-1.0, 1.0),
        (1.0, -1.0),
        (-1.0, -1.0),
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
        Placer {
            bounds,
            taken: Vec::new(),
        }
    }

    /// Whether `r` lies inside the bounds.
    fn fits(&self, r: &Rect) -> bool {
        let b = self.bounds;
        r.0 >= b.0 && r.1 >= b.1 && r.2 <= b.2 && r.3 <= b.3
    }

    /// Whether `r` lies inside the bounds and clear of every box taken.
    fn clear(&self, r: &Rect) -> bool {
        self.fits(r) && !self.taken.iter().any(|t| overlap(r, t))
    }

    /// Takes the first of `options` that is clear or, when none is, the first inside the
    /// bounds (an overlap beats leaving something out); `None` only when nothing fits.
    fn place(&mut self, options: impl Iterator<Item = Rect>) -> Option<Rect> {
        let mut fitting = options.filter(|r| self.fits(r)).peekable();
        let first = fitting.peek().copied();
        let chosen = fitting.find(|r| self.clear(r)).or(first)?;
        self.taken.push(chosen);
        Some(chosen)
    }

    /// Takes a circle at the first of `spots` that is clear with a clear label box of `size`
    /// right beside it; when none is, at the first clear spot, else the first spot (else
    /// `fallback`), with its label as near as it goes. Returns the circle's centre and the label box.
    fn place_pair(
        &mut self,
        spots: impl Iterator<Item = Point>,
        fallback: Point,
        size: (f64, f64),
    ) -> Option<(Point, Rect)> {
        let circle = |c: Point| square(c, ZONE + 4.0);
        let (mut first, mut first_clear) = (None, None);
        for c in spots {
            first.get_or_insert(c);
            if !self.clear(&circle(c)) {
                continue;
            }
            first_clear.get_or_insert(c);
            let mut beside = candidates(c, size, ZONE + 6.0).skip(1).take(8);
            if let Some(label) = beside.find(|r| self.clear(r) && !overlap(r, &circle(c))) {
                self.taken.extend([circle(c), label]);
                return Some((c, label));
            }
        }
        let c = first_clear.or(first).unwrap_or(fallback);
        self.taken.push(circle(c));
        Some((c, self.place(candidates(c, size, ZONE + 6.0).skip(1))?))
    }
}

/// Whether two boxes overlap.
fn overlap(a: &Rect, b: &Rect) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

/// Where a zone's circle may go in its host `shape`, best first: centres whose whole circle lies
/// inside, on rings around the host's label `anchor` starting [`ZONE_REACH`] away (close to the
/// host, clear of its label) and alternating inwards and outwards; lazily, as placing a zone
/// usually needs only the first few.
fn zone_spots(shape: &Shape, anchor: Point) -> impl Iterator<Item = Point> + '_ {
    const STEP: f64 = 8.0;
    const MAX_SPOTS: usize = 2000;
    let (x0, y0, x1, y1) = geo::bbox(shape);
    let farthest = [(x0, y0), (x1, y0), (x0, y1), (x1, y1)]
        .iter()
        .map(|c| (c.0 - anchor.0).hypot(c.1 - anchor.1))
        .fold(0.0, f64::max);
    let rings = (ZONE_REACH.max(farthest - ZONE_REACH) / STEP).ceil() as i32;
    let radii = (0..=rings)
        .flat_map(|k| {
            let d = f64::from(k) * STEP;
            [ZONE_REACH + d, if k == 0 { -1.0 } else { ZONE_REACH - d }]
        })
        .filter(move |r| (0.0..=farthest).contains(r));
    radii
        .flat_map(move |r| {
            let n = ((std::f64::consts::TAU * r / STEP).ceil() as usize).max(1);
            (0..n).map(move |i| {
                let a = std::f64::consts::TAU * i as f64 / n as f64;
                (anchor.0 + r * a.cos(), anchor.1 + r * a.sin())
            })
        })
        .filter(move |p| disc_inside(shape, *p, ZONE + 4.0))
        .take(MAX_SPOTS)
}

/// The square box of half-width `half` around `c`.
fn square(c: Point, half: f64) -> Rect {
    (c.0 - half, c.1 - half, c.0 + half, c.1 + half)
}

/// Whether a disc of `radius` around `c` lies inside `shape` (its centre and eight rim points).
fn disc_inside(shape: &Shape, c: Point, radius: f64) -> bool {
    let rim = (0..8).map(|k| {
        let a = f64::from(k) * std::f64::consts::FRAC_PI_4;
        (c.0 + radius * a.cos(), c.1 + radius * a.sin())
    });
    std::iter::once(c)
        .chain(rim)
        .all(|p| geo::contains(shape, p))
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
    fn placer_never_overlaps_while_there_is_room_and_stays_in_bounds() {
        let mut placer = Placer::new((0.0, 0.0, 200.0, 200.0));
        let placed: Vec<Rect> = (0..6)
            .filter_map(|_| placer.place(candidates((100.0, 100.0), (40.0, 20.0), 0.0)))
            .collect();
        assert_eq!(placed.len(), 6);
        for (i, a) in placed.iter().enumerate() {
            assert!(placer.fits(a));
            assert!(
                placed[i + 1..].iter().all(|b| !overlap(a, b)),
                "{a:?} overlaps"
            );
        }
    }

    #[test]
    fn zones_in_one_feature_get_separate_circles_with_labels_beside_them() {
        let square_feature: Shape = vec![vec![vec![
            (0.0, 0.0),
            (300.0, 0.0),
            (300.0, 300.0),
            (0.0, 300.0),
        ]]];
        let anchor = (150.0, 150.0);
        let mut placer = Placer::new((0.0, 0.0, 300.0, 300.0));
        let mut place =
            || placer.place_pair(zone_spots(&square_feature, anchor), anchor, (80.0, 36.0));
        let a = place().expect("room for the first");
        let b = place().expect("room for the second");
        assert!(!overlap(&square(a.0, ZONE + 4.0), &square(b.0, ZONE + 4.0)));
        assert!(!overlap(&a.1, &b.1) && !overlap(&a.1, &square(b.0, ZONE + 4.0)));
        assert!(disc_inside(&square_feature, a.0, ZONE) && disc_inside(&square_feature, b.0, ZONE));
    }
}
