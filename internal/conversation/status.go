package conversation

import (
	"context"
	"time"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/event"
	"github.com/criachat/criachat/internal/store"
)

// ToggleResult is what toggle_status reports.
type ToggleResult struct {
	Conversation *criachat.Conversation
	Changed      bool
}

// ToggleStatus sets a conversation's status (reference §3.5 toggle_status,
// §6.2): with no status it toggles; snoozedUntil only applies to snoozed and
// is cleared otherwise; resolving clears waiting_since; an agent-role user who
// opens a conversation becomes its assignee. Each change writes its activity
// message in the same transaction.
func (s *Service) ToggleStatus(ctx context.Context, a Actor, accountID, displayID int64, status *criachat.ConversationStatus, snoozedUntil *time.Time) (ToggleResult, error) {
	var res ToggleResult
	err := s.store.Tx(ctx, func(q *store.Queries) (err error) {
		res, err = s.toggleStatus(ctx, q, a, accountID, displayID, status, snoozedUntil, true)
		return err
	})
	return res, err
}

// toggleStatus is ToggleStatus inside a transaction; assignOpener says
// whether an agent who opens the conversation becomes its assignee (the
// toggle_status endpoint's rule, not a plain status update's).
func (s *Service) toggleStatus(ctx context.Context, q *store.Queries, a Actor, accountID, displayID int64, status *criachat.ConversationStatus, snoozedUntil *time.Time, assignOpener bool) (ToggleResult, error) {
	c, err := q.Conversation(ctx, accountID, displayID)
	if err != nil {
		return ToggleResult{}, err
	}
	before := event.Snapshot(c)
	next := c.Status.Toggled()
	if status != nil {
		next = *status
	}
	if !next.Valid() {
		return ToggleResult{}, criachat.Errorf(criachat.EINVALID, "'%s' is not a valid status", next)
	}
	changed := next != c.Status
	c.Status = next
	c.SnoozedUntil = nil
	if next == criachat.StatusSnoozed {
		c.SnoozedUntil = snoozedUntil
	}
	if next == criachat.StatusResolved {
		c.WaitingSince = nil
	}
	selfAssign := assignOpener && next == criachat.StatusOpen && a.Member != nil && !a.Member.IsAdmin() &&
		(c.AssigneeID == nil || *c.AssigneeID != a.User.ID)
	if selfAssign {
		id := a.User.ID
		c.AssigneeID, c.AssigneeAgentBotID = &id, nil
	}
	if err := q.UpdateConversation(ctx, c); err != nil {
		return ToggleResult{}, err
	}
	if changed {
		if err := s.activity(ctx, q, c, criachat.ActivityStatus(next, a.name())); err != nil {
			return ToggleResult{}, err
		}
	}
	if selfAssign {
		if err := s.activity(ctx, q, c, criachat.ActivityAssignee(a.name(), a.name(), true)); err != nil {
			return ToggleResult{}, err
		}
	}
	return ToggleResult{Conversation: c, Changed: changed}, s.changed(ctx, q, before, c)
}

// SetPriority sets or clears a conversation's priority with its activity message.
func (s *Service) SetPriority(ctx context.Context, a Actor, accountID, displayID int64, p criachat.Priority) (*criachat.Conversation, error) {
	if !p.Valid() {
		return nil, criachat.Errorf(criachat.EINVALID, "'%s' is not a valid priority", p)
	}
	var out *criachat.Conversation
	err := s.store.Tx(ctx, func(q *store.Queries) error {
		c, err := q.Conversation(ctx, accountID, displayID)
		if err != nil {
			return err
		}
		out = c
		if c.Priority == p {
			return nil
		}
		before := event.Snapshot(c)
		c.Priority = p
		if err := q.UpdateConversation(ctx, c); err != nil {
			return err
		}
		if err := s.activity(ctx, q, c, criachat.ActivityPriority(before.Priority, p, a.name())); err != nil {
			return err
		}
		return s.changed(ctx, q, before, c)
	})
	return out, err
}

// Update applies a change to mutable fields without activity (custom
// attributes, last-seen times, mute).
func (s *Service) Update(ctx context.Context, accountID, displayID int64, fn func(c *criachat.Conversation) error) (*criachat.Conversation, error) {
	var out *criachat.Conversation
	err := s.store.Tx(ctx, func(q *store.Queries) error {
		c, err := q.Conversation(ctx, accountID, displayID)
		if err != nil {
			return err
		}
		before := event.Snapshot(c)
		if err := fn(c); err != nil {
			return err
		}
		out = c
		if err := q.UpdateConversation(ctx, c); err != nil {
			return err
		}
		return s.changed(ctx, q, before, c)
	})
	return out, err
}

// ReopenSnoozed reopens the conversations whose snooze has ended (the
// scheduler), each in its own transaction with its events.
func (s *Service) ReopenSnoozed(ctx context.Context) (int64, error) {
	due, err := s.store.Read().DueSnoozed(ctx, s.now(), 500)
	if err != nil {
		return 0, err
	}
	var n int64
	for _, ref := range due {
		err := s.store.Tx(ctx, func(q *store.Queries) error {
			c, err := q.Conversation(ctx, ref.AccountID, ref.DisplayID)
			if err != nil {
				return err
			}
			if c.Status != criachat.StatusSnoozed || c.SnoozedUntil == nil || c.SnoozedUntil.After(s.now()) {
				return nil // changed since it was listed
			}
			before := event.Snapshot(c)
			c.Status, c.SnoozedUntil = criachat.StatusOpen, nil
			if err := q.UpdateConversation(ctx, c); err != nil {
				return err
			}
			n++
			return s.changed(ctx, q, before, c)
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// SetMuted mutes or unmutes a conversation (reference §3.5): muting resolves
// it and blocks its contact, so that new messages do not reopen it; unmuting
// unblocks the contact. Each writes its activity message.
func (s *Service) SetMuted(ctx context.Context, a Actor, accountID, displayID int64, muted bool) error {
	return s.store.Tx(ctx, func(q *store.Queries) error {
		c, err := q.Conversation(ctx, accountID, displayID)
		if err != nil {
			return err
		}
		contact, err := q.Contact(ctx, accountID, c.ContactID)
		if err != nil {
			return err
		}
		before := event.Snapshot(c)
		contactBefore := *contact
		contact.Blocked = muted
		if err := q.UpdateContact(ctx, contact); err != nil {
			return err
		}
		if muted && c.Status != criachat.StatusResolved {
			c.Status, c.WaitingSince = criachat.StatusResolved, nil
			if err := q.UpdateConversation(ctx, c); err != nil {
				return err
			}
		}
		if err := s.activity(ctx, q, c, criachat.ActivityMuted(a.name(), muted)); err != nil {
			return err
		}
		if err := s.events.ContactUpdated(ctx, q, &contactBefore, contact); err != nil {
			return err
		}
		return s.changed(ctx, q, before, c)
	})
}

// MarkUnread moves the agent's last-seen time to just before the newest
// incoming message, so the conversation shows as unread (reference §3.5).
func (s *Service) MarkUnread(ctx context.Context, accountID, displayID int64) (*criachat.Conversation, error) {
	var out *criachat.Conversation
	err := s.store.Tx(ctx, func(q *store.Queries) error {
		c, err := q.Conversation(ctx, accountID, displayID)
		if err != nil {
			return err
		}
		last, err := q.LastIncomingAt(ctx, c.ID)
		if err != nil {
			return err
		}
		if last != nil {
			seen := last.Add(-time.Second)
			c.AgentLastSeenAt = &seen
		}
		out = c
		return q.UpdateConversation(ctx, c)
	})
	return out, err
}

// Typing records that the actor started or stopped typing in a
// conversation (toggle_typing_status, reference §4.4, §5): an event for
// webhooks and the feed; nothing about the conversation changes.
func (s *Service) Typing(ctx context.Context, a Actor, accountID, displayID int64, on, private bool) error {
	return s.store.Tx(ctx, func(q *store.Queries) error {
		c, err := q.Conversation(ctx, accountID, displayID)
		if err != nil {
			return err
		}
		return s.events.Record(ctx, q, c, event.Known{Actor: a.agent()}, func(b *event.Batch) error { return b.Typing(ctx, a.User, a.Bot, on, private) })
	})
}
