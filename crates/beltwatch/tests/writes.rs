//! Every write, tried at random by every kind of caller: the write-side twin of the
//! read-side check in `server.rs`. Random organisations, sharing groups, markings and
//! roles; then random sequences of every write the API and TAXII offer — posts of one's
//! own records and of records naming other owners, foreign sharing groups and members,
//! reports that are hidden or absent; corroboration and splits; alert rules and alerts;
//! tokens; organisations, groups and users — each sent by a random user. After each write
//! the store is read again, and:
//!
//! - no organisation reads anything it could not read before, except new records that the
//!   caller's organisation owns (what the owner shared);
//! - no record, link, rule, alert, token or membership changed that the caller may not
//!   change;
//! - who belongs to what changes only by an admin of the instance's own organisation.
//!
//! It runs on SQLite and on PostgreSQL (skipped, saying so, without a server, unless
//! `BELTWATCH_REQUIRE_POSTGRES` is set).

mod common;
#[path = "../../store/tests/support/pg.rs"]
mod pg;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{Duration, NaiveDate, Utc};
use common::Beltwatch;
use common::http::Server;
use common::records::{SplitMix, ensure_outlets, report};
use model::{
    AlertCondition, Category, Distribution, EventId, Marking, OrganisationId, Role, SharingGroupId, Tlp, UserId,
};
use serde_json::{Value, json};
use store::{DocumentFilter, EventFilter, NewAlert, Page, Store};

const COLLECTION: &str = "9983a18d-c3e5-4fd8-8ea2-86af4d777d13";
const TAXII: &str = "application/taxii+json;version=2.1";
const WRITES: usize = 60;

/// Everything a write could change, read straight from the store.
#[derive(Debug, Clone, PartialEq)]
struct Snapshot {
    organisations: BTreeSet<OrganisationId>,
    groups: BTreeMap<SharingGroupId, BTreeSet<OrganisationId>>,
    users: BTreeMap<UserId, (OrganisationId, Role)>,
    /// Each token's user and whether it is revoked.
    tokens: BTreeMap<String, (UserId, bool)>,
    events: BTreeMap<EventId, Value>,
    documents: BTreeMap<String, Marking>,
    /// Each link (event, incident, relation) and whether it is undone.
    links: BTreeMap<(EventId, EventId, String), bool>,
    rules: BTreeMap<String, Value>,
    alerts: BTreeMap<String, Value>,
    /// What each organisation reads: event ids and document ids.
    reads: BTreeMap<OrganisationId, (BTreeSet<String>, BTreeSet<String>)>,
}

fn all_events(store: &Store, filter: &EventFilter) -> Vec<model::Event> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = store.events(filter, &Page { limit: 500, after }).expect("events");
        out.extend(page.items);
        match page.next {
            Some(next) => after = Some(next),
            None => return out,
        }
    }
}

fn all_documents(store: &Store, filter: &DocumentFilter) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut after = None;
    loop {
        let page = store.documents(filter, &Page { limit: 500, after }).expect("documents");
        out.extend(page.items.iter().map(|d| d.id.to_string()));
        match page.next {
            Some(next) => after = Some(next),
            None => return out,
        }
    }
}

fn snapshot(store: &Store) -> Snapshot {
    let organisations: BTreeSet<_> = store.organisations().expect("organisations").into_iter().map(|o| o.id).collect();
    let mut reads = BTreeMap::new();
    for org in &organisations {
        let viewer = store.viewer(*org).expect("viewer");
        let events = all_events(store, &EventFilter { visible_to: Some(viewer.clone()), ..EventFilter::default() });
        let documents = all_documents(store, &DocumentFilter { visible_to: Some(viewer), ..DocumentFilter::default() });
        reads.insert(*org, (events.iter().map(|e| e.id.to_string()).collect(), documents));
    }
    let mut documents = BTreeMap::new();
    for id in all_documents(store, &DocumentFilter::default()) {
        let document = store.document(&id).expect("document").expect("listed");
        documents.insert(id, document.marking);
    }
    let mut alerts = BTreeMap::new();
    for org in &organisations {
        for alert in store.alerts(*org, None, 500).expect("alerts") {
            alerts.insert(alert.id.to_string(), serde_json::to_value(&alert).expect("JSON"));
        }
    }
    Snapshot {
        groups: store
            .sharing_groups()
            .expect("groups")
            .into_iter()
            .map(|g| (g.id, g.members.into_iter().collect()))
            .collect(),
        users: store.users().expect("users").into_iter().map(|u| (u.id, (u.organisation, u.role))).collect(),
        tokens: store
            .tokens(None)
            .expect("tokens")
            .into_iter()
            .map(|t| (t.id.to_string(), (t.user, t.revoked_at.is_some())))
            .collect(),
        events: all_events(store, &EventFilter::default())
            .into_iter()
            .map(|e| (e.id, serde_json::to_value(&e).expect("JSON")))
            .collect(),
        documents,
        links: store
            .links()
            .expect("links")
            .into_iter()
            .map(|l| ((l.event, l.incident, format!("{:?}", l.relation)), l.unlinked_at.is_some()))
            .collect(),
        rules: store
            .alert_rules(None)
            .expect("rules")
            .into_iter()
            .map(|r| (r.id.to_string(), serde_json::to_value(&r).expect("JSON")))
            .collect(),
        alerts,
        organisations,
        reads,
    }
}

/// Who sends a write.
#[derive(Debug, Clone)]
struct Caller {
    user: UserId,
    organisation: OrganisationId,
    role: Role,
    secret: String,
}

/// The objects of a scratch instance's export, split per report, and the objects every
/// post carries (definitions, places, identities).
struct Pool {
    common: Vec<Value>,
    chunks: Vec<Vec<Value>>,
}

fn pool() -> Pool {
    let scratch = Beltwatch::new();
    let out = scratch.path("reports");
    let run = scratch.run(&["generate", "--out", out.to_str().expect("path"), "--count", "30", "--seed", "77"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let run = scratch.run(&["ingest", out.to_str().expect("path"), "--tlp", "green"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let bundle = scratch.path("bundle.json");
    let run = scratch.run(&["export", "stix", "--out", bundle.to_str().expect("path")]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let bundle: Value = serde_json::from_slice(&std::fs::read(&bundle).expect("bundle")).expect("JSON");
    let mut common = Vec::new();
    let mut chunks: Vec<Vec<Value>> = Vec::new();
    for object in bundle["objects"].as_array().expect("objects") {
        match object["type"].as_str() {
            Some("report") => chunks.push(vec![object.clone()]),
            Some("incident" | "note" | "relationship") => {
                chunks.last_mut().expect("after a report").push(object.clone())
            }
            _ => common.push(object.clone()),
        }
    }
    Pool { common, chunks }
}

/// An identity object naming `organisation` as beltwatch writes it.
fn identity_of(template: &Value, organisation: OrganisationId) -> Value {
    let mut identity = template.clone();
    identity["id"] = Value::from(exchange::stix::identity_id(organisation));
    identity["name"] = Value::from(format!("Organisation {organisation}"));
    for fields in identity["extensions"].as_object_mut().expect("extensions").values_mut() {
        fields["organisation"] = json!(organisation);
    }
    identity
}

struct World {
    server: Server,
    callers: Vec<Caller>,
    local: OrganisationId,
    pool: Pool,
    random: SplitMix,
    /// The tokens of `callers`.
    reserved: BTreeSet<String>,
}

impl World {
    fn call(&self, caller: &Caller, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        self.server.call(method, path, Some(&caller.secret), body)
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> Option<T> {
        if items.is_empty() { None } else { Some(items[self.random.below(items.len())].clone()) }
    }

    /// A random distribution: one of the caller's groups, another group, a group nobody
    /// knows, all partners or the organisation alone, with members that may name anyone.
    fn distribution(&mut self, before: &Snapshot, caller: &Caller) -> Value {
        let organisations: Vec<OrganisationId> = before.organisations.iter().copied().collect();
        let groups: Vec<SharingGroupId> = before.groups.keys().copied().collect();
        let mut members: Vec<OrganisationId> =
            organisations.iter().copied().filter(|_| self.random.below(2) == 0).collect();
        if self.random.below(2) == 0 {
            members.push(caller.organisation);
        }
        match self.random.below(4) {
            0 => json!({ "level": "organisation" }),
            1 => json!({ "level": "all_partners" }),
            2 => {
                let group =
                    self.pick(&groups).map_or_else(|| json!("0193a5a0-0000-7000-8000-00000000beef"), |g| json!(g));
                json!({ "level": "sharing_group", "group": group, "group_name": "Posted", "members": members })
            }
            _ => json!({
                "level": "sharing_group", "group": "0193a5a0-0000-7000-8000-0000000000ff", "group_name": "Unknown",
                "members": members,
            }),
        }
    }

    /// A TAXII post of a few reports, made hostile at random.
    fn post(&mut self, before: &Snapshot, caller: &Caller) -> String {
        let organisations: Vec<OrganisationId> = before.organisations.iter().copied().collect();
        // Mostly the caller's own; sometimes another organisation's.
        let owner = if self.random.below(4) == 0 {
            self.pick(&organisations).unwrap_or(caller.organisation)
        } else {
            caller.organisation
        };
        let template =
            self.pool.common.iter().find(|o| o["type"] == "identity" && o.get("extensions").is_some()).cloned();
        let mut objects: Vec<Value> = self
            .pool
            .common
            .iter()
            .filter(|o| !(o["type"] == "identity" && o.get("extensions").is_some()))
            .cloned()
            .collect();
        if let Some(template) = template {
            objects.extend(organisations.iter().map(|o| identity_of(&template, *o)));
        }
        let drop_reports = self.random.below(5) == 0;
        for _ in 0..1 + self.random.below(2) {
            let chunk = self.pool.chunks[self.random.below(self.pool.chunks.len())].clone();
            let distribution = self.distribution(before, caller);
            for mut object in chunk {
                if drop_reports && object["type"] == "report" {
                    continue;
                }
                if object.get("created_by_ref").is_some() {
                    object["created_by_ref"] = Value::from(exchange::stix::identity_id(owner));
                }
                if let Some(extensions) = object.get_mut("extensions").and_then(Value::as_object_mut) {
                    for (key, fields) in extensions.iter_mut() {
                        if key.starts_with("extension-definition--a34fa558") && fields.get("distribution").is_some() {
                            fields["distribution"] = distribution.clone();
                        }
                    }
                }
                objects.push(object);
            }
        }
        // Now and then to an organisation's own collection rather than the whole one.
        let collection = match self.random.below(3) {
            0 => {
                let org = self.pick(&organisations).unwrap_or(caller.organisation);
                api::taxii::collection_id(org)
            }
            _ => COLLECTION.to_owned(),
        };
        let url = format!("{}/taxii2/beltwatch/collections/{collection}/objects/", self.server.base);
        let response = self
            .server
            .agent
            .post(&url)
            .header("Authorization", &format!("Bearer {}", caller.secret))
            .header("Accept", TAXII)
            .header("Content-Type", TAXII)
            .send(json!({ "objects": objects }).to_string())
            .expect("the post is answered");
        let mut response = response;
        let status = response.status();
        let body = if status.is_server_error() {
            response.body_mut().read_to_string().unwrap_or_default()
        } else {
            String::new()
        };
        format!("taxii post by {owner} to {collection} {body}: {status}")
    }

    /// One random write by a random caller; returns what was done.
    fn write(&mut self, before: &Snapshot, caller: &Caller) -> String {
        let events: Vec<EventId> = before.events.keys().copied().collect();
        let users: Vec<UserId> = before.users.keys().copied().collect();
        let organisations: Vec<OrganisationId> = before.organisations.iter().copied().collect();
        let tokens: Vec<String> = before.tokens.keys().cloned().collect();
        let rules: Vec<String> = before.rules.keys().cloned().collect();
        let alerts: Vec<String> = before.alerts.keys().cloned().collect();
        let incidents: Vec<EventId> = before.links.keys().map(|(_, incident, _)| *incident).collect();
        let (what, status) = match self.random.below(13) {
            0..=2 => return self.post(before, caller),
            3 => ("corroborate".to_owned(), self.call(caller, "post", "/api/v1/corroborate", None).0),
            4 => {
                let incident = self.pick(&incidents).or_else(|| self.pick(&events));
                let path = format!("/api/v1/incidents/{}/split", incident.map_or_else(String::new, |i| i.to_string()));
                (path.clone(), self.call(caller, "post", &path, None).0)
            }
            5 => {
                let category = ["drug_trafficking", "border_incident", "terrorism"][self.random.below(3)];
                let body = json!({ "name": "rule", "condition": { "category": category } });
                ("create rule".to_owned(), self.call(caller, "post", "/api/v1/alert-rules", Some(body)).0)
            }
            6 => {
                let path = format!("/api/v1/alert-rules/{}", self.pick(&rules).unwrap_or_default());
                (path.clone(), self.call(caller, "delete", &path, None).0)
            }
            7 => {
                let action = ["acknowledge", "close"][self.random.below(2)];
                let path = format!("/api/v1/alerts/{}/{action}", self.pick(&alerts).unwrap_or_default());
                (path.clone(), self.call(caller, "post", &path, None).0)
            }
            8 => {
                let user = if self.random.below(2) == 0 { self.pick(&users) } else { None };
                let body = json!({ "label": "random", "user": user });
                ("create token".to_owned(), self.call(caller, "post", "/api/v1/tokens", Some(body)).0)
            }
            9 => {
                // Never one of the test's own callers' tokens: they must go on working.
                let others: Vec<String> = tokens.into_iter().filter(|t| !self.reserved.contains(t)).collect();
                let path = format!("/api/v1/tokens/{}", self.pick(&others).unwrap_or_default());
                (path.clone(), self.call(caller, "delete", &path, None).0)
            }
            10 => {
                let n = self.random.next() % 100_000;
                let body = json!({ "name": format!("Centre {n}") });
                ("create organisation".to_owned(), self.call(caller, "post", "/api/v1/organisations", Some(body)).0)
            }
            11 => {
                let members: Vec<OrganisationId> =
                    organisations.iter().copied().filter(|_| self.random.below(2) == 0).collect();
                let body = json!({ "name": "group", "members": members });
                ("create group".to_owned(), self.call(caller, "post", "/api/v1/sharing-groups", Some(body)).0)
            }
            _ => {
                let n = self.random.next() % 100_000;
                let org = self.pick(&organisations).unwrap_or(caller.organisation);
                let role = ["viewer", "analyst", "admin"][self.random.below(3)];
                let body = json!({ "name": format!("user-{n}"), "organisation": org, "role": role });
                ("create user".to_owned(), self.call(caller, "post", "/api/v1/users", Some(body)).0)
            }
        };
        format!("{what}: {status}")
    }
}

/// The organisation that owns an event, before or after.
fn owner_of(snapshot: &Snapshot, event: &EventId) -> Option<OrganisationId> {
    snapshot
        .events
        .get(event)
        .and_then(|e| serde_json::from_value::<Marking>(e["marking"].clone()).ok())
        .map(|m| m.owner)
}

/// What may have changed after `caller` wrote, given what was there before.
fn check(before: &Snapshot, after: &Snapshot, caller: &Caller, local: OrganisationId, what: &str) {
    let o = caller.organisation;
    let writer = caller.role.may_write();
    let instance_admin = caller.role == Role::Admin && o == local;
    let admin_of = |user: &UserId| {
        caller.role == Role::Admin && (instance_admin || before.users.get(user).is_some_and(|(org, _)| *org == o))
    };
    let context = format!("after {what} by {:?} of {o}", caller.role);

    // Who belongs to what.
    assert!(after.organisations.is_superset(&before.organisations), "{context}: an organisation vanished");
    if !instance_admin {
        assert_eq!(after.organisations, before.organisations, "{context}: an organisation was added");
        assert_eq!(after.groups, before.groups, "{context}: sharing groups changed");
    }
    for (id, members) in &before.groups {
        assert_eq!(after.groups.get(id), Some(members), "{context}: the members of group {id} changed");
    }
    for (id, user) in &after.users {
        match before.users.get(id) {
            Some(was) => assert_eq!(was, user, "{context}: user {id} changed"),
            None => assert!(
                caller.role == Role::Admin && (instance_admin || user.0 == o),
                "{context}: user {id} of {} was added",
                user.0
            ),
        }
    }
    // Tokens: only the caller's own, or those of users the caller administers.
    for (id, (user, revoked)) in &after.tokens {
        match before.tokens.get(id) {
            Some((_, was)) if was == revoked => {}
            Some(_) => assert!(*user == caller.user || admin_of(user), "{context}: token {id} of {user} revoked"),
            None => assert!(*user == caller.user || admin_of(user), "{context}: a token for {user} was made"),
        }
    }

    // Records: new ones are the caller's organisation's; others' are as they were.
    for (id, event) in &after.events {
        match before.events.get(id) {
            None => {
                assert!(writer, "{context}: a viewer's write stored event {id}");
                assert_eq!(owner_of(after, id), Some(o), "{context}: new event {id} is not the caller's");
            }
            Some(was) if was != event => {
                assert!(writer && owner_of(before, id) == Some(o), "{context}: event {id} of another changed");
            }
            Some(_) => {}
        }
    }
    assert!(before.events.keys().all(|id| after.events.contains_key(id)), "{context}: an event vanished");
    for (id, marking) in &after.documents {
        match before.documents.get(id) {
            None => assert!(writer && marking.owner == o, "{context}: new document {id} is not the caller's"),
            Some(was) => assert_eq!(was, marking, "{context}: the marking of document {id} changed"),
        }
    }
    // Links: the caller's own events, or links it may see and owns a side of.
    for (key @ (event, incident, _), undone) in &after.links {
        if before.links.get(key) == Some(undone) {
            continue;
        }
        let sees = before.reads.get(&o).is_some_and(|(events, _)| events.contains(&event.to_string()));
        let owns = owner_of(before, event) == Some(o) || owner_of(before, incident) == Some(o);
        assert!(writer && sees && owns, "{context}: link {event} → {incident} changed");
    }
    // Rules and alerts of other organisations are as they were.
    for (id, rule) in &before.rules {
        if rule["organisation"] != json!(o) || !writer {
            assert_eq!(after.rules.get(id), Some(rule), "{context}: rule {id} changed");
        }
    }
    for (id, rule) in &after.rules {
        if !before.rules.contains_key(id) {
            assert!(writer && rule["organisation"] == json!(o), "{context}: rule {id} was added for another");
        }
    }
    for (id, alert) in &before.alerts {
        if alert["organisation"] != json!(o) || !writer {
            assert_eq!(after.alerts.get(id), Some(alert), "{context}: alert {id} changed");
        }
    }

    // Reads: nothing new for anyone but the caller's organisation's new records.
    let new_events: BTreeSet<String> = after
        .events
        .keys()
        .filter(|id| !before.events.contains_key(*id) && owner_of(after, id) == Some(o))
        .map(ToString::to_string)
        .collect();
    let new_documents: BTreeSet<String> = after
        .documents
        .iter()
        .filter(|(id, m)| !before.documents.contains_key(*id) && m.owner == o)
        .map(|(id, _)| id.clone())
        .collect();
    for (org, (events, documents)) in &after.reads {
        let Some((events_before, documents_before)) = before.reads.get(org) else { continue };
        let gained: Vec<_> = events.difference(events_before).filter(|e| !new_events.contains(*e)).collect();
        assert!(gained.is_empty(), "{context}: {org} now reads events {gained:?}");
        let gained: Vec<_> = documents.difference(documents_before).filter(|d| !new_documents.contains(*d)).collect();
        assert!(gained.is_empty(), "{context}: {org} now reads documents {gained:?}");
    }
}

/// The random store: the local organisation and three partners, two sharing groups,
/// reports of every marking, a viewer, an analyst and an admin in each organisation with
/// a token, and an alert rule with an alert for each.
fn world(location: &str, bw: &Beltwatch, seed: u64, pool: Pool) -> World {
    let mut random = SplitMix(seed);
    let store = Store::open(location).expect("store");
    let local = store.local_organisation().expect("local").id;
    let mut orgs = vec![local];
    for k in 0..3 {
        orgs.push(store.create_organisation(&format!("Centre {seed}-{k}")).expect("organisation").id);
    }
    let mut groups = Vec::new();
    for g in 0..2 {
        let members: Vec<OrganisationId> = orgs.iter().copied().filter(|_| random.below(2) == 0).collect();
        groups.push(store.create_sharing_group(&format!("Group {g}"), &members).expect("group").id);
    }
    ensure_outlets(&store);
    let on = NaiveDate::from_ymd_opt(2026, 11, 20).expect("date");
    let mut documents = Vec::new();
    for n in 0..40 {
        let owner = orgs[random.below(orgs.len())];
        let tlp = Tlp::ALL[random.below(Tlp::ALL.len())];
        let distribution = match random.below(3) {
            0 => Distribution::Organisation,
            1 => Distribution::SharingGroup { group: groups[random.below(groups.len())] },
            _ => Distribution::AllPartners,
        };
        // Pairs of reports of one incident, so that corroboration has merges to make.
        let point = [68.3 + 0.05 * (n / 2) as f64, 37.3];
        let day = on - Duration::days((n / 2) as i64);
        let category = [Category::DrugTrafficking, Category::BorderIncident][random.below(2)];
        documents.push(report(n + 1000 * seed as usize, Marking { owner, tlp, distribution }, day, point, category));
    }
    store.insert_documents(&documents).expect("stored");
    let mut callers = Vec::new();
    let mut reserved = BTreeSet::new();
    for (k, org) in orgs.iter().enumerate() {
        for role in [Role::Viewer, Role::Analyst, Role::Admin] {
            let user = store.create_user(*org, &format!("{}-{seed}-{k}", role.as_str()), role).expect("user");
            let secret = api::new_secret().expect("random");
            let expires = Utc::now() + Duration::days(1);
            let token = store.add_token(user.id, "test", &api::hash_secret(&secret), expires).expect("token");
            reserved.insert(token.id.to_string());
            callers.push(Caller { user: user.id, organisation: *org, role, secret });
        }
        let condition = AlertCondition { category: Some(Category::DrugTrafficking), ..AlertCondition::default() };
        let rule = store.create_alert_rule(*org, "Seizures", &condition, None).expect("rule");
        let alert = NewAlert {
            rule: rule.id,
            dedup_key: format!("seed:{k}"),
            title: "seed".into(),
            events: vec![],
            sector: None,
        };
        store.raise_alerts(&[alert]).expect("alert");
    }
    drop(store);
    let server = Server::start(Path::new(location));
    let _ = bw;
    World { server, callers, local, pool, random, reserved }
}

fn random_writes(location: &str, bw: &Beltwatch, seed: u64) {
    let mut world = world(location, bw, seed, pool());
    let store = Store::open(location).expect("store");
    let mut before = snapshot(&store);
    let first = before.clone();
    let mut statuses: BTreeMap<String, usize> = BTreeMap::new();
    for _ in 0..WRITES {
        let caller = world.callers[world.random.below(world.callers.len())].clone();
        let what = world.write(&before, &caller);
        let status = what.rsplit(": ").next().unwrap_or_default();
        assert!(!status.starts_with('5'), "{what} by {caller:?}: a server error");
        *statuses.entry(format!("{}xx", &status[..1.min(status.len())])).or_insert(0) += 1;
        let after = snapshot(&store);
        check(&before, &after, &caller, world.local, &what);
        before = after;
    }
    // The writes did something: some were accepted, some refused, and records were added.
    eprintln!("seed {seed}: {statuses:?}, {} events before, {} after", first.events.len(), before.events.len());
    assert!(statuses.contains_key("2xx") && statuses.contains_key("4xx"), "{statuses:?}");
    assert!(before.events.len() > first.events.len(), "no post stored anything");
}

#[test]
fn no_write_changes_what_its_caller_may_not_change_on_sqlite() {
    for seed in [3, 4] {
        let bw = Beltwatch::new();
        random_writes(&bw.db().display().to_string(), &bw, seed);
    }
}

#[test]
fn no_write_changes_what_its_caller_may_not_change_on_postgres() {
    let Some(schema) = pg::Schema::new() else { return };
    let bw = Beltwatch::new();
    random_writes(&schema.location(), &bw, 5);
}
