//! Alert rules, alerts with their lifecycle, the webhook outbox and the evaluation
//! watermark.

use chrono::{DateTime, Utc};
use model::{Alert, AlertCondition, AlertId, AlertRule, AlertRuleId, AlertStatus, EventId, OrganisationId, UserId};
use rusqlite::{OptionalExtension, params};

use super::{SqliteStore, parse, parse_timestamp, timestamp};
use crate::rows::{page_of, split_cursor};
use crate::{Delivery, Listing, NewAlert, Page, StoreError};

const RULE_COLUMNS: &str = "id, organisation_id, name, condition, webhook_url, created_at, disabled_at";
const ALERT_COLUMNS: &str = "id, rule_id, organisation_id, dedup_key, fired_at, title, status, events, sector, \
     acknowledged_by, acknowledged_at, closed_by, closed_at";

fn rule_from(r: &rusqlite::Row<'_>) -> Result<AlertRule, StoreError> {
    let id: String = r.get(0)?;
    let record = format!("alert rule {id}");
    let condition: String = r.get(3)?;
    Ok(AlertRule {
        id: parse(&id, "alert rule", &id)?,
        organisation: parse(&r.get::<_, String>(1)?, "alert rule", &id)?,
        name: r.get(2)?,
        condition: serde_json::from_str(&condition)
            .map_err(|e| StoreError::Corrupt { record: record.clone(), reason: e.to_string() })?,
        webhook_url: r.get(4)?,
        created_at: parse_timestamp(&r.get::<_, String>(5)?, &record)?,
        disabled_at: r.get::<_, Option<String>>(6)?.map(|t| parse_timestamp(&t, &record)).transpose()?,
    })
}

fn alert_from(r: &rusqlite::Row<'_>) -> Result<Alert, StoreError> {
    let id: String = r.get(0)?;
    let record = format!("alert {id}");
    let events: String = r.get(7)?;
    let who = |user: Option<String>, at: Option<String>| -> Result<Option<(UserId, DateTime<Utc>)>, StoreError> {
        match (user, at) {
            (Some(u), Some(t)) => Ok(Some((parse(&u, "alert", &id)?, parse_timestamp(&t, &record)?))),
            _ => Ok(None),
        }
    };
    Ok(Alert {
        id: parse(&id, "alert", &id)?,
        rule: parse(&r.get::<_, String>(1)?, "alert", &id)?,
        organisation: parse(&r.get::<_, String>(2)?, "alert", &id)?,
        dedup_key: r.get(3)?,
        fired_at: parse_timestamp(&r.get::<_, String>(4)?, &record)?,
        title: r.get(5)?,
        status: parse(&r.get::<_, String>(6)?, "alert", &id)?,
        events: events.split_whitespace().map(|e| parse(e, "alert", &id)).collect::<Result<_, _>>()?,
        sector: r.get::<_, Option<String>>(8)?.map(|s| parse(&s, "alert", &id)).transpose()?,
        acknowledged: who(r.get(9)?, r.get(10)?)?,
        closed: who(r.get(11)?, r.get(12)?)?,
    })
}

impl SqliteStore {
    pub(crate) fn create_alert_rule(
        &self,
        organisation: OrganisationId,
        name: &str,
        condition: &AlertCondition,
        webhook: Option<(&str, &str)>,
    ) -> Result<AlertRule, StoreError> {
        let id = AlertRuleId::from_uuid(uuid::Uuid::now_v7());
        let now = Utc::now();
        let condition_json = serde_json::to_string(condition)
            .map_err(|e| StoreError::Corrupt { record: "alert condition".into(), reason: e.to_string() })?;
        self.writer().execute(
            "INSERT INTO alert_rules (id, organisation_id, name, condition, webhook_url, webhook_secret, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                id.to_string(),
                organisation.to_string(),
                name.trim(),
                condition_json,
                webhook.map(|w| w.0),
                webhook.map(|w| w.1),
                timestamp(now)
            ],
        )?;
        Ok(AlertRule {
            id,
            organisation,
            name: name.trim().to_owned(),
            condition: condition.clone(),
            webhook_url: webhook.map(|w| w.0.to_owned()),
            created_at: now,
            disabled_at: None,
        })
    }

    pub(crate) fn alert_rules(&self, organisation: Option<OrganisationId>) -> Result<Vec<AlertRule>, StoreError> {
        self.read(|c| {
            let mut statement = c.prepare(&format!(
                "SELECT {RULE_COLUMNS} FROM alert_rules WHERE ?1 IS NULL OR organisation_id = ?1 ORDER BY created_at"
            ))?;
            let mut rows = statement.query([organisation.map(|o| o.to_string())])?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                out.push(rule_from(row)?);
            }
            Ok(out)
        })
    }

    pub(crate) fn disable_alert_rule(&self, id: AlertRuleId, organisation: OrganisationId) -> Result<bool, StoreError> {
        Ok(self.writer().execute(
            "UPDATE alert_rules SET disabled_at = ?3 WHERE id = ?1 AND organisation_id = ?2 AND disabled_at IS NULL",
            params![id.to_string(), organisation.to_string(), timestamp(Utc::now())],
        )? == 1)
    }

    pub(crate) fn raise_alerts(&self, alerts: &[NewAlert]) -> Result<Vec<Alert>, StoreError> {
        let mut connection = self.writer();
        let tx = connection.transaction()?;
        let mut raised = Vec::new();
        {
            let now = Utc::now();
            let mut insert = tx.prepare_cached(
                "INSERT INTO alerts (id, rule_id, organisation_id, dedup_key, fired_at, title, status, events, sector, \
                                     seq) \
                 SELECT ?1, r.id, r.organisation_id, ?3, ?4, ?5, 'new', ?6, ?7, \
                        (SELECT coalesce(max(seq), 0) + 1 FROM alerts) FROM alert_rules r \
                 WHERE r.id = ?2 AND r.disabled_at IS NULL \
                 ON CONFLICT (rule_id, dedup_key) DO NOTHING",
            )?;
            let mut webhook = tx
                .prepare_cached("SELECT organisation_id, webhook_url, webhook_secret FROM alert_rules WHERE id = ?1")?;
            let mut outbox = tx.prepare_cached(
                "INSERT INTO webhook_outbox (delivery_id, alert_id, url, secret, payload, next_attempt_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            let mut covering =
                tx.prepare_cached("SELECT alert_id FROM alert_events WHERE rule_id = ?1 AND event_id = ?2")?;
            let mut absorb = tx.prepare_cached("UPDATE alert_events SET alert_id = ?2 WHERE alert_id = ?1")?;
            let mut merged = tx.prepare_cached("UPDATE alerts SET merged_into = ?2 WHERE id = ?1")?;
            let mut cover = tx.prepare_cached(
                "INSERT INTO alert_events (rule_id, event_id, alert_id) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
            )?;
            let mut recover = tx.prepare_cached(
                "UPDATE alerts SET events = ( \
                     SELECT group_concat(event_id, ' ') FROM ( \
                         SELECT event_id FROM alert_events WHERE alert_id = ?1 ORDER BY event_id)) \
                 WHERE id = ?1",
            )?;
            for a in alerts {
                let id = AlertId::from_uuid(uuid::Uuid::now_v7());
                let rule = a.rule.to_string();
                // An incident alerted already for this rule: its new reports join that alert.
                let mut existing: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
                for event in &a.events {
                    let found: Option<String> =
                        covering.query_row(params![rule, event.to_string()], |r| r.get(0)).optional()?;
                    existing.extend(found);
                }
                // Reports that join several alerted incidents merge their alerts into the oldest.
                if let Some(alert) = existing.pop_first() {
                    for younger in &existing {
                        absorb.execute(params![younger, alert])?;
                        merged.execute(params![younger, alert])?;
                    }
                    for event in &a.events {
                        cover.execute(params![rule, event.to_string(), alert])?;
                    }
                    recover.execute([&alert])?;
                    continue;
                }
                let events: Vec<String> = a.events.iter().map(ToString::to_string).collect();
                let inserted = insert.execute(params![
                    id.to_string(),
                    a.rule.to_string(),
                    a.dedup_key,
                    timestamp(now),
                    a.title,
                    events.join(" "),
                    a.sector.as_ref().map(ToString::to_string)
                ])?;
                if inserted == 0 {
                    continue;
                }
                for event in &events {
                    cover.execute(params![rule, event, id.to_string()])?;
                }
                let (organisation, url, secret): (String, Option<String>, Option<String>) =
                    webhook.query_row([a.rule.to_string()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
                let alert = Alert {
                    id,
                    rule: a.rule,
                    organisation: parse(&organisation, "alert rule", &a.rule.to_string())?,
                    fired_at: now,
                    title: a.title.clone(),
                    status: AlertStatus::New,
                    events: a.events.clone(),
                    sector: a.sector.clone(),
                    dedup_key: a.dedup_key.clone(),
                    acknowledged: None,
                    closed: None,
                };
                if let (Some(url), Some(secret)) = (url, secret) {
                    let payload = serde_json::to_string(&alert)
                        .map_err(|e| StoreError::Corrupt { record: format!("alert {id}"), reason: e.to_string() })?;
                    outbox.execute(params![
                        uuid::Uuid::now_v7().to_string(),
                        id.to_string(),
                        url,
                        secret,
                        payload,
                        timestamp(now)
                    ])?;
                }
                raised.push(alert);
            }
        }
        tx.commit()?;
        Ok(raised)
    }

    pub(crate) fn alerts(
        &self,
        organisation: OrganisationId,
        status: Option<AlertStatus>,
        limit: u32,
    ) -> Result<Vec<Alert>, StoreError> {
        self.read(|c| {
            let mut statement = c.prepare(&format!(
                "SELECT {ALERT_COLUMNS} FROM alerts WHERE organisation_id = ?1 AND (?2 IS NULL OR status = ?2) AND merged_into IS NULL \
                 ORDER BY fired_at DESC, id DESC LIMIT ?3"
            ))?;
            let mut rows =
                statement.query(params![organisation.to_string(), status.map(|s| s.as_str()), limit.max(1)])?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                out.push(alert_from(row)?);
            }
            Ok(out)
        })
    }

    pub(crate) fn alerts_page(
        &self,
        organisation: OrganisationId,
        status: Option<AlertStatus>,
        page: &Page,
    ) -> Result<Listing<Alert>, StoreError> {
        let (time, seq) = match &page.after {
            Some(cursor) => {
                let (t, s) = split_cursor(cursor)?;
                (Some(t), Some(s))
            }
            None => (None, None),
        };
        let limit = page.limit.max(1);
        self.read(|c| {
            let mut statement = c.prepare_cached(&format!(
                "SELECT {ALERT_COLUMNS}, seq FROM alerts \
                 WHERE organisation_id = ?1 AND (?2 IS NULL OR status = ?2) AND merged_into IS NULL \
                   AND (?3 IS NULL OR (fired_at, seq) < (?3, ?4)) \
                 ORDER BY fired_at DESC, seq DESC LIMIT ?5"
            ))?;
            let mut rows =
                statement.query(params![organisation.to_string(), status.map(|s| s.as_str()), time, seq, limit + 1])?;
            let mut items = Vec::new();
            let mut keys = Vec::new();
            while let Some(row) = rows.next()? {
                keys.push(row.get::<_, i64>(13)?);
                items.push(alert_from(row)?);
            }
            Ok(page_of(items, keys, limit))
        })
    }

    pub(crate) fn alert(&self, id: AlertId) -> Result<Option<Alert>, StoreError> {
        self.read(|c| {
            let mut statement = c.prepare_cached(&format!("SELECT {ALERT_COLUMNS} FROM alerts WHERE id = ?1"))?;
            let mut rows = statement.query([id.to_string()])?;
            rows.next()?.map(alert_from).transpose()
        })
    }

    pub(crate) fn alerts_after(&self, after: (DateTime<Utc>, AlertId), limit: u32) -> Result<Vec<Alert>, StoreError> {
        self.read(|c| {
            let mut statement = c.prepare_cached(&format!(
                "SELECT {ALERT_COLUMNS} FROM alerts WHERE (fired_at, id) > (?1, ?2) ORDER BY fired_at, id LIMIT ?3"
            ))?;
            let mut rows = statement.query(params![timestamp(after.0), after.1.to_string(), limit.max(1)])?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                out.push(alert_from(row)?);
            }
            Ok(out)
        })
    }

    pub(crate) fn set_alert_status(
        &self,
        id: AlertId,
        organisation: OrganisationId,
        status: AlertStatus,
        user: UserId,
    ) -> Result<Option<Alert>, StoreError> {
        let now = timestamp(Utc::now());
        let sql = match status {
            AlertStatus::Acknowledged => {
                "UPDATE alerts SET status = 'acknowledged', acknowledged_by = ?3, acknowledged_at = ?4 \
                 WHERE id = ?1 AND organisation_id = ?2 AND status = 'new'"
            }
            AlertStatus::Closed => {
                "UPDATE alerts SET status = 'closed', closed_by = ?3, closed_at = ?4 \
                 WHERE id = ?1 AND organisation_id = ?2 AND status <> 'closed'"
            }
            AlertStatus::New => return Ok(None),
        };
        let changed =
            self.writer().execute(sql, params![id.to_string(), organisation.to_string(), user.to_string(), now])?;
        if changed == 0 {
            return Ok(None);
        }
        self.read(|c| {
            let mut statement = c.prepare(&format!("SELECT {ALERT_COLUMNS} FROM alerts WHERE id = ?1"))?;
            let mut rows = statement.query([id.to_string()])?;
            rows.next()?.map(alert_from).transpose()
        })
    }

    pub(crate) fn claim_deliveries(
        &self,
        holder: &str,
        token: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError> {
        let mut connection = self.writer();
        let tx = connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let taken = {
            let mut statement = tx.prepare_cached(
                "SELECT delivery_id, alert_id, url, secret, payload, attempts FROM webhook_outbox \
                 WHERE delivered_at IS NULL AND next_attempt_at <= ?1 AND (lease_until IS NULL OR lease_until <= ?1) \
                 ORDER BY next_attempt_at LIMIT ?2",
            )?;
            let rows = statement.query_map(params![timestamp(now), limit.max(1)], |r| {
                let delivery_id: String = r.get(0)?;
                Ok(Delivery {
                    token: format!("{token}/{delivery_id}"),
                    delivery_id,
                    alert: r.get(1)?,
                    url: r.get(2)?,
                    secret: r.get(3)?,
                    payload: r.get(4)?,
                    attempts: r.get(5)?,
                })
            })?;
            rows.collect::<Result<Vec<_>, _>>()?
        };
        {
            let mut claim = tx.prepare_cached(
                "UPDATE webhook_outbox SET claimed_by = ?2, claim_token = ?3, lease_until = ?4 WHERE delivery_id = ?1",
            )?;
            for d in &taken {
                claim.execute(params![d.delivery_id, holder, d.token, timestamp(lease_until)])?;
            }
        }
        tx.commit()?;
        Ok(taken)
    }

    pub(crate) fn renew_delivery(
        &self,
        delivery_id: &str,
        token: &str,
        lease_until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let changed = self.writer().execute(
            "UPDATE webhook_outbox SET lease_until = ?3 \
             WHERE delivery_id = ?1 AND claim_token = ?2 AND delivered_at IS NULL",
            params![delivery_id, token, timestamp(lease_until)],
        )?;
        Ok(changed == 1)
    }

    pub(crate) fn delivery_done(&self, delivery_id: &str, token: &str) -> Result<bool, StoreError> {
        let changed = self.writer().execute(
            "UPDATE webhook_outbox SET delivered_at = ?3, attempts = attempts + 1, last_error = NULL, \
                 claimed_by = NULL, claim_token = NULL, lease_until = NULL \
             WHERE delivery_id = ?1 AND claim_token = ?2 AND delivered_at IS NULL",
            params![delivery_id, token, timestamp(Utc::now())],
        )?;
        Ok(changed == 1)
    }

    pub(crate) fn delivery_failed(
        &self,
        delivery_id: &str,
        token: &str,
        error: &str,
        next_attempt: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let changed = self.writer().execute(
            "UPDATE webhook_outbox SET attempts = attempts + 1, last_error = ?3, next_attempt_at = ?4, \
                 claimed_by = NULL, claim_token = NULL, lease_until = NULL \
             WHERE delivery_id = ?1 AND claim_token = ?2 AND delivered_at IS NULL",
            params![delivery_id, token, error, timestamp(next_attempt)],
        )?;
        Ok(changed == 1)
    }

    pub(crate) fn release_deliveries(&self, holder: &str) -> Result<usize, StoreError> {
        Ok(self.writer().execute(
            "UPDATE webhook_outbox SET claimed_by = NULL, claim_token = NULL, lease_until = NULL \
             WHERE claimed_by = ?1 AND delivered_at IS NULL",
            [holder],
        )?)
    }

    pub(crate) fn alert_watermark(&self) -> Result<i64, StoreError> {
        self.read(|c| Ok(c.query_row("SELECT seq FROM alert_watermark WHERE id = 1", [], |r| r.get(0))?))
    }

    pub(crate) fn set_alert_watermark(&self, seq: i64) -> Result<(), StoreError> {
        self.writer().execute("UPDATE alert_watermark SET seq = max(seq, ?1) WHERE id = 1", [seq])?;
        Ok(())
    }

    pub(crate) fn event_seqs_after(&self, seq: i64) -> Result<Vec<(i64, EventId)>, StoreError> {
        self.read(|c| {
            let mut statement = c.prepare_cached("SELECT seq, id FROM events WHERE seq > ?1 ORDER BY seq")?;
            let rows = statement.query_map([seq], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
            let mut out = Vec::new();
            for row in rows {
                let (seq, id) = row?;
                out.push((seq, parse(&id, "event", &id)?));
            }
            Ok(out)
        })
    }
}
