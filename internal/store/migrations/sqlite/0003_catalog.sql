-- Catalog: labels, teams and their members, canned responses, custom attribute
-- definitions, custom filters (reference §3.7). Enums are stored by name.
-- Team members and custom filters reference the membership (account_id,
-- user_id), so removing a user from an account removes them from its teams and
-- drops their saved filters there.

CREATE TABLE labels (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    title           TEXT    NOT NULL,
    description     TEXT,
    color           TEXT    NOT NULL DEFAULT '#1f93ff',
    show_on_sidebar INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX labels_account_title ON labels (account_id, title);

CREATE TABLE teams (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id        INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name              TEXT    NOT NULL,
    description       TEXT,
    allow_auto_assign INTEGER NOT NULL DEFAULT 1,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);
CREATE UNIQUE INDEX teams_account_name ON teams (account_id, name);

CREATE TABLE team_members (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    team_id    INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    FOREIGN KEY (account_id, user_id) REFERENCES account_users (account_id, user_id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX team_members_team_user ON team_members (team_id, user_id);
CREATE INDEX team_members_account_user ON team_members (account_id, user_id);

CREATE TABLE canned_responses (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    short_code TEXT    NOT NULL,
    content    TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX canned_responses_account_short_code ON canned_responses (account_id, short_code);

CREATE TABLE custom_attribute_definitions (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id             INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    attribute_display_name TEXT    NOT NULL,
    attribute_display_type TEXT    NOT NULL DEFAULT 'text' CHECK (attribute_display_type IN
        ('text', 'number', 'currency', 'percent', 'link', 'date', 'list', 'checkbox')),
    attribute_description  TEXT,
    attribute_key          TEXT    NOT NULL,
    regex_pattern          TEXT,
    regex_cue              TEXT,
    attribute_values       TEXT    NOT NULL DEFAULT '[]',
    attribute_model        TEXT    NOT NULL DEFAULT 'conversation_attribute' CHECK (attribute_model IN
        ('conversation_attribute', 'contact_attribute')),
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL
);
CREATE UNIQUE INDEX custom_attribute_definitions_key ON custom_attribute_definitions (account_id, attribute_model, attribute_key);

CREATE TABLE custom_filters (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL,
    name        TEXT    NOT NULL,
    filter_type TEXT    NOT NULL DEFAULT 'conversation' CHECK (filter_type IN ('conversation', 'contact', 'report')),
    query       TEXT    NOT NULL DEFAULT '{}',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    FOREIGN KEY (account_id, user_id) REFERENCES account_users (account_id, user_id) ON DELETE CASCADE
);
CREATE INDEX custom_filters_account_user ON custom_filters (account_id, user_id, filter_type);
