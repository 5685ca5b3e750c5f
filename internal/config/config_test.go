package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/criachat/criachat/internal/store"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaultsAndGeneratedKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	c, err := Load(env(map[string]string{"CRIACHAT_DATA_DIR": dir}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":3000" || c.DatabaseURL != "sqlite://"+filepath.Join(dir, "criachat.db") || c.LogFormat != "text" {
		t.Fatalf("defaults wrong: %+v", c)
	}
	if !c.SecretKeyGenerated || len(c.SecretKey) < 32 {
		t.Fatalf("key not generated: %+v", c)
	}
	if fi, err := os.Stat(c.SecretKeyFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	again, err := Load(env(map[string]string{"CRIACHAT_DATA_DIR": dir}))
	if err != nil || again.SecretKeyGenerated || again.SecretKey != c.SecretKey {
		t.Fatalf("second load did not reuse the key: %+v %v", again, err)
	}
}

func TestInvalidValues(t *testing.T) {
	dir := t.TempDir()
	for name, m := range map[string]map[string]string{
		"CRIACHAT_DATABASE_URL":           {"CRIACHAT_DATABASE_URL": "mysql://x"},
		"CRIACHAT_LOG_FORMAT":             {"CRIACHAT_LOG_FORMAT": "xml"},
		"CRIACHAT_LOG_LEVEL":              {"CRIACHAT_LOG_LEVEL": "loud"},
		"CRIACHAT_SECRET_KEY":             {"CRIACHAT_SECRET_KEY": "short"},
		"CRIACHAT_MAX_BODY_BYTES":         {"CRIACHAT_MAX_BODY_BYTES": "ten"},
		"CRIACHAT_SHUTDOWN_TIMEOUT":       {"CRIACHAT_SHUTDOWN_TIMEOUT": "-1s"},
		"CRIACHAT_MESSAGES_PER_MINUTE":    {"CRIACHAT_MESSAGES_PER_MINUTE": "0"},
		"CRIACHAT_WEBHOOK_TIMEOUT":        {"CRIACHAT_WEBHOOK_TIMEOUT": "soon"},
		"CRIACHAT_WEBHOOK_RETRY_FOR":      {"CRIACHAT_WEBHOOK_RETRY_FOR": "0s"},
		"CRIACHAT_WEBHOOK_CONCURRENCY":    {"CRIACHAT_WEBHOOK_CONCURRENCY": "0"},
		"CRIACHAT_WEBHOOK_ALLOW_PRIVATE":  {"CRIACHAT_WEBHOOK_ALLOW_PRIVATE": "maybe"},
		"CRIACHAT_EVENT_RETENTION":        {"CRIACHAT_EVENT_RETENTION": "1h"}, // shorter than the retry period
		"CRIACHAT_RATE_LIMIT":             {"CRIACHAT_RATE_LIMIT": "-1"},
		"CRIACHAT_AUTH_CACHE_TTL":         {"CRIACHAT_AUTH_CACHE_TTL": "2m"},
		"CRIACHAT_RATE_LIMIT_ALLOWED_IPS": {"CRIACHAT_RATE_LIMIT_ALLOWED_IPS": "10.0.0.0/8, nope"},
	} {
		m["CRIACHAT_DATA_DIR"] = dir
		_, err := Load(env(m))
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: err = %v, want one naming the variable", name, err)
		}
	}
}

// TestAuthCacheTTL: the default is the store's, and 0 is allowed (no cache).
func TestAuthCacheTTL(t *testing.T) {
	dir := t.TempDir()
	c, err := Load(env(map[string]string{"CRIACHAT_DATA_DIR": dir}))
	if err != nil || c.AuthCacheTTL != store.DefaultAuthCacheTTL {
		t.Fatalf("default = %v, %v; want %v", c.AuthCacheTTL, err, store.DefaultAuthCacheTTL)
	}
	c, err = Load(env(map[string]string{"CRIACHAT_DATA_DIR": dir, "CRIACHAT_AUTH_CACHE_TTL": "0"}))
	if err != nil || c.AuthCacheTTL != 0 {
		t.Fatalf("0 = %v, %v", c.AuthCacheTTL, err)
	}
}

func TestRateLimitAndWebhookSettings(t *testing.T) {
	c, err := Load(env(map[string]string{"CRIACHAT_DATA_DIR": t.TempDir(), "CRIACHAT_RATE_LIMIT": "0",
		"CRIACHAT_RATE_LIMIT_ALLOWED_IPS": "10.0.0.0/8, 203.0.113.7", "CRIACHAT_WEBHOOK_ALLOW_PRIVATE": "true",
		"CRIACHAT_WEBHOOK_TIMEOUT": "2s", "CRIACHAT_EVENT_RETENTION": "48h"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.RateLimit != 0 || len(c.RateLimitAllowed) != 2 || c.RateLimitAllowed[1].String() != "203.0.113.7/32" ||
		!c.WebhookAllowPrivate || c.WebhookTimeout != 2*time.Second || c.EventRetention != 48*time.Hour {
		t.Fatalf("config = %+v", c)
	}
}
