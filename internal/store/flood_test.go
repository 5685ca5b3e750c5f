package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/store"
	"github.com/criachat/criachat/internal/store/storetest"
)

// addMessages adds n outgoing messages to conv, created at the given time.
func addMessages(t testing.TB, s *store.Store, conv *criachat.Conversation, n int, at time.Time) {
	t.Helper()
	ctx := context.Background()
	err := s.Tx(ctx, func(q *store.Queries) error {
		for range n {
			m := &criachat.Message{AccountID: conv.AccountID, InboxID: conv.InboxID, ConversationID: conv.ID,
				MessageType: criachat.MessageOutgoing, Content: "hello", ContentType: "text", CreatedAt: at}
			if err := q.CreateMessage(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestConversationForMessageFloodGuard: the conversation is flooded once it
// has limit messages newer than the window's start, however long it is, and
// it is found only in its own account.
func TestConversationForMessageFloodGuard(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newInboxFixture(t, s)
		conv := newConversation(t, s, f.apiIn, criachat.StatusOpen)
		now := time.Now()
		since := now.Add(-time.Minute)
		check := func(limit int, want bool) {
			t.Helper()
			c, flooded, err := s.Read().ConversationForMessage(ctx, conv.AccountID, conv.DisplayID, since, limit)
			if err != nil || c.ID != conv.ID || flooded != want {
				t.Fatalf("limit %d: conversation %v, flooded %v, %v; want flooded %v", limit, c, flooded, err, want)
			}
		}
		check(1, false) // no messages at all
		addMessages(t, s, conv, 30, now.Add(-2*time.Hour))
		check(3, false) // long, but nothing recent
		addMessages(t, s, conv, 2, now)
		check(3, false)
		check(2, true)
		addMessages(t, s, conv, 1, now)
		check(3, true)
		check(4, false)

		if _, _, err := s.Read().ConversationForMessage(ctx, f.b.ID, conv.DisplayID, since, 3); criachat.ErrorCode(err) != criachat.ENOTFOUND {
			t.Fatalf("another account's read = %v, want not found", err)
		}
	})
}

// BenchmarkConversationForMessage is the read before every message create,
// on a conversation of 2,000 messages older than the flood guard's minute
// with Chatwoot's limit of 200.
func BenchmarkConversationForMessage(b *testing.B) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			s := storetest.Open(b, dialect)
			ctx := context.Background()
			f := newInboxFixture(b, s)
			conv := newConversation(b, s, f.apiIn, criachat.StatusOpen)
			addMessages(b, s, conv, 2000, time.Now().Add(-time.Hour))
			since := time.Now().Add(-time.Minute)
			b.ResetTimer()
			for b.Loop() {
				if _, _, err := s.Read().ConversationForMessage(ctx, conv.AccountID, conv.DisplayID, since, 200); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
