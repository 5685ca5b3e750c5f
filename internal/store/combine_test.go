package store_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/store"
	"github.com/criachat/criachat/internal/store/storetest"
)

// newChatConversations is newChatConversation n times over, in one inbox.
func newChatConversations(t *testing.T, s *store.Store, n int) []*criachat.Conversation {
	t.Helper()
	ctx := context.Background()
	in := newInboxFixture(t, s).apiIn
	out := make([]*criachat.Conversation, n)
	err := s.Tx(ctx, func(q *store.Queries) error {
		for i := range out {
			name := "carla" + strconv.Itoa(i)
			ct := &criachat.Contact{AccountID: in.AccountID, Name: name}
			if err := q.CreateContact(ctx, ct); err != nil {
				return err
			}
			ci := &criachat.ContactInbox{AccountID: in.AccountID, ContactID: ct.ID, InboxID: in.ID, SourceID: name, PubsubToken: "pt-" + name}
			if err := q.CreateContactInbox(ctx, ci); err != nil {
				return err
			}
			out[i] = &criachat.Conversation{AccountID: in.AccountID, InboxID: in.ID, Status: criachat.StatusOpen,
				ContactID: ct.ID, ContactInboxID: ci.ID}
			if err := q.CreateConversation(ctx, out[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// queueMessages starts addReservedMessage for each conversation, with the
// combiner blocked, and waits until all of them queue to be combined.
func queueMessages(t *testing.T, s *store.Store, convs []*criachat.Conversation) (release func(), results chan messageResult) {
	t.Helper()
	waiting, release := store.BlockCombiner(s)
	results = make(chan messageResult, len(convs))
	for i, c := range convs {
		go func() {
			m, _, err := addReservedMessage(t, s, c, "m"+string(rune('a'+i)), true)
			results <- messageResult{i, m, err}
		}()
	}
	for deadline := time.Now().Add(10 * time.Second); waiting() < len(convs); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d transactions queued", waiting(), len(convs))
		}
	}
	return release, results
}

type messageResult struct {
	i   int
	m   *criachat.Message
	err error
}

// TestCombinedWrites: on PostgreSQL, transactions that only write and
// queue while the combined statements' slots are busy are sent together as
// one statement, except one that changes a row another already changes,
// which goes in the next; every write lands.
func TestCombinedWrites(t *testing.T) {
	s := storetest.Open(t, "postgres")
	ctx := context.Background()
	convs := newChatConversations(t, s, 4)
	for _, c := range convs { // reserve event ids, and a first message each
		if _, _, err := addReservedMessage(t, s, c, "first", true); err != nil {
			t.Fatal(err)
		}
	}
	queued := append(convs, convs[0]) // the last changes the first's conversation row again
	release, results := queueMessages(t, s, queued)
	before := s.QueryCount()
	release()
	byConv := map[int64][]*criachat.Message{}
	for range queued {
		r := <-results
		if r.err != nil {
			t.Fatalf("message %d: %v", r.i, r.err)
		}
		byConv[queued[r.i].ID] = append(byConv[queued[r.i].ID], r.m)
	}
	if n := s.QueryCount() - before; n != 2 {
		t.Fatalf("5 transactions ran %d statements, want 2 (4 combined, then the one on a row already changed)", n)
	}
	release() // the other slot
	if n := store.CombinerRunning(s); n != 0 {
		t.Fatalf("%d slots still taken", n)
	}
	for _, c := range convs {
		msgs, err := s.Read().Messages(ctx, c.ID, 0, 0, 20)
		if err != nil || len(msgs) != 1+len(byConv[c.ID]) {
			t.Fatalf("conversation %d: %d messages (%v), want %d", c.ID, len(msgs), err, 1+len(byConv[c.ID]))
		}
		got, err := s.Read().Conversation(ctx, c.AccountID, c.DisplayID)
		if err != nil {
			t.Fatal(err)
		}
		touched := false
		for _, m := range byConv[c.ID] {
			touched = touched || got.LastActivityAt.Equal(m.CreatedAt)
		}
		if !touched {
			t.Fatalf("conversation %d: last activity %v is none of its new messages'", c.ID, got.LastActivityAt)
		}
	}
	account := convs[0].AccountID // the conversations share an inbox
	if err := s.SequenceEvents(ctx, account); err != nil {
		t.Fatal(err)
	}
	events, err := s.Read().Events(ctx, account, store.EventsFilter{Limit: 100})
	if want := len(convs) + len(queued); err != nil || len(events) != want {
		t.Fatalf("%d events (%v), want %d", len(events), err, want)
	}
}

// TestCombinedWritesFailAlone: when one transaction of a combined statement
// fails (its conversation was deleted after it was read), the others' writes
// still land and it alone gets its error, with nothing of it stored.
func TestCombinedWritesFailAlone(t *testing.T) {
	s := storetest.Open(t, "postgres")
	ctx := context.Background()
	convs := newChatConversations(t, s, 3)
	for _, c := range convs {
		if _, _, err := addReservedMessage(t, s, c, "first", true); err != nil {
			t.Fatal(err)
		}
	}
	release, results := queueMessages(t, s, convs)
	gone := convs[1]
	if err := s.Tx(ctx, func(q *store.Queries) error { return q.DeleteConversation(ctx, gone.AccountID, gone.ID) }); err != nil {
		t.Fatal(err)
	}
	release()
	for range convs {
		r := <-results
		c := convs[r.i]
		if c == gone {
			if criachat.ErrorCode(r.err) != criachat.ENOTFOUND || criachat.ErrorMessage(r.err) != "conversation not found" {
				t.Fatalf("message to the deleted conversation: %v, want conversation not found", r.err)
			}
			if n, err := countMessages(ctx, s, c.ID); err != nil || n != 0 {
				t.Fatalf("%d messages stored in the deleted conversation, %v", n, err)
			}
			continue
		}
		if r.err != nil {
			t.Fatalf("message %d: %v", r.i, r.err)
		}
		if n, err := countMessages(ctx, s, c.ID); err != nil || n != 2 {
			t.Fatalf("conversation %d: %d messages, %v; want 2", c.ID, n, err)
		}
	}
	release()
	if n := store.CombinerRunning(s); n != 0 {
		t.Fatalf("%d slots still taken", n)
	}
}
