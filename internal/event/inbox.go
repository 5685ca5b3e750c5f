package event

import (
	"context"
	"encoding/json"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/present"
	"github.com/criachat/criachat/internal/store"
)

// inboxData is Chatwoot's Inbox::EventDataPresenter#push_data (reference
// §4.5): no top-level id or name (Chatwoot's quirk; the channel has the id).
// The channel is the raw channel record without its secrets: CriaChat never
// sends hmac_token or secret in a payload.
type inboxData struct {
	AllowMessagesAfterResolved bool                   `json:"allow_messages_after_resolved"`
	LockToSingleConversation   bool                   `json:"lock_to_single_conversation"`
	AutoAssignmentConfig       map[string]any         `json:"auto_assignment_config"`
	EnableAutoAssignment       bool                   `json:"enable_auto_assignment"`
	EnableEmailCollect         bool                   `json:"enable_email_collect"`
	GreetingEnabled            bool                   `json:"greeting_enabled"`
	GreetingMessage            *string                `json:"greeting_message"`
	CSATSurveyEnabled          bool                   `json:"csat_survey_enabled"`
	BusinessName               *string                `json:"business_name"`
	SenderNameType             string                 `json:"sender_name_type"`
	Timezone                   string                 `json:"timezone"`
	OutOfOfficeMessage         *string                `json:"out_of_office_message"`
	WorkingHoursEnabled        bool                   `json:"working_hours_enabled"`
	WorkingHours               []criachat.WorkingHour `json:"working_hours"`
	CreatedAt                  string                 `json:"created_at"`
	UpdatedAt                  string                 `json:"updated_at"`
	Channel                    any                    `json:"channel"`
	Account                    idName                 `json:"account"`
}

type apiChannelData struct {
	ID                   int64          `json:"id"`
	WebhookURL           *string        `json:"webhook_url"`
	AccountID            int64          `json:"account_id"`
	CreatedAt            string         `json:"created_at"`
	UpdatedAt            string         `json:"updated_at"`
	HMACMandatory        bool           `json:"hmac_mandatory"`
	Identifier           string         `json:"identifier"`
	AdditionalAttributes map[string]any `json:"additional_attributes"`
}

type widgetChannelData struct {
	ID                 int64          `json:"id"`
	WebsiteURL         string         `json:"website_url"`
	AccountID          int64          `json:"account_id"`
	CreatedAt          string         `json:"created_at"`
	UpdatedAt          string         `json:"updated_at"`
	WebsiteToken       string         `json:"website_token"`
	WidgetColor        string         `json:"widget_color"`
	WelcomeTitle       *string        `json:"welcome_title"`
	WelcomeTagline     *string        `json:"welcome_tagline"`
	ReplyTime          string         `json:"reply_time"`
	PreChatFormEnabled bool           `json:"pre_chat_form_enabled"`
	PreChatFormOptions map[string]any `json:"pre_chat_form_options"`
	HMACMandatory      bool           `json:"hmac_mandatory"`
	ContinuityViaEmail bool           `json:"continuity_via_email"`
	AllowedDomains     string         `json:"allowed_domains"`
}

func presentInbox(in *criachat.Inbox, account idName) inboxData {
	d := inboxData{
		AllowMessagesAfterResolved: in.AllowMessagesAfterResolved, LockToSingleConversation: in.LockToSingleConversation,
		AutoAssignmentConfig: emptyIfNil(in.AutoAssignmentConfig), EnableAutoAssignment: in.EnableAutoAssignment,
		EnableEmailCollect: in.EnableEmailCollect, GreetingEnabled: in.GreetingEnabled, GreetingMessage: in.GreetingMessage,
		CSATSurveyEnabled: in.CSATSurveyEnabled, BusinessName: in.BusinessName, SenderNameType: string(in.SenderNameType),
		Timezone: in.Timezone, OutOfOfficeMessage: in.OutOfOfficeMessage, WorkingHoursEnabled: in.WorkingHoursEnabled,
		WorkingHours: in.WorkingHours, CreatedAt: present.ISOTime(in.CreatedAt), UpdatedAt: present.ISOTime(in.UpdatedAt),
		Account: account,
	}
	created, updated := present.ISOTime(in.CreatedAt), present.ISOTime(in.UpdatedAt)
	if in.IsAPI() {
		d.Channel = apiChannelData{ID: in.ChannelID(), WebhookURL: in.WebhookURL, AccountID: in.AccountID, CreatedAt: created,
			UpdatedAt: updated, HMACMandatory: in.HMACMandatory, Identifier: in.Identifier,
			AdditionalAttributes: emptyIfNil(in.AdditionalAttributes)}
	} else {
		d.Channel = widgetChannelData{ID: in.ChannelID(), WebsiteURL: in.WebsiteURL, AccountID: in.AccountID, CreatedAt: created,
			UpdatedAt: updated, WebsiteToken: in.WebsiteToken, WidgetColor: in.WidgetColor, WelcomeTitle: in.WelcomeTitle,
			WelcomeTagline: in.WelcomeTagline, ReplyTime: string(in.ReplyTime), PreChatFormEnabled: in.PreChatFormEnabled,
			PreChatFormOptions: emptyIfNil(in.PreChatFormOptions), HMACMandatory: in.HMACMandatory,
			ContinuityViaEmail: in.ContinuityViaEmail, AllowedDomains: in.AllowedDomains}
	}
	return d
}

// Inbox appends inbox_created, or inbox_updated with the changes from before.
func (r *Recorder) Inbox(ctx context.Context, q *store.Queries, before, in *criachat.Inbox, t criachat.EventType) error {
	account, err := q.Account(ctx, in.AccountID)
	if err != nil {
		return err
	}
	body := struct {
		inboxData
		Event             criachat.EventType `json:"event"`
		ChangedAttributes []map[string]any   `json:"changed_attributes,omitempty"`
	}{inboxData: presentInbox(in, idName{account.ID, account.Name}), Event: t}
	if before != nil {
		changes := inboxChanges(before, in)
		if len(changes) == 0 {
			return nil
		}
		body.ChangedAttributes = changedAttributes(changes)
	}
	payload, err := json.Marshal(body)
	if err != nil {
		return err
	}
	id := in.ID
	return q.AppendEvent(ctx, &criachat.Event{AccountID: in.AccountID, Type: t, InboxID: &id, Payload: payload}, store.EventRoute{})
}

// inboxChanges lists the inbox attributes that changed, updated_at last.
func inboxChanges(before, after *criachat.Inbox) []Change {
	var out changeList
	out.add("name", before.Name, after.Name)
	out.add("greeting_enabled", before.GreetingEnabled, after.GreetingEnabled)
	out.add("greeting_message", before.GreetingMessage, after.GreetingMessage)
	out.add("enable_email_collect", before.EnableEmailCollect, after.EnableEmailCollect)
	out.add("csat_survey_enabled", before.CSATSurveyEnabled, after.CSATSurveyEnabled)
	out.add("enable_auto_assignment", before.EnableAutoAssignment, after.EnableAutoAssignment)
	out.add("working_hours_enabled", before.WorkingHoursEnabled, after.WorkingHoursEnabled)
	out.add("out_of_office_message", before.OutOfOfficeMessage, after.OutOfOfficeMessage)
	out.add("timezone", before.Timezone, after.Timezone)
	out.add("allow_messages_after_resolved", before.AllowMessagesAfterResolved, after.AllowMessagesAfterResolved)
	out.add("lock_to_single_conversation", before.LockToSingleConversation, after.LockToSingleConversation)
	out.add("sender_name_type", before.SenderNameType, after.SenderNameType)
	out.add("business_name", before.BusinessName, after.BusinessName)
	out.add("webhook_url", before.WebhookURL, after.WebhookURL)
	return out.withUpdatedAt(before.UpdatedAt, after.UpdatedAt)
}
