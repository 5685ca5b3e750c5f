package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// latencies summarises request durations.
type latencies []time.Duration

func (l latencies) pct(p float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	s := append(latencies(nil), l...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[min(int(float64(len(s))*p), len(s)-1)]
}

func (l latencies) String() string {
	return fmt.Sprintf("n=%d p50=%s p99=%s max=%s", len(l), l.pct(0.50).Round(10*time.Microsecond),
		l.pct(0.99).Round(10*time.Microsecond), l.pct(1).Round(10*time.Microsecond))
}

// sequential calls fn for d (at least 50 times) and records each duration.
func sequential(d time.Duration, fn func() error) (latencies, error) {
	var out latencies
	end := time.Now().Add(d)
	for time.Now().Before(end) || len(out) < 50 {
		t := time.Now()
		if err := fn(); err != nil {
			return out, err
		}
		out = append(out, time.Since(t))
	}
	return out, nil
}

func report(ctx context.Context, o options, srv *server, s seeded) error {
	fmt.Printf("server RSS after seeding: %.1f MB\n", rssMB(srv.cmd.Process.Pid))

	list, err := sequential(o.duration, func() error { return srv.call("GET", "/conversations", nil, nil) })
	fmt.Printf("GET /conversations (page of 25, default filters): %s err=%v\n", list, err)

	search, err := sequential(o.duration/2, func() error {
		return srv.call("GET", "/conversations/search?q="+rareWord, nil, nil)
	})
	fmt.Printf("GET /conversations/search?q=%s (rare word): %s err=%v\n", rareWord, search, err)

	profile := make(chan error, 2)
	if o.cpuProfile != "" {
		go func() { profile <- fetchProfile(o.pprofAddr, "profile", o.duration, o.cpuProfile) }()
	} else {
		profile <- nil
	}
	if o.trace != "" {
		go func() { profile <- fetchProfile(o.pprofAddr, "trace", min(o.duration, 3*time.Second), o.trace) }()
	} else {
		profile <- nil
	}
	// The message-create rate varies between runs on a shared machine, so
	// -runs repeats it on the same seed and reports the median too.
	var rates []float64
	for run := 1; run <= o.runs; run++ {
		rate, all, errs, firstErr := createMessages(o, srv, s)
		label := ""
		if o.runs > 1 {
			label = fmt.Sprintf(" (run %d of %d)", run, o.runs)
		}
		fmt.Printf("POST …/messages with %d clients%s: %.0f messages/s, %s, errors=%d %v\n",
			o.clients, label, rate, all, errs, firstErr)
		rates = append(rates, rate)
	}
	if len(rates) > 1 {
		slices.Sort(rates)
		fmt.Printf("POST …/messages median of %d runs: %.0f messages/s (min %.0f, max %.0f)\n",
			len(rates), rates[len(rates)/2], rates[0], rates[len(rates)-1])
	}
	if o.receiver != nil {
		fmt.Printf("webhook deliveries received by the end: %d\n", o.receiver.received.Load())
	}
	fmt.Printf("server RSS at the end: %.1f MB\n", rssMB(srv.cmd.Process.Pid))
	return errors.Join(<-profile, <-profile)
}

// replyBody is what every load client posts.
var replyBody = []byte(`{"content":"load test reply","message_type":"outgoing"}`)

// createMessages runs o.clients clients posting messages to random
// conversations for o.duration and returns the rate, the latencies, the
// error count and the first error.
func createMessages(o options, srv *server, s seeded) (float64, latencies, int64, any) {
	var mu sync.Mutex
	var all latencies
	var errs atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	end := time.Now().Add(o.duration)
	start := time.Now()
	for w := 0; w < o.clients; w++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, 7))
			client := srv.wireClient()
			defer client.close()
			var mine latencies
			for time.Now().Before(end) {
				conv := s.conversationDisplayIDs[r.IntN(len(s.conversationDisplayIDs))]
				t := time.Now()
				if err := client.post(fmt.Sprintf("/api/v1/accounts/%d/conversations/%d/messages", srv.acct, conv), replyBody); err != nil {
					errs.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				mine = append(mine, time.Since(t))
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		}(uint64(w))
	}
	wg.Wait()
	return float64(len(all)) / time.Since(start).Seconds(), all, errs.Load(), firstErr.Load()
}

// fetchProfile records the server's profile of kind (net/http/pprof's
// "profile" or "trace") for d into path.
func fetchProfile(addr, kind string, d time.Duration, path string) error {
	res, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/%s?seconds=%d", addr, kind, int(d.Seconds())))
	if err != nil {
		return err
	}
	defer res.Body.Close()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(f, res.Body)
	return err
}
