-- New messages are full-text indexed once per write transaction instead of once per message.
--
-- SQLite write transactions are shared by concurrent callers (store.groupCommitter), each inside its own
-- savepoint, and FTS5 writes its pending index data out as a new segment at every savepoint: indexing
-- in the insert trigger made one small segment (and later merges) per message. The insert trigger now
-- only queues the message; the group committer indexes the queue at the end of the transaction, outside
-- the savepoints, before it commits, so a search never misses a committed message. The update and
-- delete triggers leave a queued message to the queue (the index does not hold it yet).
CREATE TABLE messages_fts_pending (
    message_id INTEGER PRIMARY KEY
);

DROP TRIGGER messages_fts_insert;
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts_pending (message_id) VALUES (new.id);
END;

DROP TRIGGER messages_fts_delete;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content) SELECT 'delete', old.id, old.content
        WHERE NOT EXISTS (SELECT 1 FROM messages_fts_pending WHERE message_id = old.id);
    DELETE FROM messages_fts_pending WHERE message_id = old.id;
END;

DROP TRIGGER messages_fts_update;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages
    WHEN NOT EXISTS (SELECT 1 FROM messages_fts_pending WHERE message_id = old.id) BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
    INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);
END;
