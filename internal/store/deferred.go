package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/criachat/criachat/internal/criachat"
)

// PostgreSQL write transactions are lazy: BEGIN is sent with the first
// statement whose result the caller needs (a read, an INSERT … RETURNING),
// and the writes whose result it does not need (execLater) are held until
// then, or until the end of the transaction, and sent together as one
// statement. A transaction that only holds writes therefore costs one round
// trip and no BEGIN or COMMIT: a single statement is atomic by itself. This
// is what message creation does once its reads are done before it
// (conversation.LoadMessageTarget): a statement, not seven, measured as the
// largest share of its time on PostgreSQL (README, Performance).
//
// The held writes run as the data-modifying parts of one WITH statement,
// which all see the same snapshot and cannot see one another's rows. So a
// table has at most one held write, or only INSERTs (another write sends
// those held before it), and every statement that is not held sends them
// first; foreign keys are checked at the end of the statement, after all
// its parts.

// HoldsWrites says whether Tx holds the writes that need no result (see
// lazyTx): then a caller that reads what it needs before its transaction
// (Queries.MessageTarget) gets a transaction of one statement. On SQLite,
// whose one writer runs a transaction's statements back to back, reads
// belong inside the transaction.
func (s *Store) HoldsWrites() bool { return s.group == nil }

// lazyTx is a PostgreSQL write transaction that has not necessarily begun.
type lazyTx struct {
	held []heldWrite
}

// laterWrite describes a write given to execLater.
type laterWrite struct {
	table string // the one table it writes
	// notFound names what the write is about when it must touch a row:
	// no row touched is ENOTFOUND "<notFound> not found", and so is a
	// foreign key it breaks (the row it refers to went away).
	notFound string
	// sent, when set, is told how many rows the write touched.
	sent func(rows int64)
	// row is the id of the one row of table that a write other than an
	// INSERT changes, when it names one: transactions that change
	// different rows may share a statement (writeCombiner).
	row int64
}

// heldWrite is a write waiting for its transaction to send it.
type heldWrite struct {
	laterWrite
	query string // INSERT, UPDATE or DELETE without RETURNING, "?" placeholders
	args  []any
}

// insert says whether the write only adds rows: such writes of one table
// may be held together (they cannot touch the same row).
func (h heldWrite) insert() bool { return strings.HasPrefix(strings.TrimSpace(h.query), "INSERT") }

// execLater runs a write whose result the caller does not need, in the
// current transaction: held for later on PostgreSQL (see lazyTx), at once
// on SQLite or outside a transaction (see laterWrite for what it reports).
// A held write must not read a table that another held write changes: it
// would not see that change. The held writes are those of message creation
// (conversations, messages, events, webhook_deliveries), which read none of
// those tables.
func (q *Queries) execLater(ctx context.Context, w laterWrite, query string, args ...any) error {
	if q.lazy == nil {
		res, err := q.exec(ctx, query, args...)
		if err != nil {
			return foreignKeyAsNotFound(err, w)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		return w.done(n)
	}
	h := heldWrite{laterWrite: w, query: query, args: args}
	for _, o := range q.lazy.held {
		if o.table == h.table && !(o.insert() && h.insert()) {
			if err := q.ready(ctx); err != nil {
				return err
			}
			break
		}
	}
	q.lazy.held = append(q.lazy.held, h)
	return nil
}

// foreignKeyAsNotFound turns a broken foreign key into ENOTFOUND for the
// first of writes that names what it is about (see laterWrite.notFound):
// the row it refers to went away. Other errors are returned as they are.
func foreignKeyAsNotFound(err error, writes ...laterWrite) error {
	if errors.Is(err, ErrForeignKey) {
		for _, w := range writes {
			if w.notFound != "" {
				return criachat.Errorf(criachat.ENOTFOUND, "%s not found", w.notFound)
			}
		}
	}
	return err
}

// done reports that the write touched n rows.
func (w laterWrite) done(n int64) error {
	if w.sent != nil {
		w.sent(n)
	}
	if w.notFound != "" && n == 0 {
		return criachat.Errorf(criachat.ENOTFOUND, "%s not found", w.notFound)
	}
	return nil
}

// ready prepares a lazy transaction for a statement that is not held:
// it begins the transaction and sends the held writes.
func (q *Queries) ready(ctx context.Context) error {
	if q.lazy == nil {
		return nil
	}
	if q.tx == nil {
		tx, err := q.stmts.db.BeginTx(ctx, nil)
		if err != nil {
			return q.d.translate(fmt.Errorf("begin: %w", err))
		}
		q.tx = tx
	}
	return q.sendHeld(ctx)
}

// sendHeld sends the held writes as one statement, in the transaction if it
// has begun, as a transaction of its own otherwise.
func (q *Queries) sendHeld(ctx context.Context) error {
	held := q.lazy.held
	if len(held) == 0 {
		return nil
	}
	q.lazy.held = nil
	lazy := q.lazy
	q.lazy = nil // the statements below run directly
	defer func() { q.lazy = lazy }()
	counts, err := q.sendWrites(ctx, held)
	return heldSent(held, counts, err)
}

// sendWrites runs writes as one statement and returns how many rows each
// touched. q holds no writes (q.lazy is nil).
func (q *Queries) sendWrites(ctx context.Context, held []heldWrite) ([]int64, error) {
	counts := make([]int64, len(held))
	if len(held) == 1 {
		res, err := q.exec(ctx, held[0].query, held[0].args...)
		if err == nil {
			counts[0], err = res.RowsAffected()
		}
		return counts, err
	}
	query, args := combineWrites(held)
	dest := make([]any, len(counts))
	for i := range counts {
		dest[i] = &counts[i]
	}
	return counts, q.d.translate(q.queryRow(ctx, query, args...).Scan(dest...))
}

// heldSent reports the outcome of sending held writes to each of them.
func heldSent(held []heldWrite, counts []int64, err error) error {
	if err != nil {
		writes := make([]laterWrite, len(held))
		for i, h := range held {
			writes[i] = h.laterWrite
		}
		return foreignKeyAsNotFound(err, writes...)
	}
	for i, h := range held {
		if err := h.done(counts[i]); err != nil {
			return err
		}
	}
	return nil
}

// combineWrites makes one statement of several writes, which returns how
// many rows each touched. The texts depend only on the writes' texts, so the
// few combinations that occur are each prepared once.
func combineWrites(held []heldWrite) (string, []any) {
	var b strings.Builder
	var args []any
	for i, h := range held {
		if i == 0 {
			b.WriteString("WITH ")
		} else {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "w%d AS (%s RETURNING 1)", i, h.query)
		args = append(args, h.args...)
	}
	b.WriteString(" SELECT ")
	for i := range held {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "(SELECT COUNT(*) FROM w%d)", i)
	}
	return b.String(), args
}

// txLazy runs fn in a lazy PostgreSQL transaction (see lazyTx).
func (s *Store) txLazy(ctx context.Context, fn func(q *Queries) error) (err error) {
	var effects txEffects
	q := s.txQueries(nil, &effects, nil) // tx is set when it begins (ready)
	q.lazy, q.eventIDs = &lazyTx{}, s.eventIDs
	defer func() {
		p := recover()
		if q.tx != nil && (p != nil || err != nil) {
			_ = q.tx.Rollback()
		}
		if p != nil {
			panic(p)
		}
	}()
	if err = fn(q); err != nil {
		return err
	}
	if q.tx == nil && len(q.lazy.held) > 0 {
		// Only writes: one statement, which may carry other transactions' too.
		held := q.lazy.held
		q.lazy = nil
		counts, err := s.combiner.send(ctx, q, held)
		err = heldSent(held, counts, err) // before committed: it notes the effects
		s.committed(effects)
		return err
	}
	if err = q.sendHeld(ctx); err != nil || q.tx == nil {
		s.committed(effects)
		return err
	}
	err = q.tx.Commit()
	s.committed(effects)
	if err != nil {
		return s.d.translate(fmt.Errorf("commit: %w", err))
	}
	return nil
}
