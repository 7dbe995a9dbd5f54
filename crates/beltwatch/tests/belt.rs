//! The belt through the real binary: one incident reported by three outlets in two
//! languages and denied by a fourth, merged, explained, exported and split again.

mod common;

use common::Beltwatch;
use std::path::Path;

const AS_OF: &str = "2026-11-12";

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/incident").join(name).display().to_string()
}

fn ingest_incident(bw: &Beltwatch) {
    for (file, outlet) in [
        ("asia-plus.md", "Asia-Plus"),
        ("reuters.md", "Reuters"),
        ("sputnik.md", "Sputnik Tajikistan"),
        ("tolo-denial.md", "TOLOnews"),
    ] {
        let run = bw.run(&["ingest", &fixture(file), "--source", outlet, "--format", "json"]);
        assert_eq!(run.status, 0, "{file}: {}", run.stderr);
    }
}

fn hottest(bw: &Beltwatch) -> serde_json::Value {
    let run = bw.run(&["belt", "--as-of", AS_OF, "--limit", "1", "--format", "json"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    run.json()["sectors"][0].clone()
}

#[test]
fn three_outlets_and_a_denial_make_one_contested_incident_until_split() {
    let bw = Beltwatch::new();
    ingest_incident(&bw);

    let run = bw.run(&["corroborate", "--format", "json"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let summary = run.json();
    assert_eq!(summary["merged_incidents"], 1, "{summary}");
    assert_eq!(summary["contested_incidents"], 1, "{summary}");

    // The hottest sector is the Afghan–Tajik one at Ishkashim, with its geometry.
    let sector = hottest(&bw);
    let id = sector["id"].as_str().expect("sector id").to_owned();
    assert!(id.starts_with("AF-TJ-"), "{sector}");
    assert_eq!(sector["geometry"]["type"], "LineString");
    assert!(sector["length_km"].as_f64().is_some_and(|km| km > 15.0 && km < 35.0), "{sector}");
    assert_eq!(sector["incidents"], 1, "{sector}");

    let run = bw.run(&["explain", &id, "--as-of", AS_OF, "--format", "json"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let explained = run.json();
    let top = &explained["contributions"][0];
    assert_eq!(top["independent_sources"], 3, "{top}");
    assert_eq!(top["events"].as_array().map(Vec::len), Some(3), "{top}");
    assert_eq!(top["contested_by"].as_array().map(Vec::len), Some(1), "{top}");
    // Confirmed by three outlets, one step lower for the denial: "probably true".
    assert_eq!(top["credibility"], "2", "{top}");
    let outlets: Vec<&str> = top["outlets"].as_array().expect("outlets").iter().filter_map(|o| o.as_str()).collect();
    for outlet in ["Asia-Plus", "Reuters", "Sputnik Tajikistan"] {
        assert!(outlets.contains(&outlet), "{outlets:?}");
    }
    assert!(top["why"].as_str().is_some_and(|w| w.contains("3 independent source(s)")), "{top}");
    let merged_score = explained["score"].as_f64().expect("score");

    // GeoJSON of the sectors carries the level; of the events, the incident.
    let out = bw.path("sectors.geojson");
    let run = bw.run(&["export", "sectors", "--as-of", AS_OF, "--output", &out.display().to_string()]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let sectors: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("written")).expect("GeoJSON");
    let feature = sectors["features"].as_array().expect("features").iter().find(|f| f["id"] == id.as_str()).cloned();
    let feature = feature.expect("the sector is exported");
    assert_eq!(feature["geometry"]["type"], "Polygon");
    assert_eq!(feature["properties"]["level"], sector["level"]);
    let run = bw.run(&["export", "events", "--as-of", AS_OF]);
    let events = run.json();
    let incident = top["incident"].as_str().expect("incident id");
    let in_incident = events["features"]
        .as_array()
        .expect("features")
        .iter()
        .filter(|f| f["properties"]["incident"] == incident)
        .count();
    assert_eq!(in_incident, 4, "three reports and the denial: {events}");

    // Splitting restores the three reports as three incidents, each from one outlet.
    let run = bw.run(&["corroborate", "--undo", incident]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let run = bw.run(&["explain", &id, "--as-of", AS_OF, "--format", "json"]);
    let split = run.json();
    let contributions = split["contributions"].as_array().expect("contributions");
    assert_eq!(contributions.len(), 3, "{split}");
    assert!(
        contributions.iter().all(|c| c["independent_sources"] == 1 && c["events"].as_array().map(Vec::len) == Some(1))
    );
    assert!(split["score"].as_f64().expect("score") != merged_score);
    // A second corroboration does not merge them again.
    let run = bw.run(&["corroborate", "--format", "json"]);
    assert_eq!(run.json()["merged_incidents"], 0, "{}", run.stdout);
    // Undoing twice is an error that says so.
    let run = bw.run(&["corroborate", "--undo", incident]);
    assert_eq!(run.status, 2, "{}", run.stderr);
    assert!(run.stderr.contains("no merge to undo"), "{}", run.stderr);
}

#[test]
fn borders_report_their_length_and_sectors() {
    let bw = Beltwatch::new();
    let run = bw.run(&["borders", "--format", "json"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let value = run.json();
    let borders = value["borders"].as_array().expect("borders");
    assert_eq!(borders.len(), 6, "{value}");
    for b in borders {
        let km = b["length_km"].as_f64().expect("length");
        let sectors = b["sectors"].as_u64().expect("sectors");
        assert_eq!(sectors, (km / 25.0).round().max(1.0) as u64, "{b}");
    }
    let tj = borders.iter().find(|b| b["border"] == "AF-TJ").expect("AF-TJ");
    assert!((tj["length_km"].as_f64().expect("length") - 1357.0).abs() / 1357.0 <= 0.15, "{tj}");
}

#[test]
fn belt_options_are_checked() {
    let bw = Beltwatch::new();
    let run = bw.run(&["explain", "AF-XX-001"]);
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("no sector"), "{}", run.stderr);
    let run = bw.run(&["belt", "--border", "AF-RU"]);
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("AF-TJ"), "{}", run.stderr);
    bw.write("beltwatch.toml", "[belt]\nborders = [\"AF-TJ\", \"XX-YY\"]\nsector_km = 0\n");
    let run = bw.run(&["belt"]);
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("belt.sector_km"), "{}", run.stderr);
    // A configured border that is not in the data is named, with the ones that are.
    bw.write("beltwatch.toml", "[belt]\nborders = [\"TJ-KG\", \"XX-YY\"]\n");
    let run = bw.run(&["belt"]);
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("XX-YY") && run.stderr.contains("KG-TJ"), "{}", run.stderr);
    // Another pair of countries is configuration, not code.
    bw.write("beltwatch.toml", "[belt]\nborders = [\"TJ-KG\"]\nsector_km = 50\n");
    let run = bw.run(&["belt", "--sort", "id", "--limit", "0", "--format", "json"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let sectors = run.json()["sectors"].as_array().cloned().expect("sectors");
    assert!(!sectors.is_empty() && sectors.iter().all(|s| s["border"] == "KG-TJ"), "{sectors:?}");
}
