package store_test

import (
	"context"
	"testing"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/store"
	"github.com/criachat/criachat/internal/store/storetest"
)

func TestCustomFilters(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newCatalogFixture(t, s)
		create := func(cf *criachat.CustomFilter) error {
			return s.Tx(ctx, func(q *store.Queries) error { return q.CreateCustomFilter(ctx, cf) })
		}
		query := map[string]any{"payload": []any{map[string]any{"attribute_key": "status", "values": []any{"open"}}}}
		open := &criachat.CustomFilter{AccountID: f.a.ID, UserID: f.ann.ID, Name: "Open", Query: query}
		vip := &criachat.CustomFilter{AccountID: f.a.ID, UserID: f.ann.ID, Name: "VIP", FilterType: criachat.FilterContact}
		bobs := &criachat.CustomFilter{AccountID: f.a.ID, UserID: f.bob.ID, Name: "Mine"}
		for _, cf := range []*criachat.CustomFilter{open, vip, bobs} {
			if err := create(cf); err != nil {
				t.Fatal(err)
			}
		}
		if open.FilterType != criachat.FilterConversation {
			t.Fatalf("default filter type = %q", open.FilterType)
		}
		wantRecordInvalid(t, create(&criachat.CustomFilter{AccountID: f.a.ID, UserID: f.ann.ID, Name: ""}),
			criachat.EINVALID, "Name can't be blank", "name")
		wantRecordInvalid(t, create(&criachat.CustomFilter{AccountID: f.a.ID, UserID: f.ann.ID, Name: "x", FilterType: "inbox"}),
			criachat.EINVALID, "Filter type is not included in the list", "filter_type")
		// A user outside the account cannot own a filter there.
		if err := create(&criachat.CustomFilter{AccountID: f.a.ID, UserID: f.cat.ID, Name: "x"}); !criachat.IsNotFound(err) {
			t.Fatalf("filter of a non-member: %v", err)
		}

		mine, err := s.Read().CustomFilters(ctx, f.a.ID, f.ann.ID, criachat.FilterConversation)
		if err != nil || len(mine) != 1 || mine[0].ID != open.ID {
			t.Fatalf("CustomFilters = %+v, %v", mine, err)
		}
		payload, _ := mine[0].Query["payload"].([]any)
		if len(payload) != 1 {
			t.Fatalf("query round trip = %#v", mine[0].Query)
		}
		if _, err := s.Read().CustomFilter(ctx, f.a.ID, f.bob.ID, open.ID); !criachat.IsNotFound(err) {
			t.Fatalf("another user's filter: %v", err)
		}
		if _, err := s.Read().CustomFilter(ctx, f.b.ID, f.ann.ID, open.ID); !criachat.IsNotFound(err) {
			t.Fatalf("filter through another account: %v", err)
		}
		stolen := *bobs
		stolen.UserID = f.ann.ID
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.UpdateCustomFilter(ctx, &stolen) }); !criachat.IsNotFound(err) {
			t.Fatalf("update another user's filter: %v", err)
		}
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.DeleteCustomFilter(ctx, f.a.ID, f.ann.ID, bobs.ID) }); !criachat.IsNotFound(err) {
			t.Fatalf("delete another user's filter: %v", err)
		}
		open.Name, open.FilterType, open.Query = "Report", criachat.FilterReport, nil
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.UpdateCustomFilter(ctx, open) }); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Read().CustomFilter(ctx, f.a.ID, f.ann.ID, open.ID)
		if got.Name != "Report" || got.FilterType != criachat.FilterReport || len(got.Query) != 0 {
			t.Fatalf("updated = %+v", got)
		}
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.DeleteCustomFilter(ctx, f.a.ID, f.ann.ID, open.ID) }); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Read().CustomFilter(ctx, f.a.ID, f.ann.ID, open.ID); !criachat.IsNotFound(err) {
			t.Fatalf("deleted: %v", err)
		}
		// Leaving the account drops the user's filters there.
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.DeleteAccountUser(ctx, f.a.ID, f.bob.ID) }); err != nil {
			t.Fatal(err)
		}
		if left, _ := s.Read().CustomFilters(ctx, f.a.ID, f.bob.ID, criachat.FilterConversation); len(left) != 0 {
			t.Fatalf("filters survive the membership: %+v", left)
		}
	})
}

// TestCustomFilterLimit: the filter beyond the per-user limit is refused with
// Chatwoot's message; other users are not affected (reference §3.7).
func TestCustomFilterLimit(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newCatalogFixture(t, s)
		err := s.Tx(ctx, func(q *store.Queries) error {
			for i := 0; i < criachat.MaxCustomFiltersPerUser; i++ {
				if err := q.CreateCustomFilter(ctx, &criachat.CustomFilter{AccountID: f.a.ID, UserID: f.ann.ID, Name: "f"}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = s.Tx(ctx, func(q *store.Queries) error {
			return q.CreateCustomFilter(ctx, &criachat.CustomFilter{AccountID: f.a.ID, UserID: f.ann.ID, Name: "one more"})
		})
		wantRecordInvalid(t, err, criachat.EINVALID,
			"Account Limit reached. The maximum number of allowed custom filters for a user per account is 1000.", "account_id")
		if err := s.Tx(ctx, func(q *store.Queries) error {
			return q.CreateCustomFilter(ctx, &criachat.CustomFilter{AccountID: f.a.ID, UserID: f.bob.ID, Name: "bob's"})
		}); err != nil {
			t.Fatalf("another user is limited too: %v", err)
		}
	})
}
