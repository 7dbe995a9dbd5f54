//! `beltwatch export stix|misp|acled` and `beltwatch import`: records shared with other
//! tools through their formats.

use std::path::Path;

use anyhow::Context;
use exchange::{Problem, ReadDefaults};
use pipeline::exchange::ImportError;
use store::{EventFilter, Store};

use super::Status;
use super::admin::organisation;
use crate::cli::{ExportArgs, ExportWhat, Format, ImportArgs, ImportFormat};
use crate::output;

pub fn export(store: &Store, args: &ExportArgs) -> anyhow::Result<Status> {
    let who = args.for_organisation.as_deref().unwrap_or("local");
    let viewer = store.viewer(organisation(store, who)?)?;
    let extractor = super::extraction::extractor()?;
    let shared = pipeline::exchange::shared(store, Some(&viewer), &EventFilter::default(), extractor.dictionaries())?;
    let bytes = match args.what {
        ExportWhat::Stix => serde_json::to_vec_pretty(&exchange::stix::bundle(&shared))?,
        _ => anyhow::bail!("TEMP"),
    };
    match &args.output {
        Some(path) => {
            output::write_file(path, &bytes)?;
            eprintln!(
                "wrote {} events from {} reports to {}",
                shared.events.len(),
                shared.documents.len(),
                path.display()
            );
        }
        None => {
            use std::io::Write;
            std::io::stdout().lock().write_all(&bytes).context("writing to standard output")?;
        }
    }
    Ok(Status::Clean)
}

pub fn import(store: &Store, args: &ImportArgs, format: Format) -> anyhow::Result<Status> {
    let defaults = ReadDefaults {
        owner: store.local_organisation()?.id,
        tlp: model::Tlp::parse_loose(&args.tlp).map_err(|e| anyhow::anyhow!("--tlp: {e}"))?,
        now: pipeline::now(),
    };
    let mut status = Status::Clean;
    for path in &args.files {
        match import_file(store, path, args.input_format, &defaults) {
            Ok(summary) => match format {
                Format::Json => output::json_line(&serde_json::json!({ "file": path, "imported": summary }))?,
                Format::Table => println!(
                    "{}: {} new reports with {} events, {} already stored{}",
                    path.display(),
                    summary.new_documents,
                    summary.events,
                    summary.duplicate_documents,
                    skipped_text(&summary.skipped)
                ),
            },
            Err(FileError::Problems(problems)) => {
                status = Status::SomeRejected;
                match format {
                    Format::Json => output::json_line(&serde_json::json!({
                        "file": path,
                        "rejected": problems.iter().map(|p| serde_json::json!({
                            "location": p.location, "object": p.object, "message": p.message,
                        })).collect::<Vec<_>>(),
                    }))?,
                    Format::Table => {
                        eprintln!("{}: nothing imported, {} problem(s):", path.display(), problems.len());
                        for problem in &problems {
                            eprintln!("  {}: {problem}", path.display());
                        }
                    }
                }
            }
            Err(FileError::Other(e)) => return Err(e.context(format!("importing {}", path.display()))),
        }
    }
    Ok(status)
}

fn skipped_text(skipped: &std::collections::BTreeMap<String, usize>) -> String {
    if skipped.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = skipped.iter().map(|(kind, n)| format!("{n} {kind}")).collect();
    format!("; not used: {}", parts.join(", "))
}

enum FileError {
    Problems(Vec<Problem>),
    Other(anyhow::Error),
}

fn import_file(
    store: &Store,
    path: &Path,
    format: ImportFormat,
    defaults: &ReadDefaults,
) -> Result<pipeline::exchange::Imported, FileError> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading {}", path.display()))
        .map_err(FileError::Other)?;
    let format = match format {
        ImportFormat::Auto => guess(path, &text),
        other => other,
    };
    let read = match format {
        _ => exchange::stix::read_bundle(&text, defaults),
    }
    .map_err(FileError::Problems)?;
    pipeline::exchange::import(store, read).map_err(|e| match e {
        ImportError::Invalid(problems) => FileError::Problems(problems),
        ImportError::Store(e) => FileError::Other(e.into()),
    })
}

/// The format of a file: CSV by its extension, MISP by its `Event` or `response` key,
/// STIX otherwise.
fn guess(path: &Path, text: &str) -> ImportFormat {
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")) {
        return ImportFormat::Acled;
    }
    let head: String = text.chars().take(4096).filter(|c| !c.is_whitespace()).collect();
    if head.starts_with("{\"response\"") || head.starts_with("{\"Event\"") || head.starts_with("[{\"Event\"") {
        ImportFormat::Misp
    } else {
        ImportFormat::Stix
    }
}
