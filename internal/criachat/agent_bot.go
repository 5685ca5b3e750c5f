package criachat

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// BotTypeWebhook is the only agent bot type (Chatwoot enum bot_type: webhook 0).
const BotTypeWebhook = "webhook"

// AgentBot is an account's bot: an integration that receives the events of
// the inboxes it is connected to at its outgoing URL and acts through the
// Application API with its own access token, limited to the bot endpoints.
type AgentBot struct {
	ID          int64
	AccountID   int64
	Name        string
	Description *string
	OutgoingURL *string
	BotType     string
	BotConfig   map[string]any
	// AvatarURL is the avatar as given (Chatwoot downloads it into a blob;
	// CriaChat shows the URL itself). "" when there is none.
	AvatarURL string
	// SecretSealed is the secret that signs its webhooks, encrypted by the keeper.
	SecretSealed string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Normalize fills defaults.
func (b *AgentBot) Normalize() {
	if b.BotType == "" {
		b.BotType = BotTypeWebhook
	}
	if b.BotConfig == nil {
		b.BotConfig = map[string]any{}
	}
}

// Validate checks an agent bot before it is stored.
func (b *AgentBot) Validate() error {
	switch {
	case strings.TrimSpace(b.Name) == "":
		return Invalid("Name can't be blank", "name")
	case b.BotType != BotTypeWebhook:
		return Errorf(EINVALID, "'%s' is not a valid bot_type", b.BotType)
	}
	if b.OutgoingURL != nil && *b.OutgoingURL != "" {
		if len(*b.OutgoingURL) > MaxURLLength {
			return Invalid(fmt.Sprintf("Outgoing url is too long (maximum is %d characters)", MaxURLLength), "outgoing_url")
		}
		if !httpURL(*b.OutgoingURL) {
			return Invalid("Outgoing url is invalid", "outgoing_url")
		}
	}
	return nil
}

// httpURL reports whether s is an absolute http or https URL with a host:
// the only URLs CriaChat sends webhooks to.
func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
