package webhook

import (
	"math"
	"net/http"
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	t.Parallel()
	almostOne := math.Nextafter(1, 0)
	near := func(got, want time.Duration) bool {
		return got >= want-time.Microsecond && got <= want+time.Microsecond
	}
	for n := 1; n <= 20; n++ {
		base := time.Hour
		if n <= 10 {
			base = min(10*time.Second*time.Duration(1<<(n-1)), time.Hour)
		}
		lo, hi := base*8/10, base*12/10
		if got := Backoff(n, func() float64 { return 0 }); !near(got, lo) {
			t.Errorf("Backoff(%d, 0) = %v, want %v", n, got, lo)
		}
		if got := Backoff(n, func() float64 { return almostOne }); !near(got, hi) || got > hi {
			t.Errorf("Backoff(%d, ≈1) = %v, want just under %v", n, got, hi)
		}
		if got := Backoff(n, nil); got < lo || got > hi {
			t.Errorf("Backoff(%d, nil) = %v, want within [%v, %v]", n, got, lo, hi)
		}
	}
	if got := Backoff(1, func() float64 { return 0.5 }); !near(got, 10*time.Second) {
		t.Errorf("Backoff(1, 0.5) = %v, want 10s", got)
	}
	if got := Backoff(5, func() float64 { return 0.5 }); !near(got, 160*time.Second) {
		t.Errorf("Backoff(5, 0.5) = %v, want 160s", got)
	}
	for _, n := range []int{0, -3, math.MinInt} {
		if got := Backoff(n, func() float64 { return 0 }); !near(got, 8*time.Second) {
			t.Errorf("Backoff(%d, 0) = %v, want the first retry's 8s", n, got)
		}
	}
	if got := Backoff(math.MaxInt, func() float64 { return 0 }); !near(got, 48*time.Minute) {
		t.Errorf("Backoff(MaxInt, 0) = %v, want 48m", got)
	}
	// A random source out of its contract is clamped, not trusted.
	if got := Backoff(1, func() float64 { return 7 }); !near(got, 12*time.Second) {
		t.Errorf("Backoff(1, 7) = %v, want 12s", got)
	}
	if got := Backoff(1, func() float64 { return -1 }); !near(got, 8*time.Second) {
		t.Errorf("Backoff(1, -1) = %v, want 8s", got)
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"120", 120 * time.Second, true},
		{"0", 0, true},
		{" 5 ", 5 * time.Second, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{"Sunday, 01-Mar-26 12:10:00 GMT", 10 * time.Minute, true}, // RFC 850
		{"Sun Mar  1 13:00:00 2026", time.Hour, true},              // ANSI C asctime
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},     // past: retry now
		{"99999999999999999999999", maxRetryAfter, true},
		{"9999999999999", maxRetryAfter, true},
		{"", 0, false},
		{"   ", 0, false},
		{"-1", 0, false},
		{"+5", 0, false},
		{"1.5", 0, false},
		{"12abc", 0, false},
		{"soon", 0, false},
		{"2026-03-01T12:01:00Z", 0, false},
	}
	for _, tc := range tests {
		got, ok := ParseRetryAfter(tc.in, now)
		if got != tc.want || ok != tc.wantOK {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.wantOK)
		}
	}
}
