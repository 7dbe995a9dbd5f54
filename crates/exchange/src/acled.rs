//! ACLED-style CSV: one row per event, with ACLED's column names. The mapping is in
//! `docs/misp-acled.md`.
//!
//! Rows written by beltwatch carry beltwatch's own fields in the `tags` column
//! (`beltwatch:event=<id>; beltwatch:category=...; tlp:amber`), so that reading them back
//! gives the same events; rows from ACLED itself are mapped from `event_type` and
//! `sub_event_type`. The CSV is RFC 4180: fields quoted when they hold a comma, a quote
//! or a line break, quotes doubled, lines ended by CRLF.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use model::{
    ActorKind, ActorRole, Category, CountryCode, Credibility, Distribution, Document, DocumentFormat, DocumentId,
    Event, EventActor, EventId, EventPlace, EventType, GeoPrecision, Language, LonLat, Marking, Precision, Quantity,
    QuantityKind, Span, Stance, Tlp, Unit, When,
};

use crate::{Problem, Read, ReadDefaults, Shared};

/// ACLED's columns, in the order its exports list them.
pub const COLUMNS: [&str; 31] = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
];

/// The columns a row cannot be read without.
const REQUIRED: [&str; 5] = ["event_id_cnty", "event_date", "event_type", "sub_event_type", "notes"];

/// The countries of the region and their neighbours, as ACLED names them.
struct Country {
    code: &'static str,
    alpha3: &'static str,
    numeric: u16,
    name: &'static str,
    region: &'static str,
}

const COUNTRIES: &[Country] = &[
    Country { code: "AF", alpha3: "AFG", numeric: 4, name: "Afghanistan", region: "South Asia" },
    Country { code: "TJ", alpha3: "TJK", numeric: 762, name: "Tajikistan", region: "Caucasus and Central Asia" },
    Country { code: "UZ", alpha3: "UZB", numeric: 860, name: "Uzbekistan", region: "Caucasus and Central Asia" },
    Country { code: "TM", alpha3: "TKM", numeric: 795, name: "Turkmenistan", region: "Caucasus and Central Asia" },
    Country { code: "KG", alpha3: "KGZ", numeric: 417, name: "Kyrgyzstan", region: "Caucasus and Central Asia" },
    Country { code: "KZ", alpha3: "KAZ", numeric: 398, name: "Kazakhstan", region: "Caucasus and Central Asia" },
    Country { code: "PK", alpha3: "PAK", numeric: 586, name: "Pakistan", region: "South Asia" },
    Country { code: "IN", alpha3: "IND", numeric: 356, name: "India", region: "South Asia" },
    Country { code: "IR", alpha3: "IRN", numeric: 364, name: "Iran", region: "Middle East" },
    Country { code: "CN", alpha3: "CHN", numeric: 156, name: "China", region: "East Asia" },
    Country { code: "RU", alpha3: "RUS", numeric: 643, name: "Russia", region: "Europe" },
];

fn country_by_code(code: &str) -> Option<&'static Country> {
    COUNTRIES.iter().find(|c| c.code == code)
}

// ---- Writing ----

/// ACLED's event type and sub-event type for a beltwatch event, with its disorder type.
/// An attack on state forces (a border post, a patrol) is a battle in ACLED's terms; an
/// attack on anyone else is violence against civilians.
fn acled_type(event: &Event, on_state_forces: bool) -> (&'static str, &'static str, &'static str) {
    const SD: &str = "Strategic developments";
    match event.event_type {
        EventType::Attack if on_state_forces || event.category == Category::BorderIncident => {
            ("Political violence", "Battles", "Armed clash")
        }
        EventType::Attack => ("Political violence", "Violence against civilians", "Attack"),
        EventType::ArmedClash => ("Political violence", "Battles", "Armed clash"),
        EventType::Seizure if event.category == Category::WeaponsTrafficking => (SD, SD, "Disrupted weapons use"),
        EventType::Arrest => (SD, SD, "Arrests"),
        EventType::Agreement => (SD, SD, "Agreement"),
        EventType::ExerciseOrDeployment => (SD, SD, "Change to group/activity"),
        EventType::Seizure
        | EventType::IllegalCrossing
        | EventType::Threat
        | EventType::Accusation
        | EventType::Denial
        | EventType::PolicyAnnouncement => (SD, SD, "Other"),
    }
}

/// ACLED's actor type (`inter1`, `inter2`) for an actor kind.
fn inter(kind: ActorKind) -> &'static str {
    match kind {
        ActorKind::BorderService | ActorKind::SecurityService | ActorKind::Military | ActorKind::Government => {
            "State forces"
        }
        ActorKind::ArmedGroup => "Rebel group",
        ActorKind::CriminalNetwork => "Political militia",
        ActorKind::RegionalOrganisation | ActorKind::InternationalOrganisation => "External/Other forces",
        ActorKind::Media => "Civilians",
    }
}

fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}

fn push_row(out: &mut String, fields: &[String]) {
    let line: Vec<String> = fields.iter().map(|f| quote(f)).collect();
    out.push_str(&line.join(","));
    out.push_str("\r\n");
}

/// The sentence of `text` around `span`, on one line.
fn sentence(text: &str, span: Span) -> Option<String> {
    let (start, end) = (span.start as usize, span.end as usize);
    text.get(start..end)?;
    let bytes = text.as_bytes();
    let stop = |b: &u8| matches!(b, b'.' | b'!' | b'?' | b'\n');
    // Sentence ends are ASCII, so these offsets fall on character boundaries.
    let begin = bytes[..start].iter().rposition(stop).map_or(0, |i| i + 1);
    let finish = bytes[end..].iter().position(stop).map_or(text.len(), |i| {
        let at = end + i;
        if bytes[at] == b'\n' { at } else { at + 1 }
    });
    let found = text.get(begin..finish)?.split_whitespace().collect::<Vec<_>>().join(" ");
    Some(found).filter(|s| !s.is_empty())
}

/// What the row says about the event in words: the sentence that reports it, or the
/// report's title.
fn notes(event: &Event, document: Option<&Document>) -> String {
    let Some(document) = document else { return String::new() };
    let evidence = event
        .evidence
        .iter()
        .filter(|m| m.document == document.id)
        .min_by_key(|m| (m.kind != model::MentionKind::Trigger, m.span.start));
    evidence
        .and_then(|m| sentence(&document.text, m.span))
        .or_else(|| document.title.clone())
        .or_else(|| document.text.lines().map(str::trim).find(|l| !l.is_empty()).map(str::to_owned))
        .unwrap_or_default()
}

/// The actors of an event as ACLED's two sides: the acting side first (the authority for
/// seizures and arrests, the perpetrator otherwise), then the other.
fn sides(event: &Event) -> (Vec<&EventActor>, Vec<&EventActor>) {
    use ActorRole::*;
    let order: [ActorRole; 5] = match event.event_type {
        EventType::Seizure | EventType::Arrest => [Authority, Perpetrator, Target, Participant, Speaker],
        _ => [Perpetrator, Speaker, Participant, Authority, Target],
    };
    let mut groups = order
        .iter()
        .map(|role| event.actors.iter().filter(|a| a.role == *role).collect::<Vec<_>>())
        .filter(|g| !g.is_empty());
    let mut first = groups.next().unwrap_or_default();
    let mut second = groups.next().unwrap_or_default();
    if second.is_empty() && first.len() > 1 && first[0].role == Participant {
        second = first.split_off(1);
    }
    (first, second)
}

/// ACLED-style CSV, header row first, one row per event, ACLED's column names.
pub fn write(shared: &Shared) -> String {
    let documents: HashMap<DocumentId, &Document> = shared.documents.iter().map(|d| (d.id, d)).collect();
    let actors: HashMap<&model::ActorId, &model::Actor> = shared.actors.iter().map(|a| (&a.id, a)).collect();
    let mut out = String::new();
    push_row(&mut out, &COLUMNS.map(str::to_owned));
    for event in &shared.events {
        let home = event.documents.first().and_then(|d| documents.get(d)).copied();
        let country = event.place.as_ref().and_then(|p| p.country);
        let known = country.and_then(|c| country_by_code(c.as_str()));
        let on_state_forces = event.actors.iter().any(|a| {
            a.role == ActorRole::Target && actors.get(&a.actor).is_some_and(|x| inter(x.kind) == "State forces")
        });
        let (disorder, event_type, sub_event_type) = acled_type(event, on_state_forces);
        let (side1, side2) = sides(event);
        let name = |a: &EventActor| actors.get(&a.actor).map_or_else(|| a.actor.to_string(), |x| x.name.clone());
        let kind = |a: &EventActor| actors.get(&a.actor).map_or("", |x| inter(x.kind));
        let side = |s: &[&EventActor]| -> (String, String, String) {
            match s.split_first() {
                None => Default::default(),
                Some((first, rest)) => {
                    (name(first), rest.iter().map(|a| name(a)).collect::<Vec<_>>().join("; "), kind(first).to_owned())
                }
            }
        };
        let (actor1, assoc1, inter1) = side(&side1);
        let (actor2, assoc2, inter2) = side(&side2);
        let interaction = match (inter1.is_empty(), inter2.is_empty()) {
            (false, false) => format!("{inter1}-{inter2}"),
            (false, true) => format!("{inter1} only"),
            _ => String::new(),
        };
        let fatalities: f64 = event
            .quantities
            .iter()
            .filter(|q| q.kind == QuantityKind::Killed && q.unit == Unit::Persons)
            .map(|q| q.value)
            .sum();
        let mut tags = vec![
            format!("beltwatch:event={}", event.id),
            format!("beltwatch:category={}", event.category),
            format!("beltwatch:event-type={}", event.event_type),
            format!("beltwatch:stance={}", event.stance),
            format!("beltwatch:credibility={}", event.credibility),
            format!("beltwatch:confidence={}", event.confidence),
        ];
        if let Some(home) = event.documents.first() {
            tags.push(format!("beltwatch:document={home}"));
        }
        if let Some(place) = &event.place {
            if let Some(id) = &place.place {
                tags.push(format!("beltwatch:place={id}"));
            }
            tags.push(format!("beltwatch:geo-precision={}", place.precision));
        }
        if let Some(sector) = &event.sector {
            tags.push(format!("beltwatch:sector={sector}"));
        }
        for a in &event.actors {
            tags.push(format!("beltwatch:actor={}/{}", a.actor, a.role));
        }
        tags.push(format!("tlp:{}", event.marking.tlp));
        let point = event.place.as_ref().and_then(|p| p.point);
        let row = [
            format!("{}-{}", known.map_or("XXX", |c| c.alpha3), event.id),
            event.when.map(|w| w.at.format("%Y-%m-%d").to_string()).unwrap_or_default(),
            event.when.map(|w| w.at.year().to_string()).unwrap_or_default(),
            event
                .when
                .map(|w| match w.precision {
                    Precision::Second | Precision::Day => "1",
                    Precision::Week => "2",
                    Precision::Month | Precision::Year => "3",
                })
                .unwrap_or_default()
                .to_owned(),
            disorder.to_owned(),
            event_type.to_owned(),
            sub_event_type.to_owned(),
            actor1,
            assoc1,
            inter1,
            actor2,
            assoc2,
            inter2,
            interaction,
            if event_type == "Violence against civilians" { "Civilian targeting" } else { "" }.to_owned(),
            known.map(|c| c.numeric.to_string()).unwrap_or_default(),
            known.map(|c| c.region).unwrap_or_default().to_owned(),
            known.map_or_else(|| country.map(|c| c.to_string()).unwrap_or_default(), |c| c.name.to_owned()),
            String::new(),
            String::new(),
            String::new(),
            event.place.as_ref().map(|p| p.name.clone()).unwrap_or_default(),
            point.map(|p| p.lat().to_string()).unwrap_or_default(),
            point.map(|p| p.lon().to_string()).unwrap_or_default(),
            event
                .place
                .as_ref()
                .map(|p| match p.precision {
                    GeoPrecision::Exact | GeoPrecision::Locality => "1",
                    GeoPrecision::District => "2",
                    GeoPrecision::Province | GeoPrecision::Country => "3",
                })
                .unwrap_or_default()
                .to_owned(),
            home.and_then(|d| d.source_name.clone()).unwrap_or_default(),
            String::new(),
            notes(event, home),
            format!("{}", fatalities.round().max(0.0) as u64),
            tags.join("; "),
            home.map(|d| d.ingested_at.timestamp().to_string()).unwrap_or_default(),
        ];
        push_row(&mut out, &row);
    }
    out
}

// ---- Reading ----

/// One field as read, with where it starts.
#[derive(Debug)]
struct Field {
    text: String,
    line: usize,
    column: usize,
    quoted: bool,
}

#[derive(Debug)]
struct Record {
    line: usize,
    fields: Vec<Field>,
}

/// Splits RFC 4180 CSV into records. Line breaks inside quotes belong to the field; a
/// problem (a quote never closed, text after a closing quote) is reported and reading
/// goes on.
fn records(text: &str) -> (Vec<Record>, Vec<Problem>) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = Vec::new();
    let mut problems = Vec::new();
    let mut chars = text.chars().peekable();
    let (mut line, mut column) = (1usize, 1usize);
    let mut fields: Vec<Field> = Vec::new();
    let mut record_line = 1;
    let mut field = Field { text: String::new(), line, column, quoted: false };
    let mut at_field_start = true;
    let mut in_quotes = false;
    let mut after_quote = false;
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.text.push('"');
                    column += 2;
                }
                '"' => {
                    in_quotes = false;
                    after_quote = true;
                    column += 1;
                }
                '\n' => {
                    field.text.push('\n');
                    line += 1;
                    column = 1;
                }
                other => {
                    field.text.push(other);
                    column += 1;
                }
            }
            continue;
        }
        match c {
            ',' => {
                fields.push(std::mem::replace(
                    &mut field,
                    Field { text: String::new(), line, column: column + 1, quoted: false },
                ));
                column += 1;
                at_field_start = true;
                after_quote = false;
            }
            '\r' | '\n' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                fields.push(std::mem::replace(
                    &mut field,
                    Field { text: String::new(), line: line + 1, column: 1, quoted: false },
                ));
                records.push(Record { line: record_line, fields: std::mem::take(&mut fields) });
                line += 1;
                column = 1;
                record_line = line;
                at_field_start = true;
                after_quote = false;
            }
            '"' if at_field_start => {
                in_quotes = true;
                field.quoted = true;
                at_field_start = false;
                column += 1;
            }
            other => {
                if after_quote {
                    problems.push(Problem::new(
                        format!("line {line}, column {column}"),
                        None,
                        "text after a closing quote: a quote inside a quoted field is written twice",
                    ));
                    after_quote = false;
                }
                field.text.push(other);
                at_field_start = false;
                column += 1;
            }
        }
    }
    if in_quotes {
        problems.push(Problem::new(
            format!("line {}, column {}", field.line, field.column),
            None,
            "this quoted field is never closed",
        ));
    }
    // The last record, unless the text ended with a line break.
    if !fields.is_empty() || !field.text.is_empty() || field.quoted {
        fields.push(field);
        records.push(Record { line: record_line, fields });
    }
    (records, problems)
}

fn is_blank(record: &Record) -> bool {
    record.fields.len() == 1 && record.fields[0].text.trim().is_empty() && !record.fields[0].quoted
}

/// A row as read: its fields by column name, and where each is.
struct Row<'r> {
    record: &'r Record,
    columns: &'r HashMap<String, usize>,
    id: Option<String>,
    problems: Vec<Problem>,
}

impl Row<'_> {
    fn field(&self, name: &str) -> Option<&Field> {
        self.columns.get(name).and_then(|i| self.record.fields.get(*i))
    }

    fn get(&self, name: &str) -> &str {
        self.field(name).map_or("", |f| f.text.trim())
    }

    fn problem(&mut self, name: &str, message: impl Into<String>) {
        let location = match self.field(name) {
            Some(f) => format!("line {}, column {} ({name})", f.line, f.column),
            None => format!("line {} ({name})", self.record.line),
        };
        self.problems.push(Problem::new(location, self.id.as_deref(), message));
    }

    fn parse<T: std::str::FromStr>(&mut self, name: &str, what: &str) -> Option<T> {
        let text = self.get(name).to_owned();
        if text.is_empty() {
            return None;
        }
        match text.parse() {
            Ok(v) => Some(v),
            Err(_) => {
                self.problem(name, format!("{text:?} is not {what}"));
                None
            }
        }
    }
}

/// beltwatch's fields from the `tags` column.
#[derive(Default)]
struct Tags {
    event: Option<EventId>,
    document: Option<String>,
    category: Option<Category>,
    event_type: Option<EventType>,
    stance: Option<Stance>,
    credibility: Option<Credibility>,
    confidence: Option<f32>,
    place: Option<model::PlaceId>,
    precision: Option<GeoPrecision>,
    sector: Option<model::SectorId>,
    actors: Vec<EventActor>,
    tlp: Option<Tlp>,
}

fn read_tags(row: &mut Row) -> Tags {
    let mut tags = Tags::default();
    let text = row.get("tags").to_owned();
    for tag in text.split(';').map(str::trim).filter(|t| !t.is_empty()) {
        let bad = |row: &mut Row, e: &dyn std::fmt::Display| row.problem("tags", format!("{tag:?}: {e}"));
        if let Some(level) = tag.strip_prefix("tlp:").or_else(|| tag.strip_prefix("TLP:")) {
            match Tlp::parse_loose(level) {
                Ok(t) => tags.tlp = Some(tags.tlp.map_or(t, |old| old.max(t))),
                Err(e) => bad(row, &e),
            }
            continue;
        }
        let Some((key, value)) = tag.strip_prefix("beltwatch:").and_then(|t| t.split_once('=')) else { continue };
        let value = value.trim().trim_matches('"');
        let result: Result<(), model::InvalidValue> = (|| {
            match key {
                "event" => tags.event = Some(value.parse()?),
                "document" => tags.document = Some(value.parse::<DocumentId>()?.to_string()),
                "category" => tags.category = Some(value.parse()?),
                "event-type" => tags.event_type = Some(value.parse()?),
                "stance" => tags.stance = Some(value.parse()?),
                "credibility" => tags.credibility = Some(value.parse()?),
                "confidence" => {
                    tags.confidence =
                        Some(value.parse::<f32>().ok().filter(|c| (0.0..=1.0).contains(c)).ok_or_else(|| {
                            model::InvalidValue { what: "confidence", value: value.to_owned(), expected: "0 to 1" }
                        })?);
                }
                "place" => tags.place = Some(value.parse()?),
                "geo-precision" => tags.precision = Some(value.parse()?),
                "sector" => tags.sector = Some(value.parse()?),
                "actor" => {
                    let (actor, role) = value.split_once('/').unwrap_or((value, ""));
                    tags.actors.push(EventActor { actor: actor.parse()?, role: role.parse()?, spans: Vec::new() });
                }
                _ => {}
            }
            Ok(())
        })();
        if let Err(e) = result {
            bad(row, &e);
        }
    }
    tags
}

/// Where a foreign row's event falls in beltwatch's categories, or `None` for the rows
/// beltwatch has no category for (protests, riots, some strategic developments).
fn beltwatch_type(event_type: &str, sub_event_type: &str) -> Result<Option<(Category, EventType)>, ()> {
    let out = match (event_type, sub_event_type) {
        ("Battles", _) => Some((Category::BorderIncident, EventType::ArmedClash)),
        ("Explosions/Remote violence", "Suicide bomb" | "Remote explosive/landmine/IED") => {
            Some((Category::Terrorism, EventType::Attack))
        }
        ("Explosions/Remote violence" | "Violence against civilians", _) => {
            Some((Category::BorderIncident, EventType::Attack))
        }
        ("Strategic developments", "Agreement") => Some((Category::Cooperation, EventType::Agreement)),
        ("Strategic developments", "Arrests") => Some((Category::BorderIncident, EventType::Arrest)),
        ("Strategic developments", "Disrupted weapons use") => Some((Category::WeaponsTrafficking, EventType::Seizure)),
        ("Strategic developments", "Change to group/activity") => {
            Some((Category::Cooperation, EventType::ExerciseOrDeployment))
        }
        ("Strategic developments" | "Protests" | "Riots", _) => None,
        _ => return Err(()),
    };
    Ok(out)
}

/// A row read: its event, and the document it goes into.
struct Parsed {
    event: Event,
    /// Rows that share a key share a document: the report for beltwatch's rows, the row
    /// itself for ACLED's.
    key: String,
    own: bool,
    notes: String,
    source: Option<String>,
    event_id_cnty: String,
    title: Option<String>,
}

fn read_row(row: &mut Row, defaults: &ReadDefaults, skipped: &mut BTreeMap<String, usize>) -> Option<Parsed> {
    let event_id_cnty = row.get("event_id_cnty").to_owned();
    if event_id_cnty.is_empty() {
        row.problem("event_id_cnty", "a row needs an event id");
    }
    row.id = Some(event_id_cnty.clone()).filter(|s| !s.is_empty());
    let tags = read_tags(row);
    if let Some(id) = tags.event {
        row.id = Some(id.to_string());
    }
    let own = tags.event.is_some();

    let date_text = row.get("event_date").to_owned();
    let date = if date_text.is_empty() {
        None
    } else {
        let parsed = NaiveDate::parse_from_str(&date_text, "%Y-%m-%d")
            .or_else(|_| NaiveDate::parse_from_str(&date_text, "%d %B %Y"));
        match parsed {
            Ok(d) => Some(d),
            Err(_) => {
                row.problem("event_date", format!("{date_text:?} is not a date (YYYY-MM-DD or 05 January 2024)"));
                None
            }
        }
    };
    let precision = match row.get("time_precision") {
        "" | "1" => Precision::Day,
        "2" => Precision::Week,
        "3" => Precision::Month,
        other => {
            let other = other.to_owned();
            row.problem("time_precision", format!("{other:?} is not an ACLED time precision (1, 2 or 3)"));
            Precision::Day
        }
    };
    let when = date.map(|d| When { precision, ..When::day(d) });

    let acled_event_type = row.get("event_type").to_owned();
    let sub_event_type = row.get("sub_event_type").to_owned();
    let mapped = match beltwatch_type(&acled_event_type, &sub_event_type) {
        Ok(m) => m,
        Err(()) => {
            if !own || tags.category.is_none() || tags.event_type.is_none() {
                row.problem("event_type", format!("{acled_event_type:?} is not an ACLED event type"));
            }
            None
        }
    };
    let (category, event_type) = match (tags.category, tags.event_type, mapped) {
        (Some(c), Some(t), _) => (c, t),
        (c, t, Some((mc, mt))) => (c.unwrap_or(mc), t.unwrap_or(mt)),
        (_, _, None) => {
            if !own && row.problems.is_empty() {
                *skipped.entry(format!("{acled_event_type}: {sub_event_type}")).or_default() += 1;
            } else if own && !row.problems.iter().any(|p| p.location.ends_with("(event_type)")) {
                row.problem("tags", "a beltwatch row needs its beltwatch:category and beltwatch:event-type");
            }
            (Category::Statement, EventType::PolicyAnnouncement)
        }
    };
    let keep = own || mapped.is_some();

    let latitude: Option<f64> = row.parse("latitude", "a latitude");
    let longitude: Option<f64> = row.parse("longitude", "a longitude");
    let point = match (latitude, longitude, row.get("latitude").is_empty(), row.get("longitude").is_empty()) {
        (Some(lat), Some(lon), ..) => match LonLat::new(lon, lat) {
            Ok(p) => Some(p),
            Err(e) => {
                row.problem("latitude", e.to_string());
                None
            }
        },
        (Some(_), None, _, true) => {
            row.problem("longitude", "a latitude needs a longitude");
            None
        }
        (None, Some(_), true, _) => {
            row.problem("latitude", "a longitude needs a latitude");
            None
        }
        _ => None,
    };
    let geo_precision = match row.get("geo_precision") {
        "" | "1" => GeoPrecision::Locality,
        "2" => GeoPrecision::District,
        "3" => GeoPrecision::Province,
        other => {
            let other = other.to_owned();
            row.problem("geo_precision", format!("{other:?} is not an ACLED geo precision (1, 2 or 3)"));
            GeoPrecision::Locality
        }
    };
    let country_name = row.get("country").to_owned();
    let iso = row.get("iso").to_owned();
    let country = COUNTRIES
        .iter()
        .find(|c| c.name.eq_ignore_ascii_case(&country_name) || (!iso.is_empty() && c.numeric.to_string() == iso))
        .map(|c| c.code.to_owned())
        .or_else(|| (country_name.len() == 2).then(|| country_name.clone()))
        .and_then(|c| c.parse::<CountryCode>().ok());
    let location = row.get("location").to_owned();
    let place = (!location.is_empty() || point.is_some()).then(|| EventPlace {
        place: tags.place.clone(),
        name: if location.is_empty() { country_name.clone() } else { location.clone() },
        country,
        point,
        precision: tags.precision.unwrap_or(geo_precision),
    });

    let fatalities_text = row.get("fatalities").to_owned();
    let fatalities = if fatalities_text.is_empty() {
        0
    } else {
        match fatalities_text.parse::<u32>() {
            Ok(n) => n,
            Err(_) => {
                row.problem("fatalities", format!("{fatalities_text:?} is not a number of people"));
                0
            }
        }
    };
    let quantities = if fatalities > 0 {
        vec![Quantity {
            kind: QuantityKind::Killed,
            value: f64::from(fatalities),
            unit: Unit::Persons,
            span: Span { start: 0, end: 0 },
        }]
    } else {
        Vec::new()
    };

    if !row.problems.is_empty() || !keep {
        return None;
    }
    let id = tags.event.unwrap_or_else(|| EventId::derived(format!("acled:{event_id_cnty}").as_bytes()));
    let key =
        if own { tags.document.clone().unwrap_or_else(|| id.to_string()) } else { format!("row {event_id_cnty}") };
    let marking = Marking {
        owner: defaults.owner,
        tlp: tags.tlp.unwrap_or(defaults.tlp),
        distribution: Distribution::Organisation,
    };
    let event = Event {
        id,
        category,
        event_type,
        when,
        place,
        stance: tags.stance.unwrap_or(Stance::Asserted),
        documents: Vec::new(),
        confidence: tags.confidence.unwrap_or(0.5),
        credibility: tags.credibility.unwrap_or(Credibility::CannotBeJudged),
        sector: tags.sector.clone(),
        marking,
        actors: tags.actors,
        quantities,
        evidence: Vec::new(),
    };
    let title = (!own).then(|| {
        let place =
            [location.as_str(), country_name.as_str()].iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>();
        let mut title = if sub_event_type.is_empty() { acled_event_type.clone() } else { sub_event_type.clone() };
        if !place.is_empty() {
            title.push_str(&format!(" in {}", place.join(", ")));
        }
        if !date_text.is_empty() {
            title.push_str(&format!(" ({date_text})"));
        }
        title
    });
    Some(Parsed {
        event,
        key,
        own,
        notes: row.get("notes").to_owned(),
        source: Some(row.get("source").to_owned()).filter(|s| !s.is_empty()),
        event_id_cnty,
        title,
    })
}

/// The columns the reader uses beyond [`REQUIRED`]: a header without one reads, but
/// without what it holds.
const USED: [&str; 9] =
    ["time_precision", "iso", "country", "location", "latitude", "longitude", "geo_precision", "source", "fatalities"];

/// Reads ACLED-style CSV: every problem in it, or the records. Nothing is read from a
/// file with a problem. [`read_noted`] also says what a file that reads lacks.
pub fn read(text: &str, defaults: &ReadDefaults) -> Result<Read, Vec<Problem>> {
    read_noted(text, defaults).map(|(read, _)| read)
}

/// Reads ACLED-style CSV as [`read`] does, with notes on what the file lacks that the
/// reader would have used: above all the `tags` column, where beltwatch's own rows carry
/// its fields (event ids, categories, TLP markings, actors). Without it every row is read
/// as one from ACLED, and those fields take their defaults.
pub fn read_noted(text: &str, defaults: &ReadDefaults) -> Result<(Read, Vec<Problem>), Vec<Problem>> {
    let (records, mut problems) = records(text);
    let mut records = records.into_iter().filter(|r| !is_blank(r));
    let Some(header) = records.next() else {
        problems.push(Problem::new("line 1", None, "an ACLED file starts with a header row"));
        return Err(problems);
    };
    let mut columns: HashMap<String, usize> = HashMap::new();
    for (i, field) in header.fields.iter().enumerate() {
        let name = field.text.trim().to_owned();
        if columns.insert(name.clone(), i).is_some() {
            problems.push(Problem::new(
                format!("line {}, column {} ({name})", field.line, field.column),
                None,
                format!("the column {name:?} appears twice"),
            ));
        }
    }
    let mut header_problems = !problems.is_empty() && problems.iter().any(|p| p.location.starts_with("line 1,"));
    for name in REQUIRED {
        if !columns.contains_key(name) {
            header_problems = true;
            problems.push(Problem::new(
                format!("line {}", header.line),
                None,
                format!("the header has no {name:?} column: an ACLED header names {}", COLUMNS.join(",")),
            ));
        }
    }
    if header_problems {
        return Err(problems);
    }
    let mut notes = Vec::new();
    if !columns.contains_key("tags") {
        notes.push(Problem::new(
            format!("line {}", header.line),
            None,
            "the header has no \"tags\" column: beltwatch's own fields (event ids, categories, event types, TLP \
             markings, actors, sectors) are not read; every row is read as an ACLED event, marked with the default TLP",
        ));
    }
    let missing: Vec<&str> = USED.into_iter().filter(|c| !columns.contains_key(*c)).collect();
    if !missing.is_empty() {
        notes.push(Problem::new(
            format!("line {}", header.line),
            None,
            format!("the header has no {} column(s): rows are read without them", missing.join(", ")),
        ));
    }
    let width = header.fields.len();
    let mut skipped = BTreeMap::new();
    let mut parsed = Vec::new();
    for record in records {
        if record.fields.len() != width {
            let (field, message) = match record.fields.get(width) {
                Some(extra) => (Some(extra), format!("field {} is beyond the header's {width} columns", width + 1)),
                None => (
                    record.fields.last(),
                    format!("the row has {} fields where the header has {width}", record.fields.len()),
                ),
            };
            let location = field
                .map_or_else(|| format!("line {}", record.line), |f| format!("line {}, column {}", f.line, f.column));
            let id = columns.get("event_id_cnty").and_then(|i| record.fields.get(*i)).map(|f| f.text.trim());
            problems.push(Problem::new(location, id.filter(|s| !s.is_empty()), message));
            continue;
        }
        let mut row = Row { record: &record, columns: &columns, id: None, problems: Vec::new() };
        let result = read_row(&mut row, defaults, &mut skipped);
        problems.extend(row.problems);
        parsed.extend(result);
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok((assemble(parsed, defaults, skipped), notes))
}

/// The documents of the rows read, and their events.
fn assemble(parsed: Vec<Parsed>, defaults: &ReadDefaults, skipped: BTreeMap<String, usize>) -> Read {
    let mut groups: Vec<(String, Vec<Parsed>)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for row in parsed {
        match index.get(&row.key) {
            Some(i) => groups[*i].1.push(row),
            None => {
                index.insert(row.key.clone(), groups.len());
                groups.push((row.key.clone(), vec![row]));
            }
        }
    }
    let mut documents: Vec<Document> = Vec::new();
    let mut events = Vec::new();
    for (_, rows) in groups {
        let Some(first) = rows.first() else { continue };
        let mut notes: Vec<&str> = Vec::new();
        for row in &rows {
            if !row.notes.is_empty() && !notes.contains(&row.notes.as_str()) {
                notes.push(&row.notes);
            }
        }
        let mut text = notes.join("\n\n");
        if text.is_empty() {
            text = first.title.clone().unwrap_or_else(|| format!("ACLED event {}", first.event_id_cnty));
        }
        let hash = crate::content_hash(&text);
        let id = if first.own {
            hash.document_id()
        } else {
            DocumentId::derived(format!("acled:{}", first.event_id_cnty).as_bytes())
        };
        let tlp = rows.iter().map(|r| r.event.marking.tlp).max().unwrap_or(defaults.tlp);
        if !documents.iter().any(|d| d.id == id) {
            documents.push(Document {
                id,
                content_hash: hash,
                source: None,
                source_name: first.source.clone(),
                url: None,
                title: first.title.clone(),
                published: None,
                ingested_at: defaults.now,
                language: Language::undetermined(),
                language_confidence: 0.0,
                format: DocumentFormat::Text,
                origin: format!("acled:{}", first.event_id_cnty),
                raw: text.clone(),
                text,
                marking: Marking { owner: defaults.owner, tlp, distribution: Distribution::Organisation },
            });
        }
        for row in rows {
            let mut event = row.event;
            event.documents = vec![id];
            events.push(event);
        }
    }
    Read {
        shared: Shared {
            // Every record is the importing organisation's: no other organisation is named.
            organisations: Vec::new(),
            sharing_groups: Vec::new(),
            sources: Vec::new(),
            documents,
            events,
            claims: Vec::new(),
            actors: Vec::new(),
        },
        skipped,
    }
}
