-- The quality loop (seed 001): non-conformities from every source with their evidence, the
-- quality action plan (analysis, actions, progress, the efficacy check and its verdict), every
-- change kept; the indicator catalogue with yearly targets, and the reviews that freeze it.

-- Per organisation: the 7M instead of the 5M, when a theme counts as a rising irritant, which
-- reviews open a non-conformity, and where `quality.*` events are posted.
CREATE TABLE quality_setting (
    org_id BIGINT PRIMARY KEY REFERENCES organization(id),
    seven_m BIGINT NOT NULL DEFAULT 0,
    irritant_growth_pct BIGINT NOT NULL DEFAULT 50,
    irritant_min BIGINT NOT NULL DEFAULT 10,
    review_max_stars BIGINT NOT NULL DEFAULT 2,
    webhook TEXT,
    updated_at BIGINT NOT NULL
);

CREATE TABLE quality_nc (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organization(id),
    origin TEXT NOT NULL,
    -- What groups automatic detections (one per commitment × site, theme, KPI…): a recurrence
    -- after a conforming check reopens the same non-conformity. NULL when opened by hand.
    source_key TEXT,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    severity TEXT NOT NULL,
    status TEXT NOT NULL,
    owner_id BIGINT REFERENCES app_user(id),
    site_id BIGINT REFERENCES site(id),
    -- The commitment's family (its first version's id).
    commitment_id BIGINT REFERENCES commitment(id),
    kpi_id BIGINT,
    case_id BIGINT REFERENCES support_case(id),
    theme TEXT,
    occurrences BIGINT NOT NULL DEFAULT 0,
    first_seen_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    -- The analysis: causes as JSON [{family, text}] (the fishbone), the "5 why" chain as JSON
    -- [text], the plan's pilot.
    causes TEXT NOT NULL DEFAULT '[]',
    whys TEXT NOT NULL DEFAULT '[]',
    pilot_id BIGINT REFERENCES app_user(id),
    reopened BIGINT NOT NULL DEFAULT 0,
    dismissed_reason TEXT,
    shared_at BIGINT,
    created_by BIGINT REFERENCES app_user(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    closed_at BIGINT,
    UNIQUE (org_id, source_key)
);
CREATE INDEX quality_nc_org ON quality_nc (org_id, status, updated_at);

-- What an automatic non-conformity rests on: crossings, missed periods, reviews, a theme's
-- months, a KPI's periods — by reference and figures, never customer text.
CREATE TABLE quality_evidence (
    nc_id BIGINT NOT NULL REFERENCES quality_nc(id),
    kind TEXT NOT NULL,
    ref TEXT NOT NULL,
    occurred_at BIGINT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (nc_id, kind, ref)
);
CREATE INDEX quality_evidence_recent ON quality_evidence (nc_id, occurred_at);

CREATE TABLE quality_action (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organization(id),
    nc_id BIGINT NOT NULL REFERENCES quality_nc(id),
    -- 1, then one more after each NC verdict or recurrence.
    round BIGINT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    due_on TEXT NOT NULL,
    pilot_id BIGINT REFERENCES app_user(id),
    actors TEXT NOT NULL DEFAULT '[]',
    documents TEXT NOT NULL DEFAULT '[]',
    -- The efficacy check, decided with the action: a figure Pacte computes ("commitment:3",
    -- "nps:2", "kpi:5"…, optionally on one site) against a target over the complete months
    -- before the check date, or a check by people described in words.
    check_method TEXT,
    check_figure TEXT,
    check_site_id BIGINT REFERENCES site(id),
    check_target DOUBLE PRECISION,
    check_months BIGINT,
    check_on TEXT,
    check_how TEXT NOT NULL DEFAULT '',
    progress BIGINT NOT NULL DEFAULT 0,
    -- When the job found it past its date and unfinished, and told the quality manager.
    overdue_at BIGINT,
    measured_value DOUBLE PRECISION,
    measured_low DOUBLE PRECISION,
    measured_high DOUBLE PRECISION,
    measured_n BIGINT,
    measured_at BIGINT,
    proposal TEXT,
    verdict TEXT,
    verdict_by BIGINT REFERENCES app_user(id),
    verdict_at BIGINT,
    verdict_note TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES app_user(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX quality_action_nc ON quality_action (nc_id);
CREATE INDEX quality_action_due ON quality_action (org_id, check_on) WHERE verdict IS NULL;

CREATE TABLE quality_progress (
    id INTEGER PRIMARY KEY,
    action_id BIGINT NOT NULL REFERENCES quality_action(id),
    pct BIGINT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    by_user BIGINT REFERENCES app_user(id),
    at BIGINT NOT NULL
);
CREATE INDEX quality_progress_action ON quality_progress (action_id, at);

-- Every change of a non-conformity and its plan, in order.
CREATE TABLE quality_event (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organization(id),
    nc_id BIGINT NOT NULL REFERENCES quality_nc(id),
    at BIGINT NOT NULL,
    user_id BIGINT REFERENCES app_user(id),
    kind TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX quality_event_nc ON quality_event (nc_id, at);

-- Crossings not yet grouped into a non-conformity (the detection job takes them).
ALTER TABLE nonconformity ADD COLUMN quality_nc_id BIGINT REFERENCES quality_nc(id);
CREATE INDEX nonconformity_ungrouped ON nonconformity (org_id, id) WHERE quality_nc_id IS NULL;

-- Indicators: a built-in figure ("commitment:3", "nps:2", …) or a value entered each period.
CREATE TABLE kpi (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organization(id),
    code TEXT NOT NULL,
    name_fr TEXT NOT NULL,
    name_en TEXT NOT NULL,
    -- business | support | management (seed 001: "processus métier, support et managérial").
    process TEXT NOT NULL,
    owner_user_id BIGINT REFERENCES app_user(id),
    owner_team_id BIGINT REFERENCES team(id),
    figure TEXT,
    site_id BIGINT REFERENCES site(id),
    unit TEXT NOT NULL,
    higher_is_better BIGINT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    UNIQUE (org_id, code)
);

-- The yearly target, the threshold under which it is red, and the quarterly milestones.
CREATE TABLE kpi_target (
    kpi_id BIGINT NOT NULL REFERENCES kpi(id),
    year BIGINT NOT NULL,
    target DOUBLE PRECISION NOT NULL,
    red_at DOUBLE PRECISION,
    q1 DOUBLE PRECISION,
    q2 DOUBLE PRECISION,
    q3 DOUBLE PRECISION,
    q4 DOUBLE PRECISION,
    PRIMARY KEY (kpi_id, year)
);

-- Values entered by hand, per month ("YYYY-MM").
CREATE TABLE kpi_value (
    kpi_id BIGINT NOT NULL REFERENCES kpi(id),
    month TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    entered_by BIGINT REFERENCES app_user(id),
    entered_at BIGINT NOT NULL,
    PRIMARY KEY (kpi_id, month)
);

-- A quarterly review (or a monthly process committee): its lines are computed while it is a
-- draft and frozen with it.
CREATE TABLE kpi_review (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organization(id),
    kind TEXT NOT NULL,
    period TEXT NOT NULL,
    status TEXT NOT NULL,
    attendees TEXT NOT NULL DEFAULT '',
    minutes TEXT NOT NULL DEFAULT '',
    frozen_at BIGINT,
    frozen_by BIGINT REFERENCES app_user(id),
    created_by BIGINT REFERENCES app_user(id),
    created_at BIGINT NOT NULL,
    UNIQUE (org_id, kind, period)
);

CREATE TABLE kpi_review_line (
    review_id BIGINT NOT NULL REFERENCES kpi_review(id),
    kpi_id BIGINT NOT NULL REFERENCES kpi(id),
    value DOUBLE PRECISION,
    n BIGINT,
    target DOUBLE PRECISION,
    milestone DOUBLE PRECISION,
    previous DOUBLE PRECISION,
    rag TEXT NOT NULL,
    -- For a missed target: "plan" (an axis of progress, with its non-conformity) or
    -- "no_action" with the justification.
    decision TEXT,
    justification TEXT NOT NULL DEFAULT '',
    nc_id BIGINT REFERENCES quality_nc(id),
    PRIMARY KEY (review_id, kpi_id)
);
