package api_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"testing"
)

// Platform API tests (reference §2.3 and §3.15). Error bodies on this surface
// are the Platform controller's own 401s and Rails' default JSON 404 (§8.1).

// railsTimeRE is Rails' default JSON time: ISO-8601 UTC with milliseconds (§1, §7).
var railsTimeRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$`)

// platformApp is a platform app and a way to call the Platform API as it.
type platformApp struct {
	e     *env
	ID    int64
	Token string
}

func newPlatformApp(t *testing.T, e *env, name string) platformApp {
	t.Helper()
	app, token, err := e.accounts.CreatePlatformApp(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return platformApp{e: e, ID: app.ID, Token: token}
}

// do calls /platform/api/v1{path} with the app's token.
func (p platformApp) do(method, path string, body any) response {
	p.e.t.Helper()
	return p.e.do(method, "/platform/api/v1"+path, p.Token, body)
}

// createAccount creates an account through the Platform API and returns its id.
func (p platformApp) createAccount(t *testing.T, name string) int64 {
	t.Helper()
	r := p.do("POST", "/accounts", map[string]any{"name": name}).expect(t, http.StatusOK)
	return r.num("id")
}

// createUser creates a user through the Platform API and returns the response.
func (p platformApp) createUser(t *testing.T, name, email, password string) response {
	t.Helper()
	return p.do("POST", "/users", map[string]any{"name": name, "email": email, "password": password}).expect(t, http.StatusOK)
}

// keysOf returns the sorted keys of the JSON object at path.
func keysOf(r response, path ...any) []string {
	m, _ := r.get(path...).(map[string]any)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sorted(keys ...string) []string {
	out := slices.Clone(keys)
	sort.Strings(out)
	return out
}

const (
	bodyInvalidPlatformToken = `{"error":"Invalid access_token"}`     // reference §2.3
	bodyNonPermissible       = `{"error":"Non permissible resource"}` // reference §2.3
	bodyRailsNotFound        = `{"status":404,"error":"Not Found"}`   // reference §2.3, §8.1
)

// TestPlatformAuth: the api_access_token header must belong to a PlatformApp,
// otherwise 401 {"error":"Invalid access_token"} (reference §2.3).
func TestPlatformAuth(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		admin := e.setup("Acme", "admin@acme.test")
		app := newPlatformApp(t, e, "hosting")

		for _, tc := range []struct{ name, token string }{
			{"missing token", ""},
			{"unknown token", "not-a-real-token"},
			{"user access token", admin.Token},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e.do("GET", "/platform/api/v1/accounts", tc.token, nil).expect(t, http.StatusUnauthorized).body(t, bodyInvalidPlatformToken)
				e.do("POST", "/platform/api/v1/accounts", tc.token, map[string]any{"name": "X"}).
					expect(t, http.StatusUnauthorized).body(t, bodyInvalidPlatformToken)
				e.do("POST", "/platform/api/v1/users", tc.token, map[string]any{"name": "X", "email": "x@x.test", "password": "password123"}).
					expect(t, http.StatusUnauthorized).body(t, bodyInvalidPlatformToken)
				path := fmt.Sprintf("/platform/api/v1/accounts/%d", admin.AccountID)
				e.do("GET", path, tc.token, nil).expect(t, http.StatusUnauthorized).body(t, bodyInvalidPlatformToken)
			})
		}

		// Both spellings of the header reach the same Rack key (reference §2.1).
		e.doWith("GET", "/platform/api/v1/accounts", nil, func(r *http.Request) {
			r.Header.Set("Api-Access-Token", app.Token)
		}).expect(t, http.StatusOK)
		app.do("GET", "/accounts", nil).expect(t, http.StatusOK).body(t, `[]`)

		// A platform app token is not a user: the Application API refuses it (reference §2.1).
		e.do("GET", "/api/v1/profile", app.Token, nil).expect(t, http.StatusUnauthorized).
			body(t, `{"error":"Access to this endpoint is not authorized for bots"}`)
	})
}

// TestPlatformAccountLifecycle: create, show, update, list and delete accounts
// (reference §3.15).
func TestPlatformAccountLifecycle(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		e.setup("Not the platform's", "admin@acme.test") // an account no app owns
		app := newPlatformApp(t, e, "hosting")
		other := newPlatformApp(t, e, "other hosting")
		otherID := other.createAccount(t, "Other tenant")

		r := app.do("POST", "/accounts", map[string]any{
			"name": "Tenant One", "locale": "pt_BR", "domain": "one.example.com", "support_email": "help@one.example.com",
			"custom_attributes": map[string]any{"plan": "pro"}, "limits": map[string]any{"agents": 5},
			"features": map[string]any{"webhooks": false},
		}).expect(t, http.StatusOK)
		if got, want := keysOf(r), sorted("id", "name", "locale", "domain", "support_email", "features", "custom_attributes", "limits", "status"); !slices.Equal(got, want) {
			t.Errorf("account keys = %v, want %v", got, want)
		}
		id := r.num("id")
		if id == 0 {
			t.Fatalf("no id in %s", r.Raw)
		}
		if r.str("name") != "Tenant One" || r.str("locale") != "pt_BR" || r.str("domain") != "one.example.com" ||
			r.str("support_email") != "help@one.example.com" || r.str("status") != "active" {
			t.Errorf("created account = %s", r.Raw)
		}
		if r.get("custom_attributes", "plan") != "pro" || r.num("limits", "agents") != 5 {
			t.Errorf("custom_attributes/limits not stored: %s", r.Raw)
		}
		if _, isObj := r.get("features").(map[string]any); !isObj {
			t.Errorf("features is not an object: %s", r.Raw)
		}
		if v, set := r.get("features", "webhooks").(bool); !set || v {
			t.Errorf("features.webhooks = %v, want false: %s", r.get("features", "webhooks"), r.Raw)
		}

		// Optional fields are null, not "" (Rails renders nil columns as null).
		bare := app.do("POST", "/accounts", map[string]any{"name": "Tenant Two"}).expect(t, http.StatusOK)
		if !bare.has("domain") || bare.get("domain") != nil || !bare.has("support_email") || bare.get("support_email") != nil {
			t.Errorf("domain/support_email of a bare account = %s, want null", bare.Raw)
		}
		bareID := bare.num("id")

		// Show.
		show := app.do("GET", fmt.Sprintf("/accounts/%d", id), nil).expect(t, http.StatusOK)
		if show.num("id") != id || show.str("name") != "Tenant One" || show.get("custom_attributes", "plan") != "pro" {
			t.Errorf("show = %s", show.Raw)
		}

		// Update: changed fields only; custom_attributes keep their other keys.
		up := app.do("PATCH", fmt.Sprintf("/accounts/%d", id), map[string]any{
			"name": "Tenant One Renamed", "status": "suspended", "custom_attributes": map[string]any{"region": "eu"},
		}).expect(t, http.StatusOK)
		if up.num("id") != id || up.str("name") != "Tenant One Renamed" || up.str("status") != "suspended" || up.str("locale") != "pt_BR" {
			t.Errorf("update = %s", up.Raw)
		}
		if up.get("custom_attributes", "region") != "eu" || up.get("custom_attributes", "plan") != "pro" {
			t.Errorf("custom_attributes after update = %v, want plan and region", up.get("custom_attributes"))
		}
		show = app.do("GET", fmt.Sprintf("/accounts/%d", id), nil).expect(t, http.StatusOK)
		if show.str("name") != "Tenant One Renamed" || show.str("status") != "suspended" {
			t.Errorf("show after update = %s", show.Raw)
		}
		app.do("PUT", fmt.Sprintf("/accounts/%d", id), map[string]any{"status": "active"}).expect(t, http.StatusOK)

		// The list holds only the app's own accounts, by id.
		list := app.do("GET", "/accounts", nil).expect(t, http.StatusOK)
		items, _ := list.JSON.([]any)
		if len(items) != 2 || list.num(0, "id") != id || list.num(1, "id") != bareID {
			t.Errorf("list = %s, want accounts %d and %d only", list.Raw, id, bareID)
		}
		if list.str(0, "status") != "active" || list.str(0, "name") != "Tenant One Renamed" {
			t.Errorf("list item = %v", list.get(0))
		}
		otherList := other.do("GET", "/accounts", nil).expect(t, http.StatusOK)
		if items, _ := otherList.JSON.([]any); len(items) != 1 || otherList.num(0, "id") != otherID {
			t.Errorf("other app's list = %s, want only %d", otherList.Raw, otherID)
		}

		// Delete: 200 with an empty body, then the account is gone.
		del := app.do("DELETE", fmt.Sprintf("/accounts/%d", id), nil).expect(t, http.StatusOK)
		if del.Raw != "" {
			t.Errorf("delete body = %q, want empty (head :ok)", del.Raw)
		}
		app.do("GET", fmt.Sprintf("/accounts/%d", id), nil).expect(t, http.StatusNotFound).body(t, bodyRailsNotFound)
		list = app.do("GET", "/accounts", nil).expect(t, http.StatusOK)
		if items, _ := list.JSON.([]any); len(items) != 1 || list.num(0, "id") != bareID {
			t.Errorf("list after delete = %s, want only %d", list.Raw, bareID)
		}
	})
}

// TestPlatformAccountPermissions: existence is checked first (Rails 404), then
// the app's permissibles (401 Non permissible resource) (reference §2.3).
func TestPlatformAccountPermissions(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		setupAccount := e.setup("Installation tenant", "admin@acme.test")
		app := newPlatformApp(t, e, "hosting")
		other := newPlatformApp(t, e, "other hosting")
		otherID := other.createAccount(t, "Other tenant")
		otherUser := other.createUser(t, "Olga", "olga@other.test", "password123").num("id")
		other.do("POST", fmt.Sprintf("/accounts/%d/account_users", otherID), map[string]any{"user_id": otherUser, "role": "agent"}).
			expect(t, http.StatusOK)
		mine := app.createAccount(t, "Mine")

		for _, acct := range []struct {
			name string
			id   int64
		}{{"another app's account", otherID}, {"account created outside the Platform API", setupAccount.AccountID}} {
			t.Run(acct.name, func(t *testing.T) {
				base := fmt.Sprintf("/accounts/%d", acct.id)
				app.do("GET", base, nil).expect(t, http.StatusUnauthorized).body(t, bodyNonPermissible)
				app.do("PATCH", base, map[string]any{"name": "Hijacked"}).expect(t, http.StatusUnauthorized).body(t, bodyNonPermissible)
				app.do("DELETE", base, nil).expect(t, http.StatusUnauthorized).body(t, bodyNonPermissible)
				app.do("GET", base+"/account_users", nil).expect(t, http.StatusUnauthorized).body(t, bodyNonPermissible)
				app.do("POST", base+"/account_users", map[string]any{"user_id": otherUser, "role": "administrator"}).
					expect(t, http.StatusUnauthorized).body(t, bodyNonPermissible)
				app.do("DELETE", base+"/account_users", map[string]any{"user_id": otherUser}).
					expect(t, http.StatusUnauthorized).body(t, bodyNonPermissible)
			})
		}
		// Nothing was changed by the refused calls.
		r := other.do("GET", fmt.Sprintf("/accounts/%d", otherID), nil).expect(t, http.StatusOK)
		if r.str("name") != "Other tenant" {
			t.Errorf("other app's account name = %q after refused PATCH", r.str("name"))
		}
		members := other.do("GET", fmt.Sprintf("/accounts/%d/account_users", otherID), nil).expect(t, http.StatusOK)
		if items, _ := members.JSON.([]any); len(items) != 1 || members.str(0, "role") != "agent" {
			t.Errorf("other app's account_users = %s after refused calls", members.Raw)
		}

		// Unknown ids (and ids Rails' find cannot parse) are Rails' JSON 404.
		for _, base := range []string{"/accounts/999999", "/accounts/abc"} {
			t.Run("unknown "+base, func(t *testing.T) {
				app.do("GET", base, nil).expect(t, http.StatusNotFound).body(t, bodyRailsNotFound)
				app.do("PATCH", base, map[string]any{"name": "X"}).expect(t, http.StatusNotFound).body(t, bodyRailsNotFound)
				app.do("DELETE", base, nil).expect(t, http.StatusNotFound).body(t, bodyRailsNotFound)
				app.do("GET", base+"/account_users", nil).expect(t, http.StatusNotFound).body(t, bodyRailsNotFound)
				app.do("POST", base+"/account_users", map[string]any{"user_id": 1, "role": "agent"}).
					expect(t, http.StatusNotFound).body(t, bodyRailsNotFound)
			})
		}
		// A deleted account is unknown too.
		app.do("DELETE", fmt.Sprintf("/accounts/%d", mine), nil).expect(t, http.StatusOK)
		app.do("PATCH", fmt.Sprintf("/accounts/%d", mine), map[string]any{"name": "X"}).expect(t, http.StatusNotFound).body(t, bodyRailsNotFound)
		app.do("DELETE", fmt.Sprintf("/accounts/%d", mine), nil).expect(t, http.StatusNotFound).body(t, bodyRailsNotFound)

		// Routes outside the Platform API table are Rails' 404 as well.
		app.do("GET", "/no_such_resource", nil).expect(t, http.StatusNotFound).body(t, bodyRailsNotFound)
	})
}

// userObjectKeys are the keys of the user object the Platform API returns
// (reference §3.15, §2.2), less the optional custom_attributes.
var userObjectKeys = []string{"access_token", "account_id", "available_name", "avatar_url", "confirmed", "display_name",
	"message_signature", "email", "id", "name", "provider", "pubsub_token", "role", "ui_settings", "uid", "accounts"}

// TestPlatformUserLifecycle: create (confirmed, re-used by email), show,
// update, token and delete users (reference §3.15).
func TestPlatformUserLifecycle(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		admin := e.setup("Acme", "admin@acme.test")
		app := newPlatformApp(t, e, "hosting")
		other := newPlatformApp(t, e, "other hosting")

		r := app.do("POST", "/users", map[string]any{
			"name": "Maria Silva", "display_name": "Maria", "email": "maria@tenant.test", "password": "password123",
			"custom_attributes": map[string]any{"tier": "gold"},
		}).expect(t, http.StatusOK)
		for _, k := range userObjectKeys {
			if !r.has(k) {
				t.Errorf("user object has no %q: %s", k, r.Raw)
			}
		}
		id := r.num("id")
		token := r.str("access_token")
		if id == 0 || token == "" || r.str("pubsub_token") == "" {
			t.Fatalf("created user = %s", r.Raw)
		}
		// Confirmation is skipped for Platform users.
		if r.get("confirmed") != true {
			t.Errorf("confirmed = %v, want true", r.get("confirmed"))
		}
		if r.str("name") != "Maria Silva" || r.str("display_name") != "Maria" || r.str("available_name") != "Maria" ||
			r.str("email") != "maria@tenant.test" || r.str("uid") != "maria@tenant.test" || r.str("provider") != "email" {
			t.Errorf("created user = %s", r.Raw)
		}
		if r.get("custom_attributes", "tier") != "gold" {
			t.Errorf("custom_attributes = %v", r.get("custom_attributes"))
		}
		if accts, ok := r.get("accounts").([]any); !ok || len(accts) != 0 {
			t.Errorf("accounts = %v, want []", r.get("accounts"))
		}
		// The user can sign in at once: no confirmation step (reference §2.2, §3.15).
		e.do("POST", "/auth/sign_in", "", map[string]any{"email": "maria@tenant.test", "password": "password123"}).expect(t, http.StatusOK)

		// The same email from the same app is the same user (Chatwoot re-uses it), in any case.
		again := app.do("POST", "/users", map[string]any{"name": "Someone Else", "email": "maria@tenant.test", "password": "password456"}).
			expect(t, http.StatusOK)
		if again.num("id") != id || again.str("access_token") != token {
			t.Errorf("re-create id = %d token %q, want the existing user %d", again.num("id"), again.str("access_token"), id)
		}
		upper := app.do("POST", "/users", map[string]any{"name": "Maria", "email": "MARIA@Tenant.test"}).expect(t, http.StatusOK)
		if upper.num("id") != id {
			t.Errorf("re-create with another letter case id = %d, want %d", upper.num("id"), id)
		}

		// An email owned by another app (or by no app) is refused: CriaChat does
		// not let one tenant take over another's user by email.
		for _, email := range []string{"maria@tenant.test", "admin@acme.test"} {
			res := other.do("POST", "/users", map[string]any{"name": "Intruder", "email": email, "password": "password123"})
			res.expect(t, http.StatusUnprocessableEntity)
			if res.str("message") != "Email has already been taken" {
				t.Errorf("422 body = %s", res.Raw)
			}
		}
		other.do("GET", fmt.Sprintf("/users/%d", id), nil).expect(t, http.StatusUnauthorized).body(t, bodyNonPermissible)

		// Show.
		show := app.do("GET", fmt.Sprintf("/users/%d", id), nil).expect(t, http.StatusOK)
		if show.num("id") != id || show.str("email") != "maria@tenant.test" || show.str("access_token") != token {
			t.Errorf("show = %s", show.Raw)
		}

		// Update: custom_attributes merged; a new password works on /auth/sign_in.
		up := app.do("PATCH", fmt.Sprintf("/users/%d", id), map[string]any{
			"name": "Maria S.", "custom_attributes": map[string]any{"team": "blue"}, "password": "new-password-1",
		}).expect(t, http.StatusOK)
		if up.num("id") != id || up.str("name") != "Maria S." || up.str("display_name") != "Maria" {
			t.Errorf("update = %s", up.Raw)
		}
		if up.get("custom_attributes", "tier") != "gold" || up.get("custom_attributes", "team") != "blue" {
			t.Errorf("custom_attributes after update = %v, want tier and team", up.get("custom_attributes"))
		}
		e.do("POST", "/auth/sign_in", "", map[string]any{"email": "maria@tenant.test", "password": "new-password-1"}).
			expect(t, http.StatusOK)
		e.do("POST", "/auth/sign_in", "", map[string]any{"email": "maria@tenant.test", "password": "password123"}).
			expect(t, http.StatusUnauthorized)
		show = app.do("GET", fmt.Sprintf("/users/%d", id), nil).expect(t, http.StatusOK)
		if show.str("name") != "Maria S." || show.get("custom_attributes", "team") != "blue" {
			t.Errorf("show after update = %s", show.Raw)
		}
		// A too-short password is refused.
		app.do("PUT", fmt.Sprintf("/users/%d", id), map[string]any{"password": "short"}).expect(t, http.StatusUnprocessableEntity)

		// Token: the user's access token, which works on the Application API.
		tok := app.do("POST", fmt.Sprintf("/users/%d/token", id), nil).expect(t, http.StatusOK)
		if got, want := keysOf(tok), sorted("access_token", "expiry", "user"); !slices.Equal(got, want) {
			t.Errorf("token keys = %v, want %v", got, want)
		}
		if got, want := keysOf(tok, "user"), sorted("id", "name", "display_name", "email", "pubsub_token"); !slices.Equal(got, want) {
			t.Errorf("token user keys = %v, want %v", got, want)
		}
		if !tok.has("expiry") || tok.get("expiry") != nil {
			t.Errorf("expiry = %v, want null", tok.get("expiry"))
		}
		if tok.str("access_token") != token || tok.num("user", "id") != id || tok.str("user", "name") != "Maria S." ||
			tok.str("user", "display_name") != "Maria" || tok.str("user", "email") != "maria@tenant.test" ||
			tok.str("user", "pubsub_token") != r.str("pubsub_token") {
			t.Errorf("token = %s", tok.Raw)
		}
		prof := e.do("GET", "/api/v1/profile", tok.str("access_token"), nil).expect(t, http.StatusOK)
		if prof.num("id") != id || prof.str("email") != "maria@tenant.test" {
			t.Errorf("profile with the platform-issued token = %s", prof.Raw)
		}

		// Other apps' users and users created outside the Platform API are not permissible.
		for _, uid := range []int64{admin.UserID, other.createUser(t, "Olga", "olga@other.test", "password123").num("id")} {
			base := fmt.Sprintf("/users/%d", uid)
			app.do("GET", base, nil).expect(t, http.StatusUnauthorized).body(t, bodyNonPermissible)
			app.do("PATCH", base, map[string]any{"password": "stolen-password"}).expect(t, http.StatusUnauthorized).body(t, bodyNonPermissible)
			app.do("POST", base+"/token", nil).expect(t, http.StatusUnauthorized).body(t, bodyNonPermissible)
			app.do("DELETE", base, nil).expect(t, http.StatusUnauthorized).body(t, bodyNonPermissible)
		}
		e.do("POST", "/auth/sign_in", "", map[string]any{"email": "admin@acme.test", "password": "password123"}).expect(t, http.StatusOK)

		// Unknown users are Rails' JSON 404.
		for _, base := range []string{"/users/999999", "/users/abc"} {
			app.do("GET", base, nil).expect(t, http.StatusNotFound).body(t, bodyRailsNotFound)
			app.do("PATCH", base, map[string]any{"name": "X"}).expect(t, http.StatusNotFound).body(t, bodyRailsNotFound)
			app.do("POST", base+"/token", nil).expect(t, http.StatusNotFound).body(t, bodyRailsNotFound)
			app.do("DELETE", base, nil).expect(t, http.StatusNotFound).body(t, bodyRailsNotFound)
		}

		// Delete: 200, then the user, their token and their password are gone.
		del := app.do("DELETE", fmt.Sprintf("/users/%d", id), nil).expect(t, http.StatusOK)
		if del.Raw != "" {
			t.Errorf("delete body = %q, want empty (head :ok)", del.Raw)
		}
		app.do("GET", fmt.Sprintf("/users/%d", id), nil).expect(t, http.StatusNotFound).body(t, bodyRailsNotFound)
		e.do("GET", "/api/v1/profile", token, nil).expect(t, http.StatusUnauthorized).body(t, `{"error":"Invalid Access Token"}`)
		e.do("POST", "/auth/sign_in", "", map[string]any{"email": "maria@tenant.test", "password": "new-password-1"}).
			expect(t, http.StatusUnauthorized)
	})
}

// accountUserKeys are the columns of a raw ActiveRecord AccountUser (reference §3.2, §3.15).
var accountUserKeys = []string{"id", "account_id", "user_id", "role", "inviter_id", "created_at", "updated_at",
	"active_at", "availability", "auto_offline"}

// TestPlatformAccountUsers: account_users create (upsert), list and destroy
// (reference §3.2 "Platform account-users", §3.15).
func TestPlatformAccountUsers(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		admin := e.setup("Acme", "admin@acme.test")
		app := newPlatformApp(t, e, "hosting")
		other := newPlatformApp(t, e, "other hosting")
		acct := app.createAccount(t, "Tenant")
		u := app.createUser(t, "Ana", "ana@tenant.test", "password123")
		uid, token := u.num("id"), u.str("access_token")
		path := fmt.Sprintf("/accounts/%d/account_users", acct)

		app.do("GET", path, nil).expect(t, http.StatusOK).body(t, `[]`)

		// Create.
		c := app.do("POST", path, map[string]any{"user_id": uid, "role": "agent"}).expect(t, http.StatusOK)
		for _, k := range accountUserKeys {
			if !c.has(k) {
				t.Errorf("account_user has no %q: %s", k, c.Raw)
			}
		}
		rowID := c.num("id")
		if rowID == 0 || c.num("account_id") != acct || c.num("user_id") != uid || c.str("role") != "agent" ||
			c.str("availability") != "online" || c.get("auto_offline") != true || c.get("inviter_id") != nil {
			t.Errorf("created account_user = %s", c.Raw)
		}
		// Raw AR renders use ISO-8601 times (reference §7).
		if !railsTimeRE.MatchString(c.str("created_at")) || !railsTimeRE.MatchString(c.str("updated_at")) {
			t.Errorf("created_at/updated_at = %v/%v, want Rails ISO times", c.get("created_at"), c.get("updated_at"))
		}
		// As an agent the user is a member of the account.
		e.do("GET", fmt.Sprintf("/api/v1/accounts/%d", acct), token, nil).expect(t, http.StatusOK)

		// POST again changes the role of the same row (find_or_initialize_by + update!).
		c2 := app.do("POST", path, map[string]any{"user_id": fmt.Sprint(uid), "role": "administrator"}).expect(t, http.StatusOK)
		if c2.num("id") != rowID || c2.str("role") != "administrator" || c2.num("user_id") != uid {
			t.Errorf("upsert = %s, want row %d with role administrator", c2.Raw, rowID)
		}

		// List: the raw rows.
		list := app.do("GET", path, nil).expect(t, http.StatusOK)
		items, _ := list.JSON.([]any)
		if len(items) != 1 {
			t.Fatalf("list = %s, want one row", list.Raw)
		}
		if got, want := keysOf(list, 0), sorted(accountUserKeys...); !slices.Equal(got, want) {
			t.Errorf("account_user keys = %v, want %v", got, want)
		}
		if list.num(0, "id") != rowID || list.num(0, "user_id") != uid || list.num(0, "account_id") != acct ||
			list.str(0, "role") != "administrator" || !railsTimeRE.MatchString(list.str(0, "created_at")) {
			t.Errorf("list row = %v", list.get(0))
		}

		// An invalid role is refused.
		app.do("POST", path, map[string]any{"user_id": uid, "role": "owner"}).expect(t, http.StatusUnprocessableEntity)

		// Users the app does not own cannot be added.
		olga := other.createUser(t, "Olga", "olga@other.test", "password123").num("id")
		for _, foreign := range []int64{olga, admin.UserID} {
			app.do("POST", path, map[string]any{"user_id": foreign, "role": "administrator"}).
				expect(t, http.StatusUnauthorized).body(t, bodyNonPermissible)
		}
		if items, _ := app.do("GET", path, nil).JSON.([]any); len(items) != 1 {
			t.Errorf("account_users after refused adds = %v, want one row", items)
		}

		// Destroy with a JSON body {user_id}: 200, empty body.
		del := app.do("DELETE", path, map[string]any{"user_id": uid}).expect(t, http.StatusOK)
		if del.Raw != "" {
			t.Errorf("delete body = %q, want empty (head :ok)", del.Raw)
		}
		app.do("GET", path, nil).expect(t, http.StatusOK).body(t, `[]`)
		if e.do("GET", fmt.Sprintf("/api/v1/accounts/%d", acct), token, nil).Status == http.StatusOK {
			t.Errorf("a removed user can still read the account")
		}
	})
}

// TestPlatformAccountUserRemovalKeepsUser: Chatwoot's account_users#destroy is
// `@resource.account_users.find_by(user_id:)&.destroy; head :ok` (reference
// §3.2 "Platform account-users", §3.15): it removes only the membership row and
// answers 200 even when there is none. Unlike the Application API's
// agents#destroy (§3.2), the user stays, with their token, so the platform can
// add them to another account.
func TestPlatformAccountUserRemovalKeepsUser(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		app := newPlatformApp(t, e, "hosting")
		first := app.createAccount(t, "First")
		second := app.createAccount(t, "Second")
		u := app.createUser(t, "Ana", "ana@tenant.test", "password123")
		uid, token := u.num("id"), u.str("access_token")
		app.do("POST", fmt.Sprintf("/accounts/%d/account_users", first), map[string]any{"user_id": uid, "role": "agent"}).
			expect(t, http.StatusOK)

		app.do("DELETE", fmt.Sprintf("/accounts/%d/account_users", first), map[string]any{"user_id": uid}).expect(t, http.StatusOK)
		app.do("GET", fmt.Sprintf("/accounts/%d/account_users", first), nil).expect(t, http.StatusOK).body(t, `[]`)

		// The user, their token and their password survive losing their only membership.
		if r := app.do("GET", fmt.Sprintf("/users/%d", uid), nil).expect(t, http.StatusOK); r.num("id") != uid {
			t.Errorf("platform user after removal = %s", r.Raw)
		}
		e.do("GET", "/api/v1/profile", token, nil).expect(t, http.StatusOK)
		e.do("POST", "/auth/sign_in", "", map[string]any{"email": "ana@tenant.test", "password": "password123"}).expect(t, http.StatusOK)
		e.do("GET", fmt.Sprintf("/api/v1/accounts/%d", first), token, nil).expect(t, http.StatusUnauthorized).
			body(t, `{"error":"You are not authorized to access this account"}`)

		// The platform still owns the user and can add them elsewhere.
		app.do("POST", fmt.Sprintf("/accounts/%d/account_users", second), map[string]any{"user_id": uid, "role": "agent"}).
			expect(t, http.StatusOK)
		e.do("GET", fmt.Sprintf("/api/v1/accounts/%d", second), token, nil).expect(t, http.StatusOK)

		// Removing a non-member (find_by returns nil) is still head :ok.
		del := app.do("DELETE", fmt.Sprintf("/accounts/%d/account_users", first), map[string]any{"user_id": uid}).expect(t, http.StatusOK)
		if del.Raw != "" {
			t.Errorf("delete body = %q, want empty", del.Raw)
		}
		members := app.do("GET", fmt.Sprintf("/accounts/%d/account_users", second), nil).expect(t, http.StatusOK)
		if items, _ := members.JSON.([]any); len(items) != 1 || members.num(0, "user_id") != uid {
			t.Errorf("second account's members = %s, want the user", members.Raw)
		}
	})
}

// TestPlatformProvisioning is the whole hosting flow: the platform creates an
// account, a user and an administrator membership; the user's token then
// works on the Application API for that account (reference §2.1, §2.3, §3.15).
func TestPlatformProvisioning(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		app := newPlatformApp(t, e, "hosting")
		acct := app.createAccount(t, "Provisioned")
		u := app.createUser(t, "Paula", "paula@provisioned.test", "password123")
		uid := u.num("id")

		// Before the membership, the user is not in the account.
		tok := app.do("POST", fmt.Sprintf("/users/%d/token", uid), nil).expect(t, http.StatusOK).str("access_token")
		e.do("GET", fmt.Sprintf("/api/v1/accounts/%d", acct), tok, nil).expect(t, http.StatusUnauthorized).
			body(t, `{"error":"You are not authorized to access this account"}`)

		app.do("POST", fmt.Sprintf("/accounts/%d/account_users", acct), map[string]any{"user_id": uid, "role": "administrator"}).
			expect(t, http.StatusOK)

		r := e.do("GET", fmt.Sprintf("/api/v1/accounts/%d", acct), tok, nil).expect(t, http.StatusOK)
		if r.num("id") != acct || r.str("name") != "Provisioned" {
			t.Errorf("account via the user's token = %s", r.Raw)
		}
		// Administrators may change the account.
		e.do("PATCH", fmt.Sprintf("/api/v1/accounts/%d", acct), tok, map[string]any{"name": "Provisioned Inc"}).expect(t, http.StatusOK)

		// The platform's view of the user lists the membership.
		show := app.do("GET", fmt.Sprintf("/users/%d", uid), nil).expect(t, http.StatusOK)
		if show.num("accounts", 0, "id") != acct || show.str("accounts", 0, "role") != "administrator" ||
			show.num("account_id") != acct || show.str("role") != "administrator" {
			t.Errorf("platform user after provisioning = %s", show.Raw)
		}
		// And the user can sign in to the dashboard.
		login := e.do("POST", "/auth/sign_in", "", map[string]any{"email": "paula@provisioned.test", "password": "password123"}).
			expect(t, http.StatusOK)
		if login.num("data", "accounts", 0, "id") != acct || login.str("data", "accounts", 0, "name") != "Provisioned Inc" {
			t.Errorf("sign_in data.accounts = %v", login.get("data", "accounts"))
		}
	})
}
