//! Drives the real `beltwatch` binary in a temporary folder.

#![allow(dead_code)] // each test file uses its own part of this

pub mod http;
pub mod records;
pub mod webhook;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Beltwatch {
    pub dir: tempfile::TempDir,
}

pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    /// The JSON lines of a `--format json` ingest: outcomes, then the summary.
    pub fn json_lines(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
            .collect()
    }

    pub fn summary(&self) -> serde_json::Value {
        self.json_lines().into_iter().find_map(|v| v.get("summary").cloned()).expect("a summary line")
    }
}

impl Beltwatch {
    pub fn new() -> Self {
        Self { dir: tempfile::tempdir().expect("temp dir") }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn db(&self) -> PathBuf {
        self.path("store.sqlite")
    }

    /// A `beltwatch` command with the test's store, run in the test's folder, with no
    /// configuration from the environment.
    pub fn command(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_beltwatch"));
        command
            .current_dir(self.dir.path())
            .env_remove("BELTWATCH_CONFIG")
            .env_remove("BELTWATCH_TLP")
            .env_remove("BELTWATCH_MAX_DOCUMENT_BYTES")
            .env_remove("BELTWATCH_MAX_INPUT_BYTES")
            .env_remove("RUST_LOG")
            .env("BELTWATCH_DB", self.db());
        command
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let output = self.command().args(args).output().expect("beltwatch runs");
        run_of(output)
    }

    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create folder");
        }
        std::fs::write(&path, bytes).expect("write file");
        path
    }

    /// Registers the organisations `other` knows as partners of this instance, under
    /// their ids: what an admin does before importing or pulling another instance's
    /// records (imports never add organisations).
    pub fn trust_organisations_of(&self, other: &Beltwatch) {
        let known = self.run(&["--format", "json", "admin", "organisations"]);
        assert_eq!(known.status, 0, "{}", known.stderr);
        let known = known.json();
        let listed = other.run(&["--format", "json", "admin", "organisations"]);
        assert_eq!(listed.status, 0, "{}", listed.stderr);
        for org in listed.json().as_array().expect("organisations") {
            let (id, name) = (org["id"].as_str().expect("id"), org["name"].as_str().expect("name"));
            if known.as_array().expect("organisations").iter().any(|k| k["id"] == id) {
                continue;
            }
            let run = self.run(&["admin", "add-organisation", &format!("{name} ({id})"), "--id", id]);
            assert_eq!(run.status, 0, "{}", run.stderr);
        }
    }

    pub fn document_count(&self) -> u64 {
        let run = self.run(&["documents", "--format", "json", "--limit", "1"]);
        assert_eq!(run.status, 0, "{}", run.stderr);
        run.json()["total"].as_u64().expect("total")
    }
}

pub fn run_of(output: Output) -> Run {
    Run {
        status: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The repository's `samples/` folder.
pub fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples")
}

/// Starts `beltwatch serve` on a free loopback port with the store `db` and `extra`
/// arguments; returns the process and its base URL once it listens. Its standard error
/// is drained in the background so that it never blocks.
pub fn spawn_server(db: &Path, extra: &[&str]) -> (std::process::Child, String) {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_beltwatch"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(extra)
        .env("BELTWATCH_DB", db)
        .env_remove("BELTWATCH_CONFIG")
        .env_remove("RUST_LOG")
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("the server starts");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let base = loop {
        let line = lines.next().expect("the server says where it listens").expect("a line");
        if let Some(url) = line.strip_prefix("beltwatch listening on ") {
            break url.trim().to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});
    (child, base)
}

/// The Python of the peer tools' virtual environment (`scripts/peers/setup.sh`),
/// installed on first use. Test binaries that run at once take turns through a lock file.
pub fn peers_python() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let venv = std::env::var_os("BELTWATCH_PEERS").map(PathBuf::from).unwrap_or_else(|| root.join("target/peers/venv"));
    std::fs::create_dir_all(venv.parent().expect("the venv has a parent")).expect("peers folder");
    let lock = std::fs::File::create(venv.with_extension("lock")).expect("peers lock file");
    lock.lock().expect("locking the peers folder");
    let status = Command::new("bash")
        .arg(root.join("scripts/peers/setup.sh"))
        .env("BELTWATCH_PEERS", &venv)
        .status()
        .expect("running scripts/peers/setup.sh");
    assert!(status.success(), "scripts/peers/setup.sh failed: the peer tools are needed by this test");
    venv.join("bin/python")
}

/// Runs a Python script of `tests/peers/` with the peer tools' Python.
pub fn peer_script(script: &str, args: &[&str]) -> Run {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers").join(script);
    run_of(Command::new(peers_python()).arg(path).args(args).output().expect("running a peer script"))
}
