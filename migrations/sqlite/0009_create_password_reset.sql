-- One-time links to set a password, made by an administrator: only the hash of the secret is
-- kept; a link works once, for 24 hours, for an active user.
CREATE TABLE password_reset (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES app_user(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_by BIGINT REFERENCES app_user(id),
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX password_reset_user ON password_reset (user_id);
