//! The work queue and named leases (see `crate::jobs`) in one SQLite file: the single
//! writer connection makes every claim atomic.

use std::time::Duration;

use chrono::Utc;
use model::DocumentId;
use rusqlite::{OptionalExtension, params};

use super::{SqliteStore, insert_documents, replace_facts_in, timestamp};
use crate::jobs::{self, Job, JobKind, JobRecord, MAX_ATTEMPTS};
use crate::{Facts, Inserted, NewDocument, StoreError};

fn until(lease: Duration) -> String {
    timestamp(Utc::now() + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::seconds(30)))
}

impl SqliteStore {
    pub(crate) fn enqueue(&self, kind: JobKind, payloads: &[String]) -> Result<Vec<i64>, StoreError> {
        let mut writer = self.writer();
        let tx = writer.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut ids = Vec::with_capacity(payloads.len());
        {
            let mut insert = tx.prepare_cached(jobs::INSERT_JOB)?;
            let now = timestamp(Utc::now());
            for payload in payloads {
                ids.push(insert.query_row(params![kind.as_str(), payload, now], |r| r.get(0))?);
            }
        }
        tx.commit()?;
        Ok(ids)
    }

    pub(crate) fn insert_documents_queued(
        &self,
        documents: &[NewDocument],
    ) -> Result<(Vec<Inserted>, Option<i64>), StoreError> {
        let mut writer = self.writer();
        let tx = writer.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let outcomes = insert_documents(&tx, documents)?;
        let new: Vec<DocumentId> =
            outcomes.iter().filter_map(|o| if let Inserted::New { id } = o { Some(*id) } else { None }).collect();
        let job = if new.is_empty() {
            None
        } else {
            let payload = jobs::extract_payload(&new);
            Some(
                tx.prepare_cached(jobs::INSERT_JOB)?
                    .query_row(params![JobKind::Extract.as_str(), payload, timestamp(Utc::now())], |r| r.get(0))?,
            )
        };
        tx.commit()?;
        Ok((outcomes, job))
    }

    pub(crate) fn claim_job(&self, node: &str, lease: Duration) -> Result<Option<Job>, StoreError> {
        let token = uuid::Uuid::now_v7().to_string();
        let now = timestamp(Utc::now());
        let writer = self.writer();
        writer.prepare_cached(jobs::ABANDON)?.execute(params![now, i64::from(MAX_ATTEMPTS)])?;
        let sql = jobs::CLAIM.replace("{lock}", "");
        let mut claim = writer.prepare_cached(&sql)?;
        let row =
            claim.query_row(params![node, token, until(lease), now], |r| Ok(jobs::job_from(r, &token))).optional()?;
        row.transpose()
    }

    pub(crate) fn renew_job(&self, job: &Job, lease: Duration) -> Result<bool, StoreError> {
        Ok(self.writer().prepare_cached(jobs::RENEW)?.execute(params![job.id, job.token, until(lease)])? == 1)
    }

    pub(crate) fn finish_job(&self, job: &Job, facts: &[(DocumentId, Facts)]) -> Result<(), StoreError> {
        let mut writer = self.writer();
        let tx = writer.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // The lease is checked first: a job taken over leaves the store as it is.
        if tx.prepare_cached(jobs::FINISH)?.execute(params![job.id, job.token, timestamp(Utc::now())])? != 1 {
            return Err(StoreError::LeaseLost { job: job.id });
        }
        replace_facts_in(&tx, facts)?;
        tx.commit()?;
        Ok(())
    }

    pub(crate) fn release_job(&self, job: &Job) -> Result<(), StoreError> {
        self.writer().prepare_cached(jobs::RELEASE)?.execute(params![job.id, job.token])?;
        Ok(())
    }

    pub(crate) fn fail_job(&self, job: &Job, error: &str) -> Result<(), StoreError> {
        self.writer().prepare_cached(jobs::FAIL)?.execute(params![
            job.id,
            job.token,
            error,
            i64::from(MAX_ATTEMPTS)
        ])?;
        Ok(())
    }

    pub(crate) fn jobs(&self) -> Result<Vec<JobRecord>, StoreError> {
        self.read(|c| {
            let mut statement = c.prepare_cached(jobs::LIST)?;
            let mut rows = statement.query([])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                out.push(jobs::record_from(r)?);
            }
            Ok(out)
        })
    }

    pub(crate) fn take_lease(&self, name: &str, holder: &str, lease: Duration) -> Result<bool, StoreError> {
        let now = timestamp(Utc::now());
        Ok(self.writer().prepare_cached(jobs::TAKE_LEASE)?.execute(params![name, holder, until(lease), now])? == 1)
    }

    pub(crate) fn drop_lease(&self, name: &str, holder: &str) -> Result<(), StoreError> {
        self.writer().prepare_cached(jobs::DROP_LEASE)?.execute(params![name, holder])?;
        Ok(())
    }
}
