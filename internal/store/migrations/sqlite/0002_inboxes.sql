-- Inboxes and their members. One table holds every inbox with the columns of
-- the channels CriaChat implements (Chatwoot keeps one table per channel type);
-- the columns of the other channel type stay at their defaults.
-- hmac_token and secret are stored sealed (AES-GCM with the installation key),
-- never in plaintext; inbox_identifier and website_token are public lookup keys.
-- JSON documents are TEXT here and JSONB on PostgreSQL.

CREATE TABLE inboxes (
    id                            INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id                    INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name                          TEXT    NOT NULL,
    channel_type                  TEXT    NOT NULL CHECK (channel_type IN ('Channel::Api', 'Channel::WebWidget')),
    greeting_enabled              INTEGER NOT NULL DEFAULT 0,
    greeting_message              TEXT,
    enable_email_collect          INTEGER NOT NULL DEFAULT 1,
    csat_survey_enabled           INTEGER NOT NULL DEFAULT 0,
    csat_config                   TEXT    NOT NULL DEFAULT '{}',
    enable_auto_assignment        INTEGER NOT NULL DEFAULT 1,
    auto_assignment_config        TEXT    NOT NULL DEFAULT '{}',
    working_hours_enabled         INTEGER NOT NULL DEFAULT 0,
    out_of_office_message         TEXT,
    working_hours                 TEXT    NOT NULL DEFAULT '[]',
    timezone                      TEXT    NOT NULL DEFAULT 'UTC',
    allow_messages_after_resolved INTEGER NOT NULL DEFAULT 1,
    lock_to_single_conversation   INTEGER NOT NULL DEFAULT 0,
    sender_name_type              TEXT    NOT NULL DEFAULT 'friendly' CHECK (sender_name_type IN ('friendly', 'professional')),
    business_name                 TEXT,
    -- Both channels.
    hmac_token_sealed             TEXT    NOT NULL,
    hmac_mandatory                INTEGER NOT NULL DEFAULT 0,
    -- API channel.
    inbox_identifier              TEXT,
    secret_sealed                 TEXT    NOT NULL DEFAULT '',
    webhook_url                   TEXT,
    additional_attributes         TEXT    NOT NULL DEFAULT '{}',
    -- Web widget channel.
    website_token                 TEXT,
    website_url                   TEXT    NOT NULL DEFAULT '',
    widget_color                  TEXT    NOT NULL DEFAULT '#1f93ff',
    welcome_title                 TEXT,
    welcome_tagline               TEXT,
    reply_time                    TEXT    NOT NULL DEFAULT 'in_a_few_minutes' CHECK (reply_time IN ('in_a_few_minutes', 'in_a_few_hours', 'in_a_day')),
    pre_chat_form_enabled         INTEGER NOT NULL DEFAULT 0,
    pre_chat_form_options         TEXT    NOT NULL DEFAULT '{}',
    continuity_via_email          INTEGER NOT NULL DEFAULT 1,
    allowed_domains               TEXT    NOT NULL DEFAULT '',
    feature_flags                 TEXT    NOT NULL DEFAULT '[]',
    created_at                    INTEGER NOT NULL,
    updated_at                    INTEGER NOT NULL
);
-- (account_id, id) is unique so that rows of other tables can reference an
-- inbox together with its account: a row can never point at another tenant's inbox.
CREATE UNIQUE INDEX inboxes_account_id ON inboxes (account_id, id);
CREATE UNIQUE INDEX inboxes_inbox_identifier ON inboxes (inbox_identifier);
CREATE UNIQUE INDEX inboxes_website_token ON inboxes (website_token);

-- An inbox member must be a member of the inbox's account: removing a user
-- from the account (or deleting the inbox) removes their inbox memberships.
CREATE TABLE inbox_members (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    inbox_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    FOREIGN KEY (account_id, inbox_id) REFERENCES inboxes (account_id, id) ON DELETE CASCADE,
    FOREIGN KEY (account_id, user_id) REFERENCES account_users (account_id, user_id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX inbox_members_inbox_user ON inbox_members (inbox_id, user_id);
CREATE INDEX inbox_members_account_user ON inbox_members (account_id, user_id);
