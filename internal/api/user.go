package api

import (
	"context"
	"net/http"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/present"
)

// userJSON is Chatwoot's user object (app/views/api/v1/models/_user.json.jbuilder).
type userJSON struct {
	AccessToken      string            `json:"access_token"`
	AccountID        *int64            `json:"account_id"`
	AvailableName    string            `json:"available_name"`
	AvatarURL        string            `json:"avatar_url"`
	Confirmed        bool              `json:"confirmed"`
	DisplayName      *string           `json:"display_name"`
	MessageSignature *string           `json:"message_signature"`
	Email            string            `json:"email"`
	ID               int64             `json:"id"`
	InviterID        *int64            `json:"inviter_id"`
	Name             string            `json:"name"`
	Provider         string            `json:"provider"`
	PubsubToken      string            `json:"pubsub_token"`
	CustomAttributes map[string]any    `json:"custom_attributes,omitempty"`
	Role             *criachat.Role    `json:"role"`
	UISettings       map[string]any    `json:"ui_settings"`
	UID              string            `json:"uid"`
	Type             *string           `json:"type"`
	Accounts         []userAccountJSON `json:"accounts"`
}

// userAccountJSON is one entry of a user's accounts list.
type userAccountJSON struct {
	ID                 int64                  `json:"id"`
	Name               string                 `json:"name"`
	Status             criachat.AccountStatus `json:"status"`
	ActiveAt           any                    `json:"active_at"`
	Role               criachat.Role          `json:"role"`
	Permissions        []string               `json:"permissions"`
	Availability       criachat.Availability  `json:"availability"`
	AvailabilityStatus criachat.Availability  `json:"availability_status"`
	AutoOffline        bool                   `json:"auto_offline"`
}

// presentUser renders u with its memberships (active account first) and token.
func presentUser(u *criachat.User, members []*criachat.AccountUser, token string) userJSON {
	j := userJSON{
		AccessToken: token, AvailableName: u.AvailableName(), AvatarURL: "", Confirmed: u.ConfirmedAt != nil,
		DisplayName: present.NullString(u.DisplayName), MessageSignature: present.NullString(u.MessageSignature),
		Email: u.Email, ID: u.ID, Name: u.Name, Provider: "email", PubsubToken: u.PubsubToken,
		UISettings: u.UISettings, UID: u.Email, Accounts: []userAccountJSON{},
	}
	if len(u.CustomAttributes) > 0 {
		j.CustomAttributes = u.CustomAttributes
	}
	if len(members) > 0 {
		active := members[0]
		j.AccountID, j.InviterID, j.Role = &active.AccountID, active.InviterID, &active.Role
	}
	for _, m := range members {
		j.Accounts = append(j.Accounts, userAccountJSON{
			ID: m.AccountID, Name: m.Account.Name, Status: m.Account.Status, ActiveAt: present.ISOTimePtr(m.ActiveAt),
			Role: m.Role, Permissions: []string{string(m.Role)}, Availability: m.Availability,
			AvailabilityStatus: present.AvailabilityStatus(m), AutoOffline: m.AutoOffline,
		})
	}
	return j
}

// writeUser answers with the user object.
func (s *Server) writeUser(w http.ResponseWriter, ctx context.Context, u *criachat.User) error {
	j, err := s.loadUserJSON(ctx, u)
	if err != nil {
		return err
	}
	return ok(w, j)
}

// presentAll presents each element of a list; the result is never nil, so an
// empty list renders as [] (Chatwoot's bare arrays).
func presentAll[T, J any](list []T, present func(T) J) []J {
	out := make([]J, 0, len(list))
	for _, v := range list {
		out = append(out, present(v))
	}
	return out
}

// loadUserJSON loads what presentUser needs.
func (s *Server) loadUserJSON(ctx context.Context, u *criachat.User) (userJSON, error) {
	return s.loadUserJSONWith(ctx, u, nil)
}

// loadUserJSONWith is loadUserJSON when the caller may already hold the
// user's stored token (from authentication), saving a query.
func (s *Server) loadUserJSONWith(ctx context.Context, u *criachat.User, tok *criachat.AccessToken) (userJSON, error) {
	members, err := s.store.Read().AccountUsersOfUser(ctx, u.ID)
	if err != nil {
		return userJSON{}, err
	}
	var token string
	if tok != nil && tok.OwnerType == criachat.OwnerUser && tok.OwnerID == u.ID {
		token, err = s.accounts.Plaintext(tok)
	} else {
		token, err = s.accounts.TokenOf(ctx, criachat.OwnerUser, u.ID)
	}
	if err != nil {
		return userJSON{}, err
	}
	return presentUser(u, members, token), nil
}

// agentJSON is Chatwoot's agent object (app/views/api/v1/models/_agent.json.jbuilder).
type agentJSON struct {
	ID                 int64                 `json:"id"`
	AccountID          int64                 `json:"account_id"`
	AvailabilityStatus criachat.Availability `json:"availability_status"`
	AutoOffline        bool                  `json:"auto_offline"`
	Confirmed          bool                  `json:"confirmed"`
	Email              string                `json:"email"`
	Provider           string                `json:"provider"`
	AvailableName      string                `json:"available_name"`
	CustomAttributes   map[string]any        `json:"custom_attributes,omitempty"`
	Name               string                `json:"name"`
	Role               criachat.Role         `json:"role"`
	Thumbnail          string                `json:"thumbnail"`
}

func presentAgent(a criachat.Agent) agentJSON {
	j := agentJSON{
		ID: a.User.ID, AccountID: a.Member.AccountID, AvailabilityStatus: present.AvailabilityStatus(a.Member),
		AutoOffline: a.Member.AutoOffline, Confirmed: a.User.ConfirmedAt != nil, Email: a.User.Email,
		Provider: "email", AvailableName: a.User.AvailableName(), Name: a.User.Name, Role: a.Member.Role,
	}
	if len(a.User.CustomAttributes) > 0 {
		j.CustomAttributes = a.User.CustomAttributes
	}
	return j
}
