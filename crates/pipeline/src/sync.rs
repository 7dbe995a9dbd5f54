//! Pulling from peers: a TAXII 2.1 collection read page by page from where the last pull
//! stopped, each page imported in one transaction before the cursor moves past it. The
//! imported documents name the peer and collection they came from.

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use exchange::{Problem, ReadDefaults, stix};
use serde_json::Value;
use store::{Peer, Store, StoreError};

use crate::exchange::{ImportError, Imported, Importer};

const TAXII: &str = "application/taxii+json;version=2.1";
const PAGE: usize = 500;
/// Tries per request: the first, then after 0.5, 1 and 2 seconds.
const TRIES: u32 = 4;
const MAX_PAGE_BYTES: u64 = 256 * 1024 * 1024;

/// How a pull went.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Pulled {
    pub peer: String,
    pub pages: usize,
    pub objects: usize,
    pub imported: Imported,
    /// Objects the peer sent that could not be read, with why; the rest went in.
    pub rejected: Vec<String>,
    /// Where the next pull starts.
    pub added_after: Option<DateTime<Utc>>,
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("peer {peer}: {url}: {reason}")]
    Http { peer: String, url: String, reason: String },
    #[error("peer {peer}: {url}: {reason}")]
    Envelope { peer: String, url: String, reason: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Pulls what `peer` added since the last pull. Records of objects created by no one
/// are the peer's: they belong to `default_owner` (the organisation the peer is).
pub fn pull(store: &Store, peer: &Peer, defaults: &ReadDefaults) -> Result<Pulled, SyncError> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(60)))
        .http_status_as_error(false)
        .user_agent(concat!("beltwatch/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let base = if peer.collection_url.ends_with('/') {
        peer.collection_url.clone()
    } else {
        format!("{}/", peer.collection_url)
    };
    let mut pulled = Pulled { peer: peer.name.clone(), added_after: peer.added_after, ..Pulled::default() };
    let mut next: Option<String> = None;
    let result = loop {
        let mut url = format!("{base}objects/?limit={PAGE}");
        if let Some(after) = peer.added_after {
            url.push_str(&format!("&added_after={}", encode(&stix::stix_time(after))));
        }
        if let Some(n) = &next {
            url.push_str(&format!("&next={}", encode(n)));
        }
        let (envelope, last_added) = match get(&agent, peer, &url) {
            Ok(got) => got,
            Err(e) => break Err(e),
        };
        let objects = envelope.get("objects").and_then(Value::as_array).cloned().unwrap_or_default();
        pulled.pages += 1;
        pulled.objects += objects.len();
        let (mut read, outcomes) = stix::read_objects(&objects, "$.objects", defaults);
        for problem in outcomes.into_iter().filter_map(Result::err) {
            pulled.rejected.push(problem.to_string());
        }
        for document in &mut read.shared.documents {
            document.origin = format!("taxii {} {base}", peer.name);
        }
        // Records refused (an owner or a sharing group this instance does not know) stay
        // out, with what depends on them, and the rest of the page goes in.
        let outcome = loop {
            match crate::exchange::import(store, read.clone(), Importer::Operator) {
                Err(ImportError::Invalid(problems)) => {
                    let refused: BTreeSet<String> = problems.iter().filter_map(|p| p.object.clone()).collect();
                    pulled.rejected.extend(problems.iter().map(Problem::to_string));
                    let before = read.shared.documents.len() + read.shared.events.len() + read.shared.claims.len();
                    read.shared.documents.retain(|d| !refused.contains(&d.id.to_string()));
                    read.shared.events.retain(|e| !refused.contains(&e.id.to_string()));
                    read.shared.claims.retain(|c| !refused.contains(&c.id.to_string()));
                    let after = read.shared.documents.len() + read.shared.events.len() + read.shared.claims.len();
                    if after == before || after == 0 {
                        break Ok(());
                    }
                }
                Err(ImportError::Store(e)) => break Err(e),
                Ok(done) => {
                    pulled.rejected.extend(done.not_stored.iter().map(|n| format!("{:?}: {}", n.record, n.reason)));
                    add(&mut pulled.imported, done);
                    break Ok(());
                }
            }
        };
        if let Err(e) = outcome {
            break Err(e.into());
        }
        // The page is committed (or had nothing to keep): the cursor moves past it.
        if let Some(last) = last_added {
            store.peer_progress(&peer.id, Some(last))?;
            pulled.added_after = Some(last);
        }
        let more = envelope.get("more").and_then(Value::as_bool).unwrap_or(false);
        next = envelope.get("next").and_then(Value::as_str).map(str::to_owned);
        if !more || next.is_none() || objects.is_empty() {
            break Ok(());
        }
    };
    let error = result.as_ref().err().map(ToString::to_string);
    store.peer_ran(&peer.id, pulled.objects as u64, error.as_deref())?;
    result.map(|()| pulled)
}

fn add(total: &mut Imported, page: Imported) {
    total.new_documents += page.new_documents;
    total.duplicate_documents += page.duplicate_documents;
    total.events += page.events;
    total.duplicate_events += page.duplicate_events;
    for (kind, n) in page.skipped {
        *total.skipped.entry(kind).or_default() += n;
    }
}

/// One page, with retries on network errors, 429 and 5xx; and the time its last object
/// was added, from `X-TAXII-Date-Added-Last`.
fn get(agent: &ureq::Agent, peer: &Peer, url: &str) -> Result<(Value, Option<DateTime<Utc>>), SyncError> {
    let http = |reason: String| SyncError::Http { peer: peer.name.clone(), url: url.to_owned(), reason };
    let mut wait = Duration::from_millis(500);
    let mut last_error = String::new();
    for attempt in 1..=TRIES {
        if attempt > 1 {
            std::thread::sleep(wait);
            wait *= 2;
        }
        let mut request = agent.get(url).header("Accept", TAXII);
        if let Some(authorization) = &peer.authorization {
            request = request.header("Authorization", authorization);
        }
        let mut response = match request.call() {
            Ok(r) => r,
            Err(e) => {
                last_error = e.to_string();
                continue;
            }
        };
        let status = response.status();
        if status.as_u16() == 429 || status.is_server_error() {
            last_error = format!("HTTP {status}");
            continue;
        }
        if !status.is_success() {
            let body = response.body_mut().read_to_string().unwrap_or_default();
            return Err(http(format!("HTTP {status}: {}", body.chars().take(300).collect::<String>())));
        }
        let last = response
            .headers()
            .get("x-taxii-date-added-last")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| DateTime::parse_from_rfc3339(v).ok())
            .map(|t| t.with_timezone(&Utc));
        let body = match response.body_mut().with_config().limit(MAX_PAGE_BYTES).read_to_vec() {
            Ok(b) => b,
            Err(e) => {
                last_error = e.to_string();
                continue;
            }
        };
        let envelope: Value = serde_json::from_slice(&body).map_err(|e| SyncError::Envelope {
            peer: peer.name.clone(),
            url: url.to_owned(),
            reason: format!("line {}, column {}: not JSON: {e}", e.line(), e.column()),
        })?;
        return Ok((envelope, last));
    }
    Err(http(format!("gave up after {TRIES} tries: {last_error}")))
}

/// Percent-encodes a query value.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
