//! The work queue shared by every node over one database, the named leases that let one
//! node at a time do what must be done once (evaluating alerts, delivering webhooks), and
//! the other state nodes share (TAXII status resources).
//!
//! A job is claimed under a lease: a token and a time it runs out. The node renews the
//! lease while it works and finishes the job with the token; a node that died, or stalled
//! past its lease, has its job claimed again by another, and its late result is refused
//! ([`crate::StoreError::LeaseLost`]). An extract job's facts are written in the same
//! transaction that finishes it, so each document's extraction is stored exactly once.

use serde::Serialize;

/// What a job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// Read one input (a path or URL) and store its documents, queueing their extraction.
    Ingest,
    /// Extract the facts of stored documents (the payload lists their ids).
    Extract,
}

impl JobKind {
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::Ingest => "ingest",
            JobKind::Extract => "extract",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Self> {
        match text {
            "ingest" => Some(JobKind::Ingest),
            "extract" => Some(JobKind::Extract),
            _ => None,
        }
    }
}

/// A claimed job: what to do, and the lease token that finishes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: i64,
    pub kind: JobKind,
    /// JSON, as the queueing stage wrote it.
    pub payload: String,
    /// How many times the job has been claimed, this time included.
    pub attempts: u32,
    pub token: String,
}

/// A job as listed, whatever its state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JobRecord {
    pub id: i64,
    pub kind: JobKind,
    /// `queued`, `running`, `done` or `failed`.
    pub state: String,
    pub attempts: u32,
    pub claimed_by: Option<String>,
    pub finished_by: Option<String>,
    pub last_error: Option<String>,
    pub payload: String,
}

/// A job that keeps failing, or whose nodes keep dying, is given up after this many claims.
pub const MAX_ATTEMPTS: u32 = 5;

pub(crate) const INSERT_JOB: &str = "INSERT INTO jobs (kind, payload, created_at) VALUES (?1, ?2, ?3) RETURNING id";

/// Jobs whose lease ran out after their last allowed attempt are given up (?1: now).
pub(crate) const ABANDON: &str = "UPDATE jobs SET state = 'failed', lease_token = NULL, \
     last_error = coalesce(last_error, 'its node stopped before finishing it, on every attempt') \
     WHERE state = 'running' AND lease_until < ?1 AND attempts >= ?2";

/// Claims the oldest job that is queued or whose lease ran out; `{lock}` is where the
/// PostgreSQL store adds `FOR UPDATE SKIP LOCKED`.
pub(crate) const CLAIM: &str = "UPDATE jobs SET state = 'running', attempts = attempts + 1, claimed_by = ?1, \
     lease_token = ?2, lease_until = ?3 \
     WHERE id = (SELECT id FROM jobs WHERE state = 'queued' OR (state = 'running' AND lease_until < ?4) \
                 ORDER BY id LIMIT 1 {lock}) \
     RETURNING id, kind, payload, attempts";

pub(crate) const RENEW: &str =
    "UPDATE jobs SET lease_until = ?3 WHERE id = ?1 AND lease_token = ?2 AND state = 'running'";

pub(crate) const FINISH: &str = "UPDATE jobs SET state = 'done', finished_at = ?3, finished_by = claimed_by, \
     lease_token = NULL, lease_until = NULL WHERE id = ?1 AND lease_token = ?2 AND state = 'running'";

pub(crate) const RELEASE: &str = "UPDATE jobs SET state = 'queued', claimed_by = NULL, lease_token = NULL, \
     lease_until = NULL WHERE id = ?1 AND lease_token = ?2 AND state = 'running'";

pub(crate) const FAIL: &str = "UPDATE jobs SET state = CASE WHEN attempts >= ?4 THEN 'failed' ELSE 'queued' END, \
     last_error = ?3, lease_token = NULL, lease_until = NULL WHERE id = ?1 AND lease_token = ?2 AND state = 'running'";

pub(crate) const LIST: &str =
    "SELECT id, kind, state, attempts, claimed_by, finished_by, last_error, payload FROM jobs ORDER BY id";

/// Takes or renews a named lease: it is taken when free, run out, or already held by
/// the same holder (?1 name, ?2 holder, ?3 until, ?4 now).
pub(crate) const TAKE_LEASE: &str = "INSERT INTO leases (name, holder, until) VALUES (?1, ?2, ?3) \
     ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until \
     WHERE leases.holder = excluded.holder OR leases.until < ?4";

pub(crate) const DROP_LEASE: &str = "DELETE FROM leases WHERE name = ?1 AND holder = ?2";

/// Status resources of posted TAXII envelopes, shared by every node.
pub(crate) const PUT_STATUS: &str = "INSERT INTO taxii_statuses (id, organisation_id, body, created_at) VALUES (?1, ?2, ?3, ?4) \
     ON CONFLICT (id) DO UPDATE SET body = excluded.body";
pub(crate) const GET_STATUS: &str = "SELECT body FROM taxii_statuses WHERE id = ?1 AND organisation_id = ?2";
pub(crate) const PRUNE_STATUSES: &str = "DELETE FROM taxii_statuses WHERE created_at < ?1";

/// The payload of an extract job: the ids of the documents to extract.
pub(crate) fn extract_payload(ids: &[model::DocumentId]) -> String {
    serde_json::Value::Array(ids.iter().map(|id| serde_json::Value::String(id.to_string())).collect()).to_string()
}

pub(crate) fn record_from<C: crate::rows::Cells + ?Sized>(r: &C) -> Result<JobRecord, crate::StoreError> {
    let id = r.int(0)?;
    Ok(JobRecord {
        id,
        kind: kind_from(r.text(1)?, id)?,
        state: r.string(2)?,
        attempts: r.int(3)?.max(0) as u32,
        claimed_by: r.opt_string(4)?,
        finished_by: r.opt_string(5)?,
        last_error: r.opt_string(6)?,
        payload: r.string(7)?,
    })
}

pub(crate) fn job_from<C: crate::rows::Cells + ?Sized>(r: &C, token: &str) -> Result<Job, crate::StoreError> {
    let id = r.int(0)?;
    Ok(Job {
        id,
        kind: kind_from(r.text(1)?, id)?,
        payload: r.string(2)?,
        attempts: r.int(3)?.max(0) as u32,
        token: token.to_owned(),
    })
}

fn kind_from(text: &str, id: i64) -> Result<JobKind, crate::StoreError> {
    JobKind::parse(text)
        .ok_or_else(|| crate::StoreError::Corrupt { record: format!("job {id}"), reason: format!("kind {text:?}") })
}
