-- One alert per rule and incident: every event an alert covers is recorded against its
-- rule, so reports of the incident that arrive later join the alert instead of raising
-- another, whatever their order.
CREATE TABLE alert_events (
    rule_id   TEXT NOT NULL,
    event_id  TEXT NOT NULL,
    alert_id  TEXT NOT NULL REFERENCES alerts (id),
    PRIMARY KEY (rule_id, event_id)
);
CREATE INDEX alert_events_alert ON alert_events (alert_id);
-- The alerts raised so far cover their events; the oldest alert keeps a shared one.
WITH RECURSIVE split (alert_id, rule_id, fired_at, rest, event_id) AS (
    SELECT id, rule_id, fired_at, events || ' ', '' FROM alerts
    UNION ALL
    SELECT alert_id, rule_id, fired_at, substr(rest, instr(rest, ' ') + 1), substr(rest, 1, instr(rest, ' ') - 1)
    FROM split WHERE rest <> ''
)
INSERT OR IGNORE INTO alert_events (rule_id, event_id, alert_id)
SELECT rule_id, event_id, alert_id FROM split WHERE event_id <> '' ORDER BY fired_at, alert_id;

-- A delivery is taken by one node at a time under a token, until its lease ends; only
-- the holder of the token records the outcome.
ALTER TABLE webhook_outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE webhook_outbox ADD COLUMN claim_token TEXT;
ALTER TABLE webhook_outbox ADD COLUMN lease_until TEXT;

-- Alerts are listed page by page, newest first: each has its place in the order raised.
ALTER TABLE alerts ADD COLUMN seq INTEGER;
UPDATE alerts SET seq = rowid;
CREATE INDEX alerts_pages ON alerts (organisation_id, fired_at, seq);

-- Reports that join two alerted incidents into one merge their alerts: the older stays,
-- the younger names it and leaves the lists.
ALTER TABLE alerts ADD COLUMN merged_into TEXT;
