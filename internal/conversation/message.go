package conversation

import (
	"context"
	"time"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/event"
	"github.com/criachat/criachat/internal/store"
)

// MessageParams are the inputs of POST …/messages (reference §3.6).
type MessageParams struct {
	Content           string
	MessageType       string // incoming | outgoing (default) | template
	ContentType       string
	ContentAttributes map[string]any
	Private           bool
	SourceID          string
	EchoID            string
	// Attachments are files already in the file store; their rows are
	// written with the message, in its transaction (at most MaxAttachments).
	Attachments []*criachat.Attachment
}

// MessageTarget is the conversation a message is about to be added to, read
// with what the flood guard needs (see LoadMessageTarget).
type MessageTarget struct {
	Conversation *criachat.Conversation
	flooded      bool // it has had the per-minute limit of messages in the last minute
	// context is the conversation's payload context, read with it when the
	// store holds writes (nil: CreateMessage reads both again in its
	// transaction); messageID is then the id reserved for the message.
	context   *store.EventContext
	messageID int64
}

// LoadMessageTarget reads a conversation for CreateMessage on the read pool,
// with the flood guard's verdict from the same query: it is a rate limit,
// not an invariant, so it need not be read in the write transaction. Where
// the store holds writes (PostgreSQL), the same query reads everything the
// message's transaction needs and reserves the message's id, so that the
// transaction is a single statement (store.Store.HoldsWrites).
func (s *Service) LoadMessageTarget(ctx context.Context, accountID, displayID int64) (MessageTarget, error) {
	since := s.now().Add(-time.Minute)
	if s.store.HoldsWrites() {
		c, ec, flooded, id, err := s.store.Read().MessageTarget(ctx, accountID, displayID, since, s.messagesPerMinute)
		return MessageTarget{Conversation: c, flooded: flooded, context: ec, messageID: id}, err
	}
	c, flooded, err := s.store.Read().ConversationForMessage(ctx, accountID, displayID, since, s.messagesPerMinute)
	return MessageTarget{Conversation: c, flooded: flooded}, err
}

// CreateMessage adds a message to a conversation (reference §3.6, §6.2). The
// caller has loaded the target (and checked access to it); the conversation
// is read again inside the write transaction unless the target holds its
// payload context.
func (s *Service) CreateMessage(ctx context.Context, a Actor, t MessageTarget, p MessageParams) (*criachat.Conversation, *criachat.Message, error) {
	pre := t.Conversation
	if t.flooded {
		// Chatwoot's flood guard (CONVERSATION_MESSAGE_PER_MINUTE_LIMIT).
		return nil, nil, criachat.Errorf(criachat.EINVALID, "Validation failed: Too many messages")
	}
	accountID, displayID := pre.AccountID, pre.DisplayID
	var conv *criachat.Conversation
	var msg *criachat.Message
	// The inbox's channel type never changes: it is read (once, then
	// cached) outside the write transaction.
	channel, err := s.channelType(ctx, s.store.Read(), accountID, pre.InboxID)
	if err != nil {
		return nil, nil, err
	}
	err = s.store.Tx(ctx, func(q *store.Queries) (err error) {
		c, ec := pre, t.context
		if ec == nil {
			if c, ec, err = q.ConversationInContext(ctx, accountID, displayID); err != nil {
				return err
			}
		}
		conv = c
		msg, err = s.addMessage(ctx, q, a, c, ec, channel, p, true, t.messageID)
		return err
	})
	return conv, msg, err
}

// addMessage writes a message and its effects on the conversation: incoming
// messages reopen it (not when muted) and start the wait; a user's public
// reply ends the wait and may be the first reply; last activity moves.
//
// ec, when given, is c's payload context read with c (nil: the events read
// it). final says that the transaction changes nothing of c or the message
// after this call (event.Known.Final). id is the id reserved for the
// message, 0 for none (store.Queries.MessageTarget).
func (s *Service) addMessage(ctx context.Context, q *store.Queries, a Actor, c *criachat.Conversation, ec *store.EventContext, channel criachat.ChannelType, p MessageParams, final bool, id int64) (*criachat.Message, error) {
	mt := criachat.MessageOutgoing
	if p.MessageType != "" {
		t, ok := criachat.ParseMessageType(p.MessageType)
		if !ok || t == criachat.MessageActivity {
			return nil, criachat.Errorf(criachat.EINVALID, "Validation failed: Message type is not included in the list")
		}
		mt = t
	}
	if mt == criachat.MessageIncoming && channel != criachat.ChannelAPI {
		return nil, criachat.Errorf(criachat.EINVALID, "Incoming messages are only allowed in Api inboxes")
	}
	if len(p.Attachments) > criachat.MaxAttachments {
		return nil, criachat.Errorf(criachat.EINVALID, "Validation failed: Attachments exceeded maximum allowed")
	}
	before := event.Snapshot(c)
	m := &criachat.Message{
		ID: id, AccountID: c.AccountID, InboxID: c.InboxID, ConversationID: c.ID, MessageType: mt, Content: p.Content,
		ContentType: p.ContentType, ContentAttributes: p.ContentAttributes, Private: p.Private, SourceID: p.SourceID, EchoID: p.EchoID,
	}
	if mt == criachat.MessageOutgoing && a.User != nil {
		id := a.User.ID
		m.SenderType, m.SenderID = criachat.OwnerUser, &id
	} else if mt == criachat.MessageOutgoing && a.Bot != nil {
		id := a.Bot.ID
		m.SenderType, m.SenderID = criachat.OwnerAgentBot, &id
	} else if mt != criachat.MessageOutgoing {
		id := c.ContactID
		m.SenderType, m.SenderID = "Contact", &id
	}
	if err := q.CreateMessage(ctx, m); err != nil {
		return nil, err
	}
	for _, at := range p.Attachments {
		at.AccountID, at.MessageID = m.AccountID, m.ID
		if err := q.CreateAttachment(ctx, at); err != nil {
			return nil, err
		}
	}
	m.Attachments = p.Attachments
	if ec != nil {
		ec.Added(c, m)
	}
	reopened := false
	switch {
	case mt == criachat.MessageIncoming:
		contact, err := s.contactOf(ctx, q, c, ec)
		if err != nil {
			return nil, err
		}
		pending, err := reopensPending(ctx, q, c)
		if err != nil {
			return nil, err
		}
		next := criachat.StatusAfterIncoming(c.Status, contact.Blocked, pending)
		reopened = next != c.Status
		if reopened {
			c.Status, c.SnoozedUntil = next, nil
		}
		if c.WaitingSince == nil {
			c.WaitingSince = &m.CreatedAt
		}
	case mt == criachat.MessageOutgoing && !m.Private && m.SenderType == criachat.OwnerUser:
		c.WaitingSince = nil
		if c.FirstReplyCreatedAt == nil {
			c.FirstReplyCreatedAt = &m.CreatedAt
		}
	case mt == criachat.MessageOutgoing && !m.Private && m.SenderType == criachat.OwnerAgentBot:
		c.WaitingSince = nil // a bot's reply ends the wait but is no first reply
	}
	c.LastActivityAt = m.CreatedAt
	update := q.TouchConversation
	if reopened {
		update = q.UpdateConversation
	}
	if err := update(ctx, c); err != nil {
		return nil, err
	}
	if reopened {
		if err := s.activity(ctx, q, c, criachat.ActivitySystemReopen); err != nil {
			return nil, err
		}
	}
	return m, s.messageCreated(ctx, q, a, before, c, ec, m, final)
}

// contactOf returns c's contact: from its payload context when the caller
// read it in this transaction, from the store otherwise.
func (s *Service) contactOf(ctx context.Context, q *store.Queries, c *criachat.Conversation, ec *store.EventContext) (*criachat.Contact, error) {
	if ec != nil {
		return ec.Contact, nil
	}
	return q.Contact(ctx, c.AccountID, c.ContactID)
}

// messageCreated records message_created, first_reply_created when m is the
// first reply, the conversation events of what the message changed, and the
// mentions of a private note, all from one load of the payload context.
func (s *Service) messageCreated(ctx context.Context, q *store.Queries, a Actor, before, c *criachat.Conversation, ec *store.EventContext, m *criachat.Message, final bool) error {
	k := event.Known{Actor: a.agent(), Context: ec, Final: final}
	if !m.Private {
		k.Last = m
	}
	return s.events.Record(ctx, q, c, k, func(b *event.Batch) error {
		if err := b.Message(ctx, m, criachat.EventMessageCreated); err != nil {
			return err
		}
		if before.FirstReplyCreatedAt == nil && c.FirstReplyCreatedAt != nil {
			if err := b.Conversation(ctx, nil, criachat.EventFirstReplyCreated); err != nil {
				return err
			}
		}
		changes := event.ConversationChanges(before, c)
		if err := b.Conversation(ctx, changes, event.ConversationEventTypes(changes, c.Status)...); err != nil {
			return err
		}
		return s.mentions(ctx, q, b, c, m)
	})
}

// UpdateMessageStatus records a delivery status reported by an API-channel
// integrator; other inboxes get 403 (reference §3.6).
func (s *Service) UpdateMessageStatus(ctx context.Context, accountID, displayID, messageID int64, status criachat.MessageStatus, externalError *string) (*criachat.Conversation, *criachat.Message, error) {
	if !status.Valid() {
		return nil, nil, criachat.Errorf(criachat.EINVALID, "'%s' is not a valid status", status)
	}
	var conv *criachat.Conversation
	var msg *criachat.Message
	err := s.store.Tx(ctx, func(q *store.Queries) error {
		c, err := q.Conversation(ctx, accountID, displayID)
		if err != nil {
			return err
		}
		channel, err := s.channelType(ctx, q, accountID, c.InboxID)
		if err != nil {
			return err
		}
		if channel != criachat.ChannelAPI {
			return criachat.Errorf(criachat.EFORBIDDEN, "Message status update is only allowed for API inboxes")
		}
		m, err := q.Message(ctx, accountID, c.ID, messageID)
		if err != nil {
			return err
		}
		m.Status = criachat.NextMessageStatus(m.Status, status)
		if externalError != nil {
			m.ExternalError = *externalError
			m.ContentAttributes["external_error"] = *externalError
		}
		conv, msg = c, m
		if err := q.UpdateMessage(ctx, m); err != nil {
			return err
		}
		return s.messageEvents(ctx, q, c, m, criachat.EventMessageUpdated)
	})
	return conv, msg, err
}

// messageEvents records events about an existing message.
func (s *Service) messageEvents(ctx context.Context, q *store.Queries, c *criachat.Conversation, m *criachat.Message, types ...criachat.EventType) error {
	if err := q.LoadAttachments(ctx, c.AccountID, m); err != nil {
		return err
	}
	return s.events.Record(ctx, q, c, event.Known{}, func(b *event.Batch) error { return b.Message(ctx, m, types...) })
}

// DeleteMessage soft-deletes a message and deletes its attachments
// (reference §3.6). It returns the removed attachments: their files are the
// caller's to delete once this has committed.
func (s *Service) DeleteMessage(ctx context.Context, accountID, displayID, messageID int64) (*criachat.Conversation, *criachat.Message, []*criachat.Attachment, error) {
	var conv *criachat.Conversation
	var msg *criachat.Message
	var removed []*criachat.Attachment
	err := s.store.Tx(ctx, func(q *store.Queries) error {
		c, err := q.Conversation(ctx, accountID, displayID)
		if err != nil {
			return err
		}
		m, err := q.Message(ctx, accountID, c.ID, messageID)
		if err != nil {
			return err
		}
		m.Content, m.ContentType, m.ContentAttributes = "This message was deleted", "text", map[string]any{"deleted": true}
		if removed, err = q.DeleteMessageAttachments(ctx, accountID, m.ID); err != nil {
			return err
		}
		conv, msg = c, m
		if err := q.UpdateMessage(ctx, m); err != nil {
			return err
		}
		// Chatwoot reports a deletion as message_updated; message_deleted is
		// CriaChat's own event for subscribers that ask for it.
		return s.messageEvents(ctx, q, c, m, criachat.EventMessageUpdated, criachat.EventMessageDeleted)
	})
	if err != nil {
		return nil, nil, nil, err
	}
	return conv, msg, removed, nil
}
