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

// ---- Hostile inputs: deep nesting and oversized inputs, beside normal reports ----

const NESTED_REPORT: &str = "Guards seized opium near Ishkashim at dawn.";

/// A page nested 100,000 elements deep around one report: about a megabyte.
fn nested_page() -> Vec<u8> {
    format!("<html><body>{}<p>{NESTED_REPORT}</p></body></html>", "<div id=a>".repeat(100_000)).into_bytes()
}

/// The byte where the nested page's first dropped tag is: past 256 `<div id=a>`.
const NESTED_FIRST_DROPPED: usize = "<html><body>".len() + 10 * 256;

/// The one stored document whose text holds `word`, as `search` lists it.
fn document_with(bw: &Beltwatch, word: &str) -> serde_json::Value {
    let hits = bw.run(&["search", word, "--format", "json"]).json();
    let hits = hits.as_array().expect("a list of hits");
    assert_eq!(hits.len(), 1, "{word:?} should be in one document: {hits:?}");
    hits[0]["document"].clone()
}

#[test]
fn a_page_nested_a_hundred_thousand_levels_is_read_beside_the_rest_of_its_batch() {
    let bw = Beltwatch::new();
    bw.write("batch/a-good.txt", "Border guards seized 40 kg of heroin near Panj on Tuesday.");
    bw.write("batch/nested.html", nested_page());
    bw.write("batch/z-good.md", "# Migrants detained\n\nUzbek guards detained nine migrants near Termez.");
    let run = bw.run(&["ingest", "batch"]);
    assert_eq!(run.status, 0, "a flattened page is not a rejection\n{}\n{}", run.stdout, run.stderr);
    let note = run
        .stderr
        .lines()
        .find(|l| l.starts_with("note: ") && l.contains("nested.html"))
        .unwrap_or_else(|| panic!("no note names the nested page:\n{}", run.stderr));
    assert!(note.contains(&format!("byte {NESTED_FIRST_DROPPED} ")), "{note}");
    assert!(note.contains("markup nested deeper than 256 elements"), "{note}");
    assert_eq!(bw.document_count(), 3);
    let nested = document_with(&bw, "Ishkashim");
    assert!(nested["origin"].as_str().expect("origin").ends_with("nested.html"), "{nested}");
    assert_eq!(nested["text_bytes"], NESTED_REPORT.len(), "the page's text is its report alone");
}

#[test]
fn a_page_nested_a_hundred_thousand_levels_is_fetched_and_read() {
    let bw = Beltwatch::new();
    let rss = std::fs::read(samples().join("feeds/border-wire.rss")).expect("sample feed");
    let port =
        serve(vec![("200 OK", "text/html; charset=utf-8", nested_page()), ("200 OK", "application/rss+xml", rss)]);
    let page = format!("http://127.0.0.1:{port}/nested");
    let feed = format!("http://127.0.0.1:{port}/wire.rss");
    let run = bw.run(&["ingest", "--format", "json", &page, &feed]);
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    let notes: Vec<String> = run.json_lines().iter().filter_map(|l| l["note"].as_str().map(str::to_owned)).collect();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].starts_with(&format!("{page}: byte {NESTED_FIRST_DROPPED} ")), "{notes:?}");
    assert_eq!(run.summary()["stored"], 6, "the page and the feed's five items: {}", run.stdout);
    assert_eq!(document_with(&bw, "Ishkashim")["origin"], page.as_str());
}

/// Writes a sparse file of `size` bytes: nothing is written, nothing held in memory.
fn sparse_file(bw: &Beltwatch, name: &str, size: u64) -> std::path::PathBuf {
    let path = bw.path(name);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("folder");
    std::fs::File::create(&path).and_then(|f| f.set_len(size)).expect("sparse file");
    path
}

#[test]
fn a_json_file_over_the_input_limit_is_rejected_by_name_unread() {
    let bw = Beltwatch::new();
    bw.write("batch/a-good.txt", "Border guards seized 40 kg of heroin near Panj on Tuesday.");
    sparse_file(&bw, "batch/huge.json", 210 * 1024 * 1024);
    bw.write("batch/z-good.md", "# Migrants detained\n\nUzbek guards detained nine migrants near Termez.");
    let run = bw.run(&["ingest", "batch"]);
    assert_eq!(run.status, 1, "{}\n{}", run.stdout, run.stderr);
    let line = run.stderr.lines().find(|l| l.contains("huge.json")).unwrap_or_else(|| panic!("{}", run.stderr));
    assert!(
        line.ends_with("input larger than the limit of 67108864 bytes (ingest.max_input_bytes): not read further"),
        "{line}"
    );
    assert_eq!(bw.document_count(), 2);
}

#[test]
fn a_generated_json_file_over_the_input_limit_is_rejected_and_the_batch_goes_on() {
    use std::io::Write as _;
    let bw = Beltwatch::new();
    bw.write("batch/a-good.txt", "Border guards seized 40 kg of heroin near Panj on Tuesday.");
    // Valid JSON, written a piece at a time: 1,000 documents of 210 bytes.
    let path = bw.path("batch/bulletins.json");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
    file.write_all(b"[").expect("write");
    for n in 0..1000 {
        let comma = if n == 0 { "" } else { "," };
        write!(file, "{comma}{{\"text\": \"Bulletin {n:04}: {}\"}}", "guards on patrol. ".repeat(10)).expect("write");
    }
    file.write_all(b"]").expect("write");
    drop(file);
    bw.write("batch/z-good.md", "# Migrants detained\n\nUzbek guards detained nine migrants near Termez.");
    let run = bw.run(&["ingest", "--max-input-bytes", "100000", "batch"]);
    assert_eq!(run.status, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("bulletins.json: input larger than the limit of 100000 bytes (ingest.max_input_bytes)"),
        "{}",
        run.stderr
    );
    assert_eq!(bw.document_count(), 2);
    // Under a limit it fits, the same file is read whole.
    let run = bw.run(&["ingest", "batch/bulletins.json"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(bw.document_count(), 1002);
}

#[test]
fn a_json_lines_line_over_the_document_limit_is_rejected_alone() {
    use std::io::Write as _;
    let bw = Beltwatch::new();
    let path = bw.path("wire.jsonl");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
    writeln!(file, "{{\"text\": \"Guards detained a courier with heroin near Farkhor.\"}}").expect("write");
    write!(file, "{{\"text\": \"").expect("write");
    for _ in 0..100_000 {
        file.write_all(b"seized near the river ").expect("write");
    }
    writeln!(file, "\"}}").expect("write");
    writeln!(file, "{{\"text\": \"Пограничники задержали курьера у Фархора.\"}}").expect("write");
    drop(file);
    let run = bw.run(&["ingest", "--max-document-bytes", "1000000", "wire.jsonl"]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    let line_bytes = "{\"text\": \"".len() + 22 * 100_000 + "\"}\n".len();
    let offset = "{\"text\": \"Guards detained a courier with heroin near Farkhor.\"}\n".len();
    assert!(
        run.stderr.contains(&format!(
            "wire.jsonl: byte {offset} (line 2, column 1): document of {line_bytes} bytes exceeds the limit of 1000000 bytes"
        )),
        "{}",
        run.stderr
    );
    assert_eq!(bw.document_count(), 2);
}

/// Serves `body` once on a loopback port without saying its length: the body ends when
/// the connection closes, so only reading tells its size. Returns the port.
fn serve_unsized(body: Vec<u8>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        let Ok((mut stream, _)) = listener.accept() else { return };
        let mut request = [0u8; 4096];
        let _ = stream.read(&mut request);
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n");
        let _ = stream.write_all(&body);
    });
    port
}

#[test]
fn a_fetched_body_over_the_input_limit_is_rejected_and_the_rest_goes_on() {
    let bw = Beltwatch::new();
    bw.write("good.txt", "Border guards seized 40 kg of heroin near Panj on Tuesday.");
    let body = format!("[{}]", "{\"text\": \"guards on patrol\"},".repeat(20_000)).into_bytes();
    let sized =
        format!("http://127.0.0.1:{}/bulletins.json", serve(vec![("200 OK", "application/json", body.clone())]));
    let streamed = format!("http://127.0.0.1:{}/bulletins.json", serve_unsized(body));
    let run = bw.run(&["ingest", "--max-input-bytes", "100000", &sized, &streamed, "good.txt"]);
    assert_eq!(run.status, 1, "{}\n{}", run.stdout, run.stderr);
    for url in [sized, streamed] {
        let refusal = format!("rejected: {url}: input larger than the limit of 100000 bytes (ingest.max_input_bytes)");
        assert!(run.stderr.contains(&refusal), "{}", run.stderr);
    }
    assert_eq!(bw.document_count(), 1);
}

#[test]
fn an_import_file_over_the_limit_is_refused_and_the_others_imported() {
    let bw = Beltwatch::new();
    bw.write("in/report.txt", "Tajik border guards detained two smugglers near Panj and seized 40 kg of heroin.");
    assert_eq!(bw.run(&["ingest", "in"]).status, 0);
    let bundle = bw.path("bundle.json").display().to_string();
    assert_eq!(bw.run(&["export", "stix", "--output", &bundle]).status, 0);
    let huge = sparse_file(&bw, "huge.json", 210 * 1024 * 1024).display().to_string();
    let run = bw.run(&["--format", "json", "import", &huge, &bundle]);
    assert_eq!(run.status, 1, "{}\n{}", run.stdout, run.stderr);
    let lines = run.json_lines();
    assert_eq!(lines.len(), 2, "one line per file: {}", run.stdout);
    assert_eq!(lines[0]["file"], huge.as_str());
    let refusal = lines[0]["rejected"][0]["message"].as_str().expect("a refusal");
    assert!(refusal.contains("larger than the limit of 67108864 bytes"), "{refusal}");
    assert_eq!(lines[1]["file"], bundle.as_str());
    assert!(lines[1]["imported"].is_object(), "{}", run.stdout);
}

#[test]
fn queued_jobs_carry_every_ingest_option_to_the_workers() {
    let bw = Beltwatch::new();
    bw.write("reports/short.txt", "Border guards near Panj seized 40 kg of heroin on Monday.\n");
    bw.write("reports/long.txt", format!("A long bulletin. {}\n", "Border guards patrolled the river. ".repeat(200)));
    // A node whose own configuration batches one document at a time.
    let config = bw.write("node.toml", "[ingest]\nbatch_size = 1\n");
    let run =
        bw.run(&["--format", "json", "ingest", "--queue", "--no-extract", "--max-document-bytes", "2000", "reports"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let queued = run.json_lines()[0]["queued"].as_array().map(Vec::len);
    assert_eq!(queued, Some(1));
    let mut worker = bw
        .command()
        .args(["--config", config.to_str().expect("path"), "worker"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the worker starts");
    let started = std::time::Instant::now();
    let done = loop {
        let jobs = bw.run(&["--format", "json", "jobs"]);
        assert_eq!(jobs.status, 0, "{}", jobs.stderr);
        let list = jobs.json_lines()[0]["jobs"].as_array().cloned().unwrap_or_default();
        if !list.is_empty() && list.iter().all(|j| j["state"] == "done") {
            break list;
        }
        assert!(started.elapsed().as_secs() < 60, "the job did not finish: {list:?}");
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    let _ = worker.kill();
    let _ = worker.wait();
    // The limit travelled with the job: the long report was refused, the short one stored.
    assert_eq!(bw.document_count(), 1);
    // And so did --no-extract: no extract job, no events.
    assert!(done.iter().all(|j| j["kind"] == "ingest"), "{done:?}");
    let events = bw.run(&["--format", "json", "events"]);
    assert_eq!(events.json()["items"], serde_json::json!([]));
}
