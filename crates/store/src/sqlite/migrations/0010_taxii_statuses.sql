-- Status resources of envelopes posted to the TAXII server, kept in the store so that any
-- node answers for them. Old ones are pruned as new ones arrive.
CREATE TABLE taxii_statuses (
    id               TEXT PRIMARY KEY,
    organisation_id  TEXT NOT NULL,
    body             TEXT NOT NULL,
    created_at       TEXT NOT NULL
);
CREATE INDEX taxii_statuses_created ON taxii_statuses (created_at);
