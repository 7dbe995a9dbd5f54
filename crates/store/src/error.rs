//! What can go wrong in the store. Messages name the store and the record, never SQL.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the store at {path}: {source}")]
    Open { path: PathBuf, source: rusqlite::Error },
    #[error("{path} is not a beltwatch store (another program's database): refusing to touch it")]
    NotAStore { path: PathBuf },
    #[error("the store is at schema version {found}, newer than this beltwatch knows ({supported}): upgrade beltwatch")]
    TooNew { found: u32, supported: u32 },
    #[error("migration to schema version {version} failed: {source}")]
    Migration { version: u32, source: rusqlite::Error },
    #[error("the id prefix {prefix:?} matches {count} documents: give more characters")]
    AmbiguousId { prefix: String, count: u64 },
    #[error("an id or id prefix needs at least 4 hexadecimal characters, got {0:?}")]
    IdTooShort(String),
    #[error("invalid search: {0}")]
    InvalidQuery(String),
    #[error("invalid cursor {0:?}: pass the `next` value of the previous page")]
    InvalidCursor(String),
    #[error("{what} {name:?} already exists")]
    Exists { what: &'static str, name: String },
    #[error("no {what} {id}")]
    NotFound { what: &'static str, id: String },
    #[error("stored record {record} is unreadable: {reason}")]
    Corrupt { record: String, reason: String },
    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("job {job} was taken over by another node after its lease ran out; its result is not stored")]
    LeaseLost { job: i64 },
    #[error("cannot reach the PostgreSQL server at {location}: {reason}")]
    Connect { location: String, reason: String },
    #[error("PostgreSQL migration to schema version {version} failed: {source}")]
    PgMigration { version: u32, source: postgres::Error },
    #[error("database error: {}", pg_message(.0))]
    Postgres(#[from] postgres::Error),
}

/// A PostgreSQL error with the server's own message, where there is one.
fn pg_message(error: &postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => error.to_string(),
    }
}
