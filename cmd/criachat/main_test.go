package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/criachat/criachat/internal/config"
	"github.com/criachat/criachat/internal/secret"
)

func init() { secret.PasswordCost = 4 }

func testEnv(dir string) func(string) string {
	vars := map[string]string{"CRIACHAT_DATA_DIR": dir, "CRIACHAT_ADDR": "127.0.0.1:0", "CRIACHAT_LOG_LEVEL": "warn"}
	return func(k string) string { return vars[k] }
}

// serve boots the program as `criachat serve` does and returns its base URL
// and a function that stops it and waits for a clean exit.
func serve(t *testing.T, getenv func(string) string) (string, func()) {
	t.Helper()
	cfg, err := config.Load(getenv)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	m := NewMain(cfg, &logs)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Serve(ctx) }()
	select {
	case addr := <-m.Addr:
		return "http://" + addr, func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("serve returned %v; logs:\n%s", err, logs.String())
				}
			case <-time.After(10 * time.Second):
				t.Fatal("server did not stop within 10s")
			}
		}
	case err := <-done:
		cancel()
		t.Fatalf("serve failed to start: %v\n%s", err, logs.String())
	}
	return "", nil
}

func getProfile(t *testing.T, base, token string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/api/v1/profile", nil)
	req.Header.Set("api_access_token", token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body map[string]any
	json.NewDecoder(res.Body).Decode(&body)
	if res.StatusCode != 200 {
		t.Fatalf("GET /api/v1/profile = %d %v", res.StatusCode, body)
	}
	return body
}

// TestSetupProfileRestart boots the real program on a free port with a temp
// SQLite database: setup, profile, restart, profile. The token (and the
// generated secret key that decrypts its display copy) survives the restart.
func TestSetupProfileRestart(t *testing.T) {
	dir := t.TempDir()
	getenv := testEnv(dir)
	var out, errOut bytes.Buffer
	err := Run(context.Background(), []string{"setup", "--account-name", "Acme", "--name", "Ann", "--email", "ann@acme.io",
		"--password", "password123", "--json"}, getenv, &out, &errOut)
	if err != nil {
		t.Fatalf("setup: %v\n%s", err, errOut.String())
	}
	var created struct {
		AccountID   int64  `json:"account_id"`
		UserID      int64  `json:"user_id"`
		AccessToken string `json:"access_token"`
	}
	dec := json.NewDecoder(&out)
	if err := dec.Decode(&created); err != nil || dec.More() {
		t.Fatalf("setup --json printed %q, want exactly one JSON object (%v)", out.String(), err)
	}
	if created.AccountID == 0 || created.UserID == 0 || len(created.AccessToken) != 24 {
		t.Fatalf("setup output = %+v", created)
	}

	base, stop := serve(t, getenv)
	p := getProfile(t, base, created.AccessToken)
	if p["access_token"] != created.AccessToken || p["email"] != "ann@acme.io" || p["account_id"] != float64(created.AccountID) {
		t.Fatalf("profile = %v", p)
	}
	stop()

	base, stop = serve(t, getenv)
	defer stop()
	p = getProfile(t, base, created.AccessToken)
	if p["access_token"] != created.AccessToken || p["id"] != float64(created.UserID) {
		t.Fatalf("profile after restart = %v", p)
	}
	res, err := http.Get(base + "/health")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("health after restart: %v %v", res, err)
	}
	res.Body.Close()
}

func TestSetupRefusals(t *testing.T) {
	dir := t.TempDir()
	getenv := testEnv(dir)
	run := func(args ...string) error {
		var out, errOut bytes.Buffer
		return Run(context.Background(), append([]string{"setup"}, args...), getenv, &out, &errOut)
	}
	if err := run("--account-name", "A", "--name", "Ann", "--email", "ann@a.io", "--password", "password123"); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"existing email": {[]string{"--account-name", "B", "--name", "Ann", "--email", "ANN@a.io", "--password", "password123"}, "Email has already been taken"},
		"short password": {[]string{"--account-name", "B", "--name", "Bob", "--email", "bob@a.io", "--password", "short"}, "Password is too short"},
		"invalid email":  {[]string{"--account-name", "B", "--name", "Bob", "--email", "bob", "--password", "password123"}, "Email is invalid"},
		"missing flags":  {[]string{"--account-name", "B"}, "setup needs"},
	} {
		if err := run(tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want it to mention %q", name, err, tc.want)
		}
	}
}

func TestMigrateVersionPlatformApp(t *testing.T) {
	dir := t.TempDir()
	getenv := testEnv(dir)
	var out, errOut bytes.Buffer
	if err := Run(context.Background(), []string{"migrate"}, getenv, &out, &errOut); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if err := Run(context.Background(), []string{"version"}, getenv, &out, &errOut); err != nil || !strings.HasPrefix(out.String(), "criachat ") {
		t.Fatalf("version: %q %v", out.String(), err)
	}
	out.Reset()
	if err := Run(context.Background(), []string{"platform-app", "create", "--name", "Host", "--json"}, getenv, &out, &errOut); err != nil {
		t.Fatalf("platform-app create: %v", err)
	}
	var app map[string]any
	if err := json.Unmarshal(out.Bytes(), &app); err != nil || app["name"] != "Host" || len(app["access_token"].(string)) != 24 {
		t.Fatalf("platform-app output %q (%v)", out.String(), err)
	}
	base, stop := serve(t, getenv)
	defer stop()
	req, _ := http.NewRequest("POST", base+"/platform/api/v1/accounts", strings.NewReader(`{"name":"Tenant"}`))
	req.Header.Set("api_access_token", app["access_token"].(string))
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("platform create account: %v %v", res, err)
	}
	res.Body.Close()
	if err := Run(context.Background(), []string{"bogus"}, getenv, &out, &errOut); err == nil {
		t.Fatal("unknown command accepted")
	}
	if _, err := config.Load(func(k string) string {
		if k == "CRIACHAT_DATA_DIR" {
			return filepath.Join(dir, "x")
		}
		return map[string]string{"CRIACHAT_LOG_FORMAT": "yaml"}[k]
	}); err == nil {
		t.Fatal("bad config accepted")
	}
}

// TestUploadsInDataDir: a multipart message stores its file under
// CRIACHAT_DATA_DIR/uploads/<account id>/, and its signed data_url serves it
// without a token.
func TestUploadsInDataDir(t *testing.T) {
	dir := t.TempDir()
	getenv := testEnv(dir)
	var out, errOut bytes.Buffer
	if err := Run(context.Background(), []string{"setup", "--account-name", "Acme", "--name", "Ann", "--email", "ann@acme.io",
		"--password", "password123", "--json"}, getenv, &out, &errOut); err != nil {
		t.Fatalf("setup: %v\n%s", err, errOut.String())
	}
	var created struct {
		AccountID   int64  `json:"account_id"`
		AccessToken string `json:"access_token"`
	}
	json.Unmarshal(out.Bytes(), &created)
	base, stop := serve(t, getenv)
	defer stop()
	account := base + "/api/v1/accounts/" + strconv.FormatInt(created.AccountID, 10)
	call := func(method, url, contentType string, body io.Reader) map[string]any {
		t.Helper()
		req, _ := http.NewRequest(method, url, body)
		req.Header.Set("api_access_token", created.AccessToken)
		req.Header.Set("Content-Type", contentType)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var v map[string]any
		json.NewDecoder(res.Body).Decode(&v)
		if res.StatusCode != 200 {
			t.Fatalf("%s %s = %d %v", method, url, res.StatusCode, v)
		}
		return v
	}
	inbox := call("POST", account+"/inboxes", "application/json", strings.NewReader(`{"name":"API","channel":{"type":"api"}}`))
	contact := call("POST", account+"/contacts", "application/json",
		strings.NewReader(fmt.Sprintf(`{"name":"Carla","email":"carla@x.io","inbox_id":%v}`, inbox["id"])))
	sourceID := contact["payload"].(map[string]any)["contact_inbox"].(map[string]any)["source_id"]
	conv := call("POST", account+"/conversations", "application/json",
		strings.NewReader(fmt.Sprintf(`{"source_id":%q,"inbox_id":%v}`, sourceID, inbox["id"])))
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("content", "invoice attached")
	fw, _ := mw.CreateFormFile("attachments[]", "invoice.txt")
	fw.Write([]byte("total: 42"))
	mw.Close()
	msg := call("POST", fmt.Sprintf("%s/conversations/%v/messages", account, conv["id"]), mw.FormDataContentType(), &body)
	files, _ := filepath.Glob(filepath.Join(dir, "uploads", strconv.FormatInt(created.AccountID, 10), "*"))
	if len(files) != 1 {
		t.Fatalf("files under the data dir: %v", files)
	}
	dataURL := msg["attachments"].([]any)[0].(map[string]any)["data_url"].(string)
	res, err := http.Get(base + dataURL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	got, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || string(got) != "total: 42" {
		t.Fatalf("GET %s = %d %q", dataURL, res.StatusCode, got)
	}
}
