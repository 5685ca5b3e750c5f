-- Message attachments. The files live under CRIACHAT_DATA_DIR/uploads/<account_id>/; a row names its
-- file by storage_key ("<account_id>/<random name>"). Rows go with their message (and so with its
-- conversation, inbox, contact and account); files whose row is gone are removed by the server.

-- The composite key below needs (account_id, id) to be unique on messages.
CREATE UNIQUE INDEX messages_account_id ON messages (account_id, id);

CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    message_id   INTEGER NOT NULL,
    -- Chatwoot's enum: image 0, audio 1, video 2, file 3, location 4, fallback 5, share 6,
    -- story_mention 7, contact 8, ig_reel 9, ig_post 10, ig_story 11, embed 12.
    file_type    INTEGER NOT NULL CHECK (file_type BETWEEN 0 AND 12),
    storage_key  TEXT    NOT NULL,
    filename     TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    extension    TEXT,
    file_size    INTEGER NOT NULL CHECK (file_size >= 0),
    width        INTEGER,
    height       INTEGER,
    created_at   INTEGER NOT NULL,
    -- Composite key: an attachment can never point at another tenant's message.
    FOREIGN KEY (account_id, message_id) REFERENCES messages (account_id, id) ON DELETE CASCADE
);
-- Serves the per-message lookups, the composite key and the account cascade.
CREATE INDEX attachments_message ON attachments (account_id, message_id);
CREATE UNIQUE INDEX attachments_storage_key ON attachments (storage_key);
