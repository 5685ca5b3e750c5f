-- Messages, events and webhook deliveries no longer check their account by a foreign key.
--
-- A foreign key check locks the referenced row (FOR KEY SHARE), and every message, event and delivery
-- of an account names the same account row: each concurrent writer added itself to that row's lock
-- (a new MultiXact per writer, a WAL record per lock). Measured with pgbench, 16 clients inserting
-- events: 12,200 inserts/s with the key, 14,100 without.
--
-- Nothing is left unchecked or behind:
-- * messages keep their key to (account_id, conversation_id) of conversations, whose own key to
--   accounts cascades: the account of a message exists, and its deletion still deletes it;
-- * events (and their deliveries and attempts, by cascade from events) are deleted by
--   store.DeleteAccount after the account, in the same transaction, which by then has waited for
--   every transaction still writing to the account's rows;
-- * a delivery's account is its event's.
-- SQLite, which takes no such locks, keeps the keys.
ALTER TABLE messages DROP CONSTRAINT messages_account_id_fkey;
ALTER TABLE events DROP CONSTRAINT events_account_id_fkey;
ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_account_id_fkey;
