package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/store"
	"github.com/criachat/criachat/internal/store/storetest"
)

// addReservedMessage is message creation as conversation.CreateMessage does
// it when the store holds writes: everything read by Queries.MessageTarget
// before the transaction, then the message, the conversation's touch and an
// event, with its deliveries unless undeliverable. It returns the message
// and the statements the transaction ran.
func addReservedMessage(t *testing.T, s *store.Store, conv *criachat.Conversation, content string, undeliverable bool) (*criachat.Message, int64, error) {
	t.Helper()
	ctx := context.Background()
	c, ec, flooded, id, err := s.Read().MessageTarget(ctx, conv.AccountID, conv.DisplayID, time.Now().Add(-time.Minute), 200)
	if err != nil {
		return nil, 0, err
	}
	if flooded || ec == nil || c.ID != conv.ID {
		t.Fatalf("MessageTarget = %+v, %+v, flooded %v", c, ec, flooded)
	}
	if s.HoldsWrites() != (id > 0) {
		t.Fatalf("reserved message id %d, but HoldsWrites = %v", id, s.HoldsWrites())
	}
	m := &criachat.Message{ID: id, AccountID: c.AccountID, InboxID: c.InboxID, ConversationID: c.ID,
		MessageType: criachat.MessageOutgoing, Content: content, ContentType: "text"}
	before := s.QueryCount()
	err = s.Tx(ctx, func(q *store.Queries) error {
		if err := q.CreateMessage(ctx, m); err != nil {
			return err
		}
		c.LastActivityAt = m.CreatedAt
		if err := q.TouchConversation(ctx, c); err != nil {
			return err
		}
		id := c.ID
		e := &criachat.Event{AccountID: c.AccountID, Type: criachat.EventMessageCreated, ConversationID: &id,
			Payload: []byte(`{"content":"` + content + `"}`)}
		return q.AppendEvent(ctx, e, store.EventRoute{Undeliverable: undeliverable})
	})
	return m, s.QueryCount() - before, err
}

// TestHeldWritesAreOneStatement: on PostgreSQL a transaction that only
// writes what needs no reading back runs as a single statement, webhook
// deliveries included, and its writes all land; SQLite runs them one by one.
func TestHeldWritesAreOneStatement(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		conv := newChatConversation(t, s)
		if _, _, err := addReservedMessage(t, s, conv, "first", true); err != nil { // reserves a block of event ids
			t.Fatal(err)
		}
		m, statements, err := addReservedMessage(t, s, conv, "held", true)
		if err != nil {
			t.Fatal(err)
		}
		if s.HoldsWrites() && statements != 1 {
			t.Fatalf("the transaction ran %d statements, want 1", statements)
		}
		msgs, err := s.Read().Messages(ctx, conv.ID, 0, 0, 20)
		if err != nil || len(msgs) != 2 || msgs[1].ID != m.ID || msgs[1].Content != "held" {
			t.Fatalf("messages = %v, %v; want the one created, id %d, last", msgs, err, m.ID)
		}
		got, err := s.Read().Conversation(ctx, conv.AccountID, conv.DisplayID)
		if err != nil || !got.LastActivityAt.Equal(m.CreatedAt) {
			t.Fatalf("conversation = %+v, %v; want last activity %v", got, err, m.CreatedAt)
		}
		if err := s.SequenceEvents(ctx, conv.AccountID); err != nil {
			t.Fatal(err)
		}
		events, err := s.Read().Events(ctx, conv.AccountID, store.EventsFilter{Limit: 100})
		if err != nil || len(events) != 2 || string(events[1].Payload) != `{"content":"held"}` {
			t.Fatalf("events = %v, %v", events, err)
		}

		// With a webhook subscribed, the event's delivery is held with it.
		w := &criachat.Webhook{AccountID: conv.AccountID, URL: "https://hooks.example.com/a",
			Subscriptions: []criachat.EventType{criachat.EventMessageCreated}, SecretSealed: "sealed"}
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.CreateWebhook(ctx, w) }); err != nil {
			t.Fatal(err)
		}
		select {
		case <-s.Deliveries():
		default:
		}
		if _, statements, err = addReservedMessage(t, s, conv, "delivered", false); err != nil {
			t.Fatal(err)
		}
		if s.HoldsWrites() && statements != 1 {
			t.Fatalf("with a delivery, the transaction ran %d statements, want 1", statements)
		}
		select {
		case <-s.Deliveries():
		default:
			t.Fatal("the delivery worker was not woken")
		}
		var jobs []*store.Job
		err = s.Tx(ctx, func(q *store.Queries) (err error) {
			jobs, err = q.ClaimDeliveries(ctx, time.Now().Add(time.Hour), time.Minute, 10)
			return err
		})
		if err != nil || len(jobs) != 1 || jobs[0].URL != w.URL || string(jobs[0].Payload) != `{"content":"delivered"}` {
			t.Fatalf("claimed deliveries = %v, %v; want one to %s", jobs, err, w.URL)
		}
	})
}

// TestHeldWritesOfAConversationGone: a message whose conversation was
// deleted after it was read is "conversation not found", and nothing of it
// is stored.
func TestHeldWritesOfAConversationGone(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		conv := newChatConversation(t, s)
		c, _, _, id, err := s.Read().MessageTarget(ctx, conv.AccountID, conv.DisplayID, time.Now().Add(-time.Minute), 200)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.DeleteConversation(ctx, conv.AccountID, conv.ID) }); err != nil {
			t.Fatal(err)
		}
		m := &criachat.Message{ID: id, AccountID: c.AccountID, InboxID: c.InboxID, ConversationID: c.ID,
			MessageType: criachat.MessageOutgoing, Content: "late", ContentType: "text"}
		err = s.Tx(ctx, func(q *store.Queries) error {
			if err := q.CreateMessage(ctx, m); err != nil {
				return err
			}
			return q.TouchConversation(ctx, c)
		})
		if criachat.ErrorCode(err) != criachat.ENOTFOUND || criachat.ErrorMessage(err) != "conversation not found" {
			t.Fatalf("err = %v, want conversation not found", err)
		}
		var n int
		if n, err = countMessages(ctx, s, conv.ID); err != nil || n != 0 {
			t.Fatalf("%d messages stored, %v", n, err)
		}
	})
}

// TestHeldWritesInOrder: a statement that is not held sees the held writes
// before it, two writes of one table apply in order, and a transaction that
// fails leaves nothing of them.
func TestHeldWritesInOrder(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		conv := newChatConversation(t, s)
		first, second := time.UnixMicro(1_700_000_000_000_000).UTC(), time.UnixMicro(1_800_000_000_000_000).UTC()
		err := s.Tx(ctx, func(q *store.Queries) error {
			c := *conv
			c.LastActivityAt = first
			if err := q.TouchConversation(ctx, &c); err != nil {
				return err
			}
			seen, err := q.Conversation(ctx, conv.AccountID, conv.DisplayID)
			if err != nil {
				return err
			}
			if !seen.LastActivityAt.Equal(first) {
				t.Errorf("read in the transaction: last activity %v, want %v", seen.LastActivityAt, first)
			}
			c.LastActivityAt = second
			if err := q.TouchConversation(ctx, &c); err != nil {
				return err
			}
			c.LastActivityAt = first
			return q.TouchConversation(ctx, &c) // a second held write of the table: sends the one before
		})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := s.Read().Conversation(ctx, conv.AccountID, conv.DisplayID)
		if !got.LastActivityAt.Equal(first) {
			t.Fatalf("last activity %v, want the last write's %v", got.LastActivityAt, first)
		}

		failed := errors.New("changed my mind")
		err = s.Tx(ctx, func(q *store.Queries) error {
			c := *got
			c.LastActivityAt = second
			if err := q.TouchConversation(ctx, &c); err != nil {
				return err
			}
			m := &criachat.Message{AccountID: c.AccountID, InboxID: c.InboxID, ConversationID: c.ID,
				MessageType: criachat.MessageOutgoing, Content: "never", ContentType: "text"}
			if err := q.CreateMessage(ctx, m); err != nil { // RETURNING: begins, sends the touch
				return err
			}
			c.LastActivityAt = second.Add(time.Hour)
			if err := q.TouchConversation(ctx, &c); err != nil {
				return err
			}
			return failed
		})
		if !errors.Is(err, failed) {
			t.Fatalf("err = %v", err)
		}
		again, _ := s.Read().Conversation(ctx, conv.AccountID, conv.DisplayID)
		if n, _ := countMessages(ctx, s, conv.ID); n != 0 || !again.LastActivityAt.Equal(first) {
			t.Fatalf("after a failed transaction: %d messages, last activity %v", n, again.LastActivityAt)
		}

		// Not even a transaction that never began leaves its held writes.
		err = s.Tx(ctx, func(q *store.Queries) error {
			c := *again
			c.LastActivityAt = second
			if err := q.TouchConversation(ctx, &c); err != nil {
				return err
			}
			return failed
		})
		if again, _ = s.Read().Conversation(ctx, conv.AccountID, conv.DisplayID); !errors.Is(err, failed) || !again.LastActivityAt.Equal(first) {
			t.Fatalf("held write of a failed transaction: %v, last activity %v", err, again.LastActivityAt)
		}
	})
}

// newChatConversation is a conversation of an API inbox as the API creates
// one: its contact reached it through a contact inbox (the payload context
// joins it).
func newChatConversation(t *testing.T, s *store.Store) *criachat.Conversation {
	t.Helper()
	ctx := context.Background()
	in := newInboxFixture(t, s).apiIn
	c := &criachat.Conversation{AccountID: in.AccountID, InboxID: in.ID, Status: criachat.StatusOpen}
	err := s.Tx(ctx, func(q *store.Queries) error {
		ct := &criachat.Contact{AccountID: in.AccountID, Name: "Carla"}
		if err := q.CreateContact(ctx, ct); err != nil {
			return err
		}
		ci := &criachat.ContactInbox{AccountID: in.AccountID, ContactID: ct.ID, InboxID: in.ID, SourceID: "carla", PubsubToken: "pt-carla"}
		if err := q.CreateContactInbox(ctx, ci); err != nil {
			return err
		}
		c.ContactID, c.ContactInboxID = ct.ID, ci.ID
		return q.CreateConversation(ctx, c)
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func countMessages(ctx context.Context, s *store.Store, conversationID int64) (int, error) {
	msgs, err := s.Read().Messages(ctx, conversationID, 0, 0, 100)
	return len(msgs), err
}
