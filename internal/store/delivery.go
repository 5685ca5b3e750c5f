package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/criachat/criachat/internal/criachat"
)

// Job is a claimed delivery with what sending it needs.
type Job struct {
	criachat.Delivery
	Payload      []byte
	SecretSealed string // the destination's signing secret, sealed; "" when the destination is gone
	TargetGone   bool
	// Circuit state of the destination URL (zero when closed).
	CircuitFailures int
	CircuitProbeAt  *time.Time
	// Claim is the lease this worker holds; Finish names it so that a late
	// worker whose lease expired cannot overwrite another's result.
	Claim time.Time
}

// DeliveriesDue reports whether any delivery is due at now: a read, so an
// idle worker's poll does not take the writer.
func (q *Queries) DeliveriesDue(ctx context.Context, now time.Time) (bool, error) {
	var due bool
	err := q.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_at <= ?
		AND (locked_until IS NULL OR locked_until < ?))`, micros(now), micros(now)).Scan(&due)
	return due, err
}

// ClaimDeliveries leases up to limit due pending deliveries until lease from
// now. A delivery whose lease expires (its worker died) is due again.
func (q *Queries) ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*Job, error) {
	claim := now.Add(lease).Truncate(timePrecision)
	rows, err := q.query(ctx, `UPDATE webhook_deliveries SET locked_until = ? WHERE id IN (
		SELECT id FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_at <= ?
		AND (locked_until IS NULL OR locked_until < ?) ORDER BY next_attempt_at LIMIT ?`+q.d.skipLocked()+`) RETURNING id`,
		micros(claim), micros(now), micros(now), limit)
	if err != nil {
		return nil, q.d.translate(err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(ids) == 0 {
		return nil, err
	}
	rows, err = q.query(ctx, q.withIDs(`SELECT `+deliveryColumns+`, e.payload,
		CASE d.target_type
			WHEN 'webhook' THEN (SELECT w.secret_sealed FROM webhooks w WHERE w.account_id = d.account_id AND w.id = d.target_id)
			WHEN 'api_inbox' THEN (SELECT i.secret_sealed FROM inboxes i WHERE i.account_id = d.account_id AND i.id = d.target_id)
			ELSE (SELECT b.secret_sealed FROM agent_bots b WHERE b.account_id = d.account_id AND b.id = d.target_id) END,
		c.failures, c.probe_at
		FROM webhook_deliveries d JOIN events e ON e.id = d.event_id
		LEFT JOIN webhook_circuits c ON c.account_id = d.account_id AND c.url = d.url
		WHERE d.id IN ({ids}) ORDER BY d.next_attempt_at`), jsonList(ids))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Job
	for rows.Next() {
		var s deliveryScan
		var payload string
		var sealed sql.NullString
		var failures, probe sql.NullInt64
		if err := rows.Scan(append(s.dest(), &payload, &sealed, &failures, &probe)...); err != nil {
			return nil, err
		}
		out = append(out, &Job{Delivery: *s.delivery(), Payload: []byte(payload), SecretSealed: sealed.String,
			TargetGone: !sealed.Valid, CircuitFailures: int(failures.Int64), CircuitProbeAt: optTime(probe), Claim: claim})
	}
	return out, rows.Err()
}

const deliveryColumns = `d.id, d.account_id, d.event_id, e.uuid, d.event_type, d.target_type, d.target_id, d.url, d.state,
	d.attempts, d.next_attempt_at, d.locked_until, d.last_status_code, d.last_error, d.redelivery_of, d.created_at,
	d.updated_at, d.completed_at`

type deliveryScan struct {
	d                               criachat.Delivery
	next, locked, status, redo, end sql.NullInt64
	lastError                       sql.NullString
	created, updated                int64
}

func (s *deliveryScan) dest() []any {
	return []any{&s.d.ID, &s.d.AccountID, &s.d.EventID, &s.d.EventUUID, &s.d.EventType, &s.d.TargetType, &s.d.TargetID,
		&s.d.URL, &s.d.State, &s.d.Attempts, &s.next, &s.locked, &s.status, &s.lastError, &s.redo, &s.created, &s.updated, &s.end}
}

func (s *deliveryScan) delivery() *criachat.Delivery {
	d := s.d
	d.NextAttemptAt, d.LockedUntil, d.CompletedAt = optTime(s.next), optTime(s.locked), optTime(s.end)
	if s.status.Valid {
		code := int(s.status.Int64)
		d.LastStatusCode = &code
	}
	d.LastError = s.lastError.String
	d.RedeliveryOf = optInt(s.redo)
	d.CreatedAt, d.UpdatedAt = fromMicros(s.created), fromMicros(s.updated)
	return &d
}

// Outcome is what a worker decided after an attempt (or instead of one).
type Outcome struct {
	// Attempt is the HTTP attempt made; nil when the delivery was only
	// rescheduled (its destination's circuit is open).
	Attempt *criachat.DeliveryAttempt
	State   criachat.DeliveryState
	Next    *time.Time // when State is pending
	// UntilProbe (with no Attempt) defers the delivery to the destination's
	// next probe, or to now when its circuit has closed in the meantime.
	UntilProbe bool
	// Circuit: CircuitReset closes the destination's circuit; CircuitFailure
	// counts a failure and opens it (until ProbeAt) once Failures reaches
	// Threshold.
	CircuitReset   bool
	CircuitFailure bool
	Threshold      int
	ProbeAt        time.Time
}

// FinishDelivery records an attempt's outcome, if j's claim still holds (it
// reports false otherwise: the lease expired and another worker took over).
func (q *Queries) FinishDelivery(ctx context.Context, j *Job, o Outcome) (bool, error) {
	now := q.now().UTC().Truncate(timePrecision)
	var completed any
	if o.State != criachat.DeliveryPending {
		completed = micros(now)
	}
	if o.UntilProbe {
		next := now
		var probe sql.NullInt64
		err := q.queryRow(ctx, `SELECT probe_at FROM webhook_circuits WHERE account_id = ? AND url = ?`, j.AccountID, j.URL).Scan(&probe)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return false, err
		}
		if probe.Valid {
			next = fromMicros(probe.Int64)
		}
		o.Next = &next
	}
	attempts, code, lastErr := j.Attempts, nullable(j.LastStatusCode), nullableText(j.LastError)
	if a := o.Attempt; a != nil {
		attempts, code, lastErr = j.Attempts+1, nullable(a.StatusCode), nullableText(a.Error)
	}
	res, err := q.exec(ctx, `UPDATE webhook_deliveries SET state = ?, attempts = ?, next_attempt_at = ?, locked_until = NULL,
		last_status_code = ?, last_error = ?, updated_at = ?, completed_at = ? WHERE id = ? AND locked_until = ?`,
		o.State, attempts, nullMicros(o.Next), code, lastErr, micros(now), completed, j.ID, micros(j.Claim))
	if err != nil {
		return false, q.d.translate(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return false, nil
	}
	if a := o.Attempt; a != nil {
		if _, err := q.exec(ctx, `INSERT INTO webhook_attempts (account_id, delivery_id, attempt, started_at, status_code,
			latency_us, error, response) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, j.AccountID, j.ID, attempts, micros(a.StartedAt),
			nullable(a.StatusCode), a.Latency.Microseconds(), nullableText(a.Error), nullableText(a.Response)); err != nil {
			return false, q.d.translate(err)
		}
	}
	switch {
	case o.CircuitReset && (j.CircuitFailures > 0 || j.CircuitProbeAt != nil):
		_, err = q.exec(ctx, `DELETE FROM webhook_circuits WHERE account_id = ? AND url = ?`, j.AccountID, j.URL)
		if err == nil && j.CircuitProbeAt != nil {
			// The paused URL answered: what waited for it is due now.
			_, err = q.exec(ctx, `UPDATE webhook_deliveries SET next_attempt_at = ? WHERE account_id = ? AND url = ?
				AND state = 'pending' AND next_attempt_at > ?`, micros(now), j.AccountID, j.URL, micros(now))
		}
	case o.CircuitFailure:
		_, err = q.exec(ctx, `INSERT INTO webhook_circuits (account_id, url, failures) VALUES (?, ?, 1)
			ON CONFLICT (account_id, url) DO UPDATE SET failures = webhook_circuits.failures + 1`, j.AccountID, j.URL)
		if err == nil {
			_, err = q.exec(ctx, `UPDATE webhook_circuits SET opened_at = COALESCE(opened_at, ?), probe_at = ?
				WHERE account_id = ? AND url = ? AND failures >= ?`, micros(now), micros(o.ProbeAt), j.AccountID, j.URL, o.Threshold)
		}
	}
	return true, q.d.translate(err)
}

// TakeProbe lets one worker probe an open circuit whose probe time has come:
// it moves probe_at to next if it still is at (compare-and-set) and reports
// whether this caller won.
func (q *Queries) TakeProbe(ctx context.Context, accountID int64, url string, at, next time.Time) (bool, error) {
	res, err := q.exec(ctx, `UPDATE webhook_circuits SET probe_at = ? WHERE account_id = ? AND url = ? AND probe_at = ?`,
		micros(next), accountID, url, micros(at))
	if err != nil {
		return false, q.d.translate(err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func nullableText(s string) any {
	if s == "" {
		return nil
	}
	return s
}
