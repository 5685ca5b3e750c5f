package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// groupCommitter runs the write transactions of a SQLite store in batches:
// one BEGIN … COMMIT holds several callers' work, each inside its own
// savepoint, so a failing caller rolls back only its own changes while the
// commit (the expensive WAL write) is shared. Callers still see ordinary
// transaction semantics: Store.Tx returns after its work is committed, or
// with its own error and none of its changes.
//
// PostgreSQL runs transactions in parallel and does not use it.
type groupCommitter struct {
	s    *Store
	reqs chan *txRequest
	stop chan struct{}
	done sync.WaitGroup
}

// maxBatch bounds how many callers share one commit, so one batch's latency stays small.
const maxBatch = 64

type txRequest struct {
	ctx    context.Context
	fn     func(q *Queries) error
	result chan txResult
}

type txResult struct {
	err   error
	panic any
}

func newGroupCommitter(s *Store) *groupCommitter {
	g := &groupCommitter{s: s, reqs: make(chan *txRequest), stop: make(chan struct{})}
	g.done.Add(1)
	go g.loop()
	return g
}

// close stops the loop after the batch in flight.
func (g *groupCommitter) close() {
	close(g.stop)
	g.done.Wait()
}

// run hands fn to the loop and waits for its outcome.
func (g *groupCommitter) run(ctx context.Context, fn func(q *Queries) error) error {
	req := &txRequest{ctx: ctx, fn: fn, result: make(chan txResult, 1)}
	select {
	case g.reqs <- req:
	case <-ctx.Done():
		return ctx.Err()
	case <-g.stop:
		return fmt.Errorf("store closed")
	}
	res := <-req.result
	if res.panic != nil {
		panic(res.panic)
	}
	return res.err
}

func (g *groupCommitter) loop() {
	defer g.done.Done()
	for {
		var batch []*txRequest
		select {
		case <-g.stop:
			return
		case r := <-g.reqs:
			batch = append(batch, r)
		}
	gather:
		for len(batch) < maxBatch {
			select {
			case r := <-g.reqs:
				batch = append(batch, r)
			default:
				break gather
			}
		}
		g.commit(batch)
	}
}

// commit runs one batch in one transaction.
func (g *groupCommitter) commit(batch []*txRequest) {
	results := make([]txResult, len(batch))
	tx, err := g.s.write.BeginTx(context.Background(), nil)
	if err != nil {
		for _, r := range batch {
			r.result <- txResult{err: g.s.d.translate(fmt.Errorf("begin: %w", err))}
		}
		return
	}
	enqueued := false
	for i, r := range batch {
		results[i] = g.runOne(tx, r, &enqueued)
	}
	if err := tx.Commit(); err != nil {
		enqueued = false
		err = g.s.d.translate(fmt.Errorf("commit: %w", err))
		for i := range results {
			if results[i].err == nil && results[i].panic == nil {
				results[i].err = err
			}
		}
	}
	if enqueued {
		g.s.notifyDeliveries() // at worst a spurious wake-up if the caller that enqueued rolled back
	}
	for i, r := range batch {
		r.result <- results[i]
	}
}

// runOne runs one caller's work inside a savepoint of tx.
func (g *groupCommitter) runOne(tx *sql.Tx, r *txRequest, enqueued *bool) (res txResult) {
	if err := r.ctx.Err(); err != nil {
		return txResult{err: err}
	}
	if _, err := tx.Exec("SAVEPOINT work"); err != nil {
		return txResult{err: err}
	}
	defer func() {
		if p := recover(); p != nil {
			res = txResult{panic: p}
		}
		if res.err != nil || res.panic != nil {
			// Undo this caller's changes only; the batch goes on.
			tx.Exec("ROLLBACK TO work")
		}
		tx.Exec("RELEASE work")
	}()
	return txResult{err: r.fn(&Queries{tx: tx, stmts: g.s.writeStmts, d: g.s.d, now: g.s.now, enqueued: enqueued})}
}
