-- The voice of the customer: surveys (definitions, invitations, answers, and tallies kept in the
-- answer's transaction so dashboards never scan answers), verbatim theme rules, call-back tasks,
-- alerts to site managers, and verified reviews (ISO 20488) with their invitations and flags.
ALTER TABLE organization ADD COLUMN survey_fatigue_days BIGINT NOT NULL DEFAULT 30;
ALTER TABLE organization ADD COLUMN voice_webhook TEXT;
ALTER TABLE customer ADD COLUMN survey_opt_out_at BIGINT;

CREATE TABLE survey (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organization(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    question_fr TEXT NOT NULL,
    question_en TEXT NOT NULL,
    comment_fr TEXT NOT NULL,
    comment_en TEXT NOT NULL,
    ask_solved BIGINT NOT NULL DEFAULT 0,
    -- JSON [{"key": "...", "fr": "...", "en": "..."}] for custom questionnaires.
    criteria TEXT NOT NULL DEFAULT '[]',
    -- case_solved | counter_visit | periodic | manual
    trigger TEXT NOT NULL,
    -- Channels whose solved cases are surveyed ("" = all), comma-separated.
    channels TEXT NOT NULL DEFAULT '',
    delay_minutes BIGINT NOT NULL DEFAULT 0,
    every_days BIGINT,
    sample_size BIGINT,
    last_run_at BIGINT,
    active BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX survey_org ON survey (org_id, active);

CREATE TABLE survey_invitation (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organization(id),
    survey_id BIGINT NOT NULL REFERENCES survey(id),
    customer_id BIGINT NOT NULL REFERENCES customer(id),
    case_id BIGINT REFERENCES support_case(id),
    site_id BIGINT,
    team_id BIGINT,
    channel TEXT,
    category TEXT,
    lang TEXT NOT NULL DEFAULT 'fr',
    -- scheduled → sent (by email) | shown (a link only) | skipped (with a reason) → answered
    status TEXT NOT NULL,
    skip_reason TEXT,
    due_at BIGINT NOT NULL,
    sent_at BIGINT,
    expires_at BIGINT,
    email_id BIGINT,
    answered_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX survey_invitation_due ON survey_invitation (status, due_at);
CREATE INDEX survey_invitation_customer ON survey_invitation (customer_id, sent_at);
CREATE INDEX survey_invitation_case ON survey_invitation (case_id);

CREATE TABLE survey_response (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organization(id),
    survey_id BIGINT NOT NULL REFERENCES survey(id),
    invitation_id BIGINT UNIQUE REFERENCES survey_invitation(id),
    customer_id BIGINT REFERENCES customer(id),
    case_id BIGINT REFERENCES support_case(id),
    site_id BIGINT,
    team_id BIGINT,
    channel TEXT,
    category TEXT,
    month TEXT NOT NULL,
    score BIGINT,
    solved BIGINT,
    comment TEXT NOT NULL DEFAULT '',
    lang TEXT NOT NULL DEFAULT 'fr',
    criteria TEXT NOT NULL DEFAULT '[]',
    -- Themes as ",a,b," so one LIKE finds a theme; polarity −1, 0, 1.
    themes TEXT NOT NULL DEFAULT '',
    polarity BIGINT NOT NULL DEFAULT 0,
    external_id TEXT,
    answered_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (survey_id, external_id)
);
CREATE INDEX survey_response_org ON survey_response (org_id, answered_at);
CREATE INDEX survey_response_customer ON survey_response (customer_id, answered_at);
CREATE INDEX survey_response_case ON survey_response (case_id);
-- The latest negative comments of a period: the quotes under the top irritants.
CREATE INDEX survey_response_negative ON survey_response (org_id, polarity, answered_at);

-- Per survey × month × slice (dim: all | site | channel | team | category; value: its id or name).
CREATE TABLE survey_tally (
    org_id BIGINT NOT NULL,
    survey_id BIGINT NOT NULL,
    month TEXT NOT NULL,
    dim TEXT NOT NULL,
    value TEXT NOT NULL,
    invited BIGINT NOT NULL DEFAULT 0,
    answered BIGINT NOT NULL DEFAULT 0,
    solved_yes BIGINT NOT NULL DEFAULT 0,
    solved_no BIGINT NOT NULL DEFAULT 0,
    s0 BIGINT NOT NULL DEFAULT 0,
    s1 BIGINT NOT NULL DEFAULT 0,
    s2 BIGINT NOT NULL DEFAULT 0,
    s3 BIGINT NOT NULL DEFAULT 0,
    s4 BIGINT NOT NULL DEFAULT 0,
    s5 BIGINT NOT NULL DEFAULT 0,
    s6 BIGINT NOT NULL DEFAULT 0,
    s7 BIGINT NOT NULL DEFAULT 0,
    s8 BIGINT NOT NULL DEFAULT 0,
    s9 BIGINT NOT NULL DEFAULT 0,
    s10 BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (survey_id, month, dim, value)
);

CREATE TABLE criterion_tally (
    survey_id BIGINT NOT NULL,
    month TEXT NOT NULL,
    criterion TEXT NOT NULL,
    answers BIGINT NOT NULL DEFAULT 0,
    importance_sum BIGINT NOT NULL DEFAULT 0,
    satisfaction_sum BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (survey_id, month, criterion)
);

CREATE TABLE theme_tally (
    org_id BIGINT NOT NULL,
    month TEXT NOT NULL,
    theme TEXT NOT NULL,
    mentions BIGINT NOT NULL DEFAULT 0,
    negative BIGINT NOT NULL DEFAULT 0,
    positive BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, month, theme)
);

CREATE TABLE verbatim_rule (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organization(id),
    theme TEXT NOT NULL,
    keywords TEXT NOT NULL,
    lang TEXT NOT NULL DEFAULT 'fr',
    created_at BIGINT NOT NULL,
    UNIQUE (org_id, theme, lang)
);

CREATE TABLE task (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organization(id),
    case_id BIGINT NOT NULL REFERENCES support_case(id),
    team_id BIGINT REFERENCES team(id),
    kind TEXT NOT NULL,
    note TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    done_at BIGINT,
    done_by BIGINT REFERENCES app_user(id)
);
CREATE INDEX task_open ON task (org_id, done_at, due_at);
CREATE INDEX task_case ON task (case_id);

CREATE TABLE voice_alert (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organization(id),
    site_id BIGINT,
    kind TEXT NOT NULL,
    response_id BIGINT,
    review_id BIGINT,
    summary TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    seen_at BIGINT,
    seen_by BIGINT REFERENCES app_user(id)
);
CREATE INDEX voice_alert_org ON voice_alert (org_id, created_at);

CREATE TABLE review_invitation (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organization(id),
    site_id BIGINT REFERENCES site(id),
    customer_id BIGINT NOT NULL REFERENCES customer(id),
    experience TEXT NOT NULL,
    reference TEXT NOT NULL,
    about TEXT NOT NULL,
    lang TEXT NOT NULL DEFAULT 'fr',
    experienced_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    email_id BIGINT,
    used_at BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (org_id, experience, reference)
);
CREATE INDEX review_invitation_customer ON review_invitation (customer_id);

CREATE TABLE review (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organization(id),
    site_id BIGINT REFERENCES site(id),
    invitation_id BIGINT NOT NULL UNIQUE REFERENCES review_invitation(id),
    customer_id BIGINT NOT NULL REFERENCES customer(id),
    author TEXT NOT NULL,
    stars BIGINT NOT NULL,
    comment TEXT NOT NULL,
    lang TEXT NOT NULL DEFAULT 'fr',
    experienced_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    -- published | rejected | withdrawn; nothing is ever deleted by moderation.
    status TEXT NOT NULL,
    reason TEXT,
    decided_at BIGINT,
    decided_by BIGINT REFERENCES app_user(id),
    withdrawn_at BIGINT,
    reply TEXT,
    replied_at BIGINT,
    replied_by BIGINT REFERENCES app_user(id),
    flags BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX review_public ON review (org_id, status, created_at);
CREATE INDEX review_site ON review (org_id, site_id, status, created_at);

CREATE TABLE review_flag (
    id INTEGER PRIMARY KEY,
    review_id BIGINT NOT NULL REFERENCES review(id),
    reason TEXT NOT NULL,
    source_key TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (review_id, source_key)
);

-- Published reviews per star, per site and for the whole organisation (site_id 0).
CREATE TABLE review_tally (
    org_id BIGINT NOT NULL,
    site_id BIGINT NOT NULL,
    s1 BIGINT NOT NULL DEFAULT 0,
    s2 BIGINT NOT NULL DEFAULT 0,
    s3 BIGINT NOT NULL DEFAULT 0,
    s4 BIGINT NOT NULL DEFAULT 0,
    s5 BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, site_id)
);
