-- What changed, for whoever follows (the search index, the live pages): one row per change to a
-- case, a customer or an identity, written by triggers in the transaction of the change. Each
-- follower keeps its own position. `xid` orders rows by transaction on PostgreSQL (0 here: SQLite
-- has one writer, so ids are in commit order). AUTOINCREMENT: ids are never reused once pruned
-- rows are gone, or a follower would take new rows for old ones.
CREATE TABLE change_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    xid BIGINT NOT NULL DEFAULT 0,
    kind TEXT NOT NULL,
    ref_id BIGINT NOT NULL
);

-- Where each search index stands, so the log is pruned below the slowest one still alive.
CREATE TABLE search_node (
    node TEXT PRIMARY KEY,
    xid BIGINT NOT NULL,
    log_id BIGINT NOT NULL,
    seen_at BIGINT NOT NULL
);

CREATE TRIGGER change_interaction AFTER INSERT ON interaction
BEGIN
    INSERT INTO change_log (kind, ref_id) VALUES ('case', NEW.case_id);
END;

CREATE TRIGGER change_interaction_move AFTER UPDATE OF case_id ON interaction
WHEN OLD.case_id IS NOT NEW.case_id
BEGIN
    INSERT INTO change_log (kind, ref_id) VALUES ('case', OLD.case_id), ('case', NEW.case_id);
END;

CREATE TRIGGER change_case_insert AFTER INSERT ON support_case
BEGIN
    INSERT INTO change_log (kind, ref_id) VALUES ('case', NEW.id);
END;

CREATE TRIGGER change_case_update AFTER UPDATE OF status, subject, customer_id, site_id, channel ON support_case
WHEN OLD.status IS NOT NEW.status OR OLD.subject IS NOT NEW.subject OR OLD.customer_id IS NOT NEW.customer_id
  OR OLD.site_id IS NOT NEW.site_id OR OLD.channel IS NOT NEW.channel
BEGIN
    INSERT INTO change_log (kind, ref_id) VALUES ('case', NEW.id);
END;

CREATE TRIGGER change_case_delete AFTER DELETE ON support_case
BEGIN
    INSERT INTO change_log (kind, ref_id) VALUES ('case', OLD.id);
END;

CREATE TRIGGER change_customer_insert AFTER INSERT ON customer
BEGIN
    INSERT INTO change_log (kind, ref_id) VALUES ('customer', NEW.id);
END;

CREATE TRIGGER change_customer_update AFTER UPDATE OF display_name, merged_into ON customer
WHEN OLD.display_name IS NOT NEW.display_name OR OLD.merged_into IS NOT NEW.merged_into
BEGIN
    INSERT INTO change_log (kind, ref_id) VALUES ('customer', NEW.id);
END;

CREATE TRIGGER change_customer_delete AFTER DELETE ON customer
BEGIN
    INSERT INTO change_log (kind, ref_id) VALUES ('customer', OLD.id);
END;

CREATE TRIGGER change_identity_insert AFTER INSERT ON customer_identity
BEGIN
    INSERT INTO change_log (kind, ref_id) VALUES ('customer', NEW.customer_id);
END;

CREATE TRIGGER change_identity_update AFTER UPDATE OF customer_id, value ON customer_identity
WHEN OLD.customer_id IS NOT NEW.customer_id OR OLD.value IS NOT NEW.value
BEGIN
    INSERT INTO change_log (kind, ref_id) VALUES ('customer', OLD.customer_id), ('customer', NEW.customer_id);
END;

CREATE TRIGGER change_identity_delete AFTER DELETE ON customer_identity
BEGIN
    INSERT INTO change_log (kind, ref_id) VALUES ('customer', OLD.customer_id);
END;

-- Everything already there is to be indexed once.
INSERT INTO change_log (kind, ref_id) SELECT 'case', id FROM support_case;
INSERT INTO change_log (kind, ref_id) SELECT 'customer', id FROM customer;
