//! What both backends share: reading a row's cells, the parameters bound to queries, the
//! stored forms of timestamps, the filters as SQL, and the decoding of rows into records.
//! SQL written here uses `?` placeholders and portable syntax; the PostgreSQL backend
//! numbers the placeholders when it prepares a statement.

use chrono::{DateTime, Utc};
use model::{
    ContentHash, Distribution, Document, DocumentId, Event, EventActor, Marking, Mention, OrganisationId, Precision,
    Quantity, SharingGroupId, Source, Viewer, When,
};

use crate::{DocumentFilter, DocumentSummary, EventFilter, StoreError};

/// A value bound to a placeholder, whichever the backend.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Param {
    Int(i64),
    Text(String),
}

impl rusqlite::ToSql for Param {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::ToSqlOutput;
        Ok(match self {
            Param::Int(i) => ToSqlOutput::from(*i),
            Param::Text(t) => ToSqlOutput::from(t.as_str()),
        })
    }
}

impl postgres::types::ToSql for Param {
    fn to_sql(
        &self,
        ty: &postgres::types::Type,
        out: &mut bytes::BytesMut,
    ) -> Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
        use postgres::types::Type;
        match self {
            Param::Int(i) if *ty == Type::INT4 => i32::try_from(*i)?.to_sql(ty, out),
            Param::Int(i) => i.to_sql(ty, out),
            Param::Text(t) => t.as_str().to_sql(ty, out),
        }
    }

    fn accepts(_: &postgres::types::Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

/// The cells of a result row, as the decoders below read them.
pub(crate) trait Cells {
    fn text(&self, column: usize) -> Result<&str, StoreError>;
    fn opt_text(&self, column: usize) -> Result<Option<&str>, StoreError>;
    fn int(&self, column: usize) -> Result<i64, StoreError>;
    fn opt_real(&self, column: usize) -> Result<Option<f64>, StoreError>;

    fn real(&self, column: usize) -> Result<f64, StoreError> {
        self.opt_real(column)?.ok_or_else(|| cell_error(column, "NULL where a number is expected"))
    }

    fn string(&self, column: usize) -> Result<String, StoreError> {
        Ok(self.text(column)?.to_owned())
    }

    fn opt_string(&self, column: usize) -> Result<Option<String>, StoreError> {
        Ok(self.opt_text(column)?.map(str::to_owned))
    }
}

fn cell_error(column: usize, reason: impl ToString) -> StoreError {
    StoreError::Corrupt { record: format!("column {column} of a row"), reason: reason.to_string() }
}

impl Cells for rusqlite::Row<'_> {
    fn text(&self, column: usize) -> Result<&str, StoreError> {
        self.get_ref(column)?.as_str().map_err(|e| cell_error(column, e))
    }

    fn opt_text(&self, column: usize) -> Result<Option<&str>, StoreError> {
        self.get_ref(column)?.as_str_or_null().map_err(|e| cell_error(column, e))
    }

    fn int(&self, column: usize) -> Result<i64, StoreError> {
        Ok(self.get(column)?)
    }

    fn opt_real(&self, column: usize) -> Result<Option<f64>, StoreError> {
        Ok(self.get(column)?)
    }
}

impl Cells for postgres::Row {
    fn text(&self, column: usize) -> Result<&str, StoreError> {
        Ok(self.try_get(column)?)
    }

    fn opt_text(&self, column: usize) -> Result<Option<&str>, StoreError> {
        Ok(self.try_get(column)?)
    }

    fn int(&self, column: usize) -> Result<i64, StoreError> {
        use postgres::types::Type;
        let ty = self.columns().get(column).map(|c| c.type_().clone());
        Ok(match ty {
            Some(Type::INT4) => i64::from(self.try_get::<_, i32>(column)?),
            Some(Type::INT2) => i64::from(self.try_get::<_, i16>(column)?),
            _ => self.try_get(column)?,
        })
    }

    fn opt_real(&self, column: usize) -> Result<Option<f64>, StoreError> {
        use postgres::types::Type;
        let ty = self.columns().get(column).map(|c| c.type_().clone());
        Ok(match ty {
            Some(Type::FLOAT4) => self.try_get::<_, Option<f32>>(column)?.map(f64::from),
            _ => self.try_get(column)?,
        })
    }
}

/// RFC 3339 UTC with microseconds: the stored form of every timestamp.
pub(crate) fn timestamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

pub(crate) fn parse_timestamp(text: &str, record: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt { record: record.to_owned(), reason: format!("timestamp {text:?}: {e}") })
}

pub(crate) fn parse<T: std::str::FromStr>(text: &str, kind: &str, id: &str) -> Result<T, StoreError>
where
    T::Err: std::fmt::Display,
{
    text.parse().map_err(|e: T::Err| StoreError::Corrupt { record: format!("{kind} {id}"), reason: e.to_string() })
}

pub(crate) fn when(at: Option<&str>, precision: Option<&str>, record: &str) -> Result<Option<When>, StoreError> {
    match (at, precision) {
        (Some(at), precision) => {
            let precision: Precision = match precision {
                Some(p) => parse(p, "document", record)?,
                None => Precision::Second,
            };
            Ok(Some(When { at: parse_timestamp(at, record)?, precision }))
        }
        (None, _) => Ok(None),
    }
}

pub(crate) fn filter_sql(filter: &DocumentFilter) -> (Vec<String>, Vec<Param>) {
    let mut clauses = Vec::new();
    let mut values = Vec::new();
    if let Some(since) = filter.since {
        clauses.push("d.sort_time >= ?".to_owned());
        values.push(Param::Text(timestamp(since)));
    }
    if let Some(until) = filter.until {
        clauses.push("d.sort_time < ?".to_owned());
        values.push(Param::Text(timestamp(until)));
    }
    if let Some(language) = &filter.language {
        clauses.push("d.language = ?".to_owned());
        values.push(Param::Text(language.as_str().to_owned()));
    }
    if let Some(source) = &filter.source {
        clauses.push("d.source_id = ?".to_owned());
        values.push(Param::Text(Source::id_for_name(source).to_string()));
    }
    if let Some(viewer) = &filter.visible_to {
        visibility_sql(viewer, "d", &mut clauses, &mut values);
    }
    (clauses, values)
}

/// `model::may_see` as SQL over a row with `owner_org`, `tlp`, `distribution` and
/// `sharing_group` columns (table alias `alias`). The conformance suite checks that the
/// two agree on every combination of marking and viewer.
pub(crate) fn visibility_sql(viewer: &Viewer, alias: &str, clauses: &mut Vec<String>, values: &mut Vec<Param>) {
    let groups = if viewer.groups.is_empty() { "NULL".to_owned() } else { vec!["?"; viewer.groups.len()].join(", ") };
    clauses.push(format!(
        "({alias}.owner_org = ? OR ({alias}.tlp NOT IN ('red', 'amber+strict') AND ({alias}.distribution = 'all_partners' \
         OR ({alias}.distribution = 'sharing_group' AND {alias}.sharing_group IN ({groups})))))"
    ));
    values.push(Param::Text(viewer.organisation.to_string()));
    values.extend(viewer.groups.iter().map(|g| Param::Text(g.to_string())));
}

/// The shape of a listing's cursor, the `next` of a page: the sort time as the store
/// writes it (or nothing, for rows without one), `~`, and the row's sequence number.
pub const CURSOR_PATTERN: &str = "^([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z)?~[0-9]{1,18}$";

/// Whether `cursor` has the shape of [`CURSOR_PATTERN`].
pub fn cursor_is_valid(cursor: &str) -> bool {
    let Some((time, seq)) = cursor.rsplit_once('~') else { return false };
    let digits = |b: &[u8]| b.iter().all(u8::is_ascii_digit);
    let shape = b"0000-00-00T00:00:00.000000Z";
    let time_fits = time.is_empty()
        || (time.len() == shape.len()
            && time.bytes().zip(shape).all(|(c, s)| if *s == b'0' { c.is_ascii_digit() } else { c == *s }));
    time_fits && (1..=18).contains(&seq.len()) && digits(seq.as_bytes())
}

/// A cursor's time and position, owned.
pub(crate) fn split_cursor(cursor: &str) -> Result<(String, i64), StoreError> {
    parse_cursor(cursor).map(|(time, seq)| (time.to_owned(), seq))
}

/// A page of alerts from `limit + 1` rows read with their positions: the cursor of the
/// next page is the last kept alert's time and position.
pub(crate) fn page_of(mut items: Vec<model::Alert>, keys: Vec<i64>, limit: u32) -> crate::Listing<model::Alert> {
    let limit = limit as usize;
    let next = if items.len() > limit {
        items.truncate(limit);
        items.last().zip(keys.get(limit - 1)).map(|(a, seq)| format!("{}~{seq}", timestamp(a.fired_at)))
    } else {
        None
    };
    crate::Listing { items, next }
}

/// Narrows a listing to the rows after `cursor` ("time~seq", the `next` of the previous
/// page) in the order `key` (a `(time, seq)` expression) sorts them, newest first.
pub(crate) fn after_cursor(
    cursor: &str,
    key: &str,
    clauses: &mut Vec<String>,
    values: &mut Vec<Param>,
) -> Result<(), StoreError> {
    let (time, seq) = parse_cursor(cursor)?;
    clauses.push(format!("{key} < (?, ?)"));
    values.push(Param::Text(time.to_owned()));
    values.push(Param::Int(seq));
    Ok(())
}

/// A listing's cursor, `time~seq` (the `next` of the previous page), as its time text and
/// sequence number; a cursor of another shape ([`CURSOR_PATTERN`]) is refused.
pub fn parse_cursor(cursor: &str) -> Result<(&str, i64), StoreError> {
    cursor
        .rsplit_once('~')
        .filter(|_| cursor_is_valid(cursor))
        .and_then(|(time, seq)| Some((time, seq.parse::<i64>().ok()?)))
        .ok_or_else(|| StoreError::InvalidCursor(cursor.to_owned()))
}

pub(crate) fn where_sql(clauses: &[String]) -> String {
    if clauses.is_empty() { String::new() } else { format!("WHERE {}", clauses.join(" AND ")) }
}

/// The summary in the first columns of `row` (see [`SUMMARY_COLUMNS`]), with its cursor.
pub(crate) fn summary_from_row<C: Cells + ?Sized>(row: &C) -> Result<(DocumentSummary, String), StoreError> {
    let id = row.text(0)?;
    let summary = DocumentSummary {
        id: parse(id, "document", id)?,
        title: row.opt_string(1)?,
        source_name: row.opt_string(2)?,
        url: row.opt_string(3)?,
        published: when(row.opt_text(4)?, row.opt_text(5)?, id)?,
        ingested_at: parse_timestamp(row.text(6)?, id)?,
        language: parse(row.text(7)?, "document", id)?,
        format: parse(row.text(8)?, "document", id)?,
        origin: row.string(9)?,
        text_bytes: row.int(10)? as u64,
    };
    let cursor = format!("{}~{}", row.text(11)?, row.int(12)?);
    Ok((summary, cursor))
}

pub(crate) fn document_from_row<C: Cells + ?Sized>(r: &C) -> Result<Document, StoreError> {
    let id = r.text(0)?;
    let hash = r.text(1)?;
    let source = r.opt_text(2)?;
    let group = r.opt_text(16)?;
    let group: Option<SharingGroupId> = group.map(|g| parse(g, "document", id)).transpose()?;
    let distribution = Distribution::from_parts(r.text(15)?, group)
        .map_err(|e| StoreError::Corrupt { record: format!("document {id}"), reason: e.to_string() })?;
    Ok(Document {
        id: parse::<DocumentId>(id, "document", id)?,
        content_hash: parse::<ContentHash>(hash, "document", id)?,
        source: source.map(|s| parse(s, "document", id)).transpose()?,
        source_name: r.opt_string(3)?,
        url: r.opt_string(4)?,
        title: r.opt_string(5)?,
        published: when(r.opt_text(6)?, r.opt_text(7)?, id)?,
        ingested_at: parse_timestamp(r.text(8)?, id)?,
        language: parse(r.text(9)?, "document", id)?,
        language_confidence: r.real(10)? as f32,
        format: parse(r.text(11)?, "document", id)?,
        origin: r.string(12)?,
        marking: Marking {
            owner: parse::<OrganisationId>(r.text(13)?, "document", id)?,
            tlp: parse(r.text(14)?, "document", id)?,
            distribution,
        },
        text: r.string(17)?,
        raw: r.string(18)?,
    })
}

pub(crate) fn event_filter_sql(filter: &EventFilter) -> (Vec<String>, Vec<Param>) {
    let mut clauses = Vec::new();
    let mut values = Vec::new();
    if let Some(since) = filter.since {
        clauses.push("e.when_at >= ?".to_owned());
        values.push(Param::Text(timestamp(since)));
    }
    if let Some(until) = filter.until {
        clauses.push("e.when_at < ?".to_owned());
        values.push(Param::Text(timestamp(until)));
    }
    if let Some(category) = filter.category {
        clauses.push("e.category = ?".to_owned());
        values.push(Param::Text(category.as_str().to_owned()));
    }
    if let Some(event_type) = filter.event_type {
        clauses.push("e.event_type = ?".to_owned());
        values.push(Param::Text(event_type.as_str().to_owned()));
    }
    if let Some(country) = filter.country {
        clauses.push("e.country = ?".to_owned());
        values.push(Param::Text(country.to_string()));
    }
    if let Some(actor) = &filter.actor {
        clauses.push("e.id IN (SELECT event_id FROM event_actors WHERE actor_id = ?)".to_owned());
        values.push(Param::Text(actor.to_string()));
    }
    if let Some(document) = filter.document {
        clauses.push("e.id IN (SELECT event_id FROM event_documents WHERE document_id = ?)".to_owned());
        values.push(Param::Text(document.to_string()));
    }
    if let Some(id) = filter.id {
        clauses.push("e.id = ?".to_owned());
        values.push(Param::Text(id.to_string()));
    }
    if let Some(owner) = filter.owner {
        clauses.push("e.owner_org = ?".to_owned());
        values.push(Param::Text(owner.to_string()));
    }
    if let Some(viewer) = &filter.visible_to {
        visibility_sql(viewer, "e", &mut clauses, &mut values);
    }
    (clauses, values)
}

/// An event's columns, with its detail (actors, quantities, evidence) left empty.
pub(crate) fn event_head<C: Cells + ?Sized>(r: &C) -> Result<Event, StoreError> {
    let id = r.text(0)?;
    let record = |reason: String| StoreError::Corrupt { record: format!("event {id}"), reason };
    let place_name = r.opt_text(6)?;
    let place = match place_name {
        Some(name) => {
            let point = match (r.opt_real(8)?, r.opt_real(9)?) {
                (Some(lon), Some(lat)) => Some(model::LonLat::new(lon, lat).map_err(|e| record(e.to_string()))?),
                _ => None,
            };
            Some(model::EventPlace {
                place: r.opt_text(5)?.map(|p| parse(p, "event", id)).transpose()?,
                name: name.to_owned(),
                country: r.opt_text(7)?.map(|p| parse(p, "event", id)).transpose()?,
                point,
                precision: parse(r.opt_text(10)?.unwrap_or("country"), "event", id)?,
            })
        }
        None => None,
    };
    let group = r.opt_text(18)?;
    let group: Option<SharingGroupId> = group.map(|g| parse(g, "event", id)).transpose()?;
    let distribution = Distribution::from_parts(r.text(17)?, group).map_err(|e| record(e.to_string()))?;
    // The event's documents, read with it in one query, in id order.
    let joined = r.opt_text(20)?;
    let mut documents: Vec<&str> = joined.map(|j| j.split(' ').collect()).unwrap_or_default();
    documents.sort_unstable();
    Ok(Event {
        id: parse(id, "event", id)?,
        category: parse(r.text(1)?, "event", id)?,
        event_type: parse(r.text(2)?, "event", id)?,
        when: when(r.opt_text(3)?, r.opt_text(4)?, id)?,
        place,
        actors: Vec::new(),
        quantities: Vec::new(),
        stance: parse(r.text(11)?, "event", id)?,
        documents: documents.iter().map(|d| parse(d, "event", id)).collect::<Result<_, _>>()?,
        evidence: Vec::new(),
        confidence: r.real(12)? as f32,
        credibility: parse(r.text(13)?, "event", id)?,
        sector: r.opt_text(14)?.map(|s| parse(s, "event", id)).transpose()?,
        marking: Marking {
            owner: parse(r.text(15)?, "event", id)?,
            tlp: parse(r.text(16)?, "event", id)?,
            distribution,
        },
    })
}

/// A text column borrowed from its row, without a copy.
pub(crate) fn row_str<C: Cells + ?Sized>(r: &C, column: usize) -> Result<&str, StoreError> {
    r.text(column)
}

pub(crate) fn corrupt_event<C: Cells + ?Sized>(r: &C, reason: impl ToString) -> StoreError {
    let id = r.text(0).unwrap_or("?").to_owned();
    StoreError::Corrupt { record: format!("event {id}"), reason: reason.to_string() }
}

pub(crate) fn event_from_row<C: Cells + ?Sized>(r: &C) -> Result<Event, StoreError> {
    let mut event = event_head(r)?;
    let detail: EventDetail = serde_json::from_str(row_str(r, 19)?).map_err(|e| corrupt_event(r, e))?;
    (event.actors, event.quantities, event.evidence) = (detail.actors, detail.quantities, detail.evidence);
    Ok(event)
}

/// [`Event`]'s fields before its detail, in `Event`'s order and JSON form, borrowed from
/// the event's columns. beltwatch wrote those columns from typed values in the names their
/// JSON forms use, so they are copied rather than parsed and written again.
#[derive(serde::Serialize)]
struct EventHead<'a> {
    id: &'a str,
    category: &'a str,
    event_type: &'a str,
    when: Option<WhenJson<'a>>,
    place: Option<PlaceJson<'a>>,
    stance: &'a str,
    documents: Vec<&'a str>,
    confidence: f32,
    credibility: &'a str,
    sector: Option<&'a str>,
    marking: MarkingJson<'a>,
}

/// [`When`]'s JSON form.
#[derive(serde::Serialize)]
struct WhenJson<'a> {
    at: Instant<'a>,
    precision: &'a str,
}

/// A stored timestamp (`2026-11-28T00:00:00.000000Z`) in the JSON form of a
/// `DateTime<Utc>`, which leaves out a fraction of zero.
struct Instant<'a>(&'a str);

impl serde::Serialize for Instant<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0.strip_suffix(".000000Z").filter(|whole| whole.len() == 19) {
            Some(whole) => {
                let mut text = [b'Z'; 20];
                text[..19].copy_from_slice(whole.as_bytes());
                serializer.serialize_str(std::str::from_utf8(&text).map_err(serde::ser::Error::custom)?)
            }
            None => parse_timestamp(self.0, "event").map_err(serde::ser::Error::custom)?.serialize(serializer),
        }
    }
}

/// [`model::EventPlace`]'s JSON form.
#[derive(serde::Serialize)]
struct PlaceJson<'a> {
    place: Option<&'a str>,
    name: &'a str,
    country: Option<&'a str>,
    point: Option<[f64; 2]>,
    precision: &'a str,
}

/// [`Marking`]'s JSON form.
#[derive(serde::Serialize)]
struct MarkingJson<'a> {
    owner: &'a str,
    tlp: &'a str,
    distribution: DistributionJson<'a>,
}

/// [`Distribution`]'s JSON form: its level, and the group of a sharing-group level.
#[derive(serde::Serialize)]
struct DistributionJson<'a> {
    level: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<&'a str>,
}

/// Appends an event's JSON form to `out`: its columns copied into `Event`'s first
/// fields, then the stored detail (`{"actors":..,"quantities":..,"evidence":..}`,
/// `Event`'s last fields) copied as it is. A page of events is thus written without
/// parsing any of them. A test holds the result byte for byte equal to `Event`'s JSON.
pub(crate) fn write_event_json<C: Cells + ?Sized>(r: &C, out: &mut Vec<u8>) -> Result<(), StoreError> {
    let text = |column| row_str(r, column);
    let optional = |column| -> Result<Option<&str>, StoreError> { r.opt_text(column) };
    let point = match (r.opt_real(8)?, r.opt_real(9)?) {
        (Some(lon), Some(lat)) => Some([lon, lat]),
        _ => None,
    };
    let place = match optional(6)? {
        Some(name) => Some(PlaceJson {
            place: optional(5)?,
            name,
            country: optional(7)?,
            point,
            precision: optional(10)?.unwrap_or("country"),
        }),
        None => None,
    };
    let when = match optional(3)? {
        Some(at) => Some(WhenJson { at: Instant(at), precision: optional(4)?.unwrap_or("second") }),
        None => None,
    };
    let mut documents: Vec<&str> = optional(20)?.map(|j| j.split(' ').collect()).unwrap_or_default();
    documents.sort_unstable();
    let head = EventHead {
        id: text(0)?,
        category: text(1)?,
        event_type: text(2)?,
        when,
        place,
        stance: text(11)?,
        documents,
        confidence: r.real(12)? as f32,
        credibility: text(13)?,
        sector: optional(14)?,
        marking: MarkingJson {
            owner: text(15)?,
            tlp: text(16)?,
            distribution: DistributionJson { level: text(17)?, group: optional(18)? },
        },
    };
    // The detail's bytes are copied unchecked: they are the JSON beltwatch wrote.
    let detail = r.text(19)?.as_bytes();
    let inner = detail
        .strip_prefix(b"{")
        .and_then(|d| d.strip_suffix(b"}"))
        .filter(|d| d.starts_with(b"\"actors\":"))
        .ok_or_else(|| corrupt_event(r, "its detail is not an object starting with actors"))?;
    serde_json::to_writer(&mut *out, &head).map_err(|err| corrupt_event(r, err))?;
    // The head ends with its closing brace; the detail's fields go before it.
    out.pop();
    out.push(b',');
    out.extend_from_slice(inner);
    out.push(b'}');
    Ok(())
}

/// How many columns an event's row has before what a query adds after them.
pub(crate) const EVENT_COLUMN_COUNT: usize = 21;

/// The parts of an event kept as JSON: they are read whole and never filtered on inside.
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct EventDetail {
    pub(crate) actors: Vec<EventActor>,
    pub(crate) quantities: Vec<Quantity>,
    pub(crate) evidence: Vec<Mention>,
}
