package api_test

import (
	"testing"
)

// constantQueries fails unless listing path costs the same number of
// statements before and after grow adds rows: lists must not query per row.
func (e *env) constantQueries(t *testing.T, path, token string, grow func()) {
	t.Helper()
	_, small := e.statementsFor("GET", path, token, nil)
	grow()
	res, large := e.statementsFor("GET", path, token, nil)
	res.expect(t, 200)
	if large != small {
		t.Fatalf("GET %s: %d statements with few rows, %d with many: a query per row", path, small, large)
	}
}

const notAuthorized = `{"error":"You are not authorized to do this action"}`
const notFound = `{"error":"Resource could not be found"}`

// TestLabels covers §3.7 labels: shapes, roles (list any, the rest admin),
// title rules and tenancy.
func TestLabels(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Alpha", "ann@alpha.io")
		b := e.setup("Beta", "bob@beta.io")
		agent := e.addAgent(a, "agent@alpha.io", "agent")
		base := "/api/v1/accounts/" + itoa(a.AccountID) + "/labels"

		res := e.do("POST", base, a.Token, map[string]any{"label": map[string]any{
			"title": "Billing", "description": "Money matters", "color": "#ff0000", "show_on_sidebar": true}}).expect(t, 200)
		id := res.num("id")
		res.body(t, `{"id":`+itoa(id)+`,"title":"billing","description":"Money matters","color":"#ff0000","show_on_sidebar":true}`)
		// A bare body works too (wrap_parameters); unset fields are Chatwoot's defaults.
		res = e.do("POST", base, a.Token, map[string]any{"title": "ações_2"}).expect(t, 200)
		res.body(t, `{"id":`+itoa(res.num("id"))+`,"title":"ações_2","description":null,"color":"#1f93ff","show_on_sidebar":null}`)
		e.do("POST", base, a.Token, `{"label":{"title":"a-b","show_on_sidebar":"false"}}`).expect(t, 200)

		// Title rules (reference §3.7: downcased, unique per account, letters/digits/-/_).
		e.do("POST", base, a.Token, map[string]any{"label": map[string]any{"title": "BILLING"}}).expect(t, 422).
			body(t, `{"message":"Title has already been taken","attributes":["title"]}`)
		e.do("POST", base, a.Token, map[string]any{"label": map[string]any{"title": "two words"}}).expect(t, 422).
			body(t, `{"message":"Title is invalid","attributes":["title"]}`)
		e.do("POST", base, a.Token, map[string]any{"label": map[string]any{"title": ""}}).expect(t, 422).
			body(t, `{"message":"Title must not be blank","attributes":["title"]}`)
		e.do("POST", base, a.Token, map[string]any{"label": map[string]any{"title": 12}}).expect(t, 422).
			body(t, `{"message":"Title must be a string","attributes":["title"]}`)
		e.do("POST", base, a.Token, "").expect(t, 422).body(t, `{"error":"param is missing or the value is empty: label"}`)
		e.do("POST", base, a.Token, `{"label":`).expect(t, 400)
		// Another account may use the same title.
		e.do("POST", "/api/v1/accounts/"+itoa(b.AccountID)+"/labels", b.Token, map[string]any{"title": "billing"}).expect(t, 200)

		// List: any member, {"payload":[…]} ordered by title.
		list := e.do("GET", base, agent, nil).expect(t, 200)
		if list.str("payload", 0, "title") != "a-b" || list.str("payload", 1, "title") != "ações_2" ||
			list.str("payload", 2, "title") != "billing" || list.get("payload", 3) != nil {
			t.Fatalf("labels list = %s", list.Raw)
		}
		if list.get("payload", 0, "show_on_sidebar") != false {
			t.Fatalf("show_on_sidebar \"false\" = %v", list.get("payload", 0, "show_on_sidebar"))
		}

		// Show, update and delete are for administrators.
		e.do("GET", base+"/"+itoa(id), a.Token, nil).expect(t, 200)
		e.do("GET", base+"/"+itoa(id), agent, nil).expect(t, 401).body(t, notAuthorized)
		e.do("POST", base, agent, map[string]any{"title": "x"}).expect(t, 401).body(t, notAuthorized)
		e.do("PATCH", base+"/"+itoa(id), agent, map[string]any{"title": "x"}).expect(t, 401).body(t, notAuthorized)
		e.do("DELETE", base+"/"+itoa(id), agent, nil).expect(t, 401).body(t, notAuthorized)

		res = e.do("PATCH", base+"/"+itoa(id), a.Token, map[string]any{"label": map[string]any{"title": "Finance", "color": "#00ff00"}}).expect(t, 200)
		res.body(t, `{"id":`+itoa(id)+`,"title":"finance","description":"Money matters","color":"#00ff00","show_on_sidebar":true}`)
		e.do("PUT", base+"/"+itoa(id), a.Token, map[string]any{"description": "Invoices"}).expect(t, 200)
		if got := e.do("GET", base+"/"+itoa(id), a.Token, nil); got.str("description") != "Invoices" || got.str("title") != "finance" {
			t.Fatalf("after PUT: %s", got.Raw)
		}
		e.do("PATCH", base+"/"+itoa(id), a.Token, map[string]any{"title": "A-B"}).expect(t, 422).
			body(t, `{"message":"Title has already been taken","attributes":["title"]}`)

		// Tenancy: B's label through A's path is 404 and stays unchanged.
		bLabels := e.do("GET", "/api/v1/accounts/"+itoa(b.AccountID)+"/labels", b.Token, nil).expect(t, 200)
		bID := itoa(bLabels.num("payload", 0, "id"))
		e.do("GET", base+"/"+bID, a.Token, nil).expect(t, 404).body(t, notFound)
		e.do("PATCH", base+"/"+bID, a.Token, map[string]any{"title": "hijack"}).expect(t, 404).body(t, notFound)
		e.do("DELETE", base+"/"+bID, a.Token, nil).expect(t, 404).body(t, notFound)
		if e.do("GET", "/api/v1/accounts/"+itoa(b.AccountID)+"/labels", b.Token, nil).Raw != bLabels.Raw {
			t.Fatal("B's labels changed")
		}
		e.do("GET", base+"/abc", a.Token, nil).expect(t, 404)

		res = e.do("DELETE", base+"/"+itoa(id), a.Token, nil).expect(t, 200)
		if res.Raw != "" {
			t.Fatalf("DELETE body = %q, want empty (head :ok)", res.Raw)
		}
		e.do("GET", base+"/"+itoa(id), a.Token, nil).expect(t, 404)
		e.do("DELETE", base+"/"+itoa(id), a.Token, nil).expect(t, 404)

		e.constantQueries(t, base, agent, func() {
			for _, title := range []string{"l1", "l2", "l3", "l4", "l5"} {
				e.do("POST", base, a.Token, map[string]any{"title": title}).expect(t, 200)
			}
		})
	})
}
