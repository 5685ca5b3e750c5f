package webhook

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/secret"
	"github.com/criachat/criachat/internal/store"
)

// WorkerOptions configure a Worker. Zero values take the defaults.
type WorkerOptions struct {
	Concurrency int           // attempts in flight at once (default 32)
	RetryFor    time.Duration // keep retrying a delivery this long after it was created (default 24h)
	// CircuitThreshold consecutive retryable failures of one URL pause it
	// (default 10); while paused, one delivery probes it every ProbeInterval
	// (default 1 minute) and the first success resumes it.
	CircuitThreshold int
	ProbeInterval    time.Duration
	PollInterval     time.Duration // how often to look for due work without a wake-up (default 1s)
	Now              func() time.Time
	Rand             func() float64 // jitter source (default math/rand/v2)
}

// Worker executes the pending deliveries of the outbox: it claims due ones
// with a lease, sends them with the Sender, and records each attempt and the
// next step (delivered, retry at a time, failed) in one transaction. Several
// workers (processes) may share a PostgreSQL database: claims skip each
// other's rows, and a result is recorded only while its lease holds.
type Worker struct {
	store  *store.Store
	sender *Sender
	keeper *secret.Keeper
	log    *slog.Logger
	o      WorkerOptions
	lease  time.Duration
}

// NewWorker returns a worker; keeper opens the destinations' sealed secrets.
func NewWorker(st *store.Store, sender *Sender, keeper *secret.Keeper, log *slog.Logger, o WorkerOptions) *Worker {
	if o.Concurrency <= 0 {
		o.Concurrency = 32
	}
	if o.RetryFor <= 0 {
		o.RetryFor = 24 * time.Hour
	}
	if o.CircuitThreshold <= 0 {
		o.CircuitThreshold = 10
	}
	if o.ProbeInterval <= 0 {
		o.ProbeInterval = time.Minute
	}
	if o.PollInterval <= 0 {
		o.PollInterval = time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// The lease outlives any attempt (the sender's timeout bounds it) by a
	// wide margin, so a live worker never loses its claim mid-attempt.
	return &Worker{store: st, sender: sender, keeper: keeper, log: log, o: o, lease: 2*sender.timeout + 30*time.Second}
}

// Run delivers until ctx ends: at once when a commit of this process wrote
// deliveries, otherwise every PollInterval (work of other processes, retries
// coming due, leases of dead workers expiring).
func (w *Worker) Run(ctx context.Context) {
	tick := time.NewTicker(w.o.PollInterval)
	defer tick.Stop()
	for {
		n, err := w.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			w.log.Error("webhook deliveries", "err", err)
		}
		if n > 0 && err == nil {
			continue // there may be more due right now
		}
		select {
		case <-ctx.Done():
			return
		case <-w.store.Deliveries():
		case <-tick.C:
		}
	}
}

// RunOnce claims one batch of due deliveries and works through it; it
// returns how many it claimed.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	if due, err := w.store.Read().DeliveriesDue(ctx, w.o.Now()); err != nil || !due {
		return 0, err
	}
	var jobs []*store.Job
	err := w.store.Tx(ctx, func(q *store.Queries) (err error) {
		jobs, err = q.ClaimDeliveries(ctx, w.o.Now(), w.lease, 4*w.o.Concurrency)
		return err
	})
	if err != nil || len(jobs) == 0 {
		return 0, err
	}
	sem := make(chan struct{}, w.o.Concurrency)
	var wg sync.WaitGroup
	for _, j := range jobs {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := w.deliver(context.WithoutCancel(ctx), j); err != nil {
				w.log.Error("webhook delivery", "delivery_id", j.ID, "account_id", j.AccountID, "err", err)
			}
		}()
	}
	wg.Wait()
	return len(jobs), nil
}

// deliver makes one attempt of j (or reschedules it while its URL is paused)
// and records the outcome.
func (w *Worker) deliver(ctx context.Context, j *store.Job) error {
	now := w.o.Now()
	if j.TargetGone {
		return w.finish(ctx, j, store.Outcome{State: criachat.DeliveryFailed,
			Attempt: &criachat.DeliveryAttempt{StartedAt: now, Error: "destination was deleted"}})
	}
	if p := j.CircuitProbeAt; p != nil {
		if now.Sub(j.CreatedAt) > w.o.RetryFor {
			return w.finish(ctx, j, store.Outcome{State: criachat.DeliveryFailed,
				Attempt: &criachat.DeliveryAttempt{StartedAt: now, Error: "gave up: the destination stayed paused past the retry period"}})
		}
		if p.After(now) {
			return w.finish(ctx, j, store.Outcome{State: criachat.DeliveryPending, UntilProbe: true})
		}
		// Half open: one delivery probes; the others wait for the next probe.
		next := now.Add(w.o.ProbeInterval)
		won := false
		err := w.store.Tx(ctx, func(q *store.Queries) (err error) {
			won, err = q.TakeProbe(ctx, j.AccountID, j.URL, *p, next)
			return err
		})
		if err != nil {
			return err
		}
		if !won {
			// Another delivery is probing right now: look again shortly,
			// by when the probe has closed the circuit or moved it on.
			again := now.Add(min(5*time.Second, w.o.ProbeInterval))
			return w.finish(ctx, j, store.Outcome{State: criachat.DeliveryPending, Next: &again})
		}
	}
	secretText := ""
	if j.SecretSealed != "" {
		s, err := w.keeper.Decrypt(j.SecretSealed)
		if err != nil {
			// Sealed with another CRIACHAT_SECRET_KEY: no retry can fix it.
			w.log.Error("webhook secret cannot be opened", "delivery_id", j.ID, "account_id", j.AccountID, "err", err)
			return w.finish(ctx, j, store.Outcome{State: criachat.DeliveryFailed, Attempt: &criachat.DeliveryAttempt{
				StartedAt: now, Error: "the destination's secret cannot be opened (was CRIACHAT_SECRET_KEY changed?); reset it"}})
		}
		secretText = s
	}
	res := w.sender.Send(ctx, Request{URL: j.URL, Body: j.Payload, Secret: secretText, DeliveryID: j.UUID(), EventID: j.EventUUID})
	return w.finish(ctx, j, w.decide(j, now, res))
}

// decide turns an attempt's result into the delivery's next step.
func (w *Worker) decide(j *store.Job, started time.Time, res Result) store.Outcome {
	a := &criachat.DeliveryAttempt{StartedAt: started, Latency: res.Latency, Error: res.Error, Response: res.Response}
	if res.StatusCode != 0 {
		code := res.StatusCode
		a.StatusCode = &code
	}
	o := store.Outcome{Attempt: a, Threshold: w.o.CircuitThreshold, ProbeAt: w.o.Now().Add(w.o.ProbeInterval)}
	switch res.Outcome {
	case Delivered:
		o.State, o.CircuitReset = criachat.DeliveryDelivered, true
	case Final:
		// A final HTTP answer (a 4xx) still shows the URL is up: it closes
		// the circuit. A refused address or a bad URL does not.
		o.State, o.CircuitReset = criachat.DeliveryFailed, res.StatusCode != 0
	default:
		o.CircuitFailure = true
		wait := Backoff(j.Attempts+1, w.o.Rand)
		if res.RetryAfter > 0 {
			wait = res.RetryAfter
		}
		next := w.o.Now().Add(wait)
		if next.Sub(j.CreatedAt) > w.o.RetryFor {
			o.State = criachat.DeliveryFailed
			a.Error += " (gave up: retry period over)"
			break
		}
		o.State, o.Next = criachat.DeliveryPending, &next
	}
	return o
}

func (w *Worker) finish(ctx context.Context, j *store.Job, o store.Outcome) error {
	return w.store.Tx(ctx, func(q *store.Queries) error {
		held, err := q.FinishDelivery(ctx, j, o)
		if err == nil && !held {
			w.log.Warn("webhook delivery lease lost", "delivery_id", j.ID)
		}
		return err
	})
}
