package api

import (
	"context"
	"net/http"
	"strconv"

	"github.com/criachat/criachat/internal/conversation"
	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/present"
	"github.com/criachat/criachat/internal/secret"
	"github.com/criachat/criachat/internal/store"
)

// conversationJSON is Chatwoot's REST conversation
// (app/views/api/v1/conversations/partials/_conversation.json.jbuilder, reference §3.5, §7).
type conversationJSON struct {
	Meta                   conversationMetaJSON `json:"meta"`
	ID                     int64                `json:"id"`
	Messages               []any                `json:"messages"`
	AccountID              int64                `json:"account_id"`
	UUID                   string               `json:"uuid"`
	AdditionalAttributes   map[string]any       `json:"additional_attributes"`
	AgentLastSeenAt        int64                `json:"agent_last_seen_at"`
	AssigneeLastSeenAt     int64                `json:"assignee_last_seen_at"`
	CanReply               bool                 `json:"can_reply"`
	ContactLastSeenAt      int64                `json:"contact_last_seen_at"`
	CustomAttributes       map[string]any       `json:"custom_attributes"`
	InboxID                int64                `json:"inbox_id"`
	Labels                 []string             `json:"labels"`
	Muted                  bool                 `json:"muted"`
	SnoozedUntil           any                  `json:"snoozed_until"`
	Status                 string               `json:"status"`
	CreatedAt              int64                `json:"created_at"`
	UpdatedAt              float64              `json:"updated_at"`
	Timestamp              int64                `json:"timestamp"`
	FirstReplyCreatedAt    int64                `json:"first_reply_created_at"`
	UnreadCount            int                  `json:"unread_count"`
	LastNonActivityMessage any                  `json:"last_non_activity_message"`
	LastActivityAt         int64                `json:"last_activity_at"`
	Priority               *string              `json:"priority"`
	WaitingSince           int64                `json:"waiting_since"`
	SLAPolicyID            *int64               `json:"sla_policy_id"`
}

// conversationMetaJSON is the conversation's meta block. assignee and
// assignee_type are omitted when unassigned (reference §9.11).
type conversationMetaJSON struct {
	Sender       any    `json:"sender"`
	Channel      string `json:"channel"`
	Assignee     any    `json:"assignee,omitempty"`
	AssigneeType string `json:"assignee_type,omitempty"`
	Team         any    `json:"team,omitempty"`
	HMACVerified *bool  `json:"hmac_verified"`
}

// conversationPage holds what presenting a set of conversations needs, loaded
// with a fixed number of queries whatever the number of conversations.
type conversationPage struct {
	contacts        map[int64]*criachat.Contact
	agents          map[int64]criachat.Agent
	bots            map[int64]*criachat.AgentBot
	teams           map[int64]*criachat.Team
	inboxes         map[int64]*criachat.Inbox
	last, nonActive map[int64]*criachat.Message
	unread          map[int64]int
	callerID        int64
	keeper          *secret.Keeper // signs attachment URLs
}

func (s *Server) loadConversationPage(ctx context.Context, accountID, callerID int64, convs []*criachat.Conversation) (*conversationPage, error) {
	q := s.store.Read()
	p := &conversationPage{callerID: callerID, keeper: s.keeper}
	ids := make([]int64, 0, len(convs))
	var senders senderIDs
	var teamIDs, inboxIDs []int64
	for _, c := range convs {
		ids = append(ids, c.ID)
		senders.contacts = append(senders.contacts, c.ContactID)
		inboxIDs = append(inboxIDs, c.InboxID)
		senders.addAssignee(c)
		if c.TeamID != nil {
			teamIDs = append(teamIDs, *c.TeamID)
		}
	}
	var err error
	if p.last, p.nonActive, err = q.LastMessages(ctx, ids); err != nil {
		return nil, err
	}
	shown := make([]*criachat.Message, 0, len(p.last)+len(p.nonActive))
	for _, m := range p.last {
		shown = append(shown, m)
	}
	for _, m := range p.nonActive {
		shown = append(shown, m)
	}
	if err := q.LoadAttachments(ctx, accountID, shown...); err != nil {
		return nil, err
	}
	for _, m := range shown {
		senders.add(m)
	}
	if err := p.loadSenders(ctx, q, accountID, &senders); err != nil {
		return nil, err
	}
	if p.teams, err = q.TeamsByIDs(ctx, accountID, teamIDs); err != nil {
		return nil, err
	}
	inboxes, err := q.InboxesByIDs(ctx, accountID, inboxIDs)
	if err != nil {
		return nil, err
	}
	p.inboxes = map[int64]*criachat.Inbox{}
	for _, in := range inboxes {
		p.inboxes[in.ID] = in
	}
	if p.unread, err = q.UnreadCounts(ctx, ids); err != nil {
		return nil, err
	}
	return p, nil
}

// senderIDs collects the ids of the people and bots a page of messages and
// conversations shows, to load each kind with one query.
type senderIDs struct{ users, contacts, bots []int64 }

// add collects a message's sender.
func (ids *senderIDs) add(m *criachat.Message) {
	if m.SenderID == nil {
		return
	}
	switch m.SenderType {
	case criachat.OwnerUser:
		ids.users = append(ids.users, *m.SenderID)
	case "Contact":
		ids.contacts = append(ids.contacts, *m.SenderID)
	case criachat.OwnerAgentBot:
		ids.bots = append(ids.bots, *m.SenderID)
	}
}

// addAssignee collects a conversation's assignee, a user or a bot.
func (ids *senderIDs) addAssignee(c *criachat.Conversation) {
	if c.AssigneeID != nil {
		ids.users = append(ids.users, *c.AssigneeID)
	}
	if c.AssigneeAgentBotID != nil {
		ids.bots = append(ids.bots, *c.AssigneeAgentBotID)
	}
}

// loadSenders loads the contacts, agents and bots that ids name.
func (p *conversationPage) loadSenders(ctx context.Context, q *store.Queries, accountID int64, ids *senderIDs) (err error) {
	if p.contacts, err = q.ContactsByIDs(ctx, accountID, ids.contacts); err != nil {
		return err
	}
	if p.agents, err = q.AgentsByIDs(ctx, accountID, ids.users); err != nil {
		return err
	}
	p.bots, err = q.AgentBotsByIDs(ctx, accountID, ids.bots)
	return err
}

// sender renders a message's sender as its push_event_data, or nil.
func (p *conversationPage) sender(m *criachat.Message) any {
	if m.SenderID == nil {
		return nil
	}
	switch m.SenderType {
	case criachat.OwnerUser:
		if a, ok := p.agents[*m.SenderID]; ok {
			return present.UserPush(a)
		}
	case "Contact":
		if c, ok := p.contacts[*m.SenderID]; ok {
			return present.ContactPush(c)
		}
	case criachat.OwnerAgentBot:
		if b, ok := p.bots[*m.SenderID]; ok {
			return present.AgentBotPush(b)
		}
	}
	return nil
}

// message renders a message with its sender and attachments (loaded by the page).
func (p *conversationPage) message(m *criachat.Message, displayID int64) messageJSON {
	j := presentMessage(m, displayID, p.sender(m))
	j.Attachments = present.Attachments(p.keeper, m.Attachments)
	return j
}

func (p *conversationPage) present(c *criachat.Conversation) conversationJSON {
	j := conversationJSON{
		ID: c.DisplayID, Messages: []any{}, AccountID: c.AccountID, UUID: c.UUID,
		AdditionalAttributes: c.AdditionalAttributes, AgentLastSeenAt: present.UnixOr0(c.AgentLastSeenAt),
		AssigneeLastSeenAt: present.UnixOr0(c.AssigneeLastSeenAt), CanReply: true, ContactLastSeenAt: present.UnixOr0(c.ContactLastSeenAt),
		CustomAttributes: c.CustomAttributes, InboxID: c.InboxID, Labels: c.Labels, SnoozedUntil: present.ISOTimePtr(c.SnoozedUntil),
		Status: string(c.Status), CreatedAt: c.CreatedAt.Unix(), UpdatedAt: present.FloatSeconds(c.UpdatedAt),
		Timestamp: c.LastActivityAt.Unix(), FirstReplyCreatedAt: present.UnixOr0(c.FirstReplyCreatedAt), UnreadCount: p.unread[c.ID],
		LastActivityAt: c.LastActivityAt.Unix(), Priority: present.NullString(string(c.Priority)), WaitingSince: present.UnixOr0(c.WaitingSince),
	}
	if in, ok := p.inboxes[c.InboxID]; ok {
		j.Meta.Channel = string(in.ChannelType)
	}
	if contact, ok := p.contacts[c.ContactID]; ok {
		j.Meta.Sender = present.ContactPush(contact)
		j.Muted = contact.Blocked
	}
	if c.AssigneeID != nil {
		if a, ok := p.agents[*c.AssigneeID]; ok {
			j.Meta.Assignee, j.Meta.AssigneeType = presentAgent(a), "User"
		}
	} else if c.AssigneeAgentBotID != nil {
		if b, ok := p.bots[*c.AssigneeAgentBotID]; ok {
			j.Meta.Assignee, j.Meta.AssigneeType = presentAgentBotSlim(b), criachat.OwnerAgentBot
		}
	}
	if c.TeamID != nil {
		if t, ok := p.teams[*c.TeamID]; ok {
			isMember := false // is_member needs the caller's teams; not shown in conversation meta lists
			j.Meta.Team = presentTeam(t, isMember)
		}
	}
	if m, ok := p.last[c.ID]; ok {
		j.Messages = append(j.Messages, p.message(m, c.DisplayID))
	}
	if m, ok := p.nonActive[c.ID]; ok {
		j.LastNonActivityMessage = p.message(m, c.DisplayID)
	}
	return j
}

// conversationFromPath loads the conversation named by the display id in the
// path and applies the member* rule: 404 when it is not in the account, 401
// when the caller may not see it.
func (s *Server) conversationFromPath(r *http.Request) (*criachat.Conversation, error) {
	return s.accessibleConversation(r, s.store.Read().Conversation)
}

// accessibleConversation is conversationFromPath with the conversation read
// by load (the account's id, the path's display id).
func (s *Server) accessibleConversation(r *http.Request, load func(ctx context.Context, accountID, displayID int64) (*criachat.Conversation, error)) (*criachat.Conversation, error) {
	id, err := strconv.ParseInt(r.PathValue("conversation_id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, criachat.Errorf(criachat.ENOTFOUND, "conversation not found")
	}
	c, err := load(r.Context(), caller(r).accountID(), id)
	if err != nil {
		return nil, err
	}
	ok, err := s.conversations.CanAccess(r.Context(), actorOf(r), c)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, criachat.Errorf(criachat.EUNAUTHORIZED, msgNotAuthorized)
	}
	return c, nil
}

// conversationWithBody is conversationFromPath followed by decoding the JSON
// body into dst, the start of most conversation actions.
func (s *Server) conversationWithBody(r *http.Request, dst any) (*criachat.Conversation, error) {
	c, err := s.conversationFromPath(r)
	if err != nil {
		return nil, err
	}
	return c, decode(r, "", dst)
}

func actorOf(r *http.Request) conversation.Actor {
	p := caller(r)
	return conversation.Actor{User: p.user, Member: p.member, Bot: p.bot}
}

// writeConversation answers with one conversation object.
func (s *Server) writeConversation(w http.ResponseWriter, r *http.Request, c *criachat.Conversation) error {
	page, err := s.loadConversationPage(r.Context(), c.AccountID, caller(r).callerID(), []*criachat.Conversation{c})
	if err != nil {
		return err
	}
	return ok(w, page.present(c))
}
