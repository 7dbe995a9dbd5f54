//! Plain text and Markdown with front matter: no panic, every diagnostic placed, every
//! candidate prepared without panic.
#![no_main]

use formats::{InputKind, Limits, decode, prepare};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for kind in [InputKind::Text, InputKind::Markdown] {
        let decoded = decode("fuzz.md", kind, data);
        for diagnostic in &decoded.diagnostics {
            assert!(diagnostic.position.is_some(), "unplaced: {diagnostic}");
        }
        for candidate in decoded.candidates {
            let _ = prepare(candidate, &Limits::default());
        }
    }
});
