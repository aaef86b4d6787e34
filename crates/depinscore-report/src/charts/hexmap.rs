//! The H3 map: each occupied cell's boundary (h3o) projected equirectangularly into the SVG,
//! shaded by how many active located nodes it holds.

use std::str::FromStr;

use h3o::CellIndex;
use serde::Serialize;

use super::scale::Linear;
use super::svg::{esc, no_data, num, open};
use crate::format;

const W: f64 = 640.0;
const H: f64 = 400.0;
const PAD: f64 = 24.0;
const TOP: f64 = 32.0;
const LEGEND: f64 = 44.0;
/// Light to dark blue.
const LOW: (f64, f64, f64) = (198.0, 219.0, 239.0);
/// A cell drawn smaller than this radius (px) is enlarged around its centre to stay visible.
const MIN_RADIUS: f64 = 5.0;
const HIGH: (f64, f64, f64) = (8.0, 48.0, 107.0);

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HexCell {
    /// H3 index, lower-case hex.
    pub cell: String,
    pub nodes: u64,
}

/// Occupied cells, as the report's data.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HexMap {
    pub id: String,
    pub title: String,
    pub description: String,
    /// The snapshot has the cells (it may still have none occupied).
    pub available: bool,
    pub resolution: Option<u8>,
    /// Readable cells, in the snapshot's order.
    pub cells: Vec<HexCell>,
    /// Cell strings that are not H3 indexes (left off the map, listed here).
    pub unreadable: Vec<String>,
    pub note: Option<String>,
}

impl HexMap {
    /// Keeps the cells h3o can read; the others go to `unreadable`.
    pub fn new(id: &str, resolution: Option<u8>, cells: Option<Vec<(String, u64)>>) -> HexMap {
        let available = cells.is_some();
        let (mut ok, mut bad) = (Vec::new(), Vec::new());
        for (cell, nodes) in cells.unwrap_or_default() {
            if CellIndex::from_str(&cell).is_ok() {
                ok.push(HexCell { cell, nodes });
            } else {
                bad.push(cell);
            }
        }
        let note = if !available {
            Some("not available: this snapshot predates the engine's per-cell counts".to_string())
        } else if ok.is_empty() {
            Some("no active node has a location".to_string())
        } else {
            None
        };
        let res = resolution.map_or_else(|| "?".to_string(), |r| r.to_string());
        let total: u64 = ok.iter().map(|c| c.nodes).sum();
        HexMap {
            id: id.to_string(),
            title: format!("Active located nodes per H3 cell (resolution {res})"),
            description: format!(
                "Map of {} occupied H3 cells at resolution {res} holding {} active located nodes, darker cells hold \
                 more nodes (equirectangular; a cell too small to see at this extent is drawn enlarged around its \
                 centre).",
                ok.len(),
                total
            ),
            available,
            resolution,
            cells: ok,
            unreadable: bad,
            note,
        }
    }

    /// The map as an SVG element: one `<polygon>` per readable cell.
    pub fn svg(&self) -> String {
        let polygons: Vec<(&HexCell, Vec<(f64, f64)>)> = self
            .cells
            .iter()
            .filter_map(|c| {
                let idx = CellIndex::from_str(&c.cell).ok()?;
                let vertices: Vec<(f64, f64)> = idx.boundary().iter().map(|ll| (ll.lat(), ll.lng())).collect();
                Some((c, unwrap_longitudes(vertices)))
            })
            .filter(|(_, v)| v.len() >= 3 && v.iter().all(|(a, b)| a.is_finite() && b.is_finite()))
            .collect();
        if polygons.is_empty() {
            let why = self.note.clone().unwrap_or_else(|| "no occupied cell".to_string());
            return no_data(&self.id, &self.title, &why);
        }
        let all = polygons.iter().flat_map(|(_, v)| v.iter().copied());
        let (mut lat0, mut lat1, mut lng0, mut lng1) =
            (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
        for (lat, lng) in all {
            (lat0, lat1, lng0, lng1) = (lat0.min(lat), lat1.max(lat), lng0.min(lng), lng1.max(lng));
        }
        // A margin, so cells on the extent's edge do not sit on the frame.
        let (pad_lat, pad_lng) = (((lat1 - lat0) * 0.04).max(0.01), ((lng1 - lng0) * 0.04).max(0.01));
        (lat0, lat1, lng0, lng1) = (lat0 - pad_lat, lat1 + pad_lat, lng0 - pad_lng, lng1 + pad_lng);
        // Equirectangular: x ∝ longitude × cos(mid latitude), y ∝ −latitude; same scale on both
        // axes, centred in the plot area.
        let k = ((lat0 + lat1) / 2.0).to_radians().cos().max(0.05);
        let (span_x, span_y) = (((lng1 - lng0) * k).max(1e-9), (lat1 - lat0).max(1e-9));
        let (plot_w, plot_h) = (W - 2.0 * PAD, H - TOP - LEGEND - PAD);
        let scale = (plot_w / span_x).min(plot_h / span_y);
        let (off_x, off_y) = (PAD + (plot_w - span_x * scale) / 2.0, TOP + (plot_h - span_y * scale) / 2.0);
        let project = |lat: f64, lng: f64| (off_x + (lng - lng0) * k * scale, off_y + (lat1 - lat) * scale);

        let max = polygons.iter().map(|(c, _)| c.nodes).max().unwrap_or(1);
        let min = polygons.iter().map(|(c, _)| c.nodes).min().unwrap_or(1);
        let shade = Linear { d0: min as f64, d1: max as f64, r0: 0.0, r1: 1.0 };

        let mut s = open(&self.id, W, H, &self.title, &self.description);
        s.push_str(&format!(
            r##"<rect class="map-bg" x="{}" y="{}" width="{}" height="{}"/>"##,
            num(PAD),
            num(TOP),
            num(plot_w),
            num(plot_h)
        ));
        graticule(&mut s, (lat0, lat1, lng0, lng1), &project, (PAD, TOP, PAD + plot_w, TOP + plot_h));
        for (c, vertices) in &polygons {
            let projected: Vec<(f64, f64)> = vertices.iter().map(|(lat, lng)| project(*lat, *lng)).collect();
            let points: Vec<String> =
                enlarge(projected).iter().map(|(x, y)| format!("{},{}", num(*x), num(*y))).collect();
            let t = if max == min { 1.0 } else { shade.at(c.nodes as f64) };
            s.push_str(&format!(
                r#"<polygon class="cell" points="{}" fill="{}"><title>{}: {} active node{}</title></polygon>"#,
                points.join(" "),
                colour(t),
                esc(&c.cell),
                c.nodes,
                if c.nodes == 1 { "" } else { "s" }
            ));
        }
        // Legend and extent (rectangles, so the polygon count is the cell count).
        let ly = H - LEGEND + 8.0;
        for step in 0..5 {
            let t = step as f64 / 4.0;
            s.push_str(&format!(
                r#"<rect x="{}" y="{}" width="28" height="12" fill="{}"/>"#,
                num(PAD + 90.0 + 28.0 * step as f64),
                num(ly),
                colour(t)
            ));
        }
        s.push_str(&format!(
            r#"<text class="tick" x="{}" y="{}">nodes per cell</text><text class="tick" x="{}" y="{}" text-anchor="end">{min}</text><text class="tick" x="{}" y="{}">{max}</text>"#,
            num(PAD),
            num(ly + 10.0),
            num(PAD + 86.0),
            num(ly + 10.0),
            num(PAD + 90.0 + 28.0 * 5.0 + 4.0),
            num(ly + 10.0)
        ));
        s.push_str(&format!(
            r#"<text class="note" x="{}" y="{}" text-anchor="end">lat {}° to {}°, lng {}° to {}°, equirectangular</text>"#,
            num(W - PAD),
            num(ly + 10.0),
            deg(lat0),
            deg(lat1),
            deg(lng0),
            deg(lng1)
        ));
        s.push_str("</svg>");
        s
    }

    /// Cells with the most nodes first (ties by cell), for the text alternative.
    pub fn busiest(&self, n: usize) -> Vec<&HexCell> {
        let mut cells: Vec<&HexCell> = self.cells.iter().collect();
        cells.sort_by(|a, b| b.nodes.cmp(&a.nodes).then(a.cell.cmp(&b.cell)));
        cells.truncate(n);
        cells
    }
}

/// Scales a projected polygon about its centre so that its radius is at least `MIN_RADIUS`.
fn enlarge(points: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    let n = points.len().max(1) as f64;
    let (cx, cy) = points.iter().fold((0.0, 0.0), |(a, b), (x, y)| (a + x / n, b + y / n));
    let r = points.iter().map(|(x, y)| ((x - cx).powi(2) + (y - cy).powi(2)).sqrt()).fold(0.0, f64::max);
    if !(r.is_finite() && r > 0.0 && r < MIN_RADIUS) {
        return points;
    }
    let k = MIN_RADIUS / r;
    points.into_iter().map(|(x, y)| (cx + (x - cx) * k, cy + (y - cy) * k)).collect()
}

/// Lines of latitude and longitude at a round step inside the plot, labelled at the edges.
fn graticule(
    s: &mut String,
    (lat0, lat1, lng0, lng1): (f64, f64, f64, f64),
    project: &dyn Fn(f64, f64) -> (f64, f64),
    (left, top, right, bottom): (f64, f64, f64, f64),
) {
    let span = (lat1 - lat0).max(lng1 - lng0);
    let step = [0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 45.0].into_iter().find(|st| span / st <= 8.0).unwrap_or(60.0);
    let inside = |x: f64, y: f64| x >= left && x <= right && y >= top && y <= bottom;
    let mut lat = (lat0 / step).ceil() * step;
    while lat <= lat1 {
        let (_, y) = project(lat, lng0);
        if inside(left, y) {
            s.push_str(&format!(
                r#"<line class="graticule" x1="{l}" x2="{r}" y1="{y}" y2="{y}"/><text class="tick" x="{lx}" y="{y}" dy="-2">{}°</text>"#,
                deg(lat),
                l = num(left),
                r = num(right),
                y = num(y),
                lx = num(left + 2.0)
            ));
        }
        lat += step;
    }
    let mut lng = (lng0 / step).ceil() * step;
    while lng <= lng1 {
        let (x, _) = project(lat0, lng);
        if inside(x, top) {
            s.push_str(&format!(
                r#"<line class="graticule" x1="{x}" x2="{x}" y1="{t}" y2="{b}"/><text class="tick" x="{x}" y="{ly}" dx="2">{}°</text>"#,
                deg(lng),
                x = num(x),
                t = num(top),
                b = num(bottom),
                ly = num(bottom - 3.0)
            ));
        }
        lng += step;
    }
}

/// A polygon crossing the antimeridian gets continuous longitudes (relative to its first
/// vertex) instead of spanning the globe.
fn unwrap_longitudes(mut vertices: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    let Some(&(_, first)) = vertices.first() else { return vertices };
    for (_, lng) in vertices.iter_mut() {
        if *lng - first > 180.0 {
            *lng -= 360.0;
        } else if first - *lng > 180.0 {
            *lng += 360.0;
        }
    }
    vertices
}

fn colour(t: f64) -> String {
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 1.0 };
    let mix = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
    format!("#{:02x}{:02x}{:02x}", mix(LOW.0, HIGH.0), mix(LOW.1, HIGH.1), mix(LOW.2, HIGH.2))
}

fn deg(v: f64) -> String {
    let s = format::thousands(v, 1);
    s.strip_suffix(".0").map_or_else(|| s.clone(), str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells_near(lat: f64, lng: f64, n: usize) -> Vec<(String, u64)> {
        let origin = h3o::LatLng::new(lat, lng).unwrap().to_cell(h3o::Resolution::Five);
        origin
            .grid_disk::<Vec<_>>(2)
            .into_iter()
            .take(n)
            .enumerate()
            .map(|(i, c)| (c.to_string(), i as u64 + 1))
            .collect()
    }

    #[test]
    fn each_occupied_cell_is_one_polygon() {
        let map = HexMap::new("hexes", Some(5), Some(cells_near(52.37, 4.89, 7)));
        let svg = map.svg();
        assert_eq!(svg.matches("<polygon").count(), 7, "{svg}");
        assert!(svg.contains("<title id=\"hexes-title\">") && svg.contains("aria-label="));
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
        // Darkest shade for the busiest cell.
        assert!(svg.contains(&colour(1.0)));
        assert_eq!(map.busiest(1)[0].nodes, 7);
    }

    #[test]
    fn cells_far_apart_and_across_the_antimeridian_stay_finite() {
        let mut cells = cells_near(-16.5, 179.9, 3);
        cells.extend(cells_near(64.1, -21.9, 2));
        let map = HexMap::new("hexes", Some(5), Some(cells));
        let svg = map.svg();
        assert_eq!(svg.matches("<polygon").count(), 5);
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
    }

    #[test]
    fn unreadable_cells_are_listed_and_left_off_the_map() {
        let mut cells = cells_near(40.7, -74.0, 1);
        cells.push(("not-a-cell".into(), 4));
        cells.push(("ffffffffffffffff".into(), 4));
        let map = HexMap::new("hexes", Some(5), Some(cells));
        assert_eq!(map.cells.len(), 1);
        assert_eq!(map.unreadable, vec!["not-a-cell".to_string(), "ffffffffffffffff".to_string()]);
        assert_eq!(map.svg().matches("<polygon").count(), 1);
    }

    #[test]
    fn a_snapshot_without_cells_gets_a_no_data_panel_saying_why() {
        let map = HexMap::new("hexes", None, None);
        let svg = map.svg();
        assert!(!map.available && svg.contains("No data") && svg.contains("not available"));
        assert_eq!(svg.matches("<polygon").count(), 0);
        let empty = HexMap::new("hexes", Some(5), Some(vec![]));
        assert!(empty.available && empty.svg().contains("no active node has a location"));
    }
}
