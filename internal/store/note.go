package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/criachat/criachat/internal/criachat"
)

const noteColumns = `n.id, n.account_id, n.contact_id, n.user_id, n.content, n.created_at, n.updated_at`

type noteScan struct {
	n                criachat.Note
	user             sql.NullInt64
	created, updated int64
}

func (s *noteScan) dest() []any {
	return []any{&s.n.ID, &s.n.AccountID, &s.n.ContactID, &s.user, &s.n.Content, &s.created, &s.updated}
}

func (s *noteScan) note() *criachat.Note {
	n := s.n
	n.UserID = optInt(s.user)
	n.CreatedAt, n.UpdatedAt = fromMicros(s.created), fromMicros(s.updated)
	return &n
}

// CreateNote validates and inserts a note on a contact of the account.
func (q *Queries) CreateNote(ctx context.Context, n *criachat.Note) error {
	if err := n.Validate(); err != nil {
		return err
	}
	if _, err := q.Contact(ctx, n.AccountID, n.ContactID); err != nil {
		return err
	}
	now := q.now().UTC().Truncate(timePrecision)
	n.CreatedAt, n.UpdatedAt = now, now
	err := q.queryRow(ctx, `INSERT INTO notes (account_id, contact_id, user_id, content, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		n.AccountID, n.ContactID, nullable(n.UserID), n.Content, micros(now), micros(now)).Scan(&n.ID)
	if err = q.d.translate(err); errors.Is(err, ErrForeignKey) {
		return &criachat.Error{Code: criachat.ENOTFOUND, Message: "contact or user not found", Err: err}
	}
	return err
}

// Note returns a note of a contact of the account.
func (q *Queries) Note(ctx context.Context, accountID, contactID, id int64) (*criachat.Note, error) {
	var s noteScan
	row := q.queryRow(ctx, `SELECT `+noteColumns+` FROM notes n WHERE n.account_id = ? AND n.contact_id = ? AND n.id = ?`,
		accountID, contactID, id)
	if err := q.scanOne(row, "note", s.dest()...); err != nil {
		return nil, err
	}
	return s.note(), nil
}

// Notes lists a contact's notes, the latest first.
func (q *Queries) Notes(ctx context.Context, accountID, contactID int64) ([]*criachat.Note, error) {
	rows, err := q.query(ctx, `SELECT `+noteColumns+` FROM notes n WHERE n.account_id = ? AND n.contact_id = ?
		ORDER BY n.created_at DESC, n.id DESC`, accountID, contactID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*criachat.Note{}
	for rows.Next() {
		var s noteScan
		if err := rows.Scan(s.dest()...); err != nil {
			return nil, err
		}
		out = append(out, s.note())
	}
	return out, rows.Err()
}

// NoteAuthors returns the authors of a contact's notes who are still members
// of the account, by user id: one query for the whole list.
func (q *Queries) NoteAuthors(ctx context.Context, accountID, contactID int64) (map[int64]criachat.Agent, error) {
	rows, err := q.query(ctx, `SELECT `+userColumns+`, `+memberColumns+` FROM account_users m
		JOIN users u ON u.id = m.user_id
		WHERE m.account_id = ? AND m.user_id IN (SELECT n.user_id FROM notes n WHERE n.account_id = ? AND n.contact_id = ?)`,
		accountID, accountID, contactID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]criachat.Agent{}
	for rows.Next() {
		var us userScan
		var ms memberScan
		if err := rows.Scan(append(us.dest(), ms.dest()...)...); err != nil {
			return nil, err
		}
		out[us.u.ID] = criachat.Agent{User: us.user(), Member: ms.member()}
	}
	return out, rows.Err()
}

// UpdateNote validates and saves a note's content.
func (q *Queries) UpdateNote(ctx context.Context, n *criachat.Note) error {
	if err := n.Validate(); err != nil {
		return err
	}
	n.UpdatedAt = q.now().UTC().Truncate(timePrecision)
	res, err := q.exec(ctx, `UPDATE notes SET content = ?, updated_at = ? WHERE account_id = ? AND contact_id = ? AND id = ?`,
		n.Content, micros(n.UpdatedAt), n.AccountID, n.ContactID, n.ID)
	if err != nil {
		return err
	}
	return affectedOne(res, "note")
}

// DeleteNote deletes a note of a contact of the account.
func (q *Queries) DeleteNote(ctx context.Context, accountID, contactID, id int64) error {
	res, err := q.exec(ctx, `DELETE FROM notes WHERE account_id = ? AND contact_id = ? AND id = ?`, accountID, contactID, id)
	if err != nil {
		return err
	}
	return affectedOne(res, "note")
}
