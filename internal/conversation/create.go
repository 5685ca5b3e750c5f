package conversation

import (
	"context"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/secret"
	"github.com/criachat/criachat/internal/store"
)

// CreateParams are the inputs of POST /conversations (reference §3.5).
type CreateParams struct {
	SourceID             string
	InboxID              int64
	ContactID            int64
	Status               criachat.ConversationStatus
	AssigneeID           *int64
	TeamID               *int64
	AdditionalAttributes map[string]any
	CustomAttributes     map[string]any
	// Message, when set, is the first message (outgoing from the actor by default).
	Message *MessageParams
}

// Create opens a conversation for a contact inbox: found by source_id, or
// made for inbox_id + contact_id. With the inbox's lock_to_single_conversation
// the contact inbox's latest conversation is returned instead of a new one.
// A blocked contact's conversation starts resolved. It returns the
// conversation and whether it is new.
func (s *Service) Create(ctx context.Context, a Actor, accountID int64, p CreateParams, canUseInbox func(*criachat.Inbox) error) (*criachat.Conversation, *criachat.Message, bool, error) {
	var conv *criachat.Conversation
	var first *criachat.Message
	created := false
	err := s.store.Tx(ctx, func(q *store.Queries) error {
		ci, inbox, err := s.contactInbox(ctx, q, accountID, p)
		if err != nil {
			return err
		}
		if err := canUseInbox(inbox); err != nil {
			return err
		}
		if inbox.LockToSingleConversation {
			if c, err := q.LastConversationOf(ctx, accountID, ci.ID); err == nil {
				conv = c
				return nil
			} else if !criachat.IsNotFound(err) {
				return err
			}
		}
		contact, err := q.Contact(ctx, accountID, ci.ContactID)
		if err != nil {
			return err
		}
		status := p.Status
		if status == "" {
			status = criachat.StatusOpen
		}
		if !status.Valid() {
			return criachat.Errorf(criachat.EINVALID, "'%s' is not a valid status", status)
		}
		if contact.Blocked {
			status = criachat.StatusResolved
		} else if status, err = initialStatus(ctx, q, inbox, status); err != nil {
			return err
		}
		now := s.now()
		c := &criachat.Conversation{
			AccountID: accountID, InboxID: inbox.ID, ContactID: ci.ContactID, ContactInboxID: ci.ID, Status: status,
			AdditionalAttributes: p.AdditionalAttributes, CustomAttributes: p.CustomAttributes, WaitingSince: &now,
		}
		if p.AssigneeID != nil {
			if _, err := q.Agent(ctx, accountID, *p.AssigneeID); err != nil {
				return notFoundAs(err, "assignee is not a member of this account")
			}
			c.AssigneeID = p.AssigneeID
		}
		if p.TeamID != nil {
			if _, err := q.Team(ctx, accountID, *p.TeamID); err != nil {
				return err
			}
			c.TeamID = p.TeamID
		}
		if err := q.CreateConversation(ctx, c); err != nil {
			return err
		}
		conv, created = c, true
		if err := s.events.Conversation(ctx, q, c, nil, criachat.EventConversationCreated); err != nil {
			return err
		}
		if p.Message != nil {
			if first, err = s.addMessage(ctx, q, a, c, nil, inbox.ChannelType, *p.Message, false, 0); err != nil {
				return err
			}
		}
		return nil
	})
	return conv, first, created, err
}

// contactInbox finds or makes the contact inbox a new conversation belongs to.
func (s *Service) contactInbox(ctx context.Context, q *store.Queries, accountID int64, p CreateParams) (*criachat.ContactInbox, *criachat.Inbox, error) {
	if p.SourceID != "" {
		var ci *criachat.ContactInbox
		var err error
		if p.InboxID != 0 {
			ci, err = q.ContactInboxBySource(ctx, accountID, p.InboxID, p.SourceID)
		} else {
			ci, err = q.ContactInboxBySourceInAccount(ctx, accountID, p.SourceID)
		}
		if err != nil {
			return nil, nil, err
		}
		inbox, err := q.Inbox(ctx, accountID, ci.InboxID)
		return ci, inbox, err
	}
	if p.InboxID == 0 || p.ContactID == 0 {
		return nil, nil, criachat.Errorf(criachat.EINVALID, "source_id, or inbox_id and contact_id, are required")
	}
	inbox, err := q.Inbox(ctx, accountID, p.InboxID)
	if err != nil {
		return nil, nil, err
	}
	if _, err := q.Contact(ctx, accountID, p.ContactID); err != nil {
		return nil, nil, err
	}
	ci, err := q.ContactInboxOf(ctx, accountID, p.ContactID, p.InboxID)
	if !criachat.IsNotFound(err) {
		return ci, inbox, err
	}
	// The contact has no identity in this inbox yet: make one (reference §6.4).
	sourceID, err := criachat.SourceIDFor(inbox.ChannelType, secret.NewUUID)
	if err != nil {
		return nil, nil, err
	}
	ci = &criachat.ContactInbox{AccountID: accountID, ContactID: p.ContactID, InboxID: inbox.ID, SourceID: sourceID, PubsubToken: secret.NewToken()}
	return ci, inbox, q.CreateContactInbox(ctx, ci)
}

func notFoundAs(err error, msg string) error {
	if criachat.IsNotFound(err) {
		return criachat.Errorf(criachat.ENOTFOUND, "%s", msg)
	}
	return err
}
