package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/criachat/criachat/internal/criachat"
)

// principal is who is calling: a user (by access token or dashboard session),
// an agent bot (by its access token, on the bot endpoints only) or a platform
// app. For account routes, member is the user's membership of the account in
// the path; a bot has no membership.
type principal struct {
	user   *criachat.User
	token  *criachat.AccessToken // the user's or bot's token, when the request used it
	member *criachat.AccountUser
	bot    *criachat.AgentBot
	app    *criachat.PlatformApp
}

// accountID is the account in the path the caller was admitted to.
func (p *principal) accountID() int64 {
	if p.bot != nil {
		return p.bot.AccountID
	}
	return p.member.AccountID
}

// callerID identifies the caller within its account for state kept per
// caller (idempotency keys): the user's id, or a bot's id negated so that it
// never meets a user's.
func (p *principal) callerID() int64 {
	if p.bot != nil {
		return -p.bot.ID
	}
	return p.user.ID
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
	msgBotNotInAccount  = "Bot is not authorized to access this account"
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

// authenticate finds the caller of an Application API request: the owner of
// its access token, or the user of its dashboard session, who gets
// devise_token_auth's headers back. An agent bot's token is refused with
// Chatwoot's "not authorized for bots" unless bots says the route is one of
// BOT_ACCESSIBLE_ENDPOINTS (reference §2.1).
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request, bots bool) (*principal, error) {
	ctx := r.Context()
	if tok := apiToken(r); tok != "" {
		o, err := s.accounts.ResolveAPIToken(ctx, tok)
		if criachat.IsNotFound(err) {
			return nil, criachat.Errorf(criachat.EUNAUTHORIZED, msgInvalidToken)
		} else if err != nil {
			return nil, err
		}
		if o.Bot != nil && !bots {
			return nil, criachat.Errorf(criachat.EUNAUTHORIZED, msgBotsNotAllowed)
		}
		return &principal{user: o.User, bot: o.Bot, token: o.Token}, nil
	}
	uid, client, token := sessionHeaders(r)
	u, sess, err := s.accounts.ValidateSession(ctx, uid, client, token)
	if err != nil {
		return nil, err
	}
	setAuthHeaders(w, u.Email, client, token, sess.ExpiresAt)
	return &principal{user: u}, nil
}

// user requires an authenticated user.
func (s *Server) user(next handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := s.authenticate(w, r, false)
		if err != nil {
			return err
		}
		requestInfoFrom(r.Context()).userID = p.user.ID
		return next(w, withPrincipal(r, p))
	}
}

// member requires a user who belongs to the active account in the path
// (reference §2.1, ensure_current_account): 404 for an unknown account, 401 for
// a suspended account or a non-member. An agent bot's token is refused.
func (s *Server) member(next handler) handler { return s.inAccount(false, next) }

// botOrMember is member that also admits an agent bot of the account in the
// path: it wraps exactly the routes of Chatwoot's BOT_ACCESSIBLE_ENDPOINTS,
// whose handlers work with a caller that has a bot and no user.
func (s *Server) botOrMember(next handler) handler { return s.inAccount(true, next) }

// inAccount authenticates the caller (bots says whether a bot may call) and
// admits it to the account in the path.
func (s *Server) inAccount(bots bool, next handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		accountID, inPath := pathID(r, "account_id")
		p, err := s.memberByToken(r, accountID)
		if err != nil {
			return err
		}
		if p == nil {
			if p, err = s.authenticate(w, r, bots); err != nil {
				return err
			}
		}
		ri := requestInfoFrom(r.Context())
		if p.user != nil {
			ri.userID = p.user.ID
		}
		if !inPath {
			return criachat.Errorf(criachat.ENOTFOUND, "account not found")
		}
		ri.accountID = accountID
		if p.member != nil {
			err = activeMember(p.member)
		} else if p.bot != nil {
			err = s.admitBot(r.Context(), p.bot, accountID)
		} else {
			p.member, err = s.admitMember(r.Context(), p.user, accountID)
		}
		if err != nil {
			return err
		}
		return next(w, withPrincipal(r, p))
	}
}

// memberByToken is the common case of inAccount in one query: an access
// token of a user who is a member of the account in the path. It returns nil
// (and no error) for anything else, which authenticate and admitMember then
// handle with their precise errors.
func (s *Server) memberByToken(r *http.Request, accountID int64) (*principal, error) {
	tok := apiToken(r)
	if tok == "" || accountID <= 0 {
		return nil, nil
	}
	o, m, ok, err := s.accounts.ResolveMemberToken(r.Context(), tok, accountID)
	if err != nil || !ok {
		return nil, err
	}
	return &principal{user: o.User, token: o.Token, member: m}, nil
}

// activeMember refuses a membership of a suspended account.
func activeMember(m *criachat.AccountUser) error {
	if m.Account.Status != criachat.AccountActive {
		return criachat.Errorf(criachat.EUNAUTHORIZED, msgSuspended)
	}
	return nil
}

// admitMember returns the user's membership of an active account.
func (s *Server) admitMember(ctx context.Context, u *criachat.User, accountID int64) (*criachat.AccountUser, error) {
	m, err := s.store.Read().AccountUser(ctx, accountID, u.ID)
	if criachat.IsNotFound(err) {
		// Tell an unknown account (404) from one the user is not in (401), as Chatwoot does.
		if _, aerr := s.store.Read().Account(ctx, accountID); aerr != nil {
			return nil, aerr
		}
		return nil, criachat.Errorf(criachat.EUNAUTHORIZED, msgNotMember)
	} else if err != nil {
		return nil, err
	}
	return m, activeMember(m)
}

// admitBot lets an agent bot into its own active account. Chatwoot also
// admits a bot into accounts where it is connected to an inbox; here a bot's
// inboxes are always in its own account.
func (s *Server) admitBot(ctx context.Context, b *criachat.AgentBot, accountID int64) error {
	a, err := s.store.Read().Account(ctx, accountID)
	if err != nil {
		return err
	}
	if a.Status != criachat.AccountActive {
		return criachat.Errorf(criachat.EUNAUTHORIZED, msgSuspended)
	}
	if b.AccountID != accountID {
		return criachat.Errorf(criachat.EUNAUTHORIZED, msgBotNotInAccount)
	}
	return nil
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
