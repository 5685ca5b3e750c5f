package criachat

import (
	"strings"
	"time"
)

// ConversationField is what a conversation filter condition looks at.
type ConversationField string

// Conversation filter keys (reference §6.5), in the order Chatwoot's error
// message lists them.
const (
	ConvStatus               ConversationField = "status"
	ConvAssigneeID           ConversationField = "assignee_id"
	ConvInboxID              ConversationField = "inbox_id"
	ConvTeamID               ConversationField = "team_id"
	ConvContactID            ConversationField = "contact_id"
	ConvPriority             ConversationField = "priority"
	ConvDisplayID            ConversationField = "display_id"
	ConvCampaignID           ConversationField = "campaign_id"
	ConvLabels               ConversationField = "labels"
	ConvBrowserLanguage      ConversationField = "browser_language"
	ConvConversationLanguage ConversationField = "conversation_language"
	ConvReferer              ConversationField = "referer"
	ConvCreatedAt            ConversationField = "created_at"
	ConvLastActivityAt       ConversationField = "last_activity_at"
	ConvMailSubject          ConversationField = "mail_subject"
	// ConvCustom is a custom attribute, of the conversation or of its contact.
	ConvCustom ConversationField = "custom_attributes"
)

// convKind is how a conversation key's values are read.
type convKind int

const (
	kindID       convKind = iota // integer ids (display_id also as text for contains)
	kindStatus                   // status names, "all" meaning every status
	kindPriority                 // priority names
	kindLabels                   // label titles
	kindText                     // a text in additional_attributes
	kindDate                     // a day
)

type conversationFilterKey struct {
	field ConversationField
	kind  convKind
	ops   []FilterOp
}

// conversationFilterKeys is the conversations section of Chatwoot's
// filter_keys.yml as the reference lists it.
var conversationFilterKeys = []conversationFilterKey{
	{ConvStatus, kindStatus, eqOps},
	{ConvAssigneeID, kindID, presenceOps},
	{ConvInboxID, kindID, presenceOps},
	{ConvTeamID, kindID, presenceOps},
	{ConvContactID, kindID, eqOps},
	{ConvPriority, kindPriority, eqOps},
	{ConvDisplayID, kindID, textOps},
	{ConvCampaignID, kindID, presenceOps},
	{ConvLabels, kindLabels, presenceOps},
	{ConvBrowserLanguage, kindText, eqOps},
	{ConvConversationLanguage, kindText, eqOps},
	{ConvReferer, kindText, textOps},
	{ConvCreatedAt, kindDate, dateOps},
	{ConvLastActivityAt, kindDate, dateOps},
	{ConvMailSubject, kindText, textOps},
}

// MaxFilterValues bounds the values of one conversation filter condition, so
// that a condition stays within the databases' limits on bound parameters.
const MaxFilterValues = 1000

// ConversationCondition is one validated condition of a conversation filter.
type ConversationCondition struct {
	Field ConversationField
	Op    FilterOp // days_before arrives here as is_less_than

	IDs      []int64   // id keys with equal_to / not_equal_to
	Texts    []string  // status, priority and additional attribute values for equal_to / not_equal_to
	Patterns []string  // contains / does_not_contain: the raw values
	Labels   []string  // labels: lowercased titles
	Time     time.Time // dates: midnight UTC of the compared day

	// Custom is the condition on a custom attribute (Field ConvCustom), in
	// the form the contact filter runs: the same rules for both models.
	Custom *ContactCondition
	// OfContact says Custom looks at the conversation's contact
	// (custom_attribute_type "contact_attribute").
	OfContact bool

	// Or joins this condition to the next one with OR instead of AND.
	Or bool
}

// ConversationFilter is a validated conversation filter: conditions joined in
// order by AND or OR with SQL's precedence, as Chatwoot's string-built query has.
type ConversationFilter struct {
	Conditions []ConversationCondition
}

// ParseConversationFilter validates filter rows against the conversation
// vocabulary (reference §6.5) and returns the conditions to run. Errors are
// EINVALID with Chatwoot's messages. today is the current UTC date
// (days_before counts back from it). defs are the account's custom attribute
// definitions: a key that is not standard names one of them, of the model the
// row's custom_attribute_type gives (conversation_attribute by default).
func ParseConversationFilter(rows []FilterRow, today time.Time, defs []*CustomAttributeDefinition) (*ConversationFilter, error) {
	if err := checkFilterRows(rows); err != nil {
		return nil, err
	}
	f := &ConversationFilter{}
	for i, row := range rows {
		c, err := parseConversationCondition(row, today, defs)
		if err != nil {
			return nil, err
		}
		c.Or = joinsWithOr(rows, i)
		f.Conditions = append(f.Conditions, c)
	}
	return f, nil
}

func parseConversationCondition(row FilterRow, today time.Time, defs []*CustomAttributeDefinition) (ConversationCondition, error) {
	key, op := row.AttributeKey, FilterOp(row.FilterOperator)
	var def *conversationFilterKey
	for i := range conversationFilterKeys {
		if string(conversationFilterKeys[i].field) == key {
			def = &conversationFilterKeys[i]
			break
		}
	}
	// Chatwoot's order: the operator of a standard key, then blank values,
	// then an unknown key.
	if def != nil && !hasOp(def.ops, op) {
		return ConversationCondition{}, errInvalidOperator(key, def.ops)
	}
	if op != OpIsPresent && op != OpIsNotPresent && blankValues(row.Values) || len(row.Values) > MaxFilterValues {
		return ConversationCondition{}, errInvalidValue(key)
	}
	if def == nil {
		return parseConversationCustom(row, today, defs)
	}
	c := ConversationCondition{Field: def.field, Op: op}
	if err := c.setValues(def.kind, row, today); err != nil {
		return ConversationCondition{}, err
	}
	return c, nil
}

// parseConversationCustom reads a condition on a custom attribute with the
// contact filter's rules, so both filters compare attributes alike.
func parseConversationCustom(row FilterRow, today time.Time, defs []*CustomAttributeDefinition) (ConversationCondition, error) {
	key, op := row.AttributeKey, FilterOp(row.FilterOperator)
	model := AttributeModel(strings.TrimSpace(row.CustomAttributeType))
	if model == "" {
		model = ConversationAttribute
	}
	var found *CustomAttributeDefinition
	for _, d := range defs {
		if d.Model == model && d.Key == key {
			found = d
			break
		}
	}
	if found == nil {
		allowed := make([]string, len(conversationFilterKeys))
		for i, k := range conversationFilterKeys {
			allowed[i] = string(k.field)
		}
		return ConversationCondition{}, errInvalidAttribute(key, allowed)
	}
	if !hasOp(allOps, op) {
		return ConversationCondition{}, errInvalidOperator(key, allOps)
	}
	cc := ContactCondition{Field: FieldCustom, CustomKey: key, Type: AttrTypeOf(found.DisplayType), Op: op}
	if err := cc.setValues(row, today); err != nil {
		return ConversationCondition{}, err
	}
	return ConversationCondition{Field: ConvCustom, Op: cc.Op, Custom: &cc, OfContact: model == ContactAttribute}, nil
}

// setValues converts the row's values for a standard key. Values Chatwoot
// would pass to the database unchecked (a word for an id, an unknown status)
// are refused here as invalid values.
func (c *ConversationCondition) setValues(kind convKind, row FilterRow, today time.Time) error {
	invalid := errInvalidValue(row.AttributeKey)
	if c.Op == OpIsPresent || c.Op == OpIsNotPresent {
		return nil
	}
	switch kind {
	case kindLabels, kindDate:
		// The contact filter's rules for labels and days, and its days_before.
		cc := ContactCondition{Field: FieldLabels, Type: AttrLabels, Op: c.Op}
		if kind == kindDate {
			cc = ContactCondition{Field: FieldCreatedAt, Type: AttrDate, Op: c.Op}
		}
		if err := cc.setValues(row, today); err != nil {
			return err
		}
		c.Op, c.Labels, c.Time = cc.Op, cc.Labels, cc.Time
		return nil
	}
	if c.Op == OpContains || c.Op == OpDoesNotContain {
		for _, v := range row.Values {
			s, ok := scalarText(v)
			if !ok {
				return invalid
			}
			c.Patterns = append(c.Patterns, strings.TrimSpace(s))
		}
		return nil
	}
	for _, v := range row.Values {
		switch kind {
		case kindID:
			id, ok := intValue(v)
			if !ok {
				return invalid
			}
			c.IDs = append(c.IDs, id)
		case kindStatus:
			s, _ := v.(string)
			if s == "all" {
				c.Texts = append(c.Texts, string(StatusOpen), string(StatusResolved), string(StatusPending), string(StatusSnoozed))
				continue
			}
			if !ConversationStatus(s).Valid() {
				return invalid
			}
			c.Texts = append(c.Texts, s)
		case kindPriority:
			s, _ := v.(string)
			if s == "" || !Priority(s).Valid() {
				return invalid
			}
			c.Texts = append(c.Texts, s)
		default: // kindText
			s, ok := scalarText(v)
			if !ok {
				return invalid
			}
			c.Texts = append(c.Texts, s)
		}
	}
	return nil
}
