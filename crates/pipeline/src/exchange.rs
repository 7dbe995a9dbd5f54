//! Between the store and the exchange formats: the records an organisation may see,
//! gathered for export, and records read from another tool, written in one transaction.

use std::collections::{BTreeMap, BTreeSet};

use exchange::{Problem, Read, Shared};
use extract::dict::Dictionaries;
use model::{Actor, DocumentId, Viewer, may_see};
use store::{EventFilter, Facts, Import, Inserted, NewDocument, Page, Store, StoreError};

/// What beltwatch writes as `extracted_with` for imported facts: re-extraction leaves
/// them as the partner sent them.
pub const IMPORTED: &str = "imported";

/// The events `viewer` may see (all of them without a viewer), with the documents that
/// report them and what those name. An event whose document the viewer may not open
/// stays out, so that no text travels further than its marking allows.
pub fn shared(
    store: &Store,
    viewer: Option<&Viewer>,
    filter: &EventFilter,
    dictionaries: &Dictionaries,
) -> Result<Shared, StoreError> {
    let filter = EventFilter { visible_to: viewer.cloned(), ..filter.clone() };
    let mut events = Vec::new();
    let mut after = None;
    loop {
        let page = store.events(&filter, &Page { limit: 500, after })?;
        events.extend(page.items);
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    // Oldest first, as feeds and TAXII collections list them.
    events.reverse();
    around(store, viewer, events, dictionaries)
}

/// The given events (which `viewer` may see) with the documents that report them and
/// what those name, in the events' order. An event whose document the viewer may not
/// open stays out, so that no text travels further than its marking allows.
pub fn around(
    store: &Store,
    viewer: Option<&Viewer>,
    mut events: Vec<model::Event>,
    dictionaries: &Dictionaries,
) -> Result<Shared, StoreError> {
    let mut documents = BTreeMap::new();
    for id in events.iter().filter_map(|e| e.documents.first()).collect::<BTreeSet<_>>() {
        if let Some(document) = store.document(&id.to_string())?
            && viewer.is_none_or(|v| may_see(v, &document.marking))
        {
            documents.insert(document.id, document);
        }
    }
    events.retain(|e| e.documents.first().is_some_and(|d| documents.contains_key(d)));
    let mut documents: Vec<_> = documents.into_values().collect();
    documents.sort_by_key(|d| (d.ingested_at, d.id));
    let groups: BTreeSet<_> = events
        .iter()
        .map(|e| e.marking.distribution)
        .chain(documents.iter().map(|d| d.marking.distribution))
        .filter_map(|d| match d {
            model::Distribution::SharingGroup { group } => Some(group),
            _ => None,
        })
        .collect();
    let sharing_groups: Vec<_> = store.sharing_groups()?.into_iter().filter(|g| groups.contains(&g.id)).collect();
    let owners: BTreeSet<_> = events
        .iter()
        .map(|e| e.marking.owner)
        .chain(documents.iter().map(|d| d.marking.owner))
        .chain(sharing_groups.iter().flat_map(|g| g.members.iter().copied()))
        .collect();
    let organisations = store.organisations()?.into_iter().filter(|o| owners.contains(&o.id)).collect();
    let source_ids: BTreeSet<_> = documents.iter().filter_map(|d| d.source).collect();
    let sources =
        store.sources()?.into_iter().map(|s| s.source).filter(|s| source_ids.contains(&s.id)).collect::<Vec<_>>();
    let named: BTreeSet<_> = events.iter().flat_map(|e| e.actors.iter().map(|a| a.actor.clone())).collect();
    let actors = dictionaries
        .actors
        .iter()
        .filter(|a| named.contains(&a.id))
        .map(|a| Actor {
            id: a.id.clone(),
            name: a.name.clone(),
            kind: a.kind,
            country: a.country,
            aliases: a.aliases.clone(),
        })
        .collect();
    let mut claims = Vec::new();
    let shown: BTreeSet<model::EventId> = events.iter().map(|e| e.id).collect();
    for document in &documents {
        for mut claim in store.claims(document.id)? {
            // A claim about an event the viewer may not see does not name it.
            claim.about = claim.about.filter(|e| shown.contains(e));
            claims.push(claim);
        }
    }
    Ok(Shared { organisations, sharing_groups, sources, documents, events, claims, actors })
}

/// How an import went.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Imported {
    /// Documents stored for the first time, and those stored already (left as they were).
    pub new_documents: usize,
    pub duplicate_documents: usize,
    /// Events written with the new documents.
    pub events: usize,
    /// Events stored already, left as they were.
    pub duplicate_events: usize,
    /// Objects or rows read without error that beltwatch has no use for, by type.
    pub skipped: BTreeMap<String, usize>,
}

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{} problem(s) in the input; nothing was imported", .0.len())]
    Invalid(Vec<Problem>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Writes records read from another tool: all of them, or none when one is wrong.
/// Each event goes with the document it was first reported in; an event whose document
/// is neither in the input nor stored is a problem.
pub fn import(store: &Store, read: Read) -> Result<Imported, ImportError> {
    let Read { shared, skipped } = read;
    let in_input: BTreeSet<DocumentId> = shared.documents.iter().map(|d| d.id).collect();
    let mut problems = Vec::new();
    let mut by_document: BTreeMap<DocumentId, Vec<model::Event>> = BTreeMap::new();
    let mut known_events = 0;
    // Documents whose events are all stored already: nothing new comes with them.
    let mut only_known: BTreeSet<DocumentId> = BTreeSet::new();
    for event in shared.events {
        let Some(home) = event.documents.first().copied() else {
            problems.push(Problem::new("event", Some(&event.id.to_string()), "an event needs its document"));
            continue;
        };
        if !in_input.contains(&home) {
            if store.document(&home.to_string())?.is_none() {
                problems.push(Problem::new(
                    "event",
                    Some(&event.id.to_string()),
                    format!("its document {home} is neither in the input nor stored"),
                ));
            }
            continue;
        }
        // An event stored already (sent again with a rebuilt document, as CSV rows are)
        // is left as it is.
        let stored = EventFilter { id: Some(event.id), ..EventFilter::default() };
        if store.count_events(&stored)? > 0 {
            known_events += 1;
            only_known.insert(home);
            continue;
        }
        by_document.entry(home).or_default().push(event);
    }
    if !problems.is_empty() {
        return Err(ImportError::Invalid(problems));
    }
    let mut claims: BTreeMap<DocumentId, Vec<model::Claim>> = BTreeMap::new();
    for claim in shared.claims {
        claims.entry(claim.document).or_default().push(claim);
    }
    // A document stored already is a duplicate, and counted as one; only a rebuilt one
    // (ACLED rows make their own) stays out.
    let mut rebuilt = BTreeSet::new();
    for d in only_known.into_iter().filter(|d| !by_document.contains_key(d)) {
        if store.document(&d.to_string())?.is_none() {
            rebuilt.insert(d);
        }
    }
    let only_known = rebuilt;
    let documents: Vec<NewDocument> = shared
        .documents
        .into_iter()
        .filter(|d| !only_known.contains(&d.id))
        .map(|document| {
            let events = by_document.remove(&document.id).unwrap_or_default();
            let mut mentions: Vec<_> = events.iter().flat_map(|e| e.evidence.iter().cloned()).collect();
            mentions.sort_by_key(|m| (m.span, m.kind));
            mentions.dedup_by(|a, b| a.span == b.span && a.kind == b.kind);
            let facts = Facts {
                events,
                mentions,
                claims: claims.remove(&document.id).unwrap_or_default(),
                extracted_with: IMPORTED.to_owned(),
            };
            NewDocument { document, facts: Some(facts) }
        })
        .collect();
    let events_offered: Vec<usize> = documents.iter().map(|d| d.facts.as_ref().map_or(0, |f| f.events.len())).collect();
    let outcomes = store.import(&Import {
        organisations: shared.organisations,
        sharing_groups: shared.sharing_groups,
        sources: shared.sources,
        documents,
    })?;
    let mut summary = Imported { skipped, duplicate_events: known_events, ..Imported::default() };
    for (outcome, events) in outcomes.iter().zip(events_offered) {
        match outcome {
            Inserted::New { .. } => {
                summary.new_documents += 1;
                summary.events += events;
            }
            Inserted::Duplicate { .. } => summary.duplicate_documents += 1,
        }
    }
    Ok(summary)
}
