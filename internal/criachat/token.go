package criachat

import "time"

// Token owner types, as Chatwoot names the polymorphic owner of an access token.
const (
	OwnerUser        = "User"
	OwnerAgentBot    = "AgentBot"
	OwnerPlatformApp = "PlatformApp"
)

// AccessToken is an API token. Only its hash (for lookup) and an encrypted copy
// (Chatwoot shows the token in the profile) are stored, never the plaintext.
type AccessToken struct {
	ID        int64
	OwnerType string
	OwnerID   int64
	Hash      string
	Encrypted string
	CreatedAt time.Time
}

// Session is a dashboard login (devise_token_auth): one per user and client.
type Session struct {
	ID        int64
	UserID    int64
	Client    string
	TokenHash string
	ExpiresAt time.Time
	CreatedAt time.Time
}

// PlatformApp is a hosting provider's credential for the Platform API. It may
// only touch the accounts and users it created (its permissibles).
type PlatformApp struct {
	ID        int64
	Name      string
	CreatedAt time.Time
}
