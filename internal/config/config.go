// Package config loads CriaChat's settings from environment variables, once,
// at start-up. Every variable is documented in README.md.
package config

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is the whole configuration of a CriaChat process.
type Config struct {
	DatabaseURL     string        // CRIACHAT_DATABASE_URL
	DataDir         string        // CRIACHAT_DATA_DIR
	Addr            string        // CRIACHAT_ADDR
	SecretKey       string        // CRIACHAT_SECRET_KEY (or generated into the data dir)
	LogFormat       string        // CRIACHAT_LOG_FORMAT: text | json
	LogLevel        slog.Level    // CRIACHAT_LOG_LEVEL: debug | info | warn | error
	MaxBodyBytes    int64         // CRIACHAT_MAX_BODY_BYTES
	ShutdownTimeout time.Duration // CRIACHAT_SHUTDOWN_TIMEOUT
	PprofAddr       string        // CRIACHAT_PPROF_ADDR: serve net/http/pprof there (off when empty)
	// MessagesPerMinute caps messages per conversation per minute (CRIACHAT_MESSAGES_PER_MINUTE).
	MessagesPerMinute int
	// AuthCacheTTL is how long a token's member row is reused
	// (CRIACHAT_AUTH_CACHE_TTL; 0 reads it on every request).
	AuthCacheTTL time.Duration

	// Webhooks (issue 4).
	WebhookTimeout          time.Duration // CRIACHAT_WEBHOOK_TIMEOUT: one attempt (default 5s)
	WebhookRetryFor         time.Duration // CRIACHAT_WEBHOOK_RETRY_FOR: keep retrying a delivery this long (default 24h)
	WebhookAllowPrivate     bool          // CRIACHAT_WEBHOOK_ALLOW_PRIVATE: allow loopback/private/link-local destinations
	WebhookConcurrency      int           // CRIACHAT_WEBHOOK_CONCURRENCY: attempts in flight per process (default 32)
	WebhookCircuitThreshold int           // CRIACHAT_WEBHOOK_CIRCUIT_THRESHOLD: consecutive failures that pause a URL (default 10)
	WebhookProbeInterval    time.Duration // CRIACHAT_WEBHOOK_PROBE_INTERVAL: how often a paused URL is probed (default 1m)
	EventRetention          time.Duration // CRIACHAT_EVENT_RETENTION: events, deliveries and attempts kept this long (default 168h)

	// RateLimit is requests per client address per minute (CRIACHAT_RATE_LIMIT,
	// default 3000); 0 turns every throttle off.
	RateLimit int
	// RateLimitAllowed are addresses never throttled besides loopback
	// (CRIACHAT_RATE_LIMIT_ALLOWED_IPS: comma-separated addresses or CIDR prefixes).
	RateLimitAllowed []netip.Prefix

	// SecretKeyGenerated is true when the key was created by this start.
	SecretKeyGenerated bool
	// SecretKeyFile is where a generated key is kept.
	SecretKeyFile string
}

// Load reads the configuration from getenv (os.Getenv in production) and
// validates it. It creates the data directory and, when no secret key is
// configured, generates one into it the first time and reuses it afterwards.
func Load(getenv func(string) string) (Config, error) {
	c := Config{
		DataDir:           or(getenv("CRIACHAT_DATA_DIR"), "./data"),
		Addr:              or(getenv("CRIACHAT_ADDR"), ":3000"),
		LogFormat:         or(getenv("CRIACHAT_LOG_FORMAT"), "text"),
		PprofAddr:         getenv("CRIACHAT_PPROF_ADDR"),
		MaxBodyBytes:      40 << 20,
		MessagesPerMinute: 200,
		ShutdownTimeout:   30 * time.Second,
		AuthCacheTTL:      5 * time.Second, // store.DefaultAuthCacheTTL

		WebhookTimeout:          5 * time.Second,
		WebhookRetryFor:         24 * time.Hour,
		WebhookConcurrency:      32,
		WebhookCircuitThreshold: 10,
		WebhookProbeInterval:    time.Minute,
		EventRetention:          7 * 24 * time.Hour,
		RateLimit:               3000,
	}
	var errs []error
	if err := os.MkdirAll(c.DataDir, 0o755); err != nil {
		errs = append(errs, fmt.Errorf("CRIACHAT_DATA_DIR: cannot create %s: %w", c.DataDir, err))
	}
	c.DatabaseURL = or(getenv("CRIACHAT_DATABASE_URL"), "sqlite://"+filepath.Join(c.DataDir, "criachat.db"))
	if !strings.HasPrefix(c.DatabaseURL, "sqlite://") && !strings.HasPrefix(c.DatabaseURL, "postgres://") &&
		!strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		errs = append(errs, fmt.Errorf("CRIACHAT_DATABASE_URL: want sqlite://PATH or postgres://…, got %q", c.DatabaseURL))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("CRIACHAT_LOG_FORMAT: want text or json, got %q", c.LogFormat))
	}
	if v := getenv("CRIACHAT_LOG_LEVEL"); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			errs = append(errs, fmt.Errorf("CRIACHAT_LOG_LEVEL: want debug, info, warn or error, got %q", v))
		}
	}
	if v := getenv("CRIACHAT_MAX_BODY_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1024 {
			errs = append(errs, fmt.Errorf("CRIACHAT_MAX_BODY_BYTES: want a byte count of at least 1024, got %q", v))
		}
		c.MaxBodyBytes = n
	}
	durations := []struct {
		name string
		dst  *time.Duration
	}{
		{"CRIACHAT_SHUTDOWN_TIMEOUT", &c.ShutdownTimeout}, {"CRIACHAT_WEBHOOK_TIMEOUT", &c.WebhookTimeout},
		{"CRIACHAT_WEBHOOK_RETRY_FOR", &c.WebhookRetryFor}, {"CRIACHAT_WEBHOOK_PROBE_INTERVAL", &c.WebhookProbeInterval},
		{"CRIACHAT_EVENT_RETENTION", &c.EventRetention},
	}
	for _, d := range durations {
		if v := getenv(d.name); v != "" {
			n, err := time.ParseDuration(v)
			if err != nil || n <= 0 {
				errs = append(errs, fmt.Errorf("%s: want a positive duration such as 30s or 24h, got %q", d.name, v))
			}
			*d.dst = n
		}
	}
	counts := []struct {
		name string
		dst  *int
	}{
		{"CRIACHAT_MESSAGES_PER_MINUTE", &c.MessagesPerMinute}, {"CRIACHAT_WEBHOOK_CONCURRENCY", &c.WebhookConcurrency},
		{"CRIACHAT_WEBHOOK_CIRCUIT_THRESHOLD", &c.WebhookCircuitThreshold},
	}
	for _, n := range counts {
		if v := getenv(n.name); v != "" {
			i, err := strconv.Atoi(v)
			if err != nil || i < 1 {
				errs = append(errs, fmt.Errorf("%s: want a positive number, got %q", n.name, v))
			}
			*n.dst = i
		}
	}
	if v := getenv("CRIACHAT_AUTH_CACHE_TTL"); v != "" {
		n, err := time.ParseDuration(v)
		if err != nil || n < 0 || n > time.Minute {
			errs = append(errs, fmt.Errorf("CRIACHAT_AUTH_CACHE_TTL: want a duration from 0s to 1m, got %q", v))
		}
		c.AuthCacheTTL = n
	}
	if v := getenv("CRIACHAT_RATE_LIMIT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			errs = append(errs, fmt.Errorf("CRIACHAT_RATE_LIMIT: want requests per minute (0 turns throttling off), got %q", v))
		}
		c.RateLimit = n
	}
	for _, v := range strings.Split(getenv("CRIACHAT_RATE_LIMIT_ALLOWED_IPS"), ",") {
		if v = strings.TrimSpace(v); v == "" {
			continue
		}
		p, err := netip.ParsePrefix(v)
		if err != nil {
			a, aerr := netip.ParseAddr(v)
			if aerr != nil {
				errs = append(errs, fmt.Errorf("CRIACHAT_RATE_LIMIT_ALLOWED_IPS: %q is not an address or CIDR prefix", v))
				continue
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		c.RateLimitAllowed = append(c.RateLimitAllowed, p)
	}
	if v := getenv("CRIACHAT_WEBHOOK_ALLOW_PRIVATE"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("CRIACHAT_WEBHOOK_ALLOW_PRIVATE: want true or false, got %q", v))
		}
		c.WebhookAllowPrivate = b
	}
	if c.EventRetention < c.WebhookRetryFor {
		errs = append(errs, fmt.Errorf("CRIACHAT_EVENT_RETENTION (%s) must be at least CRIACHAT_WEBHOOK_RETRY_FOR (%s)", c.EventRetention, c.WebhookRetryFor))
	}
	if len(errs) > 0 {
		return c, errors.Join(errs...)
	}
	c.SecretKeyFile = filepath.Join(c.DataDir, "secret_key")
	c.SecretKey = getenv("CRIACHAT_SECRET_KEY")
	if c.SecretKey != "" {
		if len(c.SecretKey) < 32 {
			return c, errors.New("CRIACHAT_SECRET_KEY: must be at least 32 characters")
		}
		return c, nil
	}
	key, generated, err := loadOrCreateKey(c.SecretKeyFile)
	if err != nil {
		return c, fmt.Errorf("CRIACHAT_SECRET_KEY unset and %w", err)
	}
	c.SecretKey, c.SecretKeyGenerated = key, generated
	return c, nil
}

func loadOrCreateKey(path string) (string, bool, error) {
	if b, err := os.ReadFile(path); err == nil {
		key := strings.TrimSpace(string(b))
		if len(key) < 32 {
			return "", false, fmt.Errorf("key file %s holds fewer than 32 characters", path)
		}
		return key, false, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", false, fmt.Errorf("cannot read key file: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", false, err
	}
	key := hex.EncodeToString(raw)
	// O_EXCL: if two processes start together, one writes and the other reads.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return loadOrCreateKey(path)
	} else if err != nil {
		return "", false, fmt.Errorf("cannot write key file: %w", err)
	}
	defer f.Close()
	if _, err := f.WriteString(key + "\n"); err != nil {
		return "", false, fmt.Errorf("cannot write key file: %w", err)
	}
	return key, true, f.Sync()
}

// Logger builds the process logger from the format and level.
func (c Config) Logger(w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
