-- Events, webhooks, agent bots and webhook deliveries (issue 4).
--
-- Every change that Chatwoot turns into an event appends an events row in the same transaction, with a
-- per-account sequence number (seq) from accounts.event_seq. SQLite (one writer) numbers it in that
-- transaction. PostgreSQL numbers events after commit, in the order they became visible (store
-- SequenceEvents, run by a background loop and before every feed read), because numbering at write time
-- would lock the account row from the first event of a transaction to its commit and serialize every
-- writer of the account; seq is NULL until then. The payload is stored as TEXT, byte for byte what
-- webhooks send (JSONB would reorder keys).
-- Deliveries are the outbox: one row per destination of an event, written in the same transaction and
-- executed after commit by the delivery worker (claimed in the single writer transaction, with a
-- lease); every attempt is logged in webhook_attempts.

ALTER TABLE accounts ADD COLUMN event_seq INTEGER NOT NULL DEFAULT 0;

CREATE TABLE events (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    seq             INTEGER,
    uuid            TEXT   NOT NULL,
    type            TEXT   NOT NULL,
    -- The ids involved (no foreign keys: an event outlives what it describes).
    inbox_id        INTEGER,
    conversation_id INTEGER,
    message_id      INTEGER,
    contact_id      INTEGER,
    payload         TEXT   NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX events_account_seq ON events (account_id, seq);
CREATE INDEX events_unsequenced ON events (account_id, id) WHERE seq IS NULL;
CREATE INDEX events_created_at ON events (created_at);

CREATE TABLE webhooks (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id        INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    inbox_id          INTEGER,
    name              TEXT,
    url               TEXT   NOT NULL,
    -- subscriptions as given (a JSON list, order kept) and as a bit mask of event types
    -- (criachat.EventType bits) so that choosing the destinations of an event is one indexed statement.
    subscriptions     TEXT   NOT NULL,
    subscription_mask INTEGER NOT NULL,
    secret_sealed     TEXT   NOT NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    FOREIGN KEY (account_id, inbox_id) REFERENCES inboxes (account_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX webhooks_account_id ON webhooks (account_id, id);
CREATE UNIQUE INDEX webhooks_account_url ON webhooks (account_id, url);

CREATE TABLE agent_bots (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id    INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name          TEXT   NOT NULL,
    description   TEXT,
    outgoing_url  TEXT,
    bot_type      TEXT   NOT NULL DEFAULT 'webhook',
    bot_config    TEXT   NOT NULL DEFAULT '{}',
    avatar_url    TEXT   NOT NULL DEFAULT '',
    secret_sealed TEXT   NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX agent_bots_account_id ON agent_bots (account_id, id);

-- One active bot per inbox (Chatwoot's agent_bot_inboxes).
CREATE TABLE agent_bot_inboxes (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    inbox_id     INTEGER NOT NULL,
    agent_bot_id INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    FOREIGN KEY (account_id, inbox_id) REFERENCES inboxes (account_id, id) ON DELETE CASCADE,
    FOREIGN KEY (account_id, agent_bot_id) REFERENCES agent_bots (account_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX agent_bot_inboxes_inbox ON agent_bot_inboxes (inbox_id);
CREATE INDEX agent_bot_inboxes_bot ON agent_bot_inboxes (account_id, agent_bot_id);

CREATE TABLE webhook_deliveries (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id       INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    event_id         INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    event_type       TEXT   NOT NULL,
    -- webhook (account webhook), api_inbox (an API channel's webhook_url) or agent_bot (its outgoing_url).
    target_type      TEXT   NOT NULL CHECK (target_type IN ('webhook', 'api_inbox', 'agent_bot')),
    target_id        INTEGER NOT NULL,
    url              TEXT   NOT NULL,
    state            TEXT   NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER,
    -- A worker's claim: until this time no other worker takes the delivery; it also fences the
    -- claiming worker's result (its update names the value it set).
    locked_until     INTEGER,
    last_status_code INTEGER,
    last_error       TEXT,
    redelivery_of    INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    completed_at     INTEGER
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_target ON webhook_deliveries (account_id, target_type, target_id, id);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);

CREATE TABLE webhook_attempts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id  INTEGER  NOT NULL,
    delivery_id INTEGER  NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt     INTEGER NOT NULL,
    started_at  INTEGER  NOT NULL,
    status_code INTEGER,
    latency_us  INTEGER  NOT NULL,
    error       TEXT,
    response    TEXT
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, attempt);

-- Circuit breaker per destination URL of an account: after enough consecutive failures the URL is
-- paused until probe_at; then one delivery probes it, and a success closes the circuit.
CREATE TABLE webhook_circuits (
    account_id INTEGER  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    url        TEXT    NOT NULL,
    failures   INTEGER NOT NULL DEFAULT 0,
    opened_at  INTEGER,
    probe_at   INTEGER,
    PRIMARY KEY (account_id, url)
);
