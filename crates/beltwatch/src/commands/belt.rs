//! The belt: `belt`, `explain`, `trends`, `corroborate` and `export`. Each loads the stored
//! events, merges reports of one incident (respecting merges an analyst undid), places
//! them in the sectors and assesses as of a date.

use anyhow::{Context, bail};
use belt::sectors::embedded_borders;
use chrono::NaiveDate;
use model::{Category, EventId};
use pipeline::belt::{Belt, borders_json, contribution_json, round, sector_json};
use serde_json::json;
use store::Store;

use super::Status;
use crate::cli::{
    AsOfArgs, BeltArgs, CorroborateArgs, ExplainArgs, ExportArgs, ExportWhat, Format, SectorSort, TrendsArgs,
};
use crate::config::{BeltSettings, Settings};

/// The sectors of the configured borders, named after the gazetteer's places.
pub fn sectors(settings: &BeltSettings) -> anyhow::Result<pipeline::belt::Sectors> {
    let extractor = super::extraction::extractor()?;
    Ok(pipeline::belt::sectors(settings, extractor.dictionaries())?)
}

/// Everything the local operator may see (all of it).
pub fn load(store: &Store, settings: &BeltSettings) -> anyhow::Result<Belt> {
    let extractor = super::extraction::extractor()?;
    let built = pipeline::belt::sectors(settings, extractor.dictionaries())?;
    Ok(pipeline::belt::load(store, settings, extractor.dictionaries(), &built, None)?)
}
use crate::output::{self, Table, outln};

fn as_of(args: &AsOfArgs) -> anyhow::Result<NaiveDate> {
    match &args.as_of {
        Some(text) => NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .with_context(|| format!("--as-of {text:?}: expected a date such as 2026-11-29")),
        None => Ok(chrono::Utc::now().date_naive()),
    }
}

fn category(text: &Option<String>) -> anyhow::Result<Option<Category>> {
    text.as_deref().map(|c| c.trim().parse::<Category>().map_err(anyhow::Error::from)).transpose()
}

pub fn borders(settings: &Settings, format: Format) -> anyhow::Result<Status> {
    let sectors = sectors(&settings.belt)?.sectors;
    let all = embedded_borders()?;
    let belt = Belt { sectors, events: Vec::new(), incidents: Vec::new(), placed: Vec::new(), owners: Vec::new() };
    let rows = borders_json(&belt);
    match format {
        Format::Json => output::json(&json!({
            "sector_km": settings.belt.spec.length_km,
            "depth_km": settings.belt.spec.depth_km,
            "borders": rows,
            "available": all.iter().map(|b| b.id.as_str()).collect::<Vec<_>>(),
        }))?,
        Format::Table => {
            let mut table = Table::new(&[("BORDER", 6), ("KM", 6), ("SECTORS", 7)]);
            for r in &rows {
                table.row(vec![
                    r["border"].as_str().unwrap_or_default().to_owned(),
                    format!("{:.0}", r["length_km"].as_f64().unwrap_or(0.0)),
                    r["sectors"].to_string(),
                ]);
            }
            table.print();
            outln!(
                "geodesic lengths of Natural Earth 1:10m lines; sectors of about {} km reaching {} km each side",
                settings.belt.spec.length_km,
                settings.belt.spec.depth_km
            );
            outln!("borders in the data: {}", all.iter().map(|b| b.id.as_str()).collect::<Vec<_>>().join(", "));
        }
    }
    Ok(Status::Clean)
}

pub fn belt(store: &Store, settings: &Settings, args: &BeltArgs, format: Format) -> anyhow::Result<Status> {
    let belt = load(store, &settings.belt)?;
    let as_of = as_of(&args.as_of)?;
    let assessment = belt.assess(&settings.belt, as_of);
    let category = category(&args.category)?;
    let borders: Vec<String> = args.borders.iter().map(|b| b.trim().to_ascii_uppercase()).collect();
    let mut rows: Vec<usize> = (0..belt.sectors.len())
        .filter(|&s| {
            borders.is_empty() || {
                let b = &belt.sectors[s].border;
                let reversed: String = b.split('-').rev().collect::<Vec<_>>().join("-");
                borders.contains(b) || borders.contains(&reversed)
            }
        })
        .collect();
    if !borders.is_empty() && rows.is_empty() {
        bail!("no watched border is {} (watched: {})", borders.join(", "), settings.belt.borders.join(", "));
    }
    let score = |s: usize| match category {
        Some(c) => assessment.sectors[s].by_category.get(&c).map_or(0.0, |x| x.0),
        None => assessment.sectors[s].score,
    };
    match args.sort {
        SectorSort::Score => rows.sort_by(|&a, &b| score(b).total_cmp(&score(a)).then(a.cmp(&b))),
        SectorSort::Id => {}
        SectorSort::Name => rows.sort_by(|&a, &b| belt.sectors[a].name.cmp(&belt.sectors[b].name)),
    }
    if args.limit > 0 {
        rows.truncate(args.limit);
    }
    match format {
        Format::Json => output::json(&json!({
            "as_of": as_of.to_string(),
            "borders": borders_json(&belt),
            "sectors": rows.iter().map(|&s| sector_json(&belt, &assessment, s)).collect::<Vec<_>>(),
            "outside_the_belt": assessment.regions.iter().map(|r| json!({
                "country": r.country.as_str(),
                "province": r.province,
                "category": r.category.as_str(),
                "incidents": r.incidents,
                "score": round(r.score),
            })).collect::<Vec<_>>(),
        }))?,
        Format::Table => {
            let mut table = Table::new(&[
                ("SECTOR", 9),
                ("NAME", 18),
                ("KM", 5),
                ("LEVEL", 8),
                ("SCORE", 6),
                ("INCIDENTS", 9),
                ("BY CATEGORY", 60),
            ]);
            for &s in &rows {
                let level = &assessment.sectors[s];
                let sector = &belt.sectors[s];
                let (shown_score, shown_level) = match category {
                    Some(c) => level.by_category.get(&c).copied().unwrap_or((0.0, model::ThreatLevel::Low)),
                    None => (level.score, level.level),
                };
                table.row(vec![
                    sector.id.to_string(),
                    sector.name.clone(),
                    format!("{:.0}", sector.length_km),
                    shown_level.to_string(),
                    format!("{shown_score:.1}"),
                    level.contributions.len().to_string(),
                    level
                        .by_category
                        .iter()
                        .map(|(c, (sc, l))| format!("{c} {l} {sc:.1}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                ]);
            }
            table.print();
            let mut outside: Vec<_> = assessment.regions.iter().collect();
            outside.sort_by(|a, b| b.score.total_cmp(&a.score));
            if !outside.is_empty() {
                outln!();
                outln!("away from the belt (by province):");
                for r in outside.iter().take(5) {
                    outln!(
                        "  {} {}: {} {} incident(s), score {:.1}",
                        r.country,
                        r.province.as_deref().unwrap_or("(province unknown)"),
                        r.category,
                        r.incidents,
                        r.score
                    );
                }
                outln!();
            }
            outln!(
                "{} of {} sectors on {} as of {as_of}; `beltwatch explain SECTOR` says why",
                rows.len(),
                belt.sectors.len(),
                settings.belt.borders.join(", ")
            );
        }
    }
    Ok(Status::Clean)
}

pub fn explain(store: &Store, settings: &Settings, args: &ExplainArgs, format: Format) -> anyhow::Result<Status> {
    let belt = load(store, &settings.belt)?;
    let s = belt.sector(&args.sector).context("`beltwatch belt --sort id` lists the sectors")?;
    let as_of = as_of(&args.as_of)?;
    let assessment = belt.assess(&settings.belt, as_of);
    let level = &assessment.sectors[s];
    let sector = &belt.sectors[s];
    let shown = &level.contributions[..level.contributions.len().min(args.limit)];
    match format {
        Format::Json => {
            let mut value = sector_json(&belt, &assessment, s);
            value["as_of"] = json!(as_of.to_string());
            value["model"] = json!({
                "window_days": settings.belt.model.window_days,
                "half_life_days": settings.belt.model.half_life_days,
                "thresholds": settings.belt.model.thresholds,
            });
            value["contributions"] = shown.iter().map(|c| contribution_json(&belt, c)).collect();
            output::json(&value)?;
        }
        Format::Table => {
            let [m, h, c] = settings.belt.model.thresholds;
            outln!(
                "{} {} ({}, {:.0} km): {} at {:.1} as of {as_of} (medium from {m}, high from {h}, critical from {c})",
                sector.id,
                sector.name,
                sector.border,
                sector.length_km,
                level.level,
                level.score
            );
            for (cat, (score, l)) in &level.by_category {
                outln!("  {cat}: {l} at {score:.1}");
            }
            if shown.is_empty() {
                outln!(
                    "no incident in the last {} days lies within {} km of this sector's line",
                    settings.belt.model.window_days,
                    sector.depth_km
                );
            }
            for (k, c) in shown.iter().enumerate() {
                let inc = &belt.incidents[c.incident];
                let first = &belt.events[inc.events[0]];
                outln!();
                outln!(
                    "{}. {:.2}  {} {} {} at {} — credibility {} ({} report(s), {} outlet(s){})",
                    k + 1,
                    c.weight,
                    c.date,
                    c.category,
                    first.event_type,
                    first.place_name.as_deref().unwrap_or("?"),
                    inc.credibility.as_str(),
                    inc.events.len(),
                    inc.independent_sources,
                    if inc.contested() { ", contested" } else { "" }
                );
                outln!("   {}", c.why);
                outln!("   incident {}", first.id);
            }
            if level.contributions.len() > shown.len() {
                outln!();
                outln!("{} more with less weight; --limit shows more", level.contributions.len() - shown.len());
            }
        }
    }
    Ok(Status::Clean)
}

pub fn trends(store: &Store, settings: &Settings, args: &TrendsArgs, format: Format) -> anyhow::Result<Status> {
    let belt = load(store, &settings.belt)?;
    let as_of = as_of(&args.as_of)?;
    let only = category(&args.category)?;
    let spike_model = settings.belt.spike;
    let by = format!("{:?}", args.by).to_lowercase();
    let mut rows = pipeline::belt::trend_rows(&belt, &by, only, args.weeks.max(1), &spike_model, as_of);
    if args.flagged {
        rows.retain(|r| r.spike.flagged);
    }
    let shown_weeks = args.weeks.max(1);
    match format {
        Format::Json => output::json(&json!({
            "as_of": as_of.to_string(),
            "week_of_as_of": belt::trend::week_start(as_of).to_string(),
            "by": by,
            "baseline_weeks": spike_model.baseline_weeks,
            "alpha": spike_model.alpha,
            "rows": rows.iter().map(pipeline::belt::TrendRow::to_json).collect::<Vec<_>>(),
        }))?,
        Format::Table => {
            let mut table = Table::new(&[
                ("KEY", 28),
                ("WEEKLY (oldest first)", 3 * shown_weeks),
                ("LAST", 4),
                ("EXPECTED", 8),
                ("P(≥LAST)", 9),
                ("SPIKE", 5),
            ]);
            for r in &rows {
                table.row(vec![
                    r.key.clone(),
                    r.weekly.iter().map(|c| format!("{c:>2}")).collect::<Vec<_>>().join(" "),
                    r.spike.count.to_string(),
                    format!("{:.2}", r.spike.expected),
                    format!("{:.4}", r.spike.probability),
                    if r.spike.flagged { "yes".into() } else { String::new() },
                ]);
            }
            table.print();
            outln!(
                "week of {} against the {} weeks before it; a spike is P < {}",
                belt::trend::week_start(as_of),
                spike_model.baseline_weeks,
                spike_model.alpha
            );
        }
    }
    Ok(Status::Clean)
}

pub fn corroborate(
    store: &Store,
    settings: &Settings,
    args: &CorroborateArgs,
    format: Format,
) -> anyhow::Result<Status> {
    if let Some(incident) = &args.undo {
        let id: EventId = incident.trim().parse().with_context(|| format!("--undo {incident:?}"))?;
        let undone = store.unlink(id)?;
        if undone == 0 {
            bail!("incident {incident} has no merge to undo (`beltwatch explain SECTOR` shows incident ids)");
        }
        match format {
            Format::Json => output::json(&json!({ "incident": incident, "undone": undone }))?,
            Format::Table => outln!("undid {undone} link(s) of incident {incident}; its reports stand apart"),
        }
        return Ok(Status::Clean);
    }
    let belt = load(store, &settings.belt)?;
    let (links, added) = pipeline::belt::record_corroboration(store, &belt, None)?;
    let merged = belt.incidents.iter().filter(|i| i.events.len() > 1).count();
    let contested = belt.incidents.iter().filter(|i| i.contested()).count();
    match format {
        Format::Json => output::json(&json!({
            "events": belt.events.len(),
            "incidents": belt.incidents.len(),
            "merged_incidents": merged,
            "contested_incidents": contested,
            "links": links,
            "new_links": added,
        }))?,
        Format::Table => outln!(
            "{} events make {} incidents: {merged} merged from several reports, {contested} contested; \
             {} links, {added} new",
            belt.events.len(),
            belt.incidents.len(),
            links
        ),
    }
    Ok(Status::Clean)
}

pub fn export(store: &Store, settings: &Settings, args: &ExportArgs) -> anyhow::Result<Status> {
    let belt = load(store, &settings.belt)?;
    let as_of = as_of(&args.as_of)?;
    let assessment = belt.assess(&settings.belt, as_of);
    let collection = match args.what {
        ExportWhat::Sectors => pipeline::belt::sectors_geojson(&belt, &assessment, true),
        ExportWhat::SectorLines => pipeline::belt::sectors_geojson(&belt, &assessment, false),
        ExportWhat::Events => pipeline::belt::events_geojson(&belt),
        ExportWhat::Stix | ExportWhat::Misp | ExportWhat::Acled => anyhow::bail!("{:?} is not GeoJSON", args.what),
    };
    match &args.output {
        Some(path) => {
            let bytes = serde_json::to_vec(&collection).context("writing GeoJSON")?;
            output::write_file(path, &bytes)?;
            eprintln!("wrote {} features to {}", collection["features"].as_array().map_or(0, Vec::len), path.display());
        }
        None => output::json(&collection)?,
    }
    Ok(Status::Clean)
}
