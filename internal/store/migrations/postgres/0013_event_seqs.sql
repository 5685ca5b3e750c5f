-- Event sequence numbers move out of events into event_seqs, and events wait for theirs in event_queue.
--
-- PostgreSQL numbers events after commit (store.SequenceEvents). With the number in events, each event
-- was written twice: inserted with seq NULL, then updated, and that update could never be HOT (seq is
-- indexed), so it wrote a second copy of the row, payload and all, and an entry in each of its indexes.
-- Turning that numbering off raised message creation by 9 % (criachat-load, 2026-12-05). Now an event is
-- written once and never changed: its insert adds a two-column row to event_queue, and the sequencer
-- moves those rows to event_seqs, numbered, in one statement.
--
-- A number is never changed or reused once given: event_seqs rows go only with their event, deleted
-- with it by store.PruneEvents and store.DeleteAccount. There is no foreign key to events: its check
-- would lock each event row as it is numbered, writing to the events table again.
CREATE TABLE event_seqs (
    event_id   BIGINT PRIMARY KEY,
    account_id BIGINT NOT NULL,
    seq        BIGINT NOT NULL
);
CREATE UNIQUE INDEX event_seqs_account_seq ON event_seqs (account_id, seq);

-- Events committed and not numbered yet (no key to events: an event pruned or deleted before its
-- number leaves a row that the sequencer drops).
CREATE TABLE event_queue (
    account_id BIGINT NOT NULL,
    event_id   BIGINT NOT NULL,
    PRIMARY KEY (account_id, event_id)
);

INSERT INTO event_seqs (event_id, account_id, seq) SELECT id, account_id, seq FROM events WHERE seq IS NOT NULL;
INSERT INTO event_queue (account_id, event_id) SELECT account_id, id FROM events WHERE seq IS NULL;
DROP INDEX events_account_seq;
DROP INDEX events_unsequenced;
ALTER TABLE events DROP COLUMN seq;

-- Payloads (about 2 KB of JSON each) are compressed with lz4 where the server has it: pglz took 2 % of
-- the machine's CPU while messages were created (perf, 2026-12-05).
DO $$
BEGIN
    ALTER TABLE events ALTER COLUMN payload SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    NULL; -- built without lz4: pglz stays
END
$$;
