-- Foundation: accounts, users, memberships, tokens, sessions, platform apps.
-- Timestamps are unix microseconds (INTEGER) in both dialects so that one code
-- path reads and writes them; JSON documents are TEXT here and JSONB on PostgreSQL.
-- AUTOINCREMENT: ids are never reused after a delete, as on PostgreSQL (integrators key on them).

CREATE TABLE accounts (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    name              TEXT    NOT NULL,
    locale            TEXT    NOT NULL DEFAULT 'en',
    domain            TEXT    NOT NULL DEFAULT '',
    support_email     TEXT    NOT NULL DEFAULT '',
    status            TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    features          TEXT    NOT NULL DEFAULT '{}',
    settings          TEXT    NOT NULL DEFAULT '{}',
    custom_attributes TEXT    NOT NULL DEFAULT '{}',
    limits            TEXT    NOT NULL DEFAULT '{}',
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);

CREATE TABLE users (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    name              TEXT    NOT NULL,
    display_name      TEXT    NOT NULL DEFAULT '',
    email             TEXT    NOT NULL,
    password_hash     TEXT    NOT NULL DEFAULT '',
    message_signature TEXT    NOT NULL DEFAULT '',
    ui_settings       TEXT    NOT NULL DEFAULT '{}',
    custom_attributes TEXT    NOT NULL DEFAULT '{}',
    pubsub_token      TEXT    NOT NULL,
    confirmed_at      INTEGER,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);
CREATE UNIQUE INDEX users_email ON users (email);
CREATE UNIQUE INDEX users_pubsub_token ON users (pubsub_token);

CREATE TABLE account_users (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role         TEXT    NOT NULL DEFAULT 'agent' CHECK (role IN ('agent', 'administrator')),
    availability TEXT    NOT NULL DEFAULT 'online' CHECK (availability IN ('online', 'offline', 'busy')),
    auto_offline INTEGER NOT NULL DEFAULT 1,
    inviter_id   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    active_at    INTEGER,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE UNIQUE INDEX account_users_account_user ON account_users (account_id, user_id);
CREATE INDEX account_users_user ON account_users (user_id);

CREATE TABLE access_tokens (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_type TEXT    NOT NULL,
    owner_id   INTEGER NOT NULL,
    hash       TEXT    NOT NULL,
    encrypted  TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX access_tokens_hash ON access_tokens (hash);
CREATE UNIQUE INDEX access_tokens_owner ON access_tokens (owner_type, owner_id);

CREATE TABLE sessions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client     TEXT    NOT NULL,
    token_hash TEXT    NOT NULL,
    expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX sessions_user_client ON sessions (user_id, client);

CREATE TABLE platform_apps (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE platform_app_permissibles (
    platform_app_id  INTEGER NOT NULL REFERENCES platform_apps (id) ON DELETE CASCADE,
    permissible_type TEXT    NOT NULL,
    permissible_id   INTEGER NOT NULL,
    PRIMARY KEY (platform_app_id, permissible_type, permissible_id)
);
