-- The schema of the SQLite store's migrations 1 to 7, in PostgreSQL's types. Timestamps
-- are RFC 3339 UTC text with microseconds, as in SQLite, so text order is time order;
-- ids and times compare in byte order ("C") whatever the database's collation.

CREATE TABLE organisations (
    id          TEXT COLLATE "C" PRIMARY KEY,
    name        TEXT NOT NULL,
    is_local    BIGINT NOT NULL DEFAULT 0 CHECK (is_local IN (0, 1)),
    created_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX organisations_one_local ON organisations (is_local) WHERE is_local = 1;

CREATE TABLE sharing_groups (
    id    TEXT COLLATE "C" PRIMARY KEY,
    name  TEXT NOT NULL
);

CREATE TABLE sharing_group_members (
    group_id         TEXT COLLATE "C" NOT NULL REFERENCES sharing_groups (id) ON DELETE CASCADE,
    organisation_id  TEXT COLLATE "C" NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, organisation_id)
);

CREATE TABLE sources (
    id           TEXT COLLATE "C" PRIMARY KEY,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('file', 'feed', 'web', 'api', 'partner')),
    url          TEXT,
    reliability  TEXT NOT NULL DEFAULT 'F' CHECK (reliability IN ('A', 'B', 'C', 'D', 'E', 'F'))
);
CREATE INDEX sources_name ON sources (lower(name));

CREATE TABLE documents (
    seq                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id                   TEXT COLLATE "C" NOT NULL UNIQUE,
    content_hash         TEXT COLLATE "C" NOT NULL UNIQUE,
    source_id            TEXT COLLATE "C" REFERENCES sources (id),
    source_name          TEXT,
    url                  TEXT,
    title                TEXT,
    published_at         TEXT COLLATE "C",
    published_precision  TEXT CHECK (published_precision IN ('second', 'day', 'week', 'month', 'year')),
    ingested_at          TEXT COLLATE "C" NOT NULL,
    sort_time            TEXT COLLATE "C" NOT NULL GENERATED ALWAYS AS (coalesce(published_at, ingested_at)) STORED,
    language             TEXT NOT NULL,
    language_confidence  DOUBLE PRECISION NOT NULL,
    format               TEXT NOT NULL,
    origin               TEXT NOT NULL,
    owner_org            TEXT COLLATE "C" NOT NULL REFERENCES organisations (id),
    tlp                  TEXT NOT NULL CHECK (tlp IN ('clear', 'green', 'amber', 'amber+strict', 'red')),
    distribution         TEXT NOT NULL CHECK (distribution IN ('organisation', 'sharing_group', 'all_partners')),
    sharing_group        TEXT COLLATE "C" REFERENCES sharing_groups (id),
    extracted_with       TEXT,
    text                 TEXT NOT NULL,
    raw                  TEXT NOT NULL,
    -- Full-text search: each document in its own language's configuration, the title
    -- weighted above the text.
    search               TSVECTOR GENERATED ALWAYS AS (
        setweight(to_tsvector(CASE language WHEN 'ru' THEN 'russian'::regconfig WHEN 'en' THEN 'english'::regconfig
                                            ELSE 'simple'::regconfig END, coalesce(title, '')), 'A') ||
        setweight(to_tsvector(CASE language WHEN 'ru' THEN 'russian'::regconfig WHEN 'en' THEN 'english'::regconfig
                                            ELSE 'simple'::regconfig END, text), 'B')
    ) STORED,
    CHECK ((distribution = 'sharing_group') = (sharing_group IS NOT NULL))
);
CREATE INDEX documents_sort_time ON documents (sort_time, seq);
CREATE INDEX documents_source ON documents (source_id);
CREATE INDEX documents_search ON documents USING gin (search);

CREATE TABLE events (
    seq            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id             TEXT COLLATE "C" NOT NULL UNIQUE,
    document_id    TEXT COLLATE "C" NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    category       TEXT NOT NULL,
    event_type     TEXT NOT NULL,
    when_at        TEXT COLLATE "C",
    when_precision TEXT,
    place_id       TEXT,
    place_name     TEXT,
    country        TEXT,
    lon            DOUBLE PRECISION,
    lat            DOUBLE PRECISION,
    geo_precision  TEXT,
    stance         TEXT NOT NULL CHECK (stance IN ('asserted', 'denied', 'disputed')),
    confidence     DOUBLE PRECISION NOT NULL,
    credibility    TEXT NOT NULL,
    sector         TEXT,
    owner_org      TEXT COLLATE "C" NOT NULL REFERENCES organisations (id),
    tlp            TEXT NOT NULL,
    distribution   TEXT NOT NULL,
    sharing_group  TEXT COLLATE "C" REFERENCES sharing_groups (id),
    detail         TEXT NOT NULL
);
CREATE INDEX events_when ON events (when_at, seq);
CREATE INDEX events_document ON events (document_id);
CREATE INDEX events_category ON events (category, when_at);
CREATE INDEX events_listing ON events ((coalesce(when_at, '')), seq);

CREATE TABLE event_documents (
    event_id     TEXT COLLATE "C" NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    document_id  TEXT COLLATE "C" NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    PRIMARY KEY (event_id, document_id)
);
CREATE INDEX event_documents_document ON event_documents (document_id);

CREATE TABLE event_actors (
    event_id  TEXT COLLATE "C" NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    actor_id  TEXT COLLATE "C" NOT NULL,
    role      TEXT NOT NULL,
    PRIMARY KEY (event_id, actor_id, role)
);
CREATE INDEX event_actors_actor ON event_actors (actor_id);

CREATE TABLE mentions (
    document_id  TEXT COLLATE "C" NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    start        BIGINT NOT NULL,
    "end"        BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    resolved     TEXT,
    PRIMARY KEY (document_id, start, "end", kind)
);

CREATE TABLE claims (
    id            TEXT COLLATE "C" PRIMARY KEY,
    document_id   TEXT COLLATE "C" NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    speaker       TEXT,
    speaker_name  TEXT,
    stance        TEXT NOT NULL,
    start         BIGINT NOT NULL,
    "end"         BIGINT NOT NULL,
    about_event   TEXT
);
CREATE INDEX claims_document ON claims (document_id);

CREATE TABLE event_links (
    seq          BIGINT GENERATED ALWAYS AS IDENTITY,
    event_id     TEXT COLLATE "C" NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    incident_id  TEXT COLLATE "C" NOT NULL,
    relation     TEXT NOT NULL CHECK (relation IN ('corroborates', 'contests')),
    reason       TEXT NOT NULL,
    linked_at    TEXT COLLATE "C" NOT NULL,
    unlinked_at  TEXT COLLATE "C",
    PRIMARY KEY (event_id, incident_id, relation)
);
CREATE INDEX event_links_incident ON event_links (incident_id);

CREATE TABLE users (
    id               TEXT COLLATE "C" PRIMARY KEY,
    organisation_id  TEXT COLLATE "C" NOT NULL REFERENCES organisations (id),
    name             TEXT NOT NULL UNIQUE,
    role             TEXT NOT NULL CHECK (role IN ('viewer', 'analyst', 'admin')),
    created_at       TEXT COLLATE "C" NOT NULL
);

CREATE TABLE api_tokens (
    id          TEXT COLLATE "C" PRIMARY KEY,
    user_id     TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hash        TEXT COLLATE "C" NOT NULL UNIQUE,
    label       TEXT NOT NULL,
    created_at  TEXT COLLATE "C" NOT NULL,
    expires_at  TEXT COLLATE "C" NOT NULL,
    revoked_at  TEXT COLLATE "C"
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE audit_log (
    seq              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at               TEXT COLLATE "C" NOT NULL,
    user_id          TEXT COLLATE "C",
    organisation_id  TEXT COLLATE "C",
    action           TEXT NOT NULL,
    target           TEXT,
    detail           TEXT NOT NULL
);
CREATE INDEX audit_log_user ON audit_log (user_id, seq);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

CREATE TABLE alert_rules (
    id               TEXT COLLATE "C" PRIMARY KEY,
    organisation_id  TEXT COLLATE "C" NOT NULL REFERENCES organisations (id),
    name             TEXT NOT NULL,
    condition        TEXT NOT NULL,
    webhook_url      TEXT,
    webhook_secret   TEXT,
    created_at       TEXT COLLATE "C" NOT NULL,
    disabled_at      TEXT COLLATE "C"
);

CREATE TABLE alerts (
    id               TEXT COLLATE "C" PRIMARY KEY,
    rule_id          TEXT COLLATE "C" NOT NULL REFERENCES alert_rules (id),
    organisation_id  TEXT COLLATE "C" NOT NULL,
    dedup_key        TEXT COLLATE "C" NOT NULL,
    fired_at         TEXT COLLATE "C" NOT NULL,
    title            TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('new', 'acknowledged', 'closed')),
    events           TEXT NOT NULL,
    sector           TEXT,
    acknowledged_by  TEXT,
    acknowledged_at  TEXT COLLATE "C",
    closed_by        TEXT,
    closed_at        TEXT COLLATE "C",
    UNIQUE (rule_id, dedup_key)
);
CREATE INDEX alerts_organisation ON alerts (organisation_id, fired_at);

CREATE TABLE webhook_outbox (
    delivery_id      TEXT COLLATE "C" PRIMARY KEY,
    alert_id         TEXT COLLATE "C" NOT NULL REFERENCES alerts (id),
    url              TEXT NOT NULL,
    secret           TEXT NOT NULL,
    payload          TEXT NOT NULL,
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  TEXT COLLATE "C" NOT NULL,
    delivered_at     TEXT COLLATE "C",
    last_error       TEXT
);
CREATE INDEX webhook_outbox_due ON webhook_outbox (delivered_at, next_attempt_at);

CREATE TABLE alert_watermark (
    id   BIGINT PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL
);
INSERT INTO alert_watermark (id, seq) VALUES (1, 0);

CREATE TABLE peers (
    id             TEXT COLLATE "C" PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    collection_url TEXT NOT NULL,
    "authorization" TEXT,
    every_seconds  BIGINT,
    added_after    TEXT COLLATE "C",
    created_at     TEXT COLLATE "C" NOT NULL,
    last_run_at    TEXT COLLATE "C",
    last_objects   BIGINT NOT NULL DEFAULT 0,
    last_error     TEXT
);
