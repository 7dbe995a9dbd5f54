//! The licensed real set (`testdata/eval/real/licensed/`: public-domain and openly licensed
//! reports, each with its licence) scored by `beltwatch eval` with floors just under the
//! figures measured when they were set (docs/extraction.md). A floor that fails means
//! extraction got worse on real text.

use std::process::Command;

fn scores() -> serde_json::Value {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/eval/real/licensed");
    let output = Command::new(env!("CARGO_BIN_EXE_beltwatch"))
        .args(["eval", "--json", "--articles"])
        .arg(root.join("articles.jsonl"))
        .arg("--gold")
        .arg(root.join("gold.jsonl"))
        .output()
        .expect("beltwatch runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("eval --json prints one JSON object")
}

#[test]
fn the_licensed_real_set_holds_its_floors() {
    let report = scores();
    let overall = &report["overall"];
    assert!(overall["documents"].as_u64().unwrap_or(0) >= 30, "the licensed set holds at least 30 reports");
    // Measured 2026-12-06 (fourth round): categories 0.787, actors 0.698, locations 0.615,
    // location countries 0.815, quantities 0.750, denials 0.667 (of three), event date 0.737.
    for (field, floor) in [
        ("categories", 0.76),
        ("actors", 0.67),
        ("locations", 0.59),
        ("location_countries", 0.79),
        ("quantities", 0.72),
        ("denials", 0.6),
    ] {
        let f1 = overall[field]["f1"].as_f64().unwrap_or(0.0);
        assert!(f1 >= floor, "{field}: F1 {f1:.3} fell below {floor}");
    }
    let date = overall["event_date"]["accuracy"].as_f64().unwrap_or(0.0);
    assert!(date >= 0.71, "event date accuracy {date:.3} fell below 0.71");
}
