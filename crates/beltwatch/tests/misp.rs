//! `export misp` read by PyMISP, MISP's own Python library: every stored event arrives as
//! an object of the MISP event of its report, with the report's creator, marking and text.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{Beltwatch, peer_script, samples};
use serde_json::Value;

#[test]
fn pymisp_loads_the_misp_export_and_finds_every_event() {
    let bw = Beltwatch::new();
    let run = bw.run(&["ingest", &samples().display().to_string()]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let export = bw.path("export.misp.json");
    let out = export.display().to_string();
    let run = bw.run(&["export", "misp", "--out", &out]);
    assert_eq!(run.status, 0, "{}", run.stderr);

    // What the store holds: events by the report they were first reported in.
    let listed = bw.run(&["events", "--format", "json", "--limit", "1000"]).json();
    let events = listed["items"].as_array().expect("items");
    assert!(events.len() >= 30, "the samples give events: {}", events.len());
    let mut by_report: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for event in events {
        let home = event["documents"][0].as_str().expect("a home document").to_owned();
        by_report.entry(home).or_default().push(event);
    }

    let run = peer_script("pymisp_check.py", &[&out]);
    assert_eq!(run.status, 0, "PyMISP could not load the export:\n{}\n{}", run.stdout, run.stderr);
    let summary = run.json();
    assert_eq!(summary["warnings"], serde_json::json!([]), "{summary}");
    assert_eq!(
        summary["invalid_category_types"],
        serde_json::json!([]),
        "attribute types MISP allows in their category"
    );
    let items = summary["items"].as_array().expect("items");
    assert_eq!(summary["events"].as_u64(), Some(by_report.len() as u64), "one MISP event per report with events");
    assert_eq!(items.len(), by_report.len());

    let mut clusters = BTreeSet::new();
    for item in items {
        let uuid = item["uuid"].as_str().expect("uuid");
        let events = by_report.get(uuid).unwrap_or_else(|| panic!("{uuid} is not a report with events"));
        let report = bw.run(&["show", uuid, "--format", "json"]).json();

        // The creator, the marking and the distribution are MISP's own fields.
        assert_eq!(item["orgc_uuid"], report["marking"]["owner"], "{item}");
        let tags: BTreeSet<&str> = item["tags"].as_array().expect("tags").iter().filter_map(Value::as_str).collect();
        let tlp = format!("tlp:{}", report["marking"]["tlp"].as_str().expect("tlp"));
        assert!(tags.contains(tlp.as_str()), "{tlp} in {tags:?}");
        assert_eq!(tags.iter().filter(|t| t.starts_with("tlp:")).count(), 1, "{tags:?}");
        let expected_distribution = match report["marking"]["distribution"]["level"].as_str() {
            Some("organisation") => 0,
            Some("all_partners") => 1,
            _ => 4,
        };
        assert_eq!(item["distribution"], expected_distribution, "{item}");
        assert_eq!(item["analysis"], 2);

        // The report's text, and its address, as attributes.
        let attributes = item["attributes"].as_array().expect("attributes");
        assert_eq!(attributes[0]["type"], "text");
        assert_eq!(attributes[0]["category"], "External analysis");
        assert_eq!(attributes[0]["value"], report["text"]);
        if let Some(url) = report["url"].as_str() {
            assert!(attributes.iter().any(|a| a["type"] == "link" && a["value"] == url), "{attributes:?}");
        }
        if let Some(title) = report["title"].as_str() {
            assert_eq!(item["info"].as_str(), Some(title.split_whitespace().collect::<Vec<_>>().join(" ").as_str()));
        }

        // Every event of the report as its object, carrying its own JSON.
        let objects = item["objects"].as_array().expect("objects");
        let object_ids: BTreeSet<&str> = objects
            .iter()
            .filter(|o| o["name"] == "beltwatch-event")
            .inspect(|o| assert_eq!(o["uuid"], o["event_json_id"], "{o}"))
            .filter_map(|o| o["uuid"].as_str())
            .collect();
        let event_ids: BTreeSet<&str> = events.iter().filter_map(|e| e["id"].as_str()).collect();
        assert_eq!(object_ids, event_ids, "the events of {uuid}");
        assert_eq!(objects.iter().filter(|o| o["name"] == "beltwatch-document").count(), 1);

        // Categories as tags, and the threat level from the most severe one.
        let categories: BTreeSet<&str> = events.iter().filter_map(|e| e["category"].as_str()).collect();
        for category in &categories {
            let tag = format!("beltwatch:category=\"{category}\"");
            assert!(tags.contains(tag.as_str()), "{tag} in {tags:?}");
        }
        let level = if categories.contains("terrorism") {
            1
        } else if ["weapons_trafficking", "drug_trafficking", "border_incident"].iter().any(|c| categories.contains(c))
        {
            2
        } else if categories.contains("illegal_migration") {
            3
        } else {
            4
        };
        assert_eq!(item["threat_level_id"], level, "{categories:?}");
        clusters.extend(item["galaxy_clusters"].as_array().expect("clusters").iter().filter_map(Value::as_str));
    }
    assert!(!clusters.is_empty(), "the armed groups the samples name are threat actor clusters");

    // The same file read back by beltwatch, into another instance: every report and event.
    let other = Beltwatch::new();
    other.trust_organisations_of(&bw);
    let run = other.run(&["import", &out, "--format", "json"]);
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    let imported = &run.json_lines()[0]["imported"];
    assert_eq!(imported["new_documents"].as_u64(), Some(by_report.len() as u64), "{imported}");
    assert_eq!(imported["events"].as_u64(), Some(events.len() as u64), "{imported}");
    assert_eq!(imported["skipped"], serde_json::json!({}), "{imported}");
    // And into the instance that wrote it: nothing new.
    let run = bw.run(&["import", &out, "--format", "json"]);
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    let again = &run.json_lines()[0]["imported"];
    assert_eq!(again["new_documents"], 0, "{again}");
    assert_eq!(again["duplicate_documents"].as_u64(), Some(by_report.len() as u64), "{again}");
}
