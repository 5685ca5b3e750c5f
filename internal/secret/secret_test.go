package secret

import (
	"strings"
	"testing"
)

func TestNewToken(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		tok := NewToken()
		if len(tok) != 24 {
			t.Fatalf("token %q has length %d, want 24", tok, len(tok))
		}
		for _, c := range tok {
			if !strings.ContainsRune(base58, c) {
				t.Fatalf("token %q has non-base58 rune %q", tok, c)
			}
		}
		if seen[tok] {
			t.Fatalf("duplicate token %q", tok)
		}
		seen[tok] = true
	}
}

func TestKeeperRoundTrip(t *testing.T) {
	k, err := NewKeeper(strings.Repeat("k", 32))
	if err != nil {
		t.Fatal(err)
	}
	c1, c2 := k.Encrypt("hello"), k.Encrypt("hello")
	if c1 == c2 {
		t.Fatal("two encryptions of the same text are equal; nonce not random")
	}
	if got, err := k.Decrypt(c1); err != nil || got != "hello" {
		t.Fatalf("Decrypt = %q, %v", got, err)
	}
	other, _ := NewKeeper(strings.Repeat("x", 32))
	if _, err := other.Decrypt(c1); err == nil {
		t.Fatal("decrypt with another key succeeded")
	}
	if _, err := k.Decrypt("!!"); err == nil {
		t.Fatal("decrypt of garbage succeeded")
	}
	if _, err := NewKeeper("short"); err == nil {
		t.Fatal("short key accepted")
	}
}

func TestPassword(t *testing.T) {
	PasswordCost = 4
	h, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !CheckPassword(h, "correct horse") || CheckPassword(h, "wrong horse") || CheckPassword("", "") {
		t.Fatal("CheckPassword gave a wrong answer")
	}
}
