package api_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// Operational endpoints: GET /health and GET /api (reference §3.12, last
// paragraph), GET /metrics, Rails' JSON 404 for unknown routes (§8.1) and the
// X-Request-Id header.

// generatedRequestID is the shape of an id the server makes: 24 plain characters.
var generatedRequestID = regexp.MustCompile(`^[A-Za-z0-9]{24}$`)

// rawGet sends a GET without decoding the body, for non-JSON endpoints.
func rawGet(e *env, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	e.server.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	return rec
}

// TestHealth: GET /health is a liveness check with status "ok" (§3.12), no auth.
func TestHealth(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		res := e.do("GET", "/health", "", nil).expect(t, http.StatusOK)
		if res.str("status") != "ok" {
			t.Errorf("health = %s, want status ok", res.Raw)
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("health Content-Type = %q", ct)
		}
		// A bad token does not matter on an unauthenticated endpoint.
		e.do("GET", "/health", "not-a-token", nil).expect(t, http.StatusOK)
	})
}

// TestAPIStatus: GET /api (no auth) answers {version, timestamp,
// queue_services, data_services} (§3.12, app/controllers/api_controller.rb).
func TestAPIStatus(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		before := time.Now().UTC().Truncate(time.Second)
		res := e.do("GET", "/api", "", nil).expect(t, http.StatusOK)
		after := time.Now().UTC()
		keys := make([]string, 0)
		if m, ok := res.JSON.(map[string]any); ok {
			for k := range m {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		if want := []string{"data_services", "queue_services", "timestamp", "version"}; !slices.Equal(keys, want) {
			t.Errorf("GET /api keys = %v, want %v", keys, want)
		}
		if res.str("version") != "4.15.1" || res.str("queue_services") != "ok" || res.str("data_services") != "ok" {
			t.Errorf("GET /api = %s", res.Raw)
		}
		ts, err := time.Parse("2006-01-02 15:04:05", res.str("timestamp"))
		if err != nil {
			t.Fatalf("timestamp %q is not \"2006-01-02 15:04:05\": %v", res.str("timestamp"), err)
		}
		if ts.Before(before) || ts.After(after) {
			t.Errorf("timestamp %s is not the current UTC time (between %s and %s)", ts, before, after)
		}
		// No auth: a bad token or a dashboard-less request still gets 200 (n8n's credential test).
		e.do("GET", "/api", "not-a-token", nil).expect(t, http.StatusOK)
	})
}

// TestMetrics: GET /metrics exposes the request counter, labelled with the
// route pattern, and the latency histogram.
func TestMetrics(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		e.do("GET", "/api/v1/profile", a.Token, nil).expect(t, http.StatusOK)
		e.do("GET", "/api/v1/profile", "", nil).expect(t, http.StatusUnauthorized)
		e.do("GET", "/api/v1/accounts/"+itoa(a.AccountID)+"/agents", a.Token, nil).expect(t, http.StatusOK)

		rec := rawGet(e, "/metrics")
		if rec.Code != http.StatusOK {
			t.Fatalf("GET /metrics = %d %s", rec.Code, rec.Body.String())
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
			t.Errorf("metrics Content-Type = %q, want text/plain", ct)
		}
		text := rec.Body.String()
		line := func(name string, labels ...string) string {
			for _, l := range strings.Split(text, "\n") {
				if !strings.HasPrefix(l, name+"{") {
					continue
				}
				match := true
				for _, lb := range labels {
					if !strings.Contains(l, lb) {
						match = false
						break
					}
				}
				if match {
					return l
				}
			}
			return ""
		}
		for _, want := range [][]string{
			{`route="GET /api/v1/profile"`, `method="GET"`, `status="200"`},
			{`route="GET /api/v1/profile"`, `status="401"`},
			{`route="GET /api/v1/accounts/{account_id}/agents"`, `status="200"`},
		} {
			l := line("criachat_http_requests_total", want...)
			if l == "" {
				t.Errorf("no criachat_http_requests_total with %v in:\n%s", want, text)
			} else if !strings.HasSuffix(l, " 1") {
				t.Errorf("counter %q, want 1", l)
			}
		}
		// The route label is the pattern, never the raw path (bounded cardinality).
		if strings.Contains(text, `route="/api/v1/accounts/`+itoa(a.AccountID)) {
			t.Errorf("a raw path is used as a route label:\n%s", text)
		}
		if line("criachat_http_request_duration_seconds_bucket", `route="GET /api/v1/profile"`) == "" ||
			line("criachat_http_request_duration_seconds_count", `route="GET /api/v1/profile"`) == "" {
			t.Errorf("no criachat_http_request_duration_seconds for GET /api/v1/profile in:\n%s", text)
		}
		if !strings.Contains(text, "# TYPE criachat_http_request_duration_seconds histogram") {
			t.Errorf("criachat_http_request_duration_seconds is not a histogram")
		}
	})
}

// TestUnknownRoute: a path with no route gets Rails' JSON 404 (§8.1).
func TestUnknownRoute(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		for _, c := range []struct{ method, path string }{
			{"GET", "/nope"},
			{"GET", "/api/v1/nope"},
			{"POST", "/api/v1/nope"},
			{"GET", "/api/v1/accounts/" + itoa(a.AccountID) + "/no_such_resource"},
		} {
			res := e.do(c.method, c.path, a.Token, nil)
			if res.Status != http.StatusNotFound {
				t.Errorf("%s %s = %d %s, want 404", c.method, c.path, res.Status, res.Raw)
				continue
			}
			res.body(t, `{"status":404,"error":"Not Found"}`)
			if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("%s %s Content-Type = %q", c.method, c.path, ct)
			}
		}
		e.do("GET", "/nope", "", nil).expect(t, http.StatusNotFound).body(t, `{"status":404,"error":"Not Found"}`)
	})
}

// TestRequestID: a plain caller-supplied X-Request-Id is echoed; anything else
// is replaced by a generated 24-character id; every response carries one.
func TestRequestID(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		withID := func(id string) func(r *http.Request) {
			return func(r *http.Request) { r.Header.Set("X-Request-Id", id) }
		}
		for _, id := range []string{"abc-123", "req_42.retry", "A1b2C3", strings.Repeat("x", 64)} {
			res := e.doWith("GET", "/health", nil, withID(id)).expect(t, http.StatusOK)
			if got := res.Header.Get("X-Request-Id"); got != id {
				t.Errorf("X-Request-Id %q echoed as %q", id, got)
			}
		}
		for _, id := range []string{"has space", "semi;colon", "<script>", "a/b", strings.Repeat("x", 65), "ünïcode"} {
			res := e.doWith("GET", "/health", nil, withID(id)).expect(t, http.StatusOK)
			if got := res.Header.Get("X-Request-Id"); got == id || !generatedRequestID.MatchString(got) {
				t.Errorf("junk X-Request-Id %q answered with %q, want a generated 24-char id", id, got)
			}
		}

		// Without one, every response has a fresh id: success, auth errors, 404s.
		seen := map[string]bool{}
		for _, res := range []response{
			e.do("GET", "/health", "", nil),
			e.do("GET", "/api", "", nil),
			e.do("GET", "/api/v1/profile", a.Token, nil),
			e.do("GET", "/api/v1/profile", "", nil),
			e.do("GET", "/api/v1/profile", "bad-token", nil),
			e.do("GET", "/api/v1/accounts/999999", a.Token, nil),
			e.do("GET", "/nope", "", nil),
			e.do("POST", "/api/v1/accounts/"+itoa(a.AccountID)+"/agents", a.Token, "{not json"),
		} {
			id := res.Header.Get("X-Request-Id")
			if !generatedRequestID.MatchString(id) {
				t.Errorf("response %d %s has X-Request-Id %q, want a generated 24-char id", res.Status, res.Raw, id)
			}
			if seen[id] {
				t.Errorf("X-Request-Id %q repeated", id)
			}
			seen[id] = true
		}
		if rec := rawGet(e, "/metrics"); !generatedRequestID.MatchString(rec.Header().Get("X-Request-Id")) {
			t.Errorf("GET /metrics X-Request-Id = %q", rec.Header().Get("X-Request-Id"))
		}
		// A caller's id is also kept on an error response.
		res := e.doWith("GET", "/api/v1/profile", nil, withID("trace-7")).expect(t, http.StatusUnauthorized)
		if res.Header.Get("X-Request-Id") != "trace-7" {
			t.Errorf("X-Request-Id on a 401 = %q, want trace-7", res.Header.Get("X-Request-Id"))
		}
	})
}
