package api_test

import (
	"net/http"
	"testing"
)

// Reference §2.1 (api_access_token in both spellings) and §2.2 (profile endpoints, user object).

func TestProfileAuthSpellings(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		for name, set := range map[string]func(r *http.Request){
			"api_access_token": func(r *http.Request) { r.Header["api_access_token"] = []string{a.Token} }, // raw, as nginx forwards it
			"Api-Access-Token": func(r *http.Request) { r.Header.Set("Api-Access-Token", a.Token) },
			"Bearer":           func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+a.Token) },
		} {
			t.Run(name, func(t *testing.T) {
				res := e.doWith("GET", "/api/v1/profile", nil, set).expect(t, 200)
				if res.num("id") != a.UserID {
					t.Fatalf("profile id = %d, want %d", res.num("id"), a.UserID)
				}
			})
		}
	})
}

func TestProfileShape(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "Ann@Acme.io")
		res := e.do("GET", "/api/v1/profile", a.Token, nil).expect(t, 200)
		for _, key := range []string{"access_token", "account_id", "available_name", "avatar_url", "confirmed", "display_name",
			"message_signature", "email", "id", "inviter_id", "name", "provider", "pubsub_token", "role", "ui_settings", "uid", "type", "accounts"} {
			if !res.has(key) {
				t.Errorf("user object lacks %q", key)
			}
		}
		if res.str("access_token") != a.Token || res.num("account_id") != a.AccountID || res.str("email") != "ann@acme.io" ||
			res.str("uid") != "ann@acme.io" || res.str("role") != "administrator" || res.get("confirmed") != true ||
			res.str("provider") != "email" || len(res.str("pubsub_token")) != 24 {
			t.Fatalf("profile = %s", res.Raw)
		}
		acct := res.get("accounts", 0).(map[string]any)
		if acct["id"].(float64) != float64(a.AccountID) || acct["name"] != "Acme" || acct["status"] != "active" ||
			acct["role"] != "administrator" || acct["availability"] != "online" || acct["availability_status"] != "online" ||
			acct["auto_offline"] != true {
			t.Fatalf("accounts[0] = %v", acct)
		}
		if perms := res.get("accounts", 0, "permissions", 0); perms != "administrator" {
			t.Fatalf("permissions = %v", res.get("accounts", 0, "permissions"))
		}
	})
}

func TestProfileUnauthenticated(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		e.setup("Acme", "ann@acme.io")
		e.do("GET", "/api/v1/profile", "", nil).expect(t, 401).body(t, `{"errors":["You need to sign in or sign up before continuing."]}`)
		e.do("GET", "/api/v1/profile", "not-a-token", nil).expect(t, 401).body(t, `{"error":"Invalid Access Token"}`)
	})
}

func TestProfileUpdate(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		res := e.do("PUT", "/api/v1/profile", a.Token, map[string]any{"profile": map[string]any{
			"name": "Ann Lee", "display_name": "Ann", "message_signature": "-- Ann", "ui_settings": map[string]any{"theme": "dark"},
		}}).expect(t, 200)
		if res.str("name") != "Ann Lee" || res.str("available_name") != "Ann" || res.str("message_signature") != "-- Ann" ||
			res.get("ui_settings", "theme") != "dark" {
			t.Fatalf("updated profile = %s", res.Raw)
		}
		// ui_settings are merged; a bare (unwrapped) body works too (wrap_parameters).
		res = e.do("PATCH", "/api/v1/profile", a.Token, map[string]any{"ui_settings": map[string]any{"lang": "pt"}}).expect(t, 200)
		if res.get("ui_settings", "theme") != "dark" || res.get("ui_settings", "lang") != "pt" {
			t.Fatalf("ui_settings not merged: %s", res.Raw)
		}
		// Password change needs the current password (reference §2.2).
		e.do("PUT", "/api/v1/profile", a.Token, map[string]any{"profile": map[string]any{"password": "newpassword1", "current_password": "wrong"}}).
			expect(t, 422).body(t, `{"error":"Invalid current password"}`)
		e.do("PUT", "/api/v1/profile", a.Token, map[string]any{"profile": map[string]any{"password": "newpassword1", "password_confirmation": "other", "current_password": "password123"}}).
			expect(t, 422)
		e.do("PUT", "/api/v1/profile", a.Token, map[string]any{"profile": map[string]any{"password": "newpassword1", "password_confirmation": "newpassword1", "current_password": "password123"}}).
			expect(t, 200)
		e.do("POST", "/auth/sign_in", "", map[string]any{"email": "ann@acme.io", "password": "newpassword1"}).expect(t, 200)
		// Invalid email and a taken email are RecordInvalid bodies.
		e.do("PUT", "/api/v1/profile", a.Token, map[string]any{"profile": map[string]any{"email": "nope"}}).
			expect(t, 422).body(t, `{"message":"Email is invalid","attributes":["email"]}`)
		e.setup("Other", "taken@acme.io")
		e.do("PUT", "/api/v1/profile", a.Token, map[string]any{"profile": map[string]any{"email": "TAKEN@acme.io"}}).
			expect(t, 422).body(t, `{"message":"Email has already been taken","attributes":["email"]}`)
		if e.do("GET", "/api/v1/profile", a.Token, nil).str("email") != "ann@acme.io" {
			t.Fatal("a refused update changed the email")
		}
	})
}

func TestResetAccessToken(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		res := e.do("POST", "/api/v1/profile/reset_access_token", a.Token, nil).expect(t, 200)
		fresh := res.str("access_token")
		if fresh == "" || fresh == a.Token {
			t.Fatalf("token not rotated: %q", fresh)
		}
		e.do("GET", "/api/v1/profile", a.Token, nil).expect(t, 401)
		e.do("GET", "/api/v1/profile", fresh, nil).expect(t, 200)
	})
}

func TestAvailabilityAndActiveAccount(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		b := e.setup("Beta", "bob@beta.io")
		res := e.do("POST", "/api/v1/profile/availability", a.Token, map[string]any{"profile": map[string]any{"account_id": a.AccountID, "availability": "busy"}}).expect(t, 200)
		if res.get("accounts", 0, "availability") != "busy" {
			t.Fatalf("availability = %s", res.Raw)
		}
		e.do("POST", "/api/v1/profile/availability", a.Token, map[string]any{"profile": map[string]any{"account_id": a.AccountID, "availability": "sleeping"}}).
			expect(t, 422)
		// Another account's id: not a membership of this user.
		e.do("POST", "/api/v1/profile/availability", a.Token, map[string]any{"profile": map[string]any{"account_id": b.AccountID, "availability": "busy"}}).
			expect(t, 404)
		res = e.do("POST", "/api/v1/profile/auto_offline", a.Token, map[string]any{"profile": map[string]any{"account_id": a.AccountID, "auto_offline": false}}).expect(t, 200)
		if res.get("accounts", 0, "auto_offline") != false {
			t.Fatalf("auto_offline = %s", res.Raw)
		}
		e.do("PUT", "/api/v1/profile/set_active_account", a.Token, map[string]any{"profile": map[string]any{"account_id": a.AccountID}}).expect(t, 200)
	})
}
