-- The sites allowed to show the organisation's public pages (charter, reviews, waiting-room
-- display) in a frame: origins separated by spaces; empty: none.
ALTER TABLE organization ADD COLUMN embed_origins TEXT NOT NULL DEFAULT '';
