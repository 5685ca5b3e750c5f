// Package conversation holds the rules of conversations and messages that span
// several store calls: creation (contact inbox, lock to a single conversation,
// initial status), status toggles with their side effects, assignment, labels,
// and message creation (reopening, waiting time, first reply, flood guard).
// Every change and the activity message it causes are written in one
// transaction.
package conversation

import (
	"context"
	"sync"
	"time"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/event"
	"github.com/criachat/criachat/internal/store"
)

// DefaultMessagesPerMinute is Chatwoot's CONVERSATION_MESSAGE_PER_MINUTE_LIMIT.
const DefaultMessagesPerMinute = 200

// Service is the conversation service.
type Service struct {
	store             *store.Store
	events            *event.Recorder
	now               func() time.Time
	messagesPerMinute int
	// channels caches inbox channel types by (account id, inbox id): a
	// channel type never changes and inbox ids are never reused.
	channels sync.Map
}

// channelType returns an inbox's channel type, from the cache when it can.
func (s *Service) channelType(ctx context.Context, q *store.Queries, accountID, inboxID int64) (criachat.ChannelType, error) {
	key := [2]int64{accountID, inboxID}
	if t, ok := s.channels.Load(key); ok {
		return t.(criachat.ChannelType), nil
	}
	t, err := q.InboxChannelType(ctx, accountID, inboxID)
	if err != nil {
		return "", err
	}
	s.channels.Store(key, t)
	return t, nil
}

// NewService returns a service over st that records its events with rec
// (nil: a recorder without attachment URL signing). perMinute caps the
// messages of one conversation per minute (0 means the default).
func NewService(st *store.Store, rec *event.Recorder, perMinute int) *Service {
	if perMinute <= 0 {
		perMinute = DefaultMessagesPerMinute
	}
	if rec == nil {
		rec = event.NewRecorder(nil)
	}
	return &Service{store: st, events: rec, now: time.Now, messagesPerMinute: perMinute}
}

// Actor is who makes a change: a user of the account (for activity texts,
// agent self-assignment and message senders), or an agent bot acting with
// its access token (no user, no membership).
type Actor struct {
	User   *criachat.User
	Member *criachat.AccountUser
	Bot    *criachat.AgentBot
}

// agent is the acting user with their membership, nil for a bot.
func (a Actor) agent() *criachat.Agent {
	if a.User == nil || a.Member == nil {
		return nil
	}
	return &criachat.Agent{User: a.User, Member: a.Member}
}

func (a Actor) name() string {
	if a.Bot != nil {
		return a.Bot.Name
	}
	if a.User == nil {
		return "System"
	}
	return a.User.AvailableName()
}

// CanAccess reports whether the actor may see a conversation (reference §2.6):
// administrators always; agents when they are members of its inbox or of its team.
func (s *Service) CanAccess(ctx context.Context, a Actor, c *criachat.Conversation) (bool, error) {
	if a.Member == nil || a.Member.IsAdmin() {
		return true, nil
	}
	q := s.store.Read()
	ok, err := q.IsInboxMember(ctx, c.InboxID, a.User.ID)
	if err != nil || ok || c.TeamID == nil {
		return ok, err
	}
	return q.IsTeamMember(ctx, *c.TeamID, a.User.ID)
}

// changed records the events of a change to conversation c from its state
// before (reference §4.4): status_changed/opened/resolved, assignee_changed,
// team_changed and conversation_updated with changed_attributes. Call it
// last in the transaction, after the activity messages.
func (s *Service) changed(ctx context.Context, q *store.Queries, before, c *criachat.Conversation) error {
	changes := event.ConversationChanges(before, c)
	return s.events.Conversation(ctx, q, c, changes, event.ConversationEventTypes(changes, c.Status)...)
}

// activity appends an activity message (message_type 2, no sender) to c.
func (s *Service) activity(ctx context.Context, q *store.Queries, c *criachat.Conversation, content string) error {
	return q.CreateMessage(ctx, &criachat.Message{
		AccountID: c.AccountID, InboxID: c.InboxID, ConversationID: c.ID,
		MessageType: criachat.MessageActivity, Content: content,
	})
}
