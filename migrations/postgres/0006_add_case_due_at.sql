-- When an open case crosses the nearest bound of a commitment in force: kept as the case
-- changes, so cases at risk and inbox timers are read, not computed.
ALTER TABLE support_case ADD COLUMN due_at BIGINT;
CREATE INDEX case_org_due ON support_case (org_id, due_at) WHERE due_at IS NOT NULL;
