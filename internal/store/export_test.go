package store

import (
	"context"
	"time"
)

// CheckSearchIndex runs SQLite FTS5's integrity check of the message index
// against the messages table.
func CheckSearchIndex(ctx context.Context, s *Store) error {
	_, err := s.write.ExecContext(ctx, `INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)`)
	return err
}

// WALFrames reports the length of the SQLite WAL in pages (frames written
// since the WAL last started over) and how many of them are copied.
func WALFrames(ctx context.Context, s *Store) (frames, copied int, err error) {
	var busy int
	err = s.read.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied)
	return frames, copied, err
}

// EventNumbers counts an account's rows in event_seqs, which have no
// foreign key to their events (migration 0013).
func EventNumbers(ctx context.Context, s *Store, accountID int64) (n int, err error) {
	err = s.read.QueryRowContext(ctx, s.d.rebind(`SELECT COUNT(*) FROM event_seqs WHERE account_id = ?`), accountID).Scan(&n)
	return n, err
}

// BlockCombiner takes every slot of the PostgreSQL write combiner, so that
// transactions that only write queue to be combined. waiting reports how
// many queue; release frees one slot as a finishing statement would,
// handing it to the next batch if one waits.
func BlockCombiner(s *Store) (waiting func() int, release func()) {
	c := s.combiner
	never := time.Now().Add(time.Hour) // statements that never look slow
	c.mu.Lock()
	for range combineSlots {
		c.running = append(c.running, never)
	}
	c.mu.Unlock()
	waiting = func() int {
		c.mu.Lock()
		defer c.mu.Unlock()
		return len(c.waiting)
	}
	return waiting, func() { c.finished(never) }
}

// CombinerRunning reports how many combined statements hold a slot.
func CombinerRunning(s *Store) int {
	s.combiner.mu.Lock()
	defer s.combiner.mu.Unlock()
	return len(s.combiner.running)
}
