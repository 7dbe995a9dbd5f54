-- Status resources of envelopes posted to the TAXII server (the SQLite store's migration 10).
CREATE TABLE taxii_statuses (
    id               TEXT COLLATE "C" PRIMARY KEY,
    organisation_id  TEXT COLLATE "C" NOT NULL,
    body             TEXT NOT NULL,
    created_at       TEXT COLLATE "C" NOT NULL
);
CREATE INDEX taxii_statuses_created ON taxii_statuses (created_at);
