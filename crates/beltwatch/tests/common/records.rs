//! Records made in code, with markings chosen by the test, and a seeded random source.

use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeZone, Utc};
use model::{
    ActorRole, Category, ContentHash, Distribution, Document, DocumentFormat, Event, EventActor, EventId, EventPlace,
    EventType, GeoPrecision, LonLat, Marking, OrganisationId, SharingGroupId, Source, SourceKind, Stance, Tlp, When,
};
use sha2::{Digest, Sha256};
use store::{Facts, NewDocument, Store};

/// A small seeded generator (SplitMix64): the same seed, the same test.
pub struct SplitMix(pub u64);

impl SplitMix {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// The visibility rules, stated again independently of `model::may_see`.
pub fn expected_visible(
    org: OrganisationId,
    groups: &BTreeMap<SharingGroupId, Vec<OrganisationId>>,
    m: &Marking,
) -> bool {
    let shareable = !matches!(m.tlp, Tlp::Red | Tlp::AmberStrict);
    m.owner == org
        || (shareable
            && match &m.distribution {
                Distribution::Organisation => false,
                Distribution::AllPartners => true,
                Distribution::SharingGroup { group } => groups.get(group).is_some_and(|members| members.contains(&org)),
            })
}

/// Report `n`, one sentence long, with one event of `category` at `point` on `on`.
pub fn report(n: usize, marking: Marking, on: NaiveDate, point: [f64; 2], category: Category) -> NewDocument {
    let text = format!("Report {n}: border guards on the Panj reported an incident.");
    let hash = ContentHash::from_bytes(Sha256::digest(text.as_bytes()).into());
    let at = Utc.from_utc_datetime(&on.and_hms_opt(8, 0, 0).unwrap_or_default());
    let document = Document {
        id: hash.document_id(),
        content_hash: hash,
        source: Some(Source::id_for_name(&format!("outlet {}", n % 5))),
        source_name: Some(format!("outlet {}", n % 5)),
        url: None,
        title: Some(format!("Report {n}")),
        published: Some(When::exact(at)),
        ingested_at: at,
        language: "en".parse().expect("language"),
        language_confidence: 0.9,
        format: DocumentFormat::Text,
        origin: format!("reports/{n}.txt"),
        raw: text.clone(),
        text,
        marking,
    };
    let event = Event {
        id: EventId::derived(format!("event {n}").as_bytes()),
        category,
        event_type: if category == Category::BorderIncident { EventType::ArmedClash } else { EventType::Seizure },
        when: Some(When::day(on)),
        place: Some(EventPlace {
            place: None,
            name: format!("point {n}"),
            country: Some("TJ".parse().expect("country")),
            point: Some(LonLat::new(point[0], point[1]).expect("point")),
            precision: GeoPrecision::Locality,
        }),
        actors: vec![EventActor {
            actor: "tj-border-troops".parse().expect("actor"),
            role: ActorRole::Authority,
            spans: vec![],
        }],
        quantities: vec![],
        stance: Stance::Asserted,
        documents: vec![document.id],
        evidence: vec![],
        confidence: 0.7,
        credibility: model::Credibility::CannotBeJudged,
        sector: None,
        marking,
    };
    let facts = Facts { events: vec![event], mentions: vec![], claims: vec![], extracted_with: "test".into() };
    NewDocument { document, facts: Some(facts) }
}

pub fn ensure_outlets(store: &Store) {
    let outlets: Vec<Source> = (0..5).map(|k| Source::new(&format!("outlet {k}"), SourceKind::File, None)).collect();
    store.ensure_sources(&outlets).expect("sources");
}
