//! The SQLite backend: one file in WAL mode, one writer connection and a small pool of
//! readers, migrations applied on open, FTS5 for search.

mod accounts;
mod alerts;
mod jobs;
mod peers;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use model::{
    Claim, Credibility, Distribution, Document, DocumentId, Event, EventId, Marking, Mention, Organisation,
    OrganisationId, Reliability, SectorId, SharingGroupId, Source, SourceKind, Span,
};
use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, params, params_from_iter};

use crate::query::{SearchQuery, Term};
pub(crate) use crate::rows::parse_timestamp;
use crate::rows::{
    Cells, EVENT_COLUMN_COUNT, EventDetail, Param, after_cursor, document_from_row, event_filter_sql, event_from_row,
    filter_sql, parse, row_str, summary_from_row, timestamp, when, where_sql, write_event_json,
};
use crate::{
    AddedEvent, DocumentFilter, DocumentSource, DocumentSummary, EventFilter, EventLink, ExtractionInput, Facts,
    Import, Inserted, Listing, NewDocument, NewLink, Page, SearchHit, SourceSummary, StoreError,
};

/// Written into every beltwatch SQLite file ("BWat"), so that beltwatch never migrates,
/// nor a demo ever replaces, another program's database.
const APPLICATION_ID: i32 = 0x4257_6174;

/// The migrations, in order; the schema version is the number applied.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_documents.sql"),
    include_str!("migrations/0002_events.sql"),
    include_str!("migrations/0003_links.sql"),
    include_str!("migrations/0004_accounts.sql"),
    include_str!("migrations/0005_event_order.sql"),
    include_str!("migrations/0006_alerts.sql"),
    include_str!("migrations/0007_peers.sql"),
    include_str!("migrations/0008_jobs.sql"),
    include_str!("migrations/0009_category_listing.sql"),
    include_str!("migrations/0010_taxii_statuses.sql"),
    include_str!("migrations/0011_alert_identity.sql"),
];

/// How many idle reader connections are kept.
const MAX_IDLE_READERS: usize = 16;

const SUMMARY_COLUMNS: &str = "d.id, d.title, d.source_name, d.url, d.published_at, d.published_precision, \
     d.ingested_at, d.language, d.format, d.origin, length(CAST(d.text AS BLOB)), d.sort_time, d.seq";

pub(crate) struct SqliteStore {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

/// Whether `path` holds a SQLite database (or any file) that beltwatch did not write.
pub(crate) fn is_foreign_file(path: &Path) -> bool {
    let Ok(metadata) = std::fs::metadata(path) else { return false };
    if metadata.len() == 0 {
        return false;
    }
    let Ok(connection) = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY) else { return true };
    let id: Result<i32, _> = connection.query_row("PRAGMA application_id", [], |r| r.get(0));
    !matches!(id, Ok(APPLICATION_ID))
}

impl SqliteStore {
    pub(crate) fn open(path: &Path) -> Result<Self, StoreError> {
        let open_error = |source| StoreError::Open { path: path.to_owned(), source };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            // A missing folder gets the same clear error as any other open failure.
            let _ = std::fs::create_dir_all(parent);
        }
        let mut writer = Connection::open(path).map_err(open_error)?;
        configure(&writer).map_err(open_error)?;
        let application_id: i32 = writer.query_row("PRAGMA application_id", [], |r| r.get(0)).map_err(open_error)?;
        let user_tables: i64 = writer
            .query_row("SELECT count(*) FROM sqlite_master WHERE type = 'table'", [], |r| r.get(0))
            .map_err(open_error)?;
        if application_id != APPLICATION_ID && (application_id != 0 || user_tables > 0) {
            return Err(StoreError::NotAStore { path: path.to_owned() });
        }
        migrate(&mut writer)?;
        let store = Self { path: path.to_owned(), writer: Mutex::new(writer), readers: Mutex::new(Vec::new()) };
        store.ensure_local_organisation()?;
        Ok(store)
    }

    fn writer(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave a transaction open (rusqlite rolls
        // back on drop), so a poisoned lock is safe to take over.
        self.writer.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `f` on an idle reader connection, opening one when none is idle.
    fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let idle = self.readers.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let connection = match idle {
            Some(connection) => connection,
            None => {
                let connection = Connection::open_with_flags(
                    &self.path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
                )
                .map_err(|source| StoreError::Open { path: self.path.clone(), source })?;
                connection.busy_timeout(std::time::Duration::from_secs(5))?;
                // Readers map the file and read pages in place instead of copying them
                // into each connection's cache (docs/server.md).
                connection.pragma_update(None, "mmap_size", READER_MMAP_BYTES)?;
                connection
            }
        };
        let result = f(&connection);
        let mut readers = self.readers.lock().unwrap_or_else(|p| p.into_inner());
        if readers.len() < MAX_IDLE_READERS {
            readers.push(connection);
        }
        result
    }

    fn ensure_local_organisation(&self) -> Result<(), StoreError> {
        let writer = self.writer();
        let exists: i64 =
            writer.query_row("SELECT count(*) FROM organisations WHERE is_local = 1", [], |r| r.get(0))?;
        if exists == 0 {
            writer.execute(
                "INSERT INTO organisations (id, name, is_local, created_at) VALUES (?1, ?2, 1, ?3)",
                params![uuid::Uuid::now_v7().to_string(), "Local organisation", timestamp(Utc::now())],
            )?;
        }
        Ok(())
    }

    pub(crate) fn local_organisation(&self) -> Result<Organisation, StoreError> {
        self.read(|c| {
            let (id, name): (String, String) =
                c.query_row("SELECT id, name FROM organisations WHERE is_local = 1", [], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?;
            Ok(Organisation { id: parse(&id, "organisation", &id)?, name })
        })
    }

    pub(crate) fn ensure_sources(&self, sources: &[Source]) -> Result<(), StoreError> {
        let mut writer = self.writer();
        let tx = writer.transaction()?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO sources (id, name, kind, url, reliability) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (id) DO NOTHING",
            )?;
            for s in sources {
                insert.execute(params![s.id.to_string(), s.name, s.kind.as_str(), s.url, s.reliability.as_str()])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    pub(crate) fn rate_source(&self, name: &str, reliability: Reliability) -> Result<(), StoreError> {
        let source = Source::new(name, SourceKind::File, None);
        self.writer().execute(
            "INSERT INTO sources (id, name, kind, url, reliability) VALUES (?1, ?2, ?3, NULL, ?4) \
             ON CONFLICT (id) DO UPDATE SET reliability = excluded.reliability",
            params![source.id.to_string(), source.name, source.kind.as_str(), reliability.as_str()],
        )?;
        Ok(())
    }

    pub(crate) fn sources(&self) -> Result<Vec<SourceSummary>, StoreError> {
        self.read(|c| {
            let mut statement = c.prepare(
                "SELECT s.id, s.name, s.kind, s.url, s.reliability, \
                        (SELECT count(*) FROM documents d WHERE d.source_id = s.id) \
                 FROM sources s ORDER BY s.name",
            )?;
            let rows = statement.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, i64>(5)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (id, name, kind, url, reliability, documents) = row?;
                out.push(SourceSummary {
                    source: Source {
                        id: parse(&id, "source", &id)?,
                        kind: parse(&kind, "source", &id)?,
                        reliability: parse(&reliability, "source", &id)?,
                        name,
                        url,
                    },
                    documents: documents as u64,
                });
            }
            Ok(out)
        })
    }

    pub(crate) fn insert_documents(&self, documents: &[NewDocument]) -> Result<Vec<Inserted>, StoreError> {
        let mut writer = self.writer();
        let tx = writer.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let outcomes = insert_documents(&tx, documents)?;
        tx.commit()?;
        Ok(outcomes)
    }

    pub(crate) fn import(&self, import: &Import) -> Result<Vec<Inserted>, StoreError> {
        let mut writer = self.writer();
        let tx = writer.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        {
            let mut source = tx.prepare_cached(
                "INSERT INTO sources (id, name, kind, url, reliability) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (id) DO NOTHING",
            )?;
            for s in &import.sources {
                source.execute(params![s.id.to_string(), s.name, s.kind.as_str(), s.url, s.reliability.as_str()])?;
            }
        }
        let outcomes = insert_documents(&tx, &import.documents)?;
        tx.commit()?;
        Ok(outcomes)
    }

    pub(crate) fn replace_facts(&self, facts: &[(DocumentId, Facts)]) -> Result<(), StoreError> {
        let mut writer = self.writer();
        let tx = writer.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        replace_facts_in(&tx, facts)?;
        tx.commit()?;
        Ok(())
    }

    pub(crate) fn extraction_inputs(&self, after_seq: i64, limit: u32) -> Result<Vec<ExtractionInput>, StoreError> {
        self.read(|c| {
            let mut statement = c.prepare_cached(
                "SELECT seq, id, text, published_at, published_precision, owner_org, tlp, distribution, sharing_group, \
                        extracted_with \
                 FROM documents WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            )?;
            let mut rows = statement.query(params![after_seq, limit])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                let id: String = r.get(1)?;
                let group: Option<String> = r.get(8)?;
                let group: Option<SharingGroupId> = group.map(|g| parse(&g, "document", &id)).transpose()?;
                let distribution = Distribution::from_parts(&r.get::<_, String>(7)?, group)
                    .map_err(|e| StoreError::Corrupt { record: format!("document {id}"), reason: e.to_string() })?;
                out.push(ExtractionInput {
                    seq: r.get(0)?,
                    id: parse(&id, "document", &id)?,
                    text: r.get(2)?,
                    published: when(r.opt_text(3)?, r.opt_text(4)?, &id)?,
                    marking: Marking {
                        owner: parse(&r.get::<_, String>(5)?, "document", &id)?,
                        tlp: parse(&r.get::<_, String>(6)?, "document", &id)?,
                        distribution,
                    },
                    extracted_with: r.get(9)?,
                });
            }
            Ok(out)
        })
    }

    pub(crate) fn events(&self, filter: &EventFilter, page: &Page) -> Result<Listing<Event>, StoreError> {
        self.event_page(filter, page, |row| event_from_row(row))
    }

    /// Appends a page of events to `out` as a JSON array. On an error `out` holds part of
    /// a page and is to be thrown away.
    pub(crate) fn write_events_json(
        &self,
        filter: &EventFilter,
        page: &Page,
        out: &mut Vec<u8>,
    ) -> Result<Listing<()>, StoreError> {
        out.push(b'[');
        let start = out.len();
        let listing = self.event_page(filter, page, |row| {
            if out.len() > start {
                out.push(b',');
            }
            write_event_json(row, out)
        })?;
        out.push(b']');
        Ok(listing)
    }

    /// One page of events, latest first, each read from its row by `read`.
    fn event_page<T>(
        &self,
        filter: &EventFilter,
        page: &Page,
        mut read: impl FnMut(&Row<'_>) -> Result<T, StoreError>,
    ) -> Result<Listing<T>, StoreError> {
        let (mut clauses, mut values) = event_filter_sql(filter);
        if let Some(cursor) = &page.after {
            after_cursor(cursor, "(coalesce(e.when_at, ''), e.seq)", &mut clauses, &mut values)?;
        }
        let limit = page.limit.max(1);
        // The limit is written into the SQL, not bound: SQLite plans with a bound LIMIT's
        // value and so prepares such a statement again at every run.
        let sql = format!(
            "SELECT {EVENT_COLUMNS}, coalesce(e.when_at, ''), e.seq FROM events e {} \
             ORDER BY coalesce(e.when_at, '') DESC, e.seq DESC LIMIT {}",
            where_sql(&clauses),
            i64::from(limit) + 1
        );
        self.read(|c| {
            let mut statement = c.prepare_cached(&sql)?;
            let mut rows = statement.query(params_from_iter(values))?;
            let mut items = Vec::with_capacity(limit as usize);
            // The sort key of the last row read: the next page starts after it.
            let (mut last_key, mut last_seq) = (String::new(), 0_i64);
            let mut next = None;
            while let Some(row) = rows.next()? {
                if items.len() == limit as usize {
                    next = Some(format!("{last_key}~{last_seq}"));
                    break;
                }
                items.push(read(row)?);
                last_key.clear();
                last_key.push_str(row_str(row, EVENT_COLUMN_COUNT)?);
                last_seq = row.get(EVENT_COLUMN_COUNT + 1)?;
            }
            Ok(Listing { items, next })
        })
    }

    pub(crate) fn events_added(
        &self,
        filter: &EventFilter,
        added_after: Option<DateTime<Utc>>,
        with_added: bool,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<AddedEvent>, StoreError> {
        let (mut clauses, mut values) = event_filter_sql(filter);
        clauses.push("e.seq > ?".to_owned());
        values.push(Param::Int(after_seq));
        if let Some(after) = added_after {
            clauses.push("d.ingested_at > ?".to_owned());
            values.push(Param::Text(timestamp(after)));
        }
        // The time a document was stored is needed to filter on it; otherwise the events
        // are read in table order alone, without a lookup per row.
        let (added, join) = if added_after.is_some() || with_added {
            ("d.ingested_at", "JOIN documents d ON d.id = e.document_id")
        } else {
            ("NULL", "")
        };
        let sql = format!(
            "SELECT {EVENT_COLUMNS}, e.seq, {added} FROM events e {join} {} ORDER BY e.seq LIMIT {}",
            where_sql(&clauses),
            limit.max(1)
        );
        self.read(|c| {
            let mut statement = c.prepare_cached(&sql)?;
            let mut rows = statement.query(params_from_iter(values))?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                let event = event_from_row(row)?;
                let added = match row.get_ref(EVENT_COLUMN_COUNT + 1)?.as_str_or_null() {
                    Ok(Some(text)) => Some(parse_timestamp(text, "event")?),
                    _ => None,
                };
                out.push(AddedEvent { event, seq: row.get(EVENT_COLUMN_COUNT)?, added });
            }
            Ok(out)
        })
    }

    pub(crate) fn belt_generation(&self) -> Result<String, StoreError> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT (SELECT coalesce(max(seq), 0) FROM events) || ' ' || (SELECT count(*) FROM events) || ' ' || \
                        (SELECT coalesce(max(rowid), 0) FROM event_links) || ' ' || \
                        (SELECT count(*) FROM event_links WHERE unlinked_at IS NOT NULL) || ' ' || \
                        (SELECT coalesce(group_concat(id || reliability), '') FROM sources)",
                [],
                |r| r.get(0),
            )?)
        })
    }

    pub(crate) fn count_events(&self, filter: &EventFilter) -> Result<u64, StoreError> {
        let (clauses, values) = event_filter_sql(filter);
        let sql = format!("SELECT count(*) FROM events e {}", where_sql(&clauses));
        self.read(|c| Ok(c.query_row(&sql, params_from_iter(values), |r| r.get::<_, i64>(0))? as u64))
    }

    pub(crate) fn claims(&self, document: DocumentId) -> Result<Vec<Claim>, StoreError> {
        self.read(|c| {
            let mut statement = c.prepare_cached(
                "SELECT id, speaker, speaker_name, stance, start, end, about_event FROM claims \
                 WHERE document_id = ?1 ORDER BY start, end",
            )?;
            let mut rows = statement.query([document.to_string()])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                let id: String = r.get(0)?;
                out.push(Claim {
                    id: parse(&id, "claim", &id)?,
                    document,
                    speaker: r.get::<_, Option<String>>(1)?.map(|s| parse(&s, "claim", &id)).transpose()?,
                    speaker_name: r.get(2)?,
                    stance: parse(&r.get::<_, String>(3)?, "claim", &id)?,
                    span: Span { start: r.get(4)?, end: r.get(5)? },
                    about: r.get::<_, Option<String>>(6)?.map(|s| parse(&s, "claim", &id)).transpose()?,
                });
            }
            Ok(out)
        })
    }

    pub(crate) fn mentions(&self, document: DocumentId) -> Result<Vec<Mention>, StoreError> {
        self.read(|c| {
            let mut statement = c.prepare_cached(
                "SELECT start, end, kind, resolved FROM mentions WHERE document_id = ?1 ORDER BY start, end",
            )?;
            let rows = statement.query_map([document.to_string()], |r| {
                Ok((r.get::<_, u32>(0)?, r.get::<_, u32>(1)?, r.get::<_, String>(2)?, r.get::<_, Option<String>>(3)?))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (start, end, kind, resolved) = row?;
                out.push(Mention {
                    document,
                    span: Span { start, end },
                    kind: parse(&kind, "mention of document", &document.to_string())?,
                    resolved,
                });
            }
            Ok(out)
        })
    }

    pub(crate) fn document(&self, id_or_prefix: &str) -> Result<Option<Document>, StoreError> {
        let needle = id_or_prefix.trim().to_ascii_lowercase();
        if needle.len() < 4 || !needle.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
            return Err(StoreError::IdTooShort(id_or_prefix.to_owned()));
        }
        self.read(|c| {
            let mut ids = c.prepare_cached("SELECT id FROM documents WHERE id >= ?1 AND id < ?1 || 'g' LIMIT 2")?;
            let found: Vec<String> = ids.query_map([&needle], |r| r.get(0))?.collect::<Result<_, _>>()?;
            let id = match found.as_slice() {
                [] => return Ok(None),
                [one] => one.clone(),
                _ => {
                    let count: i64 = c.query_row(
                        "SELECT count(*) FROM documents WHERE id >= ?1 AND id < ?1 || 'g'",
                        [&needle],
                        |r| r.get(0),
                    )?;
                    return Err(StoreError::AmbiguousId { prefix: id_or_prefix.to_owned(), count: count as u64 });
                }
            };
            let mut statement = c.prepare_cached(
                "SELECT id, content_hash, source_id, source_name, url, title, published_at, published_precision, \
                        ingested_at, language, language_confidence, format, origin, owner_org, tlp, distribution, \
                        sharing_group, text, raw \
                 FROM documents WHERE id = ?1",
            )?;
            statement.query_row([&id], |r| Ok(document_from_row(r))).optional()?.transpose()
        })
    }

    pub(crate) fn documents(
        &self,
        filter: &DocumentFilter,
        page: &Page,
    ) -> Result<Listing<DocumentSummary>, StoreError> {
        let (mut clauses, mut values) = filter_sql(filter);
        if let Some(cursor) = &page.after {
            after_cursor(cursor, "(d.sort_time, d.seq)", &mut clauses, &mut values)?;
        }
        let limit = page.limit.max(1);
        // A literal limit, as for events.
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM documents d {} ORDER BY d.sort_time DESC, d.seq DESC LIMIT {}",
            where_sql(&clauses),
            i64::from(limit) + 1
        );
        self.read(|c| {
            let mut statement = c.prepare_cached(&sql)?;
            let mut rows = statement.query(params_from_iter(values))?;
            let mut items = Vec::new();
            let mut next = None;
            while let Some(row) = rows.next()? {
                if items.len() == limit as usize {
                    // A row past the page exists: the page's last item is where to go on.
                    next = items.last().map(|(_, cursor): &(DocumentSummary, String)| cursor.clone());
                    break;
                }
                items.push(summary_from_row(row)?);
            }
            Ok(Listing { items: items.into_iter().map(|(s, _)| s).collect(), next })
        })
    }

    pub(crate) fn count_documents(&self, filter: &DocumentFilter) -> Result<u64, StoreError> {
        let (clauses, values) = filter_sql(filter);
        let sql = format!("SELECT count(*) FROM documents d {}", where_sql(&clauses));
        self.read(|c| Ok(c.query_row(&sql, params_from_iter(values), |r| r.get::<_, i64>(0))? as u64))
    }

    pub(crate) fn search(
        &self,
        query: &SearchQuery,
        filter: &DocumentFilter,
        limit: u32,
    ) -> Result<Vec<SearchHit>, StoreError> {
        let (mut clauses, mut values) = filter_sql(filter);
        clauses.insert(0, "documents_fts MATCH ?".into());
        values.insert(0, Param::Text(fts5_expression(query)));
        values.push(Param::Int(i64::from(limit.max(1))));
        // Title matches weigh twice as much as text matches.
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS}, snippet(documents_fts, -1, '[', ']', '…', 16), bm25(documents_fts, 2.0, 1.0) AS rank \
             FROM documents_fts JOIN documents d ON d.seq = documents_fts.rowid {} ORDER BY rank LIMIT ?",
            where_sql(&clauses)
        );
        self.read(|c| {
            let mut statement = c.prepare_cached(&sql)?;
            let mut rows = statement.query(params_from_iter(values))?;
            let mut hits = Vec::new();
            while let Some(row) = rows.next()? {
                let (document, _) = summary_from_row(row)?;
                hits.push(SearchHit { document, snippet: row.get(13)?, rank: row.get(14)? });
            }
            Ok(hits)
        })
    }

    pub(crate) fn document_sources(&self) -> Result<Vec<DocumentSource>, StoreError> {
        self.read(|c| {
            let mut statement = c.prepare(
                "SELECT d.id, coalesce(s.name, d.source_name, d.origin), coalesce(s.reliability, 'F'), d.language \
                 FROM documents d LEFT JOIN sources s ON s.id = d.source_id ORDER BY d.seq",
            )?;
            let rows = statement.query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (id, outlet, reliability, language) = row?;
                out.push(DocumentSource {
                    document: parse(&id, "document", &id)?,
                    outlet,
                    reliability: parse(&reliability, "document", &id)?,
                    language,
                });
            }
            Ok(out)
        })
    }

    pub(crate) fn links(&self) -> Result<Vec<EventLink>, StoreError> {
        self.read(|c| {
            let mut statement = c.prepare(
                "SELECT event_id, incident_id, relation, reason, linked_at, unlinked_at FROM event_links \
                 ORDER BY incident_id, linked_at, event_id",
            )?;
            let rows = statement.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<String>>(5)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (event, incident, relation, reason, linked_at, unlinked_at) = row?;
                let record = format!("link {incident}/{event}");
                out.push(EventLink {
                    event: parse(&event, "link", &record)?,
                    incident: parse(&incident, "link", &record)?,
                    relation: parse(&relation, "link", &record)?,
                    reason,
                    linked_at: parse_timestamp(&linked_at, &record)?,
                    unlinked_at: unlinked_at.map(|t| parse_timestamp(&t, &record)).transpose()?,
                });
            }
            Ok(out)
        })
    }

    pub(crate) fn add_links(&self, links: &[NewLink]) -> Result<usize, StoreError> {
        let mut connection = self.writer();
        let tx = connection.transaction()?;
        let now = timestamp(Utc::now());
        let mut added = 0;
        {
            let mut statement = tx.prepare_cached(
                "INSERT INTO event_links (event_id, incident_id, relation, reason, linked_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
            )?;
            for link in links {
                added += statement.execute(params![
                    link.event.to_string(),
                    link.incident.to_string(),
                    link.relation.as_str(),
                    link.reason,
                    now
                ])?;
            }
        }
        tx.commit()?;
        Ok(added)
    }

    pub(crate) fn unlink(&self, incident: EventId) -> Result<usize, StoreError> {
        Ok(self.writer().execute(
            "UPDATE event_links SET unlinked_at = ?2 WHERE incident_id = ?1 AND unlinked_at IS NULL",
            params![incident.to_string(), timestamp(Utc::now())],
        )?)
    }

    pub(crate) fn unlink_events(&self, incident: EventId, events: &[EventId]) -> Result<usize, StoreError> {
        let mut connection = self.writer();
        let tx = connection.transaction()?;
        let mut undone = 0;
        {
            let mut statement = tx.prepare_cached(
                "UPDATE event_links SET unlinked_at = ?3 \
                 WHERE incident_id = ?1 AND event_id = ?2 AND unlinked_at IS NULL",
            )?;
            let now = timestamp(Utc::now());
            for event in events {
                undone += statement.execute(params![incident.to_string(), event.to_string(), now])?;
            }
        }
        tx.commit()?;
        Ok(undone)
    }

    pub(crate) fn set_assessment(&self, rows: &[(EventId, Option<SectorId>, Credibility)]) -> Result<(), StoreError> {
        let mut connection = self.writer();
        let tx = connection.transaction()?;
        {
            let mut statement = tx.prepare_cached("UPDATE events SET sector = ?2, credibility = ?3 WHERE id = ?1")?;
            for (event, sector, credibility) in rows {
                statement.execute(params![
                    event.to_string(),
                    sector.as_ref().map(|s| s.to_string()),
                    credibility.as_str()
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    pub(crate) fn put_taxii_status(
        &self,
        id: &str,
        organisation: OrganisationId,
        body: &str,
        prune_before: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut writer = self.writer();
        let tx = writer.transaction()?;
        tx.prepare_cached(crate::jobs::PRUNE_STATUSES)?.execute([timestamp(prune_before)])?;
        tx.prepare_cached(crate::jobs::PUT_STATUS)?.execute(params![
            id,
            organisation.to_string(),
            body,
            timestamp(Utc::now())
        ])?;
        tx.commit()?;
        Ok(())
    }

    pub(crate) fn taxii_status(&self, id: &str, organisation: OrganisationId) -> Result<Option<String>, StoreError> {
        self.read(|c| {
            Ok(c.prepare_cached(crate::jobs::GET_STATUS)?
                .query_row(params![id, organisation.to_string()], |r| r.get(0))
                .optional()?)
        })
    }

    pub(crate) fn analyze(&self) -> Result<(), StoreError> {
        self.writer().execute_batch("PRAGMA optimize")?;
        Ok(())
    }

    pub(crate) fn integrity_check(&self) -> Result<Vec<String>, StoreError> {
        self.read(|c| {
            let mut statement = c.prepare("PRAGMA integrity_check")?;
            let rows = statement.query_map([], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    pub(crate) fn schema_version(&self) -> Result<u32, StoreError> {
        Ok(self.writer().query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }
}

fn configure(connection: &Connection) -> rusqlite::Result<()> {
    connection.busy_timeout(std::time::Duration::from_secs(5))?;
    // WAL lets readers work while a batch is written; FULL makes every acknowledged
    // commit durable, which matters more here than the fsync it costs per batch.
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.pragma_update(None, "synchronous", "FULL")?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

fn migrate(connection: &mut Connection) -> Result<(), StoreError> {
    let supported = MIGRATIONS.len() as u32;
    let current: u32 = connection.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > supported {
        return Err(StoreError::TooNew { found: current, supported });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let version = index as u32 + 1;
        let fail = |source| StoreError::Migration { version, source };
        let tx = connection.transaction().map_err(fail)?;
        tx.execute_batch(sql).map_err(fail)?;
        tx.pragma_update(None, "user_version", version).map_err(fail)?;
        tx.pragma_update(None, "application_id", APPLICATION_ID).map_err(fail)?;
        tx.commit().map_err(fail)?;
        tracing::info!(version, "store migrated");
    }
    Ok(())
}

/// How much of the store file each reader maps at most.
const READER_MMAP_BYTES: i64 = 1 << 30;

const EVENT_COLUMNS: &str = "e.id, e.category, e.event_type, e.when_at, e.when_precision, e.place_id, e.place_name, \
     e.country, e.lon, e.lat, e.geo_precision, e.stance, e.confidence, e.credibility, e.sector, e.owner_org, e.tlp, \
     e.distribution, e.sharing_group, e.detail, \
     (SELECT group_concat(ed.document_id, ' ') FROM event_documents ed WHERE ed.event_id = e.id)";

/// Inserts documents and their facts in `tx`; a document whose content is stored already
/// is a duplicate, and its facts are left as they are.
fn insert_documents(tx: &rusqlite::Transaction<'_>, documents: &[NewDocument]) -> Result<Vec<Inserted>, StoreError> {
    let mut outcomes = Vec::with_capacity(documents.len());
    {
        let mut insert = tx.prepare_cached(
            "INSERT INTO documents (id, content_hash, source_id, source_name, url, title, published_at, \
                     published_precision, ingested_at, language, language_confidence, format, origin, owner_org, \
                     tlp, distribution, sharing_group, text, raw) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19) \
                 ON CONFLICT (content_hash) DO NOTHING",
        )?;
        let mut existing = tx.prepare_cached("SELECT id FROM documents WHERE content_hash = ?1")?;
        for new in documents {
            let d = &new.document;
            let group = match d.marking.distribution {
                Distribution::SharingGroup { group } => Some(group.to_string()),
                _ => None,
            };
            let changed = insert.execute(params![
                d.id.to_string(),
                d.content_hash.to_hex(),
                d.source.map(|s| s.to_string()),
                d.source_name,
                d.url,
                d.title,
                d.published.map(|w| timestamp(w.at)),
                d.published.map(|w| w.precision.as_str()),
                timestamp(d.ingested_at),
                d.language.as_str(),
                f64::from(d.language_confidence),
                d.format.as_str(),
                d.origin,
                d.marking.owner.to_string(),
                d.marking.tlp.as_str(),
                d.marking.distribution.level(),
                group,
                d.text,
                d.raw,
            ])?;
            if changed == 1 {
                if let Some(facts) = &new.facts {
                    write_facts(tx, d.id, facts)?;
                }
                outcomes.push(Inserted::New { id: d.id });
            } else {
                let id: String = existing.query_row([d.content_hash.to_hex()], |r| r.get(0))?;
                outcomes.push(Inserted::Duplicate { id: parse(&id, "document", &id)? });
            }
        }
    }
    Ok(outcomes)
}

/// Replaces each document's facts in `tx`.
fn replace_facts_in(tx: &rusqlite::Transaction<'_>, facts: &[(DocumentId, Facts)]) -> Result<(), StoreError> {
    for (document, f) in facts {
        for table in ["events", "mentions", "claims"] {
            tx.prepare_cached(&format!("DELETE FROM {table} WHERE document_id = ?1"))?
                .execute([document.to_string()])?;
        }
        write_facts(tx, *document, f)?;
    }
    Ok(())
}

fn write_facts(tx: &rusqlite::Transaction<'_>, document: DocumentId, facts: &Facts) -> Result<(), StoreError> {
    let doc = document.to_string();
    tx.prepare_cached("UPDATE documents SET extracted_with = ?2 WHERE id = ?1")?
        .execute(params![doc, facts.extracted_with])?;
    let mut event_insert = tx.prepare_cached(
        "INSERT INTO events (id, document_id, category, event_type, when_at, when_precision, place_id, place_name, \
             country, lon, lat, geo_precision, stance, confidence, credibility, sector, owner_org, tlp, distribution, \
             sharing_group, detail) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)",
    )?;
    let mut event_document =
        tx.prepare_cached("INSERT OR IGNORE INTO event_documents (event_id, document_id) VALUES (?1, ?2)")?;
    let mut event_actor =
        tx.prepare_cached("INSERT OR IGNORE INTO event_actors (event_id, actor_id, role) VALUES (?1, ?2, ?3)")?;
    for e in &facts.events {
        let detail =
            EventDetail { actors: e.actors.clone(), quantities: e.quantities.clone(), evidence: e.evidence.clone() };
        let detail = serde_json::to_string(&detail)
            .map_err(|err| StoreError::Corrupt { record: format!("event {}", e.id), reason: err.to_string() })?;
        let group = match e.marking.distribution {
            Distribution::SharingGroup { group } => Some(group.to_string()),
            _ => None,
        };
        let place = e.place.as_ref();
        event_insert.execute(params![
            e.id.to_string(),
            doc,
            e.category.as_str(),
            e.event_type.as_str(),
            e.when.map(|w| timestamp(w.at)),
            e.when.map(|w| w.precision.as_str()),
            place.and_then(|p| p.place.as_ref()).map(|p| p.to_string()),
            place.map(|p| p.name.clone()),
            place.and_then(|p| p.country).map(|c| c.to_string()),
            place.and_then(|p| p.point).map(|p| p.lon()),
            place.and_then(|p| p.point).map(|p| p.lat()),
            place.map(|p| p.precision.as_str()),
            e.stance.as_str(),
            f64::from(e.confidence),
            e.credibility.as_str(),
            e.sector.as_ref().map(|s| s.to_string()),
            e.marking.owner.to_string(),
            e.marking.tlp.as_str(),
            e.marking.distribution.level(),
            group,
            detail,
        ])?;
        for d in &e.documents {
            event_document.execute(params![e.id.to_string(), d.to_string()])?;
        }
        for a in &e.actors {
            event_actor.execute(params![e.id.to_string(), a.actor.to_string(), a.role.as_str()])?;
        }
    }
    let mut mention = tx.prepare_cached(
        "INSERT OR IGNORE INTO mentions (document_id, start, end, kind, resolved) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for m in &facts.mentions {
        mention.execute(params![doc, m.span.start, m.span.end, m.kind.as_str(), m.resolved])?;
    }
    let mut claim = tx.prepare_cached(
        "INSERT OR REPLACE INTO claims (id, document_id, speaker, speaker_name, stance, start, end, about_event) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for c in &facts.claims {
        claim.execute(params![
            c.id.to_string(),
            doc,
            c.speaker.as_ref().map(|s| s.to_string()),
            c.speaker_name,
            c.stance.as_str(),
            c.span.start,
            c.span.end,
            c.about.map(|a| a.to_string()),
        ])?;
    }
    Ok(())
}

/// The query in FTS5's syntax. Every word is quoted, so nothing a user types is read as
/// an FTS5 operator.
fn fts5_expression(query: &SearchQuery) -> String {
    let term = |t: &Term| {
        let Term::Match { words, prefix } = t;
        let quoted = format!("\"{}\"", words.join(" ").replace('"', "\"\""));
        if *prefix { format!("{quoted}*") } else { quoted }
    };
    let clauses: Vec<String> = query
        .clauses
        .iter()
        .map(|alternatives| {
            let parts: Vec<String> = alternatives.iter().map(term).collect();
            if parts.len() == 1 { parts.join("") } else { format!("({})", parts.join(" OR ")) }
        })
        .collect();
    let mut expression = format!("({})", clauses.join(" AND "));
    for excluded in &query.excluded {
        expression.push_str(" NOT ");
        expression.push_str(&term(excluded));
    }
    expression
}
