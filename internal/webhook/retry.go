package webhook

import (
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const (
	firstBackoff = 10 * time.Second
	maxBackoff   = time.Hour
	jitter       = 0.2 // ±20%, so receivers that fail together are not retried together
)

// Backoff is the wait before retry number n (n=1 is the first retry):
// 10s·2^(n-1), capped at 1h, then spread by ±20% with rnd, which returns a
// value in [0,1) (math/rand/v2 when nil). The jitter applies after the cap, so
// late retries stay spread over 48–72 minutes rather than piling up at 1h.
// An n below 1 counts as 1.
func Backoff(n int, rnd func() float64) time.Duration {
	d := maxBackoff
	if n < 1 {
		n = 1
	}
	// Past this shift the wait is over the cap; stopping here also keeps the
	// shift from overflowing for large n.
	if n-1 < 10 {
		d = min(firstBackoff<<(n-1), maxBackoff)
	}
	if rnd == nil {
		rnd = rand.Float64
	}
	f := min(max(rnd(), 0), 1)
	return time.Duration(float64(d) * (1 - jitter + 2*jitter*f))
}

// maxRetryAfter bounds a delta-seconds value so the conversion to a Duration
// cannot overflow; the caller caps the wait to its own limit anyway.
const maxRetryAfter = 100 * 365 * 24 * time.Hour

// ParseRetryAfter parses a Retry-After value, either delta seconds ("120") or
// an HTTP date, into a wait relative to now. A date in the past is a valid
// zero wait. It reports false for an empty or malformed value; the caller is
// expected to cap the result to its own maximum wait.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if v[0] >= '0' && v[0] <= '9' {
		secs, err := strconv.ParseUint(v, 10, 63)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return 0, false
		}
		if err != nil || secs > uint64(maxRetryAfter/time.Second) {
			return maxRetryAfter, true
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}
