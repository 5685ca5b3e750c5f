package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/secret"
	"github.com/criachat/criachat/internal/store"
)

// Inboxes (reference §3.3) with the visibility rule of §2.6: administrators
// see every inbox of the account, agents only those they are members of.

// msgInboxDeletion is Chatwoot's answer to DELETE /inboxes/{id}.
const msgInboxDeletion = "Your inbox deletion request will be processed in some time."

// accessibleInbox loads an inbox of the caller's account and applies
// Chatwoot's member* rule (InboxPolicy#show?): administrators reach every
// inbox, agents only the inboxes they are members of. An inbox of another
// account, or no inbox at all, is ENOTFOUND (404); an agent who is not a
// member is EUNAUTHORIZED (401 "You are not authorized to do this action").
// Handlers behind s.member use it for any route that names an inbox.
func (s *Server) accessibleInbox(r *http.Request, id int64) (*criachat.Inbox, error) {
	m := caller(r).member
	if id <= 0 {
		return nil, criachat.Errorf(criachat.ENOTFOUND, "inbox not found")
	}
	in, err := s.store.Read().Inbox(r.Context(), m.AccountID, id)
	if err != nil || m.IsAdmin() {
		return in, err
	}
	member, err := s.store.Read().IsInboxMember(r.Context(), in.ID, m.UserID)
	if err != nil {
		return nil, err
	}
	if !member {
		return nil, criachat.Errorf(criachat.EUNAUTHORIZED, msgNotAuthorized)
	}
	return in, nil
}

// inboxFromPath is accessibleInbox for the inbox id in a path parameter.
func (s *Server) inboxFromPath(r *http.Request, param string) (*criachat.Inbox, error) {
	id, _ := pathID(r, param)
	return s.accessibleInbox(r, id)
}

func (s *Server) listInboxes(w http.ResponseWriter, r *http.Request) error {
	m := caller(r).member
	var list []*criachat.Inbox
	var err error
	if m.IsAdmin() {
		list, err = s.store.Read().Inboxes(r.Context(), m.AccountID)
	} else {
		list, err = s.store.Read().MemberInboxes(r.Context(), m.AccountID, m.UserID)
	}
	if err != nil {
		return err
	}
	payload := make([]orderedJSON, 0, len(list))
	for _, in := range list {
		j, err := s.presentInbox(in, m.IsAdmin())
		if err != nil {
			return err
		}
		payload = append(payload, j)
	}
	return ok(w, map[string]any{"payload": payload})
}

func (s *Server) showInbox(w http.ResponseWriter, r *http.Request) error {
	in, err := s.inboxFromPath(r, "id")
	if err != nil {
		return err
	}
	return s.writeInbox(w, r, in)
}

// writeInbox answers with the inbox as the caller may see it.
func (s *Server) writeInbox(w http.ResponseWriter, r *http.Request, in *criachat.Inbox) error {
	j, err := s.presentInbox(in, caller(r).member.IsAdmin())
	if err != nil {
		return err
	}
	return ok(w, j)
}

func (s *Server) createInbox(w http.ResponseWriter, r *http.Request) error {
	var p inboxParams
	if err := decode(r, "", &p); err != nil {
		return err
	}
	ctx := r.Context()
	accountID := caller(r).member.AccountID
	var out *criachat.Inbox
	err := s.store.Tx(ctx, func(q *store.Queries) error {
		// Chatwoot checks the plan's inbox limit before anything else (validate_limit).
		if err := inboxLimit(ctx, q, accountID); err != nil {
			return err
		}
		typ := ""
		if p.Channel != nil && p.Channel.Type != nil {
			typ = *p.Channel.Type
		}
		t, err := criachat.ChannelTypeFromParam(typ)
		if err != nil {
			return err
		}
		in := criachat.NewInbox(accountID, t)
		if err := p.apply(in); err != nil {
			return err
		}
		in.HMACTokenSealed = s.keeper.Encrypt(secret.NewToken())
		switch t {
		case criachat.ChannelAPI:
			in.Identifier = secret.NewToken()
			in.SecretSealed = s.keeper.Encrypt(secret.NewToken())
		case criachat.ChannelWebWidget:
			in.WebsiteToken = secret.NewToken()
		}
		out = in
		if err := q.CreateInbox(ctx, in); err != nil {
			return err
		}
		return s.events.Inbox(ctx, q, nil, in, criachat.EventInboxCreated)
	})
	if err != nil {
		return err
	}
	return s.writeInbox(w, r, out)
}

// inboxLimit enforces the account's "inboxes" limit (set through the
// Platform API) with Chatwoot's 402. It locks the account so that two
// concurrent creations cannot both pass.
func inboxLimit(ctx context.Context, q *store.Queries, accountID int64) error {
	if err := q.LockAccount(ctx, accountID); err != nil {
		return err
	}
	acct, err := q.Account(ctx, accountID)
	if err != nil {
		return err
	}
	limit, ok := acct.Limits["inboxes"].(float64)
	if !ok {
		return nil
	}
	n, err := q.CountInboxes(ctx, accountID)
	if err != nil {
		return err
	}
	if float64(n) >= limit {
		return criachat.Errorf(criachat.EPAYMENTREQUIRED, "Account limit exceeded. Upgrade to a higher plan")
	}
	return nil
}

func (s *Server) updateInbox(w http.ResponseWriter, r *http.Request) error {
	var p inboxParams
	if err := decode(r, "", &p); err != nil {
		return err
	}
	id, _ := pathID(r, "id")
	ctx := r.Context()
	var out *criachat.Inbox
	err := s.store.Tx(ctx, func(q *store.Queries) error {
		in, err := q.Inbox(ctx, caller(r).member.AccountID, id)
		if err != nil {
			return err
		}
		before := *in
		if err := p.apply(in); err != nil {
			return err
		}
		out = in
		if err := q.UpdateInbox(ctx, in); err != nil {
			return err
		}
		return s.events.Inbox(ctx, q, &before, in, criachat.EventInboxUpdated)
	})
	if err != nil {
		return err
	}
	return s.writeInbox(w, r, out)
}

func (s *Server) deleteInbox(w http.ResponseWriter, r *http.Request) error {
	id, _ := pathID(r, "id")
	ctx := r.Context()
	if err := s.store.Tx(ctx, func(q *store.Queries) error {
		return q.DeleteInbox(ctx, caller(r).member.AccountID, id)
	}); err != nil {
		return err
	}
	return ok(w, map[string]string{"message": msgInboxDeletion})
}

// resetInboxSecret rotates the secret that signs an API inbox's webhook
// callbacks. Any other channel is Chatwoot's `head :not_found`: 404 with an
// empty body.
func (s *Server) resetInboxSecret(w http.ResponseWriter, r *http.Request) error {
	id, _ := pathID(r, "id")
	ctx := r.Context()
	accountID := caller(r).member.AccountID
	var out *criachat.Inbox
	err := s.store.Tx(ctx, func(q *store.Queries) error {
		in, err := q.Inbox(ctx, accountID, id)
		if err != nil || !in.IsAPI() {
			return err
		}
		in.SecretSealed = s.keeper.Encrypt(secret.NewToken())
		out = in
		return q.UpdateInbox(ctx, in)
	})
	if err != nil {
		return err
	}
	if out == nil {
		w.WriteHeader(http.StatusNotFound)
		return nil
	}
	return s.writeInbox(w, r, out)
}

// inboxParams is the body of POST and PATCH /inboxes: top-level inbox
// attributes and the channel's under "channel" (Chatwoot permits them
// without a root key). Absent keys leave a value unchanged.
type inboxParams struct {
	Name                       *string                       `json:"name"`
	GreetingEnabled            *flexBool                     `json:"greeting_enabled"`
	GreetingMessage            nullableParam[string]         `json:"greeting_message"`
	EnableEmailCollect         *flexBool                     `json:"enable_email_collect"`
	CSATSurveyEnabled          *flexBool                     `json:"csat_survey_enabled"`
	CSATConfig                 map[string]any                `json:"csat_config"`
	EnableAutoAssignment       *flexBool                     `json:"enable_auto_assignment"`
	AutoAssignmentConfig       nullableParam[map[string]any] `json:"auto_assignment_config"`
	WorkingHoursEnabled        *flexBool                     `json:"working_hours_enabled"`
	OutOfOfficeMessage         nullableParam[string]         `json:"out_of_office_message"`
	Timezone                   *string                       `json:"timezone"`
	AllowMessagesAfterResolved *flexBool                     `json:"allow_messages_after_resolved"`
	LockToSingleConversation   *flexBool                     `json:"lock_to_single_conversation"`
	SenderNameType             *string                       `json:"sender_name_type"`
	BusinessName               nullableParam[string]         `json:"business_name"`
	WorkingHours               []workingHourParams           `json:"working_hours"`
	Channel                    *channelParams                `json:"channel"`
}

// channelParams are the channel attributes of an inbox body. Only those of
// the inbox's own channel type are used (Chatwoot's EDITABLE_ATTRS).
type channelParams struct {
	Type *string `json:"type"`
	// Both channels.
	HMACMandatory *flexBool `json:"hmac_mandatory"`
	// API channel.
	WebhookURL           nullableParam[string]         `json:"webhook_url"`
	AdditionalAttributes nullableParam[map[string]any] `json:"additional_attributes"`
	// Web widget.
	WebsiteURL           *string                       `json:"website_url"`
	WidgetColor          *string                       `json:"widget_color"`
	WelcomeTitle         nullableParam[string]         `json:"welcome_title"`
	WelcomeTagline       nullableParam[string]         `json:"welcome_tagline"`
	ReplyTime            *string                       `json:"reply_time"`
	PreChatFormEnabled   *flexBool                     `json:"pre_chat_form_enabled"`
	PreChatFormOptions   nullableParam[map[string]any] `json:"pre_chat_form_options"`
	ContinuityViaEmail   *flexBool                     `json:"continuity_via_email"`
	AllowedDomains       *string                       `json:"allowed_domains"`
	SelectedFeatureFlags *[]string                     `json:"selected_feature_flags"`
}

// workingHourParams is one day of PATCH /inboxes working_hours; only the
// given attributes of that day change (Chatwoot's update_working_hours).
type workingHourParams struct {
	DayOfWeek    *flexInt               `json:"day_of_week"`
	ClosedAllDay *flexBool              `json:"closed_all_day"`
	OpenHour     nullableParam[flexInt] `json:"open_hour"`
	OpenMinutes  nullableParam[flexInt] `json:"open_minutes"`
	CloseHour    nullableParam[flexInt] `json:"close_hour"`
	CloseMinutes nullableParam[flexInt] `json:"close_minutes"`
	OpenAllDay   *flexBool              `json:"open_all_day"`
}

// apply sets the given attributes on in; create and update take the same
// ones. Validation happens when the store saves the inbox. CSAT settings get
// Chatwoot's defaults when given.
func (p inboxParams) apply(in *criachat.Inbox) error {
	setStr(&in.Name, p.Name)
	setBool(&in.GreetingEnabled, p.GreetingEnabled)
	p.GreetingMessage.setTo(&in.GreetingMessage)
	setBool(&in.EnableEmailCollect, p.EnableEmailCollect)
	setBool(&in.CSATSurveyEnabled, p.CSATSurveyEnabled)
	if len(p.CSATConfig) > 0 { // Chatwoot ignores a blank csat_config
		in.CSATConfig = criachat.FormatCSATConfig(p.CSATConfig)
	}
	setBool(&in.EnableAutoAssignment, p.EnableAutoAssignment)
	if p.AutoAssignmentConfig.set {
		in.AutoAssignmentConfig = map[string]any{}
		if v := p.AutoAssignmentConfig.v; v != nil {
			if limit, ok := (*v)["max_assignment_limit"]; ok {
				in.AutoAssignmentConfig["max_assignment_limit"] = limit
			}
		}
	}
	setBool(&in.WorkingHoursEnabled, p.WorkingHoursEnabled)
	p.OutOfOfficeMessage.setTo(&in.OutOfOfficeMessage)
	setStr(&in.Timezone, p.Timezone)
	setBool(&in.AllowMessagesAfterResolved, p.AllowMessagesAfterResolved)
	setBool(&in.LockToSingleConversation, p.LockToSingleConversation)
	if p.SenderNameType != nil {
		in.SenderNameType = criachat.SenderNameType(*p.SenderNameType)
	}
	p.BusinessName.setTo(&in.BusinessName)
	if err := applyWorkingHours(in, p.WorkingHours); err != nil {
		return err
	}
	if p.Channel != nil {
		p.Channel.apply(in)
	}
	return nil
}

func (c *channelParams) apply(in *criachat.Inbox) {
	setBool(&in.HMACMandatory, c.HMACMandatory)
	switch in.ChannelType {
	case criachat.ChannelAPI:
		c.WebhookURL.setTo(&in.WebhookURL)
		if c.AdditionalAttributes.set {
			in.AdditionalAttributes = map[string]any{}
			if v := c.AdditionalAttributes.v; v != nil {
				in.AdditionalAttributes = *v
			}
		}
	case criachat.ChannelWebWidget:
		setStr(&in.WebsiteURL, c.WebsiteURL)
		setStr(&in.WidgetColor, c.WidgetColor)
		c.WelcomeTitle.setTo(&in.WelcomeTitle)
		c.WelcomeTagline.setTo(&in.WelcomeTagline)
		if c.ReplyTime != nil {
			in.ReplyTime = criachat.ReplyTime(*c.ReplyTime)
		}
		setBool(&in.PreChatFormEnabled, c.PreChatFormEnabled)
		if c.PreChatFormOptions.set {
			in.PreChatFormOptions = map[string]any{} // Normalize puts the default form back
			if v := c.PreChatFormOptions.v; v != nil {
				in.PreChatFormOptions = criachat.PermitPreChatFormOptions(*v)
			}
		}
		setBool(&in.ContinuityViaEmail, c.ContinuityViaEmail)
		setStr(&in.AllowedDomains, c.AllowedDomains)
		if c.SelectedFeatureFlags != nil {
			in.FeatureFlags = append([]string{}, *c.SelectedFeatureFlags...)
		}
	}
}

// applyWorkingHours changes the given days of the weekly schedule.
func applyWorkingHours(in *criachat.Inbox, days []workingHourParams) error {
	for _, d := range days {
		if d.DayOfWeek == nil || *d.DayOfWeek < 0 || int(*d.DayOfWeek) >= len(in.WorkingHours) {
			return criachat.Invalid("Day of week is not included in the list", "day_of_week")
		}
		wh := &in.WorkingHours[*d.DayOfWeek]
		setBool(&wh.ClosedAllDay, d.ClosedAllDay)
		setBool(&wh.OpenAllDay, d.OpenAllDay)
		for _, f := range []struct {
			p   nullableParam[flexInt]
			dst **int
		}{{d.OpenHour, &wh.OpenHour}, {d.OpenMinutes, &wh.OpenMinutes}, {d.CloseHour, &wh.CloseHour}, {d.CloseMinutes, &wh.CloseMinutes}} {
			if !f.p.set {
				continue
			}
			*f.dst = nil
			if f.p.v != nil {
				v := int(*f.p.v)
				*f.dst = &v
			}
		}
	}
	return nil
}

func setBool(dst *bool, v *flexBool) {
	if v != nil {
		*dst = bool(*v)
	}
}

// nullableParam is an optional body value where an explicit null clears:
// set tells a present key from an absent one (encoding/json calls
// UnmarshalJSON for null only on non-pointer fields).
type nullableParam[T any] struct {
	set bool
	v   *T
}

// UnmarshalJSON implements json.Unmarshaler.
func (n *nullableParam[T]) UnmarshalJSON(b []byte) error {
	n.set = true
	if string(b) == "null" {
		n.v = nil
		return nil
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	n.v = &v
	return nil
}

// setTo sets *dst when the key was present (nil for an explicit null).
func (n nullableParam[T]) setTo(dst **T) {
	if n.set {
		*dst = n.v
	}
}

// orderedJSON is a JSON object whose keys keep the order they were added
// in. Chatwoot's jbuilder views add keys conditionally (per channel type and
// role), and the same key can sit at different places, which a struct
// cannot express.
type orderedJSON []jsonField

type jsonField struct {
	key   string
	value any
}

// MarshalJSON implements json.Marshaler.
func (o orderedJSON) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(f.key)
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(f.value)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// workingHourJSON is one day of an inbox's working_hours (Inbox#weekly_schedule).
type workingHourJSON struct {
	DayOfWeek    int  `json:"day_of_week"`
	ClosedAllDay bool `json:"closed_all_day"`
	OpenHour     *int `json:"open_hour"`
	OpenMinutes  *int `json:"open_minutes"`
	CloseHour    *int `json:"close_hour"`
	CloseMinutes *int `json:"close_minutes"`
	OpenAllDay   bool `json:"open_all_day"`
}

// presentInbox is Chatwoot's inbox object (app/views/api/v1/models/_inbox.json.jbuilder)
// in its key order. The web widget keys are present for every inbox (null
// unless it is a widget); hmac_token and secret go to administrators only.
func (s *Server) presentInbox(in *criachat.Inbox, admin bool) (orderedJSON, error) {
	hours := make([]workingHourJSON, 0, len(in.WorkingHours))
	for _, wh := range in.WorkingHours {
		hours = append(hours, workingHourJSON{wh.DayOfWeek, wh.ClosedAllDay, wh.OpenHour, wh.OpenMinutes, wh.CloseHour, wh.CloseMinutes, wh.OpenAllDay})
	}
	widget := in.IsWebWidget()
	ifWidget := func(v any) any {
		if !widget {
			return nil
		}
		return v
	}
	o := orderedJSON{
		{"id", in.ID}, {"avatar_url", ""}, {"channel_id", in.ChannelID()}, {"name", in.Name},
		{"channel_type", in.ChannelType}, {"greeting_enabled", in.GreetingEnabled},
		{"greeting_message", in.GreetingMessage}, {"working_hours_enabled", in.WorkingHoursEnabled},
		{"enable_email_collect", in.EnableEmailCollect}, {"csat_survey_enabled", in.CSATSurveyEnabled},
		{"csat_config", in.CSATConfig}, {"enable_auto_assignment", in.EnableAutoAssignment},
		{"auto_assignment_config", in.AutoAssignmentConfig}, {"out_of_office_message", in.OutOfOfficeMessage},
		{"working_hours", hours}, {"timezone", in.Timezone}, {"callback_webhook_url", nil},
		{"allow_messages_after_resolved", in.AllowMessagesAfterResolved},
		{"lock_to_single_conversation", in.LockToSingleConversation}, {"sender_name_type", in.SenderNameType},
		{"business_name", in.BusinessName},
		// Web widget attributes, emitted for every inbox.
		{"allowed_domains", ifWidget(in.AllowedDomains)}, {"widget_color", ifWidget(in.WidgetColor)},
		{"website_url", ifWidget(in.WebsiteURL)}, {"hmac_mandatory", in.HMACMandatory},
		{"welcome_title", ifWidget(in.WelcomeTitle)}, {"welcome_tagline", ifWidget(in.WelcomeTagline)},
		{"web_widget_script", ifWidget(webWidgetScript(in.WebsiteToken))}, {"website_token", ifWidget(in.WebsiteToken)},
		{"selected_feature_flags", ifWidget(in.FeatureFlags)}, {"reply_time", ifWidget(in.ReplyTime)},
	}
	if widget {
		if admin {
			token, err := s.keeper.Decrypt(in.HMACTokenSealed)
			if err != nil {
				return nil, err
			}
			o = append(o, jsonField{"hmac_token", token})
		}
		o = append(o, jsonField{"pre_chat_form_enabled", in.PreChatFormEnabled},
			jsonField{"pre_chat_form_options", in.PreChatFormOptions}, jsonField{"continuity_via_email", in.ContinuityViaEmail})
	}
	o = append(o, jsonField{"messaging_service_sid", nil}, jsonField{"phone_number", nil})
	if in.IsAPI() {
		if admin {
			token, err := s.keeper.Decrypt(in.HMACTokenSealed)
			if err != nil {
				return nil, err
			}
			sec, err := s.keeper.Decrypt(in.SecretSealed)
			if err != nil {
				return nil, err
			}
			o = append(o, jsonField{"hmac_token", token}, jsonField{"secret", sec})
		}
		o = append(o, jsonField{"webhook_url", in.WebhookURL}, jsonField{"inbox_identifier", in.Identifier},
			jsonField{"additional_attributes", in.AdditionalAttributes})
	}
	return append(o, jsonField{"provider", nil}), nil
}

// webWidgetScript is the snippet a website embeds to load the widget
// (Channel::WebWidget#web_widget_script). BASE_URL is empty, as in Chatwoot
// without FRONTEND_URL: CriaChat has no public-URL setting yet.
func webWidgetScript(websiteToken string) string {
	return `
    <script>
      (function(d,t) {
        var BASE_URL="";
        var g=d.createElement(t),s=d.getElementsByTagName(t)[0];
        g.src=BASE_URL+"/packs/js/sdk.js";
        g.async = true;
        s.parentNode.insertBefore(g,s);
        g.onload=function(){
          window.chatwootSDK.run({
            websiteToken: '` + websiteToken + `',
            baseUrl: BASE_URL
          })
        }
      })(document,"script");
    </script>
    `
}

// inboxSlimJSON is Chatwoot's slim inbox (_inbox_slim.json.jbuilder), used
// where an inbox is embedded in another object (contacts' contact_inboxes).
type inboxSlimJSON struct {
	ID          int64                `json:"id"`
	AvatarURL   string               `json:"avatar_url"`
	ChannelID   int64                `json:"channel_id"`
	Name        string               `json:"name"`
	ChannelType criachat.ChannelType `json:"channel_type"`
	Provider    *string              `json:"provider"`
}

// presentInboxSlim renders the slim inbox; it has no secrets, so it needs no role.
func presentInboxSlim(in *criachat.Inbox) inboxSlimJSON {
	return inboxSlimJSON{ID: in.ID, AvatarURL: "", ChannelID: in.ChannelID(), Name: in.Name, ChannelType: in.ChannelType}
}
