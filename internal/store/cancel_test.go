package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/store"
	"github.com/criachat/criachat/internal/store/storetest"
)

// TestWriterCancellation: on SQLite's group-committed writer, a caller whose
// context ends before its turn writes nothing and gets the context's error;
// once its work has started, the work runs whole and commits (its statements
// ignore the caller's cancellation, see Queries.statementContext).
func TestWriterCancellation(t *testing.T) {
	st := storetest.Open(t, "sqlite")
	bg := context.Background()
	acct := criachat.Account{Name: "A"}
	if err := st.Tx(bg, func(q *store.Queries) error { return q.CreateAccount(bg, &acct) }); err != nil {
		t.Fatal(err)
	}

	gone, cancel := context.WithCancel(bg)
	cancel()
	err := st.Tx(gone, func(q *store.Queries) error {
		return q.CreateLabel(gone, &criachat.Label{AccountID: acct.ID, Title: "never"})
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Tx with an ended context = %v, want context.Canceled", err)
	}

	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	err = st.Tx(ctx, func(q *store.Queries) error {
		if err := q.CreateLabel(ctx, &criachat.Label{AccountID: acct.ID, Title: "first"}); err != nil {
			return err
		}
		cancel() // the client went away in the middle of the work
		return q.CreateLabel(ctx, &criachat.Label{AccountID: acct.ID, Title: "second"})
	})
	if err != nil {
		t.Fatalf("work cancelled midway: %v", err)
	}
	labels, err := st.Read().Labels(bg, acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, l := range labels {
		titles = append(titles, l.Title)
	}
	if len(titles) != 2 {
		t.Fatalf("labels = %v, want first and second", titles)
	}
}
