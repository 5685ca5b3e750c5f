package api

import (
	"context"
	"net/http"
	"slices"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/store"
)

// Conversation participants (reference §3.5): agents following a
// conversation. Every route applies the member* rule through
// conversationFromPath and answers bare agent arrays.

func (s *Server) listParticipants(w http.ResponseWriter, r *http.Request) error {
	c, err := s.conversationFromPath(r)
	if err != nil {
		return err
	}
	agents, err := s.store.Read().ConversationParticipants(r.Context(), c.AccountID, c.ID)
	if err != nil {
		return err
	}
	return ok(w, presentAll(agents, presentAgent))
}

// changeParticipants reads user_ids, checks them, and runs change in one
// transaction. Every id must be a user of the account (else 401 "Invalid User
// IDs", as for team members); when adding, each new participant must also be
// able to see the conversation's inbox (Chatwoot's ensure_inbox_access: an
// administrator or a member of the inbox).
func (s *Server) changeParticipants(r *http.Request, adding bool, change func(ctx context.Context, q *store.Queries, c *criachat.Conversation, ids []int64) ([]criachat.Agent, error)) ([]criachat.Agent, error) {
	c, err := s.conversationFromPath(r)
	if err != nil {
		return nil, err
	}
	ids, err := decodeUserIDs(r)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	var out []criachat.Agent
	err = s.store.Tx(ctx, func(q *store.Queries) error {
		if err := checkAccountUsers(r, q, c.AccountID, ids); err != nil {
			return err
		}
		if adding {
			if err := checkInboxAccess(ctx, q, c, ids); err != nil {
				return err
			}
		}
		out, err = change(ctx, q, c, ids)
		return err
	})
	return out, err
}

// checkInboxAccess refuses to make participants of users who cannot see the
// conversation's inbox, among those who are not participants yet.
func checkInboxAccess(ctx context.Context, q *store.Queries, c *criachat.Conversation, ids []int64) error {
	current, err := q.ConversationParticipantIDs(ctx, c.AccountID, c.ID)
	if err != nil {
		return err
	}
	allowed, err := q.AssignableAgents(ctx, c.AccountID, []int64{c.InboxID})
	if err != nil {
		return err
	}
	for _, id := range ids {
		if slices.Contains(current, id) {
			continue
		}
		if !slices.ContainsFunc(allowed, func(a criachat.Agent) bool { return a.User.ID == id }) {
			return criachat.Invalid("User must have inbox access", "user")
		}
	}
	return nil
}

// addParticipants is POST …/participants: adds user_ids and answers the
// agents that were not participants before.
func (s *Server) addParticipants(w http.ResponseWriter, r *http.Request) error {
	added, err := s.changeParticipants(r, true, func(ctx context.Context, q *store.Queries, c *criachat.Conversation, ids []int64) ([]criachat.Agent, error) {
		return q.AddConversationParticipants(ctx, c.AccountID, c.ID, ids)
	})
	if err != nil {
		return err
	}
	return ok(w, presentAll(added, presentAgent))
}

// setParticipants is PATCH/PUT …/participants: user_ids become the
// participants; it answers them all.
func (s *Server) setParticipants(w http.ResponseWriter, r *http.Request) error {
	all, err := s.changeParticipants(r, true, func(ctx context.Context, q *store.Queries, c *criachat.Conversation, ids []int64) ([]criachat.Agent, error) {
		return q.SetConversationParticipants(ctx, c.AccountID, c.ID, ids)
	})
	if err != nil {
		return err
	}
	return ok(w, presentAll(all, presentAgent))
}

// removeParticipants is DELETE …/participants: 200 with an empty body.
func (s *Server) removeParticipants(w http.ResponseWriter, r *http.Request) error {
	_, err := s.changeParticipants(r, false, func(ctx context.Context, q *store.Queries, c *criachat.Conversation, ids []int64) ([]criachat.Agent, error) {
		return nil, q.RemoveConversationParticipants(ctx, c.AccountID, c.ID, ids)
	})
	if err != nil {
		return err
	}
	return okEmpty(w)
}
