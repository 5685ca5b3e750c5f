package store

import "context"

// CheckSearchIndex runs SQLite FTS5's integrity check of the message index
// against the messages table.
func CheckSearchIndex(ctx context.Context, s *Store) error {
	_, err := s.write.ExecContext(ctx, `INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)`)
	return err
}
