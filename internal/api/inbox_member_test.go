package api_test

import (
	"reflect"
	"testing"
)

// Inbox members (reference §3.3) and assignable agents (§3.2), with the
// member* rule of §3.0 and the agent object of §3.2.

func inboxMembersPath(a tenant) string {
	return "/api/v1/accounts/" + itoa(a.AccountID) + "/inbox_members"
}

func TestInboxMembers(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		b := e.setup("Beta", "bea@beta.io")
		bobToken := e.addAgent(a, "bob@acme.io", "agent")
		e.addAgent(a, "cat@acme.io", "agent")
		bob, cat := agentIDByEmail(t, e, a, "bob@acme.io"), agentIDByEmail(t, e, a, "cat@acme.io")
		id := newAPIInbox(t, e, a, "Support").num("id")
		showPath := inboxMembersPath(a) + "/" + itoa(id)

		e.do("GET", showPath, a.Token, nil).expect(t, 200).body(t, `{"payload":[]}`)
		// POST adds (ids may be integer strings, repeats are fine) and answers every member.
		res := e.do("POST", inboxMembersPath(a), a.Token, map[string]any{"inbox_id": itoa(id), "user_ids": []any{cat, itoa(bob), cat}}).expect(t, 200)
		if ids := payloadIDsOf(res); !reflect.DeepEqual(ids, []int64{bob, cat}) {
			t.Fatalf("after add = %v", ids)
		}
		if keys := agentObjKeys(res, "payload", 0); !reflect.DeepEqual(keys, agentKeysNoCustom) {
			t.Fatalf("member keys = %v, want the agent object %v", keys, agentKeysNoCustom)
		}
		if res.str("payload", 0, "email") != "bob@acme.io" || res.str("payload", 0, "role") != "agent" || res.num("payload", 0, "account_id") != a.AccountID {
			t.Fatalf("member = %v", res.get("payload", 0))
		}
		res = e.do("POST", inboxMembersPath(a), a.Token, map[string]any{"inbox_id": id, "user_ids": []int64{a.UserID}}).expect(t, 200)
		if ids := payloadIDsOf(res); !reflect.DeepEqual(ids, []int64{a.UserID, bob, cat}) { // lower(name): "Admin Acme" first
			t.Fatalf("after second add = %v", ids)
		}
		// A member agent may list the members; GET shows what POST answered.
		if got := e.do("GET", showPath, bobToken, nil).expect(t, 200).Raw; got != res.Raw {
			t.Fatalf("GET members:\n%s\nwant\n%s", got, res.Raw)
		}

		// PATCH replaces the set.
		res = e.do("PATCH", inboxMembersPath(a), a.Token, map[string]any{"inbox_id": id, "user_ids": []int64{cat}}).expect(t, 200)
		if ids := payloadIDsOf(res); !reflect.DeepEqual(ids, []int64{cat}) {
			t.Fatalf("after replace = %v", ids)
		}
		// Bob is no longer a member: the inbox and its members are closed to him.
		e.do("GET", showPath, bobToken, nil).expect(t, 401).body(t, bodyNotAuthorized)
		e.do("GET", inboxPath(a, id), bobToken, nil).expect(t, 401).body(t, bodyNotAuthorized)

		// DELETE removes; ids that are not members are ignored; the body is empty.
		del := e.do("DELETE", inboxMembersPath(a), a.Token, map[string]any{"inbox_id": id, "user_ids": []int64{cat, bob, 424242}}).expect(t, 200)
		if del.Raw != "" {
			t.Fatalf("DELETE body = %q, want empty", del.Raw)
		}
		e.do("GET", showPath, a.Token, nil).expect(t, 200).body(t, `{"payload":[]}`)
		e.do("DELETE", inboxMembersPath(a), a.Token, map[string]any{"inbox_id": id}).expect(t, 200)

		// Users who are not members of the account, and values that are not ids, are refused; nothing changes.
		e.do("POST", inboxMembersPath(a), a.Token, map[string]any{"inbox_id": id, "user_ids": []int64{bob}}).expect(t, 200)
		for _, ids := range []any{[]int64{cat, b.UserID}, []int64{999999}, []any{"x"}, []any{1.5}, []any{map[string]any{"id": bob}}} {
			for _, method := range []string{"POST", "PATCH"} {
				e.do(method, inboxMembersPath(a), a.Token, map[string]any{"inbox_id": id, "user_ids": ids}).
					expect(t, 422).body(t, `{"error":"Invalid User IDs"}`)
			}
		}
		for _, body := range []map[string]any{{"inbox_id": id}, {"inbox_id": id, "user_ids": 5}, {"inbox_id": id, "user_ids": nil}} {
			for _, method := range []string{"POST", "PATCH"} {
				e.do(method, inboxMembersPath(a), a.Token, body).expect(t, 422).body(t, `{"error":"param is missing or the value is empty: user_ids"}`)
			}
		}
		e.do("DELETE", inboxMembersPath(a), a.Token, map[string]any{"inbox_id": id, "user_ids": []any{"x"}}).
			expect(t, 422).body(t, `{"error":"Invalid User IDs"}`)
		if ids := payloadIDsOf(e.do("GET", showPath, a.Token, nil).expect(t, 200)); !reflect.DeepEqual(ids, []int64{bob}) {
			t.Fatalf("members changed by refused requests: %v", ids)
		}
		// No or unknown inbox: 404.
		for _, method := range []string{"POST", "PATCH", "DELETE"} {
			e.do(method, inboxMembersPath(a), a.Token, map[string]any{"user_ids": []int64{bob}}).expect(t, 404).body(t, bodyNotFound)
			e.do(method, inboxMembersPath(a), a.Token, map[string]any{"inbox_id": 999999, "user_ids": []int64{bob}}).expect(t, 404).body(t, bodyNotFound)
		}
		e.do("GET", inboxMembersPath(a)+"/999999", a.Token, nil).expect(t, 404).body(t, bodyNotFound)

		// Removing an agent from the account ends their inbox memberships.
		e.do("DELETE", agentPath(a, bob), a.Token, nil).expect(t, 200)
		e.do("GET", showPath, a.Token, nil).expect(t, 200).body(t, `{"payload":[]}`)
	})
}

func TestAssignableAgents(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		bobToken := e.addAgent(a, "bob@acme.io", "agent")
		e.addAgent(a, "cat@acme.io", "agent")
		e.addAgent(a, "dan@acme.io", "administrator")
		bob, cat, dan := agentIDByEmail(t, e, a, "bob@acme.io"), agentIDByEmail(t, e, a, "cat@acme.io"), agentIDByEmail(t, e, a, "dan@acme.io")
		one := newAPIInbox(t, e, a, "One").num("id")
		two := newWidgetInbox(t, e, a, "Two").num("id")
		three := newAPIInbox(t, e, a, "Three").num("id")
		e.do("POST", inboxMembersPath(a), a.Token, map[string]any{"inbox_id": one, "user_ids": []int64{bob, cat}}).expect(t, 200)
		e.do("POST", inboxMembersPath(a), a.Token, map[string]any{"inbox_id": two, "user_ids": []int64{bob}}).expect(t, 200)

		path := "/api/v1/accounts/" + itoa(a.AccountID) + "/assignable_agents"
		ids := func(res response) []int64 { return payloadIDsOf(res.expect(t, 200)) }
		// The members common to every inbox given, plus all administrators, by lower(name).
		admins := []int64{a.UserID, dan} // "Admin Acme", "dan@acme.io"
		if got := ids(e.do("GET", path+"?inbox_ids[]="+itoa(one), a.Token, nil)); !reflect.DeepEqual(got, []int64{a.UserID, bob, cat, dan}) {
			t.Fatalf("assignable(one) = %v", got)
		}
		if got := ids(e.do("GET", path+"?inbox_ids[]="+itoa(one)+"&inbox_ids[]="+itoa(two), a.Token, nil)); !reflect.DeepEqual(got, []int64{a.UserID, bob, dan}) {
			t.Fatalf("assignable(one, two) = %v", got)
		}
		if got := ids(e.do("GET", path+"?inbox_ids[]="+itoa(one)+"&inbox_ids[]="+itoa(three), a.Token, nil)); !reflect.DeepEqual(got, admins) {
			t.Fatalf("assignable(one, three) = %v", got)
		}
		res := e.do("GET", path+"?inbox_ids[]="+itoa(two), bobToken, nil).expect(t, 200) // a member agent may ask
		if keys := agentObjKeys(res, "payload", 0); !reflect.DeepEqual(keys, agentKeysNoCustom) {
			t.Fatalf("assignable agent keys = %v", keys)
		}
		if got := payloadIDsOf(res); !reflect.DeepEqual(got, []int64{a.UserID, bob, dan}) {
			t.Fatalf("assignable(two) for bob = %v", got)
		}
		// The deprecated per-inbox route answers the same.
		if got := ids(e.do("GET", inboxPath(a, two)+"/assignable_agents", bobToken, nil)); !reflect.DeepEqual(got, []int64{a.UserID, bob, dan}) {
			t.Fatalf("inbox assignable_agents = %v", got)
		}
		// An agent must be a member of every inbox asked about.
		e.do("GET", path+"?inbox_ids[]="+itoa(two)+"&inbox_ids[]="+itoa(three), bobToken, nil).expect(t, 401).body(t, bodyNotAuthorized)
		e.do("GET", inboxPath(a, three)+"/assignable_agents", bobToken, nil).expect(t, 401).body(t, bodyNotAuthorized)
		// No inbox_ids, unknown or malformed ids: 404, as Chatwoot's find.
		for _, q := range []string{"", "?inbox_ids[]=999999", "?inbox_ids[]=" + itoa(one) + "&inbox_ids[]=999999", "?inbox_ids[]=abc", "?inbox_ids[]="} {
			e.do("GET", path+q, a.Token, nil).expect(t, 404).body(t, bodyNotFound)
		}
	})
}
