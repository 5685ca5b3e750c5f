package api

import (
	"net/http"
	"strconv"

	"github.com/criachat/criachat/internal/conversation"
	"github.com/criachat/criachat/internal/criachat"
)

// messageJSON is Chatwoot's REST message object (app/views/api/v1/models/_message.json.jbuilder):
// integer message_type, string content_type and status, integer created_at,
// conversation_id as the display id.
type messageJSON struct {
	ID                int64          `json:"id"`
	Content           *string        `json:"content"`
	InboxID           int64          `json:"inbox_id"`
	EchoID            string         `json:"echo_id,omitempty"`
	ConversationID    int64          `json:"conversation_id"`
	MessageType       int            `json:"message_type"`
	ContentType       string         `json:"content_type"`
	Status            string         `json:"status"`
	ContentAttributes map[string]any `json:"content_attributes"`
	CreatedAt         int64          `json:"created_at"`
	Private           bool           `json:"private"`
	SourceID          *string        `json:"source_id"`
	Sender            any            `json:"sender,omitempty"`
}

func presentMessage(m *criachat.Message, displayID int64, sender any) messageJSON {
	j := messageJSON{
		ID: m.ID, Content: nullString(m.Content), InboxID: m.InboxID, EchoID: m.EchoID, ConversationID: displayID,
		MessageType: int(m.MessageType), ContentType: m.ContentType, Status: string(m.Status),
		ContentAttributes: m.ContentAttributes, CreatedAt: m.CreatedAt.Unix(), Private: m.Private,
		SourceID: nullString(m.SourceID), Sender: sender,
	}
	if m.MessageType == criachat.MessageActivity || m.Content != "" {
		j.Content = &m.Content
	}
	return j
}

// userPushJSON is a User's push_event_data, the sender of agents' messages.
type userPushJSON struct {
	ID                 int64  `json:"id"`
	Name               string `json:"name"`
	AvailableName      string `json:"available_name"`
	AvatarURL          string `json:"avatar_url"`
	Type               string `json:"type"`
	AvailabilityStatus string `json:"availability_status"`
	Thumbnail          string `json:"thumbnail"`
}

func presentUserPush(a criachat.Agent) userPushJSON {
	return userPushJSON{ID: a.User.ID, Name: a.User.Name, AvailableName: a.User.AvailableName(), Type: "user",
		AvailabilityStatus: string(availabilityStatus(a.Member))}
}

// contactPushJSON is a Contact's push_event_data, the sender of customers' messages.
type contactPushJSON struct {
	AdditionalAttributes map[string]any `json:"additional_attributes"`
	CustomAttributes     map[string]any `json:"custom_attributes"`
	Email                *string        `json:"email"`
	ID                   int64          `json:"id"`
	Identifier           *string        `json:"identifier"`
	Name                 string         `json:"name"`
	PhoneNumber          *string        `json:"phone_number"`
	Thumbnail            string         `json:"thumbnail"`
	Blocked              bool           `json:"blocked"`
	Type                 string         `json:"type"`
}

func presentContactPush(c *criachat.Contact) contactPushJSON {
	return contactPushJSON{AdditionalAttributes: c.AdditionalAttributes, CustomAttributes: c.CustomAttributes,
		Email: nullString(c.Email), ID: c.ID, Identifier: nullString(c.Identifier), Name: c.Name,
		PhoneNumber: nullString(c.PhoneNumber), Blocked: c.Blocked, Type: "contact"}
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
