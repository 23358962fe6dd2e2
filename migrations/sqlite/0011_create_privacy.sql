-- Personal data: when a customer's data was erased (the record stays, anonymous, so figures and
-- the accounts keep their rows), and the requests customers make (access, erasure) with the
-- legal deadline of one month.
ALTER TABLE customer ADD COLUMN erased_at BIGINT;

CREATE TABLE privacy_request (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organization(id),
    customer_id BIGINT NOT NULL REFERENCES customer(id),
    kind TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    due_at BIGINT NOT NULL,
    done_at BIGINT,
    done_by BIGINT REFERENCES app_user(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX privacy_request_open ON privacy_request (org_id, done_at, due_at);
