-- The job queue: work that follows a write, run by `pacte worker` or `pacte serve` processes.
-- One row per (kind, key): enqueuing twice is a no-op, so jobs are idempotent by construction.
-- A worker claims a due job by taking its lease; a lease that runs out (the worker died) makes the
-- job due again. Standing jobs (the mail queue, alert delivery, survey dispatch and sampling)
-- are rescheduled after each run; one-off jobs are deleted when done, kept with `failed_at`
-- after their last attempt.
CREATE TABLE job (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT '{}',
    standing BIGINT NOT NULL DEFAULT 0,
    run_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    lease_until BIGINT,
    worker TEXT,
    last_error TEXT,
    failed_at BIGINT,
    runs BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    UNIQUE (kind, key)
);
CREATE INDEX job_due ON job (run_at) WHERE failed_at IS NULL;
