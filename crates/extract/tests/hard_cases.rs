//! The hard cases of reading reports, each on a short text written for it, with the
//! dictionaries built into the binary.

use beltwatch_extract::{Extraction, Extractor};
use chrono::NaiveDate;
use model::{Category, QuantityKind};

fn extract(text: &str, published: &str) -> Extraction {
    let extractor = Extractor::embedded().expect("the embedded dictionaries load");
    extractor.extract(text, NaiveDate::parse_from_str(published, "%Y-%m-%d").ok())
}

fn places(x: &Extraction) -> Vec<String> {
    let mut out: Vec<String> = x.places.iter().map(|p| format!("{} {} {}", p.name, p.kind, p.country)).collect();
    out.sort();
    out
}

fn quantities(x: &Extraction) -> Vec<String> {
    x.quantities.iter().map(|q| format!("{} {} {}", q.kind, q.value, q.unit)).collect()
}

#[test]
fn denials_name_the_government_that_denies() {
    let x = extract(
        "The Taliban authorities on Monday rejected claims that militants were sheltering in Takhar province. \
         The Interior Ministry called the reports baseless.",
        "2026-10-06",
    );
    let deniers: Vec<&str> = x.denials.iter().filter_map(|d| d.actor.as_ref()).map(|a| a.as_str()).collect();
    assert_eq!(deniers, ["taliban"], "one denial per government: {x:#?}");
    assert!(x.categories.contains(&Category::Statement));

    let x = extract("Власти талибов опровергли сообщения о лагерях боевиков в провинции Тахар.", "2026-10-06");
    assert_eq!(x.denials.len(), 1);
    assert_eq!(x.denials[0].actor.as_ref().map(|a| a.as_str()), Some("taliban"));

    // A capital standing for its government denies; it is not where anything happened.
    let x = extract("Kabul denied that any armed group operates from Afghan soil.", "2026-10-06");
    assert_eq!(x.denials.len(), 1);
    assert!(!places(&x).iter().any(|p| p.starts_with("Kabul")), "{:?}", places(&x));
}

#[test]
fn several_places_in_one_report() {
    let x = extract(
        "Border guards seized heroin at three points: near Farkhor, in Shuroobod district and at the Nizhny Panj crossing. \
         In Kulob, police detained a courier.",
        "2026-10-06",
    );
    let names = places(&x);
    for expected in ["Farkhor", "lob", "Nizhny Panj"] {
        assert!(names.iter().any(|p| p.contains(expected)), "{expected} missing from {names:?}");
    }
    assert!(names.iter().any(|p| p.contains("Shuroobod") || p.contains("Shamsiddin")), "{names:?}");
    assert!(names.iter().all(|p| p.ends_with(" TJ")), "{names:?}");
}

#[test]
fn places_outside_the_region() {
    let x = extract(
        "Turkish police detained four suspected ISKP recruiters in Istanbul on Tuesday, and German police arrested a fifth man in Munich.",
        "2026-10-08",
    );
    let names = places(&x);
    assert!(names.iter().any(|p| p == "Istanbul populated_place TR"), "{names:?}");
    assert!(names.iter().any(|p| p == "Munich populated_place DE"), "{names:?}");
    let x = extract("В Москве сотрудники ФСБ задержали двух сторонников ИГИЛ-Хорасан.", "2026-10-08");
    assert!(places(&x).iter().any(|p| p == "Moscow populated_place RU"), "{:?}", places(&x));
}

#[test]
fn a_name_shared_by_a_river_a_town_and_a_district() {
    // The river alone is the place when nothing finer is named.
    let x = extract("Smugglers crossed the Panj at night and were detained on the bank.", "2026-10-06");
    assert_eq!(places(&x), ["Panj River river TJ"]);
    // A town beside the river: the town is the place.
    let x = extract("Guards stopped a boat on the Panj river near the town of Panj.", "2026-10-06");
    assert_eq!(places(&x), ["Panj populated_place TJ"]);
    // A district in Russian, inflected.
    let x = extract("В Пянджском районе Хатлонской области задержаны двое нарушителей границы.", "2026-10-06");
    assert_eq!(places(&x), ["Panj District district TJ"]);
    // The province and the city of Kunduz, told apart by the word beside them.
    let x = extract("Fighting was reported in Kunduz province.", "2026-10-06");
    assert_eq!(places(&x), ["Kunduz province AF"]);
    // Afghan and Tajik Ishkashim, told apart by nationality words.
    let x = extract("The courier came from the Afghan district of Ishkashim.", "2026-10-06");
    assert!(places(&x).iter().all(|p| p.ends_with(" AF")), "{:?}", places(&x));
}

#[test]
fn relative_dates_resolve_against_publication() {
    // 2026-11-25 is a Wednesday.
    let x = extract("Border guards seized 40 kg of heroin near Panj on Tuesday.", "2026-11-25");
    assert_eq!(x.event_date.map(|d| d.to_string()).as_deref(), Some("2026-11-24"));
    let x = extract("Накануне пограничники задержали курьера с гашишем у Хорога.", "2026-11-25");
    assert_eq!(x.event_date.map(|d| d.to_string()).as_deref(), Some("2026-11-24"));
    let x = extract("В понедельник пограничники задержали курьера с гашишем.", "2026-11-25");
    assert_eq!(x.event_date.map(|d| d.to_string()).as_deref(), Some("2026-11-23"));
    let x = extract("Guards seized hashish near Farkhor on 3 March.", "2026-11-25");
    assert_eq!(x.event_date.map(|d| d.to_string()).as_deref(), Some("2026-03-03"));
    // "Last week" gives no day.
    let x = extract("Guards seized hashish near Farkhor last week.", "2026-11-25");
    assert_eq!(x.event_date, None);
}

#[test]
fn numbers_in_words_and_digits() {
    let x = extract(
        "Guards seized 1.5 tonnes of hashish and two Kalashnikov rifles; seventeen militants were killed and three smugglers detained.",
        "2026-10-06",
    );
    let q = quantities(&x);
    for expected in ["hashish 1.5 t", "firearms 2 items", "killed 17 persons", "detained 3 persons"] {
        assert!(q.iter().any(|x| x == expected), "{expected} missing from {q:?}");
    }
    let x = extract("Пограничники изъяли более 200 кг героина и задержали троих нарушителей.", "2026-10-06");
    let q = quantities(&x);
    assert!(q.iter().any(|x| x == "heroin 200 kg"), "{q:?}");
    assert!(x.quantities.iter().any(|q| q.kind == QuantityKind::Detained && q.value == 3.0), "{q:?}");
}

#[test]
fn a_group_named_without_an_event_gives_no_event() {
    let x = extract(
        "ISKP remains the most capable armed group in the region, analysts at the institute wrote in a long review of its history.",
        "2026-10-06",
    );
    assert!(x.events.iter().all(|e| e.category != Category::Terrorism), "{:?}", x.events);
    assert!(!x.categories.contains(&Category::Terrorism), "{:?}", x.categories);
}

#[test]
fn migrants_and_smugglers_are_told_apart() {
    let x = extract(
        "Uzbek border guards detained eleven Afghan migrants who had crossed the Amu Darya illegally.",
        "2026-10-06",
    );
    assert!(x.categories.contains(&Category::IllegalMigration), "{:?}", x.categories);
    assert_eq!(quantities(&x), ["migrants 11 persons"]);
    let x = extract(
        "Нарушители границы переправились через Пяндж. У задержанных изъяли 30 кг гашиша, задержаны двое.",
        "2026-10-06",
    );
    assert!(!x.categories.contains(&Category::IllegalMigration), "{:?}", x.categories);
    assert!(x.categories.contains(&Category::DrugTrafficking), "{:?}", x.categories);
}

#[test]
fn destinations_and_reference_points_are_not_where_it_happened() {
    // Where the migrants hoped to go, and the province across the river named only to
    // say where the district lies.
    let x = extract(
        "Border guards detained eleven Afghan migrants near Termez on Tuesday. The men said they had hoped \
         to find work and later move on to Kazakhstan. \
         The outposts in Farkhor district stand opposite Afghanistan's Takhar province.",
        "2026-10-06",
    );
    let names = places(&x);
    assert!(names.iter().any(|p| p.starts_with("Termez") || p.starts_with("Tirmiz")), "{names:?}");
    assert!(!names.iter().any(|p| p.ends_with(" KZ")), "a destination is not a location: {names:?}");
    assert!(!names.iter().any(|p| p.starts_with("Takhar")), "a reference point is not a location: {names:?}");

    let x = extract(
        "Пограничники задержали курьера в Пянджском районе. Партию собирались переправить далее в Россию. \
         Район граничит с Кундузом.",
        "2026-10-06",
    );
    let names = places(&x);
    assert!(names.iter().any(|p| p.contains(" TJ")), "{names:?}");
    assert!(!names.iter().any(|p| p.ends_with(" RU")), "{names:?}");
    assert!(!names.iter().any(|p| p.starts_with("Kunduz")), "{names:?}");
}

#[test]
fn russian_names_in_their_oblique_cases() {
    // "Ишкашим" looks inflected in the nominative; "Дубай" has a soft ending.
    let x =
        extract("Нарушители пришли со стороны афганского Ишкашима. Организатор сети задержан в Дубае.", "2026-10-06");
    let names = places(&x);
    // The Afghan town is Ashkāsham in the gazetteer.
    assert!(names.iter().any(|p| p.ends_with(" AF")), "{names:?}");
    assert!(names.iter().any(|p| p.ends_with(" AE")), "{names:?}");
}

#[test]
fn a_capital_after_authorities_is_the_government() {
    let x = extract(
        "Militants crossed from Afghanistan's Kunar province and attacked a post in Bajaur. \
         Officials urged the authorities in Kabul to act.",
        "2026-10-06",
    );
    let names = places(&x);
    assert!(names.iter().any(|p| p.starts_with("Kunar")), "{names:?}");
    assert!(!names.iter().any(|p| p.starts_with("Kabul")), "{names:?}");
    // "northern Afghanistan" is a place.
    let x = extract("The group arranged travel for recruits to camps in northern Afghanistan.", "2026-10-06");
    assert!(places(&x).iter().any(|p| p.starts_with("Afghanistan")), "{:?}", places(&x));
}

fn actor_ids(x: &Extraction) -> Vec<&str> {
    x.actors.iter().map(|a| a.as_str()).collect()
}

#[test]
fn news_outlets_are_cited_sources_not_actors() {
    let en = extract(
        "Tajik border guards seized 12 kilograms of heroin near Panj on Monday, a spokesman told Asia-Plus.",
        "2026-10-06",
    );
    let ru =
        extract("Пограничники Таджикистана изъяли 12 килограммов героина в Пяндже, передает Sputnik.", "2026-10-06");
    for (x, outlet) in [(&en, "asia-plus"), (&ru, "sputnik")] {
        assert!(!actor_ids(x).contains(&outlet), "{outlet} is not an actor: {:?}", x.actors);
        assert!(x.cited_sources.iter().any(|s| s.as_str() == outlet), "{outlet} is cited: {:?}", x.cited_sources);
        assert!(actor_ids(x).contains(&"tj-border-troops"));
    }
}

#[test]
fn states_act_through_their_governments_and_forces() {
    let en = extract("Uzbek authorities said Tajik troops had closed the crossing on Friday.", "2026-10-06");
    assert!(actor_ids(&en).contains(&"uz-government"), "{:?}", en.actors);
    assert!(actor_ids(&en).contains(&"tj-military"), "{:?}", en.actors);
    let ru = extract("Власти Киргизии сообщили, что российские войска прибыли на учения.", "2026-10-06");
    assert!(actor_ids(&ru).contains(&"kg-government"), "{:?}", ru.actors);
    assert!(actor_ids(&ru).contains(&"ru-military"), "{:?}", ru.actors);
}

#[test]
fn the_afghan_state_is_read_by_the_reports_date() {
    let text = "Afghan forces repelled an attack on a border post in Kunduz province on Monday.";
    let before = extract(text, "2019-05-14");
    let after = extract(text, "2023-05-16");
    assert!(actor_ids(&before).contains(&"af-republic-military"), "{:?}", before.actors);
    assert!(actor_ids(&after).contains(&"taliban"), "{:?}", after.actors);
    assert!(!actor_ids(&after).contains(&"af-republic-military"));
    let ru = extract("Афганские военные отразили нападение в провинции Кундуз.", "2018-03-02");
    assert!(actor_ids(&ru).contains(&"af-republic-military"), "{:?}", ru.actors);
}

#[test]
fn running_totals_are_background_not_the_reports_figures() {
    let en = extract(
        "Border guards seized 8 kilograms of hashish near Panj on Sunday.\n\n\
         Since the beginning of the year, the detachment has seized 410 kilograms of drugs and detained 19 people.",
        "2026-10-06",
    );
    assert_eq!(quantities(&en), vec!["hashish 8 kg"]);
    let ru = extract(
        "Пограничники изъяли 8 килограммов гашиша в Пяндже.\n\n\
         С начала года пограничники изъяли 410 килограммов наркотиков и задержали 19 человек.",
        "2026-10-06",
    );
    assert_eq!(quantities(&ru), vec!["hashish 8 kg"]);
}

#[test]
fn a_sentence_opening_word_is_not_a_short_place_name() {
    let x = extract("Как сообщили в пресс-службе, пограничники задержали нарушителя у Хорога.", "2026-10-06");
    assert!(places(&x).iter().all(|p| !p.contains(" TM")), "{:?}", places(&x));
}

#[test]
fn the_event_date_is_the_incidents_not_the_datelines_or_the_statements() {
    // A dateline dates the report; "yesterday" dates the seizure.
    let x = extract(
        "TERMEZ, March 12 (Agency) - Customs officers seized 40 kilograms of hashish at the Ayritom crossing yesterday.",
        "2026-03-12",
    );
    assert_eq!(x.event_date.map(|d| d.to_string()).as_deref(), Some("2026-03-11"), "{x:#?}");

    // Without a publication date, the dateline anchors "yesterday".
    let x = extract("ХОРОГ, 7 октября 2026 — Вчера пограничники задержали трёх нарушителей границы у Ишкашима.", "");
    assert_eq!(x.event_date.map(|d| d.to_string()).as_deref(), Some("2026-10-06"), "{x:#?}");

    // The day of the statement is not the day of the clash.
    let x = extract(
        "The border service said on Thursday that its troops had exchanged fire with smugglers on Tuesday near Panj.",
        "2026-11-27",
    );
    assert_eq!(x.event_date.map(|d| d.to_string()).as_deref(), Some("2026-11-24"), "{x:#?}");
    let x = extract(
        "Пограничная служба в четверг сообщила, что во вторник у Пянджа произошла перестрелка с контрабандистами.",
        "2026-11-27",
    );
    assert_eq!(x.event_date.map(|d| d.to_string()).as_deref(), Some("2026-11-24"), "{x:#?}");
}

#[test]
fn the_speaker_of_a_denial_is_who_denies_not_what_is_denied() {
    // "false, the ministry said": the ministry denies; the Taliban are what it is about.
    let x = extract(
        "Reports that Taliban fighters had crossed into Tajikistan are false, the Tajik Foreign Ministry said.",
        "2026-10-06",
    );
    let deniers: Vec<&str> = x.denials.iter().filter_map(|d| d.actor.as_ref()).map(|a| a.as_str()).collect();
    assert_eq!(deniers.len(), 1, "{x:#?}");
    assert_ne!(deniers[0], "taliban", "{x:#?}");

    let x = extract(
        "Сообщения о переходе боевиков «Талибана» на территорию Таджикистана являются ложными, заявили в Министерстве иностранных дел Таджикистана.",
        "2026-10-06",
    );
    let deniers: Vec<&str> = x.denials.iter().filter_map(|d| d.actor.as_ref()).map(|a| a.as_str()).collect();
    assert_eq!(deniers.len(), 1, "{x:#?}");
    assert_ne!(deniers[0], "taliban", "{x:#?}");

    // A country as the subject denies through its government.
    let x = extract("Pakistan rejected the reports of a border closure as untrue.", "2026-10-06");
    let deniers: Vec<&str> = x.denials.iter().filter_map(|d| d.actor.as_ref()).map(|a| a.as_str()).collect();
    assert_eq!(deniers, ["pk-government"], "{x:#?}");
}

#[test]
fn a_mass_in_kilograms_and_grams_is_one_figure_and_a_headline_figure_is_not_repeated() {
    let x = extract("Police seized 3 kilograms 250 grams of heroin from a courier near Kulob.", "2026-10-06");
    assert_eq!(quantities(&x), ["heroin 3.25 kg"], "{x:#?}");
    let x = extract("У курьера изъято 12 кг 80 г гашиша.", "2026-10-06");
    assert_eq!(quantities(&x), ["hashish 12.08 kg"], "{x:#?}");

    let x = extract(
        "Border guards seize 75 kg of opium\n\nTajik border guards seized 75 kg of opium near Darvoz on Monday.",
        "2026-10-06",
    );
    assert_eq!(quantities(&x), ["opium 75 kg"], "{x:#?}");
    let x = extract(
        "На границе задержаны 4 нарушителя\n\nПограничники задержали 4 нарушителей границы у Пянджа.",
        "2026-10-06",
    );
    assert_eq!(quantities(&x).len(), 1, "{x:#?}");
}

fn unlisted(x: &Extraction) -> Vec<String> {
    x.unlisted_places
        .iter()
        .map(|u| {
            let within = u.within.as_ref().map(|w| format!(" in {}", w.name)).unwrap_or_default();
            format!("{} {} {}{within}", u.name, u.kind, u.country)
        })
        .collect()
}

#[test]
fn villages_and_posts_the_gazetteer_lacks_keep_their_names_and_countries() {
    let x = extract(
        "Border guards came under fire near the Zarbod frontier post on Monday. Two days later militants \
         attacked the village of Kalaghund in Darvoz district, across the river from Afghanistan's Badakhshan \
         province.",
        "2026-10-06",
    );
    assert_eq!(unlisted(&x), ["Zarbod post TJ", "Kalaghund village TJ in Darvoz District"], "{x:#?}");
    // The event happened in the village: its name, at its district's point and precision.
    let attacked = x.events.iter().find_map(|e| e.unlisted_place.as_ref()).expect("an event in the village");
    assert_eq!(attacked.name, "Kalaghund");
    assert_eq!(attacked.point().1, model::GeoPrecision::District);
    // "Two days later" is a time, not two rounds of ammunition.
    assert!(x.quantities.is_empty(), "{x:#?}");

    let x = extract(
        "Ночью в селении Пастхуф Дарвазского района задержали двоих. Утром обстреляли заставы «Кумбаз» и \
         «Тоголок» на таджикско-афганской границе в Хатлоне.",
        "2026-10-06",
    );
    assert_eq!(
        unlisted(&x),
        ["Пастхуф village TJ in Darvoz District", "Кумбаз post TJ in Khatlon", "Тоголок post TJ in Khatlon"],
        "{x:#?}"
    );

    // A name the gazetteer holds is the gazetteer's place; a word of kind alone is no name.
    let x = extract("Police raided the Panj area and a nearby village; the border post was quiet.", "2026-10-06");
    assert!(x.unlisted_places.is_empty(), "{x:#?}");
}

#[test]
fn a_country_named_only_as_an_origin_or_the_far_side_is_not_a_place_of_the_event() {
    let x = extract(
        "Tajik border guards detained three men carrying 20 kg of heroin from Afghanistan near Panj.",
        "2026-10-06",
    );
    assert_eq!(places(&x), ["Panj populated_place TJ"], "{x:#?}");
    let x = extract(
        "На участке государственной границы Таджикистана с Афганистаном у Пянджа задержали нарушителя, \
         прибывшего с территории Афганистана.",
        "2026-10-06",
    );
    assert!(!places(&x).iter().any(|p| p.contains(" country AF")), "{x:#?}");
    // A country where something happened stays.
    let x = extract("Militants attacked a checkpoint in Afghanistan, officials said.", "2026-10-06");
    assert_eq!(places(&x), ["Afghanistan country AF"], "{x:#?}");
}

#[test]
fn fighting_with_border_guards_or_fire_from_across_the_border_is_a_border_incident() {
    for text in [
        "Iranian border guards clashed with Taliban fighters on Sunday.",
        "Иранские пограничники вступили в перестрелку с талибами в воскресенье.",
        "Из Афганистана по Термезу в Узбекистане был произведен ракетный обстрел.",
    ] {
        let x = extract(text, "2026-10-06");
        assert!(x.categories.contains(&Category::BorderIncident), "{text}: {x:#?}");
    }
}

#[test]
fn a_ministry_named_without_its_country_is_that_of_the_country_the_report_is_about() {
    let x = extract(
        "Police in Kulob detained two men with 3 kg of heroin, the Interior Ministry said on Monday.",
        "2026-10-06",
    );
    assert!(actor_ids(&x).contains(&"tj-mvd"), "{x:#?}");
    let x = extract("В Сурхандарьинской области задержан наркокурьер, сообщили в МВД.", "2026-10-06");
    assert!(actor_ids(&x).contains(&"uz-mvd"), "{x:#?}");
    // A ministry its owner names is the owner's: the owner is the actor already.
    let x = extract("The Taliban's Ministry of Interior denied that militants were in Kunduz.", "2026-10-06");
    assert_eq!(actor_ids(&x), ["taliban"], "{x:#?}");
}

#[test]
fn a_body_named_as_the_parent_of_a_unit_is_not_an_actor_there() {
    let x = extract(
        "A spokesman for the Main Border Guard Directorate under the State Committee for National Security \
         (SCNS) said a smuggler was detained near Panj.",
        "2026-10-06",
    );
    assert_eq!(actor_ids(&x), ["tj-border-troops"], "{x:#?}");
    let x = extract("Сотрудники ГУПВ ГКНБ задержали нарушителя у Пянджа.", "2026-10-06");
    assert_eq!(actor_ids(&x), ["tj-border-troops"], "{x:#?}");
    // Two bodies side by side ("and") both act.
    let x = extract("Сотрудники ГКНБ и АКН задержали нарушителя у Пянджа.", "2026-10-06");
    assert_eq!(actor_ids(&x).len(), 2, "{x:#?}");
}

#[test]
fn a_ministry_speaking_for_a_state_named_by_its_country_is_the_denier_and_refusing_is_not_denying() {
    let x = extract(
        "Pakistan on Friday rejected reports of air strikes in Kunar. The Foreign Office spokesperson said \
         the reports were baseless.",
        "2026-10-06",
    );
    let deniers: Vec<&str> = x.denials.iter().filter_map(|d| d.actor.as_ref()).map(|a| a.as_str()).collect();
    assert_eq!(deniers, ["pk-mofa"], "{x:#?}");

    let x = extract(
        "Узбекистан опроверг сообщения об обстреле Термеза. В МИД Узбекистана назвали эти сведения ложью.",
        "2026-10-06",
    );
    let deniers: Vec<&str> = x.denials.iter().filter_map(|d| d.actor.as_ref()).map(|a| a.as_str()).collect();
    assert_eq!(deniers, ["uz-mfa"], "{x:#?}");

    let x = extract("The council urged Kabul to deny safe haven to militant groups.", "2026-10-06");
    assert!(x.denials.is_empty(), "{x:#?}");
}

#[test]
fn decimal_commas_and_clock_times_in_russian_figures() {
    let x = extract("У задержанных обнаружено 20,374 килограмма опия.", "2026-10-06");
    assert_eq!(quantities(&x), ["opium 20.374 kg"], "{x:#?}");
    let x = extract("Около 19.30 пятеро афганских граждан незаконно пересекли границу у Пянджа.", "2026-10-06");
    assert_eq!(quantities(&x), ["migrants 5 persons"], "{x:#?}");
}

#[test]
fn a_report_that_leads_with_a_denial_takes_the_denials_day() {
    // Published on a Thursday: "on Tuesday" is the denial's day, "on Sunday" the incident's.
    let x = extract(
        "Tajikistan's Foreign Ministry on Tuesday rejected reports that militants crossed the border near \
         Panj on Sunday.",
        "2026-10-08",
    );
    assert_eq!(x.event_date.map(|d| d.to_string()).as_deref(), Some("2026-10-06"), "{x:#?}");
    let x = extract(
        "МИД Узбекистана опроверг сообщения о ракетном обстреле Термеза 2 октября. Заявление распространили в \
         среду.",
        "2026-10-08",
    );
    assert_eq!(x.event_date.map(|d| d.to_string()).as_deref(), Some("2026-10-07"), "{x:#?}");
    // No day given for the denial, only the denied incident's: the day of publication.
    let x = extract("Кабул назвал ложью сообщения о боевиках у границы с Таджикистаном 3 октября.", "2026-10-08");
    assert_eq!(x.event_date.map(|d| d.to_string()).as_deref(), Some("2026-10-08"), "{x:#?}");
    // A report that dates nothing gives no day.
    let x = extract("Кабул назвал ложью сообщения о боевиках у границы с Таджикистаном.", "2026-10-08");
    assert_eq!(x.event_date, None, "{x:#?}");
}

#[test]
fn a_division_named_by_its_russian_adjective_is_that_division() {
    // The district or a stretch of the border named after it.
    let x = extract(
        "На Пянджском направлении таджикско-афганской границы пограничники задержали курьера с 12 кг гашиша.",
        "2026-10-06",
    );
    assert!(places(&x).iter().any(|p| p.starts_with("Panj")), "{:?}", places(&x));
    let x = extract("В Баткенском районе ночью была слышна стрельба у заставы.", "2026-10-06");
    assert!(places(&x).iter().any(|p| p.starts_with("Batken") && p.ends_with(" KG")), "{:?}", places(&x));
    // Fire from the neighbouring side's territory does not make that country a place of the event.
    let x = extract(
        "Пограничники Таджикистана у Фархора попали под обстрел из сопредельной территории Афганистана.",
        "2026-10-06",
    );
    assert!(!places(&x).iter().any(|p| p.starts_with("Afghanistan")), "{:?}", places(&x));
    let x = extract("Smugglers from neighbouring Afghanistan were detained near Farkhor.", "2026-10-06");
    assert!(!places(&x).iter().any(|p| p.starts_with("Afghanistan")), "{:?}", places(&x));
}

#[test]
fn threats_from_a_country_are_about_it_and_a_country_gives_way_to_an_unlisted_place_in_it() {
    let x =
        extract("The defence minister warned of growing threats coming from neighbouring Afghanistan.", "2026-10-06");
    assert!(places(&x).iter().any(|p| p.starts_with("Afghanistan")), "{:?}", places(&x));
    let x = extract("Министр обороны говорил об угрозах, исходящих из соседнего Афганистана.", "2026-10-06");
    assert!(places(&x).iter().any(|p| p.starts_with("Afghanistan")), "{:?}", places(&x));
    // The drill's ground is the place, not the whole country.
    let x = extract(
        "В Таджикистане на полигоне Чилдухтарон завершились учения, в которых участвовали войска ОДКБ.",
        "2026-10-06",
    );
    assert!(!places(&x).iter().any(|p| p.starts_with("Tajikistan")), "{:?}", places(&x));
    assert_eq!(x.unlisted_places.len(), 1, "{:?}", x.unlisted_places);
}

#[test]
fn a_denial_said_in_the_next_sentence_and_a_second_bodys_own_denial() {
    // The thing denied names troops; the one who denies is named in the next sentence.
    let x = extract(
        "Posts on social media that Uzbek troops near Termez came under rocket fire are untrue. \
         The Ministry of Foreign Affairs of Uzbekistan said this on Monday. \
         Traffic on the bridge was normal. \
         The State Security Service of Uzbekistan also called the reports false.",
        "2026-10-06",
    );
    let deniers: Vec<&str> = x.denials.iter().filter_map(|d| d.actor.as_ref()).map(|a| a.as_str()).collect();
    assert_eq!(deniers, ["uz-mfa", "uz-sgb"], "{x:#?}");

    let x = extract(
        "Сообщения о том, что таджикские пограничники покинули заставы, не соответствуют действительности. \
         Об этом заявили в Пограничных войсках ГКНБ Таджикистана.",
        "2026-10-06",
    );
    let deniers: Vec<&str> = x.denials.iter().filter_map(|d| d.actor.as_ref()).map(|a| a.as_str()).collect();
    assert_eq!(deniers, ["tj-border-troops"], "{x:#?}");
}

#[test]
fn rejecting_a_claim_with_words_between_is_a_denial() {
    let x = extract(
        "A spokesman for the Ministry of Foreign Affairs of Afghanistan rejected the Pakistani claims on Wednesday.",
        "2026-10-06",
    );
    assert_eq!(x.denials.len(), 1, "{x:#?}");
    // Rejecting a proposal is not saying something is untrue.
    let x = extract("The Ministry of Foreign Affairs of Afghanistan rejected the proposal.", "2026-10-06");
    assert!(x.denials.is_empty(), "{x:#?}");
}

#[test]
fn a_district_named_without_its_kind_word() {
    let x = extract(
        "Security forces repulsed an infiltration attempt in the Kurram and North Waziristan regions on Saturday.",
        "2026-10-06",
    );
    let names = places(&x);
    assert!(names.iter().any(|p| p.starts_with("Kurram District")), "{names:?}");
    assert!(names.iter().any(|p| p.starts_with("North Waziristan District")), "{names:?}");
}

#[test]
fn fighting_named_at_the_border_is_a_border_incident_unless_it_is_only_denied() {
    for text in [
        "Crossfire on the Afghanistan-Pakistan border killed one guard late on Wednesday.",
        "Russian border guards shot and killed a courier carrying heroin on Tuesday night.",
        "Ночью на кыргызско-таджикской границе произошла перестрелка.",
    ] {
        let x = extract(text, "2026-10-06");
        assert!(x.categories.contains(&Category::BorderIncident), "{text}: {:?}", x.categories);
    }
    // Crossing the border is not fighting at it.
    let x = extract(
        "Militants ambushed a police convoy in Bannu on Monday; officials said the group had earlier come across the border.",
        "2026-10-06",
    );
    assert!(!x.categories.contains(&Category::BorderIncident), "{:?}", x.categories);
    // A firefight that a border service says never happened.
    let x = extract(
        "Пограничная служба Туркменистана опровергла сообщения о перестрелке на туркмено-афганской границе.",
        "2026-10-06",
    );
    assert!(!x.categories.contains(&Category::BorderIncident), "{:?}", x.categories);
    assert!(x.categories.contains(&Category::Statement), "{:?}", x.categories);
}

#[test]
fn the_era_is_that_of_the_days_the_report_tells_of() {
    // Published the day the Republic fell, about the day before.
    let x =
        extract("On August 14, a group of Afghan soldiers crossed into Uzbekistan and were detained.", "2021-08-15");
    let actors: Vec<&str> = x.actors.iter().map(|a| a.as_str()).collect();
    assert!(actors.contains(&"af-republic-military"), "{actors:?}");
    // A date long before publication is background, not the report's era.
    let x = extract("Afghan soldiers were seen at the bridge, as on August 14, 2019.", "2022-03-01");
    let actors: Vec<&str> = x.actors.iter().map(|a| a.as_str()).collect();
    assert!(!actors.contains(&"af-republic-military"), "{actors:?}");
}

#[test]
fn people_who_crossed_the_border_and_were_detained_are_migrants() {
    let x = extract(
        "A group of 84 Afghan soldiers crossed the state border and was detained by Uzbek border guards.",
        "2026-10-06",
    );
    assert_eq!(quantities(&x), ["migrants 84 persons"], "{x:#?}");
    let x = extract("Ночью 12 человек перешли границу и были задержаны пограничниками.", "2026-10-06");
    assert_eq!(quantities(&x), ["migrants 12 persons"], "{x:#?}");
    // Written with "тыс.": 1,148 kg.
    let x = extract("В ходе операции пограничники изъяли 1тыс. 148 кг наркотиков.", "2026-10-06");
    assert_eq!(quantities(&x), ["other_drugs 1148 kg"], "{x:#?}");
}

#[test]
fn first_names_far_towns_spellings_and_foreign_missions_are_not_places() {
    let x = extract(
        "President of Russia Vladimir Putin met the heads of security services. The White House said the trafficker \
         was arrested. Officials of the Embassy of Japan in Uzbekistan visited Termez.",
        "2026-10-06",
    );
    let names = places(&x);
    assert!(!names.iter().any(|p| p.starts_with("Vladimir") || p.starts_with("Casablanca")), "{names:?}");
    assert!(!names.iter().any(|p| p.starts_with("Japan")), "{names:?}");
    assert!(names.iter().any(|p| p.starts_with("Tirmiz")), "{names:?}");
    // A far town by the start of its English name still is one.
    let x = extract("Federal officials in New York announced the arrest of a heroin trafficker.", "2026-10-06");
    assert!(places(&x).iter().any(|p| p.starts_with("New York")), "{:?}", places(&x));
    let x = extract("Владимир Путин провёл совещание, на котором выступил Рашид Нургалиев.", "2026-10-06");
    assert!(x.places.is_empty(), "{:?}", places(&x));
}

#[test]
fn a_border_named_by_its_two_countries_is_about_both_when_nothing_finer_is_named() {
    let x = extract("Heavy fighting broke out along the Pak-Afghan border on Saturday.", "2026-10-06");
    assert_eq!(places(&x), ["Afghanistan country AF", "Pakistan country PK"], "{x:#?}");
    let x = extract("Бои начались вдоль линии Дюранда на афгано-пакистанской границе.", "2026-10-06");
    assert_eq!(places(&x), ["Afghanistan country AF", "Pakistan country PK"], "{x:#?}");
    // A finer place says where on the border.
    let x =
        extract("Tajik border guards detained two men on the Panj stretch of the Tajik-Afghan border.", "2026-10-06");
    assert!(!places(&x).iter().any(|p| p.contains(" country ")), "{:?}", places(&x));
}

#[test]
fn a_country_gone_to_is_not_a_place_of_the_event_when_the_report_names_one_elsewhere() {
    let x = extract(
        "Tajik border guards clashed with smugglers near Panj on Monday. The smugglers fled back to Afghanistan.",
        "2026-10-06",
    );
    assert_eq!(places(&x), ["Panj populated_place TJ"], "{x:#?}");
    let x = extract("У Пянджа пограничники задержали лодку с опием; нарушители ушли в Афганистан.", "2026-10-06");
    assert!(!places(&x).iter().any(|p| p.contains(" country AF")), "{x:#?}");
    // The locative case is where it happened.
    let x = extract("У Пянджа задержан курьер, который получил героин в Афганистане.", "2026-10-06");
    assert!(places(&x).iter().any(|p| p.contains(" country AF")), "{x:#?}");
    // "to" of giving is not going.
    let x = extract(
        "At a meeting in Moscow the alliance pledged more assistance to Tajikistan against threats.",
        "2026-10-06",
    );
    assert!(places(&x).iter().any(|p| p.contains(" country TJ")), "{x:#?}");
    // With nothing else named, the destination is what the report is about.
    let x = extract("Turkey deported 200 migrants to Afghanistan on Monday.", "2026-10-06");
    assert!(places(&x).iter().any(|p| p.contains(" country AF")), "{x:#?}");
}

#[test]
fn a_crossing_on_both_sides_of_a_border_is_on_the_side_of_the_reports_other_places() {
    let x = extract("Traffic resumed at Torkham on Friday, officials in Landi Kotal and Peshawar said.", "2026-10-06");
    assert!(places(&x).iter().any(|p| p == "Torkham crossing PK"), "{:?}", places(&x));
    let x = extract("Traffic resumed at the Torkham crossing on Friday, officials in Jalalabad said.", "2026-10-06");
    assert!(places(&x).iter().any(|p| p == "Torkham crossing AF"), "{:?}", places(&x));
    // A credit line's town is where a reporter was, not a side of the border.
    let x = extract(
        "Gunfire was exchanged at the Torkham crossing on Monday.\n\nA correspondent contributed to this report from Islamabad.",
        "2026-10-06",
    );
    assert_eq!(places(&x), ["Torkham crossing AF"], "{x:#?}");
}

#[test]
fn a_ministry_named_with_its_country_is_that_countrys_even_when_the_report_is_about_another() {
    let x = extract(
        "Officers of the Ministry of Internal Affairs of Kyrgyzstan detained a Tajik courier with heroin in Batken.",
        "2026-10-06",
    );
    assert!(actor_ids(&x).contains(&"kg-mvd"), "{:?}", actor_ids(&x));
    assert!(!actor_ids(&x).contains(&"tj-mvd"), "{:?}", actor_ids(&x));
    let x = extract("Сотрудники МВД Кыргызстана задержали гражданина Таджикистана с героином.", "2026-10-06");
    assert!(actor_ids(&x).contains(&"kg-mvd"), "{:?}", actor_ids(&x));
    // A country with no such body in the dictionaries gets none of another country's.
    let x = extract(
        "The Ministry of Interior of Japan said two Tajik nationals were detained with heroin in Tokyo.",
        "2026-10-06",
    );
    assert!(!actor_ids(&x).contains(&"tj-mvd"), "{:?}", actor_ids(&x));
}

fn deniers(x: &Extraction) -> Vec<&str> {
    x.denials.iter().filter_map(|d| d.actor.as_ref()).map(|a| a.as_str()).collect()
}

#[test]
fn officials_named_by_nationality_deny_for_their_government_of_the_reports_era() {
    let x = extract(
        "Pakistani troops said militants crossed into Bajaur overnight. Afghan officials denied any cross-border attack.",
        "2011-06-20",
    );
    assert_eq!(deniers(&x), ["af-republic-government"], "{x:#?}");
    assert!(actor_ids(&x).contains(&"af-republic-government"), "{:?}", actor_ids(&x));
    let x = extract("Afghan officials denied that rockets were fired at Termez.", "2022-04-02");
    assert_eq!(deniers(&x), ["taliban"], "{x:#?}");
    let x = extract("Пакистанские официальные лица опровергли сообщения об обстреле.", "2024-03-20");
    assert_eq!(deniers(&x), ["pk-government"], "{x:#?}");
    // Officials named in the background are not actors by that alone.
    let x = extract("Tajik officials have not commented on the reports of fighting near Panj.", "2024-03-20");
    assert!(!actor_ids(&x).contains(&"tj-government"), "{:?}", actor_ids(&x));
}

#[test]
fn a_state_that_denies_speaks_through_the_body_named_in_the_next_sentence_unless_it_is_named_there() {
    let x = extract(
        "Uzbekistan on Sunday denied that rockets had hit Termez. \
         A spokesman for the Uzbek Foreign Ministry said the reports were spread to sow panic.",
        "2026-10-06",
    );
    assert_eq!(deniers(&x), ["uz-mfa"], "{x:#?}");
    let x = extract(
        "Reports that rockets hit Termez are absolutely untrue. \
         The press secretary of the President of Uzbekistan said this on Sunday, citing the Defence Ministry.",
        "2026-10-06",
    );
    assert_eq!(deniers(&x), ["uz-government"], "{x:#?}");
}

#[test]
fn weapons_fought_with_are_not_weapons_trafficking() {
    let x = extract(
        "Taliban fighters and Tajik border guards exchanged fire with light and heavy weapons near Ishkashim on Sunday.",
        "2026-10-06",
    );
    assert!(!x.categories.contains(&Category::WeaponsTrafficking), "{:?}", x.categories);
    let x = extract(
        "Нарушители напали на пограничный наряд, и пограничники были вынуждены применить оружие.",
        "2026-10-06",
    );
    assert!(!x.categories.contains(&Category::WeaponsTrafficking), "{:?}", x.categories);
    // Weapons carried across still are.
    let x = extract("Border guards detained two smugglers carrying Kalashnikov rifles across the Panj.", "2026-10-06");
    assert!(x.categories.contains(&Category::WeaponsTrafficking), "{:?}", x.categories);
}

#[test]
fn condemnations_protests_and_nonsense_are_statements() {
    let x = extract("Islamabad strongly condemned the cross-border attack on its posts in Kurram.", "2026-10-06");
    assert!(x.categories.contains(&Category::Statement), "{:?}", x.categories);
    let x = extract("МИД Таджикистана выразил протест в связи с обстрелом заставы.", "2026-10-06");
    assert!(x.categories.contains(&Category::Statement), "{:?}", x.categories);
    let x = extract("В Кабуле назвали бредом сообщения о переходе боевиков через границу.", "2026-10-06");
    assert_eq!(x.denials.len(), 1, "{x:#?}");
}

#[test]
fn work_done_together_is_cooperation_without_a_word_of_agreement() {
    let x = extract(
        "The US embassy donated radios and trucks to Tajik border guards at a handover ceremony in Panj.",
        "2026-10-06",
    );
    assert!(x.categories.contains(&Category::Cooperation), "{:?}", x.categories);
}

#[test]
fn lists_of_other_stories_under_a_report_are_not_read() {
    let x = extract(
        "Border guards seized 30 kg of hashish on the Farkhor stretch of the border on Tuesday.\n\
         Flood waters rise in Istanbul after three days of heavy rain\n\
         Prime minister of Ukraine meets investors from Japan in Kyiv\n\
         New metro line opens in Almaty ahead of the winter season\n\
         All news\n",
        "2026-10-06",
    );
    let countries: Vec<String> = x.places.iter().map(|p| p.country.to_string()).collect();
    assert_eq!(countries, ["TJ"], "{:?}", places(&x));
    let x = extract(
        "Пограничники задержали нарушителя у заставы в Хороге.\n\
         В Стамбуле открылся новый аэропорт для туристов\n\
         Президент Украины встретился с министрами в Киеве\n\
         В Алматы прошла ярмарка сельских товаров и ремёсел\n",
        "2026-10-06",
    );
    let countries: Vec<String> = x.places.iter().map(|p| p.country.to_string()).collect();
    assert_eq!(countries, ["TJ"], "{:?}", places(&x));
}

#[test]
fn home_towns_of_the_dead_are_not_where_the_attack_was() {
    let x = extract(
        "Three soldiers were killed when militants attacked a post in Kurram. Sepoy Amir Khan, 24, Bannu; \
         Naik Asif Ali, 31, resident of Karachi; and Sepoy Rahim Shah, 20, Peshawar were named among the dead.",
        "2026-10-06",
    );
    assert!(
        places(&x).iter().all(|p| !p.starts_with("Karachi") && !p.starts_with("Bannu") && !p.starts_with("Peshawar")),
        "{:?}",
        places(&x)
    );
    // Where the person was caught stays.
    let x = extract("Пограничники задержали уроженца Бадахшана в Ишкашиме.", "2026-10-06");
    assert_eq!(places(&x), ["Ishqoshim populated_place TJ"]);
}

#[test]
fn a_weight_said_twice_is_one_seizure_and_two_groups_stay_two() {
    let x = extract(
        "Tajik border guards seized more than 43 kilograms of marijuana on Thursday. \
         The courier was detained with more than 43 kilograms of marijuana and a rifle.",
        "2026-10-06",
    );
    assert_eq!(quantities(&x).iter().filter(|q| q.ends_with("43 kg")).count(), 1, "{:?}", quantities(&x));
    let x = extract("Пограничники задержали двоих курьеров. Позднее задержаны еще двое подозреваемых.", "2026-10-06");
    assert_eq!(quantities(&x).iter().filter(|q| q.starts_with("detained 2")).count(), 2, "{:?}", quantities(&x));
}

#[test]
fn an_unlisted_post_lies_where_its_own_or_the_previous_sentence_puts_it() {
    fn names_and_countries(x: &Extraction) -> Vec<String> {
        let mut out: Vec<String> = x.unlisted_places.iter().map(|u| format!("{} {}", u.name, u.country)).collect();
        out.sort();
        out
    }
    let x = extract(
        "Напряжённость сохраняется в Баткенском районе Кыргызстана, у дороги на Ворух.\n\
         Стрельба началась днём у границы Кыргызской Республики.\n\
         Вечером таджикская сторона обстреляла заставы «Тогуз-Кен» и «Кызыл-Дар».\n\
         В ответ был занят пост «Сары-Бел» Республики Таджикистан.",
        "2026-10-06",
    );
    assert_eq!(names_and_countries(&x), ["Кызыл-Дар KG", "Сары-Бел TJ", "Тогуз-Кен KG"], "{x:#?}");
    // "Кызыл" of "Кызыл-Дар" is not Kyzyl in Russia, nor "Сары" Sari in Iran.
    assert!(x.places.iter().all(|p| ["KG", "TJ"].contains(&p.country.as_str())), "{:?}", places(&x));
    let x = extract(
        "Militants attacked a checkpoint in Bajaur on Monday.\n\
         Afghan police said Pakistani troops had shelled Kunar province for a week.\n\
         Two children were killed in a strike on the Shalay area yesterday.",
        "2026-10-06",
    );
    assert_eq!(names_and_countries(&x), ["Shalay AF"], "{x:#?}");
}

#[test]
fn places_of_history_are_not_the_reports() {
    let x = extract(
        "Tajik border guards detained a courier with 12 kg of heroin near Panj on Monday.\n\n\
         In 2015 a similar group was broken up in Tashkent, and in 2009 in Mazar-i-Sharif.",
        "2026-10-06",
    );
    assert_eq!(places(&x), ["Panj populated_place TJ"], "{x:#?}");
    let x = extract(
        "Пограничники Таджикистана задержали курьера с 12 кг героина у Пянджа.\n\n\
         В 2015 году похожая группа была задержана в Ташкенте.",
        "2026-10-06",
    );
    assert!(places(&x).iter().all(|p| p.ends_with("TJ")), "{:?}", places(&x));
    // A report told wholly of the past keeps its places.
    let x = extract("In 2015 border guards detained a courier with heroin in Tashkent.", "2026-10-06");
    assert!(places(&x).iter().any(|p| p.starts_with("Tashkent")), "{:?}", places(&x));
}

#[test]
fn the_end_of_a_route_and_the_far_side_of_a_border_are_not_where() {
    let x = extract(
        "Police in Batken detained a man who carried hashish for sale from Tajikistan to Kazakhstan.",
        "2026-10-06",
    );
    assert!(places(&x).iter().all(|p| !p.ends_with("KZ")), "{:?}", places(&x));
    let x = extract("Курьер, задержанный в Баткене, вёз гашиш из Таджикистана в Казахстан.", "2026-10-06");
    assert!(places(&x).iter().all(|p| !p.ends_with("KZ")), "{:?}", places(&x));
    let x = extract(
        "Iranian guards exchanged fire with Taliban forces near Zahedan, across the border from Afghanistan's Nimruz province.",
        "2026-10-06",
    );
    assert!(places(&x).iter().all(|p| !p.ends_with("AF")), "{:?}", places(&x));
    // Goods brought from across the border name where they came from.
    let x = extract(
        "The hashish seized in Chaman had been brought across the border from Afghanistan's Kandahar province.",
        "2026-10-06",
    );
    assert!(places(&x).iter().any(|p| p.starts_with("Kandahar")), "{:?}", places(&x));
}

#[test]
fn members_of_a_body_and_offices_of_a_state_are_not_places() {
    let x = extract(
        "Security chiefs of agencies in Armenia, Belarus, Kazakhstan, Kyrgyzstan, Russia and Tajikistan met in Moscow \
         to discuss the Tajik-Afghan border. The Ambassador of Turkmenistan and the Secretary of the Security \
         Council of the Republic of India also attended.",
        "2026-10-06",
    );
    let countries: std::collections::BTreeSet<String> = x.places.iter().map(|p| p.country.to_string()).collect();
    assert!(!countries.contains("AM") && !countries.contains("BY"), "{:?}", places(&x));
    assert!(!countries.contains("TM") && !countries.contains("IN"), "{:?}", places(&x));
    assert!(countries.contains("RU"), "{:?}", places(&x));
    let x = extract(
        "Руководители спецслужб в Армении, Белоруссии, Казахстане, Киргизии, России и Таджикистане собрались в Душанбе.",
        "2026-10-06",
    );
    let countries: std::collections::BTreeSet<String> = x.places.iter().map(|p| p.country.to_string()).collect();
    assert!(!countries.contains("AM") && !countries.contains("BY"), "{:?}", places(&x));
    assert!(countries.contains("TJ"), "{:?}", places(&x));
}

#[test]
fn who_says_that_a_report_is_untrue_denies_it_not_who_the_report_quotes() {
    let x = extract(
        "МИД Таджикистана заявил, что публикация о переговорах с ОДКБ о патрулировании границы российскими \
         военными не соответствует действительности.",
        "2026-10-06",
    );
    assert_eq!(deniers(&x), ["tj-mfa"], "{x:#?}");
    // Said by "the agency" alone: the body the sentence before named.
    let x = extract(
        "Об этом сообщил источник в ГКНБ Таджикистана.\n\
         В ведомстве подчеркнули, что заявление МИД России о захвате всей границы не соответствует действительности.",
        "2026-10-06",
    );
    assert_eq!(deniers(&x), ["tj-scns"], "{x:#?}");
    let x = extract(
        "Tajikistan's Foreign Ministry said that a report about Russian troops patrolling the border was untrue.",
        "2026-10-06",
    );
    assert_eq!(deniers(&x), ["tj-mfa"], "{x:#?}");
}

#[test]
fn a_ministry_its_owner_named_stays_the_owners_when_named_again() {
    let x = extract(
        "The Ministry of Foreign Affairs of the Islamic Emirate of Afghanistan dismissed reports of rockets fired \
         at Termez. The country's Ministry of Foreign Affairs said the border with Uzbekistan was calm.",
        "2026-10-06",
    );
    assert!(!x.actors.iter().any(|a| a.as_str() == "uz-mfa"), "{:?}", x.actors);
    let x = extract(
        "Министерство иностранных дел правительства талибов опровергло сообщения об обстреле Термеза. \
         В министерстве иностранных дел добавили, что граница с Узбекистаном спокойна.",
        "2026-10-06",
    );
    assert!(!x.actors.iter().any(|a| a.as_str() == "uz-mfa"), "{:?}", x.actors);
}

#[test]
fn bodies_of_one_state_working_together_are_not_cooperation() {
    let x = extract(
        "In a joint operation, Tajik border troops and the Drug Control Agency seized 20 kg of heroin near Farkhor.",
        "2026-10-06",
    );
    assert!(!x.categories.contains(&Category::Cooperation), "{:?}", x.categories);
    let x = extract(
        "В ходе совместной операции военнослужащих пограничных войск и управления СГБ по Сурхандарьинской области задержаны двое курьеров с гашишем.",
        "2026-10-06",
    );
    assert!(!x.categories.contains(&Category::Cooperation), "{:?}", x.categories);
    // Partners of two states are.
    let x = extract(
        "The National Security Committee of Kazakhstan seized heroin with the FSB of Russia in a joint operation.",
        "2026-10-06",
    );
    assert!(x.categories.contains(&Category::Cooperation), "{:?}", x.categories);
}

#[test]
fn forces_one_state_sends_are_not_cooperation_and_exercises_with_partners_are() {
    let x = extract(
        "After the attack on the post in Bajaur, reinforcements were sent to the area to search for the militants.",
        "2026-10-06",
    );
    assert!(!x.categories.contains(&Category::Cooperation), "{:?}", x.categories);
    let x = extract(
        "После инцидента Туркмения провела у границы с Афганистаном учения и перебросила туда дополнительные силы.",
        "2026-10-06",
    );
    assert!(!x.categories.contains(&Category::Cooperation), "{:?}", x.categories);
    let x = extract(
        "Tajik and Russian troops held joint exercises at the Harb-Maidon range near the Afghan border.",
        "2026-10-06",
    );
    assert!(x.categories.contains(&Category::Cooperation), "{:?}", x.categories);
    let x = extract("Войска ОДКБ провели учения в Хатлонской области у афганской границы.", "2026-10-06");
    assert!(x.categories.contains(&Category::Cooperation), "{:?}", x.categories);
}

#[test]
fn a_pages_stamp_of_publication_is_not_the_events_day() {
    let x = extract(
        "Rockets fired at Termez from across the river\n\nWednesday 6 July 2026 - 06:42\n\n\
         Unknown groups fired rockets at the border town of Termez.\n\n\
         On July 5, seven rockets hit the outskirts of Termez, damaging several houses.",
        "2026-07-06",
    );
    assert_eq!(x.event_date, NaiveDate::from_ymd_opt(2026, 7, 5), "{x:#?}");
    let x = extract(
        "Обстрел Термеза\n\n6 июля 2026, 06:42\n\nНеизвестные обстреляли ракетами Термез.\n\n\
         5 июля семь ракет упали на окраине Термеза, повредив несколько домов.",
        "2026-07-06",
    );
    assert_eq!(x.event_date, NaiveDate::from_ymd_opt(2026, 7, 5), "{x:#?}");
}

#[test]
fn common_spellings_of_a_substance_name_it() {
    let x = extract("Пограничники изъяли мешок с 5 кг героина и 2 кг канабиса.", "2026-10-06");
    assert_eq!(quantities(&x), ["heroin 5 kg", "cannabis 2 kg"], "{x:#?}");
    let x = extract("Police seized 12 kg of heroin and 40 kg of marihuana near Chaman.", "2026-10-06");
    assert_eq!(quantities(&x), ["heroin 12 kg", "cannabis 40 kg"], "{x:#?}");
}

#[test]
fn after_a_comma_the_one_who_speaks_follows_the_verb() {
    let x = extract(
        "Талибы опровергли заявления о перестрелке с туркменскими пограничниками на севере Афганистана, \
         сообщил представитель МИД Туркменистана.",
        "2026-10-06",
    );
    assert_eq!(deniers(&x), ["tm-mfa"], "{x:#?}");
    let x = extract(
        "Reports of a firefight with Uzbek border troops near Termez are false, said the Foreign Ministry of Tajikistan.",
        "2026-10-06",
    );
    assert_eq!(deniers(&x), ["tj-mfa"], "{x:#?}");
}

#[test]
fn actors_of_history_are_not_the_reports() {
    let x = extract(
        "Uzbek border troops detained two couriers with 30 kg of hashish near Termez on Monday.\n\n\
         In 2001 NATO troops used the Termez base to supply their forces.",
        "2026-10-06",
    );
    assert!(!x.actors.iter().any(|a| a.as_str() == "nato"), "{:?}", x.actors);
    let x = extract(
        "Пограничники Узбекистана задержали у Термеза двух курьеров с гашишем.\n\n\
         В 2001 году базу в Термезе использовали войска НАТО.",
        "2026-10-06",
    );
    assert!(!x.actors.iter().any(|a| a.as_str() == "nato"), "{:?}", x.actors);
}
