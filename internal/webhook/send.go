// Package webhook delivers events to receivers' URLs the way Chatwoot does
// (POST of the JSON payload, signed with the destination's secret), with
// retries and a guard against reaching internal addresses.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/criachat/criachat/internal/criachat"
)

const (
	defaultTimeout   = 5 * time.Second
	defaultUserAgent = "CriaChat-Webhook"
	maxRedirects     = 5
	maxResponse      = 1024 // bytes of the response body kept for the delivery log
	maxErrorText     = 200
	// drainLimit is how much more of a response is read after the snippet so
	// the connection can go back to the pool; a longer body closes it instead.
	drainLimit = 4 << 10
)

// Request is one HTTP attempt of a delivery.
type Request struct {
	URL        string
	Body       []byte // the JSON payload, sent as is
	Secret     string // empty: unsigned (no X-Chatwoot-Signature / X-Chatwoot-Timestamp headers)
	DeliveryID string // X-Chatwoot-Delivery, stable across retries of one delivery
	// EventID is X-CriaChat-Event: the event's id, the same for every
	// destination and every redelivery, and the "id" of the event in the
	// events feed, so receivers can dedupe and correlate.
	EventID string
}

// Outcome classifies an attempt.
type Outcome int

// The outcomes of an attempt.
const (
	Delivered Outcome = iota // any 2xx
	Retry                    // connection error, timeout, 408, 429, 5xx
	Final                    // other status codes (3xx left after redirects, 4xx except 408/429), bad URL, refused address (SSRF)
)

// String returns the outcome's name for logs.
func (o Outcome) String() string {
	switch o {
	case Delivered:
		return "delivered"
	case Retry:
		return "retry"
	case Final:
		return "final"
	}
	return "outcome(" + strconv.Itoa(int(o)) + ")"
}

// Result is what one attempt produced, for the delivery log.
type Result struct {
	StatusCode int // 0 when there was no HTTP response
	Latency    time.Duration
	// Error is "" when delivered; otherwise a short text safe to show to the
	// account ("HTTP 503 Service Unavailable", "timeout after 5s",
	// "connection refused", "address 127.0.0.1 is not allowed (private network)").
	// It never contains the URL, which may carry a token.
	Error string
	// Response is the start of the response body, at most 1024 bytes of valid
	// UTF-8 without NUL (invalid bytes and NUL become U+FFFD), so it can be
	// stored in a text column as is.
	Response   string
	Outcome    Outcome
	RetryAfter time.Duration // parsed Retry-After of a 429 or 503 (seconds or HTTP date); 0 when absent/invalid
}

// SenderOptions configure a Sender.
type SenderOptions struct {
	Timeout      time.Duration    // whole attempt including reading up to 1 KiB of body; default 5s when 0
	AllowPrivate bool             // CRIACHAT_WEBHOOK_ALLOW_PRIVATE
	UserAgent    string           // e.g. "CriaChat-Webhook/1.2.3 (+https://github.com/criachat/criachat)"
	Now          func() time.Time // for X-Chatwoot-Timestamp; default time.Now
}

// Sender makes webhook attempts over one shared pool of keep-alive
// connections. It is safe for concurrent use.
type Sender struct {
	client    *http.Client
	transport *http.Transport
	timeout   time.Duration
	userAgent string
	now       func() time.Time
}

// NewSender returns a Sender. Unless o.AllowPrivate is set it refuses to
// connect to internal addresses (see refusedAddr).
func NewSender(o SenderOptions) *Sender {
	var refuse func(netip.AddrPort) bool
	if !o.AllowPrivate {
		refuse = func(ap netip.AddrPort) bool { return refusedAddr(ap.Addr()) }
	}
	return newSender(o, refuse)
}

// newSender builds a Sender whose dials are refused when refuse says so (nil:
// none are); tests use it to refuse one local server and not another.
func newSender(o SenderOptions, refuse func(netip.AddrPort) bool) *Sender {
	// No dial or TLS timeouts of their own: the attempt's context bounds the
	// whole exchange, so a timeout always means Timeout.
	dialer := &net.Dialer{KeepAlive: 30 * time.Second}
	if refuse != nil {
		dialer.Control = dialControl(refuse)
	}
	transport := &http.Transport{
		Proxy:             nil, // a proxy would make the connection for us, out of reach of the address check
		DialContext:       dialer.DialContext,
		ForceAttemptHTTP2: true,
		// Deliveries go to few hosts at a high rate; keep enough connections
		// open per host to reach 1,000+ attempts a second without re-dialing.
		MaxIdleConns:           1024,
		MaxIdleConnsPerHost:    64,
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
	s := &Sender{
		transport: transport,
		timeout:   o.Timeout,
		userAgent: o.UserAgent,
		now:       o.Now,
	}
	if s.timeout <= 0 {
		s.timeout = defaultTimeout
	}
	if s.userAgent == "" {
		s.userAgent = defaultUserAgent
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.client = &http.Client{Transport: transport, CheckRedirect: checkRedirect}
	return s
}

// checkRedirect follows at most maxRedirects redirects, and only to http or
// https. Otherwise the redirect response itself is the answer, which Send
// classifies as Final.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > maxRedirects || (req.URL.Scheme != "http" && req.URL.Scheme != "https") {
		return http.ErrUseLastResponse
	}
	return nil
}

// Close closes the idle connections of the Sender's pool.
func (s *Sender) Close() {
	s.transport.CloseIdleConnections()
}

// Send makes one attempt to deliver r and classifies what happened. A
// cancelled ctx gives Retry: the delivery was not refused, only interrupted.
func (s *Sender) Send(ctx context.Context, r Request) Result {
	start := time.Now()
	res := s.attempt(ctx, r)
	res.Latency = time.Since(start)
	return res
}

func (s *Sender) attempt(ctx context.Context, r Request) Result {
	if !validURL(r.URL) {
		return Result{Outcome: Final, Error: "invalid URL"}
	}
	actx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return Result{Outcome: Final, Error: "invalid URL"}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", s.userAgent)
	if r.DeliveryID != "" {
		req.Header.Set("X-Chatwoot-Delivery", r.DeliveryID)
	}
	if r.EventID != "" {
		req.Header.Set("X-CriaChat-Event", r.EventID)
	}
	if r.Secret != "" {
		ts := s.now().Unix()
		req.Header.Set("X-Chatwoot-Timestamp", strconv.FormatInt(ts, 10))
		req.Header.Set("X-Chatwoot-Signature", Sign(r.Secret, ts, r.Body))
	}

	resp, err := s.client.Do(req)
	if err != nil {
		return s.failure(ctx, actx, err)
	}
	defer func() {
		_, _ = io.CopyN(io.Discard, resp.Body, drainLimit)
		_ = resp.Body.Close()
	}()
	// A failed body read only shortens the snippet: the status has arrived,
	// and a 2xx whose body stalls was still accepted by the receiver.
	buf := make([]byte, maxResponse)
	n, _ := io.ReadFull(resp.Body, buf)
	res := Result{StatusCode: resp.StatusCode, Response: validText(buf[:n], maxResponse), Outcome: classify(resp.StatusCode)}
	if res.Outcome != Delivered {
		res.Error = strings.TrimSpace("HTTP " + strconv.Itoa(resp.StatusCode) + " " + http.StatusText(resp.StatusCode))
	}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		res.RetryAfter, _ = ParseRetryAfter(resp.Header.Get("Retry-After"), s.now())
	}
	return res
}

// classify maps a final HTTP status to an outcome. 408 and 429 say "not now",
// 5xx are the receiver's trouble; other codes will not change by retrying.
func classify(code int) Outcome {
	switch {
	case code >= 200 && code <= 299:
		return Delivered
	case code == http.StatusRequestTimeout, code == http.StatusTooManyRequests, code >= 500 && code <= 599:
		return Retry
	}
	return Final
}

// failure classifies an attempt that got no HTTP response. parent is the
// caller's context, attempt the one bounded by the timeout.
func (s *Sender) failure(parent, attempt context.Context, err error) Result {
	var refused *refusedError
	var netErr net.Error
	switch {
	case errors.As(err, &refused):
		return Result{Outcome: Final, Error: refused.Error()}
	case parent.Err() != nil:
		return Result{Outcome: Retry, Error: "aborted: " + parent.Err().Error()}
	case attempt.Err() != nil, errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return Result{Outcome: Retry, Error: "timeout after " + s.timeout.String()}
	}
	return Result{Outcome: Retry, Error: connError(err)}
}

// connError describes a connection failure in a few words. The error of
// http.Client quotes the URL, which may carry a token, so it is never used
// whole.
func connError(err error) string {
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var urlErr *url.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset by peer"
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return validText([]byte("host "+dnsErr.Name+" not found"), maxErrorText)
	case errors.As(err, &dnsErr):
		return validText([]byte("DNS lookup of "+dnsErr.Name+" failed"), maxErrorText)
	case errors.As(err, &certErr):
		return validText([]byte("TLS certificate not accepted: "+certErr.Err.Error()), maxErrorText)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed before a response"
	case errors.As(err, &urlErr):
		err = urlErr.Err
	}
	return validText([]byte("connection error: "+err.Error()), maxErrorText)
}

// validText returns b as valid UTF-8 of at most limit bytes: invalid bytes and
// NUL (which PostgreSQL text refuses) become U+FFFD, and a rune cut off by the
// limit or at the end of b is dropped rather than split.
func validText(b []byte, limit int) string {
	var sb strings.Builder
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 1 && !utf8.FullRune(b) {
			break
		}
		if r == 0 {
			r = utf8.RuneError
		}
		if sb.Len()+utf8.RuneLen(r) > limit {
			break
		}
		sb.WriteRune(r)
		b = b[size:]
	}
	return sb.String()
}

// Sign returns "sha256=" + hex(HMAC-SHA256(secret, "<ts>.<body>")), Chatwoot's
// X-Chatwoot-Signature for a body sent at Unix time ts.
func Sign(secret string, ts int64, body []byte) string {
	return "sha256=" + hex.EncodeToString(mac(secret, ts, body))
}

// Verify checks a signature header against secret, ts and body in constant
// time. A receiver should also reject a timestamp far from its own clock, so a
// captured request cannot be replayed later.
func Verify(secret, signature string, ts int64, body []byte) bool {
	hexSum, ok := strings.CutPrefix(signature, "sha256=")
	if !ok {
		return false
	}
	sum, err := hex.DecodeString(hexSum)
	if err != nil {
		return false
	}
	return hmac.Equal(sum, mac(secret, ts, body))
}

func mac(secret string, ts int64, body []byte) []byte {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write(strconv.AppendInt(nil, ts, 10))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// CheckURL validates a destination URL when it is saved: it must be absolute
// http or https with a host. The error is Chatwoot's 422 "Url is invalid".
// Whether the host is internal is decided at connect time, not here, since a
// name can resolve differently later.
func CheckURL(raw string) error {
	if !validURL(raw) {
		return criachat.Invalid("Url is invalid", "url")
	}
	return nil
}

func validURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Hostname() != ""
}
