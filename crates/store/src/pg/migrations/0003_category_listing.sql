-- Event pages narrowed to one category walk this index in listing order instead of
-- sorting every event of the category (the SQLite store's migration 9).
CREATE INDEX events_category_listing ON events (category, (coalesce(when_at, '')), seq);
