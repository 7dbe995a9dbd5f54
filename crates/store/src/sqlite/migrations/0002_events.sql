-- What extraction found in each document: events (with the documents that report them),
-- mentions and claims. Replaced whole when a document is extracted again.

ALTER TABLE documents ADD COLUMN extracted_with TEXT;

CREATE TABLE events (
    seq            INTEGER PRIMARY KEY,
    id             TEXT NOT NULL UNIQUE,
    document_id    TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    category       TEXT NOT NULL,
    event_type     TEXT NOT NULL,
    when_at        TEXT,
    when_precision TEXT,
    place_id       TEXT,
    place_name     TEXT,
    country        TEXT,
    lon            REAL,
    lat            REAL,
    geo_precision  TEXT,
    stance         TEXT NOT NULL CHECK (stance IN ('asserted', 'denied', 'disputed')),
    confidence     REAL NOT NULL,
    credibility    TEXT NOT NULL,
    sector         TEXT,
    owner_org      TEXT NOT NULL REFERENCES organisations (id),
    tlp            TEXT NOT NULL,
    distribution   TEXT NOT NULL,
    sharing_group  TEXT REFERENCES sharing_groups (id),
    -- actors, quantities and evidence, as JSON
    detail         TEXT NOT NULL
);
CREATE INDEX events_when ON events (when_at, seq);
CREATE INDEX events_document ON events (document_id);
CREATE INDEX events_category ON events (category, when_at);

CREATE TABLE event_documents (
    event_id     TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    document_id  TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    PRIMARY KEY (event_id, document_id)
);
CREATE INDEX event_documents_document ON event_documents (document_id);

CREATE TABLE event_actors (
    event_id  TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    actor_id  TEXT NOT NULL,
    role      TEXT NOT NULL,
    PRIMARY KEY (event_id, actor_id, role)
);
CREATE INDEX event_actors_actor ON event_actors (actor_id);

CREATE TABLE mentions (
    document_id  TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    start        INTEGER NOT NULL,
    end          INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    resolved     TEXT,
    PRIMARY KEY (document_id, start, end, kind)
) WITHOUT ROWID;

CREATE TABLE claims (
    id            TEXT PRIMARY KEY,
    document_id   TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    speaker       TEXT,
    speaker_name  TEXT,
    stance        TEXT NOT NULL,
    start         INTEGER NOT NULL,
    end           INTEGER NOT NULL,
    about_event   TEXT
);
CREATE INDEX claims_document ON claims (document_id);
