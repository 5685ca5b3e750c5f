package store

import (
	"context"
	"time"
)

// IdempotencyKey is a remembered create request.
type IdempotencyKey struct {
	AccountID, UserID int64
	Key               string
	RequestHash       string
	Status            int // 0 while the first request is still running
	ResponseBody      string
	CreatedAt         time.Time
}

// ClaimIdempotencyKey records that a request with this key is starting. When
// the key is already known (and younger than ttl) it returns the existing
// record and false; an expired record is replaced.
func (q *Queries) ClaimIdempotencyKey(ctx context.Context, k *IdempotencyKey, ttl time.Duration) (*IdempotencyKey, bool, error) {
	now := q.now().UTC().Truncate(timePrecision)
	if _, err := q.exec(ctx, `DELETE FROM idempotency_keys WHERE account_id = ? AND user_id = ? AND key = ? AND created_at < ?`,
		k.AccountID, k.UserID, k.Key, micros(now.Add(-ttl))); err != nil {
		return nil, false, err
	}
	k.CreatedAt = now
	// ON CONFLICT DO NOTHING rather than catching the unique error: on
	// PostgreSQL a failed statement would abort the surrounding transaction.
	res, err := q.exec(ctx, `INSERT INTO idempotency_keys (account_id, user_id, key, request_hash, status, response_body, created_at)
		VALUES (?, ?, ?, ?, 0, '', ?) ON CONFLICT DO NOTHING`, k.AccountID, k.UserID, k.Key, k.RequestHash, micros(now))
	if err != nil {
		return nil, false, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return nil, false, err
	} else if n == 1 {
		return k, true, nil
	}
	existing := &IdempotencyKey{AccountID: k.AccountID, UserID: k.UserID, Key: k.Key}
	var created int64
	if err := q.scanOne(q.queryRow(ctx, `SELECT request_hash, status, response_body, created_at FROM idempotency_keys
		WHERE account_id = ? AND user_id = ? AND key = ?`, k.AccountID, k.UserID, k.Key),
		"idempotency key", &existing.RequestHash, &existing.Status, &existing.ResponseBody, &created); err != nil {
		return nil, false, err
	}
	existing.CreatedAt = fromMicros(created)
	return existing, false, nil
}

// CompleteIdempotencyKey stores the response of the request that claimed the key.
func (q *Queries) CompleteIdempotencyKey(ctx context.Context, k *IdempotencyKey) error {
	res, err := q.exec(ctx, `UPDATE idempotency_keys SET status = ?, response_body = ? WHERE account_id = ? AND user_id = ? AND key = ?`,
		k.Status, k.ResponseBody, k.AccountID, k.UserID, k.Key)
	if err != nil {
		return err
	}
	return affectedOne(res, "idempotency key")
}

// ReleaseIdempotencyKey forgets a claim whose request did not succeed, so the
// client may retry with the same key.
func (q *Queries) ReleaseIdempotencyKey(ctx context.Context, accountID, userID int64, key string) error {
	_, err := q.exec(ctx, `DELETE FROM idempotency_keys WHERE account_id = ? AND user_id = ? AND key = ? AND status = 0`, accountID, userID, key)
	return err
}

// PruneIdempotencyKeys deletes records older than the cutoff and returns how many.
func (q *Queries) PruneIdempotencyKeys(ctx context.Context, before time.Time) (int64, error) {
	res, err := q.exec(ctx, `DELETE FROM idempotency_keys WHERE created_at < ?`, micros(before))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
