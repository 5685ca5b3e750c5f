package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/criachat/criachat/internal/criachat"
)

const userColumns = `u.id, u.name, u.display_name, u.email, u.password_hash, u.message_signature, u.ui_settings,
	u.custom_attributes, u.pubsub_token, u.confirmed_at, u.created_at, u.updated_at`

type userScan struct {
	u                criachat.User
	ui, custom       []byte
	confirmed        sql.NullInt64
	created, updated int64
}

func (s *userScan) dest() []any {
	return []any{&s.u.ID, &s.u.Name, &s.u.DisplayName, &s.u.Email, &s.u.PasswordHash, &s.u.MessageSignature,
		&s.ui, &s.custom, &s.u.PubsubToken, &s.confirmed, &s.created, &s.updated}
}

func (s *userScan) user() *criachat.User {
	u := s.u
	u.UISettings = jsonMap[any](s.ui)
	u.CustomAttributes = jsonMap[any](s.custom)
	u.ConfirmedAt = optTime(s.confirmed)
	u.CreatedAt, u.UpdatedAt = fromMicros(s.created), fromMicros(s.updated)
	return &u
}

// emailTaken is Chatwoot's RecordInvalid error for a duplicate email.
func emailTaken(err error) error {
	if errors.Is(err, ErrUnique) {
		return &criachat.Error{Code: criachat.ECONFLICT, Message: "Email has already been taken", Attributes: []string{"email"}, Err: err}
	}
	return err
}

// CreateUser validates and inserts u. A taken email is ECONFLICT.
func (q *Queries) CreateUser(ctx context.Context, u *criachat.User) error {
	u.Normalize()
	if err := u.Validate(); err != nil {
		return err
	}
	now := q.now().UTC().Truncate(timePrecision)
	u.CreatedAt, u.UpdatedAt = now, now
	err := q.queryRow(ctx, `INSERT INTO users (name, display_name, email, password_hash, message_signature, ui_settings,
		custom_attributes, pubsub_token, confirmed_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		u.Name, u.DisplayName, u.Email, u.PasswordHash, u.MessageSignature, jsonText(u.UISettings),
		jsonText(u.CustomAttributes), u.PubsubToken, nullMicros(u.ConfirmedAt), micros(now), micros(now)).Scan(&u.ID)
	return emailTaken(q.d.translate(err))
}

// User returns the user with the given id.
func (q *Queries) User(ctx context.Context, id int64) (*criachat.User, error) {
	var s userScan
	if err := q.scanOne(q.queryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = ?`, id), "user", s.dest()...); err != nil {
		return nil, err
	}
	return s.user(), nil
}

// UserByEmail returns the user with the given email, compared case-insensitively.
func (q *Queries) UserByEmail(ctx context.Context, email string) (*criachat.User, error) {
	var s userScan
	if err := q.scanOne(q.queryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.email = ?`,
		criachat.NormalizeEmail(email)), "user", s.dest()...); err != nil {
		return nil, err
	}
	return s.user(), nil
}

// UpdateUser validates and saves every field of u.
func (q *Queries) UpdateUser(ctx context.Context, u *criachat.User) error {
	u.Normalize()
	if err := u.Validate(); err != nil {
		return err
	}
	u.UpdatedAt = q.now().UTC().Truncate(timePrecision)
	res, err := q.exec(ctx, `UPDATE users SET name = ?, display_name = ?, email = ?, password_hash = ?,
		message_signature = ?, ui_settings = ?, custom_attributes = ?, confirmed_at = ?, updated_at = ? WHERE id = ?`,
		u.Name, u.DisplayName, u.Email, u.PasswordHash, u.MessageSignature, jsonText(u.UISettings),
		jsonText(u.CustomAttributes), nullMicros(u.ConfirmedAt), micros(u.UpdatedAt), u.ID)
	q.authChanged()
	if err != nil {
		return emailTaken(err)
	}
	return affectedOne(res, "user")
}

// DeleteUser deletes a user, their memberships, sessions and access token,
// and forgets which platform app managed them.
func (q *Queries) DeleteUser(ctx context.Context, id int64) error {
	_, err := q.exec(ctx, `DELETE FROM access_tokens WHERE owner_type = ? AND owner_id = ?`, criachat.OwnerUser, id)
	q.authChanged()
	if err != nil {
		return err
	}
	if err := q.removePermissibles(ctx, PermissibleUser, id); err != nil {
		return err
	}
	res, err := q.exec(ctx, `DELETE FROM users WHERE id = ?`, id)
	q.authChanged()
	if err != nil {
		return err
	}
	return affectedOne(res, "user")
}

const memberColumns = `m.id, m.account_id, m.user_id, m.role, m.availability, m.auto_offline, m.inviter_id,
	m.active_at, m.created_at, m.updated_at`

type memberScan struct {
	m                 criachat.AccountUser
	inviter, activeAt sql.NullInt64
	created, updated  int64
}

func (s *memberScan) dest() []any {
	return []any{&s.m.ID, &s.m.AccountID, &s.m.UserID, &s.m.Role, &s.m.Availability, &s.m.AutoOffline,
		&s.inviter, &s.activeAt, &s.created, &s.updated}
}

func (s *memberScan) member() *criachat.AccountUser {
	m := s.m
	m.InviterID = optInt(s.inviter)
	m.ActiveAt = optTime(s.activeAt)
	m.CreatedAt, m.UpdatedAt = fromMicros(s.created), fromMicros(s.updated)
	return &m
}

// CreateAccountUser validates and inserts a membership. A duplicate is ECONFLICT.
func (q *Queries) CreateAccountUser(ctx context.Context, m *criachat.AccountUser) error {
	m.Normalize()
	if err := m.Validate(); err != nil {
		return err
	}
	now := q.now().UTC().Truncate(timePrecision)
	m.CreatedAt, m.UpdatedAt = now, now
	err := q.queryRow(ctx, `INSERT INTO account_users (account_id, user_id, role, availability, auto_offline, inviter_id,
		active_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		m.AccountID, m.UserID, m.Role, m.Availability, m.AutoOffline, nullable(m.InviterID), nullMicros(m.ActiveAt),
		micros(now), micros(now)).Scan(&m.ID)
	switch err = q.d.translate(err); {
	case errors.Is(err, ErrUnique):
		return &criachat.Error{Code: criachat.ECONFLICT, Message: "User has already been taken", Attributes: []string{"user"}, Err: err}
	case errors.Is(err, ErrForeignKey):
		return &criachat.Error{Code: criachat.ENOTFOUND, Message: "account or user not found", Err: err}
	}
	return err
}

// AccountUser returns a user's membership of an account, with the account loaded.
func (q *Queries) AccountUser(ctx context.Context, accountID, userID int64) (*criachat.AccountUser, error) {
	var ms memberScan
	var as accountScan
	row := q.queryRow(ctx, `SELECT `+memberColumns+`, `+accountColumns+` FROM account_users m
		JOIN accounts a ON a.id = m.account_id WHERE m.account_id = ? AND m.user_id = ?`, accountID, userID)
	if err := q.scanOne(row, "account user", append(ms.dest(), as.dest()...)...); err != nil {
		return nil, err
	}
	m := ms.member()
	m.Account = as.account()
	return m, nil
}

// AccountUsersOfUser lists a user's memberships with their accounts, the most
// recently active first (Chatwoot's active account is the first of them).
func (q *Queries) AccountUsersOfUser(ctx context.Context, userID int64) ([]*criachat.AccountUser, error) {
	rows, err := q.query(ctx, `SELECT `+memberColumns+`, `+accountColumns+` FROM account_users m
		JOIN accounts a ON a.id = m.account_id WHERE m.user_id = ?
		ORDER BY CASE WHEN m.active_at IS NULL THEN 1 ELSE 0 END, m.active_at DESC, m.id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*criachat.AccountUser
	for rows.Next() {
		var ms memberScan
		var as accountScan
		if err := rows.Scan(append(ms.dest(), as.dest()...)...); err != nil {
			return nil, err
		}
		m := ms.member()
		m.Account = as.account()
		out = append(out, m)
	}
	return out, rows.Err()
}

// AccountUsersOfAccount lists an account's memberships by id.
func (q *Queries) AccountUsersOfAccount(ctx context.Context, accountID int64) ([]*criachat.AccountUser, error) {
	rows, err := q.query(ctx, `SELECT `+memberColumns+` FROM account_users m WHERE m.account_id = ? ORDER BY m.id`, accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*criachat.AccountUser
	for rows.Next() {
		var ms memberScan
		if err := rows.Scan(ms.dest()...); err != nil {
			return nil, err
		}
		out = append(out, ms.member())
	}
	return out, rows.Err()
}

// UpdateAccountUser saves a membership's role, availability, auto_offline and active_at.
func (q *Queries) UpdateAccountUser(ctx context.Context, m *criachat.AccountUser) error {
	if err := m.Validate(); err != nil {
		return err
	}
	m.UpdatedAt = q.now().UTC().Truncate(timePrecision)
	res, err := q.exec(ctx, `UPDATE account_users SET role = ?, availability = ?, auto_offline = ?, active_at = ?,
		updated_at = ? WHERE account_id = ? AND user_id = ?`,
		m.Role, m.Availability, m.AutoOffline, nullMicros(m.ActiveAt), micros(m.UpdatedAt), m.AccountID, m.UserID)
	q.authChanged()
	if err != nil {
		return err
	}
	return affectedOne(res, "account user")
}

// DeleteAccountUser removes a user from an account.
func (q *Queries) DeleteAccountUser(ctx context.Context, accountID, userID int64) error {
	res, err := q.exec(ctx, `DELETE FROM account_users WHERE account_id = ? AND user_id = ?`, accountID, userID)
	q.authChanged()
	if err != nil {
		return err
	}
	return affectedOne(res, "account user")
}

// CountAccountsOfUser counts a user's memberships.
func (q *Queries) CountAccountsOfUser(ctx context.Context, userID int64) (int, error) {
	var n int
	err := q.queryRow(ctx, `SELECT COUNT(*) FROM account_users WHERE user_id = ?`, userID).Scan(&n)
	return n, q.d.translate(err)
}

// Agents lists an account's members ordered by lower(name), as Chatwoot's agents index does.
func (q *Queries) Agents(ctx context.Context, accountID int64) ([]criachat.Agent, error) {
	return q.agents(ctx, `SELECT `+userColumns+`, `+memberColumns+` FROM account_users m
		JOIN users u ON u.id = m.user_id WHERE m.account_id = ? ORDER BY LOWER(u.name), u.id`, accountID)
}

// agents runs a query selecting userColumns then memberColumns and returns
// the agents in row order; never nil.
func (q *Queries) agents(ctx context.Context, query string, args ...any) ([]criachat.Agent, error) {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []criachat.Agent{}
	for rows.Next() {
		var us userScan
		var ms memberScan
		if err := rows.Scan(append(us.dest(), ms.dest()...)...); err != nil {
			return nil, q.d.translate(err)
		}
		out = append(out, criachat.Agent{User: us.user(), Member: ms.member()})
	}
	return out, q.d.translate(rows.Err())
}

// Agent returns one member of an account with their user.
func (q *Queries) Agent(ctx context.Context, accountID, userID int64) (criachat.Agent, error) {
	var us userScan
	var ms memberScan
	row := q.queryRow(ctx, `SELECT `+userColumns+`, `+memberColumns+` FROM account_users m
		JOIN users u ON u.id = m.user_id WHERE m.account_id = ? AND m.user_id = ?`, accountID, userID)
	if err := q.scanOne(row, "agent", append(us.dest(), ms.dest()...)...); err != nil {
		return criachat.Agent{}, err
	}
	return criachat.Agent{User: us.user(), Member: ms.member()}, nil
}

// AgentsByIDs returns the account's members among ids, by user id, in one query.
func (q *Queries) AgentsByIDs(ctx context.Context, accountID int64, ids []int64) (map[int64]criachat.Agent, error) {
	out := map[int64]criachat.Agent{}
	if len(ids) == 0 {
		return out, nil
	}
	// A few ids (the common case: an assignee, a sender) are bound one by
	// one: cheaper than expanding a JSON array, and the texts stay few.
	set, args := q.d.idSet(), []any{accountID, jsonList(ids)}
	if len(ids) <= 4 {
		set, args = placeholders(len(ids)), []any{accountID}
		for _, id := range ids {
			args = append(args, id)
		}
	}
	list, err := q.agents(ctx, `SELECT `+userColumns+`, `+memberColumns+` FROM account_users m
		JOIN users u ON u.id = m.user_id WHERE m.account_id = ? AND m.user_id IN (`+set+`)`, args...)
	for _, a := range list {
		out[a.User.ID] = a
	}
	return out, err
}
