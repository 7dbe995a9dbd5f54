-- Event pages narrowed to one category walk this index in listing order instead of
-- sorting every event of the category (docs/nodes.md has the figures).
CREATE INDEX events_category_listing ON events (category, coalesce(when_at, ''), seq);
