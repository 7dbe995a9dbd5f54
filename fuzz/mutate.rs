//! Seeds and mutations for the property tests that stand in for the fuzz targets on
//! stable Rust (`crates/{formats,exchange,api}/tests/properties.rs` include this file):
//! each test reads its target's seed corpus from `fuzz/corpus/<target>/` and checks its
//! decoder on random edits of the seeds.

#![allow(dead_code)] // each test file uses its own part

use std::path::Path;

use proptest::prelude::*;

/// The seeds of `target`, by file name, in name order.
pub fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus").join(target);
    let mut seeds: Vec<(String, Vec<u8>)> = std::fs::read_dir(&folder)
        .unwrap_or_else(|e| panic!("the seed corpus {} cannot be read: {e}", folder.display()))
        .map(|entry| {
            let path = entry.expect("a corpus entry").path();
            let bytes = std::fs::read(&path).expect("a seed");
            (path.file_name().expect("a file name").to_string_lossy().into_owned(), bytes)
        })
        .collect();
    seeds.sort();
    assert!(!seeds.is_empty(), "no seeds in {}", folder.display());
    seeds
}

/// One change to an input; positions and lengths wrap around its length.
#[derive(Debug, Clone)]
pub enum Edit {
    /// Inserts bytes, often a piece of the format's syntax.
    Insert {
        at: usize,
        bytes: Vec<u8>,
    },
    Delete {
        at: usize,
        len: usize,
    },
    /// Repeats a stretch of the input in place: nesting, long runs.
    Repeat {
        at: usize,
        len: usize,
        times: usize,
    },
    Replace {
        at: usize,
        byte: u8,
    },
    /// Cuts the input short.
    Truncate {
        at: usize,
    },
}

/// `seed` with `edits` applied in order.
pub fn apply(seed: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for edit in edits {
        let len = bytes.len();
        let wrap = |at: usize| if len == 0 { 0 } else { at % (len + 1) };
        match edit {
            Edit::Insert { at, bytes: inserted } => {
                let at = wrap(*at);
                bytes.splice(at..at, inserted.iter().copied());
            }
            Edit::Delete { at, len: n } => {
                let at = wrap(*at);
                let end = (at + n).min(len);
                bytes.drain(at..end);
            }
            Edit::Repeat { at, len: n, times } => {
                let at = wrap(*at);
                let end = (at + n).min(len);
                let stretch = bytes[at..end].to_vec();
                let repeated: Vec<u8> = stretch.iter().copied().cycle().take(stretch.len() * times).collect();
                bytes.splice(end..end, repeated);
            }
            Edit::Replace { at, byte } => {
                if len > 0 {
                    bytes[at % len] = *byte;
                }
            }
            Edit::Truncate { at } => {
                let at = wrap(*at);
                bytes.truncate(at);
            }
        }
    }
    bytes
}

/// Edits that favour `tokens`, pieces of the format's syntax.
pub fn edits(tokens: &'static [&'static str]) -> impl Strategy<Value = Vec<Edit>> {
    let token = proptest::sample::select(tokens).prop_map(|t| t.as_bytes().to_vec());
    let bytes = prop_oneof![3 => token, 1 => proptest::collection::vec(any::<u8>(), 1..8)];
    let edit = prop_oneof![
        4 => (any::<usize>(), bytes).prop_map(|(at, bytes)| Edit::Insert { at, bytes }),
        2 => (any::<usize>(), 1usize..64).prop_map(|(at, len)| Edit::Delete { at, len }),
        2 => (any::<usize>(), 1usize..32, 2usize..300).prop_map(|(at, len, times)| Edit::Repeat { at, len, times }),
        2 => (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Edit::Replace { at, byte }),
        1 => any::<usize>().prop_map(|at| Edit::Truncate { at }),
    ];
    proptest::collection::vec(edit, 1..6)
}

/// A seed of `target` (by index) with edits: what each case checks.
pub fn mutated(target: &str, tokens: &'static [&'static str]) -> impl Strategy<Value = (String, Vec<u8>)> {
    let seeds = seeds(target);
    (0..seeds.len(), edits(tokens)).prop_map(move |(index, edits)| {
        let (name, seed) = &seeds[index];
        (name.clone(), apply(seed, &edits))
    })
}

/// How many cases each property runs: `PROPTEST_CASES`, else `default` (kept small so
/// that `cargo test` stays quick; raise it to search longer).
pub fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A change to one value of a JSON document, found by its place in a walk of the
/// document (wrapping around the number of values).
#[derive(Debug, Clone)]
pub enum JsonEdit {
    Set {
        node: usize,
        value: serde_json::Value,
    },
    /// Removes the value from its object or array.
    Remove {
        node: usize,
    },
    /// Repeats an array's first element, or wraps the value in arrays.
    Grow {
        node: usize,
        times: usize,
    },
}

/// Values that readers of our formats treat specially.
const JSON_VALUES: &[&str] = &[
    "null",
    "true",
    "0",
    "-1",
    "1e308",
    "18446744073709551616",
    "0.5",
    "\"\"",
    "\"x\"",
    "[]",
    "{}",
    "\"2026-02-30T00:00:00Z\"",
    "\"2026-11-01T00:00:00.000Z\"",
    "\"1970-01-01\"",
    "\"red\"",
    "\"TLP:RED\"",
    "\"report--00000000-0000-4000-8000-000000000000\"",
    "\"identity--00000000-0000-4000-8000-000000000001\"",
    "\"not-an-id\"",
    "\"-91.5\"",
    "[\"a\", 1, null]",
    "{\"type\": \"x\"}",
    "\"\\u0000\"",
];

/// Edits that keep a document JSON, so that the readers get past parsing.
pub fn json_edits() -> impl Strategy<Value = Vec<JsonEdit>> {
    let value = proptest::sample::select(JSON_VALUES)
        .prop_map(|text| serde_json::from_str::<serde_json::Value>(text).expect("a JSON value"));
    let edit = prop_oneof![
        4 => (any::<usize>(), value).prop_map(|(node, value)| JsonEdit::Set { node, value }),
        2 => any::<usize>().prop_map(|node| JsonEdit::Remove { node }),
        1 => (any::<usize>(), 1usize..200).prop_map(|(node, times)| JsonEdit::Grow { node, times }),
    ];
    proptest::collection::vec(edit, 1..6)
}

/// `document` with `edits` applied.
pub fn apply_json(document: &serde_json::Value, edits: &[JsonEdit]) -> serde_json::Value {
    let mut document = document.clone();
    for edit in edits {
        let count = count_values(&document);
        let (JsonEdit::Set { node, .. } | JsonEdit::Remove { node } | JsonEdit::Grow { node, .. }) = edit;
        let mut target = node % count;
        edit_value(&mut document, &mut target, edit);
    }
    document
}

fn count_values(value: &serde_json::Value) -> usize {
    1 + match value {
        serde_json::Value::Array(items) => items.iter().map(count_values).sum(),
        serde_json::Value::Object(fields) => fields.values().map(count_values).sum(),
        _ => 0,
    }
}

/// Walks to the `target`th value (counting down) and edits it; true when done.
fn edit_value(value: &mut serde_json::Value, target: &mut usize, edit: &JsonEdit) -> bool {
    if *target == 0 {
        match edit {
            JsonEdit::Set { value: new, .. } => *value = new.clone(),
            JsonEdit::Remove { .. } => *value = serde_json::Value::Null,
            JsonEdit::Grow { times, .. } => match value {
                serde_json::Value::Array(items) if !items.is_empty() => {
                    let first = items[0].clone();
                    items.extend(std::iter::repeat_n(first, *times));
                }
                _ => {
                    for _ in 0..*times {
                        *value = serde_json::Value::Array(vec![value.take()]);
                    }
                }
            },
        }
        return true;
    }
    *target -= 1;
    match value {
        serde_json::Value::Array(items) => {
            for index in 0..items.len() {
                if *target == 0 && matches!(edit, JsonEdit::Remove { .. }) {
                    items.remove(index);
                    return true;
                }
                if edit_value(&mut items[index], target, edit) {
                    return true;
                }
            }
            false
        }
        serde_json::Value::Object(fields) => {
            let keys: Vec<String> = fields.keys().cloned().collect();
            for key in keys {
                if *target == 0 && matches!(edit, JsonEdit::Remove { .. }) {
                    fields.remove(&key);
                    return true;
                }
                if edit_value(fields.get_mut(&key).expect("a field"), target, edit) {
                    return true;
                }
            }
            false
        }
        _ => false,
    }
}

/// A JSON seed of `target` (one that parses) with value edits, written out again.
pub fn mutated_json(target: &str) -> impl Strategy<Value = (String, Vec<u8>)> {
    let seeds: Vec<(String, serde_json::Value)> = seeds(target)
        .into_iter()
        .filter_map(|(name, bytes)| Some((name, serde_json::from_slice(&bytes).ok()?)))
        .collect();
    assert!(!seeds.is_empty(), "no JSON seeds for {target}");
    (0..seeds.len(), json_edits()).prop_map(move |(index, edits)| {
        let (name, seed) = &seeds[index];
        (name.clone(), serde_json::to_vec(&apply_json(seed, &edits)).expect("JSON"))
    })
}
