package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/secret"
)

const conversationColumns = `c.id, c.account_id, c.display_id, c.uuid, c.inbox_id, c.contact_id, c.contact_inbox_id, c.status,
	c.priority, c.assignee_id, c.assignee_agent_bot_id, c.team_id, c.campaign_id, c.snoozed_until, c.additional_attributes,
	c.custom_attributes, c.cached_label_list, c.agent_last_seen_at, c.assignee_last_seen_at, c.contact_last_seen_at,
	c.first_reply_created_at, c.waiting_since, c.last_activity_at, c.created_at, c.updated_at`

type conversationScan struct {
	c                                                               criachat.Conversation
	contactInbox, assignee, bot, team, campaign                     sql.NullInt64
	snoozed, agentSeen, assigneeSeen, contactSeen, firstReply, wait sql.NullInt64
	additional, custom                                              []byte
	labels                                                          string
	activity, created, updated                                      int64
}

func (s *conversationScan) dest() []any {
	return []any{&s.c.ID, &s.c.AccountID, &s.c.DisplayID, &s.c.UUID, &s.c.InboxID, &s.c.ContactID, &s.contactInbox,
		&s.c.Status, &s.c.Priority, &s.assignee, &s.bot, &s.team, &s.campaign, &s.snoozed, &s.additional, &s.custom,
		&s.labels, &s.agentSeen, &s.assigneeSeen, &s.contactSeen, &s.firstReply, &s.wait, &s.activity, &s.created, &s.updated}
}

func (s *conversationScan) conversation() *criachat.Conversation {
	c := s.c
	if s.contactInbox.Valid {
		c.ContactInboxID = s.contactInbox.Int64
	}
	c.AssigneeID, c.AssigneeAgentBotID, c.TeamID, c.CampaignID = optInt(s.assignee), optInt(s.bot), optInt(s.team), optInt(s.campaign)
	c.SnoozedUntil = optTime(s.snoozed)
	c.AgentLastSeenAt, c.AssigneeLastSeenAt, c.ContactLastSeenAt = optTime(s.agentSeen), optTime(s.assigneeSeen), optTime(s.contactSeen)
	c.FirstReplyCreatedAt, c.WaitingSince = optTime(s.firstReply), optTime(s.wait)
	c.AdditionalAttributes = jsonMap[any](s.additional)
	c.CustomAttributes = jsonMap[any](s.custom)
	c.Labels = splitLabels(s.labels)
	c.LastActivityAt, c.CreatedAt, c.UpdatedAt = fromMicros(s.activity), fromMicros(s.created), fromMicros(s.updated)
	return &c
}

func splitLabels(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// CreateConversation inserts c with the account's next display id.
func (q *Queries) CreateConversation(ctx context.Context, c *criachat.Conversation) error {
	c.Normalize()
	if err := c.Validate(); err != nil {
		return err
	}
	if err := q.queryRow(ctx, `UPDATE accounts SET conversation_seq = conversation_seq + 1 WHERE id = ? RETURNING conversation_seq`,
		c.AccountID).Scan(&c.DisplayID); err != nil {
		return q.d.translate(err)
	}
	now := q.now().UTC().Truncate(timePrecision)
	c.UUID, c.CreatedAt, c.UpdatedAt = secret.NewUUID(), now, now
	if c.LastActivityAt.IsZero() {
		c.LastActivityAt = now
	}
	if c.Labels == nil {
		c.Labels = []string{}
	}
	return q.d.translate(q.queryRow(ctx, `INSERT INTO conversations (account_id, display_id, uuid, inbox_id, contact_id,
		contact_inbox_id, status, priority, assignee_id, assignee_agent_bot_id, team_id, campaign_id, snoozed_until,
		additional_attributes, custom_attributes, cached_label_list, waiting_since, last_activity_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.AccountID, c.DisplayID, c.UUID, c.InboxID, c.ContactID, nullID(c.ContactInboxID), c.Status, c.Priority,
		nullable(c.AssigneeID), nullable(c.AssigneeAgentBotID), nullable(c.TeamID), nullable(c.CampaignID), nullMicros(c.SnoozedUntil),
		jsonText(c.AdditionalAttributes), jsonText(c.CustomAttributes), strings.Join(c.Labels, ","), nullMicros(c.WaitingSince),
		micros(c.LastActivityAt), micros(now), micros(now)).Scan(&c.ID))
}

// Conversation returns the conversation with a display id in an account.
func (q *Queries) Conversation(ctx context.Context, accountID, displayID int64) (*criachat.Conversation, error) {
	var s conversationScan
	if err := q.scanOne(q.queryRow(ctx, `SELECT `+conversationColumns+` FROM conversations c
		WHERE c.account_id = ? AND c.display_id = ?`, accountID, displayID), "conversation", s.dest()...); err != nil {
		return nil, err
	}
	return s.conversation(), nil
}

// UpdateConversation saves every mutable field of c (not its labels: see SetConversationLabels).
func (q *Queries) UpdateConversation(ctx context.Context, c *criachat.Conversation) error {
	c.Normalize()
	if err := c.Validate(); err != nil {
		return err
	}
	c.UpdatedAt = q.now().UTC().Truncate(timePrecision)
	res, err := q.exec(ctx, `UPDATE conversations SET status = ?, priority = ?, assignee_id = ?, assignee_agent_bot_id = ?,
		team_id = ?, snoozed_until = ?, additional_attributes = ?, custom_attributes = ?, agent_last_seen_at = ?,
		assignee_last_seen_at = ?, contact_last_seen_at = ?, first_reply_created_at = ?, waiting_since = ?,
		last_activity_at = ?, contact_id = ?, contact_inbox_id = ?, updated_at = ? WHERE account_id = ? AND id = ?`,
		c.Status, c.Priority, nullable(c.AssigneeID), nullable(c.AssigneeAgentBotID), nullable(c.TeamID), nullMicros(c.SnoozedUntil),
		jsonText(c.AdditionalAttributes), jsonText(c.CustomAttributes), nullMicros(c.AgentLastSeenAt), nullMicros(c.AssigneeLastSeenAt),
		nullMicros(c.ContactLastSeenAt), nullMicros(c.FirstReplyCreatedAt), nullMicros(c.WaitingSince), micros(c.LastActivityAt),
		c.ContactID, nullID(c.ContactInboxID), micros(c.UpdatedAt), c.AccountID, c.ID)
	if err != nil {
		return err
	}
	return affectedOne(res, "conversation")
}

// SetConversationLabels replaces a conversation's labels (normalised titles).
func (q *Queries) SetConversationLabels(ctx context.Context, c *criachat.Conversation, labels []string) error {
	labels = criachat.NormalizeLabels(labels)
	if err := criachat.ValidateLabels(labels); err != nil {
		return err
	}
	if _, err := q.exec(ctx, `DELETE FROM conversation_labels WHERE conversation_id = ?`, c.ID); err != nil {
		return err
	}
	for _, l := range labels {
		if _, err := q.exec(ctx, `INSERT INTO conversation_labels (conversation_id, account_id, label) VALUES (?, ?, ?)`, c.ID, c.AccountID, l); err != nil {
			return err
		}
	}
	c.UpdatedAt = q.now().UTC().Truncate(timePrecision)
	if _, err := q.exec(ctx, `UPDATE conversations SET cached_label_list = ?, updated_at = ? WHERE id = ?`,
		strings.Join(labels, ","), micros(c.UpdatedAt), c.ID); err != nil {
		return err
	}
	c.Labels = labels
	return nil
}

// DeleteConversation deletes a conversation and its messages.
func (q *Queries) DeleteConversation(ctx context.Context, accountID, id int64) error {
	res, err := q.exec(ctx, `DELETE FROM conversations WHERE account_id = ? AND id = ?`, accountID, id)
	if err != nil {
		return err
	}
	return affectedOne(res, "conversation")
}

// LastConversationOf returns the newest conversation of a contact inbox
// (lock_to_single_conversation).
func (q *Queries) LastConversationOf(ctx context.Context, accountID, contactInboxID int64) (*criachat.Conversation, error) {
	var s conversationScan
	if err := q.scanOne(q.queryRow(ctx, `SELECT `+conversationColumns+` FROM conversations c
		WHERE c.account_id = ? AND c.contact_inbox_id = ? ORDER BY c.id DESC LIMIT 1`, accountID, contactInboxID),
		"conversation", s.dest()...); err != nil {
		return nil, err
	}
	return s.conversation(), nil
}

// ConversationKey names a conversation by account and display id.
type ConversationKey struct {
	AccountID, DisplayID int64
}

// DueSnoozed lists up to limit snoozed conversations, of every account, whose
// snoozed_until has passed.
func (q *Queries) DueSnoozed(ctx context.Context, now time.Time, limit int) ([]ConversationKey, error) {
	rows, err := q.query(ctx, `SELECT account_id, display_id FROM conversations
		WHERE status = 'snoozed' AND snoozed_until IS NOT NULL AND snoozed_until <= ? ORDER BY snoozed_until LIMIT ?`, micros(now), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ConversationKey
	for rows.Next() {
		var k ConversationKey
		if err := rows.Scan(&k.AccountID, &k.DisplayID); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// TouchConversation saves what a new message changes when it does not change
// the status: waiting time, first reply and last activity. Writing only these
// columns keeps SQLite from rewriting the conversation's other indexes on the
// hottest write path. On PostgreSQL the update is held (execLater).
func (q *Queries) TouchConversation(ctx context.Context, c *criachat.Conversation) error {
	c.UpdatedAt = q.now().UTC().Truncate(timePrecision)
	return q.execLater(ctx, laterWrite{table: "conversations", notFound: "conversation", row: c.ID}, `UPDATE conversations SET waiting_since = ?, first_reply_created_at = ?,
		last_activity_at = ?, updated_at = ? WHERE account_id = ? AND id = ?`,
		nullMicros(c.WaitingSince), nullMicros(c.FirstReplyCreatedAt), micros(c.LastActivityAt), micros(c.UpdatedAt), c.AccountID, c.ID)
}

// UnassignUser clears a user's assignments in an account, as Chatwoot's
// Agents::DestroyJob does when the user leaves it (update_all: no events,
// no activity, updated_at unchanged).
func (q *Queries) UnassignUser(ctx context.Context, accountID, userID int64) error {
	_, err := q.exec(ctx, `UPDATE conversations SET assignee_id = NULL WHERE account_id = ? AND assignee_id = ?`, accountID, userID)
	return err
}
