package store

import (
	"context"
	"slices"
	"sync"
)

// eventIDBlock is how many event ids one round trip reserves.
const eventIDBlock = 128

// eventIDs hands out ids of PostgreSQL's events sequence, reserved in
// blocks, so that an event's id is known before its insert: the insert and
// the webhook deliveries that name the event are then held and sent with
// the rest of the transaction (lazyTx) instead of each waiting for a
// RETURNING. Ids are handed out in increasing order, so that the events of
// one transaction keep their order; an id a process never uses is a gap, as
// a rolled-back insert leaves one.
type eventIDs struct {
	mu  sync.Mutex
	ids []int64 // reserved, not handed out yet, ascending
}

// take returns n ids for q's transaction. A reservation runs in that
// transaction when it has begun (it holds a connection already); otherwise
// on the pool, and never while holding mu, so that a caller waiting for a
// connection keeps no one else waiting.
func (p *eventIDs) take(ctx context.Context, q *Queries, n int) ([]int64, error) {
	for {
		p.mu.Lock()
		if len(p.ids) >= n {
			out := slices.Clone(p.ids[:n])
			p.ids = p.ids[n:]
			p.mu.Unlock()
			return out, nil
		}
		p.mu.Unlock()
		fresh, err := q.reserveEventIDs(ctx, max(n, eventIDBlock))
		if err != nil {
			return nil, err
		}
		p.mu.Lock()
		p.ids = append(p.ids, fresh...)
		slices.Sort(p.ids) // blocks reserved concurrently interleave
		p.mu.Unlock()
	}
}

// reserveEventIDs takes n values of the events sequence, in q's transaction
// if it has begun, on the pool otherwise (without beginning it).
func (q *Queries) reserveEventIDs(ctx context.Context, n int) ([]int64, error) {
	r := q
	if q.tx == nil {
		r = &Queries{stmts: q.stmts, d: q.d, now: q.now}
	}
	return r.int64Column(ctx, `SELECT nextval('events_id_seq') FROM generate_series(1, CAST(? AS INTEGER))`, n)
}
