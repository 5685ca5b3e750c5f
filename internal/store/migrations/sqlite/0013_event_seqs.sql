-- Event sequence numbers move out of events into event_seqs (see the PostgreSQL migration of the same
-- number for why): both databases then read the feed with the same statements. SQLite numbers events
-- when it writes them, so its event_queue stays empty; it exists so that the statements that read or
-- clear the queue are the same on both.
CREATE TABLE event_seqs (
    event_id   INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL,
    seq        INTEGER NOT NULL
);
CREATE UNIQUE INDEX event_seqs_account_seq ON event_seqs (account_id, seq);

CREATE TABLE event_queue (
    account_id INTEGER NOT NULL,
    event_id   INTEGER NOT NULL,
    PRIMARY KEY (account_id, event_id)
) WITHOUT ROWID;

INSERT INTO event_seqs (event_id, account_id, seq) SELECT id, account_id, seq FROM events WHERE seq IS NOT NULL;
INSERT INTO event_queue (account_id, event_id) SELECT account_id, id FROM events WHERE seq IS NULL;
DROP INDEX events_account_seq;
DROP INDEX events_unsequenced;
ALTER TABLE events DROP COLUMN seq;
