// Package account provisions and authenticates: accounts, users and their
// memberships, access tokens, dashboard sessions and platform apps. It holds
// the rules that span several store calls (a user always has a token, a new
// account always has an administrator) so that the CLI, the Application API
// and the Platform API share them.
package account

import (
	"context"
	"time"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/secret"
	"github.com/criachat/criachat/internal/store"
)

// Service is the account service.
type Service struct {
	store  *store.Store
	keeper *secret.Keeper
	now    func() time.Time
}

// NewService returns a service over st whose secrets are kept by k.
func NewService(st *store.Store, k *secret.Keeper) *Service {
	return &Service{store: st, keeper: k, now: time.Now}
}

// Store returns the underlying store.
func (s *Service) Store() *store.Store { return s.store }

// SetupParams are the inputs of Setup.
type SetupParams struct {
	AccountName string
	Name        string
	Email       string
	Password    string
}

// SetupResult is what Setup created.
type SetupResult struct {
	Account     *criachat.Account
	User        *criachat.User
	AccessToken string
}

// Setup creates an account, an administrator in it and the administrator's
// access token, in one transaction. It refuses an email that already exists.
func (s *Service) Setup(ctx context.Context, p SetupParams) (SetupResult, error) {
	if err := criachat.ValidatePassword(p.Password); err != nil {
		return SetupResult{}, err
	}
	hash, err := secret.HashPassword(p.Password)
	if err != nil {
		return SetupResult{}, err
	}
	var res SetupResult
	err = s.store.Tx(ctx, func(q *store.Queries) error {
		res.Account = &criachat.Account{Name: p.AccountName}
		if err := q.CreateAccount(ctx, res.Account); err != nil {
			return err
		}
		now := s.now()
		res.User = &criachat.User{Name: p.Name, Email: p.Email, PasswordHash: hash, ConfirmedAt: &now}
		if res.AccessToken, err = s.createUser(ctx, q, res.User); err != nil {
			return err
		}
		return q.CreateAccountUser(ctx, &criachat.AccountUser{
			AccountID: res.Account.ID, UserID: res.User.ID, Role: criachat.RoleAdministrator, AutoOffline: true, ActiveAt: &now,
		})
	})
	return res, err
}

// createUser inserts u with a fresh pubsub token and gives it an access token,
// returning the token's plaintext.
func (s *Service) createUser(ctx context.Context, q *store.Queries, u *criachat.User) (string, error) {
	u.PubsubToken = secret.NewToken()
	if err := q.CreateUser(ctx, u); err != nil {
		return "", err
	}
	return s.issueToken(ctx, q, criachat.OwnerUser, u.ID)
}

// issueToken gives an owner a new access token, replacing the old one.
func (s *Service) issueToken(ctx context.Context, q *store.Queries, ownerType string, ownerID int64) (string, error) {
	plain := secret.NewToken()
	err := q.SetAccessToken(ctx, &criachat.AccessToken{
		OwnerType: ownerType, OwnerID: ownerID, Hash: secret.HashToken(plain), Encrypted: s.keeper.Encrypt(plain),
	})
	return plain, err
}

// ResolveToken returns the access token whose plaintext is token.
func (s *Service) ResolveToken(ctx context.Context, token string) (*criachat.AccessToken, error) {
	if token == "" {
		return nil, criachat.Errorf(criachat.ENOTFOUND, "access token not found")
	}
	return s.store.Read().AccessTokenByHash(ctx, secret.HashToken(token))
}

// TokenOwner is who an Application API access token belongs to: a user or
// an agent bot, with the token.
type TokenOwner struct {
	Token *criachat.AccessToken
	User  *criachat.User
	Bot   *criachat.AgentBot
}

// ResolveAPIToken returns the owner of the access token whose plaintext is
// token: a user, or an agent bot (whose token works only on the bot
// endpoints, reference §2.1). A token of another owner type (a platform app)
// is EUNAUTHORIZED with Chatwoot's message for bots; an unknown token is
// ENOTFOUND. Users, the hot path, take one query.
func (s *Service) ResolveAPIToken(ctx context.Context, token string) (TokenOwner, error) {
	hash := secret.HashToken(token)
	q := s.store.Read()
	t, u, err := q.UserByTokenHash(ctx, hash)
	if !criachat.IsNotFound(err) {
		return TokenOwner{Token: t, User: u}, err
	}
	t, b, err := q.AgentBotByTokenHash(ctx, hash)
	if !criachat.IsNotFound(err) {
		return TokenOwner{Token: t, Bot: b}, err
	}
	if other, err := q.AccessTokenByHash(ctx, hash); err == nil && other.OwnerType != criachat.OwnerUser && other.OwnerType != criachat.OwnerAgentBot {
		return TokenOwner{}, criachat.Errorf(criachat.EUNAUTHORIZED, "Access to this endpoint is not authorized for bots")
	}
	return TokenOwner{}, criachat.Errorf(criachat.ENOTFOUND, "access token not found")
}

// ResolveMemberToken is ResolveAPIToken for a user who is a member of
// accountID, with that membership, in one query. ok is false (and err nil)
// in every other case, which ResolveAPIToken then sorts out.
func (s *Service) ResolveMemberToken(ctx context.Context, token string, accountID int64) (o TokenOwner, m *criachat.AccountUser, ok bool, err error) {
	t, u, m, err := s.store.MemberByTokenHash(ctx, secret.HashToken(token), accountID)
	if criachat.IsNotFound(err) {
		return TokenOwner{}, nil, false, nil
	} else if err != nil {
		return TokenOwner{}, nil, false, err
	}
	return TokenOwner{Token: t, User: u}, m, true, nil
}

// Plaintext decrypts a stored token.
func (s *Service) Plaintext(t *criachat.AccessToken) (string, error) {
	return s.keeper.Decrypt(t.Encrypted)
}

// TokenOf returns the plaintext of an owner's token (decrypted from its stored copy).
func (s *Service) TokenOf(ctx context.Context, ownerType string, ownerID int64) (string, error) {
	t, err := s.store.Read().AccessTokenOf(ctx, ownerType, ownerID)
	if err != nil {
		return "", err
	}
	return s.keeper.Decrypt(t.Encrypted)
}

// ResetToken rotates an owner's access token and returns the new plaintext.
func (s *Service) ResetToken(ctx context.Context, ownerType string, ownerID int64) (string, error) {
	var plain string
	err := s.store.Tx(ctx, func(q *store.Queries) (err error) {
		plain, err = s.issueToken(ctx, q, ownerType, ownerID)
		return err
	})
	return plain, err
}
