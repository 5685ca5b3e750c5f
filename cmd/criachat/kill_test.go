//go:build unix

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/criachat/criachat/internal/store/storetest"
	"github.com/criachat/criachat/internal/webhook"
)

// liveness bounds how long the kill test waits for anything (start-up, an
// attempt, the retry after restart, which is due about 10 s after the first
// attempt). It is a bound against hanging, not a timing assertion.
const liveness = 60 * time.Second

// TestKillPendingDeliveryResumes runs the real binary: a delivery whose first
// attempt failed (connection refused) is pending when the server is killed
// with SIGKILL; after a restart on the same database it reaches the receiver
// under the same delivery id, signed with the webhook's secret, and the log
// shows it delivered. Then SIGTERM stops the server cleanly.
func TestKillPendingDeliveryResumes(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "criachat")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			env := []string{"CRIACHAT_DATABASE_URL=" + storetest.URL(t, dialect), "CRIACHAT_DATA_DIR=" + t.TempDir(),
				"CRIACHAT_ADDR=127.0.0.1:0", "CRIACHAT_WEBHOOK_ALLOW_PRIVATE=true", "CRIACHAT_WEBHOOK_TIMEOUT=2s",
				"CRIACHAT_LOG_FORMAT=json", "CRIACHAT_LOG_LEVEL=info"}
			setup := exec.Command(bin, "setup", "--account-name", "Acme", "--name", "Ann", "--email", "ann@acme.io",
				"--password", "password123", "--json")
			setup.Env = append(os.Environ(), env...)
			out, err := setup.Output()
			var created struct {
				AccountID   int64  `json:"account_id"`
				AccessToken string `json:"access_token"`
			}
			if err != nil || json.Unmarshal(out, &created) != nil || created.AccessToken == "" {
				t.Fatalf("setup: %v\n%s", err, out)
			}

			// A port where nothing listens: the first attempt is refused,
			// which is retryable.
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			hookAddr := ln.Addr().String()
			ln.Close()

			srv := startServe(t, bin, env)
			account := fmt.Sprintf("/api/v1/accounts/%d", created.AccountID)
			var hook struct {
				Payload struct {
					Webhook struct {
						ID     int64  `json:"id"`
						Secret string `json:"secret"`
					} `json:"webhook"`
				} `json:"payload"`
			}
			srv.call(t, "POST", account+"/webhooks", created.AccessToken,
				`{"webhook":{"url":"http://`+hookAddr+`/hook","subscriptions":["contact_created"]}}`, &hook)
			wh := hook.Payload.Webhook
			srv.call(t, "POST", account+"/contacts", created.AccessToken, `{"name":"Carla"}`, nil)
			deliveries := fmt.Sprintf("%s/webhooks/%d/deliveries", account, wh.ID)
			var pending delivery
			srv.waitFor(t, "a failed first attempt", func() bool {
				pending = srv.onlyDelivery(t, deliveries, created.AccessToken)
				return pending.Attempts >= 1
			})
			if pending.State != "pending" || pending.NextAttemptAt == nil {
				t.Fatalf("after a refused connection the delivery is %+v, want pending with a next attempt", pending)
			}

			srv.kill(t)

			type request struct {
				header http.Header
				body   []byte
			}
			got := make(chan request, 10)
			receiver := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				got <- request{r.Header, body}
			}))
			receiver.Listener.Close()
			if receiver.Listener, err = net.Listen("tcp", hookAddr); err != nil {
				t.Fatalf("listen again on the receiver's port: %v", err)
			}
			receiver.Start()
			defer receiver.Close()

			srv = startServe(t, bin, env)
			var req request
			select {
			case req = <-got:
			case <-srv.exited:
				t.Fatalf("the restarted server exited: %v", srv.err)
			case <-time.After(liveness):
				t.Fatalf("no delivery reached the receiver within %s of the restart", liveness)
			}
			var payload struct {
				Event string `json:"event"`
			}
			if err := json.Unmarshal(req.body, &payload); err != nil || payload.Event != "contact_created" {
				t.Errorf("delivered body %s, want event contact_created", req.body)
			}
			if id := req.header.Get("X-Chatwoot-Delivery"); id != pending.UUID {
				t.Errorf("X-Chatwoot-Delivery = %q, want the pending delivery's %q", id, pending.UUID)
			}
			sig := req.header.Get("X-Chatwoot-Signature")
			ts, _ := strconv.ParseInt(req.header.Get("X-Chatwoot-Timestamp"), 10, 64)
			if !webhook.Verify(wh.Secret, sig, ts, req.body) {
				t.Errorf("signature %q (timestamp %d) does not verify with the webhook's secret", sig, ts)
			}

			var done delivery
			srv.waitFor(t, "the delivery to be logged as delivered", func() bool {
				done = srv.onlyDelivery(t, deliveries, created.AccessToken)
				return done.State != "pending"
			})
			if done.State != "delivered" || done.UUID != pending.UUID || done.Attempts < 2 {
				t.Errorf("delivery after restart = %+v, want delivered under uuid %s after at least 2 attempts", done, pending.UUID)
			}
			if n := len(got); n != 0 {
				t.Errorf("the receiver got %d more requests", n)
			}
			srv.stop(t)
		})
	}
}

// delivery is the part of a delivery log row the kill test reads.
type delivery struct {
	UUID          string  `json:"uuid"`
	State         string  `json:"state"`
	Attempts      int     `json:"attempts"`
	NextAttemptAt *string `json:"next_attempt_at"`
}

// process is a `criachat serve` subprocess.
type process struct {
	cmd    *exec.Cmd
	logs   *syncBuffer
	base   string
	exited chan struct{} // closed when the process has exited; err is then set
	err    error
}

// startServe starts `criachat serve` with env, waits until it listens (its
// "criachat listening" log line gives the address) and answers /health. If
// the test fails, the process output is logged; a process still running at
// the end is killed.
func startServe(t *testing.T, bin string, env []string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(bin, "serve"), logs: &syncBuffer{}, exited: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			p.cmd.Process.Kill()
			<-p.exited
		}
		if t.Failed() {
			t.Logf("criachat serve (pid %d) output:\n%s", p.cmd.Process.Pid, p.logs.String())
		}
	})
	p.waitFor(t, "the server to listen", func() bool {
		for line := range strings.Lines(p.logs.String()) {
			var l struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &l) == nil && l.Msg == "criachat listening" {
				p.base = "http://" + l.Addr
				return true
			}
		}
		return false
	})
	p.call(t, "GET", "/health", "", "", nil)
	return p
}

// waitFor polls cond until it holds; it fails the test if the process exits
// first or the liveness bound passes.
func (p *process) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(liveness)
	for !cond() {
		select {
		case <-p.exited:
			t.Fatalf("criachat serve exited (%v) while waiting for %s", p.err, what)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", liveness, what)
		}
	}
}

// call makes an API request to the process and decodes a 200 answer into out
// (when not nil); any other status fails the test.
func (p *process) call(t *testing.T, method, path, token, body string, out any) {
	t.Helper()
	req, _ := http.NewRequest(method, p.base+path, strings.NewReader(body))
	req.Header.Set("api_access_token", token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("%s %s = %d %s", method, path, res.StatusCode, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
}

// onlyDelivery reads a delivery log that must hold exactly one delivery.
func (p *process) onlyDelivery(t *testing.T, path, token string) delivery {
	t.Helper()
	var list struct{ Payload []delivery }
	p.call(t, "GET", path, token, "", &list)
	if len(list.Payload) != 1 {
		t.Fatalf("delivery log %+v, want exactly one delivery", list.Payload)
	}
	return list.Payload[0]
}

// kill sends SIGKILL and waits for the process to die of it.
func (p *process) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-p.exited
	var exit *exec.ExitError
	if !errors.As(p.err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("criachat serve ended with %v, want killed by SIGKILL", p.err)
	}
}

// stop sends SIGTERM and expects a clean exit.
func (p *process) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.exited:
		if p.err != nil {
			t.Fatalf("criachat serve stopped with %v after SIGTERM, want exit status 0", p.err)
		}
	case <-time.After(liveness):
		t.Fatalf("criachat serve still running %s after SIGTERM", liveness)
	}
}

// syncBuffer collects a subprocess's output while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
