-- The charter: organisation calendar, commitments (versioned), their measures and per-period
-- results (kept incrementally), non-conformities, compensations, alerts, and the counter queue.
ALTER TABLE organization ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'Europe/Paris';
ALTER TABLE organization ADD COLUMN opening_hours TEXT NOT NULL DEFAULT 'mon-fri 09:00-18:00';
-- Days a site is closed beyond public holidays: "2026-12-24,2026-12-31".
ALTER TABLE site ADD COLUMN closures TEXT NOT NULL DEFAULT '';

CREATE TABLE commitment (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organization(id),
    -- The first version's id; versions of one commitment share it.
    family_id BIGINT NOT NULL,
    version BIGINT NOT NULL,
    status TEXT NOT NULL,
    position BIGINT NOT NULL DEFAULT 0,
    title_fr TEXT NOT NULL,
    title_en TEXT NOT NULL,
    wording_fr TEXT NOT NULL,
    wording_en TEXT NOT NULL,
    metric TEXT NOT NULL,
    channels TEXT NOT NULL,
    site_ids TEXT NOT NULL DEFAULT '',
    kinds TEXT NOT NULL DEFAULT '',
    categories TEXT NOT NULL DEFAULT '',
    nominal_ms BIGINT,
    requirement_bp BIGINT NOT NULL,
    unacceptable_ms BIGINT,
    business_time BIGINT NOT NULL DEFAULT 0,
    exclude_pending BIGINT NOT NULL DEFAULT 0,
    period TEXT NOT NULL,
    compensation_gesture TEXT,
    compensation_cents BIGINT,
    alert_webhook TEXT,
    backtested_at BIGINT,
    published_at BIGINT,
    retired_at BIGINT,
    created_by BIGINT REFERENCES app_user(id),
    created_at BIGINT NOT NULL,
    UNIQUE (family_id, version)
);
CREATE INDEX commitment_org ON commitment (org_id, status);

-- One row per contact measured by a commitment version: re-measuring replaces it and moves the
-- difference into the results, so late or corrected data lands in the right period.
CREATE TABLE commitment_measure (
    commitment_id BIGINT NOT NULL REFERENCES commitment(id),
    subject TEXT NOT NULL,
    site_id BIGINT NOT NULL,
    period TEXT NOT NULL,
    anchor_at BIGINT NOT NULL,
    value_ms BIGINT,
    met BIGINT NOT NULL,
    unacceptable BIGINT NOT NULL,
    PRIMARY KEY (commitment_id, subject)
);

CREATE TABLE commitment_result (
    commitment_id BIGINT NOT NULL REFERENCES commitment(id),
    site_id BIGINT NOT NULL,
    period TEXT NOT NULL,
    total BIGINT NOT NULL,
    met BIGINT NOT NULL,
    unacceptable BIGINT NOT NULL,
    PRIMARY KEY (commitment_id, site_id, period)
);

-- Results follow measures in the same statement (as case counters follow cases): one write per
-- measured contact, whatever changes.
CREATE TRIGGER commitment_measure_insert AFTER INSERT ON commitment_measure
BEGIN
    INSERT INTO commitment_result (commitment_id, site_id, period, total, met, unacceptable)
    VALUES (NEW.commitment_id, NEW.site_id, NEW.period, 1, NEW.met, NEW.unacceptable)
    ON CONFLICT (commitment_id, site_id, period) DO UPDATE SET
        total = total + 1, met = met + excluded.met, unacceptable = unacceptable + excluded.unacceptable;
END;

CREATE TRIGGER commitment_measure_update AFTER UPDATE ON commitment_measure
BEGIN
    UPDATE commitment_result SET total = total - 1, met = met - OLD.met, unacceptable = unacceptable - OLD.unacceptable
    WHERE commitment_id = OLD.commitment_id AND site_id = OLD.site_id AND period = OLD.period;
    INSERT INTO commitment_result (commitment_id, site_id, period, total, met, unacceptable)
    VALUES (NEW.commitment_id, NEW.site_id, NEW.period, 1, NEW.met, NEW.unacceptable)
    ON CONFLICT (commitment_id, site_id, period) DO UPDATE SET
        total = total + 1, met = met + excluded.met, unacceptable = unacceptable + excluded.unacceptable;
END;

CREATE TRIGGER commitment_measure_delete AFTER DELETE ON commitment_measure
BEGIN
    UPDATE commitment_result SET total = total - 1, met = met - OLD.met, unacceptable = unacceptable - OLD.unacceptable
    WHERE commitment_id = OLD.commitment_id AND site_id = OLD.site_id AND period = OLD.period;
END;

CREATE TABLE nonconformity (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organization(id),
    commitment_id BIGINT NOT NULL REFERENCES commitment(id),
    subject TEXT NOT NULL,
    site_id BIGINT REFERENCES site(id),
    case_id BIGINT REFERENCES support_case(id),
    customer_id BIGINT REFERENCES customer(id),
    value_ms BIGINT,
    occurred_at BIGINT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (commitment_id, subject)
);
CREATE INDEX nonconformity_org ON nonconformity (org_id, created_at);

CREATE TABLE compensation (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organization(id),
    nonconformity_id BIGINT REFERENCES nonconformity(id),
    commitment_id BIGINT REFERENCES commitment(id),
    case_id BIGINT REFERENCES support_case(id),
    customer_id BIGINT REFERENCES customer(id),
    site_id BIGINT REFERENCES site(id),
    reason TEXT NOT NULL,
    gesture TEXT NOT NULL,
    amount_cents BIGINT NOT NULL,
    status TEXT NOT NULL,
    decided_by_user BIGINT REFERENCES app_user(id),
    decided_by_rule TEXT,
    decided_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX compensation_org ON compensation (org_id, created_at);

-- How much each role may grant; the role "rule" is what a commitment grants by itself.
CREATE TABLE compensation_limit (
    org_id BIGINT NOT NULL REFERENCES organization(id),
    role TEXT NOT NULL,
    limit_cents BIGINT NOT NULL,
    PRIMARY KEY (org_id, role)
);

-- Alerts to deliver (webhooks), retried until delivered.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organization(id),
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    payload TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    delivered_at BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX outbox_due ON outbox (delivered_at, next_attempt_at);

CREATE TABLE counter_service (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organization(id),
    code TEXT NOT NULL,
    name_fr TEXT NOT NULL,
    name_en TEXT NOT NULL,
    position BIGINT NOT NULL DEFAULT 0,
    UNIQUE (org_id, code)
);

CREATE TABLE counter_ticket (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organization(id),
    site_id BIGINT NOT NULL REFERENCES site(id),
    service_id BIGINT NOT NULL REFERENCES counter_service(id),
    day TEXT NOT NULL,
    seq BIGINT NOT NULL,
    label TEXT NOT NULL,
    customer_id BIGINT REFERENCES customer(id),
    status TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    called_at BIGINT,
    desk TEXT,
    called_by BIGINT REFERENCES app_user(id),
    ended_at BIGINT,
    interaction_id BIGINT REFERENCES interaction(id),
    -- What the desk wrote, kept even when the visit lands on no customer record.
    note TEXT NOT NULL DEFAULT '',
    UNIQUE (site_id, day, service_id, seq)
);
CREATE INDEX counter_ticket_queue ON counter_ticket (site_id, status, issued_at);

CREATE INDEX case_org_opened ON support_case (org_id, opened_at);
-- Waits in queues (calls, chats, counter visits) for backtests, without the other interactions.
CREATE INDEX interaction_waits ON interaction (org_id, channel, queued_at) WHERE queued_at IS NOT NULL;
-- When an open case crosses the nearest bound of a commitment in force: kept as the case
-- changes, so cases at risk and inbox timers are read, not computed.
ALTER TABLE support_case ADD COLUMN due_at BIGINT;
CREATE INDEX case_org_due ON support_case (org_id, due_at) WHERE due_at IS NOT NULL;
