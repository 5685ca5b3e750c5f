package account

import (
	"context"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/secret"
	"github.com/criachat/criachat/internal/store"
)

// CreateAgentBot inserts b with a fresh webhook signing secret and gives it
// an access token (Chatwoot's AccessTokenable), in one transaction. It
// returns the token's plaintext.
func (s *Service) CreateAgentBot(ctx context.Context, b *criachat.AgentBot) (string, error) {
	b.SecretSealed = s.keeper.Encrypt(secret.NewToken())
	var token string
	err := s.store.Tx(ctx, func(q *store.Queries) (err error) {
		if err = q.CreateAgentBot(ctx, b); err != nil {
			return err
		}
		token, err = s.issueToken(ctx, q, criachat.OwnerAgentBot, b.ID)
		return err
	})
	return token, err
}

// ResetAgentBotSecret gives one of an account's agent bots a new webhook
// signing secret.
func (s *Service) ResetAgentBotSecret(ctx context.Context, accountID, id int64) (*criachat.AgentBot, error) {
	var out *criachat.AgentBot
	err := s.store.Tx(ctx, func(q *store.Queries) error {
		b, err := q.AgentBot(ctx, accountID, id)
		if err != nil {
			return err
		}
		b.SecretSealed = s.keeper.Encrypt(secret.NewToken())
		out = b
		return q.UpdateAgentBot(ctx, b)
	})
	return out, err
}
