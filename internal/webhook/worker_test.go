package webhook_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
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

// Worker tests: a real local HTTP receiver, the real store on SQLite and
// PostgreSQL, and a clock the test moves (no sleeps, nothing timed).

const testSecret = "inbox-signing-secret"

// received is one request the receiver got.
type received struct {
	delivery, signature, timestamp, agent, contentType string
	body                                               []byte
}

// receiver answers with the next scripted status (200 once the script runs out).
type receiver struct {
	mu     sync.Mutex
	got    []received
	script []func(w http.ResponseWriter)
	srv    *httptest.Server
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, received{delivery: r.Header.Get("X-Chatwoot-Delivery"), signature: r.Header.Get("X-Chatwoot-Signature"),
			timestamp: r.Header.Get("X-Chatwoot-Timestamp"), agent: r.Header.Get("User-Agent"), contentType: r.Header.Get("Content-Type"), body: body})
		var next func(w http.ResponseWriter)
		if len(rc.script) > 0 {
			next, rc.script = rc.script[0], rc.script[1:]
		}
		rc.mu.Unlock()
		if next != nil {
			next(w)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func status(code int, header ...string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
		fmt.Fprintf(w, "status %d", code)
	}
}

func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

// rig is an account with an API inbox whose webhook_url is the receiver, and
// a worker whose clock the test sets.
type rig struct {
	st      *store.Store
	account criachat.Account
	inbox   *criachat.Inbox
	rc      *receiver
	worker  *webhook.Worker
	now     time.Time
}

func newRig(t *testing.T, st *store.Store, o webhook.WorkerOptions) *rig {
	t.Helper()
	ctx := context.Background()
	k, err := secret.NewKeeper("0123456789abcdef0123456789abcdef-test")
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{st: st, account: criachat.Account{Name: "Acme"}, rc: newReceiver(t), now: time.Now()}
	err = st.Tx(ctx, func(q *store.Queries) error {
		if err := q.CreateAccount(ctx, &r.account); err != nil {
			return err
		}
		r.inbox = criachat.NewInbox(r.account.ID, criachat.ChannelAPI)
		url := r.rc.srv.URL + "/hook"
		r.inbox.Name, r.inbox.Identifier, r.inbox.WebhookURL = "API", "ident-"+strconv.FormatInt(r.account.ID, 10), &url
		r.inbox.HMACTokenSealed, r.inbox.SecretSealed = k.Encrypt("h"), k.Encrypt(testSecret)
		return q.CreateInbox(ctx, r.inbox)
	})
	if err != nil {
		t.Fatal(err)
	}
	sender := webhook.NewSender(webhook.SenderOptions{Timeout: 5 * time.Second, AllowPrivate: true, UserAgent: "CriaChat-Webhook/test"})
	t.Cleanup(sender.Close)
	o.Now = func() time.Time { return r.now }
	o.Rand = func() float64 { return 0.5 } // no jitter: Backoff(1) is exactly 10s
	r.worker = webhook.NewWorker(st, sender, k, slog.New(slog.NewTextHandler(testWriter{t}, nil)), o)
	return r
}

// event appends a message_created event of the inbox, which the API inbox's
// webhook_url receives.
func (r *rig) event(t *testing.T, n int) *criachat.Event {
	t.Helper()
	ctx := context.Background()
	inbox := r.inbox.ID
	e := &criachat.Event{AccountID: r.account.ID, Type: criachat.EventMessageCreated, InboxID: &inbox,
		Payload: []byte(`{"id":` + strconv.Itoa(n) + `,"event":"message_created"}`)}
	if err := r.st.Tx(ctx, func(q *store.Queries) error { return q.AppendEvent(ctx, e, store.EventRoute{}) }); err != nil {
		t.Fatal(err)
	}
	if r.now.Before(e.CreatedAt) {
		r.now = e.CreatedAt // the test's clock never runs behind the store's
	}
	return e
}

// run claims and works one batch at the rig's time; it returns how many deliveries it claimed.
func (r *rig) run(t *testing.T) int {
	t.Helper()
	n, err := r.worker.RunOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (r *rig) advance(d time.Duration) { r.now = r.now.Add(d) }

// TestDeliverySigned: reference §4.2 headers and signature, verified as a receiver would.
func TestDeliverySigned(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		r := newRig(t, st, webhook.WorkerOptions{})
		e := r.event(t, 1)
		if n := r.run(t); n != 1 {
			t.Fatalf("claimed %d, want 1", n)
		}
		got := r.rc.requests()
		if len(got) != 1 {
			t.Fatalf("receiver got %d requests, want 1", len(got))
		}
		req := got[0]
		if string(req.body) != string(e.Payload) {
			t.Errorf("body %s, want the event payload %s", req.body, e.Payload)
		}
		ts, err := strconv.ParseInt(req.timestamp, 10, 64)
		if err != nil {
			t.Fatalf("X-Chatwoot-Timestamp %q: %v", req.timestamp, err)
		}
		if !webhook.Verify(testSecret, req.signature, ts, req.body) {
			t.Errorf("signature %q does not verify with the inbox secret", req.signature)
		}
		if req.contentType != "application/json" || req.agent != "CriaChat-Webhook/test" || len(req.delivery) != 36 {
			t.Errorf("headers: content-type %q user-agent %q delivery %q", req.contentType, req.agent, req.delivery)
		}
		// Delivered: nothing is due any more, even much later.
		r.advance(48 * time.Hour)
		if n := r.run(t); n != 0 {
			t.Errorf("claimed %d after delivery, want 0", n)
		}
	})
}

// TestDeliveryRetries: 5xx, 408 and connection-level failures are retried
// with backoff under the same X-Chatwoot-Delivery; the first retry comes
// after about 10 s.
func TestDeliveryRetries(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		r := newRig(t, st, webhook.WorkerOptions{})
		r.rc.script = []func(http.ResponseWriter){status(500), status(408), status(503)}
		r.event(t, 1)
		r.run(t) // 500
		r.advance(9 * time.Second)
		if n := r.run(t); n != 0 {
			t.Fatalf("claimed %d before the first backoff ended", n)
		}
		r.advance(2 * time.Second) // 11 s: first retry (10 s) due
		r.run(t)                   // 408
		r.advance(21 * time.Second)
		r.run(t) // 503
		r.advance(41 * time.Second)
		r.run(t) // 200
		got := r.rc.requests()
		if len(got) != 4 {
			t.Fatalf("receiver got %d requests, want 4", len(got))
		}
		for _, g := range got[1:] {
			if g.delivery != got[0].delivery {
				t.Errorf("retry has delivery id %q, want %q", g.delivery, got[0].delivery)
			}
		}
		r.advance(24 * time.Hour)
		if n := r.run(t); n != 0 {
			t.Errorf("claimed %d after success, want 0", n)
		}
	})
}

// TestDeliveryFinal4xx: other 4xx answers are final: no retry.
func TestDeliveryFinal4xx(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		for _, code := range []int{400, 404, 410, 422} {
			r := newRig(t, st, webhook.WorkerOptions{})
			r.rc.script = []func(http.ResponseWriter){status(code)}
			r.event(t, 1)
			r.run(t)
			r.advance(2 * time.Hour)
			if n := r.run(t); n != 0 {
				t.Errorf("%d: claimed %d, want no retry", code, n)
			}
			if got := len(r.rc.requests()); got != 1 {
				t.Errorf("%d: receiver got %d requests, want 1", code, got)
			}
		}
	})
}

// TestDeliveryRetryAfter: a 429's Retry-After decides the next attempt.
func TestDeliveryRetryAfter(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		r := newRig(t, st, webhook.WorkerOptions{})
		r.rc.script = []func(http.ResponseWriter){status(429, "Retry-After", "120")}
		r.event(t, 1)
		r.run(t)
		r.advance(60 * time.Second) // past the 10 s backoff, before Retry-After
		if n := r.run(t); n != 0 {
			t.Fatalf("claimed %d before Retry-After passed", n)
		}
		r.advance(61 * time.Second)
		if n := r.run(t); n != 1 {
			t.Fatalf("claimed %d after Retry-After, want 1", n)
		}
		if got := len(r.rc.requests()); got != 2 {
			t.Errorf("receiver got %d requests, want 2", got)
		}
	})
}

// TestDeliveryGivesUp: retries stop once the retry period (RetryFor) is over.
func TestDeliveryGivesUp(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		r := newRig(t, st, webhook.WorkerOptions{RetryFor: time.Minute, CircuitThreshold: 100})
		for range 10 {
			r.rc.script = append(r.rc.script, status(500))
		}
		r.event(t, 1)
		for range 10 {
			r.run(t)
			r.advance(2 * time.Minute)
		}
		// 10 s backoff, then 20 s would cross the minute: attempts stop at 2.
		if got := len(r.rc.requests()); got != 2 {
			t.Errorf("receiver got %d requests, want 2 within a 1-minute retry period", got)
		}
	})
}

// TestCircuitBreaker: after CircuitThreshold consecutive failures a URL is
// paused (its deliveries wait, no requests), probed once per ProbeInterval,
// and resumed by a successful probe, after which what waited is sent.
func TestCircuitBreaker(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		r := newRig(t, st, webhook.WorkerOptions{CircuitThreshold: 2, ProbeInterval: 5 * time.Minute})
		r.rc.script = []func(http.ResponseWriter){status(500), status(500), status(500)}
		r.event(t, 1)
		r.event(t, 2)
		r.event(t, 3)
		r.run(t) // all three fail: the circuit opens at the second failure
		if got := len(r.rc.requests()); got != 3 {
			t.Fatalf("receiver got %d requests, want 3", got)
		}
		r.advance(time.Minute) // retries are due but the URL is paused
		r.run(t)
		if got := len(r.rc.requests()); got != 3 {
			t.Fatalf("paused URL got %d requests, want still 3", got)
		}
		r.advance(5 * time.Minute) // probe time: exactly one delivery probes
		r.run(t)
		got := len(r.rc.requests())
		if got != 4 {
			t.Fatalf("after the probe the receiver got %d requests, want 4 (one probe)", got)
		}
		// The probe succeeded: the circuit is closed and the others go out,
		// at the latest 5 s later (those that met the probe in flight look
		// again then).
		r.advance(6 * time.Second)
		r.run(t)
		if got := len(r.rc.requests()); got != 6 {
			t.Fatalf("after resuming the receiver got %d requests, want 6", got)
		}
		r.advance(24 * time.Hour)
		if n := r.run(t); n != 0 {
			t.Errorf("claimed %d after all were delivered", n)
		}
	})
}

// TestWorkersShareWithoutDuplicates: several workers (processes) on one
// database claim different deliveries: each is sent exactly once.
func TestWorkersShareWithoutDuplicates(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		r := newRig(t, st, webhook.WorkerOptions{Concurrency: 4})
		for i := range 300 {
			r.event(t, i)
		}
		others := []*webhook.Worker{r.worker}
		for range 2 {
			sender := webhook.NewSender(webhook.SenderOptions{AllowPrivate: true})
			defer sender.Close()
			k, _ := secret.NewKeeper("0123456789abcdef0123456789abcdef-test")
			others = append(others, webhook.NewWorker(st, sender, k, nil, webhook.WorkerOptions{Concurrency: 4}))
		}
		deliverTogether(t, others)
		expectEachOnce(t, r.rc, 300)
	})
}

// TestPruneEvents: retention removes old events with their deliveries, but
// never an event whose delivery is still pending.
func TestPruneEvents(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		r := newRig(t, st, webhook.WorkerOptions{})
		r.rc.script = []func(http.ResponseWriter){status(200), status(500)}
		r.event(t, 1)
		r.run(t) // delivered
		second := r.event(t, 2)
		r.run(t) // failed once, pending
		var n int64
		err := st.Tx(ctx, func(q *store.Queries) (err error) {
			n, err = q.PruneEvents(ctx, time.Now().Add(time.Hour), 100)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("pruned %d events, want 1 (the delivered one)", n)
		}
		if err := st.SequenceEvents(ctx, r.account.ID); err != nil {
			t.Fatal(err)
		}
		list, err := st.Read().Events(ctx, r.account.ID, store.EventsFilter{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].ID != second.ID {
			t.Errorf("kept %d events, want only the second", len(list))
		}
	})
}

// testWriter sends the worker's log to the test's log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }

// TestCircuitClosedByAnyAnswer: a probe answered with a 4xx proves the URL
// is up: the delivery fails (final) but the circuit closes and the rest go.
func TestCircuitClosedByAnyAnswer(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		r := newRig(t, st, webhook.WorkerOptions{CircuitThreshold: 1, ProbeInterval: time.Minute})
		r.rc.script = []func(http.ResponseWriter){status(503), status(404)}
		r.event(t, 1)
		r.run(t) // 503: the circuit opens at once
		r.event(t, 2)
		r.advance(30 * time.Second)
		r.run(t) // paused: nothing sent
		if got := len(r.rc.requests()); got != 1 {
			t.Fatalf("paused URL got %d requests, want 1", got)
		}
		r.advance(31 * time.Second)
		r.run(t) // one probe, answered 404: final for it, circuit closed
		r.advance(6 * time.Second)
		r.run(t) // the other goes out
		if got := len(r.rc.requests()); got != 3 {
			t.Fatalf("receiver got %d requests, want 3", got)
		}
	})
}

// TestPendingFollowsDestinationURL: retries queued for an API inbox follow a
// new webhook_url, and stop when it is removed.
func TestPendingFollowsDestinationURL(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		r := newRig(t, st, webhook.WorkerOptions{})
		r.rc.script = []func(http.ResponseWriter){status(500), status(500)}
		r.event(t, 1)
		r.run(t) // 500: pending
		moved := newReceiver(t)
		setURL := func(url string) {
			t.Helper()
			err := st.Tx(ctx, func(q *store.Queries) error {
				in, err := q.Inbox(ctx, r.account.ID, r.inbox.ID)
				if err != nil {
					return err
				}
				in.WebhookURL = &url
				return q.UpdateInbox(ctx, in)
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		setURL(moved.srv.URL + "/new")
		r.advance(15 * time.Second)
		r.run(t)
		if len(moved.requests()) != 1 || len(r.rc.requests()) != 1 {
			t.Fatalf("retry went to the old URL: old %d, new %d", len(r.rc.requests()), len(moved.requests()))
		}
		// A new delivery that fails, then the URL is removed: no more tries.
		moved.script = []func(http.ResponseWriter){status(500)}
		r.event(t, 2)
		r.run(t)
		setURL("")
		r.advance(time.Hour)
		if n := r.run(t); n != 0 {
			t.Errorf("claimed %d after the URL was removed", n)
		}
		if got := len(moved.requests()); got != 2 {
			t.Errorf("new URL got %d requests, want 2", got)
		}
	})
}

// TestUnreadableSecretFails: a secret sealed with another installation key
// cannot sign; the delivery fails at once instead of being retried forever.
func TestUnreadableSecretFails(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		r := newRig(t, st, webhook.WorkerOptions{})
		other, _ := secret.NewKeeper("another-installation-key-0123456789abcdef")
		err := st.Tx(ctx, func(q *store.Queries) error {
			in, err := q.Inbox(ctx, r.account.ID, r.inbox.ID)
			if err != nil {
				return err
			}
			in.SecretSealed = other.Encrypt("x")
			return q.UpdateInbox(ctx, in)
		})
		if err != nil {
			t.Fatal(err)
		}
		r.event(t, 1)
		r.run(t)
		r.advance(time.Hour)
		if n := r.run(t); n != 0 || len(r.rc.requests()) != 0 {
			t.Fatalf("claimed %d and sent %d after an unreadable secret", n, len(r.rc.requests()))
		}
	})
}

// TestProcessesShareWithoutDuplicates: three "processes" (each its own
// store, so its own connections) on one PostgreSQL database deliver 300
// events together; each delivery is sent exactly once. PostgreSQL only:
// SQLite serves one process.
func TestProcessesShareWithoutDuplicates(t *testing.T) {
	ctx := context.Background()
	url := storetest.URL(t, "postgres")
	var stores []*store.Store
	for range 3 {
		st, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		stores = append(stores, st)
	}
	if _, err := stores[0].Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	r := newRig(t, stores[0], webhook.WorkerOptions{Concurrency: 4})
	for i := range 300 {
		r.event(t, i)
	}
	var workers []*webhook.Worker
	for _, st := range stores {
		sender := webhook.NewSender(webhook.SenderOptions{AllowPrivate: true})
		defer sender.Close()
		k, _ := secret.NewKeeper("0123456789abcdef0123456789abcdef-test")
		workers = append(workers, webhook.NewWorker(st, sender, k, nil, webhook.WorkerOptions{Concurrency: 4}))
	}
	deliverTogether(t, workers)
	expectEachOnce(t, r.rc, 300)
}

// deliverTogether runs the workers at once until none finds work.
func deliverTogether(t *testing.T, workers []*webhook.Worker) {
	t.Helper()
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n, err := w.RunOnce(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				if n == 0 {
					return
				}
			}
		}()
	}
	wg.Wait()
}

// expectEachOnce fails unless the receiver got want distinct deliveries, each once.
func expectEachOnce(t *testing.T, rc *receiver, want int) {
	t.Helper()
	seen := map[string]int{}
	for _, g := range rc.requests() {
		seen[g.delivery]++
	}
	if len(seen) != want {
		t.Errorf("%d distinct deliveries received, want %d", len(seen), want)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("delivery %s sent %d times", id, n)
		}
	}
}
