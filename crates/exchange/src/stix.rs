//! STIX 2.1: beltwatch's records as STIX objects, and back. The mapping, with every
//! property, is in `docs/stix-mapping.md`.
//!
//! Events are `incident`s and documents are `report`s. Both carry beltwatch's own fields
//! in a property extension defined by [`EXTENSION_ID`]. Owners are `identity`s named by
//! `created_by_ref`, and markings are the TLP 2.0 marking definitions. Places are
//! `location`s and actors `threat-actor`s or `identity`s, joined to their incidents by
//! `relationship`s. Claims are `note`s on their report. An object's id is its record's
//! id, so the same record has the same STIX id on every instance.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use model::{
    ActorKind, Claim, ContentHash, Distribution, Document, Event, Marking, Organisation, OrganisationId, SharingGroup,
    SharingGroupId, Source, Tlp,
};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::{Problem, Read, ReadDefaults, Shared};

/// The extension definition of beltwatch's properties on reports, incidents and notes.
pub const EXTENSION_ID: &str = "extension-definition--a34fa558-2a62-4070-86b5-de6d5689185e";
/// beltwatch itself, as the creator of its extension definition.
pub const PRODUCER_ID: &str = "identity--bb1c8b98-c11e-4221-9930-4f9b2db9593e";
/// The OASIS extension definition of the TLP 2.0 marking definitions.
const TLP2_EXTENSION_ID: &str = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";
/// The created time of objects beltwatch keeps no history for (identities, locations,
/// actors, its extension definition), so that every export gives them one version.
const TIMELESS: &str = "2020-01-01T00:00:00.000Z";

/// The TLP 2.0 marking definitions' ids (OASIS `cti-stix-common-objects`).
pub fn tlp_marking_id(tlp: Tlp) -> &'static str {
    match tlp {
        Tlp::Clear => "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
        Tlp::Green => "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
        Tlp::Amber => "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
        Tlp::AmberStrict => "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
        Tlp::Red => "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
    }
}

/// The TLP level of a marking definition id: TLP 2.0, and TLP 1.0's white, green, amber
/// and red as their TLP 2.0 counterparts.
pub fn tlp_of_marking(id: &str) -> Option<Tlp> {
    Tlp::ALL.iter().copied().find(|t| tlp_marking_id(*t) == id).or(match id {
        "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9" => Some(Tlp::Clear),
        "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da" => Some(Tlp::Green),
        "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82" => Some(Tlp::Amber),
        "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed" => Some(Tlp::Red),
        _ => None,
    })
}

fn tlp_marking_definition(tlp: Tlp) -> Value {
    json!({
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": tlp_marking_id(tlp),
        "created": "2022-10-01T00:00:00.000Z",
        "name": format!("TLP:{}", tlp.as_str().to_ascii_uppercase()),
        "extensions": { TLP2_EXTENSION_ID: { "extension_type": "property-extension", "tlp_2_0": tlp.as_str() } },
    })
}

/// A STIX timestamp: UTC with milliseconds, as validators require.
pub fn stix_time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

fn derived(kind: &str, key: &str) -> String {
    let namespace = Uuid::new_v5(&Uuid::NAMESPACE_URL, b"https://beltwatch/stix");
    format!("{kind}--{}", Uuid::new_v5(&namespace, key.as_bytes()))
}

/// An organisation's identity: a name-based (version 5) UUID of the organisation's id,
/// since STIX ids are version 4 or 5 UUIDs and organisations' are version 7. The identity
/// names the organisation's own id in beltwatch's properties.
pub fn identity_id(organisation: OrganisationId) -> String {
    derived("identity", &organisation.to_string())
}

fn organisation_identity(organisation: &Organisation) -> Value {
    json!({
        "type": "identity", "spec_version": "2.1", "id": identity_id(organisation.id),
        "created": TIMELESS, "modified": TIMELESS, "name": organisation.name, "identity_class": "organization",
        "extensions": { EXTENSION_ID: { "extension_type": "property-extension", "organisation": organisation.id } },
    })
}

fn extension_definition() -> Vec<Value> {
    vec![
        json!({
            "type": "identity", "spec_version": "2.1", "id": PRODUCER_ID,
            "created": TIMELESS, "modified": TIMELESS, "name": "beltwatch", "identity_class": "system",
        }),
        json!({
            "type": "extension-definition", "spec_version": "2.1", "id": EXTENSION_ID,
            "created_by_ref": PRODUCER_ID, "created": TIMELESS, "modified": TIMELESS,
            "name": "beltwatch records",
            "description": "beltwatch's fields of reports (documents), incidents (events) and notes (claims): \
                            categories, event types, places, actors, quantities and the evidence spans behind them.",
            "schema": "beltwatch docs/stix-mapping.md, version 1: the fields of model::Document, model::Event \
                       and model::Claim in their JSON form, less those STIX carries itself.",
            "version": "1.0.0",
            "extension_types": ["property-extension"],
        }),
    ]
}

/// The distribution's JSON form in the extension, with the sharing group's name and
/// members so that the receiver can keep the group.
fn distribution_json(distribution: &Distribution, groups: &HashMap<SharingGroupId, &SharingGroup>) -> Value {
    let mut out = json!({ "level": distribution.level() });
    if let Distribution::SharingGroup { group } = distribution {
        out["group"] = json!(group);
        if let Some(g) = groups.get(group) {
            out["group_name"] = json!(g.name);
            out["members"] = json!(g.members);
        }
    }
    out
}

/// An object's common properties: type, id, times, creator and marking.
fn common(kind: &str, id: String, created: &str, marking: &Marking) -> Map<String, Value> {
    let mut object = Map::new();
    object.insert("type".into(), json!(kind));
    object.insert("spec_version".into(), json!("2.1"));
    object.insert("id".into(), json!(id));
    object.insert("created".into(), json!(created));
    object.insert("modified".into(), json!(created));
    object.insert("created_by_ref".into(), json!(identity_id(marking.owner)));
    object.insert("object_marking_refs".into(), json!([tlp_marking_id(marking.tlp)]));
    object
}

/// `value`'s JSON fields less `drop`, as a property extension.
fn extension(value: Value, drop: &[&str], extra: &[(&str, Value)]) -> Value {
    let mut fields = match value {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    for key in drop {
        fields.remove(*key);
    }
    for (key, value) in extra {
        fields.insert((*key).to_owned(), value.clone());
    }
    fields.insert("extension_type".into(), json!("property-extension"));
    let mut fields = Value::Object(fields);
    prune(&mut fields);
    json!({ EXTENSION_ID: fields })
}

/// Drops nulls and empty lists, which STIX does not allow: a reader takes a missing
/// property as none.
fn prune(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null() && v.as_array().is_none_or(|a| !a.is_empty()));
            map.values_mut().for_each(prune);
        }
        Value::Array(items) => items.iter_mut().for_each(prune),
        _ => {}
    }
}

/// The records indexed once for writing them as objects: sharing groups, sources and
/// actors by id, and each document's events.
pub struct Feed<'a> {
    shared: &'a Shared,
    groups: HashMap<SharingGroupId, &'a SharingGroup>,
    sources: HashMap<model::SourceId, &'a Source>,
    actors: HashMap<model::ActorId, &'a model::Actor>,
    documents: HashMap<model::DocumentId, &'a Document>,
    by_document: BTreeMap<model::DocumentId, Vec<&'a Event>>,
}

impl<'a> Feed<'a> {
    pub fn new(shared: &'a Shared) -> Self {
        let mut by_document: BTreeMap<model::DocumentId, Vec<&Event>> = BTreeMap::new();
        for event in &shared.events {
            if let Some(home) = event.documents.first() {
                by_document.entry(*home).or_default().push(event);
            }
        }
        Self {
            shared,
            groups: shared.sharing_groups.iter().map(|g| (g.id, g)).collect(),
            sources: shared.sources.iter().map(|s| (s.id, s)).collect(),
            actors: shared.actors.iter().map(|a| (a.id.clone(), a)).collect(),
            documents: shared.documents.iter().map(|d| (d.id, d)).collect(),
            by_document,
        }
    }

    fn events_of(&self, document: &Document) -> &[&'a Event] {
        self.by_document.get(&document.id).map(Vec::as_slice).unwrap_or_default()
    }

    /// The objects that make one event whole on its own: beltwatch's extension
    /// definition, the markings and identities it needs, its report, its incident and
    /// what the incident relates to. A feed (TAXII) sends these per event; shared objects
    /// come again, with the same id and version, for each event that needs them.
    pub fn objects_for(&self, event: &Event) -> Vec<Value> {
        let Some(document) = event.documents.first().and_then(|d| self.documents.get(d)) else {
            return Vec::new();
        };
        let mut out = extension_definition();
        let tlps: BTreeSet<Tlp> = [event.marking.tlp, document.marking.tlp].into();
        out.extend(tlps.into_iter().map(tlp_marking_definition));
        let owners: BTreeSet<OrganisationId> = [event.marking.owner, document.marking.owner].into();
        for organisation in self.shared.organisations.iter().filter(|o| owners.contains(&o.id)) {
            out.push(organisation_identity(organisation));
        }
        let created = stix_time(document.published.map_or(document.ingested_at, |w| w.at));
        out.push(report(document, self.events_of(document), &created, &self.groups, &self.sources));
        out.extend(incident(event, &created, &self.groups, &self.actors));
        out
    }
}

/// Every STIX object for the records: definitions and identities first, then each
/// document's report followed by its incidents, their places and actors, and its notes.
pub fn objects(shared: &Shared) -> Vec<Value> {
    let feed = Feed::new(shared);
    let mut out = extension_definition();
    let used_tlps: BTreeSet<Tlp> =
        shared.events.iter().map(|e| e.marking.tlp).chain(shared.documents.iter().map(|d| d.marking.tlp)).collect();
    out.extend(used_tlps.into_iter().map(tlp_marking_definition));
    out.extend(shared.organisations.iter().map(organisation_identity));
    let mut seen = BTreeSet::new();
    for document in &shared.documents {
        let created = stix_time(document.published.map_or(document.ingested_at, |w| w.at));
        let events = feed.events_of(document);
        out.push(report(document, events, &created, &feed.groups, &feed.sources));
        for event in events {
            for object in incident(event, &created, &feed.groups, &feed.actors) {
                let id = object["id"].as_str().unwrap_or_default().to_owned();
                // Places and actors are shared by many incidents: each goes out once.
                if seen.insert(id) {
                    out.push(object);
                }
            }
        }
        for claim in shared.claims.iter().filter(|c| c.document == document.id) {
            out.push(note(claim, document, &created));
        }
    }
    out
}

/// A bundle of [`objects`]; its id is derived from theirs, so one export gives one id.
pub fn bundle(shared: &Shared) -> Value {
    let objects = objects(shared);
    let ids: Vec<&str> = objects.iter().filter_map(|o| o["id"].as_str()).collect();
    json!({ "type": "bundle", "id": derived("bundle", &ids.join(" ")), "objects": objects })
}

fn report(
    document: &Document,
    events: &[&Event],
    created: &str,
    groups: &HashMap<SharingGroupId, &SharingGroup>,
    sources: &HashMap<model::SourceId, &Source>,
) -> Value {
    let mut object = common("report", format!("report--{}", document.id), created, &document.marking);
    let name = document.title.clone().unwrap_or_else(|| {
        let head: String = document.text.chars().take(80).collect();
        head.lines().next().unwrap_or("Untitled report").to_owned()
    });
    object.insert("name".into(), json!(name));
    object.insert("description".into(), json!(document.text));
    object.insert("published".into(), json!(created));
    object.insert("report_types".into(), json!(["threat-report"]));
    let mut refs: Vec<String> = events.iter().map(|e| format!("incident--{}", e.id)).collect();
    if refs.is_empty() {
        refs.push(identity_id(document.marking.owner));
    }
    object.insert("object_refs".into(), json!(refs));
    if !document.language.is_undetermined() {
        object.insert("lang".into(), json!(document.language.as_str()));
    }
    if let Some(url) = &document.url {
        let name = document.source_name.clone().unwrap_or_else(|| "web".into());
        object.insert("external_references".into(), json!([{ "source_name": name, "url": url }]));
    }
    let source = document.source.and_then(|s| sources.get(&s)).map(|s| json!(s));
    let fields = serde_json::to_value(document).unwrap_or(Value::Null);
    object.insert(
        "extensions".into(),
        extension(
            fields,
            &["id", "text", "raw", "marking", "ingested_at"],
            &[
                ("distribution", distribution_json(&document.marking.distribution, groups)),
                ("source_record", source.unwrap_or(Value::Null)),
            ],
        ),
    );
    Value::Object(object)
}

fn incident(
    event: &Event,
    created: &str,
    groups: &HashMap<SharingGroupId, &SharingGroup>,
    actors: &HashMap<model::ActorId, &model::Actor>,
) -> Vec<Value> {
    let id = format!("incident--{}", event.id);
    let mut object = common("incident", id.clone(), created, &event.marking);
    let place = event.place.as_ref().map(|p| format!(" in {}", p.name)).unwrap_or_default();
    let date = event.when.map(|w| format!(" on {}", w.at.format("%Y-%m-%d"))).unwrap_or_default();
    object.insert("name".into(), json!(format!("{} ({}){place}{date}", event.event_type, event.category)));
    object.insert("confidence".into(), json!((f64::from(event.confidence) * 100.0).round().clamp(0.0, 100.0) as u8));
    let fields = serde_json::to_value(event).unwrap_or(Value::Null);
    object.insert(
        "extensions".into(),
        extension(
            fields,
            &["id", "marking"],
            &[("distribution", distribution_json(&event.marking.distribution, groups))],
        ),
    );
    let mut out = vec![Value::Object(object)];
    let relate = |target: String, kind: &str, description: String, out: &mut Vec<Value>| {
        let mut r =
            common("relationship", derived("relationship", &format!("{id} {kind} {target}")), created, &event.marking);
        r.insert("relationship_type".into(), json!(kind));
        r.insert("source_ref".into(), json!(id));
        r.insert("target_ref".into(), json!(target));
        r.insert("description".into(), json!(description));
        out.push(Value::Object(r));
    };
    if let Some(place) = &event.place
        && (place.point.is_some() || place.country.is_some())
    {
        let key = place.place.as_ref().map_or_else(|| format!("{}|{:?}", place.name, place.point), |p| p.to_string());
        let location_id = derived("location", &key);
        let mut location = json!({
            "type": "location", "spec_version": "2.1", "id": location_id,
            "created": TIMELESS, "modified": TIMELESS, "name": place.name,
        });
        if let Some(point) = place.point {
            location["latitude"] = json!(point.lat());
            location["longitude"] = json!(point.lon());
        }
        if let Some(country) = &place.country {
            location["country"] = json!(country.as_str());
        }
        out.push(location);
        relate(location_id, "located-at", format!("{} happened here", event.event_type), &mut out);
    }
    for taking_part in &event.actors {
        let Some(actor) = actors.get(&taking_part.actor) else { continue };
        let (object, kind) = actor_object(actor);
        let target = object["id"].as_str().unwrap_or_default().to_owned();
        out.push(object);
        relate(target, kind, format!("{} as {}", actor.name, taking_part.role), &mut out);
    }
    out
}

/// An actor as a threat actor (armed groups and criminal networks) or an identity, and
/// how an incident relates to it.
fn actor_object(actor: &model::Actor) -> (Value, &'static str) {
    let threat = match actor.kind {
        ActorKind::ArmedGroup => Some("terrorist"),
        ActorKind::CriminalNetwork => Some("criminal"),
        _ => None,
    };
    let mut object = match threat {
        Some(kind) => json!({
            "type": "threat-actor", "spec_version": "2.1", "id": derived("threat-actor", actor.id.as_str()),
            "created": TIMELESS, "modified": TIMELESS, "name": actor.name,
            "threat_actor_types": [kind],
        }),
        None => json!({
            "type": "identity", "spec_version": "2.1", "id": derived("identity", actor.id.as_str()),
            "created": TIMELESS, "modified": TIMELESS, "name": actor.name, "identity_class": "organization",
        }),
    };
    if !actor.aliases.is_empty() && threat.is_some() {
        object["aliases"] = json!(actor.aliases);
    }
    (object, if threat.is_some() { "attributed-to" } else { "related-to" })
}

fn note(claim: &Claim, document: &Document, created: &str) -> Value {
    let mut object = common("note", format!("note--{}", claim.id), created, &document.marking);
    let quoted = claim.span.slice(&document.text).unwrap_or_default();
    object.insert("content".into(), json!(if quoted.is_empty() { "(claim)" } else { quoted }));
    if let Some(speaker) = &claim.speaker_name {
        object.insert("authors".into(), json!([speaker]));
    }
    let mut refs = vec![format!("report--{}", document.id)];
    if let Some(about) = claim.about {
        refs.push(format!("incident--{about}"));
    }
    object.insert("object_refs".into(), json!(refs));
    let fields = serde_json::to_value(claim).unwrap_or(Value::Null);
    object.insert("extensions".into(), extension(fields, &["id", "document"], &[]));
    Value::Object(object)
}

// ---- Reading ----

/// Reads a bundle: every problem in it, or the records. Nothing is read from a bundle
/// with a problem.
pub fn read_bundle(text: &str, defaults: &ReadDefaults) -> Result<Read, Vec<Problem>> {
    let bundle: Value = serde_json::from_str(text).map_err(|e| {
        vec![Problem::new(format!("line {}, column {}", e.line(), e.column()), None, format!("not JSON: {e}"))]
    })?;
    if bundle.get("type").and_then(Value::as_str) != Some("bundle") {
        return Err(vec![Problem::new("$.type", None, "a STIX bundle has \"type\": \"bundle\"")]);
    }
    let Some(objects) = bundle.get("objects").and_then(Value::as_array) else {
        return Err(vec![Problem::new("$.objects", None, "a bundle needs an array of objects")]);
    };
    let (read, outcomes) = read_each(objects, "$.objects", defaults);
    let problems: Vec<Problem> = outcomes.into_iter().flatten().collect();
    if problems.is_empty() { Ok(read) } else { Err(problems) }
}

/// Reads objects one by one: the records of those that could be read, and for each
/// object, in order, whether it was read. A report or incident that depends on an object
/// with a problem is not read either. `base` is the objects' JSON path. An object with
/// several problems fails with one that lists them all.
pub fn read_objects(objects: &[Value], base: &str, defaults: &ReadDefaults) -> (Read, Vec<Result<(), Problem>>) {
    let (read, outcomes) = read_each(objects, base, defaults);
    let outcomes = outcomes
        .into_iter()
        .enumerate()
        .map(|(index, mut problems)| match problems.len() {
            0 => Ok(()),
            1 => Err(problems.remove(0)),
            n => {
                let object = problems.iter().find_map(|p| p.object.clone());
                let each: Vec<String> = problems.iter().map(|p| format!("{}: {}", p.location, p.message)).collect();
                Err(Problem {
                    location: format!("{base}[{index}]"),
                    object,
                    message: format!("{n} problems: {}", each.join("; ")),
                })
            }
        })
        .collect();
    (read, outcomes)
}

/// [`read_objects`], with every problem of each object (none for an object read).
fn read_each(objects: &[Value], base: &str, defaults: &ReadDefaults) -> (Read, Vec<Vec<Problem>>) {
    let mut read = Read::default();
    let mut outcomes: Vec<Vec<Problem>> = vec![Vec::new(); objects.len()];
    let mut names: HashMap<OrganisationId, String> = HashMap::new();
    // Identities first, wherever they are: reports and incidents name their creator by
    // identity. Problems in them are reported in order below.
    let mut identities: HashMap<String, OrganisationId> = HashMap::new();
    // The reading organisation's own identity is known without its object.
    identities.insert(identity_id(defaults.owner), defaults.owner);
    for object in objects.iter().filter(|o| o.get("type").and_then(Value::as_str) == Some("identity")) {
        let Some(id) = object.get("id").and_then(Value::as_str) else { continue };
        let own = object.get("extensions").and_then(|e| e.get(EXTENSION_ID)).and_then(|e| e.get("organisation"));
        let org = match own {
            Some(o) => serde_json::from_value::<OrganisationId>(o.clone()).ok(),
            None => organisation_of_identity(id),
        };
        if let Some(org) = org {
            identities.insert(id.to_owned(), org);
        }
    }
    let mut groups: BTreeMap<SharingGroupId, SharingGroup> = BTreeMap::new();
    let mut organisations: BTreeSet<OrganisationId> = BTreeSet::new();
    let mut sources: BTreeMap<model::SourceId, Source> = BTreeMap::new();
    let mut documents: Vec<(usize, Document)> = Vec::new();
    let mut events: Vec<(usize, Event)> = Vec::new();
    let mut claims: Vec<(usize, Claim)> = Vec::new();
    for (index, object) in objects.iter().enumerate() {
        let path = format!("{base}[{index}]");
        let id = object.get("id").and_then(Value::as_str);
        let kind = object.get("type").and_then(Value::as_str);
        let (Some(id), Some(kind)) = (id, kind) else {
            outcomes[index].push(Problem::new(path, id, "a STIX object needs a type and an id"));
            continue;
        };
        if !id.starts_with(&format!("{kind}--")) || Uuid::parse_str(&id[kind.len() + 2..]).is_err() {
            outcomes[index].push(Problem::new(format!("{path}.id"), Some(id), format!("not a {kind} id")));
            continue;
        }
        let result = match kind {
            "identity" => {
                let own =
                    object.get("extensions").and_then(|e| e.get(EXTENSION_ID)).and_then(|e| e.get("organisation"));
                match own.map(|o| serde_json::from_value::<OrganisationId>(o.clone())) {
                    Some(Err(e)) => vec![Problem::new(
                        format!("{path}.extensions[\"{EXTENSION_ID}\"].organisation"),
                        None,
                        e.to_string(),
                    )],
                    _ => {
                        if let Some(org) = identities.get(id) {
                            let name = object.get("name").and_then(Value::as_str).unwrap_or_default();
                            names.insert(*org, name.to_owned());
                        }
                        Vec::new()
                    }
                }
            }
            "report" | "incident" | "note" => match object.get("extensions").and_then(|e| e.get(EXTENSION_ID)) {
                None => {
                    *read.skipped.entry(kind.to_owned()).or_default() += 1;
                    Vec::new()
                }
                Some(fields) => {
                    let at = format!("{path}.extensions[\"{EXTENSION_ID}\"]");
                    let mut problems = Vec::new();
                    // A marking that cannot be read is a problem; the fields are read all the
                    // same, under the default marking, so that each of theirs is named too.
                    let marking = match marking_of(object, fields, &path, &at, defaults, &identities) {
                        Ok((marking, group)) => {
                            organisations.insert(marking.owner);
                            if let Some(g) = group {
                                organisations.extend(g.members.iter().copied());
                                groups.entry(g.id).or_insert(g);
                            }
                            marking
                        }
                        Err(problem) => {
                            problems.push(problem);
                            Marking {
                                owner: defaults.owner,
                                tlp: defaults.tlp,
                                distribution: Distribution::Organisation,
                            }
                        }
                    };
                    let read = match kind {
                        "report" => read_report(object, fields, marking, &at, defaults).map(|(d, source)| {
                            if problems.is_empty() {
                                if let Some(s) = source {
                                    sources.entry(s.id).or_insert(s);
                                }
                                documents.push((index, d));
                            }
                        }),
                        "incident" => read_incident(id, fields, marking, &at).map(|e| events.push((index, e))),
                        _ => read_note(object, id, fields, &at).map(|c| claims.push((index, c))),
                    };
                    if let Err(more) = read {
                        problems.extend(more);
                    }
                    problems
                }
            },
            "marking-definition" | "relationship" | "location" | "threat-actor" | "extension-definition" => Vec::new(),
            other => {
                *read.skipped.entry(other.to_owned()).or_default() += 1;
                Vec::new()
            }
        };
        outcomes[index].extend(result.into_iter().map(|problem| problem.with_object(id)));
    }
    // An event goes with the document it was reported in; one without that document,
    // here or already stored, is checked by the store when it is written.
    let reports: BTreeSet<model::DocumentId> = documents.iter().map(|(_, d)| d.id).collect();
    for (index, event) in &events {
        if let Some(home) = event.documents.first()
            && !reports.contains(home)
            && let Some((report_index, _)) = objects
                .iter()
                .enumerate()
                .find(|(_, o)| o.get("id").and_then(Value::as_str) == Some(format!("report--{home}").as_str()))
            && !outcomes[report_index].is_empty()
        {
            outcomes[*index].push(Problem::new(
                format!("{base}[{index}]"),
                Some(&format!("incident--{}", event.id)),
                format!("its report (report--{home}) could not be read"),
            ));
        }
    }
    let ok = |i: &usize| outcomes[*i].is_empty();
    read.shared.documents = documents.into_iter().filter(|(i, _)| ok(i)).map(|(_, d)| d).collect();
    read.shared.events = events.into_iter().filter(|(i, _)| ok(i)).map(|(_, e)| e).collect();
    read.shared.claims = claims.into_iter().filter(|(i, _)| ok(i)).map(|(_, c)| c).collect();
    read.shared.sharing_groups = groups.into_values().collect();
    read.shared.sources = sources.into_values().collect();
    read.shared.organisations = organisations
        .into_iter()
        .map(|id| Organisation {
            id,
            name: names.get(&id).cloned().unwrap_or_else(|| format!("Organisation {}", &id.to_string()[..8])),
        })
        .collect();
    (read, outcomes)
}

impl Problem {
    fn with_object(mut self, id: &str) -> Self {
        self.object.get_or_insert_with(|| id.to_owned());
        self
    }
}

fn organisation_of_identity(id: &str) -> Option<OrganisationId> {
    id.strip_prefix("identity--").and_then(|u| Uuid::parse_str(u).ok()).map(OrganisationId::from_uuid)
}

/// The marking of a report, incident or note: its creator, its TLP marking definition
/// and the distribution in beltwatch's properties, with the sharing group it names.
fn marking_of(
    object: &Value,
    fields: &Value,
    path: &str,
    at: &str,
    defaults: &ReadDefaults,
    identities: &HashMap<String, OrganisationId>,
) -> Result<(Marking, Option<SharingGroup>), Problem> {
    let owner = match object.get("created_by_ref").and_then(Value::as_str) {
        None => defaults.owner,
        Some(creator) => {
            identities.get(creator).copied().or_else(|| organisation_of_identity(creator)).ok_or_else(|| {
                Problem::new(format!("{path}.created_by_ref"), None, format!("{creator:?} is not an identity id"))
            })?
        }
    };
    let refs = object.get("object_marking_refs").and_then(Value::as_array).cloned().unwrap_or_default();
    let tlps: Vec<Tlp> = refs.iter().filter_map(Value::as_str).filter_map(tlp_of_marking).collect();
    // Two TLP markings on one object: the stricter one holds.
    let tlp = tlps.into_iter().max_by_key(|t| Tlp::ALL.iter().position(|x| x == t)).unwrap_or(defaults.tlp);
    let Some(distribution) = fields.get("distribution") else {
        return Ok((Marking { owner, tlp, distribution: Distribution::Organisation }, None));
    };
    let level = distribution.get("level").and_then(Value::as_str).unwrap_or_default();
    let parse_group = || -> Result<SharingGroup, Problem> {
        let id: SharingGroupId = serde_json::from_value(distribution.get("group").cloned().unwrap_or(Value::Null))
            .map_err(|e| Problem::new(format!("{at}.distribution.group"), None, e.to_string()))?;
        let members: Vec<OrganisationId> =
            serde_json::from_value(distribution.get("members").cloned().unwrap_or_else(|| json!([])))
                .map_err(|e| Problem::new(format!("{at}.distribution.members"), None, e.to_string()))?;
        let name = distribution.get("group_name").and_then(Value::as_str).unwrap_or("Sharing group").to_owned();
        let mut members = members;
        members.push(owner);
        members.sort();
        members.dedup();
        Ok(SharingGroup { id, name, members })
    };
    let (distribution, group) = match level {
        "organisation" => (Distribution::Organisation, None),
        "all_partners" => (Distribution::AllPartners, None),
        "sharing_group" => {
            let group = parse_group()?;
            (Distribution::SharingGroup { group: group.id }, Some(group))
        }
        other => {
            return Err(Problem::new(
                format!("{at}.distribution.level"),
                None,
                format!("unknown distribution {other:?}: expected organisation, sharing_group or all_partners"),
            ));
        }
    };
    Ok((Marking { owner, tlp, distribution }, group))
}

/// The extension's fields with `extra` added, read as `T`; each problem names its field.
/// serde stops at the first wrong field, so a field found wrong is taken out and the rest
/// read again, until they read or only the fields taken out are missing.
fn read_fields<T: serde::de::DeserializeOwned>(
    fields: &Value,
    extra: Vec<(&str, Value)>,
    at: &str,
) -> Result<T, Vec<Problem>> {
    let mut map = fields.as_object().cloned().unwrap_or_default();
    map.remove("extension_type");
    map.remove("distribution");
    for (key, value) in extra {
        map.insert(key.to_owned(), value);
    }
    let mut problems = Vec::new();
    let mut taken_out: Vec<String> = Vec::new();
    loop {
        let e = match serde_path_to_error::deserialize(Value::Object(map.clone())) {
            Ok(value) if problems.is_empty() => return Ok(value),
            Ok(_) => return Err(problems),
            Err(e) => e,
        };
        let field = e.path().to_string();
        let message = e.into_inner().to_string();
        let quoted = |prefix: &str| message.strip_prefix(prefix).and_then(|m| m.split('`').next()).map(str::to_owned);
        if field == "." && quoted("missing field `").is_some_and(|name| taken_out.contains(&name)) {
            return Err(problems);
        }
        // The field to take out: the one named by the path, or by an "unknown field" message.
        let culprit = match field.as_str() {
            "." => quoted("unknown field `"),
            path => path.split(['.', '[']).next().map(str::to_owned),
        };
        let location = match (field.as_str(), &culprit) {
            (".", Some(name)) => format!("{at}.{name}"),
            (".", None) => at.to_owned(),
            (path, _) => format!("{at}.{path}"),
        };
        problems.push(Problem::new(location, None, message));
        match culprit {
            Some(name) if map.remove(&name).is_some() => taken_out.push(name),
            _ => return Err(problems),
        }
    }
}

fn marking_json(marking: &Marking) -> Value {
    json!(marking)
}

fn read_report(
    object: &Value,
    fields: &Value,
    marking: Marking,
    at: &str,
    defaults: &ReadDefaults,
) -> Result<(Document, Option<Source>), Vec<Problem>> {
    let id = object.get("id").and_then(Value::as_str).unwrap_or_default();
    let text = object.get("description").and_then(Value::as_str).unwrap_or_default().to_owned();
    let document_id = &id["report--".len()..];
    let mut problems = Vec::new();
    let source: Option<Source> = match fields.get("source_record") {
        None | Some(Value::Null) => None,
        Some(value) => serde_json::from_value(value.clone())
            .map_err(|e| problems.push(Problem::new(format!("{at}.source_record"), None, e.to_string())))
            .ok(),
    };
    let mut fields = fields.clone();
    if let Some(map) = fields.as_object_mut() {
        map.remove("source_record");
    }
    let document: Document = read_fields(
        &fields,
        vec![
            ("id", json!(document_id)),
            ("text", json!(text)),
            ("raw", json!(text)),
            ("marking", marking_json(&marking)),
            ("ingested_at", json!(defaults.now)),
        ],
        at,
    )
    .map_err(|more| {
        problems.extend(more);
        std::mem::take(&mut problems)
    })?;
    let hash: ContentHash = crate::content_hash(&document.text);
    if hash != document.content_hash {
        problems.push(Problem::new(
            format!("{at}.content_hash"),
            None,
            "the report's description is not the text this hash was computed from",
        ));
    }
    if problems.is_empty() { Ok((document, source)) } else { Err(problems) }
}

fn read_incident(id: &str, fields: &Value, marking: Marking, at: &str) -> Result<Event, Vec<Problem>> {
    read_fields(fields, vec![("id", json!(&id["incident--".len()..])), ("marking", marking_json(&marking))], at)
}

fn read_note(object: &Value, id: &str, fields: &Value, at: &str) -> Result<Claim, Vec<Problem>> {
    let report = object
        .get("object_refs")
        .and_then(Value::as_array)
        .and_then(|refs| refs.iter().filter_map(Value::as_str).find_map(|r| r.strip_prefix("report--")));
    let Some(report) = report else {
        let mut problems =
            vec![Problem::new(at.replace(".extensions", ".object_refs"), None, "a claim's note names its report")];
        // The fields are read all the same, with a stand-in report, for their own problems.
        let stand_in = vec![("id", json!(&id["note--".len()..])), ("document", json!(Uuid::nil()))];
        if let Err(more) = read_fields::<Claim>(fields, stand_in, at) {
            problems.extend(more);
        }
        return Err(problems);
    };
    read_fields(fields, vec![("id", json!(&id["note--".len()..])), ("document", json!(report))], at)
}
