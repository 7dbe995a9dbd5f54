//! `beltwatch alerts`: rules and alerts from the command line; `check` evaluates once
//! (the server evaluates on its own as events arrive).

use anyhow::Context;
use model::{AlertCondition, ThreatLevel};
use serde_json::json;
use store::Store;

use super::Status;
use crate::cli::{AlertsCommand, Format};
use crate::config::Settings;
use crate::output::{self, Table, outln};

fn area(text: &str) -> anyhow::Result<Vec<[f64; 2]>> {
    let points = text
        .split_whitespace()
        .map(|pair| {
            let (lon, lat) = pair.split_once(',').with_context(|| format!("--area: {pair:?} is not lon,lat"))?;
            let p = [lon.trim().parse::<f64>()?, lat.trim().parse::<f64>()?];
            anyhow::ensure!(
                (-180.0..=180.0).contains(&p[0]) && (-90.0..=90.0).contains(&p[1]),
                "--area: {pair:?} is out of range"
            );
            Ok(p)
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    anyhow::ensure!(points.len() >= 3, "--area needs at least 3 points");
    Ok(points)
}

pub fn run(store: &Store, settings: &Settings, command: &AlertsCommand, format: Format) -> anyhow::Result<Status> {
    match command {
        AlertsCommand::AddRule {
            name,
            organisation,
            category,
            actor,
            event_type,
            sector,
            area: polygon,
            level,
            spike,
            webhook,
            secret,
        } => {
            let condition = AlertCondition {
                category: category.as_deref().map(str::parse).transpose().context("--category")?,
                actor: actor.as_deref().map(str::parse).transpose().context("--actor")?,
                event_type: event_type.as_deref().map(str::parse).transpose().context("--type")?,
                sector: sector
                    .as_deref()
                    .map(|s| s.trim().to_ascii_uppercase().parse())
                    .transpose()
                    .context("--sector")?,
                area: polygon.as_deref().map(area).transpose()?,
                level_at_least: level.as_deref().map(str::parse::<ThreatLevel>).transpose().context("--level")?,
                spike: *spike,
            };
            anyhow::ensure!(
                condition != AlertCondition::default(),
                "give at least one condition (--category, --area, --level, ...)"
            );
            if let Some(secret) = secret {
                anyhow::ensure!(secret.chars().count() >= 16, "--secret must be at least 16 characters");
            }
            // As the API does: a rule names only actors and sectors this instance knows.
            if condition.actor.is_some() || condition.sector.is_some() {
                let extractor = super::extraction::extractor()?;
                let dictionaries = extractor.dictionaries();
                if let Some(actor) = &condition.actor {
                    anyhow::ensure!(
                        dictionaries.actors.iter().any(|a| a.id == *actor),
                        "--actor: no actor {actor} in the dictionary (data/actors.tsv)"
                    );
                }
                if let Some(sector) = &condition.sector {
                    let watched = pipeline::belt::sectors(&settings.belt, dictionaries).context("belt.borders")?;
                    anyhow::ensure!(
                        watched.sectors.iter().any(|s| s.id == *sector),
                        "--sector: no sector {sector} on the watched borders (`beltwatch belt` lists them)"
                    );
                }
            }
            let org = super::admin::organisation(store, organisation)?;
            let webhook = webhook.as_deref().zip(secret.as_deref());
            let rule = store.create_alert_rule(org, name, &condition, webhook)?;
            match format {
                Format::Json => output::json(&rule)?,
                Format::Table => outln!("rule {} {} added", rule.id, rule.name),
            }
        }
        AlertsCommand::Rules => {
            let rules = store.alert_rules(None)?;
            match format {
                Format::Json => output::json(&rules)?,
                Format::Table => {
                    let mut table =
                        Table::new(&[("ID", 36), ("NAME", 24), ("CONDITION", 60), ("WEBHOOK", 30), ("", 8)]);
                    for r in &rules {
                        table.row(vec![
                            r.id.to_string(),
                            r.name.clone(),
                            serde_json::to_string(&r.condition).unwrap_or_default(),
                            r.webhook_url.clone().unwrap_or_default(),
                            if r.disabled_at.is_some() { "disabled".into() } else { String::new() },
                        ]);
                    }
                    table.print();
                }
            }
        }
        AlertsCommand::List { organisation, limit } => {
            let org = super::admin::organisation(store, organisation)?;
            let alerts = store.alerts(org, None, (*limit).max(1))?;
            match format {
                Format::Json => output::json(&alerts)?,
                Format::Table => {
                    let mut table = Table::new(&[("FIRED", 16), ("STATUS", 12), ("SECTOR", 9), ("TITLE", 80)]);
                    for a in &alerts {
                        table.row(vec![
                            a.fired_at.format("%Y-%m-%d %H:%M").to_string(),
                            a.status.to_string(),
                            a.sector.as_ref().map(ToString::to_string).unwrap_or_default(),
                            a.title.clone(),
                        ]);
                    }
                    table.print();
                }
            }
        }
        AlertsCommand::Check => {
            let extractor = super::extraction::extractor()?;
            let built = pipeline::belt::sectors(&settings.belt, extractor.dictionaries())?;
            let today = chrono::Utc::now().date_naive();
            let raised = api::alerts::evaluate(store, extractor.dictionaries(), &built, &settings.belt, today)?;
            match format {
                Format::Json => output::json(&json!({ "raised": raised }))?,
                Format::Table => {
                    for a in &raised {
                        outln!("{}", a.title);
                    }
                    outln!("{} alert(s) raised; webhooks are delivered by `beltwatch serve`", raised.len());
                }
            }
        }
    }
    Ok(Status::Clean)
}
