package store

import (
	"context"
	"slices"

	"github.com/criachat/criachat/internal/criachat"
)

// Conversation participants (reference §3.5). The table has no account_id:
// every statement reaches it through the conversation, scoped by account.

// ConversationParticipants lists the participants of a conversation of the
// account who are members of it, as agents, in the order they were added.
func (q *Queries) ConversationParticipants(ctx context.Context, accountID, conversationID int64) ([]criachat.Agent, error) {
	return q.agents(ctx, `SELECT `+userColumns+`, `+memberColumns+` FROM conversation_participants cp
		JOIN conversations c ON c.id = cp.conversation_id
		JOIN account_users m ON m.account_id = c.account_id AND m.user_id = cp.user_id
		JOIN users u ON u.id = cp.user_id
		WHERE c.account_id = ? AND cp.conversation_id = ? ORDER BY cp.created_at, cp.user_id`, accountID, conversationID)
}

// ConversationParticipantIDs lists the user ids of a conversation's participants.
func (q *Queries) ConversationParticipantIDs(ctx context.Context, accountID, conversationID int64) ([]int64, error) {
	return q.int64Column(ctx, `SELECT cp.user_id FROM conversation_participants cp
		JOIN conversations c ON c.id = cp.conversation_id
		WHERE c.account_id = ? AND cp.conversation_id = ? ORDER BY cp.user_id`, accountID, conversationID)
}

const (
	addParticipant = `INSERT INTO conversation_participants (conversation_id, user_id, created_at)
		SELECT c.id, m.user_id, ? FROM conversations c JOIN account_users m ON m.account_id = c.account_id
		WHERE c.account_id = ? AND c.id = ? AND m.user_id = ?
		ON CONFLICT (conversation_id, user_id) DO NOTHING RETURNING user_id`
	removeParticipants = `DELETE FROM conversation_participants WHERE conversation_id = ? AND user_id IN (` + idsToken + `)
		AND conversation_id IN (SELECT c.id FROM conversations c WHERE c.account_id = ?)`
	keepParticipants = `DELETE FROM conversation_participants WHERE conversation_id = ? AND user_id NOT IN (` + idsToken + `)
		AND conversation_id IN (SELECT c.id FROM conversations c WHERE c.account_id = ?)`
)

// AddConversationParticipants makes the account's users among userIDs
// participants of one of its conversations and returns those who were not
// before, as agents in the order of userIDs. Users outside the account and
// current participants are skipped.
func (q *Queries) AddConversationParticipants(ctx context.Context, accountID, conversationID int64, userIDs []int64) ([]criachat.Agent, error) {
	userIDs = uniqueIDs(userIDs)
	now := q.now().UTC().Truncate(timePrecision)
	var added []int64
	for i, id := range userIDs {
		// A microsecond apart, so the list keeps the order they were given in.
		got, err := q.int64Column(ctx, addParticipant, micros(now)+int64(i), accountID, conversationID, id)
		if err != nil {
			return nil, err
		}
		added = append(added, got...)
	}
	if len(added) == 0 {
		return []criachat.Agent{}, nil
	}
	agents, err := q.agents(ctx, q.withIDs(teamAgentsAmong), accountID, jsonList(added))
	if err != nil {
		return nil, err
	}
	order := make(map[int64]int, len(userIDs))
	for i, id := range userIDs {
		order[id] = i
	}
	slices.SortFunc(agents, func(a, b criachat.Agent) int { return order[a.User.ID] - order[b.User.ID] })
	return agents, nil
}

// RemoveConversationParticipants removes users from a conversation's
// participants; ids that are not participants are ignored.
func (q *Queries) RemoveConversationParticipants(ctx context.Context, accountID, conversationID int64, userIDs []int64) error {
	_, err := q.exec(ctx, q.withIDs(removeParticipants), conversationID, jsonList(uniqueIDs(userIDs)), accountID)
	return err
}

// SetConversationParticipants makes the account's users among userIDs the
// conversation's only participants and returns them all.
func (q *Queries) SetConversationParticipants(ctx context.Context, accountID, conversationID int64, userIDs []int64) ([]criachat.Agent, error) {
	if _, err := q.exec(ctx, q.withIDs(keepParticipants), conversationID, jsonList(uniqueIDs(userIDs)), accountID); err != nil {
		return nil, err
	}
	if _, err := q.AddConversationParticipants(ctx, accountID, conversationID, userIDs); err != nil {
		return nil, err
	}
	return q.ConversationParticipants(ctx, accountID, conversationID)
}
