package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/criachat/criachat/internal/criachat"
)

// principal is who is calling: a user (by access token or dashboard session)
// or a platform app. For account routes, member is the user's membership of
// the account in the path.
type principal struct {
	user   *criachat.User
	token  *criachat.AccessToken // the user's token, when the request used it
	member *criachat.AccountUser
	app    *criachat.PlatformApp
}

type principalKey struct{}

func withPrincipal(r *http.Request, p *principal) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), principalKey{}, p))
}

// caller returns the principal set by the auth wrappers. Handlers behind them
// can rely on it being there.
func caller(r *http.Request) *principal {
	p, _ := r.Context().Value(principalKey{}).(*principal)
	return p
}

// Messages Chatwoot uses for authentication failures (reference §2.1, §2.3).
const (
	msgInvalidToken     = "Invalid Access Token"
	msgBotsNotAllowed   = "Access to this endpoint is not authorized for bots"
	msgSuspended        = "Account is suspended"
	msgNotMember        = "You are not authorized to access this account"
	msgInvalidPlatform  = "Invalid access_token"
	msgNonPermissible   = "Non permissible resource"
	msgSignInToContinue = "You need to sign in or sign up before continuing."
)

// apiToken returns the access token of the request: the api_access_token
// header in either spelling Rack folds together, or an Authorization Bearer.
func apiToken(r *http.Request) string {
	if t := r.Header.Get("api_access_token"); t != "" {
		return t
	}
	if t := r.Header.Get("Api-Access-Token"); t != "" {
		return t
	}
	if v := r.Header["api_access_token"]; len(v) > 0 && v[0] != "" { // a key set without canonicalisation
		return v[0]
	}
	if a := r.Header.Get("Authorization"); len(a) > 7 && strings.EqualFold(a[:7], "Bearer ") {
		return strings.TrimSpace(a[7:])
	}
	return ""
}

// sessionHeaders returns devise_token_auth's uid, client and access-token,
// from headers or, as devise_token_auth also allows, query parameters.
func sessionHeaders(r *http.Request) (uid, client, token string) {
	get := func(name string) string {
		if v := r.Header.Get(name); v != "" {
			return v
		}
		return r.URL.Query().Get(name)
	}
	return get("uid"), get("client"), get("access-token")
}

// authenticateUser finds the user of an Application API request. A request
// authenticated by a dashboard session gets devise_token_auth's headers back.
// The token is returned when the request used one (the profile shows it).
func (s *Server) authenticateUser(w http.ResponseWriter, r *http.Request) (*criachat.User, *criachat.AccessToken, error) {
	ctx := r.Context()
	if tok := apiToken(r); tok != "" {
		t, u, err := s.accounts.ResolveUserToken(ctx, tok)
		if criachat.IsNotFound(err) {
			return nil, nil, criachat.Errorf(criachat.EUNAUTHORIZED, msgInvalidToken)
		}
		return u, t, err
	}
	uid, client, token := sessionHeaders(r)
	u, sess, err := s.accounts.ValidateSession(ctx, uid, client, token)
	if err != nil {
		return nil, nil, err
	}
	setAuthHeaders(w, u.Email, client, token, sess.ExpiresAt)
	return u, nil, nil
}

// user requires an authenticated user.
func (s *Server) user(next handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		u, tok, err := s.authenticateUser(w, r)
		if err != nil {
			return err
		}
		requestInfoFrom(r.Context()).userID = u.ID
		return next(w, withPrincipal(r, &principal{user: u, token: tok}))
	}
}

// member requires a user who belongs to the active account in the path
// (reference §2.1, ensure_current_account): 404 for an unknown account, 401 for
// a suspended account or a non-member.
func (s *Server) member(next handler) handler {
	return s.user(func(w http.ResponseWriter, r *http.Request) error {
		p := caller(r)
		accountID, ok := pathID(r, "account_id")
		if !ok {
			return criachat.Errorf(criachat.ENOTFOUND, "account not found")
		}
		requestInfoFrom(r.Context()).accountID = accountID
		m, err := s.store.Read().AccountUser(r.Context(), accountID, p.user.ID)
		if criachat.IsNotFound(err) {
			// Tell an unknown account (404) from one the user is not in (401), as Chatwoot does.
			if _, aerr := s.store.Read().Account(r.Context(), accountID); aerr != nil {
				return aerr
			}
			return criachat.Errorf(criachat.EUNAUTHORIZED, msgNotMember)
		} else if err != nil {
			return err
		}
		if m.Account.Status != criachat.AccountActive {
			return criachat.Errorf(criachat.EUNAUTHORIZED, msgSuspended)
		}
		p.member = m
		return next(w, r)
	})
}

// admin requires an administrator of the account in the path.
func (s *Server) admin(next handler) handler {
	return s.member(func(w http.ResponseWriter, r *http.Request) error {
		if !caller(r).member.IsAdmin() {
			return criachat.Errorf(criachat.EUNAUTHORIZED, msgNotAuthorized)
		}
		return next(w, r)
	})
}

// platformApp requires a platform app token (reference §2.3).
func (s *Server) platformApp(next handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		t, err := s.accounts.ResolveToken(r.Context(), apiToken(r))
		if criachat.IsNotFound(err) || (err == nil && t.OwnerType != criachat.OwnerPlatformApp) {
			return criachat.Errorf(criachat.EUNAUTHORIZED, msgInvalidPlatform)
		} else if err != nil {
			return err
		}
		app, err := s.store.Read().PlatformApp(r.Context(), t.OwnerID)
		if criachat.IsNotFound(err) {
			return criachat.Errorf(criachat.EUNAUTHORIZED, msgInvalidPlatform)
		} else if err != nil {
			return err
		}
		return next(w, withPrincipal(r, &principal{app: app}))
	}
}
