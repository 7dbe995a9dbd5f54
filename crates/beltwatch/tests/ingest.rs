//! `beltwatch ingest` end to end: samples, idempotence, every kind of bad input, feeds
//! over HTTP, configuration.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;

use common::{Beltwatch, samples};

#[test]
fn ingesting_the_samples_twice_stores_nothing_new_the_second_time() {
    let bw = Beltwatch::new();
    let samples = samples().display().to_string();
    let first = bw.run(&["ingest", &samples]);
    assert_eq!(first.status, 0, "{}\n{}", first.stdout, first.stderr);
    let stored = bw.document_count();
    assert!(stored >= 40, "only {stored} sample documents stored");
    // Feeds republish some reports word for word: those are duplicates already.
    assert!(first.stdout.contains(&format!("{stored} new, ")), "{}", first.stdout);

    let second = bw.run(&["ingest", &samples]);
    assert_eq!(second.status, 0, "{}", second.stderr);
    assert!(second.stdout.contains("nothing new"), "{}", second.stdout);
    assert!(second.stdout.contains("0 new, "), "{}", second.stdout);
    assert_eq!(bw.document_count(), stored);
}

#[test]
fn json_output_reports_each_outcome_and_a_summary() {
    let bw = Beltwatch::new();
    let feed = samples().join("feeds/border-wire.rss").display().to_string();
    let run = bw.run(&["ingest", "--format", "json", &feed]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let lines = run.json_lines();
    let stored: Vec<_> = lines.iter().filter(|l| l["outcome"] == "stored").collect();
    assert_eq!(stored.len(), 5);
    assert!(stored[0]["origin"].as_str().expect("origin").ends_with("border-wire.rss#item 1"));
    assert_eq!(run.summary()["stored"], 5);
    assert_eq!(run.summary()["rejected"], 0);
}

#[test]
fn languages_are_detected_and_reported() {
    let bw = Beltwatch::new();
    bw.write("in/en.txt", "Tajik border guards detained two smugglers near the Panj river and seized their boat.");
    bw.write("in/ru.txt", "Пограничники задержали двух контрабандистов у реки Пяндж и изъяли их лодку.");
    let run = bw.run(&["ingest", "--format", "json", "in"]);
    let languages: Vec<String> = run
        .json_lines()
        .iter()
        .filter(|l| l["outcome"] == "stored")
        .map(|l| l["language"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(languages, ["en", "ru"]);
    let listed = bw.run(&["documents", "--language", "ru", "--format", "json"]).json();
    assert_eq!(listed["total"], 1);
}

/// Ingests a folder holding one good report and `bad` (named `name`), and checks that the
/// run says it rejected something, that one line names the file and `position`, and that
/// the good report was stored all the same.
fn check_bad_input(name: &str, bad: &[u8], extra_args: &[&str], position: &str, problem: &str) {
    let bw = Beltwatch::new();
    bw.write("batch/a-good.txt", "Border guards seized 40 kg of heroin near Panj on Tuesday.");
    bw.write(&format!("batch/{name}"), bad);
    bw.write("batch/z-good.md", "# Migrants detained\n\nUzbek guards detained nine migrants near Termez.");
    let mut args = vec!["ingest"];
    args.extend_from_slice(extra_args);
    args.push("batch");
    let run = bw.run(&args);
    assert_eq!(run.status, 1, "rejection must show in the exit status\n{}\n{}", run.stdout, run.stderr);
    let line = run
        .stderr
        .lines()
        .find(|l| l.starts_with("rejected: ") && l.contains(name))
        .unwrap_or_else(|| panic!("no rejection line names {name}:\n{}", run.stderr));
    assert!(line.contains(position), "{line:?} does not give the position {position:?}");
    assert!(line.contains(problem), "{line:?} does not say {problem:?}");
    assert_eq!(bw.document_count(), 2, "the good files of the batch are stored: {}", run.stdout);
}

#[test]
fn invalid_utf8_names_file_and_byte_offset() {
    check_bad_input(
        "latin1.txt",
        b"Report\n\nCaf\xe9 near the border",
        &[],
        "byte 11 (line 3, column 4)",
        "invalid UTF-8",
    );
}

#[test]
fn empty_documents_are_rejected() {
    check_bad_input("empty.txt", b"  \n\n \t\n", &[], "empty.txt", "empty document");
}

#[test]
fn documents_over_the_size_limit_are_rejected() {
    let big = "Heroin seized near the border. ".repeat(200);
    check_bad_input(
        "big.txt",
        big.as_bytes(),
        &["--max-document-bytes", "4000"],
        "big.txt",
        "exceeds the limit of 4000 bytes",
    );
}

#[test]
fn malformed_json_names_line_and_column() {
    check_bad_input(
        "bulletin.json",
        b"[\n  {\"text\": \"ok\"\n  {\"text\": \"b\"}\n]",
        &[],
        "line 3, column 3",
        "malformed JSON",
    );
}

#[test]
fn malformed_json_lines_name_the_line_and_keep_the_other_lines() {
    let bw = Beltwatch::new();
    bw.write(
        "wire.jsonl",
        "{\"text\": \"Guards detained a courier with heroin near Farkhor.\"}\n{\"text\": \"cut off\n{\"title\": \"no text\"}\n{\"text\": \"Пограничники задержали курьера у Фархора.\"}\n",
    );
    let run = bw.run(&["ingest", "wire.jsonl"]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("wire.jsonl: line 2, column 17: malformed JSON"), "{}", run.stderr);
    assert!(
        run.stderr.contains("wire.jsonl: line 3, $.text: invalid document: missing required field \"text\""),
        "{}",
        run.stderr
    );
    assert_eq!(bw.document_count(), 2);
}

#[test]
fn malformed_feeds_name_the_position() {
    check_bad_input(
        "wire.rss",
        b"<rss version=\"2.0\"><channel>\n<item><title>x</title>\n<description>text</item></channel></rss>",
        &[],
        "line 3, column 18",
        "malformed feed",
    );
}

#[test]
fn unknown_file_types_are_named() {
    check_bad_input("scan.pdf", b"%PDF-1.7", &[], "scan.pdf", "unsupported file type \".pdf\"");
}

#[test]
fn bad_front_matter_names_the_line() {
    check_bad_input(
        "dated.md",
        b"---\ntitle: x\npublished: soon\n---\nbody text",
        &[],
        "line 3, column 1",
        "invalid date",
    );
}

#[test]
fn unreachable_urls_are_named_and_the_rest_goes_on() {
    let bw = Beltwatch::new();
    bw.write("good.txt", "Border guards seized 40 kg of heroin near Panj on Tuesday.");
    // A port that was just free: nothing listens there.
    let port = TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let url = format!("http://127.0.0.1:{port}/feed.rss");
    let run = bw.run(&["ingest", &url, "good.txt", "missing-folder"]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains(&format!("rejected: {url}: unreachable:")), "{}", run.stderr);
    assert!(run.stderr.contains("rejected: missing-folder: cannot read: no such file or folder"), "{}", run.stderr);
    assert_eq!(bw.document_count(), 1);
}

/// Serves `responses` (status line, content type, body) one request each, in order, on
/// a loopback port; returns the port.
fn serve(responses: Vec<(&'static str, &'static str, Vec<u8>)>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for (status, content_type, body) in responses {
            let Ok((mut stream, _)) = listener.accept() else { return };
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    port
}

#[test]
fn feeds_and_pages_are_fetched_over_http() {
    let bw = Beltwatch::new();
    let rss = std::fs::read(samples().join("feeds/border-wire.rss")).expect("sample feed");
    let atom = std::fs::read(samples().join("feeds/partner-desk.atom")).expect("sample feed");
    let port = serve(vec![
        ("200 OK", "application/rss+xml; charset=utf-8", rss),
        ("200 OK", "text/xml", atom),
        ("404 Not Found", "text/plain", b"gone".to_vec()),
    ]);
    let base = format!("http://127.0.0.1:{port}");
    let run = bw.run(&[
        "ingest",
        "--format",
        "json",
        &format!("{base}/rss"),
        &format!("{base}/partner.atom"),
        &format!("{base}/missing.rss"),
    ]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    let summary = run.summary();
    assert_eq!(summary["stored"], 9, "{}", run.stdout);
    assert!(run.stderr.contains(&format!("{base}/missing.rss: unreachable: HTTP 404")), "{}", run.stderr);
    let sources = bw.run(&["sources", "--format", "json"]).json();
    let names: Vec<&str> = sources.as_array().expect("list").iter().filter_map(|s| s["name"].as_str()).collect();
    assert!(names.contains(&"Central Asia Security Wire"), "{names:?}");
    let feed_url = sources.as_array().expect("list").iter().find(|s| s["name"] == "Central Asia Security Wire");
    assert_eq!(feed_url.expect("source")["url"], format!("{base}/rss"));
}

#[test]
fn configuration_file_environment_and_flags_combine() {
    let bw = Beltwatch::new();
    bw.write(
        "beltwatch.toml",
        "[ingest]\ntlp = \"green\"\ndefault_source = \"Duty desk\"\n\n[sources.\"Duty desk\"]\nreliability = \"b\"\n",
    );
    bw.write("in/one.txt", "Border guards detained a courier with hashish near Shaartuz.");
    let run = bw.run(&["ingest", "in"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let sources = bw.run(&["sources", "--format", "json"]).json();
    assert_eq!(sources[0]["name"], "Duty desk");
    assert_eq!(sources[0]["reliability"], "B");
    let id = bw.run(&["documents", "--format", "json"]).json()["items"][0]["id"].as_str().expect("id").to_owned();
    let shown = bw.run(&["show", &id[..8], "--format", "json"]).json();
    assert_eq!(shown["marking"]["tlp"], "green");

    // The environment overrides the file, a flag overrides the environment.
    bw.write("in2/two.txt", "Uzbek guards detained migrants near Termez at night.");
    let run = bw.command().env("BELTWATCH_TLP", "red").args(["ingest", "in2"]).output().expect("runs");
    assert!(run.status.success());
    bw.write("in3/three.txt", "Turkmen guards turned back migrants near Serhetabat.");
    let run =
        bw.command().env("BELTWATCH_TLP", "red").args(["ingest", "--tlp", "clear", "in3"]).output().expect("runs");
    assert!(run.status.success());
    let tlps: Vec<String> = bw.run(&["documents", "--format", "json"]).json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|d| {
            let id = d["id"].as_str().expect("id");
            bw.run(&["show", id, "--format", "json"]).json()["marking"]["tlp"].as_str().expect("tlp").to_owned()
        })
        .collect();
    let mut sorted = tlps.clone();
    sorted.sort();
    assert_eq!(sorted, ["clear", "green", "red"]);
}

#[test]
fn every_configuration_error_is_reported_at_once() {
    let bw = Beltwatch::new();
    bw.write("beltwatch.toml", "[ingest]\ntlp = \"purple\"\nbatch_size = 0\n\n[sources.\"X\"]\nreliability = \"Z\"\n");
    let run = bw.run(&["ingest", "--distribution", "everyone", "in"]);
    assert_eq!(run.status, 2);
    for expected in ["tlp:", "distribution:", "batch_size:"] {
        assert!(run.stderr.contains(expected), "{expected} missing from {}", run.stderr);
    }
    let run = bw.run(&["documents"]);
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("sources.\"X\".reliability"), "{}", run.stderr);
    bw.write("beltwatch.toml", "[ingest]\nunknown_key = 1\n");
    let run = bw.run(&["documents"]);
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("beltwatch.toml") && run.stderr.contains("unknown_key"), "{}", run.stderr);
}
