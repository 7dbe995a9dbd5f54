//! Settings in two stages: read what the user wrote (configuration file, environment,
//! flags) and report every mistake at once; then build the values commands use.
//! Precedence: flags, then environment variables, then the file, then defaults.
//!
//! The file (`beltwatch.toml`, or `--config`):
//!
//! ```toml
//! db = "/var/lib/beltwatch/beltwatch.sqlite"
//!
//! [ingest]
//! max_document_bytes = 5242880
//! batch_size = 500
//! tlp = "amber"
//! distribution = "organisation"
//! default_source = "Duty desk"
//!
//! [sources."Panj Valley Monitor"]
//! reliability = "B"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use model::{Distribution, Reliability, Tlp};
use pipeline::IngestOptions;
use serde::Deserialize;

use crate::cli::{Cli, Command, IngestArgs};

/// The configuration file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub db: Option<String>,
    #[serde(default)]
    pub ingest: IngestFileConfig,
    #[serde(default)]
    pub sources: BTreeMap<String, SourceFileConfig>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IngestFileConfig {
    pub max_document_bytes: Option<u64>,
    pub batch_size: Option<usize>,
    pub tlp: Option<String>,
    pub distribution: Option<String>,
    pub default_source: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceFileConfig {
    pub reliability: String,
}

/// Settings every command shares.
#[derive(Debug)]
pub struct Settings {
    pub db: String,
    /// For `ingest`: its options, checked.
    pub ingest: Option<IngestOptions>,
    /// Whether the user named the store (flag, environment or file), rather than the
    /// default being used.
    pub db_named: bool,
    /// Ratings of sources by name, checked.
    pub source_ratings: Vec<(String, Reliability)>,
}

impl Settings {
    pub fn load(cli: &Cli) -> anyhow::Result<Self> {
        let file = read_file(cli.config.as_deref())?;
        let named = cli.db.clone().or_else(|| file.db.clone());
        let db_named = named.is_some();
        let db = match named {
            Some(db) => db,
            None => default_db()?.display().to_string(),
        };
        let mut errors = Vec::new();
        let mut source_ratings = Vec::new();
        for (name, source) in &file.sources {
            match source.reliability.trim().to_ascii_uppercase().parse::<Reliability>() {
                Ok(r) => source_ratings.push((name.clone(), r)),
                Err(e) => errors.push(format!("sources.{name:?}.reliability: {e}")),
            }
        }
        let ingest = match &cli.command {
            Command::Ingest(args) => Some(ingest_options(&file.ingest, args, &mut errors)),
            _ => None,
        };
        fail_on(errors)?;
        Ok(Self { db, ingest, db_named, source_ratings })
    }
}

/// The ingest options from flags over environment over file over defaults; every
/// invalid value is added to `errors`.
fn ingest_options(file: &IngestFileConfig, args: &IngestArgs, errors: &mut Vec<String>) -> IngestOptions {
    let mut options = IngestOptions::default();
    if let Some(tlp) = args.tlp.as_ref().or(file.tlp.as_ref()) {
        match Tlp::parse_loose(tlp) {
            Ok(tlp) => options.tlp = tlp,
            Err(e) => errors.push(format!("tlp: {e}")),
        }
    }
    if let Some(distribution) = args.distribution.as_ref().or(file.distribution.as_ref()) {
        match distribution.as_str() {
            "organisation" => options.distribution = Distribution::Organisation,
            "all_partners" => options.distribution = Distribution::AllPartners,
            other => errors.push(format!(
                "distribution: {other:?} is not one of organisation, all_partners (sharing groups come with the server)"
            )),
        }
    }
    if let Some(bytes) = args.max_document_bytes.or(file.max_document_bytes) {
        if bytes == 0 {
            errors.push("max_document_bytes: must be more than 0".into());
        }
        options.limits.max_document_bytes = bytes;
    }
    if let Some(size) = args.batch_size.or(file.batch_size) {
        if !(1..=100_000).contains(&size) {
            errors.push(format!("batch_size: {size} is not between 1 and 100000"));
        }
        options.batch_size = size;
    }
    options.default_source = args.source.clone().or_else(|| file.default_source.clone());
    options
}

fn fail_on(errors: Vec<String>) -> anyhow::Result<()> {
    if errors.is_empty() {
        return Ok(());
    }
    bail!("invalid configuration:\n  {}", errors.join("\n  "))
}

fn read_file(explicit: Option<&Path>) -> anyhow::Result<FileConfig> {
    let path = match explicit {
        Some(path) => path.to_owned(),
        None => {
            let local = PathBuf::from("beltwatch.toml");
            if !local.exists() {
                return Ok(FileConfig::default());
            }
            local
        }
    };
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("cannot read configuration {}", path.display()))?;
    toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.to_string().trim_end()))
}

/// `$XDG_DATA_HOME/beltwatch/beltwatch.sqlite`, or under `~/.local/share` without it.
fn default_db() -> anyhow::Result<PathBuf> {
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".local/share")))
        .context("neither XDG_DATA_HOME nor HOME is set: give the store with --db")?;
    Ok(data.join("beltwatch").join("beltwatch.sqlite"))
}
