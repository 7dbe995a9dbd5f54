//! `beltwatch bench`: ingest throughput on generated reports, each run into a fresh
//! store, median reported. Timings belong here, never in tests.

use pipeline::{IngestOptions, Observer, Outcome, Target};
use serde::Serialize;
use store::Store;

use super::Status;
use crate::cli::{BenchArgs, Format};
use crate::output;

#[derive(Serialize)]
struct Run {
    documents: u64,
    seconds: f64,
    documents_per_second: f64,
    megabytes_per_second: f64,
}

struct Quiet;

impl Observer for Quiet {
    fn outcome(&mut self, _outcome: &Outcome) {}
}

pub fn run(args: &BenchArgs, format: Format) -> anyhow::Result<Status> {
    let work = tempfile::tempdir()?;
    let folder = work.path().join("reports");
    crate::synth::write_folder(&folder, args.documents, 42)?;
    let mut runs = Vec::new();
    for n in 0..args.runs.max(1) {
        let store = Store::open_sqlite(&work.path().join(format!("run-{n}.sqlite")))?;
        let summary = pipeline::ingest(&store, &[Target::Path(folder.clone())], &IngestOptions::default(), &mut Quiet)?;
        anyhow::ensure!(summary.stored == u64::from(args.documents), "run {n} stored {} documents", summary.stored);
        let run = Run {
            documents: summary.stored,
            seconds: summary.seconds,
            documents_per_second: summary.stored as f64 / summary.seconds,
            megabytes_per_second: summary.bytes as f64 / 1e6 / summary.seconds,
        };
        if format == Format::Table {
            eprintln!(
                "run {}: {:.0} documents/s, {:.1} MB/s",
                n + 1,
                run.documents_per_second,
                run.megabytes_per_second
            );
        }
        runs.push(run);
    }
    let mut rates: Vec<f64> = runs.iter().map(|r| r.documents_per_second).collect();
    rates.sort_by(f64::total_cmp);
    let median = rates[rates.len() / 2];
    match format {
        Format::Json => output::json(&serde_json::json!({
            "benchmark": "ingest", "documents": args.documents, "runs": runs, "median_documents_per_second": median,
        }))?,
        Format::Table => println!(
            "ingest: median {median:.0} documents/s over {} runs of {} generated reports (fresh SQLite store each run)",
            runs.len(),
            args.documents
        ),
    }
    Ok(Status::Clean)
}
