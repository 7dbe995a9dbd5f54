//! `beltwatch bench`: ingest throughput on generated reports, each run into a fresh
//! store, median reported. Timings belong here, never in tests.

use anyhow::Context;
use pipeline::{IngestOptions, Observer, Outcome, Target};
use serde::Serialize;
use store::Store;

use super::Status;
use crate::cli::{BenchArgs, BenchTarget, Format};
use crate::output;
use crate::output::outln;

#[derive(Serialize)]
struct Run {
    documents: u64,
    seconds: f64,
    documents_per_second: f64,
    megabytes_per_second: f64,
}

struct Quiet;

impl Observer for Quiet {
    fn outcome(&mut self, _outcome: &Outcome) {}
}

pub fn run(args: &BenchArgs, settings: &crate::config::Settings, format: Format) -> anyhow::Result<Status> {
    match args.target {
        BenchTarget::Ingest => ingest(args, format),
        BenchTarget::Extract => extract(args, format),
        BenchTarget::Belt => belt(args, settings, format),
        BenchTarget::Store => store(args, settings, format),
    }
}

/// Ingest throughput, extraction included, into the store `--db` names, then the latency
/// of event pages written as the API serves them (`Store::write_events_json`): the first
/// page, pages narrowed by category, country and time, a page 20 pages deep, and a count.
fn store(args: &BenchArgs, settings: &crate::config::Settings, format: Format) -> anyhow::Result<Status> {
    use store::{EventFilter, Page};

    let store = super::open(settings)?;
    let summary = if args.queries_only {
        None
    } else {
        let folder = match &args.reports {
            Some(folder) => folder.clone(),
            None => std::env::temp_dir().join(format!("beltwatch-bench-{}", args.documents)),
        };
        if !folder.exists() {
            eprintln!("writing {} generated reports to {}", args.documents, folder.display());
            crate::synth::write_folder(&folder, args.documents, 42)?;
        }
        anyhow::ensure!(
            store.count_events(&EventFilter::default())? == 0,
            "{} holds events already: give an empty store, or --queries-only",
            Store::redacted(&settings.db)
        );
        let options = IngestOptions {
            extractor: Some((super::extraction::extractor()?, super::extraction::fingerprint())),
            ..settings.ingest.clone().unwrap_or_default()
        };
        eprintln!("ingesting into a {} store", store.backend_name());
        let summary = pipeline::ingest(&store, &[Target::Path(folder.clone())], &options, &mut Quiet)?;
        // As `ingest` does after a large load; not counted in the ingest time.
        store.analyze()?;
        Some(summary)
    };
    let events = store.count_events(&EventFilter::default())?;

    let latest = store.events(&EventFilter::default(), &Page { limit: 1, after: None })?;
    let newest = latest.items.first().and_then(|e| e.when).map(|w| w.at).unwrap_or_else(chrono::Utc::now);
    let filters: Vec<(&str, EventFilter)> = vec![
        ("first page", EventFilter::default()),
        ("by category", EventFilter { category: Some(model::Category::BorderIncident), ..EventFilter::default() }),
        ("by country", EventFilter { country: "UZ".parse().ok(), ..EventFilter::default() }),
        ("last 30 days", EventFilter { since: Some(newest - chrono::Duration::days(30)), ..EventFilter::default() }),
    ];
    let mut timings: Vec<(String, Vec<f64>)> = Vec::new();
    let mut out = Vec::with_capacity(1 << 17);
    for (name, filter) in &filters {
        let mut ms = Vec::new();
        for _ in 0..args.queries.max(1) {
            out.clear();
            let started = std::time::Instant::now();
            store.write_events_json(filter, &Page::default(), &mut out)?;
            ms.push(started.elapsed().as_secs_f64() * 1e3);
        }
        timings.push(((*name).to_owned(), ms));
    }
    // Twenty pages in: the cursor of page 20, then that page timed.
    let mut page = Page::default();
    for _ in 0..20 {
        out.clear();
        page.after = store.write_events_json(&EventFilter::default(), &page, &mut out)?.next;
    }
    let mut ms = Vec::new();
    for _ in 0..args.queries.max(1) {
        out.clear();
        let started = std::time::Instant::now();
        store.write_events_json(&EventFilter::default(), &page, &mut out)?;
        ms.push(started.elapsed().as_secs_f64() * 1e3);
    }
    timings.push(("page 21".to_owned(), ms));
    let mut ms = Vec::new();
    for _ in 0..args.queries.clamp(1, 20) {
        let started = std::time::Instant::now();
        store.count_events(&EventFilter {
            category: Some(model::Category::DrugTrafficking),
            ..EventFilter::default()
        })?;
        ms.push(started.elapsed().as_secs_f64() * 1e3);
    }
    timings.push(("count by category".to_owned(), ms));

    let quantiles: Vec<(String, f64, f64, f64)> = timings
        .into_iter()
        .map(|(name, mut ms)| {
            ms.sort_by(f64::total_cmp);
            let at = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
            (name, at(0.5), at(0.95), at(0.99))
        })
        .collect();
    match format {
        Format::Json => output::json(&serde_json::json!({
            "benchmark": "store", "backend": store.backend_name(), "events": events,
            "documents": summary.as_ref().map(|s| s.stored),
            "ingest_seconds": summary.as_ref().map(|s| s.seconds),
            "documents_per_second": summary.as_ref().map(|s| s.stored as f64 / s.seconds),
            "events_per_second": summary.as_ref().map(|s| events as f64 / s.seconds),
            "queries": quantiles.iter().map(|(name, p50, p95, p99)| serde_json::json!({
                "query": name, "p50_ms": p50, "p95_ms": p95, "p99_ms": p99,
            })).collect::<Vec<_>>(),
        }))?,
        Format::Table => {
            match &summary {
                Some(summary) => outln!(
                    "{} store: {} documents, {events} events ingested in {:.1} s: {:.0} documents/s, {:.0} events/s",
                    store.backend_name(),
                    summary.stored,
                    summary.seconds,
                    summary.stored as f64 / summary.seconds,
                    events as f64 / summary.seconds
                ),
                None => outln!("{} store holding {events} events", store.backend_name()),
            }
            outln!("event pages of 50 as the API writes them, {} runs each:", args.queries.max(1));
            for (name, p50, p95, p99) in &quantiles {
                outln!("  {name:<18} p50 {p50:>8.2} ms   p95 {p95:>8.2} ms   p99 {p99:>8.2} ms");
            }
        }
    }
    Ok(Status::Clean)
}

/// The belt on generated events: points scattered up to 60 km either side of the watched
/// borders over a year, of every threat category. Measures assigning them to sectors,
/// merging reports of one incident, and recomputing every sector's level, each on one core.
fn belt(args: &BenchArgs, settings: &crate::config::Settings, format: Format) -> anyhow::Result<Status> {
    use belt::{BeltEvent, Source};
    use model::{Category, EventType, Quantity, QuantityKind, Reliability, Span, Stance, Unit};

    let built = super::belt::sectors(&settings.belt)?;
    let (sectors, index): (&[belt::BeltSector], _) = (&built.sectors, &built.index);
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap_or_default();
    let mut random = crate::synth::SplitMix(11);
    let kinds = [
        (Category::DrugTrafficking, EventType::Seizure, QuantityKind::Heroin, Unit::Kilogram),
        (Category::IllegalMigration, EventType::IllegalCrossing, QuantityKind::Migrants, Unit::Persons),
        (Category::WeaponsTrafficking, EventType::Seizure, QuantityKind::Firearms, Unit::Items),
        (Category::BorderIncident, EventType::ArmedClash, QuantityKind::Killed, Unit::Persons),
        (Category::Terrorism, EventType::Attack, QuantityKind::Killed, Unit::Persons),
    ];
    let outlets = ["Asia-Plus", "Khovar", "TOLOnews", "Pajhwok", "Kun.uz", "Fergana", "Sputnik Tajikistan", "Dawn"];
    let n = args.events.max(1) as usize;
    let mut events = Vec::with_capacity(n);
    for i in 0..n {
        let sector = &sectors[random.below(sectors.len() as u32) as usize];
        let (p, _) = belt::geo::point_along(&sector.line, random.unit() * sector.length_km);
        // Up to about 60 km off the line, either way.
        let point = [p[0] + (random.unit() - 0.5) * 1.4, p[1] + (random.unit() - 0.5) * 1.1];
        let (category, event_type, what, unit) = kinds[random.below(kinds.len() as u32) as usize];
        events.push(BeltEvent {
            id: format!("e{i}"),
            category,
            event_type,
            date: as_of - chrono::Duration::days(i64::from(random.below(365))),
            point: Some(point),
            place_name: None,
            country: None,
            province: None,
            stance: if random.below(50) == 0 { Stance::Disputed } else { Stance::Asserted },
            groups: Vec::new(),
            actors: Vec::new(),
            quantities: vec![Quantity {
                kind: what,
                value: f64::from(1 + random.below(40)),
                unit,
                span: Span { start: 0, end: 0 },
            }],
            sources: vec![Source {
                document: format!("d{i}"),
                outlet: outlets[random.below(outlets.len() as u32) as usize].to_owned(),
                reliability: Reliability::C,
                language: None,
            }],
        });
    }
    let mut assign_s = Vec::new();
    let mut merge_s = Vec::new();
    let mut assess_s = Vec::new();
    let mut summary = (0usize, 0usize, 0usize);
    for _ in 0..args.runs.max(1) {
        let started = std::time::Instant::now();
        let placed: Vec<_> = events.iter().map(|e| e.point.and_then(|p| index.assign(sectors, p))).collect();
        assign_s.push(started.elapsed().as_secs_f64());
        let started = std::time::Instant::now();
        let incidents = belt::corroborate::incidents(&events, &settings.belt.rules, &[]);
        merge_s.push(started.elapsed().as_secs_f64());
        let started = std::time::Instant::now();
        let assessment = belt::assess::assess(sectors, &events, &incidents, &placed, &settings.belt.model, as_of);
        assess_s.push(started.elapsed().as_secs_f64());
        summary = (
            placed.iter().flatten().count(),
            incidents.len(),
            assessment.sectors.iter().filter(|s| s.level >= model::ThreatLevel::High).count(),
        );
    }
    let (assign, merge, assess) = (median(assign_s), median(merge_s), median(assess_s));
    match format {
        Format::Json => output::json(&serde_json::json!({
            "benchmark": "belt", "events": n, "sectors": sectors.len(), "runs": args.runs.max(1),
            "in_belt": summary.0, "incidents": summary.1, "sectors_high_or_above": summary.2,
            "median_seconds": { "assign": assign, "corroborate": merge, "assess": assess },
        }))?,
        Format::Table => {
            outln!("{n} generated events, {} sectors, {} runs (medians, one core):", sectors.len(), args.runs.max(1));
            outln!("  assign to sectors  {assign:.3} s ({} in the belt)", summary.0);
            outln!("  corroborate        {merge:.3} s ({} incidents)", summary.1);
            outln!("  recompute levels   {assess:.3} s ({} sectors high or critical)", summary.2);
        }
    }
    Ok(Status::Clean)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Resident memory of this process, in megabytes (Linux), or `None` elsewhere.
fn resident_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Extraction alone, on one thread, over a corpus of realistic reports: the samples and
/// generated reports, repeated to the size asked for.
fn extract(args: &BenchArgs, format: Format) -> anyhow::Result<Status> {
    let before = resident_mb();
    let loading = std::time::Instant::now();
    let extractor = super::extraction::extractor()?;
    let load_seconds = loading.elapsed().as_secs_f64();
    let after = resident_mb();
    let texts = if args.articles.is_empty() { default_corpus() } else { articles_corpus(&args.articles)? };
    anyhow::ensure!(!texts.is_empty(), "no report text to extract from");
    let corpus_name = if args.articles.is_empty() { "development set and generated reports" } else { "articles given" };
    let corpus_bytes: usize = texts.iter().map(|(t, _)| t.len()).sum();
    let target = u64::from(args.megabytes.max(1)) * 1_000_000;
    let mut rates = Vec::new();
    for run in 0..args.runs.max(1) {
        let started = std::time::Instant::now();
        let mut bytes = 0u64;
        let mut events = 0usize;
        while bytes < target {
            for (text, published) in &texts {
                events += extractor.extract(text, *published).events.len();
                bytes += text.len() as u64;
            }
        }
        let rate = bytes as f64 / 1e6 / started.elapsed().as_secs_f64();
        if format == Format::Table {
            eprintln!("run {}: {rate:.1} MB/s ({events} events)", run + 1);
        }
        rates.push(rate);
    }
    let median = median(rates.clone());
    let scaling = pathological_scaling(&extractor);
    match format {
        Format::Json => output::json(&serde_json::json!({
            "benchmark": "extract", "pathological_scaling": scaling, "megabytes_per_run": args.megabytes, "runs": rates,
            "median_megabytes_per_second": median, "corpus_bytes": corpus_bytes, "corpus_documents": texts.len(),
            "corpus": corpus_name, "resident_mb_after_runs": resident_mb(),
            "dictionary_load_seconds": load_seconds, "resident_mb_before_load": before, "resident_mb_after_load": after,
        }))?,
        Format::Table => {
            outln!(
                "extract: median {median:.1} MB/s of report text on one core over {} runs of {} MB ({corpus_name}: {} reports, {:.2} MB)",
                rates.len(),
                args.megabytes,
                texts.len(),
                corpus_bytes as f64 / 1e6
            );
            if let (Some(before), Some(after)) = (before, after) {
                outln!(
                    "dictionaries: loaded in {load_seconds:.2} s; resident memory {before:.0} MB before, {after:.0} MB after"
                );
            }
            outln!("time for 8x the text, pathological inputs (linear is about 8):");
            for (name, ratio) in &scaling {
                outln!("  {ratio:>5.1}  {name}");
            }
        }
    }
    Ok(Status::Clean)
}

/// The development set's reports (written like real ones, in both languages), when the
/// sources are at hand, and generated bulletins.
fn default_corpus() -> Vec<(String, Option<chrono::NaiveDate>)> {
    let dev = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/eval/dev/articles.jsonl");
    let mut texts = std::fs::read_to_string(&dev)
        .map(|lines| {
            lines
                .lines()
                .filter_map(|line| serde_json::from_str::<extract::eval::Article>(line).ok())
                .map(prepared)
                .collect()
        })
        .unwrap_or_else(|_| Vec::new());
    let mut random = crate::synth::SplitMix(7);
    for n in 0..100 {
        let report = crate::synth::report(&mut random, n);
        let body = report.splitn(3, "---").nth(2).unwrap_or(&report).to_owned();
        texts.push((formats::normalize::normalize(&body), chrono::NaiveDate::from_ymd_opt(2026, 11, 1)));
    }
    texts
}

/// Every article of the files, as ingestion would see its text; a line that is not an
/// article is an error naming its file and line.
fn articles_corpus(files: &[std::path::PathBuf]) -> anyhow::Result<Vec<(String, Option<chrono::NaiveDate>)>> {
    let mut texts = Vec::new();
    for file in files {
        let lines = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        for (n, line) in lines.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let article = serde_json::from_str::<extract::eval::Article>(line)
                .with_context(|| format!("{}:{}: not an article", file.display(), n + 1))?;
            texts.push(prepared(article));
        }
    }
    Ok(texts)
}

fn prepared(article: extract::eval::Article) -> (String, Option<chrono::NaiveDate>) {
    let published = article.published.as_deref().and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    (formats::normalize::normalize(&article.text), published)
}

/// How much longer extraction takes on eight times as much of each pathological text
/// (the same texts the robustness tests feed it): about 8 when time is linear.
fn pathological_scaling(extractor: &extract::Extractor) -> Vec<(String, f64)> {
    let patterns: [(&str, &str); 8] = [
        ("one endless word", "a"),
        ("an inflected word repeated", "героина "),
        ("quantities repeated", "1 кг героина "),
        ("place names repeated", "Panj Panj Khorog "),
        ("denials repeated", "The Taliban denied. "),
        ("digits", "9"),
        ("stops", ". . . ! ? … "),
        ("dates repeated", "on 12 October "),
    ];
    let published = chrono::NaiveDate::from_ymd_opt(2026, 11, 25);
    let time = |text: &str| {
        let started = std::time::Instant::now();
        let x = extractor.extract(text, published);
        std::hint::black_box(x);
        started.elapsed().as_secs_f64()
    };
    patterns
        .iter()
        .map(|(name, unit)| {
            let small = unit.repeat(100_000 / unit.len());
            let large = unit.repeat(800_000 / unit.len());
            // The best of three, against the machine's noise.
            let best = |t: &str| (0..3).map(|_| time(t)).fold(f64::INFINITY, f64::min);
            ((*name).to_owned(), best(&large) / best(&small).max(1e-9))
        })
        .collect()
}

fn ingest(args: &BenchArgs, format: Format) -> anyhow::Result<Status> {
    let work = tempfile::tempdir()?;
    let folder = work.path().join("reports");
    crate::synth::write_folder(&folder, args.documents, 42)?;
    let mut runs = Vec::new();
    for n in 0..args.runs.max(1) {
        let store = Store::open_sqlite(&work.path().join(format!("run-{n}.sqlite")))?;
        let summary = pipeline::ingest(&store, &[Target::Path(folder.clone())], &IngestOptions::default(), &mut Quiet)?;
        anyhow::ensure!(summary.stored == u64::from(args.documents), "run {n} stored {} documents", summary.stored);
        let run = Run {
            documents: summary.stored,
            seconds: summary.seconds,
            documents_per_second: summary.stored as f64 / summary.seconds,
            megabytes_per_second: summary.bytes as f64 / 1e6 / summary.seconds,
        };
        if format == Format::Table {
            eprintln!(
                "run {}: {:.0} documents/s, {:.1} MB/s",
                n + 1,
                run.documents_per_second,
                run.megabytes_per_second
            );
        }
        runs.push(run);
    }
    let median = median(runs.iter().map(|r| r.documents_per_second).collect());
    match format {
        Format::Json => output::json(&serde_json::json!({
            "benchmark": "ingest", "documents": args.documents, "runs": runs, "median_documents_per_second": median,
        }))?,
        Format::Table => outln!(
            "ingest: median {median:.0} documents/s over {} runs of {} generated reports (fresh SQLite store each run)",
            runs.len(),
            args.documents
        ),
    }
    Ok(Status::Clean)
}
