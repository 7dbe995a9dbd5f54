//! The PostgreSQL backend, for several beltwatch nodes over one database: a pool of
//! connections with a limit, migrations applied under an advisory lock on open, and
//! PostgreSQL's text search in each document's language.
//!
//! Writes that add documents or events hold one advisory lock until they commit, so
//! events become visible in the order of their `seq`: a reader that has seen `seq` N has
//! seen every event before it, which is what feeds and alert evaluation page by.

mod accounts;
mod alerts;
mod bulk;
mod jobs;
mod peers;

use std::collections::HashMap;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};
use model::{
    Claim, Credibility, Distribution, Document, DocumentId, Event, EventId, Marking, Mention, Organisation,
    OrganisationId, Reliability, SectorId, SharingGroupId, Source, SourceKind, Span,
};
use postgres::types::ToSql;
use postgres::{Client, GenericClient, NoTls, Row, Statement};

use self::bulk::{insert_documents, write_facts};
use crate::jobs as jobs_sql;
use crate::query::{SearchQuery, Term};
use crate::rows::{
    Cells, EVENT_COLUMN_COUNT, Param, after_cursor, document_from_row, event_filter_sql, event_from_row, filter_sql,
    parse, parse_timestamp, row_str, summary_from_row, timestamp, when, where_sql, write_event_json,
};
use crate::{
    AddedEvent, DocumentFilter, DocumentSource, DocumentSummary, EventFilter, EventLink, ExtractionInput, Facts,
    Import, Inserted, Listing, NewDocument, NewLink, Page, SearchHit, SourceSummary, StoreError,
};

/// The migrations, in order; the schema version is the number applied.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_jobs.sql"),
    include_str!("migrations/0003_category_listing.sql"),
    include_str!("migrations/0004_taxii_statuses.sql"),
    include_str!("migrations/0005_alert_identity.sql"),
];

/// The advisory lock held while migrating, so that nodes starting together migrate once.
const MIGRATION_LOCK: i64 = 0x4257_6174_0001;
/// The advisory lock held by every transaction that adds documents or events.
const WRITE_LOCK: i64 = 0x4257_6174_0002;

/// Connections opened at most, unless the URL says otherwise (`pool_max=N`).
const DEFAULT_POOL_MAX: usize = 16;
/// How long a caller waits for a connection when all are busy, unless the URL says
/// otherwise (`pool_wait=SECONDS`).
const DEFAULT_POOL_WAIT: Duration = Duration::from_secs(10);
/// The longest a statement runs, unless the URL says otherwise (`statement_timeout=SECONDS`).
const DEFAULT_STATEMENT_TIMEOUT: Duration = Duration::from_secs(300);

const SUMMARY_COLUMNS: &str = "d.id, d.title, d.source_name, d.url, d.published_at, d.published_precision, \
     d.ingested_at, d.language, d.format, d.origin, octet_length(d.text)::bigint, d.sort_time, d.seq";

const EVENT_COLUMNS: &str = "e.id, e.category, e.event_type, e.when_at, e.when_precision, e.place_id, e.place_name, \
     e.country, e.lon, e.lat, e.geo_precision, e.stance, e.confidence, e.credibility, e.sector, e.owner_org, e.tlp, \
     e.distribution, e.sharing_group, e.detail, \
     (SELECT string_agg(ed.document_id, ' ') FROM event_documents ed WHERE ed.event_id = e.id)";

/// One pooled connection and the statements prepared on it.
pub(crate) struct Connection {
    client: Client,
    statements: HashMap<String, Statement>,
}

struct PoolState {
    idle: Vec<Connection>,
    open: usize,
}

pub(crate) struct PgStore {
    /// The URL without its password, for messages.
    location: String,
    config: postgres::Config,
    schema: Option<String>,
    max: usize,
    /// How long a caller waits for a connection when all are busy.
    pool_wait: Duration,
    state: Mutex<PoolState>,
    available: Condvar,
}

/// A connection taken from the pool; it goes back when dropped, unless it broke.
pub(crate) struct Pooled<'a> {
    store: &'a PgStore,
    connection: Option<Connection>,
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        let Some(connection) = self.connection.take() else { return };
        let mut state = self.store.lock();
        if connection.client.is_closed() {
            state.open = state.open.saturating_sub(1);
        } else {
            state.idle.push(connection);
        }
        drop(state);
        self.store.available.notify_one();
    }
}

/// Runs statements written with `?` placeholders on a client or in a transaction,
/// preparing each once per connection.
pub(crate) struct Session<'a, C: GenericClient> {
    client: &'a mut C,
    statements: &'a mut HashMap<String, Statement>,
}

pub(crate) type Params<'p> = [&'p (dyn ToSql + Sync)];

impl<C: GenericClient> Session<'_, C> {
    fn statement(&mut self, sql: &str) -> Result<Statement, StoreError> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare(&numbered(sql))?;
        self.statements.insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }

    pub(crate) fn query(&mut self, sql: &str, params: &Params<'_>) -> Result<Vec<Row>, StoreError> {
        let statement = self.statement(sql)?;
        Ok(self.client.query(&statement, params)?)
    }

    pub(crate) fn query_opt(&mut self, sql: &str, params: &Params<'_>) -> Result<Option<Row>, StoreError> {
        let statement = self.statement(sql)?;
        Ok(self.client.query_opt(&statement, params)?)
    }

    pub(crate) fn query_one(&mut self, sql: &str, params: &Params<'_>) -> Result<Row, StoreError> {
        let statement = self.statement(sql)?;
        Ok(self.client.query_one(&statement, params)?)
    }

    pub(crate) fn execute(&mut self, sql: &str, params: &Params<'_>) -> Result<u64, StoreError> {
        let statement = self.statement(sql)?;
        Ok(self.client.execute(&statement, params)?)
    }

    /// Runs a statement built at run time with its values.
    pub(crate) fn query_values(&mut self, sql: &str, values: &[Param]) -> Result<Vec<Row>, StoreError> {
        let params: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v as &(dyn ToSql + Sync)).collect();
        self.query(sql, &params)
    }
}

/// `sql` with its `?` and `?N` placeholders written as PostgreSQL's `$N`. Text between
/// single quotes is left as it is.
pub(crate) fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut chars = sql.chars().peekable();
    let mut next = 1;
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                quoted = !quoted;
                out.push(c);
            }
            '?' if !quoted => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                }
                if digits.is_empty() {
                    digits = next.to_string();
                    next += 1;
                }
                out.push('$');
                out.push_str(&digits);
            }
            _ => out.push(c),
        }
    }
    out
}

/// The location's parts beltwatch reads itself (`schema`, `pool_max`), and the rest for
/// the PostgreSQL client.
/// beltwatch's own parameters of a PostgreSQL URL, taken out of it.
#[derive(Debug, Default, PartialEq)]
struct Tuning {
    /// `schema=NAME`: the schema the store lives in.
    schema: Option<String>,
    /// `pool_max=N`: connections opened at most.
    pool_max: Option<usize>,
    /// `pool_wait=SECONDS`: how long a caller waits for a connection when all are busy.
    pool_wait: Option<u64>,
    /// `statement_timeout=SECONDS`: the longest a statement may run (0: no limit).
    statement_timeout: Option<u64>,
}

fn split_location(location: &str) -> (String, Tuning) {
    let mut tuning = Tuning::default();
    let Some((base, query)) = location.split_once('?') else { return (location.to_owned(), tuning) };
    let mut rest = Vec::new();
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("schema", value)) => tuning.schema = Some(value.to_owned()),
            Some(("pool_max", value)) => tuning.pool_max = value.parse().ok(),
            Some(("pool_wait", value)) => tuning.pool_wait = value.parse().ok(),
            Some(("statement_timeout", value)) => tuning.statement_timeout = value.parse().ok(),
            _ => rest.push(pair),
        }
    }
    let base = if rest.is_empty() { base.to_owned() } else { format!("{base}?{}", rest.join("&")) };
    (base, tuning)
}

/// An error's message with its cause ("error connecting to server: Connection refused").
fn with_cause(error: &postgres::Error) -> String {
    match std::error::Error::source(error) {
        Some(cause) => format!("{error}: {cause}"),
        None => error.to_string(),
    }
}

/// The location with any password replaced, to show in messages.
pub(crate) fn redact(location: &str) -> String {
    match (location.find("://"), location.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &location[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &location[..scheme + 3], &location[at..]),
                None => location.to_owned(),
            }
        }
        _ => location.to_owned(),
    }
}

impl PgStore {
    pub(crate) fn open(location: &str) -> Result<Self, StoreError> {
        let shown = redact(location);
        let (url, tuning) = split_location(location);
        let (schema, max) = (tuning.schema, tuning.pool_max);
        if let Some(schema) = &schema
            && !schema.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(StoreError::Connect {
                location: shown,
                reason: format!("schema {schema:?}: use letters, digits and underscores"),
            });
        }
        let mut config: postgres::Config = url
            .parse()
            .map_err(|e: postgres::Error| StoreError::Connect { location: shown.clone(), reason: e.to_string() })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(5));
        }
        config.application_name("beltwatch");
        // beltwatch's statements are short and indexed: compiling them (JIT) costs more
        // than it saves, most of all when statistics lag behind a bulk load.
        // No statement runs longer than this: a stuck one fails, and its request with it.
        let statement_timeout = tuning.statement_timeout.unwrap_or(DEFAULT_STATEMENT_TIMEOUT.as_secs());
        let ours = format!("-c jit=off -c statement_timeout={}", statement_timeout * 1000);
        let options = match config.get_options() {
            Some(given) => format!("{given} {ours}"),
            None => ours,
        };
        // A connection whose server stops answering is noticed (keepalives, and unacknowledged
        // data) rather than waited on for the kernel's default quarter of an hour.
        config.keepalives(true).keepalives_idle(Duration::from_secs(10));
        config.options(&options);
        let store = Self {
            location: shown,
            config,
            schema,
            max: max.unwrap_or(DEFAULT_POOL_MAX).max(1),
            pool_wait: Duration::from_secs(tuning.pool_wait.unwrap_or(DEFAULT_POOL_WAIT.as_secs())),
            state: Mutex::new(PoolState { idle: Vec::new(), open: 0 }),
            available: Condvar::new(),
        };
        store.migrate()?;
        Ok(store)
    }

    fn lock(&self) -> MutexGuard<'_, PoolState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn connect(&self) -> Result<Connection, StoreError> {
        let fail = |e: postgres::Error| StoreError::Connect { location: self.location.clone(), reason: with_cause(&e) };
        let mut client = self.config.connect(NoTls).map_err(fail)?;
        if let Some(schema) = &self.schema {
            client
                .batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\"; SET search_path TO \"{schema}\""))
                .map_err(fail)?;
        }
        Ok(Connection { client, statements: HashMap::new() })
    }

    /// A connection from the pool: an idle one, a new one while under the limit, or the
    /// next one given back.
    pub(crate) fn connection(&self) -> Result<Pooled<'_>, StoreError> {
        let mut state = self.lock();
        loop {
            if let Some(connection) = state.idle.pop() {
                return Ok(Pooled { store: self, connection: Some(connection) });
            }
            if state.open < self.max {
                state.open += 1;
                drop(state);
                return match self.connect() {
                    Ok(connection) => Ok(Pooled { store: self, connection: Some(connection) }),
                    Err(e) => {
                        self.lock().open -= 1;
                        self.available.notify_one();
                        Err(e)
                    }
                };
            }
            let (next, timeout) = self.available.wait_timeout(state, self.pool_wait).unwrap_or_else(|p| p.into_inner());
            state = next;
            if timeout.timed_out() && state.idle.is_empty() && state.open >= self.max {
                return Err(StoreError::Connect {
                    location: self.location.clone(),
                    reason: format!(
                        "all {} pooled connections stayed busy for {}s",
                        self.max,
                        self.pool_wait.as_secs()
                    ),
                });
            }
        }
    }

    /// The connection a `Pooled` holds until it is dropped.
    fn held<'p>(&self, pooled: &'p mut Pooled<'_>) -> Result<&'p mut Connection, StoreError> {
        pooled.connection.as_mut().ok_or_else(|| StoreError::Connect {
            location: self.location.clone(),
            reason: "a pooled connection went missing".into(),
        })
    }

    /// Runs `f` outside a transaction.
    pub(crate) fn read<T>(
        &self,
        f: impl FnOnce(&mut Session<'_, Client>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut pooled = self.connection()?;
        let connection = self.held(&mut pooled)?;
        let Connection { client, statements } = connection;
        f(&mut Session { client, statements })
    }

    /// Runs `f` in a transaction, committed when it returns `Ok`. With `exclusive`, the
    /// transaction first takes the write lock (see the module's notes).
    pub(crate) fn write<T>(
        &self,
        exclusive: bool,
        f: impl FnOnce(&mut Session<'_, postgres::Transaction<'_>>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut pooled = self.connection()?;
        let connection = self.held(&mut pooled)?;
        let Connection { client, statements } = connection;
        let mut tx = client.transaction()?;
        if exclusive {
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])?;
        }
        let value = f(&mut Session { client: &mut tx, statements })?;
        tx.commit()?;
        Ok(value)
    }

    fn migrate(&self) -> Result<(), StoreError> {
        let mut pooled = self.connection()?;
        let connection = self.held(&mut pooled)?;
        let client = &mut connection.client;
        let supported = MIGRATIONS.len() as u32;
        // Lock before looking, so that of several nodes starting at once one migrates and
        // the others find the work done.
        let mut tx = client.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
        tx.batch_execute("CREATE TABLE IF NOT EXISTS beltwatch_schema (version BIGINT NOT NULL)")?;
        let found: Option<i64> = tx.query_opt("SELECT max(version) FROM beltwatch_schema", &[])?.and_then(|r| r.get(0));
        let current = found.unwrap_or(0).max(0) as u32;
        if current == 0 {
            let tables: i64 = tx
                .query_one(
                    "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() \
                     AND table_name <> 'beltwatch_schema'",
                    &[],
                )?
                .get(0);
            if tables > 0 {
                return Err(StoreError::NotAStore { path: self.location.clone().into() });
            }
        }
        if current > supported {
            return Err(StoreError::TooNew { found: current, supported });
        }
        for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
            let version = index as u32 + 1;
            let fail = |source| StoreError::PgMigration { version, source };
            tx.batch_execute(sql).map_err(fail)?;
            tx.execute("INSERT INTO beltwatch_schema (version) VALUES ($1)", &[&i64::from(version)]).map_err(fail)?;
            tracing::info!(version, "PostgreSQL store migrated");
        }
        let locals: i64 = tx.query_one("SELECT count(*) FROM organisations WHERE is_local = 1", &[])?.get(0);
        if locals == 0 {
            tx.execute(
                "INSERT INTO organisations (id, name, is_local, created_at) VALUES ($1, $2, 1, $3)",
                &[&uuid::Uuid::now_v7().to_string(), &"Local organisation", &timestamp(Utc::now())],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    pub(crate) fn local_organisation(&self) -> Result<Organisation, StoreError> {
        self.read(|s| {
            let row = s.query_one("SELECT id, name FROM organisations WHERE is_local = 1", &[])?;
            let id = row.text(0)?;
            Ok(Organisation { id: parse(id, "organisation", id)?, name: row.string(1)? })
        })
    }

    pub(crate) fn ensure_sources(&self, sources: &[Source]) -> Result<(), StoreError> {
        self.write(false, |s| insert_sources(s, sources))
    }

    pub(crate) fn rate_source(&self, name: &str, reliability: Reliability) -> Result<(), StoreError> {
        let source = Source::new(name, SourceKind::File, None);
        self.write(false, |s| {
            s.execute(
                "INSERT INTO sources (id, name, kind, url, reliability) VALUES (?1, ?2, ?3, NULL, ?4) \
                 ON CONFLICT (id) DO UPDATE SET reliability = excluded.reliability",
                &[&source.id.to_string(), &source.name, &source.kind.as_str(), &reliability.as_str()],
            )?;
            Ok(())
        })
    }

    pub(crate) fn sources(&self) -> Result<Vec<SourceSummary>, StoreError> {
        self.read(|s| {
            let rows = s.query(
                "SELECT s.id, s.name, s.kind, s.url, s.reliability, \
                        (SELECT count(*) FROM documents d WHERE d.source_id = s.id) \
                 FROM sources s ORDER BY s.name",
                &[],
            )?;
            rows.iter()
                .map(|r| {
                    let id = r.text(0)?;
                    Ok(SourceSummary {
                        source: Source {
                            id: parse(id, "source", id)?,
                            kind: parse(r.text(2)?, "source", id)?,
                            reliability: parse(r.text(4)?, "source", id)?,
                            name: r.string(1)?,
                            url: r.opt_string(3)?,
                        },
                        documents: r.int(5)?.max(0) as u64,
                    })
                })
                .collect()
        })
    }

    pub(crate) fn insert_documents(&self, documents: &[NewDocument]) -> Result<Vec<Inserted>, StoreError> {
        self.write(true, |s| insert_documents(s, documents))
    }

    pub(crate) fn import(&self, import: &Import) -> Result<Vec<Inserted>, StoreError> {
        self.write(true, |s| {
            insert_sources(s, &import.sources)?;
            insert_documents(s, &import.documents)
        })
    }

    pub(crate) fn replace_facts(&self, facts: &[(DocumentId, Facts)]) -> Result<(), StoreError> {
        self.write(true, |s| {
            let facts: Vec<(DocumentId, &Facts)> = facts.iter().map(|(d, f)| (*d, f)).collect();
            write_facts(s, &facts, true)
        })
    }

    pub(crate) fn extraction_inputs(&self, after_seq: i64, limit: u32) -> Result<Vec<ExtractionInput>, StoreError> {
        self.read(|s| {
            let rows = s.query(
                "SELECT seq, id, text, published_at, published_precision, owner_org, tlp, distribution, sharing_group, \
                        extracted_with \
                 FROM documents WHERE seq > ?1 ORDER BY seq LIMIT ?2",
                &[&after_seq, &i64::from(limit)],
            )?;
            rows.iter().map(extraction_input).collect()
        })
    }

    pub(crate) fn events(&self, filter: &EventFilter, page: &Page) -> Result<Listing<Event>, StoreError> {
        self.event_page(filter, page, event_from_row)
    }

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

    fn event_page<T>(
        &self,
        filter: &EventFilter,
        page: &Page,
        mut read: impl FnMut(&Row) -> Result<T, StoreError>,
    ) -> Result<Listing<T>, StoreError> {
        let (mut clauses, mut values) = event_filter_sql(filter);
        if let Some(cursor) = &page.after {
            after_cursor(cursor, "(coalesce(e.when_at, ''), e.seq)", &mut clauses, &mut values)?;
        }
        let limit = page.limit.max(1);
        let sql = format!(
            "SELECT {EVENT_COLUMNS}, coalesce(e.when_at, ''), e.seq FROM events e {} \
             ORDER BY coalesce(e.when_at, '') DESC, e.seq DESC LIMIT {}",
            where_sql(&clauses),
            i64::from(limit) + 1
        );
        self.read(|s| {
            let rows = s.query_values(&sql, &values)?;
            let mut items = Vec::with_capacity(limit as usize);
            let mut next = None;
            for (index, row) in rows.iter().enumerate() {
                if items.len() == limit as usize {
                    let last = &rows[index - 1];
                    next =
                        Some(format!("{}~{}", row_str(last, EVENT_COLUMN_COUNT)?, last.int(EVENT_COLUMN_COUNT + 1)?));
                    break;
                }
                items.push(read(row)?);
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
        let (added, join) = if added_after.is_some() || with_added {
            ("d.ingested_at", "JOIN documents d ON d.id = e.document_id")
        } else {
            ("NULL::text", "")
        };
        let sql = format!(
            "SELECT {EVENT_COLUMNS}, e.seq, {added} FROM events e {join} {} ORDER BY e.seq LIMIT {}",
            where_sql(&clauses),
            limit.max(1)
        );
        self.read(|s| {
            let rows = s.query_values(&sql, &values)?;
            rows.iter()
                .map(|row| {
                    let added =
                        row.opt_text(EVENT_COLUMN_COUNT + 1)?.map(|t| parse_timestamp(t, "event")).transpose()?;
                    Ok(AddedEvent { event: event_from_row(row)?, seq: row.int(EVENT_COLUMN_COUNT)?, added })
                })
                .collect()
        })
    }

    pub(crate) fn belt_generation(&self) -> Result<String, StoreError> {
        self.read(|s| {
            let row = s.query_one(
                "SELECT (SELECT coalesce(max(seq), 0) FROM events) || ' ' || (SELECT count(*) FROM events) || ' ' || \
                        (SELECT coalesce(max(seq), 0) FROM event_links) || ' ' || \
                        (SELECT count(*) FROM event_links WHERE unlinked_at IS NOT NULL) || ' ' || \
                        (SELECT coalesce(string_agg(id || reliability, ',' ORDER BY id), '') FROM sources)",
                &[],
            )?;
            row.string(0)
        })
    }

    pub(crate) fn count_events(&self, filter: &EventFilter) -> Result<u64, StoreError> {
        let (clauses, values) = event_filter_sql(filter);
        let sql = format!("SELECT count(*) FROM events e {}", where_sql(&clauses));
        self.read(|s| Ok(s.query_values(&sql, &values)?.first().map(|r| r.int(0)).transpose()?.unwrap_or(0) as u64))
    }

    pub(crate) fn claims(&self, document: DocumentId) -> Result<Vec<Claim>, StoreError> {
        self.read(|s| {
            let rows = s.query(
                "SELECT id, speaker, speaker_name, stance, start, \"end\", about_event FROM claims \
                 WHERE document_id = ?1 ORDER BY start, \"end\"",
                &[&document.to_string()],
            )?;
            rows.iter()
                .map(|r| {
                    let id = r.text(0)?;
                    Ok(Claim {
                        id: parse(id, "claim", id)?,
                        document,
                        speaker: r.opt_text(1)?.map(|s| parse(s, "claim", id)).transpose()?,
                        speaker_name: r.opt_string(2)?,
                        stance: parse(r.text(3)?, "claim", id)?,
                        span: span(r, 4, id)?,
                        about: r.opt_text(6)?.map(|s| parse(s, "claim", id)).transpose()?,
                    })
                })
                .collect()
        })
    }

    pub(crate) fn mentions(&self, document: DocumentId) -> Result<Vec<Mention>, StoreError> {
        let record = document.to_string();
        self.read(|s| {
            let rows = s.query(
                "SELECT start, \"end\", kind, resolved FROM mentions WHERE document_id = ?1 ORDER BY start, \"end\"",
                &[&record],
            )?;
            rows.iter()
                .map(|r| {
                    Ok(Mention {
                        document,
                        span: span(r, 0, &record)?,
                        kind: parse(r.text(2)?, "mention of document", &record)?,
                        resolved: r.opt_string(3)?,
                    })
                })
                .collect()
        })
    }

    pub(crate) fn document(&self, id_or_prefix: &str) -> Result<Option<Document>, StoreError> {
        let needle = id_or_prefix.trim().to_ascii_lowercase();
        if needle.len() < 4 || !needle.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
            return Err(StoreError::IdTooShort(id_or_prefix.to_owned()));
        }
        self.read(|s| {
            let found = s.query("SELECT id FROM documents WHERE id >= ?1 AND id < ?1 || 'g' LIMIT 2", &[&needle])?;
            let id = match found.as_slice() {
                [] => return Ok(None),
                [one] => one.string(0)?,
                _ => {
                    let count = s
                        .query_one("SELECT count(*) FROM documents WHERE id >= ?1 AND id < ?1 || 'g'", &[&needle])?
                        .int(0)?;
                    return Err(StoreError::AmbiguousId { prefix: id_or_prefix.to_owned(), count: count as u64 });
                }
            };
            let row = s.query_opt(
                "SELECT id, content_hash, source_id, source_name, url, title, published_at, published_precision, \
                        ingested_at, language, language_confidence, format, origin, owner_org, tlp, distribution, \
                        sharing_group, text, raw \
                 FROM documents WHERE id = ?1",
                &[&id],
            )?;
            row.map(|r| document_from_row(&r)).transpose()
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
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM documents d {} ORDER BY d.sort_time DESC, d.seq DESC LIMIT {}",
            where_sql(&clauses),
            i64::from(limit) + 1
        );
        self.read(|s| {
            let rows = s.query_values(&sql, &values)?;
            let mut items: Vec<(DocumentSummary, String)> = Vec::new();
            let mut next = None;
            for row in &rows {
                if items.len() == limit as usize {
                    next = items.last().map(|(_, cursor)| cursor.clone());
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
        self.read(|s| Ok(s.query_values(&sql, &values)?.first().map(|r| r.int(0)).transpose()?.unwrap_or(0) as u64))
    }

    pub(crate) fn search(
        &self,
        query: &SearchQuery,
        filter: &DocumentFilter,
        limit: u32,
    ) -> Result<Vec<SearchHit>, StoreError> {
        let (mut clauses, mut values) = filter_sql(filter);
        let expression = tsquery_expression(query);
        // The query in every configuration a document may be indexed in: each document
        // matches in its own.
        let tsquery = "(to_tsquery('english', ?) || to_tsquery('russian', ?) || to_tsquery('simple', ?))";
        clauses.insert(0, format!("d.search @@ {tsquery}"));
        for _ in 0..3 {
            values.insert(0, Param::Text(expression.clone()));
        }
        let mut all = Vec::with_capacity(values.len() + 4);
        // The rank and the snippet's query come first in the statement.
        for _ in 0..6 {
            all.push(Param::Text(expression.clone()));
        }
        all.extend(values);
        all.push(Param::Int(i64::from(limit.max(1))));
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS}, \
                    ts_headline(CASE d.language WHEN 'ru' THEN 'russian'::regconfig WHEN 'en' THEN 'english'::regconfig \
                                ELSE 'simple'::regconfig END, d.text, {tsquery}, \
                                'StartSel=[, StopSel=], MaxWords=16, MinWords=6, MaxFragments=1, FragmentDelimiter=…'), \
                    -ts_rank(d.search, {tsquery}, 1)::float8 AS rank \
             FROM documents d {} ORDER BY rank, d.seq LIMIT ?",
            where_sql(&clauses)
        );
        self.read(|s| {
            let rows = s.query_values(&sql, &all)?;
            rows.iter()
                .map(|row| {
                    let (document, _) = summary_from_row(row)?;
                    Ok(SearchHit { document, snippet: row.string(13)?, rank: row.real(14)? })
                })
                .collect()
        })
    }

    pub(crate) fn document_sources(&self) -> Result<Vec<DocumentSource>, StoreError> {
        self.read(|s| {
            let rows = s.query(
                "SELECT d.id, coalesce(s.name, d.source_name, d.origin), coalesce(s.reliability, 'F'), d.language \
                 FROM documents d LEFT JOIN sources s ON s.id = d.source_id ORDER BY d.seq",
                &[],
            )?;
            rows.iter()
                .map(|r| {
                    let id = r.text(0)?;
                    Ok(DocumentSource {
                        document: parse(id, "document", id)?,
                        outlet: r.string(1)?,
                        reliability: parse(r.text(2)?, "document", id)?,
                        language: r.string(3)?,
                    })
                })
                .collect()
        })
    }

    pub(crate) fn links(&self) -> Result<Vec<EventLink>, StoreError> {
        self.read(|s| {
            let rows = s.query(
                "SELECT event_id, incident_id, relation, reason, linked_at, unlinked_at FROM event_links \
                 ORDER BY incident_id, linked_at, event_id",
                &[],
            )?;
            rows.iter()
                .map(|r| {
                    let record = format!("link {}/{}", r.text(1)?, r.text(0)?);
                    Ok(EventLink {
                        event: parse(r.text(0)?, "link", &record)?,
                        incident: parse(r.text(1)?, "link", &record)?,
                        relation: parse(r.text(2)?, "link", &record)?,
                        reason: r.string(3)?,
                        linked_at: parse_timestamp(r.text(4)?, &record)?,
                        unlinked_at: r.opt_text(5)?.map(|t| parse_timestamp(t, &record)).transpose()?,
                    })
                })
                .collect()
        })
    }

    pub(crate) fn add_links(&self, links: &[NewLink]) -> Result<usize, StoreError> {
        let now = timestamp(Utc::now());
        self.write(false, |s| {
            let mut added = 0;
            for link in links {
                added += s.execute(
                    "INSERT INTO event_links (event_id, incident_id, relation, reason, linked_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
                    &[&link.event.to_string(), &link.incident.to_string(), &link.relation.as_str(), &link.reason, &now],
                )? as usize;
            }
            Ok(added)
        })
    }

    pub(crate) fn unlink(&self, incident: EventId) -> Result<usize, StoreError> {
        self.write(false, |s| {
            Ok(s.execute(
                "UPDATE event_links SET unlinked_at = ?2 WHERE incident_id = ?1 AND unlinked_at IS NULL",
                &[&incident.to_string(), &timestamp(Utc::now())],
            )? as usize)
        })
    }

    pub(crate) fn unlink_events(&self, incident: EventId, events: &[EventId]) -> Result<usize, StoreError> {
        self.write(false, |s| {
            let now = timestamp(Utc::now());
            let mut undone = 0;
            for event in events {
                undone += s.execute(
                    "UPDATE event_links SET unlinked_at = ?3 \
                     WHERE incident_id = ?1 AND event_id = ?2 AND unlinked_at IS NULL",
                    &[&incident.to_string(), &event.to_string(), &now],
                )? as usize;
            }
            Ok(undone)
        })
    }

    pub(crate) fn set_assessment(&self, rows: &[(EventId, Option<SectorId>, Credibility)]) -> Result<(), StoreError> {
        self.write(false, |s| {
            for (event, sector, credibility) in rows {
                s.execute(
                    "UPDATE events SET sector = ?2, credibility = ?3 WHERE id = ?1",
                    &[&event.to_string(), &sector.as_ref().map(|s| s.to_string()), &credibility.as_str()],
                )?;
            }
            Ok(())
        })
    }

    pub(crate) fn put_taxii_status(
        &self,
        id: &str,
        organisation: OrganisationId,
        body: &str,
        prune_before: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.write(false, |s| {
            s.execute(jobs_sql::PRUNE_STATUSES, &[&timestamp(prune_before)])?;
            s.execute(jobs_sql::PUT_STATUS, &[&id, &organisation.to_string(), &body, &timestamp(Utc::now())])?;
            Ok(())
        })
    }

    pub(crate) fn taxii_status(&self, id: &str, organisation: OrganisationId) -> Result<Option<String>, StoreError> {
        self.read(|s| {
            s.query_opt(jobs_sql::GET_STATUS, &[&id, &organisation.to_string()])?.map(|r| r.string(0)).transpose()
        })
    }

    pub(crate) fn analyze(&self) -> Result<(), StoreError> {
        self.read(|s| {
            for table in ["documents", "events", "event_documents", "event_actors", "mentions", "claims", "jobs"] {
                s.execute(&format!("ANALYZE {table}"), &[])?;
            }
            Ok(())
        })
    }

    /// PostgreSQL checks its own pages; this checks what beltwatch relies on: that every
    /// event's document is stored, and that the schema is the one this build knows.
    pub(crate) fn integrity_check(&self) -> Result<Vec<String>, StoreError> {
        self.read(|s| {
            let orphans = s
                .query_one("SELECT count(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.id = e.document_id)", &[])?
                .int(0)?;
            if orphans == 0 {
                Ok(vec!["ok".to_owned()])
            } else {
                Ok(vec![format!("{orphans} events without their document")])
            }
        })
    }

    pub(crate) fn schema_version(&self) -> Result<u32, StoreError> {
        self.read(|s| Ok(s.query_one("SELECT coalesce(max(version), 0) FROM beltwatch_schema", &[])?.int(0)? as u32))
    }
}

fn span(r: &Row, column: usize, record: &str) -> Result<Span, StoreError> {
    let offset = |c: usize| {
        u32::try_from(r.int(c)?)
            .map_err(|e| StoreError::Corrupt { record: record.to_owned(), reason: format!("span: {e}") })
    };
    Ok(Span { start: offset(column)?, end: offset(column + 1)? })
}

fn extraction_input(r: &Row) -> Result<ExtractionInput, StoreError> {
    let id = r.text(1)?;
    let group: Option<SharingGroupId> = r.opt_text(8)?.map(|g| parse(g, "document", id)).transpose()?;
    let distribution = Distribution::from_parts(r.text(7)?, group)
        .map_err(|e| StoreError::Corrupt { record: format!("document {id}"), reason: e.to_string() })?;
    Ok(ExtractionInput {
        seq: r.int(0)?,
        id: parse(id, "document", id)?,
        text: r.string(2)?,
        published: when(r.opt_text(3)?, r.opt_text(4)?, id)?,
        marking: Marking {
            owner: parse(r.text(5)?, "document", id)?,
            tlp: parse(r.text(6)?, "document", id)?,
            distribution,
        },
        extracted_with: r.opt_string(9)?,
    })
}

fn insert_sources<C: GenericClient>(s: &mut Session<'_, C>, sources: &[Source]) -> Result<(), StoreError> {
    for source in sources {
        s.execute(
            "INSERT INTO sources (id, name, kind, url, reliability) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (id) DO NOTHING",
            &[&source.id.to_string(), &source.name, &source.kind.as_str(), &source.url, &source.reliability.as_str()],
        )?;
    }
    Ok(())
}

/// The query in `to_tsquery`'s syntax. Every word is quoted as a lexeme, so nothing a
/// user types is read as an operator.
fn tsquery_expression(query: &SearchQuery) -> String {
    let term = |t: &Term| {
        let Term::Match { words, prefix } = t;
        let last = words.len().saturating_sub(1);
        let lexemes: Vec<String> = words
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let quoted = format!("'{}'", w.replace('\\', "\\\\").replace('\'', "''"));
                if *prefix && i == last { format!("{quoted}:*") } else { quoted }
            })
            .collect();
        format!("({})", lexemes.join(" <-> "))
    };
    let clauses: Vec<String> = query
        .clauses
        .iter()
        .map(|alternatives| format!("({})", alternatives.iter().map(term).collect::<Vec<_>>().join(" | ")))
        .collect();
    let mut expression = clauses.join(" & ");
    for excluded in &query.excluded {
        expression.push_str(" & !");
        expression.push_str(&term(excluded));
    }
    expression
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_outside_quotes() {
        assert_eq!(numbered("a = ? AND b IN (?, ?) AND c = '?'"), "a = $1 AND b IN ($2, $3) AND c = '?'");
        assert_eq!(numbered("x = ?2 AND y = ?1 || 'g'"), "x = $2 AND y = $1 || 'g'");
    }

    #[test]
    fn locations_keep_their_own_parameters_and_hide_passwords() {
        let (url, tuning) = split_location(
            "postgres://u:secret@h/db?schema=t1&pool_max=4&sslmode=disable&pool_wait=3&statement_timeout=20",
        );
        assert_eq!(url, "postgres://u:secret@h/db?sslmode=disable");
        let expected =
            Tuning { schema: Some("t1".into()), pool_max: Some(4), pool_wait: Some(3), statement_timeout: Some(20) };
        assert_eq!(tuning, expected);
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://h/db"), "postgres://h/db");
    }
}
