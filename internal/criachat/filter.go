package criachat

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// FilterRow is one condition of a filter request (reference §6.5):
// {attribute_key, filter_operator, values, query_operator, custom_attribute_type}.
// Values holds the decoded JSON values; a scalar "values" arrives as one element.
type FilterRow struct {
	AttributeKey        string
	FilterOperator      string
	Values              []any
	QueryOperator       string
	CustomAttributeType string
}

// FilterOp is a filter operator of lib/filters/filter_keys.yml.
type FilterOp string

// Filter operators.
const (
	OpEqualTo        FilterOp = "equal_to"
	OpNotEqualTo     FilterOp = "not_equal_to"
	OpContains       FilterOp = "contains"
	OpDoesNotContain FilterOp = "does_not_contain"
	OpIsPresent      FilterOp = "is_present"
	OpIsNotPresent   FilterOp = "is_not_present"
	OpIsGreaterThan  FilterOp = "is_greater_than"
	OpIsLessThan     FilterOp = "is_less_than"
	OpDaysBefore     FilterOp = "days_before"
	OpStartsWith     FilterOp = "starts_with"
)

// AttrType is how a filtered value compares: Chatwoot's data types, with
// custom attribute display types folded in (text, link and list are text;
// number, currency and percent are numbers).
type AttrType string

// Attribute types.
const (
	AttrText    AttrType = "text"
	AttrNumber  AttrType = "number"
	AttrDate    AttrType = "date"
	AttrBoolean AttrType = "boolean"
	AttrLabels  AttrType = "labels"
)

// ContactField is what a contact filter condition looks at.
type ContactField string

// Contact filter keys (reference §6.5), in Chatwoot's filter_keys.yml order.
const (
	FieldName           ContactField = "name"
	FieldPhoneNumber    ContactField = "phone_number"
	FieldEmail          ContactField = "email"
	FieldIdentifier     ContactField = "identifier"
	FieldCountryCode    ContactField = "country_code"
	FieldCity           ContactField = "city"
	FieldCompanyName    ContactField = "company_name"
	FieldLabels         ContactField = "labels"
	FieldCreatedAt      ContactField = "created_at"
	FieldLastActivityAt ContactField = "last_activity_at"
	FieldBlocked        ContactField = "blocked"
	// FieldCustom is a key of custom_attributes.
	FieldCustom ContactField = "custom_attributes"
)

// contactFilterKey is one entry of the contact filter vocabulary.
type contactFilterKey struct {
	field ContactField
	typ   AttrType
	ops   []FilterOp
}

var (
	textOps     = []FilterOp{OpEqualTo, OpNotEqualTo, OpContains, OpDoesNotContain}
	eqOps       = []FilterOp{OpEqualTo, OpNotEqualTo}
	presenceOps = []FilterOp{OpEqualTo, OpNotEqualTo, OpIsPresent, OpIsNotPresent}
	dateOps     = []FilterOp{OpIsGreaterThan, OpIsLessThan, OpDaysBefore}
	allOps      = []FilterOp{OpEqualTo, OpNotEqualTo, OpContains, OpDoesNotContain, OpIsPresent, OpIsNotPresent,
		OpIsGreaterThan, OpIsLessThan, OpDaysBefore, OpStartsWith}
)

// contactFilterKeys is the contacts section of Chatwoot's filter_keys.yml.
var contactFilterKeys = []contactFilterKey{
	{FieldName, AttrText, textOps},
	{FieldPhoneNumber, AttrText, []FilterOp{OpEqualTo, OpNotEqualTo, OpContains, OpDoesNotContain, OpStartsWith}},
	{FieldEmail, AttrText, textOps},
	{FieldIdentifier, AttrText, eqOps},
	{FieldCountryCode, AttrText, eqOps},
	{FieldCity, AttrText, textOps},
	{FieldCompanyName, AttrText, textOps},
	{FieldLabels, AttrLabels, presenceOps},
	{FieldCreatedAt, AttrDate, dateOps},
	{FieldLastActivityAt, AttrDate, dateOps},
	{FieldBlocked, AttrBoolean, eqOps},
}

// ContactCondition is one validated condition of a contact filter.
type ContactCondition struct {
	Field     ContactField
	CustomKey string   // the custom_attributes key when Field is FieldCustom
	Type      AttrType // how values compare
	Op        FilterOp // days_before arrives here as is_less_than

	Text     string    // equal_to / not_equal_to on text (lowercased, except phone numbers)
	Patterns []string  // contains / does_not_contain / starts_with: the raw values
	Labels   []string  // labels: lowercased titles
	Time     time.Time // dates: midnight UTC of the compared day
	Number   float64
	Bool     bool

	// Or joins this condition to the next one with OR instead of AND.
	Or bool
}

// ContactFilter is a validated contact filter: conditions joined in order by
// AND or OR, with SQL's precedence (AND binds tighter), as Chatwoot's
// string-built query has.
type ContactFilter struct {
	Conditions []ContactCondition
}

// CustomAttrResolver tells whether key is a contact custom attribute the
// account knows and how it compares. row is the condition that names it.
type CustomAttrResolver func(key string, row FilterRow) (AttrType, bool)

// AttrTypeOf is how values of a custom attribute display type compare:
// Chatwoot's FilterService::ATTRIBUTE_TYPES, with currency and percent as
// numbers (Chatwoot has no type for them and its query fails).
func AttrTypeOf(t AttributeDisplayType) AttrType {
	switch t {
	case DisplayNumber, DisplayCurrency, DisplayPercent:
		return AttrNumber
	case DisplayDate:
		return AttrDate
	case DisplayCheckbox:
		return AttrBoolean
	}
	return AttrText // text, link, list
}

// DefinedContactAttrs is a CustomAttrResolver over the contact attribute
// definitions of an account: a key is a custom attribute when the account
// defined it for contacts, whatever custom_attribute_type the row declares
// (Chatwoot looks the key up as a contact_attribute).
func DefinedContactAttrs(defs []*CustomAttributeDefinition) CustomAttrResolver {
	types := make(map[string]AttrType, len(defs))
	for _, d := range defs {
		if d.Model == ContactAttribute {
			types[d.Key] = AttrTypeOf(d.DisplayType)
		}
	}
	return func(key string, _ FilterRow) (AttrType, bool) {
		t, ok := types[key]
		return t, ok
	}
}

// Filter error messages (config/locales/en.yml errors.custom_filters.*).
func errInvalidAttribute(key string, allowed []string) error {
	return Errorf(EINVALID, "Invalid attribute key - [%s]. The key should be one of [%s] or a custom attribute defined in the account.",
		key, strings.Join(allowed, ","))
}

func errInvalidOperator(attr string, allowed []FilterOp) error {
	names := make([]string, len(allowed))
	for i, o := range allowed {
		names[i] = string(o)
	}
	return Errorf(EINVALID, "Invalid operator. The allowed operators for %s are [%s].", attr, strings.Join(names, ","))
}

func errInvalidQueryOperator() error {
	return Errorf(EINVALID, `Query operator must be either "AND" or "OR".`)
}

func errInvalidValue(attr string) error {
	return Errorf(EINVALID, "Invalid value. The values provided for %s are invalid", attr)
}

// MaxFilterConditions bounds the conditions of one filter request.
const MaxFilterConditions = 100

// ParseContactFilter validates filter rows against the contact vocabulary
// (reference §6.5) and returns the conditions to run. Errors are EINVALID
// with Chatwoot's messages. today is the current UTC date (days_before counts
// back from it); custom resolves keys that are not standard.
func ParseContactFilter(rows []FilterRow, today time.Time, custom CustomAttrResolver) (*ContactFilter, error) {
	if err := checkFilterRows(rows); err != nil {
		return nil, err
	}
	f := &ContactFilter{}
	for i, row := range rows {
		c, err := parseContactCondition(row, today, custom)
		if err != nil {
			return nil, err
		}
		c.Or = joinsWithOr(rows, i)
		f.Conditions = append(f.Conditions, c)
	}
	return f, nil
}

// checkFilterRows checks what every filter request needs before its rows are
// read: some rows, not too many, and query operators. Query operators come
// first, as Chatwoot's validate_query_operator does. The last row's operator
// joins nothing and is ignored; any other row needs one.
func checkFilterRows(rows []FilterRow) error {
	if len(rows) == 0 {
		return Errorf(EINVALID, "param is missing or the value is empty: payload")
	}
	if len(rows) > MaxFilterConditions {
		return Errorf(EINVALID, "A filter can have at most %d conditions", MaxFilterConditions)
	}
	for i, row := range rows {
		op := strings.ToUpper(strings.TrimSpace(row.QueryOperator))
		switch {
		case op == "AND" || op == "OR":
		case op == "" && i == len(rows)-1:
		default:
			return errInvalidQueryOperator()
		}
	}
	return nil
}

// joinsWithOr reports whether row i is joined to the next one by OR.
func joinsWithOr(rows []FilterRow, i int) bool {
	return i < len(rows)-1 && strings.EqualFold(strings.TrimSpace(rows[i].QueryOperator), "OR")
}

func parseContactCondition(row FilterRow, today time.Time, custom CustomAttrResolver) (ContactCondition, error) {
	key := row.AttributeKey
	op := FilterOp(row.FilterOperator)
	var def *contactFilterKey
	for i := range contactFilterKeys {
		if string(contactFilterKeys[i].field) == key {
			def = &contactFilterKeys[i]
			break
		}
	}
	if def != nil && !hasOp(def.ops, op) {
		return ContactCondition{}, errInvalidOperator(key, def.ops)
	}
	if op != OpIsPresent && op != OpIsNotPresent && blankValues(row.Values) {
		return ContactCondition{}, errInvalidValue(key)
	}
	c := ContactCondition{Op: op}
	if def != nil {
		c.Field, c.Type = def.field, def.typ
	} else {
		typ, ok := AttrType(""), false
		if custom != nil {
			typ, ok = custom(key, row)
		}
		if !ok {
			allowed := make([]string, len(contactFilterKeys))
			for i, k := range contactFilterKeys {
				allowed[i] = string(k.field)
			}
			return ContactCondition{}, errInvalidAttribute(key, allowed)
		}
		if !hasOp(allOps, op) {
			return ContactCondition{}, errInvalidOperator(key, allOps)
		}
		c.Field, c.CustomKey, c.Type = FieldCustom, key, typ
	}
	if err := c.setValues(row, today); err != nil {
		return ContactCondition{}, err
	}
	return c, nil
}

// setValues converts the row's values for the condition's type and operator,
// as Chatwoot's filter_values and values_for_ilike do.
func (c *ContactCondition) setValues(row FilterRow, today time.Time) error {
	key := row.AttributeKey
	invalid := errInvalidValue(key)
	switch c.Op {
	case OpIsPresent, OpIsNotPresent:
		return nil
	case OpContains, OpDoesNotContain, OpStartsWith:
		for _, v := range row.Values {
			s, ok := scalarText(v)
			if !ok {
				return invalid
			}
			c.Patterns = append(c.Patterns, strings.TrimSpace(s))
		}
		if c.Field == FieldPhoneNumber && c.Op == OpStartsWith {
			for i, p := range c.Patterns {
				c.Patterns[i] = "+" + strings.ReplaceAll(p, "+", "")
			}
		}
		return nil
	case OpDaysBefore:
		days, ok := intValue(row.Values[0])
		if !ok || days < 1 || days > 998 {
			return invalid
		}
		c.Op = OpIsLessThan
		c.Time = midnight(today).AddDate(0, 0, -int(days))
		return nil
	}
	first := row.Values[0]
	switch c.Type {
	case AttrLabels:
		for _, v := range row.Values {
			s, ok := scalarText(v)
			if !ok {
				return invalid
			}
			if t := strings.ToLower(strings.TrimSpace(s)); t != "" {
				c.Labels = append(c.Labels, t)
			}
		}
		if len(c.Labels) == 0 {
			return invalid
		}
	case AttrDate:
		s, ok := first.(string)
		if !ok {
			return invalid
		}
		t, err := parseFilterDate(s)
		if err != nil {
			return invalid
		}
		c.Time = t
		if c.Field == FieldCustom {
			c.Text = t.Format(time.DateOnly)
		}
	case AttrBoolean:
		b, ok := boolValue(first)
		if !ok {
			return invalid
		}
		c.Bool = b
	case AttrNumber:
		n, ok := numberValue(first)
		if !ok {
			return invalid
		}
		c.Number = n
	default: // text
		if c.Op == OpIsGreaterThan || c.Op == OpIsLessThan {
			return invalid // Chatwoot only compares numbers and dates
		}
		s, ok := scalarText(first)
		if !ok {
			return invalid
		}
		if c.Field == FieldPhoneNumber {
			c.Text = "+" + strings.ReplaceAll(s, "+", "")
		} else {
			c.Text = strings.ToLower(s)
		}
	}
	return nil
}

func hasOp(ops []FilterOp, op FilterOp) bool {
	for _, o := range ops {
		if o == op {
			return true
		}
	}
	return false
}

// blankValues is Rails' blank? on the values param.
func blankValues(values []any) bool {
	if len(values) == 0 {
		return true
	}
	if len(values) == 1 {
		if s, ok := values[0].(string); ok && strings.TrimSpace(s) == "" {
			return false // [""] is not blank in Rails; it compares with ""
		}
		return values[0] == nil
	}
	return false
}

// scalarText renders a JSON scalar as text; objects, arrays and null are not scalars.
func scalarText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

func intValue(v any) (int64, bool) {
	switch x := v.(type) {
	case float64:
		if x != math.Trunc(x) {
			return 0, false
		}
		return int64(x), true
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		return n, err == nil
	}
	return 0, false
}

func numberValue(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case string:
		n, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return n, err == nil && !math.IsInf(n, 0) && !math.IsNaN(n)
	}
	return 0, false
}

func boolValue(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "true", "t", "1":
			return true, true
		case "false", "f", "0":
			return false, true
		}
	}
	return false, false
}

// parseFilterDate reads an ISO 8601 date ("2026-01-31") or date-time, as
// Ruby's Date.iso8601 does, and returns midnight UTC of that day.
func parseFilterDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return midnight(t), nil
	}
	if len(s) > 10 && (s[10] == 'T' || s[10] == ' ') {
		if t, err := time.Parse(time.DateOnly, s[:10]); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not an ISO 8601 date: %q", s)
}

func midnight(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
