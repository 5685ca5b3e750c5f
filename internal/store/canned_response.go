package store

import (
	"context"
	"errors"
	"slices"

	"github.com/criachat/criachat/internal/criachat"
)

const cannedColumns = `c.id, c.account_id, c.short_code, c.content, c.created_at, c.updated_at`

type cannedScan struct {
	c                criachat.CannedResponse
	created, updated int64
}

func (s *cannedScan) dest() []any {
	return []any{&s.c.ID, &s.c.AccountID, &s.c.ShortCode, &s.c.Content, &s.created, &s.updated}
}

func (s *cannedScan) canned() *criachat.CannedResponse {
	c := s.c
	c.CreatedAt, c.UpdatedAt = fromMicros(s.created), fromMicros(s.updated)
	return &c
}

// shortCodeTaken is Chatwoot's RecordInvalid error for a duplicate short code.
func shortCodeTaken(err error) error {
	if errors.Is(err, ErrUnique) {
		return &criachat.Error{Code: criachat.ECONFLICT, Message: "Short code has already been taken", Attributes: []string{"short_code"}, Err: err}
	}
	return err
}

// CreateCannedResponse validates and inserts c. A short code the account
// already uses is ECONFLICT.
func (q *Queries) CreateCannedResponse(ctx context.Context, c *criachat.CannedResponse) error {
	if err := c.Validate(); err != nil {
		return err
	}
	now := q.now().UTC().Truncate(timePrecision)
	c.CreatedAt, c.UpdatedAt = now, now
	err := q.queryRow(ctx, `INSERT INTO canned_responses (account_id, short_code, content, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?) RETURNING id`, c.AccountID, c.ShortCode, c.Content, micros(now), micros(now)).Scan(&c.ID)
	return shortCodeTaken(q.d.translate(err))
}

// CannedResponse returns one of an account's canned responses.
func (q *Queries) CannedResponse(ctx context.Context, accountID, id int64) (*criachat.CannedResponse, error) {
	var s cannedScan
	if err := q.scanOne(q.queryRow(ctx, `SELECT `+cannedColumns+` FROM canned_responses c WHERE c.account_id = ? AND c.id = ?`,
		accountID, id), "canned response", s.dest()...); err != nil {
		return nil, err
	}
	return s.canned(), nil
}

// CannedResponses lists an account's canned responses by id. With a search
// term it keeps those whose short code or content contains it
// (case-insensitively) and ranks them as Chatwoot does
// (criachat.CannedResponseRank), ties by id. Matching runs in Go so that case
// folding is the same Unicode folding on both databases.
func (q *Queries) CannedResponses(ctx context.Context, accountID int64, search string) ([]*criachat.CannedResponse, error) {
	rows, err := q.query(ctx, `SELECT `+cannedColumns+` FROM canned_responses c WHERE c.account_id = ? ORDER BY c.id`, accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*criachat.CannedResponse{}
	rank := map[int64]int{}
	for rows.Next() {
		var s cannedScan
		if err := rows.Scan(s.dest()...); err != nil {
			return nil, err
		}
		c := s.canned()
		if search != "" {
			r := criachat.CannedResponseRank(c, search)
			if r == 0 {
				continue
			}
			rank[c.ID] = r
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if search != "" {
		slices.SortStableFunc(out, func(a, b *criachat.CannedResponse) int { return rank[b.ID] - rank[a.ID] })
	}
	return out, nil
}

// UpdateCannedResponse validates and saves every field of c.
func (q *Queries) UpdateCannedResponse(ctx context.Context, c *criachat.CannedResponse) error {
	if err := c.Validate(); err != nil {
		return err
	}
	c.UpdatedAt = q.now().UTC().Truncate(timePrecision)
	res, err := q.exec(ctx, `UPDATE canned_responses SET short_code = ?, content = ?, updated_at = ? WHERE account_id = ? AND id = ?`,
		c.ShortCode, c.Content, micros(c.UpdatedAt), c.AccountID, c.ID)
	if err != nil {
		return shortCodeTaken(err)
	}
	return affectedOne(res, "canned response")
}

// DeleteCannedResponse deletes one of an account's canned responses.
func (q *Queries) DeleteCannedResponse(ctx context.Context, accountID, id int64) error {
	res, err := q.exec(ctx, `DELETE FROM canned_responses WHERE account_id = ? AND id = ?`, accountID, id)
	if err != nil {
		return err
	}
	return affectedOne(res, "canned response")
}
