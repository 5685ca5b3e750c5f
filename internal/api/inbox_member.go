package api

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/store"
)

// Inbox members and assignable agents (reference §3.2, §3.3).

// msgInvalidUserIDs is Chatwoot's answer to member ids that are not users of
// the account (InboxMembersController#validate_member_id_params).
const msgInvalidUserIDs = "Invalid User IDs"

// agentsPayload is {"payload":[agent]}.
func agentsPayload(w http.ResponseWriter, agents []criachat.Agent) error {
	return ok(w, map[string]any{"payload": presentAll(agents, presentAgent)})
}

func (s *Server) listInboxMembers(w http.ResponseWriter, r *http.Request) error {
	in, err := s.inboxFromPath(r, "inbox_id")
	if err != nil {
		return err
	}
	agents, err := s.store.Read().InboxMembers(r.Context(), in.AccountID, in.ID)
	if err != nil {
		return err
	}
	return agentsPayload(w, agents)
}

// inboxMembersParams is the body of POST, PATCH and DELETE /inbox_members.
type inboxMembersParams struct {
	InboxID flexInt         `json:"inbox_id"`
	UserIDs json.RawMessage `json:"user_ids"`
}

// userIDs parses user_ids as Chatwoot does: an array of integers or integer
// strings. A missing or non-array value is Rails' ParameterMissing when
// required, and an empty list otherwise; a non-integer is "Invalid User IDs".
func (p inboxMembersParams) userIDs(required bool) ([]int64, error) {
	raw := bytes.TrimSpace(p.UserIDs)
	if len(raw) == 0 || raw[0] != '[' {
		if required || len(raw) > 0 && string(raw) != "null" {
			return nil, criachat.Errorf(criachat.EINVALID, "param is missing or the value is empty: user_ids")
		}
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var list []any
	if err := dec.Decode(&list); err != nil {
		return nil, criachat.Errorf(criachat.EINVALID, msgInvalidUserIDs)
	}
	ids := make([]int64, 0, len(list))
	for _, v := range list {
		id, ok := parseUserID(v)
		if !ok {
			return nil, criachat.Errorf(criachat.EINVALID, msgInvalidUserIDs)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// parseUserID converts a JSON integer, or a string holding one, like Ruby's
// Integer(v, exception: false).
func parseUserID(v any) (int64, bool) {
	switch x := v.(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n, true
		}
		f, err := x.Float64()
		if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return 0, false
		}
		return int64(f), true
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		return n, err == nil
	}
	return 0, false
}

// changeInboxMembers runs a change of an inbox's members and answers with
// the members after it. Users outside the account are refused before
// anything changes.
func (s *Server) changeInboxMembers(w http.ResponseWriter, r *http.Request,
	change func(q *store.Queries, accountID, inboxID int64, ids []int64) error) error {
	var p inboxMembersParams
	if err := decode(r, "", &p); err != nil {
		return err
	}
	ctx := r.Context()
	accountID := caller(r).member.AccountID
	var agents []criachat.Agent
	err := s.store.Tx(ctx, func(q *store.Queries) error {
		if _, err := q.Inbox(ctx, accountID, int64(p.InboxID)); err != nil {
			return err
		}
		ids, err := p.userIDs(true)
		if err != nil {
			return err
		}
		if members, err := q.AreAccountUsers(ctx, accountID, ids); err != nil {
			return err
		} else if !members {
			return criachat.Errorf(criachat.EINVALID, msgInvalidUserIDs)
		}
		if err := change(q, accountID, int64(p.InboxID), ids); err != nil {
			return err
		}
		agents, err = q.InboxMembers(ctx, accountID, int64(p.InboxID))
		return err
	})
	if err != nil {
		return err
	}
	return agentsPayload(w, agents)
}

// addInboxMembers adds users to an inbox (POST /inbox_members).
func (s *Server) addInboxMembers(w http.ResponseWriter, r *http.Request) error {
	return s.changeInboxMembers(w, r, func(q *store.Queries, accountID, inboxID int64, ids []int64) error {
		return q.AddInboxMembers(r.Context(), accountID, inboxID, ids)
	})
}

// setInboxMembers replaces an inbox's members (PATCH /inbox_members).
func (s *Server) setInboxMembers(w http.ResponseWriter, r *http.Request) error {
	return s.changeInboxMembers(w, r, func(q *store.Queries, accountID, inboxID int64, ids []int64) error {
		return q.SetInboxMembers(r.Context(), accountID, inboxID, ids)
	})
}

// removeInboxMembers removes users from an inbox (DELETE /inbox_members).
// Like Chatwoot it does not check the ids: those that are not members are
// ignored, and a missing user_ids removes nobody.
func (s *Server) removeInboxMembers(w http.ResponseWriter, r *http.Request) error {
	var p inboxMembersParams
	if err := decode(r, "", &p); err != nil {
		return err
	}
	ctx := r.Context()
	accountID := caller(r).member.AccountID
	err := s.store.Tx(ctx, func(q *store.Queries) error {
		if _, err := q.Inbox(ctx, accountID, int64(p.InboxID)); err != nil {
			return err
		}
		ids, err := p.userIDs(false)
		if err != nil {
			return err
		}
		return q.RemoveInboxMembers(ctx, accountID, int64(p.InboxID), ids)
	})
	if err != nil {
		return err
	}
	return okEmpty(w)
}

// listInboxAssignableAgents is the deprecated GET /inboxes/{id}/assignable_agents.
func (s *Server) listInboxAssignableAgents(w http.ResponseWriter, r *http.Request) error {
	in, err := s.inboxFromPath(r, "id")
	if err != nil {
		return err
	}
	agents, err := s.store.Read().AssignableAgents(r.Context(), in.AccountID, []int64{in.ID})
	if err != nil {
		return err
	}
	return agentsPayload(w, agents)
}

// listAssignableAgents is GET /assignable_agents?inbox_ids[]=1&inbox_ids[]=2:
// the members common to all those inboxes plus every administrator. Each
// inbox must be one the caller may see (member*); a missing, unknown or
// foreign inbox id is 404.
func (s *Server) listAssignableAgents(w http.ResponseWriter, r *http.Request) error {
	query := r.URL.Query()
	values, present := query["inbox_ids[]"]
	if more, ok := query["inbox_ids"]; ok {
		values, present = append(values, more...), true
	}
	if !present {
		return criachat.Errorf(criachat.ENOTFOUND, "inbox not found")
	}
	seen := map[int64]bool{}
	var ids []int64
	for _, v := range values {
		id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || id <= 0 {
			return criachat.Errorf(criachat.ENOTFOUND, "inbox not found")
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	ctx := r.Context()
	m := caller(r).member
	inboxes, err := s.store.Read().InboxesByIDs(ctx, m.AccountID, ids)
	if err != nil {
		return err
	}
	if len(inboxes) != len(ids) {
		return criachat.Errorf(criachat.ENOTFOUND, "inbox not found")
	}
	if !m.IsAdmin() {
		mine, err := s.store.Read().MemberInboxIDs(ctx, m.AccountID, m.UserID)
		if err != nil {
			return err
		}
		allowed := make(map[int64]bool, len(mine))
		for _, id := range mine {
			allowed[id] = true
		}
		for _, id := range ids {
			if !allowed[id] {
				return criachat.Errorf(criachat.EUNAUTHORIZED, msgNotAuthorized)
			}
		}
	}
	agents, err := s.store.Read().AssignableAgents(ctx, m.AccountID, ids)
	if err != nil {
		return err
	}
	return agentsPayload(w, agents)
}
