//! Reading back: `documents`, `show`, `search`, `sources`, and the demo.

mod common;

use common::{Beltwatch, samples};

fn with_samples() -> Beltwatch {
    let bw = Beltwatch::new();
    let run = bw.run(&["ingest", &samples().display().to_string()]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    bw
}

#[test]
fn documents_page_with_a_cursor() {
    let bw = with_samples();
    let total = bw.document_count();
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let mut args = vec!["documents", "--format", "json", "--limit", "7"];
        if let Some(cursor) = &after {
            args.extend(["--after", cursor]);
        }
        let page = bw.run(&args).json();
        for item in page["items"].as_array().expect("items") {
            seen.push(item["id"].as_str().expect("id").to_owned());
        }
        match page["next"].as_str() {
            Some(next) => after = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen.len() as u64, total);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len() as u64, total, "no document twice across pages");
}

#[test]
fn search_finds_russian_inflections_and_filters() {
    let bw = with_samples();
    let hits = bw.run(&["search", "героин", "--format", "json"]).json();
    let hits = hits.as_array().expect("hits");
    assert!(hits.len() >= 2, "{hits:?}");
    assert!(hits.iter().all(|h| h["snippet"].as_str().unwrap_or_default().contains("[героин")), "{hits:?}");
    let english = bw.run(&["search", "heroin", "--language", "en", "--format", "json"]).json();
    assert!(english.as_array().expect("hits").iter().all(|h| h["document"]["language"] == "en"));
    let none = bw.run(&["search", "heroin", "--since", "2030-01-01", "--format", "json"]).json();
    assert_eq!(none.as_array().expect("hits").len(), 0);
    let bad = bw.run(&["search", "OR"]);
    assert_eq!(bad.status, 2);
    assert!(bad.stderr.contains("invalid search"), "{}", bad.stderr);
}

#[test]
fn show_prints_fields_and_text_and_names_unknown_ids() {
    let bw = with_samples();
    let hits = bw.run(&["search", "Farkhor", "--format", "json"]).json();
    let id = hits[0]["document"]["id"].as_str().expect("id").to_owned();
    let shown = bw.run(&["show", &id[..8]]);
    assert_eq!(shown.status, 0, "{}", shown.stderr);
    assert!(shown.stdout.contains(&format!("id           {id}")), "{}", shown.stdout);
    assert!(shown.stdout.contains("TLP:AMBER"), "{}", shown.stdout);
    let missing = bw.run(&["show", "ffffffff"]);
    assert_eq!(missing.status, 2);
    assert!(missing.stderr.contains("no document has the id \"ffffffff\""), "{}", missing.stderr);
}

#[test]
fn html_pages_keep_the_article_only() {
    let bw = with_samples();
    let listed = bw.run(&["documents", "--format", "json", "--limit", "100"]).json();
    let html: Vec<String> = listed["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|d| d["format"] == "html")
        .map(|d| d["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(html.len(), 3);
    for id in html {
        let document = bw.run(&["show", &id, "--format", "json"]).json();
        let text = document["text"].as_str().expect("text");
        assert!(text.len() > 400, "article text kept: {text}");
        assert!(!text.to_lowercase().contains("cookie"), "banner left in {text}");
        assert!(!text.contains("function") && !text.contains("{"), "script or style left in {text}");
        assert!(document["title"].as_str().is_some_and(|t| !t.is_empty()));
        assert!(document["published"].is_object(), "published time read from the page meta");
    }
}

#[test]
fn demo_builds_a_fresh_store_each_time() {
    let bw = Beltwatch::new();
    let samples = samples().display().to_string();
    for _ in 0..2 {
        let run = bw
            .command()
            .env_remove("BELTWATCH_DB")
            .args(["demo", "--no-serve", "--samples", &samples])
            .output()
            .expect("runs");
        let run = common::run_of(run);
        assert_eq!(run.status, 0, "{}", run.stderr);
        assert!(run.stdout.contains("42 new, 3 duplicate, 0 rejected"), "{}", run.stdout);
        assert!(bw.path("beltwatch-demo.sqlite").exists());
    }
    // Another program's database under that name is left alone.
    std::fs::remove_file(bw.path("beltwatch-demo.sqlite")).expect("remove");
    let _ = std::fs::remove_file(bw.path("beltwatch-demo.sqlite-wal"));
    let _ = std::fs::remove_file(bw.path("beltwatch-demo.sqlite-shm"));
    let other = rusqlite::Connection::open(bw.path("beltwatch-demo.sqlite")).expect("create");
    other.execute_batch("CREATE TABLE precious (x);").expect("table");
    drop(other);
    let run = common::run_of(
        bw.command()
            .env_remove("BELTWATCH_DB")
            .args(["demo", "--no-serve", "--samples", &samples])
            .output()
            .expect("runs"),
    );
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("not a beltwatch store"), "{}", run.stderr);
}

#[test]
fn demo_serves_the_dashboard_with_a_token_to_sign_in() {
    use std::io::{BufRead, BufReader};
    let bw = Beltwatch::new();
    let mut child = bw
        .command()
        .env_remove("BELTWATCH_DB")
        .args(["demo", "--listen", "127.0.0.1:0", "--samples", &samples().display().to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("demo starts");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let (mut url, mut token) = (None, None);
    while url.is_none() || token.is_none() {
        let line = lines.next().expect("the demo says where and how to sign in").expect("a line");
        if let Some(u) = line.strip_prefix("The dashboard is at") {
            url = Some(u.trim().to_owned());
        }
        if let Some(t) = line.strip_prefix("Sign in with") {
            token = Some(t.trim().to_owned());
        }
    }
    let (url, token) = (url.expect("url"), token.expect("token"));
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let mut page = agent.get(&url).call().expect("the page");
    let html = page.body_mut().read_to_string().expect("HTML");
    let mut whoami = agent
        .get(&format!("{url}api/v1/whoami"))
        .header("Authorization", &format!("Bearer {token}"))
        .call()
        .expect("whoami");
    let status = whoami.status().as_u16();
    let me: serde_json::Value = serde_json::from_str(&whoami.body_mut().read_to_string().expect("body")).expect("JSON");
    let mut events = agent
        .get(&format!("{url}api/v1/events?limit=5"))
        .header("Authorization", &format!("Bearer {token}"))
        .call()
        .expect("events");
    let listed: serde_json::Value =
        serde_json::from_str(&events.body_mut().read_to_string().expect("body")).expect("JSON");
    let _ = child.kill();
    let _ = child.wait();
    assert!(html.contains("/assets/app.js"), "{html}");
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["user"]["role"], "admin", "{me}");
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(5), "the samples are there: {listed}");
}
