//! The runtime: gets inputs (files, folders, URLs), runs the decoders on them and writes
//! what they produce to the store, reporting every outcome as it is settled.
//!
//! Ingestion is two stages joined by a bounded channel: a reader thread walks the
//! inputs, reads and decodes them, prepares documents and extracts their facts; the
//! calling thread batches them into transactions. A document is reported stored only after its batch has
//! committed, so nothing reported is lost if the process dies; a rerun stores what was
//! missing and reports the rest as duplicates.

pub mod belt;
pub mod exchange;
mod facts;
mod fetch;
mod ingest;
mod inputs;
mod reextract;
pub mod sync;
pub mod work;

pub use facts::{facts_for, facts_for_document};
pub use ingest::{IngestError, IngestOptions, Observer, Outcome, Summary, ingest, now};
pub use inputs::{Target, read_at_most};
pub use reextract::reextract;
