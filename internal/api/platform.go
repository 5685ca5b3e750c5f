package api

import (
	"context"
	"net/http"
	"strconv"

	"github.com/criachat/criachat/internal/account"
	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/present"
	"github.com/criachat/criachat/internal/store"
)

// platformAccountJSON is the Platform API's account object.
type platformAccountJSON struct {
	ID               int64                  `json:"id"`
	Name             string                 `json:"name"`
	Locale           string                 `json:"locale"`
	Domain           *string                `json:"domain"`
	SupportEmail     *string                `json:"support_email"`
	Features         map[string]bool        `json:"features"`
	CustomAttributes map[string]any         `json:"custom_attributes"`
	Limits           map[string]any         `json:"limits"`
	Status           criachat.AccountStatus `json:"status"`
}

func presentPlatformAccount(a *criachat.Account) platformAccountJSON {
	return platformAccountJSON{ID: a.ID, Name: a.Name, Locale: a.Locale, Domain: present.NullString(a.Domain),
		SupportEmail: present.NullString(a.SupportEmail), Features: a.Features, CustomAttributes: a.CustomAttributes,
		Limits: a.Limits, Status: a.Status}
}

// accountUserJSON is a raw ActiveRecord AccountUser, as the Platform API renders it.
type accountUserJSON struct {
	ID           int64                 `json:"id"`
	AccountID    int64                 `json:"account_id"`
	UserID       int64                 `json:"user_id"`
	Role         criachat.Role         `json:"role"`
	InviterID    *int64                `json:"inviter_id"`
	CreatedAt    string                `json:"created_at"`
	UpdatedAt    string                `json:"updated_at"`
	ActiveAt     any                   `json:"active_at"`
	Availability criachat.Availability `json:"availability"`
	AutoOffline  bool                  `json:"auto_offline"`
}

func presentAccountUser(m *criachat.AccountUser) accountUserJSON {
	return accountUserJSON{ID: m.ID, AccountID: m.AccountID, UserID: m.UserID, Role: m.Role, InviterID: m.InviterID,
		CreatedAt: present.ISOTime(m.CreatedAt), UpdatedAt: present.ISOTime(m.UpdatedAt), ActiveAt: present.ISOTimePtr(m.ActiveAt),
		Availability: m.Availability, AutoOffline: m.AutoOffline}
}

// permitted loads nothing but checks, in Chatwoot's order, that the resource
// exists (Rails 404) and that the calling platform app owns it (401).
func (s *Server) permitted(ctx context.Context, r *http.Request, typ, param string) (int64, error) {
	id, found := pathID(r, param)
	if !found {
		return 0, criachat.Errorf(criachat.ENOTFOUND, "%s not found", typ)
	}
	var err error
	switch typ {
	case store.PermissibleAccount:
		_, err = s.store.Read().Account(ctx, id)
	case store.PermissibleUser:
		_, err = s.store.Read().User(ctx, id)
	}
	if err != nil {
		return 0, err
	}
	ok, err := s.store.Read().Permissible(ctx, caller(r).app.ID, typ, id)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, criachat.Errorf(criachat.EUNAUTHORIZED, msgNonPermissible)
	}
	return id, nil
}

func (s *Server) listPlatformAccounts(w http.ResponseWriter, r *http.Request) error {
	list, err := s.store.Read().PlatformAccounts(r.Context(), caller(r).app.ID)
	if err != nil {
		return err
	}
	return ok(w, presentAll(list, presentPlatformAccount))
}

// platformAccountParams is the body of Platform account create and update.
type platformAccountParams struct {
	Name             *string         `json:"name"`
	Locale           *string         `json:"locale"`
	Domain           *string         `json:"domain"`
	SupportEmail     *string         `json:"support_email"`
	Status           *string         `json:"status"`
	Features         map[string]bool `json:"features"`
	Limits           map[string]any  `json:"limits"`
	CustomAttributes map[string]any  `json:"custom_attributes"`
}

func (p platformAccountParams) apply(a *criachat.Account) {
	setStr(&a.Name, p.Name)
	setStr(&a.Locale, p.Locale)
	setStr(&a.Domain, p.Domain)
	setStr(&a.SupportEmail, p.SupportEmail)
	if p.Status != nil {
		a.Status = criachat.AccountStatus(*p.Status)
	}
	a.Normalize()
	for k, v := range p.Features { // features toggle one flag each
		a.Features[k] = v
	}
	for k, v := range p.Limits {
		a.Limits[k] = v
	}
	for k, v := range p.CustomAttributes {
		a.CustomAttributes[k] = v
	}
}

func (s *Server) createPlatformAccount(w http.ResponseWriter, r *http.Request) error {
	var p platformAccountParams
	if err := decode(r, "", &p); err != nil {
		return err
	}
	a := &criachat.Account{}
	p.apply(a)
	ctx := r.Context()
	err := s.store.Tx(ctx, func(q *store.Queries) error {
		if err := q.CreateAccount(ctx, a); err != nil {
			return err
		}
		return q.AddPermissible(ctx, caller(r).app.ID, store.PermissibleAccount, a.ID)
	})
	if err != nil {
		return err
	}
	return ok(w, presentPlatformAccount(a))
}

func (s *Server) showPlatformAccount(w http.ResponseWriter, r *http.Request) error {
	id, err := s.permitted(r.Context(), r, store.PermissibleAccount, "account_id")
	if err != nil {
		return err
	}
	a, err := s.store.Read().Account(r.Context(), id)
	if err != nil {
		return err
	}
	return ok(w, presentPlatformAccount(a))
}

func (s *Server) updatePlatformAccount(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := s.permitted(ctx, r, store.PermissibleAccount, "account_id")
	if err != nil {
		return err
	}
	var p platformAccountParams
	if err := decode(r, "", &p); err != nil {
		return err
	}
	var out *criachat.Account
	err = s.store.Tx(ctx, func(q *store.Queries) error {
		a, err := q.Account(ctx, id)
		if err != nil {
			return err
		}
		p.apply(a)
		out = a
		return q.UpdateAccount(ctx, a)
	})
	if err != nil {
		return err
	}
	return ok(w, presentPlatformAccount(out))
}

func (s *Server) deletePlatformAccount(w http.ResponseWriter, r *http.Request) error {
	return s.deletePermitted(w, r, store.PermissibleAccount, "account_id", (*store.Queries).DeleteAccount)
}

// deletePermitted deletes a resource the platform app owns and answers head :ok.
func (s *Server) deletePermitted(w http.ResponseWriter, r *http.Request, typ, param string,
	del func(q *store.Queries, ctx context.Context, id int64) error) error {
	ctx := r.Context()
	id, err := s.permitted(ctx, r, typ, param)
	if err != nil {
		return err
	}
	if err := s.store.Tx(ctx, func(q *store.Queries) error { return del(q, ctx, id) }); err != nil {
		return err
	}
	return okEmpty(w)
}

func (s *Server) listPlatformAccountUsers(w http.ResponseWriter, r *http.Request) error {
	id, err := s.permitted(r.Context(), r, store.PermissibleAccount, "account_id")
	if err != nil {
		return err
	}
	list, err := s.store.Read().AccountUsersOfAccount(r.Context(), id)
	if err != nil {
		return err
	}
	return ok(w, presentAll(list, presentAccountUser))
}

type platformAccountUserParams struct {
	UserID flexInt `json:"user_id"`
	Role   *string `json:"role"`
}

// createPlatformAccountUser adds a user to an account or changes their role
// (Chatwoot's find_or_initialize_by). The user must belong to the app too.
func (s *Server) createPlatformAccountUser(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	accountID, err := s.permitted(ctx, r, store.PermissibleAccount, "account_id")
	if err != nil {
		return err
	}
	var p platformAccountUserParams
	if err := decode(r, "", &p); err != nil {
		return err
	}
	userID := int64(p.UserID)
	if err := s.platformOwnsUser(ctx, caller(r).app.ID, userID); err != nil {
		return err
	}
	var out *criachat.AccountUser
	err = s.store.Tx(ctx, func(q *store.Queries) error {
		m, err := q.AccountUser(ctx, accountID, userID)
		if criachat.IsNotFound(err) {
			m = &criachat.AccountUser{AccountID: accountID, UserID: userID, AutoOffline: true}
			if p.Role != nil {
				m.Role = criachat.Role(*p.Role)
			}
			out = m
			return q.CreateAccountUser(ctx, m)
		} else if err != nil {
			return err
		}
		if p.Role != nil {
			m.Role = criachat.Role(*p.Role)
		}
		out = m
		return q.UpdateAccountUser(ctx, m)
	})
	if err != nil {
		return err
	}
	return ok(w, presentAccountUser(out))
}

func (s *Server) platformOwnsUser(ctx context.Context, appID, userID int64) error {
	if _, err := s.store.Read().User(ctx, userID); err != nil {
		return err
	}
	owned, err := s.store.Read().Permissible(ctx, appID, store.PermissibleUser, userID)
	if err != nil {
		return err
	}
	if !owned {
		return criachat.Errorf(criachat.EUNAUTHORIZED, msgNonPermissible)
	}
	return nil
}

func (s *Server) deletePlatformAccountUser(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	accountID, err := s.permitted(ctx, r, store.PermissibleAccount, "account_id")
	if err != nil {
		return err
	}
	var p platformAccountUserParams
	if v := r.URL.Query().Get("user_id"); v != "" {
		n, _ := strconv.ParseInt(v, 10, 64)
		p.UserID = flexInt(n)
	} else if err := decode(r, "", &p); err != nil {
		return err
	}
	// Chatwoot: find_by(user_id:)&.destroy! then head :ok. The user is kept,
	// and removing a non-member is not an error.
	err = s.store.Tx(ctx, func(q *store.Queries) error { return q.DeleteAccountUser(ctx, accountID, int64(p.UserID)) })
	if err != nil && !criachat.IsNotFound(err) {
		return err
	}
	return okEmpty(w)
}

// platformUserParams is the body of Platform user create and update.
type platformUserParams struct {
	Name             *string        `json:"name"`
	DisplayName      *string        `json:"display_name"`
	Email            *string        `json:"email"`
	Password         *string        `json:"password"`
	CustomAttributes map[string]any `json:"custom_attributes"`
}

// createPlatformUser creates a confirmed user. Chatwoot re-uses a user that
// already has the email; CriaChat does so only when the app owns that user,
// so one hosting tenant cannot take over another's user by email.
func (s *Server) createPlatformUser(w http.ResponseWriter, r *http.Request) error {
	var p platformUserParams
	if err := decode(r, "", &p); err != nil {
		return err
	}
	ctx := r.Context()
	appID := caller(r).app.ID
	np := account.NewUserParams{CustomAttributes: p.CustomAttributes, Confirmed: true}
	setStr(&np.Name, p.Name)
	setStr(&np.DisplayName, p.DisplayName)
	setStr(&np.Email, p.Email)
	setStr(&np.Password, p.Password)
	var u *criachat.User
	err := s.store.Tx(ctx, func(q *store.Queries) error {
		var created bool
		var err error
		if u, created, err = s.accounts.FindOrCreateUser(ctx, q, np); err != nil {
			return err
		}
		if !created {
			owned, err := q.Permissible(ctx, appID, store.PermissibleUser, u.ID)
			if err != nil {
				return err
			}
			if !owned {
				return &criachat.Error{Code: criachat.ECONFLICT, Message: "Email has already been taken", Attributes: []string{"email"}}
			}
		}
		return q.AddPermissible(ctx, appID, store.PermissibleUser, u.ID)
	})
	if err != nil {
		return err
	}
	return s.writeUser(w, ctx, u)
}

func (s *Server) showPlatformUser(w http.ResponseWriter, r *http.Request) error {
	id, err := s.permitted(r.Context(), r, store.PermissibleUser, "id")
	if err != nil {
		return err
	}
	u, err := s.store.Read().User(r.Context(), id)
	if err != nil {
		return err
	}
	return s.writeUser(w, r.Context(), u)
}

// updatePlatformUser changes a user; custom_attributes are merged and the
// password can be set without the current one.
func (s *Server) updatePlatformUser(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := s.permitted(ctx, r, store.PermissibleUser, "id")
	if err != nil {
		return err
	}
	var p platformUserParams
	if err := decode(r, "", &p); err != nil {
		return err
	}
	u, err := s.accounts.SetUser(ctx, id, account.UserChange{
		Name: p.Name, DisplayName: p.DisplayName, Email: p.Email, Password: p.Password, CustomAttributes: p.CustomAttributes,
	})
	if err != nil {
		return err
	}
	return s.writeUser(w, ctx, u)
}

func (s *Server) deletePlatformUser(w http.ResponseWriter, r *http.Request) error {
	return s.deletePermitted(w, r, store.PermissibleUser, "id", (*store.Queries).DeleteUser)
}

// platformUserToken returns the user's access token (POST /platform/api/v1/users/{id}/token).
func (s *Server) platformUserToken(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := s.permitted(ctx, r, store.PermissibleUser, "id")
	if err != nil {
		return err
	}
	u, err := s.store.Read().User(ctx, id)
	if err != nil {
		return err
	}
	token, err := s.accounts.TokenOf(ctx, criachat.OwnerUser, id)
	if err != nil {
		return err
	}
	return ok(w, map[string]any{
		"access_token": token, "expiry": nil,
		"user": map[string]any{"id": u.ID, "name": u.Name, "display_name": present.NullString(u.DisplayName), "email": u.Email, "pubsub_token": u.PubsubToken},
	})
}
