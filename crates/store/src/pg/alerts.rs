//! Alert rules, alerts with their lifecycle, the webhook outbox and the evaluation
//! watermark. Several nodes may evaluate and deliver at once: an alert is raised once for
//! its rule and key whoever raises it, and a due delivery is handed to one node at a time.

use chrono::{DateTime, Utc};
use model::{Alert, AlertCondition, AlertId, AlertRule, AlertRuleId, AlertStatus, EventId, OrganisationId, UserId};
use postgres::Row;

use super::PgStore;
use crate::rows::{Cells, page_of, parse, parse_timestamp, split_cursor, timestamp};
use crate::{Delivery, Listing, NewAlert, Page, StoreError};

const RULE_COLUMNS: &str = "id, organisation_id, name, condition, webhook_url, created_at, disabled_at";
const ALERT_COLUMNS: &str = "id, rule_id, organisation_id, dedup_key, fired_at, title, status, events, sector, \
     acknowledged_by, acknowledged_at, closed_by, closed_at";

fn rule_from(r: &Row) -> Result<AlertRule, StoreError> {
    let id = r.text(0)?;
    let record = format!("alert rule {id}");
    Ok(AlertRule {
        id: parse(id, "alert rule", id)?,
        organisation: parse(r.text(1)?, "alert rule", id)?,
        name: r.string(2)?,
        condition: serde_json::from_str(r.text(3)?)
            .map_err(|e| StoreError::Corrupt { record: record.clone(), reason: e.to_string() })?,
        webhook_url: r.opt_string(4)?,
        created_at: parse_timestamp(r.text(5)?, &record)?,
        disabled_at: r.opt_text(6)?.map(|t| parse_timestamp(t, &record)).transpose()?,
    })
}

fn alert_from(r: &Row) -> Result<Alert, StoreError> {
    let id = r.text(0)?;
    let record = format!("alert {id}");
    let who = |user: Option<&str>, at: Option<&str>| -> Result<Option<(UserId, DateTime<Utc>)>, StoreError> {
        match (user, at) {
            (Some(u), Some(t)) => Ok(Some((parse(u, "alert", id)?, parse_timestamp(t, &record)?))),
            _ => Ok(None),
        }
    };
    Ok(Alert {
        id: parse(id, "alert", id)?,
        rule: parse(r.text(1)?, "alert", id)?,
        organisation: parse(r.text(2)?, "alert", id)?,
        dedup_key: r.string(3)?,
        fired_at: parse_timestamp(r.text(4)?, &record)?,
        title: r.string(5)?,
        status: parse(r.text(6)?, "alert", id)?,
        events: r.text(7)?.split_whitespace().map(|e| parse(e, "alert", id)).collect::<Result<_, _>>()?,
        sector: r.opt_text(8)?.map(|s| parse(s, "alert", id)).transpose()?,
        acknowledged: who(r.opt_text(9)?, r.opt_text(10)?)?,
        closed: who(r.opt_text(11)?, r.opt_text(12)?)?,
    })
}

impl PgStore {
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
        self.write(false, |s| {
            s.execute(
                "INSERT INTO alert_rules (id, organisation_id, name, condition, webhook_url, webhook_secret, \
                                          created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                &[
                    &id.to_string(),
                    &organisation.to_string(),
                    &name.trim(),
                    &condition_json,
                    &webhook.map(|w| w.0),
                    &webhook.map(|w| w.1),
                    &timestamp(now),
                ],
            )
        })?;
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
        self.read(|s| {
            let rows = s.query(
                &format!(
                    "SELECT {RULE_COLUMNS} FROM alert_rules WHERE ?1::text IS NULL OR organisation_id = ?1 \
                     ORDER BY created_at"
                ),
                &[&organisation.map(|o| o.to_string())],
            )?;
            rows.iter().map(rule_from).collect()
        })
    }

    pub(crate) fn disable_alert_rule(&self, id: AlertRuleId, organisation: OrganisationId) -> Result<bool, StoreError> {
        let changed = self.write(false, |s| {
            s.execute(
                "UPDATE alert_rules SET disabled_at = ?3 \
                 WHERE id = ?1 AND organisation_id = ?2 AND disabled_at IS NULL",
                &[&id.to_string(), &organisation.to_string(), &timestamp(Utc::now())],
            )
        })?;
        Ok(changed == 1)
    }

    /// An alert already raised for its rule and key, by this call or by another node, is
    /// skipped, and only the alerts inserted here queue their webhook deliveries. Alerts
    /// are inserted in the order of their rule and key, so that nodes raising the same ones
    /// at once wait on each other rather than deadlock; they are returned in the order given.
    pub(crate) fn raise_alerts(&self, alerts: &[NewAlert]) -> Result<Vec<Alert>, StoreError> {
        let now = Utc::now();
        let ids: Vec<AlertId> = alerts.iter().map(|_| AlertId::from_uuid(uuid::Uuid::now_v7())).collect();
        let mut order: Vec<usize> = (0..alerts.len()).collect();
        order.sort_by(|&x, &y| (alerts[x].rule, &alerts[x].dedup_key).cmp(&(alerts[y].rule, &alerts[y].dedup_key)));
        self.write(false, |s| {
            let mut raised: Vec<Option<Alert>> = vec![None; alerts.len()];
            for index in order {
                let (a, id) = (&alerts[index], ids[index]);
                let events: Vec<String> = a.events.iter().map(ToString::to_string).collect();
                let rule = a.rule.to_string();
                // An incident alerted already for this rule: its new reports join that alert.
                let covering = s.query(
                    "SELECT DISTINCT alert_id FROM alert_events WHERE rule_id = ?1 AND event_id = ANY (?2) \
                     ORDER BY alert_id",
                    &[&rule, &events],
                )?;
                let existing: Vec<String> = covering.iter().map(|r| r.string(0)).collect::<Result<_, _>>()?;
                // Reports that join several alerted incidents merge their alerts into the oldest.
                if let Some((alert, younger)) = existing.split_first() {
                    let alert = alert.clone();
                    for other in younger {
                        s.execute("UPDATE alert_events SET alert_id = ?2 WHERE alert_id = ?1", &[other, &alert])?;
                        s.execute("UPDATE alerts SET merged_into = ?2 WHERE id = ?1", &[other, &alert])?;
                    }
                    for event in &events {
                        s.execute(
                            "INSERT INTO alert_events (rule_id, event_id, alert_id) VALUES (?1, ?2, ?3) \
                             ON CONFLICT DO NOTHING",
                            &[&rule, event, &alert],
                        )?;
                    }
                    s.execute(
                        "UPDATE alerts SET events = ( \
                             SELECT string_agg(event_id, ' ' ORDER BY event_id) FROM alert_events WHERE alert_id = ?1) \
                         WHERE id = ?1",
                        &[&alert],
                    )?;
                    continue;
                }
                let inserted = s.query_opt(
                    "WITH inserted AS ( \
                         INSERT INTO alerts (id, rule_id, organisation_id, dedup_key, fired_at, title, status, events, \
                                             sector) \
                         SELECT ?1, r.id, r.organisation_id, ?3, ?4, ?5, 'new', ?6, ?7 FROM alert_rules r \
                         WHERE r.id = ?2 AND r.disabled_at IS NULL \
                         ON CONFLICT (rule_id, dedup_key) DO NOTHING \
                         RETURNING rule_id, organisation_id) \
                     SELECT i.organisation_id, r.webhook_url, r.webhook_secret \
                     FROM inserted i JOIN alert_rules r ON r.id = i.rule_id",
                    &[
                        &id.to_string(),
                        &a.rule.to_string(),
                        &a.dedup_key,
                        &timestamp(now),
                        &a.title,
                        &events.join(" "),
                        &a.sector.as_ref().map(ToString::to_string),
                    ],
                )?;
                let Some(row) = inserted else { continue };
                for event in &events {
                    s.execute(
                        "INSERT INTO alert_events (rule_id, event_id, alert_id) VALUES (?1, ?2, ?3) \
                         ON CONFLICT DO NOTHING",
                        &[&rule, event, &id.to_string()],
                    )?;
                }
                let alert = Alert {
                    id,
                    rule: a.rule,
                    organisation: parse(row.text(0)?, "alert rule", &a.rule.to_string())?,
                    fired_at: now,
                    title: a.title.clone(),
                    status: AlertStatus::New,
                    events: a.events.clone(),
                    sector: a.sector.clone(),
                    dedup_key: a.dedup_key.clone(),
                    acknowledged: None,
                    closed: None,
                };
                if let (Some(url), Some(secret)) = (row.opt_text(1)?, row.opt_text(2)?) {
                    let payload = serde_json::to_string(&alert)
                        .map_err(|e| StoreError::Corrupt { record: format!("alert {id}"), reason: e.to_string() })?;
                    s.execute(
                        "INSERT INTO webhook_outbox (delivery_id, alert_id, url, secret, payload, next_attempt_at) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                        &[&uuid::Uuid::now_v7().to_string(), &id.to_string(), &url, &secret, &payload, &timestamp(now)],
                    )?;
                }
                raised[index] = Some(alert);
            }
            Ok(raised.into_iter().flatten().collect())
        })
    }

    pub(crate) fn alerts(
        &self,
        organisation: OrganisationId,
        status: Option<AlertStatus>,
        limit: u32,
    ) -> Result<Vec<Alert>, StoreError> {
        self.read(|s| {
            let rows = s.query(
                &format!(
                    "SELECT {ALERT_COLUMNS} FROM alerts \
                     WHERE organisation_id = ?1 AND (?2::text IS NULL OR status = ?2) AND merged_into IS NULL \
                     ORDER BY fired_at DESC, id DESC LIMIT ?3"
                ),
                &[&organisation.to_string(), &status.map(|s| s.as_str()), &i64::from(limit.max(1))],
            )?;
            rows.iter().map(alert_from).collect()
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
        self.read(|s| {
            let rows = s.query(
                &format!(
                    "SELECT {ALERT_COLUMNS}, seq FROM alerts \
                     WHERE organisation_id = ?1 AND (?2::text IS NULL OR status = ?2) AND merged_into IS NULL \
                       AND (?3::text IS NULL OR (fired_at, seq) < (?3, ?4::bigint)) \
                     ORDER BY fired_at DESC, seq DESC LIMIT ?5"
                ),
                &[&organisation.to_string(), &status.map(|s| s.as_str()), &time, &seq, &i64::from(limit + 1)],
            )?;
            let mut items = Vec::new();
            let mut keys = Vec::new();
            for row in &rows {
                keys.push(row.int(13)?);
                items.push(alert_from(row)?);
            }
            Ok(page_of(items, keys, limit))
        })
    }

    pub(crate) fn alert(&self, id: AlertId) -> Result<Option<Alert>, StoreError> {
        self.read(|s| {
            let row = s.query_opt(&format!("SELECT {ALERT_COLUMNS} FROM alerts WHERE id = ?1"), &[&id.to_string()])?;
            row.as_ref().map(alert_from).transpose()
        })
    }

    pub(crate) fn alerts_after(&self, after: (DateTime<Utc>, AlertId), limit: u32) -> Result<Vec<Alert>, StoreError> {
        self.read(|s| {
            let rows = s.query(
                &format!(
                    "SELECT {ALERT_COLUMNS} FROM alerts WHERE (fired_at, id) > (?1, ?2) ORDER BY fired_at, id LIMIT ?3"
                ),
                &[&timestamp(after.0), &after.1.to_string(), &i64::from(limit.max(1))],
            )?;
            rows.iter().map(alert_from).collect()
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
            AlertStatus::Acknowledged => format!(
                "UPDATE alerts SET status = 'acknowledged', acknowledged_by = ?3, acknowledged_at = ?4 \
                 WHERE id = ?1 AND organisation_id = ?2 AND status = 'new' RETURNING {ALERT_COLUMNS}"
            ),
            AlertStatus::Closed => format!(
                "UPDATE alerts SET status = 'closed', closed_by = ?3, closed_at = ?4 \
                 WHERE id = ?1 AND organisation_id = ?2 AND status <> 'closed' RETURNING {ALERT_COLUMNS}"
            ),
            AlertStatus::New => return Ok(None),
        };
        self.write(false, |s| {
            let row = s.query_opt(&sql, &[&id.to_string(), &organisation.to_string(), &user.to_string(), &now])?;
            row.as_ref().map(alert_from).transpose()
        })
    }

    /// Takes the deliveries due at `now`, oldest first, for `holder`, under `token`: rows
    /// another node is taking at the same moment are skipped, and each stays this node's
    /// until its lease ends or it reports.
    pub(crate) fn claim_deliveries(
        &self,
        holder: &str,
        token: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError> {
        self.write(false, |s| {
            let rows = s.query(
                "WITH due AS ( \
                     SELECT delivery_id, next_attempt_at FROM webhook_outbox \
                     WHERE delivered_at IS NULL AND next_attempt_at <= ?1 \
                       AND (lease_until IS NULL OR lease_until <= ?1) \
                     ORDER BY next_attempt_at LIMIT ?2 FOR UPDATE SKIP LOCKED), \
                 taken AS ( \
                     UPDATE webhook_outbox o \
                     SET claimed_by = ?3, claim_token = ?4 || '/' || o.delivery_id, lease_until = ?5 \
                     FROM due WHERE o.delivery_id = due.delivery_id \
                     RETURNING o.delivery_id, o.alert_id, o.url, o.secret, o.payload, o.attempts, o.claim_token, \
                               due.next_attempt_at AS due_at) \
                 SELECT delivery_id, alert_id, url, secret, payload, attempts, claim_token FROM taken ORDER BY due_at",
                &[&timestamp(now), &i64::from(limit.max(1)), &holder, &token, &timestamp(lease_until)],
            )?;
            rows.iter()
                .map(|r| {
                    let delivery_id = r.string(0)?;
                    let attempts = u32::try_from(r.int(5)?).map_err(|e| StoreError::Corrupt {
                        record: format!("delivery {delivery_id}"),
                        reason: format!("attempts: {e}"),
                    })?;
                    Ok(Delivery {
                        delivery_id,
                        alert: r.string(1)?,
                        url: r.string(2)?,
                        secret: r.string(3)?,
                        payload: r.string(4)?,
                        attempts,
                        token: r.string(6)?,
                    })
                })
                .collect()
        })
    }

    pub(crate) fn renew_delivery(
        &self,
        delivery_id: &str,
        token: &str,
        lease_until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let changed = self.write(false, |s| {
            s.execute(
                "UPDATE webhook_outbox SET lease_until = ?3 \
                 WHERE delivery_id = ?1 AND claim_token = ?2 AND delivered_at IS NULL",
                &[&delivery_id, &token, &timestamp(lease_until)],
            )
        })?;
        Ok(changed == 1)
    }

    pub(crate) fn delivery_done(&self, delivery_id: &str, token: &str) -> Result<bool, StoreError> {
        let changed = self.write(false, |s| {
            s.execute(
                "UPDATE webhook_outbox SET delivered_at = ?3, attempts = attempts + 1, last_error = NULL, \
                     claimed_by = NULL, claim_token = NULL, lease_until = NULL \
                 WHERE delivery_id = ?1 AND claim_token = ?2 AND delivered_at IS NULL",
                &[&delivery_id, &token, &timestamp(Utc::now())],
            )
        })?;
        Ok(changed == 1)
    }

    pub(crate) fn delivery_failed(
        &self,
        delivery_id: &str,
        token: &str,
        error: &str,
        next_attempt: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let changed = self.write(false, |s| {
            s.execute(
                "UPDATE webhook_outbox SET attempts = attempts + 1, last_error = ?3, next_attempt_at = ?4, \
                     claimed_by = NULL, claim_token = NULL, lease_until = NULL \
                 WHERE delivery_id = ?1 AND claim_token = ?2 AND delivered_at IS NULL",
                &[&delivery_id, &token, &error, &timestamp(next_attempt)],
            )
        })?;
        Ok(changed == 1)
    }

    pub(crate) fn release_deliveries(&self, holder: &str) -> Result<usize, StoreError> {
        let changed = self.write(false, |s| {
            s.execute(
                "UPDATE webhook_outbox SET claimed_by = NULL, claim_token = NULL, lease_until = NULL \
                 WHERE claimed_by = ?1 AND delivered_at IS NULL",
                &[&holder],
            )
        })?;
        Ok(changed as usize)
    }

    pub(crate) fn alert_watermark(&self) -> Result<i64, StoreError> {
        self.read(|s| s.query_one("SELECT seq FROM alert_watermark WHERE id = 1", &[])?.int(0))
    }

    /// Moves the watermark forward only, whichever node gets there first.
    pub(crate) fn set_alert_watermark(&self, seq: i64) -> Result<(), StoreError> {
        self.write(false, |s| s.execute("UPDATE alert_watermark SET seq = greatest(seq, ?1) WHERE id = 1", &[&seq]))?;
        Ok(())
    }

    pub(crate) fn event_seqs_after(&self, seq: i64) -> Result<Vec<(i64, EventId)>, StoreError> {
        self.read(|s| {
            let rows = s.query("SELECT seq, id FROM events WHERE seq > ?1 ORDER BY seq", &[&seq])?;
            rows.iter()
                .map(|r| {
                    let id = r.text(1)?;
                    Ok((r.int(0)?, parse(id, "event", id)?))
                })
                .collect()
        })
    }
}
