//! Borders from the embedded Natural Earth lines, cut into sectors, and the spatial index
//! that assigns a point to the nearest sector within the belt's depth.

use model::{CountryCode, LonLat, SectorId};
use rstar::primitives::{GeomWithData, Line};
use rstar::{AABB, RTree};
use serde::Deserialize;

use crate::BeltError;
use crate::geo::{Plane, haversine_km, length_km, point_along, to_segment};

/// `data/borders/borders.geojson`, written by `scripts/borders/build.py`.
const EMBEDDED: &str = include_str!("../../../data/borders/borders.geojson");

/// The borders watched by default: Afghanistan's six.
pub const DEFAULT_BORDERS: &[&str] = &["AF-TJ", "AF-UZ", "AF-TM", "AF-PK", "AF-IR", "AF-CN"];

/// A border between two countries, oriented with `left` on the left of every part.
#[derive(Debug, Clone)]
pub struct Border {
    pub id: String,
    pub left: CountryCode,
    pub right: CountryCode,
    /// (lon, lat) polylines; more than one where enclaves split a border.
    pub parts: Vec<Vec<[f64; 2]>>,
}

impl Border {
    pub fn length_km(&self) -> f64 {
        self.parts.iter().map(|p| length_km(p)).sum()
    }
}

#[derive(Deserialize)]
struct Collection {
    features: Vec<Feature>,
}

#[derive(Deserialize)]
struct Feature {
    properties: Properties,
    geometry: Geometry,
}

#[derive(Deserialize)]
struct Properties {
    border: String,
    left: String,
    right: String,
}

#[derive(Deserialize)]
struct Geometry {
    coordinates: Vec<Vec<[f64; 2]>>,
}

/// Every border the embedded file holds (the region's neighbouring pairs).
pub fn embedded_borders() -> Result<Vec<Border>, BeltError> {
    let collection: Collection =
        serde_json::from_str(EMBEDDED).map_err(|e| BeltError::Data(format!("borders.geojson: {e}")))?;
    collection
        .features
        .into_iter()
        .map(|f| {
            let code = |s: &str| s.parse::<CountryCode>().map_err(|e| BeltError::Data(format!("borders.geojson: {e}")));
            Ok(Border {
                id: f.properties.border,
                left: code(&f.properties.left)?,
                right: code(&f.properties.right)?,
                parts: f.geometry.coordinates,
            })
        })
        .collect()
}

/// The borders named in `wanted` ("AF-TJ", or "TJ-AF" in either order), or an error that
/// lists the ones the data holds.
pub fn select_borders(all: &[Border], wanted: &[String]) -> Result<Vec<Border>, BeltError> {
    wanted
        .iter()
        .map(|w| {
            let w = w.trim().to_ascii_uppercase();
            let reversed: String = w.split('-').rev().collect::<Vec<_>>().join("-");
            all.iter().find(|b| b.id == w || b.id == reversed).cloned().ok_or_else(|| BeltError::UnknownBorder {
                border: w.clone(),
                known: all.iter().map(|b| b.id.clone()).collect::<Vec<_>>().join(", "),
            })
        })
        .collect()
}

/// How sectors are cut.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SectorSpec {
    /// Target length along the border, km.
    pub length_km: f64,
    /// How far the sector reaches into each country, km.
    pub depth_km: f64,
}

impl Default for SectorSpec {
    fn default() -> Self {
        Self { length_km: 25.0, depth_km: 30.0 }
    }
}

/// A place that can name a sector.
#[derive(Debug, Clone)]
pub struct Landmark {
    pub name: String,
    pub point: [f64; 2],
    pub population: u64,
}

/// A sector with its line and the border it lies on.
#[derive(Debug, Clone)]
pub struct BeltSector {
    pub id: SectorId,
    pub name: String,
    pub border: String,
    pub left: CountryCode,
    pub right: CountryCode,
    pub line: Vec<[f64; 2]>,
    pub length_km: f64,
    pub depth_km: f64,
}

impl BeltSector {
    pub fn to_model(&self) -> model::Sector {
        model::Sector {
            id: self.id.clone(),
            name: self.name.clone(),
            countries: [self.left, self.right],
            line: self.line.iter().filter_map(|p| LonLat::new(p[0], p[1]).ok()).collect(),
            length_m: self.length_km * 1000.0,
            depth_m: self.depth_km * 1000.0,
        }
    }

    /// The sector's area: its line offset by the depth on each side, as a closed ring.
    pub fn buffer(&self) -> Vec<[f64; 2]> {
        let lat0 = self.line.iter().map(|p| p[1]).sum::<f64>() / self.line.len().max(1) as f64;
        let plane = Plane::at(lat0);
        let xy: Vec<[f64; 2]> = self.line.iter().map(|p| plane.project(*p)).collect();
        let normal = |i: usize| -> [f64; 2] {
            let a = xy[i.saturating_sub(1)];
            let b = xy[(i + 1).min(xy.len() - 1)];
            let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
            let n = (dx * dx + dy * dy).sqrt().max(1e-9);
            [-dy / n, dx / n]
        };
        let d = self.depth_km;
        let mut ring: Vec<[f64; 2]> = (0..xy.len())
            .map(|i| plane.unproject([xy[i][0] + normal(i)[0] * d, xy[i][1] + normal(i)[1] * d]))
            .collect();
        ring.extend(
            (0..xy.len()).rev().map(|i| plane.unproject([xy[i][0] - normal(i)[0] * d, xy[i][1] - normal(i)[1] * d])),
        );
        if let Some(first) = ring.first().copied() {
            ring.push(first);
        }
        ring
    }
}

/// Cuts each border into sectors of about `spec.length_km` (each part of a border into a
/// whole number of equal pieces), numbered from 1 along the border, each named after the
/// most populous landmark within 50 km of its middle, or else the nearest one.
pub fn cut(borders: &[Border], spec: SectorSpec, landmarks: &[Landmark]) -> Result<Vec<BeltSector>, BeltError> {
    if !(spec.length_km >= 1.0 && spec.depth_km > 0.0) {
        return Err(BeltError::Spec(format!(
            "sector length must be at least 1 km and depth above 0 (got {} km, {} km)",
            spec.length_km, spec.depth_km
        )));
    }
    let mut out = Vec::new();
    for border in borders {
        let mut number = 0u16;
        for part in &border.parts {
            let total = length_km(part);
            let n = ((total / spec.length_km).round() as usize).max(1);
            let piece = total / n as f64;
            for k in 0..n {
                let (start, i0) = point_along(part, piece * k as f64);
                let (end, i1) = point_along(part, piece * (k + 1) as f64);
                let mut line = vec![start];
                line.extend_from_slice(&part[i0 + 1..=i1.min(part.len() - 1)]);
                if line.last() != Some(&end) {
                    line.push(end);
                }
                line.dedup();
                number += 1;
                let id =
                    SectorId::new(border.left, border.right, number).map_err(|e| BeltError::Spec(e.to_string()))?;
                let (middle, _) = point_along(part, piece * (k as f64 + 0.5));
                out.push(BeltSector {
                    id,
                    name: name_for(middle, landmarks),
                    border: border.id.clone(),
                    left: border.left,
                    right: border.right,
                    length_km: length_km(&line),
                    line,
                    depth_km: spec.depth_km,
                });
            }
        }
    }
    Ok(out)
}

fn name_for(middle: [f64; 2], landmarks: &[Landmark]) -> String {
    let near = landmarks
        .iter()
        .map(|l| (l, haversine_km(middle, l.point)))
        .filter(|(_, d)| *d <= 50.0)
        .max_by(|a, b| a.0.population.cmp(&b.0.population).then(b.1.total_cmp(&a.1)));
    let nearest =
        || landmarks.iter().min_by(|a, b| haversine_km(middle, a.point).total_cmp(&haversine_km(middle, b.point)));
    near.map(|(l, _)| l).or_else(nearest).map(|l| l.name.clone()).unwrap_or_else(|| "unnamed".to_owned())
}

/// Where a point lies in the belt.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    /// Index into the sectors the index was built from.
    pub sector: usize,
    pub distance_km: f64,
    /// The country on whose side of the line the point is.
    pub side: CountryCode,
}

/// Planar latitude for the index; distances are recomputed at the point's own latitude.
const INDEX_LAT: f64 = 36.0;

/// A segment of a sector's line, in the index plane, with (sector, segment) indices.
type Segment = GeomWithData<Line<[f64; 2]>, (u32, u32)>;

/// An R-tree over the segments of every sector's line.
pub struct SectorIndex {
    tree: RTree<Segment>,
    plane: Plane,
    depth_km: f64,
}

impl SectorIndex {
    pub fn build(sectors: &[BeltSector]) -> Self {
        let plane = Plane::at(INDEX_LAT);
        let mut segments = Vec::new();
        for (s, sector) in sectors.iter().enumerate() {
            for (i, w) in sector.line.windows(2).enumerate() {
                segments
                    .push(GeomWithData::new(Line::new(plane.project(w[0]), plane.project(w[1])), (s as u32, i as u32)));
            }
        }
        let depth_km = sectors.iter().map(|s| s.depth_km).fold(0.0, f64::max);
        Self { tree: RTree::bulk_load(segments), plane, depth_km }
    }

    /// The nearest sector whose line is within the depth of `point` (lon, lat), with the
    /// distance and the side; `None` away from the belt.
    pub fn assign(&self, sectors: &[BeltSector], point: [f64; 2]) -> Option<Assignment> {
        let p = self.plane.project(point);
        // The index plane stretches east-west distances away from its latitude by at most
        // about a third in this region; search that much wider, then measure exactly.
        let reach = self.depth_km * 1.5 + 1.0;
        let envelope = AABB::from_corners([p[0] - reach, p[1] - reach], [p[0] + reach, p[1] + reach]);
        let local = Plane::at(point[1]);
        let q = local.project(point);
        let mut best: Option<(f64, f64, usize)> = None;
        for seg in self.tree.locate_in_envelope_intersecting(&envelope) {
            let (s, i) = (seg.data.0 as usize, seg.data.1 as usize);
            let line = &sectors[s].line;
            let (a, b) = (local.project(line[i]), local.project(line[i + 1]));
            let (d, cross) = to_segment(q, a, b);
            if best.is_none_or(|(bd, _, _)| d < bd) {
                best = Some((d, cross, s));
            }
        }
        let (distance_km, cross, s) = best?;
        let sector = &sectors[s];
        (distance_km <= sector.depth_km).then_some(Assignment {
            sector: s,
            distance_km,
            side: if cross >= 0.0 { sector.left } else { sector.right },
        })
    }
}
