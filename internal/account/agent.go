package account

import (
	"context"
	"strings"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/store"
)

// AgentParams describe an agent to add to an account.
type AgentParams struct {
	Name         string
	Email        string
	Role         criachat.Role
	Availability criachat.Availability
	AutoOffline  *bool
	InviterID    int64
}

// errLastAdmin protects an account from losing its last administrator.
var errLastAdmin = criachat.Invalid("An account must keep at least one administrator", "role")

// CreateAgent adds a user to an account, creating the user (unconfirmed, with
// no password) when the email is new. The account's "agents" limit, when set,
// is enforced with Chatwoot's 402.
func (s *Service) CreateAgent(ctx context.Context, accountID int64, p AgentParams) (criachat.Agent, error) {
	var out criachat.Agent
	err := s.store.Tx(ctx, func(q *store.Queries) error {
		if err := q.LockAccount(ctx, accountID); err != nil {
			return err
		}
		acct, err := q.Account(ctx, accountID)
		if err != nil {
			return err
		}
		members, err := q.AccountUsersOfAccount(ctx, accountID)
		if err != nil {
			return err
		}
		if limit, ok := acct.Limits["agents"].(float64); ok && float64(len(members)) >= limit {
			return criachat.Errorf(criachat.EPAYMENTREQUIRED, "Account limit exceeded. Please purchase more licenses")
		}
		name := strings.TrimSpace(p.Name)
		if name == "" && strings.Contains(p.Email, "@") {
			name = p.Email[:strings.IndexByte(p.Email, '@')] // Chatwoot's bulk_create default
		}
		u, _, err := s.FindOrCreateUser(ctx, q, NewUserParams{Name: name, Email: p.Email})
		if err != nil {
			return err
		}
		m := &criachat.AccountUser{AccountID: accountID, UserID: u.ID, Role: p.Role, Availability: p.Availability, AutoOffline: true, InviterID: &p.InviterID}
		if p.AutoOffline != nil {
			m.AutoOffline = *p.AutoOffline
		}
		if err := q.CreateAccountUser(ctx, m); err != nil {
			return err
		}
		out = criachat.Agent{User: u, Member: m}
		return nil
	})
	return out, err
}

// AgentChange is an update of an agent. Nil fields are unchanged.
type AgentChange struct {
	Name         *string
	Role         *criachat.Role
	Availability *criachat.Availability
	AutoOffline  *bool
}

// UpdateAgent changes an agent's name and membership. Demoting the last
// administrator is refused.
func (s *Service) UpdateAgent(ctx context.Context, accountID, userID int64, c AgentChange) (criachat.Agent, error) {
	var out criachat.Agent
	err := s.store.Tx(ctx, func(q *store.Queries) error {
		if err := q.LockAccount(ctx, accountID); err != nil {
			return err
		}
		a, err := q.Agent(ctx, accountID, userID)
		if err != nil {
			return err
		}
		if c.Name != nil {
			a.User.Name = *c.Name
			if err := q.UpdateUser(ctx, a.User); err != nil {
				return err
			}
		}
		if c.Role != nil && *c.Role != criachat.RoleAdministrator && a.Member.IsAdmin() {
			if err := ensureOtherAdmin(ctx, q, accountID, userID); err != nil {
				return err
			}
		}
		if c.Role != nil {
			a.Member.Role = *c.Role
		}
		if c.Availability != nil {
			a.Member.Availability = *c.Availability
		}
		if c.AutoOffline != nil {
			a.Member.AutoOffline = *c.AutoOffline
		}
		if err := q.UpdateAccountUser(ctx, a.Member); err != nil {
			return err
		}
		out = a
		return nil
	})
	return out, err
}

// RemoveAgent removes an agent from an account (refusing to remove the last
// administrator) and deletes the user when they belong to no account any more.
func (s *Service) RemoveAgent(ctx context.Context, accountID, userID int64) error {
	return s.store.Tx(ctx, func(q *store.Queries) error {
		if err := q.LockAccount(ctx, accountID); err != nil {
			return err
		}
		a, err := q.Agent(ctx, accountID, userID)
		if err != nil {
			return err
		}
		if a.Member.IsAdmin() {
			if err := ensureOtherAdmin(ctx, q, accountID, userID); err != nil {
				return err
			}
		}
		return removeMember(ctx, q, accountID, userID)
	})
}

func ensureOtherAdmin(ctx context.Context, q *store.Queries, accountID, userID int64) error {
	members, err := q.AccountUsersOfAccount(ctx, accountID)
	if err != nil {
		return err
	}
	for _, m := range members {
		if m.UserID != userID && m.IsAdmin() {
			return nil
		}
	}
	return errLastAdmin
}
