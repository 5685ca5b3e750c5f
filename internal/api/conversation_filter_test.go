package api_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/criachat/criachat/internal/store"
)

// POST /conversations/filter (reference §3.5, §6.5) and the conversation_type
// and source_id list filters of GET /conversations.

// cond is one filter row; qop nil is the last row's null query_operator.
func cond(key, op string, values any, qop any) map[string]any {
	return map[string]any{"attribute_key": key, "filter_operator": op, "values": values, "query_operator": qop}
}

// filterIDs posts a filter and returns the display ids it answered, in order.
func (e *env) filterIDs(t *testing.T, c chat, token string, rows ...map[string]any) []int64 {
	t.Helper()
	res := e.do("POST", c.path("/conversations/filter"), token, map[string]any{"payload": rows}).expect(t, 200)
	return payloadIDs(res.get("payload"))
}

func payloadIDs(v any) []int64 {
	out := []int64{}
	list, _ := v.([]any)
	for _, p := range list {
		out = append(out, int64(p.(map[string]any)["id"].(float64)))
	}
	return out
}

// ascending returns the ids in ascending order, for sets whose order is not the point.
func ascending(ids []int64) []int64 {
	out := append([]int64{}, ids...)
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func wantIDs(t *testing.T, what string, got, want []int64) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
}

// touch moves a conversation's last activity, directly in the store.
func (e *env) touch(accountID, displayID int64, at time.Time) {
	e.t.Helper()
	ctx := context.Background()
	err := e.store.Tx(ctx, func(q *store.Queries) error {
		c, err := q.Conversation(ctx, accountID, displayID)
		if err != nil {
			return err
		}
		c.LastActivityAt = at
		return q.UpdateConversation(ctx, c)
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

// TestConversationFilterShapeAndKeys: the §3.5 body, last activity first, and
// the standard keys and operators of §6.5.
func TestConversationFilterShapeAndKeys(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		c := e.newChat(a, "api")
		team := e.do("POST", c.path("/teams"), a.Token, map[string]any{"name": "billing"}).expect(t, 200).num("id")
		c1 := e.open(c, map[string]any{"assignee_id": a.UserID, "additional_attributes": map[string]any{
			"browser_language": "pt-BR", "referer": "https://Shop.example.com/cart", "mail_subject": "Refund request"}})
		c2 := e.open(c, map[string]any{"status": "pending", "team_id": team})
		c3 := e.open(c, map[string]any{"status": "resolved"})
		e.do("POST", c.path(fmt.Sprintf("/conversations/%d/toggle_priority", c2)), a.Token, map[string]any{"priority": "urgent"}).expect(t, 200)
		now := time.Now()
		e.touch(a.AccountID, c1, now.Add(-1*time.Minute))
		e.touch(a.AccountID, c2, now.Add(-3*time.Minute))
		e.touch(a.AccountID, c3, now.Add(-2*time.Minute))

		res := e.do("POST", c.path("/conversations/filter"), a.Token, map[string]any{"payload": []any{
			cond("status", "equal_to", []string{"all"}, nil)}}).expect(t, 200)
		// Every status, last activity first; meta has no assigned_count.
		wantIDs(t, "all", payloadIDs(res.get("payload")), []int64{c1, c3, c2})
		res.body(t, res.Raw)
		if m := res.get("meta").(map[string]any); len(m) != 3 || m["mine_count"] != 1.0 || m["unassigned_count"] != 2.0 || m["all_count"] != 3.0 {
			t.Fatalf("meta = %v", m)
		}
		if p := res.get("payload", 0).(map[string]any); p["inbox_id"] != float64(c.InboxID) || res.str("payload", 0, "meta", "channel") != "Channel::Api" {
			t.Fatalf("conversation = %v", p)
		}

		for _, tc := range []struct {
			name string
			rows []map[string]any
			want []int64
		}{
			{"status", []map[string]any{cond("status", "equal_to", []string{"open", "pending"}, nil)}, []int64{c1, c2}},
			{"status not", []map[string]any{cond("status", "not_equal_to", []string{"open"}, nil)}, []int64{c3, c2}},
			{"assignee", []map[string]any{cond("assignee_id", "equal_to", []int64{a.UserID}, nil)}, []int64{c1}},
			{"assignee as string", []map[string]any{cond("assignee_id", "equal_to", []string{itoa(a.UserID)}, nil)}, []int64{c1}},
			// NOT IN leaves out unassigned conversations, as SQL does in Chatwoot.
			{"assignee not", []map[string]any{cond("assignee_id", "not_equal_to", []int64{a.UserID}, nil)}, []int64{}},
			{"assignee present", []map[string]any{cond("assignee_id", "is_present", nil, nil)}, []int64{c1}},
			{"assignee absent", []map[string]any{cond("assignee_id", "is_not_present", nil, nil)}, []int64{c3, c2}},
			{"inbox", []map[string]any{cond("inbox_id", "equal_to", []int64{c.InboxID}, nil)}, []int64{c1, c3, c2}},
			{"inbox absent", []map[string]any{cond("inbox_id", "is_not_present", nil, nil)}, []int64{}},
			{"team", []map[string]any{cond("team_id", "equal_to", []int64{team}, nil)}, []int64{c2}},
			{"team absent", []map[string]any{cond("team_id", "is_not_present", nil, nil)}, []int64{c1, c3}},
			{"contact", []map[string]any{cond("contact_id", "equal_to", []int64{c.ContactID}, nil)}, []int64{c1, c3, c2}},
			{"priority", []map[string]any{cond("priority", "equal_to", []string{"urgent", "high"}, nil)}, []int64{c2}},
			// Conversations without a priority are not "not urgent" (NULL NOT IN …).
			{"priority not", []map[string]any{cond("priority", "not_equal_to", []string{"low"}, nil)}, []int64{c2}},
			{"display id", []map[string]any{cond("display_id", "equal_to", []int64{c3}, nil)}, []int64{c3}},
			{"display id contains", []map[string]any{cond("display_id", "contains", []string{itoa(c2)}, nil)}, []int64{c2}},
			{"display id does not contain", []map[string]any{cond("display_id", "does_not_contain", []string{itoa(c2)}, nil)}, []int64{c1, c3}},
			{"campaign absent", []map[string]any{cond("campaign_id", "is_not_present", nil, nil)}, []int64{c1, c3, c2}},
			{"browser language", []map[string]any{cond("browser_language", "equal_to", []string{"pt-BR"}, nil)}, []int64{c1}},
			{"browser language not", []map[string]any{cond("browser_language", "not_equal_to", []string{"en"}, nil)}, []int64{c1}},
			{"conversation language", []map[string]any{cond("conversation_language", "equal_to", []string{"pt"}, nil)}, []int64{}},
			{"referer contains", []map[string]any{cond("referer", "contains", []string{"shop.EXAMPLE"}, nil)}, []int64{c1}},
			{"referer equal", []map[string]any{cond("referer", "equal_to", []string{"https://Shop.example.com/cart"}, nil)}, []int64{c1}},
			{"mail subject", []map[string]any{cond("mail_subject", "does_not_contain", []string{"invoice"}, nil)}, []int64{c1}},
			{"mail subject contains", []map[string]any{cond("mail_subject", "contains", []string{"zzz", "refund"}, nil)}, []int64{c1}},
			{"created after yesterday", []map[string]any{cond("created_at", "is_greater_than", now.AddDate(0, 0, -1).Format(time.DateOnly), nil)}, []int64{c1, c3, c2}},
			{"created before today", []map[string]any{cond("created_at", "is_less_than", now.Format(time.DateOnly), nil)}, []int64{}},
			{"a scalar value", []map[string]any{cond("status", "equal_to", "resolved", nil)}, []int64{c3}},
		} {
			wantIDs(t, tc.name, e.filterIDs(t, c, a.Token, tc.rows...), tc.want)
		}
	})
}

// TestConversationFilterLogicDatesLabelsAttributes: AND binds tighter than OR
// (rows join in order, as in Chatwoot's SQL text), days_before, labels, and
// custom attributes of the conversation and of its contact.
func TestConversationFilterLogicDatesLabelsAttributes(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		c := e.newChat(a, "api")
		c1 := e.open(c, nil)
		c2 := e.open(c, map[string]any{"status": "pending"})
		c3 := e.open(c, map[string]any{"status": "resolved"})
		now := time.Now().UTC()
		e.touch(a.AccountID, c1, now.AddDate(0, 0, -10))
		e.touch(a.AccountID, c2, now.AddDate(0, 0, -1))
		e.touch(a.AccountID, c3, now)
		label := func(conv int64, labels ...string) {
			e.do("POST", c.path(fmt.Sprintf("/conversations/%d/labels", conv)), a.Token, map[string]any{"labels": labels}).expect(t, 200)
		}
		label(c1, "vip", "billing")
		label(c2, "billing")

		// open OR pending AND vip = open OR (pending AND vip) → c1 only.
		wantIDs(t, "a OR b AND c", e.filterIDs(t, c, a.Token,
			cond("status", "equal_to", []string{"open"}, "OR"),
			cond("status", "equal_to", []string{"pending"}, "AND"),
			cond("labels", "equal_to", []string{"vip"}, nil)), []int64{c1})
		// pending AND billing OR resolved = (pending AND billing) OR resolved → c3, c2.
		wantIDs(t, "a AND b OR c", e.filterIDs(t, c, a.Token,
			cond("status", "equal_to", []string{"pending"}, "and"),
			cond("labels", "equal_to", []string{"BILLING"}, "or"),
			cond("status", "equal_to", []string{"resolved"}, nil)), []int64{c3, c2})

		wantIDs(t, "days_before 5", e.filterIDs(t, c, a.Token, cond("last_activity_at", "days_before", []int{5}, nil)), []int64{c1})
		wantIDs(t, "last activity after", e.filterIDs(t, c, a.Token,
			cond("last_activity_at", "is_greater_than", now.AddDate(0, 0, -2).Format(time.DateOnly), nil)), []int64{c3, c2})
		wantIDs(t, "last activity before", e.filterIDs(t, c, a.Token,
			cond("last_activity_at", "is_less_than", now.Format(time.DateOnly), nil)), []int64{c2, c1})

		wantIDs(t, "labels not", e.filterIDs(t, c, a.Token, cond("labels", "not_equal_to", []string{"vip"}, nil)), []int64{c3, c2})
		wantIDs(t, "labels present", e.filterIDs(t, c, a.Token, cond("labels", "is_present", nil, nil)), []int64{c2, c1})
		wantIDs(t, "labels absent", e.filterIDs(t, c, a.Token, cond("labels", "is_not_present", nil, nil)), []int64{c3})

		// Custom attributes: the account's conversation attributes, typed by display type.
		for _, def := range []map[string]any{
			{"attribute_display_name": "Order total", "attribute_key": "order_total", "attribute_display_type": "number", "attribute_model": "conversation_attribute"},
			{"attribute_display_name": "Renewal", "attribute_key": "renewal", "attribute_display_type": "date", "attribute_model": "conversation_attribute"},
			{"attribute_display_name": "Tier", "attribute_key": "tier", "attribute_display_type": "list", "attribute_model": "contact_attribute"},
		} {
			e.do("POST", c.path("/custom_attribute_definitions"), a.Token, def).expect(t, 200)
		}
		attrs := func(conv int64, v map[string]any) {
			e.do("POST", c.path(fmt.Sprintf("/conversations/%d/custom_attributes", conv)), a.Token, map[string]any{"custom_attributes": v}).expect(t, 200)
		}
		attrs(c1, map[string]any{"order_total": 120, "renewal": "2026-03-01"})
		attrs(c2, map[string]any{"order_total": 80.5})
		wantIDs(t, "number >", e.filterIDs(t, c, a.Token, cond("order_total", "is_greater_than", []any{100}, nil)), []int64{c1})
		wantIDs(t, "number =", e.filterIDs(t, c, a.Token, cond("order_total", "equal_to", []any{"80.5"}, nil)), []int64{c2})
		// A missing custom attribute is "not equal" too.
		wantIDs(t, "number <>", e.filterIDs(t, c, a.Token, cond("order_total", "not_equal_to", []any{120}, nil)), []int64{c3, c2})
		wantIDs(t, "present", e.filterIDs(t, c, a.Token, cond("order_total", "is_present", nil, nil)), []int64{c2, c1})
		wantIDs(t, "date <", e.filterIDs(t, c, a.Token, cond("renewal", "is_less_than", []string{"2026-04-01"}, nil)), []int64{c1})
		// The contact's attribute, when the row says custom_attribute_type contact_attribute.
		e.do("PATCH", c.path("/contacts/"+itoa(c.ContactID)), a.Token, map[string]any{"custom_attributes": map[string]any{"tier": "Gold"}}).expect(t, 200)
		other := e.newChat(a, "api")
		c4 := e.open(other, nil)
		tier := cond("tier", "equal_to", []string{"gold"}, nil)
		tier["custom_attribute_type"] = "contact_attribute"
		wantIDs(t, "contact attribute", ascending(e.filterIDs(t, c, a.Token, tier)), []int64{c1, c2, c3})
		tier["filter_operator"] = "not_equal_to"
		wantIDs(t, "contact attribute not", e.filterIDs(t, c, a.Token, tier), []int64{c4})
		// Mixed with a conversation condition.
		tier["filter_operator"], tier["query_operator"] = "equal_to", "AND"
		wantIDs(t, "contact and conversation", e.filterIDs(t, c, a.Token, tier, cond("order_total", "is_present", nil, nil)), []int64{c2, c1})
	})
}

// TestConversationFilterInvalid: 422 {"error":…} with Chatwoot's texts.
func TestConversationFilterInvalid(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		c := e.newChat(a, "api")
		e.open(c, nil)
		e.do("POST", c.path("/custom_attribute_definitions"), a.Token, map[string]any{"attribute_display_name": "Tier",
			"attribute_key": "tier", "attribute_display_type": "text", "attribute_model": "contact_attribute"}).expect(t, 200)
		keys := "[status,assignee_id,inbox_id,team_id,contact_id,priority,display_id,campaign_id,labels,browser_language," +
			"conversation_language,referer,created_at,last_activity_at,mail_subject]"
		for _, tc := range []struct {
			body any
			want string
		}{
			{map[string]any{"payload": []any{cond("plan", "equal_to", []string{"x"}, nil)}},
				`{"error":"Invalid attribute key - [plan]. The key should be one of ` + keys + ` or a custom attribute defined in the account."}`},
			// A contact attribute without custom_attribute_type is looked up among conversation attributes.
			{map[string]any{"payload": []any{cond("tier", "equal_to", []string{"x"}, nil)}},
				`{"error":"Invalid attribute key - [tier]. The key should be one of ` + keys + ` or a custom attribute defined in the account."}`},
			{map[string]any{"payload": []any{cond("status", "is_present", nil, nil)}},
				`{"error":"Invalid operator. The allowed operators for status are [equal_to,not_equal_to]."}`},
			{map[string]any{"payload": []any{cond("labels", "contains", []string{"x"}, nil)}},
				`{"error":"Invalid operator. The allowed operators for labels are [equal_to,not_equal_to,is_present,is_not_present]."}`},
			{map[string]any{"payload": []any{cond("inbox_id", "equal_to", []string{}, nil)}},
				`{"error":"Invalid value. The values provided for inbox_id are invalid"}`},
			{map[string]any{"payload": []any{cond("inbox_id", "equal_to", []string{"abc"}, nil)}},
				`{"error":"Invalid value. The values provided for inbox_id are invalid"}`},
			{map[string]any{"payload": []any{cond("last_activity_at", "days_before", []string{"soon"}, nil)}},
				`{"error":"Invalid value. The values provided for last_activity_at are invalid"}`},
			{map[string]any{"payload": []any{cond("status", "equal_to", []string{"open"}, "NOT"), cond("status", "equal_to", []string{"open"}, nil)}},
				`{"error":"Query operator must be either \"AND\" or \"OR\"."}`},
			{map[string]any{"payload": []any{}}, `{"error":"param is missing or the value is empty: payload"}`},
			{map[string]any{}, `{"error":"param is missing or the value is empty: payload"}`},
		} {
			e.do("POST", c.path("/conversations/filter"), a.Token, tc.body).expect(t, 422).body(t, tc.want)
		}
		e.do("POST", c.path("/conversations/filter"), a.Token, map[string]any{"payload": "x"}).expect(t, 422)
	})
}

// TestConversationFilterVisibilityTenancyPaging: agents see the conversations
// of their inboxes only (§2.6), another account's conversations never show,
// and pages hold 25.
func TestConversationFilterVisibilityTenancyPaging(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		mine, theirs := e.newChat(a, "api"), e.newChat(a, "api")
		agent := e.addAgent(a, "bob@acme.io", "agent")
		bobID := e.do("GET", "/api/v1/profile", agent, nil).num("id")
		e.do("POST", mine.path("/inbox_members"), a.Token, map[string]any{"inbox_id": mine.InboxID, "user_ids": []int64{bobID}}).expect(t, 200)
		m1 := e.open(mine, map[string]any{"assignee_id": bobID})
		t1 := e.open(theirs, nil)
		all := cond("status", "equal_to", []string{"all"}, nil)
		res := e.do("POST", mine.path("/conversations/filter"), agent, map[string]any{"payload": []any{all}}).expect(t, 200)
		wantIDs(t, "agent", payloadIDs(res.get("payload")), []int64{m1})
		if res.num("meta", "all_count") != 1 || res.num("meta", "mine_count") != 1 {
			t.Fatalf("agent meta = %v", res.get("meta"))
		}
		wantIDs(t, "agent asking for the other inbox", e.filterIDs(t, mine, agent, cond("inbox_id", "equal_to", []int64{theirs.InboxID}, nil)), []int64{})
		wantIDs(t, "admin", ascending(e.filterIDs(t, mine, a.Token, all)), []int64{m1, t1})

		// Another account: its display ids overlap ours, but only its own conversations show.
		b := e.setup("Beta", "bob@beta.io")
		bc := e.newChat(b, "api")
		b1 := e.open(bc, nil)
		wantIDs(t, "other account", e.filterIDs(t, bc, b.Token, all), []int64{b1})
		wantIDs(t, "other account by inbox", e.filterIDs(t, bc, b.Token, cond("inbox_id", "equal_to", []int64{mine.InboxID}, nil)), []int64{})

		for i := 0; i < 25; i++ {
			e.open(mine, nil)
		}
		page1 := e.do("POST", mine.path("/conversations/filter"), a.Token, map[string]any{"payload": []any{all}}).expect(t, 200)
		page2 := e.do("POST", mine.path("/conversations/filter"), a.Token, map[string]any{"payload": []any{all}, "page": 2}).expect(t, 200)
		page2q := e.do("POST", mine.path("/conversations/filter?page=2"), a.Token, map[string]any{"payload": []any{all}}).expect(t, 200)
		if n1, n2 := len(page1.get("payload").([]any)), len(page2.get("payload").([]any)); n1 != 25 || n2 != 2 || page2.Raw != page2q.Raw ||
			page2.num("meta", "all_count") != 27 {
			t.Fatalf("pages of %d and %d, meta %v", n1, n2, page2.get("meta"))
		}
	})
}

// TestConversationFilterQueriesDoNotGrow: the filter presents its page with a
// fixed number of queries.
func TestConversationFilterQueriesDoNotGrow(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		c := e.newChat(a, "api")
		body := map[string]any{"payload": []any{cond("status", "equal_to", []string{"open"}, "or"), cond("labels", "is_present", nil, nil)}}
		grow := func(int) {
			conv := e.open(c, map[string]any{"assignee_id": a.UserID})
			e.say(c, conv, a.Token, map[string]any{"content": "hi", "message_type": "incoming"}).expect(t, 200)
			e.say(c, conv, a.Token, map[string]any{"content": "hello"}).expect(t, 200)
		}
		grow(0)
		count := func() int64 {
			res, n := e.statementsFor("POST", c.path("/conversations/filter"), a.Token, body)
			res.expect(t, 200)
			return n
		}
		small := count()
		for i := 0; i < 10; i++ {
			grow(i)
		}
		if large := count(); large != small {
			t.Fatalf("filter ran %d queries with one conversation and %d with 11: a query per row", small, large)
		}
	})
}

// TestConversationTypeAndSourceID: GET /conversations with conversation_type
// (participating, unattended, mention) and source_id (reference §3.5).
func TestConversationTypeAndSourceID(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		c, d := e.newChat(a, "api"), e.newChat(a, "api")
		c1 := e.open(c, nil)
		c2 := e.open(c, nil)
		d1 := e.open(d, nil)
		list := func(query string) []int64 {
			t.Helper()
			return ascending(payloadIDs(e.do("GET", c.path("/conversations?"+query), a.Token, nil).expect(t, 200).get("data", "payload")))
		}
		// Unattended: no first reply yet, or waiting for one.
		e.say(c, c1, a.Token, map[string]any{"content": "first reply"}).expect(t, 200)
		wantIDs(t, "unattended", list("conversation_type=unattended"), []int64{c2, d1})
		e.say(c, c1, a.Token, map[string]any{"content": "again?", "message_type": "incoming"}).expect(t, 200)
		wantIDs(t, "unattended after an incoming message", list("conversation_type=unattended"), []int64{c1, c2, d1})

		// Participating: conversations the caller participates in.
		e.do("POST", c.path(fmt.Sprintf("/conversations/%d/participants", c2)), a.Token, map[string]any{"user_ids": []int64{a.UserID}}).expect(t, 200)
		wantIDs(t, "participating", list("conversation_type=participating"), []int64{c2})
		meta := e.do("GET", c.path("/conversations/meta?conversation_type=participating"), a.Token, nil).expect(t, 200)
		if meta.num("meta", "all_count") != 1 {
			t.Fatalf("participating meta = %s", meta.Raw)
		}
		// Nobody is mentioned yet (mention_test.go has mentions); unknown types are ignored.
		wantIDs(t, "mention", list("conversation_type=mention"), []int64{})
		wantIDs(t, "unknown type", list("conversation_type=whatever"), []int64{c1, c2, d1})

		// source_id: the conversations of that contact inbox.
		wantIDs(t, "source_id", list("source_id="+d.SourceID), []int64{d1})
		wantIDs(t, "unknown source_id", list("source_id=nope"), []int64{})
		b := e.setup("Beta", "bob@beta.io")
		res := e.do("GET", fmt.Sprintf("/api/v1/accounts/%d/conversations?source_id=%s", b.AccountID, c.SourceID), b.Token, nil).expect(t, 200)
		wantIDs(t, "another account's source_id", payloadIDs(res.get("data", "payload")), []int64{})
	})
}
