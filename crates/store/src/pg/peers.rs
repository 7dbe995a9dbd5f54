//! Peers: the TAXII collections this instance pulls from, and how far it has read.

use chrono::{DateTime, Utc};
use postgres::Row;

use super::PgStore;
use crate::rows::{Cells, parse_timestamp, timestamp};
use crate::{Peer, StoreError};

/// `authorization` is a keyword in PostgreSQL, so the column is always quoted.
const PEER_COLUMNS: &str =
    "id, name, collection_url, \"authorization\", every_seconds, added_after, last_run_at, last_objects, last_error";

fn peer_from(r: &Row) -> Result<Peer, StoreError> {
    let time = |column: usize| -> Result<Option<DateTime<Utc>>, StoreError> {
        r.opt_text(column)?.map(|t| parse_timestamp(t, "peer")).transpose()
    };
    let every_seconds: Option<i64> = r.try_get(4)?;
    Ok(Peer {
        id: r.string(0)?,
        name: r.string(1)?,
        collection_url: r.string(2)?,
        authorization: r.opt_string(3)?,
        every_seconds: every_seconds.map(|s| s.max(1) as u64),
        added_after: time(5)?,
        last_run_at: time(6)?,
        last_objects: r.int(7)?.max(0) as u64,
        last_error: r.opt_string(8)?,
    })
}

impl PgStore {
    pub(crate) fn add_peer(
        &self,
        name: &str,
        collection_url: &str,
        authorization: Option<&str>,
        every_seconds: Option<u64>,
    ) -> Result<Peer, StoreError> {
        let id = uuid::Uuid::now_v7().to_string();
        let every_seconds = every_seconds.map(|s| i64::try_from(s).unwrap_or(i64::MAX));
        let added = self.write(false, |s| {
            let row = s.query_opt(
                &format!(
                    "INSERT INTO peers (id, name, collection_url, \"authorization\", every_seconds, created_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (name) DO NOTHING RETURNING {PEER_COLUMNS}"
                ),
                &[&id, &name.trim(), &collection_url, &authorization, &every_seconds, &timestamp(Utc::now())],
            )?;
            row.as_ref().map(peer_from).transpose()
        })?;
        added.ok_or_else(|| StoreError::Exists { what: "peer", name: name.trim().to_owned() })
    }

    pub(crate) fn peers(&self) -> Result<Vec<Peer>, StoreError> {
        self.read(|s| {
            let rows = s.query(&format!("SELECT {PEER_COLUMNS} FROM peers ORDER BY name COLLATE \"C\""), &[])?;
            rows.iter().map(peer_from).collect()
        })
    }

    pub(crate) fn peer_progress(&self, id: &str, added_after: Option<DateTime<Utc>>) -> Result<(), StoreError> {
        self.write(false, |s| {
            s.execute(
                "UPDATE peers SET added_after = coalesce(?2::text, added_after) WHERE id = ?1",
                &[&id, &added_after.map(timestamp)],
            )
        })?;
        Ok(())
    }

    pub(crate) fn peer_ran(&self, id: &str, objects: u64, error: Option<&str>) -> Result<(), StoreError> {
        self.write(false, |s| {
            s.execute(
                "UPDATE peers SET last_run_at = ?2, last_objects = ?3, last_error = ?4 WHERE id = ?1",
                &[&id, &timestamp(Utc::now()), &i64::try_from(objects).unwrap_or(i64::MAX), &error],
            )
        })?;
        Ok(())
    }
}
