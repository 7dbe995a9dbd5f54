//! Organisations, sharing groups, users, API tokens and the audit trail.

use chrono::{DateTime, Utc};
use model::{Organisation, OrganisationId, Role, SharingGroup, SharingGroupId, TokenId, User, UserId};
use postgres::Row;

use super::PgStore;
use crate::rows::{Cells, parse, parse_timestamp, timestamp};
use crate::{AuditEntry, NewAudit, StoreError, TokenRecord};

const TOKEN_COLUMNS: &str = "t.id, t.user_id, t.label, t.created_at, t.expires_at, t.revoked_at";

fn token_from(r: &Row) -> Result<TokenRecord, StoreError> {
    let id = r.text(0)?;
    let record = format!("token {id}");
    Ok(TokenRecord {
        id: parse(id, "token", id)?,
        user: parse(r.text(1)?, "token", id)?,
        label: r.string(2)?,
        created_at: parse_timestamp(r.text(3)?, &record)?,
        expires_at: parse_timestamp(r.text(4)?, &record)?,
        revoked_at: r.opt_text(5)?.map(|t| parse_timestamp(t, &record)).transpose()?,
    })
}

fn user_from(r: &Row, offset: usize) -> Result<User, StoreError> {
    let id = r.text(offset)?;
    Ok(User {
        id: parse(id, "user", id)?,
        organisation: parse(r.text(offset + 1)?, "user", id)?,
        name: r.string(offset + 2)?,
        role: parse(r.text(offset + 3)?, "user", id)?,
    })
}

impl PgStore {
    /// Names are unique ignoring the case of ASCII letters. Nodes creating organisations
    /// at once take turns, so that two cannot take one name.
    pub(crate) fn create_organisation(&self, name: &str, id: OrganisationId) -> Result<Organisation, StoreError> {
        let name = name.trim();
        self.write(false, |s| {
            s.execute("LOCK TABLE organisations IN SHARE ROW EXCLUSIVE MODE", &[])?;
            if s.query_opt("SELECT 1 FROM organisations WHERE id = ?1", &[&id.to_string()])?.is_some() {
                return Err(StoreError::Exists { what: "organisation", name: id.to_string() });
            }
            let taken = s.query_opt(
                "SELECT 1 FROM organisations \
                 WHERE translate(name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') \
                     = translate(?1::text, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') \
                 LIMIT 1",
                &[&name],
            )?;
            if taken.is_some() {
                return Err(StoreError::Exists { what: "organisation", name: name.to_owned() });
            }
            s.execute(
                "INSERT INTO organisations (id, name, is_local, created_at) VALUES (?1, ?2, 0, ?3)",
                &[&id.to_string(), &name, &timestamp(Utc::now())],
            )?;
            Ok(())
        })?;
        Ok(Organisation { id, name: name.to_owned() })
    }

    pub(crate) fn organisations(&self) -> Result<Vec<Organisation>, StoreError> {
        self.read(|s| {
            let rows = s.query("SELECT id, name FROM organisations ORDER BY is_local DESC, name COLLATE \"C\"", &[])?;
            rows.iter()
                .map(|r| {
                    let id = r.text(0)?;
                    Ok(Organisation { id: parse(id, "organisation", id)?, name: r.string(1)? })
                })
                .collect()
        })
    }

    pub(crate) fn create_sharing_group(
        &self,
        name: &str,
        id: SharingGroupId,
        members: &[OrganisationId],
    ) -> Result<SharingGroup, StoreError> {
        self.write(false, |s| {
            if s.query_opt("SELECT 1 FROM sharing_groups WHERE id = ?1", &[&id.to_string()])?.is_some() {
                return Err(StoreError::Exists { what: "sharing group", name: id.to_string() });
            }
            s.execute("INSERT INTO sharing_groups (id, name) VALUES (?1, ?2)", &[&id.to_string(), &name.trim()])?;
            for member in members {
                if s.query_opt("SELECT 1 FROM organisations WHERE id = ?1", &[&member.to_string()])?.is_none() {
                    return Err(StoreError::NotFound { what: "organisation", id: member.to_string() });
                }
                s.execute(
                    "INSERT INTO sharing_group_members (group_id, organisation_id) VALUES (?1, ?2) \
                     ON CONFLICT DO NOTHING",
                    &[&id.to_string(), &member.to_string()],
                )?;
            }
            Ok(())
        })?;
        let mut members = members.to_vec();
        members.sort();
        members.dedup();
        Ok(SharingGroup { id, name: name.trim().to_owned(), members })
    }

    pub(crate) fn sharing_groups(&self) -> Result<Vec<SharingGroup>, StoreError> {
        self.read(|s| {
            let rows = s.query(
                "SELECT g.id, g.name, m.organisation_id FROM sharing_groups g \
                 LEFT JOIN sharing_group_members m ON m.group_id = g.id \
                 ORDER BY g.name COLLATE \"C\", g.id, m.organisation_id",
                &[],
            )?;
            let mut out: Vec<SharingGroup> = Vec::new();
            for r in &rows {
                let id = r.text(0)?;
                let gid: SharingGroupId = parse(id, "sharing group", id)?;
                if out.last().is_none_or(|g| g.id != gid) {
                    out.push(SharingGroup { id: gid, name: r.string(1)?, members: Vec::new() });
                }
                if let (Some(member), Some(group)) = (r.opt_text(2)?, out.last_mut()) {
                    group.members.push(parse(member, "sharing group", id)?);
                }
            }
            Ok(out)
        })
    }

    pub(crate) fn create_user(&self, organisation: OrganisationId, name: &str, role: Role) -> Result<User, StoreError> {
        let id = UserId::from_uuid(uuid::Uuid::now_v7());
        let name = name.trim();
        self.write(false, |s| {
            if s.query_opt("SELECT 1 FROM organisations WHERE id = ?1", &[&organisation.to_string()])?.is_none() {
                return Err(StoreError::NotFound { what: "organisation", id: organisation.to_string() });
            }
            let inserted = s.execute(
                "INSERT INTO users (id, organisation_id, name, role, created_at) VALUES (?1, ?2, ?3, ?4, ?5) \
                 ON CONFLICT (name) DO NOTHING",
                &[&id.to_string(), &organisation.to_string(), &name, &role.as_str(), &timestamp(Utc::now())],
            )?;
            if inserted == 0 {
                return Err(StoreError::Exists { what: "user", name: name.to_owned() });
            }
            Ok(())
        })?;
        Ok(User { id, organisation, name: name.to_owned(), role })
    }

    pub(crate) fn users(&self) -> Result<Vec<User>, StoreError> {
        self.read(|s| {
            let rows = s.query("SELECT id, organisation_id, name, role FROM users ORDER BY name COLLATE \"C\"", &[])?;
            rows.iter().map(|r| user_from(r, 0)).collect()
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
        let inserted = self.write(false, |s| {
            s.execute(
                "INSERT INTO api_tokens (id, user_id, hash, label, created_at, expires_at) \
                 SELECT ?1, u.id, ?3, ?4, ?5, ?6 FROM users u WHERE u.id = ?2",
                &[&id.to_string(), &user.to_string(), &secret_hash, &label, &timestamp(now), &timestamp(expires_at)],
            )
        })?;
        if inserted == 0 {
            return Err(StoreError::NotFound { what: "user", id: user.to_string() });
        }
        Ok(TokenRecord { id, user, label: label.to_owned(), created_at: now, expires_at, revoked_at: None })
    }

    pub(crate) fn token_by_hash(&self, secret_hash: &str) -> Result<Option<(TokenRecord, User)>, StoreError> {
        self.read(|s| {
            let row = s.query_opt(
                &format!(
                    "SELECT {TOKEN_COLUMNS}, u.id, u.organisation_id, u.name, u.role \
                     FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = ?1"
                ),
                &[&secret_hash],
            )?;
            row.map(|r| Ok((token_from(&r)?, user_from(&r, 6)?))).transpose()
        })
    }

    pub(crate) fn tokens(&self, user: Option<UserId>) -> Result<Vec<TokenRecord>, StoreError> {
        self.read(|s| {
            let rows = s.query(
                &format!(
                    "SELECT {TOKEN_COLUMNS} FROM api_tokens t WHERE ?1::text IS NULL OR t.user_id = ?1 \
                     ORDER BY t.created_at"
                ),
                &[&user.map(|u| u.to_string())],
            )?;
            rows.iter().map(token_from).collect()
        })
    }

    pub(crate) fn revoke_token(&self, id: TokenId) -> Result<bool, StoreError> {
        let changed = self.write(false, |s| {
            s.execute(
                "UPDATE api_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
                &[&id.to_string(), &timestamp(Utc::now())],
            )
        })?;
        Ok(changed == 1)
    }

    pub(crate) fn audit(&self, entries: &[NewAudit]) -> Result<(), StoreError> {
        let now = timestamp(Utc::now());
        self.write(false, |s| {
            for e in entries {
                s.execute(
                    "INSERT INTO audit_log (at, user_id, organisation_id, action, target, detail) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    &[
                        &now,
                        &e.user.map(|u| u.to_string()),
                        &e.organisation.map(|o| o.to_string()),
                        &e.action,
                        &e.target,
                        &e.detail.to_string(),
                    ],
                )?;
            }
            Ok(())
        })
    }

    pub(crate) fn audit_entries(
        &self,
        user: Option<UserId>,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        self.read(|s| {
            let rows = s.query(
                "SELECT seq, at, user_id, organisation_id, action, target, detail FROM audit_log \
                 WHERE (?1::text IS NULL OR user_id = ?1) AND (?2::bigint IS NULL OR seq < ?2) \
                 ORDER BY seq DESC LIMIT ?3",
                &[&user.map(|u| u.to_string()), &before, &i64::from(limit.max(1))],
            )?;
            rows.iter()
                .map(|r| {
                    let seq = r.int(0)?;
                    let record = format!("audit line {seq}");
                    Ok(AuditEntry {
                        seq,
                        at: parse_timestamp(r.text(1)?, &record)?,
                        user: r.opt_text(2)?.map(|u| parse(u, "audit line", &record)).transpose()?,
                        organisation: r.opt_text(3)?.map(|o| parse(o, "audit line", &record)).transpose()?,
                        action: r.string(4)?,
                        target: r.opt_string(5)?,
                        detail: serde_json::from_str(r.text(6)?)
                            .map_err(|e| StoreError::Corrupt { record: record.clone(), reason: e.to_string() })?,
                    })
                })
                .collect()
        })
    }
}
