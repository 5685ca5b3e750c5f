package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/criachat/criachat/internal/criachat"
)

// The delivery log: what an administrator reads about the deliveries of an
// account webhook, and redelivery. The worker's queries are in delivery.go.

// deliveryLogColumns select a delivery with its event's uuid, which
// Delivery.UUID needs (joined: alias d for the delivery, e for the event).
const deliveryLogColumns = `d.id, d.account_id, d.event_id, e.uuid, d.event_type, d.target_type, d.target_id, d.url,
	d.state, d.attempts, d.next_attempt_at, d.locked_until, d.last_status_code, d.last_error, d.redelivery_of,
	d.created_at, d.updated_at, d.completed_at`

func scanDeliveryLog(rows *sql.Rows, err error) ([]*criachat.Delivery, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*criachat.Delivery{}
	for rows.Next() {
		var d criachat.Delivery
		var next, locked, status, redelivery, completed sql.NullInt64
		var lastError sql.NullString
		var created, updated int64
		if err := rows.Scan(&d.ID, &d.AccountID, &d.EventID, &d.EventUUID, &d.EventType, &d.TargetType, &d.TargetID,
			&d.URL, &d.State, &d.Attempts, &next, &locked, &status, &lastError, &redelivery,
			&created, &updated, &completed); err != nil {
			return nil, err
		}
		d.NextAttemptAt, d.LockedUntil, d.CompletedAt = optTime(next), optTime(locked), optTime(completed)
		d.LastStatusCode, d.LastError, d.RedeliveryOf = optStatus(status), lastError.String, optInt(redelivery)
		d.CreatedAt, d.UpdatedAt = fromMicros(created), fromMicros(updated)
		out = append(out, &d)
	}
	return out, rows.Err()
}

// optStatus reads an optional HTTP status code.
func optStatus(v sql.NullInt64) *int {
	if !v.Valid {
		return nil
	}
	code := int(v.Int64)
	return &code
}

// DeliveryFilter selects deliveries of the log.
type DeliveryFilter struct {
	State  criachat.DeliveryState // "" for every state
	Event  criachat.EventType     // "" for every event type
	Offset int
	Limit  int
}

// The filters are switched off by an empty parameter so that the text stays
// constant (and prepared).
const webhookDeliveriesWhere = ` FROM webhook_deliveries d JOIN events e ON e.id = d.event_id
	WHERE d.account_id = ? AND d.target_type = ? AND d.target_id = ?
	AND (? = '' OR d.state = ?) AND (? = '' OR d.event_type = ?)`

// Target names a destination of deliveries: an account webhook
// (criachat.TargetWebhook), an API inbox's callback (TargetAPIInbox) or an
// agent bot (TargetAgentBot), by id.
type Target struct {
	Type string
	ID   int64
}

// WebhookDeliveries lists the deliveries to one of an account's
// destinations, the newest first.
func (q *Queries) WebhookDeliveries(ctx context.Context, accountID int64, t Target, f DeliveryFilter) ([]*criachat.Delivery, error) {
	return scanDeliveryLog(q.query(ctx, `SELECT `+deliveryLogColumns+webhookDeliveriesWhere+` ORDER BY d.id DESC LIMIT ? OFFSET ?`,
		accountID, t.Type, t.ID, string(f.State), string(f.State), string(f.Event), string(f.Event), f.Limit, f.Offset))
}

// CountWebhookDeliveries counts what WebhookDeliveries lists, ignoring the paging.
func (q *Queries) CountWebhookDeliveries(ctx context.Context, accountID int64, t Target, f DeliveryFilter) (int64, error) {
	var n int64
	err := q.queryRow(ctx, `SELECT COUNT(*)`+webhookDeliveriesWhere,
		accountID, t.Type, t.ID, string(f.State), string(f.State), string(f.Event), string(f.Event)).Scan(&n)
	return n, q.d.translate(err)
}

// WebhookDelivery returns one delivery to one of an account's destinations.
func (q *Queries) WebhookDelivery(ctx context.Context, accountID int64, t Target, id int64) (*criachat.Delivery, error) {
	list, err := scanDeliveryLog(q.query(ctx, `SELECT `+deliveryLogColumns+` FROM webhook_deliveries d
		JOIN events e ON e.id = d.event_id
		WHERE d.account_id = ? AND d.target_type = ? AND d.target_id = ? AND d.id = ?`, accountID, t.Type, t.ID, id))
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, criachat.Errorf(criachat.ENOTFOUND, "delivery not found")
	}
	return list[0], nil
}

// WebhookAttempts lists the attempts of one of an account's deliveries in order.
func (q *Queries) WebhookAttempts(ctx context.Context, accountID, deliveryID int64) ([]*criachat.DeliveryAttempt, error) {
	rows, err := q.query(ctx, `SELECT id, delivery_id, attempt, started_at, status_code, latency_us, error, response
		FROM webhook_attempts WHERE account_id = ? AND delivery_id = ? ORDER BY attempt, id`, accountID, deliveryID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*criachat.DeliveryAttempt{}
	for rows.Next() {
		var a criachat.DeliveryAttempt
		var started, latency int64
		var status sql.NullInt64
		var errText, response sql.NullString
		if err := rows.Scan(&a.ID, &a.DeliveryID, &a.Attempt, &started, &status, &latency, &errText, &response); err != nil {
			return nil, err
		}
		a.StatusCode, a.StartedAt, a.Latency = optStatus(status), fromMicros(started), time.Duration(latency)*time.Microsecond
		a.Error, a.Response = errText.String, response.String
		out = append(out, &a)
	}
	return out, rows.Err()
}

// Redeliver queues one of an account's deliveries again as a new pending
// delivery of the same event to the same destination, at the destination's
// current URL, due now. The new row names the old one in RedeliveryOf and so
// gets its own X-Chatwoot-Delivery value; the worker wakes after commit.
func (q *Queries) Redeliver(ctx context.Context, accountID, deliveryID int64) (*criachat.Delivery, error) {
	var d criachat.Delivery
	var url sql.NullString
	err := q.scanOne(q.queryRow(ctx, `SELECT d.account_id, d.event_id, e.uuid, d.event_type, d.target_type, d.target_id,
		CASE d.target_type
			WHEN 'webhook' THEN (SELECT w.url FROM webhooks w WHERE w.account_id = d.account_id AND w.id = d.target_id)
			WHEN 'api_inbox' THEN (SELECT i.webhook_url FROM inboxes i WHERE i.account_id = d.account_id AND i.id = d.target_id)
			WHEN 'agent_bot' THEN (SELECT b.outgoing_url FROM agent_bots b WHERE b.account_id = d.account_id AND b.id = d.target_id)
		END
		FROM webhook_deliveries d JOIN events e ON e.id = d.event_id WHERE d.account_id = ? AND d.id = ?`,
		accountID, deliveryID), "delivery", &d.AccountID, &d.EventID, &d.EventUUID, &d.EventType, &d.TargetType, &d.TargetID, &url)
	if err != nil {
		return nil, err
	}
	if !url.Valid || url.String == "" {
		return nil, criachat.Errorf(criachat.EINVALID, "The destination of this delivery has no URL any more")
	}
	now := q.now().UTC().Truncate(timePrecision)
	d.URL, d.State, d.RedeliveryOf = url.String, criachat.DeliveryPending, &deliveryID
	d.NextAttemptAt, d.CreatedAt, d.UpdatedAt = &now, now, now
	err = q.queryRow(ctx, `INSERT INTO webhook_deliveries (account_id, event_id, event_type, target_type, target_id, url,
		state, next_attempt_at, redelivery_of, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?) RETURNING id`,
		d.AccountID, d.EventID, d.EventType, d.TargetType, d.TargetID, d.URL, micros(now), deliveryID, micros(now), micros(now)).Scan(&d.ID)
	if err = q.d.translate(err); errors.Is(err, ErrForeignKey) {
		return nil, &criachat.Error{Code: criachat.ENOTFOUND, Message: "event not found", Err: err}
	} else if err != nil {
		return nil, err
	}
	q.enqueuedDeliveries()
	return &d, nil
}
