//! The web dashboard end to end, in Debian's headless Chromium driven by Playwright
//! (`tests/dashboard/e2e.mjs`): stores prepared with the command line, the real server,
//! and the browser doing what an analyst does. Screenshots go to `target/dashboard/`.
//!
//! Needs `chromium` (`apt-get install -y chromium`) and the test's node modules
//! (`npm ci --prefix tests/dashboard`): the test runs `scripts/dashboard/setup.sh` to
//! install them on first use, and fails with a message saying what is missing if that
//! could not.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::Mutex;
use std::time::Instant;

use common::{Beltwatch, Run};

/// The scenarios take turns: two browsers and two servers on a small machine would
/// measure each other.
static BROWSER: Mutex<()> = Mutex::new(());

const RESTRICTED_WORD: &str = "Кобальт";

const MONTH_WORD: &str = "Lazurit";

/// A report dated only to the month: the dashboard shows "May 2022", not a day.
const MONTH_REPORT: &str = "---
title: Lazurit working group, monthly review
published: 2022-05
source: Border trade bulletin
language: en
---
The Lazurit working group reviewed the month's cross-border trade statistics.
";

/// A report of the local organisation only: no partner may see it.
const RESTRICTED_REPORT: &str = "---
title: Операция «Кобальт»: у Хорога изъято 38 кг героина
published: 2026-11-26
source: Сводка погранотряда
language: ru
---
Пограничники Таджикистана задержали двух контрабандистов и изъяли 38 килограммов героина у Хорога в ходе \
операции «Кобальт», сообщили в Пограничных войсках в среду. Наркотики переправили с афганского берега Пянджа.
";

fn root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.canonicalize().unwrap_or(root)
}

fn chromium() -> PathBuf {
    std::env::var_os("BELTWATCH_CHROMIUM").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

/// Chromium, node and playwright-core, installed on first use, or a message saying how to
/// install what is missing.
fn prerequisites() {
    let setup = root().join("scripts/dashboard/setup.sh");
    let installed = Command::new("bash").arg(&setup).status();
    assert!(
        installed.as_ref().is_ok_and(|s| s.success()),
        "{} failed ({installed:?}): the dashboard tests need Chromium and Playwright",
        setup.display()
    );
    let chromium = chromium();
    assert!(
        chromium.exists(),
        "{} is missing: the dashboard tests need Debian's chromium (apt-get install -y chromium, \
         or scripts/dashboard/setup.sh)",
        chromium.display()
    );
    let node = Command::new("node").arg("--version").output();
    assert!(
        node.as_ref().is_ok_and(|o| o.status.success()),
        "node is missing: the dashboard tests run tests/dashboard/e2e.mjs with Node.js (apt-get install -y nodejs npm)"
    );
    let playwright = root().join("tests/dashboard/node_modules/playwright-core/package.json");
    assert!(
        playwright.exists(),
        "{} is missing: install the dashboard tests' modules with `npm ci --prefix tests/dashboard` \
         (or scripts/dashboard/setup.sh)",
        playwright.display()
    );
}

fn screenshots() -> PathBuf {
    let dir = root().join("target/dashboard");
    std::fs::create_dir_all(&dir).expect("target/dashboard");
    dir
}

fn ok(run: &Run) -> &Run {
    assert_eq!(run.status, 0, "stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    run
}

/// The token printed by `admin add-token` or `admin bootstrap` in JSON.
fn secret(run: &Run) -> String {
    ok(run).json()["secret"].as_str().expect("a secret").to_owned()
}

/// Stops the server when the test ends, passed or not.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs one scenario of `e2e.mjs`; returns its JSON result, with its output shown.
fn e2e(scenario: &str, env: &[(&str, String)]) -> serde_json::Value {
    let mut command = Command::new("node");
    command
        .arg(root().join("tests/dashboard/e2e.mjs"))
        .current_dir(root().join("tests/dashboard"))
        .env("BW_SCENARIO", scenario)
        .env("BW_SCREENSHOTS", screenshots())
        .env("BW_CHROMIUM", chromium());
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    eprintln!("{stderr}");
    let result: serde_json::Value = stdout
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str(l).ok())
        .unwrap_or_else(|| panic!("e2e.mjs printed no result\nstdout:\n{stdout}\nstderr:\n{stderr}"));
    assert!(
        output.status.success() && result["ok"] == true,
        "the {scenario} scenario failed: {}\n{result:#}",
        result["error"]
    );
    result
}

/// Writes past the test harness's capture, so that the figures show in every run.
fn report(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

fn step_names(result: &serde_json::Value) -> Vec<String> {
    result["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| s["name"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn an_analyst_and_a_partner_use_the_dashboard_in_chromium() {
    prerequisites();
    let _turn = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let bw = Beltwatch::new();
    let samples = common::samples();
    let samples = samples.to_str().expect("path");
    ok(&bw.run(&["ingest", samples, "--tlp", "green", "--distribution", "all_partners"]));
    let kobalt = bw.write("restricted/kobalt.md", RESTRICTED_REPORT);
    let run = bw.run(&["--format", "json", "ingest", kobalt.to_str().expect("path"), "--tlp", "amber"]);
    let restricted_document = ok(&run).json_lines()[0]["id"].as_str().expect("the document's id").to_owned();
    let monthly = bw.write("monthly/lazurit.md", MONTH_REPORT);
    ok(&bw.run(&["ingest", monthly.to_str().expect("path"), "--tlp", "green", "--distribution", "all_partners"]));
    ok(&bw.run(&["corroborate"]));

    ok(&bw.run(&["admin", "bootstrap", "--user", "amina", "--format", "json"]));
    ok(&bw.run(&["admin", "add-user", "dilnoza", "--role", "analyst"]));
    let analyst = secret(&bw.run(&["--format", "json", "admin", "add-token", "dilnoza"]));
    let run = bw.run(&["--format", "json", "admin", "add-organisation", "Partner Centre"]);
    let partner_org = ok(&run).json()["id"].as_str().expect("organisation id").to_owned();
    ok(&bw.run(&["admin", "add-user", "pavel", "--organisation", &partner_org, "--role", "analyst"]));
    let partner = secret(&bw.run(&["--format", "json", "admin", "add-token", "pavel"]));
    ok(&bw.run(&["alerts", "add-rule", "Border clashes", "--category", "border_incident"]));

    // The restricted report's seizure: shown to the analyst, hidden from the partner.
    let events = ok(&bw.run(&["--format", "json", "events", "--limit", "500"])).json();
    let restricted_event = events["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|e| e["documents"][0] == restricted_document.as_str() && e["event_type"] == "seizure")
        .and_then(|e| e["id"].as_str())
        .unwrap_or_else(|| panic!("no seizure extracted from the restricted report: {events:#}"))
        .to_owned();

    let (child, base) = common::spawn_server(&bw.db(), &["--alert-interval-ms", "200"]);
    let _server = Server(child);
    let incident = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/incident");
    let live_reports = serde_json::json!([incident.join("asia-plus.md"), incident.join("reuters.md")]).to_string();
    let result = e2e(
        "main",
        &[
            ("BW_BASE_URL", base),
            ("BW_ANALYST_TOKEN", analyst),
            ("BW_PARTNER_TOKEN", partner),
            ("BW_RESTRICTED_EVENT", restricted_event),
            ("BW_RESTRICTED_WORD", RESTRICTED_WORD.to_owned()),
            ("BW_MONTH_WORD", MONTH_WORD.to_owned()),
            ("BW_BIN", env!("CARGO_BIN_EXE_beltwatch").to_owned()),
            ("BW_DB", bw.db().display().to_string()),
            ("BW_LIVE_REPORTS", live_reports),
        ],
    );
    let names = step_names(&result);
    for wanted in [
        "sign in",
        "the sectors of the Afghan-Tajik border are coloured by level",
        "filter by category, kept in the URL",
        "open an event and see its report with the evidence highlighted",
        "a report dated to the month shows its month, not a day",
        "an alert arrives live and is acknowledged, then closed",
        "a user of another organisation does not see the restricted event",
    ] {
        assert!(names.iter().any(|n| n == wanted), "the step {wanted:?} did not run: {names:?}");
    }
    let metrics = &result["metrics"];
    assert!(
        metrics["partnerEvents"].as_u64() < metrics["analystEvents"].as_u64(),
        "the partner sees as much as the analyst: {metrics}"
    );
    for shot in result["screenshots"].as_array().expect("screenshots") {
        let path = PathBuf::from(shot.as_str().expect("a path"));
        assert!(path.metadata().is_ok_and(|m| m.len() > 10_000), "{} was not written", path.display());
    }
    report(&format!("dashboard: {} steps passed; screenshots in {}", names.len(), screenshots().display()));
}

/// About 50,000 events in the store: how long the map takes to show its sectors and clusters
/// after navigation, measured in the browser and reported (not asserted: it depends on the
/// machine and on the build; `cargo test --release` gives the figure of a real server).
#[test]
fn the_map_of_50000_events_first_render_is_measured() {
    prerequisites();
    let _turn = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let bw = Beltwatch::new();
    let started = Instant::now();
    ok(&bw.run(&["generate", "--out", "reports", "--count", "13600", "--seed", "7"]));
    ok(&bw.run(&["ingest", "reports", "--tlp", "green", "--distribution", "all_partners"]));
    let token = secret(&bw.run(&["admin", "bootstrap", "--user", "amina", "--format", "json"]));
    let prepared = started.elapsed();
    let (child, base) = common::spawn_server(&bw.db(), &[]);
    let _server = Server(child);
    let result = e2e("load", &[("BW_BASE_URL", base), ("BW_TOKEN", token)]);
    let metrics = &result["metrics"];
    let events = metrics["events"].as_u64().unwrap_or(0);
    assert!(events >= 45_000, "the store should hold about 50,000 geolocated events: {metrics}");
    let build = if cfg!(debug_assertions) { "debug build" } else { "release build" };
    report(&format!("dashboard with {events} events ({build}; store prepared in {:.1} s):", prepared.as_secs_f64()));
    report(&format!(
        "  the server's first reading of the belt: {} ms (before the browser's visits)",
        metrics["serverWarmMs"]
    ));
    for run in metrics["runs"].as_array().expect("runs") {
        let requests = run["requests"]
            .as_array()
            .map(|r| {
                r.iter()
                    .map(|q| format!("{} {} ms", q["name"].as_str().unwrap_or_default(), q["ms"]))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        report(&format!(
            "  {} visit: sectors and clusters rendered {} ms after navigation (sectors {} ms, clusters {} ms); {requests}",
            run["visit"].as_str().unwrap_or_default(),
            run["mapReadyMs"],
            run["sectorsReadyMs"],
            run["eventsReadyMs"],
        ));
    }
    report(&format!("  filtering by one category: {} ms", metrics["filterMs"]));
}
