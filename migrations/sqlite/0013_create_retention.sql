-- Retention: how long each kind of data is kept (no row: kept), and what each run did.
CREATE TABLE retention_rule (
    org_id BIGINT NOT NULL REFERENCES organization(id),
    kind TEXT NOT NULL,
    months BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, kind)
);

CREATE TABLE retention_run (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organization(id),
    at BIGINT NOT NULL,
    report TEXT NOT NULL
);
CREATE INDEX retention_run_org ON retention_run (org_id, at);
