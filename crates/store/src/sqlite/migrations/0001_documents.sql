-- Organisations, sharing groups, sources and documents, with full-text search.
-- Timestamps are RFC 3339 UTC text with microseconds, so text order is time order.

CREATE TABLE organisations (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    is_local    INTEGER NOT NULL DEFAULT 0 CHECK (is_local IN (0, 1)),
    created_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX organisations_one_local ON organisations (is_local) WHERE is_local = 1;

CREATE TABLE sharing_groups (
    id    TEXT PRIMARY KEY,
    name  TEXT NOT NULL
);

CREATE TABLE sharing_group_members (
    group_id         TEXT NOT NULL REFERENCES sharing_groups (id) ON DELETE CASCADE,
    organisation_id  TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, organisation_id)
);

CREATE TABLE sources (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('file', 'feed', 'web', 'api', 'partner')),
    url          TEXT,
    reliability  TEXT NOT NULL DEFAULT 'F' CHECK (reliability IN ('A', 'B', 'C', 'D', 'E', 'F'))
);
CREATE INDEX sources_name ON sources (lower(name));

CREATE TABLE documents (
    seq                  INTEGER PRIMARY KEY,
    id                   TEXT NOT NULL UNIQUE,
    content_hash         TEXT NOT NULL UNIQUE,
    source_id            TEXT REFERENCES sources (id),
    source_name          TEXT,
    url                  TEXT,
    title                TEXT,
    published_at         TEXT,
    published_precision  TEXT CHECK (published_precision IN ('second', 'day', 'week', 'month', 'year')),
    ingested_at          TEXT NOT NULL,
    -- the time listings sort and filter by
    sort_time            TEXT NOT NULL GENERATED ALWAYS AS (coalesce(published_at, ingested_at)) VIRTUAL,
    language             TEXT NOT NULL,
    language_confidence  REAL NOT NULL,
    format               TEXT NOT NULL,
    origin               TEXT NOT NULL,
    owner_org            TEXT NOT NULL REFERENCES organisations (id),
    tlp                  TEXT NOT NULL CHECK (tlp IN ('clear', 'green', 'amber', 'amber+strict', 'red')),
    distribution         TEXT NOT NULL CHECK (distribution IN ('organisation', 'sharing_group', 'all_partners')),
    sharing_group        TEXT REFERENCES sharing_groups (id),
    -- the large columns last, so that listings never read them
    text                 TEXT NOT NULL,
    raw                  TEXT NOT NULL,
    CHECK ((distribution = 'sharing_group') = (sharing_group IS NOT NULL))
);
CREATE INDEX documents_sort_time ON documents (sort_time, seq);
CREATE INDEX documents_source ON documents (source_id);

CREATE VIRTUAL TABLE documents_fts USING fts5 (
    title, text,
    content = 'documents', content_rowid = 'seq',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN
    INSERT INTO documents_fts (rowid, title, text) VALUES (new.seq, new.title, new.text);
END;
CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN
    INSERT INTO documents_fts (documents_fts, rowid, title, text) VALUES ('delete', old.seq, old.title, old.text);
END;
CREATE TRIGGER documents_fts_update AFTER UPDATE OF title, text ON documents BEGIN
    INSERT INTO documents_fts (documents_fts, rowid, title, text) VALUES ('delete', old.seq, old.title, old.text);
    INSERT INTO documents_fts (rowid, title, text) VALUES (new.seq, new.title, new.text);
END;
