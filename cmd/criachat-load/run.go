package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/criachat/criachat/internal/store"
)

type options struct {
	bin, databaseURL                  string
	contacts, conversations, messages int
	clients                           int
	duration                          time.Duration
	cpuProfile, trace                 string
	pprofAddr                         string
	runs                              int
	webhook                           bool
	receiver                          *receiver // the webhook endpoint (-webhook)
}

// server is a running criachat serve subprocess.
type server struct {
	cmd   *exec.Cmd
	base  string
	token string
	acct  int64
	user  int64
}

func run(ctx context.Context, o options) error {
	dir, err := os.MkdirTemp("", "criachat-load-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	env := append(os.Environ(), "CRIACHAT_DATA_DIR="+dir, "CRIACHAT_LOG_LEVEL=warn")
	dbURL := o.databaseURL
	if dbURL == "" {
		dbURL = "sqlite://" + filepath.Join(dir, "criachat.db")
	}
	env = append(env, "CRIACHAT_DATABASE_URL="+dbURL)
	if o.webhook {
		if o.receiver, err = startReceiver(); err != nil {
			return err
		}
		defer o.receiver.close()
		env = append(env, "CRIACHAT_WEBHOOK_ALLOW_PRIVATE=true")
	}
	if o.cpuProfile != "" || o.trace != "" {
		o.pprofAddr = freeAddr()
		env = append(env, "CRIACHAT_PPROF_ADDR="+o.pprofAddr)
	}

	var setup struct {
		AccountID   int64  `json:"account_id"`
		UserID      int64  `json:"user_id"`
		AccessToken string `json:"access_token"`
	}
	out, err := command(o.bin, env, "setup", "--account-name", "Load", "--name", "Load Admin", "--email",
		fmt.Sprintf("load-%d@example.com", time.Now().UnixNano()), "--password", "load-password", "--json").Output()
	if err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	if err := json.Unmarshal(out, &setup); err != nil {
		return fmt.Errorf("setup output %q: %w", out, err)
	}
	srv, err := start(o.bin, env)
	if err != nil {
		return err
	}
	defer srv.stop()
	srv.token, srv.acct, srv.user = setup.AccessToken, setup.AccountID, setup.UserID

	var inbox struct {
		ID int64 `json:"id"`
	}
	if err := srv.call("POST", "/inboxes", map[string]any{"name": "Load API", "channel": map[string]any{"type": "api"}}, &inbox); err != nil {
		return fmt.Errorf("create inbox: %w", err)
	}
	if o.receiver != nil {
		if err := o.receiver.subscribe(srv); err != nil {
			return fmt.Errorf("create webhook: %w", err)
		}
	}

	st, err := store.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	t0 := time.Now()
	seeded, err := seed(ctx, st, o, srv.acct, srv.user, inbox.ID)
	if err == nil {
		// Fresh bulk-loaded tables have no statistics yet; a live database has them.
		err = st.Analyze(ctx)
	}
	st.Close()
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	fmt.Printf("seeded %d contacts, %d conversations, %d messages in %s (%s)\n",
		o.contacts, o.conversations, o.messages, time.Since(t0).Round(time.Second), strings.SplitN(dbURL, ":", 2)[0])

	return report(ctx, o, srv, seeded)
}

func command(bin string, env []string, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stderr = os.Stderr
	return cmd
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "127.0.0.1:0"
	}
	defer ln.Close()
	return ln.Addr().String()
}

func start(bin string, env []string) (*server, error) {
	addr := freeAddr()
	cmd := command(bin, append(env, "CRIACHAT_ADDR="+addr), "serve")
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, base: "http://" + addr}
	for i := 0; i < 100; i++ {
		if res, err := http.Get(s.base + "/health"); err == nil {
			res.Body.Close()
			return s, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.stop()
	return nil, fmt.Errorf("server did not start on %s", addr)
}

func (s *server) stop() {
	s.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
	}
}

// call sends an Application API request for the load account.
func (s *server) call(method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, fmt.Sprintf("%s/api/v1/accounts/%d%s", s.base, s.acct, path), rd)
	req.Header.Set("api_access_token", s.token)
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		return fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, raw)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

// client keeps a connection per concurrent caller alive, as an integration
// would: http.DefaultClient keeps only 2 idle connections per host, so 16
// callers would open a new TCP connection for most requests and measure
// connection set-up instead of the API.
var client = &http.Client{Transport: &http.Transport{MaxIdleConns: 128, MaxIdleConnsPerHost: 128, IdleConnTimeout: time.Minute}}

// rssMB reads the resident memory of a process from /proc.
func rssMB(pid int) float64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			return kb / 1024
		}
	}
	return -1
}
