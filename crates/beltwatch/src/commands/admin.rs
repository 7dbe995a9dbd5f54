//! `beltwatch admin`: organisations, sharing groups, users, tokens and the audit trail from
//! the command line, which is how the first admin and token come to exist.

use anyhow::{Context, bail};
use chrono::{Duration, Utc};
use model::{OrganisationId, Role, TokenId, User};
use serde_json::json;
use store::{NewAudit, Store};

use super::Status;
use crate::cli::{AdminCommand, Format};
use crate::output::{self, Table, outln};

pub fn organisation(store: &Store, text: &str) -> anyhow::Result<OrganisationId> {
    if text.eq_ignore_ascii_case("local") {
        return Ok(store.local_organisation()?.id);
    }
    let by_name = store.organisations()?.into_iter().find(|o| o.name.eq_ignore_ascii_case(text.trim()));
    match by_name {
        Some(o) => Ok(o.id),
        None => text.trim().parse().with_context(|| format!("no organisation named or with the id {text:?}")),
    }
}

fn user_named(store: &Store, name: &str) -> anyhow::Result<User> {
    store
        .users()?
        .into_iter()
        .find(|u| u.name.eq_ignore_ascii_case(name.trim()))
        .with_context(|| format!("no user named {name:?} (`beltwatch admin users` lists them)"))
}

/// What the command line did, in the audit trail (its operator is not a user).
fn audit(store: &Store, action: &str, target: &str, detail: serde_json::Value) -> anyhow::Result<()> {
    store.audit(&[NewAudit {
        user: None,
        organisation: None,
        action: action.to_owned(),
        target: Some(target.to_owned()),
        detail: json!({ "via": "command line", "detail": detail }),
    }])?;
    Ok(())
}

pub(super) fn token_for(store: &Store, user: &User, label: &str, days: i64) -> anyhow::Result<(TokenId, String)> {
    if !(1..=365).contains(&days) {
        bail!("--days must be from 1 to 365, not {days}");
    }
    let secret = api::new_secret().map_err(|e| anyhow::anyhow!("no randomness for a token: {e}"))?;
    let record = store.add_token(user.id, label, &api::hash_secret(&secret), Utc::now() + Duration::days(days))?;
    audit(store, "create", "token", json!({ "token": record.id, "user": user.id }))?;
    Ok((record.id, secret))
}

pub fn run(store: &Store, command: &AdminCommand, format: Format) -> anyhow::Result<Status> {
    let print = |value: serde_json::Value, line: String| -> anyhow::Result<()> {
        match format {
            Format::Json => output::json(&value),
            Format::Table => {
                outln!("{line}");
                Ok(())
            }
        }
    };
    match command {
        AdminCommand::Bootstrap { user, days } => {
            let organisation = store.local_organisation()?;
            let admin = store.create_user(organisation.id, user, Role::Admin)?;
            audit(store, "create", "user", json!({ "user": admin.id, "role": "admin" }))?;
            let (token, secret) = token_for(store, &admin, "bootstrap", *days)?;
            print(
                json!({ "user": admin, "token": token, "secret": secret }),
                format!(
                    "admin {} created in {}\ntoken {token}: {secret}\nkeep it: it is not shown again",
                    admin.name, organisation.name
                ),
            )?;
        }
        AdminCommand::AddOrganisation { name, id } => {
            let org = match id {
                Some(id) => store.create_organisation_as(name, *id)?,
                None => store.create_organisation(name)?,
            };
            audit(store, "create", "organisation", json!({ "organisation": org.id }))?;
            print(json!(org), format!("organisation {} {}", org.id, org.name))?;
        }
        AdminCommand::Organisations => {
            let all = store.organisations()?;
            let local = store.local_organisation()?.id;
            match format {
                Format::Json => output::json(&all)?,
                Format::Table => {
                    let mut table = Table::new(&[("ID", 36), ("NAME", 40), ("", 5)]);
                    for o in &all {
                        table.row(vec![
                            o.id.to_string(),
                            o.name.clone(),
                            if o.id == local { "local".into() } else { String::new() },
                        ]);
                    }
                    table.print();
                }
            }
        }
        AdminCommand::AddGroup { name, id, members } => {
            let ids = members.iter().map(|m| organisation(store, m)).collect::<anyhow::Result<Vec<_>>>()?;
            let group = match id {
                Some(id) => store.create_sharing_group_as(name, *id, &ids)?,
                None => store.create_sharing_group(name, &ids)?,
            };
            audit(store, "create", "sharing group", json!({ "group": group.id }))?;
            print(
                json!(group),
                format!("sharing group {} {} with {} members", group.id, group.name, group.members.len()),
            )?;
        }
        AdminCommand::Groups => {
            let all = store.sharing_groups()?;
            match format {
                Format::Json => output::json(&all)?,
                Format::Table => {
                    let mut table = Table::new(&[("ID", 36), ("NAME", 30), ("MEMBERS", 80)]);
                    for g in &all {
                        table.row(vec![
                            g.id.to_string(),
                            g.name.clone(),
                            g.members.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
                        ]);
                    }
                    table.print();
                }
            }
        }
        AdminCommand::AddUser { name, organisation: org, role } => {
            let role: Role = role.trim().parse().context("--role")?;
            let user = store.create_user(organisation(store, org)?, name, role)?;
            audit(store, "create", "user", json!({ "user": user.id, "role": role }))?;
            print(json!(user), format!("user {} {} ({})", user.id, user.name, user.role))?;
        }
        AdminCommand::Users => {
            let all = store.users()?;
            match format {
                Format::Json => output::json(&all)?,
                Format::Table => {
                    let mut table = Table::new(&[("ID", 36), ("NAME", 24), ("ROLE", 8), ("ORGANISATION", 36)]);
                    for u in &all {
                        table.row(vec![
                            u.id.to_string(),
                            u.name.clone(),
                            u.role.to_string(),
                            u.organisation.to_string(),
                        ]);
                    }
                    table.print();
                }
            }
        }
        AdminCommand::AddToken { user, label, days } => {
            let user = user_named(store, user)?;
            let (token, secret) = token_for(store, &user, label, *days)?;
            print(
                json!({ "token": token, "user": user.id, "secret": secret }),
                format!("token {token} for {}: {secret}\nkeep it: it is not shown again", user.name),
            )?;
        }
        AdminCommand::Tokens => {
            let all = store.tokens(None)?;
            match format {
                Format::Json => output::json(&all)?,
                Format::Table => {
                    let mut table =
                        Table::new(&[("ID", 36), ("USER", 36), ("LABEL", 20), ("EXPIRES", 20), ("REVOKED", 20)]);
                    for t in &all {
                        table.row(vec![
                            t.id.to_string(),
                            t.user.to_string(),
                            t.label.clone(),
                            t.expires_at.format("%Y-%m-%d %H:%M").to_string(),
                            t.revoked_at.map(|r| r.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default(),
                        ]);
                    }
                    table.print();
                }
            }
        }
        AdminCommand::RevokeToken { id } => {
            let token: TokenId = id.trim().parse().context("token id")?;
            if !store.revoke_token(token)? {
                bail!("no active token {id}");
            }
            audit(store, "revoke", "token", json!({ "token": token }))?;
            print(json!({ "revoked": token }), format!("token {token} revoked"))?;
        }
        AdminCommand::Audit { user, limit } => {
            let user = user.as_deref().map(|u| user_named(store, u)).transpose()?;
            let entries = store.audit_entries(user.map(|u| u.id), None, (*limit).max(1))?;
            match format {
                Format::Json => output::json(&entries)?,
                Format::Table => {
                    let mut table = Table::new(&[
                        ("SEQ", 6),
                        ("AT", 19),
                        ("USER", 36),
                        ("ACTION", 11),
                        ("TARGET", 40),
                        ("DETAIL", 50),
                    ]);
                    for e in &entries {
                        table.row(vec![
                            e.seq.to_string(),
                            e.at.format("%Y-%m-%d %H:%M:%S").to_string(),
                            e.user.map(|u| u.to_string()).unwrap_or_else(|| "(command line)".into()),
                            e.action.clone(),
                            e.target.clone().unwrap_or_default(),
                            e.detail.to_string(),
                        ]);
                    }
                    table.print();
                }
            }
        }
    }
    Ok(Status::Clean)
}
