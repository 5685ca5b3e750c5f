package store

import (
	"context"
	"errors"

	"github.com/criachat/criachat/internal/criachat"
)

// SetAccessToken stores t as its owner's only access token, replacing any
// earlier one (Chatwoot: one token per owner, rotated by reset_access_token).
func (q *Queries) SetAccessToken(ctx context.Context, t *criachat.AccessToken) error {
	t.CreatedAt = q.now().UTC().Truncate(timePrecision)
	if _, err := q.exec(ctx, `DELETE FROM access_tokens WHERE owner_type = ? AND owner_id = ?`, t.OwnerType, t.OwnerID); err != nil {
		return err
	}
	return q.d.translate(q.queryRow(ctx, `INSERT INTO access_tokens (owner_type, owner_id, hash, encrypted, created_at)
		VALUES (?, ?, ?, ?, ?) RETURNING id`, t.OwnerType, t.OwnerID, t.Hash, t.Encrypted, micros(t.CreatedAt)).Scan(&t.ID))
}

// AccessTokenByHash finds a token by the hash of its plaintext.
func (q *Queries) AccessTokenByHash(ctx context.Context, hash string) (*criachat.AccessToken, error) {
	t := &criachat.AccessToken{}
	var created int64
	if err := q.scanOne(q.queryRow(ctx, `SELECT id, owner_type, owner_id, hash, encrypted, created_at
		FROM access_tokens WHERE hash = ?`, hash), "access token", &t.ID, &t.OwnerType, &t.OwnerID, &t.Hash, &t.Encrypted, &created); err != nil {
		return nil, err
	}
	t.CreatedAt = fromMicros(created)
	return t, nil
}

// AccessTokenOf returns an owner's token.
func (q *Queries) AccessTokenOf(ctx context.Context, ownerType string, ownerID int64) (*criachat.AccessToken, error) {
	t := &criachat.AccessToken{}
	var created int64
	if err := q.scanOne(q.queryRow(ctx, `SELECT id, owner_type, owner_id, hash, encrypted, created_at
		FROM access_tokens WHERE owner_type = ? AND owner_id = ?`, ownerType, ownerID),
		"access token", &t.ID, &t.OwnerType, &t.OwnerID, &t.Hash, &t.Encrypted, &created); err != nil {
		return nil, err
	}
	t.CreatedAt = fromMicros(created)
	return t, nil
}

// maxSessions is devise_token_auth's max_number_of_devices in Chatwoot.
const maxSessions = 25

// CreateSession stores a dashboard login and drops the user's oldest sessions
// beyond the device limit.
func (q *Queries) CreateSession(ctx context.Context, s *criachat.Session) error {
	s.CreatedAt = q.now().UTC().Truncate(timePrecision)
	err := q.queryRow(ctx, `INSERT INTO sessions (user_id, client, token_hash, expires_at, created_at)
		VALUES (?, ?, ?, ?, ?) RETURNING id`, s.UserID, s.Client, s.TokenHash, micros(s.ExpiresAt), micros(s.CreatedAt)).Scan(&s.ID)
	if err = q.d.translate(err); errors.Is(err, ErrUnique) {
		return &criachat.Error{Code: criachat.ECONFLICT, Message: "session client already exists", Err: err}
	} else if err != nil {
		return err
	}
	_, err = q.exec(ctx, `DELETE FROM sessions WHERE user_id = ? AND id NOT IN (
		SELECT id FROM sessions WHERE user_id = ? ORDER BY created_at DESC, id DESC LIMIT ?)`, s.UserID, s.UserID, maxSessions)
	return err
}

// Session returns a user's session for a client.
func (q *Queries) Session(ctx context.Context, userID int64, client string) (*criachat.Session, error) {
	s := &criachat.Session{}
	var expires, created int64
	if err := q.scanOne(q.queryRow(ctx, `SELECT id, user_id, client, token_hash, expires_at, created_at FROM sessions
		WHERE user_id = ? AND client = ?`, userID, client), "session", &s.ID, &s.UserID, &s.Client, &s.TokenHash, &expires, &created); err != nil {
		return nil, err
	}
	s.ExpiresAt, s.CreatedAt = fromMicros(expires), fromMicros(created)
	return s, nil
}

// DeleteSession ends a dashboard login.
func (q *Queries) DeleteSession(ctx context.Context, userID int64, client string) error {
	res, err := q.exec(ctx, `DELETE FROM sessions WHERE user_id = ? AND client = ?`, userID, client)
	if err != nil {
		return err
	}
	return affectedOne(res, "session")
}

// DeleteSessionsOf ends every dashboard login of a user (after a password change).
func (q *Queries) DeleteSessionsOf(ctx context.Context, userID int64) error {
	_, err := q.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
	return err
}

// UserByTokenHash finds a user's access token by hash together with the user,
// in one query: the hot path of every token-authenticated request. Tokens of
// other owners are not found here (see AccessTokenByHash).
func (q *Queries) UserByTokenHash(ctx context.Context, hash string) (*criachat.AccessToken, *criachat.User, error) {
	t := &criachat.AccessToken{}
	var created int64
	var us userScan
	row := q.queryRow(ctx, `SELECT t.id, t.owner_type, t.owner_id, t.hash, t.encrypted, t.created_at, `+userColumns+`
		FROM access_tokens t JOIN users u ON u.id = t.owner_id WHERE t.hash = ? AND t.owner_type = ?`, hash, criachat.OwnerUser)
	if err := q.scanOne(row, "access token", append([]any{&t.ID, &t.OwnerType, &t.OwnerID, &t.Hash, &t.Encrypted, &created}, us.dest()...)...); err != nil {
		return nil, nil, err
	}
	t.CreatedAt = fromMicros(created)
	return t, us.user(), nil
}
