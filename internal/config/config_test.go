package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
		"CRIACHAT_DATABASE_URL":        {"CRIACHAT_DATABASE_URL": "mysql://x"},
		"CRIACHAT_LOG_FORMAT":          {"CRIACHAT_LOG_FORMAT": "xml"},
		"CRIACHAT_LOG_LEVEL":           {"CRIACHAT_LOG_LEVEL": "loud"},
		"CRIACHAT_SECRET_KEY":          {"CRIACHAT_SECRET_KEY": "short"},
		"CRIACHAT_MAX_BODY_BYTES":      {"CRIACHAT_MAX_BODY_BYTES": "ten"},
		"CRIACHAT_SHUTDOWN_TIMEOUT":    {"CRIACHAT_SHUTDOWN_TIMEOUT": "-1s"},
		"CRIACHAT_MESSAGES_PER_MINUTE": {"CRIACHAT_MESSAGES_PER_MINUTE": "0"},
	} {
		m["CRIACHAT_DATA_DIR"] = dir
		_, err := Load(env(m))
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: err = %v, want one naming the variable", name, err)
		}
	}
}
