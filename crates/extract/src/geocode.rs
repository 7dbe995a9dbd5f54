//! Choosing which gazetteer entry a place name means. Every candidate of a name is scored
//! on evidence in the text — the word beside it ("river", "district", "реки", "района"),
//! the countries the report is about, closeness to the report's unambiguous places — and
//! on a prior (population, curated specificity, the watched region); the best wins.

use model::{CountryCode, PlaceKind};

use crate::dict::PlaceEntry;
use crate::fold::Folded;

/// Countries whose places are preferred when the text gives no other evidence.
const REGION: &[&str] = &["AF", "TJ", "UZ", "TM", "KG", "KZ", "PK", "IR", "CN", "RU"];

/// What the words next to a name say about its kind.
pub fn cue(folded: &Folded, first: usize, last: usize) -> Option<PlaceKind> {
    let word = |i: Option<usize>| {
        i.and_then(|i| folded.tokens.get(i)).map(|t| &folded.text[t.fstart as usize..t.fend as usize])
    };
    let after = word(Some(last + 1));
    let before = word(first.checked_sub(1));
    let classify = |w: &str| -> Option<PlaceKind> {
        Some(match w {
            "river" | "рек" | "реч" | "дар" | "daryo" => PlaceKind::River,
            "district" | "county" | "район" | "уезд" | "tumani" | "nohiya" | "woluswali" => {
                PlaceKind::District
            }
            "province" | "провинц" | "region" | "област" | "oblast" | "велая" | "velayat" | "viloyat" | "вилоя" => {
                PlaceKind::Province
            }
            "town" | "city" | "village" | "посел" | "город" | "кишлак" | "сел" | "settlement" => {
                PlaceKind::PopulatedPlace
            }
            "crossing" | "checkpoint" | "пункт" | "кпп" => PlaceKind::Crossing,
            "bridge" | "мост" => PlaceKind::Bridge,
            "port" | "порт" => PlaceKind::RiverPort,
            _ => return None,
        })
    };
    // Words that go with crossing water: "across the Panj", "через Пяндж", "вдоль берега".
    let crossing_water = |w: &str| {
        matches!(
            w,
            "across"
                | "along"
                | "bank"
                | "banks"
                | "waded"
                | "через"
                | "вдол"
                | "берег"
                | "переправ"
                | "переплыл"
                | "перешл"
                | "пересекл"
                | "форсировал"
                | "разделяет"
        )
    };
    after.and_then(classify).or_else(|| before.and_then(classify)).or_else(|| {
        // "the Panj", "the Amu Darya": English names towns without an article.
        let river = (before == Some("the") && after != Some("district") && after != Some("province"))
            || before.is_some_and(crossing_water)
            || after == Some("вброд");
        river.then_some(PlaceKind::River)
    })
}

/// Scores a candidate; the context is the countries the report is about and the points
/// of its unambiguous places. A nationality word right before the name ("the Afghan district of Ishkashim") points to
/// its country.
pub fn score(
    place: &PlaceEntry,
    cue: Option<PlaceKind>,
    countries: &[CountryCode],
    nationality: Option<CountryCode>,
    anchors: &[(f64, f64)],
) -> f64 {
    let mut score = ((place.population.unwrap_or(0) as f64) + 1.0).log10() / 2.0;
    if nationality == Some(place.country) {
        score += 5.0;
    }
    score += match place.kind {
        PlaceKind::Country => 2.5,
        PlaceKind::Province => 1.5,
        _ if place.id.as_str().starts_with("bw:") => 1.5,
        _ => 0.0,
    };
    // A district is named as one ("Panj district", "Пянджский район"); a bare name is
    // more often the town.
    if place.kind == PlaceKind::District && cue != Some(PlaceKind::District) {
        score -= 1.0;
    }
    if let Some(cue) = cue {
        let fits = cue == place.kind
            || (cue == PlaceKind::Crossing && matches!(place.kind, PlaceKind::Bridge | PlaceKind::RiverPort))
            || (cue == PlaceKind::Bridge && place.kind == PlaceKind::Crossing);
        score += if fits { 6.0 } else { -2.0 };
    }
    if countries.contains(&place.country) {
        score += 3.0;
    }
    if REGION.contains(&place.country.as_str()) {
        score += 1.0;
    }
    // Points 2.7 degrees of latitude apart are more than 300 km apart: no closer look.
    let (lon0, lat0) = (place.point.lon(), place.point.lat());
    let nearest = anchors
        .iter()
        .filter(|&&(_, lat)| (lat - lat0).abs() < 2.7)
        .map(|&(lon, lat)| distance_km(lon, lat, lon0, lat0))
        .fold(f64::INFINITY, f64::min);
    if nearest < 100.0 {
        score += 2.0;
    } else if nearest < 300.0 {
        score += 1.0;
    }
    score
}

/// Great-circle distance in kilometres (haversine, mean Earth radius).
pub fn distance_km(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6371.0 * a.sqrt().asin()
}
