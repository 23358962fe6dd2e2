-- Portable schema: BIGINT epoch-ms timestamps (UTC), integer ids, integer flags, TEXT JSON.
CREATE TABLE organization (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    case_seq BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE TABLE site (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organization(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    opening_hours TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (org_id, code)
);

CREATE TABLE team (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organization(id),
    name TEXT NOT NULL,
    site_id BIGINT REFERENCES site(id),
    created_at BIGINT NOT NULL,
    UNIQUE (org_id, name)
);

CREATE TABLE app_user (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organization(id),
    email TEXT NOT NULL,
    email_key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    team_id BIGINT REFERENCES team(id),
    password_hash TEXT,
    lang TEXT NOT NULL DEFAULT 'fr',
    active BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL
);
CREATE INDEX app_user_org ON app_user (org_id, name);

CREATE TABLE api_token (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES app_user(id),
    token_hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE web_session (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES app_user(id),
    csrf_token TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE customer (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organization(id),
    display_name TEXT,
    name_key TEXT NOT NULL DEFAULT '',
    merged_into BIGINT REFERENCES customer(id),
    created_at BIGINT NOT NULL,
    last_contact_at BIGINT NOT NULL
);

-- One row per identity; `key` is "kind:normalised value" so recognition is one indexed IN lookup.
CREATE INDEX customer_name ON customer (org_id, name_key);

CREATE TABLE customer_identity (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organization(id),
    customer_id BIGINT NOT NULL REFERENCES customer(id),
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (org_id, key)
);
CREATE INDEX customer_identity_customer ON customer_identity (customer_id);

CREATE TABLE support_case (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organization(id),
    number BIGINT NOT NULL,
    customer_id BIGINT NOT NULL REFERENCES customer(id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    priority TEXT NOT NULL,
    category TEXT,
    subject TEXT NOT NULL,
    subject_key TEXT NOT NULL,
    channel TEXT NOT NULL,
    site_id BIGINT REFERENCES site(id),
    team_id BIGINT REFERENCES team(id),
    assignee_id BIGINT REFERENCES app_user(id),
    opened_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    first_response_at BIGINT,
    last_inbound_at BIGINT,
    last_outbound_at BIGINT,
    inbound_count BIGINT NOT NULL DEFAULT 0,
    outbound_count BIGINT NOT NULL DEFAULT 0,
    pending_since BIGINT,
    pending_ms BIGINT NOT NULL DEFAULT 0,
    solved_at BIGINT,
    closed_at BIGINT,
    reopen_count BIGINT NOT NULL DEFAULT 0,
    repeat_contact_at BIGINT,
    UNIQUE (org_id, number)
);
CREATE INDEX case_org_updated ON support_case (org_id, updated_at, id);
CREATE INDEX case_org_status ON support_case (org_id, status, updated_at, id);
CREATE INDEX case_org_site ON support_case (org_id, site_id, status, updated_at, id);
CREATE INDEX case_org_team ON support_case (org_id, team_id, status, updated_at, id);
CREATE INDEX case_org_assignee ON support_case (org_id, assignee_id, status, updated_at, id);
CREATE INDEX case_customer ON support_case (customer_id, updated_at);

CREATE TABLE interaction (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organization(id),
    customer_id BIGINT NOT NULL REFERENCES customer(id),
    case_id BIGINT NOT NULL REFERENCES support_case(id),
    channel TEXT NOT NULL,
    direction TEXT NOT NULL,
    occurred_at BIGINT NOT NULL,
    author_user_id BIGINT REFERENCES app_user(id),
    is_note BIGINT NOT NULL DEFAULT 0,
    subject TEXT,
    body TEXT NOT NULL,
    site_id BIGINT REFERENCES site(id),
    queued_at BIGINT,
    answered_at BIGINT,
    attachments TEXT NOT NULL DEFAULT '[]',
    external_id TEXT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX interaction_external ON interaction (org_id, external_id);
CREATE INDEX interaction_case ON interaction (case_id, occurred_at);
CREATE INDEX interaction_customer ON interaction (customer_id, occurred_at);
CREATE INDEX interaction_org_time ON interaction (org_id, occurred_at);

CREATE TABLE case_event (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL,
    case_id BIGINT NOT NULL REFERENCES support_case(id),
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    actor_user_id BIGINT REFERENCES app_user(id),
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_event_case ON case_event (case_id, at);

CREATE TABLE idempotency_key (
    org_id BIGINT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, key)
);

CREATE TABLE customer_merge (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL,
    kept_id BIGINT NOT NULL REFERENCES customer(id),
    merged_id BIGINT NOT NULL REFERENCES customer(id),
    moved TEXT NOT NULL,
    by_user_id BIGINT REFERENCES app_user(id),
    at BIGINT NOT NULL,
    undone_at BIGINT,
    undone_by BIGINT REFERENCES app_user(id)
);
CREATE INDEX customer_merge_kept ON customer_merge (kept_id);
CREATE INDEX customer_merge_merged ON customer_merge (merged_id);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL,
    user_id BIGINT,
    at BIGINT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_org ON audit_log (org_id, at);
