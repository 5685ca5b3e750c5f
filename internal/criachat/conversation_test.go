package criachat

import "testing"

func TestToggled(t *testing.T) {
	for from, want := range map[ConversationStatus]ConversationStatus{
		StatusOpen: StatusResolved, StatusResolved: StatusOpen, StatusPending: StatusOpen, StatusSnoozed: StatusOpen,
	} {
		if got := from.Toggled(); got != want {
			t.Errorf("%s.Toggled() = %s, want %s", from, got, want)
		}
	}
}

func TestStatusAfterIncoming(t *testing.T) {
	cases := []struct {
		from       ConversationStatus
		muted, bot bool
		want       ConversationStatus
	}{
		{StatusResolved, false, false, StatusOpen},
		{StatusResolved, false, true, StatusPending},
		{StatusSnoozed, false, false, StatusOpen},
		{StatusSnoozed, false, true, StatusOpen},
		{StatusResolved, true, false, StatusResolved},
		{StatusSnoozed, true, false, StatusSnoozed},
		{StatusOpen, false, false, StatusOpen},
		{StatusPending, false, true, StatusPending},
	}
	for _, c := range cases {
		if got := StatusAfterIncoming(c.from, c.muted, c.bot); got != c.want {
			t.Errorf("StatusAfterIncoming(%s, muted=%v, bot=%v) = %s, want %s", c.from, c.muted, c.bot, got, c.want)
		}
	}
}

func TestActivityTexts(t *testing.T) {
	for got, want := range map[string]string{
		ActivityStatus(StatusResolved, "Ann"):              "Conversation was marked resolved by Ann",
		ActivityStatus(StatusOpen, "Ann"):                  "Conversation was reopened by Ann",
		ActivityStatus(StatusPending, "Ann"):               "Conversation was marked as pending by Ann",
		ActivityStatus(StatusSnoozed, "Ann"):               "Conversation was snoozed by Ann",
		ActivityPriority("", PriorityHigh, "Ann"):          "Ann set the priority to high",
		ActivityPriority(PriorityLow, PriorityHigh, "Ann"): "Ann changed the priority from low to high",
		ActivityPriority(PriorityLow, "", "Ann"):           "Ann removed the priority",
		ActivityAssignee("Bob", "Ann", false):              "Assigned to Bob by Ann",
		ActivityAssignee("Ann", "Ann", true):               "Ann self-assigned this conversation",
		ActivityAssignee("", "Ann", false):                 "Conversation unassigned by Ann",
		ActivityTeam("sales", "", "Ann", false):            "Assigned to sales by Ann",
		ActivityTeam("sales", "Bob", "Ann", false):         "Assigned to Bob via sales by Ann",
		ActivityTeam("sales", "", "Ann", true):             "Unassigned from sales by Ann",
		ActivityLabels([]string{"a", "b"}, "Ann", false):   "Ann added a, b",
		ActivityLabels([]string{"a"}, "Ann", true):         "Ann removed a",
		ActivityMuted("Ann", true):                         "Ann has muted the conversation",
		ActivityMuted("Ann", false):                        "Ann has unmuted the conversation",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

func TestValidateContentAttributes(t *testing.T) {
	item := func(kv ...string) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	cases := []struct {
		ct    string
		attrs map[string]any
		want  string
	}{
		{"text", nil, ""},
		{"input_select", map[string]any{"items": []any{item("title", "A", "value", "a")}}, ""},
		{"input_select", map[string]any{}, "Validation failed: Content attributes At least one item is required."},
		{"input_select", map[string]any{"items": []any{item("title", "A", "colour", "x", "bad", "y")}}, "Validation failed: Content attributes contains invalid keys for items : [:bad, :colour]"},
		{"cards", map[string]any{"items": []any{item("title", "A")}}, "Validation failed: Content attributes contains items missing actions"},
		{"cards", map[string]any{"items": []any{map[string]any{"title": "A", "actions": []any{item("text", "Go", "kind", "x")}}}}, "Validation failed: Content attributes contains invalid keys for actions:  [:kind]"},
		{"cards", map[string]any{"items": []any{map[string]any{"title": "A", "actions": []any{item("text", "Go", "type", "link", "uri", "u")}}}}, ""},
		{"form", map[string]any{"items": []any{item("name", "email", "type", "email", "label", "Email")}}, ""},
		{"article", map[string]any{"items": []any{item("title", "T", "link", "l", "extra", "x")}}, "Validation failed: Content attributes contains invalid keys for items : [:extra]"},
	}
	for _, c := range cases {
		err := ValidateContentAttributes(c.ct, c.attrs)
		if got := ErrorMessage(err); got != c.want {
			t.Errorf("%s %v: %q, want %q", c.ct, c.attrs, got, c.want)
		}
	}
}

func TestMessageEnums(t *testing.T) {
	if MessageIncoming.String() != "incoming" || MessageTemplate.String() != "template" {
		t.Fatal("MessageType.String wrong")
	}
	if mt, ok := ParseMessageType("outgoing"); !ok || mt != MessageOutgoing {
		t.Fatal("ParseMessageType(outgoing)")
	}
	if mt, ok := ParseMessageType("3"); !ok || mt != MessageTemplate {
		t.Fatal("ParseMessageType(3)")
	}
	if _, ok := ParseMessageType("sideways"); ok {
		t.Fatal("ParseMessageType accepted nonsense")
	}
	if NextMessageStatus(MessageRead, MessageDelivered) != MessageRead || NextMessageStatus(MessageDelivered, MessageRead) != MessageRead {
		t.Fatal("NextMessageStatus")
	}
}
