//! RSS, Atom and JSON feeds: no panic, every diagnostic and note placed.
#![no_main]

use formats::{InputKind, Limits, decode, prepare};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let decoded = decode("fuzz.rss", InputKind::Feed, data);
    for diagnostic in decoded.diagnostics.iter().chain(&decoded.notes) {
        assert!(diagnostic.position.is_some(), "unplaced: {diagnostic}");
    }
    for candidate in decoded.candidates {
        let _ = prepare(candidate, &Limits::default());
    }
});
