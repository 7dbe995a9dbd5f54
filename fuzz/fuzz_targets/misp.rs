//! MISP events as `beltwatch import` reads them: no panic, every problem placed.
#![no_main]

use beltwatch_fuzz::{check_problems, defaults};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    check_problems(&exchange::misp::read(text, &defaults()));
});
