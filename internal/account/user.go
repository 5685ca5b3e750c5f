package account

import (
	"context"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/secret"
	"github.com/criachat/criachat/internal/store"
)

// NewUserParams describe a user to create.
type NewUserParams struct {
	Name             string
	DisplayName      string
	Email            string
	Password         string // optional: without one the user cannot sign in until a password is set
	CustomAttributes map[string]any
	Confirmed        bool
}

// FindOrCreateUser returns the user with the email, or creates one (with an
// access token). The boolean is true when the user was created. It runs in q
// so callers compose it with the membership or permissible they add next.
func (s *Service) FindOrCreateUser(ctx context.Context, q *store.Queries, p NewUserParams) (*criachat.User, bool, error) {
	existing, err := q.UserByEmail(ctx, p.Email)
	if err == nil {
		return existing, false, nil
	} else if !criachat.IsNotFound(err) {
		return nil, false, err
	}
	u := &criachat.User{Name: p.Name, DisplayName: p.DisplayName, Email: p.Email, CustomAttributes: p.CustomAttributes}
	if p.Password != "" {
		if err := criachat.ValidatePassword(p.Password); err != nil {
			return nil, false, err
		}
		if u.PasswordHash, err = secret.HashPassword(p.Password); err != nil {
			return nil, false, err
		}
	}
	if p.Confirmed {
		now := s.now()
		u.ConfirmedAt = &now
	}
	if _, err := s.createUser(ctx, q, u); err != nil {
		return nil, false, err
	}
	return u, true, nil
}

// ProfileChange is an update of a user's own profile. Nil fields are unchanged.
type ProfileChange struct {
	Name, DisplayName, Email, MessageSignature *string
	UISettings                                 map[string]any
	CurrentPassword, Password, Confirmation    *string
}

// UpdateProfile applies a profile change. Changing the password needs the
// current password and a matching confirmation, and ends every dashboard session.
func (s *Service) UpdateProfile(ctx context.Context, userID int64, c ProfileChange) (*criachat.User, error) {
	var out *criachat.User
	err := s.store.Tx(ctx, func(q *store.Queries) error {
		u, err := q.User(ctx, userID)
		if err != nil {
			return err
		}
		if c.Password != nil && *c.Password != "" {
			if c.CurrentPassword == nil || !secret.CheckPassword(u.PasswordHash, *c.CurrentPassword) {
				return criachat.Errorf(criachat.EINVALID, "Invalid current password")
			}
			if err := criachat.ValidatePassword(*c.Password); err != nil {
				return err
			}
			if c.Confirmation != nil && *c.Confirmation != *c.Password {
				return criachat.Invalid("Password confirmation doesn't match Password", "password_confirmation")
			}
			if u.PasswordHash, err = secret.HashPassword(*c.Password); err != nil {
				return err
			}
			if err := q.DeleteSessionsOf(ctx, u.ID); err != nil {
				return err
			}
		}
		set(&u.Name, c.Name)
		set(&u.DisplayName, c.DisplayName)
		set(&u.Email, c.Email)
		set(&u.MessageSignature, c.MessageSignature)
		for k, v := range c.UISettings { // Chatwoot merges ui_settings keys
			u.UISettings[k] = v
		}
		if err := q.UpdateUser(ctx, u); err != nil {
			return err
		}
		out = u
		return nil
	})
	return out, err
}

func set(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}

// UpdateMembership loads a user's membership of an account, lets fn change it
// and saves it. A user who is not a member gets ENOTFOUND.
func (s *Service) UpdateMembership(ctx context.Context, accountID, userID int64, fn func(m *criachat.AccountUser) error) error {
	return s.store.Tx(ctx, func(q *store.Queries) error {
		m, err := q.AccountUser(ctx, accountID, userID)
		if err != nil {
			return err
		}
		if err := fn(m); err != nil {
			return err
		}
		return q.UpdateAccountUser(ctx, m)
	})
}

// removeMember removes a user from an account (and from the conversations
// assigned to them there) and deletes the user when they
// belong to no account any more (Chatwoot's agents#destroy).
func removeMember(ctx context.Context, q *store.Queries, accountID, userID int64) error {
	if err := q.UnassignUser(ctx, accountID, userID); err != nil {
		return err
	}
	if err := q.DeleteAccountUser(ctx, accountID, userID); err != nil {
		return err
	}
	n, err := q.CountAccountsOfUser(ctx, userID)
	if err != nil || n > 0 {
		return err
	}
	return q.DeleteUser(ctx, userID)
}

// UserChange is an administrative update of a user (Platform API). Nil fields
// are unchanged; custom attributes are merged.
type UserChange struct {
	Name, DisplayName, Email, Password *string
	CustomAttributes                   map[string]any
}

// SetUser applies an administrative change; a new password ends every session.
func (s *Service) SetUser(ctx context.Context, userID int64, c UserChange) (*criachat.User, error) {
	var out *criachat.User
	err := s.store.Tx(ctx, func(q *store.Queries) error {
		u, err := q.User(ctx, userID)
		if err != nil {
			return err
		}
		set(&u.Name, c.Name)
		set(&u.DisplayName, c.DisplayName)
		set(&u.Email, c.Email)
		for k, v := range c.CustomAttributes {
			u.CustomAttributes[k] = v
		}
		if c.Password != nil {
			if err := criachat.ValidatePassword(*c.Password); err != nil {
				return err
			}
			if u.PasswordHash, err = secret.HashPassword(*c.Password); err != nil {
				return err
			}
			if err := q.DeleteSessionsOf(ctx, u.ID); err != nil {
				return err
			}
		}
		out = u
		return q.UpdateUser(ctx, u)
	})
	return out, err
}
