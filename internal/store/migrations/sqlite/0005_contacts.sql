-- Contacts (reference §3.4), their labels and notes. Email, phone number and
-- identifier are NULL when unset, so each is unique per account only when set;
-- emails are stored lowercased, which makes their uniqueness case-insensitive.

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
CREATE UNIQUE INDEX contacts_account_email ON contacts (account_id, email);
CREATE UNIQUE INDEX contacts_account_phone_number ON contacts (account_id, phone_number);
CREATE UNIQUE INDEX contacts_account_identifier ON contacts (account_id, identifier);
CREATE INDEX contacts_account_last_activity ON contacts (account_id, last_activity_at);
CREATE INDEX contacts_account_created ON contacts (account_id, created_at);

-- Labels of a contact (Chatwoot's taggings): free titles, lowercased, in the
-- order they were set.
CREATE TABLE contact_labels (
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    title      TEXT    NOT NULL,
    position   INTEGER NOT NULL,
    PRIMARY KEY (contact_id, title)
);
CREATE INDEX contact_labels_account_title ON contact_labels (account_id, title);

CREATE TABLE notes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    user_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    content    TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX notes_contact ON notes (contact_id, created_at);
CREATE INDEX notes_user ON notes (user_id);
