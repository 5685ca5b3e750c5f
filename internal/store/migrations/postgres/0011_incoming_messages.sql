-- The incoming messages of a conversation, by time: unread counts (incoming messages after the agent last
-- saw the conversation) and the newest incoming message are range scans of this index. Without it they
-- walked every message of the conversation, on every message created (the payloads' unread_count).
-- Partial: outgoing messages, activity and notes add nothing to it.
CREATE INDEX messages_incoming ON messages (conversation_id, created_at) WHERE message_type = 0;
