package api_test

import (
	"fmt"
	"testing"
)

// Conversation participants (reference §3.5): GET/POST/PATCH/PUT/DELETE
// …/conversations/{id}/participants with user_ids, bare [agent] answers.

func agentIDsOf(r response) []int64 {
	out := []int64{}
	list, _ := r.JSON.([]any)
	for _, a := range list {
		out = append(out, int64(a.(map[string]any)["id"].(float64)))
	}
	return out
}

func TestConversationParticipants(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		c := e.newChat(a, "api")
		conv := e.open(c, nil)
		path := c.path(fmt.Sprintf("/conversations/%d/participants", conv))
		bob := e.addAgent(a, "bob@acme.io", "agent")
		bobID := e.do("GET", "/api/v1/profile", bob, nil).num("id")
		cy := e.addAgent(a, "cy@acme.io", "agent")
		cyID := e.do("GET", "/api/v1/profile", cy, nil).num("id")
		e.do("POST", c.path("/inbox_members"), a.Token, map[string]any{"inbox_id": c.InboxID, "user_ids": []int64{bobID}}).expect(t, 200)

		e.do("GET", path, a.Token, nil).expect(t, 200).body(t, `[]`)
		// POST adds and answers the participants it created, in the order given.
		res := e.do("POST", path, a.Token, map[string]any{"user_ids": []any{bobID, itoa(a.UserID)}}).expect(t, 200)
		wantIDs(t, "created", agentIDsOf(res), []int64{bobID, a.UserID})
		if res.str(0, "email") != "bob@acme.io" || res.str(0, "role") != "agent" || !res.has("availability_status", 0) || !res.has("account_id", 0) {
			t.Fatalf("agent = %s", res.Raw)
		}
		res = e.do("POST", path, a.Token, map[string]any{"user_ids": []int64{bobID}}).expect(t, 200)
		wantIDs(t, "created again", agentIDsOf(res), []int64{})
		wantIDs(t, "list", agentIDsOf(e.do("GET", path, bob, nil).expect(t, 200)), []int64{bobID, a.UserID})

		// Cy is not a member of the inbox: not a possible participant (ensure_inbox_access).
		e.do("POST", path, a.Token, map[string]any{"user_ids": []int64{cyID}}).expect(t, 422).
			body(t, `{"message":"User must have inbox access","attributes":["user"]}`)
		e.do("PATCH", path, a.Token, map[string]any{"user_ids": []int64{bobID, cyID}}).expect(t, 422)
		// Users of another account, and missing or malformed user_ids.
		b := e.setup("Beta", "bob@beta.io")
		for _, method := range []string{"POST", "PATCH", "DELETE"} {
			e.do(method, path, a.Token, map[string]any{"user_ids": []int64{b.UserID}}).expect(t, 401).body(t, `{"error":"Invalid User IDs"}`)
			e.do(method, path, a.Token, map[string]any{}).expect(t, 422).body(t, `{"error":"param is missing or the value is empty: user_ids"}`)
			e.do(method, path, a.Token, map[string]any{"user_ids": "x"}).expect(t, 422)
		}
		wantIDs(t, "unchanged", agentIDsOf(e.do("GET", path, a.Token, nil)), []int64{bobID, a.UserID})

		// PATCH and PUT replace and answer them all.
		res = e.do("PATCH", path, a.Token, map[string]any{"user_ids": []int64{a.UserID}}).expect(t, 200)
		wantIDs(t, "replaced", agentIDsOf(res), []int64{a.UserID})
		res = e.do("PUT", path, bob, map[string]any{"user_ids": []int64{bobID, a.UserID}}).expect(t, 200)
		wantIDs(t, "replaced by PUT", agentIDsOf(res), []int64{a.UserID, bobID})
		// DELETE removes, 200 with an empty body; user_ids may come in the query string.
		e.do("DELETE", path, a.Token, map[string]any{"user_ids": []int64{a.UserID, 999999}}).expect(t, 401)
		if del := e.do("DELETE", path+"?user_ids[]="+itoa(a.UserID), a.Token, nil).expect(t, 200); del.Raw != "" {
			t.Fatalf("DELETE body = %q", del.Raw)
		}
		wantIDs(t, "after delete", agentIDsOf(e.do("GET", path, a.Token, nil)), []int64{bobID})

		// member*: an agent outside the inbox gets 401; another account's
		// conversation through this account's path is 404.
		e.do("GET", path, cy, nil).expect(t, 401)
		e.do("POST", path, cy, map[string]any{"user_ids": []int64{cyID}}).expect(t, 401)
		bc := e.newChat(b, "api")
		bconv := e.open(bc, nil)
		e.do("GET", c.path(fmt.Sprintf("/conversations/%d/participants", bconv+100)), a.Token, nil).expect(t, 404)
		e.do("POST", bc.path(fmt.Sprintf("/conversations/%d/participants", bconv)), b.Token, map[string]any{"user_ids": []int64{bobID}}).expect(t, 401)
		wantIDs(t, "B's participants", agentIDsOf(e.do("GET", bc.path(fmt.Sprintf("/conversations/%d/participants", bconv)), b.Token, nil)), []int64{})

		// Removing an agent from the account hides them from the list.
		e.do("DELETE", c.path("/agents/"+itoa(bobID)), a.Token, nil).expect(t, 200)
		wantIDs(t, "after the agent left", agentIDsOf(e.do("GET", path, a.Token, nil)), []int64{})
	})
}

// TestParticipantListQueriesDoNotGrow: the participants list is one query
// whatever its length.
func TestParticipantListQueriesDoNotGrow(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		c := e.newChat(a, "api")
		conv := e.open(c, nil)
		path := c.path(fmt.Sprintf("/conversations/%d/participants", conv))
		e.do("POST", path, a.Token, map[string]any{"user_ids": []int64{a.UserID}}).expect(t, 200)
		e.assertConstantQueries(t, path, a.Token, func(i int) {
			token := e.addAgent(a, fmt.Sprintf("agent%d@acme.io", i), "administrator")
			id := e.do("GET", "/api/v1/profile", token, nil).num("id")
			e.do("POST", path, a.Token, map[string]any{"user_ids": []int64{id}}).expect(t, 200)
		})
	})
}
