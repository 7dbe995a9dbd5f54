//! A crash in the middle of a large ingest loses nothing that was reported stored,
//! leaves no partial rows, and a rerun completes the job without duplicates.

mod common;

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::Stdio;

use common::Beltwatch;

const DOCUMENTS: u32 = 6000;

/// How many stored outcomes to read before killing the ingest.
const KILL_AFTER: usize = 600;

#[test]
fn sigkill_mid_ingest_loses_nothing_reported_and_a_rerun_completes() {
    let bw = Beltwatch::new();
    let generate = bw.run(&["generate", "--count", &DOCUMENTS.to_string(), "--out", "reports"]);
    assert_eq!(generate.status, 0, "{}", generate.stderr);

    let mut child = bw
        .command()
        .args(["ingest", "--format", "json", "--batch-size", "25", "reports"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("ingest starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut reported: HashSet<String> = HashSet::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("a line");
        let value: serde_json::Value = serde_json::from_str(&line).expect("JSON line");
        if value["outcome"] == "stored" {
            reported.insert(value["id"].as_str().expect("id").to_owned());
            if reported.len() >= KILL_AFTER {
                break;
            }
        }
    }
    // Child::kill sends SIGKILL on Unix: no chance to clean up.
    child.kill().expect("killed");
    child.wait().expect("reaped");
    assert!(reported.len() >= KILL_AFTER, "the ingest ended before it could be killed");

    let connection = rusqlite::Connection::open(bw.db()).expect("open the store after the crash");
    let integrity: String = connection.query_row("PRAGMA integrity_check", [], |r| r.get(0)).expect("integrity");
    assert_eq!(integrity, "ok");
    connection
        .execute("INSERT INTO documents_fts (documents_fts) VALUES ('integrity-check')", [])
        .expect("the search index matches the documents");
    let stored: HashSet<String> = {
        let mut statement = connection.prepare("SELECT id FROM documents").expect("query");
        statement.query_map([], |r| r.get::<_, String>(0)).expect("rows").collect::<Result<_, _>>().expect("ids")
    };
    let lost: Vec<&String> = reported.difference(&stored).collect();
    assert!(lost.is_empty(), "{} documents reported stored were lost: {lost:?}", lost.len());
    assert!(
        (stored.len() as u32) < DOCUMENTS,
        "the kill came after the whole ingest ({} stored): the test proved nothing",
        stored.len()
    );
    drop(connection);

    let rerun = bw.run(&["ingest", "--format", "json", "reports"]);
    assert_eq!(rerun.status, 0, "{}", rerun.stderr);
    let summary = rerun.summary();
    assert_eq!(summary["stored"].as_u64().expect("stored") as usize, DOCUMENTS as usize - stored.len());
    assert_eq!(summary["duplicates"].as_u64().expect("duplicates") as usize, stored.len());

    let connection = rusqlite::Connection::open(bw.db()).expect("open");
    let (count, distinct_hashes, distinct_origins): (u32, u32, u32) = connection
        .query_row("SELECT count(*), count(DISTINCT content_hash), count(DISTINCT origin) FROM documents", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .expect("counts");
    assert_eq!((count, distinct_hashes, distinct_origins), (DOCUMENTS, DOCUMENTS, DOCUMENTS));
    let integrity: String = connection.query_row("PRAGMA integrity_check", [], |r| r.get(0)).expect("integrity");
    assert_eq!(integrity, "ok");
}
