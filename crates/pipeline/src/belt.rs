//! Loading the belt from the store: the configured borders cut into sectors, the stored
//! events a viewer may see, merged into incidents (respecting merges an analyst undid) and
//! placed in the sectors. The command line and the server both start here.

use std::collections::{BTreeMap, HashMap};

use belt::assess::{Assessment, assess};
use belt::sectors::{cut, embedded_borders, select_borders};
use belt::{Assignment, BeltEvent, BeltSector, Incident, Landmark, SectorIndex, Source};
use chrono::NaiveDate;
use extract::dict::Dictionaries;
use model::{ActorKind, LinkRelation, PlaceKind, Viewer};
use store::{EventFilter, Page, Store};

/// The belt's settings, checked.
#[derive(Debug, Clone)]
pub struct BeltSettings {
    pub borders: Vec<String>,
    pub spec: belt::SectorSpec,
    pub model: belt::LevelModel,
    pub spike: belt::trend::SpikeModel,
    pub rules: belt::Rules,
}

impl Default for BeltSettings {
    fn default() -> Self {
        Self {
            borders: belt::sectors::DEFAULT_BORDERS.iter().map(|s| s.to_string()).collect(),
            spec: belt::SectorSpec::default(),
            model: belt::LevelModel::default(),
            spike: belt::trend::SpikeModel::default(),
            rules: belt::Rules::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BeltLoadError {
    #[error("belt.borders: {0}")]
    Borders(belt::BeltError),
    #[error(transparent)]
    Belt(#[from] belt::BeltError),
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error("no sector {id:?} on the watched borders ({borders})")]
    NoSector { id: String, borders: String },
}

/// How far the simplified border line may lie from the real one, km.
const LINE_UNCERTAINTY_KM: f64 = 5.0;

/// Everything the belt commands work from.
pub struct Belt {
    pub sectors: Vec<BeltSector>,
    pub events: Vec<BeltEvent>,
    pub incidents: Vec<Incident>,
    pub placed: Vec<Option<Assignment>>,
}

impl Belt {
    pub fn assess(&self, settings: &BeltSettings, as_of: NaiveDate) -> Assessment {
        assess(&self.sectors, &self.events, &self.incidents, &self.placed, &settings.model, as_of)
    }

    /// The index of the sector with this id (any case).
    pub fn sector(&self, id: &str) -> Result<usize, BeltLoadError> {
        let wanted = id.trim().to_ascii_uppercase();
        self.sectors.iter().position(|s| s.id.as_str() == wanted).ok_or_else(|| {
            let mut borders: Vec<&str> = self.sectors.iter().map(|s| s.border.as_str()).collect();
            borders.dedup();
            BeltLoadError::NoSector { id: id.to_owned(), borders: borders.join(", ") }
        })
    }
}

/// The sectors of the configured borders, named after the gazetteer's places.
pub fn sectors(
    settings: &BeltSettings,
    dict: &Dictionaries,
) -> Result<(Vec<BeltSector>, SectorIndex), BeltLoadError> {
    let all = embedded_borders()?;
    let borders = select_borders(&all, &settings.borders).map_err(BeltLoadError::Borders)?;
    let landmarks: Vec<Landmark> = dict
        .places
        .iter()
        .filter(|p| matches!(p.kind, PlaceKind::PopulatedPlace | PlaceKind::Crossing | PlaceKind::RiverPort))
        .map(|p| Landmark {
            name: p.name.clone(),
            point: [p.point.lon(), p.point.lat()],
            // Crossings name the sector they are in before villages do.
            population: p.population.unwrap_or(0).max(if p.kind == PlaceKind::PopulatedPlace { 0 } else { 20_000 }),
        })
        .collect();
    let sectors = cut(&borders, settings.spec, &landmarks)?;
    let index = SectorIndex::build(&sectors);
    Ok((sectors, index))
}

/// Loads the belt from what `viewer` may see (everything, for `None`: the local operator).
pub fn load(
    store: &Store,
    settings: &BeltSettings,
    dict: &Dictionaries,
    viewer: Option<&Viewer>,
) -> Result<Belt, BeltLoadError> {
    let (sectors, index) = sectors(settings, dict)?;
    let admin1: HashMap<&str, &str> =
        dict.places.iter().filter_map(|p| p.admin1.as_deref().map(|a| (p.id.as_str(), a))).collect();
    let group_kind: HashMap<&str, ActorKind> = dict.actors.iter().map(|a| (a.id.as_str(), a.kind)).collect();
    let sources: HashMap<String, store::DocumentSource> =
        store.document_sources()?.into_iter().map(|s| (s.document.to_string(), s)).collect();

    let mut events = Vec::new();
    let mut page = Page { limit: 1000, after: None };
    loop {
        let filter = EventFilter { visible_to: viewer.cloned(), ..Default::default() };
        let listing = store.events(&filter, &page)?;
        for e in listing.items {
            let Some(when) = &e.when else { continue };
            let place = e.place.as_ref();
            events.push(BeltEvent {
                id: e.id.to_string(),
                category: e.category,
                event_type: e.event_type,
                date: when.at.date_naive(),
                point: place.and_then(|p| p.point).map(|p| [p.lon(), p.lat()]),
                place_name: place.map(|p| p.name.clone()),
                country: place.and_then(|p| p.country),
                province: place
                    .and_then(|p| p.place.as_ref())
                    .and_then(|id| admin1.get(id.as_str()))
                    .map(|a| (*a).to_owned()),
                stance: e.stance,
                groups: e
                    .actors
                    .iter()
                    .filter(|a| {
                        matches!(
                            group_kind.get(a.actor.as_str()),
                            Some(ActorKind::ArmedGroup | ActorKind::CriminalNetwork)
                        )
                    })
                    .map(|a| a.actor.clone())
                    .collect(),
                quantities: e.quantities.clone(),
                sources: e
                    .documents
                    .iter()
                    .map(|d| {
                        let s = sources.get(&d.to_string());
                        Source {
                            document: d.to_string(),
                            outlet: s.map(|s| s.outlet.clone()).unwrap_or_else(|| d.to_string()),
                            reliability: s.map(|s| s.reliability).unwrap_or_default(),
                            language: s.map(|s| s.language.clone()),
                        }
                    })
                    .collect(),
            });
        }
        match listing.next {
            Some(next) => page.after = Some(next),
            None => break,
        }
    }
    // Merges an analyst undid: the incident and its undone events stay apart.
    let mut apart: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for link in store.links()? {
        if link.unlinked_at.is_some() && link.relation == LinkRelation::Corroborates {
            let group = apart.entry(link.incident.to_string()).or_insert_with(|| vec![link.incident.to_string()]);
            group.push(link.event.to_string());
        }
    }
    let apart: Vec<Vec<String>> = apart.into_values().collect();
    let incidents = belt::corroborate::incidents(&events, &settings.rules, &apart);
    // Natural Earth's 1:10m line lies up to a few km from the real border: close to it,
    // the country the gazetteer gives the place decides the side.
    let placed = events
        .iter()
        .map(|e| {
            let mut a = e.point.and_then(|p| index.assign(&sectors, p))?;
            let sector = &sectors[a.sector];
            if let Some(c) = e.country
                && a.distance_km < LINE_UNCERTAINTY_KM
                && (c == sector.left || c == sector.right)
            {
                a.side = c;
            }
            Some(a)
        })
        .collect();
    Ok(Belt { sectors, events, incidents, placed })
}

