//! The store: the only crate that holds SQL. One concrete [`Store`] type over a closed set
//! of backends — SQLite in one file for the embedded default, PostgreSQL for the shared
//! server — each with its own migrations, all held to one conformance suite
//! (`tests/conformance.rs`).
//!
//! Writes are transactional: a batch of documents is committed whole or not at all, and
//! once [`Store::insert_documents`] returns, the batch survives a crash of the process.

mod error;
mod jobs;
mod pg;
mod query;
mod rows;
mod sqlite;

use std::path::Path;

use chrono::{DateTime, Utc};
use model::{
    ActorId, Alert, AlertCondition, AlertId, AlertRule, AlertRuleId, AlertStatus, Category, Claim, CountryCode,
    Credibility, Document, DocumentFormat, DocumentId, Event, EventId, EventType, Language, LinkRelation, Marking,
    Mention, Organisation, OrganisationId, Reliability, Role, SectorId, SharingGroup, SharingGroupId, Source, TokenId,
    User, UserId, Viewer, When,
};
use serde::Serialize;

pub use error::StoreError;
pub use jobs::{Job, JobKind, JobRecord, MAX_ATTEMPTS};
pub use query::{SearchQuery, Term};
pub use rows::{CURSOR_PATTERN, cursor_is_valid, parse_cursor};

/// Documents to consider: every field narrows the set.
#[derive(Debug, Clone, Default)]
pub struct DocumentFilter {
    /// Published (or, without a publication time, ingested) at or after this instant.
    pub since: Option<DateTime<Utc>>,
    /// Published (or ingested) before this instant.
    pub until: Option<DateTime<Utc>>,
    pub language: Option<Language>,
    /// A source's name, compared without regard to case.
    pub source: Option<String>,
    /// Only what this viewer may see (`model::may_see`); `None` for the local command line.
    pub visible_to: Option<Viewer>,
}

/// One page of a listing, newest first.
#[derive(Debug, Clone)]
pub struct Page {
    pub limit: u32,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
}

impl Default for Page {
    fn default() -> Self {
        Self { limit: 50, after: None }
    }
}

/// A document without its texts, for listings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentSummary {
    pub id: DocumentId,
    pub title: Option<String>,
    pub source_name: Option<String>,
    pub url: Option<String>,
    pub published: Option<When>,
    pub ingested_at: DateTime<Utc>,
    pub language: Language,
    pub format: DocumentFormat,
    pub origin: String,
    /// Length of the normalised text, in bytes.
    pub text_bytes: u64,
}

/// A page of results and the cursor of the next one, if there is one.
#[derive(Debug, Clone, Serialize)]
pub struct Listing<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

/// A search result: the document, a snippet of its text with the matched terms between
/// `[` and `]`, and its rank (smaller is better).
#[derive(Debug, Clone, Serialize)]
pub struct SearchHit {
    pub document: DocumentSummary,
    pub snippet: String,
    pub rank: f64,
}

/// What extraction found in one document; stored with it, replaced whole.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    pub events: Vec<Event>,
    pub mentions: Vec<Mention>,
    pub claims: Vec<Claim>,
    /// Which dictionaries produced these facts (a fingerprint), so that re-extraction
    /// can tell stale documents from current ones.
    pub extracted_with: String,
}

/// A document to store, with what extraction found in it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDocument {
    pub document: Document,
    pub facts: Option<Facts>,
}

/// Records from another instance or tool: the sources they name, and documents with
/// their facts. [`Store::import`] writes them all or none. It holds no organisations,
/// sharing groups or memberships: who exists and who belongs to what is decided by this
/// instance's admins alone, never by input.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Import {
    pub sources: Vec<Source>,
    pub documents: Vec<NewDocument>,
}

/// An event with its place in the order events were added to this store, and when its
/// document was stored: what a feed of new events (TAXII) pages by.
#[derive(Debug, Clone, PartialEq)]
pub struct AddedEvent {
    pub event: Event,
    pub seq: i64,
    /// When the event's document was stored; read only when asked for.
    pub added: Option<DateTime<Utc>>,
}

/// A TAXII 2.1 collection this instance pulls from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Peer {
    pub id: String,
    pub name: String,
    /// The collection's URL, ending in `/collections/<id>/`.
    pub collection_url: String,
    /// The Authorization header sent to the peer; never shown.
    #[serde(skip_serializing)]
    pub authorization: Option<String>,
    /// How often `serve` pulls, when it does.
    pub every_seconds: Option<u64>,
    /// The time the last committed page's objects were added at the peer.
    pub added_after: Option<DateTime<Utc>>,
    pub last_run_at: Option<DateTime<Utc>>,
    pub last_objects: u64,
    pub last_error: Option<String>,
}

/// Events to consider: every field narrows the set.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// When the event happened (or, without a date, when it was reported): at or after.
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub category: Option<Category>,
    pub event_type: Option<EventType>,
    pub country: Option<CountryCode>,
    pub actor: Option<ActorId>,
    pub document: Option<DocumentId>,
    pub id: Option<EventId>,
    /// Only the events this organisation owns.
    pub owner: Option<OrganisationId>,
    /// Only what this viewer may see (`model::may_see`); `None` for the local command line.
    pub visible_to: Option<Viewer>,
}

/// A stored document's text and what extraction needs with it.
#[derive(Debug, Clone)]
pub struct ExtractionInput {
    /// Position in the store, for paging through every document.
    pub seq: i64,
    pub id: DocumentId,
    pub text: String,
    pub published: Option<When>,
    pub marking: Marking,
    pub extracted_with: Option<String>,
}

/// What became of one document offered to [`Store::insert_documents`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Inserted {
    /// Stored now.
    New { id: DocumentId },
    /// A document with the same content hash was already stored (or earlier in the
    /// same batch).
    Duplicate { id: DocumentId },
}

/// Where a document came from, as corroboration weighs it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentSource {
    pub document: DocumentId,
    /// The source's name, or the outlet the document names.
    pub outlet: String,
    pub reliability: Reliability,
    pub language: String,
}

/// An event's link to an incident, named by the incident's first event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventLink {
    pub event: EventId,
    pub incident: EventId,
    pub relation: LinkRelation,
    pub reason: String,
    pub linked_at: DateTime<Utc>,
    /// When an analyst undid the link; an undone link is never made again automatically.
    pub unlinked_at: Option<DateTime<Utc>>,
}

/// A link to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewLink {
    pub event: EventId,
    pub incident: EventId,
    pub relation: LinkRelation,
    pub reason: String,
}

/// An API token as stored: never its secret.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TokenRecord {
    pub id: TokenId,
    pub user: UserId,
    pub label: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// One line of the audit trail.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub user: Option<UserId>,
    pub organisation: Option<OrganisationId>,
    /// What was done: `read`, `list`, `search`, `export`, `create`, `revoke`, ...
    pub action: String,
    /// What it was done to: a path or a record id.
    pub target: Option<String>,
    /// The rest, as JSON: filters, counts.
    pub detail: serde_json::Value,
}

/// An audit line to append.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAudit {
    pub user: Option<UserId>,
    pub organisation: Option<OrganisationId>,
    pub action: String,
    pub target: Option<String>,
    pub detail: serde_json::Value,
}

/// An alert to raise: the rule, what makes it unique, and what it is about.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAlert {
    pub rule: AlertRuleId,
    pub dedup_key: String,
    pub title: String,
    pub events: Vec<EventId>,
    pub sector: Option<SectorId>,
}

/// A webhook delivery waiting in the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// Stable across retries: receivers deduplicate on it.
    pub delivery_id: String,
    pub alert: String,
    pub url: String,
    pub secret: String,
    pub payload: String,
    pub attempts: u32,
    /// The claim this delivery was taken under: what fences its outcome.
    pub token: String,
}

/// A source with how many documents came from it.
#[derive(Debug, Clone, Serialize)]
pub struct SourceSummary {
    #[serde(flatten)]
    pub source: Source,
    pub documents: u64,
}

/// The store: one type whatever the backend.
pub struct Store {
    backend: Backend,
}

enum Backend {
    Sqlite(sqlite::SqliteStore),
    // Boxed: a store is made once per process and moved rarely.
    Postgres(Box<pg::PgStore>),
}

/// Runs the same call on whichever backend the store has.
macro_rules! on_backend {
    ($self:ident, $s:ident => $call:expr) => {
        match &$self.backend {
            Backend::Sqlite($s) => $call,
            Backend::Postgres($s) => $call,
        }
    };
}

impl Store {
    /// Opens (creating if need be) the SQLite store at `path`, applying any pending
    /// migrations.
    pub fn open_sqlite(path: &Path) -> Result<Self, StoreError> {
        Ok(Self { backend: Backend::Sqlite(sqlite::SqliteStore::open(path)?) })
    }

    /// Opens the store a database location names: a `postgres://` URL (the shared
    /// server; `schema=NAME` and `pool_max=N` are read by beltwatch, the rest by the
    /// PostgreSQL client), `sqlite:PATH`, or a plain path to a SQLite file.
    pub fn open(location: &str) -> Result<Self, StoreError> {
        if Self::is_postgres(location) {
            return Ok(Self { backend: Backend::Postgres(Box::new(pg::PgStore::open(location)?)) });
        }
        let path = location.strip_prefix("sqlite://").or_else(|| location.strip_prefix("sqlite:")).unwrap_or(location);
        Self::open_sqlite(Path::new(path))
    }

    /// Whether a database location names a PostgreSQL server.
    pub fn is_postgres(location: &str) -> bool {
        location.starts_with("postgres://") || location.starts_with("postgresql://")
    }

    /// A location fit to show: without its password.
    pub fn redacted(location: &str) -> String {
        pg::redact(location)
    }

    /// Which backend this store is: `sqlite` or `postgres`.
    pub fn backend_name(&self) -> &'static str {
        match &self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// Whether `path` is a file that some program other than beltwatch wrote.
    pub fn is_foreign_file(path: &Path) -> bool {
        sqlite::is_foreign_file(path)
    }

    /// The organisation this instance belongs to; new records are owned by it.
    pub fn local_organisation(&self) -> Result<Organisation, StoreError> {
        on_backend!(self, s => s.local_organisation())
    }

    /// Stores sources that are not stored yet; a known source keeps its rating.
    pub fn ensure_sources(&self, sources: &[Source]) -> Result<(), StoreError> {
        on_backend!(self, s => s.ensure_sources(sources))
    }

    /// Rates the source named `name` (creating it as a file source if it is new).
    pub fn rate_source(&self, name: &str, reliability: Reliability) -> Result<(), StoreError> {
        on_backend!(self, s => s.rate_source(name, reliability))
    }

    pub fn sources(&self) -> Result<Vec<SourceSummary>, StoreError> {
        on_backend!(self, s => s.sources())
    }

    /// Stores `documents` and their facts in one transaction, skipping those whose
    /// content hash is already stored; their sources must have been stored with
    /// [`Store::ensure_sources`]. Returns one outcome per document, in order.
    pub fn insert_documents(&self, documents: &[NewDocument]) -> Result<Vec<Inserted>, StoreError> {
        on_backend!(self, s => s.insert_documents(documents))
    }

    /// Writes imported records in one transaction: all of them or, on an error, none.
    /// Documents already stored (by content) are duplicates and keep their facts, so
    /// importing the same records again changes nothing.
    pub fn import(&self, import: &Import) -> Result<Vec<Inserted>, StoreError> {
        on_backend!(self, s => s.import(import))
    }

    /// Replaces the facts of each document in one transaction.
    pub fn replace_facts(&self, facts: &[(DocumentId, Facts)]) -> Result<(), StoreError> {
        on_backend!(self, s => s.replace_facts(facts))
    }

    /// Up to `limit` documents after position `after_seq`, in store order, with what
    /// extraction needs.
    pub fn extraction_inputs(&self, after_seq: i64, limit: u32) -> Result<Vec<ExtractionInput>, StoreError> {
        on_backend!(self, s => s.extraction_inputs(after_seq, limit))
    }

    /// Events matching `filter`, latest first.
    pub fn events(&self, filter: &EventFilter, page: &Page) -> Result<Listing<Event>, StoreError> {
        on_backend!(self, s => s.events(filter, page))
    }

    /// Appends the same page as [`Store::events`] to `out`, as a JSON array of the events'
    /// JSON forms, written without parsing each event's stored detail: for pages served as
    /// they are. Returns the page's cursor, with one `()` per event written. On an error
    /// `out` holds part of a page and is to be thrown away.
    pub fn write_events_json(
        &self,
        filter: &EventFilter,
        page: &Page,
        out: &mut Vec<u8>,
    ) -> Result<Listing<()>, StoreError> {
        on_backend!(self, s => s.write_events_json(filter, page, out))
    }

    /// Adds a peer to pull from; names are unique.
    pub fn add_peer(
        &self,
        name: &str,
        collection_url: &str,
        authorization: Option<&str>,
        every_seconds: Option<u64>,
    ) -> Result<Peer, StoreError> {
        on_backend!(self, s => s.add_peer(name, collection_url, authorization, every_seconds))
    }

    pub fn peers(&self) -> Result<Vec<Peer>, StoreError> {
        on_backend!(self, s => s.peers())
    }

    /// Moves a peer's cursor once a page's records are committed.
    pub fn peer_progress(&self, id: &str, added_after: Option<DateTime<Utc>>) -> Result<(), StoreError> {
        on_backend!(self, s => s.peer_progress(id, added_after))
    }

    /// Records how a pull from a peer ended.
    pub fn peer_ran(&self, id: &str, objects: u64, error: Option<&str>) -> Result<(), StoreError> {
        on_backend!(self, s => s.peer_ran(id, objects, error))
    }

    /// Events matching `filter` in the order they were added, after position `after_seq`,
    /// and whose document was stored after `added_after` when given; each with the time
    /// its document was stored.
    pub fn events_added(
        &self,
        filter: &EventFilter,
        added_after: Option<DateTime<Utc>>,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<AddedEvent>, StoreError> {
        on_backend!(self, s => s.events_added(filter, added_after, true, after_seq, limit))
    }

    /// Events matching `filter` in the order they were added, after position `after_seq`:
    /// the fastest way to read them all.
    pub fn events_in_order(
        &self,
        filter: &EventFilter,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<AddedEvent>, StoreError> {
        on_backend!(self, s => s.events_added(filter, None, false, after_seq, limit))
    }

    /// A value that changes whenever what the belt is computed from changes: events
    /// added, replaced or removed, merges made or undone, sources rated.
    pub fn belt_generation(&self) -> Result<String, StoreError> {
        on_backend!(self, s => s.belt_generation())
    }

    pub fn count_events(&self, filter: &EventFilter) -> Result<u64, StoreError> {
        on_backend!(self, s => s.count_events(filter))
    }

    /// The claims made in a document, in text order.
    pub fn claims(&self, document: DocumentId) -> Result<Vec<model::Claim>, StoreError> {
        on_backend!(self, s => s.claims(document))
    }

    /// The mentions found in a document, in text order.
    pub fn mentions(&self, document: DocumentId) -> Result<Vec<Mention>, StoreError> {
        on_backend!(self, s => s.mentions(document))
    }

    /// The document with this id, or with the only id that starts with `prefix` (at
    /// least 4 characters).
    pub fn document(&self, id_or_prefix: &str) -> Result<Option<Document>, StoreError> {
        on_backend!(self, s => s.document(id_or_prefix))
    }

    /// Documents matching `filter`, newest first.
    pub fn documents(&self, filter: &DocumentFilter, page: &Page) -> Result<Listing<DocumentSummary>, StoreError> {
        on_backend!(self, s => s.documents(filter, page))
    }

    pub fn count_documents(&self, filter: &DocumentFilter) -> Result<u64, StoreError> {
        on_backend!(self, s => s.count_documents(filter))
    }

    /// Full-text search over titles and texts, best matches first.
    pub fn search(
        &self,
        query: &SearchQuery,
        filter: &DocumentFilter,
        limit: u32,
    ) -> Result<Vec<SearchHit>, StoreError> {
        on_backend!(self, s => s.search(query, filter, limit))
    }

    /// Every document's outlet, reliability and language.
    pub fn document_sources(&self) -> Result<Vec<DocumentSource>, StoreError> {
        on_backend!(self, s => s.document_sources())
    }

    /// Every link, undone ones included.
    pub fn links(&self) -> Result<Vec<EventLink>, StoreError> {
        on_backend!(self, s => s.links())
    }

    /// Records links that are not recorded yet (an undone link stays undone); returns how
    /// many were new.
    pub fn add_links(&self, links: &[NewLink]) -> Result<usize, StoreError> {
        on_backend!(self, s => s.add_links(links))
    }

    /// Undoes every active link of `incident`; returns how many.
    pub fn unlink(&self, incident: EventId) -> Result<usize, StoreError> {
        on_backend!(self, s => s.unlink(incident))
    }

    /// Undoes the active links of `incident` to `events` alone; returns how many.
    pub fn unlink_events(&self, incident: EventId, events: &[EventId]) -> Result<usize, StoreError> {
        if events.is_empty() {
            return Ok(0);
        }
        on_backend!(self, s => s.unlink_events(incident, events))
    }

    /// Records each event's sector and credibility, as the belt assessed them.
    pub fn set_assessment(&self, rows: &[(EventId, Option<SectorId>, Credibility)]) -> Result<(), StoreError> {
        on_backend!(self, s => s.set_assessment(rows))
    }

    pub fn create_organisation(&self, name: &str) -> Result<Organisation, StoreError> {
        self.create_organisation_as(name, OrganisationId::from_uuid(uuid::Uuid::now_v7()))
    }

    /// Adds a partner organisation under the id it has elsewhere (a partner's instance
    /// publishes it), so that records it created can be imported with their owner. Only
    /// an admin of this instance adds organisations: imports never do.
    pub fn create_organisation_as(&self, name: &str, id: OrganisationId) -> Result<Organisation, StoreError> {
        on_backend!(self, s => s.create_organisation(name, id))
    }

    pub fn organisations(&self) -> Result<Vec<Organisation>, StoreError> {
        on_backend!(self, s => s.organisations())
    }

    pub fn create_sharing_group(&self, name: &str, members: &[OrganisationId]) -> Result<SharingGroup, StoreError> {
        self.create_sharing_group_as(name, SharingGroupId::from_uuid(uuid::Uuid::now_v7()), members)
    }

    /// Adds a sharing group under the id it has on a partner's instance, so that records
    /// shared with it there keep their distribution here. Its members are this instance's
    /// decision; imports never add any.
    pub fn create_sharing_group_as(
        &self,
        name: &str,
        id: SharingGroupId,
        members: &[OrganisationId],
    ) -> Result<SharingGroup, StoreError> {
        on_backend!(self, s => s.create_sharing_group(name, id, members))
    }

    pub fn sharing_groups(&self) -> Result<Vec<SharingGroup>, StoreError> {
        on_backend!(self, s => s.sharing_groups())
    }

    /// What `organisation` may see: itself and the sharing groups it belongs to.
    pub fn viewer(&self, organisation: OrganisationId) -> Result<Viewer, StoreError> {
        let groups =
            self.sharing_groups()?.into_iter().filter(|g| g.members.contains(&organisation)).map(|g| g.id).collect();
        Ok(Viewer { organisation, groups })
    }

    pub fn create_user(&self, organisation: OrganisationId, name: &str, role: Role) -> Result<User, StoreError> {
        on_backend!(self, s => s.create_user(organisation, name, role))
    }

    pub fn users(&self) -> Result<Vec<User>, StoreError> {
        on_backend!(self, s => s.users())
    }

    /// Stores a token by the SHA-256 of its secret (hex).
    pub fn add_token(
        &self,
        user: UserId,
        label: &str,
        secret_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<TokenRecord, StoreError> {
        on_backend!(self, s => s.add_token(user, label, secret_hash, expires_at))
    }

    /// The token with this secret hash and its user, whether or not it is still valid.
    pub fn token_by_hash(&self, secret_hash: &str) -> Result<Option<(TokenRecord, User)>, StoreError> {
        on_backend!(self, s => s.token_by_hash(secret_hash))
    }

    pub fn tokens(&self, user: Option<UserId>) -> Result<Vec<TokenRecord>, StoreError> {
        on_backend!(self, s => s.tokens(user))
    }

    /// Revokes a token; false when it was unknown or already revoked.
    pub fn revoke_token(&self, id: TokenId) -> Result<bool, StoreError> {
        on_backend!(self, s => s.revoke_token(id))
    }

    /// Appends to the audit trail (which refuses updates and deletions).
    pub fn audit(&self, entries: &[NewAudit]) -> Result<(), StoreError> {
        on_backend!(self, s => s.audit(entries))
    }

    /// The audit trail, newest first, optionally one user's, before position `before`.
    pub fn audit_entries(
        &self,
        user: Option<UserId>,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        on_backend!(self, s => s.audit_entries(user, before, limit))
    }

    pub fn create_alert_rule(
        &self,
        organisation: OrganisationId,
        name: &str,
        condition: &AlertCondition,
        webhook: Option<(&str, &str)>,
    ) -> Result<AlertRule, StoreError> {
        on_backend!(self, s => s.create_alert_rule(organisation, name, condition, webhook))
    }

    /// Rules, of one organisation or all.
    pub fn alert_rules(&self, organisation: Option<OrganisationId>) -> Result<Vec<AlertRule>, StoreError> {
        on_backend!(self, s => s.alert_rules(organisation))
    }

    pub fn disable_alert_rule(&self, id: AlertRuleId, organisation: OrganisationId) -> Result<bool, StoreError> {
        on_backend!(self, s => s.disable_alert_rule(id, organisation))
    }

    /// Raises alerts (those already raised for the same rule and key are skipped) and
    /// queues their webhook deliveries in the same transaction; returns the new ones.
    pub fn raise_alerts(&self, alerts: &[NewAlert]) -> Result<Vec<Alert>, StoreError> {
        on_backend!(self, s => s.raise_alerts(alerts))
    }

    /// An organisation's alerts, newest first.
    pub fn alerts(
        &self,
        organisation: OrganisationId,
        status: Option<AlertStatus>,
        limit: u32,
    ) -> Result<Vec<Alert>, StoreError> {
        on_backend!(self, s => s.alerts(organisation, status, limit))
    }

    /// An organisation's alerts, newest first, a page at a time (`status` narrows them).
    pub fn alerts_page(
        &self,
        organisation: OrganisationId,
        status: Option<AlertStatus>,
        page: &Page,
    ) -> Result<Listing<Alert>, StoreError> {
        on_backend!(self, s => s.alerts_page(organisation, status, page))
    }

    /// One alert, by id, whichever organisation's.
    pub fn alert(&self, id: AlertId) -> Result<Option<Alert>, StoreError> {
        on_backend!(self, s => s.alert(id))
    }

    /// Alerts of every organisation raised after `after` (the `fired_at` and id of the last
    /// one seen), oldest first: how each node streams the alerts whichever node raised them.
    pub fn alerts_after(&self, after: (DateTime<Utc>, AlertId), limit: u32) -> Result<Vec<Alert>, StoreError> {
        on_backend!(self, s => s.alerts_after(after, limit))
    }

    /// Moves an alert along new → acknowledged → closed; `None` when it is not the
    /// organisation's or cannot move that way.
    pub fn set_alert_status(
        &self,
        id: AlertId,
        organisation: OrganisationId,
        status: AlertStatus,
        user: UserId,
    ) -> Result<Option<Alert>, StoreError> {
        on_backend!(self, s => s.set_alert_status(id, organisation, status, user))
    }

    /// Takes up to `limit` deliveries due at `now` for `holder`, each under a token and a
    /// lease until `lease_until`: no other node takes them while the lease runs, and only
    /// the token's holder records how they went.
    pub fn claim_deliveries(
        &self,
        holder: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError> {
        let token = uuid::Uuid::now_v7().to_string();
        on_backend!(self, s => s.claim_deliveries(holder, &token, now, lease_until, limit))
    }

    /// Extends a delivery's lease while it is being sent; `false` when the token no longer
    /// holds it (the lease ran out and another node took it, or it was released).
    pub fn renew_delivery(&self, delivery: &Delivery, lease_until: DateTime<Utc>) -> Result<bool, StoreError> {
        on_backend!(self, s => s.renew_delivery(&delivery.delivery_id, &delivery.token, lease_until))
    }

    /// Records a delivery the receiver accepted; `false` (and nothing recorded) when the
    /// token no longer holds it.
    pub fn delivery_done(&self, delivery: &Delivery) -> Result<bool, StoreError> {
        on_backend!(self, s => s.delivery_done(&delivery.delivery_id, &delivery.token))
    }

    /// Records a failed attempt and when to try again; `false` (and nothing recorded)
    /// when the token no longer holds it.
    pub fn delivery_failed(
        &self,
        delivery: &Delivery,
        error: &str,
        next_attempt: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        on_backend!(self, s => s.delivery_failed(&delivery.delivery_id, &delivery.token, error, next_attempt))
    }

    /// Hands back the deliveries `holder` took and has not finished (a node stopping):
    /// they are due again at once for any node. Returns how many.
    pub fn release_deliveries(&self, holder: &str) -> Result<usize, StoreError> {
        on_backend!(self, s => s.release_deliveries(holder))
    }

    /// The last event position alert evaluation has read.
    pub fn alert_watermark(&self) -> Result<i64, StoreError> {
        on_backend!(self, s => s.alert_watermark())
    }

    pub fn set_alert_watermark(&self, seq: i64) -> Result<(), StoreError> {
        on_backend!(self, s => s.set_alert_watermark(seq))
    }

    /// Events stored after position `seq`, with their positions.
    pub fn event_seqs_after(&self, seq: i64) -> Result<Vec<(i64, EventId)>, StoreError> {
        on_backend!(self, s => s.event_seqs_after(seq))
    }

    /// Keeps the status resource of a posted TAXII envelope for its organisation to read
    /// back from any node; those stored before `prune_before` go.
    pub fn put_taxii_status(
        &self,
        id: &str,
        organisation: OrganisationId,
        body: &str,
        prune_before: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_backend!(self, s => s.put_taxii_status(id, organisation, body, prune_before))
    }

    /// A status resource's JSON, when it is `organisation`'s.
    pub fn taxii_status(&self, id: &str, organisation: OrganisationId) -> Result<Option<String>, StoreError> {
        on_backend!(self, s => s.taxii_status(id, organisation))
    }

    /// Refreshes the statistics the database plans queries with, after a large load
    /// (PostgreSQL's `ANALYZE`, SQLite's `PRAGMA optimize`). PostgreSQL's autovacuum does
    /// the same in time when it is on.
    pub fn analyze(&self) -> Result<(), StoreError> {
        on_backend!(self, s => s.analyze())
    }

    /// Queues jobs of one kind, one per payload; returns their ids.
    pub fn enqueue(&self, kind: JobKind, payloads: &[String]) -> Result<Vec<i64>, StoreError> {
        on_backend!(self, s => s.enqueue(kind, payloads))
    }

    /// Stores documents as [`Store::insert_documents`] does and, in the same transaction,
    /// queues one extract job for those that are new (its id, if there are any).
    pub fn insert_documents_queued(
        &self,
        documents: &[NewDocument],
    ) -> Result<(Vec<Inserted>, Option<i64>), StoreError> {
        on_backend!(self, s => s.insert_documents_queued(documents))
    }

    /// Claims the oldest job that is queued, or whose lease ran out, for `node`, under a
    /// lease of `lease`; `None` when there is nothing to do.
    pub fn claim_job(&self, node: &str, lease: std::time::Duration) -> Result<Option<Job>, StoreError> {
        on_backend!(self, s => s.claim_job(node, lease))
    }

    /// Extends a claimed job's lease; `false` when it was lost to another node.
    pub fn renew_job(&self, job: &Job, lease: std::time::Duration) -> Result<bool, StoreError> {
        on_backend!(self, s => s.renew_job(job, lease))
    }

    /// Finishes a claimed job and, in the same transaction, replaces the facts of the
    /// documents it extracted. [`StoreError::LeaseLost`] (and nothing written) when the
    /// job was taken over.
    pub fn finish_job(&self, job: &Job, facts: &[(DocumentId, Facts)]) -> Result<(), StoreError> {
        on_backend!(self, s => s.finish_job(job, facts))
    }

    /// Puts a claimed job back in the queue, for a node that stops before doing it.
    pub fn release_job(&self, job: &Job) -> Result<(), StoreError> {
        on_backend!(self, s => s.release_job(job))
    }

    /// Records a failed attempt: the job is queued again, or given up after
    /// [`jobs::MAX_ATTEMPTS`] claims.
    pub fn fail_job(&self, job: &Job, error: &str) -> Result<(), StoreError> {
        on_backend!(self, s => s.fail_job(job, error))
    }

    /// Every job, oldest first.
    pub fn jobs(&self) -> Result<Vec<JobRecord>, StoreError> {
        on_backend!(self, s => s.jobs())
    }

    /// Takes or renews the lease `name` for `holder`; `false` while another holds it.
    pub fn take_lease(&self, name: &str, holder: &str, lease: std::time::Duration) -> Result<bool, StoreError> {
        on_backend!(self, s => s.take_lease(name, holder, lease))
    }

    /// Gives a lease up, if `holder` holds it.
    pub fn drop_lease(&self, name: &str, holder: &str) -> Result<(), StoreError> {
        on_backend!(self, s => s.drop_lease(name, holder))
    }

    /// The backend's own consistency check: `["ok"]` when all is well.
    pub fn integrity_check(&self) -> Result<Vec<String>, StoreError> {
        on_backend!(self, s => s.integrity_check())
    }

    /// The schema version the store is at.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        on_backend!(self, s => s.schema_version())
    }
}
