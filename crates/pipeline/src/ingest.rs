//! The ingestion run: read and decode on one thread, batch and commit on the caller's.

use std::collections::HashSet;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use extract::Extractor;
use formats::{Candidate, Decoded, Diagnostic, InputKind, Limits, Position, Problem, prepare};
use model::{Distribution, Document, DocumentId, Language, Marking, OrganisationId, Source, SourceId, SourceKind, Tlp};
use serde::Serialize;
use store::{Inserted, NewDocument, Store, StoreError};

use crate::fetch::Fetcher;
use crate::inputs::{Input, Line, Target, plan, read_at_most, read_line_at_most};

/// How a run stores what it reads.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    pub limits: Limits,
    /// Documents per transaction at most.
    pub batch_size: usize,
    /// A batch is committed at the latest this long after its first document arrived,
    /// so that a slow input still gets its documents acknowledged.
    pub batch_delay: Duration,
    /// The source of documents that name none.
    pub default_source: Option<String>,
    pub tlp: Tlp,
    pub distribution: Distribution,
    /// Extraction to run on every new document, with the fingerprint of its
    /// dictionaries; none stores documents alone.
    pub extractor: Option<(Arc<Extractor>, String)>,
    /// Without an extractor: queue an extract job with each committed batch's new
    /// documents, in the same transaction, for the nodes' workers to run.
    pub queue_extraction: bool,
}

impl Default for IngestOptions {
    fn default() -> Self {
        Self {
            limits: Limits::default(),
            batch_size: 500,
            batch_delay: Duration::from_millis(500),
            default_source: None,
            // Nothing leaves the organisation unless someone marks it so.
            tlp: Tlp::Amber,
            distribution: Distribution::Organisation,
            extractor: None,
            queue_extraction: false,
        }
    }
}

/// What became of one document, or of an input that yielded none.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Stored {
        id: DocumentId,
        origin: String,
        title: Option<String>,
        language: Language,
    },
    Duplicate {
        id: DocumentId,
        origin: String,
        title: Option<String>,
    },
    Rejected {
        origin: String,
        position: Option<String>,
        problem: String,
        /// The whole diagnostic as one line.
        message: String,
    },
}

impl Outcome {
    fn rejected(diagnostic: &Diagnostic) -> Self {
        Outcome::Rejected {
            origin: diagnostic.origin.clone(),
            position: diagnostic.position.as_ref().map(Position::to_string),
            problem: diagnostic.problem.to_string(),
            message: diagnostic.to_string(),
        }
    }
}

/// Hears about a run as it goes; the command line draws progress and prints outcomes.
pub trait Observer {
    /// The inputs to read are known.
    fn planned(&mut self, _inputs: usize) {}
    /// One input has been read and decoded.
    fn input_done(&mut self, _origin: &str, _bytes: u64) {}
    /// A document's fate is settled: for stored documents, only once committed.
    fn outcome(&mut self, outcome: &Outcome);
    /// An input was changed to be read (markup nested too deep, flattened), without
    /// rejecting anything.
    fn note(&mut self, _note: &Diagnostic) {}
}

/// The totals of a run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub inputs: usize,
    pub stored: u64,
    pub duplicates: u64,
    pub rejected: u64,
    /// Bytes read from inputs.
    pub bytes: u64,
    pub seconds: f64,
    /// Every rejection, as one line each.
    pub rejections: Vec<String>,
    /// What was changed to read inputs, as one line each.
    pub notes: Vec<String>,
}

/// A failure that stops the run: the store could not be written. Everything reported
/// as stored before it stays stored.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("writing to the store failed: {0}")]
    Store(#[from] StoreError),
}

/// Items sent from the reader thread to the writer.
enum Item {
    Planned(usize),
    Document(Box<NewDocument>, Option<Source>),
    Rejected(Diagnostic),
    Note(Diagnostic),
    InputDone { origin: String, bytes: u64 },
}

/// How far ahead of the writer the reader may get.
const CHANNEL_DEPTH: usize = 1024;

/// Ingests `targets` into `store`, telling `observer` everything as it happens.
pub fn ingest(
    store: &Store,
    targets: &[Target],
    options: &IngestOptions,
    observer: &mut dyn Observer,
) -> Result<Summary, IngestError> {
    let started = Instant::now();
    let owner = store.local_organisation()?.id;
    let (sender, receiver) = sync_channel(CHANNEL_DEPTH);
    let targets = targets.to_vec();
    let reader_options = options.clone();
    let mut summary = std::thread::scope(|scope| {
        scope.spawn(move || read_all(&targets, &reader_options, owner, &sender));
        write_all(store, options, receiver, observer)
    })?;
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

fn write_all(
    store: &Store,
    options: &IngestOptions,
    receiver: Receiver<Item>,
    observer: &mut dyn Observer,
) -> Result<Summary, IngestError> {
    let mut summary = Summary::default();
    let mut known_sources: HashSet<SourceId> = HashSet::new();
    let mut batch = Batch::default();
    loop {
        let wait = batch.started.map(|s| options.batch_delay.saturating_sub(s.elapsed()));
        let item = match wait {
            Some(wait) => match receiver.recv_timeout(wait) {
                Ok(item) => Some(item),
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    batch.commit(store, options, &mut summary, observer)?;
                    continue;
                }
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => None,
            },
            None => receiver.recv().ok(),
        };
        let Some(item) = item else { break };
        match item {
            Item::Planned(n) => {
                summary.inputs = n;
                observer.planned(n);
            }
            Item::Document(document, source) => {
                if let Some(source) = source.filter(|s| !known_sources.contains(&s.id)) {
                    store.ensure_sources(std::slice::from_ref(&source))?;
                    known_sources.insert(source.id);
                }
                batch.push(*document);
                if batch.documents.len() >= options.batch_size {
                    batch.commit(store, options, &mut summary, observer)?;
                }
            }
            Item::Rejected(diagnostic) => {
                summary.rejected += 1;
                summary.rejections.push(diagnostic.to_string());
                observer.outcome(&Outcome::rejected(&diagnostic));
            }
            Item::Note(note) => {
                summary.notes.push(note.to_string());
                observer.note(&note);
            }
            Item::InputDone { origin, bytes } => {
                summary.bytes += bytes;
                observer.input_done(&origin, bytes);
            }
        }
    }
    batch.commit(store, options, &mut summary, observer)?;
    Ok(summary)
}

#[derive(Default)]
struct Batch {
    documents: Vec<NewDocument>,
    started: Option<Instant>,
}

impl Batch {
    fn push(&mut self, document: NewDocument) {
        self.started.get_or_insert_with(Instant::now);
        self.documents.push(document);
    }

    /// Commits the batch, then reports each document's outcome.
    fn commit(
        &mut self,
        store: &Store,
        options: &IngestOptions,
        summary: &mut Summary,
        observer: &mut dyn Observer,
    ) -> Result<(), IngestError> {
        self.started = None;
        if self.documents.is_empty() {
            return Ok(());
        }
        let documents = std::mem::take(&mut self.documents);
        let outcomes = if options.queue_extraction && options.extractor.is_none() {
            store.insert_documents_queued(&documents)?.0
        } else {
            store.insert_documents(&documents)?
        };
        tracing::debug!(documents = documents.len(), "batch committed");
        for (NewDocument { document, .. }, inserted) in documents.into_iter().zip(outcomes) {
            let outcome = match inserted {
                Inserted::New { id } => {
                    summary.stored += 1;
                    Outcome::Stored { id, origin: document.origin, title: document.title, language: document.language }
                }
                Inserted::Duplicate { id } => {
                    summary.duplicates += 1;
                    Outcome::Duplicate { id, origin: document.origin, title: document.title }
                }
            };
            observer.outcome(&outcome);
        }
        Ok(())
    }
}

/// The reader thread: plans, reads and decodes every input. It stops early only when the
/// writer has gone (after a store failure).
fn read_all(targets: &[Target], options: &IngestOptions, owner: OrganisationId, sender: &SyncSender<Item>) {
    let inputs = plan(targets);
    if sender.send(Item::Planned(inputs.len())).is_err() {
        return;
    }
    let fetcher = Fetcher::new();
    let reader = Reader { options, owner, sender };
    for input in inputs {
        let origin = input.origin();
        let bytes = match input {
            Input::Rejected(diagnostic) => {
                reader.send(Item::Rejected(diagnostic));
                0
            }
            Input::File { path, kind } => reader.file(&path, kind),
            Input::Url(url) => match fetcher.fetch(&url, options.limits.max_input_bytes) {
                Ok(fetched) => {
                    let size = fetched.body.len() as u64;
                    let limit = options.limits.max_document_bytes;
                    if holds_one_document(fetched.kind) && size > limit {
                        // Not decoded: a page this large is refused anyway.
                        reader.reject(&url, None, Problem::TooLarge { size, limit });
                    } else {
                        let source_kind =
                            if fetched.kind == InputKind::Feed { SourceKind::Feed } else { SourceKind::Web };
                        reader.decoded(&url, formats::decode(&url, fetched.kind, &fetched.body), source_kind);
                    }
                    size
                }
                Err(diagnostic) => {
                    reader.send(Item::Rejected(diagnostic));
                    0
                }
            },
        };
        if !reader.send(Item::InputDone { origin, bytes }) {
            return;
        }
    }
}

struct Reader<'a> {
    options: &'a IngestOptions,
    owner: OrganisationId,
    sender: &'a SyncSender<Item>,
}

impl Reader<'_> {
    /// Sends an item to the writer; false when the writer has stopped.
    fn send(&self, item: Item) -> bool {
        self.sender.send(item).is_ok()
    }

    fn reject(&self, origin: &str, position: Option<Position>, problem: Problem) {
        self.send(Item::Rejected(Diagnostic::new(origin, position, problem)));
    }

    /// Reads and decodes one file; returns the bytes read.
    fn file(&self, path: &Path, kind: InputKind) -> u64 {
        let origin = path.display().to_string();
        let size = match std::fs::metadata(path) {
            Ok(metadata) => metadata.len(),
            Err(e) => {
                self.reject(&origin, None, Problem::Io(e.to_string()));
                return 0;
            }
        };
        if kind == InputKind::JsonLines {
            return self.json_lines(path, &origin);
        }
        let limits = &self.options.limits;
        let limit = if holds_one_document(kind) { limits.max_document_bytes } else { limits.max_input_bytes };
        let too_large = |size: u64| {
            if holds_one_document(kind) { Problem::TooLarge { size, limit } } else { Problem::InputTooLarge { limit } }
        };
        // Rejected unread when the file says it is too large; the limit holds while
        // reading too, for files that grow or do not know their size (pipes).
        if size > limit {
            self.reject(&origin, None, too_large(size));
            return 0;
        }
        let bytes = match File::open(path).and_then(|file| read_at_most(file, limit, size)) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => {
                self.reject(&origin, None, too_large(limit + 1));
                return limit + 1;
            }
            Err(e) => {
                self.reject(&origin, None, Problem::Io(e.to_string()));
                return 0;
            }
        };
        let source_kind = if kind == InputKind::Feed { SourceKind::Feed } else { SourceKind::File };
        self.decoded(&origin, formats::decode(&origin, kind, &bytes), source_kind);
        bytes.len() as u64
    }

    /// Streams a JSON Lines file record by record, so that its size is not limited by
    /// memory; a line longer than the document limit is skipped, never held whole.
    fn json_lines(&self, path: &Path, origin: &str) -> u64 {
        let mut reader = match File::open(path) {
            Ok(file) => BufReader::new(file),
            Err(e) => {
                self.reject(origin, None, Problem::Io(e.to_string()));
                return 0;
            }
        };
        let limit = self.options.limits.max_document_bytes;
        let mut line = Vec::new();
        let mut offset = 0u64;
        let mut number = 0u64;
        loop {
            // A line's ending does not count against the limit.
            match read_line_at_most(&mut reader, &mut line, limit + 2) {
                Ok(Line::End) => break,
                Ok(Line::Read(n)) => {
                    number += 1;
                    let start = offset;
                    offset += n;
                    self.json_line(origin, number, start, &line);
                }
                Ok(Line::TooLong(n)) => {
                    number += 1;
                    let position = Position::Byte { offset, line: number, column: 1 };
                    offset += n;
                    self.reject(origin, Some(position), Problem::TooLarge { size: n, limit });
                }
                Err(e) => {
                    self.reject(
                        origin,
                        Some(Position::LineColumn { line: number + 1, column: 1 }),
                        Problem::Io(e.to_string()),
                    );
                    break;
                }
            }
        }
        offset
    }

    fn json_line(&self, origin: &str, number: u64, start: u64, line: &[u8]) {
        let text = match std::str::from_utf8(line) {
            Ok(text) => text,
            Err(e) => {
                let column = String::from_utf8_lossy(&line[..e.valid_up_to()]).chars().count() as u64 + 1;
                let position = Position::Byte { offset: start + e.valid_up_to() as u64, line: number, column };
                self.reject(origin, Some(position), Problem::InvalidUtf8);
                return;
            }
        };
        match formats::decode_json_line(origin, number, text) {
            Ok(Some(candidate)) => self.candidate(origin, candidate, None, SourceKind::File),
            Ok(None) => {}
            Err(diagnostic) => {
                self.send(Item::Rejected(diagnostic));
            }
        }
    }

    fn decoded(&self, origin: &str, decoded: Decoded, source_kind: SourceKind) {
        for diagnostic in decoded.diagnostics {
            self.send(Item::Rejected(diagnostic));
        }
        for note in decoded.notes {
            self.send(Item::Note(note));
        }
        for candidate in decoded.candidates {
            self.candidate(origin, candidate, decoded.feed_title.as_deref(), source_kind);
        }
    }

    fn candidate(&self, origin: &str, candidate: Candidate, feed_title: Option<&str>, source_kind: SourceKind) {
        let located = match &candidate.locator {
            Some(locator) => format!("{origin}#{locator}"),
            None => origin.to_owned(),
        };
        let position = candidate.locator.as_deref().map(locator_position);
        let prepared = match prepare(candidate, &self.options.limits) {
            Ok(prepared) => prepared,
            Err(problem) => {
                self.reject(origin, position, problem);
                return;
            }
        };
        let c = prepared.candidate;
        let source_name =
            c.source.clone().or_else(|| feed_title.map(str::to_owned)).or_else(|| self.options.default_source.clone());
        let source = source_name.as_deref().map(|name| {
            // A fetched feed's address is its source's; a fetched page's address is the
            // document's, not its site's.
            let feed_url = (source_kind == SourceKind::Feed && origin.starts_with("http")).then(|| origin.to_owned());
            Source::new(name, source_kind, feed_url)
        });
        let document = Document {
            id: prepared.hash.document_id(),
            content_hash: prepared.hash,
            source: source.as_ref().map(|s| s.id),
            source_name: source.as_ref().map(|s| s.name.clone()),
            url: c.url,
            title: c.title,
            published: c.published,
            ingested_at: now(),
            language: prepared.language,
            language_confidence: prepared.language_confidence,
            format: c.format.unwrap_or(model::DocumentFormat::Text),
            origin: located,
            raw: c.raw,
            text: c.text,
            marking: Marking { owner: self.owner, tlp: self.options.tlp, distribution: self.options.distribution },
        };
        // Extraction runs here, on the reader's thread, beside the writer's work.
        let facts = self
            .options
            .extractor
            .as_ref()
            .map(|(extractor, fingerprint)| crate::facts::facts_for_document(extractor, fingerprint, &document));
        self.send(Item::Document(Box::new(NewDocument { document, facts }), source));
    }
}

/// Whether an input of `kind` is one document, so that the document limit is its limit.
fn holds_one_document(kind: InputKind) -> bool {
    matches!(kind, InputKind::Text | InputKind::Markdown | InputKind::Html)
}

/// The position of a document in a multi-document input, from the locator the decoder
/// gave it (`line 3`, `$[2]`, `item 4`).
fn locator_position(locator: &str) -> Position {
    match locator.strip_prefix("line ").and_then(|n| n.parse().ok()) {
        Some(line) => Position::LineColumn { line, column: 1 },
        None => match locator.strip_prefix("item ").and_then(|n| n.parse().ok()) {
            Some(index) => Position::Item { index, label: None },
            None => Position::JsonPath { line: None, path: locator.to_owned() },
        },
    }
}

/// The pipeline's one reading of the clock.
pub fn now() -> DateTime<Utc> {
    Utc::now()
}
