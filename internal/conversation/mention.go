package conversation

import (
	"context"
	"slices"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/event"
	"github.com/criachat/criachat/internal/store"
)

// mentions records the users a new private note mentions, in its transaction
// (Chatwoot's Messages::MentionService with Conversations::UserMentionJob,
// which run after commit there): the links "(mention://user/{id}/{name})",
// and "(mention://team/{id}/{name})" for every member of the team, keep the
// account's administrators and the inbox's members; each of them gets a
// mention row (mentioned_at moves on a repeat mention), becomes a
// participant, and a conversation_mentioned event. Self-mentions count:
// Chatwoot skips only the notification for them, and CriaChat has none.
func (s *Service) mentions(ctx context.Context, q *store.Queries, b *event.Batch, c *criachat.Conversation, m *criachat.Message) error {
	if !m.Private || m.Content == "" {
		return nil
	}
	users, teams := criachat.ParseMentions(m.Content)
	if len(users) == 0 && len(teams) == 0 {
		return nil
	}
	members, err := q.TeamMemberIDs(ctx, c.AccountID, teams)
	if err != nil {
		return err
	}
	for _, id := range members {
		if !slices.Contains(users, id) {
			users = append(users, id)
		}
	}
	agents, err := q.MentionableAmong(ctx, c.AccountID, c.InboxID, users)
	if err != nil || len(agents) == 0 {
		return err
	}
	ids := make([]int64, len(agents))
	for i, a := range agents {
		ids[i] = a.User.ID
		if err := q.MentionUser(ctx, c.AccountID, c.ID, a.User.ID, m.CreatedAt); err != nil {
			return err
		}
	}
	if _, err := q.AddConversationParticipants(ctx, c.AccountID, c.ID, ids); err != nil {
		return err
	}
	for _, a := range agents {
		if err := b.Mentioned(ctx, m, a.User); err != nil {
			return err
		}
	}
	return nil
}
