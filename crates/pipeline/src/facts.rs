//! From what extraction found to the records the store keeps: events, mentions and
//! claims with stable ids, owned and marked like the document they come from.

use extract::{Extraction, Extractor, Found};
use model::{
    Claim, ClaimId, Credibility, Document, DocumentId, Event, EventActor, EventId, EventPlace, Marking, Mention,
    Quantity, When,
};
use store::Facts;

/// Extracts from a document's text and builds the facts to store with it. Extraction
/// counts relative dates ("yesterday", "on Tuesday") from the day of publication: a
/// publication known to the month or the year gives it no day to count from (and none is
/// made up from the period's first day), so those dates stay unresolved.
pub fn facts_for(
    extractor: &Extractor,
    fingerprint: &str,
    id: DocumentId,
    text: &str,
    published: Option<When>,
    marking: Marking,
) -> Facts {
    let extraction = extractor.extract(text, published.and_then(|w| w.known_day()));
    build(&extraction, fingerprint, id, marking)
}

/// The facts of `document`.
pub fn facts_for_document(extractor: &Extractor, fingerprint: &str, document: &Document) -> Facts {
    facts_for(extractor, fingerprint, document.id, &document.text, document.published, document.marking)
}

fn mention(document: DocumentId, found: &Found) -> Mention {
    Mention { document, span: found.span, kind: found.kind, resolved: Some(found.resolved.clone()) }
}

fn build(x: &Extraction, fingerprint: &str, document: DocumentId, marking: Marking) -> Facts {
    let events = x
        .events
        .iter()
        .enumerate()
        .map(|(index, e)| Event {
            // The same document, read by the same rules, gives the same ids.
            id: EventId::derived(format!("{document}/{index}/{}/{}", e.event_type, e.category).as_bytes()),
            category: e.category,
            event_type: e.event_type,
            when: e.when,
            // A place the gazetteer lacks keeps its own name, at the point and precision of
            // the listed place it lies in, or of its country alone.
            place: match (&e.unlisted_place, &e.place) {
                (Some(u), _) => {
                    let (point, precision) = u.point();
                    Some(EventPlace {
                        place: u.within.as_ref().map(|w| w.id.clone()),
                        name: u.name.clone(),
                        country: Some(u.country),
                        point,
                        precision,
                    })
                }
                (None, Some(p)) => Some(EventPlace {
                    place: Some(p.id.clone()),
                    name: p.name.clone(),
                    country: Some(p.country),
                    point: Some(p.point),
                    precision: p.precision(),
                }),
                (None, None) => None,
            },
            actors: e
                .actors
                .iter()
                .map(|a| EventActor { actor: a.actor.clone(), role: a.role, spans: vec![a.span] })
                .collect(),
            quantities: e
                .quantities
                .iter()
                .map(|q| Quantity { kind: q.kind, value: q.value, unit: q.unit, span: q.span })
                .collect(),
            stance: e.stance,
            documents: vec![document],
            evidence: e.evidence.iter().map(|f| mention(document, f)).collect(),
            confidence: e.confidence,
            // One report alone: corroboration by other sources raises this later.
            credibility: Credibility::CannotBeJudged,
            sector: None,
            marking,
        })
        .collect();
    let claims = x
        .claims
        .iter()
        .map(|c| Claim {
            id: ClaimId::derived(format!("{document}/{}-{}", c.span.start, c.span.end).as_bytes()),
            document,
            speaker: c.speaker.clone(),
            speaker_name: None,
            stance: c.stance,
            span: c.span,
            about: None,
        })
        .collect();
    Facts {
        events,
        mentions: x.mentions.iter().map(|f| mention(document, f)).collect(),
        claims,
        extracted_with: fingerprint.to_owned(),
    }
}
