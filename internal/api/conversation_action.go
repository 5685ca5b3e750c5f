package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/criachat/criachat/internal/conversation"
	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/present"
	"github.com/criachat/criachat/internal/store"
)

// createConversationParams is the body of POST /conversations (reference §3.5).
type createConversationParams struct {
	SourceID             *flexString    `json:"source_id"`
	InboxID              flexInt        `json:"inbox_id"`
	ContactID            flexInt        `json:"contact_id"`
	Status               *string        `json:"status"`
	AssigneeID           *flexInt       `json:"assignee_id"`
	TeamID               *flexInt       `json:"team_id"`
	AdditionalAttributes map[string]any `json:"additional_attributes"`
	CustomAttributes     map[string]any `json:"custom_attributes"`
	Message              *messageParams `json:"message"`
}

func optID(f *flexInt) *int64 {
	if f == nil || *f == 0 {
		return nil
	}
	v := int64(*f)
	return &v
}

func (s *Server) createConversation(w http.ResponseWriter, r *http.Request) error {
	var p createConversationParams
	if err := decode(r, "", &p); err != nil {
		return err
	}
	cp := conversation.CreateParams{
		InboxID: int64(p.InboxID), ContactID: int64(p.ContactID), AssigneeID: optID(p.AssigneeID), TeamID: optID(p.TeamID),
		AdditionalAttributes: p.AdditionalAttributes, CustomAttributes: p.CustomAttributes,
	}
	if p.SourceID != nil {
		cp.SourceID = string(*p.SourceID)
	}
	if p.Status != nil {
		cp.Status = criachat.ConversationStatus(*p.Status)
	}
	if p.Message != nil {
		mp := p.Message.service()
		cp.Message = &mp
	}
	a := actorOf(r)
	c, _, _, err := s.conversations.Create(r.Context(), a, caller(r).accountID(), cp, func(in *criachat.Inbox) error {
		return s.canUseInbox(r, in)
	})
	if err != nil {
		return err
	}
	return s.writeConversation(w, r, c)
}

// canUseInbox applies the member* rule to an inbox: administrators, or agents
// who are members of it. An agent bot may use every inbox of its account.
func (s *Server) canUseInbox(r *http.Request, in *criachat.Inbox) error {
	p := caller(r)
	if p.bot != nil || p.member.IsAdmin() {
		return nil
	}
	member, err := s.store.Read().IsInboxMember(r.Context(), in.ID, p.user.ID)
	if err != nil {
		return err
	}
	if !member {
		return criachat.Errorf(criachat.EUNAUTHORIZED, msgNotAuthorized)
	}
	return nil
}

func (s *Server) showConversation(w http.ResponseWriter, r *http.Request) error {
	c, err := s.conversationFromPath(r)
	if err != nil {
		return err
	}
	return s.writeConversation(w, r, c)
}

// updateConversation is PATCH /conversations/{id}: only priority is permitted.
func (s *Server) updateConversation(w http.ResponseWriter, r *http.Request) error {
	var p struct {
		Priority *string `json:"priority"`
	}
	c, err := s.conversationWithBody(r, &p)
	if err != nil {
		return err
	}
	if p.Priority != nil {
		if c, err = s.conversations.SetPriority(r.Context(), actorOf(r), c.AccountID, c.DisplayID, criachat.Priority(*p.Priority)); err != nil {
			return err
		}
	}
	return s.writeConversation(w, r, c)
}

func (s *Server) deleteConversation(w http.ResponseWriter, r *http.Request) error {
	c, err := s.conversationFromPath(r)
	if err != nil {
		return err
	}
	var files []string
	err = s.store.Tx(r.Context(), func(q *store.Queries) (err error) {
		if files, err = q.ConversationStorageKeys(r.Context(), c.AccountID, c.ID); err != nil {
			return err
		}
		// The payload is rendered before the rows go.
		if err := s.events.Conversation(r.Context(), q, c, nil, criachat.EventConversationDeleted); err != nil {
			return err
		}
		return q.DeleteConversation(r.Context(), c.AccountID, c.ID)
	})
	if err != nil {
		return err
	}
	s.removeKeys(context.WithoutCancel(r.Context()), files) // the rows went with the messages
	return okEmpty(w)
}

// toggleStatus is POST /conversations/{id}/toggle_status (reference §3.5):
// {"payload":{"success":true,"conversation_id":…,"current_status":…,"snoozed_until":…}}.
func (s *Server) toggleStatus(w http.ResponseWriter, r *http.Request) error {
	var p struct {
		Status       *string     `json:"status"`
		SnoozedUntil *flexString `json:"snoozed_until"`
	}
	c, err := s.conversationWithBody(r, &p)
	if err != nil {
		return err
	}
	var status *criachat.ConversationStatus
	if p.Status != nil && *p.Status != "" {
		st := criachat.ConversationStatus(*p.Status)
		status = &st
	}
	var until *time.Time
	if p.SnoozedUntil != nil && *p.SnoozedUntil != "" {
		secs, err := strconv.ParseInt(string(*p.SnoozedUntil), 10, 64)
		if err != nil {
			return criachat.Errorf(criachat.EINVALID, "snoozed_until must be unix seconds")
		}
		t := time.Unix(secs, 0).UTC()
		until = &t
	}
	// A bot opening a pending conversation is Chatwoot's bot_handoff!, which
	// leaves success null.
	var success any = true
	if caller(r).bot != nil && c.Status == criachat.StatusPending && status != nil && *status == criachat.StatusOpen {
		success = nil
	}
	res, err := s.conversations.ToggleStatus(r.Context(), actorOf(r), c.AccountID, c.DisplayID, status, until)
	if err != nil {
		return err
	}
	return ok(w, map[string]any{"payload": map[string]any{
		"success": success, "conversation_id": res.Conversation.DisplayID, "current_status": res.Conversation.Status,
		"snoozed_until": present.ISOTimePtr(res.Conversation.SnoozedUntil),
	}})
}

// togglePriority is POST /conversations/{id}/toggle_priority: a blank priority clears it.
func (s *Server) togglePriority(w http.ResponseWriter, r *http.Request) error {
	var p struct {
		Priority *string `json:"priority"`
	}
	c, err := s.conversationWithBody(r, &p)
	if err != nil {
		return err
	}
	prio := criachat.PriorityNone
	if p.Priority != nil {
		prio = criachat.Priority(strings.TrimSpace(*p.Priority))
	}
	if _, err := s.conversations.SetPriority(r.Context(), actorOf(r), c.AccountID, c.DisplayID, prio); err != nil {
		return err
	}
	return okEmpty(w)
}

// toggleTypingStatus is POST /conversations/{id}/toggle_typing_status
// {typing_status: on|off|recording, is_private}: 200 with no body. "on" and
// "off" fire conversation_typing_on/_off; "recording" (a voice note) has no
// webhook event in Chatwoot and none here.
func (s *Server) toggleTypingStatus(w http.ResponseWriter, r *http.Request) error {
	var p struct {
		TypingStatus *string   `json:"typing_status"`
		IsPrivate    *flexBool `json:"is_private"`
	}
	c, err := s.conversationWithBody(r, &p)
	if err != nil {
		return err
	}
	status := ""
	if p.TypingStatus != nil {
		status = *p.TypingStatus
	}
	switch status {
	case "on", "off":
		private := p.IsPrivate != nil && bool(*p.IsPrivate)
		if err := s.conversations.Typing(r.Context(), actorOf(r), c.AccountID, c.DisplayID, status == "on", private); err != nil {
			return err
		}
	case "recording":
	default:
		return criachat.Invalid("Typing status must be on, off or recording", "typing_status")
	}
	return okEmpty(w)
}

// setCustomAttributes is POST /conversations/{id}/custom_attributes: replaces the hash.
func (s *Server) setCustomAttributes(w http.ResponseWriter, r *http.Request) error {
	var p struct {
		CustomAttributes map[string]any `json:"custom_attributes"`
	}
	c, err := s.conversationWithBody(r, &p)
	if err != nil {
		return err
	}
	c, err = s.conversations.Update(r.Context(), c.AccountID, c.DisplayID, func(c *criachat.Conversation) error {
		c.CustomAttributes = p.CustomAttributes
		return nil
	})
	if err != nil {
		return err
	}
	return ok(w, map[string]any{"custom_attributes": c.CustomAttributes})
}

// assign is POST /conversations/{id}/assignments: assignee_id (null
// unassigns) answers the agent or null; team_id answers the raw team or null.
func (s *Server) assign(w http.ResponseWriter, r *http.Request) error {
	var p struct {
		AssigneeID   *flexInt `json:"assignee_id"`
		AssigneeType *string  `json:"assignee_type"`
		TeamID       *flexInt `json:"team_id"`
	}
	c, err := s.conversationWithBody(r, &p)
	if err != nil {
		return err
	}
	a := actorOf(r)
	switch {
	case p.AssigneeType != nil && *p.AssigneeType == criachat.OwnerAgentBot:
		var bot *criachat.AgentBot
		if p.AssigneeID != nil {
			if bot, err = s.conversations.AssignAgentBot(r.Context(), a, c.AccountID, c.DisplayID, int64(*p.AssigneeID)); err != nil {
				return err
			}
		}
		if bot == nil {
			return ok(w, nil)
		}
		return ok(w, presentAgentBotSlim(bot))
	case p.AssigneeID != nil || p.TeamID == nil:
		agent, err := s.conversations.AssignUser(r.Context(), a, c.AccountID, c.DisplayID, optID(p.AssigneeID))
		if err != nil {
			return err
		}
		if agent == nil {
			return ok(w, nil)
		}
		return ok(w, presentAgent(*agent))
	default:
		team, err := s.conversations.AssignTeam(r.Context(), a, c.AccountID, c.DisplayID, optID(p.TeamID))
		if err != nil {
			return err
		}
		if team == nil {
			return ok(w, nil)
		}
		return ok(w, presentTeamRecord(team))
	}
}

func (s *Server) conversationLabels(w http.ResponseWriter, r *http.Request) error {
	c, err := s.conversationFromPath(r)
	if err != nil {
		return err
	}
	return ok(w, map[string]any{"payload": c.Labels})
}

// setConversationLabels is POST /conversations/{id}/labels: replaces the set.
func (s *Server) setConversationLabels(w http.ResponseWriter, r *http.Request) error {
	var p struct {
		Labels []string `json:"labels"`
	}
	c, err := s.conversationWithBody(r, &p)
	if err != nil {
		return err
	}
	labels, err := s.conversations.SetLabels(r.Context(), actorOf(r), c.AccountID, c.DisplayID, p.Labels)
	if err != nil {
		return err
	}
	return ok(w, map[string]any{"payload": labels})
}

// updateLastSeen marks the conversation seen by the agent (and by the assignee
// when the caller is the assignee).
func (s *Server) updateLastSeen(w http.ResponseWriter, r *http.Request) error {
	c, err := s.conversationFromPath(r)
	if err != nil {
		return err
	}
	me := caller(r).user.ID
	now := time.Now()
	c, err = s.conversations.Update(r.Context(), c.AccountID, c.DisplayID, func(c *criachat.Conversation) error {
		c.AgentLastSeenAt = &now
		if c.AssigneeID != nil && *c.AssigneeID == me {
			c.AssigneeLastSeenAt = &now
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.writeConversation(w, r, c)
}

func (s *Server) muteConversation(w http.ResponseWriter, r *http.Request) error {
	return s.setMuted(w, r, true)
}

func (s *Server) unmuteConversation(w http.ResponseWriter, r *http.Request) error {
	return s.setMuted(w, r, false)
}

// setMuted is POST /conversations/{id}/mute and /unmute: 200 with an empty body.
func (s *Server) setMuted(w http.ResponseWriter, r *http.Request, muted bool) error {
	c, err := s.conversationFromPath(r)
	if err != nil {
		return err
	}
	if err := s.conversations.SetMuted(r.Context(), actorOf(r), c.AccountID, c.DisplayID, muted); err != nil {
		return err
	}
	return okEmpty(w)
}

// markUnread is POST /conversations/{id}/unread.
func (s *Server) markUnread(w http.ResponseWriter, r *http.Request) error {
	c, err := s.conversationFromPath(r)
	if err != nil {
		return err
	}
	if c, err = s.conversations.MarkUnread(r.Context(), c.AccountID, c.DisplayID); err != nil {
		return err
	}
	return s.writeConversation(w, r, c)
}
