package api_test

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/criachat/criachat/internal/api"
)

// Throttles (reference §8.2): rack-attack's limits and its 429 "Retry later".

// throttled builds a server of env e with rate limits on.
func (e *env) throttled(limits api.RateLimits) *api.Server {
	return api.New(api.Options{Store: e.store, Accounts: e.accounts, Keeper: e.keeper, MaxBodyBytes: 64 << 10, DataDir: e.dataDir,
		RateLimits: &limits})
}

func from(addr string, token string) func(r *http.Request) {
	return func(r *http.Request) {
		r.RemoteAddr = addr
		if token != "" {
			r.Header.Set("api_access_token", token)
		}
	}
}

func TestRateLimits(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		e.server = e.throttled(api.RateLimits{PerIP: 20, Allowed: []netip.Prefix{netip.MustParsePrefix("203.0.113.0/24")}})
		profile := "/api/v1/profile"

		// req/ip: 20 a minute per address, then 429 "Retry later" with Retry-After.
		for range 20 {
			e.doWith("GET", profile, nil, from("198.51.100.7:5000", a.Token)).expect(t, 200)
		}
		res := e.doWithRaw("GET", profile, from("198.51.100.7:5000", a.Token))
		if res.Code != 429 || res.Body.String() != "Retry later\n" || res.Header().Get("Retry-After") == "" {
			t.Fatalf("21st request = %d %q (Retry-After %q)", res.Code, res.Body.String(), res.Header().Get("Retry-After"))
		}
		// Other addresses, loopback, allowed addresses and /health are not affected.
		e.doWith("GET", profile, nil, from("198.51.100.8:5000", a.Token)).expect(t, 200)
		for range 25 {
			e.doWith("GET", profile, nil, from("127.0.0.1:5000", a.Token)).expect(t, 200)
			e.doWith("GET", profile, nil, from("203.0.113.9:5000", a.Token)).expect(t, 200)
		}
		e.doWith("GET", "/health", nil, from("198.51.100.7:5000", "")).expect(t, 200)

		// Behind a proxy on a private address the client is the X-Forwarded-For address.
		viaProxy := func(client string) func(r *http.Request) {
			return func(r *http.Request) {
				r.RemoteAddr = "10.0.0.2:443"
				r.Header.Set("X-Forwarded-For", client+", 10.0.0.1")
				r.Header.Set("api_access_token", a.Token)
			}
		}
		for range 20 {
			e.doWith("GET", profile, nil, viaProxy("198.51.100.9")).expect(t, 200)
		}
		if res := e.doWithRaw("GET", profile, viaProxy("198.51.100.9")); res.Code != 429 {
			t.Fatalf("client behind the proxy not throttled: %d", res.Code)
		}
		e.doWith("GET", profile, nil, viaProxy("198.51.100.10")).expect(t, 200)

		// login/ip: 5 sign-ins per 5 minutes per address, whatever the outcome.
		signIn := func(addr, email string) int {
			return e.doWithRaw("POST", "/auth/sign_in", func(r *http.Request) {
				r.RemoteAddr = addr
				r.Header.Set("Content-Type", "application/json")
			}, `{"email":"`+email+`","password":"wrong-password"}`).Code
		}
		for i := range 5 {
			if code := signIn("198.51.100.20:1", "ann@acme.io"); code != 401 {
				t.Fatalf("sign-in %d = %d, want 401", i+1, code)
			}
		}
		if code := signIn("198.51.100.20:1", "ann@acme.io"); code != 429 {
			t.Fatalf("6th sign-in from one address = %d, want 429", code)
		}
		// login/email: 10 per 15 minutes per email, from any addresses.
		for i := range 5 {
			if code := signIn("198.51.100."+itoa(int64(30+i))+":1", "ann@acme.io"); code != 401 {
				t.Fatalf("sign-in for the email from a new address = %d, want 401", code)
			}
		}
		if code := signIn("198.51.100.40:1", "ANN@acme.io"); code != 429 {
			t.Fatalf("11th sign-in for one email = %d, want 429", code)
		}
	})
}

// TestRouteRateLimits: conversations/meta is limited per caller and account
// (30 a minute), contact search per account (100 a minute).
func TestRouteRateLimits(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		agent := e.addAgent(a, "bob@acme.io", "agent")
		e.server = e.throttled(api.RateLimits{PerIP: 10000})
		meta := "/api/v1/accounts/" + itoa(a.AccountID) + "/conversations/meta"
		for range 30 {
			e.doWith("GET", meta, nil, from("198.51.100.7:1", a.Token)).expect(t, 200)
		}
		if res := e.doWithRaw("GET", meta, from("198.51.100.7:1", a.Token)); res.Code != 429 {
			t.Fatalf("31st meta = %d, want 429", res.Code)
		}
		e.doWith("GET", meta, nil, from("198.51.100.7:1", agent)).expect(t, 200) // another caller
		search := "/api/v1/accounts/" + itoa(a.AccountID) + "/contacts/search?q=x"
		for i := range 100 {
			token := a.Token
			if i%2 == 1 {
				token = agent
			}
			e.doWith("GET", search, nil, from("198.51.100.8:1", token)).expect(t, 200)
		}
		if res := e.doWithRaw("GET", search, from("198.51.100.9:1", agent)); res.Code != 429 {
			t.Fatalf("101st search of the account = %d, want 429", res.Code)
		}
	})
}

// TestRateLimitsOffByDefault: a server without RateLimits never throttles.
func TestRateLimitsOffByDefault(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		for range 50 {
			e.doWith("GET", "/api/v1/profile", nil, from("198.51.100.7:5000", a.Token)).expect(t, 200)
		}
		if strings.Contains(e.doWithRaw("GET", "/health", from("198.51.100.7:5000", "")).Body.String(), "Retry") {
			t.Fatal("throttled without limits")
		}
	})
}

// doWithRaw sends a request (with an optional raw body) and returns the
// recorded response as is, for answers that are not JSON.
func (e *env) doWithRaw(method, path string, edit func(r *http.Request), body ...string) *httptest.ResponseRecorder {
	e.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(strings.Join(body, "")))
	edit(req)
	rec := httptest.NewRecorder()
	e.server.ServeHTTP(rec, req)
	return rec
}
