-- A conversation in the chat: with the bot, then, on a handoff, waiting for and with an
-- advisor. `seq` is the number of its last event; the visitor's token names the row and is
-- checked against it (a closed conversation's token stops working an hour after).
CREATE TABLE chat_conversation (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organization(id),
    customer_id BIGINT REFERENCES customer(id),
    identity TEXT,
    name TEXT,
    lang TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    unhelpful BIGINT NOT NULL,
    last_article_id BIGINT,
    resolved_by_bot BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    started_at BIGINT NOT NULL,
    last_at BIGINT NOT NULL,
    handoff_at BIGINT,
    assigned_to BIGINT REFERENCES app_user(id),
    answered_at BIGINT,
    closed_at BIGINT,
    case_id BIGINT
);
CREATE INDEX chat_conversation_queue ON chat_conversation (org_id, status, handoff_at);
CREATE INDEX chat_conversation_customer ON chat_conversation (customer_id);
-- The standing job closes conversations left idle and records the transcripts not yet on a
-- case: it reads only those.
CREATE INDEX chat_conversation_idle ON chat_conversation (last_at)
    WHERE status <> 'closed' OR case_id IS NULL;

-- What was said and done in a conversation, numbered: a client that reconnects asks for what
-- follows the last number it saw.
CREATE TABLE chat_event (
    id INTEGER PRIMARY KEY,
    conversation_id BIGINT NOT NULL REFERENCES chat_conversation(id),
    seq BIGINT NOT NULL,
    author TEXT NOT NULL,
    user_id BIGINT REFERENCES app_user(id),
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    article_id BIGINT,
    at BIGINT NOT NULL
);
CREATE UNIQUE INDEX chat_event_seq ON chat_event (conversation_id, seq);
