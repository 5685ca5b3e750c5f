-- Mentions (Chatwoot's mentions table): a user mentioned in a private note of a conversation. One row per
-- conversation and user; a later mention moves mentioned_at. The row belongs to the user's membership of the
-- account, so removing the user from the account (or deleting the conversation) removes their mentions.
-- GET /conversations?conversation_type=mention lists the caller's rows through mentions_user.

CREATE TABLE mentions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    conversation_id INTEGER NOT NULL,
    user_id         INTEGER NOT NULL,
    mentioned_at    INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    FOREIGN KEY (account_id, conversation_id) REFERENCES conversations (account_id, id) ON DELETE CASCADE,
    FOREIGN KEY (account_id, user_id) REFERENCES account_users (account_id, user_id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX mentions_conversation_user ON mentions (conversation_id, user_id);
CREATE INDEX mentions_user ON mentions (account_id, user_id, conversation_id);
