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
	"strings"
	"time"

	"github.com/criachat/criachat/internal/criachat"
)

// Store is an open database.
type Store struct {
	d     dialect
	read  *sql.DB
	write *sql.DB
	now   func() time.Time
}

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
	return &Store{d: d, read: read, write: write, now: time.Now}, nil
}

// Dialect names the database: "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.d.name() }

// Close closes the pools.
func (s *Store) Close() error {
	err := s.write.Close()
	if s.read != s.write {
		err = errors.Join(err, s.read.Close())
	}
	return err
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.read.PingContext(ctx) }

// Read returns queries that run on the read pool, outside any transaction.
func (s *Store) Read() *Queries { return &Queries{db: s.read, d: s.d, now: s.now} }

// Tx runs fn in a write transaction and commits when fn returns nil. Store
// helpers called on the given Queries compose inside the one transaction.
func (s *Store) Tx(ctx context.Context, fn func(q *Queries) error) (err error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return s.d.translate(fmt.Errorf("begin: %w", err))
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(&Queries{db: tx, d: s.d, now: s.now}); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return s.d.translate(fmt.Errorf("commit: %w", err))
	}
	return nil
}

// dbtx is what both *sql.DB and *sql.Tx offer.
type dbtx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Queries runs statements on a pool or inside a transaction. Every method takes
// ctx first and scopes by account where the record belongs to one.
type Queries struct {
	db  dbtx
	d   dialect
	now func() time.Time
}

func (q *Queries) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	res, err := q.db.ExecContext(ctx, q.d.rebind(query), args...)
	return res, q.d.translate(err)
}

func (q *Queries) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	rows, err := q.db.QueryContext(ctx, q.d.rebind(query), args...)
	return rows, q.d.translate(err)
}

func (q *Queries) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return q.db.QueryRowContext(ctx, q.d.rebind(query), args...)
}

// scanOne scans a single-row result, turning "no rows" into ENOTFOUND with the
// given message and translating driver errors.
func (q *Queries) scanOne(row *sql.Row, what string, dest ...any) error {
	err := row.Scan(dest...)
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
