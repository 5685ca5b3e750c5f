-- Conversations, their labels and participants, and messages with full-text search.

-- Per-account sequence behind conversations.display_id (Chatwoot's conv_dpid_seq_<account>).
ALTER TABLE accounts ADD COLUMN conversation_seq INTEGER NOT NULL DEFAULT 0;

CREATE TABLE conversations (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id             INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    display_id             INTEGER NOT NULL,
    uuid                   TEXT    NOT NULL,
    inbox_id               INTEGER NOT NULL,
    contact_id             INTEGER NOT NULL,
    contact_inbox_id       INTEGER REFERENCES contact_inboxes (id) ON DELETE SET NULL,
    status                 TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'pending', 'snoozed')),
    priority               TEXT    NOT NULL DEFAULT '' CHECK (priority IN ('', 'low', 'medium', 'high', 'urgent')),
    assignee_id            INTEGER REFERENCES users (id) ON DELETE SET NULL,
    assignee_agent_bot_id  INTEGER,
    team_id                INTEGER REFERENCES teams (id) ON DELETE SET NULL,
    campaign_id            INTEGER,
    snoozed_until          INTEGER,
    additional_attributes  TEXT    NOT NULL DEFAULT '{}',
    custom_attributes      TEXT    NOT NULL DEFAULT '{}',
    cached_label_list      TEXT    NOT NULL DEFAULT '',
    agent_last_seen_at     INTEGER,
    assignee_last_seen_at  INTEGER,
    contact_last_seen_at   INTEGER,
    first_reply_created_at INTEGER,
    waiting_since          INTEGER,
    last_activity_at       INTEGER NOT NULL,
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL,
    -- Composite keys: a conversation can never point at another tenant's inbox or contact.
    FOREIGN KEY (account_id, inbox_id) REFERENCES inboxes (account_id, id) ON DELETE CASCADE,
    FOREIGN KEY (account_id, contact_id) REFERENCES contacts (account_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX conversations_account_id ON conversations (account_id, id);
CREATE UNIQUE INDEX conversations_display_id ON conversations (account_id, display_id);
CREATE UNIQUE INDEX conversations_uuid ON conversations (uuid);
CREATE INDEX conversations_status_activity ON conversations (account_id, status, last_activity_at);
CREATE INDEX conversations_activity ON conversations (account_id, last_activity_at);
CREATE INDEX conversations_inbox ON conversations (inbox_id, status);
-- Covers the list's meta counts (mine, assigned, unassigned, all) without reading rows.
CREATE INDEX conversations_counts ON conversations (account_id, status, assignee_id);
CREATE INDEX conversations_team ON conversations (team_id);
CREATE INDEX conversations_contact ON conversations (contact_id);
CREATE INDEX conversations_contact_inbox ON conversations (contact_inbox_id);

CREATE TABLE conversation_labels (
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    account_id      INTEGER NOT NULL,
    label           TEXT    NOT NULL,
    PRIMARY KEY (conversation_id, label)
);
CREATE INDEX conversation_labels_label ON conversation_labels (account_id, label);

CREATE TABLE conversation_participants (
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX conversation_participants_user ON conversation_participants (user_id);

CREATE TABLE messages (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id         INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    inbox_id           INTEGER NOT NULL,
    conversation_id    INTEGER NOT NULL,
    message_type       INTEGER NOT NULL CHECK (message_type BETWEEN 0 AND 3),
    content            TEXT    NOT NULL DEFAULT '',
    content_type       TEXT    NOT NULL DEFAULT 'text',
    content_attributes TEXT    NOT NULL DEFAULT '{}',
    private            INTEGER NOT NULL DEFAULT 0,
    status             TEXT    NOT NULL DEFAULT 'sent' CHECK (status IN ('sent', 'delivered', 'read', 'failed')),
    source_id          TEXT    NOT NULL DEFAULT '',
    sender_type        TEXT    NOT NULL DEFAULT '',
    sender_id          INTEGER,
    external_error     TEXT    NOT NULL DEFAULT '',
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    FOREIGN KEY (account_id, conversation_id) REFERENCES conversations (account_id, id) ON DELETE CASCADE
);
CREATE INDEX messages_conversation ON messages (conversation_id, id);

-- Full-text search over all message content (no 90-day limit): an external-content FTS5 index kept in
-- step with the table by triggers.
CREATE VIRTUAL TABLE messages_fts USING fts5(content, content = 'messages', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2');
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
    INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);
END;
