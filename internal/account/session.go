package account

import (
	"context"
	"crypto/subtle"
	"sync"
	"time"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/secret"
	"github.com/criachat/criachat/internal/store"
)

// SessionLifetime is devise_token_auth's token_lifespan in Chatwoot.
const SessionLifetime = 60 * 24 * time.Hour

// ErrBadCredentials is devise_token_auth's answer to a wrong email or password.
var ErrBadCredentials = criachat.Errorf(criachat.EUNAUTHORIZED, "Invalid login credentials. Please try again.")

// dummyHash is a bcrypt hash to check against when the email is unknown.
var dummyHash = sync.OnceValue(func() string {
	h, _ := secret.HashPassword(secret.NewToken())
	return h
})

// Login is a new dashboard session: the values of the devise_token_auth headers.
type Login struct {
	User      *criachat.User
	Client    string
	Token     string
	ExpiresAt time.Time
}

// SignIn checks an email and password and opens a dashboard session.
func (s *Service) SignIn(ctx context.Context, email, password string) (*Login, error) {
	u, err := s.store.Read().UserByEmail(ctx, email)
	if criachat.IsNotFound(err) {
		// Spend the same time as a real check so response time does not reveal which emails exist.
		secret.CheckPassword(dummyHash(), password)
		return nil, ErrBadCredentials
	} else if err != nil {
		return nil, err
	}
	if !secret.CheckPassword(u.PasswordHash, password) {
		return nil, ErrBadCredentials
	}
	l := &Login{User: u, Client: secret.NewToken(), Token: secret.NewToken(), ExpiresAt: s.now().Add(SessionLifetime).Truncate(time.Second)}
	err = s.store.Tx(ctx, func(q *store.Queries) error {
		return q.CreateSession(ctx, &criachat.Session{UserID: u.ID, Client: l.Client, TokenHash: secret.HashToken(l.Token), ExpiresAt: l.ExpiresAt})
	})
	return l, err
}

// ValidateSession returns the user and session of a live login given the
// devise_token_auth headers uid (the email), client and access-token.
func (s *Service) ValidateSession(ctx context.Context, uid, client, token string) (*criachat.User, *criachat.Session, error) {
	if uid == "" || client == "" || token == "" {
		return nil, nil, criachat.Errorf(criachat.EUNAUTHENTICATED, "You need to sign in or sign up before continuing.")
	}
	q := s.store.Read()
	u, err := q.UserByEmail(ctx, uid)
	if err != nil {
		return nil, nil, sessionInvalid(err)
	}
	sess, err := q.Session(ctx, u.ID, client)
	if err != nil {
		return nil, nil, sessionInvalid(err)
	}
	if subtle.ConstantTimeCompare([]byte(sess.TokenHash), []byte(secret.HashToken(token))) != 1 || s.now().After(sess.ExpiresAt) {
		return nil, nil, sessionInvalid(nil)
	}
	return u, sess, nil
}

func sessionInvalid(err error) error {
	if err != nil && !criachat.IsNotFound(err) {
		return err
	}
	return criachat.Errorf(criachat.EUNAUTHENTICATED, "You need to sign in or sign up before continuing.")
}

// SignOut ends the session named by the devise_token_auth headers.
func (s *Service) SignOut(ctx context.Context, uid, client, token string) error {
	u, _, err := s.ValidateSession(ctx, uid, client, token)
	if err != nil {
		return criachat.Errorf(criachat.ENOTFOUND, "User was not found or was not logged in.")
	}
	return s.store.Tx(ctx, func(q *store.Queries) error { return q.DeleteSession(ctx, u.ID, client) })
}
