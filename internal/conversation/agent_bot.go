package conversation

import (
	"context"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/event"
	"github.com/criachat/criachat/internal/store"
)

// Agent bots in conversations (reference §3.10, §6.2, §6.3): a bot acts
// through its access token on the bot endpoints, an inbox with a connected
// bot starts its conversations pending, and a conversation may be assigned
// to a bot instead of a user.

// initialStatus is Chatwoot's determine_conversation_status for a contact
// that is not blocked: while a bot is connected to the inbox a new
// conversation starts pending, whatever status was asked for (the callback
// runs after the attributes are assigned); otherwise it keeps status.
func initialStatus(ctx context.Context, q *store.Queries, inbox *criachat.Inbox, status criachat.ConversationStatus) (criachat.ConversationStatus, error) {
	active, err := q.InboxHasActiveBot(ctx, inbox.AccountID, inbox.ID)
	if err != nil || !active {
		return status, err
	}
	return criachat.StatusPending, nil
}

// reopensPending reports whether an incoming message on c should reopen it
// as pending rather than open: only a resolved conversation in an inbox
// with a connected bot (Message#reopen_conversation). Other statuses need no
// query.
func reopensPending(ctx context.Context, q *store.Queries, c *criachat.Conversation) (bool, error) {
	if c.Status != criachat.StatusResolved {
		return false, nil
	}
	return q.InboxHasActiveBot(ctx, c.AccountID, c.InboxID)
}

// AssignAgentBot assigns a conversation to one of the account's agent bots
// and clears its user assignee, which the two exclude each other (reference
// §6.3). A bot that is not in the account changes nothing and nil is
// returned, as Chatwoot's AssignmentService answers with null. Dropping a
// user assignee writes the "unassigned" activity message.
func (s *Service) AssignAgentBot(ctx context.Context, a Actor, accountID, displayID, botID int64) (*criachat.AgentBot, error) {
	var out *criachat.AgentBot
	err := s.store.Tx(ctx, func(q *store.Queries) error {
		c, err := q.Conversation(ctx, accountID, displayID)
		if err != nil {
			return err
		}
		bot, err := q.AgentBot(ctx, accountID, botID)
		if criachat.IsNotFound(err) {
			return nil
		} else if err != nil {
			return err
		}
		out = bot
		if c.AssigneeID == nil && equalID(c.AssigneeAgentBotID, &bot.ID) {
			return nil
		}
		before := event.Snapshot(c)
		c.AssigneeID, c.AssigneeAgentBotID = nil, &bot.ID
		if err := q.UpdateConversation(ctx, c); err != nil {
			return err
		}
		if before.AssigneeID != nil {
			if err := s.activity(ctx, q, c, criachat.ActivityAssignee("", a.name(), false)); err != nil {
				return err
			}
		}
		return s.changed(ctx, q, before, c)
	})
	return out, err
}
