package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/criachat/criachat/internal/criachat"
)

const customFilterColumns = `f.id, f.account_id, f.user_id, f.name, f.filter_type, f.query, f.created_at, f.updated_at`

type customFilterScan struct {
	f                criachat.CustomFilter
	query            []byte
	created, updated int64
}

func (s *customFilterScan) dest() []any {
	return []any{&s.f.ID, &s.f.AccountID, &s.f.UserID, &s.f.Name, &s.f.FilterType, &s.query, &s.created, &s.updated}
}

func (s *customFilterScan) filter() *criachat.CustomFilter {
	f := s.f
	f.Query = jsonMap[any](s.query)
	f.CreatedAt, f.UpdatedAt = fromMicros(s.created), fromMicros(s.updated)
	return &f
}

// CreateCustomFilter validates and inserts f for its user, refusing the
// filter beyond criachat.MaxCustomFiltersPerUser in the account. It must run
// inside Store.Tx: the user's membership row is locked so that concurrent
// creates count one after another. A user who is not a member is ENOTFOUND.
func (q *Queries) CreateCustomFilter(ctx context.Context, f *criachat.CustomFilter) error {
	f.Normalize()
	if err := f.Validate(); err != nil {
		return err
	}
	var memberID int64
	if err := q.scanOne(q.queryRow(ctx, `SELECT id FROM account_users WHERE account_id = ? AND user_id = ?`+q.d.forUpdate(),
		f.AccountID, f.UserID), "account user", &memberID); err != nil {
		return err
	}
	var n int
	if err := q.queryRow(ctx, `SELECT COUNT(*) FROM custom_filters WHERE account_id = ? AND user_id = ?`,
		f.AccountID, f.UserID).Scan(&n); err != nil {
		return q.d.translate(err)
	}
	if n >= criachat.MaxCustomFiltersPerUser {
		return criachat.Invalid(fmt.Sprintf("Account Limit reached. The maximum number of allowed custom filters for a user per account is %d.",
			criachat.MaxCustomFiltersPerUser), "account_id")
	}
	now := q.now().UTC().Truncate(timePrecision)
	f.CreatedAt, f.UpdatedAt = now, now
	err := q.queryRow(ctx, `INSERT INTO custom_filters (account_id, user_id, name, filter_type, query, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		f.AccountID, f.UserID, f.Name, f.FilterType, jsonText(f.Query), micros(now), micros(now)).Scan(&f.ID)
	if err = q.d.translate(err); errors.Is(err, ErrForeignKey) {
		return &criachat.Error{Code: criachat.ENOTFOUND, Message: "account user not found", Err: err}
	}
	return err
}

// CustomFilter returns one of a user's filters in an account; another user's
// filter is ENOTFOUND.
func (q *Queries) CustomFilter(ctx context.Context, accountID, userID, id int64) (*criachat.CustomFilter, error) {
	var s customFilterScan
	if err := q.scanOne(q.queryRow(ctx, `SELECT `+customFilterColumns+` FROM custom_filters f
		WHERE f.account_id = ? AND f.user_id = ? AND f.id = ?`, accountID, userID, id), "custom filter", s.dest()...); err != nil {
		return nil, err
	}
	return s.filter(), nil
}

// CustomFilters lists a user's filters of one type in an account, by id.
func (q *Queries) CustomFilters(ctx context.Context, accountID, userID int64, typ criachat.FilterType) ([]*criachat.CustomFilter, error) {
	rows, err := q.query(ctx, `SELECT `+customFilterColumns+` FROM custom_filters f
		WHERE f.account_id = ? AND f.user_id = ? AND f.filter_type = ? ORDER BY f.id`, accountID, userID, string(typ))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*criachat.CustomFilter{}
	for rows.Next() {
		var s customFilterScan
		if err := rows.Scan(s.dest()...); err != nil {
			return nil, err
		}
		out = append(out, s.filter())
	}
	return out, rows.Err()
}

// UpdateCustomFilter validates and saves f's name, type and query.
func (q *Queries) UpdateCustomFilter(ctx context.Context, f *criachat.CustomFilter) error {
	f.Normalize()
	if err := f.Validate(); err != nil {
		return err
	}
	f.UpdatedAt = q.now().UTC().Truncate(timePrecision)
	res, err := q.exec(ctx, `UPDATE custom_filters SET name = ?, filter_type = ?, query = ?, updated_at = ?
		WHERE account_id = ? AND user_id = ? AND id = ?`,
		f.Name, f.FilterType, jsonText(f.Query), micros(f.UpdatedAt), f.AccountID, f.UserID, f.ID)
	if err != nil {
		return err
	}
	return affectedOne(res, "custom filter")
}

// DeleteCustomFilter deletes one of a user's filters in an account.
func (q *Queries) DeleteCustomFilter(ctx context.Context, accountID, userID, id int64) error {
	res, err := q.exec(ctx, `DELETE FROM custom_filters WHERE account_id = ? AND user_id = ? AND id = ?`, accountID, userID, id)
	if err != nil {
		return err
	}
	return affectedOne(res, "custom filter")
}
