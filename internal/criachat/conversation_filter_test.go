package criachat

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestParseConversationFilter covers the conversation vocabulary of reference
// §6.5 and Chatwoot's 422 texts (config/locales/en.yml errors.custom_filters.*).
func TestParseConversationFilter(t *testing.T) {
	today := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	defs := []*CustomAttributeDefinition{
		{Key: "order_total", DisplayType: DisplayNumber, Model: ConversationAttribute},
		{Key: "tier", DisplayType: DisplayList, Model: ContactAttribute},
	}
	f, err := ParseConversationFilter([]FilterRow{
		{AttributeKey: "status", FilterOperator: "equal_to", Values: []any{"open", "pending"}, QueryOperator: "OR"},
		{AttributeKey: "inbox_id", FilterOperator: "not_equal_to", Values: []any{3.0, "4"}, QueryOperator: "and"},
		{AttributeKey: "last_activity_at", FilterOperator: "days_before", Values: []any{2.0}, QueryOperator: "and"},
		{AttributeKey: "labels", FilterOperator: "equal_to", Values: []any{" VIP "}, QueryOperator: "and"},
		{AttributeKey: "order_total", FilterOperator: "is_greater_than", Values: []any{"10.5"}, QueryOperator: "and"},
		{AttributeKey: "tier", FilterOperator: "equal_to", Values: []any{"Gold"}, CustomAttributeType: "contact_attribute", QueryOperator: "and"},
		{AttributeKey: "status", FilterOperator: "not_equal_to", Values: []any{"all"}},
	}, today, defs)
	if err != nil {
		t.Fatal(err)
	}
	c := f.Conditions
	switch {
	case !reflect.DeepEqual(c[0].Texts, []string{"open", "pending"}) || !c[0].Or:
		t.Fatalf("status = %+v", c[0])
	case !reflect.DeepEqual(c[1].IDs, []int64{3, 4}) || c[1].Or:
		t.Fatalf("inbox_id = %+v", c[1])
	case c[2].Op != OpIsLessThan || !c[2].Time.Equal(today.AddDate(0, 0, -2)):
		t.Fatalf("days_before = %+v", c[2])
	case !reflect.DeepEqual(c[3].Labels, []string{"vip"}):
		t.Fatalf("labels = %+v", c[3])
	case c[4].Field != ConvCustom || c[4].OfContact || c[4].Custom.Type != AttrNumber || c[4].Custom.Number != 10.5:
		t.Fatalf("conversation attribute = %+v %+v", c[4], c[4].Custom)
	case c[5].Field != ConvCustom || !c[5].OfContact || c[5].Custom.Text != "gold":
		t.Fatalf("contact attribute = %+v %+v", c[5], c[5].Custom)
	case len(c[6].Texts) != 4:
		t.Fatalf("all = %+v", c[6])
	}

	keys := "[status,assignee_id,inbox_id,team_id,contact_id,priority,display_id,campaign_id,labels,browser_language," +
		"conversation_language,referer,created_at,last_activity_at,mail_subject]"
	for _, tc := range []struct {
		rows []FilterRow
		want string
	}{
		{[]FilterRow{{AttributeKey: "plan", FilterOperator: "equal_to", Values: []any{"x"}}},
			"Invalid attribute key - [plan]. The key should be one of " + keys + " or a custom attribute defined in the account."},
		// A contact attribute is not a conversation attribute unless the row says so.
		{[]FilterRow{{AttributeKey: "tier", FilterOperator: "equal_to", Values: []any{"x"}}},
			"Invalid attribute key - [tier]. The key should be one of " + keys + " or a custom attribute defined in the account."},
		{[]FilterRow{{AttributeKey: "status", FilterOperator: "contains", Values: []any{"o"}}},
			"Invalid operator. The allowed operators for status are [equal_to,not_equal_to]."},
		{[]FilterRow{{AttributeKey: "created_at", FilterOperator: "equal_to", Values: []any{"2026-01-01"}}},
			"Invalid operator. The allowed operators for created_at are [is_greater_than,is_less_than,days_before]."},
		{[]FilterRow{{AttributeKey: "status", FilterOperator: "equal_to", Values: []any{"closed"}}},
			"Invalid value. The values provided for status are invalid"},
		{[]FilterRow{{AttributeKey: "priority", FilterOperator: "equal_to", Values: []any{""}}},
			"Invalid value. The values provided for priority are invalid"},
		{[]FilterRow{{AttributeKey: "assignee_id", FilterOperator: "equal_to", Values: []any{"me"}}},
			"Invalid value. The values provided for assignee_id are invalid"},
		{[]FilterRow{{AttributeKey: "team_id", FilterOperator: "equal_to"}},
			"Invalid value. The values provided for team_id are invalid"},
		{[]FilterRow{{AttributeKey: "created_at", FilterOperator: "is_greater_than", Values: []any{"yesterday"}}},
			"Invalid value. The values provided for created_at are invalid"},
		{[]FilterRow{{AttributeKey: "status", FilterOperator: "equal_to", Values: []any{"open"}, QueryOperator: "XOR"},
			{AttributeKey: "status", FilterOperator: "equal_to", Values: []any{"open"}}}, `Query operator must be either "AND" or "OR".`},
		{[]FilterRow{{AttributeKey: "status", FilterOperator: "equal_to", Values: []any{"open"}},
			{AttributeKey: "status", FilterOperator: "equal_to", Values: []any{"open"}}}, `Query operator must be either "AND" or "OR".`},
		{nil, "param is missing or the value is empty: payload"},
	} {
		_, err := ParseConversationFilter(tc.rows, today, defs)
		if ErrorCode(err) != EINVALID || ErrorMessage(err) != tc.want {
			t.Errorf("%+v: err = %v, want %q", tc.rows, err, tc.want)
		}
	}
	many := make([]any, MaxFilterValues+1)
	for i := range many {
		many[i] = float64(i)
	}
	if _, err := ParseConversationFilter([]FilterRow{{AttributeKey: "inbox_id", FilterOperator: "equal_to", Values: many}}, today, defs); !strings.HasPrefix(ErrorMessage(err), "Invalid value.") {
		t.Fatalf("too many values: %v", err)
	}
}
