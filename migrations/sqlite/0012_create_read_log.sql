-- Who read what of a customer's (360, case, attachment, raw message, export): append-only, each
-- entry chained to the previous one of its organisation by a SHA-256 hash, the chain's head kept
-- apart so a cut tail shows too.
-- AUTOINCREMENT: ids never come back once retention removed the newest rows (the chain's order).
CREATE TABLE read_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organization(id),
    user_id BIGINT NOT NULL REFERENCES app_user(id),
    at BIGINT NOT NULL,
    what TEXT NOT NULL,
    ref_id BIGINT NOT NULL,
    customer_id BIGINT,
    hash TEXT NOT NULL
);
CREATE INDEX read_log_org ON read_log (org_id, id);
CREATE INDEX read_log_customer ON read_log (org_id, customer_id, id);
CREATE INDEX read_log_user ON read_log (org_id, user_id, id);

-- base_id/base_hash: where the chain starts once retention removed older entries.
CREATE TABLE read_chain (
    org_id BIGINT PRIMARY KEY REFERENCES organization(id),
    last_id BIGINT NOT NULL,
    last_hash TEXT NOT NULL,
    base_id BIGINT NOT NULL DEFAULT 0,
    base_hash TEXT NOT NULL DEFAULT ''
);
