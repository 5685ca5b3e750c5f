package store

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/criachat/criachat/internal/criachat"
)

const attachmentColumns = `a.id, a.account_id, a.message_id, a.file_type, a.storage_key, a.filename, a.content_type,
	a.extension, a.file_size, a.width, a.height, a.created_at`

type attachmentScan struct {
	a             criachat.Attachment
	extension     sql.NullString
	width, height sql.NullInt64
	created       int64
}

func (s *attachmentScan) dest() []any {
	return []any{&s.a.ID, &s.a.AccountID, &s.a.MessageID, &s.a.FileType, &s.a.StorageKey, &s.a.Filename, &s.a.ContentType,
		&s.extension, &s.a.FileSize, &s.width, &s.height, &s.created}
}

func (s *attachmentScan) attachment() *criachat.Attachment {
	a := s.a
	a.Extension = s.extension.String
	a.Width, a.Height = optIntPtr(s.width), optIntPtr(s.height)
	a.CreatedAt = fromMicros(s.created)
	return &a
}

func optIntPtr(v sql.NullInt64) *int {
	if !v.Valid {
		return nil
	}
	n := int(v.Int64)
	return &n
}

func nullIntPtr(p *int) any {
	if p == nil {
		return nil
	}
	return int64(*p)
}

func (q *Queries) scanAttachments(rows *sql.Rows, err error) ([]*criachat.Attachment, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*criachat.Attachment{}
	for rows.Next() {
		var s attachmentScan
		if err := rows.Scan(s.dest()...); err != nil {
			return nil, err
		}
		out = append(out, s.attachment())
	}
	return out, rows.Err()
}

// CreateAttachment validates and inserts a. The message must belong to
// a.AccountID (the composite foreign key refuses anything else).
func (q *Queries) CreateAttachment(ctx context.Context, a *criachat.Attachment) error {
	if err := a.Validate(); err != nil {
		return err
	}
	a.CreatedAt = q.now().UTC().Truncate(timePrecision)
	var ext any
	if a.Extension != "" {
		ext = a.Extension
	}
	return q.d.translate(q.queryRow(ctx, `INSERT INTO attachments (account_id, message_id, file_type, storage_key, filename,
		content_type, extension, file_size, width, height, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		a.AccountID, a.MessageID, a.FileType, a.StorageKey, a.Filename, a.ContentType, ext, a.FileSize,
		nullIntPtr(a.Width), nullIntPtr(a.Height), micros(a.CreatedAt)).Scan(&a.ID))
}

// LoadAttachments sets the Attachments of each message (nil when it has
// none) with one query for all of them. The messages must belong to the account.
func (q *Queries) LoadAttachments(ctx context.Context, accountID int64, msgs ...*criachat.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	byID := make(map[int64]*criachat.Message, len(msgs))
	ids := make([]int64, 0, len(msgs))
	for _, m := range msgs {
		if m == nil {
			continue
		}
		m.Attachments = nil
		if _, seen := byID[m.ID]; !seen {
			ids = append(ids, m.ID)
		}
		byID[m.ID] = m
	}
	list, err := q.scanAttachments(q.query(ctx, q.withIDs(`SELECT `+attachmentColumns+` FROM attachments a
		WHERE a.account_id = ? AND a.message_id IN (`+idsToken+`) ORDER BY a.id`), accountID, jsonList(ids)))
	if err != nil {
		return err
	}
	for _, a := range list {
		m := byID[a.MessageID]
		m.Attachments = append(m.Attachments, a)
	}
	// The same message may appear twice (a conversation's last message is
	// often also its last non-activity message): give every copy the list.
	for _, m := range msgs {
		if m != nil {
			m.Attachments = byID[m.ID].Attachments
		}
	}
	return nil
}

// ConversationAttachment is an attachment with its message, as a
// conversation's attachment list shows them (the message's time and sender).
type ConversationAttachment struct {
	Attachment *criachat.Attachment
	Message    *criachat.Message
}

// ConversationAttachments pages a conversation's attachments, newest first,
// each with its message, in one query.
func (q *Queries) ConversationAttachments(ctx context.Context, accountID, conversationID int64, limit, offset int) ([]ConversationAttachment, error) {
	rows, err := q.query(ctx, `SELECT `+attachmentColumns+`, `+messageColumns+` FROM attachments a
		JOIN messages m ON m.account_id = a.account_id AND m.id = a.message_id
		WHERE a.account_id = ? AND m.conversation_id = ? ORDER BY a.id DESC LIMIT ? OFFSET ?`,
		accountID, conversationID, limit, offset)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []ConversationAttachment{}
	for rows.Next() {
		var as attachmentScan
		var ms messageScan
		if err := rows.Scan(append(as.dest(), ms.dest()...)...); err != nil {
			return nil, err
		}
		out = append(out, ConversationAttachment{Attachment: as.attachment(), Message: ms.message()})
	}
	return out, rows.Err()
}

// CountConversationAttachments counts a conversation's attachments.
func (q *Queries) CountConversationAttachments(ctx context.Context, accountID, conversationID int64) (int64, error) {
	var n int64
	err := q.queryRow(ctx, `SELECT COUNT(*) FROM attachments a JOIN messages m ON m.account_id = a.account_id AND m.id = a.message_id
		WHERE a.account_id = ? AND m.conversation_id = ?`, accountID, conversationID).Scan(&n)
	return n, q.d.translate(err)
}

// SignedAttachment returns an attachment by id alone. It is the one lookup
// not scoped by account: it serves the file URLs handed to browsers, whose
// signature over the id has been checked before (the URL is the credential).
func (q *Queries) SignedAttachment(ctx context.Context, id int64) (*criachat.Attachment, error) {
	var s attachmentScan
	if err := q.scanOne(q.queryRow(ctx, `SELECT `+attachmentColumns+` FROM attachments a WHERE a.id = ?`, id),
		"attachment", s.dest()...); err != nil {
		return nil, err
	}
	return s.attachment(), nil
}

// DeleteMessageAttachments deletes a message's attachment rows and returns
// them, so that the caller can remove their files once the transaction commits.
func (q *Queries) DeleteMessageAttachments(ctx context.Context, accountID, messageID int64) ([]*criachat.Attachment, error) {
	list, err := q.scanAttachments(q.query(ctx, `SELECT `+attachmentColumns+` FROM attachments a
		WHERE a.account_id = ? AND a.message_id = ? ORDER BY a.id`, accountID, messageID))
	if err != nil || len(list) == 0 {
		return list, err
	}
	_, err = q.exec(ctx, `DELETE FROM attachments WHERE account_id = ? AND message_id = ?`, accountID, messageID)
	return list, err
}

// ConversationStorageKeys lists the storage keys of a conversation's
// attachments (to remove the files when the conversation is deleted).
func (q *Queries) ConversationStorageKeys(ctx context.Context, accountID, conversationID int64) ([]string, error) {
	return q.stringColumn(ctx, `SELECT a.storage_key FROM attachments a JOIN messages m ON m.account_id = a.account_id AND m.id = a.message_id
		WHERE a.account_id = ? AND m.conversation_id = ? ORDER BY a.id`, accountID, conversationID)
}

// ReferencedStorageKeys returns which of keys some attachment of the account
// still names (the file sweeper removes the others).
func (q *Queries) ReferencedStorageKeys(ctx context.Context, accountID int64, keys []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(keys) == 0 {
		return out, nil
	}
	raw, err := json.Marshal(keys)
	if err != nil {
		return nil, err
	}
	found, err := q.stringColumn(ctx, `SELECT a.storage_key FROM attachments a
		WHERE a.account_id = ? AND a.storage_key IN (`+q.d.textSet()+`)`, accountID, string(raw))
	if err != nil {
		return nil, err
	}
	for _, k := range found {
		out[k] = true
	}
	return out, nil
}

func (q *Queries) stringColumn(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
