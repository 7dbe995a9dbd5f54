-- Reports of one incident, linked by corroboration. A link an analyst undoes keeps its row
-- with the time it was undone, so the split is remembered and never redone automatically.

CREATE TABLE event_links (
    event_id     TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    incident_id  TEXT NOT NULL,
    relation     TEXT NOT NULL CHECK (relation IN ('corroborates', 'contests')),
    reason       TEXT NOT NULL,
    linked_at    TEXT NOT NULL,
    unlinked_at  TEXT,
    PRIMARY KEY (event_id, incident_id, relation)
);
CREATE INDEX event_links_incident ON event_links (incident_id);
