//! The job queue from the command line: `ingest --queue` adds to it, `worker` (and
//! `serve`) work it, `jobs` lists it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context;
use pipeline::IngestOptions;
use pipeline::work::{IngestJob, Worker, WorkerSettings};
use store::{JobKind, Store};

use super::Status;
use crate::cli::{Format, IngestArgs, WorkArgs, WorkerArgs};
use crate::config::Settings;
use crate::output;
use crate::output::outln;

/// Queues one ingest job per target. Paths are made absolute, for nodes started
/// elsewhere; a path that does not exist is reported and left out.
pub fn queue_ingest(
    store: &Store,
    args: &IngestArgs,
    options: &IngestOptions,
    format: Format,
) -> anyhow::Result<Status> {
    let mut payloads = Vec::new();
    let mut missing = Vec::new();
    // Every option given here travels with the job; the nodes' own configuration fills in
    // the rest.
    let job = |target: String| {
        let mut job = IngestJob::new(target, options);
        job.extract = !args.no_extract;
        job.batch_size = args.batch_size;
        job.max_document_bytes = args.max_document_bytes;
        job.max_input_bytes = args.max_input_bytes;
        job.payload()
    };
    for target in &args.targets {
        let lower = target.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            payloads.push(job(target.clone()));
            continue;
        }
        match std::fs::canonicalize(target) {
            Ok(path) => payloads.push(job(path.display().to_string())),
            Err(e) => missing.push(format!("{target}: {e}")),
        }
    }
    let ids = store.enqueue(JobKind::Ingest, &payloads)?;
    match format {
        Format::Json => output::json_line(&serde_json::json!({ "queued": ids, "rejected": missing }))?,
        Format::Table => {
            outln!("queued {} ingest job{} for the nodes' workers", ids.len(), if ids.len() == 1 { "" } else { "s" });
            for problem in &missing {
                outln!("  not queued: {problem}");
            }
        }
    }
    Ok(if missing.is_empty() { Status::Clean } else { Status::SomeRejected })
}

/// Threads working the queue, and the flag that stops them.
pub struct Workers {
    stop: Arc<AtomicBool>,
    threads: Vec<std::thread::JoinHandle<()>>,
    pub node: String,
}

impl Workers {
    /// Starts `args.workers` threads over `store`.
    pub fn start(store: Arc<Store>, settings: &Settings, args: &WorkArgs) -> anyhow::Result<Self> {
        let node = args.node.clone().unwrap_or_else(pipeline::work::default_node_name);
        let stop = Arc::new(AtomicBool::new(false));
        let mut threads = Vec::new();
        if args.workers > 0 {
            let extractor = super::extraction::extractor()?;
            let fingerprint = super::extraction::fingerprint();
            let ingest = settings.ingest.clone().unwrap_or_default();
            for n in 0..args.workers {
                let worker = Worker {
                    store: store.clone(),
                    extractor: extractor.clone(),
                    fingerprint: fingerprint.clone(),
                    settings: WorkerSettings {
                        lease: Duration::from_secs(args.lease_seconds.max(1)),
                        ..WorkerSettings::new(node.clone())
                    },
                    ingest: ingest.clone(),
                };
                let stop = stop.clone();
                let thread = std::thread::Builder::new()
                    .name(format!("worker-{n}"))
                    .spawn(move || worker.run_until(&stop))
                    .context("starting a worker thread")?;
                threads.push(thread);
            }
        }
        Ok(Self { stop, threads, node })
    }

    /// Stops claiming, and waits for the jobs under way to finish.
    pub fn stop(self) {
        self.stop.store(true, Ordering::Release);
        for thread in self.threads {
            let _ = thread.join();
        }
    }
}

/// `beltwatch worker`: works the queue until Ctrl-C or SIGTERM, then finishes the jobs
/// under way and stops.
pub fn worker(store: Store, settings: &Settings, args: &WorkerArgs) -> anyhow::Result<Status> {
    if args.work.workers == 0 {
        anyhow::bail!("--workers must be at least 1 for a worker");
    }
    let workers = Workers::start(Arc::new(store), settings, &args.work)?;
    eprintln!("beltwatch worker {} working the queue with {} thread(s)", workers.node, args.work.workers);
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting the signal handler")?;
    runtime.block_on(super::serve::shutdown());
    eprintln!("beltwatch worker stopping: finishing the jobs under way");
    workers.stop();
    eprintln!("beltwatch worker stopped");
    Ok(Status::Clean)
}

/// `beltwatch jobs`: the queue, oldest first.
pub fn jobs(store: &Store, format: Format) -> anyhow::Result<Status> {
    let jobs = store.jobs()?;
    match format {
        Format::Json => output::json_line(&serde_json::json!({ "jobs": jobs }))?,
        Format::Table => {
            if jobs.is_empty() {
                outln!("the job queue is empty");
            }
            for job in &jobs {
                outln!(
                    "{:>6}  {:<7}  {:<7}  attempts {}  {}{}",
                    job.id,
                    job.kind.as_str(),
                    job.state,
                    job.attempts,
                    job.finished_by.as_deref().or(job.claimed_by.as_deref()).unwrap_or("-"),
                    job.last_error.as_deref().map(|e| format!("  ({e})")).unwrap_or_default()
                );
            }
        }
    }
    Ok(Status::Clean)
}
