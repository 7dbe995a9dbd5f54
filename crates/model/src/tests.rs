//! Round trips through JSON and the parsers of validated values.

use std::str::FromStr;

use chrono::{TimeZone, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::*;

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(value: &T) -> String {
    let json = serde_json::to_string(value).expect("serialises");
    let back: T = serde_json::from_str(&json).expect("deserialises");
    assert_eq!(&back, value, "round trip through {json}");
    json
}

fn marking() -> Marking {
    Marking {
        owner: OrganisationId::derived(b"dushanbe-centre"),
        tlp: Tlp::AmberStrict,
        distribution: Distribution::SharingGroup { group: SharingGroupId::derived(b"csto-ctc") },
    }
}

fn doc_id() -> DocumentId {
    DocumentId::derived(b"a report")
}

#[test]
fn derived_ids_are_stable_and_kind_specific() {
    assert_eq!(DocumentId::derived(b"x"), DocumentId::derived(b"x"));
    assert_ne!(DocumentId::derived(b"x").uuid(), EventId::derived(b"x").uuid());
    // Pinned: ids derived by one release must be derived the same way by the next, or
    // instances would disagree about which documents they share.
    assert_eq!(DocumentId::derived(b"x").to_string(), "7ba8a320-77c0-56aa-9a97-3156392cf8b4");
    let id = DocumentId::derived(b"x");
    assert_eq!(DocumentId::from_str(&id.to_string()), Ok(id));
    assert!(DocumentId::from_str("not-a-uuid").is_err());
}

#[test]
fn source_ids_ignore_case_and_padding() {
    assert_eq!(Source::id_for_name("TASS"), Source::id_for_name("  tass "));
    assert_ne!(Source::id_for_name("TASS"), Source::id_for_name("RIA"));
}

#[test]
fn slugs_and_sector_ids_are_validated() {
    assert!(ActorId::from_str("iskp").is_ok());
    assert!(ActorId::from_str("ISKP").is_err());
    assert!(PlaceId::from_str("geonames:1221874").is_ok());
    assert!(PlaceId::from_str("hairatan").is_err());
    let af = CountryCode::from_str("af").expect("valid");
    let tj = CountryCode::from_str("TJ").expect("valid");
    assert_eq!(SectorId::new(af, tj, 17).expect("valid").as_str(), "AF-TJ-017");
    assert!(SectorId::from_str("AF-TJ-17").is_err());
    assert!(serde_json::from_str::<ActorId>("\"Bad Slug\"").is_err());
}

#[test]
fn tlp_reads_the_ways_people_write_it() {
    assert_eq!(Tlp::parse_loose("TLP:AMBER+STRICT"), Ok(Tlp::AmberStrict));
    assert_eq!(Tlp::parse_loose("white"), Ok(Tlp::Clear));
    assert_eq!(Tlp::Red.label(), "TLP:RED");
    assert_eq!(serde_json::to_string(&Tlp::AmberStrict).expect("json"), "\"amber+strict\"");
    let err = Tlp::parse_loose("purple").expect_err("invalid");
    assert!(err.to_string().contains("amber+strict"), "{err}");
}

#[test]
fn when_parses_report_dates() {
    let day = When::parse("2026-10-14").expect("date");
    assert_eq!(day.precision, Precision::Day);
    assert_eq!(day.to_text(), "2026-10-14");
    let exact = When::parse("2026-10-14T08:30:00+05:00").expect("rfc3339");
    assert_eq!(exact.to_text(), "2026-10-14T03:30:00.000Z");
    let rss = When::parse("Wed, 14 Oct 2026 08:30:00 +0500").expect("rfc2822");
    assert_eq!(rss, exact);
    assert!(When::parse("yesterday").is_err());
}

#[test]
fn a_month_or_a_year_is_its_first_instant_with_its_precision() {
    let month = When::parse("2022-05").expect("a month");
    assert_eq!((month.at.to_rfc3339(), month.precision), ("2022-05-01T00:00:00+00:00".to_owned(), Precision::Month));
    let year = When::parse(" 2022 ").expect("a year");
    assert_eq!((year.at.to_rfc3339(), year.precision), ("2022-01-01T00:00:00+00:00".to_owned(), Precision::Year));
    assert_eq!(When::parse("2022-12").map(|w| w.at.to_rfc3339()), Ok("2022-12-01T00:00:00+00:00".to_owned()));
    assert_eq!(When::parse("0001").map(|w| w.to_text()), Ok("0001".to_owned()));
    assert_eq!(When::month(2022, 5), Some(month));
    assert_eq!(When::year(2022), Some(year));
}

#[test]
fn dates_of_every_precision_are_written_as_they_were_read() {
    for text in ["2022", "2022-05", "2022-05-17", "2026-10-14T03:30:00.000Z", "0999", "9999-12"] {
        let when = When::parse(text).expect(text);
        assert_eq!(when.to_text(), text);
        assert_eq!(When::parse(&when.to_text()), Ok(when), "{text}");
        let json = serde_json::to_string(&when).expect("json");
        assert_eq!(serde_json::from_str::<When>(&json).expect("back"), when, "{json}");
    }
    // What people read: the same forms, and the minute of an exact time.
    let shown: Vec<String> = ["2022", "2022-05", "2022-05-17", "2022-05-17T08:30:00+05:00"]
        .iter()
        .map(|t| When::parse(t).expect(t).to_string())
        .collect();
    assert_eq!(shown, ["2022", "2022-05", "2022-05-17", "2022-05-17 03:30 UTC"]);
}

#[test]
fn nonsense_dates_are_refused_naming_the_forms() {
    for text in [
        "2022-13",
        "2022-00",
        "0000",
        "0000-05",
        "0000-05-01",
        "2022-5-",
        "2022-5",
        "2022-",
        "22",
        "02022",
        "20220517",
        "2022-05-",
        "2022-05-32",
        "2022-02-30",
        "-2022",
        "2022-1a",
        "twenty-two",
        "",
    ] {
        let err = When::parse(text).expect_err(text);
        let message = err.to_string();
        assert!(message.contains("a YYYY-MM month, a YYYY year"), "{text}: {message}");
    }
}

#[test]
fn only_a_time_or_a_date_names_a_day() {
    let day = |t: &str| When::parse(t).expect(t).known_day().map(|d| d.to_string());
    assert_eq!(day("2022-05-17T23:30:00-02:00").as_deref(), Some("2022-05-18"));
    assert_eq!(day("2022-05-17").as_deref(), Some("2022-05-17"));
    assert_eq!(day("2022-05"), None);
    assert_eq!(day("2022"), None);
    let week = When { precision: Precision::Week, ..When::parse("2022-05-16").expect("a date") };
    assert_eq!(week.known_day(), None);
}

#[test]
fn coordinates_are_lon_lat_and_checked() {
    let termez = LonLat::new(67.28, 37.22).expect("valid");
    assert_eq!(serde_json::to_string(&termez).expect("json"), "[67.28,37.22]");
    assert!(LonLat::new(37.22, 167.28).is_err());
    assert!(serde_json::from_str::<LonLat>("[200.0, 10.0]").is_err());
}

#[test]
fn languages_accept_tags_and_three_letter_codes() {
    assert_eq!(Language::from_str("ru-RU"), Ok(Language::russian()));
    assert_eq!(Language::from_str("eng"), Ok(Language::english()));
    assert!(Language::from_str("russian language").is_err());
}

#[test]
fn content_hash_hex_round_trips() {
    let hash = ContentHash::from_bytes([0xab; 32]);
    assert_eq!(ContentHash::from_str(&hash.to_hex()), Ok(hash));
    assert!(ContentHash::from_str("abc").is_err());
    round_trip(&hash);
}

#[test]
fn every_model_type_round_trips_through_json() {
    let at = Utc.with_ymd_and_hms(2026, 10, 14, 3, 30, 0).single().expect("valid time");
    let span = Span::new(10, 24).expect("valid");
    let document = Document {
        id: doc_id(),
        content_hash: ContentHash::from_bytes([7; 32]),
        source: Some(Source::id_for_name("Panj Valley Monitor")),
        source_name: Some("Panj Valley Monitor".into()),
        url: Some("https://panj.example/1".into()),
        title: Some("Heroin seized near Panj".into()),
        published: Some(When::exact(at)),
        ingested_at: at,
        language: Language::english(),
        language_confidence: 0.97,
        format: DocumentFormat::Markdown,
        origin: "samples/reports/01.md".into(),
        raw: "# Heroin".into(),
        text: "Heroin".into(),
        marking: marking(),
    };
    round_trip(&document);
    let mention = Mention { document: doc_id(), span, kind: MentionKind::Place, resolved: Some("bw:panj".into()) };
    round_trip(&mention);
    let event = Event {
        id: EventId::derived(b"e"),
        category: Category::DrugTrafficking,
        event_type: EventType::Seizure,
        when: Some(When::day(at.date_naive())),
        place: Some(EventPlace {
            place: Some(PlaceId::from_str("bw:panj").expect("valid")),
            name: "Panj".into(),
            country: Some(CountryCode::from_str("TJ").expect("valid")),
            point: Some(LonLat::new(69.1, 37.2).expect("valid")),
            precision: GeoPrecision::Locality,
        }),
        actors: vec![EventActor {
            actor: ActorId::from_str("tj-border-troops").expect("valid"),
            role: ActorRole::Authority,
            spans: vec![span],
        }],
        quantities: vec![Quantity { kind: QuantityKind::Heroin, value: 1.5, unit: Unit::Tonne, span }],
        stance: Stance::Disputed,
        documents: vec![doc_id()],
        evidence: vec![mention],
        confidence: 0.8,
        credibility: Credibility::ProbablyTrue,
        sector: Some(SectorId::from_str("AF-TJ-017").expect("valid")),
        marking: marking(),
    };
    round_trip(&event);
    round_trip(&Claim {
        id: ClaimId::derived(b"c"),
        document: doc_id(),
        speaker: Some(ActorId::from_str("taliban").expect("valid")),
        speaker_name: None,
        stance: Stance::Denied,
        span,
        about: Some(event.id),
    });
    round_trip(&Actor {
        id: ActorId::from_str("csto").expect("valid"),
        name: "Collective Security Treaty Organization".into(),
        kind: ActorKind::RegionalOrganisation,
        country: None,
        aliases: vec!["CSTO".into(), "ОДКБ".into()],
    });
    round_trip(&Place {
        id: PlaceId::from_str("bw:hairatan").expect("valid"),
        name: "Hairatan".into(),
        kind: PlaceKind::RiverPort,
        country: CountryCode::from_str("AF").expect("valid"),
        point: LonLat::new(67.42, 37.24).expect("valid"),
        population: None,
        alternate_names: vec!["Хайратон".into()],
    });
    round_trip(&Sector {
        id: SectorId::from_str("AF-TJ-017").expect("valid"),
        name: "Panj".into(),
        countries: [CountryCode::from_str("AF").expect("valid"), CountryCode::from_str("TJ").expect("valid")],
        line: vec![LonLat::new(69.0, 37.1).expect("valid"), LonLat::new(69.2, 37.2).expect("valid")],
        length_m: 25_000.0,
        depth_m: 30_000.0,
    });
    round_trip(&Alert {
        id: AlertId::derived(b"a"),
        rule: AlertRuleId::derived(b"r"),
        organisation: OrganisationId::derived(b"o"),
        fired_at: at,
        title: "Heroin seizure in AF-TJ-017".into(),
        status: AlertStatus::Acknowledged,
        events: vec![event.id],
        sector: None,
        dedup_key: event.id.to_string(),
        acknowledged: Some((crate::UserId::derived(b"u"), at)),
        closed: None,
    });
    round_trip(&crate::AlertCondition {
        category: Some(Category::DrugTrafficking),
        area: Some(vec![[68.0, 37.0], [69.0, 37.0], [69.0, 38.0]]),
        ..Default::default()
    });
    let mut source = Source::new("Вести Бадахшана", SourceKind::Feed, None);
    source.reliability = Reliability::B;
    round_trip(&source);
    round_trip(&Organisation { id: OrganisationId::derived(b"o"), name: "Dushanbe centre".into() });
    round_trip(&SharingGroup { id: SharingGroupId::derived(b"g"), name: "CSTO CTC".into(), members: vec![] });
    let json = round_trip(&Distribution::AllPartners);
    assert_eq!(json, r#"{"level":"all_partners"}"#);
}

#[test]
fn named_enums_parse_their_own_names() {
    for c in Category::ALL {
        assert_eq!(Category::from_str(c.as_str()), Ok(*c));
    }
    for t in EventType::ALL {
        assert_eq!(EventType::from_str(t.as_str()), Ok(*t));
    }
    assert_eq!(Reliability::from_str("B"), Ok(Reliability::B));
    assert!(Reliability::from_str("G").is_err());
    assert_eq!(Unit::Tonne.to_kg(), Some(1000.0));
}
