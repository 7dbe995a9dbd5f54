//! A partner probing the write paths as a hostile one would, against the real binary and
//! server: uploads that name a sharing group it is not in, a token revoked while its alert
//! stream is open, corroboration and splits over records it may not see or change, posts
//! that ask whether a hidden record exists, and webhooks aimed at the instance's own
//! network. Each write must act only on what the caller may see and own, and a hidden
//! record must look like an absent one.

mod common;
#[path = "../../store/tests/support/pg.rs"]
mod pg;

use std::collections::BTreeSet;
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::Beltwatch;
use common::http::{Server, bootstrap, user_with_token};
use serde_json::{Value, json};

const COLLECTION: &str = "9983a18d-c3e5-4fd8-8ea2-86af4d777d13";
const TAXII: &str = "application/taxii+json;version=2.1";

fn ok(run: &common::Run) {
    assert_eq!(run.status, 0, "stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
}

fn wait_for(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// STIX objects of `count` generated reports, as a partner would post them: every record
/// created by `owner` (an organisation id) with `distribution` (beltwatch's JSON form) when
/// given, and no identities of the instance that wrote them.
fn objects_of(seed: &str, count: &str, owner: &str, distribution: Option<Value>) -> Vec<Value> {
    let scratch = Beltwatch::new();
    let out = scratch.path("reports");
    ok(&scratch.run(&["generate", "--out", out.to_str().expect("path"), "--count", count, "--seed", seed]));
    ok(&scratch.run(&["ingest", out.to_str().expect("path"), "--tlp", "green", "--distribution", "all_partners"]));
    let bundle = scratch.path("bundle.json");
    ok(&scratch.run(&["export", "stix", "--out", bundle.to_str().expect("path")]));
    let identity = exchange::stix::identity_id(owner.parse().expect("organisation id"));
    let bundle: Value = serde_json::from_slice(&std::fs::read(&bundle).expect("bundle")).expect("JSON");
    let all = bundle["objects"].as_array().expect("objects");
    let mut objects: Vec<Value> =
        all.iter().filter(|o| !(o["type"] == "identity" && o.get("extensions").is_some())).cloned().collect();
    // The owner's identity, as its own instance writes it.
    let mut own = all.iter().find(|o| o["type"] == "identity" && o.get("extensions").is_some()).expect("").clone();
    own["id"] = Value::from(identity.clone());
    own["name"] = Value::from(format!("Organisation {owner}"));
    for fields in own["extensions"].as_object_mut().expect("extensions").values_mut() {
        fields["organisation"] = Value::from(owner);
    }
    objects.insert(0, own);
    for object in &mut objects {
        if object.get("created_by_ref").is_some()
            && !matches!(object["type"].as_str(), Some("extension-definition" | "identity"))
        {
            object["created_by_ref"] = Value::from(identity.clone());
        }
        if let (Some(distribution), Some(extensions)) =
            (&distribution, object.get_mut("extensions").and_then(Value::as_object_mut))
        {
            for (key, fields) in extensions.iter_mut() {
                if key.starts_with("extension-definition--a34fa558") && fields.get("distribution").is_some() {
                    fields["distribution"] = distribution.clone();
                }
            }
        }
    }
    objects
}

/// Posts an envelope to the whole collection; returns the HTTP status and the body.
fn post(server: &Server, token: &str, objects: &[Value]) -> (u16, Value) {
    let url = format!("{}/taxii2/beltwatch/collections/{COLLECTION}/objects/", server.base);
    let mut response = server
        .agent
        .post(&url)
        .header("Authorization", &format!("Bearer {token}"))
        .header("Accept", TAXII)
        .header("Content-Type", TAXII)
        .send(json!({ "objects": objects }).to_string())
        .expect("the post is answered");
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().expect("a body");
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// The ids of the events and documents a token reads.
fn readable(server: &Server, token: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let ids = |path: &str| -> BTreeSet<String> {
        let (status, body) = server.get(path, token);
        assert_eq!(status, 200, "{path}: {body}");
        assert!(body["next"].is_null(), "one page holds them all: {path}");
        body["items"].as_array().expect("items").iter().filter_map(|e| e["id"].as_str().map(str::to_owned)).collect()
    };
    (ids("/api/v1/events?limit=500"), ids("/api/v1/documents?limit=500"))
}

/// Each sharing group's id with its members, as the admin reads them.
fn memberships(server: &Server, admin: &str) -> Vec<(String, BTreeSet<String>)> {
    let (status, body) = server.get("/api/v1/sharing-groups", admin);
    assert_eq!(status, 200, "{body}");
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|g| {
            let members = g["members"].as_array().expect("members").iter().filter_map(Value::as_str);
            (g["id"].as_str().expect("id").to_owned(), members.map(str::to_owned).collect())
        })
        .collect()
}

fn create(server: &Server, admin: &str, path: &str, body: Value) -> String {
    let (status, created) = server.call("post", path, Some(admin), Some(body));
    assert_eq!(status, 201, "{path}: {created}");
    created["id"].as_str().expect("id").to_owned()
}

/// The reports, incidents and notes a TAXII status counts as stored.
fn stored_records(status: &Value) -> Vec<String> {
    status["successes"]
        .as_array()
        .expect("successes")
        .iter()
        .filter_map(|s| s["id"].as_str())
        .filter(|id| ["report--", "incident--", "note--"].iter().any(|k| id.starts_with(k)))
        .map(str::to_owned)
        .collect()
}

fn local_organisation(bw: &Beltwatch) -> String {
    let run = bw.run(&["--format", "json", "admin", "organisations"]);
    ok(&run);
    run.json()[0]["id"].as_str().expect("the local organisation comes first").to_owned()
}

#[test]
fn an_upload_naming_a_sharing_group_never_joins_it() {
    let bw = Beltwatch::new();
    let admin = bootstrap(&bw);
    let local = local_organisation(&bw);
    let server = Server::start(&bw.db());
    let qarshi = create(&server, &admin, "/api/v1/organisations", json!({ "name": "Qarshi Centre" }));
    let pamir = create(&server, &admin, "/api/v1/organisations", json!({ "name": "Pamir Watch" }));
    let group =
        create(&server, &admin, "/api/v1/sharing-groups", json!({ "name": "Border pair", "members": [local, qarshi] }));
    let q = user_with_token(&server, &admin, "qodir", &qarshi, "analyst");
    let p = user_with_token(&server, &admin, "parvina", &pamir, "analyst");

    // Qarshi shares its own reports with the group: the legitimate path works.
    let to_group = json!({ "level": "sharing_group", "group": group, "group_name": "Border pair", "members": [] });
    let shared = objects_of("41", "4", &qarshi, Some(to_group));
    let (status, answer) = post(&server, &q, &shared);
    assert_eq!(status, 202, "{answer}");
    assert_eq!(answer["failure_count"], 0, "{answer}");
    let groups_before = memberships(&server, &admin);
    let before = readable(&server, &p);
    assert!(readable(&server, &q).0.len() > before.0.len(), "Qarshi reads what it shared with its group");

    // Pamir's own reports, marked for the group with Pamir among the members.
    let join = json!({ "level": "sharing_group", "group": group, "group_name": "Border pair", "members": [pamir] });
    let attack = objects_of("42", "3", &pamir, Some(join.clone()));
    let (status, answer) = post(&server, &p, &attack);
    assert_eq!(status, 202, "{answer}");
    assert_eq!(stored_records(&answer), Vec::<String>::new(), "nothing of the envelope is stored: {answer}");
    assert!(answer.to_string().contains("not one of its owner's sharing groups"), "{answer}");
    // The same with every record refused for another reason: still nobody joins.
    let refused = objects_of("43", "2", &qarshi, Some(join));
    let (status, answer) = post(&server, &p, &refused);
    assert_eq!(status, 202, "{answer}");
    assert_eq!(stored_records(&answer), Vec::<String>::new(), "{answer}");

    assert_eq!(memberships(&server, &admin), groups_before, "no membership changed");
    assert_eq!(readable(&server, &p), before, "Pamir reads what it read before, and no more");
    // Pamir's own records for all partners still go in.
    let own = objects_of("44", "2", &pamir, Some(json!({ "level": "all_partners" })));
    let (status, answer) = post(&server, &p, &own);
    assert_eq!(status, 202, "{answer}");
    assert_eq!(answer["failure_count"], 0, "{answer}");
    assert!(readable(&server, &p).0.len() > before.0.len());
}

/// `beltwatch import` of a bundle whose records name a sharing group with the importing
/// partner among its members, on the store `location`.
fn import_never_joins(bw: &Beltwatch, location: &str) {
    let run = |args: &[&str]| {
        common::run_of(bw.command().env("BELTWATCH_DB", location).args(args).output().expect("beltwatch runs"))
    };
    let organisations = |run: &common::Run| -> Vec<Value> { run.json().as_array().expect("a list").clone() };
    let listed = run(&["--format", "json", "admin", "organisations"]);
    ok(&listed);
    let local = organisations(&listed)[0]["id"].as_str().expect("id").to_owned();
    let added = run(&["--format", "json", "admin", "add-organisation", "Qarshi Centre"]);
    ok(&added);
    let qarshi = added.json()["id"].as_str().expect("id").to_owned();
    let added = run(&["--format", "json", "admin", "add-organisation", "Pamir Watch"]);
    ok(&added);
    let pamir = added.json()["id"].as_str().expect("id").to_owned();
    let added =
        run(&["--format", "json", "admin", "add-group", "Border pair", "--member", &local, "--member", &qarshi]);
    ok(&added);
    let group = added.json()["id"].as_str().expect("id").to_owned();
    let groups = || {
        let listed = run(&["--format", "json", "admin", "groups"]);
        ok(&listed);
        listed.json()
    };
    let before = groups();

    let bundle = |objects: Vec<Value>, name: &str| {
        let bundle =
            json!({ "type": "bundle", "id": "bundle--1e5c6d2a-57f7-4c1e-9c55-8d1d1a0c2b3f", "objects": objects });
        bw.write(name, serde_json::to_vec(&bundle).expect("JSON")).display().to_string()
    };
    let join = json!({ "level": "sharing_group", "group": group, "group_name": "Border pair", "members": [pamir] });
    let joining = bundle(objects_of("45", "3", &pamir, Some(join)), "join.json");
    let refused = run(&["import", &joining]);
    assert_eq!(refused.status, 1, "{}", refused.stderr);
    assert!(refused.stderr.contains("not one of its owner's sharing groups"), "{}", refused.stderr);
    let unknown = json!({
        "level": "sharing_group", "group": "0193a5a0-0000-7000-8000-00000000beef", "members": [pamir, local],
    });
    let naming_unknown = bundle(objects_of("46", "2", &pamir, Some(unknown)), "unknown.json");
    let refused = run(&["import", &naming_unknown]);
    assert_eq!(refused.status, 1, "{}", refused.stderr);
    assert_eq!(groups(), before, "no group was added or changed");
    let events = run(&["--format", "json", "events"]);
    ok(&events);
    assert_eq!(events.json()["items"], json!([]), "nothing of a refused bundle is stored");

    // An organisation this instance does not know is refused, not added.
    let stranger = "0193a5a0-0000-7000-8000-0000000000aa";
    let strangers = bundle(objects_of("47", "2", stranger, Some(json!({ "level": "all_partners" }))), "stranger.json");
    let refused = run(&["import", &strangers]);
    assert_eq!(refused.status, 1, "{}", refused.stderr);
    assert!(refused.stderr.contains("add-organisation"), "{}", refused.stderr);
    let listed = run(&["--format", "json", "admin", "organisations"]);
    assert_eq!(organisations(&listed).len(), 3, "no organisation was added: {}", listed.stdout);
    // Pamir's records for all partners import.
    let fine = bundle(objects_of("48", "2", &pamir, Some(json!({ "level": "all_partners" }))), "fine.json");
    ok(&run(&["import", &fine]));
}

#[test]
fn an_import_naming_a_sharing_group_never_joins_it_on_sqlite() {
    let bw = Beltwatch::new();
    import_never_joins(&bw, &bw.db().display().to_string());
}

#[test]
fn an_import_naming_a_sharing_group_never_joins_it_on_postgres() {
    let Some(schema) = pg::Schema::new() else { return };
    import_never_joins(&Beltwatch::new(), &schema.location());
}

fn alerts_on(lines: &Mutex<Vec<String>>) -> usize {
    lines.lock().expect("lines").iter().filter(|l| l.starts_with("event: alert")).count()
}

#[test]
fn a_revoked_token_loses_its_alert_stream() {
    let bw = Beltwatch::new();
    let admin = bootstrap(&bw);
    ok(&bw.run(&["alerts", "add-rule", "Seizures", "--category", "drug_trafficking"]));
    let kept = {
        let run = bw.run(&["--format", "json", "admin", "add-token", "amina"]);
        ok(&run);
        run.json()["secret"].as_str().expect("secret").to_owned()
    };
    let server = Server::start(&bw.db());
    let port: u16 = server.base.rsplit(':').next().and_then(|p| p.parse().ok()).expect("port");
    let (revoked_lines, _, revoked_reader) = common::http::alert_stream(port, &admin, None);
    let (kept_lines, _, _) = common::http::alert_stream(port, &kept, None);
    wait_for("both streams to open", Duration::from_secs(10), || {
        [&revoked_lines, &kept_lines].iter().all(|l| l.lock().expect("lines").iter().any(|x| x.contains("200 OK")))
    });

    // Revoked from the command line: the server hears of it through the store.
    let tokens = bw.run(&["--format", "json", "admin", "tokens"]);
    ok(&tokens);
    // Token ids are ordered by time: the bootstrap's comes first.
    let id = tokens
        .json()
        .as_array()
        .expect("tokens")
        .iter()
        .filter_map(|t| t["id"].as_str().map(str::to_owned))
        .min()
        .expect("a token");
    ok(&bw.run(&["admin", "revoke-token", &id]));
    wait_for("the revoked token's stream to end", Duration::from_secs(5), || revoked_reader.is_finished());

    let out = bw.path("reports");
    ok(&bw.run(&["generate", "--out", out.to_str().expect("path"), "--count", "30", "--seed", "7"]));
    ok(&bw.run(&["ingest", out.to_str().expect("path")]));
    wait_for("an alert on the stream that stays", Duration::from_secs(30), || alerts_on(&kept_lines) > 0);
    assert_eq!(alerts_on(&revoked_lines), 0, "nothing reached the revoked token");
    drop(server);
}

#[test]
fn corroboration_and_splits_touch_only_what_the_caller_may_see_and_own() {
    use common::records::{ensure_outlets, report};
    use model::{Category, Distribution, Marking, Tlp};
    use store::{EventFilter, Page, Store};

    let bw = Beltwatch::new();
    let admin = bootstrap(&bw);
    let on = chrono::NaiveDate::from_ymd_opt(2026, 11, 10).expect("date");
    let (local, qarshi, pamir, events) = {
        let store = Store::open_sqlite(&bw.db()).expect("store");
        let local = store.local_organisation().expect("local").id;
        let qarshi = store.create_organisation("Qarshi Centre").expect("organisation").id;
        let pamir = store.create_organisation("Pamir Watch").expect("organisation").id;
        ensure_outlets(&store);
        // Three reports of one seizure: the local organisation's, hidden from partners;
        // Qarshi's, for all partners; Pamir's own, stored last.
        let markings = [
            Marking { owner: local, tlp: Tlp::Amber, distribution: Distribution::Organisation },
            Marking { owner: qarshi, tlp: Tlp::Green, distribution: Distribution::AllPartners },
            Marking { owner: pamir, tlp: Tlp::Amber, distribution: Distribution::Organisation },
        ];
        let mut events = Vec::new();
        for (n, marking) in markings.into_iter().enumerate() {
            let document = report(900 + n, marking, on, [68.52, 37.21], Category::DrugTrafficking);
            events.push(document.facts.as_ref().expect("facts").events[0].id);
            store.insert_documents(&[document]).expect("stored");
        }
        (local, qarshi, pamir, events)
    };
    let server = Server::start(&bw.db());
    let p = user_with_token(&server, &admin, "parvina", &pamir.to_string(), "analyst");
    let q = user_with_token(&server, &admin, "qodir", &qarshi.to_string(), "analyst");
    let stored = || {
        let store = Store::open_sqlite(&bw.db()).expect("store");
        let all = store.events(&EventFilter::default(), &Page { limit: 100, after: None }).expect("events").items;
        (store.links().expect("links"), all)
    };

    // Pamir corroborates: only its own event is linked or assessed, and the answer counts
    // the one incident it sees (its event and Qarshi's).
    let (status, answer) = server.call("post", "/api/v1/corroborate", Some(&p), None);
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["incidents"], 1, "{answer}");
    let (links, all) = stored();
    assert!(links.iter().all(|l| l.event == events[2]), "only Pamir's event is linked: {links:?}");
    let untouched = |all: &[model::Event]| {
        all.iter()
            .filter(|e| e.marking.owner != pamir)
            .all(|e| e.sector.is_none() && e.credibility == model::Credibility::CannotBeJudged)
    };
    assert!(untouched(&all), "nobody else's event was assessed: {all:?}");
    // Qarshi sees its own event alone.
    let (status, answer) = server.call("post", "/api/v1/corroborate", Some(&q), None);
    assert_eq!(status, 200, "{answer}");
    assert_eq!((answer["incidents"].as_u64(), answer["links"].as_u64()), (Some(1), Some(0)), "{answer}");

    // The operator merges all three; then Pamir splits the incident.
    ok(&bw.run(&["corroborate"]));
    let (links, _) = stored();
    let active: Vec<_> = links.iter().filter(|l| l.unlinked_at.is_none()).collect();
    let head = active.first().expect("a merge").incident;
    assert!(active.iter().all(|l| l.incident == head), "one incident: {active:?}");
    assert_ne!(head, events[0], "a report the partners see stands for the incident");
    assert!(active.iter().any(|l| l.event == events[0]), "the hidden report is merged: {active:?}");
    // What each partner sees (Qarshi: its own; Pamir: its own and Qarshi's) and owns.
    let sees = |org: model::OrganisationId, e: model::EventId| e == events[1] || (org == pamir && e == events[2]);
    let owner = |e: model::EventId| [local, qarshi, pamir][events.iter().position(|x| *x == e).expect("ours")];
    let split = |token: &str| server.call("post", &format!("/api/v1/incidents/{head}/split"), Some(token), None);
    // Qarshi sees none of the merged reports but the incident's own: nothing it may undo.
    let (status, answer) = split(&q);
    assert_eq!(status, if sees(qarshi, head) { 409 } else { 404 }, "{answer}");
    let may_undo: Vec<_> = active
        .iter()
        .filter(|l| sees(pamir, l.event) && (owner(l.event) == pamir || owner(head) == pamir))
        .map(|l| l.event)
        .collect();
    let (status, answer) = split(&p);
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["undone"], may_undo.len(), "only links Pamir sees and owns a side of: {answer}");
    let (links, _) = stored();
    let still: BTreeSet<_> = links.iter().filter(|l| l.unlinked_at.is_none()).map(|l| l.event).collect();
    let expected: BTreeSet<_> = active.iter().map(|l| l.event).filter(|e| !may_undo.contains(e)).collect();
    assert_eq!(still, expected, "the other merges stand");
    assert!(still.contains(&events[0]), "the hidden report's merge stands");
    // Nothing left that Pamir may undo reads as nothing to undo.
    let (status, _) = split(&p);
    assert_eq!(status, 409);
}

/// A TAXII status's failures, with ids and positions made alike.
fn failure_messages(status: &Value) -> BTreeSet<String> {
    let uuid = |word: &str| word.len() >= 36 && word.chars().filter(|c| *c == '-').count() >= 4;
    status["failures"]
        .as_array()
        .expect("failures")
        .iter()
        .filter_map(|f| f["message"].as_str())
        .map(|m| {
            m.split(' ')
                .map(|w| {
                    if uuid(w) {
                        "ID"
                    } else if w.starts_with("$.objects[") {
                        "AT"
                    } else {
                        w
                    }
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

#[test]
fn a_hidden_record_and_an_absent_one_look_the_same_to_a_post() {
    let bw = Beltwatch::new();
    let admin = bootstrap(&bw);
    // The local organisation's own reports, amber: hidden from every partner.
    let out = bw.path("amber");
    ok(&bw.run(&["generate", "--out", out.to_str().expect("path"), "--count", "3", "--seed", "51"]));
    ok(&bw.run(&["ingest", out.to_str().expect("path"), "--tlp", "amber"]));
    let hidden = bw.run(&["--format", "json", "events"]);
    ok(&hidden);
    let hidden = hidden.json()["items"].clone();
    let server = Server::start(&bw.db());
    let pamir = create(&server, &admin, "/api/v1/organisations", json!({ "name": "Pamir Watch" }));
    let p = user_with_token(&server, &admin, "parvina", &pamir, "analyst");

    // Incidents whose reports are not in the envelope: the same reports the instance holds
    // hidden, and reports it has never seen.
    let incidents_only = |seed: &str| -> Vec<Value> {
        objects_of(seed, "3", &pamir, None)
            .into_iter()
            .filter(|o| !matches!(o["type"].as_str(), Some("report" | "note")))
            .collect()
    };
    let (status, naming_hidden) = post(&server, &p, &incidents_only("51"));
    assert_eq!(status, 202, "{naming_hidden}");
    let (status, naming_absent) = post(&server, &p, &incidents_only("52"));
    assert_eq!(status, 202, "{naming_absent}");
    for answer in [&naming_hidden, &naming_absent] {
        assert_eq!(stored_records(answer), Vec::<String>::new(), "{answer}");
        assert!(answer["failure_count"].as_u64() > Some(0), "{answer}");
    }
    assert_eq!(failure_messages(&naming_hidden), failure_messages(&naming_absent), "hidden reads as absent");

    // An incident reusing a hidden event's id is not stored, and its status says so.
    let taken = hidden[0]["id"].as_str().expect("id").to_owned();
    let objects = objects_of("53", "3", &pamir, None);
    let first = objects.iter().find(|o| o["type"] == "incident").expect("an incident")["id"].as_str().expect("id");
    let reused = first.trim_start_matches("incident--").to_owned();
    let text = serde_json::to_string(&objects).expect("JSON").replace(&reused, &taken);
    let objects: Vec<Value> = serde_json::from_str(&text).expect("JSON");
    let (status, answer) = post(&server, &p, &objects);
    assert_eq!(status, 202, "{answer}");
    let failed: Vec<&Value> = answer["failures"].as_array().expect("failures").iter().collect();
    assert!(
        failed.iter().any(|f| f["id"] == format!("incident--{taken}")
            && f["message"].as_str().is_some_and(|m| m.contains("not stored"))),
        "{answer}"
    );
    assert!(!stored_records(&answer).contains(&format!("incident--{taken}")), "{answer}");
    assert!(stored_records(&answer).iter().any(|id| id.starts_with("report--")), "the rest went in: {answer}");
    let after = bw.run(&["--format", "json", "events", "--limit", "500"]);
    ok(&after);
    let kept = after.json()["items"].as_array().expect("items").iter().find(|e| e["id"] == taken).cloned();
    assert_eq!(kept.as_ref(), Some(&hidden[0]), "the hidden event is as it was");
}

#[test]
fn webhooks_reach_only_public_addresses_unless_the_instance_allows_others() {
    let bw = Beltwatch::new();
    let admin = bootstrap(&bw);
    let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = listener.local_addr().expect("address").port();
    let server = Server::start(&bw.db());
    let pamir = create(&server, &admin, "/api/v1/organisations", json!({ "name": "Pamir Watch" }));
    let p = user_with_token(&server, &admin, "parvina", &pamir, "analyst");
    let rule = |url: &str| {
        json!({
            "name": "Seizures", "condition": { "category": "drug_trafficking" },
            "webhook_url": url, "webhook_secret": "a-secret-of-sixteen-or-more",
        })
    };
    for url in [
        format!("http://127.0.0.1:{port}/hook"),
        "http://localhost/hook".to_owned(),
        "http://10.1.2.3/hook".to_owned(),
        "http://172.20.0.1:8080/".to_owned(),
        "http://192.168.1.1/".to_owned(),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        "http://[::1]:9000/hook".to_owned(),
        "http://[::ffff:127.0.0.1]/hook".to_owned(),
        "http://0.0.0.0:5432/".to_owned(),
    ] {
        let (status, body) = server.call("post", "/api/v1/alert-rules", Some(&p), Some(rule(&url)));
        assert_eq!(status, 422, "{url}: {body}");
        assert!(body.to_string().contains("body.webhook_url"), "{url}: {body}");
    }
    let (status, body) =
        server.call("post", "/api/v1/alert-rules", Some(&p), Some(rule("https://hooks.example.org/x")));
    assert_eq!(status, 201, "{body}");
    drop(server);

    // A rule the operator wrote, pointing at loopback: checked when delivered.
    let url = format!("http://127.0.0.1:{port}/hooks/beltwatch");
    ok(&bw.run(&[
        "alerts",
        "add-rule",
        "Clashes",
        "--category",
        "border_incident",
        "--webhook",
        &url,
        "--secret",
        "the-operator-secret",
    ]));
    let log = Arc::new(Mutex::new(Vec::new()));
    let receiver = common::webhook::Receiver::start(listener, 200, log.clone());
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/incident/asia-plus.md");
    ok(&bw.run(&["ingest", fixture.to_str().expect("path"), "--source", "Asia-Plus"]));
    let (mut refusing, _) =
        common::spawn_server(&bw.db(), &["--alert-interval-ms", "200", "--webhook-backoff-ms", "100"]);
    let error = || -> Option<String> {
        let db = rusqlite::Connection::open(bw.db()).ok()?;
        db.query_row("SELECT last_error FROM webhook_outbox WHERE url LIKE '%127.0.0.1%'", [], |r| r.get(0)).ok()?
    };
    wait_for("the delivery to be refused", Duration::from_secs(30), || error().is_some());
    let _ = refusing.kill();
    let _ = refusing.wait();
    assert!(error().is_some_and(|e| e.contains("refused")), "{:?}", error());
    assert!(log.lock().expect("log").is_empty(), "nothing reached the loopback receiver");

    // An instance whose receivers live on loopback says so, and then they are reached.
    let (mut allowing, _) = common::spawn_server(
        &bw.db(),
        &["--alert-interval-ms", "200", "--webhook-backoff-ms", "100", "--allow-private-webhooks"],
    );
    wait_for("the delivery", Duration::from_secs(30), || !log.lock().expect("log").is_empty());
    let _ = allowing.kill();
    let _ = allowing.wait();
    receiver.stop();
}

#[test]
fn a_partner_admin_manages_its_own_organisation_alone() {
    let bw = Beltwatch::new();
    let admin = bootstrap(&bw);
    let local = local_organisation(&bw);
    let server = Server::start(&bw.db());
    let pamir = create(&server, &admin, "/api/v1/organisations", json!({ "name": "Pamir Watch" }));
    let p = user_with_token(&server, &admin, "pulod", &pamir, "admin");
    let (_, users) = server.get("/api/v1/users", &admin);
    let amina = users["items"].as_array().expect("users").iter().find(|u| u["name"] == "amina").expect("amina")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let (_, tokens) = server.get("/api/v1/tokens", &admin);
    let amina_token =
        tokens["items"].as_array().expect("tokens").iter().find(|t| t["user"] == amina.as_str()).expect("")["id"]
            .as_str()
            .expect("id")
            .to_owned();

    // The instance's organisations and groups are the instance's to add.
    let (status, _) = server.call("post", "/api/v1/organisations", Some(&p), Some(json!({ "name": "Shadow Centre" })));
    assert_eq!(status, 403);
    let group = json!({ "name": "Back door", "members": [pamir, local] });
    let (status, _) = server.call("post", "/api/v1/sharing-groups", Some(&p), Some(group));
    assert_eq!(status, 403);
    // A user of another organisation, a token for one, or its revocation: refused, and
    // another organisation's user or token looks like none.
    let user = json!({ "name": "mole", "organisation": local, "role": "admin" });
    let (status, _) = server.call("post", "/api/v1/users", Some(&p), Some(user));
    assert_eq!(status, 403);
    let token = json!({ "label": "borrowed", "user": amina });
    let (status, body) = server.call("post", "/api/v1/tokens", Some(&p), Some(token));
    assert_eq!(status, 422, "{body}");
    let (status, _) = server.call("delete", &format!("/api/v1/tokens/{amina_token}"), Some(&p), None);
    assert_eq!(status, 404);
    assert_eq!(server.get("/api/v1/whoami", &admin).0, 200, "the local admin's token still works");
    // What it lists is its own organisation's.
    let (_, users) = server.get("/api/v1/users", &p);
    assert!(users["items"].as_array().expect("users").iter().all(|u| u["organisation"] == pamir.as_str()), "{users}");
    let (_, tokens) = server.get("/api/v1/tokens", &p);
    assert!(!tokens.to_string().contains(&amina), "{tokens}");
    // Its own organisation's users and tokens it manages.
    let user = json!({ "name": "pamir-analyst", "organisation": pamir, "role": "analyst" });
    let (status, made) = server.call("post", "/api/v1/users", Some(&p), Some(user));
    assert_eq!(status, 201, "{made}");
    let token = json!({ "label": "field laptop", "user": made["id"] });
    let (status, body) = server.call("post", "/api/v1/tokens", Some(&p), Some(token));
    assert_eq!(status, 201, "{body}");
    let (status, _) =
        server.call("delete", &format!("/api/v1/tokens/{}", body["id"].as_str().expect("id")), Some(&p), None);
    assert_eq!(status, 204);
    // The audit trail it reads is its own organisation's: what it just did, and nothing
    // of the local organisation's.
    let (_, audit) = server.get("/api/v1/audit", &p);
    let items = audit["items"].as_array().expect("entries");
    assert!(!items.is_empty() && items.iter().all(|e| e["organisation"] == pamir.as_str()), "{audit}");
}
