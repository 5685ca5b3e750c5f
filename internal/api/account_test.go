package api_test

import (
	"testing"
)

// Reference §3.1 (accounts) and §2.6 (roles).

func TestShowAccount(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		res := e.do("GET", "/api/v1/accounts/"+itoa(a.AccountID), a.Token, nil).expect(t, 200)
		for _, key := range []string{"id", "name", "locale", "domain", "support_email", "status", "features", "settings",
			"created_at", "cache_keys", "custom_attributes", "latest_chatwoot_version"} {
			if !res.has(key) {
				t.Errorf("account lacks %q", key)
			}
		}
		if res.str("name") != "Acme" || res.str("status") != "active" || res.str("locale") != "en" || res.get("features", "channel_api") != true {
			t.Fatalf("account = %s", res.Raw)
		}
		if _, ok := res.get("cache_keys", "label").(string); !ok {
			t.Fatalf("cache_keys = %v", res.get("cache_keys"))
		}
		e.do("GET", "/api/v1/accounts/"+itoa(a.AccountID)+"/cache_keys", a.Token, nil).expect(t, 200)
		e.do("POST", "/api/v1/accounts/"+itoa(a.AccountID)+"/update_active_at", a.Token, nil).expect(t, 200)
	})
}

func TestUpdateAccount(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		path := "/api/v1/accounts/" + itoa(a.AccountID)
		res := e.do("PATCH", path, a.Token, map[string]any{
			"name": "Acme Inc", "locale": "pt_BR", "domain": "acme.io", "support_email": "help@acme.io",
			"auto_resolve_after": 60, "auto_resolve_message": "bye", "industry": "retail", "timezone": "UTC",
		}).expect(t, 200)
		if res.str("name") != "Acme Inc" || res.str("locale") != "pt_BR" || res.str("domain") != "acme.io" ||
			res.str("support_email") != "help@acme.io" || res.num("settings", "auto_resolve_after") != 60 ||
			res.get("settings", "auto_resolve_message") != "bye" || res.get("custom_attributes", "industry") != "retail" {
			t.Fatalf("updated account = %s", res.Raw)
		}
		e.do("PATCH", path, a.Token, map[string]any{"auto_resolve_after": 5}).expect(t, 422)
		e.do("PATCH", path, a.Token, map[string]any{"name": ""}).expect(t, 422).body(t, `{"message":"Name can't be blank","attributes":["name"]}`)
		e.do("PATCH", path, a.Token, map[string]any{"support_email": "not an email"}).expect(t, 422)
		if e.do("GET", path, a.Token, nil).str("name") != "Acme Inc" {
			t.Fatal("a refused update changed the account")
		}
		// auto_resolve_after: null clears it.
		res = e.do("PUT", path, a.Token, map[string]any{"auto_resolve_after": nil}).expect(t, 200)
		if res.has("auto_resolve_after", "settings") {
			t.Fatalf("auto_resolve_after not cleared: %s", res.Raw)
		}
	})
}

func TestAgentCannotUpdateAccount(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		agent := e.addAgent(a, "bob@acme.io", "agent")
		path := "/api/v1/accounts/" + itoa(a.AccountID)
		e.do("GET", path, agent, nil).expect(t, 200)
		e.do("PATCH", path, agent, map[string]any{"name": "Mine"}).expect(t, 401).body(t, `{"error":"You are not authorized to do this action"}`)
	})
}

func TestSuspendedAccount(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		e.suspend(a.AccountID)
		e.do("GET", "/api/v1/accounts/"+itoa(a.AccountID), a.Token, nil).expect(t, 401).body(t, `{"error":"Account is suspended"}`)
		e.do("GET", "/api/v1/accounts/"+itoa(a.AccountID)+"/agents", a.Token, nil).expect(t, 401)
		// The profile is not account-scoped and still answers.
		e.do("GET", "/api/v1/profile", a.Token, nil).expect(t, 200)
	})
}
