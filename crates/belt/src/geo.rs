//! Distances on the Earth for the short lines of a border belt: haversine for lengths, and
//! a plane tangent at a point (equirectangular, scaled by the cosine of its latitude) for
//! distances to a line and the side of it a point lies on. Within a sector's depth the
//! plane's error is far below the accuracy of the border line itself.

/// Mean Earth radius, km.
const EARTH_KM: f64 = 6371.0088;

/// Great-circle distance in kilometres between two (lon, lat) points.
pub fn haversine_km(a: [f64; 2], b: [f64; 2]) -> f64 {
    let (p1, p2) = (a[1].to_radians(), b[1].to_radians());
    let dp = p2 - p1;
    let dl = (b[0] - a[0]).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_KM * h.sqrt().min(1.0).asin()
}

/// Length of a polyline in kilometres.
pub fn length_km(line: &[[f64; 2]]) -> f64 {
    line.windows(2).map(|w| haversine_km(w[0], w[1])).sum()
}

/// A plane tangent at latitude `lat0`: kilometres east and north of (0, 0).
#[derive(Debug, Clone, Copy)]
pub struct Plane {
    kx: f64,
    ky: f64,
}

impl Plane {
    pub fn at(lat0: f64) -> Self {
        let ky = EARTH_KM.to_radians();
        Self { kx: ky * lat0.to_radians().cos(), ky }
    }

    pub fn project(&self, p: [f64; 2]) -> [f64; 2] {
        [p[0] * self.kx, p[1] * self.ky]
    }

    pub fn unproject(&self, xy: [f64; 2]) -> [f64; 2] {
        [xy[0] / self.kx, xy[1] / self.ky]
    }
}

/// Distance from `p` to segment `a`–`b` (all in a plane, km) and which side `p` is on:
/// positive cross product is the left of the direction a → b.
pub fn to_segment(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> (f64, f64) {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 { 0.0 } else { (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0) };
    let (cx, cy) = (a[0] + t * dx, a[1] + t * dy);
    let distance = ((p[0] - cx).powi(2) + (p[1] - cy).powi(2)).sqrt();
    let cross = dx * (p[1] - a[1]) - dy * (p[0] - a[0]);
    (distance, cross)
}

/// Point at `km` along `line` (clamped to its ends), and the index of the segment it is on.
pub fn point_along(line: &[[f64; 2]], km: f64) -> ([f64; 2], usize) {
    let mut walked = 0.0;
    for (i, w) in line.windows(2).enumerate() {
        let step = haversine_km(w[0], w[1]);
        if walked + step >= km && step > 0.0 {
            let t = (km - walked) / step;
            return ([w[0][0] + t * (w[1][0] - w[0][0]), w[0][1] + t * (w[1][1] - w[0][1])], i);
        }
        walked += step;
    }
    (line.last().copied().unwrap_or([0.0, 0.0]), line.len().saturating_sub(2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_degree_of_latitude_is_about_111_km() {
        let d = haversine_km([69.0, 37.0], [69.0, 38.0]);
        assert!((d - 111.2).abs() < 0.2, "{d}");
    }

    #[test]
    fn side_and_distance_in_the_plane() {
        let (d, cross) = to_segment([0.0, 1.0], [-1.0, 0.0], [1.0, 0.0]);
        assert!((d - 1.0).abs() < 1e-9);
        assert!(cross > 0.0, "north of an eastward line is its left");
        let (d, cross) = to_segment([3.0, -4.0], [-1.0, 0.0], [0.0, 0.0]);
        assert!((d - 5.0).abs() < 1e-9);
        assert!(cross < 0.0);
    }

    #[test]
    fn points_along_a_line() {
        let line = [[69.0, 37.0], [69.0, 38.0], [70.0, 38.0]];
        let (p, i) = point_along(&line, 55.6);
        assert_eq!(i, 0);
        assert!((p[1] - 37.5).abs() < 0.01, "{p:?}");
        let (p, i) = point_along(&line, 10_000.0);
        assert_eq!((p, i), ([70.0, 38.0], 1));
    }
}
