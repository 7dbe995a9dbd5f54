//! Organisations, sharing groups, users, API tokens and the audit trail.

use chrono::{DateTime, Utc};
use model::{Organisation, OrganisationId, Role, SharingGroup, SharingGroupId, TokenId, User, UserId};
use rusqlite::params;

use super::{SqliteStore, parse, parse_timestamp, timestamp};
use crate::{AuditEntry, NewAudit, StoreError, TokenRecord};

fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
        || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
}

const TOKEN_COLUMNS: &str = "t.id, t.user_id, t.label, t.created_at, t.expires_at, t.revoked_at";

fn token_from(r: &rusqlite::Row<'_>) -> Result<TokenRecord, StoreError> {
    let id: String = r.get(0)?;
    let record = format!("token {id}");
    Ok(TokenRecord {
        id: parse(&id, "token", &id)?,
        user: parse(&r.get::<_, String>(1)?, "token", &id)?,
        label: r.get(2)?,
        created_at: parse_timestamp(&r.get::<_, String>(3)?, &record)?,
        expires_at: parse_timestamp(&r.get::<_, String>(4)?, &record)?,
        revoked_at: r.get::<_, Option<String>>(5)?.map(|t| parse_timestamp(&t, &record)).transpose()?,
    })
}

fn user_from(r: &rusqlite::Row<'_>, offset: usize) -> Result<User, StoreError> {
    let id: String = r.get(offset)?;
    Ok(User {
        id: parse(&id, "user", &id)?,
        organisation: parse(&r.get::<_, String>(offset + 1)?, "user", &id)?,
        name: r.get(offset + 2)?,
        role: parse(&r.get::<_, String>(offset + 3)?, "user", &id)?,
    })
}

impl SqliteStore {
    pub(crate) fn create_organisation(&self, name: &str, id: OrganisationId) -> Result<Organisation, StoreError> {
        let name = name.trim();
        let exists: bool = self.writer().query_row(
            "SELECT EXISTS (SELECT 1 FROM organisations WHERE lower(name) = lower(?1))",
            [name],
            |r| r.get(0),
        )?;
        if exists {
            return Err(StoreError::Exists { what: "organisation", name: name.to_owned() });
        }
        let taken: bool = self.writer().query_row(
            "SELECT EXISTS (SELECT 1 FROM organisations WHERE id = ?1)",
            [id.to_string()],
            |r| r.get(0),
        )?;
        if taken {
            return Err(StoreError::Exists { what: "organisation", name: id.to_string() });
        }
        self.writer().execute(
            "INSERT INTO organisations (id, name, is_local, created_at) VALUES (?1, ?2, 0, ?3)",
            params![id.to_string(), name, timestamp(Utc::now())],
        )?;
        Ok(Organisation { id, name: name.to_owned() })
    }

    pub(crate) fn organisations(&self) -> Result<Vec<Organisation>, StoreError> {
        self.read(|c| {
            let mut statement = c.prepare("SELECT id, name FROM organisations ORDER BY is_local DESC, name")?;
            let rows = statement.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
            let mut out = Vec::new();
            for row in rows {
                let (id, name) = row?;
                out.push(Organisation { id: parse(&id, "organisation", &id)?, name });
            }
            Ok(out)
        })
    }

    pub(crate) fn create_sharing_group(
        &self,
        name: &str,
        id: SharingGroupId,
        members: &[OrganisationId],
    ) -> Result<SharingGroup, StoreError> {
        let mut connection = self.writer();
        let tx = connection.transaction()?;
        let taken: bool =
            tx.query_row("SELECT EXISTS (SELECT 1 FROM sharing_groups WHERE id = ?1)", [id.to_string()], |r| r.get(0))?;
        if taken {
            return Err(StoreError::Exists { what: "sharing group", name: id.to_string() });
        }
        tx.execute("INSERT INTO sharing_groups (id, name) VALUES (?1, ?2)", params![id.to_string(), name.trim()])?;
        for member in members {
            let known: bool =
                tx.query_row("SELECT EXISTS (SELECT 1 FROM organisations WHERE id = ?1)", [member.to_string()], |r| {
                    r.get(0)
                })?;
            if !known {
                return Err(StoreError::NotFound { what: "organisation", id: member.to_string() });
            }
            tx.execute(
                "INSERT OR IGNORE INTO sharing_group_members (group_id, organisation_id) VALUES (?1, ?2)",
                params![id.to_string(), member.to_string()],
            )?;
        }
        tx.commit()?;
        let mut members = members.to_vec();
        members.sort();
        members.dedup();
        Ok(SharingGroup { id, name: name.trim().to_owned(), members })
    }

    pub(crate) fn sharing_groups(&self) -> Result<Vec<SharingGroup>, StoreError> {
        self.read(|c| {
            let mut statement = c.prepare(
                "SELECT g.id, g.name, m.organisation_id FROM sharing_groups g \
                 LEFT JOIN sharing_group_members m ON m.group_id = g.id ORDER BY g.name, g.id, m.organisation_id",
            )?;
            let rows = statement.query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<String>>(2)?))
            })?;
            let mut out: Vec<SharingGroup> = Vec::new();
            for row in rows {
                let (id, name, member) = row?;
                let gid: SharingGroupId = parse(&id, "sharing group", &id)?;
                if out.last().is_none_or(|g| g.id != gid) {
                    out.push(SharingGroup { id: gid, name, members: Vec::new() });
                }
                if let (Some(member), Some(group)) = (member, out.last_mut()) {
                    group.members.push(parse(&member, "sharing group", &id)?);
                }
            }
            Ok(out)
        })
    }

    pub(crate) fn create_user(&self, organisation: OrganisationId, name: &str, role: Role) -> Result<User, StoreError> {
        let id = UserId::from_uuid(uuid::Uuid::now_v7());
        let name = name.trim();
        let known: bool = self.writer().query_row(
            "SELECT EXISTS (SELECT 1 FROM organisations WHERE id = ?1)",
            [organisation.to_string()],
            |r| r.get(0),
        )?;
        if !known {
            return Err(StoreError::NotFound { what: "organisation", id: organisation.to_string() });
        }
        let inserted = self.writer().execute(
            "INSERT INTO users (id, organisation_id, name, role, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id.to_string(), organisation.to_string(), name, role.as_str(), timestamp(Utc::now())],
        );
        match inserted {
            Err(e) if is_unique_violation(&e) => Err(StoreError::Exists { what: "user", name: name.to_owned() }),
            Err(e) => Err(e.into()),
            Ok(_) => Ok(User { id, organisation, name: name.to_owned(), role }),
        }
    }

    pub(crate) fn users(&self) -> Result<Vec<User>, StoreError> {
        self.read(|c| {
            let mut statement = c.prepare("SELECT id, organisation_id, name, role FROM users ORDER BY name")?;
            let mut rows = statement.query([])?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                out.push(user_from(row, 0)?);
            }
            Ok(out)
        })
    }

    pub(crate) fn add_token(
        &self,
        user: UserId,
        label: &str,
        secret_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<TokenRecord, StoreError> {
        let id = TokenId::from_uuid(uuid::Uuid::now_v7());
        let now = Utc::now();
        let inserted = self.writer().execute(
            "INSERT INTO api_tokens (id, user_id, hash, label, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id.to_string(), user.to_string(), secret_hash, label, timestamp(now), timestamp(expires_at)],
        );
        match inserted {
            Err(rusqlite::Error::SqliteFailure(f, _))
                if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY =>
            {
                Err(StoreError::NotFound { what: "user", id: user.to_string() })
            }
            Err(e) => Err(e.into()),
            Ok(_) => {
                Ok(TokenRecord { id, user, label: label.to_owned(), created_at: now, expires_at, revoked_at: None })
            }
        }
    }

    pub(crate) fn token_by_hash(&self, secret_hash: &str) -> Result<Option<(TokenRecord, User)>, StoreError> {
        // Two lookups by key rather than a join: SQLite prepares a join with a bound value
        // again at every run, and this runs on every request.
        self.read(|c| {
            let token = {
                let mut statement =
                    c.prepare_cached(&format!("SELECT {TOKEN_COLUMNS} FROM api_tokens t WHERE t.hash = ?1"))?;
                let mut rows = statement.query([secret_hash])?;
                match rows.next()? {
                    Some(row) => token_from(row)?,
                    None => return Ok(None),
                }
            };
            let mut statement = c.prepare_cached("SELECT id, organisation_id, name, role FROM users WHERE id = ?1")?;
            let mut rows = statement.query([token.user.to_string()])?;
            match rows.next()? {
                Some(row) => Ok(Some((token, user_from(row, 0)?))),
                None => Ok(None),
            }
        })
    }

    pub(crate) fn tokens(&self, user: Option<UserId>) -> Result<Vec<TokenRecord>, StoreError> {
        self.read(|c| {
            let mut statement = c.prepare(&format!(
                "SELECT {TOKEN_COLUMNS} FROM api_tokens t WHERE ?1 IS NULL OR t.user_id = ?1 ORDER BY t.created_at"
            ))?;
            let mut rows = statement.query([user.map(|u| u.to_string())])?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                out.push(token_from(row)?);
            }
            Ok(out)
        })
    }

    pub(crate) fn revoke_token(&self, id: TokenId) -> Result<bool, StoreError> {
        Ok(self.writer().execute(
            "UPDATE api_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
            params![id.to_string(), timestamp(Utc::now())],
        )? == 1)
    }

    pub(crate) fn audit(&self, entries: &[NewAudit]) -> Result<(), StoreError> {
        let mut connection = self.writer();
        let tx = connection.transaction()?;
        {
            let now = timestamp(Utc::now());
            let mut statement = tx.prepare_cached(
                "INSERT INTO audit_log (at, user_id, organisation_id, action, target, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for e in entries {
                statement.execute(params![
                    now,
                    e.user.map(|u| u.to_string()),
                    e.organisation.map(|o| o.to_string()),
                    e.action,
                    e.target,
                    e.detail.to_string()
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    pub(crate) fn audit_entries(
        &self,
        user: Option<UserId>,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        self.read(|c| {
            let mut statement = c.prepare(
                "SELECT seq, at, user_id, organisation_id, action, target, detail FROM audit_log \
                 WHERE (?1 IS NULL OR user_id = ?1) AND (?2 IS NULL OR seq < ?2) ORDER BY seq DESC LIMIT ?3",
            )?;
            let mut rows = statement.query(params![user.map(|u| u.to_string()), before, limit.max(1)])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                let seq: i64 = r.get(0)?;
                let record = format!("audit line {seq}");
                let detail: String = r.get(6)?;
                out.push(AuditEntry {
                    seq,
                    at: parse_timestamp(&r.get::<_, String>(1)?, &record)?,
                    user: r.get::<_, Option<String>>(2)?.map(|u| parse(&u, "audit line", &record)).transpose()?,
                    organisation: r
                        .get::<_, Option<String>>(3)?
                        .map(|o| parse(&o, "audit line", &record))
                        .transpose()?,
                    action: r.get(4)?,
                    target: r.get(5)?,
                    detail: serde_json::from_str(&detail)
                        .map_err(|e| StoreError::Corrupt { record: record.clone(), reason: e.to_string() })?,
                });
            }
            Ok(out)
        })
    }
}
