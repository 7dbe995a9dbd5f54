//! `beltwatch extract`, `events`, `reextract` and `eval`: extraction seen from the
//! command line.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use anyhow::{Context, bail};
use chrono::NaiveDate;
use extract::eval::{Article, Gold, Report, Scores};
use extract::{Extraction, Extractor};
use formats::{InputKind, Limits};
use indicatif::{ProgressBar, ProgressStyle};
use model::When;
use store::{EventFilter, Page, Store};

use super::Status;
use crate::cli::{EvalArgs, EventsArgs, ExtractArgs, Format, ReextractArgs};
use crate::output::outln;
use crate::output::{self, Table, truncate};

/// The extractor over the embedded dictionaries, built once per process.
pub fn extractor() -> anyhow::Result<Arc<Extractor>> {
    static EXTRACTOR: OnceLock<Result<Arc<Extractor>, String>> = OnceLock::new();
    EXTRACTOR
        .get_or_init(|| Extractor::embedded().map(Arc::new).map_err(|e| e.to_string()))
        .clone()
        .map_err(|e| anyhow::anyhow!("the embedded dictionaries are broken: {e}"))
}

pub fn fingerprint() -> String {
    extract::dict::embedded_fingerprint()
}

pub fn extract(args: &ExtractArgs, format: Format) -> anyhow::Result<Status> {
    // One report: no more than the document limit is read.
    let limit = Limits::DEFAULT_MAX_DOCUMENT_BYTES;
    let (origin, read, kind) = if args.input == "-" {
        let read = pipeline::read_at_most(std::io::stdin().lock(), limit, 0).context("reading standard input")?;
        ("stdin".to_owned(), read, InputKind::Text)
    } else {
        let path = Path::new(&args.input);
        let extension = path.extension().map(|e| e.to_string_lossy().into_owned()).unwrap_or_default();
        let kind = InputKind::from_extension(&extension).unwrap_or(InputKind::Text);
        let read = std::fs::File::open(path)
            .and_then(|file| pipeline::read_at_most(file, limit, 0))
            .with_context(|| format!("reading {}", args.input))?;
        (args.input.clone(), read, kind)
    };
    let Some(bytes) = read else { bail!("{origin}: larger than the limit of {limit} bytes for one report") };
    let decoded = formats::decode(&origin, kind, &bytes);
    if let Some(problem) = decoded.diagnostics.first() {
        bail!("{problem}");
    }
    let Some(candidate) = decoded.candidates.into_iter().next() else { bail!("{origin}: no report in it") };
    let prepared = formats::prepare(candidate, &Limits::default()).map_err(|p| anyhow::anyhow!("{origin}: {p}"))?;
    // The day relative dates count from: a month or a year gives none, and today is no
    // stand-in for a publication known to be earlier.
    let published = match (&args.published, prepared.candidate.published) {
        (Some(text), _) => When::parse(text).context("--published")?.known_day(),
        (None, Some(when)) => when.known_day(),
        (None, None) => Some(chrono::Utc::now().date_naive()),
    };
    let text = &prepared.candidate.text;
    let extraction = extractor()?.extract(text, published);
    match format {
        Format::Json => output::json(&serde_json::json!({
            "text": text, "language": prepared.language, "published": published, "extraction": extraction,
        }))?,
        Format::Table => print_extraction(text, &extraction),
    }
    Ok(Status::Clean)
}

fn quote(text: &str, span: model::Span) -> String {
    format!("«{}» @{}..{}", span.slice(text).unwrap_or("?").replace('\n', " "), span.start, span.end)
}

fn print_extraction(text: &str, x: &Extraction) {
    outln!("categories  {}", x.categories.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", "));
    outln!("date        {}", x.event_date.map(|d| d.to_string()).unwrap_or_else(|| "-".into()));
    outln!();
    let mut table = Table::new(&[("KIND", 8), ("WHAT", 40), ("TEXT", 60)]);
    for m in &x.mentions {
        table.row(vec![m.kind.to_string(), m.resolved.clone(), quote(text, m.span)]);
    }
    if !table.is_empty() {
        table.print();
        outln!();
    }
    for place in &x.places {
        outln!(
            "place       {} ({}, {}, {}) at {:.3}, {:.3}",
            place.name,
            place.kind,
            place.country,
            place.id,
            place.point.lon(),
            place.point.lat()
        );
    }
    for u in &x.unlisted_places {
        outln!(
            "place       {} ({} not in the gazetteer, {}{})",
            u.name,
            u.kind,
            u.country,
            u.within.as_ref().map(|w| format!(", in {}", w.name)).unwrap_or_default()
        );
    }
    for d in &x.denials {
        outln!(
            "denial      by {}: {}",
            d.actor.as_ref().map(|a| a.to_string()).unwrap_or_else(|| "(unknown)".into()),
            truncate(d.span.slice(text).unwrap_or("?"), 100)
        );
    }
    for c in &x.claims {
        outln!(
            "claim       {} by {}: {}",
            c.stance,
            c.speaker.as_ref().map(|a| a.to_string()).unwrap_or_default(),
            truncate(c.span.slice(text).unwrap_or("?"), 100)
        );
    }
    for (i, e) in x.events.iter().enumerate() {
        outln!();
        outln!(
            "event {}     {} / {} — {} — {} — confidence {:.2}",
            i + 1,
            e.category,
            e.event_type,
            e.when.map(|w| w.to_string()).unwrap_or_else(|| "-".into()),
            e.place.as_ref().map(|p| format!("{} ({})", p.name, p.country)).unwrap_or_else(|| "-".into()),
            e.confidence
        );
        for a in &e.actors {
            outln!("  actor     {} as {}: {}", a.actor, a.role, quote(text, a.span));
        }
        for q in &e.quantities {
            outln!("  quantity  {} {} {}: {}", q.value, q.unit, q.kind, quote(text, q.span));
        }
        for s in &e.sentences {
            outln!("  from      {}", truncate(s.slice(text).unwrap_or("?"), 110));
        }
    }
}

pub fn events(store: &Store, args: &EventsArgs, format: Format) -> anyhow::Result<Status> {
    let instant = |text: &Option<String>, flag: &str| -> anyhow::Result<_> {
        text.as_deref().map(|t| When::parse(t).map(|w| w.at).with_context(|| format!("--{flag}"))).transpose()
    };
    let actor = match &args.actor {
        None => None,
        Some(name) => {
            let spellings = extractor()?.dictionaries().actor_spellings();
            let key = extract::fold::fold_pattern(name, false).unwrap_or_default();
            Some(spellings.get(&key).cloned().with_context(|| format!("--actor: no actor is called {name:?}"))?)
        }
    };
    let filter = EventFilter {
        since: instant(&args.since, "since")?,
        until: instant(&args.until, "until")?,
        category: args.category.as_deref().map(str::parse).transpose().context("--category")?,
        event_type: args.event_type.as_deref().map(str::parse).transpose().context("--type")?,
        country: args.country.as_deref().map(str::parse).transpose().context("--country")?,
        actor,
        document: None,
        id: None,
        owner: None,
        // The command line is the instance's own operator: it sees every record.
        visible_to: None,
    };
    let listing = store.events(&filter, &Page { limit: args.limit, after: args.after.clone() })?;
    let total = store.count_events(&filter)?;
    match format {
        Format::Json => {
            output::json(&serde_json::json!({ "items": listing.items, "next": listing.next, "total": total }))?
        }
        Format::Table => {
            let mut table = Table::new(&[
                ("ID", 8),
                ("WHEN", 10),
                ("CATEGORY", 19),
                ("TYPE", 22),
                ("PLACE", 26),
                ("ACTORS", 30),
                ("QUANTITIES", 40),
            ]);
            for e in &listing.items {
                table.row(vec![
                    e.id.to_string().chars().take(8).collect(),
                    e.when.map(|w| w.at.format("%Y-%m-%d").to_string()).unwrap_or_else(|| "-".into()),
                    e.category.to_string(),
                    format!("{}{}", e.event_type, if e.stance == model::Stance::Asserted { "" } else { " (disputed)" }),
                    e.place
                        .as_ref()
                        .map(|p| format!("{}, {}", p.name, p.country.map(|c| c.to_string()).unwrap_or_default()))
                        .unwrap_or_default(),
                    e.actors.iter().map(|a| a.actor.to_string()).collect::<Vec<_>>().join(" "),
                    e.quantities
                        .iter()
                        .map(|q| format!("{} {} {}", q.value, q.unit, q.kind))
                        .collect::<Vec<_>>()
                        .join(", "),
                ]);
            }
            if table.is_empty() {
                outln!("no events match");
            } else {
                table.print();
            }
            match &listing.next {
                Some(next) => outln!("{} shown of {total}; next page: --after {next}", listing.items.len()),
                None if !listing.items.is_empty() => outln!("{} shown of {total}", listing.items.len()),
                None => {}
            }
        }
    }
    Ok(Status::Clean)
}

pub fn reextract(store: &Store, args: &ReextractArgs, format: Format) -> anyhow::Result<Status> {
    let total = store.count_documents(&store::DocumentFilter::default())?;
    let bar = if std::io::stderr().is_terminal() { ProgressBar::new(total) } else { ProgressBar::hidden() };
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} documents ({elapsed}, {per_sec})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let started = std::time::Instant::now();
    let done = pipeline::reextract(store, extractor()?.as_ref(), &fingerprint(), args.all, &mut |n| bar.inc(n))?;
    bar.finish_and_clear();
    let events = store.count_events(&EventFilter::default())?;
    match format {
        Format::Json => output::json(&serde_json::json!({
            "documents": total, "reextracted": done, "events": events, "seconds": started.elapsed().as_secs_f64(),
        }))?,
        Format::Table => outln!(
            "re-extracted {done} of {total} documents in {:.2} s; the store holds {events} events",
            started.elapsed().as_secs_f64()
        ),
    }
    Ok(Status::Clean)
}

/// Reads a JSON Lines file of `T`, naming the file and line of any bad record.
fn read_jsonl<T: serde::de::DeserializeOwned>(path: &Path) -> anyhow::Result<Vec<T>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        out.push(serde_json::from_str(line).with_context(|| format!("{}: line {}", path.display(), i + 1))?);
    }
    Ok(out)
}

pub fn eval(args: &EvalArgs, format: Format) -> anyhow::Result<Status> {
    let articles: Vec<Article> = read_jsonl(&args.articles)?;
    let gold: Vec<Gold> = read_jsonl(&args.gold)?;
    let extractor = extractor()?;
    let mut predictions = HashMap::new();
    for article in &articles {
        // The same normalisation as ingestion, so offsets and matches are the same.
        let text = formats::normalize::normalize(&article.text);
        let published = article.published.as_deref().and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
        predictions.insert(article.id.clone(), extractor.extract(&text, published));
    }
    let mut report = extract::eval::score(&extractor, &articles, &gold, &predictions);
    if !args.misses {
        report.misses.clear();
    }
    if args.json || format == Format::Json {
        output::json(&report)?;
    } else {
        print_report(&report);
    }
    Ok(Status::Clean)
}

fn print_report(report: &Report) {
    let print = |name: &str, s: &Scores| {
        outln!("{name} ({} documents)", s.documents);
        let mut table =
            Table::new(&[("FIELD", 18), ("PRECISION", 9), ("RECALL", 9), ("F1", 9), ("TP", 5), ("FP", 5), ("FN", 5)]);
        for (field, score) in [
            ("categories", &s.categories),
            ("actors", &s.actors),
            ("locations", &s.locations),
            ("location countries", &s.location_countries),
            ("quantities", &s.quantities),
            ("denials", &s.denials),
        ] {
            table.row(vec![
                field.to_owned(),
                format!("{:.3}", score.precision),
                format!("{:.3}", score.recall),
                format!("{:.3}", score.f1),
                score.true_positives.to_string(),
                score.false_positives.to_string(),
                score.false_negatives.to_string(),
            ]);
        }
        table.print();
        outln!(
            "event date accuracy {:.3} ({} of {} documents with a gold date)",
            s.event_date.accuracy,
            s.event_date.correct,
            s.event_date.with_gold_date
        );
        outln!();
    };
    print("all", &report.overall);
    for (language, scores) in &report.by_language {
        print(language, scores);
    }
    for miss in &report.misses {
        outln!("{}  {:<11} {}", miss.id, miss.field, miss.detail);
    }
}
