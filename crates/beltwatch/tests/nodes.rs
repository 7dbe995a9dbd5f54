//! Several nodes over one PostgreSQL database: two `serve` nodes and a `worker` share the
//! queued ingestion and extraction of a few thousand reports; one node is killed with
//! SIGKILL while it holds a job and the alerts lease. Every document is still extracted
//! exactly once, every alert reaches the webhook once, and the nodes left serve the same
//! results, which equal a single SQLite store's fed the same reports.
//!
//! Needs the PostgreSQL server of `BELTWATCH_TEST_POSTGRES` (default 127.0.0.1:5432);
//! without one the test says it is skipped, unless `BELTWATCH_REQUIRE_POSTGRES` is set.

mod common;
#[path = "../../store/tests/support/pg.rs"]
mod pg;

use std::collections::{BTreeMap, BTreeSet};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::Beltwatch;
use common::webhook::{Received, Receiver};
use serde_json::Value;

const FOLDERS: u32 = 8;
const REPORTS_PER_FOLDER: u32 = 300;
const SECRET: &str = "the-nodes-webhook-secret";

/// A node process, killed when dropped.
struct Node {
    name: &'static str,
    child: Child,
    base: Option<String>,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(url: &str, config: &Path, name: &'static str) -> Node {
    let (child, base) = common::spawn_server(
        Path::new(url),
        &[
            "--node",
            name,
            "--lease-seconds",
            "3",
            "--alert-interval-ms",
            "200",
            "--webhook-backoff-ms",
            "300",
            // The test's receiver listens on loopback.
            "--allow-private-webhooks",
            "--rate-limit",
            "100000",
            "--burst",
            "100000",
            "--config",
            &config.display().to_string(),
        ],
    );
    Node { name, child, base: Some(base) }
}

fn worker(url: &str, config: &Path, name: &'static str) -> Node {
    let child = Command::new(env!("CARGO_BIN_EXE_beltwatch"))
        .args(["worker", "--node", name, "--lease-seconds", "3", "--config", &config.display().to_string()])
        .env("BELTWATCH_DB", url)
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the worker starts");
    Node { name, child, base: None }
}

fn wait_for(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < timeout, "timed out after {timeout:?} waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn ok(run: &common::Run) -> &common::Run {
    assert_eq!(run.status, 0, "{}", run.stderr);
    run
}

/// Reads a node's alert stream on a thread; returns the ids of the alerts it carries.
fn listen(base: &str, token: &str) -> Arc<Mutex<Vec<String>>> {
    use std::io::{BufRead, BufReader, Write};
    let address = base.trim_start_matches("http://").to_owned();
    let mut stream = std::net::TcpStream::connect(&address).expect("connect to the stream");
    write!(
        stream,
        "GET /api/v1/alerts/stream HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n"
    )
    .expect("request the stream");
    let ids: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(Vec::new()));
    let sink = ids.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if let Some(data) = line.strip_prefix("data:")
                && let Ok(alert) = serde_json::from_str::<Value>(data.trim())
            {
                sink.lock().expect("stream").push(alert["id"].to_string());
            }
        }
    });
    ids
}

/// Every page of a listing from one node, its items in order.
fn all_pages(agent: &ureq::Agent, base: &str, path: &str, token: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let mut url = format!("{base}{path}");
        if let Some(cursor) = &after {
            url.push_str(&format!("&after={cursor}"));
        }
        let mut response = agent
            .get(&url)
            .header("Authorization", &format!("Bearer {token}"))
            .call()
            .unwrap_or_else(|e| panic!("GET {url}: {e}"));
        assert_eq!(response.status().as_u16(), 200, "GET {url}");
        let page: Value = serde_json::from_str(&response.body_mut().read_to_string().expect("body")).expect("JSON");
        items.extend(page["items"].as_array().expect("items").iter().cloned());
        match page["next"].as_str() {
            Some(next) => after = Some(next.to_owned()),
            None => return items,
        }
    }
}

/// Events per category in a store, as `beltwatch events` counts them.
fn events_by_category(bw: &Beltwatch, db: &str) -> BTreeMap<String, u64> {
    let total = ok(&bw.run(&["--db", db, "events", "--format", "json", "--limit", "1"])).json()["total"]
        .as_u64()
        .expect("total");
    let mut counts = BTreeMap::new();
    for category in ["terrorism", "illegal_migration", "weapons_trafficking", "drug_trafficking", "border_incident"] {
        let run = bw.run(&["--db", db, "events", "--category", category, "--format", "json", "--limit", "1"]);
        counts.insert(category.to_owned(), ok(&run).json()["total"].as_u64().expect("total"));
    }
    counts.insert("all".to_owned(), total);
    counts
}

#[test]
fn three_nodes_share_the_work_and_lose_nothing_when_one_is_killed() {
    let Some(schema) = pg::Schema::new() else { return };
    let url = schema.location();
    let bw = Beltwatch::new();
    let config = bw.write("beltwatch.toml", "[ingest]\nbatch_size = 50\n");
    let folders: Vec<String> = (0..FOLDERS)
        .map(|n| {
            let out = bw.path(&format!("reports-{n}"));
            let count = REPORTS_PER_FOLDER.to_string();
            let seed = (100 + n).to_string();
            ok(&bw.run(&["generate", "--out", &out.display().to_string(), "--count", &count, "--seed", &seed]));
            out.display().to_string()
        })
        .collect();

    // The reference: one SQLite store reading the same reports in one process.
    let reference = bw.path("reference.sqlite").display().to_string();
    let mut args = vec!["--db", &reference, "--config", config.to_str().expect("path"), "ingest"];
    args.extend(folders.iter().map(String::as_str));
    ok(&bw.run(&args));
    let expected = events_by_category(&bw, &reference);
    assert!(expected["all"] > 1000, "the reports make enough events: {expected:?}");

    // The shared store: an admin, and a rule whose alerts go to a webhook.
    let token =
        ok(&bw.run(&["--db", &url, "admin", "bootstrap", "--user", "amina", "--format", "json"])).json()["secret"]
            .as_str()
            .expect("secret")
            .to_owned();
    let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
    let hook = format!("http://127.0.0.1:{}/hooks", listener.local_addr().expect("address").port());
    let received: Arc<Mutex<Vec<Received>>> = Arc::new(Mutex::new(Vec::new()));
    let receiver = Receiver::start(listener, 200, received.clone());
    ok(&bw.run(&[
        "--db",
        &url,
        "alerts",
        "add-rule",
        "Attacks on the border",
        "--category",
        "border_incident",
        "--webhook",
        &hook,
        "--secret",
        SECRET,
    ]));

    // Node A starts first and takes the alerts lease; B and the worker C join.
    let mut a = serve(&url, &config, "node-a");
    wait_for("node-a to hold the alerts lease", Duration::from_secs(30), || {
        schema.count("SELECT count(*) FROM leases WHERE name = 'alerts' AND holder = 'node-a'") == 1
    });
    let b = serve(&url, &config, "node-b");
    let _c = worker(&url, &config, "node-c");
    // B's alert stream, open from before the work starts: it must carry every alert,
    // whichever node raised it.
    let streamed = listen(b.base.as_deref().expect("a serving node"), &token);

    let mut args = vec!["--db", &url, "ingest", "--queue"];
    args.extend(folders.iter().map(String::as_str));
    ok(&bw.run(&args));

    // Kill A while it holds a job.
    let mut held = 0;
    wait_for("node-a to claim a job", Duration::from_secs(120), || {
        held = schema.count("SELECT coalesce(min(id), 0) FROM jobs WHERE state = 'running' AND claimed_by = 'node-a'");
        held > 0
    });
    a.child.kill().expect("SIGKILL node-a");
    a.child.wait().expect("node-a is gone");
    // A node started after the kill joins the work and serves alongside B.
    let d = serve(&url, &config, "node-d");

    wait_for("every job to finish", Duration::from_secs(300), || {
        schema.count("SELECT count(*) FROM jobs WHERE state IN ('queued', 'running')") == 0
    });
    wait_for("alert evaluation to read every event and the outbox to empty", Duration::from_secs(150), || {
        schema.count("SELECT count(*) FROM alert_watermark WHERE seq = (SELECT coalesce(max(seq), 0) FROM events)") == 1
            && schema.count("SELECT count(*) FROM webhook_outbox WHERE delivered_at IS NULL") == 0
    });
    // A last evaluation pass may still be under way on the lease holder.
    std::thread::sleep(Duration::from_millis(600));
    receiver.stop();

    // Every job done; the one A held was taken over after its lease and finished once.
    assert_eq!(schema.count("SELECT count(*) FROM jobs WHERE state <> 'done'"), 0);
    assert_eq!(schema.count(&format!("SELECT count(*) FROM jobs WHERE id = {held} AND attempts >= 2")), 1);
    assert_eq!(schema.count(&format!("SELECT count(*) FROM jobs WHERE id = {held} AND finished_by <> 'node-a'")), 1);
    let finishers = schema.count("SELECT count(DISTINCT finished_by) FROM jobs");
    assert!(finishers >= 2, "the work was shared, by {finishers} node(s)");

    // Every document extracted exactly once: each is in one finished extract job, and
    // has facts; the events equal the single store's.
    let documents = schema.count("SELECT count(*) FROM documents");
    let reference_documents = ok(&bw.run(&["--db", &reference, "documents", "--format", "json", "--limit", "1"])).json()
        ["total"]
        .as_u64()
        .expect("total") as i64;
    assert_eq!(documents, reference_documents);
    assert_eq!(schema.count("SELECT count(*) FROM documents WHERE extracted_with IS NULL"), 0);
    let extracted = "SELECT value FROM jobs, json_array_elements_text(payload::json) WHERE kind = 'extract'";
    assert_eq!(schema.count(&format!("SELECT count(*) FROM ({extracted}) t")), documents);
    assert_eq!(schema.count(&format!("SELECT count(DISTINCT value) FROM ({extracted}) t")), documents);
    assert_eq!(events_by_category(&bw, &url), expected);

    // Every alert delivered once: one delivery per alert, none twice, all signed.
    let alerts = schema.count("SELECT count(*) FROM alerts");
    assert!(alerts > 0, "the rule fired");
    let received = received.lock().expect("log").clone();
    let deliveries: BTreeSet<&str> = received.iter().map(|r| r.delivery.as_str()).collect();
    assert_eq!(deliveries.len(), received.len(), "no delivery arrived twice");
    assert_eq!(received.len() as i64, alerts, "one delivery per alert");
    let alert_ids: BTreeSet<String> =
        received.iter().map(|r| serde_json::from_str::<Value>(&r.body).expect("JSON body")["id"].to_string()).collect();
    assert_eq!(alert_ids.len() as i64, alerts);
    assert!(received.iter().all(|r| r.signature.starts_with("sha256=")));

    // B streamed every alert, though A raised some of them.
    wait_for("node-b's stream to carry every alert", Duration::from_secs(30), || {
        streamed.lock().expect("stream").len() as i64 >= alerts
    });
    let ids: BTreeSet<String> = streamed.lock().expect("stream").iter().cloned().collect();
    assert_eq!(ids, alert_ids, "node-b streamed exactly the alerts raised");

    // The nodes left serve the same results.
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let bases: Vec<&str> = [&b, &d].iter().map(|n| n.base.as_deref().expect("a serving node")).collect();
    for path in ["/api/v1/events?limit=500", "/api/v1/alerts?limit=500", "/api/v1/documents?limit=500"] {
        let first = all_pages(&agent, bases[0], path, &token);
        let second = all_pages(&agent, bases[1], path, &token);
        assert!(!first.is_empty(), "{path} lists something");
        assert_eq!(first, second, "{} and {} serve {path} alike", b.name, d.name);
    }
    let first = all_pages(&agent, bases[0], "/api/v1/events?limit=500", &token);
    assert_eq!(first.len() as u64, expected["all"]);
}

/// A TCP relay to the PostgreSQL server that can be cut and restored, standing for the
/// network between a node and its database.
struct Relay {
    port: u16,
    open: Arc<std::sync::atomic::AtomicBool>,
    /// While set, nothing is passed on either way: the connections hang, open.
    frozen: Arc<std::sync::atomic::AtomicBool>,
    streams: Arc<Mutex<Vec<std::net::TcpStream>>>,
}

/// Passes bytes from one side to the other, holding them while `frozen` is set.
fn pump(mut from: std::net::TcpStream, mut to: std::net::TcpStream, frozen: Arc<std::sync::atomic::AtomicBool>) {
    use std::io::{Read, Write};
    let mut buffer = [0u8; 16 * 1024];
    loop {
        while frozen.load(std::sync::atomic::Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(20));
        }
        let n = match from.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        while frozen.load(std::sync::atomic::Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(20));
        }
        if to.write_all(&buffer[..n]).is_err() {
            break;
        }
    }
    let _ = to.shutdown(std::net::Shutdown::Both);
}

impl Relay {
    fn start(target: std::net::SocketAddr) -> Self {
        use std::sync::atomic::{AtomicBool, Ordering};
        let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
        let port = listener.local_addr().expect("address").port();
        let open = Arc::new(AtomicBool::new(true));
        let frozen = Arc::new(AtomicBool::new(false));
        let streams: Arc<Mutex<Vec<std::net::TcpStream>>> = Arc::new(Mutex::new(Vec::new()));
        let (flag, held, hold) = (open.clone(), streams.clone(), frozen.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                if !flag.load(Ordering::SeqCst) {
                    // Cut: refuse by closing at once.
                    drop(client);
                    continue;
                }
                let Ok(server) = std::net::TcpStream::connect(target) else { continue };
                let pairs = [(client.try_clone(), server.try_clone()), (server.try_clone(), client.try_clone())];
                if let Ok(mut held) = held.lock() {
                    held.extend([client, server]);
                }
                for pair in pairs {
                    if let (Ok(from), Ok(to)) = pair {
                        let hold = hold.clone();
                        std::thread::spawn(move || pump(from, to, hold));
                    }
                }
            }
        });
        Relay { port, open, frozen, streams }
    }

    /// Stops passing anything on, keeping every connection open: a database that hangs.
    fn freeze(&self) {
        self.frozen.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    fn thaw(&self) {
        self.frozen.store(false, std::sync::atomic::Ordering::SeqCst);
    }

    /// Closes every relayed connection and refuses new ones.
    fn cut(&self) {
        self.open.store(false, std::sync::atomic::Ordering::SeqCst);
        for stream in self.streams.lock().expect("streams").drain(..) {
            let _ = stream.shutdown(std::net::Shutdown::Both);
        }
    }

    fn restore(&self) {
        self.open.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

fn events_status(agent: &ureq::Agent, base: &str, token: &str) -> u16 {
    agent
        .get(&format!("{base}/api/v1/events"))
        .header("Authorization", &format!("Bearer {token}"))
        .call()
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

/// The relay's address for the test server: where `location` reaches the store through it.
fn relayed() -> Option<(pg::Schema, Relay, String)> {
    let schema = pg::Schema::new()?;
    let server = pg::server();
    let target = {
        let rest = server.split_once('@').map_or(server.as_str(), |(_, r)| r);
        let host_port = rest.split('/').next().unwrap_or("127.0.0.1:5432");
        std::net::ToSocketAddrs::to_socket_addrs(host_port).expect("the server's address").next().expect("an address")
    };
    let relay = Relay::start(target);
    let location = schema.location().replacen(&target.to_string(), &format!("127.0.0.1:{}", relay.port), 1);
    assert!(location.contains(&relay.port.to_string()), "the store is reached through the relay: {location}");
    Some((schema, relay, location))
}

#[test]
fn a_node_answers_while_its_database_hangs() {
    let Some((_schema, relay, location)) = relayed() else { return };
    let bw = Beltwatch::new();
    let token =
        ok(&bw.run(&["--db", &location, "admin", "bootstrap", "--user", "amina", "--format", "json"])).json()["secret"]
            .as_str()
            .expect("secret")
            .to_owned();
    let (child, base) = common::spawn_server(Path::new(&location), &["--node", "node-h", "--db-timeout", "3"]);
    let _node = Node { name: "node-h", child, base: Some(base.clone()) };
    // A client that gives up after eight seconds: an answer must come before.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(8)))
        .build()
        .into();
    assert_eq!(ready(&agent, &base), 200);
    assert_eq!(events_status(&agent, &base, &token), 200);

    relay.freeze();
    let started = Instant::now();
    assert_eq!(ready(&agent, &base), 503, "readiness answers while the database hangs");
    eprintln!("readiness answered 503 {} ms after the freeze", started.elapsed().as_millis());
    // Past the token cache's second, a request that needs the database fails fast.
    std::thread::sleep(Duration::from_millis(1100));
    let asked = Instant::now();
    assert_eq!(events_status(&agent, &base, &token), 503, "a request that needs the database says it is away");
    eprintln!("a listing answered 503 after {} ms", asked.elapsed().as_millis());
    assert_eq!(agent.get(&format!("{base}/healthz")).call().map(|r| r.status().as_u16()).unwrap_or(0), 200);

    relay.thaw();
    wait_for("readiness to come back with the database", Duration::from_secs(30), || ready(&agent, &base) == 200);
    wait_for("requests to work again", Duration::from_secs(30), || events_status(&agent, &base, &token) == 200);
}

fn ready(agent: &ureq::Agent, base: &str) -> u16 {
    agent.get(&format!("{base}/readyz")).call().map(|r| r.status().as_u16()).unwrap_or(0)
}

#[test]
fn readiness_follows_the_database_and_the_pool_recovers() {
    let Some((_schema, relay, location)) = relayed() else { return };
    let bw = Beltwatch::new();
    let token =
        ok(&bw.run(&["--db", &location, "admin", "bootstrap", "--user", "amina", "--format", "json"])).json()["secret"]
            .as_str()
            .expect("secret")
            .to_owned();
    let config = bw.write("beltwatch.toml", "");
    let node = serve(&location, &config, "node-r");
    let base = node.base.as_deref().expect("a serving node");
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    assert_eq!(ready(&agent, base), 200);

    relay.cut();
    wait_for("readiness to report the database gone", Duration::from_secs(30), || ready(&agent, base) == 503);
    // Requests that need the database say so the same way; the process itself is up.
    assert_eq!(events_status(&agent, base, &token), 503);
    assert_eq!(agent.get(&format!("{base}/healthz")).call().map(|r| r.status().as_u16()).unwrap_or(0), 200);

    relay.restore();
    wait_for("readiness to come back with the database", Duration::from_secs(30), || ready(&agent, base) == 200);
    assert_eq!(events_status(&agent, base, &token), 200);
}

#[test]
fn a_slow_and_failing_receiver_gets_each_delivery_once_and_a_stopping_node_hands_its_work_back() {
    let Some(schema) = pg::Schema::new() else { return };
    let url = schema.location();
    let bw = Beltwatch::new();
    let config = bw.write("beltwatch.toml", "");
    let reports = bw.path("reports");
    ok(&bw.run(&["generate", "--out", &reports.display().to_string(), "--count", "40", "--seed", "41"]));
    let token =
        ok(&bw.run(&["--db", &url, "admin", "bootstrap", "--user", "amina", "--format", "json"])).json()["secret"]
            .as_str()
            .expect("secret")
            .to_owned();
    // A receiver that refuses the first posts, then takes its time over each, one at a time.
    let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
    let hook = format!("http://127.0.0.1:{}/hooks", listener.local_addr().expect("address").port());
    let received: Arc<Mutex<Vec<Received>>> = Arc::new(Mutex::new(Vec::new()));
    let receiver = Receiver::start_slow(listener, 200, Duration::from_millis(300), 6, received.clone());
    for (name, category) in [("Clashes", "border_incident"), ("Seizures", "drug_trafficking")] {
        ok(&bw.run(&[
            "--db",
            &url,
            "alerts",
            "add-rule",
            name,
            "--category",
            category,
            "--webhook",
            &hook,
            "--secret",
            SECRET,
        ]));
    }
    let mut a = serve(&url, &config, "node-a");
    wait_for("node-a to hold the alerts lease", Duration::from_secs(30), || {
        schema.count("SELECT count(*) FROM leases WHERE name = 'alerts' AND holder = 'node-a'") == 1
    });
    let b = serve(&url, &config, "node-b");
    let streamed = listen(b.base.as_deref().expect("a serving node"), &token);
    ok(&bw.run(&["--db", &url, "ingest", &reports.display().to_string()]));
    wait_for("alerts to be raised", Duration::from_secs(60), || {
        schema.count("SELECT count(*) FROM alert_watermark WHERE seq = (SELECT coalesce(max(seq), 0) FROM events)") == 1
    });
    wait_for("the first deliveries", Duration::from_secs(60), || received.lock().expect("log").len() >= 3);

    // SIGTERM while deliveries are under way: the node stops within seconds, and what it
    // had taken is handed back.
    let stopping = Instant::now();
    let status = Command::new("kill").args(["-TERM", &a.child.id().to_string()]).status().expect("kill runs");
    assert!(status.success());
    let stopped = loop {
        if a.child.try_wait().expect("wait").is_some() {
            break true;
        }
        if stopping.elapsed() > Duration::from_secs(10) {
            break false;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    eprintln!("node-a stopped {} ms after SIGTERM", stopping.elapsed().as_millis());
    assert!(stopped, "a stopping node exits within ten seconds");
    assert_eq!(schema.count("SELECT count(*) FROM webhook_outbox WHERE claimed_by = 'node-a'"), 0, "handed back");

    wait_for("the outbox to empty", Duration::from_secs(180), || {
        schema.count("SELECT count(*) FROM webhook_outbox WHERE delivered_at IS NULL") == 0
    });
    std::thread::sleep(Duration::from_millis(500));
    receiver.stop();
    let received = received.lock().expect("log").clone();
    // Each delivery accepted once; the refused ones came again, with their ids.
    let refused = received.iter().filter(|r| r.answered == 503).count();
    assert_eq!(refused, 6);
    let mut seen = BTreeMap::new();
    for r in received.iter().filter(|r| r.answered == 200) {
        *seen.entry(r.delivery.clone()).or_insert(0) += 1;
    }
    let retried: BTreeSet<&str> = received.iter().filter(|r| r.answered == 503).map(|r| r.delivery.as_str()).collect();
    assert!(retried.iter().all(|id| seen.contains_key(*id)), "every refused delivery came again and was accepted");
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    let outbox = schema.count("SELECT count(*) FROM webhook_outbox");
    eprintln!("{} deliveries, {} posts ({refused} refused), {} accepted twice", outbox, received.len(), twice.len());
    // The posts under way when a node stops are answered before it exits: none twice.
    assert!(twice.is_empty(), "posted twice: {twice:?}");
    assert_eq!(seen.len() as i64, outbox, "every delivery arrived");

    // B's stream carries exactly the alerts raised, though A raised them.
    let alerts = schema.count("SELECT count(*) FROM alerts");
    wait_for("node-b's stream to carry every alert", Duration::from_secs(30), || {
        streamed.lock().expect("stream").len() as i64 >= alerts
    });
    let ids: BTreeSet<String> = streamed.lock().expect("stream").iter().cloned().collect();
    assert_eq!(ids.len() as i64, alerts, "node-b streamed each alert once");
    drop(b);
}
