package api_test

import (
	"testing"
)

// TestCustomFilters covers §3.7 custom filters: the caller's own filters only
// (another user's id is 404), filter_type default and enum values (§6.1),
// shape with ISO timestamps, DELETE 204, tenancy.
func TestCustomFilters(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Alpha", "ann@alpha.io")
		b := e.setup("Beta", "bob@beta.io")
		agent := e.addAgent(a, "agent@alpha.io", "agent")
		base := "/api/v1/accounts/" + itoa(a.AccountID) + "/custom_filters"
		query := map[string]any{"payload": []any{map[string]any{"attribute_key": "status", "filter_operator": "equal_to",
			"values": []string{"open"}, "query_operator": nil}}}

		res := e.do("POST", base, agent, map[string]any{"custom_filter": map[string]any{"name": "Open", "filter_type": "conversation", "query": query}}).expect(t, 200)
		open := res.num("id")
		created, updated := res.str("created_at"), res.str("updated_at")
		if !isoMillis.MatchString(created) || !isoMillis.MatchString(updated) {
			t.Fatalf("timestamps = %s", res.Raw)
		}
		res.body(t, `{"id":`+itoa(open)+`,"name":"Open","filter_type":"conversation","query":{"payload":[{"attribute_key":"status",
			"filter_operator":"equal_to","query_operator":null,"values":["open"]}]},"created_at":"`+created+`","updated_at":"`+updated+`"}`)
		// filter_type by integer (1 = contact), default conversation, query default {}.
		vip := e.do("POST", base, agent, map[string]any{"name": "VIP", "filter_type": 1}).expect(t, 200)
		if vip.str("filter_type") != "contact" || vip.get("query") == nil {
			t.Fatalf("integer filter_type = %s", vip.Raw)
		}
		if res := e.do("POST", base, agent, map[string]any{"name": "Mine"}).expect(t, 200); res.str("filter_type") != "conversation" {
			t.Fatalf("default filter_type = %s", res.Raw)
		}
		adminFilter := e.do("POST", base, a.Token, map[string]any{"name": "Admin's"}).expect(t, 200).num("id")

		e.do("POST", base, agent, map[string]any{"name": "x", "filter_type": "inbox"}).expect(t, 422).
			body(t, `{"message":"Filter type is not included in the list","attributes":["filter_type"]}`)
		e.do("POST", base, agent, map[string]any{"name": "x", "filter_type": 3}).expect(t, 422)
		e.do("POST", base, agent, map[string]any{"name": ""}).expect(t, 422).
			body(t, `{"message":"Name can't be blank","attributes":["name"]}`)
		e.do("POST", base, agent, map[string]any{"name": "x", "query": []int{1}}).expect(t, 422).
			body(t, `{"message":"Query must be a JSON object","attributes":["query"]}`)

		// Lists: own filters only, conversation by default, by name or integer.
		list := e.do("GET", base, agent, nil).expect(t, 200)
		if list.num(0, "id") != open || list.str(1, "name") != "Mine" || list.get(2) != nil {
			t.Fatalf("agent's conversation filters = %s", list.Raw)
		}
		contact := e.do("GET", base+"?filter_type=contact", agent, nil).expect(t, 200)
		if contact.num(0, "id") != vip.num("id") || contact.get(1) != nil {
			t.Fatalf("contact filters = %s", contact.Raw)
		}
		if byIndex := e.do("GET", base+"?filter_type=1", agent, nil); byIndex.Raw != contact.Raw {
			t.Fatalf("filter_type=1 = %s", byIndex.Raw)
		}
		e.do("GET", base+"?filter_type=report", agent, nil).expect(t, 200).body(t, `[]`)
		e.do("GET", base+"?filter_type=nonsense", agent, nil).expect(t, 200).body(t, `[]`)
		if adminList := e.do("GET", base, a.Token, nil); adminList.num(0, "id") != adminFilter || adminList.get(1) != nil {
			t.Fatalf("admin's filters = %s", adminList.Raw)
		}

		// Another user's filter is not found, even for an administrator.
		e.do("GET", base+"/"+itoa(open), a.Token, nil).expect(t, 404).body(t, notFound)
		e.do("PATCH", base+"/"+itoa(open), a.Token, map[string]any{"name": "hijack"}).expect(t, 404)
		e.do("DELETE", base+"/"+itoa(open), a.Token, nil).expect(t, 404)
		e.do("GET", base+"/"+itoa(adminFilter), agent, nil).expect(t, 404)

		e.do("GET", base+"/"+itoa(open), agent, nil).expect(t, 200)
		res = e.do("PATCH", base+"/"+itoa(open), agent, map[string]any{"custom_filter": map[string]any{
			"name": "Resolved", "query": map[string]any{"payload": []any{}}}}).expect(t, 200)
		if res.str("name") != "Resolved" || res.str("filter_type") != "conversation" || res.get("query", "payload") == nil {
			t.Fatalf("PATCH = %s", res.Raw)
		}
		if res := e.do("PUT", base+"/"+itoa(open), agent, map[string]any{"filter_type": "report"}).expect(t, 200); res.str("name") != "Resolved" || res.str("filter_type") != "report" {
			t.Fatalf("PUT = %s", res.Raw)
		}
		e.do("PATCH", base+"/"+itoa(open), agent, map[string]any{"filter_type": "x"}).expect(t, 422)

		// Tenancy: B's filters through A's path.
		bFilter := itoa(e.do("POST", "/api/v1/accounts/"+itoa(b.AccountID)+"/custom_filters", b.Token, map[string]any{"name": "B"}).expect(t, 200).num("id"))
		e.do("GET", base+"/"+bFilter, a.Token, nil).expect(t, 404)
		e.do("PATCH", base+"/"+bFilter, a.Token, map[string]any{"name": "hijack"}).expect(t, 404)
		e.do("DELETE", base+"/"+bFilter, a.Token, nil).expect(t, 404)
		if got := e.do("GET", "/api/v1/accounts/"+itoa(b.AccountID)+"/custom_filters/"+bFilter, b.Token, nil); got.str("name") != "B" {
			t.Fatalf("B's filter = %s", got.Raw)
		}

		res = e.do("DELETE", base+"/"+itoa(open), agent, nil).expect(t, 204)
		if res.Raw != "" {
			t.Fatalf("DELETE body = %q", res.Raw)
		}
		e.do("GET", base+"/"+itoa(open), agent, nil).expect(t, 404)

		e.constantQueries(t, base, agent, func() {
			for _, name := range []string{"f1", "f2", "f3"} {
				e.do("POST", base, agent, map[string]any{"name": name, "query": query}).expect(t, 200)
			}
		})
	})
}
