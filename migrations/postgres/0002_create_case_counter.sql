-- Case counts per organisation × status × kind × site × team × assignee (0 = none), kept by
-- triggers in the same transaction as every case change, so the inbox never scans history.
CREATE TABLE case_counter (
    org_id BIGINT NOT NULL,
    status TEXT NOT NULL,
    kind TEXT NOT NULL,
    site_id BIGINT NOT NULL,
    team_id BIGINT NOT NULL,
    assignee_id BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (org_id, status, kind, site_id, team_id, assignee_id)
);

INSERT INTO case_counter (org_id, status, kind, site_id, team_id, assignee_id, n)
SELECT org_id, status, kind, COALESCE(site_id, 0), COALESCE(team_id, 0), COALESCE(assignee_id, 0), COUNT(*)
FROM support_case GROUP BY 1, 2, 3, 4, 5, 6;

CREATE FUNCTION case_counter_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF OLD.status IS NOT DISTINCT FROM NEW.status AND OLD.kind IS NOT DISTINCT FROM NEW.kind
           AND OLD.site_id IS NOT DISTINCT FROM NEW.site_id AND OLD.team_id IS NOT DISTINCT FROM NEW.team_id
           AND OLD.assignee_id IS NOT DISTINCT FROM NEW.assignee_id THEN
            RETURN NULL;
        END IF;
        UPDATE case_counter SET n = n - 1
        WHERE org_id = OLD.org_id AND status = OLD.status AND kind = OLD.kind AND site_id = COALESCE(OLD.site_id, 0)
          AND team_id = COALESCE(OLD.team_id, 0) AND assignee_id = COALESCE(OLD.assignee_id, 0);
    END IF;
    INSERT INTO case_counter (org_id, status, kind, site_id, team_id, assignee_id, n)
    VALUES (NEW.org_id, NEW.status, NEW.kind, COALESCE(NEW.site_id, 0), COALESCE(NEW.team_id, 0), COALESCE(NEW.assignee_id, 0), 1)
    ON CONFLICT (org_id, status, kind, site_id, team_id, assignee_id) DO UPDATE SET n = case_counter.n + 1;
    RETURN NULL;
END;
$$;

CREATE TRIGGER case_counter_insert AFTER INSERT ON support_case FOR EACH ROW EXECUTE FUNCTION case_counter_track();
CREATE TRIGGER case_counter_update AFTER UPDATE OF status, kind, site_id, team_id, assignee_id ON support_case
    FOR EACH ROW EXECUTE FUNCTION case_counter_track();
