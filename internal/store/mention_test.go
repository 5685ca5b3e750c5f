package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/store"
	"github.com/criachat/criachat/internal/store/storetest"
)

// TestMentions: who may be mentioned, team expansion, one row per
// conversation and user, the mention list, and what removes mentions.
func TestMentions(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newInboxFixture(t, s)
		a, b := f.a.ID, f.b.ID
		conv := newConversation(t, s, f.apiIn, criachat.StatusOpen)
		other := newConversation(t, s, f.apiIn, criachat.StatusOpen)
		tx := func(fn func(q *store.Queries) error) {
			t.Helper()
			if err := s.Tx(ctx, fn); err != nil {
				t.Fatal(err)
			}
		}
		var teamA, teamB criachat.Team
		tx(func(q *store.Queries) error {
			if err := q.AddInboxMembers(ctx, a, f.apiIn.ID, []int64{f.bob.ID}); err != nil {
				return err
			}
			teamA, teamB = criachat.Team{AccountID: a, Name: "billing"}, criachat.Team{AccountID: b, Name: "sales"}
			for _, tm := range []*criachat.Team{&teamA, &teamB} {
				if err := q.CreateTeam(ctx, tm); err != nil {
					return err
				}
			}
			if _, err := q.AddTeamMembers(ctx, a, teamA.ID, []int64{f.bob.ID, f.ann.ID}); err != nil {
				return err
			}
			_, err := q.AddTeamMembers(ctx, b, teamB.ID, []int64{f.bAdmin.ID})
			return err
		})
		r := s.Read()

		// Administrators and the inbox's members, in the order asked; not
		// other members, other accounts' users or unknown ids.
		got, err := r.MentionableAmong(ctx, a, f.apiIn.ID, []int64{f.bob.ID, f.bAdmin.ID, f.ann.ID, f.admin.ID, 999999})
		if err != nil || !sameIDs(agentIDs(got), []int64{f.bob.ID, f.admin.ID}) {
			t.Fatalf("mentionable = %v, %v", agentIDs(got), err)
		}
		if got, err := r.MentionableAmong(ctx, b, f.apiIn.ID, []int64{f.bob.ID, f.admin.ID}); err != nil || len(got) != 0 {
			t.Fatalf("mentionable through B = %v, %v", agentIDs(got), err)
		}
		// Team members in the order they joined; other accounts' teams have none.
		ids, err := r.TeamMemberIDs(ctx, a, []int64{teamA.ID, teamB.ID, teamA.ID})
		if err != nil || !sameIDs(ids, []int64{f.bob.ID, f.ann.ID}) {
			t.Fatalf("team members = %v, %v", ids, err)
		}

		// A second mention moves mentioned_at of the one row.
		t1 := time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)
		t2 := t1.Add(time.Hour)
		tx(func(q *store.Queries) error {
			for _, m := range []struct {
				conv, user int64
				at         time.Time
			}{{conv.ID, f.bob.ID, t1}, {conv.ID, f.admin.ID, t1}, {conv.ID, f.bob.ID, t2}, {other.ID, f.admin.ID, t1}} {
				if err := q.MentionUser(ctx, a, m.conv, m.user, m.at); err != nil {
					return err
				}
			}
			return nil
		})
		list, err := r.ConversationMentions(ctx, a, conv.ID)
		if err != nil || len(list) != 2 {
			t.Fatalf("mentions = %v, %v", list, err)
		}
		byUser := map[int64]*criachat.Mention{}
		for _, m := range list {
			byUser[m.UserID] = m
		}
		if m := byUser[f.bob.ID]; m == nil || !m.MentionedAt.Equal(t2) || m.ConversationID != conv.ID || m.AccountID != a {
			t.Fatalf("Bob's mention = %+v, want mentioned at %v", m, t2)
		}
		// A mention across accounts breaks the composite foreign keys.
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.MentionUser(ctx, b, conv.ID, f.bAdmin.ID, t1) }); err == nil {
			t.Fatal("B's user was mentioned in A's conversation")
		}
		if list, err := r.ConversationMentions(ctx, b, conv.ID); err != nil || len(list) != 0 {
			t.Fatalf("mentions through B = %v, %v", list, err)
		}

		// conversation_type=mention lists the caller's mentioned conversations.
		mentioned := func(userID int64) []int64 {
			t.Helper()
			list, _, err := r.ListConversations(ctx, store.ConversationFilter{AccountID: a, UserID: userID, Type: "mention", Status: "all"})
			if err != nil {
				t.Fatal(err)
			}
			out := []int64{}
			for _, c := range list {
				out = append(out, c.ID)
			}
			return out
		}
		if got := mentioned(f.admin.ID); !sameIDs(got, []int64{other.ID, conv.ID}) && !sameIDs(got, []int64{conv.ID, other.ID}) {
			t.Fatalf("admin's mentions = %v", got)
		}
		if got := mentioned(f.ann.ID); len(got) != 0 {
			t.Fatalf("Ann's mentions = %v", got)
		}

		// Leaving the account or deleting the conversation removes mentions.
		tx(func(q *store.Queries) error { return q.DeleteAccountUser(ctx, a, f.bob.ID) })
		if list, err := r.ConversationMentions(ctx, a, conv.ID); err != nil || len(list) != 1 || list[0].UserID != f.admin.ID {
			t.Fatalf("mentions after Bob left = %v, %v", list, err)
		}
		tx(func(q *store.Queries) error { return q.DeleteConversation(ctx, a, conv.ID) })
		if list, err := r.ConversationMentions(ctx, a, conv.ID); err != nil || len(list) != 0 {
			t.Fatalf("mentions of a deleted conversation = %v, %v", list, err)
		}
		if got := mentioned(f.admin.ID); !sameIDs(got, []int64{other.ID}) {
			t.Fatalf("admin's mentions after the delete = %v", got)
		}
	})
}
