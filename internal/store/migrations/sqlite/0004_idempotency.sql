-- Idempotency keys: the first response to a create request sent with an
-- Idempotency-Key header, replayed for 24 hours to the same caller.
CREATE TABLE idempotency_keys (
    account_id    INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL,
    key           TEXT    NOT NULL,
    request_hash  TEXT    NOT NULL,
    status        INTEGER NOT NULL DEFAULT 0, -- 0 while the first request is running
    response_body TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (account_id, user_id, key)
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
