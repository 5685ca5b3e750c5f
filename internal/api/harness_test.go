package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/criachat/criachat/internal/account"
	"github.com/criachat/criachat/internal/api"
	"github.com/criachat/criachat/internal/secret"
	"github.com/criachat/criachat/internal/store"
	"github.com/criachat/criachat/internal/store/storetest"
)

func init() { secret.PasswordCost = 4 } // keep bcrypt cheap in tests

// env is a server over a real, fresh database, driven through its router.
type env struct {
	t        *testing.T
	store    *store.Store
	accounts *account.Service
	keeper   *secret.Keeper
	server   *api.Server
	dataDir  string // the server's CRIACHAT_DATA_DIR (uploads)
}

// run calls fn with a fresh env on SQLite and on PostgreSQL.
func run(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		k, err := secret.NewKeeper(strings.Repeat("s", 32))
		if err != nil {
			t.Fatal(err)
		}
		accts := account.NewService(st, k)
		dir := t.TempDir()
		fn(t, &env{t: t, store: st, accounts: accts, keeper: k, dataDir: dir,
			server: api.New(api.Options{Store: st, Accounts: accts, Keeper: k, MaxBodyBytes: 64 << 10, DataDir: dir})})
	})
}

// tenant is an account with its administrator's token.
type tenant struct {
	AccountID, UserID int64
	Token             string
}

// setup creates an account with an administrator, as `criachat setup` does.
func (e *env) setup(accountName, email string) tenant {
	e.t.Helper()
	res, err := e.accounts.Setup(context.Background(), account.SetupParams{AccountName: accountName, Name: "Admin " + accountName, Email: email, Password: "password123"})
	if err != nil {
		e.t.Fatal(err)
	}
	return tenant{AccountID: res.Account.ID, UserID: res.User.ID, Token: res.AccessToken}
}

// response is a recorded response with its decoded JSON body.
type response struct {
	Status int
	Header http.Header
	Raw    string
	JSON   any
}

// do sends a request with the token in the api_access_token header. body may
// be nil, a string (sent as is) or a value (encoded as JSON).
func (e *env) do(method, path, token string, body any) response {
	e.t.Helper()
	return e.doWith(method, path, body, func(r *http.Request) {
		if token != "" {
			r.Header.Set("api_access_token", token)
		}
	})
}

// doWith sends a request after letting edit change it (headers).
func (e *env) doWith(method, path string, body any, edit func(r *http.Request)) response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if edit != nil {
		edit(req)
	}
	rec := httptest.NewRecorder()
	e.server.ServeHTTP(rec, req)
	res := response{Status: rec.Code, Header: rec.Header(), Raw: rec.Body.String()}
	if strings.TrimSpace(res.Raw) != "" {
		if err := json.Unmarshal(rec.Body.Bytes(), &res.JSON); err != nil {
			e.t.Fatalf("%s %s: response is not JSON (%d): %q", method, path, rec.Code, res.Raw)
		}
	}
	return res
}

// expect fails unless the response has the status.
func (r response) expect(t *testing.T, status int) response {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status = %d, want %d; body %s", r.Status, status, r.Raw)
	}
	return r
}

// get walks the decoded JSON by keys and array indexes: r.get("accounts", 0, "id").
func (r response) get(path ...any) any {
	var v any = r.JSON
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			a, ok := v.([]any)
			if !ok || k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}

// has reports whether the object at path has the key (even with a null value).
func (r response) has(key string, path ...any) bool {
	m, ok := r.get(path...).(map[string]any)
	if !ok {
		return false
	}
	_, ok = m[key]
	return ok
}

// num returns a JSON number at path as int64.
func (r response) num(path ...any) int64 {
	f, _ := r.get(path...).(float64)
	return int64(f)
}

// str returns a JSON string at path.
func (r response) str(path ...any) string {
	s, _ := r.get(path...).(string)
	return s
}

// body asserts the whole JSON body equals want (compared as decoded JSON).
func (r response) body(t *testing.T, want string) {
	t.Helper()
	var w any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad expectation %q: %v", want, err)
	}
	got, _ := json.Marshal(r.JSON)
	exp, _ := json.Marshal(w)
	if string(got) != string(exp) {
		t.Fatalf("body = %s, want %s", got, exp)
	}
}
