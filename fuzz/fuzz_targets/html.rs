//! Web pages: no panic, notes placed, and the nesting bound holds: the parser's tree
//! stays within `MAX_PARSED_HTML_DEPTH` whatever the page.
#![no_main]

use formats::{InputKind, Limits, MAX_PARSED_HTML_DEPTH, decode, parsed_html_depth, prepare};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let decoded = decode("fuzz.html", InputKind::Html, data);
    assert!(decoded.diagnostics.iter().chain(&decoded.notes).all(|d| d.position.is_some()));
    for candidate in decoded.candidates {
        let _ = prepare(candidate, &Limits::default());
    }
    if let Ok(html) = std::str::from_utf8(data) {
        let depth = parsed_html_depth(html);
        assert!(depth <= MAX_PARSED_HTML_DEPTH, "parsed {depth} deep after bounding");
    }
});
