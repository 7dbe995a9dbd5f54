-- Alert rules, the alerts they raise, and the webhook outbox that delivers them. An alert
-- and its deliveries are written in one transaction, so a delivery is never lost between
-- the two; a delivery is marked done only after the receiver answered 2xx.

CREATE TABLE alert_rules (
    id               TEXT PRIMARY KEY,
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    name             TEXT NOT NULL,
    condition        TEXT NOT NULL,
    webhook_url      TEXT,
    webhook_secret   TEXT,
    created_at       TEXT NOT NULL,
    disabled_at      TEXT
);

CREATE TABLE alerts (
    id               TEXT PRIMARY KEY,
    rule_id          TEXT NOT NULL REFERENCES alert_rules (id),
    organisation_id  TEXT NOT NULL,
    dedup_key        TEXT NOT NULL,
    fired_at         TEXT NOT NULL,
    title            TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('new', 'acknowledged', 'closed')),
    events           TEXT NOT NULL,
    sector           TEXT,
    acknowledged_by  TEXT,
    acknowledged_at  TEXT,
    closed_by        TEXT,
    closed_at        TEXT,
    UNIQUE (rule_id, dedup_key)
);
CREATE INDEX alerts_organisation ON alerts (organisation_id, fired_at);

CREATE TABLE webhook_outbox (
    delivery_id      TEXT PRIMARY KEY,
    alert_id         TEXT NOT NULL REFERENCES alerts (id),
    url              TEXT NOT NULL,
    secret           TEXT NOT NULL,
    payload          TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    delivered_at     TEXT,
    last_error       TEXT
);
CREATE INDEX webhook_outbox_due ON webhook_outbox (delivered_at, next_attempt_at);

-- Where alert evaluation has read up to (events.seq).
CREATE TABLE alert_watermark (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL
);
INSERT INTO alert_watermark (id, seq) VALUES (1, 0);
