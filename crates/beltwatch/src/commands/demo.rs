//! `beltwatch demo`: the sample reports in a fresh store, and what was stored.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use pipeline::IngestOptions;
use store::{DocumentFilter, Page, Store};

use super::Status;
use super::browse::print_documents;
use super::ingest::{ingest, print_summary};
use crate::cli::{DemoArgs, Format};
use crate::config::Settings;
use crate::output;
use crate::output::outln;

/// The demo's store when none is named: in the current folder, so it is easy to find.
const DEMO_DB: &str = "beltwatch-demo.sqlite";

pub fn run(settings: &Settings, args: &DemoArgs, format: Format) -> anyhow::Result<Status> {
    let db = if settings.db_named { settings.db.clone() } else { DEMO_DB.to_owned() };
    let samples = match &args.samples {
        Some(dir) => dir.clone(),
        None => default_samples()?,
    };
    remove_previous_demo(Path::new(&db))?;
    let store = Store::open(&db).with_context(|| format!("creating the demo store {db}"))?;
    let options = IngestOptions {
        default_source: Some("beltwatch samples".into()),
        extractor: Some((super::extraction::extractor()?, super::extraction::fingerprint())),
        ..IngestOptions::default()
    };
    let summary = ingest(&store, &[samples.display().to_string()], &options, format)?;
    let listing = store.documents(&DocumentFilter::default(), &Page { limit: 1000, after: None })?;
    match format {
        Format::Json => output::json(&serde_json::json!({
            "store": db, "summary": summary, "documents": listing.items,
        }))?,
        Format::Table => {
            print_documents(&listing.items);
            outln!();
            print_summary(&summary, &db);
            outln!();
            // The binary as it was invoked, so the lines can be pasted as they are.
            let me = std::env::args().next().unwrap_or_else(|| "beltwatch".into());
            outln!("Explore it:");
            outln!("  {me} --db {db} search heroin OR героин");
            outln!("  {me} --db {db} documents --language ru");
            outln!("  {me} --db {db} events --category drug_trafficking");
            let example = listing.items.first().map(|d| d.id.to_string()).unwrap_or_default();
            outln!("  {me} --db {db} show {}", example.get(..8).unwrap_or("ID"));
        }
    }
    let status = if summary.rejected > 0 { Status::SomeRejected } else { Status::Clean };
    if args.no_serve {
        return Ok(status);
    }
    // The dashboard, with a first user to sign in as.
    let organisation = store.local_organisation()?;
    let user = match store.users()?.into_iter().find(|u| u.name == DEMO_USER) {
        Some(user) => user,
        None => store.create_user(organisation.id, DEMO_USER, model::Role::Admin)?,
    };
    let (_, secret) = super::admin::token_for(&store, &user, "demo", 30)?;
    super::serve::run_announced(store, settings, &args.serve, |address| {
        let host = if address.ip().is_unspecified() { "localhost".to_owned() } else { address.ip().to_string() };
        eprintln!();
        eprintln!("The dashboard is at  http://{host}:{}/", address.port());
        eprintln!("Sign in with          {secret}");
        eprintln!("(user {DEMO_USER}, an admin of {}; Ctrl-C stops it)", organisation.name);
    })?;
    Ok(status)
}

/// The user the demo signs in as.
const DEMO_USER: &str = "analyst";

/// `samples/` in the current folder, else the one beside the sources this binary was
/// built from.
fn default_samples() -> anyhow::Result<PathBuf> {
    let candidates = [PathBuf::from("samples"), Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples")];
    match candidates.iter().find(|p| p.is_dir()) {
        Some(found) => Ok(found.clone()),
        None => bail!("no samples/ folder here or beside the sources: give one with --samples DIR"),
    }
}

/// Deletes the store at `db` (with its WAL files) if beltwatch wrote it; refuses to
/// delete anything else.
fn remove_previous_demo(db: &Path) -> anyhow::Result<()> {
    if !db.exists() {
        return Ok(());
    }
    if Store::is_foreign_file(db) {
        bail!("{} exists and is not a beltwatch store: refusing to replace it", db.display());
    }
    for suffix in ["", "-wal", "-shm"] {
        let path = PathBuf::from(format!("{}{suffix}", db.display()));
        if path.exists() {
            std::fs::remove_file(&path)
                .with_context(|| format!("removing the previous demo store {}", path.display()))?;
        }
    }
    Ok(())
}
