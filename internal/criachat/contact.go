package criachat

import (
	"regexp"
	"strings"
	"time"
)

// ContactType is Chatwoot's contact_type enum (visitor 0, lead 1, customer 2).
// Chatwoot does not render it in REST; CriaChat keeps it for the crm_v2 rules.
type ContactType string

// Contact types.
const (
	ContactVisitor  ContactType = "visitor"
	ContactLead     ContactType = "lead"
	ContactCustomer ContactType = "customer"
)

// Valid reports whether t is a known contact type.
func (t ContactType) Valid() bool {
	return t == ContactVisitor || t == ContactLead || t == ContactCustomer
}

// Contact is a person the account talks to. Email, PhoneNumber and Identifier
// are "" when unset (stored as NULL, so each is unique per account only when set).
type Contact struct {
	ID                   int64
	AccountID            int64
	Name                 string
	Email                string
	PhoneNumber          string
	Identifier           string
	Blocked              bool
	AdditionalAttributes map[string]any
	CustomAttributes     map[string]any
	ContactType          ContactType
	LastActivityAt       *time.Time
	CreatedAt            time.Time
	UpdatedAt            time.Time
}

// Identifiable reports whether the contact has an email, phone number or
// identifier: Chatwoot's resolved_contacts, the only ones the list shows (reference §9.6).
func (c *Contact) Identifiable() bool {
	return c.Email != "" || c.PhoneNumber != "" || c.Identifier != ""
}

// Normalize lowercases and trims the email and fills defaults, as Chatwoot's
// prepare_contact_attributes does.
func (c *Contact) Normalize() {
	c.Email = NormalizeEmail(c.Email)
	if c.AdditionalAttributes == nil {
		c.AdditionalAttributes = map[string]any{}
	}
	if c.CustomAttributes == nil {
		c.CustomAttributes = map[string]any{}
	}
	if c.ContactType == "" {
		c.ContactType = ContactVisitor
	}
}

// contactEmailRe is Devise's default email_regexp, which Chatwoot's contact validates against.
var contactEmailRe = regexp.MustCompile(`^[^@\s]+@[^@\s]+$`)

// e164Re is an E.164 phone number (reference §3.4). Chatwoot's own regexp is
// not anchored at the start; CriaChat requires the whole value to match.
var e164Re = regexp.MustCompile(`^\+[1-9]\d{1,14}$`)

// ValidE164 reports whether s is a phone number in E.164 format.
func ValidE164(s string) bool { return e164Re.MatchString(s) }

// Taken says which of a contact's unique values another contact of the
// account already has.
type Taken struct {
	Email, Identifier, PhoneNumber bool
}

// Validate checks a contact before it is stored, given what is already taken
// (the store checks uniqueness). It returns Chatwoot's RecordInvalid error
// listing every failure in the order the model's validations run: email
// (uniqueness, format), identifier, phone number (uniqueness, format).
func (c *Contact) Validate(taken Taken) error {
	var v Violations
	if taken.Email {
		v.AddTaken("email", MsgEmailTaken)
	}
	if c.Email != "" && (!contactEmailRe.MatchString(c.Email) || len(c.Email) > 255) {
		v.Add("email", "Email Invalid email")
	}
	if taken.Identifier {
		v.AddTaken("identifier", MsgIdentifierTaken)
	}
	if taken.PhoneNumber {
		v.AddTaken("phone_number", MsgPhoneTaken)
	}
	if c.PhoneNumber != "" && !e164Re.MatchString(c.PhoneNumber) {
		v.Add("phone_number", "Phone number should be in e164 format")
	}
	if !c.ContactType.Valid() {
		v.Add("contact_type", "Contact type is not included in the list")
	}
	return v.Err()
}

// Violations collects several validation failures into one RecordInvalid
// error: Rails joins the full messages with ", " and lists each attribute once.
type Violations struct {
	messages, attributes []string
	conflict             bool
}

// Add records a failed rule of attr.
func (v *Violations) Add(attr, message string) {
	v.messages = append(v.messages, message)
	for _, a := range v.attributes {
		if a == attr {
			return
		}
	}
	v.attributes = append(v.attributes, attr)
}

// AddTaken records a uniqueness failure ("Email has already been taken").
func (v *Violations) AddTaken(attr, message string) {
	v.Add(attr, message)
	v.conflict = true
}

// Err returns the collected failures as one error, or nil when there are none.
func (v *Violations) Err() error {
	if len(v.messages) == 0 {
		return nil
	}
	code := EINVALID
	if v.conflict {
		code = ECONFLICT
	}
	return &Error{Code: code, Message: strings.Join(v.messages, ", "), Attributes: v.attributes}
}

// Contact uniqueness messages (Rails' default "has already been taken").
const (
	MsgEmailTaken      = "Email has already been taken"
	MsgIdentifierTaken = "Identifier has already been taken"
	MsgPhoneTaken      = "Phone number has already been taken"
)

// MergeAttributes is a shallow Hash#merge: the keys of patch replace those of
// base, other keys of base stay (the contact update rule, reference §9.5).
func MergeAttributes(base, patch map[string]any) map[string]any {
	out := make(map[string]any, len(base)+len(patch))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range patch {
		out[k] = v
	}
	return out
}

// deepMerge is ActiveSupport's Hash#deep_merge: nested objects merge key by
// key, anything else from winner replaces loser's value.
func deepMerge(loser, winner map[string]any) map[string]any {
	out := make(map[string]any, len(loser)+len(winner))
	for k, v := range loser {
		out[k] = v
	}
	for k, v := range winner {
		lm, lok := out[k].(map[string]any)
		wm, wok := v.(map[string]any)
		if lok && wok {
			out[k] = deepMerge(lm, wm)
			continue
		}
		out[k] = v
	}
	return out
}

// blank is Rails' blank? for the attribute values a merge considers.
func blank(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(x) == ""
	case map[string]any:
		return len(x) == 0
	case []any:
		return len(x) == 0
	case bool:
		return !x
	}
	return false
}

// compactBlank drops blank values, as Hash#compact_blank does.
func compactBlank(m map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		if !blank(v) {
			out[k] = v
		}
	}
	return out
}

// MergeInto applies Chatwoot's ContactMergeAction attribute rule (reference
// §9.7): the mergee's name, email, phone number, identifier and attributes
// fill what the base lacks, the base winning wherever both have a value
// (deep merge after dropping blank values on both sides).
func MergeInto(base, mergee *Contact) {
	if base.Name == "" || strings.TrimSpace(base.Name) == "" {
		if strings.TrimSpace(mergee.Name) != "" {
			base.Name = mergee.Name
		}
	}
	if base.Email == "" {
		base.Email = mergee.Email
	}
	if base.PhoneNumber == "" {
		base.PhoneNumber = mergee.PhoneNumber
	}
	if base.Identifier == "" {
		base.Identifier = mergee.Identifier
	}
	base.AdditionalAttributes = mergeAttrs(base.AdditionalAttributes, mergee.AdditionalAttributes)
	base.CustomAttributes = mergeAttrs(base.CustomAttributes, mergee.CustomAttributes)
}

// mergeAttrs merges two attribute hashes for MergeInto. Rails compacts blank
// values only at the top level of the attributes slice: a blank hash on one
// side is dropped, but keys inside a hash are merged as they are.
func mergeAttrs(base, mergee map[string]any) map[string]any {
	switch {
	case len(mergee) == 0:
		return base
	case len(base) == 0:
		return mergee
	}
	return deepMerge(mergee, base)
}

// NormalizeLabels turns a requested label list into stored titles: trimmed,
// lowercased (acts_as_taggable_on force_lowercase), blanks dropped, each once,
// in the given order (reference §9.4).
func NormalizeLabels(labels []string) []string {
	out := make([]string, 0, len(labels))
	seen := map[string]bool{}
	for _, l := range labels {
		t := strings.ToLower(strings.TrimSpace(l))
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	return out
}

// MaxLabelLength is the longest label title CriaChat stores.
const MaxLabelLength = 255

// ValidateLabels checks normalized label titles.
func ValidateLabels(labels []string) error {
	for _, l := range labels {
		if len(l) > MaxLabelLength {
			return Invalid("Labels is too long (maximum is 255 characters)", "labels")
		}
	}
	return nil
}

// Note is an agent's note on a contact.
type Note struct {
	ID        int64
	AccountID int64
	ContactID int64
	UserID    *int64 // nil once the author is deleted
	Content   string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// MaxNoteContent bounds a note's content.
const MaxNoteContent = 150000

// Validate checks a note before it is stored.
func (n *Note) Validate() error {
	switch {
	case strings.TrimSpace(n.Content) == "":
		return Invalid("Content can't be blank", "content")
	case len(n.Content) > MaxNoteContent:
		return Invalid("Content is too long (maximum is 150000 characters)", "content")
	}
	return nil
}

// ContactInbox is a contact's identity in one inbox: source_id is how the
// channel names the contact (unique per inbox), pubsub_token names its
// realtime stream in the Client and Widget APIs.
type ContactInbox struct {
	ID           int64
	AccountID    int64
	ContactID    int64
	InboxID      int64
	SourceID     string
	HMACVerified bool
	PubsubToken  string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// MaxSourceIDLength bounds a source_id.
const MaxSourceIDLength = 255

// Validate checks a contact inbox before it is stored.
func (ci *ContactInbox) Validate() error {
	switch {
	case strings.TrimSpace(ci.SourceID) == "":
		return Invalid("Source can't be blank", "source_id")
	case len(ci.SourceID) > MaxSourceIDLength:
		return Invalid("Source is too long (maximum is 255 characters)", "source_id")
	}
	return nil
}

// MsgSourceTaken is the error for a source_id another contact inbox of the inbox has.
const MsgSourceTaken = "Source has already been taken"

// SourceIDFor is the source_id a new contact inbox gets when none is given
// (reference §6.4, ContactInboxBuilder): a UUID for API and web widget inboxes,
// the only channel types CriaChat has. newUUID supplies the UUID.
func SourceIDFor(t ChannelType, newUUID func() string) (string, error) {
	switch t {
	case ChannelAPI, ChannelWebWidget:
		return newUUID(), nil
	}
	return "", Errorf(EINVALID, "Unsupported operation for this channel: %s", t)
}
