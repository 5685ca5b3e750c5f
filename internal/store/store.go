// Package store keeps CriaChat's data in SQLite or PostgreSQL.
//
// Both databases run the same queries: statements are written once with "?"
// placeholders, and a small dialect value (dialect.go) rebinds them, opens the
// connection pools, translates driver errors by code and supplies the
// migration set. The conformance suite in this package runs every assertion
// against both, so a query that only works on one of them fails a test.
//
// Reads go through Store.Read; every write goes through Store.Tx, which on
// SQLite runs on the single writer connection with BEGIN IMMEDIATE.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/criachat/criachat/internal/criachat"
)

// Store is an open database.
type Store struct {
	d     dialect
	read  *sql.DB
	write *sql.DB
	now   func() time.Time

	// Prepared statements per pool, keyed by query text. SQLite spends most of
	// a small query's time parsing SQL, so statements are prepared once.
	readStmts, writeStmts *stmtCache

	// group batches SQLite write transactions (nil on PostgreSQL).
	group *groupCommitter

	// wake has a value when a committed transaction wrote webhook deliveries
	// (see Deliveries).
	wake chan struct{}

	// members caches MemberByTokenHash (auth_cache.go).
	members *memberCache

	// queries counts statements run, so tests can prove a list endpoint's
	// query count does not grow with its page size.
	queries atomic.Int64

	// eventIDs reserves event ids on PostgreSQL (nil on SQLite).
	eventIDs *eventIDs
	// combiner sends concurrent PostgreSQL transactions that only write
	// as one statement (nil on SQLite).
	combiner *writeCombiner
}

// QueryCount returns how many statements the store has run.
func (s *Store) QueryCount() int64 { return s.queries.Load() }

// Open connects to the database named by url ("sqlite://PATH" or
// "postgres://…") and configures its pools. It does not migrate; call Migrate.
func Open(ctx context.Context, url string) (*Store, error) {
	var d dialect
	switch {
	case strings.HasPrefix(url, "sqlite://"), strings.HasPrefix(url, "sqlite:"):
		d = &sqliteDialect{}
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		d = &postgresDialect{}
	default:
		return nil, fmt.Errorf("unsupported database url %q: want sqlite://PATH or postgres://", url)
	}
	read, write, err := d.open(ctx, url)
	if err != nil {
		return nil, err
	}
	st := &Store{d: d, read: read, write: write, now: time.Now, wake: make(chan struct{}, 1),
		members: newMemberCache(DefaultAuthCacheTTL)}
	st.writeStmts = &stmtCache{db: write, d: d, count: &st.queries}
	st.readStmts = st.writeStmts
	if read != write {
		st.readStmts = &stmtCache{db: read, d: d, count: &st.queries}
	}
	if d.name() == "sqlite" {
		// Readers search the WAL frames not yet copied into the database
		// file; a WAL left long (by a crash, or another process) would slow
		// every read until the next write: copy what can be copied now.
		if _, err := write.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)"); err != nil {
			slog.Warn("sqlite checkpoint at open", "err", err)
		}
		st.group = newGroupCommitter(st)
	} else {
		st.eventIDs, st.combiner = &eventIDs{}, &writeCombiner{}
	}
	return st, nil
}

// Dialect names the database: "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.d.name() }

// Close closes the pools.
func (s *Store) Close() error {
	if s.group != nil {
		s.group.close()
		// Leave nothing behind in the WAL for the next process to search.
		if _, err := s.write.Exec("PRAGMA wal_checkpoint(PASSIVE)"); err != nil {
			slog.Warn("sqlite checkpoint at close", "err", err)
		}
	}
	s.readStmts.close()
	s.writeStmts.close()
	err := s.write.Close()
	if s.read != s.write {
		err = errors.Join(err, s.read.Close())
	}
	return err
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.read.PingContext(ctx) }

// Read returns queries that run on the read pool, outside any transaction.
func (s *Store) Read() *Queries {
	return &Queries{stmts: s.readStmts, d: s.d, now: s.now, members: s.members}
}

// Tx runs fn in a write transaction and commits when fn returns nil. Store
// helpers called on the given Queries compose inside the one transaction.
//
// On SQLite, concurrent callers share commits (see groupCommitter); each
// still gets all-or-nothing for its own work. On PostgreSQL the transaction
// begins with its first statement that is not held (see lazyTx).
func (s *Store) Tx(ctx context.Context, fn func(q *Queries) error) error {
	if s.group != nil {
		return s.group.run(ctx, fn)
	}
	return s.txLazy(ctx, fn)
}

// txEffects records what a transaction wrote that the process reacts to once
// it has committed.
type txEffects struct {
	deliveries bool // webhook deliveries: wake the delivery worker
	auth       bool // users, tokens, memberships or accounts: forget cached members
}

// committed reacts to a finished transaction's effects. It also runs when the
// commit failed: a spurious wake-up or cache flush costs little.
func (s *Store) committed(e txEffects) {
	if e.auth {
		s.members.invalidate()
	}
	if e.deliveries {
		s.notifyDeliveries()
	}
}

// txQueries returns the queries of a write transaction.
func (s *Store) txQueries(tx *sql.Tx, effects *txEffects, queue *eventQueue) *Queries {
	return &Queries{tx: tx, stmts: s.writeStmts, d: s.d, now: s.now, members: s.members, effects: effects, queue: queue}
}

// Deliveries signals (without blocking the writer) when a committed
// transaction of this process wrote webhook deliveries, so that the delivery
// worker starts at once instead of at its next poll.
func (s *Store) Deliveries() <-chan struct{} { return s.wake }

func (s *Store) notifyDeliveries() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Queries runs statements on a pool or inside a transaction. Every method takes
// ctx first and scopes by account where the record belongs to one. Query text
// must be constant (parameters go in args): statements are cached by text.
type Queries struct {
	tx    *sql.Tx // nil outside a transaction
	stmts *stmtCache
	d     dialect
	now   func() time.Time
	// members is the store's member cache, which writes to the tables it
	// reads from invalidate (see authChanged).
	members *memberCache
	// effects collects what the transaction wrote (nil outside one).
	effects *txEffects
	// queue, in a shared SQLite transaction, holds appended events until the
	// end of the batch (nil: events are written at once).
	queue *eventQueue
	// uncancelable, in a shared SQLite transaction, runs statements without
	// the caller's cancellation (see statementContext).
	uncancelable bool
	// lazy, in a PostgreSQL write transaction, holds the writes not sent
	// yet (deferred.go); tx stays nil until the transaction begins.
	lazy *lazyTx
	// eventIDs, on PostgreSQL, reserves the ids of new events (event_id.go).
	eventIDs *eventIDs
}

// statementContext is the context a statement runs with. On the SQLite
// writer a caller's work takes a fraction of a millisecond and is undone
// whole if it fails, so its statements ignore the caller's cancellation
// (the group committer checks it before the work starts): a cancellable
// context costs two goroutines per statement, database/sql's and the
// driver's, each watching it, on the one connection every write waits for.
func (q *Queries) statementContext(ctx context.Context) context.Context {
	if q.uncancelable {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// The three helpers below run a constant query. Outside a transaction they use
// the pool's prepared statement. Inside one they use it when it exists; on
// the first use they run the text directly and have it prepared in the
// background, because preparing on the pool would wait for the connection
// the transaction holds (SQLite has one writer connection).

func (q *Queries) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx = q.statementContext(ctx)
	if err := q.ready(ctx); err != nil {
		return nil, err
	}
	var res sql.Result
	st, err := q.stmts.get(ctx, query, q.tx != nil)
	switch {
	case err != nil:
	case st == nil:
		res, err = q.tx.ExecContext(ctx, q.d.rebind(query), args...)
	case q.tx != nil:
		res, err = q.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	default:
		res, err = st.ExecContext(ctx, args...)
	}
	return res, q.d.translate(err)
}

func (q *Queries) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx = q.statementContext(ctx)
	if err := q.ready(ctx); err != nil {
		return nil, err
	}
	var rows *sql.Rows
	st, err := q.stmts.get(ctx, query, q.tx != nil)
	switch {
	case err != nil:
	case st == nil:
		rows, err = q.tx.QueryContext(ctx, q.d.rebind(query), args...)
	case q.tx != nil:
		rows, err = q.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	default:
		rows, err = st.QueryContext(ctx, args...)
	}
	return rows, q.d.translate(err)
}

// row is a single-row result whose error may come from preparing.
type row struct {
	r   *sql.Row
	err error
}

// Scan scans the row or returns the preparation error.
func (r row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	return r.r.Scan(dest...)
}

func (q *Queries) queryRow(ctx context.Context, query string, args ...any) row {
	ctx = q.statementContext(ctx)
	if err := q.ready(ctx); err != nil {
		return row{err: err}
	}
	st, err := q.stmts.get(ctx, query, q.tx != nil)
	switch {
	case err != nil:
		return row{err: q.d.translate(err)}
	case st == nil:
		return row{r: q.tx.QueryRowContext(ctx, q.d.rebind(query), args...)}
	case q.tx != nil:
		return row{r: q.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)}
	}
	return row{r: st.QueryRowContext(ctx, args...)}
}

// queryDynamic runs a query whose text is built at run time (filters with a
// variable number of conditions or values). It bypasses the statement cache
// and the placeholder cache, which would otherwise grow with every distinct
// text. Values must still travel as args; identifiers in the text must come
// from a fixed list.
func (q *Queries) queryDynamic(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx = q.statementContext(ctx)
	if err := q.ready(ctx); err != nil {
		return nil, err
	}
	q.stmts.count.Add(1) // counted like the cached statements (stmtCache.get)
	query = q.d.bind(query)
	var rows *sql.Rows
	var err error
	if q.tx != nil {
		rows, err = q.tx.QueryContext(ctx, query, args...)
	} else {
		rows, err = q.stmts.db.QueryContext(ctx, query, args...)
	}
	return rows, q.d.translate(err)
}

// stmtCache prepares each query text once per pool.
type stmtCache struct {
	db    *sql.DB
	d     dialect
	count *atomic.Int64 // statements run through this cache
	m     sync.Map      // query text -> *sql.Stmt

	pending sync.Map // query text -> true while a background prepare runs
}

// get returns the statement for query. With inTx it never waits for a
// connection: on a miss it returns nil and prepares the statement in the background.
func (c *stmtCache) get(ctx context.Context, query string, inTx bool) (*sql.Stmt, error) {
	c.count.Add(1)
	if v, ok := c.m.Load(query); ok {
		return v.(*sql.Stmt), nil
	}
	if inTx {
		if _, busy := c.pending.LoadOrStore(query, true); !busy {
			go func() {
				defer c.pending.Delete(query)
				_, _ = c.prepare(context.Background(), query)
			}()
		}
		return nil, nil
	}
	return c.prepare(ctx, query)
}

// prepare prepares query on the pool and caches it.
func (c *stmtCache) prepare(ctx context.Context, query string) (*sql.Stmt, error) {
	if v, ok := c.m.Load(query); ok {
		return v.(*sql.Stmt), nil
	}
	st, err := c.db.PrepareContext(ctx, c.d.rebind(query))
	if err != nil {
		return nil, err
	}
	if v, loaded := c.m.LoadOrStore(query, st); loaded {
		st.Close()
		return v.(*sql.Stmt), nil
	}
	return st, nil
}

func (c *stmtCache) close() {
	c.m.Range(func(k, v any) bool {
		v.(*sql.Stmt).Close()
		return true
	})
}

// scanOne scans a single-row result, turning "no rows" into ENOTFOUND with the
// given message and translating driver errors.
func (q *Queries) scanOne(r row, what string, dest ...any) error {
	err := r.Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return criachat.Errorf(criachat.ENOTFOUND, "%s not found", what)
	}
	return q.d.translate(err)
}

// affectedOne turns an update or delete that touched no row into ENOTFOUND.
func affectedOne(res sql.Result, what string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return criachat.Errorf(criachat.ENOTFOUND, "%s not found", what)
	}
	return nil
}

// ErrUnique is wrapped by errors from statements that broke a unique index.
var ErrUnique = errors.New("unique constraint violated")

// ErrForeignKey is wrapped by errors from statements that broke a foreign key.
var ErrForeignKey = errors.New("foreign key constraint violated")

// Analyze refreshes the planner's statistics (and, on PostgreSQL, the
// visibility map that index-only scans need). Autovacuum does this for a
// live PostgreSQL; tools that bulk-load data call it before measuring.
func (s *Store) Analyze(ctx context.Context) error {
	stmt := "ANALYZE"
	if s.d.name() == "postgres" {
		stmt = "VACUUM ANALYZE"
	}
	if _, err := s.write.ExecContext(ctx, stmt); err != nil || s.d.name() != "sqlite" {
		return err
	}
	// SQLite keeps only the per-index row counts (sqlite_stat1). With the
	// sample rows of sqlite_stat4, every prepared statement that compares a
	// parameter with an indexed column is re-parsed and re-planned whenever
	// its parameters change (sqlite3_prepare_v2's STAT4 rule), which undoes
	// the statement cache: measured at a fifth of the CPU of message creation.
	var n int
	if err := s.write.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_schema WHERE name = 'sqlite_stat4'`).Scan(&n); err != nil || n == 0 {
		return err
	}
	if _, err := s.write.ExecContext(ctx, `DELETE FROM sqlite_stat4`); err != nil {
		return err
	}
	_, err := s.write.ExecContext(ctx, `ANALYZE sqlite_schema`) // reload the statistics
	return err
}
