package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/criachat/criachat/internal/criachat"
)

const labelColumns = `l.id, l.account_id, l.title, l.description, l.color, l.show_on_sidebar, l.created_at, l.updated_at`

type labelScan struct {
	l                criachat.Label
	description      sql.NullString
	showOnSidebar    sql.NullBool
	created, updated int64
}

func (s *labelScan) dest() []any {
	return []any{&s.l.ID, &s.l.AccountID, &s.l.Title, &s.description, &s.l.Color, &s.showOnSidebar, &s.created, &s.updated}
}

func (s *labelScan) label() *criachat.Label {
	l := s.l
	l.Description = optString(s.description)
	if s.showOnSidebar.Valid {
		b := s.showOnSidebar.Bool
		l.ShowOnSidebar = &b
	}
	l.CreatedAt, l.UpdatedAt = fromMicros(s.created), fromMicros(s.updated)
	return &l
}

// titleTaken is Chatwoot's RecordInvalid error for a duplicate label title.
func titleTaken(err error) error {
	if errors.Is(err, ErrUnique) {
		return &criachat.Error{Code: criachat.ECONFLICT, Message: "Title has already been taken", Attributes: []string{"title"}, Err: err}
	}
	return err
}

// CreateLabel validates and inserts l. A title the account already uses is ECONFLICT.
func (q *Queries) CreateLabel(ctx context.Context, l *criachat.Label) error {
	l.Normalize()
	if err := l.Validate(); err != nil {
		return err
	}
	now := q.now().UTC().Truncate(timePrecision)
	l.CreatedAt, l.UpdatedAt = now, now
	err := q.queryRow(ctx, `INSERT INTO labels (account_id, title, description, color, show_on_sidebar, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		l.AccountID, l.Title, nullable(l.Description), l.Color, nullable(l.ShowOnSidebar), micros(now), micros(now)).Scan(&l.ID)
	return titleTaken(q.d.translate(err))
}

// Label returns one of an account's labels.
func (q *Queries) Label(ctx context.Context, accountID, id int64) (*criachat.Label, error) {
	var s labelScan
	if err := q.scanOne(q.queryRow(ctx, `SELECT `+labelColumns+` FROM labels l WHERE l.account_id = ? AND l.id = ?`,
		accountID, id), "label", s.dest()...); err != nil {
		return nil, err
	}
	return s.label(), nil
}

// Labels lists an account's labels ordered by title.
func (q *Queries) Labels(ctx context.Context, accountID int64) ([]*criachat.Label, error) {
	rows, err := q.query(ctx, `SELECT `+labelColumns+` FROM labels l WHERE l.account_id = ? ORDER BY l.title, l.id`, accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*criachat.Label{}
	for rows.Next() {
		var s labelScan
		if err := rows.Scan(s.dest()...); err != nil {
			return nil, err
		}
		out = append(out, s.label())
	}
	return out, rows.Err()
}

// UpdateLabel validates and saves every field of l.
func (q *Queries) UpdateLabel(ctx context.Context, l *criachat.Label) error {
	l.Normalize()
	if err := l.Validate(); err != nil {
		return err
	}
	l.UpdatedAt = q.now().UTC().Truncate(timePrecision)
	res, err := q.exec(ctx, `UPDATE labels SET title = ?, description = ?, color = ?, show_on_sidebar = ?, updated_at = ?
		WHERE account_id = ? AND id = ?`,
		l.Title, nullable(l.Description), l.Color, nullable(l.ShowOnSidebar), micros(l.UpdatedAt), l.AccountID, l.ID)
	if err != nil {
		return titleTaken(err)
	}
	return affectedOne(res, "label")
}

// DeleteLabel deletes one of an account's labels.
func (q *Queries) DeleteLabel(ctx context.Context, accountID, id int64) error {
	res, err := q.exec(ctx, `DELETE FROM labels WHERE account_id = ? AND id = ?`, accountID, id)
	if err != nil {
		return err
	}
	return affectedOne(res, "label")
}
