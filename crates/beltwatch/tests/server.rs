//! The HTTP API through the real binary on a loopback port: authentication, roles on
//! every write route, the OpenAPI description against the routes, and a randomised check
//! that no read path shows an organisation what it may not see.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDate, Utc};
use common::Beltwatch;
use common::http::{Server, bootstrap, user_with_token};
use common::records::{SplitMix, ensure_outlets, expected_visible, report};
use model::{Category, Distribution, Marking, OrganisationId, SharingGroupId, Tlp};
use serde_json::{Value, json};
use store::{NewDocument, Store};

#[test]
fn authentication_fails_clearly() {
    let bw = Beltwatch::new();
    let admin = bootstrap(&bw);
    // An expired token, written straight into the store.
    let expired_secret = api::new_secret().expect("random");
    {
        let store = Store::open_sqlite(&bw.db()).expect("store");
        let user = store.users().expect("users").into_iter().next().expect("the admin");
        store
            .add_token(user.id, "old", &api::hash_secret(&expired_secret), Utc::now() - Duration::hours(1))
            .expect("token");
    }
    let server = Server::start(&bw.db());
    let (status, body) = server.call("get", "/api/v1/events", None, None);
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["status"], 401);
    assert!(body["detail"].as_str().is_some_and(|d| d.contains("Bearer")), "{body}");
    let (status, body) = server.get("/api/v1/events", "bwt_0000");
    assert_eq!((status, body["detail"].as_str()), (401, Some("unknown token")), "{body}");
    let (status, body) = server.get("/api/v1/events", &expired_secret);
    assert_eq!(status, 401);
    assert!(body["detail"].as_str().is_some_and(|d| d.contains("expired")), "{body}");
    // A revoked token.
    let (status, token) = server.call("post", "/api/v1/tokens", Some(&admin), Some(json!({ "label": "laptop" })));
    assert_eq!(status, 201, "{token}");
    let secret = token["secret"].as_str().expect("secret").to_owned();
    assert_eq!(server.get("/api/v1/whoami", &secret).0, 200);
    let (status, _) =
        server.call("delete", &format!("/api/v1/tokens/{}", token["id"].as_str().expect("id")), Some(&admin), None);
    assert_eq!(status, 204);
    let (status, body) = server.get("/api/v1/whoami", &secret);
    assert_eq!(status, 401);
    assert!(body["detail"].as_str().is_some_and(|d| d.contains("revoked")), "{body}");
    // The listing never shows a secret.
    let (_, tokens) = server.get("/api/v1/tokens", &admin);
    assert!(!tokens.to_string().contains(&secret) && !tokens.to_string().contains("secret"), "{tokens}");
    // The audit trail holds who did what.
    let (status, audit) = server.get("/api/v1/audit", &admin);
    assert_eq!(status, 200);
    assert!(audit["items"].as_array().is_some_and(|a| a.iter().any(|e| e["action"] == "revoke")), "{audit}");
}

#[test]
fn every_write_route_checks_the_role_and_every_route_is_described() {
    let bw = Beltwatch::new();
    let admin = bootstrap(&bw);
    let server = Server::start(&bw.db());
    let local =
        bw.run(&["admin", "organisations", "--format", "json"]).json()[0]["id"].as_str().expect("id").to_owned();
    let viewer = user_with_token(&server, &admin, "farrukh", &local, "viewer");
    let analyst = user_with_token(&server, &admin, "nodira", &local, "analyst");

    let (status, spec) = server.call("get", "/openapi.json", None, None);
    assert_eq!(status, 200);
    assert_eq!(spec["openapi"], "3.1.0");
    let paths = spec["paths"].as_object().expect("paths");
    let dummy = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
    let mut checked = 0;
    for (path, methods) in paths {
        for (method, operation) in methods.as_object().expect("methods") {
            let concrete = path.replace("{id}", if path.contains("sectors") { "AF-TJ-001" } else { dummy });
            // Every described route exists: the router answers, never with its fallback.
            let (status, body) = server.call(method, &concrete, Some(&admin), Some(json!({})));
            assert_ne!(status, 405, "{method} {path}");
            assert!(!(status == 404 && body.to_string().contains("no such route")), "{method} {path} is not routed");
            match operation["x-beltwatch-role"].as_str() {
                Some("analyst") => {
                    let (status, body) = server.call(method, &concrete, Some(&viewer), Some(json!({})));
                    assert_eq!(status, 403, "a viewer on {method} {path}: {body}");
                }
                Some("admin") => {
                    for token in [&viewer, &analyst] {
                        let (status, body) = server.call(method, &concrete, Some(token), Some(json!({})));
                        assert_eq!(status, 403, "{method} {path}: {body}");
                    }
                }
                _ => {}
            }
            checked += 1;
        }
    }
    assert!(checked >= 25, "{checked} operations");
    // And the router has nothing the description lacks.
    assert!(api::routes::all_routes_have_handlers());
    assert_eq!(api::routes::ROUTES.len(), checked);
    // Analysts may write.
    let (status, body) = server.call("post", "/api/v1/corroborate", Some(&analyst), None);
    assert_eq!(status, 200, "{body}");
    // Invalid input names its field.
    let (status, body) = server.call(
        "post",
        "/api/v1/users",
        Some(&admin),
        Some(json!({ "name": "x", "organisation": local, "role": "boss" })),
    );
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["field"], "body.role", "{body}");
    let (status, body) = server.call("get", "/api/v1/events?limit=0&colour=red", Some(&admin), None);
    assert_eq!(status, 422);
    let fields: Vec<&str> =
        body["errors"].as_array().expect("errors").iter().filter_map(|e| e["field"].as_str()).collect();
    assert_eq!(fields, ["query.limit", "query.colour"], "{body}");
}

// ---- Visibility, randomised ----

const AS_OF: &str = "2026-11-20";

fn ids(items: &Value) -> BTreeSet<String> {
    items.as_array().map(|a| a.iter().filter_map(|e| e["id"].as_str().map(str::to_owned)).collect()).unwrap_or_default()
}

/// Per sector: score (thousandths) and incidents; per trend key: weekly counts.
type Aggregates = (BTreeMap<String, (i64, u64)>, BTreeMap<String, Vec<u64>>);

/// Sector scores, incident counts and trend rows, as the API gives them.
fn aggregates(server: &Server, token: &str) -> Aggregates {
    let (status, sectors) = server.get(&format!("/api/v1/sectors?as_of={AS_OF}"), token);
    assert_eq!(status, 200, "{sectors}");
    let levels = sectors["sectors"]
        .as_array()
        .expect("sectors")
        .iter()
        .map(|s| {
            let id = s["id"].as_str().unwrap_or_default().to_owned();
            ((id), ((s["score"].as_f64().unwrap_or(0.0) * 1000.0).round() as i64, s["incidents"].as_u64().unwrap_or(0)))
        })
        .collect();
    let (status, trends) = server.get(&format!("/api/v1/trends?as_of={AS_OF}&by=category"), token);
    assert_eq!(status, 200, "{trends}");
    let rows = trends["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            let weekly =
                r["weekly"].as_array().map(|w| w.iter().filter_map(Value::as_u64).collect()).unwrap_or_default();
            (r["key"].as_str().unwrap_or_default().to_owned(), weekly)
        })
        .collect();
    (levels, rows)
}

#[test]
fn no_read_path_shows_an_organisation_what_it_may_not_see() {
    let as_of = NaiveDate::parse_from_str(AS_OF, "%Y-%m-%d").expect("date");
    for seed in [1u64, 2] {
        let mut random = SplitMix(seed);
        let bw = Beltwatch::new();
        let admin = bootstrap(&bw);
        let store = Store::open_sqlite(&bw.db()).expect("store");
        let local = store.local_organisation().expect("local").id;
        let mut orgs = vec![local];
        for k in 0..3 {
            orgs.push(store.create_organisation(&format!("Centre {seed}-{k}")).expect("org").id);
        }
        let mut groups: BTreeMap<SharingGroupId, Vec<OrganisationId>> = BTreeMap::new();
        for g in 0..2 {
            let members: Vec<OrganisationId> =
                orgs.iter().copied().filter(|_| random.below(2) == 0).collect::<Vec<_>>();
            let group = store.create_sharing_group(&format!("Group {g}"), &members).expect("group");
            groups.insert(group.id, group.members);
        }
        let group_ids: Vec<SharingGroupId> = groups.keys().copied().collect();
        let mut documents = Vec::new();
        let mut markings = Vec::new();
        for n in 0..60 {
            let owner = orgs[random.below(orgs.len())];
            let tlp = Tlp::ALL[random.below(Tlp::ALL.len())];
            let distribution = match random.below(3) {
                0 => Distribution::Organisation,
                1 => Distribution::SharingGroup { group: group_ids[random.below(group_ids.len())] },
                _ => Distribution::AllPartners,
            };
            let marking = Marking { owner, tlp, distribution };
            // Along the Tajik bank between Panj and Khorog, over the last eight weeks;
            // each report its own incident (far apart in place or time).
            let on = as_of - Duration::days(random.below(56) as i64);
            let point = [68.3 + 0.05 * n as f64, 37.3 + 0.01 * (n % 7) as f64];
            let category =
                [Category::DrugTrafficking, Category::BorderIncident, Category::IllegalMigration][random.below(3)];
            documents.push(report(n + 100 * seed as usize, marking, on, point, category));
            markings.push(marking);
        }
        ensure_outlets(&store);
        store.insert_documents(&documents).expect("insert");
        let server = Server::start(&bw.db());
        let mut tokens = Vec::new();
        for (k, org) in orgs.iter().enumerate() {
            tokens.push((
                *org,
                user_with_token(&server, &admin, &format!("user-{seed}-{k}"), &org.to_string(), "viewer"),
            ));
        }
        for (org, token) in &tokens {
            let visible: BTreeSet<String> = documents
                .iter()
                .zip(&markings)
                .filter(|(_, m)| expected_visible(*org, &groups, m))
                .flat_map(|(d, _)| d.facts.iter().flat_map(|f| f.events.iter().map(|e| e.id.to_string())))
                .collect();
            let visible_docs: BTreeSet<String> = documents
                .iter()
                .zip(&markings)
                .filter(|(_, m)| expected_visible(*org, &groups, m))
                .map(|(d, _)| d.document.id.to_string())
                .collect();
            // Lists.
            let (status, events) = server.get("/api/v1/events?limit=500", token);
            assert_eq!(status, 200);
            assert_eq!(ids(&events["items"]), visible, "seed {seed}, events of {org}");
            let (_, docs) = server.get("/api/v1/documents?limit=500", token);
            assert_eq!(ids(&docs["items"]), visible_docs, "seed {seed}, documents of {org}");
            // Single reads: what is hidden is not found.
            for d in &documents {
                let event = d.facts.as_ref().and_then(|f| f.events.first()).expect("event");
                let (status, _) = server.get(&format!("/api/v1/events/{}", event.id), token);
                assert_eq!(status == 200, visible.contains(&event.id.to_string()), "event {}", event.id);
                let (status, _) = server.get(&format!("/api/v1/documents/{}", d.document.id), token);
                assert_eq!(status == 200, visible_docs.contains(&d.document.id.to_string()));
            }
            // Search.
            let (status, hits) = server.get("/api/v1/search?q=border&limit=200", token);
            assert_eq!(status, 200, "{hits}");
            let found: BTreeSet<String> = hits["items"]
                .as_array()
                .expect("hits")
                .iter()
                .filter_map(|h| h["document"]["id"].as_str().or(h["id"].as_str()).map(str::to_owned))
                .collect();
            assert_eq!(found, visible_docs, "seed {seed}, search of {org}");

            // Exports.
            let (status, exported) = server.get("/api/v1/export/events", token);
            assert_eq!(status, 200);
            let exported: BTreeSet<String> = ids(&exported["features"]);
            assert!(exported.is_subset(&visible), "seed {seed}, export of {org}");
            let (status, sectors_geojson) = server.get(&format!("/api/v1/export/sectors?as_of={AS_OF}"), token);
            assert_eq!(status, 200);
            assert_eq!(sectors_geojson["type"], "FeatureCollection");

            // Aggregates equal the same aggregates over a store holding the visible
            // events alone, read by its own operator.
            let alone = Beltwatch::new();
            let admin_alone = bootstrap(&alone);
            {
                let store = Store::open_sqlite(&alone.db()).expect("store");
                let owner = store.local_organisation().expect("local").id;
                let only: Vec<NewDocument> = documents
                    .iter()
                    .zip(&markings)
                    .filter(|(_, m)| expected_visible(*org, &groups, m))
                    .map(|(d, _)| {
                        let mut d = d.clone();
                        let marking = Marking { owner, tlp: Tlp::Amber, distribution: Distribution::Organisation };
                        d.document.marking = marking;
                        if let Some(f) = d.facts.as_mut() {
                            f.events.iter_mut().for_each(|e| e.marking = marking);
                        }
                        d
                    })
                    .collect();
                ensure_outlets(&store);
                store.insert_documents(&only).expect("insert");
            }
            let reference = Server::start(&alone.db());
            assert_eq!(aggregates(&server, token), aggregates(&reference, &admin_alone), "seed {seed}, {org}");
            // Every level and explanation lists only visible incidents.
            let (_, sectors) = server.get(&format!("/api/v1/sectors?as_of={AS_OF}"), token);
            for s in
                sectors["sectors"].as_array().expect("sectors").iter().filter(|s| s["incidents"].as_u64() > Some(0))
            {
                let id = s["id"].as_str().expect("id");
                let (status, explained) =
                    server.get(&format!("/api/v1/sectors/{id}/explanation?as_of={AS_OF}&limit=500"), token);
                assert_eq!(status, 200);
                for c in explained["contributions"].as_array().expect("contributions") {
                    for e in c["events"].as_array().expect("events") {
                        assert!(visible.contains(e.as_str().unwrap_or_default()), "{id}: {e}");
                    }
                }
            }
        }
    }
}
