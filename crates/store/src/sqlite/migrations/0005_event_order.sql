-- Event listings sort by (coalesce(when_at, ''), seq), newest first: an index on exactly
-- that expression lets a page stop after its rows instead of sorting the table.
CREATE INDEX events_listing ON events (coalesce(when_at, ''), seq);
