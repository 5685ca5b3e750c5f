package store

import (
	"database/sql"
	"encoding/json"
	"strings"
	"time"
)

// Times are stored as unix microseconds in both dialects.
func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(v int64) time.Time { return time.UnixMicro(v).UTC() }

// nullMicros stores an optional time.
func nullMicros(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMicro()
}

// optTime reads an optional time.
func optTime(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMicros(v.Int64)
	return &t
}

func optInt(v sql.NullInt64) *int64 {
	if !v.Valid {
		return nil
	}
	return &v.Int64
}

// optString reads an optional text column.
func optString(v sql.NullString) *string {
	if !v.Valid {
		return nil
	}
	return &v.String
}

// nullable stores an optional value: nil becomes NULL.
func nullable[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// jsonList encodes a JSON array column, or the one placeholder of the
// dialect's idSet/textSet subqueries; a nil slice is stored as [].
func jsonList[T any](v []T) string {
	if v == nil {
		return "[]"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "[]"
	}
	return string(b)
}

// jsonText encodes a JSON document column; a nil map is stored as {}.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return "{}"
	}
	return string(b)
}

// jsonMap decodes a JSON object column into dst; a broken document reads as empty.
func jsonMap[T any](raw []byte) map[string]T {
	m := map[string]T{}
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &m)
	}
	return m
}

// timePrecision is what a stored time keeps; values are truncated to it before
// they are written so that the caller's copy equals what a later read returns.
const timePrecision = time.Microsecond

// idsToken marks where a query takes the dialect's idSet subquery; withIDs fills it in.
const idsToken = "{ids}"

// withIDs puts the dialect's idSet subquery in place of idsToken.
func (q *Queries) withIDs(query string) string {
	return strings.ReplaceAll(query, idsToken, q.d.idSet())
}
