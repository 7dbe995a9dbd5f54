//! JSON Lines, line by line as the pipeline streams them: no panic, every diagnostic
//! placed on its line.
#![no_main]

use formats::{Limits, Position, decode_json_line, prepare};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let number = index as u64 + 1;
        match decode_json_line("fuzz.jsonl", number, line) {
            Ok(Some(candidate)) => {
                let _ = prepare(candidate, &Limits::default());
            }
            Ok(None) => {}
            Err(diagnostic) => match diagnostic.position {
                Some(Position::LineColumn { line, .. }) | Some(Position::JsonPath { line: Some(line), .. }) => {
                    assert_eq!(line, number, "{diagnostic}")
                }
                _ => panic!("not placed on its line: {diagnostic}"),
            },
        }
    }
});
