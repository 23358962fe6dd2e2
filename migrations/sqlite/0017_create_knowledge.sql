-- The organisation's knowledge base: the articles the bot answers from. `external_id` is the
-- source's id, so a second import updates instead of adding.
CREATE TABLE kb_article (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organization(id),
    external_id TEXT,
    lang TEXT NOT NULL,
    title TEXT NOT NULL,
    title_key TEXT NOT NULL,
    short_answer TEXT NOT NULL,
    body TEXT NOT NULL,
    keywords TEXT NOT NULL,
    published BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX kb_article_external ON kb_article (org_id, external_id);
CREATE INDEX kb_article_org ON kb_article (org_id, updated_at);

-- Other ways of asking an article's question: from its import, or added by an advisor from a
-- conversation ("a customer asked it this way"). `key` is the folded text, unique per article.
CREATE TABLE kb_variant (
    id INTEGER PRIMARY KEY,
    article_id BIGINT NOT NULL REFERENCES kb_article(id),
    text TEXT NOT NULL,
    key TEXT NOT NULL,
    source TEXT NOT NULL,
    created_by BIGINT REFERENCES app_user(id),
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX kb_variant_key ON kb_variant (article_id, key);

-- Bumped by every change to an organisation's articles: each process rebuilds its in-memory
-- index of the base when the number it built from is behind.
CREATE TABLE kb_revision (
    org_id BIGINT PRIMARY KEY REFERENCES organization(id),
    rev BIGINT NOT NULL
);

-- When the bot hands over to a person: one row per rule, with its reason code.
CREATE TABLE bot_rule (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organization(id),
    position BIGINT NOT NULL,
    code TEXT NOT NULL,
    kind TEXT NOT NULL,
    words TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    enabled BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX bot_rule_code ON bot_rule (org_id, code);
