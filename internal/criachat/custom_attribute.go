package criachat

import (
	"slices"
	"strings"
	"time"
	"unicode"
)

// AttributeModel is what a custom attribute definition applies to (Chatwoot
// enum conversation_attribute 0, contact_attribute 1).
type AttributeModel string

// Attribute models.
const (
	ConversationAttribute AttributeModel = "conversation_attribute"
	ContactAttribute      AttributeModel = "contact_attribute"
)

// AttributeModels lists the models in Chatwoot's enum order (index = integer value).
var AttributeModels = []AttributeModel{ConversationAttribute, ContactAttribute}

// Valid reports whether m is a known model.
func (m AttributeModel) Valid() bool { return slices.Contains(AttributeModels, m) }

// AttributeDisplayType is how a custom attribute is entered and shown
// (Chatwoot enum text 0 … checkbox 7).
type AttributeDisplayType string

// Attribute display types.
const (
	DisplayText     AttributeDisplayType = "text"
	DisplayNumber   AttributeDisplayType = "number"
	DisplayCurrency AttributeDisplayType = "currency"
	DisplayPercent  AttributeDisplayType = "percent"
	DisplayLink     AttributeDisplayType = "link"
	DisplayDate     AttributeDisplayType = "date"
	DisplayList     AttributeDisplayType = "list"
	DisplayCheckbox AttributeDisplayType = "checkbox"
)

// AttributeDisplayTypes lists the display types in Chatwoot's enum order (index = integer value).
var AttributeDisplayTypes = []AttributeDisplayType{DisplayText, DisplayNumber, DisplayCurrency, DisplayPercent,
	DisplayLink, DisplayDate, DisplayList, DisplayCheckbox}

// Valid reports whether t is a known display type.
func (t AttributeDisplayType) Valid() bool { return slices.Contains(AttributeDisplayTypes, t) }

// standardAttributes are the built-in keys of each model; a custom attribute
// may not reuse them, since filters would not tell the two apart
// (CustomAttributeDefinition::STANDARD_ATTRIBUTES).
var standardAttributes = map[AttributeModel][]string{
	ConversationAttribute: {"status", "priority", "assignee_id", "inbox_id", "team_id", "display_id", "campaign_id",
		"labels", "browser_language", "country_code", "referer", "created_at", "last_activity_at"},
	ContactAttribute: {"name", "email", "phone_number", "identifier", "country_code", "city", "company_name",
		"created_at", "last_activity_at", "referer", "blocked"},
}

// CustomAttributeDefinition declares a custom attribute an account's
// conversations or contacts can carry.
type CustomAttributeDefinition struct {
	ID           int64
	AccountID    int64
	DisplayName  string
	DisplayType  AttributeDisplayType
	Description  *string
	Key          string
	RegexPattern *string
	RegexCue     *string
	Values       []string
	Model        AttributeModel
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Normalize trims the key and display name and fills the defaults.
func (d *CustomAttributeDefinition) Normalize() {
	d.Key = strings.TrimSpace(d.Key)
	d.DisplayName = strings.TrimSpace(d.DisplayName)
	if d.DisplayType == "" {
		d.DisplayType = DisplayText
	}
	if d.Model == "" {
		d.Model = ConversationAttribute
	}
	if d.Values == nil {
		d.Values = []string{}
	}
}

// Validate checks a definition before it is stored. The standard-key rule
// applies on create only, as in Chatwoot; the caller passes creating.
func (d *CustomAttributeDefinition) Validate(creating bool) error {
	switch {
	case d.DisplayName == "":
		return Invalid("Attribute display name can't be blank", "attribute_display_name")
	case d.Key == "":
		return Invalid("Attribute key can't be blank", "attribute_key")
	case !validAttributeKey(d.Key):
		return Invalid("Attribute key must only contain letters, numbers, underscores, hyphens, and dots", "attribute_key")
	case !d.DisplayType.Valid():
		return Invalid("Attribute display type is not included in the list", "attribute_display_type")
	case !d.Model.Valid():
		return Invalid("Attribute model is not included in the list", "attribute_model")
	case creating && slices.Contains(standardAttributes[d.Model], d.Key):
		return Invalid("Attribute key The provided key is not allowed as it might conflict with default attributes.", "attribute_key")
	}
	return nil
}

// validAttributeKey allows letters, digits, "_", "." and "-": keys become
// JSON object keys and filter attribute names.
func validAttributeKey(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsNumber(r) && r != '_' && r != '.' && r != '-' {
			return false
		}
	}
	return s != ""
}
