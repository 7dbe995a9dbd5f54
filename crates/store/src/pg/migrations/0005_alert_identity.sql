-- One alert per rule and incident: every event an alert covers is recorded against its
-- rule, so reports of the incident that arrive later join the alert instead of raising
-- another, whatever their order.
CREATE TABLE alert_events (
    rule_id   TEXT COLLATE "C" NOT NULL,
    event_id  TEXT COLLATE "C" NOT NULL,
    alert_id  TEXT COLLATE "C" NOT NULL REFERENCES alerts (id),
    PRIMARY KEY (rule_id, event_id)
);
CREATE INDEX alert_events_alert ON alert_events (alert_id);
-- The alerts raised so far cover their events; the oldest alert keeps a shared one.
INSERT INTO alert_events (rule_id, event_id, alert_id)
SELECT a.rule_id, e.event_id, a.id FROM alerts a, regexp_split_to_table(a.events, ' ') AS e (event_id)
WHERE e.event_id <> '' ORDER BY a.fired_at, a.id
ON CONFLICT DO NOTHING;

-- A delivery is taken by one node at a time under a token, until its lease ends; only
-- the holder of the token records the outcome.
ALTER TABLE webhook_outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE webhook_outbox ADD COLUMN claim_token TEXT COLLATE "C";
ALTER TABLE webhook_outbox ADD COLUMN lease_until TEXT COLLATE "C";

-- Alerts are listed page by page, newest first: each has its place in the order raised.
ALTER TABLE alerts ADD COLUMN seq BIGSERIAL;
CREATE INDEX alerts_pages ON alerts (organisation_id, fired_at, seq);

-- Reports that join two alerted incidents into one merge their alerts: the older stays,
-- the younger names it and leaves the lists.
ALTER TABLE alerts ADD COLUMN merged_into TEXT COLLATE "C";
