//! The body of a TAXII POST, read as the server reads it: the envelope, then each of its
//! objects. No panic; one outcome per object; every problem placed.
#![no_main]

use beltwatch_fuzz::defaults;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(objects) = api::taxii::envelope_objects(data) else { return };
    let (_, outcomes) = exchange::stix::read_objects(&objects, "$.objects", &defaults());
    assert_eq!(outcomes.len(), objects.len());
    for problem in outcomes.iter().filter_map(|o| o.as_ref().err()) {
        assert!(problem.location.starts_with("$.objects"), "unplaced: {problem}");
    }
});
