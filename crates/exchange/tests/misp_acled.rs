//! MISP and ACLED: beltwatch's records out and back in, other tools' files in, and the
//! problems bad files are reported with.

use beltwatch_exchange::{Problem, ReadDefaults, Shared, acled, content_hash, misp};
use chrono::{DateTime, Utc};
use model::{
    Actor, ActorKind, ActorRole, Category, Credibility, Distribution, Document, DocumentFormat, DocumentId, Event,
    EventActor, EventId, EventPlace, EventType, GeoPrecision, Language, LonLat, Marking, Mention, MentionKind,
    Organisation, OrganisationId, Precision, Quantity, QuantityKind, SharingGroup, SharingGroupId, Source, SourceKind,
    Span, Stance, Tlp, Unit, When,
};
use serde_json::{Value, json};
use uuid::Uuid;

fn org(n: u128) -> OrganisationId {
    OrganisationId::from_uuid(Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0000 + n))
}

fn event_id(n: u128) -> EventId {
    EventId::from_uuid(Uuid::from_u128(0x0191_0000_0000_7000_8000_0000_0000_0000 + n))
}

fn group_id() -> SharingGroupId {
    SharingGroupId::from_uuid(Uuid::from_u128(0x0192_0000_0000_7000_8000_0000_0000_0001))
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc)).expect("a valid fixture value")
}

fn span_of(text: &str, needle: &str) -> Span {
    let start = text.find(needle).expect("a valid fixture value");
    Span::new(start as u32, (start + needle.len()) as u32).expect("a valid fixture value")
}

fn document(text: &str, marking: Marking) -> Document {
    let hash = content_hash(text);
    Document {
        id: hash.document_id(),
        content_hash: hash,
        source: None,
        source_name: None,
        url: None,
        title: None,
        published: None,
        ingested_at: at("2026-10-15T09:00:00Z"),
        language: Language::english(),
        language_confidence: 0.9,
        format: DocumentFormat::Text,
        origin: "reports/x.txt".into(),
        raw: text.into(),
        text: text.into(),
        marking,
    }
}

const TEXT_1: &str = "Пограничники Таджикистана задержали двух граждан.\nВ районе Шуроабада изъято 12,5 кг героина, \
                      сообщает \"Азия-Плюс\". Боевики ИГИЛ-Хорасан обстреляли заставу, убиты трое.";
const TEXT_2: &str = "Termez, 3 November. A group of 14 migrants crossed the Amu Darya near Termez, officials said; \
                      Kabul denied it.";
const TEXT_3: &str = "Dushanbe and Kabul agreed on joint patrols of the border.";

/// Three organisations, a sharing group, and three documents: one amber with a red
/// event in the group, one green for the group, one clear for all partners without
/// events.
fn fixture() -> Shared {
    let (a, b, c) = (org(1), org(2), org(3));
    let group = SharingGroup { id: group_id(), name: "Amu Darya partners".into(), members: vec![a, b, c] };
    let source = Source::new("Asia-Plus", SourceKind::Feed, Some("https://asiaplus.tj/rss".into()));
    let mut d1 = document(TEXT_1, Marking { owner: a, tlp: Tlp::Amber, distribution: Distribution::Organisation });
    d1.title = Some("Изъятие героина, обстрел заставы".into());
    d1.url = Some("https://asiaplus.tj/news/1".into());
    d1.published = Some(When::exact(at("2026-10-14T08:30:00Z")));
    d1.language = Language::russian();
    d1.source = Some(source.id);
    d1.source_name = Some("Asia-Plus, \"Dushanbe\"\nbureau".into());
    let shared_marking =
        Marking { owner: b, tlp: Tlp::Green, distribution: Distribution::SharingGroup { group: group.id } };
    let mut d2 = document(TEXT_2, shared_marking);
    d2.format = DocumentFormat::Json;
    let d3 = document(TEXT_3, Marking { owner: c, tlp: Tlp::Clear, distribution: Distribution::AllPartners });

    let mention = |doc: &Document, needle: &str, kind| Mention {
        document: doc.id,
        span: span_of(&doc.text, needle),
        kind,
        resolved: None,
    };
    let e1 = Event {
        id: event_id(1),
        category: Category::DrugTrafficking,
        event_type: EventType::Seizure,
        when: Some(When::day(chrono::NaiveDate::from_ymd_opt(2026, 10, 13).expect("a valid fixture value"))),
        place: Some(EventPlace {
            place: Some("geonames:1221874".parse().expect("a valid fixture value")),
            name: "Шуроабад".into(),
            country: Some("TJ".parse().expect("a valid fixture value")),
            point: Some(LonLat::new(70.0415, 37.8424).expect("a valid fixture value")),
            precision: GeoPrecision::Locality,
        }),
        stance: Stance::Asserted,
        documents: vec![d1.id],
        confidence: 0.8,
        credibility: Credibility::ProbablyTrue,
        sector: Some("AF-TJ-017".parse().expect("a valid fixture value")),
        marking: d1.marking,
        actors: vec![EventActor {
            actor: "tj-border".parse().expect("a valid fixture value"),
            role: ActorRole::Authority,
            spans: vec![span_of(TEXT_1, "Пограничники Таджикистана")],
        }],
        quantities: vec![
            Quantity {
                kind: QuantityKind::Heroin,
                value: 12.5,
                unit: Unit::Kilogram,
                span: span_of(TEXT_1, "12,5 кг"),
            },
            Quantity {
                kind: QuantityKind::Detained, value: 2.0, unit: Unit::Persons, span: span_of(TEXT_1, "двух")
            },
        ],
        evidence: vec![mention(&d1, "изъято", MentionKind::Trigger), mention(&d1, "Шуроабада", MentionKind::Place)],
    };
    let e2 = Event {
        id: event_id(2),
        category: Category::Terrorism,
        event_type: EventType::Attack,
        when: Some(When::exact(at("2026-10-13T22:15:00Z"))),
        place: Some(EventPlace {
            place: None,
            name: "застава Хирманджо".into(),
            country: Some("TJ".parse().expect("a valid fixture value")),
            point: None,
            precision: GeoPrecision::District,
        }),
        stance: Stance::Asserted,
        documents: vec![d1.id, d2.id],
        confidence: 0.65,
        credibility: Credibility::PossiblyTrue,
        sector: None,
        marking: Marking { owner: a, tlp: Tlp::Red, distribution: Distribution::SharingGroup { group: group.id } },
        actors: vec![
            EventActor {
                actor: "iskp".parse().expect("a valid fixture value"),
                role: ActorRole::Perpetrator,
                spans: vec![],
            },
            EventActor {
                actor: "tj-border".parse().expect("a valid fixture value"),
                role: ActorRole::Target,
                spans: vec![],
            },
        ],
        quantities: vec![Quantity {
            kind: QuantityKind::Killed,
            value: 3.0,
            unit: Unit::Persons,
            span: span_of(TEXT_1, "трое"),
        }],
        evidence: vec![mention(&d1, "обстреляли", MentionKind::Trigger)],
    };
    let e3 = Event {
        id: event_id(3),
        category: Category::IllegalMigration,
        event_type: EventType::IllegalCrossing,
        when: Some(When {
            precision: Precision::Week,
            ..When::day(chrono::NaiveDate::from_ymd_opt(2026, 11, 2).expect("a valid fixture value"))
        }),
        place: Some(EventPlace {
            place: None,
            name: "Termez".into(),
            country: Some("UZ".parse().expect("a valid fixture value")),
            point: Some(LonLat::new(67.2783, 37.2242).expect("a valid fixture value")),
            precision: GeoPrecision::Exact,
        }),
        stance: Stance::Disputed,
        documents: vec![d2.id],
        confidence: 0.55,
        credibility: Credibility::CannotBeJudged,
        sector: None,
        marking: d2.marking,
        actors: vec![],
        quantities: vec![Quantity {
            kind: QuantityKind::Migrants,
            value: 14.0,
            unit: Unit::Persons,
            span: span_of(TEXT_2, "14 migrants"),
        }],
        evidence: vec![mention(&d2, "crossed", MentionKind::Trigger)],
    };
    let e4 = Event {
        id: event_id(4),
        category: Category::Statement,
        event_type: EventType::Denial,
        when: None,
        place: None,
        stance: Stance::Denied,
        documents: vec![d2.id],
        confidence: 0.4,
        credibility: Credibility::Doubtful,
        sector: None,
        marking: d2.marking,
        actors: vec![],
        quantities: vec![],
        evidence: vec![],
    };
    Shared {
        organisations: vec![
            Organisation { id: a, name: "Dushanbe Border Centre".into() },
            Organisation { id: b, name: "Termez Analysis Unit".into() },
            Organisation { id: c, name: "Regional Partner, \"C\"".into() },
        ],
        sharing_groups: vec![group],
        sources: vec![source],
        documents: vec![d1, d2, d3],
        events: vec![e1, e2, e3, e4],
        claims: vec![],
        actors: vec![
            Actor {
                id: "iskp".parse().expect("a valid fixture value"),
                name: "Islamic State Khorasan Province".into(),
                kind: ActorKind::ArmedGroup,
                country: Some("AF".parse().expect("a valid fixture value")),
                aliases: vec!["ISKP".into(), "ИГИЛ-Хорасан".into()],
            },
            Actor {
                id: "tj-border".parse().expect("a valid fixture value"),
                name: "Border Troops of Tajikistan".into(),
                kind: ActorKind::BorderService,
                country: Some("TJ".parse().expect("a valid fixture value")),
                aliases: vec![],
            },
        ],
    }
}

fn defaults() -> ReadDefaults {
    ReadDefaults { owner: org(9), tlp: Tlp::Amber, now: at("2026-12-01T12:00:00Z") }
}

fn locations(problems: &[Problem]) -> Vec<&str> {
    problems.iter().map(|p| p.location.as_str()).collect()
}

// ---- MISP ----

#[test]
fn misp_export_reads_back_to_the_same_records() {
    let shared = fixture();
    let text = serde_json::to_string_pretty(&misp::events(&shared)).expect("in the output");
    let read = misp::read(&text, &defaults()).unwrap_or_else(|p| panic!("{p:#?}"));
    assert!(read.skipped.is_empty(), "{:?}", read.skipped);

    // Documents: everything but what the receiving instance sets (when it stored them)
    // and the raw form (the text travels, not the markup).
    let expected: Vec<Document> = shared
        .documents
        .iter()
        .map(|d| Document { ingested_at: defaults().now, raw: d.text.clone(), ..d.clone() })
        .collect();
    assert_eq!(read.shared.documents, expected);
    // Events exactly, through the JSON each object carries.
    assert_eq!(read.shared.events, shared.events);
    assert_eq!(read.shared.sources, shared.sources);
    assert_eq!(read.shared.sharing_groups, shared.sharing_groups);
    let mut organisations = shared.organisations.clone();
    organisations.sort_by_key(|o| o.id);
    assert_eq!(read.shared.organisations, organisations);
}

#[test]
fn misp_events_carry_misp_fields() {
    let shared = fixture();
    let out = misp::events(&shared);
    assert_eq!(out, misp::events(&shared), "one export, one file");
    let events = out["response"].as_array().expect("in the output");
    assert_eq!(events.len(), 3, "one MISP event per document");
    let e1 = &events[0]["Event"];
    assert_eq!(e1["uuid"], json!(shared.documents[0].id.to_string()));
    assert_eq!(e1["info"], "Изъятие героина, обстрел заставы");
    assert_eq!(e1["date"], "2026-10-14");
    assert_eq!(e1["timestamp"], json!(at("2026-10-15T09:00:00Z").timestamp().to_string()));
    assert_eq!(e1["analysis"], "2");
    assert_eq!(e1["threat_level_id"], "1", "terrorism is the most severe");
    assert_eq!(e1["distribution"], "0");
    assert_eq!(e1["Orgc"], json!({ "uuid": org(1).to_string(), "name": "Dushanbe Border Centre" }));
    let tags: Vec<&str> = e1["Tag"]
        .as_array()
        .expect("in the output")
        .iter()
        .map(|t| t["name"].as_str().expect("in the output"))
        .collect();
    for tag in [
        "tlp:amber",
        "beltwatch:category=\"drug_trafficking\"",
        "beltwatch:category=\"terrorism\"",
        "beltwatch:event-type=\"seizure\"",
        "beltwatch:language=\"ru\"",
        "misp-galaxy:threat-actor=\"Islamic State Khorasan Province\"",
    ] {
        assert!(tags.contains(&tag), "{tag} in {tags:?}");
    }
    // Threat actors only for the armed group, not the border service.
    let clusters = e1["Galaxy"][0]["GalaxyCluster"].as_array().expect("in the output");
    assert_eq!(clusters.len(), 1);
    assert_eq!(clusters[0]["value"], "Islamic State Khorasan Province");
    assert_eq!(e1["Galaxy"][0]["type"], "threat-actor");

    let attributes = e1["Attribute"].as_array().expect("in the output");
    assert_eq!(attributes[0]["type"], "text");
    assert_eq!(attributes[0]["category"], "External analysis");
    assert_eq!(attributes[0]["value"], TEXT_1);
    assert_eq!(attributes[1]["type"], "link");
    assert_eq!(attributes[1]["value"], "https://asiaplus.tj/news/1");

    let objects = e1["Object"].as_array().expect("in the output");
    let names: Vec<&str> = objects.iter().map(|o| o["name"].as_str().expect("in the output")).collect();
    assert_eq!(names, ["beltwatch-document", "beltwatch-event", "beltwatch-event"]);
    let seizure = &objects[1];
    assert_eq!(seizure["uuid"], json!(event_id(1).to_string()));
    let relation = |object: &Value, relation: &str| -> Vec<String> {
        object["Attribute"]
            .as_array()
            .expect("in the output")
            .iter()
            .filter(|a| a["object_relation"] == relation)
            .map(|a| a["value"].as_str().expect("in the output").to_owned())
            .collect()
    };
    assert_eq!(relation(seizure, "category"), ["drug_trafficking"]);
    assert_eq!(relation(seizure, "latitude"), ["37.8424"]);
    assert_eq!(relation(seizure, "longitude"), ["70.0415"]);
    assert_eq!(relation(seizure, "country"), ["TJ"]);
    assert_eq!(relation(seizure, "quantity"), ["12.5 kg heroin", "2 persons detained"]);
    assert_eq!(relation(seizure, "credibility"), ["2"]);
    let embedded: Event = serde_json::from_str(&relation(seizure, "beltwatch-event-json")[0]).expect("in the output");
    assert_eq!(embedded, shared.events[0]);
    // Attribute uuids are name-based (v5), from the event and the relation.
    for attribute in seizure["Attribute"].as_array().expect("in the output") {
        let uuid = Uuid::parse_str(attribute["uuid"].as_str().expect("in the output")).expect("in the output");
        assert_eq!(uuid.get_version_num(), 5);
    }
    // The red event in the group: its own distribution and TLP.
    let attack = &objects[2];
    assert_eq!(attack["distribution"], "4");
    assert_eq!(attack["SharingGroup"]["uuid"], json!(group_id().to_string()));
    assert_eq!(attack["Attribute"][0]["Tag"], json!([{ "name": "tlp:red" }]));

    let e2 = &events[1]["Event"];
    assert_eq!(e2["distribution"], "4");
    assert_ne!(e2["sharing_group_id"], "0");
    assert_eq!(e2["SharingGroup"]["name"], "Amu Darya partners");
    assert_eq!(e2["SharingGroup"]["SharingGroupOrg"].as_array().expect("in the output").len(), 3);
    assert_eq!(e2["threat_level_id"], "3");
    assert!(e2["info"].as_str().expect("in the output").starts_with("Termez, 3 November."));
    let e3 = &events[2]["Event"];
    assert_eq!(e3["distribution"], "1");
    assert_eq!(e3["sharing_group_id"], "0");
    assert_eq!(e3["threat_level_id"], "4");
    assert_eq!(e3["Tag"], json!([{ "name": "tlp:clear" }, { "name": "beltwatch:language=\"en\"" }]));
}

#[test]
fn misp_reads_every_form_of_event_list() {
    let shared = fixture();
    let out = misp::events(&shared);
    let list = out["response"].clone();
    let single = list[1].clone();
    let bare: Vec<Value> = list.as_array().expect("in the output").iter().map(|e| e["Event"].clone()).collect();
    for (text, documents) in [
        (list.to_string(), 3),
        (single.to_string(), 1),
        (json!(bare).to_string(), 3),
        (json!({ "response": [] }).to_string(), 0),
    ] {
        let read = misp::read(&text, &defaults()).unwrap_or_else(|p| panic!("{p:#?}"));
        assert_eq!(read.shared.documents.len(), documents);
    }
}

#[test]
fn misp_event_from_another_tool_becomes_one_document() {
    let text = json!({
        "Event": {
            "uuid": "5b7c2c4a-1f3e-4a5b-9c1d-2e3f4a5b6c7d",
            "info": "Smuggling route across the Panj",
            "date": "2026-09-30",
            "distribution": "1",
            "threat_level_id": "2",
            "analysis": "1",
            "Orgc": { "uuid": "11111111-2222-4333-8444-555555555555", "name": "CIRCL" },
            "Tag": [
                { "name": "tlp:amber+strict" },
                { "name": "tlp:green" },
                { "name": "osint:source-type=\"blog-post\"" }
            ],
            "Attribute": [
                { "type": "text", "category": "External analysis",
                  "value": "Couriers cross at night near Panji Poyon." },
                { "type": "comment", "category": "Other", "value": "Seen twice in September." },
                { "type": "link", "category": "External analysis", "value": "https://example.org/panj" },
                { "type": "ip-dst", "category": "Network activity", "value": "192.0.2.7" },
                { "type": "domain", "category": "Network activity", "value": "example.org" },
                { "type": "ip-dst", "category": "Network activity", "value": "192.0.2.8" }
            ],
            "Object": [{ "name": "geolocation", "Attribute": [
                { "type": "float", "object_relation": "latitude", "value": "37.2" },
                { "type": "float", "object_relation": "longitude", "value": "68.9" }
            ]}],
            "Galaxy": [{ "type": "threat-actor", "GalaxyCluster": [{ "value": "Someone" }] }]
        }
    })
    .to_string();
    let read = misp::read(&text, &defaults()).unwrap_or_else(|p| panic!("{p:#?}"));
    assert_eq!(read.shared.documents.len(), 1);
    assert!(read.shared.events.is_empty());
    let document = &read.shared.documents[0];
    let body =
        "Smuggling route across the Panj\n\nCouriers cross at night near Panji Poyon.\n\nSeen twice in September.";
    assert_eq!(document.text, body);
    assert_eq!(document.content_hash, content_hash(body));
    assert_eq!(document.id.to_string(), "5b7c2c4a-1f3e-4a5b-9c1d-2e3f4a5b6c7d");
    assert_eq!(document.title.as_deref(), Some("Smuggling route across the Panj"));
    assert_eq!(document.url.as_deref(), Some("https://example.org/panj"));
    assert_eq!(document.published.map(|w| w.to_text()).as_deref(), Some("2026-09-30"));
    assert_eq!(document.origin, "misp:5b7c2c4a-1f3e-4a5b-9c1d-2e3f4a5b6c7d");
    assert_eq!(document.format, DocumentFormat::Json);
    assert!(document.language.is_undetermined());
    assert_eq!(document.ingested_at, defaults().now);
    let circl =
        OrganisationId::from_uuid(Uuid::parse_str("11111111-2222-4333-8444-555555555555").expect("in the output"));
    assert_eq!(
        document.marking,
        Marking { owner: circl, tlp: Tlp::AmberStrict, distribution: Distribution::AllPartners }
    );
    assert_eq!(read.shared.organisations, vec![Organisation { id: circl, name: "CIRCL".into() }]);
    let skipped: Vec<(&str, usize)> = read.skipped.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(
        skipped,
        [("attribute:domain", 1), ("attribute:ip-dst", 2), ("galaxy:threat-actor", 1), ("object:geolocation", 1)]
    );
}

#[test]
fn misp_event_without_creator_or_marking_takes_the_defaults() {
    let text = r#"{"Event": {"uuid": "5b7c2c4a-1f3e-4a5b-9c1d-2e3f4a5b6c7e", "info": "Note"}}"#;
    let read = misp::read(text, &defaults()).unwrap_or_else(|p| panic!("{p:#?}"));
    let document = &read.shared.documents[0];
    assert_eq!(document.marking, Marking { owner: org(9), tlp: Tlp::Amber, distribution: Distribution::Organisation });
    assert_eq!(document.text, "Note");
    assert_eq!(document.published, None);
}

#[test]
fn misp_malformed_json_names_line_and_column() {
    let text = "{\n  \"response\": [\n    {\"Event\": }\n  ]\n}";
    let problems = misp::read(text, &defaults()).expect_err("a bad input");
    assert_eq!(locations(&problems), ["line 3, column 15"]);
    assert!(problems[0].message.starts_with("not JSON"), "{}", problems[0].message);
}

#[test]
fn misp_wrong_types_name_their_json_path_and_every_problem_is_reported() {
    let shared = fixture();
    let mut out = misp::events(&shared);
    out["response"][1]["Event"]["Attribute"][0]["value"] = json!(["not", "text"]);
    out["response"][2]["Event"]["distribution"] = json!("7");
    out["response"][0]["Event"]["date"] = json!("14.10.2026");
    // An event's own JSON with a category beltwatch does not know.
    let objects = out["response"][0]["Event"]["Object"].as_array_mut().expect("in the output");
    let attributes = objects[1]["Attribute"].as_array_mut().expect("in the output");
    let index = attributes.iter().position(|a| a["object_relation"] == "beltwatch-event-json").expect("in the output");
    let mut embedded: Value =
        serde_json::from_str(attributes[index]["value"].as_str().expect("in the output")).expect("in the output");
    embedded["category"] = json!("piracy");
    attributes[index]["value"] = json!(embedded.to_string());

    let problems = misp::read(&out.to_string(), &defaults()).expect_err("a bad input");
    let d = |i: usize| shared.documents[i].id.to_string();
    let found: Vec<(&str, Option<&str>)> =
        problems.iter().map(|p| (p.location.as_str(), p.object.as_deref())).collect();
    let json_path = format!("$.response[0].Event.Object[1].Attribute[{index}].value");
    assert_eq!(
        found,
        [
            ("$.response[0].Event.date", Some(d(0).as_str())),
            (json_path.as_str(), Some(d(0).as_str())),
            ("$.response[1].Event.Attribute[0].value", Some(d(1).as_str())),
            ("$.response[2].Event.distribution", Some(d(2).as_str())),
        ]
    );
    assert_eq!(problems[2].message, "expected a string, found a list");
    assert!(problems[1].message.starts_with("category: invalid category \"piracy\""), "{}", problems[1].message);
    assert!(problems[3].message.contains("\"7\" is not a MISP distribution"), "{}", problems[3].message);
}

#[test]
fn misp_text_that_does_not_match_the_hash_is_a_problem() {
    let shared = fixture();
    let mut out = misp::events(&shared);
    out["response"][0]["Event"]["Attribute"][0]["value"] = json!("Someone changed the text.");
    let problems = misp::read(&out.to_string(), &defaults()).expect_err("a bad input");
    assert_eq!(locations(&problems), ["$.response[0].Event.Attribute"]);
    let problems = misp::read(r#"{"response": {"Event": {}}}"#, &defaults()).expect_err("a bad input");
    assert_eq!(locations(&problems), ["$.response"]);
    let problems =
        misp::read(r#"[{"Event": {"info": "x", "uuid": "nope"}}, 3]"#, &defaults()).expect_err("a bad input");
    assert_eq!(locations(&problems), ["$[0].Event.uuid", "$[1]"]);
    assert_eq!(problems[0].object.as_deref(), Some("nope"));
}

// ---- ACLED ----

#[test]
fn acled_export_reads_back_to_the_same_events() {
    let shared = fixture();
    let csv = acled::write(&shared);
    let header = csv.lines().next().expect("in the output");
    assert_eq!(header.trim_end(), acled::COLUMNS.join(","));
    assert!(csv.ends_with("\r\n"));
    // The source's name holds a comma, quotes and a line break: quoted, quotes doubled.
    assert!(csv.contains("\"Asia-Plus, \"\"Dushanbe\"\"\nbureau\""), "{csv}");

    let read = acled::read(&csv, &defaults()).unwrap_or_else(|p| panic!("{p:#?}"));
    assert!(read.skipped.is_empty(), "{:?}", read.skipped);
    assert_eq!(read.shared.events.len(), shared.events.len());
    for (original, back) in shared.events.iter().zip(&read.shared.events) {
        assert_eq!(back.id, original.id);
        assert_eq!(back.category, original.category);
        assert_eq!(back.event_type, original.event_type);
        assert_eq!(back.stance, original.stance);
        assert_eq!(back.credibility, original.credibility);
        assert_eq!(back.confidence, original.confidence);
        assert_eq!(back.sector, original.sector);
        assert_eq!(back.marking.tlp, original.marking.tlp);
        assert_eq!(back.marking.owner, org(9), "ACLED rows are the importer's");
        // The day survives, and the precision down to the day.
        let day = |e: &Event| {
            e.when.map(|w| {
                (w.at.date_naive(), if w.precision == Precision::Second { Precision::Day } else { w.precision })
            })
        };
        assert_eq!(day(back), day(original));
        assert_eq!(back.place, original.place, "name, gazetteer id, country, point and precision");
        let roles = |e: &Event| e.actors.iter().map(|a| (a.actor.clone(), a.role)).collect::<Vec<_>>();
        assert_eq!(roles(back), roles(original));
        let killed =
            |e: &Event| e.quantities.iter().filter(|q| q.kind == QuantityKind::Killed).map(|q| q.value).sum::<f64>();
        assert_eq!(killed(back), killed(original));
        assert!(back.evidence.is_empty());
    }
    // The events of one report share one document, made of their rows' notes.
    assert_eq!(read.shared.documents.len(), 2);
    let first = &read.shared.documents[0];
    assert_eq!(read.shared.events[0].documents, [first.id]);
    assert_eq!(read.shared.events[1].documents, [first.id]);
    assert_eq!(
        first.text,
        "В районе Шуроабада изъято 12,5 кг героина, сообщает \"Азия-Плюс\".\n\n\
         Боевики ИГИЛ-Хорасан обстреляли заставу, убиты трое."
    );
    assert_eq!(first.id, content_hash(&first.text).document_id());
    assert_eq!(first.source_name.as_deref(), Some("Asia-Plus, \"Dushanbe\"\nbureau"));
    assert_eq!(first.marking.tlp, Tlp::Red, "the strictest of its rows");
    let second = &read.shared.documents[1];
    // The crossing's note is its sentence; the denial has no evidence, so its note is the
    // report's first line.
    let crossing = "A group of 14 migrants crossed the Amu Darya near Termez, officials said; Kabul denied it.";
    assert_eq!(second.text, format!("{crossing}\n\n{TEXT_2}"));
}

#[test]
fn acled_rows_use_acled_vocabulary() {
    let csv = acled::write(&fixture());
    let rows = parse_csv(&csv);
    assert_eq!(rows[0], acled::COLUMNS);
    assert!(rows.iter().all(|r| r.len() == 31), "{rows:?}");
    let column = |name: &str| acled::COLUMNS.iter().position(|c| *c == name).expect("in the output");
    let attack =
        rows.iter().find(|r| r[column("event_id_cnty")] == format!("TJK-{}", event_id(2))).expect("in the output");
    // An attack on a border post is a battle in ACLED's terms.
    assert_eq!(attack[column("disorder_type")], "Political violence");
    assert_eq!(attack[column("event_type")], "Battles");
    assert_eq!(attack[column("sub_event_type")], "Armed clash");
    assert_eq!(attack[column("civilian_targeting")], "");
    assert_eq!(attack[column("event_date")], "2026-10-13");
    assert_eq!(attack[column("year")], "2026");
    assert_eq!(attack[column("actor1")], "Islamic State Khorasan Province");
    assert_eq!(attack[column("inter1")], "Rebel group");
    assert_eq!(attack[column("actor2")], "Border Troops of Tajikistan");
    assert_eq!(attack[column("interaction")], "Rebel group-State forces");
    assert_eq!(attack[column("iso")], "762");
    assert_eq!(attack[column("country")], "Tajikistan");
    assert_eq!(attack[column("fatalities")], "3");
    assert_eq!(attack[column("geo_precision")], "2");
    let tags = &attack[column("tags")];
    assert!(tags.starts_with(&format!("beltwatch:event={}; beltwatch:category=terrorism;", event_id(2))), "{tags}");
    assert!(tags.ends_with("tlp:red"), "{tags}");
    let crossing = rows.iter().find(|r| r[column("event_id_cnty")].starts_with("UZB-")).expect("in the output");
    assert_eq!(crossing[column("time_precision")], "2");
    assert_eq!(crossing[column("event_type")], "Strategic developments");
    assert_eq!(crossing[column("sub_event_type")], "Other");
    assert_eq!(crossing[column("latitude")], "37.2242");
    assert_eq!(crossing[column("longitude")], "67.2783");
    let denial = rows.iter().find(|r| r[column("event_id_cnty")].starts_with("XXX-")).expect("in the output");
    assert_eq!(denial[column("event_date")], "");
}

/// The rows of RFC 4180 CSV, as a check on the writer independent of the reader.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => row.push(std::mem::take(&mut field)),
            '\r' if !quoted => {}
            '\n' if !quoted => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            other => field.push(other),
        }
    }
    rows
}

const ACLED_HEADER: &str = "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,\
assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,\
location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,tags,timestamp";

#[test]
fn acled_rows_from_acled_become_documents_and_events() {
    let csv = format!(
        "{ACLED_HEADER}\n\
AFG70001,12 March 2024,2024,1,Political violence,Battles,Armed clash,Military Forces of Afghanistan (2021-),,State forces,\
Islamic State (Afghanistan),,Rebel group,State forces-Rebel group,,4,South Asia,Afghanistan,Badakhshan,Darwaz,,\
Nusay,38.4301,70.8123,1,Pajhwok,National,\"On 12 March 2024, Taliban forces clashed with \"\"IS-K\"\" militants near Nusay.\n\
Two were killed.\",2,,1710500000\n\
AFG70002,2024-03-13,2024,1,Demonstrations,Protests,Peaceful protest,Protesters (Afghanistan),,Protesters,,,,Protesters only,,\
4,South Asia,Afghanistan,Kabul,Kabul,,Kabul,34.5167,69.1833,1,Tolo News,National,Women protested in Kabul.,0,crowd size=no report,1710500000\n\
TJK9001,2024-03-14,2024,2,Strategic developments,Strategic developments,Arrests,Police Forces of Tajikistan (1994-),,State forces,\
,,,State forces only,,762,Caucasus and Central Asia,Tajikistan,Khatlon,,,Panj,37.2367,69.0997,2,Asia-Plus,National,\
Police arrested three smugglers in Panj.,0,,1710500000\n"
    );
    let read = acled::read(&csv, &defaults()).unwrap_or_else(|p| panic!("{p:#?}"));
    let skipped: Vec<(&str, usize)> = read.skipped.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(skipped, [("Protests: Peaceful protest", 1)]);
    assert_eq!(read.shared.documents.len(), 2);
    assert_eq!(read.shared.events.len(), 2);
    let (clash_doc, clash) = (&read.shared.documents[0], &read.shared.events[0]);
    assert_eq!(clash_doc.id, DocumentId::derived(b"acled:AFG70001"));
    assert_eq!(
        clash_doc.text,
        "On 12 March 2024, Taliban forces clashed with \"IS-K\" militants near Nusay.\nTwo were killed."
    );
    assert_eq!(clash_doc.title.as_deref(), Some("Armed clash in Nusay, Afghanistan (12 March 2024)"));
    assert_eq!(clash_doc.source_name.as_deref(), Some("Pajhwok"));
    assert_eq!(clash_doc.origin, "acled:AFG70001");
    assert_eq!(clash_doc.marking, Marking { owner: org(9), tlp: Tlp::Amber, distribution: Distribution::Organisation });
    assert_eq!(clash.documents, [clash_doc.id]);
    assert_eq!(clash.id, EventId::derived(b"acled:AFG70001"));
    assert_eq!((clash.category, clash.event_type), (Category::BorderIncident, EventType::ArmedClash));
    assert_eq!(clash.when.map(|w| w.to_text()).as_deref(), Some("2024-03-12"));
    let place = clash.place.as_ref().expect("in the output");
    assert_eq!(place.name, "Nusay");
    assert_eq!(place.country.map(|c| c.to_string()).as_deref(), Some("AF"));
    assert_eq!(place.point, Some(LonLat::new(70.8123, 38.4301).expect("in the output")));
    assert_eq!(place.precision, GeoPrecision::Locality);
    assert_eq!(clash.quantities.len(), 1);
    assert_eq!((clash.quantities[0].kind, clash.quantities[0].value), (QuantityKind::Killed, 2.0));
    let arrest = &read.shared.events[1];
    assert_eq!((arrest.category, arrest.event_type), (Category::BorderIncident, EventType::Arrest));
    assert_eq!(arrest.when.map(|w| w.precision), Some(Precision::Week));
    assert_eq!(arrest.place.as_ref().expect("in the output").precision, GeoPrecision::District);
    assert!(arrest.quantities.is_empty());
}

#[test]
fn acled_bad_rows_name_line_column_and_column_name_and_every_problem_is_reported() {
    let csv = format!(
        "{ACLED_HEADER}\n\
AFG1,2024-03-12,2024,1,Political violence,Battles,Armed clash,,,,,,,,,4,South Asia,Afghanistan,,,,Nusay,38.4,70.8,1,,,\"a\nb\",0,,\n\
AFG2,2024-13-45,2024,1,Political violence,Battles,Armed clash,,,,,,,,,4,South Asia,Afghanistan,,,,Nusay,91.5,70.8,1,,,c,many,,\n\
AFG3,2024-03-12,2024,1,Political violence,Fights,Armed clash,,,,,,,,,4,South Asia,Afghanistan,,,,Nusay,,70.8,1,,,d,0,tlp:purple,\n\
AFG4,2024-03-12\n"
    );
    let problems = acled::read(&csv, &defaults()).expect_err("a bad input");
    let found: Vec<(&str, Option<&str>)> =
        problems.iter().map(|p| (p.location.as_str(), p.object.as_deref())).collect();
    assert_eq!(
        found,
        [
            ("line 4, column 6 (event_date)", Some("AFG2")),
            ("line 4, column 105 (latitude)", Some("AFG2")),
            ("line 4, column 121 (fatalities)", Some("AFG2")),
            ("line 5, column 118 (tags)", Some("AFG3")),
            ("line 5, column 43 (event_type)", Some("AFG3")),
            ("line 5, column 104 (latitude)", Some("AFG3")),
            ("line 6, column 6", Some("AFG4")),
        ]
    );
    assert!(problems[0].message.contains("\"2024-13-45\" is not a date"), "{}", problems[0].message);
    assert!(problems[1].message.contains("latitude in [-90, 90]"), "{}", problems[1].message);
    assert!(problems[2].message.contains("\"many\""), "{}", problems[2].message);
    assert!(problems[4].message.contains("\"Fights\" is not an ACLED event type"), "{}", problems[4].message);
    assert_eq!(problems[6].message, "the row has 2 fields where the header has 31");
    assert_eq!(
        problems[0].to_string(),
        "line 4, column 6 (event_date) (AFG2): \"2024-13-45\" is not a date (YYYY-MM-DD or 05 January 2024)"
    );
}

#[test]
fn acled_wrong_header_is_named_and_nothing_is_read() {
    let problems = acled::read("id,date,type,date\n1,2024-01-01,x,y\n", &defaults()).expect_err("a bad input");
    let found: Vec<(&str, &str)> =
        problems.iter().map(|p| (p.location.as_str(), p.message.split(':').next().unwrap_or_default())).collect();
    assert_eq!(
        found,
        [
            ("line 1, column 14 (date)", "the column \"date\" appears twice"),
            ("line 1", "the header has no \"event_id_cnty\" column"),
            ("line 1", "the header has no \"event_date\" column"),
            ("line 1", "the header has no \"event_type\" column"),
            ("line 1", "the header has no \"sub_event_type\" column"),
            ("line 1", "the header has no \"notes\" column"),
        ]
    );
    let problems = acled::read("", &defaults()).expect_err("a bad input");
    assert_eq!(locations(&problems), ["line 1"]);
}

#[test]
fn acled_quotes_left_open_or_followed_by_text_are_problems() {
    let csv = format!(
        "{ACLED_HEADER}\n\
AFG1,2024-03-12,2024,1,Political violence,Battles,Armed clash,,,,,,,,,4,South Asia,Afghanistan,,,,Nusay,,,1,,,\"a\"b,0,,\n\
AFG2,2024-03-12,2024,1,Political violence,Battles,Armed clash,,,,,,,,,4,South Asia,Afghanistan,,,,Nusay,,,1,,,\"never closed,0,,\n"
    );
    let problems = acled::read(&csv, &defaults()).expect_err("a bad input");
    assert_eq!(locations(&problems), ["line 2, column 114", "line 3, column 111", "line 3, column 111"]);
    assert!(problems[0].message.contains("after a closing quote"));
    assert!(problems[1].message.contains("never closed"));
}

#[test]
fn readers_never_panic_on_cut_or_garbled_input() {
    let shared = fixture();
    let json = serde_json::to_string(&misp::events(&shared)).expect("JSON");
    let csv = acled::write(&shared);
    let cuts = |text: &str, step: usize| -> Vec<String> {
        let mut out: Vec<String> =
            (0..text.len()).step_by(step).filter(|i| text.is_char_boundary(*i)).map(|i| text[..i].to_owned()).collect();
        // Quotes, commas and braces swapped about, as a broken editor might leave them.
        out.push(text.replace('"', ","));
        out.push(text.replace(',', "\""));
        out.push(text.replace('{', "["));
        out.push(text.replace("\r\n", "\r"));
        out
    };
    for text in cuts(&json, 97) {
        let _ = misp::read(&text, &defaults());
        let _ = acled::read(&text, &defaults());
    }
    for text in cuts(&csv, 3) {
        match acled::read(&text, &defaults()) {
            Ok(read) => assert!(read.shared.events.len() <= shared.events.len()),
            Err(problems) => assert!(!problems.is_empty()),
        }
        let _ = misp::read(&text, &defaults());
    }
}

#[test]
fn misp_reader_reports_any_value_of_the_wrong_type() {
    fn paths(value: &Value, at: Vec<Value>, out: &mut Vec<Vec<Value>>) {
        out.push(at.clone());
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    let mut next = at.clone();
                    next.push(json!(k));
                    paths(v, next, out);
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    let mut next = at.clone();
                    next.push(json!(i));
                    paths(v, next, out);
                }
            }
            _ => {}
        }
    }
    // The report with the most varied events, alone, to keep the test quick.
    let mut shared = fixture();
    shared.documents.truncate(1);
    shared.events.truncate(2);
    let export = misp::events(&shared);
    let mut all = Vec::new();
    paths(&export, Vec::new(), &mut all);
    for path in all.iter().skip(1) {
        for replacement in [json!(null), json!([]), json!({ "x": 1 })] {
            let mut changed = export.clone();
            let mut node = &mut changed;
            for step in path {
                node = match step {
                    Value::String(key) => &mut node[key.as_str()],
                    other => &mut node[other.as_u64().expect("an index") as usize],
                };
            }
            *node = replacement;
            // Whatever was broken, the reader answers: records, or problems with a place.
            if let Err(problems) = misp::read(&changed.to_string(), &defaults()) {
                assert!(problems.iter().all(|p| p.location.starts_with('$')), "{problems:?}");
            }
        }
    }
}

#[test]
fn acled_without_tags_reads_but_says_what_is_lost() {
    // beltwatch's own export, with its tags and timestamp columns cut off.
    let full = acled::write(&fixture());
    let rows = parse_csv(&full);
    let tags = rows[0].iter().position(|c| c == "tags").expect("a tags column");
    let cut: String = rows
        .iter()
        .map(|row| {
            let kept: Vec<String> = row[..tags].iter().map(|f| format!("\"{}\"", f.replace('"', "\"\""))).collect();
            kept.join(",") + "\r\n"
        })
        .collect();
    let (read, notes) = acled::read_noted(&cut, &defaults()).unwrap_or_else(|p| panic!("{p:#?}"));
    assert!(!read.shared.events.is_empty());
    // Without its tags a row is one from ACLED: its own event id and marking are gone.
    let original: Vec<EventId> = fixture().events.iter().map(|e| e.id).collect();
    assert!(read.shared.events.iter().all(|e| !original.contains(&e.id)));
    assert!(read.shared.events.iter().all(|e| e.marking.tlp == Tlp::Amber));
    assert_eq!(notes.len(), 1, "{notes:#?}");
    assert_eq!(notes[0].location, "line 1");
    assert!(notes[0].message.contains("no \"tags\" column"), "{}", notes[0].message);
    // The full export has nothing to note, and `read` reads the cut file all the same.
    let (_, notes) = acled::read_noted(&full, &defaults()).unwrap_or_else(|p| panic!("{p:#?}"));
    assert!(notes.is_empty(), "{notes:#?}");
    assert!(acled::read(&cut, &defaults()).is_ok());
}

// ---- STIX ----

#[test]
fn stix_objects_name_every_problem_they_have() {
    use beltwatch_exchange::stix;
    let mut bundle = stix::bundle(&fixture());
    let objects = bundle["objects"].as_array_mut().expect("objects");
    let index = objects.iter().position(|o| o["type"] == "incident").expect("an incident");
    let incident = &mut objects[index];
    let id = incident["id"].as_str().expect("an id").to_owned();
    incident["created_by_ref"] = json!("not-an-identity");
    let extension = incident["extensions"].as_object_mut().and_then(|e| e.values_mut().next()).expect("extension");
    extension["category"] = json!("smuggling");
    extension["confidence"] = json!("high");
    extension["stance"] = json!("maybe");
    let text = bundle.to_string();
    let problems = stix::read_bundle(&text, &defaults()).expect_err("a bad incident");
    let mine: Vec<&Problem> = problems.iter().filter(|p| p.object.as_deref() == Some(id.as_str())).collect();
    let at = |field: &str| mine.iter().any(|p| p.location.ends_with(field));
    assert!(at(".created_by_ref") && at(".category") && at(".confidence") && at(".stance"), "{mine:#?}");
    assert_eq!(mine.len(), 4, "{mine:#?}");
    // Read object by object (TAXII), the incident fails once, with all four named.
    let objects: Vec<Value> = bundle["objects"].as_array().cloned().unwrap_or_default();
    let (_, outcomes) = stix::read_objects(&objects, "$.objects", &defaults());
    let failure = outcomes[index].as_ref().expect_err("the incident fails");
    assert!(failure.message.starts_with("4 problems: "), "{failure}");
    for field in ["created_by_ref", "category", "confidence", "stance"] {
        assert!(failure.message.contains(field), "{field}: {failure}");
    }
}

// ---- Publications known to the month or the year ----

/// The fixture with its second document published in May 2022 and its third in 2021.
fn fixture_with_partial_dates() -> Shared {
    let mut shared = fixture();
    shared.documents[1].published = Some(When::parse("2022-05").expect("a month"));
    shared.documents[2].published = Some(When::parse("2021").expect("a year"));
    shared
}

#[test]
fn stix_reports_published_in_a_month_carry_its_first_instant_and_read_back_as_the_month() {
    use beltwatch_exchange::stix;
    let shared = fixture_with_partial_dates();
    let bundle = stix::bundle(&shared);
    let report = |n: usize| {
        let id = format!("report--{}", shared.documents[n].id);
        bundle["objects"].as_array().expect("objects").iter().find(|o| o["id"] == id.as_str()).cloned().expect(&id)
    };
    // STIX's `published` is a timestamp: the period's first instant; the extension keeps the precision.
    for (n, instant, precision) in [(1, "2022-05-01T00:00:00.000Z", "month"), (2, "2021-01-01T00:00:00.000Z", "year")] {
        let report = report(n);
        assert_eq!(report["published"], instant);
        assert_eq!(report["created"], instant);
        let extension = report["extensions"][beltwatch_exchange::stix::EXTENSION_ID].clone();
        assert_eq!(extension["published"]["precision"], precision, "{extension}");
    }
    let read = stix::read_bundle(&bundle.to_string(), &defaults()).unwrap_or_else(|p| panic!("{p:#?}"));
    let published: Vec<Option<String>> =
        read.shared.documents.iter().map(|d| d.published.map(|w| w.to_text())).collect();
    assert_eq!(published, [Some("2026-10-14T08:30:00.000Z".to_owned()), Some("2022-05".into()), Some("2021".into())]);
    assert_eq!(read.shared.documents[1].published, shared.documents[1].published);
}

#[test]
fn misp_events_of_reports_published_in_a_month_read_back_as_the_month() {
    let shared = fixture_with_partial_dates();
    let exported = misp::events(&shared);
    // MISP's `date` is a day: the period's first.
    let dates: Vec<&str> = exported["response"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["Event"]["date"].as_str().expect("date"))
        .collect();
    assert_eq!(dates, ["2026-10-14", "2022-05-01", "2021-01-01"]);
    let read = misp::read(&exported.to_string(), &defaults()).unwrap_or_else(|p| panic!("{p:#?}"));
    let precisions: Vec<Option<Precision>> =
        read.shared.documents.iter().map(|d| d.published.map(|w| w.precision)).collect();
    assert_eq!(precisions, [Some(Precision::Second), Some(Precision::Month), Some(Precision::Year)]);
    assert_eq!(read.shared.documents[1].published, shared.documents[1].published);
}

#[test]
fn misp_events_from_other_tools_may_give_only_a_month_or_a_year() {
    let event = |uuid: &str, date: &str| json!({ "Event": { "uuid": uuid, "info": "Crossings closed", "date": date } });
    let text = json!([
        event("5b7c2c4a-1f3e-4a5b-9c1d-2e3f4a5b6c01", "2022-05"),
        event("5b7c2c4a-1f3e-4a5b-9c1d-2e3f4a5b6c02", "2022"),
        event("5b7c2c4a-1f3e-4a5b-9c1d-2e3f4a5b6c03", "2022-05-17"),
    ])
    .to_string();
    let read = misp::read(&text, &defaults()).unwrap_or_else(|p| panic!("{p:#?}"));
    let published: Vec<(String, Precision)> = read
        .shared
        .documents
        .iter()
        .filter_map(|d| d.published)
        .map(|w| (w.at.format("%Y-%m-%dT%H:%M:%S").to_string(), w.precision))
        .collect();
    assert_eq!(
        published,
        [
            ("2022-05-01T00:00:00".to_owned(), Precision::Month),
            ("2022-01-01T00:00:00".to_owned(), Precision::Year),
            ("2022-05-17T00:00:00".to_owned(), Precision::Day),
        ]
    );
    // A thirteenth month, a month of one digit, or a time where MISP puts a date.
    for (n, date) in ["2022-13", "2022-5-", "2022-05-17T08:00:00Z"].iter().enumerate() {
        let text = event(&format!("5b7c2c4a-1f3e-4a5b-9c1d-2e3f4a5b6c1{n}"), date).to_string();
        let problems = misp::read(&text, &defaults()).expect_err(date);
        assert_eq!(locations(&problems), ["$.Event.date"], "{date}");
        assert!(problems[0].message.contains("YYYY-MM-DD, YYYY-MM or YYYY"), "{}", problems[0].message);
    }
}
