-- The email channel: mailboxes, every message in and out (raw kept, content-addressed by BLAKE3),
-- attachments, canned replies and editable acknowledgement templates.
CREATE TABLE mailbox (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organization(id),
    address TEXT NOT NULL,
    address_key TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    team_id BIGINT REFERENCES team(id),
    imap_host TEXT,
    imap_port BIGINT,
    imap_security TEXT NOT NULL DEFAULT 'tls',
    imap_user TEXT,
    imap_secret TEXT,
    imap_folder TEXT NOT NULL DEFAULT 'INBOX',
    imap_done_folder TEXT,
    smtp_host TEXT,
    smtp_port BIGINT,
    smtp_security TEXT NOT NULL DEFAULT 'starttls',
    smtp_user TEXT,
    smtp_secret TEXT,
    uid_validity BIGINT,
    last_uid BIGINT NOT NULL DEFAULT 0,
    polled_at BIGINT,
    poll_error TEXT,
    active BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX mailbox_org ON mailbox (org_id, id);

CREATE TABLE blob (
    hash TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    content BLOB NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE email_message (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organization(id),
    mailbox_id BIGINT REFERENCES mailbox(id),
    direction TEXT NOT NULL,
    kind TEXT NOT NULL,
    case_id BIGINT REFERENCES support_case(id),
    interaction_id BIGINT REFERENCES interaction(id),
    message_id TEXT NOT NULL,
    in_reply_to TEXT,
    refs TEXT NOT NULL DEFAULT '',
    thread_root TEXT,
    from_address TEXT NOT NULL DEFAULT '',
    from_key TEXT NOT NULL DEFAULT '',
    reply_to TEXT,
    to_addresses TEXT NOT NULL DEFAULT '',
    subject TEXT NOT NULL DEFAULT '',
    html TEXT,
    warnings TEXT NOT NULL DEFAULT '[]',
    raw_hash TEXT NOT NULL REFERENCES blob(hash),
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT,
    error TEXT,
    sent_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX email_message_id ON email_message (org_id, message_id);
CREATE INDEX email_thread_root ON email_message (org_id, thread_root) WHERE thread_root IS NOT NULL;
CREATE INDEX email_case ON email_message (case_id, id);
CREATE INDEX email_interaction ON email_message (interaction_id);
CREATE INDEX email_sender ON email_message (org_id, from_key, created_at);
CREATE INDEX email_outbox ON email_message (next_attempt_at) WHERE status = 'queued';

CREATE TABLE email_attachment (
    id INTEGER PRIMARY KEY,
    email_id BIGINT NOT NULL REFERENCES email_message(id),
    blob_hash TEXT REFERENCES blob(hash),
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    content_id TEXT,
    inline BIGINT NOT NULL DEFAULT 0,
    size BIGINT NOT NULL
);
CREATE INDEX email_attachment_email ON email_attachment (email_id);

CREATE TABLE canned_reply (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organization(id),
    team_id BIGINT REFERENCES team(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (org_id, title)
);

CREATE TABLE email_template (
    org_id BIGINT NOT NULL REFERENCES organization(id),
    kind TEXT NOT NULL,
    lang TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, kind, lang)
);
