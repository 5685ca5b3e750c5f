package store

import (
	"context"
	"slices"
	"time"

	"github.com/criachat/criachat/internal/criachat"
)

// Mentions of users in private notes (Chatwoot's mentions table, issue 3).

// MentionableAmong returns the account's users among userIDs who may be
// mentioned in a conversation of the inbox, in the order of userIDs: its
// administrators and the inbox's members (Chatwoot's
// Messages::MentionService#filter_mentioned_ids_by_inbox). One query.
func (q *Queries) MentionableAmong(ctx context.Context, accountID, inboxID int64, userIDs []int64) ([]criachat.Agent, error) {
	if len(userIDs) == 0 {
		return []criachat.Agent{}, nil
	}
	agents, err := q.agents(ctx, `SELECT `+userColumns+`, `+memberColumns+` FROM account_users m
		JOIN users u ON u.id = m.user_id
		WHERE m.account_id = ? AND m.user_id IN (`+q.d.idSet()+`) AND (m.role = 'administrator' OR m.user_id IN (
			SELECT im.user_id FROM inbox_members im WHERE im.account_id = ? AND im.inbox_id = ?))`,
		accountID, jsonList(userIDs), accountID, inboxID)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(agents, func(a, b criachat.Agent) int {
		return slices.Index(userIDs, a.User.ID) - slices.Index(userIDs, b.User.ID)
	})
	return agents, nil
}

// TeamMemberIDs returns the user ids of the members of the account's teams
// among teamIDs, each once, in the order they joined; other accounts' teams
// count as none.
func (q *Queries) TeamMemberIDs(ctx context.Context, accountID int64, teamIDs []int64) ([]int64, error) {
	if len(teamIDs) == 0 {
		return []int64{}, nil
	}
	ids, err := q.int64Column(ctx, `SELECT tm.user_id FROM team_members tm
		WHERE tm.account_id = ? AND tm.team_id IN (`+q.d.idSet()+`) ORDER BY tm.id`, accountID, jsonList(teamIDs))
	if err != nil {
		return nil, err
	}
	out := ids[:0]
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out, nil
}

// MentionUser records that a member of the account was mentioned in one of
// its conversations at a time: a new row, or the existing one's mentioned_at
// moved to it (Conversations::UserMentionJob).
func (q *Queries) MentionUser(ctx context.Context, accountID, conversationID, userID int64, at time.Time) error {
	_, err := q.exec(ctx, `INSERT INTO mentions (account_id, conversation_id, user_id, mentioned_at, created_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (conversation_id, user_id) DO UPDATE SET mentioned_at = excluded.mentioned_at`,
		accountID, conversationID, userID, micros(at), micros(q.now()))
	return err
}

// ConversationMentions lists the mentions of one of the account's
// conversations, by user id.
func (q *Queries) ConversationMentions(ctx context.Context, accountID, conversationID int64) ([]*criachat.Mention, error) {
	rows, err := q.query(ctx, `SELECT id, account_id, conversation_id, user_id, mentioned_at, created_at FROM mentions
		WHERE account_id = ? AND conversation_id = ? ORDER BY user_id`, accountID, conversationID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*criachat.Mention{}
	for rows.Next() {
		var m criachat.Mention
		var at, created int64
		if err := rows.Scan(&m.ID, &m.AccountID, &m.ConversationID, &m.UserID, &at, &created); err != nil {
			return nil, q.d.translate(err)
		}
		m.MentionedAt, m.CreatedAt = fromMicros(at), fromMicros(created)
		out = append(out, &m)
	}
	return out, q.d.translate(rows.Err())
}
