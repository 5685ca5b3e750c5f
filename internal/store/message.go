package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/criachat/criachat/internal/criachat"
)

const messageColumns = `m.id, m.account_id, m.inbox_id, m.conversation_id, m.message_type, m.content, m.content_type,
	m.content_attributes, m.private, m.status, m.source_id, m.sender_type, m.sender_id, m.external_error, m.created_at, m.updated_at`

type messageScan struct {
	m                criachat.Message
	attrs            []byte
	sender           sql.NullInt64
	created, updated int64
}

func (s *messageScan) dest() []any {
	return []any{&s.m.ID, &s.m.AccountID, &s.m.InboxID, &s.m.ConversationID, &s.m.MessageType, &s.m.Content, &s.m.ContentType,
		&s.attrs, &s.m.Private, &s.m.Status, &s.m.SourceID, &s.m.SenderType, &s.sender, &s.m.ExternalError, &s.created, &s.updated}
}

func (s *messageScan) message() *criachat.Message {
	m := s.m
	m.ContentAttributes = jsonMap[any](s.attrs)
	m.SenderID = optInt(s.sender)
	m.CreatedAt, m.UpdatedAt = fromMicros(s.created), fromMicros(s.updated)
	return &m
}

func (q *Queries) scanMessages(rows *sql.Rows, err error) ([]*criachat.Message, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*criachat.Message
	for rows.Next() {
		var s messageScan
		if err := rows.Scan(s.dest()...); err != nil {
			return nil, err
		}
		out = append(out, s.message())
	}
	return out, rows.Err()
}

// CreateMessage validates and inserts m. CreatedAt is kept when set (imports,
// activity messages that must sort before the reply that caused them), and
// so is an ID reserved for it (see MessageTarget). A conversation that is
// gone is ENOTFOUND.
func (q *Queries) CreateMessage(ctx context.Context, m *criachat.Message) error {
	m.Normalize()
	if err := m.Validate(); err != nil {
		return err
	}
	now := q.now().UTC().Truncate(timePrecision)
	if m.CreatedAt.IsZero() {
		m.CreatedAt = now
	}
	m.UpdatedAt = now
	args := []any{m.AccountID, m.InboxID, m.ConversationID, m.MessageType, m.Content, m.ContentType, jsonText(m.ContentAttributes),
		m.Private, m.Status, m.SourceID, m.SenderType, nullable(m.SenderID), m.ExternalError, micros(m.CreatedAt), micros(m.UpdatedAt)}
	if m.ID != 0 { // reserved (MessageTarget): nothing to read back, so the insert may be held
		return q.execLater(ctx, laterWrite{table: "messages", notFound: "conversation"}, `INSERT INTO messages (account_id, inbox_id, conversation_id, message_type, content,
			content_type, content_attributes, private, status, source_id, sender_type, sender_id, external_error, created_at, updated_at, id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, append(args, m.ID)...)
	}
	err := q.d.translate(q.queryRow(ctx, `INSERT INTO messages (account_id, inbox_id, conversation_id, message_type, content,
		content_type, content_attributes, private, status, source_id, sender_type, sender_id, external_error, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, args...).Scan(&m.ID))
	return foreignKeyAsNotFound(err, laterWrite{notFound: "conversation"})
}

// Message returns a message of a conversation.
func (q *Queries) Message(ctx context.Context, accountID, conversationID, id int64) (*criachat.Message, error) {
	var s messageScan
	if err := q.scanOne(q.queryRow(ctx, `SELECT `+messageColumns+` FROM messages m
		WHERE m.account_id = ? AND m.conversation_id = ? AND m.id = ?`, accountID, conversationID, id), "message", s.dest()...); err != nil {
		return nil, err
	}
	return s.message(), nil
}

// UpdateMessage saves a message's content, content type, attributes, status and external error.
func (q *Queries) UpdateMessage(ctx context.Context, m *criachat.Message) error {
	m.UpdatedAt = q.now().UTC().Truncate(timePrecision)
	res, err := q.exec(ctx, `UPDATE messages SET content = ?, content_type = ?, content_attributes = ?, status = ?,
		external_error = ?, updated_at = ? WHERE account_id = ? AND id = ?`,
		m.Content, m.ContentType, jsonText(m.ContentAttributes), m.Status, m.ExternalError, micros(m.UpdatedAt), m.AccountID, m.ID)
	if err != nil {
		return err
	}
	return affectedOne(res, "message")
}

// Messages pages a conversation's messages by id (reference §3.6): the latest
// limit, or the limit before/after a message id, or those between two ids,
// returned oldest first.
func (q *Queries) Messages(ctx context.Context, conversationID, before, after int64, limit int) ([]*criachat.Message, error) {
	var list []*criachat.Message
	var err error
	switch {
	case before > 0 && after > 0:
		list, err = q.scanMessages(q.query(ctx, `SELECT `+messageColumns+` FROM messages m
			WHERE m.conversation_id = ? AND m.id > ? AND m.id < ? ORDER BY m.id ASC LIMIT ?`, conversationID, after, before, limit))
		return list, err
	case after > 0:
		return q.scanMessages(q.query(ctx, `SELECT `+messageColumns+` FROM messages m
			WHERE m.conversation_id = ? AND m.id > ? ORDER BY m.id ASC LIMIT ?`, conversationID, after, limit))
	case before > 0:
		list, err = q.scanMessages(q.query(ctx, `SELECT `+messageColumns+` FROM messages m
			WHERE m.conversation_id = ? AND m.id < ? ORDER BY m.id DESC LIMIT ?`, conversationID, before, limit))
	default:
		list, err = q.scanMessages(q.query(ctx, `SELECT `+messageColumns+` FROM messages m
			WHERE m.conversation_id = ? ORDER BY m.id DESC LIMIT ?`, conversationID, limit))
	}
	for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
		list[i], list[j] = list[j], list[i]
	}
	return list, err
}

// LastMessages returns, for each conversation, its last message of any kind
// and its last non-activity message (which may be private), in two queries.
func (q *Queries) LastMessages(ctx context.Context, conversationIDs []int64) (last, lastNonActivity map[int64]*criachat.Message, err error) {
	last, lastNonActivity = map[int64]*criachat.Message{}, map[int64]*criachat.Message{}
	if len(conversationIDs) == 0 {
		return last, lastNonActivity, nil
	}
	in, ids := q.d.idSet(), jsonList(conversationIDs)
	all, err := q.scanMessages(q.query(ctx, `SELECT `+messageColumns+` FROM messages m WHERE m.id IN (
		SELECT MAX(x.id) FROM messages x WHERE x.conversation_id IN (`+in+`) GROUP BY x.conversation_id)`, ids))
	if err != nil {
		return nil, nil, err
	}
	for _, m := range all {
		last[m.ConversationID] = m
	}
	nonActivity, err := q.scanMessages(q.query(ctx, `SELECT `+messageColumns+` FROM messages m WHERE m.id IN (
		SELECT MAX(x.id) FROM messages x WHERE x.conversation_id IN (`+in+`) AND x.message_type <> 2 GROUP BY x.conversation_id)`, ids))
	if err != nil {
		return nil, nil, err
	}
	for _, m := range nonActivity {
		lastNonActivity[m.ConversationID] = m
	}
	return last, lastNonActivity, nil
}

// UnreadCounts counts, per conversation, incoming messages after the agent
// last saw it, capped at 10 (reference §9.12).
func (q *Queries) UnreadCounts(ctx context.Context, conversationIDs []int64) (map[int64]int, error) {
	out := map[int64]int{}
	if len(conversationIDs) == 0 {
		return out, nil
	}
	rows, err := q.query(ctx, `SELECT m.conversation_id, COUNT(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id
		WHERE m.conversation_id IN (`+q.d.idSet()+`) AND m.message_type = 0
		AND m.created_at > COALESCE(c.agent_last_seen_at, 0) GROUP BY m.conversation_id`, jsonList(conversationIDs))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = min(n, 10)
	}
	return out, rows.Err()
}

// floodGuardColumn is the creation time of conversation c's limit-th newest
// message, its argument limit-1 (see ConversationForMessage).
const floodGuardColumn = `(SELECT m.created_at FROM messages m WHERE m.conversation_id = c.id ORDER BY m.id DESC LIMIT 1 OFFSET ?)`

// ConversationForMessage is Conversation with, from the same read, whether
// the conversation already has limit messages created after since (the
// flood guard). It reads one message, the limit-th newest by id (ids grow
// with creation time), so that its cost does not grow with the conversation:
// the (conversation_id, id) index is walked backwards past limit-1 entries
// without reading their rows.
func (q *Queries) ConversationForMessage(ctx context.Context, accountID, displayID int64, since time.Time, limit int) (*criachat.Conversation, bool, error) {
	var s conversationScan
	var nth sql.NullInt64
	err := q.scanOne(q.queryRow(ctx, `SELECT `+conversationColumns+`, `+floodGuardColumn+`
		FROM conversations c WHERE c.account_id = ? AND c.display_id = ?`, max(limit, 1)-1, accountID, displayID),
		"conversation", append(s.dest(), &nth)...)
	if err != nil {
		return nil, false, err
	}
	return s.conversation(), nth.Valid && nth.Int64 > micros(since), nil
}

// SearchConversationsByMessage returns the ids of an account's conversations
// with a message matching text (all words), most recent match first. It uses
// the full-text index (FTS5 on SQLite, a GIN tsvector index on PostgreSQL)
// over all history.
func (q *Queries) SearchConversationsByMessage(ctx context.Context, accountID int64, text string, limit int) ([]int64, error) {
	match := q.d.ftsQuery(text)
	if match == "" {
		return []int64{}, nil
	}
	rows, err := q.query(ctx, q.d.messageSearch(), match, accountID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// LastIncomingAt returns when the conversation's newest incoming message was
// created, or nil when it has none.
func (q *Queries) LastIncomingAt(ctx context.Context, conversationID int64) (*time.Time, error) {
	var v sql.NullInt64
	if err := q.queryRow(ctx, `SELECT MAX(created_at) FROM messages WHERE conversation_id = ? AND message_type = 0`,
		conversationID).Scan(&v); err != nil {
		return nil, q.d.translate(err)
	}
	return optTime(v), nil
}

// LastChatMessage returns the newest message of a conversation that is
// neither an activity nor a private note (Chatwoot's messages.chat.last), as
// a list of zero or one message.
func (q *Queries) LastChatMessage(ctx context.Context, conversationID int64) ([]*criachat.Message, error) {
	return q.scanMessages(q.query(ctx, `SELECT `+messageColumns+` FROM messages m
		WHERE m.conversation_id = ? AND m.message_type <> 2 AND m.private = ? ORDER BY m.id DESC LIMIT 1`, conversationID, false))
}
