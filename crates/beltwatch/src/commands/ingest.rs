//! `beltwatch ingest`: progress on a terminal, one line per rejection, a summary.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};
use pipeline::{IngestOptions, Observer, Outcome, Summary, Target};
use store::Store;

use super::Status;
use crate::cli::Format;
use crate::config::Settings;
use crate::output;
use crate::output::outln;

pub fn run(
    store: &Store,
    settings: &Settings,
    targets: &[String],
    options: &IngestOptions,
    format: Format,
) -> anyhow::Result<Status> {
    for (name, reliability) in &settings.source_ratings {
        store.rate_source(name, *reliability)?;
    }
    let summary = ingest(store, targets, options, format)?;
    // Plans made on the statistics of a much smaller store would slow every query after.
    if summary.stored >= LARGE_LOAD {
        store.analyze()?;
    }
    match format {
        Format::Json => output::json_line(
            &serde_json::json!({ "summary": summary, "store": store::Store::redacted(&settings.db) }),
        )?,
        Format::Table => print_summary(&summary, &store::Store::redacted(&settings.db)),
    }
    Ok(if summary.rejected > 0 { Status::SomeRejected } else { Status::Clean })
}

/// Documents stored in one run after which the store's statistics are refreshed.
const LARGE_LOAD: u64 = 10_000;

/// Ingests with progress on a terminal; used by `demo` too.
pub fn ingest(store: &Store, targets: &[String], options: &IngestOptions, format: Format) -> anyhow::Result<Summary> {
    let targets: Vec<Target> = targets.iter().map(|t| Target::parse(t)).collect();
    let mut observer = Progress::new(format);
    let summary = pipeline::ingest(store, &targets, options, &mut observer);
    observer.bar.finish_and_clear();
    Ok(summary?)
}

pub fn print_summary(summary: &Summary, db: &str) {
    let documents = summary.stored + summary.duplicates;
    if summary.stored == 0 && summary.duplicates > 0 {
        outln!("nothing new: all {documents} documents read were already stored");
    }
    outln!(
        "{} new, {} duplicate, {} rejected — {} documents from {} input{} ({:.1} MB) in {:.2} s, stored in {}",
        summary.stored,
        summary.duplicates,
        summary.rejected,
        documents,
        summary.inputs,
        if summary.inputs == 1 { "" } else { "s" },
        summary.bytes as f64 / 1e6,
        summary.seconds,
        db,
    );
    if !summary.rejections.is_empty() {
        outln!("rejected:");
        for rejection in &summary.rejections {
            outln!("  {rejection}");
        }
    }
    if !summary.notes.is_empty() {
        outln!("notes:");
        for note in &summary.notes {
            outln!("  {note}");
        }
    }
}

/// Draws a progress bar on a terminal, prints rejections as they happen and, in JSON
/// mode, one line per outcome.
struct Progress {
    bar: ProgressBar,
    format: Format,
    stored: u64,
    duplicates: u64,
    rejected: u64,
}

impl Progress {
    fn new(format: Format) -> Self {
        let bar = if std::io::stderr().is_terminal() { ProgressBar::new(0) } else { ProgressBar::hidden() };
        bar.set_style(
            ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} inputs, {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        Self { bar, format, stored: 0, duplicates: 0, rejected: 0 }
    }
}

impl Observer for Progress {
    fn planned(&mut self, inputs: usize) {
        self.bar.set_length(inputs as u64);
    }

    fn input_done(&mut self, _origin: &str, _bytes: u64) {
        self.bar.inc(1);
    }

    fn note(&mut self, note: &formats::Diagnostic) {
        if self.format == Format::Json {
            let _ = output::json_line(&serde_json::json!({ "note": note.to_string() }));
        }
        self.bar.suspend(|| eprintln!("note: {note}"));
    }

    fn outcome(&mut self, outcome: &Outcome) {
        if self.format == Format::Json {
            // A failure to write stdout (a closed pipe) must not stop the ingest.
            let _ = output::json_line(outcome);
        }
        match outcome {
            Outcome::Rejected { message, .. } => {
                self.rejected += 1;
                self.bar.suspend(|| eprintln!("rejected: {message}"));
            }
            Outcome::Stored { .. } => self.stored += 1,
            Outcome::Duplicate { .. } => self.duplicates += 1,
        }
        self.bar.set_message(format!("{} new, {} duplicate, {} rejected", self.stored, self.duplicates, self.rejected));
    }
}
