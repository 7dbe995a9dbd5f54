//! Extraction rules on small texts with a small dictionary written here, so that each
//! rule is seen working on its own. The embedded dictionaries are exercised by the
//! development set (`beltwatch eval`) and the robustness tests in `tests/`.

use expect_test::{Expect, expect};

use super::*;

const PLACES: &str = "id\tname\tkind\tcountry\tlon\tlat\tpopulation\tadmin1\talternate_names
geonames:1\tTajikistan\tcountry\tTJ\t68.78\t38.54\t9000000\t\tТаджикистан
geonames:2\tAfghanistan\tcountry\tAF\t69.17\t34.53\t38000000\t\tАфганистан
geonames:3\tPanj\tpopulated_place\tTJ\t69.09\t37.24\t8000\tKhatlon\tПяндж
geonames:4\tKhorog\tpopulated_place\tTJ\t71.55\t37.49\t30000\tGorno-Badakhshan\tХорог
geonames:5\tKunduz\tpopulated_place\tAF\t68.86\t36.73\t260000\tKunduz\tКундуз
geonames:6\tKunduz\tprovince\tAF\t68.86\t36.73\t1000000\tKunduz\tКундуз|провинция Кундуз
geonames:7\tKabul\tpopulated_place\tAF\t69.17\t34.53\t4000000\tKabul\tКабул
geonames:8\tKhatlon\tprovince\tTJ\t69.78\t37.91\t3000000\tKhatlon\tХатлон|Хатлонская область
";
const CURATED: &str = "id\tname\tkind\tcountry\tlon\tlat\tpopulation\tadmin1\talternate_names\tsource
bw:panj-river\tPanj\triver\tTJ\t69.30\t37.20\t\tKhatlon\tПяндж|река Пяндж\ttest
bw:panj-district\tPanj\tdistrict\tTJ\t69.10\t37.30\t\tKhatlon\tПянджский район\ttest
";
const ACTORS: &str = "id\tkind\tcountry\tname\taliases
tj-border-troops\tborder_service\tTJ\tBorder Troops of Tajikistan\tTajik border guards|таджикские пограничники|пограничники Таджикистана|Пограничные войска ГКНБ
taliban\tgovernment\tAF\tTaliban\tТалибан|талибы|власти талибов
iskp\tarmed_group\t\tIslamic State Khorasan Province\tISKP|ИГИЛ-Хорасан
csto\tregional_organisation\t\tCollective Security Treaty Organization\tCSTO|ОДКБ
";
const LEXICON: &str = "lang\tclass\tvalue\tpattern
en\tevent\tseizure\tseized
en\tevent\tarrest\tdetained
en\tevent\tarmed_clash\texchanged fire
en\tevent\tthreat\twarned
en\tevent\tdenial\tdenied
ru\tevent\tseizure\tизъя*
ru\tevent\tarrest\tзадерж*
ru\tevent\tdenial\tопроверг*
en\tcategory\tdrug_trafficking\theroin
ru\tcategory\tdrug_trafficking\tгероин
en\tcategory\tterrorism\tmilitants
en\tsubstance\theroin\theroin
ru\tsubstance\theroin\tгероин
en\tsubstance\tfirearms\tKalashnikov rifles
ru\tsubstance\tfirearms\tавтомат*
en\tpeople\tkilled\tkilled
en\tpeople\tdetained\tdetained
ru\tpeople\tdetained\tзадержан*
en\tdenial\t-\tdenied
ru\tdenial\t-\tопроверг*
en\tspeech\t-\tsaid
en\trelative_day\t-1\tyesterday
en\trelative_day\ttue\ttuesday
ru\trelative_day\twed\tсреда
ru\trelative_day\t-1\tнакануне
";

fn extractor() -> Extractor {
    Extractor::new(Dictionaries::from_texts(PLACES, CURATED, ACTORS, LEXICON).expect("test dictionaries parse"))
}

/// Extracts from `text`, published on 2026-11-25 (a Wednesday), and renders the
/// document-level facts.
fn check(text: &str, expected: Expect) {
    let published = NaiveDate::from_ymd_opt(2026, 11, 25);
    let x = extractor().extract(text, published);
    let mut out = String::new();
    out.push_str(&format!("categories: {:?}\n", x.categories.iter().map(|c| c.as_str()).collect::<Vec<_>>()));
    out.push_str(&format!("actors: {:?}\n", x.actors.iter().map(|a| a.as_str()).collect::<Vec<_>>()));
    for p in &x.places {
        out.push_str(&format!("place: {} {} {} {:?}\n", p.id, p.kind, p.country, p.span.slice(text).unwrap_or("?")));
    }
    out.push_str(&format!("date: {:?}\n", x.event_date.map(|d| d.to_string())));
    for q in &x.quantities {
        out.push_str(&format!("quantity: {} {} {} {:?}\n", q.kind, q.value, q.unit, q.span.slice(text).unwrap_or("?")));
    }
    for d in &x.denials {
        out.push_str(&format!("denial: {:?}\n", d.actor.as_ref().map(|a| a.as_str())));
    }
    for e in &x.events {
        out.push_str(&format!(
            "event: {} {} {} at {:?} ({} actors, {} quantities)\n",
            e.event_type,
            e.category,
            e.stance,
            e.place.as_ref().map(|p| p.id.as_str()),
            e.actors.len(),
            e.quantities.len()
        ));
    }
    expected.assert_eq(&out);
}

#[test]
fn an_english_seizure() {
    check(
        "Tajik border guards seized 40 kg of heroin and two Kalashnikov rifles near Panj on Tuesday. Three smugglers were detained.",
        expect![[r#"
            categories: ["weapons_trafficking", "drug_trafficking"]
            actors: ["tj-border-troops"]
            place: geonames:3 populated_place TJ "Panj"
            date: Some("2026-11-24")
            quantity: heroin 40 kg "40 kg of heroin"
            quantity: firearms 2 items "two Kalashnikov"
            quantity: detained 3 persons "Three smugglers"
            event: seizure drug_trafficking asserted at Some("geonames:3") (1 actors, 2 quantities)
            event: arrest drug_trafficking asserted at Some("geonames:3") (0 actors, 1 quantities)
        "#]],
    );
}

#[test]
fn russian_inflections_and_relative_days() {
    check(
        "Накануне пограничники Таджикистана задержали у Хорога курьера и изъяли более 20 кг героина.",
        expect![[r#"
            categories: ["drug_trafficking"]
            actors: ["tj-border-troops"]
            place: geonames:4 populated_place TJ "Хорога"
            date: Some("2026-11-24")
            quantity: heroin 20 kg "20 кг героина"
            event: arrest drug_trafficking asserted at Some("geonames:4") (1 actors, 1 quantities)
            event: seizure drug_trafficking asserted at Some("geonames:4") (1 actors, 1 quantities)
        "#]],
    );
}

#[test]
fn a_river_a_town_and_a_district_share_a_name() {
    check(
        "Smugglers crossed the Panj at night.",
        expect![[r#"
        categories: []
        actors: []
        place: bw:panj-river river TJ "Panj"
        date: None
    "#]],
    );
    check(
        "В Пянджском районе задержаны двое.",
        expect![[r#"
            categories: []
            actors: []
            place: bw:panj-district district TJ "Пянджском районе"
            date: None
            quantity: detained 2 persons "двое"
        "#]],
    );
    check(
        "Guards detained a man in the town of Panj.",
        expect![[r#"
        categories: []
        actors: []
        place: geonames:3 populated_place TJ "Panj"
        date: None
    "#]],
    );
}

#[test]
fn nationality_and_containers_are_not_locations() {
    check(
        "Guards detained 11 citizens of Afghanistan in Panj, Khatlon, Tajikistan.",
        expect![[r#"
            categories: []
            actors: []
            place: geonames:3 populated_place TJ "Panj"
            date: None
            quantity: detained 11 persons "11 citizens"
        "#]],
    );
}

#[test]
fn denials_name_who_denies() {
    check(
        "The CSTO warned of ISKP militants in Kunduz province. The Taliban denied the reports.",
        expect![[r#"
            categories: ["statement"]
            actors: ["csto", "iskp", "taliban"]
            place: geonames:6 province AF "Kunduz"
            date: None
            denial: Some("taliban")
            event: threat statement asserted at Some("geonames:6") (2 actors, 0 quantities)
            event: denial statement asserted at Some("geonames:6") (1 actors, 0 quantities)
        "#]],
    );
    check(
        "Kabul denied that militants were present.",
        expect![[r#"
            categories: ["statement"]
            actors: ["taliban"]
            date: None
            denial: Some("taliban")
            event: denial statement asserted at None (0 actors, 0 quantities)
        "#]],
    );
}

#[test]
fn killed_and_detained_are_told_apart() {
    check(
        "Seventeen militants were killed and 4 were detained.",
        expect![[r#"
            categories: ["terrorism"]
            actors: []
            date: None
            quantity: killed 17 persons "Seventeen militants"
            quantity: detained 4 persons "4 were detained"
            event: arrest terrorism asserted at None (0 actors, 2 quantities)
        "#]],
    );
}

#[test]
fn quoted_passages_pair_their_own_marks() {
    let text = "Он сказал: «это ложь» — и ушёл. She said “no such clash” took place. «open";
    let quotes: Vec<&str> = super::quoted_passages(text).iter().map(|&(o, c)| &text[o as usize..c as usize]).collect();
    assert_eq!(quotes, ["«это ложь", "“no such clash"]);
}
