//! MISP core format: events, attributes, objects and tags. The mapping is in
//! `docs/misp-acled.md`.
//!
//! One MISP event per beltwatch document: its text and address are attributes, its owner
//! the creating organisation (`Orgc`), its TLP a `tlp:` tag and its distribution MISP's
//! own. Each of its events is a `beltwatch-event` object whose attributes are for people
//! and MISP's correlation, and which carries the event's exact JSON for beltwatch to read
//! back. The document's own fields travel the same way in a `beltwatch-document` object.
//! Every uuid is the record's id or derived from it, so the same records give the same
//! file.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use model::{
    ActorKind, Category, Distribution, Document, DocumentFormat, DocumentId, Event, Language, Marking, Organisation,
    OrganisationId, Precision, SharingGroup, SharingGroupId, Source, Tlp, When,
};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::{Problem, Read, ReadDefaults, Shared};

/// The object that stands for one beltwatch event.
pub const EVENT_OBJECT: &str = "beltwatch-event";
/// The object that carries a document's fields.
pub const DOCUMENT_OBJECT: &str = "beltwatch-document";
/// The relation of the attribute holding an event's JSON in its object.
pub const EVENT_JSON: &str = "beltwatch-event-json";
/// The relation of the attribute holding a document's fields in its object.
pub const DOCUMENT_JSON: &str = "beltwatch-document-json";
/// MISP's threat actor galaxy (`misp-galaxy` `galaxies/threat-actor.json`).
const THREAT_ACTOR_GALAXY: &str = "698774c7-8022-42c4-917f-8d6e4f06ada3";

fn namespace() -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, b"https://beltwatch/misp")
}

/// A uuid derived from `key`: the same record and relation always give the same uuid.
fn derived(key: &str) -> String {
    Uuid::new_v5(&namespace(), key.as_bytes()).to_string()
}

/// MISP's distribution level for beltwatch's: the owner only (0), this community (1,
/// the partners of the instance that receives the event) or a sharing group (4).
fn distribution_code(distribution: &Distribution) -> &'static str {
    match distribution {
        Distribution::Organisation => "0",
        Distribution::AllPartners => "1",
        Distribution::SharingGroup { .. } => "4",
    }
}

/// The number a sharing group goes by in `sharing_group_id`: MISP numbers its groups per
/// instance, so this one is derived from the group's uuid, which is what identifies it.
fn sharing_group_number(group: SharingGroupId) -> u32 {
    let b = group.uuid().into_bytes();
    (u32::from_be_bytes([b[0], b[1], b[2], b[3]]) & 0x7fff_ffff).max(1)
}

/// The most severe of the categories, as MISP's threat level: 1 high, 2 medium, 3 low,
/// 4 undefined.
fn threat_level(categories: impl IntoIterator<Item = Category>) -> &'static str {
    let level = |c: Category| match c {
        Category::Terrorism => 1,
        Category::WeaponsTrafficking | Category::DrugTrafficking | Category::BorderIncident => 2,
        Category::IllegalMigration => 3,
        Category::Cooperation | Category::Statement => 4,
    };
    match categories.into_iter().map(level).min().unwrap_or(4) {
        1 => "1",
        2 => "2",
        3 => "3",
        _ => "4",
    }
}

fn unix(at: DateTime<Utc>) -> String {
    at.timestamp().to_string()
}

/// A line that names the document: its title, or the start of its first line.
fn info(document: &Document) -> String {
    let line = document
        .title
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .or_else(|| document.text.lines().find(|l| !l.trim().is_empty()))
        .unwrap_or("Untitled report");
    let line: String = line.split_whitespace().collect::<Vec<_>>().join(" ");
    line.chars().take(256).collect()
}

struct Context<'a> {
    groups: HashMap<SharingGroupId, &'a SharingGroup>,
    names: HashMap<OrganisationId, &'a str>,
    actors: HashMap<&'a model::ActorId, &'a model::Actor>,
}

impl Context<'_> {
    fn organisation(&self, id: OrganisationId) -> Value {
        let name =
            self.names.get(&id).map_or_else(|| format!("Organisation {}", short(id.uuid())), |n| (*n).to_owned());
        json!({ "uuid": id.to_string(), "name": name })
    }

    /// `distribution` and `sharing_group_id`, with the `SharingGroup` for a group.
    fn distribution(&self, marking: &Marking, into: &mut Map<String, Value>) {
        into.insert("distribution".into(), json!(distribution_code(&marking.distribution)));
        match marking.distribution {
            Distribution::SharingGroup { group } => {
                into.insert("sharing_group_id".into(), json!(sharing_group_number(group).to_string()));
                let (name, members) = match self.groups.get(&group) {
                    Some(g) => (g.name.clone(), g.members.clone()),
                    None => ("Sharing group".to_owned(), vec![marking.owner]),
                };
                let orgs: Vec<Value> =
                    members.iter().map(|m| json!({ "extend": false, "Organisation": self.organisation(*m) })).collect();
                into.insert(
                    "SharingGroup".into(),
                    json!({
                        "uuid": group.to_string(),
                        "name": name,
                        "releasability": "",
                        "description": "",
                        "Organisation": self.organisation(marking.owner),
                        "SharingGroupOrg": orgs,
                    }),
                );
            }
            _ => {
                into.insert("sharing_group_id".into(), json!("0"));
            }
        }
    }
}

fn short(uuid: Uuid) -> String {
    uuid.simple().to_string().chars().take(8).collect()
}

fn tag(name: String) -> Value {
    json!({ "name": name })
}

fn tlp_tag(tlp: Tlp) -> Value {
    tag(format!("tlp:{}", tlp.as_str()))
}

/// One attribute; `relation` is its object relation inside an object.
struct Attribute<'a> {
    key: String,
    kind: &'a str,
    category: &'a str,
    value: String,
    relation: Option<&'a str>,
    comment: &'a str,
    correlate: bool,
}

impl Attribute<'_> {
    fn to_json(&self, timestamp: &str, tags: &[Value]) -> Value {
        let mut out = json!({
            "uuid": derived(&self.key),
            "type": self.kind,
            "category": self.category,
            "value": self.value,
            "to_ids": false,
            "distribution": "5",
            "sharing_group_id": "0",
            "comment": self.comment,
            "disable_correlation": !self.correlate,
            "deleted": false,
            "timestamp": timestamp,
        });
        if let Some(relation) = self.relation {
            out["object_relation"] = json!(relation);
        }
        if !tags.is_empty() {
            out["Tag"] = json!(tags);
        }
        out
    }
}

/// MISP core-format JSON for the shared events: `{"response": [{"Event": {...}}, ...]}`,
/// one MISP event per beltwatch document (its events become attributes/objects).
pub fn events(shared: &Shared) -> Value {
    let context = Context {
        groups: shared.sharing_groups.iter().map(|g| (g.id, g)).collect(),
        names: shared.organisations.iter().map(|o| (o.id, o.name.as_str())).collect(),
        actors: shared.actors.iter().map(|a| (&a.id, a)).collect(),
    };
    let sources: HashMap<_, &Source> = shared.sources.iter().map(|s| (s.id, s)).collect();
    let mut by_document: BTreeMap<DocumentId, Vec<&Event>> = BTreeMap::new();
    for event in &shared.events {
        if let Some(home) = event.documents.first() {
            by_document.entry(*home).or_default().push(event);
        }
    }
    let response: Vec<Value> = shared
        .documents
        .iter()
        .map(|document| {
            let events = by_document.get(&document.id).map(Vec::as_slice).unwrap_or_default();
            let source = document.source.and_then(|s| sources.get(&s)).copied();
            json!({ "Event": misp_event(document, events, source, &context) })
        })
        .collect();
    json!({ "response": response })
}

fn misp_event(document: &Document, events: &[&Event], source: Option<&Source>, context: &Context) -> Value {
    let timestamp = unix(document.ingested_at);
    // MISP's date is a day: a month or a year gives its first day, and the document object
    // below keeps the precision.
    let date = document.published.map_or(document.ingested_at, |w| w.at).format("%Y-%m-%d").to_string();
    let mut out = Map::new();
    out.insert("uuid".into(), json!(document.id.to_string()));
    out.insert("info".into(), json!(info(document)));
    out.insert("date".into(), json!(date));
    out.insert("timestamp".into(), json!(timestamp));
    // Not published in MISP's sense: the receiving instance decides whether to publish.
    out.insert("published".into(), json!(false));
    out.insert("publish_timestamp".into(), json!("0"));
    out.insert("analysis".into(), json!("2"));
    out.insert("threat_level_id".into(), json!(threat_level(events.iter().map(|e| e.category))));
    context.distribution(&document.marking, &mut out);
    out.insert("Orgc".into(), context.organisation(document.marking.owner));

    let mut tags = vec![tlp_tag(document.marking.tlp)];
    let categories: BTreeSet<&str> = events.iter().map(|e| e.category.as_str()).collect();
    let types: BTreeSet<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
    tags.extend(categories.iter().map(|c| tag(format!("beltwatch:category=\"{c}\""))));
    tags.extend(types.iter().map(|t| tag(format!("beltwatch:event-type=\"{t}\""))));
    if !document.language.is_undetermined() {
        tags.push(tag(format!("beltwatch:language=\"{}\"", document.language)));
    }

    // Armed groups and criminal networks named by the events, as threat actor clusters.
    let mut clusters = Vec::new();
    let mut seen = BTreeSet::new();
    for actor in events.iter().flat_map(|e| e.actors.iter()) {
        let Some(actor) = context.actors.get(&actor.actor) else { continue };
        if !matches!(actor.kind, ActorKind::ArmedGroup | ActorKind::CriminalNetwork) || !seen.insert(&actor.id) {
            continue;
        }
        let tag_name = format!("misp-galaxy:threat-actor=\"{}\"", actor.name);
        let mut meta = json!({ "synonyms": actor.aliases });
        if let Some(country) = &actor.country {
            meta["country"] = json!(country.as_str());
        }
        clusters.push(json!({
            "uuid": derived(&format!("threat-actor {}", actor.id)),
            "type": "threat-actor",
            "value": actor.name,
            "tag_name": tag_name,
            "description": format!("{} in beltwatch's actor dictionary ({})", actor.name, actor.id),
            "source": "beltwatch",
            "authors": ["beltwatch"],
            "meta": meta,
        }));
        tags.push(tag(tag_name));
    }
    out.insert("Tag".into(), json!(tags));
    if !clusters.is_empty() {
        out.insert(
            "Galaxy".into(),
            json!([{
                "uuid": THREAT_ACTOR_GALAXY,
                "name": "Threat Actor",
                "type": "threat-actor",
                "namespace": "misp",
                "description": "Threat actors are characteristics of malicious actors.",
                "GalaxyCluster": clusters,
            }]),
        );
    }

    let id = document.id;
    let mut attributes = vec![Attribute {
        key: format!("{id} text"),
        kind: "text",
        category: "External analysis",
        value: document.text.clone(),
        relation: None,
        comment: "The report's text",
        correlate: false,
    }];
    if let Some(url) = &document.url {
        attributes.push(Attribute {
            key: format!("{id} link"),
            kind: "link",
            category: "External analysis",
            value: url.clone(),
            relation: None,
            comment: "Where the report was published",
            correlate: true,
        });
    }
    let attributes: Vec<Value> = attributes.iter().map(|a| a.to_json(&timestamp, &[])).collect();

    let mut objects = vec![document_object(document, source, &timestamp)];
    for event in events {
        objects.push(event_object(event, document, context, &timestamp));
    }
    let count = attributes.len() + objects.iter().map(|o| o["Attribute"].as_array().map_or(0, Vec::len)).sum::<usize>();
    out.insert("attribute_count".into(), json!(count.to_string()));
    out.insert("Attribute".into(), json!(attributes));
    out.insert("Object".into(), json!(objects));
    Value::Object(out)
}

/// The document's fields that MISP has no place for, as JSON.
fn document_object(document: &Document, source: Option<&Source>, timestamp: &str) -> Value {
    let mut fields = match serde_json::to_value(document) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    for key in ["id", "text", "raw", "marking", "ingested_at"] {
        fields.remove(key);
    }
    fields.insert("source_record".into(), source.map_or(Value::Null, |s| json!(s)));
    let attribute = Attribute {
        key: format!("{} {DOCUMENT_JSON}", document.id),
        kind: "text",
        category: "Internal reference",
        value: Value::Object(fields).to_string(),
        relation: Some(DOCUMENT_JSON),
        comment: "beltwatch's fields of this report (source, language, publication, content hash), for beltwatch \
                  to read back; the text is the event's text attribute",
        correlate: false,
    };
    json!({
        "uuid": derived(&format!("{} {DOCUMENT_OBJECT}", document.id)),
        "name": DOCUMENT_OBJECT,
        "meta-category": "misc",
        "description": "A report as beltwatch stores it",
        "template_uuid": derived(DOCUMENT_OBJECT),
        "template_version": "1",
        "distribution": "5",
        "sharing_group_id": "0",
        "timestamp": timestamp,
        "comment": "",
        "deleted": false,
        "Attribute": [attribute.to_json(timestamp, &[])],
    })
}

fn event_object(event: &Event, document: &Document, context: &Context, timestamp: &str) -> Value {
    let id = event.id;
    let text = |relation: &'static str, value: String| Attribute {
        key: format!("{id} {relation}"),
        kind: "text",
        category: "Other",
        value,
        relation: Some(relation),
        comment: "",
        correlate: false,
    };
    let mut attributes = vec![
        text("category", event.category.as_str().to_owned()),
        text("event-type", event.event_type.as_str().to_owned()),
        text("stance", event.stance.as_str().to_owned()),
    ];
    if let Some(when) = event.when {
        attributes.push(Attribute {
            kind: "datetime",
            ..text("date", when.at.format("%Y-%m-%dT%H:%M:%S%.3f+00:00").to_string())
        });
        attributes.push(text("date-precision", when.precision.as_str().to_owned()));
    }
    if let Some(place) = &event.place {
        attributes.push(Attribute { correlate: true, ..text("place", place.name.clone()) });
        if let Some(id) = &place.place {
            attributes.push(Attribute { correlate: true, ..text("place-id", id.to_string()) });
        }
        if let Some(point) = place.point {
            attributes.push(Attribute { kind: "float", ..text("latitude", point.lat().to_string()) });
            attributes.push(Attribute { kind: "float", ..text("longitude", point.lon().to_string()) });
        }
        if let Some(country) = &place.country {
            attributes.push(text("country", country.as_str().to_owned()));
        }
        attributes.push(text("geo-precision", place.precision.as_str().to_owned()));
    }
    if let Some(sector) = &event.sector {
        attributes.push(text("sector", sector.to_string()));
    }
    for (i, quantity) in event.quantities.iter().enumerate() {
        attributes.push(Attribute {
            key: format!("{id} quantity {i}"),
            ..text("quantity", format!("{} {} {}", quantity.value, quantity.unit, quantity.kind))
        });
    }
    for (i, taking_part) in event.actors.iter().enumerate() {
        let name = context.actors.get(&taking_part.actor).map_or(taking_part.actor.as_str(), |a| a.name.as_str());
        attributes.push(Attribute {
            key: format!("{id} actor {i}"),
            category: "Attribution",
            correlate: true,
            ..text("actor", format!("{name} ({})", taking_part.role))
        });
    }
    attributes.push(Attribute {
        comment: "Admiralty grade: 1 confirmed to 6 cannot be judged",
        ..text("credibility", event.credibility.as_str().to_owned())
    });
    attributes.push(Attribute {
        kind: "float",
        comment: "How sure beltwatch is that the event happened as described, from 0 to 1",
        ..text("confidence", event.confidence.to_string())
    });
    attributes.push(Attribute {
        category: "Internal reference",
        comment: "beltwatch's own record of this event, exact (evidence spans, actors, quantities, marking): \
                  beltwatch reads it back; the attributes beside it are for reading in MISP",
        ..text(EVENT_JSON, serde_json::to_string(event).unwrap_or_default())
    });
    // An event marked differently from its report carries its own TLP on its attributes.
    let tags = if event.marking.tlp == document.marking.tlp { vec![] } else { vec![tlp_tag(event.marking.tlp)] };
    let place = event.place.as_ref().map(|p| format!(" in {}", p.name)).unwrap_or_default();
    let date = event.when.map(|w| format!(" on {}", w.at.format("%Y-%m-%d"))).unwrap_or_default();
    let mut object = Map::new();
    object.insert("uuid".into(), json!(id.to_string()));
    object.insert("name".into(), json!(EVENT_OBJECT));
    object.insert("meta-category".into(), json!("misc"));
    object.insert("description".into(), json!("An event beltwatch extracted from the report"));
    object.insert("template_uuid".into(), json!(derived(EVENT_OBJECT)));
    object.insert("template_version".into(), json!("1"));
    context.distribution(&event.marking, &mut object);
    object.insert("timestamp".into(), json!(timestamp));
    object.insert("comment".into(), json!(format!("{} ({}){place}{date}", event.event_type, event.category)));
    object.insert("deleted".into(), json!(false));
    object
        .insert("Attribute".into(), json!(attributes.iter().map(|a| a.to_json(timestamp, &tags)).collect::<Vec<_>>()));
    Value::Object(object)
}

// ---- Reading ----

/// Reads MISP event JSON: either `{"response":[{"Event":..},..]}`, a single
/// `{"Event":{..}}`, or a bare list of those. Every problem in it, or the records:
/// nothing is read from a file with a problem.
pub fn read(text: &str, defaults: &ReadDefaults) -> Result<Read, Vec<Problem>> {
    let root: Value = serde_json::from_str(text).map_err(|e| {
        vec![Problem::new(format!("line {}, column {}", e.line(), e.column()), None, format!("not JSON: {e}"))]
    })?;
    let list = |items: &Vec<Value>, base: &str| -> Vec<(String, Value)> {
        items
            .iter()
            .enumerate()
            .map(|(i, item)| match item.get("Event") {
                Some(event) => (format!("{base}[{i}].Event"), event.clone()),
                None => (format!("{base}[{i}]"), item.clone()),
            })
            .collect()
    };
    let events = match &root {
        Value::Object(map) => match (map.get("response"), map.get("Event")) {
            (Some(Value::Array(items)), _) => list(items, "$.response"),
            (Some(_), _) => return Err(vec![Problem::new("$.response", None, "expected a list of events")]),
            (None, Some(event)) => vec![("$.Event".to_owned(), event.clone())],
            (None, None) => {
                return Err(vec![Problem::new(
                    "$",
                    None,
                    "expected MISP events: {\"response\": [...]}, {\"Event\": {...}} or a list of events",
                )]);
            }
        },
        Value::Array(items) => list(items, "$"),
        _ => {
            return Err(vec![Problem::new(
                "$",
                None,
                "expected MISP events: {\"response\": [...]}, {\"Event\": {...}} or a list of events",
            )]);
        }
    };
    let mut reader = Reader::default_for(defaults);
    for (path, event) in &events {
        reader.event(path, event);
    }
    reader.finish()
}

/// An attribute as read, with where it was.
struct Attr {
    path: String,
    kind: String,
    value: String,
    relation: Option<String>,
}

struct Reader<'d> {
    defaults: &'d ReadDefaults,
    problems: Vec<Problem>,
    names: BTreeMap<OrganisationId, String>,
    organisations: BTreeSet<OrganisationId>,
    groups: BTreeMap<SharingGroupId, SharingGroup>,
    sources: BTreeMap<model::SourceId, Source>,
    documents: Vec<Document>,
    events: Vec<Event>,
    skipped: BTreeMap<String, usize>,
}

impl<'d> Reader<'d> {
    fn default_for(defaults: &'d ReadDefaults) -> Self {
        Self {
            defaults,
            problems: Vec::new(),
            names: BTreeMap::new(),
            organisations: BTreeSet::new(),
            groups: BTreeMap::new(),
            sources: BTreeMap::new(),
            documents: Vec::new(),
            events: Vec::new(),
            skipped: BTreeMap::new(),
        }
    }

    fn finish(self) -> Result<Read, Vec<Problem>> {
        if !self.problems.is_empty() {
            return Err(self.problems);
        }
        let names = self.names;
        let organisations = self
            .organisations
            .into_iter()
            .map(|id| Organisation {
                id,
                name: names.get(&id).cloned().unwrap_or_else(|| format!("Organisation {}", short(id.uuid()))),
            })
            .collect();
        Ok(Read {
            shared: Shared {
                organisations,
                sharing_groups: self.groups.into_values().collect(),
                sources: self.sources.into_values().collect(),
                documents: self.documents,
                events: self.events,
                claims: Vec::new(),
                actors: Vec::new(),
            },
            skipped: self.skipped,
        })
    }

    fn skip(&mut self, what: String) {
        *self.skipped.entry(what).or_default() += 1;
    }

    /// Reads one MISP event at `path`; its problems are kept, and what it gives is kept
    /// only when it has none.
    fn event(&mut self, path: &str, event: &Value) {
        let before = self.problems.len();
        let mut problems = Vec::new();
        let object_id = event.get("uuid").and_then(Value::as_str).map(str::to_owned);
        let id = object_id.as_deref();
        let mut problem = |location: String, message: String| problems.push(Problem::new(location, id, message));
        let Some(map) = event.as_object() else {
            problem(path.to_owned(), format!("a MISP event is an object, not {}", kind_of(event)));
            self.problems.extend(problems);
            return;
        };
        let uuid = match map.get("uuid") {
            Some(Value::String(s)) => match Uuid::parse_str(s) {
                Ok(u) => Some(u),
                Err(_) => {
                    problem(format!("{path}.uuid"), format!("{s:?} is not a uuid"));
                    None
                }
            },
            Some(other) => {
                problem(format!("{path}.uuid"), format!("expected a string, found {}", kind_of(other)));
                None
            }
            None => {
                problem(format!("{path}.uuid"), "a MISP event needs a uuid".to_owned());
                None
            }
        };
        let info = match map.get("info") {
            Some(Value::String(s)) => s.clone(),
            Some(other) => {
                problem(format!("{path}.info"), format!("expected a string, found {}", kind_of(other)));
                String::new()
            }
            None => {
                problem(format!("{path}.info"), "a MISP event needs an info".to_owned());
                String::new()
            }
        };
        let date = match map.get("date") {
            None | Some(Value::Null) => None,
            // MISP writes a day; a month or a year alone is what a person may know of a report.
            Some(Value::String(s)) => match When::parse(s) {
                Ok(when) if when.precision != Precision::Second => Some(when),
                _ => {
                    problem(format!("{path}.date"), format!("{s:?} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)"));
                    None
                }
            },
            Some(other) => {
                problem(format!("{path}.date"), format!("expected a string, found {}", kind_of(other)));
                None
            }
        };
        // The creator: its uuid and name.
        let mut owner = self.defaults.owner;
        if let Some(orgc) = map.get("Orgc") {
            match orgc.get("uuid").and_then(Value::as_str).map(Uuid::parse_str) {
                Some(Ok(u)) => {
                    owner = OrganisationId::from_uuid(u);
                    if let Some(name) = orgc.get("name").and_then(Value::as_str).filter(|n| !n.is_empty()) {
                        self.names.entry(owner).or_insert_with(|| name.to_owned());
                    }
                }
                _ => problem(format!("{path}.Orgc.uuid"), "the creating organisation needs a uuid".to_owned()),
            }
        }
        let tags = read_tags(map.get("Tag"), &format!("{path}.Tag"), &mut problem);
        let tlp = strictest(tags.iter().filter_map(|t| tlp_of_tag(t))).unwrap_or(self.defaults.tlp);
        let language = tags.iter().find_map(|t| {
            let code = t.strip_prefix("beltwatch:language=")?.trim_matches('"');
            code.parse::<Language>().ok()
        });
        let distribution = self.distribution(map, path, owner, &mut problem);
        let attributes = read_attributes(map.get("Attribute"), &format!("{path}.Attribute"), &mut problem);
        let mut objects: Vec<(String, String, Vec<Attr>)> = Vec::new();
        match map.get("Object") {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for (j, object) in items.iter().enumerate() {
                    let at = format!("{path}.Object[{j}]");
                    let Some(name) = object.get("name").and_then(Value::as_str) else {
                        problem(format!("{at}.name"), "a MISP object needs a name".to_owned());
                        continue;
                    };
                    if let Some(fields) = object.as_object()
                        && fields.contains_key("SharingGroup")
                    {
                        // For the group's name and members only: the event's JSON has its marking.
                        let _ = self.distribution(fields, &at, owner, &mut problem);
                    }
                    let attributes = read_attributes(object.get("Attribute"), &format!("{at}.Attribute"), &mut problem);
                    objects.push((at, name.to_owned(), attributes));
                }
            }
            Some(other) => problem(format!("{path}.Object"), format!("expected a list, found {}", kind_of(other))),
        }
        // What is wrong so far is kept, and reading goes on for the problems further in;
        // an event with a problem gives no records.
        let clean = problems.is_empty();
        self.problems.extend(problems);
        let uuid = uuid.unwrap_or_else(Uuid::nil);
        let marking = Marking { owner, tlp, distribution: distribution.unwrap_or(Distribution::Organisation) };
        let id = object_id.clone().unwrap_or_default();
        let document_json = objects
            .iter()
            .filter(|(_, name, _)| name == DOCUMENT_OBJECT)
            .flat_map(|(_, _, attributes)| attributes)
            .find(|a| a.relation.as_deref() == Some(DOCUMENT_JSON));
        let mut used = BTreeSet::new();
        let document = match document_json {
            Some(fields) => self.own_document(uuid, fields, &attributes, marking, (path, clean), &mut used),
            None => Some(self.foreign_document(uuid, &info, date, language, &attributes, marking, &mut used)),
        };
        for (i, attribute) in attributes.iter().enumerate() {
            if !used.contains(&i) {
                self.skip(format!("attribute:{}", attribute.kind));
            }
        }
        let mut events = Vec::new();
        for (_, name, attributes) in &objects {
            match name.as_str() {
                DOCUMENT_OBJECT => {}
                EVENT_OBJECT => {
                    if let Some(json) = attributes.iter().find(|a| a.relation.as_deref() == Some(EVENT_JSON)) {
                        match parse_json::<Event>(&json.value, &format!("{}.value", json.path), &[]) {
                            Ok(event) => events.push(event),
                            Err(p) => self.problems.push(p.about(&id)),
                        }
                    } else {
                        self.skip(format!("object:{name}"));
                    }
                }
                other => self.skip(format!("object:{other}")),
            }
        }
        if let Some(galaxies) = map.get("Galaxy").and_then(Value::as_array)
            && document_json.is_none()
        {
            for galaxy in galaxies {
                let kind = galaxy.get("type").and_then(Value::as_str).unwrap_or("galaxy");
                let clusters = galaxy.get("GalaxyCluster").and_then(Value::as_array).map_or(0, Vec::len);
                if clusters > 0 {
                    *self.skipped.entry(format!("galaxy:{kind}")).or_default() += clusters;
                }
            }
        }
        if self.problems.len() > before {
            return;
        }
        let Some(document) = document else { return };
        self.organisations.insert(document.marking.owner);
        for event in &events {
            self.organisations.insert(event.marking.owner);
            if let Distribution::SharingGroup { group } = event.marking.distribution {
                self.groups.entry(group).or_insert_with(|| SharingGroup {
                    id: group,
                    name: "Sharing group".to_owned(),
                    members: vec![event.marking.owner],
                });
            }
        }
        self.documents.push(document);
        self.events.extend(events);
    }

    /// The event's distribution, with its sharing group kept for the records.
    fn distribution(
        &mut self,
        map: &Map<String, Value>,
        path: &str,
        owner: OrganisationId,
        problem: &mut impl FnMut(String, String),
    ) -> Option<Distribution> {
        let code = match map.get("distribution") {
            None | Some(Value::Null) => return Some(Distribution::Organisation),
            Some(Value::String(s)) => s.trim().parse::<u8>().ok(),
            Some(Value::Number(n)) => n.as_u64().and_then(|n| u8::try_from(n).ok()),
            Some(_) => None,
        };
        match code {
            Some(0) => Some(Distribution::Organisation),
            Some(1..=3) => Some(Distribution::AllPartners),
            Some(4) => {
                let Some(group) = map.get("SharingGroup") else {
                    problem(format!("{path}.SharingGroup"), "distribution 4 needs its sharing group".to_owned());
                    return None;
                };
                let Some(Ok(uuid)) = group.get("uuid").and_then(Value::as_str).map(Uuid::parse_str) else {
                    problem(format!("{path}.SharingGroup.uuid"), "a sharing group needs a uuid".to_owned());
                    return None;
                };
                let id = SharingGroupId::from_uuid(uuid);
                let name = group.get("name").and_then(Value::as_str).unwrap_or("Sharing group").to_owned();
                let mut members = vec![owner];
                for (i, member) in
                    group.get("SharingGroupOrg").and_then(Value::as_array).into_iter().flatten().enumerate()
                {
                    let organisation = member.get("Organisation").unwrap_or(member);
                    match organisation.get("uuid").and_then(Value::as_str).map(Uuid::parse_str) {
                        Some(Ok(u)) => {
                            let org = OrganisationId::from_uuid(u);
                            if let Some(n) = organisation.get("name").and_then(Value::as_str).filter(|n| !n.is_empty())
                            {
                                self.names.entry(org).or_insert_with(|| n.to_owned());
                            }
                            members.push(org);
                        }
                        _ => problem(
                            format!("{path}.SharingGroup.SharingGroupOrg[{i}].Organisation.uuid"),
                            "a member needs a uuid".to_owned(),
                        ),
                    }
                }
                members.sort();
                members.dedup();
                let entry = self.groups.entry(id).or_insert_with(|| SharingGroup { id, name, members: Vec::new() });
                entry.members.extend(members);
                entry.members.sort();
                entry.members.dedup();
                self.organisations.extend(entry.members.iter().copied());
                Some(Distribution::SharingGroup { group: id })
            }
            _ => {
                problem(
                    format!("{path}.distribution"),
                    format!(
                        "{} is not a MISP distribution: expected 0 to 4",
                        map.get("distribution").map_or_else(String::new, Value::to_string)
                    ),
                );
                None
            }
        }
    }

    /// A document that beltwatch exported: its fields from its object, its text from the
    /// text attribute whose hash is the document's.
    fn own_document(
        &mut self,
        uuid: Uuid,
        fields: &Attr,
        attributes: &[Attr],
        marking: Marking,
        (path, clean): (&str, bool),
        used: &mut BTreeSet<usize>,
    ) -> Option<Document> {
        let at = format!("{}.value", fields.path);
        let id = uuid.to_string();
        let parsed: Value = match serde_json::from_str(&fields.value) {
            Ok(v) => v,
            Err(e) => {
                self.problems.push(Problem::new(at, Some(&id), format!("not JSON: {e}")));
                return None;
            }
        };
        let hash = parsed.get("content_hash").and_then(Value::as_str).unwrap_or_default().to_owned();
        let found = attributes
            .iter()
            .enumerate()
            .find(|(_, a)| a.kind == "text" && a.relation.is_none() && crate::content_hash(&a.value).to_hex() == hash);
        let Some((index, text)) = found else {
            // An attribute that could not be read may be the text: that problem is reported.
            if !clean {
                return None;
            }
            self.problems.push(Problem::new(
                format!("{path}.Attribute"),
                Some(&id),
                format!("no text attribute holds the report's text (content hash {hash})"),
            ));
            return None;
        };
        used.insert(index);
        if let Some(i) = attributes.iter().position(|a| a.kind == "link" && a.relation.is_none()) {
            used.insert(i);
        }
        let mut map = parsed.as_object().cloned().unwrap_or_default();
        let source = map.remove("source_record").filter(|v| !v.is_null());
        let source: Option<Source> = match source.map(serde_json::from_value) {
            None => None,
            Some(Ok(s)) => Some(s),
            Some(Err(e)) => {
                self.problems.push(Problem::new(at, Some(&id), format!("source_record: {e}")));
                return None;
            }
        };
        let extra = [
            ("id", json!(id)),
            ("text", json!(text.value)),
            ("raw", json!(text.value)),
            ("marking", json!(marking)),
            ("ingested_at", json!(self.defaults.now)),
        ];
        match parse_json::<Document>(&Value::Object(map).to_string(), &at, &extra) {
            Ok(document) => {
                if let Some(s) = source {
                    self.sources.entry(s.id).or_insert(s);
                }
                Some(document)
            }
            Err(p) => {
                self.problems.push(p.about(&id));
                None
            }
        }
    }

    /// A document made from another tool's event: its info and its text and comment
    /// attributes.
    #[allow(clippy::too_many_arguments)]
    fn foreign_document(
        &mut self,
        uuid: Uuid,
        info: &str,
        date: Option<When>,
        language: Option<Language>,
        attributes: &[Attr],
        marking: Marking,
        used: &mut BTreeSet<usize>,
    ) -> Document {
        let mut parts = vec![info.trim().to_owned()];
        let mut url = None;
        for (i, attribute) in attributes.iter().enumerate() {
            match attribute.kind.as_str() {
                "text" | "comment" if attribute.relation.is_none() => {
                    parts.push(attribute.value.trim().to_owned());
                    used.insert(i);
                }
                "link" if url.is_none() => {
                    url = Some(attribute.value.clone());
                    used.insert(i);
                }
                _ => {}
            }
        }
        parts.retain(|p| !p.is_empty());
        let text = parts.join("\n\n");
        Document {
            id: DocumentId::from_uuid(uuid),
            content_hash: crate::content_hash(&text),
            source: None,
            source_name: None,
            url,
            title: Some(info.trim().to_owned()).filter(|t| !t.is_empty()),
            published: date,
            ingested_at: self.defaults.now,
            language_confidence: if language.is_some() { 1.0 } else { 0.0 },
            language: language.unwrap_or_else(Language::undetermined),
            format: DocumentFormat::Json,
            origin: format!("misp:{uuid}"),
            raw: text.clone(),
            text,
            marking,
        }
    }
}

impl Problem {
    fn about(mut self, id: &str) -> Self {
        self.object.get_or_insert_with(|| id.to_owned());
        self
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// The stricter of TLP markings: the one further down TLP's order.
fn strictest(tlps: impl Iterator<Item = Tlp>) -> Option<Tlp> {
    tlps.max_by_key(|t| Tlp::ALL.iter().position(|x| x == t))
}

/// The TLP of a `tlp:` tag (TLP 2.0, and 1.0's `white`); other tags give none.
fn tlp_of_tag(tag: &str) -> Option<Tlp> {
    let lower = tag.trim().to_ascii_lowercase();
    lower.strip_prefix("tlp:")?;
    Tlp::parse_loose(&lower).ok()
}

fn read_tags(tags: Option<&Value>, path: &str, problem: &mut impl FnMut(String, String)) -> Vec<String> {
    match tags {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .filter_map(|(i, tag)| match tag.get("name") {
                Some(Value::String(name)) => Some(name.clone()),
                Some(other) => {
                    problem(format!("{path}[{i}].name"), format!("expected a string, found {}", kind_of(other)));
                    None
                }
                None => {
                    problem(format!("{path}[{i}]"), "a tag needs a name".to_owned());
                    None
                }
            })
            .collect(),
        Some(other) => {
            problem(path.to_owned(), format!("expected a list of tags, found {}", kind_of(other)));
            Vec::new()
        }
    }
}

fn read_attributes(attributes: Option<&Value>, path: &str, problem: &mut impl FnMut(String, String)) -> Vec<Attr> {
    let items = match attributes {
        None | Some(Value::Null) => return Vec::new(),
        Some(Value::Array(items)) => items,
        Some(other) => {
            problem(path.to_owned(), format!("expected a list of attributes, found {}", kind_of(other)));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for (i, attribute) in items.iter().enumerate() {
        let at = format!("{path}[{i}]");
        if !attribute.is_object() {
            problem(at, format!("an attribute is an object, not {}", kind_of(attribute)));
            continue;
        }
        let kind = match attribute.get("type") {
            Some(Value::String(s)) => s.clone(),
            Some(other) => {
                problem(format!("{at}.type"), format!("expected a string, found {}", kind_of(other)));
                continue;
            }
            None => {
                problem(format!("{at}.type"), "an attribute needs a type".to_owned());
                continue;
            }
        };
        let value = match attribute.get("value") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            Some(other) => {
                problem(format!("{at}.value"), format!("expected a string, found {}", kind_of(other)));
                continue;
            }
            None => {
                problem(format!("{at}.value"), "an attribute needs a value".to_owned());
                continue;
            }
        };
        let relation = match attribute.get("object_relation") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                problem(format!("{at}.object_relation"), format!("expected a string, found {}", kind_of(other)));
                continue;
            }
        };
        out.push(Attr { path: at, kind, value, relation });
    }
    out
}

/// A record from JSON text held in an attribute, with `extra` fields added; a problem
/// names the attribute's value and the field inside it.
fn parse_json<T: serde::de::DeserializeOwned>(text: &str, at: &str, extra: &[(&str, Value)]) -> Result<T, Problem> {
    let mut value: Value = serde_json::from_str(text).map_err(|e| Problem::new(at, None, format!("not JSON: {e}")))?;
    if let Value::Object(map) = &mut value {
        for (key, v) in extra {
            map.insert((*key).to_owned(), v.clone());
        }
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let field = e.path().to_string();
        let message = e.into_inner().to_string();
        Problem::new(at, None, if field == "." { message } else { format!("{field}: {message}") })
    })
}
