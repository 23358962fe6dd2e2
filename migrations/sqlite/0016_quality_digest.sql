-- One reminder digest per person and day ("vos actions qualité"): the key makes a second
-- worker, or a second run the same day, send nothing more.
CREATE TABLE quality_digest (
    user_id BIGINT NOT NULL REFERENCES app_user(id),
    day TEXT NOT NULL,
    org_id BIGINT NOT NULL REFERENCES organization(id),
    items BIGINT NOT NULL,
    email_id BIGINT,
    sent_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, day)
);
