//! The reference data extraction reads: the gazetteer, the actor dictionary and the
//! lexicon, parsed from the tab-separated files under `data/` that are embedded in the
//! binary (each with the script or notes that regenerate it beside it).

use std::collections::HashMap;
use std::str::FromStr;

use model::{ActorId, ActorKind, Category, CountryCode, EventType, LonLat, PlaceId, PlaceKind, QuantityKind};

/// A gazetteer entry, with the names it may appear under.
#[derive(Debug, Clone)]
pub struct PlaceEntry {
    pub id: PlaceId,
    pub name: String,
    pub kind: PlaceKind,
    pub country: CountryCode,
    pub point: LonLat,
    pub population: Option<u64>,
    /// The English name of the first-level division the place lies in.
    pub admin1: Option<String>,
    pub names: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct ActorEntry {
    pub id: ActorId,
    pub kind: ActorKind,
    pub country: Option<CountryCode>,
    pub name: String,
    pub aliases: Vec<String>,
}

/// What a lexicon pattern signals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cue {
    Event(EventType),
    Category(Category),
    /// A substance or item a quantity counts.
    Substance(QuantityKind),
    /// What happened to the people a number counts.
    People(QuantityKind),
    Denial,
    Speech,
    /// A day relative to publication: an offset in days.
    DayOffset(i8),
    /// A weekday, Monday = 0.
    Weekday(u8),
    /// A body named by its function only ("border guards", "пограничники"): the one of
    /// that kind in the country the report is about.
    GenericActor(ActorKind),
    /// A ministry named without its country ("the Interior Ministry", "МВД"): that
    /// ministry of the country the report is about.
    GenericMinistry(Ministry),
}

/// The ministries reports name without their country.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ministry {
    Interior,
    Foreign,
    Defence,
}

impl Ministry {
    /// Whether an actor's canonical name is this ministry's ("Ministry of Internal Affairs
    /// of Tajikistan", "Ministry of Interior of Iran").
    pub fn names(self, canonical: &str) -> bool {
        let prefixes: &[&str] = match self {
            Ministry::Interior => &["Ministry of Interior of ", "Ministry of Internal Affairs of "],
            Ministry::Foreign => &["Ministry of Foreign Affairs of "],
            Ministry::Defence => &["Ministry of Defence of ", "Ministry of Defense of "],
        };
        prefixes.iter().any(|p| canonical.starts_with(p))
    }
}

impl std::str::FromStr for Ministry {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "interior" => Ok(Ministry::Interior),
            "foreign" => Ok(Ministry::Foreign),
            "defence" => Ok(Ministry::Defence),
            other => Err(format!("unknown ministry {other:?} (interior, foreign, defence)")),
        }
    }
}

#[derive(Debug, Clone)]
pub struct LexiconEntry {
    pub language: String,
    pub cue: Cue,
    pub pattern: String,
}

/// A malformed line in a reference file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct DataError {
    pub file: &'static str,
    pub line: usize,
    pub message: String,
}

/// All reference data.
#[derive(Debug, Default)]
pub struct Dictionaries {
    pub places: Vec<PlaceEntry>,
    pub actors: Vec<ActorEntry>,
    pub lexicon: Vec<LexiconEntry>,
}

pub const PLACES_FILE: &str = "data/gazetteer/places.tsv";
pub const CURATED_FILE: &str = "data/gazetteer/curated.tsv";
pub const ACTORS_FILE: &str = "data/actors.tsv";
pub const LEXICON_FILE: &str = "data/lexicon.tsv";

const PLACES: &str = include_str!("../../../data/gazetteer/places.tsv");
const CURATED: &str = include_str!("../../../data/gazetteer/curated.tsv");
const ACTORS: &str = include_str!("../../../data/actors.tsv");
const LEXICON: &str = include_str!("../../../data/lexicon.tsv");

/// A fingerprint of the embedded dictionaries: facts extracted with other dictionaries
/// are stale. FNV-1a over the files and this crate's version.
pub fn embedded_fingerprint() -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [env!("CARGO_PKG_VERSION"), PLACES, CURATED, ACTORS, LEXICON] {
        for byte in part.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

impl Dictionaries {
    /// The data built into this binary.
    pub fn embedded() -> Result<Self, DataError> {
        Self::from_texts(PLACES, CURATED, ACTORS, LEXICON)
    }

    /// Dictionaries from the texts of the four files (for tests and tools).
    pub fn from_texts(places: &str, curated: &str, actors: &str, lexicon: &str) -> Result<Self, DataError> {
        let mut all = parse_places(PLACES_FILE, places, 9)?;
        all.extend(parse_places(CURATED_FILE, curated, 10)?);
        Ok(Self {
            places: all,
            actors: parse_actors(ACTORS_FILE, actors)?,
            lexicon: parse_lexicon(LEXICON_FILE, lexicon)?,
        })
    }

    /// Actor ids by every folded spelling of their names (for resolving gold data and
    /// user input).
    pub fn actor_spellings(&self) -> HashMap<String, ActorId> {
        let mut map = HashMap::new();
        for actor in &self.actors {
            for name in std::iter::once(&actor.name).chain(&actor.aliases) {
                if let Some(key) = crate::fold::fold_pattern(name, false) {
                    map.entry(key).or_insert_with(|| actor.id.clone());
                }
            }
            if let Some(key) = crate::fold::fold_pattern(actor.id.as_str(), false) {
                map.entry(key).or_insert_with(|| actor.id.clone());
            }
        }
        map
    }
}

/// The data lines of a TSV file (header and blank lines skipped), with line numbers,
/// each checked to have `fields` fields.
fn rows<'t>(file: &'static str, text: &'t str, fields: usize) -> Result<Vec<(usize, Vec<&'t str>)>, DataError> {
    let mut out = Vec::new();
    for (index, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cells: Vec<&str> = line.split('\t').collect();
        if cells.len() != fields {
            return Err(DataError {
                file,
                line: index + 1,
                message: format!("expected {fields} tab-separated fields, found {}", cells.len()),
            });
        }
        out.push((index + 1, cells));
    }
    Ok(out)
}

fn parse<T: FromStr>(file: &'static str, line: usize, what: &str, text: &str) -> Result<T, DataError>
where
    T::Err: std::fmt::Display,
{
    text.trim().parse().map_err(|e: T::Err| DataError { file, line, message: format!("{what}: {e}") })
}

fn list(text: &str) -> Vec<String> {
    text.split('|').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

/// The countries whose towns reports of the region name in their own spellings.
const REGION: &[&str] = &["AF", "TJ", "UZ", "TM", "KG", "KZ", "PK", "IR", "CN", "RU", "IN"];

fn parse_places(file: &'static str, text: &str, fields: usize) -> Result<Vec<PlaceEntry>, DataError> {
    rows(file, text, fields)?
        .into_iter()
        .map(|(line, c)| {
            let lon: f64 = parse(file, line, "lon", c[4])?;
            let lat: f64 = parse(file, line, "lat", c[5])?;
            let point = LonLat::new(lon, lat).map_err(|e| DataError { file, line, message: e.to_string() })?;
            let name = c[1].trim().to_owned();
            let mut names = vec![name.clone()];
            names.extend(list(c[8]));
            let kind: PlaceKind = parse(file, line, "kind", c[2])?;
            if kind == PlaceKind::District {
                // Reports name a district without its kind word: "in Kurram", "the Kurram
                // and North Waziristan regions".
                let bare: Vec<String> = names
                    .iter()
                    .filter_map(|n| n.strip_suffix(" District").or_else(|| n.strip_suffix(" Agency")))
                    .map(str::to_owned)
                    .collect();
                for b in bare {
                    if !names.contains(&b) {
                        names.push(b);
                    }
                }
            }
            let country: CountryCode = parse(file, line, "country", c[3])?;
            if kind == PlaceKind::PopulatedPlace && !REGION.contains(&country.as_str()) {
                // A town far from the region is named in these reports by its English name
                // (or its start: "New York") or a Russian one; its other spellings are words
                // here ("White House" is Casablanca's, "Рашид" Rosetta's).
                names.retain(|n| {
                    name.starts_with(n.as_str()) || n.chars().any(|c| ('\u{400}'..='\u{4FF}').contains(&c))
                });
            }
            Ok(PlaceEntry {
                id: parse(file, line, "id", c[0])?,
                kind,
                country,
                point,
                population: if c[6].trim().is_empty() { None } else { Some(parse(file, line, "population", c[6])?) },
                admin1: Some(c[7].trim().to_owned()).filter(|a| !a.is_empty()),
                name,
                names,
            })
        })
        .collect()
}

fn parse_actors(file: &'static str, text: &str) -> Result<Vec<ActorEntry>, DataError> {
    rows(file, text, 5)?
        .into_iter()
        .map(|(line, c)| {
            Ok(ActorEntry {
                id: parse(file, line, "id", c[0])?,
                kind: parse(file, line, "kind", c[1])?,
                country: if c[2].trim().is_empty() { None } else { Some(parse(file, line, "country", c[2])?) },
                name: c[3].trim().to_owned(),
                aliases: list(c[4]),
            })
        })
        .collect()
}

fn parse_lexicon(file: &'static str, text: &str) -> Result<Vec<LexiconEntry>, DataError> {
    rows(file, text, 4)?
        .into_iter()
        .map(|(line, c)| {
            let value = c[2].trim();
            let fail = |message: String| DataError { file, line, message };
            let cue = match c[1].trim() {
                "event" => Cue::Event(parse(file, line, "event type", value)?),
                "category" => Cue::Category(parse(file, line, "category", value)?),
                "substance" => Cue::Substance(parse(file, line, "quantity kind", value)?),
                "people" => Cue::People(parse(file, line, "quantity kind", value)?),
                "generic_actor" => Cue::GenericActor(parse(file, line, "actor kind", value)?),
                "generic_ministry" => Cue::GenericMinistry(parse(file, line, "ministry", value)?),
                "denial" => Cue::Denial,
                "speech" => Cue::Speech,
                "relative_day" => match value {
                    "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun" => Cue::Weekday(
                        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].iter().position(|d| *d == value).unwrap_or(0)
                            as u8,
                    ),
                    offset => Cue::DayOffset(
                        offset
                            .parse()
                            .map_err(|_| fail(format!("relative_day: {offset:?} is not a weekday or offset")))?,
                    ),
                },
                other => return Err(fail(format!("unknown class {other:?}"))),
            };
            Ok(LexiconEntry { language: c[0].trim().to_owned(), cue, pattern: c[3].trim().to_owned() })
        })
        .collect()
}
