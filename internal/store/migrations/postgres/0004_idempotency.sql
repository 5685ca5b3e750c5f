-- Idempotency keys: the first response to a create request sent with an
-- Idempotency-Key header, replayed for 24 hours to the same caller.
CREATE TABLE idempotency_keys (
    account_id    BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    user_id       BIGINT  NOT NULL,
    key           TEXT    NOT NULL,
    request_hash  TEXT    NOT NULL,
    status        BIGINT  NOT NULL DEFAULT 0, -- 0 while the first request is running
    response_body TEXT    NOT NULL DEFAULT '',
    created_at    BIGINT  NOT NULL,
    PRIMARY KEY (account_id, user_id, key)
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
