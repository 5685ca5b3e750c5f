package webhook_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/secret"
	"github.com/criachat/criachat/internal/store"
	"github.com/criachat/criachat/internal/store/storetest"
	"github.com/criachat/criachat/internal/webhook"
)

// Delivery benchmarks (issue 4 targets): a local receiver on the same
// machine, the real store. Run:
//
//	go test -run '^$' -bench . -benchtime 3x ./internal/webhook/
//
// with CRIACHAT_TEST_POSTGRES_URL set for the PostgreSQL variants.

type benchRig struct {
	st     *store.Store
	k      *secret.Keeper
	inbox  int64
	acct   int64
	got    chan time.Time
	sender *webhook.Sender
}

func newBenchRig(b *testing.B, dialect string) *benchRig {
	b.Helper()
	if dialect == "postgres" && os.Getenv(storetest.PostgresEnv) == "" {
		b.Skip("PostgreSQL not configured")
	}
	st := storetest.Open(b, dialect)
	k, _ := secret.NewKeeper("0123456789abcdef0123456789abcdef-test")
	r := &benchRig{st: st, k: k, got: make(chan time.Time, 1<<16)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.got <- time.Now()
		w.WriteHeader(http.StatusNoContent)
	}))
	b.Cleanup(srv.Close)
	ctx := context.Background()
	err := st.Tx(ctx, func(q *store.Queries) error {
		a := &criachat.Account{Name: "Bench"}
		if err := q.CreateAccount(ctx, a); err != nil {
			return err
		}
		in := criachat.NewInbox(a.ID, criachat.ChannelAPI)
		url := srv.URL + "/hook"
		in.Name, in.Identifier, in.WebhookURL = "API", "bench", &url
		in.HMACTokenSealed, in.SecretSealed = k.Encrypt("h"), k.Encrypt(testSecret)
		if err := q.CreateInbox(ctx, in); err != nil {
			return err
		}
		r.acct, r.inbox = a.ID, in.ID
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	r.sender = webhook.NewSender(webhook.SenderOptions{AllowPrivate: true})
	b.Cleanup(r.sender.Close)
	return r
}

func (r *benchRig) appendEvents(b *testing.B, n int) {
	ctx := context.Background()
	err := r.st.Tx(ctx, func(q *store.Queries) error {
		for i := range n {
			inbox := r.inbox
			payload := []byte(`{"event":"message_created","id":` + strconv.Itoa(i) + `,"content":"hello there"}`)
			if err := q.AppendEvent(ctx, &criachat.Event{AccountID: r.acct, Type: criachat.EventMessageCreated, InboxID: &inbox, Payload: payload}, store.EventRoute{}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkDeliverPending measures deliveries per second with 1,000 pending
// (target ≥ 1,000/s on SQLite).
func BenchmarkDeliverPending(b *testing.B) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			r := newBenchRig(b, dialect)
			w := webhook.NewWorker(r.st, r.sender, r.k, nil, webhook.WorkerOptions{})
			var total time.Duration
			for b.Loop() {
				b.StopTimer()
				r.appendEvents(b, 1000)
				b.StartTimer()
				start := time.Now()
				for {
					n, err := w.RunOnce(context.Background())
					if err != nil {
						b.Fatal(err)
					}
					if n == 0 {
						break
					}
				}
				total += time.Since(start)
			}
			b.ReportMetric(float64(1000*b.N)/total.Seconds(), "deliveries/s")
		})
	}
}

// BenchmarkCommitToReceipt measures the time from an event's commit to its
// receipt by the receiver, with events committed at 200/s for 5 s and the
// worker running as in production (target p99 ≤ 100 ms).
func BenchmarkCommitToReceipt(b *testing.B) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			r := newBenchRig(b, dialect)
			w := webhook.NewWorker(r.st, r.sender, r.k, nil, webhook.WorkerOptions{})
			ctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			wg.Add(1)
			go func() { defer wg.Done(); w.Run(ctx) }()
			defer func() { cancel(); wg.Wait() }()
			var lat []time.Duration
			for b.Loop() {
				const rate, seconds = 200, 5
				committed := make([]time.Time, 0, rate*seconds)
				tick := time.NewTicker(time.Second / rate)
				for range rate * seconds {
					<-tick.C
					r.appendEvents(b, 1)
					committed = append(committed, time.Now())
				}
				tick.Stop()
				// Receipts arrive in about commit order; pair them by rank.
				received := make([]time.Time, 0, len(committed))
				deadline := time.After(30 * time.Second)
				for len(received) < len(committed) {
					select {
					case at := <-r.got:
						received = append(received, at)
					case <-deadline:
						b.Fatalf("only %d of %d deliveries arrived", len(received), len(committed))
					}
				}
				slices.SortFunc(received, func(x, y time.Time) int { return x.Compare(y) })
				for i := range committed {
					lat = append(lat, max(received[i].Sub(committed[i]), 0))
				}
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
