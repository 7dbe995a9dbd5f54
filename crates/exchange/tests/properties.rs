//! The readers on random edits of their fuzz seeds (`fuzz/corpus/`): STIX bundles, the
//! objects of a TAXII envelope, MISP events, ACLED-style CSV. None panics, and a refusal
//! names where each problem is. Deep nesting is refused with its line and column. The
//! stable-Rust stand-in for the libFuzzer targets in `fuzz/`.

#[path = "../../../fuzz/mutate.rs"]
mod mutate;

use beltwatch_exchange::{Problem, ReadDefaults, acled, misp, stix};
use proptest::prelude::*;

const JSON: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "\\",
    "null",
    "1e999",
    "-0",
    "\"type\":",
    "\"id\":",
    "\"objects\":",
    "\"created_by_ref\":",
    "\"object_refs\":",
    "\"x_beltwatch\":",
    "\"Event\":",
    "\"Attribute\":",
    "\"Tag\":",
    "\"2026-13-45T25:61:00Z\"",
    "\"indicator--00000000-0000-4000-8000-000000000000\"",
];
const CSV: &[&str] =
    &[",", "\"", "\"\"", "\n", "\r\n", "\u{feff}", "event_date", "latitude", "-91.5", "2026-02-30", ";"];

fn defaults() -> ReadDefaults {
    ReadDefaults {
        owner: "00000000-0000-4000-8000-000000000001".parse().expect("an organisation id"),
        tlp: model::Tlp::Amber,
        now: chrono::DateTime::UNIX_EPOCH,
    }
}

fn config() -> ProptestConfig {
    ProptestConfig { cases: mutate::cases(48), ..ProptestConfig::default() }
}

fn check<T>(result: &Result<T, Vec<Problem>>) {
    if let Err(problems) = result {
        assert!(!problems.is_empty(), "a refusal without a problem");
        for problem in problems {
            assert!(!problem.location.is_empty(), "unplaced: {problem}");
        }
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn stix_bundles((_, input) in mutate::mutated("stix", JSON)) {
        if let Ok(text) = std::str::from_utf8(&input) {
            check(&stix::read_bundle(text, &defaults()));
        }
    }

    #[test]
    fn taxii_envelope_objects((_, input) in mutate::mutated("taxii_envelope", JSON)) {
        let Ok(envelope) = serde_json::from_slice::<serde_json::Value>(&input) else { return Ok(()) };
        let Some(objects) = envelope.get("objects").and_then(|o| o.as_array()) else { return Ok(()) };
        let (_, outcomes) = stix::read_objects(objects, "$.objects", &defaults());
        prop_assert_eq!(outcomes.len(), objects.len());
        for problem in outcomes.iter().filter_map(|o| o.as_ref().err()) {
            prop_assert!(problem.location.starts_with("$.objects"), "unplaced: {}", problem);
        }
    }

    #[test]
    fn stix_bundles_as_json((_, input) in mutate::mutated_json("stix")) {
        check(&stix::read_bundle(std::str::from_utf8(&input).expect("JSON is UTF-8"), &defaults()));
    }

    #[test]
    fn taxii_envelope_objects_as_json((_, input) in mutate::mutated_json("taxii_envelope")) {
        // Values grown deeper than the parser's limit are refused before the objects.
        let Ok(envelope) = serde_json::from_slice::<serde_json::Value>(&input) else { return Ok(()) };
        let Some(objects) = envelope.get("objects").and_then(|o| o.as_array()) else { return Ok(()) };
        let (_, outcomes) = stix::read_objects(objects, "$.objects", &defaults());
        prop_assert_eq!(outcomes.len(), objects.len());
        for problem in outcomes.iter().filter_map(|o| o.as_ref().err()) {
            prop_assert!(problem.location.starts_with("$.objects"), "unplaced: {}", problem);
        }
    }

    #[test]
    fn misp_events_as_json((_, input) in mutate::mutated_json("misp")) {
        check(&misp::read(std::str::from_utf8(&input).expect("JSON is UTF-8"), &defaults()));
    }

    #[test]
    fn misp_events((_, input) in mutate::mutated("misp", JSON)) {
        if let Ok(text) = std::str::from_utf8(&input) {
            check(&misp::read(text, &defaults()));
        }
    }

    #[test]
    fn acled_csv((_, input) in mutate::mutated("acled", CSV)) {
        if let Ok(text) = std::str::from_utf8(&input) {
            check(&acled::read(text, &defaults()));
        }
    }
}

/// A document nested 100,000 arrays deep.
fn nested(depth: usize) -> String {
    format!("{{\"type\": \"bundle\", \"objects\": {}{}}}", "[".repeat(depth), "]".repeat(depth))
}

#[test]
fn deeply_nested_bundles_and_events_are_refused_with_their_position() {
    let text = nested(100_000);
    for result in [stix::read_bundle(&text, &defaults()).map(|_| ()), misp::read(&text, &defaults()).map(|_| ())] {
        let problems = result.expect_err("refused");
        assert_eq!(problems.len(), 1);
        assert!(problems[0].location.starts_with("line 1, column "), "{problems:?}");
        assert!(problems[0].message.contains("recursion limit exceeded"), "{problems:?}");
    }
}

#[test]
fn a_csv_field_of_a_megabyte_of_quotes_is_read_through() {
    let text = format!("event_date,latitude\n\"{}\n", "\"\"".repeat(500_000));
    let problems = acled::read(&text, &defaults()).expect_err("the quoted field never closes");
    assert!(
        problems.iter().any(|p| p.location == "line 2, column 1" && p.message.contains("never closed")),
        "{problems:?}"
    );
}
