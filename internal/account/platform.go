package account

import (
	"context"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/store"
)

// CreatePlatformApp creates a platform app and its access token, returning the token's plaintext.
func (s *Service) CreatePlatformApp(ctx context.Context, name string) (*criachat.PlatformApp, string, error) {
	app := &criachat.PlatformApp{Name: name}
	var token string
	err := s.store.Tx(ctx, func(q *store.Queries) (err error) {
		if err = q.CreatePlatformApp(ctx, app); err != nil {
			return err
		}
		token, err = s.issueToken(ctx, q, criachat.OwnerPlatformApp, app.ID)
		return err
	})
	return app, token, err
}
