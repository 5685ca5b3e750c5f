package store

import (
	"context"

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

// EventContextOf loads c's EventContext in one query: it runs inside the
// transaction of every change that records events, so it must be cheap.
func (q *Queries) EventContextOf(ctx context.Context, c *criachat.Conversation) (*EventContext, error) {
	var out EventContext
	var contact contactScan
	var ci contactInboxScan
	seen := int64(0)
	if c.AgentLastSeenAt != nil {
		seen = micros(*c.AgentLastSeenAt)
	}
	dest := append([]any{&out.AccountName, &out.InboxName, &out.Channel}, contact.dest()...)
	dest = append(append(dest, ci.dest()...), &out.Unread, &out.Destinations)
	// The unread count stops at 10 (what payloads show) so that it never
	// walks a long conversation.
	err := q.scanOne(q.queryRow(ctx, `SELECT a.name, i.name, i.channel_type, `+contactColumns+`, `+contactInboxColumns+`,
		(SELECT COUNT(*) FROM (SELECT 1 FROM messages m WHERE m.conversation_id = ? AND m.message_type = 0
			AND m.created_at > ? ORDER BY m.id DESC LIMIT 10) unread),
		(EXISTS (SELECT 1 FROM webhooks w WHERE w.account_id = a.id)
			OR COALESCE(i.webhook_url, '') <> ''
			OR EXISTS (SELECT 1 FROM agent_bot_inboxes b WHERE b.account_id = a.id AND b.inbox_id = i.id))
		FROM accounts a JOIN inboxes i ON i.account_id = a.id AND i.id = ?
		JOIN contacts c ON c.account_id = a.id AND c.id = ?
		JOIN contact_inboxes ci ON ci.account_id = a.id AND ci.id = ?
		WHERE a.id = ?`, c.ID, seen, c.InboxID, c.ContactID, c.ContactInboxID, c.AccountID), "conversation context", dest...)
	if err != nil {
		return nil, err
	}
	out.Contact, out.ContactInbox = contact.contact(), ci.contactInbox()
	return &out, nil
}
