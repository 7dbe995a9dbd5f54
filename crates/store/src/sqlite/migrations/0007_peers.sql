-- TAXII 2.1 collections this instance pulls from: where, with what credentials, and how
-- far it has read. The cursor advances only after a page's records are committed.

CREATE TABLE peers (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    collection_url TEXT NOT NULL,
    -- "Bearer <token>" or "Basic <base64>", sent as the Authorization header.
    authorization  TEXT,
    every_seconds  INTEGER,
    added_after    TEXT,
    created_at     TEXT NOT NULL,
    last_run_at    TEXT,
    last_objects   INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT
);
