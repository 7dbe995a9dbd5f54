-- Work queued for any node (see the SQLite store's migration 8): ingest and extract
-- jobs claimed under a lease with FOR UPDATE SKIP LOCKED, and named leases for the work
-- one node at a time does.

CREATE TABLE jobs (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('ingest', 'extract')),
    payload      TEXT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
    attempts     BIGINT NOT NULL DEFAULT 0,
    claimed_by   TEXT,
    lease_token  TEXT COLLATE "C",
    lease_until  TEXT COLLATE "C",
    created_at   TEXT COLLATE "C" NOT NULL,
    finished_at  TEXT COLLATE "C",
    finished_by  TEXT,
    last_error   TEXT
);
CREATE INDEX jobs_open ON jobs (state, id) WHERE state IN ('queued', 'running');

CREATE TABLE leases (
    name    TEXT COLLATE "C" PRIMARY KEY,
    holder  TEXT NOT NULL,
    until   TEXT COLLATE "C" NOT NULL
);
