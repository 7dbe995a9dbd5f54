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
//! max_input_bytes = 67108864
//! batch_size = 500
//! tlp = "amber"
//! distribution = "organisation"
//! default_source = "Duty desk"
//!
//! [sources."Panj Valley Monitor"]
//! reliability = "B"
//!
//! [belt]
//! borders = ["AF-TJ", "AF-UZ", "AF-TM", "AF-PK", "AF-IR", "AF-CN", "TJ-KG"]
//! sector_km = 25
//! depth_km = 30
//! window_days = 90
//! half_life_days = 14
//! thresholds = [4, 10, 20]      # medium, high, critical
//! baseline_weeks = 8
//! spike_alpha = 0.01
//! merge_km = 10
//! merge_days = 2
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
    #[serde(default)]
    pub belt: BeltFileConfig,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BeltFileConfig {
    pub borders: Option<Vec<String>>,
    pub sector_km: Option<f64>,
    pub depth_km: Option<f64>,
    pub window_days: Option<i64>,
    pub half_life_days: Option<f64>,
    pub thresholds: Option<[f64; 3]>,
    pub baseline_weeks: Option<usize>,
    pub spike_alpha: Option<f64>,
    pub merge_km: Option<f64>,
    pub merge_days: Option<i64>,
}

pub use pipeline::belt::BeltSettings;

fn belt_settings(file: &BeltFileConfig, errors: &mut Vec<String>) -> BeltSettings {
    let mut out = BeltSettings::default();
    if let Some(borders) = &file.borders {
        if borders.is_empty() {
            errors.push("belt.borders: name at least one border, such as \"AF-TJ\"".into());
        }
        out.borders = borders.clone();
    }
    let mut positive = |name: &str, value: Option<f64>, min: f64, slot: &mut f64| {
        if let Some(v) = value {
            if v.is_finite() && v >= min {
                *slot = v;
            } else {
                errors.push(format!("belt.{name}: {v} is below {min}"));
            }
        }
    };
    positive("sector_km", file.sector_km, 1.0, &mut out.spec.length_km);
    positive("depth_km", file.depth_km, 0.1, &mut out.spec.depth_km);
    positive("half_life_days", file.half_life_days, 0.1, &mut out.model.half_life_days);
    positive("merge_km", file.merge_km, 0.0, &mut out.rules.max_km);
    if let Some(t) = file.thresholds {
        if t[0] > 0.0 && t[0] <= t[1] && t[1] <= t[2] {
            out.model.thresholds = t;
        } else {
            errors.push(format!("belt.thresholds: {t:?} must be positive and rising (medium, high, critical)"));
        }
    }
    if let Some(days) = file.window_days {
        if days >= 1 {
            out.model.window_days = days
        } else {
            errors.push(format!("belt.window_days: {days} is below 1"))
        }
    }
    if let Some(days) = file.merge_days {
        if days >= 0 { out.rules.max_days = days } else { errors.push(format!("belt.merge_days: {days} is below 0")) }
    }
    if let Some(weeks) = file.baseline_weeks {
        if (1..=104).contains(&weeks) {
            out.spike.baseline_weeks = weeks;
        } else {
            errors.push(format!("belt.baseline_weeks: {weeks} is not between 1 and 104"));
        }
    }
    if let Some(alpha) = file.spike_alpha {
        if alpha > 0.0 && alpha < 1.0 {
            out.spike.alpha = alpha;
        } else {
            errors.push(format!("belt.spike_alpha: {alpha} is not between 0 and 1"));
        }
    }
    out
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IngestFileConfig {
    pub max_document_bytes: Option<u64>,
    pub max_input_bytes: Option<u64>,
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
    pub belt: BeltSettings,
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
            Command::Ingest(args) => Some(ingest_options(&file.ingest, Some(args), &mut errors)),
            // Nodes ingest queued jobs with their own configuration, under what each job says.
            Command::Serve(_) | Command::Worker(_) => Some(ingest_options(&file.ingest, None, &mut errors)),
            _ => None,
        };
        let belt = belt_settings(&file.belt, &mut errors);
        fail_on(errors)?;
        Ok(Self { db, ingest, db_named, source_ratings, belt })
    }
}

/// The ingest options from flags over environment over file over defaults; every
/// invalid value is added to `errors`.
fn ingest_options(file: &IngestFileConfig, args: Option<&IngestArgs>, errors: &mut Vec<String>) -> IngestOptions {
    let mut options = IngestOptions::default();
    if let Some(tlp) = args.and_then(|a| a.tlp.as_ref()).or(file.tlp.as_ref()) {
        match Tlp::parse_loose(tlp) {
            Ok(tlp) => options.tlp = tlp,
            Err(e) => errors.push(format!("tlp: {e}")),
        }
    }
    if let Some(distribution) = args.and_then(|a| a.distribution.as_ref()).or(file.distribution.as_ref()) {
        match distribution.as_str() {
            "organisation" => options.distribution = Distribution::Organisation,
            "all_partners" => options.distribution = Distribution::AllPartners,
            other => errors.push(format!(
                "distribution: {other:?} is not one of organisation, all_partners (sharing groups come with the server)"
            )),
        }
    }
    if let Some(bytes) = args.and_then(|a| a.max_document_bytes).or(file.max_document_bytes) {
        if bytes == 0 {
            errors.push("max_document_bytes: must be more than 0".into());
        }
        options.limits.max_document_bytes = bytes;
    }
    if let Some(bytes) = args.and_then(|a| a.max_input_bytes).or(file.max_input_bytes) {
        if bytes == 0 {
            errors.push("max_input_bytes: must be more than 0".into());
        }
        options.limits.max_input_bytes = bytes;
    }
    if let Some(size) = args.and_then(|a| a.batch_size).or(file.batch_size) {
        if !(1..=100_000).contains(&size) {
            errors.push(format!("batch_size: {size} is not between 1 and 100000"));
        }
        options.batch_size = size;
    }
    options.default_source = args.and_then(|a| a.source.clone()).or_else(|| file.default_source.clone());
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
