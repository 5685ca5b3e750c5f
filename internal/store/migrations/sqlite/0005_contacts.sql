-- Contacts (reference §3.4), their contact inboxes, labels and notes. Email,
-- phone number and identifier are NULL when unset, so each is unique per
-- account only when set; emails are stored lowercased, which makes their
-- uniqueness case-insensitive. Rows that belong to a contact reference it
-- together with its account (and contact inboxes their inbox too), so a row
-- can never join records of two tenants.

CREATE TABLE contacts (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id            INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name                  TEXT    NOT NULL DEFAULT '',
    email                 TEXT,
    phone_number          TEXT,
    identifier            TEXT,
    blocked               INTEGER NOT NULL DEFAULT 0,
    additional_attributes TEXT    NOT NULL DEFAULT '{}',
    custom_attributes     TEXT    NOT NULL DEFAULT '{}',
    contact_type          TEXT    NOT NULL DEFAULT 'visitor' CHECK (contact_type IN ('visitor', 'lead', 'customer')),
    last_activity_at      INTEGER,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL
);
CREATE UNIQUE INDEX contacts_account_id ON contacts (account_id, id);
CREATE UNIQUE INDEX contacts_account_email ON contacts (account_id, email);
CREATE UNIQUE INDEX contacts_account_phone_number ON contacts (account_id, phone_number);
CREATE UNIQUE INDEX contacts_account_identifier ON contacts (account_id, identifier);
CREATE INDEX contacts_account_last_activity ON contacts (account_id, last_activity_at);
CREATE INDEX contacts_account_created ON contacts (account_id, created_at);

-- Labels of a contact (Chatwoot's taggings): free titles, lowercased, in the
-- order they were set.
CREATE TABLE contact_labels (
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL,
    title      TEXT    NOT NULL,
    position   INTEGER NOT NULL,
    PRIMARY KEY (contact_id, title),
    FOREIGN KEY (account_id, contact_id) REFERENCES contacts (account_id, id) ON DELETE CASCADE
);
CREATE INDEX contact_labels_account_title ON contact_labels (account_id, title);

CREATE TABLE notes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL,
    user_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    content    TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    FOREIGN KEY (account_id, contact_id) REFERENCES contacts (account_id, id) ON DELETE CASCADE
);
CREATE INDEX notes_contact ON notes (contact_id, created_at);
CREATE INDEX notes_user ON notes (user_id);

-- A contact's identity in one inbox (Chatwoot's contact_inboxes): the
-- source_id is unique per inbox; pubsub_token names the contact's realtime
-- stream in the Client and Widget APIs.
CREATE TABLE contact_inboxes (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id    INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    contact_id    INTEGER NOT NULL,
    inbox_id      INTEGER NOT NULL,
    source_id     TEXT    NOT NULL,
    hmac_verified INTEGER NOT NULL DEFAULT 0,
    pubsub_token  TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    FOREIGN KEY (account_id, contact_id) REFERENCES contacts (account_id, id) ON DELETE CASCADE,
    FOREIGN KEY (account_id, inbox_id) REFERENCES inboxes (account_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX contact_inboxes_inbox_source ON contact_inboxes (inbox_id, source_id);
CREATE UNIQUE INDEX contact_inboxes_pubsub_token ON contact_inboxes (pubsub_token);
CREATE INDEX contact_inboxes_contact ON contact_inboxes (contact_id);
