//! Page cursors (`time~seq`): no panic, and what parses is read back the same from its
//! own writing.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(cursor) = std::str::from_utf8(data) else { return };
    if let Ok((time, seq)) = store::parse_cursor(cursor) {
        let written = format!("{time}~{seq}");
        assert_eq!(store::parse_cursor(&written).ok(), Some((time, seq)));
    }
});
