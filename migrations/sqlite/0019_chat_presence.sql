-- An advisor's presence on the chat (available | busy | away) and when their console last looked: a console
-- closed for two minutes counts as away, so the widget never promises an advisor nobody is there to be.
ALTER TABLE app_user ADD COLUMN chat_presence TEXT NOT NULL DEFAULT 'away';
ALTER TABLE app_user ADD COLUMN chat_seen_at BIGINT;
-- The site a conversation was started from (the widget's data-site): its opening hours say when advisors answer.
ALTER TABLE chat_conversation ADD COLUMN site_id BIGINT REFERENCES site(id);
