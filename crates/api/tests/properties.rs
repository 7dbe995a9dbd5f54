//! The server's readers of what callers send, on random edits of their fuzz seeds
//! (`fuzz/corpus/`): query strings of the listing routes and of TAXII, page cursors, and
//! posted TAXII envelopes. None panics; a refusal names the fields at fault. The
//! stable-Rust stand-in for the libFuzzer targets in `fuzz/`.

#[path = "../../../fuzz/mutate.rs"]
mod mutate;

use beltwatch_api::routes::check_query;
use beltwatch_api::taxii::{check_filters, envelope_objects};
use proptest::prelude::*;

const QUERY: &[&str] = &[
    "&",
    "=",
    "%",
    "%25",
    "%7E",
    "%C3%A9",
    "%FF",
    "+",
    "~",
    "since=",
    "until=",
    "limit=",
    "after=",
    "category=",
    "type=",
    "country=",
    "actor=",
    "document=",
    "language=",
    "as_of=",
    "q=",
    "next=",
    "added_after=",
    "match[type]=",
    "match[spec_version]=",
    "2026-11-01",
    "T00:00:00Z",
    "-1",
    "0",
    "4294967296",
    "99999999999999999999",
    ",",
];

fn config() -> ProptestConfig {
    ProptestConfig { cases: mutate::cases(64), ..ProptestConfig::default() }
}

/// The fields a refusal names, sorted.
fn refused_fields(query: &str) -> Vec<String> {
    match check_query(query) {
        Ok(()) => Vec::new(),
        Err(problem) => {
            let mut fields: Vec<String> = problem.errors.iter().map(|e| e.field.clone()).collect();
            fields.sort();
            fields
        }
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn query_strings((_, input) in mutate::mutated("api_query", QUERY)) {
        let Ok(query) = std::str::from_utf8(&input) else { return Ok(()) };
        if let Err(problem) = check_query(query) {
            prop_assert!(matches!(problem.status, 400 | 422), "{:?}", problem);
            prop_assert!(!problem.errors.is_empty(), "a refusal without its fields: {:?}", problem);
        }
        let _ = check_filters(query);
    }

    #[test]
    fn cursors((_, input) in mutate::mutated("cursor", &["~", "-", "+", "0", "9223372036854775808", "T", ":", "Z"])) {
        let Ok(cursor) = std::str::from_utf8(&input) else { return Ok(()) };
        if let Ok((time, seq)) = store::parse_cursor(cursor) {
            let written = format!("{time}~{seq}");
            prop_assert_eq!(store::parse_cursor(&written).ok(), Some((time, seq)));
        }
    }

    #[test]
    fn any_cursor_text(cursor in ".*") {
        let _ = store::parse_cursor(&cursor);
        let _ = check_query(&format!("after={cursor}"));
    }

    #[test]
    fn taxii_envelopes((_, input) in mutate::mutated_json("taxii_envelope")) {
        if let Ok(objects) = envelope_objects(&input) {
            let defaults = beltwatch_exchange_defaults();
            let (_, outcomes) = exchange::stix::read_objects(&objects, "$.objects", &defaults);
            prop_assert_eq!(outcomes.len(), objects.len());
        }
    }
}

fn beltwatch_exchange_defaults() -> exchange::ReadDefaults {
    exchange::ReadDefaults {
        owner: "00000000-0000-4000-8000-000000000001".parse().expect("an organisation id"),
        tlp: model::Tlp::Amber,
        now: chrono::DateTime::UNIX_EPOCH,
    }
}

#[test]
fn queries_are_read_strictly_and_every_bad_field_named() {
    assert_eq!(
        refused_fields("since=2026-01-01&limit=20&after=2026-10-14T08:00:00.000000Z~41&category=border_incident"),
        [""; 0]
    );
    assert_eq!(refused_fields("limit=0&after=nonsense&colour=red"), ["query.after", "query.colour", "query.limit"]);
    assert_eq!(refused_fields("since=soon&limit=501"), ["query.limit", "query.since"]);
}

#[test]
fn taxii_filters_and_envelopes_say_what_is_wrong() {
    assert_eq!(check_filters("limit=5&next=12&match[type]=report"), Ok(()));
    assert_eq!(check_filters("next=x").expect_err("refused"), "next: pass the `next` of the previous page");
    assert!(check_filters("colour=red").expect_err("refused").starts_with("colour: "));
    assert_eq!(envelope_objects(br#"{"objects": [{"type": "x"}]}"#).map(|o| o.len()), Ok(1));
    assert_eq!(envelope_objects(b"[]"), Err("$.objects: an envelope needs an array of objects".into()));
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let refusal = envelope_objects(deep.as_bytes()).expect_err("refused");
    assert!(refusal.starts_with("line 1, column 128: not JSON: recursion limit exceeded"), "{refusal}");
}
