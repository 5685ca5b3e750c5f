package criachat

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

func TestContactValidateOrder(t *testing.T) {
	c := &Contact{Email: "bad", PhoneNumber: "12", ContactType: ContactVisitor}
	err := c.Validate(Taken{Identifier: true})
	var e *Error
	if !errors.As(err, &e) || e.Code != ECONFLICT ||
		e.Message != "Email Invalid email, Identifier has already been taken, Phone number should be in e164 format" ||
		!reflect.DeepEqual(e.Attributes, []string{"email", "identifier", "phone_number"}) {
		t.Fatalf("err = %#v", err)
	}
	ok := &Contact{Email: "a@b", PhoneNumber: "+4915112345678", ContactType: ContactLead}
	if err := ok.Validate(Taken{}); err != nil {
		t.Fatalf("valid contact: %v", err)
	}
	for _, p := range []string{"+1", "+0123", "4915112345678", "+49 151", "+1234567890123456", "abc+123"} {
		if ValidE164(p) {
			t.Errorf("%q accepted as E.164", p)
		}
	}
}

func TestMergeInto(t *testing.T) {
	base := &Contact{Name: "", Email: "b@x.io", CustomAttributes: map[string]any{"a": 1.0, "n": map[string]any{"x": 1.0}},
		AdditionalAttributes: map[string]any{}}
	mergee := &Contact{Name: "M", Email: "m@x.io", PhoneNumber: "+15550001111", Identifier: "m",
		CustomAttributes:     map[string]any{"a": 2.0, "b": 3.0, "n": map[string]any{"x": 2.0, "y": 2.0}},
		AdditionalAttributes: map[string]any{"city": "Porto"}}
	MergeInto(base, mergee)
	want := &Contact{Name: "M", Email: "b@x.io", PhoneNumber: "+15550001111", Identifier: "m",
		CustomAttributes:     map[string]any{"a": 1.0, "b": 3.0, "n": map[string]any{"x": 1.0, "y": 2.0}},
		AdditionalAttributes: map[string]any{"city": "Porto"}}
	if !reflect.DeepEqual(base, want) {
		t.Fatalf("merged = %+v", base)
	}
}

func TestNormalizeLabels(t *testing.T) {
	if got := NormalizeLabels([]string{" VIP", "vip", "", "Lead"}); !reflect.DeepEqual(got, []string{"vip", "lead"}) {
		t.Fatalf("labels = %v", got)
	}
}

func TestParseContactFilter(t *testing.T) {
	today := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	defined := DefinedContactAttrs([]*CustomAttributeDefinition{
		{Key: "seats", DisplayType: DisplayCurrency, Model: ContactAttribute},
		{Key: "tier", DisplayType: DisplayText, Model: ConversationAttribute},
	})
	f, err := ParseContactFilter([]FilterRow{
		{AttributeKey: "email", FilterOperator: "equal_to", Values: []any{"A@B.io"}, QueryOperator: "or"},
		{AttributeKey: "created_at", FilterOperator: "days_before", Values: []any{"3"}, QueryOperator: "AND"},
		{AttributeKey: "name", FilterOperator: "contains", Values: []any{" Jo ", 5.0}, QueryOperator: "and"}, // last: ignored
	}, today, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := f.Conditions
	if c[0].Text != "a@b.io" || !c[0].Or || c[1].Op != OpIsLessThan || !c[1].Time.Equal(today.AddDate(0, 0, -3)) || c[1].Or ||
		!reflect.DeepEqual(c[2].Patterns, []string{"Jo", "5"}) || c[2].Or {
		t.Fatalf("conditions = %+v", c)
	}
	for _, tc := range []struct {
		rows []FilterRow
		want string
	}{
		{[]FilterRow{{AttributeKey: "plan", FilterOperator: "equal_to", Values: []any{"x"}}},
			"Invalid attribute key - [plan]. The key should be one of [name,phone_number,email,identifier,country_code,city,company_name,labels,created_at,last_activity_at,blocked] or a custom attribute defined in the account."},
		{[]FilterRow{{AttributeKey: "blocked", FilterOperator: "equal_to", Values: []any{"maybe"}}}, "Invalid value. The values provided for blocked are invalid"},
		{[]FilterRow{{AttributeKey: "name", FilterOperator: "is_present"}}, "Invalid operator. The allowed operators for name are [equal_to,not_equal_to,contains,does_not_contain]."},
		{[]FilterRow{{AttributeKey: "seats", FilterOperator: "gt", Values: []any{1.0}}},
			"Invalid operator. The allowed operators for seats are [equal_to,not_equal_to,contains,does_not_contain,is_present,is_not_present,is_greater_than,is_less_than,days_before,starts_with]."},
		{[]FilterRow{{AttributeKey: "seats", FilterOperator: "is_greater_than", Values: []any{"many"}}}, "Invalid value. The values provided for seats are invalid"},
		{[]FilterRow{{AttributeKey: "plan", FilterOperator: "is_greater_than", Values: []any{"a"}}}, "Invalid attribute key - [plan]. The key should be one of [name,phone_number,email,identifier,country_code,city,company_name,labels,created_at,last_activity_at,blocked] or a custom attribute defined in the account."},
		// Declaring the row a contact attribute does not define it, and a
		// conversation attribute of the same key does not count.
		{[]FilterRow{{AttributeKey: "tier", FilterOperator: "equal_to", Values: []any{"x"}, CustomAttributeType: "contact_attribute"}},
			"Invalid attribute key - [tier]. The key should be one of [name,phone_number,email,identifier,country_code,city,company_name,labels,created_at,last_activity_at,blocked] or a custom attribute defined in the account."},
	} {
		_, err := ParseContactFilter(tc.rows, today, defined)
		if ErrorCode(err) != EINVALID || ErrorMessage(err) != tc.want {
			t.Errorf("%+v: err = %v, want %q", tc.rows, err, tc.want)
		}
	}
}
