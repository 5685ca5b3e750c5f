package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/criachat/criachat/internal/criachat"
)

// EventContext is what every payload about a conversation needs besides the
// conversation itself (reference §4.5): account and inbox names, the
// channel, the contact and contact inbox, and the unread count.
type EventContext struct {
	AccountName  string
	InboxName    string
	Channel      criachat.ChannelType
	Contact      *criachat.Contact
	ContactInbox *criachat.ContactInbox
	Unread       int
	// Destinations reports whether the conversation's events may have a
	// destination: the account has a webhook, or the inbox a callback URL or
	// a connected bot (an assigned bot is checked by the caller).
	Destinations bool
}

// The payload context's columns over accounts a, inboxes i, contacts ct and
// contact_inboxes ci; the unread count is the caller's.
var eventContextColumns = `a.name, i.name, i.channel_type, ` + strings.ReplaceAll(contactColumns, "c.", "ct.") + `, ` + contactInboxColumns

// eventDestinations is EventContext.Destinations over accounts a and inboxes i.
const eventDestinations = `(EXISTS (SELECT 1 FROM webhooks w WHERE w.account_id = a.id)
	OR COALESCE(i.webhook_url, '') <> ''
	OR EXISTS (SELECT 1 FROM agent_bot_inboxes b WHERE b.account_id = a.id AND b.inbox_id = i.id))`

// unreadLimit is where unread counts stop: what payloads show. The counts
// are range scans of the messages_incoming index (conversation, time) that
// stop there.
const unreadLimit = 10

// contextScan receives an EventContext's columns.
type contextScan struct {
	out     EventContext
	contact contactScan
	ci      contactInboxScan
}

func (s *contextScan) dest() []any {
	dest := append([]any{&s.out.AccountName, &s.out.InboxName, &s.out.Channel}, s.contact.dest()...)
	return append(append(dest, s.ci.dest()...), &s.out.Unread, &s.out.Destinations)
}

func (s *contextScan) context() *EventContext {
	out := s.out
	out.Contact, out.ContactInbox = s.contact.contact(), s.ci.contactInbox()
	return &out
}

// EventContextOf loads c's EventContext in one query: it runs inside the
// transaction of every change that records events, so it must be cheap.
func (q *Queries) EventContextOf(ctx context.Context, c *criachat.Conversation) (*EventContext, error) {
	var s contextScan
	err := q.scanOne(q.queryRow(ctx, `SELECT `+eventContextColumns+`,
		(SELECT COUNT(*) FROM (SELECT 1 FROM messages m WHERE m.conversation_id = ? AND m.message_type = 0
			AND m.created_at > ? LIMIT ?) unread), `+eventDestinations+`
		FROM accounts a JOIN inboxes i ON i.account_id = a.id AND i.id = ?
		JOIN contacts ct ON ct.account_id = a.id AND ct.id = ?
		JOIN contact_inboxes ci ON ci.account_id = a.id AND ci.id = ?
		WHERE a.id = ?`, c.ID, agentSeenMicros(c), unreadLimit, c.InboxID, c.ContactID, c.ContactInboxID, c.AccountID),
		"conversation context", s.dest()...)
	if err != nil {
		return nil, err
	}
	return s.context(), nil
}

// conversationInContextColumns and conversationInContextFrom are the query
// of ConversationInContext (its arguments: unreadLimit, account id, display
// id); other columns of c may go between them.
var conversationInContextColumns = conversationColumns + `, ` + eventContextColumns + `,
	(SELECT COUNT(*) FROM (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.message_type = 0
		AND m.created_at > COALESCE(c.agent_last_seen_at, 0) LIMIT ?) unread), ` + eventDestinations

const conversationInContextFrom = `
	FROM conversations c JOIN accounts a ON a.id = c.account_id
	JOIN inboxes i ON i.account_id = c.account_id AND i.id = c.inbox_id
	JOIN contacts ct ON ct.account_id = c.account_id AND ct.id = c.contact_id
	JOIN contact_inboxes ci ON ci.account_id = c.account_id AND ci.id = c.contact_inbox_id
	WHERE c.account_id = ? AND c.display_id = ?`

// ConversationInContext reads a conversation and its EventContext in one
// query, for a change that is about to add messages: call Added for each
// message it adds, so that the unread count stays what EventContextOf would
// read after them.
func (q *Queries) ConversationInContext(ctx context.Context, accountID, displayID int64) (*criachat.Conversation, *EventContext, error) {
	var c conversationScan
	var s contextScan
	err := q.scanOne(q.queryRow(ctx, `SELECT `+conversationInContextColumns+conversationInContextFrom, unreadLimit, accountID, displayID),
		"conversation", append(c.dest(), s.dest()...)...)
	if err != nil {
		return nil, nil, err
	}
	return c.conversation(), s.context(), nil
}

// MessageTarget is ConversationInContext read before the transaction that
// adds a message to the conversation, with ConversationForMessage's flood
// guard verdict and, on PostgreSQL, the id of that message reserved (0 on
// SQLite), so that the transaction has nothing left to read and runs as one
// statement (see lazyTx). Read before the transaction rather than in it, the
// conversation is as current as PostgreSQL's first statement in a READ
// COMMITTED transaction would see it: neither locks it.
func (q *Queries) MessageTarget(ctx context.Context, accountID, displayID int64, since time.Time, limit int) (*criachat.Conversation, *EventContext, bool, int64, error) {
	var c conversationScan
	var s contextScan
	var nth sql.NullInt64
	var id int64
	err := q.scanOne(q.queryRow(ctx, `SELECT `+conversationInContextColumns+`, `+floodGuardColumn+`, `+q.d.nextMessageID()+
		conversationInContextFrom, unreadLimit, max(limit, 1)-1, accountID, displayID),
		"conversation", append(append(c.dest(), s.dest()...), &nth, &id)...)
	if err != nil {
		return nil, nil, false, 0, err
	}
	return c.conversation(), s.context(), nth.Valid && nth.Int64 > micros(since), id, nil
}

// Added counts m, just added to conversation c, in the unread count as
// EventContextOf's query would.
func (ec *EventContext) Added(c *criachat.Conversation, m *criachat.Message) {
	if m.MessageType == criachat.MessageIncoming && micros(m.CreatedAt) > agentSeenMicros(c) && ec.Unread < unreadLimit {
		ec.Unread++
	}
}

// agentSeenMicros is when an agent last saw c, as stored (0 for never): the
// incoming messages after it are unread, in Go as in COALESCE(c.agent_last_seen_at, 0).
func agentSeenMicros(c *criachat.Conversation) int64 {
	if c.AgentLastSeenAt == nil {
		return 0
	}
	return micros(*c.AgentLastSeenAt)
}
