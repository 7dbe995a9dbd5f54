//! Reports dated only to the month or the year: ingested from JSON Lines, stored and shown
//! with that precision by the command line and the API, never used to count "yesterday"
//! from, and carried to another instance by STIX, MISP and TAXII.

mod common;

use std::collections::BTreeMap;

use common::http::{Server, bootstrap, user_with_token};
use common::{Beltwatch, Run};
use serde_json::{Value, json};

const COLLECTION: &str = "9983a18d-c3e5-4fd8-8ea2-86af4d777d13";

/// One report dated to the day, one to the month, one to the year. The first two say
/// "yesterday"; the third gives its date in full and says "on Tuesday".
const REPORTS: &str = concat!(
    r#"{"title": "Couriers detained at Panj", "published": "2022-05-17", "text": "Tajik border guards detained two drug couriers near Panj yesterday and seized 40 kg of heroin."}"#,
    "\n",
    r#"{"title": "Couriers detained at Khorog", "published": "2022-05", "text": "Tajik border guards detained two drug couriers near Khorog yesterday and seized 12 kg of heroin."}"#,
    "\n",
    r#"{"title": "Heroin seized at Termez", "published": "2021", "text": "Uzbek customs officers seized 30 kg of heroin at Termez on 12 March 2021, and on Tuesday border guards detained a courier."}"#,
    "\n",
);

fn ok(run: &Run) {
    assert_eq!(run.status, 0, "stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
}

/// An instance that ingested [`REPORTS`].
fn ingested() -> Beltwatch {
    let bw = Beltwatch::new();
    bw.write("reports.jsonl", REPORTS);
    let run = bw.run(&["ingest", "--format", "json", "reports.jsonl"]);
    ok(&run);
    assert_eq!(run.summary()["stored"], 3, "{}", run.stdout);
    assert_eq!(run.summary()["rejected"], 0, "{}", run.stdout);
    bw
}

/// Each document's title with its `published` object, from a JSON list of documents.
fn published_by_title(items: &Value) -> BTreeMap<String, Value> {
    items
        .as_array()
        .expect("items")
        .iter()
        .map(|d| (d["title"].as_str().expect("a title").to_owned(), d["published"].clone()))
        .collect()
}

fn expected_published() -> BTreeMap<String, Value> {
    BTreeMap::from([
        ("Couriers detained at Panj".to_owned(), json!({ "at": "2022-05-17T00:00:00Z", "precision": "day" })),
        ("Couriers detained at Khorog".to_owned(), json!({ "at": "2022-05-01T00:00:00Z", "precision": "month" })),
        ("Heroin seized at Termez".to_owned(), json!({ "at": "2021-01-01T00:00:00Z", "precision": "year" })),
    ])
}

fn id_of(bw: &Beltwatch, title: &str) -> String {
    let listed = bw.run(&["documents", "--format", "json"]);
    ok(&listed);
    let items = listed.json()["items"].clone();
    let found = items.as_array().expect("items").iter().find(|d| d["title"] == title).expect(title);
    found["id"].as_str().expect("an id").to_owned()
}

#[test]
fn a_day_a_month_and_a_year_are_stored_and_shown_with_their_precision() {
    let bw = ingested();

    // JSON: the instant (the period's first) and the precision.
    let listed = bw.run(&["documents", "--format", "json"]);
    ok(&listed);
    assert_eq!(published_by_title(&listed.json()["items"]), expected_published());

    // The table and `show`: as precisely as known, no more.
    let table = bw.run(&["documents"]);
    ok(&table);
    let column = |title: &str| -> String {
        let line =
            table.stdout.lines().find(|l| l.contains(title)).unwrap_or_else(|| panic!("{title}:\n{}", table.stdout));
        line.split_whitespace().nth(1).expect("a PUBLISHED column").to_owned()
    };
    assert_eq!(column("Couriers detained at Panj"), "2022-05-17");
    assert_eq!(column("Couriers detained at Khorog"), "2022-05");
    assert_eq!(column("Heroin seized at Termez"), "2021");
    for (title, shown) in [("Couriers detained at Khorog", "2022-05"), ("Heroin seized at Termez", "2021")] {
        let show = bw.run(&["show", &id_of(&bw, title)]);
        ok(&show);
        let line = show.stdout.lines().find(|l| l.starts_with("published")).expect("a published line");
        assert_eq!(line.split_whitespace().collect::<Vec<_>>(), ["published", shown], "{}", show.stdout);
    }

    // Extraction counts "yesterday" from a day, never from a month; a date the text gives
    // in full is read whatever the publication's precision.
    let events = bw.run(&["events", "--format", "json", "--limit", "100"]);
    ok(&events);
    let mut when_by_document: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for e in events.json()["items"].as_array().expect("items") {
        let document = e["documents"][0].as_str().expect("a document").to_owned();
        when_by_document.entry(document).or_default().push(e["when"].clone());
    }
    let whens = |title: &str| when_by_document.get(&id_of(&bw, title)).cloned().unwrap_or_default();
    let day = whens("Couriers detained at Panj");
    assert!(!day.is_empty());
    assert!(day.iter().all(|w| *w == json!({ "at": "2022-05-16T00:00:00Z", "precision": "day" })), "{day:?}");
    let month = whens("Couriers detained at Khorog");
    assert!(!month.is_empty(), "the report's events are found");
    assert!(month.iter().all(Value::is_null), "no day is made up from a month: {month:?}");
    let year = whens("Heroin seized at Termez");
    assert!(year.contains(&json!({ "at": "2021-03-12T00:00:00Z", "precision": "day" })), "{year:?}");

    // The API shows the same.
    let token = bootstrap(&bw);
    let server = Server::start(&bw.db());
    let (status, body) = server.get("/api/v1/documents", &token);
    assert_eq!(status, 200, "{body}");
    assert_eq!(published_by_title(&body["items"]), expected_published());
    let id = id_of(&bw, "Couriers detained at Khorog");
    let (status, body) = server.get(&format!("/api/v1/documents/{id}"), &token);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["published"], json!({ "at": "2022-05-01T00:00:00Z", "precision": "month" }));
}

#[test]
fn extract_counts_no_days_from_a_month() {
    let bw = Beltwatch::new();
    let extract = |text: &str, published: &str| -> Value {
        let path = bw.write("report.txt", text);
        let run = bw.run(&["extract", path.to_str().expect("path"), "--published", published, "--format", "json"]);
        ok(&run);
        run.json()
    };
    let yesterday = "Tajik border guards detained two drug couriers near Khorog yesterday.";
    assert_eq!(extract(yesterday, "2022-05-17")["extraction"]["event_date"], "2022-05-16");
    for published in ["2022-05", "2022"] {
        let x = extract(yesterday, published);
        assert_eq!(x["published"], Value::Null, "{published}: no day to count from");
        assert_eq!(x["extraction"]["event_date"], Value::Null, "{published}: {x}");
    }
    let explicit = "Tajik border guards detained two drug couriers near Khorog on 12 May 2022.";
    assert_eq!(extract(explicit, "2022-05")["extraction"]["event_date"], "2022-05-12");
    // Without --published, the report's own month is used, not today.
    let path = bw.write("report.md", format!("---\npublished: 2022-05\n---\n\n{yesterday}\n"));
    let run = bw.run(&["extract", path.to_str().expect("path"), "--format", "json"]);
    ok(&run);
    assert_eq!(run.json()["extraction"]["event_date"], Value::Null, "{}", run.stdout);
}

#[test]
fn partial_dates_cross_to_other_instances_by_stix_misp_and_taxii() {
    let a = ingested();
    for (format, file) in [("stix", "bundle.json"), ("misp", "misp.json")] {
        let out = a.path(file);
        ok(&a.run(&["export", format, "--out", out.to_str().expect("path")]));
        if format == "stix" {
            let bundle: Value = serde_json::from_slice(&std::fs::read(&out).expect("bundle")).expect("JSON");
            let report = bundle["objects"]
                .as_array()
                .expect("objects")
                .iter()
                .find(|o| o["type"] == "report" && o["name"] == "Couriers detained at Khorog")
                .expect("the month's report")
                .clone();
            assert_eq!(report["published"], "2022-05-01T00:00:00.000Z", "STIX wants a full timestamp");
        }
        let b = Beltwatch::new();
        b.trust_organisations_of(&a);
        let run = b.run(&["--format", "json", "import", out.to_str().expect("path")]);
        ok(&run);
        let listed = b.run(&["documents", "--format", "json"]);
        ok(&listed);
        assert_eq!(published_by_title(&listed.json()["items"]), expected_published(), "{format}");
    }

    // A partner posts the same reports over TAXII as its own.
    let bundle: Value = serde_json::from_slice(&std::fs::read(a.path("bundle.json")).expect("bundle")).expect("JSON");
    let owner = {
        let run = a.run(&["--format", "json", "admin", "organisations"]);
        ok(&run);
        run.json()[0]["id"].as_str().expect("the local organisation comes first").to_owned()
    };
    let c = Beltwatch::new();
    let admin = bootstrap(&c);
    c.trust_organisations_of(&a);
    let server = Server::start(&c.db());
    let partner = user_with_token(&server, &admin, "partner", &owner, "analyst");
    let url = format!("{}/taxii2/beltwatch/collections/{COLLECTION}/objects/", server.base);
    let taxii = "application/taxii+json;version=2.1";
    let mut response = server
        .agent
        .post(&url)
        .header("Authorization", &format!("Bearer {partner}"))
        .header("Accept", taxii)
        .header("Content-Type", taxii)
        .send(json!({ "objects": bundle["objects"] }).to_string())
        .expect("the post is answered");
    let text = response.body_mut().read_to_string().expect("a body");
    assert!(response.status().is_success(), "{text}");
    let status: Value = serde_json::from_str(&text).expect("a status");
    assert_eq!(status["failure_count"], 0, "{status}");
    let (code, body) = server.get("/api/v1/documents", &partner);
    assert_eq!(code, 200, "{body}");
    assert_eq!(published_by_title(&body["items"]), expected_published());
}
