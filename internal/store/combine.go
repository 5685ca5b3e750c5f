package store

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"
)

// PostgreSQL write combining. A lazy transaction that ends holding only
// writes (lazyTx: message creation) is one statement; concurrent ones are
// sent together, as one statement, when their writes have the same texts
// and change different rows. Each statement costs PostgreSQL an executor
// start per part, a commit and its WAL flush, and the server a round trip;
// a combined statement pays those once for all its transactions.
//
// A transaction never waits to be combined: it sends its writes at once
// when fewer than combineSlots statements are being sent, or when the
// oldest of them has taken slowStatement already (then the database is
// waiting, not working: its WAL flush queues behind other commits, such as
// the webhook workers'); otherwise it joins the queue, whose transactions
// go together in the next statement. Transactions that share a statement
// share its outcome: if it fails, each sends its writes again by itself, so
// that each gets its own error and no one's failure undoes another's writes. Rows touched by more
// than one transaction of a statement would be changed only once, so such
// transactions wait for the next; and each statement changes its rows in
// ascending order, so that two statements cannot deadlock. A queued
// transaction waits for its statement even when its caller's context ends,
// as one already sent would: a combined statement runs without any one
// caller's cancellation.

// combineSlots is how many statements run at once before transactions
// queue to be combined, unless they are slow (slowStatement): then up to
// maxCombineSlots. Measured with criachat-load (2k / 20k / 100k, 16
// clients, 2026-12-05), with a fixed number of slots: 2 gave 2,477
// messages/s against 2,185 with 8 and about 2,100 without combining; but
// with a webhook subscribed (-webhook), 574/s against 969 with 8 and 1,056
// without. With more slots for slow statements, after 2 ms: 2,105 and
// 990/s; after 5 ms: 2,457 and 996/s; after 10 ms: 2,580 and 1,022/s but
// single runs down to 720/s.
const (
	combineSlots    = 2
	maxCombineSlots = 16
	slowStatement   = 5 * time.Millisecond
)

// maxCombined bounds how many transactions share one statement.
const maxCombined = 8

// writeCombiner combines the held writes of concurrent lazy transactions.
type writeCombiner struct {
	mu      sync.Mutex
	running []time.Time   // when each statement being sent started, oldest first
	waiting []*combinedTx // in arrival order
}

// combinedTx is a transaction's held writes on their way to the database.
type combinedTx struct {
	held []heldWrite
	row  int64 // the one row its non-INSERT write changes (laterWrite.row); 0 for none
	// wake receives the batch this transaction must send (it leads), or nil
	// when a batch it was part of has been sent.
	wake   chan *handoff
	counts []int64 // rows touched by each held write
	err    error
	alone  bool // its batch failed: send the writes again, by themselves
}

// combinable says whether the writes may share a statement, and which row
// they change: only INSERTs, and at most one write that changes a named row.
func combinable(held []heldWrite) (row int64, ok bool) {
	for _, h := range held {
		if h.insert() {
			continue
		}
		if h.row == 0 || row != 0 {
			return 0, false
		}
		row = h.row
	}
	return row, true
}

// send sends held, the writes of a transaction that has not begun, alone
// or combined with other transactions', and returns how many rows each
// touched. q runs the statement when this transaction leads its batch.
func (c *writeCombiner) send(ctx context.Context, q *Queries, held []heldWrite) ([]int64, error) {
	row, ok := combinable(held)
	if !ok {
		return q.sendWrites(ctx, held)
	}
	t := &combinedTx{held: held, row: row, wake: make(chan *handoff, 1)}
	c.mu.Lock()
	if now := time.Now(); len(c.running) < combineSlots ||
		len(c.running) < maxCombineSlots && now.Sub(c.running[0]) >= slowStatement {
		c.running = append(c.running, now)
		c.mu.Unlock()
		c.lead(ctx, q, now, []*combinedTx{t})
	} else {
		c.waiting = append(c.waiting, t)
		c.mu.Unlock()
		if h := <-t.wake; h != nil {
			c.lead(ctx, q, h.started, h.txs)
		}
	}
	if t.alone {
		return q.sendWrites(ctx, held)
	}
	return t.counts, t.err
}

// lead sends txs as one batch (the first is the caller's), tells the
// others, and hands its slot to the next batch waiting, if any.
func (c *writeCombiner) lead(ctx context.Context, q *Queries, started time.Time, txs []*combinedTx) {
	defer func() { // even if sending panicked: no one may wait forever
		for _, t := range txs[1:] {
			t.wake <- nil
		}
		c.finished(started)
	}()
	sendBatch(ctx, q, txs)
}

// handoff is a slot and the batch to send in it, given to the batch's first
// transaction.
type handoff struct {
	started time.Time // when its slot was handed over
	txs     []*combinedTx
}

// finished frees the slot of a statement started at started, or hands it
// to the next batch waiting, whose first transaction then sends it.
func (c *writeCombiner) finished(started time.Time) {
	c.mu.Lock()
	if i := slices.Index(c.running, started); i >= 0 {
		c.running = slices.Delete(c.running, i, i+1)
	}
	next := &handoff{started: time.Now(), txs: c.takeBatch()}
	if len(next.txs) > 0 {
		c.running = append(c.running, next.started)
	}
	c.mu.Unlock()
	if len(next.txs) > 0 {
		next.txs[0].wake <- next
	}
}

// takeBatch removes from the queue its first transaction and those that
// may share its statement: the same write texts, different rows. c.mu is held.
func (c *writeCombiner) takeBatch() []*combinedTx {
	if len(c.waiting) == 0 {
		return nil
	}
	first := c.waiting[0]
	txs := []*combinedTx{first}
	rest := c.waiting[:0]
	for _, t := range c.waiting[1:] {
		if len(txs) < maxCombined && sameTexts(first.held, t.held) && !slices.ContainsFunc(txs, func(b *combinedTx) bool {
			return b.row != 0 && b.row == t.row
		}) {
			txs = append(txs, t)
		} else {
			rest = append(rest, t)
		}
	}
	clear(c.waiting[len(rest):])
	c.waiting = rest
	return txs
}

// sameTexts says whether two transactions hold writes with the same texts,
// in the same order: their combination then has few distinct texts, each
// prepared once.
func sameTexts(a, b []heldWrite) bool {
	return slices.EqualFunc(a, b, func(x, y heldWrite) bool { return x.query == y.query })
}

// sendBatch sends the writes of txs as one statement and gives each
// transaction its counts; if the statement fails, each is told to send
// its own writes again (alone). The statement does not end with the
// leader's context: it carries other callers' writes.
func sendBatch(ctx context.Context, q *Queries, txs []*combinedTx) {
	for _, t := range txs {
		t.alone = true // until the statement has succeeded
	}
	if len(txs) == 1 {
		t := txs[0]
		t.counts, t.err = q.sendWrites(ctx, t.held)
		t.alone = false
		return
	}
	ordered := slices.Clone(txs)
	slices.SortFunc(ordered, func(a, b *combinedTx) int { return cmp.Compare(a.row, b.row) })
	var all []heldWrite
	for _, t := range ordered {
		all = append(all, t.held...)
	}
	counts, err := q.sendWrites(context.WithoutCancel(ctx), all)
	if err != nil {
		return
	}
	for _, t := range ordered {
		t.counts, counts = counts[:len(t.held)], counts[len(t.held):]
		t.alone = false
	}
}
