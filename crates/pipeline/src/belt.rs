//! Loading the belt from the store: the configured borders cut into sectors, the stored
//! events a viewer may see, merged into incidents (respecting merges an analyst undid) and
//! placed in the sectors. The command line and the server both start here.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use belt::assess::{Assessment, assess};
use belt::sectors::{cut, embedded_borders, select_borders};
use belt::{Assignment, BeltEvent, BeltSector, Incident, Landmark, SectorIndex, Source};
use chrono::NaiveDate;
use extract::dict::Dictionaries;
use model::{ActorKind, EventId, LinkRelation, PlaceKind, Viewer};
use serde_json::{Value, json};
use store::{EventFilter, NewLink, Store};

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
    pub sectors: Arc<Vec<BeltSector>>,
    pub events: Vec<BeltEvent>,
    pub incidents: Vec<Incident>,
    pub placed: Vec<Option<Assignment>>,
    /// The organisation that owns each event (beside `events`).
    pub owners: Vec<model::OrganisationId>,
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

/// The sectors of the configured borders and the index over them: built once (cutting and
/// naming them reads the whole gazetteer), shared by every load.
pub struct Sectors {
    pub sectors: Arc<Vec<BeltSector>>,
    pub index: SectorIndex,
}

/// The sectors of the configured borders, named after the gazetteer's places.
pub fn sectors(settings: &BeltSettings, dict: &Dictionaries) -> Result<Sectors, BeltLoadError> {
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
    Ok(Sectors { sectors: Arc::new(sectors), index })
}

/// Loads the belt from what `viewer` may see (everything, for `None`: the local operator).
pub fn load(
    store: &Store,
    settings: &BeltSettings,
    dict: &Dictionaries,
    built: &Sectors,
    viewer: Option<&Viewer>,
) -> Result<Belt, BeltLoadError> {
    let (sectors, index) = (&built.sectors, &built.index);
    let admin1: HashMap<&str, &str> =
        dict.places.iter().filter_map(|p| p.admin1.as_deref().map(|a| (p.id.as_str(), a))).collect();
    let group_kind: HashMap<&str, ActorKind> = dict.actors.iter().map(|a| (a.id.as_str(), a.kind)).collect();
    let sources: HashMap<String, store::DocumentSource> =
        store.document_sources()?.into_iter().map(|s| (s.document.to_string(), s)).collect();

    let mut events = Vec::new();
    let filter = EventFilter { visible_to: viewer.cloned(), ..Default::default() };
    let mut after_seq = 0;
    loop {
        // In table order: a scan, not a lookup per event.
        let batch = store.events_in_order(&filter, after_seq, 5000)?;
        let Some(last) = batch.last() else { break };
        after_seq = last.seq;
        for (seq, e) in batch.into_iter().map(|a| (a.seq, a.event)) {
            let Some(when) = &e.when else { continue };
            let at = when.at;
            let place = e.place.as_ref();
            let owner = e.marking.owner;
            events.push((
                at,
                seq,
                owner,
                BeltEvent {
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
                    actors: e.actors.iter().map(|a| a.actor.clone()).collect(),
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
                },
            ));
        }
    }
    // Latest first, as the store lists them: the belt's merges depend on the order.
    let mut keyed: Vec<(chrono::DateTime<chrono::Utc>, i64, model::OrganisationId, BeltEvent)> = events;
    keyed.sort_by_key(|k| std::cmp::Reverse((k.0, k.1)));
    let (owners, events): (Vec<model::OrganisationId>, Vec<BeltEvent>) =
        keyed.into_iter().map(|(_, _, owner, e)| (owner, e)).unzip();
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
            let mut a = e.point.and_then(|p| index.assign(sectors, p))?;
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
    Ok(Belt { sectors: sectors.clone(), events, incidents, placed, owners })
}

pub fn line_geometry(line: &[[f64; 2]]) -> Value {
    json!({ "type": "LineString", "coordinates": line })
}

pub fn sector_json(belt: &Belt, assessment: &Assessment, s: usize) -> Value {
    let sector = &belt.sectors[s];
    let level = &assessment.sectors[s];
    let by_category: serde_json::Map<String, Value> = level
        .by_category
        .iter()
        .map(|(c, (score, l))| (c.to_string(), json!({ "score": round(*score), "level": l.as_str() })))
        .collect();
    json!({
        "id": sector.id.as_str(),
        "name": sector.name,
        "border": sector.border,
        "countries": [sector.left.as_str(), sector.right.as_str()],
        "length_km": round(sector.length_km),
        "depth_km": sector.depth_km,
        "geometry": line_geometry(&sector.line),
        "area": { "type": "Polygon", "coordinates": [sector.buffer()] },
        "score": round(level.score),
        "level": level.level.as_str(),
        "by_category": by_category,
        "incidents": level.contributions.len(),
    })
}

/// Each watched border with its geodesic length and number of sectors.
pub fn borders_json(belt: &Belt) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    for sector in belt.sectors.iter() {
        match out.last_mut() {
            Some(last) if last["border"] == sector.border.as_str() => {
                last["length_km"] = json!(round(last["length_km"].as_f64().unwrap_or(0.0) + sector.length_km));
                last["sectors"] = json!(last["sectors"].as_u64().unwrap_or(0) + 1);
            }
            _ => out.push(json!({ "border": sector.border, "length_km": round(sector.length_km), "sectors": 1 })),
        }
    }
    out
}

pub fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// One incident's part in a sector's level, as JSON.
pub fn contribution_json(belt: &Belt, c: &belt::Contribution) -> Value {
    let inc = &belt.incidents[c.incident];
    let first = &belt.events[inc.events[0]];
    json!({
        "incident": first.id,
        "category": c.category.as_str(),
        "event_type": first.event_type.as_str(),
        "date": c.date.to_string(),
        "place": first.place_name,
        "distance_km": round(c.distance_km),
        "weight": round(c.weight),
        "why": c.why,
        "credibility": inc.credibility.as_str(),
        "independent_sources": inc.independent_sources,
        "events": inc.events.iter().map(|&i| belt.events[i].id.as_str()).collect::<Vec<_>>(),
        "contested_by": inc.contested_by.iter().map(|&i| belt.events[i].id.as_str()).collect::<Vec<_>>(),
        "outlets": inc.events.iter().flat_map(|&i| belt.events[i].sources.iter().map(|s| s.outlet.as_str())).collect::<Vec<_>>(),
    })
}

/// Records the belt's merges as links and each event's sector and credibility; returns
/// how many links there are and how many were new.
///
/// With `only`, an organisation's analyst asks: the belt is the one that organisation may
/// see, and only its own events are linked and assessed; the counts are of those alone.
pub fn record_corroboration(
    store: &Store,
    belt: &Belt,
    only: Option<model::OrganisationId>,
) -> Result<(usize, usize), BeltLoadError> {
    let owned: HashSet<&str> = belt
        .events
        .iter()
        .zip(&belt.owners)
        .filter(|(_, owner)| only.is_none_or(|o| o == **owner))
        .map(|(e, _)| e.id.as_str())
        .collect();
    let mut links = belt::corroborate::links(&belt.incidents, &belt.events);
    links.retain(|l| owned.contains(l.event.as_str()));
    let parse = |s: &str| {
        s.parse::<EventId>().map_err(|e| {
            BeltLoadError::Store(store::StoreError::Corrupt { record: format!("event {s}"), reason: e.to_string() })
        })
    };
    let mut new = Vec::with_capacity(links.len());
    for l in &links {
        new.push(NewLink {
            event: parse(&l.event)?,
            incident: parse(&l.incident)?,
            relation: match l.kind {
                belt::LinkKind::Corroborates => LinkRelation::Corroborates,
                belt::LinkKind::Contests => LinkRelation::Contests,
            },
            reason: l.reason.clone(),
        });
    }
    let added = store.add_links(&new)?;
    // Every event carries its incident's credibility and its sector.
    let mut rows = Vec::with_capacity(belt.events.len());
    for inc in &belt.incidents {
        let sector =
            inc.events.iter().find_map(|&i| belt.placed[i].as_ref()).map(|a| belt.sectors[a.sector].id.clone());
        for &i in inc.events.iter().filter(|&&i| owned.contains(belt.events[i].id.as_str())) {
            rows.push((parse(&belt.events[i].id)?, sector.clone(), inc.credibility));
        }
    }
    store.set_assessment(&rows)?;
    Ok((links.len(), added))
}

/// One row of `trends`: a key's weekly counts and the verdict on its last week.
#[derive(Debug, Clone)]
pub struct TrendRow {
    pub key: String,
    /// The weeks shown, oldest first; the last is the week of `as_of`.
    pub weekly: Vec<u32>,
    pub spike: belt::trend::Spike,
}

impl TrendRow {
    pub fn to_json(&self) -> Value {
        json!({
            "key": self.key,
            "weekly": self.weekly,
            "count": self.spike.count,
            "expected": round(self.spike.expected),
            "probability": self.spike.probability,
            "flagged": self.spike.flagged,
        })
    }
}

/// Weekly incident counts by `by` (`sector`, `province` or `category`), rows with nothing
/// in the weeks shown left out, least probable last week first.
pub fn trend_rows(
    belt: &Belt,
    by: &str,
    only: Option<model::Category>,
    weeks: usize,
    spike_model: &belt::trend::SpikeModel,
    as_of: NaiveDate,
) -> Vec<TrendRow> {
    let counted = weeks.max(spike_model.baseline_weeks + 1);
    let mut dates: BTreeMap<String, Vec<NaiveDate>> = BTreeMap::new();
    for inc in &belt.incidents {
        let first = &belt.events[inc.events[0]];
        if !first.category.is_threat() || only.is_some_and(|c| c != first.category) {
            continue;
        }
        let key = match by {
            "sector" => match inc.events.iter().find_map(|&i| belt.placed[i].as_ref()) {
                Some(a) => belt.sectors[a.sector].id.to_string(),
                None => continue,
            },
            "province" => {
                let country = inc.events.iter().find_map(|&i| belt.events[i].country);
                let province = inc.events.iter().find_map(|&i| belt.events[i].province.clone());
                match (country, province) {
                    (Some(c), Some(p)) => format!("{c} {p}"),
                    (Some(c), None) => c.to_string(),
                    _ => continue,
                }
            }
            _ => first.category.to_string(),
        };
        dates.entry(key).or_default().push(first.date);
    }
    let mut rows = Vec::new();
    for (key, ds) in dates {
        let counts = belt::trend::weekly_counts(ds, as_of, counted);
        let Some(spike) = belt::trend::spike(&counts, spike_model) else { continue };
        let weekly = counts[counts.len() - weeks.min(counted)..].to_vec();
        if weekly.iter().all(|&c| c == 0) {
            continue;
        }
        rows.push(TrendRow { key, weekly, spike });
    }
    rows.sort_by(|a, b| a.spike.probability.total_cmp(&b.spike.probability).then(a.key.cmp(&b.key)));
    rows
}

/// The sectors as a GeoJSON FeatureCollection with their levels: each as its area (the
/// line buffered by the depth) or as its line.
pub fn sectors_geojson(belt: &Belt, assessment: &Assessment, areas: bool) -> Value {
    let features: Vec<Value> = (0..belt.sectors.len())
        .map(|s| {
            let mut properties = sector_json(belt, assessment, s);
            let geometry = if areas { properties["area"].take() } else { properties["geometry"].take() };
            if let Some(map) = properties.as_object_mut() {
                map.remove("geometry");
                map.remove("area");
            }
            json!({ "type": "Feature", "id": belt.sectors[s].id.as_str(), "geometry": geometry, "properties": properties })
        })
        .collect();
    json!({ "type": "FeatureCollection", "features": features })
}

/// The geolocated events as a GeoJSON FeatureCollection, with sector, side and incident.
pub fn events_geojson(belt: &Belt) -> Value {
    let incident_of: HashMap<usize, usize> = belt
        .incidents
        .iter()
        .enumerate()
        .flat_map(|(k, inc)| inc.events.iter().chain(&inc.contested_by).map(move |&i| (i, k)))
        .collect();
    let features: Vec<Value> = belt
        .events
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            let point = e.point?;
            let placed = belt.placed[i].as_ref();
            let inc = incident_of.get(&i).map(|&k| &belt.incidents[k]);
            Some(json!({
                "type": "Feature",
                "id": e.id,
                "geometry": { "type": "Point", "coordinates": point },
                "properties": {
                    "category": e.category.as_str(),
                    "event_type": e.event_type.as_str(),
                    "date": e.date.to_string(),
                    "stance": e.stance.as_str(),
                    "place": e.place_name,
                    "country": e.country.map(|c| c.to_string()),
                    "province": e.province,
                    "sector": placed.map(|a| belt.sectors[a.sector].id.to_string()),
                    "side": placed.map(|a| a.side.to_string()),
                    "distance_km": placed.map(|a| round(a.distance_km)),
                    "incident": inc.map(|inc| belt.events[inc.events[0]].id.clone()),
                    "credibility": inc.map(|inc| inc.credibility.as_str()),
                    "sources": e.sources.iter().map(|s| s.outlet.as_str()).collect::<Vec<_>>(),
                },
            }))
        })
        .collect();
    json!({ "type": "FeatureCollection", "features": features })
}
