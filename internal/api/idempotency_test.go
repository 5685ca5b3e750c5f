package api_test

import (
	"net/http"
	"sync"
	"testing"
)

// Idempotency-Key on create endpoints (issue: beyond Chatwoot, its #15743).

func TestIdempotencyKeyReplays(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		path := "/api/v1/accounts/" + itoa(a.AccountID) + "/agents"
		post := func(key string, body any) response {
			return e.doWith("POST", path, body, func(r *http.Request) {
				r.Header.Set("api_access_token", a.Token)
				if key != "" {
					r.Header.Set("Idempotency-Key", key)
				}
			})
		}
		body := map[string]any{"agent": map[string]any{"name": "Bob", "email": "bob@acme.io"}}
		first := post("k1", body).expect(t, 200)
		again := post("k1", body).expect(t, 200)
		if again.Raw != first.Raw || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay = %q (replayed %q), want %q", again.Raw, again.Header.Get("Idempotent-Replayed"), first.Raw)
		}
		if n := len(e.do("GET", path, a.Token, nil).JSON.([]any)); n != 2 {
			t.Fatalf("%d agents after a replayed create, want 2", n)
		}
		// Same key, different body: 422.
		post("k1", map[string]any{"agent": map[string]any{"name": "Eve", "email": "eve@acme.io"}}).
			expect(t, 422).body(t, `{"error":"Idempotency-Key was already used with a different request"}`)
		// A failed request is not remembered: fixing it and retrying with the key works.
		post("k2", map[string]any{"agent": map[string]any{"name": "Cy", "email": "not-an-email"}}).expect(t, 422)
		post("k2", map[string]any{"agent": map[string]any{"name": "Cy", "email": "cy@acme.io"}}).expect(t, 200)
		// Keys belong to the caller: another administrator's k1 is a new request.
		other := e.addAgent(a, "admin2@acme.io", "administrator")
		res := e.doWith("POST", path, map[string]any{"agent": map[string]any{"name": "Dee", "email": "dee@acme.io"}}, func(r *http.Request) {
			r.Header.Set("api_access_token", other)
			r.Header.Set("Idempotency-Key", "k1")
		}).expect(t, 200)
		if res.Header.Get("Idempotent-Replayed") != "" {
			t.Fatal("another user's request was replayed")
		}
	})
}

func TestIdempotencyKeyConcurrent(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		path := "/api/v1/accounts/" + itoa(a.AccountID) + "/agents"
		body := map[string]any{"agent": map[string]any{"name": "Bob", "email": "bob@acme.io"}}
		var wg sync.WaitGroup
		statuses := make([]int, 8)
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = e.doWith("POST", path, body, func(r *http.Request) {
					r.Header.Set("api_access_token", a.Token)
					r.Header.Set("Idempotency-Key", "same")
				}).Status
			}()
		}
		wg.Wait()
		for _, s := range statuses {
			if s != 200 && s != 409 {
				t.Fatalf("statuses %v: want only 200 (first or replay) and 409 (still running)", statuses)
			}
		}
		if n := len(e.do("GET", path, a.Token, nil).JSON.([]any)); n != 2 {
			t.Fatalf("%d agents after concurrent same-key creates, want 2", n)
		}
	})
}
