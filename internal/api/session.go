package api

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/criachat/criachat/internal/account"
	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/present"
)

// devise_token_auth writes its own bodies, not Chatwoot's error table.
func deviseFailure(w http.ResponseWriter, status int, msg string) error {
	writeJSON(w, status, map[string]any{"success": false, "errors": []string{msg}})
	return nil
}

type signInParams struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// signIn is POST /auth/sign_in: 200 {"data": user} plus the auth headers.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request) error {
	var p signInParams
	if err := decode(r, "", &p); err != nil {
		return err
	}
	if !s.allowLogin(w, r, p.Email) {
		return nil
	}
	login, err := s.accounts.SignIn(r.Context(), p.Email, p.Password)
	if errors.Is(err, account.ErrBadCredentials) {
		return deviseFailure(w, http.StatusUnauthorized, account.ErrBadCredentials.Message)
	} else if err != nil {
		return err
	}
	requestInfoFrom(r.Context()).userID = login.User.ID
	j, err := s.loadUserJSON(r.Context(), login.User)
	if err != nil {
		return err
	}
	setAuthHeaders(w, login.User.Email, login.Client, login.Token, login.ExpiresAt)
	return ok(w, map[string]any{"data": j})
}

// setAuthHeaders writes devise_token_auth's response headers (reference §2.2).
// Chatwoot does not rotate the token per request, so they repeat the login's values.
func setAuthHeaders(w http.ResponseWriter, uid, client, token string, expiry time.Time) {
	h := w.Header()
	h.Set("access-token", token)
	h.Set("token-type", "Bearer")
	h.Set("client", client)
	h.Set("expiry", strconv.FormatInt(expiry.Unix(), 10))
	h.Set("uid", uid)
}

// validateTokenJSON is the user object plus created_at (app/views/devise/token.json.jbuilder).
type validateTokenJSON struct {
	userJSON
	CreatedAt string `json:"created_at"`
}

// validateToken is GET /auth/validate_token.
func (s *Server) validateToken(w http.ResponseWriter, r *http.Request) error {
	uid, client, token := sessionHeaders(r)
	u, sess, err := s.accounts.ValidateSession(r.Context(), uid, client, token)
	if criachat.ErrorCode(err) == criachat.EUNAUTHENTICATED {
		return deviseFailure(w, http.StatusUnauthorized, "Invalid login credentials")
	} else if err != nil {
		return err
	}
	setAuthHeaders(w, u.Email, client, token, sess.ExpiresAt)
	j, err := s.loadUserJSON(r.Context(), u)
	if err != nil {
		return err
	}
	return ok(w, map[string]any{"payload": map[string]any{
		"success": true, "data": validateTokenJSON{userJSON: j, CreatedAt: present.ISOTime(u.CreatedAt)},
	}})
}

// signOut is DELETE /auth/sign_out.
func (s *Server) signOut(w http.ResponseWriter, r *http.Request) error {
	uid, client, token := sessionHeaders(r)
	err := s.accounts.SignOut(r.Context(), uid, client, token)
	if criachat.IsNotFound(err) {
		return deviseFailure(w, http.StatusNotFound, criachat.ErrorMessage(err))
	} else if err != nil {
		return err
	}
	return ok(w, map[string]any{"success": true})
}
