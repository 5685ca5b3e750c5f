package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"
)

// Dashboard session tests: devise_token_auth's /auth endpoints and the
// uid/client/access-token headers (reference §2.2).

const (
	// devise_token_auth's bad-credentials body (reference §2.2).
	bodyBadCredentials = `{"success":false,"errors":["Invalid login credentials. Please try again."]}`
	// devise_token_auth's sign_out of an unknown session (render_destroy_error).
	bodySignOutNotFound = `{"success":false,"errors":["User was not found or was not logged in."]}`
	// devise_token_auth's validate_token failure (render_validate_token_error).
	bodyValidateFailed = `{"success":false,"errors":["Invalid login credentials"]}`
	// authenticate_user! failure on the Application API (reference §2.1, §8.1).
	bodySignInToContinue = `{"errors":["You need to sign in or sign up before continuing."]}`
)

// dtaSession holds the devise_token_auth headers a client sends back.
type dtaSession struct {
	UID, Client, Token string
}

// set puts the session's headers on a request.
func (s dtaSession) set(r *http.Request) {
	r.Header.Set("uid", s.UID)
	r.Header.Set("client", s.Client)
	r.Header.Set("access-token", s.Token)
}

// dtaSignIn signs in and returns the session from the response headers.
func dtaSignIn(t *testing.T, e *env, email, password string) (dtaSession, response) {
	t.Helper()
	r := e.do("POST", "/auth/sign_in", "", map[string]any{"email": email, "password": password}).expect(t, http.StatusOK)
	s := dtaSession{UID: r.Header.Get("uid"), Client: r.Header.Get("client"), Token: r.Header.Get("access-token")}
	if s.UID == "" || s.Client == "" || s.Token == "" {
		t.Fatalf("sign_in headers missing: %v", r.Header)
	}
	return s, r
}

// withSession sends a request carrying the session headers.
func (e *env) withSession(method, path string, s dtaSession, body any) response {
	e.t.Helper()
	return e.doWith(method, path, body, s.set)
}

// TestSignIn: POST /auth/sign_in (reference §2.2).
func TestSignIn(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		tn := e.setup("Acme", "admin@acme.test")

		before := time.Now()
		r := e.do("POST", "/auth/sign_in", "", map[string]any{"email": "admin@acme.test", "password": "password123"}).
			expect(t, http.StatusOK)

		// Body: {"data": <user object>} (app/views/devise/_auth.json.jbuilder).
		if got := keysOf(r); len(got) != 1 || got[0] != "data" {
			t.Errorf("top-level keys = %v, want [data]", got)
		}
		for _, k := range userObjectKeys {
			if !r.has(k, "data") {
				t.Errorf("data has no %q: %s", k, r.Raw)
			}
		}
		if r.num("data", "id") != tn.UserID || r.str("data", "email") != "admin@acme.test" || r.str("data", "access_token") != tn.Token ||
			r.num("data", "account_id") != tn.AccountID || r.num("data", "accounts", 0, "id") != tn.AccountID ||
			r.str("data", "accounts", 0, "role") != "administrator" {
			t.Errorf("data = %s", r.Raw)
		}

		// Headers: access-token, token-type Bearer, client, expiry (unix seconds), uid = email.
		h := r.Header
		if h.Get("access-token") == "" || h.Get("client") == "" {
			t.Errorf("access-token/client headers missing: %v", h)
		}
		if h.Get("token-type") != "Bearer" {
			t.Errorf("token-type = %q, want Bearer", h.Get("token-type"))
		}
		if h.Get("uid") != "admin@acme.test" {
			t.Errorf("uid = %q, want the email", h.Get("uid"))
		}
		exp, err := strconv.ParseInt(h.Get("expiry"), 10, 64)
		if err != nil {
			t.Errorf("expiry = %q, want unix seconds", h.Get("expiry"))
		}
		// token_lifespan = 2.months.
		lo, hi := before.Add(59*24*time.Hour).Unix(), time.Now().Add(62*24*time.Hour).Unix()
		if exp < lo || exp > hi {
			t.Errorf("expiry = %d, want about two months from now (%d..%d)", exp, lo, hi)
		}

		// Each sign-in is a new client with its own token.
		r2 := e.do("POST", "/auth/sign_in", "", map[string]any{"email": "admin@acme.test", "password": "password123"}).
			expect(t, http.StatusOK)
		if r2.Header.Get("client") == h.Get("client") || r2.Header.Get("access-token") == h.Get("access-token") {
			t.Errorf("second sign-in re-used client/token: %v", r2.Header)
		}

		// Devise compares emails case-insensitively; uid is the stored email.
		r3 := e.do("POST", "/auth/sign_in", "", map[string]any{"email": "  Admin@ACME.test ", "password": "password123"}).
			expect(t, http.StatusOK)
		if r3.Header.Get("uid") != "admin@acme.test" {
			t.Errorf("uid for a mixed-case login = %q", r3.Header.Get("uid"))
		}

		// Bad credentials: devise_token_auth's 401, the same for both cases.
		for _, tc := range []struct {
			name string
			body any
		}{
			{"wrong password", map[string]any{"email": "admin@acme.test", "password": "wrong-password"}},
			{"unknown email", map[string]any{"email": "nobody@acme.test", "password": "password123"}},
			{"empty password", map[string]any{"email": "admin@acme.test", "password": ""}},
			{"no fields", map[string]any{}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := e.do("POST", "/auth/sign_in", "", tc.body).expect(t, http.StatusUnauthorized)
				res.body(t, bodyBadCredentials)
				if res.Header.Get("access-token") != "" || res.Header.Get("client") != "" {
					t.Errorf("failed sign-in sent session headers: %v", res.Header)
				}
			})
		}

		// Malformed JSON: 400 with a JSON body, never a session.
		bad := e.do("POST", "/auth/sign_in", "", `{"email": "admin@acme.test", "password": `).expect(t, http.StatusBadRequest)
		if _, isObj := bad.JSON.(map[string]any); !isObj {
			t.Errorf("malformed JSON body = %q, want a JSON object", bad.Raw)
		}
		if bad.Header.Get("access-token") != "" {
			t.Errorf("malformed JSON sign-in sent session headers")
		}
	})
}

// TestSessionValidateToken: GET /auth/validate_token (reference §2.2).
func TestSessionValidateToken(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		tn := e.setup("Acme", "admin@acme.test")
		s, login := dtaSignIn(t, e, "admin@acme.test", "password123")

		r := e.withSession("GET", "/auth/validate_token", s, nil).expect(t, http.StatusOK)
		if got := keysOf(r); len(got) != 1 || got[0] != "payload" {
			t.Errorf("top-level keys = %v, want [payload]", got)
		}
		if r.get("payload", "success") != true {
			t.Errorf("payload.success = %v", r.get("payload", "success"))
		}
		// data: the user object with created_at merged in (app/views/devise/token.json.jbuilder).
		for _, k := range slices.Concat(userObjectKeys, []string{"created_at"}) {
			if !r.has(k, "payload", "data") {
				t.Errorf("payload.data has no %q: %s", k, r.Raw)
			}
		}
		if r.num("payload", "data", "id") != tn.UserID || r.str("payload", "data", "email") != "admin@acme.test" ||
			r.str("payload", "data", "access_token") != login.str("data", "access_token") {
			t.Errorf("payload.data = %v", r.get("payload", "data"))
		}
		if !railsTimeRE.MatchString(r.str("payload", "data", "created_at")) {
			t.Errorf("created_at = %v, want a Rails ISO time", r.get("payload", "data", "created_at"))
		}

		// devise_token_auth also reads the three values from query parameters.
		q := url.Values{"uid": {s.UID}, "client": {s.Client}, "access-token": {s.Token}}
		e.do("GET", "/auth/validate_token?"+q.Encode(), "", nil).expect(t, http.StatusOK)

		// Missing or wrong headers: 401.
		for _, tc := range []struct {
			name string
			s    dtaSession
		}{
			{"no headers", dtaSession{}},
			{"no access-token", dtaSession{UID: s.UID, Client: s.Client}},
			{"wrong access-token", dtaSession{UID: s.UID, Client: s.Client, Token: "wrong-token"}},
			{"wrong client", dtaSession{UID: s.UID, Client: "wrong-client", Token: s.Token}},
			{"wrong uid", dtaSession{UID: "other@acme.test", Client: s.Client, Token: s.Token}},
			{"api access token in access-token", dtaSession{UID: s.UID, Client: s.Client, Token: tn.Token}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := e.doWith("GET", "/auth/validate_token", nil, func(r *http.Request) {
					for k, v := range map[string]string{"uid": tc.s.UID, "client": tc.s.Client, "access-token": tc.s.Token} {
						if v != "" {
							r.Header.Set(k, v)
						}
					}
				}).expect(t, http.StatusUnauthorized)
				res.body(t, bodyValidateFailed)
			})
		}
	})
}

// TestSessionOnApplicationAPI: the session headers authenticate Application API
// requests like an access token does (reference §2.1 "Without api_access_token:
// authenticate_user!", §2.2 "Auth headers").
func TestSessionOnApplicationAPI(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		tn := e.setup("Acme", "admin@acme.test")
		e.setup("Other", "other@other.test")
		s, _ := dtaSignIn(t, e, "admin@acme.test", "password123")

		prof := e.withSession("GET", "/api/v1/profile", s, nil).expect(t, http.StatusOK)
		if prof.num("id") != tn.UserID || prof.str("email") != "admin@acme.test" || prof.str("access_token") != tn.Token {
			t.Errorf("profile via session = %s", prof.Raw)
		}
		// devise_token_auth's update_auth_header answers every authenticated
		// request with the auth headers, the same token and client since
		// change_headers_on_each_request = false (reference §2.2 "Auth headers").
		want := map[string]string{"access-token": s.Token, "client": s.Client, "uid": s.UID, "token-type": "Bearer"}
		got := map[string]string{}
		for name := range want {
			got[name] = prof.Header.Get(name)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) || prof.Header.Get("expiry") == "" {
			t.Errorf("auth headers on a session-authenticated response = %v expiry=%q, want %v and an expiry",
				got, prof.Header.Get("expiry"), want)
		}

		acct := e.withSession("GET", fmt.Sprintf("/api/v1/accounts/%d", tn.AccountID), s, nil).expect(t, http.StatusOK)
		if acct.num("id") != tn.AccountID {
			t.Errorf("account via session = %s", acct.Raw)
		}

		// The session is still only its user's: another account is refused.
		other := e.setup("Third", "third@third.test")
		e.withSession("GET", fmt.Sprintf("/api/v1/accounts/%d", other.AccountID), s, nil).expect(t, http.StatusUnauthorized).
			body(t, `{"error":"You are not authorized to access this account"}`)

		// No credentials, or a wrong session: devise's 401.
		e.do("GET", "/api/v1/profile", "", nil).expect(t, http.StatusUnauthorized).body(t, bodySignInToContinue)
		for _, bad := range []dtaSession{
			{UID: s.UID, Client: s.Client, Token: "wrong-token"},
			{UID: s.UID, Client: "wrong-client", Token: s.Token},
			{UID: "other@other.test", Client: s.Client, Token: s.Token},
			{UID: "nobody@acme.test", Client: s.Client, Token: s.Token},
		} {
			e.withSession("GET", "/api/v1/profile", bad, nil).expect(t, http.StatusUnauthorized).body(t, bodySignInToContinue)
		}
	})
}

// TestSessionSignOut: DELETE /auth/sign_out ends only its own session (reference §2.2).
func TestSessionSignOut(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		tn := e.setup("Acme", "admin@acme.test")
		s, _ := dtaSignIn(t, e, "admin@acme.test", "password123")
		s2, _ := dtaSignIn(t, e, "admin@acme.test", "password123") // another device

		// Without a session there is nobody to sign out.
		e.do("DELETE", "/auth/sign_out", "", nil).expect(t, http.StatusNotFound).body(t, bodySignOutNotFound)
		e.withSession("DELETE", "/auth/sign_out", dtaSession{UID: s.UID, Client: s.Client, Token: "wrong-token"}, nil).
			expect(t, http.StatusNotFound).body(t, bodySignOutNotFound)
		e.withSession("GET", "/api/v1/profile", s, nil).expect(t, http.StatusOK) // a wrong token did not end the session

		e.withSession("DELETE", "/auth/sign_out", s, nil).expect(t, http.StatusOK).body(t, `{"success":true}`)

		// The session no longer works anywhere.
		e.withSession("GET", "/auth/validate_token", s, nil).expect(t, http.StatusUnauthorized)
		e.withSession("GET", "/api/v1/profile", s, nil).expect(t, http.StatusUnauthorized).body(t, bodySignInToContinue)
		e.withSession("GET", fmt.Sprintf("/api/v1/accounts/%d", tn.AccountID), s, nil).expect(t, http.StatusUnauthorized)
		// Signing out again: devise_token_auth's 404.
		e.withSession("DELETE", "/auth/sign_out", s, nil).expect(t, http.StatusNotFound).body(t, bodySignOutNotFound)

		// The other device's session and the access token are untouched.
		e.withSession("GET", "/auth/validate_token", s2, nil).expect(t, http.StatusOK)
		e.withSession("GET", "/api/v1/profile", s2, nil).expect(t, http.StatusOK)
		e.do("GET", "/api/v1/profile", tn.Token, nil).expect(t, http.StatusOK)

		// A fresh sign-in works after a sign-out.
		s3, _ := dtaSignIn(t, e, "admin@acme.test", "password123")
		e.withSession("GET", "/api/v1/profile", s3, nil).expect(t, http.StatusOK)
	})
}
