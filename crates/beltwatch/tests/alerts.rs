//! Alerts end to end: a rule with a webhook, a receiver on a loopback port that refuses
//! the first deliveries and is down across a server restart, and the promise that every
//! alert arrives once per delivery id, signed, with one incident firing once.

mod common;
#[path = "../../store/tests/support/pg.rs"]
mod pg;

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::Beltwatch;
use common::webhook::{Received, Receiver};

const SECRET: &str = "a-webhook-secret-of-ours";

fn serve(db: &Path) -> Child {
    // The test's receiver listens on loopback, which a server reaches only when allowed.
    common::spawn_server(db, &["--alert-interval-ms", "200", "--webhook-backoff-ms", "300", "--allow-private-webhooks"])
        .0
}

fn wait_for(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/incident").join(name).display().to_string()
}

#[test]
fn a_webhook_gets_every_alert_once_across_refusals_an_outage_and_a_restart() {
    let bw = Beltwatch::new();
    let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = listener.local_addr().expect("address").port();
    let url = format!("http://127.0.0.1:{port}/hooks/beltwatch");
    let run = bw.run(&[
        "alerts",
        "add-rule",
        "Border incidents",
        "--category",
        "border_incident",
        "--webhook",
        &url,
        "--secret",
        SECRET,
    ]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    // One incident, reported by three outlets in two languages.
    for (file, outlet) in
        [("asia-plus.md", "Asia-Plus"), ("reuters.md", "Reuters"), ("sputnik.md", "Sputnik Tajikistan")]
    {
        let run = bw.run(&["ingest", &fixture(file), "--source", outlet]);
        assert_eq!(run.status, 0, "{}", run.stderr);
    }

    let log: Arc<Mutex<Vec<Received>>> = Arc::new(Mutex::new(Vec::new()));
    let count = |log: &Arc<Mutex<Vec<Received>>>| log.lock().expect("log").len();
    // The receiver refuses the first attempts.
    let refusing = Receiver::start(listener, 503, log.clone());
    let mut server = serve(&bw.db());
    wait_for("two refused attempts", Duration::from_secs(30), || count(&log) >= 2);
    // The receiver goes down, and the server stops and starts again while it is down.
    refusing.stop();
    let _ = server.kill();
    let _ = server.wait();
    let mut server = serve(&bw.db());
    std::thread::sleep(Duration::from_millis(800));
    // The receiver comes back on the same port and accepts.
    let listener = TcpListener::bind(("127.0.0.1", port)).expect("the same port again");
    let accepting = Receiver::start(listener, 200, log.clone());
    wait_for("a delivery", Duration::from_secs(30), || log.lock().expect("log").iter().any(|r| r.answered == 200));
    // Nothing more arrives for what was delivered.
    std::thread::sleep(Duration::from_millis(1500));
    accepting.stop();
    let _ = server.kill();
    let _ = server.wait();

    let received = log.lock().expect("log").clone();
    let accepted: Vec<&Received> = received.iter().filter(|r| r.answered == 200).collect();
    assert_eq!(accepted.len(), 1, "one incident, one alert, delivered once: {received:#?}");
    let delivered = accepted[0];
    // Every attempt carried the same delivery id and a valid signature.
    for r in &received {
        assert_eq!(r.delivery, delivered.delivery, "{received:#?}");
        let expected =
            format!("sha256={}", api::auth::hex(&api::alerts::hmac_sha256(SECRET.as_bytes(), r.body.as_bytes())));
        assert_eq!(r.signature, expected);
    }
    assert!(received.iter().filter(|r| r.answered == 503).count() >= 2);
    let alert: serde_json::Value = serde_json::from_str(&delivered.body).expect("JSON");
    assert_eq!(alert["status"], "new");
    assert_eq!(alert["events"].as_array().map(Vec::len), Some(3), "{alert}");
    // The stored alert is the one delivered.
    let run = bw.run(&["alerts", "list", "--format", "json"]);
    let stored = run.json();
    assert_eq!(stored.as_array().map(Vec::len), Some(1), "{stored}");
    assert_eq!(stored[0]["id"], alert["id"]);
}

#[test]
fn the_stream_carries_new_alerts_and_ends_when_the_server_stops() {
    let bw = Beltwatch::new();
    let run = bw.run(&["admin", "bootstrap", "--user", "amina", "--format", "json"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let token = run.json()["secret"].as_str().expect("secret").to_owned();
    let run = bw.run(&["alerts", "add-rule", "Clashes", "--category", "border_incident"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let (mut server, port) = serve_on_known_port(&bw.db());
    let (lines, _connection, reader) = common::http::alert_stream(port, &token, None);
    for (file, outlet) in [("asia-plus.md", "Asia-Plus"), ("reuters.md", "Reuters")] {
        let run = bw.run(&["ingest", &fixture(file), "--source", outlet]);
        assert_eq!(run.status, 0, "{}", run.stderr);
    }
    wait_for("an alert on the stream", Duration::from_secs(30), || {
        lines.lock().expect("lines").iter().any(|l| l.starts_with("data:") && l.contains("Clashes"))
    });
    // SIGTERM with the stream open: the server ends the stream and stops.
    let status = Command::new("kill").args(["-TERM", &server.id().to_string()]).status().expect("kill runs");
    assert!(status.success());
    let started = Instant::now();
    loop {
        if server.try_wait().expect("wait").is_some() {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "the server did not stop with a stream open");
        std::thread::sleep(Duration::from_millis(50));
    }
    reader.join().expect("the stream ended");
    let alerts = lines.lock().expect("lines").iter().filter(|l| l.starts_with("event: alert")).count();
    assert_eq!(alerts, 1, "one incident, one alert");
}

/// Starts `beltwatch serve` on a free port known in advance, for raw connections to the
/// stream, and waits until it listens.
fn serve_on_known_port(db: &Path) -> (Child, u16) {
    let port = {
        let probe = TcpListener::bind("127.0.0.1:0").expect("port");
        probe.local_addr().expect("address").port()
    };
    let server = Command::new(env!("CARGO_BIN_EXE_beltwatch"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--alert-interval-ms", "200"])
        .env("BELTWATCH_DB", db)
        .env_remove("BELTWATCH_CONFIG")
        .stderr(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .expect("the server starts");
    wait_for("the server", Duration::from_secs(30), || TcpStream::connect(("127.0.0.1", port)).is_ok());
    (server, port)
}

fn ids(lines: &Mutex<Vec<String>>) -> Vec<String> {
    lines.lock().expect("lines").iter().filter_map(|l| l.strip_prefix("id: ").map(str::to_owned)).collect()
}

#[test]
fn a_stream_resumed_from_its_last_event_id_misses_nothing() {
    let bw = Beltwatch::new();
    let run = bw.run(&["admin", "bootstrap", "--user", "amina", "--format", "json"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let token = run.json()["secret"].as_str().expect("secret").to_owned();
    let run = bw.run(&["alerts", "add-rule", "Anything", "--category", "drug_trafficking"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let (mut server, port) = serve_on_known_port(&bw.db());
    let (first, connection, _) = common::http::alert_stream(port, &token, None);
    let out = bw.path("first");
    let run = bw.run(&["generate", "--out", out.to_str().expect("path"), "--count", "4", "--seed", "31"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let run = bw.run(&["ingest", out.to_str().expect("path")]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    wait_for("an alert on the stream", Duration::from_secs(30), || !ids(&first).is_empty());
    let seen = ids(&first)[0].clone();
    // The client goes away; more alerts are raised meanwhile.
    let _ = connection.shutdown(std::net::Shutdown::Both);
    let more = bw.path("more");
    let run = bw.run(&["generate", "--out", more.to_str().expect("path"), "--count", "40", "--seed", "32"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let run = bw.run(&["ingest", more.to_str().expect("path")]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let stored = || -> Vec<String> {
        let run = bw.run(&["--format", "json", "alerts", "list"]);
        assert_eq!(run.status, 0, "{}", run.stderr);
        let mut all: Vec<String> =
            run.json().as_array().expect("alerts").iter().filter_map(|a| a["id"].as_str().map(str::to_owned)).collect();
        all.sort();
        all
    };
    wait_for("more alerts", Duration::from_secs(30), || stored().len() > 2);
    let later: Vec<String> = stored().into_iter().filter(|id| *id > seen).collect();
    // Reconnecting with the last id received brings every later alert, in order.
    let (resumed, _connection, _) = common::http::alert_stream(port, &token, Some(&seen));
    wait_for("the alerts missed", Duration::from_secs(10), || ids(&resumed).len() >= later.len());
    let got = ids(&resumed);
    assert_eq!(got[..later.len()], later[..], "every alert raised after the last one received, none twice");
    let _ = server.kill();
    let _ = server.wait();
}

/// The alerts a store holds, each as its rule's name and the events it covers.
fn alert_set(bw: &Beltwatch, db: &str) -> std::collections::BTreeSet<String> {
    let run = bw.run(&["--db", db, "--format", "json", "alerts", "list", "--limit", "5000"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    run.json()
        .as_array()
        .expect("alerts")
        .iter()
        .map(|a| {
            let mut events: Vec<&str> =
                a["events"].as_array().expect("events").iter().filter_map(|e| e.as_str()).collect();
            events.sort_unstable();
            format!(
                "{} {}",
                a["title"].as_str().unwrap_or_default().split(':').next().unwrap_or_default(),
                events.join(" ")
            )
        })
        .collect()
}

/// The same reports in random orders and batches raise the same alerts: one per rule and
/// incident, whatever arrives first.
fn same_alerts_whatever_the_order(db_of: &dyn Fn(usize) -> String) {
    let bw = Beltwatch::new();
    let out = bw.path("reports");
    let run = bw.run(&["generate", "--out", out.to_str().expect("path"), "--count", "150", "--seed", "9"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let mut files: Vec<String> = std::fs::read_dir(&out)
        .expect("reports")
        .filter_map(|e| e.ok().map(|e| e.path().display().to_string()))
        .collect();
    files.sort();
    let mut random = common::records::SplitMix(17);
    let mut sets = Vec::new();
    for trial in 0..4 {
        let db = db_of(trial);
        for (name, category) in [("Seizures", "drug_trafficking"), ("Clashes", "border_incident")] {
            let run = bw.run(&["--db", &db, "alerts", "add-rule", name, "--category", category]);
            assert_eq!(run.status, 0, "{}", run.stderr);
        }
        // The first trial reads everything at once; the others shuffled, in random batches.
        let mut order = files.clone();
        if trial > 0 {
            for i in (1..order.len()).rev() {
                order.swap(i, random.below(i + 1));
            }
        }
        let mut rest = &order[..];
        while !rest.is_empty() {
            let take = if trial == 0 { rest.len() } else { (1 + random.below(40)).min(rest.len()) };
            let (batch, left) = rest.split_at(take);
            let mut args = vec!["--db", db.as_str(), "ingest"];
            args.extend(batch.iter().map(String::as_str));
            let run = bw.run(&args);
            assert_eq!(run.status, 0, "{}", run.stderr);
            let run = bw.run(&["--db", &db, "alerts", "check"]);
            assert_eq!(run.status, 0, "{}", run.stderr);
            rest = left;
        }
        sets.push(alert_set(&bw, &db));
    }
    assert!(sets[0].len() > 20, "the reports raise alerts: {}", sets[0].len());
    for (trial, set) in sets.iter().enumerate().skip(1) {
        let missing: Vec<_> = sets[0].difference(set).take(3).collect();
        let extra: Vec<_> = set.difference(&sets[0]).take(3).collect();
        assert!(missing.is_empty() && extra.is_empty(), "trial {trial}: missing {missing:?}, extra {extra:?}");
    }
}

#[test]
fn the_same_reports_in_any_order_raise_the_same_alerts_on_sqlite() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().to_path_buf();
    same_alerts_whatever_the_order(&|trial| path.join(format!("trial-{trial}.sqlite")).display().to_string());
}

#[test]
fn the_same_reports_in_any_order_raise_the_same_alerts_on_postgres() {
    let schemas: Vec<pg::Schema> = (0..4).map_while(|_| pg::Schema::new()).collect();
    if schemas.len() < 4 {
        return;
    }
    same_alerts_whatever_the_order(&|trial| schemas[trial].location());
}
