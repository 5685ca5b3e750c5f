package criachat

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// EventType names an event as webhooks send it (Chatwoot's dotted internal
// name with "." turned into "_", reference §4.1). Its position in EventTypes
// is its bit in a webhook's stored subscription mask, so the list only grows
// at the end.
type EventType string

// Event types. The first twelve are the subscriptions Chatwoot allows on
// account webhooks (§3.9); the delete events are CriaChat's additions that
// subscribers may ask for; the rest are internal events (§4.4, §5) that agent
// bots receive or that only the events feed shows.
const (
	EventConversationStatusChanged EventType = "conversation_status_changed"
	EventConversationUpdated       EventType = "conversation_updated"
	EventConversationCreated       EventType = "conversation_created"
	EventContactCreated            EventType = "contact_created"
	EventContactUpdated            EventType = "contact_updated"
	EventMessageCreated            EventType = "message_created"
	EventMessageUpdated            EventType = "message_updated"
	EventWebwidgetTriggered        EventType = "webwidget_triggered"
	EventInboxCreated              EventType = "inbox_created"
	EventInboxUpdated              EventType = "inbox_updated"
	EventConversationTypingOn      EventType = "conversation_typing_on"
	EventConversationTypingOff     EventType = "conversation_typing_off"
	EventConversationDeleted       EventType = "conversation_deleted"
	EventContactDeleted            EventType = "contact_deleted"
	EventMessageDeleted            EventType = "message_deleted"
	EventConversationOpened        EventType = "conversation_opened"
	EventConversationResolved      EventType = "conversation_resolved"
	EventAssigneeChanged           EventType = "assignee_changed"
	EventTeamChanged               EventType = "team_changed"
	EventFirstReplyCreated         EventType = "first_reply_created"
	EventContactMerged             EventType = "contact_merged"
	// EventConversationMentioned is Chatwoot's conversation.mentioned, one
	// per user mentioned in a private note (§5); only the feed shows it.
	EventConversationMentioned EventType = "conversation_mentioned"
)

// EventTypes lists every event type in bit order (append only).
var EventTypes = []EventType{
	EventConversationStatusChanged, EventConversationUpdated, EventConversationCreated, EventContactCreated,
	EventContactUpdated, EventMessageCreated, EventMessageUpdated, EventWebwidgetTriggered, EventInboxCreated,
	EventInboxUpdated, EventConversationTypingOn, EventConversationTypingOff, EventConversationDeleted,
	EventContactDeleted, EventMessageDeleted, EventConversationOpened, EventConversationResolved,
	EventAssigneeChanged, EventTeamChanged, EventFirstReplyCreated, EventContactMerged, EventConversationMentioned,
}

// Bit is the event type's bit in a subscription mask (0 for unknown types).
func (t EventType) Bit() int64 {
	for i, e := range EventTypes {
		if e == t {
			return 1 << i
		}
	}
	return 0
}

// Valid reports whether t is a known event type.
func (t EventType) Valid() bool { return t.Bit() != 0 }

// EventMask is a set of event types.
type EventMask int64

// MaskOf returns the set of the given types.
func MaskOf(types ...EventType) EventMask {
	var m EventMask
	for _, t := range types {
		m |= EventMask(t.Bit())
	}
	return m
}

// Has reports whether t is in the set.
func (m EventMask) Has(t EventType) bool { return t.Bit() != 0 && int64(m)&t.Bit() != 0 }

// Destinations of events (reference §4.3).
var (
	// WebhookSubscribable are the types an account webhook may subscribe to:
	// Chatwoot's ALLOWED_WEBHOOK_EVENTS plus the delete events.
	WebhookSubscribable = MaskOf(EventTypes[:15]...)
	// APIInboxEvents go to an API channel's webhook_url: every conversation,
	// message and typing event of that inbox.
	APIInboxEvents = MaskOf(EventConversationCreated, EventConversationUpdated, EventConversationStatusChanged,
		EventMessageCreated, EventMessageUpdated, EventConversationTypingOn, EventConversationTypingOff)
	// AgentBotEvents go to the outgoing_url of the inbox's active bot and of
	// the conversation's assigned bot.
	AgentBotEvents = MaskOf(EventMessageCreated, EventMessageUpdated, EventConversationOpened,
		EventConversationResolved, EventWebwidgetTriggered, EventConversationStatusChanged, EventConversationUpdated)
)

// Event is one recorded change: what happened, in which account, in the
// account's sequence, with the payload webhooks deliver (JSON, "event" key
// included).
type Event struct {
	ID             int64
	AccountID      int64
	Seq            int64 // per-account sequence number; 0 until numbered (store.SequenceEvents)
	UUID           string
	Type           EventType
	InboxID        *int64
	ConversationID *int64 // the conversation's internal id
	MessageID      *int64
	ContactID      *int64
	Payload        []byte
	CreatedAt      time.Time

	// Body, when not nil, is the payload still to be rendered (Render): the
	// store renders it before writing the event (on SQLite in the caller's
	// goroutine, off the writer; see store.AppendEvents).
	Body any
}

// Render turns Body into Payload (nothing when there is no Body).
func (e *Event) Render() error {
	if e.Body == nil {
		return nil
	}
	payload, err := json.Marshal(e.Body)
	if err != nil {
		return fmt.Errorf("render %s payload: %w", e.Type, err)
	}
	e.Payload, e.Body = payload, nil
	return nil
}

// Delivery targets.
const (
	TargetWebhook  = "webhook"
	TargetAPIInbox = "api_inbox"
	TargetAgentBot = "agent_bot"
)

// DeliveryState is a delivery's progress.
type DeliveryState string

// Delivery states.
const (
	DeliveryPending   DeliveryState = "pending"
	DeliveryDelivered DeliveryState = "delivered"
	DeliveryFailed    DeliveryState = "failed"
)

// Delivery is one event sent to one destination, with retries.
type Delivery struct {
	ID             int64
	AccountID      int64
	EventID        int64
	EventUUID      string
	EventType      EventType
	TargetType     string
	TargetID       int64
	URL            string
	State          DeliveryState
	Attempts       int
	NextAttemptAt  *time.Time
	LockedUntil    *time.Time
	LastStatusCode *int
	LastError      string
	RedeliveryOf   *int64
	CreatedAt      time.Time
	UpdatedAt      time.Time
	CompletedAt    *time.Time
}

// DeliveryAttempt is one HTTP attempt of a delivery, as the log shows it.
type DeliveryAttempt struct {
	ID         int64
	DeliveryID int64
	Attempt    int
	StartedAt  time.Time
	StatusCode *int
	Latency    time.Duration
	Error      string
	Response   string
}

// Webhook is an account webhook (reference §3.9).
type Webhook struct {
	ID            int64
	AccountID     int64
	InboxID       *int64
	Name          string
	URL           string
	Subscriptions []EventType
	SecretSealed  string // the signing secret, sealed with the installation key
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Mask is the webhook's subscriptions as a set.
func (w *Webhook) Mask() EventMask { return MaskOf(w.Subscriptions...) }

// ValidateSubscriptions checks a subscription list: non-empty and within the
// allowed events (Chatwoot's 422 "Subscriptions Invalid events").
func ValidateSubscriptions(list []EventType) error {
	if len(list) == 0 {
		return Invalid("Subscriptions Invalid events", "subscriptions")
	}
	for _, t := range list {
		if !WebhookSubscribable.Has(t) {
			return Invalid("Subscriptions Invalid events", "subscriptions")
		}
	}
	return nil
}

// UUID is the delivery's X-Chatwoot-Delivery value: stable across the
// retries of this delivery, different for each destination of an event and
// for a redelivery (a new delivery row). It is derived from the event's uuid
// and the delivery id (SHA-256, formatted as a version-8 UUID), so it needs
// no column.
func (d *Delivery) UUID() string {
	sum := sha256.Sum256([]byte(d.EventUUID + ":" + strconv.FormatInt(d.ID, 10)))
	b := sum[:16]
	b[6] = b[6]&0x0f | 0x80 // version 8
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
