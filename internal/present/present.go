// Package present holds the Chatwoot JSON shapes that more than one surface
// sends: the push_event_data of users, contacts and attachments (in REST
// messages, webhook payloads and realtime frames) and the time and null
// renderings they share. Wire quirks live here, in one visible place; the
// shapes only one surface uses stay with that surface (internal/api for REST,
// internal/event for webhooks).
package present

import (
	"net/url"
	"strconv"
	"time"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/secret"
)

// ISOTime formats a time as Rails' default JSON time: UTC with milliseconds.
func ISOTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// ISOTimePtr is ISOTime for an optional time, nil when unset.
func ISOTimePtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return ISOTime(*t)
}

// UnixOr0 renders an optional time as unix seconds, 0 when unset (Rails' nil.to_i).
func UnixOr0(t *time.Time) int64 {
	if t == nil {
		return 0
	}
	return t.Unix()
}

// FloatSeconds renders a time as fractional unix seconds (Rails' to_f).
func FloatSeconds(t time.Time) float64 { return float64(t.UnixMicro()) / 1e6 }

// NullString is nil for the empty string (a NULL column), else a pointer to s.
func NullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// AvailabilityStatus is the availability derived from presence in Chatwoot.
// CriaChat has no presence tracking yet, so it is the availability the user chose.
func AvailabilityStatus(m *criachat.AccountUser) criachat.Availability { return m.Availability }

// UserPushJSON is a User's push_event_data: message senders, assignees.
type UserPushJSON struct {
	ID                 int64  `json:"id"`
	Name               string `json:"name"`
	AvailableName      string `json:"available_name"`
	AvatarURL          string `json:"avatar_url"`
	Type               string `json:"type"`
	AvailabilityStatus string `json:"availability_status"`
	Thumbnail          string `json:"thumbnail"`
}

// UserPush presents an agent as push_event_data.
func UserPush(a criachat.Agent) UserPushJSON {
	return UserPushJSON{ID: a.User.ID, Name: a.User.Name, AvailableName: a.User.AvailableName(), Type: "user",
		AvailabilityStatus: string(AvailabilityStatus(a.Member))}
}

// ContactPushJSON is a Contact's push_event_data, the sender of customers' messages.
type ContactPushJSON struct {
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

// ContactPush presents a contact as push_event_data.
func ContactPush(c *criachat.Contact) ContactPushJSON {
	return ContactPushJSON{AdditionalAttributes: c.AdditionalAttributes, CustomAttributes: c.CustomAttributes,
		Email: NullString(c.Email), ID: c.ID, Identifier: NullString(c.Identifier), Name: c.Name,
		PhoneNumber: NullString(c.PhoneNumber), Blocked: c.Blocked, Type: "contact"}
}

// AttachmentJSON is an attachment's push_event_data (app/models/attachment.rb,
// reference §3.6 "Attachment push data"), as messages carry it.
type AttachmentJSON struct {
	ID              int64   `json:"id"`
	MessageID       int64   `json:"message_id"`
	FileType        string  `json:"file_type"`
	AccountID       int64   `json:"account_id"`
	Extension       *string `json:"extension"`
	ContentType     string  `json:"content_type"`
	DataURL         string  `json:"data_url"`
	ThumbURL        string  `json:"thumb_url"`
	FileSize        int64   `json:"file_size"`
	Width           *int    `json:"width"`
	Height          *int    `json:"height"`
	TranscribedText *string `json:"transcribed_text,omitempty"` // audio only
}

// Attachment presents an attachment; k signs its file URL.
func Attachment(k *secret.Keeper, a *criachat.Attachment) AttachmentJSON {
	j := AttachmentJSON{
		ID: a.ID, MessageID: a.MessageID, FileType: a.FileType.String(), AccountID: a.AccountID,
		Extension: NullString(a.Extension), ContentType: a.ContentType, DataURL: AttachmentPath(k, a),
		FileSize: a.FileSize, Width: a.Width, Height: a.Height,
	}
	if a.FileType == criachat.FileImage {
		j.ThumbURL = j.DataURL // no resized representation: the thumbnail is the image
	}
	if a.FileType == criachat.FileAudio {
		j.TranscribedText = new(string)
	}
	return j
}

// Attachments presents a message's attachments; nil (the key omitted) when it has none.
func Attachments(k *secret.Keeper, list []*criachat.Attachment) []AttachmentJSON {
	if len(list) == 0 {
		return nil
	}
	out := make([]AttachmentJSON, len(list))
	for i, a := range list {
		out[i] = Attachment(k, a)
	}
	return out
}

// AttachmentSignature signs an attachment id for its file URL. The URL does
// not expire (like Chatwoot's ActiveStorage blob URLs); deleting the
// attachment, or changing CRIACHAT_SECRET_KEY, ends it.
func AttachmentSignature(k *secret.Keeper, id int64) string {
	return k.Sign("attachment " + strconv.FormatInt(id, 10))
}

// AttachmentPath is the file URL of an attachment: an absolute path that
// works without the api_access_token header, so browsers can load it in an
// <img>. The signature is the credential.
func AttachmentPath(k *secret.Keeper, a *criachat.Attachment) string {
	if k == nil {
		return ""
	}
	return "/attachments/" + strconv.FormatInt(a.ID, 10) + "/" + AttachmentSignature(k, a.ID) + "/" + url.PathEscape(a.Filename)
}

// AgentBotPushJSON is an agent bot's push_event_data (message sender, assignee).
type AgentBotPushJSON struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	AvatarURL string `json:"avatar_url"`
	Type      string `json:"type"`
}

// AgentBotPush presents an agent bot as push_event_data.
func AgentBotPush(b *criachat.AgentBot) AgentBotPushJSON {
	return AgentBotPushJSON{ID: b.ID, Name: b.Name, AvatarURL: b.AvatarURL, Type: "agent_bot"}
}
