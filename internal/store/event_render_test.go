package store_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/store"
	"github.com/criachat/criachat/internal/store/storetest"
)

// TestEventBodiesRendered: payloads left as Event.Body are rendered before
// the events are stored, also when many callers share SQLite commits (their
// own goroutines render them); a body that cannot be rendered fails its
// transaction and keeps none of its writes.
func TestEventBodiesRendered(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		acct := criachat.Account{Name: "A"}
		if err := st.Tx(ctx, func(q *store.Queries) error { return q.CreateAccount(ctx, &acct) }); err != nil {
			t.Fatal(err)
		}
		const callers = 24
		var wg sync.WaitGroup
		errs := make(chan error, callers)
		for i := range callers {
			wg.Go(func() {
				errs <- st.Tx(ctx, func(q *store.Queries) error {
					events := []*criachat.Event{
						{AccountID: acct.ID, Type: criachat.EventMessageCreated, Body: map[string]any{"n": i, "part": "a"}},
						{AccountID: acct.ID, Type: criachat.EventConversationUpdated, Body: map[string]any{"n": i, "part": "b"}},
					}
					return q.AppendEvents(ctx, events, store.EventRoute{})
				})
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}

		err := st.Tx(ctx, func(q *store.Queries) error {
			if err := q.CreateLabel(ctx, &criachat.Label{AccountID: acct.ID, Title: "kept-out"}); err != nil {
				return err
			}
			return q.AppendEvents(ctx, []*criachat.Event{{AccountID: acct.ID, Type: criachat.EventMessageCreated, Body: make(chan int)}}, store.EventRoute{})
		})
		if err == nil {
			t.Fatal("an unrenderable body was stored")
		}
		if labels, err := st.Read().Labels(ctx, acct.ID); err != nil || len(labels) != 0 {
			t.Fatalf("labels after the failed transaction = %v, %v; want none", labels, err)
		}

		if err := st.SequenceEvents(ctx, acct.ID); err != nil {
			t.Fatal(err)
		}
		list, err := st.Read().Events(ctx, acct.ID, store.EventsFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2*callers {
			t.Fatalf("%d events stored, want %d", len(list), 2*callers)
		}
		// Each caller's two events, in its order (PostgreSQL transactions may
		// interleave theirs).
		parts := map[int]string{}
		for _, e := range list {
			var body struct {
				N    int
				Part string
			}
			if err := json.Unmarshal(e.Payload, &body); err != nil {
				t.Fatalf("payload %q: %v", e.Payload, err)
			}
			parts[body.N] += body.Part
		}
		for i := range callers {
			if parts[i] != "ab" {
				t.Fatalf("caller %d's events: %q, want a then b (%v)", i, parts[i], parts)
			}
		}
	})
}
