//! Writing documents and facts a batch at a time: one statement per table for the whole
//! batch, its columns sent as arrays and unpacked by `unnest`, instead of one round trip
//! per row.

use std::collections::{HashMap, HashSet};

use model::{Distribution, DocumentId};
use postgres::GenericClient;

use super::Session;
use crate::rows::{Cells, EventDetail, parse, timestamp};
use crate::{Facts, Inserted, NewDocument, StoreError};

fn group_of(distribution: Distribution) -> Option<String> {
    match distribution {
        Distribution::SharingGroup { group } => Some(group.to_string()),
        _ => None,
    }
}

/// Inserts documents and the facts of the new ones; a document whose content is stored
/// already (or earlier in the batch) is a duplicate, and its facts are left as they are.
pub(super) fn insert_documents<C: GenericClient>(
    s: &mut Session<'_, C>,
    documents: &[NewDocument],
) -> Result<Vec<Inserted>, StoreError> {
    if documents.is_empty() {
        return Ok(Vec::new());
    }
    let docs: Vec<&model::Document> = documents.iter().map(|n| &n.document).collect();
    let ids: Vec<String> = docs.iter().map(|d| d.id.to_string()).collect();
    let hashes: Vec<String> = docs.iter().map(|d| d.content_hash.to_hex()).collect();
    let sources: Vec<Option<String>> = docs.iter().map(|d| d.source.map(|s| s.to_string())).collect();
    let source_names: Vec<Option<&str>> = docs.iter().map(|d| d.source_name.as_deref()).collect();
    let urls: Vec<Option<&str>> = docs.iter().map(|d| d.url.as_deref()).collect();
    let titles: Vec<Option<&str>> = docs.iter().map(|d| d.title.as_deref()).collect();
    let published: Vec<Option<String>> = docs.iter().map(|d| d.published.map(|w| timestamp(w.at))).collect();
    let precisions: Vec<Option<&str>> = docs.iter().map(|d| d.published.map(|w| w.precision.as_str())).collect();
    let ingested: Vec<String> = docs.iter().map(|d| timestamp(d.ingested_at)).collect();
    let languages: Vec<&str> = docs.iter().map(|d| d.language.as_str()).collect();
    let confidences: Vec<f64> = docs.iter().map(|d| f64::from(d.language_confidence)).collect();
    let formats: Vec<&str> = docs.iter().map(|d| d.format.as_str()).collect();
    let origins: Vec<&str> = docs.iter().map(|d| d.origin.as_str()).collect();
    let owners: Vec<String> = docs.iter().map(|d| d.marking.owner.to_string()).collect();
    let tlps: Vec<&str> = docs.iter().map(|d| d.marking.tlp.as_str()).collect();
    let levels: Vec<&str> = docs.iter().map(|d| d.marking.distribution.level()).collect();
    let groups: Vec<Option<String>> = docs.iter().map(|d| group_of(d.marking.distribution)).collect();
    let texts: Vec<&str> = docs.iter().map(|d| d.text.as_str()).collect();
    let raws: Vec<&str> = docs.iter().map(|d| d.raw.as_str()).collect();
    // Written with the document rather than updated after: an update would write the row
    // (and its search vector) a second time.
    let extracted: Vec<Option<&str>> =
        documents.iter().map(|n| n.facts.as_ref().map(|f| f.extracted_with.as_str())).collect();
    // Rows keep the batch's order (WITH ORDINALITY), so that of two documents with the
    // same content in one batch the first is the one stored.
    let inserted = s.query(
        "INSERT INTO documents (id, content_hash, source_id, source_name, url, title, published_at, \
                 published_precision, ingested_at, language, language_confidence, format, origin, owner_org, \
                 tlp, distribution, sharing_group, text, raw, extracted_with) \
         SELECT id, content_hash, source_id, source_name, url, title, published_at, published_precision, \
                ingested_at, language, language_confidence, format, origin, owner_org, tlp, distribution, \
                sharing_group, text, raw, extracted_with \
         FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], \
                     ?::text[], ?::text[], ?::float8[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], \
                     ?::text[], ?::text[], ?::text[], ?::text[]) WITH ORDINALITY \
              AS batch (id, content_hash, source_id, source_name, url, title, published_at, published_precision, \
                        ingested_at, language, language_confidence, format, origin, owner_org, tlp, distribution, \
                        sharing_group, text, raw, extracted_with, position) \
         ORDER BY position \
         ON CONFLICT (content_hash) DO NOTHING RETURNING id",
        &[
            &ids,
            &hashes,
            &sources,
            &source_names,
            &urls,
            &titles,
            &published,
            &precisions,
            &ingested,
            &languages,
            &confidences,
            &formats,
            &origins,
            &owners,
            &tlps,
            &levels,
            &groups,
            &texts,
            &raws,
            &extracted,
        ],
    )?;
    let mut new: HashSet<String> = inserted.iter().map(|r| r.string(0)).collect::<Result<_, _>>()?;
    // The first of the batch's documents with an id inserted is new; every other one is
    // a duplicate of what is stored now (earlier in the batch, or before it).
    let fresh: Vec<bool> = ids.iter().map(|id| new.remove(id)).collect();
    let missing: Vec<&String> = hashes.iter().zip(&fresh).filter(|(_, f)| !**f).map(|(hash, _)| hash).collect();
    let mut existing: HashMap<String, String> = HashMap::new();
    if !missing.is_empty() {
        for row in s.query("SELECT content_hash, id FROM documents WHERE content_hash = ANY(?)", &[&missing])? {
            existing.insert(row.string(0)?, row.string(1)?);
        }
    }
    let mut outcomes = Vec::with_capacity(documents.len());
    let mut facts = Vec::new();
    for ((new_document, hash), fresh) in documents.iter().zip(&hashes).zip(fresh) {
        if fresh {
            outcomes.push(Inserted::New { id: new_document.document.id });
            if let Some(f) = &new_document.facts {
                facts.push((new_document.document.id, f));
            }
        } else {
            let stored = existing.get(hash).ok_or_else(|| StoreError::Corrupt {
                record: format!("document {}", new_document.document.id),
                reason: "neither stored nor a duplicate of a stored document".into(),
            })?;
            outcomes.push(Inserted::Duplicate { id: parse(stored, "document", stored)? });
        }
    }
    write_facts(s, &facts, false)?;
    Ok(outcomes)
}

/// Writes the facts of each document. With `replace`, what it had goes first and its
/// `extracted_with` is updated; without, the document is new and was written with it.
pub(super) fn write_facts<C: GenericClient>(
    s: &mut Session<'_, C>,
    facts: &[(DocumentId, &Facts)],
    replace: bool,
) -> Result<(), StoreError> {
    if facts.is_empty() {
        return Ok(());
    }
    let documents: Vec<String> = facts.iter().map(|(d, _)| d.to_string()).collect();
    if replace {
        for sql in [
            "DELETE FROM events WHERE document_id = ANY(?)",
            "DELETE FROM mentions WHERE document_id = ANY(?)",
            "DELETE FROM claims WHERE document_id = ANY(?)",
        ] {
            s.execute(sql, &[&documents])?;
        }
    }
    if replace {
        let fingerprints: Vec<&str> = facts.iter().map(|(_, f)| f.extracted_with.as_str()).collect();
        s.execute(
            "UPDATE documents d SET extracted_with = batch.extracted_with \
             FROM unnest(?::text[], ?::text[]) AS batch (id, extracted_with) WHERE d.id = batch.id",
            &[&documents, &fingerprints],
        )?;
    }
    write_events(s, facts)?;
    write_mentions_and_claims(s, facts)
}

fn write_events<C: GenericClient>(s: &mut Session<'_, C>, facts: &[(DocumentId, &Facts)]) -> Result<(), StoreError> {
    let events: Vec<(String, &model::Event)> =
        facts.iter().flat_map(|(d, f)| f.events.iter().map(move |e| (d.to_string(), e))).collect();
    if events.is_empty() {
        return Ok(());
    }
    let mut details = Vec::with_capacity(events.len());
    for (_, e) in &events {
        let detail =
            EventDetail { actors: e.actors.clone(), quantities: e.quantities.clone(), evidence: e.evidence.clone() };
        details.push(
            serde_json::to_string(&detail)
                .map_err(|err| StoreError::Corrupt { record: format!("event {}", e.id), reason: err.to_string() })?,
        );
    }
    let ids: Vec<String> = events.iter().map(|(_, e)| e.id.to_string()).collect();
    let documents: Vec<&str> = events.iter().map(|(d, _)| d.as_str()).collect();
    let categories: Vec<&str> = events.iter().map(|(_, e)| e.category.as_str()).collect();
    let types: Vec<&str> = events.iter().map(|(_, e)| e.event_type.as_str()).collect();
    let whens: Vec<Option<String>> = events.iter().map(|(_, e)| e.when.map(|w| timestamp(w.at))).collect();
    let precisions: Vec<Option<&str>> = events.iter().map(|(_, e)| e.when.map(|w| w.precision.as_str())).collect();
    let place = |e: &model::Event| e.place.clone();
    let place_ids: Vec<Option<String>> =
        events.iter().map(|(_, e)| place(e).and_then(|p| p.place).map(|p| p.to_string())).collect();
    let place_names: Vec<Option<String>> = events.iter().map(|(_, e)| place(e).map(|p| p.name)).collect();
    let countries: Vec<Option<String>> =
        events.iter().map(|(_, e)| place(e).and_then(|p| p.country).map(|c| c.to_string())).collect();
    let lons: Vec<Option<f64>> = events.iter().map(|(_, e)| place(e).and_then(|p| p.point).map(|p| p.lon())).collect();
    let lats: Vec<Option<f64>> = events.iter().map(|(_, e)| place(e).and_then(|p| p.point).map(|p| p.lat())).collect();
    let geo: Vec<Option<&str>> = events.iter().map(|(_, e)| e.place.as_ref().map(|p| p.precision.as_str())).collect();
    let stances: Vec<&str> = events.iter().map(|(_, e)| e.stance.as_str()).collect();
    let confidences: Vec<f64> = events.iter().map(|(_, e)| f64::from(e.confidence)).collect();
    let credibilities: Vec<&str> = events.iter().map(|(_, e)| e.credibility.as_str()).collect();
    let sectors: Vec<Option<String>> = events.iter().map(|(_, e)| e.sector.as_ref().map(|s| s.to_string())).collect();
    let owners: Vec<String> = events.iter().map(|(_, e)| e.marking.owner.to_string()).collect();
    let tlps: Vec<&str> = events.iter().map(|(_, e)| e.marking.tlp.as_str()).collect();
    let levels: Vec<&str> = events.iter().map(|(_, e)| e.marking.distribution.level()).collect();
    let groups: Vec<Option<String>> = events.iter().map(|(_, e)| group_of(e.marking.distribution)).collect();
    // In the batch's order, so that `seq` follows it as with one insert per event.
    s.execute(
        "INSERT INTO events (id, document_id, category, event_type, when_at, when_precision, place_id, place_name, \
             country, lon, lat, geo_precision, stance, confidence, credibility, sector, owner_org, tlp, distribution, \
             sharing_group, detail) \
         SELECT id, document_id, category, event_type, when_at, when_precision, place_id, place_name, country, lon, \
                lat, geo_precision, stance, confidence, credibility, sector, owner_org, tlp, distribution, \
                sharing_group, detail \
         FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], \
                     ?::text[], ?::float8[], ?::float8[], ?::text[], ?::text[], ?::float8[], ?::text[], ?::text[], \
                     ?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) WITH ORDINALITY \
              AS batch (id, document_id, category, event_type, when_at, when_precision, place_id, place_name, \
                        country, lon, lat, geo_precision, stance, confidence, credibility, sector, owner_org, tlp, \
                        distribution, sharing_group, detail, position) \
         ORDER BY position",
        &[
            &ids,
            &documents,
            &categories,
            &types,
            &whens,
            &precisions,
            &place_ids,
            &place_names,
            &countries,
            &lons,
            &lats,
            &geo,
            &stances,
            &confidences,
            &credibilities,
            &sectors,
            &owners,
            &tlps,
            &levels,
            &groups,
            &details,
        ],
    )?;
    let (mut link_events, mut link_documents) = (Vec::new(), Vec::new());
    let (mut actor_events, mut actors, mut roles) = (Vec::new(), Vec::new(), Vec::new());
    for ((_, e), id) in events.iter().zip(&ids) {
        for d in &e.documents {
            link_events.push(id.as_str());
            link_documents.push(d.to_string());
        }
        for a in &e.actors {
            actor_events.push(id.as_str());
            actors.push(a.actor.to_string());
            roles.push(a.role.as_str());
        }
    }
    s.execute(
        "INSERT INTO event_documents (event_id, document_id) SELECT * FROM unnest(?::text[], ?::text[]) \
         ON CONFLICT DO NOTHING",
        &[&link_events, &link_documents],
    )?;
    s.execute(
        "INSERT INTO event_actors (event_id, actor_id, role) SELECT * FROM unnest(?::text[], ?::text[], ?::text[]) \
         ON CONFLICT DO NOTHING",
        &[&actor_events, &actors, &roles],
    )?;
    Ok(())
}

fn write_mentions_and_claims<C: GenericClient>(
    s: &mut Session<'_, C>,
    facts: &[(DocumentId, &Facts)],
) -> Result<(), StoreError> {
    let (mut documents, mut starts, mut ends, mut kinds, mut resolved) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (d, f) in facts {
        for m in &f.mentions {
            documents.push(d.to_string());
            starts.push(i64::from(m.span.start));
            ends.push(i64::from(m.span.end));
            kinds.push(m.kind.as_str());
            resolved.push(m.resolved.as_deref());
        }
    }
    if !documents.is_empty() {
        s.execute(
            "INSERT INTO mentions (document_id, start, \"end\", kind, resolved) \
             SELECT * FROM unnest(?::text[], ?::bigint[], ?::bigint[], ?::text[], ?::text[]) ON CONFLICT DO NOTHING",
            &[&documents, &starts, &ends, &kinds, &resolved],
        )?;
    }
    // A claim is kept once, as its last mention in the batch says.
    let mut claims: Vec<(String, &model::Claim)> = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    for (d, f) in facts {
        for c in &f.claims {
            let id = c.id.to_string();
            match at.get(&id) {
                Some(&i) => claims[i] = (d.to_string(), c),
                None => {
                    at.insert(id, claims.len());
                    claims.push((d.to_string(), c));
                }
            }
        }
    }
    if claims.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = claims.iter().map(|(_, c)| c.id.to_string()).collect();
    let documents: Vec<&str> = claims.iter().map(|(d, _)| d.as_str()).collect();
    let speakers: Vec<Option<String>> = claims.iter().map(|(_, c)| c.speaker.as_ref().map(|s| s.to_string())).collect();
    let names: Vec<Option<&str>> = claims.iter().map(|(_, c)| c.speaker_name.as_deref()).collect();
    let stances: Vec<&str> = claims.iter().map(|(_, c)| c.stance.as_str()).collect();
    let starts: Vec<i64> = claims.iter().map(|(_, c)| i64::from(c.span.start)).collect();
    let ends: Vec<i64> = claims.iter().map(|(_, c)| i64::from(c.span.end)).collect();
    let about: Vec<Option<String>> = claims.iter().map(|(_, c)| c.about.map(|a| a.to_string())).collect();
    s.execute(
        "INSERT INTO claims (id, document_id, speaker, speaker_name, stance, start, \"end\", about_event) \
         SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[], \
                              ?::text[]) \
         ON CONFLICT (id) DO UPDATE SET document_id = excluded.document_id, speaker = excluded.speaker, \
             speaker_name = excluded.speaker_name, stance = excluded.stance, start = excluded.start, \
             \"end\" = excluded.\"end\", about_event = excluded.about_event",
        &[&ids, &documents, &speakers, &names, &stances, &starts, &ends, &about],
    )?;
    Ok(())
}
