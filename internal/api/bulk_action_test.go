package api_test

import (
	"fmt"
	"strings"
	"testing"
)

// POST /bulk_actions (reference §3.5): conversations through the conversation
// service (activity messages included), contacts through the contacts store.

func bulkPath(a tenant) string { return "/api/v1/accounts/" + itoa(a.AccountID) + "/bulk_actions" }

// activities returns the activity messages (message_type 2) of a conversation.
func (e *env) activities(c chat, conv int64) []string {
	e.t.Helper()
	res := e.do("GET", c.path(fmt.Sprintf("/conversations/%d/messages", conv)), c.Token, nil).expect(e.t, 200)
	var out []string
	for _, m := range res.get("payload").([]any) {
		if msg := m.(map[string]any); msg["message_type"] == 2.0 {
			out = append(out, msg["content"].(string))
		}
	}
	return out
}

func (e *env) conv(c chat, conv int64) response {
	e.t.Helper()
	return e.do("GET", c.path(fmt.Sprintf("/conversations/%d", conv)), c.Token, nil).expect(e.t, 200)
}

func TestBulkConversations(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		c := e.newChat(a, "api")
		c1, c2, c3 := e.open(c, nil), e.open(c, nil), e.open(c, nil)
		team := e.do("POST", c.path("/teams"), a.Token, map[string]any{"name": "billing"}).expect(t, 200).num("id")
		e.do("POST", c.path(fmt.Sprintf("/teams/%d/team_members", team)), a.Token, map[string]any{"user_ids": []int64{a.UserID}}).expect(t, 200)
		bulk := func(body map[string]any) response {
			t.Helper()
			body["type"] = "Conversation"
			return e.do("POST", bulkPath(a), a.Token, body)
		}

		// Status, with its activity message; repeated and unknown ids are skipped.
		if res := bulk(map[string]any{"ids": []any{c1, itoa(c2), c1, 999}, "fields": map[string]any{"status": "resolved"}}).expect(t, 200); res.Raw != "" {
			t.Fatalf("body = %q", res.Raw)
		}
		if e.conv(c, c1).str("status") != "resolved" || e.conv(c, c2).str("status") != "resolved" || e.conv(c, c3).str("status") != "open" {
			t.Fatal("status not applied to exactly c1 and c2")
		}
		if acts := e.activities(c, c1); len(acts) != 1 || acts[0] != "Conversation was marked resolved by Admin Acme" {
			t.Fatalf("activities = %q", acts)
		}
		// Snooze with snoozed_until in unix seconds, or ISO 8601.
		bulk(map[string]any{"ids": []int64{c1}, "fields": map[string]any{"status": "snoozed"}, "snoozed_until": 1900000000}).expect(t, 200)
		if r := e.conv(c, c1); r.str("status") != "snoozed" || r.str("snoozed_until") != "2030-03-17T17:46:40.000Z" {
			t.Fatalf("snoozed = %s %v", r.str("status"), r.get("snoozed_until"))
		}
		bulk(map[string]any{"ids": []int64{c2}, "fields": map[string]any{"status": "snoozed"}, "snoozed_until": "2030-01-02T03:04:05Z"}).expect(t, 200)
		if r := e.conv(c, c2); r.str("snoozed_until") != "2030-01-02T03:04:05.000Z" {
			t.Fatalf("snoozed ISO = %v", r.get("snoozed_until"))
		}

		// Assignee, team and labels; a null status changes nothing.
		bulk(map[string]any{"ids": []int64{c1, c3}, "fields": map[string]any{"status": nil, "assignee_id": a.UserID, "team_id": team},
			"labels": map[string]any{"add": []string{"VIP", "billing"}}}).expect(t, 200)
		r := e.conv(c, c3)
		if r.str("status") != "open" || r.num("meta", "assignee", "id") != a.UserID || r.num("meta", "team", "id") != team ||
			strings.Join(labelsOf(r), ",") != "vip,billing" {
			t.Fatalf("c3 = %s", r.Raw)
		}
		if acts := e.activities(c, c3); strings.Join(acts, "|") != "Admin Acme added vip, billing|Assigned to billing by Admin Acme|Admin Acme self-assigned this conversation" {
			t.Fatalf("activities = %q", acts)
		}
		// Remove before add; assignee null unassigns; team 0 removes the team.
		bulk(map[string]any{"ids": []int64{c3}, "fields": map[string]any{"assignee_id": nil, "team_id": 0},
			"labels": map[string]any{"remove": []string{"VIP"}, "add": []string{"lead"}}}).expect(t, 200)
		r = e.conv(c, c3)
		if r.has("assignee", "meta") || r.has("team", "meta") || strings.Join(labelsOf(r), ",") != "billing,lead" {
			t.Fatalf("c3 after = %s", r.Raw)
		}

		// Invalid targets are refused before anything changes.
		b := e.setup("Beta", "bob@beta.io")
		bulk(map[string]any{"ids": []int64{c1}, "fields": map[string]any{"assignee_id": b.UserID, "status": "open"}}).expect(t, 422).
			body(t, `{"error":"Invalid assignee_id"}`)
		bulk(map[string]any{"ids": []int64{c1}, "fields": map[string]any{"team_id": 999999, "status": "open"}}).expect(t, 422).
			body(t, `{"error":"Invalid team_id"}`)
		bulk(map[string]any{"ids": []int64{c1}, "fields": map[string]any{"status": "closed"}}).expect(t, 422).
			body(t, `{"error":"'closed' is not a valid status"}`)
		bulk(map[string]any{"ids": []int64{c1}, "snoozed_until": "tomorrow"}).expect(t, 422)
		if e.conv(c, c1).str("status") != "snoozed" {
			t.Fatal("a refused bulk action changed a conversation")
		}

		many := make([]int64, 1001)
		e.do("POST", bulkPath(a), a.Token, map[string]any{"type": "Conversation", "ids": many}).expect(t, 422).
			body(t, `{"error":"A bulk action takes at most 1000 ids"}`)

		// Unknown or missing type: 422 {"success":false}; "conversation" is camelized.
		e.do("POST", bulkPath(a), a.Token, map[string]any{"type": "Message", "ids": []int64{c1}}).expect(t, 422).body(t, `{"success":false}`)
		e.do("POST", bulkPath(a), a.Token, map[string]any{"ids": []int64{c1}}).expect(t, 422).body(t, `{"success":false}`)
		e.do("POST", bulkPath(a), a.Token, map[string]any{"type": "conversation", "ids": []int64{c1}, "fields": map[string]any{"status": "open"}}).expect(t, 200)
		if e.conv(c, c1).str("status") != "open" {
			t.Fatal("type conversation not applied")
		}
	})
}

func labelsOf(r response) []string {
	var out []string
	for _, l := range r.get("labels").([]any) {
		out = append(out, l.(string))
	}
	return out
}

// TestBulkConversationsVisibilityAndTenancy: agents change only what they may
// see (§2.6), without becoming assignees by opening; display ids are read in
// the caller's account only.
func TestBulkConversationsVisibilityAndTenancy(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		mine, theirs := e.newChat(a, "api"), e.newChat(a, "api")
		agent := e.addAgent(a, "bob@acme.io", "agent")
		bobID := e.do("GET", "/api/v1/profile", agent, nil).num("id")
		e.do("POST", mine.path("/inbox_members"), a.Token, map[string]any{"inbox_id": mine.InboxID, "user_ids": []int64{bobID}}).expect(t, 200)
		m1 := e.open(mine, map[string]any{"status": "pending"})
		t1 := e.open(theirs, map[string]any{"status": "pending"})
		e.do("POST", bulkPath(a), agent, map[string]any{"type": "Conversation", "ids": []int64{m1, t1}, "fields": map[string]any{"status": "open"}}).expect(t, 200)
		if r := e.conv(mine, m1); r.str("status") != "open" || r.has("assignee", "meta") {
			t.Fatalf("agent's conversation = %s", r.Raw)
		}
		if e.conv(theirs, t1).str("status") != "pending" {
			t.Fatal("an agent changed a conversation of an inbox they are not in")
		}

		// Account B's display ids are B's own: A's conversations with the same numbers do not change.
		b := e.setup("Beta", "bob@beta.io")
		bc := e.newChat(b, "api")
		b1 := e.open(bc, nil)
		e.do("POST", bulkPath(b), b.Token, map[string]any{"type": "Conversation", "ids": []int64{m1, t1}, "fields": map[string]any{"status": "resolved"}}).expect(t, 200)
		if e.conv(bc, b1).str("status") != "resolved" || e.conv(mine, m1).str("status") != "open" || e.conv(theirs, t1).str("status") != "pending" {
			t.Fatal("bulk reached another account")
		}
		// A's token on B's path is refused outright.
		e.do("POST", bulkPath(b), a.Token, map[string]any{"type": "Conversation", "ids": []int64{b1}, "fields": map[string]any{"status": "open"}}).expect(t, 401)
	})
}

func TestBulkContacts(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		c1, c2 := e.newChat(a, "api"), e.newChat(a, "api")
		b := e.setup("Beta", "bob@beta.io")
		bc := e.newChat(b, "api")
		labels := func(token string, accountID, id int64) string {
			res := e.do("GET", fmt.Sprintf("/api/v1/accounts/%d/contacts/%d/labels", accountID, id), token, nil).expect(t, 200)
			var out []string
			for _, l := range res.get("payload").([]any) {
				out = append(out, l.(string))
			}
			return strings.Join(out, ",")
		}
		e.do("POST", c1.path(fmt.Sprintf("/contacts/%d/labels", c1.ContactID)), a.Token, map[string]any{"labels": []string{"old", "keep"}}).expect(t, 200)
		ids := []int64{c1.ContactID, c2.ContactID, bc.ContactID}
		agent := e.addAgent(a, "bob@acme.io", "agent")
		e.do("POST", bulkPath(a), agent, map[string]any{"type": "Contact", "ids": ids,
			"labels": map[string]any{"add": []string{"Lead"}, "remove": []string{"OLD"}}}).expect(t, 200)
		if got := labels(a.Token, a.AccountID, c1.ContactID); got != "keep,lead" {
			t.Fatalf("c1 labels = %s", got)
		}
		if got := labels(a.Token, a.AccountID, c2.ContactID); got != "lead" {
			t.Fatalf("c2 labels = %s", got)
		}
		if got := labels(b.Token, b.AccountID, bc.ContactID); got != "" {
			t.Fatalf("another account's contact got labels: %s", got)
		}
		// Deleting is for administrators; another account's contacts are skipped.
		e.do("POST", bulkPath(a), agent, map[string]any{"type": "Contact", "ids": ids, "action_name": "delete"}).expect(t, 401).
			body(t, `{"error":"You are not authorized to do this action"}`)
		e.do("POST", bulkPath(a), a.Token, map[string]any{"type": "Contact", "ids": ids, "action_name": "delete"}).expect(t, 200)
		e.do("GET", c1.path(fmt.Sprintf("/contacts/%d", c1.ContactID)), a.Token, nil).expect(t, 404)
		e.do("GET", c1.path(fmt.Sprintf("/contacts/%d", c2.ContactID)), a.Token, nil).expect(t, 404)
		e.do("GET", bc.path(fmt.Sprintf("/contacts/%d", bc.ContactID)), b.Token, nil).expect(t, 200)
	})
}
