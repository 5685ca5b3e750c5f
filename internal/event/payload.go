package event

import (
	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/present"
)

// The payload shapes of reference §4.5, with keys in Chatwoot's order.

type idName struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// conversationData is conversation.webhook_data (push_data + account).
type conversationData struct {
	AdditionalAttributes map[string]any   `json:"additional_attributes"`
	CanReply             bool             `json:"can_reply"`
	Channel              string           `json:"channel"`
	ContactInbox         contactInboxData `json:"contact_inbox"`
	ID                   int64            `json:"id"`
	InboxID              int64            `json:"inbox_id"`
	Messages             []messagePush    `json:"messages"`
	Labels               []string         `json:"labels"`
	Meta                 conversationMeta `json:"meta"`
	Status               string           `json:"status"`
	CustomAttributes     map[string]any   `json:"custom_attributes"`
	SnoozedUntil         any              `json:"snoozed_until"`
	UnreadCount          int              `json:"unread_count"`
	FirstReplyCreatedAt  any              `json:"first_reply_created_at"`
	Priority             *string          `json:"priority"`
	WaitingSince         int64            `json:"waiting_since"`
	AgentLastSeenAt      int64            `json:"agent_last_seen_at"`
	ContactLastSeenAt    int64            `json:"contact_last_seen_at"`
	LastActivityAt       int64            `json:"last_activity_at"`
	Timestamp            int64            `json:"timestamp"`
	CreatedAt            int64            `json:"created_at"`
	UpdatedAt            float64          `json:"updated_at"`
	Account              idName           `json:"account"`
}

// contactInboxData is the raw contact_inbox record Chatwoot embeds.
type contactInboxData struct {
	ID           int64  `json:"id"`
	ContactID    int64  `json:"contact_id"`
	InboxID      int64  `json:"inbox_id"`
	SourceID     string `json:"source_id"`
	CreatedAt    string `json:"created_at"`
	UpdatedAt    string `json:"updated_at"`
	HMACVerified bool   `json:"hmac_verified"`
	PubsubToken  string `json:"pubsub_token"`
}

type conversationMeta struct {
	Sender       present.ContactPushJSON `json:"sender"`
	Assignee     any                     `json:"assignee"`
	AssigneeType *string                 `json:"assignee_type"`
	Team         *idName                 `json:"team"`
	HMACVerified *bool                   `json:"hmac_verified"`
}

// messagePush is a message's push_event_data: its columns, with the integer
// message_type and created_at, plus the conversation summary and sender.
type messagePush struct {
	ID                      int64                    `json:"id"`
	Content                 *string                  `json:"content"`
	AccountID               int64                    `json:"account_id"`
	InboxID                 int64                    `json:"inbox_id"`
	ConversationID          int64                    `json:"conversation_id"`
	MessageType             int                      `json:"message_type"`
	CreatedAt               int64                    `json:"created_at"`
	UpdatedAt               string                   `json:"updated_at"`
	Private                 bool                     `json:"private"`
	Status                  string                   `json:"status"`
	SourceID                *string                  `json:"source_id"`
	ContentType             string                   `json:"content_type"`
	ContentAttributes       map[string]any           `json:"content_attributes"`
	SenderType              *string                  `json:"sender_type"`
	SenderID                *int64                   `json:"sender_id"`
	ExternalSourceIDs       map[string]any           `json:"external_source_ids"`
	AdditionalAttributes    map[string]any           `json:"additional_attributes"`
	ProcessedMessageContent *string                  `json:"processed_message_content"`
	Sentiment               map[string]any           `json:"sentiment"`
	Conversation            messagePushConversation  `json:"conversation"`
	Attachments             []present.AttachmentJSON `json:"attachments,omitempty"`
	Sender                  any                      `json:"sender,omitempty"`
}

type messagePushConversation struct {
	AssigneeID     *int64         `json:"assignee_id"`
	UnreadCount    int            `json:"unread_count"`
	LastActivityAt int64          `json:"last_activity_at"`
	ContactInbox   sourceIDHolder `json:"contact_inbox"`
}

type sourceIDHolder struct {
	SourceID string `json:"source_id"`
}

// messageData is message.webhook_data: string message_type, ISO created_at.
type messageData struct {
	Account              idName                   `json:"account"`
	AdditionalAttributes map[string]any           `json:"additional_attributes"`
	ContentAttributes    map[string]any           `json:"content_attributes"`
	ContentType          string                   `json:"content_type"`
	Content              *string                  `json:"content"`
	Conversation         conversationData         `json:"conversation"`
	CreatedAt            string                   `json:"created_at"`
	ID                   int64                    `json:"id"`
	Inbox                idName                   `json:"inbox"`
	MessageType          string                   `json:"message_type"`
	Private              bool                     `json:"private"`
	Sender               any                      `json:"sender"`
	SourceID             *string                  `json:"source_id"`
	Attachments          []present.AttachmentJSON `json:"attachments,omitempty"`
}

// contactData is contact.webhook_data (no "type" key, unlike push data).
type contactData struct {
	Account              idName         `json:"account"`
	AdditionalAttributes map[string]any `json:"additional_attributes"`
	Avatar               string         `json:"avatar"`
	CustomAttributes     map[string]any `json:"custom_attributes"`
	Email                *string        `json:"email"`
	ID                   int64          `json:"id"`
	Identifier           *string        `json:"identifier"`
	Name                 string         `json:"name"`
	PhoneNumber          *string        `json:"phone_number"`
	Thumbnail            string         `json:"thumbnail"`
	Blocked              bool           `json:"blocked"`
}

// userData is a User's webhook_data.
type userData struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
	Type  string `json:"type"`
}

// botData is an AgentBot's webhook_data.
type botData struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"`
}

func presentContact(c *criachat.Contact, account idName) contactData {
	return contactData{Account: account, AdditionalAttributes: c.AdditionalAttributes, CustomAttributes: c.CustomAttributes,
		Email: present.NullString(c.Email), ID: c.ID, Identifier: present.NullString(c.Identifier), Name: c.Name,
		PhoneNumber: present.NullString(c.PhoneNumber), Blocked: c.Blocked}
}

func presentContactInbox(ci *criachat.ContactInbox) contactInboxData {
	return contactInboxData{ID: ci.ID, ContactID: ci.ContactID, InboxID: ci.InboxID, SourceID: ci.SourceID,
		CreatedAt: present.ISOTime(ci.CreatedAt), UpdatedAt: present.ISOTime(ci.UpdatedAt), HMACVerified: ci.HMACVerified,
		PubsubToken: ci.PubsubToken}
}

func emptyIfNil(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// content is a message's content, null when empty (activity messages keep theirs).
func content(m *criachat.Message) *string {
	if m.Content == "" && m.MessageType != criachat.MessageActivity {
		return nil
	}
	s := m.Content
	return &s
}

// Change is one attribute's change, rendered in changed_attributes (§4.6) as
// {"attr":{"previous_value":…,"current_value":…}}.
type Change struct {
	Attr     string
	Previous any
	Current  any
}

// changeValues keeps Chatwoot's key order (a map would sort current_value first).
type changeValues struct {
	Previous any `json:"previous_value"`
	Current  any `json:"current_value"`
}

func changedAttributes(changes []Change) []map[string]any {
	if len(changes) == 0 {
		return nil
	}
	out := make([]map[string]any, len(changes))
	for i, c := range changes {
		out[i] = map[string]any{c.Attr: changeValues{Previous: c.Previous, Current: c.Current}}
	}
	return out
}
