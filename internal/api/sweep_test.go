package api_test

import (
	"strings"
	"testing"
)

// routePath fills a pattern's parameters: the account id with accountID and
// every other id with 1. It returns the method and the path.
func routePath(pattern string, accountID int64) (string, string) {
	method, path, _ := strings.Cut(pattern, " ")
	path = strings.ReplaceAll(path, "{account_id}", itoa(accountID))
	for strings.Contains(path, "{") {
		i, j := strings.Index(path, "{"), strings.Index(path, "}")
		path = path[:i] + "1" + path[j+1:]
	}
	return method, path
}

// TestTenancyEveryAccountRoute: a token of account A gets 401 on every route of
// account B (reference §2.1 ensure_current_account), whatever the body, and
// nothing of B changes.
func TestTenancyEveryAccountRoute(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Alpha", "ann@alpha.io")
		b := e.setup("Beta", "bob@beta.io")
		before := e.do("GET", "/api/v1/accounts/"+itoa(b.AccountID), b.Token, nil).expect(t, 200).Raw
		agentsBefore := e.do("GET", "/api/v1/accounts/"+itoa(b.AccountID)+"/agents", b.Token, nil).expect(t, 200).Raw
		n := 0
		for _, pattern := range e.server.Patterns() {
			if _, path, _ := strings.Cut(pattern, " "); !strings.HasPrefix(path, "/api/v1/accounts/{account_id}") {
				continue
			}
			n++
			method, path := routePath(pattern, b.AccountID)
			res := e.do(method, path, a.Token, map[string]any{"name": "hijack", "agent": map[string]any{"name": "x", "email": "x@evil.io"}})
			if res.Status != 401 || res.str("error") != "You are not authorized to access this account" {
				t.Errorf("%s %s with A's token = %d %s, want 401", method, path, res.Status, res.Raw)
			}
		}
		if n < 8 {
			t.Fatalf("swept only %d account routes", n)
		}
		if e.do("GET", "/api/v1/accounts/"+itoa(b.AccountID), b.Token, nil).Raw != before ||
			e.do("GET", "/api/v1/accounts/"+itoa(b.AccountID)+"/agents", b.Token, nil).Raw != agentsBefore {
			t.Fatal("account B changed")
		}
		// An account that does not exist is 404, as in Chatwoot.
		e.do("GET", "/api/v1/accounts/999999", a.Token, nil).expect(t, 404).body(t, `{"error":"Resource could not be found"}`)
		// A cannot reach B's user through A's own account path either.
		e.do("DELETE", "/api/v1/accounts/"+itoa(a.AccountID)+"/agents/"+itoa(b.UserID), a.Token, nil).expect(t, 404)
		e.do("PATCH", "/api/v1/accounts/"+itoa(a.AccountID)+"/agents/"+itoa(b.UserID), a.Token, map[string]any{"name": "x"}).expect(t, 404)
	})
}

// TestBadInputNeverHurts sends malformed JSON, wrong types, a JSON array and an
// oversized body to every route that takes a body: each answer is a 4xx JSON
// error and the stored data is unchanged.
func TestBadInputNeverHurts(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Alpha", "ann@alpha.io")
		profile := e.do("GET", "/api/v1/profile", a.Token, nil).expect(t, 200).Raw
		account := e.do("GET", "/api/v1/accounts/"+itoa(a.AccountID), a.Token, nil).expect(t, 200).Raw
		bodies := map[string]string{
			"malformed":   `{"name": "x",`,
			"not json":    `name=x`,
			"array":       `[1,2,3]`,
			"wrong types": `{"name": 12, "email": [1], "role": {"a": 1}, "agent": 5, "profile": "x", "account_id": "abc", "availability": 3, "auto_offline": "maybe", "ui_settings": "x", "features": 1, "status": 5, "user_id": "x"}`,
			"huge":        `{"name":"` + strings.Repeat("x", 70<<10) + `"}`, // the test server's limit is 64 KiB
		}
		bodyless := map[string]bool{ // these read no body, so any body is fine
			"POST /api/v1/profile/reset_access_token":                                             true,
			"POST /api/v1/accounts/{account_id}/update_active_at":                                 true,
			"POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/update_last_seen": true,
			"POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/unread":           true,
			"POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/mute":             true,
			"POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/unmute":           true,
			"POST /api/v1/accounts/{account_id}/webhooks/{id}/reset_secret":                       true,
			"POST /api/v1/accounts/{account_id}/webhooks/{id}/deliveries/{delivery_id}/redeliver": true,
		}
		for _, pattern := range e.server.Patterns() {
			method, path := routePath(pattern, a.AccountID)
			if method != "POST" && method != "PUT" && method != "PATCH" || strings.HasPrefix(path, "/platform/") || bodyless[pattern] {
				continue
			}
			for name, body := range bodies {
				res := e.do(method, path, a.Token, body)
				if res.Status < 400 || res.Status >= 500 {
					t.Errorf("%s %s (%s) = %d %s, want a 4xx", method, path, name, res.Status, res.Raw)
				}
			}
		}
		// Wrong types inside the wrapped objects of the routes that take one.
		nested := `{"agent": {"name": 1, "email": true}, "profile": {"name": [], "ui_settings": 5}}`
		e.do("POST", "/api/v1/accounts/"+itoa(a.AccountID)+"/agents", a.Token, nested).expect(t, 422)
		e.do("PATCH", "/api/v1/accounts/"+itoa(a.AccountID)+"/agents/"+itoa(a.UserID), a.Token, nested).expect(t, 422)
		e.do("PUT", "/api/v1/profile", a.Token, nested).expect(t, 422)
		if got := e.do("GET", "/api/v1/profile", a.Token, nil).expect(t, 200).Raw; got != profile {
			t.Fatalf("profile changed by bad input:\n%s\n%s", profile, got)
		}
		if got := e.do("GET", "/api/v1/accounts/"+itoa(a.AccountID), a.Token, nil).expect(t, 200).Raw; got != account {
			t.Fatalf("account changed by bad input:\n%s\n%s", account, got)
		}
	})
}
