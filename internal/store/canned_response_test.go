package store_test

import (
	"context"
	"testing"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/store"
	"github.com/criachat/criachat/internal/store/storetest"
)

func TestCannedResponses(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newCatalogFixture(t, s)
		create := func(c *criachat.CannedResponse) error {
			return s.Tx(ctx, func(q *store.Queries) error { return q.CreateCannedResponse(ctx, c) })
		}
		// Created in an order that differs from the search ranking.
		inContent := &criachat.CannedResponse{AccountID: f.a.ID, ShortCode: "thanks", Content: "Your REFUND is on its way"}
		inCode := &criachat.CannedResponse{AccountID: f.a.ID, ShortCode: "full-refund", Content: "We refunded you."}
		prefix := &criachat.CannedResponse{AccountID: f.a.ID, ShortCode: "Refund", Content: "Refunds take 5 days."}
		unrelated := &criachat.CannedResponse{AccountID: f.a.ID, ShortCode: "hello", Content: "Hi there"}
		élan := &criachat.CannedResponse{AccountID: f.a.ID, ShortCode: "élan", Content: "ÉCOLE"}
		for _, c := range []*criachat.CannedResponse{inContent, inCode, prefix, unrelated, élan} {
			if err := create(c); err != nil {
				t.Fatal(err)
			}
		}
		if err := create(&criachat.CannedResponse{AccountID: f.b.ID, ShortCode: "refund", Content: "B's"}); err != nil {
			t.Fatal(err)
		}
		wantRecordInvalid(t, create(&criachat.CannedResponse{AccountID: f.a.ID, ShortCode: "hello", Content: "x"}),
			criachat.ECONFLICT, "Short code has already been taken", "short_code")
		wantRecordInvalid(t, create(&criachat.CannedResponse{AccountID: f.a.ID, ShortCode: "", Content: "x"}),
			criachat.EINVALID, "Short code can't be blank", "short_code")
		wantRecordInvalid(t, create(&criachat.CannedResponse{AccountID: f.a.ID, ShortCode: "x", Content: "  "}),
			criachat.EINVALID, "Content can't be blank", "content")

		ids := func(list []*criachat.CannedResponse) []int64 {
			out := []int64{}
			for _, c := range list {
				out = append(out, c.ID)
			}
			return out
		}
		all, err := s.Read().CannedResponses(ctx, f.a.ID, "")
		if err != nil || !sameIDs(ids(all), []int64{inContent.ID, inCode.ID, prefix.ID, unrelated.ID, élan.ID}) {
			t.Fatalf("CannedResponses = %v, %v", ids(all), err)
		}
		found, err := s.Read().CannedResponses(ctx, f.a.ID, "rEfUnD")
		if err != nil || !sameIDs(ids(found), []int64{prefix.ID, inCode.ID, inContent.ID}) {
			t.Fatalf("search ranking = %v, want prefix, short code, content", ids(found))
		}
		// Case folding is Unicode on both databases.
		if found, _ := s.Read().CannedResponses(ctx, f.a.ID, "ÉLA"); !sameIDs(ids(found), []int64{élan.ID}) {
			t.Fatalf("unicode search = %v", ids(found))
		}
		if found, _ := s.Read().CannedResponses(ctx, f.a.ID, "école"); !sameIDs(ids(found), []int64{élan.ID}) {
			t.Fatalf("unicode content search = %v", ids(found))
		}
		// Wildcards are literal.
		if found, _ := s.Read().CannedResponses(ctx, f.a.ID, "%"); len(found) != 0 {
			t.Fatalf("%% matched %v", ids(found))
		}

		if _, err := s.Read().CannedResponse(ctx, f.b.ID, prefix.ID); !criachat.IsNotFound(err) {
			t.Fatalf("canned response through another account: %v", err)
		}
		prefix.ShortCode = "hello"
		err = s.Tx(ctx, func(q *store.Queries) error { return q.UpdateCannedResponse(ctx, prefix) })
		wantRecordInvalid(t, err, criachat.ECONFLICT, "Short code has already been taken", "short_code")
		prefix.ShortCode, prefix.Content = "refund-policy", "Ten days."
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.UpdateCannedResponse(ctx, prefix) }); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Read().CannedResponse(ctx, f.a.ID, prefix.ID); got.ShortCode != "refund-policy" || got.Content != "Ten days." {
			t.Fatalf("updated = %+v", got)
		}
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.DeleteCannedResponse(ctx, f.b.ID, prefix.ID) }); !criachat.IsNotFound(err) {
			t.Fatalf("delete through another account: %v", err)
		}
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.DeleteCannedResponse(ctx, f.a.ID, prefix.ID) }); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Read().CannedResponse(ctx, f.a.ID, prefix.ID); !criachat.IsNotFound(err) {
			t.Fatalf("deleted: %v", err)
		}
	})
}
