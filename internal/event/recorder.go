// Package event records what happened: inside the transaction of a change it
// renders the webhook payload of each event (reference §4.5) from the stored
// state and appends it, with its deliveries, through store.AppendEvent.
// Nothing is sent from here; the webhook worker delivers after commit.
package event

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/present"
	"github.com/criachat/criachat/internal/secret"
	"github.com/criachat/criachat/internal/store"
)

// Recorder renders and appends events.
type Recorder struct {
	keeper *secret.Keeper // signs attachment URLs in payloads
}

// NewRecorder returns a recorder; k signs attachment URLs (may be nil in tests).
func NewRecorder(k *secret.Keeper) *Recorder { return &Recorder{keeper: k} }

// conversationContext is what a conversation's payload needs, loaded once
// for all the events of one change.
type conversationContext struct {
	data         conversationData
	inbox        idName
	contact      *criachat.Contact
	assigneeBot  int64
	destinations bool                         // EventContext.Destinations
	loaded       map[int64]criachat.Agent     // users met while loading (assignee), reused for senders
	bots         map[int64]*criachat.AgentBot // bots met, likewise
}

// loadConversation renders c's webhook_data from the stored state and what
// the caller knows.
func (r *Recorder) loadConversation(ctx context.Context, q *store.Queries, c *criachat.Conversation, k Known) (*conversationContext, error) {
	last, actor, ec := k.Last, k.Actor, k.Context
	if ec == nil {
		var err error
		if ec, err = q.EventContextOf(ctx, c); err != nil {
			return nil, err
		}
	}
	contact, ci := ec.Contact, ec.ContactInbox
	cc := &conversationContext{inbox: idName{c.InboxID, ec.InboxName}, contact: contact, destinations: ec.Destinations,
		loaded: map[int64]criachat.Agent{}, bots: map[int64]*criachat.AgentBot{}}
	if actor != nil && actor.User != nil && actor.Member != nil && actor.Member.AccountID == c.AccountID {
		cc.loaded[actor.User.ID] = *actor
	}
	d := conversationData{
		AdditionalAttributes: emptyIfNil(c.AdditionalAttributes), CanReply: true, Channel: string(ec.Channel),
		ContactInbox: presentContactInbox(ci), ID: c.DisplayID, InboxID: c.InboxID, Messages: []messagePush{},
		Labels: c.Labels, Status: string(c.Status), CustomAttributes: emptyIfNil(c.CustomAttributes),
		SnoozedUntil: timeOrNil(c.SnoozedUntil), UnreadCount: ec.Unread, FirstReplyCreatedAt: timeOrNil(c.FirstReplyCreatedAt),
		Priority: present.NullString(string(c.Priority)), WaitingSince: present.UnixOr0(c.WaitingSince),
		AgentLastSeenAt: present.UnixOr0(c.AgentLastSeenAt), ContactLastSeenAt: present.UnixOr0(c.ContactLastSeenAt),
		LastActivityAt: c.LastActivityAt.Unix(), Timestamp: c.LastActivityAt.Unix(), CreatedAt: c.CreatedAt.Unix(),
		UpdatedAt: present.FloatSeconds(c.UpdatedAt), Account: idName{c.AccountID, ec.AccountName},
	}
	if d.Labels == nil {
		d.Labels = []string{}
	}
	d.Meta.Sender = present.ContactPush(contact)
	if ci.HMACVerified {
		d.Meta.HMACVerified = &ci.HMACVerified
	}
	// The users the payload may name (assignee, the last message's sender)
	// load in one query.
	var users []int64
	if c.AssigneeID != nil {
		users = append(users, *c.AssigneeID)
	}
	if last != nil && last.SenderType == criachat.OwnerUser && last.SenderID != nil {
		users = append(users, *last.SenderID)
	}
	if err := cc.loadAgents(ctx, q, c.AccountID, users); err != nil {
		return nil, err
	}
	if c.AssigneeID != nil {
		a, err := cc.agent(ctx, q, c.AccountID, *c.AssigneeID)
		if err != nil {
			return nil, err
		}
		if a.User != nil {
			t := "User"
			d.Meta.Assignee, d.Meta.AssigneeType = present.UserPush(a), &t
		}
	} else if c.AssigneeAgentBotID != nil {
		cc.assigneeBot = *c.AssigneeAgentBotID
		bot, err := cc.bot(ctx, q, c.AccountID, cc.assigneeBot)
		if err != nil {
			return nil, err
		}
		if bot != nil {
			t := criachat.OwnerAgentBot
			d.Meta.Assignee, d.Meta.AssigneeType = present.AgentBotPush(bot), &t
		}
	}
	if c.TeamID != nil {
		t, err := q.Team(ctx, c.AccountID, *c.TeamID)
		if err != nil && criachat.ErrorCode(err) != criachat.ENOTFOUND {
			return nil, err
		}
		if t != nil {
			d.Meta.Team = &idName{t.ID, t.Name}
		}
	}
	if last == nil {
		list, err := q.LastChatMessage(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		if len(list) > 0 {
			last = list[0]
			if err := q.LoadAttachments(ctx, c.AccountID, last); err != nil {
				return nil, err
			}
		}
	}
	cc.data = d
	if last != nil {
		from, err := cc.sender(ctx, q, last)
		if err != nil {
			return nil, err
		}
		cc.data.Messages = []messagePush{r.messagePush(last, c, ci.SourceID, ec.Unread, from.push())}
	}
	return cc, nil
}

// sender is who sent a message, at most one field set (none for a system
// message or a sender that is gone).
type sender struct {
	contact *criachat.Contact
	agent   *criachat.Agent
	bot     *criachat.AgentBot
}

// sender loads a message's sender once per batch.
func (cc *conversationContext) sender(ctx context.Context, q *store.Queries, m *criachat.Message) (sender, error) {
	if m.SenderID == nil {
		return sender{}, nil
	}
	id := *m.SenderID
	switch m.SenderType {
	case "Contact":
		if id == cc.contact.ID {
			return sender{contact: cc.contact}, nil
		}
		c, err := q.Contact(ctx, m.AccountID, id)
		return sender{contact: c}, err
	case criachat.OwnerUser:
		a, err := cc.agent(ctx, q, m.AccountID, id)
		if err != nil || a.User == nil {
			return sender{}, err
		}
		return sender{agent: &a}, nil
	case criachat.OwnerAgentBot:
		b, err := cc.bot(ctx, q, m.AccountID, id)
		return sender{bot: b}, err
	}
	return sender{}, nil
}

// push renders the sender as push_event_data (nil when there is none).
func (s sender) push() any {
	switch {
	case s.contact != nil:
		return present.ContactPush(s.contact)
	case s.agent != nil:
		return present.UserPush(*s.agent)
	case s.bot != nil:
		return present.AgentBotPush(s.bot)
	}
	return nil
}

// webhookData renders the sender as its webhook_data (nil when there is none).
func (s sender) webhookData(account idName) any {
	switch {
	case s.contact != nil:
		return presentContact(s.contact, account)
	case s.agent != nil:
		return userData{ID: s.agent.User.ID, Name: s.agent.User.Name, Email: s.agent.User.Email, Type: "user"}
	case s.bot != nil:
		return botData{ID: s.bot.ID, Name: s.bot.Name, Type: "agent_bot"}
	}
	return nil
}

// bot loads an agent bot once per batch; nil when it is gone.
func (cc *conversationContext) bot(ctx context.Context, q *store.Queries, accountID, id int64) (*criachat.AgentBot, error) {
	if b, ok := cc.bots[id]; ok {
		return b, nil
	}
	b, err := q.AgentBot(ctx, accountID, id)
	if criachat.IsNotFound(err) {
		b, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	cc.bots[id] = b
	return b, nil
}

// agent returns a user of the account once per batch (a zero Agent when it
// is gone).
func (cc *conversationContext) agent(ctx context.Context, q *store.Queries, accountID, userID int64) (criachat.Agent, error) {
	if a, ok := cc.loaded[userID]; ok {
		return a, nil
	}
	if err := cc.loadAgents(ctx, q, accountID, []int64{userID}); err != nil {
		return criachat.Agent{}, err
	}
	return cc.loaded[userID], nil
}

// loadAgents loads the users not loaded yet, in one query.
func (cc *conversationContext) loadAgents(ctx context.Context, q *store.Queries, accountID int64, ids []int64) error {
	ids = slices.DeleteFunc(ids, func(id int64) bool { _, ok := cc.loaded[id]; return ok })
	if len(ids) == 0 {
		return nil
	}
	agents, err := q.AgentsByIDs(ctx, accountID, ids)
	if err != nil {
		return err
	}
	for _, id := range ids {
		cc.loaded[id] = agents[id] // zero when gone: not looked up again
	}
	return nil
}

func (r *Recorder) messagePush(m *criachat.Message, c *criachat.Conversation, sourceID string, unread int, sender any) messagePush {
	j := messagePush{
		ID: m.ID, Content: content(m), AccountID: m.AccountID, InboxID: m.InboxID, ConversationID: c.DisplayID,
		MessageType: int(m.MessageType), CreatedAt: m.CreatedAt.Unix(), UpdatedAt: present.ISOTime(m.UpdatedAt),
		Private: m.Private, Status: string(m.Status), SourceID: present.NullString(m.SourceID), ContentType: m.ContentType,
		ContentAttributes: emptyIfNil(m.ContentAttributes), SenderID: m.SenderID, ExternalSourceIDs: map[string]any{},
		AdditionalAttributes: map[string]any{}, ProcessedMessageContent: content(m), Sentiment: map[string]any{},
		Conversation: messagePushConversation{AssigneeID: c.AssigneeID, UnreadCount: unread,
			LastActivityAt: c.LastActivityAt.Unix(), ContactInbox: sourceIDHolder{sourceID}},
		Attachments: present.Attachments(r.keeper, m.Attachments), Sender: sender,
	}
	if m.SenderType != "" {
		j.SenderType = &m.SenderType
	}
	return j
}

// Batch renders the events of one change to a conversation from one load of
// its state (see Recorder.Record) and writes them together.
type Batch struct {
	r       *Recorder
	q       *store.Queries
	c       *criachat.Conversation
	cc      *conversationContext
	final   bool // Known.Final
	pending []*criachat.Event
}

// Known is what a caller already holds of a conversation's payload state;
// each field given saves a query.
type Known struct {
	// Last is the conversation's newest chat message (a message just created).
	Last *criachat.Message
	// Actor is the user making the change as the request loaded them:
	// payloads that name that user (as sender or assignee) use it.
	Actor *criachat.Agent
	// Context is the conversation's EventContext as of the change, read in
	// its transaction (store.ConversationInContext).
	Context *store.EventContext
	// Final says that the caller's transaction changes nothing the payloads
	// show after Record returns, so they may be rendered later (Event.Body).
	Final bool
}

// Record reads what the payloads of conversation c need (beyond what the
// caller knows), lets add render the events of a change (take it after the
// change is written), and appends them all at once.
func (r *Recorder) Record(ctx context.Context, q *store.Queries, c *criachat.Conversation, k Known, add func(b *Batch) error) error {
	cc, err := r.loadConversation(ctx, q, c, k)
	if err != nil {
		return err
	}
	b := &Batch{r: r, q: q, c: c, cc: cc, final: k.Final}
	if err := add(b); err != nil {
		return err
	}
	return q.AppendEvents(ctx, b.pending, store.EventRoute{AssigneeBotID: cc.assigneeBot,
		Undeliverable: !cc.destinations && cc.assigneeBot == 0})
}

// Conversation appends one event per type about the conversation, with the
// changes that caused them (changed_attributes, for conversation_updated).
func (b *Batch) Conversation(ctx context.Context, changes []Change, types ...criachat.EventType) error {
	for _, t := range types {
		body := struct {
			conversationData
			Event             criachat.EventType `json:"event"`
			ChangedAttributes []map[string]any   `json:"changed_attributes,omitempty"`
		}{conversationData: b.cc.data, Event: t}
		if t == criachat.EventConversationUpdated {
			body.ChangedAttributes = changedAttributes(changes)
		}
		if err := b.append(nil, t, body); err != nil {
			return err
		}
	}
	return nil
}

// Mentioned appends conversation_mentioned for a user mentioned in note m:
// the conversation's webhook_data, then "event", then the user's
// webhook_data as "mentioned_user" (Chatwoot sends the conversation to the
// mentioned user's stream; the feed has one stream, so it names the user).
func (b *Batch) Mentioned(ctx context.Context, m *criachat.Message, user *criachat.User) error {
	t := criachat.EventConversationMentioned
	body := struct {
		conversationData
		Event         criachat.EventType `json:"event"`
		MentionedUser userData           `json:"mentioned_user"`
	}{b.cc.data, t, userData{ID: user.ID, Name: user.Name, Email: user.Email, Type: "user"}}
	return b.append(m, t, body)
}

// Message appends events about message m of the conversation (message_created,
// message_updated, message_deleted). Activity messages have no events.
func (b *Batch) Message(ctx context.Context, m *criachat.Message, types ...criachat.EventType) error {
	if m.MessageType == criachat.MessageActivity || len(types) == 0 {
		return nil
	}
	cc := b.cc
	from, err := cc.sender(ctx, b.q, m)
	if err != nil {
		return err
	}
	for _, t := range types {
		body := struct {
			messageData
			Event criachat.EventType `json:"event"`
		}{messageData: messageData{
			Account: cc.data.Account, AdditionalAttributes: map[string]any{}, ContentAttributes: emptyIfNil(m.ContentAttributes),
			ContentType: m.ContentType, Content: content(m), Conversation: cc.data, CreatedAt: present.ISOTime(m.CreatedAt),
			ID: m.ID, Inbox: cc.inbox, MessageType: m.MessageType.String(), Private: m.Private, Sender: from.webhookData(cc.data.Account),
			SourceID: present.NullString(m.SourceID), Attachments: present.Attachments(b.r.keeper, m.Attachments),
		}, Event: t}
		if err := b.append(m, t, body); err != nil {
			return err
		}
	}
	return nil
}

// append renders an event of the batch (or leaves body to the store to
// render, when the batch is Final); Record writes it.
func (b *Batch) append(m *criachat.Message, t criachat.EventType, body any) error {
	c := b.c
	inbox, conv, contact := c.InboxID, c.ID, c.ContactID
	e := &criachat.Event{AccountID: c.AccountID, Type: t, InboxID: &inbox, ConversationID: &conv, ContactID: &contact, Body: body}
	if !b.final {
		if err := e.Render(); err != nil {
			return err
		}
	}
	if m != nil {
		id := m.ID
		e.MessageID = &id
	}
	b.pending = append(b.pending, e)
	return nil
}

// Conversation appends the given events about conversation c (nothing when
// there are none), loading its state once.
func (r *Recorder) Conversation(ctx context.Context, q *store.Queries, c *criachat.Conversation, changes []Change, types ...criachat.EventType) error {
	if len(types) == 0 {
		return nil
	}
	return r.Record(ctx, q, c, Known{}, func(b *Batch) error { return b.Conversation(ctx, changes, types...) })
}

// ContactUpdated appends contact_updated with what changed from before to
// after (ContactChanges), and nothing when nothing did.
func (r *Recorder) ContactUpdated(ctx context.Context, q *store.Queries, before, after *criachat.Contact) error {
	changes := ContactChanges(before, after)
	if len(changes) == 0 {
		return nil
	}
	return r.Contact(ctx, q, after, changes, criachat.EventContactUpdated)
}

// Contact appends an event about a contact (contact_created, contact_updated
// with its changes, contact_deleted, contact_merged).
func (r *Recorder) Contact(ctx context.Context, q *store.Queries, c *criachat.Contact, changes []Change, t criachat.EventType) error {
	account, err := q.Account(ctx, c.AccountID)
	if err != nil {
		return err
	}
	body := struct {
		contactData
		Event             criachat.EventType `json:"event"`
		ChangedAttributes []map[string]any   `json:"changed_attributes,omitempty"`
	}{contactData: presentContact(c, idName{account.ID, account.Name}), Event: t}
	if t == criachat.EventContactUpdated {
		body.ChangedAttributes = changedAttributes(changes)
	}
	payload, err := json.Marshal(body)
	if err != nil {
		return err
	}
	id := c.ID
	return q.AppendEvent(ctx, &criachat.Event{AccountID: c.AccountID, Type: t, ContactID: &id, Payload: payload}, store.EventRoute{})
}

// Typing appends conversation_typing_on or _off (reference §4.4): who types
// (a user's or bot's webhook_data), the conversation, and whether it is a
// private note. Exactly one of user and bot is set.
func (b *Batch) Typing(ctx context.Context, user *criachat.User, bot *criachat.AgentBot, on, private bool) error {
	t := criachat.EventConversationTypingOff
	if on {
		t = criachat.EventConversationTypingOn
	}
	var who any
	switch {
	case user != nil:
		who = userData{ID: user.ID, Name: user.Name, Email: user.Email, Type: "user"}
	case bot != nil:
		who = botData{ID: bot.ID, Name: bot.Name, Type: "agent_bot"}
	}
	body := struct {
		Event        criachat.EventType `json:"event"`
		User         any                `json:"user"`
		Conversation conversationData   `json:"conversation"`
		IsPrivate    bool               `json:"is_private"`
	}{t, who, b.cc.data, private}
	return b.append(nil, t, body)
}
