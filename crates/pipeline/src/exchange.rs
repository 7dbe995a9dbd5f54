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
    /// Records of the input that were read without a problem and still not stored, with
    /// why (a report whose text is stored already, and the events that came with it).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_stored: Vec<NotStored>,
}

/// A record of the input that the import did not store.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NotStored {
    pub record: Record,
    pub reason: String,
}

/// A record of the input, by kind and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Record {
    Document(DocumentId),
    Event(model::EventId),
    Claim(model::ClaimId),
}

/// Who an import writes for; what it may write follows from it. Neither kind of importer
/// creates or changes organisations, sharing groups or memberships: every record must be
/// owned by an organisation this instance knows, and shared only with a sharing group this
/// instance knows and its owner belongs to here.
#[derive(Debug, Clone, Copy)]
pub enum Importer<'a> {
    /// This instance's operator: the command line, and the peers it pulls from.
    Operator,
    /// An organisation's analyst through the API (a TAXII post). Every record must be the
    /// organisation's own; stored records it may not see count as absent, so that the
    /// answer is the same for a hidden record and a missing one; sources it names are
    /// added unrated.
    Partner(&'a Viewer),
}

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{} problem(s) in the input; nothing was imported", .0.len())]
    Invalid(Vec<Problem>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What this instance knows of organisations and sharing groups, read once per import.
struct Accounts {
    organisations: BTreeSet<model::OrganisationId>,
    groups: BTreeMap<model::SharingGroupId, BTreeSet<model::OrganisationId>>,
}

impl Accounts {
    fn read(store: &Store) -> Result<Self, StoreError> {
        Ok(Self {
            organisations: store.organisations()?.into_iter().map(|o| o.id).collect(),
            groups: store.sharing_groups()?.into_iter().map(|g| (g.id, g.members.into_iter().collect())).collect(),
        })
    }

    /// The problem with a record's marking, if it has one: an owner this instance does
    /// not know, another owner than a partner importer's, or a sharing group that is not
    /// one of the owner's groups here (one message whether the group exists or not).
    fn check(
        &self,
        marking: &model::Marking,
        importer: Importer<'_>,
        names: &BTreeMap<model::OrganisationId, String>,
    ) -> Option<String> {
        if let Importer::Partner(viewer) = importer
            && marking.owner != viewer.organisation
        {
            return Some(format!("is owned by organisation {}: post your own organisation's records", marking.owner));
        }
        if !self.organisations.contains(&marking.owner) {
            let name = names.get(&marking.owner).map_or("", String::as_str);
            let shown = if name.is_empty() { "NAME" } else { name };
            return Some(format!(
                "is owned by organisation {} {name:?}, which this instance does not know; an admin who trusts it \
                 adds it with `beltwatch admin add-organisation {shown:?} --id {}`",
                marking.owner, marking.owner
            ));
        }
        if let model::Distribution::SharingGroup { group } = marking.distribution
            && !self.groups.get(&group).is_some_and(|members| members.contains(&marking.owner))
        {
            return Some(format!(
                "is shared with sharing group {group}, which is not one of its owner's sharing groups on this \
                 instance; an admin maps it with `beltwatch admin add-group NAME --id {group} --member ...`"
            ));
        }
        None
    }
}

/// Writes records read from another tool: all of them, or none when one is wrong. The
/// whole decision is made before anything is written: owners and sharing groups must be
/// known here (input never adds them, nor members), and each event goes with the document
/// it was first reported in; an event whose document is not in the input is a problem
/// unless it is stored already (and, for a partner, one it may see).
pub fn import(store: &Store, read: Read, importer: Importer<'_>) -> Result<Imported, ImportError> {
    let Read { mut shared, skipped } = read;
    // An input that names one record twice (an envelope sent with an object repeated)
    // stores it once.
    let mut seen = BTreeSet::new();
    shared.documents.retain(|d| seen.insert(d.id));
    let mut seen = BTreeSet::new();
    shared.events.retain(|e| seen.insert(e.id));
    let mut seen = BTreeSet::new();
    shared.claims.retain(|c| seen.insert(c.id));
    let accounts = Accounts::read(store)?;
    let names: BTreeMap<_, _> = shared.organisations.iter().map(|o| (o.id, o.name.clone())).collect();
    let partner = match importer {
        Importer::Partner(viewer) => Some(viewer),
        Importer::Operator => None,
    };
    // Whether a stored event counts as stored for this importer.
    let stored_event = |id: model::EventId| -> Result<bool, StoreError> {
        let filter = EventFilter { id: Some(id), visible_to: partner.cloned(), ..EventFilter::default() };
        Ok(store.count_events(&filter)? > 0)
    };
    let hidden_event = |id: model::EventId| -> Result<bool, StoreError> {
        Ok(partner.is_some() && store.count_events(&EventFilter { id: Some(id), ..EventFilter::default() })? > 0)
    };
    let visible_document = |id: DocumentId| -> Result<bool, StoreError> {
        Ok(store.document(&id.to_string())?.is_some_and(|d| partner.is_none_or(|v| may_see(v, &d.marking))))
    };
    let in_input: BTreeSet<DocumentId> = shared.documents.iter().map(|d| d.id).collect();
    let mut problems = Vec::new();
    for document in &shared.documents {
        if let Some(why) = accounts.check(&document.marking, importer, &names) {
            problems.push(Problem::new("document", Some(&document.id.to_string()), format!("the report {why}")));
        }
    }
    let mut by_document: BTreeMap<DocumentId, Vec<model::Event>> = BTreeMap::new();
    let mut known_events = 0;
    let mut not_stored = Vec::new();
    let mut input_events = BTreeSet::new();
    // Documents whose events are all stored already: nothing new comes with them.
    let mut only_known: BTreeSet<DocumentId> = BTreeSet::new();
    for event in shared.events {
        let id = event.id.to_string();
        input_events.insert(event.id);
        if let Some(why) = accounts.check(&event.marking, importer, &names) {
            problems.push(Problem::new("event", Some(&id), format!("the event {why}")));
            continue;
        }
        let Some(home) = event.documents.first().copied() else {
            problems.push(Problem::new("event", Some(&id), "an event needs its document"));
            continue;
        };
        // A partner's event names only reports of the input or stored ones it may see.
        if partner.is_some() {
            let mut unseen = None;
            for d in event.documents.iter().skip(1).filter(|d| !in_input.contains(d)) {
                if !visible_document(*d)? {
                    unseen = Some(*d);
                    break;
                }
            }
            if let Some(d) = unseen {
                problems.push(Problem::new("event", Some(&id), format!("its report {d} is not in the input")));
                continue;
            }
        }
        if !in_input.contains(&home) {
            if stored_event(event.id)? {
                known_events += 1;
            } else if partner.is_some() || store.document(&home.to_string())?.is_none() {
                // The same answer for a report that is hidden and one that is absent.
                problems.push(Problem::new("event", Some(&id), format!("its report {home} is not in the input")));
            }
            continue;
        }
        // An event stored already (sent again with a rebuilt document, as CSV rows are)
        // is left as it is.
        if stored_event(event.id)? {
            known_events += 1;
            only_known.insert(home);
            continue;
        }
        if hidden_event(event.id)? {
            not_stored.push(NotStored {
                record: Record::Event(event.id),
                reason: "not stored: its id is taken by another organisation's record".into(),
            });
            continue;
        }
        by_document.entry(home).or_default().push(event);
    }
    let stored_events: BTreeSet<_> = by_document.values().flatten().map(|e| e.id).collect();
    let mut claims: BTreeMap<DocumentId, Vec<model::Claim>> = BTreeMap::new();
    for claim in shared.claims {
        let id = claim.id.to_string();
        if !in_input.contains(&claim.document) {
            problems.push(Problem::new(
                "claim",
                Some(&id),
                format!("its report {} is not in the input", claim.document),
            ));
            continue;
        }
        if let (Some(about), Some(_)) = (claim.about, partner)
            && !input_events.contains(&about)
            && !stored_event(about)?
        {
            problems.push(Problem::new(
                "claim",
                Some(&id),
                format!("the event {about} it is about is not in the input"),
            ));
            continue;
        }
        claims.entry(claim.document).or_default().push(claim);
    }
    if !problems.is_empty() {
        return Err(ImportError::Invalid(problems));
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
    let mut sources = shared.sources;
    if partner.is_some() {
        // A partner names sources; only this instance's admins rate them.
        for source in &mut sources {
            source.reliability = model::Reliability::default();
        }
    }
    let offered: Vec<(DocumentId, Vec<model::EventId>, Vec<model::ClaimId>)> = documents
        .iter()
        .map(|d| {
            let facts = d.facts.as_ref();
            (
                d.document.id,
                facts.map(|f| f.events.iter().map(|e| e.id).collect()).unwrap_or_default(),
                facts.map(|f| f.claims.iter().map(|c| c.id).collect()).unwrap_or_default(),
            )
        })
        .collect();
    let outcomes = store.import(&Import { sources, documents })?;
    let mut summary = Imported { skipped, duplicate_events: known_events, not_stored, ..Imported::default() };
    for (outcome, (document, events, claims)) in outcomes.iter().zip(offered) {
        match outcome {
            Inserted::New { .. } => {
                summary.new_documents += 1;
                summary.events += events.len();
            }
            Inserted::Duplicate { id } => {
                summary.duplicate_documents += 1;
                // A partner's report that another's record already holds is not theirs.
                let hidden = partner.is_some() && !visible_document(*id)?;
                if hidden {
                    summary.not_stored.push(NotStored {
                        record: Record::Document(document),
                        reason: "not stored: a report with the same text is stored already".into(),
                    });
                }
                let reason = "not stored: its report was stored already, with its own events";
                for event in events.into_iter().filter(|e| stored_events.contains(e)) {
                    summary.not_stored.push(NotStored { record: Record::Event(event), reason: reason.into() });
                }
                for claim in claims {
                    summary.not_stored.push(NotStored { record: Record::Claim(claim), reason: reason.into() });
                }
            }
        }
    }
    Ok(summary)
}
