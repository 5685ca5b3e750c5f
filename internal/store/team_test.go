package store_test

import (
	"context"
	"testing"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/store"
	"github.com/criachat/criachat/internal/store/storetest"
)

func agentIDs(list []criachat.Agent) []int64 {
	out := []int64{}
	for _, a := range list {
		out = append(out, a.User.ID)
	}
	return out
}

func sameIDs(got, want []int64) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

func TestTeams(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newCatalogFixture(t, s)
		create := func(tm *criachat.Team) error {
			return s.Tx(ctx, func(q *store.Queries) error { return q.CreateTeam(ctx, tm) })
		}
		sales := &criachat.Team{AccountID: f.a.ID, Name: "Sales", AllowAutoAssign: true}
		support := &criachat.Team{AccountID: f.a.ID, Name: "support"}
		other := &criachat.Team{AccountID: f.b.ID, Name: "sales"}
		for _, tm := range []*criachat.Team{sales, support, other} {
			if err := create(tm); err != nil {
				t.Fatal(err)
			}
		}
		if sales.Name != "sales" {
			t.Fatalf("name not downcased: %q", sales.Name)
		}
		wantRecordInvalid(t, create(&criachat.Team{AccountID: f.a.ID, Name: "SALES"}), criachat.ECONFLICT, "Name has already been taken", "name")
		wantRecordInvalid(t, create(&criachat.Team{AccountID: f.a.ID, Name: " "}), criachat.EINVALID, "Name must not be blank", "name")

		list, err := s.Read().Teams(ctx, f.a.ID)
		if err != nil || len(list) != 2 || list[0].ID != sales.ID || !list[0].AllowAutoAssign || list[1].AllowAutoAssign {
			t.Fatalf("Teams = %+v, %v", list, err)
		}
		if _, err := s.Read().Team(ctx, f.b.ID, sales.ID); !criachat.IsNotFound(err) {
			t.Fatalf("team through another account: %v", err)
		}
		byID, err := s.Read().TeamsByIDs(ctx, f.a.ID, []int64{sales.ID, other.ID, 999999, support.ID})
		if err != nil || len(byID) != 2 || byID[sales.ID].Name != "sales" || byID[support.ID] == nil {
			t.Fatalf("TeamsByIDs = %v, %v (another account's team must be left out)", byID, err)
		}
		if empty, err := s.Read().TeamsByIDs(ctx, f.a.ID, nil); err != nil || len(empty) != 0 {
			t.Fatalf("TeamsByIDs(nil) = %v, %v", empty, err)
		}

		// Members: only the account's users are added; the added ones come back in request order.
		var added []criachat.Agent
		err = s.Tx(ctx, func(q *store.Queries) (err error) {
			added, err = q.AddTeamMembers(ctx, f.a.ID, sales.ID, []int64{f.bob.ID, f.cat.ID, f.ann.ID, f.bob.ID})
			return err
		})
		if err != nil || !sameIDs(agentIDs(added), []int64{f.bob.ID, f.ann.ID}) {
			t.Fatalf("AddTeamMembers = %v, %v", agentIDs(added), err)
		}
		if added[0].Member.AccountID != f.a.ID || added[1].Member.Role != criachat.RoleAdministrator {
			t.Fatalf("added agents carry the wrong membership: %+v %+v", added[0].Member, added[1].Member)
		}
		// Adding current members again adds nobody.
		_ = s.Tx(ctx, func(q *store.Queries) (err error) {
			added, err = q.AddTeamMembers(ctx, f.a.ID, sales.ID, []int64{f.ann.ID})
			return err
		})
		if len(added) != 0 {
			t.Fatalf("re-adding a member returned %v", agentIDs(added))
		}
		members, err := s.Read().TeamMembers(ctx, f.a.ID, sales.ID)
		if err != nil || !sameIDs(agentIDs(members), []int64{f.bob.ID, f.ann.ID}) {
			t.Fatalf("TeamMembers = %v, %v", agentIDs(members), err)
		}
		if ok, _ := s.Read().IsTeamMember(ctx, sales.ID, f.ann.ID); !ok {
			t.Fatal("ann is a member")
		}
		if ok, _ := s.Read().IsTeamMember(ctx, support.ID, f.ann.ID); ok {
			t.Fatal("ann is not in support")
		}
		if ids, _ := s.Read().TeamIDsOfUser(ctx, f.a.ID, f.bob.ID); !sameIDs(ids, []int64{sales.ID}) {
			t.Fatalf("TeamIDsOfUser = %v", ids)
		}
		if ids, _ := s.Read().MembersAmong(ctx, f.a.ID, []int64{f.cat.ID, f.ann.ID, 424242}); !sameIDs(ids, []int64{f.ann.ID}) {
			t.Fatalf("MembersAmong = %v", ids)
		}
		// Through another account, the team is not found.
		err = s.Tx(ctx, func(q *store.Queries) error {
			_, err := q.AddTeamMembers(ctx, f.b.ID, sales.ID, []int64{f.cat.ID})
			return err
		})
		if !criachat.IsNotFound(err) {
			t.Fatalf("AddTeamMembers through another account: %v", err)
		}
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.RemoveTeamMembers(ctx, f.b.ID, sales.ID, []int64{f.ann.ID}) }); !criachat.IsNotFound(err) {
			t.Fatalf("RemoveTeamMembers through another account: %v", err)
		}
		// Set replaces the members.
		err = s.Tx(ctx, func(q *store.Queries) (err error) {
			members, err = q.SetTeamMembers(ctx, f.a.ID, sales.ID, []int64{f.ann.ID})
			return err
		})
		if err != nil || !sameIDs(agentIDs(members), []int64{f.ann.ID}) {
			t.Fatalf("SetTeamMembers = %v, %v", agentIDs(members), err)
		}
		if err := s.Tx(ctx, func(q *store.Queries) error {
			return q.RemoveTeamMembers(ctx, f.a.ID, sales.ID, []int64{f.ann.ID, f.bob.ID})
		}); err != nil {
			t.Fatal(err)
		}
		if members, _ = s.Read().TeamMembers(ctx, f.a.ID, sales.ID); len(members) != 0 {
			t.Fatalf("members left: %v", agentIDs(members))
		}
		// Leaving the account leaves its teams.
		_ = s.Tx(ctx, func(q *store.Queries) error {
			_, err := q.AddTeamMembers(ctx, f.a.ID, support.ID, []int64{f.bob.ID})
			return err
		})
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.DeleteAccountUser(ctx, f.a.ID, f.bob.ID) }); err != nil {
			t.Fatal(err)
		}
		if ok, _ := s.Read().IsTeamMember(ctx, support.ID, f.bob.ID); ok {
			t.Fatal("a removed agent stays in the team")
		}
		// Update and delete.
		support.Name, support.AllowAutoAssign = "Sales", true
		err = s.Tx(ctx, func(q *store.Queries) error { return q.UpdateTeam(ctx, support) })
		wantRecordInvalid(t, err, criachat.ECONFLICT, "Name has already been taken", "name")
		support.Name = "Help Desk"
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.UpdateTeam(ctx, support) }); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Read().Team(ctx, f.a.ID, support.ID); got.Name != "help desk" || !got.AllowAutoAssign {
			t.Fatalf("updated team = %+v", got)
		}
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.DeleteTeam(ctx, f.b.ID, support.ID) }); !criachat.IsNotFound(err) {
			t.Fatalf("delete through another account: %v", err)
		}
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.DeleteTeam(ctx, f.a.ID, support.ID) }); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Read().Team(ctx, f.a.ID, support.ID); !criachat.IsNotFound(err) {
			t.Fatalf("deleted team: %v", err)
		}
	})
}
