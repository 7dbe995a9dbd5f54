//! The worker: what every node (`beltwatch serve` and `beltwatch worker`) runs over the
//! shared queue. It claims one job at a time under a lease, renews the lease while it
//! works, and finishes the job with its result:
//!
//! - an **ingest** job reads one input and stores its documents, each batch with an
//!   extract job for its new documents, in the same transaction;
//! - an **extract** job extracts the facts of its documents and stores them in the
//!   transaction that finishes the job, so a document's facts are stored once, by
//!   whichever node finished its job.
//!
//! A node that dies leaves its job claimed until the lease runs out; another node then
//! claims it again. Reading an input again is harmless: documents already stored are
//! duplicates and bring no second extract job.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use extract::Extractor;
use model::{Distribution, DocumentId, Tlp};
use serde::{Deserialize, Serialize};
use store::{Job, JobKind, Store, StoreError};

use crate::ingest::{IngestOptions, Observer, Outcome, ingest};
use crate::inputs::Target;

/// How a node works the queue.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// The node's name, recorded on the jobs it claims.
    pub node: String,
    /// How long a claim lasts without renewal: the time a dead node's job waits before
    /// another node takes it over.
    pub lease: Duration,
    /// How long to wait before looking again when the queue is empty.
    pub idle: Duration,
}

impl WorkerSettings {
    pub fn new(node: impl Into<String>) -> Self {
        Self { node: node.into(), lease: Duration::from_secs(30), idle: Duration::from_millis(500) }
    }
}

/// The name a node goes by unless it is given one: the host and process.
pub fn default_node_name() -> String {
    let host = std::fs::read_to_string("/etc/hostname").map(|h| h.trim().to_owned()).unwrap_or_default();
    let host = if host.is_empty() { "node".to_owned() } else { host };
    format!("{host}-{}", std::process::id())
}

/// What an ingest job reads, and how its documents are marked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IngestJob {
    /// A path (as the nodes see it) or an http(s) URL.
    pub target: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_source: Option<String>,
    pub tlp: Tlp,
    pub distribution: Distribution,
    /// Whether the nodes extract events from what the job stores (`ingest --no-extract`
    /// says no).
    #[serde(default = "extract_by_default")]
    pub extract: bool,
    /// Settings the submitter gave; the rest come from the node's own configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_size: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_document_bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_input_bytes: Option<u64>,
}

fn extract_by_default() -> bool {
    true
}

impl IngestJob {
    /// A job for `target` with the marking and source of `options`; whether to extract,
    /// batch size and limits are set by the caller when the submitter gave them.
    pub fn new(target: impl Into<String>, options: &IngestOptions) -> Self {
        Self {
            target: target.into(),
            default_source: options.default_source.clone(),
            tlp: options.tlp,
            distribution: options.distribution,
            extract: true,
            batch_size: None,
            max_document_bytes: None,
            max_input_bytes: None,
        }
    }

    pub fn payload(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// What one turn of the worker did.
#[derive(Debug, Clone, PartialEq)]
pub enum Turn {
    /// The queue had nothing to do.
    Idle,
    /// A job was finished; `documents` counts what it stored or extracted.
    Finished { job: i64, kind: JobKind, documents: u64 },
    /// The job's lease was lost to another node before it finished; nothing was stored
    /// for it (an ingest job's committed batches stay, as duplicates for the next run).
    Lost { job: i64 },
    /// The job failed and was queued again (or given up, after its last attempt).
    Failed { job: i64, error: String },
}

/// The worker's view of the extractor: the same one `serve` and `ingest` use.
pub struct Worker {
    pub store: Arc<Store>,
    pub extractor: Arc<Extractor>,
    pub fingerprint: String,
    pub settings: WorkerSettings,
    /// Limits and batching for ingest jobs; their marking comes from each job.
    pub ingest: IngestOptions,
}

impl Worker {
    /// Claims and runs one job, if there is one.
    pub fn turn(&self) -> Result<Turn, StoreError> {
        let Some(job) = self.store.claim_job(&self.settings.node, self.settings.lease)? else { return Ok(Turn::Idle) };
        tracing::debug!(job = job.id, kind = job.kind.as_str(), attempt = job.attempts, "job claimed");
        let lost = AtomicBool::new(false);
        let done = AtomicBool::new(false);
        let result = std::thread::scope(|scope| {
            // Renew the lease at a third of its length while the job runs.
            scope.spawn(|| {
                let step = (self.settings.lease / 3).max(Duration::from_millis(50));
                let mut waited = Duration::ZERO;
                while !done.load(Ordering::Acquire) {
                    std::thread::sleep(Duration::from_millis(25));
                    waited += Duration::from_millis(25);
                    if waited < step {
                        continue;
                    }
                    waited = Duration::ZERO;
                    match self.store.renew_job(&job, self.settings.lease) {
                        Ok(true) => {}
                        Ok(false) => {
                            lost.store(true, Ordering::Release);
                            return;
                        }
                        Err(e) => tracing::warn!(job = job.id, "renewing a job's lease failed: {e}"),
                    }
                }
            });
            let result = self.run(&job);
            done.store(true, Ordering::Release);
            result
        });
        match result {
            Ok(documents) => Ok(Turn::Finished { job: job.id, kind: job.kind, documents }),
            Err(StoreError::LeaseLost { job }) => {
                tracing::warn!(job, "a job was taken over by another node; its result is dropped");
                Ok(Turn::Lost { job })
            }
            Err(e) if lost.load(Ordering::Acquire) => {
                tracing::warn!(job = job.id, "a job failed after its lease was lost: {e}");
                Ok(Turn::Lost { job: job.id })
            }
            Err(e) => {
                let error = e.to_string();
                tracing::warn!(job = job.id, "job failed: {error}");
                self.store.fail_job(&job, &error)?;
                Ok(Turn::Failed { job: job.id, error })
            }
        }
    }

    /// Works until `stop` is set; a job under way when it is set is finished first.
    pub fn run_until(&self, stop: &AtomicBool) {
        while !stop.load(Ordering::Acquire) {
            match self.turn() {
                Ok(Turn::Idle) => sleep_unless(stop, self.settings.idle),
                Ok(Turn::Finished { job, kind, documents }) => {
                    tracing::info!(job, kind = kind.as_str(), documents, node = %self.settings.node, "job finished");
                }
                Ok(_) => {}
                Err(e) => {
                    // The database is unreachable or refused: wait, then try again.
                    tracing::warn!("the work queue is unavailable: {e}");
                    sleep_unless(stop, self.settings.idle.max(Duration::from_secs(1)));
                }
            }
        }
    }

    fn run(&self, job: &Job) -> Result<u64, StoreError> {
        match job.kind {
            JobKind::Extract => self.extract(job),
            JobKind::Ingest => self.read(job),
        }
    }

    fn extract(&self, job: &Job) -> Result<u64, StoreError> {
        let ids: Vec<DocumentId> = serde_json::from_str(&job.payload).map_err(|e| StoreError::Corrupt {
            record: format!("job {}", job.id),
            reason: format!("its payload is not a list of document ids: {e}"),
        })?;
        let mut facts = Vec::with_capacity(ids.len());
        for id in ids {
            // A document removed since it was queued has nothing left to extract.
            let Some(document) = self.store.document(&id.to_string())? else { continue };
            facts.push((id, crate::facts::facts_for_document(&self.extractor, &self.fingerprint, &document)));
        }
        self.store.finish_job(job, &facts)?;
        Ok(facts.len() as u64)
    }

    fn read(&self, job: &Job) -> Result<u64, StoreError> {
        let spec: IngestJob = serde_json::from_str(&job.payload).map_err(|e| StoreError::Corrupt {
            record: format!("job {}", job.id),
            reason: format!("its payload is not an ingest job: {e}"),
        })?;
        let mut options = IngestOptions {
            default_source: spec.default_source.clone(),
            tlp: spec.tlp,
            distribution: spec.distribution,
            extractor: None,
            queue_extraction: spec.extract,
            ..self.ingest.clone()
        };
        if let Some(size) = spec.batch_size {
            options.batch_size = size.clamp(1, 100_000);
        }
        if let Some(bytes) = spec.max_document_bytes {
            options.limits.max_document_bytes = bytes.max(1);
        }
        if let Some(bytes) = spec.max_input_bytes {
            options.limits.max_input_bytes = bytes.max(1);
        }
        let mut quiet = Quiet;
        let summary =
            ingest(&self.store, &[Target::parse(&spec.target)], &options, &mut quiet).map_err(|e| match e {
                crate::IngestError::Store(e) => e,
            })?;
        for rejection in &summary.rejections {
            tracing::warn!(job = job.id, "{rejection}");
        }
        if summary.stored >= 10_000 {
            self.store.analyze()?;
        }
        self.store.finish_job(job, &[])?;
        Ok(summary.stored)
    }
}

struct Quiet;

impl Observer for Quiet {
    fn outcome(&mut self, _outcome: &Outcome) {}
}

fn sleep_unless(stop: &AtomicBool, wait: Duration) {
    let mut left = wait;
    while !left.is_zero() && !stop.load(Ordering::Acquire) {
        let step = left.min(Duration::from_millis(50));
        std::thread::sleep(step);
        left -= step;
    }
}
