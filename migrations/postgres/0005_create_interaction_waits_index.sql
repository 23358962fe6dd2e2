-- Waits in queues (calls, chats, counter visits) for backtests, without the other interactions.
CREATE INDEX interaction_waits ON interaction (org_id, channel, queued_at) WHERE queued_at IS NOT NULL;
