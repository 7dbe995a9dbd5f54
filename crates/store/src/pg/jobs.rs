//! The work queue and named leases (see `crate::jobs`) on PostgreSQL: jobs are claimed
//! with `FOR UPDATE SKIP LOCKED`, so nodes claiming at once never wait for, nor take,
//! each other's job.

use std::time::Duration;

use chrono::Utc;
use model::DocumentId;

use super::{PgStore, insert_documents, write_facts};
use crate::jobs::{self, Job, JobKind, JobRecord, MAX_ATTEMPTS};
use crate::rows::timestamp;
use crate::{Facts, Inserted, NewDocument, StoreError};

fn until(lease: Duration) -> String {
    timestamp(Utc::now() + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::seconds(30)))
}

impl PgStore {
    pub(crate) fn enqueue(&self, kind: JobKind, payloads: &[String]) -> Result<Vec<i64>, StoreError> {
        let now = timestamp(Utc::now());
        self.write(false, |s| {
            payloads
                .iter()
                .map(|payload| Ok(s.query_one(jobs::INSERT_JOB, &[&kind.as_str(), payload, &now])?.get::<_, i64>(0)))
                .collect()
        })
    }

    pub(crate) fn insert_documents_queued(
        &self,
        documents: &[NewDocument],
    ) -> Result<(Vec<Inserted>, Option<i64>), StoreError> {
        self.write(true, |s| {
            let outcomes = insert_documents(s, documents)?;
            let new: Vec<DocumentId> =
                outcomes.iter().filter_map(|o| if let Inserted::New { id } = o { Some(*id) } else { None }).collect();
            let job = if new.is_empty() {
                None
            } else {
                let payload = jobs::extract_payload(&new);
                let row =
                    s.query_one(jobs::INSERT_JOB, &[&JobKind::Extract.as_str(), &payload, &timestamp(Utc::now())])?;
                Some(row.get::<_, i64>(0))
            };
            Ok((outcomes, job))
        })
    }

    pub(crate) fn claim_job(&self, node: &str, lease: Duration) -> Result<Option<Job>, StoreError> {
        let token = uuid::Uuid::now_v7().to_string();
        let now = timestamp(Utc::now());
        let sql = jobs::CLAIM.replace("{lock}", "FOR UPDATE SKIP LOCKED");
        self.write(false, |s| {
            s.execute(jobs::ABANDON, &[&now, &i64::from(MAX_ATTEMPTS)])?;
            let row = s.query_opt(&sql, &[&node, &token, &until(lease), &now])?;
            row.map(|r| jobs::job_from(&r, &token)).transpose()
        })
    }

    pub(crate) fn renew_job(&self, job: &Job, lease: Duration) -> Result<bool, StoreError> {
        self.write(false, |s| Ok(s.execute(jobs::RENEW, &[&job.id, &job.token, &until(lease)])? == 1))
    }

    pub(crate) fn finish_job(&self, job: &Job, facts: &[(DocumentId, Facts)]) -> Result<(), StoreError> {
        let exclusive = !facts.is_empty();
        self.write(exclusive, |s| {
            // The lease is checked first: a job taken over leaves the store as it is.
            if s.execute(jobs::FINISH, &[&job.id, &job.token, &timestamp(Utc::now())])? != 1 {
                return Err(StoreError::LeaseLost { job: job.id });
            }
            let facts: Vec<(DocumentId, &Facts)> = facts.iter().map(|(d, f)| (*d, f)).collect();
            write_facts(s, &facts, true)
        })
    }

    pub(crate) fn release_job(&self, job: &Job) -> Result<(), StoreError> {
        self.write(false, |s| {
            s.execute(jobs::RELEASE, &[&job.id, &job.token])?;
            Ok(())
        })
    }

    pub(crate) fn fail_job(&self, job: &Job, error: &str) -> Result<(), StoreError> {
        self.write(false, |s| {
            s.execute(jobs::FAIL, &[&job.id, &job.token, &error, &i64::from(MAX_ATTEMPTS)])?;
            Ok(())
        })
    }

    pub(crate) fn jobs(&self) -> Result<Vec<JobRecord>, StoreError> {
        self.read(|s| s.query(jobs::LIST, &[])?.iter().map(jobs::record_from).collect())
    }

    pub(crate) fn take_lease(&self, name: &str, holder: &str, lease: Duration) -> Result<bool, StoreError> {
        let now = timestamp(Utc::now());
        self.write(false, |s| Ok(s.execute(jobs::TAKE_LEASE, &[&name, &holder, &until(lease), &now])? == 1))
    }

    pub(crate) fn drop_lease(&self, name: &str, holder: &str) -> Result<(), StoreError> {
        self.write(false, |s| {
            s.execute(jobs::DROP_LEASE, &[&name, &holder])?;
            Ok(())
        })
    }
}
