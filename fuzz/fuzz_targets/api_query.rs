//! Query strings as the API's listing routes and TAXII's object routes read them: no
//! panic, and a refusal names the parameters at fault.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(query) = std::str::from_utf8(data) else { return };
    if let Err(problem) = api::routes::check_query(query) {
        assert!(matches!(problem.status, 400 | 422), "{problem:?}");
        assert!(!problem.errors.is_empty(), "a refusal without its fields");
    }
    let _ = api::taxii::check_filters(query);
});
