package store_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/store"
	"github.com/criachat/criachat/internal/store/storetest"
)

// TestMessageSearchIndexing: a message is searchable once its transaction
// commits, also when it was created and then edited or deleted in that same
// transaction, or by another caller sharing the commit (SQLite indexes new
// messages at the end of the shared transaction, migration 0010); a caller
// that rolls back leaves nothing in the index; and the FTS5 index stays
// consistent through all of it.
func TestMessageSearchIndexing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newInboxFixture(t, s)
		conv := newConversation(t, s, f.apiIn, criachat.StatusOpen)
		add := func(q *store.Queries, content string) (*criachat.Message, error) {
			m := &criachat.Message{AccountID: conv.AccountID, InboxID: conv.InboxID, ConversationID: conv.ID,
				MessageType: criachat.MessageOutgoing, Content: content, ContentType: "text"}
			return m, q.CreateMessage(ctx, m)
		}
		// Several callers at once, so that SQLite shares their commit.
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Go(func() {
				errs[i] = s.Tx(ctx, func(q *store.Queries) error {
					switch i {
					case 0: // created and edited in one transaction
						m, err := add(q, "quokka draft")
						if err != nil {
							return err
						}
						m.Content = "narwhal final"
						return q.UpdateMessage(ctx, m)
					case 1: // created, then the caller fails
						if _, err := add(q, "pangolin"); err != nil {
							return err
						}
						return errors.New("rolled back")
					default:
						_, err := add(q, "axolotl")
						return err
					}
				})
			})
		}
		wg.Wait()
		for i, err := range errs {
			if (err != nil) != (i == 1) {
				t.Fatalf("caller %d: %v", i, err)
			}
		}
		search := func(want map[string][]int64) {
			t.Helper()
			for word, ids := range want {
				got, err := s.Read().SearchConversationsByMessage(ctx, conv.AccountID, word, 10)
				if err != nil || !slices.Equal(got, ids) {
					t.Errorf("search %q = %v, %v; want %v", word, got, err, ids)
				}
			}
			if s.Dialect() == "sqlite" {
				if err := store.CheckSearchIndex(ctx, s); err != nil {
					t.Fatal(err)
				}
			}
		}
		search(map[string][]int64{"narwhal": {conv.ID}, "quokka": nil, "pangolin": nil, "axolotl": {conv.ID}})

		// Created and removed (with its conversation) in one transaction.
		if err := s.Tx(ctx, func(q *store.Queries) error {
			if _, err := add(q, "wombat"); err != nil {
				return err
			}
			return q.DeleteConversation(ctx, conv.AccountID, conv.ID) // deletes its messages too
		}); err != nil {
			t.Fatal(err)
		}
		search(map[string][]int64{"narwhal": nil, "wombat": nil, "axolotl": nil})
		conv = newConversation(t, s, f.apiIn, criachat.StatusOpen)
		if err := s.Tx(ctx, func(q *store.Queries) error { _, err := add(q, "axolotl again"); return err }); err != nil {
			t.Fatal(err)
		}
		search(map[string][]int64{"axolotl": {conv.ID}})
	})
}
