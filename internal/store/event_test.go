package store_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/store"
	"github.com/criachat/criachat/internal/store/storetest"
)

func appendTestEvent(ctx context.Context, q *store.Queries, accountID int64, n string) (*criachat.Event, error) {
	e := &criachat.Event{AccountID: accountID, Type: criachat.EventContactCreated, Payload: []byte(`{"n":"` + n + `"}`)}
	return e, q.AppendEvent(ctx, e, store.EventRoute{})
}

// TestSequenceEventsInVisibilityOrder: sequence numbers are gap-free per
// account and given in the order events became visible, so an event that
// commits late gets a number after those already read: a feed reader that
// resumes after the last number it saw misses nothing. PostgreSQL only,
// because it needs a transaction held open beside others (SQLite has one
// writer).
func TestSequenceEventsInVisibilityOrder(t *testing.T) {
	st := storetest.Open(t, "postgres")
	ctx := context.Background()
	var acct, other criachat.Account
	acct.Name, other.Name = "A", "B"
	if err := st.Tx(ctx, func(q *store.Queries) error {
		if err := q.CreateAccount(ctx, &acct); err != nil {
			return err
		}
		return q.CreateAccount(ctx, &other)
	}); err != nil {
		t.Fatal(err)
	}
	add := func(accountID int64, n string) {
		t.Helper()
		if err := st.Tx(ctx, func(q *store.Queries) error { _, err := appendTestEvent(ctx, q, accountID, n); return err }); err != nil {
			t.Fatal(err)
		}
	}
	add(acct.ID, "a")
	held, release, done := make(chan struct{}), make(chan struct{}), make(chan error)
	go func() {
		done <- st.Tx(ctx, func(q *store.Queries) error {
			if _, err := appendTestEvent(ctx, q, acct.ID, "late"); err != nil {
				return err
			}
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	add(acct.ID, "c")
	add(other.ID, "x")
	if err := st.SequenceEvents(ctx, acct.ID); err != nil {
		t.Fatal(err)
	}
	first, err := st.Read().Events(ctx, acct.ID, store.EventsFilter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 2 || string(first[0].Payload) != `{"n":"a"}` || first[0].Seq != 1 || string(first[1].Payload) != `{"n":"c"}` || first[1].Seq != 2 {
		t.Fatalf("before the late commit: %d events %v", len(first), first)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := st.SequenceEvents(ctx, acct.ID); err != nil {
		t.Fatal(err)
	}
	next, err := st.Read().Events(ctx, acct.ID, store.EventsFilter{After: 2, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(next) != 1 || string(next[0].Payload) != `{"n":"late"}` || next[0].Seq != 3 {
		t.Fatalf("after=2 gave %v, want the late event as seq 3", next)
	}
	// Another account's numbering is its own.
	if err := st.SequenceEvents(ctx, other.ID); err != nil {
		t.Fatal(err)
	}
	if list, _ := st.Read().Events(ctx, other.ID, store.EventsFilter{Limit: 10}); len(list) != 1 || list[0].Seq != 1 {
		t.Fatalf("account B events = %v", list)
	}
}

// TestSequenceEventsBatches: a backlog larger than one batch is numbered
// completely and gap-free, on both databases.
func TestSequenceEventsBatches(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		acct := criachat.Account{Name: "A"}
		if err := st.Tx(ctx, func(q *store.Queries) error {
			if err := q.CreateAccount(ctx, &acct); err != nil {
				return err
			}
			for i := range 2500 {
				if _, err := appendTestEvent(ctx, q, acct.ID, string(rune('a'+i%26))); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if err := st.SequenceEvents(ctx, acct.ID); err != nil {
			t.Fatal(err)
		}
		list, err := st.Read().Events(ctx, acct.ID, store.EventsFilter{Limit: 5000})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2500 {
			t.Fatalf("%d events numbered, want 2500", len(list))
		}
		for i, e := range list {
			if e.Seq != int64(i+1) {
				t.Fatalf("event %d has seq %d", i, e.Seq)
			}
			if i > 0 && e.ID < list[i-1].ID {
				t.Fatalf("seq order differs from id order at %d", i)
			}
		}
	})
}

// TestAppendEventsTogether: events appended in one call (more than one
// INSERT's worth) get their ids, and sequence numbers in the order given,
// after what came before; events of two accounts in one call are refused.
func TestAppendEventsTogether(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		acct, other := criachat.Account{Name: "A"}, criachat.Account{Name: "B"}
		var events []*criachat.Event
		if err := st.Tx(ctx, func(q *store.Queries) error {
			if err := q.CreateAccount(ctx, &acct); err != nil {
				return err
			}
			if err := q.CreateAccount(ctx, &other); err != nil {
				return err
			}
			if _, err := appendTestEvent(ctx, q, acct.ID, "first"); err != nil {
				return err
			}
			for i := range 11 {
				events = append(events, &criachat.Event{AccountID: acct.ID, Type: criachat.EventContactUpdated,
					Payload: []byte(`{"n":` + string(rune('0'+i/10)) + string(rune('0'+i%10)) + `}`)})
			}
			return q.AppendEvents(ctx, events, store.EventRoute{})
		}); err != nil {
			t.Fatal(err)
		}
		seen := map[int64]bool{}
		for i, e := range events {
			if e.ID == 0 || seen[e.ID] {
				t.Fatalf("event %d has id %d (seen before: %v)", i, e.ID, seen[e.ID])
			}
			seen[e.ID] = true
		}
		if err := st.SequenceEvents(ctx, acct.ID); err != nil {
			t.Fatal(err)
		}
		list, err := st.Read().Events(ctx, acct.ID, store.EventsFilter{Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 12 || string(list[0].Payload) != `{"n":"first"}` {
			t.Fatalf("%d events, first %s; want 12 starting with the single one", len(list), list[0].Payload)
		}
		for i, e := range list[1:] {
			if e.Seq != int64(i+2) || e.ID != events[i].ID || string(e.Payload) != string(events[i].Payload) {
				t.Fatalf("feed entry %d: seq %d id %d %s; want seq %d id %d %s", i+1, e.Seq, e.ID, e.Payload, i+2, events[i].ID, events[i].Payload)
			}
		}
		mixed := []*criachat.Event{
			{AccountID: acct.ID, Type: criachat.EventContactUpdated, Payload: []byte(`{}`)},
			{AccountID: other.ID, Type: criachat.EventContactUpdated, Payload: []byte(`{}`)},
		}
		if err := st.Tx(ctx, func(q *store.Queries) error { return q.AppendEvents(ctx, mixed, store.EventRoute{}) }); err == nil {
			t.Fatal("events of two accounts in one call were accepted")
		}
	})
}

// TestAppendEventsWithFailingNeighbours: concurrent transactions (which
// SQLite runs in shared batches, writing their events at the end) keep
// exactly the events of those that committed, numbered without gaps; events
// of an account deleted later in the same transaction vanish with it.
func TestAppendEventsWithFailingNeighbours(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		acct, doomed := criachat.Account{Name: "A"}, criachat.Account{Name: "Doomed"}
		if err := st.Tx(ctx, func(q *store.Queries) error {
			if err := q.CreateAccount(ctx, &acct); err != nil {
				return err
			}
			return q.CreateAccount(ctx, &doomed)
		}); err != nil {
			t.Fatal(err)
		}
		const callers = 24
		var wg sync.WaitGroup
		errs := make([]error, callers)
		for i := range callers {
			wg.Go(func() {
				errs[i] = st.Tx(ctx, func(q *store.Queries) error {
					if _, err := appendTestEvent(ctx, q, acct.ID, strconv.Itoa(i)); err != nil {
						return err
					}
					if i%3 == 0 {
						return errors.New("changed my mind")
					}
					return nil
				})
			})
		}
		wg.Wait()
		want := map[string]bool{}
		for i, err := range errs {
			if (err != nil) != (i%3 == 0) {
				t.Fatalf("caller %d: %v", i, err)
			}
			if err == nil {
				want[`{"n":"`+strconv.Itoa(i)+`"}`] = true
			}
		}
		if err := st.Tx(ctx, func(q *store.Queries) error {
			if _, err := appendTestEvent(ctx, q, doomed.ID, "last words"); err != nil {
				return err
			}
			return q.DeleteAccount(ctx, doomed.ID)
		}); err != nil {
			t.Fatalf("events of an account deleted in the same transaction: %v", err)
		}
		if err := st.SequenceEvents(ctx, acct.ID); err != nil {
			t.Fatal(err)
		}
		list, err := st.Read().Events(ctx, acct.ID, store.EventsFilter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != len(want) {
			t.Fatalf("%d events stored, want %d", len(list), len(want))
		}
		for i, e := range list {
			if !want[string(e.Payload)] || e.Seq != int64(i+1) {
				t.Fatalf("event %d: seq %d payload %s; want seq %d and a committed caller's payload", i, e.Seq, e.Payload, i+1)
			}
		}
		if gone, err := st.Read().Events(ctx, doomed.ID, store.EventsFilter{Limit: 10}); err != nil || len(gone) != 0 {
			t.Fatalf("deleted account's events: %v, %v", gone, err)
		}
	})
}

// TestDeleteAccountDeletesItsEvents: an account's events go with it (on
// PostgreSQL without a foreign key: migration 0012), another account's stay.
func TestDeleteAccountDeletesItsEvents(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		gone, kept := &criachat.Account{Name: "Gone"}, &criachat.Account{Name: "Kept"}
		var goneEvent, keptEvent *criachat.Event
		err := s.Tx(ctx, func(q *store.Queries) (err error) {
			if err = q.CreateAccount(ctx, gone); err == nil {
				err = q.CreateAccount(ctx, kept)
			}
			if err == nil {
				goneEvent, err = appendTestEvent(ctx, q, gone.ID, "gone")
			}
			if err == nil {
				keptEvent, err = appendTestEvent(ctx, q, kept.ID, "kept")
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SequenceEvents(ctx, gone.ID); err != nil { // its event has a number to delete too
			t.Fatal(err)
		}
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.DeleteAccount(ctx, gone.ID) }); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Read().Event(ctx, gone.ID, goneEvent.ID); !criachat.IsNotFound(err) {
			t.Fatalf("deleted account's event: %v, want not found", err)
		}
		if _, err := s.Read().Event(ctx, kept.ID, keptEvent.ID); err != nil {
			t.Fatalf("other account's event: %v", err)
		}
		if n, err := store.EventNumbers(ctx, s, gone.ID); err != nil || n != 0 {
			t.Fatalf("deleted account keeps %d event numbers (%v)", n, err)
		}
		// Nothing of the deleted account waits for a number (PostgreSQL's
		// queue), and numbering a deleted account is no error.
		want := fmt.Sprint([]int64{kept.ID})
		if s.Dialect() == "sqlite" {
			want = fmt.Sprint([]int64(nil))
		}
		if got, err := s.Read().UnsequencedAccounts(ctx); err != nil || fmt.Sprint(got) != want {
			t.Fatalf("unsequenced accounts = %v, %v; want %s", got, err, want)
		}
		if err := s.Tx(ctx, func(q *store.Queries) error { _, err := q.SequenceEvents(ctx, gone.ID); return err }); err != nil {
			t.Fatalf("numbering a deleted account: %v", err)
		}
	})
}

// TestPrunedEventsGetNoNumber: on PostgreSQL, events pruned before they
// were numbered get no number and cause no error: the next event is number
// 1. SQLite numbered them as it wrote them (1–3), so there it is 4.
func TestPrunedEventsGetNoNumber(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		acct := &criachat.Account{Name: "A"}
		err := s.Tx(ctx, func(q *store.Queries) error {
			if err := q.CreateAccount(ctx, acct); err != nil {
				return err
			}
			for _, n := range []string{"1", "2", "3"} {
				if _, err := appendTestEvent(ctx, q, acct.ID, n); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Tx(ctx, func(q *store.Queries) error {
			_, err := q.PruneEvents(ctx, time.Now().Add(time.Hour), 100)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if err := s.SequenceEvents(ctx, acct.ID); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Read().UnsequencedAccounts(ctx); err != nil || len(got) != 0 {
			t.Fatalf("unsequenced accounts = %v, %v; want none", got, err)
		}
		var next *criachat.Event
		if err := s.Tx(ctx, func(q *store.Queries) (err error) { next, err = appendTestEvent(ctx, q, acct.ID, "next"); return err }); err != nil {
			t.Fatal(err)
		}
		if err := s.SequenceEvents(ctx, acct.ID); err != nil {
			t.Fatal(err)
		}
		list, err := s.Read().Events(ctx, acct.ID, store.EventsFilter{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		wantSeq := int64(1)
		if s.Dialect() == "sqlite" {
			wantSeq = 4
		}
		if len(list) != 1 || list[0].ID != next.ID || list[0].Seq != wantSeq {
			t.Fatalf("feed after pruning = %v; want only the next event, as seq %d", list, wantSeq)
		}
		// Numbered events take their numbers with them when pruned.
		if err := s.Tx(ctx, func(q *store.Queries) error {
			_, err := q.PruneEvents(ctx, time.Now().Add(time.Hour), 100)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if n, err := store.EventNumbers(ctx, s, acct.ID); err != nil || n != 0 {
			t.Fatalf("%d numbers left after pruning every event (%v)", n, err)
		}
	})
}

// TestEventIDsInOrderUnderConcurrency: concurrent transactions get distinct
// event ids, and the events of one transaction ascending ids in the order
// they were appended (on PostgreSQL they come from blocks reserved ahead:
// event_id.go).
func TestEventIDsInOrderUnderConcurrency(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		acct := &criachat.Account{Name: "A"}
		if err := s.Tx(ctx, func(q *store.Queries) error { return q.CreateAccount(ctx, acct) }); err != nil {
			t.Fatal(err)
		}
		const writers, perTx, txs = 8, 3, 20
		var mu sync.Mutex
		seen := map[int64]bool{}
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				for i := range txs {
					events := make([]*criachat.Event, perTx)
					for j := range events {
						events[j] = &criachat.Event{AccountID: acct.ID, Type: criachat.EventContactCreated,
							Payload: []byte(`{"n":"` + strconv.Itoa(w*1000+i*10+j) + `"}`)}
					}
					if err := s.Tx(ctx, func(q *store.Queries) error { return q.AppendEvents(ctx, events, store.EventRoute{}) }); err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					for j, e := range events {
						if seen[e.ID] || (j > 0 && e.ID <= events[j-1].ID) {
							t.Errorf("event ids of one transaction: %d after %d, or taken twice", e.ID, events[max(j-1, 0)].ID)
						}
						seen[e.ID] = true
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(seen) != writers*perTx*txs {
			t.Fatalf("%d distinct ids, want %d", len(seen), writers*perTx*txs)
		}
	})
}

// TestUnsequencedAccounts: the sequencer's work list names each account
// with events waiting for a number once, and none once they are numbered
// (SQLite numbers at write: never any).
func TestUnsequencedAccounts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		accounts := []*criachat.Account{{Name: "A"}, {Name: "B"}, {Name: "C"}}
		err := s.Tx(ctx, func(q *store.Queries) error {
			for _, a := range accounts {
				if err := q.CreateAccount(ctx, a); err != nil {
					return err
				}
			}
			for _, n := range []string{"1", "2", "3"} {
				for _, a := range []*criachat.Account{accounts[0], accounts[2]} {
					if _, err := appendTestEvent(ctx, q, a.ID, n); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		check := func(want ...int64) {
			t.Helper()
			if s.Dialect() == "sqlite" {
				want = nil
			}
			got, err := s.Read().UnsequencedAccounts(ctx)
			if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("unsequenced accounts = %v, %v; want %v", got, err, want)
			}
		}
		check(accounts[0].ID, accounts[2].ID)
		if err := s.SequenceEvents(ctx, accounts[0].ID); err != nil {
			t.Fatal(err)
		}
		check(accounts[2].ID)
		if err := s.SequenceEvents(ctx, accounts[2].ID); err != nil {
			t.Fatal(err)
		}
		check()
	})
}
