// Package secret generates tokens and keeps secrets: token hashes for lookup,
// authenticated encryption for values that must be shown again, and password
// hashes. Keys derive from the installation's CRIACHAT_SECRET_KEY.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"

	"golang.org/x/crypto/bcrypt"
)

// base58 is the alphabet of Rails' has_secure_token.
const base58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// NewToken returns a random 24-character base58 token, the shape of Chatwoot's
// has_secure_token values (access tokens, pubsub tokens, inbox identifiers).
func NewToken() string {
	const n = 24
	b := make([]byte, n)
	out := make([]byte, n)
	for i := 0; i < n; {
		if _, err := rand.Read(b); err != nil {
			panic(err) // crypto/rand never fails on supported platforms
		}
		for _, c := range b {
			if c >= 58*4 { // reject to keep the distribution uniform
				continue
			}
			out[i] = base58[c%58]
			i++
			if i == n {
				break
			}
		}
	}
	return string(out)
}

// NewUUID returns a random (version 4) UUID, Ruby's SecureRandom.uuid.
func NewUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// HashToken returns the lookup hash of a high-entropy token. Tokens are random,
// so a plain SHA-256 is enough and it does not depend on the secret key (which
// lets an operator rotate the key without invalidating every token).
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Keeper holds the keys derived from the installation secret.
type Keeper struct {
	aead    cipher.AEAD
	signKey []byte
}

// NewKeeper derives the encryption and signing keys from the secret key.
func NewKeeper(secretKey string) (*Keeper, error) {
	if len(secretKey) < 32 {
		return nil, errors.New("secret key must be at least 32 characters")
	}
	encKey := derive(secretKey, "criachat encryption v1")
	block, err := aes.NewCipher(encKey)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Keeper{aead: aead, signKey: derive(secretKey, "criachat signing v1")}, nil
}

func derive(secretKey, purpose string) []byte {
	m := hmac.New(sha256.New, []byte(secretKey))
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// Encrypt seals plaintext with AES-256-GCM and returns base64 text.
func (k *Keeper) Encrypt(plaintext string) string {
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err)
	}
	sealed := k.aead.Seal(nonce, nonce, []byte(plaintext), nil)
	return base64.RawStdEncoding.EncodeToString(sealed)
}

// Decrypt opens a value sealed by Encrypt with the same secret key.
func (k *Keeper) Decrypt(ciphertext string) (string, error) {
	raw, err := base64.RawStdEncoding.DecodeString(ciphertext)
	if err != nil {
		return "", fmt.Errorf("decrypt: %w", err)
	}
	ns := k.aead.NonceSize()
	if len(raw) < ns {
		return "", errors.New("decrypt: ciphertext too short")
	}
	plain, err := k.aead.Open(nil, raw[:ns], raw[ns:], nil)
	if err != nil {
		return "", fmt.Errorf("decrypt: %w", err)
	}
	return string(plain), nil
}

// Sign returns the hex HMAC-SHA256 of msg under the installation's signing key.
func (k *Keeper) Sign(msg string) string {
	m := hmac.New(sha256.New, k.signKey)
	m.Write([]byte(msg))
	return hex.EncodeToString(m.Sum(nil))
}

// PasswordCost is the bcrypt cost used for new password hashes.
var PasswordCost = bcrypt.DefaultCost

// HashPassword returns a bcrypt hash of pw.
func HashPassword(pw string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), PasswordCost)
	return string(h), err
}

// CheckPassword reports whether pw matches the bcrypt hash.
func CheckPassword(hash, pw string) bool {
	return hash != "" && bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
}
