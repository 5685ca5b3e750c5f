package api

import (
	"context"
	"net/http"
	"strconv"

	"github.com/criachat/criachat/internal/conversation"
	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/present"
)

// messageJSON is Chatwoot's REST message object (app/views/api/v1/models/_message.json.jbuilder):
// integer message_type, string content_type and status, integer created_at,
// conversation_id as the display id.
type messageJSON struct {
	ID                int64                    `json:"id"`
	Content           *string                  `json:"content"`
	InboxID           int64                    `json:"inbox_id"`
	EchoID            string                   `json:"echo_id,omitempty"`
	ConversationID    int64                    `json:"conversation_id"`
	MessageType       int                      `json:"message_type"`
	ContentType       string                   `json:"content_type"`
	Status            string                   `json:"status"`
	ContentAttributes map[string]any           `json:"content_attributes"`
	CreatedAt         int64                    `json:"created_at"`
	Private           bool                     `json:"private"`
	SourceID          *string                  `json:"source_id"`
	Sender            any                      `json:"sender,omitempty"`
	Attachments       []present.AttachmentJSON `json:"attachments,omitempty"`
}

func presentMessage(m *criachat.Message, displayID int64, sender any) messageJSON {
	j := messageJSON{
		ID: m.ID, Content: present.NullString(m.Content), InboxID: m.InboxID, EchoID: m.EchoID, ConversationID: displayID,
		MessageType: int(m.MessageType), ContentType: m.ContentType, Status: string(m.Status),
		ContentAttributes: m.ContentAttributes, CreatedAt: m.CreatedAt.Unix(), Private: m.Private,
		SourceID: present.NullString(m.SourceID), Sender: sender,
	}
	if m.MessageType == criachat.MessageActivity || m.Content != "" {
		j.Content = &m.Content
	}
	return j
}

// messageParams is the JSON body of POST …/messages.
type messageParams struct {
	Content           *string        `json:"content"`
	MessageType       *string        `json:"message_type"`
	ContentType       *string        `json:"content_type"`
	ContentAttributes jsonObject     `json:"content_attributes"`
	Private           *flexBool      `json:"private"`
	SourceID          *string        `json:"source_id"`
	EchoID            *flexString    `json:"echo_id"`
	TemplateParams    map[string]any `json:"template_params"`
}

func (p messageParams) service() conversation.MessageParams {
	mp := conversation.MessageParams{ContentAttributes: p.ContentAttributes.m}
	setStr(&mp.Content, p.Content)
	setStr(&mp.MessageType, p.MessageType)
	setStr(&mp.ContentType, p.ContentType)
	setStr(&mp.SourceID, p.SourceID)
	if p.EchoID != nil {
		mp.EchoID = string(*p.EchoID)
	}
	if p.Private != nil {
		mp.Private = bool(*p.Private)
	}
	if p.TemplateParams != nil {
		if mp.ContentAttributes == nil {
			mp.ContentAttributes = map[string]any{}
		}
		mp.ContentAttributes["template_params"] = p.TemplateParams
	}
	return mp
}

// messageID parses the message id in the path.
func messageID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("message_id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, criachat.Errorf(criachat.ENOTFOUND, "message not found")
	}
	return id, nil
}

// Message page sizes of GET …/messages (reference §3.6).
const (
	messagesLatest  = 20
	messagesAfter   = 100
	messagesBetween = 1000
)

// listMessages is GET /conversations/{id}/messages: the 20 latest, or 20 before
// a message id, or up to 100 after one, or up to 1000 between two, oldest first.
func (s *Server) listMessages(w http.ResponseWriter, r *http.Request) error {
	c, err := s.conversationFromPath(r)
	if err != nil {
		return err
	}
	v := r.URL.Query()
	before, err := queryInt(v.Get("before"))
	if err != nil {
		return err
	}
	after, err := queryInt(v.Get("after"))
	if err != nil {
		return err
	}
	limit := messagesLatest
	switch {
	case before > 0 && after > 0:
		limit = messagesBetween
	case after > 0:
		limit = messagesAfter
	}
	msgs, err := s.store.Read().Messages(r.Context(), c.ID, before, after, limit)
	if err != nil {
		return err
	}
	page, err := s.messagePage(r, c, msgs, true)
	if err != nil {
		return err
	}
	meta := map[string]any{
		"labels": c.Labels, "additional_attributes": c.AdditionalAttributes,
		"agent_last_seen_at": present.ISOTimePtr(c.AgentLastSeenAt), "assignee_last_seen_at": present.ISOTimePtr(c.AssigneeLastSeenAt),
	}
	if ct, ok := page.contacts[c.ContactID]; ok {
		meta["contact"] = present.ContactPush(ct)
	}
	if c.AssigneeID != nil {
		if a, ok := page.agents[*c.AssigneeID]; ok {
			meta["assignee"] = present.UserPush(a)
		}
	}
	out := make([]messageJSON, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, page.message(m, c.DisplayID))
	}
	return ok(w, map[string]any{"meta": meta, "payload": out})
}

// messagePage loads the senders of messages (and the conversation's contact
// and assignee), and with withAttachments their attachments, with a fixed
// number of queries.
func (s *Server) messagePage(r *http.Request, c *criachat.Conversation, msgs []*criachat.Message, withAttachments bool) (*conversationPage, error) {
	senders := senderIDs{contacts: []int64{c.ContactID}}
	if c.AssigneeID != nil {
		senders.users = append(senders.users, *c.AssigneeID)
	}
	for _, m := range msgs {
		senders.add(m)
	}
	q := s.store.Read()
	p := &conversationPage{keeper: s.keeper}
	if withAttachments {
		if err := q.LoadAttachments(r.Context(), c.AccountID, msgs...); err != nil {
			return nil, err
		}
	}
	return p, p.loadSenders(r.Context(), q, c.AccountID, &senders)
}

// writeMessage answers with one message. loadAttachments reads its
// attachments; without it m.Attachments is shown as it is.
func (s *Server) writeMessage(w http.ResponseWriter, r *http.Request, c *criachat.Conversation, m *criachat.Message, loadAttachments bool) error {
	if sender := callerAsSender(caller(r), m); !loadAttachments && sender != nil {
		// The caller wrote it: no need to load the sender.
		j := presentMessage(m, c.DisplayID, sender)
		j.Attachments = present.Attachments(s.keeper, m.Attachments)
		return ok(w, j)
	}
	page, err := s.messagePage(r, c, []*criachat.Message{m}, loadAttachments)
	if err != nil {
		return err
	}
	return ok(w, page.message(m, c.DisplayID))
}

// createMessage is POST /conversations/{id}/messages, with a JSON body or a
// multipart/form-data one carrying attachments[] (attachment.go).
func (s *Server) createMessage(w http.ResponseWriter, r *http.Request) error {
	var target conversation.MessageTarget
	c, err := s.accessibleConversation(r, func(ctx context.Context, accountID, displayID int64) (_ *criachat.Conversation, err error) {
		target, err = s.conversations.LoadMessageTarget(ctx, accountID, displayID)
		return target.Conversation, err
	})
	if err != nil {
		return err
	}
	var mp conversation.MessageParams
	if isMultipart(r) {
		if mp, err = s.readMultipartMessage(r, c.AccountID); err != nil {
			return err
		}
	} else {
		var p messageParams
		if err := decode(r, "", &p); err != nil {
			return err
		}
		mp = p.service()
	}
	c, m, err := s.conversations.CreateMessage(r.Context(), actorOf(r), target, mp)
	if err != nil {
		// The files were written before the transaction; no row names them now.
		s.removeFiles(context.WithoutCancel(r.Context()), mp.Attachments)
		return err
	}
	return s.writeMessage(w, r, c, m, false)
}

// updateMessage is PATCH /conversations/{id}/messages/{message_id}: status
// (and external_error) reported by an API-channel integrator.
func (s *Server) updateMessage(w http.ResponseWriter, r *http.Request) error {
	c, err := s.conversationFromPath(r)
	if err != nil {
		return err
	}
	id, err := messageID(r)
	if err != nil {
		return err
	}
	var p struct {
		Status        *string `json:"status"`
		ExternalError *string `json:"external_error"`
	}
	if err := decode(r, "", &p); err != nil {
		return err
	}
	if p.Status == nil {
		return criachat.Errorf(criachat.EINVALID, "param is missing or the value is empty: status")
	}
	c, m, err := s.conversations.UpdateMessageStatus(r.Context(), c.AccountID, c.DisplayID, id, criachat.MessageStatus(*p.Status), p.ExternalError)
	if err != nil {
		return err
	}
	return s.writeMessage(w, r, c, m, true)
}

// deleteMessage is DELETE /conversations/{id}/messages/{message_id} (soft delete).
func (s *Server) deleteMessage(w http.ResponseWriter, r *http.Request) error {
	c, err := s.conversationFromPath(r)
	if err != nil {
		return err
	}
	id, err := messageID(r)
	if err != nil {
		return err
	}
	c, m, removed, err := s.conversations.DeleteMessage(r.Context(), c.AccountID, c.DisplayID, id)
	if err != nil {
		return err
	}
	s.removeFiles(context.WithoutCancel(r.Context()), removed)
	return s.writeMessage(w, r, c, m, false)
}

// callerAsSender is the caller's push_event_data when the caller (a user or
// a bot) is m's sender, else nil.
func callerAsSender(me *principal, m *criachat.Message) any {
	switch {
	case m.SenderID == nil:
	case m.SenderType == criachat.OwnerUser && me.user != nil && *m.SenderID == me.user.ID:
		return present.UserPush(criachat.Agent{User: me.user, Member: me.member})
	case m.SenderType == criachat.OwnerAgentBot && me.bot != nil && *m.SenderID == me.bot.ID:
		return present.AgentBotPush(me.bot)
	}
	return nil
}
