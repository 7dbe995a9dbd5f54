//! Exchange with the tools partner centres already run: beltwatch's records as STIX 2.1
//! objects (and back), as MISP events, and as ACLED-style CSV rows.
//!
//! This crate is pure: it turns [`Shared`] records into documents in those formats and
//! reads them back, and does no I/O. The store reads and writes the records; the server
//! serves the STIX objects over TAXII. Every reader reports a problem with the place it
//! was found (a JSON path, or a line and column) and the object it concerns.

pub mod acled;
pub mod misp;
pub mod stix;

use chrono::{DateTime, Utc};
use model::{Actor, Claim, Document, Event, Organisation, SharingGroup, Source, Tlp};

/// Records as they travel between beltwatch and other tools: events with the documents
/// that report them, and what they refer to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Shared {
    /// The organisations that own the records, and the members of their sharing groups.
    pub organisations: Vec<Organisation>,
    pub sharing_groups: Vec<SharingGroup>,
    pub sources: Vec<Source>,
    /// The documents the events are reported in.
    pub documents: Vec<Document>,
    pub events: Vec<Event>,
    pub claims: Vec<Claim>,
    /// The actors named by the events, from the dictionary (for export only: imported
    /// events name their actors by id).
    pub actors: Vec<Actor>,
}

/// What a reader assumes where the input leaves something out.
#[derive(Debug, Clone)]
pub struct ReadDefaults {
    /// The owner of records that name none: the importing organisation.
    pub owner: model::OrganisationId,
    /// The marking of records that carry none.
    pub tlp: Tlp,
    /// When the records are stored, for the documents' `ingested_at`.
    pub now: DateTime<Utc>,
}

/// A problem found in an input, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}{}: {message}", object.as_ref().map(|o| format!(" ({o})")).unwrap_or_default())]
pub struct Problem {
    /// A JSON path (`$.objects[3].extensions[...].category`) or `line L, column C`.
    pub location: String,
    /// The object concerned, by its id, when there is one.
    pub object: Option<String>,
    pub message: String,
}

impl Problem {
    pub fn new(location: impl Into<String>, object: Option<&str>, message: impl Into<String>) -> Self {
        Self { location: location.into(), object: object.map(str::to_owned), message: message.into() }
    }
}

/// What reading an input gave: the records, and what was left out and why.
#[derive(Debug, Clone, Default)]
pub struct Read {
    pub shared: Shared,
    /// Objects read without error that beltwatch has no use for (another tool's indicators,
    /// incidents without beltwatch's properties), by type.
    pub skipped: std::collections::BTreeMap<String, usize>,
}

/// The SHA-256 of a text, as documents' content hashes are computed.
pub fn content_hash(text: &str) -> model::ContentHash {
    use sha2::Digest;
    model::ContentHash::from_bytes(sha2::Sha256::digest(text.as_bytes()).into())
}

#[cfg(test)]
mod tests;
