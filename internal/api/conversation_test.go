package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/criachat/criachat/internal/api"
	"github.com/criachat/criachat/internal/conversation"
)

// Conversations and messages (reference §3.5, §3.6, §6.2, §9.9).

// chat is an API inbox with one contact, as an integration sets it up.
type chat struct {
	tenant
	InboxID   int64
	ContactID int64
	SourceID  string
}

func (c chat) path(rest string) string {
	return "/api/v1/accounts/" + itoa(c.AccountID) + rest
}

// newChat creates an API inbox and a contact with a contact inbox in it.
func (e *env) newChat(a tenant, channel string) chat {
	e.t.Helper()
	c := chat{tenant: a}
	in := e.do("POST", c.path("/inboxes"), a.Token, map[string]any{"name": "Support", "channel": map[string]any{"type": channel, "website_url": "https://acme.io"}}).expect(e.t, 200)
	c.InboxID = in.num("id")
	ct := e.do("POST", c.path("/contacts"), a.Token, map[string]any{"name": "Carla", "email": fmt.Sprintf("carla%d@x.io", c.InboxID), "inbox_id": c.InboxID}).expect(e.t, 200)
	c.ContactID = ct.num("payload", "contact", "id")
	c.SourceID = ct.str("payload", "contact_inbox", "source_id")
	if c.SourceID == "" {
		e.t.Fatalf("contact create gave no source_id: %s", ct.Raw)
	}
	return c
}

// open creates a conversation and returns its display id.
func (e *env) open(c chat, body map[string]any) int64 {
	e.t.Helper()
	if body == nil {
		body = map[string]any{}
	}
	body["source_id"], body["inbox_id"] = c.SourceID, c.InboxID
	return e.do("POST", c.path("/conversations"), c.Token, body).expect(e.t, 200).num("id")
}

func (e *env) say(c chat, conv int64, token string, body map[string]any) response {
	e.t.Helper()
	return e.do("POST", c.path(fmt.Sprintf("/conversations/%d/messages", conv)), token, body)
}

// TestAPIChannelFlow is reference §9.9: contact → conversation → incoming
// message → agent reply → delivery status via PATCH.
func TestAPIChannelFlow(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		c := e.newChat(e.setup("Acme", "ann@acme.io"), "api")
		conv := e.open(c, nil)
		if conv != 1 {
			t.Fatalf("first conversation display id = %d, want 1", conv)
		}
		in := e.say(c, conv, c.Token, map[string]any{"content": "my order is late", "message_type": "incoming"}).expect(t, 200)
		if in.num("message_type") != 0 || in.str("sender", "type") != "contact" || in.num("conversation_id") != conv ||
			in.str("status") != "sent" || in.str("content_type") != "text" {
			t.Fatalf("incoming message = %s", in.Raw)
		}
		out := e.say(c, conv, c.Token, map[string]any{"content": "sorry, checking", "echo_id": "tmp-1"}).expect(t, 200)
		if out.num("message_type") != 1 || out.str("sender", "type") != "user" || out.str("echo_id") != "tmp-1" {
			t.Fatalf("reply = %s", out.Raw)
		}
		upd := e.do("PATCH", c.path(fmt.Sprintf("/conversations/%d/messages/%d", conv, out.num("id"))), c.Token,
			map[string]any{"status": "delivered"}).expect(t, 200)
		if upd.str("status") != "delivered" {
			t.Fatalf("status update = %s", upd.Raw)
		}
		// read → delivered is ignored.
		e.do("PATCH", c.path(fmt.Sprintf("/conversations/%d/messages/%d", conv, out.num("id"))), c.Token, map[string]any{"status": "read"}).expect(t, 200)
		if e.do("PATCH", c.path(fmt.Sprintf("/conversations/%d/messages/%d", conv, out.num("id"))), c.Token,
			map[string]any{"status": "delivered"}).expect(t, 200).str("status") != "read" {
			t.Fatal("read went back to delivered")
		}
		show := e.do("GET", c.path(fmt.Sprintf("/conversations/%d", conv)), c.Token, nil).expect(t, 200)
		if show.num("id") != conv || show.num("first_reply_created_at") == 0 || show.num("waiting_since") != 0 ||
			show.str("meta", "channel") != "Channel::Api" || show.str("status") != "open" || show.num("messages", 0, "id") != out.num("id") {
			t.Fatalf("conversation = %s", show.Raw)
		}
		if show.has("assignee", "meta") || show.has("assignee_type", "meta") {
			t.Fatalf("unassigned conversation has meta.assignee: %s", show.Raw)
		}
		if _, ok := show.get("updated_at").(float64); !ok {
			t.Fatalf("updated_at is not a number: %v", show.get("updated_at"))
		}
		list := e.do("GET", c.path(fmt.Sprintf("/conversations/%d/messages", conv)), c.Token, nil).expect(t, 200)
		if n := len(list.get("payload").([]any)); n != 2 || list.str("meta", "contact", "name") != "Carla" {
			t.Fatalf("messages = %s", list.Raw)
		}
	})
}

func TestIncomingOnlyInAPIInboxes(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		c := e.newChat(e.setup("Acme", "ann@acme.io"), "web_widget")
		conv := e.open(c, nil)
		e.say(c, conv, c.Token, map[string]any{"content": "x", "message_type": "incoming"}).
			expect(t, 422).body(t, `{"error":"Incoming messages are only allowed in Api inboxes"}`)
		out := e.say(c, conv, c.Token, map[string]any{"content": "hello"}).expect(t, 200)
		e.do("PATCH", c.path(fmt.Sprintf("/conversations/%d/messages/%d", conv, out.num("id"))), c.Token, map[string]any{"status": "read"}).
			expect(t, 403).body(t, `{"error":"Message status update is only allowed for API inboxes"}`)
	})
}

func TestToggleStatusRules(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		c := e.newChat(e.setup("Acme", "ann@acme.io"), "api")
		conv := e.open(c, nil)
		toggle := func(body any) response {
			return e.do("POST", c.path(fmt.Sprintf("/conversations/%d/toggle_status", conv)), c.Token, body).expect(t, 200)
		}
		res := toggle(map[string]any{})
		res.body(t, fmt.Sprintf(`{"payload":{"success":true,"conversation_id":%d,"current_status":"resolved","snoozed_until":null}}`, conv))
		if toggle(nil).str("payload", "current_status") != "open" {
			t.Fatal("resolved did not toggle to open")
		}
		res = toggle(map[string]any{"status": "snoozed", "snoozed_until": 4102444800})
		if res.str("payload", "current_status") != "snoozed" || res.str("payload", "snoozed_until") != "2100-01-01T00:00:00.000Z" {
			t.Fatalf("snooze = %s", res.Raw)
		}
		if toggle(map[string]any{}).str("payload", "current_status") != "open" {
			t.Fatal("snoozed did not toggle to open")
		}
		e.do("POST", c.path(fmt.Sprintf("/conversations/%d/toggle_status", conv)), c.Token, map[string]any{"status": "closed"}).expect(t, 422)
		// Activity messages, in Chatwoot's English.
		msgs := e.do("GET", c.path(fmt.Sprintf("/conversations/%d/messages", conv)), c.Token, nil).expect(t, 200)
		var texts []string
		for _, m := range msgs.get("payload").([]any) {
			mm := m.(map[string]any)
			if mm["message_type"].(float64) == 2 {
				texts = append(texts, mm["content"].(string))
			}
		}
		want := []string{"Conversation was marked resolved by Admin Acme", "Conversation was reopened by Admin Acme",
			"Conversation was snoozed by Admin Acme", "Conversation was reopened by Admin Acme"}
		if strings.Join(texts, "|") != strings.Join(want, "|") {
			t.Fatalf("activity = %q, want %q", texts, want)
		}
		// An incoming message reopens a resolved conversation.
		toggle(map[string]any{"status": "resolved"})
		e.say(c, conv, c.Token, map[string]any{"content": "again", "message_type": "incoming"}).expect(t, 200)
		if st := e.do("GET", c.path(fmt.Sprintf("/conversations/%d", conv)), c.Token, nil).str("status"); st != "open" {
			t.Fatalf("status after incoming = %s, want open", st)
		}
	})
}

func TestAgentOpeningBecomesAssignee(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		c := e.newChat(a, "api")
		agent := e.addAgent(a, "bob@acme.io", "agent")
		bobID := e.do("GET", "/api/v1/profile", agent, nil).num("id")
		e.do("POST", c.path("/inbox_members"), a.Token, map[string]any{"inbox_id": c.InboxID, "user_ids": []int64{bobID}}).expect(t, 200)
		conv := e.open(c, map[string]any{"status": "pending"})
		e.do("POST", c.path(fmt.Sprintf("/conversations/%d/toggle_status", conv)), agent, map[string]any{"status": "open"}).expect(t, 200)
		show := e.do("GET", c.path(fmt.Sprintf("/conversations/%d", conv)), agent, nil).expect(t, 200)
		if show.num("meta", "assignee", "id") != bobID || show.str("meta", "assignee_type") != "User" {
			t.Fatalf("agent who opened is not the assignee: %s", show.Raw)
		}
	})
}

func TestAssignmentsLabelsAttributes(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		c := e.newChat(a, "api")
		conv := e.open(c, nil)
		p := func(rest string) string { return c.path(fmt.Sprintf("/conversations/%d%s", conv, rest)) }
		res := e.do("POST", p("/assignments"), a.Token, map[string]any{"assignee_id": a.UserID}).expect(t, 200)
		if res.num("id") != a.UserID || res.str("role") != "administrator" {
			t.Fatalf("assignment = %s", res.Raw)
		}
		other := e.setup("Other", "zed@other.io")
		e.do("POST", p("/assignments"), a.Token, map[string]any{"assignee_id": other.UserID}).expect(t, 404)
		e.do("POST", p("/assignments"), a.Token, map[string]any{"assignee_id": nil}).expect(t, 200).body(t, `null`)
		team := e.do("POST", c.path("/teams"), a.Token, map[string]any{"name": "Sales"}).expect(t, 200)
		res = e.do("POST", p("/assignments"), a.Token, map[string]any{"team_id": team.num("id")}).expect(t, 200)
		if res.str("name") != "sales" || !res.has("created_at") {
			t.Fatalf("team assignment = %s", res.Raw)
		}
		res = e.do("POST", p("/labels"), a.Token, map[string]any{"labels": []string{"Billing", "urgent", "billing"}}).expect(t, 200)
		res.body(t, `{"payload":["billing","urgent"]}`)
		e.do("POST", p("/labels"), a.Token, map[string]any{"labels": []string{"urgent"}}).expect(t, 200).body(t, `{"payload":["urgent"]}`)
		e.do("GET", p("/labels"), a.Token, nil).expect(t, 200).body(t, `{"payload":["urgent"]}`)
		e.do("POST", p("/custom_attributes"), a.Token, map[string]any{"custom_attributes": map[string]any{"plan": "pro"}}).expect(t, 200)
		e.do("POST", p("/custom_attributes"), a.Token, map[string]any{"custom_attributes": map[string]any{"tier": 2}}).
			expect(t, 200).body(t, `{"custom_attributes":{"tier":2}}`) // replaced, not merged
		e.do("POST", p("/toggle_priority"), a.Token, map[string]any{"priority": "high"}).expect(t, 200)
		show := e.do("GET", p(""), a.Token, nil).expect(t, 200)
		if show.str("priority") != "high" || show.str("meta", "team", "name") != "sales" || len(show.get("labels").([]any)) != 1 {
			t.Fatalf("conversation = %s", show.Raw)
		}
		msgs := e.do("GET", p("/messages"), a.Token, nil).expect(t, 200).Raw
		for _, want := range []string{"Admin Acme self-assigned this conversation", "Conversation unassigned by Admin Acme",
			"Assigned to sales by Admin Acme", "Admin Acme added billing, urgent", "Admin Acme removed billing",
			"Admin Acme set the priority to high"} {
			if !strings.Contains(msgs, want) {
				t.Errorf("no activity %q in %s", want, msgs)
			}
		}
	})
}

func TestConversationListFiltersAndCounts(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		c := e.newChat(a, "api")
		c1 := e.open(c, nil)
		c2 := e.open(c, map[string]any{"assignee_id": a.UserID})
		c3 := e.open(c, map[string]any{"status": "resolved"})
		e.do("POST", c.path(fmt.Sprintf("/conversations/%d/labels", c1)), a.Token, map[string]any{"labels": []string{"vip"}}).expect(t, 200)
		list := e.do("GET", c.path("/conversations"), a.Token, nil).expect(t, 200)
		list.body(t, list.Raw) // valid JSON
		if m := list.get("data", "meta").(map[string]any); m["all_count"] != 2.0 || m["mine_count"] != 1.0 ||
			m["assigned_count"] != 1.0 || m["unassigned_count"] != 1.0 {
			t.Fatalf("meta = %v", m)
		}
		ids := func(r response) []int64 {
			var out []int64
			for _, p := range r.get("data", "payload").([]any) {
				out = append(out, int64(p.(map[string]any)["id"].(float64)))
			}
			return out
		}
		if got := ids(e.do("GET", c.path("/conversations?assignee_type=me"), a.Token, nil)); fmt.Sprint(got) != fmt.Sprint([]int64{c2}) {
			t.Fatalf("mine = %v", got)
		}
		if got := ids(e.do("GET", c.path("/conversations?status=resolved"), a.Token, nil)); fmt.Sprint(got) != fmt.Sprint([]int64{c3}) {
			t.Fatalf("resolved = %v", got)
		}
		if got := ids(e.do("GET", c.path("/conversations?labels[]=vip"), a.Token, nil)); fmt.Sprint(got) != fmt.Sprint([]int64{c1}) {
			t.Fatalf("labelled = %v", got)
		}
		if got := ids(e.do("GET", c.path("/conversations?status=all&sort_by=created_at_asc"), a.Token, nil)); fmt.Sprint(got) != fmt.Sprint([]int64{c1, c2, c3}) {
			t.Fatalf("all by created = %v", got)
		}
		e.do("GET", c.path("/conversations?status=nope"), a.Token, nil).expect(t, 422)
		e.do("GET", c.path("/conversations/meta"), a.Token, nil).expect(t, 200)
		// Message search (full-text index) finds a rare word in any status.
		e.say(c, c3, a.Token, map[string]any{"content": "the parcel went to Zanzibar", "message_type": "incoming"}).expect(t, 200)
		e.do("POST", c.path(fmt.Sprintf("/conversations/%d/toggle_status", c3)), a.Token, map[string]any{"status": "resolved"}).expect(t, 200)
		found := e.do("GET", c.path("/conversations/search?q=zanzibar"), a.Token, nil).expect(t, 200)
		if found.num("payload", 0, "id") != c3 || len(found.get("payload").([]any)) != 1 {
			t.Fatalf("search = %s", found.Raw)
		}
		if got := ids(e.do("GET", c.path("/conversations?q=zanzibar"), a.Token, nil)); fmt.Sprint(got) != fmt.Sprint([]int64{c3}) {
			t.Fatalf("q = %v", got)
		}
	})
}

func TestConversationTenancyAndVisibility(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		c := e.newChat(a, "api")
		conv := e.open(c, nil)
		b := e.setup("Beta", "bob@beta.io")
		// Another account's display id through B's own path: not found.
		e.do("GET", fmt.Sprintf("/api/v1/accounts/%d/conversations/%d", b.AccountID, conv), b.Token, nil).expect(t, 404)
		// An agent outside the inbox cannot see or write it.
		agent := e.addAgent(a, "cy@acme.io", "agent")
		e.do("GET", c.path(fmt.Sprintf("/conversations/%d", conv)), agent, nil).expect(t, 401)
		e.say(c, conv, agent, map[string]any{"content": "x"}).expect(t, 401)
		if n := len(e.do("GET", c.path("/conversations"), agent, nil).get("data", "payload").([]any)); n != 0 {
			t.Fatalf("agent sees %d conversations of an inbox they are not in", n)
		}
		e.do("DELETE", c.path(fmt.Sprintf("/conversations/%d", conv)), agent, nil).expect(t, 401)
		e.do("DELETE", c.path(fmt.Sprintf("/conversations/%d", conv)), a.Token, nil).expect(t, 200)
		e.do("GET", c.path(fmt.Sprintf("/conversations/%d", conv)), a.Token, nil).expect(t, 404)
	})
}

func TestMessageValidationAndPaging(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		c := e.newChat(e.setup("Acme", "ann@acme.io"), "api")
		conv := e.open(c, nil)
		e.say(c, conv, c.Token, map[string]any{"content": "pick", "content_type": "input_select",
			"content_attributes": map[string]any{"items": []any{map[string]any{"title": "A", "colour": "red"}}}}).
			expect(t, 422).body(t, `{"error":"Validation failed: Content attributes contains invalid keys for items : [:colour]"}`)
		// content_attributes may be a JSON string.
		e.say(c, conv, c.Token, map[string]any{"content": "pick", "content_type": "input_select",
			"content_attributes": `{"items":[{"title":"A","value":"a"}]}`}).expect(t, 200)
		e.say(c, conv, c.Token, map[string]any{"content": "x", "message_type": "sideways"}).expect(t, 422)
		e.say(c, conv, c.Token, map[string]any{"content": "note", "private": "true"}).expect(t, 200)
		var ids []int64
		for i := 0; i < 25; i++ {
			ids = append(ids, e.say(c, conv, c.Token, map[string]any{"content": fmt.Sprint("m", i)}).expect(t, 200).num("id"))
		}
		latest := e.do("GET", c.path(fmt.Sprintf("/conversations/%d/messages", conv)), c.Token, nil).expect(t, 200)
		page := latest.get("payload").([]any)
		if len(page) != 20 || int64(page[19].(map[string]any)["id"].(float64)) != ids[24] {
			t.Fatalf("latest page has %d messages", len(page))
		}
		older := e.do("GET", c.path(fmt.Sprintf("/conversations/%d/messages?before=%d", conv, ids[5])), c.Token, nil).expect(t, 200)
		if n := len(older.get("payload").([]any)); n != 7 { // 2 earlier messages + ids[0..4]
			t.Fatalf("before page has %d messages, want 7", n)
		}
		newer := e.do("GET", c.path(fmt.Sprintf("/conversations/%d/messages?after=%d", conv, ids[20])), c.Token, nil).expect(t, 200)
		if n := len(newer.get("payload").([]any)); n != 4 {
			t.Fatalf("after page has %d messages, want 4", n)
		}
		del := e.do("DELETE", c.path(fmt.Sprintf("/conversations/%d/messages/%d", conv, ids[0])), c.Token, nil).expect(t, 200)
		if del.str("content") != "This message was deleted" || del.get("content_attributes", "deleted") != true {
			t.Fatalf("deleted message = %s", del.Raw)
		}
		e.do("DELETE", c.path(fmt.Sprintf("/conversations/%d/messages/999999", conv)), c.Token, nil).expect(t, 404)
	})
}

func TestMessageIdempotencyKey(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		c := e.newChat(e.setup("Acme", "ann@acme.io"), "api")
		conv := e.open(c, nil)
		post := func(key string) response {
			return e.doWith("POST", c.path(fmt.Sprintf("/conversations/%d/messages", conv)), map[string]any{"content": "once", "message_type": "incoming"},
				func(r *http.Request) {
					r.Header.Set("api_access_token", c.Token)
					r.Header.Set("Idempotency-Key", key)
				})
		}
		first := post("msg-1").expect(t, 200)
		if again := post("msg-1").expect(t, 200); again.num("id") != first.num("id") {
			t.Fatalf("retry created message %d, first was %d", again.num("id"), first.num("id"))
		}
		if n := len(e.do("GET", c.path(fmt.Sprintf("/conversations/%d/messages", conv)), c.Token, nil).get("payload").([]any)); n != 1 {
			t.Fatalf("%d messages after a retried create, want 1", n)
		}
	})
}

func TestConversationListQueriesDoNotGrow(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		c := e.newChat(a, "api")
		grow := func(int) {
			conv := e.open(c, map[string]any{"assignee_id": a.UserID})
			e.say(c, conv, a.Token, map[string]any{"content": "hi", "message_type": "incoming"}).expect(t, 200)
			e.say(c, conv, a.Token, map[string]any{"content": "hello"}).expect(t, 200)
		}
		grow(0) // the small page has one conversation of the same shape
		e.assertConstantQueries(t, c.path("/conversations"), a.Token, grow)
	})
}

// TestFloodGuard: at most N messages per conversation per minute (Chatwoot's
// CONVERSATION_MESSAGE_PER_MINUTE_LIMIT, CRIACHAT_MESSAGES_PER_MINUTE here).
func TestFloodGuard(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		c := e.newChat(e.setup("Acme", "ann@acme.io"), "api")
		conv := e.open(c, nil)
		e.server = api.New(api.Options{Store: e.store, Accounts: e.accounts, Keeper: e.keeper,
			Conversations: conversation.NewService(e.store, nil, 3)})
		for i := 0; i < 3; i++ {
			e.say(c, conv, c.Token, map[string]any{"content": "spam", "message_type": "incoming"}).expect(t, 200)
		}
		e.say(c, conv, c.Token, map[string]any{"content": "spam", "message_type": "incoming"}).
			expect(t, 422).body(t, `{"error":"Validation failed: Too many messages"}`)
		// Another conversation is not limited.
		other := e.open(c, nil)
		e.say(c, other, c.Token, map[string]any{"content": "hello", "message_type": "incoming"}).expect(t, 200)
	})
}

// TestContactConversationsAndMerge: GET /contacts/{id}/conversations (§3.4),
// and a contact merge moves the mergee's conversations to the base (§9.7).
func TestContactConversationsAndMerge(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		c := e.newChat(e.setup("Acme", "ann@acme.io"), "api")
		first := e.open(c, nil)
		second := e.open(c, map[string]any{"status": "resolved"})
		res := e.do("GET", c.path(fmt.Sprintf("/contacts/%d/conversations", c.ContactID)), c.Token, nil).expect(t, 200)
		if n := len(res.get("payload").([]any)); n != 2 {
			t.Fatalf("contact conversations = %s", res.Raw)
		}
		dup := e.do("POST", c.path("/contacts"), c.Token, map[string]any{"name": "Carla 2", "email": "carla-dup@x.io", "inbox_id": c.InboxID}).expect(t, 200)
		dupID := dup.num("payload", "contact", "id")
		dupConv := e.do("POST", c.path("/conversations"), c.Token, map[string]any{"inbox_id": c.InboxID, "contact_id": dupID}).expect(t, 200).num("id")
		e.say(c, dupConv, c.Token, map[string]any{"content": "from the duplicate", "message_type": "incoming"}).expect(t, 200)
		e.do("POST", c.path("/actions/contact_merge"), c.Token, map[string]any{"base_contact_id": c.ContactID, "mergee_contact_id": dupID}).expect(t, 200)
		res = e.do("GET", c.path(fmt.Sprintf("/contacts/%d/conversations", c.ContactID)), c.Token, nil).expect(t, 200)
		if n := len(res.get("payload").([]any)); n != 3 {
			t.Fatalf("after merge the base has %d conversations, want 3: %s", n, res.Raw)
		}
		show := e.do("GET", c.path(fmt.Sprintf("/conversations/%d", dupConv)), c.Token, nil).expect(t, 200)
		if show.num("meta", "sender", "id") != c.ContactID || show.num("messages", 0, "sender", "id") != c.ContactID {
			t.Fatalf("merged conversation = %s", show.Raw)
		}
		_ = first
		_ = second
		e.do("GET", c.path("/contacts/999999/conversations"), c.Token, nil).expect(t, 404)
	})
}

// TestSnoozeScheduler: snoozed conversations reopen once snoozed_until has
// passed, and not before (reference §6.2, the scheduler).
func TestSnoozeScheduler(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		c := e.newChat(e.setup("Acme", "ann@acme.io"), "api")
		past, future := e.open(c, nil), e.open(c, nil)
		snooze := func(conv int64, until time.Time) {
			e.do("POST", c.path(fmt.Sprintf("/conversations/%d/toggle_status", conv)), c.Token,
				map[string]any{"status": "snoozed", "snoozed_until": until.Unix()}).expect(t, 200)
		}
		snooze(past, time.Now().Add(-time.Minute))
		snooze(future, time.Now().Add(time.Hour))
		n, err := conversation.NewService(e.store, nil, 0).ReopenSnoozed(context.Background())
		if err != nil || n != 1 {
			t.Fatalf("ReopenSnoozed = %d, %v; want 1", n, err)
		}
		status := func(conv int64) string {
			return e.do("GET", c.path(fmt.Sprintf("/conversations/%d", conv)), c.Token, nil).str("status")
		}
		if status(past) != "open" || status(future) != "snoozed" {
			t.Fatalf("statuses: past %s, future %s", status(past), status(future))
		}
	})
}

func TestMuteAndUnread(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		c := e.newChat(e.setup("Acme", "ann@acme.io"), "api")
		conv := e.open(c, nil)
		p := func(rest string) string { return c.path(fmt.Sprintf("/conversations/%d%s", conv, rest)) }
		e.say(c, conv, c.Token, map[string]any{"content": "hello?", "message_type": "incoming"}).expect(t, 200)
		e.do("POST", p("/update_last_seen"), c.Token, nil).expect(t, 200)
		if n := e.do("GET", p(""), c.Token, nil).num("unread_count"); n != 0 {
			t.Fatalf("unread_count after seeing = %d", n)
		}
		if n := e.do("POST", p("/unread"), c.Token, nil).expect(t, 200).num("unread_count"); n != 1 {
			t.Fatalf("unread_count after marking unread = %d, want 1", n)
		}
		e.do("POST", p("/mute"), c.Token, nil).expect(t, 200)
		show := e.do("GET", p(""), c.Token, nil).expect(t, 200)
		if show.get("muted") != true || show.str("status") != "resolved" {
			t.Fatalf("muted conversation = %s", show.Raw)
		}
		// A muted conversation is not reopened by an incoming message.
		e.say(c, conv, c.Token, map[string]any{"content": "again", "message_type": "incoming"}).expect(t, 200)
		if st := e.do("GET", p(""), c.Token, nil).str("status"); st != "resolved" {
			t.Fatalf("muted conversation reopened: %s", st)
		}
		e.do("POST", p("/unmute"), c.Token, nil).expect(t, 200)
		if e.do("GET", p(""), c.Token, nil).get("muted") != false {
			t.Fatal("unmute did not unblock the contact")
		}
		msgs := e.do("GET", p("/messages"), c.Token, nil).Raw
		if !strings.Contains(msgs, "Admin Acme has muted the conversation") || !strings.Contains(msgs, "Admin Acme has unmuted the conversation") {
			t.Fatalf("mute activity missing: %s", msgs)
		}
	})
}

// TestRemovedAgentIsUnassigned: an agent removed from the account no longer
// holds its conversations (Chatwoot's Agents::DestroyJob).
func TestRemovedAgentIsUnassigned(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		c := e.newChat(a, "api")
		e.addAgent(a, "bob@acme.io", "agent")
		// Bob also works for another account, so leaving this one keeps his user.
		e.addAgent(e.setup("Beta", "bea@beta.io"), "bob@acme.io", "agent")
		agents := e.do("GET", c.path("/agents"), a.Token, nil).expect(t, 200)
		var bob int64
		for i := range agents.JSON.([]any) {
			if agents.str(i, "email") == "bob@acme.io" {
				bob = agents.num(i, "id")
			}
		}
		conv := e.open(c, map[string]any{"assignee_id": bob})
		e.do("DELETE", c.path(fmt.Sprintf("/agents/%d", bob)), a.Token, nil).expect(t, 200)
		show := e.do("GET", c.path(fmt.Sprintf("/conversations/%d", conv)), a.Token, nil).expect(t, 200)
		if show.has("assignee", "meta") {
			t.Fatalf("conversation still assigned after the agent left: %s", show.Raw)
		}
		// The stored assignee is gone too: the conversation counts as unassigned.
		list := e.do("GET", c.path("/conversations?assignee_type=unassigned"), a.Token, nil).expect(t, 200)
		if list.num("data", "meta", "unassigned_count") != 1 || list.num("data", "payload", 0, "id") != conv {
			t.Fatalf("unassigned list = %s", list.Raw)
		}
	})
}
