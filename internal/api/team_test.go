package api_test

import (
	"testing"
)

// TestTeams covers §3.7 teams: the bare-array list with is_member, show, the
// admin-only writes, name rules and tenancy.
func TestTeams(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Alpha", "ann@alpha.io")
		b := e.setup("Beta", "bob@beta.io")
		agent := e.addAgent(a, "agent@alpha.io", "agent")
		base := "/api/v1/accounts/" + itoa(a.AccountID) + "/teams"

		res := e.do("POST", base, a.Token, map[string]any{"team": map[string]any{"name": "Sales", "description": "Deals"}}).expect(t, 200)
		sales := res.num("id")
		res.body(t, `{"id":`+itoa(sales)+`,"name":"sales","description":"Deals","allow_auto_assign":true,"account_id":`+itoa(a.AccountID)+`,"is_member":false}`)
		res = e.do("POST", base, a.Token, map[string]any{"name": "Support", "allow_auto_assign": false}).expect(t, 200)
		support := res.num("id")
		res.body(t, `{"id":`+itoa(support)+`,"name":"support","description":null,"allow_auto_assign":false,"account_id":`+itoa(a.AccountID)+`,"is_member":false}`)

		e.do("POST", base, a.Token, map[string]any{"team": map[string]any{"name": "SALES"}}).expect(t, 422).
			body(t, `{"message":"Name has already been taken","attributes":["name"]}`)
		e.do("POST", base, a.Token, map[string]any{"team": map[string]any{"name": ""}}).expect(t, 422).
			body(t, `{"message":"Name must not be blank","attributes":["name"]}`)
		e.do("POST", base, a.Token, map[string]any{"team": map[string]any{"name": "x", "allow_auto_assign": "maybe"}}).expect(t, 422)
		e.do("POST", "/api/v1/accounts/"+itoa(b.AccountID)+"/teams", b.Token, map[string]any{"name": "sales"}).expect(t, 200)

		// Agents read, administrators write.
		e.do("POST", base, agent, map[string]any{"name": "x"}).expect(t, 401).body(t, notAuthorized)
		e.do("PATCH", base+"/"+itoa(sales), agent, map[string]any{"name": "x"}).expect(t, 401).body(t, notAuthorized)
		e.do("PUT", base+"/"+itoa(sales), agent, map[string]any{"name": "x"}).expect(t, 401).body(t, notAuthorized)
		e.do("DELETE", base+"/"+itoa(sales), agent, nil).expect(t, 401).body(t, notAuthorized)

		// is_member follows the caller.
		agentID := e.do("GET", "/api/v1/profile", agent, nil).num("id")
		e.do("POST", base+"/"+itoa(sales)+"/team_members", a.Token, map[string]any{"user_ids": []int64{agentID}}).expect(t, 200)
		list := e.do("GET", base, agent, nil).expect(t, 200)
		if list.num(0, "id") != sales || list.get(0, "is_member") != true || list.get(1, "is_member") != false || list.get(2) != nil {
			t.Fatalf("agent's teams = %s", list.Raw)
		}
		if list := e.do("GET", base, a.Token, nil); list.get(0, "is_member") != false {
			t.Fatalf("admin's teams = %s", list.Raw)
		}
		e.do("GET", base+"/"+itoa(sales), agent, nil).expect(t, 200).
			body(t, `{"id":`+itoa(sales)+`,"name":"sales","description":"Deals","allow_auto_assign":true,"account_id":`+itoa(a.AccountID)+`,"is_member":true}`)

		res = e.do("PATCH", base+"/"+itoa(support), a.Token, map[string]any{"team": map[string]any{"name": "Help Desk", "allow_auto_assign": true}}).expect(t, 200)
		if res.str("name") != "help desk" || res.get("allow_auto_assign") != true || res.str("description") != "" || res.get("description") != nil {
			t.Fatalf("PATCH team = %s", res.Raw)
		}
		e.do("PUT", base+"/"+itoa(support), a.Token, map[string]any{"description": "Tier 1"}).expect(t, 200)
		e.do("PATCH", base+"/"+itoa(support), a.Token, map[string]any{"name": "Sales"}).expect(t, 422).
			body(t, `{"message":"Name has already been taken","attributes":["name"]}`)

		// Tenancy.
		bTeams := e.do("GET", "/api/v1/accounts/"+itoa(b.AccountID)+"/teams", b.Token, nil).expect(t, 200)
		bID := itoa(bTeams.num(0, "id"))
		e.do("GET", base+"/"+bID, a.Token, nil).expect(t, 404).body(t, notFound)
		e.do("PATCH", base+"/"+bID, a.Token, map[string]any{"name": "hijack"}).expect(t, 404)
		e.do("DELETE", base+"/"+bID, a.Token, nil).expect(t, 404)
		e.do("GET", base+"/"+bID+"/team_members", a.Token, nil).expect(t, 404)
		e.do("POST", base+"/"+bID+"/team_members", a.Token, map[string]any{"user_ids": []int64{a.UserID}}).expect(t, 404)
		if e.do("GET", "/api/v1/accounts/"+itoa(b.AccountID)+"/teams", b.Token, nil).Raw != bTeams.Raw {
			t.Fatal("B's teams changed")
		}

		res = e.do("DELETE", base+"/"+itoa(support), a.Token, nil).expect(t, 200)
		if res.Raw != "" {
			t.Fatalf("DELETE body = %q", res.Raw)
		}
		e.do("GET", base+"/"+itoa(support), a.Token, nil).expect(t, 404)

		e.constantQueries(t, base, agent, func() {
			for _, name := range []string{"t1", "t2", "t3", "t4"} {
				id := e.do("POST", base, a.Token, map[string]any{"name": name}).expect(t, 200).num("id")
				e.do("POST", base+"/"+itoa(id)+"/team_members", a.Token, map[string]any{"user_ids": []int64{agentID}}).expect(t, 200)
			}
		})
	})
}

// TestTeamMembers covers §3.7 team members: add (returns the added agents),
// replace (returns all), remove (200 empty), ids outside the account (401
// "Invalid User IDs"), roles.
func TestTeamMembers(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Alpha", "ann@alpha.io")
		b := e.setup("Beta", "bob@beta.io")
		agent := e.addAgent(a, "agent@alpha.io", "agent")
		agentID := e.do("GET", "/api/v1/profile", agent, nil).num("id")
		e.addAgent(a, "zed@alpha.io", "agent")
		agents := e.do("GET", "/api/v1/accounts/"+itoa(a.AccountID)+"/agents", a.Token, nil).expect(t, 200)
		zedID := agents.num(2, "id") // ordered by name: Admin Alpha, agent@…, zed@…
		team := e.do("POST", "/api/v1/accounts/"+itoa(a.AccountID)+"/teams", a.Token, map[string]any{"name": "sales"}).expect(t, 200).num("id")
		path := "/api/v1/accounts/" + itoa(a.AccountID) + "/teams/" + itoa(team) + "/team_members"

		e.do("GET", path, agent, nil).expect(t, 200).body(t, `[]`)
		res := e.do("POST", path, a.Token, map[string]any{"user_ids": []any{agentID, itoa(a.UserID)}}).expect(t, 200)
		if res.num(0, "id") != agentID || res.num(1, "id") != a.UserID || res.get(2) != nil {
			t.Fatalf("added = %s", res.Raw)
		}
		for _, key := range []string{"id", "account_id", "availability_status", "auto_offline", "confirmed", "email",
			"provider", "available_name", "name", "role", "thumbnail"} {
			if !res.has(key, 0) {
				t.Fatalf("team member lacks %q: %s", key, res.Raw)
			}
		}
		if res.str(1, "role") != "administrator" || res.num(1, "account_id") != a.AccountID {
			t.Fatalf("team member agent = %s", res.Raw)
		}
		// Adding a current member returns only the new ones.
		res = e.do("POST", path, a.Token, map[string]any{"user_ids": []int64{agentID, zedID}}).expect(t, 200)
		if res.num(0, "id") != zedID || res.get(1) != nil {
			t.Fatalf("re-add = %s", res.Raw)
		}
		list := e.do("GET", path, agent, nil).expect(t, 200)
		if list.num(0, "id") != agentID || list.num(1, "id") != a.UserID || list.num(2, "id") != zedID {
			t.Fatalf("members = %s", list.Raw)
		}

		// A user of another account, or no user at all, refuses the whole request.
		before := list.Raw
		for _, ids := range [][]int64{{b.UserID}, {zedID, 999999}} {
			e.do("POST", path, a.Token, map[string]any{"user_ids": ids}).expect(t, 401).body(t, `{"error":"Invalid User IDs"}`)
			e.do("PATCH", path, a.Token, map[string]any{"user_ids": ids}).expect(t, 401).body(t, `{"error":"Invalid User IDs"}`)
			e.do("DELETE", path, a.Token, map[string]any{"user_ids": ids}).expect(t, 401).body(t, `{"error":"Invalid User IDs"}`)
		}
		if e.do("GET", path, a.Token, nil).Raw != before {
			t.Fatal("members changed by a refused request")
		}
		e.do("POST", path, a.Token, map[string]any{}).expect(t, 422).body(t, `{"error":"param is missing or the value is empty: user_ids"}`)
		e.do("POST", path, a.Token, map[string]any{"user_ids": "1"}).expect(t, 422)
		e.do("POST", path, a.Token, map[string]any{"user_ids": []any{"x"}}).expect(t, 422)

		// Only administrators change members.
		for _, method := range []string{"POST", "PATCH", "DELETE"} {
			e.do(method, path, agent, map[string]any{"user_ids": []int64{agentID}}).expect(t, 401).body(t, notAuthorized)
		}

		// PATCH replaces and returns every member.
		res = e.do("PATCH", path, a.Token, map[string]any{"user_ids": []int64{zedID, a.UserID}}).expect(t, 200)
		if res.num(0, "id") != a.UserID || res.num(1, "id") != zedID || res.get(2) != nil {
			t.Fatalf("replaced = %s", res.Raw)
		}
		// DELETE removes, from the body or the query string.
		res = e.do("DELETE", path, a.Token, map[string]any{"user_ids": []int64{zedID}}).expect(t, 200)
		if res.Raw != "" {
			t.Fatalf("DELETE body = %q", res.Raw)
		}
		e.do("DELETE", path+"?user_ids[]="+itoa(a.UserID), a.Token, nil).expect(t, 200)
		e.do("GET", path, a.Token, nil).expect(t, 200).body(t, `[]`)
		e.do("DELETE", path+"?user_ids[]=abc", a.Token, nil).expect(t, 422)

		// Removing an agent from the account removes them from its teams.
		e.do("POST", path, a.Token, map[string]any{"user_ids": []int64{zedID}}).expect(t, 200)
		e.do("DELETE", "/api/v1/accounts/"+itoa(a.AccountID)+"/agents/"+itoa(zedID), a.Token, nil).expect(t, 200)
		e.do("GET", path, a.Token, nil).expect(t, 200).body(t, `[]`)

		e.do("GET", "/api/v1/accounts/"+itoa(a.AccountID)+"/teams/999999/team_members", a.Token, nil).expect(t, 404).body(t, notFound)

		e.constantQueries(t, path, agent, func() {
			e.do("PATCH", path, a.Token, map[string]any{"user_ids": []int64{a.UserID, agentID}}).expect(t, 200)
		})
	})
}
