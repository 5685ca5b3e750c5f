package criachat

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// MessageType is a message's direction (Chatwoot enum incoming 0, outgoing 1,
// activity 2, template 3). REST renders the integer, webhooks the string.
type MessageType int

// Message types.
const (
	MessageIncoming MessageType = 0
	MessageOutgoing MessageType = 1
	MessageActivity MessageType = 2
	MessageTemplate MessageType = 3
)

var messageTypeNames = [...]string{"incoming", "outgoing", "activity", "template"}

// String is the enum's name, as webhooks send it.
func (t MessageType) String() string {
	if t >= 0 && int(t) < len(messageTypeNames) {
		return messageTypeNames[t]
	}
	return ""
}

// ParseMessageType reads a message type given as a name or as its integer.
func ParseMessageType(s string) (MessageType, bool) {
	for i, n := range messageTypeNames {
		if s == n || s == fmt.Sprint(i) {
			return MessageType(i), true
		}
	}
	return 0, false
}

// MessageStatus is a message's delivery state (sent 0, delivered 1, read 2, failed 3).
type MessageStatus string

// Message statuses.
const (
	MessageSent      MessageStatus = "sent"
	MessageDelivered MessageStatus = "delivered"
	MessageRead      MessageStatus = "read"
	MessageFailed    MessageStatus = "failed"
)

// Valid reports whether s is a known status.
func (s MessageStatus) Valid() bool {
	switch s {
	case MessageSent, MessageDelivered, MessageRead, MessageFailed:
		return true
	}
	return false
}

// NextMessageStatus applies a status update: a read message does not go back
// to delivered (reference §3.6).
func NextMessageStatus(current, requested MessageStatus) MessageStatus {
	if current == MessageRead && requested == MessageDelivered {
		return current
	}
	return requested
}

// ContentTypes are the content types Chatwoot knows (§6.1), in enum order.
var ContentTypes = []string{"text", "input_text", "input_textarea", "input_email", "input_select", "cards", "form",
	"article", "incoming_email", "input_csat", "integrations", "sticker", "voice_call"}

// ValidContentType reports whether s is a known content type.
func ValidContentType(s string) bool {
	for _, c := range ContentTypes {
		if c == s {
			return true
		}
	}
	return false
}

// MaxMessageContent is the longest message content Chatwoot accepts.
const MaxMessageContent = 150000

// allowed keys of content_attributes items per content type (reference §3.6).
var itemKeys = map[string][]string{
	"input_select": {"title", "value"},
	"cards":        {"title", "description", "media_url", "actions"},
	"form":         {"type", "placeholder", "label", "name", "options", "default", "required", "pattern", "title", "pattern_error"},
	"article":      {"title", "description", "link"},
}

var cardActionKeys = []string{"text", "type", "payload", "uri"}

// ValidateContentAttributes checks the items of the content types that carry
// them, with Chatwoot's messages (content_attribute_validator.rb). The error
// is EINVALID with the text Chatwoot's controller renders.
func ValidateContentAttributes(contentType string, attrs map[string]any) error {
	allowed, ok := itemKeys[contentType]
	if !ok {
		return nil
	}
	items, _ := attrs["items"].([]any)
	if len(items) == 0 {
		return contentAttrError("At least one item is required.")
	}
	var bad []string
	for _, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			return contentAttrError("contains invalid items")
		}
		bad = append(bad, unknownKeys(m, allowed)...)
	}
	if len(bad) > 0 {
		return contentAttrError("contains invalid keys for items : " + rubySymbols(bad))
	}
	if contentType != "cards" {
		return nil
	}
	for _, it := range items {
		actions, _ := it.(map[string]any)["actions"].([]any)
		if len(actions) == 0 {
			return contentAttrError("contains items missing actions")
		}
		for _, a := range actions {
			m, ok := a.(map[string]any)
			if !ok {
				return contentAttrError("contains invalid actions")
			}
			bad = append(bad, unknownKeys(m, cardActionKeys)...)
		}
	}
	if len(bad) > 0 {
		return contentAttrError("contains invalid keys for actions:  " + rubySymbols(bad))
	}
	return nil
}

func contentAttrError(msg string) error {
	return Errorf(EINVALID, "Validation failed: Content attributes %s", msg)
}

func unknownKeys(m map[string]any, allowed []string) []string {
	var out []string
	for k := range m {
		found := false
		for _, a := range allowed {
			if k == a {
				found = true
				break
			}
		}
		if !found {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// rubySymbols renders keys the way Ruby prints an array of symbols: [:a, :b].
func rubySymbols(keys []string) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = ":" + k
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// Message is one entry of a conversation: a customer's or agent's message, a
// private note, a template, or an activity line written by the system.
type Message struct {
	ID                int64
	AccountID         int64
	InboxID           int64
	ConversationID    int64 // internal id; presenters show the conversation's display id
	MessageType       MessageType
	Content           string
	ContentType       string
	ContentAttributes map[string]any
	Private           bool
	Status            MessageStatus
	SourceID          string
	SenderType        string // "User", "Contact", "AgentBot" or "" for system messages
	SenderID          *int64
	ExternalError     string
	CreatedAt         time.Time
	UpdatedAt         time.Time

	// EchoID is not stored: it is echoed in the create response only (§9.8).
	EchoID string
	// Attachments are kept in their own table; they are set when loaded
	// (store.LoadAttachments) or created with the message.
	Attachments []*Attachment
}

// Normalize fills defaults.
func (m *Message) Normalize() {
	if m.ContentType == "" {
		m.ContentType = "text"
	}
	if m.Status == "" {
		m.Status = MessageSent
	}
	if m.ContentAttributes == nil {
		m.ContentAttributes = map[string]any{}
	}
}

// Validate checks a message before it is stored.
func (m *Message) Validate() error {
	switch {
	case m.MessageType.String() == "":
		return Errorf(EINVALID, "Validation failed: Message type is not included in the list")
	case !ValidContentType(m.ContentType):
		return Errorf(EINVALID, "Validation failed: Content type is not included in the list")
	case !m.Status.Valid():
		return Errorf(EINVALID, "Validation failed: Status is not included in the list")
	case len(m.Content) > MaxMessageContent:
		return Errorf(EINVALID, "Validation failed: Content is too long (maximum is %d characters)", MaxMessageContent)
	}
	return ValidateContentAttributes(m.ContentType, m.ContentAttributes)
}
