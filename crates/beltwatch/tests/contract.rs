//! The contract as documented, against the real binary and server over loopback: every
//! error is RFC 9457 problem details, including what the HTTP layer answers before any
//! route runs (sent here over a raw socket, since an HTTP client refuses to send such
//! requests); invalid fields are named by their path; the OpenAPI description types every
//! parameter and field and lists every status, and schemathesis, run against it, finds
//! nothing the server does that it does not say. Also what imports say about files they
//! read, and which sectors a level rule fires for.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Child;
use std::time::{Duration, Instant};

use chrono::Utc;
use common::Beltwatch;
use common::http::bootstrap;
use model::{Category, Distribution, Marking, Tlp};
use serde_json::{Value, json};
use store::Store;

struct Served {
    child: Child,
    base: String,
    agent: ureq::Agent,
}

impl Served {
    fn start(db: &Path, extra: &[&str]) -> Self {
        let mut args = vec!["--rate-limit", "100000", "--burst", "100000"];
        args.extend_from_slice(extra);
        let (child, base) = common::spawn_server(db, &args);
        let agent = ureq::Agent::config_builder().http_status_as_error(false).max_idle_connections(0).build().into();
        Served { child, base, agent }
    }

    /// A request with a body sent as it is, under any Content-Type: the status, the
    /// Content-Type and the body as JSON (or as a string).
    fn send(&self, method: &str, path: &str, token: &str, content_type: Option<&str>, body: &[u8]) -> Answer {
        let url = format!("{}{path}", self.base);
        let request =
            ureq::http::Request::builder().method(method).uri(&url).header("Authorization", format!("Bearer {token}"));
        let request = match content_type {
            Some(kind) => request.header("Content-Type", kind),
            None => request,
        };
        let request = request.body(body.to_vec()).expect("a request");
        let mut response = self.agent.run(request).unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let kind = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let allow = response.headers().get("allow").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let text = response.body_mut().read_to_string().unwrap_or_default();
        Answer {
            status: response.status().as_u16(),
            kind,
            allow,
            body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
        }
    }

    fn get(&self, path: &str, token: &str) -> Answer {
        self.send("GET", path, token, None, b"")
    }

    fn post(&self, path: &str, token: &str, body: &Value) -> Answer {
        self.send("POST", path, token, Some("application/json"), body.to_string().as_bytes())
    }

    /// Bytes written straight to the server's socket, and what it answers.
    fn raw(&self, request: &[u8]) -> Answer {
        let address = self.base.trim_start_matches("http://");
        let mut socket = TcpStream::connect(address).expect("connect");
        socket.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
        // The server may answer and close before it has read everything sent.
        let _ = socket.write_all(request);
        let mut bytes = Vec::new();
        let _ = socket.read_to_end(&mut bytes);
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or_else(|| panic!("no answer: {text:?}"));
        let status = head.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
        let header = |name: &str| {
            head.lines().find_map(|l| {
                l.split_once(':').filter(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim().to_owned())
            })
        };
        Answer {
            status,
            kind: header("content-type").unwrap_or_default(),
            allow: header("allow"),
            body: serde_json::from_str(body).unwrap_or(Value::String(body.to_owned())),
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
struct Answer {
    status: u16,
    kind: String,
    allow: Option<String>,
    body: Value,
}

impl Answer {
    /// Asserts that this is problem details with `status`; returns the fields named.
    fn problem(&self, status: u16) -> Vec<String> {
        assert_eq!(self.status, status, "{self:#?}");
        assert_eq!(self.kind, "application/problem+json", "{self:#?}");
        assert_eq!(self.body["status"], status, "{self:#?}");
        assert!(self.body["title"].is_string() && self.body["type"].is_string(), "{self:#?}");
        assert!(self.body["detail"].as_str().is_some_and(|d| !d.is_empty()), "{self:#?}");
        let errors = self.body["errors"].as_array().cloned().unwrap_or_default();
        errors.iter().filter_map(|e| e["field"].as_str().map(str::to_owned)).collect()
    }
}

fn ok(run: &common::Run) {
    assert_eq!(run.status, 0, "stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
}

/// A store with the sample reports and an admin's token.
fn with_samples() -> (Beltwatch, String) {
    let bw = Beltwatch::new();
    ok(&bw.run(&["ingest", &common::samples().display().to_string()]));
    let token = bootstrap(&bw);
    (bw, token)
}

#[test]
fn every_error_is_problem_details() {
    let (bw, token) = with_samples();
    let server = Served::start(&bw.db(), &[]);

    // The router's and the extractors' own answers.
    let answer = server.send("PUT", "/api/v1/events", &token, None, b"");
    answer.problem(405);
    assert!(answer.allow.as_deref().is_some_and(|a| a.contains("GET")), "{answer:#?}");
    server.get("/assets/no-such-file.js", &token).problem(404);
    server.get("/api/v1/no-such-route", &token).problem(404);
    let big = format!("{{\"label\": \"{}\"}}", "x".repeat(2 * 1024 * 1024));
    let request = format!(
        "POST /api/v1/tokens HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{big}",
        big.len()
    );
    server.raw(request.as_bytes()).problem(413);
    // Not UTF-8 once percent-decoded, in a path and in a query.
    server.get("/api/v1/documents/%FF%FE", &token).problem(400);
    assert_eq!(server.get("/api/v1/search?q=%FF", &token).problem(400), ["query.q"]);

    // What hyper answers before any route runs, rewritten as problems.
    let url = format!("GET /{} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(70 * 1024));
    server.raw(url.as_bytes()).problem(414);
    let mut many = String::from("GET /healthz HTTP/1.1\r\nHost: x\r\n");
    for n in 0..200 {
        many.push_str(&format!("X-Header-{n}: {n}\r\n"));
    }
    many.push_str("\r\n");
    server.raw(many.as_bytes()).problem(431);
    server
        .raw(b"POST /api/v1/tokens HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ten\r\n\r\n{}")
        .problem(400);
    server.raw(b"GET /api/v1/even\xffts HTTP/1.1\r\nHost: x\r\n\r\n").problem(400);
    // One after a good answer on the same connection: the good one is left as it was.
    let both =
        server.raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nContent-Length: 1, 2\r\n\r\n");
    assert_eq!(both.status, 200, "{both:#?}");
    assert!(both.body.as_str().is_some_and(|b| b.contains("\"status\":400")), "{both:#?}");
    // An invalid UTF-8 body, sent as JSON.
    let answer = server.send("POST", "/api/v1/tokens", &token, Some("application/json"), b"{\"label\": \"\xff\"}");
    assert_eq!(answer.problem(400), ["body"]);
}

#[test]
fn bodies_and_parameters_are_named_by_their_path() {
    let (bw, token) = with_samples();
    let server = Served::start(&bw.db(), &["--allow-private-webhooks"]);

    // JSON sent as something else.
    server.send("POST", "/api/v1/tokens", &token, Some("text/plain"), br#"{"label": "x"}"#).problem(415);
    server.send("POST", "/api/v1/tokens", &token, None, br#"{"label": "x"}"#).problem(415);
    let answer =
        server.send("POST", "/api/v1/tokens", &token, Some("application/json; charset=utf-8"), br#"{"label": "x"}"#);
    assert_eq!(answer.status, 201, "{answer:#?}");

    // Wrong types and values, each named where it is.
    let rule = json!({
        "name": "Panj",
        "condition": { "level_at_least": "extreme", "area": [[69.0, 37.0], [69.5, 37.0], [69.5, 95.0]] },
        "webhook_url": 5,
        "webhook_secret": "a-secret-of-sixteen-or-more",
    });
    let fields = server.post("/api/v1/alert-rules", &token, &rule).problem(422);
    assert_eq!(fields, ["body.condition.area[2]", "body.condition.level_at_least", "body.webhook_url"]);
    // JSON that does not parse names where it stopped.
    let answer = server.send(
        "POST",
        "/api/v1/alert-rules",
        &token,
        Some("application/json"),
        br#"{"name": "x", "condition": {"area": [[1, 2], [3,"#,
    );
    assert_eq!(answer.problem(422), ["body.condition.area[1]"]);
    // Sectors and actors that do not exist here.
    let rule = json!({ "name": "x", "condition": { "sector": "AF-TJ-999", "actor": "no-such-group" } });
    let fields = server.post("/api/v1/alert-rules", &token, &rule).problem(422);
    assert_eq!(fields, ["body.condition.actor", "body.condition.sector"]);
    // The same names, known, are taken.
    let rule = json!({ "name": "x", "condition": { "sector": "AF-TJ-001", "actor": "iskp" } });
    assert_eq!(server.post("/api/v1/alert-rules", &token, &rule).status, 201);
    // A condition that asks for nothing, and a webhook without its secret.
    let rule = json!({ "name": "x", "condition": { "spike": false }, "webhook_url": "https://desk.example/hook" });
    let fields = server.post("/api/v1/alert-rules", &token, &rule).problem(422);
    assert_eq!(fields, ["body.condition", "body.webhook_secret"]);
    // Unknown fields, missing ones, blank text, a whole number written as one.
    let fields = server.post("/api/v1/tokens", &token, &json!({ "lable": "x", "days": 0 })).problem(422);
    assert_eq!(fields, ["body.lable", "body.label", "body.days"]);
    let fields = server.post("/api/v1/tokens", &token, &json!({ "label": " \t", "days": 1.5 })).problem(422);
    assert_eq!(fields, ["body.label", "body.days"]);
    assert_eq!(server.post("/api/v1/tokens", &token, &json!({ "label": "x", "days": 30.0 })).status, 201);
    // A member that does not exist is named.
    let group = json!({ "name": "g", "members": ["0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"] });
    assert_eq!(server.post("/api/v1/sharing-groups", &token, &group).problem(422), ["body.members"]);

    // Cursors that the server did not write, and other malformed parameters.
    for cursor in ["garbage", "x~5", "~-1", "2026-11-23~17", "%00~1"] {
        let fields = server.get(&format!("/api/v1/events?after={cursor}"), &token).problem(422);
        assert_eq!(fields, ["query.after"], "{cursor}");
        let fields = server.get(&format!("/api/v1/documents?after={cursor}"), &token).problem(422);
        assert_eq!(fields, ["query.after"], "{cursor}");
    }
    let page = server.get("/api/v1/events?limit=1", &token);
    let next = page.body["next"].as_str().expect("a next page").to_owned();
    assert_eq!(server.get(&format!("/api/v1/events?limit=1&after={next}"), &token).status, 200);
    let fields = server.get("/api/v1/events?limit=&since=2026-11-01T00:00:00&limit=2&colour=red", &token).problem(422);
    // limit is given twice, and empty the first time.
    assert_eq!(fields, ["query.limit", "query.since", "query.limit", "query.colour"]);
    let fields = server.get("/api/v1/sectors?border=af-xx&as_of=2026-02-30", &token).problem(422);
    assert_eq!(fields, ["query.border", "query.as_of"]);
    assert_eq!(server.get("/api/v1/events/not-a-uuid", &token).problem(422), ["path.id"]);
    assert_eq!(server.get("/api/v1/sectors/af-tj-001", &token).problem(422), ["path.id"]);
    // A well-formed id of nothing is not found, with the reason.
    server.get("/api/v1/sectors/AF-TJ-999", &token).problem(404);
    server.get("/api/v1/sectors/AF-TJ-999/explanation", &token).problem(404);
    server.get("/api/v1/documents/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", &token).problem(404);
}

#[test]
fn the_description_types_every_parameter_and_lists_every_status() {
    let (bw, token) = with_samples();
    let server = Served::start(&bw.db(), &[]);
    let spec = server.get("/openapi.json", &token).body;
    let mut operations = 0;
    for (path, methods) in spec["paths"].as_object().expect("paths") {
        for (method, operation) in methods.as_object().expect("methods") {
            operations += 1;
            let name = format!("{method} {path}");
            for parameter in operation["parameters"].as_array().expect("parameters") {
                let schema = &parameter["schema"];
                assert!(schema["type"].is_string() || schema["anyOf"].is_array(), "{name}: {parameter}");
                assert!(parameter["required"].is_boolean(), "{name}: {parameter}");
            }
            if let Some(body) = operation.get("requestBody") {
                let schema = &body["content"]["application/json"]["schema"];
                assert_eq!(schema["additionalProperties"], false, "{name}");
                for (field, property) in schema["properties"].as_object().expect("properties") {
                    assert!(property["type"].is_string(), "{name}: {field}: {property}");
                }
                assert!(schema["required"].as_array().is_some_and(|r| !r.is_empty()), "{name}");
            }
            let responses = operation["responses"].as_object().expect("responses");
            for status in ["400", "414", "431", "503"] {
                assert!(responses.contains_key(status), "{name} lacks {status}");
            }
            if operation.get("security").and_then(Value::as_array).is_some_and(|s| !s.is_empty()) {
                for status in ["401", "429"] {
                    assert!(responses.contains_key(status), "{name} lacks {status}");
                }
                assert_eq!(responses["429"]["headers"]["Retry-After"]["required"], true, "{name}");
            }
            for (status, response) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    let content = &response["content"]["application/problem+json"]["schema"]["$ref"];
                    let shared = response["$ref"].as_str().is_some_and(|r| r.starts_with("#/components/responses/"));
                    assert!(content == "#/components/schemas/Problem" || shared, "{name} {status}: {response}");
                }
            }
            if path.contains("{id}") && path != "/api/v1/alerts/{id}/acknowledge" && path != "/api/v1/alerts/{id}/close"
            {
                assert!(responses.contains_key("404"), "{name} lacks 404");
            }
        }
    }
    assert_eq!(operations, api::routes::ROUTES.len());
    // The sectors and actors a rule may name are listed.
    let condition = &spec["paths"]["/api/v1/alert-rules"]["post"]["requestBody"]["content"]["application/json"]["schema"]
        ["properties"]["condition"]["properties"];
    let sectors = condition["sector"]["enum"].as_array().expect("the sectors");
    assert!(sectors.len() > 100 && sectors.contains(&json!("AF-TJ-001")), "{}", sectors.len());
    assert!(condition["actor"]["enum"].as_array().is_some_and(|a| a.contains(&json!("iskp"))));
}

#[test]
fn a_level_rule_fires_only_for_sectors_with_incidents() {
    let bw = Beltwatch::new();
    let token = bootstrap(&bw);
    {
        let store = Store::open_sqlite(&bw.db()).expect("store");
        common::records::ensure_outlets(&store);
        let owner = store.local_organisation().expect("local").id;
        let marking = Marking { owner, tlp: Tlp::Amber, distribution: Distribution::Organisation };
        let today = Utc::now().date_naive();
        // One incident near Panj, on the Afghan–Tajik border.
        let report = common::records::report(1, marking, today, [68.52, 37.21], Category::DrugTrafficking);
        store.insert_documents(&[report]).expect("insert");
        let condition = model::AlertCondition { level_at_least: Some(model::ThreatLevel::Low), ..Default::default() };
        store.create_alert_rule(owner, "Any level", &condition, None).expect("a rule");
    }
    let server = Served::start(&bw.db(), &["--alert-interval-ms", "200"]);
    let started = Instant::now();
    let alerts = loop {
        let alerts = server.get("/api/v1/alerts", &token).body["items"].as_array().cloned().unwrap_or_default();
        if !alerts.is_empty() {
            break alerts;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "no alert was raised");
        std::thread::sleep(Duration::from_millis(100));
    };
    // A pass raises every alert it finds at once.
    let sectors = server.get("/api/v1/sectors", &token).body["sectors"].as_array().cloned().expect("sectors");
    let mut with_incidents: Vec<&str> = sectors
        .iter()
        .filter(|s| s["incidents"].as_u64().is_some_and(|n| n > 0))
        .filter_map(|s| s["id"].as_str())
        .collect();
    let mut fired: Vec<&str> = alerts.iter().filter_map(|a| a["sector"].as_str()).collect();
    with_incidents.sort_unstable();
    fired.sort_unstable();
    assert_eq!(with_incidents.len(), 1, "one sector has the incident");
    assert_eq!(fired, with_incidents, "{} sectors are watched", sectors.len());
}

#[test]
fn the_command_line_refuses_rules_on_unknown_sectors_and_actors_too() {
    let bw = Beltwatch::new();
    for (flag, value) in [("--sector", "AF-TJ-999"), ("--actor", "no-such-group")] {
        let run = bw.run(&["alerts", "add-rule", "x", flag, value]);
        assert_ne!(run.status, 0, "{flag} {value}");
        assert!(run.stderr.contains(flag) && run.stderr.contains(value), "{}", run.stderr);
    }
    ok(&bw.run(&["alerts", "add-rule", "x", "--sector", "AF-TJ-001", "--actor", "iskp"]));
}

#[test]
fn acled_without_tags_is_imported_with_a_warning_naming_the_file_and_column() {
    let (bw, _) = with_samples();
    let run = bw.run(&["export", "acled"]);
    ok(&run);
    // The export without its last two columns, tags and timestamp.
    let cut: String = run
        .stdout
        .lines()
        .map(|line| {
            let mut fields = split_csv(line);
            fields.truncate(fields.len().saturating_sub(2));
            fields.iter().map(|f| format!("\"{}\"", f.replace('"', "\"\""))).collect::<Vec<_>>().join(",") + "\r\n"
        })
        .collect();
    assert!(run.stdout.starts_with("event_id_cnty,") && !cut.contains("\"tags\""));
    let other = Beltwatch::new();
    let file = other.write("partner.csv", cut);
    let run = other.run(&["import", &file.display().to_string()]);
    ok(&run);
    let warning = run.stderr.lines().find(|l| l.starts_with("warning:")).unwrap_or_else(|| panic!("{}", run.stderr));
    assert!(warning.contains(&file.display().to_string()) && warning.contains("\"tags\""), "{warning}");
    // In JSON, the warnings travel with the summary.
    let again = other.write("again.csv", std::fs::read(&file).expect("the file"));
    let run = other.run(&["--format", "json", "import", &again.display().to_string()]);
    ok(&run);
    let line: Value = serde_json::from_str(run.stdout.trim()).expect("a JSON line");
    let warnings = line["warnings"].as_array().expect("warnings");
    assert!(warnings.iter().any(|w| w["message"].as_str().is_some_and(|m| m.contains("\"tags\""))), "{line}");
    // The full export has nothing to warn of.
    let full = other.write("full.csv", bw.run(&["export", "acled"]).stdout);
    let run = other.run(&["import", &full.display().to_string()]);
    ok(&run);
    assert!(!run.stderr.contains("warning:"), "{}", run.stderr);
}

/// The fields of one CSV line (quoted fields may hold commas and doubled quotes).
fn split_csv(line: &str) -> Vec<String> {
    let (mut fields, mut field, mut quoted, mut chars) = (Vec::new(), String::new(), false, line.chars().peekable());
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field)),
            (other, _) => field.push(other),
        }
    }
    fields.push(field);
    fields
}

#[test]
fn stix_import_names_every_problem_of_an_object() {
    let (bw, _) = with_samples();
    let run = bw.run(&["export", "stix"]);
    ok(&run);
    let mut bundle: Value = serde_json::from_str(&run.stdout).expect("a bundle");
    let objects = bundle["objects"].as_array_mut().expect("objects");
    let incident = objects.iter_mut().find(|o| o["type"] == "incident").expect("an incident");
    let id = incident["id"].as_str().expect("an id").to_owned();
    let extension = incident["extensions"].as_object_mut().and_then(|e| e.values_mut().next()).expect("extension");
    extension["category"] = json!("smuggling");
    extension["confidence"] = json!("high");
    extension["stance"] = json!(7);
    let other = Beltwatch::new();
    let file = other.write("bundle.json", bundle.to_string());
    let run = other.run(&["import", &file.display().to_string()]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    let named: Vec<&str> = run.stderr.lines().filter(|l| l.contains(&id)).collect();
    for field in ["category", "confidence", "stance"] {
        assert!(named.iter().any(|l| l.contains(&format!("].{field} ("))), "{field}: {}", run.stderr);
    }
    assert_eq!(named.len(), 3, "{}", run.stderr);
    assert_eq!(other.document_count(), 0, "nothing is imported from a bundle with a problem");
}

/// schemathesis (`scripts/peers/requirements.txt`) runs every operation of
/// /openapi.json with generated requests, valid and invalid, and checks each answer
/// against the description: status, content type, headers and schema; that valid
/// requests are taken and invalid ones refused; that a missing or wrong token is refused.
/// The one operation left out is the alert stream: it never ends, so each request to it
/// would wait out the request timeout; `tests/alerts.rs` drives it.
#[test]
fn schemathesis_finds_nothing_the_description_does_not_say() {
    let (bw, token) = with_samples();
    let server = Served::start(&bw.db(), &["--allow-private-webhooks"]);
    // Ids that exist, for the operations that read one record: generated ids find
    // nothing, and the answers to real ones are checked too.
    let document = server.get("/api/v1/documents?limit=1", &token).body["items"][0]["id"].clone();
    let event = server.get("/api/v1/events?limit=1", &token).body["items"][0]["id"].clone();
    let shared = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/schemathesis.toml"))
        .expect("the configuration");
    let config = bw.write(
        "schemathesis.toml",
        format!(
            "{shared}\n[[operations]]\ninclude-path = \"/api/v1/documents/{{id}}\"\nparameters = {{ \"path.id\" = {document} }}\n\
             \n[[operations]]\ninclude-path = \"/api/v1/events/{{id}}\"\nparameters = {{ \"path.id\" = {event} }}\n"
        ),
    );
    let st = common::peers_python().with_file_name("st");
    let output = std::process::Command::new(st)
        .current_dir(bw.dir.path())
        .arg("--config-file")
        .arg(&config)
        .args(["--no-color", "run", &format!("{}/openapi.json", server.base)])
        // One worker: schemathesis's workers are threads, and Python 3.11's parser is not
        // safe to use from several at once ("AST constructor recursion depth mismatch").
        .args(["--checks", "all", "--max-examples", "50", "--workers", "1"])
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .args(["--exclude-path", "/api/v1/alerts/stream"])
        .args(["--generation-database", "none", "--output-truncate", "true"])
        .output()
        .expect("running schemathesis");
    let run = common::run_of(output);
    assert_eq!(run.status, 0, "schemathesis found failures:\n{}\n{}", run.stdout, run.stderr);
    // Its summary, for `cargo test -- --nocapture`.
    println!("{}", run.stdout);
    let tested = run.stdout.lines().find(|l| l.trim_start().starts_with("Tested:")).unwrap_or_default();
    let count: usize = tested.split(':').nth(1).and_then(|n| n.trim().parse().ok()).unwrap_or(0);
    assert_eq!(count, api::routes::ROUTES.len() - 1, "{}", run.stdout);
    // The token is still good: nothing in the run revoked it.
    assert_eq!(server.get("/api/v1/whoami", &token).status, 200);
}
