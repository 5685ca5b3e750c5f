package api

import (
	"net/http"

	"github.com/criachat/criachat/internal/account"
	"github.com/criachat/criachat/internal/criachat"
)

func (s *Server) listAgents(w http.ResponseWriter, r *http.Request) error {
	agents, err := s.store.Read().Agents(r.Context(), caller(r).member.AccountID)
	if err != nil {
		return err
	}
	return ok(w, presentAll(agents, presentAgent))
}

// agentParams is the body of agent create and update, under "agent".
type agentParams struct {
	Name         *string   `json:"name"`
	Email        *string   `json:"email"`
	Role         *string   `json:"role"`
	Availability *string   `json:"availability"`
	AutoOffline  *flexBool `json:"auto_offline"`
}

func (p agentParams) role() *criachat.Role {
	if p.Role == nil {
		return nil
	}
	r := criachat.Role(*p.Role)
	return &r
}

func (p agentParams) availability() *criachat.Availability {
	if p.Availability == nil {
		return nil
	}
	a := criachat.Availability(*p.Availability)
	return &a
}

func (p agentParams) autoOffline() *bool {
	if p.AutoOffline == nil {
		return nil
	}
	b := bool(*p.AutoOffline)
	return &b
}

func (s *Server) createAgent(w http.ResponseWriter, r *http.Request) error {
	var p agentParams
	if err := decode(r, "agent", &p); err != nil {
		return err
	}
	me := caller(r)
	params := account.AgentParams{InviterID: me.user.ID, AutoOffline: p.autoOffline()}
	setStr(&params.Name, p.Name)
	setStr(&params.Email, p.Email)
	if role := p.role(); role != nil {
		params.Role = *role
	}
	if av := p.availability(); av != nil {
		params.Availability = *av
	}
	a, err := s.accounts.CreateAgent(r.Context(), me.member.AccountID, params)
	if err != nil {
		return err
	}
	return ok(w, presentAgent(a))
}

func (s *Server) updateAgent(w http.ResponseWriter, r *http.Request) error {
	id, found := pathID(r, "id")
	if !found {
		return criachat.Errorf(criachat.ENOTFOUND, "agent not found")
	}
	var p agentParams
	if err := decode(r, "agent", &p); err != nil {
		return err
	}
	a, err := s.accounts.UpdateAgent(r.Context(), caller(r).member.AccountID, id, account.AgentChange{
		Name: p.Name, Role: p.role(), Availability: p.availability(), AutoOffline: p.autoOffline(),
	})
	if err != nil {
		return err
	}
	return ok(w, presentAgent(a))
}

func (s *Server) deleteAgent(w http.ResponseWriter, r *http.Request) error {
	id, found := pathID(r, "id")
	if !found {
		return criachat.Errorf(criachat.ENOTFOUND, "agent not found")
	}
	if err := s.accounts.RemoveAgent(r.Context(), caller(r).member.AccountID, id); err != nil {
		return err
	}
	return okEmpty(w)
}
