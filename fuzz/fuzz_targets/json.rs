//! JSON document files: no panic, every diagnostic placed.
#![no_main]

use formats::{InputKind, Limits, decode, prepare};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let decoded = decode("fuzz.json", InputKind::Json, data);
    for diagnostic in &decoded.diagnostics {
        assert!(diagnostic.position.is_some(), "unplaced: {diagnostic}");
    }
    for candidate in decoded.candidates {
        let _ = prepare(candidate, &Limits::default());
    }
});
