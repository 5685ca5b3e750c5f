package api

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/criachat/criachat/internal/conversation"
	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/store"
)

// bulkParams is the body of POST /bulk_actions (reference §3.5).
type bulkParams struct {
	Type         *string     `json:"type"`
	IDs          []flexInt   `json:"ids"`
	ActionName   *string     `json:"action_name"`
	Fields       *bulkFields `json:"fields"`
	SnoozedUntil *flexString `json:"snoozed_until"`
	Labels       *bulkLabels `json:"labels"`
}

type bulkFields struct {
	Status     *string     `json:"status"`
	AssigneeID flexNullInt `json:"assignee_id"`
	TeamID     flexNullInt `json:"team_id"`
}

type bulkLabels struct {
	Add    []string `json:"add"`
	Remove []string `json:"remove"`
}

func (p bulkParams) ids() []int64 {
	out := make([]int64, 0, len(p.IDs))
	for _, id := range p.IDs {
		out = append(out, int64(id))
	}
	return out
}

func (p bulkParams) labels() (add, remove []string) {
	if p.Labels == nil {
		return nil, nil
	}
	return p.Labels.Add, p.Labels.Remove
}

// camelize is Rails' String#camelize for the type param: "conversation" →
// "Conversation", "contact" → "Contact".
func camelize(s string) string {
	var b strings.Builder
	for _, part := range strings.Split(s, "_") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

// maxBulkIDs bounds one bulk action: each id is its own transaction, and the
// request is answered when they are all done.
const maxBulkIDs = 1000

// bulkActions is POST /bulk_actions: 200 with an empty body once the change
// is applied (Chatwoot queues a job; here it is done before the answer).
func (s *Server) bulkActions(w http.ResponseWriter, r *http.Request) error {
	var p bulkParams
	if err := decode(r, "", &p); err != nil {
		return err
	}
	if len(p.IDs) > maxBulkIDs {
		return criachat.Errorf(criachat.EINVALID, "A bulk action takes at most %d ids", maxBulkIDs)
	}
	typ := ""
	if p.Type != nil {
		typ = camelize(*p.Type)
	}
	switch typ {
	case "Conversation":
		return s.bulkConversations(w, r, p)
	case "Contact":
		return s.bulkContacts(w, r, p)
	}
	writeJSON(w, http.StatusUnprocessableEntity, map[string]bool{"success": false})
	return nil
}

// bulkConversations applies fields (status, assignee_id, team_id),
// snoozed_until and labels to the conversations with the display ids in ids
// that the caller may see; the rest are skipped. An assignee or team that is
// not the account's is refused before anything changes.
func (s *Server) bulkConversations(w http.ResponseWriter, r *http.Request, p bulkParams) error {
	ctx := r.Context()
	accountID := caller(r).member.AccountID
	var ch conversation.BulkChange
	ch.AddLabels, ch.RemoveLabels = p.labels()
	if f := p.Fields; f != nil {
		if f.Status != nil { // a null status changes nothing
			st := criachat.ConversationStatus(*f.Status)
			ch.Status = &st
		}
		if f.AssigneeID.set {
			ch.SetAssignee, ch.AssigneeID = true, f.AssigneeID.v
			if id := f.AssigneeID.v; id != nil {
				if _, err := s.store.Read().Agent(ctx, accountID, *id); criachat.IsNotFound(err) {
					return criachat.Errorf(criachat.EINVALID, "Invalid assignee_id")
				} else if err != nil {
					return err
				}
			}
		}
		if f.TeamID.set {
			ch.SetTeam = true
			if id := f.TeamID.v; id != nil && *id != 0 { // the dashboard sends 0 to remove the team
				if _, err := s.store.Read().Team(ctx, accountID, *id); criachat.IsNotFound(err) {
					return criachat.Errorf(criachat.EINVALID, "Invalid team_id")
				} else if err != nil {
					return err
				}
				ch.TeamID = id
			}
		}
	}
	if p.SnoozedUntil != nil && *p.SnoozedUntil != "" {
		t, err := parseSnoozedUntil(string(*p.SnoozedUntil))
		if err != nil {
			return err
		}
		ch.SnoozedUntil = &t
	}
	if _, err := s.conversations.Bulk(ctx, actorOf(r), accountID, p.ids(), ch); err != nil {
		return err
	}
	return okEmpty(w)
}

// parseSnoozedUntil reads unix seconds (what toggle_status takes) or an ISO
// 8601 time (what Rails would cast for a datetime attribute).
func parseSnoozedUntil(s string) (time.Time, error) {
	if secs, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(secs, 0).UTC(), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, criachat.Errorf(criachat.EINVALID, "snoozed_until must be unix seconds or an ISO 8601 time")
}

// bulkContacts deletes the account's contacts among ids (action_name
// "delete", administrators only) or removes and adds labels on them; ids of
// no contact of the account are skipped. Each contact changes in its own
// transaction.
func (s *Server) bulkContacts(w http.ResponseWriter, r *http.Request, p bulkParams) error {
	ctx := r.Context()
	c := caller(r)
	accountID := c.member.AccountID
	if p.ActionName != nil && *p.ActionName == "delete" {
		if !c.member.IsAdmin() {
			return criachat.Errorf(criachat.EUNAUTHORIZED, msgNotAuthorized)
		}
		for _, id := range p.ids() {
			err := s.store.Tx(ctx, func(q *store.Queries) error { return s.removeContact(ctx, q, accountID, id) })
			if err != nil && !criachat.IsNotFound(err) {
				return err
			}
		}
		return okEmpty(w)
	}
	add, remove := p.labels()
	add, remove = criachat.NormalizeLabels(add), criachat.NormalizeLabels(remove)
	if err := criachat.ValidateLabels(add); err != nil {
		return err
	}
	if len(add) == 0 && len(remove) == 0 {
		return okEmpty(w)
	}
	for _, id := range p.ids() {
		err := s.store.Tx(ctx, func(q *store.Queries) error {
			current, err := q.ContactLabels(ctx, accountID, id)
			if err != nil {
				return err
			}
			labels := make([]string, 0, len(current)+len(add))
			for _, l := range current {
				if !slices.Contains(remove, l) {
					labels = append(labels, l)
				}
			}
			_, err = q.SetContactLabels(ctx, accountID, id, append(labels, add...))
			return err
		})
		if err != nil && !criachat.IsNotFound(err) {
			return err
		}
	}
	return okEmpty(w)
}
