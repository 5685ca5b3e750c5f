package store

import (
	"context"

	"github.com/criachat/criachat/internal/criachat"
)

const accountColumns = `a.id, a.name, a.locale, a.domain, a.support_email, a.status, a.features, a.settings,
	a.custom_attributes, a.limits, a.created_at, a.updated_at`

// accountScan holds the scan targets of accountColumns.
type accountScan struct {
	a                                  criachat.Account
	features, settings, custom, limits []byte
	created, updated                   int64
}

func (s *accountScan) dest() []any {
	return []any{&s.a.ID, &s.a.Name, &s.a.Locale, &s.a.Domain, &s.a.SupportEmail, &s.a.Status,
		&s.features, &s.settings, &s.custom, &s.limits, &s.created, &s.updated}
}

func (s *accountScan) account() *criachat.Account {
	a := s.a
	a.Features = jsonMap[bool](s.features)
	a.Settings = jsonMap[any](s.settings)
	a.CustomAttributes = jsonMap[any](s.custom)
	a.Limits = jsonMap[any](s.limits)
	a.CreatedAt, a.UpdatedAt = fromMicros(s.created), fromMicros(s.updated)
	return &a
}

// CreateAccount validates and inserts a, setting its ID and timestamps.
func (q *Queries) CreateAccount(ctx context.Context, a *criachat.Account) error {
	a.Normalize()
	if err := a.Validate(); err != nil {
		return err
	}
	now := q.now().UTC().Truncate(timePrecision)
	a.CreatedAt, a.UpdatedAt = now, now
	return q.queryRow(ctx, `INSERT INTO accounts (name, locale, domain, support_email, status, features, settings,
		custom_attributes, limits, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		a.Name, a.Locale, a.Domain, a.SupportEmail, a.Status, jsonText(a.Features), jsonText(a.Settings),
		jsonText(a.CustomAttributes), jsonText(a.Limits), micros(now), micros(now)).Scan(&a.ID)
}

// Account returns the account with the given id.
func (q *Queries) Account(ctx context.Context, id int64) (*criachat.Account, error) {
	var s accountScan
	if err := q.scanOne(q.queryRow(ctx, `SELECT `+accountColumns+` FROM accounts a WHERE a.id = ?`, id), "account", s.dest()...); err != nil {
		return nil, err
	}
	return s.account(), nil
}

// LockAccount makes concurrent write transactions that call it for the same
// account run one after another, for rules that read before they write
// (seat limits, the last administrator). It must run inside Store.Tx.
func (q *Queries) LockAccount(ctx context.Context, id int64) error {
	var got int64
	return q.scanOne(q.queryRow(ctx, `SELECT id FROM accounts WHERE id = ?`+q.d.forUpdate(), id), "account", &got)
}

// UpdateAccount validates and saves every field of a.
func (q *Queries) UpdateAccount(ctx context.Context, a *criachat.Account) error {
	a.Normalize()
	if err := a.Validate(); err != nil {
		return err
	}
	a.UpdatedAt = q.now().UTC().Truncate(timePrecision)
	res, err := q.exec(ctx, `UPDATE accounts SET name = ?, locale = ?, domain = ?, support_email = ?, status = ?,
		features = ?, settings = ?, custom_attributes = ?, limits = ?, updated_at = ? WHERE id = ?`,
		a.Name, a.Locale, a.Domain, a.SupportEmail, a.Status, jsonText(a.Features), jsonText(a.Settings),
		jsonText(a.CustomAttributes), jsonText(a.Limits), micros(a.UpdatedAt), a.ID)
	q.authChanged()
	if err != nil {
		return err
	}
	return affectedOne(res, "account")
}

// DeleteAccount deletes an account and, by cascade, everything in it, and
// forgets which platform app managed it. Its events (with their deliveries)
// are deleted after it: on PostgreSQL they have no foreign key to it
// (migration 0012), and by then the cascade has waited for every
// transaction still writing to the account's rows.
func (q *Queries) DeleteAccount(ctx context.Context, id int64) error {
	if err := q.removePermissibles(ctx, PermissibleAccount, id); err != nil {
		return err
	}
	res, err := q.exec(ctx, `DELETE FROM accounts WHERE id = ?`, id)
	q.authChanged()
	if err != nil {
		return err
	}
	if err := affectedOne(res, "account"); err != nil {
		return err
	}
	// Events and their numbers (no foreign keys: migrations 0012, 0013).
	for _, table := range []string{"event_queue", "event_seqs"} {
		if _, err = q.exec(ctx, `DELETE FROM `+table+` WHERE account_id = ?`, id); err != nil {
			return err
		}
	}
	_, err = q.exec(ctx, `DELETE FROM events WHERE account_id = ?`, id)
	return err
}

// PlatformAccounts lists the accounts a platform app may manage, by id.
func (q *Queries) PlatformAccounts(ctx context.Context, appID int64) ([]*criachat.Account, error) {
	rows, err := q.query(ctx, `SELECT `+accountColumns+` FROM accounts a
		JOIN platform_app_permissibles p ON p.permissible_id = a.id AND p.permissible_type = 'Account'
		WHERE p.platform_app_id = ? ORDER BY a.id`, appID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*criachat.Account
	for rows.Next() {
		var s accountScan
		if err := rows.Scan(s.dest()...); err != nil {
			return nil, err
		}
		out = append(out, s.account())
	}
	return out, rows.Err()
}
