package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/criachat/criachat/internal/criachat"
)

const webhookColumns = `w.id, w.account_id, w.inbox_id, w.name, w.url, w.subscriptions, w.secret_sealed, w.created_at, w.updated_at`

type webhookScan struct {
	w                criachat.Webhook
	inbox            sql.NullInt64
	name             sql.NullString
	subscriptions    string
	created, updated int64
}

func (s *webhookScan) dest() []any {
	return []any{&s.w.ID, &s.w.AccountID, &s.inbox, &s.name, &s.w.URL, &s.subscriptions, &s.w.SecretSealed, &s.created, &s.updated}
}

func (s *webhookScan) webhook() *criachat.Webhook {
	w := s.w
	w.InboxID, w.Name = optInt(s.inbox), s.name.String
	w.Subscriptions = []criachat.EventType{}
	_ = json.Unmarshal([]byte(s.subscriptions), &w.Subscriptions) // written by jsonList: a broken list reads as empty
	w.CreatedAt, w.UpdatedAt = fromMicros(s.created), fromMicros(s.updated)
	return &w
}

// webhookError translates a webhook write's driver error: a URL the account
// already uses is Chatwoot's RecordInvalid, and an inbox outside the account
// breaks the (account_id, inbox_id) foreign key.
func webhookError(err error) error {
	switch {
	case errors.Is(err, ErrUnique):
		return &criachat.Error{Code: criachat.ECONFLICT, Message: "Url has already been taken", Attributes: []string{"url"}, Err: err}
	case errors.Is(err, ErrForeignKey):
		return &criachat.Error{Code: criachat.ENOTFOUND, Message: "inbox not found", Err: err}
	}
	return err
}

// CreateWebhook inserts w, which the caller has validated and given a sealed
// secret. Its subscriptions are stored as given (order kept) and as a mask,
// which AppendEvent uses to pick the webhooks of an event.
func (q *Queries) CreateWebhook(ctx context.Context, w *criachat.Webhook) error {
	now := q.now().UTC().Truncate(timePrecision)
	w.CreatedAt, w.UpdatedAt = now, now
	err := q.queryRow(ctx, `INSERT INTO webhooks (account_id, inbox_id, name, url, subscriptions, subscription_mask,
		secret_sealed, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		w.AccountID, nullable(w.InboxID), emptyNull(w.Name), w.URL, jsonList(w.Subscriptions), int64(w.Mask()),
		w.SecretSealed, micros(now), micros(now)).Scan(&w.ID)
	return webhookError(q.d.translate(err))
}

// Webhook returns one of an account's webhooks.
func (q *Queries) Webhook(ctx context.Context, accountID, id int64) (*criachat.Webhook, error) {
	var s webhookScan
	if err := q.scanOne(q.queryRow(ctx, `SELECT `+webhookColumns+` FROM webhooks w WHERE w.account_id = ? AND w.id = ?`,
		accountID, id), "webhook", s.dest()...); err != nil {
		return nil, err
	}
	return s.webhook(), nil
}

// Webhooks lists an account's webhooks in creation order.
func (q *Queries) Webhooks(ctx context.Context, accountID int64) ([]*criachat.Webhook, error) {
	rows, err := q.query(ctx, `SELECT `+webhookColumns+` FROM webhooks w WHERE w.account_id = ? ORDER BY w.id`, accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*criachat.Webhook{}
	for rows.Next() {
		var s webhookScan
		if err := rows.Scan(s.dest()...); err != nil {
			return nil, err
		}
		out = append(out, s.webhook())
	}
	return out, rows.Err()
}

// UpdateWebhook saves w's inbox, name, URL and subscriptions (the secret
// changes only through SetWebhookSecret). Pending deliveries of the webhook
// follow a new URL, so that fixing a wrong URL also rescues the retries
// still queued for it.
func (q *Queries) UpdateWebhook(ctx context.Context, w *criachat.Webhook) error {
	w.UpdatedAt = q.now().UTC().Truncate(timePrecision)
	res, err := q.exec(ctx, `UPDATE webhooks SET inbox_id = ?, name = ?, url = ?, subscriptions = ?, subscription_mask = ?,
		updated_at = ? WHERE account_id = ? AND id = ?`,
		nullable(w.InboxID), emptyNull(w.Name), w.URL, jsonList(w.Subscriptions), int64(w.Mask()), micros(w.UpdatedAt),
		w.AccountID, w.ID)
	if err != nil {
		return webhookError(err)
	}
	if err := affectedOne(res, "webhook"); err != nil {
		return err
	}
	return q.RetargetDeliveries(ctx, w.AccountID, criachat.TargetWebhook, w.ID, w.URL)
}

// RetargetDeliveries points the pending deliveries of a destination at its
// new URL, so that fixing a wrong URL also rescues the retries queued for
// it; with an empty url (the destination no longer wants events) they fail.
func (q *Queries) RetargetDeliveries(ctx context.Context, accountID int64, targetType string, targetID int64, url string) error {
	now := micros(q.now().UTC().Truncate(timePrecision))
	if url == "" {
		_, err := q.exec(ctx, `UPDATE webhook_deliveries SET state = 'failed', next_attempt_at = NULL, completed_at = ?,
			updated_at = ?, last_error = 'destination URL removed' WHERE account_id = ? AND target_type = ? AND target_id = ?
			AND state = 'pending' AND locked_until IS NULL`, now, now, accountID, targetType, targetID)
		return err
	}
	_, err := q.exec(ctx, `UPDATE webhook_deliveries SET url = ?, updated_at = ?
		WHERE account_id = ? AND target_type = ? AND target_id = ? AND state = 'pending' AND url <> ?`,
		url, now, accountID, targetType, targetID, url)
	return err
}

// SetWebhookSecret replaces the sealed signing secret of one of an account's webhooks.
func (q *Queries) SetWebhookSecret(ctx context.Context, accountID, id int64, sealed string) error {
	res, err := q.exec(ctx, `UPDATE webhooks SET secret_sealed = ?, updated_at = ? WHERE account_id = ? AND id = ?`,
		sealed, micros(q.now().UTC().Truncate(timePrecision)), accountID, id)
	if err != nil {
		return err
	}
	return affectedOne(res, "webhook")
}

// DeleteWebhook deletes one of an account's webhooks with its delivery log:
// nothing more is sent to it, and the log, reachable only through the
// webhook, would be unreachable anyway.
func (q *Queries) DeleteWebhook(ctx context.Context, accountID, id int64) error {
	res, err := q.exec(ctx, `DELETE FROM webhooks WHERE account_id = ? AND id = ?`, accountID, id)
	if err != nil {
		return err
	}
	if err := affectedOne(res, "webhook"); err != nil {
		return err
	}
	_, err = q.exec(ctx, `DELETE FROM webhook_deliveries WHERE account_id = ? AND target_type = 'webhook' AND target_id = ?`,
		accountID, id)
	return err
}
