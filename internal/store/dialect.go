package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations
var migrationFS embed.FS

// dialect is everything that differs between SQLite and PostgreSQL. The rest of
// the package is shared.
type dialect interface {
	name() string
	open(ctx context.Context, url string) (read, write *sql.DB, err error)
	rebind(query string) string
	// bind is rebind without remembering the result, for query texts built
	// at run time (queryDynamic).
	bind(query string) string
	translate(err error) error
	migrations() fs.FS
	// lockMigrations serialises concurrent migrators inside tx.
	lockMigrations(ctx context.Context, tx *sql.Tx) error
	// forUpdate is the suffix that row-locks a SELECT until the transaction ends.
	forUpdate() string
	// nextMessageID is an expression that reserves the id of a message
	// about to be inserted, or "0" where ids come only from the insert.
	nextMessageID() string
	// numbersEventsAtWrite says whether AppendEvent takes the account's next
	// event sequence number in the writing transaction. SQLite has one
	// writer, so that costs one statement and commits in order; on
	// PostgreSQL it would lock the account row from the event to the commit
	// and serialize the account's writers, so events are numbered after
	// commit by SequenceEvents, in the order they became visible.
	numbersEventsAtWrite() bool
	// skipLocked is the suffix that row-locks a SELECT and skips rows other
	// transactions hold, so that several processes claim different jobs.
	skipLocked() string
	// messageSearch is the full-text query returning the ids of an account's
	// conversations whose messages match, newest match first; its arguments
	// are (account id, the ftsQuery of the user's text, limit).
	messageSearch() string
	// ftsQuery turns user text into the dialect's full-text query.
	ftsQuery(text string) string
	// jsonValue reads the value at key of the JSON object column col as kind.
	// It returns an SQL expression and the arguments of its placeholders: the
	// key travels as an argument, never in the SQL text.
	jsonValue(col, key string, kind jsonKind) (string, []any)
	// idSet is a subquery yielding the integers of a JSON array bound to its
	// one placeholder (see jsonList), so that "x IN (…)" over a list of any
	// length stays one constant, cached statement.
	idSet() string
	// textSet is idSet for a JSON array of strings (see jsonList).
	textSet() string
}

// jsonKind is the SQL type a JSON value is read as by dialect.jsonValue.
type jsonKind int

const (
	// jsonAsText reads a scalar as text ("5", "true"), NULL when absent or null.
	jsonAsText jsonKind = iota
	// jsonAsNumber reads a JSON number as a number, NULL for anything else.
	jsonAsNumber
	// jsonAsBool reads true or false as a boolean, NULL for anything else.
	jsonAsBool
)

type sqliteDialect struct{}

func (sqliteDialect) name() string { return "sqlite" }

// open returns a pool of readers and a single writer connection, the layout
// SQLite needs to avoid SQLITE_BUSY storms: writers queue in Go, not in SQLite.
func (sqliteDialect) open(ctx context.Context, url string) (*sql.DB, *sql.DB, error) {
	path := strings.TrimPrefix(strings.TrimPrefix(url, "sqlite://"), "sqlite:")
	if path == "" {
		return nil, nil, errors.New("sqlite url has no path")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, nil, fmt.Errorf("create database directory: %w", err)
		}
	}
	const pragmas = "_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)" +
		"&_pragma=synchronous(NORMAL)&_pragma=cache_size(-16000)&_pragma=temp_store(MEMORY)"
	// The writer never checkpoints: groupCommitter.checkpoints does, on a
	// read connection, so that commits only append to the WAL. When the WAL
	// starts over, a file grown past 64 MB by a burst is cut back.
	write, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=wal_autocheckpoint(0)&_pragma=journal_size_limit(67108864)&_txlock=immediate")
	if err != nil {
		return nil, nil, err
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	// The writer connects first so that WAL mode is set before readers open.
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	read, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, nil, err
	}
	n := max(4, runtime.NumCPU()*2)
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	read.SetConnMaxIdleTime(0)
	read.SetConnMaxLifetime(0)
	return read, write, nil
}

func (sqliteDialect) rebind(query string) string { return query }

func (sqliteDialect) bind(query string) string { return query }

// jsonValue uses json_type and json_extract with a quoted path ($."key"), so
// dots and other characters in the key are not path syntax. json_extract
// returns true/false as 1/0, so booleans are spelled out for jsonAsText as
// PostgreSQL's ->> does.
func (sqliteDialect) jsonValue(col, key string, kind jsonKind) (string, []any) {
	path := `$."` + strings.ReplaceAll(key, `"`, `""`) + `"`
	switch kind {
	case jsonAsNumber:
		return "(CASE WHEN json_type(" + col + ", ?) IN ('integer', 'real') THEN json_extract(" + col + ", ?) END)", []any{path, path}
	case jsonAsBool:
		return "(CASE json_type(" + col + ", ?) WHEN 'true' THEN 1 WHEN 'false' THEN 0 END)", []any{path}
	}
	return "(CASE json_type(" + col + ", ?) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST(json_extract(" + col + ", ?) AS TEXT) END)", []any{path, path}
}

func (sqliteDialect) translate(err error) error {
	var se *sqlite.Error
	if err == nil || !errors.As(err, &se) {
		return err
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return fmt.Errorf("%w: %w", ErrUnique, err)
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return fmt.Errorf("%w: %w", ErrForeignKey, err)
	}
	return err
}

func (sqliteDialect) migrations() fs.FS {
	sub, _ := fs.Sub(migrationFS, "migrations/sqlite")
	return sub
}

// lockMigrations is a no-op: BEGIN IMMEDIATE already holds the write lock.
func (sqliteDialect) lockMigrations(context.Context, *sql.Tx) error { return nil }

// forUpdate is empty: a SQLite write transaction already excludes every other writer.
func (sqliteDialect) forUpdate() string { return "" }

func (sqliteDialect) nextMessageID() string { return "0" }

func (sqliteDialect) skipLocked() string { return "" }

func (sqliteDialect) numbersEventsAtWrite() bool { return true }

func (sqliteDialect) messageSearch() string {
	return `SELECT m.conversation_id FROM messages_fts f JOIN messages m ON m.id = f.rowid
		WHERE messages_fts MATCH ? AND m.account_id = ? GROUP BY m.conversation_id ORDER BY MAX(m.id) DESC LIMIT ?`
}

// ftsQuery quotes every word, so the user's text is matched as terms (all of
// them, any order) and never parsed as FTS5 syntax.
func (sqliteDialect) ftsQuery(text string) string {
	var parts []string
	for _, w := range strings.Fields(text) {
		parts = append(parts, `"`+strings.ReplaceAll(w, `"`, `""`)+`"`)
	}
	return strings.Join(parts, " ")
}
func (sqliteDialect) idSet() string { return `SELECT value FROM json_each(?)` }

func (sqliteDialect) textSet() string { return `SELECT value FROM json_each(?)` }

type postgresDialect struct{}

func (postgresDialect) name() string { return "postgres" }

func (postgresDialect) open(ctx context.Context, url string) (*sql.DB, *sql.DB, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, nil, err
	}
	n := max(8, runtime.NumCPU()*4)
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("connect to postgres: %w", err)
	}
	return db, db, nil
}

var rebound sync.Map // query text -> query with $n placeholders

// rebind turns "?" placeholders into "$1", "$2"…; queries in this package never
// contain a literal "?" otherwise.
func (d postgresDialect) rebind(query string) string {
	if v, ok := rebound.Load(query); ok {
		return v.(string)
	}
	out := d.bind(query)
	rebound.Store(query, out)
	return out
}

func (postgresDialect) bind(query string) string {
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// jsonValue uses ->> and -> with the key as a text argument; jsonb_typeof
// guards the casts so that a value of another type reads as NULL instead of
// failing the whole query.
func (postgresDialect) jsonValue(col, key string, kind jsonKind) (string, []any) {
	switch kind {
	case jsonAsNumber:
		return "(CASE WHEN jsonb_typeof(" + col + " -> CAST(? AS TEXT)) = 'number' THEN (" + col + " ->> CAST(? AS TEXT))::numeric END)", []any{key, key}
	case jsonAsBool:
		return "(CASE WHEN jsonb_typeof(" + col + " -> CAST(? AS TEXT)) = 'boolean' THEN (" + col + " ->> CAST(? AS TEXT))::boolean END)", []any{key, key}
	}
	return "(" + col + " ->> CAST(? AS TEXT))", []any{key}
}

func (postgresDialect) translate(err error) error {
	var pe *pgconn.PgError
	if err == nil || !errors.As(err, &pe) {
		return err
	}
	switch pe.Code {
	case "23505":
		return fmt.Errorf("%w: %w", ErrUnique, err)
	case "23503":
		return fmt.Errorf("%w: %w", ErrForeignKey, err)
	}
	return err
}

func (postgresDialect) migrations() fs.FS {
	sub, _ := fs.Sub(migrationFS, "migrations/postgres")
	return sub
}

func (postgresDialect) forUpdate() string { return " FOR UPDATE" }

// nextMessageID takes a value of messages.id's identity sequence (named by
// PostgreSQL's rule for identity columns).
func (postgresDialect) nextMessageID() string { return "nextval('messages_id_seq')" }

func (postgresDialect) skipLocked() string { return " FOR UPDATE SKIP LOCKED" }

func (postgresDialect) numbersEventsAtWrite() bool { return false }

func (postgresDialect) messageSearch() string {
	return `SELECT m.conversation_id FROM messages m
		WHERE to_tsvector('simple', m.content) @@ plainto_tsquery('simple', ?) AND m.account_id = ?
		GROUP BY m.conversation_id ORDER BY MAX(m.id) DESC LIMIT ?`
}

func (postgresDialect) ftsQuery(text string) string { return text }

func (postgresDialect) idSet() string {
	return `SELECT CAST(value AS BIGINT) FROM jsonb_array_elements_text(CAST(CAST(? AS TEXT) AS JSONB))`
}

func (postgresDialect) textSet() string {
	return `SELECT value FROM jsonb_array_elements_text(CAST(CAST(? AS TEXT) AS JSONB))`
}

// lockMigrations takes a transaction-scoped advisory lock so that several
// processes starting together on one database migrate one after another.
func (postgresDialect) lockMigrations(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(7242351)")
	return err
}
