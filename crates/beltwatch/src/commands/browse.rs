//! Reading the store: `documents`, `show`, `search`, `sources`.

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use model::{Precision, When};
use store::{DocumentFilter, DocumentSummary, Page, SearchQuery, Store};

use super::Status;
use crate::cli::{FilterArgs, Format, ListArgs, SearchArgs, ShowArgs};
use crate::output::outln;
use crate::output::{self, Table};

pub fn documents(store: &Store, args: &ListArgs, format: Format) -> anyhow::Result<Status> {
    let filter = filter(&args.filter)?;
    let listing = store.documents(&filter, &Page { limit: args.limit, after: args.after.clone() })?;
    let total = store.count_documents(&filter)?;
    match format {
        Format::Json => output::json(&serde_json::json!({
            "items": listing.items, "next": listing.next, "total": total,
        }))?,
        Format::Table => {
            print_documents(&listing.items);
            let shown = listing.items.len();
            match &listing.next {
                Some(next) => outln!("{shown} shown of {total}; next page: --after {next}"),
                None if shown == 0 => outln!("no documents match"),
                None => outln!("{shown} shown of {total}"),
            }
        }
    }
    Ok(Status::Clean)
}

pub fn print_documents(documents: &[DocumentSummary]) {
    let mut table = Table::new(&[("ID", 8), ("PUBLISHED", 10), ("LANG", 4), ("SOURCE", 26), ("TITLE", 70)]);
    for d in documents {
        table.row(vec![
            short_id(&d.id.to_string()),
            date(d.published),
            d.language.to_string(),
            d.source_name.clone().unwrap_or_default(),
            d.title.clone().unwrap_or_else(|| "(untitled)".into()),
        ]);
    }
    if !table.is_empty() {
        table.print();
    }
}

pub fn show(store: &Store, args: &ShowArgs, format: Format) -> anyhow::Result<Status> {
    let Some(document) = store.document(&args.id)? else {
        bail!("no document has the id {:?}", args.id);
    };
    match format {
        Format::Json => output::json(&document)?,
        Format::Table => {
            let field = |name: &str, value: String| outln!("{name:<12} {value}");
            field("id", document.id.to_string());
            field("title", document.title.clone().unwrap_or_default());
            field("source", document.source_name.clone().unwrap_or_default());
            field("url", document.url.clone().unwrap_or_default());
            field("published", document.published.map(|w| w.to_string()).unwrap_or_default());
            field("ingested", document.ingested_at.format("%Y-%m-%d %H:%M:%S UTC").to_string());
            field("language", format!("{} ({:.0}%)", document.language, document.language_confidence * 100.0));
            field("format", document.format.to_string());
            field("origin", document.origin.clone());
            field("marking", format!("{} / {}", document.marking.tlp.label(), document.marking.distribution.level()));
            field("hash", document.content_hash.to_hex());
            outln!();
            outln!("{}", if args.raw { &document.raw } else { &document.text });
        }
    }
    Ok(Status::Clean)
}

pub fn search(store: &Store, args: &SearchArgs, format: Format) -> anyhow::Result<Status> {
    let query = SearchQuery::parse(&args.query.join(" "))?;
    let hits = store.search(&query, &filter(&args.filter)?, args.limit)?;
    match format {
        Format::Json => output::json(&hits)?,
        Format::Table => {
            if hits.is_empty() {
                outln!("no documents match");
            }
            for hit in &hits {
                let d = &hit.document;
                outln!(
                    "{}  {}  {}  {}",
                    short_id(&d.id.to_string()),
                    date(d.published),
                    d.language,
                    d.title.as_deref().unwrap_or("(untitled)")
                );
                outln!("          {}", hit.snippet.replace('\n', " "));
            }
        }
    }
    Ok(Status::Clean)
}

pub fn sources(store: &Store, format: Format) -> anyhow::Result<Status> {
    let sources = store.sources()?;
    match format {
        Format::Json => output::json(&sources)?,
        Format::Table => {
            let mut table = Table::new(&[("SOURCE", 40), ("KIND", 7), ("RELIABILITY", 11), ("DOCUMENTS", 9)]);
            for s in &sources {
                table.row(vec![
                    s.source.name.clone(),
                    s.source.kind.to_string(),
                    s.source.reliability.to_string(),
                    s.documents.to_string(),
                ]);
            }
            table.print();
        }
    }
    Ok(Status::Clean)
}

fn filter(args: &FilterArgs) -> anyhow::Result<DocumentFilter> {
    let instant = |text: &Option<String>, flag: &str| -> anyhow::Result<Option<DateTime<Utc>>> {
        text.as_deref().map(|t| When::parse(t).map(|w| w.at).with_context(|| format!("--{flag}"))).transpose()
    };
    Ok(DocumentFilter {
        since: instant(&args.since, "since")?,
        until: instant(&args.until, "until")?,
        language: args.language.as_deref().map(str::parse).transpose().context("--language")?,
        source: args.source.clone(),
        // The command line is the instance's own operator: it sees every record.
        visible_to: None,
    })
}

fn short_id(id: &str) -> String {
    id.chars().take(8).collect()
}

/// A publication as a date, or as the month (`2022-05`) or year (`2022`) it is known to.
fn date(when: Option<When>) -> String {
    match when {
        Some(w) if w.precision == Precision::Second => w.at.format("%Y-%m-%d").to_string(),
        Some(w) => w.to_text(),
        None => "-".into(),
    }
}
