//! Sharing through open standards, checked with tools beltwatch did not write: the OASIS
//! STIX validator, the OASIS TAXII client, and the OASIS reference TAXII server
//! (medallion), against the real binary and server.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{Beltwatch, peer_script, peers_python, spawn_server};
use serde_json::Value;

const COLLECTION: &str = "9983a18d-c3e5-4fd8-8ea2-86af4d777d13";

fn ok(run: &common::Run) {
    assert_eq!(run.status, 0, "stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
}

/// Every stored event by id: its TLP, distribution level and owner.
fn markings(b: &Beltwatch) -> BTreeMap<String, (String, String, String)> {
    let run = b.run(&["--format", "json", "events", "--limit", "5000"]);
    ok(&run);
    run.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| {
            let m = &e["marking"];
            let text = |v: &Value| v.as_str().expect("a string").to_owned();
            (text(&e["id"]), (text(&m["tlp"]), text(&m["distribution"]["level"]), text(&m["owner"])))
        })
        .collect()
}

/// An instance holding reports of three markings: green for all partners, amber for its
/// own organisation, red (its own organisation only, whatever the distribution). It has
/// a partner organisation with an analyst; returns the analyst's token.
fn instance_with_partner() -> (Beltwatch, String) {
    let a = Beltwatch::new();
    for (folder, seed, tlp, distribution) in [
        ("green", "11", "green", "all_partners"),
        ("amber", "12", "amber", "organisation"),
        ("red", "13", "red", "all_partners"),
    ] {
        let out = a.path(folder);
        let out = out.to_str().expect("path");
        ok(&a.run(&["generate", "--out", out, "--count", "12", "--seed", seed]));
        ok(&a.run(&["ingest", out, "--tlp", tlp, "--distribution", distribution]));
    }
    ok(&a.run(&["admin", "add-organisation", "Termez Centre"]));
    ok(&a.run(&["admin", "add-user", "termez", "--organisation", "Termez Centre", "--role", "analyst"]));
    let run = a.run(&["admin", "add-token", "termez"]);
    ok(&run);
    let token = run
        .stdout
        .split_whitespace()
        .chain(run.stderr.split_whitespace())
        .find(|w| w.starts_with("bwt_"))
        .expect("a token")
        .to_owned();
    (a, token)
}

#[test]
fn exported_bundles_pass_the_oasis_validator_and_import_to_the_same_events() {
    let a = Beltwatch::new();
    ok(&a.run(&["ingest", common::samples().to_str().expect("path")]));
    let bundle = a.path("bundle.json");
    ok(&a.run(&["export", "stix", "--out", bundle.to_str().expect("path")]));

    let checked = peer_script("stix_validate.py", &[bundle.to_str().expect("path")]);
    ok(&checked);
    let verdict = checked.json();
    assert_eq!(verdict["errors"], serde_json::json!([]), "{verdict}");
    assert_eq!(verdict["valid"], true);
    assert!(verdict["objects"].as_u64().expect("count") > 100, "{verdict}");

    let b = Beltwatch::new();
    // An instance that does not know the bundle's organisation refuses it whole.
    let refused = b.run(&["import", bundle.to_str().expect("path")]);
    assert_eq!(refused.status, 1, "{}", refused.stderr);
    assert!(refused.stderr.contains("add-organisation"), "{}", refused.stderr);
    assert_eq!(markings(&b).len(), 0);
    b.trust_organisations_of(&a);
    let imported = b.run(&["--format", "json", "import", bundle.to_str().expect("path")]);
    ok(&imported);
    let expected = markings(&a);
    assert!(expected.len() > 50);
    let run_a = a.run(&["--format", "json", "events", "--limit", "5000"]);
    let run_b = b.run(&["--format", "json", "events", "--limit", "5000"]);
    assert_eq!(run_a.json(), run_b.json(), "export then import gives the same events");

    // Importing again changes nothing.
    let again = b.run(&["--format", "json", "import", bundle.to_str().expect("path")]);
    ok(&again);
    assert_eq!(again.json_lines()[0]["imported"]["new_documents"], 0);
    assert_eq!(markings(&b), expected);

    // A bundle with one bad incident is refused whole, and the problem is named.
    let mut broken: Value = serde_json::from_slice(&std::fs::read(&bundle).expect("bundle")).expect("JSON");
    let objects = broken["objects"].as_array_mut().expect("objects");
    let index = objects.iter().position(|o| o["type"] == "incident").expect("an incident");
    let extension = objects[index]["extensions"].as_object_mut().expect("extensions");
    let key = extension.keys().find(|k| k.starts_with("extension-definition--a34fa558")).expect("ours").clone();
    extension[&key]["category"] = Value::from("smuggling of nonsense");
    let broken_path = a.write("broken.json", serde_json::to_vec(&broken).expect("JSON"));
    let c = Beltwatch::new();
    c.trust_organisations_of(&a);
    let refused = c.run(&["import", broken_path.to_str().expect("path")]);
    assert_eq!(refused.status, 1, "{}", refused.stderr);
    assert!(
        refused.stderr.contains(&format!("$.objects[{index}].extensions[\"{key}\"].category")),
        "{}",
        refused.stderr
    );
    assert!(refused.stderr.contains("nothing imported"), "{}", refused.stderr);
    assert_eq!(markings(&c).len(), 0, "nothing of a refused bundle is stored");
}

#[test]
fn the_oasis_taxii_client_reads_pages_and_posts() {
    let (a, token) = instance_with_partner();
    let termez = {
        let run = a.run(&["--format", "json", "admin", "organisations"]);
        ok(&run);
        run.json()
            .as_array()
            .expect("organisations")
            .iter()
            .find(|o| o["name"] == "Termez Centre")
            .and_then(|o| o["id"].as_str())
            .expect("Termez")
            .to_owned()
    };
    // An envelope of Termez's own: reports of another instance, made Termez's.
    let t = Beltwatch::new();
    let out = t.path("own");
    ok(&t.run(&["generate", "--out", out.to_str().expect("path"), "--count", "4", "--seed", "21"]));
    ok(&t.run(&["ingest", out.to_str().expect("path"), "--tlp", "green", "--distribution", "all_partners"]));
    let bundle = t.path("t.json");
    ok(&t.run(&["export", "stix", "--out", bundle.to_str().expect("path")]));
    let own = exchange::stix::identity_id(termez.parse().expect("organisation id"));
    let mut objects: Vec<Value> = serde_json::from_slice::<Value>(&std::fs::read(&bundle).expect("bundle"))
        .expect("JSON")["objects"]
        .as_array()
        .expect("objects")
        .iter()
        .filter(|o| !(o["type"] == "identity" && o.get("extensions").is_some()))
        .cloned()
        .collect();
    for object in &mut objects {
        if object.get("created_by_ref").is_some() && object["type"] != "extension-definition" {
            object["created_by_ref"] = Value::from(own.clone());
        }
    }
    let posted = objects.len();
    let envelope =
        t.write("envelope.json", serde_json::to_vec(&serde_json::json!({ "objects": objects })).expect("JSON"));

    let before = markings(&a);
    let (mut server, base) = spawn_server(&a.db(), &[]);
    let run = peer_script("taxii_client.py", &[&base, &token, envelope.to_str().expect("path")]);
    let _ = server.kill();
    let _ = server.wait();
    ok(&run);
    let seen = run.json();
    assert_eq!(seen["collection"]["id"], COLLECTION);
    assert_eq!(seen["collection"]["can_write"], true);
    assert_eq!(seen["root_versions"], serde_json::json!(["application/taxii+json;version=2.1"]));
    assert!(seen["pages"].as_u64().expect("pages") > 1, "the client paged: {}", seen["pages"]);

    // Termez reads every green event for all partners, and nothing else.
    let read: BTreeSet<String> = seen["ids"]
        .as_array()
        .expect("ids")
        .iter()
        .filter_map(Value::as_str)
        .filter_map(|id| id.strip_prefix("incident--"))
        .map(str::to_owned)
        .collect();
    let visible: BTreeSet<String> =
        before.iter().filter(|(_, (tlp, _, _))| tlp == "green").map(|(id, _)| id.clone()).collect();
    assert!(!visible.is_empty());
    assert_eq!(read, visible, "the collection holds what Termez may see");

    let status = &seen["status"];
    assert_eq!(status["status"], "complete");
    assert_eq!(status["total_count"], posted);
    assert_eq!(status["failure_count"], 0, "{status}");
    let after = markings(&a);
    let added: Vec<_> = after.iter().filter(|(id, _)| !before.contains_key(*id)).collect();
    assert!(!added.is_empty(), "the posted events are stored");
    assert!(added.iter().all(|(_, (_, _, owner))| *owner == termez), "posted events are Termez's");
}

#[test]
fn two_instances_sync_and_restricted_events_never_cross() {
    let (a, token) = instance_with_partner();
    let (mut server, base) = spawn_server(&a.db(), &[]);
    let b = Beltwatch::new();
    b.trust_organisations_of(&a);
    let url = format!("{base}/taxii2/beltwatch/collections/{COLLECTION}/");
    ok(&b.run(&["sync", "add", "alpha", &url, "--token", &token]));
    let first = b.run(&["--format", "json", "sync", "run"]);
    let second = b.run(&["--format", "json", "sync", "run", "alpha"]);
    let _ = server.kill();
    let _ = server.wait();
    ok(&first);
    ok(&second);

    let source = markings(&a);
    let got = markings(&b);
    let shareable: BTreeMap<_, _> =
        source.iter().filter(|(_, (tlp, _, _))| tlp == "green").map(|(k, v)| (k.clone(), v.clone())).collect();
    assert!(!got.is_empty());
    assert_eq!(got, shareable, "markings and creators survive; amber and red events stay home");
    let owners: BTreeSet<_> = source.values().map(|(_, _, o)| o.clone()).collect();
    assert_eq!(owners.len(), 1, "the instance's own events");
    assert!(got.values().all(|(_, _, o)| owners.contains(o)));
    assert_eq!(second.json_lines()[0]["imported"]["new_documents"], 0, "pulling again changes nothing");
    let listed = b.run(&["--format", "json", "sync", "list"]);
    ok(&listed);
    assert!(listed.json()[0]["added_after"].is_string(), "the cursor is kept: {}", listed.stdout);
}

#[test]
fn an_instance_syncs_from_the_reference_taxii_server() {
    let (a, _) = instance_with_partner();
    let bundle = a.path("for-termez.json");
    ok(&a.run(&["export", "stix", "--for", "Termez Centre", "--out", bundle.to_str().expect("path")]));
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        listener.local_addr().expect("address").port()
    };
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/medallion_serve.py");
    let mut medallion = std::process::Command::new(peers_python())
        .arg(script)
        .args([bundle.to_str().expect("path"), &port.to_string(), "peer", "s3cret", COLLECTION])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("medallion starts");
    let discovery = format!("http://127.0.0.1:{port}/taxii2/");
    let started = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed().as_secs() < 30, "medallion did not start at {discovery}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let c = Beltwatch::new();
    c.trust_organisations_of(&a);
    let url = format!("http://127.0.0.1:{port}/api1/collections/{COLLECTION}/");
    ok(&c.run(&["sync", "add", "reference", &url, "--basic", "peer:s3cret"]));
    let pulled = c.run(&["--format", "json", "sync", "run"]);
    let _ = medallion.kill();
    let _ = medallion.wait();
    ok(&pulled);
    let summary = &pulled.json_lines()[0];
    assert!(summary["pages"].as_u64().expect("pages") >= 1, "{summary}");
    let source = markings(&a);
    let got = markings(&c);
    let shareable: BTreeMap<_, _> =
        source.iter().filter(|(_, (tlp, _, _))| tlp == "green").map(|(k, v)| (k.clone(), v.clone())).collect();
    assert!(!got.is_empty());
    assert_eq!(got, shareable, "what medallion held arrives with its markings and creators");
}

#[test]
fn a_peer_with_a_schedule_is_pulled_while_serving() {
    let (a, token) = instance_with_partner();
    let (mut source, base) = spawn_server(&a.db(), &[]);
    let b = Beltwatch::new();
    b.trust_organisations_of(&a);
    let url = format!("{base}/taxii2/beltwatch/collections/{COLLECTION}/");
    ok(&b.run(&["sync", "add", "alpha", &url, "--token", &token, "--every", "1"]));
    let (mut puller, _) = spawn_server(&b.db(), &[]);
    let started = std::time::Instant::now();
    let pulled = loop {
        let listed = b.run(&["--format", "json", "sync", "list"]);
        ok(&listed);
        if listed.json()[0]["last_objects"].as_u64().unwrap_or(0) > 0 {
            break true;
        }
        if started.elapsed().as_secs() > 30 {
            break false;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    for child in [&mut source, &mut puller] {
        let _ = child.kill();
        let _ = child.wait();
    }
    assert!(pulled, "the server pulled from its peer");
    let shareable: BTreeMap<_, _> = markings(&a).into_iter().filter(|(_, (tlp, _, _))| tlp == "green").collect();
    assert_eq!(markings(&b), shareable);
}

/// A TAXII request: status, headers and JSON body.
fn taxii(method: &str, url: &str, token: &str, accept: &str, body: Option<(&str, &Value)>) -> (u16, String, Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let response = match (method, body) {
        ("POST", Some((content_type, body))) => agent
            .post(url)
            .header("Authorization", &format!("Bearer {token}"))
            .header("Accept", accept)
            .header("Content-Type", content_type)
            .send(serde_json::to_vec(body).expect("JSON")),
        _ => agent.get(url).header("Authorization", &format!("Bearer {token}")).header("Accept", accept).call(),
    };
    let mut response = response.expect("the server answers");
    let status = response.status().as_u16();
    let content_type =
        response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let text = response.body_mut().read_to_string().expect("a body");
    (status, content_type, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[test]
fn taxii_answers_media_types_filters_and_per_object_failures_as_the_specification_says() {
    let (a, token) = instance_with_partner();
    let (mut server, base) = spawn_server(&a.db(), &[]);
    let taxii_type = "application/taxii+json;version=2.1";
    let objects_url = format!("{base}/taxii2/beltwatch/collections/{COLLECTION}/objects/");

    let (status, content_type, _) = taxii("GET", &objects_url, &token, "text/html", None);
    assert_eq!((status, content_type.as_str()), (406, taxii_type));
    let (status, _, _) = taxii("GET", &format!("{objects_url}?limit=zero"), &token, taxii_type, None);
    assert_eq!(status, 400);
    let (status, _, _) = taxii("GET", &format!("{base}/taxii2/elsewhere/collections/"), &token, taxii_type, None);
    assert_eq!(status, 404);
    let (status, _, _) = taxii("GET", &objects_url, "bwt_wrong", taxii_type, None);
    assert_eq!(status, 401);

    let (status, content_type, page) =
        taxii("GET", &format!("{objects_url}?match[type]=incident&limit=5"), &token, taxii_type, None);
    assert_eq!((status, content_type.as_str()), (200, taxii_type));
    let incidents = page["objects"].as_array().expect("objects");
    assert_eq!(incidents.len(), 5);
    assert!(incidents.iter().all(|o| o["type"] == "incident"));
    assert_eq!(page["more"], true);
    let id = incidents[0]["id"].as_str().expect("id");
    let (status, _, versions) = taxii("GET", &format!("{objects_url}{id}/versions/"), &token, taxii_type, None);
    assert_eq!(status, 200);
    assert_eq!(versions["versions"][0], incidents[0]["modified"]);
    let (_, _, later) = taxii(
        "GET",
        &format!("{objects_url}?match[type]=incident&limit=5&next={}", page["next"].as_str().expect("next")),
        &token,
        taxii_type,
        None,
    );
    let first: BTreeSet<String> = incidents.iter().map(|o| o["id"].to_string()).collect();
    let next_page = later["objects"].as_array().expect("objects");
    assert!(!next_page.is_empty());
    assert!(next_page.iter().all(|o| !first.contains(&o["id"].to_string())));

    // An envelope with one good object and one bad: each gets its verdict.
    let good = serde_json::json!({
        "type": "identity", "spec_version": "2.1", "id": "identity--0b7a3a9e-1d6c-4d4b-9c51-3f3d3d5f1a2b",
        "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z", "name": "Kulob desk",
    });
    let bad = serde_json::json!({ "type": "incident", "id": "incident--not-a-uuid" });
    let envelope = serde_json::json!({ "objects": [good, bad] });
    let (status, _, _) = taxii("POST", &objects_url, &token, taxii_type, Some(("application/json", &envelope)));
    assert_eq!(status, 415);

    // One collection per organisation beside the whole one; only its own analysts add to it.
    let (status, _, listed) = taxii("GET", &format!("{base}/taxii2/beltwatch/collections/"), &token, taxii_type, None);
    assert_eq!(status, 200);
    let collections = listed["collections"].as_array().expect("collections");
    assert_eq!(collections.len(), 3, "the whole collection and one per organisation: {listed}");
    let own = collections.iter().find(|c| c["title"] == "Events of Termez Centre").expect("Termez's collection");
    let other = collections.iter().find(|c| c["title"] == "Events of Local organisation").expect("the local one");
    assert_eq!((own["can_write"].as_bool(), other["can_write"].as_bool()), (Some(true), Some(false)));
    let other_url = format!("{base}/taxii2/beltwatch/collections/{}/objects/", other["id"].as_str().expect("id"));
    let (status, _, _) = taxii("POST", &other_url, &token, taxii_type, Some((taxii_type, &envelope)));
    assert_eq!(status, 403, "a partner may not add to another organisation's collection");
    let (_, _, theirs) =
        taxii("GET", &format!("{other_url}?match[type]=incident&limit=1000"), &token, taxii_type, None);
    let green: BTreeSet<String> = markings(&a)
        .into_iter()
        .filter(|(_, (tlp, _, _))| tlp == "green")
        .map(|(id, _)| format!("incident--{id}"))
        .collect();
    let read: BTreeSet<String> = theirs["objects"]
        .as_array()
        .expect("objects")
        .iter()
        .filter_map(|o| o["id"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(read, green, "the local organisation's collection, as Termez may see it");
    let own_url = format!("{base}/taxii2/beltwatch/collections/{}/objects/", own["id"].as_str().expect("id"));
    let (_, _, empty) = taxii("GET", &own_url, &token, taxii_type, None);
    assert_eq!(empty["objects"].as_array().map(Vec::len), Some(0), "Termez owns nothing yet: {empty}");
    let (status, content_type, verdict) =
        taxii("POST", &objects_url, &token, taxii_type, Some((taxii_type, &envelope)));
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!((status, content_type.as_str()), (202, taxii_type), "{verdict}");
    assert_eq!(verdict["total_count"], 2);
    assert_eq!(verdict["success_count"], 1);
    assert_eq!(verdict["failure_count"], 1);
    let failure = &verdict["failures"][0];
    assert_eq!(failure["id"], "incident--not-a-uuid");
    assert!(failure["message"].as_str().expect("message").contains("$.objects[1].id"), "{failure}");
}
