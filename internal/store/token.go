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
	_, err := q.exec(ctx, `DELETE FROM access_tokens WHERE owner_type = ? AND owner_id = ?`, t.OwnerType, t.OwnerID)
	q.authChanged()
	if err != nil {
		return err
	}
	return q.d.translate(q.queryRow(ctx, `INSERT INTO access_tokens (owner_type, owner_id, hash, encrypted, created_at)
		VALUES (?, ?, ?, ?, ?) RETURNING id`, t.OwnerType, t.OwnerID, t.Hash, t.Encrypted, micros(t.CreatedAt)).Scan(&t.ID))
}

const tokenColumns = `t.id, t.owner_type, t.owner_id, t.hash, t.encrypted, t.created_at`

type tokenScan struct {
	t       criachat.AccessToken
	created int64
}

func (s *tokenScan) dest() []any {
	return []any{&s.t.ID, &s.t.OwnerType, &s.t.OwnerID, &s.t.Hash, &s.t.Encrypted, &s.created}
}

func (s *tokenScan) token() *criachat.AccessToken {
	t := s.t
	t.CreatedAt = fromMicros(s.created)
	return &t
}

// AccessTokenByHash finds a token by the hash of its plaintext.
func (q *Queries) AccessTokenByHash(ctx context.Context, hash string) (*criachat.AccessToken, error) {
	var s tokenScan
	if err := q.scanOne(q.queryRow(ctx, `SELECT `+tokenColumns+` FROM access_tokens t WHERE t.hash = ?`, hash),
		"access token", s.dest()...); err != nil {
		return nil, err
	}
	return s.token(), nil
}

// AccessTokenOf returns an owner's token.
func (q *Queries) AccessTokenOf(ctx context.Context, ownerType string, ownerID int64) (*criachat.AccessToken, error) {
	var s tokenScan
	if err := q.scanOne(q.queryRow(ctx, `SELECT `+tokenColumns+` FROM access_tokens t WHERE t.owner_type = ? AND t.owner_id = ?`,
		ownerType, ownerID), "access token", s.dest()...); err != nil {
		return nil, err
	}
	return s.token(), nil
}

// AccessTokensOf returns the tokens of several owners of one type, by owner
// id (listing agent bots shows each one's token).
func (q *Queries) AccessTokensOf(ctx context.Context, ownerType string, ownerIDs []int64) (map[int64]*criachat.AccessToken, error) {
	out := make(map[int64]*criachat.AccessToken, len(ownerIDs))
	if len(ownerIDs) == 0 {
		return out, nil
	}
	rows, err := q.query(ctx, q.withIDs(`SELECT `+tokenColumns+` FROM access_tokens t
		WHERE t.owner_type = ? AND t.owner_id IN (`+idsToken+`)`), ownerType, jsonList(ownerIDs))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var s tokenScan
		if err := rows.Scan(s.dest()...); err != nil {
			return nil, err
		}
		out[s.t.OwnerID] = s.token()
	}
	return out, rows.Err()
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

// MemberByTokenHash returns the user owning a user access token together
// with their membership (and its account) of accountID, in one query: the
// path of every Application API request (through Store.MemberByTokenHash,
// which caches it). ENOTFOUND when the token is not a user's or the user is
// not a member; callers then tell those cases apart.
func (q *Queries) MemberByTokenHash(ctx context.Context, hash string, accountID int64) (*criachat.AccessToken, *criachat.User, *criachat.AccountUser, error) {
	var ts tokenScan
	var us userScan
	var ms memberScan
	var as accountScan
	row := q.queryRow(ctx, `SELECT `+tokenColumns+`, `+userColumns+`, `+memberColumns+`, `+accountColumns+`
		FROM access_tokens t JOIN users u ON u.id = t.owner_id
		JOIN account_users m ON m.user_id = u.id AND m.account_id = ?
		JOIN accounts a ON a.id = m.account_id
		WHERE t.hash = ? AND t.owner_type = ?`, accountID, hash, criachat.OwnerUser)
	dest := append(append(append(ts.dest(), us.dest()...), ms.dest()...), as.dest()...)
	if err := q.scanOne(row, "account user", dest...); err != nil {
		return nil, nil, nil, err
	}
	m := ms.member()
	m.Account = as.account()
	return ts.token(), us.user(), m, nil
}

// UserByTokenHash finds a user's access token by hash together with the user,
// in one query: the hot path of every token-authenticated request. Tokens of
// other owners are not found here (see AccessTokenByHash).
func (q *Queries) UserByTokenHash(ctx context.Context, hash string) (*criachat.AccessToken, *criachat.User, error) {
	var ts tokenScan
	var us userScan
	row := q.queryRow(ctx, `SELECT `+tokenColumns+`, `+userColumns+`
		FROM access_tokens t JOIN users u ON u.id = t.owner_id WHERE t.hash = ? AND t.owner_type = ?`, hash, criachat.OwnerUser)
	if err := q.scanOne(row, "access token", append(ts.dest(), us.dest()...)...); err != nil {
		return nil, nil, err
	}
	return ts.token(), us.user(), nil
}
