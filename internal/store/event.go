package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/secret"
)

// EventRoute is what AppendEvent needs to know about an event's possible
// destinations beyond its account and inbox.
type EventRoute struct {
	AssigneeBotID int64 // the conversation's assigned agent bot, 0 for none
	// Undeliverable says that no destination can want the event (the
	// account has no webhook, and the inbox no callback and no bot), as
	// EventContext reported in the same transaction.
	Undeliverable bool
}

// AppendEvent records e in the current transaction: see AppendEvents.
func (q *Queries) AppendEvent(ctx context.Context, e *criachat.Event, route EventRoute) error {
	return q.AppendEvents(ctx, []*criachat.Event{e}, route)
}

// maxEventRows bounds the rows of one events INSERT, so that the statement
// texts (one per row count, each prepared once) stay few.
const maxEventRows = 16

// AppendEvents records events of one account, in order, in the current
// transaction: it stores them (numbered at once on SQLite, later on
// PostgreSQL: see SequenceEvents and dialect.numbersEventsAtWrite) with as
// few statements as it can, and writes one pending delivery per destination
// of each (reference §4.3): the account webhooks subscribed to its type; for
// inbox events, the API channel's webhook_url; for agent-bot events, the
// outgoing_url of the inbox's active bot and of the conversation's assigned
// bot (route.AssigneeBotID, 0 for none).
func (q *Queries) AppendEvents(ctx context.Context, events []*criachat.Event, route EventRoute) error {
	if len(events) == 0 {
		return nil
	}
	now := q.now().UTC().Truncate(timePrecision)
	for _, e := range events {
		if e.AccountID != events[0].AccountID {
			return fmt.Errorf("append events: events of accounts %d and %d in one call", events[0].AccountID, e.AccountID)
		}
		if e.CreatedAt.IsZero() {
			e.CreatedAt = now
		}
		if e.UUID == "" {
			e.UUID = secret.NewUUID()
		}
	}
	if q.queue != nil {
		// Payloads left to render (Event.Body) are rendered by the caller's
		// goroutine once its work is done (groupCommitter.commit).
		q.queue.items = append(q.queue.items, queuedEvents{events: events, route: route})
		return nil
	}
	if _, err := q.storeEvents(ctx, events); err != nil {
		return err
	}
	return q.enqueueAllDeliveries(ctx, events, route)
}

// renderPayloads renders the payloads left as Event.Body.
func renderPayloads(events []*criachat.Event) error {
	for _, e := range events {
		if err := e.Render(); err != nil {
			return err
		}
	}
	return nil
}

// eventQueue holds the events of a shared SQLite transaction until the end of
// its batch (groupCommitter.commit), which writes them all with a few
// statements: the events of one caller are dropped with its savepoint when
// it fails, and nothing reads an event back in the transaction that wrote it.
type eventQueue struct {
	items []queuedEvents
}

type queuedEvents struct {
	events []*criachat.Event
	route  EventRoute
}

// writeQueuedEvents writes the queue: the events of each account with one
// sequence update and as few INSERTs as the row cap allows, then their
// deliveries. An account deleted later in the same transaction takes its
// events with it, as the cascade would have.
func (q *Queries) writeQueuedEvents(ctx context.Context, queue *eventQueue) error {
	var accounts []int64
	byAccount := map[int64][]*criachat.Event{}
	for _, it := range queue.items {
		id := it.events[0].AccountID
		if _, ok := byAccount[id]; !ok {
			accounts = append(accounts, id)
		}
		byAccount[id] = append(byAccount[id], it.events...)
	}
	gone := map[int64]bool{}
	for _, id := range accounts {
		stored, err := q.storeEvents(ctx, byAccount[id])
		if err != nil {
			return err
		}
		gone[id] = !stored
	}
	for _, it := range queue.items {
		if !gone[it.events[0].AccountID] {
			if err := q.enqueueAllDeliveries(ctx, it.events, it.route); err != nil {
				return err
			}
		}
	}
	queue.items = queue.items[:0]
	return nil
}

// storeEvents numbers (on SQLite) and inserts events of one account, and
// sets their ids; false when the account no longer exists (SQLite only).
func (q *Queries) storeEvents(ctx context.Context, events []*criachat.Event) (bool, error) {
	if err := renderPayloads(events); err != nil { // those not rendered yet
		return false, err
	}
	if q.d.numbersEventsAtWrite() {
		var last int64
		err := q.queryRow(ctx, `UPDATE accounts SET event_seq = event_seq + ? WHERE id = ? RETURNING event_seq`,
			len(events), events[0].AccountID).Scan(&last)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		} else if err != nil {
			return false, q.d.translate(err)
		}
		for i, e := range events {
			e.Seq = last - int64(len(events)-1-i)
		}
	}
	for rest := events; len(rest) > 0; {
		n := min(len(rest), maxEventRows)
		if err := q.insertEvents(ctx, rest[:n]); err != nil {
			return false, err
		}
		rest = rest[n:]
	}
	return true, nil
}

// enqueueAllDeliveries writes the pending deliveries of events.
func (q *Queries) enqueueAllDeliveries(ctx context.Context, events []*criachat.Event, route EventRoute) error {
	if route.Undeliverable {
		return nil // no destination can want them: skip the destinations statement
	}
	for _, e := range events {
		if err := q.enqueueDeliveries(ctx, e, route); err != nil {
			return err
		}
	}
	return nil
}

// insertEvents inserts events in one statement and sets their ids, then
// numbers them (numberEvents). Where the store reserves event ids
// (PostgreSQL: see eventIDs) the statements read nothing back and are held
// with the transaction's other writes; otherwise RETURNING gives the ids,
// its rows matched by uuid (neither database promises their order).
func (q *Queries) insertEvents(ctx context.Context, events []*criachat.Event) error {
	reserved := q.eventIDs != nil
	if reserved {
		ids, err := q.eventIDs.take(ctx, q, len(events))
		if err != nil {
			return err
		}
		for i, e := range events {
			e.ID = ids[i]
		}
	}
	var b strings.Builder
	b.WriteString(`INSERT INTO events (account_id, uuid, type, inbox_id, conversation_id, message_id, contact_id, payload, created_at`)
	row := "(?, ?, ?, ?, ?, ?, ?, ?, ?"
	if reserved {
		b.WriteString(", id")
		row += ", ?"
	}
	b.WriteString(") VALUES " + valueRows(len(events), row+")"))
	args := make([]any, 0, 10*len(events))
	for _, e := range events {
		args = append(args, e.AccountID, e.UUID, e.Type, nullable(e.InboxID), nullable(e.ConversationID),
			nullable(e.MessageID), nullable(e.ContactID), string(e.Payload), micros(e.CreatedAt))
		if reserved {
			args = append(args, e.ID)
		}
	}
	if reserved {
		if err := q.execLater(ctx, laterWrite{table: "events"}, b.String(), args...); err != nil {
			return err
		}
		return q.numberEvents(ctx, events)
	}
	byUUID := make(map[string]*criachat.Event, len(events))
	for _, e := range events {
		byUUID[e.UUID] = e
	}
	b.WriteString(" RETURNING id, uuid")
	if err := q.readEventIDs(ctx, byUUID, b.String(), args); err != nil {
		return err
	}
	return q.numberEvents(ctx, events)
}

// readEventIDs runs an events INSERT … RETURNING id, uuid and sets the ids.
func (q *Queries) readEventIDs(ctx context.Context, byUUID map[string]*criachat.Event, query string, args []any) error {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var uuid string
		if err := rows.Scan(&id, &uuid); err != nil {
			return q.d.translate(err)
		}
		if e := byUUID[uuid]; e != nil {
			e.ID = id
		}
	}
	return q.d.translate(rows.Err())
}

// numberEvents gives just-inserted events their sequence numbers where
// they are numbered at write (SQLite: Seq is set), and otherwise queues
// them for SequenceEvents (PostgreSQL), as a held write.
func (q *Queries) numberEvents(ctx context.Context, events []*criachat.Event) error {
	args := make([]any, 0, 3*len(events))
	if q.d.numbersEventsAtWrite() {
		for _, e := range events {
			args = append(args, e.ID, e.AccountID, e.Seq)
		}
		return q.execLater(ctx, laterWrite{table: "event_seqs"}, `INSERT INTO event_seqs (event_id, account_id, seq) VALUES `+
			valueRows(len(events), "(?, ?, ?)"), args...)
	}
	for _, e := range events {
		args = append(args, e.AccountID, e.ID)
	}
	return q.execLater(ctx, laterWrite{table: "event_queue"}, `INSERT INTO event_queue (account_id, event_id) VALUES `+
		valueRows(len(events), "(?, ?)"), args...)
}

// valueRows is n rows of a VALUES list.
func valueRows(n int, row string) string {
	return strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}

// deliveriesWritten notes that n webhook deliveries were written.
func (q *Queries) deliveriesWritten(n int64) {
	if n > 0 {
		q.enqueuedDeliveries()
	}
}

// enqueueDeliveries writes e's pending deliveries (see AppendEvents).
func (q *Queries) enqueueDeliveries(ctx context.Context, e *criachat.Event, route EventRoute) error {
	var inboxID int64
	if e.InboxID != nil {
		inboxID = *e.InboxID
	}
	toInbox := inboxID != 0 && criachat.APIInboxEvents.Has(e.Type)
	toBots := inboxID != 0 && criachat.AgentBotEvents.Has(e.Type)
	at := micros(e.CreatedAt)
	// One statement for every destination; each branch is switched on or off
	// by a parameter so that the text stays constant (and prepared).
	err := q.execLater(ctx, laterWrite{table: "webhook_deliveries", sent: q.deliveriesWritten}, `INSERT INTO webhook_deliveries (account_id, event_id, event_type, target_type, target_id, url,
			state, next_attempt_at, created_at, updated_at)
		SELECT w.account_id, CAST(? AS BIGINT), CAST(? AS TEXT), 'webhook', w.id, w.url, 'pending', CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT)
			FROM webhooks w WHERE w.account_id = ? AND (w.subscription_mask & ?) <> 0
		UNION ALL
		SELECT i.account_id, CAST(? AS BIGINT), CAST(? AS TEXT), 'api_inbox', i.id, i.webhook_url, 'pending', CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT)
			FROM inboxes i WHERE ? = 1 AND i.account_id = ? AND i.id = ? AND i.channel_type = 'Channel::Api'
			AND i.webhook_url IS NOT NULL AND i.webhook_url <> ''
		UNION ALL
		SELECT b.account_id, CAST(? AS BIGINT), CAST(? AS TEXT), 'agent_bot', b.id, b.outgoing_url, 'pending', CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT)
			FROM agent_bots b WHERE ? = 1 AND b.account_id = ? AND b.outgoing_url IS NOT NULL AND b.outgoing_url <> ''
			AND (b.id = ? OR b.id IN (SELECT agent_bot_id FROM agent_bot_inboxes WHERE account_id = ? AND inbox_id = ?))`,
		e.ID, e.Type, at, at, at, e.AccountID, e.Type.Bit(),
		e.ID, e.Type, at, at, at, flag(toInbox), e.AccountID, inboxID,
		e.ID, e.Type, at, at, at, flag(toBots), e.AccountID, route.AssigneeBotID, e.AccountID, inboxID)
	return q.d.translate(err)
}

// sequenceBatch bounds how many events one SequenceEvents transaction numbers.
const sequenceBatch = 1000

// SequenceEvents gives the account's queued events (event_queue: committed,
// not numbered yet) their sequence numbers, in id order, continuing
// accounts.event_seq; it takes at most sequenceBatch. Numbering happens
// here, after the events' transactions committed, and never at write time,
// so that writers do not queue on the account's counter; the account row is
// locked only by concurrent sequencers. An event that commits later gets a
// later number, so a feed reader that resumes after the last number it saw
// misses nothing. It reports how many queued events it took (numbered, or
// dropped when gone). PostgreSQL only: SQLite numbers events as it writes
// them and never queues any.
func (q *Queries) SequenceEvents(ctx context.Context, accountID int64) (int, error) {
	// A no-op update locks the account row against other sequencers only: on
	// PostgreSQL it takes FOR NO KEY UPDATE, which does not wait for the
	// KEY SHARE locks that writers' foreign keys hold (SELECT … FOR UPDATE
	// would, and would then hold up every new writer of the account).
	var base int64
	err := q.queryRow(ctx, `UPDATE accounts SET event_seq = event_seq WHERE id = ? RETURNING event_seq`, accountID).Scan(&base)
	if errors.Is(err, sql.ErrNoRows) {
		// The account is gone, and its events with it: drop what it queued.
		_, err = q.exec(ctx, `DELETE FROM event_queue WHERE account_id = ?`, accountID)
		return 0, err
	} else if err != nil {
		return 0, q.d.translate(err)
	}
	// One statement moves the batch from the queue to event_seqs, numbered
	// (a statement per event cost PostgreSQL a round trip and an executor
	// start each: 16 % of message creation's throughput, measured with
	// criachat-load). Queued events that are gone (pruned) get no number.
	// The batch is a range of the queue's key, its end read once (an
	// InitPlan): with "event_id IN (… LIMIT n)" the planner, which cannot
	// know how full the queue is, rescanned that subquery for every queued
	// row (6.5 s for 20,000).
	var taken, numbered int
	err = q.queryRow(ctx, `WITH batch AS (
			DELETE FROM event_queue WHERE account_id = ? AND event_id <= (SELECT MAX(event_id) FROM (
				SELECT event_id FROM event_queue WHERE account_id = ? ORDER BY event_id LIMIT ?) first)
			RETURNING event_id),
		numbered AS (
			INSERT INTO event_seqs (event_id, account_id, seq)
			SELECT b.event_id, ?, ? + ROW_NUMBER() OVER (ORDER BY b.event_id) FROM batch b JOIN events e ON e.id = b.event_id
			RETURNING 1)
		SELECT (SELECT COUNT(*) FROM batch), (SELECT COUNT(*) FROM numbered)`,
		accountID, accountID, sequenceBatch, accountID, base).Scan(&taken, &numbered)
	if err != nil || numbered == 0 {
		return taken, q.d.translate(err)
	}
	_, err = q.exec(ctx, `UPDATE accounts SET event_seq = event_seq + ? WHERE id = ?`, numbered, accountID)
	return taken, err
}

// UnsequencedAccounts lists the accounts that have queued events (the
// background sequencer's work list). It hops from account to account along
// the queue's key (one probe each) instead of reading it all: under load a
// DISTINCT over the thousands waiting took 18 ms every 2 s
// (pg_stat_statements, 2026-12-05).
func (q *Queries) UnsequencedAccounts(ctx context.Context) ([]int64, error) {
	return q.int64Column(ctx, `WITH RECURSIVE a (id) AS (
			SELECT MIN(account_id) FROM event_queue
			UNION ALL
			SELECT (SELECT MIN(account_id) FROM event_queue WHERE account_id > a.id) FROM a WHERE a.id IS NOT NULL)
		SELECT id FROM a WHERE id IS NOT NULL`)
}

// SequenceEvents numbers all of an account's queued events, in batches of
// separate transactions. The events feed calls it before reading, so it
// always shows every committed event.
func (s *Store) SequenceEvents(ctx context.Context, accountID int64) error {
	for {
		var pending bool
		err := s.Read().queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM event_queue WHERE account_id = ?)`, accountID).Scan(&pending)
		if err != nil || !pending {
			return err
		}
		n := 0
		if err := s.Tx(ctx, func(q *Queries) (err error) {
			n, err = q.SequenceEvents(ctx, accountID)
			return err
		}); err != nil || n < sequenceBatch {
			return err
		}
	}
}

func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}

// eventColumns are the columns of events e and event_seqs s that scanEvents reads.
const eventColumns = `e.id, e.account_id, s.seq, e.uuid, e.type, e.inbox_id, e.conversation_id, e.message_id, e.contact_id,
	e.payload, e.created_at`

func scanEvents(rows *sql.Rows, err error) ([]*criachat.Event, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*criachat.Event
	for rows.Next() {
		var e criachat.Event
		var seq, inbox, conv, msg, contact sql.NullInt64
		var payload string
		var created int64
		if err := rows.Scan(&e.ID, &e.AccountID, &seq, &e.UUID, &e.Type, &inbox, &conv, &msg, &contact, &payload, &created); err != nil {
			return nil, err
		}
		e.Seq = seq.Int64 // 0 until SequenceEvents numbers it
		e.InboxID, e.ConversationID, e.MessageID, e.ContactID = optInt(inbox), optInt(conv), optInt(msg), optInt(contact)
		e.Payload, e.CreatedAt = []byte(payload), fromMicros(created)
		out = append(out, &e)
	}
	return out, rows.Err()
}

// EventsFilter selects events of the feed.
type EventsFilter struct {
	After int64                // sequence number last seen (0: from the oldest kept)
	Limit int                  // 1..1000
	Types []criachat.EventType // empty: every type
}

// Events returns an account's events after a sequence number, in sequence order.
func (q *Queries) Events(ctx context.Context, accountID int64, f EventsFilter) ([]*criachat.Event, error) {
	types := make([]string, len(f.Types))
	for i, t := range f.Types {
		types[i] = string(t)
	}
	return scanEvents(q.query(ctx, `SELECT `+eventColumns+` FROM event_seqs s JOIN events e ON e.id = s.event_id
		WHERE s.account_id = ? AND s.seq > ? AND (? = 0 OR e.type IN (`+q.d.textSet()+`)) ORDER BY s.seq LIMIT ?`,
		accountID, f.After, len(types), jsonList(types), f.Limit))
}

// Event returns one event of an account.
func (q *Queries) Event(ctx context.Context, accountID, id int64) (*criachat.Event, error) {
	list, err := scanEvents(q.query(ctx, `SELECT `+eventColumns+` FROM events e LEFT JOIN event_seqs s ON s.event_id = e.id
		WHERE e.account_id = ? AND e.id = ?`, accountID, id))
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, criachat.Errorf(criachat.ENOTFOUND, "event not found")
	}
	return list[0], nil
}

// PruneEvents deletes up to limit events older than before, with their
// numbers, deliveries and attempts, except events that still have a pending
// delivery. It reports how many events went; callers loop (in separate
// transactions) until it is below limit, so that no one transaction holds
// the writer long.
func (q *Queries) PruneEvents(ctx context.Context, before time.Time, limit int) (int64, error) {
	ids, err := q.int64Column(ctx, `DELETE FROM events WHERE id IN (SELECT e.id FROM events e WHERE e.created_at < ? AND NOT EXISTS (
		SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id AND d.state = 'pending') LIMIT ?) RETURNING id`, micros(before), limit)
	if err != nil || len(ids) == 0 {
		return 0, q.d.translate(err)
	}
	// event_seqs has no foreign key to events (migration 0013).
	if _, err := q.exec(ctx, `DELETE FROM event_seqs WHERE event_id IN (`+q.d.idSet()+`)`, jsonList(ids)); err != nil {
		return 0, err
	}
	return int64(len(ids)), nil
}
