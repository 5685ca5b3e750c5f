package api_test

import (
	"regexp"
	"testing"
)

// isoMillis matches Rails' default JSON time (reference §7).
var isoMillis = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)

// TestCannedResponses covers §3.7 canned responses: raw-record shape with ISO
// timestamps, search ranking, any member may write, uniqueness and tenancy.
func TestCannedResponses(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Alpha", "ann@alpha.io")
		b := e.setup("Beta", "bob@beta.io")
		agent := e.addAgent(a, "agent@alpha.io", "agent")
		base := "/api/v1/accounts/" + itoa(a.AccountID) + "/canned_responses"

		// Any member creates (no policy in Chatwoot).
		res := e.do("POST", base, agent, map[string]any{"canned_response": map[string]any{"short_code": "thanks", "content": "Your refund is on its way"}}).expect(t, 200)
		thanks := res.num("id")
		if res.num("account_id") != a.AccountID || res.str("short_code") != "thanks" || !isoMillis.MatchString(res.str("created_at")) ||
			!isoMillis.MatchString(res.str("updated_at")) || len(res.JSON.(map[string]any)) != 6 {
			t.Fatalf("canned response = %s", res.Raw)
		}
		inCode := e.do("POST", base, a.Token, map[string]any{"short_code": "full-refund", "content": "Done."}).expect(t, 200).num("id")
		prefix := e.do("POST", base, a.Token, map[string]any{"short_code": "Refund", "content": "Five days."}).expect(t, 200).num("id")
		e.do("POST", base, a.Token, map[string]any{"short_code": "hello", "content": "Hi"}).expect(t, 200)

		e.do("POST", base, a.Token, map[string]any{"short_code": "hello", "content": "again"}).expect(t, 422).
			body(t, `{"message":"Short code has already been taken","attributes":["short_code"]}`)
		e.do("POST", base, a.Token, map[string]any{"short_code": "x"}).expect(t, 422).
			body(t, `{"message":"Content can't be blank","attributes":["content"]}`)
		e.do("POST", base, a.Token, map[string]any{"content": "x"}).expect(t, 422).
			body(t, `{"message":"Short code can't be blank","attributes":["short_code"]}`)
		e.do("POST", base, a.Token, map[string]any{"short_code": []int{1}}).expect(t, 422)
		e.do("POST", "/api/v1/accounts/"+itoa(b.AccountID)+"/canned_responses", b.Token, map[string]any{"short_code": "hello", "content": "B"}).expect(t, 200)

		list := e.do("GET", base, agent, nil).expect(t, 200)
		if list.num(0, "id") != thanks || list.get(4) != nil || list.get(3) == nil {
			t.Fatalf("list = %s", list.Raw)
		}
		// Search: short code prefix first, then short code contains, then content.
		found := e.do("GET", base+"?search=REFUND", agent, nil).expect(t, 200)
		if found.num(0, "id") != prefix || found.num(1, "id") != inCode || found.num(2, "id") != thanks || found.get(3) != nil {
			t.Fatalf("search = %s", found.Raw)
		}
		e.do("GET", base+"?search=nothing-like-it", agent, nil).expect(t, 200).body(t, `[]`)

		res = e.do("PATCH", base+"/"+itoa(prefix), agent, map[string]any{"canned_response": map[string]any{"content": "Ten days."}}).expect(t, 200)
		if res.str("content") != "Ten days." || res.str("short_code") != "Refund" {
			t.Fatalf("PATCH = %s", res.Raw)
		}
		e.do("PUT", base+"/"+itoa(prefix), a.Token, map[string]any{"short_code": "refund-policy"}).expect(t, 200)
		e.do("PATCH", base+"/"+itoa(prefix), a.Token, map[string]any{"short_code": "hello"}).expect(t, 422).
			body(t, `{"message":"Short code has already been taken","attributes":["short_code"]}`)

		// Tenancy.
		bID := itoa(e.do("GET", "/api/v1/accounts/"+itoa(b.AccountID)+"/canned_responses", b.Token, nil).num(0, "id"))
		e.do("PATCH", base+"/"+bID, a.Token, map[string]any{"content": "hijack"}).expect(t, 404).body(t, notFound)
		e.do("DELETE", base+"/"+bID, a.Token, nil).expect(t, 404).body(t, notFound)
		if got := e.do("GET", "/api/v1/accounts/"+itoa(b.AccountID)+"/canned_responses", b.Token, nil); got.str(0, "content") != "B" || got.get(1) != nil {
			t.Fatalf("B's canned responses = %s", got.Raw)
		}

		res = e.do("DELETE", base+"/"+itoa(prefix), agent, nil).expect(t, 200)
		if res.Raw != "" {
			t.Fatalf("DELETE body = %q", res.Raw)
		}
		e.do("DELETE", base+"/"+itoa(prefix), agent, nil).expect(t, 404)

		e.constantQueries(t, base+"?search=o", agent, func() {
			for _, code := range []string{"c1", "c2", "c3", "c4"} {
				e.do("POST", base, a.Token, map[string]any{"short_code": code, "content": "hello"}).expect(t, 200)
			}
		})
	})
}
