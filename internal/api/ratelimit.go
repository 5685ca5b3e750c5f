package api

import (
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Rate limits (reference §8.2): Chatwoot's rack-attack throttles, kept per
// process in memory with fixed windows as rack-attack counts them. A
// throttled request gets 429 with the text body "Retry later\n" (rack-attack's
// default) and a Retry-After header. Loopback addresses and the configured
// ones are never throttled, nor is /health.

// RateLimits configure the throttles; nil turns them all off.
type RateLimits struct {
	// PerIP is the limit of requests per client address per minute
	// (CRIACHAT_RATE_LIMIT, Chatwoot's RACK_ATTACK_LIMIT, default 3000).
	PerIP int
	// Allowed are addresses never throttled besides loopback
	// (CRIACHAT_RATE_LIMIT_ALLOWED_IPS).
	Allowed []netip.Prefix
}

// The fixed throttles of §8.2 that apply to routes CriaChat has.
const (
	loginPerIP, loginPerIPWindow       = 5, 5 * time.Minute
	loginPerEmail, loginPerEmailWindow = 10, 15 * time.Minute
	contactSearchPerAccount            = 100 // per minute
	conversationsMetaPerCaller         = 30  // per minute
	throttleSweepInterval              = time.Minute
)

// limiter counts requests per key in fixed windows.
type limiter struct {
	cfg       RateLimits
	now       func() time.Time
	mu        sync.Mutex
	windows   map[string]*window
	lastSweep time.Time
}

type window struct {
	end time.Time
	n   int
}

func newLimiter(cfg *RateLimits, now func() time.Time) *limiter {
	if cfg == nil {
		return nil
	}
	return &limiter{cfg: *cfg, now: now, windows: map[string]*window{}}
}

// allow counts one request under key and reports whether it is within limit
// per period, and when the window ends.
func (l *limiter) allow(key string, limit int, period time.Duration) (bool, time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) > throttleSweepInterval {
		for k, w := range l.windows {
			if !now.Before(w.end) {
				delete(l.windows, k)
			}
		}
		l.lastSweep = now
	}
	w, ok := l.windows[key]
	if !ok || !now.Before(w.end) {
		w = &window{end: now.Truncate(period).Add(period)}
		l.windows[key] = w
	}
	w.n++
	return w.n <= limit, w.end.Sub(now)
}

// exempt reports whether the client address is never throttled.
func (l *limiter) exempt(ip netip.Addr) bool {
	if !ip.IsValid() || ip.IsLoopback() {
		return true
	}
	for _, p := range l.cfg.Allowed {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// clientIP is the request's client address: the peer, or, when the peer is a
// proxy on a loopback or private address, the nearest address in
// X-Forwarded-For that is not (Rails' remote_ip with its default trusted proxies).
func clientIP(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	peer = peer.Unmap()
	trusted := func(a netip.Addr) bool { return a.IsLoopback() || a.IsPrivate() }
	if !trusted(peer) {
		return peer
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		if a = a.Unmap(); !trusted(a) {
			return a
		}
	}
	return peer
}

// throttleCheck is one limit a request counts against.
type throttleCheck struct {
	key    string
	limit  int
	period time.Duration
}

// throttle applies the per-address, sign-in, contact search and
// conversation meta throttles before routing.
func (s *Server) throttle(next http.Handler) http.Handler {
	l := s.limits
	if l == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := r.URL.Path
		ip := clientIP(r)
		if path == "/health" || l.exempt(ip) {
			next.ServeHTTP(w, r)
			return
		}
		addr := ip.String()
		var checks []throttleCheck
		if l.cfg.PerIP > 0 {
			checks = append(checks, throttleCheck{"req/ip:" + addr, l.cfg.PerIP, time.Minute})
		}
		switch {
		case r.Method == http.MethodPost && path == "/auth/sign_in":
			checks = append(checks, throttleCheck{"login/ip:" + addr, loginPerIP, loginPerIPWindow})
		case strings.HasPrefix(path, "/api/v1/accounts/") && strings.HasSuffix(path, "/contacts/search"):
			checks = append(checks, throttleCheck{"contact_search:" + accountSegment(path), contactSearchPerAccount, time.Minute})
		case r.Method == http.MethodGet && strings.HasPrefix(path, "/api/v1/accounts/") && strings.HasSuffix(path, "/conversations/meta"):
			caller := r.Header.Get("api_access_token") + "|" + r.Header.Get("uid")
			checks = append(checks, throttleCheck{"conversations_meta:" + accountSegment(path) + ":" + caller, conversationsMetaPerCaller, time.Minute})
		}
		for _, c := range checks {
			if ok, wait := l.allow(c.key, c.limit, c.period); !ok {
				retryLater(w, wait)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// allowLogin applies login/email (10 sign-ins per email per 15 minutes).
func (s *Server) allowLogin(w http.ResponseWriter, r *http.Request, email string) bool {
	l := s.limits
	if l == nil || l.exempt(clientIP(r)) {
		return true
	}
	ok, wait := l.allow("login/email:"+strings.ToLower(strings.TrimSpace(email)), loginPerEmail, loginPerEmailWindow)
	if !ok {
		retryLater(w, wait)
	}
	return ok
}

// retryLater is rack-attack's throttled response.
func retryLater(w http.ResponseWriter, wait time.Duration) {
	w.Header().Set("Content-Type", "text/plain")
	w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
	w.WriteHeader(http.StatusTooManyRequests)
	w.Write([]byte("Retry later\n"))
}

// accountSegment is the account id of an /api/v1/accounts/{id}/… path.
func accountSegment(path string) string {
	rest := strings.TrimPrefix(path, "/api/v1/accounts/")
	id, _, _ := strings.Cut(rest, "/")
	return id
}
