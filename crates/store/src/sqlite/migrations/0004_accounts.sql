-- The server's people and their keys, and the audit trail of what they did.

CREATE TABLE users (
    id               TEXT PRIMARY KEY,
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    name             TEXT NOT NULL UNIQUE,
    role             TEXT NOT NULL CHECK (role IN ('viewer', 'analyst', 'admin')),
    created_at       TEXT NOT NULL
);

-- A token's secret is never stored: only its SHA-256.
CREATE TABLE api_tokens (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hash        TEXT NOT NULL UNIQUE,
    label       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    revoked_at  TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE audit_log (
    seq              INTEGER PRIMARY KEY,
    at               TEXT NOT NULL,
    user_id          TEXT,
    organisation_id  TEXT,
    action           TEXT NOT NULL,
    target           TEXT,
    detail           TEXT NOT NULL
);
CREATE INDEX audit_log_user ON audit_log (user_id, seq);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
