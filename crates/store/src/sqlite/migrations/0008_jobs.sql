-- Work queued for any node: reading an input (ingest) and extracting the facts of a
-- batch of stored documents (extract). A node claims a job under a lease; when the lease
-- runs out before the job is finished, another node takes the job over, and the first
-- node's late result is refused because its lease token no longer matches.

CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('ingest', 'extract')),
    payload      TEXT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    claimed_by   TEXT,
    lease_token  TEXT,
    lease_until  TEXT,
    created_at   TEXT NOT NULL,
    finished_at  TEXT,
    finished_by  TEXT,
    last_error   TEXT
);
CREATE INDEX jobs_open ON jobs (state, id) WHERE state IN ('queued', 'running');

-- Named leases: the work one node at a time does (alert evaluation and delivery).
CREATE TABLE leases (
    name    TEXT PRIMARY KEY,
    holder  TEXT NOT NULL,
    until   TEXT NOT NULL
);
