//! Places on the ground. Coordinates are WGS 84 degrees, longitude first.

use serde::{Deserialize, Serialize};

use crate::{InvalidValue, PlaceId, named_enum};

/// A point in WGS 84 degrees: `lon` in [-180, 180], `lat` in [-90, 90], in that order
/// (as GeoJSON and `geo` order them).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "[f64; 2]", into = "[f64; 2]")]
pub struct LonLat {
    lon: f64,
    lat: f64,
}

impl LonLat {
    pub fn new(lon: f64, lat: f64) -> Result<Self, InvalidValue> {
        if (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat) {
            Ok(Self { lon, lat })
        } else {
            Err(InvalidValue::new(
                "coordinates",
                &format!("{lon}, {lat}"),
                "longitude in [-180, 180] and latitude in [-90, 90]",
            ))
        }
    }

    pub fn lon(&self) -> f64 {
        self.lon
    }

    pub fn lat(&self) -> f64 {
        self.lat
    }
}

impl TryFrom<[f64; 2]> for LonLat {
    type Error = InvalidValue;
    fn try_from([lon, lat]: [f64; 2]) -> Result<Self, Self::Error> {
        Self::new(lon, lat)
    }
}

impl From<LonLat> for [f64; 2] {
    fn from(p: LonLat) -> Self {
        [p.lon, p.lat]
    }
}

/// An ISO 3166-1 alpha-2 country code, upper-case (`AF`, `TJ`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    pub fn as_str(&self) -> &str {
        // Both bytes are ASCII upper-case letters, checked on construction.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl std::str::FromStr for CountryCode {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.as_bytes() {
            [a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
                Ok(Self([a.to_ascii_uppercase(), b.to_ascii_uppercase()]))
            }
            _ => Err(InvalidValue::new("country code", s, "two letters (ISO 3166-1 alpha-2)")),
        }
    }
}

impl TryFrom<String> for CountryCode {
    type Error = InvalidValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<CountryCode> for String {
    fn from(c: CountryCode) -> String {
        c.as_str().to_owned()
    }
}

impl std::fmt::Display for CountryCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

named_enum! {
    /// What kind of place a gazetteer entry is.
    pub enum PlaceKind ("place kind") {
        Country = "country",
        /// A first-level division: a province, region or oblast.
        Province = "province",
        District = "district",
        PopulatedPlace = "populated_place",
        /// A border crossing point.
        Crossing = "crossing",
        Bridge = "bridge",
        RiverPort = "river_port",
        River = "river",
        Mountain = "mountain",
        /// A valley, pass or other named stretch of land.
        Area = "area",
    }
}

named_enum! {
    /// How precisely an event's location is known.
    pub enum GeoPrecision ("geo precision") {
        /// The exact spot (a crossing, a border post).
        Exact = "exact",
        /// A town or village.
        Locality = "locality",
        District = "district",
        Province = "province",
        /// Only the country.
        Country = "country",
    }
}

/// A gazetteer entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Place {
    pub id: PlaceId,
    pub name: String,
    pub kind: PlaceKind,
    pub country: CountryCode,
    /// A representative point: the centre of a town, a point on a river's course.
    pub point: LonLat,
    pub population: Option<u64>,
    /// Other names, including Russian and local spellings.
    pub alternate_names: Vec<String>,
}
