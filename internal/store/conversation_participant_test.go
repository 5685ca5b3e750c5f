package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/store"
	"github.com/criachat/criachat/internal/store/storetest"
)

// newConversation creates a contact and a conversation in an inbox.
func newConversation(t testing.TB, s *store.Store, in *criachat.Inbox, status criachat.ConversationStatus) *criachat.Conversation {
	t.Helper()
	ctx := context.Background()
	c := &criachat.Conversation{AccountID: in.AccountID, InboxID: in.ID, Status: status}
	err := s.Tx(ctx, func(q *store.Queries) error {
		ct := &criachat.Contact{AccountID: in.AccountID, Name: "Carla"}
		if err := q.CreateContact(ctx, ct); err != nil {
			return err
		}
		c.ContactID = ct.ID
		return q.CreateConversation(ctx, c)
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestConversationParticipants: participants are reached through a
// conversation of the account, only users of the account take part, and the
// list keeps the order they were added in.
func TestConversationParticipants(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newInboxFixture(t, s)
		conv := newConversation(t, s, f.apiIn, criachat.StatusOpen)
		a, b := f.a.ID, f.b.ID
		tx := func(fn func(q *store.Queries) error) {
			t.Helper()
			if err := s.Tx(ctx, fn); err != nil {
				t.Fatal(err)
			}
		}
		tx(func(q *store.Queries) error {
			added, err := q.AddConversationParticipants(ctx, a, conv.ID, []int64{f.bob.ID, f.bAdmin.ID, f.ann.ID, f.bob.ID})
			if err == nil && !sameIDs(agentIDs(added), []int64{f.bob.ID, f.ann.ID}) {
				t.Fatalf("added = %v", agentIDs(added))
			}
			return err
		})
		tx(func(q *store.Queries) error {
			added, err := q.AddConversationParticipants(ctx, a, conv.ID, []int64{f.ann.ID})
			if err == nil && len(added) != 0 {
				t.Fatalf("added again = %v", agentIDs(added))
			}
			// Through another account nothing is added, listed or removed.
			if added, err := q.AddConversationParticipants(ctx, b, conv.ID, []int64{f.bAdmin.ID}); err != nil || len(added) != 0 {
				t.Fatalf("added through B = %v, %v", agentIDs(added), err)
			}
			if err := q.RemoveConversationParticipants(ctx, b, conv.ID, []int64{f.bob.ID, f.ann.ID}); err != nil {
				return err
			}
			_, err = q.SetConversationParticipants(ctx, b, conv.ID, nil)
			return err
		})
		if list, err := s.Read().ConversationParticipants(ctx, b, conv.ID); err != nil || len(list) != 0 {
			t.Fatalf("listed through B = %v, %v", agentIDs(list), err)
		}
		list, err := s.Read().ConversationParticipants(ctx, a, conv.ID)
		if err != nil || !sameIDs(agentIDs(list), []int64{f.bob.ID, f.ann.ID}) {
			t.Fatalf("participants = %v, %v", agentIDs(list), err)
		}
		tx(func(q *store.Queries) error {
			all, err := q.SetConversationParticipants(ctx, a, conv.ID, []int64{f.ann.ID, f.admin.ID})
			if err == nil && !sameIDs(agentIDs(all), []int64{f.ann.ID, f.admin.ID}) {
				t.Fatalf("set = %v", agentIDs(all))
			}
			return err
		})
		tx(func(q *store.Queries) error {
			return q.RemoveConversationParticipants(ctx, a, conv.ID, []int64{f.ann.ID, 999999})
		})
		if ids, err := s.Read().ConversationParticipantIDs(ctx, a, conv.ID); err != nil || !sameIDs(ids, []int64{f.admin.ID}) {
			t.Fatalf("ids = %v, %v", ids, err)
		}

		// conversation_type=participating lists the caller's conversations.
		other := newConversation(t, s, f.apiIn, criachat.StatusOpen)
		got, counts, err := s.Read().ListConversations(ctx, store.ConversationFilter{AccountID: a, UserID: f.admin.ID, Status: "all", Type: "participating"})
		if err != nil || len(got) != 1 || got[0].ID != conv.ID || counts.All != 1 {
			t.Fatalf("participating = %v %+v %v (other %d)", got, counts, err, other.ID)
		}
	})
}

// TestListConversationsFilter runs a §6.5 filter through the store: the
// text is built per request and its values travel as arguments.
func TestListConversationsFilter(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newInboxFixture(t, s)
		open := newConversation(t, s, f.apiIn, criachat.StatusOpen)
		pending := newConversation(t, s, f.apiIn, criachat.StatusPending)
		newConversation(t, s, f.bIn, criachat.StatusOpen)
		filter, err := criachat.ParseConversationFilter([]criachat.FilterRow{
			{AttributeKey: "status", FilterOperator: "equal_to", Values: []any{"pending"}, QueryOperator: "OR"},
			{AttributeKey: "mail_subject", FilterOperator: "contains", Values: []any{`50%_off' OR 1=1 --`}},
		}, time.Now().UTC(), nil)
		if err != nil {
			t.Fatal(err)
		}
		got, counts, err := s.Read().ListConversations(ctx, store.ConversationFilter{AccountID: f.a.ID, UserID: f.admin.ID,
			Status: "all", Filter: filter, PerPage: 25, Page: 1})
		if err != nil || len(got) != 1 || got[0].ID != pending.ID || counts.All != 1 || counts.Unassigned != 1 {
			t.Fatalf("filtered = %v %+v %v (open %d)", got, counts, err, open.ID)
		}
	})
}
