//! Peers: the TAXII collections this instance pulls from, and how far it has read.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};

use super::{SqliteStore, parse_timestamp, timestamp};
use crate::{Peer, StoreError};

const PEER_COLUMNS: &str =
    "id, name, collection_url, authorization, every_seconds, added_after, last_run_at, last_objects, last_error";

fn peer_from(r: &Row<'_>) -> Result<Peer, StoreError> {
    let time = |column: usize| -> Result<Option<DateTime<Utc>>, StoreError> {
        r.get::<_, Option<String>>(column)?.map(|t| parse_timestamp(&t, "peer")).transpose()
    };
    Ok(Peer {
        id: r.get(0)?,
        name: r.get(1)?,
        collection_url: r.get(2)?,
        authorization: r.get(3)?,
        every_seconds: r.get::<_, Option<i64>>(4)?.map(|s| s.max(1) as u64),
        added_after: time(5)?,
        last_run_at: time(6)?,
        last_objects: r.get::<_, i64>(7)?.max(0) as u64,
        last_error: r.get(8)?,
    })
}

impl SqliteStore {
    pub(crate) fn add_peer(
        &self,
        name: &str,
        collection_url: &str,
        authorization: Option<&str>,
        every_seconds: Option<u64>,
    ) -> Result<Peer, StoreError> {
        let writer = self.writer();
        let exists: Option<String> =
            writer.query_row("SELECT id FROM peers WHERE name = ?1", [name.trim()], |r| r.get(0)).optional()?;
        if exists.is_some() {
            return Err(StoreError::Exists { what: "peer", name: name.trim().to_owned() });
        }
        let id = uuid::Uuid::now_v7().to_string();
        writer.execute(
            "INSERT INTO peers (id, name, collection_url, authorization, every_seconds, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                id,
                name.trim(),
                collection_url,
                authorization,
                every_seconds.map(|s| s as i64),
                timestamp(Utc::now())
            ],
        )?;
        drop(writer);
        self.peers()?.into_iter().find(|p| p.id == id).ok_or(StoreError::NotFound { what: "peer", id })
    }

    pub(crate) fn peers(&self) -> Result<Vec<Peer>, StoreError> {
        self.read(|c| {
            let mut statement = c.prepare_cached(&format!("SELECT {PEER_COLUMNS} FROM peers ORDER BY name"))?;
            let mut rows = statement.query([])?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                out.push(peer_from(row)?);
            }
            Ok(out)
        })
    }

    pub(crate) fn peer_progress(&self, id: &str, added_after: Option<DateTime<Utc>>) -> Result<(), StoreError> {
        self.writer().execute(
            "UPDATE peers SET added_after = coalesce(?2, added_after) WHERE id = ?1",
            params![id, added_after.map(timestamp)],
        )?;
        Ok(())
    }

    pub(crate) fn peer_ran(&self, id: &str, objects: u64, error: Option<&str>) -> Result<(), StoreError> {
        self.writer().execute(
            "UPDATE peers SET last_run_at = ?2, last_objects = ?3, last_error = ?4 WHERE id = ?1",
            params![id, timestamp(Utc::now()), objects as i64, error],
        )?;
        Ok(())
    }
}
