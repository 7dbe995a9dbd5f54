//! `beltwatch export stix|misp|acled` and `beltwatch import`: records shared with other
//! tools through their formats.

use std::path::Path;

use anyhow::Context;
use exchange::{Problem, ReadDefaults};
use pipeline::exchange::ImportError;
use store::{EventFilter, Store};

use super::Status;
use super::admin::organisation;
use crate::cli::{ExportArgs, ExportWhat, Format, ImportArgs, ImportFormat, SyncCommand};
use crate::output;

pub fn export(store: &Store, args: &ExportArgs) -> anyhow::Result<Status> {
    let who = args.for_organisation.as_deref().unwrap_or("local");
    let viewer = store.viewer(organisation(store, who)?)?;
    let extractor = super::extraction::extractor()?;
    let shared = pipeline::exchange::shared(store, Some(&viewer), &EventFilter::default(), extractor.dictionaries())?;
    let bytes = match args.what {
        ExportWhat::Stix => serde_json::to_vec_pretty(&exchange::stix::bundle(&shared))?,
        ExportWhat::Misp => serde_json::to_vec_pretty(&exchange::misp::events(&shared))?,
        _ => exchange::acled::write(&shared).into_bytes(),
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
    let limit = args.max_input_bytes.unwrap_or(formats::Limits::DEFAULT_MAX_INPUT_BYTES);
    let mut status = Status::Clean;
    for path in &args.files {
        match import_file(store, path, args.input_format, &defaults, limit) {
            Ok((summary, notes)) => {
                if format == Format::Table {
                    for note in &notes {
                        eprintln!("warning: {}: {note}", path.display());
                    }
                    for left in &summary.not_stored {
                        eprintln!("  {}: {:?} {}", path.display(), left.record, left.reason);
                    }
                }
                print_summary(path, &summary, &notes, format)?;
            }
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

fn print_summary(
    path: &Path,
    summary: &pipeline::exchange::Imported,
    notes: &[Problem],
    format: Format,
) -> anyhow::Result<()> {
    match format {
        Format::Json => output::json_line(&serde_json::json!({
            "file": path,
            "imported": summary,
            "warnings": notes.iter().map(|p| serde_json::json!({
                "location": p.location, "object": p.object, "message": p.message,
            })).collect::<Vec<_>>(),
        }))?,
        Format::Table => println!(
            "{}: {} new reports with {} events; {} reports and {} events stored already{}",
            path.display(),
            summary.new_documents,
            summary.events,
            summary.duplicate_documents,
            summary.duplicate_events,
            skipped_text(&summary.skipped)
        ),
    }
    Ok(())
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
    limit: u64,
) -> Result<(pipeline::exchange::Imported, Vec<Problem>), FileError> {
    // Read no further than the limit: a file past it is refused, and the others go on.
    let read = std::fs::File::open(path)
        .and_then(|file| {
            let size = file.metadata().map(|m| m.len()).unwrap_or(0);
            if size > limit { Ok(None) } else { pipeline::read_at_most(file, limit, size) }
        })
        .with_context(|| format!("reading {}", path.display()))
        .map_err(FileError::Other)?;
    let Some(bytes) = read else {
        return Err(FileError::Problems(vec![Problem::new(
            format!("byte {limit}"),
            None,
            format!("the file is larger than the limit of {limit} bytes (--max-input-bytes): not imported"),
        )]));
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        FileError::Problems(vec![Problem::new(format!("byte {offset}"), None, "invalid UTF-8")])
    })?;
    let format = match format {
        ImportFormat::Auto => guess(path, &text),
        other => other,
    };
    // What a reader notes about a file it could read is printed as warnings.
    let (read, notes) = match format {
        ImportFormat::Misp => exchange::misp::read(&text, defaults).map(|r| (r, Vec::new())),
        ImportFormat::Acled => exchange::acled::read_noted(&text, defaults),
        _ => exchange::stix::read_bundle(&text, defaults).map(|r| (r, Vec::new())),
    }
    .map_err(FileError::Problems)?;
    let imported =
        pipeline::exchange::import(store, read, pipeline::exchange::Importer::Operator).map_err(|e| match e {
            ImportError::Invalid(problems) => FileError::Problems(problems),
            ImportError::Store(e) => FileError::Other(e.into()),
        })?;
    Ok((imported, notes))
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

pub fn sync(store: &Store, command: &SyncCommand, format: Format) -> anyhow::Result<Status> {
    match command {
        SyncCommand::Add { name, url, token, basic, every } => {
            if !(url.starts_with("http://") || url.starts_with("https://")) || !url.contains("/collections/") {
                anyhow::bail!("{url:?} is not a TAXII collection URL (https://host/taxii2/ROOT/collections/ID/)");
            }
            let authorization = match (token, basic) {
                (Some(t), _) => Some(format!("Bearer {}", t.trim())),
                (None, Some(b)) => Some(format!("Basic {}", base64(b.as_bytes()))),
                (None, None) => None,
            };
            let peer = store.add_peer(name, url, authorization.as_deref(), *every)?;
            match format {
                Format::Json => output::json(&peer)?,
                Format::Table => println!("peer {} added: {}", peer.name, peer.collection_url),
            }
            Ok(Status::Clean)
        }
        SyncCommand::List => {
            let peers = store.peers()?;
            match format {
                Format::Json => output::json(&peers)?,
                Format::Table => {
                    println!("{:<20} {:<26} {:<8} {:<26} URL", "NAME", "READ UP TO", "OBJECTS", "LAST RUN");
                    for p in &peers {
                        let time = |t: Option<chrono::DateTime<chrono::Utc>>| {
                            t.map_or_else(|| "-".to_owned(), exchange::stix::stix_time)
                        };
                        println!(
                            "{:<20} {:<26} {:<8} {:<26} {}{}",
                            p.name,
                            time(p.added_after),
                            p.last_objects,
                            time(p.last_run_at),
                            p.collection_url,
                            p.last_error.as_ref().map(|e| format!("  (failed: {e})")).unwrap_or_default()
                        );
                    }
                }
            }
            Ok(Status::Clean)
        }
        SyncCommand::Run { name } => {
            let peers: Vec<_> =
                store.peers()?.into_iter().filter(|p| name.as_ref().is_none_or(|n| p.name == *n)).collect();
            if let Some(n) = name
                && peers.is_empty()
            {
                anyhow::bail!("no peer named {n:?}: `beltwatch sync list` shows them");
            }
            let defaults =
                ReadDefaults { owner: store.local_organisation()?.id, tlp: model::Tlp::Amber, now: pipeline::now() };
            let mut status = Status::Clean;
            for peer in &peers {
                let pulled = pipeline::sync::pull(store, peer, &defaults)?;
                if !pulled.rejected.is_empty() {
                    status = Status::SomeRejected;
                }
                match format {
                    Format::Json => output::json_line(&pulled)?,
                    Format::Table => {
                        println!(
                            "{}: {} objects in {} pages; {} new reports with {} events, {} already stored",
                            pulled.peer,
                            pulled.objects,
                            pulled.pages,
                            pulled.imported.new_documents,
                            pulled.imported.events,
                            pulled.imported.duplicate_documents
                        );
                        for problem in &pulled.rejected {
                            eprintln!("  {}: not imported: {problem}", pulled.peer);
                        }
                    }
                }
            }
            Ok(status)
        }
    }
}

/// Standard base64, for a basic-authentication header.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_matches_the_rfc_4648_vectors() {
        for (plain, encoded) in
            [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE=")]
        {
            assert_eq!(super::base64(plain.as_bytes()), encoded);
        }
    }
}
