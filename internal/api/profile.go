package api

import (
	"net/http"

	"github.com/criachat/criachat/internal/account"
	"github.com/criachat/criachat/internal/criachat"
)

func (s *Server) showProfile(w http.ResponseWriter, r *http.Request) error {
	p := caller(r)
	j, err := s.loadUserJSONWith(r.Context(), p.user, p.token)
	if err != nil {
		return err
	}
	return ok(w, j)
}

// profileParams is the body of PUT /api/v1/profile, under "profile".
type profileParams struct {
	Name                 *string        `json:"name"`
	DisplayName          *string        `json:"display_name"`
	Email                *string        `json:"email"`
	MessageSignature     *string        `json:"message_signature"`
	UISettings           map[string]any `json:"ui_settings"`
	CurrentPassword      *string        `json:"current_password"`
	Password             *string        `json:"password"`
	PasswordConfirmation *string        `json:"password_confirmation"`
}

func (s *Server) updateProfile(w http.ResponseWriter, r *http.Request) error {
	var p profileParams
	if err := decode(r, "profile", &p); err != nil {
		return err
	}
	u, err := s.accounts.UpdateProfile(r.Context(), caller(r).user.ID, account.ProfileChange{
		Name: p.Name, DisplayName: p.DisplayName, Email: p.Email, MessageSignature: p.MessageSignature,
		UISettings: p.UISettings, CurrentPassword: p.CurrentPassword, Password: p.Password, Confirmation: p.PasswordConfirmation,
	})
	if err != nil {
		return err
	}
	return s.writeUser(w, r.Context(), u)
}

func (s *Server) resetAccessToken(w http.ResponseWriter, r *http.Request) error {
	u := caller(r).user
	if _, err := s.accounts.ResetToken(r.Context(), criachat.OwnerUser, u.ID); err != nil {
		return err
	}
	return s.writeUser(w, r.Context(), u)
}

// membershipParams is the body of the profile endpoints that change one membership.
type membershipParams struct {
	AccountID    flexInt   `json:"account_id"`
	Availability *string   `json:"availability"`
	AutoOffline  *flexBool `json:"auto_offline"`
}

// changeMembership decodes a membership body, applies fn to the membership of
// the named account and answers with the user object.
func (s *Server) changeMembership(w http.ResponseWriter, r *http.Request, fn func(p membershipParams, m *criachat.AccountUser) error) error {
	var p membershipParams
	if err := decode(r, "profile", &p); err != nil {
		return err
	}
	u := caller(r).user
	if err := s.accounts.UpdateMembership(r.Context(), int64(p.AccountID), u.ID, func(m *criachat.AccountUser) error { return fn(p, m) }); err != nil {
		return err
	}
	return s.writeUser(w, r.Context(), u)
}

func (s *Server) setAvailability(w http.ResponseWriter, r *http.Request) error {
	return s.changeMembership(w, r, func(p membershipParams, m *criachat.AccountUser) error {
		if p.Availability == nil {
			return criachat.Errorf(criachat.EINVALID, "param is missing or the value is empty: availability")
		}
		m.Availability = criachat.Availability(*p.Availability)
		return nil
	})
}

func (s *Server) setAutoOffline(w http.ResponseWriter, r *http.Request) error {
	return s.changeMembership(w, r, func(p membershipParams, m *criachat.AccountUser) error {
		m.AutoOffline = p.AutoOffline != nil && bool(*p.AutoOffline)
		return nil
	})
}

func (s *Server) setActiveAccount(w http.ResponseWriter, r *http.Request) error {
	var p membershipParams
	if err := decode(r, "profile", &p); err != nil {
		return err
	}
	now := s.now()
	err := s.accounts.UpdateMembership(r.Context(), int64(p.AccountID), caller(r).user.ID, func(m *criachat.AccountUser) error {
		m.ActiveAt = &now
		return nil
	})
	if err != nil {
		return err
	}
	return okEmpty(w)
}
