package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/criachat/criachat/internal/criachat"
)

var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// localSender returns a Sender allowed to reach httptest servers on 127.0.0.1.
func localSender(t *testing.T, o SenderOptions) *Sender {
	t.Helper()
	o.AllowPrivate = true
	if o.Now == nil {
		o.Now = func() time.Time { return testNow }
	}
	s := NewSender(o)
	t.Cleanup(s.Close)
	return s
}

// countingServer is an httptest server that counts the connections it
// accepted and the requests it handled.
type countingServer struct {
	*httptest.Server
	conns, requests atomic.Int64
}

func newCountingServer(t *testing.T, h http.Handler) *countingServer {
	t.Helper()
	cs := &countingServer{}
	cs.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cs.requests.Add(1)
		h.ServeHTTP(w, r)
	}))
	cs.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			cs.conns.Add(1)
		}
	}
	cs.Start()
	t.Cleanup(cs.Close)
	return cs
}

func TestSendHeadersAndSignature(t *testing.T) {
	t.Parallel()
	type seen struct {
		method string
		header http.Header
		body   []byte
	}
	got := make(chan seen, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- seen{r.Method, r.Header.Clone(), body}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	s := localSender(t, SenderOptions{UserAgent: "CriaChat-Webhook/1.2.3 (+https://github.com/criachat/criachat)"})

	const secret = "3sGvCqJ7wWx8fEoXqKzL2mNb"
	body := []byte(`{"event":"message_created","id":1,"content":"olá"}`)
	res := s.Send(context.Background(), Request{URL: srv.URL + "/hook?x=1", Body: body, Secret: secret, DeliveryID: "0b6e3c1e-8f0a-4d1b-9b1e-2d7c1c9e5a10"})
	if res.Outcome != Delivered || res.StatusCode != 200 || res.Error != "" {
		t.Fatalf("Send = %+v, want delivered 200", res)
	}
	r := <-got
	wantHeaders := map[string]string{
		"Content-Type":         "application/json",
		"Accept":               "application/json",
		"User-Agent":           "CriaChat-Webhook/1.2.3 (+https://github.com/criachat/criachat)",
		"X-Chatwoot-Delivery":  "0b6e3c1e-8f0a-4d1b-9b1e-2d7c1c9e5a10",
		"X-Chatwoot-Timestamp": strconv.FormatInt(testNow.Unix(), 10),
	}
	for k, v := range wantHeaders {
		if r.header.Get(k) != v {
			t.Errorf("header %s = %q, want %q", k, r.header.Get(k), v)
		}
	}
	if r.method != http.MethodPost || string(r.body) != string(body) {
		t.Errorf("got %s %q, want POST %q", r.method, r.body, body)
	}

	sig := r.header.Get("X-Chatwoot-Signature")
	ts, _ := strconv.ParseInt(r.header.Get("X-Chatwoot-Timestamp"), 10, 64)
	// An independent recomputation of Chatwoot's
	// OpenSSL::HMAC.hexdigest('SHA256', secret, "#{ts}.#{body}").
	h := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(h, "%d.%s", ts, body)
	if want := "sha256=" + hex.EncodeToString(h.Sum(nil)); sig != want {
		t.Errorf("X-Chatwoot-Signature = %q, want %q", sig, want)
	}
	if Sign(secret, ts, body) != sig {
		t.Errorf("Sign = %q, want the header %q", Sign(secret, ts, body), sig)
	}
	if !Verify(secret, sig, ts, r.body) {
		t.Error("Verify refused the signature of the request received")
	}
	if !Verify(secret, "sha256="+strings.ToUpper(sig[7:]), ts, body) {
		t.Error("Verify refused upper-case hex")
	}
	for name, bad := range map[string]func() bool{
		"other secret":  func() bool { return Verify(secret+"x", sig, ts, body) },
		"other ts":      func() bool { return Verify(secret, sig, ts+1, body) },
		"other body":    func() bool { return Verify(secret, sig, ts, append([]byte(" "), body...)) },
		"no prefix":     func() bool { return Verify(secret, strings.TrimPrefix(sig, "sha256="), ts, body) },
		"other prefix":  func() bool { return Verify(secret, "sha1="+strings.TrimPrefix(sig, "sha256="), ts, body) },
		"not hex":       func() bool { return Verify(secret, "sha256=zz"+sig[9:], ts, body) },
		"truncated":     func() bool { return Verify(secret, sig[:len(sig)-2], ts, body) },
		"empty":         func() bool { return Verify(secret, "", ts, body) },
		"empty sig hex": func() bool { return Verify(secret, "sha256=", ts, body) },
	} {
		if bad() {
			t.Errorf("Verify accepted a signature with %s", name)
		}
	}
}

func TestSendUnsigned(t *testing.T) {
	t.Parallel()
	got := make(chan http.Header, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Clone()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	s := localSender(t, SenderOptions{})
	if res := s.Send(context.Background(), Request{URL: srv.URL, Body: []byte(`{}`)}); res.Outcome != Delivered {
		t.Fatalf("Send = %+v, want delivered", res)
	}
	h := <-got
	for _, k := range []string{"X-Chatwoot-Signature", "X-Chatwoot-Timestamp", "X-Chatwoot-Delivery"} {
		if v, ok := h[k]; ok {
			t.Errorf("header %s = %q, want none", k, v)
		}
	}
	if h.Get("User-Agent") != defaultUserAgent || h.Get("Content-Type") != "application/json" {
		t.Errorf("User-Agent %q, Content-Type %q", h.Get("User-Agent"), h.Get("Content-Type"))
	}
}

func TestSendStatus(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("/status/{code}", func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(r.PathValue("code"))
		if ra := r.URL.Query().Get("retry_after"); ra != "" {
			w.Header().Set("Retry-After", ra)
		}
		w.WriteHeader(code)
		fmt.Fprintf(w, "status %d", code)
	})
	// /hops/{n} redirects n times before answering 200.
	mux.HandleFunc("/hops/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.PathValue("n"))
		if n == 0 {
			fmt.Fprint(w, "arrived")
			return
		}
		http.Redirect(w, r, "/hops/"+strconv.Itoa(n-1), http.StatusFound)
	})
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/status/200", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/to-ftp", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "ftp://files.example.com/hook", http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	s := localSender(t, SenderOptions{})
	date := testNow.Add(90 * time.Second).Format(http.TimeFormat)

	tests := []struct {
		path       string
		outcome    Outcome
		status     int
		err        string
		retryAfter time.Duration
		response   string
	}{
		{"/status/200", Delivered, 200, "", 0, "status 200"},
		{"/status/204", Delivered, 204, "", 0, ""},
		{"/moved", Delivered, 200, "", 0, "status 200"},
		{"/hops/5", Delivered, 200, "", 0, "arrived"},
		{"/hops/6", Final, 302, "HTTP 302 Found", 0, "<a href=\"/hops/0\">Found</a>.\n\n"}, // the hops after the first are GETs
		{"/to-ftp", Final, 302, "HTTP 302 Found", 0, ""},
		{"/status/400", Final, 400, "HTTP 400 Bad Request", 0, "status 400"},
		{"/status/404", Final, 404, "HTTP 404 Not Found", 0, "status 404"},
		{"/status/408", Retry, 408, "HTTP 408 Request Timeout", 0, "status 408"},
		{"/status/410", Final, 410, "HTTP 410 Gone", 0, "status 410"},
		{"/status/422", Final, 422, "HTTP 422 Unprocessable Entity", 0, "status 422"},
		{"/status/429", Retry, 429, "HTTP 429 Too Many Requests", 0, "status 429"},
		{"/status/429?retry_after=120", Retry, 429, "HTTP 429 Too Many Requests", 120 * time.Second, "status 429"},
		{"/status/429?retry_after=" + strings.ReplaceAll(date, " ", "+"), Retry, 429, "HTTP 429 Too Many Requests", 90 * time.Second, "status 429"},
		{"/status/429?retry_after=soon", Retry, 429, "HTTP 429 Too Many Requests", 0, "status 429"},
		{"/status/500", Retry, 500, "HTTP 500 Internal Server Error", 0, "status 500"},
		{"/status/500?retry_after=30", Retry, 500, "HTTP 500 Internal Server Error", 0, "status 500"}, // only 429/503
		{"/status/502", Retry, 502, "HTTP 502 Bad Gateway", 0, "status 502"},
		{"/status/503?retry_after=7", Retry, 503, "HTTP 503 Service Unavailable", 7 * time.Second, "status 503"},
		{"/status/599", Retry, 599, "HTTP 599", 0, "status 599"},
	}
	for _, tc := range tests {
		res := s.Send(context.Background(), Request{URL: srv.URL + tc.path, Body: []byte(`{"event":"x"}`), Secret: "s"})
		if res.Outcome != tc.outcome || res.StatusCode != tc.status || res.Error != tc.err ||
			res.RetryAfter != tc.retryAfter || res.Response != tc.response {
			t.Errorf("%s: got %v %d %q retry after %v response %q; want %v %d %q retry after %v response %q", tc.path,
				res.Outcome, res.StatusCode, res.Error, res.RetryAfter, res.Response,
				tc.outcome, tc.status, tc.err, tc.retryAfter, tc.response)
		}
		if res.Latency <= 0 {
			t.Errorf("%s: latency %v, want > 0", tc.path, res.Latency)
		}
	}
}

func TestSendBadURL(t *testing.T) {
	t.Parallel()
	s := NewSender(SenderOptions{})
	t.Cleanup(s.Close)
	for _, u := range []string{"", "ftp://files.example.com/x", "javascript:alert(1)", "/relative", "example.com/hook",
		"http://", "https:///path", "http://exa mple.com/", "http://[::1/"} {
		res := s.Send(context.Background(), Request{URL: u, Body: []byte(`{}`)})
		if res.Outcome != Final || res.StatusCode != 0 || res.Error != "invalid URL" {
			t.Errorf("Send(%q) = %+v, want final invalid URL", u, res)
		}
	}
}

func TestCheckURL(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"http://example.com", "https://hooks.example.com:8443/cw?token=x#f", "HTTPS://Example.com/",
		"http://127.0.0.1:3000/hook", "https://[2001:db8::1]/hook", "https://user:pass@example.com/"} {
		if err := CheckURL(u); err != nil {
			t.Errorf("CheckURL(%q) = %v, want nil", u, err)
		}
	}
	for _, u := range []string{"", "ftp://example.com", "javascript:alert(1)", "/relative", "example.com", "http://",
		"https:///path", "http://exa mple.com/", "mailto:a@example.com", "http://[::1/", "http://:80/"} {
		err := CheckURL(u)
		if criachat.ErrorCode(err) != criachat.EINVALID || criachat.ErrorMessage(err) != "Url is invalid" {
			t.Errorf("CheckURL(%q) = %v, want EINVALID Url is invalid", u, err)
		}
	}
}

func TestSendConnectionRefused(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	s := localSender(t, SenderOptions{})
	res := s.Send(context.Background(), Request{URL: "http://" + addr + "/hook?token=secret", Body: []byte(`{}`)})
	if res.Outcome != Retry || res.StatusCode != 0 || res.Error != "connection refused" {
		t.Errorf("Send = %+v, want retry connection refused", res)
	}
}

// blockingServer answers nothing until the test ends; when headers is set it
// first sends a 200 status line, then stalls the body.
func blockingServer(t *testing.T, headers bool) *httptest.Server {
	t.Helper()
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if headers {
			w.WriteHeader(http.StatusOK)
			w.(http.Flusher).Flush()
		}
		select {
		case <-done:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(done) }) // runs before srv.Close, which waits for handlers
	return srv
}

func TestSendTimeout(t *testing.T) {
	t.Parallel()
	srv := blockingServer(t, false)
	s := localSender(t, SenderOptions{Timeout: 200 * time.Millisecond})
	res := s.Send(context.Background(), Request{URL: srv.URL, Body: []byte(`{}`), Secret: "s"})
	if res.Outcome != Retry || res.StatusCode != 0 || res.Error != "timeout after 200ms" {
		t.Errorf("Send = %+v, want retry timeout after 200ms", res)
	}
}

// A receiver that answered 2xx has accepted the event even if its body then
// stalls: retrying would deliver it twice.
func TestSendStalledBodyAfter2xx(t *testing.T) {
	t.Parallel()
	srv := blockingServer(t, true)
	s := localSender(t, SenderOptions{Timeout: 200 * time.Millisecond})
	res := s.Send(context.Background(), Request{URL: srv.URL, Body: []byte(`{}`)})
	if res.Outcome != Delivered || res.StatusCode != 200 || res.Error != "" || res.Response != "" {
		t.Errorf("Send = %+v, want delivered 200", res)
	}
}

func TestSendCanceled(t *testing.T) {
	t.Parallel()
	srv := newCountingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	s := localSender(t, SenderOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := s.Send(ctx, Request{URL: srv.URL, Body: []byte(`{}`)})
	if res.Outcome != Retry || res.Error != "aborted: context canceled" || srv.requests.Load() != 0 {
		t.Errorf("Send = %+v (%d requests), want retry aborted and no request", res, srv.requests.Load())
	}
}

func TestSendRefusesPrivateAddress(t *testing.T) {
	t.Parallel()
	srv := newCountingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	s := NewSender(SenderOptions{})
	t.Cleanup(s.Close)
	res := s.Send(context.Background(), Request{URL: srv.URL + "/hook", Body: []byte(`{}`), Secret: "s"})
	if res.Outcome != Final || res.StatusCode != 0 || res.Error != "address 127.0.0.1 is not allowed (private network)" {
		t.Errorf("Send = %+v, want final refusal of 127.0.0.1", res)
	}
	// A name is checked on the address it resolves to, not on its spelling.
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	res = s.Send(context.Background(), Request{URL: "http://localhost:" + port + "/hook", Body: []byte(`{}`)})
	if res.Outcome != Final || res.StatusCode != 0 ||
		(res.Error != "address 127.0.0.1 is not allowed (private network)" && res.Error != "address ::1 is not allowed (private network)") {
		t.Errorf("Send(localhost) = %+v, want final refusal of a loopback address", res)
	}
	if c, r := srv.conns.Load(), srv.requests.Load(); c != 0 || r != 0 {
		t.Errorf("server saw %d connections and %d requests, want none", c, r)
	}
}

// Redirects are checked where they connect: the public server here is one
// that the test's rule allows and the internal one is refused by port, since a
// test cannot host a server on a public address.
func TestSendRefusesRedirectToRefusedAddress(t *testing.T) {
	t.Parallel()
	internal := newCountingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	public := newCountingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, internal.URL+"/admin", http.StatusTemporaryRedirect)
	}))
	refusedPort := netip.MustParseAddrPort(internal.Listener.Addr().String()).Port()
	s := newSender(SenderOptions{}, func(ap netip.AddrPort) bool { return ap.Port() == refusedPort })
	t.Cleanup(s.Close)
	res := s.Send(context.Background(), Request{URL: public.URL, Body: []byte(`{}`)})
	if res.Outcome != Final || res.StatusCode != 0 || res.Error != "address 127.0.0.1 is not allowed (private network)" {
		t.Errorf("Send = %+v, want final refusal of the redirect target", res)
	}
	if public.requests.Load() != 1 || internal.conns.Load() != 0 {
		t.Errorf("public saw %d requests, internal %d connections; want 1 and 0", public.requests.Load(), internal.conns.Load())
	}
}

func TestSendResponseSnippet(t *testing.T) {
	t.Parallel()
	a := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		name, body, want string
	}{
		{"short", `{"ok":true}`, `{"ok":true}`},
		{"exactly 1024", a(1024), a(1024)},
		{"longer", a(1024) + "tail", a(1024)},
		{"two-byte rune across the limit", a(1023) + "é" + a(50), a(1023)},
		{"three-byte rune across the limit", a(1022) + "€" + a(50), a(1022)},
		{"rune ending at the limit", a(1021) + "€" + a(50), a(1021) + "€"},
		{"invalid bytes and NUL", "a\xffb\x00c\xc3", "a\uFFFDb\uFFFDc"},
		{"replacement not fitting at the limit", a(1023) + "\xff" + a(5), a(1023)},
		{"long multibyte body", strings.Repeat("ç", 2000), strings.Repeat("ç", 512)},
	}
	mux := http.NewServeMux()
	for i, tc := range tests {
		mux.HandleFunc("/"+strconv.Itoa(i), func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, tc.body)
		})
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	s := localSender(t, SenderOptions{})
	for i, tc := range tests {
		res := s.Send(context.Background(), Request{URL: srv.URL + "/" + strconv.Itoa(i), Body: []byte(`{}`)})
		if res.Response != tc.want || !utf8.ValidString(res.Response) || len(res.Response) > 1024 {
			t.Errorf("%s: response %q (%d bytes), want %q", tc.name, res.Response, len(res.Response), tc.want)
		}
	}
}

// Many concurrent sends share one Sender; run with -race.
func TestSendConcurrent(t *testing.T) {
	t.Parallel()
	srv := newCountingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
	}))
	s := localSender(t, SenderOptions{})
	const n = 200
	var wg sync.WaitGroup
	var delivered atomic.Int64
	for i := range n {
		wg.Go(func() {
			res := s.Send(context.Background(), Request{URL: srv.URL, Body: []byte(`{"i":` + strconv.Itoa(i) + `}`), Secret: "s", DeliveryID: strconv.Itoa(i)})
			if res.Outcome == Delivered {
				delivered.Add(1)
			}
		})
	}
	wg.Wait()
	if delivered.Load() != n || srv.requests.Load() != n {
		t.Errorf("%d delivered, %d received, want %d", delivered.Load(), srv.requests.Load(), n)
	}
}
