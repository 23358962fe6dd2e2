-- API tokens named (label), expiring, revocable, with their last use. A token made before this
-- migration has no end (expires_at NULL) until it is revoked.
ALTER TABLE api_token ADD COLUMN expires_at BIGINT;
ALTER TABLE api_token ADD COLUMN revoked_at BIGINT;
ALTER TABLE api_token ADD COLUMN last_used_at BIGINT;
CREATE INDEX api_token_user ON api_token (user_id);
