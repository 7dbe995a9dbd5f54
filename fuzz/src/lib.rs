//! What the fuzz targets share: the defaults the exchange readers fill gaps with, and the
//! check that every problem they report is placed.

use exchange::{Problem, ReadDefaults};

/// Fixed defaults, so that a run is repeatable.
pub fn defaults() -> ReadDefaults {
    ReadDefaults {
        owner: "00000000-0000-4000-8000-000000000001".parse().expect("a valid organisation id"),
        tlp: model::Tlp::Amber,
        now: chrono::DateTime::UNIX_EPOCH,
    }
}

/// A reader's outcome: on failure, at least one problem, each with its location.
pub fn check_problems<T>(result: &Result<T, Vec<Problem>>) {
    if let Err(problems) = result {
        assert!(!problems.is_empty(), "a failure without a problem");
        for problem in problems {
            assert!(!problem.location.is_empty(), "unplaced: {problem}");
        }
    }
}
