package criachat

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // timezone names validate the same on every host
	"unicode"
	"unicode/utf8"
)

// ChannelType is the kind of channel behind an inbox, named as Chatwoot's
// channel_type ("Channel::Api").
type ChannelType string

// Channel types CriaChat implements.
const (
	ChannelAPI       ChannelType = "Channel::Api"
	ChannelWebWidget ChannelType = "Channel::WebWidget"
)

// Valid reports whether t is a channel type CriaChat implements.
func (t ChannelType) Valid() bool { return t == ChannelAPI || t == ChannelWebWidget }

// errNoChannel is Chatwoot's RecordInvalid for an inbox without a channel
// (an unknown or missing channel.type on POST /inboxes).
func errNoChannel() error { return Invalid("Channel must exist", "channel") }

// ChannelTypeFromParam maps the channel.type of POST /inboxes ("api",
// "web_widget") to a channel type. Types Chatwoot accepts that CriaChat does
// not implement yet are EINVALID with a message that says so; any other value
// is Chatwoot's "Channel must exist".
func ChannelTypeFromParam(p string) (ChannelType, error) {
	switch p {
	case "api":
		return ChannelAPI, nil
	case "web_widget":
		return ChannelWebWidget, nil
	case "email", "telegram", "whatsapp", "line", "sms":
		return "", Errorf(EINVALID, "Channel type %s is not supported yet", p)
	}
	return "", errNoChannel()
}

// SenderNameType is how outgoing messages name the sender (Chatwoot enum friendly 0, professional 1).
type SenderNameType string

// Sender name types.
const (
	SenderFriendly     SenderNameType = "friendly"
	SenderProfessional SenderNameType = "professional"
)

// Valid reports whether s is a known sender name type.
func (s SenderNameType) Valid() bool { return s == SenderFriendly || s == SenderProfessional }

// ReplyTime is the reply time a web widget announces (Chatwoot enum
// in_a_few_minutes 0, in_a_few_hours 1, in_a_day 2).
type ReplyTime string

// Reply times.
const (
	ReplyInAFewMinutes ReplyTime = "in_a_few_minutes"
	ReplyInAFewHours   ReplyTime = "in_a_few_hours"
	ReplyInADay        ReplyTime = "in_a_day"
)

// Valid reports whether r is a known reply time.
func (r ReplyTime) Valid() bool {
	return r == ReplyInAFewMinutes || r == ReplyInAFewHours || r == ReplyInADay
}

// WidgetFeatureFlags are the web widget's feature flags, in Chatwoot's order.
var WidgetFeatureFlags = []string{"attachments", "emoji_picker", "end_conversation", "use_inbox_avatar_for_bot", "allow_mobile_webview"}

// Length limits of Chatwoot's lib/limits.rb.
const (
	MaxInboxMessageLength = 10000 // greeting and out-of-office messages
	MaxURLLength          = 2048
	maxInboxNameLength    = 255
)

// WorkingHour is one day of an inbox's weekly schedule. Hours and minutes
// are nil when never set (a day created closed).
type WorkingHour struct {
	DayOfWeek    int  `json:"day_of_week"` // 0 is Sunday
	ClosedAllDay bool `json:"closed_all_day"`
	OpenHour     *int `json:"open_hour"`
	OpenMinutes  *int `json:"open_minutes"`
	CloseHour    *int `json:"close_hour"`
	CloseMinutes *int `json:"close_minutes"`
	OpenAllDay   bool `json:"open_all_day"`
}

// DefaultWorkingHours is the schedule a new inbox starts with, as Chatwoot's:
// Monday to Friday 9:00 to 17:00, closed on the weekend.
func DefaultWorkingHours() []WorkingHour {
	hours := make([]WorkingHour, 7)
	for d := range hours {
		hours[d] = WorkingHour{DayOfWeek: d}
		if d == 0 || d == 6 {
			hours[d].ClosedAllDay = true
			continue
		}
		hours[d].OpenHour, hours[d].OpenMinutes, hours[d].CloseHour, hours[d].CloseMinutes = intp(9), intp(0), intp(17), intp(0)
	}
	return hours
}

func intp(v int) *int { return &v }

// Inbox is a channel through which conversations arrive, with the settings of
// its channel. Chatwoot keeps the channel in a table of its own; CriaChat keeps
// the fields of both implemented channel types on the inbox and uses those of
// its ChannelType.
type Inbox struct {
	ID                         int64
	AccountID                  int64
	Name                       string
	ChannelType                ChannelType
	GreetingEnabled            bool
	GreetingMessage            *string
	EnableEmailCollect         bool
	CSATSurveyEnabled          bool
	CSATConfig                 map[string]any
	EnableAutoAssignment       bool
	AutoAssignmentConfig       map[string]any
	WorkingHoursEnabled        bool
	OutOfOfficeMessage         *string
	WorkingHours               []WorkingHour // 7 days, by day_of_week
	Timezone                   string
	AllowMessagesAfterResolved bool
	LockToSingleConversation   bool
	SenderNameType             SenderNameType
	BusinessName               *string

	// Both channels. The HMAC token is the key of contact identity validation
	// (reference §2.4); it is stored sealed by the installation's secret.Keeper.
	HMACTokenSealed string
	HMACMandatory   bool

	// API channel. Identifier is the public inbox_identifier of the Client API;
	// the secret signs the inbox's webhook callbacks and is stored sealed.
	Identifier           string
	SecretSealed         string
	WebhookURL           *string
	AdditionalAttributes map[string]any

	// Web widget channel. WebsiteToken is the public key of the Widget API.
	WebsiteToken       string
	WebsiteURL         string
	WidgetColor        string
	WelcomeTitle       *string
	WelcomeTagline     *string
	ReplyTime          ReplyTime
	PreChatFormEnabled bool
	PreChatFormOptions map[string]any
	ContinuityViaEmail bool
	AllowedDomains     string
	FeatureFlags       []string // selected_feature_flags, in WidgetFeatureFlags order

	CreatedAt time.Time
	UpdatedAt time.Time
}

// NewInbox returns an inbox of the channel type with Chatwoot's defaults.
// The caller sets the name, the channel's tokens and sealed secrets.
func NewInbox(accountID int64, t ChannelType) *Inbox {
	in := &Inbox{
		AccountID: accountID, ChannelType: t, EnableEmailCollect: true, EnableAutoAssignment: true,
		AllowMessagesAfterResolved: true, Timezone: "UTC", SenderNameType: SenderFriendly,
		WorkingHours: DefaultWorkingHours(),
	}
	if t == ChannelWebWidget {
		in.WidgetColor = "#1f93ff"
		in.ContinuityViaEmail = true
		in.FeatureFlags = []string{"attachments", "emoji_picker", "end_conversation"}
	}
	in.Normalize()
	return in
}

// IsAPI reports whether the inbox is an API channel.
func (in *Inbox) IsAPI() bool { return in.ChannelType == ChannelAPI }

// IsWebWidget reports whether the inbox is a web widget.
func (in *Inbox) IsWebWidget() bool { return in.ChannelType == ChannelWebWidget }

// ChannelID is the id of the inbox's channel. CriaChat keeps the channel on
// the inbox row, so it is the inbox id.
func (in *Inbox) ChannelID() int64 { return in.ID }

// Normalize trims the name and fills what Chatwoot fills before validation:
// empty documents, the default pre-chat form of a widget, the hours of days
// open all day, and the canonical order of feature flags.
func (in *Inbox) Normalize() {
	in.Name = strings.TrimSpace(in.Name)
	if in.SenderNameType == "" {
		in.SenderNameType = SenderFriendly
	}
	if in.ReplyTime == "" {
		in.ReplyTime = ReplyInAFewMinutes
	}
	for _, m := range []*map[string]any{&in.CSATConfig, &in.AutoAssignmentConfig, &in.AdditionalAttributes, &in.PreChatFormOptions} {
		if *m == nil {
			*m = map[string]any{}
		}
	}
	if in.WorkingHours == nil {
		in.WorkingHours = DefaultWorkingHours()
	}
	for i := range in.WorkingHours {
		if wh := &in.WorkingHours[i]; wh.OpenAllDay { // Chatwoot's ensure_open_all_day_hours
			wh.OpenHour, wh.OpenMinutes, wh.CloseHour, wh.CloseMinutes = intp(0), intp(0), intp(23), intp(59)
		}
	}
	if in.IsWebWidget() {
		if fields, _ := in.PreChatFormOptions["pre_chat_fields"].([]any); len(fields) == 0 {
			in.PreChatFormOptions = DefaultPreChatFormOptions()
		}
		in.FeatureFlags = canonicalFlags(in.FeatureFlags)
	}
	if in.FeatureFlags == nil {
		in.FeatureFlags = []string{}
	}
}

// canonicalFlags orders known flags as WidgetFeatureFlags and drops
// duplicates; unknown flags are kept at the end so that Validate reports them.
func canonicalFlags(flags []string) []string {
	out := []string{}
	for _, f := range WidgetFeatureFlags {
		for _, g := range flags {
			if g == f {
				out = append(out, f)
				break
			}
		}
	}
	for _, g := range flags {
		if !knownFlag(g) {
			out = append(out, g)
		}
	}
	return out
}

func knownFlag(f string) bool {
	for _, k := range WidgetFeatureFlags {
		if k == f {
			return true
		}
	}
	return false
}

// DefaultPreChatFormOptions is the pre-chat form a widget gets when none with
// fields is given (Chatwoot's validate_pre_chat_options).
func DefaultPreChatFormOptions() map[string]any {
	field := func(label, name, typ string, required bool) map[string]any {
		return map[string]any{"field_type": "standard", "label": label, "name": name, "type": typ, "required": required, "enabled": false}
	}
	return map[string]any{
		"pre_chat_message": "Share your queries or comments here.",
		"pre_chat_fields": []any{
			field("Email Id", "emailAddress", "email", true),
			field("Full name", "fullName", "text", false),
			field("Phone number", "phoneNumber", "text", false),
		},
	}
}

// Validate checks an inbox before it is stored: its channel's fields first,
// then the inbox's, as Chatwoot saves the channel before the inbox.
func (in *Inbox) Validate() error {
	switch in.ChannelType {
	case ChannelAPI:
		if err := in.validateAPI(); err != nil {
			return err
		}
	case ChannelWebWidget:
		if err := in.validateWebWidget(); err != nil {
			return err
		}
	default:
		return errNoChannel()
	}
	switch {
	case in.Name == "":
		return Invalid("Name can't be blank", "name")
	case utf8.RuneCountInString(in.Name) > maxInboxNameLength:
		return Invalid("Name is too long (maximum is 255 characters)", "name")
	case !validInboxName(in.Name):
		return Invalid("Name should not start or end with symbols, and it should not have < > / \\ @ characters.", "name")
	case !ValidTimezone(in.Timezone):
		return Invalid("Timezone is not included in the list", "timezone")
	case in.GreetingMessage != nil && utf8.RuneCountInString(*in.GreetingMessage) > MaxInboxMessageLength:
		return Invalid(fmt.Sprintf("Greeting message is too long (maximum is %d characters)", MaxInboxMessageLength), "greeting_message")
	case in.OutOfOfficeMessage != nil && utf8.RuneCountInString(*in.OutOfOfficeMessage) > MaxInboxMessageLength:
		return Invalid(fmt.Sprintf("Out of office message is too long (maximum is %d characters)", MaxInboxMessageLength), "out_of_office_message")
	case !in.SenderNameType.Valid():
		return Invalid("Sender name type is not included in the list", "sender_name_type")
	case !positiveOrBlank(in.AutoAssignmentConfig["max_assignment_limit"]):
		return Invalid("Auto assignment config max_assignment_limit must be greater than 0", "auto_assignment_config")
	}
	return validateWorkingHours(in.WorkingHours)
}

func (in *Inbox) validateAPI() error {
	if in.WebhookURL != nil && *in.WebhookURL != "" {
		if len(*in.WebhookURL) > MaxURLLength {
			return Invalid(fmt.Sprintf("Webhook url is too long (maximum is %d characters)", MaxURLLength), "webhook_url")
		}
		if !httpURL(*in.WebhookURL) {
			return Invalid("Webhook url is invalid", "webhook_url")
		}
	}
	if !positiveOrBlank(in.AdditionalAttributes["agent_reply_time_window"]) {
		return Invalid("Agent reply time window must be greater than 0", "agent_reply_time_window")
	}
	return nil
}

func (in *Inbox) validateWebWidget() error {
	switch {
	case strings.TrimSpace(in.WebsiteURL) == "":
		return Invalid("Website url can't be blank", "website_url")
	case len(in.WebsiteURL) > MaxURLLength:
		return Invalid(fmt.Sprintf("Website url is too long (maximum is %d characters)", MaxURLLength), "website_url")
	case strings.TrimSpace(in.WidgetColor) == "":
		return Invalid("Widget color can't be blank", "widget_color")
	case !in.ReplyTime.Valid():
		return Invalid("Reply time is not included in the list", "reply_time")
	}
	for _, f := range in.FeatureFlags {
		if !knownFlag(f) {
			return Invalid("Selected feature flags is not included in the list", "selected_feature_flags")
		}
	}
	return nil
}

// validInboxName is Chatwoot's name format for API, web widget and email
// inboxes: no < > / \ @, and no symbol at either end.
func validInboxName(name string) bool {
	if strings.ContainsAny(name, `/\<>@`) {
		return false
	}
	first, _ := utf8.DecodeRuneInString(name)
	last, _ := utf8.DecodeLastRuneInString(name)
	return wordRune(first) && wordRune(last)
}

func wordRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// ValidTimezone reports whether name is an IANA time zone name (Chatwoot
// validates against TZInfo's identifiers).
func ValidTimezone(name string) bool {
	if name == "" || name == "Local" || strings.ContainsAny(name, " \t\n") {
		return false
	}
	_, err := time.LoadLocation(name)
	return err == nil
}

// positiveOrBlank is Chatwoot's check for numeric settings kept in JSON
// documents: blank, or a positive integer once converted like Ruby's to_i.
func positiveOrBlank(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		if strings.TrimSpace(x) == "" {
			return true
		}
		return rubyToI(x) > 0
	case float64:
		return int64(x) > 0
	case int:
		return x > 0
	case int64:
		return x > 0
	}
	return false
}

// rubyToI converts the leading integer of s as Ruby's String#to_i does ("12h" is 12, "x" is 0).
func rubyToI(s string) int64 {
	s = strings.TrimSpace(s)
	end := 0
	for end < len(s) && (s[end] >= '0' && s[end] <= '9' || end == 0 && (s[end] == '-' || s[end] == '+')) {
		end++
	}
	n, _ := strconv.ParseInt(s[:end], 10, 64)
	return n
}

// validateWorkingHours applies Chatwoot's WorkingHour validations to a week.
func validateWorkingHours(hours []WorkingHour) error {
	if len(hours) != 7 {
		return Invalid("Working hours must have one entry per day of the week", "working_hours")
	}
	for d, wh := range hours {
		if wh.DayOfWeek != d {
			return Invalid("Day of week is not included in the list", "day_of_week")
		}
		if wh.OpenAllDay && wh.ClosedAllDay {
			return Invalid("open_all_day and closed_all_day cannot be true at the same time", "base")
		}
		if wh.ClosedAllDay {
			continue
		}
		for _, f := range []struct {
			name, attr string
			v          *int
			max        int
		}{
			{"Open hour", "open_hour", wh.OpenHour, 23}, {"Open minutes", "open_minutes", wh.OpenMinutes, 59},
			{"Close hour", "close_hour", wh.CloseHour, 23}, {"Close minutes", "close_minutes", wh.CloseMinutes, 59},
		} {
			if f.v == nil {
				return Invalid(f.name+" can't be blank", f.attr)
			}
			if *f.v < 0 || *f.v > f.max {
				return Invalid(f.name+" is not included in the list", f.attr)
			}
		}
		if *wh.OpenHour*60+*wh.OpenMinutes >= *wh.CloseHour*60+*wh.CloseMinutes {
			return Invalid("Close hour Closing time cannot be before opening time", "close_hour")
		}
	}
	return nil
}

// FormatCSATConfig keeps the CSAT settings Chatwoot permits and fills its
// defaults (InboxesController#format_csat_config).
func FormatCSATConfig(c map[string]any) map[string]any {
	str := func(m map[string]any, key, def string) any {
		if v, ok := m[key]; ok && v != nil && scalar(v) {
			return v
		}
		return def
	}
	rules, _ := c["survey_rules"].(map[string]any)
	values := []any{}
	if vs, ok := rules["values"].([]any); ok {
		for _, v := range vs {
			if scalar(v) {
				values = append(values, v)
			}
		}
	}
	out := map[string]any{
		"display_type": str(c, "display_type", "emoji"),
		"message":      str(c, "message", ""),
		"survey_rules": map[string]any{"operator": str(rules, "operator", "contains"), "values": values},
		"button_text":  str(c, "button_text", "Please rate us"),
		"language":     str(c, "language", "en"),
	}
	if t, ok := c["template"].(map[string]any); ok && len(t) > 0 {
		out["template"] = permitScalars(t, "name", "template_id", "friendly_name", "content_sid", "approval_sid", "created_at", "language", "status")
	}
	return out
}

// PermitPreChatFormOptions keeps the pre-chat form keys Chatwoot permits.
func PermitPreChatFormOptions(o map[string]any) map[string]any {
	out := permitScalars(o, "pre_chat_message", "require_email")
	if fields, ok := o["pre_chat_fields"].([]any); ok {
		kept := []any{}
		for _, f := range fields {
			m, ok := f.(map[string]any)
			if !ok {
				continue
			}
			field := permitScalars(m, "field_type", "label", "placeholder", "name", "enabled", "type", "required",
				"locale", "regex_pattern", "regex_cue")
			if vs, ok := m["values"].([]any); ok {
				values := []any{}
				for _, v := range vs {
					if scalar(v) {
						values = append(values, v)
					}
				}
				field["values"] = values
			}
			kept = append(kept, field)
		}
		out["pre_chat_fields"] = kept
	}
	return out
}

// permitScalars keeps the listed keys whose values are scalars, as Rails'
// params.permit does.
func permitScalars(m map[string]any, keys ...string) map[string]any {
	out := map[string]any{}
	for _, k := range keys {
		if v, ok := m[k]; ok && scalar(v) {
			out[k] = v
		}
	}
	return out
}

func scalar(v any) bool {
	switch v.(type) {
	case nil, string, float64, bool, int, int64:
		return true
	}
	return false
}
