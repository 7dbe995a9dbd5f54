//! The storage conformance suite: every backend must pass each check here. Each check
//! takes a fresh, empty store; `backends!` runs them all against each backend.

use beltwatch_store::{
    DocumentFilter, EventFilter, Facts, Inserted, JobKind, NewAudit, NewDocument, NewLink, Page, SearchQuery, Store,
    StoreError,
};
use chrono::{DateTime, Duration, TimeZone, Utc};
use model::{
    ActorRole, Category, ContentHash, Credibility, Distribution, Document, DocumentFormat, Event, EventActor, EventId,
    EventPlace, EventType, GeoPrecision, Language, LinkRelation, LonLat, Marking, Mention, MentionKind, Quantity,
    QuantityKind, Reliability, Role, Source, SourceKind, Span, Stance, Tlp, Unit, When,
};

fn base_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 10, 1, 6, 0, 0).single().expect("valid")
}

/// A document as the pipeline would build it; `n` makes its text (and hash) distinct.
fn document(store: &Store, n: u32, text: &str, language: &str, source: &str) -> Document {
    let hash = ContentHash::from_bytes(stand_in_hash(text));
    Document {
        id: hash.document_id(),
        content_hash: hash,
        source: Some(Source::id_for_name(source)),
        source_name: Some(source.to_owned()),
        url: Some(format!("https://news.example/{n}")),
        title: Some(format!("Report {n}")),
        published: Some(When::exact(base_time() + Duration::hours(i64::from(n)))),
        ingested_at: base_time() + Duration::days(30),
        language: language.parse().expect("valid language"),
        language_confidence: 0.9,
        format: DocumentFormat::Text,
        origin: format!("reports/{n}.txt"),
        raw: text.to_owned(),
        text: text.to_owned(),
        marking: Marking {
            owner: store.local_organisation().expect("local organisation").id,
            tlp: Tlp::Amber,
            distribution: Distribution::AllPartners,
        },
    }
}

/// A stand-in content hash for tests: distinct texts give distinct hashes (the real one,
/// SHA-256, is the decoders' business).
fn stand_in_hash(text: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, b) in text.bytes().enumerate() {
        out[i % 32] = out[i % 32].wrapping_mul(31).wrapping_add(b);
    }
    out[31] ^= text.len() as u8;
    out
}

/// Documents without facts, as a batch to insert.
fn plain(documents: &[Document]) -> Vec<NewDocument> {
    documents.iter().map(|d| NewDocument { document: d.clone(), facts: None }).collect()
}

fn sources(store: &Store, names: &[&str]) {
    let sources: Vec<Source> = names.iter().map(|n| Source::new(n, SourceKind::File, None)).collect();
    store.ensure_sources(&sources).expect("sources stored");
}

fn insert_and_reopen_round_trips(store: &Store) {
    sources(store, &["Panj Valley Monitor"]);
    let doc = document(store, 1, "Border guards seized 40 kg of heroin near Panj.", "en", "Panj Valley Monitor");
    assert_eq!(
        store.insert_documents(&plain(std::slice::from_ref(&doc))).expect("insert"),
        vec![Inserted::New { id: doc.id }]
    );
    let back = store.document(&doc.id.to_string()).expect("read").expect("found");
    assert_eq!(back, doc);
}

/// Publications known to the day, the month or the year, and none: each read back with
/// its precision from every way documents are read, and ordered by the period's start.
fn publication_precision_round_trips(store: &Store) {
    sources(store, &["A"]);
    let published = ["2022-05-17", "2022-05", "2021"].map(|t| Some(When::parse(t).expect(t)));
    let mut docs: Vec<Document> = published
        .iter()
        .enumerate()
        .map(|(n, p)| Document {
            published: *p,
            ..document(store, n as u32, &format!("Report {n} on the border."), "en", "A")
        })
        .collect();
    let mut undated = document(store, 3, "Report 3 on the border.", "en", "A");
    undated.published = None;
    docs.push(undated);
    // Two by the ingest path, two as an import: both write documents.
    store.insert_documents(&plain(&docs[..2])).expect("insert");
    store.import(&beltwatch_store::Import { sources: Vec::new(), documents: plain(&docs[2..]) }).expect("import");
    for doc in &docs {
        assert_eq!(store.document(&doc.id.to_string()).expect("read").as_ref(), Some(doc));
    }
    let text = |w: Option<When>| w.map(|w| w.to_text());
    let listed = store.documents(&DocumentFilter::default(), &Page { limit: 10, after: None }).expect("list");
    let shown: Vec<(Option<String>, Option<model::Precision>)> =
        listed.items.iter().map(|d| (text(d.published), d.published.map(|w| w.precision))).collect();
    // Newest first by publication, else storage (thirty days after the base time).
    assert_eq!(
        shown,
        [
            (None, None),
            (Some("2022-05-17".into()), Some(model::Precision::Day)),
            (Some("2022-05".into()), Some(model::Precision::Month)),
            (Some("2021".into()), Some(model::Precision::Year)),
        ]
    );
    let hits =
        store.search(&SearchQuery::parse("border").expect("query"), &DocumentFilter::default(), 10).expect("search");
    let mut found: Vec<Option<String>> = hits.iter().map(|h| text(h.document.published)).collect();
    found.sort();
    assert_eq!(found, [None, Some("2021".into()), Some("2022-05".into()), Some("2022-05-17".into())]);
    let inputs = store.extraction_inputs(0, 10).expect("inputs");
    let mut read: Vec<(String, Option<When>)> = inputs.iter().map(|i| (i.id.to_string(), i.published)).collect();
    read.sort_by(|a, b| a.0.cmp(&b.0));
    let mut expected: Vec<(String, Option<When>)> = docs.iter().map(|d| (d.id.to_string(), d.published)).collect();
    expected.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(read, expected);
    // A month is filtered by its first instant, like a day by its midnight.
    let since = |t: &str| DocumentFilter { since: When::parse(t).ok().map(|w| w.at), ..Default::default() };
    assert_eq!(store.count_documents(&since("2022-05-01T00:00:00Z")).expect("count"), 3);
    assert_eq!(store.count_documents(&since("2022-05-01T00:00:01Z")).expect("count"), 2);
}

fn duplicates_are_stored_once(store: &Store) {
    sources(store, &["A", "B"]);
    let first = document(store, 1, "Same text.", "en", "A");
    let mut again = document(store, 2, "Same text.", "en", "B");
    again.title = Some("Another title".into());
    let other = document(store, 3, "Other text.", "en", "A");
    let outcomes = store.insert_documents(&plain(&[first.clone(), again, other.clone()])).expect("insert");
    assert_eq!(
        outcomes,
        vec![Inserted::New { id: first.id }, Inserted::Duplicate { id: first.id }, Inserted::New { id: other.id }]
    );
    let outcomes = store.insert_documents(&plain(std::slice::from_ref(&first))).expect("insert");
    assert_eq!(outcomes, vec![Inserted::Duplicate { id: first.id }]);
    assert_eq!(store.count_documents(&DocumentFilter::default()).expect("count"), 2);
}

fn a_failed_batch_leaves_nothing(store: &Store) {
    sources(store, &["A"]);
    let good = document(store, 1, "Good text.", "en", "A");
    // A source that was never stored breaks the foreign key: the whole batch must go.
    let orphan = document(store, 2, "Orphan text.", "en", "Never stored");
    assert!(store.insert_documents(&plain(&[good, orphan])).is_err());
    assert_eq!(store.count_documents(&DocumentFilter::default()).expect("count"), 0);
}

fn lists_newest_first_with_cursors(store: &Store) {
    sources(store, &["A"]);
    let docs: Vec<Document> = (0..7).map(|n| document(store, n, &format!("Text number {n}."), "en", "A")).collect();
    store.insert_documents(&plain(&docs)).expect("insert");
    let mut seen = Vec::new();
    let mut page = Page { limit: 3, after: None };
    loop {
        let listing = store.documents(&DocumentFilter::default(), &page).expect("list");
        assert!(listing.items.len() <= 3);
        seen.extend(listing.items.iter().map(|d| d.title.clone().unwrap_or_default()));
        match listing.next {
            Some(next) => page.after = Some(next),
            None => break,
        }
    }
    let expected: Vec<String> = (0..7).rev().map(|n| format!("Report {n}")).collect();
    assert_eq!(seen, expected);
    let bad = store.documents(&DocumentFilter::default(), &Page { limit: 3, after: Some("nonsense".into()) });
    assert!(matches!(bad, Err(StoreError::InvalidCursor(_))), "{bad:?}");
}

fn filters_by_time_language_and_source(store: &Store) {
    sources(store, &["Panj Valley Monitor", "Вести Бадахшана"]);
    let docs = vec![
        document(store, 1, "Heroin seized at the river.", "en", "Panj Valley Monitor"),
        document(store, 5, "Пограничники задержали нарушителей.", "ru", "Вести Бадахшана"),
        document(store, 9, "Migrants detained near Termez.", "en", "Panj Valley Monitor"),
    ];
    store.insert_documents(&plain(&docs)).expect("insert");
    let count = |filter: DocumentFilter| store.count_documents(&filter).expect("count");
    assert_eq!(count(DocumentFilter { language: Some(Language::russian()), ..Default::default() }), 1);
    assert_eq!(count(DocumentFilter { source: Some("panj valley monitor".into()), ..Default::default() }), 2);
    assert_eq!(count(DocumentFilter { source: Some("ВЕСТИ БАДАХШАНА".into()), ..Default::default() }), 1);
    let since = base_time() + Duration::hours(5);
    assert_eq!(count(DocumentFilter { since: Some(since), ..Default::default() }), 2);
    assert_eq!(count(DocumentFilter { until: Some(since), ..Default::default() }), 1);
    assert_eq!(
        count(DocumentFilter { since: Some(since), until: Some(since + Duration::hours(1)), ..Default::default() }),
        1
    );
}

fn searches_in_english_and_russian(store: &Store) {
    sources(store, &["A"]);
    let docs = vec![
        document(store, 1, "Tajik border guards seized 120 kg of heroin near the Panj river.", "en", "A"),
        document(store, 2, "Пограничники изъяли более 200 кг героина и задержали двух курьеров.", "ru", "A"),
        document(store, 3, "Uzbek guards detained migrants near Termez; no drugs were found.", "en", "A"),
        document(store, 4, "Задержан курьер с партией гашиша у Хорога.", "ru", "A"),
    ];
    store.insert_documents(&plain(&docs)).expect("insert");
    let titles = |q: &str| -> Vec<String> {
        let query = SearchQuery::parse(q).expect("valid query");
        let mut hits: Vec<String> = store
            .search(&query, &DocumentFilter::default(), 10)
            .expect("search")
            .into_iter()
            .map(|h| h.document.title.unwrap_or_default())
            .collect();
        hits.sort();
        hits
    };
    assert_eq!(titles("heroin"), ["Report 1"]);
    // English words are stemmed: "seize" finds "seized".
    assert_eq!(titles("seize"), ["Report 1"]);
    // Russian words are stemmed to a prefix: героин finds героина, задержали finds задержан.
    assert_eq!(titles("героин"), ["Report 2"]);
    assert_eq!(titles("задержали"), ["Report 2", "Report 4"]);
    assert_eq!(titles("\"Panj river\""), ["Report 1"]);
    assert_eq!(titles("heroin OR migrants"), ["Report 1", "Report 3"]);
    assert_eq!(titles("guards -heroin"), ["Report 3"]);
    assert_eq!(titles("opium"), Vec::<String>::new());
    let hits =
        store.search(&SearchQuery::parse("Termez").expect("valid"), &DocumentFilter::default(), 10).expect("search");
    assert!(hits[0].snippet.contains("[Termez]"), "{}", hits[0].snippet);
    let filtered = store
        .search(
            &SearchQuery::parse("задержали").expect("valid"),
            &DocumentFilter { since: Some(base_time() + Duration::hours(3)), ..Default::default() },
            10,
        )
        .expect("search");
    assert_eq!(filtered.len(), 1);
}

fn finds_documents_by_id_prefix(store: &Store) {
    sources(store, &["A"]);
    let doc = document(store, 1, "Some report text.", "en", "A");
    store.insert_documents(&plain(std::slice::from_ref(&doc))).expect("insert");
    let id = doc.id.to_string();
    assert_eq!(store.document(&id[..8]).expect("read").map(|d| d.id), Some(doc.id));
    assert_eq!(store.document(&id.to_uppercase()).expect("read").map(|d| d.id), Some(doc.id));
    assert!(store.document("0000000000").expect("read").is_none());
    assert!(matches!(store.document("ab"), Err(StoreError::IdTooShort(_))));
    assert!(matches!(store.document("'; DROP TABLE documents; --"), Err(StoreError::IdTooShort(_))));
}

fn rates_sources(store: &Store) {
    sources(store, &["Khatlon Herald"]);
    store.rate_source("khatlon herald", Reliability::B).expect("rated");
    store.rate_source("New Wire", Reliability::C).expect("rated");
    let doc = document(store, 1, "Text.", "en", "Khatlon Herald");
    store.insert_documents(&plain(&[doc])).expect("insert");
    let sources = store.sources().expect("sources");
    let summary: Vec<(String, Reliability, u64)> =
        sources.into_iter().map(|s| (s.source.name, s.source.reliability, s.documents)).collect();
    assert_eq!(
        summary,
        vec![("Khatlon Herald".to_owned(), Reliability::B, 1), ("New Wire".to_owned(), Reliability::C, 0)]
    );
}

fn event(store: &Store, document: &Document, n: u8, category: Category, country: &str, actor: &str) -> Event {
    Event {
        id: EventId::derived(&[n]),
        category,
        event_type: EventType::Seizure,
        when: Some(When::day(base_time().date_naive() + Duration::days(i64::from(n)))),
        place: Some(EventPlace {
            place: Some("bw:test".parse().expect("place id")),
            name: "Panj".into(),
            country: Some(country.parse().expect("country")),
            point: Some(LonLat::new(69.1, 37.2).expect("point")),
            precision: GeoPrecision::Locality,
        }),
        actors: vec![EventActor { actor: actor.parse().expect("actor"), role: ActorRole::Authority, spans: vec![] }],
        quantities: vec![Quantity {
            kind: QuantityKind::Heroin,
            value: 40.0,
            unit: Unit::Kilogram,
            span: Span { start: 0, end: 5 },
        }],
        stance: Stance::Asserted,
        documents: vec![document.id],
        evidence: vec![Mention {
            document: document.id,
            span: Span { start: 0, end: 5 },
            kind: MentionKind::Trigger,
            resolved: Some("seizure".into()),
        }],
        confidence: 0.7,
        credibility: Credibility::CannotBeJudged,
        sector: None,
        marking: Marking {
            owner: store.local_organisation().expect("org").id,
            tlp: Tlp::Green,
            distribution: Distribution::AllPartners,
        },
    }
}

fn stores_and_replaces_facts(store: &Store) {
    sources(store, &["A"]);
    let doc = document(store, 1, "Border guards seized heroin.", "en", "A");
    let other = document(store, 2, "Migrants were detained.", "en", "A");
    let facts = Facts {
        events: vec![
            event(store, &doc, 1, Category::DrugTrafficking, "TJ", "tj-border-troops"),
            event(store, &doc, 2, Category::Terrorism, "AF", "iskp"),
        ],
        mentions: vec![Mention {
            document: doc.id,
            span: Span { start: 14, end: 20 },
            kind: MentionKind::Trigger,
            resolved: Some("seizure".into()),
        }],
        claims: vec![],
        extracted_with: "v1".into(),
    };
    store
        .insert_documents(&[
            NewDocument { document: doc.clone(), facts: Some(facts.clone()) },
            NewDocument { document: other, facts: None },
        ])
        .expect("insert");
    let all = store.events(&EventFilter::default(), &Page::default()).expect("events");
    assert_eq!(all.items.len(), 2);
    let stored = all.items.iter().find(|e| e.id == facts.events[0].id).expect("stored event");
    assert_eq!(stored, &facts.events[0]);
    let count = |f: EventFilter| store.count_events(&f).expect("count");
    assert_eq!(count(EventFilter { category: Some(Category::Terrorism), ..Default::default() }), 1);
    assert_eq!(count(EventFilter { country: Some("TJ".parse().expect("cc")), ..Default::default() }), 1);
    assert_eq!(count(EventFilter { actor: Some("iskp".parse().expect("actor")), ..Default::default() }), 1);
    assert_eq!(count(EventFilter { document: Some(doc.id), ..Default::default() }), 2);
    assert_eq!(count(EventFilter { since: Some(base_time() + Duration::days(1)), ..Default::default() }), 1);
    assert_eq!(store.mentions(doc.id).expect("mentions"), facts.mentions);
    // Page through events with a cursor.
    let first = store.events(&EventFilter::default(), &Page { limit: 1, after: None }).expect("page");
    let second = store.events(&EventFilter::default(), &Page { limit: 1, after: first.next.clone() }).expect("page");
    assert_ne!(first.items[0].id, second.items[0].id);
    assert!(second.next.is_none());
    // Re-extraction replaces the facts whole.
    let newer = Facts {
        events: vec![event(store, &doc, 3, Category::DrugTrafficking, "TJ", "tj-border-troops")],
        mentions: vec![],
        claims: vec![],
        extracted_with: "v2".into(),
    };
    store.replace_facts(&[(doc.id, newer.clone())]).expect("replace");
    let all = store.events(&EventFilter::default(), &Page::default()).expect("events");
    assert_eq!(all.items.iter().map(|e| e.id).collect::<Vec<_>>(), vec![newer.events[0].id]);
    assert!(store.mentions(doc.id).expect("mentions").is_empty());
    let inputs = store.extraction_inputs(0, 10).expect("inputs");
    assert_eq!(inputs.len(), 2);
    assert_eq!(inputs[0].extracted_with.as_deref(), Some("v2"));
    assert_eq!(inputs[1].extracted_with, None);
    assert_eq!(store.extraction_inputs(inputs[0].seq, 10).expect("inputs").len(), 1);
}

fn links_are_recorded_undone_and_remembered(store: &Store) {
    sources(store, &["A", "B"]);
    let first = document(store, 1, "Border guards seized heroin.", "en", "A");
    let second = document(store, 2, "Heroin was seized at the border.", "en", "B");
    let a = event(store, &first, 1, Category::DrugTrafficking, "TJ", "tj-border-troops");
    let b = event(store, &second, 2, Category::DrugTrafficking, "TJ", "tj-border-troops");
    let facts =
        |e: &Event| Facts { events: vec![e.clone()], mentions: vec![], claims: vec![], extracted_with: "v1".into() };
    store
        .insert_documents(&[
            NewDocument { document: first.clone(), facts: Some(facts(&a)) },
            NewDocument { document: second.clone(), facts: Some(facts(&b)) },
        ])
        .expect("insert");
    let sources = store.document_sources().expect("document sources");
    assert_eq!(sources.iter().map(|s| s.outlet.as_str()).collect::<Vec<_>>(), ["A", "B"]);
    let link =
        NewLink { event: b.id, incident: a.id, relation: LinkRelation::Corroborates, reason: "same seizure".into() };
    assert_eq!(store.add_links(std::slice::from_ref(&link)).expect("link"), 1);
    assert_eq!(store.add_links(std::slice::from_ref(&link)).expect("link again"), 0, "recorded once");
    store.set_assessment(&[(a.id, Some("AF-TJ-017".parse().expect("sector")), Credibility::Confirmed)]).expect("set");
    let stored = store.events(&EventFilter::default(), &Page::default()).expect("events");
    let stored_a = stored.items.iter().find(|e| e.id == a.id).expect("a");
    assert_eq!(stored_a.credibility, Credibility::Confirmed);
    assert_eq!(stored_a.sector.as_ref().map(|s| s.as_str()), Some("AF-TJ-017"));

    // Undoing the links of other events leaves this one.
    assert_eq!(store.unlink_events(a.id, &[a.id]).expect("unlink others"), 0);
    assert_eq!(store.unlink_events(a.id, &[]).expect("unlink none"), 0);
    assert!(store.links().expect("links")[0].unlinked_at.is_none());
    assert_eq!(store.unlink_events(a.id, &[b.id]).expect("unlink"), 1);
    assert_eq!(store.unlink(a.id).expect("unlink again"), 0);
    let links = store.links().expect("links");
    assert_eq!(links.len(), 1, "an undone link is kept");
    assert!(links[0].unlinked_at.is_some());
    assert_eq!(store.add_links(&[link]).expect("link after undo"), 0, "an undone link stays undone");
    // Extracting the document again removes its events and their links with them.
    store
        .replace_facts(&[(
            second.id,
            Facts { events: vec![], mentions: vec![], claims: vec![], extracted_with: "v2".into() },
        )])
        .expect("replace");
    assert!(store.links().expect("links").is_empty());
}

/// The SQL rendering of the visibility policy agrees with `model::may_see` on every
/// combination of owner, TLP, distribution and viewer.
fn visibility_follows_the_policy(store: &Store) {
    sources(store, &["A"]);
    let local = store.local_organisation().expect("local").id;
    let other = store.create_organisation("Termez Centre").expect("org").id;
    let third = store.create_organisation("Herat Office").expect("org").id;
    assert!(matches!(store.create_organisation("termez centre"), Err(StoreError::Exists { .. })));
    let group = store.create_sharing_group("Panj working group", &[local, other]).expect("group");
    let mut events = Vec::new();
    let mut documents = Vec::new();
    let mut n = 0u8;
    for owner in [local, other, third] {
        for tlp in Tlp::ALL {
            for distribution in
                [Distribution::Organisation, Distribution::SharingGroup { group: group.id }, Distribution::AllPartners]
            {
                n += 1;
                let doc = document(store, u32::from(n), &format!("report {n}"), "en", "A");
                let mut e = event(store, &doc, n, Category::DrugTrafficking, "TJ", "tj-border-troops");
                e.marking = Marking { owner, tlp: *tlp, distribution };
                let facts =
                    Facts { events: vec![e.clone()], mentions: vec![], claims: vec![], extracted_with: "v".into() };
                documents.push(NewDocument { document: doc, facts: Some(facts) });
                events.push(e);
            }
        }
    }
    store.insert_documents(&documents).expect("insert");
    for org in [local, other, third] {
        let viewer = store.viewer(org).expect("viewer");
        let filter = EventFilter { visible_to: Some(viewer.clone()), ..Default::default() };
        let seen: std::collections::BTreeSet<EventId> = store
            .events(&filter, &Page { limit: 500, after: None })
            .expect("events")
            .items
            .iter()
            .map(|e| e.id)
            .collect();
        let expected: std::collections::BTreeSet<EventId> =
            events.iter().filter(|e| model::may_see(&viewer, &e.marking)).map(|e| e.id).collect();
        assert_eq!(seen, expected, "organisation {org}");
        assert_eq!(store.count_events(&filter).expect("count"), expected.len() as u64);
    }
}

/// The page written as JSON is, byte for byte, the page of events serialised: over events
/// with and without a time or place, with a fraction of a second, a sharing group, several
/// documents, and names that JSON must escape.
fn event_pages_written_as_json_equal_the_events(store: &Store) {
    sources(store, &["A"]);
    let group = store.create_sharing_group("Khatlon \"desk\"", &[]).expect("group");
    let mut documents = Vec::new();
    for n in 1..=7u8 {
        let doc = document(store, u32::from(n), &format!("report {n}"), "en", "A");
        let extra = document(store, 100 + u32::from(n), &format!("second report {n}"), "en", "A");
        let mut e = event(store, &doc, n, Category::DrugTrafficking, "TJ", "tj-border-troops");
        match n {
            1 => e.when = None,
            2 => e.place = None,
            3 => e.when = Some(When::exact(base_time() + Duration::milliseconds(1250))),
            4 => {
                e.marking.distribution = Distribution::SharingGroup { group: group.id };
                e.marking.tlp = Tlp::AmberStrict;
            }
            5 => {
                e.documents.push(extra.id);
                e.documents.sort();
            }
            6 => {
                if let Some(place) = e.place.as_mut() {
                    place.name = "Пяндж \"new\" crossing\\\n".into();
                    place.point = None;
                    place.place = None;
                    place.country = None;
                }
            }
            _ => {
                e.credibility = Credibility::Confirmed;
                e.sector = Some("AF-TJ-007".parse().expect("sector"));
                e.actors.clear();
                e.quantities.clear();
                e.evidence.clear();
            }
        }
        let facts = Facts { events: vec![e], mentions: vec![], claims: vec![], extracted_with: "v".into() };
        documents.push(NewDocument { document: extra, facts: None });
        documents.push(NewDocument { document: doc, facts: Some(facts) });
    }
    store.insert_documents(&documents).expect("insert");
    let mut after = None;
    let mut pages = 0;
    loop {
        let page = Page { limit: 3, after: after.clone() };
        let listing = store.events(&EventFilter::default(), &page).expect("events");
        let mut written = Vec::new();
        let cursor = store.write_events_json(&EventFilter::default(), &page, &mut written).expect("written");
        let expected = serde_json::to_string(&listing.items).expect("json");
        assert_eq!(String::from_utf8(written).expect("utf-8"), expected);
        assert_eq!(cursor.items.len(), listing.items.len());
        assert_eq!(cursor.next, listing.next);
        pages += 1;
        match listing.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(pages, 3);
}

fn accounts_tokens_and_an_append_only_audit(store: &Store) {
    let org = store.create_organisation("Kulob Desk").expect("org");
    let user = store.create_user(org.id, "dilnoza", Role::Analyst).expect("user");
    assert!(matches!(store.create_user(org.id, "dilnoza", Role::Viewer), Err(StoreError::Exists { .. })));
    assert_eq!(store.users().expect("users"), vec![user.clone()]);
    let expires = base_time() + Duration::days(30);
    let token = store.add_token(user.id, "laptop", "ab12", expires).expect("token");
    let (found, owner) = store.token_by_hash("ab12").expect("lookup").expect("found");
    assert_eq!((found.id, owner.id, found.expires_at), (token.id, user.id, expires));
    assert!(store.token_by_hash("ffff").expect("lookup").is_none());
    assert!(store.revoke_token(token.id).expect("revoke"));
    assert!(!store.revoke_token(token.id).expect("revoke again"));
    assert!(store.token_by_hash("ab12").expect("lookup").expect("found").0.revoked_at.is_some());
    store
        .audit(&[NewAudit {
            user: Some(user.id),
            organisation: Some(org.id),
            action: "search".into(),
            target: Some("/api/v1/search".into()),
            detail: serde_json::json!({ "q": "heroin" }),
        }])
        .expect("audit");
    let entries = store.audit_entries(Some(user.id), None, 10).expect("entries");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].detail["q"], "heroin");
}

/// Partners and groups added under the ids they have elsewhere; an id taken is refused.
fn organisations_and_groups_keep_given_ids(store: &Store) {
    let id: model::OrganisationId = "0193a5a0-0000-7000-8000-0000000000aa".parse().expect("id");
    let org = store.create_organisation_as("Termez Centre", id).expect("org");
    assert_eq!(org.id, id);
    assert!(matches!(store.create_organisation_as("Another name", id), Err(StoreError::Exists { .. })));
    let local = store.local_organisation().expect("local").id;
    let group_id: model::SharingGroupId = "0193a5a0-0000-7000-8000-0000000000bb".parse().expect("id");
    let group = store.create_sharing_group_as("Pair", group_id, &[local, id]).expect("group");
    assert_eq!(group.id, group_id);
    assert!(matches!(store.create_sharing_group_as("Again", group_id, &[id]), Err(StoreError::Exists { .. })));
    let groups = store.sharing_groups().expect("groups");
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].members.len(), 2, "a refused group adds no members");
}

fn has_one_local_organisation(store: &Store) {
    let first = store.local_organisation().expect("organisation");
    assert_eq!(store.local_organisation().expect("organisation"), first);
    assert_eq!(store.integrity_check().expect("check"), vec!["ok".to_owned()]);
    assert!(store.schema_version().expect("version") >= 1);
}

fn jobs_are_claimed_once_and_taken_over_after_their_lease(store: &Store) {
    use std::time::Duration as Span;
    sources(store, &["A"]);
    let docs = vec![
        document(store, 1, "Border guards seized heroin.", "en", "A"),
        document(store, 2, "Migrants were detained.", "en", "A"),
    ];
    let (outcomes, job) = store.insert_documents_queued(&plain(&docs)).expect("insert and queue");
    assert!(outcomes.iter().all(|o| matches!(o, Inserted::New { .. })));
    let job = job.expect("an extract job for the new documents");
    // Duplicates bring no second job.
    let (_, again) = store.insert_documents_queued(&plain(&docs)).expect("insert again");
    assert_eq!(again, None);
    let ingest = store.enqueue(JobKind::Ingest, &["{\"target\":\"a\"}".to_owned()]).expect("enqueue");

    // Oldest first, each claimed by one node only.
    let first = store.claim_job("node-a", Span::from_secs(60)).expect("claim").expect("a job");
    assert_eq!((first.id, first.kind, first.attempts), (job, JobKind::Extract, 1));
    assert!(first.payload.contains(&docs[0].id.to_string()) && first.payload.contains(&docs[1].id.to_string()));
    let second = store.claim_job("node-b", Span::from_secs(60)).expect("claim").expect("a job");
    assert_eq!(second.id, ingest[0]);
    assert_eq!(store.claim_job("node-c", Span::from_secs(60)).expect("claim"), None);

    // node-b stops gracefully: its job goes back to the queue.
    store.release_job(&second).expect("release");
    let third = store.claim_job("node-c", Span::from_millis(1)).expect("claim").expect("the released job");
    assert_eq!(third.id, second.id);
    // node-c dies: after its lease runs out, node-a takes the job over, and node-c's
    // late result is refused.
    std::thread::sleep(Span::from_millis(20));
    let taken = store.claim_job("node-a", Span::from_secs(60)).expect("claim").expect("the expired job");
    assert_eq!((taken.id, taken.attempts), (third.id, 3));
    assert!(!store.renew_job(&third, Span::from_secs(60)).expect("renew"));
    assert!(matches!(store.finish_job(&third, &[]), Err(StoreError::LeaseLost { .. })));
    store.finish_job(&taken, &[]).expect("finish");

    // Finishing an extract job stores its facts with it.
    let facts = Facts { extracted_with: "v1".into(), ..Facts::default() };
    assert!(store.renew_job(&first, Span::from_secs(60)).expect("renew"));
    store.finish_job(&first, &[(docs[0].id, facts.clone()), (docs[1].id, facts)]).expect("finish");
    let records = store.jobs().expect("jobs");
    assert_eq!(records.len(), 2);
    assert!(records.iter().all(|r| r.state == "done"));
    assert_eq!(records[0].finished_by.as_deref(), Some("node-a"));
    let inputs = store.extraction_inputs(0, 10).expect("inputs");
    assert!(inputs.iter().all(|i| i.extracted_with.as_deref() == Some("v1")));

    // A job that fails is queued again, and given up after its last attempt.
    let [failing] = store.enqueue(JobKind::Extract, &["[]".to_owned()]).expect("enqueue")[..] else { panic!("one id") };
    for attempt in 1..=beltwatch_store::MAX_ATTEMPTS {
        let job = store.claim_job("node-a", Span::from_secs(60)).expect("claim").expect("the failing job");
        assert_eq!((job.id, job.attempts), (failing, attempt));
        store.fail_job(&job, "the extractor refused").expect("fail");
    }
    assert_eq!(store.claim_job("node-a", Span::from_secs(60)).expect("claim"), None);
    let given_up = store.jobs().expect("jobs").into_iter().find(|r| r.id == failing).expect("listed");
    assert_eq!((given_up.state.as_str(), given_up.last_error.as_deref()), ("failed", Some("the extractor refused")));
}

fn leases_are_held_by_one_holder(store: &Store) {
    use std::time::Duration as Span;
    assert!(store.take_lease("alerts", "node-a", Span::from_secs(60)).expect("take"));
    assert!(!store.take_lease("alerts", "node-b", Span::from_secs(60)).expect("take"));
    // Renewing is taking again.
    assert!(store.take_lease("alerts", "node-a", Span::from_secs(60)).expect("renew"));
    // Another lease is another name.
    assert!(store.take_lease("deliveries", "node-b", Span::from_secs(60)).expect("take"));
    // Dropped, or run out, it passes on.
    store.drop_lease("alerts", "node-a").expect("drop");
    assert!(store.take_lease("alerts", "node-b", Span::from_millis(1)).expect("take"));
    std::thread::sleep(Span::from_millis(20));
    assert!(store.take_lease("alerts", "node-c", Span::from_secs(60)).expect("take over"));
    assert!(!store.take_lease("alerts", "node-b", Span::from_secs(60)).expect("take"));
}

/// One alert per rule and incident: a later report of an alerted incident joins its
/// alert. Alerts are listed a page at a time, newest first.
fn alerts_join_their_incident_and_page(store: &Store) {
    let local = store.local_organisation().expect("local").id;
    let condition = model::AlertCondition { category: Some(Category::DrugTrafficking), ..Default::default() };
    let rule = store.create_alert_rule(local, "Seizures", &condition, None).expect("rule");
    let event = |n: u8| EventId::derived(&[n]);
    let alert = |key: &str, events: Vec<EventId>| beltwatch_store::NewAlert {
        rule: rule.id,
        dedup_key: key.into(),
        title: key.into(),
        events,
        sector: None,
    };
    let first = store.raise_alerts(&[alert("a", vec![event(1)])]).expect("raise");
    assert_eq!(first.len(), 1);
    // The same incident, grown and led by another report: no new alert; the alert covers both.
    assert!(store.raise_alerts(&[alert("b", vec![event(2), event(1)])]).expect("raise").is_empty());
    let stored = store.alert(first[0].id).expect("alert").expect("stored");
    let mut expected = vec![event(1), event(2)];
    expected.sort_by_key(ToString::to_string);
    assert_eq!(stored.events, expected);
    // Other incidents raise alerts of their own.
    for n in 3..8 {
        assert_eq!(store.raise_alerts(&[alert(&format!("k{n}"), vec![event(n)])]).expect("raise").len(), 1);
    }
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = store.alerts_page(local, None, &Page { limit: 2, after }).expect("page");
        assert!(page.items.len() <= 2);
        seen.extend(page.items.iter().map(|a| a.id));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(seen.len(), 6, "every alert once");
    let newest_first: Vec<_> = store.alerts(local, None, 100).expect("alerts").iter().map(|a| a.id).collect();
    assert_eq!(seen, newest_first);
    assert!(matches!(
        store.alerts_page(local, None, &Page { limit: 2, after: Some("nonsense".into()) }),
        Err(StoreError::InvalidCursor(_))
    ));
}

/// A delivery is taken by one holder at a time; only its token records the outcome, and a
/// holder that stops hands its deliveries back.
fn deliveries_are_taken_under_fenced_leases(store: &Store) {
    let local = store.local_organisation().expect("local").id;
    let condition = model::AlertCondition { category: Some(Category::BorderIncident), ..Default::default() };
    let rule = store
        .create_alert_rule(local, "Clashes", &condition, Some(("https://hooks.example.org/x", "a-secret-of-sixteen")))
        .expect("rule");
    let raised = beltwatch_store::NewAlert {
        rule: rule.id,
        dedup_key: "clash".into(),
        title: "clash".into(),
        events: vec![EventId::derived(b"clash")],
        sector: None,
    };
    store.raise_alerts(&[raised]).expect("raise");
    let now = Utc::now();
    let taken = store.claim_deliveries("node-a", now, now + Duration::seconds(30), 10).expect("claim");
    assert_eq!(taken.len(), 1);
    assert!(store.claim_deliveries("node-b", now, now + Duration::seconds(30), 10).expect("claim").is_empty());
    // The lease runs out: another node takes it, and the first can no longer record it.
    let later = now + Duration::seconds(31);
    let retaken = store.claim_deliveries("node-b", later, later + Duration::seconds(30), 10).expect("claim");
    assert_eq!(retaken.len(), 1);
    assert_eq!(retaken[0].delivery_id, taken[0].delivery_id, "the same delivery id everywhere");
    assert!(!store.renew_delivery(&taken[0], later + Duration::seconds(60)).expect("renew"));
    assert!(!store.delivery_done(&taken[0]).expect("done"), "a lost lease records nothing");
    assert!(store.renew_delivery(&retaken[0], later + Duration::seconds(60)).expect("renew"));
    // Stopping hands it back: due again at once for anyone.
    assert_eq!(store.release_deliveries("node-b").expect("release"), 1);
    let again = store.claim_deliveries("node-c", later, later + Duration::seconds(30), 10).expect("claim");
    assert_eq!(again.len(), 1);
    assert!(store.delivery_done(&again[0]).expect("done"));
    assert!(store.claim_deliveries("node-a", later, later + Duration::seconds(600), 10).expect("claim").is_empty());
}

fn taxii_statuses_are_kept_for_their_organisation(store: &Store) {
    let ours = store.local_organisation().expect("organisation").id;
    let theirs = store.create_organisation("Termez Centre").expect("organisation").id;
    let body = r#"{"id":"s1","status":"complete","success_count":2}"#;
    store.put_taxii_status("s1", ours, body, base_time() - Duration::days(7)).expect("put");
    assert_eq!(store.taxii_status("s1", ours).expect("get").as_deref(), Some(body));
    assert_eq!(store.taxii_status("s1", theirs).expect("get"), None, "another organisation's status stays hidden");
    assert_eq!(store.taxii_status("s2", ours).expect("get"), None);
    // Putting a later one prunes those stored before the given time.
    store.put_taxii_status("s2", ours, "{}", Utc::now() + Duration::seconds(60)).expect("put");
    assert_eq!(store.taxii_status("s1", ours).expect("get"), None);
    assert_eq!(store.taxii_status("s2", ours).expect("get").as_deref(), Some("{}"));
}

macro_rules! backends {
    ($($backend:ident => $fresh:expr;)+) => {$(
        mod $backend {
            use super::*;
            backends!(@checks $fresh;
                insert_and_reopen_round_trips,
                publication_precision_round_trips,
                duplicates_are_stored_once,
                a_failed_batch_leaves_nothing,
                lists_newest_first_with_cursors,
                filters_by_time_language_and_source,
                searches_in_english_and_russian,
                finds_documents_by_id_prefix,
                rates_sources,
                has_one_local_organisation,
                organisations_and_groups_keep_given_ids,
                stores_and_replaces_facts,
                links_are_recorded_undone_and_remembered,
                visibility_follows_the_policy,
                event_pages_written_as_json_equal_the_events,
                accounts_tokens_and_an_append_only_audit,
                jobs_are_claimed_once_and_taken_over_after_their_lease,
                leases_are_held_by_one_holder,
                taxii_statuses_are_kept_for_their_organisation,
                alerts_join_their_incident_and_page,
                deliveries_are_taken_under_fenced_leases,
            );
        }
    )+};
    (@checks $fresh:expr; $($check:ident,)+) => {$(
        #[test]
        fn $check() {
            let Some((_guard, store)) = $fresh else { return };
            super::$check(&store);
        }
    )+};
}

fn fresh_sqlite() -> Option<(tempfile::TempDir, Store)> {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open_sqlite(&dir.path().join("beltwatch.sqlite")).expect("open");
    Some((dir, store))
}

/// A store in a schema of its own on the test PostgreSQL server, dropped with the guard;
/// `None`, with the reason on the terminal, when there is no server to test against
/// (unless `BELTWATCH_REQUIRE_POSTGRES` is set, as CI sets it).
fn fresh_postgres() -> Option<(pg::Schema, Store)> {
    let schema = pg::Schema::new()?;
    let store = Store::open(&schema.location()).expect("open the PostgreSQL store");
    Some((schema, store))
}

#[path = "support/pg.rs"]
mod pg;

backends! {
    sqlite => fresh_sqlite();
    postgres => fresh_postgres();
}

// Properties of the SQLite file itself, outside the shared suite.

#[test]
fn reopening_keeps_documents_and_organisation() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("beltwatch.sqlite");
    let (doc, org) = {
        let store = Store::open_sqlite(&path).expect("open");
        sources(&store, &["A"]);
        let doc = document(&store, 1, "Kept across reopening.", "en", "A");
        store.insert_documents(&plain(std::slice::from_ref(&doc))).expect("insert");
        (doc, store.local_organisation().expect("org"))
    };
    let store = Store::open_sqlite(&path).expect("reopen");
    assert_eq!(store.local_organisation().expect("org"), org);
    assert_eq!(store.document(&doc.id.to_string()).expect("read"), Some(doc));
}

#[test]
fn refuses_another_programs_database() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("other.sqlite");
    let other = rusqlite::Connection::open(&path).expect("create");
    other.execute_batch("CREATE TABLE accounts (id INTEGER PRIMARY KEY);").expect("create table");
    drop(other);
    assert!(Store::is_foreign_file(&path));
    match Store::open_sqlite(&path) {
        Err(StoreError::NotAStore { .. }) => {}
        Err(other) => panic!("unexpected error {other}"),
        Ok(_) => panic!("opened another program's database"),
    }
}

#[test]
fn refuses_a_newer_schema() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("beltwatch.sqlite");
    drop(Store::open_sqlite(&path).expect("open"));
    let connection = rusqlite::Connection::open(&path).expect("open raw");
    connection.pragma_update(None, "user_version", 999).expect("bump version");
    drop(connection);
    assert!(matches!(Store::open_sqlite(&path), Err(StoreError::TooNew { found: 999, .. })));
}

// Properties of the PostgreSQL store itself.

#[test]
fn postgres_nodes_starting_together_migrate_once() {
    let Some(schema) = pg::Schema::new() else { return };
    let location = schema.location();
    let stores: Vec<Store> = std::thread::scope(|scope| {
        let opening: Vec<_> = (0..4).map(|_| scope.spawn(|| Store::open(&location))).collect();
        opening.into_iter().map(|h| h.join().expect("thread").expect("open")).collect()
    });
    let organisation = stores[0].local_organisation().expect("organisation");
    for store in &stores {
        assert_eq!(store.local_organisation().expect("organisation"), organisation);
        assert!(store.schema_version().expect("version") >= 1);
    }
    assert_eq!(schema.count("SELECT count(*) FROM organisations"), 1);
}

#[test]
fn postgres_nodes_claiming_at_once_never_share_a_job() {
    let Some(schema) = pg::Schema::new() else { return };
    let location = schema.location();
    let first = Store::open(&location).expect("open");
    let payloads: Vec<String> = (0..200).map(|n| format!("[\"{n}\"]")).collect();
    first.enqueue(JobKind::Extract, &payloads).expect("enqueue");
    let claimed: Vec<Vec<i64>> = std::thread::scope(|scope| {
        let nodes: Vec<_> = (0..4)
            .map(|n| {
                let location = &location;
                scope.spawn(move || {
                    let store = Store::open(location).expect("open");
                    let mut mine = Vec::new();
                    while let Some(job) =
                        store.claim_job(&format!("node-{n}"), std::time::Duration::from_secs(60)).expect("claim")
                    {
                        store.finish_job(&job, &[]).expect("finish");
                        mine.push(job.id);
                    }
                    mine
                })
            })
            .collect();
        nodes.into_iter().map(|h| h.join().expect("node")).collect()
    });
    let mut all: Vec<i64> = claimed.iter().flatten().copied().collect();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), 200, "every job done once");
    assert_eq!(claimed.iter().map(Vec::len).sum::<usize>(), 200, "no job done twice");
    assert!(first.jobs().expect("jobs").iter().all(|j| j.state == "done" && j.attempts == 1));
}

#[test]
fn postgres_refuses_another_programs_schema_and_a_newer_one() {
    let Some(other) = pg::Schema::new() else { return };
    other.execute("CREATE TABLE accounts (id BIGINT PRIMARY KEY)");
    assert!(matches!(Store::open(&other.location()), Err(StoreError::NotAStore { .. })));

    let Some(newer) = pg::Schema::new() else { return };
    drop(Store::open(&newer.location()).expect("open"));
    newer.execute("INSERT INTO beltwatch_schema (version) VALUES (999)");
    assert!(matches!(Store::open(&newer.location()), Err(StoreError::TooNew { found: 999, .. })));
}

#[test]
fn an_unreachable_postgres_server_is_named_without_its_password() {
    // Nothing listens on port 9 of the loopback address.
    match Store::open("postgres://beltwatch:hunter2@127.0.0.1:9/beltwatch?connect_timeout=2") {
        Err(e @ StoreError::Connect { .. }) => {
            let message = e.to_string();
            assert!(message.contains("127.0.0.1:9"), "{message}");
            assert!(!message.contains("hunter2"), "{message}");
        }
        Err(other) => panic!("unexpected error {other}"),
        Ok(_) => panic!("opened a store where no server listens"),
    }
}
