//! The server over loopback: a started `beltwatch serve` and requests to it.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Child;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::Beltwatch;

pub struct Server {
    pub child: Child,
    pub base: String,
    pub agent: ureq::Agent,
}

impl Server {
    pub fn start(db: &Path) -> Self {
        let (child, base) = super::spawn_server(db, &["--rate-limit", "100000", "--burst", "100000"]);
        // A connection per request: the server closes a connection whose request body it
        // refused unread, and a pooled client would find it closed.
        let agent = ureq::Agent::config_builder().http_status_as_error(false).max_idle_connections(0).build().into();
        Server { child, base, agent }
    }

    pub fn call(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> (u16, Value) {
        let url = format!("{}{path}", self.base);
        let auth = token.map(|t| format!("Bearer {t}"));
        let response = match (method, body) {
            ("get", _) => {
                let mut r = self.agent.get(&url);
                if let Some(a) = &auth {
                    r = r.header("Authorization", a);
                }
                r.call()
            }
            ("delete", _) => {
                let mut r = self.agent.delete(&url);
                if let Some(a) = &auth {
                    r = r.header("Authorization", a);
                }
                r.call()
            }
            (_, body) => {
                let mut r = self.agent.post(&url).header("Content-Type", "application/json");
                if let Some(a) = &auth {
                    r = r.header("Authorization", a);
                }
                r.send(body.unwrap_or(json!({})).to_string())
            }
        };
        let mut response = response.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = response.status().as_u16();
        // A stream never ends: its headers are the answer.
        if path.ends_with("/stream") {
            let kind = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
            return (status, Value::String(kind.to_owned()));
        }
        let text = response.body_mut().read_to_string().unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    pub fn get(&self, path: &str, token: &str) -> (u16, Value) {
        self.call("get", path, Some(token), None)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn bootstrap(bw: &Beltwatch) -> String {
    let run = bw.run(&["admin", "bootstrap", "--user", "amina", "--format", "json"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    run.json()["secret"].as_str().expect("secret").to_owned()
}

/// Makes a user with a role and returns a token for them, through the API.
pub fn user_with_token(server: &Server, admin: &str, name: &str, organisation: &str, role: &str) -> String {
    let (status, user) = server.call(
        "post",
        "/api/v1/users",
        Some(admin),
        Some(json!({ "name": name, "organisation": organisation, "role": role })),
    );
    assert_eq!(status, 201, "{user}");
    let (status, token) =
        server.call("post", "/api/v1/tokens", Some(admin), Some(json!({ "label": "test", "user": user["id"] })));
    assert_eq!(status, 201, "{token}");
    token["secret"].as_str().expect("secret").to_owned()
}

/// Opens the alert stream of the server on `port` with `token`, resuming after the alert
/// `last` when given. The lines it carries arrive in the returned list; the thread that
/// reads them ends when the server closes the connection.
pub fn alert_stream(
    port: u16,
    token: &str,
    last: Option<&str>,
) -> (Arc<Mutex<Vec<String>>>, TcpStream, std::thread::JoinHandle<()>) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let resume = last.map(|id| format!("Last-Event-ID: {id}\r\n")).unwrap_or_default();
    write!(
        stream,
        "GET /api/v1/alerts/stream HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\n\
         Accept: text/event-stream\r\nConnection: close\r\n{resume}\r\n"
    )
    .expect("request");
    let lines: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(Vec::new()));
    let sink = lines.clone();
    let reading = stream.try_clone().expect("clone");
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(reading).lines().map_while(Result::ok) {
            sink.lock().expect("lines").push(line);
        }
    });
    (lines, stream, reader)
}
